"""Editing through the app (AppTest): the guard, the add and edit form, duplicates, conflicts,
verify / archive / restore and client feedback on the entry page, and bulk edit of an organisation's entries.

Each test gets its own SQLite directory (tests/browser/fixture_entries.py), opened by the app through
DATABASE_URL; a person is signed in the way ui/auth.start_session does it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from directory.accounts import create_user, get_account
from directory.api import Directory
from tests.apptest import open_signed_in
from tests.browser.fixture_entries import seed

@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    seed(url, hostile=False)
    directory = Directory(url)
    create_user(directory, "carol", "Carol Jones", "coordinator")
    create_user(directory, "victor", "Victor Viewer", "viewer")
    create_user(directory, "dina", "Dina Ali", "editor", organisations=("Middlesbrough Community Learning",))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("RP_TILES_URL", raising=False)
    yield directory
    directory.engine.dispose()
    import ui.bootstrap

    ui.bootstrap._open_directory.clear()


def open_page(page: str, params: dict | None = None, user: str | None = None, directory=None) -> AppTest:
    return open_signed_in(page, get_account(directory, user) if user else None, params)


def field(at, name: str, scope: str):
    return at.text_input(key=f"edit::{scope}::{name}")


def texts(elements) -> list[str]:
    """Messages as a person reads them (the page backslash-escapes typed text for Markdown)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def submit(at, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# -- the guard ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("user, message", [
    (None, "Please sign in to change entries."),
    ("victor", "Your account can view but not change entries. Ask a coordinator in your forum for access."),
])
def test_only_editors_may_open_the_form(app_db, user, message):
    at = open_page("pages/edit.py", {"id": "jobclub-ts1"}, user, app_db)
    assert texts(at.warning) == [message]
    # Nobody signed in is offered the sign-in form right there; nothing of the entry form shows.
    assert [t.label for t in at.text_input] == ([] if user else ["Username", "Password"])
    # ...but anyone may still view the entry, without the editing buttons.
    at = open_page("pages/entry.py", {"id": "jobclub-ts1"}, user, app_db)
    assert at.title[0].value == "Job Club"
    assert not [b for b in at.button if b.label == "Mark as verified"]


def test_editing_has_its_own_page_so_the_menu_does_not_say_add(app_db):
    at = open_page("pages/entry.py", {"id": "jobclub-ts1"}, "alice", app_db)
    [link] = [p for p in at.get("page_link") if p.proto.label == "Edit this entry"]
    assert link.proto.page.endswith("edit_entry")
    at = open_page("pages/edit_entry.py", {"id": "jobclub-ts1"}, "alice", app_db)
    assert at.title[0].value == "Edit: Job Club"
    at = open_page("pages/edit_entry.py", None, "alice", app_db)
    assert at.title[0].value == "Edit an entry"
    assert texts(at.info) == ["Find the entry first, open it, then choose **Edit this entry**."]


# -- adding ------------------------------------------------------------------------------------------


def test_adding_shows_each_problem_under_its_field(app_db):
    at = open_page("pages/edit.py", user="alice", directory=app_db)
    assert at.title[0].value == "Add an entry"
    field(at, "name", "new").input("Cooking for Confidence")
    field(at, "organisation", "new").input("Tees Valley Recovery")
    field(at, "postcode", "new").input("TS99 ZZZZ")
    field(at, "contact_email", "new").input("jo at example")
    submit(at, "Add the entry")
    # Every problem at once, the missing category in the form's words (not the spreadsheet's codes).
    assert texts(at.error) == [
        "Category is required: choose one from the list.",
        "'TS99 ZZZZ' is not a UK postcode: check it has the form TS1 3BA.",
        "'jo at example' is not an email address.",
        "Nothing was saved: 3 things need correcting, under Category, Postcode and Contact's email above."]
    assert app_db.count() == 8
    at.selectbox(key="edit::new::category").set_value("training")

    field(at, "postcode", "new").input("TS1 3BA")
    field(at, "contact_email", "new").input("jo@example.org")
    submit(at, "Add the entry")
    assert not at.error
    # The place is shown on a map before anything is saved.
    assert texts(at.info) == ["Nothing is saved yet: check the pin is where the service is, then add the entry."]
    assert at.caption[-1].value == "Where TS1 3BA is: check the pin is in the right place."
    assert app_db.count() == 8
    submit(at, "Add the entry")
    created = [e for e in app_db.entries() if e.name == "Cooking for Confidence"]
    assert len(created) == 1 and created[0].contact_email == "jo@example.org" and created[0].postcode == "TS1 3BA"
    assert created[0].updated_by == "alice"


