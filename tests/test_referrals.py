"""Referrals that close the loop (issue 17), on both databases: consent first, every status change allowed
and refused and who may make it, the working-day no-answer timer, what the receiver sees, the inbox and the
sign-in notice, the plan and reviews, erasure, a merged receiver, email notices, the letter, the funnel."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from directory import organisations as orgs
from directory.accounts import Account, create_user
from directory.clients import ClientRecords
from directory.errors import AccessDenied, DuplicateReferral, NoConsent, RecordChanged, ReferralRefused, Refused
from directory.mail import MailSettings
from directory.people import OPERATOR
from directory.referrals import (
    ReferralDetails,
    Referrals,
    funnel,
    funnel_csv,
    no_answer_days,
    notify_new_referral,
    set_no_answer_days,
)
from directory.working_days import add_working_days, bank_holidays, uk_date, working_days_between

UTC = dt.timezone.utc
MON_7_DEC = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
PROFILE = {"stage": "stabilising", "postcode": "TS1 3BA"}
ESOL = {"id": "esol", "name": "ESOL drop-in", "organisation": "Teesside College", "category": "basic_skills",
        "postcode": "TS1 3BA", "schedule": "Thu 10:00-12:00"}
KITCHEN = {"id": "kitchen", "name": "Community kitchen volunteering", "organisation": "Tees Community Kitchen",
           "category": "volunteering", "postcode": "TS1 2AH"}
REFERRAL = {"reason": "wants to improve their English to apply for warehouse work", "contact_preference": "phone",
            "availability": "Tue and Thu mornings"}


def at(day: int, hour: int = 10, month: int = 12, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=UTC)


class World:
    def __init__(self, directory):
        self.directory = directory
        self.kim = create_user(directory, "kim", "Kim Keyworker", "editor", organisations=("Tees Recovery Service",),
                               email="kim@trs.example")
        self.vi = create_user(directory, "vi", "Vi Viewer", "viewer", organisations=("Tees Recovery Service",))
        self.ola = create_user(directory, "ola", "Ola Admissions", "editor", organisations=("Teesside College",),
                               email="ola@college.example")
        self.tutor = create_user(directory, "tutor", "Tom Tutor", "viewer", organisations=("Teesside College",),
                                 email="tom@college.example")
        self.eli = create_user(directory, "eli", "Eli Coach", "editor", organisations=("Tees Employment Partnership",))
        self.cy = create_user(directory, "cy", "Cy Coordinator", "coordinator", organisations=("Council",))
        directory.create(ESOL, "alice")
        directory.create(KITCHEN, "alice")  # Tees Community Kitchen: a partner with nobody in the app
        kitchen = orgs.organisation_id(directory, "Tees Community Kitchen")
        orgs.update_profile(directory, OPERATOR, kitchen, {"phone": "01642 000111"},
                            {"name": "Pat Cook", "role": "Volunteer lead", "email": "pat@kitchen.example"})
        self.records = ClientRecords(directory)
        self.referrals = Referrals(directory)
        self.client = self.records.create(self.kim, "C-0042", PROFILE)

    def consent(self, organisation="Teesside College", *, on=dt.date(2026, 12, 7), **scope):
        return self.referrals.record_consent(self.kim, self.client.id, organisation, on, now=MON_7_DEC, **scope)

    def refer(self, entry_id="esol", *, now=MON_7_DEC, consent=True, **values):
        if consent:
            self.consent(self.directory_org(entry_id), **{k: values.pop(k) for k in ("share_name", "share_phone")
                                                          if k in values})
        return self.referrals.refer(self.kim, self.client.id, entry_id=entry_id, now=now, **(REFERRAL | values))

    def directory_org(self, entry_id):
        return {"esol": "Teesside College", "kitchen": "Tees Community Kitchen"}[entry_id]

    def log(self):
        return [(e.username, e.action) for e in reversed(self.records.access_log(self.cy, client_ref="C-0042"))]


@pytest.fixture
def world(directory):
    return World(directory)


# -- working days ------------------------------------------------------------------------------------


def test_working_days_skip_weekends_and_england_and_wales_bank_holidays():
    assert add_working_days(dt.date(2026, 12, 7), 5) == dt.date(2026, 12, 14)  # Monday to Monday
    # Christmas Day (Fri), the weekend and Boxing Day's substitute (Mon 28) are not working days.
    assert add_working_days(dt.date(2026, 12, 18), 5) == dt.date(2026, 12, 29)
    # Good Friday 26 March and Easter Monday 29 March 2027.
    assert add_working_days(dt.date(2027, 3, 25), 2) == dt.date(2027, 3, 31)
    assert add_working_days(dt.date(2026, 12, 7), 0) == dt.date(2026, 12, 7)
    assert working_days_between(dt.date(2026, 12, 24), dt.date(2027, 1, 4)) == 4  # 29, 30, 31 Dec and 4 Jan
    assert working_days_between(dt.date(2026, 12, 7), dt.date(2026, 12, 7)) == 0
    assert sorted(bank_holidays(2026)) == [
        dt.date(2026, 1, 1), dt.date(2026, 4, 3), dt.date(2026, 4, 6), dt.date(2026, 5, 4), dt.date(2026, 5, 25),
        dt.date(2026, 8, 31), dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2026, 12, 28)]
    # A UK day, not a UTC one: 23:30 UTC on 6 July is 00:30 on 7 July in British Summer Time.
    assert uk_date(dt.datetime(2026, 7, 6, 23, 30, tzinfo=UTC)) == dt.date(2026, 7, 7)
    assert uk_date(dt.datetime(2026, 12, 6, 23, 30)) == dt.date(2026, 12, 6)  # naive: UTC, as SQLite returns


def test_no_answer_after_the_working_days_coordinators_set(world):
    referrals = world.referrals
    sent = world.refer(now=dt.datetime(2026, 12, 18, 16, 0, tzinfo=UTC))  # Friday before Christmas
    assert (sent.status, sent.answer_by, sent.overdue) == ("sent", dt.date(2026, 12, 29), False)
    last_minute = dt.datetime(2026, 12, 29, 23, 59, tzinfo=UTC)  # 23:59 in the UK in winter
    assert (referrals.open(world.ola, sent.id, now=last_minute).status, no_answer_days(world.directory)) == ("sent", 5)
    late = referrals.open(world.ola, sent.id, now=dt.datetime(2026, 12, 30, 0, 1, tzinfo=UTC))
    assert (late.status, late.status_label, late.overdue) == ("no_answer", "No answer", True)

    with pytest.raises(AccessDenied, match="^only a coordinator can change how long partners have to answer a referral$"):
        set_no_answer_days(world.directory, world.kim, 2)
    for wrong in (0, 31, "3", True):
        with pytest.raises(ReferralRefused, match="^give a whole number of working days from 1 to 30$"):
            set_no_answer_days(world.directory, world.cy, wrong)
    assert set_no_answer_days(world.directory, world.cy, 2, now=at(1)) == 2
    assert no_answer_days(world.directory) == 2
    two = referrals.open(world.ola, sent.id, now=dt.datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    assert (two.answer_by, two.status) == (dt.date(2026, 12, 22), "no_answer")
    # A late answer is still taken, and its event says it was late.
    accepted = referrals.accept(world.ola, sent.id, now=dt.datetime(2026, 12, 23, 9, 5, tzinfo=UTC))
    assert accepted.status == "accepted" and not accepted.overdue
    assert [(e.from_status, e.to_status) for e in accepted.events] == [(None, "sent"), ("no_answer", "accepted")]
    from directory.people import audit_log

    assert [(a.actor, a.action, a.subject, a.detail) for a in audit_log(world.directory, world.cy)
            if a.action == "setting changed"] == [("cy", "setting changed", "referral answer time", "5 → 2 working days")]


# -- consent and referring ---------------------------------------------------------------------------


def test_no_referral_without_the_clients_consent_to_it(world):
    referrals = world.referrals
    with pytest.raises(NoConsent, match=r"^first record C-0042's consent to be referred to Teesside College: ask them, "
                                        r"and record what Teesside College may see \(their reference, the reason, how "
                                        r"to contact them and when they are free; their name and phone only if they "
                                        r"agree\) and the date$"):
        world.refer(consent=False)
    world.consent("Tees Community Kitchen")  # a consent names one organisation: not the college
    with pytest.raises(NoConsent):
        world.refer(consent=False)
    consent = world.consent()
    assert (consent.organisation, consent.shares, consent.referral_id) == (
        "Teesside College", ("client reference", "reason", "contact preference", "availability"), None)
    with pytest.raises(ReferralRefused, match="^C-0042 has not agreed to share their name with Teesside College: leave "
                                              "it out, or record their consent again with their name$") as refused:
        world.refer(consent=False, client_name="Sam Taylor")
    assert refused.value.field == "client_name"
    with pytest.raises(ReferralRefused, match="^C-0042 has not agreed to share their phone number"):
        world.refer(consent=False, client_phone="07700 900123")
    sent = world.refer(consent=False)
    # One consent, one referral: the next referral to the college needs the client's consent again.
    with pytest.raises(NoConsent):
        world.refer(consent=False, allow_duplicate=True)
    assert [(c.organisation, c.referral_id) for c in referrals.consents(world.kim, world.client.id)] == [
        ("Tees Community Kitchen", None), ("Teesside College", sent.id)]
    # Only the organisation holding the record records consent or refers; viewers neither.
    with pytest.raises(AccessDenied, match="^only the organisation that holds the client's record can record consent "
                                           "to a referral$"):
        referrals.record_consent(world.eli, world.client.id, "Teesside College", dt.date(2026, 12, 7))
    with pytest.raises(AccessDenied, match="^only the organisation that holds the client's record can refer the client$"):
        referrals.refer(world.eli, 999, entry_id="esol", **REFERRAL)
    with pytest.raises(AccessDenied, match=r"^Vi Viewer can view but not make referrals"):
        referrals.refer(world.vi, world.client.id, entry_id="esol", **REFERRAL)
    with pytest.raises(Refused, match="^there is no organisation called 'Tesside Colege'. Did you mean 'Teesside College'"):
        referrals.record_consent(world.kim, world.client.id, "Tesside Colege", dt.date(2026, 12, 7))


def test_what_a_referral_must_say(world):
    world.consent()
    cases = [
        ({"reason": "  "}, "reason", "^say why you are referring them"),
        ({"contact_preference": "pigeon"}, "contact_preference",
         "^contact preference: choose one of through_referrer, phone, text, email, letter, in_person$"),
        ({"reason": "x" * 1001}, "reason", "^reason: use at most 1000 characters$"),
        ({"entry_id": "nope"}, "entry_id", "^that service is not in the directory any more: choose another$"),
        ({"to_organisation": "Tees Community Kitchen"}, "to_organisation",
         "^ESOL drop-in is run by Teesside College, not Tees Community Kitchen: refer to Teesside College$"),
    ]
    for change, field, message in cases:
        with pytest.raises(ReferralRefused, match=message) as refused:
            world.referrals.refer(world.kim, world.client.id, **({"entry_id": "esol"} | REFERRAL | change))
        assert refused.value.field == field
    # To an organisation rather than one of its entries.
    sent = world.referrals.refer(world.kim, world.client.id, to_organisation="teesside college", now=MON_7_DEC, **REFERRAL)
    assert (sent.to_organisation, sent.entry_id, sent.category, sent.status) == ("Teesside College", None, None, "sent")


def test_a_second_open_referral_to_the_same_service_is_a_warning_the_caller_can_override(world):
    first = world.refer()
    world.consent()
    with pytest.raises(DuplicateReferral, match=f"^C-0042 already has an open referral to ESOL drop-in \\(number "
                                                f"{first.id}, sent 7 December 2026\\): open that one, or send this one "
                                                "as well if a second referral is meant$") as warned:
        world.refer(consent=False)
    assert warned.value.existing == (first.id,)
    second = world.refer(consent=False, allow_duplicate=True)
    assert second.id != first.id
    world.referrals.decline(world.ola, first.id, "no_capacity")
    world.referrals.decline(world.ola, second.id, "no_capacity")
    assert world.refer().status == "sent"  # none open now: no warning


# -- statuses: every change, and who may make it -------------------------------------------------------

ALLOWED = {
    "sent": {"accepted", "declined", "waiting_list", "withdrawn"},
    "no_answer": {"accepted", "declined", "waiting_list", "withdrawn"},
    "accepted": {"waiting_list", "started", "declined", "withdrawn"},
    "waiting_list": {"accepted", "started", "declined", "withdrawn"},
    "started": {"completed", "withdrawn"},
    "completed": {"completed"},
    "declined": set(),
    "withdrawn": set(),
}
PATHS = {"sent": [], "no_answer": [], "accepted": ["accepted"], "waiting_list": ["waiting_list"],
         "started": ["accepted", "started"], "completed": ["accepted", "started", "completed"],
         "declined": ["declined"], "withdrawn": ["withdrawn"]}


def _do(world, referral_id, to, now):
    r = world.referrals
    if to == "accepted":
        return r.accept(world.ola, referral_id, now=now)
    if to == "declined":
        return r.decline(world.ola, referral_id, "not_eligible", now=now)
    if to == "waiting_list":
        return r.waiting_list(world.ola, referral_id, dt.date(2027, 1, 11), now=now)
    if to == "started":
        return r.start(world.ola, referral_id, now=now)
    if to == "completed":
        return r.complete(world.ola, referral_id, "finished", now=now)
    return r.withdraw(world.kim, referral_id, now=now)


def test_every_status_change_allowed_and_refused(world):
    when = at(8)
    for state, allowed in ALLOWED.items():
        for to in ("accepted", "declined", "waiting_list", "started", "completed", "withdrawn"):
            referral = world.refer(allow_duplicate=True)
            for step in PATHS[state]:
                _do(world, referral.id, step, when)
            now = at(15) if state == "no_answer" else when  # 15 December: past the 5 working days
            assert world.referrals.open(world.kim, referral.id, now=now).status == state
            if to in allowed:
                assert _do(world, referral.id, to, now).status == to, (state, to)
            else:
                with pytest.raises(ReferralRefused):
                    _do(world, referral.id, to, now)
                assert world.referrals.open(world.kim, referral.id, now=now).status == state, (state, to)


def test_refusals_say_why(world):
    r = world.referrals
    referral = world.refer()
    with pytest.raises(ReferralRefused, match="^accept the referral \\(or put it on the waiting list\\) before marking "
                                              "it started$"):
        r.start(world.ola, referral.id)
    with pytest.raises(ReferralRefused, match="^only a referral that has started can be completed: mark it started first$"):
        r.complete(world.ola, referral.id, "finished")
    with pytest.raises(ReferralRefused, match="^reason: choose one of no_capacity, not_eligible, could_not_contact, "
                                              "client_declined, other$"):
        r.decline(world.ola, referral.id, "busy")
    with pytest.raises(ReferralRefused, match="^say why in the note when the reason is 'other'$"):
        r.decline(world.ola, referral.id, "other")
    with pytest.raises(ReferralRefused, match="^give the date a place is expected$"):
        r.waiting_list(world.ola, referral.id, None)
    r.accept(world.ola, referral.id, now=at(8))
    r.start(world.ola, referral.id, now=at(9))
    with pytest.raises(ReferralRefused, match="^name the next step they moved on to, in the note$"):
        r.complete(world.ola, referral.id, "moved_on")
    with pytest.raises(ReferralRefused, match="^say why they left early, in the note$"):
        r.complete(world.ola, referral.id, "left_early", note=" ")
    with pytest.raises(ReferralRefused, match="^outcome: choose one of finished, moved_on, job_start, "
                                              "in_work_13_weeks, left_early$"):
        r.complete(world.ola, referral.id, "graduated")
    r.complete(world.ola, referral.id, "job_start", now=at(20, month=1, year=2027))
    later = r.complete(world.ola, referral.id, "in_work_13_weeks", now=at(21, month=4, year=2027))
    assert (later.status, later.outcome, later.status_label) == ("completed", "in_work_13_weeks",
                                                                 "Completed (In work after 13 weeks)")
    with pytest.raises(ReferralRefused, match="^this referral is completed already: it cannot become withdrawn$"):
        r.withdraw(world.kim, referral.id)
    # Someone changed it after it was opened: refused, not overwritten.
    other = world.refer(allow_duplicate=True)
    r.decline(world.ola, other.id, "no_capacity", now=at(8))
    with pytest.raises(RecordChanged, match="^this referral was changed to 'Declined' after you opened it"):
        r.accept(world.ola, other.id, seen_status="sent", now=at(8))


def test_who_may_change_a_referral_and_every_change_says_who_and_when(world):
    r = world.referrals
    referral = world.refer()
    with pytest.raises(AccessDenied, match="^only Teesside College can answer this referral: its people answer in the app$"):
        r.accept(world.kim, referral.id)
    with pytest.raises(AccessDenied, match="^Tom Tutor can view but not change referrals"):
        r.accept(world.tutor, referral.id)
    with pytest.raises(AccessDenied, match="^only the organisation that made the referral can withdraw it; to turn it "
                                           "down, decline it with a reason$"):
        r.withdraw(world.ola, referral.id)
    for outsider in (world.eli, world.cy):
        with pytest.raises(AccessDenied, match="^no referral with that number is shared with your organisation$"):
            r.accept(outsider, referral.id)
        with pytest.raises(AccessDenied, match="^no referral with that number is shared with your organisation$"):
            r.open(outsider, referral.id)
    with pytest.raises(AccessDenied, match="^no referral with that number is shared with your organisation$"):
        r.open(world.eli, 9999)
    r.waiting_list(world.ola, referral.id, dt.date(2027, 1, 11), note="next course starts in January", now=at(8, 9))
    r.accept(world.ola, referral.id, now=at(11, 14))
    r.start(world.ola, referral.id, now=at(11, 10, month=1, year=2027))
    done = r.complete(world.ola, referral.id, "moved_on", note="Level 1 English at the college",
                      now=at(22, 15, month=3, year=2027))
    assert [(e.by, e.by_name, e.at, e.from_status, e.to_status, e.label, e.note, e.on_behalf) for e in done.events] == [
        ("kim", "Kim Keyworker", at(7), None, "sent", "Sent", None, False),
        ("ola", "Ola Admissions", at(8, 9), "sent", "waiting_list",
         "On the waiting list (a place expected by 11 January 2027)", "next course starts in January", False),
        ("ola", "Ola Admissions", at(11, 14), "waiting_list", "accepted", "Accepted", None, False),
        ("ola", "Ola Admissions", at(11, 10, month=1, year=2027), "accepted", "started", "Started", None, False),
        ("ola", "Ola Admissions", at(22, 15, month=3, year=2027), "started", "completed",
         "Completed: Moved on to a next step", "Level 1 English at the college", False)]
    assert (done.may_answer, done.may_withdraw, done.referred_by_name) == (True, False, "Kim Keyworker")


def test_the_referrer_records_the_answer_of_a_partner_with_nobody_in_the_app(world):
    r = world.referrals
    referral = world.refer("kitchen")
    assert (referral.partner_has_accounts, referral.may_answer, referral.may_withdraw) == (False, True, True)
    accepted = r.accept(world.kim, referral.id, note="Pat rang back: starts Monday", now=at(9))
    assert [(e.by, e.to_status, e.on_behalf) for e in accepted.events] == [
        ("kim", "sent", False), ("kim", "accepted", True)]
    with pytest.raises(AccessDenied, match="^Vi Viewer can view but not change referrals"):
        r.start(world.vi, referral.id)


# -- what the receiver sees ----------------------------------------------------------------------------


def test_the_receiver_sees_only_what_the_consent_allows_and_every_read_is_logged(world):
    r = world.referrals
    referral = world.refer(share_name=True, client_name="Sam Taylor")
    assert referral.shares == ("client reference", "reason", "contact preference", "availability", "name")
    seen = r.open(world.ola, referral.id, now=at(8))
    assert seen.details == ReferralDetails("C-0042", REFERRAL["reason"], "phone", "Tue and Thu mornings",
                                           "Sam Taylor", None)
    assert seen.details.contact_preference_label == "A phone call"
    assert (seen.side, seen.client_ref, seen.client_id, seen.plan_action_id, seen.entry_name) == (
        "receiver", None, None, None, "ESOL drop-in")
    # The referrer sees its own referral whole; the tutor (a viewer at the college) may read it too.
    assert r.open(world.kim, referral.id).details.name == "Sam Taylor"
    assert r.open(world.tutor, referral.id).details.client_ref == "C-0042"
    with pytest.raises(AccessDenied):
        r.open(world.eli, referral.id)
    # The inbox holds no client details, so listing it is not a read.
    [line] = r.inbox(world.ola, now=at(8))
    assert (line.id, line.client_ref, line.status, line.entry_name) == (referral.id, None, "sent", "ESOL drop-in")
    # A referral's client record is not opened to the receiver by it: that needs the record's own consent.
    with pytest.raises(AccessDenied):
        world.records.open(world.ola, world.client.id)
    assert world.log() == [
        ("kim", "create"), ("kim", "referral consent"), ("kim", "referral sent"), ("ola", "referral read"),
        ("kim", "referral read"), ("tutor", "referral read"), ("eli", "refused"), ("ola", "refused")]


def test_after_withdrawal_the_receiver_sees_withdrawn_and_no_details(world):
    r = world.referrals
    referral = world.refer(share_phone=True, client_phone="07700 900123")
    r.accept(world.ola, referral.id, note="Will ring on 07700 900123", now=at(8))
    withdrawn = r.withdraw(world.kim, referral.id, note="found a closer course", now=at(9))
    assert withdrawn.status == "withdrawn" and withdrawn.details.phone == "07700 900123"
    seen = r.open(world.ola, referral.id, now=at(10))
    assert (seen.status, seen.details, seen.may_answer) == ("withdrawn", None, False)
    assert [(e.to_status, e.note) for e in seen.events] == [("sent", None), ("accepted", None), ("withdrawn", None)]
    with pytest.raises(ReferralRefused, match="^this referral was withdrawn on 9 December 2026: there is nothing to "
                                              "answer. The referrer can make a new referral if it is needed again$"):
        r.decline(world.ola, referral.id, "no_capacity")


def test_consent_withdrawn_while_pending_withdraws_the_referral(world):
    r = world.referrals
    referral = world.refer()
    consent_id = r.consents(world.kim, world.client.id)[0].id
    with pytest.raises(AccessDenied, match="^only the organisation that holds the client's record can record consent "
                                           "withdrawn$"):
        r.withdraw_consent(world.ola, consent_id, dt.date(2026, 12, 8))
    consent = r.withdraw_consent(world.kim, consent_id, dt.date(2026, 12, 8), now=at(8))
    assert (consent.withdrawn_on, consent.withdrawn_by, consent.referral_id) == (dt.date(2026, 12, 8), "kim", referral.id)
    seen = r.open(world.ola, referral.id, now=at(9))
    assert (seen.status, seen.details, seen.consent_withdrawn_on) == ("withdrawn", None, dt.date(2026, 12, 8))
    mine = r.open(world.kim, referral.id, now=at(9))
    assert [(e.by, e.to_status, e.note) for e in mine.events][-1] == ("kim", "withdrawn", "The client withdrew their consent.")
    with pytest.raises(ReferralRefused, match="^this referral was withdrawn on 8 December 2026"):
        r.accept(world.ola, referral.id)
    with pytest.raises(ReferralRefused, match="^this referral is closed or its consent was withdrawn"):
        r.letter(world.kim, referral.id)


def test_every_referral_action_in_the_access_log_has_words(world):
    from directory.clients import ACCESS_ACTIONS

    r = world.referrals
    referral = world.refer("kitchen")
    r.letter(world.kim, referral.id)
    r.accept(world.kim, referral.id)
    r.for_client(world.kim, world.client.id)
    r.open(world.kim, referral.id)
    r.withdraw(world.kim, referral.id)
    r.withdraw_consent(world.kim, r.consents(world.kim, world.client.id)[0].id, dt.date(2026, 12, 9))
    actions = {action for _, action in world.log()}
    assert {a for a in actions if a.startswith("referral")} == {a for a in ACCESS_ACTIONS if a.startswith("referral")}
    assert ACCESS_ACTIONS["referral read"] == "Opened a referral"


# -- the inbox and the sign-in notice ------------------------------------------------------------------


def test_the_inbox_puts_new_referrals_first_and_flags_overdue_ones(world):
    r = world.referrals
    old = world.refer(now=at(1))  # Tuesday 1 December: answer by Tuesday 8 December
    declined = world.refer(now=at(2), allow_duplicate=True)
    accepted = world.refer(now=at(3), allow_duplicate=True)
    new = world.refer(now=at(9), allow_duplicate=True)
    r.decline(world.ola, declined.id, "no_capacity", now=at(4))
    r.accept(world.ola, accepted.id, now=at(4, 12))
    inbox = r.inbox(world.ola, now=at(10))
    assert [(s.id, s.status, s.overdue, s.answer_by) for s in inbox] == [
        (new.id, "sent", False, dt.date(2026, 12, 16)),
        (old.id, "no_answer", True, dt.date(2026, 12, 8)),
        (accepted.id, "accepted", False, dt.date(2026, 12, 10)),
        (declined.id, "declined", False, dt.date(2026, 12, 9))]
    assert inbox[3].status_label == "Declined (No capacity)"
    assert r.inbox(world.kim, now=at(10)) == [] and r.inbox(world.eli) == []
    assert [s.id for s in r.sent(world.kim, now=at(10))] == [new.id, accepted.id, declined.id, old.id]
    assert r.sent(world.kim, now=at(10))[0].client_ref == "C-0042"

    college = r.notice(world.ola, now=at(10))
    assert (college.new, college.overdue, college.answered) == (1, 1, 0)
    assert college.message == "You have 2 referrals waiting for your answer (1 overdue): open Referrals."
    keyworker = r.notice(world.kim, since=at(4, 11), now=at(10))
    assert (keyworker.new, keyworker.overdue, keyworker.answered) == (0, 0, 1)
    assert keyworker.message == "You have 1 answer to referrals you made: open Referrals."
    assert r.notice(world.kim, now=at(10)).answered == 2
    assert r.notice(world.eli).message == ""


# -- the plan and reviews ------------------------------------------------------------------------------


def test_a_plan_item_shows_its_referrals_status_and_a_review_keeps_the_outcomes(world):
    r = world.referrals
    action = world.records.add_action(world.kim, world.client.id, "Go to the ESOL drop-in", "client",
                                      dt.date(2026, 12, 17), entry_id="esol")
    referral = world.refer(plan_action_id=action.id)
    other = world.refer("kitchen", now=at(8))
    r.accept(world.ola, referral.id, now=at(8))
    r.start(world.ola, referral.id, now=at(10))
    statuses = r.plan_statuses(world.kim, world.client.id, now=at(11))
    assert list(statuses) == [action.id]
    assert (statuses[action.id].id, statuses[action.id].status, statuses[action.id].status_label) == (
        referral.id, "started", "Started")
    r.link_action(world.kim, other.id, action.id)
    assert r.plan_statuses(world.kim, world.client.id, now=at(11))[action.id].id == other.id  # the latest
    with pytest.raises(AccessDenied, match="^only the organisation that made the referral can link it to the plan$"):
        r.link_action(world.ola, referral.id, None)
    outcomes = r.outcomes_for_review(world.kim, world.client.id, dt.date(2026, 12, 11), now=at(11))
    assert outcomes == [
        {"referral_id": referral.id, "to_organisation": "Teesside College", "service": "ESOL drop-in",
         "category": "basic_skills", "status": "started", "label": "Started", "outcome": None},
        {"referral_id": other.id, "to_organisation": "Tees Community Kitchen",
         "service": "Community kitchen volunteering", "category": "volunteering", "status": "sent", "label": "Sent",
         "outcome": None}]
    review = world.records.add_review(world.kim, world.client.id, dt.date(2026, 12, 11), ["client", "keyworker"],
                                      "stabilising", "amber", 4, "skills", None, [], referral_outcomes=outcomes)
    assert world.records.reviews(world.kim, world.client.id)[0].referral_outcomes == tuple(outcomes) == \
        review.referral_outcomes
    with pytest.raises(AccessDenied):
        r.for_client(world.ola, world.client.id)


# -- erasure and merging -------------------------------------------------------------------------------


def test_erasing_the_client_erases_the_referrals_personal_details_and_keeps_the_counts(world):
    r = world.referrals
    action = world.records.add_action(world.kim, world.client.id, "ESOL drop-in", "client")
    referral = world.refer(share_name=True, share_phone=True, client_name="Sam Taylor", client_phone="07700 900123",
                           plan_action_id=action.id)
    r.decline(world.ola, referral.id, "other", note="Sam is moving to Leeds", now=at(8))
    world.records.erase(world.kim, world.client.id)
    with world.directory.reader() as uow:
        row = uow.referrals.get(referral.id)
        kept = {k: getattr(row, k) for k in ("client_id", "consent_id", "plan_action_id", "reason", "contact_preference",
                                            "availability", "client_name", "client_phone", "status", "decline_reason",
                                            "category", "entry_id")}
        notes = [e.note for e in uow.referrals.events([referral.id])[referral.id]]
        consents = uow.referrals.consents_of(world.client.id)
    assert kept == {"client_id": None, "consent_id": None, "plan_action_id": None, "reason": None,
                    "contact_preference": None, "availability": None, "client_name": None, "client_phone": None,
                    "status": "declined", "decline_reason": "other", "category": "basic_skills", "entry_id": "esol"}
    assert (notes, consents) == ([None, None], [])
    seen = r.open(world.ola, referral.id)
    assert (seen.erased, seen.details, seen.client_ref, seen.status, seen.may_answer) == (True, None, None, "declined", False)
    assert r.open(world.kim, referral.id).details is None
    total = funnel(world.directory, world.cy, dt.date(2026, 12, 1), dt.date(2026, 12, 31), now=at(20)).total
    assert (total.sent, total.declined, total.declined_reasons) == (1, 1, {"other": 1})
    assert world.log()[-1] == ("kim", "erased")


def test_a_receiver_merged_into_another_takes_its_inbox_along(world):
    r = world.referrals
    referral = world.refer()
    orgs.create_organisation(world.directory, OPERATOR, "Tees Valley College", "college")
    orgs.merge(world.directory, world.cy, orgs.organisation_id(world.directory, "Teesside College"),
               orgs.organisation_id(world.directory, "Tees Valley College"))
    ola = Account("ola", "Ola Admissions", "editor", ("Tees Valley College",))  # her membership moved
    [line] = r.inbox(ola, now=at(8))
    assert (line.id, line.to_organisation) == (referral.id, "Tees Valley College")
    assert r.accept(ola, referral.id, now=at(8)).status == "accepted"
    # A consent that named the old name still works: it names the organisation, which moved.
    world.consent("Teesside College")
    assert world.refer(consent=False, allow_duplicate=True).to_organisation == "Tees Valley College"


# -- notifications and the letter ----------------------------------------------------------------------


def test_a_new_referral_is_emailed_to_the_receivers_without_client_details(world, smtp_sink):
    port, received = smtp_sink
    mail = MailSettings(host="127.0.0.1", port=port, sender="rp@partnership.example", starttls=False)
    referral = world.refer(share_name=True, client_name="Sam Taylor")
    told = notify_new_referral(world.directory, referral.id, mail=mail, base_url="https://rp.example/")
    assert (told.sent_to, told.failed, told.skipped) == (("ola@college.example",), (), None)  # editors, not the viewer
    [message] = received
    assert (message["To"], message["Subject"]) == ("ola@college.example", "You have a new referral: sign in to see it")
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert body == ("Teesside College has a new referral in Recovery Pathways.\n\nSign in at https://rp.example to see "
                    "it and answer it.\n\nThis email holds no details about the person referred.\n")
    kitchen = world.refer("kitchen")
    told = notify_new_referral(world.directory, kitchen.id, mail=mail)
    assert told.sent_to == ("pat@kitchen.example",)  # no accounts: the named contact for partners
    assert received[1]["Subject"] == "You have a new referral"
    for message in received:
        text = message.get_payload(decode=True).decode()
        assert not any(secret in text for secret in ("C-0042", "Sam", "English", "Tue and Thu", "Tees Recovery"))
    assert notify_new_referral(world.directory, referral.id, mail=None).skipped == \
        "no SMTP server is set up, so nobody was emailed"


def test_the_referral_letter_holds_only_what_the_consent_allows(world):
    from docx import Document
    from pypdf import PdfReader

    from planner.referral_letter import letter_docx, letter_pdf

    r = world.referrals
    referral = world.refer("kitchen", share_phone=True, client_phone="07700 900123")
    with pytest.raises(AccessDenied, match="^no referral with that number is shared with your organisation$"):
        r.letter(world.ola, referral.id)
    letter = r.letter(world.kim, referral.id, now=at(7, 11))
    assert (letter.number, letter.to_organisation, letter.to_contact, letter.service, letter.referred_by,
            letter.reply_email, letter.client_ref, letter.name, letter.phone, letter.answer_by, letter.shares) == (
        referral.id, "Tees Community Kitchen", "Pat Cook, Volunteer lead", "Community kitchen volunteering",
        "Kim Keyworker", "kim@trs.example", "C-0042", None, "07700 900123", dt.date(2026, 12, 14),
        ("client reference", "reason", "contact preference", "availability", "phone"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(letter))).pages)
    text = " ".join(text.split())
    for expected in ("Referral from Tees Recovery Service", f"Referral number {referral.id}", "Our reference for them: C-0042",
                     "Phone: 07700 900123", "Why: wants to improve their English", "Monday 14 December 2026",
                     "How they would like to be contacted: A phone call"):
        assert expected in text, expected
    assert "Name:" not in text
    document = Document(io.BytesIO(letter_docx(letter)))
    assert document.styles["Normal"].font.size.pt == 16
    assert "When they are available: Tue and Thu mornings" in [p.text for p in document.paragraphs]
    assert world.log()[-1] == ("kim", "referral letter")


# -- the funnel ----------------------------------------------------------------------------------------


def _funnel_fixture(world):
    """Five referrals over two months: November 1 accepted → started → completed (job start, then in work at 13
    weeks), 1 declined (not eligible) after 2 days; December 1 no answer, 1 withdrawn before any answer, 1 to the
    kitchen accepted after 1.5 days."""
    r = world.referrals
    a = world.refer(now=at(2, month=11))  # Monday 2 November
    r.accept(world.ola, a.id, now=at(3, month=11))  # 1 day
    r.start(world.ola, a.id, now=at(9, month=11))
    r.complete(world.ola, a.id, "job_start", now=at(14, month=12))
    r.complete(world.ola, a.id, "in_work_13_weeks", now=at(15, month=3, year=2027))
    b = world.refer(now=at(16, month=11), allow_duplicate=True)
    r.decline(world.ola, b.id, "not_eligible", now=at(18, month=11))  # 2 days
    world.refer(now=at(1), allow_duplicate=True)  # never answered: past 8 December
    d = world.refer(now=at(7), allow_duplicate=True)
    r.withdraw(world.kim, d.id, now=at(8))
    e = world.refer("kitchen", now=at(7))
    r.accept(world.kim, e.id, now=at(8, 22))  # 1.5 days, on the partner's behalf


def test_the_funnel_counts_by_month_organisation_and_category(world):
    _funnel_fixture(world)
    with pytest.raises(AccessDenied, match="^only coordinators can see the referral funnel$"):
        funnel(world.directory, world.kim, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    result = funnel(world.directory, world.cy, dt.date(2026, 11, 1), dt.date(2026, 12, 31), now=at(1, month=4, year=2027))
    rows = [(r.month, r.from_organisation, r.to_organisation, r.category, r.sent, r.accepted, r.started, r.completed,
             r.job_start, r.in_work_13_weeks, r.declined, r.withdrawn, r.no_answer, r.no_answer_rate,
             r.median_days_to_answer, r.declined_reasons, r.outcomes) for r in result.rows]
    assert rows == [
        ("2026-11", "Tees Recovery Service", "Teesside College", "basic_skills", 2, 1, 1, 1, 1, 1, 1, 0, 0, 0.0, 1.5,
         {"not_eligible": 1}, {"in_work_13_weeks": 1}),
        ("2026-12", "Tees Recovery Service", "Tees Community Kitchen", "volunteering", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0.0,
         1.5, {}, {}),
        ("2026-12", "Tees Recovery Service", "Teesside College", "basic_skills", 2, 0, 0, 0, 0, 0, 0, 1, 1, 0.5, None,
         {}, {})]
    t = result.total
    assert (t.sent, t.accepted, t.started, t.completed, t.job_start, t.in_work_13_weeks, t.declined, t.withdrawn,
            t.no_answer, t.no_answer_rate, t.median_days_to_answer, t.declined_reasons) == (
        5, 2, 1, 1, 1, 1, 1, 1, 1, 0.2, 1.5, {"not_eligible": 1})
    by_receiver = funnel(world.directory, world.cy, dt.date(2026, 11, 1), dt.date(2026, 12, 31), by=["to_organisation"],
                         now=at(1, month=4, year=2027))
    assert [(r.month, r.to_organisation, r.sent, r.accepted, r.median_days_to_answer) for r in by_receiver.rows] == [
        (None, "Tees Community Kitchen", 1, 1, 1.5), (None, "Teesside College", 4, 1, 1.5)]
    # Only December; and no client identifiers anywhere in it.
    december = funnel(world.directory, world.cy, dt.date(2026, 12, 1), dt.date(2026, 12, 31), by=["month"],
                      now=at(1, month=4, year=2027))
    assert [(r.month, r.sent, r.no_answer, r.withdrawn) for r in december.rows] == [("2026-12", 3, 1, 1)]
    assert "C-0042" not in str(result.to_dict()) and "kim" not in str(result.to_dict())
    with pytest.raises(ReferralRefused, match="^group by any of month, from_organisation, to_organisation, category$"):
        funnel(world.directory, world.cy, dt.date(2026, 11, 1), dt.date(2026, 12, 31), by=["client"])
    with pytest.raises(ReferralRefused, match="^the end date is before the start date: swap them$"):
        funnel(world.directory, world.cy, dt.date(2026, 12, 1), dt.date(2026, 11, 1))

    lines = list(csv.reader(io.StringIO(funnel_csv(by_receiver).decode("utf-8-sig"))))
    assert lines == [
        ["Referred to", "Sent", "Accepted", "Waiting list", "Started", "Completed", "Job start", "In work at 13 weeks",
         "Declined", "Withdrawn", "No answer", "No answer (%)", "Median days to first answer", "declined: No capacity",
         "declined: Not eligible", "declined: Could not contact them", "declined: The client declined", "declined: Other"],
        ["Tees Community Kitchen", "1", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0.0", "1.5", "0", "0", "0", "0", "0"],
        ["Teesside College", "4", "1", "0", "1", "1", "1", "1", "1", "1", "1", "25.0", "1.5", "0", "1", "0", "0", "0"],
        ["All", "5", "2", "0", "1", "1", "1", "1", "1", "1", "1", "20.0", "1.5", "0", "1", "0", "0", "0"]]


def test_funnel_cells_are_spreadsheet_safe(world):
    orgs.create_organisation(world.directory, OPERATOR, "=HYPERLINK(1)")
    create_user(world.directory, "hal", "Hal", "editor", organisations=("=HYPERLINK(1)",))
    records = world.records
    client = records.create(Account("hal", "Hal", "editor", ("=HYPERLINK(1)",)), "H-1", PROFILE)
    hal = Account("hal", "Hal", "editor", ("=HYPERLINK(1)",))
    world.referrals.record_consent(hal, client.id, "Teesside College", dt.date(2026, 12, 7))
    world.referrals.refer(hal, client.id, entry_id="esol", now=MON_7_DEC, **REFERRAL)
    result = funnel(world.directory, world.cy, dt.date(2026, 12, 1), dt.date(2026, 12, 31), by=["from_organisation"])
    assert list(csv.reader(io.StringIO(funnel_csv(result).decode("utf-8-sig"))))[1][0] == "'=HYPERLINK(1)"
