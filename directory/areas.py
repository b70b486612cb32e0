"""The areas a service serves: an area-wide Open Referral service (`service_areas`, no place to attend) is found
by a postcode inside one of its areas, and shown on the map as an area.

An area is kept by its name (table `service_areas`, written by the importer through the unit of work). Its
geography is read from the name when asked, so a place added to data/places.csv later counts at once:

- postcode districts or sectors: "TS17", "TS1 3", "TS1, TS2 and TS3";
- a council (local authority) named in data/places.csv ("Middlesbrough", "Stockton-on-Tees Borough Council",
  "Redcar and Cleveland"): the postcode districts of all its places there;
- a town or part of town in data/places.csv ("Thornaby", "Linthorpe"): the postcode sectors that cover it.

Any other name ("all residents of the MyCity area") is shown on the entry but finds nothing: no geography
is guessed. The postcode table (Code-Point Open) has no local-authority column, so a council is the union of
its places' districts: close, not exact at the borders.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from directory.text import fold

if TYPE_CHECKING:
    from directory.api import Directory

MAX_AREAS = 50            # per service: a feed's list beyond this is cut (and said so)
MAX_AREA_NAME = 200
COVERS_YOUR_AREA = "covers your area"  # what Find shows instead of a distance

_OUTWARD = r"[A-Z]{1,2}[0-9][0-9A-Z]?"
_CODE = re.compile(rf"\b({_OUTWARD})(?:\s+([0-9]))?(?![0-9A-Z])")
_JOINERS = re.compile(r"^(?:[\s,;/&+]|and\b|or\b|postcodes?\b|districts?\b|sectors?\b)*$", re.IGNORECASE)
_COUNCIL_WORDS = ("metropolitan borough council", "borough council", "city council", "county council",
                  "district council", "unitary authority", "council", "borough", "local authority")


@dataclass(frozen=True)
class Coverage:
    """What an area's name was read as, and the postcode districts and sectors inside it."""

    kind: str                         # "postcode", "council", "town"
    label: str                        # as shown: "Stockton-on-Tees (council)"
    districts: frozenset[str] = frozenset()   # "TS17"
    sectors: frozenset[str] = frozenset()     # "TS17 6"

    def covers(self, postcode: str) -> bool:
        district, sector = _district_and_sector(postcode)
        return district in self.districts or (sector is not None and sector in self.sectors)


@dataclass(frozen=True)
class ServedArea:
    name: str                         # as the feed gave it
    coverage: Coverage | None         # None: a name we cannot place


@dataclass(frozen=True)
class AreaShape:
    """An area drawn on a map as a circle: the middle of its postcodes and the distance that holds nearly all."""

    name: str
    centre: tuple[float, float]
    radius_km: float


def clean_area_names(names) -> tuple[list[str], int]:
    """Area names as kept: spaces tidied, cut to MAX_AREA_NAME, repeats and blanks dropped, at most MAX_AREAS;
    and how many were left out over the limit."""
    kept: list[str] = []
    for name in names:
        text = " ".join(str(name).split())[:MAX_AREA_NAME]
        if text and fold(text) not in {fold(k) for k in kept}:
            kept.append(text)
    return kept[:MAX_AREAS], max(0, len(kept) - MAX_AREAS)


def _district_and_sector(postcode: str) -> tuple[str | None, str | None]:
    from directory.postcodes import normalise_postcode

    canonical = normalise_postcode(postcode or "")
    if canonical:
        outward, inward = canonical.split()
        return outward, f"{outward} {inward[0]}"
    compact = "".join((postcode or "").split()).upper()
    return (compact, None) if re.fullmatch(_OUTWARD, compact) else (None, None)


# --------------------------------------------------------------------------- reading a name


@functools.lru_cache(maxsize=4096)
def read_area(name: str) -> Coverage | None:
    """The geography an area's name gives (module docstring), or None."""
    text = " ".join((name or "").split())
    if not text:
        return None
    codes = _postcode_codes(text)
    if codes:
        districts = frozenset(d for d, s in codes if s is None)
        sectors = frozenset(f"{d} {s}" for d, s in codes if s is not None)
        return Coverage("postcode", ", ".join(sorted(districts | sectors)), districts, sectors)
    council = _councils().get(_without_council_words(text))
    if council is not None:
        return council
    from directory.places import place_named

    place = place_named(text) or place_named(_without_council_words(text))
    if place is not None:
        return Coverage("town", place.name, sectors=frozenset(place.sectors))
    return None


def _postcode_codes(text: str) -> list[tuple[str, str | None]]:
    upper = text.upper()
    found = [(m.group(1), m.group(2)) for m in _CODE.finditer(upper)]
    # Only when the name is nothing but codes and joining words: "TS1 and TS2", not "Flat 2A TS1 House".
    return found if found and _JOINERS.match(_CODE.sub(" ", upper)) else []


def _without_council_words(text: str) -> str:
    folded = fold(text)
    for words in _COUNCIL_WORDS:
        if folded.endswith(" " + words):
            return folded[: -len(words) - 1]
    return folded


@functools.cache
def _councils() -> dict[str, Coverage]:
    """Folded council name -> its coverage: the districts of its places in data/places.csv."""
    from directory.places import named_places

    districts: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for place in named_places():
        key = fold(place.council)
        names[key] = place.council
        districts.setdefault(key, set()).update(sector.split()[0] for sector in place.sectors)
    councils = {key: Coverage("council", f"{names[key]} council area", frozenset(found))
                for key, found in districts.items()}
    # A council's other names: a place of the same name goes by them too ("Stockton" for Stockton-on-Tees).
    for place in named_places():
        if fold(place.name) in councils:
            for other in place.also:
                councils.setdefault(fold(other), councils[fold(place.name)])
    return councils


