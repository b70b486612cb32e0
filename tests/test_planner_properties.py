"""A property test (seeded random, no extra dependency): over random profiles and random small directories,
the expectations of docs/client-profile.md hold whenever the directory has a candidate for them, and no
reason or warning mentions a fact the entry or the profile lacks."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from directory.codes import CATEGORIES, FOR_GROUPS, FORMATS, MENTORING_ROLES, OTHER_BARRIERS, STAGES, STEPS
from directory.text import fold
from planner import parse_profile, recommend
from planner.match import CRISIS_URGENCY
from planner.rules import BARRIER_RULES, GENERAL_WELLBEING_TAGS, SECTOR_LABELS, SECTOR_SYNONYMS, need_of
from planner.client import Client
from planner.terms import has_tag, match_keys
from planner.wording import plain
from tests.test_planner_fixtures import TODAY, entry, locate, profile_data

WORDS = ["catering", "cooking", "hospitality", "warehouse", "logistics", "forklift", "care", "music", "photography",
         "gardening", "admin", "bookkeeping", "customer service", "construction", "labourer", "fitness", "walking",
         "esol", "numeracy", "digital skills", "ips", "convictions", "disability", "occupational health", "cafe",
         "homelessness", "rough-sleeping", "hostel", "tenancy", "debt", "benefits", "food-bank"]
SCHEDULES = [None, None, "Mon-Fri 09:00-17:00", "Tue 11:00-14:00", "Mon-Sat 08:30-16:00", "Wed 18:00-20:00",
             "Mon 09:00-12:00; Thu 13:00-15:00"]
COMMITMENTS = [{"what": "methadone collection", "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "start": "09:00",
                "end": "10:00"}, {"what": "keyworker appointment", "days": ["Thu"], "start": "14:00", "end": "15:00"}]
SCREENING = ["health_condition", "first_language_not_english", "reading_writing_maths", "qualifications_below_level_2",
             "children_or_dependants", "lone_parent", "homeless", "custodial_sentence", "concerned_about_use",
             "structured_support", "abstinent", "looking_for_training"]
TRIALS = 250


def maybe(rng: random.Random, value, p: float = 0.5):
    return value if rng.random() < p else None


def random_entry(rng: random.Random, i: int):
    category = rng.choice(list(CATEGORIES))
    fields = {}
    if rng.random() < 0.5:
        fields["tags"] = tuple(rng.sample(WORDS, rng.randint(1, 3)))
    if rng.random() < 0.4:
        fields["sector"] = rng.choice(WORDS)
    if rng.random() < 0.5:
        fields["format"] = tuple(rng.sample(list(FORMATS), rng.randint(1, 2)))
    if rng.random() < 0.15:
        fields["for_groups"] = tuple(rng.sample(list(FOR_GROUPS), rng.randint(1, 2)))
    if category == "peer_mentoring" and rng.random() < 0.7:
        fields["mentoring_role"] = rng.choice(list(MENTORING_ROLES))
    for name in ("childcare", "travel_costs_paid", "term_time_only", "drug_testing"):
        if rng.random() < 0.25:
            fields[name] = True
    if schedule := rng.choice(SCHEDULES):
        fields["schedule"] = schedule
    if rng.random() < 0.4:
        fields["cost"] = rng.choice(["free", "£2 a session"])
    if rng.random() < 0.4:
        fields["waiting_days"] = rng.choice([0, 3, 7, 14, 28])
    if rng.random() < 0.3:
        fields["hours_per_week"] = rng.choice([1, 2, 7.5, 16, 30])
    if rng.random() < 0.25:
        start = TODAY + dt.timedelta(days=rng.randint(-60, 60))
        fields["start_date"] = start
        fields["end_date"] = start + dt.timedelta(days=rng.randint(5, 120))
    if rng.random() < 0.1:
        fields["accepts_convictions"] = rng.choice(["yes", "no", "case_by_case"])
    if rng.random() < 0.15:
        fields["languages"] = tuple(rng.sample(["en", "pl", "ur"], rng.randint(1, 2)))
    return entry(f"e{i}", category, km=rng.choice([None, 0.3, 1.0, 2.5, 6.0, 12.0]), **fields)


def random_profile(rng: random.Random) -> dict:
    data = profile_data(stage=rng.choice(list(STAGES)))
    screening = {name: rng.choice([True, False]) for name in SCREENING if rng.random() < 0.4}
    data["screening"] = screening
    data["other_barriers"] = rng.sample(list(OTHER_BARRIERS), rng.randint(0, 2))
    for name, values in (("gender", ["woman", "man", "other"]), ("convictions", ["none", "spent", "unspent"]),
                         ("veteran", [True, False]), ("care_leaver", [True, False]), ("needs_childcare", [True, False]),
                         ("age", [19, 24, 34, 58]), ("max_travel_km", [3, 8, 20]), ("current_activities", [0, 1, 3])):
        if rng.random() < 0.5:
            data[name] = rng.choice(values)
    if rng.random() < 0.5:
        data["commitments"] = rng.sample(COMMITMENTS, rng.randint(1, 2))
    if rng.random() < 0.3:
        data["available"] = [{"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "09:30", "end": "14:30"}]
    data["assets"] = {kind: rng.sample(WORDS, rng.randint(0, 2)) for kind in ("skills", "interests", "work_history")}
    data["assets"]["lived_experience"] = rng.choice([True, False, None])
    data["goals"] = {"sectors": rng.sample(WORDS, rng.randint(0, 1)), "wants_work_now": rng.random() < 0.4}
    if rng.random() < 0.5:
        data["done_steps"] = [s for s in STEPS if rng.random() < 0.3]
    if rng.random() < 0.3:
        data["languages"] = rng.sample(["en", "pl"], rng.randint(1, 2))
    return data


# -- is each phrase true of this entry and this client? --------------------------------------------------------

def _words(entry) -> set[str]:
    return {fold(t) for t in (entry.sector, *entry.tags) if t}


def _in_group(entry, group: str) -> bool:
    return any(f"~{group}" in match_keys(t) for t in (entry.sector, *entry.tags) if t)


ASSET_LISTS = {"interest": ("assets", "interests"), "skill": ("assets", "skills"),
               "work experience": ("assets", "work_history"), "goal sector": ("goals", "sectors"),
               "qualification": ("assets", "qualifications")}
MATCHES = re.compile(r"^(?:matches (interest|goal sector)|uses (skill)|builds on (work experience)|builds on (qualification)): (.+)$")
SAME_FIELD = re.compile(r"^same field as (interest|goal sector|skill|work experience|qualification): (.+) \((.+)\)$")
GROUP_BY_LABEL = {SECTOR_LABELS.get(g, g): g for g in SECTOR_SYNONYMS}
BARRIER_REASONS = {rule.reason: name for name, rule in BARRIER_RULES.items()}


def false_phrases(rec, entry, data: dict, client: Client) -> list[str]:
    wrong = []
    for reason in rec.reasons:
        if m := MATCHES.match(reason):
            kind = next(g for g in m.groups()[:4] if g)
            term = m.group(5)
            section, key = ASSET_LISTS[kind]
            named = fold(term) in _words(entry) or (fold(term) in SECTOR_SYNONYMS and _in_group(entry, fold(term)))
            if term not in data.get(section, {}).get(key, []) or not named:
                wrong.append(reason)
        elif m := SAME_FIELD.match(reason):
            section, key = ASSET_LISTS[m.group(1)]
            if m.group(2) not in data.get(section, {}).get(key, []) or not _in_group(entry, GROUP_BY_LABEL[m.group(3)]):
                wrong.append(reason)
        elif reason == "informal, small-group learning" and not {"informal", "group"} <= set(entry.format):
            wrong.append(reason)
        elif reason == "informal, unlike school" and "informal" not in entry.format:
            wrong.append(reason)
        elif reason == "in a small group" and "group" not in entry.format:
            wrong.append(reason)
        elif reason == "lived experience is an asset for peer mentoring" and not (
                entry.mentoring_role in ("become", "both") and data["assets"].get("lived_experience")):
            wrong.append(reason)
        elif reason.startswith("a service for") and not entry.for_groups:
            wrong.append(reason)
        elif reason == "creche or childcare offered" and not entry.childcare:
            wrong.append(reason)
        elif reason == "free" and entry.cost != "free":
            wrong.append(reason)
        elif reason == "travel costs paid" and not entry.travel_costs_paid:
            wrong.append(reason)
        elif reason in ("drop-in: no wait", "starts within a week") and entry.start_date and entry.start_date <= TODAY:
            wrong.append(reason)
        elif "hours a week" in reason or "hour a week" in reason:
            hours = entry.hours_per_week
            if hours is None or not reason.startswith(f"{hours:g} hour{'' if hours == 1 else 's'} a week"):
                wrong.append(reason)
        elif reason in BARRIER_REASONS and not any(
                BARRIER_RULES[b].reason == reason and _rule_holds(BARRIER_RULES[b], entry) for b in client.barriers):
            wrong.append(reason)
        elif reason.startswith("Individual Placement and Support (IPS)") and not (
                entry.category == "employment_support" and ("ips" in entry.tags or " IPS " in f" {entry.name} ")):
            wrong.append(reason)
        elif reason == "driving licence is an asset here":
            wrong.append(reason)  # never given in these profiles
    for warning in rec.warnings:
        if warning.endswith(" only: check") and not entry.for_groups:
            wrong.append(warning)
        if warning.startswith("started ") and not (entry.start_date and entry.start_date <= TODAY):
            wrong.append(warning)
    return wrong


def _rule_holds(rule, entry) -> bool:
    """The barrier rule, read from the entry itself (its category, tags, childcare), not from the index: a roof
    tonight only for housing tagged so, debt advice only for money advice about debt (or about nothing named)."""
    tags = entry.tags or ()
    held = entry.category in rule.categories
    if rule.tags:
        held |= has_tag(tags, rule.tags) and (not rule.tagged_in or entry.category in rule.tagged_in)
    if rule.childcare:
        held |= bool(entry.childcare)
    if rule.except_tags and has_tag(tags, rule.except_tags):
        held = False
    return held


def meets(rec, need: str, client: Client, crisis: bool) -> bool:
    rules = [b for b in client.barriers if need_of(b) == need and (BARRIER_RULES[b].covers or crisis)]
    return any(BARRIER_RULES[b].reason in rec.reasons for b in rules)


@pytest.mark.parametrize("seed", range(TRIALS))
def test_expectations_hold_and_reasons_are_true(seed):
    rng = random.Random(seed)
    entries = [random_entry(rng, i) for i in range(rng.randint(8, 30))]
    data = random_profile(rng)
    profile = parse_profile(data)
    client = Client.of(profile, locate)
    by_id = {e.id: e for e in entries}
    result = recommend(profile, entries, TODAY, postcode_locator=locate)
    everything = recommend(profile, entries, TODAY, postcode_locator=locate, limit=1000)  # every eligible candidate
    recs, limit = result.recommendations, (3 if client.overloaded else 10)
    first = recs[:min(3, limit)]

    for rec in recs:
        entry = by_id[rec.entry_id]
        assert rec.reasons, rec
        assert false_phrases(rec, entry, data, client) == [], (rec, entry)
        assert client.groups.verdict(entry.for_groups) != "out"
    for gone in result.excluded:
        if any(r.startswith("for ") and ";" in r and "recovery stages" not in r and "ages" not in r for r in gone.reasons):
            assert by_id[gone.entry_id].for_groups

    crisis = profile.stage == "crisis"
    coverable = [n for n in client.needs if any(meets(r, n, client, crisis) for r in everything.recommendations)]
    if crisis:  # the most urgent of the client's barriers are met among the first three
        urgent = sorted(coverable, key=lambda n: CRISIS_URGENCY.index(n) if n in CRISIS_URGENCY else 9)[:len(first)]
        if len(urgent) <= len(first) and len(coverable) <= len(first):
            for need in urgent:
                assert any(meets(r, need, client, True) for r in first), (need, [r.name for r in first])
        # general well-being activities come after treatment, housing, health services and support
        general = [has_tag(by_id[r.entry_id].tags, GENERAL_WELLBEING_TAGS) and r.category == "health_wellbeing"
                   for r in recs]
        assert general == sorted(general), [r.name for r in recs]
    elif "homeless" in coverable:
        assert any(meets(r, "homeless", client, False) for r in first)
    if client.continuum.work_now and any(r.category == "employment_support" for r in everything.recommendations):
        assert any(r.category == "employment_support" for r in first), [r.name for r in first]
        if any(by_id[r.entry_id].tags and "ips" in by_id[r.entry_id].tags and r.category == "employment_support"
               for r in everything.recommendations):
            assert any("ips" in by_id[r.entry_id].tags for r in first if r.category == "employment_support")
    # needs before general activities: in the first three, an entry meeting none of the client's barriers comes
    # only once every barrier met anywhere in the plan is met before it (a client who wants work now also has
    # employment support and a way into work to place first: left out here)
    if not client.continuum.work_now:
        met_in_plan = [n for n in client.needs if any(meets(r, n, client, crisis) for r in recs)]
        for i, rec in enumerate(first):
            if not any(meets(rec, n, client, crisis) for n in client.needs):
                assert all(any(meets(r, n, client, crisis) for r in first[:i]) for n in met_in_plan), (
                    i, [r.name for r in recs])
    # what a person reads has its times and dates in plain English, and the part said to fit is not warned about
    for rec in recs:
        for text in (*rec.reasons, *rec.warnings):
            assert not re.search(r"\d\d:\d\d|\d{4}-\d\d-\d\d", plain(text, TODAY)), text
        fits = [r for r in rec.reasons if r.endswith((" fits availability", " fits around commitments"))]
        missed = [w for w in rec.warnings if w.startswith("miss ")]
        for reason in fits:
            for warning in missed:
                assert warning.split(" ")[1].split("-")[0] + "-" not in reason, (reason, warning)
    for gone in result.excluded:
        for text in gone.reasons:
            assert not re.search(r"\d\d:\d\d|\d{4}-\d\d-\d\d", plain(text, TODAY)), text
    # every barrier the directory can meet, among the first ten, when there is room for one of each
    if not crisis and len(coverable) + 2 <= limit:
        for need in coverable:
            assert any(meets(r, need, client, False) for r in recs[:10]), (need, [r.name for r in recs])
