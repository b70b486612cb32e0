"""The results map's clusters in Chromium: a cluster opens by zooming in, by mouse or keyboard, and entries
that share one address (a college's several courses) are listed, since no zoom can part them.

Its own server and database: four entries at one postcode, two more in the same town centre and one in
Stockton, so the first view has a cluster of distinct places and a cluster of one place.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import app_over, offline_tab
from tests.browser.test_browser import MAP_FRAME, wait_for_app

SAME_PLACE = ["Maths Entry 3", "English Functional Skills", "Digital Skills for Work", "<i>Budgeting</i> & You"]


def prepare(url: str) -> None:
    from directory.accounts import create_user
    from directory.api import Directory

    directory = Directory(url)
    create_user(directory, "alice", "Alice Khan", "editor")
    for i, name in enumerate(SAME_PLACE, 1):
        directory.create({"id": f"college-{i}", "name": name, "organisation": "Middlesbrough College",
                          "category": "training", "postcode": "TS1 3BA"}, "alice")
    for entry_id, postcode in (("near-1", "TS1 2AH"), ("near-2", "TS1 1AA"), ("stockton-1", "TS18 1AA")):
        directory.create({"id": entry_id, "name": f"Job Club {postcode}", "organisation": "Tees Works",
                          "category": "employment_support", "postcode": postcode}, "alice")
    directory.engine.dispose()


@pytest.fixture(scope="module")
def cluster_app():
    with app_over(prepare, "rp-browser-clusters-") as (base, _):
        yield base


def open_map(view):
    view.page.goto(f"{view.app_url}/?near=TS1+3BA&km=25")
    wait_for_app(view.page)
    frame = view.page.frame_locator(MAP_FRAME)
    frame.locator(".marker-cluster").first.wait_for()
    return frame


def counts(frame) -> list[int]:
    return sorted(int(t) for t in frame.locator(".marker-cluster span").all_inner_texts())


def test_a_cluster_opens_by_zooming_in_and_entries_at_one_address_are_listed(browser, cluster_app):
    with offline_tab(browser, cluster_app) as view:
        frame = open_map(view)
        # The town centre's six results are one cluster, Stockton's one a marker of its own.
        assert counts(frame) == [6]
        assert frame.locator(".rp-pin").count() == 1
        assert frame.locator(".marker-cluster").get_attribute("title") == "6 results here: select to zoom in"
        zoom = "() => Object.values(window).find(v => v instanceof L.Map).getZoom()"
        zooms = [frame.locator("body").evaluate(zoom)]
        # Each click zooms in to where the cluster parts, until only the college's four are left together
        # (the Job Clubs are 400-600 m from it, so it takes a few).
        while counts(frame) != [4] and len(zooms) < 8:
            frame.locator(".marker-cluster").first.click()
            for _ in range(50):  # the zoom is animated
                view.page.wait_for_timeout(100)
                if frame.locator("body").evaluate(zoom) > zooms[-1] and not frame.locator(".leaflet-zoom-anim").count():
                    break
            zooms.append(frame.locator("body").evaluate(zoom))
        assert counts(frame) == [4] and zooms == sorted(set(zooms)) and 2 <= len(zooms) <= 8, zooms
        assert frame.locator(".rp-pin").count() >= 1  # a Job Club, parted from the cluster

        # The four share one address: Enter on the focused cluster (as a keyboard user would) lists them.
        cluster = frame.locator(".marker-cluster").first
        assert cluster.get_attribute("title") == "4 results at one place: select to list them"
        cluster.focus()
        cluster.press("Enter")
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator("b").inner_text() == "4 results at this place"
        assert sorted(popup.locator("li a").all_inner_texts()) == sorted(SAME_PLACE)  # markup shown as text
        hrefs = sorted(popup.locator("li a").evaluate_all("links => links.map(a => a.getAttribute('href'))"))
        assert [h.rsplit("/", 1)[-1] for h in hrefs] == [f"entry?id=college-{i}" for i in range(1, 5)]
        assert popup.locator("i").count() == 0  # the entry named <i>Budgeting</i> made no element
        view.page.wait_for_timeout(400)  # the popup fades in
        view.screenshot("browser-cluster-same-place")

        # A single result opens its popup from the keyboard too.
        pin = frame.locator(".rp-pin").first
        name = pin.get_attribute("aria-label").split(",")[0]
        assert name.startswith("Job Club TS1")
        pin.focus()
        pin.press("Enter")
        frame.locator(".leaflet-popup-content b", has_text=name).wait_for()
        assert frame.locator(".leaflet-popup-content a", has_text="Open full entry").count() == 1
        assert not view.errors, view.errors


@pytest.fixture(scope="module")
def national_app():
    """The same entries, with the map told that more than 3 results are many: the server clusters them."""
    previous = os.environ.get("RP_MAP_BROWSER_CLUSTER_LIMIT")
    os.environ["RP_MAP_BROWSER_CLUSTER_LIMIT"] = "3"
    try:
        with app_over(prepare, "rp-browser-national-") as (base, _):
            yield base
    finally:
        if previous is None:
            os.environ.pop("RP_MAP_BROWSER_CLUSTER_LIMIT", None)
        else:
            os.environ["RP_MAP_BROWSER_CLUSTER_LIMIT"] = previous


def test_a_map_with_many_results_asks_the_server_for_each_view_and_zooms_in_to_single_results(browser, national_app):
    with offline_tab(browser, national_app) as view:
        asked = []
        view.page.on("request", lambda r: asked.append(r.url) if "/map/view" in r.url else None)
        frame = open_map(view)
        assert "Supercluster" not in frame.locator("body").evaluate("() => Object.keys(window).join(' ')")
        assert frame.locator("body").evaluate("() => window.rp_results.total") == 7
        # axe in the map's frame as the server's clusters drew it: no serious or critical violation (labels,
        # contrast, the frame's viewport may be zoomed).
        from axe_playwright_python.sync_playwright import Axe

        from tests.browser.test_axe import BLOCKING, run_axe

        [map_frame] = [f for f in view.page.main_frame.child_frames if "streamlit_folium" in f.url]
        violations = run_axe(map_frame, Axe().axe_script)
        assert not [v["id"] for v in violations if v["impact"] in BLOCKING], violations
        zoom = "() => Object.values(window).find(v => v instanceof L.Map).getZoom()"
        # Zoomed in by selecting clusters (from the keyboard: Enter on the focused cluster) until the college's
        # four, at one address, are the only cluster left and the Job Clubs are pins of their own.
        for _ in range(12):
            titles = frame.locator(".marker-cluster").evaluate_all("cs => cs.map(c => c.getAttribute('title'))")
            if titles == ["4 results at one place: select to list them"]:
                break
            before = frame.locator("body").evaluate(zoom)
            cluster = frame.locator(".marker-cluster", has_text="").first
            cluster.focus()
            cluster.press("Enter")
            for _ in range(50):
                view.page.wait_for_timeout(100)
                if frame.locator("body").evaluate(zoom) > before and not frame.locator(".leaflet-zoom-anim").count():
                    break
            view.page.wait_for_timeout(300)  # the view's answer
        assert titles == ["4 results at one place: select to list them"], titles
        assert asked and all("set=" in u and "bbox=" in u and "zoom=" in u for u in asked), asked
        names = sorted(frame.locator(".rp-pin").evaluate_all("ps => ps.map(p => p.getAttribute('aria-label'))"))
        assert names[:2] == ["Job Club TS1 1AA, Employment support (job clubs, CVs, interviews)",
                             "Job Club TS1 2AH, Employment support (job clubs, CVs, interviews)"], names
        assert frame.locator(".rp-pin span", has_text="J").count() == len(names)  # the category's mark

        cluster = frame.locator(".marker-cluster").first
        cluster.focus()
        cluster.press("Enter")
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator("b").inner_text() == "4 results at this place"
        assert sorted(popup.locator("li a").all_inner_texts()) == sorted(SAME_PLACE)  # markup shown as text
        assert popup.locator("i").count() == 0
        # A single result's popup, from the keyboard.
        pin = frame.locator(".rp-pin").first
        pin.focus()
        pin.press("Enter")
        frame.locator(".leaflet-popup-content a", has_text="Open full entry").wait_for()
        view.screenshot("browser-national-map-zoomed-in")
        assert not view.errors, view.errors
