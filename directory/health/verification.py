"""Verification requests: a coordinator's one-click "ask to verify".

A request is *open* while the entry has not been verified on or after the day it
was asked for: verifying resolves it, by whatever route the verification came (the
entry page, the CLI, an import with a newer last-verified date), with nothing else
to remember to call. The `resolved_at`/`resolved_by` columns are used only when a
coordinator withdraws a request. Archived entries have no open requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from directory.errors import DirectoryError, NotFound
from directory.models import EntryRow, VerificationRequest, utcnow
from directory.store import as_utc, organisation_key
from directory.health.access import active_user, COORDINATORS, existing_entry, require_role

if TYPE_CHECKING:
    from directory.api import Directory


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
        require_role(uow, requested_by, COORDINATORS, "ask for an entry to be verified")
        # Locking the entry makes "one open request per entry" hold when two coordinators click at once.
        row = existing_entry(uow, entry_id, lock=True)
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
        require_role(uow, by, COORDINATORS, "withdraw a verification request")
        request = uow.verification_requests.get(request_id)
        if request is None:
            raise NotFound(f"no verification request {request_id}")
        row = existing_entry(uow, request.entry_id)
        if _request_view(request, row).is_open:
            request.resolved_at, request.resolved_by = utcnow(), by
            uow.flush()
        view = _request_view(request, row)
        uow.commit()
    return view


def verification_requests(directory: Directory, entry_id: str) -> list[VerificationRequestView]:
    """Every request on one entry, oldest first: for the entry page."""
    with directory.reader() as uow:
        existing_entry(uow, entry_id)
        return [_request_view(request, row) for request, row in uow.verification_requests.on_entry(entry_id)]


def open_verification_requests(
    directory: Directory, *, organisation: str | None = None, username: str | None = None
) -> list[VerificationRequestView]:
    """Open requests, oldest first: all of them, one organisation's, or (with `username`) those on the entries
    of the organisations that user belongs to, which is what they see when they sign in."""
    with directory.reader() as uow:
        member = active_user(uow, username).id if username is not None else None
        requests = uow.verification_requests.unresolved(
            organisation_key=organisation_key(organisation) if organisation is not None else None,
            member_user_id=member)
        views = [_request_view(request, row) for request, row in requests]
    return [v for v in views if v.is_open]
