"""recommend(): each hard rule and warning with its exact words, stage rules, guarantees, scores and order."""

from __future__ import annotations

import datetime as dt

import pytest

from planner import PlannerIndex, parse_profile, recommend
from planner.client import Client
from planner.match import plan as plan_over_index
from tests.test_planner_fixtures import (
    TODAY, entry, excluded, ids, locate, plan, recommendation, spec_profile,
)

# A stabilising client whose next steps are soft skills and training.
READY = {"done_steps": ["health", "motivation", "stabilising", "housing"]}
SUPERVISED = {"what": "supervised consumption", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "start": "09:00", "end": "10:00"}


def volunteering(id: str = "v", **fields):
    return entry(id, "volunteering", **fields)


# -- hard rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, client, reasons", [
    ({"schedule": "Mon-Fri 09:00-10:30"}, {"commitments": [SUPERVISED]},
     ["clashes with supervised consumption Mon-Sat 09:00-10:00"]),
    ({"schedule": "Sat 10:00-12:00"}, {"available": [{"days": ["Mon"], "start": "10:00", "end": "16:00"}]},
     ["outside available times: Sat 10:00-12:00"]),
    ({"km": 12.0}, {"max_travel_km": 8}, ["12.0 km away: farther than the 8 km travel limit"]),
    ({"km": 12.0, "delivery": ("outreach",)}, {"max_travel_km": 8.5}, ["12.0 km away: farther than the 8.5 km travel limit"]),
    ({"eligible_benefits": ("jsa", "esa")}, {"benefit": "uc"}, ["only for people on JSA or ESA; client is on UC"]),
    ({"eligible_benefits": ("none",)}, {"benefit": "pip"}, ["only for people on no benefits; client is on PIP"]),
    ({"min_age": 18, "max_age": 25}, {"age": 34}, ["for ages 18-25; client is 34"]),
    ({"min_age": 50}, {"age": 34}, ["for ages 50 and over; client is 34"]),
    ({"max_age": 24}, {"age": 25}, ["for ages up to 24; client is 25"]),
    ({"stages": ("progressing", "sustained")}, {}, ["for recovery stages progressing or sustained; client is stabilising"]),
    ({"requires_abstinence": True}, {"opioid_substitution": True, "screening": {"abstinent": True}},
     ["requires abstinence; opioid substitution does not count as abstinent"]),
    ({"requires_abstinence": True}, {"screening": {"abstinent": False}}, ["requires abstinence; client is not abstinent"]),
    ({"requires_abstinence": True}, {"abstinent_months": 0}, ["requires abstinence; client is not abstinent"]),
    ({"end_date": dt.date(2025, 3, 2)}, {}, ["ended on 2025-03-02"]),
    ({"start_date": dt.date(2025, 2, 1), "end_date": dt.date(2025, 3, 15)}, {},
     ["started Sat 1 Feb and ends Sat 15 Mar: too late to join"]),
    ({"start_date": dt.date(2025, 3, 4), "end_date": dt.date(2025, 3, 20), "waiting_days": 28}, {},
     ["ends Thu 20 Mar, before the client could start (28 days' wait)"]),
    ({"accepts_convictions": "no"}, {"convictions": "unspent"}, ["does not accept unspent convictions"]),
    ({"km": 9.0, "requires_abstinence": True, "end_date": dt.date(2024, 12, 31)},
     {"max_travel_km": 5, "opioid_substitution": True},
     ["9.0 km away: farther than the 5 km travel limit",
      "requires abstinence; opioid substitution does not count as abstinent", "ended on 2024-12-31"]),
])
def test_each_hard_rule_excludes_with_its_reason(fields, client, reasons):
    result = plan([volunteering(**fields)], **READY, **client)
    assert (ids(result), excluded(result)) == ([], {"v": reasons})


