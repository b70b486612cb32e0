"""The map's own settings: with tiles switched off it still sets the zoom limit the cluster plugin needs;
the results layer renders user text as text, never as template code."""

import folium

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
