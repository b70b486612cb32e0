"""Area-wide services (Open Referral service_areas) in Find: found from a place inside their area whatever the
radius, ranked as if 0 km away, "covers your area" on the card, the CSV and the printed list, and drawn on the map
as their areas. (Which names are which areas: tests/test_harvest.py.)"""

from __future__ import annotations

import datetime as dt
import json

from directory.areas import COVERS_YOUR_AREA
from directory.geo import Place
from directory.search import Filters, SearchIndex
from directory.fields import Entry
from ui.find_support import SearchState, result_row, results_map, search_hits
from tests.test_api import api  # noqa: F401  (the read API over a few entries)
from tests.test_app_find import app_db  # noqa: F401  (the Find page's seeded database, for the AppTest)

# Real postcodes' positions (Code-Point Open), so the place and the areas' shapes agree.
TS17_0AA = Place("TS17 0AA", 54.539260, -1.303902, "postcode")
TS1_3BA = Place("TS1 3BA", 54.572076, -1.234694, "postcode")
NOW = dt.datetime(2026, 3, 5, 9, 0)


def set_areas(directory, entry_id: str, names: list[str]) -> None:
    """As the importer keeps a feed's service_areas: through the unit of work, moving the change counter."""
    with directory.unit_of_work() as uow:
        uow.harvest.set_areas(entry_id, names)
        uow.directory_changed()
        uow.commit()


def area_directory(directory):
    # In person at TS1 3BA (about 7 km from TS17 0AA); an outreach team with no place to attend; a phone line.
    directory.create({"id": "club", "name": "Job Club", "organisation": "Tees Works", "category": "employment_support",
                      "postcode": "TS1 3BA"}, "alice")
    directory.create({"id": "outreach", "name": "Thornaby Outreach", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "delivery": ("outreach",)}, "alice")
    directory.create({"id": "office", "name": "Recovery Navigators", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "postcode": "TS1 2AH"}, "alice")
    set_areas(directory, "outreach", ["TS17"])
    set_areas(directory, "office", ["TS17", "<b>Stockton</b> {{ 7*7 }}"])
    return directory


def test_a_service_serving_ts17_is_found_from_a_ts17_postcode_and_not_from_ts1(directory):
    area_directory(directory)
    hits = search_hits(directory, SearchState(place="TS17 0AA", radius_km=1.0), TS17_0AA)
    # Nothing is within 1 km of TS17 0AA: both TS17 services are found, as if at 0 km (then by name); the office's
    # distance (beyond the radius) is not measured.
    assert [(h.entry.id, h.covers_area, h.distance_km) for h in hits] == [
        ("office", "TS17", None), ("outreach", "TS17", None)]
    hits = search_hits(directory, SearchState(place="TS1 3BA", radius_km=1.0), TS1_3BA)
    assert [(h.entry.id, h.covers_area, round(h.distance_km, 2)) for h in hits] == [
        ("club", None, 0.0), ("office", None, 0.47)]


def test_a_service_covering_the_area_ranks_before_a_nearer_one(directory):
    area_directory(directory)
    directory.create({"id": "near", "name": "Another Club", "organisation": "Tees Works", "category": "training",
                      "latitude": 54.5393, "longitude": -1.3040}, "alice")  # 8 m from TS17 0AA
    hits = search_hits(directory, SearchState(place="TS17 0AA", radius_km=10.0), TS17_0AA)
    assert [h.entry.id for h in hits] == ["office", "outreach", "near", "club"]
    assert round(hits[2].distance_km, 3) == 0.008
    # "Nearest first" with words puts them at 0 km too.
    hits = search_hits(directory, SearchState(query="club recovery", place="TS17 0AA", radius_km=10.0,
                                              order="nearest"), TS17_0AA)
    assert [h.entry.id for h in hits][:2] == ["office", "outreach"]


def test_the_serving_filter_still_obeys_the_other_filters_and_ignores_unknown_ids():
    entries = [Entry("a", "Outreach", "Org", "recovery_support", delivery=("outreach",)),
               Entry("b", "Course", "Org", "training", latitude=54.6, longitude=-1.2)]
    index = SearchIndex.build(entries)
    near = Filters(near=(54.5, -1.3), within_km=1.0, serving=frozenset({("a", "TS17"), ("zz", "TS1")}))
    assert [(h.entry.id, h.covers_area, h.distance_km) for h in index.search("", near)] == [("a", "TS17", None)]
    assert index.search("", Filters(near=(54.5, -1.3), within_km=1.0, categories=("training",),
                                    serving=near.serving)) == []
    # An index changed since (the delta) answers the same as one built fresh.
    changed = index.with_changes([index.position("a")], [Entry("a", "Outreach Team", "Org", "recovery_support",
                                                              delivery=("outreach",))])
    assert [(h.entry.name, h.covers_area) for h in changed.search("", near)] == [("Outreach Team", "TS17")]


