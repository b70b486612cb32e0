"""Add an entry (no id) or change one (?id=...): editors and coordinators only.

guard → the form, every field in plain-English sections → on save: each field parsed
(problems shown under the field), the postcode placed, duplicates asked about when
adding → saved with the version the form was opened on. If someone saved in between,
their changes are shown beside yours and you choose per field: nothing is overwritten.
"""

from __future__ import annotations

from typing import Any, NoReturn

import streamlit as st

from directory import codes
from directory import fields as F
from directory.errors import ConflictError, NotAllowed, NotFound
from directory.validation import ValidationError, check_entry, parse_cell

SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("What and who", ("name", "organisation", "category", "description", "sector", "format")),
    ("Where", ("address", "postcode", "latitude", "longitude", "delivery", "accessibility")),
    ("When", ("schedule", "term_time_only", "start_date", "end_date", "hours_per_week")),
    ("For whom", ("for_groups", "stages", "continuum_steps", "eligible_benefits", "min_age", "max_age",
                  "requires_abstinence", "drug_testing", "accepts_convictions", "dbs_check", "languages",
                  "mentoring_role")),
    ("Cost and help to attend", ("cost", "travel_costs_paid", "childcare", "referral", "waiting_days")),
    ("Contact (SPOC)", ("contact_name", "contact_role", "contact_phone", "contact_email", "phone", "email", "url")),
    ("Keywords", ("tags",)),
]
FORM_FIELDS: tuple[str, ...] = tuple(name for _, names in SECTIONS for name in names)
LONG_TEXT = {"description", "accessibility"}
PLACEHOLDERS = {
    "postcode": "TS1 3BA", "schedule": "Mon 09:00-12:00; Tue,Thu 10:00-12:00", "start_date": "2026-09-01",
    "end_date": "2026-12-18", "contact_phone": "01642 123456", "phone": "01642 123456",
    "contact_email": "name@example.org", "email": "info@example.org", "url": "https://www.example.org",
    "languages": "en;pl;ur", "tags": "cooking; cv; confidence", "cost": "free", "waiting_days": "0",
}
BOOL_CHOICES = {"": "Not stated", "yes": "Yes", "no": "No"}
EXTRA_HELP = {"latitude": "Leave empty: the postcode gives the position.",
              "longitude": "Leave empty: the postcode gives the position.",
              "tags": "Words people search for, separated by semicolons."}


# -- helpers (importable for tests: the page itself runs only under Streamlit) -----------------------


def field_help(name: str) -> str:
    field = F.FIELD_BY_NAME[name]
    text = " ".join(x for x in (field.help, EXTRA_HELP.get(name, "")) if x)
    return text or f"{field.label}. Leave empty if not known."


def vocabulary(name: str) -> dict[str, str]:
    return codes.VOCABULARIES[F.FIELD_BY_NAME[name].vocabulary]


def as_text(name: str, value: Any) -> str:
    """A stored value as the form shows it (the spreadsheet's way of writing it)."""
    if F.FIELD_BY_NAME[name].kind == F.WORDS:
        return "; ".join(value or ())
    return F.format_cell(name, value)


def sentence(reason: str) -> str:
    reason = reason.strip()
    return (reason[:1].upper() + reason[1:]).rstrip(".") + "."


