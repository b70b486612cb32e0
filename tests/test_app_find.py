"""The Find and entry pages, run headless with streamlit.testing (AppTest).

Each test gets its own SQLite directory (tests/browser/fixture_entries.py:
fictional entries at real Middlesbrough and Stockton postcodes), opened by the
app through DATABASE_URL. Postcodes typed into the page are placed with the
real postcode table (data/postcodes.npz), as in the app.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.browser.fixture_entries import HOSTILE_ID, seed

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TITLE = re.compile(r'<div class="rp-title">.*?</span>(.*?)(?:<span class="rp-dist">|</div>)')


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    seed(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("RP_TILES_URL", raising=False)
    yield url
    import ui.bootstrap

    ui.bootstrap._open_directory.clear()


def open_find(params: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def result_names(at) -> list[str]:
    return [TITLE.search(h.proto.body).group(1) for h in at.html if 'class="rp-card"' in h.proto.body]


def summary(at) -> str:
    return next(m.value for m in at.markdown if re.match(r"\*\*\d+ results?\*\*", m.value))


def map_args(at) -> dict:
    [component] = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    return json.loads(component.proto.json_args)


def test_postcode_and_category_show_the_nearest_first(app_db):
    at = open_find({"near": "TS1 3BA", "km": "25", "cat": "basic_skills"})
    # Online services have no distance, so they come after every placed one.
    assert result_names(at) == ["ESOL for Beginners", "ESOL Conversation Club", "ESOL Entry 1",
                                "Online Digital Skills"]
    assert summary(at).startswith("**4 results** within 25 km of TS1 3BA")
    # The map holds the same (placed) results, the client's place and the radius.
    args = map_args(at)
    data = json.loads(re.search(r"var data = (\{.*?\});\n", args["feature_group"]).group(1))
    assert sorted(row[4] for row in data["rows"]) == ["esol-ts1", "esol-ts18", "esol-ts5"]
    assert data["client"][2] == "Client · TS1 3BA" and data["circle"][2] == 25_000
    # Leaflet and the cluster plugin come from the app itself, never a CDN.
    assert all(link.startswith("../") for link in args["js_links"] + args["css_links"])
    assert "https://" not in args["header"] + args["html"]


def test_a_sentence_fills_the_filters(app_db):
    at = open_find()
    at.text_input(key="find_q").input("esol near TS1 thursday free").run()
    assert not at.exception
    assert at.text_input(key="find_q").value == "esol"
    assert at.text_input(key="find_near").value == "TS1"
    assert at.pills(key="find_day").value == 3
    assert at.pills(key="find_free").value is True
    assert result_names(at) == ["ESOL for Beginners"]
    assert dict(at.query_params) == {"q": "esol", "near": "TS1", "day": "thu", "free": "1"}


def test_a_new_request_starts_clean_and_the_results_line_names_every_filter(app_db):
    at = open_find()
    at.text_input(key="find_q").input("esol near TS1 thursday free").run()
    line = [m.value for m in at.markdown if m.value.startswith("**")][0]
    assert line == "**1 result** within 5 km of TS1 · on Thursdays; free only"
    # The next request keeps the client's place, not the last request's day or "free only".
    at.text_input(key="find_q").input("job club").run()
    assert (at.text_input(key="find_near").value, at.pills(key="find_day").value, at.pills(key="find_free").value) == (
        "TS1", -1, None)
    assert not [b for b in at.button if b.key == "find_clear_filters"]
    # Filters chosen by hand are named, and one click clears them.
    at.pills(key="find_free").set_value(True).run()
    assert [m.value for m in at.markdown if m.value.startswith("**")][0].endswith(" of TS1 · free only")
    at.button(key="find_clear_filters").click().run()
    assert at.pills(key="find_free").value is None and at.text_input(key="find_q").value == "job club"


def test_a_sentence_can_say_how_far(app_db):
    at = open_find()
    at.text_input(key="find_q").input("esol within 2 miles of TS1 on thursday").run()
    assert not at.exception
    assert (at.text_input(key="find_q").value, at.text_input(key="find_near").value) == ("esol", "TS1")
    assert at.pills(key="find_km").value == 5 and at.pills(key="find_day").value == 3
    assert "“within 2 miles” as within 5 km (the next distance offered)" in at.caption[0].value.replace("\\", "")
    at.text_input(key="find_q").input("esol within 10km of TS1").run()
    assert at.pills(key="find_km").value == 10
    # A new request starts without the last one's day; the client's place stays.
    assert dict(at.query_params) == {"q": "esol", "near": "TS1", "km": "10"}


def test_an_empty_directory_says_how_to_fill_it_and_draws_no_empty_map(tmp_path, monkeypatch):
    from directory.api import Directory

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Directory(url).engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        at = open_find()
        [info] = at.info
        assert info.value.startswith("The directory has no entries yet. Sign in to add entries one at a time")
        assert not [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    finally:
        import ui.bootstrap

        ui.bootstrap._open_directory.clear()


def test_words_are_typo_tolerant_and_ranked_best_first(app_db):
    at = open_find({"q": "convrsation club", "near": "TS1"})
    assert result_names(at)[0] == "ESOL Conversation Club"


def test_empty_state_offers_a_wider_radius(app_db):
    at = open_find({"near": "TS1 3BA", "km": "1", "cat": "volunteering"})
    assert result_names(at) == []
    [warning] = at.warning
    assert "Nothing within 1 km of TS1 3BA" in warning.value
    widen = at.button(key="find_widen")
    assert widen.label == "Widen to 5 km"
    widen.click().run()
    assert result_names(at) == ["Community Garden Volunteers"]
    assert at.pills(key="find_km").value == 5
    assert "km" not in at.query_params  # 5 km is the default, so the link leaves it out


def test_empty_state_offers_to_drop_a_filter(app_db):
    at = open_find({"q": "esol", "near": "TS1 3BA", "km": "50", "day": "sat"})
    assert result_names(at) == []
    [button] = [b for b in at.button if b.label.startswith("Any day")]
    assert button.label == "Any day (3 results)"
    button.click().run()
    assert len(result_names(at)) == 3


def test_a_town_is_a_place_in_the_place_box_and_in_a_typed_request(app_db):
    at = open_find({"near": "Middlesbrough"})
    assert not at.error
    assert "of Middlesbrough" in summary(at)
    at.text_input(key="find_q").input("esol thornaby").run()
    assert not at.exception and not at.error
    assert (at.text_input(key="find_q").value, at.text_input(key="find_near").value) == ("esol", "Thornaby")
    assert "of Thornaby" in summary(at)


def test_a_bad_postcode_says_what_to_do(app_db):
    at = open_find({"near": "ZZ9 9ZZ"})
    [error] = at.error
    assert "not a UK postcode" in error.value and "TS1 3BA" in error.value


def test_query_params_round_trip(app_db):
    params = {"q": "esol", "near": "TS1 3BA", "km": "10", "cat": ["basic_skills", "training"], "day": "thu",
              "free": "1", "how": "in_person", "stage": "early", "benefit": "uc", "order": "nearest"}
    at = open_find(params)
    assert at.text_input(key="find_q").value == "esol"
    assert at.text_input(key="find_near").value == "TS1 3BA"
    assert at.pills(key="find_km").value == 10
    assert at.button_group(key="find_cat").value == ["basic_skills", "training"]
    assert at.pills(key="find_day").value == 3
    assert at.pills(key="find_free").value is True
    assert at.pills(key="find_how").value == ["in_person"]
    assert at.pills(key="find_stage").value == "early"
    assert at.pills(key="find_benefit").value == "uc"
    assert dict(at.query_params) == params
    # And out again when a filter changes.
    at.pills(key="find_free").set_value(None).run()
    assert "free" not in at.query_params and at.query_params["cat"] == ["basic_skills", "training"]
    # Nonsense in a link is ignored, not an error.
    at = open_find({"km": "lots", "cat": "nonsense", "day": "someday", "stage": "<b>"})
    assert dict(at.query_params) == {}


def test_the_search_survives_a_visit_to_an_entry(app_db):
    at = open_find({"q": "esol", "near": "TS1", "km": "10", "cat": "basic_skills"})
    [link] = [p for p in at.page_link if p.proto.query_string == "id=esol-ts1"]
    assert link.proto.page == "entry"
    at.switch_page("pages/entry.py")
    at.query_params.clear()
    at.query_params["id"] = "esol-ts1"
    at.run()
    assert at.title[0].value == "ESOL for Beginners"
    at.switch_page("pages/find.py")  # "Back to search results": no query parameters
    at.query_params.clear()
    at.run()
    assert result_names(at) == ["ESOL for Beginners", "ESOL Conversation Club", "ESOL Entry 1"]
    assert dict(at.query_params) == {"q": "esol", "near": "TS1", "km": "10", "cat": "basic_skills"}


def test_tiles_can_be_switched_off(app_db, monkeypatch):
    assert "tile.openstreetmap.org" in map_args(open_find())["script"]
    monkeypatch.setenv("RP_TILES_URL", "none")
    at = open_find({"near": "TS1"})
    args = map_args(at)
    assert "tileLayer" not in args["script"] and "openstreetmap" not in args["script"]
    assert '"outlines"' in args["feature_group"]  # the district outlines keep the map readable


def test_markup_in_an_entry_is_shown_as_text_everywhere(app_db):
    at = open_find({"near": "TS1 1AA", "km": "1", "cat": "money_advice"})
    [card] = [h.proto.body for h in at.html if 'class="rp-card"' in h.proto.body]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Money Help &lt;img src=x onerror=alert(2)&gt;" in card
    assert "&lt;img src=x onerror=alert(4)&gt;" in card  # the contact's name
    assert "<script" not in card and "<img" not in card and "<b>" not in card
    # In the map's data the name is escaped for HTML and again for the <script> it travels in.
    group = map_args(at)["feature_group"]
    assert "<script" not in group and "<img" not in group
    assert r"\u0026lt;script\u0026gt;alert(1)" in group

    at.switch_page("pages/entry.py")
    at.query_params.clear()
    at.query_params["id"] = HOSTILE_ID
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == r"\<script\>alert\(1\)\</script\> Money Help \<img src\=x onerror\=alert\(2\)\> \{\{ 7\*7 \}\}"
    from ui.bootstrap import NAV_MARKUP_SCRIPT

    # Every page carries the app's own script for the menu's markup; nothing else may hold a script.
    bodies = [h.proto.body for h in at.html if h.proto.body.strip() != NAV_MARKUP_SCRIPT.strip()]
    for body in bodies:
        assert "<script" not in body and "<img" not in body and "javascript:" not in body.replace(
            "(javascript:alert(3))", "")
    description = next(b for b in bodies if 'class="rp-desc"' in b)
    assert "**bold** [x](javascript:alert(3))" in description  # literally, not as Markdown
    history = next(b for b in bodies if 'class="rp-changes"' in b and "Before" in b)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history and "Plain at first." in history
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("Version 2\\: Edited by Bob Smith")


def test_entry_page_says_it_all_in_plain_english(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/entry.py")
    at.query_params["id"] = "employer-ts17"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(h.proto.body for h in at.html)
    assert "Considered case by case" in text
    assert "A basic DBS check. It shows unspent convictions" in text
    assert "Yes: they test for drugs" in text
    assert not [w for w in at.warning if "out of date" in w.value]

    at.query_params["id"] = "garden-ts3"
    at.run()
    [stale] = [w for w in at.warning if "out of date" in w.value]
    assert "more than six months ago" in stale.value

    at.query_params["id"] = "no-such-entry"
    at.run()
    assert at.title[0].value == "Entry not found"
    assert "no entry with the id" in at.error[0].value


# -- the plumbing, without a page ------------------------------------------------------------------


def test_understand_takes_only_whole_words():
    from directory.query import understand

    monday = dt.date(2026, 11, 23)
    u = understand("ESOL class near TS1 on Thursdays, free", today=monday)
    assert (u.text, u.place, u.day, u.free_only) == ("ESOL", "TS1", 3, True)
    u = understand("job club ts1 3ba tomorrow", today=monday)
    assert (u.text, u.place, u.day) == ("job club", "TS1 3BA", 1)
    # A one-letter district alone may be a word ("L2" is Liverpool, or level 2); "Free" inside a name stays.
    u = understand("L2 food hygiene at Drug Free Futures", today=monday)
    assert (u.text, u.place, u.free_only) == ("L2 food hygiene at Drug Free Futures", None, False)
    assert understand("plumbing", today=monday).anything is False


def test_understand_reads_a_distance_only_with_its_unit():
    from directory.query import understand

    monday = dt.date(2026, 11, 23)
    u = understand("esol within 3 km of TS1 3BA on thursday", today=monday)
    assert (u.text, u.place, u.radius_km, u.day) == ("esol", "TS1 3BA", 3, 3)
    assert u.notes == ("“TS1 3BA” as the client's postcode", "“within 3 km” as the distance", "“on thursday” as Thursday")
    # Miles become the smallest distance offered that covers them; beyond the furthest, the furthest.
    assert understand("job club 2 miles from TS1", today=monday).radius_km == 5
    assert understand("job club within 12km", today=monday).radius_km == 15
    far = understand("esol within 80 miles of TS1", today=monday)
    assert far.radius_km == 50 and far.notes[-1] == "“within 80 miles” as within 50 km (the furthest offered)"
    # Numbers that are not distances stay in the words searched for.
    for words in ("couch to 5k near TS1", "level 2 maths near TS1", "esol 0 km"):
        u = understand(words, today=monday)
        assert u.radius_km is None and words.startswith(u.text), u


def test_csv_cells_cannot_become_formulas_and_print_page_escapes():
    from ui.find_support import printable_html, results_csv

    data = results_csv([{"name": "=HYPERLINK(\"http://x\")", "organisation": "+44 org", "entry_id": "a"}])
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+44 org" in text
    page = printable_html("Provision found", "“esol”", [{"name": "<script>alert(1)</script>",
                                                        "contact_phone": "01642 000001"}],
                          dt.datetime(2026, 11, 23, 10, 0), demo=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="tel:01642000001"' in page and "Demo data" in page


def test_built_map_results_are_kept_for_the_same_search_until_the_key_changes(monkeypatch):
    from directory.fields import Entry
    from directory.search import Hit
    from ui import find_support
    from ui.maps import OSM_ATTRIBUTION, OSM_TILES, Tiles

    builds = []
    real = find_support._build_results
    monkeypatch.setattr(find_support, "_build_results", lambda *a, **k: builds.append(1) or real(*a, **k))
    monkeypatch.setattr(find_support, "_RESULTS_MEMO", find_support.collections.OrderedDict())
    hits = [Hit(Entry(id="a", name="Cafe <b>", organisation="o", category="training", latitude=54.57,
                      longitude=-1.23), 1.0, None, ())]
    now = dt.datetime(2026, 12, 4, 10, 0)

    def draw(key):
        return find_support.results_map(hits, place=None, radius_km=None, now=now, centre=(54.5, -1.2), zoom=10,
                                        tiles=Tiles(OSM_TILES, OSM_ATTRIBUTION), memo_key=key)

    first, again, after_a_write = draw(("db", 7, "q")), draw(("db", 7, "q")), draw(("db", 8, "q"))
    assert len(builds) == 2  # the second drawing of the same key built nothing
    layer = lambda group: next(iter(group._children.values()))  # noqa: E731
    assert layer(first[1]).payload is layer(again[1]).payload and first[1] is not again[1]
    assert layer(after_a_write[1]).payload == layer(first[1]).payload
    assert "Cafe \\u0026lt;b\\u0026gt;" in layer(first[1]).payload  # escaped for HTML, then for <script>


def test_next_session_in_plain_english():
    from directory.fields import Entry
    from ui.render import LOCAL_TIME, describe_next_session, describe_wait, tel_href, web_href

    monday_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TIME)

    def entry(**values):
        return Entry(id="x", name="x", organisation="o", category="training", **values)

    tue_thu = entry(schedule="Tue,Thu 10:00-12:00")
    assert describe_next_session(tue_thu, monday_9) == "Tomorrow, 10am"
    assert describe_next_session(tue_thu, monday_9, on_day=3) == "Thu 26 Nov, 10am"  # a search for Thursdays
    assert describe_next_session(entry(schedule="Mon 08:30-12:00"), monday_9) == "On now, until 12pm"
    assert describe_next_session(entry(schedule="Mon 14:00-15:30"), monday_9) == "Today, 2pm"
    assert describe_next_session(entry(), monday_9) == "By arrangement"
    assert describe_next_session(entry(schedule="Mon 10:00-11:00", end_date=dt.date(2026, 11, 1)),
                                 monday_9) == "Ended 1 Nov 2026"
    assert describe_next_session(entry(schedule="Mon 10:00-11:00", start_date=dt.date(2027, 1, 4)),
                                 monday_9) == "Mon 4 Jan 2027, 10am"  # another year: its year said
    assert describe_next_session(entry(schedule="Wed 10:00-11:00", term_time_only=True),
                                 monday_9) == "Wed 25 Nov, 10am (term time only)"
    assert [describe_wait(d) for d in (None, 0, 1, 5, 21)] == [
        "Wait not known", "Drop-in", "About 1 day's wait", "About 5 days' wait", "About 3 weeks' wait"]
    assert tel_href("01642 000 001 (ext 2)") == "tel:01642000001" and tel_href("none") is None
    assert web_href("javascript:alert(1)") is None and web_href("example.org/x") == "https://example.org/x"


def test_ten_results_show_first_and_the_rest_on_request(app_db):
    from directory.accounts import create_user
    from directory.api import Directory

    directory = Directory(app_db)
    create_user(directory, "pat", "Pat Lee", "editor")
    for n in range(1, 15):
        directory.create({"name": f"Zedland Walk {n:02d}", "organisation": "Walkers", "category": "volunteering",
                          "latitude": 54.57, "longitude": -1.23}, "pat")
    directory.engine.dispose()
    at = open_find({"q": "zedland"})
    assert summary(at).startswith("**14 results**")
    assert result_names(at) == [f"Zedland Walk {n:02d}" for n in range(1, 11)]
    assert at.caption[0].value == "Showing 1–10 of 14. All 14 are on the map."
    at.button(key="find_more_results").click().run()
    assert result_names(at) == [f"Zedland Walk {n:02d}" for n in range(1, 15)]
    assert map_args(at)["feature_group"].count("Zedland Walk") == 14  # all on the map from the start


def test_the_setting_puts_the_directory_behind_sign_in(app_db, monkeypatch):
    from directory.accounts import create_user
    from directory.api import Directory
    from tests.apptest import open_signed_in

    monkeypatch.setenv("RP_REQUIRE_SIGN_IN", "1")
    at = open_find({"q": "esol"})
    assert [w.value for w in at.warning] == ["Please sign in to see the directory."]
    assert result_names(at) == []
    at = open_signed_in("pages/entry.py", params={"id": HOSTILE_ID})
    assert [w.value for w in at.warning] == ["Please sign in to see the directory."]
    assert not at.title

    directory = Directory(app_db)
    viewer = create_user(directory, "vic", "Vic Viewer", "viewer")
    directory.engine.dispose()
    at = open_signed_in("pages/find.py", viewer, params={"q": "money help"})
    assert not at.warning
    assert len(result_names(at)) == 1


def test_a_card_says_who_a_service_is_only_for(app_db):
    from directory.api import Directory

    directory = Directory(app_db)
    directory.create({"id": "women-work", "name": "Women into work group", "organisation": "Tees Women into Work",
                      "category": "employment_support", "postcode": "TS1 3BA", "for_groups": ("women",)}, "alice")
    directory.engine.dispose()
    at = open_find({"near": "TS1 3BA", "km": "5", "cat": "employment_support"})
    [card] = [h.proto.body for h in at.html if 'class="rp-card"' in h.proto.body and "Women into work" in h.proto.body]
    assert "Tees Women into Work · Job search help · Only for women.</div>" in card


def test_who_the_client_is_filters_services_only_for_others_and_is_named_and_cleared(app_db):
    at = open_find({"q": "esol", "near": "TS1"})
    at.pills(key="find_for").set_value("men").run()
    line = [m.value for m in at.markdown if m.value.startswith("**")][0]
    assert line == "**3 results** within 5 km of TS1 · open to men"
    assert dict(at.query_params)["for"] == "men"
    [clear] = [b for b in at.button if b.key == "find_clear_filters"]
    clear.click().run()
    assert at.pills(key="find_for").value == ""


def _print_client(url):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from directory.api import Directory
    from ui import print_view

    directory = Directory(url)
    return directory, TestClient(Starlette(routes=print_view.routes(lambda: directory)))


def test_the_printable_list_runs_the_links_search_and_keeps_the_cards_warnings(app_db):
    directory, client = _print_client(app_db)
    try:
        # The garden (not checked for 400 days) warns "ring first" on its card: so does the printed list.
        answer = client.get("/print/find", params={"q": "garden", "near": "TS1 3BA", "km": "10"})
        assert answer.status_code == 200
        assert answer.headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
        page = answer.text
        assert "<h2>1. Community Garden Volunteers</h2>" in page
        assert "<p class='check'>Check first: Not checked for 13 months: ring first.</p>" in page
        assert "“garden” · within 10 km of TS1 3BA" in page and "1 result, printed" in page
        assert "<script" not in page

        # Markup in an entry is printed as text; a search the link spells wrongly is ignored, not obeyed.
        page = client.get("/print/find", params={"q": "money", "near": "<b>x</b>", "day": "someday"}).text
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Money Help" in page
        assert "not limited by distance" in page and "<b>x</b>" not in page
        assert client.get("/print/find?q=" + "a" * 3000).status_code == 414
    finally:
        directory.engine.dispose()


def test_find_links_to_the_printable_list_with_the_search_in_the_link(app_db):
    at = open_find({"q": "esol", "near": "TS1 3BA", "day": "thu"})
    [button] = [b for b in at.get("link_button") if b.proto.label == "Printable list (opens in a new tab)"]
    assert button.proto.url == "print/find?q=esol&near=TS1+3BA&day=thu"


def test_while_the_demo_area_loads_find_says_so_and_then_shows_it(tmp_path, monkeypatch):
    """A first start loads the demo area in the background (ui.bootstrap): Find opens at once, says the demo
    area is on its way, and needs nothing clicked to show it."""
    import ui.bootstrap as bootstrap
    from directory.api import Directory

    url = f"sqlite:///{tmp_path / 'first.db'}"
    directory = Directory(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("RP_TILES_URL", raising=False)
    bootstrap._demo_loading.set()
    try:
        at = open_find()
        [info] = [i.value for i in at.info]
        assert info.startswith("Loading the demo area (about 300 fictional services) for this first start")
    finally:
        bootstrap._demo_loading.clear()
        bootstrap._open_directory.clear()
    bootstrap._load_demo(directory)  # what the background thread does: then the entries are there
    assert not bootstrap.demo_loading()
    assert directory.count() > 300 and directory.is_demo()
    directory.engine.dispose()
