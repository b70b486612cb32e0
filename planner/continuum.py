"""Where the client stands on the employment continuum (UK Drug Policy Commission 2008).

`current` is the first step not yet done, counting paid work history as soft
skills done; `next` is that step and the one after it, plus job search when
the client wants work now and is stabilising or later (spec). It is not a
ladder everyone climbs rung by rung (some people are ready to go straight
into work), so `step_fits` scores every
step for ranking: the next steps best, later ones less, and steps already
done (or before the current one) least: nobody is sent back.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.profile import Profile
from planner.rules import (
    STAGE_ORDER,
    STEP_FIT_CURRENT,
    STEP_FIT_FOLLOWING,
    STEP_FIT_LATER,
    STEP_FIT_LATER_FLOOR,
    STEP_FIT_NOT_NEEDED,
    STEP_FIT_WORK_NOW,
    STEP_ORDER,
    WORK_HISTORY_COVERS_STEP,
    WORK_NOW_FROM_STAGE,
)

JOB_SEARCH = "job_search"
LATER_STEP_DECREMENT = 0.1


@dataclass(frozen=True)
class Continuum:
    current: str | None  # None once every step is done
    next: tuple[str, ...]
    done: frozenset[str]  # done_steps plus what the client's work history covers
    work_now: bool  # job search is in `next` because the client asked for it

    def to_dict(self) -> dict:
        return {"current": self.current, "next": list(self.next)}

    @property
    def remaining(self) -> tuple[str, ...]:
        return tuple(step for step in STEP_ORDER if step not in self.done)


def wants_work_now(profile: Profile) -> bool:
    """The client asks to look for work and is far enough on for job search (client preference)."""
    stage_reached = STAGE_ORDER.index(profile.stage) >= STAGE_ORDER.index(WORK_NOW_FROM_STAGE)
    return bool(profile.goals.wants_work_now) and stage_reached


# Inferred steps never go beyond soft skills: training onwards is for the keyworker to say.
INFERRED_UP_TO = "soft_skills"


def inferred_done(profile: Profile) -> tuple[str, ...]:
    """The steps behind the client by their assessment, when the keyworker has not said (`done_steps` not
    given): in continuum order, stopping at the first step the assessment does not show done, never past
    soft skills. So a Green, progressing client is not placed at step 1, "health" (spec, "When
    `done_steps` is not given")."""
    readiness, screening = profile.readiness, profile.screening
    stage = STAGE_ORDER.index(profile.stage)

    def reached(name: str) -> bool:
        return stage >= STAGE_ORDER.index(name)

    shown = {
        "health": (reached("stabilising") or (profile.stage == "early" and readiness.self_care is True))
                  and screening.health_condition is not True,
        "motivation": reached("early") and readiness.owns_goals is True,
        "stabilising": reached("stabilising") and readiness.in_withdrawal is not True,
        "housing": reached("early") and screening.homeless is not True,
        "soft_skills": bool(profile.assets.work_history) or (
            reached("progressing") and readiness.attends_appointments is True and readiness.engages_in_groups is True),
    }
    done = []
    for step in STEP_ORDER[:STEP_ORDER.index(INFERRED_UP_TO) + 1]:
        if not shown[step]:
            break
        done.append(step)
    return tuple(done)


def place(profile: Profile) -> Continuum:
    done = set(inferred_done(profile) if profile.done_steps is None else profile.done_steps)
    if profile.assets.work_history:
        done.add(WORK_HISTORY_COVERS_STEP)
    remaining = [step for step in STEP_ORDER if step not in done]
    work_now = wants_work_now(profile)
    following = remaining[:2] + ([JOB_SEARCH] if work_now and JOB_SEARCH not in remaining[:2] else [])
    return Continuum(remaining[0] if remaining else None, tuple(following), frozenset(done), work_now)


def step_fits(continuum: Continuum) -> dict[str, float]:
    """`step_fit` for every step: next steps best, later ones less, done ones (never sent back) least."""
    fits = {step: STEP_FIT_NOT_NEEDED for step in STEP_ORDER}
    remaining = continuum.remaining
    for offset, step in enumerate(remaining[2:]):
        fits[step] = max(STEP_FIT_LATER_FLOOR, STEP_FIT_LATER - LATER_STEP_DECREMENT * offset)
    for step, fit in zip(remaining[:2], (STEP_FIT_CURRENT, STEP_FIT_FOLLOWING)):
        fits[step] = fit
    if continuum.work_now:
        fits[JOB_SEARCH] = max(fits[JOB_SEARCH], STEP_FIT_WORK_NOW)
    return fits
