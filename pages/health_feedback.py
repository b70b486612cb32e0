"""Feedback to follow up (coordinators): entries with a low average rating or a recent complaint, for the forum."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from directory.coverage import to_csv_bytes
from directory.health.feedback import feedback_overview
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import format_date, md, now_local


ensure_app_navigation()
directory = get_directory()
st.title("Feedback to follow up")
account = require_account(directory, "coordinator", doing="see feedback to follow up")
today = now_local().date()

st.caption("Entries clients rated poorly, or complained about recently, for the forum to follow up.")
left, right, _ = st.columns([1, 1, 2])
low = left.number_input("Low average rating (at or below)", min_value=1.0, max_value=5.0, value=2.5, step=0.5,
                        key="feedback_low")
days = right.number_input("A complaint is recent within (days)", min_value=7, max_value=365, value=90, step=7,
                          key="feedback_days")
concerns = feedback_overview(directory, today, low_rating=float(low), recent_days=int(days))
st.metric("Entries to follow up", len(concerns))
if not concerns:
    st.success(f"No entry has an average rating of {low:g} or lower, or a rating of 1 or 2 in the last {int(days)} "
               "days. Workers record what clients say about a place on its entry page (Client feedback); "
               "anything to follow up will be listed here.")
    st.stop()

table = pd.DataFrame([{
    "Entry": c.name, "Organisation": c.organisation, "Average rating": c.average, "Ratings": c.count,
    "Recent complaints": c.recent_complaints, "Latest complaint": c.latest_complaint,
    "Why": ", ".join(c.reasons), "Entry id": c.entry_id} for c in concerns])
st.dataframe(table, hide_index=True, width="stretch", key="feedback_table")
st.download_button("Download (CSV)", data=to_csv_bytes(table), file_name=f"feedback-to-follow-up-{today}.csv",
                   mime="text/csv", on_click="ignore", icon=":material/download:", key="feedback_csv")
st.bar_chart(table.set_index("Entry")["Average rating"], horizontal=True, color="#c0392b", x_label="Average rating")
for concern in concerns:
    if concern.recent_comments:
        with st.expander(f"{md(concern.name)}: recent comments"):
            for item in concern.recent_comments:
                st.markdown(f"**{item.rating}/5**, {format_date(item.given_on)}: {md(item.comment)}")
            st.page_link("pages/entry.py", label="Open entry", icon=":material/arrow_forward:",
                         query_params={"id": concern.entry_id})
