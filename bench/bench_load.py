"""Load test: several app instances on one PostgreSQL, simulated keyworkers and editors, a few real browsers.

    .venv/bin/python -m bench load [--entries 50000] [--instances 4] [--keyworkers 100] [--editors 10]
                                   [--minutes 10] [--think-s 10] [--browsers 2] [--generators 2]
                                   [--database postgresql+psycopg://…/postgres] [--reuse]

What runs (all on this machine, nothing mocked):
- the database: PostgreSQL (`--database`, else $TEST_POSTGRES_URL; start one with `eval "$(bash .ci/postgres.sh)"`).
  A database of its own (`rp_bench_load_<entries>`) is filled with bench_planner's synthetic entries (every field
  the search and the planner read, spread over England); `--reuse` keeps it between runs.
- the app instances: `--instances` × `streamlit run app.py`, each its own process and port, as the README runs them.
- the load: `--generators` processes, each holding its own `Directory` on the same database (an app process's
  view), sharing out the simulated people as threads. A keyworker waits a think time (exponential, mean
  `--think-s`), then searches with filters and a place (Find's call: Directory.search), opens an entry (the entry
  page's reads: get, provenance) or runs the planner for a client (the next-steps page's call: recommend over the
  planner index); an editor changes a description (update with the version they read; a conflict is re-read and
  tried once more, as the edit page offers), verifies an entry, and now and then imports 500 rows (the import
  page's Importer).
- staleness: after every successful edit, every instance is asked for that service over its read API
  (`/api/services/{id}`); a first answer without the edit is a stale read; the time until every instance serves it
  is recorded.
- lost updates: at the end, each edited entry must hold the text of the last edit that succeeded on it.
- real browsers: `--browsers` Chromium pages (Debian's, headless) open Find with a query and a place on each
  instance in turn and time the first result card.
- memory: every instance's resident set size, sampled every 15 s (flat over the run is the goal).

Prints one JSON line per figure; docs/PERFORMANCE.md ("Load") keeps the figures with the command that made them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import random
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("recovery cafe", "plumbing", "esol", "job club", "forklift", "peer mentoring", "housing advice",
           "volunteering", "cookery", "debt advice", "digital skills", "warehouse", "counselling", "football")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# -- the database ----------------------------------------------------------------------------------------------

def _database_url(server_url: str, entries: int, reuse: bool) -> tuple[str, bool]:
    """A database of the load test's own on the server: (its URL, whether it already holds the entries)."""
    from sqlalchemy import create_engine, text

    name = f"rp_bench_load_{entries}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) == 1
        if exists and not reuse:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}", exists


def _fill(url: str, entries: int) -> float:
    from bench.bench_planner import make_entries
    from bench.filling import fill
    from directory.api import Directory

    started = time.perf_counter()
    directory = Directory(url, locate_postcode=None)
    if directory.count(include_archived=True) >= entries:
        directory.engine.dispose()
        return 0.0
    fill(directory, make_entries(entries, 7), archive=False, progress=True)
    directory.engine.dispose()
    return time.perf_counter() - started


# -- the simulated people (run in generator processes) ------------------------------------------------------------

def _planner_index(directory, cache: dict):
    """The planner index as the app's next-steps page gets it (ui/planner_support.planner_index): kept by the
    directory and caught up from the change log; with --rebuild-design, one built whole per change counter
    (the page's st.cache_resource before the change log), the baseline."""
    from planner.index import PlannerIndex

    if not cache.get("rebuild"):
        return directory.kept_index("planner", PlannerIndex.build)
    counter = directory.change_counter()
    if cache.get("counter") != counter:
        cache["index"], cache["counter"] = PlannerIndex.build(directory.entries()), counter
    return cache["index"]


def _turns(rng: random.Random, think_s: float, deadline: float):
    """One simulated person's turns: a think time (exponential, mean think_s), then a roll of the dice for what
    they do, until the deadline."""
    while True:
        time.sleep(rng.expovariate(1 / think_s))
        if time.monotonic() >= deadline:
            return
        yield rng.random()


