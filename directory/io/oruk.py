"""Open Referral UK 3.0 out: the objects an ORUK API serves, built from entries and organisation profiles.

One place turns the directory into ORUK 3.0 JSON (docs/open-referral.md), for the export
(`python -m directory export --format hsds`) and the read API alike. Every function is pure: it takes
`fields.Entry` records and `organisations.OrganisationProfile`s and returns plain JSON-ready dicts, each
valid against the ORUK 3.0 compiled schema named beside it. Nothing here reads the database except
`load_organisations`, and no client data, account or person other than an organisation's named contact
for partners (shown to everyone on its page) is ever put out.

    service(entry, organisation)            /services/{id}            compiled/service.json
    service_summary(entry, organisation)    an item of /services      compiled/service_list.json
    services_page(entries, ...)             /services                 the paged envelope of those
    services(entries, organisations)        the export: a list of full services
    organization(profile, entries)          /organizations/{id}       compiled/organization.json
    organization_summary(profile)           an item of /organizations compiled/organization_list.json
    organizations_page(profiles, ...)       /organizations
    taxonomy() / taxonomies_page()          /taxonomies/{id}, /taxonomies            taxonomy.json
    taxonomy_term(id) / taxonomy_terms_page /taxonomy_terms/{id}, /taxonomy_terms    taxonomy_term.json
    service_at_location(entry, organisation) / service_at_location_summary / service_at_locations_page
    page(contents, ...)                     the paged envelope for any list the caller has sliced itself

Ids are UUIDs, the same every time: an entry whose id is already a UUID keeps it as its service id; any
other id becomes uuid5(NAMESPACE, "service/" + id) (`service_id`), and our own id then travels as the
attribute `id` of our taxonomy, so importing the export gives every entry its id back. An organisation's
id comes from its database id when its profile is given (so a rename keeps it), else from its name.

Our fields that ORUK has no place for travel as `attributes` linked to the terms of one published
taxonomy (ATTRIBUTE_TAXONOMY): a coded value (category, stages, delivery, ...) as one attribute per code,
linked to that code's term (a child of the field's term), so consumers can filter by it; any other value
as an attribute of the field's term holding the value as we write it in a spreadsheet cell. Which fields
need one is decided by reading the native form back with our own import (directory/io/hsds.py), so an
export -> import round trip is exact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import uuid
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, Union

from directory import codes
from directory.fields import CODE, CODES, COLUMNS, FIELD_BY_NAME, FIELDS, Entry, format_cell
from directory.io.hsds import (
    _CONTACT_KEYS,
    _DAY_NAMES,
    _RFC_DAYS,
    ATTRIBUTE_TAXONOMY,
    _read_native,
    _Row,
)
from directory.store import organisation_key

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.organisations import OrganisationProfile

# Fixed, so the same directory exported twice gives byte-identical JSON.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://recovery-pathways.org.uk/hsds")

TAXONOMY_NAME = "Recovery Pathways"
TAXONOMY_DESCRIPTION = (
    "The fields and codes of the Recovery Pathways directory of recovery, education, training and employment "
    "provision. A field's term (e.g. 'waiting_days') is linked to a service by an attribute whose value is the "
    "field's value as the directory's spreadsheet writes it; a coded field's value is linked instead as one "
    "attribute per code, to the code's term, whose parent is the field's term."
)
# Not one of the entry's fields: an organisation's kind, published so organizations can be linked to it.
ORGANISATION_KIND = "organisation_kind"

DEFAULT_PER_PAGE = 50

# Field terms' descriptions where a field's help text (written for the edit form) says too little.
_FIELD_DESCRIPTIONS: dict[str, str] = {
    "id": "This directory's own identifier for the entry (letters, digits, - and _).",
    "organisation": "The organisation that runs the service.",
    "category": "The one kind of provision the service is: one of the codes below this term.",
    "description": "What happens there, in plain English.",
    "address": "Street address, one line.",
    "postcode": "UK postcode of where it happens; empty for online or phone-only services.",
    "latitude": "WGS84 latitude, when more precise than the postcode's.",
    "longitude": "WGS84 longitude, when more precise than the postcode's.",
    "delivery": "How it is delivered: codes below this term; without any, in person.",
    "url": "The service's website.",
    "email": "The service's public email address.",
    "phone": "The service's public phone number.",
    "contact_name": "The named single point of contact (SPOC) that keyworkers can ring.",
    "contact_role": "The named contact's role.",
    "contact_email": "The named contact's email address.",
    "contact_phone": "The named contact's phone number.",
    "schedule": "Opening or session times, e.g. 'Mon 09:00-12:00; Tue,Thu 10:00-12:00'; empty means by arrangement.",
    "term_time_only": "yes when the service runs in school or college term time only.",
    "start_date": "For courses and time-limited opportunities: the first day (ISO date).",
    "end_date": "For courses and time-limited opportunities: the last day (ISO date).",
    "stages": "The recovery stages the service suits: codes below this term; without any, every stage.",
    "continuum_steps": "The steps of the employment continuum it serves: codes below this term; without any, "
                       "its category's usual steps.",
    "eligible_benefits": "The benefits it is limited to: codes below this term; without any, open to everyone.",
    "min_age": "Minimum age in years.",
    "max_age": "Maximum age in years.",
    "requires_abstinence": "yes when it requires abstinence from drugs and alcohol.",
    "drug_testing": "yes when there is pre-employment or routine drug testing.",
    "accepts_convictions": "Whether people with criminal convictions are accepted: one of the codes below this term.",
    "dbs_check": "The level of Disclosure and Barring Service check needed: one of the codes below this term.",
    "cost": "'free', or a short text such as '£20 per term'.",
    "travel_costs_paid": "yes when travel costs are paid.",
    "childcare": "yes when a creche or childcare support is offered.",
    "format": "How it is run: codes below this term.",
    "referral": "How to get a place: one of the codes below this term.",
    "waiting_days": "Typical days from referral to start; 0 means drop-in or immediate.",
    "hours_per_week": "The expected commitment in hours per week.",
    "languages": "The languages it is offered in, as ISO 639-1 codes separated by ';'.",
    "accessibility": "Accessibility, e.g. 'step-free access; hearing loop'.",
    "sector": "For employers, placements, volunteering and training: the sector, e.g. hospitality.",
    "tags": "Free keywords, separated by ';'.",
    "for_groups": "Who the service is only for: codes below this term; without any, open to all.",
    "mentoring_role": "For peer mentoring: whether the client gets a mentor, becomes one, or both.",
    "last_verified": "The date someone last confirmed the entry is correct (ISO date).",
}

# The nation of each postcode area, for an address's state_province (HSDS requires one): areas that cross
# a border (CH, SY, TD, ...) are given the nation most of their postcodes are in; every other area is England.
_SCOTLAND = frozenset("AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split())
_WALES = frozenset("CF LD LL NP SA".split())
_CLAUSE = re.compile(r"^\s*(?P<days>[A-Za-z][A-Za-z,\- ]*?)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s*$")

Organisation = Union["OrganisationProfile", str, None]
Organisations = Union[Mapping[str, "OrganisationProfile"], Iterable["OrganisationProfile"], None]


# --------------------------------------------------------------------------- ids


_NAMESPACE_BYTES = NAMESPACE.bytes


def _uuid(*parts: str) -> str:
    """str(uuid.uuid5(NAMESPACE, "/".join(parts))), made directly: the read API makes one per entry and
    organisation whenever the directory changes, and uuid.UUID's constructor was most of that time."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join(parts).encode("utf-8"), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except (ValueError, TypeError, AttributeError):
        return False


