"""The Find map at national size: results clustered on the server, detail sent only for what is in view.

Up to ``BROWSER_CLUSTER_LIMIT`` results travel to the map whole and the browser clusters them
(ui/maps.py's ResultsLayer). A search with more (no place, or a wide radius over a national directory)
would send megabytes, so its results stay here, as a ``ResultSet`` of position arrays kept under a random
token, and the map's frame asks for each view it shows: ``GET /map/view?set=TOKEN&bbox=W,S,E,N&zoom=Z``
(ui/map_view.py). The answer is ``view()``: the results in the box gathered into square cells of
``CELL_PX`` screen pixels at that zoom (cells fixed to the world, so panning keeps the same clusters), a
cell holding one result sent as that result (name, times, distance, escaped as the whole-list path does)
and a cell of many as a cluster with its count and extent, to zoom into. Entries at one address
(no zoom can part them) come with up to ``MAX_LEAVES`` of their rows, so the cluster lists them.

The token is the only way to a result set: it is made with ``secrets`` and handed only to the page that ran
the search, so a directory behind sign-in stays behind it. Work per request is bounded: a view may be at
most ``MAX_VIEW_PX`` pixels each way at its zoom (so at most (MAX_VIEW_PX / CELL_PX)² cells and results
described), and at most ``MAX_LEAVES_PER_VIEW`` rows of same-place lists.
"""

from __future__ import annotations

import collections
import math
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

# More results than this are clustered here instead of in the browser. $RP_MAP_BROWSER_CLUSTER_LIMIT changes it
# (the tests set it low to see this path on a few entries; the benchmark high, for the send-everything baseline).
BROWSER_CLUSTER_LIMIT = int(os.environ.get("RP_MAP_BROWSER_CLUSTER_LIMIT") or 10_000)
CELL_PX = 64                      # a cluster's cell, in screen pixels
MAX_ZOOM = 19                     # the base map's deepest zoom
MAX_VIEW_PX = 4096                # a view's width and height at its zoom (a 1400 px map padded by 30% is 2,240)
MAX_LEAVES = 50                   # rows listed for one place's cluster ("and N more" after them)
MAX_LEAVES_PER_VIEW = 500
SETS_KEPT = 8                     # as many as ui.find_support keeps built map results
SAME_PLACE_DEGREES = 1e-6         # about 0.1 m: one address
MERCATOR_MAX_LAT = 85.05112878


@dataclass(eq=False)
class ResultSet:
    """A search's placed results as arrays. `detail(indices)` gives their MapPoints (names, times, distance),
    worked out only for the results a view shows."""

    latitude: np.ndarray
    longitude: np.ndarray
    category: Sequence[str]
    detail: Callable[[Sequence[int]], list]
    categories: dict[str, str] = field(default_factory=dict)   # code -> label, for the legend and popups
    _x: np.ndarray = field(init=False, repr=False)
    _y: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self.latitude = np.asarray(self.latitude, dtype=np.float64)
        self.longitude = np.asarray(self.longitude, dtype=np.float64)
        self._x, self._y = world_xy(self.latitude, self.longitude)

    def __len__(self) -> int:
        return len(self.latitude)


