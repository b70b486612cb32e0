"""Referrals that close the loop (issue 17): a keyworker refers a client to a partner with the client's
consent, the partner answers, outcomes come back to the plan, and coordinators see the funnel.

The rules, all here (the rows are read and written through `uow.referrals` and `uow.settings`):

- **Consent first.** Before a referral is sent the referring organisation records the client's consent
  to *this* referral (`Referrals.record_consent`): which organisation, what it may see, the date and who
  recorded it. The minimum is always the client reference, the reason, the contact preference and the
  availability; the name and the phone only when the client agrees, typed for this referral and stored
  on the referral alone (never in the client record or the directory). A consent is used by one
  referral. With none, `refer` is refused (`NoConsent`, saying what to do). Withdrawing it is recorded,
  withdraws the referral if it is still open, and from then the receiver sees "withdrawn" and no details.
- **Statuses** (HL7 Gravity Project / FHIR Task codes in plain English, `STATUSES`): sent → accepted |
  declined (a reason from `DECLINE_REASONS`, "other" with a note) | waiting list (an expected date) →
  started → completed (an outcome from `OUTCOMES`; "moved on" names the next step and "left early" the
  reason, in the note) | withdrawn by the referrer | no answer. "No answer" is not stored: a referral
  still "sent" past the `no_answer_days()`-th working day after it was sent (England and Wales bank
  holidays skipped, directory/working_days.py) reads as "no answer" and is flagged overdue; a late
  answer is still taken. `MOVES` lists every allowed change.
- **Who.** Only editors of the receiving organisation answer, start and complete; only editors of the
  referring organisation withdraw. For a partner with no editors in the app, the referrer prints the
  letter (`letter`) and records the partner's answer on its behalf (the event says so). An answer after
  withdrawal is refused. Every change is an event: who, when, from and to, and the reason, date,
  outcome or note.
- **What each side sees.** The referring organisation sees everything about its referrals. The
  receiving organisation sees only what the consent allows (`ReferralRecord.details`), and after a
  withdrawal, of the referral or of the consent, only "withdrawn" with no details and no notes.
  Opening a referral, either side, goes to the client access log (directory/clients.py); so does every
  change, the letter and the plan's statuses. Lists (`inbox`, `sent`) hold no client details: the
  inbox shows no reference, reason or name, so it is not logged.
- **Erasure.** `ClientRecords.erase` calls `erase_client` (here): the referrals lose every personal
  detail (client, reason, contact, name, phone, notes) and their consents go; what the funnel counts stays.
- **Funnel** (`funnel`, `funnel_csv`): anonymous counts for coordinators by month, referring and receiving
  organisation and category; no client identifiers.

Times: every function takes `now` (default: the clock) so tests can pin dates; days are UK days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from directory import fields as F
from directory.accounts import COORDINATOR, EDITOR, Account, can_edit, is_coordinator
from directory.codes import CATEGORIES
from directory.errors import (
    AccessDenied,
    DuplicateReferral,
    NoConsent,
    NotFound,
    RecordChanged,
    ReferralRefused,
    ValidationError,
)
from directory.io.spreadsheet import spreadsheet_safe
from directory.models import Client, Referral, ReferralConsent, ReferralEvent, utcnow
from directory.schedule import describe_day_of_year
from directory.store import as_utc, organisation_key
from directory.validation import parse_cell
from directory.working_days import add_working_days, uk_date

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.mail import MailSettings
    from directory.unit_of_work import UnitOfWork
    from planner.referral_letter import ReferralLetter

__all__ = [
    "CONTACT_PREFERENCES", "DECLINE_REASONS", "DEFAULT_NO_ANSWER_DAYS", "Funnel", "FunnelRow", "MOVES",
    "Notified", "OUTCOMES", "ReferralConsentRecord", "ReferralDetails", "ReferralEventRecord", "ReferralNotice",
    "ReferralRecord", "ReferralSummary", "Referrals", "STATUSES", "funnel", "funnel_csv", "no_answer_days",
    "notify_new_referral", "set_no_answer_days",
]

# -- the vocabulary ----------------------------------------------------------------------------------

STATUSES = {
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "waiting_list": "On the waiting list",
    "started": "Started",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "no_answer": "No answer",  # worked out on reading: still "sent" past the working days allowed
}
DECLINE_REASONS = {
    "no_capacity": "No capacity",
    "not_eligible": "Not eligible",
    "could_not_contact": "Could not contact them",
    "client_declined": "The client declined",
    "other": "Other",
}
OUTCOMES = {
    "finished": "Finished",
    "moved_on": "Moved on to a next step",
    "job_start": "Started a job",
    "in_work_13_weeks": "In work after 13 weeks",
    "left_early": "Left early",
}
CONTACT_PREFERENCES = {
    "through_referrer": "Through the worker who referred them",
    "phone": "A phone call",
    "text": "A text message",
    "email": "Email",
    "letter": "A letter",
    "in_person": "In person",
}
# What a referral always shares, and what only with the client's agreement (the words the consent shows).
MINIMUM_SHARED = ("client reference", "reason", "contact preference", "availability")
ANSWERS = ("accepted", "declined", "waiting_list")
OPEN = ("sent", "accepted", "waiting_list", "started")  # stored statuses that are not final
FINAL = ("declined", "completed", "withdrawn")
# Every change allowed: (from, to) -> who makes it ("receiver" or "referrer"). From "no_answer" as from "sent".
MOVES: dict[tuple[str, str], str] = {
    **{(f, t): "receiver" for f in ("sent", "no_answer") for t in ANSWERS},
    ("accepted", "waiting_list"): "receiver", ("accepted", "started"): "receiver", ("accepted", "declined"): "receiver",
    ("waiting_list", "accepted"): "receiver", ("waiting_list", "started"): "receiver",
    ("waiting_list", "declined"): "receiver",
    ("started", "completed"): "receiver",
    ("completed", "completed"): "receiver",  # a later outcome: a job start, then in work after 13 weeks
    **{(f, "withdrawn"): "referrer" for f in ("sent", "no_answer", "accepted", "waiting_list", "started")},
}
DEFAULT_NO_ANSWER_DAYS = 5
MAX_NO_ANSWER_DAYS = 30
NO_ANSWER_SETTING = "referral_no_answer_working_days"
MAX_REASON = 1000
MAX_NOTE = 1000
MAX_AVAILABILITY = 300
MAX_NAME = 200
_NOT_SHARED = "no referral with that number is shared with your organisation"


# -- records (what pages get) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralConsentRecord:
    id: int
    client_id: int
    organisation: str  # whom the client agreed to refer them to
    shares: tuple[str, ...]  # in words: MINIMUM_SHARED, then "name" and "phone" when agreed
    share_name: bool
    share_phone: bool
    given_on: dt.date
    recorded_by: str
    withdrawn_on: dt.date | None
    withdrawn_by: str | None
    referral_id: int | None  # the referral that used it (None: not used yet)


@dataclass(frozen=True)
class ReferralEventRecord:
    at: dt.datetime
    by: str  # username
    by_name: str
    on_behalf: bool  # the referrer recorded the partner's answer
    from_status: str | None  # None for the first ("sent")
    to_status: str
    decline_reason: str | None
    outcome: str | None
    expected_on: dt.date | None
    note: str | None

    @property
    def label(self) -> str:
        """The change in words, e.g. "Declined: No capacity" or "Completed: Started a job"."""
        words = STATUSES[self.to_status]
        if self.decline_reason:
            words += f": {DECLINE_REASONS[self.decline_reason]}"
        if self.outcome:
            words += f": {OUTCOMES[self.outcome]}"
        if self.expected_on:
            words += f" (a place expected by {describe_day_of_year(self.expected_on)})"
        return words


@dataclass(frozen=True)
class ReferralDetails:
    """About the client: what the consent allows the receiver to see (the referrer sees all of it)."""

    client_ref: str
    reason: str
    contact_preference: str  # a CONTACT_PREFERENCES code
    availability: str | None
    name: str | None  # only when the consent shares it
    phone: str | None

    @property
    def contact_preference_label(self) -> str:
        return CONTACT_PREFERENCES.get(self.contact_preference, self.contact_preference)


@dataclass(frozen=True)
class ReferralSummary:
    """One line of a list (the inbox, the referrer's sent list, the plan): no client details in the inbox."""

    id: int
    side: str  # "referrer" or "receiver": which side the reader is on
    client_ref: str | None  # the referrer's own reference; None in the receiver's inbox and once erased
    client_id: int | None  # the referrer's side only
    from_organisation: str
    to_organisation: str
    entry_id: str | None
    entry_name: str | None
    category: str | None
    status: str  # a STATUSES code, "no_answer" included
    sent_at: dt.datetime
    answer_by: dt.date
    overdue: bool  # no answer within the working days allowed
    status_at: dt.datetime
    decline_reason: str | None
    expected_on: dt.date | None
    outcome: str | None
    plan_action_id: int | None  # the referrer's side only
    partner_has_accounts: bool  # False: the referrer prints the letter and records the answer

    @property
    def status_label(self) -> str:
        words = STATUSES[self.status]
        if self.status == "declined" and self.decline_reason:
            words += f" ({DECLINE_REASONS[self.decline_reason]})"
        if self.status == "completed" and self.outcome:
            words += f" ({OUTCOMES[self.outcome]})"
        if self.status == "waiting_list" and self.expected_on:
            words += f" (a place expected by {describe_day_of_year(self.expected_on)})"
        return words


@dataclass(frozen=True)
class ReferralRecord(ReferralSummary):
    """One referral opened: the summary, the history, what the consent shares and (if allowed) the details."""

    referred_by: str = ""  # username
    referred_by_name: str = ""
    shares: tuple[str, ...] = ()
    consent_given_on: dt.date | None = None
    consent_withdrawn_on: dt.date | None = None
    details: ReferralDetails | None = None  # None for the receiver after withdrawal, and once erased
    events: tuple[ReferralEventRecord, ...] = ()
    erased: bool = False
    may_answer: bool = False  # the reader may accept, decline, start or complete it (here or on behalf)
    may_withdraw: bool = False


@dataclass(frozen=True)
class ReferralNotice:
    """What the sign-in notice says: for the receiving side, new and overdue referrals; for the
    referring side, how many of its referrals the receivers changed since `since`."""

    new: int
    overdue: int
    answered: int

    @property
    def message(self) -> str:
        parts = []
        if self.new or self.overdue:
            waiting = self.new + self.overdue
            parts.append(f"{waiting} referral{'s' if waiting != 1 else ''} waiting for your answer"
                         + (f" ({self.overdue} overdue)" if self.overdue else ""))
        if self.answered:
            parts.append(f"{self.answered} answer{'s' if self.answered != 1 else ''} to referrals you made")
        return ("You have " + " and ".join(parts) + ": open Referrals.") if parts else ""


@dataclass(frozen=True)
class Notified:
    """Who was told of a new referral by email (no client details in it)."""

    sent_to: tuple[str, ...]
    failed: tuple[str, ...] = ()
    skipped: str | None = None  # why nobody was emailed: no SMTP server, or nobody with an address


# -- settings ---------------------------------------------------------------------------------------


def no_answer_days(directory: Directory) -> int:
    """Working days a receiver has to answer before a referral reads as "no answer" (default 5)."""
    with directory.reader() as uow:
        return _no_answer_days(uow)


def _no_answer_days(uow: UnitOfWork) -> int:
    setting = uow.settings.get(NO_ANSWER_SETTING)
    return int(setting.value.get("days", DEFAULT_NO_ANSWER_DAYS)) if setting else DEFAULT_NO_ANSWER_DAYS


def set_no_answer_days(directory: Directory, account: Account, days: int, *, now: dt.datetime | None = None) -> int:
    """Coordinators set the working days allowed for an answer (1 to 30); the change is in the admin audit log."""
    if not is_coordinator(account):
        raise AccessDenied("only a coordinator can change how long partners have to answer a referral")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_NO_ANSWER_DAYS:
        raise ReferralRefused(f"give a whole number of working days from 1 to {MAX_NO_ANSWER_DAYS}", "days")
    now = now or utcnow()
    with directory.unit_of_work() as uow:
        before = _no_answer_days(uow)
        uow.settings.put(NO_ANSWER_SETTING, {"days": days}, account.username, now)
        if before != days:
            uow.admin_audit.add(account.username, "setting changed", "referral answer time",
                                f"{before} → {days} working days", now)
        uow.commit()
    return days


# -- the rules ----------------------------------------------------------------------------------------


def _clean(text: str | None, limit: int, what: str, field_name: str) -> str | None:
    text = " ".join(F.without_bidi_controls(str(text or "")).split()) or None
    if text and len(text) > limit:
        raise ReferralRefused(f"{what}: use at most {limit} characters", field_name)
    return text


def _shares(share_name: bool, share_phone: bool) -> tuple[str, ...]:
    return MINIMUM_SHARED + (("name",) if share_name else ()) + (("phone",) if share_phone else ())


def _answer_by(sent_at: dt.datetime, days: int) -> dt.date:
    return add_working_days(uk_date(sent_at), days)


def _status(referral: Referral, days: int, now: dt.datetime) -> str:
    """The status as read: "no_answer" for one still "sent" past its answer-by day."""
    if referral.status == "sent" and uk_date(now) > _answer_by(referral.sent_at, days):
        return "no_answer"
    return referral.status


class Referrals:
    def __init__(self, directory: Directory):
        self.directory = directory

    # -- who is who ------------------------------------------------------------------------

    def _my_ids(self, uow: UnitOfWork, account: Account) -> set[int]:
        return uow.clients.organisation_ids(organisation_key(n) for n in account.organisations)

    def _side(self, uow: UnitOfWork, account: Account, referral: Referral) -> str | None:
        mine = self._my_ids(uow, account)
        if referral.from_organisation_id in mine:
            return "referrer"
        if referral.to_organisation_id in mine:
            return "receiver"
        return None

    def _partner_has_accounts(self, uow: UnitOfWork, organisation_id: int) -> bool:
        return bool(uow.referrals.acting_members(organisation_id, (EDITOR, COORDINATOR)))

    def _log(self, uow: UnitOfWork, referral: Referral, account: Account, action: str) -> None:
        if referral.client_id is not None:
            uow.clients.log(uow.clients.get(referral.client_id), account.username, action)

    def _referral(self, uow: UnitOfWork, account: Account, referral_id: int, *, lock: bool = False) -> tuple[Referral, str]:
        referral = uow.referrals.get(referral_id, lock=lock)
        if referral is None:
            raise AccessDenied(_NOT_SHARED)
        side = self._side(uow, account, referral)
        if side is None:
            # The same answer as for a number that does not exist; the client's holder sees the attempt.
            client_id = referral.client_id
            uow.rollback()
            if client_id is not None:
                uow.clients.log(uow.clients.get(client_id), account.username, "refused")
                uow.commit()
            raise AccessDenied(_NOT_SHARED)
        return referral, side

    def _holder_client(self, uow: UnitOfWork, account: Account, client_id: int, action: str, doing: str) -> Client:
        """The client, if the account's organisation holds the record (the only side that refers)."""
        client = uow.clients.get(client_id)
        # The same answer for a number that does not exist, so it gives nothing away.
        refusal = f"only the organisation that holds the client's record can {doing}"
        if client is None:
            raise AccessDenied(refusal)
        if client.organisation_id not in self._my_ids(uow, account):
            uow.rollback()
            uow.clients.log(client, account.username, "refused")
            uow.commit()
            raise AccessDenied(refusal)
        uow.clients.log(client, account.username, action)
        return client

    def _require_editor(self, account: Account, doing: str) -> None:
        if not can_edit(account):
            raise AccessDenied(f"{account.display_name} can view but not {doing}: ask a coordinator for editor access")

    # -- consent ---------------------------------------------------------------------------

    def record_consent(self, account: Account, client_id: int, organisation: str, given_on: dt.date, *,
                       share_name: bool = False, share_phone: bool = False,
                       now: dt.datetime | None = None) -> ReferralConsentRecord:
        """The client agreed to be referred to `organisation`, sharing the minimum (MINIMUM_SHARED) and, if they
        agreed, their name and phone. Recorded by the organisation holding the record, before `refer`."""
        self._require_editor(account, "record consent")
        now = now or utcnow()
        with self.directory.unit_of_work() as uow:
            client = self._holder_client(uow, account, client_id, "referral consent", "record consent to a referral")
            from directory.organisations import existing

            partner = existing(uow, organisation)  # or once so called; else Refused naming the closest
            consent = uow.referrals.add_consent(
                client_id=client.id, organisation_id=partner.id, share_name=bool(share_name),
                share_phone=bool(share_phone), given_on=given_on, recorded_by=account.username, recorded_at=now)
            record = _consent_record(consent, partner.name, None)
            uow.commit()
        return record

    def consents(self, account: Account, client_id: int) -> list[ReferralConsentRecord]:
        """Every referral consent of the client, oldest first (the holding organisation only)."""
        with self.directory.unit_of_work() as uow:
            self._holder_client(uow, account, client_id, "referrals read", "see its referral consents")
            found = [_consent_record(c, name, used) for c, name, used in uow.referrals.consents_of(client_id)]
            uow.commit()
        return found

    def withdraw_consent(self, account: Account, consent_id: int, on: dt.date, *, note: str | None = None,
                         now: dt.datetime | None = None) -> ReferralConsentRecord:
        """The client withdrew this consent: recorded, and its referral (if still open) is withdrawn, so the
        receiver sees "withdrawn" and no details from now on."""
        self._require_editor(account, "record consent withdrawn")
        now = now or utcnow()
        note = _clean(note, MAX_NOTE, "note", "note")
        with self.directory.unit_of_work() as uow:
            consent = uow.referrals.consent(consent_id)
            if consent is None:
                raise NotFound("there is no such consent: reload the page")
            self._holder_client(uow, account, consent.client_id, "referral consent withdrawn",
                                "record consent withdrawn")
            if consent.withdrawn_on is None:
                consent.withdrawn_on, consent.withdrawn_by, consent.withdrawn_at = on, account.username, now
                referral = uow.referrals.referral_using(consent.id)
                if referral is not None and referral.status in OPEN:
                    days = _no_answer_days(uow)
                    self._move(uow, account, referral, _status(referral, days, now), "withdrawn", now,
                               note=note or "The client withdrew their consent.")
            uow.flush()
            partner = uow.organisations.by_id(consent.organisation_id)
            used = uow.referrals.referral_using(consent.id)
            record = _consent_record(consent, partner.name, used.id if used else None)
            uow.commit()
        return record

    # -- referring -------------------------------------------------------------------------

    def refer(self, account: Account, client_id: int, *, reason: str, contact_preference: str,
              availability: str | None = None, entry_id: str | None = None, to_organisation: str | None = None,
              client_name: str | None = None, client_phone: str | None = None, plan_action_id: int | None = None,
              allow_duplicate: bool = False, now: dt.datetime | None = None) -> ReferralRecord:
        """Send a referral to the organisation behind `entry_id` (or to `to_organisation`), using the client's
        unused consent naming that organisation. Refused: no consent (`NoConsent`), a name or phone the
        consent does not allow, an open referral of the client to the same service (`DuplicateReferral`,
        unless `allow_duplicate`)."""
        self._require_editor(account, "make referrals")
        now = now or utcnow()
        reason = _clean(reason, MAX_REASON, "reason", "reason")
        if not reason:
            raise ReferralRefused("say why you are referring them, e.g. 'wants to improve their English to "
                                  "apply for warehouse work'", "reason")
        if contact_preference not in CONTACT_PREFERENCES:
            raise ReferralRefused(f"contact preference: choose one of {', '.join(CONTACT_PREFERENCES)}",
                                  "contact_preference")
        availability = _clean(availability, MAX_AVAILABILITY, "availability", "availability")
        client_name = _clean(client_name, MAX_NAME, "name", "client_name")
        client_phone = _phone(client_phone)
        if not entry_id and not to_organisation:
            raise ReferralRefused("choose the service (an entry) or the organisation to refer them to", "entry_id")
        with self.directory.unit_of_work() as uow:
            client = self._holder_client(uow, account, client_id, "referral sent", "refer the client")
            entry = None
            if entry_id:
                entry = uow.referrals.entry(entry_id)
                if entry is None or entry.archived:
                    raise ReferralRefused("that service is not in the directory any more: choose another", "entry_id")
                partner = uow.organisations.by_id(entry.organisation_id)
                if to_organisation and organisation_key(to_organisation) != partner.name_key:
                    raise ReferralRefused(f"{entry.name} is run by {partner.name}, not {to_organisation}: refer to "
                                          f"{partner.name}", "to_organisation")
            else:
                from directory.organisations import existing

                partner = existing(uow, to_organisation)
            consent = uow.referrals.unused_consent(client.id, partner.id)
            if consent is None:
                raise NoConsent(f"first record {client.ref}'s consent to be referred to {partner.name}: ask them, and "
                                f"record what {partner.name} may see (their reference, the reason, how to contact them "
                                "and when they are free; their name and phone only if they agree) and the date")
            if client_name and not consent.share_name:
                raise ReferralRefused(f"{client.ref} has not agreed to share their name with {partner.name}: leave it "
                                      "out, or record their consent again with their name", "client_name")
            if client_phone and not consent.share_phone:
                raise ReferralRefused(f"{client.ref} has not agreed to share their phone number with {partner.name}: "
                                      "leave it out, or record their consent again with their phone", "client_phone")
            if plan_action_id is not None:
                action = uow.clients.action(plan_action_id)
                if action is None or action.client_id != client.id:
                    raise NotFound("that action is not in this client's plan")
            if not allow_duplicate:
                already = uow.referrals.open_to(client.id, partner.id, entry.id if entry else None, OPEN)
                if already:
                    first = already[0]
                    service = entry.name if entry else partner.name
                    raise DuplicateReferral(
                        f"{client.ref} already has an open referral to {service} (number {first.id}, sent "
                        f"{describe_day_of_year(uk_date(as_utc(first.sent_at)))}): open that one, or send this one as well if "
                        "a second referral is meant", tuple(r.id for r in already))
            referral = uow.referrals.add(
                client_id=client.id, consent_id=consent.id, plan_action_id=plan_action_id,
                from_organisation_id=client.organisation_id, referred_by=account.username,
                to_organisation_id=partner.id, entry_id=entry.id if entry else None,
                category=entry.category if entry else None, reason=reason, contact_preference=contact_preference,
                availability=availability, client_name=client_name, client_phone=client_phone,
                status="sent", status_at=now, sent_at=now)
            uow.referrals.add_event(referral.id, at=now, by=account.username, from_status=None, to_status="sent")
            uow.flush()
            record = self._record(uow, account, referral, "referrer", now)
            uow.commit()
        return record

    def link_action(self, account: Account, referral_id: int, plan_action_id: int | None) -> None:
        """Link the referral to an action of the client's plan (None: unlink). The referring side only."""
        self._require_editor(account, "change the plan")
        with self.directory.unit_of_work() as uow:
            referral, side = self._referral(uow, account, referral_id)
            if side != "referrer" or referral.client_id is None:
                raise AccessDenied("only the organisation that made the referral can link it to the plan")
            if plan_action_id is not None:
                action = uow.clients.action(plan_action_id)
                if action is None or action.client_id != referral.client_id:
                    raise NotFound("that action is not in this client's plan")
            referral.plan_action_id = plan_action_id
            self._log(uow, referral, account, "plan changed")
            uow.commit()

    # -- reading ---------------------------------------------------------------------------

    def open(self, account: Account, referral_id: int, *, now: dt.datetime | None = None) -> ReferralRecord:
        """The referral as this side may see it; logged in the client access log ("referral read")."""
        now = now or utcnow()
        with self.directory.unit_of_work() as uow:
            referral, side = self._referral(uow, account, referral_id)
            self._log(uow, referral, account, "referral read")
            record = self._record(uow, account, referral, side, now)
            uow.commit()
        return record

    def inbox(self, account: Account, *, now: dt.datetime | None = None) -> list[ReferralSummary]:
        """Referrals to the account's organisations: waiting for an answer first (newest first, overdue
        ones flagged), then those in progress, then closed ones, each by latest change. No client details."""
        now = now or utcnow()
        with self.directory.reader() as uow:
            days = _no_answer_days(uow)
            found = [self._summary(uow, r, "receiver", days, now)
                     for r in uow.referrals.to_organisations(self._my_ids(uow, account))]

        def order(s: ReferralSummary):
            group = 0 if s.status in ("sent", "no_answer") else 1 if s.status in OPEN else 2
            moment = s.sent_at if group == 0 else s.status_at
            return (group, -moment.timestamp(), -s.id)

        return sorted(found, key=order)

    def sent(self, account: Account, *, now: dt.datetime | None = None) -> list[ReferralSummary]:
        """Referrals made by the account's organisations (their own client references), newest first."""
        now = now or utcnow()
        with self.directory.reader() as uow:
            days = _no_answer_days(uow)
            return [self._summary(uow, r, "referrer", days, now)
                    for r in uow.referrals.from_organisations(self._my_ids(uow, account))]

    def notice(self, account: Account, since: dt.datetime | None = None, *,
               now: dt.datetime | None = None) -> ReferralNotice:
        """Counts for the sign-in notice: waiting for the account's organisations to answer (new, overdue),
        and changes the receivers made since `since` (e.g. the last sign-in) to referrals they made."""
        now = now or utcnow()
        with self.directory.reader() as uow:
            days = _no_answer_days(uow)
            mine = self._my_ids(uow, account)
            statuses = [_status(r, days, now) for r in uow.referrals.to_organisations(mine)
                        if r.from_organisation_id not in mine]
            made = [r for r in uow.referrals.from_organisations(mine) if r.to_organisation_id not in mine]
            events = uow.referrals.events(r.id for r in made)
            since = as_utc(since) if since else None
            # Changes the receivers made themselves (not answers the referrer recorded on a partner's behalf).
            answered = sum(1 for r in made if any(
                e.to_status not in ("sent", "withdrawn") and not e.on_behalf
                and (since is None or as_utc(e.at) > since) for e in events[r.id]))
        return ReferralNotice(statuses.count("sent"), statuses.count("no_answer"), answered)

    def for_client(self, account: Account, client_id: int, *, now: dt.datetime | None = None) -> list[ReferralSummary]:
        """The client's referrals, oldest first, for the plan and review pages (the holding organisation;
        logged "referrals read")."""
        now = now or utcnow()
        with self.directory.unit_of_work() as uow:
            self._holder_client(uow, account, client_id, "referrals read", "see its referrals")
            days = _no_answer_days(uow)
            found = [self._summary(uow, r, "referrer", days, now) for r in uow.referrals.of_client(client_id)]
            uow.commit()
        return found

    def plan_statuses(self, account: Account, client_id: int, *, now: dt.datetime | None = None) -> dict[int, ReferralSummary]:
        """plan action id -> its latest referral, for showing each plan item's referral status."""
        return {s.plan_action_id: s for s in self.for_client(account, client_id, now=now) if s.plan_action_id}

    def outcomes_for_review(self, account: Account, client_id: int, on: dt.date, *,
                            now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Where each referral stood on `on`, JSON-ready, to keep in a review (ClientRecords.add_review's
        `referral_outcomes`): [{"referral_id", "to_organisation", "service", "category", "status", "label",
        "outcome"}]. A started course shows as progress before any job."""
        found = []
        for summary in self.for_client(account, client_id, now=now):
            if uk_date(summary.sent_at) > on:
                continue
            found.append({"referral_id": summary.id, "to_organisation": summary.to_organisation,
                          "service": summary.entry_name, "category": summary.category, "status": summary.status,
                          "label": summary.status_label, "outcome": summary.outcome})
        return found

    # -- answering and changing ------------------------------------------------------------

    def accept(self, account: Account, referral_id: int, *, note: str | None = None,
               seen_status: str | None = None, now: dt.datetime | None = None) -> ReferralRecord:
        return self._change(account, referral_id, "accepted", seen_status, now, note=note)

    def decline(self, account: Account, referral_id: int, reason: str, *, note: str | None = None,
                seen_status: str | None = None, now: dt.datetime | None = None) -> ReferralRecord:
        if reason not in DECLINE_REASONS:
            raise ReferralRefused(f"reason: choose one of {', '.join(DECLINE_REASONS)}", "reason")
        if reason == "other" and not (note or "").strip():
            raise ReferralRefused("say why in the note when the reason is 'other'", "note")
        return self._change(account, referral_id, "declined", seen_status, now, note=note, decline_reason=reason)

    def waiting_list(self, account: Account, referral_id: int, expected_on: dt.date, *, note: str | None = None,
                     seen_status: str | None = None, now: dt.datetime | None = None) -> ReferralRecord:
        if not isinstance(expected_on, dt.date):
            raise ReferralRefused("give the date a place is expected", "expected_on")
        return self._change(account, referral_id, "waiting_list", seen_status, now, note=note, expected_on=expected_on)

    def start(self, account: Account, referral_id: int, *, note: str | None = None,
              seen_status: str | None = None, now: dt.datetime | None = None) -> ReferralRecord:
        return self._change(account, referral_id, "started", seen_status, now, note=note)

    def complete(self, account: Account, referral_id: int, outcome: str, *, note: str | None = None,
                 seen_status: str | None = None, now: dt.datetime | None = None) -> ReferralRecord:
        """Completed with an outcome; on a completed referral, a later outcome (e.g. in work after 13 weeks)."""
        if outcome not in OUTCOMES:
            raise ReferralRefused(f"outcome: choose one of {', '.join(OUTCOMES)}", "outcome")
        if outcome == "moved_on" and not (note or "").strip():
            raise ReferralRefused("name the next step they moved on to, in the note", "note")
        if outcome == "left_early" and not (note or "").strip():
            raise ReferralRefused("say why they left early, in the note", "note")
        return self._change(account, referral_id, "completed", seen_status, now, note=note, outcome=outcome)

    def withdraw(self, account: Account, referral_id: int, *, note: str | None = None,
                 seen_status: str | None = None, now: dt.datetime | None = None) -> ReferralRecord:
        """The referring organisation withdraws the referral (the receiver then sees no details)."""
        return self._change(account, referral_id, "withdrawn", seen_status, now, note=note)

    def _change(self, account: Account, referral_id: int, to: str, seen_status: str | None,
                now: dt.datetime | None, **details: Any) -> ReferralRecord:
        self._require_editor(account, "change referrals")
        now = now or utcnow()
        with self.directory.unit_of_work() as uow:
            referral, side = self._referral(uow, account, referral_id, lock=True)
            days = _no_answer_days(uow)
            current = _status(referral, days, now)
            if seen_status is not None and seen_status != current and not (
                    {seen_status, current} <= {"sent", "no_answer"}):
                raise RecordChanged(f"this referral was changed to '{STATUSES[current]}' after you opened it: reload "
                                    "it to see what changed, then try again")
            who = MOVES.get((current, to))
            if who is None:
                raise ReferralRefused(_not_allowed(referral, current, to, uow))
            on_behalf = False
            if who == "receiver" and side != "receiver":
                if self._partner_has_accounts(uow, referral.to_organisation_id):
                    partner = uow.organisations.by_id(referral.to_organisation_id).name
                    raise AccessDenied(f"only {partner} can answer this referral: its people answer in the app")
                on_behalf = True  # a partner with no accounts: the referrer records its answer
            if who == "referrer" and side != "referrer":
                raise AccessDenied("only the organisation that made the referral can withdraw it; to turn it down, "
                                   "decline it with a reason")
            self._move(uow, account, referral, current, to, now, on_behalf=on_behalf, **details)
            self._log(uow, referral, account, "referral withdrawn" if to == "withdrawn" else "referral changed")
            uow.flush()
            record = self._record(uow, account, referral, side, now)
            uow.commit()
        return record

    def _move(self, uow: UnitOfWork, account: Account, referral: Referral, current: str, to: str,
              now: dt.datetime, *, on_behalf: bool = False, note: str | None = None,
              decline_reason: str | None = None, outcome: str | None = None,
              expected_on: dt.date | None = None) -> None:
        note = _clean(note, MAX_NOTE, "note", "note")
        uow.referrals.add_event(referral.id, at=now, by=account.username, on_behalf=on_behalf, from_status=current,
                                to_status=to, decline_reason=decline_reason, outcome=outcome,
                                expected_on=expected_on, note=note)
        if to in ANSWERS and referral.answered_at is None:
            referral.answered_at = now
        referral.status, referral.status_at = to, now
        if to == "declined":
            referral.decline_reason = decline_reason
        if to == "waiting_list":
            referral.expected_on = expected_on
        if to == "completed":
            referral.outcome = outcome

    # -- the letter for partners without accounts -----------------------------------------

    def letter(self, account: Account, referral_id: int, *, now: dt.datetime | None = None) -> ReferralLetter:
        """The referral letter (planner.referral_letter: letter_pdf, letter_docx) with what the consent allows;
        the referring side only, while the referral is open and its consent stands. Logged."""
        from planner.referral_letter import ReferralLetter

        now = now or utcnow()
        with self.directory.unit_of_work() as uow:
            referral, side = self._referral(uow, account, referral_id)
            if side != "referrer":
                raise AccessDenied("only the organisation that made the referral can print its letter")
            consent = uow.referrals.consent(referral.consent_id)
            if referral.client_id is None or consent is None or consent.withdrawn_on is not None \
                    or referral.status not in OPEN:
                raise ReferralRefused("this referral is closed or its consent was withdrawn: there is no letter to send")
            self._log(uow, referral, account, "referral letter")
            days = _no_answer_days(uow)
            client = uow.clients.get(referral.client_id)
            to = uow.organisations.by_id(referral.to_organisation_id)
            frm = uow.organisations.by_id(referral.from_organisation_id)
            contact = uow.referrals.organisation_contact(to.id)
            entry = uow.referrals.entry(referral.entry_id) if referral.entry_id else None
            worker = uow.accounts.get(referral.referred_by)
            letter = ReferralLetter(
                number=referral.id, sent_on=uk_date(referral.sent_at), answer_by=_answer_by(referral.sent_at, days),
                to_organisation=to.name,
                to_contact=", ".join(x for x in (contact.name, contact.role) if x) or None if contact else None,
                to_address=to.address, service=entry.name if entry else None, from_organisation=frm.name,
                referred_by=worker.display_name if worker else referral.referred_by,
                reply_phone=frm.phone, reply_email=(worker.email if worker else None) or frm.email,
                client_ref=client.ref, reason=referral.reason or "",
                contact_preference=CONTACT_PREFERENCES.get(referral.contact_preference or "", ""),
                availability=referral.availability,
                name=referral.client_name if consent.share_name else None,
                phone=referral.client_phone if consent.share_phone else None,
                consent_given_on=consent.given_on, shares=_shares(consent.share_name, consent.share_phone))
            uow.commit()
        return letter

    # -- building records ------------------------------------------------------------------

    def _summary(self, uow: UnitOfWork, referral: Referral, side: str, days: int, now: dt.datetime,
                 cls=ReferralSummary, **more: Any) -> ReferralSummary:
        # One query per list, not per line: the unit of work lives for one call.
        cache = uow.__dict__.setdefault("_referral_cache", {})
        if "names" not in cache:
            cache["names"] = uow.referrals.organisation_names()
        names, accounts = cache["names"], cache.setdefault("accounts", {})
        if referral.to_organisation_id not in accounts:
            accounts[referral.to_organisation_id] = self._partner_has_accounts(uow, referral.to_organisation_id)
        entry = uow.referrals.entry(referral.entry_id) if referral.entry_id else None
        status = _status(referral, days, now)
        referrer = side == "referrer"
        client = uow.clients.get(referral.client_id) if referrer and referral.client_id is not None else None
        return cls(
            id=referral.id, side=side, client_ref=client.ref if client else None,
            client_id=referral.client_id if referrer else None,
            from_organisation=names[referral.from_organisation_id], to_organisation=names[referral.to_organisation_id],
            entry_id=referral.entry_id, entry_name=entry.name if entry else None, category=referral.category,
            status=status, sent_at=as_utc(referral.sent_at), answer_by=_answer_by(as_utc(referral.sent_at), days),
            overdue=status == "no_answer", status_at=as_utc(referral.status_at), decline_reason=referral.decline_reason,
            expected_on=referral.expected_on, outcome=referral.outcome,
            plan_action_id=referral.plan_action_id if referrer else None,
            partner_has_accounts=accounts[referral.to_organisation_id], **more)

    def _record(self, uow: UnitOfWork, account: Account, referral: Referral, side: str, now: dt.datetime) -> ReferralRecord:
        days = _no_answer_days(uow)
        consent = uow.referrals.consent(referral.consent_id)
        withdrawn = referral.status == "withdrawn" or (consent is not None and consent.withdrawn_on is not None)
        hidden = side == "receiver" and withdrawn
        events = uow.referrals.events([referral.id])[referral.id]
        names = uow.referrals.display_names([referral.referred_by, *(e.by for e in events)])
        details = None
        if referral.client_id is not None and consent is not None and not hidden:
            client = uow.clients.get(referral.client_id)
            show_all = side == "referrer"
            details = ReferralDetails(
                client_ref=client.ref, reason=referral.reason or "", contact_preference=referral.contact_preference or "",
                availability=referral.availability,
                name=referral.client_name if (show_all or consent.share_name) else None,
                phone=referral.client_phone if (show_all or consent.share_phone) else None)
        status = _status(referral, days, now)
        may_answer = can_edit(account) and any(
            MOVES.get((status, to)) == "receiver" for to in STATUSES) and (
            side == "receiver" or not self._partner_has_accounts(uow, referral.to_organisation_id))
        may_withdraw = can_edit(account) and side == "referrer" and MOVES.get((status, "withdrawn")) == "referrer"
        return self._summary(
            uow, referral, side, days, now, cls=ReferralRecord,
            referred_by=referral.referred_by, referred_by_name=names.get(referral.referred_by, referral.referred_by),
            shares=_shares(consent.share_name, consent.share_phone) if consent else (),
            consent_given_on=consent.given_on if consent else None,
            consent_withdrawn_on=consent.withdrawn_on if consent else None,
            details=details,
            events=tuple(ReferralEventRecord(as_utc(e.at), e.by, names.get(e.by, e.by), e.on_behalf, e.from_status,
                                             e.to_status, e.decline_reason, e.outcome, e.expected_on,
                                             None if hidden else e.note) for e in events),
            erased=referral.erased_at is not None, may_answer=may_answer and referral.client_id is not None,
            may_withdraw=may_withdraw and referral.client_id is not None)


def _not_allowed(referral: Referral, current: str, to: str, uow: UnitOfWork) -> str:
    if current == "withdrawn":
        return (f"this referral was withdrawn on {describe_day_of_year(uk_date(as_utc(referral.status_at)))}: there is nothing to "
                "answer. The referrer can make a new referral if it is needed again")
    if current in ("declined", "completed"):
        return f"this referral is {STATUSES[current].lower()} already: it cannot become {STATUSES[to].lower()}"
    if to == "completed":
        return "only a referral that has started can be completed: mark it started first"
    if to == "started":
        return "accept the referral (or put it on the waiting list) before marking it started"
    return f"a referral that is '{STATUSES[current]}' cannot become '{STATUSES[to]}'"


def _phone(text: str | None) -> str | None:
    if not (text or "").strip():
        return None
    try:
        return parse_cell("phone", text)
    except ValidationError as invalid:
        raise ReferralRefused(f"phone: {invalid.problems[0].reason}", "client_phone") from None


def _consent_record(consent: ReferralConsent, organisation: str, referral_id: int | None) -> ReferralConsentRecord:
    return ReferralConsentRecord(
        consent.id, consent.client_id, organisation, _shares(consent.share_name, consent.share_phone),
        consent.share_name, consent.share_phone, consent.given_on, consent.recorded_by, consent.withdrawn_on,
        consent.withdrawn_by, referral_id)


def erase_client(uow: UnitOfWork, client_id: int, now: dt.datetime | None = None) -> int:
    """Called by ClientRecords.erase inside its unit of work: the client's referrals keep only what the
    funnel counts. Returns how many were anonymised."""
    return uow.referrals.erase_client(client_id, now or utcnow())


# -- notifications ------------------------------------------------------------------------------------


def notify_new_referral(directory: Directory, referral_id: int, *, mail: MailSettings | None = None,
                        base_url: str | None = None) -> Notified:
    """Email the receiving organisation that it has a new referral, through directory.mail when an SMTP server
    is configured (`mail`, else directory.mail.settings()). To its active editors and coordinators with an
    email; for a partner with none, to its named contact for partners (else its own email). The message
    never holds client details: only that there is a new referral and where to sign in."""
    from directory import mail as mailer

    mail = mail or mailer.settings()
    with directory.reader() as uow:
        referral = uow.referrals.get(referral_id)
        if referral is None:
            raise NotFound("there is no such referral")
        organisation = uow.organisations.by_id(referral.to_organisation_id)
        members = uow.referrals.acting_members(organisation.id, (EDITOR, COORDINATOR))
        if members:
            to = [u.email for u in members if u.email]
            with_accounts = True
        else:
            contact = uow.referrals.organisation_contact(organisation.id)
            to = [a for a in [(contact.email if contact else None) or organisation.email] if a]
            with_accounts = False
        name = organisation.name
    if mail is None:
        return Notified((), skipped="no SMTP server is set up, so nobody was emailed")
    if not to:
        return Notified((), skipped=f"nobody at {name} has an email address in the app")
    where = f" at {base_url.rstrip('/')}" if base_url else ""
    if with_accounts:
        subject = "You have a new referral: sign in to see it"
        body = (f"{name} has a new referral in Recovery Pathways.\n\nSign in{where} to see it and answer it.\n\n"
                "This email holds no details about the person referred.\n")
    else:
        subject = "You have a new referral"
        body = (f"{name} has a new referral through the Recovery Pathways partnership.\n\nThe worker who made it "
                "will send you the referral letter or ring you.\n\nThis email holds no details about the person "
                "referred.\n")
    sent, failed = [], []
    for address in dict.fromkeys(to):
        try:
            mailer.send(mail, address, subject, body)
            sent.append(address)
        except mailer.MailNotSent:
            failed.append(address)
    return Notified(tuple(sent), tuple(failed))


# -- the funnel ---------------------------------------------------------------------------------------

FUNNEL_GROUPS = ("month", "from_organisation", "to_organisation", "category")
FUNNEL_COUNTS = ("sent", "accepted", "waiting_list", "started", "completed", "job_start", "in_work_13_weeks",
                 "declined", "withdrawn", "no_answer")
FUNNEL_LABELS = {
    "month": "Month", "from_organisation": "Referred by", "to_organisation": "Referred to", "category": "Kind of provision",
    "sent": "Sent", "accepted": "Accepted", "waiting_list": "Waiting list", "started": "Started",
    "completed": "Completed", "job_start": "Job start", "in_work_13_weeks": "In work at 13 weeks",
    "declined": "Declined", "withdrawn": "Withdrawn", "no_answer": "No answer",
    "no_answer_rate": "No answer (%)", "median_days_to_answer": "Median days to first answer",
}


@dataclass(frozen=True)
class FunnelRow:
    """Counts for one group (or all, when every key is None). Cumulative: `accepted` counts every referral
    ever accepted or put on a waiting list, `started` every one ever started, `completed` every one
    completed (any outcome); `job_start` those whose outcome was ever a job start or in work after 13 weeks.
    `no_answer`: not answered within the working days allowed (a late answer included; judged by the
    setting now in force, for every referral). Days to the first answer are calendar days, to one decimal."""

    month: str | None  # "2026-12"
    from_organisation: str | None
    to_organisation: str | None
    category: str | None  # a CATEGORIES code, "" for a referral to an organisation rather than an entry
    sent: int = 0
    accepted: int = 0
    waiting_list: int = 0
    started: int = 0
    completed: int = 0
    job_start: int = 0
    in_work_13_weeks: int = 0
    declined: int = 0
    withdrawn: int = 0
    no_answer: int = 0
    no_answer_rate: float | None = None  # no_answer / sent, to three decimals
    median_days_to_answer: float | None = None
    declined_reasons: dict[str, int] = field(default_factory=dict)  # DECLINE_REASONS code -> count
    outcomes: dict[str, int] = field(default_factory=dict)  # OUTCOMES code (the latest) -> count

    @property
    def category_label(self) -> str | None:
        if self.category is None:
            return None
        return CATEGORIES.get(self.category, "An organisation, not a service") if self.category else \
            "An organisation, not a service"


@dataclass(frozen=True)
class Funnel:
    start: dt.date
    end: dt.date  # inclusive
    by: tuple[str, ...]
    no_answer_days: int
    rows: tuple[FunnelRow, ...]
    total: FunnelRow

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "by": list(self.by),
                "no_answer_working_days": self.no_answer_days,
                "rows": [_row_dict(r, self.by) for r in self.rows], "total": _row_dict(self.total, ())}


def _row_dict(row: FunnelRow, by: tuple[str, ...]) -> dict[str, Any]:
    data = asdict(row)
    return {k: v for k, v in data.items() if k not in FUNNEL_GROUPS or k in by}


def _facts(referral: Referral, events: list[ReferralEvent], days: int, now: dt.datetime) -> dict[str, Any]:
    reached = {e.to_status for e in events}
    outcomes = {e.outcome for e in events if e.outcome}
    sent_at = as_utc(referral.sent_at)
    answer_by = _answer_by(sent_at, days)
    waited_until = next((as_utc(e.at) for e in events if e.to_status in ANSWERS or e.to_status == "withdrawn"), now)
    answered = next((as_utc(e.at) for e in events if e.to_status in ANSWERS), None)
    return {
        "sent": 1,
        "accepted": int(bool(reached & {"accepted", "waiting_list", "started", "completed"})),
        "waiting_list": int("waiting_list" in reached),
        "started": int(bool(reached & {"started", "completed"})),
        "completed": int("completed" in reached),
        "job_start": int(bool(outcomes & {"job_start", "in_work_13_weeks"})),
        "in_work_13_weeks": int("in_work_13_weeks" in outcomes),
        "declined": int(referral.status == "declined"),
        "withdrawn": int(referral.status == "withdrawn"),
        "no_answer": int(uk_date(waited_until) > answer_by),
        "decline_reason": referral.decline_reason if referral.status == "declined" else None,
        "outcome": referral.outcome if referral.status == "completed" else None,
        "days_to_answer": (answered - sent_at).total_seconds() / 86400 if answered else None,
    }


def _aggregate(keys: dict[str, Any], facts: list[dict[str, Any]]) -> FunnelRow:
    counts = {name: sum(f[name] for f in facts) for name in FUNNEL_COUNTS}
    waits = [f["days_to_answer"] for f in facts if f["days_to_answer"] is not None]
    reasons = {code: n for code in DECLINE_REASONS if (n := sum(f["decline_reason"] == code for f in facts))}
    outcomes = {code: n for code in OUTCOMES if (n := sum(f["outcome"] == code for f in facts))}
    return FunnelRow(**keys, **counts,
                     no_answer_rate=round(counts["no_answer"] / counts["sent"], 3) if counts["sent"] else None,
                     median_days_to_answer=round(statistics.median(waits), 1) if waits else None,
                     declined_reasons=reasons, outcomes=outcomes)


def funnel(directory: Directory, account: Account, start: dt.date, end: dt.date, *,
           by: Iterable[str] = FUNNEL_GROUPS, now: dt.datetime | None = None) -> Funnel:
    """Referrals sent from `start` to `end` (UK days, inclusive), counted by `by` (any of FUNNEL_GROUPS, in
    that order) and in total. Coordinators only; no client identifiers; erased clients' referrals count."""
    if not is_coordinator(account):
        raise AccessDenied("only coordinators can see the referral funnel")
    by = set(by)
    if by - set(FUNNEL_GROUPS):
        raise ReferralRefused(f"group by any of {', '.join(FUNNEL_GROUPS)}", "by")
    by = tuple(g for g in FUNNEL_GROUPS if g in by)
    if end < start:
        raise ReferralRefused("the end date is before the start date: swap them", "to")
    now = now or utcnow()
    begin = dt.datetime.combine(start, dt.time(), tzinfo=dt.timezone.utc) - dt.timedelta(days=1)
    finish = dt.datetime.combine(end, dt.time(), tzinfo=dt.timezone.utc) + dt.timedelta(days=2)
    with directory.reader() as uow:
        days = _no_answer_days(uow)
        names = uow.referrals.organisation_names()
        referrals = [r for r in uow.referrals.sent_between(begin, finish)
                     if start <= uk_date(as_utc(r.sent_at)) <= end]
        events = uow.referrals.events(r.id for r in referrals)
    groups: dict[tuple, list[dict[str, Any]]] = {}
    every = []
    for referral in referrals:
        facts = _facts(referral, events[referral.id], days, now)
        every.append(facts)
        keys = {"month": f"{uk_date(as_utc(referral.sent_at)):%Y-%m}",
                "from_organisation": names[referral.from_organisation_id],
                "to_organisation": names[referral.to_organisation_id], "category": referral.category or ""}
        groups.setdefault(tuple(keys[g] for g in by), []).append(facts)
    rows = tuple(_aggregate({g: (dict(zip(by, key)).get(g)) for g in FUNNEL_GROUPS}, facts)
                 for key, facts in sorted(groups.items(), key=lambda item: tuple(str(k).casefold() for k in item[0])))
    total = _aggregate({g: None for g in FUNNEL_GROUPS}, every)
    return Funnel(start, end, by, days, rows, total)


def funnel_csv(result: Funnel) -> bytes:
    """The funnel as CSV (UTF-8 with a byte-order mark, so Excel reads it), every cell spreadsheet-safe; the
    last row is the total."""
    columns = [*result.by, *FUNNEL_COUNTS, "no_answer_rate", "median_days_to_answer"]
    reasons = [f"declined: {label}" for label in DECLINE_REASONS.values()]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(FUNNEL_LABELS[c]) for c in columns] + [spreadsheet_safe(r) for r in reasons])

    def cell(row: FunnelRow, column: str) -> Any:
        value = getattr(row, column)
        if column == "category":
            return row.category_label
        if column == "no_answer_rate":
            return "" if value is None else f"{value * 100:.1f}"
        return "" if value is None else value

    for row in (*result.rows, result.total):
        cells = [cell(row, c) for c in columns]
        if row is result.total and result.by:
            cells[0] = "All"
        writer.writerow([spreadsheet_safe(c) for c in cells]
                        + [row.declined_reasons.get(code, 0) for code in DECLINE_REASONS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
