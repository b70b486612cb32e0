"""Planner: the client access log (coordinators): who opened or changed which client record, and when.

Client records are special-category health data, so every read and change is logged
(directory/clients.py); this page is where coordinators check that log. It shows
pseudonymous references only, never a profile.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import planner_support as ps
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import md, now_local, person_names

LIMIT = 500
ALL = ""

ensure_app_navigation()
directory = get_directory()
st.title("Client access log")
account = require_account(directory, "coordinator", doing="see the client access log")
records = ps.records(directory)

st.caption("Every time someone creates, opens or changes a client record on the planner pages, it is written here: "
           "who, which client reference, what they did and when. Client records hold health information: look out "
           "for anyone opening records they do not work with.")

refs = records.access_log_refs(account)
if not refs:
    st.info("Nobody has opened a client record yet. When someone creates, opens or changes a client on the "
            "planner pages, it appears here.", icon=":material/info:")
    st.page_link("pages/planner_client.py", label="Go to the Client page", icon=":material/person:")
    st.stop()

ref = st.selectbox("Client reference", [ALL, *refs], format_func=lambda r: r or "All clients", key="access_ref",
                   help="Only the reference is logged, never a name. The same reference can be used by two "
                        "organisations: “Held by” tells them apart.")
entries = records.access_log(account, client_ref=ref or None, limit=LIMIT)
person_name = person_names(directory)
names = {username: person_name(username) for username in dict.fromkeys(e.username for e in entries)}

if not entries:  # only when a filtered reference has no rows, which the list of references rules out
    st.info(f"Nothing logged for {md(ref)}.", icon=":material/info:")
    st.stop()

cols = st.columns(3)
cols[0].metric("Times logged", len(entries))
cols[1].metric("People", len(names))
cols[2].metric("Client records", len({(e.organisation, e.client_ref) for e in entries}))

rows = ps.access_log_rows(entries, names)
table = pd.DataFrame(rows, columns=list(ps.ACCESS_LOG_COLUMNS)).rename(columns=ps.ACCESS_LOG_COLUMNS)
holders = table["Held by"].unique()
if len(holders) == 1:  # one organisation: said once, and the table fits the page
    table = table.drop(columns="Held by")
    st.markdown(f"Records held by **{md(holders[0] or 'an organisation no longer known')}**.")
st.dataframe(table, hide_index=True, width="stretch", key="access_table", column_config={
    "When": st.column_config.TextColumn(width="medium"),
    "Times": st.column_config.NumberColumn(width="small", help="How many times in a row the same person opened "
                                                               "the same record"),
    "Client": st.column_config.TextColumn(width="small", help="The client's reference (never a name)"),
})
st.caption("Newest first. Every click on a planner page opens the record again, so one person opening the same "
           "record several times in a row is one line here (see “Times”); the download lists each time.")
if len(entries) == LIMIT:
    st.caption(f"Showing the latest {LIMIT} (the download holds the same). Choose a client reference to see "
               "older entries for that client.")
today = now_local().date()
file_ref = f"-{ref}" if ref else ""
st.download_button("Download the access log (CSV)", ps.access_log_csv(entries, names),
                   file_name=f"client-access-log{file_ref}-{today}.csv", mime="text/csv", on_click="ignore",
                   icon=":material/download:", key="access_csv")
