"""Issue 20: needs first, every barrier met, wanting work honoured, target groups, timing and true reasons.

Small fixtures with exact expected values (tests/test_planner_fixtures.py: a client at TS1 3BA on Mon 3 Mar
2025, entries placed `km` north)."""

from __future__ import annotations

import datetime as dt

import pytest

from planner import parse_profile
from planner.profile import ProfileError
from tests.test_planner_fixtures import entry, excluded, ids, plan, recommendation

READY = {"done_steps": ["health", "motivation", "stabilising", "housing"]}


def volunteering(id: str = "v", **fields):
    return entry(id, "volunteering", **fields)


# -- the new profile facts ----------------------------------------------------------------------------------


def test_gender_veteran_and_care_leaver_are_optional_facts():
    profile = parse_profile({"ref": "C-1", "stage": "early", "gender": "woman", "veteran": False, "care_leaver": True})
    assert (profile.gender, profile.veteran, profile.care_leaver) == ("woman", False, True)
    assert (parse_profile({"ref": "C-1", "stage": "early"}).gender, parse_profile({"ref": "C-1", "stage": "early"}).veteran) == (None, None)


@pytest.mark.parametrize("changes, message", [
    ({"gender": "female"}, "gender: must be one of woman, man, other"),
    ({"veteran": "yes"}, "veteran: must be true, false or null"),
    ({"care_leaver": 1}, "care_leaver: must be true, false or null"),
    ({"genders": "man"}, "genders: unknown field; did you mean 'gender'?"),
])
def test_bad_facts_name_the_field(changes, message):
    with pytest.raises(ProfileError) as error:
        parse_profile({"ref": "C-1", "stage": "early", **changes})
    assert str(error.value) == message


# -- for_groups: the hard rule and its "check" warning ---------------------------------------------------------


@pytest.mark.parametrize("groups, client, reasons", [
    (("women",), {"gender": "man"}, ["for women; the client is a man"]),
    (("women",), {"gender": "other"}, ["for women; the client describes their gender as other"]),
    (("men",), {"gender": "woman"}, ["for men; the client is a woman"]),
    (("parents", "families"), {"screening": {"children_or_dependants": False}},
     ["for parents or families; the client has no children or dependants"]),
    (("prison_leavers",), {"screening": {"custodial_sentence": False}},
     ["for prison leavers; the client has not had a custodial sentence"]),
    (("young_people",), {"age": 25}, ["for young people; the client is 25"]),
    (("veterans",), {"veteran": False}, ["for veterans; the client is not a veteran"]),
    (("care_leavers",), {"care_leaver": False}, ["for care leavers; the client is not a care leaver"]),
    (("women", "veterans"), {"gender": "man", "veteran": False},
     ["for women or veterans; the client is a man and the client is not a veteran"]),
])
def test_an_entry_for_groups_the_client_is_known_not_to_be_in_is_excluded(groups, client, reasons):
    result = plan([volunteering(for_groups=groups)], **READY, **client)
    assert (ids(result), excluded(result)) == ([], {"v": reasons})


@pytest.mark.parametrize("groups, client, reason, warning", [
    (("women",), {"gender": "woman"}, "a service for women", None),
    (("women",), {}, None, "for women only: check"),
    (("parents", "families"), {"screening": {"children_or_dependants": True}}, "a service for parents or families", None),
    (("parents",), {}, None, "for parents only: check"),
    (("prison_leavers",), {"screening": {"custodial_sentence": True}}, "a service for prison leavers", None),
    (("young_people",), {"age": 24}, "a service for young people", None),
    (("young_people",), {}, None, "for young people only: check"),
    (("veterans",), {"veteran": True}, "a service for veterans", None),
    (("care_leavers",), {}, None, "for care leavers only: check"),
    # a man whose veteran status is not known: the veterans' half could still include him
    (("women", "veterans"), {"gender": "man"}, None, "for women or veterans only: check"),
    (("women", "veterans"), {"gender": "man", "veteran": True}, "a service for veterans", None),
])
def test_a_member_is_told_so_and_an_unknown_fact_only_warns(groups, client, reason, warning):
    result = plan([volunteering(for_groups=groups)], **READY, **client)
    rec = recommendation(result, "v")
    assert excluded(result) == {}
    assert [r for r in rec.reasons if r.startswith("a service for")] == ([reason] if reason else [])
    assert [w for w in rec.warnings if w.endswith(": check")] == ([warning] if warning else [])


