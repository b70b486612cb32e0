"""People: coordinators add and manage accounts with one-time set-password links; the last coordinator is
kept; deactivation ends sessions; every change is audited; bulk add from CSV; identity-provider requests."""

from __future__ import annotations

import datetime as dt

import pytest

from directory import organisations as orgs
from directory import people
from directory.accounts import Account, account_for_session, authenticate, create_user, get_account, open_session
from directory.errors import LinkError, NotAllowed, Refused, SignInError
from directory.people import OPERATOR

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
LEAD = Account("carol", "Carol Jones", "coordinator", ())
GOOD = "kettle orchard lantern"


@pytest.fixture
def partnership(directory):
    """The conftest directory (alice at Tees Valley Recovery; bob, carol the coordinator, victor) plus two agencies."""
    orgs.create_organisation(directory, LEAD, "Middlesbrough Jobcentre", "jobcentre", now=NOW)
    orgs.create_organisation(directory, LEAD, "Teesside College", "college", now=NOW)
    return directory


def test_adding_a_person_gives_a_single_use_link_that_sets_their_password(partnership):
    link = people.add_person(partnership, LEAD, "wcoach", "Wendy Coach", "middlesbrough jobcentre", "editor",
                             "Wendy.Coach@DWP.example.gov.uk", now=NOW)
    assert (link.username, link.email, link.expires_at) == ("wcoach", "wendy.coach@dwp.example.gov.uk",
                                                            NOW + dt.timedelta(hours=72))
    assert link.url("https://rp.example.org/") == f"https://rp.example.org/set_password?token={link.token}"
    assert get_account(partnership, "wcoach") == Account("wcoach", "Wendy Coach", "editor", ("Middlesbrough Jobcentre",))
    with pytest.raises(SignInError):  # no password until the link is used
        authenticate(partnership, "wcoach", GOOD, now=NOW)
    assert people.link_holder(partnership, link.token, now=NOW).display_name == "Wendy Coach"

    people.redeem_link(partnership, link.token, GOOD, now=NOW + dt.timedelta(hours=1))
    assert authenticate(partnership, "wcoach", GOOD, now=NOW + dt.timedelta(hours=1)).username == "wcoach"
    with pytest.raises(LinkError, match="^This link has been used already"):
        people.redeem_link(partnership, link.token, "another good passphrase", now=NOW + dt.timedelta(hours=2))


def test_a_link_expires_after_72_hours_and_a_new_one_replaces_the_old(partnership):
    first = people.add_person(partnership, LEAD, "tutor", "Tom Tutor", "Teesside College", "editor", now=NOW)
    with pytest.raises(LinkError, match="^This link has expired"):
        people.redeem_link(partnership, first.token, GOOD, now=NOW + dt.timedelta(hours=72))
    second = people.issue_link(partnership, LEAD, "tutor", now=NOW + dt.timedelta(hours=73))
    third = people.issue_link(partnership, LEAD, "tutor", now=NOW + dt.timedelta(hours=74))
    with pytest.raises(LinkError, match="^This link has been used already"):  # replaced by the third
        people.redeem_link(partnership, second.token, GOOD, now=NOW + dt.timedelta(hours=75))
    people.redeem_link(partnership, third.token, GOOD, now=NOW + dt.timedelta(hours=75))


@pytest.mark.parametrize("token", ["", "x" * 500, "not-a-real-token"])
def test_a_tampered_or_unknown_link_sets_nothing(partnership, token):
    with pytest.raises(LinkError, match="^This link does not work"):
        people.redeem_link(partnership, token, GOOD, now=NOW)


def test_a_weak_password_is_refused_and_the_link_still_works(partnership):
    link = people.add_person(partnership, LEAD, "tutor", "Tom Tutor", "Teesside College", "editor", now=NOW)
    for weak, reason in [
        ("short one", "use at least 12 characters"),
        ("password1234", "that is one of the most common passwords"),
        ("tutor-secret-words", "do not include your username"),
        ("aaaaaaaaaaaaaaa", "that password would be easy to guess (repeats like \"aaa\" are easy to guess)"),
    ]:
        with pytest.raises(Refused, match="^Choose another password: " + reason.replace("(", r"\(").replace(")", r"\)")):
            people.redeem_link(partnership, link.token, weak, now=NOW)
    people.redeem_link(partnership, link.token, GOOD, now=NOW)


