"""Importing and bulk editing through the app (AppTest): guards, the dry-run preview with its row-level report,
the confirmed import, an unreadable file; and an organisation's table of entries with per-row outcomes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.test_app_edit import app_db, open_page, texts  # noqa: F401 (app_db: the same directory and people)

CSV = (
    "id,name,organisation,category,postcode,schedule,contact_email\n"
    ",Bike Repair Workshop,Tees Valley Recovery,training,TS1 2AH,Fri 10:00-12:00,\n"
    ",Allotment Group,Green Tees,volunteering,TS99 ZZZZ,,\n"
    ",ESOL for Beginners,Middlesbrough Community Learning,basic_skills,TS1 3BA,,\n"
    "jobclub-ts1,Job Club,Tees Works,employment_support,TS1 2AH,Wed 10:00-12:00,not-an-email\n"
    "esol-ts5,ESOL Conversation Club,Linthorpe Library,basic_skills,TS5 6PY,Thu 18:30-20:00,\n"
).encode()


@pytest.mark.parametrize("user, message", [
    (None, "Please sign in to import entries."),
    ("victor", "Your account can view but not import entries. Ask a coordinator in your forum for access."),
])
def test_only_editors_may_import(app_db, user, message):
    at = open_page("pages/import_entries.py", user=user, directory=app_db)
    assert texts(at.warning) == [message]


def test_preview_then_import(app_db):
    at = open_page("pages/import_entries.py", user="alice", directory=app_db)
    at.session_state["import_file"] = ("entries.csv", CSV)  # what the uploader puts there
    at.run()
    assert not at.exception
    summary = [m.value for m in at.markdown if m.value.startswith("**5 rows")]
    assert texts_of(summary) == ["**5 rows read, 1 would be created, 1 updated, 0 unchanged, 2 rejected, "
                                 "1 possible duplicate held back.**"]
    rejected = at.dataframe[0].value
    assert list(rejected["Row"]) == [2, 4] and list(rejected["Column"]) == ["postcode", "contact_email"]
    assert rejected["Problem"][1] == "'not-an-email' is not an email address"
    duplicates = at.dataframe[1].value
    assert (duplicates["Looks like"][0], duplicates["Existing entry"][0]) == ("ESOL for Beginners", "entry?id=esol-ts1")
    assert app_db.count() == 8  # the preview changed nothing

    [button] = [b for b in at.button if b.label == "Import 2 rows"]
    button.click().run()
    assert texts(at.success) == ["Imported: 5 rows read, 1 were created, 1 updated, 0 unchanged, 2 rejected, "
                                 "1 possible duplicate held back."]
    assert app_db.count() == 9
    assert app_db.get("esol-ts5").schedule == "Thu 18:30-20:00"


def test_held_back_rows_can_be_created_when_they_are_different_services(app_db):
    at = open_page("pages/import_entries.py", user="alice", directory=app_db)
    at.session_state["import_file"] = ("entries.csv", CSV)
    at.run()
    at.checkbox(key="import_allow_duplicates").check().run()
    assert any(m.value.startswith("**5 rows read, 2 would be created") for m in at.markdown)
    [button] = [b for b in at.button if b.label == "Import 3 rows"]
    button.click().run()
    assert texts(at.success) == ["Imported: 5 rows read, 2 were created, 1 updated, 0 unchanged, 2 rejected, "
                                 "1 possible duplicate created anyway."]
    assert app_db.count() == 10


def texts_of(values):
    return [re.sub(r"\\(.)", r"\1", v) for v in values]


def test_an_unreadable_file_imports_nothing(app_db):
    at = open_page("pages/import_entries.py", user="alice", directory=app_db)
    at.session_state["import_file"] = ("entries.csv", b"\xff\xfe\x00bad")
    at.run()
    [error] = texts(at.error)
    assert error.startswith("**Could not read entries.csv**: the file is not UTF-8 text")
    assert error.endswith("Nothing was imported.")
    assert app_db.count() == 8


# -- my organisation's entries --------------------------------------------------------------------


def test_bulk_edit_reports_each_row():
    from directory.api import BulkOutcome
    from pages.my_entries import describe, plan_edits

    base = {"a": (3, {"name": "A", "schedule": "Mon 09:00-12:00", "contact_email": ""}),
            "b": (1, {"name": "B", "schedule": "", "contact_email": ""}),
            "c": (2, {"name": "C", "schedule": "", "contact_email": ""})}
    edited = {"a": {"name": "A", "schedule": "Mon 10:00-12:00", "contact_email": ""},
              "b": {"name": "B", "schedule": "", "contact_email": "nope"},
              "c": {"name": "C", "schedule": "", "contact_email": ""}}
    edits, invalid = plan_edits(base, edited)
    assert edits == [("a", {"schedule": "Mon 10:00-12:00"}, 3)]
    assert invalid == {"b": "Contact's email: 'nope' is not an email address."}
    assert describe(BulkOutcome("a", "saved", "", None)) == "Saved."
    assert describe(BulkOutcome("a", "unchanged", "", None)) == "No change."
    assert describe(BulkOutcome("a", "conflict", "x", None)).startswith("Not saved: someone else saved this entry")


def test_bulk_edit_outcomes_against_the_directory(app_db):
    from pages.my_entries import COLUMNS, cell_text, describe, plan_edits

    entries = [app_db.get("esol-ts1"), app_db.get("jobclub-ts1")]
    base = {e.id: (e.version, {n: cell_text(e, n) for n in COLUMNS}) for e in entries}
    app_db.update("jobclub-ts1", {"cost": "£1"}, 1, "bob")  # someone saves after the table was opened
    edited = {i: dict(cells) for i, (_, cells) in base.items()}
    edited["esol-ts1"]["schedule"] = "Tue 10:00-12:00"
    edited["jobclub-ts1"]["waiting_days"] = "3"
    edits, invalid = plan_edits(base, edited)
    outcomes = {o.entry_id: describe(o) for o in app_db.update_many(edits, "dina")}
    assert outcomes["esol-ts1"] == "Saved."
    assert outcomes["jobclub-ts1"].startswith("Not saved: someone else saved")
    assert app_db.get("jobclub-ts1").waiting_days == 0


def test_my_entries_page_lists_the_organisation_and_its_requests(app_db):
    from directory.health.verification import request_verification

    request_verification(app_db, "esol-ts1", "carol", "Still Tuesdays?")
    at = open_page("pages/my_entries.py", user="dina", directory=app_db)
    assert any("ESOL for Beginners" in m.value for m in at.markdown)
    [button] = [b for b in at.button if b.key == "verify_1"]
    button.click().run()
    assert app_db.get("esol-ts1").last_verified == dt.date.today()
    assert texts(at.success) == ["Marked ‘ESOL for Beginners’ as verified today."]
    assert not [b for b in at.button if b.key == "verify_1"]
    # Each row links to its entry and can be ticked as checked today (saved with the corrections).
    [table] = at.dataframe
    import json

    columns = json.loads(table.proto.columns)
    assert (columns["verify"]["label"], columns["verify"]["type_config"]["type"]) == ("Checked today", "checkbox")
    assert (columns["open"]["type_config"]["type"], columns["open"]["type_config"]["display_text"]) == ("link", "Open")
    assert list(table.value["open"])[:1] == [f"./entry?id={table.value.index[0]}"]
    at = open_page("pages/my_entries.py", user="alice", directory=app_db)
    assert texts(at.info)[0].startswith("Your account is not linked to an organisation yet.")
