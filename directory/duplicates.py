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

import bisect
import functools
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from directory import fields as F
from directory.geo import haversine_km
from directory.text import fold

NAME_THRESHOLD = 85.0
ORGANISATION_THRESHOLD = 70.0
# A name of two or more words that begins another ("ESOL drop-in for women" and "ESOL drop-in for women,
# with creche") is a likely duplicate only from the same organisation. Words found elsewhere in the
# other name are not enough: "Tees Valley Recovery Café" and "Café jobs for people in recovery – Tees
# Valley Recovery Café CIC" are two services of one café.
SAME_ORGANISATION_THRESHOLD = 90.0
MAX_DISTANCE_M = 500.0
_CELL_DEGREES = 0.01  # ~1.1 km north-south, ~0.65 km east-west in England


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(haversine_km(lat1, lon1, lat2, lon2)) * 1000.0


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


def begins_the_other(folded_a: str, folded_b: str) -> bool:
    """Whether the shorter name, of two or more words, is how the longer begins ('esol drop in for women')."""
    shorter, longer = sorted((folded_a, folded_b), key=len)
    return len(shorter.split()) >= 2 and longer.startswith(shorter + " ")


def likely_duplicate(folded_name_a: str, folded_name_b: str, folded_organisation_a: str, folded_organisation_b: str,
                     metres: float | None, *, name_score: float | None = None) -> tuple[float, float] | None:
    """The duplicate rule, the one the import, adding an entry and the coordinators' scan all apply:
    (name similarity, organisation similarity), each 0..100, when two entries are likely the same service,
    else None. `metres` apart (None: not both positioned); `name_score` if already worked out (below the
    threshold or None means "not similar by spelling")."""
    if name_score is None or name_score < NAME_THRESHOLD:
        name_score = None
    organisation_score = fuzz.token_set_ratio(folded_organisation_a, folded_organisation_b)
    if name_score is None:
        if not (begins_the_other(folded_name_a, folded_name_b) and organisation_score >= SAME_ORGANISATION_THRESHOLD):
            return None
        name_score = name_similarity(folded_name_a, folded_name_b)
    if organisation_score < ORGANISATION_THRESHOLD:
        return None
    if metres is not None and metres > MAX_DISTANCE_M:
        return None
    return name_score, organisation_score


def _similar_names(folded_name: str, names: list[str]) -> dict[int, float]:
    """Index -> similarity for the names at or above the threshold (both scorers run in C over the list)."""
    found: dict[int, float] = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        for _, score, index in process.extract(folded_name, names, scorer=scorer, processor=None,
                                               score_cutoff=NAME_THRESHOLD, limit=None):
            found[index] = max(score, found.get(index, 0.0))
    return found


# A row's name and organisation are folded to check it and again to add it, and organisations repeat down a file.
_folded = functools.lru_cache(maxsize=16_384)(fold)


def grid_cell(latitude: float, longitude: float) -> tuple[int, int]:
    return (math.floor(latitude / _CELL_DEGREES), math.floor(longitude / _CELL_DEGREES))


# Legal-form words that say nothing about who an organisation is ("Tees Recovery Ltd" is "Tees Recovery").
LEGAL_FORM_WORDS = frozenset({"the", "ltd", "limited", "cic", "cio", "plc", "llp", "inc"})


def organisation_block(organisation: str | None) -> str:
    """The block an unpositioned entry is compared within: its folded organisation without legal-form words."""
    folded = _folded(organisation)
    words = [w for w in folded.split() if w not in LEGAL_FORM_WORDS]
    return " ".join(words) or folded


class _Block:
    """The candidates of one grid cell (or one organisation's unpositioned entries), with their folded names
    as a list (scored in C) and sorted (a name that begins another is found by bisecting, not by a loop)."""

    __slots__ = ("candidates", "names", "sorted_names")

    def __init__(self) -> None:
        self.candidates: list[Candidate] = []
        self.names: list[str] = []
        self.sorted_names: list[tuple[str, int]] = []

    def add(self, candidate: Candidate) -> None:
        bisect.insort(self.sorted_names, (candidate.folded_name, len(self.candidates)))
        self.candidates.append(candidate)
        self.names.append(candidate.folded_name)

    def beginnings(self, prefix: str, cuts: list[str], offset: int, found: set[int]) -> None:
        """Adds to `found` the indices (+ offset) of the names that could begin a name or that it could begin:
        exactly those `begins_the_other` may say yes to, and a few more (it decides). `prefix`: the name and a
        space; `cuts`: the name cut just before each of its spaces (of two or more words: a one-word beginning
        never counts). Walked by position: a slice would copy the rest of the block, every time."""
        names = self.sorted_names
        # Names that `prefix` begins: those sorting from it up to the first that does not start so.
        position, end = bisect.bisect_left(names, (prefix, -1)), len(names)
        while position < end and names[position][0].startswith(prefix):
            found.add(names[position][1] + offset)
            position += 1
        # Names that begin it: each is one of its cuts.
        for beginning in cuts:
            position = bisect.bisect_left(names, (beginning, -1))
            while position < end and names[position][0] == beginning:
                found.add(names[position][1] + offset)
                position += 1


