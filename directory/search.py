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
session threads share one index without locks. A change to a few entries does not rebuild it:
`updated` leaves it as the base, indexes each change's entries on their own (a part, merged now and
then with recent ones) and masks out their earlier copies; matching runs over every part's vocabulary as
if they were one, so the answers are those of a fresh build (directory/api.py keeps an index current
this way).
"""

from __future__ import annotations

import bisect
import functools
import itertools
from array import array
import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
from pyproj import Transformer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from directory.fields import Entry
from directory.geo import haversine_km
from directory.places import PLACE_WORDS
from directory.text import fold, fold_words
from directory.threads import ARRAY_WORK, LongLivedThreads

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
    # (entry id, area name): area-wide services whose area holds the client's place (directory.areas.entries_serving).
    # They pass the radius whatever their position and rank as if 0 km away; per search, so kept here, not indexed.
    serving: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float                 # 0..1 text relevance (1.0 when no query)
    distance_km: float | None    # great-circle; None when unplaced or online/phone only
    matched: tuple[str, ...]     # why it matched, for display: ("name: plumber", "tags: esol")
    covers_area: str | None = None  # the served area that holds the client's place (Filters.serving), else None


class Hits(list):
    """A search's hits, best first (a list), and `notice`: a plain sentence to show with them when the
    query was shortened (bound_query), else None."""

    def __init__(self, hits: Iterable[Hit] = (), notice: str | None = None):
        super().__init__(hits)
        self.notice = notice


class RankedHits(Sequence[Hit]):
    """What `search(query, filters, limit=None)` finds, in the same order, with each Hit made only when read
    (SearchIndex.results): a national search finds 300,000 and a page shows ten, and making every Hit was most
    of the page's time. Reads as a list of Hits (len, index, slice, iterate); `notice` as Hits'. For counting
    or mapping every result without Hits: `entries` and the arrays `distance_km` (NaN where none), `latitude`,
    `longitude` (NaN unplaced), `in_person` and `covers` (Filters.serving holds it), in the results' order."""

    def __init__(self, index: "SearchIndex", docs: np.ndarray, score, distance: np.ndarray, clauses,
                 n_words: int, areas: dict[str, str], notice: str | None):
        """`score` (None without words) and `distance`: the results' own, in the order of `docs`. Not every entry's:
        a page keeps its results for as long as the person's session lives (its download button), and the whole
        columns were ~5 MB a search at 300,000 entries, most of an instance's growth under load."""
        self._index, self._docs = index, docs
        self._score = None if score is None else _readonly(score)
        self._distance = _readonly(distance)
        self._clauses, self._n_words, self._areas = clauses, n_words, areas
        self.notice = notice

    def __len__(self) -> int:
        return len(self._docs)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self._hit(i) for i in range(len(self._docs))[at]]
        return self._hit(range(len(self._docs))[at])

    def __iter__(self):
        return map(self._hit, range(len(self._docs)))

    def _hit(self, i: int) -> Hit:
        return self._index._hit_of(int(self._docs[i]), None if self._score is None else float(self._score[i]),
                                   float(self._distance[i]), self._clauses, self._n_words, self._areas)

    def reordered(self, order: np.ndarray) -> "RankedHits":
        """The same hits in `order` (positions in this sequence)."""
        return RankedHits(self._index, self._docs[order], None if self._score is None else self._score[order],
                          self._distance[order], self._clauses, self._n_words, self._areas, self.notice)

    @property
    def entries(self) -> list[Entry]:
        return list(map(self._index._entries.__getitem__, self._docs.tolist()))

    @property
    def distance_km(self) -> np.ndarray:
        return self._distance

    @property
    def latitude(self) -> np.ndarray:
        return self._index._at("_lat", self._docs)

    @property
    def longitude(self) -> np.ndarray:
        return self._index._at("_lon", self._docs)

    @property
    def in_person(self) -> np.ndarray:
        return ~self._index._at("_remote", self._docs)

    @property
    def covers(self) -> np.ndarray:
        serving = [d for d in map(self._index._doc, self._areas) if d is not None]
        return np.isin(self._docs, np.asarray(serving, np.int64))


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


