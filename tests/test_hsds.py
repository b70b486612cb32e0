"""HSDS / Open Referral UK import (service -> spreadsheet row) and export (entries -> services)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from directory.fields import COLUMNS, Entry, format_cell
from directory.io.hsds import ATTRIBUTE_TAXONOMY, HsdsError, entries_to_hsds, read_hsds, service_to_row

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "openreferral" / "hsds"
FULL_ID = "ac148810-d857-441c-9679-408f346de14b"
FULL_DESCRIPTION = (
    "Counselling Services provided by trained professionals. Suitable for people with mental health "
    "conditions such as anxiety, depression, or eating disorders as well as people experiencing difficult "
    "life events and circumstances. "
)


def load(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the ORUK examples


def test_service_full_becomes_a_row_for_the_validator_to_judge():
    row, notes = service_to_row(load("service_full.json"))

    assert row == {
        "id": FULL_ID,
        "name": "Community Counselling",
        "organisation": "Example Organization Inc.",
        "description": FULL_DESCRIPTION,
        "address": "1-30 Main Street, MyVillage, MyCity",
        "postcode": "ABC 1234",  # not a UK postcode: the validator rejects it
        "latitude": "100",  # impossible: passed on for the validator to reject
        "longitude": "101",
        "delivery": "in_person",
        "url": "http://example.com/counselling",
        "email": "email@example.com",
        "phone": "+44 1234 234567",
        "contact_name": "Ann Persona",
        "contact_role": "Reception Manager",
        "contact_email": "email@example.com",
        "contact_phone": "+44 1234 234567",
        "schedule": "Thu,Fri 10:00-18:00",
        "min_age": "12",
        "max_age": "100",
        "cost": "Under 18s and Over 60s: £35 per 1 hour session",
        "languages": "ur",
        "accessibility": (
            "The building is equipped with induction loops for hearing aids. Wheelchair access is possible "
            "on all levels. Switch hearing aid to T-coil to access the induction loop facility."
        ),
        "last_verified": "2005-01-01",
        "service_areas": "The service is available to all residents of the MyCity area. We provide the service in "
                         "our offices or via video conferencing to any who can provide evidence of their residency.",
    }
    assert "category" not in row  # none of its taxonomy terms is ours: the caller decides
    assert notes == [
        "phone: extension 100 left out",
        "contact_phone: extension 100 left out",
        "service area not a council, town or postcode district we know (kept, but a postcode search does not "
        "find the service by it): The service is available to all residents of the "
        "MyCity area. We provide the service in our offices or via video conferencing to any who can provide "
        "evidence of their residency.",
        "not carried over (no field here for them): accreditations, alert, alternate_name, application_process, "
        "assurer_email, eligibility_description, funding, interpretation_services, licenses, program, "
        "required_documents",
    ]


def test_service_list_page_gives_one_row():
    services = read_hsds(load("service_list.json"))
    assert len(services) == 1

    row, notes = service_to_row(services[0])
    assert row == {
        "id": FULL_ID,
        "name": "Community Counselling",
        "organisation": "Example Organization Inc.",
        "description": FULL_DESCRIPTION,
        "url": "http://example.com/counselling",
        "email": "email@example.com",
        "min_age": "12",
        "max_age": "100",
        "cost": (
            "Non-NHS patients are expected to pay for their counselling sessions. We charge a flat rate per "
            "hour of counselling. The current rate is £50 per hour. Please see our website for up to date prices."
        ),
        "last_verified": "2005-01-01",
    }
    assert notes == ["not carried over (no field here for them): accreditations, alert, alternate_name, "
                     "application_process, assurer_email, eligibility_description, interpretation_services, "
                     "licenses, program"]


# --------------------------------------------------------------------------- read_hsds


def test_read_hsds_accepts_array_page_and_single_service():
    service = {"name": "Job club"}
    assert read_hsds([service, {"name": "Café"}]) == [service, {"name": "Café"}]
    assert read_hsds({"total_items": 1, "contents": [service]}) == [service]
    assert read_hsds({"contents": []}) == []
    assert read_hsds([]) == []
    assert read_hsds(service) == [service]
    # One nameless service is a bad row for the report, not a bad file.
    assert read_hsds([service, {"id": "x"}]) == [service, {"id": "x"}]


@pytest.mark.parametrize(
    "garbage, says",
    [
        ("[1, 2]", "text"),
        (42, "a number"),
        (None, "null"),
        ({"type": "FeatureCollection"}, "no 'name'"),
        ({"contents": "none"}, "should be a list"),
        ([{"name": "ok"}, "oops"], "item 2 is text"),
        ([{"id": "a"}, {"id": "b"}], "none has a 'name'"),
    ],
)
def test_read_hsds_rejects_what_is_not_services_in_plain_english(garbage, says):
    with pytest.raises(HsdsError, match=says):
        read_hsds(garbage)


# --------------------------------------------------------------------------- odd services


def test_odd_types_are_coerced_or_left_out_with_a_note_never_raised():
    service = {
        "id": 17,
        "name": "Drop-in",
        "description": None,
        "organization": [{"name": "Org"}],  # a list where an object belongs
        "email": ["a@example.org"],
        "minimum_age": 16.0,
        "phones": {"number": "'0121 496 0000'"},  # an object where a list belongs
        "contacts": "nobody",
        "service_at_locations": [
            {"location": {"latitude": "52.5", "longitude": -1.25, "addresses": {"postal_code": "B1 1AA"}}},
            {"location": None},
        ],
        "schedules": [{"byday": "MO", "opens_at": 9}, {"freq": "MONTHLY", "byday": "1MO", "opens_at": "09:00"}],
        "cost_options": [{"amount": "0"}],
        "languages": [{"code": 7}, {"code": "pl"}, "en"],
        "wait_time": True,
        "attributes": [None, {"taxonomy_term": "x"}],
    }

    row, notes = service_to_row(service)

    assert row == {
        "id": "17",
        "name": "Drop-in",
        "organisation": "Org",
        "min_age": "16",
        "phone": "0121 496 0000",
        "postcode": "B1 1AA",
        "latitude": "52.5",
        "longitude": "-1.25",
        "cost": "free",
        "languages": "pl",
    }
    assert notes == [
        "email: expected a single value but found a list; left out",
        "2 locations: only the first is used for the address and position",
        "schedule 1 left out: it has no weekdays (byday) or no opening and closing times",
        "schedule 2 left out: it repeats monthly, and the schedule column holds weekly times only",
    ]
    assert service_to_row("not a service") == ({}, ["the service is text, not a JSON object; nothing read"])


ODD_VALUES = (None, 0, 2.5, True, "", "text", [], {}, [1, "a", None], {"a": []}, [{}], 10**30)


def nested_paths(value, path=()):
    """Every key path into a JSON value, so each place can be given an odd value."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield path + (key,)
        yield from nested_paths(child, path + (key,))


