"""Import of 10,000 rows, duplicate checks included, into a directory of 50,000 (goal ≤ 10 s).

The baseline in the same run is the naive duplicate check: every new row against
every existing entry with rapidfuzz's WRatio, no blocking.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz

WORDS = ("recovery", "café", "job", "club", "kitchen", "skills", "hub", "garden", "project", "works", "digital",
         "learning", "centre", "housing", "advice", "peer", "mentor", "volunteer", "community", "training")
TOWNS = [("Middlesbrough", 54.574, -1.235), ("Leeds", 53.800, -1.549), ("Sheffield", 53.381, -1.470),
         ("Coventry", 52.407, -1.512), ("Bristol", 51.455, -2.588), ("Norwich", 52.630, 1.297),
         ("Preston", 53.763, -2.703), ("Hull", 53.745, -0.336), ("Leicester", 52.637, -1.139),
         ("Plymouth", 50.375, -4.143)]
CATEGORIES = ("training", "volunteering", "recovery_support", "employment_support", "basic_skills", "employer")


def synthetic_rows(n: int, seed: int, prefix: str) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        town, lat, lon = rng.choice(TOWNS)
        name = " ".join(rng.sample(WORDS, 3)).title() + f" {i % 997}"
        rows.append({
            "id": f"{prefix}{i}", "name": name, "organisation": f"{town} {rng.choice(WORDS).title()} Trust {i % 400}",
            "category": rng.choice(CATEGORIES), "latitude": f"{lat + rng.gauss(0, 0.08):.6f}",
            "longitude": f"{lon + rng.gauss(0, 0.12):.6f}", "schedule": rng.choice(["Mon 09:00-12:00", "Tue,Thu 10:00-12:00", ""]),
            "tags": ";".join(rng.sample(WORDS, 2)), "cost": "free",
        })
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def bench_import(existing: int = 50_000, new: int = 10_000, url: str | None = None) -> list[dict]:
    from directory.accounts import create_user
    from directory.api import Directory
    from directory.io.importer import Importer

    with tempfile.TemporaryDirectory() as folder:
        directory = Directory(url or f"sqlite:///{Path(folder) / 'bench.db'}", locate_postcode=None)
        create_user(directory, "bench", "Benchmark", "coordinator")
        started = time.perf_counter()
        Importer(directory, "bench", allow_duplicates=True, max_rows=existing).run(as_csv(synthetic_rows(existing, 1, "e")), "base.csv")
        setup_s = time.perf_counter() - started

        incoming = synthetic_rows(new, 2, "n")
        started = time.perf_counter()
        report = Importer(directory, "bench").run(as_csv(incoming), "new.csv")
        import_s = time.perf_counter() - started

        # Naive baseline: WRatio of each new name against every existing name, on a sample of rows.
        names = [e.name for e in directory.entries()]
        sample = incoming[:20]
        started = time.perf_counter()
        for row in sample:
            for name in names:
                fuzz.WRatio(row["name"], name, score_cutoff=85)
        naive_per_row = (time.perf_counter() - started) / len(sample)
        directory.engine.dispose()
    ours_per_row = import_s / new
    return [{
        "name": "import_10k_into_50k", "dialect": directory.dialect, "existing": existing, "rows": new,
        "created": report.created, "held_back_as_duplicates": len({d["row"] for d in report.possible_duplicates}),
        "rejected": len(report.rejected_rows), "seconds": round(import_s, 2), "goal_seconds": 10,
        "setup_import_50k_seconds": round(setup_s, 2),
        "ms_per_row": round(ours_per_row * 1000, 3),
        "naive_duplicate_check_ms_per_row": round(naive_per_row * 1000, 2),
        "naive_projected_seconds": round(naive_per_row * new, 1),
        "ratio_naive_over_ours": round(naive_per_row / ours_per_row, 1),
    }]


if __name__ == "__main__":
    import json

    for line in bench_import():
        print(json.dumps(line))
