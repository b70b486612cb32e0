"""Find's printable list: GET print/find?q=…&near=…&day=… (the search link's own parameters).

The Find page links here ("Printable list (opens in a new tab)"); the server runs the same search from the
parameters (ui.find_support.SearchState.from_params ignores anything unknown and bounds the rest) and answers
with a page laid out for print: each result with its card's warnings ("Only for women.", "Not checked for 13
months: ring first."), the named contact, and the search it came from. No script, no external file: every
value is escaped, and the Content-Security-Policy allows nothing but the page's own style. At most
MAX_PRINTED results (a printed list longer than that is not read).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping, Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

FIND_PRINT_PATH = "print/find"  # relative: next to the page that links to it
MAX_PRINTED = 200
MAX_QUERY_CHARS = 2_000
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}


def find_print_page(directory, params: Mapping[str, Sequence[str]], now: dt.datetime) -> str:
    """The printable list for the search these link parameters describe."""
    from directory.geo import locate_place
    from directory.organisations import contacts_by_organisation
    from directory.postcodes import PostcodeError
    from ui.find_support import SearchState, describe_search, printable_html, result_row, search_hits

    state = SearchState.from_params(params)
    place, unplaced = None, ""
    if state.place:
        try:
            place = locate_place(state.place)
        except PostcodeError as error:
            unplaced = f" (not limited by distance: {error})"
    hits = search_hits(directory, state, place)
    contacts = contacts_by_organisation(directory)
    rows = [result_row(hit, now, state.day, contacts.get(hit.entry.organisation)) for hit in hits[:MAX_PRINTED]]
    line = describe_search(state, place.label if place else None) + unplaced
    if len(hits) > MAX_PRINTED:
        line += f" · the first {MAX_PRINTED} of {len(hits)}: narrow the search to print the rest"
    return printable_html("Provision found", line, rows, now, directory.is_demo())


def routes(get_directory: Callable[[], object]) -> list[Route]:
    def print_find(request: Request) -> Response:
        from ui.render import now_local

        if len(request.url.query) > MAX_QUERY_CHARS:
            return HTMLResponse("<p>This link is too long to be a search. Print again from Find provision.</p>",
                                status_code=414, headers=_HEADERS)
        params: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            params.setdefault(name, []).append(value)
        return HTMLResponse(find_print_page(get_directory(), params, now_local()), headers=_HEADERS)

    return [Route("/" + FIND_PRINT_PATH, print_find, methods=["GET"], name="print-find")]
