"""Entries as read inside a unit of work (entries are written by the unit of work itself), and the
directory's shared state: the change counter and the demo flag."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import delete, func, select, update

from directory import fields as F
from directory.errors import NotFound
from directory.models import Client, DirectoryState, EntryChange, EntryRow, Location, Organisation, Revision, User
from directory.repositories.base import Repository
from directory.repositories.bulk import insert_rows, one_of
from directory.store import (
    Change,
    RevisionRecord,
    as_utc,
    entries_query,
    entry_from_mapping,
    revision_record,
    row_to_entry,
)


# Values many entries repeat (an organisation's name, a category, a schedule, a set of stages): read once per
# load and shared by every entry holding them, not held once per entry (at 300,000 entries, tens of MB).
_SHARED_VALUES = ("organisation", "category", "schedule", "cost", "sector", "referral", "accepts_convictions",
                  "dbs_check", "mentoring_role", "contact_role", "postcode", "address", "updated_by",
                  "last_verified_by", "url", "email", "phone", "accessibility", "last_verified", "start_date",
                  "end_date", "latitude", "longitude")
_LIST_FIELDS = tuple(n for n in F.COLUMNS if F.FIELD_BY_NAME[n].kind in F.LIST_KINDS)


def _entry(row, shared: dict) -> F.Entry:
    """entry_from_mapping, with repeated values shared through `shared` (one dict per load)."""
    values = dict(row)
    for name in _SHARED_VALUES:
        value = values[name]
        if value is not None:
            values[name] = shared.setdefault(value, value)
    for name in _LIST_FIELDS:
        if values[name]:
            value = tuple(shared.setdefault(item, item) for item in values[name])  # each tag held once, too
            values[name] = shared.setdefault(value, value)
    if values["updated_at"] is not None:  # an import's or a bulk edit's entries share their moment
        values["updated_at"] = shared.setdefault(values["updated_at"], as_utc(values["updated_at"]))
    return F.share_traits(entry_from_mapping(values), shared)


# Ids per IN (...) list: well under both databases' limits on values in one statement.
ID_CHUNK = 5_000
# How many counters of the change log are kept: a process that has not looked at the directory for this many
# writes rebuilds its indexes instead of catching up (rows are pruned every PRUNE_EVERY writes).
CHANGE_LOG_KEEP = 20_000
PRUNE_EVERY = 500


class EntryRepository(Repository):
    def row(self, entry_id: str, *, lock: bool = False) -> EntryRow | None:
        """The entry's row; `lock`: FOR UPDATE on PostgreSQL (SQLite's writer holds the write lock already)."""
        query = select(EntryRow).where(EntryRow.id == entry_id)
        if lock:
            query = query.with_for_update(of=EntryRow)
        return self._session.scalars(query).unique().one_or_none()

    def get(self, entry_id: str) -> F.Entry:
        row = self.row(entry_id)
        if row is None:
            raise NotFound(f"no entry with id '{entry_id}'")
        return row_to_entry(row)

    def exists(self, entry_id: str) -> bool:
        return self._session.scalar(select(EntryRow.id).where(EntryRow.id == entry_id)) is not None

    def taken_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` some entry has."""
        ids = list(ids)
        taken: set[str] = set()
        for start in range(0, len(ids), ID_CHUNK):  # under both databases' bound-parameter limits at any size
            taken.update(self._session.scalars(select(EntryRow.id).where(one_of(self._session, EntryRow.id,
                                                                                ids[start:start + ID_CHUNK]))))
        return taken

    def all(self, *, include_archived: bool = False, ids: list[str] | None = None) -> list[F.Entry]:
        """All entries (or those with `ids`) in id order, in one joined query: fast enough for 50,000."""
        query = entries_query()
        if not include_archived:
            query = query.where(EntryRow.archived.is_(False))
        shared: dict = {}
        if ids is None:
            # Core rows on the session's connection: no ORM objects for 50,000 entries.
            return [_entry(row, shared) for row in self._session.connection().execute(query).mappings()]
        ids = sorted(set(ids))
        found = []
        # In chunks: one statement takes at most 65,535 values on PostgreSQL (32,766 on SQLite).
        for start in range(0, len(ids), ID_CHUNK):
            chunk = query.where(EntryRow.id.in_(ids[start:start + ID_CHUNK]))
            found.extend(_entry(row, shared) for row in self._session.connection().execute(chunk).mappings())
        return sorted(found, key=lambda e: e.id) if len(ids) > ID_CHUNK else found

    def ids_of_organisations(self, organisation_ids: Iterable[int]) -> list[str]:
        """The ids of every entry these organisations run (archived ones too)."""
        organisation_ids = list(organisation_ids)
        if not organisation_ids:
            return []
        return list(self._session.scalars(select(EntryRow.id).where(EntryRow.organisation_id.in_(organisation_ids))))

    def places(self) -> list[tuple[str, int, bool, str, str, float | None, float | None]]:
        """(id, version, archived, name, organisation, latitude, longitude) of every entry."""
        query = (
            select(EntryRow.id, EntryRow.version, EntryRow.archived, EntryRow.name, Organisation.name,
                   Location.latitude, Location.longitude)
            .join(Organisation, Organisation.id == EntryRow.organisation_id)
            .outerjoin(Location, Location.entry_id == EntryRow.id)
        )
        return [tuple(row) for row in self._session.connection().execute(query)]

    def count(self, *, include_archived: bool = False) -> int:
        query = select(func.count()).select_from(EntryRow)
        if not include_archived:
            query = query.where(EntryRow.archived.is_(False))
        return self._session.scalar(query)

    def history(self, entry_id: str) -> list[RevisionRecord]:
        """Newest first."""
        revisions = self._session.scalars(
            select(Revision).where(Revision.entry_id == entry_id).order_by(Revision.version.desc())
        ).all()
        if not revisions and self._session.get(EntryRow, entry_id) is None:
            raise NotFound(f"no entry with id '{entry_id}'")
        return [revision_record(r) for r in revisions]

    def revision(self, entry_id: str, version: int) -> Revision | None:
        return self._session.scalar(select(Revision).where(Revision.entry_id == entry_id, Revision.version == version))

    def changes_since(self, entry_id: str, version: int) -> dict[str, list[Change]]:
        """Each field changed by the revisions after `version`, with who changed it, oldest first."""
        revisions = self._session.scalars(
            select(Revision).where(Revision.entry_id == entry_id, Revision.version > version).order_by(Revision.version)
        )
        changed: dict[str, list[Change]] = {}
        for revision in revisions:
            for name, (old, new) in revision.changes.items():
                changed.setdefault(name, []).append(
                    Change(revision.version, revision.action, revision.author, as_utc(revision.at), old, new)
                )
        return changed

    def last_touches(self) -> list[tuple[str, str, str, dt.datetime]]:
        """(entry id, author, action, at) of each entry's newest revision."""
        newest = (
            select(Revision.entry_id, func.max(Revision.version).label("version"))
            .group_by(Revision.entry_id).subquery()
        )
        query = select(Revision.entry_id, Revision.author, Revision.action, Revision.at).join(
            newest, (Revision.entry_id == newest.c.entry_id) & (Revision.version == newest.c.version)
        )
        return [tuple(row) for row in self._session.execute(query)]

    def freshness_changes(self) -> list[tuple[str, int, dt.datetime, list | None, list | None]]:
        """(entry id, version, at, last_verified change, archived change) of every revision.

        Only the two changes, extracted by the database: decoding every revision's whole change set
        (an import's first revision holds every field) would take seconds at 50,000 entries."""
        query = select(Revision.entry_id, Revision.version, Revision.at,
                       Revision.changes["last_verified"], Revision.changes["archived"])
        return self._session.execute(query).all()

    def merged_into(self) -> dict[str, str]:
        """Every merged-away entry -> the entry it was merged into."""
        return dict(self._session.execute(
            select(EntryRow.id, EntryRow.merged_into).where(EntryRow.merged_into.is_not(None))).all())


