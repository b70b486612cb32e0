"""What the planner pages share: the open client (through the organisation boundary), the plan, labels.

Client data is special-category health data: it is read only through
directory.clients.ClientRecords (which checks the organisation boundary and
writes the access log), and it is never logged, put in directory feedback or
shown in an error message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import streamlit as st

from directory import codes
from directory.api import Directory
from directory.clients import ACCESS_ACTIONS, OWNERS, STATUSES, ClientRecord, ClientRecords
from directory.errors import AccessDenied, NotFound
from directory.io.spreadsheet import spreadsheet_safe
from directory.schedule import DAYS, END_OF_DAY, describe_time
from planner.rules import STEP_RULES
from ui.render import LOCAL_TIME, describe_times, esc, format_date, format_datetime, md, sessions_of

CLIENT_PARAM = "client"
CLIENT_KEY = "planner_client_id"
NOT_SHARED = "This client record is not shared with your organisation."
NEW_CLIENT = "New client (start a profile)"
ACTIVE_STATUSES = ("to_do", "doing")
OVERLOAD_AT = 3  # more than three current activities risks overload and relapse

# Each continuum step's short name (planner.rules STEP_RULES), as a heading: "Money skills".
STEP_WORDS = {step: rule.label[:1].upper() + rule.label[1:] for step, rule in STEP_RULES.items()}
STAGE_WORDS = dict(codes.STAGES)
OWNER_FOR_CLIENT = {"client": "You", "keyworker": "Your keyworker", "employment_specialist": "Your employment specialist"}

SCREENING_QUESTIONS = {
    "health_condition": "Do you have a disability or health condition that is affecting you looking for work?",
    "first_language_not_english": "Is your first language anything other than English?",
    "reading_writing_maths": "Do you have difficulty reading, writing or maths?",
    "qualifications_below_level_2": "Do you hold qualifications below NVQ Level 2 (5 GCSEs)?",
    "children_or_dependants": "Do you have any children or dependants?",
    "lone_parent": "Are you bringing up children on your own?",
    "homeless": "Are you homeless?",
    "custodial_sentence": "Have you at any time completed a custodial sentence?",
    "concerned_about_use": "Are you concerned about your own drug or alcohol use?",
    "structured_support": "Are you getting any structured support for your drug or alcohol use?",
    "abstinent": "Are you now abstinent from drugs?",
    "looking_for_training": "Are you looking for training opportunities?",
}
READINESS_QUESTIONS = {
    "attends_appointments": "Attends appointments consistently",
    "engages_in_groups": "Engages in group activities",
    "in_withdrawal": "Still in withdrawal",
    "self_care": "Takes care of appearance and hygiene",
    "owns_goals": "Suggests goals and agrees actions (owns the plan)",
}
FIELD_WORDS = {
    "ref": "Reference", "stage": "Recovery stage", "postcode": "Postcode", "max_travel_km": "Travel limit",
    "commitments": "Fixed commitments", "available": "Availability", "benefit": "Benefit", "age": "Age",
    "screening": "Screening questions", "readiness": "Readiness", "convictions": "Convictions",
    "assets": "Assets", "goals": "Goals", "languages": "Languages", "abstinent_months": "Months abstinent",
    "current_activities": "Current activities", "done_steps": "Steps already done",
}


# -- the open client ---------------------------------------------------------------------------


def records(directory: Directory) -> ClientRecords:
    return ClientRecords(directory)


def selected_client_id() -> int | None:
    """The client chosen on any planner page: ?client=ID wins (a shared link), else this session's choice."""
    raw = st.query_params.get(CLIENT_PARAM)
    if raw is not None:
        try:
            return int(raw)
        except ValueError:
            return -1  # not a number: the same plain message as a record that is not shared
    return st.session_state.get(CLIENT_KEY)


def select_client(client_id: int | None) -> None:
    if client_id is None:
        st.session_state.pop(CLIENT_KEY, None)
        st.query_params.pop(CLIENT_PARAM, None)
    else:
        st.session_state[CLIENT_KEY] = client_id
        st.query_params[CLIENT_PARAM] = str(client_id)