# --------------------------------------------------------------------------- the directory's areas


class AreaIndex:
    """Every live entry's areas, by the postcode districts and sectors they cover."""

    def __init__(self, areas: list[tuple[str, str]]):
        self.by_district: dict[str, dict[str, str]] = {}
        self.by_sector: dict[str, dict[str, str]] = {}
        self.by_sector_district: dict[str, dict[str, str]] = {}
        for entry_id, name in areas:
            coverage = read_area(name)
            if coverage is None:
                continue
            for district in coverage.districts:
                self.by_district.setdefault(district, {}).setdefault(entry_id, name)
            for sector in coverage.sectors:
                self.by_sector.setdefault(sector, {}).setdefault(entry_id, name)
                # A place given only as a district ("TS17") may be in any of its sectors.
                self.by_sector_district.setdefault(sector.split()[0], {}).setdefault(entry_id, name)

    def serving(self, place: str) -> dict[str, str]:
        """Entry id -> the name of its area that holds `place`: a full postcode, a district, or a town of
        data/places.csv (then an area holding any of the town's sectors)."""
        district, sector = _district_and_sector(place)
        if district is None:
            from directory.places import place_named

            town = place_named(place)
            found: dict[str, str] = {}
            for town_sector in town.sectors if town else ():
                for entry_id, name in self.serving(f"{town_sector}AA").items():
                    found.setdefault(entry_id, name)
            return found
        found = dict(self.by_sector.get(sector, {})) if sector else dict(self.by_sector_district.get(district, {}))
        for entry_id, name in self.by_district.get(district, {}).items():
            found.setdefault(entry_id, name)
        return found


_indexes: dict[int, tuple[int, AreaIndex]] = {}
_lock = threading.Lock()


def area_index(directory: Directory) -> AreaIndex:
    """The directory's AreaIndex, rebuilt when any writer has moved the change counter."""
    counter = directory.change_counter()
    key = id(directory.engine)
    cached = _indexes.get(key)
    if cached and cached[0] == counter:
        return cached[1]
    with directory.reader() as uow:
        index = AreaIndex(uow.harvest.all_areas())
    with _lock:
        _indexes[key] = (counter, index)
    return index


def entries_serving(directory: Directory, postcode: str) -> dict[str, str]:
    """Live entries with an area that holds the client's postcode (or district, or town): entry id -> area name.

    The search hook: Find keeps these among the results of a search near `postcode` whatever the radius, with
    COVERS_YOUR_AREA in place of a distance."""
    return area_index(directory).serving(postcode)


def areas_served(directory: Directory, entry_id: str) -> list[ServedArea]:
    """The entry's areas in the feed's order, each with what its name was read as (None: not placed)."""
    with directory.reader() as uow:
        names = uow.harvest.areas_of(entry_id)
    return [ServedArea(name, read_area(name)) for name in names]


def area_names(directory: Directory) -> dict[str, list[str]]:
    """Entry id -> the names of the areas it serves, for the Open Referral export and read API."""
    with directory.reader() as uow:
        return uow.harvest.area_names()


def describe_areas(areas: list[ServedArea]) -> list[str]:
    """One line per area for the entry page: "Thornaby: postcode sectors TS17 6, TS17 7, TS17 8"."""
    lines = []
    for area in areas:
        if area.coverage is None:
            lines.append(f"{area.name} (not a council, town or postcode district we know: a postcode search "
                         "does not find it by this area)")
            continue
        codes = sorted(area.coverage.districts | area.coverage.sectors, key=_postcode_order)
        what = ("postcode " + ("district" if len(codes) == 1 else "districts") if not area.coverage.sectors else
                "postcode " + ("sector" if len(codes) == 1 else "sectors") if not area.coverage.districts else
                "postcodes")
        shown = area.coverage.label if area.coverage.kind != "postcode" else area.name
        lines.append(f"{shown}: {what} {', '.join(codes)}")
    return lines


def _postcode_order(code: str) -> tuple:
    """TS6 before TS10: letters, then the district's number, then the rest."""
    match = re.match(r"([A-Z]+)(\d+)(.*)", code)
    return (match[1], int(match[2]), match[3]) if match else (code, 0, "")


def area_shapes(directory: Directory, entry_id: str, table=None) -> list[AreaShape]:
    """For the map: each placed area of the entry as a circle (centre, radius in km). Areas we cannot place,
    or with no postcodes in the table, are left out."""
    return [shape for area in areas_served(directory, entry_id) if area.coverage
            for shape in [coverage_shape(area.name, area.coverage, table)] if shape]


def coverage_shape(name: str, coverage: Coverage, table=None) -> AreaShape | None:
    from directory.geo import haversine_km
    from directory.postcodes import default_table

    table = table or default_table()
    lats: list[float] = []
    lons: list[float] = []
    for district in sorted(coverage.districts | {s.split()[0] for s in coverage.sectors}):
        for postcode, lat, lon in table.in_district(district):
            if district in coverage.districts or f"{district} {postcode.split()[1][0]}" in coverage.sectors:
                lats.append(lat)
                lons.append(lon)
    if not lats:
        return None
    centre = (float(np.median(lats)), float(np.median(lons)))
    distances = haversine_km(centre[0], centre[1], np.asarray(lats), np.asarray(lons))
    # The 95th percentile: one stray postcode (a PO box's) should not blow the circle up.
    return AreaShape(name, centre, round(float(np.percentile(distances, 95)), 2))
