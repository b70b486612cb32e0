"""The read API's view of the directory: the live entries in the search index's order, with what its filters
need as arrays, and the organisations' profiles; made once per directory change, then shared by every request.

The search index follows every write (in any process) by indexing the changed entries apart from its base
(SearchIndex.with_changes), and so does the catalogue: what it keeps of each entry (its organisation, service
ids, filter arrays, term masks) is worked out once per base index in a part shared by every catalogue made on
it, and a write's catalogue makes a part of the changed entries only and masks out the base's changed ones. A
position here is a position in the index's entries, and `SearchIndex.ranked` answers in positions. Making one
after a write costs one read of the profile counter and a part of the changed entries; what spans every live
entry (the parts' columns joined, the A-to-Z order) is made when a request first needs it, and one service is
served from its part without any of it. The base's part is made again only when the index is rebuilt whole or a
profile changed. The
organisations' profiles are read again only when the profile counter moved (a write that changed a profile moves
it with the change counter, in the same transaction): an entry's edit costs one more one-row read, not every
profile. A request then costs the change counter's one-row read, a few numpy masks and the serialising of one
page.

Nothing here reads anything but the live entries and the organisations' public profiles: no archived entry, no
client record, no account.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import threading
import weakref
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from directory.api import keep_long_lived
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


class _Profiles:
    """The organisations' profiles as read at one profile counter (None: not known), with the lookups every part
    made with them uses, worked out once."""

    def __init__(self, profiles: Iterable[OrganisationProfile], counter: int | None = None):
        self.profiles = tuple(profiles)
        self.counter = counter
        self.names = oruk.organisation_index(self.profiles)  # organisation_key(any of its names) -> profile
        self.ids = {id(p): oruk.organization_id(p) for p in self.profiles}  # id(profile) -> organization id
        self.by_org_id = {self.ids[id(p)]: p for p in self.profiles}

    def same_as(self, other: _Profiles) -> bool:
        return self is other or self.profiles == other.profiles


class _SortedKeys:
    """Text keys -> whole numbers, as a dict's `get` answers them, kept as one sorted array of the keys' bytes
    beside their numbers and looked up by binary search: ~40 bytes a key where a dict of 300,000 new strings held
    ~150. When every key is a UUID as `str(uuid)` writes it (every service id is), a key is its 16 bytes, not its
    36 characters (12 MB less for the two look-ups of 300,000 services). A key given twice answers its last
    number, as a dict built from the same pairs does."""

    def __init__(self, keys: Iterable[str], numbers: np.ndarray):
        keys = list(keys)
        raw = [_uuid_bytes(key) for key in keys]
        self._uuids = bool(keys) and None not in raw
        if not self._uuids:
            raw = [key.encode("utf-8") for key in keys]
        encoded = np.array(raw, dtype="S")
        order = np.argsort(encoded, kind="stable")
        self._keys = encoded[order]
        self._numbers = np.asarray(numbers, np.int32)[order]  # positions: fewer than 2**31

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: str, default=None):
        if self._uuids:
            raw = _uuid_bytes(key)
            if raw is None:
                return default
        else:
            try:
                raw = key.encode("utf-8")
            except (AttributeError, UnicodeEncodeError):  # not text, or text no key can be
                return default
        # numpy's fixed-width bytes drop trailing NULs: a key whose bytes end in one is compared with what it
        # was stored as (only UUIDs may end so; no stored text key has a NUL)
        if len(raw) > self._keys.itemsize or (not self._uuids and b"\0" in raw) or not len(self._keys):
            return default
        found = int(np.searchsorted(self._keys, raw, side="right")) - 1
        return int(self._numbers[found]) if found >= 0 and self._keys[found] == raw.rstrip(b"\0") else default


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid_bytes(key) -> bytes | None:
    """The 16 bytes of `key` when it is a UUID written as str(uuid) writes it (lower case, hyphens), else None:
    any other spelling of the same UUID is another key, as it is to a dict. (A pattern and the hex, not
    uuid.UUID: ten times quicker over the 600,000 keys of a base's part.)"""
    if isinstance(key, str) and _CANONICAL_UUID.fullmatch(key):
        return bytes.fromhex(key.replace("-", ""))
    return None


# What a part keeps of its entries that no organisation profile changes (made by _Part._columns).
_PROFILE_FREE_COLUMNS = ("service_position", "located", "service_at_location_position", "modified", "minimum_age",
                         "maximum_age", "latitude", "longitude", "sessions")


class _Part:
    """What the catalogue keeps of one plain tuple of entries (a search index's base, or one of the parts of
    changed entries beside it), position for position, for one set of organisation profiles. A base's part is
    made once and shared by every catalogue of an index built on it, and so is each part of changed entries: a
    write's catalogue makes a part of the index's newest part only (its own few entries, or now and then a run of
    recent ones merged, see SearchIndex.updated), never one of every entry changed since the base.
    Per entry it keeps arrays and shared objects only (at 300,000 entries, dicts of new id strings and a small
    array per organisation were ~190 MB of an instance's memory)."""

    def __init__(self, entries: tuple[Entry, ...], profiles: _Profiles, *, same_entries: _Part | None = None):
        """`same_entries`: a part of these very entries for other profiles, whose columns that do not depend on
        the profiles (ids, positions, dates, ages, sessions) are taken as they are: an import that adds
        organisations changes the profiles, and making the whole part again for a base of 300,000 entries took
        the first API request after it 3 s on a quiet machine (0.4 s keeping these) and up to 16 s in the load
        test, with every other API request waiting."""
        self.entries = entries
        self.profiles = profiles
        self._organisations(entries, profiles)
        if same_entries is not None and same_entries.entries is entries:
            for name in _PROFILE_FREE_COLUMNS:
                setattr(self, name, getattr(same_entries, name))
        else:
            self._columns(entries)
        self._term_masks: dict[str, np.ndarray] = {}  # organisation kinds among them: made again

    def _organisations(self, entries: tuple[Entry, ...], profiles: _Profiles) -> None:
        names, profile_ids = profiles.names, profiles.ids
        self.organisation = tuple(names.get(organisation_key(e.organisation)) or e.organisation for e in entries)
        made: dict[str, str] = {}  # a name without a profile -> its organization id (made once per name)
        codes: dict[str, int] = {}  # organization id -> its number here, in order of first service
        org_codes = np.empty(len(entries), np.int64)
        for position, owner in enumerate(self.organisation):
            org_id = profile_ids.get(id(owner))
            if org_id is None:
                org_id = made.get(owner)
                if org_id is None:
                    org_id = made[owner] = oruk.organization_id(owner)
            org_codes[position] = codes.setdefault(org_id, len(codes))
        # an organisation's services: positions grouped by organisation, each group in position order
        self._member_order = np.argsort(org_codes, kind="stable").astype(np.int32)
        counts = np.bincount(org_codes, minlength=len(codes))
        self._member_ends = np.cumsum(counts)
        self._member_starts = self._member_ends - counts
        self._org_code = _SortedKeys(codes, np.arange(len(codes)))

    def _columns(self, entries: tuple[Entry, ...]) -> None:
        n = len(entries)
        self.service_position = _SortedKeys((oruk.service_id(e.id) for e in entries), np.arange(n))
        self.located = np.fromiter((bool(e.address or e.postcode or e.has_position) for e in entries), bool, n)
        located = np.flatnonzero(self.located)
        self.service_at_location_position = _SortedKeys(
            (oruk.service_at_location_id(entries[i].id) for i in located.tolist()), located)
        self.modified = np.fromiter((_epoch(e.updated_at) for e in entries), np.float64, n)
        self.minimum_age = np.fromiter((math.nan if e.min_age is None else e.min_age for e in entries), np.float64, n)
        self.maximum_age = np.fromiter((math.nan if e.max_age is None else e.max_age for e in entries), np.float64, n)
        self.latitude = np.fromiter((e.latitude if e.has_position else math.nan for e in entries), np.float64, n)
        self.longitude = np.fromiter((e.longitude if e.has_position else math.nan for e in entries), np.float64, n)
        self.sessions = _sessions(entries)
        for column in (self.located, self.modified, self.minimum_age, self.maximum_age, self.latitude, self.longitude,
                       *self.sessions):
            column.flags.writeable = False  # a catalogue over the base alone serves these very arrays

    def members(self, org_id: str) -> np.ndarray:
        """The positions here of an organisation's services, in position order (none: empty)."""
        code = self._org_code.get(org_id)
        if code is None:
            return np.zeros(0, np.int64)
        return self._member_order[self._member_starts[code]:self._member_ends[code]].astype(np.int64)

    def term_mask(self, field_name: str, code: str | None, key: str) -> np.ndarray:
        mask = self._term_masks.get(key)
        if mask is None:
            mask = self._term_masks[key] = _term_mask(self.entries, self.organisation, field_name, code)
        return mask


def _term_mask(entries, organisation, field_name: str, code: str | None) -> np.ndarray:
    n = len(entries)
    if field_name == oruk.ORGANISATION_KIND:
        kinds = (getattr(o, "kind", None) for o in organisation)
        return np.fromiter((kind is not None and (code is None or kind == code) for kind in kinds), bool, n)
    spec = FIELD_BY_NAME[field_name]
    values = (getattr(e, field_name) for e in entries)
    if spec.kind == CODES:
        return np.fromiter((bool(v) and (code is None or code in v) for v in values), bool, n)
    if spec.kind == CODE:
        return np.fromiter((v is not None and (code is None or v == code) for v in values), bool, n)
    return np.fromiter((bool(format_cell(field_name, v)) for v in values), bool, n)


class _Positions:
    """id -> position in the catalogue (among the live entries), from the parts' own look-ups; None for an entry
    no longer live."""

    def __init__(self, catalogue: Catalogue, lookup: str):
        self._catalogue, self._lookup = catalogue, lookup

    def get(self, key: str, default=None):
        catalogue = self._catalogue
        found = catalogue.live_part_position(self._lookup, key)
        if found is None:
            return default
        _, position, start = found
        position += start
        return position if catalogue._live is None else int(catalogue._compact[position])


class _ServiceIds:
    """position -> the service id of the entry there, made when asked (oruk.service_id: its own id when that is a
    UUID): kept as 300,000 strings it was ~25 MB that only tests and benchmarks read whole."""

    def __init__(self, entries: tuple[Entry, ...]):
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, position: int) -> str:
        return oruk.service_id(self._entries[position].id)


