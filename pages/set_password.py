"""Set a password through a one-time link (a new account, or a forgotten password)."""

from __future__ import annotations

import streamlit as st

from directory.accounts import MIN_PASSWORD_LENGTH
from directory.errors import LinkError, Refused
from directory.people import link_holder, redeem_link
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import md

ensure_app_navigation()
directory = get_directory()
st.title("Set your password")

if st.session_state.get("password_set"):
    st.success(f"Your password is set, {md(st.session_state['password_set'])}. Sign in with your username and "
               "the new password.", icon=":material/check_circle:")
    st.page_link("pages/sign_in.py", label="Sign in", icon=":material/login:")
    st.stop()

token = st.query_params.get("token", "")
try:
    person = link_holder(directory, token)
except LinkError as broken:
    st.error(str(broken), icon=":material/link_off:")
    st.stop()

st.write(f"Hello **{md(person.display_name)}**. Your username is **{md(person.username)}**. Choose a password: "
         f"at least {MIN_PASSWORD_LENGTH} characters. Three or four ordinary words together are easy to remember "
         "and hard to guess.")
with st.form("set-password"):
    st.text_input("Username", value=person.username, disabled=True, autocomplete="username")
    password = st.text_input("New password", type="password", autocomplete="new-password")
    again = st.text_input("New password again", type="password", autocomplete="new-password")
    if st.form_submit_button("Set password", type="primary"):
        if password != again:
            st.error("The two passwords are not the same: type them again.")
        else:
            try:
                redeem_link(directory, token, password)
            except (Refused, LinkError) as refused:
                st.error(str(refused))
            else:
                st.session_state["password_set"] = person.display_name
                st.query_params.clear()  # the used token leaves the address bar
                st.rerun()