def service_id(entry_id: str) -> str:
    """The service id of an entry: its own id when that is a UUID, else a UUID made from it."""
    return entry_id if _is_uuid(entry_id) else _uuid("service", entry_id)


def service_at_location_id(entry_id: str) -> str:
    return _uuid(entry_id, "service_at_location")


def organization_id(organisation: Organisation) -> str:
    """From the profile's database id (a rename keeps it), else from the name (case and spaces folded)."""
    if organisation is not None and not isinstance(organisation, str):
        return _uuid("organisation", str(organisation.id))
    return _uuid("organization", organisation_key(organisation or ""))


def taxonomy_id() -> str:
    return _uuid("taxonomy", ATTRIBUTE_TAXONOMY)


def taxonomy_term_id(field: str, code: str | None = None) -> str:
    """The term of one of our fields, or of one code of a coded field."""
    return _uuid("taxonomy", ATTRIBUTE_TAXONOMY, field, *(() if code is None else (code,)))


# --------------------------------------------------------------------------- organisations


def load_organisations(directory: Directory) -> list[OrganisationProfile]:
    """Every organisation's profile, A to Z, for the functions below: two queries however many there are
    (the read API rebuilds them whenever the directory changes). Only what is put out is read: their
    entries come from the caller and their people are never loaded (`entries` and `people` are empty)."""
    from directory.organisations import CONTACT_FIELDS, OrganisationContact, OrganisationProfile

    with directory.reader() as uow:
        contacts: dict[str, Any] = {}
        for name, contact in uow.organisations.named_contacts():
            contacts.setdefault(name, contact)
        profiles = []
        for o in uow.organisations.all():
            row = contacts.get(o.name)
            contact = OrganisationContact(*(getattr(row, f) if row else None for f in CONTACT_FIELDS))
            profiles.append(OrganisationProfile(
                o.id, o.name, o.kind, o.address, o.url, o.email, o.phone, o.how_to_refer, contact,
                tuple(o.former_names or ()), (), (), o.updated_at, o.updated_by))
    return sorted(profiles, key=lambda p: (p.name.casefold(), p.id))


