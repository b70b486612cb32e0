"""Ranking: named score components in 0..1 and the reasons that go with them.

`score = sum(rules.SCORE_WEIGHTS[name] * component)`. Each component is
computed for many entries at once (numpy), and each has a companion that
explains it for one entry in words a keyworker can read aloud, so every
number a recommendation shows has a sentence behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from directory.fields import Entry
from planner.client import Client, ClientTerm
from planner.groups import member_reason
from planner.index import CATEGORY_INDEX, STEP_BITS, PlannerIndex, entry_keys
from planner.rules import (
    ASSET_KINDS,
    BARRIER_RULES,
    DEFAULT_TRAVEL_KM,
    DRIVING_LICENCE,
    NOT_THE_CLIENTS_OWN_TAGS,
    ASSET_KIND_NAMES,
    LIVED_EXPERIENCE,
    MAX_ASSET_REASONS,
    MENTOR_ROLES,
    SAME_FIELD_TEMPLATE,
    SECTOR_LABELS,
    REMOTE_DISTANCE_FIT,
    SCORE_WEIGHTS,
    SECTOR_EXPERIENCE_COVERS,
    SELF_EMPLOYMENT_GOAL,
    STAGE_FIT_FAVOURED,
    STAGE_FIT_OTHER,
    STAGE_RULES,
    STEP_FIT_NOT_NEEDED,
    STEP_ORDER,
    STEP_RULES,
    UNKNOWN_DISTANCE_FIT,
    WAITING_BANDS,
    WAITING_UNKNOWN,
    need_of,
)
from planner.terms import group_key
from planner.wording import hours_text

NO_STEP = -1
MIN_TRAVEL_RADIUS_KM = 0.1  # a travel limit of 0 (online only) must not divide by zero


# -- steps ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepChoice:
    """For every entry: the step it would be recommended for, and how well that step fits now."""

    step: np.ndarray  # index into rules.STEP_ORDER; NO_STEP when the stage allows none of its steps
    fit: np.ndarray
    serves_next: np.ndarray  # serves a step in continuum.next
    permitted: np.ndarray  # the stage rule lets it be recommended at all (and it is not archived)

    @classmethod
    def of(cls, index: PlannerIndex, client: Client) -> StepChoice:
        rule = STAGE_RULES[client.stage]
        allowed_steps = sum(STEP_BITS[s] for s in rule.steps)
        next_steps = sum(STEP_BITS[s] for s in client.continuum.next)
        fits = [client.step_fits[s] for s in STEP_ORDER]
        # Once per distinct set of steps, then gathered: the best permitted step, earliest on ties.
        best_step, best_fit, serves_next = [], [], []
        for mask in index.step_masks:
            usable = [i for i in range(len(STEP_ORDER)) if mask & allowed_steps & (1 << i)]
            chosen = max(usable, key=lambda i: (fits[i], -i), default=NO_STEP)
            best_step.append(chosen)
            best_fit.append(fits[chosen] if usable else 0.0)
            serves_next.append(bool(mask & allowed_steps & next_steps))
        category_allowed = np.zeros(len(CATEGORY_INDEX), dtype=bool)
        category_allowed[[CATEGORY_INDEX[c] for c in rule.categories]] = True
        step = np.array(best_step, dtype=np.int64)[index.step_mask_id]
        return cls(
            step=step,
            fit=np.array(best_fit)[index.step_mask_id],
            serves_next=np.array(serves_next, dtype=bool)[index.step_mask_id],
            permitted=category_allowed[index.category] & (step != NO_STEP) & ~index.archived
            & ~index.holding(_NOT_THE_CLIENTS_OWN_KEYS),
        )


# Tags are posted whole ("=affected others"), so these are found with no scan of the entries.
_NOT_THE_CLIENTS_OWN_KEYS = frozenset(f"={tag}" for tag in NOT_THE_CLIENTS_OWN_TAGS)

WORK_NOW_REASON = "looking for work now, as the client asked"


def step_reason(step: str, client: Client) -> str | None:
    continuum = client.continuum
    if step not in continuum.next:
        return None
    if step == "job_search" and continuum.work_now and step not in continuum.remaining[:2]:
        return WORK_NOW_REASON
    return f"next step: {STEP_RULES[step].label}"


# -- assets and goals ---------------------------------------------------------------------------------


def _category_assets(client: Client) -> list[tuple[float, str, str]]:
    """(weight, category, reason) of the client's assets that match a kind of provision, not a sector."""
    p = client.profile
    return [asset for has, asset in ((p.goals.self_employment, SELF_EMPLOYMENT_GOAL),
                                     (p.assets.lived_experience, LIVED_EXPERIENCE)) if has]


