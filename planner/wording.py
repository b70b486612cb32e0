"""Dates as a keyworker says them to a client: "Tue 8 Dec" (and the year only when it is not this one)."""

from __future__ import annotations

import datetime as dt


def short_date(day: dt.date, today: dt.date) -> str:
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def hours_text(hours: float) -> str:
    """1 -> '1 hour'; 7.5 -> '7.5 hours'."""
    return f"{hours:g} hour" + ("" if hours == 1 else "s")
