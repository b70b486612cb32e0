"""Unmet needs: recorded with the postcode district only, validated, summarised beside provision; both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from directory import unmet as U
from directory.models import UnmetNeed
from directory.store import NotAllowed


def test_a_full_postcode_is_cut_to_its_district_before_it_is_stored(directory):
    record = U.record_unmet_need(directory, "training", "ts1 3ba", "early", ["transport", "childcare", "transport"],
                                 "victor", "search", dt.date(2025, 1, 10))

    assert (record.category, record.district, record.stage, record.barriers, record.recorded_on, record.source) == (
        "training", "TS1", "early", ("transport", "childcare"), dt.date(2025, 1, 10), "search")  # in table order
    with directory._read() as session:
        [row] = session.scalars(select(UnmetNeed)).all()
    assert (row.district, row.barriers, row.recorded_by) == ("TS1", ["transport", "childcare"], "victor")


@pytest.mark.parametrize("text, district", [
    ("TS1 3BA", "TS1"), ("ts5", "TS5"), (" TS1 3 ", "TS1"), ("TS13", "TS13"), ("", None), (None, None)])
def test_only_the_district_is_kept(text, district):
    assert U.district_only(text) == district


@pytest.mark.parametrize("text", ["John Smith", "jo@example.org", "07700 900123", "12 High Street, TS1 3BA"])
def test_anything_but_a_postcode_or_district_is_refused(text):
    with pytest.raises(U.InvalidUnmetNeed) as raised:
        U.district_only(text)
    assert str(raised.value) == (f"'{text}' is not a postcode or a postcode district: type one like TS1 3BA or TS1 "
                                 "(only the district is kept), and never a name or an address")


@pytest.mark.parametrize("arguments, message", [
    ({"category": "jobs"}, "unknown category 'jobs': use one of treatment, recovery_support, health_wellbeing, housing, "
                           "money_advice, basic_skills, training, volunteering, work_placement, employment_support, "
                           "employer, self_employment, peer_mentoring, in_work_support"),
    ({"stage": "ready"}, "unknown recovery stage 'ready': use one of crisis, early, stabilising, progressing, sustained"),
    ({"barriers": ["bus"]}, "unknown barrier 'bus': use any of debt, benefits_worries, digital_skills, confidence, "
                            "transport, no_id_or_bank_account, childcare, housing, literacy, language, health, convictions"),
    ({"source": "phone"}, "unknown source 'phone': use 'search' or 'plan'"),
    ({"on": dt.date.today() + dt.timedelta(days=1)}, "the date cannot be in the future"),
])
def test_codes_are_checked(directory, arguments, message):
    values = {"category": "training", "postcode_or_district": "TS1", "stage": None, "barriers": [], "by": "alice",
              "source": "search", "on": dt.date(2025, 1, 1)} | arguments
    with pytest.raises(U.InvalidUnmetNeed) as raised:
        U.record_unmet_need(directory, **values)
    assert str(raised.value) == message


def test_an_unknown_user_cannot_record(directory):
    with pytest.raises(NotAllowed):
        U.record_unmet_need(directory, "training", "TS1", None, [], "mallory")


def _provision_and_needs(directory) -> None:
    for entry_id, postcode, category, delivery in [
        ("t1", "TS1 3BA", "training", ("in_person",)), ("t2", "TS1 2AH", "training", ("in_person", "online")),
        ("t3", "TS5 6PY", "training", ("outreach",)), ("t4", "TS1 3BA", "training", ("online",)),
    ]:
        directory.create({"id": entry_id, "name": f"Course {entry_id}", "organisation": "Tees College",
                          "category": category, "postcode": postcode, "delivery": delivery}, "alice")
    for category, where, barriers, source, on in [
        ("training", "TS1 3BA", ["transport", "childcare"], "search", dt.date(2025, 1, 10)),
        ("training", "ts1", ["transport"], "plan", dt.date(2025, 1, 20)),
        ("training", "TS5 6PY", [], "search", dt.date(2025, 2, 1)),
        ("housing", "TS1 2AH", ["housing"], "plan", dt.date(2025, 2, 3)),
        ("volunteering", None, ["confidence"], "plan", dt.date(2025, 2, 5)),
    ]:
        U.record_unmet_need(directory, category, where, "stabilising", barriers, "bob", source, on)


def test_unmet_summary_by_district_category_and_month_beside_provision(directory):
    _provision_and_needs(directory)

    frame = U.unmet_summary(directory)

    # t4 is online only, so TS1 has two training entries people can go to.
    assert frame.to_dict("records") == [
        {"district": "TS1", "category": "training", "month": "2025-01", "unmet": 2, "provision": 2,
         "top_barriers": "transport (2), childcare (1)"},
        {"district": "TS1", "category": "housing", "month": "2025-02", "unmet": 1, "provision": 0,
         "top_barriers": "housing (1)"},
        {"district": "TS5", "category": "training", "month": "2025-02", "unmet": 1, "provision": 1, "top_barriers": ""},
        {"district": "(no district)", "category": "volunteering", "month": "2025-02", "unmet": 1, "provision": 0,
         "top_barriers": "confidence (1)"},
    ]
    assert U.unmet_summary(directory, since=dt.date(2025, 2, 1))["unmet"].tolist() == [1, 1, 1]


def test_unmet_totals_over_the_period_most_first(directory):
    _provision_and_needs(directory)

    frame = U.unmet_summary(directory, by_month=False)

    assert frame.columns.tolist() == ["district", "category", "unmet", "provision", "top_barriers"]
    assert [tuple(r) for r in frame[["district", "category", "unmet", "provision"]].itertuples(index=False)] == [
        ("TS1", "training", 2, 2), ("TS1", "housing", 1, 0), ("TS5", "training", 1, 1), ("(no district)", "volunteering", 1, 0)]


def test_an_empty_summary_has_the_columns():
    frame = U.summarise([], U.provision_by_district([]))
    assert frame.columns.tolist() == U.SUMMARY_COLUMNS and frame.empty