def client_chooser(directory: Directory, account, *, label: str = "Client", allow_new: bool = False) -> ClientRecord | None:
    """A picker of the clients this account may open, and the chosen record. A client id that is not shared
    with the account's organisation stops the page with a plain message.

    With `allow_new` (the Client page) the first choice is a new client, and None is returned for it; without,
    the most recently changed record is chosen when none is, and a page with no records to open stops."""
    listed = records(directory).list_for(account)
    ids = [i for i, *_ in listed]
    chosen = selected_client_id()
    if chosen is not None and chosen not in ids:
        st.error(NOT_SHARED, icon=":material/lock:")
        if st.button("Choose another client"):
            select_client(None)
            st.rerun()
        st.stop()
    if allow_new:
        options, key = [None, *ids], "planner_client_pick"
    else:
        if not listed:
            st.info("No client records yet. Add one on the **Client** page.")
            st.page_link("pages/planner_client.py", label="Add a client", icon=":material/person:")
            st.stop()
        if chosen not in ids:  # nothing chosen yet: the most recently changed record
            chosen = ids[0]
            select_client(chosen)
        options, key = ids, "planner_pick"
    labels = {i: f"{ref} · {org}" for i, ref, org, _ in listed}
    # The choice can change outside the box (a link, another planner page, a client just created or erased):
    # the box follows it.
    if st.session_state.get(key, "unset") != chosen:
        st.session_state[key] = chosen
    picked = st.selectbox(label, options, format_func=lambda i: NEW_CLIENT if i is None else labels[i], key=key,
                          on_change=lambda: select_client(st.session_state[key]),
                          placeholder=NEW_CLIENT)  # None (a new client) shows the placeholder: say what it is
    return open_client(directory, account, picked) if picked is not None else None


def open_client(directory: Directory, account, client_id: int) -> ClientRecord:
    try:
        return records(directory).open(account, client_id)
    except (AccessDenied, NotFound):
        st.error(NOT_SHARED, icon=":material/lock:")
        st.stop()


# -- the plan ------------------------------------------------------------------------------------


def planner_index(directory: Directory):
    """The directory's PlannerIndex, kept current as its search index is: after a write, only the entries it
    changed are read and indexed again (Directory.kept_index)."""
    from planner.index import PlannerIndex

    return directory.kept_index("planner", PlannerIndex.build)


def _locate(postcode: str):
    from directory.postcodes import default_table

    return default_table().locate(postcode)


def make_plan(directory: Directory, profile_data: dict, today: dt.date | None = None, limit: int = 10):
    """(Profile, PlanResult) for a stored profile, or raises ProfileError."""
    from planner.match import recommend
    from planner.profile import parse_profile

    profile = parse_profile(profile_data)
    return profile, recommend(profile, planner_index(directory), today or dt.date.today(), limit=limit,
                              postcode_locator=_locate)


def plan_or_stop(directory: Directory, record: ClientRecord):
    """make_plan for the chosen client; a profile the planner cannot read stops the page with what
    to fix and a link to where it is fixed."""
    from planner.profile import ProfileError

    try:
        return make_plan(directory, record.profile)
    except ProfileError as error:
        st.error(f"The client's profile needs fixing first. {md(profile_error_text(error))}")
        st.page_link("pages/planner_client.py", label="Open the client page", icon=":material/person:")
        st.stop()


def assumed_start(profile_data: dict) -> tuple[tuple[str, ...], str | None] | None:
    """With the steps already done not given: the steps the planner assumes behind the client from these answers
    (planner.continuum.inferred_done) and the step it starts them on. None when the answers cannot be read yet."""
    from planner.continuum import inferred_done, place
    from planner.profile import ProfileError, parse_profile

    try:
        profile = parse_profile({k: v for k, v in profile_data.items() if k != "done_steps"})
    except ProfileError:
        return None
    return inferred_done(profile), place(profile).current


def assumed_start_text(assumed: tuple[tuple[str, ...], str | None]) -> str:
    """'Starts at step 5, soft skills — assumed from the assessment (done: health, motivation, …).'"""
    from planner.rules import STEP_ORDER

    done, current = assumed
    where = (f"Starts at step {STEP_ORDER.index(current) + 1}, {STEP_WORDS[current].lower()}" if current
             else "Every step done")
    behind = ", ".join(STEP_WORDS[s].lower() for s in done)
    return f"{where} — assumed from the assessment ({'done: ' + behind if behind else 'nothing assumed done'})."


# -- words ---------------------------------------------------------------------------------------


def profile_error_text(error) -> str:
    """A ProfileError in plain English: 'Postcode: … ' rather than a JSON path."""
    import re

    head = error.field.split("[")[0].split(".")[0]
    label = FIELD_WORDS.get(head, head.replace("_", " ").capitalize())
    row = re.match(r"^\w+\[(\d+)\]", error.field)
    detail = error.field.split(".", 1)[1].replace("_", " ") if "." in error.field else ""
    where = ", ".join(x for x in (f"row {int(row[1]) + 1}" if row else "", detail) if x)
    return f"{label}{' (' + where + ')' if where else ''}: {error.message}"


