"""Unmet needs, privacy-light: what nobody could offer, and where, never who.

The issue ("Unmet needs, privacy-light"): when a search or a plan finds nothing
suitable, the worker can record the need: category, postcode district, recovery
stage, barrier tags and the date. No client identifiers: a full postcode is cut
to its district before anything is stored (a full postcode can point at a
handful of homes), and anything that is neither a postcode nor a district is
refused rather than stored, since it could be a name or an address. Client
data is special-category health data under UK GDPR.

`unmet_summary` counts needs by district, category and month, beside the local
provision of that category in that district today (directory/coverage.py's
`local_provision`), so commissioners see demand against supply. `unmet_over_time`
puts each month's needs beside the local provision there was at that month's end,
replayed from the revisions (entries counted by their kind and place now, alive
while created and not archived).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from directory.codes import BARRIERS, CATEGORIES, STAGES
from directory.coverage import local_provision, natural_key
from directory.fields import Entry
from directory.geo import district_code
from directory.health.freshness import EntryState, live_on, month_ends, revision_timelines
from directory.errors import InvalidUnmetNeed, NotAllowed
from directory.models import UnmetNeed
from directory.postcodes import normalise_postcode, postcode_district

if TYPE_CHECKING:
    from directory.api import Directory

SOURCES = ("search", "plan")
_PARTIAL_INWARD = re.compile(r"(?:\d[A-Z]?)?")  # nothing, a sector digit, or a digit and one letter


@dataclass(frozen=True)
class UnmetNeedRecord:
    id: int
    category: str
    district: str | None  # None: no fixed area (for example, homeless)
    stage: str | None
    barriers: tuple[str, ...]
    recorded_on: dt.date
    recorded_by: str
    source: str


def district_only(postcode_or_district: str | None) -> str | None:
    """'TS1 3BA' -> 'TS1', 'ts1' -> 'TS1', empty -> None; anything else is refused (it may identify someone)."""
    text = (postcode_or_district or "").strip()
    if not text:
        return None
    if normalise_postcode(text) is not None:
        return postcode_district(text)
    # A district and part of the inward code ("TS1 3", a postcode sector) is cut to the district too.
    first, _, rest = text.partition(" ")
    district = district_code(first) if _PARTIAL_INWARD.fullmatch(rest.strip().upper()) else None
    if district is None:
        raise InvalidUnmetNeed(
            f"'{text}' is not a postcode or a postcode district: type one like TS1 3BA or TS1 "
            "(only the district is kept), and never a name or an address")
    return district


def _known_code(value: str | None, codes: dict[str, str], what: str) -> str | None:
    if value is None or value in codes:
        return value
    raise InvalidUnmetNeed(f"unknown {what} '{value}': use one of {', '.join(codes)}")


def _barrier_tags(barriers: Iterable[str]) -> tuple[str, ...]:
    tags = list(dict.fromkeys(barriers or ()))
    unknown = [b for b in tags if b not in BARRIERS]
    if unknown:
        raise InvalidUnmetNeed(f"unknown barrier '{unknown[0]}': use any of {', '.join(BARRIERS)}")
    return tuple(b for b in BARRIERS if b in tags)  # table order, so equal sets are stored alike


def record_unmet_need(
    directory: Directory, category: str, postcode_or_district: str | None, stage: str | None,
    barriers: Iterable[str], by: str, source: str = "search", on: dt.date | None = None,
) -> UnmetNeedRecord:
    """Record that nothing suitable was found: what, the district, stage, barrier tags and the day. Any signed-in worker."""
    if category not in CATEGORIES:
        raise InvalidUnmetNeed(f"unknown category '{category}': use one of {', '.join(CATEGORIES)}")
    stage = _known_code(stage or None, STAGES, "recovery stage")
    district = district_only(postcode_or_district)
    tags = _barrier_tags(barriers)
    if source not in SOURCES:
        raise InvalidUnmetNeed(f"unknown source '{source}': use 'search' or 'plan'")
    on = on or dt.date.today()
    if on > dt.date.today():
        raise InvalidUnmetNeed("the date cannot be in the future")
    with directory.unit_of_work() as uow:
        user = uow.accounts.get(by)
        if user is None or not user.active:
            raise NotAllowed(f"unknown user '{by}': sign in, or create the account first")
        need = uow.unmet_needs.add(category, district, stage, list(tags), on, by, source)
        record = UnmetNeedRecord(need.id, category, district, stage, tags, on, by, source)
        uow.commit()
    return record


def _record(need: UnmetNeed) -> UnmetNeedRecord:
    return UnmetNeedRecord(need.id, need.category, need.district, need.stage, tuple(need.barriers or ()),
                           need.recorded_on, need.recorded_by, need.source)


def unmet_needs(directory: Directory, *, since: dt.date | None = None) -> list[UnmetNeedRecord]:
    """Every recorded need (from `since`, inclusive), oldest first."""
    with directory.reader() as uow:
        return [_record(n) for n in uow.unmet_needs.all(since=since)]


def provision_by_district(entries: Iterable[Entry]) -> Counter:
    """(district, category) -> local provision entries, by each entry's own postcode district."""
    return Counter((postcode_district(e.postcode), e.category) for e in local_provision(entries) if e.postcode)


