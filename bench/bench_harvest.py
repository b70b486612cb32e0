"""Harvest of a 10,000-service Open Referral UK 3.0 feed from a local HTTP server into a new SQLite database
(goal ≤ 60 s).

The feed (a separate process, so it does not share the harvester's interpreter): `/services?page=N` answers
pages of 50 (`contents`, `page_number`, `total_pages`) and `/services/{id}` each service's full record, as
a real ORUK API does. One service in ten is area-wide (`service_areas`, no location). Baselines in the same
run: the same harvest fetching the full records one at a time, and the simplest path with no HTTP at all,
the same 10,000 services imported as one Open Referral JSON file. First, 1,000 services from a feed that takes
20 ms over each record (a remote API's round trip), 8 at a time and one at a time.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import tempfile
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SERVICES = 10_000
PAGE_SIZE = 50
REMOTE_SERVICES = 1_000
REMOTE_DELAY_S = 0.02
WORDS = ("recovery", "café", "job", "club", "kitchen", "skills", "hub", "garden", "project", "works", "digital",
         "learning", "centre", "housing", "advice", "peer", "mentor", "volunteer", "community", "training")
TERMS = ("training", "volunteering", "recovery_support", "employment_support", "basic_skills", "housing")
AREAS = ("Thornaby", "Middlesbrough", "Redcar and Cleveland", "TS17", "Stockton-on-Tees", "Hartlepool")


def synthetic_services(n: int = SERVICES, seed: int = 16) -> list[dict]:
    """ORUK 3.0 services shaped like the standard's example: organisation, location with an address and a
    position, phone, contact, weekly schedule, cost, a taxonomy term naming one of our categories."""
    rng = random.Random(seed)
    services = []
    for i in range(n):
        name = " ".join(rng.sample(WORDS, 3)).title() + f" {i}"
        service = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "name": name, "status": "active",
            "description": f"{name}: " + " ".join(rng.choices(WORDS, k=30)) + ".",
            "url": f"https://example.org/services/{i}", "email": f"service{i}@example.org",
            "organization": {"id": str(uuid.UUID(int=i + 1)), "name": f"Tees {rng.choice(WORDS).title()} Trust {i % 400}"},
            "phones": [{"number": f"01632 {960000 + i % 1000:06d}"[:12]}],
            "contacts": [{"name": f"Contact {i}", "title": "Coordinator", "email": f"contact{i}@example.org"}],
            "schedules": [{"freq": "WEEKLY", "byday": rng.choice(["MO", "TU,TH", "WE", "MO,TU,WE,TH,FR"]),
                           "opens_at": "09:30", "closes_at": "15:00"}],
            "cost_options": [{"amount": rng.choice([0, 0, 2, 5]), "currency": "GBP", "amount_description": "a session"}],
            "attributes": [{"link_type": "service", "taxonomy_term": {"name": rng.choice(TERMS), "code": None}}],
            "last_modified": "2026-12-01T09:00:00Z",
        }
        if i % 10 == 0:
            service["service_areas"] = [{"name": rng.choice(AREAS)}]
            service["service_at_locations"] = []
        else:
            service["service_at_locations"] = [{"location": {
                "location_type": "physical",
                "latitude": round(54.57 + rng.gauss(0, 0.05), 6), "longitude": round(-1.23 + rng.gauss(0, 0.08), 6),
                "addresses": [{"address_1": f"{i} High Street", "city": "Middlesbrough"}]}}]
        services.append(service)
    return services


def _serve(services: list[dict], ready, port, delay: float = 0.0) -> None:
    listing = [{"id": s["id"], "name": s["name"]} for s in services]
    records = {s["id"]: json.dumps(s).encode() for s in services}
    total_pages = -(-len(listing) // PAGE_SIZE)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path == "/api/services":
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                contents = listing[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
                body = json.dumps({"total_items": len(listing), "total_pages": total_pages, "page_number": number,
                                   "size": len(contents), "first_page": number == 1,
                                   "last_page": number >= total_pages, "empty": not contents,
                                   "contents": contents}).encode()
            elif parts.path.startswith("/api/services/") and parts.path[14:] in records:
                time.sleep(delay)  # a feed across the internet: each record a round trip away
                body = records[parts.path[14:]]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.request_queue_size = 128
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.value = httpd.server_address[1]
    ready.set()
    httpd.serve_forever()


def _fresh(folder: Path, name: str):
    from directory.accounts import ensure_user
    from directory.api import Directory

    directory = Directory(f"sqlite:///{folder / name}", locate_postcode=None)
    ensure_user(directory, "harvest", "Open Referral harvest", "editor")
    return directory


def _start(services: list[dict], delay: float = 0.0):
    context = multiprocessing.get_context("fork")
    ready, port = context.Event(), context.Value("i", 0)
    server = context.Process(target=_serve, args=(services, ready, port, delay), daemon=True)
    server.start()
    ready.wait(30)
    return server, f"http://127.0.0.1:{port.value}/api"


def bench_harvest(n: int = SERVICES, remote_n: int = REMOTE_SERVICES) -> list[dict]:
    from directory.io.harvest import harvest
    from directory.io.importer import Importer

    services = synthetic_services(n)
    lines = []
    # A feed REMOTE_DELAY_S away per record (as a council's API across the internet): the full records read
    # 8 at a time against one at a time, on fewer services (one at a time would take minutes at 10,000).
    server, feed = _start(services[:remote_n], REMOTE_DELAY_S)
    try:
        with tempfile.TemporaryDirectory() as folder:
            for workers in (8, 1):
                directory = _fresh(Path(folder), f"remote{workers}.db")
                started = time.perf_counter()
                report = harvest(directory, feed, workers=workers)
                lines.append({"name": f"remote_feed_{int(REMOTE_DELAY_S * 1000)}ms_a_record", "services": report.services,
                              "workers": workers, "created": report.import_report.created,
                              "seconds": round(time.perf_counter() - started, 2)})
                directory.engine.dispose()
    finally:
        server.terminate()
        server.join(10)

    server, feed = _start(services)
    try:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            for label, workers in (("harvest_10k_services", None), ("baseline_one_fetch_at_a_time", 1)):
                directory = _fresh(folder, f"{label}.db")
                options = {} if workers is None else {"workers": workers}
                started = time.perf_counter()
                report = harvest(directory, feed, **options)
                seconds = time.perf_counter() - started
                imported = report.import_report
                lines.append({"name": label, "services": report.services, "pages": report.pages,
                              "created": imported.created, "rejected": len(imported.rejected_rows),
                              "held_back_as_duplicates": len({d["row"] for d in imported.possible_duplicates}),
                              "entries": directory.count(), "seconds": round(seconds, 2),
                              **({"goal_seconds": 60} if workers is None else {"workers": workers})})
                if workers is None:
                    # Harvesting again with nothing changed: every field compared, nothing written.
                    started = time.perf_counter()
                    again = harvest(directory, feed)
                    lines.append({"name": "reharvest_unchanged", "updated": again.import_report.updated,
                                  "unchanged": again.import_report.unchanged,
                                  "seconds": round(time.perf_counter() - started, 2)})
                directory.engine.dispose()

            directory = _fresh(folder, "file.db")
            data = json.dumps(services).encode()
            started = time.perf_counter()
            report = Importer(directory, "harvest", max_bytes=len(data) + 1).run(data, "services.json")
            lines.append({"name": "baseline_same_services_as_a_file_no_http", "created": report.created,
                          "bytes": len(data), "seconds": round(time.perf_counter() - started, 2)})
            directory.engine.dispose()
    finally:
        server.terminate()
        server.join(10)
    return lines


if __name__ == "__main__":
    for line in bench_harvest():
        print(json.dumps(line))
