"""CSV and XLSX in the spreadsheet format (docs/spreadsheet-format.md): reading rows, writing entries.

Spreadsheet-safe: every CSV the project writes passes its cells through `spreadsheet_safe`, so a
spreadsheet never runs a cell as a formula (=HYPERLINK(...), +cmd|..., @SUM(...)): text that would start
one gets a leading apostrophe, and the CSV import takes exactly that apostrophe off again (`unguard`),
so export -> import is exact. XLSX cells are all written as text, never as formulas.

Reading streams: rows are read one at a time and reading stops at the caller's row limit; an XLSX
workbook's zip is checked (sizes as stated, unpacked size bounded) before openpyxl opens it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import lzma
import re
import zipfile
import zlib
from typing import Any, Callable, Iterable, Iterator

from directory import fields as F
from directory.zips import READ_ERRORS, ZipDamaged, ZipTooLarge, member_chunks

# What a spreadsheet may take as the start of a formula (or of a DDE command). TAB and CR are there because
# some spreadsheets drop them when they read a cell, and what follows could be one of the others.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number (a longitude such as -1.234694) is only a number in any spreadsheet: it is left as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# A row wider than this is not a directory spreadsheet (the format has 44 columns).
MAX_COLUMNS = 1000
# Empty rows are skipped, but not without end: an .xlsx of a few bytes can say its one row is row 1,000,000.
MAX_BLANK_ROWS = 100_000


def needs_guard(text: str) -> bool:
    """Would a spreadsheet run this cell (or what is left of it once its leading apostrophes are taken off)?

    Apostrophes first: "'=x" needs the guard too, so that it round-trips ("''=x" -> "'=x")."""
    body = text.lstrip("'")
    if body[:1] in ("\t", "\r"):
        return True
    # " =1+1": some spreadsheets trim spaces when they read a CSV.
    return body.lstrip(" \n")[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(body)


def spreadsheet_safe(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: text starting =, +, -, @, TAB or CR gets a leading '.

    The one guard for every CSV the project writes; `unguard` is its inverse on import."""
    text = "" if value is None else str(value)
    return "'" + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """A CSV cell as it was before `spreadsheet_safe`: one leading apostrophe off, when what follows needs the guard."""
    return text[1:] if text[:1] == "'" and needs_guard(text[1:]) else text


class UnreadableFile(ValueError):
    """The file could not be read at all; nothing was imported. str() says why and what to do."""


def too_many_rows(limit: int) -> UnreadableFile:
    return UnreadableFile(f"the file has more than {limit:,} rows, the most one import can take: split it into "
                          f"files of up to {limit:,} rows and import them one after another")


def size_text(size: int) -> str:
    """1536 -> '1.5 KB'; 20971520 -> '20 MB'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{round(size / scale, 1):g} {unit}"
    return f"{size} {'byte' if size == 1 else 'bytes'}"


Table = tuple[list[str], list[dict[str, str]]]
XLSX_DAMAGED = ("the Excel workbook is damaged and could not be read: open it in Excel and save it again "
                "as .xlsx, or save it as CSV, and try again")
NOT_XLSX = "the file is not an Excel .xlsx workbook: save it as .xlsx or CSV and try again"
NOT_UTF8 = "the file is not UTF-8 text: in Excel choose 'Save as' → 'CSV UTF-8 (comma delimited)' and try again"
EMPTY = "the file is empty: export the spreadsheet again and check it has a header row"


def read_csv(data: bytes, max_rows: int | None = None) -> Table:
    """Columns and rows, read a row at a time; more than `max_rows` rows with something in them is refused."""
    if not data or data.isspace():
        raise UnreadableFile(EMPTY)
    if b"\x00" in data:
        raise UnreadableFile(NOT_UTF8 if not _is_utf8(data) else
                             "the file is not a CSV text file: save the spreadsheet as CSV or XLSX and try again")
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise UnreadableFile(EMPTY)
        return _table(header, reader, max_rows, unguard)
    except UnicodeDecodeError:
        raise UnreadableFile(NOT_UTF8) from None
    except csv.Error as error:
        raise UnreadableFile(f"the CSV file is malformed ({error}): save it again from the spreadsheet") from None


def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), 1 << 20):
            decoder.decode(view[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# What openpyxl (and the zip and XML readers under it) raise on a damaged workbook. SyntaxError covers XML
# parse errors (ElementTree's ParseError, lxml's XMLSyntaxError); ValueError covers defusedxml's refusals and
# a number too long to convert (over 4,300 digits).
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, KeyError, IndexError, TypeError,
                AttributeError, ValueError, SyntaxError, OSError, NotImplementedError, RuntimeError, RecursionError)


def read_xlsx(data: bytes, max_rows: int | None = None, max_unpacked: int = 100 * 1024 * 1024) -> Table:
    """The first sheet's columns and rows, streamed (openpyxl read-only); the zip is checked first."""
    _check_zip(data, max_unpacked)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS:
        raise UnreadableFile(NOT_XLSX) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("the workbook has no sheets: put the header row in row 1 of the first sheet")
        sheet = workbook.worksheets[0]
        # The sheet's stated size is not trusted: rows are as wide as the header, whatever the file says.
        sheet.reset_dimensions()
        header = list(next(sheet.iter_rows(max_row=1, values_only=True), ()))
        while header and header[-1] is None:
            header.pop()
        if not header:
            raise UnreadableFile("the workbook's first sheet is empty: put the header row in row 1")
        _check_width(len(header))
        rows = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
        return _table([_xlsx_cell(name) for name in header], rows, max_rows, _xlsx_cell)
    except UnreadableFile:
        raise
    except _XLSX_ERRORS:
        raise UnreadableFile(XLSX_DAMAGED) from None
    finally:
        workbook.close()


