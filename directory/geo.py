"""Places and areas for the map: postcode districts, their outlines, and map bounds.

A keyworker often knows only the district ("near TS1"), so `locate_place`
accepts a full postcode or a postcode district and says which it found.

District outlines give the map its bearings when tiles cannot load (no
internet, or tiles switched off). They come from the offline postcode table
(Code-Point Open): each district is the merged Voronoi cells of its postcode
points, clipped to the padded concave hull of those points, so neighbours
share edges instead of overlapping (see `compute_area_outlines`). They are
computed per postcode *area* (the letters: "TS", "DL") the first time an area
is drawn, with geopandas/shapely, and kept as arrays (names, WKB, label
positions) in a .npz file under data/cache/ (git-ignored), so every later
request, in any process, just reads them with numpy and shapely. (Not
GeoParquet: reading it brought Arrow's Parquet reader, its threads and their
memory pools into every instance that drew a map, ~45 MB each.) They are an
orientation aid, not official boundaries.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from directory.postcodes import PostcodeError, PostcodeTable, default_table, normalise_postcode, save_arrays_atomically

# Bumped whenever the hull recipe or the file's layout changes, so old cache files are ignored rather than misread.
OUTLINE_VERSION = 4
CACHE_DIR = Path(__file__).resolve().parents[1] / "data" / "cache" / f"district-outlines-v{OUTLINE_VERSION}"

HULL_RATIO = 0.3           # shapely concave_hull: 0 follows the points closely, 1 is the convex hull
HULL_PAD_M = 400.0         # districts reach this far beyond their outermost postcodes
SIMPLIFY_M = 60.0          # plenty for an outline, and keeps the map payload small

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

_DISTRICT = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)$")


@dataclass(frozen=True)
class Place:
    """Where a search is measured from."""

    label: str            # "TS1 3BA", "TS1" or "Thornaby"
    latitude: float
    longitude: float
    kind: str             # "postcode", "district" or "town" (a town or district by name: directory/places.py)

    @property
    def position(self) -> tuple[float, float]:
        return self.latitude, self.longitude


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]], pad_km: float = 0.5) -> "Bounds | None":
        """The smallest box holding every (lat, lon), padded by `pad_km`; None for no points."""
        lats, lons = [], []
        for lat, lon in points:
            if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
                continue
            lats.append(lat)
            lons.append(lon)
        if not lats:
            return None
        pad_lat = pad_km / 111.0
        mid = math.radians((min(lats) + max(lats)) / 2)
        pad_lon = pad_km / (111.0 * max(math.cos(mid), 0.01))
        return cls(min(lats) - pad_lat, min(lons) - pad_lon, max(lats) + pad_lat, max(lons) + pad_lon)

    @classmethod
    def circle(cls, lat: float, lon: float, km: float) -> "Bounds":
        pad_lat = km / 111.0
        pad_lon = km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
        return cls(lat - pad_lat, lon - pad_lon, lat + pad_lat, lon + pad_lon)

    def union(self, other: "Bounds | None") -> "Bounds":
        if other is None:
            return self
        return Bounds(min(self.south, other.south), min(self.west, other.west),
                      max(self.north, other.north), max(self.east, other.east))

    def as_leaflet(self) -> list[list[float]]:
        return [[round(self.south, 5), round(self.west, 5)], [round(self.north, 5), round(self.east, 5)]]

    @property
    def centre(self) -> tuple[float, float]:
        return (self.south + self.north) / 2, (self.west + self.east) / 2


# -- distance ----------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2, lon2):
    """Great-circle distance in km, in WGS84 degrees; `lat2`/`lon2` may be numpy arrays.
    NaN in, NaN out: a place without a position has no distance."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


# -- places ------------------------------------------------------------------------------


def district_code(text: str) -> str | None:
    """'ts1', ' TS1 ' -> 'TS1' when shaped like a postcode district (outward code); else None."""
    if not isinstance(text, str):
        return None
    compact = "".join(text.split()).upper()
    return compact if _DISTRICT.fullmatch(compact) else None


def postcode_area(district: str) -> str:
    """'TS1' -> 'TS'; 'B12' -> 'B'."""
    match = _DISTRICT.fullmatch(district)
    return match.group(1) if match else district.rstrip("0123456789")


