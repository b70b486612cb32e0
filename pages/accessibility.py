"""The accessibility statement: how accessible the app is, what is not yet, and how to tell us.

Public-sector bodies must publish one (the Public Sector Bodies Accessibility Regulations 2018); the
partnership running the app fills in its own contact details in `secrets.toml` ([accessibility]).
"""

from __future__ import annotations

import streamlit as st

from ui.bootstrap import ensure_app_navigation
from ui.render import md

ensure_app_navigation()
try:
    who = (st.secrets.get("accessibility") or {}).get("contact")
except Exception:  # no secrets file: the normal case on a trial installation
    who = None
who = who or "the coordinator of your local provision forum"

st.title("Accessibility statement")
st.markdown(
    "Recovery Pathways is used by keyworkers, employment specialists and forum members, often with a client "
    "in the room. We want everyone to be able to use it: to change colours, contrast and fonts in the "
    "browser, zoom in to 400% without text spilling off the screen, get from the start to the end with a "
    "keyboard alone, and use it with a screen reader.")

st.header("How accessible it is")
st.markdown(
    "We test every change in Chromium and with automated checks, and aim to meet the Web Content "
    "Accessibility Guidelines (WCAG) 2.2 at level AA. It **partially meets** them: the parts listed below "
    "do not yet.")
st.markdown(
    "- Every input has a label; errors are shown next to the field and say what to do.\n"
    "- Text contrast is at least 4.5:1, including captions.\n"
    "- Map markers can be reached with the Tab key and opened with Enter; every result on the map is also "
    "in the list beside it, with the same details.\n"
    "- Everything an entry holds is shown as plain text, never as links or formatting someone typed.\n"
    "- The action plan can be downloaded as a Word document, which screen readers read well.")

st.header("What is not accessible yet")
st.markdown(
    "- The page menu is drawn by Streamlit, the framework the app is built on: its list markup is not "
    "valid for screen readers (a list holding other elements than list items).\n"
    "- Some map marker colours have less than 3:1 contrast against the map without its background tiles, "
    "and two blues are close; each marker's kind is also in its label and in the list.\n"
    "- In the groups of option buttons (distance, day), the Tab key goes to the first option, not the one "
    "chosen.\n"
    "- Keyboard focus is hard to see on some buttons, such as “Open full entry”.\n"
    "- Heading levels skip a level on some pages.\n"
    "- The PDF action plan uses 14 point body text and is not tagged for screen readers: use the Word "
    "version instead.")
st.markdown("We are working on each of these.")

st.header("Tell us about a problem")
st.markdown(
    f"If something is hard to use, or you need information in another format, tell {md(who)}: say what you "
    "were trying to do, on which page, and what you use (for example a screen reader or magnifier). We "
    "reply within 5 working days.")
st.markdown(
    "If you are not happy with how we respond, contact the Equality Advisory and Support Service (EASS). "
    "The Equality and Human Rights Commission (EHRC) enforces the accessibility regulations.")

st.header("How we test")
st.caption("This statement was prepared on 6 December 2026 from the app's automated browser checks and a "
           "review of every page. It is reviewed whenever the app changes how a page works.")
