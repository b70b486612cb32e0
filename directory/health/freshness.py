"""Freshness: entries not verified for `months` (default 6), who last touched them, any open
"please verify" request; grouped by organisation and by last editor; and the stale/fresh count at
each month end, replayed from the revisions."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

import pandas as pd

from directory import fields as F
from directory.store import as_utc
from directory.health.verification import open_verification_requests, VerificationRequestView

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork

STALE_AFTER_MONTHS = 6  # the issue: "entries not verified in 6 months (a setting)"


# -- freshness ---------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the month's end (31 Aug - 6 -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_before(today: dt.date, months: int = STALE_AFTER_MONTHS) -> dt.date:
    """Entries last verified before this day are stale; verified on it, they are exactly `months` old and still fresh."""
    return months_before(today, months)


def is_stale(last_verified: dt.date | None, today: dt.date, months: int = STALE_AFTER_MONTHS) -> bool:
    return last_verified is None or last_verified < stale_before(today, months)


@dataclass(frozen=True)
class LastTouch:
    """The newest revision of an entry: who last touched it, how, and when."""

    author: str
    action: str
    at: dt.datetime


@dataclass(frozen=True)
class StaleEntry:
    entry: F.Entry
    last_verified: dt.date | None  # None: never verified
    days_since_verified: int | None  # None: never verified
    last_editor: str | None
    last_touched: LastTouch | None
    organisation: str
    open_request: VerificationRequestView | None


def _last_touches(uow: UnitOfWork) -> dict[str, LastTouch]:
    return {entry_id: LastTouch(author, action, as_utc(at)) for entry_id, author, action, at in uow.entries.last_touches()}


def stale_entries(directory: Directory, today: dt.date, months: int = STALE_AFTER_MONTHS,
                  *, entries: Iterable[F.Entry] | None = None) -> list[StaleEntry]:
    """Entries not verified in `months` months (or never), never-verified first, then the oldest.

    Pass `entries` when the page holds the live entries already (reading 50,000 takes seconds).
    """
    entries = directory.entries() if entries is None else entries
    entries = [e for e in entries if not e.archived and is_stale(e.last_verified, today, months)]
    with directory.reader() as uow:
        touches = _last_touches(uow)
    requests = {r.entry_id: r for r in open_verification_requests(directory)}
    stale = [
        StaleEntry(
            entry=e,
            last_verified=e.last_verified,
            days_since_verified=None if e.last_verified is None else (today - e.last_verified).days,
            last_editor=touches[e.id].author if e.id in touches else None,
            last_touched=touches.get(e.id),
            organisation=e.organisation,
            open_request=requests.get(e.id),
        )
        for e in entries
    ]
    return sorted(stale, key=_stalest_first)


def _stalest_first(item: StaleEntry):
    never = item.last_verified is None
    return (not never, item.last_verified or dt.date.min, item.organisation.casefold(), item.entry.name.casefold(), item.entry.id)


@dataclass(frozen=True)
class StaleGroup:
    key: str  # organisation name, or the username of the last editor ("(nobody)" if unknown)
    stale: int
    never_verified: int
    oldest_verified: dt.date | None  # the oldest verification among those ever verified
    max_days_since_verified: int | None  # among those ever verified
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class StalenessSummary:
    by_organisation: list[StaleGroup]
    by_last_editor: list[StaleGroup]
    total: int


def _group(stale: Sequence[StaleEntry], key_of) -> list[StaleGroup]:
    members: dict[str, list[StaleEntry]] = defaultdict(list)
    for item in stale:
        members[key_of(item)].append(item)
    groups = []
    for key, items in members.items():
        days = [i.days_since_verified for i in items if i.days_since_verified is not None]
        verified = [i.last_verified for i in items if i.last_verified is not None]
        groups.append(StaleGroup(
            key=key,
            stale=len(items),
            never_verified=sum(i.last_verified is None for i in items),
            oldest_verified=min(verified) if verified else None,
            max_days_since_verified=max(days) if days else None,
            entry_ids=tuple(i.entry.id for i in items),
        ))
    # "The stalest" first: most stale entries, then most never verified, then the longest unverified.
    return sorted(groups, key=lambda g: (-g.stale, -g.never_verified, -(g.max_days_since_verified or 0), g.key.casefold()))


def staleness_summary(stale: Sequence[StaleEntry]) -> StalenessSummary:
    """`stale_entries` grouped by organisation and by the editor who last touched each entry, stalest first."""
    return StalenessSummary(
        by_organisation=_group(stale, lambda i: i.organisation),
        by_last_editor=_group(stale, lambda i: i.last_editor or "(nobody)"),
        total=len(stale),
    )


# -- freshness over time: replaying revisions -------------------------------------------------


@dataclass(frozen=True)
class EntryState:
    """What one revision left an entry as, for the fields freshness depends on."""

    day: dt.date
    last_verified: dt.date | None
    archived: bool


def entry_timelines(revisions: Iterable[tuple[str, int, dt.datetime, list | None, list | None]]) -> dict[str, list[EntryState]]:
    """(entry_id, version, at, last_verified change, archived change) rows -> each entry's states in version order.

    A change is the revision's [old, new] pair for that field, or None when the revision did not touch it.
    """
    timelines: dict[str, list[EntryState]] = {}
    for entry_id, _version, at, verified_change, archived_change in sorted(revisions, key=lambda r: (r[0], r[1])):
        states = timelines.setdefault(entry_id, [])
        last_verified, archived = (states[-1].last_verified, states[-1].archived) if states else (None, False)
        if verified_change is not None:
            last_verified = dt.date.fromisoformat(verified_change[1]) if verified_change[1] else None
        if archived_change is not None:
            archived = bool(archived_change[1])
        states.append(EntryState(as_utc(at).date(), last_verified, archived))
    return timelines


def month_ends(today: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months - 1` previous months, then `today` (the month so far)."""
    ends = []
    for back in range(months - 1, 0, -1):
        first_of_month = months_before(today.replace(day=1), back - 1)
        ends.append(first_of_month - dt.timedelta(days=1))
    return ends + [today]