def organisation_index(organisations: Organisations) -> dict[str, OrganisationProfile]:
    """organisation_key(name) -> profile, for current and former names (current names win)."""
    if organisations is None:
        return {}
    if isinstance(organisations, Mapping):
        return dict(organisations)
    index: dict[str, OrganisationProfile] = {}
    profiles = list(organisations)
    for profile in profiles:
        for name in profile.former_names:
            index.setdefault(organisation_key(name), profile)
    for profile in profiles:
        index[organisation_key(profile.name)] = profile
    return index


def _profile_for(entry: Entry, index: Mapping[str, OrganisationProfile]) -> Organisation:
    return index.get(organisation_key(entry.organisation)) or entry.organisation


def _organisation_description(organisation: Organisation) -> str:
    from directory.organisations import KINDS

    if organisation is None or isinstance(organisation, str):
        return "An organisation whose services are listed in this directory."
    parts = [f"{KINDS[organisation.kind]}." if organisation.kind in KINDS else ""]
    if organisation.how_to_refer:
        parts.append(f"How to refer: {organisation.how_to_refer}")
    if organisation.address:
        parts.append(f"Address: {organisation.address}")
    return " ".join(part for part in parts if part) or "An organisation whose services are listed in this directory."


def organization_summary(organisation: Organisation) -> dict:
    """An item of /organizations, and the organization nested in a service (compiled/organization_list.json)."""
    name = organisation if isinstance(organisation, str) or organisation is None else organisation.name
    summary = {"id": organization_id(organisation), "name": name or "", "description": _organisation_description(organisation)}
    if organisation is not None and not isinstance(organisation, str):
        if organisation.email:
            summary["email"] = organisation.email
        if organisation.url:
            summary["website"] = organisation.url
    return summary


def organization(organisation: Organisation, entries: Iterable[Entry] = ()) -> dict:
    """/organizations/{id} (compiled/organization.json): the summary, its kind as an attribute, its phone and
    named contact for partners (HSDS 3.0 fields the UK profile leaves out), and its services (one-to-one
    fields). `entries` are its live entries; archived ones are left out."""
    out = organization_summary(organisation)
    out["organization_identifiers"] = []
    org_id = out["id"]
    attributes, phones, contacts = [], [], []
    if organisation is not None and not isinstance(organisation, str):
        from directory.organisations import KINDS

        if organisation.kind in KINDS:
            term = _code_term(ORGANISATION_KIND, organisation.kind)
            attributes.append(_linked_attribute(_uuid(org_id, "attribute", ORGANISATION_KIND), org_id,
                                                "organization", ORGANISATION_KIND, organisation.kind, term))
        if organisation.phone:
            phones.append({"id": _uuid(org_id, "phone"), "number": organisation.phone})
        contact = organisation.contact
        if contact:
            fields = {"name": contact.name, "title": contact.role, "email": contact.email}
            contacts.append({"id": _uuid(org_id, "contact"), **_without_empty(fields),
                             "phones": [{"id": _uuid(org_id, "contact_phone"), "number": contact.phone}]
                             if contact.phone else []})
    out["attributes"] = attributes
    out["phones"] = phones
    out["contacts"] = contacts
    out["services"] = [_one_to_one(entry, org_id) for entry in entries if not entry.archived]
    return out


