"""The Open Referral UK 3.0 read API (oruk_api) over a small directory, on SQLite and PostgreSQL: every answer
meets the ORUK 3.0 schemas (tests/oruk_schemas.py), paging and every filter with exact answers, 400s and 404s
with their JSON reasons, CORS on everything, archived entries and client records never served, the off switch;
and the real server (`streamlit run app.py`) answering /api/services over HTTP."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from directory import organisations as orgs
from directory.accounts import Account, create_user
from directory.clients import ClientRecords
from directory.io import oruk
from oruk_api import MAX_PER_PAGE, routes
from tests.oruk_schemas import errors

LEAD = Account("carol", "Carol Jones", "coordinator", ())
KIM = Account("kim", "Kim Keyworker", "editor", ("Tees Valley Recovery",))
ENTRIES = [
    {"id": "cafe-1", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery", "category": "recovery_support",
     "postcode": "TS1 3BA", "address": "12 Linthorpe Road, Middlesbrough", "schedule": "Tue,Thu 10:00-12:00",
     "stages": ("early",), "cost": "free"},
    {"id": "club-1", "name": "Job Club", "organisation": "TVR Employment", "category": "employment_support",
     "postcode": "TS1 2AH", "schedule": "Mon 10:00-12:00", "min_age": 18, "max_age": 64},
    {"id": "esol-1", "name": "ESOL conversation class", "organisation": "Tees Valley Recovery",
     "category": "basic_skills", "postcode": "TS5 6PY", "schedule": "Thu 18:00-20:00", "min_age": 16},
    {"id": "money-1", "name": "Online money advice", "organisation": "TVR Employment", "category": "money_advice",
     "delivery": ("online", "phone"), "phone": "01642 000222"},
    {"id": "gone-1", "name": "Closed drop-in", "organisation": "Tees Valley Recovery", "category": "recovery_support",
     "postcode": "TS1 3BA", "schedule": "Thu 10:00-11:00"},
]
LIVE_A_TO_Z = ["ESOL conversation class", "Job Club", "Online money advice", "Tees Recovery Café"]


@pytest.fixture
def api(directory):
    """(client, directory) over the fixture's directory (fake postcodes) with our entries, one archived, one
    organisation's profile filled in, and a client record that must never be served."""
    create_user(directory, "kim", "Kim Keyworker", "editor", organisations=("Tees Valley Recovery",))
    for values in ENTRIES:
        directory.create(values, "alice")
    directory.archive("gone-1", "carol", "closed")
    organisation_id = orgs.organisation_id(directory, "Tees Valley Recovery")
    orgs.update_profile(directory, LEAD, organisation_id, {"kind": "treatment_provider", "how_to_refer": "Phone us."},
                        {"name": "Jo Lead", "role": "Employment lead", "phone": "01642 000111",
                         "email": "jo@tvr.example"})
    ClientRecords(directory).create(KIM, "C-0042", {"ref": "C-0042", "stage": "stabilising", "postcode": "TS1 3BA"})
    client = TestClient(Starlette(routes=routes(lambda: directory, switch=lambda: None)))
    return client, directory


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    return response.json()


def names(page: dict) -> list[str]:
    return [item["name"] if "name" in item else item["service"]["name"] for item in page["contents"]]


def service_id(entry_id: str) -> str:
    return oruk.service_id(entry_id)


# --------------------------------------------------------------------------- schemas


def test_every_endpoint_answers_what_the_oruk_schemas_require(api):
    client, directory = api
    tvr = oruk.organization_id(orgs.get_organisation(directory, orgs.organisation_id(directory, "Tees Valley Recovery")))
    early = oruk.taxonomy_term_id("stages", "early")
    checks = {
        "/api/services": "service_page",
        "/api/services?per_page=1&page=2": "service_page",
        f"/api/services/{service_id('cafe-1')}": "service",
        f"/api/services/{service_id('money-1')}": "service",
        "/api/service_at_locations": "service_at_location_page",
        "/api/service_at_locations?postcode=TS1+3BA&proximity=1000": "service_at_location_page",
        f"/api/service_at_locations/{oruk.service_at_location_id('esol-1')}": "service_at_location",
        "/api/organizations": "organization_page",
        f"/api/organizations/{tvr}": "organization",
        "/api/taxonomies": "taxonomy_page",
        f"/api/taxonomies/{oruk.taxonomy_id()}": "taxonomy",
        "/api/taxonomy_terms": "taxonomy_term_page",
        "/api/taxonomy_terms?per_page=100&page=2": "taxonomy_term_page",
        f"/api/taxonomy_terms/{early}": "taxonomy_term",
    }
    for url, kind in checks.items():
        answer = get(client, url)
        assert errors(kind, answer) == [], url
        if kind.endswith("_page"):
            assert answer["size"] == len(answer["contents"]) > 0, url
    root = get(client, "/api/")
    assert root == {"version": "3.0", "profile": "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
                    "openapi_url": "http://testserver/api/openapi.json"}
    assert get(client, "/api") == root
    assert get(client, "/api/services/")["total_items"] == 4  # a trailing slash is the same address


