"""Coverage uploads are read as the format they claim, and as nothing else (security finding 1).

GDAL picks a driver from a file's content: a GDAL VRT named x.geojson (or .json, .gpkg, or x.shp
in a zip) made the coverage page read the app's own database (every organisation's client
records) and any file the server could. Each attempt here is refused with the plain message, the
database file is untouched, and the access log written afterwards is complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from directory.accounts import create_user
from directory.api import Directory
from directory.clients import ClientRecords
from directory.coverage import BoundaryError, load_boundaries
from tests.conftest import fake_locator

FORMATS = ("a GeoJSON file (.geojson or .json), a zipped Shapefile (.zip holding the .shp, .shx, .dbf and .prj files) "
           "or a GeoPackage (.gpkg)")


def _vrt(database: Path, sql: str) -> bytes:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="areas"><SrcDataSource>{database}</SrcDataSource>'
            f'<SrcSQL>{sql}</SrcSQL><GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer>'
            f'</OGRVRTDataSource>').encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def live_app(tmp_path):
    """The app's own SQLite database holding a client record, as the coverage page's server has it."""
    database = tmp_path / "directory.db"
    directory = Directory(f"sqlite:///{database}", locate_postcode=fake_locator)
    kim = create_user(directory, "kim", "Kim (keyworker)", "editor", organisations=("Tees Recovery Service",))
    record = ClientRecords(directory).create(kim, "C-0042", {"ref": "C-0042", "stage": "stabilising"})
    return directory, database, kim, record


def _files(database: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(database.parent.glob(database.name + "*"))}


def _hostile_uploads(database: Path) -> list[tuple[bytes, str]]:
    reads_clients = _vrt(database, "SELECT ref AS name, 'POLYGON((0 0,1 0,1 1,0 0))' AS wkt FROM clients")
    reads_passwd = _vrt(Path("CSV:/etc/passwd"), "SELECT field_1 AS name, 'POLYGON((0 0,1 0,1 1,0 0))' AS wkt FROM passwd")
    return [
        (reads_clients, "x.geojson"), (reads_clients, "x.json"), (reads_clients, "x.gpkg"),
        (_zip({"x.shp": reads_clients, "x.shx": reads_clients, "x.dbf": b""}), "x.zip"),
        (_zip({"x.geojson": reads_clients}), "x.zip"), (_zip({"x.gpkg": reads_clients}), "x.zip"),
        (_zip({"x.vrt": reads_clients}), "x.zip"),
        (reads_passwd, "x.geojson"), (_zip({"/vsicurl/http:/127.0.0.1/x.shp": reads_passwd}), "x.zip"),
    ]


def test_a_vrt_in_every_accepted_form_is_refused_and_the_database_is_untouched(live_app):
    directory, database, kim, record = live_app
    before = _files(database)

    for data, filename in _hostile_uploads(database):
        with pytest.raises(BoundaryError) as raised:
            load_boundaries(data, filename)
        assert str(raised.value).startswith(f"We could not read '{filename}' as map boundaries")
        assert str(raised.value).endswith(f"Upload {FORMATS}.")

    assert _files(database) == before
    # The app goes on writing, and what it wrote survives a restart (a GDAL read had lost the write-ahead log).
    records = ClientRecords(directory)
    records.open(kim, record.id)
    records.open(kim, record.id)
    directory.engine.dispose()
    reopened = Directory(f"sqlite:///{database}", locate_postcode=fake_locator)
    assert [e.action for e in ClientRecords(reopened).access_log(create_user(
        reopened, "cy", "Cy", "coordinator", organisations=("Council",)), client_ref="C-0042")] == ["read", "read", "create"]


def _geopackage(tmp_path: Path, extra_sql: str) -> bytes:
    path = tmp_path / "wards.gpkg"
    gpd.GeoDataFrame({"ward": ["A"]}, geometry=[box(-1.3, 54.5, -1.2, 54.6)], crs="EPSG:4326").to_file(path, driver="GPKG")
    with sqlite3.connect(path) as connection:
        connection.executescript(extra_sql)
    connection.close()
    return path.read_bytes()


@pytest.mark.parametrize("extra_sql, why", [
    ("CREATE VIEW secrets AS SELECT * FROM wards;", "it contains views"),
    ("CREATE VIRTUAL TABLE notes USING fts5(text);", "it contains virtual tables"),
    ("CREATE TRIGGER leak AFTER INSERT ON wards BEGIN SELECT 1; END;", "it contains triggers"),
])
def test_a_geopackage_with_views_virtual_tables_or_triggers_of_its_own_is_refused(tmp_path, extra_sql, why):
    data = _geopackage(tmp_path, extra_sql)
    with pytest.raises(BoundaryError) as raised:
        load_boundaries(data, "wards.gpkg")
    assert str(raised.value) == (f"We could not read 'wards.gpkg' as map boundaries ({why}: export the layer as a "
                                 f"plain GeoPackage table). Upload {FORMATS}.")


def test_a_plain_geopackage_with_its_own_rtree_and_triggers_is_read(tmp_path):
    assert load_boundaries(_geopackage(tmp_path, ""), "wards.gpkg")["area"].tolist() == ["A"]


@pytest.mark.parametrize("data, filename, why", [
    (b"{" * 100_000 + b"}" * 100_000, "deep.geojson", ""),
    (b'{"type": "FeatureCollection", "features": [], "n": ' + b"9" * 5000 + b"}", "big-number.geojson", ""),
    (b'[1, 2, 3]', "list.json", ""),
    (b'{"type": "Topology"}', "topo.json", " (it is JSON but not GeoJSON)"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", '
     b'"coordinates": "nonsense"}}]}', "bad.geojson", " (a feature's geometry is not valid GeoJSON)"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "fake.gpkg", " (it is not a GeoPackage)"),
    (b"PK\x03\x04" + b"\x00" * 60, "broken.zip", " (it is not a zip file)"),
])
def test_malformed_uploads_get_one_plain_message(data, filename, why):
    with pytest.raises(BoundaryError) as raised:
        load_boundaries(data, filename)
    assert str(raised.value) == f"We could not read '{filename}' as map boundaries{why}. Upload {FORMATS}."


def test_a_zip_lying_about_its_sizes_is_refused_without_unpacking_more(tmp_path):
    shp = b"\x00\x00\x27\x0a" + b"\x00" * 5_000_000
    data = bytearray(_zip({"x.shp": shp, "x.shx": shp[:100], "x.dbf": b""}))
    # The central directory says the .shp unpacks to 100 bytes; the stream holds five million.
    directory_at = data.rfind(b"PK\x01\x02")
    while directory_at != -1:
        if data[directory_at + 46: directory_at + 51] == b"x.shp":
            data[directory_at + 24: directory_at + 28] = (100).to_bytes(4, "little")
        directory_at = data.rfind(b"PK\x01\x02", 0, directory_at)
    with pytest.raises(BoundaryError) as raised:
        load_boundaries(bytes(data), "lying.zip")
    assert str(raised.value) == f"We could not read 'lying.zip' as map boundaries (the zip file is damaged). Upload {FORMATS}."


def test_a_zip_bomb_is_refused_by_its_size(monkeypatch):
    from directory import boundary_files

    monkeypatch.setattr(boundary_files, "MAX_UNZIPPED_BYTES", 1_000_000)
    data = _zip({"x.shp": b"\x00\x00\x27\x0a" + b"\x00" * 2_000_000, "x.shx": b"", "x.dbf": b""})
    with pytest.raises(BoundaryError, match=r"\(it unpacks to more than 0 MB\)"):
        load_boundaries(data, "bomb.zip")


def test_geojson_in_british_grid_named_by_its_crs_member():
    data = (b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
            b'"urn:ogc:def:crs:EPSG::27700"}}, "features": [{"type": "Feature", "properties": {"WD23NM": "Central"}, '
            b'"geometry": {"type": "Polygon", "coordinates": [[[449000, 520000], [451000, 520000], [451000, 522000], '
            b'[449000, 522000], [449000, 520000]]]}}]}')
    areas = load_boundaries(data, "wards.geojson")
    assert areas["area"].tolist() == ["Central"]
    assert [round(v, 3) for v in areas.total_bounds] == [-1.244, 54.573, -1.212, 54.591]
