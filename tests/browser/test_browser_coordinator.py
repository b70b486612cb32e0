"""A coordinator's walkthrough in Chromium, tried as a new user would (issue 5): sign in, read the three stalest
organisations on "Stale entries", merge a planted duplicate on "Duplicates", and download the gap table for one
kind of provision on "Coverage and gaps". Every step goes through the menu, as a person clicks; the results are
read back through the directory's own API. The walkthrough is timed, and each page saved to tests/screenshots/.

Its own server and database: the session's shared server serves tests that expect the fixture unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from tests.browser.conftest import app_over, assert_page_found, offline_tab
from tests.browser.test_browser import MAP_FRAME, wait_for_app
from tests.browser.test_browser_coverage import choose, open_from_menu

USERNAME, PASSWORD = "lead", "coordinator passphrase"
WALKTHROUGH_BUDGET_S = 60.0

# The fixture's own stale entries (the markup organisation: 1 never checked; Green Tees: 1 checked 400 days
# ago) and those planted here: Old Town Trust 3 never checked, Riverside Hub 2 checked 300 and 500 days ago.
STALEST_THREE = ["Old Town Trust", "Riverside Hub", "<b>Org</b> & Co"]

# Volunteering: the fixture's one garden in TS3, so every other district around the directory is a gap,
# farthest first (distances from the middle of each district's outline, in km).
VOLUNTEERING_GAPS = [
    "area,nearest_id,nearest_name,nearest_organisation,nearest_km",
    *(f"{area},garden-ts3,Community Garden Volunteers,Green Tees,{km}" for area, km in [
        ("TS21", "16.58"), ("TS22", "12.73"), ("TS16", "12.13"), ("TS19", "10.2"), ("TS20", "8.95"),
        ("TS23", "8.06"), ("TS18", "8.05"), ("TS17", "7.0"), ("TS2", "5.18"), ("TS8", "4.59"), ("TS6", "3.92"),
        ("TS1", "3.77"), ("TS5", "3.72"), ("TS7", "3.15"), ("TS4", "1.59")]),
]


def plant(directory, today: dt.date) -> None:
    """Stale organisations and one duplicate of the fixture's ESOL class (same place, same organisation)."""
    for i, name in enumerate(("Breakfast Club", "Walking Group", "Peer Support Evening"), 1):
        directory.create({"id": f"old-{i}", "name": name, "organisation": "Old Town Trust",
                          "category": "recovery_support", "postcode": "TS1 3BA"}, "bob")
    for i, name, days in ((1, "Tenancy Advice", 300), (2, "Housing Options Drop-in", 500)):
        directory.create({"id": f"river-{i}", "name": name, "organisation": "Riverside Hub", "category": "housing",
                          "postcode": "TS3 0AA", "last_verified": today - dt.timedelta(days=days)}, "alice")
    directory.create({"id": "esol-ts1-copy", "name": "ESOL for beginners",
                      "organisation": "Middlesbrough Community Learning", "category": "basic_skills",
                      "postcode": "TS1 3BA", "cost": "free", "contact_phone": "01642 999999",
                      "last_verified": today - dt.timedelta(days=10)}, "bob")


@pytest.fixture(scope="module")
def coordinator_app():
    """(app address, database url): the fixture directory, the planted entries and a coordinator account."""
    from directory.accounts import create_user
    from directory.api import Directory
    from tests.browser.fixture_entries import seed

    def prepare(url: str) -> None:
        seed(url)
        directory = Directory(url)
        plant(directory, dt.date.today())
        create_user(directory, USERNAME, "Forum Lead", "coordinator", password=PASSWORD)
        directory.engine.dispose()

    with app_over(prepare, "rp-browser-coordinator-") as served:
        yield served


@pytest.fixture
def coordinator(browser, coordinator_app):
    base, url = coordinator_app
    with offline_tab(browser, base) as view:
        yield view, url


