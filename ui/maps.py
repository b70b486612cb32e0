"""Maps without the internet: folium on Leaflet served by the app itself, and a fast results layer.

Assets. folium points every map at CDNs (Leaflet, jQuery, Bootstrap,
Font Awesome, awesome-markers). None of that is reachable here, and only Leaflet
and a clustering script are needed, so folium's default asset lists are
replaced, once, at import: by files the app serves itself from the
xstatic-leaflet and xstatic-leaflet-markercluster packages (Leaflet 1.9.3, the
version folium pins; the marker-cluster plugin for folium's own MarkerCluster).
Supercluster, which no Python package ships, is kept in ``ui/vendor/`` and
travels inside the results script (see ``ResultsLayer``).

How they are served. streamlit-folium renders the map inside a component
iframe at ``<app>/component/streamlit_folium.st_folium/index.html`` and loads
the map's ``js_links`` / ``css_links`` there with ``<script src>`` / ``<link>``
tags (the header's own ``<script src>`` and stylesheet links are stripped;
its ``<style>`` tags are kept). Streamlit serves any directory declared as a
component at ``<app>/component/<name>/``, so each xstatic data directory is
declared as a (never rendered) component and the links are written relative
to the map's iframe: ``../ui.maps.leaflet/leaflet.js``. That works under
any ``server.baseUrlPath`` and nothing is re-sent on each rerun. For standalone
HTML (a map saved to a file) the same files can be inlined as ``data:`` URIs
instead: ``inline_assets(map)``.

The results layer. One ``folium.Marker`` per result makes megabytes of
JavaScript for 10,000 entries. ``ResultsLayer`` sends the results as one compact
JSON array; the browser indexes them with Supercluster (every zoom level at
once: tens of milliseconds for 10,000, where Leaflet.markercluster took 0.3 s)
and draws only the clusters and markers in view, one shared icon per
category, popups built only when opened. Every user-entered string is
HTML-escaped here, in Python, before it reaches the browser; the JSON is also
made safe to sit inside a ``<script>``.

Stable maps. st_folium keys its iframe by a hash of the base map's script, so
the base map (tiles and a fixed starting view) stays identical between reruns
and the results travel in ``feature_group_to_add``, which streamlit-folium
swaps in place: a new search updates the markers without reloading the map.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

import folium
import folium.folium
import folium.plugins
from branca.element import CssLink, Element, JavascriptLink
from folium.elements import JSCSSMixin
from folium.template import Template

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster

from directory.fields import without_bidi_controls

LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)
MARKERCLUSTER_DIR = Path(xs_markercluster.BASE_DIR)
# Supercluster 9.1.0 (ISC licence, Mapbox), as published on npm: no Python package ships it.
SUPERCLUSTER_DIR = Path(__file__).parent / "vendor" / "supercluster"

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

# One colour and one mark per category. Each colour is at least 3:1 against the map's own background (#eef1f4)
# and OpenStreetMap's usual colours (land, roads, parks, woods, water), and 5:1 or more under a white mark;
# the mark (a letter, or £ and +) tells the categories apart without colour (WCAG 2.2, 1.4.1 and 1.4.11).
CATEGORY_COLOURS: dict[str, str] = {
    "treatment": "#c62828",
    "recovery_support": "#b84500",
    "health_wellbeing": "#00695c",
    "housing": "#6a1b9a",
    "money_advice": "#7a5d00",
    "basic_skills": "#1565c0",
    "training": "#1a237e",
    "volunteering": "#2e7d32",
    "work_placement": "#ad1457",
    "employment_support": "#37474f",
    "employer": "#5d4037",
    "self_employment": "#4e6a00",
    "peer_mentoring": "#a0007a",
    "in_work_support": "#005b82",
}
CATEGORY_MARKS: dict[str, str] = {
    "treatment": "T", "recovery_support": "R", "health_wellbeing": "+", "housing": "H", "money_advice": "£",
    "basic_skills": "B", "training": "Ed", "volunteering": "V", "work_placement": "P", "employment_support": "J",
    "employer": "E", "self_employment": "S", "peer_mentoring": "M", "in_work_support": "W",
}
FALLBACK_COLOUR = "#566573"
FALLBACK_MARK = "?"


def category_colour(code: str) -> str:
    return CATEGORY_COLOURS.get(code, FALLBACK_COLOUR)


def category_mark(code: str) -> str:
    return CATEGORY_MARKS.get(code, FALLBACK_MARK)


def pin_html(code: str) -> str:
    """A category's pin as the map draws it, for a key beside the map (same colour, same mark)."""
    return (f'<span class="rp-key-pin" aria-hidden="true" style="display:inline-block;min-width:1.35rem;'
            f'height:1.35rem;border-radius:.7rem;background:{category_colour(code)};color:#fff;'
            f'font:700 .72rem/1.35rem system-ui,sans-serif;text-align:center;vertical-align:middle;'
            f'margin:0 .3rem 0 .6rem;box-shadow:0 0 0 1px rgba(0,0,0,.5)">{html.escape(category_mark(code))}</span>')