# -- needs first ------------------------------------------------------------------------------------------------


def test_crisis_and_homeless_a_roof_and_treatment_before_the_gym():
    entries = [
        entry("gym", "health_wellbeing", km=0.3, tags=("fitness",), sector="sport", cost="free", waiting_days=0),
        entry("walks", "health_wellbeing", km=0.4, tags=("walking",), cost="free", waiting_days=0),
        entry("cafe", "recovery_support", km=0.5, cost="free", waiting_days=0),
        entry("hostel", "housing", km=4.0),
        entry("hub", "treatment", km=2.5),
        entry("gp", "health_wellbeing", km=3.0, tags=("gp",)),
    ]
    client = {"stage": "crisis", "screening": {"homeless": True, "concerned_about_use": True, "health_condition": True},
              "assets": {"interests": ["football"]}}
    result = plan(entries, **client)
    assert ids(result)[:3] == ["hostel", "hub", "gp"]  # the most urgent first: a roof, treatment, health
    assert ids(result)[3:] == ["cafe", "gym", "walks"]  # general well-being after
    assert recommendation(result, "hostel").reasons[0] == "housing support"
    assert recommendation(result, "gym").reasons[0] == "same field as interest: football (sport and fitness)"
    # Without the screening answers the gym's interest match would lead: the needs are what moved it.
    assert ids(plan(entries, stage="crisis", assets={"interests": ["football"]}))[0] == "cafe"


def test_a_homeless_client_has_housing_among_the_first_three_whatever_the_scores():
    entries = [volunteering(f"v{i}", km=0.2 + i / 10, sector="hospitality", cost="free") for i in range(6)]
    entries.append(entry("flat", "housing", km=7.0))
    result = plan(entries, **{**READY, "done_steps": ["health", "motivation", "stabilising"]},
                  screening={"homeless": True}, goals={"sectors": ["hospitality"]}, limit=5)
    assert ids(result) == ["flat", "v0", "v1", "v2", "v3"]


