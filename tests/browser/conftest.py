"""The real app in a real browser: `streamlit run app.py` on 127.0.0.1, driven by Playwright with
Debian's chromium, with every request that is not to the app aborted (no internet).

Without /usr/bin/chromium (or Playwright) these tests skip; with REQUIRE_BROWSER=1
(set by .ci/run) they fail instead, so a green CI means they ran.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "tests" / "screenshots"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
START_TIMEOUT_S = 60


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}: install it with `apt-get install -y chromium`")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(url: str, log_path: Path, *, port: int | None = None, extra_args: tuple[str, ...] = ()):
    """`streamlit run app.py` on 127.0.0.1 over the database at `url` (on `port`, or a free one), until the
    block ends: its address."""
    port = port or _free_port()
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("RP_TILES_URL", None)  # OpenStreetMap, which the tests make unreachable
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.fileWatcherType", "none", *extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"streamlit did not start on {base}:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@contextmanager
def app_over(prepare, prefix: str = "rp-browser-", *, secrets_toml=None):
    """The app over a new SQLite database that `prepare(url)` fills, until the block ends: (address, url).
    `secrets_toml(address)`, if given, is the text of the app's secrets.toml."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        url = f"sqlite:///{Path(tmp) / 'directory.db'}"
        prepare(url)
        port, extra_args = _free_port(), ()
        if secrets_toml is not None:
            secrets_file = Path(tmp) / "secrets.toml"
            secrets_file.write_text(secrets_toml(f"http://127.0.0.1:{port}"))
            extra_args = ("--secrets.files", str(secrets_file))
        with serve(url, Path(tmp) / "streamlit.log", port=port, extra_args=extra_args) as base:
            yield base, url


@pytest.fixture(scope="session")
def app_url():
    """The app, serving a small seeded directory, for the whole session; stopped afterwards."""
    from tests.browser.fixture_entries import seed

    with app_over(seed) as (base, _):
        yield base


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Offline:
    """A page whose requests outside the app are aborted, remembering what was asked for,
    and which fails the test if any JavaScript dialog (alert, confirm, prompt) ever opens."""

    def __init__(self, page, app_url: str):
        self.page = page
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.route("**/*", self._route)
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.app_url = app_url

    def _route(self, route):
        url = route.request.url
        if url.startswith("http://127.0.0.1:") or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@contextmanager
def offline_tab(browser, app_url: str, *, timeout_ms: int = 20_000):
    """A new browser profile's tab on the app (Offline), closed when the block ends; no dialog may have opened.
    Downloads are accepted (Playwright's default)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    view = Offline(page, app_url)
    try:
        yield view
    finally:
        context.close()
    assert not view.dialogs, f"a dialog opened: {view.dialogs}"


@pytest.fixture
def offline(browser, app_url):
    with offline_tab(browser, app_url) as view:
        yield view


def assert_page_found(page) -> None:
    """No "Page not found" notice: page addresses match file names, so even a restarted server's first
    request, straight to a deep link, lands on its page."""
    dialogs = page.get_by_role("dialog")
    notices = [dialogs.nth(i).inner_text() for i in range(dialogs.count())]
    assert not [text for text in notices if "Page not found" in text], notices


def _seed_demo_area(url: str) -> None:
    from directory.api import Directory
    from directory.demo import seed_demo

    directory = Directory(url)
    seed_demo(directory)
    directory.engine.dispose()


def demo_app_over(prefix: str):
    """The app over a new database holding the demo area and its accounts: app_over's (address, url)."""
    return app_over(_seed_demo_area, prefix)
