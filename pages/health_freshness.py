"""Stale entries (coordinators): what has not been checked for months, whose it is, and a one-click "ask to verify".

guard → setting (months) → the stalest organisations first → by last editor → every stale entry with
"Ask to verify" → open requests → stale and fresh counts over time. Every table downloads as CSV.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from directory.coverage import to_csv_bytes
from directory.health.freshness import STALE_AFTER_MONTHS, freshness_over_time, stale_entries, staleness_summary
from directory.health.verification import open_verification_requests, request_verification
from directory.errors import DirectoryError
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.render import format_date, format_datetime, md, now_local, person_names

PAGE_SIZE = 25


def download(frame: pd.DataFrame, label: str, name: str, key: str) -> None:
    st.download_button(label, data=to_csv_bytes(frame), file_name=f"{name}-{today.isoformat()}.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:", key=key)


def groups_frame(groups, key_label: str, name=lambda key: key) -> pd.DataFrame:
    """The groups as the CSV has them: dates and day counts, empty where nothing was ever checked."""
    return pd.DataFrame(
        [{key_label: name(g.key), "Stale entries": g.stale, "Never checked": g.never_verified,
          "Oldest check": g.oldest_verified, "Longest unchecked (days)": g.max_days_since_verified}
         for g in groups],
        columns=[key_label, "Stale entries", "Never checked", "Oldest check", "Longest unchecked (days)"])


def groups_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The groups as the page shows them: the oldest check in words ('11 Jul 2025, 500 days ago', 'never')."""
    oldest = [f"{format_date(day)}, {int(days)} days ago" if day is not None and not pd.isna(day) else "Never"
              for day, days in zip(frame["Oldest check"], frame["Longest unchecked (days)"])]
    return frame.drop(columns=["Longest unchecked (days)"]).assign(**{"Oldest check": oldest})


def person(username: str | None) -> str:
    """A username as the person's name ('bob' -> 'Bob Smith'); 'Not recorded' when nobody is known."""
    if not username or username == "(nobody)":
        return "Not recorded"
    return person_name(username)


def _ask(entry_id: str, name: str, username: str) -> None:
    """Button callback: record the request, and say so at the top of the next run."""
    note = (st.session_state.get("fresh_note") or "").strip() or None
    try:
        request = request_verification(get_directory(), entry_id, username, note)
    except DirectoryError as error:
        flash(md(str(error)), "error")
        return
    flash(md(f"Asked {request.organisation} to check “{name}”. They will see the request on the entry "
             "and when they sign in."))


# -- the page ---------------------------------------------------------------------------------------

ensure_app_navigation()
directory = get_directory()
person_name = person_names(directory)
st.title("Stale entries")
account = require_account(directory, "coordinator", doing="see which entries are out of date")
today = now_local().date()

st.caption("Entries nobody has checked for a while. Ask the organisation to check them: the request shows "
           "on the entry and to the organisation's members when they sign in.")

show_flash()

months = st.number_input("Count an entry as stale when it has not been checked for (months)", min_value=1,
                         max_value=36, value=STALE_AFTER_MONTHS, step=1, key="fresh_months")
live = directory.entries()
stale = stale_entries(directory, today, int(months), entries=live)
summary = staleness_summary(stale)
requests = open_verification_requests(directory)

cols = st.columns(3)
cols[0].metric("Stale entries", f"{summary.total} of {len(live)}")
cols[1].metric("Never checked", sum(s.last_verified is None for s in stale))
cols[2].metric("Waiting for a check (asked)", len(requests))

if not stale:
    st.success(f"Every entry has been checked in the last {int(months)} months. Nothing to chase.")
    st.stop()

st.header("Stalest organisations")
by_org = groups_frame(summary.by_organisation, "Organisation")
st.dataframe(groups_shown(by_org), hide_index=True, width="stretch", key="fresh_by_org")
download(by_org, "Download (CSV)", "stale-by-organisation", "fresh_by_org_csv")

entries_tab, by_editor_tab, over_time_tab = st.tabs(["Every stale entry", "By who last changed them", "Over time"])

with by_editor_tab:
    by_editor = groups_frame(summary.by_last_editor, "Last changed by", person)
    st.dataframe(groups_shown(by_editor), hide_index=True, width="stretch", key="fresh_by_editor")
    download(by_editor, "Download (CSV)", "stale-by-last-editor", "fresh_by_editor_csv")

with entries_tab:
    organisations = ["All organisations", *[g.key for g in summary.by_organisation]]
    chosen = st.selectbox("Organisation", options=organisations, key="fresh_org")
    shown_items = [s for s in stale if chosen == organisations[0] or s.organisation == chosen]
    st.text_input("Note to send with a request (optional)", key="fresh_note", max_chars=500,
                  placeholder="e.g. Is the Thursday session still running?")
    every = pd.DataFrame([{
        "Entry": s.entry.name, "Organisation": s.organisation, "Last checked": s.last_verified,
        "Days since checked": s.days_since_verified, "Last changed by": person(s.last_editor),
        "Asked to check": format_date(s.open_request.requested_at.date()) if s.open_request else "",
        "Entry id": s.entry.id} for s in shown_items])
    download(every, "Download these entries (CSV)", "stale-entries", "fresh_entries_csv")
    limit = st.session_state.get("fresh_shown", PAGE_SIZE)
    for item in shown_items[:limit]:
        with st.container(border=True):
            left, right = st.columns([4, 1.4], vertical_alignment="center")
            checked = (f"last checked {format_date(item.last_verified)} ({item.days_since_verified} days ago)"
                       if item.last_verified else "never checked")
            touched = f", last changed by {md(person(item.last_editor))}" if item.last_editor else ""
            left.markdown(f"**{md(item.entry.name)}** · {md(item.organisation)}  \n{checked}{touched}")
            left.page_link("pages/entry.py", label="Open entry", icon=":material/arrow_forward:",
                           query_params={"id": item.entry.id})
            if item.open_request:
                right.caption(f"Asked {format_date(item.open_request.requested_at.date())} "
                              f"by {md(person(item.open_request.requested_by))}")
            else:
                right.button("Ask to verify", key=f"fresh_ask_{item.entry.id}", on_click=_ask,
                             args=(item.entry.id, item.entry.name, account.username), icon=":material/mark_email_unread:")
    if len(shown_items) > limit:
        st.button(f"Show {min(PAGE_SIZE, len(shown_items) - limit)} more", key="fresh_more",
                  on_click=lambda: st.session_state.update(fresh_shown=limit + PAGE_SIZE))

with over_time_tab:
    history = freshness_over_time(directory, today, months=12, stale_months=int(months))
    st.caption("Entries at the end of each month, checked within the period or not (this month: so far).")
    lines = history.set_index("month")[["fresh", "stale"]].rename(columns={"fresh": "Checked in time",
                                                                            "stale": "Stale"})
    st.line_chart(lines, x_label="Month", y_label="Entries", color=["#2e7d32", "#c0392b"])
    download(history, "Download (CSV)", "freshness-over-time", "fresh_history_csv")

st.header("Requests waiting for a check")
if requests:
    waiting = pd.DataFrame([{"Entry": r.entry_name, "Organisation": r.organisation, "Asked by": person(r.requested_by),
                             "Asked on": format_datetime(r.requested_at), "Note": r.note or "",
                             "Entry id": r.entry_id} for r in requests])
    st.dataframe(waiting, hide_index=True, width="stretch")
    download(waiting, "Download (CSV)", "verification-requests", "fresh_requests_csv")
else:
    st.caption("No requests are waiting. Use “Ask to verify” above.")
