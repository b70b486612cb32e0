"""Per-entry facts, worked out once and kept as columns, so a plan is array arithmetic.

Reading an `Entry` (parsing its schedule, finding its steps, matching its
sector and tags to synonym groups) costs tens of microseconds; doing it for
50,000 entries on every plan would take seconds. `PlannerIndex.build` does it
once; `recommend` then filters and scores with numpy over the columns and
touches individual entries only to explain the few it returns or excludes.

Schedules are shared: entries with the same schedule text point at one
schedule, and schedules at their distinct sessions (`SessionTable`), so the
attendance test for a plan runs once per distinct session (planner.attendance)
rather than once per entry. Parsed sessions and match keys are kept as arrays,
not as objects, to keep the garbage collector's work small.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from directory.codes import BENEFITS, STAGES, steps_for
from directory.fields import Entry
from directory.schedule import ScheduleError, Session, parse_schedule
from planner.fit import clock_time, minutes
from planner.groups import group_mask
from planner.rules import (
    BARRIER_RULES,
    CATEGORY_ORDER,
    DEFAULT_BASIC_SKILLS_SUBJECT,
    GENERAL_WELLBEING_TAGS,
    INFORMAL_FORMATS,
    IPS_TAGS,
    MENTOR_ROLES,
    ONE_TO_ONE_FORMAT,
    SECTOR_CATEGORIES,
    STEP_ORDER,
)
from planner.terms import basic_skills_subjects, has_tag, match_keys

NO_END = np.iinfo(np.int64).max
BENEFIT_BITS = {code: 1 << i for i, code in enumerate(BENEFITS)}
STAGE_BITS = {code: 1 << i for i, code in enumerate(STAGES)}
STEP_BITS = {code: 1 << i for i, code in enumerate(STEP_ORDER)}
CATEGORY_INDEX = {code: i for i, code in enumerate(CATEGORY_ORDER)}
REMOTE_DELIVERY = ("online", "phone")


def bits(codes: Sequence[str], table: dict[str, int]) -> int:
    mask = 0
    for code in codes:
        mask |= table.get(code, 0)
    return mask


def _sessions(text: str | None) -> tuple[Session, ...]:
    try:
        return parse_schedule(text)
    except ScheduleError:
        # The directory validates schedules on the way in; an unreadable one (an old row) is
        # treated as "by arrangement" rather than hiding the entry.
        return ()


def entry_keys(entry: Entry) -> frozenset[str]:
    """Match keys of an entry's sector and tags (spec: "entries whose sector or tags match"). Synonym groups
    only where the sector names a line of work (rules.SECTOR_CATEGORIES): a recovery café is not hospitality."""
    keys: set[str] = set()
    for text in (entry.sector, *entry.tags):
        if text:
            keys.update(match_keys(text))
    if entry.category not in SECTOR_CATEGORIES:
        return frozenset(key for key in keys if not key.startswith("~"))
    return frozenset(keys)


def _barrier_masks(entries: tuple[Entry, ...], category: np.ndarray) -> dict[str, np.ndarray]:
    """For each barrier in rules.BARRIER_RULES, the entries that meet it."""
    basic_skills = CATEGORY_INDEX["basic_skills"]
    default = frozenset({DEFAULT_BASIC_SKILLS_SUBJECT})
    subjects = [
        (basic_skills_subjects(e.tags) or default) if kind == basic_skills else frozenset()
        for e, kind in zip(entries, category.tolist())
    ]
    masks = {}
    for name, rule in BARRIER_RULES.items():
        mask = np.isin(category, [CATEGORY_INDEX[c] for c in rule.categories])
        if rule.subject is not None:
            teaches = np.fromiter((rule.subject in taught for taught in subjects), dtype=bool, count=len(entries))
            mask &= (category != basic_skills) | teaches
        if rule.tags:
            tagged = np.fromiter((bool(e.tags) and has_tag(e.tags, rule.tags) for e in entries), dtype=bool, count=len(entries))
            if rule.tagged_in:
                tagged &= np.isin(category, [CATEGORY_INDEX[c] for c in rule.tagged_in])
            mask |= tagged
        if rule.childcare:
            mask |= np.fromiter((bool(e.childcare) for e in entries), dtype=bool, count=len(entries))
        if rule.except_tags:
            mask &= ~np.fromiter((bool(e.tags) and has_tag(e.tags, rule.except_tags) for e in entries), dtype=bool, count=len(entries))
        masks[name] = mask
    return masks


@dataclass(frozen=True, eq=False)
class SessionTable:
    """The distinct sessions of all schedules as arrays, and which belong to which schedule."""

    day: np.ndarray
    start: np.ndarray  # minutes from midnight
    end: np.ndarray
    schedule_start: np.ndarray  # schedule k's sessions are ids[schedule_start[k]:schedule_start[k + 1]]
    ids: np.ndarray

    @classmethod
    def of(cls, schedules: Sequence[tuple[Session, ...]]) -> SessionTable:
        distinct: dict[Session, int] = {}
        ids: list[int] = []
        schedule_start = [0]
        for sessions in schedules:
            ids.extend(distinct.setdefault(session, len(distinct)) for session in sessions)
            schedule_start.append(len(ids))
        table = list(distinct)
        return cls(
            day=np.array([s.day for s in table], dtype=np.int64),
            start=np.array([minutes(s.start) for s in table], dtype=np.int64),
            end=np.array([minutes(s.end) for s in table], dtype=np.int64),
            schedule_start=np.array(schedule_start, dtype=np.int64),
            ids=np.array(ids, dtype=np.int64),
        )

    def per_schedule(self, per_session: np.ndarray, reduce: np.ufunc, empty: bool) -> np.ndarray:
        """`per_session` (rows are distinct sessions) reduced over each schedule's sessions with
        np.logical_or (any) or np.logical_and (all); `empty` for schedules with no sessions."""
        counts = np.diff(self.schedule_start)
        result = np.full((len(counts), *per_session.shape[1:]), empty, dtype=bool)
        has_sessions = counts > 0
        if has_sessions.any():
            result[has_sessions] = reduce.reduceat(per_session[self.ids], self.schedule_start[:-1][has_sessions], axis=0)
        return result

    def of_schedule(self, schedule_id: int) -> np.ndarray:
        """The session ids of one schedule, in the order of its sessions."""
        return self.ids[self.schedule_start[schedule_id]:self.schedule_start[schedule_id + 1]]

    def sessions(self, ids: Iterable[int]) -> tuple[Session, ...]:
        return tuple(Session(int(self.day[i]), clock_time(int(self.start[i])), clock_time(int(self.end[i]))) for i in ids)

    def schedule(self, schedule_id: int) -> tuple[Session, ...]:
        """One schedule's sessions, as parse_schedule gave them."""
        return self.sessions(self.of_schedule(schedule_id).tolist())


