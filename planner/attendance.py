"""Attendance over the whole directory: which schedules the client can get to, and why not.

planner.fit does the arithmetic for one schedule, in words. Here the same
test runs for every distinct session of the index at once (numpy), and is
gathered per schedule, so the attendance rule costs a few array operations
per plan however many entries there are; the words are written only for the
entries a plan explains.
"""

from __future__ import annotations

import numpy as np

from directory.schedule import format_schedule
from planner.fit import ClientTimes, ScheduleFit, SessionVerdicts, describe_clashes, fit_schedule, judge_sessions
from planner.index import PlannerIndex


class Attendance:
    """Per schedule of one index, for one client: can any session be attended, and what is in the way."""

    def __init__(self, index: PlannerIndex, times: ClientTimes, verdicts: SessionVerdicts):
        table = index.sessions
        self.index, self.times, self.verdicts = index, times, verdicts
        self.ok = table.per_schedule(verdicts.attendable, np.logical_or, True)  # by arrangement: always
        self.clashes = table.per_schedule(verdicts.clashes, np.logical_or, False)
        self.outside_any = table.per_schedule(verdicts.outside, np.logical_or, False)
        self.outside_all = table.per_schedule(verdicts.outside, np.logical_and, False)
        self._fits: dict[int, ScheduleFit] = {}

    @classmethod
    def of(cls, index: PlannerIndex, times: ClientTimes) -> Attendance:
        table = index.sessions
        return cls(index, times, judge_sessions(times, table.day, table.start, table.end))

    def fit(self, schedule_id: int) -> ScheduleFit:
        """The whole arithmetic in words (planner.fit), for an entry being explained."""
        if schedule_id not in self._fits:
            self._fits[schedule_id] = fit_schedule(
                self.index.sessions.schedule(schedule_id), self.times, self.index.schedule_texts[schedule_id])
        return self._fits[schedule_id]

    def clash_reasons(self, schedule_ids: list[int]) -> dict[int, tuple[str, ...]]:
        """`fit(id).exclusion_reasons` for many unattendable schedules, from the verdicts: cheap enough
        for the thousands of exclusions a big directory can give."""
        distinct = sorted(set(schedule_ids))
        rows = zip(distinct, self.clashes[distinct].tolist(), self.outside_all[distinct].tolist(),
                   self.outside_any[distinct].tolist())
        reasons = {}
        for schedule_id, clashes, all_outside, any_outside in rows:
            outside = None
            if all_outside:  # the entry's own text names them all, as fit_schedule does
                outside = self.index.schedule_texts[schedule_id]
            elif any_outside:
                table = self.index.sessions
                ids = [i for i in table.of_schedule(schedule_id).tolist() if self.verdicts.outside[i]]
                outside = format_schedule(table.sessions(ids))
            commitments = [i for i, clash in enumerate(clashes) if clash]
            reasons[schedule_id] = describe_clashes(self.times, commitments, outside)
        return reasons
