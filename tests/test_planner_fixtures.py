"""Shared builders for the planner tests: a client at TS1 3BA, entries placed by kilometres north.

Positions are exact: an entry `km` north of the client is `km` away by great
circle, so distances in expected outputs can be written by hand.
"""

from __future__ import annotations

import copy
import datetime as dt
import math

from directory.fields import Entry
from planner import parse_profile, recommend
from directory.geo import EARTH_RADIUS_KM

TODAY = dt.date(2025, 3, 3)  # a Monday
HOME = (54.572076, -1.234694)  # TS1 3BA
POSTCODES = {"TS1 3BA": HOME}


def locate(postcode: str) -> tuple[float, float]:
    if postcode not in POSTCODES:
        raise ValueError(f"postcode {postcode} not found")
    return POSTCODES[postcode]


def north(km: float) -> dict:
    """latitude/longitude `km` north of HOME."""
    return {"latitude": HOME[0] + math.degrees(km / EARTH_RADIUS_KM), "longitude": HOME[1]}


def entry(id: str, category: str, *, km: float | None = 1.0, **fields) -> Entry:
    """An entry named after its id, `km` north of the client (None: no position)."""
    position = north(km) if km is not None else {}
    return Entry(id=id, name=fields.pop("name", id.replace("-", " ").title()),
                 organisation=fields.pop("organisation", "Tees Org"), category=category, **position, **fields)


def profile_data(**fields) -> dict:
    """A minimal profile: stabilising, at TS1 3BA, everything else as given."""
    return {"ref": "T-1", "stage": "stabilising", "postcode": "TS1 3BA", **fields}


def plan(entries, *, limit: int = 10, today: dt.date = TODAY, **fields):
    return recommend(parse_profile(profile_data(**fields)), entries, today, limit=limit, postcode_locator=locate)


def ids(result) -> list[str]:
    return [r.entry_id for r in result.recommendations]


def excluded(result) -> dict[str, list[str]]:
    return {e.entry_id: list(e.reasons) for e in result.excluded}


def recommendation(result, entry_id: str):
    return next(r for r in result.recommendations if r.entry_id == entry_id)


# The example profile of docs/client-profile.md, verbatim.
SPEC_PROFILE = {
    "ref": "C-0042",
    "postcode": "TS1 3BA",
    "max_travel_km": 8,
    "stage": "stabilising",
    "readiness": {
        "attends_appointments": True,
        "engages_in_groups": False,
        "in_withdrawal": False,
        "self_care": True,
        "owns_goals": True,
    },
    "in_treatment": True,
    "opioid_substitution": True,
    "abstinent_months": 0,
    "commitments": [
        {"what": "supervised consumption", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "start": "09:00", "end": "10:00"},
        {"what": "keyworker appointment", "days": ["Thu"], "start": "14:00", "end": "15:00"},
    ],
    "available": [
        {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "10:30", "end": "16:00"},
    ],
    "benefit": "uc",
    "age": 34,
    "screening": {
        "health_condition": False,
        "first_language_not_english": False,
        "reading_writing_maths": True,
        "qualifications_below_level_2": True,
        "children_or_dependants": True,
        "lone_parent": True,
        "homeless": False,
        "custodial_sentence": True,
        "concerned_about_use": False,
        "structured_support": True,
        "abstinent": False,
        "looking_for_training": True,
    },
    "convictions": "spent",
    "needs_childcare": True,
    "languages": ["en"],
    "assets": {
        "skills": ["cooking", "customer service"],
        "qualifications": ["food hygiene level 2"],
        "work_history": [],
        "interests": ["catering", "gardening"],
        "strengths": ["reliable", "good with people"],
        "lived_experience": True,
        "driving_licence": False,
    },
    "goals": {
        "aim": "any_job",
        "sectors": ["hospitality"],
        "hours_per_week": 16,
        "self_employment": False,
        "wants_work_now": False,
    },
    "other_barriers": ["benefits_worries"],
    "done_steps": ["health", "motivation", "stabilising", "housing"],
    "current_activities": 1,
}


def spec_profile(**changes) -> dict:
    data = copy.deepcopy(SPEC_PROFILE)
    data.update(changes)
    return data
