"""The Find page ready in a real browser with 10,000 entries (goal ≤ 2 s).

Starts `streamlit run app.py` on 127.0.0.1 over a directory of 10,000 synthetic
entries around Middlesbrough, warms it with one visit, then times fresh page
loads in Debian's Chromium (no host but 127.0.0.1 resolves) as the browser itself
saw them: from the start of navigation to the first frame painted with the first
result card and with the map's markers (STAMP_SCRIPT). The same page over a
demo-sized directory (300 entries), timed in the same run, is the floor: what
Streamlit's own frontend and the map component cost.
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # Offline without Playwright's request interception, which would send every request
                 # through this Python process and turn the browser's HTTP cache off: no host but
                 # 127.0.0.1 resolves.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

# The moment (ms after navigation started) the first result card and the first marker or cluster
# are on screen (the frame they are first painted in), measured by the browser itself, so the test
# driver's own polling and messaging (on the same 2 cores) are not counted.
STAMP_SCRIPT = """
(() => {
  if (window !== window.top) { return; }
  const seen = window.__rpSeen = {};
  // Checked once a frame, just before it is painted. The map's own frame is looked into from here
  // (same origin): its document is rewritten in place, which would stop a watcher inside it.
  const look = () => {
    if (!seen.card && document.querySelector(".rp-card")) { seen.card = performance.now(); }
    const map = document.querySelector(MAP_FRAME);
    const inside = map && map.contentDocument;
    if (!seen.marker && inside && inside.querySelector(".rp-pin, .marker-cluster")) { seen.marker = performance.now(); }
    if (!(seen.card && seen.marker)) { requestAnimationFrame(look); }
  };
  requestAnimationFrame(look);
})();
""".replace("MAP_FRAME", json.dumps(MAP_FRAME))


def _context(chromium):
    """A browser profile of its own whose pages time themselves (STAMP_SCRIPT)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(STAMP_SCRIPT)
    return context


def _directory_of(n: int, url: str) -> None:
    from bench.bench_import import as_csv, synthetic_rows
    from directory.accounts import create_user
    from directory.api import Directory
    from directory.io.importer import Importer

    rng = random.Random(3)
    rows = synthetic_rows(n, 3, "b")
    for row in rows:  # all within ~25 km of Middlesbrough, where the page is pointed
        row["latitude"] = f"{54.574 + rng.gauss(0, 0.08):.6f}"
        row["longitude"] = f"{-1.235 + rng.gauss(0, 0.12):.6f}"
    directory = Directory(url, locate_postcode=None)
    create_user(directory, "bench", "Benchmark", "coordinator")
    Importer(directory, "bench", allow_duplicates=True).run(as_csv(rows), "bench.csv")
    directory.engine.dispose()


def national_directory(n: int = 300_000) -> str:
    """A file-based SQLite directory of n of bench_search's synthetic entries (placed over England, clustered
    round towns), made once and kept in the system's temporary folder (making 300,000 takes minutes): its URL."""
    from bench.bench_api import _directory_of as fill

    path = Path(tempfile.gettempdir()) / f"rp-bench-national-{n}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        fill(n, f"sqlite:///{partial}")
        partial.rename(path)
    return f"sqlite:///{path}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(page, url: str, timeout_ms: int = 60_000) -> dict[str, float]:
    """Seconds from navigation start until the first result card is drawn ("list") and until the map
    shows its markers too ("ready"), as the browser timed them; "driver" is the same end as the
    test driver saw it (it polls from another process)."""
    started = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    page.locator(".rp-card").first.wait_for(timeout=timeout_ms)
    page.wait_for_selector(MAP_FRAME, timeout=timeout_ms)
    page.frame_locator(MAP_FRAME).locator(".rp-pin, .marker-cluster").first.wait_for(timeout=timeout_ms)
    driver = time.perf_counter() - started
    seen = page.wait_for_function("() => window.__rpSeen.card && window.__rpSeen.marker && window.__rpSeen").json_value()
    return {"list": seen["card"] / 1000, "ready": max(seen["card"], seen["marker"]) / 1000, "driver": driver}


