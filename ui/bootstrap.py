"""Starting the app: the navigation guard every page calls, and the directory (one per process, cached).

The Directory (engine and search index) is opened once per process and database with
st.cache_resource; sessions are never cached, so a person who has just saved sees it.
On the embedded database's first run the demo area is loaded in the background (the first page does not
wait for it); district outlines are worked out in the background so the first search in an area does not
wait for them.
"""

from __future__ import annotations

import inspect
import logging
import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import streamlit as st

from directory.api import Directory
from directory.db import PROJECT_ROOT

_log = logging.getLogger(__name__)


_in_app_navigation = threading.local()


@contextmanager
def app_navigation():
    """app.py runs its navigation inside this: a page run through it knows it is (ensure_app_navigation)."""
    _in_app_navigation.running = True
    try:
        yield
    finally:
        _in_app_navigation.running = False


def ensure_app_navigation() -> None:
    """Make sure the page runs inside app.py's navigation. Call first thing on every page.

    Streamlit treats a project with a pages/ folder as an old-style multipage app
    until an st.navigation call has run in the server process. So when the first
    request after a restart opens a page directly (a shared /entry?id=... link),
    Streamlit runs that file on its own, without app.py: no page config, and
    every module in pages/ listed as a page. Calling st.navigation (which turns
    the old mode off) and rerunning sends the same request through app.py (page
    addresses come from the URL path, so it lands on the same page).
    """
    if not getattr(_in_app_navigation, "running", False):
        # The calling page, under the address app.py gives it (its file name): Streamlit names a page by its
        # address, so the rerun that app.py's navigation then serves is this same page.
        # (The first page listed is the default, which Streamlit serves at the root address, not its own.)
        caller = inspect.currentframe().f_back.f_globals["__file__"]
        st.navigation([st.Page(_starting, title="Recovery Pathways", url_path="starting", default=True),
                       st.Page(caller)], position="hidden")
        st.rerun()


def _starting() -> None:
    """Nothing: the default page of the one-off navigation above, never shown."""


# -- the directory -------------------------------------------------------------------------


@st.cache_resource(show_spinner="Opening the directory…")
def _open_directory(url: str | None) -> Directory:
    """One Directory (engine and search index) per process and database; sessions are never cached."""
    directory = Directory(url, long_running=True)
    from directory.demo import is_new_database

    if url is None and is_new_database(directory):
        # First run on the embedded database (no DATABASE_URL): load the demo area so there is
        # something to explore. A database someone named, or one a partnership has started to fill
        # (people and organisations added on the command line), is never filled with demo data.
        # In the background: building the postcode table and the demo area take 10-15 s on a first start, and
        # the first page should not wait for them (Find says the demo area is on its way, and shows it when in).
        _demo_loading.set()
        threading.Thread(target=_load_demo, args=(directory,), name="load-demo-area", daemon=True).start()
    else:
        threading.Thread(target=_warm_maps, args=(directory,), name="warm-district-outlines", daemon=True).start()
    return directory


_demo_loading = threading.Event()
DEMO_LOAD_TIMEOUT_S = 600


def demo_loading() -> bool:
    """The demo area is being loaded into a new embedded database (in the background, on a first start)."""
    return _demo_loading.is_set()


def _load_demo(directory: Directory) -> None:
    """`python -m directory seed-demo` (which builds the postcode table first if the install did not) in a process
    of its own, so that its work never holds this one's interpreter while the first pages are drawn; this
    process's search index takes the new entries in when the shared change counter moves."""
    try:
        env = {**os.environ, "DATABASE_URL": directory.engine.url.render_as_string(hide_password=False)}
        done = subprocess.run([sys.executable, "-m", "directory", "seed-demo"], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=DEMO_LOAD_TIMEOUT_S)
        if done.returncode != 0:  # the app still opens; the empty state says what to do
            _log.error("could not load the demo area: %s", (done.stderr or done.stdout)[-2000:])
    except Exception:
        _log.exception("could not load the demo area")
    finally:
        _demo_loading.clear()
    _warm_maps(directory)


def _warm_maps(directory: Directory) -> None:
    """District outlines for the directory's areas, computed once in the background (then cached on disk),
    so the first search in an area does not wait for them."""
    try:
        from directory.geo import warm_outlines

        warm_outlines(entry.postcode for entry in directory.search_index().entries)  # no Hit made per entry
    except Exception:
        _log.exception("could not prepare the district outlines")


def get_directory() -> Directory:
    return _open_directory(os.environ.get("DATABASE_URL") or None)


