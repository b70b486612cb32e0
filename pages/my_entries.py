"""My organisation's entries: its members correct several at once, and answer "please check" requests.

guard → which organisation → open verification requests (one-click verify) → a table to edit →
every changed cell checked → saved together, each row on its own (saved / unchanged / conflict / invalid).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from directory import fields as F
from directory.validation import ValidationError, parse_cell

COLUMNS = ("name", "schedule", "cost", "waiting_days", "contact_name", "contact_phone", "contact_email")
SHOWN = {"name": "Name", "schedule": "Days and times", "cost": "Cost", "waiting_days": "Wait (days)",
         "contact_name": "Named contact", "contact_phone": "Contact's phone", "contact_email": "Contact's email",
         "last_verified": "Last verified"}


def sentence(reason: str) -> str:
    return (reason[:1].upper() + reason[1:]).rstrip(".") + "."


def plan_edits(base: dict[str, tuple[int, dict[str, str]]], edited: dict[str, dict[str, str]]):
    """From the cells as opened (id -> (version, texts)) and as edited: the edits to send
    (id, typed changes, version) and the rows refused before sending (id -> reason)."""
    edits: list[tuple[str, dict[str, Any], int]] = []
    invalid: dict[str, str] = {}
    for entry_id, cells in edited.items():
        version, before = base[entry_id]
        changes: dict[str, Any] = {}
        reasons: list[str] = []
        for name in COLUMNS:
            text = "" if cells.get(name) is None else str(cells[name]).strip()
            if text == before.get(name, ""):
                continue
            try:
                changes[name] = parse_cell(name, text)
            except ValidationError as problem:
                reasons.extend(f"{F.FIELD_BY_NAME[name].label}: {sentence(p.reason)}" for p in problem.problems)
        if reasons:
            invalid[entry_id] = " ".join(reasons)
        elif changes:
            edits.append((entry_id, changes, version))
    return edits, invalid


def describe(outcome) -> str:
    if outcome.status == "saved":
        return "Saved."
    if outcome.status == "unchanged":
        return "No change."
    if outcome.status == "conflict":
        return ("Not saved: someone else saved this entry after you opened the list. The table now shows their "
                "version: make your change again if it is still needed.")
    return f"Not saved: {sentence(outcome.message)}"


def cell_text(entry, name: str) -> str:
    return F.format_cell(name, getattr(entry, name))


def main() -> None:
    import pandas as pd

    from directory.health.verification import open_verification_requests
    from directory.errors import DirectoryError
    from ui.auth import require_account
    from ui.bootstrap import ensure_app_navigation, get_directory
    from ui.feedback import flash, show_flash
    from ui.render import format_date, md

    ensure_app_navigation()
    directory = get_directory()
    st.title("My organisation's entries")
    account = require_account(directory, "editor", doing="change entries")
    if not account.organisations:
        st.info("Your account is not linked to an organisation yet. Ask a coordinator to add you to yours; "
                "meanwhile you can still edit any entry from its page.")
        st.stop()
    organisation = st.selectbox("Organisation", account.organisations) if len(account.organisations) > 1 \
        else account.organisations[0]
    st.caption(f"Entries of {md(organisation)}.")

    show_flash()

    # -- please check these ---------------------------------------------------------------------------
    requests = [r for r in open_verification_requests(directory, organisation=organisation)]
    if requests:
        st.header("Please check these")
        for request in requests:
            left, right = st.columns([3, 1])
            note = f" “{md(request.note)}”" if request.note else ""
            left.markdown(f"**{md(request.entry_name)}**: asked on {format_date(request.requested_at.date())}.{note}")
            if right.button("Mark as verified", key=f"verify_{request.id}"):
                try:
                    directory.verify(request.entry_id, account.username)
                except DirectoryError as problem:
                    st.error(md(sentence(str(problem))))
                else:
                    st.cache_data.clear()
                    flash(md(f"Marked ‘{request.entry_name}’ as verified today."), icon=":material/check_circle:")
                    st.rerun()

    # -- the table -----------------------------------------------------------------------------------------
    key_of = " ".join(organisation.casefold().split())
    entries = [e for e in directory.entries() if " ".join(e.organisation.casefold().split()) == key_of]
    st.header("Correct several at once")
    if not entries:
        st.info("There are no entries for this organisation yet.")
        st.page_link("pages/edit.py", label="Add an entry", icon=":material/add:")
        st.stop()
    st.caption("Double-click a cell (or select it and press Enter) to change it; tick **Checked today** for entries "
               "you have checked are still right; then press **Save changes**. "
               "Each entry is saved on its own and recorded in its history. For anything not in the table, "
               "open the entry from Find provision and choose Edit this entry.")
    base_key = f"bulk_base::{organisation}"
    if base_key not in st.session_state:
        # What the table was opened on: saves are based on these versions, so nobody's change is overwritten.
        st.session_state[base_key] = {e.id: (e.version, {n: cell_text(e, n) for n in COLUMNS}) for e in entries}
    base = st.session_state[base_key]
    by_id = {e.id: e for e in entries}
    ids = [i for i in base if i in by_id]
    frame = pd.DataFrame(
        [{"open": f"./entry?id={i}", **base[i][1], "last_verified": format_date(by_id[i].last_verified) or "Never",
          "verify": False} for i in ids], index=ids)
    outcomes: dict[str, str] = st.session_state.get(f"bulk_outcomes::{organisation}", {})
    if outcomes:
        frame["outcome"] = [outcomes.get(i, "") for i in ids]
    config = {name: st.column_config.TextColumn(SHOWN[name], help=F.FIELD_BY_NAME[name].help or None)
              for name in COLUMNS}
    config["open"] = st.column_config.LinkColumn("Entry", display_text="Open", disabled=True, width="small",
                                                 help="Open the entry's page (everything it says, its history)")
    config["last_verified"] = st.column_config.TextColumn(SHOWN["last_verified"], disabled=True, width="medium")
    config["verify"] = st.column_config.CheckboxColumn(
        "Checked today", width="small", help="Tick when you have checked the whole entry is still right: saving "
                                             "marks it as verified today.")
    config["outcome"] = st.column_config.TextColumn("Last save", disabled=True, width="large")
    config["_index"] = None
    edited = st.data_editor(frame, column_config=config, hide_index=True, num_rows="fixed", key=f"bulk::{organisation}",
                            use_container_width=True)
    if st.button("Save changes", type="primary"):
        rows = {entry_id: {n: edited.loc[entry_id, n] for n in COLUMNS} for entry_id in ids}
        edits, invalid = plan_edits(base, rows)
        results = {i: f"Not saved: {reason}" for i, reason in invalid.items()}
        if edits:
            for outcome in directory.update_many(edits, account.username):
                results[outcome.entry_id] = describe(outcome)
            st.cache_data.clear()
        # Ticked rows are verified once their corrections (if any) are saved; a refused row is not.
        verified = 0
        for entry_id in [i for i in ids if bool(edited.loc[i, "verify"])]:
            if results.get(entry_id, "Saved.") not in ("Saved.", "No change."):
                continue
            try:
                directory.verify(entry_id, account.username)
            except DirectoryError as problem:
                results[entry_id] = f"Not verified: {sentence(str(problem))}"
            else:
                results[entry_id] = "Saved and verified." if results.get(entry_id) == "Saved." else "Verified."
                verified += 1
        if verified:
            st.cache_data.clear()
        saved = sum(1 for r in results.values() if r in ("Saved.", "Saved and verified."))
        st.session_state[f"bulk_outcomes::{organisation}"] = results
        if not results:
            flash(md("Nothing has changed, so nothing was saved."), icon=":material/check_circle:")
        elif saved or verified:
            done = [f"{saved} {'entry' if saved == 1 else 'entries'} saved"] if saved else []
            done += [f"{verified} marked as verified today"] if verified else []
            flash(md(" and ".join(done) + "."), icon=":material/check_circle:")
        # Start again from what is stored now: saved rows carry their new versions, and a conflicting row
        # shows the other person's version (its outcome says so).
        for k in (base_key, f"bulk::{organisation}"):
            st.session_state.pop(k, None)
        st.rerun()


if __name__ == "__main__":
    main()
