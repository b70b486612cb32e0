"""Sign in (local account, or the organisation's identity provider), and the first coordinator on a new install."""

from __future__ import annotations

import streamlit as st

from directory.accounts import anyone_can_sign_in, authenticate, create_first_coordinator, needs_first_coordinator
from directory.errors import SignInError
from ui.auth import current_account, identity_provider_configured, show_sign_in_notice, sign_out, start_session
from directory.health.verification import open_verification_requests
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import md

ensure_app_navigation()
directory = get_directory()
account = current_account(directory)  # first: it may leave a notice (signed out elsewhere)
st.title("Your account" if account is not None else "Sign in")
show_sign_in_notice()

if account is not None:
    organisations = ", ".join(account.organisations) or "no organisation yet"
    st.success(f"You are signed in as **{md(account.display_name)}** ({account.role}, {md(organisations)}).")
    # Coordinators' "please check this is still right" requests reach the organisation's members here.
    requests = open_verification_requests(directory, username=account.username)
    if requests:
        st.warning(f"**{len(requests)} of your organisation's entries** were asked to be checked by a coordinator. "
                   "Open them, check they are still right, and mark them as verified.", icon=":material/fact_check:")
        st.page_link("pages/my_entries.py", label="Check my organisation's entries", icon=":material/folder_open:")
    if st.button("Sign out"):
        if not sign_out(directory, "You have signed out."):
            st.rerun()
        st.stop()  # on the way to the identity provider's sign-out
    st.stop()

if identity_provider_configured():
    st.write("Sign in with your work account.")
    if st.button("Sign in with your work account", type="primary"):
        st.login()
    st.stop()

if needs_first_coordinator(directory):
    st.info("**New installation.** Nobody can manage this directory yet. Create the first coordinator account: "
            "they can then add everyone else.")
    with st.form("first-coordinator"):
        username = st.text_input("Username", help="Letters and digits, e.g. jsmith")
        display_name = st.text_input("Your name, as others will see it")
        password = st.text_input("Password", type="password", help="At least 10 characters")
        if st.form_submit_button("Create coordinator account", type="primary"):
            try:
                start_session(directory, create_first_coordinator(directory, username.strip(), display_name.strip() or username, password))
            except ValueError as problem:
                st.error(f"Could not create the account: {problem}.")
            else:
                st.rerun()
    if not anyone_can_sign_in(directory):
        st.stop()
    st.subheader("Or sign in with your account")

with st.form("sign-in"):
    username = st.text_input("Username", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    if st.form_submit_button("Sign in", type="primary"):
        try:
            start_session(directory, authenticate(directory, username, password))
        except SignInError as failure:
            st.error(str(failure))
        else:
            st.rerun()

if directory.is_demo():
    st.caption("Demo accounts: keyworker / demo-keyworker-2026, employment / demo-employment-2026, "
               "forum / demo-forum-2026, coordinator / demo-coordinator-2026, viewer / demo-viewer-2026.")
