"""Client records for the planner: pseudonymous profiles, consent, action plans, reviews, access log.

Special-category health data under UK GDPR (003 "Information exchange",
001 appendix D), so every rule lives here, in one place:

- a record belongs to the organisation that created it; another organisation
  sees it only while the client's consent names that organisation;
- every read and change is written to the access log, which coordinators view;
- a record can be exported whole (the client's right of access) and erased;
- nothing here ever reaches the directory, its exports, feedback or logs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, select

from directory.accounts import Account
from directory.models import AccessLog, Client, Consent, Organisation, PlanAction, Review, utcnow
from directory.store import DirectoryError, NotFound, as_utc, organisation_key

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
}
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class AccessDenied(DirectoryError):
    pass


_NOT_SHARED = "no client record with that number is shared with your organisation"


class RecordChanged(DirectoryError):
    """Someone saved the client's record after it was opened."""


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


@dataclass(frozen=True)
class AccessEntry:
    client_ref: str
    username: str
    action: str  # a key of ACCESS_ACTIONS
    at: dt.datetime
    organisation: str | None = None  # the organisation holding the record (references are unique only within one)


class ClientRecords:
    def __init__(self, directory):
        self.directory = directory

    # -- the boundary ----------------------------------------------------------------------

    def _organisation_ids(self, session, account: Account) -> set[int]:
        keys = [organisation_key(n) for n in account.organisations]
        return set(session.scalars(select(Organisation.id).where(Organisation.name_key.in_(keys)))) if keys else set()

    def _readable(self, session, account: Account, client: Client) -> bool:
        mine = self._organisation_ids(session, account)
        if client.organisation_id in mine:
            return True
        consented = session.scalars(select(Consent.organisation_id).where(
            Consent.client_id == client.id, Consent.withdrawn_on.is_(None)))
        return bool(mine & set(consented))

    def _client(self, session, account: Account, client_id: int, action: str) -> Client:
        client = session.get(Client, client_id)
        if client is None:
            raise AccessDenied(_NOT_SHARED)
        if not self._readable(session, account, client):
            # The same answer as for a number that does not exist (no hint that it does), but the holder's
            # coordinators see the attempt in the access log.
            self._refuse(session, client, account, _NOT_SHARED)
        self._log(session, client, account, action)
        return client

    def _require_holder(self, session, account: Account, client: Client, message: str) -> None:
        if client.organisation_id not in self._organisation_ids(session, account):
            self._refuse(session, client, account, message)

    def _refuse(self, session, client: Client, account: Account, message: str):
        """Log the refused attempt in a transaction of its own (the caller's work is rolled back), then refuse."""
        session.rollback()
        self._log(session, client, account, "refused")
        session.commit()
        raise AccessDenied(message)

    def _log(self, session, client: Client, account: Account, action: str) -> None:
        session.add(AccessLog(client_id=client.id, client_ref=client.ref, organisation_id=client.organisation_id,
                              username=account.username, action=action, at=utcnow()))

    def _require_editor(self, account: Account) -> None:
        if account.role not in ("editor", "coordinator"):
            raise AccessDenied(f"{account.display_name} can view but not change client records")

    # -- records ---------------------------------------------------------------------------

    def create(self, account: Account, ref: str, profile: dict[str, Any], organisation: str | None = None) -> ClientRecord:
        self._require_editor(account)
        if not _REF.match(ref or ""):
            raise ValueError("use a reference such as C-0042: letters, digits, - and _, no names")
        organisation = organisation or (account.organisations[0] if account.organisations else None)
        if organisation not in account.organisations:
            raise AccessDenied("you can only create client records for your own organisation")
        with self.directory.unit_of_work() as uow:
            owner = uow.organisation(organisation)
            if uow.session.scalar(select(Client.id).where(Client.organisation_id == owner.id, Client.ref == ref)):
                raise ValueError(f"your organisation already has a client {ref}: open that record instead")
            client = Client(ref=ref, organisation_id=owner.id, profile=profile | {"ref": ref},
                            created_by=account.username, updated_by=account.username)
            uow.session.add(client)
            uow.session.flush()
            self._log(uow.session, client, account, "create")
            record = self._record(uow.session, client)
            uow.commit()
        return record

    def list_for(self, account: Account) -> list[tuple[int, str, str, dt.datetime]]:
        """(id, ref, owning organisation, last updated) of every record the account may open."""
        with self.directory._read() as session:
            mine = self._organisation_ids(session, account)
            shared = set(session.scalars(select(Consent.client_id).where(
                Consent.organisation_id.in_(mine), Consent.withdrawn_on.is_(None)))) if mine else set()
            query = (select(Client.id, Client.ref, Organisation.name, Client.updated_at)
                     .join(Organisation, Organisation.id == Client.organisation_id)
                     .where(Client.organisation_id.in_(mine) | Client.id.in_(shared))
                     .order_by(Client.updated_at.desc()))
            return [(i, ref, org, as_utc(at)) for i, ref, org, at in session.execute(query)]

    def open(self, account: Account, client_id: int) -> ClientRecord:
        with self.directory.unit_of_work() as uow:
            record = self._record(uow.session, self._client(uow.session, account, client_id, "read"))
            uow.commit()
        return record

    def update_profile(self, account: Account, client_id: int, profile: dict[str, Any], based_on_version: int) -> ClientRecord:
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow.session, account, client_id, "update")
            if client.version != based_on_version:
                raise RecordChanged(f"{client.updated_by} saved this client's record after you opened it: "
                                    "reopen it to see their changes, then make yours again")
            client.profile = profile | {"ref": client.ref}
            client.version += 1
            client.updated_by, client.updated_at = account.username, utcnow()
            record = self._record(uow.session, client)
            uow.commit()
        return record

    def _record(self, session, client: Client) -> ClientRecord:
        consents = session.execute(
            select(Consent, Organisation.name).join(Organisation, Organisation.id == Consent.organisation_id)
            .where(Consent.client_id == client.id).order_by(Consent.id)
        ).all()
        owner = session.get(Organisation, client.organisation_id)
        return ClientRecord(
            id=client.id, ref=client.ref, organisation=owner.name, profile=dict(client.profile),
            version=client.version, updated_by=client.updated_by, updated_at=as_utc(client.updated_at),
            consents=tuple(ConsentRecord(name, c.given_on, c.recorded_by, c.withdrawn_on) for c, name in consents),
        )

    # -- consent ---------------------------------------------------------------------------

    def give_consent(self, account: Account, client_id: int, organisation: str, given_on: dt.date) -> ClientRecord:
        """Record that the client agreed to share with `organisation` (recorded with date and who took it)."""
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow.session, account, client_id, "consent")
            self._require_holder(uow.session, account, client, "only the organisation that holds the record can record consent")
            partner = uow.organisation(organisation)
            active = uow.session.scalar(select(Consent).where(
                Consent.client_id == client_id, Consent.organisation_id == partner.id, Consent.withdrawn_on.is_(None)))
            if active is None:
                uow.session.add(Consent(client_id=client_id, organisation_id=partner.id, given_on=given_on,
                                        recorded_by=account.username))
            uow.session.flush()
            record = self._record(uow.session, client)
            uow.commit()
        return record

    def withdraw_consent(self, account: Account, client_id: int, organisation: str, on: dt.date) -> ClientRecord:
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow.session, account, client_id, "consent withdrawn")
            self._require_holder(uow.session, account, client,
                                 "only the organisation that holds the record can record consent withdrawn")
            key = organisation_key(organisation)
            for consent in uow.session.scalars(select(Consent).join(Organisation, Organisation.id == Consent.organisation_id)
                                               .where(Consent.client_id == client_id, Organisation.name_key == key,
                                                      Consent.withdrawn_on.is_(None))):
                consent.withdrawn_on, consent.withdrawn_recorded_by = on, account.username
            uow.session.flush()
            record = self._record(uow.session, client)
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
            self._client(uow.session, account, client_id, "plan changed")
            action = PlanAction(client_id=client_id, title=title.strip(), owner=owner, due=due, notes=notes,
                                entry_id=entry_id, step=step, created_by=account.username)
            uow.session.add(action)
            uow.session.flush()
            record = _action(action)
            uow.commit()
        return record

    def update_action(self, account: Account, client_id: int, action_id: int, **changes: Any) -> ActionRecord:
        self._require_editor(account)
        if "status" in changes and changes["status"] not in STATUSES:
            raise ValueError(f"unknown status '{changes['status']}': use one of {', '.join(STATUSES)}")
        with self.directory.unit_of_work() as uow:
            self._client(uow.session, account, client_id, "plan changed")
            action = uow.session.get(PlanAction, action_id)
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
            self._client(uow.session, account, client_id, "plan read")
            found = [_action(a) for a in uow.session.scalars(
                select(PlanAction).where(PlanAction.client_id == client_id).order_by(PlanAction.due.is_(None), PlanAction.due, PlanAction.id))]
            uow.commit()
        return found

    # -- reviews ---------------------------------------------------------------------------

    def add_review(self, account: Account, client_id: int, held_on: dt.date, attendees: list[str], stage: str,
                   readiness: str | None, readiness_met: int | None, step: str | None, decisions: str | None,
                   responses: list[dict[str, Any]]) -> ReviewRecord:
        self._require_editor(account)
        unknown = [a for a in attendees if a not in OWNERS]
        if unknown:
            raise ValueError(f"unknown attendee '{unknown[0]}': use client, keyworker or employment_specialist")
        with self.directory.unit_of_work() as uow:
            self._client(uow.session, account, client_id, "review recorded")
            review = Review(client_id=client_id, held_on=held_on, attendees=list(attendees), stage=stage,
                            readiness=readiness, readiness_met=readiness_met, step=step, decisions=decisions,
                            responses=list(responses), recorded_by=account.username)
            uow.session.add(review)
            uow.session.flush()
            record = _review(review)
            uow.commit()
        return record

    def reviews(self, account: Account, client_id: int) -> list[ReviewRecord]:
        """Oldest first, so a chart of distance travelled reads left to right."""
        with self.directory.unit_of_work() as uow:
            self._client(uow.session, account, client_id, "reviews read")
            found = [_review(r) for r in uow.session.scalars(
                select(Review).where(Review.client_id == client_id).order_by(Review.held_on, Review.id))]
            uow.commit()
        return found

    # -- the client's rights ---------------------------------------------------------------

    def export(self, account: Account, client_id: int) -> dict[str, Any]:
        """Everything held about the client (right of access), as JSON-ready data."""
        record = self.open(account, client_id)
        actions, reviews = self.actions(account, client_id), self.reviews(account, client_id)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow.session, account, client_id, "exported")
            # This record's own history only: its number and its holder.
            log = [AccessEntry(a.client_ref, a.username, a.action, as_utc(a.at), record.organisation)
                   for a in uow.session.scalars(
                       select(AccessLog).where(AccessLog.client_id == client_id,
                                               AccessLog.organisation_id == client.organisation_id)
                       .order_by(AccessLog.id))]
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
        """Delete the record and everything attached; the access log keeps only that it was erased."""
        self._require_editor(account)
        with self.directory.unit_of_work() as uow:
            client = self._client(uow.session, account, client_id, "erased")
            self._require_holder(uow.session, account, client, "only the organisation that holds the record can erase it")
            for model in (PlanAction, Review, Consent):
                uow.session.execute(delete(model).where(model.client_id == client_id))
            uow.session.delete(client)
            uow.commit()

    def access_log(self, account: Account, *, client_ref: str | None = None, limit: int = 500) -> list[AccessEntry]:
        """Who read or changed which client record, and when: newest first. Coordinators only."""
        self._require_coordinator(account)
        query = (select(AccessLog, Organisation.name)
                 .join(Organisation, Organisation.id == AccessLog.organisation_id, isouter=True)
                 .order_by(AccessLog.id.desc()).limit(limit))
        if client_ref:
            query = query.where(AccessLog.client_ref == client_ref)
        with self.directory._read() as session:
            return [AccessEntry(a.client_ref, a.username, a.action, as_utc(a.at), organisation)
                    for a, organisation in session.execute(query)]

    def access_log_refs(self, account: Account) -> list[str]:
        """Every client reference in the access log (erased records too), A to Z: for filtering it. Coordinators only."""
        self._require_coordinator(account)
        with self.directory._read() as session:
            refs = set(session.scalars(select(AccessLog.client_ref).distinct()))
        return sorted(refs, key=lambda ref: (ref.casefold(), ref))

    def _require_coordinator(self, account: Account) -> None:
        if account.role != "coordinator":
            raise AccessDenied("only coordinators can view the access log")

def _action(action: PlanAction) -> ActionRecord:
    return ActionRecord(action.id, action.title, action.owner, action.due, action.status, action.notes,
                        action.entry_id, action.step, action.created_by)


def _review(review: Review) -> ReviewRecord:
    return ReviewRecord(review.id, review.held_on, tuple(review.attendees), review.stage, review.readiness,
                        review.readiness_met, review.step, review.decisions, tuple(review.responses), review.recorded_by)