def test_the_openapi_description_is_oruks_with_what_we_add(api):
    client, _ = api
    document = get(client, "/api/openapi.json")
    assert document["servers"] == [{"url": "http://testserver/api"}]
    assert sorted(document["paths"]) == sorted([
        "/", "/services", "/services/{id}", "/service_at_locations", "/service_at_locations/{id}", "/organizations",
        "/organizations/{id}", "/taxonomies", "/taxonomies/{id}", "/taxonomy_terms", "/taxonomy_terms/{id}"])
    services = document["paths"]["/services"]["get"]
    assert [p["$ref"].rsplit("/", 1)[1] for p in services["parameters"]] == [
        "search", "page", "per_page", "taxonomy_term_id", "taxonomy_id", "minimum_age", "maximum_age", "start_time",
        "end_time", "day", "organization_id", "modified_after"]
    assert document["components"]["parameters"]["per_page"]["schema"]["maximum"] == MAX_PER_PAGE == 100
    assert sorted(services["responses"]) == ["200", "400"]
    assert sorted(document["paths"]["/services/{id}"]["get"]["responses"]) == ["200", "404"]
    assert document["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["$ref"].endswith("/compiled/service_at_location.json")


# --------------------------------------------------------------------------- paging


def test_services_are_paged_a_to_z(api):
    client, _ = api
    first = get(client, "/api/services?per_page=3")
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 4, "total_pages": 2, "page_number": 1, "size": 3, "first_page": True, "last_page": False,
        "empty": False}
    assert names(first) == LIVE_A_TO_Z[:3]
    second = get(client, "/api/services?per_page=3&page=2")
    assert (names(second), second["size"], second["first_page"], second["last_page"]) == (LIVE_A_TO_Z[3:], 1, False, True)
    beyond = get(client, "/api/services?per_page=3&page=3")
    assert (beyond["contents"], beyond["empty"], beyond["total_items"], beyond["last_page"]) == ([], True, 4, True)
    assert names(get(client, "/api/services")) == LIVE_A_TO_Z  # 50 a page unless asked
    assert names(get(client, f"/api/services?per_page={MAX_PER_PAGE}")) == LIVE_A_TO_Z
    summary = first["contents"][1]
    assert summary["id"] == service_id("club-1") and summary["minimum_age"] == 18 and summary["maximum_age"] == 64
    organisations = get(client, "/api/organizations?per_page=1&page=2")
    assert (names(organisations), organisations["total_items"]) == (["TVR Employment"], 2)
    terms = get(client, "/api/taxonomy_terms?per_page=100")
    assert (terms["total_items"], terms["size"], terms["total_pages"]) == (len(oruk.taxonomy_terms()), 100, 2)


# --------------------------------------------------------------------------- filters


def test_search_is_the_apps_own_typo_tolerant_search(api):
    client, _ = api
    assert names(get(client, "/api/services?search=jbo+clb")) == ["Job Club"]
    assert names(get(client, "/api/services?search=recovery")) == ["Tees Recovery Café", "ESOL conversation class"]
    assert names(get(client, "/api/services?search=closed+drop-in")) == []  # archived: never found
    response = client.get("/api/services", params={"search": "café " * 100})
    assert response.status_code == 200 and names(response.json()) == ["Tees Recovery Café"]
    assert response.headers["x-search-notice"] == (
        "Your search was shortened to the first 300 characters: %E2%80%9Ccafe%E2%80%9D.")
    assert "x-search-notice" not in client.get("/api/services?search=cafe").headers


