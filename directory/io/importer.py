"""Import a spreadsheet or an HSDS file: check every row, report, write the good rows in short transactions.

The report has the shape of docs/cli.md: created / updated / unchanged counts,
rejected rows with row, column, value and a plain-English reason, possible
duplicates (of existing entries and of earlier rows of the same file, which are
not created unless duplicates are allowed) and warnings. An unreadable file
raises `UnreadableFile` and changes nothing.

Nobody waits for an import: every row is checked against a snapshot of the
directory read outside any write transaction (a preview, the dry run, never
opens one), and the good rows are then written in short transactions of a few
hundred rows each (a few thousand on PostgreSQL, where new entries go in by COPY). An entry someone saves between the check and the write is
not overwritten: its row is rejected with a reason ("import the file again").
Limits: a file of at most MAX_IMPORT_BYTES and MAX_IMPORT_ROWS rows (read a row
at a time, stopping at the limit); a bigger one is refused with a message
saying to split it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from directory import fields as F
from directory.duplicates import DuplicateFinder
from directory.errors import ConflictError
from directory.io.hsds import AREAS_CELL, CLOSED_STATUSES, STATUS_CELL
from directory.io.spreadsheet import UnreadableFile, read_csv, read_xlsx, size_text, too_many_rows
from directory.store import checked_update, new_entry_id, normalise_values
from directory.validation import Problem, ValidationError, check_entry, parse_row

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork

FORMATS = ("csv", "xlsx", "hsds")
Progress = Callable[[int, int], None]
# Whole-entry rules read these together: once one is unreadable the others' rules would only mislead.
RELATED_COLUMNS = (frozenset({"postcode", "latitude", "longitude", "delivery"}),
                   frozenset({"min_age", "max_age"}), frozenset({"start_date", "end_date"}))

# The largest file one import takes (uploads and the command line alike): a local directory's spreadsheet
# is a few hundred rows; 20,000 rows of the spreadsheet format are ~5 MB of CSV.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# An .xlsx is a zip: what its parts may unpack to (a workbook of 20,000 full rows unpacks to ~40 MB).
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
# Writing: rows per transaction, and on SQLite (one writer at a time) a pause between transactions long
# enough for a waiting writer (a sign-in), whose retries are at most 0.1 s apart, to take its turn.
WRITE_BATCH_UPDATES = 100
WRITE_BATCH_CREATES = 500
# PostgreSQL lets other writers write beside an import (the state row is held only from commit's counter move to
# the commit), and COPY writes 5,000 new entries in about a second: fewer, larger transactions.
WRITE_BATCH_CREATES_POSTGRESQL = 5_000
SQLITE_WRITE_PAUSE_SECONDS = 0.12
# The note on the revision archiving an entry whose Open Referral status says it has closed (no note given).
CLOSED_NOTE = "the Open Referral service's status says it has closed"


def too_large(size: int, limit: int) -> UnreadableFile:
    said = size_text(size) if size_text(size) != size_text(limit) else f"over {size_text(limit)}"
    return UnreadableFile(f"the file is {said}; one import can take at most {size_text(limit)}: "
                          "split it into smaller files and import them one after another")


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    possible_duplicates: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    allowed_duplicates: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("allowed_duplicates")
        if not self.dry_run:
            data.pop("dry_run")
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({r["row"] for r in self.rejected})

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        parts = [f"{self.rows} {'row' if self.rows == 1 else 'rows'} read", f"{self.created} {verb} created",
                 f"{self.updated} updated", f"{self.unchanged} unchanged", f"{len(self.rejected_rows)} rejected"]
        duplicate_rows = len({d["row"] for d in self.possible_duplicates})
        if duplicate_rows:
            outcome = "created anyway" if self.allowed_duplicates else "held back"
            parts.append(f"{duplicate_rows} possible {'duplicate' if duplicate_rows == 1 else 'duplicates'} {outcome}")
        return ", ".join(parts)


def detect_format(name: str, format: str | None = None) -> str:
    if format:
        if format not in FORMATS:
            raise UnreadableFile(f"unknown format '{format}': use csv, xlsx or hsds")
        return format
    suffix = Path(name).suffix.lower()
    return {".csv": "csv", ".xlsx": "xlsx", ".json": "hsds"}.get(suffix) or _unknown_suffix(suffix)


def _unknown_suffix(suffix: str) -> str:
    raise UnreadableFile(f"cannot tell the format of a '{suffix or 'no extension'}' file: use .csv, .xlsx or .json (HSDS), or say --format")


def read_rows(data: bytes, format: str, max_rows: int | None = None
              ) -> tuple[list[str], list[dict[str, str]], list[dict[str, Any]]]:
    """Columns, rows of raw cells, and warnings from reading; more than `max_rows` rows is refused."""
    if format == "csv":
        return (*read_csv(data, max_rows), [])
    if format == "xlsx":
        return (*read_xlsx(data, max_rows, MAX_XLSX_UNPACKED_BYTES), [])
    return _read_hsds(data, max_rows)


def _read_hsds(data: bytes, max_rows: int | None = None):
    from directory.io.hsds import HsdsError, read_hsds, service_to_row

    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFile(f"the file is not valid JSON ({error}): check it is an Open Referral (HSDS) export") from None
    except RecursionError:  # [[[[...]]]] nested deeper than Python's parser goes
        raise UnreadableFile("the file is nested too deeply to read: check it is an Open Referral (HSDS) export") from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits())
        raise UnreadableFile(f"the file has a number longer than {sys.get_int_max_str_digits():,} digits: "
                             "check it is an Open Referral (HSDS) export") from None
    try:
        services = read_hsds(parsed)
    except HsdsError as error:
        raise UnreadableFile(str(error)) from None
    if max_rows is not None and len(services) > max_rows:
        raise too_many_rows(max_rows)
    rows, warnings = [], []
    for number, service in enumerate(services, start=1):
        try:
            row, notes = service_to_row(service)
        except RecursionError:
            raise UnreadableFile(f"service {number} is nested too deeply to read: "
                                 "check it is an Open Referral (HSDS) export") from None
        rows.append(row)
        warnings.extend({"row": number, "column": "", "reason": note} for note in notes)
    columns = sorted({c for row in rows for c in row})
    return columns, rows, warnings


@dataclass
class _PlannedUpdate:
    row: int
    entry_id: str
    changes: dict[str, Any]
    version: int


class Importer:
    def __init__(self, directory: Directory, author: str, *, default_category: str | None = None,
                 allow_duplicates: bool = False, dry_run: bool = False, progress: Progress | None = None,
                 max_rows: int | None = None, max_bytes: int | None = None, note: str | None = None,
                 write_progress: Progress | None = None):
        """progress(rows checked, rows) while checking; write_progress(rows written, rows to write) after each
        transaction while writing. max_rows, max_bytes: limits other than MAX_IMPORT_ROWS and MAX_IMPORT_BYTES
        (a benchmark's); note: kept on every revision written (a harvest names its feed)."""
        self.note = note
        self.directory = directory
        self.author = author
        self.default_category = default_category
        self.allow_duplicates = allow_duplicates
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)
        self.write_progress = write_progress or (lambda done, total: None)
        self.max_rows = max_rows
        self.max_bytes = max_bytes

    @property
    def row_limit(self) -> int:
        return self.max_rows if self.max_rows is not None else MAX_IMPORT_ROWS

    @property
    def byte_limit(self) -> int:
        return self.max_bytes if self.max_bytes is not None else MAX_IMPORT_BYTES

    def run(self, data: bytes, name: str, format: str | None = None) -> ImportReport:
        format = detect_format(name, format)
        if len(data) > self.byte_limit:
            raise too_large(len(data), self.byte_limit)
        columns, rows, warnings = read_rows(data, format, self.row_limit)
        return self.run_rows(columns, rows, warnings, Path(name).name)

    def run_rows(self, columns: list[str], rows: list[dict[str, str]], warnings: list[dict[str, Any]],
                 name: str) -> ImportReport:
        """Import rows already read (a file's, or a harvested feed's): the same checks, writes and report.
        A row with the cell "status" inactive or defunct (an Open Referral service's) is archived."""
        with _cycle_collector_paused():
            return self._run_rows(columns, rows, warnings, name)

    def _run_rows(self, columns, rows, warnings, name) -> ImportReport:
        report = ImportReport(file=name, rows=len(rows), warnings=warnings, dry_run=self.dry_run,
                              allowed_duplicates=self.allow_duplicates)
        known = set(F.COLUMNS) | {STATUS_CELL, AREAS_CELL}
        report.warnings[:0] = [{"row": 0, "column": c, "reason": "unknown column ignored"}
                               for c in columns if c and c not in known]
        self._check_author()  # refuse early if the importer may not write
        updates, creates = self._check(report, rows)
        if self.dry_run:
            report.updated = len([u for u in updates if u is not None])
            report.unchanged = len(updates) - report.updated
        else:
            self._write(report, [u for u in updates if u is not None], creates)
            report.unchanged += len([u for u in updates if u is None])
            self._archive_closed(report, rows)
            self._keep_areas(report, rows)
            report.rejected.sort(key=lambda r: r["row"])  # rows refused while writing, among the others
        return report

    def _archive_closed(self, report, rows) -> None:
        """Entries of rows whose status says the service has closed are archived; an entry an import archived
        so (never one a person here archived) is restored once its row's status is open again. One
        transaction. The ids are kept in `archived` and `restored`."""
        self.archived: list[str] = []
        self.restored: list[str] = []
        refused = {r["row"] for r in report.rejected}
        statuses = {self._row_ids[n]: row[STATUS_CELL] for n, row in enumerate(rows, start=1)
                    if STATUS_CELL in row and n not in refused and n in self._row_ids}
        # Only a closing status, or an open one of an entry archived when the rows were checked, can change
        # anything: the rest (most of a feed) are not read again.
        statuses = {entry_id: status for entry_id, status in statuses.items()
                    if status in CLOSED_STATUSES or entry_id in self._archived_before}
        if not statuses:
            return
        closing_note = self.note or CLOSED_NOTE
        with self.directory.unit_of_work() as uow:
            for entry_id, status in statuses.items():
                archived = uow.entries.get(entry_id).archived
                if status in CLOSED_STATUSES and not archived:
                    uow.archive(entry_id, self.author, closing_note)
                    self.archived.append(entry_id)
                elif status not in CLOSED_STATUSES and archived and self._archived_by_us(uow, entry_id, closing_note):
                    uow.unarchive(entry_id, self.author, f"{closing_note}: its status is {status or 'open'} again")
                    self.restored.append(entry_id)
            uow.commit()

    def _archived_by_us(self, uow, entry_id: str, closing_note: str) -> bool:
        """Whether the revision that archived the entry was an import's for a closed status (this author,
        this note), not a person's or a merge."""
        for record in uow.entries.history(entry_id):  # newest first
            if tuple(record.changes.get("archived") or ()) == (False, True):
                return record.action == "archive" and record.author == self.author and record.note == closing_note
        return False

    def _keep_areas(self, report, rows) -> None:
        """The areas each row's service serves (AREAS_CELL; an empty cell clears them), in one transaction."""
        refused = {r["row"] for r in report.rejected}
        areas = {self._row_ids[n]: [a for a in row[AREAS_CELL].split("\n") if a]
                 for n, row in enumerate(rows, start=1)
                 if AREAS_CELL in row and n not in refused and n in self._row_ids}
        if not areas:
            return
        with self.directory.unit_of_work() as uow:
            for entry_id, names in areas.items():
                uow.harvest.set_areas(entry_id, names)
            uow.directory_changed()
            uow.commit()

    def _check_author(self) -> None:
        # The unit of work's own check of the account, in a reading unit of work: no write lock is taken,
        # so a preview holds none at all.
        with self.directory.reader() as reading:
            reading.author(self.author)

    # -- checking: no write transaction ------------------------------------------------------------------

    def _check(self, report, rows) -> tuple[list[_PlannedUpdate | None], list[dict[str, Any]]]:
        """Every row checked against a snapshot of the directory: the updates (None: nothing would change)
        and the new entries to write."""
        places = self.directory.places()
        finder = DuplicateFinder()
        self._archived_before = {place[0] for place in places if place[2]}
        for entry_id, _, archived, name, organisation, latitude, longitude in places:
            if not archived:
                finder.add(entry_id, name, organisation, latitude, longitude)
        # Full records only for the entries this file updates.
        named = {(row.get("id") or "").strip() for row in rows} & {place[0] for place in places}
        existing = {e.id: e for e in self.directory.entries(include_archived=True, ids=sorted(named))} if named else {}
        seen_ids: dict[str, int] = {}
        self._rows_created: dict[str, int] = {}
        self._to_create: list[dict[str, Any]] = []
        self._ids_from_file: set[str] = set()
        self._updates: list[_PlannedUpdate | None] = []
        self._row_ids: dict[int, str] = {}  # row -> the entry it updates or creates
        for number, raw in enumerate(rows, start=1):
            self._row(report, number, raw, existing, finder, seen_ids)
            if number % 200 == 0 or number == len(rows):
                self.progress(number, len(rows))
        return self._updates, self._to_create

    def _row(self, report, number, raw, existing, finder, seen_ids) -> None:
        cells = {k: v for k, v in raw.items() if k in F.FIELD_BY_NAME}
        if self.default_category and not (cells.get("category") or "").strip():
            cells["category"] = self.default_category
        values, problems = parse_row(cells, locate_postcode=self.directory.locate_postcode)
        entry_id = values.get("id")
        if entry_id and entry_id in seen_ids:
            problems.append(Problem("id", entry_id, f"id '{entry_id}' is used again: row {seen_ids[entry_id]} has it already"))
        current = existing.get(entry_id) if entry_id else None
        base = current.values() if current else F.EMPTY_ENTRY
        # Whole-entry rules too, so a row with several errors lists each; a column already
        # reported as unreadable is not reported again as missing.
        unreadable = {p.column for p in problems}
        unreadable |= {name for group in RELATED_COLUMNS if unreadable & group for name in group}
        problems += [p for p in check_entry(base | values, creating=current is None) if p.column not in unreadable]
        if problems:
            _reject(report, number, problems)
            return
        if current is None:
            if not self._held_back_as_duplicate(report, number, values, finder):
                self._plan_creation(report, number, values, finder, seen_ids)
            return
        seen_ids[entry_id] = number
        self._row_ids[number] = entry_id
        changes = {n: v for n, v in values.items() if n != "id"}
        try:
            changed = _would_change(current, changes)
        except ValidationError as error:
            _reject(report, number, error.problems)
            return
        self._updates.append(_PlannedUpdate(number, entry_id, changes, current.version) if changed else None)

    def _plan_creation(self, report, number, values, finder, seen_ids) -> None:
        """New entries are written together at the end (bulk inserts); their rows are fully checked by now."""
        values = normalise_values(values)
        if values.get("id"):
            self._ids_from_file.add(values["id"])
        values["id"] = values.get("id") or new_entry_id()
        seen_ids[values["id"]] = number
        self._row_ids[number] = values["id"]
        self._to_create.append(values)
        # Later rows of the same file are checked against this one too.
        finder.add(values["id"], values["name"], values["organisation"], values.get("latitude"), values.get("longitude"))
        self._rows_created[values["id"]] = number
        report.created += 1

    def _held_back_as_duplicate(self, report, number, values, finder) -> bool:
        matches = finder.find(values.get("name") or "", values.get("organisation") or "",
                              values.get("latitude"), values.get("longitude"))
        for match in matches:
            item = {"row": number, "entry_id": match.key, "name": match.name,
                    "similarity": match.similarity, "distance_m": match.distance_m}
            if match.key in self._rows_created:
                item["duplicate_of_row"] = self._rows_created[match.key]
            report.possible_duplicates.append(item)
        return bool(matches) and not self.allow_duplicates

    # -- writing: short transactions through the unit of work --------------------------------------------

    def _write(self, report, updates: list[_PlannedUpdate], creates: list[dict[str, Any]]) -> None:
        """Updates, then new entries, a batch per transaction; each update is checked again by the store
        against the entry as it is now (someone may have saved it since the check)."""
        batches = [("update", updates[i:i + WRITE_BATCH_UPDATES]) for i in range(0, len(updates), WRITE_BATCH_UPDATES)]
        per_batch = WRITE_BATCH_CREATES_POSTGRESQL if self.directory.dialect == "postgresql" else WRITE_BATCH_CREATES
        batches += [("create", creates[i:i + per_batch]) for i in range(0, len(creates), per_batch)]
        to_write, written = len(updates) + len(creates), 0
        for index, (kind, batch) in enumerate(batches):
            if index and self.directory.dialect == "sqlite":
                time.sleep(SQLITE_WRITE_PAUSE_SECONDS)  # a waiting writer's turn
            with self.directory.unit_of_work() as uow:
                if kind == "update":
                    uow.ensure_organisations({u.changes["organisation"] for u in batch if u.changes.get("organisation")})
                    for planned in batch:
                        self._write_update(uow, report, planned)
                else:
                    self._write_creates(uow, report, batch)
                uow.commit()
            written += len(batch)
            self.write_progress(written, to_write)

    def _write_update(self, uow: UnitOfWork, report, planned: _PlannedUpdate) -> None:
        try:
            stored = uow.update(planned.entry_id, planned.changes, planned.version, self.author, action="import",
                                note=self.note)
        except ValidationError as error:
            _reject(report, planned.row, error.problems)
        except ConflictError:
            report.rejected.append({"row": planned.row, "column": "id", "value": planned.entry_id,
                                    "reason": "someone saved this entry while the file was importing: import the file again"})
        else:
            if stored.version == planned.version:
                report.unchanged += 1
            else:
                report.updated += 1

    def _write_creates(self, uow: UnitOfWork, report, batch: list[dict[str, Any]]) -> None:
        # Ids the file gave were new when checked; one added since is refused, not overwritten.
        given = [v["id"] for v in batch if v["id"] in self._ids_from_file]
        taken = uow.entries.taken_ids(given)
        for entry_id in sorted(taken, key=self._rows_created.get):
            report.created -= 1
            report.rejected.append({"row": self._rows_created[entry_id], "column": "id", "value": entry_id,
                                    "reason": f"an entry with id '{entry_id}' was added while the file was importing: "
                                              "import the file again"})
        uow.create_many([v for v in batch if v["id"] not in taken], self.author, action="import", checked=True,
                        note=self.note)


