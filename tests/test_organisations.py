"""Organisations: profiles with a named contact, who may change them, rename and merge (entries, people and
clients follow; both names stay searchable), "did you mean", and the contact Find shows."""

from __future__ import annotations

import datetime as dt

import pytest

from directory import organisations as orgs
from directory.accounts import Account, create_user, get_account
from directory.clients import ClientRecords
from directory.errors import NotAllowed, Refused
from directory.people import audit_log

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
LEAD = Account("carol", "Carol Jones", "coordinator", ())
ALICE = Account("alice", "Alice Khan", "editor", ("Tees Valley Recovery",))
CAFE = {"id": "cafe-1", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
        "category": "recovery_support", "postcode": "TS1 3BA", "schedule": "Tue,Thu 10:00-12:00"}
CLUB = {"id": "club-1", "name": "Job Club", "organisation": "TVR Employment", "category": "employment_support",
        "postcode": "TS1 2AH", "schedule": "Mon 10:00-12:00"}


def test_a_coordinator_adds_an_organisation_with_a_kind_and_duplicates_are_refused(directory):
    made = orgs.create_organisation(directory, LEAD, "  Middlesbrough   Jobcentre ", "jobcentre", now=NOW,
                                    address="Corporation House, 73 Albert Road, Middlesbrough TS1 2RU",
                                    url="www.gov.uk/contact-jobcentre-plus")
    assert (made.name, made.kind_label, made.url, made.entries, made.people) == (
        "Middlesbrough Jobcentre", "Jobcentre", "https://www.gov.uk/contact-jobcentre-plus", (), ())
    with pytest.raises(Refused, match="^'Middlesbrough Jobcentre' exists already: open its page instead$"):
        orgs.create_organisation(directory, LEAD, "middlesbrough jobcentre")
    with pytest.raises(Refused, match="^kind: choose one of treatment_provider, jobcentre"):
        orgs.create_organisation(directory, LEAD, "Somewhere", "shop")
    with pytest.raises(NotAllowed, match="^only a coordinator can add organisations"):
        orgs.create_organisation(directory, ALICE, "Alice's Own")


def test_members_edit_their_own_organisations_profile_and_contact_others_cannot(directory):
    directory.create(CAFE, "alice")
    organisation_id = orgs.organisation_id(directory, "Tees Valley Recovery")
    profile = orgs.update_profile(
        directory, ALICE, organisation_id, {"kind": "treatment_provider", "how_to_refer": "Phone the duty worker."},
        {"name": "Jo Lead", "role": "Employment lead", "phone": "01642 000111", "email": "jo@tvr.example"}, now=NOW)
    assert (profile.kind_label, profile.how_to_refer, profile.contact, profile.updated_by) == (
        "Treatment provider", "Phone the duty worker.",
        orgs.OrganisationContact("Jo Lead", "Employment lead", "01642 000111", "jo@tvr.example"), "alice")
    assert profile.entries == (("cafe-1", "Tees Recovery Café", "recovery_support"),)
    assert profile.people == (("alice", "Alice Khan", "editor"),)
    assert orgs.may_edit_profile(ALICE, profile) and not orgs.may_edit_profile(
        Account("bob", "Bob Smith", "editor", ()), profile)
    with pytest.raises(NotAllowed, match="^only Tees Valley Recovery's own editors or a coordinator"):
        orgs.update_profile(directory, Account("bob", "Bob Smith", "editor", ()), organisation_id, {"address": "x"})
    with pytest.raises(Refused, match="^'0164' is not a phone number"):
        orgs.update_profile(directory, ALICE, organisation_id, {}, {"name": "Jo", "phone": "0164"})
    assert audit_log(directory, LEAD)[0].detail == "kind, how to refer, contact"


def test_find_shows_an_organisations_contact_on_its_entries_without_their_own(directory):
    directory.create(CAFE, "alice")
    organisation_id = orgs.organisation_id(directory, "Tees Valley Recovery")
    assert orgs.contacts_by_organisation(directory) == {}
    orgs.update_profile(directory, ALICE, organisation_id, {}, {"name": "Jo Lead", "phone": "01642 000111"})
    assert orgs.contacts_by_organisation(directory) == {
        "Tees Valley Recovery": orgs.OrganisationContact("Jo Lead", None, "01642 000111", None)}


def test_rename_keeps_the_old_name_searchable_and_moves_nothing(directory):
    directory.create(CAFE, "alice")
    before = directory.change_counter()
    organisation_id = orgs.organisation_id(directory, "Tees Valley Recovery")
    renamed = orgs.rename(directory, LEAD, organisation_id, "Tees Recovery Partnership", now=NOW)
    assert (renamed.name, renamed.former_names) == ("Tees Recovery Partnership", ("Tees Valley Recovery",))
    assert directory.get("cafe-1").organisation == "Tees Recovery Partnership"
    assert directory.change_counter() > before  # every app process rebuilds its search index
    assert orgs.organisation_id(directory, "tees valley recovery") == organisation_id
    assert [o.name for o in orgs.find_organisations(directory, "valley recovery")] == ["Tees Recovery Partnership"]
    assert get_account(directory, "alice").organisations == ("Tees Recovery Partnership",)


