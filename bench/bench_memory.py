"""One app instance's resident memory as people use it: which traffic makes it grow, and whether it settles.

    .venv/bin/python -m bench instance-memory [--entries 300000] [--phases writes:60,browse:30,rest:60,...]
                                              [--database sqlite:///…]

`streamlit run app.py` over a copy of the national map's SQLite file (bench_browser.national_directory: n of
bench_search's synthetic entries over England, made once), its first answer waited for (the instance builds its
search index and the read API's catalogue), then phases in turn, the instance's resident set size (RSS, from
/proc) after every 10 steps and at each phase's end:
- `writes:N`: N edits to an entry's description from this process (a Directory of its own, as another instance
  or an editor's), each followed by one question to the instance's read API for that service (`/api/services/
  {id}`), which must already hold the edit (a stale answer stops the run): the write path every instance follows.
- `imports:N`: N imports of 500 new rows from this process (the import page's Importer, as the load test's
  editors), each followed by one read API question (the instance takes in the 500 entries first).
- `browse:N`: N new visitors (a fresh Chromium context each: a Streamlit session each, kept by the server for
  two minutes after its tab closes) opening Find with a query and a place (`/?q=…&near=Middlesbrough&km=25`),
  timed to the first result card.
- `both:N`: N of each, a write before each visit (every page run after a change to the directory).
- `rest:S`: S seconds of nothing (the disconnected sessions expire; memory freed is handed back).

Prints one JSON line per sample; docs/PERFORMANCE.md ("Memory under load") keeps the figures with the command.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE_QUERIES = ("recovery cafe", "plumbing", "esol", "job club", "forklift", "peer mentoring")


def _parse_phases(text: str) -> list[tuple[str, int]]:
    phases = []
    for part in text.split(","):
        name, _, count = part.partition(":")
        if name not in ("writes", "imports", "browse", "both", "rest") or not count.isdigit():
            raise SystemExit(f"--phases: '{part}' is not writes:N, imports:N, browse:N, both:N or rest:SECONDS")
        phases.append((name, int(count)))
    return phases


def bench_instance_memory(argv: list[str] | None = None) -> list[dict]:
    from bench.bench_browser import _serve, national_directory
    from bench.bench_import import as_csv, synthetic_rows
    from bench.bench_load import BROWSER_FLAGS, _rss_mb, _served_description
    from directory.api import Directory
    from directory.io.importer import Importer
    from directory.io.oruk import service_id

    parser = argparse.ArgumentParser(prog="python -m bench instance-memory", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--phases", default="writes:60,browse:30,rest:60,both:30,rest:60,browse:30,rest:60")
    parser.add_argument("--database", help="an SQLite file's URL to copy (default: the national map's file)")
    args = parser.parse_args(argv or [])
    phases = _parse_phases(args.phases)
    source = Path((args.database or national_directory(args.entries)).removeprefix("sqlite:///"))
    results: list[dict] = []

    def sample(**values) -> None:
        results.append({"name": "instance_memory", **values})
        print(json.dumps({"bench": "instance-memory", **results[-1]}), file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{shutil.copy(source, Path(folder) / 'memory.db')}"  # the edits never touch the source
        server, base = _serve(ROOT, url)
        writer = Directory(url, locate_postcode=None)
        rng = random.Random(7)
        try:
            started = time.perf_counter()
            _served_description(base, "00000000-0000-0000-0000-000000000000", timeout_s=1200)
            sample(phase="first answer", step=0, s=round(time.perf_counter() - started, 1), rss_mb=round(_rss_mb(server.pid) or 0))
            ids = [entry.id for entry in writer.entries()][:5000]
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_FLAGS)

                def write() -> float:
                    entry_id = rng.choice(ids)
                    token = f"edit-{rng.randrange(1 << 48):x}"  # never one an earlier run wrote: each is a change
                    writer.update(entry_id, {"description": f"Edited: {token}."}, writer.get(entry_id).version,
                                  "bench")
                    asked = time.perf_counter()
                    served = _served_description(base, service_id(entry_id)) or ""
                    if token not in served:
                        raise RuntimeError(f"stale read: {entry_id} served without its edit")
                    return time.perf_counter() - asked

                def import_rows() -> float:
                    rows = synthetic_rows(500, rng.randrange(1 << 30), f"memory-{rng.randrange(1 << 30)}")
                    Importer(writer, "bench", allow_duplicates=True).run(as_csv(rows), "memory.csv")
                    asked = time.perf_counter()
                    _served_description(base, service_id(ids[0]))
                    return time.perf_counter() - asked

                def browse() -> float:
                    context = browser.new_context(viewport={"width": 1366, "height": 768})
                    try:
                        page = context.new_page()
                        asked = time.perf_counter()
                        page.goto(f"{base}/?q={rng.choice(PAGE_QUERIES).replace(' ', '+')}&near=Middlesbrough&km=25")
                        page.locator(".rp-card, .rp-empty, [data-testid='stAlert']").first.wait_for(timeout=120_000)
                        return time.perf_counter() - asked
                    finally:
                        context.close()

                for name, count in phases:
                    if name == "rest":
                        time.sleep(count)
                        sample(phase=f"rest {count} s", step=count, rss_mb=round(_rss_mb(server.pid) or 0))
                        continue
                    times: dict[str, list[float]] = {"api_after_write": [], "api_after_import": [],
                                                     "find_first_card": []}
                    for step in range(1, count + 1):
                        if name in ("writes", "both"):
                            times["api_after_write"].append(write())
                        if name == "imports":
                            times["api_after_import"].append(import_rows())
                        if name in ("browse", "both"):
                            times["find_first_card"].append(browse())
                        if step % 10 == 0 or step == count or name == "imports":
                            medians = {f"{k}_p50_ms": round(sorted(v)[len(v) // 2] * 1000, 1)
                                       for k, v in times.items() if v}
                            sample(phase=name, step=step, rss_mb=round(_rss_mb(server.pid) or 0), **medians)
                browser.close()
        finally:
            writer.engine.dispose()
            server.terminate()
            server.wait(timeout=60)
    return results


# -- what each part of an instance takes ----------------------------------------------------------------------

def bench_instance_parts(argv: list[str] | None = None) -> list[dict]:
    """python -m bench instance-parts [--entries 300000] [--database sqlite:///…]: in a fresh process over the
    database (default: the national map's file; read, never written), what an app instance holds after each of
    its parts: the libraries its pages import, the search index (every entry read), the district outlines, the
    read API's catalogue, the planner's index. RSS from /proc after each; docs/PERFORMANCE.md ("An app instance
    at 300,000") keeps the figures."""
    import subprocess

    from bench.bench_browser import national_directory

    parser = argparse.ArgumentParser(prog="python -m bench instance-parts", description=bench_instance_parts.__doc__)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--database", help="a database URL (default: the national map's SQLite file)")
    args = parser.parse_args(argv or [])
    url = args.database or national_directory(args.entries)
    done = subprocess.run([sys.executable, "-m", "bench.bench_memory", "parts", url], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _instance_parts(url: str) -> None:
    """(In a process of its own.) Build an instance's parts in turn, printing RSS after each."""
    started = time.perf_counter()
    import folium  # noqa: F401  (what an instance's pages import)
    import geopandas  # noqa: F401
    import streamlit  # noqa: F401

    from bench.bench_load import _rss_mb
    from directory.api import Directory, give_back_memory
    from directory.geo import warm_outlines
    from oruk_api.catalogue import catalogue
    from planner.index import PlannerIndex

    def step(name: str) -> None:
        nonlocal started
        print(json.dumps({"name": "instance_part", "after": name, "rss_mb": round(_rss_mb(os.getpid()) or 0),
                          "s": round(time.perf_counter() - started, 1)}), flush=True)
        started = time.perf_counter()

    step("imports")
    directory = Directory(url, locate_postcode=None)
    directory.long_running = True
    index = directory.search_index()
    give_back_memory()
    step("the search index (every entry read)")
    warm_outlines(entry.postcode for entry in index.entries)
    step("the district outlines")
    catalogue(directory)
    step("the read API's catalogue")
    directory.kept_index("planner", PlannerIndex.build)
    give_back_memory()
    step("the planner's index")


if __name__ == "__main__" and sys.argv[1:2] == ["parts"]:
    sys.path.insert(0, str(ROOT))
    _instance_parts(sys.argv[2])
