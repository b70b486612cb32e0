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

BENCHES = {
    "postcodes": ("bench.bench_postcodes", "bench_postcodes"),
    "search": ("bench.bench_search", "bench_search"),
    "import": ("bench.bench_import", "bench_import"),
    "health": ("bench.bench_health", "bench_health"),
    "planner": ("bench.bench_planner", "bench_planner"),
    "map": ("bench.bench_map", "bench_map"),
    "browser": ("bench.bench_browser", "bench_browser"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *BENCHES], metavar="NAME",
                        help=f"which benchmarks (default all): {', '.join(BENCHES)}")
    args = parser.parse_args(argv)
    print(json.dumps({"machine": platform.machine(), "python": platform.python_version(),
                      "processor_count": __import__("os").cpu_count(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}))
    for name in args.names or BENCHES:
        module_name, function_name = BENCHES[name]
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as error:
            print(json.dumps({"bench": name, "error": f"not available: {error}"}))
            continue
        for line in function():
            print(json.dumps({"bench": name, **line}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
