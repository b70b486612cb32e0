"""Distance from the client as a plan shows it. The distance itself is directory.geo.haversine_km
(numpy on float arrays, so 50,000 distances cost well under a millisecond); an entry or client
without a position has no distance, and no distance rule applies to it.
"""

from __future__ import annotations

def round_km(km: float) -> float | None:
    """Distances are shown to 100 m; None when unknown."""
    return None if km != km else round(float(km), 1)  # km != km: NaN
