"""Directory search: a typo-tolerant text shortlist, a spatial grid and filters.

Keyworkers search with a client in the room, so a query must answer in tens of
milliseconds over tens of thousands of entries and forgive typing slips.

Text. Every entry's name, tags, sector, organisation and description are cut
into normalised words (lower case, accents and punctuation removed, stop words
dropped) and kept in an inverted index: for each word, the entries holding it
and the weight of the best field it appears in. A query word is matched
against the vocabulary, not against entries: exactly, as a prefix (people stop
typing half way), within one or two edits (OSA distance, so a swapped pair of
letters is one slip), and as a prefix within one edit ("plumbr" -> "plumbing").
The vocabulary grows far more slowly than the directory (thousands of words
for tens of thousands of entries), so typo matching stays cheap as it grows.
An entry's score is, for each query word, the best of (field weight x
similarity) over the words it holds, averaged over the query words: name
beats tags and sector, which beat organisation, which beats description; a
close spelling beats a distant one; and an entry matching every query word
beats one matching some. WRatio over whole entries
is deliberately not used: it is slow and rewards a long string sharing any
word ("City Mechanics Leeds" comes first for "plumbr leeds").

Space. Positions are projected once, at build, to the British National Grid
(EPSG:27700, metres). BNG is the country's own conformal projection: its
scale error is under 0.1% across Great Britain (under 1% within 900 km of its
central meridian), so a square of grid cells around a point is a safe
superset of a circle once padded by a few per cent, whereas an equirectangular
projection fitted to one latitude is 7% wrong in east-west distance between
Cornwall and Northumberland. The projection only chooses candidates; reported
distances are great-circle (haversine) kilometres. Points the projection does
not suit (far abroad) are kept aside and always checked directly.

The index is immutable once built (its arrays are read-only), so Streamlit's
session threads share one index without locks.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from pyproj import Transformer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from directory.fields import Entry
from directory.geo import haversine_km
from directory.places import PLACE_WORDS
from directory.text import fold, fold_words

# Field weights: the name says what a thing is; tags and sector are curated
# keywords; the organisation is often a big umbrella body; descriptions mention
# many things the entry is not.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 1.0,
    "tags": 0.8,
    "sector": 0.8,
    "organisation": 0.6,
    "description": 0.4,
}

# Kept short on purpose: "it" (the sector), "aa" and "na" (mutual aid) are real searches.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is near of on or our the their to with".split()
)

SHORT_TOKEN = 2            # words this short only match exactly or as a prefix
FUZZY_PREFIX_MIN = 5       # shorter words have too many near-miss prefixes to be a signal
PREFIX_FLOOR = 0.8         # similarity of a prefix match, rising to 1.0 as it nears the whole word
MAX_EXPANSIONS = 200       # vocabulary words one prefix may expand to (the commonest are kept)
MIN_SPLIT_PART = 3         # "jobclub" may be read as "job" + "club", not "j" + "obclub"
# A run-together word read as two words can only check that an entry holds both, not side by side
# ("football" -> an entry with "foot" and "ball"), so it counts for less than the word itself.
SPLIT_SIMILARITY = 0.9
# The same word written as two side by side in the entry ("jobcentre" typed, "Job Centre" written; "dropin",
# "drop-in"): surer than the two words anywhere, less sure than the word itself.
PHRASE_SIMILARITY = 0.95
# Two query words found together in an entry, side by side or as one word ("job centre": "Job Centre",
# "Jobcentre"; "drop in": "drop-in"), add this much (x the field's weight, averaged over the query's pairs) to
# the entry's score, so a whole phrase or compound outranks the same words scattered ("Job Club at the
# Community Centre"), even when the scattered words sit in a heavier field (a tag "self-referral" beats a name
# with "self" and a tag with "referral"): 0.25 x 0.8 > 1.0 - 0.8, but a pair in a description (0.4 + 0.1) stays
# below the same words in a name.
PHRASE_BONUS = 0.25
# Fields whose adjacent words are indexed as phrases: the short curated ones. Descriptions would double the
# index for little (a phrase in a description still matches word by word).
PHRASE_FIELDS = ("name", "tags", "sector", "organisation")
# A town's name left among the words searched for ("jobcentre stockton thornaby": the place is Stockton, and
# "thornaby" stays a word) says where, not what: it counts this much beside a word saying what is wanted, so
# the service words outrank it (directory/places.py). A query of place words only weighs them alike.
PLACE_WORD_WEIGHT = 0.5

# The work of one query is bounded here, and only here (bound_query). A keyworker's request typed in full
# ("ESOL conversation club near TS1 on Thursdays, free") is a few words and well under 100 characters;
# without a bound, a pasted page of text cost minutes of a server's CPU (every word matched against the
# whole vocabulary, every pair of neighbours too). Past a bound the query is cut and the person told so.
MAX_QUERY_CHARS = 300      # characters of a query read (cut at a space)
MAX_QUERY_WORDS = 12       # different words searched for; a repeated word is searched for once
MAX_WORD_MATCHES = 600     # vocabulary words one query word may stand for (the closest, then commonest)

GRID_CELL_M = 1500.0
# Projected distance may exceed the great-circle one by the BNG scale factor
# (<1% within the band below) plus the sphere/ellipsoid difference (<0.7%).
GRID_SAFETY = 1.03
GRID_SLACK_M = 100.0
BNG_CENTRAL_EASTING = 400_000.0
BNG_BAND_M = 900_000.0     # beyond this from the central meridian, points are checked directly


# -- public records --------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()            # any of
    near: tuple[float, float] | None = None     # (lat, lon) of the client / postcode
    within_km: float | None = None              # radius; online/phone-only entries stay in, distance None
    stage: str | None = None                    # entry.stages empty (any) or contains it
    day: int | None = None                      # 0=Mon: entries with a session that day
    free_only: bool = False                     # entry.is_free
    benefit: str | None = None                  # entry.eligible_benefits empty or contains it
    delivery: tuple[str, ...] = ()              # any overlap with entry.delivery
    group: str | None = None                    # the client is in this group: entry.for_groups empty or contains it


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float                 # 0..1 text relevance (1.0 when no query)
    distance_km: float | None    # great-circle; None when unplaced or online/phone only
    matched: tuple[str, ...]     # why it matched, for display: ("name: plumber", "tags: esol")


class Hits(list):
    """A search's hits, best first (a list), and `notice`: a plain sentence to show with them when the
    query was shortened (bound_query), else None."""

    def __init__(self, hits: Iterable[Hit] = (), notice: str | None = None):
        super().__init__(hits)
        self.notice = notice


# -- text normalisation ----------------------------------------------------------------


def words(text: str | None) -> list[str]:
    """The indexable words of a text: normalised, stop words dropped."""
    if not text:
        return []
    return [w for w in fold_words(text) if w not in STOP_WORDS]


def query_words(query: str) -> list[str]:
    """A query's words; a query of nothing but stop words is searched as typed."""
    every = fold_words(query)
    kept = [w for w in every if w not in STOP_WORDS]
    return kept or every


