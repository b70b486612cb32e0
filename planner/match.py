"""recommend(): from a client profile and the directory to a ranked, explained plan.

The order of work keeps a plan fast on a big directory (50,000 entries):

1. Candidates, from precomputed columns: entries the client's recovery stage
   lets us recommend that serve a step in `continuum.next`, meet one of the
   client's barriers, or match their goal sectors (spec). Entries left out by
   the stage rule are simply not candidates.
2. Hard rules, on candidates only (planner.checks): attendance is worked
   out once per distinct session for the whole directory (planner.attendance),
   distances are one numpy expression. Candidates that break a rule are listed
   in `excluded` with every reason (written out when first read: there can be
   thousands).
3. Scores for the rest (planner.scoring), ranked best first with ties broken
   by distance, then name, then id, so the same input always gives the same plan.
4. Guarantees, each swapping in the best entry that satisfies it for the
   lowest-ranked one not needed by an earlier guarantee:
   - job search for a client who wants work now, from stabilising on (some people are ready
     to go straight into work);
   - from early on, something that keeps employment in view (ETE belongs on the
     table as soon as people are out of crisis),
     looked for beyond the candidates when none of them does;
   - not everything from the substance-misuse sector (open people's horizons).
5. Words: reasons and warnings for the few entries returned, from the full
   schedule arithmetic (planner.fit) for those entries only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from directory.fields import Entry
from planner.attendance import Attendance
from planner.checks import breaches, exclusion_reasons
from planner.client import Client, PostcodeLocator
from directory.geo import haversine_km
from planner.distance import round_km
from planner.index import CATEGORY_INDEX, PlannerIndex, index_for
from planner.profile import Profile
from planner.result import Exclusion, Exclusions, PlanResult, Recommendation
from planner.rules import (
    EMPLOYMENT_IN_VIEW_FROM_STAGE,
    KEEPS_EMPLOYMENT_IN_VIEW,
    OVERLOAD_LIMIT,
    STAGE_ORDER,
    STEP_ORDER,
    SUBSTANCE_MISUSE_SECTOR,
)
from planner.scoring import (
    StepChoice,
    asset_reasons,
    barrier_mask,
    barrier_reasons,
    components,
    distance_reason,
    practical_factors,
    practical_reasons,
    step_reason,
    total,
    waiting_days,
)
from planner.warning_rules import warnings_for

JOB_SEARCH = STEP_ORDER.index("job_search")


def recommend(
    profile: Profile,
    entries: Sequence[Entry] | PlannerIndex,
    today: dt.date,
    *,
    limit: int = 10,
    postcode_locator: PostcodeLocator | None = None,
) -> PlanResult:
    """The plan for `profile` over `entries` (plain records, or a prebuilt PlannerIndex).

    `postcode_locator(postcode) -> (lat, lon)` raises ValueError for a postcode it
    does not know; that becomes an assumption, not an error. The index of a list
    of entries is built on first use and reused while the list holds the same entries.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    return plan(index_for(entries), Client.of(profile, postcode_locator), today, limit)


def plan(index: PlannerIndex, client: Client, today: dt.date, limit: int, *, prefilter: bool = True) -> PlanResult:
    """The plan over a built index. `prefilter=False` evaluates every rule on every entry and only
    then keeps the candidates: the same answer, slower (the benchmark's baseline)."""
    if client.overloaded:
        limit = min(limit, OVERLOAD_LIMIT)
    context = _Context.of(index, client, today)
    goals = index.holding(client.keys_of("goal_sector"))
    candidate = context.steps.permitted & (context.steps.serves_next | context.barriers | goals)

    rows = np.flatnonzero(candidate) if prefilter else np.arange(len(index))
    assessed = context.assess(rows, schedules_one_by_one=not prefilter)
    if not prefilter:
        assessed = assessed.subset(candidate[assessed.rows])
    ranked = context.rank(assessed.subset(~assessed.excluded))
    guarantees, pool = _guarantees(context, candidate, ranked, limit)
    chosen, brought_in = _select(pool, guarantees, limit, index.name_order)
    return PlanResult(
        ref=client.profile.ref,
        stage=client.stage,
        readiness=client.readiness,
        continuum=client.continuum,
        recommendations=tuple(context.recommendation(pool, p, brought_in.get(p)) for p in chosen),
        excluded=context.exclusions(assessed),
        assumptions=client.assumptions,
    )


# -- evaluating a set of entries --------------------------------------------------------------------


