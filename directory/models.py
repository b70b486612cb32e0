"""Typed SQLAlchemy 2.0 models: the directory's tables.

Rows are read and written only inside a unit of work: directory/unit_of_work.py
(which writes entries and their revisions itself) and the repositories it hands
out (directory/repositories/). Domain modules (accounts, clients, health, unmet)
get model objects from those repositories and may change their attributes inside
the unit of work; they never hold a Session. Nothing outside `directory/` sees a
model: pages, the CLI and the planner get plain records (`fields.Entry`,
`accounts.Account`, `clients.ClientRecord`, ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonValue = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {
        dict[str, Any]: JsonValue,
        list[Any]: JsonValue,
        dt.datetime: DateTime(timezone=True),
    }


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded name, so "Tees Recovery  Ltd" and "tees recovery ltd" are one organisation.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # directory.organisations.KINDS: treatment provider, Jobcentre, college, ...
    kind: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    # How partners refer to it, in its own words ("phone the duty worker", "self-referral welcome").
    how_to_refer: Mapped[str | None] = mapped_column(Text)
    # Names it had before a rename or a merge: a search for them still finds it.
    former_names: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(80))

    entries: Mapped[list[EntryRow]] = relationship(back_populates="organisation")
    contacts: Mapped[list[Contact]] = relationship(
        primaryjoin="and_(Contact.organisation_id == Organisation.id, Contact.entry_id.is_(None))",
        viewonly=True,
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Work email, stored lower-case: how an identity-provider sign-in finds its account, and where links go.
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="viewer")  # viewer, editor, coordinator
    active: Mapped[bool] = mapped_column(default=True)
    last_login: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("email", name="uq_users_email"),)


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="editor")

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()


class PasswordLink(Base):
    """A one-time link to set (or reset) a password: only the token's SHA-256 is stored.

    Single use, expires after directory.people.LINK_LIFETIME; issuing a new one ends any older one."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class AdminAudit(Base):
    """Every change to a person or an organisation: who, when, what. Never a password or a token."""

    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))  # the username or organisation changed
    detail: Mapped[str | None] = mapped_column(Text)


class AccessRequest(Base):
    """Someone the identity provider vouched for whose email matches no account: coordinators approve them."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    first_tried_at: Mapped[dt.datetime]
    last_tried_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=1)


class SignInThrottle(Base):
    """Failed sign-ins for a username as typed, whether or not an account has it.

    Kept apart from `users` so an unknown username is locked out exactly like a real one: the
    lock-out message must not tell an attacker which usernames exist.
    """

    __tablename__ = "sign_in_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failed: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(index=True)
    locked_until: Mapped[dt.datetime | None]


class SignInSession(Base):
    """A browser that is signed in: it keeps a random token in a cookie, so a reload stays signed in.

    Only the token's SHA-256 is stored, so a copy of the database cannot be used to sign in; signing out
    deletes the row, which ends the session in every tab and app instance at once.
    """

    __tablename__ = "sign_in_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    signed_in_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]


class EntryRow(Base):
    __tablename__ = "entries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[list[Any]] = mapped_column(default=lambda: ["in_person"])
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    schedule: Mapped[str | None] = mapped_column(Text)
    term_time_only: Mapped[bool | None]
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    stages: Mapped[list[Any]] = mapped_column(default=list)
    continuum_steps: Mapped[list[Any]] = mapped_column(default=list)
    eligible_benefits: Mapped[list[Any]] = mapped_column(default=list)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    requires_abstinence: Mapped[bool | None]
    drug_testing: Mapped[bool | None]
    accepts_convictions: Mapped[str | None] = mapped_column(String(20))
    dbs_check: Mapped[str | None] = mapped_column(String(20))
    cost: Mapped[str | None] = mapped_column(String(200))
    travel_costs_paid: Mapped[bool | None]
    childcare: Mapped[bool | None]
    format: Mapped[list[Any]] = mapped_column(default=list)
    referral: Mapped[str | None] = mapped_column(String(20))
    waiting_days: Mapped[int | None]
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    accessibility: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    # codes.FOR_GROUPS: who the service is only for; empty means open to all.
    for_groups: Mapped[list[Any]] = mapped_column(default=list)
    # codes.MENTORING_ROLES, for peer-mentoring entries: receive, become or both.
    mentoring_role: Mapped[str | None] = mapped_column(String(20))
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    last_verified_by: Mapped[str | None] = mapped_column(String(80))

    version: Mapped[int] = mapped_column(default=1)
    archived: Mapped[bool] = mapped_column(default=False, index=True)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("entries.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(80))

    organisation: Mapped[Organisation] = relationship(back_populates="entries", lazy="joined")
    location: Mapped[Location | None] = relationship(
        back_populates="entry", cascade="all, delete-orphan", uselist=False, lazy="joined"
    )
    spoc: Mapped[Contact | None] = relationship(
        cascade="all, delete-orphan", uselist=False, lazy="joined",
        primaryjoin="and_(Contact.entry_id == EntryRow.id, Contact.is_spoc)",
    )
    sessions: Mapped[list[SessionRow]] = relationship(
        cascade="all, delete-orphan", order_by="SessionRow.day, SessionRow.start"
    )


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    entry: Mapped[EntryRow] = relationship(back_populates="location")


class Contact(Base):
    """A named contact: an entry's single point of contact (SPOC), or an organisation's."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("entries.id"), index=True)
    is_spoc: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))


