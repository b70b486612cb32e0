"""The referral funnel (coordinators and commissioners): sent → accepted → started → completed → job start /
in work at 13 weeks, by month and by referring and receiving organisation, with the no-answer setting.
Counts only: no client identifiers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from directory.errors import DirectoryError
from directory.referrals import (
    DECLINE_REASONS,
    FUNNEL_GROUPS,
    FUNNEL_LABELS,
    OUTCOMES,
    funnel,
    funnel_csv,
    no_answer_days,
    set_no_answer_days,
)
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.render import md, now_local

ensure_app_navigation()
directory = get_directory()
st.title("Referral funnel")
account = require_account(directory, "coordinator", doing="see the referral funnel")
st.caption("How referrals between partners went: a table like a commissioner's return, with no client identifiers. "
           "Counts build up: accepted includes those put on a waiting list, job starts include those in work at "
           "13 weeks.")
show_flash()

today = now_local().date()
left, middle, right = st.columns([1, 1, 2])
start = left.date_input("From", value=today.replace(day=1) - dt.timedelta(days=150), format="DD/MM/YYYY",
                        key="funnel_from")
end = middle.date_input("To", value=today, format="DD/MM/YYYY", key="funnel_to")
by = right.multiselect("Count by", list(FUNNEL_GROUPS), default=["month"], format_func=FUNNEL_LABELS.get,
                       key="funnel_by")
try:
    result = funnel(directory, account, start, end, by=by)
except DirectoryError as refused:
    st.error(f"{md(refused)}.")
    st.stop()

total = result.total
if not total.sent:
    st.info("No referrals were sent in these dates. Keyworkers refer from a client's next steps or action plan, "
            "or from a service's entry; each one is counted here.")
else:
    numbers = st.columns(6)
    for column, name in zip(numbers, ("sent", "accepted", "started", "completed", "job_start", "in_work_13_weeks")):
        column.metric(FUNNEL_LABELS[name], getattr(total, name))
    rate = f"{total.no_answer_rate:.0%}" if total.no_answer_rate is not None else "none"
    median = f"{total.median_days_to_answer:g} days" if total.median_days_to_answer is not None else "no answers yet"
    st.markdown(f"No answer within {result.no_answer_days} working days: **{total.no_answer} ({rate})** · median time "
                f"to a first answer: **{median}**")
    columns = [*result.by, "sent", "accepted", "started", "completed", "job_start", "in_work_13_weeks", "declined",
               "withdrawn", "no_answer", "no_answer_rate", "median_days_to_answer"]

    def value(row, name):
        if name == "category":
            return row.category_label
        if name == "no_answer_rate":
            return "" if row.no_answer_rate is None else f"{row.no_answer_rate:.0%}"
        if name == "median_days_to_answer":
            return "" if row.median_days_to_answer is None else f"{row.median_days_to_answer:g}"
        return getattr(row, name)

    table = pd.DataFrame([{FUNNEL_LABELS[c]: value(row, c) for c in columns} for row in result.rows])
    st.table(table.set_index(FUNNEL_LABELS[result.by[0]]) if result.by else table)
    st.download_button("Download the funnel (CSV)", data=funnel_csv(result),
                       file_name=f"referral-funnel-{start}-to-{end}.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:")
    stages = ["sent", "accepted", "started", "completed", "job_start", "in_work_13_weeks"]
    st.bar_chart(pd.DataFrame({"Referrals": [getattr(total, s) for s in stages]},
                              index=pd.Index([FUNNEL_LABELS[s] for s in stages], name="Stage")).reindex(
                     [FUNNEL_LABELS[s] for s in stages]), horizontal=True, color="#1f4e79", sort=False)
    if total.declined_reasons:
        st.markdown("**Why declined:** " + ", ".join(f"{DECLINE_REASONS[k]} {n}" for k, n in
                                                      sorted(total.declined_reasons.items(), key=lambda kv: -kv[1])))
    if total.outcomes:
        st.markdown("**Outcomes:** " + ", ".join(f"{OUTCOMES[k]} {n}" for k, n in
                                                  sorted(total.outcomes.items(), key=lambda kv: -kv[1])))

st.header("When a referral counts as unanswered")
with st.form("no-answer-days"):
    days = st.number_input("Working days a partner has to answer (bank holidays in England and Wales are not "
                           "counted)", min_value=1, max_value=30, value=no_answer_days(directory), step=1)
    if st.form_submit_button("Save"):
        try:
            set_no_answer_days(directory, account, int(days))
        except DirectoryError as refused:
            st.error(f"Not saved: {md(refused)}.")
        else:
            flash(f"Saved: a referral with no answer after {int(days)} working days is flagged overdue.")
            st.rerun()
