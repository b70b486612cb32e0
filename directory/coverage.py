"""Coverage and gaps: provision counted by area and category, for coordinators and commissioners.

The issue ("Coverage and gaps") and good practice in provision mapping ask where
provision is thin: entries per area and category (a choropleth with a category
selector), "within N km of any X" coverage, a table of areas with no provision
of a category, and downloads for a needs assessment.

Areas are a GeoDataFrame in EPSG:4326 with an `area` name column and one row
per area: postcode districts outlined by directory/geo.py from each district's
postcode points (computed once per postcode area, cached under data/cache/), or
boundaries a coordinator uploads (`load_boundaries`). The name column is read
as `areas["area"]`: on a GeoDataFrame `areas.area` is the geometric area.

Provision means entries someone can go to: not archived, with a map position,
delivered in person or by outreach (`local_provision`). Online and phone-only
services reach everyone and would hide a local gap, so they are not counted.

Distances are measured in the British National Grid (EPSG:27700, metres), the
projection the search index uses too; in degrees a kilometre east is not a
kilometre north.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from directory import geo
from directory.boundary_files import BoundaryError, read_features
from directory.codes import CATEGORIES
from directory.fields import Entry
from directory.postcodes import PostcodeTable, default_table, postcode_district
from directory.io.spreadsheet import spreadsheet_safe

AREA = "area"
WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"

# -- areas ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(\d+)")


def natural_key(name) -> tuple:
    """Names in the order people expect: numbers by value ('TS2' before 'TS10'), the rest as text."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in _NUMBER.split(str(name)) if part)


def _natural_rank(names: pd.Series) -> np.ndarray:
    """Each name's position in natural order: a column to sort a table by."""
    order = sorted(range(len(names)), key=lambda i: natural_key(names.iat[i]))
    rank = np.empty(len(names), dtype=int)
    rank[order] = np.arange(len(names))
    return rank



def _as_areas(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per area name, in natural order (TS2 before TS10), in EPSG:4326, `area` first."""
    frame = frame.to_crs(WGS84) if frame.crs is not None else frame.set_crs(WGS84)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame.assign(**{AREA: frame[AREA].astype(str).str.strip()})
    if frame[AREA].duplicated().any():
        # Islands and other multi-part areas often come as several features with one name.
        frame = frame[[AREA, "geometry"]].dissolve(by=AREA, as_index=False)
    columns = [AREA] + [c for c in frame.columns if c not in (AREA, "geometry")] + ["geometry"]
    frame = gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=WGS84)
    return frame.iloc[np.argsort(_natural_rank(frame[AREA]), kind="stable")].reset_index(drop=True)


def district_areas(postcode_table: PostcodeTable | None = None, districts: Iterable[str] | None = None,
                   *, cache_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Postcode districts as areas: directory/geo.py's outlines (columns area, label_lat, label_lon, geometry).

    `districts` None means every district in the table (the first call per postcode
    area computes its outlines, later ones read data/cache/). With a table other than
    the default, pass a `cache_dir` of its own so the two sets of outlines never mix.
    """
    table = postcode_table or default_table()
    wanted = table.district_groups()["names"].tolist() if districts is None else list(districts)
    outlines = geo.district_outlines(wanted, table, cache_dir)
    return _as_areas(outlines.rename(columns={"district": AREA}))


def districts_around(entries: Iterable[Entry], postcode_table: PostcodeTable | None = None, pad_km: float = 2.0) -> list[str]:
    """The districts with a postcode inside the box around the entries' positions: the areas a gap can be in."""
    bounds = geo.Bounds.around(((e.latitude, e.longitude) for e in entries if e.has_position), pad_km)
    return [] if bounds is None else geo.districts_in(bounds, postcode_table)


# Column names boundary files use for an area's name: ONS/OS (LAD23NM, WD22NM, ...), then common ones.
_NAME_HINTS = ("name", "nm", "area", "district", "ward", "label", "title")


def _polygons(data: bytes, filename: str) -> gpd.GeoDataFrame:
    frame = read_features(data, filename)
    frame = frame[frame.geometry.notna()]
    frame = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if frame.empty:
        raise BoundaryError(f"'{filename}' has no areas in it (it holds points or lines, or nothing): "
                            "upload the outlines of the areas, as polygons")
    return frame.set_geometry(shapely.make_valid(frame.geometry.values))


def _with_crs(frame: gpd.GeoDataFrame, filename: str) -> gpd.GeoDataFrame:
    """Files without a coordinate system (a Shapefile missing its .prj) are read as degrees or as British grid metres."""
    if frame.crs is not None:
        return frame.to_crs(WGS84)
    west, south, east, north = frame.total_bounds
    if -180 <= west <= east <= 180 and -90 <= south <= north <= 90:
        return frame.set_crs(WGS84)
    if 0 <= west <= east <= 700_000 and 0 <= south <= north <= 1_300_000:
        return frame.set_crs(BRITISH_NATIONAL_GRID).to_crs(WGS84)
    raise BoundaryError(f"'{filename}' does not say which coordinate system it uses: include the .prj file, "
                        "or save it as GeoJSON")


def choose_name_column(frame: pd.DataFrame) -> str | None:
    """The column that names the areas: a name-like column with one distinct text per area if there is one."""
    text_columns = [c for c in frame.columns if c != "geometry"
                    and (pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c]))]

    def rank(column: str):
        lowered = column.lower()
        hint = next((i for i, h in enumerate(_NAME_HINTS) if lowered == h or lowered.endswith(h)), len(_NAME_HINTS))
        # Welsh-language names (LAD23NMW) come second to the English ones.
        welsh = lowered.endswith("nmw")
        return (welsh, hint, -frame[column].nunique(), column)

    ranked = sorted(text_columns, key=rank)
    return ranked[0] if ranked else None