def parse_form(texts: dict[str, str], base: dict[str, Any], creating: bool) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Typed values for every form field and problems by field, in plain English."""
    values: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for name in FORM_FIELDS:
        try:
            values[name] = parse_cell(name, texts.get(name, ""))
        except ValidationError as invalid:
            problems.setdefault(name, []).extend(sentence(p.reason) for p in invalid.problems)
    # Checks across fields run too, on what could be read, so every problem is shown at once, not in waves;
    # a field that could not be read keeps only its own message.
    unreadable = set(problems)
    merged = base | values
    for problem in check_entry(merged, creating=creating):
        if problem.column in unreadable:
            continue
        field = F.FIELD_BY_NAME.get(problem.column)
        if field and field.vocabulary and field.required and not merged.get(problem.column):
            # The form offers a list: its codes (spreadsheet words) mean nothing here.
            reason = f"{field.label} is required: choose one from the list"
        else:
            reason = problem.reason
        problems.setdefault(problem.column, []).append(sentence(reason))
    return values, problems




def clear_cached_reads() -> None:
    """After every write: nothing cached may keep an old entry (the search index follows the change counter)."""
    st.cache_data.clear()


# -- the page ------------------------------------------------------------------------------------------


def widget(name: str, key: str, current: Any) -> None:
    """One input for `name`, with its label and help; codes are chosen by their labels."""
    field = F.FIELD_BY_NAME[name]
    label = field.label + (" (required)" if field.required else "")
    help_text = field_help(name)
    if key not in st.session_state:
        if field.kind == F.CODES:
            st.session_state[key] = list(current or ())
        elif field.kind == F.CODE:
            st.session_state[key] = current or ""
        elif field.kind == F.BOOL:
            st.session_state[key] = "" if current is None else ("yes" if current else "no")
        else:
            st.session_state[key] = as_text(name, current)
    if field.kind == F.CODE:
        words = vocabulary(name)
        empty = "Choose one" if field.required else "Not stated"
        st.selectbox(label, ["", *words], key=key, help=help_text,
                     format_func=lambda code: words.get(code, empty) if code else empty)
    elif field.kind == F.CODES:
        words = vocabulary(name)
        st.multiselect(label, list(words), key=key, help=help_text, format_func=lambda code: words.get(code, code),
                       placeholder="Choose any that apply")
    elif field.kind == F.BOOL:
        st.selectbox(label, list(BOOL_CHOICES), key=key, help=help_text, format_func=BOOL_CHOICES.get)
    elif name in LONG_TEXT:
        st.text_area(label, key=key, help=help_text, height=120)
    else:
        st.text_input(label, key=key, help=help_text, placeholder=PLACEHOLDERS.get(name, ""))


def widget_text(name: str, key: str) -> str:
    value = st.session_state.get(key)
    kind = F.FIELD_BY_NAME[name].kind
    if kind == F.CODES:
        return ";".join(value or [])
    if kind == F.WORDS:
        return ";".join(w.strip() for w in (value or "").replace(",", ";").split(";") if w.strip())
    return value or ""


def show_position(directory, postcode: str | None, latitude=None, longitude=None) -> None:
    """The place a postcode gives, on a small map, so a wrong one is noticed before saving."""
    from ui import maps

    if latitude is None and postcode:
        try:
            latitude, longitude = directory.locate_postcode(postcode)
        except ValueError:
            return
    if latitude is None:
        return
    st.caption(f"Where {postcode or 'it'} is: check the pin is in the right place.")
    point = maps.MapPoint(latitude, longitude, "", postcode or "", "", "", "")
    maps.show_one_place(point, maps.tiles_config(st.secrets), key=f"edit_map_{postcode}", height=220)


def main(editing: bool = False) -> None:
    from ui.auth import require_account
    from ui.bootstrap import ensure_app_navigation, get_directory
    from ui.feedback import flash
    from ui.render import esc, format_datetime, md

    ensure_app_navigation()
    directory = get_directory()
    entry_id = (st.query_params.get("id") or "").strip()
    if editing and not entry_id:
        st.title("Edit an entry")
        st.info("Find the entry first, open it, then choose **Edit this entry**.")
        st.page_link("pages/find.py", label="Find provision", icon=":material/search:")
        st.stop()
    creating = not entry_id
    account = require_account(directory, "editor", doing="change entries",
                              title="Add an entry" if creating else "Edit an entry")

    entry = None
    if not creating:
        try:
            entry = directory.get(entry_id)
        except NotFound:
            st.title("Entry not found")
            st.error(f"There is no entry with the id “{md(entry_id[:60])}”. Search for it by name instead.")
            st.page_link("pages/find.py", label="Find provision", icon=":material/search:")
            st.stop()

    scope = entry_id or "new"
    opened_key = f"edit_opened::{scope}"
    if opened_key not in st.session_state:
        # The version (and values) the form was opened on: a save is based on these, never on a later read.
        st.session_state[opened_key] = {
            "version": entry.version if entry else 0,
            "values": entry.values() if entry else dict(F.EMPTY_ENTRY),
        }
    opened = st.session_state[opened_key]
    base: dict[str, Any] = opened["values"]

    def key(name: str) -> str:
        return f"edit::{scope}::{name}"

    def finished(message: str, saved_id: str) -> None:
        for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(
                (f"edit::{scope}::", opened_key, f"edit_conflict::{scope}", f"edit_pending::{scope}",
                 f"edit_verify::{scope}"))]:
            del st.session_state[k]
        clear_cached_reads()
        flash(md(message), icon=":material/check_circle:")
        st.switch_page("pages/entry.py", query_params={"id": saved_id})

    if creating:
        st.title("Add an entry")
        st.caption("Everything you add is shown with your name and can be changed or undone by other forum members.")
    else:
        st.page_link("pages/entry.py", label="Back to the entry", icon=":material/arrow_back:",
                     query_params={"id": entry_id})
        st.title(f"Edit: {md(entry.name)}")
        st.caption(f"You are editing version {opened['version']}. If someone else saves first, you will see "
                   "their changes beside yours and choose what to keep.")
        if entry.version != opened["version"] and f"edit_conflict::{scope}" not in st.session_state:
            st.info("Someone has saved this entry since you opened the form. When you save, you will see "
                    "their changes beside yours.")

    # -- a conflict waiting for choices --------------------------------------------------------------
    conflict = st.session_state.get(f"edit_conflict::{scope}")
    if conflict is not None:
        show_conflict(directory, account, entry_id, conflict, finished, esc, format_datetime)
        return

    # -- the place on a map (and any likely duplicates) before saving --------------------------------------
    pending = st.session_state.get(f"edit_pending::{scope}")
    if pending is not None:
        confirm_before_saving(directory, account, entry_id, pending, opened["version"], scope, key, finished)
        return

    # -- the form ------------------------------------------------------------------------------------------
    slots: dict[str, Any] = {}
    with st.form(f"edit_form_{scope}"):
        for title, names in SECTIONS:
            st.header(title)
            columns = st.columns(2)
            short = [n for n in names if n not in LONG_TEXT]
            for name in names:
                holder = st if name in LONG_TEXT else columns[short.index(name) % 2]
                with holder.container():
                    widget(name, key(name), base.get(name))
                    slots[name] = st.empty()
        if not creating:
            st.caption("“Last verified” is not edited here: use **Mark as verified** on the entry page.")
        save = st.form_submit_button("Add the entry" if creating else "Save changes", type="primary")
        # The forum's most common job: correct what changed and confirm the rest is still right, in one go.
        save_and_verify = False if creating else st.form_submit_button(
            "Save and mark as verified", help="Saves your changes and records that you checked the whole entry today.")
        check = st.form_submit_button("Check the postcode on a map")

    if not (save or save_and_verify or check):
        return
    if save or save_and_verify:  # what this save asks for (a conflict or a map check may come between)
        st.session_state[f"edit_verify::{scope}"] = bool(save_and_verify)
    texts = {name: widget_text(name, key(name)) for name in FORM_FIELDS}
    values, problems = parse_form(texts, base, creating)
    # The postcode must be one we can place, by the rule saving uses (Directory.with_position), so the map check shows
    # where the entry will be: a position typed wins; a new postcode with the old entry's latitude and
    # longitude still in the form moves the entry; a form with no position takes the postcode's.
    typed = {n: values.get(n) for n in ("latitude", "longitude")
             if texts.get(n, "").strip() and texts.get(n) != as_text(n, base.get(n))}
    if "postcode" not in problems and values.get("postcode") and not typed:
        asked = {"postcode": values["postcode"]} if (values.get("postcode") != base.get("postcode")
                                                    or values.get("latitude") is None) else {}
        try:
            placed = directory.with_position(asked, base | {"latitude": values.get("latitude")})
            values.update({n: placed[n] for n in ("latitude", "longitude") if n in placed})
        except ValueError as error:
            problems.setdefault("postcode", []).append(sentence(str(error)))
    for name, reasons in problems.items():
        target = slots.get(name) or slots.get("postcode")
        target.error("\n\n".join(md(r) for r in reasons), icon=":material/warning:")
    if problems:
        count = sum(len(r) for r in problems.values())
        order = {name: i for i, name in enumerate(FORM_FIELDS)}
        labels = [F.FIELD_BY_NAME[n].label for n in sorted(problems, key=lambda n: order.get(n, len(order)))]
        where = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        st.error(f"Nothing was saved: {count} {'thing needs' if count == 1 else 'things need'} correcting, "
                 f"under {md(where)} above.")
        return
    if check:
        if values.get("postcode"):
            show_position(directory, values.get("postcode"), values.get("latitude"), values.get("longitude"))
        else:
            st.info("There is no postcode to check.")
        return

    if creating:
        new_values = {n: v for n, v in values.items() if v not in (None, ())}
        matches = [{"key": m.key, "name": m.name, "distance_m": m.distance_m}
                   for m in directory.likely_duplicates(new_values)]
        if not matches and new_values.get("latitude") is None:
            # Nothing to show on a map and nothing like it: straight in.
            create_entry(directory, account, new_values, finished)
            return
        hold_for_confirmation(scope, key, new_values, matches)

    changes = {n: v for n, v in values.items() if v != base.get(n)}
    if not changes:
        if save_and_verify:
            verified = directory.verify(entry_id, account.username)
            finished(f"Nothing had changed; marked ‘{verified.name}’ as verified today.", entry_id)
        st.info("Nothing has changed, so nothing was saved.")
        return
    if {"postcode", "latitude", "longitude"} & set(changes) and values.get("latitude") is not None:
        hold_for_confirmation(scope, key, changes, [])
    save_changes(directory, account, entry_id, changes, opened["version"], scope, finished)


def hold_for_confirmation(scope: str, key, values: dict[str, Any], matches: list[dict]) -> NoReturn:
    """Show the place (and any likely duplicates) before saving. What was typed is kept aside, because
    Streamlit forgets a widget's value once a run does not draw it, and "Go back to the form" must not
    lose it."""
    st.session_state[f"edit_pending::{scope}"] = {
        "values": values, "matches": matches,
        "typed": {name: st.session_state.get(key(name)) for name in FORM_FIELDS}}
    st.rerun()


def confirm_before_saving(directory, account, entry_id: str, pending: dict, based_on: int, scope: str, key,
                          finished) -> None:
    from ui.render import md

    values, matches = pending["values"], pending["matches"]
    creating = not entry_id
    if matches:
        first = matches[0]
        where = f"{first['distance_m']:,} m away" if first["distance_m"] is not None else "in the directory"
        st.warning(f"This looks like ‘{md(first['name'])}’ {where}: open it instead?", icon=":material/warning:")
        for match in matches[:3]:
            st.page_link("pages/entry.py", label=f"Open ‘{match['name']}’", query_params={"id": match["key"]},
                         icon=":material/open_in_new:")
    else:
        st.info("Nothing is saved yet: check the pin is where the service is, then "
                + ("add the entry." if creating else "save your changes."), icon=":material/pin_drop:")
    show_position(directory, values.get("postcode"), values.get("latitude"), values.get("longitude"))
    confirm_label = ("No, it's different: create it" if matches else "Add the entry") if creating else "Save changes"
    left, right = st.columns(2)
    if left.button(confirm_label, type="primary"):
        if creating:
            create_entry(directory, account, values, finished)
        else:
            # Returns only if the save was refused (the message is shown); a conflict goes to the merge.
            save_changes(directory, account, entry_id, values, based_on, scope, finished)
    if right.button("Go back to the form"):
        del st.session_state[f"edit_pending::{scope}"]
        for name, typed in pending["typed"].items():
            st.session_state[key(name)] = typed
        st.rerun()


def create_entry(directory, account, values: dict[str, Any], finished) -> None:
    """Add the entry and go to its page, or say why not (the store checks it again)."""
    from ui.render import md

    try:
        created = directory.create(values, account.username)
    except (ValidationError, NotAllowed) as problem:
        st.error(md(sentence(str(problem))))
    else:
        finished(f"Added ‘{created.name}’.", created.id)


def save_changes(directory, account, entry_id: str, changes: dict, based_on: int, scope: str, finished) -> None:
    from ui.render import md

    try:
        saved = directory.update(entry_id, changes, based_on_version=based_on, author=account.username)
    except ConflictError as conflict:
        clear_cached_reads()
        st.session_state[f"edit_conflict::{scope}"] = {
            "mine": changes, "version": conflict.current.version, "current": conflict.current.values(),
            "theirs": {name: [(c.author, c.at, c.new) for c in items] for name, items in conflict.their_changes.items()},
        }
        st.rerun()
    except (ValidationError, NotAllowed) as problem:
        st.error(f"Nothing was saved: {md(sentence(str(problem)))}")
    else:
        if st.session_state.pop(f"edit_verify::{scope}", False):
            saved = directory.verify(entry_id, account.username)
            finished(f"Saved your changes to ‘{saved.name}’ and marked it as verified today (version {saved.version}).",
                     entry_id)
        finished(f"Saved your changes to ‘{saved.name}’ (version {saved.version}).", entry_id)


def show_conflict(directory, account, entry_id: str, conflict: dict, finished, esc, format_datetime) -> None:
    from ui.render import person_names, shown_value

    who = person_names(directory)

    mine: dict[str, Any] = conflict["mine"]
    theirs: dict[str, list] = {n: v for n, v in conflict["theirs"].items() if n in F.FIELD_BY_NAME}
    st.warning("**Someone saved this entry after you opened it.** Nothing has been overwritten. Their changes "
               "are beside yours below: choose, for each field you changed, whether to keep theirs or use yours.",
               icon=":material/merge_type:")
    rows = []
    for name in [n for n in F.COLUMNS if n in mine or n in theirs]:
        label = F.FIELD_BY_NAME[name].label
        if name in theirs:
            author, at, new = theirs[name][-1]
            their_text = f"{esc(shown_value(name, F.from_json(name, new) if new is not None else None))}" \
                         f"<br><small>{esc(who(author))}, {esc(format_datetime(at))}</small>"
        else:
            their_text = "<small>(not changed by them)</small>"
        your_text = esc(shown_value(name, mine[name])) if name in mine else "<small>(not changed by you)</small>"
        rows.append(f"<tr><td>{esc(label)}</td><td>{their_text}</td><td>{your_text}</td></tr>")
    st.html('<table class="rp-conflict" style="border-collapse:collapse;width:100%">'
            "<tr><th style='text-align:left'>Field</th><th style='text-align:left'>Theirs (who, when)</th>"
            "<th style='text-align:left'>Yours</th></tr>" + "".join(rows) + "</table>"
            "<style>table.rp-conflict td{border-bottom:1px solid #ddd;padding:.3rem .5rem;vertical-align:top}</style>")
    choices: dict[str, str] = {}
    with st.form(f"conflict_form::{entry_id}"):
        for name in [n for n in F.COLUMNS if n in mine]:
            label = F.FIELD_BY_NAME[name].label
            if name in theirs:
                choices[name] = st.radio(label, ["Keep theirs", "Use mine"], key=f"choose::{entry_id}::{name}",
                                         horizontal=True)
            else:
                choices[name] = st.radio(f"{label} (only you changed it)", ["Use mine", "Drop my change"],
                                         key=f"choose::{entry_id}::{name}", horizontal=True)
        submitted = st.form_submit_button("Save with these choices", type="primary")
    if st.button("Cancel: keep their version and discard mine"):
        for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(
                (f"edit::{entry_id}::", f"edit_opened::{entry_id}", f"edit_conflict::{entry_id}",
                 f"edit_pending::{entry_id}"))]:
            del st.session_state[k]
        clear_cached_reads()
        st.switch_page("pages/entry.py", query_params={"id": entry_id})
    if submitted:
        chosen = {n: mine[n] for n, choice in choices.items() if choice == "Use mine"}
        if not chosen:
            finished("Kept their version: none of your changes were needed.", entry_id)
            return
        st.session_state.pop(f"edit_conflict::{entry_id}", None)
        save_changes(directory, account, entry_id, chosen, conflict["version"], entry_id, finished)


if __name__ == "__main__":
    main()
