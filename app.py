"""Recovery Pathways: the entry point. Every page is registered here."""

import streamlit as st

st.set_page_config(page_title="Recovery Pathways", page_icon="🧭", layout="wide")

navigation = st.navigation([
    st.Page("pages/find.py", title="Find provision", icon="🔎", default=True),
    # Opened from links (?id=...), so it is kept out of the menu.
    st.Page("pages/entry.py", title="Entry", icon="📄", url_path="entry", visibility="hidden"),
])
navigation.run()
