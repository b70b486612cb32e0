"""Export the directory (archived entries left out) as CSV, XLSX, GeoJSON or HSDS JSON."""

from __future__ import annotations

import json
from typing import Iterable

from directory import fields as F
from directory.io.spreadsheet import write_csv, write_xlsx

EXPORT_FORMATS = ("csv", "xlsx", "geojson", "hsds")


def geojson(entries: Iterable[F.Entry]) -> dict:
    """A FeatureCollection of positioned entries; properties are the spreadsheet cells."""
    features = []
    for entry in entries:
        if not entry.has_position:
            continue
        properties = {n: F.to_json(n, getattr(entry, n)) for n in F.COLUMNS if n not in ("latitude", "longitude")}
        features.append({
            "type": "Feature",
            "id": entry.id,
            "geometry": {"type": "Point", "coordinates": [entry.longitude, entry.latitude]},
            "properties": properties,
        })
    return {"type": "FeatureCollection", "features": features}


def export_bytes(entries: Iterable[F.Entry], format: str, *, directory=None) -> bytes:
    """`directory`: where the HSDS export reads organisation profiles (description, website, kind, contact);
    without it each organization carries its name only."""
    entries = [e for e in entries if not e.archived]
    if format == "csv":
        return write_csv(entries)
    if format == "xlsx":
        return write_xlsx(entries)
    if format == "geojson":
        return json.dumps(geojson(entries), ensure_ascii=False, indent=1).encode("utf-8")
    if format == "hsds":
        from directory.io.oruk import load_organisations, services

        from directory.areas import area_names

        organisations = load_organisations(directory) if directory is not None else None
        areas = area_names(directory) if directory is not None else None
        return json.dumps(services(entries, organisations, areas), ensure_ascii=False, indent=1).encode("utf-8")
    raise ValueError(f"unknown export format '{format}': use one of {', '.join(EXPORT_FORMATS)}")
