"""Planner: a new or existing client's profile (pseudonymous), consent to share, export and erase."""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from directory import codes
from directory.accounts import organisations_with_accounts
from directory.clients import organisation_key
from directory.schedule import DAYS
from directory.errors import AccessDenied, RecordChanged
from planner.profile import DAY_PERIODS, comma_list, commitment_row, period_free, put_given, windows_from_grid
from ui import planner_support as ps
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from ui.render import format_date, md

ensure_app_navigation()
directory = get_directory()
st.title("Client")
account = require_account(directory, "editor", doing="use the planner")
records = ps.records(directory)

st.caption("Pseudonymous: a reference such as C-0042, never a name. Client data is special-category health data: "
           "it is shared with a partner organisation only with the client's recorded consent.")

show_flash()  # user-entered parts escaped already (the form's and consent's own messages show beside them)

record = ps.client_chooser(directory, account, allow_new=True)
profile = dict(record.profile) if record else {}
prefix = f"pc{record.id if record else 'new'}_"
slots: dict[str, st.delta_generator.DeltaGenerator] = {}


def key(name: str) -> str:
    return prefix + name


def slot(field: str) -> None:
    slots[field] = st.empty()


TRI = ("Yes", "No", "Not known")
FORM, CONSENT = "client-form", "client-consent"  # where this page's messages show (ui.feedback places)
# The save bar stays in sight below Streamlit's header while the form scrolls under it.
# (Streamlit wraps the container in a box of its own size: that wrapper is what can stick, within the form.)
SAVE_BAR_STYLE = """<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-pc_save_bar) { position: sticky; top: 3.75rem; z-index: 50; }
.st-key-pc_save_bar { background: #fff; padding: .4rem 0; border-bottom: 1px solid #d0d7de; }
</style>"""


def tri(label: str, name: str, current, *, na: bool = False) -> bool | None:
    options = ("Yes", "No", "Not asked / N/A") if na else TRI  # the default must not read as an answer
    index = 0 if current is True else 1 if current is False else 2
    answer = st.radio(label, options, index=index, horizontal=True, key=key(name))
    return True if answer == "Yes" else False if answer == "No" else None


def _float(value) -> float | None:
    return float(value) if value is not None else None


data: dict = {}
assets_in, goals_in = profile.get("assets") or {}, profile.get("goals") or {}

# The form is short steps (tabs) under the few answers every plan needs; the save button and what it said sit
# in a bar that stays at the top of the screen while the form scrolls (the form's own container bounds it, so
# it does not follow the consent section below). Placeholders start "e.g." or name a format: never data.
st.html(SAVE_BAR_STYLE)
form_area = st.container()
with form_area:
    left, middle, travel_col, right = st.columns([1.2, 1.2, 1, 1.4])
    with left:
        if record:
            st.text_input("Reference", value=record.ref, disabled=True, key=key("ref"))
            ref = record.ref
        else:
            ref = st.text_input("Reference (no names)", key=key("ref"), placeholder="e.g. C-0042").strip()
        slot("ref")
    with middle:
        postcode = st.text_input("Postcode", value=profile.get("postcode") or "", key=key("postcode"),
                                 placeholder="e.g. TS1 3BA").strip()
        slot("postcode")
    with travel_col:
        travel = st.number_input("Travel limit (km)", min_value=0.0, max_value=200.0, step=1.0,
                                 value=_float(profile.get("max_travel_km")), key=key("travel"),
                                 placeholder="not known")
    with right:
        stages = list(codes.STAGES)
        stage = st.selectbox("Recovery stage", stages, index=stages.index(profile.get("stage", "stabilising")),
                             format_func=codes.STAGES.get, key=key("stage"))
    put_given(data, "ref", ref)
    put_given(data, "stage", stage)
    put_given(data, "postcode", postcode)
    put_given(data, "max_travel_km", travel)
    continuum_area = st.container()  # filled below, once the answers it is worked out from are read
    save_bar = st.container(key="pc_save_bar")
    screening_tab, readiness_tab, times_tab, assets_tab, other_tab = st.tabs(
        ["1. Screening", "2. Readiness and treatment", "3. Commitments and free times", "4. Assets and goals",
         "5. Other (optional)"])

