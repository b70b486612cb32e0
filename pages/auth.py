"""Who is signed in, and the guard every page calls first.

Local accounts (argon2id, throttled, expiring sessions) work with no network.
Where an OpenID Connect provider is configured in `.streamlit/secrets.toml`
(`[auth]`, e.g. Microsoft Entra ID for NHS and council staff), `st.login` is
used instead and the identity maps to an account by email.
"""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from directory.accounts import Account, account_for_identity, get_account, session_expired

RANK = {"viewer": 0, "editor": 1, "coordinator": 2}
ROLE_WORDS = {"viewer": "view", "editor": "add and change entries", "coordinator": "manage the map"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def identity_provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def sign_in_required_to_view() -> bool:
    """A setting: some areas want the whole directory behind sign-in."""
    try:
        configured = st.secrets.get("require_sign_in_to_view")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        configured = None
    return bool(configured) or os.environ.get("RP_REQUIRE_SIGN_IN") == "1"


def start_session(account: Account) -> None:
    now = _now()
    st.session_state["account"] = account
    st.session_state["signed_in_at"] = now
    st.session_state["last_seen"] = now


def sign_out(reason: str | None = None) -> None:
    for key in ("account", "signed_in_at", "last_seen"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["sign_in_notice"] = reason
    if identity_provider_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def current_account(directory) -> Account | None:
    """The signed-in account, or None. Ends sessions left idle too long."""
    if identity_provider_configured():
        if not getattr(st.user, "is_logged_in", False):
            return None
        if "account" not in st.session_state:
            start_session(account_for_identity(directory, st.user.email, st.user.get("name")))
    account = st.session_state.get("account")
    if account is None:
        return None
    now = _now()
    if session_expired(st.session_state["signed_in_at"], st.session_state["last_seen"], now):
        sign_out("You were signed out after a while without using the app. Please sign in again.")
        return None
    st.session_state["last_seen"] = now
    # Roles change: read the account afresh so a coordinator's change applies at once.
    fresh = get_account(directory, account.username)
    st.session_state["account"] = fresh
    return fresh


def require_account(directory, role: str = "viewer", *, doing: str = "use this page") -> Account:
    """Stop the page with a plain message and a way forward unless someone with `role` is signed in."""
    account = current_account(directory)
    if account is None:
        st.warning(f"Please sign in to {doing}.", icon=":material/lock:")
        st.page_link("pages/sign_in.py", label="Sign in", icon=":material/login:")
        st.stop()
    if RANK[account.role] < RANK[role]:
        st.warning(
            f"Your account can {ROLE_WORDS[account.role]} but not {doing}. "
            "Ask a coordinator in your forum for access.", icon=":material/lock:")
        st.stop()
    return account


def may(account: Account | None, role: str) -> bool:
    return account is not None and RANK[account.role] >= RANK[role]