class _CollectorPause:
    """The cycle collector off while an import runs, back on (if it was on) when the last running import ends.
    An import holds a few objects for each of up to 300,000 rows and makes no cycles to free; the collector's
    full passes over everything held grew with the rows (a 150,000-row check: 48 s, 42 s with it off)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self):
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._was_enabled:
                    gc.enable()


_cycle_collector_paused = _CollectorPause()


def _reject(report, number, problems) -> None:
    report.rejected.extend({"row": number, "column": p.column, "value": p.value, "reason": p.reason} for p in problems)


def _would_change(current: F.Entry, changes: dict[str, Any]) -> bool:
    """Whether updating `current` with `changes` changes it; ValidationError if the store would refuse them.

    The store's own rules (UnitOfWork.update) on typed values, without a transaction. A postcode's position
    is already among the changes (parse_row looked it up); only an emptied postcode clears the position."""
    if "postcode" in changes and not changes["postcode"] and "latitude" not in changes and "longitude" not in changes:
        changes = changes | {"latitude": None, "longitude": None}
    before = current.values()
    merged = checked_update(before, normalise_values(changes))
    return any(before[n] != merged[n] for n in F.EDITABLE)


def import_file(directory: Directory, path: str | Path, *, format: str | None = None, author: str = "cli", **options) -> ImportReport:
    path = Path(path)
    importer = Importer(directory, author, **options)
    try:
        size = path.stat().st_size
        if size > importer.byte_limit:  # refused before it is read
            raise too_large(size, importer.byte_limit)
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot open {path}: {error.strerror or error}") from None
    return importer.run(data, path.name, format)
