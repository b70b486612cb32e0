"""What every page shares: the directory (one per process, cached) and small rendering helpers."""

from __future__ import annotations

import streamlit as st

from directory.api import Directory


@st.cache_resource(show_spinner="Opening the directory…")
def get_directory() -> Directory:
    """One Directory (engine and search index) per process; sessions are never cached."""
    from directory.demo import seed_demo

    directory = Directory()
    if directory.count(include_archived=True) == 0 and directory.dialect == "sqlite":
        # First run on the embedded database: load the demo area so there is something to explore.
        seed_demo(directory)
    return directory


def demo_banner(directory: Directory) -> None:
    if directory.is_demo():
        st.info("**Demo data.** Every organisation and entry here is fictional, placed at real Middlesbrough and "
                "Stockton postcodes. Do not contact them.", icon="ℹ️")
