"""Coverage and gaps (coordinators and commissioners): provision per area and category, on a map and in tables.

guard → areas (postcode districts around the directory, or uploaded boundaries) → a kind of provision →
the choropleth and the areas with none of it (the gap table) → "within N km" coverage → every count →
downloads (CSV, and GeoJSON for a needs assessment). Only provision people can go to counts (see
directory/coverage.py): online and phone services reach everyone and would hide a local gap.
"""

from __future__ import annotations

import json

import folium
from folium.template import Template
import pandas as pd
import shapely
import streamlit as st

from directory.codes import CATEGORIES
from directory.coverage import (
    AREA, BoundaryError, choropleth_frame, district_areas, districts_around, gap_table, load_boundaries,
    local_provision, needs_assessment_frame, provision_counts, to_csv_bytes, to_geojson_bytes, within_coverage,
)
from ui import maps
from ui.auth import require_account
from ui.bootstrap import ensure_app_navigation, get_directory
from ui.render import esc, md, now_local, short_category_label

ALL = ""
MAP_HEIGHT = 520
# The gap and reach tables are plain tables (st.table), the counts the one st.dataframe: its grid gives every cell
# an id from its position ("glide-cell-0-0"), the same in every grid, so two grids on a page repeat the ids of
# focusable cells (axe's duplicate-id-active) and keyboard focus can land in the wrong table.
# Sequential blues for 1, 2, 3-4, 5+ entries; areas with none stand out in a pale red.
NONE_COLOUR = "#f2c4bb"
BINS = [(1, 1, "#c6dbef"), (2, 2, "#6baed6"), (3, 4, "#2171b5"), (5, None, "#08306b")]


def table_height(rows: int, most: int) -> int:
    """Tall enough for `rows` rows (no empty ones below a short table), scrolling beyond `most` pixels."""
    return min(most, 35 * (rows + 1) + 3)


def colour(count: int) -> str:
    for low, high, fill in BINS:
        if count >= low and (high is None or count <= high):
            return fill
    return NONE_COLOUR


@st.cache_data(show_spinner="Outlining the postcode districts…", max_entries=4)
def _districts(positions: tuple[tuple[float, float, str], ...]):
    from directory.fields import Entry

    entries = [Entry(id=str(i), name="", organisation="", category="training", latitude=lat, longitude=lon,
                     postcode=postcode) for i, (lat, lon, postcode) in enumerate(positions)]
    return district_areas(districts=districts_around(entries))


@st.cache_data(show_spinner="Reading the boundaries…", max_entries=4)
def _uploaded(data: bytes, filename: str):
    return load_boundaries(data, filename)


def choropleth_map(frame, providers, category: str | None):
    """The base map, the areas coloured by count (escaped tooltips), and the providers as small dots."""
    west, south, east, north = frame.total_bounds
    fmap = maps.base_map(maps.tiles_config(st.secrets), ((south + north) / 2, (west + east) / 2), zoom=11)
    fmap.options["zoom_snap"] = 0.25  # fit the areas closely, not to the next whole zoom level
    # The map sits in the middle of a long page: the mouse wheel scrolls the page, the +/- buttons zoom.
    fmap.options["scroll_wheel_zoom"] = False
    features = []
    for row in frame.itertuples(index=False):
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shapely.set_precision(row.geometry, 1e-5)),
            "properties": {"area": maps.map_text(getattr(row, AREA)), "count": int(row.count),
                           "fill": colour(int(row.count))},
        })
    what = "Entries" if category is None else maps.map_text(short_category_label(category))
    folium.GeoJson(
        {"type": "FeatureCollection", "features": json.loads(json.dumps(features))},
        name="Areas",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.72, "color": "#44546a",
                                  "weight": 1, "className": "rp-area"},
        highlight_function=lambda f: {"weight": 3, "color": "#111"},
        tooltip=folium.GeoJsonTooltip(fields=["area", "count"], aliases=["Area", what], sticky=True),
    ).add_to(fmap)
    for entry in providers:
        folium.CircleMarker(
            [entry.latitude, entry.longitude], radius=5, color="#fff", weight=1.5, fill=True, fill_opacity=1,
            fill_color=maps.category_colour(entry.category), class_name="rp-provider",
            tooltip=f"{maps.map_text(entry.name)} · {maps.map_text(entry.organisation)}",
        ).add_to(fmap)
    fmap.add_child(FitWhenSized([[south, west], [north, east]]))
    return fmap


