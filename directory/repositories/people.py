"""People and organisations: one-time password links, the admin audit log, identity-provider access
requests, and organisations with their members, entries and named contact."""

from __future__ import annotations

import datetime as dt
from sqlalchemy import delete, func, select, update

from directory.models import (
    AccessRequest,
    AdminAudit,
    Client,
    Consent,
    Contact,
    EntryRow,
    Membership,
    Organisation,
    PasswordLink,
    User,
)
from directory.repositories.base import Repository


class PasswordLinkRepository(Repository):
    def add(self, token_hash: str, user_id: int, issued_by: str, now: dt.datetime, expires_at: dt.datetime) -> None:
        self._session.add(PasswordLink(token_hash=token_hash, user_id=user_id, issued_by=issued_by,
                                       issued_at=now, expires_at=expires_at))

    def get(self, token_hash: str, *, lock: bool = False) -> PasswordLink | None:
        query = select(PasswordLink).where(PasswordLink.token_hash == token_hash)
        return self._session.scalar(query.with_for_update() if lock else query)

    def end_unused_of(self, user_id: int, now: dt.datetime) -> None:
        """Every link of this person not used yet stops working (a new one replaces them)."""
        self._session.execute(update(PasswordLink).where(PasswordLink.user_id == user_id, PasswordLink.used_at.is_(None))
                              .values(used_at=now))

    def pending_expiry(self, now: dt.datetime) -> dict[int, dt.datetime]:
        """user id -> when their newest unused, unexpired link expires."""
        rows = self._session.execute(
            select(PasswordLink.user_id, func.max(PasswordLink.expires_at))
            .where(PasswordLink.used_at.is_(None), PasswordLink.expires_at > now).group_by(PasswordLink.user_id))
        return {user_id: expires for user_id, expires in rows}


class AdminAuditRepository(Repository):
    def add(self, actor: str, action: str, subject: str, detail: str | None, now: dt.datetime) -> None:
        self._session.add(AdminAudit(at=now, actor=actor, action=action, subject=subject, detail=detail))

    def latest(self, limit: int) -> list[AdminAudit]:
        return list(self._session.scalars(select(AdminAudit).order_by(AdminAudit.at.desc(), AdminAudit.id.desc())
                                          .limit(limit)))


class AccessRequestRepository(Repository):
    def get(self, email: str) -> AccessRequest | None:
        return self._session.scalar(select(AccessRequest).where(AccessRequest.email == email))

    def add(self, email: str, name: str | None, now: dt.datetime) -> AccessRequest:
        request = AccessRequest(email=email, name=name, first_tried_at=now, last_tried_at=now, attempts=1)
        self._session.add(request)
        return request

    def remove(self, email: str) -> None:
        self._session.execute(delete(AccessRequest).where(AccessRequest.email == email))

    def all(self) -> list[AccessRequest]:
        return list(self._session.scalars(select(AccessRequest).order_by(AccessRequest.last_tried_at.desc())))


class OrganisationRepository(Repository):
    def all(self) -> list[Organisation]:
        return list(self._session.scalars(select(Organisation)))

    def by_id(self, organisation_id: int) -> Organisation | None:
        return self._session.get(Organisation, organisation_id)

    def by_key(self, name_key: str) -> Organisation | None:
        return self._session.scalar(select(Organisation).where(Organisation.name_key == name_key))

    def add(self, name: str, name_key: str, now: dt.datetime, **profile) -> Organisation:
        organisation = Organisation(name=name, name_key=name_key, created_at=now, former_names=[], **profile)
        self._session.add(organisation)
        self._session.flush()
        return organisation

    def counts(self) -> tuple[dict[int, int], dict[int, int]]:
        """(organisation id -> entries not archived, organisation id -> active people)."""
        entries = dict(self._session.execute(select(EntryRow.organisation_id, func.count())
                                             .where(EntryRow.archived.is_(False)).group_by(EntryRow.organisation_id)).all())
        people = dict(self._session.execute(
            select(Membership.organisation_id, func.count()).join(User, User.id == Membership.user_id)
            .where(User.active).group_by(Membership.organisation_id)).all())
        return entries, people

    def members(self, organisation_id: int) -> list[User]:
        return list(self._session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id).order_by(User.display_name)))

    def entry_ids_and_versions(self, organisation_id: int) -> list[tuple[str, int]]:
        return list(self._session.execute(select(EntryRow.id, EntryRow.version)
                                          .where(EntryRow.organisation_id == organisation_id).order_by(EntryRow.id)).all())

    def live_entries(self, organisation_id: int) -> list[tuple[str, str, str]]:
        """(id, name, category) of its entries not archived, A to Z."""
        return list(self._session.execute(
            select(EntryRow.id, EntryRow.name, EntryRow.category)
            .where(EntryRow.organisation_id == organisation_id, EntryRow.archived.is_(False))
            .order_by(func.lower(EntryRow.name))).all())

    def contact(self, organisation_id: int) -> Contact | None:
        """The organisation's own single point of contact (not one of its entries')."""
        return self._session.scalar(select(Contact).where(Contact.organisation_id == organisation_id,
                                                          Contact.entry_id.is_(None)).limit(1))

    def set_contact(self, organisation_id: int, values: dict[str, str | None]) -> None:
        contact = self.contact(organisation_id)
        if not any(values.values()):
            if contact is not None:
                self._session.delete(contact)
            return
        if contact is None:
            contact = Contact(organisation_id=organisation_id, entry_id=None, is_spoc=True)
            self._session.add(contact)
        for name, value in values.items():
            setattr(contact, name, value)

    def named_contacts(self) -> list[tuple[str, Contact]]:
        """(organisation name, its own contact) for every organisation that has one."""
        return list(self._session.execute(
            select(Organisation.name, Contact).join(Contact, Contact.organisation_id == Organisation.id)
            .where(Contact.entry_id.is_(None))).all())

    def names(self) -> list[tuple[int, str, list]]:
        """(id, name, former names) of every organisation."""
        return list(self._session.execute(select(Organisation.id, Organisation.name, Organisation.former_names)).all())

    def client_refs(self, organisation_id: int) -> set[str]:
        return set(self._session.scalars(select(Client.ref).where(Client.organisation_id == organisation_id)))

    def move_people_and_clients(self, from_id: int, to_id: int) -> None:
        """Memberships, client records and consents of `from_id` now belong to `to_id` (an entry moves
        through the unit of work's own update, so it gets a revision)."""
        already = set(self._session.scalars(select(Membership.user_id).where(Membership.organisation_id == to_id)))
        if already:
            self._session.execute(delete(Membership).where(Membership.organisation_id == from_id,
                                                           Membership.user_id.in_(already)))
        self._session.execute(update(Membership).where(Membership.organisation_id == from_id)
                              .values(organisation_id=to_id))
        self._session.execute(update(Client).where(Client.organisation_id == from_id).values(organisation_id=to_id))
        self._session.execute(update(Consent).where(Consent.organisation_id == from_id).values(organisation_id=to_id))
        self._session.execute(delete(Contact).where(Contact.organisation_id == from_id, Contact.entry_id.is_(None)))
        self._session.execute(update(Contact).where(Contact.organisation_id == from_id).values(organisation_id=to_id))

    def remove(self, organisation: Organisation) -> None:
        self._session.delete(organisation)

