"""Provision health for coordinators: stale entries, duplicates and client feedback.

A provision map stays current only when everyone shares the upkeep, so
coordinators need to see where it is slipping. Everything here is
directory-side logic over the public API: functions return plain dataclasses or
pandas frames for pages to render. Every read and write goes through the unit
of work's repositories (`uow.feedback`, `uow.verification_requests`,
`uow.duplicate_decisions`, `uow.entries`), each write in one transaction, so it
is all-or-nothing; who may do what is asked of directory/accounts.py's roles.

Freshness
    `stale_entries` lists entries not verified for `months` (default 6), with
    who last touched them and any open "please verify" request;
    `staleness_summary` groups them by organisation and by last editor;
    `freshness_over_time` replays revisions to count stale and fresh entries
    at each month end.

Verification requests
    A coordinator's one-click "ask to verify" (`request_verification`). A
    request is *open* while the entry has not been verified on or after the
    day it was asked for: verifying resolves it, by whatever route the
    verification came (the entry page, the CLI, an import with a newer
    last-verified date), with nothing else to remember to call. The
    `resolved_at`/`resolved_by` columns are used only when a coordinator
    withdraws a request. Archived entries have no open requests.

Duplicates
    `duplicate_pairs` scans the whole directory with the one duplicate rule
    the import and adding an entry apply (directory/duplicates.py),
    blocked by map cell so it costs a few comparisons per entry.
    `mark_not_duplicate` remembers a "these are different" decision;
    `merge` folds one entry into another and keeps both histories.

Feedback
    Client feedback recorded by workers (research with local forums asked for a
    more formal way to collect it): a 1-5 rating and a short
    comment that must not identify anyone. Hidden feedback (a coordinator's
    decision) counts nowhere. Feedback stays attached to the entry it was
    given on; an entry's summary also includes feedback on entries merged
    into it, so a merge moves no rows and un-archiving undoes it exactly.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterable, Literal, Sequence

import pandas as pd
from directory import fields as F
from directory.accounts import can_edit, is_coordinator
from directory.duplicates import DuplicatePair, find_duplicate_pairs, pair_key
from directory.errors import DirectoryError, InvalidFeedback, NotAllowed, NotFound
from directory.models import EntryRow, Feedback, User, VerificationRequest, utcnow
from directory.store import as_utc, organisation_key

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork

STALE_AFTER_MONTHS = 6  # the issue: "entries not verified in 6 months (a setting)"

# -- who may do what ---------------------------------------------------------------------

# The roles' checks (directory/accounts.py) and who they let in, in words.
_COORDINATORS = (is_coordinator, "a coordinator")
_EDITORS = (can_edit, "an editor or a coordinator")


def _active_user(uow: UnitOfWork, username: str) -> User:
    user = uow.accounts.get(username)
    if user is None or not user.active:
        raise NotAllowed(f"unknown user '{username}': sign in, or create the account first")
    return user


def _require_role(uow: UnitOfWork, username: str, allowed: tuple[Callable[[User], bool], str], doing: str) -> User:
    user = _active_user(uow, username)
    check, who = allowed
    if not check(user):
        raise NotAllowed(f"only {who} can {doing}: {user.display_name} is signed in as {user.role}")
    return user


def _existing_entry(uow: UnitOfWork, entry_id: str, *, lock: bool = False) -> EntryRow:
    row = uow.entries.row(entry_id, lock=lock)
    if row is None:
        raise NotFound(f"no entry with id '{entry_id}'")
    return row


# -- freshness ---------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the month's end (31 Aug - 6 -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_before(today: dt.date, months: int = STALE_AFTER_MONTHS) -> dt.date:
    """Entries last verified before this day are stale; verified on it, they are exactly `months` old and still fresh."""
    return months_before(today, months)


def is_stale(last_verified: dt.date | None, today: dt.date, months: int = STALE_AFTER_MONTHS) -> bool:
    return last_verified is None or last_verified < stale_before(today, months)


@dataclass(frozen=True)
class VerificationRequestView:
    """A "please check this is still right", as the entry page and the organisation's members see it."""

    id: int
    entry_id: str
    entry_name: str
    organisation: str
    requested_by: str
    requested_at: dt.datetime
    note: str | None
    status: Literal["open", "verified", "withdrawn"]
    resolved_by: str | None  # who verified the entry, or who withdrew the request
    resolved_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class LastTouch:
    """The newest revision of an entry: who last touched it, how, and when."""

    author: str
    action: str
    at: dt.datetime


