"""The People, Organisations and Set your password pages through the app's navigation (AppTest)."""

from __future__ import annotations

import re

import pytest

from directory import organisations as orgs
from directory import people
from directory.accounts import authenticate, create_user, get_account
from tests.apptest import app_database, click, open_signed_in, texts

LEAD_PASSWORD = "kettle orchard lantern"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    monkeypatch.setenv("RP_PUBLIC_URL", "https://rp.example.org")
    with app_database(tmp_path, monkeypatch) as directory:
        create_user(directory, "lead", "Forum Lead", "coordinator", password=LEAD_PASSWORD)
        lead = get_account(directory, "lead")
        orgs.create_organisation(directory, lead, "Middlesbrough Jobcentre", "jobcentre")
        orgs.create_organisation(directory, lead, "Teesside College", "college")
        people.change_organisation(directory, lead, "lead", "Teesside College")
        yield directory


def test_a_coordinator_adds_a_person_and_sees_their_link_where_they_added_them(app_db):
    at = open_signed_in("pages/people.py", get_account(app_db, "lead"))
    assert at.title[0].value == "People"
    at.segmented_control(key="people_view").set_value("Add a person").run()
    at.text_input[0].input("Wendy Coach")
    at.text_input[1].input("wcoach")
    at.text_input[2].input("wendy@dwp.example")
    at.selectbox[0].set_value("Middlesbrough Jobcentre")
    click(at, "Add person")
    assert texts(at.success) == ["Added **Wendy Coach** (wcoach)."]
    [code] = at.code
    assert re.fullmatch(r"https://rp\.example\.org/set_password\?token=[\w-]{43}", code.value)
    assert get_account(app_db, "wcoach").organisations == ("Middlesbrough Jobcentre",)
    # The same username again is refused where it was typed, and nothing else changes.
    click(at, "Add person")
    assert texts(at.error) == ["Not added: the username 'wcoach' is taken: choose another (e.g. add an initial)."]


def test_the_list_shows_everyone_and_deactivating_signs_them_out(app_db):
    lead = get_account(app_db, "lead")
    create_user(app_db, "dina", "Dina Ali", "editor", password="correct horse battery",
                organisations=("Teesside College",))
    at = open_signed_in("pages/people.py", lead)
    table = at.dataframe[0].value
    assert list(table["Username"]) == ["dina", "lead"]
    assert list(table["Status"]) == ["Active", "Active"]
    at.selectbox(key="people_chosen").set_value("dina").run()
    click(at, "Deactivate")
    assert texts(at.success) == ["Dina Ali is deactivated and signed out everywhere."]
    assert list(at.dataframe[0].value["Status"]) == ["Active", "Deactivated"]  # active first, fresh after the change
    at.selectbox(key="people_chosen").set_value("lead").run()
    click(at, "Deactivate")
    assert texts(at.error) == ["Forum Lead is the only active coordinator: make someone else a coordinator "
                               "before deactivating them"]


def test_people_is_for_coordinators_only(app_db):
    create_user(app_db, "dina", "Dina Ali", "editor", password="correct horse battery")
    at = open_signed_in("pages/people.py", get_account(app_db, "dina"))
    assert texts(at.warning) == ["Your account can add and change entries but not manage people. Ask a coordinator "
                                 "in your forum for access."]
    assert not at.dataframe


def test_a_set_password_link_sets_it_once_then_signing_in_works(app_db):
    link = people.add_person(app_db, get_account(app_db, "lead"), "wcoach", "Wendy Coach",
                             "Middlesbrough Jobcentre", "editor")
    at = open_signed_in("pages/set_password.py", None, {"token": link.token})
    assert at.markdown[0].value.startswith("Hello **Wendy Coach**. Your username is **wcoach**.")
    at.text_input[1].input("password1234")
    at.text_input[2].input("password1234")
    click(at, "Set password")
    assert texts(at.error) == ["Choose another password: that is one of the most common passwords, which are "
                               "tried first: choose another."]
    at.text_input[1].input("moorland teapot harbour")
    at.text_input[2].input("moorland teapot harbor")
    click(at, "Set password")
    assert texts(at.error) == ["The two passwords are not the same: type them again."]
    at.text_input[2].input("moorland teapot harbour")
    click(at, "Set password")
    assert texts(at.success) == ["Your password is set, Wendy Coach. Sign in with your username and the new password."]
    assert authenticate(app_db, "wcoach", "moorland teapot harbour").username == "wcoach"
    again = open_signed_in("pages/set_password.py", None, {"token": link.token})
    assert texts(again.error)[0].startswith("This link has been used already")


def test_a_broken_link_says_what_to_do(app_db):
    at = open_signed_in("pages/set_password.py", None, {"token": "made-up"})
    assert texts(at.error) == ["This link does not work: it may have been copied incompletely, or replaced by a "
                               "newer one. Ask your coordinator for a new link."]
    assert not at.text_input