class _Members:
    """organization id -> positions of its live services, A to Z (made when asked for)."""

    def __init__(self, catalogue: Catalogue):
        self._catalogue = catalogue
        self._kept: dict[str, np.ndarray] = {}

    def get(self, org_id: str, default=None):
        found = self._kept.get(org_id)
        if found is None:
            found = self._kept[org_id] = self._catalogue._members_of(org_id)
        return found if len(found) else default


class _OrganisationIds:
    """organization id -> profile, or for an organisation without one, its name as its first service A to Z
    spells it (only while it has a live service)."""

    def __init__(self, catalogue: Catalogue, profiles: dict[str, Any]):
        self._catalogue, self._profiles = catalogue, profiles

    def get(self, org_id: str, default=None):
        found = self._profiles.get(org_id)
        if found is not None:
            return found
        members = self._catalogue.organisation_members.get(org_id)
        return default if members is None else self._catalogue.organisation[int(members[0])]


def _joined_column(name: str) -> functools.cached_property:
    """A Catalogue attribute: the parts' column `name` joined over the live entries, made when first read."""
    return functools.cached_property(lambda catalogue: catalogue._array(getattr(p, name) for p in catalogue._parts))


class Catalogue:
    """The read API's view of one search index: positions are positions in `index.entries`. Made from a part
    per part of the index (its base's and each of changed entries', kept while the index keeps that part and the
    profiles stay the same), masked by what is live."""

    def __init__(self, index: SearchIndex, profiles: _Profiles, parts: tuple[_Part, ...], live: np.ndarray | None):
        self.index = index
        self._profiles = profiles
        self.profiles = profiles.profiles
        self._parts, self._live = parts, live
        self._starts = tuple(itertools.accumulate((len(p.entries) for p in parts[:-1]), initial=0))
        self.service_position = _Positions(self, "service_position")
        self.service_at_location_position = _Positions(self, "service_at_location_position")
        self.organisation_members = _Members(self)
        self.organisation_ids = _OrganisationIds(self, profiles.by_org_id)
        self.counter: int | None = None  # the change counter it was made at (catalogue() sets it)
        self._term_masks: dict[str, np.ndarray] = {}
        self._summaries: dict[int, dict] = {}

    # Everything below that spans every live entry is made when a request first needs it, not with the catalogue:
    # after a write, the next request is most often one service (a partner's check, the load test's probe), and
    # making them all took 60-110 ms and ~20 MB of short-lived arrays per write at 300,000 entries, which the
    # allocator did not all give back (an instance grew ~5 MB a write). Two threads may both make one: the same.

    @property
    def _base(self) -> _Part:
        return self._parts[0]

    @functools.cached_property
    def _compact(self) -> np.ndarray | None:
        """Position among all the parts' entries -> position among the live ones (None: every one is live)."""
        return None if self._live is None else np.cumsum(self._live) - 1

    @functools.cached_property
    def entries(self) -> tuple[Entry, ...]:
        return self.index.entries

    @functools.cached_property
    def by_name(self) -> np.ndarray:
        return self.index.ranked("")[0]

    @functools.cached_property
    def organisation(self) -> tuple:
        return self._joined(p.organisation for p in self._parts)

    @functools.cached_property
    def service_ids(self) -> _ServiceIds:
        return _ServiceIds(self.entries)

    # The parts' per-entry columns joined over the live entries: each made when a filter first reads it.
    located = _joined_column("located")
    modified = _joined_column("modified")
    minimum_age = _joined_column("minimum_age")
    maximum_age = _joined_column("maximum_age")
    latitude = _joined_column("latitude")
    longitude = _joined_column("longitude")

    @functools.cached_property
    def _sessions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every weekly session of a live entry: (position, day, start, end)."""
        if len(self._parts) == 1:  # the base's own columns, shared (not copied) by every catalogue made on it
            sessions = list(self._base.sessions)
        else:
            sessions = [np.concatenate([p.sessions[k] + start if k == 0 else p.sessions[k]
                                        for p, start in zip(self._parts, self._starts)]) for k in range(4)]
        if self._live is not None:
            keep = self._live[sessions[0]]
            sessions = [column[keep] for column in sessions]
            sessions[0] = self._compact[sessions[0]]
        return tuple(sessions)

    session_position = property(lambda catalogue: catalogue._sessions[0])
    session_day = property(lambda catalogue: catalogue._sessions[1])
    session_start = property(lambda catalogue: catalogue._sessions[2])
    session_end = property(lambda catalogue: catalogue._sessions[3])

    @functools.cached_property
    def _rank(self) -> np.ndarray:
        """Position -> its place A to Z."""
        rank = np.empty(len(self.entries), np.int64)
        rank[self.by_name] = np.arange(len(self.by_name))
        return rank

    def live_part_position(self, lookup: str, key: str) -> tuple[_Part, int, int] | None:
        """(the part, the position in it, the part's first position) of the live entry `key` names in the parts'
        look-up `lookup` ('service_position' or 'service_at_location_position'), without making anything that
        spans every entry: the newest part's first (a changed entry is in each part it was changed in, the
        earlier copies no longer live)."""
        for part, start in zip(reversed(self._parts), reversed(self._starts)):
            found = getattr(part, lookup).get(key)
            if found is not None and (self._live is None or self._live[start + found]):
                return part, found, start
        return None

    def service(self, service_id: str) -> tuple[Entry, Any] | None:
        """(the live entry, its organisation) that `service_id` names, or None."""
        found = self.live_part_position("service_position", service_id)
        return None if found is None else (found[0].entries[found[1]], found[0].organisation[found[1]])

    def service_at_location(self, key: str) -> tuple[Entry, Any] | None:
        """(the live entry, its organisation) of the service_at_location `key` names, or None."""
        found = self.live_part_position("service_at_location_position", key)
        return None if found is None else (found[0].entries[found[1]], found[0].organisation[found[1]])

    @classmethod
    def build(cls, index: SearchIndex, profiles: Iterable[OrganisationProfile] | _Profiles,
              base: _Part | None = None, earlier: Iterable[_Part] = ()) -> Catalogue:
        """The catalogue of `index`; `base`: a part made earlier, reused when it is of the index's base with the
        same profiles; `earlier`: parts of changed entries made earlier, each reused while the index keeps its
        part and the profiles are the same."""
        if not isinstance(profiles, _Profiles):
            profiles = _Profiles(profiles)
        if base is not None and base.entries is index._base._entries and base.profiles.same_as(profiles):
            profiles = base.profiles  # the same profiles: their lookups are made already
        else:
            base = _Part(index._base._entries, profiles, same_entries=base)
        made = {id(part.entries): part for part in earlier if part.profiles is profiles}  # each alive: ids unique
        later = tuple(made.get(id(part._entries)) or _Part(part._entries, profiles) for part in index._parts[1:])
        return cls(index, profiles, (base, *later), index._live)

    def _joined(self, columns) -> tuple:
        columns = list(columns)
        if self._live is None and len(columns) == 1:
            return columns[0]
        return tuple(itertools.compress(itertools.chain(*columns), self._live.tolist()))

    def _array(self, columns) -> np.ndarray:
        columns = list(columns)
        if self._live is None and len(columns) == 1:
            return columns[0]  # the base part's own array, shared by every catalogue made on it
        joined = np.concatenate(columns)
        return joined if self._live is None else joined[self._live]

    def __len__(self) -> int:
        return len(self.index)  # the live entries, counted without joining them

    def _members_of(self, org_id: str) -> np.ndarray:
        docs = np.concatenate([part.members(org_id) + start for part, start in zip(self._parts, self._starts)])
        if self._live is not None:
            docs = self._compact[docs[self._live[docs]]]
        return docs[np.argsort(self._rank[docs], kind="stable")]

    # -- filters (each a mask over positions) --

    def term_mask(self, term_id: str) -> np.ndarray | None:
        """The services a term of our taxonomy describes (None for an id that is not one of our terms):
        a code's term, those with that code (category `training`, stage `early`, ...); a field's term, those
        with a value in that field (any of its codes); a kind of organisation, the services of organisations
        of that kind. Worked out per part: a base's masks serve every catalogue made on it."""
        mask = self._term_masks.get(term_id)
        if mask is None:
            meaning = _term_meanings().get(term_id)
            if meaning is None:
                return None
            mask = self._array(p.term_mask(*meaning, term_id) for p in self._parts)
            mask.flags.writeable = False
            self._term_masks[term_id] = mask
        return mask

    def organisation_mask(self, org_id: str) -> np.ndarray:
        mask = np.zeros(len(self), bool)
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
        mask = np.zeros(len(self), bool)
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
    """Every weekly session as four columns: position, day, start, end. Made from one shared tuple per distinct
    schedule and a count per entry, not a row tuple per session (300,000 small tuples fragment the heap)."""
    parsed: dict[str, tuple] = {"": ()}  # directories repeat a handful of schedules many times
    per_entry = []
    for entry in entries:
        schedule = entry.schedule or ""
        sessions = parsed.get(schedule)
        if sessions is None:
            try:
                sessions = tuple((s.day, _seconds(s.start), _seconds(s.end)) for s in parse_schedule(schedule))
            except ValueError:
                sessions = ()  # unreadable times: by arrangement, never every day
            parsed[schedule] = sessions
        per_entry.append(sessions)
    counts = np.fromiter(map(len, per_entry), np.int64, len(per_entry))
    total = int(counts.sum())
    flat = np.fromiter(itertools.chain.from_iterable(itertools.chain.from_iterable(per_entry)), np.int64, 3 * total)
    table = flat.reshape(-1, 3)
    positions = np.repeat(np.arange(len(per_entry), dtype=np.int32), counts)
    # a day fits a byte and a time of day (seconds) 32 bits: a quarter and a half of int64's room
    return positions, table[:, 0].astype(np.int8), table[:, 1].astype(np.int32), table[:, 2].astype(np.int32)


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
_prepared_parts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # directory -> parts of its next index
_building = threading.Lock()


