"""Towns and districts by name ("Thornaby", "Middlesbrough", "Stockton-on-Tees"), wherever a place is asked.

Keyworkers say where a client lives by the town or the part of town, not only by postcode. The names are in
`data/places.csv` (Tees Valley, where the partnership works): each with other names it goes by and the
postcode sectors ("TS17 6") that cover its middle. A place's centre is the median of those sectors'
postcodes in the postcode table (Code-Point Open), so no coordinates are typed by hand and none needs the
internet. Recognising a name needs only the file; its centre needs the postcode table.

Pure Python but for the centre (the postcode table): the search index imports PLACE_WORDS.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from directory.text import fold, fold_words

PLACES_FILE = Path(__file__).resolve().parents[1] / "data" / "places.csv"
MAX_NAME_WORDS = 4          # "Saltburn by the Sea" is the longest name read


@dataclass(frozen=True)
class NamedPlace:
    name: str                       # as shown: "Stockton-on-Tees"
    also: tuple[str, ...]           # other names it goes by: ("Stockton",)
    sectors: tuple[str, ...]        # postcode sectors covering its middle: ("TS18 1",)
    council: str

    @property
    def district(self) -> str:
        """The postcode district of its first sector: "TS18"."""
        return self.sectors[0].split()[0]


@functools.cache
def named_places() -> tuple[NamedPlace, ...]:
    """Every place in data/places.csv, in the file's order."""
    text = "".join(line for line in PLACES_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.startswith("#"))
    places = []
    for row in csv.DictReader(io.StringIO(text)):
        places.append(NamedPlace(
            row["name"].strip(),
            tuple(a.strip() for a in (row["also"] or "").split(";") if a.strip()),
            tuple(s.strip().upper() for s in row["sectors"].split(";") if s.strip()),
            row["council"].strip(),
        ))
    return tuple(places)


@functools.cache
def _by_folded_name() -> dict[str, NamedPlace]:
    names: dict[str, NamedPlace] = {}
    for place in named_places():
        for name in (place.name, *place.also):
            names.setdefault(fold(name), place)
    return names


def place_named(text: str | None) -> NamedPlace | None:
    """The place a text names, however written ("thornaby", "Stockton on Tees", "STOCKTON"), or None."""
    return _by_folded_name().get(fold(text)) if text else None


def find_place_name(tokens: list[str]) -> tuple[int, int, NamedPlace] | None:
    """The first place named by whole tokens of a typed request, the longest name at each start:
    (start, end, place) with tokens[start:end] the name ("esol in stockton on tees" -> 2, 5)."""
    names = _by_folded_name()
    for start in range(len(tokens)):
        for end in range(min(len(tokens), start + MAX_NAME_WORDS), start, -1):
            place = names.get(fold(" ".join(tokens[start:end])))
            if place is not None:
                return start, end, place
    return None


# The folded words of every name: a search word that is one of these says where, not what (directory/search.py
# counts it for less than the words saying what is wanted).
PLACE_WORDS: frozenset[str] = frozenset(
    word for name in (n for p in named_places() for n in (p.name, *p.also)) for word in fold_words(name)
) - frozenset({"on", "by", "the", "sea", "tees", "north", "south", "hill", "hills", "bank", "park"})


def place_centre(place: NamedPlace, table=None) -> tuple[float, float] | None:
    """The median position of the postcodes in the place's sectors, or None if the table has none."""
    if table is None:
        from directory.postcodes import default_table

        table = default_table()
    lats: list[float] = []
    lons: list[float] = []
    for sector in place.sectors:
        outward, _, digit = sector.partition(" ")
        for postcode, lat, lon in table.in_district(outward):
            if postcode.split()[1].startswith(digit):
                lats.append(lat)
                lons.append(lon)
    if not lats:
        return None
    return float(np.median(lats)), float(np.median(lons))