def organizations_page(organisations: Iterable[OrganisationProfile], *, page_number: int = 1,
                       per_page: int = DEFAULT_PER_PAGE) -> dict:
    """/organizations: organisations A to Z (as given), summaries."""
    profiles = list(organisations)
    chosen = _slice(profiles, page_number, per_page)
    return page([organization_summary(p) for p in chosen], total_items=len(profiles),
                page_number=page_number, per_page=per_page)


# --------------------------------------------------------------------------- services


def services(entries: Iterable[Entry], organisations: Organisations = None,
             areas: Mapping[str, Sequence[str]] | None = None) -> list[dict]:
    """Full services, one per entry (the export). `areas`: entry id -> the names of the areas it serves."""
    index = organisation_index(organisations)
    areas = areas or {}
    return [service(entry, _profile_for(entry, index), areas.get(entry.id, ())) for entry in entries]


def service(entry: Entry, organisation: Organisation = None, areas: Sequence[str] = ()) -> dict:
    """/services/{id}: the service fully nested (compiled/service.json). `organisation`: the entry's
    organisation profile; without it the organization carries the entry's organisation name only.
    `areas`: the names of the areas it serves (directory/areas.py), as `service_areas`."""
    organisation = entry.organisation if organisation is None else organisation
    out = _native_service(entry, organisation)
    out["service_areas"] = [{"id": _uuid(entry.id, "service_area", name), "service_id": out["id"], "name": name}
                            for name in areas]
    out["attributes"] = _attributes(entry, out)
    return out


def service_summary(entry: Entry, organisation: Organisation = None) -> dict:
    """An item of /services (compiled/service_list.json): one-to-one fields and the organization."""
    organisation = entry.organisation if organisation is None else organisation
    org = organization_summary(organisation)
    return {**_one_to_one(entry, org["id"]), "organization": org}


def services_page(entries: Sequence[Entry], *, page_number: int = 1, per_page: int = DEFAULT_PER_PAGE,
                  organisations: Organisations = None, full: bool = False) -> dict:
    """/services: page `page_number` of `entries` (already filtered and ordered by the caller), as
    summaries, or full services with `full`. ValueError for a page number or size below 1."""
    index = organisation_index(organisations)
    chosen = _slice(entries, page_number, per_page)
    make = service if full else service_summary
    return page([make(entry, _profile_for(entry, index)) for entry in chosen], total_items=len(entries),
                page_number=page_number, per_page=per_page)


def _one_to_one(entry: Entry, org_id: str) -> dict:
    out: dict[str, Any] = {"id": service_id(entry.id), "organization_id": org_id, "name": entry.name}
    for column, key in (("description", "description"), ("url", "url"), ("email", "email")):
        if getattr(entry, column):
            out[key] = getattr(entry, column)
    out["status"] = "inactive" if entry.archived else "active"
    for column, key in (("min_age", "minimum_age"), ("max_age", "maximum_age")):
        if getattr(entry, column) is not None:
            out[key] = getattr(entry, column)
    if entry.last_verified is not None:
        out["assured_date"] = entry.last_verified.isoformat()
    if entry.updated_at is not None:
        out["last_modified"] = _timestamp(entry.updated_at)
    return out


def _timestamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back naive datetimes; everything stored is UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _without_empty(values: dict) -> dict:
    return {key: value for key, value in values.items() if value not in (None, "")}


