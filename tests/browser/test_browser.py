"""Find and entry pages in Chromium with the internet cut off (see conftest.py).

Screenshots go to tests/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import re
import urllib.parse

from tests.browser.fixture_entries import HOSTILE_ID, HOSTILE_NAME

MAP_FRAME = 'iframe[src*="streamlit_folium.st_folium"]'
TILE_HOSTS = ("tile.openstreetmap.org",)


def wait_for_app(page) -> None:
    """Until the script run has finished (the status widget is gone) and the page has content."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stElementContainer\"]').length > 3")
    page.wait_for_timeout(300)


def map_frame(page):
    page.wait_for_selector(MAP_FRAME)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for()
    return frame


def results_on_map(page, expected: list[str]) -> list[str]:
    """Entry ids of the markers in the map's results layer (clustered or not), once they are `expected`
    (the map updates a moment after the list), or what they are after the timeout."""
    frame = page.wait_for_selector(MAP_FRAME).content_frame()
    script = "() => window.rp_results ? window.rp_results.entryIds().sort() : null"
    wanted = json.dumps(json.dumps(sorted(expected), separators=(",", ":")))
    try:
        frame.wait_for_function(f"() => JSON.stringify(({script})()) === {wanted}", timeout=10_000)
    except Exception:
        pass
    return frame.evaluate(script)


def list_names(page) -> list[str]:
    return page.locator(".rp-card .rp-title").evaluate_all(
        "cards => cards.map(c => Array.from(c.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent)"
        ".join('').trim())")


def test_a_shared_entry_link_opens_properly_as_the_first_request(offline):
    # Run first: straight after the server starts, Streamlit would otherwise run pages/entry.py
    # on its own (old-style multipage app) and list every module in pages/ as a page.
    page = offline.page
    page.goto(f"{offline.app_url}/entry?id=esol-ts1")
    wait_for_app(page)
    page.get_by_role("heading", name="ESOL for Beginners").wait_for()
    # The menu is app.py's: no helper module of pages/ is listed as a page.
    menu = page.locator('[data-testid="stSidebarNav"]').inner_text().lower()
    assert not any(module in menu for module in ("ui", "maps", "auth", "find support", "find_support"))
    assert page.locator(".rp-desc p", has_text="Friendly English classes for beginners.").is_visible()
    frame = map_frame(page)
    frame.locator(".rp-pin").first.wait_for()
    offline.screenshot("browser-entry")


def test_the_map_draws_its_markers_without_the_internet(offline):
    page = offline.page
    page.goto(f"{offline.app_url}/?near=TS1&km=25")
    wait_for_app(page)
    frame = map_frame(page)
    frame.locator(".rp-pin, .marker-cluster").first.wait_for()
    assert frame.locator(".rp-pin").count() + frame.locator(".marker-cluster").count() > 0
    assert frame.locator(".rp-district").count() > 0, "no postcode-district outlines"
    assert frame.locator(".rp-client").count() == 1
    # Leaflet and the clustering script came from the app; the only things asked of the internet were tiles.
    assert frame.locator("body").evaluate("() => typeof L.map + ' ' + typeof Supercluster") == "function function"
    outside = [u for u in offline.blocked if urllib.parse.urlsplit(u).hostname not in TILE_HOSTS]
    assert outside == [], outside
    assert not offline.errors, offline.errors
    # The map's frame may be zoomed by people who need larger text (folium's header forbade it).
    viewports = frame.locator("body").evaluate(
        "() => [...document.querySelectorAll('meta[name=viewport]')].map(m => m.getAttribute('content'))")
    assert viewports and not [v for v in viewports if "user-scalable=no" in v or "maximum-scale" in v], viewports
    offline.screenshot("browser-map-offline")


def test_search_by_postcode_and_category(offline):
    page = offline.page
    page.goto(offline.app_url)
    wait_for_app(page)
    page.get_by_role("textbox", name="Client's postcode or area").fill("TS1 3BA")
    page.get_by_role("textbox", name="Client's postcode or area").press("Enter")
    wait_for_app(page)
    map_frame(page).locator(".rp-client").wait_for()
    # Mark the map's window: a new search must update the markers in place, not reload the map.
    page.wait_for_selector(MAP_FRAME).content_frame().evaluate("() => { window.rp_same_map = true; }")
    # The kinds of provision are one click away, below distance, day and cost.
    page.get_by_text("Kind of provision, delivery, recovery stage, benefits, who it's for").click()
    page.get_by_role("button", name="English, maths, ESOL & digital").click()
    page.get_by_text("3 results within 5 km of TS1 3BA", exact=False).wait_for()
    page.get_by_text("Kind of provision, delivery, recovery stage, benefits, who it's for (1 on)").wait_for()
    wait_for_app(page)
    # Nearest first; ESOL Entry 1 in Stockton is beyond the default 5 km.
    assert list_names(page) == ["ESOL for Beginners", "ESOL Conversation Club", "Online Digital Skills"]
    # The same results on the map (the online one has no place there).
    assert results_on_map(page, ["esol-ts1", "esol-ts5"]) == ["esol-ts1", "esol-ts5"]
    assert page.wait_for_selector(MAP_FRAME).content_frame().evaluate("() => window.rp_same_map") is True
    assert "near=TS1+3BA" in page.url and "cat=basic_skills" in page.url
    offline.screenshot("browser-search")