def _keyworker(directory, rng: random.Random, deadline: float, think_s: float, ids: list[str],
               record, planner_cache: dict, planner_lock: threading.Lock) -> None:
    from bench.bench_planner import PROFILES, TODAY, locator_for
    from bench.bench_search import TOWNS
    from directory import codes
    from directory.search import Filters
    from planner.match import recommend
    from planner.profile import parse_profile

    towns = sorted(TOWNS)
    profiles = [(parse_profile(json.loads(json.dumps(data))), town) for data, town in PROFILES.values()]
    categories = sorted(codes.CATEGORIES)
    for roll in _turns(rng, think_s, deadline):
        started = time.perf_counter()
        try:
            if roll < 0.6:
                action = "search"
                filters = Filters(near=TOWNS[rng.choice(towns)], within_km=rng.choice((3.0, 10.0, 25.0)),
                                  categories=(rng.choice(categories),) if rng.random() < 0.3 else (),
                                  day=rng.randrange(7) if rng.random() < 0.2 else None,
                                  free_only=rng.random() < 0.2)
                directory.search(rng.choice(QUERIES) if rng.random() < 0.8 else "", filters, limit=50)
            elif roll < 0.85:
                action = "open_entry"
                entry_id = rng.choice(ids)
                directory.get(entry_id)
                directory.provenance(entry_id)
            else:
                action = "planner"
                profile, town = rng.choice(profiles)
                with planner_lock:  # one build per process when the counter moves, as st.cache_resource does
                    index = _planner_index(directory, planner_cache)
                recommend(profile, index, TODAY, limit=10, postcode_locator=locator_for(town))
            record(action, time.perf_counter() - started, None)
        except Exception as error:  # counted and reported, never hidden
            record(action, time.perf_counter() - started, f"{type(error).__name__}: {error}"[:200])


def _editor(directory, rng: random.Random, deadline: float, think_s: float, ids: list[str], record,
            edits: list, writes: multiprocessing.Queue, name: str, import_share: float) -> None:
    from bench.bench_import import as_csv, synthetic_rows
    from directory.errors import ConflictError
    from directory.io.importer import Importer

    for roll in _turns(rng, think_s, deadline):
        started = time.perf_counter()
        action = "update"
        try:
            if roll < import_share:
                action = "import_500"
                rows = synthetic_rows(500, rng.randrange(1 << 30), f"load-{name}-{rng.randrange(1 << 30)}")
                Importer(directory, "bench", allow_duplicates=True).run(as_csv(rows), "load.csv")
            elif roll < 0.7:
                entry_id = rng.choice(ids)
                token = f"{name}-{rng.randrange(1 << 40):x}"
                for attempt in (1, 2):
                    entry = directory.get(entry_id)
                    try:
                        saved = directory.update(entry_id, {"description": f"Edited under load: {token}."},
                                                 entry.version, "bench")
                        break
                    except ConflictError:
                        if attempt == 2:
                            raise
                        record("update_conflict_retried", 0.0, None)
                committed = time.time()
                edits.append((entry_id, saved.version, token))
                writes.put((entry_id, token, committed))
            else:
                action = "verify"
                directory.verify(rng.choice(ids), "bench")
            record(action, time.perf_counter() - started, None)
        except Exception as error:
            record(action, time.perf_counter() - started, f"{type(error).__name__}: {error}"[:200])


