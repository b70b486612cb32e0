"""Readiness traffic light and placement on the employment continuum."""

from __future__ import annotations

import pytest

from planner.continuum import place, step_fits
from planner.profile import Readiness, parse_profile
from planner.readiness import ReadinessRating, rate
from tests.test_planner_fixtures import profile_data, spec_profile

ALL_MET = dict(attends_appointments=True, engages_in_groups=True, in_withdrawal=False, self_care=True, owns_goals=True)


@pytest.mark.parametrize("indicators, met, known, rating, notes", [
    (ALL_MET, 5, 5, "green", ()),
    ({**ALL_MET, "engages_in_groups": False}, 4, 5, "amber", ("not yet engaging in group activities",)),
    ({**ALL_MET, "owns_goals": None}, 4, 4, "amber", ("ownership of goals not known",)),
    ({**ALL_MET, "in_withdrawal": True, "self_care": False}, 3, 5, "amber",
     ("still going through withdrawal", "not yet looking after appearance and hygiene")),
    ({**ALL_MET, "in_withdrawal": True, "attends_appointments": False, "owns_goals": False}, 2, 5, "red",
     ("not yet attending appointments consistently", "still going through withdrawal",
      "not yet suggesting and agreeing their own goals")),
    ({}, 0, 0, "red", ("attendance at appointments not known", "engagement in groups not known",
                       "withdrawal not known", "self-care not known", "ownership of goals not known")),
    ({"attends_appointments": True, "engages_in_groups": True, "self_care": True}, 3, 3, "amber",
     ("withdrawal not known", "ownership of goals not known")),
])
def test_readiness_rating(indicators, met, known, rating, notes):
    assert rate(Readiness(**indicators)) == ReadinessRating(met, known, rating, notes)


def test_spec_example_readiness():
    result = rate(parse_profile(spec_profile()).readiness)
    assert result.to_dict() == {"met": 4, "known": 5, "rating": "amber", "notes": ["not yet engaging in group activities"]}


@pytest.mark.parametrize("fields, current, following", [
    ({"done_steps": []}, "health", ["health", "motivation"]),  # a list, even empty, is the keyworker's answer
    ({"done_steps": ["health", "motivation", "stabilising", "housing"]}, "soft_skills", ["soft_skills", "training"]),
    ({"done_steps": ["health", "soft_skills"]}, "motivation", ["motivation", "stabilising"]),
    # paid work history counts as soft skills done: no compulsory volunteering before work
    ({"done_steps": ["health", "motivation", "stabilising", "housing"], "assets": {"work_history": ["kitchen porter"]}},
     "training", ["training", "financial"]),
    ({"done_steps": ["health", "motivation", "stabilising", "housing"], "goals": {"wants_work_now": True}},
     "soft_skills", ["soft_skills", "training", "job_search"]),
    ({"stage": "early", "goals": {"wants_work_now": True}}, "health", ["health", "motivation"]),
    ({"done_steps": ["health", "motivation", "stabilising", "housing", "soft_skills", "training", "financial"],
      "goals": {"wants_work_now": True}}, "work_trials", ["work_trials", "job_search"]),
    ({"done_steps": list(["health", "motivation", "stabilising", "housing", "soft_skills", "training", "financial",
                          "work_trials", "job_search", "in_work_support"])}, None, []),
])
def test_continuum_placement(fields, current, following):
    continuum = place(parse_profile(profile_data(**fields)))
    assert continuum.to_dict() == {"current": current, "next": following}


GREEN = {"attends_appointments": True, "engages_in_groups": True, "in_withdrawal": False, "self_care": True,
         "owns_goals": True}


@pytest.mark.parametrize("profile, assumed, current", [
    # A Green, progressing client with no steps given is not placed at step 1, "health".
    ({"stage": "progressing", "readiness": GREEN}, "health, motivation, stable use, housing, soft skills", "training"),
    # A gap stops the inference: goals not yet their own.
    ({"stage": "stabilising", "readiness": GREEN | {"owns_goals": False}}, "health", "motivation"),
    ({"stage": "stabilising", "readiness": GREEN, "screening": {"homeless": True}}, "health, motivation, stable use",
     "housing"),
    ({"stage": "stabilising", "readiness": GREEN, "screening": {"health_condition": True}}, None, "health"),
    # Early recovery: health only with self-care; stable use not before the stabilising stage.
    ({"stage": "early", "readiness": GREEN}, "health, motivation", "stabilising"),
    ({"stage": "early", "readiness": GREEN | {"self_care": None}}, None, "health"),
    # Paid work counts as soft skills done, but inference stops at the first gap in the steps before it.
    ({"stage": "early", "readiness": GREEN, "assets": {"work_history": ["kitchen porter"]}}, "health, motivation",
     "stabilising"),
    ({"stage": "crisis", "readiness": GREEN}, None, "health"),
])
def test_the_continuum_start_is_inferred_when_no_steps_are_given(profile, assumed, current):
    from planner.client import Client

    client = Client.of(parse_profile({"ref": "C-1"} | profile))
    said = [a for a in client.assumptions if a.startswith(("assumed done", "steps already done"))]
    assert said == ([f"assumed done from the assessment: {assumed}"] if assumed else
                    ["steps already done not given: starting from the first, health"])
    assert client.continuum.current == current


def test_steps_given_are_never_second_guessed():
    from planner.client import Client

    client = Client.of(parse_profile({"ref": "C-1", "stage": "progressing", "readiness": GREEN, "done_steps": []}))
    assert client.continuum.current == "health"
    assert not [a for a in client.assumptions if a.startswith(("assumed done", "steps already done"))]


def test_step_fit_prefers_next_steps_and_never_sends_back():
    fits = step_fits(place(parse_profile(spec_profile())))
    assert fits == {
        "health": 0.1, "motivation": 0.1, "stabilising": 0.1, "housing": 0.1,
        "soft_skills": 1.0, "training": 0.8, "financial": 0.5, "work_trials": 0.4, "job_search": 0.3,
        "in_work_support": 0.2,
    }
    wants_work = step_fits(place(parse_profile(spec_profile(goals={"wants_work_now": True}))))
    assert (wants_work["soft_skills"], wants_work["training"], wants_work["job_search"]) == (1.0, 0.8, 1.0)
