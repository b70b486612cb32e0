"""Referrals: what partners sent to your organisation (answer them here), what your organisation sent
(follow them up), and one referral opened (?id=N): what the consent lets you see, its history, and the
next step — accept, decline with a reason, waiting list, started, completed, or withdraw."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from directory.errors import DirectoryError
from directory.referrals import DECLINE_REASONS, MOVES, OUTCOMES, STATUSES, Referrals
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.referrals_support import letter_buttons, status_badge
from ui.render import format_date, format_datetime, md

ensure_app_navigation()
directory = get_directory()
st.title("Referrals")
account = require_account(directory, "editor", doing="see referrals")
referrals = Referrals(directory)


def summary_line(item) -> str:
    where = f"{md(item.entry_name)} · " if item.entry_name else ""
    if item.side == "receiver":
        who = f"from **{md(item.from_organisation)}**"
    else:
        who = f"{md(item.client_ref or 'erased')} to **{md(item.to_organisation)}**"
    return (f"{status_badge(item)} {where}{who} · sent {format_date(item.sent_at.date())}"
            + (f" · answer by {format_date(item.answer_by)}" if item.status in ("sent", "no_answer") else ""))


def show_list() -> None:
    inbox = referrals.inbox(account)
    sent = referrals.sent(account)
    waiting = [r for r in inbox if r.status in ("sent", "no_answer")]
    show_flash()
    views = [f"Waiting for our answer ({len(waiting)})", f"All sent to us ({len(inbox)})", f"Sent by us ({len(sent)})"]
    view = st.segmented_control("Show", views, default=views[0], key="referrals_view") or views[0]
    shown = waiting if view == views[0] else inbox if view == views[1] else sent
    if not shown:
        st.info({0: "Nothing is waiting for your organisation's answer.",
                 1: "No partner has referred anyone to your organisation yet.",
                 2: "Your organisation has not referred anyone yet: refer a client from their next steps or "
                    "their action plan, or from a service's entry."}[views.index(view)])
    for item in shown:
        with st.container(border=True):
            st.markdown(summary_line(item))
            # A button, not a link to this same page: Streamlit would show the referral without putting its
            # number in the address, and the next click (saving an answer) would lose it.
            st.button(f"Open referral {item.id}", key=f"open_referral_{item.id}", icon=":material/arrow_forward:",
                      on_click=lambda number=item.id: st.query_params.update(id=str(number)))


def change(do, *args, **kwargs) -> None:
    try:
        do(account, *args, **kwargs)
    except DirectoryError as refused:
        st.error(f"Not changed: {md(refused)}.")
    else:
        flash("Saved: the referral's history and both organisations' lists now show it.")
        st.rerun()


def show_one(referral_id: int) -> None:
    try:
        record = referrals.open(account, referral_id)
    except DirectoryError as refused:
        st.error(f"{md(refused)}.")
        if st.button("All referrals", icon=":material/arrow_back:"):
            st.query_params.clear()
            st.rerun()
        return
    st.header(f"Referral {record.id}: {md(record.from_organisation)} to {md(record.to_organisation)}")
    show_flash()
    st.markdown(status_badge(record) + (f" · {md(record.entry_name)}" if record.entry_name else ""))
    details = record.details
    with st.container(border=True):
        if details is None:
            st.write("Withdrawn: there are no details to show." if record.status == "withdrawn"
                     else "The client's details have been erased.")
        else:
            facts = [f"**Client reference:** {md(details.client_ref)}",
                     f"**Why:** {md(details.reason)}",
                     f"**How to contact them:** {md(details.contact_preference_label)}",
                     f"**When they are free:** {md(details.availability or 'not given')}"]
            if details.name:
                facts.append(f"**Name:** {md(details.name)}")
            if details.phone:
                facts.append(f"**Phone:** {md(details.phone)}")
            st.markdown("  \n".join(facts))
        st.caption(f"Sent {format_datetime(record.sent_at)} by {md(record.referred_by_name)}. The client agreed "
                   f"on {format_date(record.consent_given_on)} to share: {', '.join(record.shares)}."
                   + (f" They withdrew that on {format_date(record.consent_withdrawn_on)}."
                      if record.consent_withdrawn_on else ""))

    current = record.status
    moves = [to for (frm, to), side in MOVES.items() if frm == current and (
        (side == "receiver" and record.may_answer) or (side == "referrer" and record.may_withdraw))]
    if moves:
        st.header("Next step")
        if record.side == "referrer" and record.may_answer and "withdrawn" not in moves or (
                record.side == "referrer" and not record.partner_has_accounts):
            st.caption(f"{md(record.to_organisation)} has nobody in the app: record their answer for them "
                       "(it says you did).")
        seen = current
        with st.form(f"move-{record.id}"):
            to = st.radio("What happened", moves, format_func=lambda s: {
                "completed": "Completed (or a later outcome)" if current == "completed" else "Completed",
            }.get(s, STATUSES[s]), horizontal=True)
            reason = st.selectbox("If declined: why", list(DECLINE_REASONS), format_func=DECLINE_REASONS.get)
            expected = st.date_input("If on the waiting list: when a place is expected", value=None,
                                     min_value=dt.date.today(), format="DD/MM/YYYY")
            outcome = st.selectbox("If completed: the outcome", list(OUTCOMES), format_func=OUTCOMES.get)
            note = st.text_area("Note (optional; no more about the client than needed)", max_chars=1000, height=70)
            if st.form_submit_button("Save", type="primary"):
                kwargs = {"note": note or None, "seen_status": seen}
                if to == "accepted":
                    change(referrals.accept, record.id, **kwargs)
                elif to == "declined":
                    change(referrals.decline, record.id, reason, **kwargs)
                elif to == "waiting_list":
                    if expected is None:
                        st.error("Give the date a place is expected.")
                    else:
                        change(referrals.waiting_list, record.id, expected, **kwargs)
                elif to == "started":
                    change(referrals.start, record.id, **kwargs)
                elif to == "completed":
                    change(referrals.complete, record.id, outcome, **kwargs)
                elif to == "withdrawn":
                    change(referrals.withdraw, record.id, **kwargs)
    if record.side == "referrer" and not record.partner_has_accounts and current not in ("declined", "completed",
                                                                                          "withdrawn"):
        st.header("Letter for the partner")
        letter_buttons(directory, account, record.id, key=f"page_{record.id}")

    if record.side == "referrer" and record.consent_withdrawn_on is None and record.details is not None:
        with st.expander("The client has withdrawn their consent", icon=":material/block:"):
            st.caption(f"Record it here: {md(record.to_organisation)} will see only that the referral was withdrawn, "
                       "with no details, from now on.")
            if st.button("Record that they withdrew consent", key=f"withdraw_consent_{record.id}"):
                consent = next((c for c in referrals.consents(account, record.client_id)
                                if c.referral_id == record.id), None)
                if consent is None:
                    st.error("This referral's consent could not be found: reload the page.")
                else:
                    change(referrals.withdraw_consent, consent.id, dt.date.today())

    st.header("History")
    for event in record.events:
        by = md(event.by_name) + (" (for the partner)" if event.on_behalf else "")
        st.markdown(f"- {format_datetime(event.at)}: **{md(event.label)}** by {by}"
                    + (f" — {md(event.note)}" if event.note else ""))
    if st.button("All referrals", icon=":material/arrow_back:"):
        st.query_params.clear()
        st.rerun()


raw_id = st.query_params.get("id", "")
if raw_id.isdigit() and len(raw_id) < 12:
    show_one(int(raw_id))
else:
    show_list()
