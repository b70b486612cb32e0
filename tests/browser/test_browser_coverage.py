"""The coverage page in Chromium with the internet cut off (see conftest.py): the choropleth draws from the app's
own Leaflet, a coordinator can pick a kind of provision and download the gap table.

Screenshots go to tests/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import urllib.parse

from tests.browser.conftest import assert_page_found
from tests.browser.test_browser import MAP_FRAME, TILE_HOSTS, wait_for_app

USERNAME, PASSWORD = "lead", "a long enough passphrase"


def sign_in_as_coordinator(page, app_url: str) -> None:
    """The fixture has editors only, so the first coordinator is created as on a new installation
    (or signed in, if an earlier test in this session created them)."""
    page.goto(f"{app_url}/sign_in")
    wait_for_app(page)
    assert_page_found(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    if main.get_by_text("New installation").count():
        form = page.locator('[data-testid="stForm"]').first
        form.get_by_role("textbox", name="Username").fill(USERNAME)
        form.get_by_role("textbox", name="Your name, as others will see it").fill("Forum Lead")
        form.get_by_role("textbox", name="Password").fill(PASSWORD)
        form.get_by_role("button", name="Create coordinator account").click()
    else:
        page.get_by_role("textbox", name="Username").fill(USERNAME)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in as").wait_for()


def open_from_menu(page, title: str) -> None:
    """Through the menu (a fresh page load would start a new session, signed out)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    wait_for_app(page)
    assert_page_found(page)


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_the_coverage_choropleth_renders_offline_and_the_gap_table_downloads(offline):
    page = offline.page
    sign_in_as_coordinator(page, offline.app_url)
    open_from_menu(page, "Coverage and gaps")
    choose(page, "Kind of provision", "English, maths, ESOL & digital")
    page.get_by_role("heading", name="Areas with no English, maths, ESOL & digital").wait_for()

    # One map: the one drawn for the kind chosen (the previous one is gone once the run has finished).
    page.wait_for_function(f"() => document.querySelectorAll('{MAP_FRAME}').length === 1")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for()
    frame.locator("path.rp-provider").first.wait_for()
    # Every postcode district around the directory is a polygon; the three ESOL classes one can go to are dots
    # (the online one is not local provision).
    assert frame.locator("path.rp-area").count() == 16
    assert frame.locator("path.rp-provider").count() == 3
    filled = frame.locator("path.rp-area").evaluate_all("paths => paths.map(p => p.getAttribute('fill'))")
    assert "#f2c4bb" in filled and "#c6dbef" in filled  # areas with none, and areas with one
    frame.locator("path.rp-provider").first.hover()
    assert frame.locator(".leaflet-tooltip").first.inner_text().strip().startswith("ESOL")
    outside = [u for u in offline.blocked if urllib.parse.urlsplit(u).hostname not in TILE_HOSTS]
    assert outside == [], outside
    assert not offline.errors, offline.errors
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    offline.screenshot("browser-coverage")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the gap table (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("gaps-basic_skills-")
    text = open(download.path(), encoding="utf-8-sig").read()
    lines = text.splitlines()
    assert lines[0] == "area,nearest_id,nearest_name,nearest_organisation,nearest_km"
    assert len(lines) == 1 + 13  # 16 districts, 3 with an ESOL class (TS1, TS5, TS18)


def test_a_gdal_vrt_uploaded_as_boundaries_reads_nothing(offline, tmp_path):
    """Security finding 1, as an attacker tried it: a GDAL VRT named wards.geojson that reads the server's
    /etc/passwd is refused with the plain message; no line of the file reaches the page."""
    page = offline.page
    sign_in_as_coordinator(page, offline.app_url)
    open_from_menu(page, "Coverage and gaps")
    page.get_by_text("Boundaries I upload").click()
    wait_for_app(page)
    hostile = tmp_path / "wards.geojson"
    hostile.write_text('<OGRVRTDataSource><OGRVRTLayer name="passwd"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
                       '<SrcSQL>SELECT field_1 AS name, \'POLYGON((0 0,1 0,1 1,0 0))\' AS wkt FROM passwd</SrcSQL>'
                       '<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>')
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(hostile))
    page.get_by_text("We could not read 'wards.geojson' as map boundaries").wait_for()
    wait_for_app(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    assert "root:x:0:0" not in main.inner_text() and "root" not in main.inner_text()
    assert not offline.errors, offline.errors
    offline.screenshot("browser-coverage-hostile-upload")