def _category_asset_mask(index: PlannerIndex, rows: np.ndarray, category: str) -> np.ndarray:
    if category == LIVED_EXPERIENCE[1]:  # only where the client would become a mentor, not get one
        return index.mentor_become[rows]
    return index.category[rows] == CATEGORY_INDEX[category]


def asset_match(index: PlannerIndex, rows: np.ndarray, client: Client) -> np.ndarray:
    score = np.zeros(len(rows))
    for term in client.terms:
        score = np.maximum(score, ASSET_KINDS[term.kind][0] * index.holding(term.keys)[rows])
    for weight, category, _ in _category_assets(client):
        score = np.maximum(score, weight * _category_asset_mask(index, rows, category))
    weight, group, _ = DRIVING_LICENCE
    if client.profile.assets.driving_licence:
        score = np.maximum(score, weight * index.holding(frozenset({group_key(group)}))[rows])
    return score


def _names_the_entry(term: ClientTerm, keys: frozenset[str]) -> bool:
    """True when the client's own word is among the entry's sector or tags, or names a sector the entry is in
    ('hospitality' for a catering course): then 'matches interest: X' is true as read aloud."""
    exact = {key for key in term.keys if key.startswith("=")}
    if exact & keys:
        return True
    named_group = group_key(next(iter(exact))[1:]) if exact else None
    return named_group is not None and named_group in keys


def _asset_reason(kind: str, term: ClientTerm, keys: frozenset[str]) -> str:
    if _names_the_entry(term, keys):
        return ASSET_KINDS[kind][1].format(term.text)
    # Only the same line of work (a synonym group): say so, naming the group, never as if the word matched.
    group = sorted(k for k in term.keys & keys if k.startswith("~"))[0][1:]
    return SAME_FIELD_TEMPLATE.format(kind=ASSET_KIND_NAMES[kind], term=term.text, group=SECTOR_LABELS.get(group, group))


def asset_reasons(index: PlannerIndex, row: int, client: Client) -> list[str]:
    """One reason per kind of asset that matched, best kind first; a word that names the entry before one that
    is only in the same line of work."""
    entry = index.entries[row]
    keys = entry_keys(entry)
    reasons = []
    for kind in ASSET_KINDS:
        matching = [t for t in client.terms if t.kind == kind and t.keys & keys]
        if matching and len(reasons) < MAX_ASSET_REASONS:
            term = next((t for t in matching if _names_the_entry(t, keys)), matching[0])
            reasons.append(_asset_reason(kind, term, keys))
    for _, category, reason in _category_assets(client):
        if entry.category == category and (category != LIVED_EXPERIENCE[1] or entry.mentoring_role in MENTOR_ROLES):
            reasons.append(reason)
    _, group, reason = DRIVING_LICENCE
    if client.profile.assets.driving_licence and group_key(group) in keys:
        reasons.append(reason)
    return reasons


def covered_by_experience(index: PlannerIndex, rows: np.ndarray, client: Client, step: np.ndarray) -> np.ndarray:
    """Entries whose step the client's own experience already covers in that sector (not sent back)."""
    covered = np.zeros(len(rows), dtype=bool)
    level_2_or_above = client.profile.screening.qualifications_below_level_2 is False
    for kind, covered_step in SECTOR_EXPERIENCE_COVERS.items():
        if kind == "qualification" and not level_2_or_above:
            continue
        keys = client.keys_of(kind)
        if keys:
            covered |= (step == STEP_ORDER.index(covered_step)) & index.holding(keys)[rows]
    return covered


# -- barriers --------------------------------------------------------------------------------------


# Basic-skills barriers: a course that meets one of them is training this client is looking for.
_BASIC_SKILLS_BARRIERS = tuple(name for name, rule in BARRIER_RULES.items() if rule.subject is not None)


def client_barrier_masks(index: PlannerIndex, client: Client) -> dict[str, np.ndarray]:
    """For each of the client's barrier rules, the entries that meet it for this client. "Looking for
    training" is met by courses that match the client's goals, interests, skills, work history or
    qualifications, or meet another of their barriers, not by every course alike (when the profile gives
    nothing to match on, every course is one they could be looking for)."""
    masks = {b: index.barrier_masks[b] for b in client.barriers}
    if "looking_for_training" in masks:
        fits = index.holding(frozenset().union(*(t.keys for t in client.terms)))
        for barrier in _BASIC_SKILLS_BARRIERS:
            if barrier in masks:
                fits |= index.barrier_masks[barrier]
        if client.terms or any(b in masks for b in _BASIC_SKILLS_BARRIERS):
            masks["looking_for_training"] = masks["looking_for_training"] & fits
    return masks


