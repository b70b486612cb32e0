"""Long-lived threads for work that should not run on the thread asking for it.

Streamlit runs every page run on a new thread. glibc's allocator gives a thread an arena of its own and keeps
in it, after they are freed, the pages a thread's large short-lived arrays took; so work that makes arrays as
long as the directory, done on whichever thread a page runs on, leaves its memory in many arenas. Done on a
few long-lived threads it reuses the same memory (docs/PERFORMANCE.md, "Searches and plans on two long-lived
threads").
"""

from __future__ import annotations

import os
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class LongLivedThreads:
    """A fixed pool of long-lived daemon threads (started at first use), made again in a forked child (whose
    copy of the pool would have no threads). Daemon threads, unlike ThreadPoolExecutor's, do not keep a stopping
    process waiting for work under way (a base rebuilt beside the one served takes up to a minute)."""

    def __init__(self, workers: int, name: str):
        self._workers, self._name = workers, name
        self._start()
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._started = 0
        self._starting = threading.Lock()

    def _serve(self, work_queue: queue.SimpleQueue) -> None:
        while True:
            future, work, args = work_queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(*args))
            except BaseException as error:  # noqa: BLE001  (the asking thread raises it)
                future.set_exception(error)
            del future, work, args  # nothing of this work kept while waiting for the next

    def start(self, work: Callable[..., T], *args: Any) -> Future:
        """work(*args) on one of the pool's threads, not waited for."""
        if self._started < self._workers:
            with self._starting:
                while self._started < self._workers:
                    threading.Thread(target=self._serve, args=(self._queue,), name=f"{self._name}_{self._started}",
                                     daemon=True).start()
                    self._started += 1
        future: Future = Future()
        self._queue.put((future, work, args))
        return future

    def run(self, work: Callable[..., T], *args: Any) -> T:
        """work(*args) on one of the pool's threads, its exception raised here; on this thread if it is one of
        them (a pool waiting on itself could wait for ever)."""
        if threading.current_thread().name.startswith(self._name + "_"):
            return work(*args)
        return self.start(work, *args).result()


# Searches' and plans' temporaries: masks, distances, scores and ranks as long as the directory (~10 MB a
# search at 300,000 entries). Two threads: two searches at once use both cores.
ARRAY_WORK = LongLivedThreads(2, "array-work")
# A directory's search and kept indexes brought up to date (catch-ups, whole builds): one at a time in any case,
# under the directory's index lock; what they keep and what they free then stays in one arena.
INDEX_UPKEEP = LongLivedThreads(1, "index-upkeep")
# Bases rebuilt beside the one served (a few minutes apart at most): each one where the one before it was.
BASE_REBUILDS = LongLivedThreads(1, "compact-search-index")