@dataclass(frozen=True)
class StaleEntry:
    entry: F.Entry
    last_verified: dt.date | None  # None: never verified
    days_since_verified: int | None  # None: never verified
    last_editor: str | None
    last_touched: LastTouch | None
    organisation: str
    open_request: VerificationRequestView | None


def _last_touches(uow: UnitOfWork) -> dict[str, LastTouch]:
    return {entry_id: LastTouch(author, action, as_utc(at)) for entry_id, author, action, at in uow.entries.last_touches()}


def stale_entries(directory: Directory, today: dt.date, months: int = STALE_AFTER_MONTHS,
                  *, entries: Iterable[F.Entry] | None = None) -> list[StaleEntry]:
    """Entries not verified in `months` months (or never), never-verified first, then the oldest.

    Pass `entries` when the page holds the live entries already (reading 50,000 takes seconds).
    """
    entries = directory.entries() if entries is None else entries
    entries = [e for e in entries if not e.archived and is_stale(e.last_verified, today, months)]
    with directory.reader() as uow:
        touches = _last_touches(uow)
    requests = {r.entry_id: r for r in open_verification_requests(directory)}
    stale = [
        StaleEntry(
            entry=e,
            last_verified=e.last_verified,
            days_since_verified=None if e.last_verified is None else (today - e.last_verified).days,
            last_editor=touches[e.id].author if e.id in touches else None,
            last_touched=touches.get(e.id),
            organisation=e.organisation,
            open_request=requests.get(e.id),
        )
        for e in entries
    ]
    return sorted(stale, key=_stalest_first)


def _stalest_first(item: StaleEntry):
    never = item.last_verified is None
    return (not never, item.last_verified or dt.date.min, item.organisation.casefold(), item.entry.name.casefold(), item.entry.id)


@dataclass(frozen=True)
class StaleGroup:
    key: str  # organisation name, or the username of the last editor ("(nobody)" if unknown)
    stale: int
    never_verified: int
    oldest_verified: dt.date | None  # the oldest verification among those ever verified
    max_days_since_verified: int | None  # among those ever verified
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class StalenessSummary:
    by_organisation: list[StaleGroup]
    by_last_editor: list[StaleGroup]
    total: int


def _group(stale: Sequence[StaleEntry], key_of) -> list[StaleGroup]:
    members: dict[str, list[StaleEntry]] = defaultdict(list)
    for item in stale:
        members[key_of(item)].append(item)
    groups = []
    for key, items in members.items():
        days = [i.days_since_verified for i in items if i.days_since_verified is not None]
        verified = [i.last_verified for i in items if i.last_verified is not None]
        groups.append(StaleGroup(
            key=key,
            stale=len(items),
            never_verified=sum(i.last_verified is None for i in items),
            oldest_verified=min(verified) if verified else None,
            max_days_since_verified=max(days) if days else None,
            entry_ids=tuple(i.entry.id for i in items),
        ))
    # "The stalest" first: most stale entries, then most never verified, then the longest unverified.
    return sorted(groups, key=lambda g: (-g.stale, -g.never_verified, -(g.max_days_since_verified or 0), g.key.casefold()))


def staleness_summary(stale: Sequence[StaleEntry]) -> StalenessSummary:
    """`stale_entries` grouped by organisation and by the editor who last touched each entry, stalest first."""
    return StalenessSummary(
        by_organisation=_group(stale, lambda i: i.organisation),
        by_last_editor=_group(stale, lambda i: i.last_editor or "(nobody)"),
        total=len(stale),
    )


# -- freshness over time: replaying revisions -------------------------------------------------


@dataclass(frozen=True)
class EntryState:
    """What one revision left an entry as, for the fields freshness depends on."""

    day: dt.date
    last_verified: dt.date | None
    archived: bool


