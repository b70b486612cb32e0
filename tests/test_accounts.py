"""Local accounts: argon2id hashes, throttling, session expiry, the first coordinator, OIDC identities."""

from __future__ import annotations

import datetime as dt

import pytest

from directory import accounts
from directory.accounts import (
    SignInError,
    account_for_session,
    close_session,
    open_session,
    authenticate,
    create_first_coordinator,
    create_user,
    needs_first_coordinator,
    session_expired,
    set_password,
)

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)
WRONG = "That username and password do not match. Check them and try again."


@pytest.fixture
def people(directory):
    create_user(directory, "dina", "Dina Ali", "editor", password="correct horse battery", organisations=("Tees Works",))
    return directory


def test_the_right_password_signs_in_and_the_hash_is_argon2id(people):
    account = authenticate(people, "dina", "correct horse battery", NOW)
    assert account == accounts.Account("dina", "Dina Ali", "editor", ("Tees Works",))
    with people.reader() as reading:
        session = reading.session
        from directory.models import User
        from sqlalchemy import select
        stored = session.scalar(select(User.password_hash).where(User.username == "dina"))
    assert stored.startswith("$argon2id$")


@pytest.mark.parametrize("username, password", [("dina", "wrong password"), ("nobody", "correct horse battery"), ("alice", "x")])
def test_wrong_usernames_and_passwords_get_the_same_message(people, username, password):
    with pytest.raises(SignInError, match=f"^{WRONG}$"):
        authenticate(people, username, password, NOW)


def test_a_success_resets_the_count_of_failures(people):
    for _ in range(4):
        with pytest.raises(SignInError):
            authenticate(people, "dina", "wrong password", NOW)
    authenticate(people, "dina", "correct horse battery", NOW)
    for _ in range(4):
        with pytest.raises(SignInError, match=f"^{WRONG}$"):
            authenticate(people, "dina", "wrong password", NOW)


def test_sessions_expire_after_two_idle_hours_or_ten_hours_in_all():
    signed_in = NOW
    assert not session_expired(signed_in, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2, minutes=59))
    assert session_expired(signed_in, NOW, NOW + dt.timedelta(hours=2, minutes=1))
    assert session_expired(signed_in, NOW + dt.timedelta(hours=9, minutes=30), NOW + dt.timedelta(hours=10, minutes=1))


DINA = accounts.Account("dina", "Dina Ali", "editor", ("Tees Works",))


def test_a_session_token_signs_in_until_signed_out_and_only_its_hash_is_stored(people):
    token = open_session(people, "dina", NOW)
    other_tab = open_session(people, "dina", NOW)
    assert len(token) == 43 and token != other_tab
    assert account_for_session(people, token, NOW + dt.timedelta(minutes=5)) == DINA
    with people.reader() as reading:
        session = reading.session
        from directory.models import SignInSession
        from sqlalchemy import select
        stored = set(session.scalars(select(SignInSession.token_hash)))
    assert token not in stored and len(stored) == 2 and all(len(h) == 64 for h in stored)
    close_session(people, token)
    assert account_for_session(people, token, NOW + dt.timedelta(minutes=6)) is None
    assert account_for_session(people, other_tab, NOW + dt.timedelta(minutes=6)) == DINA
    assert account_for_session(people, "made-up", NOW) is None
    assert account_for_session(people, None, NOW) is None


def test_using_a_session_keeps_it_alive_until_the_ten_hour_limit(people):
    token = open_session(people, "dina", NOW)
    for hour in (1.5, 3, 4.5, 6, 7.5, 9):  # never two idle hours
        assert account_for_session(people, token, NOW + dt.timedelta(hours=hour)) == DINA
    assert account_for_session(people, token, NOW + dt.timedelta(hours=10, minutes=1)) is None
    # Expired sessions are deleted, so the token stays dead.
    assert account_for_session(people, token, NOW + dt.timedelta(hours=9, minutes=59)) is None


def test_a_session_left_idle_for_two_hours_ends(people):
    token = open_session(people, "dina", NOW)
    assert account_for_session(people, token, NOW + dt.timedelta(seconds=30)) == DINA  # too soon to write
    assert account_for_session(people, token, NOW + dt.timedelta(hours=2, seconds=1)) is None


def test_role_changes_and_a_new_password_apply_to_open_sessions(people):
    token = open_session(people, "dina", NOW)
    with people.unit_of_work() as uow:
        from directory.models import User
        from sqlalchemy import select
        uow.session.scalar(select(User).where(User.username == "dina")).role = "coordinator"
        uow.commit()
    assert account_for_session(people, token, NOW).role == "coordinator"
    set_password(people, "dina", "a brand new passphrase")
    assert account_for_session(people, token, NOW) is None


def test_a_deactivated_account_loses_its_sessions_and_gets_no_new_one(people):
    token = open_session(people, "dina", NOW)
    with people.unit_of_work() as uow:
        from directory.models import User
        from sqlalchemy import select
        uow.session.scalar(select(User).where(User.username == "dina")).active = False
        uow.commit()
    assert account_for_session(people, token, NOW) is None
    with pytest.raises(SignInError, match="^That account is not active"):
        open_session(people, "dina", NOW)


def test_the_first_coordinator_can_be_created_once(directory):
    # The fixture's coordinator has no password, so nobody can sign in as one yet.
    assert needs_first_coordinator(directory)
    with pytest.raises(ValueError, match="^choose another password: use at least 12 characters"):
        create_first_coordinator(directory, "lead", "Forum Lead", "short")
    create_first_coordinator(directory, "lead", "Forum Lead", "a long enough passphrase")
    assert not needs_first_coordinator(directory)
    with pytest.raises(ValueError, match="^a coordinator exists already: ask them to create your account$"):
        create_first_coordinator(directory, "other", "Other", "another long passphrase")


def test_the_organisations_people_sign_in_for_are_listed_once_a_to_z(directory):
    # The fixture: alice is at Tees Valley Recovery; bob, carol and victor belong to no organisation.
    create_user(directory, "eli", "Eli Grant", "editor", organisations=("tees works", "Teesside College"))
    create_user(directory, "esther", "Esther Obi", "editor", organisations=("Tees  Works",))
    create_user(directory, "gone", "Gone Away", "editor", organisations=("Closed Project",))
    from sqlalchemy import select

    from directory.models import User

    with directory.unit_of_work() as uow:
        uow.session.scalar(select(User).where(User.username == "gone")).active = False
        uow.organisation("Entry Owner Only Ltd")  # an organisation of directory entries, nobody signs in for it
        uow.commit()
    assert accounts.organisations_with_accounts(directory) == ["Tees Valley Recovery", "tees works", "Teesside College"]


def test_signing_in_tidies_away_everyone_s_expired_sessions(people):
    create_user(people, "omar", "Omar Shah", "editor", password="another long passphrase")
    stale = open_session(people, "omar", NOW)
    fresh = open_session(people, "omar", NOW + dt.timedelta(hours=1, minutes=30))
    open_session(people, "dina", NOW + dt.timedelta(hours=2, minutes=30))  # Omar's first is 2.5 h idle by now
    with people.reader() as reading:
        session = reading.session
        from directory.models import SignInSession
        from sqlalchemy import func, select
        assert session.scalar(select(func.count()).select_from(SignInSession)) == 2
    assert account_for_session(people, stale, NOW + dt.timedelta(hours=2, minutes=31)) is None
    assert account_for_session(people, fresh, NOW + dt.timedelta(hours=2, minutes=31)).username == "omar"
