"""Benchmark for directory.postcodes: cold load in a new process, warm look-ups, naive baseline.

    python -c "from bench.bench_postcodes import bench_postcodes; print(bench_postcodes())"
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from directory.postcodes import DEFAULT_PATH, PostcodeTable, normalise_postcode

ROOT = Path(__file__).resolve().parents[1]

LOAD_RUNS = 5
LOOKUPS = 10_000
BASELINE_LOOKUPS = 50
LOAD_TARGET_S = 1.0
LOOKUP_TARGET_US = 20.0

# Timed from before the import (which brings in numpy) to the first answer:
# what a fresh Streamlit worker actually waits for.
_LOAD_SCRIPT = """
import time
started = time.perf_counter()
from directory.postcodes import PostcodeTable
table = PostcodeTable.load()
table.lookup("TS1 1QA")
print(time.perf_counter() - started)
"""


def _new_process_load() -> dict:
    in_process, wall = [], []
    for _ in range(LOAD_RUNS):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _LOAD_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
        )
        wall.append(time.perf_counter() - started)
        in_process.append(float(done.stdout.strip()))
    median = statistics.median(in_process)
    return {
        "name": "postcodes.load_new_process",
        "unit": "s",
        "median": round(median, 4),
        "runs": LOAD_RUNS,
        "process_wall_median": round(statistics.median(wall), 4),  # includes interpreter start-up
        "file_bytes": DEFAULT_PATH.stat().st_size,
        "target": LOAD_TARGET_S,
        "ok": median <= LOAD_TARGET_S,
    }


def _warm_lookups(table: PostcodeTable, queries: list[str]) -> dict:
    for postcode in queries[:1000]:
        table.lookup(postcode)
    timings_ns = np.empty(len(queries))
    for index, postcode in enumerate(queries):
        started = time.perf_counter_ns()
        table.lookup(postcode)
        timings_ns[index] = time.perf_counter_ns() - started
    median = float(np.median(timings_ns)) / 1000
    return {
        "name": "postcodes.lookup_warm",
        "unit": "us",
        "median": round(median, 3),
        "p95": round(float(np.percentile(timings_ns, 95)) / 1000, 3),
        "lookups": len(queries),
        "target": LOOKUP_TARGET_US,
        "ok": median <= LOOKUP_TARGET_US,
    }


def _baseline_lookups(arrays: dict[str, np.ndarray], queries: list[str], table_median_us: float) -> dict:
    import pandas as pd

    frame = pd.DataFrame({name: arrays[name] for name in ("postcode", "latitude", "longitude")})

    def lookup(postcode: str) -> tuple[float, float] | None:
        match = frame.loc[frame["postcode"] == normalise_postcode(postcode)]
        return None if match.empty else (float(match["latitude"].iat[0]), float(match["longitude"].iat[0]))

    started = time.perf_counter()
    for postcode in queries:
        lookup(postcode)
    per_lookup = (time.perf_counter() - started) / len(queries) * 1e6
    return {
        "name": "postcodes.lookup_baseline_pandas_mask",
        "unit": "us",
        "per_lookup": round(per_lookup, 1),
        "lookups": len(queries),
        "ratio_to_table_median": round(per_lookup / table_median_us, 1),
    }


def bench_postcodes() -> list[dict]:
    table = PostcodeTable.load()  # builds data/postcodes.npz first if it is missing
    load = _new_process_load()
    arrays = table.districts()
    rng = np.random.default_rng(20240601)
    queries = [str(postcode) for postcode in rng.choice(arrays["postcode"], LOOKUPS)]
    warm = _warm_lookups(table, queries)
    baseline = _baseline_lookups(arrays, queries[:BASELINE_LOOKUPS], warm["median"])
    return [load, warm, baseline]
