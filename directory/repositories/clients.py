"""Client records and what hangs on them: consents, plan actions, reviews, and the access log.

Only queries: whether an account may see a record (the organisation boundary and consent) and
what is logged are directory/clients.py's rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import delete, select

from directory.models import AccessLog, Client, Consent, Organisation, PlanAction, Review, utcnow
from directory.repositories.base import Repository


class ClientRepository(Repository):
    # -- organisations ---------------------------------------------------------------------

    def organisation_ids(self, name_keys: Iterable[str]) -> set[int]:
        """The ids of the organisations with these folded names (store.organisation_key)."""
        keys = list(name_keys)
        return set(self._session.scalars(select(Organisation.id).where(Organisation.name_key.in_(keys)))) if keys else set()

    def organisation_name(self, organisation_id: int) -> str:
        return self._session.get(Organisation, organisation_id).name

    # -- records ---------------------------------------------------------------------------

    def get(self, client_id: int) -> Client | None:
        return self._session.get(Client, client_id)

    def ref_taken(self, organisation_id: int, ref: str) -> bool:
        return self._session.scalar(
            select(Client.id).where(Client.organisation_id == organisation_id, Client.ref == ref)) is not None

    def add(self, ref: str, organisation_id: int, profile: dict[str, Any], created_by: str) -> Client:
        client = Client(ref=ref, organisation_id=organisation_id, profile=profile,
                        created_by=created_by, updated_by=created_by)
        self._session.add(client)
        self._session.flush()
        return client

    def listed(self, organisation_ids: set[int], shared_ids: set[int]) -> list[tuple[int, str, str, dt.datetime]]:
        """(id, ref, holder's name, last updated) of the records these organisations hold or are shared, newest first."""
        query = (select(Client.id, Client.ref, Organisation.name, Client.updated_at)
                 .join(Organisation, Organisation.id == Client.organisation_id)
                 .where(Client.organisation_id.in_(organisation_ids) | Client.id.in_(shared_ids))
                 .order_by(Client.updated_at.desc()))
        return [tuple(row) for row in self._session.execute(query)]

    def erase(self, client: Client) -> None:
        """The record and everything attached to it (not its access log)."""
        for model in (PlanAction, Review, Consent):
            self._session.execute(delete(model).where(model.client_id == client.id))
        self._session.delete(client)

    # -- consent ---------------------------------------------------------------------------

    def consents(self, client_id: int) -> list[tuple[Consent, str]]:
        """Every consent on the record, with the organisation it names, oldest first."""
        return [tuple(row) for row in self._session.execute(
            select(Consent, Organisation.name).join(Organisation, Organisation.id == Consent.organisation_id)
            .where(Consent.client_id == client_id).order_by(Consent.id))]

    def consenting_organisation_ids(self, client_id: int) -> set[int]:
        """The organisations the record's active (not withdrawn) consents name."""
        return set(self._session.scalars(select(Consent.organisation_id).where(
            Consent.client_id == client_id, Consent.withdrawn_on.is_(None))))

    def shared_with(self, organisation_ids: set[int]) -> set[int]:
        """The records active consents share with any of these organisations."""
        if not organisation_ids:
            return set()
        return set(self._session.scalars(select(Consent.client_id).where(
            Consent.organisation_id.in_(organisation_ids), Consent.withdrawn_on.is_(None))))

    def active_consent(self, client_id: int, organisation_id: int) -> Consent | None:
        return self._session.scalar(select(Consent).where(
            Consent.client_id == client_id, Consent.organisation_id == organisation_id, Consent.withdrawn_on.is_(None)))

    def active_consents_naming(self, client_id: int, name_key: str) -> list[Consent]:
        return list(self._session.scalars(
            select(Consent).join(Organisation, Organisation.id == Consent.organisation_id)
            .where(Consent.client_id == client_id, Organisation.name_key == name_key, Consent.withdrawn_on.is_(None))))

    def add_consent(self, client_id: int, organisation_id: int, given_on: dt.date, recorded_by: str) -> Consent:
        consent = Consent(client_id=client_id, organisation_id=organisation_id, given_on=given_on, recorded_by=recorded_by)
        self._session.add(consent)
        return consent

    # -- the action plan and reviews -------------------------------------------------------

    def add_action(self, client_id: int, **values: Any) -> PlanAction:
        action = PlanAction(client_id=client_id, **values)
        self._session.add(action)
        self._session.flush()
        return action

    def action(self, action_id: int) -> PlanAction | None:
        return self._session.get(PlanAction, action_id)

    def actions(self, client_id: int) -> list[PlanAction]:
        """Those with a due date first, soonest first."""
        return list(self._session.scalars(
            select(PlanAction).where(PlanAction.client_id == client_id)
            .order_by(PlanAction.due.is_(None), PlanAction.due, PlanAction.id)))

    def add_review(self, client_id: int, **values: Any) -> Review:
        review = Review(client_id=client_id, **values)
        self._session.add(review)
        self._session.flush()
        return review

    def reviews(self, client_id: int) -> list[Review]:
        """Oldest first."""
        return list(self._session.scalars(
            select(Review).where(Review.client_id == client_id).order_by(Review.held_on, Review.id)))

    # -- the access log --------------------------------------------------------------------

    def log(self, client: Client, username: str, action: str) -> None:
        self._session.add(AccessLog(client_id=client.id, client_ref=client.ref, organisation_id=client.organisation_id,
                                    username=username, action=action, at=utcnow()))

    def log_of(self, client_id: int, organisation_id: int) -> list[AccessLog]:
        """One record's own history (its number and its holder), oldest first."""
        return list(self._session.scalars(
            select(AccessLog).where(AccessLog.client_id == client_id, AccessLog.organisation_id == organisation_id)
            .order_by(AccessLog.id)))

    def access_log(self, *, client_ref: str | None = None, limit: int = 500) -> list[tuple[AccessLog, str | None]]:
        """Newest first, each with the holder's name (None once the holder is gone)."""
        query = (select(AccessLog, Organisation.name)
                 .join(Organisation, Organisation.id == AccessLog.organisation_id, isouter=True)
                 .order_by(AccessLog.id.desc()).limit(limit))
        if client_ref:
            query = query.where(AccessLog.client_ref == client_ref)
        return [tuple(row) for row in self._session.execute(query)]

    def logged_refs(self) -> set[str]:
        return set(self._session.scalars(select(AccessLog.client_ref).distinct()))