class SessionRow(Base):
    """One weekly session of an entry, derived from its schedule text for day and clash queries."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    day: Mapped[int]  # 0 = Monday
    start: Mapped[dt.time] = mapped_column(Time)
    end: Mapped[dt.time] = mapped_column(Time)


class Revision(Base):
    """Every create, update, verify, archive, restore, import and merge: who, when, what changed."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_revision_entry_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # {field: [old, new]} in JSON form (fields.to_json).
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # All spreadsheet fields after the change, so any version can be shown or restored.
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    # Many-to-one only, so a flush inserts the entry before its revision without loading histories.
    entry: Mapped[EntryRow] = relationship()


class DirectoryState(Base):
    """One row. `change_counter` moves on every write so every app process can tell its caches are stale;
    `profile_counter` too when the write changed an organisation's profile. `changes_kept_from`: the change log
    (`entry_changes`) holds every change after this counter, so a process whose indexes are at this counter or
    later can catch up from the log; one further behind rebuilds."""

    __tablename__ = "directory_state"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    change_counter: Mapped[int] = mapped_column(default=0)
    demo: Mapped[bool] = mapped_column(default=False)
    changes_kept_from: Mapped[int] = mapped_column(default=0, server_default="0")
    # Moves with every write that changes an organisation's public profile (one added, edited, renamed or merged
    # away, its own contact): the read API reads the profiles again only when it moved.
    profile_counter: Mapped[int] = mapped_column(default=0, server_default="0")


class EntryChange(Base):
    """The change log: entry `entry_id` changed in the write that moved the counter to `counter` (written in the
    same transaction). App processes apply only these entries to their search and planner indexes."""

    __tablename__ = "entry_changes"

    counter: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[str] = mapped_column(String(64), primary_key=True)


Index("ix_revisions_author_at", Revision.author, Revision.at)


class Feedback(Base):
    """Client feedback on an entry, recorded by a worker: a rating, a short comment, never who the client is."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    rating: Mapped[int]  # 1..5
    comment: Mapped[str | None] = mapped_column(String(500))
    given_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_by: Mapped[str | None] = mapped_column(String(80))
    hidden_reason: Mapped[str | None] = mapped_column(String(200))


class VerificationRequest(Base):
    """A coordinator's "please check this is still right", shown on the entry and to its organisation."""

    __tablename__ = "verification_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))


class DuplicateDecision(Base):
    """A pair someone looked at and said is not a duplicate, so it is not suggested again."""

    __tablename__ = "duplicate_decisions"
    __table_args__ = (UniqueConstraint("first_id", "second_id", name="uq_duplicate_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[str] = mapped_column(ForeignKey("entries.id"))  # the smaller id of the pair
    second_id: Mapped[str] = mapped_column(ForeignKey("entries.id"))
    decision: Mapped[str] = mapped_column(String(20), default="not_duplicate")
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UnmetNeed(Base):
    """A need nobody could meet: what and where (postcode district only), never who."""

    __tablename__ = "unmet_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    district: Mapped[str | None] = mapped_column(String(8), index=True)
    stage: Mapped[str | None] = mapped_column(String(20))
    barriers: Mapped[list[Any]] = mapped_column(default=list)
    recorded_on: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_by: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20), default="search")  # search or plan


# -- client records (the planner's; never part of the directory, its exports or feedback) ------


class Client(Base):
    """A pseudonymous client profile (docs/client-profile.md), owned by the organisation that created it."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    # A record's number is never given to another, even after erasure: the access log keeps it (SQLite
    # would otherwise reuse the largest; PostgreSQL's sequences never do).
    __table_args__ = (UniqueConstraint("organisation_id", "ref", name="uq_client_ref_per_organisation"),
                      {"sqlite_autoincrement": True})


class Consent(Base):
    """The client's consent to share their record with a named partner organisation."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    given_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_recorded_by: Mapped[str | None] = mapped_column(String(80))


