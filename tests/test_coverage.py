"""Coverage and gaps: areas, assignment of points to them, counts, gaps, coverage shares, uploads, downloads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from directory import coverage as C
from directory.codes import CATEGORIES
from directory.fields import Entry
from directory.postcodes import PostcodeTable

# Two areas sharing a border at latitude 54.58, and a third overlapping both along -1.22..-1.20.
NORTH = box(-1.30, 54.58, -1.20, 54.62)
SOUTH = box(-1.30, 54.54, -1.20, 54.58)
EAST = box(-1.22, 54.54, -1.10, 54.62)


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"area": ["North", "South", "East"]}, geometry=[NORTH, SOUTH, EAST], crs="EPSG:4326")


def entry(entry_id, category, lat=None, lon=None, **values) -> Entry:
    return Entry(id=entry_id, name=f"Name {entry_id}", organisation="Org", category=category,
                 latitude=lat, longitude=lon, **values)


ENTRIES = [
    entry("n1", "training", 54.60, -1.25),
    entry("n2", "training", 54.61, -1.26),
    entry("n3", "volunteering", 54.605, -1.24),
    entry("s1", "volunteering", 54.55, -1.25),
    entry("o1", "training", 54.55, -1.26, delivery=("online",)),  # online only: not local provision
    entry("x1", "training", 54.56, -1.25, archived=True),
    entry("u1", "training", delivery=("phone",)),  # no position
    entry("f1", "training", 54.70, -1.25),  # outside every area, ~10 km north
    entry("e1", "housing", 54.60, -1.15, delivery=("outreach",)),
]


# -- assignment ------------------------------------------------------------------------------------


def test_points_are_assigned_to_the_area_they_lie_in(areas):
    lat = np.array([54.60, 54.55, 54.60, 54.70, 54.60, 54.58, np.nan])
    lon = np.array([-1.25, -1.25, -1.15, -1.25, -1.21, -1.25, np.nan])

    assigned = C.assign_areas((lat, lon), areas)

    # Outside: None. In North and East's overlap: North, whose centre is nearer. On the North/South
    # border: both centres are 2.2 km away, so the first by name. No position: None.
    assert assigned.tolist() == ["North", "South", "East", None, "North", "North", None]


def test_a_points_own_postcode_district_wins_where_areas_overlap(areas):
    assigned = C.assign_areas((np.array([54.60, 54.60]), np.array([-1.21, -1.25])), areas, hints=["East", "East"])
    assert assigned.tolist() == ["East", "North"]  # the hint only chooses among areas the point is in


def test_entries_are_assigned_by_id(areas):
    assert C.assign_areas(ENTRIES, areas).to_dict() == {
        "n1": "North", "n2": "North", "n3": "North", "s1": "South", "o1": "South", "x1": "South",
        "u1": None, "f1": None, "e1": "East"}


# -- counts, gaps, coverage ----------------------------------------------------------------------


def test_provision_counts_are_zero_filled_for_every_area_and_category(areas):
    counts = C.provision_counts(ENTRIES, areas)

    assert counts.index.tolist() == ["East", "North", "South"]
    assert counts.columns.tolist() == list(CATEGORIES)
    assert counts[["training", "volunteering", "housing"]].to_dict("index") == {
        "East": {"training": 0, "volunteering": 0, "housing": 1},
        "North": {"training": 2, "volunteering": 1, "housing": 0},
        "South": {"training": 0, "volunteering": 1, "housing": 0},
    }
    assert int(counts.to_numpy().sum()) == 5


def test_gap_table_lists_areas_without_provision_farthest_first(areas):
    gaps = C.gap_table(ENTRIES, areas, "training")
    assert gaps.to_dict("records") == [
        {"area": "East", "nearest_id": "n1", "nearest_name": "Name n1", "nearest_organisation": "Org", "nearest_km": 6.23},
        {"area": "South", "nearest_id": "n1", "nearest_name": "Name n1", "nearest_organisation": "Org", "nearest_km": 4.45},
    ]


def test_gap_table_with_no_provider_anywhere(areas):
    gaps = C.gap_table(ENTRIES, areas, "employer")
    assert gaps["area"].tolist() == ["East", "North", "South"]
    assert gaps["nearest_id"].isna().all() and gaps["nearest_km"].isna().all()
    with pytest.raises(ValueError, match="^unknown category 'jobs'"):
        C.gap_table(ENTRIES, areas, "jobs")


def test_within_coverage_is_the_share_of_each_areas_points_near_a_provider(areas):
    homes = pd.DataFrame({
        "latitude": [54.605, 54.59, 54.615, 54.60, 54.55, 54.60],
        "longitude": [-1.25, -1.25, -1.26, -1.21, -1.25, -1.15],
    })  # North: 0.56 km from n1, 1.11 km from n1, 0.56 km from n2, 2.6 km away; then one each in South and East

    table = C.within_coverage(ENTRIES, areas, "training", 1.0, points=homes)

    assert table.to_dict("records") == [
        {"area": "East", "postcodes": 1, "covered": 0, "share": 0.0},
        {"area": "South", "postcodes": 1, "covered": 0, "share": 0.0},
        {"area": "North", "postcodes": 4, "covered": 2, "share": 0.5},
    ]
    assert C.within_coverage(ENTRIES, areas, "training", 1.2, points=homes)["covered"].tolist() == [0, 0, 3]


def test_choropleth_frame_counts_one_category_or_all(areas):
    frame = C.choropleth_frame(ENTRIES, areas, "training")
    assert frame.columns.tolist() == ["area", "count", "geometry"]
    assert list(zip(frame["area"], frame["count"])) == [("North", 2), ("South", 0), ("East", 0)]
    assert C.choropleth_frame(ENTRIES, areas)["count"].tolist() == [3, 1, 1]
    assert frame.geometry.iloc[0].equals(NORTH)


# -- postcode districts as areas ------------------------------------------------------------------


def small_postcode_table() -> PostcodeTable:
    rows = [
        ("TS11AA", 54.5700, -1.2400), ("TS11AB", 54.5750, -1.2300), ("TS12AH", 54.5735, -1.2278),
        ("TS13BA", 54.5721, -1.2347), ("TS56PY", 54.5596, -1.2348), ("TS57AA", 54.5550, -1.2450),
        ("TS58AB", 54.5520, -1.2300),
    ]
    keys = np.array([r[0] for r in rows], dtype="S7")
    return PostcodeTable(keys, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))


def test_district_areas_outline_each_districts_postcodes(tmp_path):
    table = small_postcode_table()

    areas = C.district_areas(table, cache_dir=tmp_path)

    assert areas["area"].tolist() == ["TS1", "TS5"]
    assert areas.crs == "EPSG:4326"
    homes = C.postcode_points(areas, table)
    assert C.assign_areas((homes["latitude"].to_numpy(), homes["longitude"].to_numpy()), areas,
                          hints=homes["district"].to_numpy()).tolist() == homes["district"].tolist()
    assert [p.name for p in tmp_path.glob("*.npz")] == ["TS.npz"], "the outlines are cached under the given folder"


def test_cached_outlines_read_back_exactly_and_without_arrow(tmp_path):
    """The cache is numpy arrays and WKB: read back, it is the frame computed; and a process reading it never
    loads Arrow's Parquet reader (GeoParquet did: ~45 MB in every instance that drew a map)."""
    import subprocess
    import sys

    from geopandas.testing import assert_geodataframe_equal

    from directory import geo

    computed = geo.compute_area_outlines("TS", small_postcode_table())
    geo._save_outlines(computed, tmp_path / "TS.npz")
    assert_geodataframe_equal(geo._read_outlines(tmp_path / "TS.npz"), computed)
    assert computed["district"].tolist() == ["TS1", "TS5"]
    read = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; from directory import geo; "
         f"frame = geo._read_outlines(Path({str(tmp_path / 'TS.npz')!r})); "
         "print(frame['district'].tolist(), 'pyarrow.parquet' in sys.modules)"],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, check=True)
    assert read.stdout.split("\n")[0] == "['TS1', 'TS5'] False"


