"""Import a spreadsheet (CSV or XLSX) or an Open Referral (HSDS) JSON file: editors and coordinators only.

guard → blank templates → upload → a dry run as a preview (row-level report) → "Import N rows" → result.
An unreadable file says why, and that nothing was imported. The preview holds no write lock, and the import
writes in short transactions, so nobody else waits for either. Files are limited to MAX_IMPORT_ROWS rows and
MAX_IMPORT_BYTES: the importer's check is the real one; the uploader's own limit only saves sending a huge file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from directory.io.importer import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, Importer
from directory.io.spreadsheet import UnreadableFile, size_text, template_csv, template_xlsx
from directory.errors import DirectoryError
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import md

FILE_KEY = "import_file"  # (name, bytes) of the uploaded file: what the preview and the import read
RESULT_KEY = "import_result"

ensure_app_navigation()
directory = get_directory()
st.title("Import a spreadsheet")
account = require_account(directory, "editor", doing="import entries")

st.write("Add or update many entries at once. Rows with an **id** update that entry; rows without one are "
         "added. You will see a preview first: nothing is saved until you confirm.")
left, right = st.columns(2)
left.download_button("Blank template (CSV)", template_csv(), "recovery-pathways-template.csv", "text/csv",
                     icon=":material/download:")
right.download_button("Blank template (Excel)", template_xlsx(), "recovery-pathways-template.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:")

uploaded = st.file_uploader("Choose a file", type=["csv", "xlsx", "json"],
                            help=f"CSV (UTF-8), Excel (.xlsx) or Open Referral HSDS (.json): up to {MAX_IMPORT_ROWS:,} "
                                 f"rows and {size_text(MAX_IMPORT_BYTES)} a file. Split a bigger file into several.",
                            max_upload_size=max(1, -(-MAX_IMPORT_BYTES // (1024 * 1024))))
if uploaded is not None:
    chosen = (uploaded.name, uploaded.getvalue())
    if st.session_state.get(FILE_KEY) != chosen:
        st.session_state[FILE_KEY] = chosen
        st.session_state.pop(RESULT_KEY, None)

result = st.session_state.get(RESULT_KEY)
if result is not None:
    st.success(f"Imported: {md(result)}.", icon=":material/check_circle:")
    st.caption("Search results and entry pages already show the imported entries.")
    if st.button("Import another file"):
        st.session_state.pop(RESULT_KEY, None)
        st.session_state.pop(FILE_KEY, None)
        st.rerun()
    st.stop()

if FILE_KEY not in st.session_state:
    st.stop()
name, data = st.session_state[FILE_KEY]


def run(dry_run: bool):
    bar = st.progress(0.0, text="Checking every row…" if dry_run else "Importing…")
    importer = Importer(directory, account.username, dry_run=dry_run,
                        allow_duplicates=st.session_state.get("import_allow_duplicates", False),
                        progress=lambda done, total: bar.progress(done / max(total, 1), text=f"Checking row {done:,} of {total:,}"),
                        write_progress=lambda done, total: bar.progress(done / max(total, 1),
                                                                        text=f"Writing {done:,} of {total:,}"))
    try:
        return importer.run(data, name)
    except UnreadableFile as unreadable:
        st.error(f"**Could not read {md(name)}**: {md(unreadable)}. Nothing was imported.", icon=":material/error:")
        st.stop()
    except DirectoryError as refused:
        st.error(f"Nothing was imported: {md(refused)}.", icon=":material/error:")
        st.stop()
    finally:
        bar.empty()


report = run(dry_run=True)
st.header(f"Preview of {md(name)}")
st.markdown(f"**{md(report.summary())}.**")

if report.rejected:
    st.error(f"{len(report.rejected_rows)} {'row has' if len(report.rejected_rows) == 1 else 'rows have'} problems "
             "and will not be imported. Correct them in the spreadsheet and upload it again.",
             icon=":material/error:")
    frame = pd.DataFrame([{"Row": r["row"], "Column": r["column"], "Value": r["value"], "Problem": r["reason"]}
                          for r in report.rejected])
    st.dataframe(frame.style.set_properties(**{"background-color": "#fdecea"}), hide_index=True,
                 use_container_width=True)
if report.possible_duplicates:
    if report.allowed_duplicates:
        st.warning("These rows look like entries that already exist, and will be created anyway.",
                   icon=":material/content_copy:")
    else:
        st.warning("Some rows look like entries that already exist, so they will be held back (not created). "
                   "Open the existing entry to compare; if a row is a different service, tick the box below.",
                   icon=":material/content_copy:")
    st.dataframe(pd.DataFrame([
        {"Row": d["row"], "Looks like": d["name"], "Existing entry": f"entry?id={d['entry_id']}",
         "Distance": "" if d.get("distance_m") is None else f"{d['distance_m']} m",
         "Name similarity": f"{d['similarity']:.0%}"}
        for d in report.possible_duplicates if "duplicate_of_row" not in d]),
        hide_index=True, use_container_width=True,
        column_config={"Existing entry": st.column_config.LinkColumn(
            "Existing entry", display_text="Open it", help="Opens the entry already in the directory, in a new tab")})
    within_file = [d for d in report.possible_duplicates if "duplicate_of_row" in d]
    if within_file:
        st.caption("Also alike within this file: " + "; ".join(
            f"row {d['row']} and row {d['duplicate_of_row']}" for d in within_file) + ".")
if report.possible_duplicates or st.session_state.get("import_allow_duplicates"):
    st.checkbox("These are different services: create the held-back rows too", key="import_allow_duplicates")
if report.warnings:
    with st.expander(f"{len(report.warnings)} warnings"):
        st.dataframe(pd.DataFrame([{"Row": w.get("row") or "", "Column": w.get("column", ""), "Note": w["reason"]}
                                   for w in report.warnings]), hide_index=True, use_container_width=True)

good = report.created + report.updated
if good == 0:
    st.info("There is nothing to import from this file." if not report.unchanged
            else "Every row matches the directory already: there is nothing to import.")
    st.stop()
if st.button(f"Import {good} {'row' if good == 1 else 'rows'}", type="primary"):
    final = run(dry_run=False)
    st.cache_data.clear()
    st.session_state[RESULT_KEY] = final.summary()
    st.rerun()
