"""Organisations: every partner agency, and each one's page (what it is, its named contact for partners,
how to refer, its entries and people). Members keep their own page up to date; coordinators add,
rename and merge organisations."""

from __future__ import annotations

import streamlit as st

from directory import organisations as orgs
from directory.accounts import is_coordinator
from directory.errors import DirectoryError, NotFound
from ui.auth import current_account, guard_viewing
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.render import category_label, esc, format_datetime, link, mailto_href, md, tel_href, web_href

ensure_app_navigation()
directory = get_directory()
guard_viewing(directory)
account = current_account(directory)
KIND_CHOICES = [None, *orgs.KINDS]


def kind_label(code: str | None) -> str:
    return orgs.KINDS.get(code, "Not given") if code else "Not given"


def show_list() -> None:
    st.title("Organisations")
    st.caption("The partner agencies behind the entries. Open one for its named contact, how to refer to it, "
               "and everything it offers.")
    show_flash()
    every = orgs.list_organisations(directory)
    left, right = st.columns([2, 1])
    query = left.text_input("Search by name", key="organisations_query", placeholder="e.g. Jobcentre")
    kind = right.selectbox("Kind", KIND_CHOICES, format_func=lambda k: "Any kind" if k is None else orgs.KINDS[k],
                           key="organisations_kind")
    shown = orgs.find_organisations(directory, query, limit=len(every)) if query.strip() else every
    shown = [o for o in shown if kind is None or o.kind == kind]
    if not every:
        st.info("No organisations yet. They appear as entries are added or imported"
                + (", and you can add one below." if is_coordinator(account) else "."))
    elif not shown:
        st.info("No organisation matches. Check the spelling, or clear the search."
                + (" You can add an organisation below." if is_coordinator(account) else ""))
    else:
        st.caption(f"{len(shown)} organisation(s)" + (", the first 60 listed: search to narrow them" if len(shown) > 60 else ""))
        for o in shown[:60]:
            # A button, not a link to this same page (see pages/referrals.py): the address keeps the id.
            st.button(f"{o.name} · {kind_label(o.kind)} · {o.entries} entries", key=f"open_organisation_{o.id}",
                      icon=":material/apartment:", type="tertiary",
                      on_click=lambda number=o.id: st.query_params.update(id=str(number)))
    if is_coordinator(account):
        with st.expander("Add an organisation", icon=":material/add_business:"):
            with st.form("add-organisation"):
                name = st.text_input("Name", max_chars=200)
                kind = st.selectbox("Kind of organisation", list(orgs.KINDS), format_func=orgs.KINDS.get, index=None,
                                    placeholder="Choose a kind")
                if st.form_submit_button("Add organisation", type="primary"):
                    try:
                        made = orgs.create_organisation(directory, account, name, kind)
                    except DirectoryError as refused:
                        st.error(f"Not added: {refused}.")
                    else:
                        flash(f"Added **{md(made.name)}**. Add its contact and how to refer below.")
                        st.query_params["id"] = str(made.id)
                        st.rerun()