def test_taxonomy_terms_filter_services_by_our_codes_and_fields(api):
    client, _ = api

    def by_term(field, code=None):
        return names(get(client, f"/api/services?taxonomy_term_id={oruk.taxonomy_term_id(field, code)}"))

    assert by_term("category", "basic_skills") == ["ESOL conversation class"]
    assert by_term("category") == LIVE_A_TO_Z  # a coded field's term: any of its codes
    assert by_term("stages", "early") == ["Tees Recovery Café"]
    assert by_term("delivery", "online") == ["Online money advice"]
    assert by_term("min_age") == ["ESOL conversation class", "Job Club"]  # a field's term: a value in it
    assert by_term("organisation_kind", "treatment_provider") == ["ESOL conversation class", "Tees Recovery Café"]
    assert by_term("category", "employer") == []
    term = oruk.taxonomy_term_id("category", "basic_skills")
    full = get(client, f"/api/services/{service_id('esol-1')}")
    assert term in [a["taxonomy_term_id"] for a in full["attributes"]]  # what the filter finds, the service carries
    ours = oruk.taxonomy_id()
    assert names(get(client, f"/api/services?taxonomy_id={ours}")) == LIVE_A_TO_Z
    early = oruk.taxonomy_term_id("stages", "early")
    children = get(client, f"/api/taxonomy_terms?parent_id={oruk.taxonomy_term_id('stages')}&per_page=100")
    assert [t["code"] for t in children["contents"]] == ["crisis", "early", "stabilising", "progressing",
                                                         "sustained"] and early in [t["id"] for t in children["contents"]]
    assert get(client, f"/api/taxonomy_terms?taxonomy_id={uuid.uuid4()}")["total_items"] == 0


def test_organization_filter_and_the_organizations_services(api):
    client, directory = api
    tvr = oruk.organization_id(orgs.get_organisation(directory, orgs.organisation_id(directory, "Tees Valley Recovery")))
    assert names(get(client, f"/api/services?organization_id={tvr}")) == ["ESOL conversation class", "Tees Recovery Café"]
    assert names(get(client, f"/api/services?organization_id={uuid.uuid4()}")) == []
    organisation = get(client, f"/api/organizations/{tvr}")
    assert [s["name"] for s in organisation["services"]] == ["ESOL conversation class", "Tees Recovery Café"]
    assert organisation["contacts"][0]["name"] == "Jo Lead"
    assert organisation["description"] == "Treatment provider. How to refer: Phone us."
    assert organisation["attributes"][0]["taxonomy_term_id"] == oruk.taxonomy_term_id("organisation_kind",
                                                                                       "treatment_provider")


def test_modified_after(api):
    client, directory = api
    time.sleep(1.1)  # last_modified is to the second
    club = directory.get("club-1")
    directory.update("club-1", {"description": "Every Monday."}, club.version, "alice")
    changed = get(client, f"/api/services/{service_id('club-1')}")["last_modified"]
    assert names(get(client, f"/api/services?modified_after={changed}")) == ["Job Club"]
    assert names(get(client, "/api/services?modified_after=2000-01-01")) == LIVE_A_TO_Z
    later = (dt.datetime.fromisoformat(changed) + dt.timedelta(seconds=1)).isoformat()
    assert names(client.get("/api/services", params={"modified_after": later}).json()) == []
    # An unencoded "+00:00" arrives as " 00:00": read as meant.
    plus = dt.datetime.fromisoformat(changed).isoformat()
    assert names(get(client, f"/api/services?modified_after={plus}")) == ["Job Club"]


def test_ages_as_oruk_defines_them(api):
    client, _ = api
    # minimum_age: services whose minimum age is at least this (no minimum counts as 0)
    assert names(get(client, "/api/services?minimum_age=16")) == ["ESOL conversation class", "Job Club"]
    assert names(get(client, "/api/services?minimum_age=17")) == ["Job Club"]
    assert names(get(client, "/api/services?minimum_age=0")) == LIVE_A_TO_Z
    # maximum_age: services whose maximum age is this or below (no maximum is never below)
    assert names(get(client, "/api/services?maximum_age=64")) == ["Job Club"]
    assert names(get(client, "/api/services?maximum_age=63.5")) == []
    assert names(get(client, "/api/services?minimum_age=18&maximum_age=64")) == ["Job Club"]