@pytest.mark.parametrize("fields, client", [
    ({"km": 7.9}, {"max_travel_km": 8}),
    ({"km": 50.0, "delivery": ("in_person", "online")}, {"max_travel_km": 8}),  # online is never too far
    ({"km": 50.0, "delivery": ("phone",)}, {"max_travel_km": 8}),
    ({"km": 50.0}, {}),  # no travel limit given
    ({"eligible_benefits": ("jsa", "uc")}, {"benefit": "uc"}),
    ({"eligible_benefits": ("jsa",)}, {}),  # benefit not known
    ({"min_age": 18, "max_age": 25}, {}),  # age not known
    ({"min_age": 18, "max_age": 25}, {"age": 25}),
    ({"stages": ("stabilising",)}, {}),
    ({"requires_abstinence": True}, {"abstinent_months": 6}),
    ({"requires_abstinence": True}, {}),  # abstinence not known
    ({"end_date": TODAY}, {}),  # ends today: still on
    ({"accepts_convictions": "no"}, {"convictions": "spent"}),
    ({"accepts_convictions": "no"}, {"screening": {"custodial_sentence": True}}),  # spent or not is unknown
    ({"schedule": "Mon 09:00-11:00"}, {"commitments": [SUPERVISED]}),  # an hour left after 10:00
])
def test_unknown_or_satisfied_facts_never_exclude(fields, client):
    result = plan([volunteering(**fields)], **READY, **client)
    assert (ids(result), excluded(result)) == (["v"], {})


def test_excluded_lists_candidates_only_alphabetically_and_unlimited():
    entries = [volunteering(f"far-{i}", name=f"Far {chr(90 - i)}", km=20.0) for i in range(15)]
    entries.append(entry("rehab", "treatment", requires_abstinence=True))  # steps done: not a candidate
    result = plan(entries, limit=1, max_travel_km=8, opioid_substitution=True, **READY)
    assert [e.name for e in result.excluded] == [f"Far {chr(c)}" for c in range(76, 91)]
    assert len(result.excluded) == 15 and ids(result) == []


# -- warnings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, client, warnings", [
    ({"drug_testing": True}, {"opioid_substitution": True},
     ["drug testing: prescribed opioid substitution will show; check the policy before applying"]),
    ({"drug_testing": True}, {"screening": {"abstinent": False}}, ["drug testing: check the policy before applying"]),
    ({"drug_testing": True}, {"abstinent_months": 12}, []),
    ({"dbs_check": "enhanced"}, {"convictions": "spent"}, ["enhanced DBS: convictions will be seen"]),
    ({"dbs_check": "standard"}, {"convictions": "unspent"}, ["standard DBS: convictions will be seen"]),
    ({"dbs_check": "enhanced"}, {"screening": {"custodial_sentence": True}}, ["enhanced DBS: convictions will be seen"]),
    ({"dbs_check": "basic"}, {"convictions": "spent"}, []),
    ({"dbs_check": "enhanced"}, {"convictions": "none"}, []),
    ({"accepts_convictions": "case_by_case"}, {"convictions": "spent"},
     ["convictions considered case by case: suggest a disclosure conversation"]),
    ({"accepts_convictions": "case_by_case"}, {"convictions": "none"}, []),
    ({"accepts_convictions": "no"}, {"convictions": "spent"}, ["does not accept convictions: spent ones need not be disclosed"]),
    ({"accepts_convictions": "no"}, {"screening": {"custodial_sentence": True}},
     ["does not accept unspent convictions: check whether the client's are spent"]),
    ({"term_time_only": True}, {}, ["term-time only"]),
    ({"start_date": dt.date(2025, 4, 1)}, {}, ["starts Tue 1 Apr"]),
    # Timing told truly: a course under way is never "starting soon"; the wait can push the start back.
    ({"start_date": dt.date(2025, 1, 1)}, {}, ["started Wed 1 Jan: ask about joining late"]),
    ({"start_date": dt.date(2025, 3, 3), "end_date": dt.date(2025, 5, 2)}, {},  # today: neither started nor soon
     ["starts today, Mon 3 Mar, ends Fri 2 May: ask about joining this intake"]),
    ({"start_date": dt.date(2024, 7, 27), "end_date": dt.date(2026, 1, 1), "waiting_days": 3}, {},
     ["started Sat 27 Jul 2024, ends Thu 1 Jan 2026: ask about joining late"]),
    ({"start_date": dt.date(2025, 3, 4), "waiting_days": 28}, {},
     ["starts Tue 4 Mar, but with the usual 28-day wait the earliest start is about Mon 31 Mar: ask about this intake"]),
    ({"schedule": "Tue 11:00-14:00; Sat 10:00-12:00"}, {"available": [{"days": ["Tue"], "start": "10:00", "end": "16:00"}]},
     ["only some sessions fit: Tue 11:00-14:00"]),
    ({"schedule": "Mon 09:00-12:00"}, {"commitments": [SUPERVISED]}, ["arrive after 10:00: supervised consumption"]),
    ({"drug_testing": True, "dbs_check": "enhanced", "accepts_convictions": "case_by_case", "term_time_only": True},
     {"opioid_substitution": True, "convictions": "unspent", "current_activities": 4},
     ["drug testing: prescribed opioid substitution will show; check the policy before applying",
      "enhanced DBS: convictions will be seen",
      "convictions considered case by case: suggest a disclosure conversation",
      "term-time only",
      "already doing 4 activities: risk of overload, add one thing at a time"]),
])
def test_warnings_say_what_to_check_first(fields, client, warnings):
    result = plan([volunteering(**fields)], **READY, **client)
    assert list(recommendation(result, "v").warnings) == warnings


