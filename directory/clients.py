"""Client records for the planner: pseudonymous profiles, consent, action plans, reviews, access log.

Special-category health data under UK GDPR (partners share a client's information only with
consent naming them), so every rule lives here, in one place:

- a record belongs to the organisation that created it; another organisation
  sees it only while the client's consent names that organisation;
- every read and change is written to the access log, which coordinators view;
- a record can be exported whole (the client's right of access) and erased;
- nothing here ever reaches the directory, its exports, feedback or logs;
- a profile is saved only if the planner can read it (planner.profile.parse_profile).

The rows are read and written through the unit of work's `uow.clients` repository; the rules
above are this module's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from directory.accounts import Account, can_edit, is_coordinator
from directory.errors import AccessDenied, NotFound, RecordChanged
from directory.models import Client, PlanAction, Review, utcnow
from directory.store import as_utc, organisation_key
from planner.profile import parse_profile

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork

__all__ = [
    "ACCESS_ACTIONS", "AccessDenied", "AccessEntry", "ActionRecord", "ClientRecord", "ClientRecords", "ConsentRecord",
    "OWNERS", "RecordChanged", "ReviewRecord", "STATUSES", "checked_profile", "organisation_key",
]

OWNERS = {"client": "Client", "keyworker": "Keyworker", "employment_specialist": "Employment specialist"}
STATUSES = {"to_do": "To do", "doing": "Doing", "done": "Done", "dropped": "Dropped"}
# What each access-log action means, in the words the coordinators' page shows.
ACCESS_ACTIONS = {
    "create": "Created the record",
    "read": "Opened the record",
    "update": "Changed the profile",
    "consent": "Recorded consent to share",
    "consent withdrawn": "Recorded consent withdrawn",
    "plan read": "Opened the action plan",
    "plan changed": "Changed the action plan",
    "reviews read": "Opened the reviews",
    "review recorded": "Recorded a review",
    "exported": "Exported the whole record",
    "erased": "Erased the record",
    "refused": "Was refused: not their organisation's record, or no consent to share it",
    # Referrals (directory/referrals.py): both sides' reads and changes are logged against the client.
    "referral consent": "Recorded consent to a referral",
    "referral consent withdrawn": "Recorded consent to a referral withdrawn",
    "referral sent": "Sent a referral",
    "referral read": "Opened a referral",
    "referrals read": "Opened the client's referrals",
    "referral changed": "Answered or updated a referral",
    "referral withdrawn": "Withdrew a referral",
    "referral letter": "Printed a referral letter",
}
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


_NOT_SHARED = "no client record with that number is shared with your organisation"


def checked_profile(profile: dict[str, Any], ref: str) -> dict[str, Any]:
    """The profile to store (with the record's reference), if the planner can read it; else planner.profile's
    ProfileError (a ValueError) naming the field and what is wrong, e.g. "stage: must be one of crisis, ..."."""
    data = dict(profile) | {"ref": ref}
    parse_profile(data)
    return data


@dataclass(frozen=True)
class ConsentRecord:
    organisation: str
    given_on: dt.date
    recorded_by: str
    withdrawn_on: dt.date | None


@dataclass(frozen=True)
class ClientRecord:
    id: int
    ref: str
    organisation: str
    profile: dict[str, Any]
    version: int
    updated_by: str
    updated_at: dt.datetime
    consents: tuple[ConsentRecord, ...]

    @property
    def shared_with(self) -> tuple[str, ...]:
        return tuple(c.organisation for c in self.consents if c.withdrawn_on is None)


@dataclass(frozen=True)
class ActionRecord:
    id: int
    title: str
    owner: str
    due: dt.date | None
    status: str
    notes: str | None
    entry_id: str | None
    step: str | None
    created_by: str


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    held_on: dt.date
    attendees: tuple[str, ...]
    stage: str
    readiness: str | None
    readiness_met: int | None
    step: str | None
    decisions: str | None
    responses: tuple[dict[str, Any], ...]
    recorded_by: str
    # Where the client's referrals stood (directory.referrals.Referrals.outcomes_for_review), when recorded.
    referral_outcomes: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class AccessEntry:
    client_ref: str
    username: str
    action: str  # a key of ACCESS_ACTIONS
    at: dt.datetime
    organisation: str | None = None  # the organisation holding the record (references are unique only within one)


class ClientRecords:
    def __init__(self, directory: Directory):
        self.directory = directory

    # -- the boundary ----------------------------------------------------------------------

    def _organisation_ids(self, uow: UnitOfWork, account: Account) -> set[int]:
        return uow.clients.organisation_ids(organisation_key(n) for n in account.organisations)

    def _readable(self, uow: UnitOfWork, account: Account, client: Client) -> bool:
        mine = self._organisation_ids(uow, account)
        if client.organisation_id in mine:
            return True
        return bool(mine & uow.clients.consenting_organisation_ids(client.id))

    def _client(self, uow: UnitOfWork, account: Account, client_id: int, action: str) -> Client:
        client = uow.clients.get(client_id)
        if client is None:
            raise AccessDenied(_NOT_SHARED)
        if not self._readable(uow, account, client):
            # The same answer as for a number that does not exist (no hint that it does), but the holder's
            # coordinators see the attempt in the access log.
            self._refuse(uow, client, account, _NOT_SHARED)
        uow.clients.log(client, account.username, action)
        return client

    def _require_holder(self, uow: UnitOfWork, account: Account, client: Client, message: str) -> None:
        if client.organisation_id not in self._organisation_ids(uow, account):
            self._refuse(uow, client, account, message)

    def _refuse(self, uow: UnitOfWork, client: Client, account: Account, message: str):
        """Log the refused attempt in a transaction of its own (the caller's work is rolled back), then refuse."""
        uow.rollback()
        uow.clients.log(client, account.username, "refused")
        uow.commit()
        raise AccessDenied(message)

    def _require_editor(self, account: Account) -> None:
        if not can_edit(account):
            raise AccessDenied(f"{account.display_name} can view but not change client records")

    # -- records ---------------------------------------------------------------------------

    def create(self, account: Account, ref: str, profile: dict[str, Any], organisation: str | None = None) -> ClientRecord:
        self._require_editor(account)
        if not _REF.match(ref or ""):
            raise ValueError("use a reference such as C-0042: letters, digits, - and _, no names")
        organisation = organisation or (account.organisations[0] if account.organisations else None)
        if organisation not in account.organisations:
            raise AccessDenied("you can only create client records for your own organisation")
        profile = checked_profile(profile, ref)
        with self.directory.unit_of_work() as uow:
            owner = uow.organisation(organisation)
            if uow.clients.ref_taken(owner.id, ref):
                raise ValueError(f"your organisation already has a client {ref}: open that record instead")
            client = uow.clients.add(ref, owner.id, profile, account.username)
            uow.clients.log(client, account.username, "create")
            record = self._record(uow, client)
            uow.commit()
        return record

    def list_for(self, account: Account) -> list[tuple[int, str, str, dt.datetime]]:
        """(id, ref, owning organisation, last updated) of every record the account may open."""
        with self.directory.reader() as uow:
            mine = self._organisation_ids(uow, account)
            listed = uow.clients.listed(mine, uow.clients.shared_with(mine))
        return [(i, ref, org, as_utc(at)) for i, ref, org, at in listed]

    def open(self, account: Account, client_id: int) -> ClientRecord:
        with self.directory.unit_of_work() as uow:
            record = self._record(uow, self._client(uow, account, client_id, "read"))
            uow.commit()
        return record

    def update_profile(self, account: Account, client_id: int, profile: dict[str, Any], based_on_version: int) -> ClientRecord:
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow, account, client_id, "update")
            if client.version != based_on_version:
                raise RecordChanged(f"{client.updated_by} saved this client's record after you opened it: "
                                    "reopen it to see their changes, then make yours again")
            client.profile = checked_profile(profile, client.ref)
            client.version += 1
            client.updated_by, client.updated_at = account.username, utcnow()
            record = self._record(uow, client)
            uow.commit()
        return record

    def _record(self, uow: UnitOfWork, client: Client) -> ClientRecord:
        consents = uow.clients.consents(client.id)
        return ClientRecord(
            id=client.id, ref=client.ref, organisation=uow.clients.organisation_name(client.organisation_id),
            profile=dict(client.profile),
            version=client.version, updated_by=client.updated_by, updated_at=as_utc(client.updated_at),
            consents=tuple(ConsentRecord(name, c.given_on, c.recorded_by, c.withdrawn_on) for c, name in consents),
        )

    # -- consent ---------------------------------------------------------------------------

    def give_consent(self, account: Account, client_id: int, organisation: str, given_on: dt.date) -> ClientRecord:
        """Record that the client agreed to share with `organisation` (recorded with date and who took it)."""
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow, account, client_id, "consent")
            self._require_holder(uow, account, client, "only the organisation that holds the record can record consent")
            partner = uow.organisation(organisation)
            if uow.clients.active_consent(client_id, partner.id) is None:
                uow.clients.add_consent(client_id, partner.id, given_on, account.username)
            uow.flush()
            record = self._record(uow, client)
            uow.commit()
        return record

    def withdraw_consent(self, account: Account, client_id: int, organisation: str, on: dt.date) -> ClientRecord:
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow, account, client_id, "consent withdrawn")
            self._require_holder(uow, account, client,
                                 "only the organisation that holds the record can record consent withdrawn")
            for consent in uow.clients.active_consents_naming(client_id, organisation_key(organisation)):
                consent.withdrawn_on, consent.withdrawn_recorded_by = on, account.username
            uow.flush()
            record = self._record(uow, client)
            uow.commit()
        return record

    # -- the action plan -------------------------------------------------------------------

    def add_action(self, account: Account, client_id: int, title: str, owner: str, due: dt.date | None = None,
                   notes: str | None = None, entry_id: str | None = None, step: str | None = None) -> ActionRecord:
        self._require_editor(account)
        if owner not in OWNERS:
            raise ValueError(f"unknown owner '{owner}': use one of {', '.join(OWNERS)}")
        if not (title or "").strip():
            raise ValueError("say what the action is, e.g. 'Ring the job club to book a first visit'")
        with self.directory.unit_of_work() as uow:
            self._client(uow, account, client_id, "plan changed")
            action = uow.clients.add_action(client_id, title=title.strip(), owner=owner, due=due, notes=notes,
                                            entry_id=entry_id, step=step, created_by=account.username)
            record = _action(action)
            uow.commit()
        return record

    def update_action(self, account: Account, client_id: int, action_id: int, **changes: Any) -> ActionRecord:
        self._require_editor(account)
        if "status" in changes and changes["status"] not in STATUSES:
            raise ValueError(f"unknown status '{changes['status']}': use one of {', '.join(STATUSES)}")
        with self.directory.unit_of_work() as uow:
            self._client(uow, account, client_id, "plan changed")
            action = uow.clients.action(action_id)
            if action is None or action.client_id != client_id:
                raise NotFound("that action is not in this plan")
            for name, value in changes.items():
                if name not in ("title", "owner", "due", "status", "notes"):
                    raise ValueError(f"'{name}' cannot be changed on an action")
                setattr(action, name, value)
            action.updated_at = utcnow()
            record = _action(action)
            uow.commit()
        return record

    def actions(self, account: Account, client_id: int) -> list[ActionRecord]:
        with self.directory.unit_of_work() as uow:
            self._client(uow, account, client_id, "plan read")
            found = [_action(a) for a in uow.clients.actions(client_id)]
            uow.commit()
        return found

    # -- reviews ---------------------------------------------------------------------------

    def add_review(self, account: Account, client_id: int, held_on: dt.date, attendees: list[str], stage: str,
                   readiness: str | None, readiness_met: int | None, step: str | None, decisions: str | None,
                   responses: list[dict[str, Any]],
                   referral_outcomes: list[dict[str, Any]] | None = None) -> ReviewRecord:
        self._require_editor(account)
        unknown = [a for a in attendees if a not in OWNERS]
        if unknown:
            raise ValueError(f"unknown attendee '{unknown[0]}': use client, keyworker or employment_specialist")
        with self.directory.unit_of_work() as uow:
            self._client(uow, account, client_id, "review recorded")
            review = uow.clients.add_review(
                client_id, held_on=held_on, attendees=list(attendees), stage=stage, readiness=readiness,
                readiness_met=readiness_met, step=step, decisions=decisions, responses=list(responses),
                referral_outcomes=list(referral_outcomes or []), recorded_by=account.username)
            record = _review(review)
            uow.commit()
        return record

    def reviews(self, account: Account, client_id: int) -> list[ReviewRecord]:
        """Oldest first, so a chart of distance travelled reads left to right."""
        with self.directory.unit_of_work() as uow:
            self._client(uow, account, client_id, "reviews read")
            found = [_review(r) for r in uow.clients.reviews(client_id)]
            uow.commit()
        return found

    # -- the client's rights ---------------------------------------------------------------

    def export(self, account: Account, client_id: int) -> dict[str, Any]:
        """Everything held about the client (right of access), as JSON-ready data."""
        record = self.open(account, client_id)
        actions, reviews = self.actions(account, client_id), self.reviews(account, client_id)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow, account, client_id, "exported")
            # This record's own history only: its number and its holder.
            log = [AccessEntry(a.client_ref, a.username, a.action, as_utc(a.at), record.organisation)
                   for a in uow.clients.log_of(client_id, client.organisation_id)]
            uow.commit()

        def plain(value):
            return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value

        def dump(item):
            return {k: plain(v) if not isinstance(v, (list, tuple)) else [plain(x) for x in v] for k, v in asdict(item).items()}

        return {
            "ref": record.ref, "held_by": record.organisation, "profile": record.profile,
            "consents": [dump(c) for c in record.consents], "actions": [dump(a) for a in actions],
            "reviews": [dump(r) for r in reviews], "access_log": [dump(a) for a in log],
        }

    def erase(self, account: Account, client_id: int) -> None:
        """Delete the record and everything attached; the access log keeps only that it was erased, and its
        referrals only what the funnel counts (directory.referrals.erase_client)."""
        from directory.referrals import erase_client

        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow, account, client_id, "erased")
            self._require_holder(uow, account, client, "only the organisation that holds the record can erase it")
            erase_client(uow, client.id)
            uow.clients.erase(client)
            uow.commit()

    def access_log(self, account: Account, *, client_ref: str | None = None, limit: int = 500) -> list[AccessEntry]:
        """Who read or changed which client record, and when: newest first. Coordinators only."""
        self._require_coordinator(account)
        with self.directory.reader() as uow:
            return [AccessEntry(a.client_ref, a.username, a.action, as_utc(a.at), organisation)
                    for a, organisation in uow.clients.access_log(client_ref=client_ref, limit=limit)]

    def access_log_refs(self, account: Account) -> list[str]:
        """Every client reference in the access log (erased records too), A to Z: for filtering it. Coordinators only."""
        self._require_coordinator(account)
        with self.directory.reader() as uow:
            refs = uow.clients.logged_refs()
        return sorted(refs, key=lambda ref: (ref.casefold(), ref))

    def _require_coordinator(self, account: Account) -> None:
        if not is_coordinator(account):
            raise AccessDenied("only coordinators can view the access log")

def _action(action: PlanAction) -> ActionRecord:
    return ActionRecord(action.id, action.title, action.owner, action.due, action.status, action.notes,
                        action.entry_id, action.step, action.created_by)


def _review(review: Review) -> ReviewRecord:
    return ReviewRecord(review.id, review.held_on, tuple(review.attendees), review.stage, review.readiness,
                        review.readiness_met, review.step, review.decisions, tuple(review.responses), review.recorded_by,
                        tuple(review.referral_outcomes or ()))
