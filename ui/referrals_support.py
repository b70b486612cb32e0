"""What the planner's pages, the entry page and the Referrals page share about referrals: the form that
records the client's consent and sends a referral in one go, and a status badge.

The rules (consent first, who may do what, what the receiver sees) are in directory/referrals.py; this is
only the form and its feedback, shown where the keyworker asked for it.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from directory.errors import DirectoryError, DuplicateReferral
from directory.referrals import CONTACT_PREFERENCES, MINIMUM_SHARED, Referrals, notify_new_referral
from ui.people_support import mail_settings, public_url
from ui.render import md

BADGE_COLOURS = {"sent": "blue", "accepted": "green", "waiting_list": "orange", "started": "green",
                 "completed": "violet", "declined": "red", "withdrawn": "gray", "no_answer": "red"}


def status_badge(summary) -> str:
    """The referral's status as a coloured badge with its words (colour is never the only signal)."""
    colour = BADGE_COLOURS.get(summary.status, "gray")
    words = summary.status_label.replace("[", "(").replace("]", ")")
    return f":{colour}-badge[Referral: {md(words)}]" + (" :red-badge[Overdue]" if summary.overdue else "")


def client_referrals(directory, account, client_id: int) -> list:
    """The client's referrals, newest first; none for a partner who sees the record through its consent
    (referrals belong to the organisation holding the record)."""
    from directory.errors import AccessDenied

    try:
        return list(reversed(Referrals(directory).for_client(account, client_id)))
    except AccessDenied:
        return []


def refer_form(directory, account, client, *, key: str, entry_id: str | None = None,
               organisation: str | None = None, service: str | None = None,
               plan_action_id: int | None = None, offer: bool = True) -> None:
    """Consent, then the referral, in one form inside an expander; the outcome is said right here.

    `client`: the ClientRecord; `entry_id` (a service) or `organisation`: where to. `offer=False` (a referral
    is under way): only the outcome of one just sent is said, where the form was."""
    referrals = Referrals(directory)
    to_words = service or organisation or "this partner"
    sent = st.session_state.pop(f"referral_sent::{key}", None)  # said once, right after sending
    if sent is not None:
        with st.container(border=True):
            _say_sent(directory, account, sent)
        return
    if not offer:
        return
    with st.expander(f"Refer {client.ref} to {to_words}", icon=":material/send:"):
        st.caption(f"Ask the client first. {md(organisation or 'The partner')} will see "
                   f"{', '.join(MINIMUM_SHARED)}; their name and phone only if they agree below. Nothing else "
                   "from the client's record is shared.")
        with st.form(f"refer::{key}"):
            agreed = st.checkbox(f"{client.ref} agrees to be referred to {organisation or to_words}",
                                 key=f"refer_agreed::{key}")
            share_name = st.checkbox("…and to share their name", key=f"refer_share_name::{key}")
            share_phone = st.checkbox("…and to share their phone number", key=f"refer_share_phone::{key}")
            reason = st.text_area("Why you are referring them", max_chars=1000, height=90,
                                  placeholder="What they want from it, in a sentence or two",
                                  key=f"refer_reason::{key}")
            left, right = st.columns(2)
            preference = left.selectbox("How they would like to be contacted", list(CONTACT_PREFERENCES),
                                        format_func=CONTACT_PREFERENCES.get, key=f"refer_preference::{key}")
            availability = right.text_input("When they are free", max_chars=300, key=f"refer_availability::{key}",
                                            placeholder="Days and times")
            name = st.text_input("Their name (only if they agreed to share it; kept on this referral only)",
                                 max_chars=200, key=f"refer_name::{key}")
            phone = st.text_input("Their phone number (only if they agreed)", max_chars=40,
                                  key=f"refer_phone::{key}")
            anyway = st.session_state.get(f"refer_duplicate::{key}")
            if anyway:
                st.warning(md(anyway), icon=":material/content_copy:")
            label = "Send the referral anyway" if anyway else "Send the referral"
            if not st.form_submit_button(label, type="primary", icon=":material/send:"):
                return
        if not agreed:
            st.error("Tick that the client agrees first: nothing is sent without their consent.")
            return
        try:
            consent = _unused_consent(referrals, account, client.id, organisation, share_name, share_phone)
            if consent is None:
                referrals.record_consent(account, client.id, organisation, dt.date.today(),
                                         share_name=share_name, share_phone=share_phone)
            referral = referrals.refer(
                account, client.id, reason=reason, contact_preference=preference, availability=availability,
                entry_id=entry_id, to_organisation=None if entry_id else organisation,
                client_name=name or None, client_phone=phone or None, plan_action_id=plan_action_id,
                allow_duplicate=bool(anyway))
        except DuplicateReferral as duplicate:
            st.session_state[f"refer_duplicate::{key}"] = f"{duplicate} Send it anyway?"
            st.rerun()
        except DirectoryError as refused:
            st.error(f"Not sent: {md(refused)}.")
            return
        st.session_state.pop(f"refer_duplicate::{key}", None)
        try:
            told = notify_new_referral(directory, referral.id, mail=mail_settings(), base_url=public_url())
            emailed = len(told.sent_to)
        except Exception:  # the referral stands; the email is a courtesy
            emailed = 0
        st.session_state[f"referral_sent::{key}"] = (referral.id, referral.to_organisation,
                                                    referral.partner_has_accounts, emailed)
        st.rerun()


def _unused_consent(referrals, account, client_id, organisation, share_name, share_phone):
    """A consent recorded for this partner, not used and not withdrawn, with the same sharing (a first try
    that was refused for another reason): used again rather than recorded twice."""
    for consent in referrals.consents(account, client_id):
        if consent.referral_id is None and consent.withdrawn_on is None and consent.organisation == organisation \
                and (consent.share_name, consent.share_phone) == (bool(share_name), bool(share_phone)):
            return consent
    return None


def _say_sent(directory, account, sent) -> None:
    referral_id, to_organisation, partner_has_accounts, emailed = sent
    if partner_has_accounts:
        st.success(f"Referral {referral_id} sent to **{md(to_organisation)}**. They answer in the app"
                   + (f" (we emailed {emailed} of them that it is waiting)" if emailed else "")
                   + "; its status shows here and on the Referrals page.", icon=":material/check_circle:")
    else:
        st.success(f"Referral {referral_id} recorded for **{md(to_organisation)}**, who have nobody in the app yet: "
                   "send them the letter below, then record their answer on the Referrals page.",
                   icon=":material/check_circle:")
        letter_buttons(directory, account, referral_id, key=f"sent_{referral_id}")
    st.page_link("pages/referrals.py", label="Open the referral", icon=":material/send:",
                 query_params={"id": str(referral_id)})


def letter_buttons(directory, account, referral_id: int, *, key: str) -> None:
    """PDF and Word downloads of the referral letter (only what the consent allows)."""
    from planner.referral_letter import letter_docx, letter_pdf

    try:
        letter = Referrals(directory).letter(account, referral_id)
    except DirectoryError as refused:
        st.caption(md(refused))
        return
    left, right = st.columns(2)
    left.download_button("Referral letter (PDF)", data=letter_pdf(letter), file_name=f"referral-{referral_id}.pdf",
                         mime="application/pdf", icon=":material/picture_as_pdf:", on_click="ignore",
                         key=f"letter_pdf::{key}")
    right.download_button("Referral letter (Word)", data=letter_docx(letter), file_name=f"referral-{referral_id}.docx",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          icon=":material/description:", on_click="ignore", key=f"letter_docx::{key}")