def test_overload_caps_the_plan_at_three_each_with_the_warning():
    entries = [volunteering(f"v{i}", km=1.0 + i / 10) for i in range(6)]
    result = plan(entries, limit=10, current_activities=3, **READY)
    assert ids(result) == ["v0", "v1", "v2"]
    assert all(r.warnings == ("already doing 3 activities: risk of overload, add one thing at a time",)
               for r in result.recommendations)
    assert ids(plan(entries, limit=2, current_activities=5, **READY)) == ["v0", "v1"]
    assert len(plan(entries, limit=10, current_activities=2, **READY).recommendations) == 6


# -- stages and guarantees ---------------------------------------------------------------------------------


def test_in_crisis_only_treatment_housing_health_and_recovery_support():
    entries = [entry(c, c) for c in ("treatment", "housing", "health_wellbeing", "recovery_support", "peer_mentoring",
                                      "volunteering", "training", "employer", "money_advice")]
    result = plan(entries, stage="crisis", screening={"homeless": True}, goals={"sectors": ["care"]})
    assert sorted(ids(result)) == ["health_wellbeing", "housing", "recovery_support", "treatment"]
    assert excluded(result) == {}


def test_before_stabilising_no_employers_or_job_search():
    entries = [entry("job", "employer", sector="care"), entry("club", "employment_support", sector="care"),
               entry("ips", "employment_support", sector="care", continuum_steps=("motivation", "job_search")),
               entry("mentor", "peer_mentoring")]
    result = plan(entries, stage="early", goals={"sectors": ["care"], "wants_work_now": True})
    assert ids(result) == ["ips", "mentor"]
    assert recommendation(result, "ips").step == "motivation"
    assert "wants work now: job search comes in from the stabilising stage" in result.assumptions


def test_from_early_on_employment_stays_in_view_even_from_outside_the_candidates():
    entries = [entry("detox", "treatment", km=0.5), entry("gp", "health_wellbeing", km=0.6),
               entry("college", "training", km=3.0)]  # training is not an early next step
    result = plan(entries, stage="early")
    assert ids(result) == ["detox", "gp", "college"]
    assert recommendation(result, "college").reasons[-1] == "keeps employment in view"
    limited = plan(entries, stage="early", limit=2)
    assert ids(limited) == ["detox", "college"]


