"""The directory fields `for_groups` and `mentoring_role` (docs/spreadsheet-format.md): codes, validation,
the spreadsheet and Open Referral round trips, and what the entry page says."""

from __future__ import annotations

import pytest

from directory import codes
from directory import fields as F
from directory.io.hsds import ATTRIBUTE_TAXONOMY, entries_to_hsds, service_to_row
from directory.io.spreadsheet import read_csv, write_csv
from directory.validation import ValidationError, parse_cell, parse_row


def test_the_vocabularies_are_the_specs():
    assert list(codes.FOR_GROUPS) == ["women", "men", "parents", "young_people", "prison_leavers", "veterans",
                                      "care_leavers", "families"]
    assert list(codes.MENTORING_ROLES) == ["receive", "become", "both"]
    assert F.COLUMNS[-3:] == ("for_groups", "mentoring_role", "last_verified")
    assert (F.empty_value("for_groups"), F.empty_value("mentoring_role")) == ((), None)


@pytest.mark.parametrize("name, text, value", [
    ("for_groups", "Women; veterans", ("women", "veterans")),
    ("for_groups", "prison-leavers, care leavers", ("prison_leavers", "care_leavers")),
    ("for_groups", "", ()),
    ("mentoring_role", "Become", "become"),
    ("mentoring_role", "", None),
])
def test_cells_parse(name, text, value):
    assert parse_cell(name, text) == value


@pytest.mark.parametrize("name, text, reason", [
    ("for_groups", "ladies", "unknown for group 'ladies'; did you mean 'women'?"),
    ("for_groups", "veterns", "unknown for group 'veterns'; did you mean 'veterans'?"),
    ("for_groups", "over 50s", "unknown for group 'over 50s'; use one of: women, men, parents, young_people, "
                               "prison_leavers, veterans, care_leavers, families"),
    ("mentoring_role", "mentee", "unknown mentoring role 'mentee'; did you mean 'receive'?"),
    ("mentoring_role", "sometimes", "unknown mentoring role 'sometimes'; use one of: receive, become, both"),
])
def test_bad_cells_say_what_to_write(name, text, reason):
    with pytest.raises(ValidationError) as error:
        parse_cell(name, text)
    assert str(error.value) == reason


MENTORS = F.Entry(id="m-1", name="Women's peer mentors", organisation="Tees Mentors", category="peer_mentoring",
                  delivery=("online",), for_groups=("women", "prison_leavers"), mentoring_role="receive")


def test_the_spreadsheet_round_trip_is_exact():
    columns, [row] = read_csv(write_csv([MENTORS]))
    assert (row["for_groups"], row["mentoring_role"]) == ("women;prison_leavers", "receive")
    values, problems = parse_row(row)
    assert problems == [] and (values["for_groups"], values["mentoring_role"]) == (("women", "prison_leavers"), "receive")


def test_open_referral_carries_them_as_our_attributes():
    [service] = entries_to_hsds([MENTORS])
    # One attribute per code, linked to the code's term; link_type names the field.
    ours = [(a["link_type"], a["taxonomy_term"]["code"]) for a in service["attributes"]
            if a["taxonomy_term"]["taxonomy"] == ATTRIBUTE_TAXONOMY and a["link_type"] in ("for_groups", "mentoring_role")]
    assert ours == [("for_groups", "women"), ("for_groups", "prison_leavers"), ("mentoring_role", "receive")]
    row, notes = service_to_row(service)
    assert (row["for_groups"], row["mentoring_role"]) == ("women;prison_leavers", "receive")


def test_the_entry_page_says_who_it_is_only_for():
    from ui.render import only_for_text  # what the entry page shows under "Who it is for"

    assert only_for_text(MENTORS) == "Only for women or people who have left custody."
    assert only_for_text(F.Entry(id="x", name="x", organisation="o", category="housing")) is None
