"""Schedule arithmetic: can the client get to an entry's sessions?

Treatment comes first: activity that clashes with supervised consumption or
appointments harms recovery (a DWP proof of concept found "reduced clashes
between WP activity and treatment"). The spec's rule: a session can be attended when, outside the
client's commitments and inside their available times (when given), it leaves
an unbroken window of at least 60 minutes, or the whole session when it is
shorter. Entries with no sessions ("by arrangement") always can.

Everything the client cannot use is a *block*: a commitment, or a stretch
outside their available times. A session is cut by the blocks that overlap it
and the longest free piece decides. Results name what got in the way, so an
exclusion or a warning can be read aloud ("arrive after 10:00: supervised
consumption").

`fit_schedule` does it session by session, in words, for one entry;
`judge_sessions` does the same test with numpy for every distinct session of
the directory at once (tests check the two agree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from directory.schedule import END_OF_DAY, Session, format_schedule
from planner.profile import END_OF_DAY_MINUTES, Commitment, TimeWindow

MIN_WINDOW_MINUTES = 60
UNAVAILABLE = -1  # Block.commitment for time outside the client's available times
UNAVAILABLE_LABEL = "outside available times"


@dataclass(frozen=True)
class Block:
    start: int  # minutes from midnight
    end: int
    commitment: int  # index into ClientTimes.commitments, or UNAVAILABLE


@dataclass(frozen=True)
class ClientTimes:
    """The client's week as blocks per day (0 = Monday)."""

    commitments: tuple[Commitment, ...]
    availability_given: bool
    blocks: tuple[tuple[Block, ...], ...]
    free: tuple[tuple[tuple[int, int], ...], ...]  # per day: the usable stretches (the gaps between blocks)
    clash_texts: tuple[str, ...]  # per commitment: "clashes with supervised consumption Mon-Sat 09:00-10:00"

    @classmethod
    def of(cls, commitments: tuple[Commitment, ...] | None, available: tuple[TimeWindow, ...] | None) -> ClientTimes:
        commitments = commitments or ()
        by_day: list[list[Block]] = [[] for _ in range(7)]
        for index, commitment in enumerate(commitments):
            for day in commitment.days:
                by_day[day].append(Block(commitment.start, commitment.end, index))
        if available:
            for day in range(7):
                windows = [(w.start, w.end) for w in available if day in w.days]
                by_day[day].extend(Block(start, end, UNAVAILABLE) for start, end in _gaps(windows))
        blocks = tuple(tuple(sorted(day, key=lambda b: (b.start, b.end, b.commitment))) for day in by_day)
        free = tuple(tuple(_gaps([(b.start, b.end) for b in day])) for day in blocks)
        clash_texts = tuple(f"clashes with {c.what} {describe_window(c)}" for c in commitments)
        return cls(tuple(commitments), bool(available), blocks, free, clash_texts)

    def label(self, block: Block) -> str:
        return UNAVAILABLE_LABEL if block.commitment == UNAVAILABLE else self.commitments[block.commitment].what