@dataclass(frozen=True)
class BoundedQuery:
    """What is searched for when `query` is typed: see bound_query."""

    text: str                   # the typed text cut to what is searched (the whole of it when not cut)
    words: tuple[str, ...]      # the words searched for: normalised, distinct, at most MAX_QUERY_WORDS
    notice: str | None = None   # a plain sentence for the person searching when the query was cut


def bound_query(query: str) -> BoundedQuery:
    """The words a search looks for: those of `query` (as query_words), each once, and no more than
    MAX_QUERY_WORDS different words from its first MAX_QUERY_CHARS characters. A longer query is cut
    (at a space), and `notice` says so. This is the one place a query's work is bounded."""
    text = query or ""
    shortened = None
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        if not text[MAX_QUERY_CHARS].isspace() and re.search(r"\s", cut):
            cut = re.sub(r"\S+$", "", cut)  # no half word at the end
        text, shortened = cut.rstrip(), f"the first {MAX_QUERY_CHARS} characters"
    # As query_words: stop words are dropped, unless there is nothing else.
    stop_words = STOP_WORDS if any(w not in STOP_WORDS for w in fold_words(text)) else frozenset()
    kept: dict[str, None] = {}
    for token in re.finditer(r"\S+", text):
        fresh = dict.fromkeys(w for w in fold_words(token.group()) if w not in stop_words and w not in kept)
        if len(kept) + len(fresh) > MAX_QUERY_WORDS:
            if kept:  # whole words as typed: "St-Mary's-Cafe" is not cut to "st marys"
                text = text[:token.start()].rstrip()
            else:  # one run-together word holds them all; an empty search would be everything
                kept = dict.fromkeys(list(fresh)[:MAX_QUERY_WORDS])
                text = " ".join(kept)
            shortened = f"the first {len(kept)} words"
            break
        kept.update(fresh)
    words = tuple(kept)
    notice = f"Your search was shortened to {shortened}: “{' '.join(words)}”." if shortened else None
    return BoundedQuery(text, words, notice)


def _field_texts(entry: Entry) -> Iterable[tuple[str, str | None]]:
    yield "name", entry.name
    yield "tags", " ; ".join(entry.tags)
    yield "sector", entry.sector
    yield "organisation", entry.organisation
    yield "description", entry.description


# Lightest first, so a word in several fields keeps its heaviest field's weight.
_FIELDS_LIGHTEST_FIRST = sorted(FIELD_WEIGHTS, key=FIELD_WEIGHTS.__getitem__)


def _best_field_weights(entry: Entry) -> dict[str, float]:
    """Each word of the entry with the weight of the heaviest field holding it."""
    texts = dict(_field_texts(entry))
    best: dict[str, float] = {}
    for field in _FIELDS_LIGHTEST_FIRST:
        best.update(dict.fromkeys(words(texts[field]), FIELD_WEIGHTS[field]))
    return best


def _entry_field_words(entry: Entry) -> dict[str, dict[str, None]]:
    """Each field's words in the order written (dicts, not sets, so explanations never vary)."""
    return {field: dict.fromkeys(words(text)) for field, text in _field_texts(entry)}


def _field_sequences(entry: Entry) -> Iterable[tuple[str, list[str]]]:
    """(field, folded words in order, stop words kept) for each run of words phrases may span: each tag is
    a run of its own, so two tags never make a phrase."""
    for field, text in _field_texts(entry):
        if field not in PHRASE_FIELDS:
            continue
        if field == "tags":
            for tag in entry.tags:
                yield field, fold_words(tag)
        else:
            yield field, fold_words(text)