def test_day_and_times_meet_in_one_session(api):
    client, _ = api
    assert names(get(client, "/api/services?day=TH")) == ["ESOL conversation class", "Tees Recovery Café"]
    assert names(get(client, "/api/services?day=thursday")) == ["ESOL conversation class", "Tees Recovery Café"]
    assert names(get(client, "/api/services?day=Mon")) == ["Job Club"]
    assert names(get(client, "/api/services?day=SU")) == []
    assert names(get(client, "/api/services?start_time=17:00")) == ["ESOL conversation class"]
    assert names(get(client, "/api/services?end_time=12:00")) == ["Job Club", "Tees Recovery Café"]
    assert names(get(client, "/api/services?start_time=10:00:00&end_time=12:00")) == ["Job Club", "Tees Recovery Café"]
    assert names(get(client, "/api/services?day=TH&end_time=12:00")) == ["Tees Recovery Café"]
    assert names(get(client, "/api/services?day=TH&start_time=10:30")) == ["ESOL conversation class"]
    assert names(get(client, "/api/services?day=WE&start_time=00:00")) == []
    assert names(get(client, "/api/services?search=club&day=MO&minimum_age=18")) == ["Job Club"]


def test_service_at_locations_nearest_first_within_proximity(api):
    client, _ = api
    every = get(client, "/api/service_at_locations")
    assert names(every) == ["ESOL conversation class", "Job Club", "Tees Recovery Café"]  # online: no location
    assert every["contents"][0]["location"]["latitude"] == 54.559648
    near = get(client, "/api/service_at_locations?postcode=ts13ba")
    assert names(near) == ["Tees Recovery Café", "Job Club", "ESOL conversation class"]
    assert names(get(client, "/api/service_at_locations?postcode=TS1+3BA&proximity=500")) == [
        "Tees Recovery Café", "Job Club"]  # TS1 2AH is 469 m away, TS5 6PY 1,382 m
    assert names(get(client, "/api/service_at_locations?postcode=TS1+3BA&proximity=469")) == ["Tees Recovery Café"]
    assert names(get(client, "/api/service_at_locations?postcode=TS1+3BA&proximity=0")) == ["Tees Recovery Café"]
    assert names(get(client, "/api/service_at_locations?postcode=TS1+3BA&proximity=2000&day=TH")) == [
        "Tees Recovery Café", "ESOL conversation class"]
    item = get(client, f"/api/service_at_locations/{oruk.service_at_location_id('cafe-1')}")
    assert (item["service"]["name"], item["location"]["addresses"][0]["postal_code"]) == ("Tees Recovery Café", "TS1 3BA")


# --------------------------------------------------------------------------- 400 and 404


@pytest.mark.parametrize("query, parameter, reason", [
    ("page=0", "page", "page must be a whole number from 1 to 1,000,000, not '0'"),
    ("per_page=101", "per_page", "per_page must be a whole number from 1 to 100, not '101'"),
    ("per_page=ten", "per_page", "per_page must be a whole number from 1 to 100, not 'ten'"),
    ("page=1&page=2", "page", "give page once"),
    ("day=XX", "day", "day must be a day of the week: MO, TU, WE, TH, FR, SA or SU (or its name), not 'XX'"),
    ("start_time=25:00", "start_time", "start_time must be a time of day as HH:MM or HH:MM:SS, like 09:30, not '25:00'"),
    ("start_time=12:00&end_time=10:00", "end_time", "end_time must not be before start_time"),
    ("modified_after=yesterday", "modified_after",
     "modified_after must be a date or a date and time (ISO 8601), like 2026-12-01T09:30:00Z, not 'yesterday'"),
    ("minimum_age=old", "minimum_age", "minimum_age must be a number of years, like 16, not 'old'"),
    ("taxonomy_term_id=category", "taxonomy_term_id",
     "taxonomy_term_id must be an id (a UUID such as c353804f-b38a-5e79-935c-e72c890e694d), not 'category'"),
    ("taxonomy_term_id=00000000-0000-0000-0000-000000000000", "taxonomy_term_id",
     "there is no taxonomy term 00000000-0000-0000-0000-000000000000 here: the terms are listed at /api/taxonomy_terms"),
    ("taxonomy_id=00000000-0000-0000-0000-000000000000", "taxonomy_id",
     "there is no taxonomy 00000000-0000-0000-0000-000000000000 here: this directory publishes one, "
     "c353804f-b38a-5e79-935c-e72c890e694d"),
    ("organization_id=tvr", "organization_id",
     "organization_id must be an id (a UUID such as c353804f-b38a-5e79-935c-e72c890e694d), not 'tvr'"),
    ("search=" + "x" * 1001, "search", "search is too long: at most 1000 characters"),
])
def test_bad_parameters_are_a_400_saying_which_and_why(api, query, parameter, reason):
    client, _ = api
    assert get(client, f"/api/services?{query}", 400) == {"error": reason, "parameter": parameter}


