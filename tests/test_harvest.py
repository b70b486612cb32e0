"""Harvesting an Open Referral API (directory/io/harvest.py) from a local HTTP server: no internet."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from directory.io.harvest import HarvestError, field_origins, harvest, harvest_origin, load_crosswalk, save_crosswalk

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "fixtures" / "openreferral" / "oruk" / "examples"
EXAMPLE_ID = "ac148810-d857-441c-9679-408f346de14b"
A, B, C = ("0b7e8a52-0000-4000-8000-00000000000a", "0b7e8a52-0000-4000-8000-00000000000b",
           "0b7e8a52-0000-4000-8000-00000000000c")


def example(name):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def page(contents, number, total):
    return {"total_items": 3, "total_pages": total, "page_number": number, "size": len(contents),
            "first_page": number == 1, "last_page": number == total, "empty": not contents,
            "contents": [{"id": s["id"], "name": s["name"]} for s in contents]}


def services():
    """Three services made from the ORUK example: one at a Middlesbrough postcode, one area-wide, one defunct."""
    base = example("service_full.json")
    base.pop("alert"), base.pop("accreditations"), base.pop("funding"), base.pop("assurer_email")
    base["attributes"][0]["taxonomy_term"]["name"] = "Counselling"
    located = copy.deepcopy(base) | {"id": A, "name": "Tees counselling"}
    location = located["service_at_locations"][0]["location"]
    location.pop("latitude"), location.pop("longitude")
    location["addresses"][0]["postal_code"] = "TS1 3BA"
    located["service_areas"] = []
    area = copy.deepcopy(base) | {"id": B, "name": "Citywide helpline", "service_at_locations": [],
                                  "service_areas": [{"name": "Middlesbrough"}]}
    area["attributes"][0]["taxonomy_term"]["name"] = "Helplines"
    closed = copy.deepcopy(area) | {"id": C, "name": "Old drop-in club", "status": "defunct"}
    return {A: located, B: area, C: closed}


class Feeds:
    """Routes of the test server: path -> (status, body bytes)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes]] = {}

    def put(self, path, body, status=200):
        self.routes[path] = (status, body if isinstance(body, bytes) else json.dumps(body).encode())

    def good(self, items, prefix="/good"):
        ordered = list(items.values())
        self.put(f"{prefix}/services?page=1", page(ordered[:2], 1, 2))
        self.put(f"{prefix}/services?page=2", page(ordered[2:], 2, 2))
        for sid, service in items.items():
            self.put(f"{prefix}/services/{sid}", service)


@pytest.fixture(scope="module")
def server():
    feeds = Feeds()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
            key = parts.path + (f"?page={query['page']}" if "page" in query else "")
            status, body = feeds.routes.get(key, (404, b'{"error": "not found"}'))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    feeds.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # The official ORUK examples as a one-page feed.
    listing = example("service_list.json") | {"total_pages": 1, "last_page": True}
    feeds.put("/example/services?page=1", listing)
    feeds.put(f"/example/services/{EXAMPLE_ID}", example("service_full.json"))
    # Broken feeds.
    feeds.put("/loop/services?page=1", page([services()[A]], 1, 3))
    feeds.put("/loop/services?page=2", page([services()[A]], 1, 3))  # page 1 again
    feeds.put("/nextloop/services?page=1", page([services()[A]], 1, 3) | {"links": {"next": "/nextloop/services?page=1"}})
    feeds.put("/badjson/services?page=1", b'{"contents": [')
    feeds.put("/error/services?page=1", page(list(services().values())[:2], 1, 2))
    feeds.put("/error/services?page=2", b"{}", status=500)
    feeds.put("/brokenrecord/services?page=1", page([services()[A]], 1, 1))
    feeds.put(f"/brokenrecord/services/{A}", b"<html>oops</html>")
    # ORUK 1.0: content, number, totalPages, regular_schedules.
    old = {"id": "17", "name": "Job club", "organization": {"name": "Tees Works"},
           "service_taxonomys": [{"taxonomy": {"name": "Employment"}}],
           "regular_schedules": [{"weekday": "Tuesday", "opens_at": "10:00", "closes_at": "12:00"}],
           "service_at_locations": [{"location": {"physical_addresses": [{"postal_code": "TS5 6PY"}]}}]}
    feeds.put("/v1/services?page=1", {"totalElements": 1, "totalPages": 1, "number": 1, "content": [{"id": "17"}]})
    feeds.put("/v1/services/17", old)
    yield feeds
    httpd.shutdown()


