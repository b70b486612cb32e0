"""The planner pages through the app's navigation (AppTest): the guard, the client form, the organisation
boundary (by page and by ?client=), next steps, the action plan and reviews.

Each test has its own SQLite directory (tests/browser/fixture_entries.py) and two signed-in editors of
different organisations: an employment specialist at Tees Works and a keyworker at Tees Valley Recovery.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from directory.accounts import Account, create_user
from directory.api import Directory
from directory.clients import ClientRecords
from tests.browser.fixture_entries import seed

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ES = Account("esther", "Esther Obi", "editor", ("Tees Works",))
KW = Account("kim", "Kim Patel", "editor", ("Tees Valley Recovery",))
PROFILE = {
    "stage": "stabilising", "postcode": "TS1 3BA", "max_travel_km": 25,
    "readiness": {"attends_appointments": True, "engages_in_groups": True, "in_withdrawal": False,
                  "self_care": True, "owns_goals": True},
    "commitments": [{"what": "supervised consumption", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
                     "start": "09:00", "end": "10:00"}],
    "screening": {"first_language_not_english": True, "looking_for_training": True},
    "assets": {"interests": ["gardening"]},
    "goals": {"aim": "any_job", "wants_work_now": True},
    "done_steps": ["health", "motivation", "stabilising", "housing"],
}


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    seed(url, hostile=False)
    directory = Directory(url)
    create_user(directory, ES.username, ES.display_name, "editor", organisations=ES.organisations)
    create_user(directory, KW.username, KW.display_name, "editor", organisations=KW.organisations)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("RP_TILES_URL", raising=False)
    yield directory
    directory.engine.dispose()
    import pages.ui

    pages.ui._open_directory.clear()


def open_page(page: str, account: Account | None = ES, params: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    if account is not None:
        now = dt.datetime.now(dt.timezone.utc)
        at.session_state["account"] = account
        at.session_state["signed_in_at"] = now
        at.session_state["last_seen"] = now
    at.run()
    at.switch_page(page)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text_of(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [h.proto.body for h in at.get("html")]
    return "\n".join(parts)


def a_client(directory, profile=PROFILE, ref="C-0042"):
    return ClientRecords(directory).create(ES, ref, {"ref": ref, **profile})


PAGES = ["pages/planner_client.py", "pages/planner_next_steps.py", "pages/planner_plan.py", "pages/planner_reviews.py"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_asked_to_sign_in(app_db, page):
    at = open_page(page, account=None)
    assert at.warning[0].value == "Please sign in to use the planner."


def test_a_bad_postcode_is_shown_next_to_the_field_then_a_good_one_saves(app_db):
    at = open_page("pages/planner_client.py")
    at.text_input(key="pcnew_ref").input("C-0042")
    at.text_input(key="pcnew_postcode").input("not a postcode")
    at.button(key="pcnew_save").click().run()
    assert not at.exception
    assert any(e.value.startswith("Postcode: 'not a postcode' is not a UK postcode") for e in at.error)
    assert ClientRecords(app_db).list_for(ES) == []

    at.text_input(key="pcnew_postcode").input("ts1 3ba")
    at.text_input(key="pcnew_c0_what").input("supervised consumption")
    at.multiselect(key="pcnew_c0_days").set_value(["Mon", "Tue"])
    at.text_input(key="pcnew_c0_start").input("09:00")
    at.text_input(key="pcnew_c0_end").input("10:00")
    at.checkbox(key="pcnew_a_Mon_Morning").check()
    at.checkbox(key="pcnew_a_Mon_Afternoon").check()
    at.checkbox(key="pcnew_a_Tue_Morning").check()
    at.button(key="pcnew_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Created client C-0042."
    [(client_id, ref, org, _)] = ClientRecords(app_db).list_for(ES)
    saved = ClientRecords(app_db).open(ES, client_id).profile
    assert (ref, org, saved["postcode"]) == ("C-0042", "Tees Works", "TS1 3BA")
    assert saved["commitments"] == [{"what": "supervised consumption", "days": ["Mon", "Tue"],
                                     "start": "09:00", "end": "10:00"}]
    assert saved["available"] == [{"days": ["Mon"], "start": "09:00", "end": "17:00"},
                                  {"days": ["Tue"], "start": "09:00", "end": "12:00"}]


def test_a_bad_commitment_time_names_the_field(app_db):
    at = open_page("pages/planner_client.py")
    at.text_input(key="pcnew_ref").input("C-7")
    at.text_input(key="pcnew_c0_what").input("keyworker appointment")
    at.multiselect(key="pcnew_c0_days").set_value(["Thu"])
    at.text_input(key="pcnew_c0_start").input("9am")
    at.text_input(key="pcnew_c0_end").input("10:00")
    at.button(key="pcnew_save").click().run()
    assert any(e.value == "Fixed commitments (row 1, start): '9am' is not a time HH:MM" for e in at.error), \
        [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_another_organisation_cannot_open_a_client_until_consent(app_db, page):
    record = a_client(app_db, ref="C-9931")
    at = open_page(page, account=KW, params={"client": str(record.id)})
    assert at.error[0].value == "This client record is not shared with your organisation."
    assert "C-9931" not in text_of(at) + str([s.options for s in at.selectbox])

    ClientRecords(app_db).give_consent(ES, record.id, "Tees Valley Recovery", dt.date.today())
    at = open_page(page, account=KW, params={"client": str(record.id)})
    assert not at.error, [e.value for e in at.error]
    assert "C-9931" in str(at.selectbox[0].options)


def test_a_client_id_that_is_not_a_number_gets_the_same_message(app_db):
    at = open_page("pages/planner_plan.py", params={"client": "abc"})
    assert at.error[0].value == "This client record is not shared with your organisation."


def test_consent_is_recorded_with_date_and_who_took_it_then_withdrawn(app_db):
    record = a_client(app_db)
    at = open_page("pages/planner_client.py", params={"client": str(record.id)})
    prefix = f"pc{record.id}_"
    at.text_input(key=prefix + "partner").input("Tees Valley Recovery")
    at.button(key=prefix + "consent").click().run()
    assert at.success[0].value == "Consent to share with Tees Valley Recovery recorded."
    assert "recorded by esther" in text_of(at) and "active" in text_of(at)
    assert ClientRecords(app_db).list_for(KW)[0][1] == "C-0042"
    at.button(key=prefix + "withdraw_Tees Valley Recovery").click().run()
    assert ClientRecords(app_db).list_for(KW) == []


def test_export_and_erase(app_db):
    record = a_client(app_db)
    at = open_page("pages/planner_client.py", params={"client": str(record.id)})
    prefix = f"pc{record.id}_"
    at.button(key=prefix + "prepare").click().run()
    assert not at.exception
    assert at.button(key=prefix + "erase").disabled
    at.checkbox(key=prefix + "erase_sure").check().run()
    at.button(key=prefix + "erase").click().run()
    assert at.success[0].value == "Client C-0042 erased."
    assert ClientRecords(app_db).list_for(ES) == []


def test_next_steps_shows_the_continuum_cards_and_map_and_adds_to_the_plan(app_db):
    record = a_client(app_db)
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert 'class="rp-step done"' in html and 'class="rp-step now"' in html and 'class="rp-step next"' in html
    assert "Soft skills" in html
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings, "no recommendation cards"
    assert any(c.proto.component_name.endswith("st_folium") for c in at.get("component_instance"))
    assert at.text_input(key="planner_why_not") is not None

    add = [b for b in at.button if b.key and b.key.startswith("add_")]
    entry_id = add[0].key.removeprefix("add_")
    add[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("Added “")
    [action] = ClientRecords(app_db).actions(ES, record.id)
    assert action.entry_id == entry_id and action.step and action.owner == "client"


def test_why_not_searches_the_excluded(app_db):
    # A travel limit of 1 km rules out most of the directory: "why not the warehouse job?"
    record = a_client(app_db, {**PROFILE, "max_travel_km": 1, "stage": "sustained"})
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    at.text_input(key="planner_why_not").input("warehouse").run()
    lines = [m.value for m in at.markdown if "Warehouse" in m.value]
    assert lines and "km" in lines[0]


def test_the_plan_shows_contacts_and_warns_at_more_than_three_activities(app_db):
    record = a_client(app_db)
    records = ClientRecords(app_db)
    for entry_id in ("esol-ts1", "jobclub-ts1", "cafe-ts2"):
        records.add_action(ES, record.id, f"Go to {entry_id}", "client", entry_id=entry_id, step="training")
    at = open_page("pages/planner_plan.py", params={"client": str(record.id)})
    assert not at.warning or "current activities" not in at.warning[0].value
    assert "Sam Lee" in text_of(at) and "01642 000003" in text_of(at)
    # The Job Club (Wed 10:00-12:00) does not clash with 09:00-10:00; a new action with the garden is fine too,
    # but it makes four current activities.
    at.text_input(key="plan_new_title").input("Try the community garden")
    at.button[[b.label for b in at.button].index("Add action")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Added “Try the community garden”."
    # Not linked to provision: still three activities.
    assert not any("current activities" in w.value for w in at.warning)
    records.add_action(ES, record.id, "Garden", "client", entry_id="garden-ts3", step="soft_skills")
    at = open_page("pages/planner_plan.py", params={"client": str(record.id)})
    assert at.warning[0].value.startswith("That makes 4 current activities. More than three at once")
    assert [b.label for b in at.get("download_button")] == ["Download the plan (PDF, large print)",
                                                            "Download the plan (Word)"]


def test_an_action_that_clashes_with_a_commitment_is_flagged(app_db):
    record = a_client(app_db)
    # The hostile-free fixture's money advice is Mon 09:00-12:00; the ESOL classes vary. Make one that clashes.
    app_db.create({"id": "early-ts1", "name": "Early Class", "organisation": "Tees Works", "category": "training",
                   "postcode": "TS1 2AH", "schedule": "Mon 09:00-11:00", "cost": "free"}, "alice")
    ClientRecords(app_db).add_action(ES, record.id, "Early Class", "client", entry_id="early-ts1", step="training")
    at = open_page("pages/planner_plan.py", params={"client": str(record.id)})
    assert any(w.value.startswith("Clashes with supervised consumption") for w in at.warning)


def test_status_change_is_saved(app_db):
    record = a_client(app_db)
    action = ClientRecords(app_db).add_action(ES, record.id, "Ring the job club", "keyworker")
    at = open_page("pages/planner_plan.py", params={"client": str(record.id)})
    at.selectbox(key=f"pa{action.id}_status").set_value("doing")
    at.button(key=f"pa{action.id}_save").click().run()
    assert ClientRecords(app_db).actions(ES, record.id)[0].status == "doing"


def test_a_review_is_recorded_and_the_chart_shows_distance_travelled(app_db):
    record = a_client(app_db)
    records = ClientRecords(app_db)
    records.add_review(ES, record.id, dt.date(2026, 1, 5), ["client", "keyworker"], "early", "red", 2,
                       "health", None, [])
    at = open_page("pages/planner_reviews.py", params={"client": str(record.id)})
    at.text_area(key="review_decisions").input("Start ESOL; job club in a month")
    at.selectbox(key="review_0_client").set_value("accept")
    at.selectbox(key="review_0_keyworker").set_value("decline")
    at.text_input(key="review_0_reason").input("clashes with a course")
    at.button[[b.label for b in at.button].index("Record review")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("Review of ")
    reviews = records.reviews(ES, record.id)
    assert len(reviews) == 2
    latest = reviews[-1]
    assert latest.attendees == ("client", "keyworker", "employment_specialist")
    assert latest.stage == "stabilising" and latest.readiness == "green" and latest.step == "soft_skills"
    assert {(r["party"], r["response"]) for r in latest.responses} == {("client", "accept"), ("keyworker", "decline")}
    assert all(r["reason"] == "clashes with a course" for r in latest.responses)
    charts = at.get("vega_lite_chart")
    assert charts, "no distance-travelled chart"
