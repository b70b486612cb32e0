"""The hard rules: the few things that rule an entry out, each with a reason to read aloud.

Zero exclusion is the evidence-based default (Individual Placement and
Support) and "concerns over resilience should not be used as a barrier
to aspirations", so only these facts exclude, and only when the
client's side of the fact is known (unknown facts never exclude, spec):

- sessions: none of its sessions can be attended (planner.fit);
- distance: in person only and farther than the client's travel limit;
- benefits, age, stages: its eligibility leaves the client out;
- abstinence: it requires abstinence and the client is not abstinent, opioid
  substitution included;
- ended: its end date has passed;
- too late: a course (it has a start date) that has already started and ends within 14 days, or that
  ends before the client could start (today plus its waiting time);
- convictions: it accepts no convictions and the client has unspent ones
  (Rehabilitation of Offenders Act 1974: spent ones need not be disclosed);
- groups: its `for_groups` is not empty and the client is known not to belong to any of them
  (planner.groups: "for women; the client is a man"); unknown facts only warn.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Callable

import numpy as np

from planner.client import Client
from planner.index import BENEFIT_BITS, STAGE_BITS, PlannerIndex
from planner.wording import short_date

HARD_RULES = ("sessions", "distance", "benefits", "age", "stages", "abstinence", "ended", "too_late", "convictions",
              "groups")
# A course under way that ends within this many days is too late to join.
TOO_LATE_TO_JOIN_DAYS = 14

BENEFIT_NAMES = {"jsa": "JSA", "esa": "ESA", "uc": "UC", "is": "IS", "pip": "PIP", "none": "no benefits"}


def breaches(
    index: PlannerIndex, rows: np.ndarray, client: Client, today: dt.date, km: np.ndarray, schedule_ok: np.ndarray
) -> np.ndarray:
    """A (len(rows), len(HARD_RULES)) boolean array: which rule each entry breaks."""
    p = client.profile
    never = np.zeros(len(rows), dtype=bool)
    broken = dict.fromkeys(HARD_RULES, never)
    broken["sessions"] = ~schedule_ok
    if p.max_travel_km is not None:  # NaN (no position) compares False: unknown never excludes
        broken["distance"] = ~index.remote[rows] & (km > p.max_travel_km)
    if p.benefit is not None:
        eligible = index.benefit_mask[rows]
        broken["benefits"] = (eligible != 0) & ((eligible & BENEFIT_BITS[p.benefit]) == 0)
    if p.age is not None:  # NaN limits compare False
        broken["age"] = (index.min_age[rows] > p.age) | (index.max_age[rows] < p.age)
    stages = index.stage_mask[rows]
    broken["stages"] = (stages != 0) & ((stages & STAGE_BITS[p.stage]) == 0)
    if client.not_abstinent:
        broken["abstinence"] = index.requires_abstinence[rows]
    broken["ended"] = index.end_day[rows] < today.toordinal()
    broken["too_late"] = _too_late(index, rows, today) & ~broken["ended"]
    if client.unspent:
        broken["convictions"] = index.convictions[rows] == "no"
    groups = index.group_mask[rows]
    # Excluded only when every group it is for is one the client is known not to be in.
    broken["groups"] = (groups != 0) & ((groups & client.groups.member) == 0) & ((groups & ~client.groups.not_member) == 0)
    return np.column_stack([broken[rule] for rule in HARD_RULES])


def exclusion_reasons(
    index: PlannerIndex, rows: np.ndarray, broken: np.ndarray, client: Client, km: np.ndarray,
    session_reasons: Callable[[list[int]], dict[int, tuple[str, ...]]], today: dt.date,
) -> list[tuple[str, ...]]:
    """For each of `rows` (with its row of `breaches`), the reasons for every rule it breaks, in
    HARD_RULES order. Built rule by rule, as there may be thousands (a national directory and a
    short travel limit). `session_reasons(schedule_ids)` says why no session of each can be attended."""
    p = client.profile
    entries = [index.entries[row] for row in rows.tolist()]
    reasons: list[list[str]] = [[] for _ in entries]
    for column, rule in enumerate(HARD_RULES):
        hits = np.flatnonzero(broken[:, column]).tolist()
        if not hits:
            continue
        if rule == "sessions":
            schedule_ids = index.schedule_id[rows[hits]].tolist()
            why = session_reasons(schedule_ids)
            for i, schedule_id in zip(hits, schedule_ids):
                reasons[i].extend(why[schedule_id])
        elif rule == "distance":
            for i, distance in zip(hits, km[hits].tolist()):
                reasons[i].append(f"{distance:.1f} km away: farther than the {p.max_travel_km:g} km travel limit")
        elif rule == "benefits":
            for i in hits:
                reasons[i].append(_benefits_reason(entries[i].eligible_benefits, p.benefit))
        elif rule == "age":
            for i in hits:
                reasons[i].append(f"for ages {_age_range(entries[i].min_age, entries[i].max_age)}; client is {p.age}")
        elif rule == "stages":
            for i in hits:
                reasons[i].append(_stages_reason(entries[i].stages, p.stage))
        elif rule == "abstinence":
            why = "opioid substitution does not count as abstinent" if client.on_opioid_substitution else "client is not abstinent"
            for i in hits:
                reasons[i].append(f"requires abstinence; {why}")
        elif rule == "ended":
            for i in hits:
                reasons[i].append(f"ended on {entries[i].end_date.isoformat()}")
        elif rule == "too_late":
            for i in hits:
                reasons[i].append(_too_late_reason(entries[i], today))
        elif rule == "convictions":
            for i in hits:
                reasons[i].append("does not accept unspent convictions")
        elif rule == "groups":
            for i in hits:
                reasons[i].append(client.groups.exclusion_reason(entries[i].for_groups))
    return [tuple(found) for found in reasons]


def _too_late(index: PlannerIndex, rows: np.ndarray, today: dt.date) -> np.ndarray:
    start, end, waiting = index.start_day[rows], index.end_day[rows], index.waiting_days[rows]
    course = start > 0
    under_way_ending = course & (start <= today.toordinal()) & (end - today.toordinal() <= TOO_LATE_TO_JOIN_DAYS)
    with np.errstate(invalid="ignore"):  # NaN waiting (not given) compares False: unknown never excludes
        ends_before_start = course & (end < today.toordinal() + waiting)
    return under_way_ending | ends_before_start


def _too_late_reason(entry, today: dt.date) -> str:
    ends = short_date(entry.end_date, today)
    if entry.start_date <= today and (entry.end_date - today).days <= TOO_LATE_TO_JOIN_DAYS:
        return f"started {short_date(entry.start_date, today)} and ends {ends}: too late to join"
    return f"ends {ends}, before the client could start ({entry.waiting_days} days' wait)"


@lru_cache(maxsize=1024)
def _benefits_reason(eligible: tuple[str, ...], benefit: str) -> str:
    return f"only for people on {_or_list([BENEFIT_NAMES[b] for b in eligible])}; client is on {BENEFIT_NAMES[benefit]}"


@lru_cache(maxsize=1024)
def _stages_reason(stages: tuple[str, ...], stage: str) -> str:
    return f"for recovery stages {_or_list(list(stages))}; client is {stage}"


def _age_range(min_age: int | None, max_age: int | None) -> str:
    if min_age is not None and max_age is not None:
        return f"{min_age}-{max_age}"
    if min_age is not None:
        return f"{min_age} and over"
    return f"up to {max_age}"


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