def test_anyone_sees_an_organisations_page_and_its_members_keep_it_up_to_date(app_db):
    college = orgs.organisation_id(app_db, "Teesside College")
    at = open_signed_in("pages/organisations.py", None, {"id": str(college)})
    assert at.title[0].value == "Teesside College"
    assert "No named contact yet." in [m.value for m in at.markdown]
    assert not at.expander  # nothing to change for a visitor

    create_user(app_db, "tutor", "Tom Tutor", "editor", password="correct horse battery",
                organisations=("Teesside College",))
    at = open_signed_in("pages/organisations.py", get_account(app_db, "tutor"), {"id": str(college)})
    form = {t.label: t for t in at.text_input}
    form["Contact's name"].input("Sam Adviser")
    form["Contact's phone"].input("01642 333444")
    click(at, "Save details")
    assert texts(at.success) == ["Saved. Find shows this contact on your entries that have no contact of their own."]
    assert orgs.get_organisation(app_db, college).contact == orgs.OrganisationContact(
        "Sam Adviser", None, "01642 333444", None)
    form = {t.label: t for t in at.text_input}
    form["Contact's phone"].input("0164")
    click(at, "Save details")
    assert texts(at.error) == ["Not saved: '0164' is not a phone number: use digits, e.g. 01642 123456."]


def test_a_coordinator_adds_an_organisation_and_lands_on_its_page(app_db):
    at = open_signed_in("pages/organisations.py", get_account(app_db, "lead"))
    assert at.title[0].value == "Organisations"
    at.text_input[1].input("Tees Recovery Service")
    at.selectbox[1].set_value("treatment_provider")
    click(at, "Add organisation")
    assert at.title[0].value == "Tees Recovery Service"
    assert texts(at.success) == ["Added **Tees Recovery Service**. Add its contact and how to refer below."]


def test_find_names_the_organisation_and_shows_its_contact_on_entries_without_one(app_db):
    create_user(app_db, "tutor", "Tom Tutor", "editor", password="correct horse battery",
                organisations=("Teesside College",))
    app_db.create({"id": "esol-1", "name": "ESOL for work", "organisation": "Teesside College",
                   "category": "basic_skills", "delivery": ["online"]}, "tutor")
    college = orgs.organisation_id(app_db, "Teesside College")
    orgs.update_profile(app_db, get_account(app_db, "tutor"), college, {},
                        {"name": "Sam Adviser", "role": "Adult learning adviser", "phone": "01642 333444"})
    at = open_signed_in("pages/find.py", None, {"q": "teesside college"})
    links = [(p.proto.label, p.proto.page) for p in at.get("page_link")]
    assert ("Teesside College: the organisation's page (contact, how to refer, everything it offers)",
            "organisations") in [(label, page.rsplit("/", 1)[-1]) for label, page in links]
    [card] = [h.proto.body for h in at.get("html") if "ESOL for work" in h.proto.body]
    assert ("Sam Adviser, Adult learning adviser (Teesside College's contact for partners) · "
            '<a href="tel:01642333444">01642 333444</a>') in card


def test_many_people_from_a_csv_with_a_row_by_row_report(app_db):
    at = open_signed_in("pages/people.py", get_account(app_db, "lead"))
    at.segmented_control(key="people_view").set_value("Add many from a spreadsheet").run()
    at.file_uploader[0].upload("people.csv", b"name,username,email,organisation,role\n"
                                             b"Wendy Coach,wcoach,,Middlesbrough Jobcentre,editor\n"
                                             b"Nobody,lead,,Teesside College,viewer\n", "text/csv").run()
    click(at, "Add everyone on it")
    assert texts(at.success) == ["Added 1; 1 row(s) need fixing."]
    report = at.dataframe[0].value
    assert report.to_dict("records") == [
        {"Row": 2, "Username": "wcoach", "Outcome": "added", "What to fix": ""},
        {"Row": 3, "Username": "lead", "Outcome": "refused",
         "What to fix": "username: the username 'lead' is taken: choose another (e.g. add an initial)"}]
    assert get_account(app_db, "wcoach").organisations == ("Middlesbrough Jobcentre",)


def test_a_coordinator_approves_someone_the_identity_provider_vouched_for(app_db):
    assert people.account_for_identity(app_db, "sam@council.example.gov.uk", "Sam Jones") is None
    at = open_signed_in("pages/people.py", get_account(app_db, "lead"))
    at.segmented_control(key="people_view").set_value("Waiting for approval (1)").run()
    at.selectbox(key="org-sam@council.example.gov.uk").set_value("Teesside College")
    at.radio(key="role-sam@council.example.gov.uk").set_value("editor")
    click(at, "Approve")
    # (md() keeps a typed address from becoming a link with a word joiner after its first letters)
    assert texts(at.success) == ["Approved sam\u2060@council.example.gov.uk: they can sign in now."]
    assert people.account_for_identity(app_db, "sam@council.example.gov.uk", None) == get_account(
        app_db, "sam@council.example.gov.uk")
    assert get_account(app_db, "sam@council.example.gov.uk").organisations == ("Teesside College",)
