"""Unmet needs: recorded with the postcode district only, validated, summarised beside provision; both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from directory import unmet as U
from directory.models import UnmetNeed
from directory.errors import NotAllowed


def test_a_full_postcode_is_cut_to_its_district_before_it_is_stored(directory):
    record = U.record_unmet_need(directory, "training", "ts1 3ba", "early", ["transport", "childcare", "transport"],
                                 "victor", "search", dt.date(2025, 1, 10))

    assert (record.category, record.district, record.stage, record.barriers, record.recorded_on, record.source) == (
        "training", "TS1", "early", ("transport", "childcare"), dt.date(2025, 1, 10), "search")  # in table order
    with directory.reader() as reading:
        session = reading.session
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


def test_barriers_in_words_for_people_to_read(directory):
    _provision_and_needs(directory)

    frame = U.unmet_summary(directory, by_month=False, plain=True)

    assert frame["top_barriers"].tolist() == [
        "Transport or its cost (2), Childcare or dependants (1)", "Housing or homelessness (1)", "",
        "Confidence (1)"]


# -- over time, beside the provision there was ----------------------------------------------------------


def _place(entry_id, category, postcode, lat, lon, delivery=("in_person",)):
    from directory.fields import Entry

    return Entry(id=entry_id, name=entry_id, organisation="Org", category=category, postcode=postcode,
                 latitude=lat, longitude=lon, delivery=delivery)


def _need(category, district, on):
    return U.UnmetNeedRecord(0, category, district, None, (), on, "bob", "search")


def test_needs_over_time_beside_the_provision_alive_at_each_month_end():
    from directory.health.freshness import EntryState

    day = dt.date
    entries = [
        _place("a", "training", "TS1 3BA", 54.572, -1.235),
        _place("b", "training", "TS1 2AH", 54.573, -1.228),
        _place("c", "training", "TS5 6PY", 54.560, -1.235),
        _place("d", "training", "TS1 3BA", 54.572, -1.235, delivery=("online",)),  # not local provision
        _place("e", "housing", "TS1 3BA", 54.572, -1.235),
    ]
    timelines = {
        "a": [EntryState(day(2025, 1, 15), None, False)],
        "b": [EntryState(day(2025, 1, 10), None, False), EntryState(day(2025, 2, 20), None, True)],  # archived in Feb
        "c": [EntryState(day(2025, 3, 1), None, False)],
        "d": [EntryState(day(2025, 1, 1), None, False)],
        "e": [EntryState(day(2025, 2, 10), None, False)],
    }
    needs = [_need("training", "TS1", day(2025, 1, 10)), _need("training", "TS1", day(2025, 1, 20)),
             _need("housing", "TS1", day(2025, 2, 3)), _need("training", "TS5", day(2025, 3, 2)),
             _need("training", None, day(2025, 3, 5))]
    as_of = [day(2025, 1, 31), day(2025, 2, 28), day(2025, 3, 12)]

    every = U.needs_over_time(needs, timelines, entries, as_of)
    training = U.needs_over_time(needs, timelines, entries, as_of, category="training")
    training_ts1 = U.needs_over_time(needs, timelines, entries, as_of, category="training", district="TS1")

    assert every.columns.tolist() == U.OVER_TIME_COLUMNS
    assert [tuple(r) for r in every.itertuples(index=False)] == [
        ("2025-01", 2, 2), ("2025-02", 1, 2), ("2025-03", 2, 3)]
    assert [tuple(r) for r in training.itertuples(index=False)] == [
        ("2025-01", 2, 2), ("2025-02", 0, 1), ("2025-03", 2, 2)]
    assert [tuple(r) for r in training_ts1.itertuples(index=False)] == [
        ("2025-01", 2, 2), ("2025-02", 0, 1), ("2025-03", 0, 1)]


def test_unmet_over_time_replays_the_directory(directory):
    from directory.health.freshness import month_ends

    today = dt.date.today()
    _provision_and_needs(directory)  # four training courses created today, needs recorded in 2025
    directory.archive("t2", "alice", "closed")
    U.record_unmet_need(directory, "training", "TS1", None, ["debt"], "bob", "search", today)
    U.record_unmet_need(directory, "training", "TS5 6PY", None, [], "bob", "plan", today)

    frame = U.unmet_over_time(directory, today, 2, category="training")
    ts1 = U.unmet_over_time(directory, today, 2, category="training", district="TS1")

    months = [d.strftime("%Y-%m") for d in month_ends(today, 2)]
    # Last month: nothing existed yet. Now: t1 (TS1) and t3 (TS5, outreach); t2 archived, t4 online only.
    assert [tuple(r) for r in frame.itertuples(index=False)] == [(months[0], 0, 0), (months[1], 2, 2)]
    assert [tuple(r) for r in ts1.itertuples(index=False)] == [(months[0], 0, 0), (months[1], 1, 1)]


def test_months_to_cover_goes_back_to_the_first_need(directory):
    today = dt.date(2025, 6, 15)
    assert U.months_to_cover(directory, today, None) == 1  # nothing recorded yet
    assert U.months_to_cover(directory, today, 6) == 6
    _provision_and_needs(directory)  # the first in January 2025
    assert U.months_to_cover(directory, today, None) == 6


def test_unmet_over_time_across_months_with_backdated_history(directory):
    from tests.test_health import _backdate

    _provision_and_needs(directory)  # needs: TS1 training x2 in Jan 2025, TS5 training in Feb, ...
    directory.archive("t2", "alice", "closed")
    for entry_id, version, day in [("t1", 1, dt.date(2024, 12, 20)), ("t2", 1, dt.date(2025, 1, 5)),
                                   ("t2", 2, dt.date(2025, 2, 10)), ("t3", 1, dt.date(2025, 2, 1)),
                                   ("t4", 1, dt.date(2024, 12, 1))]:
        _backdate(directory, entry_id, version, day)

    frame = U.unmet_over_time(directory, dt.date(2025, 3, 15), 4, category="training")
    ts1 = U.unmet_over_time(directory, dt.date(2025, 3, 15), 4, category="training", district="TS1")

    # t1 (TS1) from December; t2 (TS1) in January only; t3 (TS5, outreach) from February; t4 is online only.
    assert [tuple(r) for r in frame.itertuples(index=False)] == [
        ("2024-12", 0, 1), ("2025-01", 2, 2), ("2025-02", 1, 2), ("2025-03", 0, 2)]
    assert [tuple(r) for r in ts1.itertuples(index=False)] == [
        ("2024-12", 0, 1), ("2025-01", 2, 2), ("2025-02", 0, 1), ("2025-03", 0, 1)]


def test_districts_in_natural_order(directory):
    for where in ("TS18 1AA", "TS3", "TS1", "TS5"):
        U.record_unmet_need(directory, "training", where, None, [], "bob", "search", dt.date(2025, 1, 10))

    assert U.unmet_summary(directory, by_month=False)["district"].tolist() == ["TS1", "TS3", "TS5", "TS18"]
