"""The coordinators' "Map health" pages, run headless with streamlit.testing (AppTest).

Each test gets its own SQLite directory: the small fixture (tests/browser/fixture_entries.py: fictional
entries at real Middlesbrough and Stockton postcodes, one with markup for a name), plus a coordinator,
and whatever the test plants. Signing in is done as pages/auth.start_session does it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.browser.fixture_entries import seed

APP = str(Path(__file__).resolve().parents[1] / "app.py")
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
    import pages.ui

    pages.ui._open_directory.clear()


def open_page(page: str, username: str | None = "cora", params: dict | None = None):
    from streamlit.testing.v1 import AppTest

    from directory.accounts import get_account

    at = AppTest.from_file(APP, default_timeout=60)
    if username:
        import pages.ui

        now = dt.datetime.now(dt.timezone.utc)
        at.session_state["account"] = get_account(pages.ui.get_directory(), username)
        at.session_state["signed_in_at"] = now
        at.session_state["last_seen"] = now
    at.switch_page(PAGES[page] if page in PAGES else page)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def download_labels(at) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def dataframe(at, key):
    [frame] = [d for d in at.dataframe if d.proto.id and key in d.proto.id] or [None]
    return frame


# -- every page is for coordinators ----------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_an_editor_sees_the_lock_and_a_coordinator_the_page(directory, page):
    at = open_page(page, username="alice")
    [warning] = at.warning
    assert warning.value.startswith("Your account can add and change entries but not ")
    assert not at.title
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
    from pages.ui import now_local

    plant_stale(directory, now_local().date())
    at = open_page("freshness")
    frame = at.dataframe[0].value
    assert frame["Organisation"].tolist()[:3] == ["Old Town Trust", "Riverside Hub", "<b>Org</b> & Co"]
    assert frame["Stale entries"].tolist()[:3] == [3, 2, 1]
    assert frame["Organisation"].tolist()[3] == "Green Tees"
    assert at.metric[0].value == "7 of 14"
    assert "Download (CSV)" in download_labels(at)


def test_ask_to_verify_records_a_request(directory):
    from directory.health import open_verification_requests

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
    at.button(key=f"dup_merge_{key}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("Merged “ESOL for beginners” into “ESOL for Beginners”")
    merged = directory.get("esol-ts1-copy")
    assert merged.archived and merged.merged_into == "esol-ts1"
    assert not directory.get("esol-ts1").archived
    assert "merge" in [r.action for r in directory.history("esol-ts1")]
    assert at.metric[0].value == "0"


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
    gaps = next(d.value for d in at.dataframe if "Nearest provider" in d.value.columns)
    # Every district around the directory but TS3 (the garden), the farthest from it first.
    assert gaps["Area"].tolist() == ["TS21", "TS22", "TS16", "TS19", "TS20", "TS23", "TS18", "TS17", "TS2", "TS8",
                                     "TS6", "TS1", "TS5", "TS7", "TS4"]
    assert set(gaps["Nearest provider"]) == {"Community Garden Volunteers"}
    assert gaps["Distance (km)"].iloc[0] == pytest.approx(16.58)
    assert at.metric[0].value == "16" and at.metric[1].value == "15" and at.metric[2].value == "1"
    assert download_labels(at) == ["Download the gap table (CSV)", "Download coverage (CSV)",
                                   "Download counts (CSV)", "Download areas with counts (GeoJSON)"]
    # The choropleth: every area a polygon, the one provider a dot, no CDN, tooltips escaped.
    [component] = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    args = _json.loads(component.proto.json_args)
    assert args["script"].count('"className": "rp-provider"') == 1
    assert '"area": "TS21"' in args["script"] and '"fill": "#f2c4bb"' in args["script"]
    assert all(link.startswith("../") for link in args["js_links"] + args["css_links"])
    assert "https://" not in args["header"] + args["html"]


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
    from directory.unmet import record_unmet_need
    from pages.ui import now_local

    today = now_local().date()
    record_unmet_need(directory, "volunteering", "TS1 3BA", "early", ["transport"], "alice", on=today)
    record_unmet_need(directory, "volunteering", "TS1", None, ["transport", "childcare"], "bob", on=today)
    at = open_page("unmet")
    frame = at.dataframe[0].value
    assert frame.to_dict("records") == [{"District": "TS1", "Kind of provision": "Volunteering", "Unmet needs": 2,
                                         "Local provision now": 0,
                                         "Barriers mentioned": "transport (2), childcare (1)"}]
    assert [m.value for m in at.metric] == ["2", "1", "2"]
    assert download_labels(at) == ["Download (CSV)", "Download by month (CSV)"]


def test_feedback_overview_lists_a_low_rated_entry(directory):
    from directory.health import record_feedback
    from pages.ui import now_local

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
    assert at.selectbox(key="unmet_cat").value == "volunteering"
    assert at.text_input(key="unmet_district").value == "TS1"
    assert "Record unmet need" in [b.label for b in at.button]
