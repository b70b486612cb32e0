"""Frontline wording on the demo area (issue 19): compounds however spaced, and a town, district or postcode
district in the request setting the place, as a keyworker types them into Find.

The demo area is built in memory from data/demo_area.py for a fixed day and placed with the real postcode table,
so the test needs no database. Find measures a typed place within DEFAULT_RADIUS, as here."""

from __future__ import annotations

import datetime as dt

import pytest

from directory import fields as F
from directory.demo import demo_module
from directory.geo import locate_place
from directory.postcodes import default_table
from directory.query import DEFAULT_RADIUS, understand
from directory.search import Filters, SearchIndex
from directory.validation import parse_row

TODAY = dt.date(2026, 12, 7)  # a Monday
MIDDLESBROUGH_WORK_COACH = "demo-0309"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    table = default_table()
    entries = []
    for row in demo_module().demo_rows(TODAY):
        values, problems = parse_row(row, locate_postcode=table.locate)
        assert problems == []
        entries.append(F.Entry(**values))
    return SearchIndex.build(entries)


def find(index: SearchIndex, typed: str, limit: int = 10):
    """As the Find page does: the request understood, its place located, then the search."""
    understood = understand(typed, today=TODAY)
    filters = Filters()
    if understood.place:
        filters = Filters(near=locate_place(understood.place).position, within_km=DEFAULT_RADIUS)
    return understood, index.search(understood.text, filters, limit=limit)


def row(hit) -> tuple:
    return (hit.entry.id, round(hit.score, 3), None if hit.distance_km is None else round(hit.distance_km, 2))


@pytest.mark.parametrize("typed", ["job centre", "jobcentre", "Job-Centre", "JobCentre"])
def test_job_centre_however_written_finds_the_middlesbrough_work_coach_first(index, typed):
    _, hits = find(index, typed)
    assert [h.entry.id for h in hits[:4]] == [MIDDLESBROUGH_WORK_COACH, "demo-0312", "demo-0310", "demo-0311"]
    first = hits[0].entry
    assert (first.name, first.contact_name, first.contact_role) == (
        "Jobcentre Plus Middlesbrough: work coach appointments", "Dawn Pickering", "Work coach")
    assert hits[0].matched == ("name: jobcentre",)


def test_the_compound_outranks_its_words_scattered(index):
    _, hits = find(index, "job centre")
    # The four offices (the compound, 1.0 + the pair's bonus, shown as 1.0), then "jobs ... Contact Centre".
    assert [row(h) for h in hits[:6]] == [
        ("demo-0309", 1.0, None), ("demo-0312", 1.0, None), ("demo-0310", 1.0, None), ("demo-0311", 1.0, None),
        ("demo-0258", 0.975, None), ("demo-0259", 0.975, None)]
    assert hits[4].matched == ("name: jobs", "name: centre")


def test_jobcentre_middlesbrough_sets_the_place_and_finds_its_work_coach_first(index):
    understood, hits = find(index, "jobcentre middlesbrough")
    assert (understood.text, understood.place) == ("jobcentre", "Middlesbrough")
    assert understood.notes == ("“middlesbrough” as the client's area",)
    assert [row(h) for h in hits[:4]] == [
        ("demo-0309", 1.0, 0.56),   # the Middlesbrough office
        ("demo-0311", 1.0, 4.1),    # Thornaby, the other office within 5 km
        ("demo-0313", 0.4, 0.33),   # the work programme, whose description names the Jobcentre
        ("demo-0314", 0.4, 0.55)]   # the treatment provider's employment lead, likewise


@pytest.mark.parametrize("typed", ["drop in", "drop-in", "dropin", "Drop In"])
def test_drop_in_finds_drop_in_entries(index, typed):
    _, hits = find(index, typed)
    assert [h.entry.id for h in hits[:6]] == ["demo-0121", "demo-0122", "demo-0055", "demo-0142", "demo-0100",
                                              "demo-0132"]
    assert all(h.matched == ("name: drop in",) for h in hits[:6])
    assert all("drop-in" in h.entry.name for h in hits[:6])


def test_thornaby_is_a_place(index):
    understood, hits = find(index, "Thornaby")
    assert (understood.text, understood.place) == ("", "Thornaby")
    assert [row(h) for h in hits[:3]] == [("demo-0160", 1.0, 0.15), ("demo-0291", 1.0, 0.24),
                                          ("demo-0136", 1.0, 0.34)]
    assert all(h.entry.postcode.startswith("TS17 ") for h in hits[:3])


def test_esol_thornaby_sets_the_place_and_ranks_esol_nearest_first(index):
    understood, hits = find(index, "esol thornaby")
    assert (understood.text, understood.place) == ("esol", "Thornaby")
    assert [row(h) for h in hits[:5]] == [
        ("demo-0136", 1.0, 0.34),   # ESOL for beginners – Thornaby
        ("demo-0016", 1.0, 1.75),   # ESOL drop-in (Stockton)
        ("demo-0134", 1.0, 2.92),
        ("demo-0013", 1.0, 3.49),
        ("demo-0135", 1.0, None)]   # online: no distance, after the placed ones


def test_rehab_ts3_sets_the_district(index):
    understood, hits = find(index, "rehab TS3")
    assert (understood.text, understood.place) == ("rehab", "TS3")
    assert [h.entry.id for h in hits] == ["demo-0116", "demo-0113", "demo-0120"]


def test_work_coach_and_self_referral(index):
    _, hits = find(index, "work coach")
    assert [h.entry.id for h in hits[:6]] == ["demo-0309", "demo-0312", "demo-0310", "demo-0311", "demo-0231",
                                              "demo-0230"]
    _, hits = find(index, "self referral")
    assert row(hits[0]) == ("demo-0314", 1.0, None) and hits[0].matched == ("tags: self referral",)
