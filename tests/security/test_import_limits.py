"""Imports that nobody waits for, limits with plain messages, and malformed files that change nothing.

- A preview (dry run) holds no write transaction, and an import checks its rows outside one: another writer
  (a sign-in, a new account) gets in at once, deterministically mid-way through the check.
- The import writes in short transactions, and a writer gets in between them.
- Files over the row or byte limit are refused with a message that says the limit and to split the file.
- Deep JSON, huge numbers, broken XLSX XML, zips that lie about their sizes or unpack enormously: one plain
  message, nothing changed, no traceback.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zipfile
from types import SimpleNamespace

import pytest

import directory.__main__ as cli
from directory.accounts import create_user, open_session
from directory.io import importer as I
from directory.io.importer import Importer, import_file
from directory.io.spreadsheet import UnreadableFile, write_xlsx
from tests.test_app_edit import app_db, open_page, texts  # noqa: F401 (app_db: the app's directory)


def rows_csv(count: int, prefix: str = "Service") -> bytes:
    """`count` online services of different organisations: no duplicates among them, nothing to locate."""
    lines = [f"{prefix} {i},Organisation {prefix} {i},training,online" for i in range(count)]
    return ("name,organisation,category,delivery\n" + "\n".join(lines) + "\n").encode()


def state(directory) -> tuple[int, int]:
    return directory.count(include_archived=True), directory.change_counter()


# -- nobody waits for an import ---------------------------------------------------------------------------


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "import"])
def test_a_sign_in_is_not_kept_waiting_while_rows_are_checked(directory, dry_run):
    """Mid-way through checking 3,000 rows (held there until the writes are done), a sign-in and a new
    account are written at once."""
    midway, carry_on = threading.Event(), threading.Event()

    def progress(done, total):
        if done == 1000:
            midway.set()
            carry_on.wait(5)  # the old code held the write lock here: the writes below waited for it

    outcome = {}

    def check():
        outcome["report"] = Importer(directory, "alice", dry_run=dry_run, progress=progress).run(rows_csv(3000), "many.csv")

    checking = threading.Thread(target=check)
    checking.start()
    try:
        assert midway.wait(60)
        started = time.monotonic()
        token = open_session(directory, "bob")  # a sign-in writes a session row
        create_user(directory, "dora", "Dora Diaz", "viewer")
        took = time.monotonic() - started
        still_checking = checking.is_alive()
    finally:
        carry_on.set()
        checking.join(120)
    assert (still_checking, took < 2, len(token) > 20) == (True, True, True)
    report = outcome["report"]
    verb = "would be" if dry_run else "were"
    assert report.summary() == f"3000 rows read, 3000 {verb} created, 0 updated, 0 unchanged, 0 rejected"
    assert directory.count() == (0 if dry_run else 3000)


def test_the_import_writes_in_short_transactions_with_room_for_other_writers(directory, monkeypatch):
    monkeypatch.setattr(I, "WRITE_BATCH_CREATES", 100)
    monkeypatch.setattr(I, "WRITE_BATCH_CREATES_POSTGRESQL", 100)
    between = []

    def pause(seconds):
        # Between two batches (SQLite's one writer at a time): another writer gets in within a moment.
        writer = threading.Thread(target=lambda: between.append(open_session(directory, "bob")))
        writer.start()
        writer.join(2)
        assert not writer.is_alive()

    monkeypatch.setattr(I, "time", SimpleNamespace(sleep=pause))
    count, counter = state(directory)
    report = Importer(directory, "alice").run(rows_csv(450), "many.csv")
    assert report.summary() == "450 rows read, 450 were created, 0 updated, 0 unchanged, 0 rejected"
    assert state(directory) == (count + 450, counter + 5)  # five transactions of at most 100 rows
    assert len(between) == (4 if directory.dialect == "sqlite" else 0)


def test_an_entry_saved_between_the_check_and_the_write_is_not_overwritten(directory):
    directory.create({"id": "cafe-1", "name": "Recovery Café", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "delivery": ("online",)}, "alice")

    def progress(done, total):
        # The check is over; before the import writes, someone saves the entry the file updates.
        writer = threading.Thread(target=lambda: directory.update("cafe-1", {"cost": "£1"}, 1, "bob"))
        writer.start()
        writer.join(3)
        assert not writer.is_alive()

    data = b"id,cost\ncafe-1,free\n"
    report = Importer(directory, "alice", progress=progress).run(data, "update.csv")
    assert report.to_dict() | {"file": ""} == {
        "file": "", "rows": 1, "created": 0, "updated": 0, "unchanged": 0,
        "rejected": [{"row": 1, "column": "id", "value": "cafe-1",
                      "reason": "someone saved this entry while the file was importing: import the file again"}],
        "possible_duplicates": [], "warnings": []}
    entry = directory.get("cafe-1")
    assert (entry.cost, entry.version) == ("£1", 2)


# -- limits ---------------------------------------------------------------------------------------------------


ROWS_MESSAGE = ("the file has more than 3 rows, the most one import can take: split it into files of up to 3 rows "
                "and import them one after another")


def xlsx_of(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def hsds_of(count: int) -> bytes:
    import json

    return json.dumps([{"name": f"Service {i}", "organization": {"name": f"Org {i}"}} for i in range(count)]).encode()


@pytest.mark.parametrize("name, make", [
    ("rows.csv", lambda n: rows_csv(n)),
    ("rows.xlsx", lambda n: xlsx_of([["name", "organisation", "category", "delivery"],
                                     *[[f"S {i}", f"O {i}", "training", "online"] for i in range(n)]])),
    ("rows.json", hsds_of),
])
def test_more_rows_than_the_limit_are_refused_and_change_nothing(directory, monkeypatch, name, make):
    monkeypatch.setattr(I, "MAX_IMPORT_ROWS", 3)
    before = state(directory)
    with pytest.raises(UnreadableFile) as raised:
        Importer(directory, "alice").run(make(4), name)
    assert str(raised.value) == ROWS_MESSAGE
    assert state(directory) == before
    assert Importer(directory, "alice", dry_run=True).run(make(3), name).rows == 3


def test_blank_lines_do_not_count_and_reading_stops_at_the_limit(directory, monkeypatch):
    monkeypatch.setattr(I, "MAX_IMPORT_ROWS", 3)
    three = rows_csv(3).replace(b"\n", b"\n\n")
    assert Importer(directory, "alice", dry_run=True).run(three, "blank.csv").rows == 3
    # 100 KB on, the file is not UTF-8: reading stopped at row 4, so the limit is what is reported.
    data = rows_csv(3000) + b"\xff\xfe broken\n"
    assert len(data) > 100_000
    with pytest.raises(UnreadableFile) as raised:
        Importer(directory, "alice", dry_run=True).run(data, "stops.csv")
    assert str(raised.value) == ROWS_MESSAGE


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(directory, monkeypatch, tmp_path):
    monkeypatch.setattr(I, "MAX_IMPORT_BYTES", 100)
    data = rows_csv(4)
    assert len(data) == 232
    message = ("the file is 232 bytes; one import can take at most 100 bytes: split it into smaller files "
               "and import them one after another")
    before = state(directory)
    with pytest.raises(UnreadableFile) as raised:
        Importer(directory, "alice").run(data, "big.csv")
    assert str(raised.value) == message
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as raised:
        import_file(directory, path, author="alice", dry_run=True)
    assert str(raised.value) == message
    assert state(directory) == before


def test_the_limits_are_a_local_directorys(directory):
    assert (I.MAX_IMPORT_ROWS, I.MAX_IMPORT_BYTES) == (20_000, 20 * 1024 * 1024)
    with pytest.raises(UnreadableFile) as raised:
        Importer(directory, "alice", dry_run=True).run(b"x" * (20 * 1024 * 1024 + 1), "huge.csv")
    assert str(raised.value) == ("the file is over 20 MB; one import can take at most 20 MB: split it into "
                                 "smaller files and import them one after another")


def test_the_command_line_dry_run_says_the_limit(directory, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(I, "MAX_IMPORT_ROWS", 3)
    monkeypatch.setattr(cli, "_open", lambda: directory)
    path = tmp_path / "rows.csv"
    path.write_bytes(rows_csv(4))
    assert cli.main(["import", str(path), "--dry-run", "--as", "alice"]) == 1
    assert capsys.readouterr().err == f"error: {path}: {ROWS_MESSAGE}. Nothing was imported.\n"


def test_the_page_says_the_limit_and_imports_nothing(app_db, monkeypatch):
    monkeypatch.setattr(I, "MAX_IMPORT_ROWS", 3)
    before = state(app_db)
    at = open_page("pages/import_entries.py", user="alice", directory=app_db)
    at.session_state["import_file"] = ("many.csv", rows_csv(4))
    at.run()
    assert not at.exception
    assert texts(at.error) == [f"**Could not read many.csv**: {ROWS_MESSAGE}. Nothing was imported."]
    assert state(app_db) == before


# -- malformed files ------------------------------------------------------------------------------------------


DAMAGED = ("the Excel workbook is damaged and could not be read: open it in Excel and save it again as .xlsx, "
           "or save it as CSV, and try again")
SHEET = "xl/worksheets/sheet1.xml"


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return buffer.getvalue()


def claiming_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s stated unpacked size (central directory and local header) changed to `size`."""
    data, at = bytearray(data), data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == name.encode():
            struct.pack_into("<I", data, at + 24, size)
            struct.pack_into("<I", data, struct.unpack_from("<I", data, at + 42)[0] + 22, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _workbook() -> tuple[bytes, bytes]:
    data = xlsx_of([["name", "organisation", "category", "delivery"], ["Club", "Org", "training", "online"]])
    return data, zipfile.ZipFile(io.BytesIO(data)).read(SHEET)


def broken_xml() -> bytes:
    data, sheet = _workbook()
    return rezip(data, {SHEET: sheet[: len(sheet) // 2]})


def long_number_cell() -> bytes:
    data, sheet = _workbook()
    return rezip(data, {SHEET: sheet.replace(b"</sheetData>", b'<row r="3"><c r="A3"><v>' + b"9" * 5000 + b"</v></c></row></sheetData>")})


def lying_sizes() -> bytes:
    data, sheet = _workbook()
    # 30 MB of spaces (30 KB zipped) behind a header that says the part is as small as it was.
    bomb = rezip(data, {SHEET: sheet.replace(b"</sheetData>", b" " * (30 * 1024 * 1024) + b"</sheetData>")})
    return claiming_size(bomb, SHEET, len(sheet))


def unpacking_enormously() -> bytes:
    data, sheet = _workbook()
    return rezip(data, {SHEET: sheet.replace(b"</sheetData>", b" " * (3 * 1024 * 1024) + b"</sheetData>")})


@pytest.mark.parametrize("name, make, message", [
    ("deep.json", lambda: b"[" * 100_000 + b"]" * 100_000,
     "the file is nested too deeply to read: check it is an Open Referral (HSDS) export"),
    ("number.json", lambda: b'[{"name": "Club", "minimum_age": ' + b"9" * 5000 + b"}]",
     "the file has a number longer than 4,300 digits: check it is an Open Referral (HSDS) export"),
    ("broken.xlsx", broken_xml, DAMAGED),
    ("number.xlsx", long_number_cell, DAMAGED),
    ("lying.xlsx", lying_sizes, DAMAGED),
    ("claims-more.xlsx", lambda: claiming_size(_workbook()[0], SHEET, len(_workbook()[1]) + 10), DAMAGED),
    ("bomb.xlsx", unpacking_enormously,
     "the workbook unpacks to more than 2 MB, more than one import can take: split it into smaller workbooks, "
     "or save it as CSV, and try again"),
    ("far.xlsx", lambda: rezip(_workbook()[0], {SHEET: _workbook()[1].replace(
        b"</sheetData>", b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')}),
     "the file has more than 100,000 empty rows: delete the empty rows (below or between the entries) and try again"),
])
def test_a_malformed_file_gets_one_plain_message_and_changes_nothing(directory, monkeypatch, name, make, message):
    monkeypatch.setattr(I, "MAX_XLSX_UNPACKED_BYTES", 2 * 1024 * 1024)
    before = state(directory)
    for dry_run in (True, False):
        with pytest.raises(UnreadableFile) as raised:
            Importer(directory, "alice", dry_run=dry_run).run(make(), name)
        assert str(raised.value) == message
    assert state(directory) == before


def test_the_page_shows_a_malformed_file_as_one_message(app_db):
    before = state(app_db)
    at = open_page("pages/import_entries.py", user="alice", directory=app_db)
    at.session_state["import_file"] = ("deep.json", b"[" * 100_000 + b"]" * 100_000)
    at.run()
    assert not at.exception
    assert texts(at.error) == ["**Could not read deep.json**: the file is nested too deeply to read: check it is "
                               "an Open Referral (HSDS) export. Nothing was imported."]
    assert state(app_db) == before
