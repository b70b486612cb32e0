"""The map's own settings: with tiles switched off it still sets the zoom limit the cluster plugin needs;
the results layer renders user text as text, never as template code; a national-size search is clustered on
the server and the map asks for each view; the markers' colours and marks."""

import folium
import pytest

from ui.maps import MapPoint, Tiles, base_map, map_text, results_group, st_folium_parts


def test_a_map_without_tiles_still_has_a_max_zoom():
    html = base_map(Tiles(url=None, attribution=""), (54.57, -1.23)).get_root().render()
    assert '"maxZoom": 19' in html
    assert "tile.openstreetmap.org" not in html


def test_map_text_escapes_html_and_template_braces():
    assert map_text("<b>{{ 7*7 }}</b> & {% x %}") == (
        "&lt;b&gt;&#123;&#123; 7*7 &#125;&#125;&lt;/b&gt; &amp; &#123;% x %&#125;")
    assert map_text(None) == ""


def test_a_results_layer_keeps_template_code_as_text_when_the_whole_map_is_rendered(tmp_path):
    ran = tmp_path / "ran"
    name = "{{ cycler.__init__.__globals__.os.system('touch %s') }} {{ 'Q' * 9 }}" % ran
    points = [MapPoint(54.57, -1.23, "training", name, "e1", "Mondays {{ 'J' * 9 }}", "1 km")]
    fmap = base_map(Tiles(url=None, attribution=""), (54.57, -1.23))
    parts = st_folium_parts(fmap, results_group(points, {"training": "Training"}, client=(54.57, -1.23, "{{ 'K' * 9 }}")))
    results_group(points, {"training": "Training"}).add_to(fmap)
    saved = fmap.get_root().render()  # as when a map is saved as one HTML file
    for text in (parts["feature_group"], saved):
        assert "\\u0026#123;\\u0026#123; \\u0026#x27;Q\\u0026#x27; * 9 \\u0026#125;\\u0026#125;" in text
        assert "QQQQQQQQQ" not in text and "JJJJJJJJJ" not in text
    assert "KKKKKKKKK" not in parts["feature_group"]
    assert not ran.exists()


def test_map_points_follow_an_edited_entry_and_count_what_is_not_on_the_map():
    import datetime as dt
    from dataclasses import replace

    from directory.fields import Entry
    from directory.search import Hit
    from ui.find_support import map_points, off_map

    now = dt.datetime(2026, 11, 23, 9, 0)  # a Monday
    club = Entry("c1", "Job Club", "Tees Works", "employment_support", latitude=54.57, longitude=-1.23,
                 schedule="Mon 10:00-12:00")
    online = Entry("o1", "Online Skills", "Tees Digital", "basic_skills", delivery=("online",))
    unplaced = Entry("u1", "Garden", "Green Tees", "volunteering")
    hits = [Hit(club, 1.0, 0.05, ()), Hit(online, 1.0, None, ()), Hit(unplaced, 1.0, None, ())]
    [point] = map_points(hits, now)
    assert point == MapPoint(54.57, -1.23, "employment_support", "Job Club", "c1",
                             "Mondays 10am to 12pm · next: Today, 10am", "under 0.1 km")
    assert off_map(hits) == (1, 1)
    # An edit is a new entry object: the map shows the new name and times, not what was worked out before.
    edited = replace(club, name="Job Club (new room)", schedule="Tue 10:00-12:00")
    [point] = map_points([Hit(edited, 1.0, 2.345, ())], now)
    assert (point.name, point.when, point.distance) == ("Job Club (new room)",
                                                        "Tuesdays 10am to 12pm · next: Tomorrow, 10am", "2.3 km")


# -- a national-size search: clustered on the server (ui/map_clusters.py) --------------------------------------


def _result_set(places, names=None, categories=None):
    from ui.map_clusters import ResultSet

    names = names or [f"Entry {i}" for i in range(len(places))]
    categories = categories or ["training"] * len(places)
    points = [MapPoint(lat, lon, c, n, f"e{i}", "Mondays 10am to 12pm · next: Today, 10am", "")
              for i, ((lat, lon), n, c) in enumerate(zip(places, names, categories))]
    asked = []
    result_set = ResultSet([p[0] for p in places], [p[1] for p in places], categories,
                           detail=lambda chosen: asked.append(list(chosen)) or [points[i] for i in chosen],
                           categories={"training": "Training", "housing": "Housing"})
    return result_set, asked


# Three in Middlesbrough's centre, two of them at one address; one in Thornaby (4 km away); one in Leeds.
PLACES = [(54.5760, -1.2350), (54.5760, -1.2350), (54.5790, -1.2290), (54.5750, -1.3000), (53.8000, -1.5490)]