def test_no_odd_value_anywhere_in_service_full_makes_import_raise():
    service = load("service_full.json")
    for path in list(nested_paths(service)):
        holder = service
        for key in path[:-1]:
            holder = holder[key]
        original = holder[path[-1]]
        for odd in ODD_VALUES:
            holder[path[-1]] = odd
            row, notes = service_to_row(service)
            assert all(isinstance(cell, str) and cell for cell in row.values()), (path, odd)
        holder[path[-1]] = original


def test_schedules_from_the_location_become_our_clause_text():
    location = {
        "location_type": "virtual",
        "schedules": [
            {"freq": "WEEKLY", "byday": "FR,MO,TU,WE,TH", "opens_at": "9:00", "closes_at": "17:00:00"},
            {"byday": "sa,SU", "opens_at": "10:00", "closes_at": "12:30"},
        ],
    }
    row, notes = service_to_row({"name": "Helpline", "service_at_locations": [{"location": location}]})

    assert row == {"name": "Helpline", "delivery": "online", "schedule": "Mon-Fri 09:00-17:00; Sat,Sun 10:00-12:30"}
    assert notes == []


def test_cost_text_from_amount_currency_and_description():
    def cost(*options):
        return service_to_row({"name": "x", "cost_options": list(options)})

    assert cost({"amount": 35, "currency": "gbp", "amount_description": "per 1 hour session"}) == (
        {"name": "x", "cost": "£35 per 1 hour session"},
        [],
    )
    assert cost({"amount": 12.5, "currency": "EUR"})[0]["cost"] == "EUR 12.50"
    assert cost({"option": "Free", "amount": 0.0}, {"amount": 5}) == (
        {"name": "x", "cost": "free"},
        ["2 cost options: only the first is used as the cost"],
    )


