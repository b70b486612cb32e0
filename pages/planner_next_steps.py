"""Planner: where the client is on the employment continuum, and the next steps that fit them."""

from __future__ import annotations

import streamlit as st

from directory import codes
from directory.errors import AccessDenied
from ui import maps
from ui import planner_support as ps
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from planner.wording import plain
from ui.render import describe_times, esc, format_distance, md, short_category_label, spoc_html
from ui.feedback import flash, show_flash
from ui.referrals_support import client_referrals, refer_form, status_badge
from ui.unmet_form import unmet_need_form

ensure_app_navigation()
directory = get_directory()
st.title("Next steps")
account = require_account(directory, "editor", doing="use the planner")
records = ps.records(directory)

show_flash()
record = ps.client_chooser(directory, account)

profile, result = ps.plan_or_stop(directory, record)

rating = result.readiness
light = {"red": ":red-badge[Red]", "amber": ":orange-badge[Amber]", "green": ":green-badge[Green]"}[rating.rating]
if rating.known == 0:
    # Rated red by the rule (fewer than three met), but nothing is known yet: say so rather than alarm.
    st.markdown(f"**{md(record.ref)}** · {md(ps.STAGE_WORDS[result.stage])} · job-readiness "
                ":gray-badge[Not assessed yet]")
    st.caption("Fill in the five readiness indicators on the Client page (under “Readiness and treatment”) to get a "
               "red, amber or green job-readiness rating. Readiness shapes how support is offered, never what the "
               "client may aim for.")
else:
    st.markdown(f"**{md(record.ref)}** · {md(ps.STAGE_WORDS[result.stage])} · job-readiness {light} "
                f"({rating.met} of 5 indicators met, {rating.known} known)")
    if rating.notes:
        st.caption("Readiness notes: " + "; ".join(rating.notes) + ". Readiness shapes how support is offered, "
                   "never what the client may aim for.")

st.header("Where the client is on the employment continuum")
st.html(ps.continuum_html(result.continuum))
if result.continuum.current is None:
    st.success("Every step on the continuum is done.")
if "done_steps" not in record.profile:  # inferred from the assessment: say so, and where to change it
    assumed = ps.assumed_start(record.profile)
    if assumed is not None:
        # One under the other: beside the caption, a fifth of the page cut the link's label at 1366 px.
        st.caption(ps.assumed_start_text(assumed))
        st.page_link("pages/planner_client.py", label="Change where they start", icon=":material/edit:",
                     query_params={"client": str(record.id)})
if result.assumptions:
    with st.expander(f"What the planner assumed ({len(result.assumptions)})"):
        for assumption in result.assumptions:
            st.markdown(f"- {md(assumption)}")

actions = records.actions(account, record.id)
planned = {a.entry_id for a in actions if a.entry_id}
# The latest referral of this client to each service (for_client lists newest first).
referred = {}
for summary in client_referrals(directory, account, record.id):
    if summary.entry_id and summary.entry_id not in referred:
        referred[summary.entry_id] = summary


def add_to_plan(rec) -> None:
    entry = ps.entry_or_none(directory, rec.entry_id)
    try:
        records.add_action(account, record.id, f"{rec.name} ({rec.organisation})", "client",
                           entry_id=rec.entry_id, step=rec.step)
    except AccessDenied as error:
        st.error(f"Not added: {md(error)}.")
        return
    # Said on the card itself (ui.feedback places), where the eye is: not at the top of a long page.
    place = card_place(rec.entry_id)
    flash(f"Added “{md(rec.name)}” to the action plan.", place=place)
    for clash in (ps.clashes(entry, profile) if entry else []):
        flash(f"Check the times: {md(rec.name)} overlaps {md(clash)}.", "warning", icon=":material/warning:",
              place=place)
    warning = ps.overload_warning(ps.current_activities(record.profile, records.actions(account, record.id)))
    if warning:
        flash(warning, "warning", place=place)
    st.rerun()


def card_place(entry_id: str | None) -> str:
    return f"next-step:{entry_id}"