def test_a_client_who_wants_work_now_gets_job_search_whatever_the_readiness():
    entries = [volunteering(f"v{i}", km=0.5 + i / 10) for i in range(3)] + [entry("job", "employer", km=6.0)]
    client = {**READY, "readiness": {"attends_appointments": False, "engages_in_groups": False, "owns_goals": False}}
    assert "job" not in ids(plan(entries, limit=3, **client))
    wants = plan(entries, limit=3, goals={"wants_work_now": True}, **client)
    assert wants.readiness.rating == "red"
    assert ids(wants) == ["job", "v0", "v1"]  # swapped in for v2, and first: what must be among the first three
    assert recommendation(wants, "job").reasons[-1] == "looking for work now, as the client asked"
    assert wants.continuum.next == ("soft_skills", "training", "job_search")


def test_not_everything_from_the_substance_misuse_sector():
    entries = [entry("detox", "treatment", km=0.2), entry("aa", "recovery_support", km=0.3),
               entry("na", "recovery_support", km=0.4), entry("gp", "health_wellbeing", km=12.0)]
    result = plan(entries, stage="crisis", limit=3)
    assert ids(result) == ["detox", "aa", "gp"]  # gp, fourth on score, swapped in for na
    assert recommendation(result, "gp").reasons[-1] == "widens horizons beyond drug and alcohol services"
    assert ids(plan(entries, stage="crisis", limit=1)) == ["detox"]  # one cannot be "all" from one sector


def test_no_one_is_sent_back_to_steps_their_experience_covers():
    entries = [volunteering("volunteer", sector="hospitality"), entry("trial", "work_placement", sector="hospitality"),
               entry("course", "training", sector="hospitality")]
    fresh = plan(entries, **READY, goals={"sectors": ["hospitality"]})
    chef = plan(entries, **READY, goals={"sectors": ["hospitality"]}, assets={"work_history": ["chef"]},
                screening={"qualifications_below_level_2": False})
    assert recommendation(fresh, "volunteer").score_components["step_fit"] == 1.0
    assert recommendation(chef, "volunteer").score_components["step_fit"] == 0.1  # work history: soft skills done
    assert recommendation(chef, "trial").score_components["step_fit"] == 0.1  # has worked in the sector
    assert recommendation(fresh, "trial").score_components["step_fit"] == 0.4
    qualified = plan(entries, **READY, assets={"qualifications": ["NVQ level 2 catering"]},
                     screening={"qualifications_below_level_2": False}, goals={"sectors": ["hospitality"]})
    assert recommendation(qualified, "course").score_components["step_fit"] == 0.1
    assert chef.continuum.current == "training"


# -- scores and order ---------------------------------------------------------------------------------------


def test_score_components_by_hand():
    garden = volunteering("garden", km=2.0, sector="horticulture", cost="free", travel_costs_paid=True, waiting_days=0)
    result = plan([garden], max_travel_km=10, assets={"interests": ["gardening"]}, **READY)
    rec = recommendation(result, "garden")
    assert rec.score_components == {"step_fit": 1.0, "asset_match": 0.8, "practical_fit": 1.0, "distance": 0.8,
                                    "barrier_fit": 0.0, "stage_fit": 1.0}
    assert rec.score == 0.83  # 0.3 + 0.2*0.8 + 0.15 + 0.15*0.8 + 0 + 0.1
    # horticulture, not gardening, is the entry's word: the reason says they are the same field, not a match
    assert rec.reasons == ("same field as interest: gardening (horticulture)", "2.0 km away", "times by arrangement", "free",
                           "travel costs paid", "drop-in: no wait", "next step: soft skills")


