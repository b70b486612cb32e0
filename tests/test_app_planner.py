"""The planner pages through the app's navigation (AppTest): the guard, the client form, the organisation
boundary (by page and by ?client=), next steps, the action plan and reviews.

Each test has its own SQLite directory (tests/browser/fixture_entries.py) and two signed-in editors of
different organisations: an employment specialist at Tees Works and a keyworker at Tees Valley Recovery.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest

from directory.accounts import Account, create_user
from directory.api import Directory
from directory.clients import ClientRecords
from tests.apptest import open_signed_in
from tests.browser.fixture_entries import seed

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
    import ui.bootstrap

    ui.bootstrap._open_directory.clear()


def open_page(page: str, account: Account | None = ES, params: dict | None = None):
    return open_signed_in(page, account, params)


def text_of(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [h.proto.body for h in at.get("html")]
    return "\n".join(parts)


def plain(markdown: str) -> str:
    """What a reader sees of text escaped with ui.render.md: the backslashes gone."""
    return re.sub(r"\\(.)", r"\1", markdown)


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
    # Once beside the field, once under the button.
    assert [plain(e.value) for e in at.error] == [
        "Postcode: 'not a postcode' is not a UK postcode: write it like TS1 3BA",
        "Not saved. Postcode: 'not a postcode' is not a UK postcode: write it like TS1 3BA"]
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
    assert plain(at.success[0].value) == "Created client C-0042."
    [(client_id, ref, org, _)] = ClientRecords(app_db).list_for(ES)
    # The page now shows the client just created, ready for consent.
    assert at.selectbox(key="planner_client_pick").value == client_id
    assert at.query_params["client"] == str(client_id)
    assert "Consent to share" in [h.value for h in at.header]
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
    # Once in the save bar (kept in sight at the top of the form), once beside the field in its step.
    assert [plain(e.value) for e in at.error] == [
        "Not saved. Fixed commitments (row 1, start): '9am' is not a time HH:MM",
        "Fixed commitments (row 1, start): '9am' is not a time HH:MM"]


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
    # The organisations whose staff have accounts, less the one that holds the record.
    assert at.selectbox(key=prefix + "partner").options == ["Tees Valley Recovery", "Another organisation (type its name)"]
    assert at.selectbox(key=prefix + "partner").value is None
    at.button(key=prefix + "consent").click().run()
    assert [e.value for e in at.error] == ["Choose the partner organisation, or type its name."]
    at.selectbox(key=prefix + "partner").set_value("Tees Valley Recovery")
    at.button(key=prefix + "consent").click().run()
    assert [plain(m.value) for m in at.success] == ["Consent to share with Tees Valley Recovery recorded."]
    assert not at.warning
    # Shared already: no longer offered.
    assert at.selectbox(key=prefix + "partner").options == ["Another organisation (type its name)"]
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
    assert plain(at.success[0].value) == "Client C-0042 erased."
    assert ClientRecords(app_db).list_for(ES) == []


def test_next_steps_shows_the_continuum_cards_and_map_and_adds_to_the_plan(app_db):
    record = a_client(app_db)
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert 'class="rp-step done"' in html and 'class="rp-step now"' in html and 'class="rp-step next"' in html
    assert "Soft skills" in html
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings, "no recommendation cards"
    # reasons and warnings read as a person says them: "Wed 10am to 12pm", never "Wed 10:00-12:00"
    said = [m.value for m in at.markdown if m.value.startswith("- ")] + [w.value for w in at.warning]
    assert any(re.search(r"\d(am|pm)\b", line) for line in said)
    assert not [line for line in said if re.search(r"\d\d:\d\d", line)]
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
    assert [b.label for b in at.get("download_button")][-2:] == ["Download the plan (Word, large print)",
                                                                 "Download the plan (PDF, large print)"]


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
    # A fresh form, so the same review is not recorded twice by mistake.
    assert (at.text_area(key="review_decisions").value, at.selectbox(key="review_0_client").value,
            at.selectbox(key="review_0_keyworker").value, at.text_input(key="review_0_reason").value) == ("", "", "", "")
    suggestion = latest.responses[0]["suggestion"]
    assert [plain(m.value) for m in at.markdown if m.value.startswith("- ")] == [
        f"- {suggestion}: Client accepts: clashes with a course",
        f"- {suggestion}: Keyworker declines: clashes with a course"]


def test_consent_can_name_another_organisation_and_says_when_nobody_there_can_sign_in(app_db):
    record = a_client(app_db)
    at = open_page("pages/planner_client.py", params={"client": str(record.id)})
    prefix = f"pc{record.id}_"
    at.selectbox(key=prefix + "partner").set_value("\0other").run()
    at.text_input(key=prefix + "partner_other").input("Stockton Food Bank")
    at.button(key=prefix + "consent").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [plain(m.value) for m in at.success] == ["Consent to share with Stockton Food Bank recorded."]
    assert [plain(w.value) for w in at.warning] == [
        "Nobody at Stockton Food Bank has an account in this app yet, so nobody there can open the record until a "
        "coordinator gives them one under that organisation's name."]
    assert ClientRecords(app_db).open(ES, record.id).shared_with == ("Stockton Food Bank",)
    # Typed in other letters, a known organisation is the same organisation: its staff can open the record.
    at.selectbox(key=prefix + "partner").set_value("\0other").run()
    at.text_input(key=prefix + "partner_other").input("tees valley  RECOVERY")
    at.button(key=prefix + "consent").click().run()
    assert not at.warning
    assert [ref for _, ref, _, _ in ClientRecords(app_db).list_for(KW)] == ["C-0042"]


# -- the client access log (coordinators) ---------------------------------------------------------------

COORDINATOR = Account("cora", "Cora Reid", "coordinator", ("Tees Valley Council",))


def test_the_access_log_is_locked_for_editors(app_db):
    a_client(app_db)
    at = open_page("pages/planner_access_log.py")
    assert [w.value for w in at.warning] == [
        "Your account can add and change entries but not see the client access log. "
        "Ask a coordinator in your forum for access."]
    assert not at.dataframe and "C-0042" not in text_of(at)


def test_a_coordinator_sees_who_opened_and_changed_which_client(app_db):
    from directory.clients import ClientRecords
    from ui.planner_support import access_log_csv
    from ui.render import format_datetime

    create_user(app_db, COORDINATOR.username, COORDINATOR.display_name, "coordinator",
                organisations=COORDINATOR.organisations)
    at = open_page("pages/planner_access_log.py", account=COORDINATOR)
    assert [i.value for i in at.info] == [
        "Nobody has opened a client record yet. When someone creates, opens or changes a client on the planner "
        "pages, it appears here."]

    records = ClientRecords(app_db)
    record = a_client(app_db)                                                        # esther: create
    open_page("pages/planner_client.py", params={"client": str(record.id)})          # esther: read
    open_page("pages/planner_client.py", params={"client": str(record.id)})          # esther: read again
    records.give_consent(ES, record.id, "Tees Valley Recovery", dt.date.today())     # esther: consent
    open_page("pages/planner_client.py", account=KW, params={"client": str(record.id)})  # kim: read
    other = a_client(app_db, ref="C-0043")                                           # esther: create

    at = open_page("pages/planner_access_log.py", account=COORDINATOR)
    assert at.selectbox(key="access_ref").options == ["All clients", "C-0042", "C-0043"]
    assert [(m.label, m.value) for m in at.metric] == [("Times logged", "6"), ("People", "2"), ("Client records", "2")]
    logged = records.access_log(COORDINATOR)
    table = at.dataframe[0].value
    assert list(table.columns) == ["When", "Client", "Who", "What they did", "Times"]
    assert plain(at.markdown[0].value) == "Records held by **Tees Works**."
    table = table[["When", "Who", "What they did", "Times", "Client"]]
    # The two reads in a row are one line, "2 times", from the first to the last (here within the minute).
    assert table.values.tolist() == [
        [format_datetime(logged[0].at), "Esther Obi (esther)", "Created the record", 1, "C-0043"],
        [format_datetime(logged[1].at), "Kim Patel (kim)", "Opened the record", 1, "C-0042"],
        [format_datetime(logged[2].at), "Esther Obi (esther)", "Recorded consent to share", 1, "C-0042"],
        [ps_when(logged[4].at, logged[3].at), "Esther Obi (esther)", "Opened the record", 2, "C-0042"],
        [format_datetime(logged[5].at), "Esther Obi (esther)", "Created the record", 1, "C-0042"],
    ]
    assert [(e.username, e.action) for e in logged[3:5]] == [("esther", "read"), ("esther", "read")]
    assert [b.label for b in at.get("download_button")] == ["Download the access log (CSV)"]
    assert other.ref == "C-0043"

    at.selectbox(key="access_ref").set_value("C-0043").run()
    assert at.dataframe[0].value[["When", "Who", "What they did", "Times", "Client"]].values.tolist() == [
        [format_datetime(logged[0].at), "Esther Obi (esther)", "Created the record", 1, "C-0043"]]
    assert [(m.label, m.value) for m in at.metric] == [("Times logged", "1"), ("People", "1"), ("Client records", "1")]

    # Another organisation's client with the same reference: told apart by who holds it.
    theirs = records.create(KW, "C-0042", {"ref": "C-0042", **PROFILE})
    at = open_page("pages/planner_access_log.py", account=COORDINATOR)
    at.selectbox(key="access_ref").set_value("C-0042").run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["When", "Client", "Who", "What they did", "Times", "Held by"]
    table = table[["When", "Who", "What they did", "Times", "Client", "Held by"]]
    assert table.values.tolist()[:2] == [
        [format_datetime(records.access_log(COORDINATOR)[0].at), "Kim Patel (kim)", "Created the record", 1, "C-0042",
         "Tees Valley Recovery"],
        [format_datetime(logged[1].at), "Kim Patel (kim)", "Opened the record", 1, "C-0042", "Tees Works"]]
    assert [(m.label, m.value) for m in at.metric] == [("Times logged", "6"), ("People", "2"), ("Client records", "2")]
    assert theirs.organisation == "Tees Valley Recovery"

    # The download: exact times and usernames, the words too; a spreadsheet never runs a cell as a formula.
    names = {"esther": "Esther Obi", "=HYPERLINK(1)": ""}
    entry = logged[0]
    hostile = type(entry)("C-0043", "=HYPERLINK(1)", "read", entry.at, "Tees Works")
    text = access_log_csv([entry, hostile], names).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    utc = entry.at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = entry.at.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M")
    assert rows == [
        ["time_utc", "local_time", "username", "name", "client_ref", "held_by", "action", "what"],
        [utc, local, "esther", "Esther Obi", "C-0043", "Tees Works", "create", "Created the record"],
        [utc, local, "'=HYPERLINK(1)", "", "C-0043", "Tees Works", "read", "Opened the record"],
    ]


def ps_when(earliest, latest) -> str:
    """The "When" of repeats in a row: one time when they fall within a minute, else from and to."""
    from ui.render import format_datetime

    return format_datetime(latest) if format_datetime(latest) == format_datetime(earliest) else \
        f"{format_datetime(earliest)} to {latest.astimezone(ZoneInfo('Europe/London')).strftime('%H:%M')}"


def test_opening_a_record_again_and_again_is_one_line_with_the_times_it_spans():
    from directory.clients import AccessEntry
    from ui.planner_support import access_log_rows

    at = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)  # 9:05 in London (GMT)
    entries = [AccessEntry("C-1", "kim", "read", at + dt.timedelta(minutes=40), "Tees Works"),
               AccessEntry("C-1", "kim", "plan read", at + dt.timedelta(minutes=2), "Tees Works"),
               AccessEntry("C-1", "kim", "read", at, "Tees Works"),
               AccessEntry("C-1", "kim", "update", at, "Tees Works"),
               AccessEntry("C-1", "kim", "read", at - dt.timedelta(days=1), "Tees Works"),
               AccessEntry("C-1", "kim", "read", at - dt.timedelta(days=2), "Tees Works"),
               AccessEntry("C-1", "ola", "reviews read", at - dt.timedelta(days=2), None),
               AccessEntry("C-1", "ola", "plan read", at - dt.timedelta(days=2), None),
               AccessEntry("C-1", "ola", "read", at - dt.timedelta(days=2), None),
               AccessEntry("C-1", "ola", "plan changed", at - dt.timedelta(days=3), None),
               AccessEntry("C-1", "ola", "plan changed", at - dt.timedelta(days=3), None)]
    assert [(r["when"], r["who"], r["what"], r["times"]) for r in access_log_rows(entries, {"kim": "Kim Patel"})] == [
        ("23 Nov 2026, 09:05 to 09:45", "Kim Patel (kim)", "Opened the record and the action plan", 3),
        ("23 Nov 2026, 09:05", "Kim Patel (kim)", "Changed the profile", 1),
        ("21 Nov 2026, 09:05 to 22 Nov 2026, 09:05", "Kim Patel (kim)", "Opened the record", 2),
        ("21 Nov 2026, 09:05", "ola", "Opened the record, the action plan and the reviews", 3),
        ("20 Nov 2026, 09:05", "ola", "Changed the action plan", 1),  # changes are never merged
        ("20 Nov 2026, 09:05", "ola", "Changed the action plan", 1),
    ]


# -- nothing fits: record an unmet need -------------------------------------------------------------------


def test_a_plan_with_no_recommendations_records_an_unmet_need_with_the_district_only(app_db):
    from directory.unmet import unmet_needs, unmet_summary

    # In crisis only treatment, housing, health and recovery support are offered, and the one recovery café is
    # for later stages: nothing fits.
    profile = {"stage": "crisis", "postcode": "TS1 3BA", "max_travel_km": 2, "convictions": "spent",
               "screening": {"homeless": True, "first_language_not_english": True},
               "other_barriers": ["transport"]}
    record = a_client(app_db, profile, ref="C-0077")
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    assert [i.value for i in at.info] == [
        "Nothing in the directory fits yet. See “Why not…?” below, or widen the travel limit on the Client page."]
    # Filled in from the plan: the first next step (health) calls for health and well-being.
    assert (at.selectbox(key="plan_unmet_category").value, at.text_input(key="plan_unmet_district").value,
            at.selectbox(key="plan_unmet_stage").value, at.multiselect(key="plan_unmet_barriers").value) == (
        "health_wellbeing", "TS1", "crisis", ["transport", "housing", "language", "convictions"])
    assert unmet_needs(app_db) == []

    at.button[[b.label for b in at.button].index("Record unmet need")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [plain(m.value) for m in at.success] == [
        "Recorded: Health & well-being in TS1. Thank you. Coordinators see it on the Unmet needs page; "
        "no client details were kept."]
    assert unmet_summary(app_db, by_month=False).to_dict("records") == [
        {"district": "TS1", "category": "health_wellbeing", "unmet": 1, "provision": 0,
         "top_barriers": "transport (1), housing (1), language (1), convictions (1)"}]
    [need] = unmet_needs(app_db)
    assert (need.category, need.district, need.stage, need.barriers, need.recorded_on, need.recorded_by,
            need.source) == ("health_wellbeing", "TS1", "crisis", ("transport", "housing", "language", "convictions"),
                             dt.date.today(), "esther", "plan")


def test_a_plan_with_recommendations_offers_no_unmet_need(app_db):
    record = a_client(app_db)
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    assert "Record unmet need" not in [b.label for b in at.button]


class _Continuum:
    def __init__(self, *steps):
        self.next = steps


@pytest.mark.parametrize("stage, steps, wanted", [
    ("stabilising", ("health",), "health_wellbeing"),  # not treatment, which serves two steps
    ("stabilising", ("motivation",), "recovery_support"),
    ("stabilising", ("stabilising",), "treatment"),
    ("stabilising", ("housing",), "housing"),
    ("stabilising", ("soft_skills",), "volunteering"),
    ("stabilising", ("training",), "training"),  # named like the step, before basic skills
    ("stabilising", ("financial",), "money_advice"),
    ("stabilising", ("work_trials",), "work_placement"),
    ("stabilising", ("job_search",), "employment_support"),
    ("stabilising", ("in_work_support",), "in_work_support"),
    ("early", ("job_search", "training"), "training"),  # no job search before stabilising
    ("crisis", ("soft_skills", "training"), None),  # in crisis neither is on the table
    ("sustained", (), None),  # every step done
])
def test_the_unmet_need_names_the_provision_the_first_next_step_needs(stage, steps, wanted):
    from ui.planner_support import wanted_category

    assert wanted_category(stage, _Continuum(*steps)) == wanted


def test_the_unmet_need_barriers_come_from_the_screening_and_other_barriers():
    from ui.planner_support import unmet_barriers
    from planner.profile import parse_profile

    profile = parse_profile({"ref": "C-1", "stage": "early", "needs_childcare": True, "convictions": "none",
                             "screening": {"reading_writing_maths": True, "health_condition": True, "homeless": False,
                                           "custodial_sentence": True, "abstinent": False},
                             "other_barriers": ["no_id_or_bank_account", "debt"]})
    assert unmet_barriers(profile) == ("debt", "no_id_or_bank_account", "childcare", "literacy", "health", "convictions")
    assert unmet_barriers(parse_profile({"ref": "C-2", "stage": "early"})) == ()


def test_choosing_another_client_on_a_planner_page_opens_it_and_the_link_follows(app_db):
    first, second = a_client(app_db, ref="C-0001"), a_client(app_db, ref="C-0002")
    at = open_page("pages/planner_plan.py", params={"client": str(first.id)})
    assert at.selectbox(key="planner_pick").value == first.id
    at.selectbox(key="planner_pick").set_value(second.id).run()
    assert at.selectbox(key="planner_pick").value == second.id
    assert at.query_params["client"] == str(second.id)
    assert at.get("download_button")[-1].proto.label == "Download the plan (PDF, large print)"
    # A link to the other client wins over the box's last choice.
    at.query_params["client"] = str(first.id)
    at.run()
    assert at.selectbox(key="planner_pick").value == first.id


@pytest.mark.parametrize("page", PAGES[1:])
def test_a_profile_the_planner_cannot_read_says_what_to_fix_and_where(app_db, page):
    record = a_client(app_db)
    # A stored profile the planner cannot read (ClientRecords refuses to save one): written past the write path.
    from sqlalchemy import update

    from directory.models import Client

    with app_db.engine.begin() as connection:
        connection.execute(update(Client).where(Client.id == record.id)
                           .values(profile={"ref": record.ref, **PROFILE, "stage": "recovered"}))
    at = open_page(page, params={"client": str(record.id)})
    assert [plain(e.value) for e in at.error] == [
        "The client's profile needs fixing first. Recovery stage: must be one of crisis, early, stabilising, "
        "progressing, sustained"]
    assert [link.proto.page for link in at.get("page_link")][-1] == "planner_client"


def test_gender_veteran_and_care_leaver_are_optional_and_saved_when_given(app_db):
    at = open_page("pages/planner_client.py")
    at.text_input(key="pcnew_ref").input("C-0043")
    assert at.radio(key="pcnew_gender").value == ""  # not known unless the client says
    at.button(key="pcnew_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [(client_id, _, _, _)] = ClientRecords(app_db).list_for(ES)
    saved = ClientRecords(app_db).open(ES, client_id).profile
    assert not {"gender", "veteran", "care_leaver"} & set(saved)
    at.radio(key=f"pc{client_id}_gender").set_value("woman")
    at.radio(key=f"pc{client_id}_veteran").set_value("No")
    at.button(key=f"pc{client_id}_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = ClientRecords(app_db).open(ES, client_id).profile
    assert (saved["gender"], saved["veteran"], "care_leaver" in saved) == ("woman", False, False)


def test_the_continuum_start_is_assumed_from_the_answers_until_the_keyworker_says(app_db):
    at = open_page("pages/planner_client.py")
    at.text_input(key="pcnew_ref").input("C-0043")
    at.selectbox(key="pcnew_stage").set_value("progressing")
    for name in ("attends_appointments", "engages_in_groups", "self_care", "owns_goals"):
        at.radio(key=f"pcnew_r_{name}").set_value("Yes")
    at.radio(key="pcnew_r_in_withdrawal").set_value("No").run()
    assumed = [c.value for c in at.caption if "assumed from the assessment" in c.value]
    assert assumed == ["Starts at step 6, training — assumed from the assessment (done: health, motivation, "
                       "stable use, housing, soft skills). To change it, turn on “Say which continuum steps are "
                       "already done”."]
    at.button(key="pcnew_save").click().run()
    [(client_id, *_)] = ClientRecords(app_db).list_for(ES)
    assert "done_steps" not in ClientRecords(app_db).open(ES, client_id).profile  # still inferred, not frozen

    prefix = f"pc{client_id}_"
    at.toggle(key=prefix + "done_say").set_value(True).run()
    assert at.multiselect(key=prefix + "done").value == ["health", "motivation", "stabilising", "housing",
                                                         "soft_skills"]
    at.multiselect(key=prefix + "done").set_value(["health", "motivation"])
    at.button(key=prefix + "save").click().run()
    assert ClientRecords(app_db).open(ES, client_id).profile["done_steps"] == ["health", "motivation"]
    assert plain(at.success[0].value) == "Saved C-0043 (version 2)."


def test_placeholders_cannot_be_mistaken_for_answers(app_db):
    at = open_page("pages/planner_client.py")
    placeholders = {t.key: t.placeholder for t in at.text_input if t.placeholder}
    assert placeholders["pcnew_ref"] == "e.g. C-0042" and placeholders["pcnew_postcode"] == "e.g. TS1 3BA"
    assert placeholders["pcnew_c0_start"] == placeholders["pcnew_c0_end"] == "hh:mm"
    assert all(p.startswith("e.g.") or p == "hh:mm" for p in placeholders.values()), placeholders
    # The form is five short steps under the answers every plan needs; the save button sits above them.
    assert [t.label for t in at.tabs] == ["1. Screening", "2. Readiness and treatment",
                                          "3. Commitments and free times", "4. Assets and goals", "5. Other (optional)"]


def _card_of(at, heading: str):
    """The bordered container of the next-step card titled `heading`."""
    def walk(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)
    for block in walk(at.main):
        if getattr(block, "type", None) == "vertical" or block.__class__.__name__ == "Block":
            texts = [m.value for m in getattr(block, "markdown", [])]
            if f"### {heading}" in texts and sum(t.startswith("### ") for t in texts) == 1:
                return block
    raise AssertionError(f"no card {heading!r}")


def test_adding_a_next_step_says_so_on_its_card_with_the_clash(app_db):
    record = a_client(app_db)
    # Monday's class overlaps the 09:00-10:00 supervised consumption; Thursday's can be attended.
    app_db.create({"id": "early-ts1", "name": "Early English Class", "organisation": "Tees Works",
                   "category": "basic_skills", "postcode": "TS1 2AH", "schedule": "Mon 09:00-11:00; Thu 13:00-15:00",
                   "cost": "free", "tags": ("esol",)}, "alice")
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    at.button(key="add_early-ts1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    card = _card_of(at, "Early English Class")
    assert [s.value for s in card.success] == ["Added “Early English Class” to the action plan."]
    # After the card's own warnings ("arrive after 10:00"), the clash of the plan item just added.
    assert [plain(w.value) for w in card.warning if "Check the times" in w.value] == [
        "Check the times: Early English Class overlaps supervised consumption (Mon, Tue, Wed, Thu, Fri, Sat 9am "
        "to 10am)."]
    assert [c.value for c in card.caption][0] == "In the action plan"
    # Nowhere else: not at the top of the page, out of sight.
    assert len(at.success) == 1


def test_next_steps_says_the_start_is_assumed_and_links_to_change_it(app_db):
    profile = {k: v for k, v in PROFILE.items() if k != "done_steps"}
    record = a_client(app_db, profile)
    at = open_page("pages/planner_next_steps.py", params={"client": str(record.id)})
    assert ("Starts at step 5, soft skills — assumed from the assessment (done: health, motivation, stable use, "
            "housing).") in [c.value for c in at.caption]
    [link] = [p for p in at.get("page_link") if p.proto.label == "Change where they start"]
    assert link.proto.page.endswith("planner_client.py") or "planner_client" in link.proto.page


def _in_order(at) -> list[str]:
    """Every header, markdown and message of the page, in the order drawn: ('header', text), ('success', text)…"""
    found = []

    def walk(node):
        kind = getattr(node, "type", "")
        if kind in ("header", "success", "warning", "markdown"):
            found.append((kind, node.value))
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at.main)
    return found


def test_the_plan_says_added_under_the_add_button_and_saved_on_the_item(app_db):
    record = a_client(app_db)
    action = ClientRecords(app_db).add_action(ES, record.id, "Ring the job club", "keyworker")
    at = open_page("pages/planner_plan.py", params={"client": str(record.id)})
    at.text_input(key="plan_new_title").input("Try the community garden")
    at.button[[b.label for b in at.button].index("Add action")].click().run()
    order = _in_order(at)
    added = order.index(("success", "Added “Try the community garden”."))
    assert order[added - 1] == ("header", "Add an action")  # not at the top of the page, out of sight
    assert order[added + 1] == ("header", "A copy for the client")

    at.selectbox(key=f"pa{action.id}_status").set_value("doing")
    at.button(key=f"pa{action.id}_save").click().run()
    order = _in_order(at)
    saved = order.index(("success", "Saved “Ring the job club”."))
    item = next(i for i, (kind, text) in enumerate(order) if kind == "markdown" and text.startswith("**Ring the job club**"))
    assert item < saved < order.index(("header", "Add an action"))  # with its item, not at the top of the page