class FitWhenSized(folium.MacroElement):
    """Fit the areas once the iframe has its size (it is sized after the map is made), and on resizes."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var fit = function () { map.invalidateSize({pan: false}); map.fitBounds({{ this.bounds }}, {padding: [12, 12], animate: false}); };
            fit(); setTimeout(fit, 250); setTimeout(fit, 1000);
            window.addEventListener("resize", fit);
            map.getContainer().addEventListener("pointerdown", function () { window.removeEventListener("resize", fit); }, {once: true});
        })();
        {% endmacro %}
    """)

    def __init__(self, bounds):
        super().__init__()
        self.bounds = json.dumps([[round(v, 5) for v in corner] for corner in bounds])


def legend_html(category: str | None) -> str:
    what = "entries of any kind" if category is None else esc(short_category_label(category))
    swatches = [(NONE_COLOUR, "none")] + [(fill, f"{low}" if high == low else f"{low}–{high}" if high else f"{low}+")
                                          for low, high, fill in BINS]
    items = "".join(f'<span style="white-space:nowrap"><span style="display:inline-block;width:1rem;height:.8rem;'
                    f'background:{fill};border:1px solid #44546a;margin:0 .3rem 0 .8rem;vertical-align:middle">'
                    f'</span>{esc(label)}</span>' for fill, label in swatches)
    return f'<div style="font-size:.9rem" aria-label="Map key">Local {what} per area: {items}</div>'


def download(data: bytes, label: str, name: str, key: str, mime: str = "text/csv") -> None:
    extension = "geojson" if mime == "application/geo+json" else "csv"
    st.download_button(label, data=data, file_name=f"{name}-{today.isoformat()}.{extension}", mime=mime,
                       on_click="ignore", icon=":material/download:", key=key)


# -- the page ---------------------------------------------------------------------------------------

ensure_app_navigation()
directory = get_directory()
st.title("Coverage and gaps")
account = require_account(directory, "coordinator", doing="see coverage and gaps")
today = now_local().date()

st.caption("Where provision people can go to is, and where it is not: entries per area and kind of provision. "
           "Online and phone-only services reach everyone, so they are not counted here.")

live = directory.entries()
local = local_provision(live)

top = st.columns([1.4, 1.6, 2], vertical_alignment="bottom")
source = top[0].radio("Areas", options=["districts", "upload"], key="cov_source", horizontal=True,
                      format_func={"districts": "Postcode districts", "upload": "Boundaries I upload"}.get)
category = top[1].selectbox("Kind of provision", options=[ALL, *CATEGORIES], index=1, key="cov_category",
                            format_func=lambda c: "All kinds" if c == ALL else short_category_label(c))
category = category or None

areas = None
if source == "upload":
    uploaded = top[2].file_uploader("Area boundaries (GeoJSON, zipped Shapefile or GeoPackage)",
                                    type=["geojson", "json", "zip", "gpkg"], key="cov_upload")
    if uploaded is None:
        st.info("Upload the boundaries of your areas (wards, local authorities, neighbourhoods) as a GeoJSON file, "
                "a zipped Shapefile (.zip with the .shp, .shx, .dbf and .prj files) or a GeoPackage. "
                "Until then, postcode districts are used.", icon=":material/upload_file:")
    else:
        try:
            areas = _uploaded(uploaded.getvalue(), uploaded.name)
        except BoundaryError as error:
            st.error(md(str(error)), icon=":material/error:")
if areas is None:
    if not local:
        st.info("No entry has a map position yet, so there are no areas to count. Add postcodes to the entries, "
                "or upload boundaries.")
        st.stop()
    areas = _districts(tuple((e.latitude, e.longitude, e.postcode or "") for e in local))

frame = choropleth_frame(live, areas, category)
what = "provision of any kind" if category is None else short_category_label(category)
empty = frame[frame["count"] == 0]
metrics = st.columns(3)
metrics[0].metric("Areas", len(frame))
metrics[1].metric(f"Areas with no {what}", len(empty))
metrics[2].metric("Entries counted", int(frame["count"].sum()))

