"""python -m planner referrals --from DATE --to DATE [--json]: the referral funnel for data returns, end to end in
a subprocess as docs/cli.md describes it, on both databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.test_planner_cli import run
from tests.test_referrals import World

UTC = dt.timezone.utc


def at(day: int, month: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def url(directory, db_url):
    """Four referrals of one client in November and December 2025 (all answers long past)."""
    world = World(directory)
    r = world.referrals
    a = world.refer(now=at(3, 11))
    r.accept(world.ola, a.id, now=at(4, 11))
    r.start(world.ola, a.id, now=at(10, 11))
    r.complete(world.ola, a.id, "job_start", now=at(1, 12))
    b = world.refer(now=at(17, 11), allow_duplicate=True)
    r.decline(world.ola, b.id, "no_capacity", now=at(19, 11))
    world.refer(now=at(1, 12), allow_duplicate=True)  # never answered
    e = world.refer("kitchen", now=at(8, 12))
    r.accept(world.kim, e.id, now=at(9, 12, 22))
    return db_url


def test_the_funnel_as_a_table(url):
    done = run("referrals", "--from", "2025-11-01", "--to", "2025-12-31", "--by", "month,to_organisation", url=url)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == """\
Referrals sent 1 November 2025 to 31 December 2025 (no answer: none within 5 working days)

Month    Referred to             Sent  Accepted  Started  Completed  Job start  In work at 13 weeks  Declined  Withdrawn  No answer  Median days
2025-11  Teesside College           2         1        1          1          1                    0         1          0          0          1.5
2025-12  Tees Community Kitchen     1         1        0          0          0                    0         0          0          0          1.5
2025-12  Teesside College           1         0        0          0          0                    0         0          0          1
All                                 4         2        1          1          1                    0         1          0          1          1.5

Declined, by reason: No capacity 1
No answer: 1 of 4 (25.0%)
"""


def test_the_funnel_as_json(url):
    done = run("referrals", "--from", "2025-12-01", "--to", "2025-12-31", "--json", url=url)
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(done.stdout)
    assert (data["from"], data["to"], data["by"], data["no_answer_working_days"]) == (
        "2025-12-01", "2025-12-31", ["month", "from_organisation", "to_organisation", "category"], 5)
    assert data["rows"] == [
        {"month": "2025-12", "from_organisation": "Tees Recovery Service", "to_organisation": "Tees Community Kitchen",
         "category": "volunteering", "sent": 1, "accepted": 1, "waiting_list": 0, "started": 0, "completed": 0,
         "job_start": 0, "in_work_13_weeks": 0, "declined": 0, "withdrawn": 0, "no_answer": 0, "no_answer_rate": 0.0,
         "median_days_to_answer": 1.5, "declined_reasons": {}, "outcomes": {}},
        {"month": "2025-12", "from_organisation": "Tees Recovery Service", "to_organisation": "Teesside College",
         "category": "basic_skills", "sent": 1, "accepted": 0, "waiting_list": 0, "started": 0, "completed": 0,
         "job_start": 0, "in_work_13_weeks": 0, "declined": 0, "withdrawn": 0, "no_answer": 1, "no_answer_rate": 1.0,
         "median_days_to_answer": None, "declined_reasons": {}, "outcomes": {}}]
    assert data["total"]["sent"] == 2 and "C-0042" not in done.stdout


@pytest.mark.parametrize("args, error", [
    (["--from", "2025-12-01"], "the following arguments are required: --to"),
    (["--from", "1/12/2025", "--to", "2025-12-31"], "'1/12/2025' is not a date: write it as YYYY-MM-DD"),
    (["--from", "2025-12-31", "--to", "2025-12-01"], "error: --to is before --from: swap them"),
    (["--from", "2025-12-01", "--to", "2025-12-31", "--by", "client"],
     "error: group by any of month, from_organisation, to_organisation, category"),
])
def test_wrong_arguments_exit_2(url, args, error):
    done = run("referrals", *args, url=url)
    assert done.returncode == 2 and error in done.stderr and done.stdout == ""
