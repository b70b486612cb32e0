"""The one write path: a unit of work that rolls back unless committed.

Every create, update, verify, archive, restore, import and merge writes the
entry and a revision (who, when, which fields changed from what to what, and a
snapshot) in the same transaction, and moves the directory's change counter so
every app process knows its caches are stale.

Joint editing is safe by optimistic concurrency: an update names the version it
was based on; if someone saved in between, it is refused with a `ConflictError`
naming what they changed, and nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any, Iterable

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from directory import fields as F
from directory.models import (
    Contact,
    DirectoryState,
    EntryRow,
    Location,
    Organisation,
    Revision,
    SessionRow,
    User,
    utcnow,
)
from directory.schedule import parse_schedule
from directory.validation import Problem, ValidationError, check_entry, parse_cell

LOCATION_FIELDS = ("address", "postcode", "latitude", "longitude")
SPOC_FIELDS = {"contact_name": "name", "contact_role": "role", "contact_email": "email", "contact_phone": "phone"}
ENTRY_COLUMNS = tuple(n for n in F.COLUMNS if n not in LOCATION_FIELDS and n not in SPOC_FIELDS and n not in ("id", "organisation"))
EDIT_ROLES = frozenset({"editor", "coordinator"})


class DirectoryError(Exception):
    """A refusal with a plain-English message for the person who asked."""


class NotFound(DirectoryError):
    pass


class NotAllowed(DirectoryError):
    pass


@dataclass(frozen=True)
class Change:
    """One field's change in one revision."""

    version: int
    action: str
    author: str
    at: dt.datetime
    old: Any
    new: Any


class ConflictError(DirectoryError):
    """Someone saved the entry after the version the update was based on."""

    def __init__(self, entry_id: str, based_on: int, current: F.Entry, their_changes: dict[str, list[Change]]):
        self.entry_id = entry_id
        self.based_on = based_on
        self.current = current
        self.their_changes = their_changes
        super().__init__(self.describe())

    def describe(self, name_of=lambda username: username,
                 next_step: str = "compare their changes with yours and save again.") -> str:
        """Who saved since, and what they changed, in words: `name_of` turns a username into a person's name."""
        authors = sorted({name_of(c.author) for changes in self.their_changes.values() for c in changes})
        changed = ", ".join(F.FIELD_BY_NAME[n].label.lower() if n in F.FIELD_BY_NAME else n.replace("_", " ")
                            for n in self.fields)
        return (f"{' and '.join(authors) or 'Someone'} saved this entry after you opened it "
                f"(they changed: {changed or 'nothing you can see'}). Nothing was overwritten: {next_step}")

    @property
    def fields(self) -> list[str]:
        return sorted(self.their_changes)


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
    for name in ("delivery", "stages", "continuum_steps", "eligible_benefits", "format", "languages", "tags"):
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