def entry_timelines(revisions: Iterable[tuple[str, int, dt.datetime, list | None, list | None]]) -> dict[str, list[EntryState]]:
    """(entry_id, version, at, last_verified change, archived change) rows -> each entry's states in version order.

    A change is the revision's [old, new] pair for that field, or None when the revision did not touch it.
    """
    timelines: dict[str, list[EntryState]] = {}
    for entry_id, _version, at, verified_change, archived_change in sorted(revisions, key=lambda r: (r[0], r[1])):
        states = timelines.setdefault(entry_id, [])
        last_verified, archived = (states[-1].last_verified, states[-1].archived) if states else (None, False)
        if verified_change is not None:
            last_verified = dt.date.fromisoformat(verified_change[1]) if verified_change[1] else None
        if archived_change is not None:
            archived = bool(archived_change[1])
        states.append(EntryState(as_utc(at).date(), last_verified, archived))
    return timelines


def month_ends(today: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months - 1` previous months, then `today` (the month so far)."""
    ends = []
    for back in range(months - 1, 0, -1):
        first_of_month = months_before(today.replace(day=1), back - 1)
        ends.append(first_of_month - dt.timedelta(days=1))
    return ends + [today]


def freshness_timeline(
    timelines: dict[str, list[EntryState]], as_of: Sequence[dt.date], stale_months: int = STALE_AFTER_MONTHS
) -> pd.DataFrame:
    """For each day in `as_of`: how many entries existed (not archived), and how many of them were fresh or stale."""
    rows = []
    days_of = {entry_id: [s.day for s in states] for entry_id, states in timelines.items()}
    for day in as_of:
        cutoff = stale_before(day, stale_months)
        entries = fresh = never = 0
        for entry_id, states in timelines.items():
            position = bisect.bisect_right(days_of[entry_id], day)
            if position == 0:
                continue  # not created yet
            state = states[position - 1]
            if state.archived:
                continue
            entries += 1
            never += state.last_verified is None
            fresh += state.last_verified is not None and state.last_verified >= cutoff
        rows.append({"month": day.strftime("%Y-%m"), "as_of": day, "entries": entries, "fresh": fresh,
                     "stale": entries - fresh, "never_verified": never})
    return pd.DataFrame(rows, columns=["month", "as_of", "entries", "fresh", "stale", "never_verified"])


def revision_timelines(directory: Directory) -> dict[str, list[EntryState]]:
    """Every entry's states over time (`entry_timelines`), read from the revisions."""
    with directory.reader() as uow:
        revisions = uow.entries.freshness_changes()
    return entry_timelines(revisions)


def live_on(timelines: dict[str, list[EntryState]], day: dt.date, ids: Iterable[str] | None = None) -> set[str]:
    """The entries (of `ids`, or all) that existed and were not archived at the end of `day`."""
    live = set()
    for entry_id in timelines if ids is None else ids:
        states = timelines.get(entry_id)
        if not states:
            continue
        position = bisect.bisect_right([s.day for s in states], day)
        if position and not states[position - 1].archived:
            live.add(entry_id)
    return live


def freshness_over_time(directory: Directory, today: dt.date, months: int = 12, stale_months: int = STALE_AFTER_MONTHS) -> pd.DataFrame:
    """Stale and fresh counts at each of the last `months` month ends (the last row is today), from the revisions.

    "Fresh" means what `stale_entries` means, judged on the day: the last row's
    `stale` equals `len(stale_entries(directory, today))`.
    """
    return freshness_timeline(revision_timelines(directory), month_ends(today, months), stale_months)


# -- verification requests ----------------------------------------------------------------------

NOTE_LIMIT = 500


def _request_view(request: VerificationRequest, row: EntryRow) -> VerificationRequestView:
    requested_at = as_utc(request.requested_at)
    if request.resolved_at is not None:
        status, by, on = "withdrawn", request.resolved_by, as_utc(request.resolved_at).date()
    elif row.last_verified is not None and row.last_verified >= requested_at.date():
        status, by, on = "verified", row.last_verified_by, row.last_verified
    else:
        status, by, on = "open", None, None
    return VerificationRequestView(
        id=request.id, entry_id=row.id, entry_name=row.name, organisation=row.organisation.name,
        requested_by=request.requested_by, requested_at=requested_at, note=request.note,
        status=status, resolved_by=by, resolved_on=on,
    )


def request_verification(directory: Directory, entry_id: str, requested_by: str, note: str | None = None) -> VerificationRequestView:
    """Ask the entry's organisation to check it (coordinators only). Asking again while a request is open returns that one."""
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_LIMIT:
        raise DirectoryError(f"keep the note to {NOTE_LIMIT} characters or fewer (it has {len(note)})")
    with directory.unit_of_work() as uow:
        _require_role(uow, requested_by, _COORDINATORS, "ask for an entry to be verified")
        # Locking the entry makes "one open request per entry" hold when two coordinators click at once.
        row = _existing_entry(uow, entry_id, lock=True)
        if row.archived:
            raise DirectoryError(f"'{row.name}' is archived: bring it back before asking anyone to verify it")
        if row.last_verified is not None and row.last_verified >= utcnow().date():
            raise DirectoryError(f"'{row.name}' was verified today by {row.last_verified_by}: there is nothing to ask")
        for request, entry_row in uow.verification_requests.on_entry(entry_id):
            view = _request_view(request, entry_row)
            if view.is_open:
                return view
        request = uow.verification_requests.add(entry_id, requested_by, utcnow(), note)
        view = _request_view(request, row)
        uow.commit()
    return view


def withdraw_verification_request(directory: Directory, request_id: int, by: str) -> VerificationRequestView:
    """A coordinator takes a request back (asked in error, or the entry is being archived anyway)."""
    with directory.unit_of_work() as uow:
        _require_role(uow, by, _COORDINATORS, "withdraw a verification request")
        request = uow.verification_requests.get(request_id)
        if request is None:
            raise NotFound(f"no verification request {request_id}")
        row = _existing_entry(uow, request.entry_id)
        if _request_view(request, row).is_open:
            request.resolved_at, request.resolved_by = utcnow(), by
            uow.flush()
        view = _request_view(request, row)
        uow.commit()
    return view


def verification_requests(directory: Directory, entry_id: str) -> list[VerificationRequestView]:
    """Every request on one entry, oldest first: for the entry page."""
    with directory.reader() as uow:
        _existing_entry(uow, entry_id)
        return [_request_view(request, row) for request, row in uow.verification_requests.on_entry(entry_id)]


def open_verification_requests(
    directory: Directory, *, organisation: str | None = None, username: str | None = None
) -> list[VerificationRequestView]:
    """Open requests, oldest first: all of them, one organisation's, or (with `username`) those on the entries
    of the organisations that user belongs to, which is what they see when they sign in."""
    with directory.reader() as uow:
        member = _active_user(uow, username).id if username is not None else None
        requests = uow.verification_requests.unresolved(
            organisation_key=organisation_key(organisation) if organisation is not None else None,
            member_user_id=member)
        views = [_request_view(request, row) for request, row in requests]
    return [v for v in views if v.is_open]


# -- duplicates ---------------------------------------------------------------------------------

def not_duplicate_pairs(directory: Directory) -> set[tuple[str, str]]:
    with directory.reader() as uow:
        return uow.duplicate_decisions.pairs()


@dataclass(frozen=True)
class _Place:
    """What the scan needs of an entry (Directory.places()), so it does not load every field of 50,000."""

    id: str
    name: str
    organisation: str
    latitude: float | None
    longitude: float | None
    archived: bool

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def duplicate_pairs(directory: Directory, *, limit: int | None = None) -> list[DuplicatePair]:
    """Likely duplicates across the whole directory, most similar first, leaving out archived entries and
    pairs someone marked "not a duplicate". Each pair holds both full entries, for showing side by side."""
    places = [_Place(entry_id, name, organisation, lat, lon, archived)
              for entry_id, _version, archived, name, organisation, lat, lon in directory.places()]
    pairs = find_duplicate_pairs(places, skip=not_duplicate_pairs(directory))
    pairs = pairs if limit is None else pairs[:limit]
    ids = sorted({entry_id for pair in pairs for entry_id in pair.ids})
    full = {e.id: e for e in directory.entries(ids=ids)} if ids else {}
    return [replace(p, first=full[p.first.id], second=full[p.second.id]) for p in pairs]


def mark_not_duplicate(directory: Directory, a: str, b: str, by: str) -> None:
    """Remember that `a` and `b` are different provision, so the pair is not suggested again (marking twice is harmless)."""
    if a == b:
        raise DirectoryError("an entry cannot be a duplicate of itself")
    first, second = pair_key(a, b)
    with directory.unit_of_work() as uow:
        _require_role(uow, by, _EDITORS, "mark entries as not duplicates")
        for entry_id in (first, second):
            _existing_entry(uow, entry_id)
        if not uow.duplicate_decisions.decided(first, second):
            uow.duplicate_decisions.add(first, second, "not_duplicate", by, utcnow())
        uow.commit()


@dataclass(frozen=True)
class FieldComparison:
    name: str
    label: str
    survivor: object
    duplicate: object

    @property
    def differs(self) -> bool:
        return self.survivor != self.duplicate


def compare_fields(survivor: F.Entry, duplicate: F.Entry) -> list[FieldComparison]:
    """The two entries side by side, field by field in spreadsheet order (for the merge page)."""
    return [FieldComparison(n, F.FIELD_BY_NAME[n].label, getattr(survivor, n), getattr(duplicate, n))
            for n in F.EDITABLE]


# Where a place is: moving the postcode without its position (or the reverse) would put the entry in the wrong place.
POSITION_FIELDS = ("postcode", "latitude", "longitude")
# A verification is about the entry it was made on; the duplicate's date is taken only when asked for.
_NOT_FILLED_BY_DEFAULT = frozenset({"last_verified"})


def _is_empty(value) -> bool:
    # Not F.empty_value: a cleared `delivery` reads as in person, which is a real value worth keeping.
    return value is None or value == "" or value == ()


def fields_to_take(survivor: F.Entry, duplicate: F.Entry, take_fields: dict[str, str] | None) -> dict[str, object]:
    """The changes a merge makes to the survivor.

    With `take_fields` None, the survivor keeps all it has and fills its empty
    fields from the duplicate, so no information is lost. Otherwise each field
    named 'duplicate' is taken from the duplicate (and the position fields travel together).
    """
    if take_fields is None:
        chosen = {n for n in F.EDITABLE if n not in _NOT_FILLED_BY_DEFAULT
                  and _is_empty(getattr(survivor, n)) and not _is_empty(getattr(duplicate, n))}
    else:
        unknown = sorted(n for n in take_fields if n not in F.EDITABLE)
        if unknown:
            raise DirectoryError(f"'{unknown[0]}' is not a field an entry can take from another")
        wrong = sorted(n for n, side in take_fields.items() if side not in ("survivor", "duplicate"))
        if wrong:
            raise DirectoryError(f"for '{wrong[0]}' choose 'survivor' or 'duplicate'")
        chosen = {n for n, side in take_fields.items() if side == "duplicate"}
    if chosen & set(POSITION_FIELDS):
        chosen |= set(POSITION_FIELDS)
    return {n: getattr(duplicate, n) for n in F.EDITABLE if n in chosen and getattr(duplicate, n) != getattr(survivor, n)}


@dataclass(frozen=True)
class MergeResult:
    survivor: F.Entry
    merged: F.Entry  # archived, merged_into = survivor
    taken: tuple[str, ...]  # fields the survivor took from the duplicate


def merge(
    directory: Directory, survivor_id: str, duplicate_id: str, author: str,
    take_fields: dict[str, Literal["survivor", "duplicate"]] | None = None,
    *, survivor_version: int | None = None, duplicate_version: int | None = None,
) -> MergeResult:
    """Merge `duplicate_id` into `survivor_id` in one transaction, keeping both histories.

    The survivor gets a "merge" revision noting "merged <duplicate> into this entry"
    (with the fields it took, if any); the duplicate is archived with action "merge"
    and `merged_into` pointing at the survivor, so un-archiving it undoes the merge.
    Pass the versions the person saw to refuse a merge over someone's newer edit.
    """
    if survivor_id == duplicate_id:
        raise DirectoryError("an entry cannot be merged into itself")
    with directory.unit_of_work() as uow:
        survivor, duplicate = uow.get(survivor_id), uow.get(duplicate_id)
        for entry in (survivor, duplicate):
            if entry.archived:
                raise DirectoryError(f"'{entry.name}' ({entry.id}) is archived already: bring it back first")
        if duplicate_version is not None and duplicate.version != duplicate_version:
            raise DirectoryError(f"'{duplicate.name}' was changed after you opened it: look at both entries again")
        changes = fields_to_take(survivor, duplicate, take_fields)
        note = f"merged {duplicate_id} into this entry"
        based_on = survivor.version if survivor_version is None else survivor_version
        kept = uow.update(survivor_id, changes, based_on, author, action="merge", note=note)
        if kept.version == survivor.version:
            kept = uow.record_merge(survivor_id, author, note)
        merged = uow.archive(duplicate_id, author, f"merged into {survivor_id}", merged_into=survivor_id)
        uow.commit()
    return MergeResult(kept, merged, tuple(changes))


# -- feedback -----------------------------------------------------------------------------------

COMMENT_LIMIT = 500
HIDE_REASON_LIMIT = 200
COMPLAINT_RATINGS = (1, 2)  # the issue: "recent complaints"
_EMAIL_IN_TEXT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Nine or more digits, allowing the spaces, dots, dashes and brackets people write numbers with.
_PHONE_IN_TEXT = re.compile(r"(?:\+\s*)?\d(?:[\s.\-()]*\d){8,}")
_NO_IDENTIFIERS = "feedback must not say who the client is, or how to reach anyone"


def feedback_problem(rating, comment: str | None, given_on: dt.date, today: dt.date) -> str | None:
    """What is wrong with this feedback, in plain English, or None."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        return "choose a rating from 1 (poor) to 5 (excellent)"
    comment = comment or ""
    if len(comment) > COMMENT_LIMIT:
        return f"keep the comment to {COMMENT_LIMIT} characters or fewer (it has {len(comment)})"
    if _EMAIL_IN_TEXT.search(comment):
        return f"take the email address out of the comment: {_NO_IDENTIFIERS}"
    if _PHONE_IN_TEXT.search(comment):
        return f"take the phone number out of the comment: {_NO_IDENTIFIERS}"
    if given_on > today:
        return "the date the feedback was given cannot be in the future"
    return None


@dataclass(frozen=True)
class FeedbackItem:
    id: int
    entry_id: str
    rating: int
    comment: str | None
    given_on: dt.date
    recorded_by: str
    hidden: bool


def _item(row: Feedback) -> FeedbackItem:
    return FeedbackItem(row.id, row.entry_id, row.rating, row.comment, row.given_on, row.recorded_by, row.hidden)


def record_feedback(directory: Directory, entry_id: str, rating: int, comment: str | None, given_on: dt.date, by: str) -> FeedbackItem:
    """Record a client's rating (1-5) and comment, given to worker `by` (any signed-in user: keyworkers hear it first)."""
    comment = (comment or "").strip() or None
    problem = feedback_problem(rating, comment, given_on, dt.date.today())
    if problem:
        raise InvalidFeedback(problem)
    with directory.unit_of_work() as uow:
        _active_user(uow, by)
        row = _existing_entry(uow, entry_id)
        if row.archived:
            where = f": it was merged into {row.merged_into}" if row.merged_into else ""
            raise DirectoryError(f"'{row.name}' is archived{where}; record the feedback on the current entry")
        feedback = uow.feedback.add(entry_id, rating, comment, given_on, by, utcnow())
        item = _item(feedback)
        uow.commit()
    return item


def hide_feedback(directory: Directory, feedback_id: int, by: str, reason: str) -> FeedbackItem:
    """Hide feedback from every summary (coordinators only), with the reason kept."""
    reason = (reason or "").strip()
    if not reason:
        raise DirectoryError("say why the feedback is being hidden")
    if len(reason) > HIDE_REASON_LIMIT:
        raise DirectoryError(f"keep the reason to {HIDE_REASON_LIMIT} characters or fewer (it has {len(reason)})")
    with directory.unit_of_work() as uow:
        _require_role(uow, by, _COORDINATORS, "hide feedback")
        feedback = uow.feedback.get(feedback_id)
        if feedback is None:
            raise NotFound(f"no feedback {feedback_id}")
        if not feedback.hidden:
            feedback.hidden, feedback.hidden_by, feedback.hidden_reason = True, by, reason
            uow.flush()
        item = _item(feedback)
        uow.commit()
    return item


def _survivors(uow: UnitOfWork) -> dict[str, str]:
    """Every merged-away entry -> the live entry it ended up in (following merges of merges)."""
    merged_into = uow.entries.merged_into()
    result = {}
    for entry_id in merged_into:
        target, seen = merged_into[entry_id], {entry_id}
        while target in merged_into and target not in seen:
            seen.add(target)
            target = merged_into[target]
        result[entry_id] = target
    return result


def _visible_feedback_by_entry(uow: UnitOfWork) -> dict[str, list[FeedbackItem]]:
    """Visible feedback grouped by the live entry it now belongs to (merged-away entries' feedback included)."""
    survivors = _survivors(uow)
    grouped: dict[str, list[FeedbackItem]] = defaultdict(list)
    for row in uow.feedback.visible():
        grouped[survivors.get(row.entry_id, row.entry_id)].append(_item(row))
    return grouped


def _newest_first(items: Iterable[FeedbackItem]) -> list[FeedbackItem]:
    return sorted(items, key=lambda i: (i.given_on, i.id), reverse=True)


def _average(items: Sequence[FeedbackItem]) -> float | None:
    return round(sum(i.rating for i in items) / len(items), 2) if items else None


@dataclass(frozen=True)
class FeedbackSummary:
    entry_id: str
    average: float | None  # None: no visible feedback
    count: int
    comments: list[FeedbackItem]  # visible, with a comment, newest first


def feedback_summary(directory: Directory, entry_id: str) -> FeedbackSummary:
    """Average and visible comments for an entry, including feedback on entries merged into it."""
    with directory.reader() as uow:
        _existing_entry(uow, entry_id)
        items = _visible_feedback_by_entry(uow).get(entry_id, [])
    return FeedbackSummary(entry_id, _average(items), len(items), [i for i in _newest_first(items) if i.comment])


@dataclass(frozen=True)
class FeedbackConcern:
    entry_id: str
    name: str
    organisation: str
    average: float
    count: int
    recent_complaints: int  # ratings of 1 or 2 given in the last `recent_days`
    latest_complaint: dt.date | None
    reasons: tuple[str, ...]  # "low average", "recent complaint"
    recent_comments: list[FeedbackItem]  # visible comments of recent complaints, newest first


def _concern(entry: F.Entry, items: list[FeedbackItem], since: dt.date, today: dt.date, low_rating: float) -> FeedbackConcern | None:
    average = _average(items)
    complaints = [i for i in items if i.rating in COMPLAINT_RATINGS and since <= i.given_on <= today]
    reasons = tuple(r for r, applies in (("low average", average <= low_rating), ("recent complaint", bool(complaints))) if applies)
    if not reasons:
        return None
    complaints = _newest_first(complaints)
    return FeedbackConcern(
        entry_id=entry.id, name=entry.name, organisation=entry.organisation, average=average, count=len(items),
        recent_complaints=len(complaints), latest_complaint=complaints[0].given_on if complaints else None,
        reasons=reasons, recent_comments=[i for i in complaints if i.comment],
    )


def feedback_overview(directory: Directory, today: dt.date, *, low_rating: float = 2.5, recent_days: int = 90) -> list[FeedbackConcern]:
    """Live entries the forum should follow up: an average rating at or below `low_rating`, or a rating of 1-2
    given within `recent_days` of `today`. Most recent complaints first, then the lowest average."""
    since = today - dt.timedelta(days=recent_days)
    with directory.reader() as uow:
        grouped = _visible_feedback_by_entry(uow)
    entries = {e.id: e for e in directory.entries(ids=list(grouped))} if grouped else {}
    concerns = [_concern(entries[entry_id], items, since, today, low_rating)
                for entry_id, items in grouped.items() if entry_id in entries]
    return sorted((c for c in concerns if c is not None),
                  key=lambda c: (-c.recent_complaints, c.average, c.name.casefold(), c.entry_id))