class PlanAction(Base):
    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(30))  # client, keyworker, employment_specialist
    due: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="to_do")  # to_do, doing, done, dropped
    notes: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("entries.id"))
    step: Mapped[str | None] = mapped_column(String(30))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Review(Base):
    """A three-way review (client, keyworker, employment specialist): where things stood and what was agreed."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[list[Any]] = mapped_column(default=list)
    stage: Mapped[str] = mapped_column(String(20))
    readiness: Mapped[str | None] = mapped_column(String(10))  # red, amber, green
    readiness_met: Mapped[int | None]
    step: Mapped[str | None] = mapped_column(String(30))
    decisions: Mapped[str | None] = mapped_column(Text)
    # [{"step" or "entry_id", "by": client|keyworker|employment_specialist, "accepted": bool, "reason": str}]
    responses: Mapped[list[Any]] = mapped_column(default=list)
    # Where each of the client's referrals stood on the day (directory.referrals.outcomes_for_review).
    referral_outcomes: Mapped[list[Any]] = mapped_column(default=list)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AccessLog(Base):
    """Every read and change of a client record: who, when, what (coordinators can view it)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(index=True)  # kept after erasure, without a foreign key
    client_ref: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


# -- referrals (issue 17): a client referred to a partner with consent, and what came back ------------


class ReferralConsent(Base):
    """The client's consent to one referral: which organisation, what it may see, when, who recorded it.

    The minimum (client reference, reason, contact preference, availability) is always what a referral
    shares; `share_name` and `share_phone` only when the client agreed to them, for this referral. A
    consent is used by at most one referral (`referrals.consent_id`); withdrawing it is recorded here."""

    __tablename__ = "referral_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # the receiver
    share_name: Mapped[bool] = mapped_column(default=False)
    share_phone: Mapped[bool] = mapped_column(default=False)
    given_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    withdrawn_at: Mapped[dt.datetime | None]


class Referral(Base):
    """A client referred by one organisation to another (optionally to one of its entries).

    Personal details (the reason, contact preference, availability, and the name and phone typed for
    this referral when the consent allows) live only here and are erased with the client; what the
    funnel counts (organisations, category, statuses, times, reason and outcome codes) stays."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)  # None once erased
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("referral_consents.id"), unique=True)
    plan_action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id"), index=True)
    from_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    referred_by: Mapped[str] = mapped_column(String(80))
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("entries.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(40))  # the entry's category when referred
    reason: Mapped[str | None] = mapped_column(Text)
    contact_preference: Mapped[str | None] = mapped_column(String(30))
    availability: Mapped[str | None] = mapped_column(String(300))
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_phone: Mapped[str | None] = mapped_column(String(40))
    # sent, accepted, declined, waiting_list, started, completed, withdrawn ("no answer" is worked out on reading).
    status: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    status_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[dt.datetime | None]  # the first answer (accepted, declined or waiting list)
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    expected_on: Mapped[dt.date | None] = mapped_column(Date)  # waiting list: when a place is expected
    outcome: Mapped[str | None] = mapped_column(String(30))
    erased_at: Mapped[dt.datetime | None]


class ReferralEvent(Base):
    """Every change of a referral's status: who, when, from and to, and the reason, note, date or outcome."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(80))
    on_behalf: Mapped[bool] = mapped_column(default=False)  # the referrer recorded a partner's answer
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(30))
    expected_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  # erased with the client


class PartnershipSetting(Base):
    """A setting coordinators choose for the whole partnership (e.g. the referral no-answer time)."""

    __tablename__ = "partnership_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime | None]


class HarvestConflict(Base):
    """A field both an Open Referral feed and a person here changed between two harvests (directory/io/harvest.py):
    the local value was kept; a coordinator chooses ours or the feed's (then it is resolved)."""

    __tablename__ = "harvest_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed: Mapped[str] = mapped_column(String(500))
    service_id: Mapped[str] = mapped_column(String(200))
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    local_value: Mapped[str] = mapped_column(Text)
    feed_value: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(80))  # who changed it here
    changed_at: Mapped[dt.datetime]
    found_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    chosen: Mapped[str | None] = mapped_column(String(10))  # "ours" or "feed"


class ServiceArea(Base):
    """An area an entry serves, by name, as an Open Referral service's `service_areas` gave it
    (directory/areas.py reads the name as a council, town or postcode district)."""

    __tablename__ = "service_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