def test_setting_a_password_through_a_link_ends_the_old_sessions(partnership):
    create_user(partnership, "dina", "Dina Ali", "editor", password="correct horse battery")
    token = open_session(partnership, "dina", NOW)
    link = people.issue_link(partnership, LEAD, "dina", now=NOW)
    people.redeem_link(partnership, link.token, GOOD, now=NOW)
    assert account_for_session(partnership, token, NOW) is None


def test_bad_details_and_duplicates_are_refused_with_the_field_at_fault(partnership):
    people.add_person(partnership, LEAD, "tutor", "Tom Tutor", "Teesside College", "editor", "tom@college.example", now=NOW)
    cases = [
        (("Tom Tutor", "tutor2", "Teesside College", "editor", "TOM@college.example"), "email",
         "tom@college.example belongs to another account already: find that person in the list"),
        (("Tom Tutor", "tutor", "Teesside College", "editor", None), "username",
         "the username 'tutor' is taken: choose another (e.g. add an initial)"),
        (("Tim", "tim", "Teeside Colege", "editor", None), "organisation",
         "there is no organisation called 'Teeside Colege'. Did you mean 'Teesside College'? A coordinator can add "
         "it on the Organisations page (or: python -m directory orgs add NAME)."),
        (("Tim", "Tim Smith", "Teesside College", "editor", None), "username",
         "username: use 2 to 40 lower-case letters, digits, dots, dashes or underscores, starting with a letter or "
         "digit (e.g. jsmith)"),
        (("Tim", "tim", "Teesside College", "boss", None), "role", "role: choose one of viewer, editor, coordinator"),
    ]
    for (name, username, organisation, role, email), field, message in cases:
        with pytest.raises(Refused) as refused:
            people.add_person(partnership, LEAD, username, name, organisation, role, email, now=NOW)
        assert (refused.value.field, str(refused.value)) == (field, message)
    assert [p.username for p in people.list_people(partnership, LEAD)] == ["alice", "bob", "carol", "tutor", "victor"]


def test_only_coordinators_manage_people(partnership):
    keyworker = Account("alice", "Alice Khan", "editor", ("Tees Valley Recovery",))
    with pytest.raises(NotAllowed, match="^only a coordinator can manage people"):
        people.add_person(partnership, keyworker, "x1", "X", "Teesside College", "viewer", now=NOW)
    with pytest.raises(NotAllowed):
        people.set_active(partnership, keyworker, "bob", False)
    with pytest.raises(NotAllowed):
        people.audit_log(partnership, keyworker)


def test_the_last_active_coordinator_can_be_neither_deactivated_nor_demoted(partnership):
    with pytest.raises(Refused, match="^Carol Jones is the only active coordinator: make someone else a coordinator "
                                      "before deactivating them$"):
        people.set_active(partnership, LEAD, "carol", False)
    with pytest.raises(Refused, match="before they stop being one$"):
        people.change_role(partnership, LEAD, "carol", "editor")
    people.change_role(partnership, LEAD, "bob", "coordinator")
    people.change_role(partnership, LEAD, "carol", "editor")  # now allowed: bob is a coordinator
    assert get_account(partnership, "carol").role == "editor"
    with pytest.raises(Refused, match="^Bob Smith is the only active coordinator"):
        people.set_active(partnership, OPERATOR, "bob", False)


def test_deactivating_ends_every_open_session_at_once_and_reactivating_does_not_revive_them(partnership):
    create_user(partnership, "dina", "Dina Ali", "editor", password="correct horse battery")
    phone, desk = open_session(partnership, "dina", NOW), open_session(partnership, "dina", NOW)
    people.set_active(partnership, LEAD, "dina", False, now=NOW)
    assert account_for_session(partnership, phone, NOW) is None
    assert account_for_session(partnership, desk, NOW) is None
    with pytest.raises(SignInError):
        authenticate(partnership, "dina", "correct horse battery", now=NOW)
    people.set_active(partnership, LEAD, "dina", True, now=NOW)
    assert account_for_session(partnership, phone, NOW) is None
    assert authenticate(partnership, "dina", "correct horse battery", now=NOW).username == "dina"


