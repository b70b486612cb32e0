"""Search benchmark: 50,000 synthetic entries, typo queries, and naive baselines in the same run.

    .venv/bin/python -m bench.bench_search [--n 50000] [--seed 1] [--out bench/results/search.json]

Entries are generated deterministically from a seed: names, organisations and
descriptions drawn from a few hundred service words, English towns, sectors,
tags and a few thousand made-up surnames (so the vocabulary is as varied as a
real directory's), placed over England with most of them clustered round towns.

Each typo query takes a real entry's name, keeps two of its words and
misspells one by a single edit (substitution, deletion, insertion or swap).
Its intended targets are the entries whose names hold both original words and
that pass the query's filters; recall@10 is the share of them (at most 10) in
the first ten results.

Baselines are the obvious implementations: rapidfuzz WRatio over every
entry's concatenated text plus numpy haversine over every position, and
numpy haversine over every position for radius and nearest look-ups.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import replace
from typing import Callable

import numpy as np
from rapidfuzz import fuzz, process, utils

from directory.codes import BENEFITS, CATEGORIES, STAGES
from directory.fields import Entry
from directory.geo import haversine_km
from directory.search import Filters, SearchIndex
from directory.text import fold as normalise

TOWNS: dict[str, tuple[float, float]] = {
    "Middlesbrough": (54.5742, -1.2350), "Stockton": (54.5705, -1.3187), "Hartlepool": (54.6863, -1.2129),
    "Darlington": (54.5236, -1.5528), "Redcar": (54.6181, -1.0689), "Durham": (54.7761, -1.5733),
    "Sunderland": (54.9069, -1.3838), "Newcastle": (54.9783, -1.6178), "Gateshead": (54.9527, -1.6034),
    "Carlisle": (54.8925, -2.9329), "Leeds": (53.8008, -1.5491), "Bradford": (53.7960, -1.7594),
    "Wakefield": (53.6833, -1.4977), "Huddersfield": (53.6458, -1.7850), "Halifax": (53.7248, -1.8658),
    "York": (53.9600, -1.0873), "Harrogate": (53.9921, -1.5418), "Scarborough": (54.2831, -0.3998),
    "Hull": (53.7676, -0.3274), "Doncaster": (53.5228, -1.1285), "Sheffield": (53.3811, -1.4701),
    "Rotherham": (53.4326, -1.3635), "Barnsley": (53.5526, -1.4797), "Grimsby": (53.5675, -0.0800),
    "Lincoln": (53.2307, -0.5406), "Manchester": (53.4808, -2.2426), "Salford": (53.4875, -2.2901),
    "Bolton": (53.5769, -2.4282), "Wigan": (53.5450, -2.6325), "Oldham": (53.5409, -2.1114),
    "Rochdale": (53.6097, -2.1561), "Stockport": (53.4106, -2.1575), "Liverpool": (53.4084, -2.9916),
    "Preston": (53.7632, -2.7031), "Blackpool": (53.8175, -3.0357), "Blackburn": (53.7486, -2.4821),
    "Burnley": (53.7893, -2.2405), "Lancaster": (54.0466, -2.8007), "Chester": (53.1934, -2.8931),
    "Stoke": (53.0027, -2.1794), "Derby": (52.9225, -1.4746), "Nottingham": (52.9548, -1.1581),
    "Leicester": (52.6369, -1.1398), "Northampton": (52.2405, -0.9027), "Birmingham": (52.4862, -1.8904),
    "Coventry": (52.4068, -1.5197), "Wolverhampton": (52.5870, -2.1288), "Walsall": (52.5862, -1.9829),
    "Worcester": (52.1936, -2.2216), "Hereford": (52.0565, -2.7160), "Peterborough": (52.5695, -0.2405),
    "Cambridge": (52.2053, 0.1218), "Norwich": (52.6309, 1.2974), "Ipswich": (52.0567, 1.1482),
    "Luton": (51.8787, -0.4200), "Oxford": (51.7520, -1.2577), "Reading": (51.4543, -0.9781),
    "Swindon": (51.5558, -1.7797), "Bristol": (51.4545, -2.5879), "Bath": (51.3811, -2.3590),
    "Gloucester": (51.8642, -2.2382), "London": (51.5072, -0.1276), "Croydon": (51.3762, -0.0982),
    "Slough": (51.5105, -0.5950), "Southampton": (50.9097, -1.4044), "Portsmouth": (50.8198, -1.0880),
    "Brighton": (50.8225, -0.1372), "Hastings": (50.8543, 0.5735), "Exeter": (50.7184, -3.5339),
    "Bournemouth": (50.7192, -1.8808), "Poole": (50.7150, -1.9872), "Canterbury": (51.2802, 1.0789),
    "Maidstone": (51.2720, 0.5290), "Chelmsford": (51.7356, 0.4685), "Colchester": (51.8959, 0.8919),
}

SERVICE_WORDS = """
recovery cafe plumbing plumber carpentry joinery bricklaying plastering painting decorating
electrical welding catering cookery barista kitchen hospitality housekeeping cleaning gardening
horticulture landscaping forestry allotment warehouse forklift logistics driving delivery courier
retail customer service admin office reception bookkeeping accounts payroll computing coding digital
literacy numeracy english maths esol reading writing confidence wellbeing wellness fitness football
boxing running walking cycling yoga mindfulness meditation counselling therapy mentoring befriending
advocacy housing tenancy hostel shelter resettlement benefits debt budgeting money welfare pension
employment jobs vacancies careers apprenticeship traineeship internship placement volunteering
volunteer community charity foodbank pantry furniture reuse recycling upcycling repair bicycle
mechanics motor vehicle construction scaffolding roofing tiling flooring glazing demolition groundwork
security stewarding events festival theatre drama music singing choir photography film media radio
podcast art pottery ceramics textiles sewing crafts woodwork printing design gaming esports
alcohol drugs detox rehab treatment prescribing needle exchange harm reduction naloxone outreach
peer support mutual aid fellowship narcotics anonymous smart families carers parents children
women men veterans offenders probation prison release hepatitis testing nursing health dental
pharmacy optician sexual clinic mental crisis helpline phoneline listening samaritans bereavement
trauma anxiety depression anger domestic abuse safety refuge legal advice immigration asylum
refugee translation interpreting employability interview skills enterprise startup business
selfemployed freelance cooperative social firm workshop garage laundry bakery brewery farm animal
care support worker healthcare assistant domiciliary residential nursery childcare teaching tutoring
library museum heritage conservation wildlife canal river coastal beach park cemetery church mosque
temple gurdwara faith pastoral chaplaincy breakfast lunch supper dropin evening weekend summer
""".split()

KINDS = "Academy Project Hub Centre Group Club Service Trust Network Workshop Programme Partnership Cafe Course Team Collective Scheme Initiative".split()
ORG_KINDS = "Trust Foundation Council College Charity CIC Partnership Society Association Ltd Services Housing Church".split()
SECTORS = "hospitality construction retail care admin it logistics horticulture manufacturing creative".split()
TAGS = """esol cv interview jobclub dropin peer naloxone detox aa na smart ca women men veterans
families carers lgbtq young adults over50 homeless prison probation digital literacy numeracy
confidence cooking gardening football boxing art music drama volunteering placement apprenticeship
forklift cscs foodhygiene firstaid barista bookkeeping welding plumbing carpentry decorating""".split()
GENERAL_WORDS = """
we offer a friendly welcoming safe space for people who want to make changes learn new skills meet
others and build confidence our team includes staff and volunteers with lived experience sessions
run every week no need to book just come along refreshments provided everyone welcome help with
travel costs available we work closely with local services support you to take next steps into
education training volunteering and work one to one and group sessions flexible hours certificate
on completion accredited qualification level entry two three taster days open days referral needed
self referral accepted quiet room accessible building parking near bus stop tram station town centre
""".split()

SYLLABLES = """
ab an ar ash bal bar bel ber bly bro burn by cam car chel clif cot dal dar den don ell en esh ford
gar gate ham har hart hay hol ing ker kin lan ley lin low mar mel mer mor ney nor ock ors per ral
ray ridge ril ron sal sel shaw son stan ster ston tan ter thorn ton tre vale wal war well wick win
wood worth
""".split()

DAY_CLAUSES = ("Mon 09:00-12:00", "Tue 10:00-12:00", "Wed 13:30-16:00", "Thu 18:00-20:00", "Fri 09:00-17:00",
               "Sat 10:00-12:00", "Sun 11:00-13:00", "Mon-Fri 09:00-17:00", "Tue,Thu 10:00-12:00")

RADIUS_KM = 25.0
QUERIES = 50
SPATIAL_QUERIES = 200


# -- synthetic directory -----------------------------------------------------------------


def make_surnames(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize())
    return sorted(names)


def make_position(rng: random.Random, town: tuple[float, float]) -> tuple[float, float]:
    """Most entries within a few km of a town centre; some anywhere in England."""
    if rng.random() < 0.15:
        return rng.uniform(50.5, 55.0), rng.uniform(-3.0, 0.5)
    spread_km = rng.choice((1.5, 3.0, 6.0))
    lat = town[0] + rng.gauss(0, spread_km) / 111.2
    lon = town[1] + rng.gauss(0, spread_km) / (111.2 * np.cos(np.radians(town[0])))
    return lat, lon


def make_name(rng: random.Random, town: str, surnames: list[str]) -> str:
    service = " ".join(rng.sample(SERVICE_WORDS, rng.choice((1, 1, 2)))).title()
    kind = rng.choice(KINDS)
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{town} {service} {kind}"
    if pattern == 1:
        return f"{service} {kind}"
    if pattern == 2:
        return f"{rng.choice(surnames)} {service} {kind}"
    return f"{kind} for {service} ({town})"


def make_entry(rng: random.Random, i: int, surnames: list[str], towns: list[str]) -> Entry:
    town = rng.choice(towns)
    remote = rng.random() < 0.05
    lat, lon = make_position(rng, TOWNS[town])
    description = " ".join(
        rng.sample(GENERAL_WORDS, rng.randint(10, 22)) + rng.sample(SERVICE_WORDS, rng.randint(2, 6)) + [town]
    )
    return Entry(
        id=f"e{i:06d}",
        name=make_name(rng, town, surnames),
        organisation=f"{rng.choice(surnames + [town])} {rng.choice(ORG_KINDS)}",
        category=rng.choice(list(CATEGORIES)),
        description=description.capitalize() + ".",
        latitude=None if remote and rng.random() < 0.5 else lat,
        longitude=None if remote and rng.random() < 0.5 else lon,
        delivery=(rng.choice((("online",), ("phone",), ("online", "phone"))) if remote
                  else rng.choice((("in_person",),) * 6 + (("in_person", "online"), ("outreach",)))),
        schedule="; ".join(rng.sample(DAY_CLAUSES, rng.randint(0, 2))) or None,
        stages=tuple(rng.sample(list(STAGES), rng.choice((0, 0, 1, 2)))),
        eligible_benefits=tuple(rng.sample(list(BENEFITS), rng.choice((0, 0, 0, 1, 2)))),
        cost=rng.choice(("free", "free", "free", "£20 per term", None)),
        sector=rng.choice(SECTORS) if rng.random() < 0.5 else None,
        tags=tuple(rng.sample(TAGS, rng.randint(0, 4))),
    )


def make_entries(n: int, seed: int) -> list[Entry]:
    rng = random.Random(seed)
    surnames = make_surnames(rng, 3000)
    towns = sorted(TOWNS)
    entries = [make_entry(rng, i, surnames, towns) for i in range(n)]
    for i in range(0, n, 997):  # a few archived ones, as a live directory has
        entries[i] = replace(entries[i], archived=True)
    return entries


# -- typo queries with known targets ----------------------------------------------------------


def misspell(rng: random.Random, word: str) -> str:
    """One typing slip: substitute, drop, insert or swap a letter."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    at = rng.randrange(len(word))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:at] + rng.choice(letters.replace(word[at], "")) + word[at + 1:]
    if kind == 1:
        return word[:at] + word[at + 1:]
    if kind == 2:
        return word[:at] + rng.choice(letters) + word[at:]
    at = min(at, len(word) - 2)
    if word[at] == word[at + 1]:
        return word[:at] + word[at + 1:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]