def test_category_comes_from_a_taxonomy_term_naming_one_of_our_codes():
    def term(**fields):
        return {"taxonomy_term": {"taxonomy": "esd", **fields}}

    row, notes = service_to_row({"name": "x", "attributes": [term(code="C1", name="Work Placement")]})
    assert row["category"] == "work_placement"
    assert notes == []

    row, notes = service_to_row({"name": "x", "service_taxonomys": [{"taxonomy": {"name": "TRAINING"}}]})
    assert row["category"] == "training"

    row, notes = service_to_row({"name": "x", "attributes": [term(code="housing"), term(name="Treatment")]})
    assert row["category"] == "housing"
    assert notes == ["its taxonomy terms name several categories (housing, treatment): housing is used"]

    assert "category" not in service_to_row({"name": "x", "attributes": [term(code="counselling")]})[0]


def test_our_attributes_win_over_native_values_and_unknown_ones_are_noted():
    def ours(code, value):
        return {"value": value, "taxonomy_term": {"code": code, "taxonomy": ATTRIBUTE_TAXONOMY}}

    service = {
        "name": "Native name",
        "wait_time": 3,
        "attributes": [ours("waiting_days", "7"), ours("category", "employer"), ours("shoe_size", "9")],
    }
    row, notes = service_to_row(service)

    assert row == {"name": "Native name", "waiting_days": "7", "category": "employer"}
    assert notes == [f"attribute 'shoe_size' of {ATTRIBUTE_TAXONOMY} is not a column we know; left out"]


# --------------------------------------------------------------------------- export -> import round trip

IN_PERSON = Entry(
    id="cov-cafe_1",
    name="Coventry Recovery Café",
    organisation="Coventry Recovery Community",
    category="recovery_support",
    description="Peer-led café, open to anyone in or affected by recovery.",
    address="12 High Street, Coventry",
    postcode="CV1 1AA",
    latitude=52.4068,
    longitude=-1.5197,
    url="https://example.org/cafe",
    email="cafe@example.org",
    phone="024 7600 0000",
    contact_name="Sam Jones",
    contact_role="Peer lead",
    contact_email="sam@example.org",
    contact_phone="07700 900123",
    schedule="Mon-Fri 09:00-17:00; Tue,Thu 10:00-12:00",
    term_time_only=False,
    min_age=18,
    cost="free",
    referral="either",
    waiting_days=0,
    languages=("en", "pl"),
    accessibility="step-free access; hearing loop",
    last_verified=dt.date(2024, 3, 1),
)

ONLINE_ONLY = Entry(
    id="online-esol",
    name="Online ESOL",
    organisation="Learn Together",
    category="basic_skills",
    delivery=("online", "phone"),
    url="https://example.org/esol",
    phone="0300 123 4567",
    schedule="Sat 10:00-12:00",
    start_date=dt.date(2024, 9, 2),
    end_date=dt.date(2025, 7, 18),
    cost="£20 per term",
    hours_per_week=2.5,
    accessibility="Works with screen readers",  # no location to hold it: travels as an attribute
)

MANY_LISTS = Entry(
    id="f3b9c2de-1111-4a2b-9c3d-0123456789ab",
    name="Kitchen <b>Skills</b>",
    organisation="Work Ready CIC",
    category="work_placement",
    description='<script>alert(1)</script> & "quotes"',
    postcode="B1 1AA",
    latitude=52.123456789,
    longitude=-1.987654321,
    delivery=("in_person", "outreach"),
    contact_email="placements@example.org",
    schedule="mon 9:00-12:00",  # not canonical: kept exactly through an attribute
    term_time_only=True,
    stages=("stabilising", "progressing"),
    continuum_steps=("soft_skills", "work_trials"),
    eligible_benefits=("uc", "esa"),
    min_age=18,
    max_age=64,
    requires_abstinence=True,
    drug_testing=True,
    accepts_convictions="case_by_case",
    dbs_check="basic",
    cost="Free",
    travel_costs_paid=True,
    childcare=False,
    format=("group", "work_based"),
    referral="professional",
    waiting_days=14,
    hours_per_week=16,
    languages=("en", "ur", "pa"),
    sector="hospitality",
    tags=("kitchen", "food hygiene", "level 2"),
    last_verified=dt.date(2023, 12, 31),
)

ENTRIES = (IN_PERSON, ONLINE_ONLY, MANY_LISTS)


