"""Staff signing in through their organisation's identity provider (st.login), end to end in Chromium: the
app configured with an `[auth]` section pointing at a stand-in OpenID Connect provider on 127.0.0.1
(tests/browser/fake_provider.py), so Streamlit's own sign-in routes, cookie and token checks all run.

Its own server and database: the session's shared server runs with local accounts."""

from __future__ import annotations

import pytest

from tests.browser.conftest import app_over, assert_page_found, offline_tab
from tests.browser.test_browser import wait_for_app

WORK_ACCOUNT = "Sign in with your work account"


@pytest.fixture(scope="module")
def provider_app():
    """(app address, database url, provider)."""
    from tests.browser.fake_provider import FakeProvider
    from tests.browser.fixture_entries import seed

    def prepare(url: str) -> None:
        from directory.accounts import create_user
        from directory.api import Directory

        seed(url, hostile=False)
        # A coordinator gave Sam an account with their work email (only such people get in).
        directory = Directory(url)
        create_user(directory, "sam.jones@council.example.gov.uk", "Sam Jones", "viewer",
                    email="sam.jones@council.example.gov.uk")
        directory.engine.dispose()

    provider = FakeProvider()
    try:
        with app_over(prepare, "rp-browser-provider-", secrets_toml=provider.secrets_toml) as (base, url):
            yield base, url, provider
    finally:
        provider.close()


def sessions_of(url: str) -> list[str]:
    """Who holds a sign-in session, read from the database."""
    from sqlalchemy import select

    from directory.api import Directory
    from directory.models import SignInSession, User

    directory = Directory(url)
    try:
        with directory.engine.connect() as connection:
            return sorted(connection.scalars(select(User.username).join(SignInSession, SignInSession.user_id == User.id)))
    finally:
        directory.engine.dispose()


def sign_in_page(view, base: str):
    """The sign-in page's heading, once the page has run (it has too few parts for wait_for_app)."""
    page = view.page
    page.goto(f"{base}/sign_in")
    page.get_by_role("heading", level=1).first.wait_for()
    page.get_by_role("button").filter(has_text="Sign").first.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert_page_found(page)
    return page.get_by_role("heading", level=1).first.inner_text()


def test_staff_sign_in_with_their_work_account_and_the_apps_limits_apply(browser, provider_app):
    base, url, provider = provider_app
    with offline_tab(browser, base, timeout_ms=60_000) as view:  # a busy CI machine: one navigation took over 30 s
        page = view.page
        assert sign_in_page(view, base) == "Sign in"
        page.get_by_role("button", name=WORK_ACCOUNT).click()
        # Streamlit's /auth/login → the provider → /oauth2callback → the app's first page.
        page.wait_for_url(f"{base}/", timeout=30_000)
        wait_for_app(page)
        assert provider.sign_ins == 1

        assert sign_in_page(view, base) == "Your account"
        page.get_by_text("You are signed in as Sam Jones (viewer, no organisation yet).").wait_for()
        view.screenshot("provider-1-signed-in")
        assert sessions_of(url) == ["sam.jones@council.example.gov.uk"]  # the account with that work email
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["recovery_pathways_session"]["sameSite"] == "Strict"

        # A reload, as a new Streamlit session, keeps the same sign-in.
        page.reload()
        wait_for_app(page)
        page.get_by_text("You are signed in as Sam Jones").wait_for()

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{base}/", timeout=30_000)  # via Streamlit's /auth/logout
        wait_for_app(page)
        assert {c["name"] for c in page.context.cookies()} & {"_streamlit_user", "recovery_pathways_session"} == set()
        assert sign_in_page(view, base) == "Sign in"
        page.get_by_role("button", name=WORK_ACCOUNT).wait_for()
        assert sessions_of(url) == []

        # The provider vouches for someone it signed in 20 hours ago (a browser left signed in to it
        # overnight): the first page (every page asks who is signed in, for the menu) does not take that on
        # trust. It signs them out of the provider too and back to the start, to sign in afresh.
        provider.signed_in_seconds_ago = 20 * 3600
        page.get_by_role("button", name=WORK_ACCOUNT).click()
        page.wait_for_url(f"{base}/", timeout=30_000)  # the callback, then via Streamlit's /auth/logout
        wait_for_app(page)
        assert provider.sign_ins == 2
        for _ in range(50):  # Streamlit's sign-in cookie is HttpOnly: ask the browser, not the page
            if "_streamlit_user" not in {c["name"] for c in page.context.cookies()}:
                break
            page.wait_for_timeout(200)
        assert "_streamlit_user" not in {c["name"] for c in page.context.cookies()}
        assert sign_in_page(view, base) == "Sign in"
        page.get_by_role("button", name=WORK_ACCOUNT).wait_for()
        view.screenshot("provider-2-old-sign-in-refused")
        assert sessions_of(url) == []
        assert not view.errors, view.errors