def test_merging_moves_entries_people_and_clients_and_keeps_both_names(directory):
    create_user(directory, "eli", "Eli Grant", "editor", organisations=("TVR Employment",))
    directory.create(CAFE, "alice")
    directory.create(CLUB, "eli")
    eli = get_account(directory, "eli")
    records = ClientRecords(directory)
    client = records.create(eli, "C-0001", {"stage": "stabilising"})
    records.give_consent(eli, client.id, "Tees Valley Recovery", dt.date(2026, 11, 30))
    kept = orgs.organisation_id(directory, "Tees Valley Recovery")
    merged = orgs.organisation_id(directory, "TVR Employment")
    orgs.update_profile(directory, eli, merged, {"address": "1 Albert Road"}, {"name": "Eli Grant"})

    profile = orgs.merge(directory, LEAD, merged, kept, now=NOW)
    assert (profile.name, profile.former_names, profile.address, profile.contact.name) == (
        "Tees Valley Recovery", ("TVR Employment",), "1 Albert Road", "Eli Grant")
    assert [e[0] for e in profile.entries] == ["club-1", "cafe-1"]
    assert [p[0] for p in profile.people] == ["alice", "eli"]
    club = directory.history("club-1")[0]  # newest first
    assert (club.author, tuple(club.changes["organisation"]), club.note) == (
        "carol", ("TVR Employment", "Tees Valley Recovery"), "TVR Employment merged into Tees Valley Recovery")
    eli = get_account(directory, "eli")
    assert eli.organisations == ("Tees Valley Recovery",)
    assert [(ref, owner) for _, ref, owner, _ in records.list_for(eli)] == [("C-0001", "Tees Valley Recovery")]
    assert orgs.organisation_id(directory, "TVR Employment") == kept
    assert [o.name for o in orgs.list_organisations(directory)] == ["Tees Valley Recovery"]


def test_a_merge_that_would_give_two_clients_one_number_is_refused_and_changes_nothing(directory):
    create_user(directory, "eli", "Eli Grant", "editor", organisations=("TVR Employment",))
    records = ClientRecords(directory)
    records.create(get_account(directory, "eli"), "C-0001", {"stage": "stabilising"})
    records.create(get_account(directory, "alice"), "C-0001", {"stage": "stabilising"})
    merged = orgs.organisation_id(directory, "TVR Employment")
    with pytest.raises(Refused, match="^both hold a client record numbered C-0001"):
        orgs.merge(directory, LEAD, merged, orgs.organisation_id(directory, "Tees Valley Recovery"))
    assert [o.name for o in orgs.list_organisations(directory)] == ["Tees Valley Recovery", "TVR Employment"]


def test_a_search_for_an_organisations_name_finds_it(directory):
    orgs.create_organisation(directory, LEAD, "Middlesbrough Jobcentre", "jobcentre")
    orgs.create_organisation(directory, LEAD, "Teesside College", "college")
    assert [o.name for o in orgs.find_organisations(directory, "teesside college")] == ["Teesside College"]
    assert [o.name for o in orgs.find_organisations(directory, "Jobcentre")] == ["Middlesbrough Jobcentre"]
    assert [o.name for o in orgs.find_organisations(directory, "Middlesbrough Jobcentr")] == ["Middlesbrough Jobcentre"]
    assert orgs.find_organisations(directory, "college courses in middlesbrough") == []
    assert orgs.find_organisations(directory, "") == []


def test_the_demo_area_gives_its_main_partners_a_profile_and_a_contact(directory):
    import json

    from directory.demo import DEMO_ORGANISATIONS, _fill_organisation_profiles

    create_user(directory, "demo-loader", "Demo data loader", "coordinator")
    for profile in json.loads(DEMO_ORGANISATIONS.read_text())["organisations"]:
        orgs.create_organisation(directory, LEAD, profile["name"])
    _fill_organisation_profiles(directory)  # as seed_demo does after importing the demo entries
    recovery = orgs.get_organisation(directory, orgs.organisation_id(directory, "Middlesbrough Integrated Recovery Service (demo)"))
    assert (recovery.kind_label, recovery.contact) == ("Treatment provider", orgs.OrganisationContact(
        "Imran Robson", "Employment and training lead", "01632 960101", "imran.robson@demo.example.org"))
    kinds = {o.name: o.kind for o in orgs.list_organisations(directory) if o.kind}
    assert (len(kinds), kinds["Transporter Employment Partnership (demo)"]) == (17, "employment_programme")
    assert sorted(name for name, kind in kinds.items() if kind == "jobcentre") == [
        "Middlesbrough Jobcentre (demo)", "Redcar Jobcentre (demo)", "Stockton Jobcentre (demo)",
        "Thornaby Jobcentre (demo)"]
    thornaby = orgs.get_organisation(directory, orgs.organisation_id(directory, "Thornaby Jobcentre (demo)"))
    assert (thornaby.kind_label, thornaby.contact) == ("Jobcentre", orgs.OrganisationContact(
        "Kerry Dobson", "Disability Employment Adviser (partners' contact)", "01632 960111",
        "kerry.dobson@demo.example.org"))
    assert len(orgs.contacts_by_organisation(directory)) == 13


def test_only_a_database_with_nothing_in_it_gets_the_demo_area(db_url):
    """A partnership that set up its people and organisations on the command line is not filled with demo
    entries when the app first opens the embedded database."""
    from directory.api import Directory
    from directory.demo import is_new_database
    from directory.people import OPERATOR

    directory = Directory(db_url)
    assert is_new_database(directory)
    orgs.create_organisation(directory, OPERATOR, "Tees Recovery Service", "treatment_provider")
    assert not is_new_database(directory)
    directory.engine.dispose()