def _gaps(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of a day (0..1440) outside the union of `windows`."""
    gaps, reached = [], 0
    for start, end in sorted(windows):
        if start > reached:
            gaps.append((reached, start))
        reached = max(reached, end)
    if reached < END_OF_DAY_MINUTES:
        gaps.append((reached, END_OF_DAY_MINUTES))
    return gaps


# -- one session ------------------------------------------------------------------------------


def minutes(time: dt.time) -> int:
    return END_OF_DAY_MINUTES if time == END_OF_DAY else time.hour * 60 + time.minute


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clock_time(minute: int) -> dt.time:
    return END_OF_DAY if minute >= END_OF_DAY_MINUTES else dt.time(minute // 60, minute % 60)


@dataclass(frozen=True)
class SessionFit:
    session: Session
    attendable: bool
    blocks: tuple[Block, ...]  # the blocks that overlap it


def fit_session(session: Session, times: ClientTimes) -> SessionFit:
    start, end = minutes(session.start), minutes(session.end)
    overlapping = tuple(b for b in times.blocks[session.day] if b.start < end and b.end > start)
    longest, reached = 0, start
    for block in overlapping:  # sorted by start: the free pieces lie between them
        longest = max(longest, block.start - reached)
        reached = max(reached, block.end)
    longest = max(longest, end - reached)
    return SessionFit(session, longest >= min(MIN_WINDOW_MINUTES, end - start), overlapping)


@dataclass(frozen=True)
class SessionVerdicts:
    """`fit_session` for many sessions at once (numpy), for the attendance rule and its reasons."""

    attendable: np.ndarray  # (sessions,)
    clashes: np.ndarray  # (sessions, commitments): the commitment overlaps the session
    outside: np.ndarray  # (sessions,): the session runs into time outside the available times


def judge_sessions(times: ClientTimes, day: np.ndarray, start: np.ndarray, end: np.ndarray) -> SessionVerdicts:
    """Sessions given as arrays of weekday and minutes. A session is attendable when its longest
    overlap with one of its day's usable stretches reaches the window (the same test as fit_session)."""
    attendable = np.zeros(len(day), dtype=bool)
    outside = np.zeros(len(day), dtype=bool)
    for weekday in range(7):
        on_day = day == weekday
        if not on_day.any():
            continue
        s, e = start[on_day], end[on_day]
        longest = np.zeros(len(s), dtype=np.int64)
        for stretch_start, stretch_end in times.free[weekday]:
            longest = np.maximum(longest, np.minimum(e, stretch_end) - np.maximum(s, stretch_start))
        attendable[on_day] = longest >= np.minimum(MIN_WINDOW_MINUTES, e - s)
        runs_outside = np.zeros(len(s), dtype=bool)
        for block in times.blocks[weekday]:
            if block.commitment == UNAVAILABLE:
                runs_outside |= (s < block.end) & (e > block.start)
        outside[on_day] = runs_outside
    clashes = np.zeros((len(day), len(times.commitments)), dtype=bool)
    for i, c in enumerate(times.commitments):
        clashes[:, i] = np.isin(day, c.days) & (start < c.end) & (end > c.start)
    return SessionVerdicts(attendable, clashes, outside)


def describe_clashes(times: ClientTimes, commitments: Iterable[int], outside: str | None) -> tuple[str, ...]:
    """Why no session can be attended: 'clashes with supervised consumption Mon-Sat 09:00-10:00',
    'outside available times: Sat 10:00-12:00'. `outside` names the sessions that run outside the
    available times, if any."""
    reasons = [times.clash_texts[i] for i in commitments]
    if outside:
        reasons.append(f"{UNAVAILABLE_LABEL}: {outside}")
    return tuple(reasons)


def _runs(fit: SessionFit) -> list[list[Block]]:
    """Overlapping blocks grouped into unbroken runs of unusable time."""
    runs: list[list[Block]] = []
    for block in fit.blocks:
        if runs and block.start <= max(b.end for b in runs[-1]):
            runs[-1].append(block)
        else:
            runs.append([block])
    return runs


def _named(blocks: list[Block], times: ClientTimes) -> str:
    """Commitments first: they are what the client must not miss."""
    chosen = sorted(blocks, key=lambda b: b.commitment == UNAVAILABLE)
    return " and ".join(dict.fromkeys(times.label(b) for b in chosen))


def _overlap_warnings(fit: SessionFit, times: ClientTimes) -> list[str]:
    """'arrive after 10:00: supervised consumption', 'leave by 14:00: ...', 'miss 12:00-13:00: ...'."""
    start, end = minutes(fit.session.start), minutes(fit.session.end)
    warnings = []
    for run in _runs(fit):
        run_start, run_end = min(b.start for b in run), max(b.end for b in run)
        if run_start <= start:  # named by what ends last: that is what the client waits for
            warnings.append(f"arrive after {clock(run_end)}: {_named([b for b in run if b.end == run_end], times)}")
        elif run_end >= end:
            warnings.append(f"leave by {clock(run_start)}: {_named([b for b in run if b.start == run_start], times)}")
        else:
            warnings.append(f"miss {clock(run_start)}-{clock(run_end)}: {_named(run, times)}")
    return warnings


# -- a whole schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleFit:
    attendable: bool  # at least one session can be attended, or there are none (by arrangement)
    sessions: tuple[Session, ...]
    fitting: tuple[Session, ...]
    reason: str  # read aloud: "Tue 11:00-14:00 fits availability"
    warnings: tuple[str, ...]  # only-some-fit and overlaps, for attendable schedules
    exclusion_reasons: tuple[str, ...]  # what got in the way, when no session can be attended


BY_ARRANGEMENT = ScheduleFit(True, (), (), "times by arrangement", (), ())


def fit_schedule(sessions: tuple[Session, ...], times: ClientTimes, text: str | None = None) -> ScheduleFit:
    """The whole arithmetic for one schedule, in words. `text` is the schedule as the entry writes it."""
    if not sessions:
        return BY_ARRANGEMENT
    fits = [fit_session(session, times) for session in sessions]
    fitting = tuple(f.session for f in fits if f.attendable)
    if not fitting:
        clashing = sorted({b.commitment for f in fits for b in f.blocks if b.commitment != UNAVAILABLE})
        outside = [f.session for f in fits if any(b.commitment == UNAVAILABLE for b in f.blocks)]
        # Every session outside: the entry's own text names them, as the directory writes it.
        named = (text if len(outside) == len(sessions) and text else format_schedule(outside)) if outside else None
        reasons = describe_clashes(times, clashing, named)
        return ScheduleFit(False, sessions, (), "", (), reasons)
    warnings = [] if len(fitting) == len(sessions) else [f"only some sessions fit: {format_schedule(fitting)}"]
    for fit in fits:
        if fit.attendable:
            warnings.extend(_overlap_warnings(fit, times))
    usable = tuple(piece for fit in fits if fit.attendable for piece in usable_parts(fit))
    return ScheduleFit(True, sessions, fitting, _fits_reason(usable, times), tuple(dict.fromkeys(warnings)), ())


def usable_parts(fit: SessionFit) -> tuple[Session, ...]:
    """The parts of an attendable session the client can use: between the blocks that cut it, each at least
    the window long (or the whole session when it is shorter). A session nothing cuts is itself; so the
    reason says only what fits beside a warning of what does not ("Mon 10:30-12:00 fits availability" with
    "arrive after 10:30: outside available times")."""
    start, end = minutes(fit.session.start), minutes(fit.session.end)
    needed = min(MIN_WINDOW_MINUTES, end - start)
    parts, reached = [], start
    for block in fit.blocks:  # sorted by start
        if block.start - reached >= needed:
            parts.append((reached, block.start))
        reached = max(reached, block.end)
    if end - reached >= needed:
        parts.append((reached, end))
    day = fit.session.day
    return tuple(Session(day, clock_time(a), clock_time(b)) for a, b in parts)


def _fits_reason(fitting: tuple[Session, ...], times: ClientTimes) -> str:
    text = format_schedule(fitting)
    if times.availability_given:
        return f"{text} fits availability"
    if times.commitments:
        return f"{text} fits around commitments"
    return f"runs {text}"


def describe_window(window: TimeWindow) -> str:
    """'Mon-Sat 09:00-10:00', in the directory's canonical schedule text."""
    return format_schedule(Session(day, clock_time(window.start), clock_time(window.end)) for day in window.days)