def district_centre(district: str, table: PostcodeTable | None = None) -> tuple[float, float] | None:
    """The median position of a district's postcodes, or None if it has none (one binary search)."""
    code = district_code(district)
    if code is None:
        return None
    rows = (table or default_table()).in_district(code)
    if not rows:
        return None
    lat = np.fromiter((r[1] for r in rows), np.float64, len(rows))
    lon = np.fromiter((r[2] for r in rows), np.float64, len(rows))
    return float(np.median(lat)), float(np.median(lon))


def locate_place(text: str, table: PostcodeTable | None = None) -> Place:
    """A full postcode ("TS1 3BA"), a postcode district ("TS1") or a town or district by name ("Thornaby",
    measured from the middle of its postcodes: directory/places.py), or PostcodeError saying what to type."""
    from directory.places import place_centre, place_named

    table = table or default_table()
    shown = (text or "").strip()
    canonical = normalise_postcode(shown)
    if canonical is not None:
        lat, lon = table.locate(canonical)  # raises PostcodeError with its own plain-English reason
        return Place(canonical, lat, lon, "postcode")
    district = district_code(shown)
    if district is not None:
        centre = district_centre(district, table)
        if centre is None:
            raise PostcodeError(f"there is no postcode district {district}: check it, or type the full postcode")
        return Place(district, centre[0], centre[1], "district")
    named = place_named(shown)
    if named is not None:
        centre = place_centre(named, table)
        if centre is not None:
            return Place(named.name, centre[0], centre[1], "town")
    raise PostcodeError(f"'{shown}' is not a UK postcode or a place we know: type it like TS1 3BA, "
                        "just the district, like TS1, or the town, like Thornaby")


# -- districts and their outlines -------------------------------------------------------

def districts_in(bounds: Bounds, table: PostcodeTable | None = None, limit: int | None = None) -> list[str]:
    """Districts whose postcodes' bounding box meets `bounds`, sorted; [] when more than `limit` would."""
    boxes = (table or default_table()).district_boxes()
    meets = ((boxes["south"] <= bounds.north) & (boxes["north"] >= bounds.south)
             & (boxes["west"] <= bounds.east) & (boxes["east"] >= bounds.west))
    if limit is not None and int(meets.sum()) > limit:
        return []
    return boxes["names"][meets].tolist()


