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
        "warnings": [{"row": 1, "column": "", "reason": "service area not a council, town or postcode district we "
                      "know (kept, but a postcode search does not find the service by it): The "
                      "service is available to all residents of the MyCity area. We provide the service in our offices "
                      "or via video conferencing to any who can provide evidence of their residency."},
                     {"row": 1, "column": "", "reason": "not carried over (no field here for them): accreditations, "
                      "alert, assurer_email, funding"}],
        "unknown_terms": [{"term": "name", "services": 1}], "held_back": [], "conflicts": [], "kept_local": [],
        "gone": [], "archived": [], "restored": [],
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
    assert result.stdout.startswith("1 service read from 1 page; 1 row read, 0 were created")
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
    from ui.render import md

    server.good(services(), "/app")
    with app_database(tmp_path, monkeypatch) as directory:
        create_user(directory, "carol", "Carol Jones", "coordinator")
        create_user(directory, "alice", "Alice Khan", "editor")
        save_crosswalk(directory, {"Counselling": "health_wellbeing"}, "carol")
        at = open_signed_in("pages/health_harvest.py", get_account(directory, "alice"))
        assert texts(at.warning)[0].startswith("Your account can add and change entries but not ")
        at = open_signed_in("pages/health_harvest.py", get_account(directory, "carol"))
        assert at.data_editor[0].value.to_dict("records") == [{"term": "counselling", "category": "health_wellbeing"}]
        assert texts(at.caption)[-1].startswith("The feed's taxonomy terms")
        at.button[0].click().run()
        assert texts(at.error) == ["Type the feed's address first, e.g. https://example.org/api."]
        at.text_input[0].input(server.url + "/app")
        at.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        # No default category: the two 'Helplines' services are rejected, and the term is offered for mapping.
        assert texts(at.warning)[0].startswith("3 services read from 2 pages; 3 rows read, 1 would be created")
        assert "Taxonomy terms to map" in [s.value for s in at.subheader]
        term = [box for box in at.selectbox if box.label == "Our category for the term “Helplines”"][0]
        [b for b in at.button if b.label == "Save these terms"][0].click().run()
        assert texts(at.error) == ["Choose a category (or hold back) for at least one term first."]
        term = [box for box in at.selectbox if box.label == "Our category for the term “Helplines”"][0]
        term.set_value("recovery_support")
        [b for b in at.button if b.label == "Save these terms"][0].click().run()
        assert texts(at.success)[-1] == "Saved 1 in the crosswalk: harvest again to bring their services in."
        assert load_crosswalk(directory) == {"counselling": "health_wellbeing", "helplines": "recovery_support"}
        at.button[0].click().run()
        assert texts(at.success)[0].startswith("3 services read from 2 pages; 3 rows read, 3 would be created")
        assert directory.count(include_archived=True) == 0
        at.checkbox[0].uncheck()
        at.button[0].click().run()
        assert texts(at.success)[0].startswith("3 services read from 2 pages; 3 rows read, 3 were created")
        assert directory.count(include_archived=True) == 3
        at.text_input[0].input(server.url + "/error")
        at.button[0].click().run()
        assert texts(at.error)[0].endswith("answered 500 Internal Server Error. Nothing was imported.")


def _serve(server, prefix, items):
    """The feed at `prefix` now gives exactly `items` (one page)."""
    for key in [k for k in server.routes if k.startswith(prefix + "/")]:
        del server.routes[key]
    server.put(f"{prefix}/services?page=1", page(list(items.values()), 1, 1))
    for sid, service in items.items():
        server.put(f"{prefix}/services/{sid}", service)


