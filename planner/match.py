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
4. Choosing, by construction rather than by weights (`_choose`): a small greedy set cover of what
   must be among the first three (in crisis the client's barriers, a roof and treatment first; a roof
   for a homeless client; IPS or other employment support for a client who wants work now), then one
   entry for each barrier the directory can meet among the first ten (the one meeting most of those
   still unmet, the earliest step, the best ranked), keeping a place for the best fit; an employer or
   work trial for a client who wants work now; then the best of the rest. The older guarantees then
   swap in what they need: from early on, something that keeps employment in view (looked for beyond
   the candidates when none of them does); not everything from the substance-misuse sector. The list
   is then ordered by construction (`_in_order`): what must be among the first three, most urgent first;
   then the best fit for each of the client's barriers still unmet while the first three have room; then
   the rest by fit (in crisis, general well-being activities last).
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
from directory.threads import ARRAY_WORK
from planner.distance import round_km
from planner.index import CATEGORY_INDEX, PlannerIndex, index_for
from planner.profile import Profile
from planner.result import Exclusion, Exclusions, PlanResult, Recommendation
from planner.rules import (
    BARRIER_RULES,
    EMPLOYMENT_IN_VIEW_FROM_STAGE,
    KEEPS_EMPLOYMENT_IN_VIEW,
    OVERLOAD_LIMIT,
    STAGE_ORDER,
    STEP_ORDER,
    SUBSTANCE_MISUSE_SECTOR,
    need_of,
)
from planner.scoring import (
    StepChoice,
    asset_reasons,
    barrier_mask,
    barrier_reasons,
    client_barrier_masks,
    components,
    group_reasons,
    distance_reason,
    practical_factors,
    practical_reasons,
    WORK_NOW_REASON,
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
    # On the long-lived threads: a plan's temporaries are arrays as long as the directory (directory/threads.py).
    return ARRAY_WORK.run(plan, index_for(entries), Client.of(profile, postcode_locator), today, limit)


def plan(index: PlannerIndex, client: Client, today: dt.date, limit: int, *, prefilter: bool = True) -> PlanResult:
    """The plan over a built index. `prefilter=False` evaluates every rule on every entry and only
    then keeps the candidates: the same answer, slower (the benchmark's baseline)."""
    if client.overloaded:
        limit = min(limit, OVERLOAD_LIMIT)
    context = _Context.of(index, client, today)
    goals = index.holding(client.keys_of("goal_sector"))
    candidate = context.steps.permitted & (context.steps.serves_next | context.meets_need | goals)

    rows = np.flatnonzero(candidate) if prefilter else np.arange(len(index))
    assessed = context.assess(rows, schedules_one_by_one=not prefilter)
    if not prefilter:
        assessed = assessed.subset(candidate[assessed.rows])
    ranked = context.rank(assessed.subset(~assessed.excluded))
    guarantees, pool = _guarantees(context, candidate, ranked, limit)
    chosen, brought_in = _choose(context, pool, guarantees, limit)
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
    barrier_masks: dict[str, np.ndarray]  # the client's barrier rules -> entries meeting them for this client
    barriers: np.ndarray  # meets any of them that counts in `barrier_fit`
    meets_need: np.ndarray  # meets any of them (a candidate)
    attendance: Attendance

    @classmethod
    def of(cls, index: PlannerIndex, client: Client, today: dt.date) -> _Context:
        masks = client_barrier_masks(index, client)
        return cls(index, client, today, StepChoice.of(index, client), masks,
                   barrier_mask(masks, len(index), scored_only=True), barrier_mask(masks, len(index)),
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
            *barrier_reasons(self.barrier_masks, row),
            IPS_REASON if index.ips[row] else None,  # what it is, so the keyworker can say why it comes first
            *group_reasons(entry, client),
            distance_reason(entry, km, client),
            fit.reason,
            *practical_reasons(entry, factors, client, wait, self.today),
            step_reason(step, client),
            # the step already says it when it is job search
            None if extra_reason == WAY_INTO_WORK and step_reason(step, client) == WORK_NOW_REASON else extra_reason,
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
    """The guarantees that still apply once the client's needs are met, and the ranking they choose from."""
    index, client = context.index, context.client
    employment_in_view = STAGE_ORDER.index(client.stage) >= STAGE_ORDER.index(EMPLOYMENT_IN_VIEW_FROM_STAGE)
    pool = ranked
    if employment_in_view and not _in_categories(index, ranked.rows, KEEPS_EMPLOYMENT_IN_VIEW).any():
        pool = ranked.then(_employment_fallback(context, candidate))
    guarantees = []
    if employment_in_view:
        ete = _in_categories(index, pool.rows, KEEPS_EMPLOYMENT_IN_VIEW)
        guarantees.append(_Guarantee("keeps employment in view", ete, ete))
    if limit >= 2:  # a single recommendation cannot be "all" from one sector
        beyond = ~_in_categories(index, pool.rows, SUBSTANCE_MISUSE_SECTOR)
        guarantees.append(_Guarantee("widens horizons beyond drug and alcohol services", beyond, beyond & ~pool.is_fallback))
    return guarantees, pool


def _employment_fallback(context: _Context, candidate: np.ndarray) -> _Ranked:
    """Entries outside the candidates that keep employment in view and break no hard rule."""
    index = context.index
    ete = np.isin(index.category, [CATEGORY_INDEX[c] for c in KEEPS_EMPLOYMENT_IN_VIEW])
    assessed = context.assess(np.flatnonzero(context.steps.permitted & ~candidate & ete))
    return context.rank(assessed.subset(~assessed.excluded), fallback=True)


# -- needs first, by construction --------------------------------------------------------------------

FIRST_FEW = 3  # "among the first three"
IPS_REASON = "Individual Placement and Support (IPS): help into a job you choose, with support once in work"
WAY_INTO_WORK = "a way into work, as the client asked"
FIRST_TEN = 10  # "among the first ten"
# In crisis, the client's barriers are met in this order first (safety: a roof, then treatment); the rest
# follow in rules.BARRIER_RULES order.
CRISIS_URGENCY = ("homeless", "concerned_about_use", "health_condition")


@dataclass(frozen=True)
class _Need:
    """Something the first recommendations must hold whenever a candidate can (spec: needs first, every
    barrier met somewhere, wanting work now)."""

    name: str
    holds: np.ndarray  # per position in the pool
    prefer: np.ndarray  # per position, 0 or more: lower is chosen first among holders, then the better ranked
    reason: str | None = None  # read aloud when it brought in an entry that would not have made the list


def _needs(context: _Context, pool: _Ranked) -> tuple[list[_Need], list[_Need], list[_Need]]:
    """The needs that apply to this client, in three lots: those to meet among the first three (most urgent
    first), the barriers to meet among the first ten, and what to meet anywhere in the plan."""
    index, client = context.index, context.client
    rows = pool.rows
    usable = ~pool.is_fallback
    category = index.category[rows]
    step = context.steps.step[rows].astype(np.int64)
    none = np.zeros(len(rows), dtype=np.int64)

    def holders(need: str) -> np.ndarray:
        holds = np.zeros(len(rows), dtype=bool)
        for barrier, meets in context.barrier_masks.items():
            if need_of(barrier) == need and BARRIER_RULES[barrier].covers:
                holds |= meets[rows]
        if need == "health_condition" and client.stage == "crisis":  # in crisis: health services, now
            holds |= context.barrier_masks.get("health_condition", np.zeros(len(index), dtype=bool))[rows]
        return holds & usable

    def need_first(need: str) -> _Need:
        """A roof for a homeless client: somewhere to stay tonight first, then somewhere to live, then other
        housing support (spec: "a housing entry among the first three"); never help to keep a tenancy."""
        if need != "homeless":
            return _Need(need, holders(need), none)
        masks = context.barrier_masks
        return _Need(need, holders(need), np.where(masks["homeless"][rows], 0, np.where(masks["homeless_housing"][rows], 1, 2)))

    first_few: list[_Need] = []
    if client.stage == "crisis":  # what meets the client's barriers, the most urgent first
        needs = sorted(client.needs, key=lambda n: CRISIS_URGENCY.index(n) if n in CRISIS_URGENCY else len(CRISIS_URGENCY))
        first_few += [need_first(n) for n in needs]
    elif "homeless" in client.needs:  # a roof first
        first_few.append(need_first("homeless"))
    if client.continuum.work_now:  # employment support, IPS first; else any route into job search
        employment = category == CATEGORY_INDEX["employment_support"]
        prefer = np.where(employment & index.ips[rows], 0, np.where(employment, 1, np.where(step == JOB_SEARCH, 2, 3)))
        first_few.append(_Need("work now", (prefer < 3) & usable, prefer))
    barriers = [_Need(n, holders(n), np.maximum(step, 0)) for n in client.needs]  # the earliest step first
    anywhere = []
    if client.continuum.work_now:  # a way in: an employer or a work trial
        route = np.isin(category, [CATEGORY_INDEX["employer"], CATEGORY_INDEX["work_placement"]])
        anywhere.append(_Need("a way into work", route & usable, none, reason=WAY_INTO_WORK))
    return first_few, barriers, anywhere


def _cover(needs: list[_Need], taken: np.ndarray, slots: int, *, by_urgency: bool) -> list[tuple[int, _Need]]:
    """A small greedy set cover: up to `slots` positions such that each need is held by one of them (or
    by one already taken), each time the position holding the most needs still uncovered, then the most
    urgent need it holds (`by_urgency`: the order of `needs`), then its preference, then the better ranked."""
    taken = taken.copy()
    uncovered = [n for n in needs if n.holds.any() and not (n.holds & taken).any()]
    picked: list[tuple[int, _Need]] = []
    while uncovered and len(picked) < slots:
        holds = np.vstack([n.holds for n in uncovered]) & ~taken
        counts = holds.sum(axis=0)
        if counts.max() == 0:
            break
        candidates = np.flatnonzero(counts == counts.max())
        urgency = np.arange(len(uncovered))[:, None] if by_urgency else np.zeros((len(uncovered), 1), dtype=np.int64)
        prefer = np.vstack([n.prefer[candidates] for n in uncovered])
        key = np.where(holds[:, candidates], urgency * 1_000_000 + prefer, np.iinfo(np.int64).max).min(axis=0)
        position = int(candidates[np.lexsort((candidates, key))[0]])
        need = next(n for n in uncovered if n.holds[position])
        picked.append((position, need))
        taken[position] = True
        uncovered = [n for n in uncovered if not n.holds[position]]
    return picked


def _choose(context: _Context, pool: _Ranked, guarantees: list[_Guarantee], limit: int
            ) -> tuple[list[int], dict[int, str | None]]:
    """Positions in `pool` to recommend, in order, and the reason an entry was brought in, if any.

    By construction, not by weights: first a small set cover of what must be among the first three (in
    crisis, the client's barriers, a roof and treatment first; a roof for a homeless client; IPS or other
    employment support for a client who wants work now), then one of each barrier the directory can meet
    among the first ten (the entry meeting most of those still unmet, the earliest step, the best ranked),
    keeping a place for the best fit; then a way into work for a client who wants it, then the best of the
    rest by score; then the older guarantees (employment in view, variety) swap in what they need. The list
    is then put in order by `_in_order`: needs before general activities."""
    natural = min(limit, int((~pool.is_fallback).sum()))
    first, ten = min(FIRST_FEW, limit), min(FIRST_TEN, limit)
    chosen: list[int] = []
    taken = np.zeros(len(pool.rows), dtype=bool)
    brought_in: dict[int, str | None] = {}
    first_few, barriers, anywhere = _needs(context, pool)

    def take(picks: list[tuple[int, _Need | None]]) -> None:
        for position, need in picks:
            chosen.append(position)
            taken[position] = True
            if need is not None and need.reason and position >= natural:
                brought_in[position] = need.reason

    urgent = _cover(first_few, taken, first, by_urgency=True)
    take(urgent)
    placed_first = {position: first_few.index(need) for position, need in urgent}  # -> how urgent
    best_fit_kept = 0 if natural == 0 or taken[0] else 1  # the best fit always keeps its place
    barrier_picks = _cover(barriers, taken, ten - len(chosen) - best_fit_kept, by_urgency=False)
    take(barrier_picks)
    way_in = _cover(anywhere, taken, limit - len(chosen) - best_fit_kept, by_urgency=True)
    take(way_in)
    for position in range(natural):
        if len(chosen) >= limit:
            break
        if not taken[position]:
            take([(position, None)])
    pinned = set(chosen) - set(range(natural)) | set(placed_first) | {p for p in chosen if any(n.holds[p] for n in barriers)}
    for guarantee in guarantees:
        inside = [p for p in chosen if guarantee.holds[p]]
        if inside:
            pinned.add(min(inside))  # the best ranked that holds it stays
            continue
        holding = np.flatnonzero(guarantee.may_bring_in & ~taken)
        if not len(holding):
            continue
        if len(chosen) >= limit:
            replaceable = [p for p in sorted(chosen, key=lambda p: -p) if p not in pinned]
            if not replaceable:
                continue
            chosen.remove(replaceable[0])
            taken[replaceable[0]] = False
        position = int(holding[0])
        chosen.append(position)
        taken[position] = True
        pinned.add(position)
        brought_in[position] = guarantee.reason
    # A way into work is what a client who wants work now came for: it counts with the barriers.
    return _in_order(context, pool, chosen, placed_first, barriers + anywhere, first), brought_in


def _in_order(context: _Context, pool: _Ranked, chosen: list[int], urgent: dict[int, int], needs: list[_Need],
              first: int) -> list[int]:
    """Needs before general activities, by construction (the spec's "needs first", for every stage):

    1. what must be among the first three, the most urgent first (in crisis a roof, then treatment, then health;
       a roof for a homeless client; employment support for a client who wants work now);
    2. then, while one of the client's barriers (or, wanting work now, a way into work) is not met by those
       already placed and the first three have room, the best fit of the entries meeting one still unmet;
    3. then the rest, best fit first (in crisis, general well-being activities last; the same service at
       another place after every different one).
    """
    if not chosen:
        return []
    index = context.index
    positions = np.array(chosen, dtype=np.int64)
    rows = pool.rows[positions]
    general = index.general_wellbeing[rows] if context.client.stage == "crisis" else np.zeros(len(rows), dtype=bool)
    order = np.lexsort((index.name_order[rows], np.nan_to_num(pool.km[positions], nan=np.inf),
                        -np.round(pool.score[positions], 6), general))
    by_fit = positions[order].tolist()
    result = sorted((p for p in by_fit if p in urgent), key=lambda p: urgent[p])  # sorted() is stable: then fit
    while len(result) < first:
        unmet = [n for n in needs if not any(n.holds[p] for p in result)]
        meeting = next((p for p in by_fit if p not in result and any(n.holds[p] for n in unmet)), None)
        if meeting is None:
            break
        result.append(meeting)
    placed = set(result)
    # The same service somewhere else (a course two colleges run) is a second choice of place, not another next
    # step: it comes after every different one.
    seen = {index.entries[int(pool.rows[p])].name.casefold() for p in result}
    rest, again = [], []
    for p in by_fit:
        if p in placed:
            continue
        name = index.entries[int(pool.rows[p])].name.casefold()
        (again if name in seen else rest).append(p)
        seen.add(name)
    return result + rest + again


def _best_first(score: np.ndarray, km: np.ndarray, name_rank: np.ndarray) -> np.ndarray:
    """The order of a ranking: score (to 6 places, so float noise never decides), then nearer
    (no distance last), then name and id: the same input always gives the same order."""
    return np.lexsort((name_rank, np.nan_to_num(km, nan=np.inf), -np.round(score, 6)))