def test_the_csv_and_printed_rows_say_covers_your_area(directory):
    from ui.find_support import printable_html, results_csv

    area_directory(directory)
    hits = search_hits(directory, SearchState(place="TS17 0AA", radius_km=1.0), TS17_0AA)
    rows = [result_row(h, NOW) for h in hits]
    assert [(r["distance"], r["distance_km"], r["covers_area"]) for r in rows] == [
        (COVERS_YOUR_AREA, "", "TS17"), (COVERS_YOUR_AREA, "", "TS17")]
    assert results_csv(rows).decode("utf-8-sig").splitlines()[0].startswith(
        "name,organisation,category,distance_km,covers_area,next_session")
    page = printable_html("Results", "within 1 km of TS17 0AA", rows, NOW, demo=False)
    assert "<dt>Area</dt><dd>Covers your area (TS17)</dd>" in page


def test_the_map_draws_a_covering_service_as_its_area_with_its_name_escaped(directory, monkeypatch):
    from ui import map_clusters, maps

    area_directory(directory)
    set_areas(directory, "outreach", ["TS17", "<img src=x onerror=alert(1)>"])
    hits = search_hits(directory, SearchState(place="TS17 0AA", radius_km=10.0), TS17_0AA)

    def draw():
        _, group, points, counts, off = results_map(hits, place=TS17_0AA, radius_km=10.0, now=NOW,
                                                    centre=(54.55, -1.27), zoom=11, tiles=maps.Tiles(None, ""),
                                                    outlines=False, directory=directory)
        script = maps.st_folium_parts(maps.base_map(maps.Tiles(None, ""), (54.55, -1.27)), group)["feature_group"]
        return points, counts, off, json.loads(next(iter(group._children.values())).payload), script

    points, counts, off, payload, script = draw()
    # The two covering services are areas, not pins (the outreach team has no position: not "no position yet").
    assert [p.entry_id for p in points] == ["club"] and [r[4] for r in payload["rows"]] == ["club"]
    assert off == (0, 0)
    assert counts == {"employment_support": 1, "recovery_support": 2}
    areas = payload["areas"]
    assert [(a[3], a[4], a[7]) for a in areas] == [("Recovery Navigators", "TS17", "office"),
                                                   ("Thornaby Outreach", "TS17", "outreach")]
    assert areas[0][6].startswith("Recovery support (mutual aid")
    lat, lon, radius = areas[0][:3]
    assert 54.52 < lat < 54.56 and -1.33 < lon < -1.28 and 2_000 < radius < 6_000
    assert areas[0][5] == maps.category_colour("recovery_support")
    # A name we cannot place is not drawn; the circle's label is a keyboard-reachable marker with a popup.
    assert "<img" not in script and "Stockton" not in script
    assert 'className: "rp-area"' in script and "fillOpacity: 0.12" in script

    # Results the server clusters (many): the areas still travel with the page.
    monkeypatch.setattr(map_clusters, "BROWSER_CLUSTER_LIMIT", 0)
    points, counts, off, payload, _ = draw()
    assert points == [] and payload["remote"]["total"] == 1
    assert [a[7] for a in payload["areas"]] == ["office", "outreach"]


def test_a_hostile_area_name_is_text_on_the_map():
    from ui import maps

    payload = maps.areas_payload([maps.MapArea(54.5, -1.3, 2.0, '<script>x</script>{{ 7*7 }}', "training",
                                               'Course "A" & <b>', "e1")], {"training": "Training"})
    assert payload == [[54.5, -1.3, 2000, "Course &quot;A&quot; &amp; &lt;b&gt;",
                        "&lt;script&gt;x&lt;/script&gt;&#123;&#123; 7*7 &#125;&#125;", maps.category_colour("training"),
                        "Training", "e1"]]
    text = maps.results_group_json([], {"training": "Training"}, areas=[maps.MapArea(54.5, -1.3, 2.0, "</script>",
                                                                                     "training", "x", "e1")])
    assert "</script>" not in text