def legend_html(counts: dict[str, int], label) -> str:
    """The map's key: each category on the map, its pin and how many results it has, most first."""
    items = "".join(f'<span class="rp-key-item">{pin_html(c)}{map_text(label(c))} ({n:,})</span> '
                    for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f'<div class="rp-legend" role="group" aria-label="Map key">{items}</div>'


# -- serving Leaflet from the app ---------------------------------------------------------


def _declare_asset_components() -> tuple[str, str]:
    """Register the two xstatic folders with Streamlit's component file server; their URL names."""
    import streamlit.components.v1 as components

    leaflet = components.declare_component("leaflet", path=str(LEAFLET_DIR))
    cluster = components.declare_component("markercluster", path=str(MARKERCLUSTER_DIR))
    return leaflet.name, cluster.name


LEAFLET_COMPONENT, MARKERCLUSTER_COMPONENT = _declare_asset_components()


def _served(component: str, filename: str) -> str:
    # Relative to the map iframe (<app>/component/streamlit_folium.st_folium/index.html).
    return f"../{component}/{filename}"


SERVED_JS = {
    "leaflet": _served(LEAFLET_COMPONENT, "leaflet.js"),
    "markercluster": _served(MARKERCLUSTER_COMPONENT, "leaflet.markercluster.js"),
}
SERVED_CSS = {
    "leaflet_css": _served(LEAFLET_COMPONENT, "leaflet.css"),
    "markercluster_css": _served(MARKERCLUSTER_COMPONENT, "MarkerCluster.css"),
    "markercluster_default_css": _served(MARKERCLUSTER_COMPONENT, "MarkerCluster.Default.css"),
}
ASSET_FILES = {
    "leaflet": LEAFLET_DIR / "leaflet.js",
    "markercluster": MARKERCLUSTER_DIR / "leaflet.markercluster.js",
    "leaflet_css": LEAFLET_DIR / "leaflet.css",
    "markercluster_css": MARKERCLUSTER_DIR / "MarkerCluster.css",
    "markercluster_default_css": MARKERCLUSTER_DIR / "MarkerCluster.Default.css",
}


def use_app_served_assets() -> None:
    """Point folium's default asset lists at the app's own copies; drop every other CDN asset.

    Map keeps only Leaflet (jQuery, Bootstrap, glyphicons, Font Awesome and
    awesome-markers are never used here); MarkerCluster (and FastMarkerCluster,
    which inherits them) load the plugin from the app too. The lists are changed
    in place as well, so code holding the module-level lists sees the same.
    """
    map_js = [("leaflet", SERVED_JS["leaflet"])]
    map_css = [("leaflet_css", SERVED_CSS["leaflet_css"])]
    folium.folium._default_js[:] = map_js
    folium.folium._default_css[:] = map_css
    folium.Map.default_js = folium.folium._default_js
    folium.Map.default_css = folium.folium._default_css
    folium.plugins.MarkerCluster.default_js = [("markerclusterjs", SERVED_JS["markercluster"])]
    folium.plugins.MarkerCluster.default_css = [
        ("markerclustercss", SERVED_CSS["markercluster_css"]),
        ("markerclusterdefaultcss", SERVED_CSS["markercluster_default_css"]),
    ]


use_app_served_assets()


def _data_uri(path: Path, mime: str | None = None) -> str:
    mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_text(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.M)
    if path.suffix == ".css":
        # Images the stylesheet names relative to itself go inline too.
        text = re.sub(r"url\((images/[^)]+)\)", lambda m: f"url({_data_uri(path.parent / m.group(1))})", text)
    return text.encode("utf-8")


def inline_asset(name: str) -> str:
    path = ASSET_FILES[name]
    mime = "text/css" if path.suffix == ".css" else "text/javascript"
    return f"data:{mime};base64,{base64.b64encode(_inline_text(path)).decode('ascii')}"


def inline_assets(*elements: JSCSSMixin) -> None:
    """Give these elements data: URI copies of their assets (for a map saved as a standalone file)."""
    served_to_name = {url: name for name, url in (SERVED_JS | SERVED_CSS).items()}
    for element in elements:
        element.default_js = [(n, inline_asset(served_to_name.get(u, n)) if u in served_to_name else u)
                              for n, u in element.default_js]
        element.default_css = [(n, inline_asset(served_to_name.get(u, n)) if u in served_to_name else u)
                               for n, u in element.default_css]


# -- tiles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tiles:
    url: str | None          # None: no tiles at all (district outlines only)
    attribution: str


def tiles_config(secrets: Any = None) -> Tiles:
    """Tiles from $RP_TILES_URL (and $RP_TILES_ATTRIBUTION), else secrets ``[tiles] url/attribution``,
    else OpenStreetMap. The URL "none" switches tiles off."""
    url = os.environ.get("RP_TILES_URL")
    attribution = os.environ.get("RP_TILES_ATTRIBUTION")
    if not url and secrets is not None:
        try:
            section = secrets.get("tiles") or {}
            url = section.get("url")
            attribution = attribution or section.get("attribution")
        except Exception:  # no secrets file: that is the normal case
            url = None
    url = (url or OSM_TILES).strip()
    if url.lower() == "none":
        return Tiles(None, "")
    if url == OSM_TILES and not attribution:
        attribution = OSM_ATTRIBUTION
    return Tiles(url, attribution or "Map tiles")


# -- the map -----------------------------------------------------------------------------

MAP_STYLE = """
<style>
  .leaflet-container { background: #eef1f4; font: 14px/1.4 "Source Sans Pro", system-ui, sans-serif; }
  .rp-pin { background: transparent; border: 0; }
  .rp-pin span { display: block; min-width: 20px; height: 20px; box-sizing: border-box; border-radius: 10px;
                 border: 2px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,.6); color: #fff; text-align: center;
                 font: 700 11px/16px system-ui, sans-serif; }
  /* Clusters: dark discs with white figures (Leaflet.markercluster's pale greens and yellows were under 3:1
     against the map), the size telling how many. */
  .leaflet-container .marker-cluster-small, .leaflet-container .marker-cluster-medium,
  .leaflet-container .marker-cluster-large { background: rgba(255,255,255,.8);
                 box-shadow: 0 0 0 1px rgba(0,0,0,.6); }
  .leaflet-container .marker-cluster-small div, .leaflet-container .marker-cluster-medium div,
  .leaflet-container .marker-cluster-large div { background: #1f2d3d; }
  .leaflet-container .marker-cluster div span { color: #fff; font-weight: 700; }
  .rp-map-status { background: #fff; color: #1f2d3d; padding: 4px 8px; border-radius: 4px; max-width: 260px;
                   box-shadow: 0 0 0 1px rgba(0,0,0,.3); }
  .rp-map-status:empty { display: none; }
  .rp-client { background: transparent; border: 0; }
  .rp-client div { width: 18px; height: 18px; border-radius: 50%; background: #111; border: 4px solid #fff;
                   box-shadow: 0 0 0 2px #111; box-sizing: border-box; }
  .rp-client b { position: absolute; left: 24px; top: -1px; white-space: nowrap; background: #111; color: #fff;
                 padding: 1px 6px; border-radius: 3px; font-size: 12px; }
  .rp-district { background: transparent; border: 0; color: #3d4f63; font-weight: 600; font-size: 12px;
                 text-shadow: 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap; }
  /* An area a result serves: a label on a dark ground (white on #1f2d3d is over 13:1), its edge the category's colour. */
  .rp-area { background: transparent; border: 0; }
  .rp-area b { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); white-space: nowrap;
               background: #1f2d3d; color: #fff; padding: 2px 7px; border-radius: 3px; font-size: 12px;
               border-left: 6px solid var(--rp-area-colour, #1f2d3d); }
  .rp-area:focus { outline: none; }
  .rp-area:focus b, .rp-area:hover b { outline: 3px solid #ffbf47; }
  .rp-popup b { font-size: 15px; }
  .rp-popup .rp-cat { color: #444; }
  .rp-popup a { display: inline-block; margin-top: 4px; }
  /* Small enough to stay on one line over the entry page's narrow map, clear of the scale bar. */
  .leaflet-container .leaflet-control-attribution { font-size: 11px; line-height: 1.4; }
</style>
"""


class _KeepPageStill(folium.MacroElement):
    """Leaflet focuses a map when it is pressed and then restores only its own frame's scroll, so a page
    showing part of the map scrolled under the pointer and the click (on a marker, an area) was lost."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            if (!map.keyboard || !map.keyboard.enabled()) { return; }
            map.keyboard.disable();
            map.keyboard._onMouseDown = function () {
                if (!this._focused) { this._map.getContainer().focus({preventScroll: true}); }
            };
            map.keyboard.enable();
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)


ZOOM_LOCK = re.compile(r"\s*,\s*maximum-scale\s*=\s*[\d.]+|\s*,\s*user-scalable\s*=\s*(no|0)", re.I)


class _ZoomableMap(folium.Map):
    """folium's header tells the browser not to let the map's frame be zoomed (maximum-scale=1.0,
    user-scalable=no); people who need larger text must be able to zoom (WCAG 2.2, 1.4.4). The header is
    rendered without that, so the frame never has it, not even before a script could change it."""

    def render(self, **kwargs):
        super().render(**kwargs)
        header = self._template.module.__dict__["header"](self, kwargs)
        self.get_root().header.add_child(_RenderedText(ZOOM_LOCK.sub("", header)), name=self.get_name())


def base_map(tiles: Tiles, centre: tuple[float, float], zoom: int = 12, height: str = "100%") -> folium.Map:
    """The part of the map that never changes between searches (so it never reloads)."""
    # maxZoom on the map itself: with tiles switched off no tile layer sets one, and the
    # marker-cluster plugin refuses to draw without it.
    fmap = _ZoomableMap(location=[round(centre[0], 4), round(centre[1], 4)], zoom_start=zoom, tiles=None,
                      control_scale=True, height=height)
    fmap.options["max_zoom"] = 19  # folium's own max_zoom argument only reaches tile layers
    # Zoomed out no further than Great Britain: the results layer clusters for every zoom level the
    # map allows, so the world's five widest levels would be a quarter of its work.
    fmap.options["min_zoom"] = 5
    if tiles.url:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name="Map", max_zoom=19).add_to(fmap)
    fmap.get_root().header.add_child(Element(MAP_STYLE), name="rp_style")
    fmap.add_child(_KeepPageStill())
    return fmap


def _safe_json(value: Any) -> str:
    """JSON that can sit inside a <script> element whatever the strings hold."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def map_text(value) -> str:
    """Text for a map's HTML (popups, tooltips, labels): HTML-escaped, with { and } as character references.

    folium's elements hand their rendered output back to Jinja (branca compiles each rendered piece as a
    template and renders it again whenever the whole map is rendered, as streamlit-folium does), so
    `{{ ... }}` typed into an entry's name or an uploaded area's name would otherwise run as template
    code on the server. The browser shows `&#123;` as `{`. Bidirectional controls are taken out, as by ui.esc."""
    text = without_bidi_controls("" if value is None else str(value))
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


class MapPoint(NamedTuple):  # a tuple: a search can make 10,000 of them
    latitude: float
    longitude: float
    category: str
    name: str
    entry_id: str
    when: str          # "Thursdays 10am to 12pm · next: Thu 27 Nov, 10am"
    distance: str      # "1.2 km" or ""


class MapArea(NamedTuple):
    """A result that serves the client's area, drawn as one of its areas (directory.areas.AreaShape)."""

    latitude: float
    longitude: float
    radius_km: float
    area: str          # the area's name, as the feed gave it
    category: str
    name: str          # the service's
    entry_id: str


def areas_payload(areas: Sequence[MapArea], categories: dict[str, str]) -> list:
    """[lat, lon, radius in metres, escaped service name, escaped area name, colour, escaped category, entry id]."""
    return [[round(a.latitude, 5), round(a.longitude, 5), max(200, round(a.radius_km * 1000)), map_text(a.name),
             map_text(a.area), category_colour(a.category), map_text(categories.get(a.category, a.category)),
             a.entry_id] for a in areas]


def results_payload(points: Sequence[MapPoint], categories: dict[str, str]) -> dict:
    """The compact, escaped form of the results the browser turns into markers.

    rows: [lat, lon, category index, escaped name, entry id, times index(, distance index)];
    cats: [escaped label, colour, escaped mark]; category labels, time texts and distance texts are listed once each (directories repeat a
    few timetables, and distances are rounded), which keeps 10,000 results well under a megabyte.
    """
    import numpy as np

    cat_index: dict[str, int] = {}
    when_index: dict[str, int] = {}
    distance_index: dict[str, int] = {}
    lat = np.round(np.fromiter((p.latitude for p in points), np.float64, len(points)), 5).tolist()
    lon = np.round(np.fromiter((p.longitude for p in points), np.float64, len(points)), 5).tolist()
    escape = map_text
    rows = []
    for p, y, x in zip(points, lat, lon):
        c = cat_index.setdefault(p.category, len(cat_index))
        w = when_index.setdefault(p.when, len(when_index))
        row = [y, x, c, escape(p.name), p.entry_id, w]
        if p.distance:
            row.append(distance_index.setdefault(p.distance, len(distance_index)))
        rows.append(row)
    return {
        "cats": [[escape(categories.get(c, c)), category_colour(c), escape(category_mark(c))] for c in cat_index],
        "when": [escape(w) for w in when_index],
        "dist": [escape(d) for d in distance_index],
        "rows": rows,
    }


class ResultsLayer(JSCSSMixin, folium.MacroElement):
    """Search results, the client's place and district outlines, added to a FeatureGroup.

    The results are clustered in the browser with Supercluster (all zoom levels indexed at once, in
    a few tens of milliseconds for 10,000 points), and only the clusters and markers inside the view
    are put on the map, again after each move. A cluster opens by zooming in; where entries share
    one spot and zooming cannot part them, it lists them instead. Popups and tooltips are built when
    first needed. The map then fits the results (or the search circle), so each search shows its
    answer.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.library }}
        var {{ this.get_name() }} = (function () {
            var group = {{ this._parent.get_name() }};
            var map = {{ this._parent._parent.get_name() }};
            var data = {{ this.payload }};
            var entryBase = null;
            var decoderArea = document.createElement("textarea");  // escaped text back to plain text, never markup
            try { entryBase = new URL({{ this.entry_path }}, document.baseURI).href; } catch (e) {}
            var icons = {};  // one shared icon per category colour and mark
            function iconOf(cat) {
                var key = cat[1] + cat[2];
                return icons[key] || (icons[key] = L.divIcon({className: "rp-pin",
                    html: '<span style="background:' + cat[1] + '">' + cat[2] + '</span>',
                    iconSize: [20, 20], iconAnchor: [10, 10], popupAnchor: [0, -9]}));
            }
            function entryLink(r, text) {
                return entryBase ? '<a href="' + entryBase + '?id=' + encodeURIComponent(r[4])
                    + '" target="_blank" rel="noopener">' + text + '</a>' : text;
            }
            // `t`: the table (cats, when, dist) a row's numbers point into: the payload's, or a view's.
            function popup(t, r) {
                var html = '<div class="rp-popup"><b>' + r[3] + '</b><br><span class="rp-cat">' + t.cats[r[2]][0]
                    + '</span>';
                if (r.length > 6) { html += ' &middot; ' + t.dist[r[6]]; }
                html += '<br>' + t.when[r[5]];
                if (entryBase) { html += '<br>' + entryLink(r, "Open full entry"); }
                return html + '</div>';
            }
            function listHere(t, rows, n) {
                return '<div class="rp-popup"><b>' + n + ' results at this place</b><ul class="rp-here">'
                    + rows.map(function (r) {
                        return '<li>' + entryLink(r, r[3]) + ' <span class="rp-cat">' + t.cats[r[2]][0] + '</span></li>';
                      }).join("") + '</ul>' + (n > rows.length ? '<i>and ' + (n - rows.length) + ' more</i>' : '')
                    + '</div>';
            }
            if (data.outlines) {
                L.geoJSON(data.outlines, {interactive: false, style: {color: "#5d6d7e", weight: 1.2,
                    dashArray: "4 4", fillColor: "#5d6d7e", fillOpacity: 0.03}}).addTo(group);
                data.outlines.features.forEach(function (f) {
                    L.marker([f.properties.label_lat, f.properties.label_lon], {interactive: false, keyboard: false,
                        icon: L.divIcon({className: "rp-district", html: f.properties.district, iconSize: null})
                    }).addTo(group);
                });
            }
            if (data.circle) {
                L.circle([data.circle[0], data.circle[1]], {radius: data.circle[2], interactive: false,
                    color: "#111", weight: 1.5, dashArray: "6 6", fill: false}).addTo(group);
            }
            if (data.areas) {
                // Results that serve the client's area: a translucent circle for each area, and a label that is
                // reached by the keyboard like the pins and opens the same kind of popup.
                data.areas.forEach(function (a) {
                    L.circle([a[0], a[1]], {radius: a[2], interactive: false, color: a[5], weight: 2,
                        fillColor: a[5], fillOpacity: 0.12}).addTo(group);
                    var label = L.marker([a[0], a[1]], {riseOnHover: true, icon: L.divIcon({className: "rp-area",
                        html: '<b style="--rp-area-colour:' + a[5] + '">' + a[3] + ' &middot; ' + a[4] + '</b>',
                        iconSize: [2, 2], iconAnchor: [1, 1]})});  // the label is centred on it by CSS
                    label.on("add", function () {
                        var element = label.getElement();
                        if (element) {
                            decoderArea.innerHTML = a[3] + ", " + a[6] + ", covers " + a[4];
                            element.setAttribute("aria-label", decoderArea.value);
                        }
                    });
                    label.bindPopup('<div class="rp-popup"><b>' + a[3] + '</b><br><span class="rp-cat">' + a[6]
                        + '</span> &middot; covers ' + a[4] + (entryBase ? '<br><a href="' + entryBase + '?id='
                        + encodeURIComponent(a[7]) + '" target="_blank" rel="noopener">Open full entry</a>' : '')
                        + '</div>', {maxWidth: 280, autoPanPaddingTopLeft: [52, 12]});
                    label.addTo(group);
                });
            }
            var maxZoom = map.getMaxZoom();
            var shown = L.layerGroup().addTo(group);
            var onMap = {};
            // Leaflet turns Enter on a focused marker into nothing unless a popup is bound: a marker's own
            // action runs on a click or on Enter, so keyboard users reach everything a mouse does.
            function onActivate(m, action) {
                m.on("click", action);
                m.on("keypress", function (e) { if (e.originalEvent.keyCode === 13) { action(e); } });
            }
            function labelled(m, label) {  // what a screen reader says when the marker has keyboard focus
                m.on("add", function () {
                    var element = m.getElement();
                    if (element) { element.setAttribute("aria-label", label); }
                });
            }
            var decoder = document.createElement("textarea");  // escaped text back to plain text, never markup
            function plain(escaped) { decoder.innerHTML = escaped; return decoder.value; }
            // A result's popup and tooltip are bound when it is first reached; after that they are Leaflet's.
            function resultMarker(t, r) {
                var m = L.marker([r[0], r[1]], {icon: iconOf(t.cats[r[2]]), riseOnHover: true});
                labelled(m, plain(r[3]) + ", " + plain(t.cats[r[2]][0]));
                var dress = function () {
                    if (m.getPopup()) { return false; }
                    m.bindPopup(popup.bind(null, t, r), {maxWidth: 280, autoPanPaddingTopLeft: [52, 12]});
                    m.bindTooltip(r[3], {direction: "top", offset: [0, -9]});
                    return true;
                };
                m.once("mouseover", function () { if (dress()) { m.openTooltip(); } });
                onActivate(m, function () { if (dress()) { m.openPopup(); } });
                return m;
            }
            // A cluster: `zoomIn()` when zooming in parts it, else `here()` gives the list of what is at its place.
            function clusterMarker(where, n, zoomIn, here) {
                var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
                var title = n + (zoomIn ? " results here: select to zoom in" : " results at one place: select to list them");
                var m = L.marker(where, {
                    icon: L.divIcon({html: "<div><span>" + n + "</span></div>", iconSize: [40, 40],
                                     className: "marker-cluster marker-cluster-" + size}),
                    title: title});
                labelled(m, title);
                onActivate(m, function () {
                    if (m.getPopup()) { return; }  // already a list: Leaflet opens and closes it
                    if (zoomIn) { zoomIn(); return; }
                    m.bindPopup(here(), {maxWidth: 320, maxHeight: 260, autoPanPaddingTopLeft: [52, 12]}).openPopup();
                });
                return m;
            }
            // Put on the map exactly the markers in `found` ({key: function making the marker}), keeping
            // those already there.
            function show(found) {
                var next = {};
                for (var key in found) {
                    var m = onMap[key];
                    if (m === undefined) { m = found[key](); shown.addLayer(m); }
                    next[key] = m;
                    delete onMap[key];
                }
                for (var gone in onMap) { shown.removeLayer(onMap[gone]); }
                onMap = next;
            }
            var update;
            if (data.remote) {
                // More results than a page should carry: the server clusters them and sends each view's
                // clusters and single results (ui/map_clusters.py); the first view came with the page.
                var status = L.control({position: "bottomleft"});
                status.onAdd = function () {
                    var box = L.DomUtil.create("div", "rp-map-status");
                    box.setAttribute("role", "status");
                    return box;
                };
                status.addTo(map);
                group.on("remove", function () { status.remove(); });
                var say = function (text) { status.getContainer().textContent = text; };
                var viewUrl = null;
                try { viewUrl = new URL(data.remote.url, document.baseURI).href; } catch (e) {}
                var asked = 0, pending = null, first = data.remote.first;
                var drawView = function (v) {
                    var found = {};
                    v.rows.forEach(function (r) {
                        found["p" + r[4]] = function () { return resultMarker(v, r); };
                    });
                    v.clusters.forEach(function (c) {
                        var where = [c[0], c[1]], n = c[2], leaves = v.here.slice(c[7], c[8]);
                        var zoomIn = leaves.length ? null : function () {
                            var box = L.latLngBounds([c[3], c[4]], [c[5], c[6]]);
                            var to = Math.min(maxZoom, Math.max(v.zoom + 1, map.getBoundsZoom(box, false, L.point(36, 36))));
                            map.setView(box.getCenter(), to);
                        };
                        found["c" + v.zoom + ":" + c[0] + "," + c[1] + ":" + n] = function () {
                            return clusterMarker(where, n, zoomIn, function () { return listHere(v, leaves, n); });
                        };
                    });
                    show(found);
                };
                update = function () {
                    var zoom = Math.round(map.getZoom()), b = map.getBounds();
                    if (first && first.zoom === zoom && first.bbox[0] <= b.getWest() && first.bbox[1] <= b.getSouth()
                            && first.bbox[2] >= b.getEast() && first.bbox[3] >= b.getNorth()) {
                        drawView(first);
                        return;
                    }
                    if (!viewUrl) { return; }
                    var v = b.pad(0.3), mine = ++asked;
                    var box = [Math.max(-180, v.getWest()), Math.max(-85, v.getSouth()), Math.min(180, v.getEast()),
                               Math.min(85, v.getNorth())].map(function (x) { return x.toFixed(5); }).join(",");
                    if (pending) { pending.abort(); }
                    pending = new AbortController();
                    fetch(viewUrl + "?set=" + encodeURIComponent(data.remote.set) + "&bbox=" + box + "&zoom=" + zoom,
                          {signal: pending.signal, credentials: "same-origin"})
                        .then(function (response) {
                            if (!response.ok) { throw new Error(response.status); }
                            return response.json();
                        })
                        .then(function (answer) { if (mine === asked) { say(""); drawView(answer); } })
                        .catch(function (error) {
                            if (mine === asked && error.name !== "AbortError") {
                                say("The map could not fetch the results for this view. The list beside the map "
                                    + "has every result; reload the page to try the map again.");
                            }
                        });
                };
                window.rp_results = {total: data.remote.total, set: data.remote.set};
            } else {
                var index = new Supercluster({radius: 45, extent: 256, minZoom: Math.max(0, map.getMinZoom()),
                                              maxZoom: maxZoom});
                index.load(data.rows.map(function (r, i) {
                    return {type: "Feature", properties: {row: i}, geometry: {type: "Point", coordinates: [r[1], r[0]]}};
                }));
                update = function () {
                    var view = map.getBounds().pad(0.3);
                    var found = {};
                    index.getClusters([view.getWest(), view.getSouth(), view.getEast(), view.getNorth()],
                                      Math.round(map.getZoom())).forEach(function (f) {
                        if (!f.properties.cluster) {
                            var r = data.rows[f.properties.row];
                            found["p" + f.properties.row] = function () { return resultMarker(data, r); };
                            return;
                        }
                        var id = f.properties.cluster_id, n = f.properties.point_count;
                        var where = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
                        var zoom = index.getClusterExpansionZoom(id);
                        found["c" + id] = function () {
                            return clusterMarker(where, n, zoom <= maxZoom ? function () { map.setView(where, zoom); } : null,
                                function () {
                                    // Entries at one address: zooming in cannot part them, so list them.
                                    return listHere(data, index.getLeaves(id, 50).map(function (leaf) {
                                        return data.rows[leaf.properties.row]; }), n);
                                });
                        };
                    });
                    show(found);
                };
                // For tests and debugging: what the results layer holds.
                window.rp_results = {entryIds: function () { return data.rows.map(function (r) { return r[4]; }); }};
            }
            map.on("moveend", update);
            group.on("remove", function () { map.off("moveend", update); });
            if (data.client) {
                L.marker([data.client[0], data.client[1]], {keyboard: false, interactive: false, zIndexOffset: -1000,
                    icon: L.divIcon({className: "rp-client", html: '<div></div><b>' + data.client[2] + '</b>',
                                     iconSize: [18, 18], iconAnchor: [9, 9]})
                }).addTo(group);
            }
            if (data.bounds) {
                // The iframe is sized after the map is made: fit now, and again while it settles
                // (until the user moves the map themselves).
                var fit = function () {
                    map.invalidateSize({pan: false});
                    map.fitBounds(data.bounds, {maxZoom: data.max_zoom || 15, padding: [36, 36], animate: false});
                };
                fit();
                var settleUntil = Date.now() + 4000, userMoved = false;
                map.once("dragstart zoomstart", function (e) { if (e.originalEvent !== undefined) { userMoved = true; } });
                map.getContainer().addEventListener("pointerdown", function () { userMoved = true; }, {once: true});
                var onResize = function () {
                    if (userMoved || Date.now() > settleUntil) { window.removeEventListener("resize", onResize); return; }
                    fit();
                };
                window.addEventListener("resize", onResize);
                setTimeout(function () { if (!userMoved) { fit(); } }, 250);
            }
            update();
            return shown;
        })();
        {% endmacro %}
    """)

    # Supercluster (10 KB) travels inside the results script rather than as a file of its own:
    # streamlit-folium loads a map's files one after another before drawing anything, and a third
    # file cost ~50 ms on every page load (component files are served without cache headers).
    default_js: list = []
    default_css = [("markerclusterdefaultcss", SERVED_CSS["markercluster_default_css"])]

    def __init__(self, payload_json: str, entry_path: str = "../../entry"):
        """`payload_json`: from results_group_json (already safe inside a <script>)."""
        super().__init__()
        self._name = "ResultsLayer"
        self.payload = payload_json
        self.entry_path = _safe_json(entry_path)
        # A national result set is clustered on the server (ui/map_clusters.py): no Supercluster then.
        self.library = "" if payload_json.startswith(REMOTE_PREFIX) else _supercluster_script()

    def render(self, **kwargs):
        """As folium renders a macro element, except that the script joins the page as finished text:
        branca would compile it as a Jinja template, which for 10,000 results (750 KB) is a third of
        the time the map takes to build, and would read any `{{` a name holds as template code."""
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        figure.script.add_child(_RenderedText(self._template.module.script(self, kwargs)), name=self.get_name())


