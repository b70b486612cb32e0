"""An area-wide service on the Find map in Chromium: drawn as its area (a translucent circle and a label), not a
pin, and its label reached and opened from the keyboard like the pins.

Its own server and database: an outreach team with no place to attend serving "TS17" (its area kept as the
importer keeps a feed's service_areas), and a job club at TS1 3BA.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import app_over, offline_tab
from tests.browser.test_browser import MAP_FRAME, wait_for_app


def prepare(url: str) -> None:
    from directory.accounts import create_user
    from directory.api import Directory

    directory = Directory(url)
    create_user(directory, "alice", "Alice Khan", "editor")
    directory.create({"id": "outreach", "name": "Thornaby <i>Outreach</i>", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "delivery": ("outreach",)}, "alice")
    directory.create({"id": "club", "name": "Job Club", "organisation": "Tees Works",
                      "category": "employment_support", "postcode": "TS1 3BA"}, "alice")
    with directory.unit_of_work() as uow:
        uow.harvest.set_areas("outreach", ["TS17"])
        uow.directory_changed()
        uow.commit()
    directory.engine.dispose()


@pytest.fixture(scope="module")
def areas_app():
    with app_over(prepare, "rp-browser-areas-") as (base, _):
        yield base


def test_an_area_wide_service_is_drawn_as_its_area_and_opened_from_the_keyboard(browser, areas_app):
    with offline_tab(browser, areas_app) as view:
        view.page.goto(f"{view.app_url}/?near=TS17+0AA&km=1")
        wait_for_app(view.page)
        from playwright.sync_api import expect

        # The cards are drawn after the app answers (a busy machine drew none yet when counted at once).
        expect(view.page.locator(".rp-dist", has_text="covers your area")).to_have_count(1, timeout=60_000)
        frame = view.page.frame_locator(MAP_FRAME)
        label = frame.locator(".rp-area")
        label.wait_for()
        assert label.count() == 1 and frame.locator(".rp-pin").count() == 0  # the job club is 7 km away
        assert label.inner_text() == "Thornaby <i>Outreach</i> · TS17"      # markup shown as text
        assert label.get_attribute("aria-label") == ("Thornaby <i>Outreach</i>, Recovery support (mutual aid, "
                                                     "recovery cafés, peer groups), covers TS17")
        # The area's circle and the search's radius are both drawn (the area's filled, the radius not).
        fills = frame.locator(".leaflet-overlay-pane path").evaluate_all(
            "paths => paths.map(p => p.getAttribute('fill-opacity'))")
        assert fills.count("0.12") == 1, fills
        # axe in the map's frame with the area drawn: no serious or critical violation (the label's contrast, name).
        from axe_playwright_python.sync_playwright import Axe

        from tests.browser.test_axe import BLOCKING, run_axe

        [map_frame] = [f for f in view.page.main_frame.child_frames if "streamlit_folium" in f.url]
        violations = run_axe(map_frame, Axe().axe_script)
        assert not [v["id"] for v in violations if v["impact"] in BLOCKING], violations
        label.focus()
        label.press("Enter")
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.inner_text().startswith("Thornaby <i>Outreach</i>\nRecovery support")
        assert "covers TS17" in popup.inner_text()
        assert popup.locator("a", has_text="Open full entry").get_attribute("href").endswith("entry?id=outreach")
        view.page.wait_for_timeout(400)  # the popup fades in
        view.screenshot("browser-area-wide-service")
        assert not view.errors, view.errors