def barrier_mask(masks: dict[str, np.ndarray], size: int, *, scored_only: bool = False) -> np.ndarray:
    """Entries meeting any of the client's barriers (`scored_only`: those counted in `barrier_fit`)."""
    mask = np.zeros(size, dtype=bool)
    for barrier, meets in masks.items():
        if BARRIER_RULES[barrier].scored or not scored_only:
            mask |= meets
    return mask


def barrier_reasons(masks: dict[str, np.ndarray], row: int) -> list[str]:
    """One reason per need the entry meets: the most specific rule that holds (rules for one need go from general
    to specific in rules.BARRIER_RULES), so a roof for tonight is not also read out as 'a place to live'."""
    by_need: dict[str, str] = {}
    for barrier, mask in masks.items():
        if mask[row] and BARRIER_RULES[barrier].scored:
            by_need[need_of(barrier)] = BARRIER_RULES[barrier].reason
    return list(dict.fromkeys(by_need.values()))


def group_reasons(entry: Entry, client: Client) -> list[str]:
    """'a service for prison leavers' when the client is known to be one of those it is for."""
    return [member_reason(entry.for_groups, client.groups)] if client.groups.verdict(entry.for_groups) == "in" else []


# -- practical fit ------------------------------------------------------------------------------------

LANGUAGE_NAMES = {
    "ar": "Arabic", "bn": "Bengali", "cy": "Welsh", "es": "Spanish", "fa": "Persian", "fr": "French",
    "gu": "Gujarati", "hi": "Hindi", "ku": "Kurdish", "lt": "Lithuanian", "pa": "Punjabi", "pl": "Polish",
    "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "so": "Somali", "ti": "Tigrinya",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "zh": "Chinese",
}


def waiting_days(index: PlannerIndex, rows: np.ndarray, today: dt.date) -> np.ndarray:
    """Days until the client could start: the typical wait, or later if the course starts later."""
    until_start = np.where(index.start_day[rows] > 0, index.start_day[rows] - today.toordinal(), -np.inf)
    waiting = index.waiting_days[rows]
    return np.where(np.isnan(waiting), np.where(until_start > 0, until_start, np.nan), np.maximum(waiting, until_start))


def practical_factors(index: PlannerIndex, rows: np.ndarray, client: Client, today: dt.date) -> dict[str, np.ndarray]:
    """Each factor that applies to this client, 0..1 per entry: cost, travel, childcare, waiting,
    format, language and hours, the practical things that keep people from taking part."""
    p = client.profile
    factors = {
        "free": index.free[rows].astype(float),
        "travel_costs_paid": index.travel_paid[rows].astype(float),
        "waiting": _waiting_factor(waiting_days(index, rows, today)),
    }
    if p.needs_childcare:
        factors["childcare"] = index.childcare[rows].astype(float)
    if client.low_formal_learning:
        factors["informal_format"] = index.informal[rows].astype(float)
    if client.one_to_one_first:
        factors["one_to_one"] = index.one_to_one[rows].astype(float)
    if p.languages:
        factors["language"] = _language_factor(index, rows, p.languages)
    if p.goals.hours_per_week is not None:
        hours = index.hours[rows]
        factors["hours"] = np.where(np.isnan(hours), 0.5, (hours <= p.goals.hours_per_week).astype(float))
    return factors


def _waiting_factor(days: np.ndarray) -> np.ndarray:
    factor = np.full(len(days), WAITING_UNKNOWN)
    factor[~np.isnan(days)] = 0.0
    for most, value, _ in reversed(WAITING_BANDS):  # narrowest band last, so it wins
        factor[days <= most] = value
    return factor


def _language_factor(index: PlannerIndex, rows: np.ndarray, languages: tuple[str, ...]) -> np.ndarray:
    offered = np.zeros(len(index), dtype=bool)
    for code in languages:
        if code in index.language_postings:
            offered[index.language_postings[code]] = True
    # An entry that lists no languages is taken to work in English.
    unlisted_ok = "en" in languages
    return np.where(index.languages_listed[rows], offered[rows], unlisted_ok).astype(float)


def practical_fit(factors: dict[str, np.ndarray]) -> np.ndarray:
    return np.mean(np.vstack(list(factors.values())), axis=0)