@functools.lru_cache(maxsize=1)
def _supercluster_script() -> str:
    """Supercluster's own code, defined once per map frame (a new search's script finds it there)."""
    code = (SUPERCLUSTER_DIR / "supercluster.min.js").read_text(encoding="utf-8")
    if "</" in code:  # it sits inside a <script> element
        raise ValueError("supercluster.min.js cannot be inlined as it is")
    return f'if (typeof Supercluster === "undefined") {{\n{code}\n}}\n'


class _RenderedText(Element):
    """Text that is already rendered: shown as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def results_group(points: Sequence[MapPoint], categories: dict[str, str], *,
                  client: tuple[float, float, str] | None = None, radius_km: float | None = None,
                  bounds: list[list[float]] | None = None, outlines: dict | None = None,
                  max_zoom: int = 15) -> folium.FeatureGroup:
    """Everything that changes with a search, as one FeatureGroup for st_folium's feature_group_to_add."""
    return group_of(results_group_json(points, categories, client=client, radius_km=radius_km, bounds=bounds,
                                       outlines=outlines, max_zoom=max_zoom))


def group_of(payload_json: str) -> folium.FeatureGroup:
    """The FeatureGroup for a payload made by results_group_json (a new one every run: st_folium attaches
    it to that run's map)."""
    group = folium.FeatureGroup(name="Results", control=False)
    group.add_child(ResultsLayer(payload_json))
    return group


