"""Great-circle distance from the client, and what it contributes to a plan.

Positions are WGS84 degrees; numpy on float arrays, so 50,000 distances cost
well under a millisecond. NaN in, NaN out: an entry or client without a
position has no distance, and no distance rule applies to it.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = np.radians(lats), np.radians(lons)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def round_km(km: float) -> float | None:
    """Distances are shown to 100 m; None when unknown."""
    return None if km != km else round(float(km), 1)  # km != km: NaN
