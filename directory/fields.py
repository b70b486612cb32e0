"""The fields of a directory entry, in the spreadsheet's column order.

One table drives the spreadsheet import/export, validation, the edit form's
labels, revisions (which record changes field by field) and the HSDS mapping,
so a field added here is added everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

# Kinds of value. Lists are stored as tuples so records are hashable and compare exactly.
TEXT, CODE, CODES, WORDS, BOOL, DATE, INT, NUMBER, POSTCODE, LATITUDE, LONGITUDE = (
    "text", "code", "codes", "words", "bool", "date", "int", "number", "postcode", "latitude", "longitude",
)
EMAIL, PHONE, URL, SCHEDULE, IDENT, LANGS = "email", "phone", "url", "schedule", "id", "languages"

LIST_KINDS = frozenset({CODES, WORDS, LANGS})


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    vocabulary: str | None = None  # key into codes.VOCABULARIES


FIELDS: tuple[Field, ...] = (
    Field("id", IDENT, "Identifier", "Letters, digits, - and _. Leave empty for a new entry."),
    Field("name", TEXT, "Name", "What the opportunity or service is called.", required=True),
    Field("organisation", TEXT, "Organisation", "Who runs it.", required=True),
    Field("category", CODE, "Category", "The one kind of provision it is.", required=True, vocabulary="category"),
    Field("description", TEXT, "Description", "What happens there, in plain English."),
    Field("address", TEXT, "Address", "Street address."),
    Field("postcode", POSTCODE, "Postcode", "Where it happens. May be empty for online or phone-only services."),
    Field("latitude", LATITUDE, "Latitude", "Only if the postcode's position is not precise enough."),
    Field("longitude", LONGITUDE, "Longitude", "Only if the postcode's position is not precise enough."),
    Field("delivery", CODES, "How it is delivered", "In person, online, by phone or outreach.", vocabulary="delivery"),
    Field("url", URL, "Website"),
    Field("email", EMAIL, "Email"),
    Field("phone", PHONE, "Phone"),
    Field("contact_name", TEXT, "Named contact (SPOC)", "The single point of contact keyworkers can ring."),
    Field("contact_role", TEXT, "Contact's role"),
    Field("contact_email", EMAIL, "Contact's email"),
    Field("contact_phone", PHONE, "Contact's phone"),
    Field("schedule", SCHEDULE, "Days and times", "For example: Mon 09:00-12:00; Tue,Thu 10:00-12:00. Empty means by arrangement."),
    Field("term_time_only", BOOL, "Term time only"),
    Field("start_date", DATE, "Start date", "For courses and time-limited opportunities."),
    Field("end_date", DATE, "End date"),
    Field("stages", CODES, "Recovery stages it suits", "Empty means any stage.", vocabulary="stages"),
    Field("continuum_steps", CODES, "Employment steps it serves", "Empty means the category's usual steps.", vocabulary="continuum_steps"),
    Field("eligible_benefits", CODES, "Benefits it is limited to", "Empty means open to everyone.", vocabulary="eligible_benefits"),
    Field("min_age", INT, "Minimum age"),
    Field("max_age", INT, "Maximum age"),
    Field("requires_abstinence", BOOL, "Requires abstinence"),
    Field("drug_testing", BOOL, "Drug testing", "Pre-employment or routine drug testing."),
    Field("accepts_convictions", CODE, "Accepts convictions", vocabulary="accepts_convictions"),
    Field("dbs_check", CODE, "DBS check level", vocabulary="dbs_check"),
    Field("cost", TEXT, "Cost", "'free' or a short text such as '£20 per term'."),
    Field("travel_costs_paid", BOOL, "Travel costs paid"),
    Field("childcare", BOOL, "Childcare or creche"),
    Field("format", CODES, "Format", vocabulary="format"),
    Field("referral", CODE, "How to get a place", vocabulary="referral"),
    Field("waiting_days", INT, "Typical wait (days)", "0 means drop-in or immediate."),
    Field("hours_per_week", NUMBER, "Hours per week"),
    Field("languages", LANGS, "Languages", "Two-letter codes, e.g. en;pl;ur."),
    Field("accessibility", TEXT, "Accessibility", "E.g. step-free access; hearing loop."),
    Field("sector", TEXT, "Sector", "For employers, placements, volunteering and training: e.g. hospitality."),
    Field("tags", WORDS, "Keywords"),
    Field("for_groups", CODES, "Only for", "Who the service is only for, e.g. women, veterans. Empty means open to "
          "all (ages go in minimum and maximum age).", vocabulary="for_groups"),
    Field("mentoring_role", CODE, "Mentoring role", "For peer mentoring: the client gets a mentor, becomes one, "
          "or both.", vocabulary="mentoring_role"),
    Field("last_verified", DATE, "Last verified", "The date someone last confirmed it is correct."),
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)
# Fields an edit may change; `id` is the entry's identity, `last_verified` moves only by verifying
# or importing (both are revisions too).
EDITABLE: tuple[str, ...] = tuple(n for n in COLUMNS if n != "id")


NO_META: Mapping[str, Any] = MappingProxyType({})


# How an entry is held: a process holds every entry (300,000 of them nationally), so each is kept small. The
# declaration below (`_EntryShape`) gives the fields, their types and defaults, and makes `Entry` a dataclass to
# `dataclasses.fields` and `replace`; `Entry` itself keeps the values most entries have of their own
# (id, name, description, where, contacts, bookkeeping) in slots, and the rest (who it is for and how it runs:
# category, stages, cost, schedule, …: its traits) in one tuple of only those not left at their default, which a
# load shares between every entry with the same ones (`share_traits`).
@dataclass(frozen=True)
class _EntryShape:
    """One directory entry as plain data: what search, export and the planner see."""

    id: str
    name: str
    organisation: str
    category: str
    description: str | None = None
    address: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    delivery: tuple[str, ...] = ("in_person",)
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    contact_name: str | None = None
    contact_role: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    schedule: str | None = None
    term_time_only: bool | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    stages: tuple[str, ...] = ()
    continuum_steps: tuple[str, ...] = ()
    eligible_benefits: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    requires_abstinence: bool | None = None
    drug_testing: bool | None = None
    accepts_convictions: str | None = None
    dbs_check: str | None = None
    cost: str | None = None
    travel_costs_paid: bool | None = None
    childcare: bool | None = None
    format: tuple[str, ...] = ()
    referral: str | None = None
    waiting_days: int | None = None
    hours_per_week: float | None = None
    languages: tuple[str, ...] = ()
    accessibility: str | None = None
    sector: str | None = None
    tags: tuple[str, ...] = ()
    for_groups: tuple[str, ...] = ()
    mentoring_role: str | None = None
    last_verified: dt.date | None = None
    # Bookkeeping the spreadsheet does not carry.
    version: int = 0
    archived: bool = False
    last_verified_by: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    merged_into: str | None = None
    # Extra data a caller attaches (benchmarks mark planted copies). Shared and read-only unless given: an empty
    # dict per entry was 18 MB at 300,000 entries.
    meta: Mapping[str, Any] = field(default_factory=lambda: NO_META, compare=False, hash=False)

    def values(self) -> dict[str, Any]:
        """The spreadsheet fields only, as typed values."""
        return {name: getattr(self, name) for name in COLUMNS}

    @property
    def is_free(self) -> bool:
        return (self.cost or "").strip().lower() == "free"

    @property
    def in_person(self) -> bool:
        return "in_person" in self.delivery or "outreach" in self.delivery

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


# Values an entry usually has of its own; every other field goes in the shared traits tuple.
_OWN_FIELDS = ("id", "name", "organisation", "description", "address", "postcode", "latitude", "longitude", "url",
               "email", "phone", "contact_name", "contact_email", "contact_phone", "tags", "last_verified",
               "version", "updated_at", "updated_by", "last_verified_by", "meta")


_MASKS: dict[int, int] = {}


def _entry_class(shape: type) -> type:
    """`shape`'s fields as a compact, frozen record class (see the comment above `_EntryShape`)."""
    from dataclasses import MISSING, FrozenInstanceError, fields as shape_fields

    declared = shape_fields(shape)
    names = tuple(f.name for f in declared)
    traits = tuple(n for n in names if n not in _OWN_FIELDS)
    compared = tuple(f.name for f in declared if f.compare)
    defaults: dict[str, Any] = {}
    parameters = []
    for f in declared:
        if f.default is not MISSING:
            defaults[f"_d_{f.name}"] = f.default
        elif f.default_factory is not MISSING:
            defaults[f"_d_{f.name}"] = f.default_factory()
        parameters.append(f"{f.name}=_d_{f.name}" if f"_d_{f.name}" in defaults else f.name)
    # The constructor written out (as dataclasses does): one call sets every slot, no per-field loop. The traits
    # tuple holds a mask of the traits given (not their default) then those traits' values in field order; the
    # masks are shared (`_MASKS`), being few.
    held = []
    for bit, n in enumerate(traits):
        if f"_d_{n}" not in defaults:
            held.append(f"    mask |= {1 << bit}; given.append({n})\n")
        else:
            default = f"_d_{n}"
            held.append(f"    if not ({n} is {default} or ({n}.__class__ is {default}.__class__ and {n} == {default})):\n"
                        f"        mask |= {1 << bit}; given.append({n})\n")
    source = (f"def __init__(self, {', '.join(parameters)}):\n"
              + "".join(f"    _set(self, {n!r}, {n})\n" for n in _OWN_FIELDS)
              + "    mask = 0\n    given = []\n" + "".join(held)
              + "    _set(self, '_traits', (_masks.setdefault(mask, mask), *given))\n")
    namespace: dict[str, Any] = {"_set": object.__setattr__, "_masks": _MASKS, **defaults}
    exec(source, namespace)  # noqa: S102  (our own field names, fixed at import)

    def trait_value(bit: int, default: Any):
        flag, below = 1 << bit, (1 << bit) - 1

        def value(self):
            held = self._traits
            return held[(held[0] & below).bit_count() + 1] if held[0] & flag else default
        return property(value)

    def values_of(self) -> tuple:
        return tuple(getattr(self, n) for n in compared)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self is other or values_of(self) == values_of(other)

    def __hash__(self):
        return hash(values_of(self))

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self):  # pickling and copying: through the constructor (slots of a frozen class)
        meta = self.meta
        return _restore_entry, (tuple(getattr(self, n) for n in names if n != "meta"),
                                None if meta is NO_META else dict(meta))

    members = {n: v for n, v in vars(shape).items() if n not in names and n not in ("__dict__", "__weakref__")}
    members.update(
        __slots__=(*_OWN_FIELDS, "_traits"), __init__=namespace["__init__"], __eq__=__eq__, __hash__=__hash__,
        __repr__=__repr__, __setattr__=__setattr__, __delattr__=__delattr__, __reduce__=__reduce__,
        **{n: trait_value(i, defaults.get(f"_d_{n}")) for i, n in enumerate(traits)},
    )
    return type("Entry", (), members | {"__qualname__": "Entry"})


