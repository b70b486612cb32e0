"""Client feedback recorded by workers (research with local forums asked for a more formal way to
collect it): a 1-5 rating and a short comment that must not identify anyone. Hidden feedback (a
coordinator's decision) counts nowhere. Feedback stays attached to the entry it was given on; an
entry's summary also includes feedback on entries merged into it, so a merge moves no rows and
un-archiving undoes it exactly."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from directory import fields as F
from directory.errors import DirectoryError, InvalidFeedback, NotFound
from directory.models import Feedback, utcnow
from directory.health.access import active_user, COORDINATORS, existing_entry, require_role

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork


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
        active_user(uow, by)
        row = existing_entry(uow, entry_id)
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
        require_role(uow, by, COORDINATORS, "hide feedback")
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
        existing_entry(uow, entry_id)
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
