"""A long-running process hands the memory its requests freed back to the system (glibc's malloc_trim)."""

from __future__ import annotations

import pytest

import directory.api as api


pytestmark = pytest.mark.skipif(api._malloc_trim() is None or api._resident_bytes() is None,
                                reason="no malloc_trim or /proc here: nothing is handed back")


def _freed_in_the_middle_of_the_heap(megabytes: int) -> list[bytes]:
    """Blocks too big for Python's own allocator and too small for their own mappings (so on glibc's heap), all
    freed but the last, which keeps the heap's top where it is: free pages the allocator keeps for itself."""
    blocks = [bytes(2000) for _ in range(megabytes * 2**20 // 2000)]
    last = blocks[-1:]
    del blocks
    return last


def test_a_look_hands_memory_back_once_the_process_has_grown():
    settled = api._resident_bytes()
    keep = _freed_in_the_middle_of_the_heap(96)
    grown = api._resident_bytes()
    assert grown - settled > 64 * 2**20, "the test's memory was not kept by the allocator"
    trims = api.memory_given_back["trims"]
    after = api._look(settled)
    assert api.memory_given_back["trims"] == trims + 1
    assert grown - after > 64 * 2**20
    assert keep


def test_a_look_does_nothing_while_the_process_has_not_grown():
    settled = api._resident_bytes()
    trims = api.memory_given_back["trims"]
    assert api._look(settled + 2 * api.TRIM_AFTER_GROWTH_BYTES) <= settled + 2 * api.TRIM_AFTER_GROWTH_BYTES
    assert api.memory_given_back["trims"] == trims


def test_a_long_running_directory_starts_the_thread_once(tmp_path):
    first = api.Directory(f"sqlite:///{tmp_path / 'a.db'}", long_running=True)
    thread = api._trimmer
    second = api.Directory(f"sqlite:///{tmp_path / 'b.db'}", long_running=True)
    assert thread is not None and thread.is_alive() and thread.daemon
    assert api._trimmer is thread
    for directory in (first, second):
        directory.engine.dispose()
