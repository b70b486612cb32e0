"""Referrals in the app (AppTest): refer from an entry with the client's consent, the receiver's inbox and
answer, the plan's status, the funnel; and refusals shown where the action happened."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from directory.accounts import create_user, get_account
from directory.clients import ClientRecords
from directory.referrals import Referrals
from tests.apptest import app_database, click, open_signed_in, texts


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    with app_database(tmp_path, monkeypatch) as directory:
        create_user(directory, "lead", "Forum Lead", "coordinator", password="kettle orchard lantern")
        create_user(directory, "kim", "Kim Keyworker", "editor", organisations=("Tees Recovery Service",))
        create_user(directory, "tom", "Tom Tutor", "editor", organisations=("Teesside College",))
        directory.create({"id": "esol-1", "name": "ESOL for work", "organisation": "Teesside College",
                          "category": "basic_skills", "delivery": ["online"]}, "tom")
        ClientRecords(directory).create(get_account(directory, "kim"), "C-0001", {"stage": "stabilising"})
        yield directory


def refer_from_the_entry(app_db, *, agree: bool = True) -> AppTest:
    at = open_signed_in("pages/entry.py", get_account(app_db, "kim"), {"id": "esol-1"})
    at.selectbox(key="entry_refer_client::esol-1").set_value(1).run()
    key = "entry_esol-1_1"
    if agree:
        at.checkbox(key=f"refer_agreed::{key}").check()
    at.text_area(key=f"refer_reason::{key}").input("Wants English for warehouse work")
    at.text_input(key=f"refer_availability::{key}").input("Weekday mornings")
    click(at, "Send the referral")
    return at


def test_a_keyworker_refers_from_an_entry_and_the_college_answers_in_its_inbox(app_db):
    at = refer_from_the_entry(app_db)
    assert texts(at.success)[0] == ("Referral 1 sent to **Teesside College**. They answer in the app; its status "
                                    "shows here and on the Referrals page.")
    # The college's editor: the inbox, then the referral, showing only what the consent allows.
    at = open_signed_in("pages/referrals.py", get_account(app_db, "tom"))
    assert at.segmented_control(key="referrals_view").options[0] == "Waiting for our answer (1)"
    at = open_signed_in("pages/referrals.py", get_account(app_db, "tom"), {"id": "1"})
    body = "\n".join(texts(at.markdown))
    assert "**Client reference:** C-0001" in body and "**Why:** Wants English for warehouse work" in body
    assert "**Name:**" not in body
    at.radio[0].set_value("accepted")
    click(at, "Save")
    assert texts(at.success) == ["Saved: the referral's history and both organisations' lists now show it."]
    assert Referrals(app_db).open(get_account(app_db, "kim"), 1).status == "accepted"


def test_nothing_is_sent_without_the_clients_consent(app_db):
    at = refer_from_the_entry(app_db, agree=False)
    assert texts(at.error) == ["Tick that the client agrees first: nothing is sent without their consent."]
    assert Referrals(app_db).sent(get_account(app_db, "kim")) == []


def test_the_coordinators_funnel_counts_referrals_without_client_identifiers(app_db):
    refer_from_the_entry(app_db)
    at = open_signed_in("pages/referrals_funnel.py", get_account(app_db, "lead"))
    assert [(m.label, m.value) for m in at.metric][:3] == [("Sent", "1"), ("Accepted", "0"), ("Started", "0")]
    assert "C-0001" not in str(at.table[0].value)
    at = open_signed_in("pages/referrals_funnel.py", get_account(app_db, "kim"))
    assert texts(at.warning)[0].startswith("Your account can add and change entries but not see the referral funnel")


def test_a_plan_item_is_referred_and_shows_its_referrals_status(app_db):
    kim = get_account(app_db, "kim")
    action = ClientRecords(app_db).add_action(kim, 1, "ESOL for work (Teesside College)", "client", entry_id="esol-1")
    at = open_signed_in("pages/planner_plan.py", kim)
    key = f"plan_{action.id}"
    at.checkbox(key=f"refer_agreed::{key}").check()
    at.text_area(key=f"refer_reason::{key}").input("Wants English for warehouse work")
    click(at, "Send the referral")
    assert any(m.value.startswith(":blue-badge[Referral: Sent]") for m in at.markdown)
    tom = get_account(app_db, "tom")
    Referrals(app_db).accept(tom, 1)
    Referrals(app_db).start(tom, 1)  # the college took them on
    at = open_signed_in("pages/planner_plan.py", kim)
    assert any(m.value.startswith(":green-badge[Referral: Started]") for m in at.markdown)


def test_the_client_withdraws_consent_and_the_college_then_sees_no_details(app_db):
    refer_from_the_entry(app_db)
    at = open_signed_in("pages/referrals.py", get_account(app_db, "kim"), {"id": "1"})
    click(at, "Record that they withdrew consent")
    assert texts(at.success) == ["Saved: the referral's history and both organisations' lists now show it."]
    at = open_signed_in("pages/referrals.py", get_account(app_db, "tom"), {"id": "1"})
    body = "\n".join(texts(at.markdown))
    assert "Withdrawn: there are no details to show." in body and "C-0001" not in body
    assert not at.radio  # nothing left to answer