Entry = _entry_class(_EntryShape)


def _restore_entry(values: tuple, meta: dict | None) -> Entry:
    return Entry(*values) if meta is None else Entry(*values, meta=meta)


def share_traits(entry: Entry, shared: dict) -> Entry:
    """`entry` holding the one traits tuple `shared` keeps for its values (one dict per load of entries)."""
    kept = shared.setdefault(share_traits, {})  # a dict of its own: a traits tuple never meets a single value
    object.__setattr__(entry, "_traits", kept.setdefault(entry._traits, entry._traits))
    return entry


# Unicode's bidirectional controls: invisible characters that reorder the text after them. A right-to-left
# override (U+202E) makes "Job Club\u202eelif.exe" show as something else than what it says, so no
# entry text keeps them: validation removes them from what is typed or imported, and the display helpers
# (ui.render.esc and md, ui.maps.map_text) from what was stored before. Right-to-left scripts (Urdu,
# Arabic) show correctly without them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NO_BIDI = str.maketrans(dict.fromkeys(map(ord, BIDI_CONTROLS)))


def without_bidi_controls(text: str) -> str:
    """`text` with every bidirectional control character (BIDI_CONTROLS) taken out."""
    return text.translate(_NO_BIDI) if not text.isascii() else text


def empty_value(name: str) -> Any:
    """What a cleared field holds."""
    kind = FIELD_BY_NAME[name].kind
    if name == "delivery":
        return ("in_person",)
    return () if kind in LIST_KINDS else None


