"""A referral that closes the loop, in Chromium on the demo area: the keyworker refers a client from a
next-step card to a college (consent: the reference only); the college's editor finds it in their inbox,
accepts it, later marks it started; the keyworker's plan and review show it started; the coordinator's
funnel counts it. Then a referral to a partner with nobody in the app, and its letter. Its own server."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, app_over, offline_tab
from tests.browser.test_browser import wait_for_app
from tests.browser.test_browser_planner import demo_account, open_from_menu, sign_in

CLIENT = Path(__file__).resolve().parents[1] / "fixtures" / "clients" / "03_construction_course.json"


@pytest.fixture(scope="module")
def referral_app():
    from directory.accounts import get_account
    from directory.api import Directory
    from directory.clients import ClientRecords
    from directory.demo import seed_demo

    def prepare(url: str) -> None:
        directory = Directory(url)
        seed_demo(directory)
        profile = json.loads(CLIENT.read_text())
        ref = profile.pop("ref")
        ClientRecords(directory).create(get_account(directory, "keyworker"), ref, profile)
        directory.engine.dispose()

    with app_over(prepare, "rp-browser-referrals-") as served:
        yield served


def card_with(page, course: str, organisation: str):
    """The next-step card (a bordered container) for `course` run by `organisation`: the innermost block
    holding both (blocks nest, outer ones first)."""
    return page.locator('[data-testid="stVerticalBlock"]').filter(
        has=page.get_by_role("heading", name=course, exact=True)).filter(has_text=organisation).last


def send_referral(page, card, agree_label: str, reason: str) -> None:
    from playwright.sync_api import expect

    # Cards are drawn one by one: until this one is, the innermost block holding the heading and the
    # organisation is the column of cards drawn so far (with a refer button for each).
    expect(card.get_by_text(re.compile(r"^Refer K-03 to "))).to_have_count(1, timeout=60_000)
    card.get_by_text(re.compile(r"^Refer K-03 to ")).click()
    card.get_by_text(agree_label).click()
    card.get_by_role("textbox", name="Why you are referring them").fill(reason)
    card.get_by_role("button", name="Send the referral").click()


def test_a_referral_closes_the_loop(browser, referral_app):
    base, _ = referral_app
    with offline_tab(browser, base, timeout_ms=30_000) as keyworker, \
            offline_tab(browser, base, timeout_ms=30_000) as college, \
            offline_tab(browser, base, timeout_ms=30_000) as lead:
        # The keyworker, from the client's next steps: a construction course at the college.
        page = keyworker.page
        sign_in(page, base, demo_account("keyworker"))
        open_from_menu(page, "Next steps")
        course = "Level 1 Certificate in Construction Skills"
        card = card_with(page, course, "Teesmouth College (demo)")
        send_referral(page, card, "K-03 agrees to be referred to Teesmouth College (demo)",
                      "Wants a construction qualification; was a labourer for six years.")
        card.get_by_text(re.compile(r"^Referral \d+ sent to Teesmouth College \(demo\)")).wait_for()
        number = re.search(r"Referral (\d+) sent", card.inner_text())[1]
        card.scroll_into_view_if_needed()
        keyworker.screenshot("referral-1-sent-from-a-card")

        # The college's editor: told on signing in, the inbox, then accepted and (later) started.
        other = college.page
        sign_in(other, base, demo_account("forum"))
        other.get_by_text("You have 1 referral waiting for your answer").first.wait_for()
        open_from_menu(other, "Referrals")
        other.get_by_role("button", name=f"Open referral {number}").click()
        other.get_by_text("Client reference:").wait_for()
        wait_for_app(other)
        body = other.inner_text("body")
        assert "K-03" in body and "was a labourer" in body and "Name:" not in body  # the reference only
        college.screenshot("referral-2-college-opens-it")
        for status in ("Accepted", "Started"):
            other.locator('[data-testid="stRadio"]').get_by_text(status, exact=True).click()
            other.get_by_role("button", name="Save").click()
            other.get_by_text("Saved: the referral's history").wait_for()
            wait_for_app(other)
        assert "Referral: Started" in other.inner_text("body")
        college.screenshot("referral-3-college-started-it")

        # The keyworker's plan shows it started, and the review keeps it.
        open_from_menu(page, "Action plan")
        page.get_by_text("Referral: Started").first.wait_for()
        keyworker.screenshot("referral-4-plan-shows-started")
        open_from_menu(page, "Reviews")
        page.get_by_role("button", name="Record review").click()
        page.get_by_text(re.compile(r"^Review of .* recorded\.")).wait_for()
        wait_for_app(page)
        page.get_by_text(re.compile(r"^\d+ \w+ \d{4} · ")).first.click()  # the review just recorded
        page.get_by_text(re.compile(rf"Referral to {course}.*: Started")).wait_for()
        keyworker.screenshot("referral-5-review-keeps-it")

        # The coordinator's funnel counts it.
        sign_in(lead.page, base, demo_account("coordinator"))
        open_from_menu(lead.page, "Referral funnel")
        from playwright.sync_api import expect

        metrics = lead.page.locator('[data-testid="stMetric"]')
        expect(metrics).to_have_count(6)  # all six drawn (a busy machine draws them one by one)
        expect(metrics.first).to_contain_text("Sent")
        assert [" ".join(t.split()) for t in metrics.all_inner_texts()[:3]] == ["Sent 1", "Accepted 1", "Started 1"]
        lead.screenshot("referral-6-funnel")

        # A partner with nobody in the app: the referral is recorded and its letter printed for them.
        open_from_menu(page, "Next steps")
        card = card_with(page, "Health and safety test and CSCS card course", "Ahmed Site Training Ltd")
        send_referral(page, card, "K-03 agrees to be referred to Ahmed Site Training Ltd", "Needs a CSCS card for site work.")
        card.get_by_text("who have nobody in the app yet").wait_for()
        with page.expect_download() as download:
            card.get_by_role("button", name="Referral letter (PDF)").click()
        letter = SCREENSHOTS / "referral-letter.pdf"
        download.value.save_as(letter)
        pdf_to_png(letter, SCREENSHOTS / "referral-7-letter.png")
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() for p in PdfReader(letter).pages)
        assert "K-03" in text and "Needs a CSCS card for site work." in text and "Ahmed Site Training Ltd" in text
        keyworker.screenshot("referral-8-no-accounts-partner")
        assert not keyworker.errors and not college.errors and not lead.errors


def pdf_to_png(pdf: Path, png: Path) -> None:
    """The first page as an image, to look at (poppler-utils' pdftoppm, installed by .ci/run)."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(png.with_suffix(""))], check=True)

