"""The directory's public API: what pages, the CLI and the planner's loader call.

Reads return plain `fields.Entry` records. Every read and write goes through the
unit of work (directory/unit_of_work.py): `unit_of_work()` to write, `reader()`
to read (no write lock); nothing else here or elsewhere holds a database session.
The search index (and any index kept with `kept_index`, such as the planner's) is
built per process and brought up to date whenever the shared change counter has
moved, so several app instances on one database never serve a stale directory
(docs/ARCHITECTURE.md, "How several instances stay coherent"). Bringing it up to
date reads the change log (the entries each write changed) and re-indexes only
those entries beside the index served (SearchIndex.updated); a process
very far behind, or older than the log, reloads everything, and says so in the log.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import functools
import gc
import logging
import os
import threading
import time
from concurrent import futures
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Engine
from sqlalchemy.pool import SingletonThreadPool

from directory import fields as F
from directory.db import WRITE_OPTION, make_engine, migrate
from directory.errors import ConflictError, ValidationError
from directory.store import Change, RevisionRecord
from directory.threads import BASE_REBUILDS, INDEX_UPKEEP
from directory.unit_of_work import UnitOfWork


log = logging.getLogger(__name__)

# A process catching up re-indexes the entries changed since its counter. More than this share of the directory
# changed (an import, a restore) is cheaper to reload whole.
FAR_BEHIND_SHARE = 0.10
FAR_BEHIND_MIN = 1_000
# Changed entries kept beside the base index before the base is built again (from memory, not the database):
# at least DELTA_LIMIT, else DELTA_SHARE of the base. A catch-up indexes only its own changes (SearchIndex.updated,
# and the kept indexes' `updated`), but the changed entries cost memory; building a base of 300,000 again beside
# the one served took an instance ~120 MB it kept after (docs/PERFORMANCE.md), so it is done rarely.
DELTA_LIMIT = 2_000
DELTA_SHARE = 0.05
# Parts of changed entries beside the base (SearchIndex.updated makes them) before they are made one part again,
# from the changed entries in memory: each part is one more index every query reads.
PARTS_LIMIT = 12


def _default_locator(postcode: str) -> tuple[float, float]:
    from directory.postcodes import default_table

    return default_table().locate(postcode)


@dataclass(frozen=True)
class BulkOutcome:
    entry_id: str
    status: str  # saved, unchanged, conflict, invalid
    message: str
    entry: F.Entry | None


class Directory:
    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        locate_postcode: Callable[[str], tuple[float, float]] | None = _default_locator,
        long_running: bool = False,
    ):
        """long_running: this process serves many requests for a long time (the app), so the search
        index is kept out of the cycle collector's way (see keep_long_lived) and the memory its work frees is
        handed back to the system now and then (keep_memory_given_back)."""
        self.engine = engine or make_engine(url)
        self.long_running = long_running
        if long_running:
            keep_memory_given_back()
        migrate(self.engine)
        self.write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self.locate_postcode = locate_postcode
        self._index = None               # the search index: `_base` with `_changed` applied
        self._index_counter = -1
        self._index_lock = threading.Lock()
        self._base = None                # the search index last built whole; its entries are every kept index's base
        self._changed: dict[str, F.Entry | None] = {}  # entries changed since `_base` (None: archived or gone)
        self._positions: tuple[Any, dict[str, int | None]] = (None, {})  # (a base, changed entries' positions in it)
        self._kept: dict[str, _Kept] = {}
        self._compacting: futures.Future | None = None  # a base being rebuilt beside the one served
        self._connection_per_thread = isinstance(self.engine.pool, SingletonThreadPool)
        self._with_each_base: dict[str, Callable[[Any], None]] = {}  # see prepare_with_each_base
        # What maintenance did, for tests, benchmarks and the log: full builds, catch-ups, rebuilds of the base.
        self.index_events: dict[str, int] = {"full": 0, "incremental": 0, "compacted": 0, "parts joined": 0}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """A transaction for writing (the write lock at BEGIN on SQLite); `read_only`: the same as `reader()`."""
        if read_only:
            return self.reader()
        return UnitOfWork(self.write_engine, self.locate_postcode)

    def reader(self) -> UnitOfWork:
        """A read-only unit of work: its repositories read, it takes no write lock and cannot commit."""
        return UnitOfWork(self.engine, self.locate_postcode, read_only=True)

    # -- reads -----------------------------------------------------------------------

    def change_counter(self) -> int:
        with self.reader() as uow:
            return uow.state.change_counter()

    def profile_counter(self) -> int:
        """Moves with every write that changes an organisation (added, renamed, merged away, its profile or its own
        contact), and with no other: what a cache of the organisations compares, so an edit to an entry keeps it."""
        with self.reader() as uow:
            return uow.state.profile_counter()

    def is_demo(self) -> bool:
        with self.reader() as uow:
            return uow.state.is_demo()

    def get(self, entry_id: str) -> F.Entry:
        with self.reader() as uow:
            return uow.entries.get(entry_id)

    def entries(self, *, include_archived: bool = False, ids: list[str] | None = None) -> list[F.Entry]:
        """All entries (or those with `ids`) in id order, in one joined query: fast enough for 50,000."""
        with self.reader() as uow:
            return uow.entries.all(include_archived=include_archived, ids=ids)

    def places(self) -> list[tuple[str, int, bool, str, str, float | None, float | None]]:
        """(id, version, archived, name, organisation, latitude, longitude) of every entry: what duplicate checks need."""
        with self.reader() as uow:
            return uow.entries.places()

    def count(self, *, include_archived: bool = False) -> int:
        with self.reader() as uow:
            return uow.entries.count(include_archived=include_archived)

    def history(self, entry_id: str) -> list[RevisionRecord]:
        """Newest first."""
        with self.reader() as uow:
            return uow.entries.history(entry_id)

    def provenance(self, entry_id: str) -> dict[str, Change]:
        """For each field, the revision that last set it: who and when (per-field provenance)."""
        result: dict[str, Change] = {}
        for record in reversed(self.history(entry_id)):
            for name, (old, new) in record.changes.items():
                result[name] = Change(record.version, record.action, record.author, record.at, old, new)
        return result

    # -- search ----------------------------------------------------------------------

    def search_index(self):
        """The process's search index, as of the change counter now: when any writer (in any process) has moved
        the counter, the entries changed since are re-indexed first (see module doc)."""
        counter = self.change_counter()
        as_of = self._index_counter  # read before the index: _swap sets the index before its counter
        index = self._index  # read once: a whole rebuild sets it to None while it builds
        if index is not None and counter == as_of:
            return index
        return self.on_upkeep_thread(self._caught_up_index)

    def _caught_up_index(self):
        with self._index_lock:
            self._catch_up()
            return self._index

    def on_upkeep_thread(self, work: Callable[..., Any], *args: Any) -> Any:
        """work(*args) on the process's index upkeep thread (directory/threads.py): bringing this directory's
        indexes, or one made from them, up to date. Here instead when the engine keeps a connection per thread
        (an in-memory SQLite database: another thread would see another, empty, one)."""
        if self._connection_per_thread:
            return work(*args)
        return INDEX_UPKEEP.run(work, *args)

    def search_index_counter(self) -> int:
        """The change counter the search index was last brought to (no query). Read after `search_index()`: at or
        after the counter of the index it returned. A cache keyed on the index alone misses a write that changed
        no entry (an organisation's profile): it moves the counter and may leave the same index."""
        return self._index_counter

    def kept_index(self, name: str, build: Callable[[tuple[F.Entry, ...]], Any]):
        """Another index of the live entries kept current as the search index is (the planner's: `name`
        'planner', `build` PlannerIndex.build). `build(entries)` makes it from the live entries; the index
        made must have `updated(removed, changes)`: the index with `changes` (entry id -> the entry now, None:
        gone), `removed` being the positions in `entries` of those ids (PlannerIndex.updated), and so must what
        it returns. It is given only the entries changed since it was last asked for. Built whole only when
        the search index's base is."""
        counter = self.change_counter()
        kept = self._kept.get(name)
        if kept is not None:
            as_of = kept.counter  # read before the index: the index is set before its counter
            current = kept.current
            if current is not None and as_of == counter and self._index_counter == counter:
                return current
        return self.on_upkeep_thread(self._caught_up_kept, name, build)

    def _caught_up_kept(self, name: str, build: Callable[[tuple[F.Entry, ...]], Any]):
        with self._index_lock:
            self._catch_up()
            kept = self._kept.get(name)
            if kept is None or kept.base_of is not self._base:
                kept = self._kept[name] = _Kept(build, self._base, build(self._base.entries))
                kept.pending = dict(self._changed)  # every change since the base
                if self.long_running:
                    give_back_memory()  # what building it took and no longer needs
            if kept.counter != self._index_counter:
                if kept.pending:
                    pending, kept.pending = kept.pending, {}
                    kept.current = kept.current.updated(self._base_positions(pending), pending)
                kept.counter = self._index_counter
            return kept.current

    def prepare_with_each_base(self, name: str, prepare: Callable[[Any], None]) -> None:
        """Have `prepare(index)` called with each index made beside the one served (a base rebuilt, or the parts of
        changed entries made one), in the thread making it, before it is served: what another part makes afresh per
        index part (the read API's catalogue) is then ready for the first request after the swap instead of made by
        it (at 300,000 entries the catalogue's part of a base takes 3 s on a quiet machine; under the load test every
        read API request of the instance waited up to 56 s for it).
        One per `name`; a failure is logged only."""
        self._with_each_base[name] = prepare

    def _catch_up(self) -> None:
        """Bring the search index to the counter now (holding the index lock)."""
        with self.reader() as uow:
            counter, kept_from = uow.state.log_state()
        if self._index is not None and counter == self._index_counter:
            return
        if self._base is None:
            self._build_whole(counter, None)
        elif self._index_counter < kept_from:
            self._build_whole(counter, f"the change log starts after counter {self._index_counter}")
        else:
            with self.reader() as uow:
                ids = uow.state.changed_since(self._index_counter, counter)
                far = max(FAR_BEHIND_MIN, FAR_BEHIND_SHARE * len(self._base))
                fresh = None if len(ids) > far else uow.entries.all(include_archived=True, ids=ids)
            if fresh is None:
                self._build_whole(counter, f"{len(ids)} entries changed since counter {self._index_counter}")
                return
            started = time.perf_counter()
            found = {e.id: e for e in fresh}
            changes = {}
            for entry_id in ids:
                entry = found.get(entry_id)
                changes[entry_id] = self._changed[entry_id] = entry if entry is not None and not entry.archived else None
            for kept in self._kept.values():
                if kept.base_of is self._base:
                    kept.pending.update(changes)
            if len(self._changed) > self._delta_limit():
                if not self.long_running:
                    self._compact(counter)
                    return
                self._start_compacting()  # meanwhile the changed entries are served beside the base
            before = self._index_counter
            # Only these changes are indexed (beside the index served), not every entry changed since the base.
            self._swap(self._index.updated(changes), counter, whole=False)
            self.index_events["incremental"] += 1
            if len(self._index._parts) > PARTS_LIMIT + 1:
                if self.long_running:
                    self._start_compacting(parts_only=True)
                else:
                    self._swap(self._base.with_changes(*self._delta()), counter, whole=False)
                    self.index_events["parts joined"] += 1
            log.debug("search index: %d changed entries applied (counter %d -> %d) in %.0f ms",
                      len(ids), before, counter, (time.perf_counter() - started) * 1000)

    def _delta_limit(self) -> int:
        return max(DELTA_LIMIT, int(DELTA_SHARE * len(self._base)))

    def _delta(self, changed: dict[str, F.Entry | None] | None = None) -> tuple[list[int], list[F.Entry]]:
        """(positions in the base of the entries changed since it was built, the changed entries still live); of
        `changed` (entries changed since the base, taken earlier) when given. Holding the index lock."""
        changed = self._changed if changed is None else changed
        removed = self._base_positions(changed)
        added = [e for _, e in sorted(changed.items()) if e is not None]
        return removed, added

    def _base_positions(self, ids) -> list[int]:
        """The positions in the base of those of `ids` it holds. Holding the index lock."""
        if self._positions[0] is not self._base:
            self._positions = (self._base, {})
        known = self._positions[1]  # bisecting the base for every changed entry at every catch-up was ~20 ms at 2,000
        for entry_id in ids:
            if entry_id not in known:
                known[entry_id] = self._base.position(entry_id)
        return [p for p in map(known.__getitem__, ids) if p is not None]

    def _build_whole(self, counter: int, why: str | None) -> None:
        """Read every live entry and build the indexes whole (the counter is read first, so nothing is missed)."""
        from directory.search import SearchIndex

        started = time.perf_counter()
        if self.long_running:
            gc.unfreeze()
        self._base = self._index = None  # the old index's memory is freed before the new one is built
        self._kept = {name: _Kept(kept.build) for name, kept in self._kept.items()}
        self._base = SearchIndex.build(self.entries())
        self._changed = {}
        self._swap(self._base, counter)
        self.index_events["full"] += 1
        if why is not None:
            log.info("search index rebuilt whole (%s): %d entries in %.1f s", why, len(self._base),
                     time.perf_counter() - started)

    def _compact(self, counter: int) -> None:
        """Build the base again from the entries in memory once too many changed entries sit beside it."""
        started = time.perf_counter()
        self._base = _build_base(_live_entries(self._base, self._changed))
        self._changed = {}
        self._swap(self._base, counter)
        self.index_events["compacted"] += 1
        log.info("search index: base rebuilt from memory after %d changed entries: %d entries in %.1f s",
                 self._delta_limit(), len(self._base), time.perf_counter() - started)

    def _start_compacting(self, *, parts_only: bool = False) -> None:
        """(Holding the index lock.) Build the base again from the entries in memory, and the kept indexes on it,
        on the process's rebuild thread (directory/threads.py); requests are served from the base and its changed
        entries meanwhile. At 300,000 entries the two builds take 20-60 s on a busy machine, and in the soak every
        search and plan of the process waited for them (p99 37 and 52 s). `parts_only`: make the parts of changed
        entries one part again instead (the changed entries only). Nothing when one is under way."""
        if self._compacting is not None:
            return
        target = self._join_parts_beside if parts_only else self._compact_beside
        self._compacting = BASE_REBUILDS.start(target, self._base, dict(self._changed))

    def _join_parts_beside(self, base, changed: dict[str, F.Entry | None]) -> None:
        """One part of `changed` beside `base`, then served with whatever changed since `changed` was taken
        (unless the base was rebuilt meanwhile: then nothing)."""
        started = time.perf_counter()
        try:
            with self._index_lock:
                if self._base is not base:
                    return
                removed, added = self._delta(changed)
            joined = base.with_changes(removed, added)
            for name, prepare in list(self._with_each_base.items()):
                try:
                    prepare(joined)
                except Exception:
                    log.exception("search index: could not prepare %s for the joined parts", name)
            with self._index_lock:
                if self._base is not base:
                    return
                later = {i: e for i, e in self._changed.items() if i not in changed or changed[i] is not e}
                self._swap(joined.updated(later) if later else joined, self._index_counter, whole=False)
                self.index_events["parts joined"] += 1
            log.info("search index: %d parts of changed entries made one of %d entries in %.1f s",
                     PARTS_LIMIT, len(added), time.perf_counter() - started)
        except Exception:  # the parts go on being served; the next catch-up tries again
            log.exception("search index: could not join the parts of changed entries")
        finally:
            self._compacting = None

    def _compact_beside(self, base, changed: dict[str, F.Entry | None]) -> None:
        """The new base of `base` with `changed` applied, and the kept indexes built on it, then served with whatever
        changed since `changed` was taken beside it (unless the base was rebuilt whole meanwhile: then nothing)."""
        started = time.perf_counter()
        try:
            new_base = _build_base(_live_entries(base, changed))
            builds = {name: kept.build for name, kept in list(self._kept.items())}
            built = {name: build(new_base.entries) for name, build in builds.items()}
            for name, prepare in list(self._with_each_base.items()):
                try:
                    prepare(new_base)
                except Exception:  # the part makes it itself when first asked, as without this
                    log.exception("search index: could not prepare %s for the new base", name)
            with self._index_lock:
                if self._base is not base:
                    return
                # What changed after the snapshot (an entry object is never changed in place: an edit is a new one).
                self._changed = {i: e for i, e in self._changed.items() if i not in changed or changed[i] is not e}
                self._base = new_base
                self._kept = {name: _Kept(kept.build, new_base, built[name]) if name in built else _Kept(kept.build)
                              for name, kept in self._kept.items()}
                for kept in self._kept.values():
                    kept.pending = dict(self._changed)
                removed, added = self._delta()
                self._swap(new_base.with_changes(removed, added) if (removed or added) else new_base,
                           self._index_counter)
                self.index_events["compacted"] += 1
            log.info("search index: base rebuilt from memory beside the one served after %d changed entries: "
                     "%d entries in %.1f s", len(changed), len(new_base), time.perf_counter() - started)
        except Exception:  # the base and its changes go on being served; the next catch-up tries again
            log.exception("search index: could not rebuild the base from memory")
        finally:
            self._compacting = None

    def wait_for_compacting(self, timeout: float | None = None) -> None:
        """Wait for a base being rebuilt in the background (tests, benchmarks)."""
        rebuilding = self._compacting
        if rebuilding is not None:
            futures.wait([rebuilding], timeout)

    def _swap(self, index, counter: int, *, whole: bool = True) -> None:
        """Serve `index` from now on. A base built whole is moved out of the cycle collector's way; a change
        applied beside it is a few hundred objects the collector handles as any others (a full collection
        here cost 0.25 s with 50,000 entries' worth of a writer's objects about)."""
        self._index = index
        self._index_counter = counter  # after the index: a reader who sees this counter gets this index
        if self.long_running and whole:
            keep_long_lived()

    def search(self, query: str = "", filters=None, limit: int | None = 50):
        """search.Hits: the hits, and `notice` when the query was too long to search whole and was cut."""
        from directory.search import Filters

        return self.search_index().search(query, filters or Filters(), limit=limit)

    # -- writes (each its own transaction) -----------------------------------------------

    def _write(self, operation: str, *args: Any, **kwargs: Any):
        with self.unit_of_work() as uow:
            result = getattr(uow, operation)(*args, **kwargs)
            uow.commit()
        return result

    def create(self, values: dict[str, Any], author: str, **kwargs: Any) -> F.Entry:
        return self._write("create", values, author, **kwargs)

    def update(self, entry_id: str, changes: dict[str, Any], based_on_version: int, author: str, **kwargs: Any) -> F.Entry:
        return self._write("update", entry_id, changes, based_on_version, author, **kwargs)

    def verify(self, entry_id: str, author: str, on: dt.date | None = None, note: str | None = None) -> F.Entry:
        return self._write("verify", entry_id, author, on, note)

    def archive(self, entry_id: str, author: str, reason: str | None = None, **kwargs: Any) -> F.Entry:
        return self._write("archive", entry_id, author, reason, **kwargs)

    def unarchive(self, entry_id: str, author: str, reason: str | None = None) -> F.Entry:
        return self._write("unarchive", entry_id, author, reason)

    def restore_version(self, entry_id: str, version: int, based_on_version: int, author: str) -> F.Entry:
        return self._write("restore_version", entry_id, version, based_on_version, author)

    def with_position(self, changes: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        """`changes` with the position their postcode gives, as saving them would (store.with_position);
        ValueError, saying why, for a postcode that cannot be placed."""
        from directory.store import with_position

        return with_position(changes, base, self.locate_postcode)

    def likely_duplicates(self, values: dict[str, Any], *, exclude: str | None = None):
        """Existing entries the described one probably duplicates (name, organisation, place), best first."""
        from directory.duplicates import DuplicateFinder

        latitude, longitude = values.get("latitude"), values.get("longitude")
        if latitude is None and values.get("postcode") and self.locate_postcode:
            try:
                latitude, longitude = self.locate_postcode(values["postcode"])
            except ValueError:
                pass
        finder = DuplicateFinder()
        for entry_id, _, archived, name, organisation, lat, lon in self.places():
            if not archived:
                finder.add(entry_id, name, organisation, lat, lon)
        return finder.find(values.get("name") or "", values.get("organisation") or "", latitude, longitude, exclude=exclude)

    def update_many(self, edits: list[tuple[str, dict[str, Any], int]], author: str) -> list[BulkOutcome]:
        """Several edits (entry id, changes, version it was based on), each checked and recorded on its own.

        The good ones are saved together; a conflict or an invalid value affects only its own row.
        """
        outcomes = []
        with self.unit_of_work() as uow:
            for entry_id, changes, based_on in edits:
                try:
                    saved = uow.update(entry_id, changes, based_on, author)
                except ConflictError as conflict:
                    outcomes.append(BulkOutcome(entry_id, "conflict", str(conflict), conflict.current))
                except ValidationError as invalid:
                    outcomes.append(BulkOutcome(entry_id, "invalid", "; ".join(p.reason for p in invalid.problems), None))
                else:
                    outcomes.append(BulkOutcome(entry_id, "saved" if saved.version != based_on else "unchanged", "", saved))
            uow.commit()
        return outcomes

    def set_demo(self, demo: bool) -> None:
        with self.unit_of_work() as uow:
            uow.state.set_demo(demo)
            uow.commit()


# Python's cycle collector walks every tracked object in a full collection. A server process holds
# the search index and everything else it has loaded (over 200,000 tracked objects with 10,000
# entries) for as long as the directory is unchanged, so each full collection took 0.15-0.3 s with
# the GIL held, in the middle of page loads (docs/PERFORMANCE.md). Objects alive once the index is built are moved out of the
# collector's way (gc.freeze) until the next rebuild hands them back; each freeze first hands back
# what the last one froze (gc.unfreeze) and collects, so cyclic garbage among objects frozen earlier
# (a page run, a request, an old catalogue) is freed rather than kept for the life of the process.
# Memory freed by reference counting (almost all of it, the old index included) is unaffected.


def keep_long_lived() -> None:
    """Move every object alive now out of the cycle collector's way, after freeing cyclic garbage, and give
    the memory freed back to the system (the search index's rebuilds and the read API's catalogue use it:
    one home)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    give_back_memory()


# glibc's allocator keeps memory freed in the middle of its heap for the process to use again rather than
# returning it: building an index (hundreds of MB of short-lived lists and arrays at 300,000 entries) left an
# instance's resident size far above what it holds. malloc_trim hands whole free pages back. Elsewhere (macOS,
# musl) there is no such call and nothing is done.


# What a request frees in the middle of the heap (a catch-up's short-lived arrays, a page's search and map,
# the read API's pages) stays with the process too: an app instance at 300,000 entries rose from ~720 MB to
# ~2 GB in 5 minutes of the load test without ever holding more. One thread per long-running process hands it
# back whenever the resident size has grown since it last did (a look every half minute; a trim takes
# 7-20 ms of that thread at 300,000 entries, outside the interpreter lock).
TRIM_EVERY_S = 30.0
TRIM_AFTER_GROWTH_BYTES = 16 * 2**20
_trimmer_lock = threading.Lock()
_trimmer: threading.Thread | None = None
memory_given_back = {"looks": 0, "trims": 0}  # what the thread did, for tests and the log


def keep_memory_given_back() -> None:
    """Start this process's thread that hands freed memory back (once; nothing where there is no malloc_trim)."""
    global _trimmer
    if _malloc_trim() is None or _resident_bytes() is None:
        return
    with _trimmer_lock:
        if _trimmer is None or not _trimmer.is_alive():
            _trimmer = threading.Thread(target=_give_back_when_grown, name="give-back-memory", daemon=True)
            _trimmer.start()


def _give_back_when_grown() -> None:
    settled = _resident_bytes() or 0
    while True:
        time.sleep(TRIM_EVERY_S)
        settled = _look(settled)


def _look(settled: int) -> int:
    """Hand freed memory back if the resident size grew by TRIM_AFTER_GROWTH_BYTES since `settled`; the new
    settled size."""
    memory_given_back["looks"] += 1
    now = _resident_bytes() or 0
    if now - settled < TRIM_AFTER_GROWTH_BYTES:
        return min(settled, now)
    give_back_memory()
    memory_given_back["trims"] += 1
    after = _resident_bytes() or 0
    log.debug("memory handed back: resident %.0f MB -> %.0f MB", now / 2**20, after / 2**20)
    return after


def _resident_bytes() -> int | None:
    """This process's resident set size (Linux's /proc), or None where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return None


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@functools.cache
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def give_back_memory() -> None:
    """Return the C allocator's free pages to the operating system, where the allocator can (glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _build_base(entries):
    from directory.search import SearchIndex

    return SearchIndex.build(entries)


def _live_entries(base, changed: dict[str, F.Entry | None]) -> list[F.Entry]:
    """The base's entries with `changed` applied (None: gone), in id order."""
    live = {e.id: e for e in base.entries if e.id not in changed}
    live.update((i, e) for i, e in changed.items() if e is not None)
    return [e for _, e in sorted(live.items())]


class _Kept:
    """An index kept with Directory.kept_index: built whole from `base_of`'s entries, and as of `counter`;
    `pending`: the changes since (entry id -> the entry now, None: gone) it has not been given yet."""

    def __init__(self, build, base_of=None, built=None):
        self.build, self.base_of = build, base_of
        self.current, self.counter = built, -1
        self.pending: dict[str, F.Entry | None] = {}
