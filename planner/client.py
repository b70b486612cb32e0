"""What the planner needs to know about one client, worked out once from the profile.

Unknown facts never exclude (spec): each fact a hard rule needs is kept as
`None` when the profile does not give it, the rule then does not apply, and
`assumptions` says so in plain English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from planner.continuum import Continuum, inferred_done, place, step_fits
from planner.fit import ClientTimes
from planner.groups import ClientGroups
from planner.profile import Profile
from planner.readiness import ReadinessRating, rate
from planner.rules import (
    ASSET_KINDS,
    BARRIER_RULES,
    OVERLOAD_ACTIVITIES,
    STAGE_ORDER,
    STEP_RULES,
    WORK_NOW_FROM_STAGE,
    need_of,
)
from planner.terms import match_keys

PostcodeLocator = Callable[[str], tuple[float, float]]


@dataclass(frozen=True)
class ClientTerm:
    """One asset or goal word from the profile, with what it matches on."""

    kind: str  # a key of rules.ASSET_KINDS
    text: str
    keys: frozenset[str]


@dataclass(frozen=True)
class Client:
    profile: Profile
    position: tuple[float, float] | None
    not_abstinent: bool | None  # for requires_abstinence; opioid substitution is not abstinent (spec)
    has_conviction: bool | None
    times: ClientTimes
    readiness: ReadinessRating
    continuum: Continuum
    step_fits: dict[str, float]
    barriers: tuple[str, ...]  # keys of rules.BARRIER_RULES that apply, in table order
    terms: tuple[ClientTerm, ...]
    assumptions: tuple[str, ...]
    groups: ClientGroups = ClientGroups(0, 0, {})  # which of an entry's `for_groups` the client is known to be in

    @property
    def needs(self) -> tuple[str, ...]:
        """The profile's barriers the rules meet (rules.need_of), each once, in table order."""
        return tuple(dict.fromkeys(need_of(b) for b in self.barriers))

    def keys_of(self, kind: str) -> frozenset[str]:
        """The match keys of all the client's terms of one kind (rules.ASSET_KINDS)."""
        return frozenset().union(*(t.keys for t in self.terms if t.kind == kind))

    @property
    def stage(self) -> str:
        return self.profile.stage

    @property
    def on_opioid_substitution(self) -> bool:
        return bool(self.profile.opioid_substitution)

    @property
    def unspent(self) -> bool:
        return self.profile.convictions == "unspent"

    @property
    def overloaded(self) -> bool:
        return (self.profile.current_activities or 0) >= OVERLOAD_ACTIVITIES

    @property
    def low_formal_learning(self) -> bool:
        """Informal, small-group learning suits them best."""
        s = self.profile.screening
        return bool(s.qualifications_below_level_2 or s.reading_writing_maths)

    @property
    def one_to_one_first(self) -> bool:
        """Initial support is better one-to-one while the client is not yet engaging in groups or is
        still in withdrawal. Unknown indicators change nothing."""
        r = self.profile.readiness
        return r.engages_in_groups is False or r.in_withdrawal is True

    @classmethod
    def of(cls, profile: Profile, postcode_locator: PostcodeLocator | None = None) -> Client:
        assumptions: list[str] = []
        position = _locate(profile, postcode_locator, assumptions)
        not_abstinent = _not_abstinent(profile)
        has_conviction = _has_conviction(profile)
        _note_unknowns(profile, position, not_abstinent, assumptions)
        if profile.done_steps is None:
            assumed = inferred_done(profile)
            assumptions.append("assumed done from the assessment: " + ", ".join(STEP_RULES[s].label for s in assumed)
                               if assumed else "steps already done not given: starting from the first, health")
        continuum = place(profile)
        return cls(
            profile=profile,
            position=position,
            not_abstinent=not_abstinent,
            has_conviction=has_conviction,
            times=ClientTimes.of(profile.commitments, profile.available),
            readiness=rate(profile.readiness),
            continuum=continuum,
            step_fits=step_fits(continuum),
            barriers=_barriers(profile),
            terms=_terms(profile),
            assumptions=tuple(assumptions),
            groups=ClientGroups.of(profile),
        )


def _locate(profile: Profile, locator: PostcodeLocator | None, assumptions: list[str]) -> tuple[float, float] | None:
    if profile.postcode is None:
        assumptions.append("no postcode: distance not checked")
        return None
    if locator is None:
        assumptions.append(f"postcode {profile.postcode} not looked up: distance not checked")
        return None
    try:
        return locator(profile.postcode)
    except ValueError:  # well formed but not in the postcode data: an assumption, not an error (spec)
        assumptions.append(f"postcode {profile.postcode} not found: distance not checked")
        return None


def _not_abstinent(profile: Profile) -> bool | None:
    if profile.opioid_substitution:
        return True  # opioid substitution does not count as abstinent (spec)
    if profile.screening.abstinent is not None:
        return not profile.screening.abstinent
    if profile.abstinent_months is not None:
        return profile.abstinent_months <= 0
    return None


def _has_conviction(profile: Profile) -> bool | None:
    if profile.convictions is not None:
        return profile.convictions != "none"
    # A custodial sentence means a conviction, spent or not (the screening asks about one).
    return True if profile.screening.custodial_sentence else None


def _note_unknowns(profile: Profile, position, not_abstinent: bool | None, assumptions: list[str]) -> None:
    if position is not None and profile.max_travel_km is None:
        assumptions.append("no travel limit: nothing ruled out as too far")
    if profile.commitments is None:
        assumptions.append("no commitments given: check treatment times before booking")
    if profile.available is None:
        assumptions.append("no availability given: any time outside commitments")
    if profile.benefit is None:
        assumptions.append("benefit not known: benefit limits not applied")
    if profile.age is None:
        assumptions.append("age not known: age limits not applied")
    if not_abstinent is None:
        assumptions.append("abstinence not known: services requiring abstinence not ruled out")
    if profile.convictions is None:
        assumptions.append("convictions not known: nobody ruled out for convictions")
    if profile.current_activities is None:
        assumptions.append("current activities not known: overload not checked")
    if profile.goals.wants_work_now and STAGE_ORDER.index(profile.stage) < STAGE_ORDER.index(WORK_NOW_FROM_STAGE):
        assumptions.append(f"wants work now: job search comes in from the {WORK_NOW_FROM_STAGE} stage")


def _barriers(profile: Profile) -> tuple[str, ...]:
    """The rules (rules.BARRIER_RULES) whose need the profile shows, in table order."""
    s = profile.screening
    needs = {name for name in BARRIER_RULES if getattr(s, name, None) is True} | set(profile.other_barriers)
    # Concern about one's own use is met by treatment only when no structured support is in place yet.
    if s.structured_support or profile.in_treatment:
        needs.discard("concerned_about_use")
    if profile.needs_childcare:
        needs.add("needs_childcare")
    if profile.convictions == "unspent":  # they must be disclosed when an employer asks
        needs.add("unspent_convictions")
    return tuple(name for name in BARRIER_RULES if need_of(name) in needs)


def _terms(profile: Profile) -> tuple[ClientTerm, ...]:
    a, g = profile.assets, profile.goals
    texts_by_kind = {
        "goal_sector": g.sectors, "work_history": a.work_history, "interest": a.interests,
        "skill": a.skills, "qualification": a.qualifications,
    }
    assert texts_by_kind.keys() == ASSET_KINDS.keys()
    return tuple(
        ClientTerm(kind, text, keys)
        for kind, texts in texts_by_kind.items() for text in texts if (keys := match_keys(text))
    )