def _phrases_of(sequence: list[str]) -> Iterable[tuple[str, str]]:
    """(joined, as written) for each pair of adjacent words, unless both are stop words: "drop in" ->
    ("dropin", "drop in")."""
    for a, b in zip(sequence, sequence[1:]):
        if a in STOP_WORDS and b in STOP_WORDS:
            continue
        yield a + b, f"{a} {b}"


# -- distances -------------------------------------------------------------------------


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# -- the text index --------------------------------------------------------------------


@dataclass(frozen=True)
class _Clause:
    """One way of satisfying query words: every part must match (a split word has two parts)."""

    covers: tuple[int, ...]                  # positions of the query words it satisfies
    parts: tuple[dict[int, float], ...]      # per part: vocabulary word id -> similarity


@dataclass(frozen=True)
class _Phrase:
    """A compound looked up whole: typed as two words ("job centre", covers both) or as one ("jobcentre")."""

    covers: tuple[int, ...]                  # positions of the query words it satisfies (a stop word has none)
    joined: str                              # "jobcentre"
    similarity: float                        # 1.0 typed as two words; PHRASE_SIMILARITY typed as one
    pair: bool                               # typed as two words: finding it earns PHRASE_BONUS


class _TextIndex:
    """Inverted index over normalised words, stored compressed-sparse-row style."""

    def __init__(self, terms: list[str], offsets: np.ndarray, docs: np.ndarray, weights: np.ndarray,
                 phrases: "_Postings"):
        self.phrase_postings = phrases              # adjacent words joined ("jobcentre" for "Job Centre"): exact only
        self.terms = terms                          # sorted, so a prefix is a contiguous range
        self.term_id = {t: i for i, t in enumerate(terms)}
        self.offsets, self.docs, self.weights = offsets, docs, weights
        self.doc_freq = _readonly(np.diff(offsets))
        self.term_len = _readonly(np.fromiter((len(t) for t in terms), np.int32, len(terms)))
        self.by_length = self._group_by_length(terms)
        self.prefixes = self._prefix_tables(terms)

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> "_TextIndex":
        ids: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        weights: list[float] = []
        phrase_postings: dict[str, dict[int, float]] = {}
        for doc, entry in enumerate(entries):
            best = _best_field_weights(entry)
            term_ids.extend([ids.setdefault(word, len(ids)) for word in best])
            doc_ids.extend([doc] * len(best))
            weights.extend(best.values())
            for field, sequence in _field_sequences(entry):
                weight = FIELD_WEIGHTS[field]
                for joined, _ in _phrases_of(sequence):
                    held = phrase_postings.setdefault(joined, {})
                    if weight > held.get(doc, 0.0):
                        held[doc] = weight
        terms = sorted(ids)
        rank = np.empty(len(ids), np.int64)
        rank[[ids[t] for t in terms]] = np.arange(len(terms))
        sorted_term = rank[np.asarray(term_ids, np.int64)]
        order = np.lexsort((np.asarray(doc_ids), sorted_term))
        counts = np.bincount(sorted_term, minlength=len(terms))
        offsets = np.concatenate(([0], np.cumsum(counts)))
        return cls(
            terms,
            _readonly(offsets),
            _readonly(np.asarray(doc_ids, np.int32)[order]),
            _readonly(np.asarray(weights, np.float64)[order]),
            _Postings.build(phrase_postings),
        )

    @staticmethod
    def _group_by_length(terms: list[str]) -> dict[int, tuple[list[str], np.ndarray]]:
        groups: dict[int, list[int]] = {}
        for i, term in enumerate(terms):
            groups.setdefault(len(term), []).append(i)
        return {n: ([terms[i] for i in ids], _readonly(np.asarray(ids, np.int64))) for n, ids in groups.items()}

    @staticmethod
    def _prefix_tables(terms: list[str]) -> dict[int, tuple[list[str], np.ndarray, np.ndarray]]:
        """For each length n, the distinct n-letter prefixes of longer words and their ranges in `terms`."""
        tables: dict[int, tuple[list[str], list[int], list[int]]] = {}
        longest = max((len(t) for t in terms), default=0)
        for n in range(FUZZY_PREFIX_MIN - 1, longest):
            prefixes: list[str] = []
            starts: list[int] = []
            ends: list[int] = []
            for i, term in enumerate(terms):
                if len(term) <= n:
                    continue
                prefix = term[:n]
                if prefixes and prefixes[-1] == prefix and ends[-1] == i:
                    ends[-1] = i + 1
                else:
                    prefixes.append(prefix)
                    starts.append(i)
                    ends.append(i + 1)
            if prefixes:
                tables[n] = (prefixes, starts, ends)
        return {
            n: (p, _readonly(np.asarray(s, np.int64)), _readonly(np.asarray(e, np.int64)))
            for n, (p, s, e) in tables.items()
        }

    # -- matching one query word against the vocabulary --

    def expand(self, word: str) -> dict[int, float]:
        """Vocabulary words `word` may stand for, with similarities in (0, 1]."""
        matches: dict[int, float] = {}
        self._add_prefix_matches(word, matches)
        if len(word) > SHORT_TOKEN:
            self._add_fuzzy_matches(word, matches)
        if len(word) >= FUZZY_PREFIX_MIN:
            self._add_fuzzy_prefix_matches(word, matches)
        exact = self.term_id.get(word)
        if exact is not None:
            matches[exact] = 1.0
        return self._closest(matches)

    def _closest(self, matches: dict[int, float]) -> dict[int, float]:
        """At most MAX_WORD_MATCHES of `matches`: the most similar, then the commonest, then A to Z."""
        if len(matches) <= MAX_WORD_MATCHES:
            return matches
        best = sorted(matches, key=lambda t: (-matches[t], -int(self.doc_freq[t]), t))[:MAX_WORD_MATCHES]
        return {t: matches[t] for t in best}

    def _add_prefix_matches(self, word: str, matches: dict[int, float]) -> None:
        lo = bisect.bisect_left(self.terms, word)
        hi = bisect.bisect_left(self.terms, word + "\U0010ffff")
        ids = self._commonest(np.arange(lo, hi))
        sims = PREFIX_FLOOR + (1 - PREFIX_FLOOR) * len(word) / self.term_len[ids]
        _merge(matches, ids, sims)

    def _add_fuzzy_matches(self, word: str, matches: dict[int, float]) -> None:
        edits = max_edits(len(word))
        for n in range(len(word) - edits, len(word) + edits + 1):
            group = self.by_length.get(n)
            if group is None:
                continue
            terms, ids = group
            distance = process.cdist([word], terms, scorer=OSA.distance, score_cutoff=edits, dtype=np.int32)[0]
            close = np.flatnonzero(distance <= edits)
            sims = 1.0 - distance[close] / max(len(word), n)
            _merge(matches, ids[close], sims)

    def _add_fuzzy_prefix_matches(self, word: str, matches: dict[int, float]) -> None:
        # Prefixes one letter shorter or longer catch a dropped or doubled letter.
        for n in (len(word) - 1, len(word), len(word) + 1):
            table = self.prefixes.get(n)
            if table is None:
                continue
            prefixes, starts, ends = table
            distance = process.cdist([word], prefixes, scorer=OSA.distance, score_cutoff=1, dtype=np.int32)[0]
            close = np.flatnonzero(distance == 1)
            if not len(close):
                continue
            ids = self._commonest(np.concatenate([np.arange(starts[i], ends[i]) for i in close]))
            typed = max(len(word), n)
            sims = (1.0 - 1.0 / typed) * (PREFIX_FLOOR + (1 - PREFIX_FLOOR) * typed / self.term_len[ids])
            _merge(matches, ids, sims)

    def _commonest(self, ids: np.ndarray) -> np.ndarray:
        """At most MAX_EXPANSIONS of `ids`, the most frequent, so "p" does not expand to thousands."""
        if len(ids) <= MAX_EXPANSIONS:
            return ids
        keep = np.argpartition(-self.doc_freq[ids], MAX_EXPANSIONS - 1)[:MAX_EXPANSIONS]
        return ids[keep]

    def splits(self, word: str) -> list[tuple[int, int]]:
        """Ways to read a run-together word as two vocabulary words ("jobclub" -> job, club)."""
        found = []
        for cut in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1):
            left, right = self.term_id.get(word[:cut]), self.term_id.get(word[cut:])
            if left is not None and right is not None:
                found.append((left, right))
        return found

    # -- compounds --

    def phrases(self, text: str, query: list[str]) -> list[_Phrase]:
        """Compounds to look up whole: each query word as two words side by side ("jobcentre" -> an entry's
        "Job Centre"), and each pair typed side by side, stop words included ("drop in" -> "drop-in",
        "Dropin"), which earns the pair bonus."""
        position = {word: i for i, word in enumerate(query)}
        found = [_Phrase((i,), word, PHRASE_SIMILARITY, False) for i, word in enumerate(query)
                 if word in self.phrase_postings.ids]
        typed = fold_words(text)
        pairs: dict[str, None] = {}
        for a, b in zip(typed, typed[1:]):
            covers = tuple(dict.fromkeys(position[w] for w in (a, b) if w in position))
            if covers and a + b not in pairs:
                pairs[a + b] = None
                found.append(_Phrase(covers, a + b, 1.0, True))
        return found

    def phrase_values(self, joined: str, n_docs: int) -> np.ndarray:
        """Per entry, the heaviest field holding `joined` as one word or as two side by side."""
        value = np.zeros(n_docs)
        term = self.term_id.get(joined)
        if term is not None:
            lo, hi = self.offsets[term], self.offsets[term + 1]
            value[self.docs[lo:hi]] = self.weights[lo:hi]
        self.phrase_postings.raise_to(joined, value)
        return value

    # -- scoring --

    def clauses(self, query: list[str]) -> list[_Clause]:
        clauses = [_Clause((i,), (self.expand(w),)) for i, w in enumerate(query)]
        for i, word in enumerate(query):
            for left, right in self.splits(word):
                clauses.append(_Clause((i,), ({left: SPLIT_SIMILARITY}, {right: SPLIT_SIMILARITY})))
        # "job club" typed for an entry that writes "Jobclub".
        for i in range(len(query) - 1):
            joined = self.expand(query[i] + query[i + 1])
            if joined:
                clauses.append(_Clause((i, i + 1), (joined,)))
        return [c for c in clauses if all(c.parts)]

    def scores(self, query: list[str], clauses: list[_Clause], n_docs: int,
               phrases: Sequence[_Phrase] = ()) -> np.ndarray:
        """Per entry, the mean over query words (a place word weighing PLACE_WORD_WEIGHT) of the best (field
        weight x similarity), plus PHRASE_BONUS x
        the mean over the pairs typed of the best field holding the pair whole (side by side or as one word,
        as typed or, run together, within a slip or two)."""
        best = np.zeros((len(query), n_docs))
        together: dict[tuple[int, ...], np.ndarray] = {}
        for clause in clauses:
            value = self._part_scores(clause.parts[0], n_docs)
            for part in clause.parts[1:]:
                np.minimum(value, self._part_scores(part, n_docs), out=value)
            for i in clause.covers:
                np.maximum(best[i], value, out=best[i])
            if len(clause.covers) == 2:  # the pair run together ("job centre" -> "jobcentre")
                together[clause.covers] = value
        pairs: list[np.ndarray] = []
        for phrase in phrases:
            value = self.phrase_values(phrase.joined, n_docs)
            if phrase.pair:
                if phrase.covers in together:
                    np.maximum(value, together.pop(phrase.covers), out=value)
                pairs.append(value)
            value = value * phrase.similarity
            for i in phrase.covers:
                np.maximum(best[i], value, out=best[i])
        weight = np.array([PLACE_WORD_WEIGHT if word in PLACE_WORDS else 1.0 for word in query])
        score = weight @ best / weight.sum()
        if pairs:
            score += PHRASE_BONUS * np.sum(pairs, axis=0) / len(pairs)
        return score

    def _part_scores(self, matches: dict[int, float], n_docs: int) -> np.ndarray:
        value = np.zeros(n_docs)
        for term, similarity in matches.items():
            lo, hi = self.offsets[term], self.offsets[term + 1]
            docs = self.docs[lo:hi]
            value[docs] = np.maximum(value[docs], self.weights[lo:hi] * similarity)
        return value

    def explain(self, entry: Entry, clauses: list[_Clause], n_words: int,
                phrases: Sequence[_Phrase] = ()) -> tuple[str, ...]:
        """Why `entry` matched: for each query word, the field and word (or words side by side) that scored best."""
        fields = _entry_field_words(entry)
        best: list[tuple[float, tuple[str, ...]]] = [(0.0, ())] * n_words
        for clause in clauses:
            found = [self._best_field_word(part, fields) for part in clause.parts]
            value = min(f[0] for f in found)
            if value <= 0:
                continue
            reasons = _describe(found)
            for i in clause.covers:
                if value > best[i][0]:
                    best[i] = (value, reasons)
        best = self._explain_phrases(entry, phrases, best)
        seen: dict[str, None] = {}
        for _, reasons in best:
            seen.update(dict.fromkeys(reasons))
        return tuple(seen)

    @staticmethod
    def _explain_phrases(entry: Entry, phrases: Sequence[_Phrase], best: list) -> list:
        """`best` with each query word a compound explains better told as the words side by side."""
        if not phrases:
            return best
        written: dict[str, tuple[float, str]] = {}
        for field, sequence in _field_sequences(entry):
            for joined, words_as_written in _phrases_of(sequence):
                if FIELD_WEIGHTS[field] > written.get(joined, (0.0, ""))[0]:
                    written[joined] = (FIELD_WEIGHTS[field], f"{field}: {words_as_written}")
        for phrase in phrases:
            if phrase.joined in written:
                value, reason = written[phrase.joined]
                value *= phrase.similarity
                for i in phrase.covers:  # a pair typed and found side by side is told as the pair
                    if value > best[i][0] or (phrase.pair and value >= best[i][0]):
                        best[i] = (value, (reason,))
        return best

    def _best_field_word(self, matches: dict[int, float], fields: dict[str, dict[str, None]]) -> tuple[float, str, str]:
        top = (0.0, "", "")
        for field, held in fields.items():
            for word in held:
                term = self.term_id.get(word)
                if term in matches:
                    value = FIELD_WEIGHTS[field] * matches[term]
                    if value > top[0]:
                        top = (value, field, word)
        return top


