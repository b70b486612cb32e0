"""Searches and plans run on a few long-lived threads, whatever thread asks (directory/threads.py)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

import planner.match
from directory.search import Filters, SearchIndex
from directory.threads import ARRAY_WORK, LongLivedThreads
from planner import parse_profile, recommend
from tests.test_planner_fixtures import TODAY, entry as planner_entry, locate, spec_profile
from tests.test_search import MIDDLESBROUGH, TS1


def _asked_from_short_lived_threads(ask, times: int = 6) -> None:
    """`ask()` once on each of `times` new threads, one after another (as Streamlit runs page runs)."""
    for _ in range(times):
        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()


def test_searches_asked_from_many_threads_run_on_the_two_long_lived_ones(monkeypatch):
    index = SearchIndex(MIDDLESBROUGH)
    ran_on: list[str] = []
    ranked_here = SearchIndex._ranked_here

    def recording(self, *args):
        ran_on.append(threading.current_thread().name)
        return ranked_here(self, *args)

    monkeypatch.setattr(SearchIndex, "_ranked_here", recording)
    found: list[list[str]] = []
    _asked_from_short_lived_threads(lambda: found.append(
        [h.entry.id for h in index.search("recovery", Filters(near=TS1, within_km=5))]))
    index.ranked("volunteering")
    assert found == [["cafe", "smart"]] * 6
    assert len(ran_on) == 7
    assert set(ran_on) <= {"array-work_0", "array-work_1"}


def test_the_find_pages_results_box_and_map_are_made_on_the_long_lived_threads(monkeypatch):
    import datetime as dt

    from ui import find_support
    from ui.maps import Tiles

    index = SearchIndex(MIDDLESBROUGH)
    ran_on: list[tuple[str, str]] = []

    def recording(owner, name):
        real = getattr(owner, name)

        def record(*args, **kwargs):
            ran_on.append((name, threading.current_thread().name))
            return real(*args, **kwargs)
        monkeypatch.setattr(owner, name, record)

    for name in ("_results_here", "_positions_ranked", "_bounds_here"):
        recording(SearchIndex, name)
    recording(find_support, "_build_results")
    drawn = []

    def a_page_run():
        hits = index.results("recovery", Filters(near=TS1, within_km=5))
        _, _, points, counts, _ = find_support.results_map(
            hits, place=None, radius_km=None, now=dt.datetime(2026, 12, 7, 9), centre=TS1, zoom=11, tiles=Tiles(None, ""))
        drawn.append((sorted(p.entry_id for p in points), counts, index.ranked("recovery")[0].tolist(),
                      index.bounds() is not None))

    _asked_from_short_lived_threads(a_page_run, times=2)
    assert drawn == [(["cafe"], {"recovery_support": 1}, [7, 0], True)] * 2  # SMART Recovery meets online: no pin
    assert sorted(name for name, _ in ran_on) == sorted(["_results_here", "_build_results", "_positions_ranked",
                                                         "_bounds_here"] * 2)
    assert {thread for _, thread in ran_on} <= {"array-work_0", "array-work_1"}


def test_plans_asked_from_many_threads_run_on_the_long_lived_ones(monkeypatch):
    ran_on: list[str] = []
    plan = planner.match.plan

    def recording(*args, **kwargs):
        ran_on.append(threading.current_thread().name)
        return plan(*args, **kwargs)

    monkeypatch.setattr(planner.match, "plan", recording)
    entries = [planner_entry("v", "volunteering")]
    results = []
    _asked_from_short_lived_threads(lambda: results.append(
        recommend(parse_profile(spec_profile()), entries, TODAY, postcode_locator=locate)), times=3)
    assert len(results) == 3 and results[0] == results[1] == results[2]
    assert len(ran_on) == 3 and set(ran_on) <= {"array-work_0", "array-work_1"}


def test_work_raises_its_exception_on_the_asking_thread():
    def broken():
        raise ValueError("no such postcode")

    with pytest.raises(ValueError, match="no such postcode"):
        ARRAY_WORK.run(broken)


def test_work_asked_from_one_of_the_pool_threads_runs_there_rather_than_wait_on_itself():
    one = LongLivedThreads(1, "only-one")
    answers: list[str] = []
    outer = threading.Thread(target=lambda: answers.append(
        one.run(lambda: one.run(lambda: threading.current_thread().name))))
    outer.start()
    outer.join(10)
    assert not outer.is_alive(), "the pool waited on itself"
    assert answers == ["only-one_0"]


def _search_in_child(result) -> None:
    result.put([h.entry.id for h in SearchIndex(MIDDLESBROUGH).search("recovery", Filters(near=TS1, within_km=5))])


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_a_forked_child_searches_on_threads_of_its_own():
    # The parent's pool has run something, so its idle thread is counted; a child's copy of that pool would
    # hand its work to a thread that does not exist in the child and wait for ever.
    SearchIndex(MIDDLESBROUGH).search("recovery")
    fork = multiprocessing.get_context("fork")
    result = fork.Queue()
    child = fork.Process(target=_search_in_child, args=(result,))
    child.start()
    child.join(30)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
    assert result.get(timeout=5) == ["cafe", "smart"]


def test_work_under_way_does_not_keep_a_stopping_process_waiting():
    # A base rebuilt beside the one served takes up to a minute at 300,000 entries; an instance asked to stop
    # meanwhile stops (the rebuild thread was a daemon thread before the pools, and is again).
    import subprocess
    import sys
    import time

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import time; from directory.threads import BASE_REBUILDS; "
                    "BASE_REBUILDS.start(time.sleep, 60); time.sleep(0.2)"], check=True, timeout=30,
                   cwd=Path(__file__).resolve().parents[1])
    assert time.perf_counter() - started < 20