def make_queries(rng: random.Random, live: list[Entry], count: int) -> list[dict]:
    """Queries built from real names: two name words, one misspelt; targets are name-based."""
    queries: list[dict] = []
    while len(queries) < count:
        entry = rng.choice(live)
        name_words = [w for w in dict.fromkeys(normalise(entry.name).split()) if w not in ("for",)]
        long_words = [w for w in name_words if len(w) >= 5]
        if len(name_words) < 2 or not long_words:
            continue
        typo_word = rng.choice(long_words)
        other = rng.choice([w for w in name_words if w != typo_word])
        typo = misspell(rng, typo_word)
        place = entry.latitude is not None and entry.in_person
        queries.append({
            "text": f"{typo} {other}" if rng.random() < 0.5 else f"{other} {typo}",
            "words": (typo_word, other),
            "filters": Filters(
                categories=(entry.category,),
                near=(entry.latitude, entry.longitude) if place else TOWNS["Leeds"],
                within_km=RADIUS_KM,
            ),
        })
    return queries


def relevant_ids(query: dict, live: list[Entry], name_words: list[set[str]], lat: np.ndarray, lon: np.ndarray,
                 filtered: bool = True) -> set[str]:
    wanted = set(query["words"])
    named = [i for i, held in enumerate(name_words) if wanted <= held]
    if not filtered:
        return {live[i].id for i in named}
    f = query["filters"]
    distance = haversine_km(f.near[0], f.near[1], lat, lon)
    return {
        live[i].id for i in named
        if live[i].category in f.categories and (not live[i].in_person or distance[i] <= f.within_km)
    }