def results_group_json(points: Sequence[MapPoint], categories: dict[str, str], *,
                       client: tuple[float, float, str] | None = None, radius_km: float | None = None,
                       bounds: list[list[float]] | None = None, outlines: dict | None = None,
                       max_zoom: int = 15, remote: dict | None = None, areas: Sequence[MapArea] = ()) -> str:
    """The results, the client's place, the radius and outlines as the JSON the browser reads: finished
    text, so it can be kept and used again while the search and the directory stay the same.
    With `remote` (from remote_results) the results stay on the server and `points` is not used; `areas`
    (results serving the client's area, few) travel whole either way."""
    payload = {"remote": remote} if remote is not None else results_payload(points, categories)
    if areas:
        payload["areas"] = areas_payload(areas, categories)
    if client is not None:
        payload["client"] = [round(client[0], 5), round(client[1], 5), map_text(f"Client · {client[2]}")]
        if radius_km:
            payload["circle"] = [round(client[0], 5), round(client[1], 5), round(radius_km * 1000)]
    if outlines:
        payload["outlines"] = outlines
    if bounds:
        payload["bounds"] = bounds
        payload["max_zoom"] = max_zoom
    return _safe_json(payload)


REMOTE_PREFIX = '{"remote":'   # how a payload for server clustering begins (results_group_json)
VIEW_PATH = "../../map/view"  # ui/map_view.py, relative to the map's frame


