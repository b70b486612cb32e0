"""Users, roles and organisation membership: every change has an author."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update

from directory.models import Membership, Organisation, SignInSession, SignInThrottle, User
from directory.store import as_utc

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


def organisations_with_accounts(directory) -> list[str]:
    """The organisations someone can sign in for: each named once (as first written), A to Z.

    These are the partners a client's consent can usefully name (directory.clients shares a record
    with the members of the organisations its consent names)."""
    with directory._read() as session:
        names = session.scalars(
            select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
            .join(User, User.id == Membership.user_id).where(User.active).distinct())
        return sorted(set(names), key=lambda name: (name.casefold(), name))


# -- signing in ----------------------------------------------------------------------------

MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
# A shared office PC should not stay signed in overnight.
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_LIMIT = dt.timedelta(hours=10)
MIN_PASSWORD_LENGTH = 10
# Verified against when the username is unknown, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class SignInError(Exception):
    """Why signing in failed, in words that do not tell an attacker which usernames exist."""


def check_password_strength(password: str, username: str = "") -> str | None:
    """None when acceptable, else what to do instead."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters (a few words together are easy to remember)"
    if username and username.casefold() in password.casefold():
        return "do not include your username in your password"
    return None


def authenticate(directory, username: str, password: str, now: dt.datetime | None = None) -> Account:
    """The account if the password is right; a username is locked out after repeated failures.

    Unknown usernames are counted and locked out too, with the same words, so neither the
    message nor the lock-out tells anyone which usernames exist.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    wrong = SignInError("That username and password do not match. Check them and try again.")
    typed = username.strip()
    key = typed[:80]
    with directory.unit_of_work() as uow:
        throttle = uow.session.get(SignInThrottle, key)
        locked_until = as_utc(throttle.locked_until) if throttle else None
        if locked_until and locked_until > now:
            raise SignInError(
                f"Too many attempts: try again after {locked_until.astimezone().strftime('%H:%M')}, "
                "or ask a coordinator to reset your password."
            )
        user = uow.session.scalar(select(User).where(User.username == typed))
        if user is None or not user.active or not user.password_hash:
            password_matches(_DUMMY_HASH, password)
            _count_failure(uow.session, throttle, key, now)
            uow.commit()
            raise wrong
        if not password_matches(user.password_hash, password):
            _count_failure(uow.session, throttle, key, now)
            uow.commit()
            raise wrong
        if throttle is not None:
            uow.session.delete(throttle)
        user.last_login = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        account = _account(user)
        uow.commit()
    return account


def _count_failure(session, throttle: SignInThrottle | None, key: str, now: dt.datetime) -> None:
    # Counts older than a lock-out are forgotten, so the table holds only today's guessing.
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.last_failed_at < now - LOCKOUT,
        (SignInThrottle.locked_until.is_(None)) | (SignInThrottle.locked_until < now),
        SignInThrottle.username != key).execution_options(synchronize_session=False))
    if throttle is None:
        throttle = SignInThrottle(username=key, failed=0, last_failed_at=now)
        session.add(throttle)
    elif as_utc(throttle.last_failed_at) < now - LOCKOUT or throttle.locked_until is not None:
        throttle.failed, throttle.locked_until = 0, None  # an old run of failures, or a lock-out that has ended
    throttle.failed += 1
    throttle.last_failed_at = now
    if throttle.failed >= MAX_FAILED_SIGN_INS:
        throttle.locked_until, throttle.failed = now + LOCKOUT, 0


def session_expired(signed_in_at: dt.datetime, last_seen: dt.datetime, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now - last_seen > SESSION_IDLE or now - signed_in_at > SESSION_LIMIT


# How often a session's "last seen" time is written: often enough for the idle limit, rarely enough that
# clicking around is not a database write per click.
SESSION_TOUCH = dt.timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(directory, username: str, now: dt.datetime | None = None) -> str:
    """Sign `username` in: returns a new random token for the browser to keep (in a cookie)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    token = secrets.token_urlsafe(32)
    with directory.unit_of_work() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise SignInError("That account is not active. Ask a coordinator in your forum.")
        # Expired sessions (anyone's: browsers closed without signing out) are tidied away at each sign-in,
        # so the table holds about as many rows as people using the app today.
        uow.session.execute(delete(SignInSession).where(
            (SignInSession.last_seen_at < now - SESSION_IDLE) | (SignInSession.signed_in_at < now - SESSION_LIMIT)))
        uow.session.add(SignInSession(token_hash=_token_hash(token), user_id=user.id, signed_in_at=now, last_seen_at=now))
        uow.commit()
    return token


