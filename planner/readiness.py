"""Job-readiness: five indicators of readiness for work as a traffic light (as used in Middlesbrough).

Readiness changes how support is offered and ordered (one-to-one first, for
instance), never what the client may be offered: "concerns over resilience
should not be used as a barrier to aspirations".
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.profile import Readiness
from planner.rules import READINESS_INDICATORS, RED_BELOW_MET


@dataclass(frozen=True)
class ReadinessRating:
    met: int
    known: int
    rating: str  # "red", "amber" or "green"
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"met": self.met, "known": self.known, "rating": self.rating, "notes": list(self.notes)}


def rate(readiness: Readiness) -> ReadinessRating:
    met = known = 0
    notes = []
    for indicator, (met_when, not_met_note, unknown_note) in READINESS_INDICATORS.items():
        value = getattr(readiness, indicator)
        if value is None:
            notes.append(unknown_note)
            continue
        known += 1
        if value == met_when:
            met += 1
        else:
            notes.append(not_met_note)
    total = len(READINESS_INDICATORS)
    rating = "green" if met == known == total else "red" if met < RED_BELOW_MET else "amber"
    return ReadinessRating(met, known, rating, tuple(notes))