def district_outlines(districts: Sequence[str], table: PostcodeTable | None = None,
                      cache_dir: Path | None = None):
    """A GeoDataFrame (EPSG:4326) with one outline per known district: columns district, geometry,
    label_lat, label_lon. Areas not yet cached are computed once and written under data/cache/."""
    import geopandas as gpd
    import pandas as pd

    cache_dir = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    wanted = sorted({d for d in (district_code(x) for x in districts) if d})
    frames = []
    for area in sorted({postcode_area(d) for d in wanted}):
        outlines = _area_outlines(area, table, cache_dir)
        frames.append(outlines[outlines["district"].isin(wanted)])
    if not frames:
        return gpd.GeoDataFrame({"district": [], "label_lat": [], "label_lon": []}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def warm_outlines(postcodes: Iterable[str | None], table: PostcodeTable | None = None,
                  cache_dir: Path | None = None) -> list[str]:
    """Compute (or load) the outlines of every postcode area these postcodes are in; the areas done."""
    from directory.postcodes import postcode_district

    areas = sorted({postcode_area(d) for d in (postcode_district(p) for p in postcodes if p) if d})
    for area in areas:
        _area_outlines(area, table, Path(cache_dir) if cache_dir is not None else CACHE_DIR)
    return areas


_area_memory: dict[tuple[str, str], object] = {}
_area_lock = threading.Lock()


def _area_outlines(area: str, table: PostcodeTable | None, cache_dir: Path):
    memo_key = (str(cache_dir), area)
    if memo_key in _area_memory:
        return _area_memory[memo_key]
    with _area_lock:
        if memo_key in _area_memory:
            return _area_memory[memo_key]
        path = cache_dir / f"{area}.npz"
        outlines = None
        if path.exists():
            try:
                outlines = _read_outlines(path)
            except Exception:  # a damaged cache file is rebuilt, never fatal
                outlines = None
        if outlines is None:
            outlines = compute_area_outlines(area, table or default_table())
            _save_outlines(outlines, path)
        _area_memory[memo_key] = outlines
        return outlines


def compute_area_outlines(area: str, table: PostcodeTable):
    """Outlines of every district in a postcode area ("TS").

    Each postcode point gets its Voronoi cell (computed in British National Grid
    metres); a district is the union of its points' cells, clipped to the concave
    hull of its points padded by HULL_PAD_M. So neighbouring districts share an
    edge instead of overlapping, and no district spills far into the sea or empty
    moor. Simplified to SIMPLIFY_M, then returned in WGS84.
    """
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    groups = table.district_groups()
    names = groups["names"]
    # Names are sorted, so one area's districts are a contiguous run; single-letter areas
    # ("B") share a prefix with two-letter ones ("BA"), so check the letters exactly.
    lo = int(np.searchsorted(names, area))
    hi = int(np.searchsorted(names, area + "\uffff"))
    chosen = [i for i in range(lo, hi) if postcode_area(str(names[i])) == area]
    if not chosen:
        return gpd.GeoDataFrame({"district": [], "label_lat": [], "label_lon": []}, geometry=[], crs="EPSG:4326")
    columns = {"district": []}
    lat, lon = table.coordinates(np.concatenate([groups["rows"][groups["starts"][i]:groups["stops"][i]] for i in chosen]))
    owner = np.concatenate([np.full(groups["stops"][i] - groups["starts"][i], n) for n, i in enumerate(chosen)])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
    points = shapely.points(x, y)
    everything = shapely.multipoints(np.column_stack([x, y]))
    cells = shapely.get_parts(shapely.voronoi_polygons(everything, extend_to=everything.envelope.buffer(5 * HULL_PAD_M)))
    # Each cell holds exactly one distinct point; points at the same spot share a cell.
    point_index, cell_index = shapely.STRtree(cells).query(points, predicate="within")
    cell_owner = np.full(len(cells), -1)
    cell_owner[cell_index] = owner[point_index]
    geometries = []
    for n, i in enumerate(chosen):
        mine = owner == n
        region = shapely.union_all(cells[cell_owner == n])
        hull = shapely.concave_hull(shapely.multipoints(np.column_stack([x[mine], y[mine]])), ratio=HULL_RATIO)
        shape = shapely.intersection(region, hull.buffer(HULL_PAD_M))
        if shape.is_empty:
            shape = hull.buffer(HULL_PAD_M)
        geometries.append(shape)
        columns["district"].append(str(names[i]))
    try:
        # Simplified together, so an edge two districts share stays one line.
        geometries = list(shapely.coverage_simplify(np.array(geometries, dtype=object), SIMPLIFY_M))
    except Exception:  # not a clean coverage (rare slivers): simplify each on its own
        geometries = [g.simplify(SIMPLIFY_M, preserve_topology=True) for g in geometries]
    outlines = gpd.GeoDataFrame(columns, geometry=geometries, crs="EPSG:27700").to_crs("EPSG:4326")
    labels = outlines.geometry.representative_point()
    outlines["label_lat"] = labels.y.round(5)
    outlines["label_lon"] = labels.x.round(5)
    return outlines


def _save_outlines(outlines, path: Path) -> None:
    import shapely

    wkb = shapely.to_wkb(np.asarray(outlines.geometry.values, dtype=object))
    save_arrays_atomically(
        path, district=np.array([str(d) for d in outlines["district"]], dtype=str),
        wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8), wkb_ends=np.cumsum([len(w) for w in wkb], dtype=np.int64),
        label_lat=np.asarray(outlines["label_lat"], dtype=np.float64),
        label_lon=np.asarray(outlines["label_lon"], dtype=np.float64))


def _read_outlines(path: Path):
    """What _save_outlines wrote, as compute_area_outlines made it (the same columns, in the same order)."""
    import geopandas as gpd
    import shapely

    with np.load(path, allow_pickle=False) as saved:
        blob, ends = saved["wkb"].tobytes(), saved["wkb_ends"].tolist()
        starts = [0, *ends[:-1]]
        geometry = shapely.from_wkb(np.array([blob[s:e] for s, e in zip(starts, ends)], dtype=object))
        return gpd.GeoDataFrame({"district": saved["district"].tolist(), "geometry": geometry,
                                 "label_lat": saved["label_lat"], "label_lon": saved["label_lon"]},
                                geometry="geometry", crs="EPSG:4326")
