"""Weekly opening and session times: the `schedule` column and what it means.

A schedule is written as clauses separated by `;` (or new lines), each naming
days and then times: `Mon-Fri 09:00-17:00; Tue,Thu 18:00-20:00`. People type
these by hand, so the parser is forgiving and its errors say what to write
instead. `format_schedule` writes one canonical text, which is what the
directory stores, so two ways of writing the same times compare equal.

What the parser accepts:
- days: `Mon`, `monday`, `Mondays`, `Tues`, `Weds`, `Thur`, `Thurs` (any case,
  a trailing `.` or `:` ignored); lists with `,` `&` `/` `and` or spaces
  (`Tue, Thu`); ranges with `-`, an en dash or `to` (`Monday to Friday`);
  `weekdays`, `weekends`, `daily` and `every day`.
- wrapping ranges: `Fri-Mon` means Fri, Sat, Sun, Mon (so `Sun-Sat` is every
  day). The canonical text never wraps: `Mon,Fri-Sun`.
- times: `09:00`, `9:00`, `9.30`, `0900`, `9am`, `9:30 pm`, `12pm` (noon),
  `12am` (midnight); a bare `9` is refused because `9-5` could mean anything.
- ranges: `09:00-12:00`, `9am – 12pm`, `9am to 12pm`; several per clause with
  `,` or `and`: `Sat 10:00-12:00, 14:00-16:00`.
- `24:00` only as an end time, meaning the end of the day. `datetime.time`
  cannot hold 24:00, so it is kept as `END_OF_DAY` (`datetime.time.max`) and
  written back as `24:00`. A session cannot run past midnight: write it as two,
  `Fri 22:00-24:00; Sat 00:00-02:00`.
- empty text, or `by arrangement`, means no fixed sessions.
- identical sessions collapse; overlapping ones are kept (two groups may meet
  at once).

Times are minute-precise: `format_schedule` writes HH:MM, so sessions with
seconds do not round-trip (the parser never makes them).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

END_OF_DAY = dt.time.max  # "24:00"
MIDNIGHT = dt.time(0, 0)


class ScheduleError(ValueError):
    """A schedule that cannot be read; str() tells the user what to write instead."""


@dataclass(frozen=True, order=True)
class Session:
    """One weekly session: `day` 0 = Monday; `end` is END_OF_DAY for 24:00."""

    day: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        # The parser never builds these; the checks stop code from inventing impossible sessions.
        if not 0 <= self.day <= 6:
            raise ValueError(f"day {self.day} is not 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError(f"a session must end after it starts ({self.start} to {self.end})")


# -- reading -------------------------------------------------------------------------

_EXTRA_DAY_SPELLINGS = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_DAY_GROUPS: dict[str, tuple[int, ...]] = {
    "weekdays": (0, 1, 2, 3, 4), "weekday": (0, 1, 2, 3, 4),
    "weekends": (5, 6), "weekend": (5, 6),
    "daily": tuple(range(7)), "everyday": tuple(range(7)),
}


def _day_spellings() -> dict[str, int]:
    spellings = dict(_EXTRA_DAY_SPELLINGS)
    for index, (short, full) in enumerate(zip(DAYS, DAY_NAMES)):
        for spelling in (short, full, full + "s"):
            spellings[spelling.lower()] = index
    return spellings


_DAY_BY_SPELLING = _day_spellings()

_CLAUSE_SEPARATOR = re.compile(r"[;\n]")
_BY_ARRANGEMENT = re.compile(r"\s*by\s+arrangement\.?\s*", re.I)
_DAY_RANGE_SIGN = re.compile(r"\s*(?:[-–—]|\bto\b)\s*", re.I)
_EVERY_DAY = re.compile(r"\bevery\s+day\b", re.I)
_DAY_LIST_SEPARATOR = re.compile(r"(?:[\s,&/]|\band\b)+", re.I)
_TIME_LIST_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)\s*", re.I)
# "9 am", "9a.m." -> "9am", so a time is one token.
_SPACED_AM_PM = re.compile(r"(\d)\s*([ap])\.?m\b\.?", re.I)
_TIME_RANGE = re.compile(r"(?P<start>[^\s\-–—]+)\s*(?:[-–—]|\bto\b)\s*(?P<end>[^\s\-–—]+)", re.I)
_CLOCK_TIME = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?P<half>[ap]m)?", re.I)
_COMPACT_TIME = re.compile(r"(?P<hour>\d{2})(?P<minute>\d{2})")

_DAY_LIST_HINT = "use Mon, Tue, Wed, Thu, Fri, Sat or Sun"
_EXAMPLE_TIMES = "09:00-12:00"


def parse_schedule(text: str | None) -> tuple[Session, ...]:
    """The sessions `text` describes, sorted; () when it is empty (by arrangement)."""
    if text is None or not text.strip() or _BY_ARRANGEMENT.fullmatch(text):
        return ()
    sessions = {
        session
        for clause in _CLAUSE_SEPARATOR.split(text)
        if clause.strip()
        for session in _parse_clause(clause.strip())
    }
    return tuple(sorted(sessions))


def _parse_clause(clause: str) -> list[Session]:
    # Day words never contain digits and times always start with one, so the first digit splits them.
    first_digit = re.search(r"\d", clause)
    split_at = first_digit.start() if first_digit else len(clause)
    days_text, times_text = clause[:split_at].strip(), clause[split_at:].strip()
    if not days_text:
        raise ScheduleError(f"'{clause}' has no day: put the days first, e.g. Mon-Fri {clause}")
    days = _parse_days(days_text)
    if not times_text:
        raise ScheduleError(f"'{clause}' has no time: add one, e.g. {_format_days(days)} {_EXAMPLE_TIMES}")
    ranges = [_parse_time_range(piece) for piece in _TIME_LIST_SEPARATOR.split(times_text) if piece]
    return [Session(day, start, end) for day in days for start, end in ranges]


def _parse_days(text: str) -> set[int]:
    tidied = _EVERY_DAY.sub("daily", _DAY_RANGE_SIGN.sub("-", text))
    days: set[int] = set()
    for item in _DAY_LIST_SEPARATOR.split(tidied):
        if item:
            days.update(_parse_day_item(item))
    if not days:
        raise ScheduleError(f"'{text}' names no day: {_DAY_LIST_HINT}")
    return days


def _parse_day_item(item: str) -> tuple[int, ...]:
    if "-" not in item:
        return _DAY_GROUPS.get(item.lower().strip(".:")) or (_day_index(item),)
    first, _, last = item.partition("-")
    if not first or not last or "-" in last:
        raise ScheduleError(f"'{item}' is not a range of days: write it like Mon-Fri")
    start, end = _day_index(first), _day_index(last)
    # Ranges may wrap past Sunday: Fri-Mon is Fri, Sat, Sun, Mon.
    return tuple((start + offset) % 7 for offset in range((end - start) % 7 + 1))


def _day_index(word: str) -> int:
    key = word.lower().strip(".:")
    if key in _DAY_BY_SPELLING:
        return _DAY_BY_SPELLING[key]
    raise ScheduleError(f"'{word}' is not a day: {_DAY_LIST_HINT}{_did_you_mean_day(key)}")


def _did_you_mean_day(key: str) -> str:
    close = difflib.get_close_matches(key, [*_DAY_BY_SPELLING, *_DAY_GROUPS], n=1, cutoff=0.75)
    if not close:
        return ""
    guess = close[0]
    return f" (did you mean {DAYS[_DAY_BY_SPELLING[guess]] if guess in _DAY_BY_SPELLING else guess}?)"


def _parse_time_range(piece: str) -> tuple[dt.time, dt.time]:
    match = _TIME_RANGE.fullmatch(_SPACED_AM_PM.sub(r"\1\2m", piece))
    if not match:
        raise ScheduleError(
            f"'{piece}' is not a time range: write the start and end, e.g. {_EXAMPLE_TIMES}, "
            "and put ';' before the next days"
        )
    start, end = _parse_time(match["start"]), _parse_time(match["end"])
    if start == END_OF_DAY:
        raise ScheduleError(f"'{piece}' starts at 24:00: write 00:00 on the next day")
    if end == start:
        raise ScheduleError(f"'{piece}' ends when it starts: give an end time after the start")
    if end < start and end == MIDNIGHT:
        raise ScheduleError(f"'{piece}' ends before it starts: write 24:00 for midnight")
    if end < start:
        raise ScheduleError(
            f"'{piece}' ends before it starts: split a session that runs past midnight, "
            "e.g. Fri 22:00-24:00; Sat 00:00-02:00"
        )
    return start, end


def _parse_time(token: str) -> dt.time:
    not_a_time = ScheduleError(f"'{token}' is not a time: use 24-hour HH:MM, e.g. 09:30")
    match = _COMPACT_TIME.fullmatch(token) or _CLOCK_TIME.fullmatch(token)
    if match is None:
        raise not_a_time
    half = (match.groupdict().get("half") or "").lower()
    if match["minute"] is None and not half:
        raise not_a_time  # a bare "9": is it 09:00 or 21:00?
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if half:
        if not 1 <= hour <= 12:
            raise not_a_time
        hour = hour % 12 + (12 if half == "pm" else 0)
    if (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise not_a_time
    return dt.time(hour, minute)


# -- writing -------------------------------------------------------------------------

_Clause = tuple[tuple[int, ...], dt.time, dt.time]


def _clauses(sessions: Iterable[Session]) -> list[_Clause]:
    """Days grouped by shared times, ordered by first day then start."""
    days_by_times: dict[tuple[dt.time, dt.time], set[int]] = defaultdict(set)
    for session in sessions:
        days_by_times[session.start, session.end].add(session.day)
    clauses = [(tuple(sorted(days)), start, end) for (start, end), days in days_by_times.items()]
    return sorted(clauses, key=lambda clause: (clause[0][0], clause[1], clause[2]))


def _runs(days: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive days as (first, last) pairs: {0, 1, 2, 4} -> [(0, 2), (4, 4)]."""
    runs: list[tuple[int, int]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def format_schedule(sessions: Iterable[Session]) -> str:
    """The canonical text: `Mon-Fri 09:00-17:00; Tue,Thu 18:00-20:00`; "" for no sessions."""
    return "; ".join(
        f"{_format_days(days)} {_format_time(start)}-{_format_time(end)}" for days, start, end in _clauses(sessions)
    )


def _format_days(days: Iterable[int]) -> str:
    # Two days read better as a list (Sat,Sun) than as a range.
    parts = []
    for first, last in _runs(days):
        if first == last:
            parts.append(DAYS[first])
        elif last == first + 1:
            parts.append(f"{DAYS[first]},{DAYS[last]}")
        else:
            parts.append(f"{DAYS[first]}-{DAYS[last]}")
    return ",".join(parts)


def _format_time(time: dt.time) -> str:
    return "24:00" if time == END_OF_DAY else time.strftime("%H:%M")


def normalise_schedule(text: str | None) -> str | None:
    """The canonical text for `text`, or None when it is empty; raises ScheduleError."""
    return format_schedule(parse_schedule(text)) or None


def describe_sessions(sessions: Iterable[Session]) -> str:
    """Plain English for a client: 'Mondays 9am to 12pm; Tuesdays and Thursdays 10am to 12pm'."""
    clauses = _clauses(sessions)
    if not clauses:
        return "By arrangement"
    return "; ".join(
        _capitalise(f"{_describe_days(days)} {describe_time(start)} to {describe_time(end)}")
        for days, start, end in clauses
    )


def _describe_days(days: tuple[int, ...]) -> str:
    if len(days) == 7:
        return "every day"
    parts: list[str] = []
    for first, last in _runs(days):
        if last - first >= 2:
            parts.append(f"{DAY_NAMES[first]} to {DAY_NAMES[last]}")
        else:
            parts.extend(f"{DAY_NAMES[day]}s" for day in range(first, last + 1))
    return _join_in_english(parts)


def describe_time(time: dt.time) -> str:
    """A time as people say it: '9am', '1:30pm', '12pm' (noon), 'midnight'. The one home for it (the planner's
    words, the app's cards and the plan documents all use this)."""
    if time in (MIDNIGHT, END_OF_DAY):
        return "midnight"
    hour = time.hour % 12 or 12
    minutes = f":{time.minute:02d}" if time.minute else ""
    return f"{hour}{minutes}{'am' if time.hour < 12 else 'pm'}"


def describe_date(day: dt.date, today: dt.date) -> str:
    """A date as people say it: 'Tue 8 Dec', with the year only when it is not this one ('Mon 4 Jan 2027').
    The one home for dates in words, with describe_long_date and describe_moment (cards, the planner's words)."""
    text = f"{DAYS[day.weekday()]} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def describe_day_of_year(day: dt.date) -> str:
    """A date without its weekday: '7 December 2026' (referral messages, the command line's tables)."""
    return f"{day.day} {day:%B %Y}"


def describe_long_date(day: dt.date) -> str:
    """A date in full, as on a letter: 'Monday 7 December 2026' (the plan and referral documents)."""
    return f"{DAY_NAMES[day.weekday()]} {describe_day_of_year(day)}"


def describe_moment(moment: dt.datetime) -> str:
    """A moment in full: 'Monday 7 December 2026 at 12:43am' (when a list was printed)."""
    return f"{describe_long_date(moment.date())} at {describe_time(dt.time(moment.hour, moment.minute))}"


def _join_in_english(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- asking ---------------------------------------------------------------------------


def sessions_on(sessions: Iterable[Session], day: int) -> tuple[Session, ...]:
    """The sessions on `day` (0 = Monday), by start time."""
    if not 0 <= day <= 6:
        raise ValueError(f"day {day} is not 0 (Monday) to 6 (Sunday)")
    return tuple(sorted({session for session in sessions if session.day == day}))


def next_session(sessions: Iterable[Session], now: dt.datetime) -> tuple[dt.datetime, Session] | None:
    """The next session to go to from `now`, with when it starts.

    A session in progress at `now` is the answer, with its start earlier today,
    so a keyworker is told "on now" rather than "next week". `now`'s tzinfo
    (or its absence) is kept.
    """
    return min(((_next_start(session, now), session) for session in set(sessions)), default=None)


def _next_start(session: Session, now: dt.datetime) -> dt.datetime:
    days_ahead = (session.day - now.weekday()) % 7
    date = now.date() + dt.timedelta(days=days_ahead)
    start = dt.datetime.combine(date, session.start, tzinfo=now.tzinfo)
    if days_ahead == 0 and now >= _end_on(date, session, now.tzinfo):
        start += dt.timedelta(days=7)  # today's has finished
    return start


def _end_on(date: dt.date, session: Session, tzinfo: dt.tzinfo | None) -> dt.datetime:
    if session.end == END_OF_DAY:
        return dt.datetime.combine(date + dt.timedelta(days=1), MIDNIGHT, tzinfo=tzinfo)
    return dt.datetime.combine(date, session.end, tzinfo=tzinfo)