def test_changing_role_and_organisation(partnership):
    people.change_role(partnership, LEAD, "alice", "viewer", now=NOW)
    people.change_organisation(partnership, LEAD, "alice", "teesside college", now=NOW)
    assert get_account(partnership, "alice") == Account("alice", "Alice Khan", "viewer", ("Teesside College",))
    with pytest.raises(Refused, match="^there is no organisation called 'Nowhere'"):
        people.change_organisation(partnership, LEAD, "alice", "Nowhere", now=NOW)


def test_every_change_to_a_person_is_audited_without_passwords_or_tokens(partnership):
    link = people.add_person(partnership, LEAD, "wcoach", "Wendy Coach", "Middlesbrough Jobcentre", "editor",
                             "wendy@dwp.example", now=NOW)
    people.redeem_link(partnership, link.token, GOOD, now=NOW + dt.timedelta(minutes=5))
    people.change_role(partnership, LEAD, "wcoach", "viewer", now=NOW + dt.timedelta(minutes=6))
    people.set_active(partnership, LEAD, "wcoach", False, now=NOW + dt.timedelta(minutes=7))
    log = people.audit_log(partnership, LEAD)
    assert [(e.actor, e.action, e.subject, e.detail) for e in log[:5]] == [
        ("carol", "deactivated", "wcoach", None),
        ("carol", "role changed", "wcoach", "editor → viewer"),
        ("wcoach", "password set", "wcoach", "through a set-password link"),
        ("carol", "set-password link issued", "wcoach", "expires 2026-12-04 09:00 UTC"),
        ("carol", "person added", "wcoach", "Wendy Coach; editor; Middlesbrough Jobcentre; wendy@dwp.example"),
    ]
    text = repr(log)
    assert link.token not in text and GOOD not in text


def test_people_change_their_own_password_and_name(partnership):
    create_user(partnership, "dina", "Dina Ali", "editor", password="correct horse battery")
    dina = get_account(partnership, "dina")
    other_tab = open_session(partnership, "dina", NOW)
    with pytest.raises(Refused, match="^Your current password is not right"):
        people.change_own_password(partnership, dina, "wrong password here", GOOD, now=NOW)
    with pytest.raises(Refused, match="^Choose another new password: use at least 12 characters"):
        people.change_own_password(partnership, dina, "correct horse battery", "too short", now=NOW)
    people.change_own_password(partnership, dina, "correct horse battery", GOOD, now=NOW)
    assert account_for_session(partnership, other_tab, NOW) is None
    assert authenticate(partnership, "dina", GOOD, now=NOW).username == "dina"
    people.change_display_name(partnership, dina, "  Dina   Ali-Hassan ", now=NOW)
    assert get_account(partnership, "dina").display_name == "Dina Ali-Hassan"
    with pytest.raises(Refused, match="^Give your name"):
        people.change_display_name(partnership, dina, "   ", now=NOW)
    assert [(e.action, e.detail) for e in people.audit_log(partnership, LEAD)[:2]] == [
        ("name changed", "Dina Ali → Dina Ali-Hassan"), ("password changed", "by themselves")]


def test_the_list_shows_role_organisation_last_sign_in_and_pending_links(partnership):
    create_user(partnership, "dina", "Dina Ali", "editor", password="correct horse battery",
                organisations=("Teesside College",))
    open_session(partnership, "dina", NOW)  # signing in
    people.add_person(partnership, LEAD, "wcoach", "Wendy Coach", "Middlesbrough Jobcentre", "editor", now=NOW)
    people.set_active(partnership, LEAD, "bob", False, now=NOW)
    listed = {p.username: p for p in people.list_people(partnership, LEAD, now=NOW)}
    assert (listed["dina"].last_sign_in, listed["dina"].link_expires, listed["dina"].organisations) == (
        NOW, None, ("Teesside College",))
    assert (listed["wcoach"].link_expires, listed["wcoach"].has_password) == (NOW + dt.timedelta(hours=72), False)
    assert [p.username for p in people.list_people(partnership, LEAD, now=NOW)][-1] == "bob"  # inactive last
    assert {p.username for p in people.list_people(partnership, LEAD, now=NOW + dt.timedelta(hours=73))
            if p.link_expires} == set()


