"""Run the benchmarks: python -m bench [NAME ...]; prints one JSON line per measurement.

Each figure is measured beside a naive baseline in the same run, so the ratio
holds on any machine. Results go in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time

def reference_workload_s(repeats: int = 5) -> float:
    """Median seconds for a fixed mix of Python work (parsing, sorting, string building). This machine's
    speed varies from hour to hour (a shared host), so every run records it beside its figures, at the
    start and at the end: absolute times from runs with different references are not comparable."""
    import statistics

    rows = [{"id": i, "name": f"entry {i}", "lat": 54.5 + i / 1e5, "tags": ["a", "b", str(i % 7)]} for i in range(20_000)]
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        text = json.dumps(rows)
        parsed = json.loads(text)
        parsed.sort(key=lambda row: (row["tags"][2], -row["lat"]))
        "".join(f"<b>{row['name']}</b>" for row in parsed)
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings), 4)


BENCHES = {
    "postcodes": ("bench.bench_postcodes", "bench_postcodes"),
    "search": ("bench.bench_search", "bench_search"),
    "import": ("bench.bench_import", "bench_import"),
    "health": ("bench.bench_health", "bench_health"),
    "planner": ("bench.bench_planner", "bench_planner"),
    "map": ("bench.bench_map", "bench_map"),
    "browser": ("bench.bench_browser", "bench_browser"),
    "national-map": ("bench.bench_browser", "bench_national"),
    "api": ("bench.bench_api", "bench_api"),
    "harvest": ("bench.bench_harvest", "bench_harvest"),
    # Not in the default run: compares with another commit ($BENCH_AGAINST, default HEAD~1).
    "browser-ab": ("bench.bench_browser", "bench_browser_ab"),
    # On demand only: several app instances on PostgreSQL under simulated keyworkers and editors.
    "load": ("bench.bench_load", "bench_load"),
    # On demand only: one write's cost to every instance's next search and plan (python -m bench scale --n 300000).
    "scale": ("bench.bench_scale", "bench_scale"),
    # On demand only: the first page after a fresh start, this tree against $BENCH_AGAINST (a few minutes).
    "startup": ("bench.bench_startup", "bench_startup"),
    # On demand only: one editor's write in a 50,000-entry directory, SQLite and $TEST_POSTGRES_URL.
    "writes": ("bench.bench_import", "bench_writes"),
    # On demand only: 300,000 rows into a new PostgreSQL database ($TEST_POSTGRES_URL), beside 10,000.
    "import-national": ("bench.bench_import", "bench_import_national"),
    # On demand only: one instance's memory through writes and browser sessions (python -m bench instance-memory).
    "instance-memory": ("bench.bench_memory", "bench_instance_memory"),
    # On demand only: RSS after each part of an app instance (python -m bench instance-parts --database …).
    "instance-parts": ("bench.bench_memory", "bench_instance_parts"),
}
ON_DEMAND = {"browser-ab", "load", "scale", "national-map", "startup", "writes", "import-national",
             "instance-memory", "instance-parts"}  # national-map: 300,000 entries made once (~11 min), then ~10 min
TAKES_OPTIONS = {"load", "scale", "writes", "import-national", "instance-memory", "instance-parts"}  # python -m bench load --entries 300000 …: the options go to the benchmark
DEFAULT = [name for name in BENCHES if name not in ON_DEMAND]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *BENCHES], metavar="NAME",
                        help=f"which benchmarks (default all but {', '.join(sorted(ON_DEMAND))}): {', '.join(BENCHES)}")
    args, options = parser.parse_known_args(argv)
    if options and not set(args.names or []) <= TAKES_OPTIONS:
        parser.error(f"options {' '.join(options)} are only for: {', '.join(sorted(TAKES_OPTIONS))}")
    print(json.dumps({"machine": platform.machine(), "python": platform.python_version(),
                      "processor_count": __import__("os").cpu_count(), "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                      "reference_workload_s": reference_workload_s()}))
    for name in args.names or DEFAULT:
        module_name, function_name = BENCHES[name]
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as error:
            print(json.dumps({"bench": name, "error": f"not available: {error}"}))
            continue
        for line in (function(options) if name in TAKES_OPTIONS else function()):
            print(json.dumps({"bench": name, **line}), flush=True)
    time.sleep(3)  # the benchmarks' browsers and servers finish shutting down
    print(json.dumps({"finished": time.strftime("%Y-%m-%dT%H:%M:%S"), "reference_workload_s": reference_workload_s()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
