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


# A child process: (optionally) cap the arenas, then six threads at once each make and keep blocks on malloc's heap;
# prints how many arenas malloc then has (glibc's malloc_info: one <heap> per arena).
_ARENAS_SCRIPT = """
import ctypes, ctypes.util, os, sys, tempfile, threading
import directory.api as api
limited = api.limit_malloc_arenas() if sys.argv[1] == "limit" else None
kept = []
together = threading.Barrier(6)
def work():  # alive at once, as a server's threads are (a thread that ends hands its arena to the next)
    kept.append([bytes(2000) for _ in range(200)])
    together.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
path = tempfile.mktemp()
stream = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, stream)
libc.fclose(stream)
print(limited, open(path).read().count("<heap nr="))
os.unlink(path)
"""


def _arenas(mode: str, **env) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", _ARENAS_SCRIPT, mode], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1],
                          env={k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env)
    return done.stdout.strip()


def test_an_app_process_keeps_to_two_malloc_arenas_however_many_threads_it_starts():
    """Streamlit runs each page view in a new thread; each got an arena of its own (up to 8 per core) holding
    memory no other thread could reuse: ~200 MB an instance at 300,000 entries."""
    assert _arenas("limit") == "True 2"
    assert _arenas("default") == "None 7"  # what the cap prevents: an arena per thread (and the main thread's)
    assert _arenas("limit", MALLOC_ARENA_MAX="4") == "False 4"  # the operator's own setting is left alone