def load_boundaries(data: bytes, filename: str, *, name_column: str | None = None) -> gpd.GeoDataFrame:
    """Areas from an uploaded GeoJSON, zipped Shapefile or GeoPackage, in EPSG:4326, named by `area`.

    Features sharing a name become one area. Raises BoundaryError with a plain-English message.
    """
    frame = _with_crs(_polygons(data, filename), filename)
    column = name_column or choose_name_column(frame)
    if name_column is not None and name_column not in frame.columns:
        raise BoundaryError(f"'{filename}' has no column '{name_column}': its columns are "
                            f"{', '.join(c for c in frame.columns if c != 'geometry')}")
    names = frame[column].fillna("").astype(str) if column else pd.Series("", index=frame.index)
    unnamed = names.str.strip() == ""
    names = names.where(~unnamed, [f"area {i + 1}" for i in range(len(frame))])
    return _as_areas(gpd.GeoDataFrame({AREA: names.to_numpy()}, geometry=frame.geometry.to_numpy(), crs=WGS84))


# -- which area a point is in ----------------------------------------------------------------


def _points_of(points, hints) -> tuple[np.ndarray, np.ndarray, pd.Index, np.ndarray]:
    """(latitude, longitude, index, postcode-district hints) from entries or from (lat, lon) arrays."""
    if isinstance(points, tuple) and len(points) == 2:
        lat = np.asarray(points[0], dtype=float)
        lon = np.asarray(points[1], dtype=float)
        hint_values = np.asarray(hints if hints is not None else [None] * len(lat), dtype=object)
        return lat, lon, pd.RangeIndex(len(lat)), hint_values
    entries = list(points)
    lat = np.array([e.latitude if e.latitude is not None else np.nan for e in entries], dtype=float)
    lon = np.array([e.longitude if e.longitude is not None else np.nan for e in entries], dtype=float)
    hint_values = np.array([postcode_district(e.postcode) if e.postcode else None for e in entries], dtype=object)
    return lat, lon, pd.Index([e.id for e in entries], name="id"), hint_values