def test_a_conflict_is_kept_until_a_coordinator_chooses(directory, server):
    from directory.accounts import ensure_user
    from directory.errors import ConflictError
    from directory.io.harvest import OURS, THEIRS, choose, open_conflicts

    ensure_user(directory, "harvest", "Open Referral harvest", "editor")
    items = services()
    _serve(server, "/choose", items)
    save_crosswalk(directory, {"counselling": "health_wellbeing", "helplines": "recovery_support"}, "carol")
    harvest(directory, server.url + "/choose")
    entry = directory.get(A)
    directory.update(A, {"email": "tees@example.org", "url": "https://example.org/ours"}, entry.version, "alice")
    items[A]["email"], items[A]["url"] = "new@example.com", "https://example.com/theirs"
    _serve(server, "/choose", items)
    harvest(directory, server.url + "/choose")
    email, url = open_conflicts(directory)
    assert [(c.entry_id, c.field, c.local_value, c.feed_value, c.changed_by, c.feed) for c in (email, url)] == [
        (A, "email", "tees@example.org", "new@example.com", "alice", server.url + "/choose"),
        (A, "url", "https://example.org/ours", "https://example.com/theirs", "alice", server.url + "/choose")]
    # The feed changes the email again before anyone chooses: still one conflict, with the newest value.
    items[A]["email"] = "newer@example.com"
    _serve(server, "/choose", items)
    harvest(directory, server.url + "/choose")
    assert [(c.id, c.field, c.feed_value) for c in open_conflicts(directory)] == [
        (email.id, "email", "newer@example.com"), (url.id, "url", "https://example.com/theirs")]

    version = directory.get(A).version
    with pytest.raises(ConflictError):
        choose(directory, email.id, THEIRS, "carol", version - 1)  # the page showed an older version
    choose(directory, email.id, THEIRS, "carol", version)
    choose(directory, url.id, OURS, "carol", version + 1)
    entry = directory.get(A)
    assert (entry.email, entry.url, entry.version) == ("newer@example.com", "https://example.org/ours", version + 1)
    latest = directory.history(A)[0]
    assert (latest.author, latest.note, latest.changes) == (
        "carol", f"chose the feed's value: {server.url}/choose", {"email": ("tees@example.org", "newer@example.com")})
    assert open_conflicts(directory) == []
    with pytest.raises(ValueError, match="already been chosen"):
        choose(directory, url.id, THEIRS, "carol", version + 1)
    assert field_origins(directory, A)["email"].startswith(
        f"from {server.url}/choose (chosen by carol in a conflict), ")

    # The email is the feed's again: its next change comes in; the url stays ours and is listed as kept.
    items[A]["email"], items[A]["url"] = "newest@example.com", "https://example.com/theirs2"
    _serve(server, "/choose", items)
    again = harvest(directory, server.url + "/choose")
    assert (directory.get(A).email, directory.get(A).url) == ("newest@example.com", "https://example.org/ours")
    assert [(c["field"], c["feed"]) for c in again.conflicts] == [("url", "https://example.com/theirs2")]
    assert [c.field for c in open_conflicts(directory)] == ["url"]


def test_a_service_open_again_comes_back_unless_a_person_archived_it(directory, server):
    from directory.accounts import ensure_user

    ensure_user(directory, "harvest", "Open Referral harvest", "editor")
    items = services()
    _serve(server, "/reopen", items)
    first = harvest(directory, server.url + "/reopen", default_category="recovery_support")
    assert (first.archived, directory.get(C).archived) == ([C], True)
    directory.archive(B, "alice", "the helpline told us it has closed")
    items[C]["status"] = "active"
    items[B]["status"] = "active"
    items[B]["description"] = "Now open evenings too."
    _serve(server, "/reopen", items)
    again = harvest(directory, server.url + "/reopen", default_category="recovery_support")
    assert (again.restored, again.archived) == ([C], [])
    assert (directory.get(C).archived, directory.get(B).archived) == (False, True)
    restored = directory.history(C)[0]
    assert (restored.action, restored.author, restored.note) == (
        "restore", "harvest", f"harvested from {server.url}/reopen: its status is open again")
    # Closed once more: archived again, by the harvest.
    items[C]["status"] = "inactive"
    _serve(server, "/reopen", items)
    assert harvest(directory, server.url + "/reopen", default_category="recovery_support").archived == [C]
    assert directory.get(C).archived