def _native_service(entry: Entry, organisation: Organisation) -> dict:
    org = organization_summary(organisation)
    out = _one_to_one(entry, org["id"])
    out["organization"] = org
    out["phones"] = _phones(entry.id, "phone", entry.phone)
    out["contacts"] = _contacts(entry)
    out["schedules"] = _schedules(entry)
    out["service_areas"] = []
    out["service_at_locations"] = _service_at_locations(entry)
    out["cost_options"] = _cost_options(entry)
    out["languages"] = [{"id": _uuid(entry.id, "language", code), "code": code} for code in entry.languages]
    out["funding"] = []
    return out


def _phones(entry_id: str, owner: str, number: str | None) -> list[dict]:
    # HSDS 3.0 phones; the UK profile has no place for a phone, so UK consumers may not read them.
    return [{"id": _uuid(entry_id, owner), "number": number}] if number else []


def _contacts(entry: Entry) -> list[dict]:
    contact = _without_empty({key: getattr(entry, column) for column, key in _CONTACT_KEYS.items()})
    phones = _phones(entry.id, "contact_phone", entry.contact_phone)
    if not contact and not phones:
        return []
    return [{"id": _uuid(entry.id, "contact"), **contact, "phones": phones}]


def _schedules(entry: Entry) -> list[dict]:
    """One weekly schedule per clause; none when any clause is not in our grammar (an attribute carries it)."""
    clauses = [clause.strip() for clause in (entry.schedule or "").split(";")]
    parsed = [_parse_clause(clause) for clause in clauses if clause]
    if not parsed or None in parsed:
        return []
    return [
        {
            "id": _uuid(entry.id, "schedule", str(number)),
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ",".join(_RFC_DAYS[day] for day in days),
            "opens_at": opens,
            "closes_at": closes,
            "description": clause,
        }
        for number, (clause, days, opens, closes) in enumerate(parsed, start=1)
    ]


def _parse_clause(clause: str) -> tuple[str, list[int], str, str] | None:
    """("Tue,Thu 10:00-12:00") -> (the clause, [1, 3], "10:00:00", "12:00:00"), or None."""
    match = _CLAUSE.match(clause)
    days = _parse_days(match["days"]) if match else None
    if not days:
        return None
    return clause, days, _hms(match["opens"]), _hms(match["closes"])


def _parse_days(text: str) -> list[int] | None:
    days: list[int] = []
    for item in text.split(","):
        first, dash, last = item.partition("-")
        start = _day_index(first)
        end = _day_index(last) if dash else start
        if start is None or end is None or end < start:
            return None
        days.extend(range(start, end + 1))
    return days


def _day_index(name: str) -> int | None:
    name = name.strip().capitalize()
    return _DAY_NAMES.index(name) if name in _DAY_NAMES else None


def _hms(hours_minutes: str) -> str:
    hours, minutes = hours_minutes.split(":")
    return f"{int(hours):02d}:{minutes}:00"


def _location(entry: Entry) -> dict | None:
    if not (entry.address or entry.postcode or entry.has_position):
        return None  # online or phone only: no place to give
    location: dict[str, Any] = {"id": _uuid(entry.id, "location"), "location_type": "physical"}
    if entry.has_position:
        location["latitude"], location["longitude"] = entry.latitude, entry.longitude
    if entry.address or entry.postcode:
        location["addresses"] = [_address(entry)]
    if entry.accessibility:
        location["accessibility"] = [{"id": _uuid(entry.id, "accessibility"), "description": entry.accessibility}]
    return location


def _service_at_locations(entry: Entry) -> list[dict]:
    location = _location(entry)
    return [{"id": service_at_location_id(entry.id), "location": location}] if location else []


def _address(entry: Entry) -> dict:
    """Our one-line address split at its last ", " into address_1 and city ("12 High Street, Coventry"),
    which the import joins again; state_province is the nation of the postcode's area."""
    street, _, city = (entry.address or "").rpartition(", ")
    if not street:
        street, city = entry.address or "", ""
    return {
        "id": _uuid(entry.id, "address"),
        "address_1": street,
        "city": city,
        "state_province": _nation(entry.postcode),
        "postal_code": entry.postcode or "",
        "country": "GB",
        "address_type": "physical",
    }