@dataclass(frozen=True, eq=False)
class PlannerIndex:
    """The planner's view of a directory snapshot: one array per fact, row i = entries[i]."""

    entries: tuple[Entry, ...]
    category: np.ndarray  # index into rules.CATEGORY_ORDER
    archived: np.ndarray  # archived entries are never recommended (the directory's list leaves them out anyway)
    step_mask_id: np.ndarray  # index into `step_masks`
    step_masks: tuple[int, ...]  # the distinct STEP_BITS sets, so per-plan step arithmetic runs once per set
    latitude: np.ndarray  # NaN when unknown
    longitude: np.ndarray
    in_person: np.ndarray  # in person or outreach: distance matters
    remote: np.ndarray  # online or by phone: never too far
    end_day: np.ndarray  # date.toordinal(), NO_END when open-ended
    start_day: np.ndarray  # date.toordinal(), 0 when not given
    min_age: np.ndarray  # NaN when no limit
    max_age: np.ndarray
    benefit_mask: np.ndarray  # BENEFIT_BITS; 0 = open to all
    stage_mask: np.ndarray  # STAGE_BITS; 0 = any stage
    requires_abstinence: np.ndarray
    drug_testing: np.ndarray
    convictions: np.ndarray  # accepts_convictions as text ("" when not given)
    free: np.ndarray
    travel_paid: np.ndarray
    childcare: np.ndarray
    informal: np.ndarray  # informal or small-group format
    one_to_one: np.ndarray
    group_mask: np.ndarray  # planner.groups.GROUP_BITS of `for_groups`; 0 = open to all
    mentor_become: np.ndarray  # peer mentoring where the client would become a mentor (mentoring_role become, both)
    ips: np.ndarray  # Individual Placement and Support: tagged ips, or IPS in the name
    general_wellbeing: np.ndarray  # health and well-being activities for anyone (rules.GENERAL_WELLBEING_TAGS)
    sector_matters: np.ndarray  # rules.SECTOR_CATEGORIES: assets may match through synonym groups
    waiting_days: np.ndarray  # NaN when not given
    hours: np.ndarray  # NaN when not given
    languages_listed: np.ndarray
    schedule_id: np.ndarray  # index into `schedule_texts` and `sessions`' schedules
    schedule_texts: tuple[str | None, ...]  # as the entries write them (the directory stores canonical text)
    sessions: SessionTable
    postings: Mapping[str, np.ndarray]  # match key (planner.terms) -> entries whose sector or tags hold it
    language_postings: Mapping[str, np.ndarray]  # language code -> entries offering it
    barrier_masks: dict[str, np.ndarray]  # rules.BARRIER_RULES key -> entries meeting it
    name_order: np.ndarray | _Ranks  # rank by (name, id) of any rows given, for listing exclusions alphabetically
    by_name: np.ndarray | None = None  # rows by (name, id): what changes bisect (None in a changed index)
    base_rows: int | None = None  # rows of the index built whole the changes started from (None: this one)
    tail: _Tail | None = None  # where changes write changed entries' rows (the base's, shared by its changed ones)

    def __len__(self) -> int:
        return len(self.entries)

    def with_changes(self, removed: Sequence[int], added: Sequence[Entry]) -> PlannerIndex:
        """This index with the entries at rows `removed` taken out and `added` put in, without reading the
        others again or copying their columns: the added get rows after this index's, written into the room its
        arrays keep there (`_Tail`), and the removed rows are marked archived, which no plan recommends, assesses
        or lists as excluded. An entry added before (the same object) keeps its row; the rows of entries no
        longer added are archived too. Names are ranked by bisecting this index's order, not by sorting again.
        Plans are those of an index built whole from the live entries (tests/test_incremental_index.py)."""
        if self.tail is None or self.base_rows is not None:
            raise ValueError("changes apply to an index built whole (PlannerIndex.build), not to a changed one")
        return self.tail.changed(self, removed, added)

    def updated(self, removed: Sequence[int], changes: Mapping[str, Entry | None]) -> PlannerIndex:
        """This index with `changes` applied (entry id -> the entry now; None: gone), given `removed`, the rows
        of the base (the index built whole) holding any of those ids: what a process catching up applies, only
        the entries changed since it last did, not every one since the base (`with_changes`). The cost follows
        the changes: the rows of the changed entries are written, and one column (`archived`) copied.
        Made from the base, or from an index made from it after which no rows were written (a later one may
        have written a newer row of an entry this one holds). Plans are those of an index built whole from the live entries."""
        if self.tail is None:
            raise ValueError("changes apply to an index built whole (PlannerIndex.build) or one changed from it")
        return self.tail.updated(self, removed, changes)

    @classmethod
    def build(cls, entries: Sequence[Entry], *, share_schedules: bool = True, room: int | None = None) -> PlannerIndex:
        """Read every entry once. `share_schedules=False` (the benchmark's baseline) gives each
        entry its own copy of its schedule instead of one per distinct schedule text. `room`: rows kept
        free after the entries' for `with_changes` (None: a share of them, ROOM_SHARE; 0: none, and no
        changes can be applied)."""
        entries = tuple(entries)
        n, nan = len(entries), float("nan")

        def column(values, dtype) -> np.ndarray:
            return np.fromiter(values, dtype=dtype, count=n)

        category = column((CATEGORY_INDEX[e.category] for e in entries), np.int8)
        step_mask = column((bits(steps_for(e.category, e.continuum_steps), STEP_BITS) for e in entries), np.int64)
        step_masks, step_mask_id = np.unique(step_mask, return_inverse=True)
        if share_schedules:
            distinct: dict[str | None, int] = {}
            schedule_id = column((distinct.setdefault(e.schedule, len(distinct)) for e in entries), np.int64)
            schedule_texts = tuple(distinct)
        else:
            schedule_id = np.arange(n, dtype=np.int64)
            schedule_texts = tuple(e.schedule for e in entries)
        # Parsed sessions and match keys are kept as arrays only: millions of small Python objects
        # alive for the life of the index would make every garbage collection in the process slower.
        sessions = SessionTable.of([_sessions(text) for text in schedule_texts])
        fields = dict(
            entries=entries,
            category=category,
            archived=column((e.archived for e in entries), bool),
            step_mask_id=step_mask_id,
            step_masks=tuple(int(m) for m in step_masks),
            latitude=column((e.latitude if e.has_position else nan for e in entries), np.float64),
            longitude=column((e.longitude if e.has_position else nan for e in entries), np.float64),
            in_person=column((e.in_person for e in entries), bool),
            remote=column((any(mode in REMOTE_DELIVERY for mode in e.delivery) for e in entries), bool),
            end_day=column((e.end_date.toordinal() if e.end_date else NO_END for e in entries), np.int64),
            start_day=column((e.start_date.toordinal() if e.start_date else 0 for e in entries), np.int64),
            min_age=column((nan if e.min_age is None else e.min_age for e in entries), np.float64),
            max_age=column((nan if e.max_age is None else e.max_age for e in entries), np.float64),
            benefit_mask=column((bits(e.eligible_benefits, BENEFIT_BITS) for e in entries), np.int64),
            stage_mask=column((bits(e.stages, STAGE_BITS) for e in entries), np.int64),
            requires_abstinence=column((bool(e.requires_abstinence) for e in entries), bool),
            drug_testing=column((bool(e.drug_testing) for e in entries), bool),
            convictions=np.array([e.accepts_convictions or "" for e in entries], dtype=object),
            free=column((e.is_free for e in entries), bool),
            travel_paid=column((bool(e.travel_costs_paid) for e in entries), bool),
            childcare=column((bool(e.childcare) for e in entries), bool),
            informal=column((any(f in INFORMAL_FORMATS for f in e.format) for e in entries), bool),
            one_to_one=column((ONE_TO_ONE_FORMAT in e.format for e in entries), bool),
            group_mask=column((group_mask(e.for_groups) for e in entries), np.int64),
            mentor_become=column((e.category == "peer_mentoring" and e.mentoring_role in MENTOR_ROLES for e in entries), bool),
            ips=column((_is_ips(e) for e in entries), bool),
            general_wellbeing=column((e.category == "health_wellbeing" and bool(e.tags)
                                      and has_tag(e.tags, GENERAL_WELLBEING_TAGS) for e in entries), bool),
            sector_matters=np.isin(category, [CATEGORY_INDEX[c] for c in SECTOR_CATEGORIES]),
            waiting_days=column((nan if e.waiting_days is None else e.waiting_days for e in entries), np.float64),
            hours=column((nan if e.hours_per_week is None else e.hours_per_week for e in entries), np.float64),
            languages_listed=column((bool(e.languages) for e in entries), bool),
            schedule_id=schedule_id,
            schedule_texts=schedule_texts,
            sessions=sessions,
            postings=_postings(entry_keys(e) for e in entries),
            language_postings=_postings(tuple(e.languages for e in entries)),
            barrier_masks=_barrier_masks(entries, category),
            **_name_order(entries),
        )
        if room is None:
            room = max(ROOM_MIN, int(n * ROOM_SHARE))
        tail = _Tail.around(fields, room) if room else None  # (before `fields` is read: it puts views in it)
        return cls(**fields, tail=tail)

    def holding(self, keys: frozenset[str]) -> np.ndarray:
        """Entries holding any of `keys`, as a boolean mask."""
        mask = np.zeros(len(self), dtype=bool)
        for key in keys:
            rows = self.postings.get(key)
            if rows is not None:
                mask[rows] = True
        return mask


