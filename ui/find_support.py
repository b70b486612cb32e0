"""The Find page's plumbing that is not widgets: what a search is, links that reopen it, and the CSV
and printable copies of its results. Reading a search typed as a sentence is directory/query.py.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import io
import operator
import threading
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from directory import codes
from directory.io.spreadsheet import spreadsheet_safe
from directory.query import DEFAULT_RADIUS, RADIUS_STEPS
from directory.schedule import DAYS, DAY_NAMES
from directory.threads import ARRAY_WORK


@dataclass(frozen=True)
class SearchState:
    """Everything that defines a search, as the widgets hold it."""

    query: str = ""
    place: str = ""                       # client's postcode or district, as typed
    radius_km: float = DEFAULT_RADIUS
    categories: tuple[str, ...] = ()
    day: int | None = None                # 0 = Monday
    free_only: bool = False
    delivery: tuple[str, ...] = ()
    stage: str | None = None
    benefit: str | None = None
    group: str | None = None              # who the client is (codes.FOR_GROUPS): hides services only for others
    order: str = "best"                   # "best" or "nearest" (only matters with words and a place)

    def to_params(self) -> dict[str, str | list[str]]:
        """Query parameters (only the ones that differ from a blank search)."""
        params: dict[str, str | list[str]] = {}
        if self.query:
            params["q"] = self.query
        if self.place:
            params["near"] = self.place
        if self.radius_km != DEFAULT_RADIUS:
            params["km"] = f"{self.radius_km:g}"
        if self.categories:
            params["cat"] = list(self.categories)
        if self.day is not None:
            params["day"] = DAYS[self.day].lower()
        if self.free_only:
            params["free"] = "1"
        if self.delivery:
            params["how"] = list(self.delivery)
        if self.stage:
            params["stage"] = self.stage
        if self.benefit:
            params["benefit"] = self.benefit
        if self.group:
            params["for"] = self.group
        if self.order != "best":
            params["order"] = self.order
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> "SearchState":
        """From query parameters (each a list of values); anything unknown or malformed is ignored."""
        def one(name: str) -> str:
            values = params.get(name) or []
            return values[-1].strip() if values else ""

        def many(name: str, vocabulary: Mapping[str, str]) -> tuple[str, ...]:
            found = []
            for value in params.get(name) or []:
                for code in value.split(","):
                    code = code.strip()
                    if code in vocabulary and code not in found:
                        found.append(code)
            return tuple(found)

        radius = DEFAULT_RADIUS
        try:
            value = float(one("km"))
            radius = min(RADIUS_STEPS, key=lambda step: abs(step - value))
        except ValueError:
            pass
        day = _day_from_word(one("day"))
        stage = one("stage")
        benefit = one("benefit")
        group = one("for")
        order = one("order")
        return cls(
            query=one("q")[:200],
            place=one("near")[:20],
            radius_km=radius,
            categories=many("cat", codes.CATEGORIES),
            day=day,
            free_only=one("free").lower() in ("1", "true", "yes", "y"),
            delivery=many("how", codes.DELIVERY),
            stage=stage if stage in codes.STAGES else None,
            benefit=benefit if benefit in codes.BENEFITS else None,
            group=group if group in codes.FOR_GROUPS else None,
            order=order if order in ("best", "nearest") else "best",
        )


def _day_from_word(word: str) -> int | None:
    word = word.strip().lower().rstrip(".")
    if not word:
        return None
    for index, (short, full) in enumerate(zip(DAYS, DAY_NAMES)):
        if word in (short.lower(), full.lower(), full.lower() + "s"):
            return index
    return None


# -- the search itself, and one result as plain values (the page, the CSV and the print view) -----------


def search_hits(directory, state: SearchState, place) -> list:
    """The directory's answer to `state` around `place` (a directory.geo.Place or None), best or nearest first."""
    from directory.areas import entries_serving
    from directory.search import Filters

    filters = Filters(
        categories=state.categories,
        near=place.position if place else None,
        within_km=state.radius_km if place else None,
        stage=state.stage, day=state.day, free_only=state.free_only, benefit=state.benefit, group=state.group,
        delivery=state.delivery,
        # Area-wide services whose area holds the client's place: found whatever the radius, as if 0 km away.
        serving=frozenset(entries_serving(directory, place.label).items()) if place else frozenset(),
    )
    # A RankedHits: a Hit is made only for what is read (the cards shown; the CSV and print view when asked for),
    # not for each of up to 300,000 results; the map and the counts read its arrays.
    hits = directory.search_index().results(state.query, filters)
    if place and state.query and state.order == "nearest":
        hits = nearest_first(hits)
    # How many cover the client's area (counted only when any area holds the place).
    hits.covering = int(np.count_nonzero(hits.covers)) if filters.serving else 0
    return hits


