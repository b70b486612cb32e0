"""Text folded for comparing: the one rule for search words, planner terms and duplicate names.

Plain Python (no database): the planner imports it too.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = ("'", "’", "`")
_WORD = re.compile(r"[^\W_]+")


def fold_words(text: str | None) -> list[str]:
    """The words of a text, folded: lower case (casefold), accents stripped, apostrophes dropped inside a
    word ("St Mary's" -> st, marys, not st, mary, s), anything else that is not a letter or digit a break.
    Letters without a decomposition stay letters ("Łódź" -> łodz), so text in any script can be matched."""
    if not text:
        return []
    text = text.casefold()
    for mark in _APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "")
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _WORD.findall(text)


def fold(text: str | None) -> str:
    """A text folded to its words, one space apart: "  Café-Bar, St Mary’s " -> "cafe bar st marys"."""
    return " ".join(fold_words(text))
