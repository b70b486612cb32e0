"""CSV and XLSX in the spreadsheet format (spec/directory-csv.md): reading rows, writing entries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Iterable

from directory import fields as F


def spreadsheet_safe(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: a leading =, +, -, @ is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class UnreadableFile(ValueError):
    """The file could not be read at all; nothing was imported. str() says why and what to do."""


Table = tuple[list[str], list[dict[str, str]]]


def read_csv(data: bytes) -> Table:
    if not data.strip():
        raise UnreadableFile("the file is empty: export the spreadsheet again and check it has a header row")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "the file is not UTF-8 text: in Excel choose 'Save as' → 'CSV UTF-8 (comma delimited)' and try again"
        ) from None
    if "\x00" in text:
        raise UnreadableFile("the file is not a CSV text file: save the spreadsheet as CSV or XLSX and try again")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        rows = [row for row in reader]
    except csv.Error as error:
        raise UnreadableFile(f"the CSV file is malformed ({error}): save it again from the spreadsheet") from None
    return _table(header, rows)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("the file is not an Excel .xlsx workbook: save it as .xlsx or CSV and try again") from None
    sheet = workbook.worksheets[0]
    rows = [[_xlsx_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise UnreadableFile("the workbook's first sheet is empty: put the header row in row 1")
    return _table(rows[0], rows[1:])


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(header: Iterable, rows: list[list]) -> Table:
    columns = [str(name or "").strip().lower() for name in header]
    if not any(columns):
        raise UnreadableFile("the first row has no column names: the header row must come first")
    table = []
    for row in rows:
        cells = [str(c) if c is not None else "" for c in row]
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        table.append({column: (cells[i] if i < len(cells) else "") for i, column in enumerate(columns) if column})
    return columns, table


def entry_rows(entries: Iterable[F.Entry]) -> Iterable[list[str]]:
    yield list(F.COLUMNS)
    for entry in entries:
        yield [F.format_cell(name, getattr(entry, name)) for name in F.COLUMNS]


def write_csv(entries: Iterable[F.Entry]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(entry_rows(entries))
    # A byte-order mark so Excel opens accented names (Café) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(entries: Iterable[F.Entry]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Directory"
    for index, row in enumerate(entry_rows(entries)):
        # Text cells only: values such as "0900" or "2026-09-01" must not be reinterpreted by Excel.
        sheet.append(row)
        if index == 0:
            for cell, name in zip(sheet[1], row):
                cell.font = Font(bold=True)
                field = F.FIELD_BY_NAME[name]
                hint = field.label + (" (required)" if field.required else "") + (f". {field.help}" if field.help else "")
                cell.comment = Comment(hint, "Recovery Pathways")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    return write_csv([])


def template_xlsx() -> bytes:
    return write_xlsx([])