def test_adding_a_likely_duplicate_asks_first(app_db):
    at = open_page("pages/edit.py", user="alice", directory=app_db)
    field(at, "name", "new").input("ESOL for beginners")
    field(at, "organisation", "new").input("Middlesbrough Community Learning")
    at.selectbox(key="edit::new::category").set_value("basic_skills")
    field(at, "postcode", "new").input("TS1 3BA")
    submit(at, "Add the entry")
    [warning] = texts(at.warning)
    assert warning.startswith("This looks like ‘ESOL for Beginners’ ") and warning.endswith("open it instead?")
    assert app_db.count() == 8  # nothing created yet
    # Going back keeps everything typed.
    submit(at, "Go back to the form")
    assert field(at, "name", "new").value == "ESOL for beginners"
    assert at.selectbox(key="edit::new::category").value == "basic_skills"
    submit(at, "Add the entry")
    submit(at, "No, it's different: create it")
    assert app_db.count() == 9


def test_an_online_service_with_no_postcode_is_added_at_once(app_db):
    at = open_page("pages/edit.py", user="alice", directory=app_db)
    field(at, "name", "new").input("Phone-based debt advice")
    field(at, "organisation", "new").input("Tees Valley Money Help")
    at.selectbox(key="edit::new::category").set_value("money_advice")
    at.multiselect(key="edit::new::delivery").set_value(["phone"])
    submit(at, "Add the entry")
    assert [e.name for e in app_db.entries() if e.name == "Phone-based debt advice"] == ["Phone-based debt advice"]
    assert texts(at.success) == ["Added ‘Phone-based debt advice’."]


def test_a_new_postcode_is_shown_on_a_map_before_the_edit_is_saved(app_db):
    at = open_page("pages/edit.py", {"id": "jobclub-ts1"}, "alice", app_db)
    old = app_db.get("jobclub-ts1")
    # Only the postcode is changed: the old latitude and longitude still in the form do not hold it back.
    field(at, "postcode", "jobclub-ts1").input("TS3 6AB")
    submit(at, "Save changes")
    [component] = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    assert at.caption[-1].value == "Where TS3 6AB is: check the pin is in the right place."
    assert "54.5799" in component.proto.json_args and f"{old.latitude:.4f}" not in component.proto.json_args
    assert texts(at.info) == ["Nothing is saved yet: check the pin is where the service is, then save your changes."]
    assert app_db.get("jobclub-ts1").version == 1
    submit(at, "Save changes")
    entry = app_db.get("jobclub-ts1")
    assert (entry.postcode, entry.version) == ("TS3 6AB", 2)
    assert (round(entry.latitude, 4), round(entry.longitude, 4)) == (54.5799, -1.2112)
    assert (entry.latitude, entry.longitude) != (old.latitude, old.longitude)
    assert texts(at.success)[0].startswith("Saved your changes to ‘Job Club’ (version 2)")


# -- editing -----------------------------------------------------------------------------------------


def test_an_edit_is_saved_and_shown_on_the_entry_page(app_db):
    at = open_page("pages/edit.py", {"id": "jobclub-ts1"}, "alice", app_db)
    assert field(at, "schedule", "jobclub-ts1").value == "Wed 10:00-12:00"
    field(at, "schedule", "jobclub-ts1").input("Wed 13:00-15:00")
    submit(at, "Save changes")
    entry = app_db.get("jobclub-ts1")
    assert entry.schedule == "Wed 13:00-15:00" and entry.version == 2 and entry.updated_by == "alice"
    # The app moved on to the entry page, which shows the new times and says it was saved.
    assert at.title[0].value == "Job Club"
    assert texts(at.success)[0].startswith("Saved your changes to ‘Job Club’ (version 2)")
    assert any("1pm to 3pm" in h.proto.body for h in at.html), [h.proto.body for h in at.html]