map_column, gaps_column = st.columns([1.25, 1], gap="large")
with map_column:
    providers = [e for e in local if category is None or e.category == category]
    maps.show_map(choropleth_map(frame, providers, category), None, key="coverage_map", height=MAP_HEIGHT)
    st.html(legend_html(category))
    st.caption("Dots are the entries counted. The map works without the background tiles.")

with gaps_column:
    if category is None:
        st.header("Areas with no provision")
        st.write("Choose a kind of provision above to list the areas that have none of it, with the nearest "
                 "provider of that kind.")
        gaps = None
    else:
        st.header(f"Areas with no {md(what)}")
        gaps = gap_table(live, areas, category)
        if gaps.empty:
            st.success(f"Every area has at least one local {md(what)} entry.")
        elif gaps["nearest_id"].isna().all():
            st.info(f"There is no local {md(what)} anywhere in the directory, so every area is a gap. "
                    "If some exists, add it (Add an entry, or Import a spreadsheet) and it will be counted here.",
                    icon=":material/info:")
            st.table(pd.DataFrame({"Area": gaps[AREA]}), hide_index=True, height=table_height(len(gaps), 300))
        else:
            shown = pd.DataFrame({  # the distance before the names, so a narrow column does not hide it
                "Area": gaps[AREA], "Distance (km)": gaps["nearest_km"], "Nearest provider": gaps["nearest_name"],
                "Organisation": gaps["nearest_organisation"]})
            st.table(shown.style.format({"Distance (km)": "{:.2f}"}), hide_index=True,
                     height=table_height(len(shown), 380))
            st.caption("Farthest from any provider first; distances are from the middle of the area.")
        download(to_csv_bytes(gaps), "Download the gap table (CSV)", f"gaps-{category}", "cov_gaps_csv")

st.header("Within reach")
km = st.slider("Within how many km of a provider", min_value=1, max_value=20, value=3, key="cov_km")
if category is None:
    st.caption("Choose a kind of provision above to see how much of each area is within reach of it.")
else:
    reach = within_coverage(live, areas, category, float(km))
    shown = pd.DataFrame({"Area": reach[AREA], "Postcodes": reach["postcodes"], "Within reach": reach["covered"],
                          "Share (%)": (reach["share"] * 100).round(1)})
    if not local_provision(live, category):
        st.caption(f"No postcode is within reach of a local {md(what)} entry: there is none in the directory.")
        st.table(shown.style.format({"Share (%)": "{:.1f}"}), hide_index=True, height=table_height(len(shown), 300))
    else:
        st.caption(f"Share of each area's postcodes within {km} km of a local {md(what)} entry, least covered first.")
        chart, table = st.columns([1.3, 1])
        chart.bar_chart(shown.set_index("Area")["Share (%)"], x_label="Area", y_label="% of postcodes within reach",
                        color="#2171b5", sort=False)
        table.table(shown.style.format({"Share (%)": "{:.1f}"}), hide_index=True,
                    height=table_height(len(shown), 300))
    download(to_csv_bytes(reach), "Download coverage (CSV)", f"coverage-{category}-{km}km", "cov_reach_csv")

st.header("Entries per area and kind of provision")
counts = provision_counts(live, areas)
by_category = pd.DataFrame({"Kind of provision": [short_category_label(c) for c in counts.columns],
                            "Entries": counts.sum().to_numpy()})
st.bar_chart(by_category, x="Kind of provision", y="Entries", horizontal=True, color="#1f4e79", sort="-Entries")
st.dataframe(counts.rename(columns=short_category_label).rename_axis("Area"), width="stretch", key="cov_counts")
left, right, _ = st.columns([1, 1.6, 1.4])
with left:
    download(to_csv_bytes(counts), "Download counts (CSV)", "provision-by-area", "cov_counts_csv")
with right:
    download(to_geojson_bytes(needs_assessment_frame(live, areas)), "Download areas with counts (GeoJSON)",
             "needs-assessment-areas", "cov_geojson", mime="application/geo+json")
