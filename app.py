"""Recovery Pathways: the entry point. Every page is registered here, grouped as the menu shows them."""

import streamlit as st

st.set_page_config(page_title="Recovery Pathways", page_icon="🧭", layout="wide")

DIRECTORY_PAGES = [
    st.Page("pages/find.py", title="Find provision", icon="🔎", default=True),
    # Opened from links (?id=...), so it is kept out of the menu.
    st.Page("pages/entry.py", title="Entry", icon="📄", url_path="entry", visibility="hidden"),
    st.Page("pages/edit.py", title="Add an entry", icon="➕", url_path="edit"),
    st.Page("pages/my_entries.py", title="My organisation's entries", icon="🗂️", url_path="my-entries"),
    st.Page("pages/import_entries.py", title="Import a spreadsheet", icon="📥", url_path="import"),
]

PLANNER_PAGES = [
    st.Page("pages/planner_client.py", title="Client", icon="🧑", url_path="planner-client"),
    st.Page("pages/planner_next_steps.py", title="Next steps", icon="🪜", url_path="next-steps"),
    st.Page("pages/planner_plan.py", title="Action plan", icon="✅", url_path="action-plan"),
    st.Page("pages/planner_reviews.py", title="Reviews", icon="🤝", url_path="reviews"),
]

COORDINATOR_PAGES = [
    st.Page("pages/health_freshness.py", title="Stale entries", icon="⏳"),
    st.Page("pages/health_duplicates.py", title="Duplicates", icon="👯"),
    st.Page("pages/health_coverage.py", title="Coverage and gaps", icon="🗺️"),
    st.Page("pages/health_unmet.py", title="Unmet needs", icon="📝"),
    st.Page("pages/health_feedback.py", title="Feedback to follow up", icon="💬"),
]

ACCOUNT_PAGES = [
    st.Page("pages/sign_in.py", title="Sign in", icon="🔑", url_path="sign-in"),
]

navigation = st.navigation({
    "Directory": DIRECTORY_PAGES,
    **({"Planner": PLANNER_PAGES} if PLANNER_PAGES else {}),
    **({"Map health": COORDINATOR_PAGES} if COORDINATOR_PAGES else {}),
    "Account": ACCOUNT_PAGES,
})
navigation.run()