def recall_at_10(results: list[list[str]], targets: list[set[str]]) -> float:
    shares = [len(set(r[:10]) & t) / min(10, len(t)) for r, t in zip(results, targets) if t]
    return statistics.fmean(shares)


# -- naive baselines -------------------------------------------------------------------------


class NaiveSearch:
    """Everything against everything: WRatio over whole-entry strings, haversine over all points."""

    def __init__(self, entries: list[Entry]):
        self.entries = [e for e in entries if not e.archived]
        self.text = [utils.default_process(" ".join(filter(None, (
            e.name, e.organisation, " ".join(e.tags), e.sector or "", e.description or "",
        )))) for e in self.entries]
        self.lat = np.array([e.latitude if e.has_position else np.nan for e in self.entries])
        self.lon = np.array([e.longitude if e.has_position else np.nan for e in self.entries])
        self.category = np.array([e.category for e in self.entries])
        self.remote = np.array([not e.in_person for e in self.entries])

    def search(self, query: str, f: Filters | None, limit: int = 10) -> list[str]:
        scored = process.extract(utils.default_process(query), self.text, scorer=fuzz.WRatio, limit=None)
        score = np.zeros(len(self.entries))
        for _, value, i in scored:
            score[i] = value
        if f is None:
            distance = np.zeros(len(self.entries))
            keep = score > 0
        else:
            distance = haversine_km(f.near[0], f.near[1], self.lat, self.lon)
            keep = np.isin(self.category, f.categories) & (self.remote | (distance <= f.within_km)) & (score > 0)
        found = np.flatnonzero(keep)
        order = np.lexsort((np.nan_to_num(distance[found], nan=np.inf), -score[found]))[:limit]
        return [self.entries[i].id for i in found[order]]

    def within(self, lat: float, lon: float, km: float) -> list[str]:
        distance = haversine_km(lat, lon, self.lat, self.lon)
        found = np.flatnonzero(distance <= km)
        return [self.entries[i].id for i in found[np.argsort(distance[found], kind="stable")]]

    def nearest(self, lat: float, lon: float, k: int) -> list[str]:
        distance = np.nan_to_num(haversine_km(lat, lon, self.lat, self.lon), nan=np.inf)
        top = np.argpartition(distance, k)[:k]
        return [self.entries[i].id for i in top[np.argsort(distance[top], kind="stable")]]


