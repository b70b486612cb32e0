"""The Open Referral UK 3.0 schemas (tests/fixtures/openreferral/oruk/), as jsonschema validators.

`errors(kind, document)` lists every way a document breaks the schema for `kind`, as "path: message"
strings, so a test can assert an exact count (0) and show them all when there are any.

Formats are checked, not only types: jsonschema checks `uuid`, `email` and `date` itself; `uri` and
`date-time` need optional packages it may not have, so they are checked here (an absolute URI with a
scheme and no spaces; RFC 3339 with a time zone), and the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "openreferral" / "oruk" / "schema"
EXAMPLES = SCHEMAS.parent / "examples"

# kind -> the schema an object of that kind must meet (the ORUK 3.0 OpenAPI file names these).
OBJECT_SCHEMAS = {
    "service": "compiled/service.json",
    "service_list": "compiled/service_list.json",
    "organization": "compiled/organization.json",
    "organization_list": "compiled/organization_list.json",
    "service_at_location": "compiled/service_at_location.json",
    "service_at_location_list": "compiled/service_at_location_list.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}
# kind of page -> the kind of its items (/services lists service_list items, and so on).
PAGE_ITEMS = {
    "service_page": "service_list",
    "organization_page": "organization_list",
    "service_at_location_page": "service_at_location_list",
    "taxonomy_page": "taxonomy",
    "taxonomy_term_page": "taxonomy_term",
}
PAGE_KEYS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents")

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _format_checker() -> FormatChecker:
    checker = FormatChecker()  # uuid, email, date, ...

    @checker.checks("uri")
    def is_uri(value) -> bool:
        return not isinstance(value, str) or bool(_URI.match(value))

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not re.match(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", value):
            return False
        return dt.datetime.fromisoformat(value.replace("z", "Z")).tzinfo is not None

    return checker


def _page_schema(item_kind: str) -> dict:
    # The OpenAPI file's Page (its properties' types) with `contents` of the item schema; every key required.
    page = _load("openapi.json")["components"]["schemas"]["Page"]
    return {
        "allOf": [page],
        "type": "object",
        "required": list(PAGE_KEYS),
        "properties": {"contents": {"type": "array", "items": {"$ref": OBJECT_SCHEMAS[item_kind]}}},
    }


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    registry = Registry().with_resources(
        (name, Resource.from_contents(_load(name), default_specification=DRAFT202012))
        for name in OBJECT_SCHEMAS.values()
    )
    # taxonomy.json refers to "taxonomy_term.json"; from a compiled schema that is resolved the same way.
    registry = registry.with_resource(
        "compiled/taxonomy_term.json", Resource.from_contents(_load("taxonomy_term.json"), default_specification=DRAFT202012)
    )
    schema = _page_schema(PAGE_ITEMS[kind]) if kind in PAGE_ITEMS else {"$ref": OBJECT_SCHEMAS[kind]}
    return Draft202012Validator(schema, registry=registry, format_checker=_format_checker())


def errors(kind: str, document) -> list[str]:
    found = validator(kind).iter_errors(document)
    return sorted(f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}" for error in found)


def example(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
