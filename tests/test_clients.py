"""Client records: the organisation boundary, consent, the access log, export and erasure; both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from directory.accounts import create_user
from directory.clients import AccessDenied, ClientRecords, RecordChanged

PROFILE = {"ref": "C-0042", "stage": "stabilising", "postcode": "TS1 3BA"}


@pytest.fixture
def people(directory):
    return {
        "kim": create_user(directory, "kim", "Kim (keyworker)", "editor", organisations=("Tees Recovery Service",)),
        "eli": create_user(directory, "eli", "Eli (work coach)", "editor", organisations=("Tees Employment Partnership",)),
        "ola": create_user(directory, "ola", "Ola (college)", "editor", organisations=("Teesside College",)),
        "cy": create_user(directory, "cy", "Cy (coordinator)", "coordinator", organisations=("Council",)),
        "vi": create_user(directory, "vi", "Vi (viewer)", "viewer", organisations=("Tees Recovery Service",)),
    }


def test_another_organisation_sees_a_record_only_while_consent_names_it(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    assert record.organisation == "Tees Recovery Service"
    with pytest.raises(AccessDenied, match="^no client record with that number is shared with your organisation$"):
        records.open(people["eli"], record.id)
    assert records.list_for(people["eli"]) == []
    records.give_consent(people["kim"], record.id, "Tees Employment Partnership", dt.date(2026, 11, 2))
    assert records.open(people["eli"], record.id).shared_with == ("Tees Employment Partnership",)
    assert [ref for _, ref, _, _ in records.list_for(people["eli"])] == ["C-0042"]
    with pytest.raises(AccessDenied):
        records.open(people["ola"], record.id)
    records.withdraw_consent(people["kim"], record.id, "Tees Employment Partnership", dt.date(2026, 11, 20))
    with pytest.raises(AccessDenied):
        records.open(people["eli"], record.id)


def test_only_the_holding_organisation_records_consent_and_viewers_change_nothing(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    records.give_consent(people["kim"], record.id, "Tees Employment Partnership", dt.date(2026, 11, 2))
    with pytest.raises(AccessDenied, match="^only the organisation that holds the record can record consent$"):
        records.give_consent(people["eli"], record.id, "Teesside College", dt.date(2026, 11, 3))
    with pytest.raises(AccessDenied, match=r"^Vi \(viewer\) can view but not change client records$"):
        records.update_profile(people["vi"], record.id, PROFILE, 1)


def test_references_must_not_be_names_and_are_unique_per_organisation(directory, people):
    records = ClientRecords(directory)
    with pytest.raises(ValueError, match="^use a reference such as C-0042: letters, digits, - and _, no names$"):
        records.create(people["kim"], "John Smith", PROFILE)
    records.create(people["kim"], "C-0042", PROFILE)
    with pytest.raises(ValueError, match="^your organisation already has a client C-0042: open that record instead$"):
        records.create(people["kim"], "C-0042", PROFILE)
    assert records.create(people["eli"], "C-0042", PROFILE).organisation == "Tees Employment Partnership"


def test_a_profile_saved_by_someone_else_since_opening_is_not_overwritten(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    records.update_profile(people["kim"], record.id, PROFILE | {"stage": "progressing"}, 1)
    with pytest.raises(RecordChanged, match="^kim saved this client's record after you opened it"):
        records.update_profile(people["kim"], record.id, PROFILE | {"stage": "early"}, 1)
    assert records.open(people["kim"], record.id).profile["stage"] == "progressing"


def test_a_profile_the_planner_cannot_read_is_refused_on_the_write_path(directory, people):
    records = ClientRecords(directory)
    with pytest.raises(ValueError, match="^stage: must be one of crisis, early, stabilising, progressing, sustained$"):
        records.create(people["kim"], "C-0042", PROFILE | {"stage": "recovered"})
    assert records.list_for(people["kim"]) == []
    record = records.create(people["kim"], "C-0042", PROFILE)
    with pytest.raises(ValueError, match="^max_travel_kms: unknown field"):
        records.update_profile(people["kim"], record.id, PROFILE | {"max_travel_kms": 5}, 1)
    with pytest.raises(ValueError, match="^postcode: 'not a postcode' is not a UK postcode"):
        records.update_profile(people["kim"], record.id, PROFILE | {"postcode": "not a postcode"}, 1)
    kept = records.open(people["kim"], record.id)
    assert (kept.version, kept.profile) == (1, PROFILE)
    # The record's own reference wins over any other the profile names.
    assert records.update_profile(people["kim"], record.id, PROFILE | {"ref": "C-9"}, 1).profile["ref"] == "C-0042"


def test_every_read_and_change_is_logged_and_only_coordinators_see_the_log(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    records.open(people["kim"], record.id)
    records.add_action(people["kim"], record.id, "Visit the job club", "client", due=dt.date(2026, 12, 1))
    with pytest.raises(AccessDenied, match="^only coordinators can view the access log$"):
        records.access_log(people["kim"])
    log = records.access_log(people["cy"], client_ref="C-0042")
    assert [(e.username, e.action) for e in reversed(log)] == [("kim", "create"), ("kim", "read"), ("kim", "plan changed")]


def test_plans_reviews_export_and_erasure(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    later = records.add_action(people["kim"], record.id, "Book a mock interview", "employment_specialist", due=dt.date(2026, 12, 10))
    sooner = records.add_action(people["kim"], record.id, "Ring the kitchen volunteering SPOC", "client", due=dt.date(2026, 12, 1))
    records.update_action(people["kim"], record.id, sooner.id, status="done")
    assert [(a.title, a.status) for a in records.actions(people["kim"], record.id)] == [
        ("Ring the kitchen volunteering SPOC", "done"), ("Book a mock interview", "to_do")]
    records.add_review(people["kim"], record.id, dt.date(2026, 12, 15), ["client", "keyworker", "employment_specialist"],
                       "stabilising", "amber", 4, "soft_skills", "Start volunteering",
                       [{"step": "training", "by": "client", "accepted": False, "reason": "not yet"}])
    exported = records.export(people["kim"], record.id)
    assert (exported["ref"], exported["held_by"], len(exported["actions"]), exported["reviews"][0]["held_on"]) == (
        "C-0042", "Tees Recovery Service", 2, "2026-12-15")
    assert later.id != sooner.id
    records.erase(people["kim"], record.id)
    with pytest.raises(AccessDenied):
        records.open(people["kim"], record.id)
    assert records.access_log(people["cy"], client_ref="C-0042")[0].action == "erased"
    assert records.list_for(people["kim"]) == []


def test_the_access_log_names_the_holder_filters_by_reference_and_words_every_action(directory, people):
    from directory.clients import ACCESS_ACTIONS

    records = ClientRecords(directory)
    kims = records.create(people["kim"], "C-0042", PROFILE)
    elis = records.create(people["eli"], "C-0042", PROFILE)  # the same reference at another organisation
    other = records.create(people["eli"], "c-7", PROFILE | {"ref": "c-7"})
    records.open(people["kim"], kims.id)
    records.update_profile(people["kim"], kims.id, PROFILE | {"stage": "early"}, 1)
    records.give_consent(people["kim"], kims.id, "Tees Employment Partnership", dt.date(2026, 11, 2))
    records.withdraw_consent(people["kim"], kims.id, "Tees Employment Partnership", dt.date(2026, 11, 3))
    action = records.add_action(people["kim"], kims.id, "Visit the job club", "client")
    records.update_action(people["kim"], kims.id, action.id, status="doing")
    records.add_review(people["kim"], kims.id, dt.date(2026, 11, 4), ["client"], "early", "amber", 3, "health", None, [])
    exported = records.export(people["kim"], kims.id)  # reads the record, plan and reviews, then logs the export
    records.erase(people["eli"], other.id)

    assert [(a["username"], a["action"], a["organisation"]) for a in exported["access_log"]][:2] == [
        ("kim", "create", "Tees Recovery Service"), ("kim", "read", "Tees Recovery Service")]
    log = records.access_log(people["cy"], client_ref="C-0042")
    assert [(e.client_ref, e.organisation, e.username, e.action) for e in reversed(log)] == [
        ("C-0042", "Tees Recovery Service", "kim", "create"),
        ("C-0042", "Tees Employment Partnership", "eli", "create"),
        ("C-0042", "Tees Recovery Service", "kim", "read"),
        ("C-0042", "Tees Recovery Service", "kim", "update"),
        ("C-0042", "Tees Recovery Service", "kim", "consent"),
        ("C-0042", "Tees Recovery Service", "kim", "consent withdrawn"),
        ("C-0042", "Tees Recovery Service", "kim", "plan changed"),
        ("C-0042", "Tees Recovery Service", "kim", "plan changed"),
        ("C-0042", "Tees Recovery Service", "kim", "review recorded"),
        ("C-0042", "Tees Recovery Service", "kim", "read"),
        ("C-0042", "Tees Recovery Service", "kim", "plan read"),
        ("C-0042", "Tees Recovery Service", "kim", "reviews read"),
        ("C-0042", "Tees Recovery Service", "kim", "exported"),
    ]
    assert elis.organisation == "Tees Employment Partnership"
    everything = records.access_log(people["cy"])
    assert [(e.client_ref, e.action) for e in everything[:2]] == [("c-7", "erased"), ("C-0042", "exported")]
    # Every action logged has words on the page (refusals: tests/security/test_client_records.py; referrals':
    # tests/test_referrals.py).
    assert {e.action for e in everything} == {a for a in ACCESS_ACTIONS if not a.startswith("referral")} - {"refused"}
    assert len(records.access_log(people["cy"], limit=3)) == 3
    assert records.access_log_refs(people["cy"]) == ["C-0042", "c-7"]
    with pytest.raises(AccessDenied, match="^only coordinators can view the access log$"):
        records.access_log_refs(people["kim"])