class DirectoryStateRepository(Repository):
    def change_counter(self) -> int:
        return self._session.scalar(select(DirectoryState.change_counter).where(DirectoryState.id == 1)) or 0

    def count_change(self, changed_entries: Iterable[str] = (), *, profiles_changed: bool = False) -> int:
        """Move the counter every app process compares with its caches' (and the profile counter when
        `profiles_changed`), and log `changed_entries` under the new counter (the same transaction); the new
        counter. Every PRUNE_EVERY writes the log is cut to its last CHANGE_LOG_KEEP counters. On PostgreSQL the
        UPDATE holds the state row until commit, so writers take counters in the order they commit and a reader
        who sees a counter sees every change up to it."""
        moved = {"change_counter": DirectoryState.change_counter + 1}
        if profiles_changed:
            moved["profile_counter"] = DirectoryState.profile_counter + 1
        counter = self._session.execute(
            update(DirectoryState).where(DirectoryState.id == 1).values(**moved).returning(DirectoryState.change_counter)
        ).scalar_one()
        changed = sorted(set(changed_entries))
        insert_rows(self._session, EntryChange.__table__,
                    [{"counter": counter, "entry_id": entry_id} for entry_id in changed])
        if counter % PRUNE_EVERY == 0:
            self.prune_change_log(counter - CHANGE_LOG_KEEP)
        return counter

    def profile_counter(self) -> int:
        """Moves with every write that changes an organisation's profile (read before the profiles: a profile
        committed in between then makes the next look read them again, never keeps the old ones)."""
        return self._session.scalar(select(DirectoryState.profile_counter).where(DirectoryState.id == 1)) or 0

    def prune_change_log(self, up_to: int) -> None:
        """Forget the changes at counters up to `up_to`: a process whose indexes are older rebuilds them."""
        if up_to <= 0:
            return
        self._session.execute(delete(EntryChange).where(EntryChange.counter <= up_to))
        self._session.execute(update(DirectoryState).where(DirectoryState.id == 1, DirectoryState.changes_kept_from < up_to)
                              .values(changes_kept_from=up_to))

    def log_state(self) -> tuple[int, int]:
        """(change counter, the counter from which the change log is complete)."""
        row = self._session.execute(select(DirectoryState.change_counter, DirectoryState.changes_kept_from)
                                    .where(DirectoryState.id == 1)).one_or_none()
        return (row[0], row[1]) if row else (0, 0)

    def changed_since(self, counter: int, until: int) -> list[str]:
        """The ids of the entries changed after `counter` up to `until` (each once, in id order)."""
        return list(self._session.scalars(
            select(EntryChange.entry_id).where(EntryChange.counter > counter, EntryChange.counter <= until)
            .distinct().order_by(EntryChange.entry_id)))

    def changes(self) -> list[tuple[int, str]]:
        """Every (counter, entry id) the log holds, oldest first: for tests and inspection."""
        return [tuple(row) for row in self._session.execute(
            select(EntryChange.counter, EntryChange.entry_id).order_by(EntryChange.counter, EntryChange.entry_id))]

    def move_counter_past(self, counter: int) -> None:
        """Set the counter above both its value and `counter`: after a restore brought back an older counter,
        every app process still sees that it moved and rebuilds its caches."""
        self._session.execute(update(DirectoryState).where(DirectoryState.id == 1).values(
            change_counter=func.max(DirectoryState.change_counter, counter) + 1
            if self._session.get_bind().dialect.name == "sqlite"
            else func.greatest(DirectoryState.change_counter, counter) + 1))
        # The restored log is not the history of what app processes hold: every process rebuilds (the log's rows,
        # all at counters before this one, are kept as the backup had them until pruned).
        self._session.execute(update(DirectoryState).where(DirectoryState.id == 1)
                              .values(changes_kept_from=DirectoryState.change_counter))

    def counts(self) -> dict[str, int]:
        """How many entries (archived ones too), revisions, people, organisations and client records are held:
        what a backup or a restore reports."""
        models = {"entries": EntryRow, "revisions": Revision, "people": User, "organisations": Organisation,
                  "client records": Client}
        return {name: self._session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in models.items()}

    def is_demo(self) -> bool:
        return bool(self._session.scalar(select(DirectoryState.demo).where(DirectoryState.id == 1)))

    def set_demo(self, demo: bool) -> None:
        self._session.execute(update(DirectoryState).where(DirectoryState.id == 1).values(demo=demo))
