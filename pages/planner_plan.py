"""Planner: the one action plan the client, keyworker and employment specialist share; PDF and DOCX copies."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from directory.clients import OWNERS, STATUSES
from directory.errors import AccessDenied
from ui import planner_support as ps
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.referrals_support import client_referrals as client_referrals_of
from ui.referrals_support import refer_form, status_badge
from ui.render import describe_times, esc, format_date, md, spoc_html

ensure_app_navigation()
directory = get_directory()
st.title("Action plan")
account = require_account(directory, "editor", doing="use the planner")
records = ps.records(directory)

show_flash()
record = ps.client_chooser(directory, account)

profile, result = ps.plan_or_stop(directory, record)

actions = records.actions(account, record.id)
client_referrals = client_referrals_of(directory, account, record.id)
referral_of = {}  # plan action -> its latest referral (newest first)
for summary in client_referrals:
    if summary.plan_action_id is not None:
        referral_of.setdefault(summary.plan_action_id, summary)
count = ps.current_activities(record.profile, actions)
warning = ps.overload_warning(count)
if warning:
    st.warning(warning, icon=":material/warning:")
st.caption(f"{count} current activit{'y' if count == 1 else 'ies'} (open plan actions linked to provision, "
           "plus what the client was already doing).")
commitments = ps.commitment_lines(profile)
if commitments:
    st.markdown("**Fixed times:** " + "; ".join(md(c) for c in commitments))

if not actions:
    st.info("Nothing in the plan yet. Add a recommendation on **Next steps**, or an action below.")
for action in actions:
    entry = ps.entry_or_none(directory, action.entry_id)
    with st.container(border=True):
        due = f" · by {format_date(action.due)}" if action.due else ""
        st.markdown(f"**{md(action.title)}**  \n{md(ps.owner_label(action.owner))} · "
                    f"{md(ps.status_label(action.status))}{md(due)}")
        if action.notes:
            st.markdown(f"Notes: {md(action.notes)}")
        referral = referral_of.get(action.id)
        if referral is not None:
            st.markdown(status_badge(referral))
            st.page_link("pages/referrals.py", label=f"Open referral {referral.id}", icon=":material/send:",
                         query_params={"id": str(referral.id)})
        if entry is not None:
            st.html(f'<div style="font-size:15px"><b>When:</b> {esc(describe_times(entry))}<br>'
                    f"<b>Contact:</b> {spoc_html(entry)}</div>")
            refer_form(directory, account, record, key=f"plan_{action.id}", entry_id=entry.id,
                       organisation=entry.organisation, service=entry.name, plan_action_id=action.id,
                       offer=referral is None or referral.status in ("declined", "withdrawn", "no_answer"))
            if action.status in ps.ACTIVE_STATUSES:
                for clash in ps.clashes(entry, profile):
                    st.warning(f"Clashes with {md(clash)}: agree times the client can go around it, or choose "
                               "another session.", icon=":material/warning:")
        with st.expander("Change"):
            c1, c2, c3 = st.columns(3)
            status = c1.selectbox("Status", list(STATUSES), index=list(STATUSES).index(action.status),
                                  format_func=STATUSES.get, key=f"pa{action.id}_status")
            owner = c2.selectbox("Owner", list(OWNERS), index=list(OWNERS).index(action.owner),
                                 format_func=OWNERS.get, key=f"pa{action.id}_owner")
            due_on = c3.date_input("Due", value=action.due, key=f"pa{action.id}_due", format="DD/MM/YYYY")
            notes = st.text_area("Notes", value=action.notes or "", key=f"pa{action.id}_notes")
            if st.button("Save", key=f"pa{action.id}_save"):
                try:
                    records.update_action(account, record.id, action.id, status=status, owner=owner, due=due_on,
                                          notes=notes.strip() or None)
                    flash(f"Saved “{md(action.title)}”.", place=f"plan-action:{action.id}")
                    st.rerun()
                except (AccessDenied, ValueError) as error:
                    st.error(f"Not saved: {md(error)}.")
        show_flash(f"plan-action:{action.id}")  # beside the item it is about, not at the top of the page

if client_referrals:
    st.header(f"Referrals ({len(client_referrals)})")
    for summary in client_referrals:
        where = f"{md(summary.entry_name)} · " if summary.entry_name else ""
        st.markdown(f"{status_badge(summary)} {where}{md(summary.to_organisation)} · sent "
                    f"{format_date(summary.sent_at.date())}")
        st.page_link("pages/referrals.py", label=f"Open referral {summary.id}", icon=":material/send:",
                     query_params={"id": str(summary.id)})

st.header("Add an action")
ADD_PLACE = "plan-add"
recommended = {r.entry_id: r for r in result.recommendations}
c1, c2, c3 = st.columns([4, 2, 2])
title = c1.text_input("What", key="plan_new_title", placeholder="e.g. ring the job club to book a first visit")
owner = c2.selectbox("Who", list(OWNERS), format_func=OWNERS.get, key="plan_new_owner")
due = c3.date_input("By", value=None, key="plan_new_due", format="DD/MM/YYYY")
link_to = st.selectbox("Linked provision (optional)", [None] + list(recommended),
                       format_func=lambda i: "None" if i is None else f"{recommended[i].name} ({recommended[i].organisation})",
                       key="plan_new_entry")
notes = st.text_input("Notes", key="plan_new_notes")
if st.button("Add action", type="primary"):
    linked = recommended.get(link_to)
    text = title.strip() or (f"{linked.name} ({linked.organisation})" if linked else "")
    try:
        records.add_action(account, record.id, text, owner, due=due, notes=notes.strip() or None,
                           entry_id=link_to, step=linked.step if linked else None)
        flash(f"Added “{md(text)}”.", place=ADD_PLACE)
        entry = ps.entry_or_none(directory, link_to)
        for clash in (ps.clashes(entry, profile) if entry else []):
            flash(f"Check the times: this clashes with {md(clash)}.", "warning", place=ADD_PLACE)
        after = ps.overload_warning(ps.current_activities(record.profile, records.actions(account, record.id)))
        if after:
            flash(after, "warning", place=ADD_PLACE)
        st.rerun()
    except (AccessDenied, ValueError) as error:
        st.error(f"Not added: {md(error)}.")
show_flash(ADD_PLACE)  # under the button that added it

st.header("A copy for the client")
from planner.documents import Contact, PlanDocument, PlanItem, plan_docx, plan_pdf  # noqa: E402

items = []
for action in actions:
    entry = ps.entry_or_none(directory, action.entry_id)
    contact = None
    if entry is not None:
        contact = Contact(entry.contact_name, entry.contact_role, entry.contact_phone or entry.phone,
                          entry.contact_email or entry.email)
    place = address = None
    notes = [action.notes] if action.notes else []
    if entry is not None:
        address = ", ".join(x for x in (entry.address, entry.postcode) if x) or None
        # Added from Next steps, the title already names the place: then "Where" is just the address.
        place = address if action.title.startswith(entry.name) else f"{entry.name}, {entry.organisation}"
        address = None if place == address else address
        if action.status in ps.ACTIVE_STATUSES:
            notes += [f"check the times: this overlaps your {clash}. Go before or after it, or ask about another "
                      "session." for clash in ps.clashes(entry, profile)]
    items.append(PlanItem(
        action.title, ps.OWNER_FOR_CLIENT.get(action.owner, action.owner), action.due, ps.status_label(action.status),
        " ".join(n[0].upper() + n[1:] for n in notes) or None, place=place, address=address,
        times=describe_times(entry) if entry else None, contact=contact))
continuum = result.continuum
current = ps.STEP_WORDS.get(continuum.current, "") if continuum.current else ""
document = PlanDocument(
    ref=record.ref, made_on=dt.date.today(),
    where_now=f"You are working on: {current.lower()}." if current else "You have done every step.",
    steps_done=tuple(ps.STEP_WORDS[s].lower() for s in ps.STEP_WORDS if s in continuum.done),
    steps_next=tuple(ps.STEP_WORDS[s].lower() for s in continuum.next if s != continuum.current),
    items=tuple(i for i in items if i.status not in ("Dropped",)),
    fixed_times=tuple(commitments),
)
# Word first: its headings and lists are real structure a screen reader can follow; fpdf2 cannot tag a PDF.
d1, d2 = st.columns(2)
d1.download_button("Download the plan (Word, large print)", plan_docx(document), file_name=f"plan-{record.ref}.docx",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", icon=":material/edit_note:",
                   key="plan_docx")
d2.download_button("Download the plan (PDF, large print)", plan_pdf(document), file_name=f"plan-{record.ref}.pdf",
                   mime="application/pdf", icon=":material/description:", key="plan_pdf")