def test_coverage_over_the_postcode_table(tmp_path):
    table = small_postcode_table()
    areas = C.district_areas(table, ["TS1", "TS5"], cache_dir=tmp_path)
    providers = [entry("p", "training", 54.5721, -1.2347)]  # at TS1 3BA

    table_1km = C.within_coverage(providers, areas, "training", 1.0, postcode_table=table)
    table_2km = C.within_coverage(providers, areas, "training", 2.0, postcode_table=table)

    # TS1's four postcodes are all within 0.5 km; TS5's are 1.4 km, 2.1 km and 2.3 km away.
    assert table_1km.to_dict("records") == [
        {"area": "TS5", "postcodes": 3, "covered": 0, "share": 0.0},
        {"area": "TS1", "postcodes": 4, "covered": 4, "share": 1.0},
    ]
    assert table_2km.to_dict("records")[0] == {"area": "TS5", "postcodes": 3, "covered": 1, "share": 0.333}


def test_districts_around_the_entries(tmp_path):
    at_ts1_3ba = [entry("p", "training", 54.5721, -1.2347)]
    assert C.districts_around(at_ts1_3ba, small_postcode_table(), pad_km=0.5) == ["TS1"]
    assert C.districts_around(at_ts1_3ba, small_postcode_table(), pad_km=2.0) == ["TS1", "TS5"]
    assert C.districts_around([entry("u", "training")], small_postcode_table()) == []