@dataclass(frozen=True)
class _Assessed:
    """Rows with their distance and the hard rules each breaks."""

    rows: np.ndarray
    km: np.ndarray  # NaN when not in person or no position on either side
    broken: np.ndarray  # (len(rows), len(checks.HARD_RULES))

    @property
    def excluded(self) -> np.ndarray:
        return self.broken.any(axis=1)

    def subset(self, keep: np.ndarray) -> _Assessed:
        return _Assessed(self.rows[keep], self.km[keep], self.broken[keep])


@dataclass(frozen=True)
class _Ranked:
    """Eligible rows, best first, with their score and its parts."""

    rows: np.ndarray
    score: np.ndarray
    km: np.ndarray
    parts: dict[str, np.ndarray]
    factors: dict[str, np.ndarray]
    is_fallback: np.ndarray  # brought in only to keep employment in view

    def then(self, other: _Ranked) -> _Ranked:
        join = lambda a, b: {k: np.concatenate([a[k], b[k]]) for k in a}  # noqa: E731
        return _Ranked(
            np.concatenate([self.rows, other.rows]), np.concatenate([self.score, other.score]),
            np.concatenate([self.km, other.km]), join(self.parts, other.parts), join(self.factors, other.factors),
            np.concatenate([self.is_fallback, other.is_fallback]),
        )


@dataclass(frozen=True)
class _Context:
    index: PlannerIndex
    client: Client
    today: dt.date
    steps: StepChoice
    barriers: np.ndarray
    attendance: Attendance

    @classmethod
    def of(cls, index: PlannerIndex, client: Client, today: dt.date) -> _Context:
        return cls(index, client, today, StepChoice.of(index, client), barrier_mask(index, client),
                   Attendance.of(index, client.times))

    def assess(self, rows: np.ndarray, *, schedules_one_by_one: bool = False) -> _Assessed:
        index, client = self.index, self.client
        km = np.full(len(rows), np.nan)
        if client.position is not None:
            km = haversine_km(*client.position, index.latitude[rows], index.longitude[rows])
            km[~index.in_person[rows]] = np.nan  # online and phone delivery are never too far
        schedule_ids = index.schedule_id[rows]
        if schedules_one_by_one:  # the baseline: the whole arithmetic, in words, for every entry
            schedule_ok = np.array([self.attendance.fit(int(sid)).attendable for sid in schedule_ids], dtype=bool)
        else:
            schedule_ok = self.attendance.ok[schedule_ids]
        return _Assessed(rows, km, breaches(index, rows, client, self.today, km, schedule_ok))

    def rank(self, assessed: _Assessed, *, fallback: bool = False) -> _Ranked:
        rows, km = assessed.rows, assessed.km
        factors = practical_factors(self.index, rows, self.client, self.today)
        parts = components(self.index, rows, self.client, self.steps, km, self.barriers, factors)
        score = total(parts)
        order = _best_first(score, km, self.index.name_order[rows])
        return _Ranked(
            rows[order], score[order], km[order], {k: v[order] for k, v in parts.items()},
            {k: v[order] for k, v in factors.items()}, np.full(len(rows), fallback),
        )

    def recommendation(self, ranked: _Ranked, position: int, extra_reason: str | None) -> Recommendation:
        index, client = self.index, self.client
        row = int(ranked.rows[position])
        entry = index.entries[row]
        km = round_km(ranked.km[position])
        fit = self.attendance.fit(int(index.schedule_id[row]))
        step = STEP_ORDER[self.steps.step[row]]
        factors = {name: float(values[position]) for name, values in ranked.factors.items()}
        wait = float(waiting_days(index, np.array([row]), self.today)[0])
        reasons = [
            *asset_reasons(index, row, client),
            *barrier_reasons(index, row, client),
            distance_reason(entry, km, client),
            fit.reason,
            *practical_reasons(entry, factors, client, wait, self.today),
            step_reason(step, client),
            extra_reason,
        ]
        return Recommendation(
            entry_id=entry.id,
            name=entry.name,
            organisation=entry.organisation,
            category=entry.category,
            step=step,
            score=round(float(ranked.score[position]), 2),
            distance_km=km,
            reasons=tuple(dict.fromkeys(r for r in reasons if r)),
            warnings=tuple(warnings_for(entry, client, fit, self.today)),
            score_components={name: round(float(values[position]), 3) for name, values in ranked.parts.items()},
        )

    def exclusions(self, assessed: _Assessed) -> Exclusions:
        """Every excluded candidate, alphabetically, with every rule it breaks (written on first use)."""
        out = assessed.subset(assessed.excluded)
        order = np.argsort(self.index.name_order[out.rows], kind="stable")
        rows, broken, km = out.rows[order], out.broken[order], out.km[order]

        def write() -> tuple[Exclusion, ...]:
            reasons = exclusion_reasons(self.index, rows, broken, self.client, km, self.attendance.clash_reasons, self.today)
            entries = self.index.entries
            return tuple(Exclusion(entries[row].id, entries[row].name, why) for row, why in zip(rows.tolist(), reasons))

        return Exclusions(len(rows), write)