def test_ranking_with_tie_breaks_by_distance_then_name_then_id():
    same = dict(sector="horticulture", cost="free", travel_costs_paid=True, waiting_days=0)
    entries = [
        volunteering("b", name="Garden volunteers", km=2.0, **same),
        volunteering("a", name="Allotment volunteers", km=2.0, **same),
        volunteering("c", name="Garden volunteers", km=4.0, **same),
        volunteering("d", name="Garden volunteers", km=2.0, **same),
        volunteering("online", name="Aardvark online gardening", km=None, delivery=("online",), **same),
        entry("course", "training", km=1.0),
        entry("money", "money_advice", km=1.0),
    ]
    result = plan(entries, max_travel_km=10, assets={"interests": ["gardening"]}, other_barriers=["debt"], **READY)
    # The money advice meets the client's debt: among the first three, before the best fit. The same service at
    # other places (d and c are also "Garden volunteers") comes after every different one, by the same order.
    assert [(r.entry_id, r.score) for r in result.recommendations] == [
        ("money", 0.51), ("a", 0.83), ("b", 0.83), ("online", 0.8), ("course", 0.5), ("d", 0.83), ("c", 0.8)]


def test_readiness_orders_but_never_excludes():
    entries = [volunteering("group", format=("group",)), volunteering("one", format=("one_to_one",))]
    ready = plan(entries, **READY)
    not_in_groups = plan(entries, **READY, readiness={"engages_in_groups": False, "in_withdrawal": True})
    assert ids(ready) == ["group", "one"]  # equal scores, by name
    assert ids(not_in_groups) == ["one", "group"]
    assert "one-to-one support" in recommendation(not_in_groups, "one").reasons


def test_barriers_met_make_candidates_and_rank_higher():
    entries = [entry("esol", "basic_skills", tags=("ESOL",)), entry("maths", "basic_skills", tags=("numeracy",)),
               entry("digital", "basic_skills", tags=("digital skills",)), entry("flat", "housing"),
               entry("debt", "money_advice"), entry("gp", "health_wellbeing"), entry("drugs", "treatment"),
               entry("mentor", "peer_mentoring", km=9.0)]
    result = plan(entries, stage="progressing", done_steps=["health", "motivation", "stabilising", "housing",
                                                              "soft_skills", "training", "financial"],
                  screening={"first_language_not_english": True, "homeless": True, "health_condition": True,
                             "concerned_about_use": True}, other_barriers=["debt", "digital_skills", "confidence"])
    reasons = {r.entry_id: r.reasons[0] for r in result.recommendations}
    assert reasons == {
        "esol": "ESOL: English for speakers of other languages",
        "digital": "digital skills: email, internet, CVs and job search online",
        "flat": "housing support",
        "debt": "money advice for debt",
        "gp": "health and well-being support",
        "drugs": "treatment for drug or alcohol use",
        "mentor": "builds confidence",
    }  # no reading difficulty: the numeracy class meets no barrier and serves no next step


def test_languages_childcare_and_format_rank_higher_for_those_who_need_them():
    entries = [entry("polish", "basic_skills", languages=("en", "pl")), entry("english", "basic_skills", languages=("en",)),
               entry("creche", "basic_skills", childcare=True), entry("informal", "basic_skills", format=("informal",))]
    polish = plan(entries, **READY, languages=["pl"])
    assert ids(polish)[0] == "polish" and "offered in Polish" in recommendation(polish, "polish").reasons
    parent = plan(entries, **READY, needs_childcare=True)
    assert ids(parent)[0] == "creche" and "creche or childcare offered" in recommendation(parent, "creche").reasons
    learner = plan(entries, **READY, screening={"qualifications_below_level_2": True})
    assert ids(learner)[0] == "informal"


