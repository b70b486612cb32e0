"""An employment specialist builds a plan with a client in Chromium: screening and profile on the Client page,
next steps (continuum, cards, map), one recommendation into the plan, and the large-print PDF downloaded
and rendered to PNG (tests/screenshots/planner-pdf-1.png) for a person to look at.

Its own server and database, with an employment specialist who has a password (the shared server's
users have none)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, ROOT, SCREENSHOTS, Offline, _free_port, _unavailable
from tests.browser.test_browser import wait_for_app

PASSWORD = "employment specialist passphrase"


@pytest.fixture(scope="module")
def planner_app_url():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    from directory.accounts import create_user
    from directory.api import Directory
    from tests.browser.fixture_entries import seed

    with tempfile.TemporaryDirectory(prefix="rp-browser-planner-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'directory.db'}"
        seed(url, hostile=False)
        directory = Directory(url)
        create_user(directory, "lead", "Forum Lead", "coordinator", password="coordinator passphrase")
        create_user(directory, "esther", "Esther Obi", "editor", password=PASSWORD, organisations=("Tees Works",))
        directory.engine.dispose()
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url}
        env.pop("RP_TILES_URL", None)
        log = open(Path(tmp) / "streamlit.log", "w")
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{(Path(tmp) / 'streamlit.log').read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
            log.close()


@pytest.fixture
def specialist(browser, planner_app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    view = Offline(page, planner_app_url)
    yield view
    context.close()
    assert not view.dialogs, f"a dialog opened: {view.dialogs}"


def test_an_employment_specialist_builds_a_plan_from_screening_to_pdf(specialist, tmp_path):
    page, base = specialist.page, specialist.app_url
    page.goto(base)  # the first request after a start goes through app.py's navigation
    wait_for_app(page)
    page.goto(f"{base}/sign-in")
    wait_for_app(page)
    specialist.screenshot("planner-sign-in")
    page.get_by_label("Username", exact=True).fill("esther")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in as Esther Obi").wait_for()

    # Screening and profile.
    page.get_by_role("link", name="Client", exact=True).click()
    page.get_by_role("heading", name="Client", exact=True).wait_for()
    wait_for_app(page)
    page.get_by_label("Reference (no names)").fill("C-0042")
    page.get_by_label("Postcode").fill("TS1 3BA")
    page.get_by_label("Travel limit (km)").fill("20")
    page.get_by_label("Travel limit (km)").press("Enter")
    wait_for_app(page)
    question = page.locator('[data-testid="stRadio"]', has_text="Is your first language anything other than English?")
    question.get_by_text("Yes", exact=True).click()
    wait_for_app(page)
    page.get_by_role("textbox", name="What", exact=True).first.fill("supervised consumption")
    page.get_by_role("textbox", name="From", exact=True).first.fill("09:00")
    page.get_by_role("textbox", name="To", exact=True).first.fill("10:00")
    page.get_by_role("textbox", name="To", exact=True).first.press("Enter")
    wait_for_app(page)
    for day in ("Mon", "Tue", "Wed"):
        page.locator('[data-testid="stMultiSelect"]').first.locator("input").click()
        page.keyboard.type(day)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_for_app(page)
    wait_for_app(page)
    specialist.screenshot("planner-client-form")
    page.get_by_role("button", name="Create client").click()
    page.get_by_text("Created client C-0042.").wait_for()
    wait_for_app(page)

    # Next steps: the continuum, the cards, the map; one into the plan.
    page.get_by_role("link", name="Next steps").click()
    page.get_by_role("heading", name="Next steps", exact=True).wait_for()
    wait_for_app(page)
    page.locator(".rp-step.now").wait_for()
    page.get_by_text("Recommended next steps").wait_for()
    page.wait_for_timeout(1500)  # the map's tiles are blocked; its markers draw
    specialist.screenshot("planner-next-steps")
    first_card = page.locator("h4").first.inner_text()
    page.get_by_role("button", name="Add to plan").first.click()
    page.get_by_text("to the action plan.").first.wait_for()
    wait_for_app(page)

    # The action plan and its PDF.
    page.get_by_role("link", name="Action plan").click()
    page.get_by_role("heading", name="Action plan", exact=True).wait_for()
    wait_for_app(page)
    assert first_card.strip() in page.inner_text("body")
    specialist.screenshot("planner-action-plan")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the plan (PDF, large print)").click()
    pdf = tmp_path / "plan.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not specialist.errors, specialist.errors

    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENSHOTS / "planner-pdf")], check=True)
        assert (SCREENSHOTS / "planner-pdf-1.png").exists()