# Every field as a new entry holds it before it is given any (read only: `EMPTY_ENTRY | values` makes a new dict).
EMPTY_ENTRY: Mapping[str, Any] = MappingProxyType({name: empty_value(name) for name in COLUMNS})


def format_cell(name: str, value: Any) -> str:
    """A typed value as the spreadsheet writes it (the inverse of validation's parsing)."""
    if value is None:
        return ""
    kind = FIELD_BY_NAME[name].kind
    if kind in LIST_KINDS:
        return ";".join(value)
    if kind == BOOL:
        return "yes" if value else "no"
    if kind == DATE:
        return value.isoformat()
    if kind == NUMBER:
        return f"{value:g}"
    if kind in (LATITUDE, LONGITUDE):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def to_json(name: str, value: Any) -> Any:
    """A typed value as JSON (revisions, HSDS attributes)."""
    if value is None:
        return None
    kind = FIELD_BY_NAME[name].kind
    if kind in LIST_KINDS:
        return list(value)
    if kind == DATE:
        return value.isoformat()
    return value


def from_json(name: str, value: Any) -> Any:
    """The inverse of `to_json`."""
    if value is None:
        return empty_value(name)
    kind = FIELD_BY_NAME[name].kind
    if kind in LIST_KINDS:
        return tuple(value)
    if kind == DATE:
        return dt.date.fromisoformat(value)
    if kind == NUMBER:
        return float(value)
    if kind in (LATITUDE, LONGITUDE):
        return float(value)
    return value


def values_to_json(values: dict[str, Any]) -> dict[str, Any]:
    """`to_json` of every value (a revision's snapshot: one for each of an import's 300,000 entries)."""
    return {name: value if value is None or name not in _TO_JSON else _TO_JSON[name](value)
            for name, value in values.items()}


# The fields whose JSON form is not the value itself, and how to make it (as `to_json` does).
_TO_JSON = {f.name: list if f.kind in LIST_KINDS else dt.date.isoformat for f in FIELDS if f.kind in LIST_KINDS | {DATE}}


def values_from_json(data: dict[str, Any]) -> dict[str, Any]:
    return {name: from_json(name, value) for name, value in data.items() if name in FIELD_BY_NAME}