class _Postings:
    """Exact-match postings (term -> entries and weights), compressed-sparse-row style, read-only."""

    def __init__(self, ids: dict[str, int], offsets: np.ndarray, docs: np.ndarray, weights: np.ndarray):
        self.ids, self.offsets, self.docs, self.weights = ids, offsets, docs, weights

    @classmethod
    def build(cls, postings: dict[str, dict[int, float]]) -> "_Postings":
        ids = {term: i for i, term in enumerate(postings)}
        counts = np.fromiter((len(held) for held in postings.values()), np.int64, len(postings))
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        docs = np.fromiter((d for held in postings.values() for d in held), np.int32, int(offsets[-1]))
        weights = np.fromiter((w for held in postings.values() for w in held.values()), np.float64, int(offsets[-1]))
        return cls(ids, _readonly(offsets), _readonly(docs), _readonly(weights))

    def raise_to(self, term: str, value: np.ndarray) -> None:
        """value[d] = max(value[d], weight) for each entry d holding `term`."""
        i = self.ids.get(term)
        if i is not None:
            lo, hi = self.offsets[i], self.offsets[i + 1]
            docs = self.docs[lo:hi]
            value[docs] = np.maximum(value[docs], self.weights[lo:hi])


def max_edits(length: int) -> int:
    """Typing slips forgiven in a word of this length (as search engines' 'auto' fuzziness)."""
    if length <= SHORT_TOKEN:
        return 0
    return 1 if length <= 5 else 2