# -- 1. screening, benefit, age, services only for some people ---------------------------------------
with screening_tab:
    b1, b2 = st.columns(2)
    benefits = [""] + list(codes.BENEFITS)
    benefit = b1.selectbox("Benefit", benefits, index=benefits.index(profile.get("benefit") or ""),
                           format_func=lambda b: codes.BENEFITS.get(b, "Not known"), key=key("benefit"))
    age = b2.number_input("Age", min_value=16, max_value=100, step=1, value=profile.get("age"), key=key("age"),
                          placeholder="not known")
    put_given(data, "benefit", benefit)
    put_given(data, "age", int(age) if age is not None else None)
    st.markdown("**“Are you missing out?” — the twelve screening questions**")
    screening_in = profile.get("screening") or {}
    screening = {}
    for name, question in ps.SCREENING_QUESTIONS.items():
        put_given(screening, name, tri(question, f"s_{name}", screening_in.get(name), na=True))
    slot("screening")
    put_given(data, "screening", screening or None)
    with st.expander("Services only for some people (optional)", expanded=False):
        st.caption("Some services are only for women, men, veterans or care leavers. Ask only if the client is "
                   "happy to say; never required. Left as not known, those services stay in the plan marked “check”.")
        g1, g2, g3 = st.columns(3)
        with g1:
            genders = ["", "woman", "man", "other"]
            gender_words = {"": "Not known", "woman": "Woman", "man": "Man", "other": "Other"}
            put_given(data, "gender", st.radio("Gender, as the client describes themselves", genders,
                                               index=genders.index(profile.get("gender") or ""),
                                               format_func=gender_words.get, horizontal=True, key=key("gender")))
        with g2:
            put_given(data, "veteran", tri("Veteran (ex-armed forces)", "veteran", profile.get("veteran")))
        with g3:
            put_given(data, "care_leaver", tri("Care leaver", "care_leaver", profile.get("care_leaver")))

# -- 2. readiness and treatment -----------------------------------------------------------------------
with readiness_tab:
    readiness_in = profile.get("readiness") or {}
    readiness = {}
    for name, question in ps.READINESS_QUESTIONS.items():
        put_given(readiness, name, tri(question, f"r_{name}", readiness_in.get(name)))
    put_given(data, "readiness", readiness or None)
    put_given(data, "in_treatment", tri("In treatment", "in_treatment", profile.get("in_treatment")))
    put_given(data, "opioid_substitution", tri("On opioid substitution", "ost", profile.get("opioid_substitution")))
    put_given(data, "needs_childcare", tri("Needs childcare", "childcare", profile.get("needs_childcare")))
    months = st.number_input("Months abstinent", min_value=0.0, step=1.0, value=_float(profile.get("abstinent_months")),
                             key=key("abstinent"), placeholder="not known")
    put_given(data, "abstinent_months", months)