def show_profile(organisation_id: int) -> None:
    try:
        profile = orgs.get_organisation(directory, organisation_id)
    except NotFound:
        st.title("Organisation not found")
        st.info("It may have been merged into another, or the link is wrong. Search for it by name.")
        if st.button("All organisations"):
            st.query_params.clear()
            st.rerun()
        st.stop()
    st.title(profile.name)
    show_flash()
    st.caption(kind_label(profile.kind) + (f" · also known as {md(', '.join(profile.former_names))}"
                                           if profile.former_names else ""))
    contact, about = st.columns(2)
    with contact.container(border=True):
        st.header("Contact for partners")
        spoc = profile.contact
        if spoc:
            # Plain HTML, each typed value escaped by esc/link (ui/render.py): no Markdown mixed with HTML.
            lines = [f"<b>{esc(spoc.name or 'Named contact')}</b>" + (f", {esc(spoc.role)}" if spoc.role else "")]
            if spoc.phone:
                lines.append("Phone: " + link(tel_href(spoc.phone), spoc.phone))
            if spoc.email:
                lines.append("Email: " + link(mailto_href(spoc.email), spoc.email))
            st.html("<div>" + "<br>".join(lines) + "</div>")
        else:
            st.write("No named contact yet." + (" Add one under “Change this organisation's details”."
                                                if orgs.may_edit_profile(account, profile) else ""))
        st.markdown("**How to refer:** " + (md(profile.how_to_refer) if profile.how_to_refer else "not given yet"))
    with about.container(border=True):
        st.header("About")
        facts = []
        if profile.address:
            facts.append(f"<b>Address:</b> {esc(profile.address)}")
        if profile.url:
            facts.append("<b>Website:</b> " + link(web_href(profile.url), profile.url, new_tab=True))
        if profile.phone:
            facts.append("<b>Phone:</b> " + link(tel_href(profile.phone), profile.phone))
        if profile.email:
            facts.append("<b>Email:</b> " + link(mailto_href(profile.email), profile.email))
        st.html("<div>" + ("<br>".join(facts) or "No address or website given yet.") + "</div>")
        if profile.updated_at:
            st.caption(f"Details last changed {format_datetime(profile.updated_at)}.")

    st.header(f"Entries ({len(profile.entries)})")
    if not profile.entries:
        st.write("No entries yet.")
    for entry_id, name, category in profile.entries:
        st.page_link("pages/entry.py", label=f"{name} · {category_label(category)}", query_params={"id": entry_id},
                     icon=":material/description:")
    if account is not None:
        st.header(f"People ({len(profile.people)})")
        st.write(", ".join(f"{md(name)} ({role})" for _, name, role in profile.people) or
                 "Nobody from this organisation can sign in yet." +
                 (" Add them on the People page." if is_coordinator(account) else ""))

    if orgs.may_edit_profile(account, profile):
        with st.expander("Change this organisation's details", icon=":material/edit:"):
            with st.form("organisation-profile"):
                kind = st.selectbox("Kind", KIND_CHOICES, index=KIND_CHOICES.index(profile.kind)
                                    if profile.kind in KIND_CHOICES else 0,
                                    format_func=lambda k: "Not given" if k is None else orgs.KINDS[k])
                address = st.text_area("Address", value=profile.address or "", max_chars=500, height=80)
                url = st.text_input("Website", value=profile.url or "", max_chars=500)
                phone = st.text_input("Main phone", value=profile.phone or "", max_chars=40)
                email = st.text_input("Main email", value=profile.email or "", max_chars=254)
                how = st.text_area("How to refer", value=profile.how_to_refer or "", max_chars=2000, height=80,
                                   help="In your words: who to ring, what to send, self-referral or not.")
                st.markdown("**Named contact for partners (single point of contact)**")
                c_name = st.text_input("Contact's name", value=profile.contact.name or "", max_chars=200)
                c_role = st.text_input("Contact's role", value=profile.contact.role or "", max_chars=200)
                c_phone = st.text_input("Contact's phone", value=profile.contact.phone or "", max_chars=40)
                c_email = st.text_input("Contact's email", value=profile.contact.email or "", max_chars=254)
                if st.form_submit_button("Save details", type="primary"):
                    try:
                        orgs.update_profile(directory, account, profile.id,
                                            {"kind": kind, "address": address, "url": url, "phone": phone,
                                             "email": email, "how_to_refer": how},
                                            {"name": c_name, "role": c_role, "phone": c_phone, "email": c_email})
                    except DirectoryError as refused:
                        st.error(f"Not saved: {refused}.")
                    else:
                        flash("Saved. Find shows this contact on your entries that have no contact of their own.")
                        st.rerun()
    if is_coordinator(account):
        with st.expander("Rename or merge (coordinators)", icon=":material/merge:"):
            with st.form("rename"):
                new_name = st.text_input("New name", value=profile.name, max_chars=200,
                                         help="The old name stays searchable.")
                if st.form_submit_button("Rename"):
                    try:
                        orgs.rename(directory, account, profile.id, new_name)
                    except DirectoryError as refused:
                        st.error(f"Not renamed: {refused}.")
                    else:
                        flash(f"Renamed to **{md(new_name)}**.")
                        st.rerun()
            others = [o for o in orgs.list_organisations(directory) if o.id != profile.id]
            with st.form("merge"):
                target = st.selectbox("Merge this organisation into", others, index=None, format_func=lambda o: o.name,
                                      placeholder="Choose the organisation to keep")
                st.caption("Its entries, people, client records and consents move to the one kept; its name stays "
                           "searchable. This cannot be undone from here.")
                if st.form_submit_button("Merge"):
                    if target is None:
                        st.error("Choose the organisation to keep first.")
                    else:
                        try:
                            orgs.merge(directory, account, profile.id, target.id)
                        except DirectoryError as refused:
                            st.error(f"Not merged: {refused}.")
                        else:
                            flash(f"**{md(profile.name)}** is merged into this organisation.")
                            st.query_params["id"] = str(target.id)
                            st.rerun()
    if st.button("All organisations", icon=":material/arrow_back:"):
        st.query_params.clear()
        st.rerun()


raw_id = st.query_params.get("id", "")
if raw_id.isdigit() and len(raw_id) < 12:
    show_profile(int(raw_id))
else:
    show_list()
