"""The Find map's view of a national-size search: GET /map/view?set=TOKEN&bbox=W,S,E,N&zoom=Z (app.py's st.App).

Not part of the Open Referral API (so on whatever RP_API says): the map's own frame asks it for the clusters
and single results in its view when a search has more results than a page should carry (ui/map_clusters.py).
`set` is the token the Find page gave that search's map; it is the only way to the results, so nothing here
is more open than the page. The answer is JSON made by ui.maps.view_payload, every text HTML-escaped; a bad
parameter is a 400 and an unknown or expired set a 404, each with {"error": "..."}. The work is bounded by
ui.map_clusters (a view of at most MAX_VIEW_PX pixels each way).
"""

from __future__ import annotations

import json
import math
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PATH = "/map/view"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _answer(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status,
                    media_type="application/json", headers=_HEADERS)


def _bbox(text: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    if len(parts) != 4 or len(text) > 200:
        raise ValueError("bbox must be four numbers: west,south,east,north")
    west, south, east, north = (float(p) for p in parts)
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError("bbox must be four numbers: west,south,east,north")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError("bbox must be west,south,east,north in degrees, west of east and south of north")
    return west, south, east, north


def map_view(request: Request) -> Response:
    from directory import codes
    from ui import map_clusters, maps

    token = request.query_params.get("set", "")
    if not _TOKEN.match(token):
        return _answer({"error": "set must be the token the Find page gave its map"}, 400)
    try:
        bbox = _bbox(request.query_params.get("bbox", ""))
    except ValueError as error:
        return _answer({"error": str(error)}, 400)
    zoom_text = request.query_params.get("zoom", "")
    if not zoom_text.isdigit() or int(zoom_text) > map_clusters.MAX_ZOOM:
        return _answer({"error": f"zoom must be a whole number from 0 to {map_clusters.MAX_ZOOM}"}, 400)
    result_set = map_clusters.kept(token)
    if result_set is None:
        return _answer({"error": "This map's results are no longer kept: reload the page."}, 404)
    try:
        found = map_clusters.view(result_set, bbox, int(zoom_text))
    except map_clusters.ViewTooLarge as error:
        return _answer({"error": str(error)}, 400)
    return _answer(maps.view_payload(found, result_set.categories or codes.CATEGORIES))


def routes() -> list[Route]:
    return [Route(PATH, map_view, methods=["GET"], name="map-view")]