def _top_barriers(needs: list[UnmetNeedRecord], plain: bool = False) -> str:
    """'transport (3), childcare (1)' (or, `plain`, 'Transport or its cost (3), ...'): most often first, then in
    table order."""
    counts = Counter(b for n in needs for b in n.barriers)
    order = list(BARRIERS)
    ranked = sorted(counts, key=lambda b: (-counts[b], order.index(b)))
    return ", ".join(f"{BARRIERS[b] if plain else b} ({counts[b]})" for b in ranked)


SUMMARY_COLUMNS = ["district", "category", "month", "unmet", "provision", "top_barriers"]
NO_DISTRICT = "(no district)"  # needs recorded without an area, e.g. someone with no fixed address


def _summary_order(row: dict, by_month: bool):
    no_district = row["district"] == NO_DISTRICT  # last within its month, not first ("(" sorts before letters)
    district = natural_key(row["district"])  # TS2 before TS10
    if by_month:
        return (row["month"], no_district, district, row["category"])
    return (-row["unmet"], no_district, district, row["category"])


def summarise(needs: Iterable[UnmetNeedRecord], provision: Counter, *, by_month: bool = True,
              plain: bool = False) -> pd.DataFrame:
    """Needs counted by district x category (x month, "YYYY-MM"), with today's provision beside them.
    `plain` names the barriers in words rather than codes."""
    groups: dict[tuple, list[UnmetNeedRecord]] = {}
    for need in needs:
        month = need.recorded_on.strftime("%Y-%m") if by_month else None
        groups.setdefault((need.district, need.category, month), []).append(need)
    rows = [{"district": district or NO_DISTRICT, "category": category, "month": month, "unmet": len(items),
             "provision": provision.get((district, category), 0), "top_barriers": _top_barriers(items, plain)}
            for (district, category, month), items in groups.items()]
    rows.sort(key=lambda row: _summary_order(row, by_month))
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({"unmet": int, "provision": int})
    return frame if by_month else frame.drop(columns="month")


def unmet_summary(directory: Directory, *, since: dt.date | None = None, by_month: bool = True, plain: bool = False) -> pd.DataFrame:
    """Demand against supply: unmet needs by district, category and month (or over the whole period, most first),
    with the number of local provision entries of that category in that district now.

    Columns: district, category, month, unmet, provision, top_barriers.
    """
    return summarise(unmet_needs(directory, since=since), provision_by_district(directory.entries()),
                     by_month=by_month, plain=plain)


# -- over time, beside the provision there was --------------------------------------------------------

OVER_TIME_COLUMNS = ["month", "unmet", "provision"]


def _matches(district: str | None, category: str | None, want_district: str | None, want_category: str | None) -> bool:
    return (want_category is None or category == want_category) and (want_district is None or district == want_district)


def needs_over_time(
    needs: Iterable[UnmetNeedRecord], timelines: dict[str, list[EntryState]], entries: Iterable[Entry],
    as_of: list[dt.date], *, category: str | None = None, district: str | None = None,
) -> pd.DataFrame:
    """One row per day in `as_of` (month ends; the last may be today): the needs recorded in that month, and the
    local provision entries alive at its end, both of `category` in `district` (None: any).

    Provision is counted as `local_provision` counts it (positioned, in person or outreach), by each entry's
    kind and place now; `timelines` (health.revision_timelines) say when it existed and was not archived.
    """
    months = Counter(n.recorded_on.strftime("%Y-%m") for n in needs
                     if _matches(n.district, n.category, district, category))
    candidates = [e.id for e in entries if e.has_position and e.in_person
                  and _matches(postcode_district(e.postcode) if e.postcode else None, e.category, district, category)]
    rows = [{"month": day.strftime("%Y-%m"), "unmet": months.get(day.strftime("%Y-%m"), 0),
             "provision": len(live_on(timelines, day, candidates))} for day in as_of]
    return pd.DataFrame(rows, columns=OVER_TIME_COLUMNS).astype({"unmet": int, "provision": int})


def months_to_cover(directory: Directory, today: dt.date, months: int | None) -> int:
    """How many months a chart over time shows: `months`, or (None) back to the month of the first need, at most 10 years."""
    if months:
        return months
    needs = unmet_needs(directory)
    if not needs:
        return 1
    first = needs[0].recorded_on
    return min(120, (today.year - first.year) * 12 + today.month - first.month + 1)


def unmet_over_time(directory: Directory, today: dt.date, months: int = 12, *, category: str | None = None,
                    district: str | None = None) -> pd.DataFrame:
    """Needs recorded in each of the last `months` months (this month so far) beside the local provision of
    that kind there at each month's end. Columns: month ("YYYY-MM"), unmet, provision."""
    as_of = month_ends(today, months)
    first_day = as_of[0].replace(day=1)
    return needs_over_time(unmet_needs(directory, since=first_day), revision_timelines(directory),
                           directory.entries(include_archived=True), as_of, category=category, district=district)