def _is_ips(entry: Entry) -> bool:
    return entry.category == "employment_support" and (
        has_tag(entry.tags, IPS_TAGS) or " ips " in f" {entry.name.replace('(', ' ').replace(')', ' ')} ")


def _postings(values: Iterable[Iterable[str]]) -> dict[str, np.ndarray]:
    """value -> the rows holding it. `values` is read once, row by row, and the rows gathered in typed arrays,
    not a list of every entry's keys and lists of int objects (less made and freed while building at 300,000
    entries; the index kept is the same)."""
    rows: dict[str, array] = defaultdict(lambda: array("q"))
    for row, held in enumerate(values):
        for value in held:
            rows[value].append(row)
    return {value: np.frombuffer(found, dtype=np.int64).copy() for value, found in rows.items()}


def _name_key(entry: Entry) -> tuple[str, str]:
    return entry.name.casefold(), entry.id


def _name_order(entries: tuple[Entry, ...]) -> dict[str, np.ndarray]:
    order = np.array(sorted(range(len(entries)), key=lambda i: _name_key(entries[i])), dtype=np.int64)
    rank = np.empty(len(entries), dtype=np.int64)
    rank[order] = np.arange(len(entries))
    return {"name_order": rank, "by_name": order}


# Per-row columns copied as they are into the rows `with_changes` writes (the rest need their ids mapped).
_ROW_COLUMNS = (
    "category", "archived", "latitude", "longitude", "in_person", "remote", "end_day", "start_day", "min_age",
    "max_age", "benefit_mask", "stage_mask", "requires_abstinence", "drug_testing", "convictions", "free",
    "travel_paid", "childcare", "informal", "one_to_one", "group_mask", "mentor_become", "ips", "general_wellbeing",
    "sector_matters", "waiting_days", "hours", "languages_listed",
)
_ID_COLUMNS = ("step_mask_id", "schedule_id")  # ids into tables the rows written add to
# Rows an index built whole keeps free after its own for changed entries' (a share of its size, at least
# ROOM_MIN): a row costs about 170 bytes, and rows never written cost address space, not memory.
ROOM_SHARE = 0.05
ROOM_MIN = 1_024
_NO_ROWS = np.zeros(0, dtype=np.int64)


