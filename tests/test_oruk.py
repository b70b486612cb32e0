"""Open Referral UK 3.0 out (directory/io/oruk.py): every serialiser's output meets the ORUK 3.0 schemas
(tests/fixtures/openreferral/oruk/, validated with jsonschema), and the export comes back exactly.

The demo area is built in memory from data/demo_area.py for a fixed day, with the demo organisations'
profiles from data/demo_organisations.json, so most tests need no database."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from directory import codes
from directory import fields as F
from directory.demo import demo_module
from directory.io import oruk
from directory.io.export import export_bytes
from directory.io.hsds import ATTRIBUTE_TAXONOMY, service_to_row
from directory.io.importer import import_file
from directory.organisations import KINDS, OrganisationContact, OrganisationProfile, get_organisation, update_profile
from directory.postcodes import default_table
from directory.store import organisation_key
from directory.validation import parse_row
from tests.oruk_schemas import PAGE_KEYS, errors, example

TODAY = dt.date(2026, 12, 7)
DEMO_ORGANISATIONS = Path(__file__).resolve().parents[1] / "data" / "demo_organisations.json"
MODIFIED = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def demo_entries() -> list[F.Entry]:
    table = default_table()
    entries = []
    for row in demo_module().demo_rows(TODAY):
        values, problems = parse_row(row, locate_postcode=table.locate)
        assert problems == []
        entries.append(F.Entry(**values, updated_at=MODIFIED))
    return entries


@pytest.fixture(scope="module")
def demo_profiles(demo_entries) -> list[OrganisationProfile]:
    """One profile per organisation, as the database holds them: the demo's filled in, the rest bare. Each has
    a member, whose username must never appear in what is put out."""
    filled = {organisation_key(p["name"]): p for p in json.loads(DEMO_ORGANISATIONS.read_text())["organisations"]}
    names = sorted({entry.organisation for entry in demo_entries}, key=str.casefold)
    profiles = []
    for number, name in enumerate(names, start=1):
        given = filled.get(organisation_key(name), {})
        contact = given.get("contact", {})
        profiles.append(OrganisationProfile(
            number, name, given.get("kind"), given.get("address"), given.get("url"), given.get("email"),
            given.get("phone"), given.get("how_to_refer"),
            OrganisationContact(contact.get("name"), contact.get("role"), contact.get("phone"), contact.get("email")),
            (), tuple((e.id, e.name, e.category) for e in demo_entries if e.organisation == name),
            ((f"member{number}", f"Member Number{number}", "editor"),), None, None))
    return profiles


@pytest.fixture(scope="module")
def demo_export(demo_entries, demo_profiles) -> list[dict]:
    return json.loads(json.dumps(oruk.services(demo_entries, demo_profiles)))


def nested_ids(value) -> list[str]:
    """Every `id` of every object inside a JSON value."""
    found = []
    if isinstance(value, dict):
        if "id" in value:
            found.append(value["id"])
        for child in value.values():
            found.extend(nested_ids(child))
    elif isinstance(value, list):
        for child in value:
            found.extend(nested_ids(child))
    return found


def csv_cells(entry: F.Entry) -> dict[str, str]:
    cells = {name: F.format_cell(name, getattr(entry, name)) for name in F.COLUMNS}
    return {name: cell for name, cell in cells.items() if cell}


# --------------------------------------------------------------------------- the schemas catch what is wrong


def test_the_official_examples_meet_the_schemas():
    assert errors("service", example("service_full.json")) == []
    assert errors("service_page", example("service_list.json")) == []
    assert errors("organization", example("organization_full.json")) == []
    assert errors("taxonomy", example("taxonomy.json")) == []
    assert errors("taxonomy_term_page", example("taxonomy_term_list.json")) == []


def test_a_known_bad_service_is_caught(demo_export):
    bad = copy.deepcopy(demo_export[0])
    bad["id"] = "demo-0001"
    del bad["organization"]["description"]
    bad["service_at_locations"][0]["location"]["addresses"][0].pop("city")
    bad["attributes"][0]["taxonomy_term"].pop("description")
    bad["status"] = "open"
    bad["last_modified"] = "1 Dec 2026"

    assert errors("service", bad) == [
        "attributes/0/taxonomy_term: 'description' is a required property",
        "id: 'demo-0001' is not a 'uuid'",
        "last_modified: '1 Dec 2026' is not a 'date-time'",
        "organization: 'description' is a required property",
        "service_at_locations/0/location/addresses/0: 'city' is a required property",
        "status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
    ]
    page = oruk.page([bad], total_items=1, page_number=1, per_page=50)
    del page["empty"]
    assert errors("service_page", page) == [
        "(top): 'empty' is a required property",
        "contents/0/id: 'demo-0001' is not a 'uuid'",
        "contents/0/last_modified: '1 Dec 2026' is not a 'date-time'",
        "contents/0/organization: 'description' is a required property",
        "contents/0/status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
    ]


# --------------------------------------------------------------------------- the export


def test_every_demo_service_meets_the_schema_with_no_errors(demo_entries, demo_export):
    assert len(demo_export) == len(demo_entries) > 300
    assert [(service["name"], errors("service", service)) for service in demo_export
            if errors("service", service)] == []


def test_every_id_is_a_uuid_and_unique_and_the_same_next_time(demo_entries, demo_profiles, demo_export):
    ids = nested_ids([{k: v for k, v in s.items() if k not in ("organization", "attributes")} for s in demo_export])
    assert len(ids) == len(set(ids))
    assert all(str(uuid.UUID(i)) == i for i in ids)
    again = oruk.services(demo_entries, demo_profiles)
    assert json.dumps(again, sort_keys=True) == json.dumps(demo_export, sort_keys=True)
    assert demo_export[0]["id"] == oruk.service_id(demo_entries[0].id) == str(
        uuid.uuid5(oruk.NAMESPACE, f"service/{demo_entries[0].id}"))


def test_the_demo_export_comes_back_exactly(demo_entries, demo_export):
    for entry, service in zip(demo_entries, demo_export):
        row, notes = service_to_row(service)
        assert (row, notes) == (csv_cells(entry), []), entry.id


def test_addresses_give_city_and_nation_and_organisations_a_description(demo_export):
    address = demo_export[0]["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["address_1"], address["city"], address["state_province"], address["country"]) == (
        "12 Linthorpe Road", "Middlesbrough", "England", "GB")
    assert demo_export[0]["organization"]["description"].startswith("Treatment provider. How to refer: Self-referral")
    assert demo_export[0]["last_modified"] == "2026-12-01T09:30:00Z"
    assert [oruk._nation(p) for p in ("EH1 1AA", "G1 1AA", "GL1 1AA", "CF10 1AA", "BT1 1AA", "TS1 3BA", "")] == [
        "Scotland", "Scotland", "England", "Wales", "Northern Ireland", "England", ""]


def test_client_data_and_people_never_appear(demo_profiles, demo_export):
    text = json.dumps(demo_export) + json.dumps([oruk.organization(p) for p in demo_profiles])
    assert not [p.people[0][0] for p in demo_profiles if p.people[0][0] in text]
    assert "Member Number" not in text


def test_the_export_reads_profiles_validates_and_imports_back_exactly(directory, tmp_path):
    from directory.accounts import get_account

    directory.create({"id": "esol-1", "name": "ESOL drop-in", "organisation": "Tees Valley Recovery",
                      "category": "basic_skills", "address": "1 Albert Road, Middlesbrough", "postcode": "TS1 3BA",
                      "stages": ("early", "stabilising"), "delivery": ("in_person", "online"), "schedule": "Tue,Thu 10:00-12:00",
                      "cost": "free"}, "alice")
    directory.create({"id": "phone-line", "name": "Money helpline", "organisation": "Tees Valley Recovery",
                      "category": "money_advice", "delivery": ("phone",), "phone": "01632 960000"}, "alice")
    organisation = get_organisation(directory, 1)
    update_profile(directory, get_account(directory, "carol"), organisation.id,
                   {"kind": "voluntary_sector", "url": "https://tvr.example.org", "how_to_refer": "Phone us."},
                   {"name": "Dee Lead", "role": "Manager", "phone": "01632 960001"})

    data = json.loads(export_bytes(directory.entries(), "hsds", directory=directory))

    assert [errors("service", s) for s in data] == [[], []]
    assert data[0]["organization"] == {
        "id": oruk.organization_id(get_organisation(directory, 1)), "name": "Tees Valley Recovery",
        "description": "Voluntary sector. How to refer: Phone us.", "website": "https://tvr.example.org"}
    path = tmp_path / "export.json"
    path.write_bytes(export_bytes(directory.entries(), "hsds", directory=directory))
    again = import_file(directory, path, author="alice")
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, [])


# --------------------------------------------------------------------------- each serialiser on its own


def test_a_service_and_its_summary(demo_entries, demo_profiles):
    entry, profile = demo_entries[0], demo_profiles[[p.name for p in demo_profiles].index(demo_entries[0].organisation)]
    assert errors("service", oruk.service(entry, profile)) == []
    summary = oruk.service_summary(entry, profile)
    assert errors("service_list", summary) == []
    assert set(summary) == {"id", "organization_id", "name", "description", "email", "status", "assured_date",
                            "last_modified", "organization"}
    assert summary["organization"] == oruk.organization_summary(profile)
    assert oruk.service(F.Entry(id="x", name="x", organisation="Y", category="housing", archived=True))["status"] == "inactive"


def test_pages_of_services_have_the_envelope(demo_entries, demo_profiles):
    count = len(demo_entries)
    last = -(-count // 50)
    first = oruk.services_page(demo_entries, page_number=1, per_page=50, organisations=demo_profiles)
    final = oruk.services_page(demo_entries, page_number=last, per_page=50, organisations=demo_profiles)
    beyond = oruk.services_page(demo_entries, page_number=last + 1, per_page=50, organisations=demo_profiles)
    full = oruk.services_page(demo_entries[:3], per_page=2, organisations=demo_profiles, full=True)

    for document in (first, final, beyond, full):
        assert list(document) == list(PAGE_KEYS)
        assert errors("service_page", document) == []
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": count, "total_pages": last, "page_number": 1, "size": 50, "first_page": True,
        "last_page": False, "empty": False}
    assert (final["size"], final["first_page"], final["last_page"], final["empty"]) == (count - 50 * (last - 1), False, True, False)
    assert (beyond["size"], beyond["last_page"], beyond["empty"], beyond["contents"]) == (0, True, True, [])
    assert [s["id"] for s in first["contents"]] == [oruk.service_id(e.id) for e in demo_entries[:50]]
    assert (full["total_pages"], full["size"], "attributes" in full["contents"][0]) == (2, 2, True)
    assert oruk.services_page([], per_page=10) == {
        "total_items": 0, "total_pages": 1, "page_number": 1, "size": 0, "first_page": True, "last_page": True,
        "empty": True, "contents": []}
    with pytest.raises(ValueError):
        oruk.services_page(demo_entries, page_number=0)


def test_organizations_and_their_pages(demo_entries, demo_profiles):
    profile = next(p for p in demo_profiles if p.kind == "treatment_provider" and p.contact)
    theirs = [e for e in demo_entries if e.organisation == profile.name]
    full = oruk.organization(profile, theirs)

    assert errors("organization", full) == []
    assert [s["id"] for s in full["services"]] == [oruk.service_id(e.id) for e in theirs]
    [kind] = full["attributes"]
    assert (kind["link_type"], kind["value"], kind["taxonomy_term"]["name"]) == (
        "organisation_kind", "treatment_provider", "Treatment provider")
    assert full["contacts"][0]["name"] == profile.contact.name
    assert errors("organization", oruk.organization("Only A Name")) == []
    page = oruk.organizations_page(demo_profiles, page_number=2, per_page=5)
    assert errors("organization_page", page) == []
    assert (page["total_items"], page["size"], page["contents"][0]["name"]) == (len(demo_profiles), 5, demo_profiles[5].name)


def test_the_taxonomy_publishes_every_field_and_code_with_a_description():
    taxonomy = oruk.taxonomy()
    assert errors("taxonomy", taxonomy) == []
    terms = taxonomy["taxonomy_terms"]
    assert len({t["id"] for t in terms}) == len(terms)
    assert all(t["description"].strip() for t in terms)
    fields = {t["code"]: t for t in terms if "parent_id" not in t}
    assert set(fields) == {*F.COLUMNS, oruk.ORGANISATION_KIND}
    for field in F.FIELDS:
        if field.vocabulary:
            children = [t["code"] for t in terms if t.get("parent_id") == fields[field.name]["id"]]
            assert children == list(codes.VOCABULARIES[field.vocabulary]), field.name
    kinds = [t["code"] for t in terms if t.get("parent_id") == fields[oruk.ORGANISATION_KIND]["id"]]
    assert kinds == list(KINDS)
    assert len(terms) == len(fields) + sum(len(codes.VOCABULARIES[f.vocabulary]) for f in F.FIELDS if f.vocabulary) + len(KINDS)

    employer = oruk.taxonomy_term(oruk.taxonomy_term_id("category", "employer"))
    assert employer == {"id": oruk.taxonomy_term_id("category", "employer"), "code": "employer", "name": "Employers",
                        "description": "Employers offering jobs to people in recovery.",
                        "parent_id": oruk.taxonomy_term_id("category"), "taxonomy": ATTRIBUTE_TAXONOMY,
                        "taxonomy_id": oruk.taxonomy_id()}
    assert oruk.taxonomy_term(str(uuid.uuid4())) is None
    assert errors("taxonomy_term", employer) == []
    listed = oruk.taxonomies_page()
    assert errors("taxonomy_page", listed) == [] and "taxonomy_terms" not in listed["contents"][0]
    page = oruk.taxonomy_terms_page(page_number=2, per_page=100)
    assert errors("taxonomy_term_page", page) == []
    assert (page["total_items"], page["size"], page["last_page"]) == (len(terms), len(terms) - 100, True)


def test_every_attribute_links_to_a_published_term(demo_export):
    published = {t["id"]: t for t in oruk.taxonomy_terms()}
    linked = [a for s in demo_export for a in s["attributes"]]
    assert linked and all(published[a["taxonomy_term_id"]] == a["taxonomy_term"] for a in linked)
    categories = {a["value"] for a in linked if a["link_type"] == "category"}
    assert categories == set(codes.CATEGORIES)


def test_services_at_locations(demo_entries, demo_profiles):
    placed = next(e for e in demo_entries if e.postcode)
    online = F.Entry(id="o", name="Online", organisation="X", category="training", delivery=("online",))
    assert errors("service_at_location", oruk.service_at_location(placed)) == []
    assert errors("service_at_location_list", oruk.service_at_location_summary(placed)) == []
    assert oruk.service_at_location(online) is None and oruk.service_at_location_summary(online) is None
    page = oruk.service_at_locations_page([online, *demo_entries[:3]], per_page=2, organisations=demo_profiles)
    assert errors("service_at_location_page", page) == []
    assert (page["total_items"], page["size"], page["contents"][0]["service_id"]) == (
        3, 2, oruk.service_id(demo_entries[0].id))