# -- timing ----------------------------------------------------------------------------------


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000.0, result


def percentiles(times_ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(times_ms, 50)), float(np.percentile(times_ms, 95))


def row(name: str, n: int, ours: list[float], baseline_ms: list[float], **extra) -> dict:
    p50, p95 = percentiles(ours)
    b50, b95 = percentiles(baseline_ms)
    return {
        "name": name, "n": n,
        "p50_ms": round(p50, 3), "p95_ms": round(p95, 3),
        "baseline_p50_ms": round(b50, 3), "baseline_p95_ms": round(b95, 3),
        "ratio": round(b50 / p50, 2) if p50 else None,  # how many times faster than the baseline
        **extra,
    }


def bench_build(entries: list[Entry], n: int, runs: int = 3) -> tuple[dict, SearchIndex, NaiveSearch]:
    ours, naive_times = [], []
    for _ in range(runs):
        ms, index = timed(lambda: SearchIndex.build(entries))
        ours.append(ms)
        ms, naive = timed(lambda: NaiveSearch(entries))
        naive_times.append(ms)
    return row("build", n, ours, naive_times, entries_indexed=len(index), vocabulary=len(index._text.terms),
               baseline="preparing the naive search's strings and arrays"), index, naive


def bench_text_search(index: SearchIndex, naive: NaiveSearch, queries: list[dict], n: int) -> list[dict]:
    live = naive.entries
    name_words = [set(normalise(e.name).split()) for e in live]
    rows = []
    for label, filtered in (("search text+radius+category", True), ("search text only", False)):
        targets = [relevant_ids(q, live, name_words, naive.lat, naive.lon, filtered) for q in queries]
        ours, ours_results, base, base_results = [], [], [], []
        for q in queries:
            f = q["filters"] if filtered else None
            ms, hits = timed(lambda: index.search(q["text"], f or Filters(), limit=50))
            ours.append(ms)
            ours_results.append([h.entry.id for h in hits])
            ms, ids = timed(lambda: naive.search(q["text"], f))
            base.append(ms)
            base_results.append(ids)
        rows.append(row(
            label, n, ours, base,
            recall_at_10=round(recall_at_10(ours_results, targets), 3),
            baseline_recall_at_10=round(recall_at_10(base_results, targets), 3),
            mean_targets=round(statistics.fmean(len(t) for t in targets), 1),
            queries=len(queries),
            baseline="rapidfuzz WRatio over every entry's text + numpy haversine over all + filter"
            if filtered else "rapidfuzz WRatio over every entry's text",
            **({"radius_km": RADIUS_KM} if filtered else {}),
        ))
    return rows