# -- uploaded boundaries -------------------------------------------------------------------------


def geojson_bytes(features: list[tuple[dict, object]]) -> bytes:
    frame = gpd.GeoDataFrame([p for p, _ in features], geometry=[g for _, g in features], crs="EPSG:4326")
    return frame.to_json(drop_id=True).encode()


def test_a_small_geojson_upload_is_named_by_its_name_column():
    data = geojson_bytes([
        ({"LAD23CD": "E06000002", "LAD23NM": "Middlesbrough", "LAD23NMW": ""}, NORTH),
        ({"LAD23CD": "E06000003", "LAD23NM": "Redcar and Cleveland", "LAD23NMW": ""}, EAST),
    ])

    areas = C.load_boundaries(data, "councils.geojson")

    assert areas["area"].tolist() == ["Middlesbrough", "Redcar and Cleveland"]
    assert areas.crs == "EPSG:4326"
    assert areas.geometry.iloc[0].equals(NORTH)
    assert C.load_boundaries(data, "councils.geojson", name_column="LAD23CD")["area"].tolist() == ["E06000002", "E06000003"]


def test_features_sharing_a_name_become_one_area_and_unnamed_ones_are_numbered():
    data = geojson_bytes([({"name": "Coast"}, NORTH), ({"name": "Coast"}, box(-1.0, 54.5, -0.9, 54.6)),
                          ({"name": None}, SOUTH)])
    areas = C.load_boundaries(data, "areas.json")
    assert areas["area"].tolist() == ["Coast", "area 3"]
    assert areas.geometry.iloc[0].geom_type == "MultiPolygon"