def view_payload(found: dict, categories: dict[str, str]) -> dict:
    """A view from ui.map_clusters.view as the browser reads it: the results_payload tables and rows of its
    single results, `clusters` as [lat, lon, count, south, west, north, east, first, end], where `first`
    and `end` pick a place's listed rows out of `here` (none for a cluster that parts on zooming in)."""
    points = list(found["points"])
    spans = []
    for cluster in found["clusters"]:
        spans.append((len(points) - len(found["points"]), len(points) - len(found["points"]) + len(cluster[7])))
        points.extend(cluster[7])
    payload = results_payload(points, categories)
    rows = payload.pop("rows")
    payload["rows"], payload["here"] = rows[:len(found["points"])], rows[len(found["points"]):]
    payload["zoom"], payload["bbox"] = found["zoom"], [round(v, 5) for v in found["bbox"]]
    payload["clusters"] = [[round(c[0], 5), round(c[1], 5), c[2], round(c[3], 5), round(c[4], 5), round(c[5], 5),
                            round(c[6], 5), first, end] for c, (first, end) in zip(found["clusters"], spans)]
    return payload


def remote_results(result_set, bounds: list[list[float]] | None, categories: dict[str, str],
                   max_zoom: int = 15) -> dict:
    """Keep `result_set` (a ui.map_clusters.ResultSet) for the map to ask about; the `remote` part of the
    payload: its token, where to ask, how many there are and the first view, so the map draws at once."""
    from ui import map_clusters

    token = map_clusters.keep(result_set)
    remote = {"set": token, "url": VIEW_PATH, "total": len(result_set)}
    if bounds:
        zoom = map_clusters.initial_zoom(bounds, max_zoom=max_zoom)
        (south, west), (north, east) = bounds
        # The results' bounds and as much again each side: covers the view fitBounds makes of them (the
        # bounds fill at most 640 px at this zoom, so the box is well inside MAX_VIEW_PX).
        dy, dx = north - south, east - west
        box = (max(-180.0, west - dx), max(-85.0, south - dy), min(180.0, east + dx), min(85.0, north + dy))
        try:
            remote["first"] = view_payload(map_clusters.view(result_set, box, zoom), categories)
        except map_clusters.ViewTooLarge:
            pass  # the map asks for its view as it opens
    return remote