def practical_reasons(entry: Entry, factors: dict[str, float], client: Client, wait: float,
                      today: dt.date) -> list[str]:
    """The factors that count in the entry's favour, in words."""
    reasons = []
    if factors.get("childcare") == 1:
        reasons.append("creche or childcare offered")
    if factors["free"] == 1:
        reasons.append("free")
    if factors["travel_costs_paid"] == 1:
        reasons.append("travel costs paid")
    band = next((reason for most, _, reason in WAITING_BANDS if wait <= most), None)
    under_way = entry.start_date is not None and entry.start_date <= today  # its warning says when it started
    # A wait that runs past the start: its warning says the earliest start, so nothing here says "soon".
    wait_past_start = (entry.start_date is not None and entry.waiting_days is not None
                       and today + dt.timedelta(days=entry.waiting_days) > entry.start_date)
    if band and not under_way and not wait_past_start:
        reasons.append(band)
    if factors.get("informal_format") == 1:
        reasons.append(_format_reason(entry.format))
    if factors.get("one_to_one") == 1:
        reasons.append("one-to-one support")
    matched = [c for c in client.profile.languages if c != "en" and c in entry.languages]
    if factors.get("language") == 1 and matched:
        reasons.append("offered in " + " and ".join(LANGUAGE_NAMES.get(c, c) for c in matched))
    if factors.get("hours") == 1 and entry.hours_per_week is not None:
        reasons.append(f"{hours_text(entry.hours_per_week)} a week, within the {client.profile.goals.hours_per_week:g} aimed for")
    return reasons


def _format_reason(formats: tuple[str, ...]) -> str:
    """Only what the entry's `format` says: informal, small group, or both."""
    informal, group = "informal" in formats, "group" in formats
    if informal and group:
        return "informal, small-group learning"
    return "informal, unlike school" if informal else "in a small group"


# -- distance --------------------------------------------------------------------------------------------


def _travel_radius(client: Client) -> float:
    """Where distance stops counting: the client's travel limit, or a default when they gave none."""
    limit = client.profile.max_travel_km
    return DEFAULT_TRAVEL_KM if limit is None else max(limit, MIN_TRAVEL_RADIUS_KM)


def distance_fit(index: PlannerIndex, rows: np.ndarray, client: Client, km: np.ndarray) -> np.ndarray:
    """1 at the door, 0 at the travel limit; remote provision never far, never on the doorstep."""
    near = 1.0 - np.clip(km / _travel_radius(client), 0.0, 1.0)
    in_person = index.in_person[rows]
    fit = np.where(np.isnan(km), np.where(in_person, UNKNOWN_DISTANCE_FIT, REMOTE_DISTANCE_FIT), near)
    return np.where(index.remote[rows], np.maximum(fit, REMOTE_DISTANCE_FIT), fit)


def distance_reason(entry: Entry, km: float | None, client: Client) -> str | None:
    """'1.4 km away'; 'online or by phone'; '3.2 km away, or online' when both are realistic."""
    remote = " or ".join(label for mode, label in (("online", "online"), ("phone", "by phone")) if mode in entry.delivery)
    if km is None or (remote and km > _travel_radius(client)):
        return remote or None
    return f"{km:.1f} km away" + (f", or {remote}" if remote else "")


# -- all together -----------------------------------------------------------------------------------------


def _esol_not_needed(index: PlannerIndex, rows: np.ndarray, client: Client) -> np.ndarray:
    """ESOL-only classes for a client whose first language is English (an English conversation club is not a
    step they need)."""
    p = client.profile
    first_language = p.screening.first_language_not_english
    english_first = first_language is False or (first_language is None and p.languages == ("en",))
    if not english_first:
        return np.zeros(len(rows), dtype=bool)
    masks = index.barrier_masks
    esol_only = masks["first_language_not_english"] & ~masks["reading_writing_maths"] & ~masks["digital_skills"]
    return esol_only[rows] & (index.category[rows] == CATEGORY_INDEX["basic_skills"])


def stage_fit(index: PlannerIndex, rows: np.ndarray, client: Client) -> np.ndarray:
    favoured = np.zeros(len(CATEGORY_INDEX), dtype=bool)
    favoured[[CATEGORY_INDEX[c] for c in STAGE_RULES[client.stage].favoured]] = True
    return np.where(favoured[index.category[rows]], STAGE_FIT_FAVOURED, STAGE_FIT_OTHER)


def components(
    index: PlannerIndex, rows: np.ndarray, client: Client, steps: StepChoice, km: np.ndarray,
    barriers: np.ndarray, factors: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Every component of rules.SCORE_WEIGHTS for `rows`."""
    step = steps.step[rows]
    not_needed = covered_by_experience(index, rows, client, step) | _esol_not_needed(index, rows, client)
    step_fit = np.where(not_needed, STEP_FIT_NOT_NEEDED, steps.fit[rows])
    return {
        "step_fit": step_fit,
        "asset_match": asset_match(index, rows, client),
        "practical_fit": practical_fit(factors),
        "distance": distance_fit(index, rows, client, km),
        "barrier_fit": barriers[rows].astype(float),
        "stage_fit": stage_fit(index, rows, client),
    }


def total(parts: dict[str, np.ndarray]) -> np.ndarray:
    return sum(SCORE_WEIGHTS[name] * values for name, values in parts.items())
