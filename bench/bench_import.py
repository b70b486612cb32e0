"""Import of 10,000 rows, duplicate checks included, into a directory of 50,000 (goal ≤ 10 s).

The baseline in the same run is the naive duplicate check: every new row against
every existing entry with rapidfuzz's WRatio, no blocking.
"""

from __future__ import annotations

import contextlib
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


def bench_import_national(options: list[str] | None = None) -> list[dict]:
    """300,000 synthetic rows (tens of thousands of organisations) into a new PostgreSQL database on the server
    $TEST_POSTGRES_URL names, duplicates allowed (goal ≤ 120 s), with the time the check and the writing took and
    the rows written each 50,000; beside it, in the same run, 10,000 rows the same way (the scale it was made for).

    python -m bench import-national [--rows 300000] [--beside 10000]"""
    import argparse
    import os

    from directory.accounts import create_user
    from directory.api import Directory
    from directory.io.importer import Importer

    parser = argparse.ArgumentParser(prog="python -m bench import-national")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--beside", type=int, default=10_000, help="the smaller import in the same run")
    args = parser.parse_args(options or [])
    rows = args.rows
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        return [{"name": "import_national", "error": "set TEST_POSTGRES_URL to a PostgreSQL server"}]
    results = []
    for n in (args.beside, rows):
        url = _fresh_postgres_database(server, f"bench_import_national_{n}")  # a name per size: migrations run once per URL
        directory = Directory(url, locate_postcode=None)
        create_user(directory, "bench", "Benchmark", "coordinator")
        data = as_csv(synthetic_rows(n, 1, "e"))
        marks: dict[str, float] = {}

        def checked(done: int, total: int) -> None:
            if done == total:
                marks["checked"] = time.perf_counter()

        def written(done: int, total: int) -> None:
            if done % 50_000 == 0 or done == total:
                marks[f"written_{done}"] = time.perf_counter()

        started = time.perf_counter()
        report = Importer(directory, "bench", allow_duplicates=True, max_rows=n, max_bytes=10**9,
                          progress=checked, write_progress=written).run(data, "national.csv")
        seconds = time.perf_counter() - started
        with directory.reader() as uow:
            counts = uow.state.counts()
        directory.engine.dispose()
        results.append({
            "name": f"import_{n}_rows_into_new_postgresql", "rows": n, "created": report.created,
            "entries": counts["entries"], "organisations": counts["organisations"], "seconds": round(seconds, 1),
            "goal_seconds": 120 if n == 300_000 else None, "check_seconds": round(marks["checked"] - started, 1),
            "write_seconds": round(seconds - (marks["checked"] - started), 1),
            "written_at_seconds": {k.removeprefix("written_"): round(v - started, 1) for k, v in marks.items()
                                   if k.startswith("written_")},
        })
        _drop_postgres_database(server, url)
    return results


def bench_writes(options: list[str] | None = None) -> list[dict]:
    """One editor's write (an update, a verify, a new entry) in a directory of 50,000 entries run by tens of
    thousands of organisations, on SQLite and on PostgreSQL ($TEST_POSTGRES_URL): the goal is a write p95 ≤ 200 ms.

    python -m bench writes [--entries 50000] [--writes 30]"""
    import argparse
    import os
    import statistics

    from directory.accounts import create_user
    from directory.api import Directory
    from directory.io.importer import Importer

    parser = argparse.ArgumentParser(prog="python -m bench writes")
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--writes", type=int, default=30)
    args = parser.parse_args(options or [])
    urls = []
    with tempfile.TemporaryDirectory() as folder:
        urls.append(f"sqlite:///{Path(folder) / 'writes.db'}")
        if os.environ.get("TEST_POSTGRES_URL"):
            urls.append(_fresh_postgres_database(os.environ["TEST_POSTGRES_URL"], "bench_writes"))
        results = []
        for url in urls:
            directory = Directory(url, locate_postcode=None)
            create_user(directory, "bench", "Benchmark", "coordinator")
            rows = synthetic_rows(args.entries, 1, "e")
            Importer(directory, "bench", allow_duplicates=True, max_rows=args.entries, max_bytes=10**9).run(as_csv(rows), "base.csv")
            with directory.reader() as uow:
                organisations = uow.state.counts()["organisations"]
            rng = random.Random(3)
            for lookup in ("named organisations only", "every organisation read (before 83c65e5)"):
                timings: dict[str, list[float]] = {"update": [], "verify": [], "create": []}
                with _organisation_lookup(lookup != "named organisations only"):
                    for i in range(args.writes):
                        entry = directory.get(rows[rng.randrange(args.entries)]["id"])
                        started = time.perf_counter()
                        directory.update(entry.id, {"description": f"Changed {i} {lookup}"}, entry.version, "bench")
                        timings["update"].append(time.perf_counter() - started)
                        started = time.perf_counter()
                        directory.verify(entry.id, "bench")
                        timings["verify"].append(time.perf_counter() - started)
                        started = time.perf_counter()
                        directory.create({"name": f"New service {i}", "organisation": f"New Trust {i} {lookup}",
                                          "category": "training", "delivery": ("online",)}, "bench")
                        timings["create"].append(time.perf_counter() - started)
                for kind, times in timings.items():
                    ordered = sorted(times)
                    results.append({"name": f"write_{kind}", "lookup": lookup, "dialect": directory.dialect,
                                    "entries": args.entries, "organisations": organisations, "writes": len(times),
                                    "p50_ms": round(statistics.median(ordered) * 1000, 1),
                                    "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
                                    "goal_p95_ms": 200})
            directory.engine.dispose()
        if len(urls) > 1:
            _drop_postgres_database(os.environ["TEST_POSTGRES_URL"], urls[1])
    return results


@contextlib.contextmanager
def _organisation_lookup(every: bool):
    """The baseline in the same run: a write's unit of work reads every organisation before it finds the ones
    it names, as it did before 83c65e5 (one query for all, every one made an object)."""
    from sqlalchemy import select

    from directory.models import Organisation
    from directory.unit_of_work import UnitOfWork

    if not every:
        yield
        return
    ensure = UnitOfWork.ensure_organisations
    read: set[int] = set()

    def reading_every_one_first(self, names) -> None:
        if id(self) not in read:
            read.add(id(self))
            for organisation in self.session.scalars(select(Organisation)):
                self._organisations.setdefault(organisation.name_key, organisation.id)
        ensure(self, names)

    UnitOfWork.ensure_organisations = reading_every_one_first
    try:
        yield
    finally:
        UnitOfWork.ensure_organisations = ensure


def _fresh_postgres_database(server_url: str, name: str) -> str:
    """A new, empty database on the server $TEST_POSTGRES_URL names (an earlier run's is dropped first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(server_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


if __name__ == "__main__":
    import json

    for line in bench_import():
        print(json.dumps(line))