def _serve(root: Path, url: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` in `root` over `url`, once it answers: (the process, its address)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=root, env=os.environ | {"DATABASE_URL": url, "RP_TILES_URL": "none"} | (env or {}),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    return server, base


def _loads(n: int, loads: int, chromium) -> tuple[dict[str, list[dict[str, float]]], float]:
    """Page loads over a directory of n entries: ({visitor: loads}, the first load after the server started)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'browser.db'}"
        _directory_of(n, url)
        server, base = _serve(ROOT, url)
        try:
            page_url = f"{base}/?near=TS1&km=25"
            # A returning user: a browser profile that has opened the app before, so Streamlit's scripts
            # (served `immutable`, cached for a year) come from its cache. A new visitor: an empty cache.
            returning = _context(chromium)
            first, times = 0.0, {"new visitor": [], "returning user": []}
            for load in range(loads + 1):
                context = _context(chromium)
                page = context.new_page()
                phases = _ready(page, page_url)
                context.close()
                if load == 0:
                    first = phases["ready"]  # includes the server's first imports and index build
                    warm_up = returning.new_page()
                    _ready(warm_up, page_url)
                    warm_up.close()
                    continue
                times["new visitor"].append(phases)
                page = returning.new_page()
                times["returning user"].append(_ready(page, page_url))
                page.close()
            returning.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return times, first


def bench_browser(n: int = 10_000, loads: int = 11, floor_n: int = 300) -> list[dict]:
    """The page at n entries, beside the same page over a demo-sized directory (floor_n entries)
    measured in the same run: what Streamlit and the browser cost before the results matter."""
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        return [{"name": "find page ready in the browser", "error": "needs Debian's chromium (/usr/bin/chromium)"}]
    results = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        measured = {size: _loads(size, loads, chromium) for size in (floor_n, n)}
        chromium.close()
    for visitor in ("new visitor", "returning user"):
        floor = statistics.median(p["ready"] for p in measured[floor_n][0][visitor])
        for size, (by_visitor, first) in measured.items():
            times = by_visitor[visitor]
            median = {k: round(statistics.median(p[k] for p in times), 2) for k in ("list", "ready", "driver")}
            results.append({
                "name": f"find page ready in the browser ({visitor}, warm server)", "entries": size,
                "first_result_s": median["list"], "median_s": median["ready"], "driver_saw_s": median["driver"],
                "max_s": round(max(p["ready"] for p in times), 2), "first_visit_after_start_s": round(first, 2),
                "vs_demo_sized": round(median["ready"] / floor, 2), "loads": loads, "goal_s": 2.0,
                "ok": median["ready"] <= 2.0,
            })
    return results


class _Bytes:
    """Bytes that reach a page over the network, as Chromium counts them (DevTools' Network domain: each
    response's encoded length, each WebSocket frame's payload), split into Streamlit's own files, the
    WebSocket (the script run's output: the list, the widgets and the map's data) and the map's view route."""

    def __init__(self, context, page):
        self.http = self.websocket = self.map_views = 0
        self._urls: dict[str, str] = {}
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", lambda e: self._urls.__setitem__(e["requestId"], e["request"]["url"]))
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.webSocketFrameReceived", self._frame)
        session.send("Network.enable")

    def _finished(self, event):
        if "/map/view" in self._urls.get(event["requestId"], ""):
            self.map_views += int(event["encodedDataLength"])
        else:
            self.http += int(event["encodedDataLength"])

    def _frame(self, event):
        response = event["response"]
        data = response.get("payloadData", "")
        self.websocket += (len(data) * 3 // 4) if response.get("opcode") == 2 else len(data.encode("utf-8"))

    def as_dict(self) -> dict[str, int]:
        return {"http_bytes": self.http, "websocket_bytes": self.websocket, "map_view_bytes": self.map_views,
                "results_bytes": self.websocket + self.map_views, "total_bytes": self.http + self.websocket + self.map_views}


def _national_loads(url: str, page_url_path: str, loads: int, chromium, env: dict | None = None,
                    settle_s: float = 1.0) -> tuple[list[dict], float]:
    """New-visitor loads of one page over the directory at `url` (each in a fresh browser profile) after a
    warm-up visit: the browser's own times (as _ready) and the bytes each load received (_Bytes), counted
    until the map has settled (`settle_s` after it is ready: the map's first fetched view included)."""
    server, base = _serve(ROOT, url, env)
    try:
        measured, first = [], 0.0
        for load in range(loads + 1):
            context = _context(chromium)
            page = context.new_page()
            counted = _Bytes(context, page)
            phases = _ready(page, base + page_url_path, 900_000 if load == 0 else 120_000)
            page.wait_for_timeout(settle_s * 1000)
            views = page.frame_locator(MAP_FRAME).locator(".rp-pin, .marker-cluster").count()
            context.close()
            if load == 0:
                first = phases["ready"]
                continue
            measured.append({**phases, **counted.as_dict(), "markers_in_view": views})
    finally:
        server.terminate()
        server.wait(timeout=60)
    return measured, first


def bench_national(n: int = 300_000, loads: int = 7, baseline_loads: int = 3, near_n: int = 10_000) -> list[dict]:
    """Find with every one of n entries (over England) a result: the page ready for a new visitor and the bytes
    it received, with the map's results clustered on the server (ui/map_clusters.py), beside in the same run
    the 10,000-entry page of bench_browser (`/?near=TS1&km=25`, clustered in the browser) and the same national
    page with every result sent to the browser (the old path, $RP_MAP_BROWSER_CLUSTER_LIMIT above n:
    the baseline). The n-entry SQLite file is made once and kept (national_directory)."""
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        return [{"name": "national find page", "error": "needs Debian's chromium (/usr/bin/chromium)"}]
    national = national_directory(n)
    rows = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            with tempfile.TemporaryDirectory() as folder:
                near_url = f"sqlite:///{Path(folder) / 'browser.db'}"
                _directory_of(near_n, near_url)
                cases = [(f"{near_n:,} entries near TS1, clustered in the browser", near_n, near_url,
                          "/?near=TS1&km=25", None, loads),
                         (f"{n:,} entries, no place: clustered on the server", n, national, "/", None, loads),
                         (f"{n:,} entries, no place: every result sent to the browser (baseline)", n, national, "/",
                          {"RP_MAP_BROWSER_CLUSTER_LIMIT": str(10 * n)}, baseline_loads)]
                for name, size, url, path, env, count in cases:
                    try:
                        measured, first = _national_loads(url, path, count, chromium, env)
                    except Exception as error:  # noqa: BLE001 - the baseline may not finish at all
                        rows.append({"name": name, "entries": size, "error": f"{type(error).__name__}: {error}"[:300]})
                        continue
                    median = lambda key: statistics.median(m[key] for m in measured)  # noqa: E731
                    rows.append({
                        "name": f"find page, new visitor: {name}", "entries": size, "page": path, "loads": count,
                        "first_result_s": round(median("list"), 2), "ready_median_s": round(median("ready"), 2),
                        "ready_max_s": round(max(m["ready"] for m in measured), 2),
                        "first_visit_after_start_s": round(first, 2),
                        **{key: int(median(key)) for key in ("results_bytes", "websocket_bytes", "map_view_bytes",
                                                             "http_bytes", "total_bytes", "markers_in_view")},
                        "goal_ready_s": 2.0, "goal_results_bytes": 2_000_000,
                    })
        finally:
            chromium.close()
    return rows


def bench_browser_ab(n: int = 10_000, loads: int = 11, against: str | None = None) -> list[dict]:
    """A paired A/B of the Find page for new visitors: this checkout against another commit
    ($BENCH_AGAINST, default HEAD~1, checked out in a temporary git worktree), both served at once over
    the same directory, loads alternated, so the machine's changing speed falls on both alike. The
    figure that counts is the median of the per-load differences, not either median alone."""
    from playwright.sync_api import sync_playwright

    against = against or os.environ.get("BENCH_AGAINST", "HEAD~1")
    if not Path("/usr/bin/chromium").exists():
        return [{"name": "find page A/B", "error": "needs Debian's chromium (/usr/bin/chromium)"}]
    commit = subprocess.run(["git", "rev-parse", "--short", against], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        other = Path(folder) / "other"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(other), commit], cwd=ROOT, check=True)
        servers = []
        try:
            postcodes = ROOT / "data" / "postcodes.npz"  # built once from the package data; not in git
            if postcodes.exists():
                (other / "data" / "postcodes.npz").symlink_to(postcodes)
            url = f"sqlite:///{Path(folder) / 'browser.db'}"
            _directory_of(n, url)
            bases = {}
            for name, root in (("this", ROOT), ("other", other)):
                server, bases[name] = _serve(root, url)
                servers.append(server)
            times: dict[str, list[float]] = {"this": [], "other": []}
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for load in range(loads + 1):
                    order = ["this", "other"] if load % 2 else ["other", "this"]
                    for name in order:
                        context = _context(chromium)
                        ready = _ready(context.new_page(), f"{bases[name]}/?near=TS1&km=25")["ready"]
                        context.close()
                        if load:  # the first round warms both servers
                            times[name].append(ready)
                chromium.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    differences = [a - b for a, b in zip(times["this"], times["other"])]
    return [{"name": "find page ready, new visitor: this checkout minus another commit (paired)", "entries": n,
             "other_commit": commit, "this_median_s": round(statistics.median(times["this"]), 3),
             "other_median_s": round(statistics.median(times["other"]), 3),
             "median_difference_s": round(statistics.median(differences), 3),
             "differences_s": [round(d, 2) for d in differences], "loads": loads}]