def test_a_view_gathers_results_in_screen_cells_with_exact_counts_and_sends_single_results_whole():
    from ui.map_clusters import view

    result_set, asked = _result_set(PLACES)
    # Zoom 8: a 64-pixel cell (fixed to the world, so panning keeps it) is about 17 by 28 km here, so
    # Middlesbrough's and Thornaby's four are one cluster.
    far = view(result_set, (-3.0, 53.0, 0.0, 55.5), 8)
    [cluster] = far["clusters"]
    assert cluster[2] == 4 and cluster[7] == []
    assert cluster[:2] == pytest.approx((54.5765, -1.24975))  # their middle
    assert cluster[3:7] == (54.575, -1.300, 54.579, -1.229)  # their extent: selecting it zooms to that
    assert [p.entry_id for p in far["points"]] == ["e4"] and asked == [[4]]  # only what is shown is described
    # Zoom 14 (a cell is about 0.9 by 0.55 km here): the two at one address stay together and are listed.
    near = view(result_set, (-1.40, 54.50, -1.10, 54.65), 14)
    assert sorted(p.entry_id for p in near["points"]) == ["e2", "e3"]
    [together] = near["clusters"]
    assert together[2] == 2 and [p.entry_id for p in together[7]] == ["e0", "e1"]
    # Leeds is outside this box: not counted, not described.
    assert asked[1] == [2, 3, 0, 1]  # the singles, then the listed place's rows


def test_a_view_counts_only_what_is_inside_its_box():
    from ui.map_clusters import view

    result_set, _ = _result_set(PLACES)
    assert view(result_set, (-1.6, 53.7, -1.5, 53.9), 8)["clusters"] == []
    assert [p.entry_id for p in view(result_set, (-1.6, 53.7, -1.5, 53.9), 8)["points"]] == ["e4"]
    assert view(result_set, (0.0, 50.0, 1.0, 51.0), 8) == {"zoom": 8, "bbox": [0.0, 50.0, 1.0, 51.0], "points": [],
                                                            "clusters": []}


def test_a_view_larger_than_a_screen_at_its_zoom_is_refused():
    from ui.map_clusters import ViewTooLarge, view

    result_set, asked = _result_set(PLACES)
    with pytest.raises(ViewTooLarge):
        view(result_set, (-3.0, 53.0, 0.0, 55.5), 16)  # ~70,000 px wide: every result described, one by one
    assert asked == []


def test_a_view_payload_escapes_names_and_says_each_category_mark():
    import json

    from ui.map_clusters import view
    from ui.maps import view_payload

    hostile = '<img src=x onerror=alert(1)> {{ 7*7 }}'
    result_set, _ = _result_set(PLACES, names=[hostile, hostile, "Café & co", "Stockton", "Leeds"],
                                categories=["training", "training", "housing", "training", "training"])
    payload = view_payload(view(result_set, (-1.40, 54.50, -1.10, 54.65), 14), result_set.categories)
    text = json.dumps(payload)
    assert "<img" not in text and "{{" not in text
    assert payload["here"][0][3] == "&lt;img src=x onerror=alert(1)&gt; &#123;&#123; 7*7 &#125;&#125;"
    assert sorted(r[3] for r in payload["rows"]) == ["Café &amp; co", "Stockton"]
    assert sorted(map(tuple, payload["cats"])) == [("Housing", "#6a1b9a", "H"), ("Training", "#1a237e", "Ed")]
    [cluster] = payload["clusters"]
    assert cluster[2] == 2 and cluster[7:] == [0, 2]


