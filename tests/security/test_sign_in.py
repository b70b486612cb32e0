"""Signing in tells nobody which usernames exist, even when it locks them out (security finding 7); both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from directory.accounts import SignInError, authenticate, create_user, set_password

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)
WRONG = "That username and password do not match. Check them and try again."


def _locked(at: dt.datetime) -> str:
    return (f"Too many attempts: try again after {at.astimezone().strftime('%H:%M')}, "
            "or ask a coordinator to reset your password.")


@pytest.fixture
def people(directory):
    create_user(directory, "dina", "Dina", "editor", password="correct horse battery")
    return directory


@pytest.mark.parametrize("username", ["dina", "nobody"])
def test_a_known_and_an_unknown_username_are_locked_out_alike(people, username):
    messages = []
    for minute in range(7):
        try:
            authenticate(people, username, "wrong password", NOW + dt.timedelta(minutes=minute))
        except SignInError as refused:
            messages.append(str(refused))
    assert messages == [WRONG] * 5 + [_locked(NOW + dt.timedelta(minutes=19))] * 2


def test_the_lock_out_ends_and_a_reset_lifts_it(people):
    for _ in range(5):
        with pytest.raises(SignInError, match=f"^{WRONG}$"):
            authenticate(people, "dina", "wrong password", NOW)
    with pytest.raises(SignInError, match="^Too many attempts"):
        authenticate(people, "dina", "correct horse battery", NOW + dt.timedelta(minutes=14))
    assert authenticate(people, "dina", "correct horse battery", NOW + dt.timedelta(minutes=16)).username == "dina"

    for _ in range(5):
        with pytest.raises(SignInError):
            authenticate(people, "dina", "wrong password", NOW + dt.timedelta(minutes=20))
    set_password(people, "dina", "a brand new passphrase")
    assert authenticate(people, "dina", "a brand new passphrase", NOW + dt.timedelta(minutes=21)).username == "dina"


def test_failures_are_forgotten_after_a_quiet_quarter_hour(people):
    for _ in range(4):
        with pytest.raises(SignInError, match=f"^{WRONG}$"):
            authenticate(people, "nobody", "guess", NOW)
    for _ in range(4):
        with pytest.raises(SignInError, match=f"^{WRONG}$"):
            authenticate(people, "nobody", "guess", NOW + dt.timedelta(minutes=16))