def bench_spatial(index: SearchIndex, naive: NaiveSearch, rng: random.Random, n: int) -> list[dict]:
    towns = list(TOWNS.values())
    points = [make_position(rng, rng.choice(towns)) for _ in range(SPATIAL_QUERIES)]
    rows = []
    for km in (3.0, 10.0):
        ours, base, agree = [], [], True
        for lat, lon in points:
            ms, found = timed(lambda: index.within(lat, lon, km))
            ours.append(ms)
            ms, expected = timed(lambda: naive.within(lat, lon, km))
            base.append(ms)
            agree &= {e.id for e, _ in found} == set(expected)
        mean_found = statistics.fmean(len(index.within(lat, lon, km)) for lat, lon in points)
        rows.append(row(f"within {km:g} km", n, ours, base, agrees_with_baseline=agree,
                        mean_results=round(mean_found, 1), baseline="numpy haversine over all points"))
    ours, base, agree = [], [], True
    for lat, lon in points:
        ms, found = timed(lambda: index.nearest(lat, lon, k=10))
        ours.append(ms)
        ms, expected = timed(lambda: naive.nearest(lat, lon, 10))
        base.append(ms)
        agree &= [round(d, 9) for _, d in found] == [
            round(float(haversine_km(lat, lon, index.get(i).latitude, index.get(i).longitude)), 9) for i in expected
        ]
    rows.append(row("nearest k=10", n, ours, base, agrees_with_baseline=agree,
                    baseline="numpy haversine over all points + argpartition"))
    return rows


def bench_search(n: int = 50_000, seed: int = 1) -> list[dict]:
    """Time build, typo search with filters, radius and nearest against naive baselines."""
    rng = random.Random(seed + 1)
    entries = make_entries(n, seed)
    build, index, naive = bench_build(entries, n)
    queries = make_queries(rng, naive.entries, QUERIES)
    index.search(queries[0]["text"], queries[0]["filters"])  # first call pays for imports and caches
    return [build, *bench_text_search(index, naive, queries, n), *bench_spatial(index, naive, rng, n)]


if __name__ == "__main__":  # the same as: python -m bench search
    for line in bench_search():
        print(json.dumps(line))