@pytest.mark.parametrize("query, reason", [
    ("proximity=500", "proximity needs a postcode to measure from"),
    ("postcode=TS1+3BA&proximity=-5", "proximity must be a distance in metres from 0 to 1,000,000, not '-5'"),
    ("postcode=TS1+3BA&proximity=far", "proximity must be a distance in metres from 0 to 1,000,000, not 'far'"),
    ("postcode=hello", "'hello' is not a UK postcode: give it like TS1 3BA, or a district like TS1"),
    ("postcode=TS9+9ZZ", "postcode TS9 9ZZ not found: check it, or give latitude and longitude instead"),
])
def test_bad_places_are_a_400(api, query, reason):
    client, _ = api
    answer = get(client, f"/api/service_at_locations?{query}", 400)
    assert answer == {"error": reason, "parameter": query.split("&")[-1].split("=")[0]}


def test_unknown_ids_are_a_404_saying_so(api):
    client, directory = api
    nobody = "00000000-0000-0000-0000-000000000000"
    assert get(client, f"/api/services/{nobody}", 404) == {
        "error": f"There is no service {nobody} in this directory (an archived one is not served)."}
    assert get(client, f"/api/services/{service_id('gone-1')}", 404)["error"].startswith("There is no service")
    assert get(client, "/api/services/cafe-1", 404)["error"].startswith("There is no service cafe-1")
    assert get(client, f"/api/service_at_locations/{oruk.service_at_location_id('money-1')}", 404) == {
        "error": f"There is no service_at_location {oruk.service_at_location_id('money-1')} in this directory."}
    assert get(client, f"/api/organizations/{nobody}", 404)["error"].startswith(f"There is no organization {nobody}")
    assert get(client, f"/api/taxonomies/{nobody}", 404) == {
        "error": f"There is no taxonomy {nobody} here: this directory publishes one, {oruk.taxonomy_id()}."}
    assert get(client, f"/api/taxonomy_terms/{nobody}", 404) == {
        "error": f"There is no taxonomy term {nobody} here: the terms are listed at /api/taxonomy_terms."}
    assert get(client, "/api/locations", 404) == {
        "error": "There is no /api/locations here: the endpoints are listed at /api/openapi.json."}