def test_the_cli_search_near_a_postcode_finds_the_services_covering_it(directory, db_url):
    from tests.test_cli import run

    area_directory(directory)
    found = json.loads(run("search", "--near", "TS17 0AA", "--within-km", "1", "--json", url=db_url).stdout)
    assert [(r["entry_id"], r["distance_km"], r.get("covers_area")) for r in found] == [
        ("office", None, "TS17"), ("outreach", None, "TS17")]
    text = run("search", "--near", "TS17 0AA", "--within-km", "1", url=db_url).stdout.splitlines()
    assert text[0] == "covers your area (TS17)  Recovery Navigators — Tees Valley Recovery [recovery_support] (office)"
    found = json.loads(run("search", "--near", "TS1 3BA", "--within-km", "1", "--json", url=db_url).stdout)
    assert [(r["entry_id"], "covers_area" in r) for r in found] == [("club", False), ("office", False)]


def test_the_find_page_card_says_covers_your_area(app_db):
    from directory.api import Directory
    from tests.test_app_find import open_find, result_names, summary

    directory = Directory(app_db)
    directory.create({"id": "stockton-line", "name": "Stockton Recovery Line", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "delivery": ("phone",), "phone": "01642 000000"}, "alice")
    directory.create({"id": "stockton-team", "name": "Stockton Outreach Team", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "delivery": ("outreach",)}, "alice")
    set_areas(directory, "stockton-line", ["Stockton-on-Tees"])
    set_areas(directory, "stockton-team", ["Stockton-on-Tees"])
    directory.engine.dispose()
    at = open_find({"near": "TS17 0AA", "km": "1", "cat": "recovery_support"})
    assert result_names(at)[:2] == ["Stockton Outreach Team", "Stockton Recovery Line"]
    assert summary(at).startswith("**2 results** within 1 km of TS17 0AA or covering it · ")
    cards = [h.proto.body for h in at.html if 'class="rp-card"' in h.proto.body]
    assert '<span class="rp-dist">covers your area</span>' in cards[0]
    assert '<span class="rp-dist">covers your area · By phone</span>' in cards[1]
    [note] = [c.value for c in at.caption if "postcode districts" in c.value]
    assert note.startswith("Shaded circles are the areas of the 2 services covering the client's area. ")
    # From Middlesbrough (not in Stockton-on-Tees) the team is not found; the phone line is, as any phone service is.
    at = open_find({"near": "TS1 3BA", "km": "1", "cat": "recovery_support"})
    assert "Stockton Outreach Team" not in result_names(at)
    assert not any("covers your area" in h.proto.body for h in at.html)


def test_the_read_api_lists_a_service_covering_the_postcode_first(api):
    from tests.test_api import get, names

    client, directory = api
    set_areas(directory, "esol-1", ["TS1 3"])  # at TS5 6PY, 1,382 m from TS1 3BA; serves the sector TS1 3
    assert names(get(client, "/api/service_at_locations?postcode=TS1+3BA&proximity=500")) == [
        "ESOL conversation class", "Tees Recovery Café", "Job Club"]
    assert names(get(client, "/api/service_at_locations?postcode=TS1+3BA")) == [
        "ESOL conversation class", "Tees Recovery Café", "Job Club"]
    # TS1 2AH is in another sector: nearest first as before, the ESOL class beyond 500 m left out.
    assert names(get(client, "/api/service_at_locations?postcode=TS1+2AH&proximity=500")) == [
        "Job Club", "Tees Recovery Café"]


def test_the_printed_list_keeps_the_services_covering_the_place(app_db):
    from tests.test_app_find import _print_client

    directory, client = _print_client(app_db)
    try:
        directory.create({"id": "stockton-team", "name": "Stockton Outreach Team", "organisation": "Tees Valley "
                          "Recovery", "category": "recovery_support", "delivery": ("outreach",)}, "alice")
        set_areas(directory, "stockton-team", ["Stockton-on-Tees"])
        page = client.get("/print/find", params={"near": "TS17 0AA", "km": "1", "cat": "recovery_support"}).text
        assert "<h2>1. Stockton Outreach Team</h2>" in page
        assert "<dt>Area</dt><dd>Covers your area (Stockton-on-Tees)</dd>" in page
        page = client.get("/print/find", params={"near": "TS1 3BA", "km": "1", "cat": "recovery_support"}).text
        assert "Stockton Outreach Team" not in page
    finally:
        directory.engine.dispose()