# -- 3. commitments and availability -----------------------------------------------------------------
with times_tab:
    st.markdown("**Fixed commitments** (treatment first: nothing in the plan should clash with these)")
    commitments_in = list(profile.get("commitments") or [])
    commitments = []
    for row in range(max(3, len(commitments_in) + 1)):
        current = commitments_in[row] if row < len(commitments_in) else {}
        c1, c2, c3, c4 = st.columns([3, 4, 1.3, 1.3])
        what = c1.text_input("What", value=current.get("what", ""), key=key(f"c{row}_what"),
                             placeholder="e.g. supervised consumption" if row == 0 else "",
                             label_visibility="visible" if row == 0 else "collapsed")
        days = c2.multiselect("Days", DAYS, default=[d for d in current.get("days", []) if d in DAYS],
                              key=key(f"c{row}_days"), label_visibility="visible" if row == 0 else "collapsed",
                              placeholder="Choose days")
        start = c3.text_input("From", value=current.get("start", ""), key=key(f"c{row}_start"), placeholder="hh:mm",
                              label_visibility="visible" if row == 0 else "collapsed")
        end = c4.text_input("To", value=current.get("end", ""), key=key(f"c{row}_end"), placeholder="hh:mm",
                            label_visibility="visible" if row == 0 else "collapsed")
        if (commitment := commitment_row(what, days, start, end)) is not None:
            commitments.append(commitment)
    slot("commitments")
    put_given(data, "commitments", commitments)

    st.markdown("**When the client is free** (tick none for “any time outside commitments”)")
    available_in = profile.get("available") or []
    header = st.columns([1.4] + [1] * 7)
    for column, day in zip(header[1:], DAYS):
        column.markdown(f"**{day}**")
    ticked: dict[str, list[str]] = {day: [] for day in DAYS}
    for period, (start, end) in DAY_PERIODS.items():
        row = st.columns([1.4] + [1] * 7)
        row[0].markdown(f"{period}  \n{start}–{end}")
        for column, day in zip(row[1:], DAYS):
            if column.checkbox(f"{day} {period.lower()}", value=period_free(available_in, day, start, end),
                               key=key(f"a_{day}_{period}"), label_visibility="collapsed"):
                ticked[day].append(period)
    windows = windows_from_grid(ticked)
    slot("available")
    put_given(data, "available", windows)

# -- 4. assets and goals ---------------------------------------------------------------------------
with assets_tab:
    st.markdown("**Assets: what the client brings**")
    assets = {}
    a1, a2 = st.columns(2)
    for column, name, label, example in (
            (a1, "skills", "Skills", "e.g. cooking, driving"), (a1, "qualifications", "Qualifications", "e.g. CSCS card"),
            (a1, "work_history", "Work history", "e.g. warehouse, retail"),
            (a2, "interests", "Interests", "e.g. gardening, football"),
            (a2, "strengths", "Strengths", "e.g. reliable, good with people")):
        put_given(assets, name, comma_list(column.text_input(f"{label} (separate with commas)",
                                                   value=", ".join(assets_in.get(name, [])), key=key(f"as_{name}"),
                                                   placeholder=example)))
    with a2:
        put_given(assets, "lived_experience", tri("Lived experience (an asset, e.g. for peer mentoring)", "lived",
                                            assets_in.get("lived_experience")))
        put_given(assets, "driving_licence", tri("Driving licence", "licence", assets_in.get("driving_licence")))
    put_given(data, "assets", assets or None)

    st.markdown("**Goals**")
    goals = {}
    aims = ["", "any_job", "better_job", "career"]
    aim_words = {"": "Not yet", "any_job": "A: any job", "better_job": "B: a better job", "career": "C: a career"}
    put_given(goals, "aim", st.radio("Aim", aims, index=aims.index(goals_in.get("aim") or ""), format_func=aim_words.get,
                               horizontal=True, key=key("aim")))
    put_given(goals, "sectors", comma_list(st.text_input("Sectors (separate with commas)", value=", ".join(goals_in.get("sectors", [])),
                                              key=key("sectors"), placeholder="e.g. hospitality, retail")))
    put_given(goals, "hours_per_week", st.number_input("Hours a week wanted", min_value=0.0, max_value=60.0, step=1.0,
                                                 value=_float(goals_in.get("hours_per_week")), key=key("hours"),
                                                 placeholder="not known"))
    put_given(goals, "self_employment", tri("Interested in self-employment", "selfemp", goals_in.get("self_employment")))
    put_given(goals, "wants_work_now", tri("Wants to look for work now", "worknow", goals_in.get("wants_work_now")))
    put_given(data, "goals", goals or None)