def _nation(postcode: str | None) -> str:
    match = re.match(r"[A-Za-z]{1,2}", (postcode or "").strip())
    if not match:
        return ""
    area = match.group().upper()
    if area == "BT":
        return "Northern Ireland"
    if area in _SCOTLAND or (area[0] == "G" and len(area) == 1):
        return "Scotland"
    return "Wales" if area in _WALES else "England"


def _cost_options(entry: Entry) -> list[dict]:
    if not entry.cost:
        return []
    option_id = _uuid(entry.id, "cost_option")
    if entry.is_free:
        return [{"id": option_id, "option": "Free", "amount": 0, "currency": "GBP"}]
    return [{"id": option_id, "option": entry.cost, "amount_description": entry.cost}]


# --------------------------------------------------------------------------- attributes


def _attributes(entry: Entry, service_object: dict) -> list[dict]:
    """Attributes for every field the native form does not give back exactly.

    Checking against our own import, rather than listing fields, also covers values only some entries
    can't carry natively (accessibility without a location, a schedule not in canonical form, an id that
    is not a UUID).
    """
    row = _Row()
    _read_native(service_object, row)
    link_id = service_object["id"]
    attributes = []
    for column in COLUMNS:
        value = getattr(entry, column)
        cell = format_cell(column, value)
        if not cell or row.cells.get(column) == cell:
            continue
        coded = _codes(column, value)
        if coded is None:
            attributes.append(_linked_attribute(_uuid(entry.id, "attribute", column), link_id, "service",
                                                column, cell, _field_term(column)))
        else:
            attributes.extend(_linked_attribute(_uuid(entry.id, "attribute", column, code), link_id, "service",
                                                column, code, _code_term(column, code)) for code in coded)
    return attributes


def _codes(column: str, value: Any) -> tuple[str, ...] | None:
    """The codes of a coded field's value when every one is in its vocabulary, else None."""
    field = FIELD_BY_NAME[column]
    if field.vocabulary is None or field.kind not in (CODE, CODES):
        return None
    values = tuple(value) if field.kind == CODES else (value,)
    vocabulary = codes.VOCABULARIES[field.vocabulary]
    return values if values and all(v in vocabulary for v in values) else None


def _linked_attribute(attribute_id: str, link_id: str, entity: str, field: str, value: str, term: dict) -> dict:
    # link_type names our field (HSDS: "what the taxonomy term describes"); link_entity is HSDS 3.0's table name.
    return {
        "id": attribute_id,
        "link_id": link_id,
        "link_type": field,
        "link_entity": entity,
        "taxonomy_term_id": term["id"],
        "value": value,
        "taxonomy_term": term,
    }


# --------------------------------------------------------------------------- the taxonomy


def _field_term(field: str) -> dict:
    if field == ORGANISATION_KIND:
        name, description = "Kind of organisation", "What kind of partner agency an organisation is."
    else:
        spec = FIELD_BY_NAME[field]
        name, description = spec.label, _FIELD_DESCRIPTIONS.get(field) or spec.help or spec.label
    return {"id": taxonomy_term_id(field), "code": field, "name": name, "description": description,
            "taxonomy": ATTRIBUTE_TAXONOMY, "taxonomy_id": taxonomy_id()}


def _vocabulary(field: str) -> dict[str, str]:
    if field == ORGANISATION_KIND:
        from directory.organisations import KINDS

        return KINDS
    return codes.VOCABULARIES[FIELD_BY_NAME[field].vocabulary]


def _code_term(field: str, code: str) -> dict:
    label = _vocabulary(field)[code]
    described = codes.DESCRIPTIONS.get(FIELD_BY_NAME[field].vocabulary if field in FIELD_BY_NAME else "", {})
    field_label = "Kind of organisation" if field == ORGANISATION_KIND else FIELD_BY_NAME[field].label
    return {"id": taxonomy_term_id(field, code), "code": code, "name": label,
            "description": described.get(code) or f"{field_label}: {label}.",
            "parent_id": taxonomy_term_id(field), "taxonomy": ATTRIBUTE_TAXONOMY, "taxonomy_id": taxonomy_id()}


