"""The first page after a fresh start (goal ≤ 3 s): `streamlit run app.py` on a copy of the code with no
database, then Find in Debian's Chromium.

Each case copies the code (the working tree's tracked and new files, or a commit's with $BENCH_AGAINST) into
an empty folder, so there is no data/directory.db and no data/postcodes.npz (neither is in git): a first
start. "installed" runs `python -m directory build-postcodes` first (the install step the README gives);
"bare" does not. Times are seconds from starting the server process to: the server answering its health
check, Find's heading drawn in the browser (the page usable), and the first result card drawn (the demo area
in). The baseline is the same cases on $BENCH_AGAINST (default HEAD~1), in the same run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_tree(commit: str | None, into: Path) -> None:
    if commit:
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        return
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def _first_start(tree: Path, chromium) -> dict:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RP_TILES_URL")}
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=open(tree / "server.log", "wb"))
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.monotonic() - started > TIMEOUT_S or server.poll() is not None:
                    raise RuntimeError("the server did not start")
                time.sleep(0.05)
        health = time.monotonic() - started
        context = chromium.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/", timeout=TIMEOUT_S * 1000)
        page.get_by_role("heading", name="Find provision", level=1).wait_for(timeout=TIMEOUT_S * 1000)
        heading = time.monotonic() - started
        try:
            page.locator(".rp-card").first.wait_for(timeout=TIMEOUT_S * 1000)
        except Exception:
            raise RuntimeError("no result after the first start; the server said:\n"
                               + (tree / "server.log").read_text(errors="replace")[-3000:]) from None
        card = time.monotonic() - started
        context.close()
        return {"server_s": round(health, 2), "find_page_s": round(heading, 2), "first_result_s": round(card, 2),
                "page_after_server_s": round(heading - health, 2)}
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def bench_startup():
    """One dict per case (python -m bench startup prints each as a JSON line), and the load average before and
    after."""
    from playwright.sync_api import sync_playwright

    against = os.environ.get("BENCH_AGAINST", "HEAD~1")  # a commit that runs: not every one of a busy day did
    yield {"load_average_before": [round(x, 2) for x in os.getloadavg()]}
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for label, commit in ((f"baseline {against}", against), ("this tree", None)):
                for install in ("bare", "installed"):
                    with tempfile.TemporaryDirectory(prefix="rp-startup-") as folder:
                        tree = Path(folder)
                        _copy_tree(commit, tree)
                        if install == "installed":
                            subprocess.run([sys.executable, "-m", "directory", "build-postcodes"], cwd=tree,
                                           check=True, capture_output=True)
                        yield {"code": label, "start": install, **_first_start(tree, chromium)}
        finally:
            chromium.close()
    yield {"load_average_after": [round(x, 2) for x in os.getloadavg()]}


if __name__ == "__main__":
    import json

    for line in bench_startup():
        print(json.dumps({"bench": "startup", **line}), flush=True)