def _generator(url: str, seed: int, keyworkers: int, editors: int, seconds: float, think_s: float,
               ids: list[str], results: multiprocessing.Queue, writes: multiprocessing.Queue,
               import_share: float, rebuild_design: bool) -> None:
    from bench.bench_planner import TOWNS
    from directory.api import Directory

    directory = Directory(url, locate_postcode=lambda postcode: TOWNS["Middlesbrough"], long_running=True)
    directory.search("warm up")  # the process's first request pays for its index, as an instance's does
    planner_cache: dict = {"rebuild": rebuild_design}
    planner_lock = threading.Lock()
    _planner_index(directory, planner_cache)
    times: dict[str, list[float]] = {}
    errors: dict[str, list[str]] = {}
    edits: list = []
    lock = threading.Lock()

    def record(action: str, elapsed: float, error: str | None) -> None:
        with lock:
            if error:
                errors.setdefault(action, []).append(error)
            else:
                times.setdefault(action, []).append(elapsed)

    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    people = [threading.Thread(target=_keyworker, args=(directory, random.Random(rng.random()), deadline, think_s,
                                                          ids, record, planner_cache, planner_lock), daemon=True)
              for _ in range(keyworkers)]
    people += [threading.Thread(target=_editor, args=(directory, random.Random(rng.random()), deadline, think_s, ids,
                                                      record, edits, writes, f"g{seed}e{i}", import_share), daemon=True)
               for i in range(editors)]
    for person in people:
        person.start()
    for person in people:
        person.join()
    results.put({"times": times, "errors": errors, "edits": edits})
    directory.engine.dispose()


# -- what the instances serve -------------------------------------------------------------------------------------

def _served_description(base: str, service_id: str, timeout_s: float = 60) -> str | None:
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=timeout_s)
    try:
        connection.request("GET", f"/api/services/{service_id}")
        response = connection.getresponse()
        body = response.read()
        return json.loads(body).get("description") if response.status == 200 else None
    finally:
        connection.close()


def _watch_writes(bases: list[str], writes: multiprocessing.Queue, stop: threading.Event, found: dict,
                  lock: threading.Lock) -> None:
    """For each edit: every instance's first answer after it (fresh, or a stale read), and the seconds from the
    first ask until all of them serve it. Several of these run at once so the asking keeps up with the edits;
    the wait between the commit and the first ask is recorded too (it is the watcher's delay, not the app's)."""
    from directory.io.oruk import service_id

    while not stop.is_set() or not writes.empty():
        try:
            entry_id, token, committed = writes.get(timeout=0.5)
        except queue.Empty:
            continue
        sid, waiting, stale, errors = service_id(entry_id), set(bases), 0, 0
        asked = time.time()
        for base in bases:
            try:
                if token in (_served_description(base, sid) or ""):
                    waiting.discard(base)
                else:
                    stale += 1
            except OSError:
                errors += 1
        while waiting and time.time() - asked < 60:
            time.sleep(0.05)
            for base in list(waiting):
                try:
                    if token in (_served_description(base, sid) or ""):
                        waiting.discard(base)
                except OSError:
                    errors += 1
        with lock:
            found["stale_first_reads"] += stale
            found["probe_errors"] += errors
            found["never_seen_within_60_s"] += len(waiting)
            found["first_ask_after_commit_s"].append(asked - committed)
            found["visible_everywhere_after_first_ask_s"].append(time.time() - asked)
            found["probed_writes"] += 1


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _sample_memory(pids: list[int], stop: threading.Event, samples: list) -> None:
    started = time.monotonic()
    while not stop.wait(15):
        samples.append((round(time.monotonic() - started), [_rss_mb(pid) for pid in pids]))