def _merge(matches: dict[int, float], ids: np.ndarray, sims: np.ndarray) -> None:
    for term, similarity in zip(ids.tolist(), sims.tolist()):
        if similarity > matches.get(term, 0.0):
            matches[term] = similarity


def _describe(found: list[tuple[float, str, str]]) -> tuple[str, ...]:
    fields = {field for _, field, _ in found}
    if len(fields) == 1:
        return (f"{found[0][1]}: {' '.join(word for _, _, word in found)}",)
    return tuple(f"{field}: {word}" for _, field, word in found)


# -- the spatial index -----------------------------------------------------------------


# pyproj sets up a PROJ context the first time a transformer is used in a thread (~50 ms), and Streamlit
# runs every script run in a new thread: so single points are projected on one long-lived thread.
_PROJECTION_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bng-projection")


@functools.cache
def _to_british_national_grid() -> Transformer:
    # Made once per process: it costs ~40 ms, never changes, and pyproj >= 3.1 transformers
    # are thread-safe, so every index and session can share it.
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


class _Grid:
    """Uniform grid over BNG metres: points sorted by cell, a cell row is one contiguous run."""

    def __init__(self, docs: np.ndarray, lat: np.ndarray, lon: np.ndarray, tiebreak: np.ndarray):
        self.transformer = _to_british_national_grid()
        self.docs, self.lat, self.lon = docs, lat, lon
        self.tiebreak = tiebreak  # equal distances come out in this order (the names' order)
        x, y = self._project(lon, lat)
        gridded = np.isfinite(x) & np.isfinite(y) & (np.abs(x - BNG_CENTRAL_EASTING) <= BNG_BAND_M)
        self.outliers = _readonly(np.flatnonzero(~gridded))
        inside = np.flatnonzero(gridded)
        if len(inside):
            self.x0, self.y0 = float(x[inside].min()), float(y[inside].min())
            self.x1, self.y1 = float(x[inside].max()), float(y[inside].max())
        else:
            self.x0 = self.y0 = self.x1 = self.y1 = 0.0
        self.ncols = int((self.x1 - self.x0) // GRID_CELL_M) + 1
        self.nrows = int((self.y1 - self.y0) // GRID_CELL_M) + 1
        cells = self._cell(x[inside], y[inside])
        order = np.argsort(cells, kind="stable")
        self.cells = _readonly(cells[order])
        self.members = _readonly(inside[order])   # positions in docs/lat/lon

    def _project(self, lon, lat):
        return self.transformer.transform(lon, lat)

    def _cell(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        col = ((x - self.x0) // GRID_CELL_M).astype(np.int64)
        row = ((y - self.y0) // GRID_CELL_M).astype(np.int64)
        return row * self.ncols + col

    def __len__(self) -> int:
        return len(self.docs)

    def _grid_point(self, lat: float, lon: float) -> tuple[float, float] | None:
        x, y = _PROJECTION_THREAD.submit(self._project, lon, lat).result()
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x - BNG_CENTRAL_EASTING) > BNG_BAND_M:
            return None
        return x, y

    def candidates(self, lat: float, lon: float, radius_m: float) -> np.ndarray:
        """Positions of every point within `radius_m` (and some beyond): cells under the padded square."""
        point = self._grid_point(lat, lon)
        if point is None:
            return np.arange(len(self.docs))
        reach = radius_m * GRID_SAFETY + GRID_SLACK_M
        x, y = point
        col0 = max(int((x - reach - self.x0) // GRID_CELL_M), 0)
        col1 = min(int((x + reach - self.x0) // GRID_CELL_M), self.ncols - 1)
        row0 = max(int((y - reach - self.y0) // GRID_CELL_M), 0)
        row1 = min(int((y + reach - self.y0) // GRID_CELL_M), self.nrows - 1)
        if col0 > col1 or row0 > row1:
            return self.outliers
        rows = np.arange(row0, row1 + 1, dtype=np.int64) * self.ncols
        starts = np.searchsorted(self.cells, rows + col0)
        ends = np.searchsorted(self.cells, rows + col1 + 1)
        runs = [self.members[s:e] for s, e in zip(starts.tolist(), ends.tolist()) if e > s]
        return np.concatenate(runs + [self.outliers])

    def within(self, lat: float, lon: float, km: float) -> tuple[np.ndarray, np.ndarray]:
        """(positions, great-circle km) of points within `km`, unsorted."""
        found = self.candidates(lat, lon, km * 1000.0)
        distance = haversine_km(lat, lon, self.lat[found], self.lon[found])
        keep = distance <= km
        return found[keep], distance[keep]

    def nearest(self, lat: float, lon: float, k: int, within_km: float | None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, km) of the k nearest, nearest first: widen a search square until k are certain."""
        radius_km = GRID_CELL_M / 1000.0
        while True:
            last = within_km is not None and radius_km >= within_km
            if last:
                radius_km = within_km
            found = self.candidates(lat, lon, radius_km * 1000.0)
            distance = haversine_km(lat, lon, self.lat[found], self.lon[found])
            if len(found) == len(self.docs):
                last = True  # the square holds every point: nothing is left to widen to
                radius_km = math.inf if within_km is None else within_km
            keep = distance <= radius_km
            # Every point within radius_km is a candidate, so the k nearest of those are the true k nearest.
            if last or np.count_nonzero(keep) >= k:
                break
            radius_km *= 2
        found, distance = found[keep], distance[keep]
        order = np.lexsort((self.tiebreak[found], distance))[:k]
        return found[order], distance[order]


# -- the search index ------------------------------------------------------------------


class SearchIndex:
    """Everything search needs, built once from plain entries and never changed."""

    def __init__(self, entries: tuple[Entry, ...]):
        self._entries = entries
        self._by_id = {e.id: e for e in entries}
        self._text = _TextIndex.build(entries)
        n = len(entries)
        self._name_rank = _readonly(_name_ranks(entries))
        self._remote = _readonly(np.fromiter((not e.in_person for e in entries), bool, n))
        self._free = _readonly(np.fromiter((e.is_free for e in entries), bool, n))
        self._category = _code_masks(entries, lambda e: (e.category,))
        self._stage = _code_masks(entries, lambda e: e.stages)
        self._benefit = _code_masks(entries, lambda e: e.eligible_benefits)
        self._delivery = _code_masks(entries, lambda e: e.delivery)
        self._any_stage = _readonly(np.fromiter((not e.stages for e in entries), bool, n))
        self._any_benefit = _readonly(np.fromiter((not e.eligible_benefits for e in entries), bool, n))
        self._group = _code_masks(entries, lambda e: e.for_groups)
        self._any_group = _readonly(np.fromiter((not e.for_groups for e in entries), bool, n))
        self._days = _readonly(_session_days(entries))
        placed = np.flatnonzero(np.fromiter((e.has_position for e in entries), bool, n))
        lat = np.fromiter((entries[i].latitude for i in placed), np.float64, len(placed))
        lon = np.fromiter((entries[i].longitude for i in placed), np.float64, len(placed))
        self._grid = _Grid(_readonly(placed), _readonly(lat), _readonly(lon), self._name_rank[placed])
        self._position = np.full(n, -1, np.int64)
        self._position[placed] = np.arange(len(placed))
        _readonly(self._position)

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> "SearchIndex":
        """Index the live entries; archived ones are left out."""
        return cls(tuple(e for e in entries if not e.archived))

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    # -- spatial --

    def within(self, lat: float, lon: float, km: float) -> list[tuple[Entry, float]]:
        """Placed entries within `km` of (lat, lon), nearest first."""
        found, distance = self._grid.within(lat, lon, km)
        order = np.lexsort((self._grid.tiebreak[found], distance))
        return self._pairs(found[order], distance[order])

    def nearest(self, lat: float, lon: float, k: int = 10, within_km: float | None = None) -> list[tuple[Entry, float]]:
        """The `k` placed entries nearest (lat, lon), optionally no farther than `within_km`."""
        if k <= 0 or not len(self._grid):
            return []
        found, distance = self._grid.nearest(lat, lon, k, within_km)
        return self._pairs(found, distance)

    def _pairs(self, found: np.ndarray, distance: np.ndarray) -> list[tuple[Entry, float]]:
        docs = self._grid.docs[found]
        return [(self._entries[d], km) for d, km in zip(docs.tolist(), distance.tolist())]

    # -- search --

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The live entries indexed; `ranked` answers with positions in this tuple."""
        return self._entries

    def search(self, query: str = "", filters: Filters = Filters(), limit: int | None = 50) -> "Hits":
        """Entries passing every filter; with a query, best match first (ties: nearer, then by name);
        without one, nearest first when `near` is given, else by name. A query longer than
        bound_query allows is cut, and the hits' `notice` says so."""
        _check(filters)
        if limit is not None and limit <= 0:
            return Hits(notice=bound_query(query).notice)
        found, score, distance, clauses, n_words, notice = self._ranked(query, filters, limit)
        return Hits((self._hit(d, score, distance, clauses, n_words) for d in found.tolist()), notice=notice)

    def ranked(self, query: str = "", filters: Filters = Filters()) -> tuple[np.ndarray, str | None]:
        """What `search(query, filters, limit=None)` finds, in the same order, as positions in `entries`
        (no Hit objects, no explanations: for callers that page or filter further, e.g. the read API),
        and the notice when the query was cut."""
        _check(filters)
        found, _, _, _, _, notice = self._ranked(query, filters, None)
        return found, notice

    def _ranked(self, query: str, filters: Filters, limit: int | None):
        allowed = self._filter_mask(filters)
        distance = self._distances(filters, allowed)
        if filters.within_km is not None:
            allowed &= self._remote | (distance <= filters.within_km)
        bounded = bound_query(query)
        qwords = list(bounded.words)
        if qwords:
            clauses = (self._text.clauses(qwords), self._text.phrases(bounded.text, qwords))
            score = self._text.scores(qwords, clauses[0], len(self._entries), clauses[1])
            allowed &= score > 0
        else:
            clauses, score = ([], []), None
        found = np.flatnonzero(allowed)
        found = _rank(found, score, distance, self._name_rank, limit)
        return found, score, distance, clauses, len(qwords), bounded.notice

    def _hit(self, doc: int, score, distance: np.ndarray, clauses, n_words: int) -> Hit:
        entry = self._entries[doc]
        km = float(distance[doc])
        return Hit(
            entry=entry,
            score=1.0 if score is None else min(float(score[doc]), 1.0),
            distance_km=None if math.isnan(km) else km,
            matched=self._text.explain(entry, clauses[0], n_words, clauses[1]) if any(clauses) else (),
        )

    def _filter_mask(self, f: Filters) -> np.ndarray:
        n = len(self._entries)
        mask = np.ones(n, bool)
        if f.categories:
            mask &= self._any_of(self._category, f.categories)
        if f.delivery:
            mask &= self._any_of(self._delivery, f.delivery)
        if f.stage is not None:
            mask &= self._any_stage | self._stage.get(f.stage, False)
        if f.benefit is not None:
            mask &= self._any_benefit | self._benefit.get(f.benefit, False)
        if f.group is not None:
            mask &= self._any_group | self._group.get(f.group, False)
        if f.day is not None:
            mask &= self._days[:, f.day]
        if f.free_only:
            mask &= self._free
        return mask

    def _any_of(self, masks: dict[str, np.ndarray], codes: Iterable[str]) -> np.ndarray:
        combined = np.zeros(len(self._entries), bool)
        for code in codes:
            if code in masks:
                combined |= masks[code]
        return combined

    def _distances(self, f: Filters, allowed: np.ndarray) -> np.ndarray:
        """Great-circle km for allowed, placed, in-person entries near `f.near`; NaN for the rest."""
        distance = np.full(len(self._entries), np.nan)
        if f.near is None:
            return distance
        lat, lon = f.near
        if f.within_km is not None:
            found, km = self._grid.within(lat, lon, f.within_km)
            docs = self._grid.docs[found]
        else:
            docs = np.flatnonzero(allowed & (self._position >= 0))
            at = self._position[docs]
            km = haversine_km(lat, lon, self._grid.lat[at], self._grid.lon[at])
        distance[docs] = km
        # Where an online or phone service's office is tells the client nothing.
        distance[self._remote] = np.nan
        return distance


def _check(f: Filters) -> None:
    if f.within_km is not None:
        if f.near is None:
            raise ValueError("A search radius needs a place to measure from: give a postcode as well.")
        if not f.within_km >= 0:
            raise ValueError(f"The search radius must be zero or more kilometres, not {f.within_km}.")
    if f.day is not None and not 0 <= f.day <= 6:
        raise ValueError(f"Day must be 0 (Monday) to 6 (Sunday), not {f.day}.")


def _rank(found: np.ndarray, score, distance: np.ndarray, name_rank: np.ndarray, limit: int | None) -> np.ndarray:
    """Order `found`: by score (rounded, so float noise is not a difference), then distance, then name."""
    keys = [name_rank[found]]
    if not np.all(np.isnan(distance[found])):
        keys.insert(0, np.nan_to_num(distance[found], nan=np.inf))
    if score is not None:
        keys.insert(0, -np.round(score[found], 6))
    primary = keys[0]
    if limit is not None and len(found) > 4 * limit:
        # Only the entries that can reach the first `limit` places need a full sort; ties at the cut stay in.
        cut = np.partition(primary, limit - 1)[limit - 1]
        near_top = primary <= cut
        found, keys = found[near_top], [k[near_top] for k in keys]
    order = np.lexsort(tuple(reversed(keys)))
    if limit is not None:
        order = order[:limit]
    return found[order]


def _name_ranks(entries: Sequence[Entry]) -> np.ndarray:
    order = sorted(range(len(entries)), key=lambda i: (fold(entries[i].name), entries[i].name, entries[i].id))
    rank = np.empty(len(entries), np.int64)
    rank[order] = np.arange(len(entries))
    return rank


def _code_masks(entries: Sequence[Entry], codes_of) -> dict[str, np.ndarray]:
    """For each code the entries use, which entries have it."""
    masks: dict[str, np.ndarray] = {}
    for i, entry in enumerate(entries):
        for code in codes_of(entry):
            if code not in masks:
                masks[code] = np.zeros(len(entries), bool)
            masks[code][i] = True
    return {code: _readonly(mask) for code, mask in masks.items()}


def _session_days(entries: Sequence[Entry]) -> np.ndarray:
    """Entries x 7 days: True where the entry has a session that day (schedules parsed once, here)."""
    from directory.schedule import parse_schedule

    days = np.zeros((len(entries), 7), bool)
    weekdays_of: dict[str, tuple[int, ...]] = {}  # directories repeat a handful of schedules many times
    for i, entry in enumerate(entries):
        if not entry.schedule:
            continue
        if entry.schedule not in weekdays_of:
            weekdays_of[entry.schedule] = _weekdays(parse_schedule, entry.schedule)
        days[i, list(weekdays_of[entry.schedule])] = True
    return days


def _weekdays(parse_schedule, text: str) -> tuple[int, ...]:
    try:
        return tuple({session.day for session in parse_schedule(text)})
    except ValueError:
        return ()  # unreadable times count as "by arrangement", never as every day
