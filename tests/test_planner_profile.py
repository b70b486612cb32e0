"""The client profile: reading the spec's JSON, and a clear message naming the field for bad input."""

from __future__ import annotations

import pytest

from planner.profile import Commitment, ProfileError, TimeWindow, parse_profile
from tests.test_planner_fixtures import spec_profile


def test_the_spec_example_reads_into_plain_dataclasses():
    profile = parse_profile(spec_profile())
    assert (profile.ref, profile.stage, profile.postcode, profile.max_travel_km) == ("C-0042", "stabilising", "TS1 3BA", 8)
    assert profile.commitments == (
        Commitment((0, 1, 2, 3, 4, 5), 9 * 60, 10 * 60, "supervised consumption"),
        Commitment((3,), 14 * 60, 15 * 60, "keyworker appointment"),
    )
    assert profile.available == (TimeWindow((0, 1, 2, 3, 4), 10 * 60 + 30, 16 * 60),)
    assert profile.readiness.engages_in_groups is False
    assert profile.screening.reading_writing_maths is True
    assert profile.assets.interests == ("catering", "gardening")
    assert profile.goals.sectors == ("hospitality",)
    assert profile.other_barriers == ("benefits_worries",)
    assert profile.done_steps == ("health", "motivation", "stabilising", "housing")
    assert (profile.benefit, profile.age, profile.convictions, profile.current_activities) == ("uc", 34, "spent", 1)


def test_only_ref_and_stage_are_needed_and_missing_means_unknown():
    profile = parse_profile({"ref": "C-1", "stage": "early"})
    assert (profile.postcode, profile.max_travel_km, profile.age, profile.benefit) == (None, None, None, None)
    assert (profile.commitments, profile.available, profile.convictions) == (None, None, None)
    assert profile.readiness.owns_goals is None and profile.screening.abstinent is None
    assert profile.assets.skills == () and profile.goals.wants_work_now is None


def test_null_is_the_same_as_missing():
    profile = parse_profile({"ref": "C-1", "stage": "early", "age": None, "screening": None, "goals": {"aim": None}})
    assert (profile.age, profile.screening.homeless, profile.goals.aim) == (None, None, None)


def test_values_are_tidied():
    profile = parse_profile({
        "ref": " C-1 ", "stage": "early", "postcode": "ts13ba", "languages": ["EN", "pl", "en"],
        "commitments": [{"days": ["mon", "Mon"], "start": "9:30", "end": "24:00"}],
        "available": [],
    })
    assert (profile.ref, profile.postcode, profile.languages) == ("C-1", "TS1 3BA", ("en", "pl"))
    assert profile.commitments == (Commitment((0,), 9 * 60 + 30, 24 * 60, "commitment"),)
    assert profile.available is None  # an empty list would rule everything out: it means "any time"