class DuplicateFinder:
    """Candidates blocked by ~1 km cell (positioned) or by organisation (not): a check compares a row with the
    blocks around it only, and the per-candidate work in Python is for names already found similar (in C)
    or found beginning one another (by bisecting), so it does not grow with the blocks' size."""

    def __init__(self) -> None:
        self._by_cell: dict[tuple[int, int], _Block] = {}
        self._by_organisation: dict[str, _Block] = {}

    @classmethod
    def of(cls, entries) -> DuplicateFinder:
        finder = cls()
        for entry in entries:
            finder.add(entry.id, entry.name, entry.organisation, entry.latitude, entry.longitude)
        return finder

    def add(self, key: str, name: str, organisation: str, latitude: float | None, longitude: float | None) -> None:
        candidate = Candidate(key, name, organisation, latitude, longitude, _folded(name), _folded(organisation))
        if latitude is not None and longitude is not None:
            block = self._by_cell.get(grid_cell(latitude, longitude))
            if block is None:
                block = self._by_cell[grid_cell(latitude, longitude)] = _Block()
        else:
            block = self._by_organisation.get(organisation_block(organisation))
            if block is None:
                block = self._by_organisation[organisation_block(organisation)] = _Block()
        block.add(candidate)

    def _nearby(self, latitude: float, longitude: float) -> list[_Block]:
        row, column = grid_cell(latitude, longitude)
        blocks = (self._by_cell.get((row + dr, column + dc)) for dr in (-1, 0, 1) for dc in (-1, 0, 1))
        return [block for block in blocks if block is not None]

    def find(
        self, name: str, organisation: str, latitude: float | None, longitude: float | None, *, exclude: str | None = None
    ) -> list[Match]:
        """Likely duplicates of the described entry, most similar first."""
        folded_name, folded_organisation = _folded(name), _folded(organisation)
        positioned = latitude is not None and longitude is not None
        if positioned:
            blocks = self._nearby(latitude, longitude)
        else:
            block = self._by_organisation.get(organisation_block(organisation))
            blocks = [] if block is None else [block]
        pool = list(itertools.chain.from_iterable(b.candidates for b in blocks))
        similar = _similar_names(folded_name, list(itertools.chain.from_iterable(b.names for b in blocks)))
        chosen = set(similar)
        words = folded_name.split(" ")
        if len(words) >= 2:  # a one-word name neither begins another nor is begun, by the rule
            prefix = folded_name + " "
            cuts = [" ".join(words[:count]) for count in range(2, len(words))]
            offset = 0
            for block in blocks:
                block.beginnings(prefix, cuts, offset, chosen)
                offset += len(block.candidates)
        matches = []
        for index in chosen:
            candidate = pool[index]
            if candidate.key == exclude:
                continue
            if index not in similar and not begins_the_other(folded_name, candidate.folded_name):
                continue
            metres = distance_m(latitude, longitude, candidate.latitude, candidate.longitude) if positioned else None
            scores = likely_duplicate(folded_name, candidate.folded_name, folded_organisation,
                                      candidate.folded_organisation, metres, name_score=similar.get(index))
            if scores is not None:
                matches.append(Match(candidate.key, candidate.name, round(scores[0] / 100, 2),
                                     None if metres is None else round(metres)))
        return sorted(matches, key=lambda m: (-m.similarity, m.distance_m or 0, m.key))


# -- the whole directory at once (the coordinators' Duplicates page) ------------------------------------

# Cells compared with each cell besides itself: half the 8 neighbours, so each pair of cells is compared once.
_FORWARD_NEIGHBOURS = ((0, 1), (1, -1), (1, 0), (1, 1))


@dataclass(frozen=True)
class DuplicatePair:
    first: F.Entry  # the smaller id
    second: F.Entry
    name_similarity: float  # 0..1, the better of ratio and token_sort_ratio on folded names
    organisation_similarity: float  # 0..1, token_set_ratio on folded organisations
    distance_m: float | None  # None when neither has a position (blocked by organisation instead)

    @property
    def ids(self) -> tuple[str, str]:
        return self.first.id, self.second.id