def _area_centres(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    # Planar centroids in degrees: only used to rank the few areas a point falls in.
    centres = shapely.centroid(areas.geometry.to_numpy())
    return shapely.get_y(centres), shapely.get_x(centres)


def _pick_one_area(joined: pd.DataFrame, lat: np.ndarray, lon: np.ndarray, hints: np.ndarray,
                   areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """One area per point where areas overlap (uploaded boundaries may) or touch (a point on a shared border
    is in both), deterministically: the point's own postcode district if it is one of them, else
    the area whose centre is nearest, then the first by name."""
    overlapping = joined.index.duplicated(keep=False)
    if not overlapping.any():
        return joined
    clash = joined[overlapping]
    points = clash.index.to_numpy()
    centre_lat, centre_lon = _area_centres(areas)
    target = clash["index_right"].to_numpy()
    # An equirectangular distance is plenty to rank a few nearby centres; rounded to ~1 cm so that
    # floating-point noise does not decide between two centres equally far away (the name does).
    scale = np.cos(np.radians(lat[points]))
    distance = np.round(np.hypot(lat[points] - centre_lat[target], (lon[points] - centre_lon[target]) * scale), 7)
    ranked = clash.assign(_not_hint=clash[AREA].to_numpy() != hints[points], _distance=distance)
    ranked = ranked.sort_values(["_not_hint", "_distance", AREA], kind="stable")
    chosen = ranked[~ranked.index.duplicated(keep="first")].drop(columns=["_not_hint", "_distance"])
    return pd.concat([joined[~overlapping], chosen])


BORDER_TOLERANCE_M = 500.0


def _own_district_near_the_border(result: np.ndarray, known: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                                  hints: np.ndarray, areas: gpd.GeoDataFrame) -> None:
    """Move points placed outside their own district (one of the areas) into it when it is within
    BORDER_TOLERANCE_M: measured in metres (British grid), for the few such points only."""
    hinted = known[pd.Series(hints[known], dtype=object).isin(set(areas[AREA])).to_numpy()]
    stray = hinted[result[hinted] != hints[hinted]]
    if not len(stray):
        return
    outline = dict(zip(areas[AREA], areas.geometry))
    points = gpd.GeoSeries(shapely.points(lon[stray], lat[stray]), crs=WGS84).to_crs(BRITISH_NATIONAL_GRID)
    own = gpd.GeoSeries([outline[h] for h in hints[stray]], crs=WGS84).to_crs(BRITISH_NATIONAL_GRID)
    near = points.distance(own, align=False).to_numpy() <= BORDER_TOLERANCE_M
    result[stray[near]] = hints[stray[near]]


def assign_areas(points, areas: gpd.GeoDataFrame, *, hints: Sequence[str | None] | None = None) -> pd.Series:
    """The area each point lies in or on (None outside every area), in input order.

    `points` is a list of entries (the result is indexed by entry id; unpositioned
    entries get None) or a (latitudes, longitudes) pair of arrays, optionally with
    `hints`: each point's postcode district.

    A point just outside its own postcode district's outline (within
    `BORDER_TOLERANCE_M`) is in its district: outlines are drawn from the postcodes
    and do not overlap, so a postcode near a border can fall just inside the
    neighbour's outline. Otherwise the geometry decides, and the hint only chooses
    between overlapping areas (see `_pick_one_area`).
    """
    lat, lon, index, hint_values = _points_of(points, hints)
    areas = areas.reset_index(drop=True)  # positions, so centres line up with sjoin's index_right
    result = np.full(len(lat), None, dtype=object)
    known = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if len(known) and len(areas):
        located = gpd.GeoDataFrame(index=known, geometry=shapely.points(lon[known], lat[known]), crs=WGS84)
        joined = gpd.sjoin(located, areas[[AREA, "geometry"]], how="inner", predicate="intersects")
        joined = _pick_one_area(joined, lat, lon, hint_values, areas)
        result[joined.index.to_numpy()] = joined[AREA].to_numpy()
        _own_district_near_the_border(result, known, lat, lon, hint_values, areas)
    return pd.Series(result, index=index, name=AREA, dtype=object)


# -- provision per area --------------------------------------------------------------------------


def local_provision(entries: Iterable[Entry], category: str | None = None) -> list[Entry]:
    """Entries people can go to: live, positioned, in person or outreach; of `category` if given."""
    return [e for e in entries
            if not e.archived and e.has_position and e.in_person and (category is None or e.category == category)]


def _check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category '{category}': use one of {', '.join(CATEGORIES)}")


def provision_counts(entries: Iterable[Entry], areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area x category counts of local provision, zero-filled: every area a row (natural order), every category a column."""
    local = local_provision(entries)
    located = pd.DataFrame({AREA: assign_areas(local, areas).to_numpy(), "category": [e.category for e in local]})
    counts = pd.crosstab(located[AREA], located["category"]) if len(located.dropna()) else pd.DataFrame()
    counts = counts.reindex(index=sorted(areas[AREA], key=natural_key), columns=list(CATEGORIES),
                            fill_value=0).fillna(0).astype(int)
    counts.index.name, counts.columns.name = AREA, None
    return counts


def needs_assessment_frame(entries: Iterable[Entry], areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every area's outline with its provision count per category and in total: the GeoJSON download."""
    counts = provision_counts(entries, areas)
    counts["total"] = counts.sum(axis=1)
    return gpd.GeoDataFrame(areas[[AREA, "geometry"]].join(counts, on=AREA), geometry="geometry", crs=WGS84)


def choropleth_frame(entries: Iterable[Entry], areas: gpd.GeoDataFrame, category: str | None = None) -> gpd.GeoDataFrame:
    """area, count, geometry for folium's Choropleth/GeoJson: provision of `category` (None: all categories)."""
    _check_category(category)
    counts = provision_counts(entries, areas)
    count = counts[category] if category is not None else counts.sum(axis=1)
    frame = areas[[AREA, "geometry"]].assign(count=areas[AREA].map(count).fillna(0).astype(int).to_numpy())
    return gpd.GeoDataFrame(frame[[AREA, "count", "geometry"]], geometry="geometry", crs=WGS84)


def _projected_points(entries: Sequence[Entry]) -> np.ndarray:
    """Shapely points in EPSG:27700 (metres)."""
    located = gpd.GeoSeries(shapely.points([e.longitude for e in entries], [e.latitude for e in entries]), crs=WGS84)
    return located.to_crs(BRITISH_NATIONAL_GRID).to_numpy()


def gap_table(entries: Iterable[Entry], areas: gpd.GeoDataFrame, category: str) -> pd.DataFrame:
    """Areas with no local provision of `category`, the farthest from any first.

    With each, the nearest provider of that category anywhere and its distance in km
    from the area's centre (centroid); no provider at all gives empty columns.
    """
    _check_category(category)
    entries = list(entries)
    counts = provision_counts(entries, areas)
    gaps = areas[areas[AREA].map(counts[category]).to_numpy() == 0]
    providers = local_provision(entries, category)
    table = pd.DataFrame({AREA: gaps[AREA].to_numpy(), "nearest_id": None, "nearest_name": None,
                          "nearest_organisation": None, "nearest_km": np.nan})
    if len(gaps) and providers:
        centres = gaps.to_crs(BRITISH_NATIONAL_GRID).geometry.centroid.to_numpy()
        tree = shapely.STRtree(_projected_points(providers))
        (gap_rows, provider_rows), metres = tree.query_nearest(centres, return_distance=True, all_matches=False)
        nearest = [providers[i] for i in provider_rows]
        table.loc[gap_rows, "nearest_id"] = [e.id for e in nearest]
        table.loc[gap_rows, "nearest_name"] = [e.name for e in nearest]
        table.loc[gap_rows, "nearest_organisation"] = [e.organisation for e in nearest]
        table.loc[gap_rows, "nearest_km"] = np.round(metres / 1000, 2)
    table = table.assign(_order=_natural_rank(table[AREA]))
    table = table.sort_values(["nearest_km", "_order"], ascending=[False, True], na_position="first", ignore_index=True)
    return table.drop(columns="_order")


def postcode_points(areas: gpd.GeoDataFrame, postcode_table: PostcodeTable | None = None) -> pd.DataFrame:
    """The table's postcodes inside the areas' bounding box: latitude, longitude, district (where people live)."""
    table = postcode_table or default_table()
    groups = table.district_groups()
    west, south, east, north = areas.total_bounds
    lat, lon = table.coordinates(groups["rows"])
    inside = np.flatnonzero((lat >= south) & (lat <= north) & (lon >= west) & (lon <= east))
    district = groups["names"][np.searchsorted(groups["stops"], inside, side="right")]
    return pd.DataFrame({"latitude": lat[inside], "longitude": lon[inside], "district": district})


def within_coverage(entries: Iterable[Entry], areas: gpd.GeoDataFrame, category: str, km: float,
                    *, postcode_table: PostcodeTable | None = None, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per area, the share of its postcodes within `km` of any local provider of `category`, least covered first.

    Postcodes stand in for where people live (`points` may be given instead:
    latitude, longitude and optionally district columns). One nearest-neighbour
    query over an STRtree of the providers in metres, not all pairs. Columns:
    area, postcodes, covered, share (0..1; empty for an area with no postcodes).
    """
    _check_category(category)
    people = points if points is not None else postcode_points(areas, postcode_table)
    hints = people["district"].to_numpy() if "district" in people else None
    area_of = assign_areas((people["latitude"].to_numpy(), people["longitude"].to_numpy()), areas, hints=hints).to_numpy()
    counted = np.flatnonzero(pd.notna(area_of))
    covered = np.zeros(len(people), dtype=bool)
    providers = local_provision(entries, category)
    if providers and len(counted):
        homes = gpd.GeoSeries(shapely.points(people["longitude"].to_numpy()[counted], people["latitude"].to_numpy()[counted]),
                              crs=WGS84).to_crs(BRITISH_NATIONAL_GRID).to_numpy()
        tree = shapely.STRtree(_projected_points(providers))
        home_rows, _ = tree.query_nearest(homes, max_distance=km * 1000, all_matches=False)
        covered[counted[home_rows]] = True
    located = pd.DataFrame({AREA: area_of[counted], "covered": covered[counted]})
    totals = located.groupby(AREA)["covered"].agg(postcodes="size", covered="sum")
    table = totals.reindex(areas[AREA].tolist(), fill_value=0).rename_axis(AREA).reset_index()
    table[["postcodes", "covered"]] = table[["postcodes", "covered"]].astype(int)
    table["share"] = (table["covered"] / table["postcodes"].where(table["postcodes"] > 0)).round(3)
    table = table.assign(_order=_natural_rank(table[AREA]))
    return table.sort_values(["share", "_order"], na_position="last", ignore_index=True).drop(columns="_order")


# -- downloads ------------------------------------------------------------------------------------


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as the directory's own exports write it: UTF-8 with a byte-order mark (Excel), CRLF; no geometry;
    text that a spreadsheet would run as a formula quoted."""
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    keep_index = any(name is not None for name in frame.index.names)  # a named index is a column (area)
    if keep_index:
        frame = frame.reset_index(allow_duplicates=True)
    safe = (lambda v: spreadsheet_safe(v) if isinstance(v, str) else v)
    columns = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        # Text wherever it is held: plain, pandas' string type, or a category (area names from an uploaded file).
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            column = column.astype(object).map(safe)
        columns.append(column)
    names = frame.columns.map(lambda c: tuple(map(safe, c)) if isinstance(c, tuple) else safe(c))
    frame = pd.concat(columns, axis=1, ignore_index=True) if columns else frame
    frame.columns = names
    text = frame.to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def to_geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """A GeoJSON FeatureCollection in EPSG:4326 (what GeoJSON requires); missing values as null."""
    frame = frame.to_crs(WGS84) if frame.crs is not None else frame
    return frame.to_json(na="null", drop_id=True, ensure_ascii=False).encode("utf-8")