def test_the_first_result_is_in_sight_on_a_laptop_screen(offline):
    """1366 × 768 with the browser's own bars leaves about 657 pixels: a typed request's first result, its
    next session and its contact must be there without scrolling."""
    page = offline.page
    page.set_viewport_size({"width": 1366, "height": 657})
    page.goto(offline.app_url)
    wait_for_app(page)
    search = page.get_by_role("textbox", name="What are you looking for?")
    search.fill("esol within 3 km of TS1 3BA")
    search.press("Enter")
    page.get_by_text("results within 3 km of TS1 3BA", exact=False).wait_for()
    wait_for_app(page)
    # As the page first shows it: nothing scrolled (Playwright may have scrolled to what it typed into).
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
    first = page.locator(".rp-card").first
    assert first.inner_text().startswith("ESOL for Beginners")
    contact = first.locator(".rp-row", has_text="Contact:").bounding_box()
    offline.screenshot("browser-laptop-screen")
    assert contact["y"] + 20 <= 657, contact  # its first line of text: the contact's name and phone


def test_markup_in_an_entry_never_runs(offline):
    page = offline.page
    page.goto(f"{offline.app_url}/?near=TS1+1AA&km=1&cat=money_advice")
    wait_for_app(page)
    # The list shows the name as typed.
    page.locator(".rp-card .rp-title", has_text="Money Help").wait_for()
    assert HOSTILE_NAME in page.locator(".rp-card .rp-title").first.inner_text()
    # The popup too.
    frame = map_frame(page)
    frame.locator(".rp-pin").first.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    # One click opens it, with the map's bottom edge below the window: pressing the map no longer
    # scrolls the page under the pointer (which lost the click).
    frame.locator(".rp-pin").first.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert HOSTILE_NAME in popup.inner_text()
    assert popup.locator("a", has_text="Open full entry").get_attribute("href").endswith(f"/entry?id={HOSTILE_ID}")
    assert page.evaluate("window.scrollY") == scrolled
    frame.locator(".rp-pin").first.hover()
    assert frame.locator(".leaflet-tooltip").inner_text().strip() == HOSTILE_NAME
    # What a screen reader announces for the focused marker is the same text, not markup.
    assert frame.locator(".rp-pin").first.get_attribute("aria-label") == f"{HOSTILE_NAME}, Money, debt and benefits advice"
    offline.screenshot("browser-hostile-find")

    # The entry page: title, description, contact and history.
    page.goto(f"{offline.app_url}/entry?id={HOSTILE_ID}")
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile("Money Help")).wait_for()
    assert page.get_by_role("heading", level=1).inner_text().strip() == HOSTILE_NAME
    body = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Advice <img src=x onerror=alert(2)> and <script>alert(1)</script> **bold** [x](javascript:alert(3))" in body
    assert "<img src=x onerror=alert(4)>" in body
    assert page.locator('[data-testid="stMainBlockContainer"] img[src="x"]').count() == 0
    map_frame(page).locator(".rp-pin").first.wait_for()
    offline.screenshot("browser-hostile-entry")
    assert not offline.errors, offline.errors


def test_empty_state_widens_the_search(offline):
    page = offline.page
    page.goto(f"{offline.app_url}/?near=TS1+3BA&km=1&cat=volunteering")
    wait_for_app(page)
    page.get_by_text("Nothing within 1 km of TS1 3BA").wait_for()
    page.get_by_role("button", name="Widen to 5 km").click()
    page.locator(".rp-card .rp-title", has_text="Community Garden Volunteers").wait_for()
    assert results_on_map(page, ["garden-ts3"]) == ["garden-ts3"]
    offline.screenshot("browser-widened")


def _contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (the foreground's alpha taken over the background)."""
    def channels(colour):
        return [float(v) for v in re.findall(r"[\d.]+", colour)]

    fg, bg = channels(foreground), channels(background)[:3]
    alpha = fg[3] if len(fg) > 3 else 1.0
    mixed = [alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg)]

    def luminance(rgb):
        linear = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(mixed), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_captions_are_readable(offline):
    """Streamlit fades captions to 60% opacity (3.9:1 on white); WCAG 2.2 AA asks 4.5:1 of text."""
    page = offline.page
    page.goto(f"{offline.app_url}/entry?id=esol-ts1")
    wait_for_app(page)
    caption = page.locator('[data-testid="stCaptionContainer"]').first
    caption.wait_for()
    colour, opacity = caption.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).opacity]")
    assert opacity == "1"
    assert _contrast(colour, "rgb(255, 255, 255)") >= 4.5
