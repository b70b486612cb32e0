"""Towns and districts by name (data/places.csv): read in a typed request, located wherever a place is asked,
and counted for less than the words saying what is wanted."""

from __future__ import annotations

import datetime as dt

import pytest

from directory.fields import Entry
from directory.geo import haversine_km, locate_place
from directory.places import PLACE_WORDS, find_place_name, named_places, place_centre, place_named
from directory.postcodes import PostcodeError, default_table
from directory.query import understand
from directory.search import Filters, SearchIndex

MONDAY = dt.date(2026, 3, 2)


def test_every_place_has_postcodes_in_each_of_its_sectors():
    table = default_table()
    for place in named_places():
        for sector in place.sectors:
            outward, _, digit = sector.partition(" ")
            assert any(pc.split()[1].startswith(digit) for pc, _, _ in table.in_district(outward)), (place, sector)
        assert place_centre(place) is not None


def test_names_are_read_however_written():
    assert place_named("thornaby").name == place_named("Thornaby-on-Tees").name == "Thornaby"
    assert place_named("STOCKTON").name == place_named("stockton on tees").name == "Stockton-on-Tees"
    assert place_named("Atlantis") is None and place_named("") is None
    assert find_place_name("esol in stockton on tees".split())[:2] == (2, 5)
    assert {"middlesbrough", "thornaby", "stockton", "redcar"} <= PLACE_WORDS
    assert not {"on", "tees", "south", "bank"} & PLACE_WORDS  # "South Bank Job Club" says what, too


def test_a_town_is_located_at_the_middle_of_its_postcodes():
    thornaby = locate_place("Thornaby")
    assert (thornaby.label, thornaby.kind) == ("Thornaby", "town")
    assert (round(thornaby.latitude, 4), round(thornaby.longitude, 4)) == (54.5519, -1.3001)
    middlesbrough = locate_place("middlesbrough")
    # The town centre: 0.4 km from TS1 3BA, where the keyworkers' scenario measures from.
    assert float(haversine_km(*middlesbrough.position, *default_table().locate("TS1 3BA"))) < 0.6
    assert locate_place("TS1").kind == "district" and locate_place("TS1 3BA").kind == "postcode"
    with pytest.raises(PostcodeError, match="or the town, like Thornaby"):
        locate_place("Atlantis")


@pytest.mark.parametrize("typed, text, place", [
    ("esol thornaby", "esol", "Thornaby"),
    ("jobcentre middlesbrough", "jobcentre", "Middlesbrough"),
    ("rehab TS3", "rehab", "TS3"),
    ("job club near Stockton-on-Tees thursday", "job club", "Stockton-on-Tees"),
    ("Thornaby", "", "Thornaby"),
    ("esol TS1 3BA thornaby", "esol thornaby", "TS1 3BA"),  # a postcode is surer than a town: the town stays a word
])
def test_a_place_in_the_request_sets_the_place(typed, text, place):
    understood = understand(typed, today=MONDAY)
    assert (understood.text, understood.place) == (text, place)


@pytest.mark.parametrize("typed, text, place", [
    ("Stockton Recovery Partnership", "Stockton Recovery Partnership", None),   # a name, not a place
    ("Thornaby Bike Works in Stockton", "Thornaby Bike Works", "Stockton-on-Tees"),
    ("esol near Middlesbrough College", "esol College", "Middlesbrough"),      # "near" says it is the place
    ("Thornaby ESOL", "ESOL", "Thornaby"),                                      # capitals are not a name
    ("Thornaby Thursday", "", "Thornaby"),
])
def test_a_town_beginning_a_name_stays_in_the_words(typed, text, place):
    understood = understand(typed, today=MONDAY)
    assert (understood.text, understood.place) == (text, place)


def test_a_town_named_in_a_request_is_said_in_the_notes():
    understood = understand("esol in Thornaby", today=MONDAY)
    assert understood.notes == ("“in Thornaby” as the client's area",)
    assert understand("esol in Thornaby", today=MONDAY, towns=False).place is None


def test_service_words_outrank_place_words():
    index = SearchIndex.build([
        Entry(id="town", name="Thornaby Community Centre", organisation="Thornaby Town Council", category="housing"),
        Entry(id="esol", name="ESOL class", organisation="Teesside Learning", category="basic_skills"),
    ])
    hits = index.search("esol thornaby")
    assert [h.entry.id for h in hits] == ["esol", "town"]
    assert [h.score for h in hits] == pytest.approx([1 / 1.5, 0.5 / 1.5])  # the place word weighs half
    assert [h.score for h in index.search("thornaby")] == pytest.approx([1.0])  # alone, a place word is the search