def _browse(bases: list[str], sessions: int, stop: threading.Event, times: list, errors: list,
            think_s: float = 0.0) -> None:
    """Real Chromium pages through the Streamlit servers: Find with a query and a place, first card drawn; then
    a think time (exponential, mean `think_s`; 0: the next page at once) before the next round of pages."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        errors.append(f"no Playwright: {error}")
        return
    rng = random.Random(11)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_FLAGS)
        try:
            turn = 0
            while not stop.is_set():
                for _ in range(sessions):
                    base = bases[turn % len(bases)]
                    turn += 1
                    context = browser.new_context(viewport={"width": 1366, "height": 768})
                    page = context.new_page()
                    started = time.perf_counter()
                    try:
                        page.goto(f"{base}/?q={rng.choice(QUERIES).replace(' ', '+')}&near=Middlesbrough&km=25")
                        page.locator(".rp-card, .rp-empty, [data-testid='stAlert']").first.wait_for(timeout=60_000)
                        times.append(time.perf_counter() - started)
                    except Exception as error:
                        errors.append(f"{type(error).__name__}: {str(error)[:160]}")
                    finally:
                        context.close()
                    if stop.is_set():
                        break
                if think_s > 0:
                    stop.wait(rng.expovariate(1.0 / think_s))
        finally:
            browser.close()


# -- the run ------------------------------------------------------------------------------------------------------

def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1)

    return {"count": len(ordered), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(ordered[-1] * 1000, 1)}


def bench_load(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--instances", type=int, default=4)
    parser.add_argument("--keyworkers", type=int, default=100)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--think-s", type=float, default=10.0, help="mean seconds between one person's actions")
    parser.add_argument("--browsers", type=int, default=2)
    parser.add_argument("--browser-think-s", type=float, default=None,
                        help="mean seconds between a browser's pages (default: --think-s, as a keyworker; "
                             "0: back to back, as runs before 2026-12-07 09:30 did)")
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--import-share", type=float, default=0.02, help="share of editor actions that import 500 rows")
    parser.add_argument("--database", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the filled database")
    parser.add_argument("--rebuild-design", action="store_true",
                        help="the baseline: the simulated pages build the planner index whole after every change")
    args = parser.parse_args(argv or [])
    if args.browser_think_s is None:
        args.browser_think_s = args.think_s
    if not args.database or not args.database.startswith("postgresql"):
        return [{"name": "load", "error": "needs PostgreSQL: --database postgresql+psycopg://… or "
                 "eval \"$(bash .ci/postgres.sh)\" for $TEST_POSTGRES_URL"}]
    from bench.bench_browser import _serve
    from directory.api import Directory

    url, reused = _database_url(args.database, args.entries, args.reuse)
    fill_s = _fill(url, args.entries)
    directory = Directory(url, locate_postcode=None)
    ids = [entry.id for entry in directory.entries()]
    directory.engine.dispose()

    # Stopped by a signal (kill, Ctrl-C), the run still stops what it started: a generator left running would go
    # on driving its simulated people against the database and skew the next run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench load: stopped"))
    servers = [_serve(ROOT, url) for _ in range(args.instances)]
    bases = [base for _, base in servers]
    generators: list = []
    results: list[dict] = []
    try:
        warm = []
        for base in bases:  # each instance's first request builds what it keeps (index, API catalogue)
            started = time.perf_counter()
            # An instance's first answer reads every entry and builds its indexes: minutes at 300,000 on a busy machine.
            _served_description(base, "00000000-0000-0000-0000-000000000000", timeout_s=1200)
            warm.append(round(time.perf_counter() - started, 2))
        context = multiprocessing.get_context("spawn")
        result_queue, writes = context.Queue(), context.Queue()
        seconds = args.minutes * 60
        share = lambda total, i: total // args.generators + (1 if i < total % args.generators else 0)  # noqa: E731
        generators = [context.Process(target=_generator, args=(
            url, i + 1, share(args.keyworkers, i), share(args.editors, i), seconds, args.think_s, ids, result_queue,
            writes, args.import_share, args.rebuild_design)) for i in range(args.generators)]
        stop = threading.Event()
        found = {"stale_first_reads": 0, "probe_errors": 0, "never_seen_within_60_s": 0, "probed_writes": 0,
                 "first_ask_after_commit_s": [], "visible_everywhere_after_first_ask_s": []}
        found_lock = threading.Lock()
        memory: list = []
        browser_times: list[float] = []
        browser_errors: list[str] = []
        pids = [server.pid for server, _ in servers]
        memory.append((0, [_rss_mb(pid) for pid in pids]))
        watchers = [threading.Thread(target=_watch_writes, args=(bases, writes, stop, found, found_lock), daemon=True)
                    for _ in range(4)]
        watchers.append(threading.Thread(target=_sample_memory, args=(pids, stop, memory), daemon=True))
        if args.browsers:
            watchers.append(threading.Thread(target=_browse, args=(bases, args.browsers, stop, browser_times,
                                                                   browser_errors, args.browser_think_s), daemon=True))
        started = time.monotonic()
        for process in generators:
            process.start()
        for watcher in watchers:
            watcher.start()
        outcomes = [result_queue.get(timeout=seconds + 600) for _ in generators]
        for process in generators:
            process.join(timeout=60)
        stop.set()
        for watcher in watchers:
            watcher.join(timeout=120)
        ran_s = time.monotonic() - started
        memory.append((round(ran_s), [_rss_mb(pid) for pid in pids]))

        times: dict[str, list[float]] = {}
        errors: dict[str, list[str]] = {}
        edits = []
        for outcome in outcomes:
            for action, values in outcome["times"].items():
                times.setdefault(action, []).extend(values)
            for action, values in outcome["errors"].items():
                errors.setdefault(action, []).extend(values)
            edits.extend(outcome["edits"])
        # Lost updates: the last edit that succeeded on an entry is what the entry holds.
        last: dict[str, tuple[int, str]] = {}
        for entry_id, version, token in edits:
            if entry_id not in last or version > last[entry_id][0]:
                last[entry_id] = (version, token)
        checker = Directory(url, locate_postcode=None)
        lost = sum(1 for entry_id, (_, token) in last.items() if token not in (checker.get(entry_id).description or ""))
        live = checker.count()
        checker.engine.dispose()

        results.append({"name": "load_setup", "entries": args.entries, "live_at_end": live, "instances": args.instances,
                        "keyworkers": args.keyworkers, "editors": args.editors, "minutes": args.minutes,
                        "think_s": args.think_s, "browser_think_s": args.browser_think_s, "generators": args.generators, "cores": os.cpu_count(),
                        "design": "rebuild per change (baseline)" if args.rebuild_design else "change log",
                        "database": "postgresql", "reused_database": reused, "fill_s": round(fill_s, 1),
                        "first_request_per_instance_s": warm, "ran_s": round(ran_s, 1)})
        for action in sorted(set(times) | set(errors)):
            if action == "update_conflict_retried":
                continue
            results.append({"name": f"load_{action}", **_percentiles(times.get(action, [])),
                            "errors": len(errors.get(action, [])),
                            "first_errors": sorted(set(errors.get(action, [])))[:3],
                            "per_minute": round(len(times.get(action, [])) / (ran_s / 60), 1)})
        results.append({"name": "load_consistency", "edits": len(edits), "entries_edited": len(last),
                        "conflicts_retried": len(times.get("update_conflict_retried", [])), "lost_updates": lost,
                        "probed_writes": found["probed_writes"], "stale_first_reads": found["stale_first_reads"],
                        "never_seen_within_60_s": found["never_seen_within_60_s"],
                        "probe_errors": found["probe_errors"],
                        "first_ask_after_commit": _percentiles(found["first_ask_after_commit_s"]),
                        "served_by_every_instance_after_first_ask": _percentiles(
                            found["visible_everywhere_after_first_ask_s"])})
        results.append({"name": "load_browsers", "sessions": args.browsers, **_percentiles(browser_times),
                        "errors": len(browser_errors), "first_errors": browser_errors[:3]})
        results.append({"name": "load_memory_mb", "samples": [
            {"at_s": at, "rss_mb": [round(value) if value else None for value in values]} for at, values in memory]})
    finally:
        for process in generators:
            if process.is_alive():
                process.terminate()
        for server, _ in servers:
            server.terminate()
        for server, _ in servers:
            try:
                server.wait(timeout=30)
            except Exception:
                server.kill()
    return results


if __name__ == "__main__":
    for line in bench_load(sys.argv[1:]):
        print(json.dumps(line))