def main_text(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"]').inner_text()


def first_column(page, table_index: int = 0) -> list[str]:
    """The first cell of each row of a table: st.dataframe draws on a canvas and keeps an accessible grid of the
    rows on screen beside it, hidden from sight but not from screen readers."""
    rows = page.locator('[data-testid="stDataFrame"]').nth(table_index).locator('[role="row"]')
    cells = [rows.nth(i).locator('[role="gridcell"]').first for i in range(1, rows.count())]
    return [(cell.text_content() or "").strip() for cell in cells]


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/sign_in")
    wait_for_app(page)
    assert_page_found(page)
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in as Forum Lead").wait_for()


def choose_kind(page, label: str) -> None:
    """Pick a kind of provision on "Coverage and gaps", and wait until the whole page is drawn for it: the caption
    under "Within reach" comes after the gap table's download button, and the previous map is gone."""
    choose(page, "Kind of provision", label)
    page.get_by_role("heading", name=f"Areas with no {label}").wait_for()
    page.get_by_text(f"within 3 km of a local {label} entry").wait_for()
    page.wait_for_function(f"() => document.querySelectorAll('{MAP_FRAME}').length === 1")
    wait_for_app(page)


def download_text(page, button: str) -> tuple[str, str]:
    """(suggested file name, text) of what the button downloads."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    download = download_info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8-sig")


def test_a_coordinator_finds_the_stalest_merges_a_duplicate_and_downloads_the_gap_table(coordinator):
    from directory.api import Directory

    offline, url = coordinator
    page, base = offline.page, offline.app_url
    started = time.perf_counter()
    sign_in(page, base)

    # The three stalest organisations, in order, as shown (the markup one as text).
    open_from_menu(page, "Stale entries")
    page.get_by_role("heading", name="Stalest organisations").wait_for()
    page.locator('[data-testid="stDataFrame"] [role="gridcell"]').first.wait_for(state="attached")
    assert first_column(page)[:3] == STALEST_THREE
    assert "7 of 15" in main_text(page)
    offline.screenshot("coordinator-stale")

    # Merge the planted duplicate into the original.
    open_from_menu(page, "Duplicates")
    page.get_by_role("heading", name="ESOL for Beginners · ESOL for beginners").wait_for()
    offline.screenshot("coordinator-duplicates")
    page.get_by_role("button", name="Merge into the kept entry").click()
    page.get_by_text("Merged “ESOL for beginners” into “ESOL for Beginners”.").wait_for()
    wait_for_app(page)
    page.get_by_text("No likely duplicates.").wait_for()
    offline.screenshot("coordinator-merged")
    directory = Directory(url)
    try:
        merged, kept = directory.get("esol-ts1-copy"), directory.get("esol-ts1")
        assert (merged.archived, merged.merged_into) == (True, "esol-ts1")
        assert (kept.archived, kept.merged_into) == (False, None)
        assert [r.action for r in directory.history("esol-ts1-copy")] == ["merge", "create"]
        assert [r.action for r in directory.history("esol-ts1")] == ["merge", "create"]
    finally:
        directory.engine.dispose()

    # The gap table for one kind of provision.
    open_from_menu(page, "Coverage and gaps")
    choose_kind(page, "Volunteering")
    filename, text = download_text(page, "Download the gap table (CSV)")
    elapsed = time.perf_counter() - started

    assert filename == f"gaps-volunteering-{dt.date.today().isoformat()}.csv"
    assert text.splitlines() == VOLUNTEERING_GAPS
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    offline.screenshot("coordinator-coverage")
    assert not offline.errors, offline.errors
    print(f"\ncoordinator walkthrough (sign in, stalest three, merge, gap table download): {elapsed:.1f} s")
    assert elapsed < WALKTHROUGH_BUDGET_S


# Two made-up council areas split at longitude -1.27: Stockton's side and Middlesbrough's (with the garden).
SIDES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"LAD23CD": "X01", "LAD23NM": "Stockton side"},
     "geometry": {"type": "Polygon", "coordinates": [[[-1.40, 54.50], [-1.27, 54.50], [-1.27, 54.65], [-1.40, 54.65],
                                                      [-1.40, 54.50]]]}},
    {"type": "Feature", "properties": {"LAD23CD": "X02", "LAD23NM": "Middlesbrough side"},
     "geometry": {"type": "Polygon", "coordinates": [[[-1.27, 54.50], [-1.15, 54.50], [-1.15, 54.65], [-1.27, 54.65],
                                                      [-1.27, 54.50]]]}},
]}


def test_a_coordinator_counts_provision_in_boundaries_they_upload(coordinator, tmp_path):
    from directory.api import Directory

    offline, url = coordinator
    page, base = offline.page, offline.app_url
    page.goto(base)
    wait_for_app(page)
    sign_in(page, base)
    open_from_menu(page, "Coverage and gaps")
    page.get_by_text("Boundaries I upload").click()
    page.get_by_text("Upload the boundaries of your areas").wait_for()
    boundaries = tmp_path / "sides.geojson"
    boundaries.write_text(json.dumps(SIDES))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(boundaries))
    page.get_by_text("sides.geojson").wait_for()
    wait_for_app(page)
    choose_kind(page, "Volunteering")

    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics == ["2", "1", "1"]  # areas, areas with none, entries counted
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.rp-provider").first.wait_for()
    assert frame.locator("path.rp-area").count() == 2 and frame.locator("path.rp-provider").count() == 1
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    offline.screenshot("coordinator-coverage-uploaded")

    _name, gaps = download_text(page, "Download the gap table (CSV)")
    assert gaps.splitlines() == ["area,nearest_id,nearest_name,nearest_organisation,nearest_km",
                                 "Stockton side,garden-ts3,Community Garden Volunteers,Green Tees,9.35"]
    filename, text = download_text(page, "Download areas with counts (GeoJSON)")
    assert filename == f"needs-assessment-areas-{dt.date.today().isoformat()}.geojson"
    features = json.loads(text)["features"]
    # Every local entry but the online class; the planted copy too unless the walkthrough merged it away.
    directory = Directory(url)
    try:
        copy_counts = 0 if directory.get("esol-ts1-copy").archived else 1
    finally:
        directory.engine.dispose()
    counted = [(f["properties"]["area"], f["properties"]["volunteering"], f["properties"]["basic_skills"],
                f["properties"]["total"]) for f in features]
    assert counted == [("Middlesbrough side", 1, 2 + copy_counts, 11 + copy_counts), ("Stockton side", 0, 1, 2)]
    assert [f["geometry"]["type"] for f in features] == ["Polygon", "Polygon"]
    assert not offline.errors, offline.errors
