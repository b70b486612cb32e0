"""Messages that outlive a rerun: a page does something, reruns (or opens another page), and then says
what happened. `flash` keeps a message; `show_flash` shows and forgets those kept, where it is called.
A message kept for a `place` ("card:esol-ts1", "client-form") is shown only by `show_flash(place)` there, so the
answer to an action appears beside the control that did it, not at the top of a long page.

Messages are Markdown as given: escape what a person typed (ui.render.md) before keeping it.
"""

from __future__ import annotations

import streamlit as st

FLASH_KEY = "rp_flash"
KINDS = ("success", "info", "warning", "error")


def flash(message: str, kind: str = "success", *, icon: str | None = None, place: str | None = None) -> None:
    """Keep `message` to show at the next `show_flash` (of `place`, when given), after those already kept."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of message {kind!r}: use one of {', '.join(KINDS)}")
    st.session_state.setdefault(_key(place), []).append((message, kind, icon))


def show_flash(place: str | None = None) -> None:
    """Show every message kept (for `place`), in the order kept, then forget them."""
    for message, kind, icon in st.session_state.pop(_key(place), None) or ():
        getattr(st, kind)(message, icon=icon)


def has_flash(place: str | None = None) -> bool:
    return bool(st.session_state.get(_key(place)))


def _key(place: str | None) -> str:
    return FLASH_KEY if place is None else f"{FLASH_KEY}:{place}"