def account_for_session(directory, token: str | None, now: dt.datetime | None = None) -> Account | None:
    """Who is signed in with `token`, read afresh (a role change applies at once); None when the token is
    unknown, signed out, expired or its account deactivated. Using a session keeps it alive."""
    if not token:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    token_hash = _token_hash(token)
    with directory._read() as session:
        row = session.get(SignInSession, token_hash)
        if row is None:
            return None
        user = session.get(User, row.user_id)
        signed_in_at, last_seen_at = as_utc(row.signed_in_at), as_utc(row.last_seen_at)
        expired = session_expired(signed_in_at, last_seen_at, now)
        account = _account(user) if user.active and not expired else None
    if expired:
        close_session(directory, token)
    elif account is not None and now - last_seen_at >= SESSION_TOUCH:
        with directory.unit_of_work() as uow:
            uow.session.execute(update(SignInSession).where(SignInSession.token_hash == token_hash)
                                .values(last_seen_at=now))
            uow.commit()
    return account


def close_session(directory, token: str | None) -> None:
    """Sign out: the token stops working everywhere (other tabs, other app instances)."""
    if not token:
        return
    with directory.unit_of_work() as uow:
        uow.session.execute(delete(SignInSession).where(SignInSession.token_hash == _token_hash(token)))
        uow.commit()


def needs_first_coordinator(directory) -> bool:
    """True until someone can sign in as a coordinator: the app then offers to create that account."""
    with directory._read() as session:
        return session.scalar(
            select(User.id).where(User.role == "coordinator", User.password_hash.is_not(None), User.active)
        ) is None


def anyone_can_sign_in(directory) -> bool:
    """Whether any active account has a password (on a new installation nobody has)."""
    with directory._read() as session:
        return session.scalar(select(User.id).where(User.password_hash.is_not(None), User.active)) is not None


def create_first_coordinator(directory, username: str, display_name: str, password: str) -> Account:
    if not needs_first_coordinator(directory):
        raise ValueError("a coordinator exists already: ask them to create your account")
    problem = check_password_strength(password, username)
    if problem:
        raise ValueError(f"choose another password: {problem}")
    return create_user(directory, username, display_name, "coordinator", password=password)


def set_password(directory, username: str, password: str) -> None:
    problem = check_password_strength(password, username)
    if problem:
        raise ValueError(f"choose another password: {problem}")
    with directory.unit_of_work() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise ValueError(f"no account '{username}'")
        user.password_hash = hash_password(password)
        uow.session.execute(delete(SignInThrottle).where(SignInThrottle.username == username))
        # A new password signs out every browser that was signed in with the old one.
        uow.session.execute(delete(SignInSession).where(SignInSession.user_id == user.id))
        uow.commit()


def account_for_identity(directory, email: str, name: str | None) -> Account:
    """The account for someone signed in through OpenID Connect (e.g. Microsoft Entra ID).

    First sign-in creates a viewer account named by their email; a coordinator gives it
    more rights. No password is stored: the identity provider vouches for them.
    """
    username = email.strip().lower()
    found = get_account(directory, username)
    if found is not None:
        return found
    try:
        return create_user(directory, username, name or username, "viewer")
    except ValueError:  # two tabs signing in at once
        return get_account(directory, username)