# The app's corrections to Streamlit's own styles (WCAG 2.2 AA; tests/browser/test_axe.py runs axe-core on every
# page, tests/browser/test_browser.py checks captions and focus):
# - Captions: Streamlit draws them in the text colour at 60% opacity (#828180 on white, 3.9:1, under the 4.5:1
#   that text needs). The same grey, solid, passes (6.3:1) and still reads as secondary. The menu's icons and a
#   disabled control's label (Find's distance before a place is given) had the same faded grey: the same fix, so
#   people can read what the control is for even while it waits for something else.
# - Headings: each page is h1 (st.title) then h2 (st.header) sections, never skipping a level for screen
#   readers, and a card's title in a section is h3; they are drawn at the sizes the pages had when they skipped
#   levels (Streamlit's h3 for sections, h4 for cards).
# - Keyboard focus: a 3 px outline in the theme's blue (#1f4e79, 9:1 on white) on every link, button and option,
#   instead of Streamlit's faint tint (1.09:1 on "Open full entry") or the menu's grey that looked like the current
#   page's highlight.
# - The menu-markup script below sits in the sidebar: its element is hidden, and while the sidebar holds nothing
#   else no line is drawn under the menu.
APP_STYLE = """
<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #5f5d5b; }
[data-testid="stSidebarNav"] a:not([aria-current="page"]) [data-testid="stIconMaterial"] { color: #5f5d5b; }
[data-testid="stWidgetLabel"][disabled], [data-testid="stWidgetLabel"][disabled] p { color: #5f5d5b; }
[data-testid="stHeading"] h2 { font-size: 1.75rem; }
[data-testid="stMarkdownContainer"] h3 { font-size: 1.5rem; }
a:focus-visible, button:focus-visible, summary:focus-visible, [role="radio"]:focus-visible,
[role="checkbox"]:focus-visible, [role="switch"]:focus-visible, [role="tab"]:focus-visible,
[role="option"]:focus-visible, [tabindex]:not([tabindex="-1"]):focus-visible {
  outline: 3px solid #1f4e79 !important; outline-offset: 2px;
}
[data-testid="stSidebarNav"] a:focus-visible { outline-offset: -3px; }
[data-testid="stSidebarUserContent"] [data-testid="stElementContainer"]:has(script) { display: none; }
[data-testid="stSidebar"]:has([data-testid="stSidebarUserContent"] [data-testid="stVerticalBlock"]
  > [data-testid="stElementContainer"]:only-child script) [data-testid="stSidebarNavSeparator"] { display: none; }
</style>
"""

# Streamlit's menu is a <ul> whose children are its sections' <div>s (a header, then the pages' <li>s): not a valid
# list (axe's `list` and `listitem` rules, serious; a screen reader may not announce the pages as a list or their
# number). st.navigation offers no other markup, so this script, run once per browser tab, gives the same elements
# valid roles whenever Streamlit draws the menu: the <ul> is only a container (role "none") and each section is a
# list named by its header ("Directory", "Planner"...), holding its pages' <li>s. A menu with no sections (a <ul> of
# <li>s) is valid as it is and left alone. Nothing is added, moved or hidden; the links are Streamlit's own.
# The same script moves keyboard focus entering a chip group to its chosen chip (see there).
NAV_MARKUP_SCRIPT = """
<script>
(function () {
  if (window.rpNavMarkup) { return; }
  window.rpNavMarkup = true;
  function set(element, name, value) {
    if (element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }
  function fix() {
    document.querySelectorAll('ul[data-testid="stSidebarNavItems"]').forEach(function (menu) {
      var sections = Array.prototype.filter.call(menu.children, function (child) { return child.tagName !== "LI"; });
      if (!sections.length) { return; }
      set(menu, "role", "none");
      sections.forEach(function (section) {
        set(section, "role", "list");
        var header = section.querySelector('[data-testid="stNavSectionHeader"] [data-testid="stMarkdownContainer"]');
        if (header && header.textContent.trim()) { set(section, "aria-label", header.textContent.trim()); }
      });
    });
  }
  fix();
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
  // A chip group (st.pills) entered with the keyboard focuses its chosen chip, as a radio group does, not its
  // first: Tab to "Day" lands on "Thu" when Thursday is chosen. Mouse focus is left alone (:focus-visible).
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!target.closest || !target.matches(":focus-visible")) { return; }
    var group = target.closest('[data-testid="stButtonGroup"] [role="radiogroup"], [data-testid="stButtonGroup"] [role="toolbar"]');
    if (!group || (event.relatedTarget && group.contains(event.relatedTarget))) { return; }
    var chosen = group.querySelector('button[aria-checked="true"]:not([disabled]), button[aria-pressed="true"]:not([disabled])');
    if (chosen && chosen !== target) { chosen.focus(); }
  });
})();
</script>
"""


def apply_app_style() -> None:
    """The app's few corrections to Streamlit's own styles and menu markup, on every page (called by app.py)."""
    st.html(APP_STYLE)
    # In the sidebar, below the menu, where the element it needs takes no room that shows.
    st.sidebar.html(NAV_MARKUP_SCRIPT, unsafe_allow_javascript=True)