BULK = (b"name,username,email,organisation,role\n"
        b"Wendy Coach,wcoach,wendy@dwp.example,Middlesbrough Jobcentre,editor\n"
        b"Tom Tutor,tutor,,Teesside College,\n"
        b"Nobody,alice,,Teesside College,viewer\n"
        b"Sam Smith,ssmith,not-an-email,Teeside College,boss\n"
        b",,,,\n"
        b"Pat Lee,plee,pat@college.example,teesside college,coordinator\n")


def test_bulk_add_from_csv_adds_good_rows_and_reports_bad_ones_by_row_and_column(partnership):
    report = people.add_people_from_csv(partnership, LEAD, BULK, now=NOW)
    assert [(r.row, r.username, r.status, r.problems) for r in report.rows] == [
        (2, "wcoach", "added", []),
        (3, "tutor", "added", []),
        (4, "alice", "refused", ["username: the username 'alice' is taken: choose another (e.g. add an initial)"]),
        (5, "ssmith", "refused", ["email: that does not look like an email address (name@example.org)",
                                  "role: choose one of viewer, editor, coordinator"]),
        (7, "plee", "added", []),
    ]
    assert get_account(partnership, "tutor").role == "viewer"  # an empty role is the least
    assert get_account(partnership, "plee") == Account("plee", "Pat Lee", "coordinator", ("Teesside College",))
    csv_text = people.bulk_report_csv(report, "https://rp.example.org")
    assert csv_text.splitlines()[0] == "row,username,outcome,problems,set-password link,link expires (UTC)"
    assert csv_text.splitlines()[1].startswith("2,wcoach,added,,https://rp.example.org/set_password?token=")


@pytest.mark.parametrize("data, message", [
    (b"username,role\nx,viewer\n", "the first row must name the columns name, username, email, organisation, role "
                                   "(missing: name, organisation)"),
    ("name,username,email,organisation,role\nZoë,zoe,,Teesside College,viewer\n".encode("utf-16"),
     "the file is not UTF-8 text: save it as 'CSV UTF-8' and upload it again"),
    (b"x" * 1_000_001, "the file is larger than 1 MB: split it into smaller files"),
])
def test_an_unreadable_csv_adds_nobody(partnership, data, message):
    with pytest.raises(Refused) as refused:
        people.add_people_from_csv(partnership, LEAD, data, now=NOW)
    assert str(refused.value) == message
    assert len(people.list_people(partnership, LEAD)) == 4


def test_an_unknown_identity_is_listed_for_coordinators_to_approve_in_one_step(partnership):
    assert people.account_for_identity(partnership, "Sam.Jones@Council.example.gov.uk", "Sam Jones", now=NOW) is None
    assert people.account_for_identity(partnership, "sam.jones@council.example.gov.uk", "Sam Jones",
                                       now=NOW + dt.timedelta(minutes=1)) is None
    [request] = people.access_requests(partnership, LEAD, {"@council.example.gov.uk": "Teesside College"})
    assert (request.email, request.name, request.attempts, request.suggested_organisation) == (
        "sam.jones@council.example.gov.uk", "Sam Jones", 2, "Teesside College")
    people.approve_access_request(partnership, LEAD, request.email, "Teesside College", "editor", now=NOW)
    assert people.account_for_identity(partnership, "SAM.JONES@council.example.gov.uk", None) == Account(
        "sam.jones@council.example.gov.uk", "Sam Jones", "editor", ("Teesside College",))
    assert people.access_requests(partnership, LEAD) == []
    assert people.audit_log(partnership, LEAD)[0].action == "access request approved"


def test_an_identity_matches_an_account_by_its_work_email_and_a_deactivated_one_is_told(partnership):
    people.add_person(partnership, LEAD, "wcoach", "Wendy Coach", "Middlesbrough Jobcentre", "editor",
                      "wendy@dwp.example", now=NOW)
    assert people.account_for_identity(partnership, "Wendy@DWP.example", "W").username == "wcoach"
    people.set_active(partnership, LEAD, "wcoach", False, now=NOW)
    with pytest.raises(SignInError, match="^That account is not active"):
        people.account_for_identity(partnership, "wendy@dwp.example", "W")
