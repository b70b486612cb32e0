"""Scale benchmark (issue 18): what one write costs every app instance's next search and next plan, at
50,000 entries (and 300,000 with --n), against the full-rebuild design in the same run, and each instance's
memory.

    .venv/bin/python -m bench scale [--n 50000] [--writes 10] [--postgres] [--sqlite-dir DIR] [--database URL]
                                    [--changed 1000,5000,12000]

A directory of --n synthetic entries (bench_search.make_entries, the search benchmark's) is written into a
file-based SQLite database (and a fresh PostgreSQL database when --postgres is given or TEST_POSTGRES_URL is
set). A separate process, the instance measured, opens it as the app does (long_running), so its resident
memory is an instance's and not the loader's. There it measures:

- the first search and the first plan: every entry read and both indexes built whole, and RSS after each;
- warm: p50 of a mix of searches (text, text + radius + category, radius only) and of plans, before the writes
  and again after them (every search and plan then reads the base index and the changes beside it);
- after one write (an entry renamed by another Directory on the same database, in a process of its own, as
  another instance would):
  the next search (ms, and whether it shows the write: stale reads are counted) and, after another write,
  the next plan; each catch-up reads the change log and re-indexes the changed entry only;
- the baseline, the full-rebuild design, in the same process: after one write, every entry read again and
  the index built whole, then the same search (and plan);
- with --changed: with that many entries changed since the base, one more write's catch-up, the search's and
  then the planner's.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SEARCHES = [
    ("esol", {}),
    ("plumbr course", {}),
    ("recovery cafe", {"near": "Leeds", "within_km": 10.0, "categories": ("recovery_support",)}),
    ("job club", {"near": "Middlesbrough", "within_km": 25.0}),
    ("", {"near": "Manchester", "within_km": 3.0}),
    ("volunterring", {"free_only": True}),
]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return (time.perf_counter() - started) * 1000.0, result


def _p50(values: list[float]) -> float:
    return round(statistics.median(values), 2)


# -- filling a database --------------------------------------------------------------------------------------


def fill(url: str, n: int) -> float:
    """Write n synthetic entries (bench_search's, as bench_api does); seconds taken."""
    from bench.bench_search import make_entries
    from bench.filling import fill as write_entries
    from directory.api import Directory

    started = time.perf_counter()
    directory = Directory(url, locate_postcode=None)
    write_entries(directory, make_entries(n, 1))
    directory.engine.dispose()
    return time.perf_counter() - started


# -- the instance measured (a process of its own) ---------------------------------------------------------------


def measure(url: str, writes: int, baseline_runs: int, changed: list[int] = ()) -> dict:
    from bench.bench_planner import PROFILES, TODAY, locator_for
    from bench.bench_search import TOWNS
    from directory.api import Directory, give_back_memory
    from directory.search import Filters, SearchIndex
    from planner import PlannerIndex, parse_profile, recommend

    result: dict = {"rss_start_mb": _rss_mb()}
    instance = Directory(url, locate_postcode=None, long_running=True)
    writer = _Writer(url)  # another instance, writing, in a process of its own (its memory is not counted here)
    searches = [(q, Filters(**({**f, "near": TOWNS[f["near"]]} if "near" in f else f))) for q, f in SEARCHES]
    profiles = [(parse_profile(copy.deepcopy(data)), locator_for(town)) for data, town in list(PROFILES.values())[:3]]

    def search_all(index_of):
        for query, filters in searches:
            index_of().search(query, filters, limit=50)

    def plan(index, which: int = 0):
        profile, locate = profiles[which]
        return recommend(profile, index, TODAY, postcode_locator=locate)

    planner_index = lambda: instance.kept_index("planner", PlannerIndex.build)  # noqa: E731
    ms, _ = _timed(instance.search_index)
    result |= {"entries": len(instance.search_index()), "first_search_index_ms": round(ms), "rss_after_search_index_mb": _rss_mb()}
    ms, _ = _timed(planner_index)
    result |= {"first_planner_index_ms": round(ms), "rss_after_planner_index_mb": _rss_mb()}

    def warm_p50s() -> tuple[float, float]:
        """p50 of 5 rounds of the searches and of 6 plans, warm."""
        searched = [_timed(lambda: instance.search(query, filters))[0] for _ in range(5) for query, filters in searches]
        planned = [_timed(lambda: plan(planner_index(), i % len(profiles)))[0] for i in range(6)]
        return _p50(searched), _p50(planned)

    search_p50, plan_p50 = warm_p50s()
    result |= {"warm_search_p50_ms": search_p50, "warm_plan_p50_ms": plan_p50}

    live = [e for e in instance.search_index().entries if e.has_position][:writes * 2]
    after_write, plan_after_write, stale = [], [], 0
    for i in range(writes):
        token = f"kestrel{uuid.uuid4().hex[:6]}"
        entry = live[i]
        writer.write("name", entry.id, token)
        ms, hits = _timed(lambda: instance.search(token))
        after_write.append(ms)
        stale += not hits or hits[0].entry.id != entry.id
        entry = live[writes + i]
        writer.write("description", entry.id, token)
        ms, _ = _timed(lambda: plan(planner_index(), i % len(profiles)))
        plan_after_write.append(ms)
        index = planner_index()
        stale += not any(e.id == entry.id and token in (e.description or "") and not index.archived[row]
                         for row, e in enumerate(index.entries[index.base_rows or 0:], start=index.base_rows or 0))
    result |= {
        "writes": writes, "stale_reads": stale,
        "search_after_write_p50_ms": _p50(after_write), "search_after_write_max_ms": round(max(after_write), 1),
        "plan_after_write_p50_ms": _p50(plan_after_write), "plan_after_write_max_ms": round(max(plan_after_write), 1),
        "index_events": dict(instance.index_events), "rss_after_writes_mb": _rss_mb(),
    }
    # What the C allocator still holds free after the catch-ups, and what handing it back costs.
    ms, _ = _timed(give_back_memory)
    result |= {"give_back_memory_ms": round(ms, 1), "rss_after_writes_given_back_mb": _rss_mb()}
    # Warm again, now that every search and plan reads the base and the changes beside it.
    search_p50, plan_p50 = warm_p50s()
    result |= {"warm_search_with_changes_p50_ms": search_p50, "warm_plan_with_changes_p50_ms": plan_p50}

    # The full-rebuild design, same process, same database: one write, then every entry read and indexed again.
    rebuild, plan_rebuild = [], []
    for i in range(baseline_runs):
        writer.write("name", live[i].id, "again")
        ms, _ = _timed(lambda: (instance.change_counter(), SearchIndex.build(instance.entries()).search(*searches[1])))
        rebuild.append(ms)
        writer.write("description", live[i].id, "again")
        ms, _ = _timed(lambda: plan(PlannerIndex.build(instance.entries()), i % len(profiles)))
        plan_rebuild.append(ms)
    result |= {"baseline_search_after_write_p50_ms": _p50(rebuild), "baseline_plan_after_write_p50_ms": _p50(plan_rebuild)}
    if changed:
        result["catch_up_with_changed"] = _catch_up_with_changed(instance, writer, changed)
    result["rss_end_mb"] = _rss_mb()
    instance.engine.dispose()
    writer.close()
    return result


def _catch_up_with_changed(instance, writer: _Writer, targets: list[int]) -> list[dict]:
    """With `target` entries changed since the base (edited in bulk by the writer), what one more write costs
    the next search's catch-up and then the planner index's (its own catch-up, given the entries changed since
    it was last asked for), p50 of 5."""
    from planner import PlannerIndex

    planner_index = lambda: instance.kept_index("planner", PlannerIndex.build)  # noqa: E731
    ids = [e.id for e in instance.search_index().entries[:max(targets) + 5 * len(targets)]]
    rows, done = [], 0
    for target in sorted(targets):
        for start in range(done, target, 1_000):
            writer.write_many(ids[start:min(start + 1_000, target)])
        done = target
        planner_index()
        search_ms, planner_ms = [], []
        for _ in range(5):
            writer.write("description", ids[done], "again")
            done += 1
            search_ms.append(_timed(instance.search_index)[0])
            planner_ms.append(_timed(planner_index)[0])
        rows.append({"changed_since_base": len(instance._changed), "search_catch_up_p50_ms": _p50(search_ms),
                     "planner_catch_up_p50_ms": _p50(planner_ms),
                     "index_events": dict(instance.index_events)})
    return rows


class _Writer:
    """Another app instance that writes: a child process told what to change, one line at a time."""

    def __init__(self, url: str):
        self.process = subprocess.Popen([sys.executable, "-m", "bench.bench_scale", "--write", url], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def write(self, field: str, entry_id: str, word: str) -> None:
        """Append `word` to the entry's name or description; back once committed."""
        self.process.stdin.write(f"{field} {entry_id} {word}\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            raise RuntimeError("the writing process failed")

    def write_many(self, entry_ids: list[str]) -> None:
        """Append "bulk" to these entries' descriptions, in one transaction."""
        self.process.stdin.write(f"many {','.join(entry_ids)} bulk\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            raise RuntimeError("the writing process failed")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def serve_writes(url: str) -> None:
    from directory.api import Directory

    directory = Directory(url, locate_postcode=None)
    for line in sys.stdin:
        field, entry_id, word = line.split()
        if field == "many":
            directory.update_many([(e.id, {"description": f"{e.description or ''} {word}".strip()}, e.version)
                                   for e in directory.entries(ids=entry_id.split(","))], "bench")
            print("ok", flush=True)
            continue
        entry = directory.get(entry_id)
        directory.update(entry_id, {field: f"{getattr(entry, field) or ''} {word}".strip()}, entry.version, "bench")
        print("ok", flush=True)


# -- the run ---------------------------------------------------------------------------------------------------------


def _postgres_database(server: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bench_scale_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.rsplit("/", 1)[0] + f"/{name}", drop


def bench_scale(options: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--n", type=int, default=50_000, help="entries (300000 for the national figure)")
    parser.add_argument("--writes", type=int, default=10, help="writes measured one by one")
    parser.add_argument("--baseline-runs", type=int, default=2, help="full rebuilds measured (each reads everything)")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL ($TEST_POSTGRES_URL)")
    parser.add_argument("--sqlite-dir", help="where the SQLite file goes (default: a temporary directory)")
    parser.add_argument("--database", help="measure this database, already filled by fill() (it is written to)")
    parser.add_argument("--changed", default="", help="then, with this many entries changed since the base "
                        "(comma-separated, e.g. 1000,5000,12000), one more write's catch-up for search and planner")
    args = parser.parse_args(options or [])
    if args.database:
        child = subprocess.run([sys.executable, "-m", "bench.bench_scale", "--measure", args.database, str(args.writes),
                                str(args.baseline_runs), args.changed], cwd=ROOT, capture_output=True, text=True, check=True)
        return [{"name": "scale", "database": args.database.split(":")[0].split("+")[0], "n": args.n,
                 **json.loads(child.stdout.strip().splitlines()[-1])}]
    databases = ["sqlite"] + (["postgresql"] if args.postgres or os.environ.get("TEST_POSTGRES_URL") else [])
    rows = []
    for dialect in databases:
        with tempfile.TemporaryDirectory(dir=args.sqlite_dir) as folder:
            if dialect == "sqlite":
                url, drop = f"sqlite:///{Path(folder) / 'scale.db'}", lambda: None
            else:
                server = os.environ.get("TEST_POSTGRES_URL")
                if not server:
                    raise SystemExit("--postgres needs TEST_POSTGRES_URL (a server the benchmark may create a database on)")
                url, drop = _postgres_database(server)
            try:
                fill_s = fill(url, args.n)
                child = subprocess.run(
                    [sys.executable, "-m", "bench.bench_scale", "--measure", url, str(args.writes), str(args.baseline_runs),
                     args.changed],
                    cwd=ROOT, capture_output=True, text=True, check=True)
                measured = json.loads(child.stdout.strip().splitlines()[-1])
                rows.append({"name": "scale", "database": dialect, "n": args.n, "fill_s": round(fill_s, 1), **measured})
            finally:
                drop()
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        serve_writes(sys.argv[2])
    elif sys.argv[1:2] == ["--measure"]:
        changed = [int(n) for n in sys.argv[5].split(",") if n] if len(sys.argv) > 5 else []
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), changed)))
    else:
        for line in bench_scale(sys.argv[1:]):
            print(json.dumps(line))
