"""Recovery Pathways: the entry point. Every page is registered here, grouped as the menu shows them."""

import streamlit as st

from ui.bootstrap import app_navigation, apply_app_style, get_directory

st.set_page_config(page_title="Recovery Pathways", page_icon="🧭", layout="wide")

# Every page's address is its file name (/sign_in, /planner_client): until this navigation has run once in
# a new server process, Streamlit serves pages/ by file name, so a shared link opened first after a restart
# still finds its page (ui.bootstrap.ensure_app_navigation then hands it to this navigation).
DIRECTORY_PAGES = [
    st.Page("pages/find.py", title="Find provision", icon=":material/search:", default=True),
    # Opened from links (?id=...), so it is kept out of the menu.
    st.Page("pages/entry.py", title="Entry", icon=":material/description:", visibility="hidden"),
    st.Page("pages/edit.py", title="Add an entry", icon=":material/add:"),
    st.Page("pages/edit_entry.py", title="Edit an entry", icon=":material/edit:", visibility="hidden"),
    st.Page("pages/my_entries.py", title="My organisation's entries", icon=":material/folder_open:"),
    st.Page("pages/import_entries.py", title="Import a spreadsheet", icon=":material/upload_file:"),
]

PLANNER_PAGES = [
    st.Page("pages/planner_client.py", title="Client", icon=":material/person:"),
    st.Page("pages/planner_next_steps.py", title="Next steps", icon=":material/stairs:"),
    st.Page("pages/planner_plan.py", title="Action plan", icon=":material/checklist:"),
    st.Page("pages/planner_reviews.py", title="Reviews", icon=":material/handshake:"),
    st.Page("pages/planner_access_log.py", title="Client access log", icon=":material/policy:"),
]

COORDINATOR_PAGES = [
    st.Page("pages/health_freshness.py", title="Stale entries", icon=":material/hourglass_empty:"),
    st.Page("pages/health_duplicates.py", title="Duplicates", icon=":material/content_copy:"),
    st.Page("pages/health_coverage.py", title="Coverage and gaps", icon=":material/map:"),
    st.Page("pages/health_unmet.py", title="Unmet needs", icon=":material/edit_note:"),
    st.Page("pages/health_feedback.py", title="Feedback to follow up", icon=":material/chat:"),
]

ACCOUNT_PAGES = [
    st.Page("pages/sign_in.py", title="Sign in or out", icon=":material/login:"),
    st.Page("pages/accessibility.py", title="Accessibility", icon=":material/accessibility:"),
]

navigation = st.navigation({
    "Directory": DIRECTORY_PAGES,
    "Planner": PLANNER_PAGES,
    "Map health": COORDINATOR_PAGES,
    "Account": ACCOUNT_PAGES,
})
# The directory (engine, search index; the demo area on a new embedded database; district outlines warmed
# in the background) is opened here, once per process: every page then gets the same one.
get_directory()
apply_app_style()
with app_navigation():
    navigation.run()