# -- 5. convictions, other barriers, current activities, languages ----------------------------------
with other_tab:
    convictions = ["", "none", "spent", "unspent"]
    conviction_words = {"": "Not asked", "none": "None", "spent": "Spent", "unspent": "Unspent"}
    put_given(data, "convictions", st.radio("Convictions", convictions, index=convictions.index(profile.get("convictions") or ""),
                                      format_func=conviction_words.get, horizontal=True, key=key("convictions")))
    st.caption("Not legal advice. Under the Rehabilitation of Offenders Act 1974 spent convictions need not be "
               "disclosed, except for roles with a standard or enhanced DBS check. For advice, contact Nacro or Unlock.")
    put_given(data, "other_barriers", st.multiselect("Other barriers", list(codes.OTHER_BARRIERS),
                                               default=profile.get("other_barriers", []),
                                               format_func=codes.BARRIERS.get, key=key("barriers"),
                                               placeholder="None chosen"))
    put_given(data, "current_activities", int(st.number_input("Activities the client is already doing", min_value=0, step=1,
                                                        value=int(profile.get("current_activities") or 0),
                                                        key=key("activities"))))
    put_given(data, "languages", [w.lower() for w in comma_list(st.text_input(
        "Languages (two-letter codes, e.g. en, pl, ur)", value=", ".join(profile.get("languages", [])),
        key=key("languages"), placeholder="e.g. en, pl"))])
    slot("languages")

# -- where the client starts on the continuum: assumed from the answers above, unless the keyworker says -----
with continuum_area:
    say = st.toggle("Say which continuum steps are already done", value=profile.get("done_steps") is not None,
                    key=key("done_say"),
                    help="Off: the planner works them out from the stage, readiness and screening answers "
                         "(never past soft skills).")
    assumed = ps.assumed_start(data)
    if say:
        chosen = st.multiselect("Continuum steps already done", list(codes.STEPS),
                                default=profile.get("done_steps") if profile.get("done_steps") is not None
                                else list(assumed[0] if assumed else ()), format_func=codes.STEPS.get, key=key("done"),
                                placeholder="None yet: start at step 1, health")
        data["done_steps"] = chosen  # even none: the keyworker's own answer
    elif assumed is not None:
        st.caption(ps.assumed_start_text(assumed) + " To change it, turn on “Say which continuum steps are "
                   "already done”.")

with save_bar:
    save_col, said_col = st.columns([1, 4], vertical_alignment="center")
    saving = save_col.button("Save client" if record else "Create client", type="primary", key=key("save"),
                             icon=":material/save:")
    with said_col:
        show_flash(FORM)
        said = st.container()
    if record is not None:
        save_col.page_link("pages/planner_next_steps.py", label="Next steps", icon=":material/stairs:",
                           query_params={"client": str(record.id)})

if saving:
    from planner.profile import ProfileError, parse_profile

    try:
        if not ref:
            raise ProfileError("ref", "give a reference such as C-0042 (no names)")
        parsed = parse_profile(data)
        if parsed.postcode:
            data["postcode"] = parsed.postcode  # stored as written in the postcode data: TS1 3BA
        if record:
            saved = records.update_profile(account, record.id, data, record.version)
            flash(f"Saved {md(saved.ref)} (version {saved.version}).", place=FORM)
        else:
            saved = records.create(account, ref, data)
            flash(f"Created client {md(saved.ref)}.", place=FORM)
        ps.select_client(saved.id)
        st.rerun()
    except ProfileError as error:
        field = error.field.split("[")[0].split(".")[0]
        text = ps.profile_error_text(error)
        if field in slots:
            slots[field].error(md(text), icon=":material/back_hand:")
        said.error(f"Not saved. {md(text)}")
    except ValueError as error:
        slots["ref"].error(md(error))
        said.error(f"Not saved. {md(error)}")
    except (RecordChanged, AccessDenied) as error:
        said.error(f"Not saved. {md(error)}")

