"""Sign in (local account, or the organisation's identity provider), the first coordinator on a new
install, and, once signed in, "Your account": your name and password, and signing out."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from directory.accounts import EDITOR, MIN_PASSWORD_LENGTH, has_role, anyone_can_sign_in, create_first_coordinator, needs_first_coordinator
from directory.errors import Refused
from directory.referrals import Referrals
from directory.health.verification import open_verification_requests
from directory.people import change_display_name, change_own_password
from ui.auth import (
    current_account,
    identity_provider_configured,
    show_sign_in_notice,
    sign_in_form,
    sign_out,
    start_session,
)
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
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
    if has_role(account, EDITOR):
        # Waiting for an answer (answers to ones sent were told on signing in).
        waiting = Referrals(directory).notice(account, dt.datetime.now(dt.timezone.utc)).message
        if waiting:
            st.info(waiting, icon=":material/send:")
            st.page_link("pages/referrals.py", label="Open Referrals", icon=":material/send:")
    if st.button("Sign out"):
        if not sign_out(directory, "You have signed out."):
            st.rerun()
        st.stop()  # on the way to the identity provider's sign-out

    show_flash()
    with st.expander("Change your name", icon=":material/badge:"):
        with st.form("display-name"):
            name = st.text_input("Your name, as colleagues will see it", value=account.display_name, max_chars=200)
            if st.form_submit_button("Save name"):
                try:
                    change_display_name(directory, account, name)
                except Refused as refused:
                    st.error(str(refused))
                else:
                    flash("Your name is saved.")
                    st.rerun()
    if not identity_provider_configured():  # the provider keeps their password
        with st.expander("Change your password", icon=":material/password:"):
            with st.form("own-password", clear_on_submit=True):
                current = st.text_input("Current password", type="password", autocomplete="current-password")
                new = st.text_input("New password", type="password", autocomplete="new-password",
                                    help=f"At least {MIN_PASSWORD_LENGTH} characters: three or four words together "
                                         "are easy to remember and hard to guess.")
                again = st.text_input("New password again", type="password", autocomplete="new-password")
                if st.form_submit_button("Change password"):
                    if new != again:
                        st.error("The two new passwords are not the same: type them again.")
                    else:
                        try:
                            change_own_password(directory, account, current, new)
                        except Refused as refused:
                            st.error(str(refused))
                        else:
                            # A new password signs out every browser, this one too: sign this one back in.
                            start_session(directory, account)
                            flash("Your password is changed. Other browsers you were signed in on are signed out.")
                            st.rerun()
    st.stop()

if identity_provider_configured():
    # With a provider the first coordinator is made on the command line with their work email
    # (python -m directory users add ... --role coordinator --email ...): see the README.
    sign_in_form(directory)
    st.stop()

if needs_first_coordinator(directory):
    st.info("**New installation.** Nobody can manage this directory yet. Create the first coordinator account: "
            "they can then add everyone else on the People page.")
    with st.form("first-coordinator"):
        username = st.text_input("Username", help="Lower-case letters and digits, e.g. jsmith")
        display_name = st.text_input("Your name, as others will see it")
        organisation = st.text_input("Your organisation", max_chars=200,
                                     help="The agency you work for, e.g. Tees Recovery Service. You can add the "
                                          "partnership's other organisations afterwards.")
        password = st.text_input("Password", type="password", help=f"At least {MIN_PASSWORD_LENGTH} characters")
        if st.form_submit_button("Create coordinator account", type="primary"):
            try:
                start_session(directory, create_first_coordinator(directory, username.strip(),
                                                                  display_name.strip() or username, password,
                                                                  organisation))
            except ValueError as problem:
                st.error(f"Could not create the account: {problem}.")
            else:
                st.rerun()
    if not anyone_can_sign_in(directory):
        st.stop()
    st.header("Or sign in with your account")

sign_in_form(directory)

if directory.is_demo():
    st.caption("Demo accounts: keyworker / demo-keyworker-2026, employment / demo-employment-2026, "
               "forum / demo-forum-2026, coordinator / demo-coordinator-2026, viewer / demo-viewer-2026.")