def _check_zip(data: bytes, max_unpacked: int) -> None:
    """Refuse a workbook that unpacks to more than `max_unpacked` bytes, or whose parts are not the size it says.

    Each part is unpacked in small pieces, read on past its stated size: a part larger than stated (a zip
    bomb behind a small header) is found here, before openpyxl reads whole parts at once."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except READ_ERRORS:
        raise UnreadableFile(NOT_XLSX) from None
    too_big = UnreadableFile(f"the workbook unpacks to more than {size_text(max_unpacked)}, more than one import "
                             "can take: split it into smaller workbooks, or save it as CSV, and try again")
    with archive:
        members = archive.infolist()
        if len(members) > 1000:  # a workbook has a few dozen parts
            raise UnreadableFile(NOT_XLSX)
        if sum(member.file_size for member in members) > max_unpacked:
            raise too_big
        for member in members:
            try:
                for _ in member_chunks(archive, member, max_unpacked):
                    pass
            except ZipDamaged:
                raise UnreadableFile(XLSX_DAMAGED) from None
            except ZipTooLarge:
                raise too_big from None


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


def _check_width(width: int) -> None:
    if width > MAX_COLUMNS:
        raise UnreadableFile(f"the first row has {width:,} columns, more than the {MAX_COLUMNS:,} a directory "
                             "spreadsheet can have: keep the header row to the directory's columns")


def _table(header: Iterable, rows: Iterator[Iterable[Any]], max_rows: int | None, cell: Callable[[Any], str]) -> Table:
    """Columns and rows of cells; blank rows are skipped. More than `max_rows` rows, or MAX_BLANK_ROWS blank
    ones, are refused as soon as the reading gets there."""
    header = list(header)
    columns = [str(name or "").strip().lower() for name in header]
    if not any(columns):
        raise UnreadableFile("the first row has no column names: the header row must come first")
    _check_width(len(columns))
    named = [(i, column) for i, column in enumerate(columns) if column]
    table = []
    blank = 0
    for row in rows:
        cells = [cell(c) if c is not None else "" for c in row] if any(c is not None for c in row) else []
        if not any(c.strip() for c in cells):
            # Blank lines are not rows; a sheet that goes on for a million of them is not read to its end either.
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise UnreadableFile(f"the file has more than {MAX_BLANK_ROWS:,} empty rows: delete the empty rows "
                                     "(below or between the entries) and try again")
            continue
        if max_rows is not None and len(table) >= max_rows:
            raise too_many_rows(max_rows)
        table.append({column: (cells[i] if i < len(cells) else "") for i, column in named})
    return columns, table


def entry_rows(entries: Iterable[F.Entry]) -> Iterable[list[str]]:
    yield list(F.COLUMNS)
    for entry in entries:
        yield [F.format_cell(name, getattr(entry, name)) for name in F.COLUMNS]


def write_csv(entries: Iterable[F.Entry]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([spreadsheet_safe(c) for c in row] for row in entry_rows(entries))
    # A byte-order mark so Excel opens accented names (Café) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(entries: Iterable[F.Entry]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Directory"
    for index, row in enumerate(entry_rows(entries), start=1):
        sheet.append(row)
        for cell in sheet[index]:
            # Text cells only: values such as "0900" or "2026-09-01" must not be reinterpreted by Excel, and
            # "=HYPERLINK(...)" is text, never a formula (openpyxl would store it as one). Text a spreadsheet
            # would run if it were typed in is marked "typed with a leading '" (Excel's quote prefix), so
            # editing the cell in Excel keeps it text too.
            cell.data_type = "s"
            if needs_guard(cell.value):
                cell.quotePrefix = True
        if index == 1:
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
