"""The planner's words for people: dates, hours and times in plain English.

The output JSON keeps the directory's canonical times in its reasons and warnings ("Tue 11:00-14:00 fits
availability", as the spec's example pins them: other programs read them). Everything a person reads (the next
steps cards, the CLI's text, the plan documents) goes through `plain`, which says the same thing as a
keyworker would: "Tue 11am to 2pm fits availability", "arrive after 10am", "ended Fri 28 Feb".

Times and dates themselves are written by directory.schedule (describe_time; describe_date, and in full
describe_long_date and describe_moment): one home for them, which the plan documents and the app's pages use too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from directory.schedule import DAYS, END_OF_DAY, Session, describe_date, describe_time, parse_schedule

short_date = describe_date  # "Tue 8 Dec"; "Mon 4 Jan 2027" in another year


def hours_text(hours: float) -> str:
    """1 -> '1 hour'; 7.5 -> '7.5 hours'."""
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def days_words(days: Iterable[int]) -> str:
    """Days as short words: 'Mon to Fri', 'Tue and Thu', 'Mon, Wed and Fri', 'Mon to Wed and Sat', 'every day'."""
    days = sorted(set(days))
    if len(days) == 7:
        return "every day"
    parts: list[str] = []
    for day in days:
        if parts and isinstance(parts[-1], list) and parts[-1][-1] == day - 1:
            parts[-1].append(day)
        else:
            parts.append([day])
    words: list[str] = []
    for run in parts:
        if len(run) >= 3:
            words.append(f"{DAYS[run[0]]} to {DAYS[run[-1]]}")
        else:
            words.extend(DAYS[d] for d in run)
    return _and(words)


def sessions_words(sessions: Iterable[Session]) -> str:
    """'Mon to Fri 9am to 5pm', 'Mon 9am to 12pm; Wed 1:30pm to 4pm': days sharing times said once."""
    by_times: dict[tuple[dt.time, dt.time], set[int]] = {}
    for session in sessions:
        by_times.setdefault((session.start, session.end), set()).add(session.day)
    clauses = sorted(by_times.items(), key=lambda item: (min(item[1]), item[0]))
    return "; ".join([f"{days_words(days)}, all day" if start == dt.time(0) and end == END_OF_DAY
                 else f"{days_words(days)} {describe_time(start)} to {describe_time(end)}" for (start, end), days in clauses])


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
# Canonical schedule text (directory.schedule.format_schedule): "Mon-Fri 09:00-17:00; Tue,Thu 18:00-20:00".
_CLAUSE = rf"{_DAY}(?:[-,]{_DAY})* {_TIME}-{_TIME}"
_SCHEDULE = re.compile(rf"{_CLAUSE}(?:; {_CLAUSE})*")
_RANGE = re.compile(rf"\b({_TIME})-({_TIME})\b")
_CLOCK = re.compile(rf"\b{_TIME}\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _time(text: str) -> str:
    hour, minute = (int(part) for part in text.split(":"))
    return "midnight" if hour in (0, 24) and minute == 0 else describe_time(dt.time(hour % 24, minute))


def plain(text: str, today: dt.date | None = None) -> str:
    """A reason, warning or exclusion as a person reads it: schedules ('Mon-Sat 09:00-10:00' -> 'Mon to Sat 9am
    to 10am'), time ranges and times ('arrive after 10:00' -> 'arrive after 10am') and dates ('ended on
    2025-02-28' -> 'ended on Fri 28 Feb 2025') in plain English. Text without them comes back as it was."""
    today = today or dt.date.today()
    text = _SCHEDULE.sub(lambda m: sessions_words(parse_schedule(m.group(0))), text)
    text = _RANGE.sub(lambda m: f"{_time(m.group(1))} to {_time(m.group(2))}", text)
    text = _CLOCK.sub(lambda m: _time(m.group(0)), text)
    return _ISO_DATE.sub(lambda m: short_date(dt.date(*(int(g) for g in m.groups())), today), text)


def plain_all(texts: Iterable[str], today: dt.date) -> tuple[str, ...]:
    return tuple(plain(text, today) for text in texts)