def pair_key(a: str, b: str) -> tuple[str, str]:
    """How a pair is stored (DuplicateDecision): the smaller id first."""
    return (a, b) if a < b else (b, a)


def _blocks(entries: Sequence[F.Entry]) -> tuple[dict[tuple[int, int], list[int]], dict[str, list[int]]]:
    """Indices of positioned entries by map cell (as DuplicateFinder blocks), and of the others by organisation."""
    by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_organisation: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        if entry.has_position:
            by_cell[grid_cell(entry.latitude, entry.longitude)].append(index)
        else:
            by_organisation[organisation_block(entry.organisation)].append(index)
    return by_cell, by_organisation


def _name_scores(queries: list[str], choices: list[str]) -> np.ndarray:
    """queries x choices similarity (0..100), the better of the two fast scorers; 0 below the threshold."""
    scores = None
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        found = process.cdist(queries, choices, scorer=scorer, processor=None, score_cutoff=NAME_THRESHOLD)
        scores = found if scores is None else np.maximum(scores, found)
    return scores


def _pairs_between(rows: list[int], columns: list[int], names: list[str], same_block: bool):
    """(i, j, name score or None) for every pair between two blocks that the duplicate rule could take:
    names similar by spelling (scored in C, all at once), or one name beginning the other (found by
    bisecting the sorted names). Within one block, each pair once."""
    scores = _name_scores([names[i] for i in rows], [names[j] for j in columns])
    if same_block:
        scores = np.triu(scores, k=1)
    found = {}
    for r, c in zip(*np.nonzero(scores >= NAME_THRESHOLD)):
        found[(rows[r], columns[c])] = float(scores[r, c])
    for i, j in _begun_by(rows, columns, names):
        if i != j:
            found.setdefault((min(i, j), max(i, j)) if same_block else (i, j), None)
    if not same_block:  # and a longer name in `rows` that a name in `columns` begins
        for j, i in _begun_by(columns, rows, names):
            found.setdefault((i, j), None)
    for (i, j), score in found.items():
        yield i, j, score


def _begun_by(shorter: list[int], longer: list[int], names: list[str]):
    """(i, j) for i in `shorter` of two or more words and j in `longer` whose name begins with i's and a space."""
    by_name = sorted((names[j], j) for j in longer)
    keys = [name for name, _ in by_name]
    for i in shorter:
        if len(names[i].split()) < 2:
            continue
        prefix = names[i] + " "
        for name, j in by_name[bisect.bisect_left(keys, prefix):]:
            if not name.startswith(prefix):
                break
            yield i, j


def _candidate_pairs(entries: Sequence[F.Entry], names: list[str]):
    by_cell, by_organisation = _blocks(entries)
    for (row, column), members in by_cell.items():
        yield from _pairs_between(members, members, names, True)
        neighbours = [i for dr, dc in _FORWARD_NEIGHBOURS for i in by_cell.get((row + dr, column + dc), ())]
        if neighbours:
            yield from _pairs_between(members, neighbours, names, False)
    for members in by_organisation.values():
        if len(members) > 1:
            yield from _pairs_between(members, members, names, True)


def find_duplicate_pairs(entries: Sequence[F.Entry], *, skip: Iterable[tuple[str, str]] = ()) -> list[DuplicatePair]:
    """Likely duplicate pairs among `entries` (no database: benchmarked on 50,000), most similar first.

    The same rule as adding an entry or importing a row (`likely_duplicate`), applied to every pair
    that shares or neighbours a ~1 km cell (entries with no position: within their organisation).
    Archived entries and pairs in `skip` (smaller id first) are left out.
    """
    live = [e for e in entries if not e.archived]
    names = [fold(e.name) for e in live]
    organisations = [fold(e.organisation) for e in live]
    skip = set(skip)
    pairs = []
    for i, j, name_score in _candidate_pairs(live, names):
        a, b = live[i], live[j]
        if pair_key(a.id, b.id) in skip:
            continue
        metres = distance_m(a.latitude, a.longitude, b.latitude, b.longitude) if a.has_position else None
        scores = likely_duplicate(names[i], names[j], organisations[i], organisations[j], metres, name_score=name_score)
        if scores is None:
            continue
        first, second = (a, b) if a.id < b.id else (b, a)
        pairs.append(DuplicatePair(first, second, round(scores[0] / 100, 2), round(scores[1] / 100, 2),
                                   None if metres is None else round(metres)))
    return sorted(pairs, key=lambda p: (-p.name_similarity, -p.organisation_similarity, p.distance_m or 0, p.ids))
