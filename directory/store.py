"""What an entry is made of in the database, and the rules every entry write meets.

The unit of work (directory/unit_of_work.py) is the one door for every write; it
uses these to turn rows into `fields.Entry` records and back: `row_to_entry` and
`entries_query` (the bulk read), `normalise_values` (the store-side normal form),
`checked_update` and `field_problems` (the rules every create and update meets),
and `revision_record` (a revision as callers see it). Nothing here opens a
transaction.

The exceptions moved to directory/errors.py; they are re-exported here only for
older imports.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from directory import fields as F
from directory.models import Contact, EntryRow, Location, Organisation, Revision
from directory.validation import Problem, ValidationError, check_entry, parse_cell

LOCATION_FIELDS = ("address", "postcode", "latitude", "longitude")
SPOC_FIELDS = {"contact_name": "name", "contact_role": "role", "contact_email": "email", "contact_phone": "phone"}
ENTRY_COLUMNS = tuple(n for n in F.COLUMNS if n not in LOCATION_FIELDS and n not in SPOC_FIELDS and n not in ("id", "organisation"))


@dataclass(frozen=True)
class Change:
    """One field's change in one revision."""

    version: int
    action: str
    author: str
    at: dt.datetime
    old: Any
    new: Any


@dataclass(frozen=True)
class RevisionRecord:
    entry_id: str
    version: int
    action: str
    author: str
    at: dt.datetime
    changes: dict[str, tuple[Any, Any]]
    snapshot: dict[str, Any]
    note: str | None


def organisation_key(name: str) -> str:
    return " ".join(name.casefold().split())


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


def row_to_entry(row: EntryRow) -> F.Entry:
    values: dict[str, Any] = {name: getattr(row, name) for name in ENTRY_COLUMNS}
    for name in _LIST_COLUMNS:
        values[name] = tuple(values[name] or ())
    location, spoc = row.location, row.spoc
    for name in LOCATION_FIELDS:
        values[name] = getattr(location, name) if location else None
    for name, attribute in SPOC_FIELDS.items():
        values[name] = getattr(spoc, attribute) if spoc else None
    return F.Entry(
        id=row.id,
        organisation=row.organisation.name,
        **values,
        version=row.version,
        archived=row.archived,
        last_verified_by=row.last_verified_by,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
        merged_into=row.merged_into,
    )


def entries_query():
    """Every entry with its organisation, place and SPOC as one row: the bulk read path."""
    spoc = aliased(Contact)
    return (
        select(
            *(getattr(EntryRow, n) for n in ENTRY_COLUMNS),
            EntryRow.id, EntryRow.version, EntryRow.archived, EntryRow.last_verified_by, EntryRow.updated_at,
            EntryRow.updated_by, EntryRow.merged_into, Organisation.name.label("organisation"),
            *(getattr(Location, n) for n in LOCATION_FIELDS),
            *(getattr(spoc, attribute).label(name) for name, attribute in SPOC_FIELDS.items()),
        )
        .join(Organisation, Organisation.id == EntryRow.organisation_id)
        .outerjoin(Location, Location.entry_id == EntryRow.id)
        .outerjoin(spoc, (spoc.entry_id == EntryRow.id) & spoc.is_spoc)
        .order_by(EntryRow.id)
    )


_LIST_COLUMNS = tuple(n for n in ENTRY_COLUMNS if F.FIELD_BY_NAME[n].kind in F.LIST_KINDS)


def entry_from_mapping(row) -> F.Entry:
    values = dict(row)
    for name in _LIST_COLUMNS:
        values[name] = tuple(values[name] or ())
    values["updated_at"] = as_utc(values["updated_at"])
    return F.Entry(**values)


def normalise_values(values: dict[str, Any]) -> dict[str, Any]:
    """Store-side normal form: positions to 6 decimals (~0.1 m) so exports round-trip exactly; no text
    keeps a bidirectional control (fields.without_bidi_controls), whichever way it came in."""
    result = dict(values)
    for name, value in result.items():
        if isinstance(value, str):
            result[name] = F.without_bidi_controls(value)
        elif isinstance(value, (list, tuple)) and any(isinstance(item, str) for item in value):
            result[name] = type(value)(F.without_bidi_controls(item) if isinstance(item, str) else item
                                       for item in value)
    for name in ("latitude", "longitude"):
        if result.get(name) is not None:
            result[name] = round(float(result[name]), 6)
    for name in F.COLUMNS:
        if name in result and F.FIELD_BY_NAME[name].kind in F.LIST_KINDS and result[name] is not None:
            result[name] = tuple(result[name])
        if name in result and isinstance(result[name], str) and F.FIELD_BY_NAME[name].kind != F.TEXT:
            result[name] = result[name] or None
    return result


def field_problems(values: dict[str, Any]) -> list[Problem]:
    """Each typed value checked by the same rules as spreadsheet cells, so no edge can save an invalid field."""
    problems = []
    for name, value in values.items():
        if name in F.FIELD_BY_NAME and value not in (None, ()):
            try:
                parse_cell(name, F.format_cell(name, value))
            except ValidationError as invalid:
                problems.extend(invalid.problems)
    return problems


def new_entry_id() -> str:
    return uuid.uuid4().hex[:12]


def with_position(changes: dict[str, Any], base: dict[str, Any], locate) -> dict[str, Any]:
    """`changes` to an entry (`base`) with the position their postcode gives: the one rule for placing an
    entry, whichever way it is changed. A new postcode without a new position takes the postcode's; a
    postcode given again for an entry with no position places it; a position given wins; a cleared
    postcode clears the position. `locate(postcode)` raises ValueError (saying why) for one it cannot place."""
    if "postcode" not in changes or "latitude" in changes or "longitude" in changes:
        return changes
    postcode = changes["postcode"]
    if not postcode:
        return changes | {"latitude": None, "longitude": None}
    if (postcode == base.get("postcode") and base.get("latitude") is not None) or locate is None:
        return changes
    latitude, longitude = locate(postcode)
    return changes | {"latitude": latitude, "longitude": longitude}


def checked_update(before: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The entry's values after `changes` (normalised), or ValidationError: the rules every update meets."""
    merged = before | changes
    problems = field_problems({n: v for n, v in changes.items() if before.get(n) != v})
    problems += check_entry(merged, creating=False)
    if problems:
        raise ValidationError(problems)
    return merged


def revision_record(revision: Revision) -> RevisionRecord:
    def typed(name, value):
        # None stays None: "was not set" reads better in a history than a field's empty default.
        return F.from_json(name, value) if name in F.FIELD_BY_NAME and value is not None else value

    return RevisionRecord(
        entry_id=revision.entry_id,
        version=revision.version,
        action=revision.action,
        author=revision.author,
        at=as_utc(revision.at),
        changes={n: (typed(n, old), typed(n, new)) for n, (old, new) in revision.changes.items()},
        snapshot=F.values_from_json(revision.snapshot),
        note=revision.note,
    )
