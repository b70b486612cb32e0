"""Validation: untrusted text -> typed entry values, with the exact plain-English reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from directory import codes
from directory import fields as F
from directory import validation as V
from directory.validation import Problem, ValidationError, check_entry, parse_cell, parse_row, suggest


def reasons(name: str, text: str | None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_cell(name, text)
    return [problem.reason for problem in caught.value.problems]


def reason(name: str, text: str | None) -> str:
    (only,) = reasons(name, text)
    return only


# -- the tables ----------------------------------------------------------------------


def test_every_kind_of_field_has_a_parser():
    assert {field.kind for field in F.FIELDS} <= set(V._PARSERS)


def test_every_numeric_field_has_a_range():
    numeric = {F.INT, F.NUMBER, F.LATITUDE, F.LONGITUDE}
    assert {field.name for field in F.FIELDS if field.kind in numeric} <= set(V._RANGES)


def test_language_names_point_at_real_codes():
    assert set(V._LANGUAGE_NAMES.values()) <= codes.LANGUAGES


# -- empty cells ----------------------------------------------------------------------


@pytest.mark.parametrize("name", F.COLUMNS)
@pytest.mark.parametrize("text", [None, "", "   \t "])
def test_empty_cell_is_the_fields_empty_value(name, text):
    assert parse_cell(name, text) == F.empty_value(name)


def test_empty_delivery_means_in_person():
    assert parse_cell("delivery", "") == ("in_person",)
    assert parse_cell("delivery", " ; ") == ("in_person",)


# -- problems -------------------------------------------------------------------------


def test_problem_carries_column_trimmed_value_and_reason():
    with pytest.raises(ValidationError) as caught:
        parse_cell("term_time_only", "  maybe ")
    assert caught.value.problems == [Problem("term_time_only", "maybe", "'maybe' is not yes or no")]
    assert str(caught.value) == "'maybe' is not yes or no"


def test_validation_error_joins_reasons_and_is_a_value_error():
    error = ValidationError([Problem("a", "1", "first"), Problem("b", "2", "second")])
    assert str(error) == "first; second"
    assert isinstance(error, ValueError)


def test_unknown_field_name_is_a_programming_error():
    with pytest.raises(KeyError):
        parse_cell("notes", "x")


# -- TEXT -------------------------------------------------------------------------------


def test_text_is_stored_as_given_but_trimmed():
    assert parse_cell("name", "  Tees  Recovery Café \n") == "Tees  Recovery Café"


def test_html_stays_literal_text():
    payload = "<script>alert(1)</script>"
    assert parse_cell("description", payload) == payload
    assert parse_cell("description", f"Fish & chips <b>{payload}</b>") == f"Fish & chips <b>{payload}</b>"


def test_text_length_caps():
    assert parse_cell("name", "x" * 200) == "x" * 200
    assert reason("name", "x" * 201) == "name is too long (201 characters): keep it to 200 or fewer"
    assert parse_cell("description", "x" * 5000) == "x" * 5000
    assert reason("description", "x" * 5001) == "description is too long (5001 characters): keep it to 5000 or fewer"
    assert reason("sector", "x" * 101) == "sector is too long (101 characters): keep it to 100 or fewer"


def test_control_characters_are_refused():
    assert reason("name", "Tees\x00Recovery") == "name contains an invisible control character: retype it"
    assert parse_cell("description", "line one\r\nline two\tend") == "line one\r\nline two\tend"


# -- CODE and CODES ---------------------------------------------------------------------

CATEGORY_LIST = ", ".join(codes.CATEGORIES)


@pytest.mark.parametrize(
    "name, text, code",
    [
        ("category", "training", "training"),
        ("category", " Recovery Support ", "recovery_support"),
        ("category", "IN-WORK-SUPPORT", "in_work_support"),
        ("accepts_convictions", "Case by case", "case_by_case"),
        ("dbs_check", "Enhanced", "enhanced"),
        ("referral", "SELF", "self"),
    ],
)
def test_code_is_case_and_space_insensitive(name, text, code):
    assert parse_cell(name, text) == code


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jobs", "unknown category 'jobs'; did you mean 'employer'?"),
        ("college", "unknown category 'college'; did you mean 'training'?"),
        ("rehab", "unknown category 'rehab'; did you mean 'treatment'?"),
        ("Mental Health", "unknown category 'Mental Health'; did you mean 'health_wellbeing'?"),
        ("volunteerng", "unknown category 'volunteerng'; did you mean 'volunteering'?"),
        ("xyz", f"unknown category 'xyz'; use one of: {CATEGORY_LIST}"),
    ],
)
def test_unknown_category(text, expected):
    assert reason("category", text) == expected


def test_unknown_single_codes_in_other_vocabularies():
    assert reason("dbs_check", "enhancd") == "unknown dbs check 'enhancd'; did you mean 'enhanced'?"
    assert reason("referral", "gp") == "unknown referral 'gp'; use one of: self, professional, either"


def test_codes_list_accepts_semicolons_and_commas_and_drops_duplicates():
    assert parse_cell("delivery", "In person; online, phone;online") == ("in_person", "online", "phone")
    assert parse_cell("stages", "early;;Stabilising;") == ("early", "stabilising")
    assert parse_cell("format", "one-to-one, group") == ("one_to_one", "group")


def test_each_unknown_item_in_a_list_is_its_own_problem():
    with pytest.raises(ValidationError) as caught:
        parse_cell("delivery", "inperson; onlin; phone; fax")
    assert caught.value.problems == [
        Problem("delivery", "inperson; onlin; phone; fax", "unknown delivery 'inperson'; did you mean 'in_person'?"),
        Problem("delivery", "inperson; onlin; phone; fax", "unknown delivery 'onlin'; did you mean 'online'?"),
        Problem("delivery", "inperson; onlin; phone; fax",
                "unknown delivery 'fax'; use one of: in_person, online, phone, outreach"),
    ]


def test_list_labels_are_singular():
    assert reason("stages", "stabilizing") == "unknown stage 'stabilizing'; did you mean 'stabilising'?"
    assert reason("continuum_steps", "helth") == "unknown continuum step 'helth'; did you mean 'health'?"
    assert reason("eligible_benefits", "dla") == (
        "unknown eligible benefit 'dla'; use one of: jsa, esa, uc, is, pip, none"
    )


# -- suggest ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vocabulary, text, expected",
    [
        ("category", "jobs", "employer"),  # by meaning
        ("category", "College", "training"),
        ("category", "rehab", "treatment"),
        ("category", "volunteerng", "volunteering"),  # by spelling
        ("category", "jobz", "employer"),  # a misspelt synonym
        ("category", "Money Advice", "money_advice"),  # already a code
        ("category", "xyz", None),
        ("category", "banana", None),
        ("delivery", "on-line", "online"),
        ("delivery", "xyz", None),
    ],
)
def test_suggest(vocabulary, text, expected):
    assert suggest(vocabulary, text) == expected


# -- WORDS and LANGS --------------------------------------------------------------------


def test_tags_split_on_semicolons_keep_case_and_drop_case_insensitive_duplicates():
    tags = parse_cell("tags", " Cooking; forklift ;; cooking;CSCS card; FORKLIFT")
    assert tags == ("Cooking", "forklift", "CSCS card")


def test_tags_keep_commas():
    assert parse_cell("tags", "fish, chips; peas") == ("fish, chips", "peas")


def test_languages_are_lower_cased_two_letter_codes():
    assert parse_cell("languages", "EN; pl,ur;en") == ("en", "pl", "ur")


def test_unknown_languages():
    assert reasons("languages", "en;Polish;xx") == [
        "unknown language 'Polish'; did you mean 'pl'?",
        "unknown language 'xx'; use two-letter ISO 639-1 codes, e.g. en;pl;ur",
    ]
    assert reason("languages", "eng") == "unknown language 'eng'; use two-letter ISO 639-1 codes, e.g. en;pl;ur"


# -- BOOL -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["yes", "YES", "y", "Y", "true", "True", "1"])
def test_true(text):
    assert parse_cell("childcare", text) is True


@pytest.mark.parametrize("text", ["no", "No", "n", "N", "false", "FALSE", "0"])
def test_false(text):
    assert parse_cell("childcare", text) is False


@pytest.mark.parametrize("text", ["maybe", "2", "yes please", "t"])
def test_not_yes_or_no(text):
    assert reason("drug_testing", text) == f"'{text}' is not yes or no"


# -- DATE -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["2026-09-01", "01/09/2026", "1/9/2026", "2026-09-01 00:00:00", "2026-09-01T00:00", "2026-09-01 00:00"]
)
def test_dates(text):
    assert parse_cell("start_date", text) == dt.date(2026, 9, 1)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "31/02/2026", "09/01/26", "2026-9-1", "1 Sept 2026", "20260901", "2026-09-01 10:30", "soon"]
)
def test_not_dates(text):
    assert reason("last_verified", text) == f"'{text}' is not a date: use YYYY-MM-DD, e.g. 2026-09-01"


# -- INT and NUMBER ---------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [("0", 0), ("18", 18), ("+25", 25), ("120", 120), ("12.0", 12)])
def test_whole_numbers(text, value):
    result = parse_cell("min_age", text)
    assert result == value and type(result) is int


@pytest.mark.parametrize("text", ["twelve", "1.5", "18+", "1e2"])
def test_not_whole_numbers(text):
    assert reason("max_age", text) == f"'{text}' is not a whole number: use digits, e.g. 18"


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("min_age", "121", "min age 121 is out of range (0 to 120)"),
        ("max_age", "-1", "max age -1 is out of range (0 to 120)"),
        ("waiting_days", "366", "waiting days 366 is out of range (0 to 365)"),
        ("hours_per_week", "169", "hours per week 169 is out of range (0 to 168)"),
        ("hours_per_week", "-2.5", "hours per week -2.5 is out of range (0 to 168)"),
    ],
)
def test_numbers_out_of_range(name, text, expected):
    assert reason(name, text) == expected


@pytest.mark.parametrize("text, value", [("7.5", 7.5), ("16", 16.0), ("0", 0.0), ("168", 168.0), (".5", 0.5)])
def test_hours_per_week(text, value):
    result = parse_cell("hours_per_week", text)
    assert result == value and type(result) is float


@pytest.mark.parametrize("text", ["nan", "inf", "1e3", "7,5", "about 10", "1_000"])
def test_not_numbers(text):
    assert reason("hours_per_week", text) == f"'{text}' is not a number: use digits, e.g. 7.5"


def test_latitude_and_longitude():
    assert parse_cell("latitude", "54.5742") == 54.5742
    assert parse_cell("longitude", "-1.2349") == -1.2349
    assert parse_cell("latitude", "-90") == -90.0
    assert parse_cell("longitude", "180") == 180.0


def test_position_out_of_range():
    assert reason("latitude", "100") == "latitude 100 is out of range (\N{MINUS SIGN}90 to 90)"
    assert reason("latitude", "-90.5") == "latitude -90.5 is out of range (\N{MINUS SIGN}90 to 90)"
    assert reason("longitude", "181") == "longitude 181 is out of range (\N{MINUS SIGN}180 to 180)"
    assert reason("longitude", "54.5°N") == "'54.5°N' is not a number: use digits, e.g. 7.5"


# -- EMAIL, PHONE, URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, stored",
    [
        ("info@tees-recovery.org.uk", "info@tees-recovery.org.uk"),
        ("  Jo.Bloggs+work@Example.co.uk ", "Jo.Bloggs+work@Example.co.uk"),
        ("mailto:info@example.org", "info@example.org"),
        ('"info@example.org"', "info@example.org"),
    ],
)
def test_emails(text, stored):
    assert parse_cell("email", text) == stored


@pytest.mark.parametrize(
    "text", ["info", "info@example", "info@@example.org", "info @example.org", "a@b@example.org", "info@.org",
             "info@example.", "@example.org"],
)
def test_not_emails(text):
    assert reason("contact_email", text) == f"'{text}' is not an email address"


@pytest.mark.parametrize(
    "text, stored",
    [
        ("01642 123456", "01642 123456"),
        ("01642123456", "01642123456"),
        ("(01642) 123-456", "(01642) 123-456"),
        ("0800 123 456", "0800 123 456"),
        ("+44 1642 123456", "+44 1642 123456"),
        ("+44 (0)1642 123456", "+44 (0)1642 123456"),
        ('"+44 1234 234567"', "+44 1234 234567"),
        ("'07700 900123'", "07700 900123"),
        ("'07700 900123", "07700 900123"),
        ("111", "111"),
        ("116 123", "116 123"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ],
)
def test_phone_numbers(text, stored):
    assert parse_cell("phone", text) == stored


@pytest.mark.parametrize(
    "text", ["123", "01642 1234", "01642 1234567 8", "1642123456", "call Jo", "01642 123456 ext 2", "+44 1642",
             "01642+123456", "+1 234"],
)
def test_not_phone_numbers(text):
    assert reason("contact_phone", text) == f"'{text}' is not a phone number: use digits, e.g. 01642 123456"


@pytest.mark.parametrize(
    "text, stored",
    [
        ("https://www.example.org/courses?id=3", "https://www.example.org/courses?id=3"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://Example.org", "HTTPS://Example.org"),
        ("www.example.org", "https://www.example.org"),
        ("example.org/jobs", "https://example.org/jobs"),
        ("example.org:8080/jobs", "https://example.org:8080/jobs"),
    ],
)
def test_web_addresses(text, stored):
    assert parse_cell("url", text) == stored


@pytest.mark.parametrize("text", ["javascript:alert(1)", "JavaScript:void(0)", "data:text/html,<b>x</b>",
                                  "ftp://example.org", "mailto:info@example.org"])
def test_only_http_links(text):
    assert reason("url", text) == f"'{text}' is not a web address: only http:// and https:// links are allowed"


@pytest.mark.parametrize("text", ["hello", "https://", "http:/example.org", "//example.org", "https://localhost",
                                  "www.example .org", "https://example.org:port", "java\tscript:alert(1)"])
def test_not_web_addresses(text):
    assert reason("url", text) == f"'{text.strip()}' is not a web address, e.g. https://www.example.org"


# -- SCHEDULE, IDENT, POSTCODE ----------------------------------------------------------


def test_schedule_is_stored_as_canonical_text():
    assert parse_cell("schedule", "monday 9am-12pm; Tues, Thurs 10:00–12:00") == "Mon 09:00-12:00; Tue,Thu 10:00-12:00"
    assert parse_cell("schedule", "by arrangement") is None


def test_schedule_problem_is_the_schedule_message():
    assert reason("schedule", "Thurday 10:00-12:00") == (
        "'Thurday' is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun (did you mean Thu?)"
    )


@pytest.mark.parametrize("text", ["abc-123_X", "a", "x" * 64])
def test_ids(text):
    assert parse_cell("id", text) == text


@pytest.mark.parametrize("text", ["a b", "a/b", "café", "x" * 65, "<script>"])
def test_not_ids(text):
    assert reason("id", text) == f"'{text}' is not a valid id: use up to 64 letters, digits, - or _"


@pytest.mark.parametrize("text", ["TS1 3BA", "ts13ba", " ts1  3ba "])
def test_postcodes_are_normalised(text):
    assert parse_cell("postcode", text) == "TS1 3BA"


@pytest.mark.parametrize("text", ["TS1", "XX9 9XX", "123 456", "TS1 3BAA"])
def test_malformed_postcodes(text):
    assert reason("postcode", text) == f"'{text}' is not a UK postcode: check it has the form TS1 3BA"


# -- rows -------------------------------------------------------------------------------

GOOD_ROW = {
    "id": "tees-cafe", "name": "Tees Recovery Café", "organisation": "Tees Recovery", "category": "Recovery Support",
    "postcode": "ts1 3ba", "delivery": "in_person;online", "schedule": "Sat 10:00-12:00", "childcare": "yes",
    "tags": "café;peer support", "languages": "en;pl", "min_age": "18", "start_date": "",
}


def test_good_row_gives_typed_values_for_present_columns_only():
    values, problems = parse_row(GOOD_ROW)
    assert problems == []
    assert values == {
        "id": "tees-cafe", "name": "Tees Recovery Café", "organisation": "Tees Recovery",
        "category": "recovery_support", "postcode": "TS1 3BA", "delivery": ("in_person", "online"),
        "schedule": "Sat 10:00-12:00", "childcare": True, "tags": ("café", "peer support"),
        "languages": ("en", "pl"), "min_age": 18, "start_date": None,
    }
    assert F.Entry(**values)  # the values fit an Entry


def test_row_with_several_errors_lists_each():
    row = GOOD_ROW | {"category": "jobs", "postcode": "XX", "schedule": "Mon", "latitude": "100",
                      "delivery": "inperson;onlin", "start_date": "tomorrow"}
    values, problems = parse_row(row)
    assert problems == [
        Problem("category", "jobs", "unknown category 'jobs'; did you mean 'employer'?"),
        Problem("postcode", "XX", "'XX' is not a UK postcode: check it has the form TS1 3BA"),
        Problem("delivery", "inperson;onlin", "unknown delivery 'inperson'; did you mean 'in_person'?"),
        Problem("delivery", "inperson;onlin", "unknown delivery 'onlin'; did you mean 'online'?"),
        Problem("schedule", "Mon", "'Mon' has no time: add one, e.g. Mon 09:00-12:00"),
        Problem("start_date", "tomorrow", "'tomorrow' is not a date: use YYYY-MM-DD, e.g. 2026-09-01"),
        Problem("latitude", "100", "latitude 100 is out of range (\N{MINUS SIGN}90 to 90)"),
    ]
    assert set(values) == {"id", "name", "organisation", "childcare", "tags", "languages", "min_age"}


def test_row_skips_columns_that_are_not_fields():
    values, problems = parse_row({"name": "X", "notes": "whatever"})
    assert values == {"name": "X"} and problems == []


def test_row_html_stays_literal():
    values, _ = parse_row({"description": "<script>alert(1)</script>"})
    assert values["description"] == "<script>alert(1)</script>"


class Locator:
    """A stand-in for the postcode table: knows TS1 3BA only."""

    def __init__(self):
        self.asked: list[str] = []

    def __call__(self, postcode: str) -> tuple[float, float]:
        self.asked.append(postcode)
        if postcode != "TS1 3BA":
            raise LookupError(f"postcode {postcode} not found: check it, or give latitude and longitude")
        return 54.5742, -1.2349


def test_postcode_gives_the_position():
    locator = Locator()
    values, problems = parse_row({"postcode": "ts1 3ba"}, locate_postcode=locator)
    assert problems == []
    assert values == {"postcode": "TS1 3BA", "latitude": 54.5742, "longitude": -1.2349}
    assert locator.asked == ["TS1 3BA"]


def test_postcode_not_found_is_a_postcode_problem():
    values, problems = parse_row({"postcode": " ts1 9zz"}, locate_postcode=Locator())
    assert problems == [
        Problem("postcode", "ts1 9zz", "postcode TS1 9ZZ not found: check it, or give latitude and longitude"),
    ]
    assert "latitude" not in values


def test_typed_position_wins_over_the_postcode():
    locator = Locator()
    row = {"postcode": "TS1 3BA", "latitude": "54.1", "longitude": "-1.1"}
    values, problems = parse_row(row, locate_postcode=locator)
    assert (values["latitude"], values["longitude"], problems, locator.asked) == (54.1, -1.1, [], [])


@pytest.mark.parametrize("position", [{"latitude": "54.1"}, {"latitude": " ", "longitude": "-1.1"}])
def test_half_a_typed_position_is_left_for_check_entry(position):
    locator = Locator()
    values, problems = parse_row({"postcode": "TS1 3BA", **position}, locate_postcode=locator)
    assert locator.asked == [] and problems == []
    assert values["latitude"] == parse_cell("latitude", position["latitude"])
    assert values.get("longitude") == parse_cell("longitude", position.get("longitude"))


def test_empty_position_cells_do_not_stop_the_look_up():
    locator = Locator()
    values, _ = parse_row({"postcode": "TS1 3BA", "latitude": "", "longitude": None}, locate_postcode=locator)
    assert (values["latitude"], values["longitude"]) == (54.5742, -1.2349)


@pytest.mark.parametrize("postcode", ["", "XX"])
def test_no_look_up_without_a_valid_postcode(postcode):
    locator = Locator()
    parse_row({"postcode": postcode}, locate_postcode=locator)
    assert locator.asked == []


# -- whole entries ----------------------------------------------------------------------

NEW = {"name": "Job club", "organisation": "Tees Works", "category": "employment_support", "postcode": "TS1 3BA"}
POSTCODE_REQUIRED = (
    "postcode is required for a service people attend in person: give a postcode, "
    "or latitude and longitude, or set delivery to online or phone"
)


def test_complete_new_entry_has_no_problems():
    assert check_entry(NEW, creating=True) == []


def test_required_fields_when_creating():
    assert check_entry({}, creating=True) == [
        Problem("name", "", "name is required"),
        Problem("organisation", "", "organisation is required"),
        Problem("category", "", f"category is required: use one of: {CATEGORY_LIST}"),
        Problem("postcode", "", POSTCODE_REQUIRED),
    ]


def test_blank_required_text_counts_as_missing():
    assert check_entry(NEW | {"name": "  "}, creating=True) == [Problem("name", "", "name is required")]


def test_update_checks_only_the_fields_it_changes():
    assert check_entry({"cost": "free"}, creating=False) == []
    assert check_entry({"name": None}, creating=False) == [Problem("name", "", "name is required")]


def test_update_with_the_whole_entry_checks_the_postcode_too():
    whole = {name: F.empty_value(name) for name in F.COLUMNS} | NEW | {"postcode": None}
    assert check_entry(whole, creating=False) == [Problem("postcode", "", POSTCODE_REQUIRED)]


@pytest.mark.parametrize(
    "change",
    [
        {"postcode": None, "delivery": ("online", "phone")},
        {"postcode": None, "delivery": ("outreach",)},
        {"postcode": None, "latitude": 54.5, "longitude": -1.2},
    ],
)
def test_postcode_not_needed_online_or_with_a_position(change):
    assert check_entry(NEW | change, creating=True) == []


def test_postcode_needed_when_delivery_includes_in_person():
    assert check_entry(NEW | {"postcode": "", "delivery": ("online", "in_person")}, creating=True) == [
        Problem("postcode", "", POSTCODE_REQUIRED),
    ]


def test_half_a_position():
    assert check_entry(NEW | {"latitude": 54.5}, creating=True) == [
        Problem("latitude", "54.5", "latitude is given without longitude: give both, or neither"),
    ]
    assert check_entry({"longitude": -1.25, "latitude": None}, creating=False) == [
        Problem("longitude", "-1.25", "longitude is given without latitude: give both, or neither"),
    ]


def test_pairs_in_the_wrong_order():
    assert check_entry(NEW | {"min_age": 30, "max_age": 18}, creating=True) == [
        Problem("min_age", "30", "min age 30 is more than max age 18"),
    ]
    assert check_entry({"start_date": dt.date(2026, 9, 1), "end_date": dt.date(2026, 7, 1)}, creating=False) == [
        Problem("start_date", "2026-09-01", "start date 2026-09-01 is after end date 2026-07-01"),
    ]


def test_equal_or_one_sided_pairs_are_fine():
    same_day = dt.date(2026, 9, 1)
    equal = {"min_age": 18, "max_age": 18, "start_date": same_day, "end_date": same_day}
    assert check_entry(NEW | equal, creating=True) == []
    assert check_entry(NEW | {"min_age": 30, "max_age": None}, creating=True) == []
