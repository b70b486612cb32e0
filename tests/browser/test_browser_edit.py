"""A forum member corrects an entry in Chromium: signs in on the sign-in page, changes the times, marks the
entry as verified, and sees the change on the entry page and in search. Its own server and database (the
session's shared server serves other tests that expect the seeded times)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import app_over, assert_page_found, offline_tab
from tests.browser.test_browser import wait_for_app

PASSWORD = "forum member passphrase"


@pytest.fixture(scope="module")
def edit_app_url():
    from directory.accounts import create_user
    from directory.api import Directory
    from tests.browser.fixture_entries import seed

    def prepare(url: str) -> None:
        seed(url, hostile=False)
        directory = Directory(url)
        create_user(directory, "lead", "Forum Lead", "coordinator", password="coordinator passphrase")
        create_user(directory, "dina", "Dina Ali", "editor", password=PASSWORD, organisations=("Tees Works",))
        directory.engine.dispose()

    with app_over(prepare, "rp-browser-edit-") as (base, _):
        yield base


@pytest.fixture
def member(browser, edit_app_url):
    with offline_tab(browser, edit_app_url) as view:
        yield view


def test_a_forum_member_corrects_the_times_and_verifies(member):
    page, base = member.page, member.app_url
    # This server's very first request: a deep link still finds its page.
    page.goto(f"{base}/sign_in")
    wait_for_app(page)
    assert_page_found(page)
    page.get_by_label("Username").fill("dina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in as Dina Ali").wait_for()

    page.get_by_role("link", name="Find provision").click()
    wait_for_app(page)
    search = page.get_by_role("textbox", name="What are you looking for?")
    search.fill("job club")
    search.press("Enter")
    wait_for_app(page)
    page.locator('a[href*="id=jobclub-ts1"]').first.click()
    page.get_by_role("heading", name="Job Club").wait_for()
    wait_for_app(page)
    page.get_by_role("link", name="Edit this entry").click()
    page.get_by_role("heading", name="Edit: Job Club").wait_for()
    wait_for_app(page)
    times = page.get_by_role("textbox", name="Days and times", exact=True)
    times.fill("Wed 13:00-15:00")
    member.screenshot("edit-form")
    # The times corrected and the rest confirmed in one save (the forum's path: open, Edit, times, save).
    page.get_by_role("button", name="Save and mark as verified").click()
    page.get_by_text("Saved your changes to ‘Job Club’ and marked it as verified today (version 3).").wait_for()
    wait_for_app(page)
    body = page.inner_text("body")
    assert "1pm to 3pm" in body and "by Dina Ali" in body
    member.screenshot("entry-after-edit")

    page.get_by_role("link", name="Back to search results").click()
    wait_for_app(page)
    search = page.get_by_role("textbox", name="What are you looking for?")
    search.fill("job club")
    search.press("Enter")
    wait_for_app(page)
    card = page.locator(".rp-card", has_text="Job Club").first
    card.wait_for()
    assert "1pm" in card.inner_text(), card.inner_text()
    member.screenshot("search-after-edit")
    assert not member.errors, member.errors


def test_signing_in_survives_a_reload_and_a_new_tab_until_signing_out(member):
    page, base = member.page, member.app_url
    page.goto(base)
    wait_for_app(page)
    page.goto(f"{base}/sign_in")
    wait_for_app(page)
    page.get_by_label("Username").fill("dina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in as Dina Ali").wait_for()
    page.wait_for_function("document.cookie.includes('recovery_pathways_session=')")
    cookie, = [c for c in page.context.cookies() if c["name"] == "recovery_pathways_session"]
    assert (len(cookie["value"]), cookie["sameSite"], cookie["path"]) == (43, "Strict", "/")

    # A full reload of a page that needs signing in, then a second tab: both still signed in.
    page.goto(f"{base}/edit?id=jobclub-ts1")
    page.get_by_role("heading", name="Edit: Job Club").wait_for()
    other = page.context.new_page()
    other.goto(f"{base}/sign_in")
    other.get_by_text("You are signed in as Dina Ali").wait_for()
    member.screenshot("signed-in-after-reload")

    # Signing out in one tab ends the session in the other at its next click, and after a reload.
    other.get_by_role("button", name="Sign out").click()
    other.get_by_text("You have signed out.").wait_for()
    page.get_by_role("link", name="Add an entry").click()  # the menu this tab still shows
    page.get_by_text("Please sign in to change entries").wait_for()
    # ...and the menu now shows what someone signed out can use.
    page.get_by_role("link", name="Find provision").wait_for()
    assert page.get_by_role("link", name="Add an entry").count() == 0
    page.reload()
    page.get_by_text("Please sign in to change entries").wait_for()
    assert not [c for c in page.context.cookies() if c["name"] == "recovery_pathways_session"]
    assert not member.errors, member.errors
