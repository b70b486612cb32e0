"""Opening a page of the app in AppTest with someone signed in (a server-side session, as ui/auth.start_session opens it)."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

from directory.accounts import open_session
from directory.api import Directory

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def steady_pages(monkeypatch) -> None:
    """AppTest starts every run as if the server had just started: then Streamlit runs the page (every page's
    address is its file name) on its own, and ensure_app_navigation reruns it through app.py, dropping the
    click being tested. A running server does that only on its first request, so tests start from the
    steady state. Applied to every test by the autouse fixture in tests/conftest.py."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class Steady(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", Steady)


def open_signed_in(page: str, account=None, params: dict | None = None) -> AppTest:
    """`page` after a first run of the app (its navigation), with `account` (or nobody) signed in and
    `params` as the query string; fails on any exception the page raised."""
    at = AppTest.from_file(APP, default_timeout=60)
    if account is not None:
        directory = Directory(os.environ.get("DATABASE_URL"))
        at.session_state["session_token"] = open_session(directory, account.username)
        directory.engine.dispose()
    at.run()
    at.switch_page(page)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextmanager
def app_database(tmp_path, monkeypatch):
    """A new SQLite database that the app under test opens (DATABASE_URL), with no mail server set; the
    app's cached directory is forgotten afterwards, so the next test opens its own."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("RP_SMTP_HOST", "RP_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    directory = Directory(url)
    try:
        yield directory
    finally:
        directory.engine.dispose()
        import ui.bootstrap

        ui.bootstrap._open_directory.clear()


def texts(elements) -> list[str]:
    """Messages as a person reads them (pages backslash-escape typed text for Markdown)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def click(at: AppTest, label: str) -> AppTest:
    """Click the one button labelled `label`; fails on any exception the page raised."""
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at