st.header(f"Recommended next steps ({len(result.recommendations)})")
if not result.recommendations:  # full width: the form, and no empty map
    st.info("Nothing in the directory fits yet. See “Why not…?” below, or widen the travel limit on the "
            "Client page.", icon=":material/info:")
    with st.container(border=True):
        st.markdown("### Record an unmet need")
        wanted = result.continuum.next[0] if result.continuum.next else None
        step_words = f" (step now: {ps.STEP_WORDS[wanted].lower()})" if wanted else ""
        unmet_need_form(directory, account, prefix="plan_unmet", source="plan",
                        prefill=ps.unmet_prefill(profile, result.continuum),
                        intro="Tell the coordinators what this client needed and nobody could offer"
                              f"{step_words}. Filled in from the plan with the postcode district only: the "
                              "client's reference, name and full postcode are never kept.")
else:
    left, right = st.columns([3, 2])
    with left:
        for rec in result.recommendations:
            entry = ps.entry_or_none(directory, rec.entry_id)
            with st.container(border=True):
                distance = f" · {md(format_distance(rec.distance_km))}" if rec.distance_km is not None else ""
                st.markdown(f"### {md(rec.name)}")
                st.markdown(f"{md(rec.organisation)} · {md(short_category_label(rec.category))} · step: "
                            f"**{md(ps.STEP_WORDS.get(rec.step, rec.step))}**{distance}")
                st.markdown("\n".join(f"- {md(plain(reason))}" for reason in rec.reasons))
                for warning in rec.warnings:
                    st.warning(md(plain(warning)), icon=":material/warning:")
                if entry is not None:
                    st.html(f'<div style="font-size:15px"><b>When:</b> {esc(describe_times(entry))}<br>'
                            f"<b>Contact:</b> {spoc_html(entry)}</div>")
                if rec.entry_id in planned:
                    st.caption("In the action plan")
                    show_flash(card_place(rec.entry_id))
                elif st.button("Add to plan", key=f"add_{rec.entry_id}", icon=":material/add:"):
                    add_to_plan(rec)
                referral = referred.get(rec.entry_id)
                if referral is not None:
                    st.markdown(status_badge(referral))
                if entry is not None:
                    refer_form(directory, account, record, key=f"card_{rec.entry_id}", entry_id=rec.entry_id,
                               organisation=entry.organisation, service=rec.name,
                               offer=referral is None or referral.status in ("declined", "withdrawn"))

    with right:
        points = []
        for rec in result.recommendations:
            entry = ps.entry_or_none(directory, rec.entry_id)
            if entry is not None and entry.latitude is not None and entry.longitude is not None:
                points.append(maps.MapPoint(entry.latitude, entry.longitude, entry.category, entry.name, entry.id,
                                            describe_times(entry), format_distance(rec.distance_km)))
        client_place = None
        if profile.postcode:
            try:
                lat, lon = ps._locate(profile.postcode)
                client_place = (lat, lon, profile.postcode)
            except ValueError:
                client_place = None
        if points or client_place:
            spots = [(p.latitude, p.longitude) for p in points] + ([client_place[:2]] if client_place else [])
            centre = (sum(s[0] for s in spots) / len(spots), sum(s[1] for s in spots) / len(spots))
            bounds = [[min(s[0] for s in spots), min(s[1] for s in spots)], [max(s[0] for s in spots), max(s[1] for s in spots)]]
            fmap = maps.base_map(maps.tiles_config(st.secrets), centre, zoom=12)
            group = maps.results_group(points, dict(codes.CATEGORIES), client=client_place,
                                       radius_km=profile.max_travel_km, bounds=bounds)
            maps.show_map(fmap, group, key="planner_map", height=460)
            st.caption(f"{len(points)} of {len(result.recommendations)} recommendations on the map "
                       "(online and phone services have no place).")
        else:
            st.caption("No map: none of the recommendations has a place, and the client has no postcode.")


st.header(f"Why not…? ({len(result.excluded)} ruled out)")
query = st.text_input("Search the provision the planner ruled out", key="planner_why_not",
                      placeholder="e.g. warehouse")
shown = [e for e in result.excluded if query.strip().lower() in e.name.lower()] if query.strip() else list(result.excluded)[:20]
if not shown:
    st.caption("Nothing ruled out matches." if query.strip() else "Nothing was ruled out.")
for exclusion in shown:
    st.markdown(f"**{md(exclusion.name)}**: " + "; ".join(md(plain(r)) for r in exclusion.reasons))
if not query.strip() and len(result.excluded) > len(shown):
    st.caption(f"Showing 20 of {len(result.excluded)}: search to find the one you mean.")
