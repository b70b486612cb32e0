"""A new installation in Chromium: the first coordinator creates an organisation and adds a keyworker from
it; the keyworker opens their set-password link in a second browser, sets a password, signs in on the page
they were sent to and edits their organisation's entry; the coordinator deactivates them and the
keyworker's next click asks them to sign in. Its own server and an empty database."""

from __future__ import annotations

import re

from tests.browser.conftest import app_over, assert_page_found, offline_tab
from tests.browser.test_browser import wait_for_app
from tests.browser.test_browser_planner import choose

LEAD_PASSWORD = "moorland teapot harbour"
KIM_PASSWORD = "lantern orchard kettle"


def menu_links(page, once_it_shows: str = "Find provision") -> list[str]:
    """The menu's page names, once it shows `once_it_shows` (the menu is redrawn after the page)."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name=once_it_shows).wait_for()
    return [t.split("\n")[-1].strip() for t in nav.get_by_role("link").all_inner_texts()]  # after the icon's name


def test_a_new_installation_seats_its_first_keyworker(browser):
    from directory.api import Directory

    with app_over(lambda url: Directory(url).engine.dispose(), "rp-browser-people-") as (base, url), \
            offline_tab(browser, base) as lead, offline_tab(browser, base) as kim:
        page = lead.page
        page.goto(f"{base}/sign_in")
        wait_for_app(page)
        assert_page_found(page)
        # Nobody signed in sees only what they can use.
        assert menu_links(page) == ["Find provision", "Organisations", "Sign in", "Accessibility"]
        page.get_by_text("New installation.").wait_for()
        page.get_by_role("textbox", name="Username", exact=True).fill("lead")
        page.get_by_role("textbox", name="Your name, as others will see it", exact=True).fill("Forum Lead")
        page.get_by_role("textbox", name="Your organisation", exact=True).fill("Tees Recovery Service")
        page.get_by_label("Password", exact=True).fill(LEAD_PASSWORD)
        page.get_by_role("button", name="Create coordinator account").click()
        page.get_by_text("You are signed in as Forum Lead").wait_for()
        wait_for_app(page)
        assert menu_links(page, "Your account") == [
            "Find provision", "Organisations", "Add an entry", "My organisation's entries", "Import a spreadsheet",
            "Client", "Next steps", "Action plan", "Reviews", "Referrals", "Client access log", "Stale entries",
            "Duplicates", "Coverage and gaps", "Unmet needs", "Feedback to follow up", "Open Referral harvest", "People",
            "Referral funnel", "Your account", "Accessibility"]

        # An organisation...
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Organisations").click()
        wait_for_app(page)
        page.get_by_text("Add an organisation", exact=True).click()
        page.get_by_role("textbox", name="Name", exact=True).fill("Middlesbrough Jobcentre")
        choose(page, page.get_by_role("combobox", name="Kind of organisation"), "Jobcentre")
        page.get_by_role("button", name="Add organisation").click()
        page.get_by_role("heading", name="Middlesbrough Jobcentre").wait_for()
        wait_for_app(page)
        lead.screenshot("people-organisation-added")
        # ...whose existing entry comes in with the partnership's spreadsheet (through the API here).
        directory = Directory(url)
        directory.create({"id": "coach-1", "name": "Work coach drop-in", "organisation": "Middlesbrough Jobcentre",
                          "category": "employment_support", "delivery": ["phone"], "phone": "0800 169 0190",
                          "schedule": "Mon 09:00-12:00"}, "lead")
        directory.engine.dispose()

        # ...and a keyworker from it.
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="People").click()
        wait_for_app(page)
        page.get_by_role("radio", name="Add a person").or_(page.get_by_role("button", name="Add a person")).click()
        wait_for_app(page)
        page.get_by_role("textbox", name="Name, as colleagues will see it", exact=True).fill("Kim Keyworker")
        page.get_by_role("textbox", name="Username", exact=True).fill("kim")
        choose(page, page.get_by_role("combobox", name="Organisation"), "Middlesbrough Jobcentre")
        page.get_by_role("button", name="Add person").click()
        page.get_by_text("Added Kim Keyworker (kim).").wait_for()
        link = page.locator('[data-testid="stCode"]').inner_text().strip()
        assert re.fullmatch(rf"{re.escape(base)}/set_password\?token=[\w-]{{43}}", link), link
        lead.screenshot("people-link-to-send")

        # The keyworker, in another browser: the link, a password, then the edit page they were sent.
        other = kim.page
        other.goto(link)
        other.get_by_text("Hello Kim Keyworker.").wait_for()
        wait_for_app(other)
        other.get_by_label("New password", exact=True).fill(KIM_PASSWORD)
        other.get_by_label("New password again").fill(KIM_PASSWORD)
        other.get_by_role("button", name="Set password").click()
        other.get_by_text("Your password is set, Kim Keyworker.").wait_for()
        kim.screenshot("people-password-set")
        other.goto(f"{base}/edit_entry?id=coach-1")
        other.get_by_text("Please sign in to change entries.").wait_for()
        wait_for_app(other)
        other.get_by_role("textbox", name="Username", exact=True).fill("kim")
        other.get_by_label("Password", exact=True).fill(KIM_PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        other.get_by_role("heading", name="Edit: Work coach drop-in").wait_for()
        wait_for_app(other)
        assert menu_links(other, "Your account") == [
            "Find provision", "Organisations", "Add an entry", "My organisation's entries", "Import a spreadsheet",
            "Client", "Next steps", "Action plan", "Reviews", "Referrals", "Your account", "Accessibility"]
        other.get_by_role("textbox", name="Days and times", exact=True).fill("Mon,Wed 09:00-12:00")
        other.get_by_role("button", name="Save changes").click()
        other.get_by_text("Saved your changes to ‘Work coach drop-in’ (version 2).").wait_for()
        wait_for_app(other)
        kim.screenshot("people-keyworker-edited")

        # The coordinator deactivates them...
        page.get_by_role("radio", name="Everyone").or_(page.get_by_role("button", name="Everyone")).click()
        wait_for_app(page)
        choose(page, page.get_by_role("combobox", name="Person"), "Kim Keyworker (kim)")
        page.get_by_role("button", name="Deactivate").click()
        page.get_by_text("Kim Keyworker is deactivated and signed out everywhere.").wait_for()
        lead.screenshot("people-deactivated")
        # ...and the keyworker's next click asks them to sign in.
        other.get_by_role("link", name="Edit this entry").click()
        other.get_by_text("Please sign in to change entries.").wait_for()
        other.get_by_role("heading", name="Edit an entry").wait_for()
        kim.screenshot("people-keyworker-signed-out")
        assert not lead.errors and not kim.errors, (lead.errors, kim.errors)
