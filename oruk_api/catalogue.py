"""The read API's view of the directory: the live entries in the search index's order, with what its filters
need as arrays, and the organisations' profiles; made once per directory change, then shared by every request.

The search index is already rebuilt whenever the change counter moves (any write, in any process, including an
organisation's profile, name or contact), so a catalogue is made for each index, from the index's own entries:
a position here is a position in the index, and `SearchIndex.ranked` answers in positions. Making one costs a
pass over the entries and two queries for the organisations (docs/PERFORMANCE.md); a request then costs the
change counter's one-row read, a few numpy masks and the serialising of one page.

Nothing here reads anything but the live entries and the organisations' public profiles: no archived entry, no
client record, no account.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from directory.fields import CODE, CODES, FIELD_BY_NAME, Entry, format_cell
from directory.io import oruk
from directory.schedule import END_OF_DAY, parse_schedule
from directory.store import organisation_key

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.organisations import OrganisationProfile
    from directory.search import SearchIndex

DAY_SECONDS = 24 * 3600
MAX_KEPT_SUMMARIES = 5000  # /services items kept ready (~2 KB each): the pages people and harvesters ask for


def _epoch(moment: dt.datetime | None) -> float:
    if moment is None:
        return math.nan
    if moment.tzinfo is None:  # SQLite gives back naive datetimes; everything stored is UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def _seconds(time: dt.time) -> int:
    return DAY_SECONDS if time == END_OF_DAY else time.hour * 3600 + time.minute * 60 + time.second


@dataclass
class Catalogue:
    index: SearchIndex
    entries: tuple[Entry, ...]
    by_name: np.ndarray                       # positions, A to Z (the order of /services without a search)
    service_ids: tuple[str, ...]
    service_position: dict[str, int]          # service id -> position
    service_at_location_position: dict[str, int]
    profiles: tuple[OrganisationProfile, ...]  # A to Z
    organisation: tuple[Any, ...]             # per position: its profile, or its organisation's name without one
    organisation_ids: dict[str, Any]          # organization id -> profile (or name)
    organisation_members: dict[str, np.ndarray]  # organization id -> positions, A to Z
    modified: np.ndarray                      # epoch seconds (NaN: not known)
    minimum_age: np.ndarray                   # NaN: none
    maximum_age: np.ndarray
    located: np.ndarray                       # has a location (so a service_at_location)
    latitude: np.ndarray                      # NaN: no position
    longitude: np.ndarray
    session_position: np.ndarray              # one row per weekly session: whose, which day, from, to (seconds)
    session_day: np.ndarray
    session_start: np.ndarray
    session_end: np.ndarray
    _term_masks: dict[str, np.ndarray] = field(default_factory=dict)
    _summaries: dict[int, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, index: SearchIndex, profiles: Iterable[OrganisationProfile]) -> Catalogue:
        entries = index.entries
        n = len(entries)
        profiles = tuple(profiles)
        names = oruk.organisation_index(profiles)
        organisation = tuple(names.get(organisation_key(e.organisation)) or e.organisation for e in entries)
        organisation_ids = {oruk.organization_id(p): p for p in profiles}
        id_of = {id(p): org_id for org_id, p in organisation_ids.items()}  # each organisation's id made once
        by_name, _ = index.ranked("")
        members: dict[str, list[int]] = {}
        for position in by_name.tolist():
            owner = organisation[position]
            org_id = id_of.get(id(owner))
            if org_id is None:  # an organisation name without a profile
                org_id = id_of[id(owner)] = oruk.organization_id(owner)
                organisation_ids.setdefault(org_id, owner)
            members.setdefault(org_id, []).append(position)
        service_ids = tuple(oruk.service_id(e.id) for e in entries)
        located = np.fromiter((bool(e.address or e.postcode or e.has_position) for e in entries), bool, n)
        sessions = _sessions(entries)
        return cls(
            index=index,
            entries=entries,
            by_name=by_name,
            service_ids=service_ids,
            service_position={service_id: i for i, service_id in enumerate(service_ids)},
            service_at_location_position={oruk.service_at_location_id(entries[i].id): i
                                          for i in np.flatnonzero(located).tolist()},
            profiles=profiles,
            organisation=organisation,
            organisation_ids=organisation_ids,
            organisation_members={org_id: np.asarray(p, np.int64) for org_id, p in members.items()},
            modified=np.fromiter((_epoch(e.updated_at) for e in entries), np.float64, n),
            minimum_age=np.fromiter((math.nan if e.min_age is None else e.min_age for e in entries), np.float64, n),
            maximum_age=np.fromiter((math.nan if e.max_age is None else e.max_age for e in entries), np.float64, n),
            located=located,
            latitude=np.fromiter((e.latitude if e.has_position else math.nan for e in entries), np.float64, n),
            longitude=np.fromiter((e.longitude if e.has_position else math.nan for e in entries), np.float64, n),
            session_position=sessions[0], session_day=sessions[1], session_start=sessions[2], session_end=sessions[3],
        )

    def __len__(self) -> int:
        return len(self.entries)

    # -- filters (each a mask over positions) --

    def term_mask(self, term_id: str) -> np.ndarray | None:
        """The services a term of our taxonomy describes (None for an id that is not one of our terms):
        a code's term, those with that code (category `training`, stage `early`, ...); a field's term, those
        with a value in that field (any of its codes); a kind of organisation, the services of organisations
        of that kind."""
        mask = self._term_masks.get(term_id)
        if mask is None:
            meaning = _term_meanings().get(term_id)
            if meaning is None:
                return None
            mask = self._term_mask(*meaning)
            mask.flags.writeable = False
            self._term_masks[term_id] = mask
        return mask

    def _term_mask(self, field_name: str, code: str | None) -> np.ndarray:
        n = len(self.entries)
        if field_name == oruk.ORGANISATION_KIND:
            kinds = (getattr(o, "kind", None) for o in self.organisation)
            return np.fromiter((kind is not None and (code is None or kind == code) for kind in kinds), bool, n)
        spec = FIELD_BY_NAME[field_name]
        values = (getattr(e, field_name) for e in self.entries)
        if spec.kind == CODES:
            return np.fromiter((bool(v) and (code is None or code in v) for v in values), bool, n)
        if spec.kind == CODE:
            return np.fromiter((v is not None and (code is None or v == code) for v in values), bool, n)
        return np.fromiter((bool(format_cell(field_name, v)) for v in values), bool, n)

    def organisation_mask(self, org_id: str) -> np.ndarray:
        mask = np.zeros(len(self.entries), bool)
        members = self.organisation_members.get(org_id)
        if members is not None:
            mask[members] = True
        return mask

    def session_mask(self, day: int | None, start: int | None, end: int | None) -> np.ndarray:
        """Services with a weekly session that is on `day` (0 Monday), starts at or after `start` and ends at
        or before `end` (seconds after midnight): the same session meets all that are given."""
        keep = np.ones(len(self.session_position), bool)
        if day is not None:
            keep &= self.session_day == day
        if start is not None:
            keep &= self.session_start >= start
        if end is not None:
            keep &= self.session_end <= end
        mask = np.zeros(len(self.entries), bool)
        mask[self.session_position[keep]] = True
        return mask

    # -- what is served --

    def service_summary(self, position: int) -> dict:
        """An item of /services (kept: the same entry gives the same item until the directory changes)."""
        summary = self._summaries.get(position)
        if summary is None:
            summary = oruk.service_summary(self.entries[position], self.organisation[position])
            if len(self._summaries) >= MAX_KEPT_SUMMARIES:  # a crawler paging through everything: start again
                self._summaries.clear()
            self._summaries[position] = summary
        return summary


def _sessions(entries: tuple[Entry, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    parsed: dict[str, tuple] = {}  # directories repeat a handful of schedules many times
    rows: list[tuple[int, int, int, int]] = []
    for position, entry in enumerate(entries):
        if not entry.schedule:
            continue
        sessions = parsed.get(entry.schedule)
        if sessions is None:
            try:
                sessions = tuple((s.day, _seconds(s.start), _seconds(s.end)) for s in parse_schedule(entry.schedule))
            except ValueError:
                sessions = ()  # unreadable times: by arrangement, never every day
            parsed[entry.schedule] = sessions
        rows.extend((position, *session) for session in sessions)
    table = np.asarray(rows, np.int64).reshape(-1, 4)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy(), table[:, 3].copy()


_meanings: dict[str, tuple[str, str | None]] | None = None


def _term_meanings() -> dict[str, tuple[str, str | None]]:
    """term id -> (field, code or None), for every term of our taxonomy."""
    global _meanings
    if _meanings is None:
        terms = {term["id"]: term for term in oruk.taxonomy_terms()}
        _meanings = {
            term_id: ((terms[term["parent_id"]]["code"], term["code"]) if term.get("parent_id") else (term["code"], None))
            for term_id, term in terms.items()
        }
    return _meanings


# -- one catalogue per directory, made again when its search index is -----------------------------------------

_catalogues: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_building = threading.Lock()


def catalogue(directory: Directory) -> Catalogue:
    """The catalogue of the directory as it is now (one read of the change counter when nothing changed)."""
    index = directory.search_index()
    current = _catalogues.get(directory)
    if current is not None and current.index is index:
        return current
    with _building:
        current = _catalogues.get(directory)
        if current is None or current.index is not index:
            current = Catalogue.build(index, oruk.load_organisations(directory))
            _catalogues[directory] = current
            if getattr(directory, "long_running", False):
                # As the search index (directory.api._keep_long_lived): kept out of the cycle collector's full
                # collections (0.1-0.2 s each at 50,000 entries) until the next rebuild hands it back.
                gc.collect()
                gc.freeze()
    return current
