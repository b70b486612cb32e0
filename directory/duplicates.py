"""Likely duplicates: similar name (or, from the same organisation, one name beginning the other), same or
similar organisation, close together.

Candidates are blocked first (positioned entries by ~1 km grid cell and its
neighbours; entries with no position by organisation), so a check costs a few
comparisons however large the directory is. Names are compared on accent- and punctuation-folded text with the better of
rapidfuzz's `ratio` (catches "Jobclub" / "Job Club") and `token_sort_ratio`
(word order: "Recovery Café Tees" / "Tees Recovery Cafe"); both are fast,
unlike WRatio.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

NAME_THRESHOLD = 85.0
ORGANISATION_THRESHOLD = 70.0
# A name of two or more words that begins another ("ESOL drop-in for women" and "ESOL drop-in for women,
# with creche") is a likely duplicate only from the same organisation. Words found elsewhere in the
# other name are not enough: "Tees Valley Recovery Café" and "Café jobs for people in recovery – Tees
# Valley Recovery Café CIC" are two services of one café.
SAME_ORGANISATION_THRESHOLD = 90.0
MAX_DISTANCE_M = 500.0
_CELL_DEGREES = 0.01  # ~1.1 km north-south, ~0.65 km east-west in England
_EARTH_RADIUS_M = 6_371_008.8


_NOT_WORD = re.compile(r"[^a-z0-9\s]")


def fold(text: str | None) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: 'Café-Bar!' -> 'cafe bar'."""
    if not text:
        return ""
    # Dropping what is not ASCII after decomposition removes accents in one C call (é -> e).
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Candidate:
    key: str  # entry id, or "row N" for a row of a file being imported
    name: str
    organisation: str
    latitude: float | None
    longitude: float | None
    folded_name: str
    folded_organisation: str


@dataclass(frozen=True)
class Match:
    key: str
    name: str
    similarity: float  # 0..1
    distance_m: float | None


def name_similarity(folded_a: str, folded_b: str) -> float:
    """0..100 similarity of two folded names."""
    return max(fuzz.ratio(folded_a, folded_b), fuzz.token_sort_ratio(folded_a, folded_b))


def _similar_names(folded_name: str, names: list[str]) -> dict[int, float]:
    """Index -> similarity for the names at or above the threshold (both scorers run in C over the list)."""
    found: dict[int, float] = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        for _, score, index in process.extract(folded_name, names, scorer=scorer, processor=None,
                                               score_cutoff=NAME_THRESHOLD, limit=None):
            found[index] = max(score, found.get(index, 0.0))
    return found


def grid_cell(latitude: float, longitude: float) -> tuple[int, int]:
    return (math.floor(latitude / _CELL_DEGREES), math.floor(longitude / _CELL_DEGREES))


# Legal-form words that say nothing about who an organisation is ("Tees Recovery Ltd" is "Tees Recovery").
LEGAL_FORM_WORDS = frozenset({"the", "ltd", "limited", "cic", "cio", "plc", "llp", "inc"})


def organisation_block(organisation: str | None) -> str:
    """The block an unpositioned entry is compared within: its folded organisation without legal-form words."""
    words = [w for w in fold(organisation).split() if w not in LEGAL_FORM_WORDS]
    return " ".join(words) or fold(organisation)


class DuplicateFinder:
    def __init__(self) -> None:
        self._by_cell: dict[tuple[int, int], list[Candidate]] = {}
        self._by_organisation: dict[str, list[Candidate]] = {}

    @classmethod
    def of(cls, entries) -> DuplicateFinder:
        finder = cls()
        for entry in entries:
            finder.add(entry.id, entry.name, entry.organisation, entry.latitude, entry.longitude)
        return finder

    def add(self, key: str, name: str, organisation: str, latitude: float | None, longitude: float | None) -> None:
        candidate = Candidate(key, name, organisation, latitude, longitude, fold(name), fold(organisation))
        if latitude is not None and longitude is not None:
            self._by_cell.setdefault(grid_cell(latitude, longitude), []).append(candidate)
        else:
            self._by_organisation.setdefault(organisation_block(organisation), []).append(candidate)

    def _nearby(self, latitude: float, longitude: float):
        row, column = grid_cell(latitude, longitude)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                yield from self._by_cell.get((row + dr, column + dc), ())

    def find(
        self, name: str, organisation: str, latitude: float | None, longitude: float | None, *, exclude: str | None = None
    ) -> list[Match]:
        """Likely duplicates of the described entry, most similar first."""
        folded_name, folded_organisation = fold(name), fold(organisation)
        positioned = latitude is not None and longitude is not None
        pool = self._nearby(latitude, longitude) if positioned else self._by_organisation.get(organisation_block(organisation), ())
        pool = [c for c in pool if c.key != exclude]
        matches = []
        similar = _similar_names(folded_name, [c.folded_name for c in pool])
        for index, candidate in enumerate(pool):
            if index in similar:
                continue
            shorter, longer = sorted((folded_name, candidate.folded_name), key=len)
            if len(shorter.split()) >= 2 and longer.startswith(shorter + " ") and fuzz.token_set_ratio(
                    folded_organisation, candidate.folded_organisation) >= SAME_ORGANISATION_THRESHOLD:
                similar[index] = name_similarity(folded_name, candidate.folded_name)
        for index, name_score in similar.items():
            candidate = pool[index]
            if fuzz.token_set_ratio(folded_organisation, candidate.folded_organisation) < ORGANISATION_THRESHOLD:
                continue
            metres = None
            if positioned:
                metres = distance_m(latitude, longitude, candidate.latitude, candidate.longitude)
                if metres > MAX_DISTANCE_M:
                    continue
            matches.append(Match(candidate.key, candidate.name, round(name_score / 100, 2), None if metres is None else round(metres)))
        return sorted(matches, key=lambda m: (-m.similarity, m.distance_m or 0, m.key))
