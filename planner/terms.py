"""Words to match on: normalised terms and their synonym groups (rules.SECTOR_SYNONYMS).

A term ("Food hygiene level 2", "Café", "catering") becomes a set of match
keys: `=food hygiene level 2` for the exact term, and `~hospitality` for each
synonym group one of whose words or phrases it holds as whole words. Two terms
match when their keys meet; the index keeps, per key, which entries hold it.
"""

from __future__ import annotations

from functools import lru_cache

from directory.text import fold
from planner.rules import BASIC_SKILLS_SUBJECTS, SECTOR_SYNONYMS


def _holds(phrase: str, term: str) -> bool:
    return f" {phrase} " in f" {term} "


@lru_cache(maxsize=65536)
def match_keys(text: str) -> frozenset[str]:
    """The keys a term matches on; empty for a term with no words."""
    term = fold(text)
    if not term:
        return frozenset()
    groups = {f"~{group}" for group, words in SECTOR_SYNONYMS.items() if any(_holds(w, term) for w in words)}
    return frozenset({f"={term}", *groups})


def group_key(group: str) -> str:
    return f"~{group}"


@lru_cache(maxsize=65536)
def _tag_holds(tag: str, words: tuple[str, ...]) -> bool:
    term = fold(tag)
    return any(_holds(fold(word), term) for word in words)


def has_tag(tags: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Does one of `tags` hold one of `words` (as whole words)? Cached per tag: tags repeat, sets of them less."""
    return any(_tag_holds(tag, words) for tag in tags)


def basic_skills_subjects(tags: tuple[str, ...]) -> frozenset[str]:
    """The basic-skills subjects `tags` name (rules.BASIC_SKILLS_SUBJECTS)."""
    return frozenset(subject for subject, words in BASIC_SKILLS_SUBJECTS.items() if has_tag(tags, words))
