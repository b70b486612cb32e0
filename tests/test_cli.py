"""python -m directory, end to end in a subprocess, as docs/cli.md describes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROVIDERS = """\
id,name,organisation,category,postcode,schedule,cost,tags,delivery
esol-1,ESOL drop-in,Tees Learning,basic_skills,TS1 3BA,Thu 10:00-12:00,free,esol,in_person
club-1,Linthorpe Job Club,Tees Works,employment_support,TS5 6PY,Tue 10:00-12:00,free,,in_person
online-1,Digital skills online,Tees Learning,basic_skills,,,free,digital,online
bad-1,Bad row,Tees Works,jobs,TS1 3BA,,,,
"""


def run(*args: str, url: str, check_code: int | None = 0) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-m", "directory", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    if check_code is not None:
        assert result.returncode == check_code, result.stderr
    return result


@pytest.fixture
def loaded(db_url, tmp_path):
    source = tmp_path / "providers.csv"
    source.write_text(PROVIDERS, encoding="utf-8")
    report_path = tmp_path / "report.json"
    result = run("import", str(source), "--report", str(report_path), url=db_url)
    return db_url, tmp_path, result, json.loads(report_path.read_text())


def test_import_writes_the_report_and_exits_0_with_rejected_rows(loaded):
    _, _, result, report = loaded
    assert (report["rows"], report["created"], report["rejected"]) == (4, 3, [
        {"row": 4, "column": "category", "value": "jobs", "reason": "unknown category 'jobs'; did you mean 'employer'?"}
    ])
    assert result.stdout.splitlines()[0] == "4 rows read, 3 were created, 0 updated, 0 unchanged, 1 rejected"


def test_search_json_near_a_postcode_keeps_online_entries_with_no_distance(loaded):
    url = loaded[0]
    result = run("search", "esol", "--near", "TS1 3BA", "--within-km", "3", "--json", url=url)
    assert json.loads(result.stdout) == [
        {"entry_id": "esol-1", "name": "ESOL drop-in", "organisation": "Tees Learning", "category": "basic_skills",
         "postcode": "TS1 3BA", "distance_km": 0.0, "score": 1.0},
    ]
    result = run("search", "--near", "TS1 3BA", "--within-km", "3", "--category", "basic_skills", "--json", url=url)
    assert [(r["entry_id"], r["distance_km"]) for r in json.loads(result.stdout)] == [("esol-1", 0.0), ("online-1", None)]


def test_search_near_reads_a_district_or_a_postcode_as_the_find_page_does(loaded):
    from directory.geo import district_centre, haversine_km

    from directory.postcodes import default_table

    url = loaded[0]
    by_district = json.loads(run("search", "--near", "ts1", "--within-km", "3", "--json", url=url).stdout)
    centre = district_centre("TS1")  # a district is measured from its middle, not from any one postcode
    expected = {entry_id: round(float(haversine_km(*centre, *default_table().locate(postcode))), 2)
                for entry_id, postcode in (("esol-1", "TS1 3BA"), ("club-1", "TS5 6PY"))}
    assert [(r["entry_id"], r["distance_km"]) for r in by_district] == [
        *sorted(expected.items(), key=lambda item: item[1]), ("online-1", None)]
    assert 0 < expected["esol-1"] < 3
    unspaced = json.loads(run("search", "esol", "--near", "ts13ba", "--json", url=url).stdout)
    assert (unspaced[0]["entry_id"], unspaced[0]["distance_km"]) == ("esol-1", 0.0)
    result = run("search", "--near", "ZZ9", url=url, check_code=2)
    assert result.stderr.strip() == "error: there is no postcode district ZZ9: check it, or type the full postcode"


def test_search_near_reads_a_town_by_name_as_the_find_page_does(loaded):
    from directory.geo import haversine_km
    from directory.places import place_centre, place_named
    from directory.postcodes import default_table

    url = loaded[0]
    centre = place_centre(place_named("Middlesbrough"))  # the middle of TS1 1-5's postcodes
    by_town = json.loads(run("search", "--near", "middlesbrough", "--within-km", "3", "--json", url=url).stdout)
    esol = round(float(haversine_km(*centre, *default_table().locate("TS1 3BA"))), 2)
    assert by_town[0]["entry_id"] == "esol-1" and by_town[0]["distance_km"] == esol
    result = run("search", "--near", "Atlantis", url=url, check_code=2)
    assert result.stderr.strip() == ("error: 'Atlantis' is not a UK postcode or a place we know: type it like "
                                     "TS1 3BA, just the district, like TS1, or the town, like Thornaby")


def test_search_with_an_unknown_postcode_exits_2_in_plain_english(loaded):
    result = run("search", "--near", "TS1 7ZZ", url=loaded[0], check_code=2)
    assert result.stderr.strip() == "error: postcode TS1 7ZZ not found: check it, or give latitude and longitude instead"


def test_export_then_dry_run_import_shows_everything_unchanged(loaded):
    url, tmp_path, _, _ = loaded
    for format, suffix in (("csv", "csv"), ("hsds", "json"), ("geojson", "geojson")):
        out = tmp_path / f"out.{suffix}"
        result = run("export", "--format", format, "--out", str(out), url=url)
        assert result.stdout.strip() == f"wrote 3 entries to {out}"
    report = tmp_path / "again.json"
    run("import", str(tmp_path / "out.json"), "--dry-run", "--report", str(report), url=url)
    assert json.loads(report.read_text())["unchanged"] == 3
    assert len(json.loads((tmp_path / "out.geojson").read_text())["features"]) == 2
    # The Open Referral export meets the ORUK 3.0 schema (tests/test_oruk.py checks it in depth).
    from tests.oruk_schemas import errors

    assert [errors("service", service) for service in json.loads((tmp_path / "out.json").read_text())] == [[], [], []]


def test_an_unreadable_file_exits_1_and_wrong_arguments_exit_2(db_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x01")
    result = run("import", str(bad), url=db_url, check_code=1)
    assert "Nothing was imported." in result.stderr
    run("import", url=db_url, check_code=2)
    run("search", "--category", "nonsense", url=db_url, check_code=2)
    result = run("import", str(bad), "--as", "nobody", url=db_url, check_code=2)
    assert result.stderr.strip() == "error: no account 'nobody': create it in the app first, or leave out --as"
