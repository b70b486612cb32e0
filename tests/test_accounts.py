"""Local accounts: argon2id hashes, throttling, session expiry, the first coordinator, OIDC identities."""

from __future__ import annotations

import datetime as dt

import pytest

from directory import accounts
from directory.accounts import (
    SignInError,
    account_for_identity,
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
    with people._read() as session:
        from directory.models import User
        from sqlalchemy import select
        stored = session.scalar(select(User.password_hash).where(User.username == "dina"))
    assert stored.startswith("$argon2id$")


@pytest.mark.parametrize("username, password", [("dina", "wrong password"), ("nobody", "correct horse battery"), ("alice", "x")])
def test_wrong_usernames_and_passwords_get_the_same_message(people, username, password):
    with pytest.raises(SignInError, match=f"^{WRONG}$"):
        authenticate(people, username, password, NOW)


def test_five_failures_lock_the_account_for_fifteen_minutes(people):
    for _ in range(5):
        with pytest.raises(SignInError, match=f"^{WRONG}$"):
            authenticate(people, "dina", "wrong password", NOW)
    with pytest.raises(SignInError, match="^Too many attempts: try again after .*, or ask a coordinator to reset your password.$"):
        authenticate(people, "dina", "correct horse battery", NOW + dt.timedelta(minutes=14))
    assert authenticate(people, "dina", "correct horse battery", NOW + dt.timedelta(minutes=16)).username == "dina"


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


def test_the_first_coordinator_can_be_created_once(directory):
    # The fixture's coordinator has no password, so nobody can sign in as one yet.
    assert needs_first_coordinator(directory)
    with pytest.raises(ValueError, match="^choose another password: use at least 10 characters"):
        create_first_coordinator(directory, "lead", "Forum Lead", "short")
    create_first_coordinator(directory, "lead", "Forum Lead", "a long enough passphrase")
    assert not needs_first_coordinator(directory)
    with pytest.raises(ValueError, match="^a coordinator exists already: ask them to create your account$"):
        create_first_coordinator(directory, "other", "Other", "another long passphrase")


def test_a_coordinator_reset_unlocks_the_account(people):
    for _ in range(5):
        with pytest.raises(SignInError):
            authenticate(people, "dina", "wrong password", NOW)
    set_password(people, "dina", "a brand new passphrase")
    assert authenticate(people, "dina", "a brand new passphrase", NOW).username == "dina"


def test_an_identity_provider_sign_in_makes_a_viewer_once(directory):
    first = account_for_identity(directory, "Sam.Jones@Council.example.gov.uk", "Sam Jones")
    again = account_for_identity(directory, "sam.jones@council.example.gov.uk", "Sam Jones")
    assert first == again == accounts.Account("sam.jones@council.example.gov.uk", "Sam Jones", "viewer", ())


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