def world_xy(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator position as a fraction of the world (0-1 each way, y downwards), as Leaflet draws it."""
    lat = np.radians(np.clip(latitude, -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT))
    x = (np.asarray(longitude, dtype=np.float64) + 180.0) / 360.0
    y = (1.0 - np.log(np.tan(lat) + 1.0 / np.cos(lat)) / math.pi) / 2.0
    return x, y


class ViewTooLarge(ValueError):
    pass


def view_size_px(bbox: tuple[float, float, float, float], zoom: int) -> tuple[float, float]:
    west, south, east, north = bbox
    (x0, x1), (y1, y0) = world_xy(np.array([south, north]), np.array([west, east]))
    world = 256.0 * 2 ** zoom
    return float((x1 - x0) * world), float((y1 - y0) * world)


def view(result_set: ResultSet, bbox: tuple[float, float, float, float], zoom: int) -> dict:
    """The clusters and single results of `result_set` inside `bbox` (west, south, east, north) at `zoom`.

    {"zoom", "bbox", "points": [MapPoint...] (one per cell of one), "clusters": [(lat, lon, count, south, west,
    north, east, [MapPoint...] listed when all are at one place)]}; raises ViewTooLarge past MAX_VIEW_PX."""
    west, south, east, north = bbox
    zoom = int(min(max(zoom, 0), MAX_ZOOM))
    width, height = view_size_px(bbox, zoom)
    if width > MAX_VIEW_PX or height > MAX_VIEW_PX:
        raise ViewTooLarge(f"The view is {width:.0f} by {height:.0f} pixels at zoom {zoom}; "
                           f"at most {MAX_VIEW_PX} each way.")
    lat, lon = result_set.latitude, result_set.longitude
    inside = np.flatnonzero((lat >= south) & (lat <= north) & (lon >= west) & (lon <= east))
    scale = 256.0 * 2 ** zoom / CELL_PX
    column = np.floor(result_set._x[inside] * scale).astype(np.int64)
    row = np.floor(result_set._y[inside] * scale).astype(np.int64)
    key = (column << np.int64(zoom + 3)) | row          # 2**(zoom + 2) cells each way: no two cells share a key
    order = np.argsort(key, kind="stable")              # stable: a cell's results stay in the search's order
    key, members = key[order], inside[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.array([], dtype=np.int64)
    counts = np.diff(np.r_[starts, len(key)])
    ordered_lat, ordered_lon = lat[members], lon[members]

    singles = members[starts[counts == 1]]
    many = counts > 1
    clusters = []
    if many.any():
        at, n = starts[many], counts[many]
        mean_lat = np.add.reduceat(ordered_lat, starts)[many] / n
        mean_lon = np.add.reduceat(ordered_lon, starts)[many] / n
        low_lat, high_lat = np.minimum.reduceat(ordered_lat, starts)[many], np.maximum.reduceat(ordered_lat, starts)[many]
        low_lon, high_lon = np.minimum.reduceat(ordered_lon, starts)[many], np.maximum.reduceat(ordered_lon, starts)[many]
        one_place = ((high_lat - low_lat) < SAME_PLACE_DEGREES) & ((high_lon - low_lon) < SAME_PLACE_DEGREES)
        listed = 0
        for i in range(len(at)):
            leaves = []
            if one_place[i] and listed < MAX_LEAVES_PER_VIEW:
                take = min(int(n[i]), MAX_LEAVES, MAX_LEAVES_PER_VIEW - listed)
                leaves = np.sort(members[at[i]:at[i] + take]).tolist()
                listed += take
            clusters.append((float(mean_lat[i]), float(mean_lon[i]), int(n[i]), float(low_lat[i]), float(low_lon[i]),
                             float(high_lat[i]), float(high_lon[i]), leaves))
    # One call for everything described: the singles first, then each listed place's rows.
    wanted = np.sort(singles).tolist() + [j for c in clusters for j in c[7]]
    described = result_set.detail(wanted) if wanted else []
    points, rest = described[:len(singles)], described[len(singles):]
    with_rows = []
    for c in clusters:
        rows, rest = rest[:len(c[7])], rest[len(c[7]):]
        with_rows.append(c[:7] + (rows,))
    return {"zoom": zoom, "bbox": [west, south, east, north], "points": points, "clusters": with_rows}


def initial_zoom(bounds: list[list[float]], width_px: int = 640, height_px: int = 600, padding_px: int = 36,
                 min_zoom: int = 5, max_zoom: int = 15) -> int:
    """The zoom Leaflet's fitBounds would choose for `bounds` ([[south, west], [north, east]]) in a map this size."""
    (south, west), (north, east) = bounds
    (x0, x1), (y1, y0) = world_xy(np.array([south, north]), np.array([west, east]))
    span_x, span_y = max(float(x1 - x0), 1e-9), max(float(y1 - y0), 1e-9)
    fit = min((width_px - 2 * padding_px) / (256 * span_x), (height_px - 2 * padding_px) / (256 * span_y))
    return int(min(max(math.floor(math.log2(fit)), min_zoom), max_zoom))


# -- the result sets the map frames may ask about -------------------------------------------------------------

_SETS: collections.OrderedDict[str, ResultSet] = collections.OrderedDict()
_SETS_LOCK = threading.Lock()


def keep(result_set: ResultSet) -> str:
    """Keep `result_set` for the map to ask about; its token (unguessable: the only way to it)."""
    token = secrets.token_urlsafe(18)
    with _SETS_LOCK:
        _SETS[token] = result_set
        while len(_SETS) > SETS_KEPT:
            _SETS.popitem(last=False)
    return token


def kept(token: str) -> ResultSet | None:
    with _SETS_LOCK:
        result_set = _SETS.get(token)
        if result_set is not None:
            _SETS.move_to_end(token)
        return result_set
