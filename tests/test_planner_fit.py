"""Schedule arithmetic: the 60-minute window, shorter sessions, overlaps, availability, words."""

from __future__ import annotations

import random

import numpy as np
import pytest

from directory.schedule import format_schedule, parse_schedule
from planner.attendance import Attendance
from planner.fit import ClientTimes, fit_schedule, fit_session, judge_sessions, minutes
from planner.index import PlannerIndex
from planner.profile import parse_profile
from tests.test_planner_fixtures import entry, profile_data

SUPERVISED = {"what": "supervised consumption", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "start": "09:00", "end": "10:00"}
KEYWORKER = {"what": "keyworker appointment", "days": ["Thu"], "start": "14:00", "end": "15:00"}
WEEKDAYS = {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "10:30", "end": "16:00"}


def client_times(commitments=(SUPERVISED, KEYWORKER), available=None) -> ClientTimes:
    fields = {"commitments": list(commitments)}
    if available is not None:
        fields["available"] = list(available)
    profile = parse_profile(profile_data(**fields))
    return ClientTimes.of(profile.commitments, profile.available)


def fit(schedule: str, **times):
    return fit_schedule(parse_schedule(schedule), client_times(**times), schedule)


@pytest.mark.parametrize("schedule, attendable", [
    ("Mon 09:00-11:00", True),  # 10:00-11:00 is free: exactly 60 minutes
    ("Mon 09:00-10:59", False),  # 59 minutes
    ("Mon 10:00-10:45", True),  # shorter than an hour and wholly free
    ("Mon 09:30-10:15", False),  # shorter than an hour: the whole session must be free
    ("Sun 09:00-10:00", True),  # no commitment on Sunday
    ("Thu 13:00-14:30", True),  # 13:00-14:00 before the keyworker
    ("Thu 13:30-14:30", False),
    ("Thu 12:00-17:00", True),
])
def test_the_sixty_minute_window(schedule, attendable):
    assert fit(schedule).attendable is attendable


def test_a_partial_overlap_says_how_to_fit_round_the_commitment():
    assert fit("Mon 09:00-11:00").warnings == ("arrive after 10:00: supervised consumption",)
    assert fit("Thu 13:00-14:30").warnings == ("leave by 14:00: keyworker appointment",)
    assert fit("Thu 12:00-17:00").warnings == ("miss 14:00-15:00: keyworker appointment",)
    assert fit("Thu 11:00-13:00").warnings == ()


def test_a_session_cut_by_both_names_what_the_client_waits_for():
    # Supervised consumption ends at 10:00, but the client is only available from 10:30.
    assert fit("Mon 09:00-12:00", available=[WEEKDAYS]).warnings == ("arrive after 10:30: outside available times",)
    assert fit("Mon 10:00-16:30", available=[WEEKDAYS]).warnings == (
        "arrive after 10:30: outside available times", "leave by 16:00: outside available times",
    )


def test_no_session_attendable_names_the_commitments_and_the_times_outside_availability():
    result = fit("Mon-Fri 09:00-10:30", available=[WEEKDAYS])
    assert not result.attendable
    assert result.exclusion_reasons == (
        "clashes with supervised consumption Mon-Sat 09:00-10:00",
        "outside available times: Mon-Fri 09:00-10:30",
    )
    assert fit("Sat 10:00-12:00", available=[WEEKDAYS]).exclusion_reasons == ("outside available times: Sat 10:00-12:00",)
    assert fit("Thu 13:30-14:30").exclusion_reasons == ("clashes with keyworker appointment Thu 14:00-15:00",)


def test_only_some_sessions_fitting_names_the_ones_that_do():
    result = fit("Tue 11:00-14:00; Sat 10:00-12:00", available=[WEEKDAYS])
    assert result.attendable
    assert result.fitting == parse_schedule("Tue 11:00-14:00")
    assert result.warnings == ("only some sessions fit: Tue 11:00-14:00",)
    assert result.reason == "Tue 11:00-14:00 fits availability"


def test_the_reason_says_what_the_fit_was_checked_against():
    assert fit("Tue 11:00-14:00", available=[WEEKDAYS]).reason == "Tue 11:00-14:00 fits availability"
    assert fit("Tue 11:00-14:00").reason == "Tue 11:00-14:00 fits around commitments"
    assert fit("Tue 11:00-14:00", commitments=()).reason == "runs Tue 11:00-14:00"


