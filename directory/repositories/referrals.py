"""Referrals: the consent for each one, the referral, its status events, and partnership settings.

Only queries: who may see or change a referral, what the receiver sees, the no-answer rule and the
access log are directory/referrals.py's rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import delete, select, update

from directory.models import (
    Contact,
    EntryRow,
    Membership,
    Organisation,
    PartnershipSetting,
    Referral,
    ReferralConsent,
    ReferralEvent,
    User,
)
from directory.repositories.base import Repository


class ReferralRepository(Repository):
    # -- consent ---------------------------------------------------------------------------

    def add_consent(self, **values: Any) -> ReferralConsent:
        consent = ReferralConsent(**values)
        self._session.add(consent)
        self._session.flush()
        return consent

    def consent(self, consent_id: int | None) -> ReferralConsent | None:
        return self._session.get(ReferralConsent, consent_id) if consent_id is not None else None

    def consents_of(self, client_id: int) -> list[tuple[ReferralConsent, str, int | None]]:
        """(consent, the organisation it names, the referral that used it) for one client, oldest first."""
        return [tuple(row) for row in self._session.execute(
            select(ReferralConsent, Organisation.name, Referral.id)
            .join(Organisation, Organisation.id == ReferralConsent.organisation_id)
            .join(Referral, Referral.consent_id == ReferralConsent.id, isouter=True)
            .where(ReferralConsent.client_id == client_id).order_by(ReferralConsent.id))]

    def unused_consent(self, client_id: int, organisation_id: int) -> ReferralConsent | None:
        """The newest consent naming this organisation that is neither withdrawn nor used by a referral."""
        return self._session.scalar(
            select(ReferralConsent).join(Referral, Referral.consent_id == ReferralConsent.id, isouter=True)
            .where(ReferralConsent.client_id == client_id, ReferralConsent.organisation_id == organisation_id,
                   ReferralConsent.withdrawn_on.is_(None), Referral.id.is_(None))
            .order_by(ReferralConsent.id.desc()).limit(1))

    def referral_using(self, consent_id: int) -> Referral | None:
        return self._session.scalar(select(Referral).where(Referral.consent_id == consent_id))

    # -- referrals -------------------------------------------------------------------------

    def add(self, **values: Any) -> Referral:
        referral = Referral(**values)
        self._session.add(referral)
        self._session.flush()
        return referral

    def get(self, referral_id: int, *, lock: bool = False) -> Referral | None:
        query = select(Referral).where(Referral.id == referral_id)
        return self._session.scalar(query.with_for_update() if lock else query)

    def open_to(self, client_id: int, to_organisation_id: int, entry_id: str | None, open_statuses: Iterable[str]) -> list[Referral]:
        """The client's referrals to the same service (organisation and entry) still open, oldest first."""
        entry = Referral.entry_id.is_(None) if entry_id is None else Referral.entry_id == entry_id
        return list(self._session.scalars(
            select(Referral).where(Referral.client_id == client_id, Referral.to_organisation_id == to_organisation_id,
                                   entry, Referral.status.in_(list(open_statuses))).order_by(Referral.id)))

    def to_organisations(self, organisation_ids: set[int]) -> list[Referral]:
        return list(self._session.scalars(select(Referral).where(Referral.to_organisation_id.in_(organisation_ids))
                                          .order_by(Referral.sent_at.desc(), Referral.id.desc()))) if organisation_ids else []

    def from_organisations(self, organisation_ids: set[int]) -> list[Referral]:
        return list(self._session.scalars(select(Referral).where(Referral.from_organisation_id.in_(organisation_ids))
                                          .order_by(Referral.sent_at.desc(), Referral.id.desc()))) if organisation_ids else []

    def of_client(self, client_id: int) -> list[Referral]:
        """Oldest first."""
        return list(self._session.scalars(select(Referral).where(Referral.client_id == client_id)
                                          .order_by(Referral.sent_at, Referral.id)))

    def sent_between(self, start: dt.datetime, end: dt.datetime) -> list[Referral]:
        """Every referral sent from `start` (inclusive) to `end` (exclusive), erased clients' too."""
        return list(self._session.scalars(select(Referral).where(Referral.sent_at >= start, Referral.sent_at < end)
                                          .order_by(Referral.sent_at, Referral.id)))

    # -- status events ---------------------------------------------------------------------

    def add_event(self, referral_id: int, **values: Any) -> ReferralEvent:
        event = ReferralEvent(referral_id=referral_id, **values)
        self._session.add(event)
        return event

    def events(self, referral_ids: Iterable[int]) -> dict[int, list[ReferralEvent]]:
        """referral id -> its events, oldest first."""
        ids = list(referral_ids)
        found: dict[int, list[ReferralEvent]] = {i: [] for i in ids}
        if ids:
            for event in self._session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id.in_(ids))
                                               .order_by(ReferralEvent.at, ReferralEvent.id)):
                found[event.referral_id].append(event)
        return found

    # -- what records show -----------------------------------------------------------------

    def organisation_names(self) -> dict[int, str]:
        return dict(self._session.execute(select(Organisation.id, Organisation.name)).all())

    def entry(self, entry_id: str) -> EntryRow | None:
        return self._session.get(EntryRow, entry_id)

    def entry_names(self, entry_ids: Iterable[str | None]) -> dict[str, str]:
        ids = sorted({i for i in entry_ids if i})
        return dict(self._session.execute(select(EntryRow.id, EntryRow.name).where(EntryRow.id.in_(ids))).all()) if ids else {}

    def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        names = sorted(set(usernames))
        return dict(self._session.execute(select(User.username, User.display_name).where(User.username.in_(names))).all()) if names else {}

    def user_email(self, username: str) -> str | None:
        return self._session.scalar(select(User.email).where(User.username == username))

    def acting_members(self, organisation_id: int, roles: Iterable[str]) -> list[User]:
        """Active members of the organisation with one of these roles, by name."""
        return list(self._session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.active, User.role.in_(list(roles)))
            .order_by(User.display_name, User.username)))

    def organisation_contact(self, organisation_id: int) -> Contact | None:
        return self._session.scalar(select(Contact).where(Contact.organisation_id == organisation_id,
                                                          Contact.entry_id.is_(None)).limit(1))

    # -- erasure and merging ---------------------------------------------------------------

    def erase_client(self, client_id: int, now: dt.datetime) -> int:
        """Every personal detail of the client's referrals goes (and their consents); the funnel's codes,
        organisations and times stay. Returns how many referrals were anonymised."""
        ids = list(self._session.scalars(select(Referral.id).where(Referral.client_id == client_id)))
        if ids:
            self._session.execute(update(Referral).where(Referral.id.in_(ids)).values(
                client_id=None, consent_id=None, plan_action_id=None, reason=None, contact_preference=None,
                availability=None, client_name=None, client_phone=None, erased_at=now))
            self._session.execute(update(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)).values(note=None))
        self._session.execute(delete(ReferralConsent).where(ReferralConsent.client_id == client_id))
        return len(ids)

    def move_organisation(self, from_id: int, to_id: int) -> None:
        """Referrals made by, or sent to, `from_id` (and consents naming it) now belong to `to_id`."""
        self._session.execute(update(Referral).where(Referral.from_organisation_id == from_id)
                              .values(from_organisation_id=to_id))
        self._session.execute(update(Referral).where(Referral.to_organisation_id == from_id)
                              .values(to_organisation_id=to_id))
        self._session.execute(update(ReferralConsent).where(ReferralConsent.organisation_id == from_id)
                              .values(organisation_id=to_id))


class SettingRepository(Repository):
    def get(self, key: str) -> PartnershipSetting | None:
        return self._session.get(PartnershipSetting, key)

    def with_prefix(self, prefix: str) -> list[PartnershipSetting]:
        """The settings whose key starts with `prefix` (a harvest's per-feed records: "harvest:")."""
        return list(self._session.scalars(select(PartnershipSetting).where(PartnershipSetting.key.startswith(prefix))))

    def put(self, key: str, value: dict[str, Any], updated_by: str, now: dt.datetime) -> None:
        setting = self.get(key)
        if setting is None:
            setting = PartnershipSetting(key=key)
            self._session.add(setting)
        setting.value, setting.updated_by, setting.updated_at = value, updated_by, now
