"""Recovery Pathways: the entry point. Every page is registered here."""

import streamlit as st

st.set_page_config(page_title="Recovery Pathways", page_icon="🧭", layout="wide")

navigation = st.navigation([
    st.Page("pages/find.py", title="Find provision", icon="🔎", default=True),
])
navigation.run()
