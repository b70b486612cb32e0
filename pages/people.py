"""People (coordinators): everyone's account, adding people one by one or from a CSV, sign-in requests
from the identity provider, and the admin audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from directory import people
from directory.accounts import ROLES
from directory.coverage import to_csv_bytes
from directory.errors import DirectoryError
from directory.organisations import list_organisations
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.people_support import email_domain_organisations, hand_over_link, public_url
from ui.render import format_datetime, md, now_local

ensure_app_navigation()
directory = get_directory()
st.title("People")
account = require_account(directory, "coordinator", doing="manage people")
st.caption("Everyone who can sign in, and what they can do. New people get a one-time link to set their own "
           "password; nobody ever needs to tell you theirs.")

ROLE_CHOICES = {role: f"{role.capitalize()}: {what}" for role, what in ROLES.items()}
organisation_names = [o.name for o in list_organisations(directory)]
requests = people.access_requests(directory, account, email_domain_organisations())
VIEWS = ["Everyone", "Add a person", "Add many from a spreadsheet",
         f"Waiting for approval ({len(requests)})", "Audit log"]
view = st.segmented_control("Show", VIEWS, default=VIEWS[0], key="people_view") or VIEWS[0]
show_flash()


def status(person: people.Person) -> str:
    if not person.active:
        return "Deactivated"
    if person.link_expires:
        return f"Link waiting until {format_datetime(person.link_expires)}"
    return "Active" if person.has_password else "Active (signs in with work account)"


def organisation_picker(label: str, current: str | None = None, key: str | None = None) -> str | None:
    if not organisation_names:
        st.warning("There are no organisations yet: add the first on the Organisations page.")
        st.page_link("pages/organisations.py", label="Organisations", icon=":material/apartment:")
        return None
    index = organisation_names.index(current) if current in organisation_names else None
    return st.selectbox(label, organisation_names, index=index, key=key, placeholder="Choose an organisation",
                        help="Not listed? Add it on the Organisations page first.")


if view == "Everyone":
    everyone = people.list_people(directory, account)
    table = pd.DataFrame([{
        "Name": p.display_name, "Username": p.username, "Role": p.role,
        "Organisation": ", ".join(p.organisations) or "none", "Email": p.email or "",
        "Last signed in": format_datetime(p.last_sign_in) if p.last_sign_in else "never",
        "Status": status(p)} for p in everyone])
    st.dataframe(table, hide_index=True, width="stretch", key="people_table")
    st.download_button("Download the list (CSV)", data=to_csv_bytes(table),
                       file_name=f"people-{now_local():%Y-%m-%d}.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:")

    st.header("Change someone's account")
    by_username = {p.username: p for p in everyone}
    chosen = st.selectbox("Person", list(by_username), index=None, placeholder="Choose a person",
                          format_func=lambda u: f"{by_username[u].display_name} ({u})", key="people_chosen")
    if chosen:
        person = by_username[chosen]
        st.markdown(f"**{md(person.display_name)}** · {status(person)}")
        with st.form(f"change-{chosen}"):
            role = st.radio("Role", list(ROLE_CHOICES), index=list(ROLE_CHOICES).index(person.role),
                            format_func=ROLE_CHOICES.get)
            organisation = organisation_picker("Organisation", person.organisations[0] if person.organisations else None)
            email = st.text_input("Work email (matches their sign-in with the identity provider)",
                                  value=person.email or "", max_chars=254)
            if st.form_submit_button("Save changes", type="primary"):
                try:
                    people.change_role(directory, account, chosen, role)
                    if organisation and organisation not in person.organisations:
                        people.change_organisation(directory, account, chosen, organisation)
                    people.set_email(directory, account, chosen, email)
                except DirectoryError as refused:
                    st.error(f"Not saved: {refused}.")
                else:
                    flash(f"Saved {md(person.display_name)}'s account.")
                    st.rerun()
        left, right = st.columns(2)
        if person.active and left.button("Make a new set-password link", icon=":material/key:",
                                         help="For a forgotten password or an expired link; older links stop working."):
            try:
                link = people.issue_link(directory, account, chosen)
            except DirectoryError as refused:
                st.error(str(refused))
            else:
                hand_over_link(link, account.display_name)
        label = "Deactivate" if person.active else "Reactivate"
        if right.button(label, icon=":material/person_off:" if person.active else ":material/person_add:",
                        help="Deactivating signs them out everywhere at once." if person.active else None):
            try:
                people.set_active(directory, account, chosen, not person.active)
            except DirectoryError as refused:
                st.error(str(refused))
            else:
                flash(f"{md(person.display_name)} is {'deactivated and signed out everywhere' if person.active else 'active again'}.")
                st.rerun()

elif view == "Add a person":
    issued = st.session_state.pop("people_issued_link", None)
    if issued is not None:
        st.success(f"Added **{md(issued.display_name)}** ({md(issued.username)}).", icon=":material/check_circle:")
        hand_over_link(issued, account.display_name)
    with st.form("add-person", clear_on_submit=False):
        name = st.text_input("Name, as colleagues will see it", max_chars=200)
        username = st.text_input("Username", max_chars=40, help="Lower-case letters, digits, dots or dashes, e.g. jsmith")
        email = st.text_input("Work email (optional)", max_chars=254,
                              help="The link is emailed here when email is set up, and it matches their sign-in "
                                   "with the identity provider.")
        organisation = organisation_picker("Organisation")
        role = st.radio("Role", list(ROLE_CHOICES), index=1, format_func=ROLE_CHOICES.get)
        if st.form_submit_button("Add person", type="primary"):
            try:
                link = people.add_person(directory, account, username, name, organisation or "", role, email)
            except DirectoryError as refused:
                st.error(f"Not added: {refused}.")
            else:
                st.session_state["people_issued_link"] = link
                st.rerun()

elif view == "Add many from a spreadsheet":
    st.write("Upload a CSV with the columns **name, username, email, organisation, role** (role: viewer, editor "
             "or coordinator; empty means viewer). Good rows are added; each bad row is listed with what to fix.")
    st.download_button("Download a template (CSV)", data=b"name,username,email,organisation,role\n",
                       file_name="people-template.csv", mime="text/csv", on_click="ignore", icon=":material/download:")
    upload = st.file_uploader("People (CSV)", type=["csv"], max_upload_size=1)
    if upload is not None and st.button("Add everyone on it", type="primary"):
        try:
            report = people.add_people_from_csv(directory, account, upload.getvalue())
        except DirectoryError as refused:
            st.error(f"Nobody was added: {refused}.")
        else:
            st.success(f"Added {len(report.added)}; {len(report.refused)} row(s) need fixing.")
            st.dataframe(pd.DataFrame([{"Row": r.row, "Username": r.username, "Outcome": r.status,
                                        "What to fix": "; ".join(r.problems)} for r in report.rows]),
                         hide_index=True, width="stretch")
            st.download_button("Download the report with everyone's link (CSV)",
                               data=people.bulk_report_csv(report, public_url()).encode(),
                               file_name="people-added.csv", mime="text/csv", on_click="ignore",
                               icon=":material/download:")

elif view.startswith("Waiting for approval"):
    if not requests:
        st.info("Nobody is waiting. When someone signs in with their work account and no account here has their "
                "email, they are listed here for you to approve.")
    for request in requests:
        with st.container(border=True):
            st.markdown(f"**{md(request.name or request.email)}** · {md(request.email)} · tried "
                        f"{request.attempts} time(s), last {format_datetime(request.last_tried_at)}")
            with st.form(f"approve-{request.email}"):
                organisation = organisation_picker("Organisation", request.suggested_organisation,
                                                   key=f"org-{request.email}")
                role = st.radio("Role", list(ROLE_CHOICES), index=0, format_func=ROLE_CHOICES.get,
                                key=f"role-{request.email}", horizontal=True)
                approve, dismiss = st.columns(2)
                if approve.form_submit_button("Approve", type="primary"):
                    try:
                        people.approve_access_request(directory, account, request.email, organisation or "", role)
                    except DirectoryError as refused:
                        st.error(f"Not approved: {refused}.")
                    else:
                        flash(f"Approved {md(request.email)}: they can sign in now.")
                        st.rerun()
                if dismiss.form_submit_button("Dismiss"):
                    people.dismiss_access_request(directory, account, request.email)
                    flash(f"Dismissed the request from {md(request.email)}.", "info")
                    st.rerun()

else:
    log = people.audit_log(directory, account)
    if not log:
        st.info("Nothing yet: every change to a person or an organisation will be listed here.")
    else:
        table = pd.DataFrame([{"When": format_datetime(e.at), "Who": e.actor, "What": e.action,
                               "Person or organisation": e.subject, "Details": e.detail or ""} for e in log])
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button("Download the audit log (CSV)", data=to_csv_bytes(table),
                           file_name=f"admin-audit-{now_local():%Y-%m-%d}.csv", mime="text/csv",
                           on_click="ignore", icon=":material/download:")
