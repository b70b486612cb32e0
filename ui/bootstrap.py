"""Starting the app: the navigation guard every page calls, and the directory (one per process, cached).

The Directory (engine and search index) is opened once per process and database with
st.cache_resource; sessions are never cached, so a person who has just saved sees it.
On the embedded database's first run the demo area is loaded; district outlines are
worked out in the background so the first search in an area does not wait for them.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
from contextlib import contextmanager

import streamlit as st

from directory.api import Directory

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
    if url is None and directory.count(include_archived=True) == 0:
        # First run on the embedded database (no DATABASE_URL): load the demo area so there is
        # something to explore. A database someone named is never filled with demo data.
        try:
            from directory.demo import seed_demo

            seed_demo(directory)
        except Exception:  # the app still opens; the empty state says what to do
            _log.exception("could not load the demo area")
    threading.Thread(target=_warm_maps, args=(directory,), name="warm-district-outlines", daemon=True).start()
    return directory


def _warm_maps(directory: Directory) -> None:
    """District outlines for the directory's areas, computed once in the background (then cached on disk),
    so the first search in an area does not wait for them."""
    try:
        from directory.geo import warm_outlines

        warm_outlines(hit.entry.postcode for hit in directory.search("", None, limit=None))
    except Exception:
        _log.exception("could not prepare the district outlines")


def get_directory() -> Directory:
    return _open_directory(os.environ.get("DATABASE_URL") or None)


# Streamlit draws captions in the text colour at 60% opacity: #828180 on white, 3.9:1, under the 4.5:1
# that WCAG 2.2 AA asks of text. The same grey, solid, passes (6.3:1) and still reads as secondary.
APP_STYLE = """
<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #5f5d5b; }
</style>
"""


def apply_app_style() -> None:
    """The app's few corrections to Streamlit's own styles, on every page (called by app.py)."""
    st.html(APP_STYLE)