class _Tail:
    """The room after the rows of an index built whole, in every per-row array of it, and what `with_changes`
    has written there.

    Changed entries' rows are appended there and never written again, so an index with changes is the base's
    arrays seen up to its last row (a view, not a copy: copying them took 45 MB at 300,000 entries), and an
    index made earlier, which another thread may be planning with, still reads what it was made with. An entry
    given again (the same object) keeps its row; an entry changed again gets a new row and its old one is
    archived. Should the room run out, the arrays are copied into larger ones (the base keeps its own; a whole
    build or a compaction of the directory's indexes starts afresh)."""

    def __init__(self, buffers: dict[str, np.ndarray], barrier_buffers: dict[str, np.ndarray], n: int, room: int):
        self.lock = threading.Lock()
        self.buffers, self.barrier_buffers = buffers, barrier_buffers
        self.n = self.used = n
        self.room = room
        self.entries: list[Entry] = []                     # the rows written, from row n on
        self.row_of: dict[str, tuple[Entry, int]] = {}     # entry id -> the entry last written and its row
        self.places = array("q")                           # per row written: how many base rows sort before it
        self.by_key: list[tuple[tuple[str, str], int]] = []  # (name, id) and row of every row written, in order
        self.rows_by_key = array("q")                      # the rows of `by_key`, in its order
        self.step_masks: tuple[int, ...] = ()              # the tables over every row, from the base's on the first
        self.step_id: dict[int, int] = {}                  # change (see _start)
        self.schedule_texts: tuple[str | None, ...] = ()
        self.schedule_id: dict[str | None, int] = {}
        self.sessions: SessionTable | None = None
        self.postings: dict[str, np.ndarray] = {}          # match key -> the rows written holding it
        self.language_postings: dict[str, np.ndarray] = {}

    @classmethod
    def around(cls, fields: dict, room: int) -> _Tail:
        """Move `fields`' per-row arrays into arrays `room` rows longer; `fields` keeps views of their first rows."""
        n = len(fields["entries"])

        def roomy(array: np.ndarray) -> np.ndarray:
            buffer = np.empty(n + room, dtype=array.dtype)
            buffer[:n] = array
            return buffer

        buffers = {}
        for name in _ROW_COLUMNS + _ID_COLUMNS:
            buffers[name] = roomy(fields[name])
            fields[name] = buffers[name][:n]
        barrier_buffers = {name: roomy(mask) for name, mask in fields["barrier_masks"].items()}
        fields["barrier_masks"] = {name: buffer[:n] for name, buffer in barrier_buffers.items()}
        return cls(buffers, barrier_buffers, n, room)

    def changed(self, base: PlannerIndex, removed: Sequence[int], added: Sequence[Entry]) -> PlannerIndex:
        """`base` (the index this is the tail of) without the rows `removed`, with `added`."""
        with self.lock:
            self._write([e for e in added if self.row_of.get(e.id, (None,))[0] is not e], base)
            rows = np.fromiter((self.row_of[e.id][1] for e in added), dtype=np.int64, count=len(added))
            archived = np.ones(self.used, dtype=bool)  # rows written, unless `added` holds them
            archived[:self.n] = base.archived
            archived[np.asarray(list(removed), dtype=np.int64)] = True
            archived[rows] = False
            return self._index(base, archived)

    def updated(self, index: PlannerIndex, removed: Sequence[int], changes: Mapping[str, Entry | None]) -> PlannerIndex:
        """`index` (the base, or the newest index made with changes) with `changes`; `removed`: the base rows of
        the ids changed."""
        base = index if index.base_rows is None else None
        with self.lock:
            if base is None:
                if len(index) != self.used:  # rows written since may be newer rows of entries it holds
                    raise ValueError("changes apply to the base or to the newest index made from it")
                base = self.base
            archived_before = index.archived
            superseded = [self.row_of[i][1] for i in changes if i in self.row_of]
            now = [e for e in changes.values() if e is not None]
            self._write([e for e in now if self.row_of.get(e.id, (None,))[0] is not e], base)
            archived = np.ones(self.used, dtype=bool)  # rows another index wrote since `index` are not its
            archived[:len(archived_before)] = archived_before
            archived[np.asarray(list(removed), dtype=np.int64)] = True
            archived[np.asarray(superseded, dtype=np.int64)] = True
            archived[np.fromiter((self.row_of[e.id][1] for e in now), dtype=np.int64, count=len(now))] = False
            return self._index(base, archived)

    def _write(self, fresh: list[Entry], base: PlannerIndex) -> None:
        if self.sessions is None:
            self._start(base)
        if fresh:
            self._append(base, PlannerIndex.build(fresh, room=0))

    def _index(self, base: PlannerIndex, archived: np.ndarray) -> PlannerIndex:
        """The index of every row written so far, with `archived` (holding the lock)."""
        used = self.used
        columns = {name: buffer[:used] for name, buffer in self.buffers.items() if name != "archived"}
        barrier_masks = {name: buffer[:used] for name, buffer in self.barrier_buffers.items()}
        tables = dict(step_masks=self.step_masks, schedule_texts=self.schedule_texts, sessions=self.sessions,
                      postings=_JoinedPostings(base.postings, dict(self.postings)),
                      language_postings=_JoinedPostings(base.language_postings, dict(self.language_postings)))
        return PlannerIndex(entries=_Rows(base.entries, self.entries, used), archived=archived,
                            barrier_masks=barrier_masks, name_order=self._ranks(base), base_rows=self.n,
                            tail=self, **tables, **columns)

    def _ranks(self, base: PlannerIndex) -> _Ranks:
        """Ranks of the rows written among themselves: (name, id) order, from `by_key` (kept sorted as rows are
        written), so no row is sorted again."""
        t = len(self.by_key)
        written = np.empty(t, dtype=np.int64)
        written[np.array(self.rows_by_key, dtype=np.int64) - self.n] = np.arange(t)
        return _Ranks(base.name_order, np.array(self.places, dtype=np.int64), written)

    def _start(self, base: PlannerIndex) -> None:
        self.base = base
        self.step_masks, self.schedule_texts, self.sessions = base.step_masks, base.schedule_texts, base.sessions
        self.step_id = {mask: i for i, mask in enumerate(base.step_masks)}
        self.schedule_id = {text: i for i, text in enumerate(base.schedule_texts)}

    def _append(self, base: PlannerIndex, delta: PlannerIndex) -> None:
        """Write `delta`'s rows (an index of changed entries) after the rows written so far."""
        start, stop = self.used, self.used + len(delta)
        if stop > len(self.buffers["archived"]):
            self._grow(stop + self.room)
        for name in _ROW_COLUMNS:
            self.buffers[name][start:stop] = getattr(delta, name)
        for name, buffer in self.barrier_buffers.items():
            buffer[start:stop] = delta.barrier_masks[name]
        step_ids = np.array([self._step_id(mask) for mask in delta.step_masks], dtype=np.int64)
        self.buffers["step_mask_id"][start:stop] = step_ids[delta.step_mask_id]
        schedule_ids = self._schedule_ids(delta)
        self.buffers["schedule_id"][start:stop] = schedule_ids[delta.schedule_id]
        for mine, theirs in ((self.postings, delta.postings), (self.language_postings, delta.language_postings)):
            for key, rows in theirs.items():
                mine[key] = np.concatenate([mine.get(key, _NO_ROWS), rows + start])
        for row, entry in enumerate(delta.entries, start=start):
            self.row_of[entry.id] = (entry, row)
            key = _name_key(entry)
            self.places.append(bisect.bisect_left(base.by_name, key, key=lambda i: _name_key(base.entries[i])))
            at = bisect.bisect(self.by_key, (key, row))
            self.by_key.insert(at, (key, row))
            self.rows_by_key.insert(at, row)
        self.entries.extend(delta.entries)
        self.used = stop

    def _step_id(self, mask: int) -> int:
        if mask not in self.step_id:
            self.step_id[mask] = len(self.step_masks)
            self.step_masks += (mask,)
        return self.step_id[mask]

    def _schedule_ids(self, delta: PlannerIndex) -> np.ndarray:
        """Ids in the tables over every row of `delta`'s schedules: a schedule seen before keeps its id."""
        new = [k for k, text in enumerate(delta.schedule_texts) if text not in self.schedule_id]
        for k in new:
            self.schedule_id[delta.schedule_texts[k]] = len(self.schedule_texts)
            self.schedule_texts += (delta.schedule_texts[k],)
        if new:
            more, table = SessionTable.of([delta.sessions.schedule(k) for k in new]), self.sessions
            self.sessions = SessionTable(
                day=np.concatenate([table.day, more.day]),
                start=np.concatenate([table.start, more.start]),
                end=np.concatenate([table.end, more.end]),
                schedule_start=np.concatenate([table.schedule_start[:-1], more.schedule_start + len(table.ids)]),
                ids=np.concatenate([table.ids, more.ids + len(table.day)]),
            )
        return np.array([self.schedule_id[text] for text in delta.schedule_texts], dtype=np.int64)

    def _grow(self, capacity: int) -> None:
        """Copy the rows so far into longer arrays (indexes made before keep reading the old ones)."""
        def longer(buffer: np.ndarray) -> np.ndarray:
            grown = np.empty(capacity, dtype=buffer.dtype)
            grown[:self.used] = buffer[:self.used]
            return grown

        self.buffers = {name: longer(buffer) for name, buffer in self.buffers.items()}
        self.barrier_buffers = {name: longer(buffer) for name, buffer in self.barrier_buffers.items()}


