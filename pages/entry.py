"""One entry, everything it says, in plain English (opened with ?id=...).

guard (an id that exists) → what / when / for whom / cost / how to get a place /
whom to call / where (small map) / how fresh → history of changes.
Editing, verifying, restoring and client feedback will hang off the marked places.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from directory import codes
from directory.areas import areas_served, describe_areas
from directory import fields as F
from directory.health.freshness import STALE_AFTER_MONTHS
from directory.health.feedback import feedback_summary, hide_feedback, record_feedback
from directory.health.verification import verification_requests
from directory.errors import ConflictError, DirectoryError, NotFound
from ui.auth import current_account, guard_viewing, may
from ui import maps
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.feedback import flash, show_flash
from directory.organisations import organisation_id
from ui.render import category_label, demo_banner, describe_cost, only_for_text, describe_next_session, describe_times, describe_wait, esc, format_date, format_datetime, last_verified_text, link, mailto_href, md, now_local, organisation_contacts, person_names, shown_value, spoc_html, tel_href, web_href

LANGUAGE_NAMES = {
    "en": "English", "cy": "Welsh", "pl": "Polish", "ur": "Urdu", "pa": "Punjabi", "bn": "Bengali", "ar": "Arabic",
    "ro": "Romanian", "fa": "Persian (Farsi)", "ku": "Kurdish", "so": "Somali", "ti": "Tigrinya", "zh": "Chinese",
    "es": "Spanish", "pt": "Portuguese", "lt": "Lithuanian", "lv": "Latvian", "sk": "Slovak", "cs": "Czech",
    "uk": "Ukrainian", "ru": "Russian", "tr": "Turkish", "fr": "French", "de": "German", "it": "Italian",
    "hi": "Hindi", "gu": "Gujarati", "ps": "Pashto", "am": "Amharic", "sq": "Albanian", "hu": "Hungarian",
}
ACTIONS = {
    "create": "Added", "update": "Edited", "verify": "Checked", "archive": "Archived",
    "unarchive": "Brought back from the archive", "restore": "Restored an earlier version", "import": "Imported",
    "merge": "Merged",
}
HISTORY_SHOWN = 20

PAGE_STYLE = """<style>
.rp-facts { display: grid; grid-template-columns: minmax(8.5rem, max-content) 1fr; gap: .4rem 1rem;
            margin: 0 0 .5rem; padding: 0 !important; }
.rp-facts dt { font-weight: 600; margin: 0; }
.rp-facts dd { margin: 0; }
.rp-desc p { margin: 0 0 .6rem; }
table.rp-changes { border-collapse: collapse; width: 100%; font-size: .92rem; }
table.rp-changes th, table.rp-changes td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
                                          vertical-align: top; overflow-wrap: anywhere; }
