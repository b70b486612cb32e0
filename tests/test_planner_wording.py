"""Plain English for people (planner.wording): what the next steps cards, the CLI's text and the plan say, while
the output JSON keeps the spec's machine times."""

from __future__ import annotations

import datetime as dt

import pytest

from directory.schedule import describe_date, describe_time, parse_schedule
from planner.wording import days_words, hours_text, plain, sessions_words, short_date

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize("machine, words", [
    ("Tue 11:00-14:00 fits availability", "Tue 11am to 2pm fits availability"),
    ("Mon,Wed 10:00-15:00 fits around commitments", "Mon and Wed 10am to 3pm fits around commitments"),
    ("runs Mon-Thu 09:00-17:00; Fri 09:00-16:30", "runs Mon to Thu 9am to 5pm; Fri 9am to 4:30pm"),
    ("runs Mon-Sun 18:00-23:00", "runs every day 6pm to 11pm"),
    ("runs Mon-Sun 00:00-24:00", "runs every day, all day"),
    ("only some sessions fit: Mon,Wed,Fri 09:00-12:00", "only some sessions fit: Mon, Wed and Fri 9am to 12pm"),
    ("arrive after 10:00: supervised consumption", "arrive after 10am: supervised consumption"),
    ("leave by 14:30: outside available times", "leave by 2:30pm: outside available times"),
    ("miss 09:00-10:00: methadone collection", "miss 9am to 10am: methadone collection"),
    ("clashes with supervised consumption Mon-Sat 09:00-10:00",
     "clashes with supervised consumption Mon to Sat 9am to 10am"),
    ("ended on 2026-11-30", "ended on Mon 30 Nov"),
    ("ended on 2025-02-28", "ended on Fri 28 Feb 2025"),
    ("started Mon 27 Jul, ends Fri 1 Jan 2027: ask about joining late",
     "started Mon 27 Jul, ends Fri 1 Jan 2027: ask about joining late"),
    ("1.4 km away", "1.4 km away"),
    ("16 hours a week, within the 16 aimed for", "16 hours a week, within the 16 aimed for"),
])
def test_machine_times_and_dates_read_plain(machine, words):
    assert plain(machine, TODAY) == words


def test_days_and_sessions():
    assert [days_words(d) for d in ([0, 1, 2, 3, 4], [1, 3], [0, 2, 4], [0, 1, 2, 5], [5, 6], range(7))] == [
        "Mon to Fri", "Tue and Thu", "Mon, Wed and Fri", "Mon to Wed and Sat", "Sat and Sun", "every day"]
    assert sessions_words(parse_schedule("Mon 09:00-12:00; Wed 13:30-16:00; Fri 09:00-12:00")) == (
        "Mon and Fri 9am to 12pm; Wed 1:30pm to 4pm")


def test_one_home_for_times_and_dates():
    assert [describe_time(dt.time(h, m)) for h, m in ((9, 0), (13, 30), (12, 0), (0, 0))] == [
        "9am", "1:30pm", "12pm", "midnight"]
    assert short_date is describe_date
    assert (short_date(dt.date(2026, 12, 8), TODAY), short_date(dt.date(2027, 1, 4), TODAY)) == (
        "Tue 8 Dec", "Mon 4 Jan 2027")
    assert (hours_text(1), hours_text(7.5)) == ("1 hour", "7.5 hours")
