"""Users, roles and organisation membership: every change has an author."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from directory.models import Membership, User

ROLES = {
    "viewer": "can search and view",
    "editor": "can add, edit, verify and archive entries",
    "coordinator": "can do everything, and manage accounts and the map's health",
}

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    organisations: tuple[str, ...]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _account(user: User) -> Account:
    return Account(user.username, user.display_name, user.role, tuple(m.organisation.name for m in user.memberships))


def create_user(
    directory, username: str, display_name: str, role: str = "editor",
    password: str | None = None, organisations: tuple[str, ...] = (),
) -> Account:
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    with directory.unit_of_work() as uow:
        session = uow.session
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise ValueError(f"the username '{username}' is taken")
        user = User(
            username=username, display_name=display_name, role=role,
            password_hash=hash_password(password) if password else None,
        )
        session.add(user)
        for name in organisations:
            user.memberships.append(Membership(organisation=uow.organisation(name), role=role))
        session.flush()
        account = _account(user)
        uow.commit()
    return account


def ensure_user(directory, username: str, display_name: str | None = None, role: str = "editor") -> Account:
    """The account, created on first use (for scripted imports that name `--as USER`)."""
    found = get_account(directory, username)
    if found is not None:
        return found
    try:
        return create_user(directory, username, display_name or username, role)
    except ValueError:  # created by a concurrent caller meanwhile
        return get_account(directory, username)


def get_account(directory, username: str) -> Account | None:
    with directory._read() as session:
        user = session.scalar(select(User).where(User.username == username))
        return _account(user) if user else None
