"""The schedule column: reading, canonical text, plain English and 'what is on next'."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from directory.schedule import (
    DAYS,
    END_OF_DAY,
    ScheduleError,
    Session,
    describe_sessions,
    format_schedule,
    next_session,
    normalise_schedule,
    parse_schedule,
    sessions_on,
)

T = dt.time
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def s(day: int, start: str, end: str) -> Session:
    return Session(day, T.fromisoformat(start), END_OF_DAY if end == "24:00" else T.fromisoformat(end))


# -- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", " ; ", "By arrangement", "by arrangement."])
def test_empty_means_by_arrangement(text):
    assert parse_schedule(text) == ()
    assert normalise_schedule(text) is None


def test_spec_example():
    assert parse_schedule("Mon 09:00-12:00; Wed 13:30-16:00; Sat 10:00-12:00") == (
        s(MON, "09:00", "12:00"), s(WED, "13:30", "16:00"), s(SAT, "10:00", "12:00"),
    )


def test_day_range_and_list():
    assert parse_schedule("Mon-Fri 09:00-17:00") == tuple(s(d, "09:00", "17:00") for d in range(5))
    assert parse_schedule("Tue,Thu 10:00-12:00") == (s(TUE, "10:00", "12:00"), s(THU, "10:00", "12:00"))


def test_result_is_sorted_and_duplicates_collapse():
    assert parse_schedule("Sat 10:00-12:00; Mon 09:00-10:00; Mon 09:00-10:00; Mon,Mon 09:00-10:00") == (
        s(MON, "09:00", "10:00"), s(SAT, "10:00", "12:00"),
    )


def test_overlapping_sessions_are_kept():
    assert parse_schedule("Mon 09:00-12:00; Mon 11:00-13:00") == (s(MON, "09:00", "12:00"), s(MON, "11:00", "13:00"))


@pytest.mark.parametrize(
    "text",
    [
        "Tue,Thu 10:00-12:00",
        "Tue, Thu 10:00-12:00",
        "tue thu 10:00-12:00",
        "Tues & Thurs 10:00-12:00",
        "Tuesday and Thursday 10:00-12:00",
        "TUESDAYS / THURSDAYS 10:00-12:00",
        "Tue. Thur: 10:00-12:00",
        "Tue 10:00-12:00\nThu 10:00-12:00",
        "Tue 10:00-12:00;Thu 10:00-12:00;",
    ],
)
def test_forgiving_day_spellings_and_lists(text):
    assert parse_schedule(text) == (s(TUE, "10:00", "12:00"), s(THU, "10:00", "12:00"))


@pytest.mark.parametrize("spelling", ["Wed", "wed", "WEDNESDAY", "Wednesdays", "weds"])
def test_wednesday_spellings(spelling):
    assert parse_schedule(f"{spelling} 10:00-11:00") == (s(WED, "10:00", "11:00"),)


@pytest.mark.parametrize(
    "text", ["Mon-Fri 09:00-17:00", "Mon - Fri 09:00-17:00", "Mon–Fri 09:00-17:00", "Monday to Friday 09:00-17:00",
             "weekdays 09:00-17:00"],
)
def test_day_range_spellings(text):
    assert parse_schedule(text) == tuple(s(d, "09:00", "17:00") for d in range(5))


def test_day_groups():
    assert [x.day for x in parse_schedule("weekends 10:00-12:00")] == [SAT, SUN]
    assert [x.day for x in parse_schedule("daily 10:00-12:00")] == list(range(7))
    assert [x.day for x in parse_schedule("Every day 10:00-12:00")] == list(range(7))


def test_wrapping_range_goes_past_sunday():
    assert [x.day for x in parse_schedule("Fri-Mon 10:00-12:00")] == [MON, FRI, SAT, SUN]
    assert [x.day for x in parse_schedule("Sun-Sat 10:00-12:00")] == list(range(7))
    assert [x.day for x in parse_schedule("Wed-Wed 10:00-12:00")] == [WED]


@pytest.mark.parametrize(
    "times",
    ["09:00-12:30", "9:00-12:30", "0900-1230", "9.00-12.30", "9am-12:30pm", "9 am - 12.30 pm", "9a.m.-12:30p.m.",
     "9AM to 12:30PM", "09:00–12:30", "09:00 — 12:30"],
)
def test_time_spellings(times):
    assert parse_schedule(f"Mon {times}") == (s(MON, "09:00", "12:30"),)


def test_twelve_am_is_midnight_and_twelve_pm_is_noon():
    assert parse_schedule("Mon 12am-12pm") == (s(MON, "00:00", "12:00"),)
    assert parse_schedule("Mon 12:30pm-1pm") == (s(MON, "12:30", "13:00"),)


def test_24_00_is_the_end_of_the_day():
    assert parse_schedule("Fri 22:00-24:00; Sat 00:00-02:00") == (s(FRI, "22:00", "24:00"), s(SAT, "00:00", "02:00"))
    assert parse_schedule("Sun 0000-2400") == (Session(SUN, T(0, 0), END_OF_DAY),)


def test_several_times_in_one_clause():
    assert parse_schedule("Sat 10:00-12:00, 14:00-16:00") == (s(SAT, "10:00", "12:00"), s(SAT, "14:00", "16:00"))
    assert parse_schedule("Mon,Wed 9am-12pm and 1pm-3pm") == (
        s(MON, "09:00", "12:00"), s(MON, "13:00", "15:00"), s(WED, "09:00", "12:00"), s(WED, "13:00", "15:00"),
    )


DAY_HINT = "use Mon, Tue, Wed, Thu, Fri, Sat or Sun"


@pytest.mark.parametrize(
    "text, message",
    [
        ("Thurday 10:00-12:00", f"'Thurday' is not a day: {DAY_HINT} (did you mean Thu?)"),
        ("Mondy 10:00-12:00", f"'Mondy' is not a day: {DAY_HINT} (did you mean Mon?)"),
        ("Tue,Frday 10:00-12:00", f"'Frday' is not a day: {DAY_HINT} (did you mean Fri?)"),
        ("weekdys 10:00-12:00", f"'weekdys' is not a day: {DAY_HINT} (did you mean weekdays?)"),
        ("Xyz 10:00-12:00", f"'Xyz' is not a day: {DAY_HINT}"),
        ("Mon-Zed 10:00-12:00", f"'Zed' is not a day: {DAY_HINT}"),
        ("Mon- 10:00-12:00", "'Mon-' is not a range of days: write it like Mon-Fri"),
        ("Mon-Wed-Fri 10:00-12:00", "'Mon-Wed-Fri' is not a range of days: write it like Mon-Fri"),
        (", 10:00-12:00", f"',' names no day: {DAY_HINT}"),
        ("Mon", "'Mon' has no time: add one, e.g. Mon 09:00-12:00"),
        ("Mon 09:00-12:00; Tue,Thu", "'Tue,Thu' has no time: add one, e.g. Tue,Thu 09:00-12:00"),
        ("09:00-12:00", "'09:00-12:00' has no day: put the days first, e.g. Mon-Fri 09:00-12:00"),
        ("Mon 9-5", "'9' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 25:00-26:00", "'25:00' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 09:60-10:00", "'09:60' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 13pm-2pm", "'13pm' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 0am-2am", "'0am' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 900-1000", "'900' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 24:30-25:00", "'24:30' is not a time: use 24-hour HH:MM, e.g. 09:30"),
        ("Mon 9am",
         "'9am' is not a time range: write the start and end, e.g. 09:00-12:00, and put ';' before the next days"),
        ("Mon 09:00-12:00 Tue 10:00-11:00",
         "'09:00-12:00 Tue 10:00-11:00' is not a time range: write the start and end, e.g. 09:00-12:00, "
         "and put ';' before the next days"),
        ("Mon 12:00-09:00",
         "'12:00-09:00' ends before it starts: split a session that runs past midnight, "
         "e.g. Fri 22:00-24:00; Sat 00:00-02:00"),
        ("Fri 22:00-00:00", "'22:00-00:00' ends before it starts: write 24:00 for midnight"),
        ("Mon 10:00-10:00", "'10:00-10:00' ends when it starts: give an end time after the start"),
        ("Mon 24:00-01:00", "'24:00-01:00' starts at 24:00: write 00:00 on the next day"),
    ],
)
def test_errors_say_what_to_write(text, message):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert str(caught.value) == message


def test_schedule_error_is_a_value_error():
    assert issubclass(ScheduleError, ValueError)


def test_sessions_refuse_impossible_values():
    with pytest.raises(ValueError):
        Session(7, T(9), T(10))
    with pytest.raises(ValueError):
        Session(MON, T(10), T(9))


# -- canonical text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("monday 9am-12pm; Tues, Thurs 10:00–12:00", "Mon 09:00-12:00; Tue,Thu 10:00-12:00"),
        ("Mon 9:00-17:00; Tue 9:00-17:00; Wed 9:00-17:00; Thu 9:00-17:00; Fri 9:00-17:00", "Mon-Fri 09:00-17:00"),
        ("Sat 10:00-12:00; Sun 10:00-12:00", "Sat,Sun 10:00-12:00"),
        ("Mon,Tue,Wed,Fri 09:00-12:00", "Mon-Wed,Fri 09:00-12:00"),
        ("Fri-Mon 09:00-12:00", "Mon,Fri-Sun 09:00-12:00"),
        ("daily 08:00-20:00", "Mon-Sun 08:00-20:00"),
        # Clauses by first day, then start.
        ("Wed 18:00-20:00; Mon-Fri 09:00-17:00; Mon 07:00-08:00",
         "Mon 07:00-08:00; Mon-Fri 09:00-17:00; Wed 18:00-20:00"),
        ("Sat 14:00-16:00, 10:00-12:00", "Sat 10:00-12:00; Sat 14:00-16:00"),
        ("Fri 22:00-24:00", "Fri 22:00-24:00"),
    ],
)
def test_normalise_writes_the_canonical_text(text, canonical):
    assert normalise_schedule(text) == canonical
    assert normalise_schedule(canonical) == canonical


def test_format_of_nothing_is_empty():
    assert format_schedule(()) == ""


def test_format_accepts_unsorted_duplicates():
    sessions = [s(THU, "10:00", "12:00"), s(TUE, "10:00", "12:00"), s(TUE, "10:00", "12:00")]
    assert format_schedule(sessions) == "Tue,Thu 10:00-12:00"


def test_round_trip_of_random_schedules():
    rng = random.Random(20260901)
    quarter_hours = [T(h, m) for h in range(24) for m in (0, 15, 30, 45)] + [END_OF_DAY]
    for _ in range(300):
        sessions = set()
        for _ in range(rng.randint(1, 12)):
            start, end = sorted(rng.sample(quarter_hours, 2))
            sessions.add(Session(rng.randrange(7), start, end))
        expected = tuple(sorted(sessions))
        assert parse_schedule(format_schedule(expected)) == expected


# -- plain English ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, english",
    [
        ("Mon 09:00-12:00; Tue,Thu 10:00-12:00", "Mondays 9am to 12pm; Tuesdays and Thursdays 10am to 12pm"),
        ("Mon-Fri 09:00-17:00", "Monday to Friday 9am to 5pm"),
        ("Mon,Wed,Fri 09:30-11:45", "Mondays, Wednesdays and Fridays 9:30am to 11:45am"),
        ("Mon-Wed,Fri 13:00-14:00", "Monday to Wednesday and Fridays 1pm to 2pm"),
        ("daily 00:00-24:00", "Every day midnight to midnight"),
        ("Sat 12:00-12:30", "Saturdays 12pm to 12:30pm"),
        ("Sun 00:30-01:00", "Sundays 12:30am to 1am"),
    ],
)
def test_describe_in_plain_english(text, english):
    assert describe_sessions(parse_schedule(text)) == english


def test_describe_nothing_is_by_arrangement():
    assert describe_sessions(()) == "By arrangement"


# -- asking -------------------------------------------------------------------------

WEEK = parse_schedule("Mon 09:00-12:00; Wed 13:30-16:00; Sat 22:00-24:00")
MONDAY = dt.date(2026, 9, 7)  # a Monday


def at(days_after_monday: int, time: str) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=days_after_monday), T.fromisoformat(time))


@pytest.mark.parametrize(
    "now, start, session",
    [
        (at(MON, "08:00"), at(MON, "09:00"), s(MON, "09:00", "12:00")),
        (at(MON, "09:00"), at(MON, "09:00"), s(MON, "09:00", "12:00")),
        (at(MON, "10:30"), at(MON, "09:00"), s(MON, "09:00", "12:00")),  # in progress: started today
        (at(MON, "12:00"), at(WED, "13:30"), s(WED, "13:30", "16:00")),  # just finished
        (at(THU, "09:00"), at(SAT, "22:00"), s(SAT, "22:00", "24:00")),
        (at(SAT, "23:59"), at(SAT, "22:00"), s(SAT, "22:00", "24:00")),  # runs to midnight
        (at(SUN, "00:00"), at(7 + MON, "09:00"), s(MON, "09:00", "12:00")),  # wraps into next week
    ],
)
def test_next_session(now, start, session):
    assert next_session(WEEK, now) == (start, session)


def test_next_session_after_the_only_session_is_next_week():
    only = parse_schedule("Wed 10:00-11:00")
    assert next_session(only, at(WED, "11:00")) == (at(7 + WED, "10:00"), s(WED, "10:00", "11:00"))


def test_next_session_keeps_the_time_zone():
    london = dt.timezone(dt.timedelta(hours=1))
    found, _ = next_session(WEEK, at(MON, "08:00").replace(tzinfo=london))
    assert found == at(MON, "09:00").replace(tzinfo=london)


def test_no_sessions_no_next_session():
    assert next_session((), at(MON, "08:00")) is None


def test_sessions_on_a_day():
    sessions = parse_schedule("Mon 13:00-14:00; Mon 09:00-10:00; Tue 09:00-10:00")
    assert sessions_on(sessions, MON) == (s(MON, "09:00", "10:00"), s(MON, "13:00", "14:00"))
    assert sessions_on(sessions, SUN) == ()
    with pytest.raises(ValueError):
        sessions_on(sessions, 7)


def test_days_are_monday_first():
    assert DAYS == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