def test_the_oruk_example_feed_gives_the_row_report(directory, server):
    report = harvest(directory, server.url + "/example/services/", author="carol", default_category="health_wellbeing")
    assert report.to_dict() == {
        "feed": server.url + "/example", "pages": 1, "services": 1, "rows": 1, "created": 0, "updated": 0,
        "unchanged": 0,
        "rejected": [{"row": 1, "column": "postcode", "value": "ABC 1234",
                      "reason": "'ABC 1234' is not a UK postcode: check it has the form TS1 3BA"},
                     {"row": 1, "column": "latitude", "value": "100", "reason": "latitude 100 is out of range (−90 to 90)"}],
        "possible_duplicates": [],
        "warnings": [{"row": 1, "column": "", "reason": "service_areas not carried over (no area field here): The "
                      "service is available to all residents of the MyCity area. We provide the service in our offices "
                      "or via video conferencing to any who can provide evidence of their residency."},
                     {"row": 1, "column": "", "reason": "not carried over (no field here for them): accreditations, "
                      "alert, assurer_email, funding"}],
        "unknown_terms": [{"term": "name", "services": 1}], "held_back": [], "conflicts": [], "kept_local": [],
        "gone": [],
    }
    assert directory.count(include_archived=True) == 0


def test_harvest_pages_crosswalk_area_wide_and_defunct(directory, server):
    server.good(services())
    save_crosswalk(directory, {"Counselling": "health_wellbeing"}, "carol")
    dry = harvest(directory, server.url + "/good", author="carol", dry_run=True)
    assert (dry.pages, dry.services, dry.import_report.created) == (2, 3, 1)
    assert [r["reason"][:20] for r in dry.import_report.rejected] == ["category is required"] * 2
    assert dry.unknown_terms == [{"term": "Helplines", "services": 2}]
    assert directory.count(include_archived=True) == 0

    report = harvest(directory, server.url + "/good", author="carol", default_category="recovery_support")
    assert (report.import_report.created, report.import_report.rejected, report.unknown_terms) == (
        3, [], [{"term": "Helplines", "services": 2}])
    located, area, closed = directory.get(A), directory.get(B), directory.get(C)
    assert (located.category, located.postcode, located.latitude) == ("health_wellbeing", "TS1 3BA", 54.572076)
    assert (area.category, area.delivery, area.archived) == ("recovery_support", ("outreach",), False)
    assert closed.archived
    assert harvest_origin(directory, A) == (server.url + "/good", A)

    # The crosswalk holds a term's services back.
    save_crosswalk(directory, {"helplines": "hold"}, "carol")
    assert load_crosswalk(directory) == {"counselling": "health_wellbeing", "helplines": "hold"}
    held = harvest(directory, server.url + "/good", author="carol", dry_run=True)
    assert [h["service_id"] for h in held.held_back] == [B, C]
    assert held.gone == [] and held.unknown_terms == []
    with pytest.raises(ValueError, match="'jobs'"):
        save_crosswalk(directory, {"x": "jobs"}, "carol")


def test_reharvest_keeps_local_work_and_lists_conflicts_and_gone(directory, server):
    from directory.accounts import ensure_user

    ensure_user(directory, "harvest", "Open Referral harvest", "editor")
    items = services()
    server.good(items, "/re")
    save_crosswalk(directory, {"counselling": "health_wellbeing", "helplines": "recovery_support"}, "carol")
    first = harvest(directory, server.url + "/re")
    assert first.import_report.created == 3
    # Alice edits the description and the email here.
    entry = directory.get(A)
    directory.update(A, {"description": "Ring first.", "email": "tees@example.org"}, entry.version, "alice")
    # The feed changes the email (a conflict), the url (taken) and drops C (gone).
    items[A]["email"], items[A]["url"] = "new@example.com", "https://example.com/new"
    del items[C]
    for key in [k for k in server.routes if k.startswith("/re/")]:
        del server.routes[key]
    server.put("/re/services?page=1", page(list(items.values()), 1, 1))
    for sid, service in items.items():
        server.put(f"/re/services/{sid}", service)

    again = harvest(directory, server.url + "/re")
    entry = directory.get(A)
    assert (entry.description, entry.email, entry.url) == ("Ring first.", "tees@example.org", "https://example.com/new")
    assert again.conflicts == [{"service_id": A, "entry_id": A, "field": "email", "local": "tees@example.org",
                                "feed": "new@example.com", "changed_by": "alice",
                                "changed_at": again.conflicts[0]["changed_at"]}]
    assert [(k["field"], k["local"]) for k in again.kept_local] == [("description", "Ring first.")]
    assert again.gone == [{"service_id": C, "entry_id": C, "name": "Old drop-in club"}]
    assert (again.import_report.updated, again.import_report.unchanged) == (1, 1)
    assert directory.get(C).archived  # listed, never deleted

    origins = field_origins(directory, A)
    assert origins["url"].startswith(f"from {server.url}/re, ")
    assert origins["description"].startswith("set by alice, ")
    # Harvesting a third time with nothing changed changes nothing; the conflict is not repeated.
    third = harvest(directory, server.url + "/re")
    assert (third.import_report.updated, third.conflicts) == (0, [])
    assert directory.get(A).email == "tees@example.org"