def test_debt_and_childcare_each_met_among_the_first_ten():
    entries = [volunteering(f"v{i}", km=0.2 + i / 10, sector="care", cost="free", waiting_days=0) for i in range(12)]
    entries += [entry("debt", "money_advice", km=1.1), entry("creche-course", "training", km=6.0, childcare=True),
                entry("women-work", "employment_support", km=5.0, childcare=True, for_groups=("women",))]
    client = {**READY, "gender": "woman", "needs_childcare": True, "other_barriers": ["debt"],
              "screening": {"children_or_dependants": True, "lone_parent": True}, "goals": {"sectors": ["care"]}}
    result = plan(entries, **client)
    # one entry for each barrier, the earliest step first: the course (training) before "Women into work" (job
    # search); and the barriers first, best fit first, before the activities that meet none
    assert ids(result) == ["debt", "creche-course", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"]
    assert recommendation(result, "debt").reasons[0] == "money advice for debt"
    assert "creche or childcare offered" in recommendation(result, "creche-course").reasons
    assert "women-work" in {e.id for e in entries} and "women-work" not in excluded(result)
    # one entry for both, when there is one: the set cover prefers it
    both = entries + [entry("advice-creche", "money_advice", km=3.0, childcare=True)]
    assert ids(plan(both, **client))[:2] == ["advice-creche", "v0"]


def test_a_health_condition_is_met_by_work_and_health_support():
    entries = [entry("gp", "health_wellbeing", km=0.5, cost="free"),
               entry("supported", "employment_support", km=6.0, tags=("disability",)),
               entry("club", "employment_support", km=1.0)]
    result = plan(entries, **READY, benefit="esa", screening={"health_condition": True}, limit=2)
    assert ids(result) == ["supported", "gp"]  # the barrier met first
    assert recommendation(result, "supported").reasons[0] == "work-and-health support for a health condition"


def test_wanting_work_now_with_unspent_convictions():
    courses = [entry(f"course{i}", "training", km=0.3 + i / 10, sector="logistics", cost="free", waiting_days=0)
               for i in range(10)]
    entries = courses + [
        entry("ips", "employment_support", km=0.6, tags=("ips",)),
        entry("club", "employment_support", km=0.4),
        entry("disclosure", "employment_support", km=3.0, tags=("convictions", "disclosure")),
        entry("warehouse", "employer", km=5.0, sector="warehouse"),
        entry("no-convictions", "employer", km=1.0, sector="warehouse", accepts_convictions="no"),
    ]
    client = {**READY, "convictions": "unspent", "goals": {"sectors": ["warehouse"], "wants_work_now": True},
              "screening": {"looking_for_training": True}}
    result = plan(entries, **client)
    # IPS first, where one exists; then the best fit for each need still unmet (training the client is looking
    # for, a way into work), then by fit; disclosure support in the ten
    assert ids(result) == ["ips", "course0", "warehouse", "course1", "course2", "course3", "course4", "course5",
                           "course6", "disclosure"]
    assert recommendation(result, "disclosure").reasons[0] == "help with disclosing convictions to employers"
    assert recommendation(result, "ips").reasons[0] == (
        "Individual Placement and Support (IPS): help into a job you choose, with support once in work")
    assert [r.entry_id for r in result.recommendations if any(x.startswith("Individual Placement") for x in r.reasons)
            ] == ["ips"]  # the disclosure service, also employment support, is not IPS
    assert recommendation(result, "warehouse").reasons == (
        "matches goal sector: warehouse", "5.0 km away", "times by arrangement", "looking for work now, as the client asked")
    assert excluded(result) == {"no-convictions": ["does not accept unspent convictions"]}
    # without IPS, another employment-support entry is among the first three (the one that also meets a barrier)
    assert ids(plan([e for e in entries if e.id != "ips"], **client))[:3] == ["disclosure", "course0", "warehouse"]


def test_a_roof_tonight_before_somewhere_to_live_and_never_help_to_keep_a_tenancy():
    """A homeless client needs a roof: housing options or outreach tonight, then a hostel or lodgings; tenancy
    sustainment and furniture are help to keep a home the client has not got."""
    entries = [
        entry("tenancy", "housing", km=0.2, tags=("tenancy",), cost="free", waiting_days=0),
        entry("furniture", "housing", km=0.3, tags=("furniture", "tenancy")),
        entry("hostel", "housing", km=0.4, tags=("hostel", "supported-housing"), waiting_days=14),
        entry("options", "housing", km=3.0, tags=("homelessness", "housing-register"), delivery=("in_person", "phone")),
        entry("hub", "treatment", km=1.0, waiting_days=0),
    ]
    crisis = plan(entries, stage="crisis", screening={"homeless": True, "concerned_about_use": True})
    assert ids(crisis) == ["options", "hub", "hostel"]
    assert recommendation(crisis, "options").reasons[0] == "help with somewhere to stay tonight"
    assert recommendation(crisis, "hostel").reasons[0] == "a place to live for someone who is homeless"
    # Not homeless: the tenancy service is housing help again (the housing step), and says nothing of homelessness.
    housed = plan(entries, stage="early", done_steps=["health", "motivation", "stabilising"], screening={"homeless": False})
    assert ids(housed)[0] == "tenancy"
    assert not any(r in recommendation(housed, "tenancy").reasons for r in (
        "housing support", "help with somewhere to stay tonight", "a place to live for someone who is homeless"))
    # Without a roof in the directory, other housing support (no tags) is still "a housing entry among the first
    # three"; tenancy sustainment never is.
    untagged = plan([entries[0], entry("housing-help", "housing", km=5.0), entries[4]], stage="crisis",
                    screening={"homeless": True})
    assert (ids(untagged)[0], recommendation(untagged, "housing-help").reasons[0]) == ("housing-help", "housing support")


def test_support_for_the_people_around_a_client_and_ward_teams_are_never_the_clients_next_step():
    entries = [entry("families", "recovery_support", km=0.2, tags=("families", "carers", "affected-others"), cost="free"),
               entry("ward", "treatment", km=0.3, tags=("alcohol", "hospital", "inpatients"), waiting_days=0),
               entry("meeting", "recovery_support", km=1.0),
               entry("hub", "treatment", km=2.0)]
    result = plan(entries, stage="early", screening={"concerned_about_use": True, "structured_support": False})
    assert (ids(result), excluded(result)) == (["hub", "meeting"], {})  # not candidates, so not "ruled out" either


def test_money_advice_meets_the_barriers_its_tags_name():
    entries = [entry("debt", "money_advice", km=1.0, tags=("debt",)),
               entry("welfare", "money_advice", km=1.0, tags=("benefits", "welfare-rights")),
               entry("food", "money_advice", km=0.5, tags=("food-bank",)),
               entry("advice", "money_advice", km=2.0)]  # no subject: general money advice
    client = {**READY, "done_steps": READY["done_steps"] + ["soft_skills", "training", "financial"]}
    debt = plan(entries, **client, other_barriers=["debt"])
    worried = plan(entries, **client, other_barriers=["benefits_worries"])
    assert {r.entry_id: r.reasons[0] for r in debt.recommendations if "money advice for debt" in r.reasons} == {
        "debt": "money advice for debt", "advice": "money advice for debt"}
    assert {r.entry_id for r in worried.recommendations
            if "benefits advice: what working or training means for payments" in r.reasons} == {"welfare", "advice"}
    assert "food" not in ids(debt) + ids(worried)  # a food bank is neither, and serves no next step here


def test_the_first_three_meet_each_barrier_before_the_best_fit_then_the_rest_by_fit():
    """Needs first for every stage: after what must be there, the best fit for each barrier still unmet while
    the first three have room; one barrier met twice does not take two of the three places."""
    entries = [volunteering(f"v{i}", km=0.2 + i / 10, sector="care", cost="free", waiting_days=0) for i in range(4)]
    entries += [entry("digital", "basic_skills", km=2.0, tags=("digital",)),
                entry("digital-2", "basic_skills", km=1.0, tags=("digital",), name="Computers for beginners"),
                entry("welfare", "money_advice", km=4.0, tags=("benefits",))]
    result = plan(entries, **READY, other_barriers=["digital_skills", "benefits_worries"], goals={"sectors": ["care"]})
    assert ids(result) == ["digital-2", "welfare", "v0", "v1", "v2", "v3", "digital"]


# -- timing told truly ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, in_reasons, warning", [
    ({"start_date": dt.date(2025, 3, 4), "waiting_days": 0}, "starts within a week", "starts Tue 4 Mar"),
    ({"start_date": dt.date(2025, 3, 5), "waiting_days": 7}, None,
     "starts Wed 5 Mar, but with the usual 7-day wait the earliest start is about Mon 10 Mar: ask about this intake"),
    ({"start_date": dt.date(2025, 2, 3), "end_date": dt.date(2025, 6, 27), "waiting_days": 0}, None,
     "started Mon 3 Feb, ends Fri 27 Jun: ask about joining late"),
])
def test_a_course_is_never_soon_once_started_or_when_the_wait_runs_past_its_start(fields, in_reasons, warning):
    rec = recommendation(plan([volunteering(**fields)], **READY), "v")
    bands = [r for r in rec.reasons if r in ("drop-in: no wait", "starts within a week")]
    assert bands == ([in_reasons] if in_reasons else [])
    assert rec.warnings == (warning,)


