"""python -m planner recommend CLIENT.json [--limit N] [--text], end to end on a temporary SQLite directory."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from directory.accounts import create_user
from directory.api import Directory
from planner import parse_profile, recommend
from tests.conftest import fake_locator
from tests.test_planner_fixtures import spec_profile

ROOT = Path(__file__).resolve().parents[1]

ENTRIES = [
    {"id": "kitchen", "name": "Community kitchen volunteering", "organisation": "Tees Community Kitchen",
     "category": "volunteering", "postcode": "TS1 2AH", "schedule": "Tue 11:00-14:00", "sector": "hospitality",
     "cost": "free", "childcare": True},
    {"id": "reading", "name": "Reading and writing group", "organisation": "Tees Adult Learning",
     "category": "basic_skills", "postcode": "TS5 6PY", "schedule": "Thu 14:00-16:00", "tags": ("literacy",)},
    {"id": "early-club", "name": "Breakfast club volunteering", "organisation": "St Hilda's",
     "category": "volunteering", "postcode": "TS1 3BA", "schedule": "Mon-Fri 08:30-10:00"},
]


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    directory = Directory(url, locate_postcode=fake_locator)
    create_user(directory, "alice", "Alice", "editor")
    for values in ENTRIES:
        directory.create(values, "alice")
    yield url, directory
    directory.engine.dispose()


def run(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if url:
        env["DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "planner", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "client.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_recommend_prints_the_plan_as_json(database, tmp_path):
    url, directory = database
    data = spec_profile()
    done = run("recommend", write(tmp_path, json.dumps(data)), "--limit", "1", "--json", url=url)
    assert (done.returncode, done.stderr) == (0, "")
    output = json.loads(done.stdout)
    # The same plan in-process, with the test postcodes (real positions of the same postcodes).
    expected = recommend(parse_profile(data), directory.entries(), dt.date.today(), limit=1,
                         postcode_locator=fake_locator).to_dict()
    assert output == expected
    assert [r["entry_id"] for r in output["recommendations"]] == ["kitchen"]
    assert output["recommendations"][0]["distance_km"] == 0.5
    assert output["excluded"] == [{"entry_id": "early-club", "name": "Breakfast club volunteering", "reasons": [
        "clashes with supervised consumption Mon-Sat 09:00-10:00", "outside available times: Mon-Fri 08:30-10:00"]}]


def test_the_default_limit_is_ten_and_the_default_output_is_the_json_the_contract_names(database, tmp_path):
    url, _ = database
    done = run("recommend", write(tmp_path, json.dumps(spec_profile())), url=url)
    assert done.returncode == 0
    assert [r["entry_id"] for r in json.loads(done.stdout)["recommendations"]] == ["kitchen", "reading"]


def test_recommend_prints_the_plan_as_a_person_reads_it(database, tmp_path):
    url, _ = database
    done = run("recommend", write(tmp_path, json.dumps(spec_profile())), "--text", url=url)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == PLAN_TEXT


def test_an_invalid_profile_exits_1_naming_the_field(tmp_path):
    path = write(tmp_path, json.dumps(spec_profile(stage="recovering")))
    done = run("recommend", path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"error: {path}: stage: must be one of crisis, early, stabilising, progressing, sustained\n"


def test_invalid_json_exits_1_saying_where(tmp_path):
    path = write(tmp_path, '{"ref": "C-1", "stage": }')
    done = run("recommend", path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"error: {path} is not valid JSON: line 1 column 25: Expecting value\n"


def test_a_missing_file_exits_1(tmp_path):
    done = run("recommend", str(tmp_path / "nobody.json"))
    assert done.returncode == 1
    assert done.stderr == f"error: cannot read {tmp_path / 'nobody.json'}: No such file or directory\n"


@pytest.mark.parametrize("args", [(), ("recommend",), ("recommend", "client.json", "--limit", "0"),
                                  ("recommend", "client.json", "--limit", "ten"), ("plan", "client.json")])
def test_wrong_arguments_exit_2(args):
    done = run(*args)
    assert done.returncode == 2 and done.stdout == "" and "usage: python -m planner" in done.stderr


# Times in plain English; only the part of the reading group's session that fits is said to fit, beside the
# warning of the part that does not.
PLAN_TEXT = """\
Plan for C-0042: stabilising, job-readiness amber (4 of 5 indicators met, 5 known)
Working on: soft skills; next: soft skills, training

1. Community kitchen volunteering (Tees Community Kitchen): Volunteering
   Why: matches goal sector: hospitality; same field as interest: catering (hospitality); 0.5 km away; \
Tue 11am to 2pm fits availability; creche or childcare offered; free; next step: soft skills
2. Reading and writing group (Tees Adult Learning): Basic skills (English, maths, ESOL, digital)
   Why: help with reading, writing and maths; training the client is looking for; 1.4 km away; \
Thu 3pm to 4pm fits availability; next step: training
   Check first: arrive after 3pm: keyworker appointment

Ruled out (1):
- Breakfast club volunteering: clashes with supervised consumption Mon to Sat 9am to 10am; outside available \
times: Mon to Fri 8:30am to 10am
"""
