"""The spec's example client (docs/client-profile.md) against a small directory: the whole output."""

from __future__ import annotations

import datetime as dt

from planner import parse_profile, recommend
from tests.test_planner_fixtures import SPEC_PROFILE, TODAY, entry, locate

# "matches interest: catering" is read aloud only where catering is among the entry's sector or tags
# (spec: "Reasons are true"), so the kitchen and the café job say they do catering.
ENTRIES = [
    entry("kitchen", "volunteering", km=1.4, name="Community kitchen volunteering", organisation="Tees Community Kitchen",
          sector="hospitality", tags=("cooking", "catering"), schedule="Tue 11:00-14:00", cost="free", childcare=True,
          format=("informal", "group"), waiting_days=0),
    entry("college", "training", km=3.0, name="Catering skills course", organisation="Middlesbrough College",
          sector="catering", schedule="Mon 10:00-12:00; Wed 13:00-15:00", term_time_only=True, cost="£20 per term",
          format=("classroom",), start_date=dt.date(2025, 4, 22)),
    entry("reading", "basic_skills", km=2.0, name="Reading and writing group", organisation="Tees Adult Learning",
          tags=("literacy",), schedule="Thu 14:00-16:00", cost="free", format=("informal", "group"), childcare=True),
    entry("benefits", "money_advice", km=None, name="Better-off calculations", organisation="Citizens Advice",
          delivery=("phone",), cost="free", waiting_days=7),
    entry("cafe-job", "employer", km=1.0, name="Kitchen assistant", organisation="Riverside Café", sector="hospitality",
          tags=("catering",), drug_testing=True, dbs_check="basic", accepts_convictions="case_by_case", hours_per_week=16),
    entry("early-club", "volunteering", km=1.0, name="Breakfast club volunteering", organisation="St Hilda's",
          sector="hospitality", schedule="Mon-Fri 08:30-10:00"),
    entry("dry-house", "volunteering", km=1.0, name="Dry house volunteering", organisation="Abstinence Trust",
          requires_abstinence=True),
    entry("far-college", "training", km=12.0, name="Chef academy", organisation="Durham College", sector="catering"),
    entry("jsa-course", "training", km=1.0, name="Jobseekers' catering course", organisation="Work Programme",
          sector="catering", eligible_benefits=("jsa",), end_date=dt.date(2025, 2, 28)),
    # Steps already done and no barrier or goal they meet: not candidates, so neither recommended nor excluded.
    entry("detox", "treatment", km=0.5, name="Tees detox", organisation="NHS"),
    entry("recovery-cafe", "recovery_support", km=0.5, name="Recovery café", organisation="Tees Recovery"),
]