def test_more_results_than_the_browser_limit_are_kept_on_the_server_and_the_page_carries_only_the_first_view(
        monkeypatch):
    import datetime as dt
    import json

    from directory.fields import Entry
    from directory.search import Hit
    from ui import find_support, map_clusters

    hits = [Hit(Entry(f"t{i}", f"Course {i}", "College", "training", latitude=54.5 + i / 1000, longitude=-1.2),
                1.0, None, ()) for i in range(6)]
    hits.append(Hit(Entry("h1", "Hostel <b>", "Housing Co", "housing", latitude=53.8, longitude=-1.55), 1.0, None, ()))
    hits.append(Hit(Entry("o1", "Online", "Net", "training", delivery=("online",), latitude=54.5, longitude=-1.2),
                    1.0, None, ()))
    now = dt.datetime(2026, 11, 23, 9, 0)

    def draw():
        fmap, group, points, counts, off = find_support.results_map(hits, place=None, radius_km=None, now=now,
                                                                    centre=(54.0, -1.4), zoom=8, tiles=Tiles(None, ""))
        assert off == (1, 0) == find_support.off_map(hits)  # the online one
        return group, points, counts, json.loads(next(iter(group._children.values())).payload)

    monkeypatch.setattr(map_clusters, "BROWSER_CLUSTER_LIMIT", 7)  # 7 on the map (the online one is not): whole
    group, points, counts, payload = draw()
    assert len(points) == 7 and len(payload["rows"]) == 7 and "remote" not in payload
    assert counts == {"training": 6, "housing": 1}
    assert "typeof Supercluster" in st_folium_parts(base_map(Tiles(None, ""), (54, -1.4)), group)["feature_group"]

    monkeypatch.setattr(map_clusters, "BROWSER_CLUSTER_LIMIT", 6)  # now too many: kept on the server
    group, points, counts, payload = draw()
    assert points == [] and counts == {"training": 6, "housing": 1} and "rows" not in payload
    remote = payload["remote"]
    assert remote["total"] == 7 and remote["url"] == "../../map/view"
    kept = map_clusters.kept(remote["set"])
    assert len(kept) == 7 and list(kept.category) == ["training"] * 6 + ["housing"]
    first = remote["first"]
    assert sum(c[2] for c in first["clusters"]) + len(first["rows"]) == 7
    assert "typeof Supercluster" not in st_folium_parts(base_map(Tiles(None, ""), (54, -1.4)), group)["feature_group"]
    assert map_clusters.kept("no-such-token") is None

    # A search's built map is kept (find_support's memo) only while its results are kept for the map to ask about.
    monkeypatch.setattr(find_support, "_RESULTS_MEMO", find_support.collections.OrderedDict())
    monkeypatch.setattr(map_clusters, "_SETS", map_clusters.collections.OrderedDict())
    def token(key):
        group = find_support.results_map(hits, place=None, radius_km=None, now=now, centre=(54.0, -1.4), zoom=8,
                                         tiles=Tiles(None, ""), memo_key=key)[1]
        return json.loads(next(iter(group._children.values())).payload)["remote"]["set"]
    first = token("search A")
    assert token("search A") == first  # the same search again: built once
    for i in range(2 * map_clusters.SETS_KEPT):  # many other searches, A asked for between them: A stays whole
        token(f"search {i}")
        assert token("search A") == first
    assert map_clusters.kept(first) is not None
    # Results kept for fewer searches than the memo holds: A's go, so A is built again, with results the map
    # can ask about (the memo alone would have handed out a token the map's requests no longer find).
    monkeypatch.setattr(map_clusters, "SETS_KEPT", 2)
    token("search B"), token("search C")
    assert map_clusters.kept(first) is None
    again = token("search A")
    assert again != first and map_clusters.kept(again) is not None


def test_the_view_route_answers_a_kept_set_and_refuses_bad_parameters():
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from ui import map_view
    from ui import map_clusters

    result_set, _ = _result_set(PLACES, names=["<b>One</b>", "Two", "Three", "Four", "Five"])
    token = map_clusters.keep(result_set)
    client = TestClient(Starlette(routes=map_view.routes()))
    answer = client.get("/map/view", params={"set": token, "bbox": "-1.4,54.5,-1.1,54.65", "zoom": "14"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["zoom"] == 14 and [c[2] for c in body["clusters"]] == [2]
    assert sorted(r[3] for r in body["here"]) == ["&lt;b&gt;One&lt;/b&gt;", "Two"]
    for params, status in (({"set": "x" * 20, "bbox": "-1.4,54.5,-1.1,54.65", "zoom": "14"}, 404),
                           ({"set": "<script>", "bbox": "-1.4,54.5,-1.1,54.65", "zoom": "14"}, 400),
                           ({"set": token, "bbox": "-1.1,54.5,-1.4,54.65", "zoom": "14"}, 400),
                           ({"set": token, "bbox": "nan,54.5,-1.1,54.65", "zoom": "14"}, 400),
                           ({"set": token, "bbox": "-1.4,54.5,-1.1", "zoom": "14"}, 400),
                           ({"set": token, "bbox": "-1.4,54.5,-1.1,54.65", "zoom": "20"}, 400),
                           ({"set": token, "bbox": "-3,53,0,55.5", "zoom": "16"}, 400)):
        answer = client.get("/map/view", params=params)
        assert answer.status_code == status and "error" in answer.json(), (params, answer.text)


def test_the_map_frame_may_be_zoomed_and_each_category_has_a_distinct_mark_and_a_colour_of_3_to_1_on_the_map():
    from ui.maps import CATEGORY_COLOURS, CATEGORY_MARKS, legend_html
    from directory import codes

    header = st_folium_parts(base_map(Tiles(url=None, attribution=""), (54.57, -1.23)), None)["header"]
    assert 'name="viewport"' in header and "user-scalable" not in header and "maximum-scale" not in header
    assert set(CATEGORY_MARKS) == set(CATEGORY_COLOURS) == set(codes.CATEGORIES)
    assert len(set(CATEGORY_MARKS.values())) == len(CATEGORY_MARKS)

    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    def contrast(a, b):
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    # The map's own background, then OpenStreetMap's land, roads, residential areas, parks, woods and water.
    backgrounds = ["#eef1f4", "#f2efe9", "#ffffff", "#e0dfdf", "#c8facc", "#add19e", "#aad3df"]
    for code, colour in CATEGORY_COLOURS.items():
        assert min(contrast(colour, b) for b in backgrounds) >= 3, code
        assert contrast(colour, "#ffffff") >= 4.5, code  # the white mark on it
    key = legend_html({"housing": 2, "training": 5}, lambda c: {"housing": "Housing", "training": "<Training>"}[c])
    assert key.index(">Ed<") < key.index(">H<") and "&lt;Training&gt; (5)" in key and "Housing (2)" in key