if postcode and "postcode" in data and not st.session_state.get(key("save")):
    try:
        ps._locate(postcode)
    except ValueError:
        slots["postcode"].caption("This postcode is not in the postcode data: distances will not be used.")

if record is None:
    st.stop()

# -- consent ---------------------------------------------------------------------------------------
st.divider()
st.header("Consent to share")
st.caption(f"Held by {md(record.organisation)}. Shared only with the organisations the client has agreed to, "
           "never with the police or social services through this app.")
for consent in record.consents:
    status = (f"withdrawn {format_date(consent.withdrawn_on)}" if consent.withdrawn_on
              else "active")
    line, action = st.columns([5, 1])
    line.markdown(f"**{md(consent.organisation)}** · given {format_date(consent.given_on)}, recorded by "
                  f"{md(consent.recorded_by)} · {status}")
    if consent.withdrawn_on is None and action.button("Withdraw", key=key(f"withdraw_{consent.organisation}")):
        try:
            records.withdraw_consent(account, record.id, consent.organisation, dt.date.today())
            flash(f"Consent to share with {md(consent.organisation)} withdrawn.", place=CONSENT)
            st.rerun()
        except AccessDenied as error:
            st.error(md(error))
OTHER = "\0other"  # the choice "another organisation", never an organisation's name
held = {organisation_key(record.organisation)} | {organisation_key(n) for n in record.shared_with}
with_accounts = organisations_with_accounts(directory)
known = [n for n in with_accounts if organisation_key(n) not in held]
c1, c2, c3 = st.columns([3, 2, 2])
choice = c1.selectbox("Partner organisation the client agrees to share with", [*known, OTHER], index=None,
                      format_func=lambda n: "Another organisation (type its name)" if n == OTHER else n,
                      placeholder="Choose an organisation", key=key("partner"),
                      help="The organisations whose staff use this app. Staff of the organisation you choose can "
                           "open this client's record, plan and reviews until consent is withdrawn.")
typed = ""
if choice == OTHER:
    typed = c1.text_input("Name of the other organisation", key=key("partner_other"),
                          placeholder="As its staff's accounts name it").strip()
partner = typed if choice == OTHER else (choice or "")
given_on = c2.date_input("Consent given on", value=dt.date.today(), max_value=dt.date.today(),
                         key=key("consent_date"), format="DD/MM/YYYY")
c3.markdown("&nbsp;")
if c3.button("Record consent", key=key("consent")):
    if not partner:
        st.error("Choose the partner organisation, or type its name.")
    else:
        try:
            records.give_consent(account, record.id, partner, given_on)
            flash(f"Consent to share with {md(partner)} recorded.", place=CONSENT)
            if organisation_key(partner) not in {organisation_key(n) for n in with_accounts}:
                flash(f"Nobody at {md(partner)} has an account in this app yet, so nobody there can open "
                      "the record until a coordinator gives them one under that organisation's name.", "warning",
                      place=CONSENT)
            st.rerun()
        except AccessDenied as error:
            st.error(f"Not recorded: {md(error)}.")
show_flash(CONSENT)

# -- the client's rights -----------------------------------------------------------------------
st.divider()
st.header("Export or erase")
left, right = st.columns(2)
with left:
    st.markdown("Everything held about the client (their right of access), as a JSON file.")
    if st.button("Prepare export", key=key("prepare")):
        exported = records.export(account, record.id)
        st.download_button("Download client record (JSON)", json.dumps(exported, indent=2, ensure_ascii=False),
                           file_name=f"client-{record.ref}.json", mime="application/json", key=key("download"))
with right:
    sure = st.checkbox("I understand: this deletes the profile, plan, reviews and consents for good",
                       key=key("erase_sure"))
    if st.button("Erase this client's record", disabled=not sure, key=key("erase")):
        try:
            records.erase(account, record.id)
            ps.select_client(None)
            flash(f"Client {md(record.ref)} erased.", place=FORM)
            st.rerun()
        except AccessDenied as error:
            st.error(f"Not erased: {md(error)}.")