def nearest_first(hits):
    """`hits` (a RankedHits) nearest first: a service covering the client's area as at 0 km, those with no
    distance last, ties in the order they came (best match first)."""
    distance, covers = hits.distance_km, hits.covers
    unmeasured = np.isnan(distance) & ~covers
    km = np.where(covers | np.isnan(distance), 0.0, distance)
    return hits.reordered(np.lexsort((km, unmeasured)))  # stable: ties keep their order


def directory_bounds(directory):
    """The box (directory.geo.Bounds) holding every live entry with a position, padded half a km; None for none."""
    from directory.geo import Bounds

    box = directory.search_index().bounds()
    if box is None:
        return None
    south, west, north, east = box
    return Bounds.around([(south, west), (north, east)])  # the corners make the same box as every point


def nearest_distance(hits) -> float | None:
    """The distance of the nearest result with one (a RankedHits), or None."""
    distance = hits.distance_km
    measured = distance[~np.isnan(distance)]
    return float(measured.min()) if len(measured) else None


def distance_text(hit) -> str:
    """What a result says for how far it is: 'covers your area', '1.2 km', or '' (the caller says why not)."""
    from directory.areas import COVERS_YOUR_AREA
    from ui.render import format_distance

    if getattr(hit, "covers_area", None) is not None:
        return COVERS_YOUR_AREA
    return format_distance(hit.distance_km)


def check_first(entry, today: dt.date) -> list[str]:
    """What a result's card warns about before anyone rings or travels, in the card's words: who it is only for,
    a start date still to come, and 'Not checked for 13 months: ring first'."""
    from ui.render import format_date, only_for_text, stale_note

    said = []
    if only_for := only_for_text(entry):
        said.append(only_for)
    if entry.start_date and entry.start_date > today:
        said.append(f"Starts {format_date(entry.start_date)}.")
    if stale := stale_note(entry, today):
        said.append(f"{stale}: ring first.")
    return said


def result_row(hit, now: dt.datetime, day: int | None = None, organisation_contact=None) -> dict:
    """One result as plain values (for the CSV and the printable page). An entry with no named contact of its own
    gives its organisation's contact for partners (`organisation_contact`), as its card does."""
    from ui.render import category_label, describe_cost, describe_next_session, describe_times, describe_wait

    e = hit.entry
    contact = {"contact_name": e.contact_name, "contact_role": e.contact_role,
               "contact_phone": e.contact_phone or e.phone, "contact_email": e.contact_email or e.email}
    has_own = any((e.contact_name, e.contact_role, e.contact_phone, e.contact_email))
    if not has_own and organisation_contact is not None:
        contact = {"contact_name": organisation_contact.name or "",
                   "contact_role": f"{e.organisation}'s contact for partners",
                   "contact_phone": organisation_contact.phone or e.phone,
                   "contact_email": organisation_contact.email or e.email}
    return {
        "name": e.name, "organisation": e.organisation, "category": e.category,
        "category_label": category_label(e.category),
        "distance_km": "" if hit.distance_km is None else f"{hit.distance_km:.2f}",
        "covers_area": getattr(hit, "covers_area", None) or "",
        "distance": distance_text(hit) or ("" if e.in_person else "online or by phone"),
        "next_session": describe_next_session(e, now, day), "times": describe_times(e),
        "waiting": describe_wait(e.waiting_days), "cost": describe_cost(e),
        **contact,
        "address": e.address, "postcode": e.postcode,
        "delivery": ", ".join(codes.DELIVERY.get(d, d) for d in e.delivery),
        "last_verified": e.last_verified.isoformat() if e.last_verified else "", "entry_id": e.id,
        "check_first": " ".join(check_first(e, now.date())),
    }


# -- copies of the results ---------------------------------------------------------------------

