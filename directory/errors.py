"""Every refusal the directory raises to its callers, in one place.

Pages, the CLI and the planner import exceptions from here (never from the
storage modules). Each carries a plain-English message for the person who asked.

- `DirectoryError`: the base of every refusal; `NotFound`, `NotAllowed` (the account may not do
  this), `ConflictError` (someone saved the entry after the version an edit was based on).
- Client records: `AccessDenied` (not your organisation's record, no consent to share, or your
  role may not do this), `RecordChanged` (someone saved the record after it was opened).
- People and organisations: `Refused` (with the field at fault), `LinkError` (a set-password link
  that does not work).
- Referrals (directory/referrals.py): `ReferralRefused` (a referral, an answer or a change that cannot be
  made: the message says why and what to do), and its kinds `NoConsent` (no consent recorded for this
  referral) and `DuplicateReferral` (a warning: the client already has an open referral to that service;
  the caller may send anyway with `allow_duplicate=True`).
- `InvalidFeedback`, `InvalidUnmetNeed`: what was typed cannot be recorded; the message says what to change.
- `ValidationError` (directory.validation, re-exported here): an entry's or a profile's fields break the rules.
- `SignInError`: why signing in failed, without telling anyone which usernames exist. Deliberately
  not a `DirectoryError`: it is answered on the sign-in form only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from directory import fields as F
from directory.validation import ValidationError

if TYPE_CHECKING:
    from directory.store import Change

__all__ = [
    "AccessDenied", "ConflictError", "DirectoryError", "DuplicateReferral", "InvalidFeedback", "InvalidUnmetNeed", "LinkError",
    "NoConsent", "NotAllowed", "NotFound", "RecordChanged", "ReferralRefused", "Refused", "SignInError", "ValidationError",
]


class DirectoryError(Exception):
    """A refusal with a plain-English message for the person who asked."""


class NotFound(DirectoryError):
    pass


class NotAllowed(DirectoryError):
    pass


class ConflictError(DirectoryError):
    """Someone saved the entry after the version the update was based on."""

    def __init__(self, entry_id: str, based_on: int, current: F.Entry, their_changes: dict[str, list[Change]]):
        self.entry_id = entry_id
        self.based_on = based_on
        self.current = current
        self.their_changes = their_changes
        super().__init__(self.describe())

    def describe(self, name_of=lambda username: username,
                 next_step: str = "compare their changes with yours and save again.") -> str:
        """Who saved since, and what they changed, in words: `name_of` turns a username into a person's name."""
        authors = sorted({name_of(c.author) for changes in self.their_changes.values() for c in changes})
        changed = ", ".join(F.FIELD_BY_NAME[n].label.lower() if n in F.FIELD_BY_NAME else n.replace("_", " ")
                            for n in self.fields)
        return (f"{' and '.join(authors) or 'Someone'} saved this entry after you opened it "
                f"(they changed: {changed or 'nothing you can see'}). Nothing was overwritten: {next_step}")

    @property
    def fields(self) -> list[str]:
        return sorted(self.their_changes)


class AccessDenied(DirectoryError):
    """A client record this account may not see or change (or the role may not do this)."""


class RecordChanged(DirectoryError):
    """Someone saved the client's record after it was opened."""


class ReferralRefused(DirectoryError):
    """A referral, an answer or a change to one that cannot be made; str(error) says why and what to do.
    `field` names the input at fault (a form's box), when one is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NoConsent(ReferralRefused):
    """No consent to this referral is recorded (or it was withdrawn, or another referral used it)."""


class DuplicateReferral(ReferralRefused):
    """A warning, not a rule: the client already has an open referral to that service. `existing` holds
    their numbers; send anyway with `allow_duplicate=True` when a second one is meant."""

    def __init__(self, message: str, existing: tuple[int, ...]):
        super().__init__(message)
        self.existing = existing


class InvalidFeedback(DirectoryError):
    """Feedback that cannot be recorded; str(error) says what to change."""


class InvalidUnmetNeed(DirectoryError):
    """An unmet need that cannot be recorded; str(error) says what to change."""


class Refused(DirectoryError):
    """A change to people or organisations that cannot be made; `field` names the input at fault (a
    form's box, a CSV's column), when one is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LinkError(DirectoryError):
    """A set-password link that does not work (unknown, used, expired or replaced): the message says what to do."""


class SignInError(Exception):
    """Why signing in failed, in words that do not tell an attacker which usernames exist."""