class _Ranks:
    """Ranks by (name, id) over a base's rows and the rows written after them, as one sort of them all would
    give, for any rows asked (`ranks[rows]`); nothing per base row is made. Base rank r is r x S + S - 1; a written
    row sorting before base rank p, q-th of all written rows by (name, id), p x S + q (q < S - 1)."""

    SPREAD = 1 << 31

    def __init__(self, base: np.ndarray, places: np.ndarray, written: np.ndarray):
        self.base, self.places, self.written = base, places, written

    def __getitem__(self, rows) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        n, spread = len(self.base), self.SPREAD
        ranks = np.empty(len(rows), dtype=np.int64)
        in_base = rows < n
        ranks[in_base] = self.base[rows[in_base]] * spread + (spread - 1)
        later = rows[~in_base] - n
        ranks[~in_base] = self.places[later] * spread + self.written[later]
        return ranks

    def __len__(self) -> int:
        return len(self.base) + len(self.written)


class _Rows(Sequence):
    """The entries of a changed index: the base's, then the first `used` - len(base) of the rows written (a list
    that only grows), without copying either."""

    def __init__(self, base: tuple[Entry, ...], written: list[Entry], used: int):
        self.base, self.written, self.used = base, written, used

    def __len__(self) -> int:
        return self.used

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(self.used)))
        if i < 0:
            i += self.used
        if not 0 <= i < self.used:
            raise IndexError(i)
        n = len(self.base)
        return self.base[i] if i < n else self.written[i - n]


