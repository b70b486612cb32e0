"""Reading a search typed as one sentence ("esol near TS1 thursday free"): the place, the distance,
the day and "free" it names, and the words left to search for. Pure: no database, no widgets.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from directory.geo import district_code
from directory.places import find_place_name
from directory.postcodes import normalise_postcode
from directory.schedule import DAY_NAMES

# The distances a search may be limited to (km), and the one a new search starts with.
RADIUS_STEPS: tuple[float, ...] = (1, 2, 3, 5, 10, 15, 25, 50)
DEFAULT_RADIUS = 5.0


_DAY_WORDS: dict[str, int] = {}
for _i, _full in enumerate(DAY_NAMES):
    _DAY_WORDS[_full.lower()] = _i
    _DAY_WORDS[_full.lower() + "s"] = _i
# Short forms people type; "sat" and "sun" are left out (they are words too).
_DAY_WORDS.update({"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4})
_PLACE_WORDS = ("near", "nr", "in", "around", "within", "by")
_FILLER = {"on", "every", "a", "an", "the", "class", "classes"}
# No bare "k": "couch to 5k" is a run, not a distance from the client.
_KM_PER_UNIT = {"km": 1.0, "kms": 1.0, "kilometre": 1.0, "kilometres": 1.0, "kilometer": 1.0,
                "kilometers": 1.0, "mi": 1.609344, "mile": 1.609344, "miles": 1.609344}
_DISTANCE = re.compile(r"^(\d{1,3}(?:\.\d+)?)(" + "|".join(sorted(_KM_PER_UNIT, key=len, reverse=True)) + r")?$")


@dataclass(frozen=True)
class Understood:
    text: str                                   # what is left to search for by words
    place: str | None = None
    day: int | None = None
    free_only: bool = False
    radius_km: float | None = None              # one of RADIUS_STEPS
    notes: tuple[str, ...] = field(default=())  # "'near TS1' as the client's place", ...

    @property
    def anything(self) -> bool:
        return bool(self.notes)


def understand(query: str, *, today: dt.date, is_district=lambda d: True, towns: bool = True) -> Understood:
    """Pull a place, a distance, a day and 'free' out of a typed search, so one line can say it all.

    A place is a full postcode anywhere, or a district (TS1) after 'near'/'in' or,
    for two-letter areas, on its own (a one-letter district like L2 could be
    'level 2'). Only whole words count, nothing is taken from inside a word, and
    a capitalised 'Free' between capitalised words ('Drug Free Futures') is a name.
    Failing those, a town or district by name ('esol thornaby', 'in Stockton-on-Tees'; data/places.csv)
    is the place, so the town word says where rather than ranking entries that mention it.
    A distance needs its unit ('3 km', '2 miles', '3km'; a bare number may be a
    level) and becomes the smallest distance offered that covers it.
    """
    words = query.split()
    keep = [True] * len(words)
    place = None
    day = None
    free = False
    radius = None
    notes: list[str] = []

    def lower(i: int) -> str:
        return words[i].lower().strip(",.;!?")

    # Full postcodes: one token (TS13BA) or two (TS1 3BA).
    i = 0
    while i < len(words) and place is None:
        for span in (2, 1):
            if i + span <= len(words):
                candidate = normalise_postcode(" ".join(w.strip(",.;") for w in words[i:i + span]))
                if candidate:
                    place = candidate
                    start = i - 1 if i > 0 and lower(i - 1) in _PLACE_WORDS else i
                    for j in range(start, i + span):
                        keep[j] = False
                    notes.append(f"“{' '.join(words[start:i + span])}” as the client's postcode")
                    break
        i += 1
    # Districts.
    if place is None:
        for i in range(len(words)):
            district = district_code(words[i].strip(",.;"))
            if not district or not is_district(district):
                continue
            after_place_word = i > 0 and lower(i - 1) in _PLACE_WORDS
            two_letter_area = re.match(r"^[A-Z]{2}\d", district) is not None
            if after_place_word or two_letter_area:
                place = district
                start = i - 1 if after_place_word else i
                for j in range(start, i + 1):
                    keep[j] = False
                notes.append(f"“{' '.join(words[start:i + 1])}” as the client's area")
                break
    # A town or district by name, unless it begins a name ("Stockton Recovery Partnership", "Thornaby Bike
    # Works": capitalised, and so is the word after it) that no "near"/"in" puts as the place.
    begin = 0
    tokens = [w.strip(",.;!?") for w in words]
    while place is None and towns and begin < len(tokens):
        named = find_place_name(tokens[begin:])
        if named is None:
            break
        start, end, found = named[0] + begin, named[1] + begin, named[2]
        begin = start + 1
        after_place_word = start > 0 and lower(start - 1) in _PLACE_WORDS
        following = tokens[end] if end < len(tokens) else ""
        if (not after_place_word and tokens[start][:1].isupper() and following[:1].isupper()
                and not following.isupper() and following.lower() not in _DAY_WORDS):
            continue
        if not all(keep[start:end]):
            continue
        place = found.name
        if after_place_word:
            start -= 1
        for j in range(start, end):
            keep[j] = False
        notes.append(f"“{' '.join(tokens[start:end])}” as the client's area")
    # A distance: "within 3 km (of)", "2 miles", "3km".
    for i in range(len(words)):
        if not keep[i]:
            continue
        match = _DISTANCE.match(lower(i))
        end = i + 1
        if match and match.group(2) is None:
            if end < len(words) and keep[end] and lower(end) in _KM_PER_UNIT:
                unit, end = lower(end), end + 1
            else:
                continue
        elif match:
            unit = match.group(2)
        else:
            continue
        km = float(match.group(1)) * _KM_PER_UNIT[unit]
        if km <= 0:
            continue
        radius = next((step for step in RADIUS_STEPS if step >= km - 1e-9), max(RADIUS_STEPS))
        start = i - 1 if i > 0 and keep[i - 1] and lower(i - 1) in ("within", "in", "under") else i
        if end < len(words) and keep[end] and lower(end) in ("of", "from"):
            end += 1
        for j in range(start, end):
            keep[j] = False
        phrase = " ".join(w.strip(",.;") for w in words[start:end] if w.lower().strip(",.;") not in ("of", "from"))
        if abs(radius - km) < 1e-9:
            notes.append(f"“{phrase}” as the distance")
        elif radius >= km:
            notes.append(f"“{phrase}” as within {radius:g} km (the next distance offered)")
        else:
            notes.append(f"“{phrase}” as within {radius:g} km (the furthest offered)")
        break
    # A day.
    for i in range(len(words)):
        if not keep[i]:
            continue
        word = lower(i)
        found = None
        if word == "today":
            found = today.weekday()
        elif word == "tomorrow":
            found = (today.weekday() + 1) % 7
        elif word in _DAY_WORDS:
            found = _DAY_WORDS[word]
        if found is not None:
            day = found
            start = i - 1 if i > 0 and keep[i - 1] and lower(i - 1) in ("on", "every") else i
            for j in range(start, i + 1):
                keep[j] = False
            notes.append(f"“{' '.join(words[start:i + 1])}” as {DAY_NAMES[found]}")
            break
    # Free.
    for i in range(len(words)):
        if keep[i] and lower(i) == "free":
            # "Drug Free Futures" is a name: a capitalised Free beside another capitalised word stays.
            neighbours = [words[j] for j in (i - 1, i + 1) if 0 <= j < len(words)]
            if words[i][:1].isupper() and any(w[:1].isupper() for w in neighbours):
                continue
            free = True
            keep[i] = False
            notes.append("“free” as free only")
            break
    if not notes:
        return Understood(text=" ".join(query.split()))
    rest = [w for w, k in zip(words, keep) if k]
    # Words left dangling by what was taken out ("class on", "near").
    while rest and rest[-1].lower().strip(",.;") in _FILLER | set(_PLACE_WORDS):
        rest.pop()
    while rest and rest[0].lower().strip(",.;") in {"on", "near", "in"}:
        rest.pop(0)
    return Understood(" ".join(rest), place, day, free, radius, tuple(notes))
