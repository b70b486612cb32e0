"""Who is signed in, and the guard every page calls first.

Local accounts (argon2id, throttled, expiring sessions) work with no network.
Where an OpenID Connect provider is configured in `.streamlit/secrets.toml`
(`[auth]`, e.g. Microsoft Entra ID for NHS and council staff), `st.login` is
used instead: the identity maps to an account by email and is kept in the same
expiring server-side session as a local account's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading

from typing import TYPE_CHECKING

import streamlit as st

from directory.accounts import (
    COORDINATOR,
    EDITOR,
    SESSION_LIMIT,
    VIEWER,
    Account,
    account_for_session,
    close_session,
    has_role,
    open_session,
)
from directory.errors import SignInError
from directory.people import account_for_identity
from ui.feedback import flash, show_flash

if TYPE_CHECKING:
    from directory.api import Directory

# What each role of directory.accounts.ROLES can do, in the words a refusal uses.
ROLE_WORDS = {VIEWER: "view", EDITOR: "add and change entries", COORDINATOR: "manage the map"}


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


# The browser keeps the session token in this cookie so a reload, or a link opened in a new tab, stays signed in.
SESSION_COOKIE = "recovery_pathways_session"
SIGNED_OUT_ELSEWHERE = ("You were signed out: you signed out in another tab, the app was not used for two "
                        "hours, or a coordinator changed your account. Please sign in again.")


def start_session(directory: Directory, account: Account) -> None:
    st.session_state["session_token"] = open_session(directory, account.username)


def sign_out(directory: Directory, reason: str | None = None) -> bool:
    """End this browser's session everywhere. True when the browser is being sent to sign out of the
    identity provider as well: then the page must stop, not rerun (a rerun drops that redirect)."""
    close_session(directory, st.session_state.pop("session_token", None))
    st.session_state["forget_cookie"] = True
    if reason:
        flash(reason, "info")
    if identity_provider_configured() and getattr(st.user, "is_logged_in", False):
        _sync_cookie(None)
        st.logout()  # the provider's sign-in too, or the next run would open a new session from it
        return True
    return False


def _cookie_token() -> str | None:
    """The token the browser sent when it opened this tab (Streamlit reads cookies once, at connection)."""
    try:
        token = st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # no browser connection
        return None
    return token if isinstance(token, str) else None  # AppTest has no real cookies


def _sync_cookie(token: str | None) -> None:
    """Keep the browser's cookie in step with the server-side session.

    Streamlit has no call to set a cookie, so a one-line script does it. The cookie holds only a random
    token whose hash the server checks on every run, so signing out server-side ends it even if the
    script never ran."""
    if token:
        script = (f"document.cookie = {json.dumps(f'{SESSION_COOKIE}={token}')} + "
                  f"'; Max-Age={int(SESSION_LIMIT.total_seconds())}; Path=/; SameSite=Strict' + "
                  "(location.protocol === 'https:' ? '; Secure' : '');")
    elif st.session_state.pop("forget_cookie", False):
        script = f"document.cookie = '{SESSION_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict';"
    else:
        return
    # The event container (where toasts go) takes no space and, unlike the sidebar, does not make the
    # page menu fold into "View more". It is private, so the Chromium sign-in test checks the cookie is
    # set, and the page itself serves if a new Streamlit drops it.
    target = getattr(st, "_event", None) or st
    target.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _identity() -> str | None:
    """The email the identity provider vouched for, when one is configured and someone signed in with it."""
    if not getattr(st.user, "is_logged_in", False) or not st.user.get("email"):
        return None
    return str(st.user.email).strip().lower()


# A provider sign-in this recent has just happened (st.login came back), whatever session this browser had
# (its cookie may still name a session that ended). Generous: Microsoft Entra ID dates its tokens 5 minutes
# back to allow for clocks that differ.
JUST_SIGNED_IN = dt.timedelta(minutes=15)


def _provider_sign_in_age() -> dt.timedelta | None:
    """How long ago the identity provider vouched for this person (its `iat` claim, seconds since 1970);
    None when it does not say. Streamlit's own sign-in cookie lasts 30 days whatever the app's limits."""
    try:
        issued_at = dt.datetime.fromtimestamp(float(st.user.get("iat")), dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return dt.datetime.now(dt.timezone.utc) - issued_at


# Who is signed in, worked out once per run by app.py (the menu depends on it) and handed to the page.
_this_run = threading.local()


@contextlib.contextmanager
def account_for_this_run(directory: Directory):
    """app.py: work out who is signed in once for this run; the page's current_account() gets the same."""
    _this_run.account, _this_run.known = current_account(directory), True
    try:
        yield _this_run.account
    finally:
        _this_run.known, _this_run.account = False, None


