"""Accounts (users and their organisations), sign-in sessions and the sign-in throttle."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from directory.models import Membership, Organisation, SignInSession, SignInThrottle, User
from directory.repositories.base import Repository


class AccountRepository(Repository):
    def get(self, username: str) -> User | None:
        return self._session.scalar(select(User).where(User.username == username))

    def by_id(self, user_id: int) -> User | None:
        return self._session.get(User, user_id)

    def by_email(self, email: str) -> User | None:
        return self._session.scalar(select(User).where(User.email == email))

    def all(self) -> list[User]:
        return list(self._session.scalars(select(User).options(selectinload(User.memberships)
                                                                .joinedload(Membership.organisation))))

    def active_coordinators(self) -> int:
        return self._session.scalar(select(func.count()).select_from(User)
                                    .where(User.active, User.role == "coordinator")) or 0

    def add_membership(self, user: User, organisation: Organisation) -> None:
        user.memberships.append(Membership(organisation=organisation, role=user.role))

    def add(self, username: str, display_name: str, role: str, password_hash: str | None,
            organisations: Iterable[Organisation] = ()) -> User:
        """A new user, a member of `organisations` in `role`."""
        user = User(username=username, display_name=display_name, role=role, password_hash=password_hash)
        self._session.add(user)
        for organisation in organisations:
            user.memberships.append(Membership(organisation=organisation, role=role))
        self._session.flush()
        return user

    def organisations_with_members(self) -> list[str]:
        """The names of organisations at least one active user belongs to (each once, in no order)."""
        return list(self._session.scalars(
            select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
            .join(User, User.id == Membership.user_id).where(User.active).distinct()))

    def any_with_password(self, role: str | None = None) -> bool:
        """Whether an active account (of `role`, or any) has a password."""
        query = select(User.id).where(User.password_hash.is_not(None), User.active)
        if role is not None:
            query = query.where(User.role == role)
        return self._session.scalar(query.limit(1)) is not None


class SignInSessionRepository(Repository):
    def get(self, token_hash: str) -> SignInSession | None:
        return self._session.get(SignInSession, token_hash)

    def add(self, token_hash: str, user_id: int, now: dt.datetime) -> None:
        self._session.add(SignInSession(token_hash=token_hash, user_id=user_id, signed_in_at=now, last_seen_at=now))

    def remove_expired(self, *, last_seen_before: dt.datetime, signed_in_before: dt.datetime) -> None:
        """Anyone's sessions idle since `last_seen_before` or begun before `signed_in_before`."""
        self._session.execute(delete(SignInSession).where(
            (SignInSession.last_seen_at < last_seen_before) | (SignInSession.signed_in_at < signed_in_before)))

    def touch(self, token_hash: str, now: dt.datetime) -> None:
        self._session.execute(update(SignInSession).where(SignInSession.token_hash == token_hash)
                              .values(last_seen_at=now))

    def remove(self, token_hash: str) -> None:
        self._session.execute(delete(SignInSession).where(SignInSession.token_hash == token_hash))

    def remove_all_of(self, user_id: int) -> None:
        self._session.execute(delete(SignInSession).where(SignInSession.user_id == user_id))


class SignInThrottleRepository(Repository):
    """Failed sign-ins counted by the username typed (known or not)."""

    def get(self, key: str) -> SignInThrottle | None:
        return self._session.get(SignInThrottle, key)

    def add(self, key: str, now: dt.datetime) -> SignInThrottle:
        throttle = SignInThrottle(username=key, failed=0, last_failed_at=now)
        self._session.add(throttle)
        return throttle

    def remove(self, throttle: SignInThrottle) -> None:
        self._session.delete(throttle)

    def remove_for(self, username: str) -> None:
        self._session.execute(delete(SignInThrottle).where(SignInThrottle.username == username))

    def forget_failures(self, *, failed_before: dt.datetime, now: dt.datetime, keep: str) -> None:
        """Other usernames' counts last failed before `failed_before`, unless locked out still at `now`."""
        self._session.execute(delete(SignInThrottle).where(
            SignInThrottle.last_failed_at < failed_before,
            (SignInThrottle.locked_until.is_(None)) | (SignInThrottle.locked_until < now),
            SignInThrottle.username != keep).execution_options(synchronize_session=False))