def test_the_reason_says_only_the_part_that_fits_beside_a_warning_of_the_part_that_does_not():
    # Never "Mon-Sat 08:30-16:00 fits around commitments" beside "miss 09:00-10:00": the reason says what fits.
    methadone = {"what": "methadone collection", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
                 "start": "09:00", "end": "10:00"}
    cafe = fit("Mon-Sat 08:30-16:00", commitments=[methadone])
    assert (cafe.reason, cafe.warnings) == ("Mon-Sat 10:00-16:00 fits around commitments",
                                            ("miss 09:00-10:00: methadone collection",))
    # A piece shorter than the hour's window is not said to fit (08:30-09:00); one cut in two keeps both halves.
    assert fit("Thu 12:00-17:00").reason == "Thu 12:00-14:00; Thu 15:00-17:00 fits around commitments"
    assert fit("Mon 09:00-12:00", available=[WEEKDAYS]).reason == "Mon 10:30-12:00 fits availability"
    # a session shorter than an hour fits only whole, so it is said whole
    assert fit("Mon 10:00-10:45").reason == "Mon 10:00-10:45 fits around commitments"


def test_by_arrangement_always_fits():
    result = fit_schedule((), client_times(available=[WEEKDAYS]))
    assert (result.attendable, result.reason, result.warnings) == (True, "times by arrangement", ())


def test_midnight_is_the_end_of_the_day():
    late = {"what": "night shelter curfew", "days": ["Fri"], "start": "22:00", "end": "24:00"}
    assert fit("Fri 21:00-24:00", commitments=[late]).warnings == ("leave by 22:00: night shelter curfew",)
    assert fit("Fri 22:30-24:00", commitments=[late]).exclusion_reasons == (
        "clashes with night shelter curfew Fri 22:00-24:00",)


def test_vectorised_verdicts_agree_with_the_session_by_session_arithmetic():
    """judge_sessions (numpy, used for every plan) against fit_session (Python, used for words)."""
    rng = random.Random(3)
    for _ in range(40):
        commitments = [
            {"what": f"c{i}", "days": rng.sample(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], rng.randint(1, 3)),
             "start": f"{h:02d}:{m:02d}", "end": f"{h + rng.randint(0, 2):02d}:{(m + 30) % 60:02d}"}
            for i, (h, m) in enumerate((rng.randint(7, 18), rng.choice((0, 30))) for _ in range(rng.randint(0, 3)))
        ]
        commitments = [c for c in commitments if c["end"] > c["start"]]
        available = [WEEKDAYS] if rng.random() < 0.5 else None
        times = client_times(commitments, available)
        sessions = parse_schedule("; ".join(
            f"{rng.choice(['Mon', 'Tue', 'Thu', 'Sat', 'Sun'])} {s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
            for s in (rng.randrange(6 * 60, 20 * 60, 15) for _ in range(12))
            for e in (min(s + rng.choice((30, 45, 60, 75, 90, 180)), 24 * 60 - 1),)
        ))
        verdicts = judge_sessions(times, np.array([s.day for s in sessions]), np.array([minutes(s.start) for s in sessions]),
                                  np.array([minutes(s.end) for s in sessions]))
        for i, session in enumerate(sessions):
            expected = fit_session(session, times)
            assert verdicts.attendable[i] == expected.attendable, (session, commitments, available)
            assert set(np.flatnonzero(verdicts.clashes[i])) == {b.commitment for b in expected.blocks if b.commitment >= 0}
            assert verdicts.outside[i] == any(b.commitment < 0 for b in expected.blocks)


def test_exclusion_words_from_the_verdicts_match_the_full_arithmetic():
    rng = random.Random(5)
    texts = [format_schedule(parse_schedule("; ".join(
        f"{rng.choice(['Mon', 'Thu', 'Sat', 'Mon-Fri'])} {h:02d}:00-{h + rng.randint(1, 3):02d}:00"
        for h in (rng.randint(8, 17) for _ in range(rng.randint(1, 3)))))) for _ in range(300)]
    index = PlannerIndex.build([entry(f"e{i}", "training", schedule=text) for i, text in enumerate(texts)])
    times = client_times(available=[{"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "10:30", "end": "13:00"}])
    attendance = Attendance.of(index, times)
    unattendable = [k for k in range(len(index.schedule_texts)) if not attendance.ok[k]]
    assert len(unattendable) > 50
    words = attendance.clash_reasons(unattendable)
    for k in unattendable:
        assert words[k] == attendance.fit(k).exclusion_reasons
    assert all(attendance.ok[k] == attendance.fit(k).attendable for k in range(len(index.schedule_texts)))
