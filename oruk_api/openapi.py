"""This API's OpenAPI description (/api/openapi.json): Open Referral UK 3.0's, adapted to what we serve.

`oruk_openapi.json` beside this file is the UK profile's `schema/openapi.json` unchanged (openreferral/uk-profile,
commit ecdfabf; CC BY-SA 4.0, as tests/fixtures/openreferral/README.md says). `document(base)` returns it with:
our title and server address; the filters we add (`organization_id`, `modified_after`; `taxonomy_id` and
`parent_id` on /taxonomy_terms; `postcode` and `proximity` only where ORUK puts them); the limits of `page` and
`per_page`; /organizations and /organizations/{id} (HSDS 3.0's, which the UK profile's file leaves out);
/service_at_locations/{id} answering compiled service_at_location.json (the UK file names service.json there);
and the 400 and 404 answers with their JSON reason. Everything else is ORUK's.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

COMPILED = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/"
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "Why, in plain English."},
        "parameter": {"type": "string", "description": "The query parameter that was wrong, when one was."},
    },
}


@lru_cache(maxsize=1)
def _oruk() -> dict:
    return json.loads((Path(__file__).with_name("oruk_openapi.json")).read_text(encoding="utf-8"))


def _page_of(schema: str) -> dict:
    return {"properties": {"contents": {"type": "array", "items": {"$ref": COMPILED + schema}}},
            "allOf": [{"$ref": "#/components/schemas/Page"}]}


def _get(operation_id: str, summary: str, schema: dict, parameters: list | None = None) -> dict:
    operation = {"summary": summary, "description": summary, "operationId": operation_id,
                 "responses": {"200": {"description": summary, "content": {"application/json": {"schema": schema}}}}}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _reference(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def document(base_url: str) -> dict:
    """The OpenAPI description for the API served at `base_url` (e.g. https://example.org/api)."""
    doc = copy.deepcopy(_oruk())
    doc["info"] = {
        "title": "Recovery Pathways: Open Referral UK 3.0 read API",
        "version": "3.0",
        "description": (
            "The recovery, education, training and employment provision of this directory as Open Referral UK 3.0 "
            "(HSDS 3.0 with the UK profile): read only, no sign-in, CORS open to every origin. Our categories, "
            "recovery stages and other fields are the taxonomy at /taxonomies. Adapted from the Open Referral UK "
            "3.0 OpenAPI description (openreferral/uk-profile), CC BY-SA 4.0."),
        "license": {"name": "Creative Commons Attribution Share-Alike 4.0",
                    "url": "https://creativecommons.org/licenses/by-sa/4.0/"},
    }
    doc["servers"] = [{"url": base_url}]
    parameters = doc["components"]["parameters"]
    parameters["page"]["schema"] = {"type": "integer", "minimum": 1, "default": 1}
    parameters["per_page"]["schema"] = {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}
    parameters["per_page"]["description"] += " At most 100; 50 when not given."
    parameters["search"]["description"] = ("Words to look for, forgiving typing slips (the directory's own search: "
                                           "best match first). At most 300 characters and 12 different words are "
                                           "searched; a longer search is cut and the X-Search-Notice header says so.")
    parameters["modified_after"]["schema"] = {"type": "string", "format": "date-time"}
    parameters["day"]["description"] += " MO, TU, WE, TH, FR, SA or SU (a day's name is read too)."
    parameters["start_time"]["schema"] = {"type": "string", "format": "time"}
    parameters["end_time"]["schema"] = {"type": "string", "format": "time"}
    parameters["proximity"]["description"] += " (requires postcode)."
    parameters["parent_id"] = {"name": "parent_id", "in": "query", "required": False,
                               "description": "Only the terms whose parent is this term.", "schema": {"type": "string"}}
    extra = [_reference("organization_id"), _reference("modified_after")]
    paths = doc["paths"]
    paths["/services"]["get"]["parameters"] += extra
    paths["/service_at_locations"]["get"]["parameters"] += extra
    paths["/taxonomy_terms"]["get"]["parameters"] += [_reference("taxonomy_id"), _reference("parent_id")]
    paths["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": COMPILED + "service_at_location.json"}
    paths["/organizations"] = _get("getPaginatedListOfOrganizations", "Paginated listing of organizations, A to Z.",
                                   _page_of("organization_list.json"), [_reference("page"), _reference("per_page")])
    paths["/organizations/{id}"] = {
        "parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "string"},
                        "description": "The id of the organization."}],
        **_get("getOrganizationById", "An organization with its services.", {"$ref": COMPILED + "organization.json"}),
    }
    doc["components"]["schemas"]["Error"] = ERROR
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, item in paths.items():
        responses = item["get"]["responses"]
        if item["get"].get("parameters"):
            responses["400"] = {"description": "A parameter is wrong: the answer says which and why.", **error}
        if "{id}" in path:
            responses["404"] = {"description": "Nothing with that id is served here.", **error}
    return doc