def catalogue(directory: Directory) -> Catalogue:
    """The catalogue of the directory as it is now (one read of the change counter when nothing changed; after a
    change, one more of the profile counter, and every profile only when it moved)."""
    index = directory.search_index()
    counter = directory.search_index_counter()  # a profile's write moves it and may leave the same index
    current = _catalogues.get(directory)
    if current is not None and current.index is index and current.counter == counter:
        return current
    return directory.on_upkeep_thread(_caught_up, directory, index, counter)


def _caught_up(directory: Directory, index: SearchIndex, counter: int) -> Catalogue:
    """The catalogue of `index` (as of `counter`), made from the last one's parts where it can."""
    with _building:
        current = _catalogues.get(directory)
        if current is None or current.index is not index or current.counter != counter:
            earlier_base = None if current is None else current._base
            earlier = [] if current is None else list(current._parts[1:])
            # Parts made while an index was made beside this one (see _prepare_parts). One made for an index not
            # served yet (its rebuild finishing as this runs) is left for the catalogue of that index.
            of_this_index = {id(part._entries) for part in index._parts}
            not_yet = []
            for part in _prepared_parts.pop(directory, ()):
                if part.entries is index._base._entries:
                    earlier_base = part
                elif id(part.entries) in of_this_index:
                    earlier.append(part)
                else:
                    not_yet.append(part)
            if not_yet:
                _prepared_parts.setdefault(directory, not_yet)
            current = Catalogue.build(index, _profiles_now(directory, None if current is None else current._profiles),
                                      base=earlier_base, earlier=earlier)
            if getattr(directory, "long_running", False):
                directory.prepare_with_each_base("read API catalogue", functools.partial(_prepare_parts, directory))
            current.counter = counter
            _catalogues[directory] = current
            if getattr(directory, "long_running", False) and current._base is not earlier_base:
                # As the search index: a base part made anew is kept out of the cycle collector's full
                # collections (0.1-0.2 s each at 50,000 entries) until the next one hands it back. Freezing
                # again without handing the last freeze back kept every cycle frozen before (the load test's
                # instances grew ~5 MB/s). A catalogue over a kept base adds a part of the changed entries
                # only, a few objects the collector handles as any others: freezing after it (a full
                # collection of the whole heap) took most of the first answer after an edit.
                keep_long_lived()
    return current


def _prepare_parts(directory: Directory, index: SearchIndex) -> None:
    """(In the thread making a search index beside the one served: a base rebuilt, or parts of changed entries made
    one.) The parts of `index` the catalogue does not have, with the profiles it has now, for `catalogue` to take at
    its first request after the swap (when the profiles are still the same)."""
    current = _catalogues.get(directory)
    if current is not None:
        have = {id(part.entries) for part in current._parts}
        _prepared_parts[directory] = [_Part(part._entries, current._profiles) for part in index._parts
                                      if id(part._entries) not in have]


def _profiles_now(directory: Directory, kept: _Profiles | None) -> _Profiles:
    """The profiles as they are now: `kept` while the profile counter has not moved, else read again. The counter
    is read first, so a profile committed between the two reads is read again at the next look, never missed."""
    with directory.reader() as uow:
        counter = uow.state.profile_counter()
    if kept is not None and kept.counter == counter:
        return kept
    return _Profiles(oruk.load_organisations(directory), counter)
