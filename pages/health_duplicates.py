"""Duplicates (coordinators): likely duplicate pairs across the whole directory, side by side.

Each pair: merge (the survivor keeps its history and fills its empty fields from the other; the other is
archived, pointing to the survivor, so bringing it back undoes the merge) or "not a duplicate" (remembered).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from directory import codes
from directory import fields as F
from directory.coverage import to_csv_bytes
from directory.health.merging import compare_fields, duplicate_pairs, fields_to_take, mark_not_duplicate, merge
from directory.schedule import ScheduleError, describe_sessions, parse_schedule
from directory.errors import DirectoryError
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.render import format_date, md, now_local

PAGE_SIZE = 10


def shown(name: str, value) -> str:
    """A field's value in plain English for the side-by-side table: labels for codes, times as words."""
    if value is None or value == "" or value == ():
        return ""
    field = F.FIELD_BY_NAME.get(name)
    words = codes.VOCABULARIES.get(field.vocabulary, {}) if field and field.vocabulary else {}
    if isinstance(value, (tuple, list)):
        return ", ".join(words.get(v, str(v)) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "isoformat"):
        return format_date(value)
    if name == "schedule":
        try:
            return describe_sessions(parse_schedule(value))
        except (ScheduleError, ValueError):
            return str(value)
    return words.get(value, str(value))


def field_labels(names) -> str:
    return ", ".join(F.FIELD_BY_NAME[n].label if n in F.FIELD_BY_NAME else n for n in names)


def _merge(survivor, duplicate, username: str) -> None:
    try:
        result = merge(get_directory(), survivor.id, duplicate.id, username,
                       survivor_version=survivor.version, duplicate_version=duplicate.version)
    except DirectoryError as error:
        flash(md(str(error)), "error")
        return
    taken = f" It took {len(result.taken)} empty field(s) from the other." if result.taken else ""
    flash(md(f"Merged “{duplicate.name}” into “{survivor.name}”.{taken} “{duplicate.name}” is archived and "
             f"points to the entry kept; both histories are kept, and bringing it back undoes the merge."))
    st.session_state["dup_survivor"] = survivor.id


def _not_duplicate(first, second, username: str) -> None:
    try:
        mark_not_duplicate(get_directory(), first.id, second.id, username)
    except DirectoryError as error:
        flash(md(str(error)), "error")
        return
    flash(md(f"Noted: “{first.name}” and “{second.name}” are different. They will not be suggested again."))


# -- the page ---------------------------------------------------------------------------------------

ensure_app_navigation()
directory = get_directory()
st.title("Likely duplicates")
account = require_account(directory, "coordinator", doing="merge duplicate entries")
today = now_local().date()

st.caption("Pairs of entries with similar names and organisations, within 500 m of each other, across the whole "
           "directory. Merge them, or say they are different so they are not suggested again.")

show_flash()
if survivor_id := st.session_state.pop("dup_survivor", None):
    st.page_link("pages/entry.py", label="Open the entry kept", icon=":material/arrow_forward:",
                     query_params={"id": survivor_id})

pairs = duplicate_pairs(directory)
st.metric("Likely duplicate pairs", len(pairs))
if not pairs:
    st.success("No likely duplicates. New imports are checked as they come in; this page lists any that slipped "
               "through, and pairs someone marked as different stay off it.")
    st.stop()

listing = pd.DataFrame([{
    "First entry": p.first.name, "First organisation": p.first.organisation, "First id": p.first.id,
    "Second entry": p.second.name, "Second organisation": p.second.organisation, "Second id": p.second.id,
    "Name similarity": p.name_similarity, "Organisation similarity": p.organisation_similarity,
    "Distance (m)": p.distance_m} for p in pairs])
st.download_button("Download the list (CSV)", data=to_csv_bytes(listing), file_name=f"likely-duplicates-{today}.csv",
                   mime="text/csv", on_click="ignore", icon=":material/download:", key="dup_csv")

st.header("Pairs to check")
limit = st.session_state.get("dup_shown", PAGE_SIZE)
for pair in pairs[:limit]:
    a, b = pair.first, pair.second
    key = f"{a.id}__{b.id}"
    with st.container(border=True):
        where = "no map position" if pair.distance_m is None else f"{pair.distance_m:.0f} m apart"
        st.markdown(f"### {md(a.name)} · {md(b.name)}")
        st.caption(f"Names {pair.name_similarity:.0%} alike · organisations {pair.organisation_similarity:.0%} "
                   f"alike · {where}")
        options = {a.id: a, b.id: b}
        keep_id = st.radio(
            "Which entry should be kept?", options=list(options), key=f"dup_keep_{key}", horizontal=True,
            format_func=lambda i: f"{options[i].name} ({i}, version {options[i].version})")
        survivor = options[keep_id]
        duplicate = b if survivor is a else a
        taken = fields_to_take(survivor, duplicate, None)
        rows = [{"Field": c.label, "Kept entry": shown(c.name, c.survivor), "Other entry": shown(c.name, c.duplicate),
                 "After the merge": shown(c.name, taken.get(c.name, c.survivor)),
                 "Same?": "" if c.differs else "✓"}
                for c in compare_fields(survivor, duplicate)
                if not (shown(c.name, c.survivor) == "" and shown(c.name, c.duplicate) == "")]
        # A plain table, not st.dataframe: its grid names every cell by position ("glide-cell-0-0"), so one grid
        # per pair repeated the same ids of focusable cells down the page (axe's duplicate-id-active).
        st.table(pd.DataFrame(rows), hide_index=True)
        st.caption("The kept entry keeps everything it has and fills its empty fields from the other"
                   + (f". It will take: {md(field_labels(n for n in F.EDITABLE if n in taken))}." if taken
                      else ". The other has nothing the kept entry lacks."))
        left, right, _ = st.columns([1.5, 1.1, 2.4])
        left.button("Merge into the kept entry", key=f"dup_merge_{key}", type="primary", icon=":material/merge:",
                    on_click=_merge, args=(survivor, duplicate, account.username))
        right.button("Not a duplicate", key=f"dup_different_{key}", icon=":material/do_not_disturb_on:",
                     on_click=_not_duplicate, args=(a, b, account.username))
if len(pairs) > limit:
    st.button(f"Show {min(PAGE_SIZE, len(pairs) - limit)} more pairs", key="dup_more",
              on_click=lambda: st.session_state.update(dup_shown=limit + PAGE_SIZE))