def checked_update(before: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The entry's values after `changes` (normalised), or ValidationError: the rules every update meets."""
    merged = before | changes
    problems = field_problems({n: v for n, v in changes.items() if before.get(n) != v})
    problems += check_entry(merged, creating=False)
    if problems:
        raise ValidationError(problems)
    return merged


class UnitOfWork:
    """One transaction on the write path. Use as a context manager; call `commit()` to keep the work."""

    def __init__(self, write_engine: Engine, locate_postcode=None):
        self._engine = write_engine
        self._locate_postcode = locate_postcode
        self.session: Session | None = None
        self._committed = False
        self._touched = False
        self._authors: dict[str, User] = {}
        self._organisations: dict[str, Organisation] | None = None

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self._engine, expire_on_commit=False, autoflush=False)
        self.session.begin()
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        if self._touched:
            self.session.execute(
                update(DirectoryState).where(DirectoryState.id == 1)
                .values(change_counter=DirectoryState.change_counter + 1)
            )
        self.session.commit()
        self._committed = True

    # -- authors and organisations -------------------------------------------------

    def author(self, username: str) -> User:
        if username not in self._authors:
            user = self.session.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise NotAllowed(f"unknown user '{username}': sign in, or create the account first")
            if user.role not in EDIT_ROLES:
                raise NotAllowed(f"{user.display_name} can view the directory but not change it: ask a coordinator for editor access")
            self._authors[username] = user
        return self._authors[username]

    def organisation(self, name: str) -> Organisation:
        key = organisation_key(name)
        organisations = self._known_organisations()
        if key not in organisations:
            self.ensure_organisations([name])
        return organisations[key]

    def ensure_organisations(self, names) -> None:
        """Create any of these organisations that do not exist yet, in one statement."""
        organisations = self._known_organisations()
        missing = {organisation_key(n): " ".join(n.split()) for n in names if n and organisation_key(n) not in organisations}
        if not missing:
            return
        # Two writers may create the same organisation at once (PostgreSQL): let the database decide.
        dialect = self.session.get_bind().dialect.name
        insert_ignoring_conflicts = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        self.session.execute(
            insert_ignoring_conflicts(Organisation).values([{"name": n, "name_key": k, "created_at": now} for k, n in missing.items()])
            .on_conflict_do_nothing(index_elements=["name_key"])
        )
        for organisation in self.session.scalars(select(Organisation).where(Organisation.name_key.in_(list(missing)))):
            organisations[organisation.name_key] = organisation

    def _known_organisations(self) -> dict[str, Organisation]:
        if self._organisations is None:
            # One query for all of them: an import may name thousands.
            self._organisations = {o.name_key: o for o in self.session.scalars(select(Organisation))}
        return self._organisations

    # -- reading inside the transaction ---------------------------------------------

    def _row(self, entry_id: str, *, lock: bool = True) -> EntryRow:
        query = select(EntryRow).where(EntryRow.id == entry_id)
        if lock:
            # FOR UPDATE on PostgreSQL; SQLite already holds the write lock (BEGIN IMMEDIATE).
            query = query.with_for_update(of=EntryRow)
        row = self.session.scalars(query).unique().one_or_none()
        if row is None:
            raise NotFound(f"no entry with id '{entry_id}'")
        return row

    def get(self, entry_id: str) -> F.Entry:
        return row_to_entry(self._row(entry_id, lock=False))

    def exists(self, entry_id: str) -> bool:
        return self.session.scalar(select(EntryRow.id).where(EntryRow.id == entry_id)) is not None

    # -- writing -------------------------------------------------------------------

    def create(self, values: dict[str, Any], author: str, *, action: str = "create", note: str | None = None) -> F.Entry:
        return self.create_many([values], author, action=action, note=note)[0]

    def create_many(
        self, items: list[dict[str, Any]], author: str, *, action: str = "create", note: str | None = None,
        checked: bool = False,
    ) -> list[F.Entry]:
        """New entries, each with its first revision, written with bulk inserts (an import may bring thousands).

        `checked`: the caller (the importer) has already parsed every field and made sure the ids are new.
        """
        user = self.author(author)
        now = utcnow()
        prepared = []
        for values in items:
            values = normalise_values(self._with_position(values, values))
            merged = {name: F.empty_value(name) for name in F.COLUMNS} | values
            merged["id"] = values.get("id") or new_entry_id()
            problems = [] if checked else field_problems(values)
            problems += check_entry(merged, creating=True)
            if problems:
                raise ValidationError(problems)
            prepared.append(merged)
        given = [v["id"] for v, original in zip(prepared, items) if original.get("id")]
        if given and not checked:
            taken = set(self.session.scalars(select(EntryRow.id).where(EntryRow.id.in_(given))))
            if taken:
                first = sorted(taken)[0]
                raise ValidationError([Problem("id", first, f"an entry with id '{first}' exists already")])
        self.ensure_organisations({v["organisation"] for v in prepared})
        tables: dict[type, list[dict]] = {EntryRow: [], Location: [], Contact: [], SessionRow: [], Revision: []}
        for values in prepared:
            self._rows_for_new_entry(values, user, action, note, now, tables)
        for model, rows in tables.items():
            if rows:
                self.session.execute(insert(model), rows)
        self._touched = True
        return [F.Entry(**v, version=1, updated_at=now, updated_by=user.username) for v in prepared]

    def _rows_for_new_entry(self, values, user, action, note, now, tables) -> None:
        entry_id = values["id"]
        organisation = self.organisation(values["organisation"])
        row = {name: (list(values[name]) if F.FIELD_BY_NAME[name].kind in F.LIST_KINDS else values[name])
               for name in ENTRY_COLUMNS}
        tables[EntryRow].append(row | {
            "id": entry_id, "organisation_id": organisation.id, "version": 1, "archived": False,
            "merged_into": None, "last_verified_by": None, "created_at": now, "updated_at": now,
            "updated_by": user.username,
        })
        location = {n: values[n] for n in LOCATION_FIELDS}
        if any(v is not None for v in location.values()):
            tables[Location].append(location | {"entry_id": entry_id})
        spoc = {attribute: values[name] for name, attribute in SPOC_FIELDS.items()}
        if any(v is not None for v in spoc.values()):
            tables[Contact].append(spoc | {"entry_id": entry_id, "organisation_id": organisation.id, "is_spoc": True})
        tables[SessionRow].extend({"entry_id": entry_id, "day": s.day, "start": s.start, "end": s.end}
                                  for s in parse_schedule(values["schedule"]))
        changes = {n: [None, F.to_json(n, v)] for n, v in values.items() if n != "id" and v not in (None, ())}
        tables[Revision].append({
            "entry_id": entry_id, "version": 1, "action": action, "author": user.username, "at": now,
            "changes": changes, "snapshot": F.values_to_json(values), "note": note,
        })

    def update(
        self, entry_id: str, changes: dict[str, Any], based_on_version: int, author: str,
        *, action: str = "update", note: str | None = None,
    ) -> F.Entry:
        """Apply `changes` if nobody saved since `based_on_version`; returns the entry as stored."""
        user = self.author(author)
        row = self._row(entry_id)
        current = row_to_entry(row)
        if row.version != based_on_version:
            raise ConflictError(entry_id, based_on_version, current, self._changes_since(entry_id, based_on_version))
        unknown = set(changes) - set(F.EDITABLE)
        if unknown:
            raise ValidationError([Problem(n, "", f"'{n}' is not a field of an entry") for n in sorted(unknown)])
        changes = normalise_values(self._with_position(changes, current.values()))
        before = current.values()
        merged = checked_update(before, changes)
        diff = {n: [F.to_json(n, before[n]), F.to_json(n, merged[n])] for n in F.EDITABLE if before[n] != merged[n]}
        if not diff:
            return current
        now = utcnow()
        self._apply(row, merged)
        row.version += 1
        row.updated_at, row.updated_by = now, user.username
        self._record(row, row.version, action, user, diff, merged, note, now)
        self._touched = True
        return row_to_entry(row)

    def verify(self, entry_id: str, author: str, on: dt.date | None = None, note: str | None = None) -> F.Entry:
        """Record that `author` confirmed the entry is still correct. Not an edit: no version is needed."""
        user = self.author(author)
        row = self._row(entry_id)
        on = on or dt.date.today()
        now = utcnow()
        changes = {"last_verified": [F.to_json("last_verified", row.last_verified), on.isoformat()]}
        if row.last_verified_by != user.username:
            changes["last_verified_by"] = [row.last_verified_by, user.username]
        row.last_verified, row.last_verified_by = on, user.username
        row.version += 1
        row.updated_at = now
        self._record(row, row.version, "verify", user, changes, row_to_entry(row).values(), note, now)
        self._touched = True
        return row_to_entry(row)

    def archive(self, entry_id: str, author: str, reason: str | None = None, *, merged_into: str | None = None) -> F.Entry:
        return self._set_archived(entry_id, author, True, "merge" if merged_into else "archive", reason, merged_into)

    def unarchive(self, entry_id: str, author: str, reason: str | None = None) -> F.Entry:
        return self._set_archived(entry_id, author, False, "restore", reason, None)

    def record_merge(self, survivor_id: str, author: str, note: str) -> F.Entry:
        """A "merge" revision on the survivor even when it took no fields, so its history says what joined it."""
        user = self.author(author)
        row = self._row(survivor_id)
        now = utcnow()
        row.version += 1
        row.updated_at, row.updated_by = now, user.username
        self._record(row, row.version, "merge", user, {}, row_to_entry(row).values(), note, now)
        self._touched = True
        return row_to_entry(row)

    def restore_version(self, entry_id: str, version: int, based_on_version: int, author: str) -> F.Entry:
        """Bring back the fields as they were at `version`; itself a new revision."""
        revision = self.session.scalar(
            select(Revision).where(Revision.entry_id == entry_id, Revision.version == version)
        )
        if revision is None:
            raise NotFound(f"entry '{entry_id}' has no version {version}")
        old = F.values_from_json(revision.snapshot)
        old.pop("id", None)
        return self.update(entry_id, old, based_on_version, author, action="restore", note=f"restored version {version}")

    # -- internals -----------------------------------------------------------------

    def _set_archived(self, entry_id, author, archived, action, note, merged_into) -> F.Entry:
        user = self.author(author)
        row = self._row(entry_id)
        if row.archived == archived:
            return row_to_entry(row)
        now = utcnow()
        changes: dict[str, list] = {"archived": [row.archived, archived]}
        if merged_into is not None or row.merged_into is not None:
            changes["merged_into"] = [row.merged_into, merged_into]
        row.archived, row.merged_into = archived, merged_into
        row.version += 1
        row.updated_at, row.updated_by = now, user.username
        self._record(row, row.version, action, user, changes, row_to_entry(row).values(), note, now)
        self._touched = True
        return row_to_entry(row)

    def _with_position(self, changes: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        """A new postcode without a new position takes the postcode's position."""
        if "postcode" not in changes or "latitude" in changes or "longitude" in changes:
            return changes
        postcode = changes["postcode"]
        if not postcode:
            return changes | {"latitude": None, "longitude": None}
        if postcode == base.get("postcode") and base.get("latitude") is not None:
            return changes
        if self._locate_postcode is None:
            return changes
        try:
            latitude, longitude = self._locate_postcode(postcode)
        except ValueError as error:
            raise ValidationError([Problem("postcode", postcode, str(error))]) from None
        return changes | {"latitude": latitude, "longitude": longitude}

    def _apply(self, row: EntryRow, values: dict[str, Any]) -> None:
        organisation = self.organisation(values["organisation"])
        row.organisation_id = organisation.id
        row.organisation = organisation
        for name in ENTRY_COLUMNS:
            value = values[name]
            setattr(row, name, list(value) if F.FIELD_BY_NAME[name].kind in F.LIST_KINDS else value)
        location = {n: values[n] for n in LOCATION_FIELDS}
        if any(v is not None for v in location.values()):
            if row.location is None:
                row.location = Location(**location)
            else:
                for name, value in location.items():
                    setattr(row.location, name, value)
        elif row.location is not None:
            row.location = None
        spoc = {attribute: values[name] for name, attribute in SPOC_FIELDS.items()}
        if any(v is not None for v in spoc.values()):
            if row.spoc is None:
                row.spoc = Contact(organisation_id=organisation.id, is_spoc=True, **spoc)
            else:
                for attribute, value in spoc.items():
                    setattr(row.spoc, attribute, value)
                row.spoc.organisation_id = organisation.id
        elif row.spoc is not None:
            row.spoc = None
        row.sessions = [SessionRow(day=s.day, start=s.start, end=s.end) for s in parse_schedule(values["schedule"])]

    def _record(self, row: EntryRow, version: int, action: str, user: User, changes: dict,
                values: dict[str, Any], note: str | None, at: dt.datetime) -> None:
        self.session.add(Revision(
            entry=row, version=version, action=action, author=user.username,
            at=at, changes=changes, snapshot=F.values_to_json(values), note=note,
        ))

    def _changes_since(self, entry_id: str, version: int) -> dict[str, list[Change]]:
        revisions = self.session.scalars(
            select(Revision).where(Revision.entry_id == entry_id, Revision.version > version).order_by(Revision.version)
        )
        changed: dict[str, list[Change]] = {}
        for revision in revisions:
            for name, (old, new) in revision.changes.items():
                changed.setdefault(name, []).append(
                    Change(revision.version, revision.action, revision.author, as_utc(revision.at), old, new)
                )
        return changed


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


def entries_from_rows(rows: Iterable[EntryRow]) -> list[F.Entry]:
    return [row_to_entry(row) for row in rows]


def with_updates(entry: F.Entry, **changes: Any) -> F.Entry:
    return replace(entry, **changes)