# -- choosing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Guarantee:
    reason: str | None  # added to an entry swapped in for this guarantee
    holds: np.ndarray  # per position in the ranking
    may_bring_in: np.ndarray  # positions that may be swapped in for it


def _in_categories(index: PlannerIndex, rows: np.ndarray, categories: frozenset[str]) -> np.ndarray:
    return np.isin(index.category[rows], [CATEGORY_INDEX[c] for c in categories])


def _guarantees(context: _Context, candidate: np.ndarray, ranked: _Ranked, limit: int) -> tuple[list[_Guarantee], _Ranked]:
    """The guarantees that apply to this client, and the ranking they choose from."""
    index, client = context.index, context.client
    employment_in_view = STAGE_ORDER.index(client.stage) >= STAGE_ORDER.index(EMPLOYMENT_IN_VIEW_FROM_STAGE)
    pool = ranked
    if employment_in_view and not _in_categories(index, ranked.rows, KEEPS_EMPLOYMENT_IN_VIEW).any():
        pool = ranked.then(_employment_fallback(context, candidate))
    candidates = ~pool.is_fallback  # only the employment guarantee may reach beyond them
    guarantees = []
    if client.continuum.work_now:  # its step reason already says why
        job_search = context.steps.step[pool.rows] == JOB_SEARCH
        guarantees.append(_Guarantee(None, job_search, job_search & candidates))
    if employment_in_view:
        ete = _in_categories(index, pool.rows, KEEPS_EMPLOYMENT_IN_VIEW)
        guarantees.append(_Guarantee("keeps employment in view", ete, ete))
    if limit >= 2:  # a single recommendation cannot be "all" from one sector
        beyond = ~_in_categories(index, pool.rows, SUBSTANCE_MISUSE_SECTOR)
        guarantees.append(_Guarantee("widens horizons beyond drug and alcohol services", beyond, beyond & candidates))
    return guarantees, pool


def _employment_fallback(context: _Context, candidate: np.ndarray) -> _Ranked:
    """Entries outside the candidates that keep employment in view and break no hard rule."""
    index = context.index
    ete = np.isin(index.category, [CATEGORY_INDEX[c] for c in KEEPS_EMPLOYMENT_IN_VIEW])
    assessed = context.assess(np.flatnonzero(context.steps.permitted & ~candidate & ete))
    return context.rank(assessed.subset(~assessed.excluded), fallback=True)


def _select(
    pool: _Ranked, guarantees: list[_Guarantee], limit: int, name_order: np.ndarray
) -> tuple[list[int], dict[int, str | None]]:
    """Positions in `pool` to recommend, best first, and the reason each swapped-in one was added."""
    chosen = list(range(min(limit, int((~pool.is_fallback).sum()))))
    pinned: set[int] = set()
    brought_in: dict[int, str | None] = {}
    for guarantee in guarantees:
        inside = [p for p in chosen if guarantee.holds[p]]
        if inside:
            pinned.add(inside[0])
            continue
        holding = np.flatnonzero(guarantee.may_bring_in)
        if not len(holding):
            continue
        if len(chosen) >= limit:
            replaceable = [p for p in chosen if p not in pinned]
            if not replaceable:
                continue
            chosen.remove(replaceable[-1])
        best = int(holding[0])
        chosen.append(best)
        pinned.add(best)
        brought_in[best] = guarantee.reason
    # A swapped-in entry takes its place by score like any other.
    positions = np.array(chosen, dtype=np.int64)
    order = _best_first(pool.score[positions], pool.km[positions], name_order[pool.rows[positions]])
    return positions[order].tolist(), brought_in


def _best_first(score: np.ndarray, km: np.ndarray, name_rank: np.ndarray) -> np.ndarray:
    """The order of a ranking: score (to 6 places, so float noise never decides), then nearer
    (no distance last), then name and id: the same input always gives the same order."""
    return np.lexsort((name_rank, np.nan_to_num(km, nan=np.inf), -np.round(score, 6)))