def minutes_text(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return describe_time(END_OF_DAY if hour == 24 else dt.time(hour, minute))


def days_text(days) -> str:
    names = [DAYS[d] if isinstance(d, int) else d for d in days]
    return ", ".join(names)


def commitment_lines(profile) -> list[str]:
    """'Supervised consumption: Mon, Tue, … 9am to 10am' for each commitment in a parsed Profile."""
    return [f"{c.what.capitalize()}: {days_text(c.days)}, {minutes_text(c.start)} to {minutes_text(c.end)}"
            for c in (profile.commitments or ())]


def clashes(entry, profile) -> list[str]:
    """Commitments that overlap the entry's sessions (a warning, never a block)."""
    sessions = sessions_of(entry) or ()
    found = []
    for commitment in profile.commitments or ():
        for session in sessions:
            start = session.start.hour * 60 + session.start.minute
            end = 24 * 60 if session.end == dt.time.max else session.end.hour * 60 + session.end.minute
            if session.day in commitment.days and start < commitment.end and commitment.start < end:
                found.append(f"{commitment.what} ({days_text(commitment.days)} {minutes_text(commitment.start)}"
                             f" to {minutes_text(commitment.end)})")
                break
    return found


def current_activities(profile_data: dict, actions) -> int:
    """Activities the client is doing: those in the profile plus open plan actions linked to provision."""
    linked = sum(1 for a in actions if a.entry_id and a.status in ACTIVE_STATUSES)
    return int(profile_data.get("current_activities") or 0) + linked


def overload_warning(count: int) -> str | None:
    if count <= OVERLOAD_AT:
        return None
    return (f"That makes {count} current activities. More than three at once risks overload and relapse: "
            "agree with the client which to start first and which can wait.")


def entry_or_none(directory: Directory, entry_id: str | None):
    if not entry_id:
        return None
    try:
        return directory.get(entry_id)
    except NotFound:
        return None


@dataclass(frozen=True)
class StepState:
    code: str
    label: str
    state: str  # "done", "now", "next", "later"


def continuum_states(continuum) -> list[StepState]:
    from planner.rules import STEP_ORDER

    states = []
    for step in STEP_ORDER:
        if step in continuum.done:
            state = "done"
        elif step == continuum.current:
            state = "now"
        elif step in continuum.next:
            state = "next"
        else:
            state = "later"
        states.append(StepState(step, STEP_WORDS[step], state))
    return states


_CONTINUUM_CSS = """
<style>
.rp-steps { display: grid; grid-template-columns: repeat(auto-fit, minmax(72px, 1fr)); gap: 6px; list-style: none;
            margin: 4px 0 12px 0 !important; padding: 0 !important; }
.rp-steps li { margin: 0 !important; }
.rp-step { border-radius: 8px; padding: 8px 6px; text-align: center; font-size: 14px;
           border: 2px solid #c9d1d9; background: #fff; color: #333; }
.rp-step b { display: block; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.rp-step.done { background: #e6f4ea; border-color: #2e7d32; color: #1b5e20; }
.rp-step.now { background: #0b57d0; border-color: #0b57d0; color: #fff; font-weight: 600; }
.rp-step.next { background: #fff8e1; border-color: #f9a825; color: #5d4300; }
.rp-step.later { color: #667; }
</style>
"""
_STATE_WORDS = {"done": "✓ done", "now": "● now", "next": "→ next", "later": "later"}


def continuum_html(continuum) -> str:
    items = "".join(
        f'<li class="rp-step {s.state}" aria-label="{esc(s.label)}: {esc(_STATE_WORDS[s.state])}">'
        f'<b>{n}. {esc(_STATE_WORDS[s.state])}</b>{esc(s.label)}</li>'
        for n, s in enumerate(continuum_states(continuum), 1))
    return f'{_CONTINUUM_CSS}<ol class="rp-steps" aria-label="The employment continuum">{items}</ol>'


def owner_label(owner: str) -> str:
    return OWNERS.get(owner, owner)


def status_label(status: str) -> str:
    return STATUSES.get(status, status)


# -- an unmet need, when the plan finds nothing ------------------------------------------------------

# Unmet-need barrier tags (codes.BARRIERS) from a parsed Profile: its own "other barriers" as
# they are, and the screening answers that are barriers. Only tags: nothing that could identify the client.
_SCREENING_BARRIERS = {
    "children_or_dependants": "childcare", "lone_parent": "childcare", "homeless": "housing",
    "reading_writing_maths": "literacy", "first_language_not_english": "language", "health_condition": "health",
    "custodial_sentence": "convictions",
}


def unmet_barriers(profile) -> tuple[str, ...]:
    found = {b for b in profile.other_barriers if b in codes.BARRIERS}
    found |= {tag for name, tag in _SCREENING_BARRIERS.items() if getattr(profile.screening, name) is True}
    if profile.needs_childcare:
        found.add("childcare")
    if profile.convictions in ("spent", "unspent"):
        found.add("convictions")
    return tuple(b for b in codes.BARRIERS if b in found)


def wanted_category(stage: str, continuum) -> str | None:
    """The kind of provision the client's first next step calls for, that their stage allows: the category named
    like the step (training), else the one that serves the fewest other steps (health: health and well-being
    rather than treatment), in the directory's order. None when every step is done."""
    from planner.rules import STAGE_RULES

    rule = STAGE_RULES[stage]
    order = list(codes.CATEGORIES)
    for step in continuum.next:
        if step not in rule.steps:
            continue
        serving = [c for c in order if c in rule.categories and step in codes.CATEGORY_DEFAULT_STEPS[c]]
        if serving:
            return min(serving, key=lambda c: (c != step, len(codes.CATEGORY_DEFAULT_STEPS[c]), order.index(c)))
    return None


def unmet_prefill(profile, continuum) -> dict:
    """What "Record an unmet need" is filled with from a plan with no recommendations: the postcode district
    only (never the full postcode or the client's reference), the stage, barrier tags and the kind of provision
    the first next step needs."""
    from directory.errors import InvalidUnmetNeed
    from directory.unmet import district_only

    try:
        district = district_only(profile.postcode) or ""
    except InvalidUnmetNeed:
        district = ""
    return {"category": wanted_category(profile.stage, continuum) or "", "district": district,
            "stage": profile.stage, "barriers": unmet_barriers(profile)}


# -- the access log ------------------------------------------------------------------------------

ACCESS_LOG_COLUMNS = {"when": "When", "client_ref": "Client", "who": "Who", "what": "What they did",
                      "times": "Times", "held_by": "Held by"}
# Every planner page opens the record (and its plan or reviews) on every click: merged when in a row.
VIEWS = {"read": "the record", "plan read": "the action plan", "reviews read": "the reviews"}


def _opened(actions: list[str]) -> str:
    """'Opened the record', or 'Opened the record, the action plan and the reviews' for a run of views."""
    kinds = [VIEWS[a] for a in VIEWS if a in actions]
    if len(kinds) == 1:
        return ACCESS_ACTIONS[actions[0]]
    return "Opened " + ", ".join(kinds[:-1]) + " and " + kinds[-1]


def access_log_rows(entries, names: dict[str, str]) -> list[dict]:
    """The access log as the page shows it, newest first: 'Esther Obi (esther)', 'Opened the record', local time.
    Every click on a planner page opens the record again, so one person opening the same record (its profile,
    plan or reviews) several times in a row is one row, with how many times and from when to when; every
    change is a row of its own."""
    def who(username: str) -> str:
        name = names.get(username)
        return f"{name} ({username})" if name and name != username else username

    def when(latest, earliest) -> str:
        if format_datetime(latest) == format_datetime(earliest):
            return format_datetime(latest)
        first, last = earliest.astimezone(LOCAL_TIME), latest.astimezone(LOCAL_TIME)
        if first.date() == last.date():
            return f"{format_datetime(earliest)} to {last.strftime('%H:%M')}"
        return f"{format_datetime(earliest)} to {format_datetime(latest)}"

    groups: list[dict] = []
    for entry in entries:
        same = (entry.username, entry.client_ref, entry.organisation)
        last = groups[-1] if groups else None
        if last and last["same"] == same and entry.action in VIEWS and last["actions"][0] in VIEWS:
            last["earliest"] = entry.at
            last["actions"].append(entry.action)
        else:
            groups.append({"same": same, "latest": entry.at, "earliest": entry.at, "actions": [entry.action]})
    rows = []
    for group in groups:
        username, ref, organisation = group["same"]
        actions = group["actions"]
        what = _opened(actions) if actions[0] in VIEWS else ACCESS_ACTIONS.get(actions[0], actions[0])
        rows.append({"when": when(group["latest"], group["earliest"]), "who": who(username), "what": what,
                     "times": len(actions), "client_ref": ref, "held_by": organisation or ""})
    return rows


def access_log_csv(entries, names: dict[str, str]) -> bytes:
    """The access log as CSV (UTF-8 with a byte-order mark, for Excel): exact times (UTC) and usernames,
    with the words too. Cells a spreadsheet would run as a formula are quoted with a leading '."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["time_utc", "local_time", "username", "name", "client_ref", "held_by", "action", "what"])
    for e in entries:
        at = e.at.astimezone(dt.timezone.utc)
        writer.writerow([spreadsheet_safe(x) for x in (
            at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M"), e.username,
            names.get(e.username, ""), e.client_ref, e.organisation or "", e.action, ACCESS_ACTIONS.get(e.action, e.action))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


__all__ = ["format_date", "describe_times"]