def test_area_wide_services_serve_their_areas(directory, server):
    from directory.areas import COVERS_YOUR_AREA, area_shapes, areas_served, describe_areas, entries_serving

    items = services()
    items[B]["service_areas"] = [{"name": "Thornaby"}, {"name": "Redcar and Cleveland Borough Council"},
                                 {"name": "TS1 3"}, {"name": "All of MyCity"}]
    del items[C]
    _serve(server, "/areas", items)
    harvest(directory, server.url + "/areas", author="carol", default_category="recovery_support")
    assert (directory.get(B).delivery, directory.get(B).postcode) == (("outreach",), None)
    assert entries_serving(directory, "TS17 6AA") == {B: "Thornaby"}       # a sector of Thornaby
    assert entries_serving(directory, "TS17 0AA") == {}                     # Ingleby Barwick: another sector
    assert entries_serving(directory, "ts10 1aa") == {B: "Redcar and Cleveland Borough Council"}
    assert entries_serving(directory, "TS1 3BA") == {B: "TS1 3"}
    assert entries_serving(directory, "TS1 2AA") == {}
    assert entries_serving(directory, "not a postcode") == {}
    assert entries_serving(directory, "TS17") == {B: "Thornaby"}            # a district: its sectors' areas too
    assert entries_serving(directory, "Redcar") == {B: "Redcar and Cleveland Borough Council"}  # a town
    assert entries_serving(directory, "Ingleby Barwick") == {}
    assert COVERS_YOUR_AREA == "covers your area"
    areas = areas_served(directory, B)
    assert describe_areas(areas) == [
        "Thornaby: postcode sectors TS17 6, TS17 7, TS17 8",
        "Redcar and Cleveland council area: postcode districts TS6, TS10, TS11, TS12, TS14",
        "TS1 3: postcode sector TS1 3",
        "All of MyCity (not a council, town or postcode district we know: a postcode search does not find it "
        "by this area)"]
    shapes = area_shapes(directory, B)
    assert [s.name for s in shapes] == ["Thornaby", "Redcar and Cleveland Borough Council", "TS1 3"]
    thornaby = shapes[0]
    assert 54.52 < thornaby.centre[0] < 54.56 and -1.32 < thornaby.centre[1] < -1.27 and 1 < thornaby.radius_km < 4

    # The feed narrows the areas: only Thornaby now. An archived entry serves nowhere.
    items[B]["service_areas"] = [{"name": "Thornaby"}]
    _serve(server, "/areas", items)
    harvest(directory, server.url + "/areas", author="carol", default_category="recovery_support")
    assert [a.name for a in areas_served(directory, B)] == ["Thornaby"]
    assert entries_serving(directory, "TS10 1AA") == {}
    directory.archive(B, "alice", "closed")
    assert entries_serving(directory, "TS17 6AA") == {}


