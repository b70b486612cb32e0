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
    "- Text contrast is at least 4.5:1, including captions, the menu's icons and the labels of options that "
    "are not available yet.\n"
    "- Keyboard focus is shown by a dark blue outline on every link, button and option.\n"
    "- Each page has one main heading and its sections are headings one level below it, so a screen reader "
    "can list them in order.\n"
    "- The page menu is marked up as one list of pages per section (Directory, Planner...), named after the "
    "section. (Streamlit, the framework the app is built on, draws a list that holds other things than list "
    "items; a small script the app runs in the browser gives the same menu valid list roles.)\n"
    "- Map markers can be reached with the Tab key and opened with Enter; every result on the map is also "
    "in the list beside it, with the same details.\n"
    "- Each kind of provision has its own mark on its map markers (a letter, £ or +) as well as its own "
    "colour, with at least 3:1 contrast against the map; the key below the map shows both. The map can be "
    "zoomed by the browser as well as by its own buttons.\n"
    "- Everything an entry holds is shown as plain text, never as links or formatting someone typed.\n"
    "- The action plan can be downloaded as a Word document, which screen readers read well.")

st.header("What is not accessible yet")
st.markdown(
    "- In the groups of option buttons (distance, day), the Tab key goes to the first option, not the one "
    "chosen.\n"
    "- Some coordinators' pages show more than one interactive table (Stale entries, Unmet needs, Import "
    "a spreadsheet, People): Streamlit gives the cells of each the same ids (“glide-cell-0-0”), which "
    "assistive technology may confuse.\n"
    "- The PDF action plan (16 point body text) is not tagged for screen readers: the Word version, offered "
    "first, has real headings and lists.")
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
st.markdown(
    "Every change is checked in Chromium with axe-core (an automated accessibility checker) on every page, "
    "including the map, signed out, as an editor and as a coordinator, against WCAG 2.0, 2.1 and 2.2 at "
    "levels A and AA: it must find no serious or critical problem. Automated checks find only some problems, "
    "which is why the list above also names what people found by hand.")
st.caption("This statement was prepared on 6 December 2026 from the app's automated browser checks and a "
           "review of every page. It is reviewed whenever the app changes how a page works.")