def test_save_and_mark_as_verified_in_one_go(app_db):
    """The forum's most common job: correct the times and confirm the rest, in one save."""
    at = open_page("pages/edit.py", {"id": "garden-ts3"}, "alice", app_db)
    before = app_db.get("garden-ts3")
    field(at, "schedule", "garden-ts3").input("Thu 10:00-12:00")
    submit(at, "Save and mark as verified")
    entry = app_db.get("garden-ts3")
    assert (entry.schedule, entry.last_verified, entry.last_verified_by) == (
        "Thu 10:00-12:00", dt.date.today(), "alice")
    assert [r.action for r in app_db.history("garden-ts3")][:2] == ["verify", "update"]
    assert texts(at.success) == [f"Saved your changes to ‘{before.name}’ and marked it as verified today "
                                 f"(version {before.version + 2})."]
    assert not any("Possibly out of date" in w for w in texts(at.warning))
    # With nothing changed, it only verifies.
    at = open_page("pages/edit.py", {"id": "jobclub-ts1"}, "alice", app_db)
    submit(at, "Save and mark as verified")
    assert app_db.get("jobclub-ts1").last_verified == dt.date.today()
    assert texts(at.success) == ["Nothing had changed; marked ‘Job Club’ as verified today."]


def test_a_conflict_shows_both_changes_and_lets_you_choose(app_db):
    at = open_page("pages/edit.py", {"id": "jobclub-ts1"}, "alice", app_db)
    # Bob saves a different change after Alice opened the form.
    app_db.update("jobclub-ts1", {"schedule": "Wed 09:00-11:00", "cost": "£1"}, 1, "bob")
    field(at, "schedule", "jobclub-ts1").input("Wed 13:00-15:00")
    field(at, "contact_name", "jobclub-ts1").input("Sam Lee-Jones")
    submit(at, "Save changes")
    assert texts(at.warning)[0].startswith("**Someone saved this entry after you opened it.** Nothing has been")
    table = next(h.proto.body for h in at.html if "rp-conflict" in h.proto.body)
    assert "Bob Smith" in table and "Wed 09:00-11:00" in table and "Wed 13:00-15:00" in table
    assert app_db.get("jobclub-ts1").schedule == "Wed 09:00-11:00"  # nothing overwritten
    at.radio(key="choose::jobclub-ts1::schedule").set_value("Use mine")
    submit(at, "Save with these choices")
    entry = app_db.get("jobclub-ts1")
    assert (entry.schedule, entry.cost, entry.contact_name) == ("Wed 13:00-15:00", "£1", "Sam Lee-Jones")
    assert [r.author for r in app_db.history("jobclub-ts1")] == ["alice", "bob", "alice"]


# -- the entry page: verify, archive, restore, feedback -------------------------------------------


def test_mark_as_verified_in_one_click(app_db):
    at = open_page("pages/entry.py", {"id": "garden-ts3"}, "alice", app_db)
    assert any("Possibly out of date" in w for w in texts(at.warning))
    submit(at, "Mark as verified")
    entry = app_db.get("garden-ts3")
    assert entry.last_verified == dt.date.today() and entry.last_verified_by == "alice"
    assert texts(at.success) == ["Marked as verified today by Alice Khan."]
    assert not any("Possibly out of date" in w for w in texts(at.warning))
    # The history names the person in words, not by a username under a column name.
    verified_row = next(h.proto.body for h in at.html if "rp-changes" in h.proto.body)
    assert "<tr><td>Last verified by</td><td>(empty)</td><td>Alice Khan</td></tr>" in verified_row
    assert "last_verified_by" not in verified_row and ">alice<" not in verified_row


def test_archive_then_bring_back_then_restore_a_version(app_db):
    at = open_page("pages/entry.py", {"id": "jobclub-ts1"}, "alice", app_db)
    at.text_input(key="archive_reason").input("Moved to Fridays elsewhere").run()
    at.checkbox(key="archive_sure").check().run()
    submit(at, "Archive this entry")
    assert app_db.get("jobclub-ts1").archived
    assert any(w.startswith("This entry is archived") for w in texts(at.warning))
    submit(at, "Bring back from the archive")
    assert not app_db.get("jobclub-ts1").archived

    app_db.update("jobclub-ts1", {"cost": "£3"}, app_db.get("jobclub-ts1").version, "bob")
    at = open_page("pages/entry.py", {"id": "jobclub-ts1"}, "alice", app_db)
    [button] = [b for b in at.button if b.key == "restore_1"]
    button.click().run()
    assert app_db.get("jobclub-ts1").cost == "free"
    assert app_db.history("jobclub-ts1")[0].action == "restore"