class _JoinedPostings(Mapping):
    """value -> rows, over a base's postings and those of the rows written after it (read-only)."""

    def __init__(self, base: dict[str, np.ndarray], written: dict[str, np.ndarray]):
        self.base, self.written = base, written

    def __getitem__(self, value: str) -> np.ndarray:
        base, written = self.base.get(value), self.written.get(value)
        if written is None:
            if base is None:
                raise KeyError(value)
            return base
        return written if base is None else np.concatenate([base, written])

    def __contains__(self, value: object) -> bool:
        return value in self.base or value in self.written

    def __iter__(self):
        return iter(dict.fromkeys([*self.base, *self.written]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self.base, *self.written]))


# -- one index per directory snapshot ---------------------------------------------------------------

_cache_lock = threading.Lock()
_cached: tuple[list[Entry], PlannerIndex] | None = None


def index_for(entries: Sequence[Entry] | PlannerIndex) -> PlannerIndex:
    """The index of `entries`, reusing the last one built when the entries are the same.

    Comparing a list with the remembered one is an identity check per item when it holds the
    same objects (about a millisecond for 50,000) and a field-by-field comparison when it holds
    fresh copies (a few hundred milliseconds; still far cheaper than building). A list whose
    entries differ builds a new index, so a caller can never get a stale plan. Callers that
    know when the directory changes (its change counter) can keep a PlannerIndex themselves.
    """
    global _cached
    if isinstance(entries, PlannerIndex):
        return entries
    entries = list(entries)
    with _cache_lock:
        if _cached is not None and _cached[0] == entries:
            _cached = (entries, _cached[1])  # the same entries as these objects: next time, identity
            return _cached[1]
    index = PlannerIndex.build(entries)
    with _cache_lock:
        _cached = (entries, index)
    return index
