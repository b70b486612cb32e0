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
    # Nobody has an account yet, so there is no sign-in form to be confused by.
    assert [b.label for b in at.button] == ["Create coordinator account"] and len(at.text_input) == 4
    at.text_input[0].input("lead")
    at.text_input[1].input("Forum Lead")
    at.text_input[2].input("Tees Recovery Service")
    at.text_input[3].input("a long enough passphrase")
    at.button[0].click()
    at.run()
    assert at.success[0].value == "You are signed in as **Forum Lead** (coordinator, Tees Recovery Service)."
    assert at.title[0].value == "Your account"


def test_without_a_coordinator_existing_accounts_can_still_sign_in(app_db):
    create_user(app_db, "dina", "Dina Ali", "editor", password="correct horse battery")
    at = sign_in_page()
    assert "New installation" in at.info[0].value
    assert [b.label for b in at.button] == ["Create coordinator account", "Sign in"]
    assert at.header[0].value == "Or sign in with your account"


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
    from directory.health.verification import request_verification

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
    assert at.info[0].value == ("You were signed out: you signed out in another tab, the app was not used for two "
                                "hours, or a coordinator changed your account. Please sign in again.")
    assert at.title[0].value == "Sign in"
    assert at.text_input[0].label == "Username"


# -- with an identity provider (st.login): the provider says who, the app's own session limits apply --------

PROVIDER = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "not a real secret",
            "client_id": "app", "client_secret": "not a real secret",
            "server_metadata_url": "https://login.example/.well-known/openid-configuration"}


@pytest.fixture
def sam(app_db):
    """A council worker whose work email a coordinator gave their account."""
    return create_user(app_db, "sam.jones@council.example.gov.uk", "Sam Jones", "viewer",
                       email="Sam.Jones@Council.example.gov.uk")


def provider_sign_in_page(issued_hours_ago: float, email: str = "Sam.Jones@Council.example.gov.uk") -> AppTest:
    """The sign-in page for someone the provider vouched for `issued_hours_ago` (the ID token's iat)."""
    import time

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.secrets["auth"] = PROVIDER
    at.user = {"is_logged_in": True, "email": email, "name": "Sam Jones",
               "iat": int(time.time() - issued_hours_ago * 3600)}
    at.run()
    at.switch_page("pages/sign_in.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def age_sessions(directory, hours: float) -> None:
    """Move every sign-in session `hours` into the past, as if the app had not been used since."""
    import datetime as dt

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from directory.models import SignInSession

    with Session(directory.engine) as session:
        for row in session.scalars(select(SignInSession)):
            row.signed_in_at -= dt.timedelta(hours=hours)
            row.last_seen_at -= dt.timedelta(hours=hours)
        session.commit()


def signed_out_by_the_app(at: AppTest) -> bool:
    return at.user == {"is_logged_in": False} and at.title[0].value == "Sign in" and \
        at.button[0].label == "Sign in with your work account"


def test_a_provider_sign_in_opens_a_session_like_a_local_one(app_db, sam):
    from directory.accounts import account_for_session

    at = provider_sign_in_page(issued_hours_ago=0)
    assert at.success[0].value == "You are signed in as **Sam Jones** (viewer, no organisation yet)."
    assert account_for_session(app_db, at.session_state["session_token"]).username == \
        "sam.jones@council.example.gov.uk"
    at.run()  # the same session carries on
    assert at.success[0].value.startswith("You are signed in as **Sam Jones**")


def test_a_provider_sign_in_left_idle_for_two_hours_asks_the_provider_again(app_db, sam):
    at = provider_sign_in_page(issued_hours_ago=0)
    age_sessions(app_db, 3)
    at.user = {**at.user, "iat": at.user["iat"] - 3 * 3600}
    at.run()
    assert signed_out_by_the_app(at)
    assert "session_token" not in at.session_state


def test_a_days_old_provider_sign_in_is_not_taken_on_trust(app_db, sam):
    """Streamlit's own sign-in cookie lasts 30 days; a new tab the next morning has to sign in again."""
    assert signed_out_by_the_app(provider_sign_in_page(issued_hours_ago=20))
    assert provider_sign_in_page(issued_hours_ago=9).success[0].value.startswith(
        "You are signed in as **Sam Jones**")


def test_signing_out_with_a_provider_ends_both_sessions(app_db, sam):
    from directory.accounts import account_for_session

    at = provider_sign_in_page(issued_hours_ago=1)
    token = at.session_state["session_token"]
    at.button[0].click()  # Sign out
    at.run()
    assert account_for_session(app_db, token) is None
    assert at.user == {"is_logged_in": False}  # the browser is sent to Streamlit's /auth/logout
    at.run()  # and comes back
    assert signed_out_by_the_app(at)


def test_a_provider_session_ended_in_another_tab_ends_here_too(app_db, sam):
    from directory.accounts import close_session

    at = provider_sign_in_page(issued_hours_ago=1)
    close_session(app_db, at.session_state["session_token"])
    at.run()
    assert signed_out_by_the_app(at)


def test_a_deactivated_provider_account_is_told_why(app_db, sam):
    from sqlalchemy import update

    from directory.models import User

    with app_db.engine.begin() as connection:  # the database is where accounts are switched off
        connection.execute(update(User).values(active=False))
    at = provider_sign_in_page(issued_hours_ago=0)
    assert at.info[0].value == "That account is not active. Ask a coordinator in your forum."
    assert at.title[0].value == "Sign in"


def test_a_fresh_provider_sign_in_is_not_refused_for_a_session_that_ended_before_it(app_db, sam):
    """Coming back from the provider, the browser may still hold the token of the session that ended (the
    script clearing it may not run before the redirect). Entra ID dates its tokens 5 minutes back."""
    from directory.accounts import account_for_session, close_session, open_session

    account = sam
    ended = open_session(app_db, account.username)
    close_session(app_db, ended)
    import time

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.secrets["auth"] = PROVIDER
    at.user = {"is_logged_in": True, "email": "sam.jones@council.example.gov.uk", "name": "Sam Jones",
               "iat": int(time.time() - 10 * 60)}
    at.session_state["session_token"] = ended
    at.run()
    at.switch_page("pages/sign_in.py")
    at.run()
    assert at.success[0].value.startswith("You are signed in as **Sam Jones**")
    assert at.session_state["session_token"] != ended
    assert account_for_session(app_db, at.session_state["session_token"]).username == account.username


def test_an_unknown_provider_identity_is_asked_to_see_their_coordinator_and_listed_for_approval(app_db, sam):
    from directory.people import OPERATOR, access_requests

    at = provider_sign_in_page(issued_hours_ago=0, email="New.Person@Council.example.gov.uk")
    assert at.warning[0].value == (
        "Your work account (new.person@council.example.gov.uk) has no access to this directory yet. Your "
        "coordinator has been told: ask them to approve it, then sign in again.")
    assert "session_token" not in at.session_state
    assert [r.email for r in access_requests(app_db, OPERATOR)] == ["new.person@council.example.gov.uk"]
