"""The Find page's results made lazily (SearchIndex.results, a RankedHits): a Hit only for what is read (the cards
shown, the CSV and print view when asked for), the counts and the map from the index's arrays. Everything shown
must be what the list of every Hit gave: the same hits in the same order, counts, map points and figures."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from directory.fields import Entry
from directory.search import Filters, SearchIndex
from tests.test_area_wide_find import TS17_0AA, area_directory
from ui.find_support import SearchState, directory_bounds, nearest_distance, search_hits

NOW = dt.datetime(2026, 3, 5, 9, 0)  # a Thursday

ENTRIES = [
    Entry("a", "ESOL Club", "Tees College", "basic_skills", latitude=54.57, longitude=-1.23, schedule="Thu 10:00-12:00"),
    Entry("b", "Job Club", "Tees Works", "employment_support", latitude=54.60, longitude=-1.30),
    Entry("c", "Online ESOL", "Tees Digital", "basic_skills", delivery=("online",)),
    Entry("d", "Garden Volunteers", "Green Tees", "volunteering"),  # no position yet
    Entry("e", "ESOL Conversation", "Library", "basic_skills", latitude=54.52, longitude=-1.15),
]


def _as_read(hits) -> list[tuple]:
    return [(h.entry.id, round(h.score, 6), None if h.distance_km is None else round(h.distance_km, 3), h.matched,
             h.covers_area) for h in hits]


def test_ranked_hits_read_as_the_list_of_every_hit_in_the_same_order():
    index = SearchIndex.build(ENTRIES)
    changed = index.with_changes([index.position("b")], [Entry("b", "Job Club (new room)", "Tees Works",
                                                               "employment_support", latitude=54.61, longitude=-1.31)])
    near = Filters(near=(54.57, -1.23), within_km=10.0)
    for searched in (index, changed):
        for query, filters in (("", Filters()), ("esol", Filters()), ("", near), ("club", near)):
            every, lazy = searched.search(query, filters, limit=None), searched.results(query, filters)
            assert len(lazy) == len(every) and _as_read(lazy) == _as_read(every)
            assert lazy[1:3] == every[1:3] and lazy[-1] == every[-1] and lazy[0] == every[0]
    hits = index.results("esol", near)
    assert [h.entry.id for h in hits] == ["a", "e", "c"] and hits[0].matched == ("name: esol",)
    assert [None if np.isnan(km) else round(float(km), 2) for km in hits.distance_km] == [0.0, 7.59, None]
    assert hits.in_person.tolist() == [True, True, False] and hits.covers.tolist() == [False] * 3
    assert [e.id for e in hits.entries] == ["a", "e", "c"]
    assert np.isnan(index.results("garden").latitude).tolist() == [True]
    assert [e.id for e in changed.results("").entries] == ["a", "e", "d", "b", "c"]  # A to Z: the new name's place
    assert [h.entry.name for h in changed.results("club")] == ["ESOL Club", "Job Club (new room)"]


def test_ranked_hits_keep_their_results_figures_not_every_entrys():
    """A page keeps its results for the life of the person's session: whole columns were ~5 MB a search at
    300,000 entries. Reordered, they keep reading as the same hits."""
    index = SearchIndex.build(ENTRIES + [Entry(f"x{i}", f"Allotment {i}", "Green Tees", "volunteering")
                                             for i in range(500)])
    hits = index.results("esol", Filters(near=(54.57, -1.23)))
    assert [h.entry.id for h in hits] == ["a", "e", "c"]
    assert hits._distance.nbytes == 3 * 8 and hits._score.nbytes == 3 * 8
    backwards = hits.reordered(np.array([2, 1, 0]))
    assert _as_read(backwards) == _as_read(hits)[::-1]
    assert backwards.distance_km.nbytes == 3 * 8


def test_nearest_first_with_words_puts_the_services_covering_the_area_first_then_by_distance(directory):
    area_directory(directory)
    directory.create({"id": "near", "name": "Another Club", "organisation": "Tees Works", "category": "training",
                      "latitude": 54.5393, "longitude": -1.3040}, "alice")  # 8 m from TS17 0AA
    best = search_hits(directory, SearchState(query="club recovery", place="TS17 0AA", radius_km=10.0), TS17_0AA)
    nearest = search_hits(directory, SearchState(query="club recovery", place="TS17 0AA", radius_km=10.0,
                                                 order="nearest"), TS17_0AA)
    # What sorting every Hit gave (the key the page used before): covering as at 0 km, unmeasured last, stable.
    def old_key(hit):
        return (False, 0.0) if hit.covers_area is not None else (hit.distance_km is None, hit.distance_km or 0.0)
    assert [h.entry.id for h in nearest] == [h.entry.id for h in sorted(best, key=old_key)]
    assert [(h.entry.id, h.covers_area, None if h.distance_km is None else round(h.distance_km, 3))
            for h in nearest] == [("office", "TS17", 6.209), ("outreach", "TS17", None), ("near", None, 0.008),
                                  ("club", None, 5.765)]
    assert nearest.covering == best.covering == 2
    assert round(nearest_distance(nearest), 3) == 0.008
    assert round(nearest_distance(nearest.reordered(np.array([3, 1]))), 3) == 5.765
    assert nearest_distance(nearest.reordered(np.array([1]))) is None


def test_the_map_is_the_same_from_the_lazy_results_as_from_every_hit(directory, monkeypatch):
    from ui import find_support, map_clusters

    area_directory(directory)
    directory.create({"id": "online", "name": "Online Skills", "organisation": "Tees Digital",
                      "category": "basic_skills", "delivery": ("online",)}, "alice")
    directory.create({"id": "walks", "name": "Recovery Walks", "organisation": "Green Tees",
                      "category": "volunteering", "delivery": ("outreach",)}, "alice")  # met in person, no place
    lazy = search_hits(directory, SearchState(place="TS17 0AA", radius_km=10.0), TS17_0AA)

    def build(hits, place=TS17_0AA):
        points, counts, off, payload, token = find_support._build_results(
            hits, place=place, radius_km=10.0 if place else None, now=NOW, outlines=False, day=None,
            directory=directory)
        payload = json.loads(payload)
        payload.pop("remote", None)
        return points, counts, off, payload, token

    from_lazy, from_every = build(lazy), build(list(lazy))  # a plain list of Hits: what the page passed before
    assert from_lazy == from_every
    near_points, counts, off, payload, _ = from_lazy
    assert [p.entry_id for p in near_points] == ["club"] and off == (1, 0)  # the online one (the walks: not within 10 km)
    assert counts == {"employment_support": 1, "recovery_support": 2}
    assert [a[7] for a in payload["areas"]] == ["office", "outreach"]
    everywhere = search_hits(directory, SearchState(), None)
    from_lazy, from_every = build(everywhere, None), build(list(everywhere), None)
    assert from_lazy == from_every
    points, counts, off, payload, _ = from_lazy
    # With no place nothing covers "the client's area": the office is a pin; the outreach team and the walks have
    # no place yet, the online one is online.
    assert [p.entry_id for p in points] == ["club", "office"] and off == (1, 2) and "areas" not in payload
    # Past the browser's limit: the server keeps the same results, in the same order, for the map to ask about.
    monkeypatch.setattr(map_clusters, "BROWSER_CLUSTER_LIMIT", 0)
    kept = [map_clusters.kept(build(hits)[4]) for hits in (lazy, list(lazy))]
    assert [list(k.category) for k in kept] == [["employment_support"]] * 2
    assert [k.detail([0]) for k in kept] == [near_points] * 2 and near_points[0].distance == "5.8 km"


def test_the_directory_box_holds_every_placed_entry(directory):
    directory.create({"name": "North", "organisation": "O", "category": "training", "latitude": 54.6,
                      "longitude": -1.3}, "alice")
    directory.create({"name": "South", "organisation": "O", "category": "training", "latitude": 54.5,
                      "longitude": -1.1}, "alice")
    directory.create({"name": "Online", "organisation": "O", "category": "training", "delivery": ("online",)}, "alice")
    bounds = directory_bounds(directory)
    # The two placed entries' corners, padded half a km; the online one's missing position changes nothing.
    assert (round(bounds.south, 4), round(bounds.west, 4), round(bounds.north, 4), round(bounds.east, 4)) == (
        54.4955, -1.3078, 54.6045, -1.0922)
