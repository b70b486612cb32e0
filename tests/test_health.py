"""Provision health: staleness, verification requests, duplicates, merge, feedback; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from directory.errors import InvalidFeedback
from directory.health import feedback, freshness, merging, verification
from directory.duplicates import find_duplicate_pairs
from directory.fields import Entry
from directory.models import Revision
from directory.errors import ConflictError, DirectoryError, NotAllowed

TODAY = dt.date(2025, 8, 31)


def make(directory, entry_id: str, author: str = "alice", **values) -> Entry:
    base = {"id": entry_id, "name": f"Entry {entry_id}", "organisation": "Tees Valley Recovery", "category": "training",
            "postcode": "TS1 3BA"}
    return directory.create(base | values, author)


def utc_today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


# -- staleness -------------------------------------------------------------------------------------


def test_six_months_back_is_the_same_day_clamped_to_the_month_end():
    assert freshness.stale_before(dt.date(2025, 8, 31)) == dt.date(2025, 2, 28)
    assert freshness.stale_before(dt.date(2024, 8, 31)) == dt.date(2024, 2, 29)
    assert freshness.stale_before(dt.date(2025, 3, 15)) == dt.date(2024, 9, 15)
    assert freshness.stale_before(dt.date(2025, 3, 15), months=3) == dt.date(2024, 12, 15)


def test_verified_exactly_six_months_ago_is_fresh_the_day_before_is_stale(directory):
    for entry_id in ("boundary", "day-before", "never", "recent"):
        make(directory, entry_id)
    directory.verify("boundary", "bob", on=dt.date(2025, 2, 28))
    directory.verify("day-before", "bob", on=dt.date(2025, 2, 27))
    directory.verify("recent", "carol", on=dt.date(2025, 8, 1))

    stale = freshness.stale_entries(directory, TODAY)

    assert [(s.entry.id, s.last_verified, s.days_since_verified, s.last_editor) for s in stale] == [
        ("never", None, None, "alice"),
        ("day-before", dt.date(2025, 2, 27), 185, "bob"),
    ]
    assert [s.last_touched.action for s in stale] == ["create", "verify"]
    assert [s.open_request for s in stale] == [None, None]
    assert [s.entry.id for s in freshness.stale_entries(directory, TODAY, months=1)] == ["never", "day-before", "boundary"]


def test_archived_entries_are_never_stale(directory):
    make(directory, "gone")
    directory.archive("gone", "bob", "closed down")
    assert freshness.stale_entries(directory, TODAY) == []


def test_summary_puts_the_stalest_organisations_and_editors_first(directory):
    # Old Town Trust: 3 stale, 2 never verified; Tees Valley Recovery: 3 stale, 1 never; Cafe Co: 1 stale.
    for entry_id, organisation, author in [
        ("o1", "Old Town Trust", "bob"), ("o2", "Old Town Trust", "bob"), ("o3", "Old Town Trust", "alice"),
        ("t1", "Tees Valley Recovery", "alice"), ("t2", "Tees Valley Recovery", "alice"),
        ("t3", "Tees Valley Recovery", "alice"), ("c1", "Cafe Co", "bob"), ("fresh", "Cafe Co", "bob"),
    ]:
        make(directory, entry_id, author, organisation=organisation)
    directory.verify("o3", "carol", on=dt.date(2024, 1, 10))
    directory.verify("t1", "carol", on=dt.date(2024, 6, 1))
    directory.verify("t2", "alice", on=dt.date(2023, 12, 1))
    directory.verify("fresh", "bob", on=dt.date(2025, 8, 30))

    summary = freshness.staleness_summary(freshness.stale_entries(directory, TODAY))

    assert summary.total == 7
    assert [(g.key, g.stale, g.never_verified, g.oldest_verified, g.max_days_since_verified)
            for g in summary.by_organisation] == [
        ("Old Town Trust", 3, 2, dt.date(2024, 1, 10), 599),
        ("Tees Valley Recovery", 3, 1, dt.date(2023, 12, 1), 639),
        ("Cafe Co", 1, 1, None, None),
    ]
    assert summary.by_organisation[0].entry_ids == ("o1", "o2", "o3")
    # Last touched: o1, o2, c1 by bob (created); t3 by alice (created), t2 by alice (verified); o3, t1 by carol.
    assert [(g.key, g.stale, g.never_verified) for g in summary.by_last_editor] == [
        ("bob", 3, 3), ("alice", 2, 1), ("carol", 2, 0),
    ]


# -- freshness over time --------------------------------------------------------------------------


def _backdate(directory, entry_id: str, version: int, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.timezone.utc)
    with directory.engine.begin() as connection:
        connection.execute(update(Revision).where(Revision.entry_id == entry_id, Revision.version == version).values(at=moment))


def test_freshness_over_time_replays_creates_verifies_and_archives(directory):
    make(directory, "e1")
    directory.verify("e1", "bob", on=dt.date(2025, 1, 10))
    make(directory, "e2")
    make(directory, "e3")
    directory.archive("e3", "carol", "closed")
    for entry_id, version, day in [("e1", 1, dt.date(2024, 12, 5)), ("e1", 2, dt.date(2025, 1, 10)),
                                   ("e2", 1, dt.date(2025, 2, 15)), ("e3", 1, dt.date(2024, 12, 1)),
                                   ("e3", 2, dt.date(2025, 3, 2))]:
        _backdate(directory, entry_id, version, day)
    today = dt.date(2025, 8, 15)

    frame = freshness.freshness_over_time(directory, today, months=9)

    assert frame.to_dict("records") == [
        {"month": "2024-12", "as_of": dt.date(2024, 12, 31), "entries": 2, "fresh": 0, "stale": 2, "never_verified": 2},
        {"month": "2025-01", "as_of": dt.date(2025, 1, 31), "entries": 2, "fresh": 1, "stale": 1, "never_verified": 1},
        {"month": "2025-02", "as_of": dt.date(2025, 2, 28), "entries": 3, "fresh": 1, "stale": 2, "never_verified": 2},
        {"month": "2025-03", "as_of": dt.date(2025, 3, 31), "entries": 2, "fresh": 1, "stale": 1, "never_verified": 1},
        {"month": "2025-04", "as_of": dt.date(2025, 4, 30), "entries": 2, "fresh": 1, "stale": 1, "never_verified": 1},
        {"month": "2025-05", "as_of": dt.date(2025, 5, 31), "entries": 2, "fresh": 1, "stale": 1, "never_verified": 1},
        {"month": "2025-06", "as_of": dt.date(2025, 6, 30), "entries": 2, "fresh": 1, "stale": 1, "never_verified": 1},
        {"month": "2025-07", "as_of": dt.date(2025, 7, 31), "entries": 2, "fresh": 0, "stale": 2, "never_verified": 1},
        {"month": "2025-08", "as_of": dt.date(2025, 8, 15), "entries": 2, "fresh": 0, "stale": 2, "never_verified": 1},
    ]
    assert frame["stale"].iloc[-1] == len(freshness.stale_entries(directory, today))


def test_live_on_replays_creates_and_archives(directory):
    make(directory, "e1")
    make(directory, "e2")
    make(directory, "e3")
    directory.archive("e3", "carol", "closed")
    for entry_id, version, day in [("e1", 1, dt.date(2024, 12, 5)), ("e2", 1, dt.date(2025, 2, 15)),
                                   ("e3", 1, dt.date(2024, 12, 1)), ("e3", 2, dt.date(2025, 3, 2))]:
        _backdate(directory, entry_id, version, day)
    timelines = freshness.revision_timelines(directory)

    assert freshness.live_on(timelines, dt.date(2024, 11, 30)) == set()
    assert freshness.live_on(timelines, dt.date(2024, 12, 5)) == {"e1", "e3"}  # created that day
    assert freshness.live_on(timelines, dt.date(2025, 2, 28)) == {"e1", "e2", "e3"}
    assert freshness.live_on(timelines, dt.date(2025, 3, 2)) == {"e1", "e2"}  # archived that day
    assert freshness.live_on(timelines, dt.date(2025, 2, 28), ["e2", "e3", "unknown"]) == {"e2", "e3"}


def test_month_ends_end_with_today():
    assert freshness.month_ends(dt.date(2025, 3, 10), 4) == [
        dt.date(2024, 12, 31), dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 10)]


# -- verification requests ------------------------------------------------------------------------


def test_a_request_is_open_until_the_entry_is_verified_and_shown_to_the_organisations_members(directory):
    make(directory, "cafe", name="Recovery Café")
    make(directory, "other", organisation="Old Town Trust")

    request = verification.request_verification(directory, "cafe", "carol", "Their phone number has changed?")

    assert (request.entry_id, request.entry_name, request.organisation, request.requested_by, request.status) == (
        "cafe", "Recovery Café", "Tees Valley Recovery", "carol", "open")
    assert request.note == "Their phone number has changed?"
    again = verification.request_verification(directory, "cafe", "carol", "asking twice")
    assert again.id == request.id and again.note == "Their phone number has changed?"
    # alice belongs to Tees Valley Recovery (tests/conftest.py); bob to no organisation.
    assert [r.id for r in verification.open_verification_requests(directory, username="alice")] == [request.id]
    assert verification.open_verification_requests(directory, username="bob") == []
    assert [r.id for r in verification.open_verification_requests(directory, organisation="tees valley  recovery")] == [request.id]
    assert verification.open_verification_requests(directory, organisation="Old Town Trust") == []
    [stale_cafe] = [s for s in freshness.stale_entries(directory, TODAY) if s.entry.id == "cafe"]
    assert stale_cafe.open_request.id == request.id

    directory.verify("cafe", "alice", on=utc_today())

    assert verification.open_verification_requests(directory) == []
    [resolved] = verification.verification_requests(directory, "cafe")
    assert (resolved.status, resolved.resolved_by, resolved.resolved_on) == ("verified", "alice", utc_today())
    # Open means "not verified since it was asked": setting the date back re-opens the same request.
    directory.update("cafe", {"last_verified": dt.date(2024, 1, 1)}, directory.get("cafe").version, "bob")
    assert [r.id for r in verification.open_verification_requests(directory)] == [request.id]
    assert verification.request_verification(directory, "cafe", "carol").id == request.id


def test_a_verification_dated_before_the_request_does_not_resolve_it(directory):
    make(directory, "cafe")
    verification.request_verification(directory, "cafe", "carol")
    directory.verify("cafe", "alice", on=utc_today() - dt.timedelta(days=3))
    assert [r.entry_id for r in verification.open_verification_requests(directory)] == ["cafe"]


def test_only_coordinators_ask_for_verification_and_not_of_what_was_verified_today(directory):
    make(directory, "cafe", name="Recovery Café")
    with pytest.raises(NotAllowed) as raised:
        verification.request_verification(directory, "cafe", "bob")
    assert str(raised.value) == "only a coordinator can ask for an entry to be verified: Bob Smith is signed in as editor"
    directory.verify("cafe", "alice", on=utc_today())
    with pytest.raises(DirectoryError) as raised:
        verification.request_verification(directory, "cafe", "carol")
    assert str(raised.value) == "'Recovery Café' was verified today by alice: there is nothing to ask"


def test_withdrawn_and_archived_requests_are_not_open(directory):
    make(directory, "cafe")
    make(directory, "closed")
    request = verification.request_verification(directory, "cafe", "carol")
    verification.request_verification(directory, "closed", "carol")
    directory.archive("closed", "bob", "closed down")

    withdrawn = verification.withdraw_verification_request(directory, request.id, "carol")

    assert (withdrawn.status, withdrawn.resolved_by) == ("withdrawn", "carol")
    assert verification.open_verification_requests(directory) == []


# -- duplicates ----------------------------------------------------------------------------------


def entry(entry_id, name, organisation, lat=None, lon=None, **values) -> Entry:
    return Entry(id=entry_id, name=name, organisation=organisation, category="recovery_support",
                 latitude=lat, longitude=lon, **values)


FIXTURE = [
    entry("a1", "Tees Recovery Café", "Tees Valley Recovery", 54.572076, -1.234694),
    entry("a2", "Tees Recovery Cafe", "Tees Valley Recovery CIC", 54.573489, -1.22783),  # 469 m from a1
    entry("a3", "Tees Recovery Café", "Tees Valley Recovery", 54.590076, -1.234694),  # same name, 2 km north: no
    entry("a4", "Tees Recovery Cafe", "Middlesbrough Council", 54.572076, -1.234694),  # other organisation: no
    entry("b1", "Digital Skills Online", "Learn My Way"),  # no position: compared by organisation
    entry("b2", "Digital skills online!", "Learn My Way Ltd"),
    entry("b3", "Digital Skills Online", "Good Things Foundation"),  # other organisation: no
    entry("c1", "Job Club", "Jobcentre Plus", 54.59995, -1.2),  # c1, c2 straddle a grid-cell border
    entry("c2", "Jobclub", "Jobcentre Plus", 54.60005, -1.2002),
    entry("d1", "Recovery Café Tees", "Tees Valley Recovery", 54.5725, -1.2347, archived=True),
]


def test_duplicate_pairs_on_a_small_fixture():
    pairs = find_duplicate_pairs(FIXTURE)
    assert [(p.ids, p.name_similarity, p.organisation_similarity, p.distance_m) for p in pairs] == [
        (("b1", "b2"), 1.0, 1.0, None),
        (("a1", "a2"), 1.0, 1.0, 469),
        (("c1", "c2"), 0.93, 1.0, 17),
    ]


def test_pairs_marked_not_duplicate_are_skipped():
    assert [p.ids for p in find_duplicate_pairs(FIXTURE, skip={("a1", "a2"), ("b1", "b2")})] == [("c1", "c2")]


def test_duplicate_scan_of_the_directory_remembers_not_a_duplicate(directory):
    directory.create({"id": "a1", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "postcode": "TS1 3BA"}, "alice")
    directory.create({"id": "a2", "name": "Tees Recovery Cafe", "organisation": "Tees Valley Recovery CIC",
                      "category": "recovery_support", "postcode": "TS1 2AH", "phone": "01642 123456"}, "bob")
    directory.create({"id": "a4", "name": "Tees Recovery Cafe", "organisation": "Middlesbrough Council",
                      "category": "recovery_support", "postcode": "TS1 3BA"}, "bob")

    [pair] = merging.duplicate_pairs(directory)
    assert (pair.ids, pair.distance_m, pair.second.phone) == (("a1", "a2"), 469, "01642 123456")

    merging.mark_not_duplicate(directory, "a2", "a1", "bob")
    merging.mark_not_duplicate(directory, "a1", "a2", "alice")  # again: harmless

    assert merging.not_duplicate_pairs(directory) == {("a1", "a2")}
    assert merging.duplicate_pairs(directory) == []
    with pytest.raises(NotAllowed):
        merging.mark_not_duplicate(directory, "a1", "a4", "victor")


# -- merge ---------------------------------------------------------------------------------------


def _two_listings(directory) -> None:
    directory.create({"id": "s", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "postcode": "TS1 3BA", "schedule": "Tue 10:00-12:00"}, "alice")
    directory.create({"id": "d", "name": "Tees Recovery Cafe (Tuesdays)", "organisation": "Tees Valley Recovery",
                      "category": "recovery_support", "postcode": "TS1 2AH", "phone": "01642 123456",
                      "description": "Peer-led café."}, "bob")


def test_merge_keeps_both_histories_and_fills_the_survivors_gaps(directory):
    _two_listings(directory)

    result = merging.merge(directory, "s", "d", "carol")

    assert result.taken == ("description", "phone")
    survivor, merged = directory.get("s"), directory.get("d")
    assert (survivor.version, survivor.phone, survivor.description, survivor.postcode) == (
        2, "01642 123456", "Peer-led café.", "TS1 3BA")
    assert (merged.archived, merged.merged_into, merged.version) == (True, "s", 2)
    assert [(r.version, r.action, r.author, r.note) for r in directory.history("s")] == [
        (2, "merge", "carol", "merged d into this entry"), (1, "create", "alice", None)]
    assert directory.history("s")[0].changes == {"description": (None, "Peer-led café."), "phone": (None, "01642 123456")}
    assert [(r.version, r.action, r.author, r.note) for r in directory.history("d")] == [
        (2, "merge", "carol", "merged into s"), (1, "create", "bob", None)]
    assert directory.history("d")[0].changes == {"archived": (False, True), "merged_into": (None, "s")}
    assert merging.duplicate_pairs(directory) == []


def test_merge_takes_the_chosen_fields_and_the_position_travels_with_the_postcode(directory):
    _two_listings(directory)

    result = merging.merge(directory, "s", "d", "carol", {"name": "duplicate", "postcode": "duplicate", "schedule": "survivor"})

    assert result.taken == ("name", "postcode", "latitude", "longitude")
    survivor = directory.get("s")
    assert (survivor.name, survivor.postcode, survivor.latitude, survivor.longitude, survivor.phone, survivor.schedule) == (
        "Tees Recovery Cafe (Tuesdays)", "TS1 2AH", 54.573489, -1.22783, None, "Tue 10:00-12:00")


def test_a_merge_that_takes_nothing_still_records_it_on_the_survivor(directory):
    _two_listings(directory)

    merging.merge(directory, "s", "d", "carol", {})

    [latest, _] = directory.history("s")
    assert (latest.version, latest.action, latest.author, latest.note, latest.changes) == (
        2, "merge", "carol", "merged d into this entry", {})
    assert latest.snapshot["name"] == "Tees Recovery Café"


def test_a_merge_over_a_newer_edit_changes_nothing(directory):
    _two_listings(directory)
    directory.update("s", {"cost": "free"}, 1, "bob")

    with pytest.raises(ConflictError):
        merging.merge(directory, "s", "d", "carol", survivor_version=1)

    assert (directory.get("s").version, directory.get("d").archived) == (2, False)
    assert len(directory.history("d")) == 1


def test_merge_refuses_bad_choices_and_viewers(directory):
    _two_listings(directory)
    with pytest.raises(DirectoryError, match="^'colour' is not a field an entry can take from another$"):
        merging.merge(directory, "s", "d", "carol", {"colour": "duplicate"})
    with pytest.raises(DirectoryError, match="^for 'name' choose 'survivor' or 'duplicate'$"):
        merging.merge(directory, "s", "d", "carol", {"name": "both"})
    with pytest.raises(NotAllowed):
        merging.merge(directory, "s", "d", "victor")
    with pytest.raises(DirectoryError, match="^an entry cannot be merged into itself$"):
        merging.merge(directory, "s", "s", "carol")


def test_feedback_on_the_merged_entry_stays_attached_and_counts_for_the_survivor(directory):
    _two_listings(directory)
    feedback.record_feedback(directory, "s", 5, "Warm welcome", dt.date(2025, 5, 1), "alice")
    feedback.record_feedback(directory, "d", 2, "Closed when we went", dt.date(2025, 5, 2), "bob")

    merging.merge(directory, "s", "d", "carol")

    summary = feedback.feedback_summary(directory, "s")
    assert (summary.average, summary.count, [c.comment for c in summary.comments]) == (
        3.5, 2, ["Closed when we went", "Warm welcome"])
    assert [c.entry_id for c in summary.comments] == ["d", "s"]
    directory.unarchive("d", "carol", "not the same after all")
    assert feedback.feedback_summary(directory, "s").count == 1


# -- feedback ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rating, comment, given_on, message", [
    (0, None, dt.date(2025, 5, 1), "choose a rating from 1 (poor) to 5 (excellent)"),
    (6, None, dt.date(2025, 5, 1), "choose a rating from 1 (poor) to 5 (excellent)"),
    ("5", None, dt.date(2025, 5, 1), "choose a rating from 1 (poor) to 5 (excellent)"),
    (True, None, dt.date(2025, 5, 1), "choose a rating from 1 (poor) to 5 (excellent)"),
    (4, "x" * 501, dt.date(2025, 5, 1), "keep the comment to 500 characters or fewer (it has 501)"),
    (4, "Ask for jo.bloggs@example.org", dt.date(2025, 5, 1),
     "take the email address out of the comment: feedback must not say who the client is, or how to reach anyone"),
    (4, "Call her back on 07700 900 123", dt.date(2025, 5, 1),
     "take the phone number out of the comment: feedback must not say who the client is, or how to reach anyone"),
    (4, "Rang (01642) 123456 twice", dt.date(2025, 5, 1),
     "take the phone number out of the comment: feedback must not say who the client is, or how to reach anyone"),
    (4, None, dt.date.today() + dt.timedelta(days=1), "the date the feedback was given cannot be in the future"),
])
def test_feedback_validation_messages(directory, rating, comment, given_on, message):
    make(directory, "cafe")
    with pytest.raises(InvalidFeedback) as raised:
        feedback.record_feedback(directory, "cafe", rating, comment, given_on, "alice")
    assert str(raised.value) == message


def test_comments_with_dates_and_times_are_not_phone_numbers(directory):
    make(directory, "cafe")
    item = feedback.record_feedback(directory, "cafe", 4, "Went 12.03.2025, 9.30-12.30; 10/10 ", dt.date(2025, 3, 12), "victor")
    assert (item.rating, item.comment, item.recorded_by) == (4, "Went 12.03.2025, 9.30-12.30; 10/10", "victor")


def test_feedback_needs_a_known_user_and_a_live_entry(directory):
    make(directory, "cafe", name="Recovery Café")
    with pytest.raises(NotAllowed):
        feedback.record_feedback(directory, "cafe", 4, None, dt.date(2025, 5, 1), "mallory")
    directory.archive("cafe", "bob", "closed")
    with pytest.raises(DirectoryError, match="^'Recovery Café' is archived; record the feedback on the current entry$"):
        feedback.record_feedback(directory, "cafe", 4, None, dt.date(2025, 5, 1), "alice")


def test_feedback_summary_average_and_newest_visible_comments_first(directory):
    make(directory, "cafe")
    feedback.record_feedback(directory, "cafe", 5, "Great", dt.date(2025, 1, 5), "alice")
    feedback.record_feedback(directory, "cafe", 4, "", dt.date(2025, 2, 5), "bob")
    feedback.record_feedback(directory, "cafe", 1, "Nobody there", dt.date(2025, 3, 5), "victor")
    rude = feedback.record_feedback(directory, "cafe", 1, "Rude words", dt.date(2025, 4, 5), "bob")

    with pytest.raises(NotAllowed):
        feedback.hide_feedback(directory, rude.id, "bob", "offensive")
    with pytest.raises(DirectoryError, match="^say why the feedback is being hidden$"):
        feedback.hide_feedback(directory, rude.id, "carol", " ")
    hidden = feedback.hide_feedback(directory, rude.id, "carol", "offensive")

    assert hidden.hidden
    summary = feedback.feedback_summary(directory, "cafe")
    assert (summary.average, summary.count) == (3.33, 3)
    assert [(c.rating, c.comment, c.given_on) for c in summary.comments] == [
        (1, "Nobody there", dt.date(2025, 3, 5)), (5, "Great", dt.date(2025, 1, 5))]
    make(directory, "new")
    assert feedback.feedback_summary(directory, "new") == feedback.FeedbackSummary("new", None, 0, [])


def test_feedback_overview_low_averages_and_recent_complaints(directory):
    today = dt.date(2025, 6, 30)  # 90 days back: 2025-04-01
    for entry_id, name in [("low", "Low Average"), ("complained", "Recent Complaint"), ("fine", "Fine"),
                           ("old", "Old Complaint"), ("hidden", "Hidden Complaint")]:
        make(directory, entry_id, name=name)
    for entry_id, rating, day in [
        ("low", 2, dt.date(2024, 1, 1)), ("low", 3, dt.date(2024, 2, 1)),  # average 2.5: low
        ("complained", 5, dt.date(2025, 1, 1)), ("complained", 5, dt.date(2025, 2, 1)),
        ("complained", 2, dt.date(2025, 4, 1)),  # exactly 90 days ago: recent
        ("complained", 1, dt.date(2025, 6, 2)),
        ("fine", 5, dt.date(2025, 6, 1)), ("fine", 4, dt.date(2025, 6, 2)),
        ("old", 5, dt.date(2025, 1, 1)), ("old", 5, dt.date(2025, 1, 2)), ("old", 1, dt.date(2025, 3, 31)),
    ]:
        feedback.record_feedback(directory, entry_id, rating, f"{rating} stars", day, "alice")
    feedback.record_feedback(directory, "hidden", 5, None, dt.date(2025, 6, 1), "alice")
    spam = feedback.record_feedback(directory, "hidden", 1, "spam", dt.date(2025, 6, 1), "alice")
    feedback.hide_feedback(directory, spam.id, "carol", "spam")

    concerns = feedback.feedback_overview(directory, today)

    assert [(c.entry_id, c.average, c.count, c.recent_complaints, c.latest_complaint, c.reasons) for c in concerns] == [
        ("complained", 3.25, 4, 2, dt.date(2025, 6, 2), ("recent complaint",)),
        ("low", 2.5, 2, 0, None, ("low average",)),
    ]
    assert [c.comment for c in concerns[0].recent_comments] == ["1 stars", "2 stars"]
    assert [c.entry_id for c in feedback.feedback_overview(directory, today, low_rating=3.7)] == ["complained", "low", "old"]
