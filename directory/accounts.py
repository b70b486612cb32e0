"""Users, roles and organisation membership: every change has an author.

The one roles table (`ROLES`) and the checks on it (`has_role`, `can_edit`, `is_coordinator`)
live here; the directory, client records, provision health and the app's pages all ask these.
Sign-in rules (argon2id, the throttle, expiring sessions) are here too; the rows are read and
written through the unit of work's repositories (`uow.accounts`, `uow.sign_in_sessions`,
`uow.sign_in_throttle`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from directory.errors import SignInError
from directory.models import SignInThrottle, User
from directory.store import as_utc

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork

VIEWER, EDITOR, COORDINATOR = "viewer", "editor", "coordinator"
# Each role can do all that the roles before it can.
ROLES = {
    VIEWER: "can search and view",
    EDITOR: "can add, edit, verify and archive entries",
    COORDINATOR: "can do everything, and manage accounts and the map's health",
}
_RANK = {role: rank for rank, role in enumerate(ROLES)}
# Usernames: short, lower-case, no spaces (they appear in audit logs, revisions and URLs).
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
USERNAME_RULE = ("use 2 to 40 lower-case letters, digits, dots, dashes or underscores, starting with a letter or "
                 "digit (e.g. jsmith)")


class HasRole(Protocol):
    role: str


def has_role(account: HasRole | None, role: str) -> bool:
    """Whether `account` (an Account or a stored user; None: nobody signed in) can do what `role` can."""
    if role not in _RANK:
        raise ValueError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    return account is not None and _RANK.get(account.role, -1) >= _RANK[role]


def can_edit(account: HasRole | None) -> bool:
    """Editors and coordinators change entries and client records; viewers only look."""
    return has_role(account, EDITOR)


def is_coordinator(account: HasRole | None) -> bool:
    """Coordinators manage accounts, the map's health and the client access log."""
    return has_role(account, COORDINATOR)

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
    directory: Directory, username: str, display_name: str, role: str = EDITOR,
    password: str | None = None, organisations: tuple[str, ...] = (), email: str | None = None,
) -> Account:
    """An account, straight into the database (the demo, the first coordinator, tests). People are added
    by coordinators through directory.people, which audits the change and issues a set-password link."""
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    with directory.unit_of_work() as uow:
        if uow.accounts.get(username) is not None:
            raise ValueError(f"the username '{username}' is taken")
        user = uow.accounts.add(username, display_name, role, hash_password(password) if password else None,
                                [uow.organisation(name) for name in organisations])
        user.email = email.strip().lower() if email else None
        account = _account(user)
        uow.commit()
    return account


def ensure_user(directory: Directory, username: str, display_name: str | None = None, role: str = EDITOR) -> Account:
    """The account, created on first use (scripted imports that name `--as USER`, identity-provider sign-ins)."""
    found = get_account(directory, username)
    if found is not None:
        return found
    try:
        return create_user(directory, username, display_name or username, role)
    except ValueError:  # created meanwhile by a concurrent caller (two tabs signing in at once)
        return get_account(directory, username)


def get_account(directory: Directory, username: str) -> Account | None:
    with directory.reader() as uow:
        user = uow.accounts.get(username)
        return _account(user) if user else None


def last_sign_in(directory: Directory, username: str) -> dt.datetime | None:
    """When `username` last signed in (None: never, or no such account)."""
    with directory.reader() as uow:
        user = uow.accounts.get(username.strip())
        return as_utc(user.last_login) if user is not None and user.last_login else None


def organisations_with_accounts(directory: Directory) -> list[str]:
    """The organisations someone can sign in for: each named once (as first written), A to Z.

    These are the partners a client's consent can usefully name (directory.clients shares a record
    with the members of the organisations its consent names)."""
    with directory.reader() as uow:
        names = uow.accounts.organisations_with_members()
    return sorted(set(names), key=lambda name: (name.casefold(), name))


# -- signing in ----------------------------------------------------------------------------

MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
# A shared office PC should not stay signed in overnight.
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_LIMIT = dt.timedelta(hours=10)
MIN_PASSWORD_LENGTH = 12
# Hashing a very long password is work an attacker could make the server do.
MAX_PASSWORD_LENGTH = 200
# Verified against when the username is unknown, so a wrong username takes as long as a wrong password.


@functools.cache
def _dummy_hash() -> str:
    """Made on first use, not on import: an argon2 hash takes half a second, which every process start paid."""
    return _hasher.hash("not a real password")