# Postings hold a field weight as a one-byte code into this table (not an 8-byte float each): the same float64
# values come back, so scores are unchanged, in an eighth of the memory.
_WEIGHTS = np.array(sorted(set(FIELD_WEIGHTS.values())), np.float64)
_WEIGHT_CODE = {float(w): i for i, w in enumerate(_WEIGHTS)}

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
    """Inverted index over normalised words, stored compressed-sparse-row style: the storage only (matching a
    query against one or two of these is `_Words`)."""

    def __init__(self, terms: list[str], offsets: np.ndarray, docs: np.ndarray, weights: np.ndarray,
                 phrases: "_Postings"):
        self.phrase_postings = phrases              # adjacent words joined ("jobcentre" for "Job Centre"): exact only
        self.terms = terms                          # sorted, so a prefix is a contiguous range
        self.term_id = _SortedTerms(terms)
        self.offsets, self.docs, self.weights = offsets, docs, weights  # weights: codes into _WEIGHTS
        self.doc_freq = _readonly(np.diff(offsets))
        self.term_len = _readonly(np.fromiter((len(t) for t in terms), np.int32, len(terms)))
        self.by_length = self._group_by_length(terms)
        self.prefixes = self._prefix_tables(terms)

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> "_TextIndex":
        # Postings gathered in typed arrays (array.array: 4-8 bytes a value, not an 8-byte pointer), and phrase
        # postings as three flat arrays, not a dict per phrase: at 300,000 entries the dicts took hundreds of MB
        # while building, memory a process keeps.
        ids: dict[str, int] = {}
        term_ids, doc_ids, weights = array("q"), array("i"), array("B")
        phrase_ids: dict[str, int] = {}
        phrase_of, phrase_doc, phrase_weight = array("q"), array("i"), array("B")
        for doc, entry in enumerate(entries):
            best = _best_field_weights(entry)
            term_ids.extend([ids.setdefault(word, len(ids)) for word in best])
            doc_ids.extend([doc] * len(best))
            weights.extend([_WEIGHT_CODE[w] for w in best.values()])
            held: dict[str, float] = {}
            for field, sequence in _field_sequences(entry):
                weight = FIELD_WEIGHTS[field]
                for joined, _ in _phrases_of(sequence):
                    if weight > held.get(joined, 0.0):
                        held[joined] = weight
            phrase_of.extend([phrase_ids.setdefault(joined, len(phrase_ids)) for joined in held])
            phrase_doc.extend([doc] * len(held))
            phrase_weight.extend([_WEIGHT_CODE[w] for w in held.values()])
        terms = sorted(ids)
        rank = np.empty(len(ids), np.int64)
        rank[[ids[t] for t in terms]] = np.arange(len(terms))
        sorted_term = rank[np.asarray(term_ids, np.int64)]
        order = np.lexsort((np.asarray(doc_ids), sorted_term))
        counts = np.bincount(sorted_term, minlength=len(terms))
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return cls(
            terms,
            _readonly(offsets),
            _readonly(np.asarray(doc_ids, np.int32)[order]),
            _readonly(np.asarray(weights, np.uint8)[order]),
            _Postings.of(phrase_ids, phrase_of, phrase_doc, phrase_weight),
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

    def prefix_range(self, word: str) -> np.ndarray:
        """Ids of the words beginning with `word` (a contiguous run of the sorted vocabulary)."""
        lo = bisect.bisect_left(self.terms, word)
        hi = bisect.bisect_left(self.terms, word + "\U0010ffff")
        return np.arange(lo, hi)

    def close_prefix_range(self, word: str, n: int) -> np.ndarray:
        """Ids of the words longer than `n` whose first n letters are one edit from `word`, in vocabulary order."""
        table = self.prefixes.get(n)
        if table is None:
            return np.arange(0)
        prefixes, starts, ends = table
        distance = process.cdist([word], prefixes, scorer=OSA.distance, score_cutoff=1, dtype=np.int32)[0]
        close = np.flatnonzero(distance == 1)
        if not len(close):
            return np.arange(0)
        return np.concatenate([np.arange(starts[i], ends[i]) for i in close])

    def close_words(self, word: str, n: int, edits: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, OSA distances) of the `n`-letter words within `edits` of `word`."""
        group = self.by_length.get(n)
        if group is None:
            return np.arange(0), np.arange(0)
        terms, ids = group
        distance = process.cdist([word], terms, scorer=OSA.distance, score_cutoff=edits, dtype=np.int32)[0]
        close = np.flatnonzero(distance <= edits)
        return ids[close], distance[close]

    def add_postings(self, term: str, value: np.ndarray, similarity: float, offset: int) -> None:
        """value[offset + d] = max(it, weight x similarity) for each entry d holding `term`."""
        i = self.term_id.get(term)
        if i is not None:
            lo, hi = self.offsets[i], self.offsets[i + 1]
            docs = self.docs[lo:hi] + offset if offset else self.docs[lo:hi]
            value[docs] = np.maximum(value[docs], _WEIGHTS[self.weights[lo:hi]] * similarity)

    def term_ids_of(self, entry: Entry) -> np.ndarray:
        """The ids of the words `entry` was indexed under (it is one of this index's entries)."""
        return np.fromiter((self.term_id[w] for w in _best_field_weights(entry)), np.int64)


class _Words:
    """What a query's words stand for, matched against the live vocabulary: the words of one or more text indexes
    (a base and the parts of entries changed since, each numbered after the one before: `parts` holds each
    index, the offset of its entries and how many live entries hold each of its words). Matching and scoring
    give exactly what one index built from the live entries would: a word only removed entries held is no
    longer in the vocabulary, and every cap on expansions ranks by the live number of entries holding a word."""

    def __init__(self, parts: Sequence[tuple[_TextIndex, int, np.ndarray]]):
        self.parts = tuple(parts)

    @classmethod
    def of(cls, text: _TextIndex) -> "_Words":
        return cls(((text, 0, text.doc_freq),))

    @property
    def freqs(self) -> tuple[np.ndarray, ...]:
        """Per part, how many live entries hold each of its words."""
        return tuple(freq for _, _, freq in self.parts)

    def doc_freq(self, term: str) -> int:
        """How many live entries hold `term`."""
        count = 0
        for text, _, freq in self.parts:
            i = text.term_id.get(term)
            if i is not None:
                count += int(freq[i])
        return count

    def has(self, term: str) -> bool:
        return self.doc_freq(term) > 0

    def has_phrase(self, joined: str) -> bool:
        # A phrase only removed entries held scores nothing, and only a live entry holding it is ever explained by it.
        return any(joined in text.phrase_postings.ids for text, _, _ in self.parts)

    # -- matching one query word against the vocabulary --

    def expand(self, word: str) -> dict[str, float]:
        """Vocabulary words `word` may stand for, with similarities in (0, 1]."""
        matches: dict[str, float] = {}
        self._add_prefix_matches(word, matches)
        if len(word) > SHORT_TOKEN:
            self._add_fuzzy_matches(word, matches)
        if len(word) >= FUZZY_PREFIX_MIN:
            self._add_fuzzy_prefix_matches(word, matches)
        if self.has(word):
            matches[word] = 1.0
        return self._closest(matches)

    def _closest(self, matches: dict[str, float]) -> dict[str, float]:
        """At most MAX_WORD_MATCHES of `matches`: the most similar, then the commonest, then A to Z."""
        if len(matches) <= MAX_WORD_MATCHES:
            return matches
        best = sorted(matches, key=lambda t: (-matches[t], -self.doc_freq(t), t))[:MAX_WORD_MATCHES]
        return {t: matches[t] for t in best}

    def _add_prefix_matches(self, word: str, matches: dict[str, float]) -> None:
        terms = self._commonest([text.prefix_range(word) for text, _, _ in self.parts])
        sims = PREFIX_FLOOR + (1 - PREFIX_FLOOR) * len(word) / _lengths(terms)
        _merge(matches, terms, sims)

    def _add_fuzzy_matches(self, word: str, matches: dict[str, float]) -> None:
        edits = max_edits(len(word))
        for n in range(len(word) - edits, len(word) + edits + 1):
            for text, _, freq in self.parts:
                ids, distance = text.close_words(word, n, edits)
                if freq is not text.doc_freq:  # some of its entries are no longer live
                    live = freq[ids] > 0
                    ids, distance = ids[live], distance[live]
                sims = 1.0 - distance / max(len(word), n)
                _merge(matches, [text.terms[i] for i in ids.tolist()], sims)

    def _add_fuzzy_prefix_matches(self, word: str, matches: dict[str, float]) -> None:
        # Prefixes one letter shorter or longer catch a dropped or doubled letter.
        for n in (len(word) - 1, len(word), len(word) + 1):
            terms = self._commonest([text.close_prefix_range(word, n) for text, _, _ in self.parts])
            if not terms:
                continue
            typed = max(len(word), n)
            sims = (1.0 - 1.0 / typed) * (PREFIX_FLOOR + (1 - PREFIX_FLOOR) * typed / _lengths(terms))
            _merge(matches, terms, sims)

    def _commonest(self, ids_by_part: list[np.ndarray]) -> list[str]:
        """The live words among these (each part's word ids, in its vocabulary order), at most MAX_EXPANSIONS of
        them, the most frequent, so "p" does not expand to thousands. The candidates are ranked in the order
        one index of the live entries would hold them, so ties at the cut fall the same way."""
        having = [k for k, ids in enumerate(ids_by_part) if len(ids)]
        if len(having) <= 1:  # one part's words, already in vocabulary order
            if not having:
                return []
            text, _, freq_of = self.parts[having[0]]
            ids = ids_by_part[having[0]]
            freq = freq_of[ids]
            if freq_of is not text.doc_freq:
                live = freq > 0
                ids, freq = ids[live], freq[live]
            chosen = ids if len(ids) <= MAX_EXPANSIONS else ids[_most_frequent(freq)]
            return [text.terms[i] for i in chosen.tolist()]
        held: dict[str, int] = {}
        for k in having:
            text, _, freq_of = self.parts[k]
            ids = ids_by_part[k]
            for i, count in zip(ids.tolist(), freq_of[ids].tolist()):
                term = text.terms[i]
                held[term] = held.get(term, 0) + count
        terms = sorted(t for t, count in held.items() if count > 0)
        if len(terms) <= MAX_EXPANSIONS:
            return terms
        freq = np.fromiter((held[t] for t in terms), np.int64, len(terms))
        return [terms[k] for k in _most_frequent(freq).tolist()]

    def splits(self, word: str) -> list[tuple[str, str]]:
        """Ways to read a run-together word as two vocabulary words ("jobclub" -> job, club)."""
        found = []
        for cut in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1):
            left, right = word[:cut], word[cut:]
            if self.has(left) and self.has(right):
                found.append((left, right))
        return found

    # -- compounds --

    def phrases(self, text: str, query: list[str]) -> list[_Phrase]:
        """Compounds to look up whole: each query word as two words side by side ("jobcentre" -> an entry's
        "Job Centre"), and each pair typed side by side, stop words included ("drop in" -> "drop-in",
        "Dropin"), which earns the pair bonus."""
        position = {word: i for i, word in enumerate(query)}
        found = [_Phrase((i,), word, PHRASE_SIMILARITY, False) for i, word in enumerate(query)
                 if self.has_phrase(word)]
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
        for index, offset in self._segments():
            index.add_postings(joined, value, 1.0, offset)
            index.phrase_postings.raise_to(joined, value, offset)
        return value

    def _segments(self):
        for text, offset, _ in self.parts:
            yield text, offset

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

    def _part_scores(self, matches: dict[str, float], n_docs: int) -> np.ndarray:
        value = np.zeros(n_docs)
        for index, offset in self._segments():
            for term, similarity in matches.items():
                index.add_postings(term, value, similarity, offset)
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

    @staticmethod
    def _best_field_word(matches: dict[str, float], fields: dict[str, dict[str, None]]) -> tuple[float, str, str]:
        top = (0.0, "", "")
        for field, held in fields.items():
            for word in held:
                if word in matches:
                    value = FIELD_WEIGHTS[field] * matches[word]
                    if value > top[0]:
                        top = (value, field, word)
        return top


def _lengths(terms: list[str]) -> np.ndarray:
    return np.fromiter(map(len, terms), np.int32, len(terms))


def _most_frequent(freq: np.ndarray) -> np.ndarray:
    """Positions of the MAX_EXPANSIONS largest of `freq` (as the single-index build always chose them)."""
    return np.argpartition(-freq, MAX_EXPANSIONS - 1)[:MAX_EXPANSIONS]


class _SortedTerms:
    """Terms -> their numbers, as a dict's `get` and `in` answer, for terms numbered in sorted order: found by
    bisecting the sorted list itself. At 300,000 entries the dicts of ~200,000 words and ~200,000 phrases and
    their numbers were ~30 MB of every instance's memory."""

    def __init__(self, terms: list[str]):
        self._terms = terms  # sorted, without repeats

    def get(self, term: str, default=None):
        at = bisect.bisect_left(self._terms, term)
        return at if at < len(self._terms) and self._terms[at] == term else default

    def __getitem__(self, term: str) -> int:
        at = self.get(term)
        if at is None:
            raise KeyError(term)
        return at

    def __contains__(self, term: str) -> bool:
        return self.get(term) is not None

    def __len__(self) -> int:
        return len(self._terms)


class _Postings:
    """Exact-match postings (term -> entries and weights), compressed-sparse-row style, read-only."""

    def __init__(self, ids: "_SortedTerms", offsets: np.ndarray, docs: np.ndarray, weights: np.ndarray):
        self.ids, self.offsets, self.docs, self.weights = ids, offsets, docs, weights  # weights: codes into _WEIGHTS

    @classmethod
    def of(cls, ids: dict[str, int], term_of: array, docs: array, weights: array) -> "_Postings":
        """From parallel lists of (term id, entry, weight), entries in ascending order: as `build` would. The
        terms are renumbered in sorted order and kept as a sorted list (`_SortedTerms`), not the dict."""
        terms = sorted(ids)
        rank = np.empty(len(ids), np.int64)
        rank[[ids[t] for t in terms]] = np.arange(len(terms))
        term_of = rank[np.asarray(term_of, np.int64)]
        order = np.argsort(term_of, kind="stable")  # stable: each term's entries stay in ascending order
        counts = np.bincount(term_of, minlength=len(ids))
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return cls(_SortedTerms(terms), _readonly(offsets), _readonly(np.asarray(docs, np.int32)[order]),
                   _readonly(np.asarray(weights, np.uint8)[order]))

    def raise_to(self, term: str, value: np.ndarray, offset: int = 0) -> None:
        """value[offset + d] = max(value[offset + d], weight) for each entry d holding `term`."""
        i = self.ids.get(term)
        if i is not None:
            lo, hi = self.offsets[i], self.offsets[i + 1]
            docs = self.docs[lo:hi] + offset if offset else self.docs[lo:hi]
            value[docs] = np.maximum(value[docs], _WEIGHTS[self.weights[lo:hi]])


def max_edits(length: int) -> int:
    """Typing slips forgiven in a word of this length (as search engines' 'auto' fuzziness)."""
    if length <= SHORT_TOKEN:
        return 0
    return 1 if length <= 5 else 2


def _merge(matches: dict[str, float], terms: list[str], sims: np.ndarray) -> None:
    for term, similarity in zip(terms, sims.tolist()):
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
_PROJECTION_THREAD = LongLivedThreads(1, "bng-projection")


@functools.cache
def _to_british_national_grid() -> Transformer:
    # Made once per process: it costs ~40 ms, never changes, and pyproj >= 3.1 transformers
    # are thread-safe, so every index and session can share it.
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@functools.lru_cache(maxsize=4096)
def _projected_point(lon: float, lat: float) -> tuple[float, float]:
    """One point in British National Grid metres, projected on the projection thread. Kept: keyworkers search
    around the same offices, postcodes and towns again and again, and each hand-over to that thread and back
    waits for the interpreter lock (in a profile of 200 searches at 300,000 entries with other work running,
    ~4 ms of a 16 ms median search)."""
    return _PROJECTION_THREAD.run(_to_british_national_grid().transform, lon, lat)


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
        x, y = _projected_point(lon, lat)
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

# The most entries SearchIndex.updated indexes again at once when it merges parts of changed entries.
MERGED_MAX = 512


class SearchIndex:
    """Everything search needs, built once from plain entries and never changed.

    `updated` makes, without touching this one, the index with some entries changed, archived or added: the
    index built whole stays as the base, the changed entries get small indexes of their own (parts, each built
    whole, numbered after the base's entries and one another's), and the entries no longer live are masked out.
    Its answers are exactly those of an index built from the live entries (tests/test_incremental_index.py
    compares them). Parts are kept as the logarithmic method keeps them: a change makes a part of its own
    entries, and the newest part is merged with the one before while it is at least half that one's size, so a
    change indexes its own entries and, now and then, a run of recent ones (each changed entry is indexed again
    about log2(changes) times), never every entry changed since the base: doing that on every change made an
    instance's memory grow with each one (docs/PERFORMANCE.md). No copy of the base's per-entry arrays is kept:
    a query filters each part with its own and joins the answers (`_segment_filter`, `_joined`, `_at`,
    `_ranks`), so a change costs memory for the changed entries and one flag per entry (`_live`)."""

    def __init__(self, entries: tuple[Entry, ...]):
        self._entries = entries
        self._live: np.ndarray | None = None        # None: every entry is live
        self._parts: tuple[SearchIndex, ...] = (self,)  # the base, then the parts of changed entries
        self._starts: tuple[int, ...] = (0,)        # each part's first doc position
        self._dead: tuple[int, ...] = (0,)          # each part's entries no longer live
        self._position_of = _IdPositions(entries)
        text = _TextIndex.build(entries)
        self._text = _Words.of(text)
        n = len(entries)
        self._name_order, self._name_rank = _name_ranks(entries)
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
        placed = np.fromiter((e.has_position for e in entries), bool, n)
        self._lat = _readonly(np.fromiter((e.latitude if e.has_position else np.nan for e in entries), np.float64, n))
        self._lon = _readonly(np.fromiter((e.longitude if e.has_position else np.nan for e in entries), np.float64, n))
        self._placed = _readonly(placed)
        at = np.flatnonzero(placed)
        self._grid = _Grid(_readonly(at), self._lat[at], self._lon[at], self._name_rank[at])
        self._live_entries: tuple[Entry, ...] | None = entries
        self._compact: np.ndarray | None = None     # doc position -> position in `entries` (base: the same)
        self._later_rank: np.ndarray | None = None  # a changed index: the parts' entries' ranks A to Z (see _ranks)
        self._name_places: dict[tuple[str, str, str], int] = {}  # a changed entry's name key -> base entries before it
        self._places: tuple[SearchIndex, np.ndarray] | None = None  # a part: (its base, _name_places of its entries)

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> "SearchIndex":
        """Index the live entries; archived ones are left out."""
        return cls(tuple(e for e in entries if not e.archived))

    # -- changes --

    @property
    def _base(self) -> "SearchIndex":
        return self._parts[0]

    @property
    def _own_text(self) -> _TextIndex:
        """(An index built whole: a base or a part.) Its text index."""
        return self._text.parts[0][0]

    def position(self, entry_id: str) -> int | None:
        """Where the base holds `entry_id` (a position in the base's own entries), or None."""
        return self._base._position_of.get(entry_id)

    def with_changes(self, removed: Iterable[int], added: Iterable[Entry]) -> "SearchIndex":
        """The index of the base's entries but those at positions `removed` (see `position`), and `added`
        (live entries; archived ones are left out; each replaces any entry of its id). The base is kept and
        shared; only the added are indexed."""
        base = self._base
        positions = np.unique(np.fromiter(removed, np.int64)).tolist()
        changes: dict[str, Entry | None] = {base._entries[p].id: None for p in positions}
        changes.update((e.id, e) for e in added)
        return base.updated(changes)

    def updated(self, changes: Mapping[str, Entry | None]) -> "SearchIndex":
        """This index with each entry id in `changes` given its entry there (None, or an archived entry: no
        longer listed). This one is kept and shared; only the changed entries (and, now and then, a run of the
        recently changed) are indexed."""
        parts, starts = list(self._parts), list(self._starts)
        live = np.ones(len(self._entries), bool) if self._live is None else self._live.copy()
        freqs = list(self._text.freqs)
        gone: dict[int, list[int]] = {}  # part -> its docs no longer live
        for entry_id in changes:
            doc = self._doc(entry_id)
            if doc is not None:
                live[doc] = False
                k = bisect.bisect_right(starts, doc) - 1
                gone.setdefault(k, []).append(doc - starts[k])
        for k, docs in gone.items():
            text = parts[k]._own_text
            held = np.concatenate([text.term_ids_of(parts[k]._entries[d]) for d in docs])
            freqs[k] = _readonly(freqs[k] - np.bincount(held, minlength=len(text.terms)))

        def add_part(entries: tuple[Entry, ...]) -> None:  # every entry of a new part is live
            nonlocal live
            parts.append(SearchIndex(entries))
            starts.append(len(live))
            live = np.concatenate([live, np.ones(len(entries), bool)])
            freqs.append(parts[-1]._own_text.doc_freq)

        added = tuple(e for _, e in sorted(changes.items()) if e is not None and not e.archived)
        if added:
            add_part(added)
        # The logarithmic method: the newest part joins the one before while at least half its size, up to
        # MERGED_MAX entries (merging more took a change's catch-up 0.1-1 s at 300,000; parts that size wait for
        # the base to be built again, see directory/api.py DELTA_LIMIT).
        while (len(parts) > 2 and 2 * len(parts[-1]._entries) >= len(parts[-2]._entries)
               and len(parts[-1]._entries) + len(parts[-2]._entries) <= MERGED_MAX):
            first = starts[-2]
            kept = tuple(itertools.compress(itertools.chain(parts[-2]._entries, parts[-1]._entries),
                                            live[first:].tolist()))
            del parts[-2:], starts[-2:], freqs[-2:]
            live = live[:first]
            if kept:
                add_part(kept)
        if len(parts) == 1 and live.all():
            return parts[0]
        combined = object.__new__(SearchIndex)
        combined._assemble(tuple(parts), tuple(starts), live, freqs)
        return combined

    def _assemble(self, parts: tuple["SearchIndex", ...], starts: tuple[int, ...], live: np.ndarray,
                  freqs: list[np.ndarray]) -> None:
        base = parts[0]
        self._parts, self._starts = parts, starts
        self._entries = _Concatenated(tuple(part._entries for part in parts))
        self._live = _readonly(live)
        ends = starts[1:] + (len(live),)
        self._dead = tuple(int(end - start - np.count_nonzero(live[start:end])) for start, end in zip(starts, ends))
        self._position_of = None
        self._text = _Words(tuple((part._own_text, start, freq)
                                  for part, start, freq in zip(parts, starts, freqs)))
        self._name_order = None
        self._later_rank = _readonly(_later_name_ranks(base, parts[1:], live[len(base._entries):]))
        # The per-entry arrays are the parts' (see the class doc): none are kept here.
        self._name_rank = self._remote = self._free = self._days = self._lat = self._lon = self._placed = None
        self._category = self._stage = self._benefit = self._delivery = self._group = None
        self._any_stage = self._any_benefit = self._any_group = None
        self._grid = None
        self._live_entries = None
        self._compact = None  # made when `ranked` is first asked (see _positions)
        self._name_places = {}
        self._places = None

    def _places_in(self, base: "SearchIndex") -> np.ndarray:
        """(A part.) For each of its entries, how many of `base`'s entries sort before it by name (bisected
        once per name, kept in the base's `_name_places` for the next version of the same entry)."""
        if self._places is None or self._places[0] is not base:
            known, order, entries = base._name_places, base._name_order, base._entries
            places = np.empty(len(self._entries), np.int64)
            for d, entry in enumerate(self._entries):
                key = _name_key(entry)
                place = known.get(key)
                if place is None:
                    place = known[key] = bisect.bisect_left(order, key, key=lambda i: _name_key(entries[i]))
                places[d] = place
            self._places = (base, _readonly(places))
        return self._places[1]

    def _joined(self, name: str) -> np.ndarray:
        """The per-entry array `name` over every doc position: each part's in turn (joined for the query asking,
        not kept)."""
        if len(self._parts) == 1:
            return getattr(self._parts[0], name)
        return np.concatenate([getattr(part, name) for part in self._parts])

    def _at(self, name: str, docs: np.ndarray) -> np.ndarray:
        """The per-entry array `name` at doc positions `docs` (each part's numbered after the one before)."""
        if len(self._parts) == 1:
            return getattr(self._parts[0], name)[docs]
        values = np.empty(len(docs), getattr(self._base, name).dtype)
        which = np.searchsorted(self._starts, docs, side="right") - 1
        for k, (part, start) in enumerate(zip(self._parts, self._starts)):
            chosen = which == k
            if chosen.any():
                values[chosen] = getattr(part, name)[docs[chosen] - start]
        return values

    def _ranks(self, docs: np.ndarray) -> np.ndarray:
        """Ranks A to Z of the entries at `docs`, as one sort of all the live entries would order them: a base
        entry's rank r is r x (d + 1) + d, a later part's entry's its `_later_rank` (d: the parts' size after
        the base)."""
        if len(self._parts) == 1:
            return self._parts[0]._name_rank[docs]
        n_base = len(self._base._entries)
        n_later = len(self._later_rank)
        in_base = docs < n_base
        ranks = np.empty(len(docs), np.int64)
        ranks[in_base] = self._base._name_rank[docs[in_base]] * (n_later + 1) + n_later
        ranks[~in_base] = self._later_rank[docs[~in_base] - n_base]
        return ranks

    def _grids(self) -> Iterable[tuple["_Grid", int, int]]:
        """Each part's spatial grid, the offset of its entries' positions and how many of them are not live."""
        for part, start, dead in zip(self._parts, self._starts, self._dead):
            yield part._grid, start, dead

    def __len__(self) -> int:
        return len(self._entries) if self._live is None else int(np.count_nonzero(self._live))

    def get(self, entry_id: str) -> Entry | None:
        doc = self._doc(entry_id)
        return None if doc is None else self._entries[doc]

    # -- spatial --

    def within(self, lat: float, lon: float, km: float) -> list[tuple[Entry, float]]:
        """Placed entries within `km` of (lat, lon), nearest first."""
        docs, distance = self._within(lat, lon, km)
        order = np.lexsort((self._ranks(docs), distance))
        return self._pairs(docs[order], distance[order])

    def _within(self, lat: float, lon: float, km: float) -> tuple[np.ndarray, np.ndarray]:
        """(doc positions, km) of the live placed entries within `km`, unsorted."""
        docs, distance = [], []
        for grid, offset, _ in self._grids():
            found, km_found = grid.within(lat, lon, km)
            docs.append(grid.docs[found] + offset)
            distance.append(km_found)
        docs, distance = np.concatenate(docs), np.concatenate(distance)
        if self._live is not None:
            keep = self._live[docs]
            docs, distance = docs[keep], distance[keep]
        return docs, distance

    def nearest(self, lat: float, lon: float, k: int = 10, within_km: float | None = None) -> list[tuple[Entry, float]]:
        """The `k` placed entries nearest (lat, lon), optionally no farther than `within_km`."""
        if k <= 0:
            return []
        docs, distance = [], []
        for grid, offset, dead in self._grids():
            if len(grid):  # enough from each part that its k nearest live ones are among them
                found, km_found = grid.nearest(lat, lon, k + dead, within_km)
                docs.append(grid.docs[found] + offset)
                distance.append(km_found)
        if not docs:
            return []
        docs, distance = np.concatenate(docs), np.concatenate(distance)
        if self._live is not None:
            keep = self._live[docs]
            docs, distance = docs[keep], distance[keep]
        order = np.lexsort((self._ranks(docs), distance))[:k]
        return self._pairs(docs[order], distance[order])

    def _pairs(self, docs: np.ndarray, distance: np.ndarray) -> list[tuple[Entry, float]]:
        return [(self._entries[d], km) for d, km in zip(docs.tolist(), distance.tolist())]

    # -- search --

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The live entries indexed; `ranked` answers with positions in this tuple."""
        if self._live_entries is None:  # made once, when first asked for (two threads may both make it: the same)
            self._live_entries = tuple(itertools.compress(self._entries, self._live.tolist()))
        return self._live_entries

    def search(self, query: str = "", filters: Filters = Filters(), limit: int | None = 50) -> "Hits":
        """Entries passing every filter; with a query, best match first (ties: nearer, then by name);
        without one, nearest first when `near` is given, else by name. A query longer than
        bound_query allows is cut, and the hits' `notice` says so."""
        _check(filters)
        if limit is not None and limit <= 0:
            return Hits(notice=bound_query(query).notice)
        found, score, distance, clauses, n_words, notice = self._ranked(query, filters, limit)
        areas = dict(filters.serving)
        return Hits((self._hit(d, score, distance, clauses, n_words, areas) for d in found.tolist()), notice=notice)

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(south, west, north, east): the box of the live entries with a position; None when none has one. (Was
        every entry's result, position and name rank on the Find page's own thread after every change.)"""
        return ARRAY_WORK.run(self._bounds_here)

    def _bounds_here(self) -> tuple[float, float, float, float] | None:
        latitude, longitude = self._joined("_lat"), self._joined("_lon")
        placed = ~np.isnan(latitude)
        if self._live is not None:
            placed &= self._live
        if not placed.any():
            return None
        latitude, longitude = latitude[placed], longitude[placed]
        return float(latitude.min()), float(longitude.min()), float(latitude.max()), float(longitude.max())

    def ranked(self, query: str = "", filters: Filters = Filters()) -> tuple[np.ndarray, str | None]:
        """What `search(query, filters, limit=None)` finds, in the same order, as positions in `entries`
        (no Hit objects, no explanations: for callers that page or filter further, e.g. the read API),
        and the notice when the query was cut."""
        _check(filters)
        return ARRAY_WORK.run(self._positions_ranked, query, filters)

    def _positions_ranked(self, query: str, filters: Filters) -> tuple[np.ndarray, str | None]:
        found, _, _, _, _, notice = self._ranked(query, filters, None)
        if self._live is None:
            return found, notice
        if self._compact is None:  # doc position -> position in `entries` (two threads may both make it: the same)
            self._compact = _readonly(np.cumsum(self._live) - 1)
        return self._compact[found], notice

    def results(self, query: str = "", filters: Filters = Filters()) -> RankedHits:
        """What `search(query, filters, limit=None)` finds, in the same order, each Hit made only when read."""
        _check(filters)
        return ARRAY_WORK.run(self._results_here, query, filters)

    def _results_here(self, query: str, filters: Filters) -> RankedHits:
        found, score, distance, clauses, n_words, notice = self._ranked(query, filters, None)
        return RankedHits(self, found, None if score is None else score[found], distance[found], clauses, n_words,
                          dict(filters.serving), notice)

    def _ranked(self, query: str, filters: Filters, limit: int | None):
        return ARRAY_WORK.run(self._ranked_here, query, filters, limit)

    def _ranked_here(self, query: str, filters: Filters, limit: int | None):
        allowed = self._filter_mask(filters)
        remote = self._joined("_remote")
        distance = self._distances(filters, allowed, remote)
        serving = self._serving_mask(filters) & allowed
        if filters.within_km is not None:
            allowed &= remote | (distance <= filters.within_km) | serving
        bounded = bound_query(query)
        qwords = list(bounded.words)
        if qwords:
            clauses = (self._text.clauses(qwords), self._text.phrases(bounded.text, qwords))
            score = self._text.scores(qwords, clauses[0], len(self._entries), clauses[1])
            allowed &= score > 0
        else:
            clauses, score = ([], []), None
        found = np.flatnonzero(allowed)
        rank_distance = distance
        if serving.any():  # the client is inside its area: as near as anything can be
            rank_distance = distance.copy()
            rank_distance[serving] = 0.0
        found = _rank(found, score, rank_distance, self._ranks, limit)
        return found, score, distance, clauses, len(qwords), bounded.notice

    def _serving_mask(self, f: Filters) -> np.ndarray:
        mask = np.zeros(len(self._entries), bool)
        for entry_id, _ in f.serving:
            doc = self._doc(entry_id)
            if doc is not None:
                mask[doc] = True
        return mask

    def _doc(self, entry_id: str) -> int | None:
        """The live doc position of `entry_id` (each part's numbered after the one before), or None."""
        for part, start in zip(reversed(self._parts), reversed(self._starts)):  # the newest holds it live, if any
            found = part._position_of.get(entry_id)
            if found is not None and (self._live is None or self._live[start + found]):
                return start + found
        return None

    def _hit(self, doc: int, score, distance: np.ndarray, clauses, n_words: int, areas: dict[str, str]) -> Hit:
        return self._hit_of(doc, None if score is None else float(score[doc]), float(distance[doc]), clauses, n_words,
                            areas)

    def _hit_of(self, doc: int, score: float | None, km: float, clauses, n_words: int, areas: dict[str, str]) -> Hit:
        entry = self._entries[doc]
        return Hit(
            entry=entry,
            score=1.0 if score is None else min(score, 1.0),
            distance_km=None if math.isnan(km) else km,
            matched=self._text.explain(entry, clauses[0], n_words, clauses[1]) if any(clauses) else (),
            covers_area=areas.get(entry.id),
        )

    def _filter_mask(self, f: Filters) -> np.ndarray:
        if self._live is None:
            return self._segment_filter(f)
        mask = np.concatenate([part._segment_filter(f) for part in self._parts])
        mask &= self._live
        return mask

    def _segment_filter(self, f: Filters) -> np.ndarray:
        """The entries of an index built whole (a base or a part) passing `f`'s filters."""
        mask = np.ones(len(self._entries), bool)
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

    def _distances(self, f: Filters, allowed: np.ndarray, remote: np.ndarray) -> np.ndarray:
        """Great-circle km for allowed, placed, in-person entries near `f.near`; NaN for the rest (and for
        `remote`, the online or phone services)."""
        distance = np.full(len(self._entries), np.nan)
        if f.near is None:
            return distance
        lat, lon = f.near
        if f.within_km is not None:
            docs, km = self._within(lat, lon, f.within_km)
        else:
            docs = np.flatnonzero(allowed & self._joined("_placed"))
            km = haversine_km(lat, lon, self._at("_lat", docs), self._at("_lon", docs))
        distance[docs] = km
        # Where an online or phone service's office is tells the client nothing.
        distance[remote] = np.nan
        return distance


def _check(f: Filters) -> None:
    if f.within_km is not None:
        if f.near is None:
            raise ValueError("A search radius needs a place to measure from: give a postcode as well.")
        if not f.within_km >= 0:
            raise ValueError(f"The search radius must be zero or more kilometres, not {f.within_km}.")
    if f.day is not None and not 0 <= f.day <= 6:
        raise ValueError(f"Day must be 0 (Monday) to 6 (Sunday), not {f.day}.")


def _rank(found: np.ndarray, score, distance: np.ndarray, name_ranks, limit: int | None) -> np.ndarray:
    """Order `found`: by score (rounded, so float noise is not a difference), then distance, then name
    (`name_ranks(docs)`: their ranks A to Z)."""
    keys = [name_ranks(found)]
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


def _name_key(entry: Entry) -> tuple[str, str, str]:
    return fold(entry.name), entry.name, entry.id


def _name_ranks(entries: Sequence[Entry]) -> tuple[np.ndarray, np.ndarray]:
    """(positions A to Z, each position's place A to Z)."""
    order = np.asarray(sorted(range(len(entries)), key=lambda i: _name_key(entries[i])), np.int64)
    rank = np.empty(len(entries), np.int64)
    rank[order] = np.arange(len(entries))
    return _readonly(order), _readonly(rank)


def _later_name_ranks(base: SearchIndex, parts: Sequence[SearchIndex], live: np.ndarray) -> np.ndarray:
    """The ranks A to Z of the entries of `parts` (the parts after `base`, `live` saying which of their entries
    are), in the order one sort of every live entry would give: an entry that sorts before base entry p and is
    q-th of the parts' live entries gets p x (d + 1) + q (d: the parts' size; base entry r gets r x (d + 1) + d,
    see SearchIndex._ranks). p is found once per part by bisecting the base's names (`_places_in`); only entries
    sharing a p are compared with one another by name, not every changed entry again."""
    n_later = len(live)
    rank = np.zeros(n_later, np.int64)
    if not n_later:
        return rank
    places = np.concatenate([part._places_in(base) for part in parts])
    docs = np.flatnonzero(live)
    place = places[docs]
    order = np.argsort(place, kind="stable")
    ordered = place[order]
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(tied):  # runs of entries between the same two base entries: ordered by name among themselves
        entries = _Concatenated(tuple(part._entries for part in parts))
        run_starts = tied[np.concatenate(([True], tied[1:] != tied[:-1] + 1))]
        for start in run_starts.tolist():
            end = start + 1
            while end < len(ordered) and ordered[end] == ordered[start]:
                end += 1
            run = order[start:end].tolist()
            order[start:end] = sorted(run, key=lambda i: _name_key(entries[int(docs[i])]))
    q = np.empty(len(docs), np.int64)
    q[order] = np.arange(len(docs))
    rank[docs] = place * (n_later + 1) + q
    return rank


class _IdPositions:
    """Entry id -> its position in `entries`, as a dict's `get` answers, found by bisecting the positions in id
    order (4 bytes an entry) against the entries' own ids: a dict of 300,000 ids and their positions was ~25 MB
    of every instance's memory, for a look-up per opened or changed entry."""

    def __init__(self, entries: Sequence[Entry]):
        self._entries = entries
        n = len(entries)
        in_order = all(entries[i].id < entries[i + 1].id for i in range(n - 1))  # as the store reads them
        self._order = array("i", range(n) if in_order else sorted(range(n), key=lambda i: entries[i].id))

    def _id_at(self, position: int) -> str:
        return self._entries[position].id

    def get(self, entry_id: str, default=None):
        if not isinstance(entry_id, str):
            return default
        at = bisect.bisect_left(self._order, entry_id, key=self._id_at)
        if at < len(self._order) and self._entries[self._order[at]].id == entry_id:
            return self._order[at]
        return default


class _Concatenated(Sequence):
    """Tuples read as one without copying them: a changed index's entries, each part's in turn."""

    def __init__(self, parts: tuple[tuple, ...]):
        self._parts = parts
        self._starts = list(itertools.accumulate((len(part) for part in parts[:-1]), initial=0))
        self._length = sum(map(len, parts))

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, at):
        if isinstance(at, slice):
            return tuple(self)[at]
        if at < 0:
            at += self._length
        if not 0 <= at < self._length:
            raise IndexError(at)
        k = bisect.bisect_right(self._starts, at) - 1
        return self._parts[k][at - self._starts[k]]

    def __iter__(self):
        return itertools.chain.from_iterable(self._parts)


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
