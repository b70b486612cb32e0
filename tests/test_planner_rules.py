"""The rule tables: every code documented, tables consistent with the directory's vocabularies."""

from __future__ import annotations

import dataclasses
import math

import pytest

from directory.codes import CATEGORIES, CATEGORY_DEFAULT_STEPS, STAGES, STEPS
from planner import rules
from planner.profile import OTHER_BARRIERS, Screening
from planner.terms import match_keys


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_every_category_is_documented(category):
    rule = rules.CATEGORY_RULES[category]
    assert rule.description.strip() and rule.source.strip()
    assert rule.steps == CATEGORY_DEFAULT_STEPS[category]


@pytest.mark.parametrize("stage", list(STAGES))
def test_every_stage_is_documented(stage):
    rule = rules.STAGE_RULES[stage]
    assert rule.description.strip() and rule.source.strip()
    assert rule.categories <= set(CATEGORIES) and rule.steps <= set(STEPS)
    assert rule.favoured and rule.favoured <= rule.categories


@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_is_documented(step):
    rule = rules.STEP_RULES[step]
    assert rule.label.strip() and rule.description.strip() and rule.source.strip()


def test_the_tables_name_nothing_the_directory_does_not_know():
    assert set(rules.CATEGORY_RULES) == set(CATEGORIES)
    assert set(rules.STAGE_RULES) == set(STAGES)
    assert set(rules.STEP_RULES) == set(STEPS)
    profile_barriers = {f.name for f in dataclasses.fields(Screening)} | set(OTHER_BARRIERS) | set(rules.PROFILE_NEEDS)
    for name, rule in rules.BARRIER_RULES.items():
        assert rules.need_of(name) in profile_barriers
        assert rule.description.strip() and rule.reason.strip() and rule.source.strip()
        assert rule.categories <= set(CATEGORIES) and rule.tagged_in <= set(CATEGORIES)
        assert rule.subject is None or rule.subject in rules.BASIC_SKILLS_SUBJECTS


def test_the_spec_stage_rules():
    assert rules.STAGE_RULES["crisis"].categories == {"treatment", "housing", "health_wellbeing", "recovery_support"}
    assert "employer" not in rules.STAGE_RULES["early"].categories
    assert "job_search" not in rules.STAGE_RULES["early"].steps
    for stage in ("stabilising", "progressing", "sustained"):
        assert rules.STAGE_RULES[stage].categories == set(CATEGORIES)
        assert rules.STAGE_RULES[stage].steps == set(STEPS)
    assert rules.SUBSTANCE_MISUSE_SECTOR == {"treatment", "recovery_support"}


def test_score_weights_sum_to_one_so_scores_stay_in_0_to_1():
    assert math.isclose(sum(rules.SCORE_WEIGHTS.values()), 1.0)
    assert set(rules.SCORE_WEIGHTS) == {"step_fit", "asset_match", "practical_fit", "distance", "barrier_fit", "stage_fit"}


@pytest.mark.parametrize("words", [
    ("catering", "kitchen", "cooking", "hospitality", "chef", "Café"),
    ("construction", "building", "labouring", "trades"),
    ("care", "caring", "support work"),
    ("gardening", "horticulture", "landscaping", "grounds"),
    ("retail", "shop", "sales"),
    ("IT", "computers", "digital"),
    ("logistics", "warehouse", "driving", "delivery"),
    ("admin", "office", "clerical"),
    ("creative", "art", "music", "media"),
    ("manufacturing", "factory", "production"),
])
def test_synonyms_match_each_other(words):
    for first in words:
        for second in words:
            assert match_keys(first) & match_keys(second), (first, second)


def test_terms_match_on_whole_words_and_phrases():
    assert "~hospitality" in match_keys("Food hygiene level 2")
    assert "~horticulture" in match_keys("grounds maintenance")
    assert not match_keys("catering") & match_keys("construction")
    assert not match_keys("itinerary") & match_keys("IT")  # "it" as a word, not a prefix
    assert match_keys("Football") & match_keys("football")  # equal terms always match
    assert match_keys("  ") == frozenset()
