"""The directory's Open Referral UK 3.0 read API: Starlette routes served beside the app, under /api/.

    GET /api/                              version, profile, openapi_url
    GET /api/openapi.json                  this API's OpenAPI 3.1 description (ORUK 3.0's, adapted: oruk_api.openapi)
    GET /api/services                      a page of services (filters below), A to Z, or best match first
    GET /api/services/{id}                 one service, fully nested
    GET /api/service_at_locations          a page of services at their locations (nearest first with a postcode)
    GET /api/service_at_locations/{id}     one, fully nested
    GET /api/organizations                 a page of organisations, A to Z
    GET /api/organizations/{id}            one, with its services
    GET /api/taxonomies, /api/taxonomies/{id}, /api/taxonomy_terms, /api/taxonomy_terms/{id}

Read only, no sign-in, every answer (errors too) with `Access-Control-Allow-Origin: *`. The objects are those of
directory/io/oruk.py (the export's), so every answer meets the ORUK 3.0 schemas. Only live entries are served
(archived ones are neither listed nor found by id) and nothing of a client, an account or a person other than
the named contacts every entry and organisation page shows. A bad parameter is a 400 and an unknown id a 404,
each with a JSON reason: {"error": "...", "parameter": "..."}.

Each request's work is bounded: at most MAX_PER_PAGE items a page, a search bounded as the app's
(directory.search.bound_query; a cut search says so in the `X-Search-Notice` header), parameters of at most
MAX_PARAMETER_CHARS characters. The catalogue (oruk_api.catalogue) is made once per directory change.

The API is on unless RP_API=off (or `api = "off"` in .streamlit/secrets.toml), or the directory is only for
people signed in (RP_REQUIRE_SIGN_IN=1 or `require_sign_in_to_view`); off, every /api/ address answers 404 and
says why. docs/open-referral.md says all of this for the people who use it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import uuid
from typing import Any, Callable
from urllib.parse import quote

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from directory.io import oruk

_log = logging.getLogger(__name__)

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
PREFIX = "/api"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
MAX_PARAMETER_CHARS = 1000      # a search is then cut further by bound_query (300 characters, 12 words)
MAX_PROXIMITY_M = 1_000_000     # 1,000 km: more than the length of Great Britain
CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS", "Access-Control-Allow-Headers": "*",
             "Access-Control-Max-Age": "86400"}
OFF_WORDS = {"off", "0", "false", "no"}
# Every method reaches the route, so the others get the JSON answer (405) with the CORS header too.
METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]

DAYS = {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_NUMBER = re.compile(r"^-?\d{1,4}(\.\d{1,4})?$")
_WHOLE = re.compile(r"^\d{1,9}$")
_METRES = re.compile(r"^\d{1,7}(\.\d{1,3})?$")


class BadRequest(Exception):
    def __init__(self, reason: str, parameter: str | None = None):
        super().__init__(reason)
        self.reason, self.parameter = reason, parameter


class NotFoundHere(Exception):
    pass


# --------------------------------------------------------------------------- settings


def _secret(name: str):
    """A value of .streamlit/secrets.toml when the app is served by Streamlit, else None."""
    try:
        import streamlit as st

        return st.secrets.get(name)
    except Exception:  # no secrets file, or not under Streamlit
        return None


def api_switch() -> str | None:
    """None when the API is on; else why it is off, to say in every answer."""
    configured = os.environ.get("RP_API")
    if configured is None:
        secret = _secret("api")
        configured = None if secret is None else str(secret)
    if configured is not None and configured.strip().lower() in OFF_WORDS:
        return "This directory's Open Referral API is turned off (the RP_API setting)."
    if os.environ.get("RP_REQUIRE_SIGN_IN") == "1" or _secret("require_sign_in_to_view"):
        return "This directory is only for people signed in, so it has no public Open Referral API."
    return None


# --------------------------------------------------------------------------- responses


def _json(content: Any, status: int = 200, headers: dict | None = None) -> Response:
    return JSONResponse(content, status_code=status, headers={**CORS, **(headers or {})})


def _error(status: int, reason: str, parameter: str | None = None) -> Response:
    body = {"error": reason}
    if parameter:
        body["parameter"] = parameter
    return _json(body, status)


def endpoint(handler: Callable[..., Response], switch: Callable[[], str | None]):
    """A route's function: preflight, methods, the off switch, and 400/404/500 as JSON."""

    def respond(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        if request.method not in ("GET", "HEAD"):
            return _json({"error": "This API is read only: use GET."}, 405, {"Allow": "GET, HEAD, OPTIONS"})
        off = switch()
        if off:
            return _error(404, off)
        try:
            return handler(request)
        except BadRequest as bad:
            return _error(400, bad.reason, bad.parameter)
        except NotFoundHere as missing:
            return _error(404, str(missing))
        except Exception:
            _log.exception("Open Referral API: %s failed", request.url.path)
            return _error(500, "Something went wrong on the server; try again later.")

    return respond


# --------------------------------------------------------------------------- parameters


def _parameters(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query's parameters we read (others are left alone, as ORUK consumers send some of their own), each
    given once and not too long."""
    found: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            continue
        if name in found:
            raise BadRequest(f"give {name} once", name)
        if len(value) > MAX_PARAMETER_CHARS:
            raise BadRequest(f"{name} is too long: at most {MAX_PARAMETER_CHARS} characters", name)
        found[name] = value
    return found


def _whole(params: dict, name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not _WHOLE.match(text.strip()) or not low <= int(text) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high:,}, not '{text}'", name)
    return int(text)


def _paging(params: dict) -> tuple[int, int]:
    return (_whole(params, "page", 1, 1, MAX_PAGE), _whole(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))


def _number(params: dict, name: str) -> float | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    if not _NUMBER.match(text):
        raise BadRequest(f"{name} must be a number of years, like 16, not '{params[name]}'", name)
    return float(text)


def _uuid(params: dict, name: str) -> str | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise BadRequest(f"{name} must be an id (a UUID such as {oruk.taxonomy_id()}), not '{text}'", name) from None


def _day(params: dict) -> int | None:
    text = (params.get("day") or "").strip().lower()
    if not text:
        return None
    if text[:2] in DAYS and (len(text) == 2 or _DAY_NAMES[DAYS[text[:2]]].startswith(text)):
        return DAYS[text[:2]]
    raise BadRequest(f"day must be a day of the week: MO, TU, WE, TH, FR, SA or SU (or its name), not "
                     f"'{params['day']}'", "day")


def _time(params: dict, name: str) -> int | None:
    """Seconds after midnight of HH:MM or HH:MM:SS (24:00 the end of the day)."""
    text = (params.get(name) or "").strip()
    if not text:
        return None
    match = _TIME.match(text)
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        total = hours * 3600 + minutes * 60 + seconds
        if minutes < 60 and seconds < 60 and total <= 24 * 3600:
            return total
    raise BadRequest(f"{name} must be a time of day as HH:MM or HH:MM:SS, like 09:30, not '{params[name]}'", name)


def _moment(params: dict, name: str) -> float | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.timezone.utc)
        else:
            # An unencoded "+01:00" in a query reads as " 01:00".
            moment = dt.datetime.fromisoformat(text.replace(" ", "+") if "T" in text.upper() else text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.timestamp()
    except (ValueError, OverflowError):
        raise BadRequest(f"{name} must be a date or a date and time (ISO 8601), like 2026-12-01T09:30:00Z, "
                         f"not '{text}'", name) from None


# --------------------------------------------------------------------------- the API


class ReadAPI:
    """The routes over the directory `get_directory()` gives (called per request; the app's cached one)."""

    def __init__(self, get_directory: Callable[[], Any], switch: Callable[[], str | None] = api_switch,
                 public_url: Callable[[], str | None] | None = None):
        self.get_directory = get_directory
        self.switch = switch
        self.public_url = public_url or (lambda: os.environ.get("RP_PUBLIC_URL") or _secret("public_url"))

    def routes(self) -> list[Route]:
        paths = {
            "": self.root, "/openapi.json": self.openapi,
            "/services": self.services, "/services/{id}": self.service,
            "/service_at_locations": self.service_at_locations, "/service_at_locations/{id}": self.service_at_location,
            "/organizations": self.organizations, "/organizations/{id}": self.organization,
            "/taxonomies": self.taxonomies, "/taxonomies/{id}": self.taxonomy,
            "/taxonomy_terms": self.taxonomy_terms, "/taxonomy_terms/{id}": self.taxonomy_term,
        }
        found = []
        for path, handler in paths.items():
            respond = endpoint(handler, self.switch)
            found.append(Route(PREFIX + path + "/", respond, methods=METHODS, name=f"api{path}/"))
            if path:
                found.append(Route(PREFIX + path, respond, methods=METHODS, name=f"api{path}"))
        found.append(Route(PREFIX, endpoint(self.root, self.switch), methods=METHODS, name="api"))
        found.append(Route(PREFIX + "/{rest:path}", endpoint(self.unknown, self.switch), methods=METHODS, name="api-other"))
        return found

    # -- helpers --

    def _catalogue(self):
        from oruk_api.catalogue import catalogue

        return catalogue(self.get_directory())

    def _base(self, request: Request) -> str:
        configured = self.public_url()
        return str(configured).rstrip("/") if configured else str(request.base_url).rstrip("/")

    # -- endpoints --

    def unknown(self, request: Request) -> Response:
        raise NotFoundHere(f"There is no {request.url.path} here: the endpoints are listed at {PREFIX}/openapi.json.")

    def root(self, request: Request) -> Response:
        return _json({"version": HSDS_VERSION, "profile": PROFILE_URL,
                      "openapi_url": f"{self._base(request)}{PREFIX}/openapi.json"})

    def openapi(self, request: Request) -> Response:
        from oruk_api.openapi import document

        return _json(document(f"{self._base(request)}{PREFIX}"))

    def services(self, request: Request) -> Response:
        params = _parameters(request, SERVICE_FILTERS)
        page_number, per_page = _paging(params)
        catalogue = self._catalogue()
        chosen, notice = _filtered(catalogue, params)
        start = (page_number - 1) * per_page
        contents = [catalogue.service_summary(p) for p in chosen[start:start + per_page].tolist()]
        return _json(oruk.page(contents, total_items=len(chosen), page_number=page_number, per_page=per_page),
                     headers=_notice(notice))

    def service(self, request: Request) -> Response:
        found = self._catalogue().service(request.path_params["id"])
        if found is None:
            raise NotFoundHere(f"There is no service {request.path_params['id']} in this directory (an archived "
                               "one is not served).")
        entry, organisation = found
        # The areas it serves are read for this one entry (a small table; they change without the entry).
        return _json(oruk.service(entry, organisation, self._areas_of(entry.id)))

    def _areas_of(self, entry_id: str) -> list[str]:
        with self.get_directory().reader() as uow:
            return uow.harvest.areas_of(entry_id)

    def service_at_locations(self, request: Request) -> Response:
        params = _parameters(request, (*SERVICE_FILTERS, "postcode", "proximity"))
        page_number, per_page = _paging(params)
        catalogue = self._catalogue()
        chosen, notice = _filtered(catalogue, params)
        chosen = chosen[catalogue.located[chosen]]
        place = _place(self.get_directory(), params)
        if place is not None:
            chosen = _nearest(catalogue, chosen, place, params, _serving(self.get_directory(), catalogue, params))
        start = (page_number - 1) * per_page
        contents = [oruk.service_at_location_summary(catalogue.entries[p], catalogue.organisation[p])
                    for p in chosen[start:start + per_page].tolist()]
        return _json(oruk.page(contents, total_items=len(chosen), page_number=page_number, per_page=per_page),
                     headers=_notice(notice))

    def service_at_location(self, request: Request) -> Response:
        found = self._catalogue().service_at_location(request.path_params["id"])
        if found is None:
            raise NotFoundHere(f"There is no service_at_location {request.path_params['id']} in this directory.")
        return _json(oruk.service_at_location(*found))

    def organizations(self, request: Request) -> Response:
        page_number, per_page = _paging(_parameters(request, ("page", "per_page")))
        return _json(oruk.organizations_page(self._catalogue().profiles, page_number=page_number, per_page=per_page))

    def organization(self, request: Request) -> Response:
        catalogue = self._catalogue()
        org_id = request.path_params["id"]
        organisation = catalogue.organisation_ids.get(org_id)
        if organisation is None:
            raise NotFoundHere(f"There is no organization {org_id} in this directory (a merged one is found "
                               "under the organisation it was merged into).")
        members = catalogue.organisation_members.get(org_id, np.zeros(0, np.int64))
        return _json(oruk.organization(organisation, [catalogue.entries[p] for p in members.tolist()]))

    def taxonomies(self, request: Request) -> Response:
        page_number, per_page = _paging(_parameters(request, ("page", "per_page")))
        return _json(oruk.taxonomies_page(page_number=page_number, per_page=per_page))

    def taxonomy(self, request: Request) -> Response:
        if request.path_params["id"] != oruk.taxonomy_id():
            raise NotFoundHere(f"There is no taxonomy {request.path_params['id']} here: this directory publishes "
                               f"one, {oruk.taxonomy_id()}.")
        return _json(oruk.taxonomy())

    def taxonomy_terms(self, request: Request) -> Response:
        params = _parameters(request, ("page", "per_page", "taxonomy_id", "parent_id"))
        page_number, per_page = _paging(params)
        terms = oruk.taxonomy_terms()
        taxonomy_id = _uuid(params, "taxonomy_id")
        if taxonomy_id is not None:
            terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id]
        parent_id = _uuid(params, "parent_id")
        if parent_id is not None:
            terms = [t for t in terms if t.get("parent_id") == parent_id]
        return _json(oruk.taxonomy_terms_page(page_number=page_number, per_page=per_page, terms=terms))

    def taxonomy_term(self, request: Request) -> Response:
        term = oruk.taxonomy_term(request.path_params["id"])
        if term is None:
            raise NotFoundHere(f"There is no taxonomy term {request.path_params['id']} here: the terms are listed "
                               f"at {PREFIX}/taxonomy_terms.")
        return _json(term)


SERVICE_FILTERS = ("search", "page", "per_page", "taxonomy_term_id", "taxonomy_id", "organization_id",
                   "modified_after", "minimum_age", "maximum_age", "day", "start_time", "end_time")


def _notice(notice: str | None) -> dict[str, str]:
    # Header values are Latin-1: the notice travels percent-encoded (UTF-8), as a URL's query would.
    return {"X-Search-Notice": quote(notice, safe=" ,.:;()'")} if notice else {}


def _filtered(catalogue, params: dict) -> tuple[np.ndarray, str | None]:
    """Positions of the services the filters keep, A to Z, or best match first with `search` (the app's own
    search: Directory.search's order, typo-tolerant, bounded by bound_query); and the search's notice."""
    mask = np.ones(len(catalogue), bool)
    term_id = _uuid(params, "taxonomy_term_id")
    if term_id is not None:
        term_mask = catalogue.term_mask(term_id)
        if term_mask is None:
            raise BadRequest(f"there is no taxonomy term {term_id} here: the terms are listed at "
                             f"{PREFIX}/taxonomy_terms", "taxonomy_term_id")
        mask &= term_mask
    taxonomy_id = _uuid(params, "taxonomy_id")
    if taxonomy_id is not None and taxonomy_id != oruk.taxonomy_id():
        raise BadRequest(f"there is no taxonomy {taxonomy_id} here: this directory publishes one, "
                         f"{oruk.taxonomy_id()}", "taxonomy_id")
    org_id = _uuid(params, "organization_id")
    if org_id is not None:
        mask &= catalogue.organisation_mask(org_id)
    modified_after = _moment(params, "modified_after")
    if modified_after is not None:
        mask &= catalogue.modified >= modified_after
    minimum_age = _number(params, "minimum_age")
    if minimum_age is not None:  # ORUK: services whose minimum age is at least this (none counts as 0)
        mask &= np.nan_to_num(catalogue.minimum_age, nan=0.0) >= minimum_age
    maximum_age = _number(params, "maximum_age")
    if maximum_age is not None:  # ORUK: services whose maximum age is this or below (none: no maximum)
        mask &= catalogue.maximum_age <= maximum_age
    day, start, end = _day(params), _time(params, "start_time"), _time(params, "end_time")
    if start is not None and end is not None and end < start:
        raise BadRequest("end_time must not be before start_time", "end_time")
    if (day, start, end) != (None, None, None):
        mask &= catalogue.session_mask(day, start, end)
    query = params.get("search") or ""
    if query.strip():
        order, notice = catalogue.index.ranked(query)
    else:
        order, notice = catalogue.by_name, None
    return order[mask[order]], notice


def _place(directory, params: dict) -> tuple[float, float] | None:
    """(latitude, longitude) of `postcode`: a full postcode, or a district's centre (TS1); None without one."""
    from directory.geo import district_centre, district_code
    from directory.postcodes import normalise_postcode

    text = (params.get("postcode") or "").strip()
    if not text:
        if (params.get("proximity") or "").strip():
            raise BadRequest("proximity needs a postcode to measure from", "proximity")
        return None
    canonical = normalise_postcode(text)
    if canonical is not None:
        locate = directory.locate_postcode
        if locate is None:
            raise BadRequest("this server cannot place postcodes", "postcode")
        try:
            return locate(canonical)
        except ValueError as problem:
            raise BadRequest(str(problem), "postcode") from None
    district = district_code(text)
    if district is not None:
        centre = district_centre(district)
        if centre is None:
            raise BadRequest(f"there is no postcode district {district}: check it, or give the full postcode",
                             "postcode")
        return centre
    raise BadRequest(f"'{text}' is not a UK postcode: give it like TS1 3BA, or a district like TS1", "postcode")


def _serving(directory, catalogue, params: dict) -> np.ndarray:
    """Positions of the services whose areas (service_areas) hold `postcode`, as Find keeps them."""
    from directory.areas import entries_serving

    positions = (catalogue.service_position.get(oruk.service_id(entry_id))
                 for entry_id in entries_serving(directory, params["postcode"]))
    return np.fromiter((p for p in positions if p is not None), np.int64)


def _nearest(catalogue, chosen: np.ndarray, place: tuple[float, float], params: dict,
             serving: np.ndarray = np.zeros(0, np.int64)) -> np.ndarray:
    """`chosen` nearest first (those without a position last, in the order given), within `proximity` metres
    when it is given (then only those with a position). Those in `serving` (an area of theirs holds the
    postcode) count as 0 m away, as on the Find page."""
    from directory.geo import haversine_km

    text = (params.get("proximity") or "").strip()
    proximity = None
    if text:
        if not _METRES.match(text) or not 0 <= float(text) <= MAX_PROXIMITY_M:
            raise BadRequest(f"proximity must be a distance in metres from 0 to {MAX_PROXIMITY_M:,}, not '{text}'",
                             "proximity")
        proximity = float(text)
    km = haversine_km(place[0], place[1], catalogue.latitude[chosen], catalogue.longitude[chosen])
    metres = np.asarray(km, np.float64) * 1000.0
    if len(serving):
        metres[np.isin(chosen, serving)] = 0.0
    if proximity is not None:
        keep = metres <= proximity  # NaN (no position) is never within
        chosen, metres = chosen[keep], metres[keep]
    order = np.argsort(np.nan_to_num(metres, nan=math.inf), kind="stable")
    return chosen[order]


def routes(get_directory: Callable[[], Any], **options) -> list[Route]:
    """The API's routes for st.App (app.py) or any Starlette app: `get_directory()` gives the directory."""
    return ReadAPI(get_directory, **options).routes()


__all__ = ["ReadAPI", "routes", "api_switch", "MAX_PER_PAGE"]
