"""Directory search: typo-tolerant text, field weights, filters, radius and nearest.

Positions are made with the spherical destination formula from a point in
Middlesbrough (TS1), so every distance below is known exactly and checked
against a haversine written here, independently of the code under test.
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from directory.fields import Entry
from directory.search import Filters, Hit, SearchIndex, query_words
from directory.text import fold as normalise

EARTH_RADIUS_KM = 6371.0088
TS1 = (54.5742, -1.2350)
LEEDS = (53.8008, -1.5491)
NORTH, EAST, SOUTH, WEST = 0.0, 90.0, 180.0, 270.0
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def offset(origin: tuple[float, float], km: float, bearing: float) -> tuple[float, float]:
    """The point `km` from `origin` on the given bearing (degrees), on the same sphere as haversine."""
    lat1, lon1 = map(math.radians, origin)
    theta, delta = math.radians(bearing), km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta))
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1), math.cos(delta) - math.sin(lat1) * math.sin(lat2)
    )
    return math.degrees(lat2), math.degrees(lon2)


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def entry(id: str, name: str, organisation: str = "Tees Valley Partnership", category: str = "training",
          at: tuple[float, float] | None = None, **values) -> Entry:
    lat, lon = at if at is not None else (None, None)
    return Entry(id=id, name=name, organisation=organisation, category=category, latitude=lat, longitude=lon, **values)


def ids(hits) -> list[str]:
    return [h.entry.id if isinstance(h, Hit) else h[0].id for h in hits]


# Middlesbrough: distances from TS1 in the comments.
MIDDLESBROUGH = [
    entry("cafe", "Recovery Café", "Foundations Recovery", "recovery_support", offset(TS1, 0.5, EAST),  # 0.5 km
          tags=("peer support", "mutual aid"), schedule="Fri 18:00-20:00", cost="free",
          stages=("early", "stabilising")),
    entry("vol", "Volunteering at the Food Bank", "Trussell Teesside", "volunteering", offset(TS1, 1.0, NORTH),
          tags=("food",), schedule="Tue 10:00-12:00", cost="Free", sector="retail"),  # 1.0 km
    entry("esol", "English for Speakers of Other Languages", "Middlesbrough College", "basic_skills",
          offset(TS1, 2.0, SOUTH), tags=("esol", "english"), schedule="Mon 09:00-12:00; Wed 13:30-16:00",
          cost="£20 per term", eligible_benefits=("uc", "jsa"), stages=("stabilising", "progressing")),  # 2.0 km
    entry("jobclub", "Job Club", "Middlesbrough Council", "employment_support", offset(TS1, 2.9, WEST),
          tags=("cv", "interview"), schedule="Mon-Fri 09:00-17:00", cost="free",
          delivery=("in_person", "outreach")),  # 2.9 km
    entry("allot", "Allotment Project", "Grow Teesside", "volunteering", offset(TS1, 4.0, NORTH),
          tags=("gardening",), schedule="whenever you like", sector="horticulture"),  # 4.0 km, unreadable schedule
    entry("digital", "Digital Skills Course", "Learning Teesside", "basic_skills", offset(TS1, 8.0, EAST),
          delivery=("in_person", "online"), schedule="Thu 10:00-12:00", cost="free",
          description="Computers, email and online forms; ESOL learners welcome."),  # 8.0 km
    entry("darl", "Darlington Volunteer Centre", "Volunteer Darlington", "volunteering", offset(TS1, 20.0, WEST),
          schedule="Mon 10:00-16:00"),  # 20.0 km
    entry("smart", "Online Recovery Meetings", "SMART Recovery UK", "recovery_support", None,
          delivery=("online",), schedule="Sun 19:00-20:00", cost="free"),  # no position
    entry("helpline", "Drink Helpline", "Drinkline", "treatment", (51.5072, -0.1276),
          delivery=("phone",), cost="free"),  # a London office, phone only
    entry("old", "Old Job Club", "Middlesbrough Council", "employment_support", offset(TS1, 0.1, NORTH),
          archived=True),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(MIDDLESBROUGH)


def distance_of(entry_id: str) -> float:
    placed = next(e for e in MIDDLESBROUGH if e.id == entry_id)
    return haversine(TS1, (placed.latitude, placed.longitude))


# -- normalising ---------------------------------------------------------------------------


def test_normalise_folds_case_accents_apostrophes_and_punctuation():
    assert normalise("  Café-Bar, St Mary’s (ÉCOLE) ") == "cafe bar st marys ecole"
    assert normalise("Łódź") == "łodz"  # letters without a decomposition stay letters


def test_query_words_drop_stop_words_unless_nothing_else_is_left():
    assert query_words("The ESOL classes in Middlesbrough") == ["esol", "classes", "middlesbrough"]
    assert query_words("the") == ["the"]


# -- typo tolerance --------------------------------------------------------------------------


def test_misspelt_volunteering_finds_the_volunteering_entry(index):
    hits = index.search("volunterring")
    assert ids(hits) == ["vol"]
    assert hits[0].matched == ("name: volunteering",)
    assert hits[0].score == pytest.approx(1 - 1 / 12)  # one slip in twelve letters, in the name


def test_cafe_and_cafe_with_accent_are_the_same_word(index):
    plain, accented = index.search("cafe"), index.search("Café")
    assert ids(plain) == ids(accented) == ["cafe"]
    assert plain[0].score == accented[0].score == 1.0
    assert plain[0].matched == ("name: cafe",)


def test_esol_ranks_tag_match_above_description_match(index):
    hits = index.search("esol")
    assert ids(hits) == ["esol", "digital"]
    assert [h.matched for h in hits] == [("tags: esol",), ("description: esol",)]
    assert [h.score for h in hits] == pytest.approx([0.8, 0.4])


def test_run_together_jobclub_finds_job_club_and_spaced_query_finds_run_together_name():
    jobclub = SearchIndex.build([entry("a", "Job Club", "Council"), entry("b", "Jobclub Plus", "DWP"),
                                 entry("c", "Book Club", "Library")])
    hits = jobclub.search("jobclub")
    assert ids(hits) == ["b", "a"]  # the word as typed first, then the two words it runs together, side by side
    assert [h.score for h in hits] == pytest.approx([1.0, 0.95])
    assert hits[1].matched == ("name: job club",)
    assert ids(jobclub.search("job club")) == ["a", "b", "c"]
    assert jobclub.search("job club")[1].matched == ("name: jobclub",)


def test_a_run_together_word_side_by_side_beats_its_two_words_apart():
    apart = SearchIndex.build([entry("apart", "Club for Job Seekers", "Council"), entry("side", "Job Club", "DWP")])
    hits = apart.search("jobclub")
    assert ids(hits) == ["side", "apart"]
    assert [h.score for h in hits] == pytest.approx([0.95, 0.9])  # PHRASE_SIMILARITY, SPLIT_SIMILARITY
    assert [h.matched for h in hits] == [("name: job club",), ("name: job club",)]


COMPOUNDS = [
    entry("jcp", "Jobcentre Plus", "DWP"),
    entry("jc", "Job Centre appointments", "DWP"),
    entry("scatter", "Job Club at the Community Centre", "Council"),
    entry("dropin", "Drop-in advice", "Citizens Advice"),
    entry("dropin2", "Dropin cafe", "Recovery Cafe"),
    entry("drop", "Drop your CV in", "Agency"),
    entry("coach", "Appointments with a work coach", "DWP"),
    entry("coach_apart", "Coach trips and voluntary work", "Trips"),
    entry("self", "Housing advice", "Council", tags=("self-referral",)),
    entry("self2", "Counselling", "Mind", tags=("selfreferral",)),
    entry("self_apart", "Self-help group", "Mind", tags=("referral needed",)),
]


@pytest.mark.parametrize("typed", ["job centre", "jobcentre", "Job-Centre"])
def test_job_centre_however_written_finds_both_spellings_before_the_words_scattered(typed):
    hits = SearchIndex.build(COMPOUNDS).search(typed)
    assert ids(hits)[:2] == ["jc", "jcp"] or ids(hits)[:2] == ["jcp", "jc"]
    assert ids(hits)[2] == "scatter"


def test_job_centre_scores_exactly():
    index = SearchIndex.build(COMPOUNDS)
    spaced = index.search("job centre")
    assert ids(spaced) == ["jc", "jcp", "scatter"]  # jc and jcp tie (1.0 + the pair's bonus): by name
    assert [round(h.score, 6) for h in spaced] == [1.0, 1.0, 1.0]  # shown capped at 1
    scores = index._text.scores(["job", "centre"], index._text.clauses(["job", "centre"]), len(index),
                                index._text.phrases("job centre", ["job", "centre"]))
    by_id = {e.id: float(scores[i]) for i, e in enumerate(index.entries)}
    assert by_id["jc"] == pytest.approx(1.25) and by_id["jcp"] == pytest.approx(1.25)
    assert by_id["scatter"] == pytest.approx(1.0)  # both words in the name, apart: no bonus
    joined = index.search("jobcentre")
    assert ids(joined)[:3] == ["jcp", "jc", "scatter"]
    assert [h.score for h in joined[:3]] == pytest.approx([1.0, 0.95, 0.9])
    assert joined[1].matched == ("name: job centre",)


@pytest.mark.parametrize("typed", ["drop in", "drop-in", "dropin", "Drop In"])
def test_drop_in_however_written_finds_drop_in_entries_first(typed):
    hits = SearchIndex.build(COMPOUNDS).search(typed)
    assert set(ids(hits)[:2]) == {"dropin", "dropin2"}


def test_work_coach_and_self_referral_as_compounds():
    index = SearchIndex.build(COMPOUNDS)
    assert ids(index.search("work coach"))[0] == "coach"  # side by side beats "coach ... work"
    assert ids(index.search("workcoach")) == ["coach", "coach_apart"]
    for typed in ("self referral", "self-referral", "selfreferral"):
        assert set(ids(index.search(typed))[:2]) == {"self", "self2"}, typed


def test_short_words_match_exactly_or_as_a_prefix_but_never_fuzzily():
    groups = SearchIndex.build([entry("aa", "AA meeting", "Alcoholics Anonymous"),
                                entry("na", "NA meeting", "Narcotics Anonymous"),
                                entry("nat", "National Careers Service", "DWP")])
    assert ids(groups.search("aa")) == ["aa"]
    assert ids(groups.search("na")) == ["na", "nat"]  # exact before prefix; "aa" is one letter away but too short


def test_stop_words_are_ignored(index):
    assert ids(index.search("the esol")) == ids(index.search("esol"))


def test_half_typed_word_matches_as_prefix(index):
    hits = index.search("volunt")
    assert ids(hits) == ["darl", "vol"]  # "volunteer" is nearer the typed word than "volunteering"
    assert [h.score for h in hits] == pytest.approx([0.8 + 0.2 * 6 / 9, 0.8 + 0.2 * 6 / 12])


def test_plumbr_leeds_puts_a_plumbing_entry_first_not_city_mechanics():
    leeds = SearchIndex.build([
        entry("mech", "City Mechanics Leeds", "City Mechanics Ltd", "employer", LEEDS,
              description="Car servicing and repairs in Leeds city centre.", sector="automotive"),
        entry("academy", "Leeds Plumbing Academy", "Leeds College of Building", "training", offset(LEEDS, 1.0, EAST),
              description="Become a plumber: plumbing and heating qualifications.", sector="construction"),
        entry("apprent", "Plumber apprenticeships", "Leeds Building Trust", "employer", offset(LEEDS, 2.0, EAST),
              description="Apprentice plumber roles across Leeds.", sector="construction"),
        entry("cafe", "Leeds Recovery Cafe", "Forward Leeds", "recovery_support", offset(LEEDS, 0.5, NORTH)),
        entry("york", "York Plumbing Supplies", "Plumbase", "employer", (53.9600, -1.0873), sector="construction"),
    ])
    hits = leeds.search("plumbr leeds")
    assert ids(hits) == ["academy", "apprent", "mech", "cafe", "york"]  # mech and cafe tie on "leeds": by name
    assert hits[0].matched == ("name: plumbing", "name: leeds")
    assert hits[1].matched == ("name: plumber", "organisation: leeds")


def test_query_matching_nothing_finds_nothing(index):
    assert index.search("xylophone") == []


# -- field weights ---------------------------------------------------------------------------


def test_name_beats_tags_and_sector_which_beat_organisation_which_beats_description():
    weighted = SearchIndex.build([
        entry("desc", "A Course", "North Trust", description="Includes some horticulture.", at=TS1),
        entry("org", "B Course", "Horticulture Trust", at=TS1),
        entry("sector", "C Course", "North Trust", sector="horticulture", at=TS1),
        entry("tags", "D Course", "North Trust", tags=("horticulture",), at=TS1),
        entry("name", "Horticulture Course", "North Trust", at=TS1),
    ])
    hits = weighted.search("horticulture")
    assert ids(hits) == ["name", "sector", "tags", "org", "desc"]  # tags and sector tie: then by name
    assert [h.score for h in hits] == pytest.approx([1.0, 0.8, 0.8, 0.6, 0.4])
    assert [h.matched for h in hits] == [("name: horticulture",), ("sector: horticulture",),
                                          ("tags: horticulture",), ("organisation: horticulture",),
                                          ("description: horticulture",)]


def test_matching_every_query_word_beats_matching_one_in_the_name():
    both = SearchIndex.build([
        entry("one", "Gardening Club", "Grow"),
        entry("two", "Community Allotment", "Gardening Trust"),
    ])
    hits = both.search("gardening allotment")
    assert ids(hits) == ["two", "one"]
    assert [h.score for h in hits] == pytest.approx([(0.6 + 1.0) / 2, 0.5])


def test_exact_spelling_beats_a_close_one():
    close = SearchIndex.build([entry("care", "Care Agency", "X"), entry("cafe", "Cafe Agency", "X")])
    assert ids(close.search("care agency")) == ["care", "cafe"]


# -- filters ---------------------------------------------------------------------------------


def test_no_filters_no_query_lists_everything_live_by_name(index):
    assert ids(index.search()) == ["allot", "darl", "digital", "helpline", "esol", "jobclub", "smart",
                                   "cafe", "vol"]


def test_category_filter_is_any_of(index):
    assert ids(index.search(filters=Filters(categories=("volunteering",)))) == ["allot", "darl", "vol"]
    assert ids(index.search(filters=Filters(categories=("treatment", "basic_skills")))) == [
        "digital", "helpline", "esol"]


def test_stage_filter_keeps_entries_for_any_stage(index):
    assert ids(index.search(filters=Filters(stage="early"))) == [
        "allot", "darl", "digital", "helpline", "jobclub", "smart", "cafe", "vol"]  # not esol
    assert "cafe" not in ids(index.search(filters=Filters(stage="progressing")))


def test_day_filter_uses_parsed_sessions_and_unreadable_schedules_count_as_by_arrangement(index):
    assert ids(index.search(filters=Filters(day=MON))) == ["darl", "esol", "jobclub"]
    assert ids(index.search(filters=Filters(day=TUE))) == ["jobclub", "vol"]
    assert ids(index.search(filters=Filters(day=SUN))) == ["smart"]
    assert ids(index.search(filters=Filters(day=SAT))) == []  # "whenever you like" is not every day


def test_free_only_filter(index):
    assert ids(index.search(filters=Filters(free_only=True))) == [
        "digital", "helpline", "jobclub", "smart", "cafe", "vol"]


def test_benefit_filter_keeps_entries_open_to_all(index):
    everyone_but_esol = ["allot", "darl", "digital", "helpline", "jobclub", "smart", "cafe", "vol"]
    assert ids(index.search(filters=Filters(benefit="esa"))) == everyone_but_esol
    assert ids(index.search(filters=Filters(benefit="uc"))) == ["allot", "darl", "digital", "helpline", "esol",
                                                                 "jobclub", "smart", "cafe", "vol"]


def test_delivery_filter_is_any_of(index):
    assert ids(index.search(filters=Filters(delivery=("online",)))) == ["digital", "smart"]
    assert ids(index.search(filters=Filters(delivery=("phone", "outreach")))) == ["helpline", "jobclub"]


def test_filters_combine_with_and(index):
    combined = Filters(categories=("volunteering", "employment_support", "recovery_support"), free_only=True,
                       day=TUE, near=TS1, within_km=3.0)
    assert ids(index.search(filters=combined)) == ["vol", "jobclub"]  # nearest first
    assert ids(index.search("club", combined)) == ["jobclub"]


def test_unknown_codes_match_nothing_rather_than_everything(index):
    assert index.search(filters=Filters(categories=("jobs",))) == []
    assert index.search(filters=Filters(delivery=("carrier pigeon",))) == []


# -- distance ------------------------------------------------------------------------------------


def test_radius_keeps_online_and_phone_entries_with_no_distance(index):
    hits = index.search(filters=Filters(near=TS1, within_km=3.0))
    assert ids(hits) == ["cafe", "vol", "esol", "jobclub", "helpline", "smart"]
    assert [h.distance_km for h in hits[4:]] == [None, None]
    for hit in hits[:4]:
        assert hit.distance_km == pytest.approx(distance_of(hit.entry.id), rel=1e-9)
    assert [round(h.distance_km, 6) for h in hits[:4]] == [0.5, 1.0, 2.0, 2.9]


def test_radius_boundary_is_exact(index):
    assert distance_of("jobclub") == pytest.approx(2.9, abs=1e-9)
    assert "jobclub" in ids(index.search(filters=Filters(near=TS1, within_km=3.0)))
    assert "jobclub" not in ids(index.search(filters=Filters(near=TS1, within_km=2.5)))
    assert "jobclub" in ids(index.search(filters=Filters(near=TS1, within_km=2.9 + 1e-9)))


def test_hybrid_entry_outside_the_radius_is_left_out(index):
    # "digital" is online too, but it is not online-only: out of reach in person is out.
    assert "digital" not in ids(index.search(filters=Filters(near=TS1, within_km=5.0)))
    assert "digital" in ids(index.search(filters=Filters(near=TS1, within_km=8.5)))


def test_without_a_query_near_sorts_nearest_first_with_no_distance_last(index):
    hits = index.search(filters=Filters(near=TS1))
    assert ids(hits) == ["cafe", "vol", "esol", "jobclub", "allot", "digital", "darl", "helpline", "smart"]
    assert [h.score for h in hits] == [1.0] * 9
    assert [h.matched for h in hits] == [()] * 9


def test_with_a_query_ties_go_to_the_nearer_entry():
    twins = SearchIndex.build([
        entry("far", "Peer Mentoring", "Mentors", at=offset(TS1, 6.0, EAST)),
        entry("near", "Peer Mentoring", "Mentors", at=offset(TS1, 1.5, WEST)),
        entry("mid", "Peer Mentoring", "Mentors", at=offset(TS1, 3.0, SOUTH)),
    ])
    assert ids(twins.search("peer mentoring", Filters(near=TS1))) == ["near", "mid", "far"]
    assert ids(twins.search("peer mentoring")) == ["far", "mid", "near"]  # no place given: by name, then id


def test_radius_without_a_place_is_refused(index):
    with pytest.raises(ValueError, match="postcode"):
        index.search(filters=Filters(within_km=3.0))


def test_within_lists_placed_entries_nearest_first(index):
    found = index.within(*TS1, 4.5)
    assert ids(found) == ["cafe", "vol", "esol", "jobclub", "allot"]
    assert [d for _, d in found] == pytest.approx([distance_of(i) for i in ids(found)], rel=1e-9)
    assert ids(index.within(*TS1, 2.5)) == ["cafe", "vol", "esol"]


def test_nearest_orders_by_distance_and_respects_k_and_radius(index):
    assert ids(index.nearest(*TS1, k=3)) == ["cafe", "vol", "esol"]
    assert ids(index.nearest(*TS1, k=100)) == ["cafe", "vol", "esol", "jobclub", "allot", "digital", "darl",
                                               "helpline"]  # every placed entry, London last
    assert ids(index.nearest(*TS1, k=10, within_km=5.0)) == ["cafe", "vol", "esol", "jobclub", "allot"]
    assert index.nearest(*TS1, k=0) == []
    new_york = (40.0, -74.0)  # off the British grid: still answered, by measuring directly
    placed = [e for e in MIDDLESBROUGH if e.has_position and not e.archived]
    by_distance = sorted(placed, key=lambda e: haversine(new_york, (e.latitude, e.longitude)))
    far_away = index.nearest(*new_york, k=2)
    assert ids(far_away) == [e.id for e in by_distance[:2]] == ["darl", "jobclub"]
    assert far_away[0][1] == pytest.approx(haversine(new_york, (by_distance[0].latitude, by_distance[0].longitude)))


def test_nearest_agrees_with_brute_force_on_many_points():
    rng = np.random.default_rng(7)
    points = [offset(TS1, float(km), float(b)) for km, b in zip(rng.exponential(15, 400), rng.uniform(0, 360, 400))]
    many = SearchIndex.build([entry(f"p{i:03d}", f"Place {i:03d}", at=p) for i, p in enumerate(points)])
    for origin in (TS1, offset(TS1, 30, 45), LEEDS):
        expected = sorted(range(len(points)), key=lambda i: (haversine(origin, points[i]), i))
        assert ids(many.nearest(*origin, k=15)) == [f"p{i:03d}" for i in expected[:15]]
        inside = [f"p{i:03d}" for i in expected if haversine(origin, points[i]) <= 12.0]
        assert ids(many.within(*origin, 12.0)) == inside
        assert ids(many.nearest(*origin, k=len(points), within_km=12.0)) == inside


def test_nearest_with_a_radius_on_small_directories_agrees_with_brute_force():
    # Few points: the first search square often holds them all, which must not cut the radius short.
    rng = np.random.default_rng(11)
    for trial in range(40):
        points = [offset(TS1, float(km), float(b)) for km, b in zip(rng.uniform(0, 4, 4), rng.uniform(0, 360, 4))]
        few = SearchIndex.build([entry(f"p{i}", f"Place {i}", at=p) for i, p in enumerate(points)])
        expected = sorted(range(4), key=lambda i: haversine(TS1, points[i]))
        assert ids(few.nearest(*TS1, k=10, within_km=5.0)) == [f"p{i}" for i in expected], trial


# -- the index itself ------------------------------------------------------------------------------


def test_archived_entries_are_left_out(index):
    assert len(index) == 9
    assert index.get("old") is None
    assert index.get("jobclub").name == "Job Club"
    assert "old" not in ids(index.search("old job club"))
    assert "old" not in ids(index.nearest(*TS1, k=20))


def test_limit(index):
    assert ids(index.search(limit=2)) == ["allot", "darl"]
    assert len(index.search(limit=None)) == 9
    assert index.search(limit=0) == []


def test_empty_index_answers_everything_with_nothing():
    empty = SearchIndex.build([])
    assert len(empty) == 0
    assert empty.search("esol", Filters(near=TS1, within_km=5)) == []
    assert empty.nearest(*TS1) == [] and empty.within(*TS1, 5) == []


def test_index_is_read_only_and_shared_safely_between_threads(index):
    expected = ids(index.search("volunterring cafe", Filters(near=TS1, within_km=10)))
    results: list[list[str]] = []

    def search_many() -> None:
        for _ in range(50):
            results.append(ids(index.search("volunterring cafe", Filters(near=TS1, within_km=10))))

    threads = [threading.Thread(target=search_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 200
    with pytest.raises(ValueError):
        index._text.parts[0][0].docs[0] = 1  # arrays are frozen: nothing can change an index once built


def test_editing_an_entry_means_building_a_new_index(index):
    renamed = [replace(e, name="Peer Café") if e.id == "cafe" else e for e in MIDDLESBROUGH]
    assert ids(SearchIndex.build(renamed).search("peer cafe"))[0] == "cafe"
    assert index.get("cafe").name == "Recovery Café"



def test_who_a_service_is_for_filters_out_services_only_for_other_groups():
    from directory.search import SearchIndex

    index = SearchIndex([
        entry("open", "Job Club", delivery=("online",)),
        entry("women", "Women into Work", delivery=("online",), for_groups=("women",)),
        entry("dads", "Dads' Group", delivery=("online",), for_groups=("men", "parents")),
        entry("vets", "Veterans into Work", delivery=("online",), for_groups=("veterans",)),
    ])
    assert ids(index.search(filters=Filters())) == ["dads", "open", "vets", "women"]
    assert ids(index.search(filters=Filters(group="women"))) == ["open", "women"]
    assert ids(index.search(filters=Filters(group="parents"))) == ["dads", "open"]
    assert ids(index.search(filters=Filters(group="care_leavers"))) == ["open"]


def test_entry_positions_and_word_numbers_answer_as_the_dicts_they_replaced():
    import random

    from directory.search import _IdPositions, _SortedTerms

    rng = random.Random(4)
    ids = [f"e{rng.randrange(10**6):06d}" for _ in range(300)]
    ids = list(dict.fromkeys(ids))
    for order in (sorted(ids), ids):  # as the store reads them (id order), and in any order
        entries = tuple(Entry(id=i, name="n", organisation="o", category="training") for i in order)
        as_dict = {e.id: p for p, e in enumerate(entries)}
        positions = _IdPositions(entries)
        asked = list(as_dict) + ["", "e", "e9999999", "zz", order[0][:-1]]
        assert {key: positions.get(key) for key in asked} == {key: as_dict.get(key) for key in asked}
        assert positions.get(None, "none") == "none"
    terms = sorted({"".join(rng.choice("abcé") for _ in range(rng.randrange(1, 5))) for _ in range(200)})
    numbers = {t: i for i, t in enumerate(terms)}
    held = _SortedTerms(terms)
    asked = terms + ["", "zzz", "abcéabcé", terms[3] + "a"]
    assert {t: held.get(t) for t in asked} == {t: numbers.get(t) for t in asked}
    assert [t in held for t in asked] == [t in numbers for t in asked]
    assert held[terms[7]] == 7 and len(held) == len(terms)
    with pytest.raises(KeyError):
        held["zzz"]


def test_a_place_searched_again_is_not_projected_again():
    """Each projection is a hand-over to the projection thread and back, waiting for the interpreter lock."""
    from directory.search import _projected_point

    index = SearchIndex.build([Entry(id="a", name="Job club", organisation="o", category="training",
                                     latitude=54.57, longitude=-1.23)])
    near = Filters(near=(54.5731, -1.2349), within_km=5.0)
    _projected_point.cache_clear()
    first = [h.entry.id for h in index.search("", near)]
    again = [h.entry.id for h in index.search("", near)]
    assert first == again == ["a"]
    assert (_projected_point.cache_info().misses, _projected_point.cache_info().hits) == (1, 1)


def test_the_box_of_an_index_holds_only_its_live_entries_with_a_position():
    index = SearchIndex([entry("a", "A", at=(54.5, -1.2)), entry("b", "B", at=(54.7, -1.0)), entry("c", "Online")])
    assert index.bounds() == (54.5, -1.2, 54.7, -1.0)
    changed = index.updated({"b": entry("b", "B", at=(54.6, -1.1)), "a": None})  # b moved, a archived
    assert changed.bounds() == (54.6, -1.1, 54.6, -1.1)
    assert changed.updated({"b": None}).bounds() is None
