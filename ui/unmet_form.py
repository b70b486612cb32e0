"""The "Record an unmet need" form, for pages where nothing suitable was found (directory/unmet.py).

Privacy-light by design: the kind of provision, the postcode district (a full postcode is cut to
its district before it is stored), the recovery stage, barrier tags and the date. Never a name,
a client reference or a full postcode; the form offers no field for them.
"""

from __future__ import annotations

import streamlit as st

from directory import codes
from directory.api import Directory
from directory.codes import BARRIERS
from directory.errors import InvalidUnmetNeed
from directory.unmet import UnmetNeedRecord, record_unmet_need
from ui.render import md, now_local, short_category_label

FIELDS = ("category", "district", "stage", "barriers", "date")


def _key(prefix: str, field: str) -> str:
    return f"{prefix}_{field}"


def unmet_need_form(directory: Directory, account, *, prefix: str, prefill: dict, source: str,
                    intro: str | None = None) -> UnmetNeedRecord | None:
    """The form, filled from `prefill` (category, district, stage, barriers) whenever that changes;
    records the need as `account` on "Record unmet need" and returns it (else None)."""
    state = st.session_state
    if state.get(_key(prefix, "for")) != prefill:  # new facts (another client, a changed profile): fill again
        state[_key(prefix, "category")] = prefill.get("category") or ""
        state[_key(prefix, "district")] = prefill.get("district") or ""
        state[_key(prefix, "stage")] = prefill.get("stage") or ""
        state[_key(prefix, "barriers")] = [b for b in prefill.get("barriers") or () if b in BARRIERS]
        state[_key(prefix, "for")] = prefill
    with st.form(_key(prefix, "form"), border=False):
        st.caption(intro or "Only what was needed and roughly where: never the client's name, reference, "
                            "address or full postcode.")
        left, right = st.columns(2)
        left.selectbox("Kind of provision needed", options=["", *codes.CATEGORIES], key=_key(prefix, "category"),
                       format_func=lambda c: short_category_label(c) if c else "Choose one")
        right.text_input("Postcode district", key=_key(prefix, "district"), placeholder="e.g. TS1",
                         help="A full postcode is cut to its district before it is saved.")
        left.selectbox("Recovery stage", options=["", *codes.STAGES], key=_key(prefix, "stage"),
                       format_func=lambda s: codes.STAGES.get(s, "Not known"))
        right.date_input("Date", value=now_local().date(), max_value=now_local().date(), key=_key(prefix, "date"),
                         format="DD/MM/YYYY")
        st.multiselect("Barriers", options=list(BARRIERS), format_func=BARRIERS.get, key=_key(prefix, "barriers"),
                       placeholder="Any that apply")
        if not st.form_submit_button("Record unmet need", type="primary", icon=":material/edit_note:"):
            return None
    if not state.get(_key(prefix, "category")):
        st.error("Choose the kind of provision that was needed.")
        return None
    try:
        need = record_unmet_need(directory, state[_key(prefix, "category")], state.get(_key(prefix, "district")),
                                 state.get(_key(prefix, "stage")) or None, state.get(_key(prefix, "barriers")) or (),
                                 account.username, source=source, on=state.get(_key(prefix, "date")))
    except InvalidUnmetNeed as problem:
        st.error(md(str(problem)))
        return None
    where = f" in {md(need.district)}" if need.district else ""
    st.success(f"Recorded: {md(short_category_label(need.category))}{where}. Thank you. Coordinators see it on "
               "the Unmet needs page; no client details were kept.", icon=":material/check:")
    return need
