"""axe-core on every page of the app in Chromium (issue 19: "axe-core in CI"), signed out, as an editor and as a
coordinator: no serious or critical violation of WCAG 2.0, 2.1 or 2.2 at level A or AA, on the page itself or in
the map's frame (streamlit-folium draws the Leaflet map in an iframe; axe is injected and run in it too).

The axe is the one packaged in axe-playwright-python (pinned in requirements-test.txt; it bundles axe-core 4.4.3,
which predates the few rules made for WCAG 2.2, so the wcag22a/wcag22aa tags select nothing yet). Heading order
(axe's `heading-order`, a best practice rather than a WCAG rule) is checked beside them, as issue 19 asks.

Every page comes from app.py's own list (a page added there is checked here without anyone remembering to). One
server for the whole module, on the demo area and its accounts, with a client, a plan item and a review for each
signed-in account so the planner pages show everything they can. A failure prints each violation's rule, impact,
help and the elements it was found on; every page is saved to tests/screenshots/axe-<role>-<page>.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import ROOT, app_over, assert_page_found, offline_tab
from tests.browser.test_browser import MAP_FRAME, wait_for_app
from tests.browser.test_browser_planner import demo_account, sign_in

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}
EXTRA_RULES = ["heading-order"]  # asserted too, whatever its impact (axe calls it moderate)

# A role's account in the demo area (None: signed out).
ROLES = {"signed-out": None, "editor": "keyworker", "coordinator": "coordinator"}


def app_pages() -> tuple[list[str], str]:
    """Every page file app.py registers (its name is its address), and the default page (served at /)."""
    source = (ROOT / "app.py").read_text()
    files = re.findall(r'"(?:pages/)?(\w+)\.py"', source)
    default = re.search(r'default=(?:file == )?"(?:pages/)?(\w+)\.py"|"pages/(\w+)\.py"[^)]*default=True', source)
    assert files and default, "app.py's pages or its default page not found"
    return list(dict.fromkeys(files)), default.group(1) or default.group(2)


def audiences() -> dict[str, str]:
    """Who app.py's menu shows each page to, by page file: "None" (anyone), "hidden", "EDITOR", "COORDINATOR"
    (empty if app.py no longer says it that way: then every page is checked in every role)."""
    found = re.findall(r'\(\s*"[^"]*",\s*"(\w+)\.py",\s*"[^"]*",\s*"[^"]*",\s*"?(\w+)"?\s*\)',
                       (ROOT / "app.py").read_text())
    return dict(found)


def cases() -> list[tuple[str, str]]:
    """(role, page) to check. The coordinator sees every page. A page someone may not use shows them the same thing
    on every such page (signed out, the inline sign-in form of ui/auth.py; an editor, the refusal), so that is checked
    on the first of them only: two minutes for the module on a 2-core machine, not three."""
    (pages, _), audience = app_pages(), audiences()
    kept = {"signed-out": {None, "hidden"}, "editor": {None, "hidden", "EDITOR"}, "coordinator": None}
    found = []
    for role, allowed in kept.items():
        refused_once = False
        for page in pages:
            who = audience.get(page, "None")
            who = None if who == "None" else who
            if allowed is not None and who not in allowed and audience:
                if refused_once:
                    continue
                refused_once = True
            found.append((role, page))
    return found


CASES = cases()


@pytest.fixture(scope="module")
def axe_app():
    """(app address, a demo entry's id): the demo area, with a client record (plan item, review) for each signed-in
    role's account, so every planner page has a client to show."""
    from directory.accounts import get_account
    from directory.api import Directory
    from directory.clients import ClientRecords
    from directory.demo import seed_demo

    found = {}

    def prepare(url: str) -> None:
        directory = Directory(url)
        seed_demo(directory)
        found["entry"] = directory.search("esol", None, limit=1)[0].entry.id
        records = ClientRecords(directory)
        for number, username in enumerate(u for u in ROLES.values() if u):
            account = get_account(directory, username)
            ref = f"C-{number + 1:04d}"
            record = records.create(account, ref, {"ref": ref, "stage": "stabilising", "postcode": "TS1 3BA"})
            records.add_action(account, record.id, "Ring the job club to book a first visit", "keyworker",
                               due=dt.date.today() + dt.timedelta(days=7), entry_id=found["entry"])
            records.add_review(account, record.id, dt.date.today(), ["client", "keyworker"], "stabilising",
                               None, None, None, "Keep going to the job club", [])
        directory.engine.dispose()

    with app_over(prepare, "rp-browser-axe-") as (base, _):
        yield base, found["entry"]


@pytest.fixture(scope="module")
def tab(request, browser, axe_app):
    """One tab per role for all its pages (the session cookie keeps it signed in across page loads)."""
    base, _ = axe_app
    with offline_tab(browser, base, timeout_ms=30_000) as view:
        if ROLES[request.param]:
            sign_in(view.page, base, demo_account(ROLES[request.param]))
        yield request.param, view


DEFAULT_PAGE = app_pages()[1]


def address(base: str, page: str, entry_id: str) -> str:
    query = f"?id={entry_id}" if page in ("entry", "edit_entry") else ""
    return f"{base}/{'' if page == DEFAULT_PAGE else page}{query}"


# axe-core 4.4 checks ARIA 1.1, which required aria-valuenow on a spinbutton; ARIA 1.2 (the WCAG 2.2 reference)
# asks for it only when there is a value, so an empty date box ("By", no due date yet: aria-valuetext "Empty") is
# valid. axe-core 4.5 made the same change (dequelabs/axe-core#3505); this gives the bundled 4.4.3 ARIA 1.2's
# spinbutton (aria-valuenow supported, not required), and nothing else.
ARIA_1_2 = """axe.configure({standards: {ariaRoles: {spinbutton: {requiredAttrs: [], allowedAttrs: [
    "aria-valuenow", "aria-valuemax", "aria-valuemin", "aria-readonly", "aria-required", "aria-activedescendant",
    "aria-valuetext"]}}}})"""


def run_axe(frame, script: str) -> list[dict]:
    """axe.run in one document (its child frames are run on their own), WCAG A and AA rules plus EXTRA_RULES."""
    if not frame.evaluate("() => typeof window.axe === 'object'"):
        frame.evaluate(script)
        frame.evaluate(ARIA_1_2)
    options = {
        "runOnly": {"type": "tag", "values": WCAG_A_AA},
        "rules": {rule: {"enabled": True} for rule in EXTRA_RULES},
        "resultTypes": ["violations"],
        "iframes": False,
    }
    return frame.evaluate("options => axe.run(document, options).then(results => results.violations)", options)


def report(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        lines.extend(f"    {' >> '.join(map(str, node['target']))}: {node['html'][:160]}" for node in v["nodes"])
    return lines


@pytest.mark.parametrize(("tab", "page_name"), CASES, indirect=["tab"],
                         ids=[f"{role}-{page}" for role, page in CASES])
def test_no_serious_or_critical_accessibility_violations(tab, axe_app, page_name):
    from axe_playwright_python.sync_playwright import Axe

    role, view = tab
    base, entry_id = axe_app
    page = view.page
    page.goto(address(base, page_name, entry_id))
    wait_for_app(page)
    assert_page_found(page)
    maps = page.locator(MAP_FRAME)

    def wait_for_maps() -> None:
        for i in range(maps.count()):
            page.frame_locator(MAP_FRAME).nth(i).locator(".leaflet-container").wait_for()

    wait_for_maps()
    wait_for_app(page)
    # The app's own corrections arrive with the page's run (ui/bootstrap.py): on a busy machine axe could
    # otherwise look at Streamlit's menu before the script gives it valid markup, and before the style is in.
    page.wait_for_function("""() => {
        const menu = document.querySelector('ul[data-testid="stSidebarNavItems"]');
        const styled = [...document.querySelectorAll('style')].some(s => s.textContent.includes('#5f5d5b'));
        return styled && (!menu || menu.getAttribute('role') === 'none'
                          || [...menu.children].every(child => child.tagName === 'LI'));
    }""")

    script = Axe().axe_script
    found = {"page": run_axe(page.main_frame, script)}
    # A map the page drew after the first look (a busy machine mounts its frame late) is loaded before its
    # frame is taken: a frame still being made has no address yet (CI, 2026-12-07: 0 frames for 1 map).
    wait_for_maps()
    frames = [f for f in page.main_frame.child_frames if f.url.startswith(base)]
    assert len(frames) >= maps.count()
    for number, frame in enumerate(frames, 1):
        found[f"frame {number} ({frame.url.split('?')[0].rsplit('/', 1)[-1]})"] = run_axe(frame, script)
    view.screenshot(f"axe-{role}-{page_name}")

    lines = [line for where, violations in found.items() for line in report(where, violations)]
    if lines:
        print(f"\n{role} /{page_name}:\n" + "\n".join(lines))
    failing = [f"{where}: {v['id']} ({v['impact']})" for where, violations in found.items() for v in violations
               if v["impact"] in BLOCKING or v["id"] in EXTRA_RULES]
    assert not failing, f"{role} at /{page_name}: " + "\n".join(lines)


def test_keyboard_focus_is_visible(browser, axe_app):
    """axe does not look at focus: Tab to a menu link and to a result's "Open full entry" (a 1.09:1 tint before) and
    each shows a solid outline at least 2 px wide, 3:1 or more against the white page (WCAG 2.4.7, 1.4.11)."""
    from tests.browser.test_browser import _contrast

    base, _ = axe_app
    with offline_tab(browser, base) as view:
        page = view.page
        page.goto(base)
        wait_for_app(page)
        page.get_by_role("link", name="Open full entry").first.wait_for()
        wanted, seen = {"Organisations", "Open full entry"}, {}
        for _ in range(80):
            page.keyboard.press("Tab")
            label, style = page.evaluate("""() => {
                const e = document.activeElement, s = getComputedStyle(e);
                return [(e.innerText || '').trim(), [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]]; }""")
            label = next((w for w in wanted if label.endswith(w)), None)  # after the icon's name, if any
            if label and label not in seen:
                seen[label] = style
                if label == "Open full entry":
                    view.screenshot("axe-focus-open-full-entry")
            if len(seen) == len(wanted):
                break
        assert set(seen) == wanted, seen
        for label, (outline, width, colour) in seen.items():
            assert outline == "solid" and width >= 2, (label, outline, width)
            assert _contrast(colour, "rgb(255, 255, 255)") >= 3, (label, colour)
