"""Unmet needs (coordinators and commissioners): what nobody could offer, by area and kind, against provision.

Recorded from the Find page's empty state (category, postcode district, stage, barrier tags, date; never who).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from directory.coverage import to_csv_bytes
from directory.codes import CATEGORIES
from directory.unmet import NO_DISTRICT, months_to_cover, unmet_over_time, unmet_summary
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import md, now_local, short_category_label

ANY = ""

PERIODS = {3: "Last 3 months", 6: "Last 6 months", 12: "Last 12 months", 0: "All time"}


ensure_app_navigation()
directory = get_directory()
st.title("Unmet needs")
account = require_account(directory, "coordinator", doing="see unmet needs")
today = now_local().date()

st.caption("When a search found nothing suitable, workers record the need: the kind of provision, the postcode "
           "district, the recovery stage and any barriers. Never who it was. Here they are beside the local "
           "provision of that kind in that district today: demand against supply.")

months = st.selectbox("Period", options=list(PERIODS), format_func=PERIODS.get, index=2, key="unmet_period")
since = None if months == 0 else today - dt.timedelta(days=round(months * 30.44))
overall = unmet_summary(directory, since=since, by_month=False, plain=True)
if overall.empty:
    st.info("No unmet needs recorded in this period. Workers record them on the Find page: when a search finds "
            "nothing suitable, a signed-in worker opens “Nothing suitable? Record an unmet need” under the "
            "results.", icon=":material/info:")
    st.page_link("pages/find.py", label="Go to Find provision", icon=":material/search:")
    st.stop()

cols = st.columns(3)
cols[0].metric("Needs recorded", int(overall["unmet"].sum()))
cols[1].metric("Districts", overall["district"].nunique())
cols[2].metric("Where there is no local provision", int(overall.loc[overall["provision"] == 0, "unmet"].sum()))

shown = pd.DataFrame({"District": overall["district"], "Kind of provision": overall["category"].map(short_category_label),
                      "Unmet needs": overall["unmet"], "Local provision now": overall["provision"],
                      "Barriers mentioned": overall["top_barriers"]})
st.header("Demand against supply")
st.dataframe(shown, hide_index=True, width="stretch", key="unmet_summary")
st.download_button("Download (CSV)", data=to_csv_bytes(overall), file_name=f"unmet-needs-{today}.csv", mime="text/csv",
                   on_click="ignore", icon=":material/download:", key="unmet_csv")

by_kind = shown.groupby("Kind of provision")[["Unmet needs", "Local provision now"]].sum()
st.bar_chart(by_kind, stack=False, horizontal=True, color=["#c0392b", "#2171b5"])

st.header("Over time")
st.caption("Needs recorded each month, beside the local provision of that kind there was at the end of the month "
           "(this month: so far).")
kinds = [ANY, *[c for c in CATEGORIES if c in set(overall["category"])]]
districts = [ANY, *[d for d in overall["district"].drop_duplicates() if d != NO_DISTRICT]]
pick_kind, pick_district, _ = st.columns([1.2, 1, 1.3])
kind = pick_kind.selectbox("Kind of provision", options=kinds, key="unmet_kind",
                           format_func=lambda c: short_category_label(c) if c else "All kinds")
district = pick_district.selectbox("District", options=districts, key="unmet_area",
                                   format_func=lambda d: d or "All districts")
over_time = unmet_over_time(directory, today, months_to_cover(directory, today, months),
                            category=kind or None, district=district or None)
chart = over_time.set_index("month").rename(columns={"unmet": "Unmet needs", "provision": "Local provision"})
left, right = st.columns(2)
left.bar_chart(chart["Unmet needs"], x_label="Month", y_label="Unmet needs recorded", color="#c0392b")
right.line_chart(chart["Local provision"], x_label="Month", y_label="Local provision entries", color="#2171b5")
st.dataframe(chart.reset_index().rename(columns={"month": "Month"}), hide_index=True, width="stretch",
             key="unmet_over_time")
monthly = unmet_summary(directory, since=since, by_month=True, plain=True)
st.download_button("Download these months (CSV)", data=to_csv_bytes(over_time),
                   file_name=f"unmet-needs-over-time-{today}.csv", mime="text/csv", on_click="ignore",
                   icon=":material/download:", key="unmet_over_time_csv")
st.download_button("Download by month, district and kind (CSV)", data=to_csv_bytes(monthly),
                   file_name=f"unmet-needs-by-month-{today}.csv", mime="text/csv", on_click="ignore",
                   icon=":material/download:", key="unmet_month_csv")
st.caption(md("Districts only, never full postcodes: a full postcode can point at a handful of homes."))