@pytest.mark.parametrize("fields, reason", [
    ({"start_date": dt.date(2025, 2, 1), "end_date": dt.date(2025, 3, 8)}, "started Sat 1 Feb and ends Sat 8 Mar: too late to join"),
    ({"start_date": dt.date(2025, 3, 4), "end_date": dt.date(2025, 3, 8), "waiting_days": 28},
     "ends Sat 8 Mar, before the client could start (28 days' wait)"),
])
def test_courses_ending_too_soon_or_out_of_reach_are_excluded(fields, reason):
    result = plan([volunteering(**fields)], **READY)
    assert excluded(result) == {"v": [reason]}


# -- reasons are true -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("formats, reason", [
    (("informal", "group"), "informal, small-group learning"),
    (("informal", "one_to_one"), "informal, unlike school"),
    (("group",), "in a small group"),
    (("classroom",), None),
    ((), None),
])
def test_format_reasons_say_only_what_the_format_does(formats, reason):
    rec = recommendation(plan([volunteering(format=formats)], **READY, screening={"qualifications_below_level_2": True}), "v")
    said = [r for r in rec.reasons if "informal" in r or "group" in r]
    assert said == ([reason] if reason else [])


def test_lived_experience_is_an_asset_only_where_the_client_would_become_a_mentor():
    entries = [entry(f"m-{role}", "peer_mentoring", mentoring_role=role) for role in ("receive", "become", "both")]
    entries.append(entry("m-unknown", "peer_mentoring"))
    result = plan(entries, stage="early", assets={"lived_experience": True})
    says = {r.entry_id: "lived experience is an asset for peer mentoring" in r.reasons for r in result.recommendations}
    assert says == {"m-receive": False, "m-become": True, "m-both": True, "m-unknown": False}
    assert recommendation(result, "m-become").score_components["asset_match"] == 0.8
    assert recommendation(result, "m-receive").score_components["asset_match"] == 0.0


