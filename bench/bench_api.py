"""The Open Referral read API at 50,000 entries: `/api/services?per_page=50` p95 (goal ≤ 50 ms), served by the
real server (`streamlit run app.py`, as the README starts it) over HTTP on 127.0.0.1, keep-alive, random pages.

    .venv/bin/python -m bench api

The directory is bench_search's 50,000 synthetic entries (seed 1: names, descriptions, schedules, stages and
positions over England; 51 archived) in a new SQLite database. Also timed, the same way: a search, a taxonomy
term filter, services near a postcode, one full service; the first request after the server starts and after a
write (the search index and the API's catalogue are made again); and the catalogue alone, in this process.

The baseline in the same run is the obvious implementation of the same answer: each request reads every live
entry and every organisation's profile, sorts them by name and serialises the page (directory.io.oruk), in this
process over the same database (no HTTP, so it is flattered).

After edits (`api_after_an_edit`, on SQLite and, when $TEST_POSTGRES_URL names a server, on a new PostgreSQL
database of the same entries): EDITS entries' descriptions are changed one at a time by another `Directory`, as
another instance would; after each, the server's first `/api/services` answer over HTTP, and in this process,
as a third instance: its search index catching up, then its catalogue made both ways, in turn: the kept way
(profiles read again only when the profile counter moved) and the way before it (every profile read again, the
base part reused when they are equal). Then one profile edit, whose first answer reads the profiles again.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _directory_of(n: int, url: str) -> None:
    from bench.bench_search import make_entries
    from bench.filling import fill
    from directory.api import Directory

    directory = Directory(url, locate_postcode=None)
    fill(directory, make_entries(n, 1))
    directory.engine.dispose()


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "requests": len(ordered)}


def _timed(connection: http.client.HTTPConnection, path: str) -> tuple[float, dict]:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
    return elapsed, json.loads(body)


def _naive_page(directory, page_number: int) -> dict:
    from directory.io import oruk

    entries = sorted(directory.entries(), key=lambda e: (e.name.casefold(), e.id))
    return oruk.services_page(entries, page_number=page_number, per_page=50,
                              organisations=oruk.load_organisations(directory))


def bench_api(n: int = 50_000, requests: int = 300, others: int = 100) -> list[dict]:
    from bench.bench_browser import _serve
    from directory.api import Directory
    from directory.io import oruk
    from oruk_api.catalogue import Catalogue

    rng = random.Random(7)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'api.db'}"
        started = time.perf_counter()
        _directory_of(n, url)
        setup_s = time.perf_counter() - started

        directory = Directory(url, locate_postcode=None)
        index = directory.search_index()
        started = time.perf_counter()
        catalogue = Catalogue.build(index, oruk.load_organisations(directory))
        catalogue_s = time.perf_counter() - started
        naive = []
        for _ in range(3):
            started = time.perf_counter()
            _naive_page(directory, rng.randint(1, 900))
            naive.append(time.perf_counter() - started)

        server, base = _serve(ROOT, url)
        try:
            connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=120)
            first_s, page = _timed(connection, "/api/services?per_page=50")
            total_pages = page["total_pages"]
            for _ in range(10):
                _timed(connection, f"/api/services?per_page=50&page={rng.randint(1, total_pages)}")
            times = [_timed(connection, f"/api/services?per_page=50&page={rng.randint(1, total_pages)}")[0]
                     for _ in range(requests)]
            ours = _percentiles(times)
            results.append({
                "name": "api_services_per_page_50", "entries": n, "live": page["total_items"],
                "organisations": len(catalogue.profiles), **ours, "goal_p95_ms": 50,
                "first_request_after_start_s": round(first_s, 2),
                "naive_median_ms": round(statistics.median(naive) * 1000, 1),
                "ratio_naive_over_ours_p50": round(statistics.median(naive) / (ours["p50_ms"] / 1000), 1),
                "setup_s": round(setup_s, 1), "catalogue_build_s": round(catalogue_s, 2),
            })
            training = oruk.taxonomy_term_id("category", "training")
            some_ids = [catalogue.service_ids[rng.randrange(len(catalogue))] for _ in range(others)]
            variants = {
                "api_services_search": lambda i: f"/api/services?per_page=50&search={['recovery+cafe', 'plumbr', 'esol+class', 'job+club'][i % 4]}",
                "api_services_taxonomy_term": lambda i: f"/api/services?per_page=50&taxonomy_term_id={training}&page={1 + i % 20}",
                "api_services_day_and_time": lambda i: f"/api/services?per_page=50&day=TH&start_time=09:00&end_time=17:00&page={1 + i % 20}",
                "api_service_at_locations_near_postcode": lambda i: "/api/service_at_locations?per_page=50&postcode=TS1+3BA&proximity=25000",
                "api_service_by_id": lambda i: f"/api/services/{some_ids[i]}",
            }
            for name, path in variants.items():
                _timed(connection, path(0))
                results.append({"name": name, "entries": n,
                                **_percentiles([_timed(connection, path(i))[0] for i in range(others)])})
            connection.close()
            results.extend(_after_edits("sqlite", url, base, n))
        finally:
            server.terminate()
            server.wait(timeout=30)
            directory.engine.dispose()
    server_url = os.environ.get("TEST_POSTGRES_URL")
    if server_url:
        from bench.bench_import import _drop_postgres_database, _fresh_postgres_database

        url = _fresh_postgres_database(server_url, "bench_api")
        try:
            _directory_of(n, url)
            server, base = _serve(ROOT, url)
            try:
                results.extend(_after_edits("postgresql", url, base, n))
            finally:
                server.terminate()
                server.wait(timeout=30)
        finally:
            _drop_postgres_database(server_url, url)
    return results


EDITS = 10


def _after_edits(database: str, url: str, base: str, n: int, edits: int = EDITS) -> list[dict]:
    """The first answers after entries' edits and after a profile's edit (see the module's doc)."""
    from directory import organisations as orgs
    from directory.accounts import Account
    from directory.api import Directory
    from directory.io import oruk
    from oruk_api.catalogue import Catalogue, catalogue

    writer, instance = Directory(url, locate_postcode=None), Directory(url, locate_postcode=None)
    # A new connection for each first answer: the server closes one left idle for 5 s (uvicorn's keep-alive),
    # and this process's own work between answers takes longer at 50,000 entries.
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=300)
    try:
        _timed(connection, "/api/services?per_page=50")
        kept = catalogue(instance)
        edited = [kept.entries[i].id for i in range(0, len(kept), len(kept) // edits)][:edits]
        times: dict[str, list[float]] = {"http": [], "next": [], "index": [], "kept": [], "before": []}
        for i, entry_id in enumerate(edited):
            entry = writer.get(entry_id)
            writer.update(entry_id, {"description": f"Changed by the benchmark ({i})."}, entry.version, "bench")
            connection.close()
            connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=300)
            times["http"].append(_timed(connection, "/api/services?per_page=50")[0])
            times["next"].append(_timed(connection, "/api/services?per_page=50")[0])
            started = time.perf_counter()
            index = instance.search_index()
            times["index"].append(time.perf_counter() - started)
            earlier = kept
            ways = {"kept": lambda: catalogue(instance),
                    "before": lambda: Catalogue.build(index, oruk.load_organisations(instance), base=earlier._base)}
            for way in (("kept", "before") if i % 2 else ("before", "kept")):  # in turn: the machine's drift on both
                started = time.perf_counter()
                made = ways[way]()
                times[way].append(time.perf_counter() - started)
                if way == "kept":
                    kept = made
        organisation = kept.organisation[0]
        coordinator = Account("bench", "Benchmark", "coordinator", ())
        orgs.update_profile(writer, coordinator, orgs.organisation_id(writer, getattr(organisation, "name", organisation)),
                            {"how_to_refer": "Phone the duty worker (changed by the benchmark)."})
        connection.close()
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=300)
        after_profile_s, _ = _timed(connection, "/api/services?per_page=50")
    finally:
        connection.close()
        writer.engine.dispose()
        instance.engine.dispose()
    ms = {name: sorted(t * 1000 for t in values) for name, values in times.items()}
    return [{"name": "api_after_an_edit", "database": database, "entries": n, "edits": edits,
             "organisations": len(kept.profiles),
             "http_first_answer_p50_ms": round(statistics.median(ms["http"]), 1),
             "http_first_answer_max_ms": round(ms["http"][-1], 1),
             "http_next_answer_p50_ms": round(statistics.median(ms["next"]), 1),
             "instance_index_catch_up_p50_ms": round(statistics.median(ms["index"]), 1),
             "instance_catalogue_kept_p50_ms": round(statistics.median(ms["kept"]), 1),
             "instance_catalogue_kept_max_ms": round(ms["kept"][-1], 1),
             "instance_catalogue_before_p50_ms": round(statistics.median(ms["before"]), 1),
             "instance_catalogue_before_max_ms": round(ms["before"][-1], 1),
             "http_first_answer_after_a_profile_edit_ms": round(after_profile_s * 1000, 1)}]


if __name__ == "__main__":
    for line in bench_api():
        print(json.dumps(line))
