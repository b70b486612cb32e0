"""Planner: three-way reviews (client, keyworker, employment specialist) and the distance travelled."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from directory import codes
from directory.clients import OWNERS
from directory.errors import AccessDenied
from directory.referrals import Referrals
from ui import planner_support as ps
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.render import format_date, md

ensure_app_navigation()
directory = get_directory()
st.title("Reviews")
account = require_account(directory, "editor", doing="use the planner")
records = ps.records(directory)

show_flash()
record = ps.client_chooser(directory, account)

from planner.rules import STAGE_ORDER, STEP_ORDER  # noqa: E402

profile, result = ps.plan_or_stop(directory, record)

reviews = records.reviews(account, record.id)

st.header("Distance travelled")
if reviews:
    import altair as alt
    import pandas as pd

    measures = {"Step on the continuum (1 to 10)": "step", "Readiness indicators met (0 to 5)": "met",
                "Recovery stage (1 to 5)": "stage",
                # A course started or finished through a referral is progress before any job.
                "Referrals started or completed": "referrals"}
    rows = []
    for i, r in enumerate(reviews):
        label = format_date(r.held_on) if i == 0 or r.held_on != reviews[i - 1].held_on else f"{format_date(r.held_on)} ({i + 1})"
        values = {"step": STEP_ORDER.index(r.step) + 1 if r.step in STEP_ORDER else len(STEP_ORDER),
                  "met": r.readiness_met or 0,
                  "stage": STAGE_ORDER.index(r.stage) + 1 if r.stage in STAGE_ORDER else 0,
                  "referrals": sum(1 for o in (r.referral_outcomes or ()) if o.get("status") in ("started", "completed"))}
        rows += [{"Review": label, "Measure": name, "Value": values[code]} for name, code in measures.items()]
    frame = pd.DataFrame(rows)
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=110, filled=True), strokeWidth=3).encode(
        x=alt.X("Review:N", sort=None, axis=alt.Axis(labelAngle=0, title="Review")),
        y=alt.Y("Value:Q", scale=alt.Scale(domain=[0, 10]), axis=alt.Axis(tickMinStep=1, title="Higher is further on")),
        color=alt.Color("Measure:N", sort=list(measures), scale=alt.Scale(domain=list(measures),
                        range=["#0b57d0", "#2e7d32", "#b06000", "#6a1b9a"]),
                        legend=alt.Legend(orient="bottom", title=None, labelLimit=0)),
        tooltip=["Review", "Measure", "Value"],
    ).properties(height=320)
    st.altair_chart(chart, width="stretch")
    if len(reviews) == 1:
        st.caption("One review so far: these are the starting points. From the next review, lines join them.")
    st.caption("Progress counts before a job: each line going up is distance travelled.")
    for review in reversed(reviews):
        with st.expander(f"{format_date(review.held_on)} · {', '.join(OWNERS[a] for a in review.attendees)}"):
            st.markdown(f"Stage: **{md(ps.STAGE_WORDS.get(review.stage, review.stage))}** · readiness: "
                        f"**{md((review.readiness or 'not rated').capitalize())}** ({review.readiness_met or 0} of 5 met) · step: "
                        f"**{md(ps.STEP_WORDS.get(review.step, review.step or 'all done'))}**")
            if review.decisions:
                st.markdown(f"Decisions: {md(review.decisions)}")
            for outcome in review.referral_outcomes or ():
                where = outcome.get("service") or outcome.get("to_organisation")
                st.markdown(f"- Referral to {md(where)}: **{md(outcome.get('label'))}**")
            for response in review.responses:
                reason = f": {md(response.get('reason'))}" if response.get("reason") else ""
                verb = {"accept": "accepts", "decline": "declines"}.get(response.get("response"), response.get("response"))
                st.markdown(f"- {md(response.get('suggestion'))}: {md(OWNERS.get(response.get('party'), ''))} "
                            f"{md(verb)}{reason}")
else:
    st.info("No reviews yet. Record the first one below: it is the starting point for the distance travelled.")

st.header("Record a review")
if (recorded := st.session_state.pop("planner_review_reset", None)) is not None:
    # Just recorded: a fresh form, so the same review is not recorded twice by mistake. Set before the widgets
    # are drawn (values set after that would be refused; removed ones would come back from the browser).
    st.session_state["review_decisions"] = ""
    for number in range(recorded):
        st.session_state[f"review_{number}_reason"] = ""
        for party in OWNERS:
            st.session_state[f"review_{number}_{party}"] = ""
c1, c2 = st.columns([1, 3])
held_on = c1.date_input("Date", value=dt.date.today(), key="review_date", format="DD/MM/YYYY")
attendees = c2.multiselect("Who attended", list(OWNERS), default=list(OWNERS), format_func=OWNERS.get,
                           key="review_attendees")
c1, c2, c3, c4 = st.columns(4)
stage = c1.selectbox("Stage", STAGE_ORDER, index=STAGE_ORDER.index(result.stage), format_func=codes.STAGES.get,
                     key="review_stage")
ratings = ["red", "amber", "green"]
readiness = c2.selectbox("Readiness", ratings, index=ratings.index(result.readiness.rating),
                         format_func=str.capitalize, key="review_readiness")
met = c3.number_input("Indicators met", min_value=0, max_value=5, value=result.readiness.met, key="review_met")
steps = list(STEP_ORDER) + [None]
step = c4.selectbox("Step now", steps, index=steps.index(result.continuum.current),
                    format_func=lambda s: "All done" if s is None else ps.STEP_WORDS[s], key="review_step")
decisions = st.text_area("Decisions", key="review_decisions", placeholder="What was agreed, and who does what")

st.markdown("**Suggested next steps: does each person agree?**")
suggestions = [(r.entry_id, f"{r.name} ({ps.STEP_WORDS.get(r.step, r.step)})") for r in result.recommendations[:3]]
responses = []
answers = {"": "Not asked", "accept": "Accept", "decline": "Decline"}
for number, (entry_id, label) in enumerate(suggestions):
    st.markdown(md(label))
    columns = st.columns(len(OWNERS) + 1)
    given = {}
    for column, party in zip(columns, OWNERS):
        given[party] = column.selectbox(OWNERS[party], list(answers), format_func=answers.get,
                                        key=f"review_{number}_{party}")
    reason = columns[-1].text_input("Reason", key=f"review_{number}_reason")
    for party, answer in given.items():
        if answer:
            responses.append({"suggestion": label, "entry_id": entry_id, "party": party, "response": answer,
                              "reason": reason.strip() or None})

def referral_outcomes(on):
    """Where each of the client's referrals stood on the review's day (none seen by a consenting partner)."""
    try:
        return Referrals(directory).outcomes_for_review(account, record.id, on)
    except AccessDenied:
        return None


if st.button("Record review", type="primary"):
    if not attendees:
        st.error("Say who attended: a three-way review has the client, keyworker and employment specialist.")
    else:
        try:
            records.add_review(account, record.id, held_on, attendees, stage, readiness, int(met), step,
                               decisions.strip() or None, responses,
                               referral_outcomes=referral_outcomes(held_on))
            flash(f"Review of {format_date(held_on)} recorded.")
            st.session_state["planner_review_reset"] = len(suggestions)
            st.rerun()
        except (AccessDenied, ValueError) as error:
            st.error(f"Not recorded: {md(error)}.")
