"""Messages that outlive a rerun: a page does something, reruns (or opens another page), and then says
what happened. `flash` keeps a message; `show_flash` shows and forgets those kept, where it is called.

Messages are Markdown as given: escape what a person typed (ui.render.md) before keeping it.
"""

from __future__ import annotations

import streamlit as st

FLASH_KEY = "rp_flash"
KINDS = ("success", "info", "warning", "error")


def flash(message: str, kind: str = "success", *, icon: str | None = None) -> None:
    """Keep `message` to show at the next `show_flash`, after those already kept."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of message {kind!r}: use one of {', '.join(KINDS)}")
    st.session_state.setdefault(FLASH_KEY, []).append((message, kind, icon))


def show_flash() -> None:
    """Show every kept message, in the order kept, then forget them."""
    for message, kind, icon in st.session_state.pop(FLASH_KEY, None) or ():
        getattr(st, kind)(message, icon=icon)
