"""Filling a benchmark's database with synthetic entries: one home for what bench_api, bench_scale and
bench_load did each in their own copy."""

from __future__ import annotations

import json
import sys
from typing import Iterable

from directory.fields import Entry

CHUNK = 5000  # entries per transaction


def as_rows(entries: Iterable[Entry]) -> list[dict]:
    """The entries' values as create_many takes them. A half position becomes no position, and a course whose
    generated dates run backwards gets them the right way round (the directory refuses an end before a start)."""
    rows = []
    for entry in entries:
        values = entry.values()
        if values["latitude"] is None or values["longitude"] is None:
            values["latitude"] = values["longitude"] = None
        if values.get("start_date") and values.get("end_date") and values["start_date"] > values["end_date"]:
            values["start_date"], values["end_date"] = values["end_date"], values["start_date"]
        rows.append(values)
    return rows


def fill(directory, entries: list[Entry], *, archive: bool = True, progress: bool = False) -> None:
    """Write `entries` (with an account "bench", a coordinator) in transactions of CHUNK, then archive the
    ones generated as archived when `archive`."""
    from directory.accounts import create_user

    create_user(directory, "bench", "Benchmark", "coordinator")
    archived = [e.id for e in entries if e.archived] if archive else []
    rows = as_rows(entries)
    for start in range(0, len(rows), CHUNK):
        with directory.unit_of_work() as uow:
            uow.create_many(rows[start:start + CHUNK], "bench")
            uow.commit()
        if progress:
            print(json.dumps({"filling": min(start + CHUNK, len(rows)), "of": len(rows)}), file=sys.stderr, flush=True)
    if archived:
        with directory.unit_of_work() as uow:
            for entry_id in archived:
                uow.archive(entry_id, "bench", "benchmark")
            uow.commit()
