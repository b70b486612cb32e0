"""Dates in words, from their one home (directory.schedule: describe_date, describe_long_date, describe_moment):
the plan and referral documents, the Find card's next session and the printable list say them the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from directory.schedule import describe_date, describe_long_date, describe_moment
from planner.documents import PlanDocument, _title, format_day

LONDON = __import__("zoneinfo").ZoneInfo("Europe/London")


def test_a_date_in_full_and_a_moment():
    assert describe_long_date(dt.date(2026, 12, 7)) == "Monday 7 December 2026"
    assert describe_long_date(dt.date(2027, 1, 1)) == "Friday 1 January 2027"
    assert describe_moment(dt.datetime(2026, 12, 7, 0, 43, tzinfo=LONDON)) == "Monday 7 December 2026 at 12:43am"
    assert describe_moment(dt.datetime(2026, 12, 7, 14, 5)) == "Monday 7 December 2026 at 2:05pm"
    assert describe_moment(dt.datetime(2026, 12, 8, 12, 0)) == "Tuesday 8 December 2026 at 12pm"
    assert describe_moment(dt.datetime(2026, 12, 8, 0, 0)) == "Tuesday 8 December 2026 at midnight"


def test_the_plan_documents_say_dates_in_full():
    assert format_day(dt.date(2026, 11, 12)) == "Thursday 12 November 2026"
    assert format_day(None) == "no date set"
    plan = PlanDocument(ref="C-0042", made_on=dt.date(2026, 11, 3), where_now="You are working on: health.")
    assert _title(plan) == ("My action plan", "Reference C-0042 · made on Tuesday 3 November 2026")


def test_the_next_session_says_a_date_as_the_cards_do():
    from directory.fields import Entry
    from ui.render import describe_next_session

    monday = dt.datetime(2026, 12, 21, 9, 0, tzinfo=LONDON)
    weekly = Entry(id="x", name="x", organisation="o", category="training", schedule="Mon 10:00-11:00")
    assert describe_next_session(weekly, monday, on_day=0) == "Today, 10am"
    later = Entry(id="y", name="y", organisation="o", category="training", schedule="Wed 10:00-11:00")
    assert describe_next_session(later, monday) == "Wed 23 Dec, 10am" == f"{describe_date(dt.date(2026, 12, 23), monday.date())}, 10am"
    starting = Entry(id="z", name="z", organisation="o", category="training", schedule="Mon 10:00-11:00",
                     start_date=dt.date(2027, 1, 4))
    assert describe_next_session(starting, monday) == "Mon 4 Jan 2027, 10am"


def test_the_printable_list_says_when_it_was_printed_in_words(directory):
    from ui.print_view import find_print_page

    directory.create({"id": "cafe-1", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "postcode": "TS1 3BA"}, "alice")
    page = find_print_page(directory, {"q": ["café"]}, dt.datetime(2026, 12, 7, 0, 43, tzinfo=LONDON))
    assert "1 result, printed on Monday 7 December 2026 at 12:43am</p>" in page
    assert "07 Dec 2026" not in page
