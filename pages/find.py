"""Find provision: search by words, postcode and category."""

from __future__ import annotations

import streamlit as st

from directory import codes
from directory.postcodes import PostcodeError, default_table
from directory.search import Filters
from pages.ui import demo_banner, get_directory

directory = get_directory()
st.title("Find provision")
demo_banner(directory)

with st.form("search"):
    query = st.text_input("What are you looking for?", placeholder="e.g. ESOL, job club, recovery café")
    left, right = st.columns(2)
    postcode = left.text_input("Client's postcode", placeholder="e.g. TS1 3BA")
    within_km = right.slider("Within (km)", 1, 30, 5)
    categories = st.multiselect("Categories", list(codes.CATEGORIES), format_func=codes.CATEGORIES.get)
    st.form_submit_button("Search")

near = None
if postcode.strip():
    try:
        near = default_table().locate(postcode)
    except PostcodeError as error:
        st.error(str(error))
filters = Filters(categories=tuple(categories), near=near, within_km=within_km if near else None)
hits = directory.search(query, filters, limit=50)
if not hits:
    st.warning("Nothing matches. Try fewer words, a wider distance or fewer categories.")
for hit in hits:
    distance = "" if hit.distance_km is None else f" · {hit.distance_km:.1f} km"
    entry = hit.entry
    with st.container(border=True):
        st.markdown(f"**{entry.name}**{distance}", unsafe_allow_html=False)
        st.caption(f"{entry.organisation} · {codes.CATEGORIES.get(entry.category, entry.category)}")
        if entry.contact_name or entry.contact_phone:
            st.text(f"Contact: {entry.contact_name or ''} {entry.contact_phone or ''}".strip())