@pytest.mark.parametrize("fields, client, first", [
    ({"tags": ("music",)}, {"assets": {"interests": ["music"]}}, "matches interest: music"),
    ({"tags": ("photography",)}, {"assets": {"interests": ["music"]}}, "same field as interest: music (creative arts)"),
    ({"sector": "hospitality"}, {"goals": {"sectors": ["catering"]}}, "same field as goal sector: catering (hospitality)"),
    ({"sector": "catering"}, {"goals": {"sectors": ["hospitality"]}}, "matches goal sector: hospitality"),
    ({"tags": ("kitchen porter",)}, {"assets": {"work_history": ["head chef"]}},
     "same field as work experience: head chef (hospitality)"),
])
def test_an_asset_matches_only_when_the_entry_says_it(fields, client, first):
    assert recommendation(plan([volunteering(**fields)], **READY, **client), "v").reasons[0] == first


def test_customer_service_is_no_line_of_work_and_a_recovery_cafe_is_no_kitchen():
    clerk = {**READY, "assets": {"skills": ["customer service"], "work_history": ["accounts clerk"]}, "goals": {"sectors": ["admin"]}}
    result = plan([entry("cookery", "training", sector="hospitality", tags=("cookery", "food hygiene")),
                   entry("office", "training", sector="admin")], **clerk)
    assert recommendation(result, "cookery").score_components["asset_match"] == 0.0
    assert recommendation(result, "office").reasons[0] == "matches goal sector: admin"
    cafe = plan([entry("cafe", "recovery_support", tags=("cafe",))], stage="early", assets={"interests": ["cooking"]})
    assert recommendation(cafe, "cafe").score_components["asset_match"] == 0.0


def test_an_english_conversation_club_is_not_a_step_for_a_native_english_speaker():
    entries = [entry("esol", "basic_skills", tags=("esol",)), entry("maths", "basic_skills", tags=("numeracy",))]
    native = plan(entries, **READY, screening={"first_language_not_english": False, "reading_writing_maths": True})
    assert recommendation(native, "esol").score_components["step_fit"] == 0.1
    assert recommendation(native, "maths").score_components["step_fit"] == 0.8
    learner = plan(entries, **READY, screening={"first_language_not_english": True})
    assert recommendation(learner, "esol").reasons[0] == "ESOL: English for speakers of other languages"


def test_looking_for_training_favours_courses_that_fit_the_client():
    entries = [entry("care", "training", sector="care"), entry("forklift", "training", sector="logistics")]
    result = plan(entries, **READY, screening={"looking_for_training": True}, assets={"interests": ["care work"]})
    assert "training the client is looking for" in recommendation(result, "care").reasons
    assert "training the client is looking for" not in recommendation(result, "forklift").reasons
    assert ids(result) == ["care", "forklift"]
    # nothing to match on: every course is one they could be looking for
    blank = plan(entries, **READY, screening={"looking_for_training": True})
    assert all("training the client is looking for" in r.reasons for r in blank.recommendations)


@pytest.mark.parametrize("hours, reason", [(1, "1 hour a week, within the 16 aimed for"),
                                           (7.5, "7.5 hours a week, within the 16 aimed for")])
def test_hours_are_plain_english(hours, reason):
    rec = recommendation(plan([volunteering(hours_per_week=hours)], **READY, goals={"hours_per_week": 16}), "v")
    assert reason in rec.reasons
