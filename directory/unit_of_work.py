"""The one door for every write: a unit of work that rolls back unless committed, and its repositories.

Nothing outside this module and directory/repositories/ holds a database session.
Domain modules (accounts, clients, health, unmet, the importer, the API) open a
unit of work through the `Directory` facade and call its repositories, which hold
the queries; the rules (roles, consent, the record holder, throttling, the access
log) stay in the domain modules:

    with directory.unit_of_work() as uow:      # writing: the write lock at BEGIN on SQLite
        user = uow.accounts.get("kim")
        ...
        uow.commit()
    with directory.reader() as uow:            # reading: no write lock, cannot commit
        entry = uow.entries.get("abc123")

Repositories: `entries` (entry reads: rows, history, places), `state` (the change
counter and demo flag), `accounts`, `sign_in_sessions`, `sign_in_throttle`,
`clients` (records, consents, plan actions, reviews, access log), `feedback`,
`verification_requests`, `duplicate_decisions`, `unmet_needs`, `organisations`,
`password_links`, `admin_audit`, `access_requests`, `referrals` (referrals, their
consents and status events), `settings` (partnership settings such as the no-answer time), `harvest`
(an Open Referral harvest's conflicts and the areas entries serve).

Entries themselves are written by the unit of work's own methods: every create,
update, verify, archive, restore, import and merge writes the entry and a revision
(who, when, which fields changed from what to what, and a snapshot) in the same
transaction, and moves the directory's change counter so every app process knows
its caches are stale, logging which entries changed under the new counter (the change log each process
catches up from: Directory.search_index). Joint editing is safe by optimistic concurrency: an update
names the version it was based on; if someone saved in between, it is refused with
a `ConflictError` naming what they changed, and nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Engine, String, bindparam, event, func, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from directory import fields as F
from directory.accounts import can_edit
from directory.errors import ConflictError, NotAllowed, NotFound
from directory.models import Contact, EntryRow, Location, Organisation, Revision, SessionRow, User, utcnow
from directory.repositories import (
    AccessRequestRepository,
    AdminAuditRepository,
    OrganisationRepository,
    PasswordLinkRepository,
    ReferralRepository,
    SettingRepository,
    AccountRepository,
    ClientRepository,
    DirectoryStateRepository,
    DuplicateDecisionRepository,
    EntryRepository,
    FeedbackRepository,
    HarvestRepository,
    SignInSessionRepository,
    SignInThrottleRepository,
    UnmetNeedRepository,
    VerificationRequestRepository,
)
from directory.repositories.bulk import insert_rows, one_of
from directory.schedule import parse_schedule
from directory.store import (
    ENTRY_COLUMNS,
    LOCATION_FIELDS,
    SPOC_FIELDS,
    field_problems,
    new_entry_id,
    checked_update,
    normalise_values,
    organisation_key,
    row_to_entry,
    with_position,
)
from directory.validation import Problem, ValidationError, check_entry


# Rows per multi-row statement: 5,000 rows of a few columns stay well under both databases' limits on
# values in one statement.
BULK_CHUNK_ROWS = 5_000
# An entry row's columns by kind (create_many).
_ENTRY_LIST_COLUMNS = tuple(n for n in ENTRY_COLUMNS if F.FIELD_BY_NAME[n].kind in F.LIST_KINDS)
_ENTRY_SCALAR_COLUMNS = tuple(n for n in ENTRY_COLUMNS if n not in _ENTRY_LIST_COLUMNS)


class UnitOfWork:
    """One transaction. Use as a context manager; call `commit()` to keep the work (else it is rolled back).

    Writing (`Directory.unit_of_work()`): on SQLite the write lock is taken at BEGIN. Reading
    (`Directory.reader()`, read_only=True): a plain transaction that takes no write lock and cannot commit.
    """

    def __init__(self, engine: Engine, locate_postcode=None, *, read_only: bool = False):
        self._engine = engine
        self._locate_postcode = locate_postcode
        self.read_only = read_only
        # The transaction's session: for this module, the repositories it hands out, and tests' own checks only.
        self.session: Session | None = None
        self._committed = False
        self._touched = False
        # What this transaction changed, for the change log every app process catches up from.
        self._changed_entries: set[str] = set()
        self._renamed_organisations: set[int] = set()
        self._profiles_changed = False  # an organisation's public profile (moves the profile counter too)
        self._authors: dict[str, User] = {}
        # name_key -> organisation id, as this transaction read them (ids only: an import names tens of thousands).
        self._organisations: dict[str, int] = {}

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self._engine, expire_on_commit=False, autoflush=False)
        self.session.begin()
        session = self.session
        if not self.read_only:
            event.listen(session, "before_flush", self._note_organisation_changes)
        self.entries = EntryRepository(session)
        self.state = DirectoryStateRepository(session)
        self.accounts = AccountRepository(session)
        self.sign_in_sessions = SignInSessionRepository(session)
        self.sign_in_throttle = SignInThrottleRepository(session)
        self.clients = ClientRepository(session)
        self.feedback = FeedbackRepository(session)
        self.verification_requests = VerificationRequestRepository(session)
        self.duplicate_decisions = DuplicateDecisionRepository(session)
        self.unmet_needs = UnmetNeedRepository(session)
        self.password_links = PasswordLinkRepository(session)
        self.admin_audit = AdminAuditRepository(session)
        self.access_requests = AccessRequestRepository(session)
        self.organisations = OrganisationRepository(session)
        self.referrals = ReferralRepository(session)
        self.settings = SettingRepository(session)
        self.harvest = HarvestRepository(session)
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed and not self.read_only:
            self.session.rollback()
        # Closing ends a reading transaction without expiring what it read: records built from it stay readable.
        self.session.close()

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a reading unit of work cannot commit: write through Directory.unit_of_work()")
        self._note_organisation_changes(self.session)
        if self._touched or self._profiles_changed:
            renamed = self.entries.ids_of_organisations(self._renamed_organisations)
            self.state.count_change(self._changed_entries.union(renamed), profiles_changed=self._profiles_changed)
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        """Undo everything so far; the unit of work stays open for new work (a new transaction)."""
        self.session.rollback()
        self._touched = False
        self._changed_entries.clear()
        self._renamed_organisations.clear()
        self._profiles_changed = False
        self._authors.clear()
        self._organisations = {}

    def directory_changed(self) -> None:
        """Something every app process shows with entries changed (an organisation's name or contact):
        committing moves the change counter, so their caches are rebuilt."""
        self._touched = True
        self._organisations = {}

    def _note_organisation_changes(self, session, *_) -> None:
        """Found before each flush, and at commit for what was not flushed: an organisation renamed changes the
        organisation every one of its entries shows; any organisation added, changed or removed, or its own
        contact, changes the profiles the read API shows (organisations added by a Core insert are noted by
        `ensure_organisations`)."""
        for instance in session.dirty:
            if isinstance(instance, Organisation):
                if inspect(instance).attrs.name.history.has_changes():
                    self._renamed_organisations.add(instance.id)
                if session.is_modified(instance, include_collections=False):
                    self._profiles_changed = True
            elif isinstance(instance, Contact) and instance.entry_id is None and session.is_modified(instance):
                self._profiles_changed = True
        for instance in (*session.new, *session.deleted):
            if isinstance(instance, Organisation) or (isinstance(instance, Contact) and instance.entry_id is None):
                self._profiles_changed = True

    def flush(self) -> None:
        """Send pending changes to the database now (they are still undone unless committed)."""
        self.session.flush()

    # -- authors and organisations -------------------------------------------------

    def author(self, username: str) -> User:
        if username not in self._authors:
            user = self.accounts.get(username)
            if user is None or not user.active:
                raise NotAllowed(f"unknown user '{username}': sign in, or create the account first")
            if not can_edit(user):
                raise NotAllowed(f"{user.display_name} can view the directory but not change it: ask a coordinator for editor access")
            self._authors[username] = user
        return self._authors[username]

    def organisation(self, name: str) -> Organisation:
        self.ensure_organisations([name])
        return self.session.get(Organisation, self._organisations[organisation_key(name)])

    def ensure_organisations(self, names) -> None:
        """Find these organisations, creating those that do not exist yet, in a statement or two a chunk. Only the
        organisations named are read: a directory may hold tens of thousands, and a write names one."""
        wanted = {organisation_key(n): " ".join(n.split()) for n in names if n}
        unknown = [k for k in wanted if k not in self._organisations]
        if not unknown:
            return
        # Two writers may create the same organisation at once (PostgreSQL): let the database decide.
        dialect = self.session.get_bind().dialect.name
        insert_ignoring_conflicts = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        # In chunks: one statement takes at most 65,535 values on PostgreSQL (32,766 on SQLite), and an import
        # may name tens of thousands of organisations.
        for start in range(0, len(unknown), BULK_CHUNK_ROWS):
            chunk = unknown[start:start + BULK_CHUNK_ROWS]
            self._read_organisations(chunk)
            missing = [k for k in chunk if k not in self._organisations]
            if missing:
                self._profiles_changed = True  # new organisations are new profiles
                inserting = insert_ignoring_conflicts(Organisation.__table__)
                if dialect == "postgresql":
                    # One statement whatever the number: the names and their keys as two arrays, unnested.
                    texts = postgresql.ARRAY(String)
                    given = select(func.unnest(bindparam("names", [wanted[k] for k in missing], type_=texts)),
                                   func.unnest(bindparam("keys", missing, type_=texts)),
                                   literal(now, DateTime(timezone=True)))
                    inserting, rows = inserting.from_select(["name", "name_key", "created_at"], given), None
                else:
                    # One statement run for many rows (compiled once, kept in SQLAlchemy's cache).
                    rows = [{"name": wanted[k], "name_key": k, "created_at": now} for k in missing]
                # The new ids come back; one another writer made meanwhile is read.
                created = self.session.execute(
                    inserting.on_conflict_do_nothing(index_elements=["name_key"])
                    .returning(Organisation.name_key, Organisation.id),
                    rows,
                ).all()
                self._organisations.update(created)
                self._read_organisations([k for k in missing if k not in self._organisations])

    def _read_organisations(self, keys: list[str]) -> None:
        if not keys:
            return
        query = select(Organisation.name_key, Organisation.id).where(one_of(self.session, Organisation.name_key, keys))
        self._organisations.update(self.session.execute(query).all())

    # -- reading inside the transaction ---------------------------------------------

    def _row(self, entry_id: str, *, lock: bool = True) -> EntryRow:
        row = self.entries.row(entry_id, lock=lock)
        if row is None:
            raise NotFound(f"no entry with id '{entry_id}'")
        return row

    def get(self, entry_id: str) -> F.Entry:
        return row_to_entry(self._row(entry_id, lock=False))

    def exists(self, entry_id: str) -> bool:
        return self.entries.exists(entry_id)

    # -- writing -------------------------------------------------------------------

    def create(self, values: dict[str, Any], author: str, *, action: str = "create", note: str | None = None) -> F.Entry:
        return self.create_many([values], author, action=action, note=note)[0]

    def create_many(
        self, items: list[dict[str, Any]], author: str, *, action: str = "create", note: str | None = None,
        checked: bool = False,
    ) -> list[F.Entry]:
        """New entries, each with its first revision, written with bulk inserts (an import may bring thousands).

        `checked`: the caller (the importer) has already done what is done here to each entry: parsed every
        field, placed it by its postcode, normalised the values and applied the whole-entry rules; and it has
        made sure the ids are new.
        """
        user = self.author(author)
        now = utcnow()
        prepared = []
        for values in items:
            if not checked:
                values = normalise_values(self._with_position(values, values))
            merged = F.EMPTY_ENTRY | values
            merged["id"] = values.get("id") or new_entry_id()
            if not checked:
                problems = field_problems(values) + check_entry(merged, creating=True)
                if problems:
                    raise ValidationError(problems)
            prepared.append(merged)
        given = [v["id"] for v, original in zip(prepared, items) if original.get("id")]
        if given and not checked:
            taken = self.entries.taken_ids(given)
            if taken:
                first = sorted(taken)[0]
                raise ValidationError([Problem("id", first, f"an entry with id '{first}' exists already")])
        self.ensure_organisations({v["organisation"] for v in prepared})
        tables: dict[type, list[dict]] = {EntryRow: [], Location: [], Contact: [], SessionRow: [], Revision: []}
        schedules: dict[str | None, tuple] = {}  # an import repeats a handful of schedules many times
        for values in prepared:
            self._rows_for_new_entry(values, user, action, note, now, tables, schedules)
        for model, rows in tables.items():
            # Rows, not ORM objects (nothing here needs them): COPY on PostgreSQL, the table's insert elsewhere.
            insert_rows(self.session, model.__table__, rows)
        self._touched = True
        self._changed_entries.update(v["id"] for v in prepared)
        return [F.Entry(**v, version=1, updated_at=now, updated_by=user.username) for v in prepared]

    def _rows_for_new_entry(self, values, user, action, note, now, tables, schedules) -> None:
        entry_id = values["id"]
        organisation_id = self._organisations[organisation_key(values["organisation"])]  # ensured by create_many
        row = {name: values[name] for name in _ENTRY_SCALAR_COLUMNS}
        row.update((name, list(values[name])) for name in _ENTRY_LIST_COLUMNS)
        tables[EntryRow].append(row | {
            "id": entry_id, "organisation_id": organisation_id, "version": 1, "archived": False,
            "merged_into": None, "last_verified_by": None, "created_at": now, "updated_at": now,
            "updated_by": user.username,
        })
        location = {n: values[n] for n in LOCATION_FIELDS}
        if any(v is not None for v in location.values()):
            tables[Location].append(location | {"entry_id": entry_id})
        spoc = {attribute: values[name] for name, attribute in SPOC_FIELDS.items()}
        if any(v is not None for v in spoc.values()):
            tables[Contact].append(spoc | {"entry_id": entry_id, "organisation_id": organisation_id, "is_spoc": True})
        sessions = schedules.get(values["schedule"])
        if sessions is None:
            sessions = schedules[values["schedule"]] = parse_schedule(values["schedule"])
        tables[SessionRow].extend({"entry_id": entry_id, "day": s.day, "start": s.start, "end": s.end}
                                  for s in sessions)
        snapshot = F.values_to_json(values)
        changes = {n: [None, snapshot[n]] for n, v in values.items() if n != "id" and v not in (None, ())}
        tables[Revision].append({
            "entry_id": entry_id, "version": 1, "action": action, "author": user.username, "at": now,
            "changes": changes, "snapshot": snapshot, "note": note,
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
            raise ConflictError(entry_id, based_on_version, current, self.entries.changes_since(entry_id, based_on_version))
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
        self._changed_entries.add(entry_id)
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
        self._changed_entries.add(entry_id)
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
        self._changed_entries.add(survivor_id)
        return row_to_entry(row)

    def restore_version(self, entry_id: str, version: int, based_on_version: int, author: str) -> F.Entry:
        """Bring back the fields as they were at `version`; itself a new revision."""
        revision = self.entries.revision(entry_id, version)
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
        self._changed_entries.add(entry_id)
        return row_to_entry(row)

    def _with_position(self, changes: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        try:
            return with_position(changes, base, self._locate_postcode)
        except ValueError as error:
            raise ValidationError([Problem("postcode", changes["postcode"], str(error))]) from None

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
