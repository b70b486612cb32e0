"""The client profile (docs/client-profile.md): plain dataclasses and the one parser.

Every field but `ref` and `stage` may be missing or null; missing means
unknown, and unknown facts never exclude anything (the planner says what it
assumed instead). Invalid input raises `ProfileError` naming the field by its
path, e.g. `commitments[1].start: '9am' is not a time HH:MM`, so a keyworker
or a script can find what to fix.

Unknown keys are refused (with a "did you mean") rather than ignored: a typo
such as `max_travel_kms` would otherwise silently switch a hard rule off.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from directory.codes import BENEFITS, LANGUAGES, OTHER_BARRIERS, STAGES, STEPS
from directory.postcodes import normalise_postcode
from directory.schedule import DAYS

CONVICTIONS = ("none", "spent", "unspent")
GENDERS = ("woman", "man", "other")  # as the client describes themselves; optional, never required
AIMS = ("any_job", "better_job", "career")  # A, B, C: any job, a better job, a career

END_OF_DAY_MINUTES = 24 * 60
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


class ProfileError(ValueError):
    """An invalid profile; `field` is the path of the offending field ("commitments[1].start")."""

    def __init__(self, field_path: str, message: str):
        super().__init__(f"{field_path}: {message}")
        self.field = field_path
        self.message = message


# -- the profile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeWindow:
    """Weekly times: `days` 0 = Monday; minutes from midnight, `end` up to 1440 (24:00)."""

    days: tuple[int, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Commitment(TimeWindow):
    """A fixed time the client cannot move, such as supervised consumption: nothing may clash with it."""

    what: str = "commitment"


@dataclass(frozen=True)
class Readiness:
    """The five indicators of readiness for work; None = not known."""

    attends_appointments: bool | None = None
    engages_in_groups: bool | None = None
    in_withdrawal: bool | None = None
    self_care: bool | None = None
    owns_goals: bool | None = None


@dataclass(frozen=True)
class Screening:
    """The twelve "Are you missing out?" answers (a Jobcentre screening for people in recovery); None = n.a. or not known."""

    health_condition: bool | None = None
    first_language_not_english: bool | None = None
    reading_writing_maths: bool | None = None
    qualifications_below_level_2: bool | None = None
    children_or_dependants: bool | None = None
    lone_parent: bool | None = None
    homeless: bool | None = None
    custodial_sentence: bool | None = None
    concerned_about_use: bool | None = None
    structured_support: bool | None = None
    abstinent: bool | None = None
    looking_for_training: bool | None = None


@dataclass(frozen=True)
class Assets:
    """What the client brings (asset mapping)."""

    skills: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    work_history: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    strengths: tuple[str, ...] = ()
    lived_experience: bool | None = None
    driving_licence: bool | None = None


@dataclass(frozen=True)
class Goals:
    aim: str | None = None
    sectors: tuple[str, ...] = ()
    hours_per_week: float | None = None
    self_employment: bool | None = None
    wants_work_now: bool | None = None


@dataclass(frozen=True)
class Profile:
    ref: str
    stage: str
    postcode: str | None = None
    max_travel_km: float | None = None
    readiness: Readiness = field(default_factory=Readiness)
    in_treatment: bool | None = None
    opioid_substitution: bool | None = None
    abstinent_months: float | None = None
    commitments: tuple[Commitment, ...] | None = None  # None: not given
    available: tuple[TimeWindow, ...] | None = None  # None: any time outside commitments
    benefit: str | None = None
    age: int | None = None
    screening: Screening = field(default_factory=Screening)
    convictions: str | None = None
    needs_childcare: bool | None = None
    languages: tuple[str, ...] = ()
    assets: Assets = field(default_factory=Assets)
    goals: Goals = field(default_factory=Goals)
    other_barriers: tuple[str, ...] = ()
    done_steps: tuple[str, ...] | None = None  # None: not given, so inferred from the assessment (continuum)
    current_activities: int | None = None
    # With screening.children_or_dependants and custodial_sentence and age, these decide whether an entry's
    # `for_groups` includes the client (planner/groups.py). None: not known (never excludes).
    gender: str | None = None
    veteran: bool | None = None
    care_leaver: bool | None = None


# -- reading --------------------------------------------------------------------------------


def parse_profile(data: Any) -> Profile:
    """A `Profile` from decoded JSON; raises ProfileError naming the first invalid field."""
    data = _object(data, "profile")
    _refuse_unknown_keys(data, Profile, "")
    return Profile(
        ref=_required_text(data, "ref"),
        stage=_required_code(data, "stage", tuple(STAGES)),
        postcode=_optional(data, "postcode", "postcode", _postcode),
        max_travel_km=_optional(data, "max_travel_km", "max_travel_km", _non_negative_number),
        readiness=_section(data, "readiness", Readiness, _boolean),
        in_treatment=_optional(data, "in_treatment", "in_treatment", _boolean),
        opioid_substitution=_optional(data, "opioid_substitution", "opioid_substitution", _boolean),
        abstinent_months=_optional(data, "abstinent_months", "abstinent_months", _non_negative_number),
        commitments=_optional(data, "commitments", "commitments", _commitments),
        # An empty list would rule everything out; like a missing one it means "any time".
        available=_optional(data, "available", "available", _availability) or None,
        benefit=_optional(data, "benefit", "benefit", _code_of(tuple(BENEFITS))),
        age=_optional(data, "age", "age", _age),
        screening=_section(data, "screening", Screening, _boolean),
        convictions=_optional(data, "convictions", "convictions", _code_of(CONVICTIONS)),
        needs_childcare=_optional(data, "needs_childcare", "needs_childcare", _boolean),
        languages=_optional(data, "languages", "languages", _list_of(_language)) or (),
        assets=_assets(data.get("assets"), "assets"),
        goals=_goals(data.get("goals"), "goals"),
        other_barriers=_optional(data, "other_barriers", "other_barriers", _list_of(_code_of(OTHER_BARRIERS))) or (),
        done_steps=_optional(data, "done_steps", "done_steps", _list_of(_code_of(tuple(STEPS)))),
        current_activities=_optional(data, "current_activities", "current_activities", _non_negative_integer),
        gender=_optional(data, "gender", "gender", _code_of(GENDERS)),
        veteran=_optional(data, "veteran", "veteran", _boolean),
        care_leaver=_optional(data, "care_leaver", "care_leaver", _boolean),
    )


Reader = Callable[[Any, str], Any]


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise ProfileError(path, "must be an object ({...})")
    return value


def _refuse_unknown_keys(data: dict, record: type, prefix: str) -> None:
    known = [f.name for f in fields(record)]
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(known)}"
            raise ProfileError(f"{prefix}{key}", f"unknown field{hint}")


def _optional(data: dict, key: str, path: str, read: Reader) -> Any:
    value = data.get(key)
    return None if value is None else read(value, path)


def _section(data: dict, key: str, record: type, read: Reader) -> Any:
    """An object of optional fields all read the same way (readiness, screening)."""
    value = data.get(key)
    if value is None:
        return record()
    value = _object(value, key)
    _refuse_unknown_keys(value, record, f"{key}.")
    return record(**{name: _optional(value, name, f"{key}.{name}", read) for name in value})


def _assets(value: Any, path: str) -> Assets:
    if value is None:
        return Assets()
    value = _object(value, path)
    _refuse_unknown_keys(value, Assets, f"{path}.")
    texts = {name: _optional(value, name, f"{path}.{name}", _list_of(_text)) or ()
             for name in ("skills", "qualifications", "work_history", "interests", "strengths")}
    return Assets(
        **texts,
        lived_experience=_optional(value, "lived_experience", f"{path}.lived_experience", _boolean),
        driving_licence=_optional(value, "driving_licence", f"{path}.driving_licence", _boolean),
    )


def _goals(value: Any, path: str) -> Goals:
    if value is None:
        return Goals()
    value = _object(value, path)
    _refuse_unknown_keys(value, Goals, f"{path}.")
    return Goals(
        aim=_optional(value, "aim", f"{path}.aim", _code_of(AIMS)),
        sectors=_optional(value, "sectors", f"{path}.sectors", _list_of(_text)) or (),
        hours_per_week=_optional(value, "hours_per_week", f"{path}.hours_per_week", _non_negative_number),
        self_employment=_optional(value, "self_employment", f"{path}.self_employment", _boolean),
        wants_work_now=_optional(value, "wants_work_now", f"{path}.wants_work_now", _boolean),
    )


# -- values --------------------------------------------------------------------------------


def _required_text(data: dict, key: str) -> str:
    if data.get(key) is None:
        raise ProfileError(key, "required")
    return _text(data[key], key)


def _required_code(data: dict, key: str, allowed: tuple[str, ...]) -> str:
    if data.get(key) is None:
        raise ProfileError(key, f"required: one of {', '.join(allowed)}")
    return _code_of(allowed)(data[key], key)


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(path, "must be non-empty text")
    return value.strip()


def _code_of(allowed: tuple[str, ...]) -> Reader:
    def read(value: Any, path: str) -> str:
        if value not in allowed:
            raise ProfileError(path, f"must be one of {', '.join(allowed)}")
        return value

    return read


def _list_of(read_item: Reader) -> Reader:
    def read(value: Any, path: str) -> tuple:
        if not isinstance(value, list):
            raise ProfileError(path, "must be a list ([...])")
        items = (read_item(item, f"{path}[{i}]") for i, item in enumerate(value))
        return tuple(dict.fromkeys(items))  # repeats add nothing

    return read


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ProfileError(path, "must be true, false or null")
    return value


def _number(value: Any, path: str) -> float:
    # bool is an int in Python, but `true` is not a number of kilometres.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProfileError(path, "must be a number")
    return value


def _non_negative_number(value: Any, path: str) -> float:
    if _number(value, path) < 0:
        raise ProfileError(path, "must not be negative")
    return value


def _non_negative_integer(value: Any, path: str) -> int:
    if _non_negative_number(value, path) != int(value):
        raise ProfileError(path, "must be a whole number")
    return int(value)


def _age(value: Any, path: str) -> int:
    age = _non_negative_integer(value, path)
    if age > 120:
        raise ProfileError(path, "must be an age in years (0 to 120)")
    return age


def _postcode(value: Any, path: str) -> str:
    # Malformed is an error; well formed but not in the postcode data is only an assumption (spec).
    canonical = normalise_postcode(value) if isinstance(value, str) else None
    if canonical is None:
        raise ProfileError(path, f"{value!r} is not a UK postcode: write it like TS1 3BA")
    return canonical


def _language(value: Any, path: str) -> str:
    code = value.strip().lower() if isinstance(value, str) else value
    if code not in LANGUAGES:
        raise ProfileError(path, f"{value!r} is not a two-letter ISO 639-1 language code, e.g. en, pl, ur")
    return code


# -- times ------------------------------------------------------------------------------------


def _day(value: Any, path: str) -> int:
    names = [d.lower() for d in DAYS]
    if not isinstance(value, str) or value.strip().lower() not in names:
        raise ProfileError(path, f"{value!r} is not a day: use {', '.join(DAYS[:-1])} or {DAYS[-1]}")
    return names.index(value.strip().lower())


def _minutes(value: Any, path: str, *, is_end: bool) -> int:
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    hours, minutes = (int(match[1]), int(match[2])) if match else (99, 99)
    if is_end and (hours, minutes) == (24, 0):
        return END_OF_DAY_MINUTES
    if hours > 23 or minutes > 59:
        raise ProfileError(path, f"{value!r} is not a time HH:MM")
    return hours * 60 + minutes


def _window_parts(value: Any, path: str, keys: tuple[str, ...]) -> tuple[tuple[int, ...], int, int]:
    value = _object(value, path)
    for key in value:
        if key not in keys:
            raise ProfileError(f"{path}.{key}", f"unknown field; expected one of {', '.join(keys)}")
    for key in ("days", "start", "end"):
        if value.get(key) is None:
            raise ProfileError(f"{path}.{key}", "required")
    days = _list_of(_day)(value["days"], f"{path}.days")
    if not days:
        raise ProfileError(f"{path}.days", "must name at least one day")
    start = _minutes(value["start"], f"{path}.start", is_end=False)
    end = _minutes(value["end"], f"{path}.end", is_end=True)
    if end <= start:
        raise ProfileError(f"{path}.end", f"{value['end']!r} is not after the start {value['start']!r}")
    return tuple(sorted(days)), start, end


def _commitments(value: Any, path: str) -> tuple[Commitment, ...]:
    def read(item: Any, item_path: str) -> Commitment:
        days, start, end = _window_parts(item, item_path, ("what", "days", "start", "end"))
        what = _optional(item, "what", f"{item_path}.what", _text) or "commitment"
        return Commitment(days, start, end, what)

    return _list_of(read)(value, path)


def _availability(value: Any, path: str) -> tuple[TimeWindow, ...]:
    return _list_of(lambda item, item_path: TimeWindow(*_window_parts(item, item_path, ("days", "start", "end"))))(
        value, path
    )


# -- the profile form's pieces ---------------------------------------------------------------------

# The availability grid of the profile form: a day is ticked by part of the day.
DAY_PERIODS: dict[str, tuple[str, str]] = {
    "Morning": ("09:00", "12:00"), "Afternoon": ("12:00", "17:00"), "Evening": ("17:00", "21:00"),
}


def period_free(available: list[dict], day: str, start: str, end: str) -> bool:
    """Whether the stored `available` windows (the profile's JSON) cover `day` from `start` to `end` (HH:MM)."""
    return any(day in w.get("days", []) and w.get("start", "") <= start and w.get("end", "") >= end
               for w in available)


def windows_from_grid(ticked: dict[str, list[str]]) -> list[dict]:
    """The profile's `available` windows from the grid: {day: ticked period names} (DAY_PERIODS).

    Touching periods join into one window (morning and afternoon: 09:00-17:00), and days with the same
    times share a window, in the order of DAYS: [{"days": ["Mon", "Tue"], "start": "09:00", "end": "17:00"}].
    """
    spans_by_day = {}
    for day, chosen_periods in ticked.items():
        spans: list[tuple[str, str]] = []
        for period, (start, end) in DAY_PERIODS.items():
            if period in chosen_periods:
                if spans and spans[-1][1] == start:
                    spans[-1] = (spans[-1][0], end)
                else:
                    spans.append((start, end))
        if spans:
            spans_by_day[day] = tuple(spans)
    windows = []
    for spans in dict.fromkeys(spans_by_day.values()):
        days = [d for d in DAYS if spans_by_day.get(d) == spans]
        windows += [{"days": days, "start": s, "end": e} for s, e in spans]
    return windows


def commitment_row(what: str, days: list[str], start: str, end: str) -> dict | None:
    """One row of the form's commitments as the profile's JSON; None for a row left blank."""
    if what.strip() or days or start.strip() or end.strip():
        return {"what": what.strip() or "commitment", "days": days, "start": start.strip(), "end": end.strip()}
    return None


def comma_list(text: str | None) -> list[str]:
    """'catering, gardening,' -> ['catering', 'gardening']: a list typed into one box."""
    return [w.strip() for w in (text or "").split(",") if w.strip()]


def put_given(target: dict, name: str, value) -> None:
    """Set `target[name]` only to an answer that was given: nothing, "" and [] stay missing (unknown)."""
    if value is not None and value != "" and value != []:
        target[name] = value
