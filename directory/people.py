"""People: coordinators add and manage the partnership's accounts; everyone manages their own.

- Adding a person gives them a one-time **set-password link** (a random token; only its SHA-256 is
  stored; single use; 72 hours). The same kind of link resets a forgotten password.
- Role and organisation changes, deactivation (which ends every open session at once) and
  reactivation; the last active coordinator can be neither deactivated nor demoted.
- Every change to a person goes to the **admin audit log** (who, when, what; never a password or a
  token), which coordinators read and download.
- Someone the identity provider vouches for whose email matches no account is listed as an
  **access request**; a coordinator approves it into an organisation and role in one step.

The actor of every change is an `Account`: a signed-in coordinator, or `OPERATOR` for the command
line (whoever can run it can already read the database). Refusals are `Refused`s whose message
says what to do (`field`: the input at fault).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from directory import organisations as orgs
from directory.accounts import (
    COORDINATOR,
    ROLES,
    USERNAME,
    USERNAME_RULE,
    Account,
    _account,
    check_password_strength,
    hash_password,
    is_coordinator,
    password_matches,
)
from directory.errors import LinkError, NotAllowed, Refused, SignInError
from directory.models import User
from directory.schedule import describe_moment
from directory.store import as_utc
from directory.working_days import uk_time

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.unit_of_work import UnitOfWork

LINK_LIFETIME = dt.timedelta(hours=72)
# The command line's actor in the audit log.
OPERATOR = Account("command line", "Command line (operator)", COORDINATOR, ())
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_NAME = 200
# A bulk upload: enough for a whole partnership, bounded so one upload cannot tie up the server.
MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 2_000
CSV_COLUMNS = ("name", "username", "email", "organisation", "role")


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    email: str | None
    role: str
    organisations: tuple[str, ...]
    active: bool
    last_sign_in: dt.datetime | None
    link_expires: dt.datetime | None  # a set-password link is waiting to be used until then
    has_password: bool


@dataclass(frozen=True)
class IssuedLink:
    """A set-password link just made: the token exists only here (and in the email, if sent)."""

    username: str
    display_name: str
    email: str | None
    token: str
    expires_at: dt.datetime

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/set_password?token={self.token}"


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    subject: str
    detail: str | None


@dataclass(frozen=True)
class AccessRequestRecord:
    email: str
    name: str | None
    first_tried_at: dt.datetime
    last_tried_at: dt.datetime
    attempts: int
    suggested_organisation: str | None


@dataclass
class BulkRow:
    row: int  # the spreadsheet's row number (the header is row 1)
    username: str
    status: str  # added, refused
    problems: list[str] = field(default_factory=list)
    link: IssuedLink | None = None


@dataclass
class BulkReport:
    rows: list[BulkRow]

    @property
    def added(self) -> list[BulkRow]:
        return [r for r in self.rows if r.status == "added"]

    @property
    def refused(self) -> list[BulkRow]:
        return [r for r in self.rows if r.status == "refused"]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_coordinator(actor: Account) -> None:
    if not is_coordinator(actor):
        raise NotAllowed("only a coordinator can manage people: ask a coordinator in your forum")


def _audit(uow: UnitOfWork, actor: Account, action: str, subject: str, detail: str | None, now: dt.datetime) -> None:
    uow.admin_audit.add(actor.username, action, subject, detail, now)


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.accounts.get(username.strip())
    if user is None:
        raise Refused(f"there is no account '{username}': check the username in the list of people")
    return user


def normal_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


def check_new_person(username: str, display_name: str, email: str | None, role: str) -> list[str]:
    """What is wrong with these details, each "field: what to do" (empty when they are fine)."""
    problems = []
    if not USERNAME.match(username):
        problems.append(f"username: {USERNAME_RULE}")
    if not display_name.strip():
        problems.append("name: give the person's name as colleagues will see it")
    elif len(display_name) > MAX_NAME:
        problems.append(f"name: use at most {MAX_NAME} characters")
    if email and not EMAIL.match(email):
        problems.append("email: that does not look like an email address (name@example.org)")
    if role not in ROLES:
        problems.append(f"role: choose one of {', '.join(ROLES)}")
    return problems


def _issue_link(uow: UnitOfWork, actor: Account, user: User, now: dt.datetime, action: str) -> IssuedLink:
    token = secrets.token_urlsafe(32)
    uow.password_links.end_unused_of(user.id, now)
    expires = now + LINK_LIFETIME
    uow.password_links.add(_token_hash(token), user.id, actor.username, now, expires)
    _audit(uow, actor, action, user.username, f"expires {expires:%Y-%m-%d %H:%M} UTC", now)
    return IssuedLink(user.username, user.display_name, user.email, token, expires)


def add_person(
    directory: Directory, actor: Account, username: str, display_name: str, organisation: str, role: str,
    email: str | None = None, *, now: dt.datetime | None = None,
) -> IssuedLink:
    """Create the account (no password yet) and its set-password link."""
    _require_coordinator(actor)
    now = _now(now)
    username, display_name, email = username.strip(), " ".join(display_name.split()), normal_email(email)
    problems = check_new_person(username, display_name, email, role)
    if problems:
        raise Refused("; ".join(problems), problems[0].split(":")[0])
    with directory.unit_of_work() as uow:
        link = _add(uow, actor, username, display_name, organisation, role, email, now)
        uow.commit()
    return link


def _add(uow: UnitOfWork, actor: Account, username: str, display_name: str, organisation: str, role: str,
         email: str | None, now: dt.datetime) -> IssuedLink:
    if uow.accounts.get(username) is not None:
        raise Refused(f"the username '{username}' is taken: choose another (e.g. add an initial)", "username")
    if email and uow.accounts.by_email(email) is not None:
        raise Refused(f"{email} belongs to another account already: find that person in the list", "email")
    organisation_row = orgs.existing(uow, organisation)
    user = uow.accounts.add(username, display_name, role, None, [organisation_row])
    user.email = email
    uow.access_requests.remove(email or "")
    _audit(uow, actor, "person added", username,
           f"{display_name}; {role}; {organisation_row.name}" + (f"; {email}" if email else ""), now)
    return _issue_link(uow, actor, user, now, "set-password link issued")


def issue_link(directory: Directory, actor: Account, username: str, *, now: dt.datetime | None = None) -> IssuedLink:
    """A new set-password link for someone (a forgotten password, or an expired first link); older links stop."""
    _require_coordinator(actor)
    now = _now(now)
    with directory.unit_of_work() as uow:
        user = _user(uow, username)
        if not user.active:
            raise Refused(f"{user.display_name}'s account is deactivated: reactivate it first")
        link = _issue_link(uow, actor, user, now, "set-password link issued")
        uow.commit()
    return link


def _usable_link(uow: UnitOfWork, token: str, now: dt.datetime, *, lock: bool = False):
    link = uow.password_links.get(_token_hash(token or ""), lock=lock) if token and len(token) <= 100 else None
    if link is None:
        raise LinkError("This link does not work: it may have been copied incompletely, or replaced by a newer "
                        "one. Ask your coordinator for a new link.")
    if link.used_at is not None:
        raise LinkError("This link has been used already (each works once). If you have forgotten your password, "
                        "ask your coordinator for a new link.")
    if as_utc(link.expires_at) <= now:
        raise LinkError("This link has expired (links last 72 hours). Ask your coordinator for a new one.")
    user = uow.accounts.by_id(link.user_id)
    if user is None or not user.active:
        raise LinkError("This account is not active. Ask your coordinator.")
    return link, user


def link_holder(directory: Directory, token: str, *, now: dt.datetime | None = None) -> Person:
    """Whose link this is (to greet them by name), or LinkError saying why it does not work."""
    with directory.reader() as uow:
        _, user = _usable_link(uow, token, _now(now))
        return _person(user, None)


def redeem_link(directory: Directory, token: str, password: str, *, now: dt.datetime | None = None) -> Account:
    """Set the password through a link: the link is used up, every older session ends."""
    now = _now(now)
    with directory.unit_of_work() as uow:
        link, user = _usable_link(uow, token, now, lock=True)
        problem = check_password_strength(password, user.username, other_words=(user.display_name, user.email or ""))
        if problem:
            raise Refused(f"Choose another password: {problem}.")
        user.password_hash = hash_password(password)
        link.used_at = now
        uow.password_links.end_unused_of(user.id, now)
        uow.sign_in_throttle.remove_for(user.username)
        uow.sign_in_sessions.remove_all_of(user.id)
        _audit(uow, Account(user.username, user.display_name, user.role, ()), "password set", user.username,
               "through a set-password link", now)
        account = _account(user)
        uow.commit()
    return account


def _last_coordinator_guard(uow: UnitOfWork, user: User, becoming: str) -> None:
    if user.role == COORDINATOR and user.active and uow.accounts.active_coordinators() <= 1:
        raise Refused(f"{user.display_name} is the only active coordinator: make someone else a coordinator "
                          f"before {becoming}")


def change_role(directory: Directory, actor: Account, username: str, role: str, *, now: dt.datetime | None = None) -> None:
    _require_coordinator(actor)
    if role not in ROLES:
        raise Refused(f"choose one of {', '.join(ROLES)}")
    now = _now(now)
    with directory.unit_of_work() as uow:
        user = _user(uow, username)
        if user.role == role:
            return
        if role != COORDINATOR:
            _last_coordinator_guard(uow, user, "they stop being one")
        _audit(uow, actor, "role changed", user.username, f"{user.role} → {role}", now)
        user.role = role
        for membership in user.memberships:
            membership.role = role
        uow.commit()


def change_organisation(directory: Directory, actor: Account, username: str, organisation: str,
                        *, now: dt.datetime | None = None) -> None:
    """Move someone to another organisation (people belong to one; their old one's records close to them)."""
    _require_coordinator(actor)
    now = _now(now)
    with directory.unit_of_work() as uow:
        user = _user(uow, username)
        target = orgs.existing(uow, organisation)
        before = [m.organisation.name for m in user.memberships]
        if before == [target.name]:
            return
        user.memberships.clear()
        uow.flush()
        uow.accounts.add_membership(user, target)
        _audit(uow, actor, "organisation changed", user.username, f"{', '.join(before) or 'none'} → {target.name}", now)
        uow.commit()


def set_active(directory: Directory, actor: Account, username: str, active: bool, *, now: dt.datetime | None = None) -> None:
    """Deactivate (every open session of theirs ends at once; links stop) or reactivate someone."""
    _require_coordinator(actor)
    now = _now(now)
    with directory.unit_of_work() as uow:
        user = _user(uow, username)
        if user.active == active:
            return
        if not active:
            _last_coordinator_guard(uow, user, "deactivating them")
            uow.sign_in_sessions.remove_all_of(user.id)
            uow.password_links.end_unused_of(user.id, now)
        user.active = active
        _audit(uow, actor, "reactivated" if active else "deactivated", user.username, None, now)
        uow.commit()


def _person(user: User, link_expires: dt.datetime | None) -> Person:
    return Person(user.username, user.display_name, user.email, user.role,
                  tuple(m.organisation.name for m in user.memberships), user.active,
                  as_utc(user.last_login) if user.last_login else None,
                  as_utc(link_expires) if link_expires else None, bool(user.password_hash))


def list_people(directory: Directory, actor: Account, *, now: dt.datetime | None = None) -> list[Person]:
    """Everyone, active first, then by name."""
    _require_coordinator(actor)
    with directory.reader() as uow:
        pending = uow.password_links.pending_expiry(_now(now))
        people = [_person(u, pending.get(u.id)) for u in uow.accounts.all()]
    return sorted(people, key=lambda p: (not p.active, p.display_name.casefold(), p.username))


def audit_log(directory: Directory, actor: Account, limit: int = 1000) -> list[AuditEntry]:
    _require_coordinator(actor)
    with directory.reader() as uow:
        return [AuditEntry(as_utc(a.at), a.actor, a.action, a.subject, a.detail) for a in uow.admin_audit.latest(limit)]


# -- everyone's own account ------------------------------------------------------------------------


def change_own_password(directory: Directory, account: Account, current: str, new: str,
                        *, now: dt.datetime | None = None) -> None:
    """The current password is required; every other signed-in browser of theirs is signed out."""
    now = _now(now)
    with directory.unit_of_work() as uow:
        user = _user(uow, account.username)
        if not password_matches(user.password_hash, current):
            raise Refused("Your current password is not right: type it again. (Forgotten it? Ask your "
                              "coordinator for a set-password link.)")
        problem = check_password_strength(new, user.username, other_words=(user.display_name, user.email or ""))
        if problem:
            raise Refused(f"Choose another new password: {problem}.")
        user.password_hash = hash_password(new)
        uow.sign_in_sessions.remove_all_of(user.id)
        _audit(uow, account, "password changed", user.username, "by themselves", now)
        uow.commit()


def change_display_name(directory: Directory, account: Account, display_name: str,
                        *, now: dt.datetime | None = None) -> None:
    display_name = " ".join(display_name.split())
    if not display_name or len(display_name) > MAX_NAME:
        raise Refused(f"Give your name as colleagues will see it (1 to {MAX_NAME} characters).")
    with directory.unit_of_work() as uow:
        user = _user(uow, account.username)
        if user.display_name == display_name:
            return
        _audit(uow, account, "name changed", user.username, f"{user.display_name} → {display_name}", _now(now))
        user.display_name = display_name
        uow.commit()


# -- bulk add --------------------------------------------------------------------------------------


def add_people_from_csv(directory: Directory, actor: Account, data: bytes, *,
                        now: dt.datetime | None = None) -> BulkReport:
    """Add everyone on a CSV (columns name, username, email, organisation, role): good rows are added,
    bad ones reported by row and column; nothing of a bad row is kept."""
    _require_coordinator(actor)
    now = _now(now)
    if len(data) > MAX_CSV_BYTES:
        raise Refused(f"the file is larger than {MAX_CSV_BYTES // 1_000_000} MB: split it into smaller files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("the file is not UTF-8 text: save it as 'CSV UTF-8' and upload it again") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header and c != "email"]
    if missing:
        raise Refused(f"the first row must name the columns {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})")
    reader.fieldnames = header
    rows: list[BulkRow] = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            raise Refused(f"the file has more than {MAX_CSV_ROWS:,} people: split it into smaller files")
        values = {c: (raw.get(c) or "").strip() for c in CSV_COLUMNS}
        if not any(values.values()):
            continue
        role = values["role"].lower() or "viewer"
        email = normal_email(values["email"])
        problems = check_new_person(values["username"], values["name"], email, role)
        result = BulkRow(number, values["username"], "refused", problems)
        rows.append(result)
        if problems:
            continue
        with directory.unit_of_work() as uow:
            try:
                result.link = _add(uow, actor, values["username"], " ".join(values["name"].split()),
                                   values["organisation"], role, email, now)
            except Refused as refused:
                result.problems.append(f"{refused.field}: {refused}" if refused.field else str(refused))
                continue
            uow.commit()
        result.status = "added"
    return BulkReport(rows)


def bulk_report_csv(report: BulkReport, base_url: str) -> str:
    """The report to keep: row, username, outcome, problems and, for people added, their link."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "username", "outcome", "problems", "set-password link", "link expires (UTC)"])
    for row in report.rows:
        writer.writerow([row.row, row.username, row.status, "; ".join(row.problems),
                         row.link.url(base_url) if row.link else "",
                         f"{row.link.expires_at:%Y-%m-%d %H:%M}" if row.link else ""])
    return out.getvalue()


# -- identity provider ----------------------------------------------------------------------------


def account_for_identity(directory: Directory, email: str, name: str | None, *,
                         now: dt.datetime | None = None) -> Account | None:
    """The account whose work email (or username) is `email`. None when there is none: the attempt is
    then listed for coordinators to approve (an access request). SignInError for a deactivated account."""
    email = normal_email(email) or ""
    now = _now(now)
    with directory.reader() as uow:
        user = uow.accounts.by_email(email) or uow.accounts.get(email)
        if user is not None:
            if not user.active:
                raise SignInError("That account is not active. Ask a coordinator in your forum.")
            return _account(user)
    with directory.unit_of_work() as uow:
        request = uow.access_requests.get(email)
        if request is None:
            uow.access_requests.add(email, (name or "")[:MAX_NAME] or None, now)
        else:
            request.attempts += 1
            request.last_tried_at = now
        uow.commit()
    return None


def access_requests(directory: Directory, actor: Account,
                    domain_organisations: dict[str, str] | None = None) -> list[AccessRequestRecord]:
    """Who tried to sign in with an unknown email, newest first, with the organisation their email's
    domain maps to (the `domain_organisations` setting) as a suggestion."""
    _require_coordinator(actor)
    domains = {d.lower().lstrip("@"): o for d, o in (domain_organisations or {}).items()}
    with directory.reader() as uow:
        return [AccessRequestRecord(r.email, r.name, as_utc(r.first_tried_at), as_utc(r.last_tried_at), r.attempts,
                                    domains.get(r.email.rpartition("@")[2]))
                for r in uow.access_requests.all()]


def approve_access_request(directory: Directory, actor: Account, email: str, organisation: str, role: str,
                           *, now: dt.datetime | None = None) -> Person:
    """Make the account (username = the email; no password: the identity provider vouches for them)."""
    _require_coordinator(actor)
    now = _now(now)
    email = normal_email(email) or ""
    if role not in ROLES:
        raise Refused(f"choose one of {', '.join(ROLES)}")
    with directory.unit_of_work() as uow:
        request = uow.access_requests.get(email)
        if request is None:
            raise Refused(f"there is no request from {email}: it may have been approved already")
        if uow.accounts.get(email) is not None or uow.accounts.by_email(email) is not None:
            raise Refused(f"{email} has an account already")
        organisation_row = orgs.existing(uow, organisation)
        user = uow.accounts.add(email, request.name or email, role, None, [organisation_row])
        user.email = email
        uow.access_requests.remove(email)
        _audit(uow, actor, "access request approved", email, f"{role}; {organisation_row.name}", now)
        uow.flush()
        person = _person(user, None)
        uow.commit()
    return person


def dismiss_access_request(directory: Directory, actor: Account, email: str, *, now: dt.datetime | None = None) -> None:
    _require_coordinator(actor)
    with directory.unit_of_work() as uow:
        uow.access_requests.remove(normal_email(email) or "")
        _audit(uow, actor, "access request dismissed", normal_email(email) or "", None, _now(now))
        uow.commit()


def set_email(directory: Directory, actor: Account, username: str, email: str | None,
              *, now: dt.datetime | None = None) -> None:
    _require_coordinator(actor)
    email = normal_email(email)
    if email and not EMAIL.match(email):
        raise Refused("that does not look like an email address (name@example.org)")
    with directory.unit_of_work() as uow:
        user = _user(uow, username)
        if user.email == email:
            return
        other = uow.accounts.by_email(email) if email else None
        if other is not None and other.id != user.id:
            raise Refused(f"{email} belongs to another account already")
        _audit(uow, actor, "email changed", user.username, f"{user.email or 'none'} → {email or 'none'}", _now(now))
        user.email = email
        uow.commit()



# -- telling people their link ------------------------------------------------------------------


def link_email(link: IssuedLink, base_url: str, sent_by: str) -> tuple[str, str]:
    """(subject, body) of the email that carries a set-password link: no client data, nothing else secret."""
    subject = "Your Recovery Pathways account: set your password"
    body = (f"Hello {link.display_name},\n\n"
            f"{sent_by} has given you an account on Recovery Pathways, the partnership's shared directory "
            f"of local recovery, training and employment support. Your username is: {link.username}\n\n"
            f"Set your password here (the link works once, until {describe_moment(uk_time(link.expires_at))}, "
            "UK time):\n"
            f"{link.url(base_url)}\n\n"
            "If you were not expecting this, ignore this email: nothing happens unless the link is used.\n")
    return subject, body


def email_link(mail_settings, link: IssuedLink, base_url: str, sent_by: str) -> bool:
    """Email the link when an SMTP server is configured and the person has an email address; True when
    sent. Raises directory.mail.MailNotSent when the server refused it."""
    from directory import mail

    if mail_settings is None or not link.email:
        return False
    subject, body = link_email(link, base_url, sent_by)
    mail.send(mail_settings, link.email, subject, body)
    return True
