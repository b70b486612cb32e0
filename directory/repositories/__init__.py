"""The queries behind the unit of work (directory/unit_of_work.py), one repository per kind of record.

A repository is handed the unit of work's session and is reached only through the unit of
work (`uow.accounts`, `uow.clients`, ...): it finds, adds and removes rows, and decides
nothing. Who may do what, consent, throttling and the access log are the domain modules'
rules (directory/accounts.py, clients.py, health.py, unmet.py, referrals.py).
"""

from directory.repositories.accounts import AccountRepository, SignInSessionRepository, SignInThrottleRepository
from directory.repositories.clients import ClientRepository
from directory.repositories.entries import DirectoryStateRepository, EntryRepository
from directory.repositories.harvest import HarvestRepository
from directory.repositories.people import (
    AccessRequestRepository,
    AdminAuditRepository,
    OrganisationRepository,
    PasswordLinkRepository,
)
from directory.repositories.referrals import ReferralRepository, SettingRepository
from directory.repositories.health import DuplicateDecisionRepository, FeedbackRepository, VerificationRequestRepository
from directory.repositories.unmet import UnmetNeedRepository

__all__ = [
    "AccessRequestRepository", "AdminAuditRepository", "OrganisationRepository", "PasswordLinkRepository",
    "AccountRepository", "ClientRepository", "DirectoryStateRepository", "DuplicateDecisionRepository",
    "EntryRepository", "FeedbackRepository", "SignInSessionRepository", "SignInThrottleRepository",
    "UnmetNeedRepository", "VerificationRequestRepository", "ReferralRepository", "SettingRepository",
    "HarvestRepository",
]