@lru_cache(maxsize=1)
def _all_terms() -> tuple[dict, ...]:
    terms = []
    for field in (*(f.name for f in FIELDS), ORGANISATION_KIND):
        terms.append(_field_term(field))
        if field == ORGANISATION_KIND or FIELD_BY_NAME[field].vocabulary:
            terms.extend(_code_term(field, code) for code in _vocabulary(field))
    return tuple(terms)


def taxonomy_terms() -> list[dict]:
    """Every term of our taxonomy: each field's, followed by its codes' (taxonomy_term.json each)."""
    return [dict(term) for term in _all_terms()]


def taxonomy_term(term_id: str) -> dict | None:
    """/taxonomy_terms/{id}, or None for an id that is not one of ours."""
    return next((dict(term) for term in _all_terms() if term["id"] == term_id), None)


def taxonomy_terms_page(*, page_number: int = 1, per_page: int = DEFAULT_PER_PAGE,
                        terms: Sequence[dict] | None = None) -> dict:
    """/taxonomy_terms: `terms` (the caller's filtered list, else every term), one page."""
    terms = taxonomy_terms() if terms is None else list(terms)
    return page(_slice(terms, page_number, per_page), total_items=len(terms), page_number=page_number,
                per_page=per_page)


def taxonomy(*, with_terms: bool = True) -> dict:
    """/taxonomies/{id} (taxonomy.json), with every term unless `with_terms` is false."""
    out = {"id": taxonomy_id(), "name": TAXONOMY_NAME, "description": TAXONOMY_DESCRIPTION}
    if with_terms:
        out["taxonomy_terms"] = taxonomy_terms()
    return out


def taxonomies_page(*, page_number: int = 1, per_page: int = DEFAULT_PER_PAGE) -> dict:
    """/taxonomies: our one taxonomy, without its terms."""
    items = [taxonomy(with_terms=False)]
    return page(_slice(items, page_number, per_page), total_items=len(items), page_number=page_number,
                per_page=per_page)


# --------------------------------------------------------------------------- service at location


def service_at_location(entry: Entry, organisation: Organisation = None) -> dict | None:
    """/service_at_locations/{id} (compiled/service_at_location.json); None for an entry with no place."""
    full = service(entry, organisation)
    if not full["service_at_locations"]:
        return None
    at_location = full.pop("service_at_locations")[0]
    location = at_location["location"]
    return {"id": at_location["id"], "service_id": full["id"], "location_id": location["id"],
            "location": location, "service": full}


def service_at_location_summary(entry: Entry, organisation: Organisation = None) -> dict | None:
    """An item of /service_at_locations (compiled/service_at_location_list.json); None with no place."""
    location = _location(entry)
    if location is None:
        return None
    one_to_one = {k: v for k, v in location.items() if k not in ("addresses", "accessibility", "attributes")}
    return {"id": service_at_location_id(entry.id), "service_id": service_id(entry.id),
            "location_id": location["id"], "location": one_to_one,
            "service": service_summary(entry, organisation)}


def service_at_locations_page(entries: Sequence[Entry], *, page_number: int = 1, per_page: int = DEFAULT_PER_PAGE,
                              organisations: Organisations = None) -> dict:
    """/service_at_locations: the entries that have a place (in the order given), one page."""
    index = organisation_index(organisations)
    placed = [entry for entry in entries if _location(entry) is not None]
    chosen = _slice(placed, page_number, per_page)
    return page([service_at_location_summary(entry, _profile_for(entry, index)) for entry in chosen],
                total_items=len(placed), page_number=page_number, per_page=per_page)


# --------------------------------------------------------------------------- pages


def _slice(items: Sequence, page_number: int, per_page: int) -> list:
    if page_number < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    start = (page_number - 1) * per_page
    return list(items[start:start + per_page])


def page(contents: list[dict], *, total_items: int, page_number: int, per_page: int) -> dict:
    """ORUK 3.0's paged envelope. A page past the last is empty; no items is one empty page."""
    total_pages = max(1, math.ceil(total_items / per_page))
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
