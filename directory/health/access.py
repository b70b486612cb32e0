"""Who may do what on the map-health pages: the account behind a username, and the entry acted on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from directory.accounts import can_edit, is_coordinator
from directory.errors import NotAllowed, NotFound
from directory.models import EntryRow, User

if TYPE_CHECKING:
    from directory.unit_of_work import UnitOfWork


# -- who may do what ---------------------------------------------------------------------

# The roles' checks (directory/accounts.py) and who they let in, in words.
COORDINATORS = (is_coordinator, "a coordinator")
EDITORS = (can_edit, "an editor or a coordinator")


def active_user(uow: UnitOfWork, username: str) -> User:
    user = uow.accounts.get(username)
    if user is None or not user.active:
        raise NotAllowed(f"unknown user '{username}': sign in, or create the account first")
    return user


def require_role(uow: UnitOfWork, username: str, allowed: tuple[Callable[[User], bool], str], doing: str) -> User:
    user = active_user(uow, username)
    check, who = allowed
    if not check(user):
        raise NotAllowed(f"only {who} can {doing}: {user.display_name} is signed in as {user.role}")
    return user


def existing_entry(uow: UnitOfWork, entry_id: str, *, lock: bool = False) -> EntryRow:
    row = uow.entries.row(entry_id, lock=lock)
    if row is None:
        raise NotFound(f"no entry with id '{entry_id}'")
    return row
