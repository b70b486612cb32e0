"""Open Referral harvest (coordinators): the taxonomy crosswalk, and harvesting a feed with its report.

The same harvest as `python -m directory harvest` (directory/io/harvest.py, docs/cli.md): check first (a dry
run), then harvest; changes are attributed to the account `harvest`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from directory import codes
from directory import fields as F
from directory.accounts import ensure_user
from directory.errors import ConflictError
from directory.io.harvest import (
    HARVEST_USER,
    HOLD,
    OURS,
    THEIRS,
    HarvestError,
    choose,
    conflicts_to_choose,
    harvest,
    load_crosswalk,
    save_crosswalk,
)
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import md

CHOICES = [""] + list(codes.CATEGORIES) + [HOLD]
CONFLICTS_SHOWN = 50


def choice_label(code: str) -> str:
    if not code:
        return "No default: reject services with no category"
    if code == HOLD:
        return "Hold back (do not import)"
    return codes.CATEGORIES[code]


ensure_app_navigation()
directory = get_directory()
st.title("Open Referral harvest")
account = require_account(directory, "coordinator", doing="harvest other directories' Open Referral feeds")

st.caption("Read another directory's Open Referral UK API (a council's, a Family Hub's) into this one. Check "
           "first: nothing is changed until you harvest. Harvesting again keeps what people here have edited "
           "and lists where the feed changed it too.")

st.header("Harvest a feed")
with st.form("harvest_form"):
    url = st.text_input("The feed's address", placeholder="https://example.org/api",
                        help="The API's address; its /services is read, then each service's full record.")
    default = st.selectbox("Category for services the crosswalk does not map", CHOICES[:-1], format_func=choice_label)
    check_only = st.checkbox("Check only (change nothing)", value=True)
    go = st.form_submit_button("Harvest")
if go and not url.strip():
    st.error("Type the feed's address first, e.g. https://example.org/api.")
elif go:
    ensure_user(directory, HARVEST_USER, "Open Referral harvest", "editor")
    with st.spinner("Reading the feed…"):
        try:
            report = harvest(directory, url, default_category=default or None, dry_run=check_only)
        except HarvestError as error:
            st.session_state["harvest_last"] = {"error": f"{error}. Nothing was imported."}
        else:
            # Kept for the page's next runs: mapping a term or choosing a conflict below keeps the report in sight.
            st.session_state["harvest_last"] = {"summary": report.summary(), "data": report.to_dict(),
                                                "json": report.to_json()}
last = st.session_state.get("harvest_last")
if last and last.get("error"):
    st.error(md(last["error"]))
elif last:
    data = last["data"]
    (st.warning if data.get("rejected") else st.success)(md(last["summary"]))
    for key, title in (("rejected", "Rejected rows"), ("unknown_terms", "Taxonomy terms to map"),
                       ("held_back", "Held back by the crosswalk"), ("conflicts", "Conflicts: kept the local value"),
                       ("kept_local", "Local edits kept"), ("gone", "Gone from the feed (not deleted)"),
                       ("archived", "Archived: the feed says closed"), ("restored", "Restored: open again in the feed"),
                       ("possible_duplicates", "Possible duplicates held back"), ("warnings", "Warnings")):
        if data.get(key):
            st.subheader(title)
            frame = pd.DataFrame(data[key] if isinstance(data[key][0], dict) else {"entry": data[key]})
            st.table(frame.astype(str))
            if key == "unknown_terms":
                known = load_crosswalk(directory)
                to_map = [item["term"] for item in data[key] if item["term"].lower() not in known][:30]
                if to_map:
                    with st.form("map_terms"):
                        st.caption("Say which of our categories each term means, or hold its services back; "
                                   "then check the feed again.")
                        # Only the feed's text is made inert: md() would put a backslash before our own
                        # apostrophes, which screen readers then read out from the label.
                        picked = {term: st.selectbox(f"Our category for the term “{md(term)}”", CHOICES,
                                                     format_func=lambda c: "Not mapped yet" if not c else choice_label(c),
                                                     key=f"map_term_{index}")
                                  for index, term in enumerate(to_map)}
                        if st.form_submit_button("Save these terms"):
                            chosen_terms = {term: code for term, code in picked.items() if code}
                            if chosen_terms:
                                save_crosswalk(directory, chosen_terms, account.username)
                                st.success(md(f"Saved {len(chosen_terms)} in the crosswalk: harvest again to bring "
                                              "their services in."))
                            else:
                                st.error("Choose a category (or hold back) for at least one term first.")
    st.download_button("Download the report (JSON)", last["json"], "harvest-report.json", "application/json")

st.header("Conflicts to choose")
st.caption("A field someone here changed that the feed changed too: the harvest kept ours. Choose which value "
           "the entry keeps; choosing the feed's saves it as your change, and later harvests update that field "
           "again.")
chosen = st.session_state.pop("harvest_chosen", None)
if chosen:
    st.success(md(chosen))
to_choose, open_count = conflicts_to_choose(directory, CONFLICTS_SHOWN)
if not to_choose:
    st.caption("No conflicts are waiting.")
elif open_count > len(to_choose):
    st.caption(f"The first {len(to_choose)} of {open_count} conflicts; the rest show as these are chosen.")
for conflict, entry, ours_now in to_choose:
    label = F.FIELD_BY_NAME[conflict.field].label if conflict.field in F.FIELD_BY_NAME else conflict.field
    with st.form(f"conflict_{conflict.id}", border=True):
        st.markdown(md(f"{entry.name}: {label}"))
        st.page_link("pages/entry.py", label="Open the entry", icon=":material/arrow_forward:",
                     query_params={"id": entry.id})
        changed = f"{conflict.changed_at.day} {conflict.changed_at:%b %Y}"
        options = {OURS: f"Ours: “{ours_now or '(empty)'}” (changed here by {conflict.changed_by}, {changed})",
                   THEIRS: f"The feed's: “{conflict.feed_value or '(empty)'}” ({conflict.feed})"}
        pick = st.radio(f"Which value should {label.lower()} keep?", list(options),
                        format_func=lambda choice, options=options: md(options[choice]),
                        index=None, key=f"conflict_choice_{conflict.id}")
        if st.form_submit_button("Save this choice"):
            if pick is None:
                st.error("Choose ours or the feed's value first.")
            else:
                try:
                    choose(directory, conflict.id, pick, account.username, entry.version)
                except ConflictError:
                    st.error("Someone saved this entry since the page was shown: look at its value again and "
                             "choose again.")
                except ValueError as error:
                    st.error(md(f"Not saved: {error}."))
                else:
                    kept = "our" if pick == OURS else "the feed's"
                    st.session_state["harvest_chosen"] = f"{entry.name}: {label.lower()} keeps {kept} value."
                    st.rerun()

st.header("Taxonomy crosswalk")
st.caption("The feed's taxonomy terms and the category of ours each means (or hold back its services). "
           "Terms are matched without regard to capitals.")
crosswalk = load_crosswalk(directory)
# Typed as text even when empty (an empty column is read as numbers, which the text column cannot edit).
table = pd.DataFrame({"term": list(crosswalk), "category": list(crosswalk.values())},
                     columns=["term", "category"]).astype("string")
edited = st.data_editor(table, num_rows="dynamic", key="crosswalk", hide_index=True, column_config={
    "term": st.column_config.TextColumn("Feed's term", required=True),
    "category": st.column_config.SelectboxColumn("Our category", options=CHOICES[1:], required=True)})
if st.button("Save the crosswalk"):
    rows = {str(r["term"]).strip(): str(r["category"] or "") for r in edited.to_dict("records")
            if isinstance(r.get("term"), str) and r["term"].strip()}
    removed = {term: "" for term in crosswalk if term not in {t.lower() for t in rows}}
    try:
        save_crosswalk(directory, removed | rows, account.username)
    except ValueError as error:
        st.error(md(str(error)))
    else:
        st.success("The crosswalk is saved.")
