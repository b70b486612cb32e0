"""`fields.Entry` keeps most fields in slots and the rest (its traits) in one tuple of those not at their default:
it must still read, compare, hash, copy and pickle as the frozen dataclass it replaced."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle

import pytest

from directory import fields as F
from directory.fields import Entry

# A value for every field, none of them its default: falsy ones included (0, False, an empty delivery).
EVERY_FIELD = dict(
    id="e1", name="Job Club", organisation="Tees Works", category="employment_support", description="Weekly.",
    address="1 High St", postcode="TS1 1AA", latitude=54.57, longitude=-1.23, delivery=(), url="https://a.example",
    email="a@example.org", phone="01642 000000", contact_name="Sam", contact_role="Coordinator",
    contact_email="sam@example.org", contact_phone="07700 900000", schedule="Mon 09:00-12:00", term_time_only=False,
    start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 7, 1), stages=("early",), continuum_steps=("engage",),
    eligible_benefits=("uc",), min_age=0, max_age=25, requires_abstinence=False, drug_testing=True,
    accepts_convictions="case_by_case", dbs_check="none", cost="free", travel_costs_paid=True, childcare=False,
    format=("group",), referral="self", waiting_days=0, hours_per_week=0.0, languages=("en", "pl"),
    accessibility="Step-free", sector="hospitality", tags=("cafe",), for_groups=("women",), mentoring_role="get",
    last_verified=dt.date(2026, 11, 30), version=3, archived=True, last_verified_by="bob",
    updated_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc), updated_by="alice", merged_into="e0",
    meta={"planted": True},
)


def test_every_field_reads_back_as_given_and_the_rest_as_their_defaults():
    entry = Entry(**EVERY_FIELD)
    assert {n: getattr(entry, n) for n in EVERY_FIELD} == EVERY_FIELD
    assert (entry.term_time_only, entry.min_age, entry.hours_per_week, entry.delivery) == (False, 0, 0.0, ())
    bare = Entry("e2", "Garden", "Green Tees", "volunteering")
    assert {n: getattr(bare, n) for n in F.COLUMNS if n not in ("id", "name", "organisation", "category")} == {
        n: F.EMPTY_ENTRY[n] for n in F.COLUMNS if n not in ("id", "name", "organisation", "category")}
    assert (bare.version, bare.archived, bare.merged_into, bare.meta) == (0, False, None, F.NO_META)
    assert (bare.in_person, bare.is_free, bare.has_position) == (True, False, False)
    assert list(Entry.__slots__) == [*F._OWN_FIELDS, "_traits"]
    assert bare._traits == (bare._traits[0], "volunteering")  # only the category: every other trait its default


def test_equal_values_compare_and_hash_equal_however_they_were_given():
    given_defaults = Entry("e2", "Garden", "Green Tees", "volunteering", delivery=("in_person",), archived=False)
    assert given_defaults == Entry("e2", "Garden", "Green Tees", "volunteering")
    assert hash(given_defaults) == hash(Entry("e2", "Garden", "Green Tees", "volunteering"))
    assert Entry("e2", "Garden", "Green Tees", "volunteering", min_age=0) != Entry("e2", "Garden", "Green Tees",
                                                                                   "volunteering")
    # meta is not compared, as before
    assert Entry(**EVERY_FIELD) == Entry(**{**EVERY_FIELD, "meta": {}})
    assert Entry(**EVERY_FIELD) != Entry(**{**EVERY_FIELD, "cost": "£2"})
    assert (Entry(**EVERY_FIELD) == "e1") is False


def test_it_is_still_a_frozen_dataclass_to_replace_copy_and_pickle():
    entry = Entry(**EVERY_FIELD)
    assert [f.name for f in dataclasses.fields(Entry)] == [*F.COLUMNS, "version", "archived", "last_verified_by",
                                                           "updated_at", "updated_by", "merged_into", "meta"]
    changed = dataclasses.replace(entry, cost=None, name="Job Club (new room)")
    assert (changed.cost, changed.name, changed.stages, changed.meta) == (None, "Job Club (new room)", ("early",),
                                                                          {"planted": True})
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.cost = "£5"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del entry.name
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Entry("e3", "A", "B", "training", colour="red")
    for twin in (pickle.loads(pickle.dumps(entry)), copy.copy(entry), copy.deepcopy(entry)):
        assert twin == entry and dict(twin.meta) == {"planted": True}
    bare = pickle.loads(pickle.dumps(Entry("e2", "Garden", "Green Tees", "volunteering")))
    assert bare.meta is F.NO_META
    assert repr(Entry("e2", "Garden", "Green Tees", "volunteering")).startswith(
        "Entry(id='e2', name='Garden', organisation='Green Tees', category='volunteering', description=None,")


def test_a_load_shares_one_traits_tuple_between_entries_with_the_same_traits():
    shared: dict = {}
    first = F.share_traits(Entry("a", "One", "Org", "training", stages=("early",), cost="free"), shared)
    second = F.share_traits(Entry("b", "Two", "Org", "training", stages=("early",), cost="free"), shared)
    other = F.share_traits(Entry("c", "Three", "Org", "training", stages=("early",)), shared)
    assert first._traits is second._traits and other._traits is not first._traits
    assert (second.stages, second.cost, other.cost) == (("early",), "free", None)