def check_password_strength(password: str, username: str = "", *, other_words: tuple[str, ...] = ()) -> str | None:
    """None when acceptable, else what to do instead (NCSC and NIST SP 800-63B: length, and not a
    password attackers try first; no rules about symbols)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters (three or four words together are easy to remember)"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"use at most {MAX_PASSWORD_LENGTH} characters"
    if username and username.casefold() in password.casefold():
        return "do not include your username in your password"
    if password.casefold() in _common_passwords():
        return "that is one of the most common passwords, which are tried first: choose another"
    # zxcvbn's estimate (dictionary words, keyboard runs, repeats, dates, names): only the weakest are refused.
    from zxcvbn import zxcvbn

    verdict = zxcvbn(password, user_inputs=[w for w in (username, *other_words) if w])
    if verdict["score"] < 3:
        warning = (verdict["feedback"].get("warning") or "").rstrip(".")
        because = f" ({warning[0].lower()}{warning[1:]})" if warning else ""
        return f"that password would be easy to guess{because}: add another word or two"
    return None


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from leaked lists, as packaged with zxcvbn."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"])


def authenticate(directory: Directory, username: str, password: str, now: dt.datetime | None = None) -> Account:
    """The account if the password is right; a username is locked out after repeated failures.

    Unknown usernames are counted and locked out too, with the same words, so neither the
    message nor the lock-out tells anyone which usernames exist.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    wrong = SignInError("That username and password do not match. Check them and try again.")
    typed = username.strip()
    key = typed[:80]
    with directory.unit_of_work() as uow:
        throttle = uow.sign_in_throttle.get(key)
        locked_until = as_utc(throttle.locked_until) if throttle else None
        if locked_until and locked_until > now:
            raise SignInError(
                f"Too many attempts: try again after {locked_until.astimezone().strftime('%H:%M')}, "
                "or ask a coordinator to reset your password."
            )
        user = uow.accounts.get(typed)
        if user is None or not user.active or not user.password_hash:
            password_matches(_dummy_hash(), password)
            _count_failure(uow, throttle, key, now)
            uow.commit()
            raise wrong
        if not password_matches(user.password_hash, password):
            _count_failure(uow, throttle, key, now)
            uow.commit()
            raise wrong
        if throttle is not None:
            uow.sign_in_throttle.remove(throttle)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        account = _account(user)
        uow.commit()
    return account


def _count_failure(uow: UnitOfWork, throttle: SignInThrottle | None, key: str, now: dt.datetime) -> None:
    # Counts older than a lock-out are forgotten, so the table holds only today's guessing.
    uow.sign_in_throttle.forget_failures(failed_before=now - LOCKOUT, now=now, keep=key)
    if throttle is None:
        throttle = uow.sign_in_throttle.add(key, now)
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


def open_session(directory: Directory, username: str, now: dt.datetime | None = None) -> str:
    """Sign `username` in: returns a new random token for the browser to keep (in a cookie)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    token = secrets.token_urlsafe(32)
    with directory.unit_of_work() as uow:
        user = uow.accounts.get(username)
        if user is None or not user.active:
            raise SignInError("That account is not active. Ask a coordinator in your forum.")
        # Expired sessions (anyone's: browsers closed without signing out) are tidied away at each sign-in,
        # so the table holds about as many rows as people using the app today.
        uow.sign_in_sessions.remove_expired(last_seen_before=now - SESSION_IDLE, signed_in_before=now - SESSION_LIMIT)
        uow.sign_in_sessions.add(_token_hash(token), user.id, now)
        user.last_login = now  # every way in (password, identity provider, the first coordinator) opens a session
        uow.commit()
    return token


def account_for_session(directory: Directory, token: str | None, now: dt.datetime | None = None) -> Account | None:
    """Who is signed in with `token`, read afresh (a role change applies at once); None when the token is
    unknown, signed out, expired or its account deactivated. Using a session keeps it alive."""
    if not token:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    token_hash = _token_hash(token)
    with directory.reader() as uow:
        row = uow.sign_in_sessions.get(token_hash)
        if row is None:
            return None
        user = uow.accounts.by_id(row.user_id)
        signed_in_at, last_seen_at = as_utc(row.signed_in_at), as_utc(row.last_seen_at)
        expired = session_expired(signed_in_at, last_seen_at, now)
        account = _account(user) if user.active and not expired else None
    if expired:
        close_session(directory, token)
    elif account is not None and now - last_seen_at >= SESSION_TOUCH:
        with directory.unit_of_work() as uow:
            uow.sign_in_sessions.touch(token_hash, now)
            uow.commit()
    return account


def close_session(directory: Directory, token: str | None) -> None:
    """Sign out: the token stops working everywhere (other tabs, other app instances)."""
    if not token:
        return
    with directory.unit_of_work() as uow:
        uow.sign_in_sessions.remove(_token_hash(token))
        uow.commit()


def needs_first_coordinator(directory: Directory) -> bool:
    """True until someone can sign in as a coordinator: the app then offers to create that account."""
    with directory.reader() as uow:
        return not uow.accounts.any_with_password(COORDINATOR)


def anyone_can_sign_in(directory: Directory) -> bool:
    """Whether any active account has a password (on a new installation nobody has)."""
    with directory.reader() as uow:
        return uow.accounts.any_with_password()


def create_first_coordinator(directory: Directory, username: str, display_name: str, password: str,
                             organisation: str | None = None) -> Account:
    if not needs_first_coordinator(directory):
        raise ValueError("a coordinator exists already: ask them to create your account")
    if not USERNAME.match(username):
        raise ValueError(f"username: {USERNAME_RULE}")
    problem = check_password_strength(password, username, other_words=(display_name,))
    if problem:
        raise ValueError(f"choose another password: {problem}")
    organisation = " ".join((organisation or "").split())
    if len(organisation) > 200:
        raise ValueError("use at most 200 characters for your organisation's name")
    return create_user(directory, username, display_name, COORDINATOR, password=password,
                       organisations=(organisation,) if organisation else ())


def set_password(directory: Directory, username: str, password: str) -> None:
    problem = check_password_strength(password, username)
    if problem:
        raise ValueError(f"choose another password: {problem}")
    with directory.unit_of_work() as uow:
        user = uow.accounts.get(username)
        if user is None:
            raise ValueError(f"no account '{username}'")
        user.password_hash = hash_password(password)
        uow.sign_in_throttle.remove_for(username)
        # A new password signs out every browser that was signed in with the old one.
        uow.sign_in_sessions.remove_all_of(user.id)
        uow.commit()
