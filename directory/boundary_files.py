"""Reading an uploaded boundary file as the format it claims to be, and as nothing else.

GDAL picks a driver from a file's content, not its name: a file called `wards.geojson` that
holds an `<OGRVRTDataSource>` makes GDAL open whatever it names (the app's own database, any
file the server can read, `/vsicurl/` addresses), and a GeoPackage view or virtual table can do
the same from inside SQLite. So nothing here hands GDAL a file it has not checked first:

- GeoJSON is parsed by Python's json module and built with shapely; GDAL never sees it.
- A GeoPackage must be an SQLite file with the GeoPackage application id, holding tables and
  R-tree indexes only (no views, no other virtual tables, no triggers but GeoPackage's own);
  GDAL then opens it with its GeoPackage driver named (`GPKG:` prefix), read-only.
- A zipped Shapefile is unpacked member by member, only a Shapefile's own parts and under fixed
  names in the upload's temporary folder; the .shp and .shx must start with the Shapefile code.

Every path GDAL opens is inside the upload's own temporary folder and made by this module; no
name from the upload reaches a path. Sizes are bounded before and while unpacking.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from pyproj import CRS
from pyproj.exceptions import CRSError

from directory.zips import ZipDamaged, ZipTooLarge, member_bytes

FORMATS_WE_READ = ("a GeoJSON file (.geojson or .json), a zipped Shapefile (.zip holding the .shp, .shx, .dbf "
                   "and .prj files) or a GeoPackage (.gpkg)")
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # the generalised boundaries of every LSOA in England and Wales are ~60 MB
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024

GEOJSON_SUFFIXES = (".geojson", ".json")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SHAPEFILE_CODE = b"\x00\x00\x27\x0a"  # 9994, big-endian: the first four bytes of every .shp and .shx
_SQLITE_HEADER = b"SQLite format 3\x00"
# 'GPKG' (1.2 onwards), 'GP10' and 'GP11' (1.0, 1.1), at byte 68 of the SQLite header.
_GEOPACKAGE_IDS = (b"GPKG", b"GP10", b"GP11")
# Triggers GeoPackage writers add (spec requirements and GDAL's feature counts): they fire on writes only.
_GEOPACKAGE_TRIGGER_PREFIXES = ("gpkg_", "rtree_", "trigger_insert_feature_count_", "trigger_delete_feature_count_")


class BoundaryError(ValueError):
    """An uploaded boundary file that cannot be used; str(error) says what to upload instead."""


def unreadable(filename: str, why: str = "") -> BoundaryError:
    because = f" ({why})" if why else ""
    return BoundaryError(f"We could not read '{filename}' as map boundaries{because}. Upload {FORMATS_WE_READ}.")


def read_features(data: bytes, filename: str) -> gpd.GeoDataFrame:
    """The features of an uploaded GeoJSON, zipped Shapefile or GeoPackage (any geometry, CRS as the file says)."""
    if not data:
        raise unreadable(filename, "the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise unreadable(filename, f"it is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: "
                                   "use generalised (simplified) boundaries")
    suffix = Path(filename).suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return _geojson(data, filename)
    with tempfile.TemporaryDirectory(prefix="boundaries-") as folder:
        if suffix == ".gpkg":
            return _geopackage(data, Path(folder), filename)
        if suffix == ".zip":
            return _zipped(data, Path(folder), filename)
    raise unreadable(filename)


# -- GeoJSON: Python only ----------------------------------------------------------------------------


def _geojson(data: bytes, filename: str) -> gpd.GeoDataFrame:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, a 5,000-digit number, nesting deeper than Python's stack
        raise unreadable(filename) from None
    if not isinstance(document, dict):
        raise unreadable(filename)
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
    elif kind == "Feature":
        features = [document]
    elif isinstance(kind, str) and kind in _GEOMETRY_TYPES:
        features = [{"type": "Feature", "geometry": document, "properties": {}}]
    else:
        raise unreadable(filename, "it is JSON but not GeoJSON")
    if not isinstance(features, list):
        raise unreadable(filename)
    rows, geometries = [], []
    for feature in features:
        if not isinstance(feature, dict):
            raise unreadable(filename)
        properties = feature.get("properties")
        rows.append({str(k): _scalar(v) for k, v in properties.items()} if isinstance(properties, dict) else {})
        geometries.append(_geometry(feature.get("geometry"), filename))
    frame = pd.DataFrame(rows, index=range(len(rows)))
    return gpd.GeoDataFrame(frame, geometry=geometries, crs=_geojson_crs(document))


_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection")


def _geometry(value, filename: str):
    if value is None:
        return None
    try:
        return shapely.geometry.shape(value)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, shapely.errors.ShapelyError):
        raise unreadable(filename, "a feature's geometry is not valid GeoJSON") from None


def _scalar(value):
    # Nested objects in properties become their JSON text: a table cell holds one value.
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def _geojson_crs(document: dict) -> CRS:
    """RFC 7946 GeoJSON is in WGS84; older files (ONS's, in British grid) name their CRS in a 'crs' member."""
    named = document.get("crs")
    name = named.get("properties", {}).get("name") if isinstance(named, dict) else None
    if isinstance(name, str) and len(name) < 200:
        try:
            return CRS.from_user_input(name)
        except CRSError:
            pass
    return CRS.from_epsg(4326)


# -- GeoPackage: checked with sqlite3, read by GDAL's GeoPackage driver ---------------------------------


def _geopackage(data: bytes, folder: Path, filename: str) -> gpd.GeoDataFrame:
    path = folder / "upload.gpkg"
    path.write_bytes(data)
    _check_geopackage(path, data[:100], filename)
    return _read_with_gdal(f"GPKG:{path}", filename)


def _check_geopackage(path: Path, header: bytes, filename: str) -> None:
    if not header.startswith(_SQLITE_HEADER) or header[68:72] not in _GEOPACKAGE_IDS:
        raise unreadable(filename, "it is not a GeoPackage")
    try:
        # Read-only and immutable (no journal or WAL file made), and the schema is untrusted.
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            connection.execute("PRAGMA trusted_schema = OFF")
            schema = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        raise unreadable(filename, "it is not a GeoPackage") from None
    for kind, name, sql in schema:
        sql = (sql or "").strip().lower()
        if kind == "view":
            raise unreadable(filename, "it contains views: export the layer as a plain GeoPackage table")
        if kind == "trigger" and not str(name).lower().startswith(_GEOPACKAGE_TRIGGER_PREFIXES):
            raise unreadable(filename, "it contains triggers: export the layer as a plain GeoPackage table")
        if kind == "table" and sql.startswith("create virtual table") and " using rtree" not in sql:
            raise unreadable(filename, "it contains virtual tables: export the layer as a plain GeoPackage table")


# -- zipped Shapefile (or a GeoJSON / GeoPackage in a zip) ------------------------------------------------


def _zipped(data: bytes, folder: Path, filename: str) -> gpd.GeoDataFrame:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise unreadable(filename, "it is not a zip file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _is_mac_resource(m.filename)]
        shapefiles = sorted(m for m in members if Path(m.filename).suffix.lower() == ".shp")
        if shapefiles:
            stem = shapefiles[0].filename[:-len(".shp")]
            parts = {Path(m.filename).suffix.lower(): m for m in members
                     if m.filename[:-len(Path(m.filename).suffix)] == stem
                     and Path(m.filename).suffix.lower() in SHAPEFILE_PARTS}
            budget = MAX_UNZIPPED_BYTES
            for suffix, member in parts.items():
                content = _member_bytes(archive, member, budget, filename)
                budget -= len(content)
                (folder / f"upload{suffix}").write_bytes(content)
            _check_shapefile(folder, filename)
            return _read_with_gdal(str(folder / "upload.shp"), filename)
        others = sorted(m for m in members if Path(m.filename).suffix.lower() in (*GEOJSON_SUFFIXES, ".gpkg"))
        if not others:
            raise unreadable(filename, "there is no .shp, .gpkg or .geojson file inside")
        inner = others[0]
        content = _member_bytes(archive, inner, MAX_UPLOAD_BYTES, filename)
    if Path(inner.filename).suffix.lower() == ".gpkg":
        return _geopackage(content, folder, filename)
    return _geojson(content, filename)


def _member_bytes(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int, filename: str) -> bytes:
    try:
        return member_bytes(archive, member, limit)
    except ZipTooLarge:
        raise unreadable(filename, f"it unpacks to more than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB") from None
    except ZipDamaged:
        raise unreadable(filename, "the zip file is damaged") from None


def _check_shapefile(folder: Path, filename: str) -> None:
    for suffix in (".shp", ".shx"):
        part = folder / f"upload{suffix}"
        if not part.exists():
            raise unreadable(filename, f"the zip has no {suffix} file beside the .shp")
        with part.open("rb") as stream:
            if stream.read(4) != _SHAPEFILE_CODE:
                raise unreadable(filename, f"its {suffix} file is not a Shapefile")


def _is_mac_resource(member_name: str) -> bool:
    # Zips made on a Mac carry __MACOSX/._name.shp copies that are not Shapefiles.
    return member_name.startswith("__MACOSX/") or Path(member_name).name.startswith("._")


# -- GDAL, on a checked file only ---------------------------------------------------------------------


def _read_with_gdal(source: str, filename: str) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        layers = pyogrio.list_layers(source)
        polygon_layers = [name for name, kind in layers if kind and "polygon" in str(kind).lower()]
        layer = polygon_layers[0] if polygon_layers else layers[0][0]
        return gpd.read_file(source, layer=layer, engine="pyogrio")
    except Exception:  # whatever GDAL makes of a bad file, the person uploading needs the same advice
        raise unreadable(filename) from None