table.rp-changes th { color: #444; font-weight: 600; }
</style>"""


# -- plain English for one entry --------------------------------------------------------------


def facts(pairs: list[tuple[str, str | None]], *, raw: set[str] = frozenset()) -> str:
    """A definition list; values are escaped unless their label is in `raw` (already-escaped HTML)."""
    rows = [f"<dt>{esc(label)}</dt><dd>{value if label in raw else esc(value)}</dd>"
            for label, value in pairs if value]
    return f'<dl class="rp-facts">{"".join(rows)}</dl>' if rows else ""


def show(fragment: str) -> None:
    """st.html for escaped fragments; nothing at all for an empty one."""
    if fragment:
        st.html(fragment)


def paragraphs(text: str | None) -> str:
    if not text or not text.strip():
        return "<p>No description yet.</p>"
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return '<div class="rp-desc">' + "".join(
        "<p>" + "<br>".join(esc(line) for line in block.split("\n")) + "</p>" for block in blocks) + "</div>"


def labels(values, vocabulary: dict[str, str]) -> str:
    return ", ".join(vocabulary.get(v, v) for v in values)


def ages(entry) -> str | None:
    if entry.min_age is not None and entry.max_age is not None:
        return f"Ages {entry.min_age} to {entry.max_age}."
    if entry.min_age is not None:
        return f"Ages {entry.min_age} and over."
    if entry.max_age is not None:
        return f"Up to age {entry.max_age}."
    return None


def abstinence(value: bool | None) -> str:
    if value is None:
        return "Not stated. Ask the contact."
    return ("Yes: people need to be abstinent (not using drugs or alcohol) to take part." if value
            else "No: people do not need to be abstinent.")


def drug_testing(value: bool | None) -> str:
    if value is None:
        return "Not stated. Ask the contact."
    return ("Yes: they test for drugs (before starting or while there). Worth preparing the client for this."
            if value else "No drug testing.")


CONVICTIONS = {
    "yes": "Welcome: people with criminal convictions can apply.",
    "no": "Not accepted: they do not take people with criminal convictions.",
    "case_by_case": "Considered case by case: the client can talk it through with the contact first.",
}
DBS = {
    "none": "No criminal record (DBS) check.",
    "basic": "A basic DBS check. It shows unspent convictions and conditional cautions only; spent convictions "
             "stay private.",
    "standard": "A standard DBS check. It shows spent and unspent convictions, cautions, reprimands and final "
                "warnings, apart from old or minor ones that are filtered out.",
    "enhanced": "An enhanced DBS check: the standard check plus anything local police think relevant. Used for "
                "work with children or adults at risk.",
}
ROA_NOTE = ("Under the Rehabilitation of Offenders Act 1974 most convictions become spent after a set time; "
            "a spent conviction usually does not have to be disclosed, except for roles that need a standard "
            "or enhanced check.")


def yes_no(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def languages(entry) -> str | None:
    if not entry.languages:
        return None
    return ", ".join(LANGUAGE_NAMES.get(code, code.upper()) for code in entry.languages)


# -- history --------------------------------------------------------------------------------




# What a revision records beside the entry's own fields, in words; a person is named, not their username.
BOOKKEEPING_LABELS = {"last_verified_by": "Last verified by", "archived": "Archived", "merged_into": "Merged into"}


def changes_table(changes: dict[str, tuple[Any, Any]], creating: bool, name_of=lambda username: username) -> str:
    order = {name: i for i, name in enumerate(F.COLUMNS)}
    rows = []
    for name in sorted(changes, key=lambda n: order.get(n, 999)):
        old, new = changes[name]
        if name == "last_verified_by":
            old, new = (name_of(value) if value else value for value in (old, new))
        label = F.FIELD_BY_NAME[name].label if name in F.FIELD_BY_NAME else BOOKKEEPING_LABELS.get(
            name, name.replace("_", " ").capitalize())
        if creating:
            rows.append(f"<tr><td>{esc(label)}</td><td>{esc(shown_value(name, new))}</td></tr>")
        else:
            rows.append(f"<tr><td>{esc(label)}</td><td>{esc(shown_value(name, old))}</td>"
                        f"<td>{esc(shown_value(name, new))}</td></tr>")
    head = "<tr><th>Field</th><th>Value</th></tr>" if creating else "<tr><th>Field</th><th>Before</th><th>After</th></tr>"
    return f'<table class="rp-changes">{head}{"".join(rows)}</table>'


# -- the page -----------------------------------------------------------------------------------

ensure_app_navigation()
directory = get_directory()
guard_viewing(directory)
now = now_local()
today = now.date()
st.html(PAGE_STYLE)

entry_id = (st.query_params.get("id") or "").strip()
if not entry_id:
    st.title("Entry")
    st.info("Open an entry from the search results to see everything it says.")
    st.page_link("pages/find.py", label="Find provision", icon=":material/search:")
    st.stop()
try:
    entry = directory.get(entry_id)
except NotFound:
    st.title("Entry not found")
    st.error(f"There is no entry with the id “{md(entry_id[:60])}”. It may have been merged into another entry, "
             "or the link may be cut short. Search for it by name instead.")
    st.page_link("pages/find.py", label="Find provision", icon=":material/search:")
    st.stop()

person_name = person_names(directory)


def written(write, message: str) -> None:
    """A button's callback: one write for the signed-in person, with arguments bound when the page was drawn
    (so "restore" is based on the version the person saw); the page then shows `message`, or why not."""
    try:
        write()
    except ConflictError as conflict:
        flash(md("Nothing was changed. " + conflict.describe(
            who, "look at their change under History of changes, then try again if it is still needed.")),
              "error", icon=":material/error:")
        return
    except DirectoryError as problem:
        flash(md(f"Nothing was changed: {problem}."), "error", icon=":material/error:")
        return
    st.cache_data.clear()
    flash(md(message), icon=":material/check_circle:")


def who(username: str | None) -> str:
    return person_name(username) if username else "someone"


def refer_a_client(entry) -> None:
    """A keyworker with the client in the room: refer one of their organisation's clients to this service."""
    from directory.clients import ClientRecords
    from ui.referrals_support import refer_form

    records = ClientRecords(directory)
    mine = [(i, ref) for i, ref, owner, _ in records.list_for(account) if owner in account.organisations]
    if not mine:
        return
    refs = dict(mine)
    chosen = st.selectbox("Refer a client here", list(refs), index=None, format_func=refs.get,
                          placeholder="Choose the client's reference", key=f"entry_refer_client::{entry.id}",
                          help="Your organisation's clients. You record their consent, then send the referral.")
    if chosen is not None:
        refer_form(directory, account, records.open(account, chosen), key=f"entry_{entry.id}_{chosen}",
                   entry_id=entry.id, organisation=entry.organisation, service=entry.name)


st.page_link("pages/find.py", label="Back to search results", icon=":material/arrow_back:")
st.title(md(entry.name))
st.caption(f"{md(entry.organisation)} · {md(category_label(entry.category))}")
demo_banner(directory)

verified, stale = last_verified_text(entry, today, who)
verified = verified.replace(f" by {entry.last_verified_by}", f" by {who(entry.last_verified_by)}") \
    if entry.last_verified_by else verified
if entry.archived:
    note = " It was merged into another entry." if entry.merged_into else ""
    st.warning(f"This entry is archived: it no longer shows in searches.{note}", icon=":material/archive:")
    if entry.merged_into:
        st.page_link("pages/entry.py", label="Open the entry it was merged into", query_params={"id": entry.merged_into})
if stale:
    when = "It has never been checked" if entry.last_verified is None else \
        f"It was last checked on {format_date(entry.last_verified)}, more than six months ago"
    st.warning(f"**Possibly out of date.** {when}. Ring the contact to make sure it is still running before "
               "a client travels.", icon=":material/history:")

# Editing, "I checked this today" and client feedback go here (issue: editing and feedback).
actions = st.container()
with actions:
    account = current_account(directory)
    show_flash()
    for request in [r for r in verification_requests(directory, entry.id) if r.is_open]:
        note = f" Note: “{md(request.note)}”" if request.note else ""
        st.info(f"**Please check this entry is still right.** Asked by {md(who(request.requested_by))} on "
                f"{format_date(request.requested_at.date())}.{note}", icon=":material/fact_check:")
    if may(account, "editor"):
        edit_col, verify_col, archive_col = st.columns([1, 1, 2])
        edit_col.page_link("pages/edit_entry.py", label="Edit this entry", icon=":material/edit:",
                           query_params={"id": entry.id})
        if not entry.archived:
            verify_col.button("Mark as verified", icon=":material/verified:", on_click=written, args=(
                lambda: directory.verify(entry.id, account.username),
                f"Marked as verified today by {account.display_name}."),
                help="You have checked today that everything here is right.")
        if entry.archived:
            archive_col.button("Bring back from the archive", icon=":material/unarchive:", on_click=written, args=(
                lambda: directory.unarchive(entry.id, account.username, "brought back"),
                "Brought back from the archive: it shows in searches again."))
        else:
            with archive_col.popover("Archive…", icon=":material/archive:"):
                reason = st.text_input("Why is it being archived?", key="archive_reason",
                                       help="For example: the course has closed. Kept in the history.")
                sure = st.checkbox("Yes, take it out of searches", key="archive_sure")
                st.button("Archive this entry", disabled=not (sure and reason.strip()), on_click=written, args=(
                    lambda: directory.archive(entry.id, account.username, st.session_state["archive_reason"].strip()),
                    "Archived: it no longer shows in searches. It can be brought back at any time."))
    elif account is None:
        st.caption("Forum members can sign in to correct this entry, mark it as verified or record client feedback.")

main, side = st.columns([3, 2], gap="large")
with main:
    st.header("What it is")
    st.html(paragraphs(entry.description))
    show(facts([
        ("Sector", entry.sector),
        ("Format", labels(entry.format, codes.FORMATS)),
        ("Keywords", ", ".join(entry.tags)),
    ]))

    st.header("When")
    dates = []
    if entry.start_date:
        dates.append(("Starts" if entry.start_date >= today else "Started", format_date(entry.start_date)))
    if entry.end_date:
        dates.append(("Ends" if entry.end_date >= today else "Ended", format_date(entry.end_date)))
    show(facts([
        ("Days and times", describe_times(entry)),
        ("Next session", describe_next_session(entry, now)),
        ("Term time", yes_no(entry.term_time_only, "Term time only: not in school holidays.",
                             "Runs in school holidays too.")),
        *dates,
        ("Hours per week", f"About {entry.hours_per_week:g} hours a week" if entry.hours_per_week else None),
    ]))

    st.header("Who it is for")
    show(facts([
        ("Only for", only_for_text(entry)),
        ("Recovery stage", "Any stage of recovery." if not entry.stages
         else f"Suits: {labels(entry.stages, codes.STAGES)}."),
        ("Benefits", "Open to everyone, whatever benefits they get." if not entry.eligible_benefits
         else f"Only for people getting: {labels(entry.eligible_benefits, codes.BENEFITS)}."),
        ("Age", ages(entry)),
        ("Abstinence needed?", abstinence(entry.requires_abstinence)),
        ("Drug testing?", drug_testing(entry.drug_testing)),
        ("Criminal convictions", CONVICTIONS.get(entry.accepts_convictions or "", None)),
        ("Criminal record check", DBS.get(entry.dbs_check or "", None)),
        ("Languages", languages(entry)),
        ("Accessibility", entry.accessibility),
        ("Peer mentoring", codes.MENTORING_ROLES.get(entry.mentoring_role or "", None)),
    ]))
    if entry.accepts_convictions or entry.dbs_check:
        st.caption(ROA_NOTE)

    st.header("Cost and help to attend")
    show(facts([
        ("Cost", describe_cost(entry)),
        ("Travel costs", yes_no(entry.travel_costs_paid, "Paid: ask about receipts or a travel pass.",
                                "Not paid.")),
        ("Childcare", yes_no(entry.childcare, "Childcare or a creche is offered.", "No childcare offered.")),
    ]))

    st.header("How to get a place")
    show(facts([
        ("Referral", codes.REFERRAL.get(entry.referral or "", None) or "Not stated. Ask the contact."),
        ("Waiting time", describe_wait(entry.waiting_days)),
    ]))

with side:
    st.header("Whom to call")
    st.html(f"<div>{spoc_html(entry, organisation_contacts(directory).get(entry.organisation))}</div>")
    organisation_page = organisation_id(directory, entry.organisation)
    if organisation_page is not None:
        st.page_link("pages/organisations.py", label=f"About {md(entry.organisation)}",
                     icon=":material/apartment:", query_params={"id": str(organisation_page)})
    if may(account, "editor") and not entry.archived:
        refer_a_client(entry)
    website = web_href(entry.url)
    show(facts([
        ("Service phone", link(tel_href(entry.phone), entry.phone) if entry.phone else None),
        ("Service email", link(mailto_href(entry.email), entry.email) if entry.email else None),
        ("Website", link(website, entry.url, new_tab=True) if entry.url else None),
    ], raw={"Service phone", "Service email", "Website"}))

    st.header("Where")
    served = areas_served(directory, entry.id)  # an Open Referral service's areas (directory/areas.py)
    show(facts([
        ("Address", ", ".join(x for x in (entry.address, entry.postcode) if x) or None),
        ("How it is delivered", labels(entry.delivery, codes.DELIVERY)),
        ("Areas it serves", "<br>".join(esc(line) for line in describe_areas(served)) or None),
    ], raw={"Areas it serves"}))
    if entry.has_position:
        point = maps.MapPoint(entry.latitude, entry.longitude, entry.category, entry.name, entry.id,
                              describe_times(entry), "")
        maps.show_one_place(point, maps.tiles_config(st.secrets), key="entry_map", height=280)
    elif served:
        st.caption("No map position: it serves the areas above, and Find shows it to a client whose postcode is "
                   "inside one.")
    else:
        st.caption("No map position: online or phone only, or no postcode yet.")

    st.header("Kept up to date")
    updated = f"{format_datetime(entry.updated_at)} by {who(entry.updated_by)}" if entry.updated_at else None
    show(facts([
        ("Last checked", verified),
        ("Last changed", updated),
        ("Version", str(entry.version)),
    ]))
    st.caption(f"Entries not checked for {STALE_AFTER_MONTHS} months are marked as possibly out of date.")

st.header("Client feedback")
summary = feedback_summary(directory, entry.id)
if summary.count:
    st.markdown(f"**Average {summary.average:.1f} out of 5** from {summary.count} "
                f"{'rating' if summary.count == 1 else 'ratings'}.")
else:
    st.caption("No client feedback yet.")
for item in summary.comments[:10]:
    st.html(f"<blockquote style='margin:.2rem 0 .2rem;padding-left:.6rem;border-left:3px solid #ccc'>"
            f"{'★' * item.rating}{'☆' * (5 - item.rating)} {esc(item.comment)}"
            f"<br><small>{esc(format_date(item.given_on))}, recorded by {esc(who(item.recorded_by))}</small>"
            "</blockquote>")
    if may(account, "coordinator"):
        with st.popover("Hide this comment", icon=":material/visibility_off:"):
            hide_reason = st.text_input("Why hide it?", key=f"hide_reason_{item.id}",
                                        help="For example: it names a client. The reason is kept.")
            if st.button("Hide it", key=f"hide_{item.id}"):
                try:
                    hide_feedback(directory, item.id, account.username, hide_reason)
                except DirectoryError as problem:
                    st.error(md(str(problem)[:1].upper() + str(problem)[1:]) + ".")
                else:
                    flash(md("The comment is hidden."), icon=":material/check_circle:")
                    st.rerun()
if account is not None and not entry.archived:
    with st.expander("Record a client's feedback"):
        with st.form("feedback_form", clear_on_submit=True):
            rating = st.radio("Rating", [1, 2, 3, 4, 5], index=None, horizontal=True,
                              help="1 is poor, 5 is excellent: what the client said.")
            comment = st.text_area("Short comment (optional)", max_chars=500,
                                   help="What the client said about it. Never the client's name, phone or email.")
            given_on = st.date_input("Date they told you", value=today, max_value=today, format="DD/MM/YYYY")
            if st.form_submit_button("Record feedback"):
                try:
                    record_feedback(directory, entry.id, rating, comment, given_on, account.username)
                except DirectoryError as problem:
                    st.error(f"Not recorded: {md(problem)}.")
                else:
                    flash(md("Thank you: the feedback is recorded."), icon=":material/check_circle:")
                    st.rerun()

st.header("History of changes")
history = directory.history(entry.id)
if not history:
    st.caption("No recorded changes.")
for index, revision in enumerate(history[:HISTORY_SHOWN]):
    action = ACTIONS.get(revision.action, revision.action.replace("_", " ").capitalize())
    title = f"Version {revision.version}: {action} by {who(revision.author)}, {format_datetime(revision.at)}"
    with st.expander(md(title), expanded=index == 0):
        if revision.note:
            st.html(f"<p><strong>Note:</strong> {esc(revision.note)}</p>")
        if revision.changes:
            st.html(changes_table(revision.changes, creating=revision.version == 1, name_of=who))
        else:
            st.caption("No fields changed.")
        if index > 0 and may(account, "editor") and revision.action not in ("verify", "archive", "merge"):
            st.button("Restore this version", key=f"restore_{revision.version}", on_click=written, args=(
                lambda v=revision.version, seen=entry.version: directory.restore_version(
                    entry.id, v, seen, account.username),
                f"Restored version {revision.version}."),
                help="Brings back every field as it was in this version; this is itself recorded.")
if len(history) > HISTORY_SHOWN:
    st.caption(f"{len(history) - HISTORY_SHOWN} older changes are not shown.")

# Per-field provenance: where each field's value came from (directory/io/harvest.py field_origins, over
# Directory.provenance): "from <feed>, 6 Dec 2026" or "set by <name>, 3 Dec 2026".
from directory.io.harvest import field_origins, harvest_origin  # noqa: E402

st.header("Where each field came from")
origins = field_origins(directory, entry.id, display_name=who)
origin = harvest_origin(directory, entry.id)
if origin:
    st.caption(md(f"Harvested from the Open Referral feed {origin[0]} (its service {origin[1]})."))
if origins:
    st.html('<table class="rp-changes"><tr><th>Field</th><th>Where its value came from</th></tr>' + "".join(
        f"<tr><td>{esc(F.FIELD_BY_NAME[name].label)}</td><td>{esc(origins[name])}</td></tr>"
        for name in F.COLUMNS if name in origins) + "</table>")
else:
    st.caption("No recorded changes.")