def test_assets_and_goals_match_through_synonyms():
    entries = [entry("kitchen", "training", sector="catering"), entry("site", "training", tags=("labouring",)),
               entry("shop", "training", sector="retail"), entry("nea", "self_employment"),
               entry("mentor", "peer_mentoring", continuum_steps=("training",), mentoring_role="become"),
               entry("mentee", "peer_mentoring", continuum_steps=("training",), mentoring_role="receive"),
               entry("van", "training", sector="logistics")]
    result = plan(entries, **READY, assets={"skills": ["cooking"], "work_history": ["building site"],
                                            "lived_experience": True, "driving_licence": True},
                  goals={"sectors": ["shop work"], "self_employment": True, "wants_work_now": True})
    reasons = {r.entry_id: r.reasons[0] for r in result.recommendations}
    # Reasons are true: a word the entry does not use is "the same field", never "matches".
    assert reasons == {
        "kitchen": "same field as skill: cooking (hospitality)",
        "site": "same field as work experience: building site (construction)",
        "shop": "same field as goal sector: shop work (retail)",
        "nea": "matches goal: self-employment",
        "mentor": "lived experience is an asset for peer mentoring",  # the client would become a mentor
        "mentee": "1.0 km away",  # the client would get a mentor: lived experience is not what it asks for
        "van": "driving licence is an asset here",
    }


def test_assumptions_say_what_was_not_known():
    result = recommend(parse_profile({"ref": "C-9", "stage": "early"}), [], TODAY, postcode_locator=locate)
    assert result.assumptions == (
        "no postcode: distance not checked",
        "no commitments given: check treatment times before booking",
        "no availability given: any time outside commitments",
        "benefit not known: benefit limits not applied",
        "age not known: age limits not applied",
        "abstinence not known: services requiring abstinence not ruled out",
        "convictions not known: nobody ruled out for convictions",
        "current activities not known: overload not checked",
        "steps already done not given: starting from the first, health",
    )
    unknown_postcode = recommend(parse_profile(spec_profile(postcode="TS9 9ZZ")), [], TODAY, postcode_locator=locate)
    assert unknown_postcode.assumptions == ("postcode TS9 9ZZ not found: distance not checked",)
    no_limit = recommend(parse_profile(spec_profile(max_travel_km=None)), [], TODAY, postcode_locator=locate)
    assert no_limit.assumptions == ("no travel limit: nothing ruled out as too far",)


def test_every_recommendation_has_a_reason_to_read_aloud():
    entries = [entry(f"e{i}-{c}", c, km=i % 7 or None, delivery=("online",) if i % 7 == 0 else ("in_person",))
               for i, c in enumerate(["treatment", "housing", "training", "employer", "peer_mentoring", "volunteering",
                                      "money_advice", "in_work_support", "work_placement", "basic_skills"] * 3)]
    for stage in ("crisis", "early", "stabilising", "progressing", "sustained"):
        for r in plan(entries, stage=stage).recommendations:
            assert r.reasons and all(text.strip() for text in r.reasons), (stage, r)
            assert 0.0 <= r.score <= 1.0


def test_archived_entries_are_never_candidates():
    result = plan([volunteering("open"), volunteering("closed", archived=True, requires_abstinence=True)],
                  opioid_substitution=True, **READY)
    assert (ids(result), excluded(result)) == (["open"], {})


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="^limit must be at least 1, not 0$"):
        plan([], limit=0)


def test_the_baseline_gives_the_same_plan_as_the_fast_path():
    """plan(prefilter=False) over an index without shared schedules is the benchmark's naive baseline."""
    from bench.bench_planner import PROFILES, TODAY as BENCH_TODAY, locator_for, make_entries

    entries = make_entries(1500, seed=11)
    naive_index = PlannerIndex.build(entries, share_schedules=False)
    for data, town in PROFILES.values():
        profile = parse_profile(data)
        fast = recommend(profile, entries, BENCH_TODAY, postcode_locator=locator_for(town))
        naive = plan_over_index(naive_index, Client.of(profile, locator_for(town)), BENCH_TODAY, 10, prefilter=False)
        assert fast.to_dict() == naive.to_dict()
        assert fast.recommendations and fast.excluded
