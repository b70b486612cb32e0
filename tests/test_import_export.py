"""Import and export: a messy file's exact report, unreadable files, round trips; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from directory.api import Directory
from directory.accounts import create_user
from directory.io.export import export_bytes, geojson
from directory.io.importer import Importer, import_file
from directory.io.spreadsheet import UnreadableFile, template_csv, template_xlsx, write_xlsx
from tests.conftest import fake_locator

HSDS_EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "openreferral" / "hsds"

MESSY_CSV = """\
name,organisation,category,postcode,schedule,email,latitude,longitude,notes,description
Linthorpe Job Club,Tees Works,employment_support,TS5 6PY,Tue 10:00-12:00,jobs@tees.example.org,,,walk-in,CVs and interviews
,Tees Works,employment_support,TS5 6PY,,,,,,no name
Warehouse jobs,Tees Logistics,jobs,TS1 2AH,,,,,,
Somewhere,Tees Works,training,TS9 9ZZ,,,,,,
Thursday club,Tees Works,recovery_support,TS1 3BA,Thurday 10:00-12:00,,,,,
Far away,Tees Works,training,,,,100,,,
<script>alert(1)</script> Café,Tees Works,recovery_support,TS1 3BA,,,,,,<img src=x onerror=alert(2)>
Linthorpe Jobclub,Tees Works,employment_support,TS5 6PY,,,,,,the same job club again
Email trouble,Tees Works,training,TS1 2AH,,not-an-email,,,,
Tees Recovery Cafe,Tees Valley Recovery,recovery_support,TS1 3BA,,,,,,already in the directory
"""


def messy_report(directory, tmp_path, **options):
    path = tmp_path / "providers.csv"
    path.write_text(MESSY_CSV, encoding="utf-8")
    return import_file(directory, path, author="alice", **options)


@pytest.fixture
def with_cafe(directory):
    directory.create({"id": "cafe-1", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "postcode": "TS1 3BA"}, "alice")
    return directory


def test_a_messy_file_gets_an_exact_row_level_report(with_cafe, tmp_path):
    report = messy_report(with_cafe, tmp_path)
    assert report.to_dict() == {
        "file": "providers.csv",
        "rows": 10,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": [
            {"row": 2, "column": "name", "value": "", "reason": "name is required"},
            {"row": 3, "column": "category", "value": "jobs", "reason": "unknown category 'jobs'; did you mean 'employer'?"},
            {"row": 4, "column": "postcode", "value": "TS9 9ZZ",
             "reason": "postcode TS9 9ZZ not found: check it, or give latitude and longitude instead"},
            {"row": 5, "column": "schedule", "value": "Thurday 10:00-12:00",
             "reason": "'Thurday' is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun (did you mean Thu?)"},
            {"row": 6, "column": "latitude", "value": "100", "reason": "latitude 100 is out of range (−90 to 90)"},
            {"row": 9, "column": "email", "value": "not-an-email", "reason": "'not-an-email' is not an email address"},
        ],
        "possible_duplicates": [
            {"row": 8, "entry_id": report.possible_duplicates[0]["entry_id"], "name": "Linthorpe Job Club",
             "similarity": 0.97, "distance_m": 0, "duplicate_of_row": 1},
            {"row": 10, "entry_id": "cafe-1", "name": "Tees Recovery Café", "similarity": 1.0, "distance_m": 0},
        ],
        "warnings": [{"row": 0, "column": "notes", "reason": "unknown column ignored"}],
    }
    html_entry = next(e for e in with_cafe.entries() if e.name.startswith("<script>"))
    assert (html_entry.name, html_entry.description) == ("<script>alert(1)</script> Café", "<img src=x onerror=alert(2)>")
    assert [r.action for r in with_cafe.history(html_entry.id)] == ["import"]


def test_the_messy_file_creates_exactly_the_good_rows(with_cafe, tmp_path):
    messy_report(with_cafe, tmp_path)
    assert sorted(e.name for e in with_cafe.entries()) == [
        "<script>alert(1)</script> Café", "Linthorpe Job Club", "Tees Recovery Café",
    ]


def test_allowing_duplicates_creates_them_and_still_reports_them(with_cafe, tmp_path):
    report = messy_report(with_cafe, tmp_path, allow_duplicates=True)
    assert (report.created, [d["row"] for d in report.possible_duplicates]) == (4, [8, 10])
    assert with_cafe.count() == 5


def test_a_dry_run_reports_but_changes_nothing(with_cafe, tmp_path):
    counter = with_cafe.change_counter()
    report = messy_report(with_cafe, tmp_path, dry_run=True)
    assert (report.created, len(report.rejected_rows), report.dry_run) == (2, 6, True)
    assert report.summary() == (
        "10 rows read, 2 would be created, 0 updated, 0 unchanged, 6 rejected, 2 possible duplicates held back"
    )
    assert (with_cafe.count(), with_cafe.change_counter()) == (1, counter)


@pytest.mark.parametrize("name, data, reason", [
    ("latin1.csv", "name,organisation\nCaf\xe9,Org\n".encode("latin-1"),
     "the file is not UTF-8 text: in Excel choose 'Save as' → 'CSV UTF-8 (comma delimited)' and try again"),
    ("empty.csv", b"  \n", "the file is empty: export the spreadsheet again and check it has a header row"),
    ("fake.xlsx", b"name,organisation\n", "the file is not an Excel .xlsx workbook: save it as .xlsx or CSV and try again"),
    ("broken.json", b"{not json", "the file is not valid JSON (Expecting property name enclosed in double quotes: "
                                  "line 1 column 2 (char 1)): check it is an Open Referral (HSDS) export"),
    ("image.png", b"\x89PNG", "cannot tell the format of a '.png' file: use .csv, .xlsx or .json (HSDS), or say --format"),
])
def test_an_unreadable_file_changes_nothing_and_says_why(with_cafe, tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    counter = with_cafe.change_counter()
    with pytest.raises(UnreadableFile) as raised:
        import_file(with_cafe, path, author="alice")
    assert str(raised.value) == reason
    assert (with_cafe.count(), with_cafe.change_counter()) == (1, counter)


def test_updates_replace_only_the_columns_in_the_file(with_cafe, tmp_path):
    path = tmp_path / "update.csv"
    path.write_text("id,cost,tags\ncafe-1,free,\n", encoding="utf-8")
    report = import_file(with_cafe, path, author="bob")
    assert (report.updated, report.unchanged, report.rejected) == (1, 0, [])
    entry = with_cafe.get("cafe-1")
    assert (entry.name, entry.cost, entry.tags, entry.version) == ("Tees Recovery Café", "free", (), 2)
    again = import_file(with_cafe, path, author="bob")
    assert (again.updated, again.unchanged) == (0, 1)


RICH = {
    "id": "rich-1", "name": "Community Kitchen Volunteering", "organisation": "Linthorpe Community Kitchen",
    "category": "volunteering", "description": "Cook lunches with us.\nNo experience needed.",
    "address": "12 Parliament Road", "postcode": "TS1 3BA", "delivery": ("in_person", "online"),
    "url": "https://kitchen.example.org", "email": "hello@kitchen.example.org", "phone": "01632 960123",
    "contact_name": "Sam Patel", "contact_role": "Volunteer coordinator", "contact_email": "sam@kitchen.example.org",
    "contact_phone": "01632 960124", "schedule": "Tue,Thu 10:00-14:00", "term_time_only": False,
    "start_date": dt.date(2026, 9, 1), "end_date": dt.date(2027, 7, 16), "stages": ("stabilising", "progressing"),
    "continuum_steps": ("soft_skills",), "eligible_benefits": ("uc", "esa"), "min_age": 18, "max_age": 65,
    "requires_abstinence": False, "drug_testing": False, "accepts_convictions": "case_by_case", "dbs_check": "basic",
    "cost": "free", "travel_costs_paid": True, "childcare": True, "format": ("group", "informal", "work_based"),
    "referral": "either", "waiting_days": 0, "hours_per_week": 7.5, "languages": ("en", "pl"),
    "accessibility": "step-free access; hearing loop", "sector": "hospitality", "tags": ("catering", "cooking"),
    "for_groups": ("women", "care_leavers"), "mentoring_role": "both", "last_verified": dt.date(2026, 10, 1),
}
ONLINE = {"id": "online-1", "name": "Digital skills online", "organisation": "Tees Learning",
          "category": "basic_skills", "delivery": ("online",), "description": "<script>alert(1)</script>"}


@pytest.mark.parametrize("format, suffix", [("csv", "csv"), ("xlsx", "xlsx"), ("hsds", "json")])
def test_export_then_import_gives_the_same_entries(directory, tmp_path, format, suffix):
    directory.create(RICH, "alice")
    directory.create(ONLINE, "alice")
    directory.create({"id": "gone", "name": "Closed", "organisation": "X", "category": "housing", "postcode": "TS1 2AH"}, "alice")
    directory.archive("gone", "alice")
    exported = tmp_path / f"directory.{suffix}"
    exported.write_bytes(export_bytes(directory.entries(), format))

    fresh = Directory(f"sqlite:///{tmp_path / 'fresh.db'}", locate_postcode=fake_locator)
    create_user(fresh, "bob", "Bob", "editor")
    report = import_file(fresh, exported, author="bob")
    assert (report.created, report.rejected, report.possible_duplicates) == (2, [], [])
    assert [e.values() for e in fresh.entries()] == [e.values() for e in directory.entries()]
    again = import_file(directory, exported, author="bob")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    fresh.engine.dispose()


def test_geojson_has_a_point_for_each_placed_entry(directory):
    directory.create(RICH, "alice")
    directory.create(ONLINE, "alice")
    collection = geojson(directory.entries())
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-1.234694, 54.572076]}
    assert (feature["id"], feature["properties"]["tags"], feature["properties"]["start_date"]) == (
        "rich-1", ["catering", "cooking"], "2026-09-01")


def test_the_blank_templates_have_the_spec_columns():
    header = template_csv().decode("utf-8-sig").strip().split(",")
    assert header[:4] == ["id", "name", "organisation", "category"] and len(header) == 44 and header[-3:] == ["for_groups", "mentoring_role", "last_verified"]
    from openpyxl import load_workbook
    import io
    sheet = load_workbook(io.BytesIO(template_xlsx())).active
    assert [c.value for c in sheet[1]] == header
    assert sheet["B1"].comment.text.startswith("Name (required)")


def test_the_open_referral_examples_import_with_a_clear_report(directory, tmp_path):
    full = import_file(directory, HSDS_EXAMPLES / "service_full.json", author="alice")
    assert full.to_dict() == {
        "file": "service_full.json", "rows": 1, "created": 0, "updated": 0, "unchanged": 0,
        "rejected": [
            {"row": 1, "column": "postcode", "value": "ABC 1234",
             "reason": "'ABC 1234' is not a UK postcode: check it has the form TS1 3BA"},
            {"row": 1, "column": "latitude", "value": "100", "reason": "latitude 100 is out of range (−90 to 90)"},
            {"row": 1, "column": "category", "value": "",
             "reason": "category is required: use one of: treatment, recovery_support, health_wellbeing, housing, "
                       "money_advice, basic_skills, training, volunteering, work_placement, employment_support, "
                       "employer, self_employment, peer_mentoring, in_work_support"},
        ],
        "possible_duplicates": [],
        "warnings": [{"row": 1, "column": "", "reason": "phone: extension 100 left out"},
                     {"row": 1, "column": "", "reason": "contact_phone: extension 100 left out"},
                     {"row": 1, "column": "", "reason": "service area not a council, town or postcode district we "
                      "know (kept, but a postcode search does not find the service by it): The "
                      "service is available to all residents of the MyCity area. We provide the service in our "
                      "offices or via video conferencing to any who can provide evidence of their residency."},
                     {"row": 1, "column": "", "reason": "not carried over (no field here for them): accreditations, "
                      "alert, alternate_name, application_process, assurer_email, eligibility_description, funding, "
                      "interpretation_services, licenses, program, required_documents"}],
    }
    no_place = import_file(directory, HSDS_EXAMPLES / "service_list.json", author="alice", default_category="health_wellbeing")
    assert no_place.rejected == [{"row": 1, "column": "postcode", "value": "", "reason":
        "postcode is required for a service people attend in person: give a postcode, or latitude and longitude, "
        "or set delivery to online or phone"}]
    # The same service offered online (HSDS location_type "virtual") has no place to be: it imports.
    service = json.loads((HSDS_EXAMPLES / "service_list.json").read_text())["contents"][0]
    service["service_at_locations"] = [{"location": {"location_type": "virtual", "name": "Online"}}]
    path = tmp_path / "online.json"
    path.write_text(json.dumps([service]))
    listed = import_file(directory, path, author="alice", default_category="health_wellbeing")
    assert (listed.rows, listed.created, listed.rejected) == (1, 1, [])
    [entry] = directory.entries()
    assert (entry.name, entry.organisation, entry.category) == ("Community Counselling", "Example Organization Inc.", "health_wellbeing")
    # An area-wide service (service_areas, no location) imports as outreach; a defunct one is archived.
    service["id"], service["name"] = "area-wide", "Citywide counselling"
    service["service_at_locations"], service["service_areas"] = [], [{"name": "MyCity"}]
    closed = dict(service, id="closed", name="Closed counselling service", status="defunct")
    path.write_text(json.dumps([service, closed]))
    report = import_file(directory, path, author="alice", default_category="health_wellbeing", allow_duplicates=True)
    assert (report.created, report.rejected) == (2, [])
    assert directory.get("area-wide").delivery == ("outreach",)
    assert (directory.get("area-wide").archived, directory.get("closed").archived) == (False, True)
    from directory.areas import areas_served

    assert [area.name for area in areas_served(directory, "area-wide")] == ["MyCity"]  # kept from a file too


def test_import_reports_progress(directory, tmp_path):
    rows = "\n".join(f"Club {i},Org {i},training,TS1 2AH" for i in range(450))
    path = tmp_path / "many.csv"
    path.write_text("name,organisation,category,postcode\n" + rows + "\n", encoding="utf-8")
    seen = []
    report = import_file(directory, path, author="alice", allow_duplicates=True,
                         progress=lambda done, total: seen.append((done, total)))
    assert seen == [(200, 450), (400, 450), (450, 450)]
    assert report.created == 450


def test_import_reports_rows_written_after_each_transaction(directory, tmp_path, monkeypatch):
    import directory.io.importer as importer

    monkeypatch.setattr(importer, "WRITE_BATCH_CREATES", 2)
    monkeypatch.setattr(importer, "WRITE_BATCH_CREATES_POSTGRESQL", 2)
    monkeypatch.setattr(importer, "WRITE_BATCH_UPDATES", 2)
    directory.create({"id": "old-1", "name": "Old club", "organisation": "Org", "category": "training",
                      "postcode": "TS1 2AH"}, "alice")
    path = tmp_path / "five.csv"
    path.write_text("id,name,organisation,category,postcode\nold-1,Old club renamed,Org,training,TS1 2AH\n"
                    + "".join(f",Club {i},Org {i},training,TS1 2AH\n" for i in range(4)), encoding="utf-8")
    written = []
    report = import_file(directory, path, author="alice", allow_duplicates=True,
                         write_progress=lambda done, total: written.append((done, total)))
    assert written == [(1, 5), (3, 5), (5, 5)]  # the update's transaction, then two of two new entries
    assert (report.created, report.updated) == (4, 1)


def test_an_xlsx_file_imports_like_a_csv(directory, tmp_path):
    directory.create(RICH, "alice")
    path = tmp_path / "one.xlsx"
    path.write_bytes(write_xlsx(directory.entries()))
    fresh = Directory(f"sqlite:///{tmp_path / 'x.db'}", locate_postcode=fake_locator)
    create_user(fresh, "bob", "Bob", "editor")
    report = Importer(fresh, "bob").run(path.read_bytes(), "one.xlsx")
    assert json.loads(report.to_json())["created"] == 1
    fresh.engine.dispose()


def test_the_cycle_collector_is_off_while_an_import_runs_and_as_it_was_after(directory, tmp_path):
    import gc

    path = tmp_path / "two.csv"
    path.write_text("name,organisation,category,postcode\nClub A,Org,training,TS1 2AH\nClub B,Org,training,TS1 3BA\n",
                    encoding="utf-8")
    seen = []
    for enabled_before in (True, False):
        (gc.enable if enabled_before else gc.disable)()
        try:
            import_file(directory, path, author="alice", allow_duplicates=True,
                        progress=lambda done, total: seen.append(("checking", gc.isenabled())),
                        write_progress=lambda done, total: seen.append(("writing", gc.isenabled())))
            seen.append(("after", gc.isenabled()))
        finally:
            gc.enable()
    assert seen == [("checking", False), ("writing", False), ("after", True),
                    ("checking", False), ("writing", False), ("after", False)]
