"""The planner's answer as plain dataclasses; `to_dict()` is the output JSON of docs/client-profile.md.

The JSON is extended (never changed) by one key per recommendation,
`score_components`, so a keyworker can see why it ranks where it does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from planner.continuum import Continuum
from planner.readiness import ReadinessRating


@dataclass(frozen=True)
class Recommendation:
    entry_id: str
    name: str
    organisation: str
    category: str
    step: str
    score: float  # 0..1, two decimals
    distance_km: float | None
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    score_components: dict[str, float]  # rules.SCORE_WEIGHTS names, each 0..1

    def to_dict(self) -> dict:
        return {
            "entry_id": self.entry_id,
            "name": self.name,
            "organisation": self.organisation,
            "category": self.category,
            "step": self.step,
            "score": self.score,
            "distance_km": self.distance_km,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "score_components": dict(self.score_components),
        }


@dataclass(frozen=True, slots=True)  # slots: a plan may list thousands
class Exclusion:
    entry_id: str
    name: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"entry_id": self.entry_id, "name": self.name, "reasons": list(self.reasons)}


class Exclusions(Sequence):
    """The excluded candidates, written out in words on first use.

    A national directory and an 8 km travel limit can exclude 20,000 candidates;
    the rules that exclude them are evaluated in `recommend` (so `len()` is known
    at once), but the sentences are written only when someone reads the list or
    prints the plan, so a page that shows the recommendations first stays fast.
    """

    def __init__(self, count: int, write: Callable[[], tuple[Exclusion, ...]]):
        self._count = count
        self._write: Callable[[], tuple[Exclusion, ...]] | None = write
        self._items: tuple[Exclusion, ...] | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, items: Sequence[Exclusion]) -> Exclusions:
        items = tuple(items)
        return cls(len(items), lambda: items)

    def _written(self) -> tuple[Exclusion, ...]:
        if self._items is None:
            with self._lock:
                if self._items is None:
                    self._items = self._write()
                    self._write = None
        return self._items

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position):
        return self._written()[position]

    def __iter__(self):
        return iter(self._written())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # equal to any sequence of the same exclusions, so not hashable

    def __repr__(self) -> str:
        return f"Exclusions({list(self)!r})"


@dataclass(frozen=True)
class PlanResult:
    ref: str
    stage: str
    readiness: ReadinessRating
    continuum: Continuum
    recommendations: tuple[Recommendation, ...]
    excluded: Exclusions
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "ref": self.ref,
            "stage": self.stage,
            "readiness": self.readiness.to_dict(),
            "continuum": self.continuum.to_dict(),
            "recommendations": [r.to_dict() for r in self.recommendations],
            "excluded": [e.to_dict() for e in self.excluded],
            "assumptions": list(self.assumptions),
        }
