"""The coordinators' "Map health" pages, run headless with streamlit.testing (AppTest).

Each test gets its own SQLite directory: the small fixture (tests/browser/fixture_entries.py: fictional
entries at real Middlesbrough and Stockton postcodes, one with markup for a name), plus a coordinator,
and whatever the test plants. Signing in is done as ui/auth.start_session does it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.fixture_entries import seed
from tests.apptest import open_signed_in

PAGES = {
    "freshness": "pages/health_freshness.py",
    "duplicates": "pages/health_duplicates.py",
    "coverage": "pages/health_coverage.py",
    "unmet": "pages/health_unmet.py",
    "feedback": "pages/health_feedback.py",
}


@pytest.fixture
def directory(tmp_path, monkeypatch):
    from directory.accounts import create_user
    from directory.api import Directory

    url = f"sqlite:///{tmp_path / 'directory.db'}"
    seed(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RP_TILES_URL", "none")
    d = Directory(url)
    create_user(d, "cora", "Cora Lead", "coordinator")
    yield d
    d.engine.dispose()
    import ui.bootstrap

    ui.bootstrap._open_directory.clear()


def open_page(page: str, username: str | None = "cora", params: dict | None = None):
    import ui.bootstrap
    from directory.accounts import get_account

    account = get_account(ui.bootstrap.get_directory(), username) if username else None
    return open_signed_in(PAGES.get(page, page), account, params)


def download_labels(at) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def table_with(at, column: str):
    """The one table on the page with this column, a grid (st.dataframe) or a plain table (st.table)."""
    [frame] = [d.value for d in [*at.dataframe, *at.table] if column in d.value.columns]
    return frame


# -- every page is for coordinators ----------------------------------------------------------------


TITLES = {"freshness": "Stale entries", "duplicates": "Likely duplicates", "coverage": "Coverage and gaps",
          "unmet": "Unmet needs", "feedback": "Feedback to follow up"}


@pytest.mark.parametrize("page", list(PAGES))
def test_an_editor_sees_the_lock_and_a_coordinator_the_page(directory, page):
    at = open_page(page, username="alice")
    [warning] = at.warning
    assert warning.value.startswith("Your account can add and change entries but not ")
    assert [t.value for t in at.title] == [TITLES[page]]  # the page says what it is, and nothing of its content
    assert not at.dataframe and not at.metric
    at = open_page(page, username=None)
    assert at.warning[0].value.startswith("Please sign in to ")
    at = open_page(page)
    assert at.title and not at.warning


# -- freshness -------------------------------------------------------------------------------------


def plant_stale(directory, today: dt.date) -> None:
    """Old Town Trust: 3 never checked; Riverside Hub: 2 checked long ago. With the fixture's own stale ones
    (the markup organisation: 1 never checked; Green Tees: 1 checked 400 days ago)."""
    for i in (1, 2, 3):
        directory.create({"id": f"old-{i}", "name": f"Old Town Group {i}", "organisation": "Old Town Trust",
                          "category": "recovery_support", "postcode": "TS1 3BA"}, "bob")
    for i, days in ((1, 300), (2, 500)):
        directory.create({"id": f"river-{i}", "name": f"Riverside Drop-in {i}", "organisation": "Riverside Hub",
                          "category": "housing", "postcode": "TS3 0AA",
                          "last_verified": today - dt.timedelta(days=days)}, "alice")


def test_freshness_shows_the_three_stalest_organisations_in_order(directory):
    from ui.render import format_date, now_local

    today = now_local().date()
    plant_stale(directory, today)
    at = open_page("freshness")
    frame = at.dataframe[0].value
    assert frame["Organisation"].tolist()[:3] == ["Old Town Trust", "Riverside Hub", "<b>Org</b> & Co"]
    assert frame["Stale entries"].tolist()[:3] == [3, 2, 1]
    assert frame["Organisation"].tolist()[3] == "Green Tees"
    # The oldest check in words; "Never" where nothing was ever checked (not a blank or "None").
    assert frame["Oldest check"].tolist() == [
        "Never", f"{format_date(today - dt.timedelta(days=500))}, 500 days ago", "Never",
        f"{format_date(today - dt.timedelta(days=400))}, 400 days ago"]
    assert at.metric[0].value == "7 of 14"
    assert "Download (CSV)" in download_labels(at)
    # By who last changed them: people's names, not usernames.
    by_editor = table_with(at, "Last changed by")
    assert by_editor[["Last changed by", "Stale entries", "Never checked"]].values.tolist() == [
        ["Bob Smith", 4, 4], ["Alice Khan", 3, 0]]
    assert "never checked, last changed by Bob Smith" in [m.value.split("  \n")[-1] for m in at.markdown]


def test_ask_to_verify_records_a_request(directory):
    from directory.health.verification import open_verification_requests

    at = open_page("freshness")
    at.text_input(key="fresh_note").input("Still running on Saturdays?")
    at.button(key="fresh_ask_garden-ts3").click().run()
    assert not at.exception
    [request] = open_verification_requests(directory)
    assert (request.entry_id, request.requested_by, request.note) == ("garden-ts3", "cora", "Still running on Saturdays?")
    assert "Asked Green Tees to check" in at.success[0].value
    # Asked once: the button gives way to when and by whom, and the request is listed.
    assert "fresh_ask_garden-ts3" not in [b.key for b in at.button]
    assert at.metric[2].value == "1"
    assert [e for e in at.dataframe if "Green Tees" in e.value.to_string()]


# -- duplicates ------------------------------------------------------------------------------------


def plant_duplicate(directory) -> None:
    directory.create({"id": "esol-ts1-copy", "name": "ESOL for beginners", "organisation": "Middlesbrough Community Learning",
                      "category": "basic_skills", "postcode": "TS1 3BA", "cost": "free",
                      "contact_phone": "01642 999999"}, "bob")


def test_duplicates_lists_a_planted_pair_and_merge_archives_the_duplicate(directory):
    plant_duplicate(directory)
    at = open_page("duplicates")
    assert at.metric[0].value == "1"
    key = "esol-ts1__esol-ts1-copy"
    assert at.radio(key=f"dup_keep_{key}").value == "esol-ts1"
    assert "Download the list (CSV)" in download_labels(at)
    # Side by side in plain English: labels for codes, times in words.
    side_by_side = table_with(at, "After the merge").set_index("Field")
    assert side_by_side.loc["Category"].tolist() == ["Basic skills (English, maths, ESOL, digital)"] * 3 + ["✓"]
    assert side_by_side.loc["How it is delivered", "Kept entry"] == "In person"
    assert side_by_side.loc["Days and times", "Kept entry"] == "Tuesdays and Thursdays 10am to 12pm"
    assert side_by_side.loc["How to get a place", "After the merge"] == "Self-referral welcome"
    assert ("The kept entry keeps everything it has and fills its empty fields from the other. The other has "
            "nothing the kept entry lacks.") in [c.value for c in at.caption]
    # Keeping the copy instead: it would fill its gaps from the original.
    at.radio(key=f"dup_keep_{key}").set_value("esol-ts1-copy").run()
    assert ("The kept entry keeps everything it has and fills its empty fields from the other. It will take: "
            r"Description, Address, Named contact \(SPOC\), Contact\'s role, Contact\'s email, Days and times, "
            r"How to get a place, Typical wait \(days\), Keywords.") in [c.value for c in at.caption]
    at.radio(key=f"dup_keep_{key}").set_value("esol-ts1").run()
    at.button(key=f"dup_merge_{key}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("Merged “ESOL for beginners” into “ESOL for Beginners”")
    merged = directory.get("esol-ts1-copy")
    assert merged.archived and merged.merged_into == "esol-ts1"
    assert not directory.get("esol-ts1").archived
    assert "merge" in [r.action for r in directory.history("esol-ts1")]
    assert at.metric[0].value == "0"


def test_a_name_beginning_another_from_the_same_organisation_is_listed(directory):
    """The check on adding held this pair back while the page never listed it (two copies of the rule)."""
    for key, name in (("women", "ESOL drop-in for women"), ("women-lunch", "ESOL drop-in for women, with creche and lunch")):
        directory.create({"id": key, "name": name, "organisation": "North Ormesby Women's Centre",
                          "category": "basic_skills", "postcode": "TS1 3BA"}, "bob")
    at = open_page("duplicates")
    assert at.metric[0].value == "1"
    assert at.radio(key="dup_keep_women__women-lunch").value in ("women", "women-lunch")


def test_not_a_duplicate_is_remembered(directory):
    plant_duplicate(directory)
    at = open_page("duplicates")
    at.button(key="dup_different_esol-ts1__esol-ts1-copy").click().run()
    assert "will not be suggested again" in at.success[0].value
    assert at.metric[0].value == "0"
    at = open_page("duplicates")
    assert at.metric[0].value == "0" and not directory.get("esol-ts1-copy").archived


# -- coverage and gaps -----------------------------------------------------------------------------


def test_coverage_gap_table_for_a_category_and_its_downloads(directory):
    import json as _json

    at = open_page("coverage")
    at.selectbox(key="cov_category").set_value("volunteering").run()
    assert not at.exception, [e.value for e in at.exception]
    gaps = table_with(at, "Nearest provider")
    # Every district around the directory but TS3 (the garden), the farthest from it first.
    assert gaps["Area"].tolist() == ["TS21", "TS22", "TS16", "TS19", "TS20", "TS23", "TS18", "TS17", "TS2", "TS8",
                                     "TS6", "TS1", "TS5", "TS7", "TS4"]
    assert set(gaps["Nearest provider"]) == {"Community Garden Volunteers"}
    assert gaps["Distance (km)"].iloc[0] == pytest.approx(16.58)
    assert at.metric[0].value == "16" and at.metric[1].value == "15" and at.metric[2].value == "1"
    # Within 3 km of the garden: each district's postcodes, least covered first, ties in natural order (TS2 < TS16).
    reach = table_with(at, "Share (%)")
    assert [tuple(r) for r in reach.itertuples(index=False)] == [
        ("TS2", 125, 0, 0.0), ("TS16", 341, 0, 0.0), ("TS17", 1027, 0, 0.0), ("TS18", 894, 0, 0.0),
        ("TS19", 1086, 0, 0.0), ("TS20", 526, 0, 0.0), ("TS21", 533, 0, 0.0), ("TS22", 322, 0, 0.0),
        ("TS23", 778, 0, 0.0), ("TS1", 609, 39, 6.4), ("TS8", 398, 48, 12.1), ("TS5", 1022, 169, 16.5),
        ("TS6", 908, 286, 31.5), ("TS7", 596, 497, 83.4), ("TS4", 502, 486, 96.8), ("TS3", 875, 862, 98.5)]
    at.slider(key="cov_km").set_value(1).run()
    assert table_with(at, "Share (%)").iloc[-1].tolist() == ["TS3", 875, 267, 30.5]
    counts = table_with(at, "Volunteering")
    assert counts.index.name == "Area" and counts.index.tolist() == [
        "TS1", "TS2", "TS3", "TS4", "TS5", "TS6", "TS7", "TS8", "TS16", "TS17", "TS18", "TS19", "TS20", "TS21",
        "TS22", "TS23"]
    assert counts["Volunteering"].tolist() == [0, 0, 1] + [0] * 13
    # The money advice at TS1 1AA is counted in TS1, though it lies 40 m outside TS1's outline (inside TS5's).
    assert counts["Money & benefits advice"].tolist() == [1] + [0] * 15
    assert download_labels(at) == ["Download the gap table (CSV)", "Download coverage (CSV)",
                                   "Download counts (CSV)", "Download areas with counts (GeoJSON)"]
    # The choropleth: every area a polygon, the one provider a dot, no CDN, tooltips escaped.
    [component] = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    args = _json.loads(component.proto.json_args)
    assert args["script"].count('"className": "rp-provider"') == 1
    assert '"area": "TS21"' in args["script"] and '"fill": "#f2c4bb"' in args["script"]
    assert all(link.startswith("../") for link in args["js_links"] + args["css_links"])
    assert "https://" not in args["header"] + args["html"]
    assert '"scrollWheelZoom": false' in args["script"]  # scrolling the page over the map scrolls the page


def test_a_postcode_just_outside_its_own_districts_outline_counts_in_its_district():
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import box

    from directory.coverage import assign_areas

    # Two "districts" side by side at longitude -1.20; points 150 m and 1.5 km east of the border, in B's outline.
    areas = gpd.GeoDataFrame({"area": ["A", "B"]}, geometry=[box(-1.30, 54.50, -1.20, 54.60),
                                                             box(-1.20, 54.50, -1.10, 54.60)], crs="EPSG:4326")
    lat, lon = np.array([54.55, 54.55, 54.55, 54.55]), np.array([-1.1977, -1.1770, -1.1977, -1.1977])
    assigned = assign_areas((lat, lon), areas, hints=["A", "A", "B", None])
    assert assigned.tolist() == ["A", "B", "B", "B"]  # near its own district: there; far from it: where it lies


def test_template_code_in_an_entry_name_is_never_run_by_the_maps(directory, tmp_path):
    """folium hands rendered map scripts back to Jinja: `{{ ... }}` in a name must stay text, on the
    coverage map (whose whole map streamlit-folium renders) and the Find map."""
    ran = tmp_path / "template-code-ran"
    name = "{{ cycler.__init__.__globals__.os.system('touch %s') }} Garden" % ran
    directory.create({"name": name, "organisation": "{{ 7*7 }} Trust", "category": "volunteering",
                      "latitude": 54.57, "longitude": -1.22}, "cora")
    at = open_page("coverage")
    at.selectbox(key="cov_category").set_value("volunteering").run()
    assert not at.exception, [e.value for e in at.exception]
    at = open_page("pages/find.py", params={"q": "garden"})
    assert not ran.exists()


def test_coverage_of_a_kind_nobody_provides_says_so_and_what_to_do(directory):
    at = open_page("coverage")  # the first kind, drug and alcohol treatment: none in the fixture
    assert at.selectbox(key="cov_category").value == "treatment"
    assert [i.value for i in at.info] == [
        r"There is no local Drug \& alcohol treatment anywhere in the directory, so every area is a gap. If some "
        "exists, add it (Add an entry, or Import a spreadsheet) and it will be counted here."]
    gaps = at.table[0].value
    assert gaps.columns.tolist() == ["Area"] and gaps["Area"].tolist()[:3] == ["TS1", "TS2", "TS3"]
    assert len(gaps) == 16
    assert (r"No postcode is within reach of a local Drug \& alcohol treatment entry: there is none in the "
            "directory.") in [c.value for c in at.caption]
    assert len(at.get("vega_lite_chart")) == 1  # the bars by kind; no empty "within reach" chart


def test_coverage_explains_a_bad_upload(directory):
    from directory.coverage import BoundaryError, load_boundaries

    with pytest.raises(BoundaryError, match="Upload a GeoJSON file"):
        load_boundaries(b"not a map", "wards.geojson")
    at = open_page("coverage")
    at.radio(key="cov_source").set_value("upload").run()
    assert "Upload the boundaries of your areas" in at.info[0].value
    assert at.metric[0].value == "16"  # districts meanwhile


# -- unmet needs and feedback ----------------------------------------------------------------------


def test_unmet_needs_summary_after_recording_two(directory):
    from directory.health.freshness import month_ends
    from directory.unmet import record_unmet_need
    from ui.render import now_local

    today = now_local().date()
    record_unmet_need(directory, "volunteering", "TS1 3BA", "early", ["transport"], "alice", on=today)
    record_unmet_need(directory, "volunteering", "TS1", None, ["transport", "childcare"], "bob", on=today)
    at = open_page("unmet")
    frame = at.dataframe[0].value
    assert frame.to_dict("records") == [{"District": "TS1", "Kind of provision": "Volunteering", "Unmet needs": 2,
                                         "Local provision now": 0,
                                         "Barriers mentioned": "Transport or its cost (2), Childcare or dependants (1)"}]
    assert [m.value for m in at.metric] == ["2", "1", "2"]
    assert download_labels(at) == ["Download (CSV)", "Download these months (CSV)",
                                   "Download by month, district and kind (CSV)"]

    # Over time: twelve months, the needs in this one, beside the local provision there was at each month's end
    # (the fixture was all created today: 8 entries one can go to, the online one not counted).
    months = [m.strftime("%Y-%m") for m in month_ends(today, 12)]
    over_time = table_with(at, "Local provision")
    assert over_time["Month"].tolist() == months
    assert over_time["Unmet needs"].tolist() == [0] * 11 + [2]
    assert over_time["Local provision"].tolist() == [0] * 11 + [8]
    at.selectbox(key="unmet_kind").set_value("volunteering").run()
    assert table_with(at, "Local provision").iloc[-1].tolist() == [months[-1], 2, 1]  # the garden in TS3
    at.selectbox(key="unmet_area").set_value("TS1").run()
    assert table_with(at, "Local provision").iloc[-1].tolist() == [months[-1], 2, 0]


def test_feedback_overview_lists_a_low_rated_entry(directory):
    from directory.health.feedback import record_feedback
    from ui.render import now_local

    today = now_local().date()
    record_feedback(directory, "jobclub-ts1", 1, "Nobody there <b>twice</b>", today, "alice")
    record_feedback(directory, "esol-ts1", 5, "Great", today, "alice")
    at = open_page("feedback")
    frame = at.dataframe[0].value
    assert frame["Entry"].tolist() == ["Job Club"]
    assert frame["Why"].tolist() == ["low average, recent complaint"]
    assert r"Nobody there \<b\>twice\</b\>" in at.expander[0].markdown[0].value


def test_find_empty_state_offers_an_unmet_need_prefilled_to_signed_in_users(directory):
    at = open_page("pages/find.py", username=None, params={"near": "TS1 3BA", "km": "50", "cat": "volunteering",
                                                            "day": "mon"})
    assert not [e for e in at.expander if "unmet need" in e.label]  # signed out: not offered
    at = open_page("pages/find.py", params={"near": "TS1 3BA", "km": "50", "cat": "volunteering", "day": "mon"})
    assert at.selectbox(key="unmet_category").value == "volunteering"
    assert at.text_input(key="unmet_district").value == "TS1"
    assert "Record unmet need" in [b.label for b in at.button]


def test_recording_an_unmet_need_from_find_stores_the_district_and_codes_only(directory):
    from sqlalchemy import inspect

    from directory.models import UnmetNeed
    from directory.unmet import UnmetNeedRecord, unmet_needs
    from ui.render import now_local

    at = open_page("pages/find.py", params={"near": "TS1 3BA", "km": "50", "cat": "volunteering", "day": "mon"})
    assert "Nothing matches this search" in at.warning[0].value  # the empty state the offer sits under
    # The worker types the client's full postcode instead of the district, and picks the rest.
    on = now_local().date() - dt.timedelta(days=3)
    at.text_input(key="unmet_district").input("ts1 3ba")
    at.selectbox(key="unmet_stage").set_value("early")
    at.multiselect(key="unmet_barriers").select("childcare").select("transport")
    at.date_input(key="unmet_date").set_value(on)
    [submit] = [b for b in at.button if b.label == "Record unmet need"]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]

    assert [s.value for s in at.success] == [
        "Recorded: Volunteering in TS1. Thank you. Coordinators see it on the Unmet needs page; "
        "no client details were kept."]
    [need] = unmet_needs(directory)
    assert need == UnmetNeedRecord(id=need.id, category="volunteering", district="TS1", stage="early",
                                   barriers=("transport", "childcare"), recorded_on=on, recorded_by="cora",
                                   source="search")
    # Nothing else is stored: no column for a full postcode, a name or a note, and no value holds the postcode.
    columns = [c.name for c in inspect(UnmetNeed).columns]
    assert columns == ["id", "category", "district", "stage", "barriers", "recorded_on", "recorded_by", "source"]
    with directory.reader() as reading:
        session = reading.session
        [row] = session.query(UnmetNeed).all()
        stored = [getattr(row, c) for c in columns]
    assert not [v for v in stored if "3BA" in str(v).upper()]


def test_find_refuses_an_unmet_need_whose_area_could_identify_someone(directory):
    from directory.unmet import unmet_needs

    at = open_page("pages/find.py", params={"near": "TS1 3BA", "km": "50", "cat": "volunteering", "day": "mon"})
    at.text_input(key="unmet_district").input("John Smith, 12 High Street")
    [submit] = [b for b in at.button if b.label == "Record unmet need"]
    submit.click().run()
    assert [e.value for e in at.error] == [  # as typed, made inert for Markdown
        r"\'John Smith, 12 High Street\' is not a postcode or a postcode district\: type one like TS1 3BA or TS1 "
        r"\(only the district is kept\), and never a name or an address"]
    assert unmet_needs(directory) == [] and not at.success


def test_feedback_with_nothing_to_follow_up_says_where_feedback_comes_from(directory):
    at = open_page("feedback")
    assert at.metric[0].value == "0"
    assert [s.value for s in at.success] == [
        "No entry has an average rating of 2.5 or lower, or a rating of 1 or 2 in the last 90 days. Workers record "
        "what clients say about a place on its entry page (Client feedback); anything to follow up will be "
        "listed here."]


def test_unmet_needs_with_none_recorded_says_how_to_record_them(directory):
    at = open_page("unmet")
    assert [i.value for i in at.info] == [
        "No unmet needs recorded in this period. Workers record them on the Find page: when a search finds nothing "
        "suitable, a signed-in worker opens “Nothing suitable? Record an unmet need” under the results."]
    assert [link.label for link in at.get("page_link")] == ["Go to Find provision"]
