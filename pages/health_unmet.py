"""Unmet needs (coordinators and commissioners): what nobody could offer, by area and kind, against provision.

Recorded from the Find page's empty state (category, postcode district, stage, barrier tags, date; never who).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from directory.coverage import to_csv_bytes
from directory.unmet import unmet_summary
from pages.auth import require_account
from pages.find_support import _cell
from pages.ui import ensure_app_navigation, get_directory, md, now_local, short_category_label

PERIODS = {3: "Last 3 months", 6: "Last 6 months", 12: "Last 12 months", 0: "All time"}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV whose text cells a spreadsheet will not run as formulas."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(lambda v: _cell(v) if isinstance(v, str) else v)
    return to_csv_bytes(safe)


ensure_app_navigation()
directory = get_directory()
account = require_account(directory, "coordinator", doing="see unmet needs")
today = now_local().date()

st.title("Unmet needs")
st.caption("When a search found nothing suitable, workers record the need: the kind of provision, the postcode "
           "district, the recovery stage and any barriers. Never who it was. Here they are beside the local "
           "provision of that kind in that district today: demand against supply.")

months = st.selectbox("Period", options=list(PERIODS), format_func=PERIODS.get, index=2, key="unmet_period")
since = None if months == 0 else today - dt.timedelta(days=round(months * 30.44))
overall = unmet_summary(directory, since=since, by_month=False)
if overall.empty:
    st.info("No unmet needs recorded in this period. They are recorded from the Find page: when a search finds "
            "nothing suitable, signed-in workers see “Record an unmet need”.", icon=":material/info:")
    st.stop()

cols = st.columns(3)
cols[0].metric("Needs recorded", int(overall["unmet"].sum()))
cols[1].metric("Districts", overall["district"].nunique())
cols[2].metric("Where there is no local provision", int(overall.loc[overall["provision"] == 0, "unmet"].sum()))

shown = pd.DataFrame({"District": overall["district"], "Kind of provision": overall["category"].map(short_category_label),
                      "Unmet needs": overall["unmet"], "Local provision now": overall["provision"],
                      "Barriers mentioned": overall["top_barriers"]})
st.subheader("Demand against supply")
st.dataframe(shown, hide_index=True, width="stretch", key="unmet_summary")
st.download_button("Download (CSV)", data=csv_bytes(overall), file_name=f"unmet-needs-{today}.csv", mime="text/csv",
                   on_click="ignore", icon=":material/download:", key="unmet_csv")

by_kind = shown.groupby("Kind of provision")[["Unmet needs", "Local provision now"]].sum()
st.bar_chart(by_kind, stack=False, horizontal=True, color=["#c0392b", "#2171b5"])

st.subheader("Over time")
monthly = unmet_summary(directory, since=since, by_month=True)
over_time = monthly.assign(kind=monthly["category"].map(short_category_label)).pivot_table(
    index="month", columns="kind", values="unmet", aggfunc="sum", fill_value=0)
st.bar_chart(over_time, x_label="Month", y_label="Unmet needs")
st.download_button("Download by month (CSV)", data=csv_bytes(monthly), file_name=f"unmet-needs-by-month-{today}.csv",
                   mime="text/csv", on_click="ignore", icon=":material/download:", key="unmet_month_csv")
st.caption(md("Districts only, never full postcodes: a full postcode can point at a handful of homes."))
