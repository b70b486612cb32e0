"""Provision health at scale: the whole-directory duplicate scan and area assignment (issue goals).

- Duplicate scan of 50,000 entries (goal ≤ 30 s), in memory via
  `duplicates.find_duplicate_pairs`, beside the naive scan measured in the same run:
  every pair scored, on 2,000 entries, projected to 50,000 by the pair count.
- Area assignment of 50,000 points to postcode-district outlines (goal ≤ 1 s)
  via `coverage.assign_areas` (one spatial join over ~360 district outlines
  of North East England and Yorkshire), beside a naive loop of shapely
  point-in-polygon tests over every area, on a sample, projected.
"""

from __future__ import annotations

import random
import time

import numpy as np

from bench.bench_import import TOWNS, WORDS, CATEGORIES

DUPLICATE_SHARE = 0.02  # near-copies mixed in, so the pair checks run as well as the blocking


def synthetic_entries(n: int, seed: int = 1) -> list:
    """`n` entries around ten towns (bench_import's recipe), 2% of them near-copies of an earlier entry."""
    from directory.fields import Entry

    rng = random.Random(seed)
    entries: list[Entry] = []
    for i in range(n):
        if entries and rng.random() < DUPLICATE_SHARE:
            original = rng.choice(entries)
            entries.append(Entry(
                id=f"e{i}", name=original.name.lower().replace(" ", "", 1), organisation=original.organisation + " Ltd",
                category=original.category, longitude=original.longitude, meta={"copy_of": original.id},
                latitude=None if original.latitude is None else round(original.latitude + 0.001, 6),  # ~110 m north
            ))
            continue
        town, lat, lon = rng.choice(TOWNS)
        online = rng.random() < 0.05
        entries.append(Entry(
            id=f"e{i}", name=" ".join(rng.sample(WORDS, 3)).title() + f" {i % 997}",
            organisation=f"{town} {rng.choice(WORDS).title()} Trust {i % 400}", category=rng.choice(CATEGORIES),
            latitude=None if online else round(lat + rng.gauss(0, 0.08), 6),
            longitude=None if online else round(lon + rng.gauss(0, 0.12), 6),
        ))
    return entries


def _naive_pairs_seconds(entries: list) -> float:
    """Every pair scored with both scorers and checked like the real scan: no blocking."""
    from rapidfuzz import fuzz

    from directory.duplicates import NAME_THRESHOLD, fold, name_similarity

    names = [fold(e.name) for e in entries]
    started = time.perf_counter()
    found = 0
    for i in range(len(entries)):
        for j in range(i + 1, len(entries)):
            if name_similarity(names[i], names[j]) >= NAME_THRESHOLD:
                found += fuzz.token_set_ratio(entries[i].organisation, entries[j].organisation) >= 70
    return time.perf_counter() - started


def bench_duplicates(n: int = 50_000, naive_n: int = 2_000) -> dict:
    from directory.duplicates import find_duplicate_pairs

    entries = synthetic_entries(n)
    started = time.perf_counter()
    pairs = find_duplicate_pairs(entries)
    seconds = time.perf_counter() - started
    found = {p.ids for p in pairs}
    planted = [(e.meta["copy_of"], e.id) for e in entries if "copy_of" in e.meta]
    naive_seconds = _naive_pairs_seconds(entries[:naive_n])
    naive_projected = naive_seconds * (n * (n - 1)) / (naive_n * (naive_n - 1))
    return {
        "name": "duplicate_scan_50k", "entries": n, "pairs_found": len(pairs),
        "near_copies_planted": len(planted),
        "planted_pairs_found": sum(tuple(sorted(pair)) in found for pair in planted),
        "seconds": round(seconds, 2), "goal_seconds": 30,
        "naive_all_pairs_entries": naive_n, "naive_seconds": round(naive_seconds, 2),
        "naive_projected_seconds": round(naive_projected, 1),
        "ratio_naive_over_ours": round(naive_projected / seconds, 1),
    }


# North East England and Yorkshire: ~360 postcode districts, so the naive loop has realistic work to do.
REGION_POSTCODE_AREAS = ("TS", "DL", "DH", "NE", "SR", "YO", "HG", "LS", "BD", "HD", "HX", "WF", "S", "DN", "HU")


def _region_areas_and_points(n: int, seed: int = 2):
    """The region's district outlines (computed once, then read from data/cache/) and `n` points scattered
    around its own postcodes (~50 m), so nearly all land in some district."""
    from directory.coverage import district_areas, postcode_points
    from directory.geo import postcode_area
    from directory.postcodes import default_table

    table = default_table()
    names = np.unique(table.districts()["district"])
    areas = district_areas(table, [d for d in names if postcode_area(d) in REGION_POSTCODE_AREAS])
    homes = postcode_points(areas, table)
    homes = homes[homes["district"].isin(set(areas["area"]))]
    rng = np.random.default_rng(seed)
    picked = rng.integers(0, len(homes), n)
    lat = homes["latitude"].to_numpy()[picked] + rng.normal(0, 0.0005, n)
    lon = homes["longitude"].to_numpy()[picked] + rng.normal(0, 0.0008, n)
    return areas, lat, lon


def _naive_assignment_seconds(areas, lat, lon) -> float:
    import shapely

    polygons = list(zip(areas["area"], areas.geometry))
    started = time.perf_counter()
    for y, x in zip(lat, lon):
        point = shapely.Point(x, y)
        next((name for name, polygon in polygons if polygon.intersects(point)), None)
    return time.perf_counter() - started


def bench_area_assignment(n: int = 50_000, naive_sample: int = 1_000) -> dict:
    from directory.coverage import assign_areas

    areas, lat, lon = _region_areas_and_points(n)
    assign_areas((lat[:100], lon[:100]), areas)  # warm-up: imports and the spatial index code paths
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        assigned = assign_areas((lat, lon), areas)
        runs.append(time.perf_counter() - started)
    naive = _naive_assignment_seconds(areas, lat[:naive_sample], lon[:naive_sample])
    naive_projected = naive * n / naive_sample
    best = min(runs)
    return {
        "name": "area_assignment_50k", "points": n, "areas": len(areas),
        "assigned": int(assigned.notna().sum()), "seconds": round(best, 3),
        "seconds_each_run": [round(r, 3) for r in runs], "goal_seconds": 1,
        "naive_sample": naive_sample, "naive_projected_seconds": round(naive_projected, 2),
        "ratio_naive_over_ours": round(naive_projected / best, 1),
    }


def bench_health() -> list[dict]:
    return [bench_duplicates(), bench_area_assignment()]


if __name__ == "__main__":
    import json

    for line in bench_health():
        print(json.dumps(line))