def test_the_coordinator_chooses_a_conflicts_value_on_the_page(server, tmp_path, monkeypatch):
    from directory.accounts import create_user, ensure_user, get_account
    from directory.io.harvest import open_conflicts
    from tests.apptest import app_database, open_signed_in, texts
    from ui.render import md

    items = services()
    _serve(server, "/pick", items)
    with app_database(tmp_path, monkeypatch) as directory:
        directory.locate_postcode = lambda postcode: (54.572076, -1.234694)
        create_user(directory, "carol", "Carol Jones", "coordinator")
        create_user(directory, "alice", "Alice Khan", "editor")
        ensure_user(directory, "harvest", "Open Referral harvest", "editor")
        harvest(directory, server.url + "/pick", default_category="recovery_support")
        entry = directory.get(A)
        directory.update(A, {"email": "tees@example.org", "url": "https://example.org/ours"}, entry.version, "alice")
        items[A]["email"], items[A]["url"] = "new@example.com", "https://example.com/<b>theirs</b>"
        _serve(server, "/pick", items)
        harvest(directory, server.url + "/pick", default_category="recovery_support")

        at = open_signed_in("pages/health_harvest.py", get_account(directory, "carol"))
        assert not at.exception, [e.value for e in at.exception]
        assert "Conflicts to choose" in [h.value for h in at.header]
        email, url = at.radio
        today = directory.history(A)[0].at
        assert email.label == "Which value should email keep?"
        # Shown as typed (md: no Markdown, links or markup from the feed or the entry).
        assert email.options == [md(f"Ours: “tees@example.org” (changed here by alice, {today.day} {today:%b %Y})"),
                                 md(f"The feed's: “new@example.com” ({server.url}/pick)")]
        assert url.options[1] == md(f"The feed's: “https://example.com/<b>theirs</b>” ({server.url}/pick)")
        save = [b for b in at.button if b.label == "Save this choice"]
        save[0].click().run()
        assert texts(at.error) == ["Choose ours or the feed's value first."]
        at.radio[0].set_value("feed")
        [b for b in at.button if b.label == "Save this choice"][0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert texts(at.success) == ["Tees counselling: email keeps the feed's value."]
        assert len(at.radio) == 1
        at.radio[0].set_value("ours")
        [b for b in at.button if b.label == "Save this choice"][0].click().run()
        assert texts(at.success) == ["Tees counselling: website keeps our value."]
        assert "No conflicts are waiting." in texts(at.caption)
        entry = directory.get(A)
        assert (entry.email, entry.url) == ("new@example.com", "https://example.org/ours")
        assert directory.history(A)[0].author == "carol"
        assert open_conflicts(directory) == []


def test_the_entry_page_names_the_areas_served(server, tmp_path, monkeypatch):
    from directory.accounts import create_user
    from tests.apptest import app_database, open_signed_in

    items = services()
    items[B]["service_areas"] = [{"name": "Thornaby"}, {"name": "<b>MyCity</b>"}]
    _serve(server, "/entryareas", items)
    with app_database(tmp_path, monkeypatch) as directory:
        create_user(directory, "alice", "Alice Khan", "editor")
        harvest(directory, server.url + "/entryareas", author="alice", default_category="recovery_support")
        at = open_signed_in("pages/entry.py", None, {"id": B})
    assert not at.exception, [e.value for e in at.exception]
    [where] = [h.body for h in at.get("html") if "Areas it serves" in h.body]
    assert ("<dt>Areas it serves</dt><dd>Thornaby: postcode sectors TS17 6, TS17 7, TS17 8<br>&lt;b&gt;MyCity&lt;/b&gt; "
            "(not a council, town or postcode district we know: a postcode search does not find it by this area)</dd>"
            ) in where


def test_areas_go_out_again_in_the_export_and_the_api(directory, server):
    from oruk_api import routes
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from directory.io.export import export_bytes
    from tests.oruk_schemas import errors

    items = services()
    items[B]["service_areas"] = [{"name": "Thornaby"}, {"name": "TS1 3"}]
    _serve(server, "/out", items)
    harvest(directory, server.url + "/out", author="carol", default_category="recovery_support")
    exported = {s["name"]: s for s in json.loads(export_bytes(directory.entries(), "hsds", directory=directory))}
    assert [(a["name"], a["service_id"]) for a in exported["Citywide helpline"]["service_areas"]] == [
        ("Thornaby", B), ("TS1 3", B)]
    assert exported["Tees counselling"]["service_areas"] == []
    answer = TestClient(Starlette(routes=routes(lambda: directory, switch=lambda: None))).get(f"/api/services/{B}")
    assert [a["name"] for a in answer.json()["service_areas"]] == ["Thornaby", "TS1 3"]
    assert errors("service", answer.json()) == []