def test_cors_preflight_and_read_only(api):
    client, _ = api
    preflight = client.options("/api/services", headers={"Origin": "https://example.org",
                                                         "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert (preflight.headers["access-control-allow-origin"], preflight.headers["access-control-allow-methods"]) == (
        "*", "GET, HEAD, OPTIONS")
    posted = client.post("/api/services", json={"name": "x"})
    assert (posted.status_code, posted.json(), posted.headers["access-control-allow-origin"]) == (
        405, {"error": "This API is read only: use GET."}, "*")


# --------------------------------------------------------------------------- what is never served


def test_archived_entries_and_client_records_never_appear(api):
    client, directory = api
    tvr = oruk.organization_id(orgs.get_organisation(directory, orgs.organisation_id(directory, "Tees Valley Recovery")))
    urls = ["/api/services?per_page=100", "/api/service_at_locations?per_page=100", "/api/organizations",
            f"/api/organizations/{tvr}", "/api/services?search=closed", "/api/services?day=TH",
            *(f"/api/services/{service_id(e['id'])}" for e in ENTRIES[:4]),
            *(f"/api/service_at_locations/{oruk.service_at_location_id(e['id'])}" for e in ENTRIES[:3])]
    everything = "".join(client.get(url).text for url in urls)
    for never in ("Closed drop-in", "gone-1", service_id("gone-1"), "C-0042", "stabilising", "Kim Keyworker", "kim",
                  "alice", "Alice Khan", "carol"):
        assert never not in everything, never
    assert "Tees Recovery Café" in everything and "Jo Lead" in everything  # the named contact is public


def test_changes_are_served_at_once(api):
    client, directory = api
    assert names(get(client, "/api/services?search=bakery")) == []
    directory.create({"id": "bake-1", "name": "Bakery work trial", "organisation": "TVR Employment",
                      "category": "work_placement", "postcode": "TS1 2AH"}, "alice")
    assert names(get(client, "/api/services?search=bakery")) == ["Bakery work trial"]
    organisation_id = orgs.organisation_id(directory, "TVR Employment")
    orgs.update_profile(directory, LEAD, organisation_id, {"kind": "employment_programme"})
    service = get(client, f"/api/services/{service_id('bake-1')}")
    assert service["organization"]["description"] == "Employment programme."
    directory.archive("club-1", "carol", "ended")
    assert get(client, f"/api/services/{service_id('club-1')}", 404)
    assert "Job Club" not in names(get(client, "/api/services"))


# --------------------------------------------------------------------------- the off switch


@pytest.mark.parametrize("variable, value, reason", [
    ("RP_API", "off", "This directory's Open Referral API is turned off (the RP_API setting)."),
    ("RP_API", "FALSE", "This directory's Open Referral API is turned off (the RP_API setting)."),
    ("RP_REQUIRE_SIGN_IN", "1", "This directory is only for people signed in, so it has no public Open Referral API."),
])
def test_the_api_can_be_turned_off(directory, monkeypatch, variable, value, reason):
    client = TestClient(Starlette(routes=routes(lambda: directory)))  # the real switch: settings
    monkeypatch.delenv("RP_API", raising=False)
    monkeypatch.delenv("RP_REQUIRE_SIGN_IN", raising=False)
    assert get(client, "/api/services")["total_items"] == 0  # on by default
    monkeypatch.setenv(variable, value)
    for url in ("/api/", "/api/services", "/api/openapi.json", f"/api/taxonomies/{oruk.taxonomy_id()}"):
        assert get(client, url, 404) == {"error": reason}
    monkeypatch.setenv(variable, "on" if variable == "RP_API" else "0")
    assert get(client, "/api/services")["total_items"] == 0


# --------------------------------------------------------------------------- the real server


def test_the_app_serves_the_api_over_http(tmp_path):
    """`streamlit run app.py` (as the README says) answers /api/services beside the app's own pages."""
    from directory.api import Directory
    from tests.browser.conftest import serve
    from tests.conftest import fake_locator

    url = f"sqlite:///{tmp_path / 'directory.db'}"
    directory = Directory(url, locate_postcode=fake_locator)
    create_user(directory, "alice", "Alice Khan", "editor")
    for values in ENTRIES[:4]:
        directory.create(values, "alice")
    directory.engine.dispose()
    with serve(url, tmp_path / "streamlit.log") as base:
        with urllib.request.urlopen(f"{base}/api/services?per_page=2", timeout=60) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert response.headers["Content-Type"] == "application/json"
            page = json.loads(response.read())
        with urllib.request.urlopen(f"{base}/", timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/html")  # the app itself, as before
    assert errors("service_page", page) == []
    assert (names(page), page["total_items"], page["total_pages"]) == (LIVE_A_TO_Z[:2], 4, 2)


def test_the_servers_listening_sockets_send_without_waiting_for_acks():
    """streamlit run's own listening socket reports protocol 0, so asyncio leaves Nagle's algorithm on for its
    connections (40 ms a kept-alive answer); oruk_api.tcp turns it off on the listener, which they inherit."""
    import socket
    import sys

    from oruk_api.tcp import no_delay_on_listening_sockets

    if not sys.platform.startswith("linux"):
        pytest.skip("connections inherit TCP_NODELAY from their listener on Linux")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:  # as Streamlit binds it: protocol 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert no_delay_on_listening_sockets() >= 1
        with socket.create_connection(listener.getsockname()) as _:
            accepted, _ = listener.accept()
            with accepted:
                assert (accepted.proto, accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)) == (0, 1)


def test_ids_are_uuid5_as_before():
    """oruk._uuid makes uuid5 directly (the catalogue makes one per entry and organisation on every change)."""
    for parts in [("service", "demo-0001"), ("organisation", "7"), ("x", "é", "🧭"), ("",)]:
        assert oruk._uuid(*parts) == str(uuid.uuid5(oruk.NAMESPACE, "/".join(parts)))
    assert oruk.service_id("cafe-1") == str(uuid.uuid5(oruk.NAMESPACE, "service/cafe-1"))
