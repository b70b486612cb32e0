"""Sign-in page through the app's navigation (AppTest): local accounts, the first coordinator, throttling message."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from directory.accounts import create_user
from directory.api import Directory


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    directory = Directory(url)
    yield directory
    directory.engine.dispose()


def sign_in_page() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    at.switch_page("pages/sign_in.py")
    at.run()
    return at


def signed_in(username: str, password: str) -> AppTest:
    """The sign-in page after signing in through its form."""
    at = sign_in_page()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    return at


def test_the_first_coordinator_is_created_then_signed_in(app_db):
    at = sign_in_page()
    assert "New installation" in at.info[0].value
    at.text_input[0].input("lead")
    at.text_input[1].input("Forum Lead")
    at.text_input[2].input("a long enough passphrase")
    at.button[0].click()
    at.run()
    assert at.success[0].value.startswith("You are signed in as **Forum Lead** (coordinator")
    assert at.title[0].value == "Your account"


def test_a_wrong_password_says_so_and_a_right_one_signs_in(app_db):
    create_user(app_db, "lead", "Forum Lead", "coordinator", password="a long enough passphrase")
    create_user(app_db, "dina", "Dina Ali", "editor", password="correct horse battery", organisations=("Tees Works",))
    at = sign_in_page()
    assert not at.info  # a coordinator exists: no first-run form
    at.text_input[0].input("dina")
    at.text_input[1].input("wrong")
    at.button[0].click()
    at.run()
    assert at.error[0].value == "That username and password do not match. Check them and try again."
    at.text_input[1].input("correct horse battery")
    at.button[0].click()
    at.run()
    assert at.success[0].value == "You are signed in as **Dina Ali** (editor, Tees Works)."


def test_members_see_their_organisations_verification_requests_on_signing_in(app_db):
    from directory.health import request_verification

    create_user(app_db, "lead", "Forum Lead", "coordinator", password="a long enough passphrase")
    create_user(app_db, "dina", "Dina Ali", "editor", password="correct horse battery", organisations=("Tees Works",))
    app_db.create({"id": "club", "name": "Job Club", "organisation": "Tees Works", "category": "employment_support",
                   "latitude": 54.57, "longitude": -1.23}, "dina")
    request_verification(app_db, "club", "lead", "Are the times still right?")
    at = signed_in("dina", "correct horse battery")
    assert at.warning[0].value.startswith("**1 of your organisation's entries** were asked to be checked")


def test_signing_out_ends_the_session_everywhere(app_db):
    from directory.accounts import account_for_session

    create_user(app_db, "lead", "Forum Lead", "coordinator", password="a long enough passphrase")
    at = signed_in("lead", "a long enough passphrase")
    token = at.session_state["session_token"]
    assert account_for_session(app_db, token).username == "lead"
    at.button[0].click()  # Sign out
    at.run()
    assert at.info[0].value == "You have signed out."
    assert account_for_session(app_db, token) is None
    assert "session_token" not in at.session_state


def test_a_session_ended_in_another_tab_signs_this_tab_out_with_a_reason(app_db):
    from directory.accounts import close_session

    create_user(app_db, "lead", "Forum Lead", "coordinator", password="a long enough passphrase")
    at = signed_in("lead", "a long enough passphrase")
    close_session(app_db, at.session_state["session_token"])  # signed out in another tab
    at.run()
    assert at.info[0].value == ("You were signed out: either you signed out in another tab, or the app was not "
                                "used for two hours. Please sign in again.")
    assert at.title[0].value == "Sign in"
    assert at.text_input[0].label == "Username"