EXPECTED = {
    "ref": "C-0042",
    "stage": "stabilising",
    "readiness": {"met": 4, "known": 5, "rating": "amber", "notes": ["not yet engaging in group activities"]},
    "continuum": {"current": "soft_skills", "next": ["soft_skills", "training"]},
    "recommendations": [
        {
            "entry_id": "kitchen",
            "name": "Community kitchen volunteering",
            "organisation": "Tees Community Kitchen",
            "category": "volunteering",
            "step": "soft_skills",
            # 0.30*1 + 0.20*1 + 0.15*(5.5/8) + 0.15*(1 - 1.4/8) + 0.10*0 + 0.10*1 = 0.826875
            "score": 0.83,
            "distance_km": 1.4,
            "reasons": [
                "matches goal sector: hospitality",
                "matches interest: catering",
                "1.4 km away",
                "Tue 11:00-14:00 fits availability",
                "creche or childcare offered",
                "free",
                "drop-in: no wait",
                "informal, small-group learning",
                "next step: soft skills",
            ],
            "warnings": [],
            # practical: free 1, travel 0, wait 1, childcare 1, informal 1, one-to-one 0, language 1, hours unknown 0.5
            "score_components": {"step_fit": 1.0, "asset_match": 1.0, "practical_fit": 0.688, "distance": 0.825,
                                 "barrier_fit": 0.0, "stage_fit": 1.0},
        },
        {
            "entry_id": "college",
            "name": "Catering skills course",
            "organisation": "Middlesbrough College",
            "category": "training",
            "step": "training",
            "score": 0.76,
            "distance_km": 3.0,
            "reasons": [
                "matches goal sector: hospitality",
                "matches interest: catering",
                "training the client is looking for",
                "3.0 km away",
                # only the part that fits beside the warning of what does not (arrive after 10:30)
                "Mon 10:30-12:00; Wed 13:00-15:00 fits availability",
                "next step: training",
            ],
            "warnings": ["arrive after 10:30: outside available times", "term-time only", "starts Tue 22 Apr"],
            # practical: starts in 50 days (wait 0), only language 1 and hours 0.5 count: 1.5/8
            "score_components": {"step_fit": 0.8, "asset_match": 1.0, "practical_fit": 0.188, "distance": 0.625,
                                 "barrier_fit": 1.0, "stage_fit": 1.0},
        },
        {
            "entry_id": "reading",
            "name": "Reading and writing group",
            "organisation": "Tees Adult Learning",
            "category": "basic_skills",
            "step": "training",
            "score": 0.65,
            "distance_km": 2.0,
            "reasons": [
                "help with reading, writing and maths",
                "training the client is looking for",
                "2.0 km away",
                "Thu 15:00-16:00 fits availability",  # after the keyworker appointment (the warning)
                "creche or childcare offered",
                "free",
                "informal, small-group learning",
                "next step: training",
            ],
            "warnings": ["arrive after 15:00: keyworker appointment"],
            "score_components": {"step_fit": 0.8, "asset_match": 0.0, "practical_fit": 0.625, "distance": 0.75,
                                 "barrier_fit": 1.0, "stage_fit": 1.0},
        },
        {
            "entry_id": "cafe-job",
            "name": "Kitchen assistant",
            "organisation": "Riverside Café",
            "category": "employer",
            "step": "job_search",
            "score": 0.52,
            "distance_km": 1.0,
            "reasons": [
                "matches goal sector: hospitality",
                "matches interest: catering",
                "1.0 km away",
                "times by arrangement",
                "16 hours a week, within the 16 aimed for",
            ],
            "warnings": [
                "drug testing: prescribed opioid substitution will show; check the policy before applying",
                "convictions considered case by case: suggest a disclosure conversation",
            ],
            # job search is three steps on (0.3); employers are not what stabilising favours (0.5)
            "score_components": {"step_fit": 0.3, "asset_match": 1.0, "practical_fit": 0.312, "distance": 0.875,
                                 "barrier_fit": 0.0, "stage_fit": 0.5},
        },
        {
            "entry_id": "benefits",
            "name": "Better-off calculations",
            "organisation": "Citizens Advice",
            "category": "money_advice",
            "step": "financial",
            "score": 0.5,
            "distance_km": None,
            "reasons": [
                "benefits advice: what working or training means for payments",
                "by phone",
                "times by arrangement",
                "free",
                "starts within a week",
            ],
            "warnings": [],
            "score_components": {"step_fit": 0.5, "asset_match": 0.0, "practical_fit": 0.406, "distance": 0.6,
                                 "barrier_fit": 1.0, "stage_fit": 1.0},
        },
    ],
    "excluded": [
        {"entry_id": "early-club", "name": "Breakfast club volunteering",
         "reasons": ["clashes with supervised consumption Mon-Sat 09:00-10:00",
                     "outside available times: Mon-Fri 08:30-10:00"]},
        {"entry_id": "far-college", "name": "Chef academy",
         "reasons": ["12.0 km away: farther than the 8 km travel limit"]},
        {"entry_id": "dry-house", "name": "Dry house volunteering",
         "reasons": ["requires abstinence; opioid substitution does not count as abstinent"]},
        {"entry_id": "jsa-course", "name": "Jobseekers' catering course",
         "reasons": ["only for people on JSA; client is on UC", "ended on 2025-02-28"]},
    ],
    "assumptions": [],
}


def test_the_spec_example_gives_the_whole_expected_plan():
    result = recommend(parse_profile(SPEC_PROFILE), ENTRIES, TODAY, postcode_locator=locate)
    assert result.to_dict() == EXPECTED


def test_the_output_keeps_the_spec_shape_and_order_of_keys():
    output = recommend(parse_profile(SPEC_PROFILE), ENTRIES, TODAY, postcode_locator=locate).to_dict()
    assert list(output) == ["ref", "stage", "readiness", "continuum", "recommendations", "excluded", "assumptions"]
    assert list(output["recommendations"][0])[:9] == [
        "entry_id", "name", "organisation", "category", "step", "score", "distance_km", "reasons", "warnings"]
    assert list(output["excluded"][0]) == ["entry_id", "name", "reasons"]


def test_the_same_input_always_gives_the_same_plan():
    first = recommend(parse_profile(SPEC_PROFILE), ENTRIES, TODAY, postcode_locator=locate).to_dict()
    again = recommend(parse_profile(SPEC_PROFILE), list(reversed(ENTRIES)), TODAY, postcode_locator=locate).to_dict()
    assert first == again