def _shapefile_zip(tmp_path, frame: gpd.GeoDataFrame, folder: str = "", drop_prj: bool = False) -> bytes:
    frame.to_file(tmp_path / "wards.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(tmp_path.glob("wards.*")):
            if drop_prj and part.suffix == ".prj":
                continue
            archive.write(part, f"{folder}{part.name}")
        archive.writestr("__MACOSX/._wards.shp", b"resource fork")
    return buffer.getvalue()


def test_a_zipped_shapefile_in_british_grid_is_reprojected(tmp_path):
    wards = gpd.GeoDataFrame({"WD23CD": ["E05000001"], "WD23NM": ["Central"]},
                             geometry=[box(449_000, 520_000, 451_000, 522_000)], crs="EPSG:27700")

    areas = C.load_boundaries(_shapefile_zip(tmp_path, wards, folder="wards/"), "wards.zip")

    assert areas["area"].tolist() == ["Central"]
    west, south, east, north = areas.total_bounds
    assert (round(west, 3), round(south, 3), round(east, 3), round(north, 3)) == (-1.244, 54.573, -1.212, 54.591)


def test_a_shapefile_without_its_prj_in_metres_is_read_as_british_grid(tmp_path):
    wards = gpd.GeoDataFrame({"name": ["Central"]}, geometry=[box(449_000, 520_000, 451_000, 522_000)], crs="EPSG:27700")
    areas = C.load_boundaries(_shapefile_zip(tmp_path, wards, drop_prj=True), "wards.zip")
    assert round(areas.total_bounds[0], 3) == -1.244


def test_a_geopackage_upload(tmp_path):
    gpd.GeoDataFrame({"ward": ["B", "A"]}, geometry=[NORTH, SOUTH], crs="EPSG:4326").to_file(tmp_path / "w.gpkg", driver="GPKG")
    areas = C.load_boundaries((tmp_path / "w.gpkg").read_bytes(), "w.gpkg")
    assert areas["area"].tolist() == ["A", "B"]


FORMATS = ("a GeoJSON file (.geojson or .json), a zipped Shapefile (.zip holding the .shp, .shx, .dbf and .prj files) "
           "or a GeoPackage (.gpkg)")


@pytest.mark.parametrize("data, filename, message", [
    (b"Minutes of the forum meeting", "notes.txt", f"We could not read 'notes.txt' as map boundaries. Upload {FORMATS}."),
    (b'{"type": "FeatureCollection", "features": [}', "broken.geojson",
     f"We could not read 'broken.geojson' as map boundaries. Upload {FORMATS}."),
    (b"PK not really", "wards.zip", f"We could not read 'wards.zip' as map boundaries (it is not a zip file). Upload {FORMATS}."),
    (b"", "empty.geojson", f"We could not read 'empty.geojson' as map boundaries (the file is empty). Upload {FORMATS}."),
])
def test_an_unreadable_upload_gets_a_plain_english_message(data, filename, message):
    with pytest.raises(C.BoundaryError) as raised:
        C.load_boundaries(data, filename)
    assert str(raised.value) == message


def test_an_upload_of_points_is_not_areas():
    with pytest.raises(C.BoundaryError) as raised:
        C.load_boundaries(geojson_bytes([({"name": "cafe"}, Point(-1.2, 54.5))]), "cafes.geojson")
    assert str(raised.value) == ("'cafes.geojson' has no areas in it (it holds points or lines, or nothing): "
                                 "upload the outlines of the areas, as polygons")


def test_naming_a_column_the_file_does_not_have():
    with pytest.raises(C.BoundaryError, match="^'a.geojson' has no column 'NAME': its columns are name$"):
        C.load_boundaries(geojson_bytes([({"name": "x"}, NORTH)]), "a.geojson", name_column="NAME")


# -- downloads -------------------------------------------------------------------------------------


def test_csv_download_keeps_the_area_column_and_opens_in_excel(areas):
    data = C.to_csv_bytes(C.provision_counts(ENTRIES, areas)[["training", "housing"]])
    assert data == "\ufeffarea,training,housing\r\nEast,0,1\r\nNorth,2,0\r\nSouth,0,0\r\n".encode("utf-8")
    gaps = C.to_csv_bytes(C.gap_table(ENTRIES, areas, "employer"))
    assert gaps.decode("utf-8-sig").splitlines()[:2] == [
        "area,nearest_id,nearest_name,nearest_organisation,nearest_km", "East,,,,"]


def test_geojson_download_of_the_needs_assessment(areas):
    frame = C.needs_assessment_frame(ENTRIES, areas)
    collection = json.loads(C.to_geojson_bytes(frame))
    [north] = [f for f in collection["features"] if f["properties"]["area"] == "North"]
    assert (north["properties"]["training"], north["properties"]["volunteering"], north["properties"]["total"]) == (2, 1, 3)
    assert north["geometry"]["type"] == "Polygon"
    assert "id" not in north
    assert C.to_csv_bytes(frame).decode("utf-8-sig").splitlines()[0].startswith("area,treatment,")
