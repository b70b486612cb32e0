"""Recovery Pathways: the entry point. Every page is registered here, grouped as the menu shows them."""

import streamlit as st

st.set_page_config(page_title="Recovery Pathways", page_icon="🧭", layout="wide")

DIRECTORY_PAGES = [
    st.Page("pages/find.py", title="Find provision", icon="🔎", default=True),
    # Opened from links (?id=...), so it is kept out of the menu.
    st.Page("pages/entry.py", title="Entry", icon="📄", url_path="entry", visibility="hidden"),
]

PLANNER_PAGES = []

COORDINATOR_PAGES = []

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