def freshness_timeline(
    timelines: dict[str, list[EntryState]], as_of: Sequence[dt.date], stale_months: int = STALE_AFTER_MONTHS
) -> pd.DataFrame:
    """For each day in `as_of`: how many entries existed (not archived), and how many of them were fresh or stale."""
    rows = []
    days_of = {entry_id: [s.day for s in states] for entry_id, states in timelines.items()}
    for day in as_of:
        cutoff = stale_before(day, stale_months)
        entries = fresh = never = 0
        for entry_id, states in timelines.items():
            position = bisect.bisect_right(days_of[entry_id], day)
            if position == 0:
                continue  # not created yet
            state = states[position - 1]
            if state.archived:
                continue
            entries += 1
            never += state.last_verified is None
            fresh += state.last_verified is not None and state.last_verified >= cutoff
        rows.append({"month": day.strftime("%Y-%m"), "as_of": day, "entries": entries, "fresh": fresh,
                     "stale": entries - fresh, "never_verified": never})
    return pd.DataFrame(rows, columns=["month", "as_of", "entries", "fresh", "stale", "never_verified"])


def revision_timelines(directory: Directory) -> dict[str, list[EntryState]]:
    """Every entry's states over time (`entry_timelines`), read from the revisions."""
    with directory.reader() as uow:
        revisions = uow.entries.freshness_changes()
    return entry_timelines(revisions)


def live_on(timelines: dict[str, list[EntryState]], day: dt.date, ids: Iterable[str] | None = None) -> set[str]:
    """The entries (of `ids`, or all) that existed and were not archived at the end of `day`."""
    live = set()
    for entry_id in timelines if ids is None else ids:
        states = timelines.get(entry_id)
        if not states:
            continue
        position = bisect.bisect_right([s.day for s in states], day)
        if position and not states[position - 1].archived:
            live.add(entry_id)
    return live


def freshness_over_time(directory: Directory, today: dt.date, months: int = 12, stale_months: int = STALE_AFTER_MONTHS) -> pd.DataFrame:
    """Stale and fresh counts at each of the last `months` month ends (the last row is today), from the revisions.

    "Fresh" means what `stale_entries` means, judged on the day: the last row's
    `stale` equals `len(stale_entries(directory, today))`.
    """
    return freshness_timeline(revision_timelines(directory), month_ends(today, months), stale_months)
