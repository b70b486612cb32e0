"""Import a spreadsheet or an HSDS file: check every row, report, write the good rows in one transaction.

The report has the shape of spec/cli.md: created / updated / unchanged counts,
rejected rows with row, column, value and a plain-English reason, possible
duplicates (of existing entries and of earlier rows of the same file, which are
not created unless duplicates are allowed) and warnings. An unreadable file
raises `UnreadableFile` and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from directory import fields as F
from directory.duplicates import DuplicateFinder
from directory.io.spreadsheet import UnreadableFile, read_csv, read_xlsx
from directory.store import ConflictError, new_entry_id, normalise_values
from directory.validation import Problem, ValidationError, check_entry, parse_row

FORMATS = ("csv", "xlsx", "hsds")
Progress = Callable[[int, int], None]
# Whole-entry rules read these together: once one is unreadable the others' rules would only mislead.
RELATED_COLUMNS = (frozenset({"postcode", "latitude", "longitude", "delivery"}),
                   frozenset({"min_age", "max_age"}), frozenset({"start_date", "end_date"}))


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


def read_rows(data: bytes, format: str) -> tuple[list[str], list[dict[str, str]], list[dict[str, Any]]]:
    """Columns, rows of raw cells, and warnings from reading."""
    if format == "csv":
        return (*read_csv(data), [])
    if format == "xlsx":
        return (*read_xlsx(data), [])
    return _read_hsds(data)


def _read_hsds(data: bytes):
    from directory.io.hsds import HsdsError, read_hsds, service_to_row

    try:
        services = read_hsds(json.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFile(f"the file is not valid JSON ({error}): check it is an Open Referral (HSDS) export") from None
    except HsdsError as error:
        raise UnreadableFile(str(error)) from None
    rows, warnings = [], []
    for number, service in enumerate(services, start=1):
        row, notes = service_to_row(service)
        rows.append(row)
        warnings.extend({"row": number, "column": "", "reason": note} for note in notes)
    columns = sorted({c for row in rows for c in row})
    return columns, rows, warnings


class Importer:
    def __init__(self, directory, author: str, *, default_category: str | None = None,
                 allow_duplicates: bool = False, dry_run: bool = False, progress: Progress | None = None):
        self.directory = directory
        self.author = author
        self.default_category = default_category
        self.allow_duplicates = allow_duplicates
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)

    def run(self, data: bytes, name: str, format: str | None = None) -> ImportReport:
        format = detect_format(name, format)
        columns, rows, warnings = read_rows(data, format)
        report = ImportReport(file=Path(name).name, rows=len(rows), warnings=warnings, dry_run=self.dry_run,
                              allowed_duplicates=self.allow_duplicates)
        known = set(F.COLUMNS)
        self._rows_created: dict[str, int] = {}
        self._to_create: list[dict[str, Any]] = []
        report.warnings[:0] = [{"row": 0, "column": c, "reason": "unknown column ignored"}
                               for c in columns if c and c not in known]
        with self.directory.unit_of_work() as uow:
            uow.author(self.author)  # refuse early if the importer may not write
            places = self.directory.places()
            finder = DuplicateFinder()
            for entry_id, _, archived, name, organisation, latitude, longitude in places:
                if not archived:
                    finder.add(entry_id, name, organisation, latitude, longitude)
            # Full records only for the entries this file updates.
            named = {(row.get("id") or "").strip() for row in rows} & {place[0] for place in places}
            existing = {e.id: e for e in self.directory.entries(include_archived=True, ids=sorted(named))} if named else {}
            seen_ids: dict[str, int] = {}
            uow.ensure_organisations({(row.get("organisation") or "").strip() for row in rows})
            for number, raw in enumerate(rows, start=1):
                self._row(uow, report, number, raw, existing, finder, seen_ids)
                if number % 200 == 0 or number == len(rows):
                    self.progress(number, len(rows))
            # New entries go in together (bulk inserts); their rows were checked above.
            uow.create_many(self._to_create, self.author, action="import", checked=True)
            if not self.dry_run:
                uow.commit()
        return report

    def _row(self, uow, report, number, raw, existing, finder, seen_ids) -> None:
        cells = {k: v for k, v in raw.items() if k in F.FIELD_BY_NAME}
        if self.default_category and not (cells.get("category") or "").strip():
            cells["category"] = self.default_category
        values, problems = parse_row(cells, locate_postcode=self.directory.locate_postcode)
        entry_id = values.get("id")
        if entry_id and entry_id in seen_ids:
            problems.append(Problem("id", entry_id, f"id '{entry_id}' is used again: row {seen_ids[entry_id]} has it already"))
        current = existing.get(entry_id) if entry_id else None
        base = current.values() if current else {n: F.empty_value(n) for n in F.COLUMNS}
        # Whole-entry rules too, so a row with several errors lists each; a column already
        # reported as unreadable is not reported again as missing.
        unreadable = {p.column for p in problems}
        unreadable |= {name for group in RELATED_COLUMNS if unreadable & group for name in group}
        problems += [p for p in check_entry(base | values, creating=current is None) if p.column not in unreadable]
        if problems:
            report.rejected.extend(
                {"row": number, "column": p.column, "value": p.value, "reason": p.reason} for p in problems
            )
            return
        if current is None:
            if not self._held_back_as_duplicate(report, number, values, finder):
                self._plan_creation(report, number, values, finder, seen_ids)
            return
        seen_ids[entry_id] = number
        try:
            changes = {n: v for n, v in values.items() if n != "id"}
            stored = uow.update(entry_id, changes, current.version, self.author, action="import")
        except ValidationError as error:
            report.rejected.extend(
                {"row": number, "column": p.column, "value": p.value, "reason": p.reason} for p in error.problems
            )
        except ConflictError:
            report.rejected.append({"row": number, "column": "id", "value": entry_id,
                                    "reason": "someone saved this entry while the file was importing: import the file again"})
        else:
            if stored.version == current.version:
                report.unchanged += 1
            else:
                report.updated += 1

    def _plan_creation(self, report, number, values, finder, seen_ids) -> None:
        """New entries are written together at the end (bulk inserts); their rows are fully checked by now."""
        values = normalise_values(values)
        values["id"] = values.get("id") or new_entry_id()
        seen_ids[values["id"]] = number
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


def import_file(directory, path: str | Path, *, format: str | None = None, author: str = "cli", **options) -> ImportReport:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot open {path}: {error.strerror or error}") from None
    return Importer(directory, author, **options).run(data, path.name, format)