def test_restore_after_someone_else_saved_says_so(app_db):
    app_db.update("jobclub-ts1", {"cost": "£3"}, 1, "bob")
    at = open_page("pages/entry.py", {"id": "jobclub-ts1"}, "alice", app_db)
    app_db.update("jobclub-ts1", {"cost": "£4"}, 2, "bob")
    [button] = [b for b in at.button if b.key == "restore_1"]
    button.click().run()
    assert texts(at.error) == ["Nothing was changed. Bob Smith saved this entry after you opened it (they changed: "
                               "cost). Nothing was overwritten: look at their change under History of changes, "
                               "then try again if it is still needed."]
    assert app_db.get("jobclub-ts1").cost == "£4"


def test_feedback_is_recorded_averaged_and_hidden_by_a_coordinator(app_db):
    from directory.health.feedback import record_feedback

    record_feedback(app_db, "cafe-ts2", 5, "Really welcoming", dt.date.today(), "bob")
    at = open_page("pages/entry.py", {"id": "cafe-ts2"}, "alice", app_db)
    at.radio[0].set_value(2)
    at.text_area[0].input("Ring me on 07700 900123")
    submit(at, "Record feedback")
    assert texts(at.error) == ["Not recorded: take the phone number out of the comment: feedback must not say who "
                               "the client is, or how to reach anyone."]
    at.radio[0].set_value(2)
    at.text_area[0].input("Too noisy <b>at</b> lunchtime")
    submit(at, "Record feedback")
    assert "**Average 3.5 out of 5** from 2 ratings." in [m.value for m in at.markdown]
    assert any("Too noisy &lt;b&gt;at&lt;/b&gt; lunchtime" in h.proto.body for h in at.html)
    assert not [b for b in at.button if b.label == "Hide it"]  # editors cannot hide

    at = open_page("pages/entry.py", {"id": "cafe-ts2"}, "carol", app_db)
    newest = [b for b in at.button if b.label == "Hide it"][0]
    at.text_input(key=f"hide_reason_{newest.key.split('_')[1]}").input("Not about the service")
    newest.click().run()
    assert "**Average 5.0 out of 5** from 1 rating." in [m.value for m in at.markdown]
    assert not any("Too noisy" in h.proto.body for h in at.html)


def test_open_verification_requests_show_on_the_entry(app_db):
    from directory.health.verification import request_verification

    request_verification(app_db, "garden-ts3", "carol", "Is it still on Saturdays?")
    at = open_page("pages/entry.py", {"id": "garden-ts3"}, None, app_db)
    [info] = [i for i in texts(at.info) if "Please check this entry" in i]
    assert "Carol Jones" in info and "Saturdays" in info


def test_signing_in_on_the_page_asked_for_lands_on_it(app_db):
    """A shared link to an edit page, opened signed out: signing in right there opens that entry's form."""
    from directory.accounts import set_password

    set_password(app_db, "dina", "kettle orchard lantern")
    at = open_page("pages/edit_entry.py", {"id": "jobclub-ts1"}, None, app_db)
    assert texts(at.warning) == ["Please sign in to change entries."]
    at.text_input[0].input("dina")
    at.text_input[1].input("kettle orchard lantern")
    submit(at, "Sign in")
    assert at.title[0].value == "Edit: Job Club"
    assert not at.warning


def test_who_it_is_only_for_and_the_mentoring_role_are_added_and_shown(app_db):
    at = open_page("pages/edit.py", user="alice", directory=app_db)
    field(at, "name", "new").input("Women's peer mentors online")
    field(at, "organisation", "new").input("Tees Valley Mentors")
    at.selectbox(key="edit::new::category").set_value("peer_mentoring")
    at.multiselect(key="edit::new::delivery").set_value(["online"])
    at.multiselect(key="edit::new::for_groups").set_value(["women", "care_leavers"])
    at.selectbox(key="edit::new::mentoring_role").set_value("receive")
    submit(at, "Add the entry")
    [added] = [e for e in app_db.entries() if e.name == "Women's peer mentors online"]
    assert (added.for_groups, added.mentoring_role) == (("women", "care_leavers"), "receive")
    page = open_page("pages/entry.py", {"id": added.id}, "alice", app_db)
    shown = "\n".join(h.proto.body for h in page.get("html")) + "\n".join(m.value for m in page.markdown)
    assert "Only for women or care leavers." in shown
    assert "The client gets a peer mentor" in shown