def show_one_place(point: MapPoint, tiles: Tiles, *, key: str, height: int) -> None:
    """One place on a small map (an entry's, or a postcode's before it is saved), with the nearby postcode
    districts outlined so the map keeps its bearings when tiles cannot load."""
    from directory import codes
    from directory.geo import Bounds, district_outlines, districts_in

    bounds = Bounds.around([(point.latitude, point.longitude)], pad_km=0.6)
    try:
        near = districts_in(bounds.union(Bounds.around([(point.latitude, point.longitude)], pad_km=2.5)), limit=30)
        outlines = outlines_geojson(district_outlines(near)) if near else None
    except Exception:  # outlines are an aid; the pin is what matters
        outlines = None
    fmap = base_map(tiles, (point.latitude, point.longitude), 15)
    group = results_group([point], codes.CATEGORIES, bounds=bounds.as_leaflet(), max_zoom=15, outlines=outlines)
    show_map(fmap, group, key=key, height=height)


def outlines_geojson(frame) -> dict | None:
    """District outlines (a GeoDataFrame from directory.geo) as small GeoJSON; escaped names."""
    if frame is None or len(frame) == 0:
        return None
    import shapely

    features = []
    for row in frame.itertuples(index=False):
        # About 50 m of simplification: invisible at the zooms a district is seen whole (the outline
        # is itself only the hull of its postcodes), and a third fewer bytes with every search.
        geometry = shapely.set_precision(row.geometry.simplify(0.0005, preserve_topology=True), 1e-5)
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(geometry),
            "properties": {"district": map_text(row.district),
                           "label_lat": float(row.label_lat), "label_lon": float(row.label_lon)},
        })
    return {"type": "FeatureCollection", "features": json.loads(json.dumps(features))}