@pytest.mark.parametrize("changes, field, message", [
    ({"ref": None}, "ref", "required"),
    ({"ref": ""}, "ref", "must be non-empty text"),
    ({"stage": None}, "stage", "required: one of crisis, early, stabilising, progressing, sustained"),
    ({"stage": "recovering"}, "stage", "must be one of crisis, early, stabilising, progressing, sustained"),
    ({"postcode": "XYZ"}, "postcode", "'XYZ' is not a UK postcode: write it like TS1 3BA"),
    ({"max_travel_km": "8"}, "max_travel_km", "must be a number"),
    ({"max_travel_km": True}, "max_travel_km", "must be a number"),
    ({"max_travel_km": -1}, "max_travel_km", "must not be negative"),
    ({"age": 34.5}, "age", "must be a whole number"),
    ({"age": 200}, "age", "must be an age in years (0 to 120)"),
    ({"benefit": "dla"}, "benefit", "must be one of jsa, esa, uc, is, pip, none"),
    ({"convictions": "yes"}, "convictions", "must be one of none, spent, unspent"),
    ({"opioid_substitution": "yes"}, "opioid_substitution", "must be true, false or null"),
    ({"screening": {"homeless": 1}}, "screening.homeless", "must be true, false or null"),
    ({"readiness": {"owns_goal": True}}, "readiness.owns_goal", "unknown field; did you mean 'owns_goals'?"),
    ({"max_travel_kms": 8}, "max_travel_kms", "unknown field; did you mean 'max_travel_km'?"),
    ({"languages": ["english"]}, "languages[0]", "'english' is not a two-letter ISO 639-1 language code, e.g. en, pl, ur"),
    ({"done_steps": ["health", "volunteering"]}, "done_steps[1]",
     "must be one of health, motivation, stabilising, housing, soft_skills, training, financial, work_trials, "
     "job_search, in_work_support"),
    ({"other_barriers": ["money"]}, "other_barriers[0]",
     "must be one of debt, benefits_worries, digital_skills, confidence, transport, no_id_or_bank_account"),
    ({"assets": {"skills": "cooking"}}, "assets.skills", "must be a list ([...])"),
    ({"assets": {"skills": ["cooking", 3]}}, "assets.skills[1]", "must be non-empty text"),
    ({"goals": {"aim": "dream_job"}}, "goals.aim", "must be one of any_job, better_job, career"),
    ({"goals": "work"}, "goals", "must be an object ({...})"),
    ({"current_activities": 1.5}, "current_activities", "must be a whole number"),
    ({"commitments": [{"what": "script", "days": ["Mon"], "start": "09:00", "end": "10:00"},
                      {"what": "appointment", "days": ["Thu"], "start": "9am", "end": "15:00"}]},
     "commitments[1].start", "'9am' is not a time HH:MM"),
    ({"commitments": [{"days": ["Mon", "Funday"], "start": "09:00", "end": "10:00"}]},
     "commitments[0].days[1]", "'Funday' is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"),
    ({"commitments": [{"start": "09:00", "end": "10:00"}]}, "commitments[0].days", "required"),
    ({"commitments": [{"days": [], "start": "09:00", "end": "10:00"}]}, "commitments[0].days", "must name at least one day"),
    ({"commitments": [{"days": ["Mon"], "start": "24:00", "end": "24:00"}]}, "commitments[0].start", "'24:00' is not a time HH:MM"),
    ({"commitments": [{"days": ["Mon"], "start": "09:00", "end": "10:00", "where": "clinic"}]},
     "commitments[0].where", "unknown field; expected one of what, days, start, end"),
    ({"available": [{"days": ["Mon"], "start": "10:00", "end": "09:00"}]}, "available[0].end", "'09:00' is not after the start '10:00'"),
    ({"available": [{"what": "free", "days": ["Mon"], "start": "10:00", "end": "12:00"}]},
     "available[0].what", "unknown field; expected one of days, start, end"),
])
def test_invalid_profiles_name_the_field(changes, field, message):
    with pytest.raises(ProfileError) as raised:
        parse_profile(spec_profile(**changes))
    assert (raised.value.field, raised.value.message, str(raised.value)) == (field, message, f"{field}: {message}")


def test_a_profile_must_be_an_object():
    with pytest.raises(ProfileError, match=r"^profile: must be an object \(\{\.\.\.\}\)$"):
        parse_profile(["C-1", "early"])


def test_the_availability_grid_becomes_time_windows_joined_and_shared_by_day():
    from planner.profile import windows_from_grid

    ticked = {"Mon": ["Morning", "Afternoon"], "Tue": ["Morning", "Afternoon"], "Wed": [], "Thu": ["Morning", "Evening"],
              "Fri": [], "Sat": [], "Sun": ["Evening"]}
    assert windows_from_grid(ticked) == [
        {"days": ["Mon", "Tue"], "start": "09:00", "end": "17:00"},
        {"days": ["Thu"], "start": "09:00", "end": "12:00"},
        {"days": ["Thu"], "start": "17:00", "end": "21:00"},
        {"days": ["Sun"], "start": "17:00", "end": "21:00"},
    ]
    assert windows_from_grid({"Mon": []}) == []
    assert parse_profile({"ref": "C-1", "stage": "early", "available": windows_from_grid(ticked)}).available[0] == \
        TimeWindow((0, 1), 9 * 60, 17 * 60)


def test_the_grid_ticks_the_periods_a_stored_window_covers():
    from planner.profile import DAY_PERIODS, period_free, windows_from_grid

    stored = [{"days": ["Mon"], "start": "10:30", "end": "17:00"}, {"days": ["Tue"], "start": "09:00", "end": "21:00"}]
    ticks = {day: [p for p, (start, end) in DAY_PERIODS.items() if period_free(stored, day, start, end)]
             for day in ("Mon", "Tue", "Wed")}
    assert ticks == {"Mon": ["Afternoon"], "Tue": ["Morning", "Afternoon", "Evening"], "Wed": []}
    assert windows_from_grid(ticks) == [{"days": ["Mon"], "start": "12:00", "end": "17:00"},
                                        {"days": ["Tue"], "start": "09:00", "end": "21:00"}]


def test_the_form_keeps_only_answers_given():
    from planner.profile import comma_list, commitment_row, put_given

    assert comma_list(" catering, , gardening,") == ["catering", "gardening"] and comma_list(None) == []
    data: dict = {}
    for name, value in (("a", None), ("b", ""), ("c", []), ("d", 0), ("e", False), ("f", ["x"])):
        put_given(data, name, value)
    assert data == {"d": 0, "e": False, "f": ["x"]}
    assert commitment_row(" ", [], "", " ") is None
    assert commitment_row("", ["Mon"], " 09:00", "10:00 ") == {"what": "commitment", "days": ["Mon"],
                                                               "start": "09:00", "end": "10:00"}
