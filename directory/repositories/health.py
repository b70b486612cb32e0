"""Provision health's own records: client feedback, verification requests and "not a duplicate" decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from directory.models import DuplicateDecision, EntryRow, Feedback, Membership, Organisation, VerificationRequest
from directory.repositories.base import Repository


class FeedbackRepository(Repository):
    def add(self, entry_id: str, rating: int, comment: str | None, given_on: dt.date, recorded_by: str,
            recorded_at: dt.datetime) -> Feedback:
        feedback = Feedback(entry_id=entry_id, rating=rating, comment=comment, given_on=given_on,
                            recorded_by=recorded_by, recorded_at=recorded_at, hidden=False)
        self._session.add(feedback)
        self._session.flush()
        return feedback

    def get(self, feedback_id: int) -> Feedback | None:
        return self._session.get(Feedback, feedback_id)

    def visible(self) -> list[Feedback]:
        return list(self._session.scalars(select(Feedback).where(Feedback.hidden.is_(False))))


class VerificationRequestRepository(Repository):
    def _query(self):
        return (select(VerificationRequest, EntryRow)
                .join(EntryRow, EntryRow.id == VerificationRequest.entry_id)
                .order_by(VerificationRequest.requested_at, VerificationRequest.id))

    def add(self, entry_id: str, requested_by: str, requested_at: dt.datetime, note: str | None) -> VerificationRequest:
        request = VerificationRequest(entry_id=entry_id, requested_by=requested_by, requested_at=requested_at, note=note)
        self._session.add(request)
        self._session.flush()
        return request

    def get(self, request_id: int) -> VerificationRequest | None:
        return self._session.get(VerificationRequest, request_id)

    def on_entry(self, entry_id: str) -> list[tuple[VerificationRequest, EntryRow]]:
        """Every request on the entry, with its row, oldest first."""
        return [tuple(row) for row in self._session.execute(self._query().where(VerificationRequest.entry_id == entry_id))]

    def unresolved(self, *, organisation_key: str | None = None,
                   member_user_id: int | None = None) -> list[tuple[VerificationRequest, EntryRow]]:
        """Requests nobody withdrew on live entries (of one organisation, or of those a user belongs to), oldest first."""
        query = self._query().where(VerificationRequest.resolved_at.is_(None), EntryRow.archived.is_(False))
        if organisation_key is not None:
            query = query.join(Organisation, Organisation.id == EntryRow.organisation_id).where(
                Organisation.name_key == organisation_key)
        if member_user_id is not None:
            member_of = select(Membership.organisation_id).where(Membership.user_id == member_user_id)
            query = query.where(EntryRow.organisation_id.in_(member_of))
        return [tuple(row) for row in self._session.execute(query)]


class DuplicateDecisionRepository(Repository):
    def pairs(self) -> set[tuple[str, str]]:
        """Every decided pair, the smaller id first."""
        return {tuple(row) for row in self._session.execute(select(DuplicateDecision.first_id, DuplicateDecision.second_id))}

    def decided(self, first: str, second: str) -> bool:
        return self._session.scalar(select(DuplicateDecision.id).where(
            DuplicateDecision.first_id == first, DuplicateDecision.second_id == second)) is not None

    def add(self, first: str, second: str, decision: str, decided_by: str, decided_at: dt.datetime) -> None:
        self._session.add(DuplicateDecision(first_id=first, second_id=second, decision=decision,
                                            decided_by=decided_by, decided_at=decided_at))