def current_account(directory: Directory) -> Account | None:
    """The signed-in account, read afresh each run, or None. Ends sessions left idle too long.

    With an identity provider the provider says who someone is, and the same server-side session as a
    local account's keeps them signed in, so the 2- and 10-hour limits and signing out in another tab
    apply to them too."""
    if getattr(_this_run, "known", False):
        return _this_run.account
    with_provider = identity_provider_configured()
    identity = _identity() if with_provider else None
    if with_provider and identity is None:
        return None
    token = st.session_state.get("session_token")
    from_this_tab = token is not None
    if token is None and not st.session_state.get("cookie_checked"):
        # Once per tab: after that the cookie Streamlit read at connection can only be out of date.
        st.session_state["cookie_checked"] = True
        token = _cookie_token()
    account = account_for_session(directory, token)
    if account is not None and identity is not None and account.username != identity:
        close_session(directory, token)  # someone else's session left in this browser
        account, token, from_this_tab = None, None, False
    if account is None and identity is not None:
        age = _provider_sign_in_age()
        ended = token is not None  # signed out in another tab, idle too long or past the limit
        if age is not None and age > JUST_SIGNED_IN and (ended or age > SESSION_LIMIT):
            # Not a sign-in that has just happened: ask the provider again (one click with single sign-on).
            st.session_state.pop("session_token", None)
            st.session_state["forget_cookie"] = True
            _sync_cookie(None)
            st.logout()
            return None
        try:
            account = account_for_identity(directory, identity, st.user.get("name"))
            if account is None:
                st.session_state["unknown_identity"] = identity
                return None
            token = open_session(directory, account.username)
        except SignInError as refused:  # a deactivated account
            flash(str(refused), "info")
            return None
    if account is None:
        if token is not None:
            st.session_state.pop("session_token", None)
            st.session_state["forget_cookie"] = True
            if from_this_tab:
                flash(SIGNED_OUT_ELSEWHERE, "info")
        _sync_cookie(None)
        return None
    st.session_state["session_token"] = token
    _sync_cookie(token)
    return account


def show_sign_in_notice() -> None:
    """Why this tab was signed out, once (kept by sign_out or current_account with ui.feedback.flash)."""
    show_flash()


def require_account(directory: Directory, role: str = VIEWER, *, doing: str = "use this page",
                    title: str | None = None) -> Account:
    """Stop the page with a plain message and a way forward unless someone with `role` is signed in.

    Someone not signed in gets the sign-in form right here, so signing in lands them on the page (and
    the entry or client) they were opening. `title`: the page's heading, for pages that show theirs
    only after this check."""
    account = current_account(directory)
    if account is None:
        if title:
            st.title(title)
        show_sign_in_notice()
        st.warning(f"Please sign in to {doing}.", icon=":material/lock:")
        sign_in_form(directory)
        st.stop()
    if not has_role(account, role):
        if title:
            st.title(title)
        st.warning(
            f"Your account can {ROLE_WORDS[account.role]} but not {doing}. "
            "Ask a coordinator in your forum for access.", icon=":material/lock:")
        st.stop()
    return account


def sign_in_form(directory: Directory) -> None:
    """Sign in where the person is: with the identity provider when one is configured, else a username
    and password. On success the page runs again, signed in."""
    from directory.accounts import authenticate, last_sign_in

    if identity_provider_configured():
        unknown = st.session_state.get("unknown_identity")
        if unknown and unknown == _identity():
            st.warning(f"Your work account ({unknown}) has no access to this directory yet. Your coordinator has "
                       "been told: ask them to approve it, then sign in again.", icon=":material/person_off:")
            if st.button("Sign out of your work account"):
                st.session_state.pop("unknown_identity", None)
                st.logout()
            return
        st.write("Sign in with your work account.")
        if st.button("Sign in with your work account", type="primary"):
            st.login()
        return
    with st.form("sign-in"):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                previous = last_sign_in(directory, username)
                account = authenticate(directory, username, password)
                start_session(directory, account)
            except SignInError as failure:
                st.error(str(failure))
            else:
                _referrals_notice(directory, account, previous)
                st.rerun()
    st.caption("Forgotten your password, or new here? Ask a coordinator in your forum for a set-password link.")


def _referrals_notice(directory: Directory, account: Account, since: dt.datetime | None) -> None:
    """On signing in: referrals waiting for this person's organisation, and answers since their last sign-in
    to the ones it sent."""
    if not has_role(account, EDITOR):
        return
    from directory.referrals import Referrals

    message = Referrals(directory).notice(account, since or dt.datetime.now(dt.timezone.utc)).message
    if message:
        flash(message, "info", icon=":material/send:")


def guard_viewing(directory: Directory) -> None:
    """Where the setting puts the whole directory behind sign-in, stop the page for anyone not signed in."""
    if sign_in_required_to_view():
        require_account(directory, VIEWER, doing="see the directory")


def may(account: Account | None, role: str) -> bool:
    """Whether `account` (None: nobody signed in) can do what `role` can (directory.accounts.has_role)."""
    return has_role(account, role)