def csv_cells(entry: Entry) -> dict[str, str]:
    """What a CSV export holds for the entry, empty cells left out."""
    cells = {name: format_cell(name, getattr(entry, name)) for name in COLUMNS}
    return {name: cell for name, cell in cells.items() if cell}


def attribute_codes(service: dict) -> set[str]:
    """The fields a service's attributes carry (link_type names the field; a coded field's term is its code's)."""
    return {attribute["link_type"] for attribute in service["attributes"]}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_export_then_import_gives_the_csv_cells_back_exactly(entry):
    [service] = json.loads(json.dumps(entries_to_hsds([entry])))

    row, notes = service_to_row(service)

    assert row == csv_cells(entry)
    assert notes == []


def test_fields_hsds_has_travel_natively_and_the_rest_as_attributes():
    in_person, online, many = entries_to_hsds(ENTRIES)

    # "cov-cafe_1" is not a UUID: the service id is one made from it, and our id travels as an attribute.
    assert attribute_codes(in_person) == {"id", "category", "term_time_only", "referral", "waiting_days"}
    assert "id" not in attribute_codes(many)  # already a UUID: it is the service id itself
    assert many["id"] == MANY_LISTS.id
    assert in_person["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    assert in_person["schedules"][1]["opens_at"] == "10:00:00"
    location = in_person["service_at_locations"][0]["location"]
    assert (location["latitude"], location["addresses"][0]["postal_code"]) == (52.4068, "CV1 1AA")
    assert in_person["contacts"][0]["phones"][0]["number"] == "07700 900123"
    assert in_person["cost_options"][0] == {
        "id": in_person["cost_options"][0]["id"],
        "option": "Free",
        "amount": 0,
        "currency": "GBP",
    }

    assert online["service_at_locations"] == []
    assert {"delivery", "accessibility", "start_date", "hours_per_week"} <= attribute_codes(online)
    assert {"schedule", "cost", "delivery"} <= attribute_codes(many)

    attribute = next(a for a in many["attributes"] if a["taxonomy_term"]["code"] == "tags")
    assert attribute["value"] == "kitchen;food hygiene;level 2"
    assert attribute["taxonomy_term"]["name"] == "Keywords"
    assert attribute["taxonomy_term"]["taxonomy"] == ATTRIBUTE_TAXONOMY

    # A coded field: one attribute per code, linked to the code's term (a child of the field's term).
    stages = [a for a in many["attributes"] if a["link_type"] == "stages"]
    assert [(a["value"], a["taxonomy_term"]["code"], a["taxonomy_term"]["name"]) for a in stages] == [
        ("stabilising", "stabilising", "Stabilising"),
        ("progressing", "progressing", "Progressing"),
    ]
    assert stages[0]["taxonomy_term"]["description"] == "Attending consistently; use stable or reducing."
    assert stages[0]["taxonomy_term"]["parent_id"] == stages[1]["taxonomy_term"]["parent_id"]
    assert stages[0]["taxonomy_term_id"] == stages[0]["taxonomy_term"]["id"]
    assert {a["link_id"] for a in many["attributes"]} == {many["id"]}


def test_export_is_deterministic_with_uuid_ids_for_nested_objects():
    first = json.dumps(entries_to_hsds(ENTRIES), sort_keys=True)
    assert first == json.dumps(entries_to_hsds(ENTRIES), sort_keys=True)

    service = entries_to_hsds([IN_PERSON])[0]
    nested = [
        service["organization"],
        service["phones"][0],
        service["contacts"][0],
        service["schedules"][0],
        service["service_at_locations"][0],
        service["service_at_locations"][0]["location"],
        service["attributes"][0],
        service["attributes"][0]["taxonomy_term"],
    ]
    assert all(uuid.UUID(item["id"]) for item in nested)
    assert len({item["id"] for item in nested}) == len(nested)
    # The same organisation is the same HSDS organization across entries.
    renamed = entries_to_hsds([Entry(id="other", name="x", organisation=IN_PERSON.organisation, category="housing")])
    assert renamed[0]["organization"]["id"] == service["organization"]["id"]


# --------------------------------------------------------------------------- what real ORUK feeds send


def test_minus_one_ages_mean_no_limit():
    row, notes = service_to_row({"name": "Family hub", "minimum_age": -1, "maximum_age": "-1"})
    assert (row, notes) == ({"name": "Family hub"}, [])
    row, notes = service_to_row({"name": "Youth club", "minimum_age": 11, "maximum_age": -1.0})
    assert (row, notes) == ({"name": "Youth club", "min_age": "11"}, [])


def test_html_descriptions_become_plain_text():
    description = (
        "<p>Drop in on <b>Tuesdays</b> &amp; Thursdays.</p>\n<ul><li>Free tea</li><li>Benefits&nbsp;advice</li></ul>"
        "<script>track()</script><p>Ring   first<br>if you can.</p>"
    )
    row, notes = service_to_row({"name": "Café", "description": description})
    assert row["description"] == "Drop in on Tuesdays & Thursdays.\n\n- Free tea\n- Benefits advice\n\nRing first\nif you can."
    assert notes == []
    assert service_to_row({"name": "x", "description": "Fish < chips > peas"})[0]["description"] == "Fish < chips > peas"


def test_our_own_text_that_looks_like_html_still_comes_back_exactly():
    [service] = entries_to_hsds([MANY_LISTS])
    assert "description" in attribute_codes(service)  # the native form alone would lose the <script> text
    assert service_to_row(service)[0]["description"] == '<script>alert(1)</script> & "quotes"'


def test_twelve_hour_times_are_read():
    def schedule(opens, closes):
        service = {"name": "x", "schedules": [{"byday": "MO", "opens_at": opens, "closes_at": closes}]}
        return service_to_row(service)

    assert schedule("9:30 AM", "4:00 PM") == ({"name": "x", "schedule": "Mon 09:30-16:00"}, [])
    assert schedule("12:00 am", "12:15pm")[0]["schedule"] == "Mon 00:00-12:15"
    assert schedule("9am", "12.30 p.m.")[0]["schedule"] == "Mon 09:00-12:30"
    assert schedule("13:00 PM", "4 PM") == (
        {"name": "x"}, ["schedule 1 left out: it has no weekdays (byday) or no opening and closing times"])


def test_a_bad_phone_number_is_a_warning_not_a_rejection():
    service = {
        "name": "Advice line",
        "phones": [{"number": "call reception"}],
        "contacts": [{"name": "Jo", "phones": [{"number": "0121 496 0000"}]}],
    }
    row, notes = service_to_row(service)
    assert row == {"name": "Advice line", "contact_name": "Jo", "contact_phone": "0121 496 0000"}
    assert notes == ["phone: 'call reception' is not a phone number: use digits, e.g. 01642 123456; left out"]


def test_closed_status_area_wide_services_oruk_1_and_fields_left_named():
    row, notes = service_to_row({"name": "Old club", "status": "Defunct", "eligibility_description": "Adults"})
    assert row == {"name": "Old club", "status": "defunct"}
    assert notes == ["status is defunct: the entry is archived",
                     "not carried over (no field here for them): eligibility_description"]
    assert service_to_row({"name": "Live", "status": "active"}) == ({"name": "Live"}, [])

    row, notes = service_to_row({"name": "Helpline", "service_areas": [
        {"name": "Bristol"}, {"service_area": "Thornaby"}, {"name": " thornaby "}, {"name": "TS5 and TS6 7"},
        {"description": "Stockton-on-Tees Borough Council"}]})
    assert row == {"name": "Helpline", "delivery": "outreach",
                   "service_areas": "Bristol\nThornaby\nTS5 and TS6 7\nStockton-on-Tees Borough Council"}
    assert notes == ["no place to attend: imported as outreach, serving its areas",
                     "service area not a council, town or postcode district we know (kept, but a postcode search "
                     "does not find the service by it): Bristol"]

    service = {"name": "Drop-in", "fees": "<p>£2 a session</p>", "regular_schedules": [
        {"weekday": "Monday", "opens_at": "09:00", "closes_at": "12:00"},
        {"weekday": 3, "opens_at": "9:00 AM", "closes_at": "12:00 PM"},
        {"weekday": "Friday", "opens_at": "13:00", "closes_at": "15:30"},
        {"weekday": "someday", "opens_at": "13:00", "closes_at": "15:30"}]}
    row, notes = service_to_row(service)
    assert row == {"name": "Drop-in", "schedule": "Mon,Wed 09:00-12:00; Fri 13:00-15:30", "cost": "£2 a session"}
    assert notes == ["regular schedule 4 left out: it has no weekday or no opening and closing times"]
    assert read_hsds({"totalElements": 1, "content": [service]}) == [service]