CSV_COLUMNS = (
    "name", "organisation", "category", "distance_km", "covers_area", "next_session", "times", "waiting", "cost",
    "contact_name", "contact_role", "contact_phone", "contact_email", "address", "postcode", "delivery",
    "last_verified", "entry_id", "check_first",
)


def results_csv(rows: Iterable[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(row.get(k)) for k in CSV_COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def describe_search(state: SearchState, place_label: str | None) -> str:
    """One plain-English line: 'ESOL · within 5 km of TS1 · Thursday · free only'."""
    parts = []
    if state.query:
        parts.append(f"“{state.query}”")
    if state.categories:
        parts.append(", ".join(codes.CATEGORIES.get(c, c) for c in state.categories))
    if place_label:
        parts.append(f"within {state.radius_km:g} km of {place_label}")
    if state.day is not None:
        parts.append(DAY_NAMES[state.day])
    if state.free_only:
        parts.append("free only")
    if state.delivery:
        parts.append(" or ".join(codes.DELIVERY.get(d, d).lower() for d in state.delivery))
    if state.stage:
        parts.append(f"suits {codes.STAGES.get(state.stage, state.stage).lower()}")
    if state.benefit:
        parts.append(f"open to people on {codes.BENEFITS.get(state.benefit, state.benefit)}")
    if state.group:
        parts.append(f"open to {codes.FOR_GROUPS.get(state.group, state.group).lower()}")
    return " · ".join(parts) or "Everything in the directory"


PRINT_STYLE = """
body { font: 12pt/1.4 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #111; margin: 2em; }
h1 { font-size: 18pt; margin: 0 0 .2em; }
.search { color: #333; margin-bottom: 1em; }
.result { border-top: 1px solid #999; padding: .6em 0; page-break-inside: avoid; }
.result h2 { font-size: 13pt; margin: 0; }
.meta { color: #333; }
dl { display: grid; grid-template-columns: 9em 1fr; gap: .1em .8em; margin: .3em 0 0; }
dt { font-weight: 600; } dd { margin: 0; }
.note { margin-top: 2em; font-size: 10pt; color: #444; }
.check { border-left: 4px solid #8a5300; padding: .1em .5em; margin: .3em 0; color: #5c3700; font-weight: 600; }
.howto { background: #eef3f8; border: 1px solid #1f4e79; padding: .5em .8em; margin-bottom: 1em; }
dd { overflow-wrap: anywhere; }
@media (max-width: 640px) { body { margin: 1em; } dl { grid-template-columns: 7em 1fr; } }
@media print { body { margin: 0; } a { color: #111; text-decoration: none; } .howto { display: none; } }
"""


def printable_html(title: str, search_line: str, rows: Sequence[dict], generated: dt.datetime,
                   demo: bool) -> str:
    """A self-contained, print-friendly page (no scripts, no external files); every value escaped."""
    from directory.schedule import describe_moment
    from ui.render import esc, link, mailto_href, tel_href

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{PRINT_STYLE}</style></head><body>",
        "<p class='howto'>To print: press Ctrl+P (on a Mac, ⌘+P), or choose Print in the browser's menu. "
        "This box is not printed.</p>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='search'>{esc(search_line)}<br>{len(rows)} result{'' if len(rows) == 1 else 's'}, printed on "
        f"{esc(describe_moment(generated))}</p>",
    ]
    if demo:
        parts.append("<p><strong>Demo data: every entry is fictional. Do not contact them.</strong></p>")
    for number, row in enumerate(rows, 1):
        covers = row.get("covers_area")
        facts = [
            ("Where", ", ".join(x for x in (row.get("address"), row.get("postcode")) if x)
             + (f" ({row['distance']})" if row.get("distance") and not covers else "")),
            ("Area", f"Covers your area ({covers})" if covers else ""),
            ("When", row.get("times")),
            ("Next session", row.get("next_session")),
            ("Waiting", row.get("waiting")),
            ("Cost", row.get("cost")),
        ]
        contact = ", ".join(esc(x) for x in (row.get("contact_name"), row.get("contact_role")) if x)
        reach = " · ".join(
            link(href, text) for href, text in (
                (tel_href(row.get("contact_phone")), row.get("contact_phone")),
                (mailto_href(row.get("contact_email")), row.get("contact_email")),
            ) if text
        )
        parts.append("<div class='result'>")
        parts.append(f"<h2>{number}. {esc(row.get('name'))}</h2>")
        parts.append(f"<div class='meta'>{esc(row.get('organisation'))} · {esc(row.get('category_label'))}</div>")
        if row.get("check_first"):
            parts.append(f"<p class='check'>Check first: {esc(row['check_first'])}</p>")
        parts.append("<dl>")
        for label, value in facts:
            if value:
                parts.append(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>")
        if contact or reach:
            parts.append(f"<dt>Contact</dt><dd>{contact}{' · ' if contact and reach else ''}{reach}</dd>")
        parts.append("</dl></div>")
    parts.append("<p class='note'>From Recovery Pathways. Check times with the contact before a client travels.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def relaxations(state: SearchState) -> list[tuple[str, SearchState]]:
    """Searches one step wider than `state`, each with a button label, for the empty state."""
    options: list[tuple[str, SearchState]] = []
    if state.day is not None:
        options.append(("Any day", replace(state, day=None)))
    if state.free_only:
        options.append(("Include paid", replace(state, free_only=False)))
    if state.categories:
        options.append(("Any category", replace(state, categories=())))
    if state.delivery:
        options.append(("Any way of taking part", replace(state, delivery=())))
    if state.stage:
        options.append(("Any recovery stage", replace(state, stage=None)))
    if state.benefit:
        options.append(("Any benefit situation", replace(state, benefit=None)))
    if state.query:
        options.append(("Without the words", replace(state, query="")))
    return options


# -- the results map -------------------------------------------------------------------------------

MAX_OUTLINE_DISTRICTS = 60


# What an entry brings to the map regardless of the search and the moment: (the entry, met in person,
# placed, its times in words). Entry objects never change (an edit makes a new one), so this is
# worked out once per object rather than for every result of every search (10,000 results: ~40 ms
# a search). Held with the entry itself, so an id is never reused while its parts are kept.
_MAP_PARTS: dict[int, tuple] = {}
_MAP_PARTS_LIMIT = 120_000


def _map_parts(entry) -> tuple:
    held = _MAP_PARTS.get(id(entry))
    if held is None:
        from ui.render import describe_times

        if len(_MAP_PARTS) >= _MAP_PARTS_LIMIT:  # old indexes' entries: start again
            _MAP_PARTS.clear()
        held = _MAP_PARTS[id(entry)] = (entry, entry.in_person, entry.has_position, describe_times(entry))
    return held


def map_points(hits, now: dt.datetime, day: int | None = None) -> list:
    """The hits that belong on a map (placed, and met in person), as compact map points."""
    from ui.maps import MapPoint
    from ui.render import NextSessions, format_distance

    next_of = NextSessions(now, day)
    points = []
    for hit in hits:
        e, in_person, placed, times = _map_parts(hit.entry)
        if not (placed and in_person):
            continue  # where an online or phone service's office is tells the client nothing
        points.append(MapPoint(e.latitude, e.longitude, e.category, e.name, e.id, f"{times} · next: {next_of(e)}",
                               format_distance(hit.distance_km)))
    return points


def off_map(hits) -> tuple[int, int]:
    """(online or phone services, results with no position yet): results listed but not on the map."""
    remote = unplaced = 0
    for hit in hits:  # the entry's own properties: _map_parts would describe the times of every result
        in_person = hit.entry.in_person
        remote += not in_person
        unplaced += in_person and not hit.entry.has_position
    return remote, unplaced


@functools.lru_cache(maxsize=64)
def _outline_shapes(districts: tuple[str, ...]) -> dict | None:
    """District outlines as GeoJSON, kept: they depend only on the postcode data, and building
    them (GeoDataFrame concatenation, CRS checks) would otherwise cost a tenth of a second a search."""
    from directory.geo import district_outlines
    from ui import maps

    return maps.outlines_geojson(district_outlines(districts))


# Built map results, by search: every new visitor to the same page (the landing page, a shared link),
# and every rerun that leaves the search as it was ("Show 10 more", the share menu), would otherwise
# build them again: for 10,000 results a fifth of a second of a 2-core server (docs/PERFORMANCE.md).
# The key holds the directory's change counter, so a write by anyone, in any instance, retires it.
_RESULTS_KEPT = 8
_RESULTS_MEMO: collections.OrderedDict = collections.OrderedDict()
_RESULTS_LOCK = threading.Lock()


def results_map(hits, *, place, radius_km: float | None, now: dt.datetime, centre: tuple[float, float],
                zoom: int, tiles, outlines: bool = True, day: int | None = None, memo_key=None, directory=None):
    """(base map, results group, points, {category: results on the map}, off_map(hits)) for the Find page (no
    points when the results are many: the server clusters them, ui/map_clusters.py): the base map never changes between
    searches; the group holds the markers, the client's place, the radius and district outlines.
    With `memo_key` (what decides the results, the directory's change counter and the minute), results
    built for the same key are used again. With `directory`, results that cover the client's area (Hit.covers_area)
    are drawn as their areas (map_areas), not as pins."""
    from ui import maps

    from ui import map_clusters

    held = None
    if memo_key is not None:
        with _RESULTS_LOCK:
            held = _RESULTS_MEMO.get(memo_key)
            if held is not None:
                _RESULTS_MEMO.move_to_end(memo_key)
        if held is not None and held[4] is not None and map_clusters.kept(held[4]) is None:
            held = None  # its results are no longer kept for the map to ask about: build them again
    if held is None:
        # On the long-lived threads: arrays as long as the results (up to the whole directory; directory/threads.py).
        held = ARRAY_WORK.run(lambda: _build_results(hits, place=place, radius_km=radius_km, now=now,
                                                     outlines=outlines, day=day, directory=directory))
        if memo_key is not None:
            with _RESULTS_LOCK:
                _RESULTS_MEMO[memo_key] = held
                while len(_RESULTS_MEMO) > _RESULTS_KEPT:
                    _RESULTS_MEMO.popitem(last=False)
    points, counts, off, payload_json, _ = held
    return maps.base_map(tiles, centre, zoom), maps.group_of(payload_json), points, counts, off


class _MapHit(NamedTuple):  # what map_points reads of a hit, kept for a national map's later views
    entry: object
    distance_km: float | None


MAX_MAP_AREAS = 100  # area circles on one map: each is a look-up of its postcodes, and more would hide the pins


def map_areas(directory, hits) -> tuple[list, set[str]]:
    """(ui.maps.MapArea for each placed area of the results covering the client's area, the ids of the results drawn
    so): such a service is shown as the areas it serves rather than as a pin (or not at all, with no position)."""
    from directory.areas import area_shapes
    from ui.maps import MapArea

    shown, drawn = [], set()
    for hit in hits:
        if getattr(hit, "covers_area", None) is None or len(shown) >= MAX_MAP_AREAS:
            continue
        e = hit.entry
        for shape in area_shapes(directory, e.id)[:MAX_MAP_AREAS - len(shown)]:
            shown.append(MapArea(shape.centre[0], shape.centre[1], shape.radius_km, shape.name, e.category, e.name,
                                 e.id))
            drawn.add(e.id)
    return shown, drawn


def _map_hit(entries, distances: np.ndarray, i: int) -> _MapHit:
    return _MapHit(entries[i], None if np.isnan(distances[i]) else float(distances[i]))


class _Columns(NamedTuple):
    """The results as arrays, in their order: what the map reads of every result."""
    entries_at: Callable[[np.ndarray], list]  # the entries of the results at these positions (only those read)
    distance_km: np.ndarray     # NaN: not measured
    latitude: np.ndarray        # NaN: no position
    longitude: np.ndarray
    in_person: np.ndarray
    covers: np.ndarray          # covers the client's area (Hit.covers_area)


def _columns(hits) -> _Columns:
    """A RankedHits' own arrays (no Hit made), or the same read off a list of Hits."""
    from directory.search import RankedHits

    if isinstance(hits, RankedHits):  # a list of 300,000 entries alone took 0.4 s on a loaded machine
        return _Columns(lambda at: hits.reordered(at).entries, hits.distance_km, hits.latitude, hits.longitude,
                        hits.in_person, hits.covers)
    entries = [h.entry for h in hits]
    nan_for_none = lambda values: np.array([np.nan if v is None else v for v in values], np.float64)  # noqa: E731
    return _Columns(lambda at: list(map(entries.__getitem__, at.tolist())), nan_for_none(h.distance_km for h in hits),
                    nan_for_none(e.latitude if e.has_position else None for e in entries),
                    nan_for_none(e.longitude if e.has_position else None for e in entries),
                    np.array([e.in_person for e in entries], bool),
                    np.array([getattr(h, "covers_area", None) is not None for h in hits], bool))


def _build_results(hits, *, place, radius_km, now, outlines, day, directory=None) -> tuple:
    """(map points, results on the map by category, off_map's figures, payload, the kept results' token). Past
    map_clusters.BROWSER_CLUSTER_LIMIT results no points are made: the results are kept as a ResultSet and the
    map asks for each view's."""
    from directory.geo import Bounds, districts_in
    from ui import map_clusters, maps

    columns = _columns(hits)
    covering = np.flatnonzero(columns.covers)
    areas, as_areas = (map_areas(directory, [hits[i] for i in covering.tolist()]) if directory is not None
                       else ([], set()))
    listed = np.ones(len(columns.in_person), bool)  # not drawn as the areas it serves
    listed[[i for i, e in zip(covering.tolist(), columns.entries_at(covering)) if e.id in as_areas]] = False
    has_position = ~np.isnan(columns.latitude)
    # As off_map, counted here once per search rather than on every run of the page.
    remote = int(np.count_nonzero(listed & ~columns.in_person))
    unplaced = int(np.count_nonzero(listed & columns.in_person & ~has_position))
    placed = np.flatnonzero(listed & columns.in_person & has_position)
    result_set = None
    if len(placed) > map_clusters.BROWSER_CLUSTER_LIMIT:
        # Kept for the map's later views: the entries (the search index's own objects) and their distances, not
        # the hits, and nothing made per result (300,000 new objects a search cost seconds of allocation).
        points, entries, distances = [], columns.entries_at(placed), columns.distance_km[placed]

        def detail(chosen):
            return map_points([_map_hit(entries, distances, i) for i in chosen], now, day)

        result_set = map_clusters.ResultSet(columns.latitude[placed], columns.longitude[placed],
                                            list(map(operator.attrgetter("category"), entries)),
                                            categories=codes.CATEGORIES, detail=detail)
        south, north = float(result_set.latitude.min()), float(result_set.latitude.max())
        west, east = float(result_set.longitude.min()), float(result_set.longitude.max())
        spots = [(south, west), (north, east)]
        counts = dict(collections.Counter(result_set.category))
    else:
        entries, distances = columns.entries_at(placed), columns.distance_km[placed]
        points = map_points([_map_hit(entries, distances, i) for i in range(len(entries))], now, day)
        spots = [(p.latitude, p.longitude) for p in points]
        counts = dict(collections.Counter(p.category for p in points))
    bounds = Bounds.around(spots + [(a.latitude, a.longitude) for a in areas] + ([place.position] if place else []),
                           pad_km=0.4)
    if place is not None and not spots:
        bounds = Bounds.circle(place.latitude, place.longitude, radius_km or DEFAULT_RADIUS)
    shapes = None
    if outlines and bounds is not None:
        try:
            near = districts_in(bounds, limit=MAX_OUTLINE_DISTRICTS)
            if near:
                shapes = _outline_shapes(tuple(near))
        except Exception:  # outlines are an aid; the markers are what matter
            shapes = None
    for entry_id, category in {a.entry_id: a.category for a in areas}.items():  # the legend explains their colour
        counts[category] = counts.get(category, 0) + 1
    kept = (maps.remote_results(result_set, bounds.as_leaflet() if bounds else None, codes.CATEGORIES)
            if result_set is not None else None)
    payload_json = maps.results_group_json(
        points, codes.CATEGORIES,
        client=(place.latitude, place.longitude, place.label) if place else None,
        radius_km=radius_km if place else None,
        bounds=bounds.as_leaflet() if bounds else None, outlines=shapes, remote=kept, areas=areas,
    )
    return points, counts, (remote, unplaced), payload_json, kept["set"] if kept else None


def organisations_named(directory, query: str, limit: int = 2) -> list[tuple[int, str]]:
    """(id, name) of the organisations a search names, from a name index read again only when an organisation
    changed (the profile counter; per change of any entry it was every organisation's names after each edit)."""
    from directory.organisations import match_organisations

    if not (query or "").strip():
        return []
    return match_organisations(_organisation_names(str(directory.engine.url), directory.profile_counter(), directory),
                               query, limit)


@functools.lru_cache(maxsize=2)
def _organisation_names(url: str, profile_counter: int, directory):
    from directory.organisations import name_index

    return name_index(directory)
