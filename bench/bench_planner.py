"""Planner benchmark: recommend() over 50,000 synthetic entries beside a naive baseline in the same run.

    .venv/bin/python -m bench.bench_planner [--n 50000] [--seed 7] [--out bench/results/planner.json]

Entries are generated deterministically from a seed, placed over England
like the search benchmark's (mostly clustered round towns), with every field
the planner reads drawn at realistic rates: categories, steps, schedules,
stages, benefits, ages, abstinence, drug testing, convictions and DBS,
costs, formats, waiting times, languages, sectors and tags; who a service is only for (6%) and peer
mentoring roles, from a generator of their own.

`p50_ms` times `recommend()`; `to_dict_p50_ms` times `recommend().to_dict()`,
which also writes out every exclusion (thousands, with a short travel limit
on a national directory), i.e. the whole plan as the CLI prints it.

Profiles: the spec's example client (stabilising, on opioid substitution,
commitments and availability, 8 km limit), a client in crisis, an early
client, and a sustained client who wants work now with no travel limit,
each placed in a town of the synthetic directory.

The baseline is the obvious implementation: every rule and the full
schedule arithmetic on every entry, nothing prepared: each call reads every
entry afresh (schedules parsed, steps, sectors and tags matched), runs the
schedule arithmetic entry by entry rather than once per distinct schedule, and
evaluates the hard rules and scores on all 50,000 entries before keeping the
candidates. It goes through the same planner code, so the two must give the
same plan (`agrees_with_baseline`).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import time
from typing import Callable

import numpy as np

from bench.bench_search import SECTORS, TAGS, TOWNS, make_position
from directory.codes import BENEFITS, CATEGORIES, STAGES, STEPS
from directory.fields import Entry
from planner.client import Client
from planner.index import PlannerIndex
from planner.match import plan, recommend
from planner.profile import parse_profile

TODAY = dt.date(2025, 3, 3)
RUNS = 30
WORDS_RUNS = 10
BASELINE_RUNS = 3

SPEC_EXAMPLE = {
    "ref": "C-0042", "postcode": "TS1 3BA", "max_travel_km": 8, "stage": "stabilising",
    "readiness": {"attends_appointments": True, "engages_in_groups": False, "in_withdrawal": False,
                  "self_care": True, "owns_goals": True},
    "in_treatment": True, "opioid_substitution": True, "abstinent_months": 0,
    "commitments": [
        {"what": "supervised consumption", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "start": "09:00", "end": "10:00"},
        {"what": "keyworker appointment", "days": ["Thu"], "start": "14:00", "end": "15:00"},
    ],
    "available": [{"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "10:30", "end": "16:00"}],
    "benefit": "uc", "age": 34,
    "screening": {"health_condition": False, "first_language_not_english": False, "reading_writing_maths": True,
                  "qualifications_below_level_2": True, "children_or_dependants": True, "lone_parent": True,
                  "homeless": False, "custodial_sentence": True, "concerned_about_use": False,
                  "structured_support": True, "abstinent": False, "looking_for_training": True},
    "convictions": "spent", "needs_childcare": True, "languages": ["en"],
    "assets": {"skills": ["cooking", "customer service"], "qualifications": ["food hygiene level 2"], "work_history": [],
               "interests": ["catering", "gardening"], "strengths": ["reliable", "good with people"],
               "lived_experience": True, "driving_licence": False},
    "goals": {"aim": "any_job", "sectors": ["hospitality"], "hours_per_week": 16, "self_employment": False,
              "wants_work_now": False},
    "other_barriers": ["benefits_worries"], "done_steps": ["health", "motivation", "stabilising", "housing"],
    "current_activities": 1,
}

PROFILES: dict[str, tuple[dict, str]] = {
    "spec example (stabilising)": (SPEC_EXAMPLE, "Middlesbrough"),
    "crisis": ({"ref": "B-1", "stage": "crisis", "postcode": "LS1 1AA", "max_travel_km": 5,
                "screening": {"homeless": True}}, "Leeds"),
    "early": ({"ref": "B-2", "stage": "early", "postcode": "M1 1AA", "max_travel_km": 10, "opioid_substitution": True,
               "commitments": [{"what": "script collection", "days": ["Mon", "Wed", "Fri"], "start": "09:00", "end": "09:30"}],
               "assets": {"interests": ["music", "football"]}, "done_steps": ["health"]}, "Manchester"),
    "sustained, wants work now": ({"ref": "B-3", "stage": "sustained", "postcode": "B1 1AA", "abstinent_months": 30,
                                   "gender": "man",
                                   "convictions": "unspent", "benefit": "jsa", "age": 45,
                                   "assets": {"work_history": ["warehouse operative"], "skills": ["forklift"]},
                                   "goals": {"sectors": ["logistics"], "wants_work_now": True},
                                   "done_steps": ["health", "motivation", "stabilising", "housing"]}, "Birmingham"),
}

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_SETS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Mon-Fri", "Tue,Thu", "Mon,Wed,Fri", "Sat,Sun")


def make_schedule(rng: random.Random) -> str | None:
    if rng.random() < 0.25:
        return None  # by arrangement
    clauses = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        start = rng.choice(range(8 * 60, 19 * 60, 30))
        length = rng.choice((45, 60, 90, 120, 180, 240, 480))
        end = min(start + length, 22 * 60)
        clauses.append(f"{rng.choice(DAY_SETS)} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    return "; ".join(clauses)


FOR_GROUPS = (("women",), ("men",), ("parents", "families"), ("young_people",), ("prison_leavers",), ("veterans",),
              ("care_leavers",))


def make_entry(rng: random.Random, i: int, towns: list[str], groups_rng: random.Random | None = None) -> Entry:
    town = rng.choice(towns)
    lat, lon = make_position(rng, TOWNS[town])
    category = rng.choice(list(CATEGORIES))
    remote = rng.random() < 0.07
    maybe = lambda p, value: value if rng.random() < p else None  # noqa: E731
    min_age = maybe(0.1, rng.choice((16, 18, 25, 50)))
    return Entry(
        id=f"p{i:06d}",
        name=f"{town} {category.replace('_', ' ')} {i}",
        organisation=f"{town} {rng.choice(('Trust', 'Council', 'College', 'CIC', 'Charity'))}",
        category=category,
        latitude=lat, longitude=lon,
        delivery=rng.choice((("online",), ("phone",), ("online", "phone"))) if remote
        else rng.choice((("in_person",),) * 8 + (("in_person", "online"), ("outreach",))),
        schedule=make_schedule(rng),
        term_time_only=rng.random() < (0.5 if category in ("training", "basic_skills") else 0.02),
        start_date=maybe(0.1, TODAY + dt.timedelta(days=rng.randint(-200, 120))),
        end_date=maybe(0.1, TODAY + dt.timedelta(days=rng.randint(-100, 365))),
        stages=tuple(rng.sample(list(STAGES), rng.choice((0, 0, 0, 2, 3)))),
        continuum_steps=tuple(rng.sample(list(STEPS), rng.choice((0, 0, 0, 0, 1, 2)))),
        eligible_benefits=tuple(rng.sample(list(BENEFITS), rng.choice((0, 0, 0, 0, 1, 2)))),
        min_age=min_age, max_age=maybe(0.05, (min_age or 16) + rng.choice((9, 20, 40))),
        requires_abstinence=rng.random() < 0.05,
        drug_testing=rng.random() < (0.3 if category in ("employer", "work_placement") else 0.01),
        accepts_convictions=maybe(0.3, rng.choice(("yes", "no", "case_by_case"))),
        dbs_check=maybe(0.2, rng.choice(("none", "basic", "standard", "enhanced"))),
        cost=rng.choice(("free", "free", "free", "£20 per term", None)),
        travel_costs_paid=rng.random() < 0.3,
        childcare=rng.random() < 0.1,
        format=tuple(rng.sample(["one_to_one", "group", "informal", "classroom", "online", "work_based"], rng.randint(0, 2))),
        waiting_days=maybe(0.6, rng.choice((0, 0, 3, 7, 14, 30, 60))),
        hours_per_week=maybe(0.4, rng.choice((2, 4, 8, 16, 30, 37.5))),
        languages=rng.choice(((), (), (), ("en",), ("en", "pl"), ("en", "ur", "pa"))),
        sector=rng.choice(SECTORS) if rng.random() < 0.5 else None,
        tags=tuple(rng.sample(TAGS, rng.randint(0, 4))),
        # drawn from their own generator, so the rest of the directory is the same as before they existed
        **_groups_and_roles(groups_rng, category),
    )


def _groups_and_roles(rng: random.Random | None, category: str) -> dict:
    if rng is None:
        return {}
    fields = {}
    if rng.random() < 0.06:
        fields["for_groups"] = rng.choice(FOR_GROUPS)
    if category == "peer_mentoring":
        fields["mentoring_role"] = rng.choice(("receive", "receive", "become", "both", None))
    return fields


def make_entries(n: int, seed: int) -> list[Entry]:
    rng, groups_rng = random.Random(seed), random.Random(seed + 1)
    towns = sorted(TOWNS)
    return [make_entry(rng, i, towns, groups_rng) for i in range(n)]


def locator_for(town: str) -> Callable[[str], tuple[float, float]]:
    return lambda postcode: TOWNS[town]


def naive_plan(profile, entries: list[Entry], town: str):
    """Nothing prepared, nothing filtered early: see the module docstring."""
    index = PlannerIndex.build(entries, share_schedules=False)
    return plan(index, Client.of(profile, locator_for(town)), TODAY, 10, prefilter=False)


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000.0, result


def percentiles(times_ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(times_ms, 50)), float(np.percentile(times_ms, 95))


def bench_planner(n: int = 50_000, seed: int = 7) -> list[dict]:
    """Index build once, then p50/p95 of recommend per profile against the naive baseline."""
    entries = make_entries(n, seed)
    build_ms, index = timed(lambda: PlannerIndex.build(entries))
    recommend(parse_profile(SPEC_EXAMPLE), entries, TODAY)  # first call registers `entries` with the index cache
    rows = [{"name": "build planner index", "n": n, "ms": round(build_ms, 1),
             "distinct_schedules": len(index.schedule_texts), "distinct_step_sets": len(index.step_masks)}]
    for name, (data, town) in PROFILES.items():
        profile = parse_profile(copy.deepcopy(data))
        locate = locator_for(town)
        ours, result = [], None
        for _ in range(RUNS):
            ms, result = timed(lambda: recommend(profile, entries, TODAY, postcode_locator=locate))
            ours.append(ms)
        # recommend() writes exclusions out when first read; this is the cost of the whole printed plan.
        with_words = [timed(lambda: recommend(profile, entries, TODAY, postcode_locator=locate).to_dict())[0]
                      for _ in range(WORDS_RUNS)]
        baseline, expected = [], None
        for _ in range(BASELINE_RUNS):
            ms, expected = timed(lambda: naive_plan(profile, entries, town))
            baseline.append(ms)
        p50, p95 = percentiles(ours)
        b50, b95 = percentiles(baseline)
        rows.append({
            "name": f"recommend: {name}", "n": n, "runs": RUNS,
            "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
            "to_dict_p50_ms": round(percentiles(with_words)[0], 1),
            "baseline_p50_ms": round(b50, 1), "baseline_p95_ms": round(b95, 1), "baseline_runs": BASELINE_RUNS,
            "ratio": round(b50 / p50, 1) if p50 else None,
            "agrees_with_baseline": result.to_dict() == expected.to_dict(),
            "recommendations": len(result.recommendations), "excluded": len(result.excluded),
            "baseline": "every rule and per-entry schedule arithmetic on every entry, entries read afresh each call",
        })
    return rows


if __name__ == "__main__":  # the same as: python -m bench planner
    for line in bench_planner():
        print(json.dumps(line))