# -- what st_folium would send (for the benchmark and tests) ------------------------------


def st_folium_parts(fmap: folium.Map, group: folium.FeatureGroup | None) -> dict[str, Any]:
    """The strings streamlit-folium sends to the browser for this map and group (no Streamlit needed)."""
    import streamlit_folium as sf

    fmap.get_root().render()
    fmap.render()
    html_part = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    group_string = sf._get_feature_group_string(group, map=fmap) if group is not None else ""
    js, css = [], []
    for element in _walk(fmap):
        js.extend(src for _, src in getattr(element, "default_js", []))
        css.extend(href for _, href in getattr(element, "default_css", []))
    return {"script": script, "header": header, "html": html_part, "feature_group": group_string,
            "js_links": list(dict.fromkeys(js)), "css_links": list(dict.fromkeys(css))}


def _walk(element) -> Iterable:
    if isinstance(element, JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def payload_bytes(parts: dict[str, Any]) -> int:
    return sum(len(v.encode("utf-8")) if isinstance(v, str) else sum(len(x) for x in v) for v in parts.values())


def show_map(fmap: folium.Map, group: folium.FeatureGroup | None, *, key: str, height: int):
    """Draw the map in Streamlit. Panning and zooming never rerun the page (nothing is returned),
    and a new `group` replaces the markers in place instead of reloading the map."""
    from streamlit_folium import st_folium

    _declare_asset_components()  # idempotent; makes sure this server serves the files
    return st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=[],
                     feature_group_to_add=group)
