"""20 writers x 50 updates on the same few entries: nothing is lost silently, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

from directory.errors import ConflictError

WRITERS, UPDATES, ENTRIES = 20, 50, 3


def test_concurrent_writers_never_lose_an_update_silently(directory):
    for i in range(ENTRIES):
        directory.create({"id": f"e{i}", "name": f"Job club {i}", "organisation": "Tees Works",
                          "category": "employment_support", "postcode": "TS1 3BA"}, "alice")
    accepted: list[tuple[str, str, int]] = []  # (entry, description, version saved)
    conflicts: list[tuple[str, list[str]]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        author = "alice" if number % 2 else "bob"
        start.wait()
        for update in range(UPDATES):
            entry_id = f"e{(number + update) % ENTRIES}"
            description = f"writer {number} update {update}"
            try:
                opened = directory.get(entry_id)
                saved = directory.update(entry_id, {"description": description}, opened.version, author)
                with lock:
                    accepted.append((entry_id, description, saved.version))
            except ConflictError as conflict:
                with lock:
                    conflicts.append((entry_id, conflict.fields))
            except BaseException as error:  # surfaced below: a crash is not a conflict
                with lock:
                    failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(accepted) + len(conflicts) == WRITERS * UPDATES
    assert len(accepted) >= ENTRIES  # at least the first writer on each entry wins
    # Every conflict names what the other writer changed.
    assert all(fields == ["description"] for _, fields in conflicts)
    for i in range(ENTRIES):
        entry_id = f"e{i}"
        history = directory.history(entry_id)
        updates = [r for r in history if r.action == "update"]
        mine = [(d, v) for e, d, v in accepted if e == entry_id]
        # Every accepted update is in the history, at the version it was saved as, exactly once.
        assert sorted((r.changes["description"][1], r.version) for r in updates) == sorted(mine)
        assert [r.version for r in history] == list(range(len(history), 0, -1))
        assert directory.get(entry_id).version == 1 + len(mine)
        # The entry holds the last accepted update: nothing overwrote it afterwards.
        assert directory.get(entry_id).description == max(mine, key=lambda item: item[1])[0]
    assert Counter(v for _, _, v in accepted).most_common(1)[0][1] <= ENTRIES
