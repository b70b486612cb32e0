"""Working days in England and Wales: Monday to Friday, less the bank holidays.

The bank holidays come from the `holidays` package (its `GB` calendar for England, which England and
Wales share; substitute days included, e.g. Monday 28 December 2026 for Boxing Day on a Saturday), so
no list has to be kept up to date by hand. Dates are days in the UK (Europe/London), not UTC: a
referral sent at 00:30 on a summer Tuesday was sent on the Tuesday.

Pure: no database. The referral no-answer rule (directory.referrals) is built on `add_working_days`.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays

UK = ZoneInfo("Europe/London")


@functools.lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in `year` (with substitute days)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (not counting `day` itself): 5 after Friday 18 December 2026
    is Tuesday 29 December (Christmas Day, the weekend and Boxing Day's substitute Monday skipped)."""
    if count < 0:
        raise ValueError("count: use 0 or more working days")
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days fall after `start`, up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def uk_time(moment: dt.datetime) -> dt.datetime:
    """The time it was in the UK at `moment` (a naive datetime is taken as UTC, as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(UK)


def uk_date(moment: dt.datetime) -> dt.date:
    """The day it was in the UK at `moment`."""
    return uk_time(moment).date()