def test_oruk_1_feed(directory, server):
    report = harvest(directory, server.url + "/v1", author="carol", default_category="employment_support")
    assert (report.import_report.created, report.import_report.rejected) == (1, [])
    entry = directory.get("17")
    assert (entry.name, entry.schedule, entry.postcode) == ("Job club", "Tue 10:00-12:00", "TS5 6PY")
    assert report.unknown_terms == [{"term": "Employment", "services": 1}]


@pytest.mark.parametrize("feed, says", [
    ("/loop", "the pages loop"),
    ("/nextloop", "the pages loop"),
    ("/badjson", "is not valid JSON"),
    ("/error", "answered 500"),
    ("/brokenrecord", "is not valid JSON"),
    ("/missing", "answered 404"),
])
def test_a_broken_feed_stops_and_imports_nothing(directory, server, feed, says):
    with pytest.raises(HarvestError, match=says):
        harvest(directory, server.url + feed, author="carol", default_category="training")
    assert directory.count(include_archived=True) == 0


def test_limits_and_schemes(directory, server):
    server.good(services(), "/big")
    with pytest.raises(HarvestError, match="more than 1 pages"):
        harvest(directory, server.url + "/big", author="carol", max_pages=1)
    with pytest.raises(HarvestError, match="larger than"):
        harvest(directory, server.url + "/big", author="carol", max_bytes=1000)
    with pytest.raises(HarvestError, match="not an http or https"):
        harvest(directory, "file:///etc/passwd", author="carol")
    assert directory.count(include_archived=True) == 0


def test_the_command(db_url, server, tmp_path):
    env = os.environ | {"DATABASE_URL": db_url}
    report_path = tmp_path / "harvest.json"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "directory", "harvest", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    result = run(server.url + "/error", "--report", str(report_path))
    assert result.returncode == 1
    assert "answered 500" in result.stderr and "Nothing was imported." in result.stderr
    assert json.loads(report_path.read_text())["error"].endswith("answered 500 Internal Server Error")
    result = run(server.url + "/example", "--default-category", "health_wellbeing", "--report", str(report_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 services read from 1 pages; 1 row read, 0 were created")
    assert "unknown taxonomy term 'name' (1 services)" in result.stdout
    assert json.loads(report_path.read_text())["rejected"][0]["column"] == "postcode"


def test_the_entry_page_says_where_each_field_came_from(server, tmp_path, monkeypatch):
    from directory.accounts import create_user
    from tests.apptest import app_database, open_signed_in, texts

    server.good(services(), "/page")
    with app_database(tmp_path, monkeypatch) as directory:
        directory.locate_postcode = lambda postcode: (54.572076, -1.234694)
        create_user(directory, "alice", "Alice Khan", "editor")
        harvest(directory, server.url + "/page", author="alice", default_category="recovery_support")
        entry = directory.get(A)
        create_user(directory, "bob", "Bob Smith", "editor")
        directory.update(A, {"email": "tees@example.org"}, entry.version, "bob")
        at = open_signed_in("pages/entry.py", None, {"id": A})
    assert "Where each field came from" in [h.value for h in at.header]
    [table] = [h.body for h in at.get("html") if "Where its value came from" in h.body]
    assert f"<td>Website</td><td>from {server.url}/page, " in table
    assert "<td>Email</td><td>set by Bob Smith, " in table
    shown = server.url.replace("http://", "http\u2060://")  # md() keeps Markdown from making it a link
    assert any(f"Harvested from the Open Referral feed {shown}/page (its service {A})" in c for c in texts(at.caption))


def test_the_coordinators_page_checks_then_harvests(server, tmp_path, monkeypatch):
    from directory.accounts import create_user, get_account
    from tests.apptest import app_database, open_signed_in, texts

    server.good(services(), "/app")
    with app_database(tmp_path, monkeypatch) as directory:
        create_user(directory, "carol", "Carol Jones", "coordinator")
        create_user(directory, "alice", "Alice Khan", "editor")
        save_crosswalk(directory, {"Counselling": "health_wellbeing"}, "carol")
        at = open_signed_in("pages/health_harvest.py", get_account(directory, "alice"))
        assert texts(at.warning)[0].startswith("Your account can add and change entries but not ")
        at = open_signed_in("pages/health_harvest.py", get_account(directory, "carol"))
        assert at.data_editor[0].value.to_dict("records") == [{"term": "counselling", "category": "health_wellbeing"}]
        at.text_input[0].input(server.url + "/app")
        at.selectbox[0].set_value("recovery_support")
        at.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert texts(at.success)[0].startswith("3 services read from 2 pages; 3 rows read, 3 would be created")
        assert "Taxonomy terms to map (below)" in [s.value for s in at.subheader]
        assert directory.count(include_archived=True) == 0
        at.checkbox[0].uncheck()
        at.button[0].click().run()
        assert texts(at.success)[0].startswith("3 services read from 2 pages; 3 rows read, 3 were created")
        assert directory.count(include_archived=True) == 3
        at.text_input[0].input(server.url + "/error")
        at.button[0].click().run()
        assert texts(at.error)[0].endswith("answered 500 Internal Server Error. Nothing was imported.")
