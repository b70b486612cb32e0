"""Find provision: from "an ESOL class near TS1, Thursday, free" to a name and a phone number.

guard → widgets (seeded from the link) → directory.search → the same results as a
list and on a map → share / save / print. Typing the whole request in the search
box works too: the place, the day and "free" move into their own filters.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import replace

import streamlit as st

from directory import codes
from directory.areas import COVERS_YOUR_AREA
from directory.geo import district_centre, locate_place
from directory.postcodes import PostcodeError
from directory.query import DEFAULT_RADIUS, RADIUS_STEPS, understand
from directory.search import bound_query
from ui import maps
from ui.auth import guard_viewing
from ui.find_support import (
    SearchState, directory_bounds, nearest_distance, organisations_named, relaxations, result_row, results_csv, results_map, search_hits,
)
from ui.print_view import FIND_PRINT_PATH
from ui.bootstrap import demo_loading, ensure_app_navigation, get_directory
from ui.render import demo_banner, describe_cost, only_for_text, describe_next_session, describe_times, describe_wait, esc, day_name, format_date, format_distance, md, now_local, organisation_contacts, short_category_label, spoc_html, stale_note

PAGE_SIZE = 10
MAP_HEIGHT = 600
KEYS = {
    "query": "find_q", "place": "find_near", "radius_km": "find_km", "categories": "find_cat", "day": "find_day",
    "free_only": "find_free", "delivery": "find_how", "stage": "find_stage", "benefit": "find_benefit",
    "group": "find_for", "order": "find_order",
}
LIST_FIELDS = ("categories", "delivery")

CARD_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMainBlockContainer"] h1 { padding-bottom: .5rem; }
.rp-card { line-height: 1.45; }
.rp-card .rp-title { font-size: 1.08rem; font-weight: 600; }
.rp-card .rp-dot { display: inline-block; width: .8rem; height: .8rem; border-radius: 50%; margin-right: .35rem;
                   vertical-align: baseline; border: 1px solid rgba(0,0,0,.35); }
.rp-card .rp-dist { font-weight: 600; color: #1f4e79; white-space: nowrap; margin-left: .4rem; }
.rp-card .rp-sub { color: #555; font-size: .92rem; }
.rp-card .rp-row { margin-top: .15rem; }
.rp-card .rp-k { color: #555; }
.rp-card .rp-stale { color: #8a5300; }
.rp-legend span.rp-dot { display: inline-block; width: .75rem; height: .75rem; border-radius: 50%;
                         margin: 0 .3rem 0 .8rem; border: 1px solid rgba(0,0,0,.35); vertical-align: baseline; }
.rp-legend { font-size: .9rem; line-height: 1.9; }
/* Single-choice chips (distance, day) wrap onto a second line in a narrow window, as the multi-choice
   ones do, instead of scrolling sideways out of sight. */
[data-testid="stButtonGroup"] [role="radiogroup"]:has(> button[data-variant="pills"]) {
  flex-wrap: wrap; overflow: visible; column-gap: .3rem; }
/* Distance, day and cost share one row on a 1366-pixel laptop screen. */
[data-testid="stButtonGroup"] [role="radiogroup"] button[data-variant="pills"] { padding-left: .6rem;
                                                                                 padding-right: .6rem; }
/* A phone (390 px wide): the first result on the first screen. A smaller title, the cost chip beside the
   distances (the day chips below them), the order and the share menu kept side by side, a little smaller. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding-bottom: .25rem; }
  [data-testid="stButtonGroup"] [role="radiogroup"] button[data-variant="pills"] { padding-left: .35rem;
    padding-right: .35rem; }
  [data-testid="stButtonGroup"] [role="radiogroup"]:has(> button[data-variant="pills"]) { column-gap: .2rem; }
  .st-key-find_chips [data-testid="stHorizontalBlock"] { flex-wrap: wrap; column-gap: 1rem; row-gap: .5rem; }
  .st-key-find_chips [data-testid="stColumn"] { width: auto !important; min-width: 0 !important;
                                                 flex: 0 1 auto !important; }
  .st-key-find_chips [data-testid="stColumn"]:nth-child(2) { order: 3; flex-basis: 100% !important; }
  .st-key-find_order_row [data-testid="stHorizontalBlock"] { flex-wrap: nowrap; gap: .4rem; }
  .st-key-find_order_row [data-testid="stColumn"] { width: auto !important; min-width: 0 !important;
                                                     flex: 0 1 auto !important; }
  .st-key-find_order_row button { font-size: .85rem; padding-left: .5rem; padding-right: .5rem; }
}
</style>"""


# -- the search held in the widgets, and in the link ----------------------------------------------


# Select boxes show their placeholder for None, so "any" is a value of its own.
ANY_DAY, ANY = -1, ""


def _put(state: SearchState) -> None:
    for name, key in KEYS.items():
        value = getattr(state, name)
        if name in LIST_FIELDS:
            value = list(value)
        elif name == "day" and value is None:
            value = ANY_DAY
        elif name in ("stage", "benefit", "group") and value is None:
            value = ANY
        elif name == "free_only":
            value = True if value else None  # the "Free only" chip: picked, or not
        st.session_state[key] = value


def _read() -> SearchState:
    s = st.session_state
    radius = s.get(KEYS["radius_km"], DEFAULT_RADIUS)
    return SearchState(
        query=" ".join((s.get(KEYS["query"]) or "").split()),
        place=(s.get(KEYS["place"]) or "").strip(),
        radius_km=float(radius if radius in RADIUS_STEPS else DEFAULT_RADIUS),
        categories=tuple(c for c in (s.get(KEYS["categories"]) or ()) if c in codes.CATEGORIES),
        day=None if s.get(KEYS["day"]) in (None, ANY_DAY) else s.get(KEYS["day"]),
        free_only=bool(s.get(KEYS["free_only"])),
        delivery=tuple(d for d in (s.get(KEYS["delivery"]) or ()) if d in codes.DELIVERY),
        stage=s.get(KEYS["stage"]) or None,
        benefit=s.get(KEYS["benefit"]) or None,
        group=s.get(KEYS["group"]) if s.get(KEYS["group"]) in codes.FOR_GROUPS else None,
        order=s.get(KEYS["order"]) or "best",
    )


def _as_lists(params) -> dict[str, list[str]]:
    return {k: (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in params.items()}


def _link_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def _is_district(code: str) -> bool:
    try:
        return district_centre(code) is not None
    except Exception:
        return False


def _understand_into_widgets(typed: str) -> None:
    bounded = bound_query(typed)
    if bounded.notice:  # a pasted page, not a request: cut (search would cut it anyway), and say so
        typed = st.session_state[KEYS["query"]] = bounded.text
        st.session_state["find_shortened"] = bounded.notice
    understood = understand(typed, today=now_local().date(), is_district=_is_district)
    if not understood.anything:
        return
    st.session_state[KEYS["query"]] = understood.text
    if understood.place:
        st.session_state[KEYS["place"]] = understood.place
    if understood.radius_km is not None:
        st.session_state[KEYS["radius_km"]] = understood.radius_km
    if understood.day is not None:
        st.session_state[KEYS["day"]] = understood.day
    if understood.free_only:
        st.session_state[KEYS["free_only"]] = True
    st.session_state["find_note"] = "Read " + ", ".join(understood.notes) + "."


# Filters that belong to one request ("free ESOL on Thursday"), not to the client: a new request typed
# starts without them, so the last search's day or "free only" never hides answers unseen. The client's
# place and distance stay: they are about the person in the room.
REQUEST_FILTERS = {"day": ANY_DAY, "free_only": None, "categories": [], "delivery": [], "stage": ANY, "benefit": ANY,
                   "group": ANY}


def _clear_request_filters() -> None:
    for name, empty in REQUEST_FILTERS.items():
        st.session_state[KEYS[name]] = list(empty) if isinstance(empty, list) else empty


def _on_query_typed() -> None:
    _clear_request_filters()
    _understand_into_widgets(st.session_state.get(KEYS["query"]) or "")


def active_filters(state: SearchState) -> list[str]:
    """The request's filters that are on, in words, for the results line."""
    said = []
    if state.day is not None:
        said.append(f"on {day_name(state.day)}s")
    if state.free_only:
        said.append("free only")
    if state.categories:
        said.append(", ".join(short_category_label(c) for c in state.categories))
    if state.delivery:
        said.append(", ".join(codes.DELIVERY[d].lower() for d in state.delivery))
    if state.stage:
        said.append(f"for {codes.STAGES[state.stage].lower()}")
    if state.benefit:
        said.append(f"for people on {codes.BENEFITS[state.benefit]}")
    if state.group:
        said.append(f"open to {codes.FOR_GROUPS[state.group].lower()}")
    return said


def _seed_from_link() -> None:
    """A link opens its search; with no link, the widgets keep what this session had."""
    params = _link_params()
    first_run = KEYS["query"] not in st.session_state
    if first_run or (params and params != st.session_state.get("find_link")):
        _put(SearchState.from_params(params))
        _understand_into_widgets(st.session_state[KEYS["query"]])


def _write_link(state: SearchState) -> dict[str, list[str]]:
    wanted = _as_lists(state.to_params())
    if _link_params() != wanted:
        st.query_params.from_dict(state.to_params())
    st.session_state["find_link"] = wanted
    return wanted


def _apply(state: SearchState) -> None:
    """Button callback: show this search instead (runs before the widgets are drawn)."""
    _put(state)


# -- reading the directory -----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def _directory_view(database: str, counter: int) -> tuple[tuple[float, float], int]:
    """Where the base map starts: the middle of everything in the directory (changes only with it)."""
    bounds = directory_bounds(get_directory())
    if bounds is None:
        return (54.5742, -1.2350), 11
    span = max(bounds.north - bounds.south, bounds.east - bounds.west)
    zoom = 11 if span < 0.5 else 9 if span < 2 else 7 if span < 6 else 6
    return bounds.centre, zoom


def _search(directory, state: SearchState, place) -> list:
    return search_hits(directory, state, place)


def _row(hit, now, day: int | None = None, contacts: dict | None = None) -> dict:
    """One result as plain values (for the CSV)."""
    return result_row(hit, now, day, (contacts or {}).get(hit.entry.organisation))


# -- drawing ------------------------------------------------------------------------------------------


def _card(hit, now, day: int | None = None, contacts: dict | None = None) -> str:
    """`contacts`: organisation name -> its contact for partners, shown on entries with no contact of their own."""
    contacts = contacts or {}
    e = hit.entry
    distance = format_distance(hit.distance_km)
    if not e.in_person:
        distance = " / ".join(codes.DELIVERY.get(d, d) for d in e.delivery if d != "in_person") or "Remote"
    if hit.covers_area is not None:  # an area-wide service whose area holds the client's place
        distance = COVERS_YOUR_AREA + ("" if e.in_person else f" · {distance}")
    dist_html = f'<span class="rp-dist">{esc(distance)}</span>' if distance else ""
    next_text = describe_next_session(e, now, day)
    times = describe_times(e)
    extra = []
    if e.start_date and e.start_date > now.date():
        extra.append(f"starts {format_date(e.start_date)}")
    only_for = only_for_text(e)  # "Only for women.": a keyworker sees it before ringing
    stale = stale_note(e, now.date())
    stale_html = f'<span class="rp-stale"> · {esc(stale)}: ring first</span>' if stale else ""
    return (
        f'<div class="rp-card">'
        f'<div class="rp-title"><span class="rp-dot" style="background:{maps.category_colour(e.category)}"></span>'
        f'{esc(e.name)}{dist_html}</div>'
        f'<div class="rp-sub">{esc(e.organisation)} · {esc(short_category_label(e.category))}'
        f'{esc(" · " + only_for) if only_for else ""}</div>'
        f'<div class="rp-row"><span class="rp-k">Next:</span> {esc(next_text)}'
        f'<span class="rp-k"> · </span>{esc(times)}{esc(" · " + ", ".join(extra)) if extra else ""}</div>'
        f'<div class="rp-row">{esc(describe_wait(e.waiting_days))} · {esc(describe_cost(e))}{stale_html}</div>'
        f'<div class="rp-row"><span class="rp-k">Contact:</span> {spoc_html(e, contacts.get(e.organisation))}</div>'
        f"</div>"
    )


def _draw_map(directory, state: SearchState, place, hits, now) -> None:
    counter = directory.change_counter()
    centre, zoom = _directory_view(str(directory.engine.url), counter)
    # The order of the list does not change the map; the minute keeps "next session" texts current.
    memo_key = (str(directory.engine.url), counter, replace(state, order="best"),
                place.label if place else None, now.strftime("%Y-%m-%d %H:%M"))
    fmap, group, _, counts, (remote, unplaced) = results_map(
        hits, place=place, radius_km=state.radius_km, now=now, centre=centre, zoom=zoom,
        tiles=maps.tiles_config(st.secrets), day=state.day, memo_key=memo_key, directory=directory)
    maps.show_map(fmap, group, key="find_map", height=MAP_HEIGHT)
    if counts:  # the same pins as the map: colour and mark
        st.html(maps.legend_html(counts, short_category_label))
    notes = []
    if remote:
        notes.append(f"{remote} online or phone service{'s are' if remote != 1 else ' is'} in the list but not on the map.")
    if unplaced:
        notes.append(f"{unplaced} result{'s have' if unplaced != 1 else ' has'} no map position yet.")
    if covering := getattr(hits, "covering", 0):
        notes.append(f"{'A shaded circle is the area' if covering == 1 else 'Shaded circles are the areas'} of "
                     f"{'the service' if covering == 1 else f'the {covering} services'} covering the client's area.")
    notes.append("Grey dashed outlines are postcode districts; the map works without the background tiles.")
    st.caption(" ".join(notes))


def _share_save_print(directory, state: SearchState, place, hits, now) -> None:
    params = state.to_params()
    base = st.context.url or ""
    query = urllib.parse.urlencode(params, doseq=True)
    link = f"{base}?{query}" if query else (base or "?")
    with st.popover("Share or print", icon=":material/share:"):
        st.markdown("**Link to this search** (copy it with the button on the right):")
        st.code(link, language=None, wrap_lines=True)
        stamp = now.strftime("%Y-%m-%d")
        st.download_button(
            "Download results (CSV)", data=lambda: results_csv(_row(h, now, state.day, organisation_contacts(directory))
                                                               for h in hits),
            file_name=f"recovery-pathways-{stamp}.csv", mime="text/csv", on_click="ignore",
            icon=":material/download:", key="find_csv",
        )
        # A page of its own in a new tab, laid out for print, with each card's warnings ("ring first");
        # the server runs the same search from the link's parameters (ui/print_view.py).
        st.link_button("Printable list (opens in a new tab)", f"{FIND_PRINT_PATH}?{query}" if query else FIND_PRINT_PATH,
                       icon=":material/print:")


@st.fragment(run_every=1.0)
def _wait_for_the_demo_area() -> None:
    """On a first start the demo area loads in the background (ui.bootstrap): say so, and show it once in."""
    if not demo_loading():
        st.rerun()
    st.info("Loading the demo area (about 300 fictional services) for this first start: the results appear here "
            "in a few seconds, with nothing to click.", icon=":material/hourglass_top:")


def _empty_state(directory, state: SearchState, place) -> None:
    if directory.count() == 0 and demo_loading():
        _wait_for_the_demo_area()
        return
    if directory.count() == 0:
        from ui.auth import current_account

        how = "Add" if current_account(directory) is not None else "Sign in to add"
        st.info(f"The directory has no entries yet. {how} entries one at a time (**Add an entry**) or "
                "many at once (**Import a spreadsheet**). To try the app first, run "
                "`python -m directory seed-demo` to load the demo area.")
        return
    if place is not None:
        wider = _search(directory, replace(state, radius_km=float(max(RADIUS_STEPS))), place)
        nearest = nearest_distance(wider)
        if nearest is not None:
            step = next((s for s in RADIUS_STEPS if s >= nearest), max(RADIUS_STEPS))
            st.warning(f"Nothing within {state.radius_km:g} km of {md(place.label)}. "
                       f"The nearest match is {format_distance(nearest)} away.", icon=":material/search_off:")
            st.button(f"Widen to {step:g} km", type="primary", on_click=_apply,
                      args=(replace(state, radius_km=float(step)),), key="find_widen")
            return
    st.warning("Nothing matches this search." if place is None else
               f"Nothing matches this search within {max(RADIUS_STEPS)} km of {md(place.label)}.",
               icon=":material/search_off:")
    options = []
    for label, wider_state in relaxations(state):
        found = _search(directory, wider_state, place)
        if found:
            options.append((label, wider_state, len(found)))
    if options:
        st.write("Try one of these instead:")
        cols = st.columns(min(len(options), 3))
        for i, (label, wider_state, n) in enumerate(options):
            cols[i % len(cols)].button(f"{label} ({n} result{'s' if n != 1 else ''})", on_click=_apply,
                                       args=(wider_state,), key=f"find_relax_{i}")
    elif state.query:
        st.write("Check the spelling, use fewer or different words (for example “English” instead of “ESOL”), "
                 "or clear the search box to see everything nearby.")


def _offer_unmet_need(directory, state: SearchState, place) -> None:
    """"Record an unmet need" (signed-in users): kind, district, stage, barriers, date; never who."""
    from directory.errors import InvalidUnmetNeed
    from directory.unmet import district_only
    from ui.auth import current_account
    from ui.unmet_form import unmet_need_form

    account = current_account(directory) if directory.count() else None
    if account is None:
        return
    try:
        district = district_only(place.label if place else None) or ""
    except InvalidUnmetNeed:  # a town by name: the district of its middle
        from directory.places import place_named

        named = place_named(place.label) if place else None
        district = named.district if named else ""
    prefill = {"category": state.categories[0] if state.categories else "", "district": district,
               "stage": state.stage or ANY}
    with st.expander("Nothing suitable? Record an unmet need", icon=":material/edit_note:"):
        unmet_need_form(directory, account, prefix="unmet", prefill=prefill, source="search",
                        intro="Only what was needed and roughly where: never the client's name, address or "
                              "full postcode.")


def _draw_list(directory, state: SearchState, place, hits, now, shortened: str | None = None) -> None:
    n = len(hits)
    signature = (state, n)
    if st.session_state.get("find_signature") != signature:
        st.session_state["find_signature"] = signature
        st.session_state["find_shown"] = PAGE_SIZE
    shown = st.session_state.get("find_shown", PAGE_SIZE)

    where = f" within {state.radius_km:g} km of {md(place.label)}" if place else ""
    if place and getattr(hits, "covering", 0):  # found for the area they serve, wherever their office is
        where += " or covering it"
    choose_order = bool(n and place and state.query)
    if choose_order:
        how = ""  # the order's own control says it
    elif place:
        how = " · nearest first"
    elif state.query:
        how = " · best match first"
    else:
        how = " · A to Z"
    if shortened:
        st.info(md(shortened), icon=":material/content_cut:")
    for organisation_id, name in organisations_named(directory, state.query):
        st.page_link("pages/organisations.py", label=f"{name}: the organisation's page (contact, how to refer, "
                     "everything it offers)", icon=":material/apartment:", query_params={"id": str(organisation_id)})
    contacts = organisation_contacts(directory)
    filters_on = active_filters(state)
    only = f" · {md('; '.join(filters_on))}" if filters_on else ""
    if filters_on:
        line, clear = st.columns([2.5, 1.5], vertical_alignment="center")  # room for "Clear filters" whole
        line.markdown(f"**{n} result{'s' if n != 1 else ''}**{where}{only}{how}")
        clear.button("Clear filters", key="find_clear_filters", icon=":material/filter_alt_off:",
                     on_click=_clear_request_filters, help="Any day, any cost, every kind of provision.")
    else:
        st.markdown(f"**{n} result{'s' if n != 1 else ''}**{where}{how}")
    if n:
        # The order and the share menu share a row, so the first result sits higher on a laptop screen
        # (and on a phone: CARD_STYLE keeps the row's columns side by side there).
        order, actions = st.container(key="find_order_row").columns([1.5, 1], vertical_alignment="center")
        if choose_order:
            order.segmented_control("Order", options=["best", "nearest"], key=KEYS["order"], persist_state="session",
                                    format_func={"best": "Best match first", "nearest": "Nearest first"}.get,
                                    label_visibility="collapsed", required=True)
        with actions:
            _share_save_print(directory, state, place, hits, now)
    if not n:
        _empty_state(directory, state, place)
        _offer_unmet_need(directory, state, place)
        return
    for hit in hits[:shown]:
        with st.container(border=True):
            st.html(_card(hit, now, state.day, contacts))
            st.page_link("pages/entry.py", label="Open full entry", icon=":material/arrow_forward:",
                         query_params={"id": hit.entry.id})
    if n > shown:
        st.caption(f"Showing 1–{shown} of {n}. All {n} are on the map.")
        st.button(f"Show {min(PAGE_SIZE, n - shown)} more", key="find_more_results",
                  on_click=lambda: st.session_state.update(find_shown=shown + PAGE_SIZE))


def _draw_filters(now) -> None:
    """The search's widgets. Their values are read from the session before they are drawn (see the page).

    Every choice is a chip: one click (or Tab and Space) and all the options in sight, which also spares
    a first visit the select-box code (a quarter of a second of downloads before the map could start)."""
    typed_place = bool((st.session_state.get(KEYS["place"]) or "").strip())
    top = st.columns([3, 1.6], vertical_alignment="bottom")
    top[0].text_input(
        "What are you looking for?", key=KEYS["query"], on_change=_on_query_typed, persist_state="session",
        placeholder="Try: ESOL near TS1 Thursday free",
        help="Spelling slips are fine. You can type the whole request here: a postcode, district or town, a day and "
             "“free” move into their own filters.",
    )
    top[1].text_input("Client's postcode or area", key=KEYS["place"], placeholder="e.g. TS1 3BA, TS1 or Thornaby",
                      persist_state="session", help="Results are measured from here, nearest first.")
    near = st.container(key="find_chips").columns([.9, 1.35, .38])
    near[0].pills("Distance (km)", options=RADIUS_STEPS, key=KEYS["radius_km"], persist_state="session",
                  required=True, format_func=lambda km: f"{km:g}", disabled=not typed_place,
                  help="How far from the client's postcode or area (type one first). Online and phone services "
                       "are always included.")
    today = now.weekday()
    near[1].pills("Day", options=[ANY_DAY, 0, 1, 2, 3, 4, 5, 6], key=KEYS["day"], persist_state="session",
                  required=True, format_func=lambda d: "Any day" if d == ANY_DAY else
                  "Today" if d == today else day_name(d)[:3],
                  help="Only provision that meets on this day of the week.")
    near[2].pills("Cost", options=[True], format_func=lambda _: "Free only", key=KEYS["free_only"],
                  persist_state="session")
    # The kinds of provision wait behind one click, so that on a laptop screen the first results are in
    # sight without scrolling; a typed "esol" or "housing" finds its kind anyway.
    chosen = st.session_state.get(KEYS["categories"]) or []
    more_on = len(chosen) + sum(bool(st.session_state.get(KEYS[k])) for k in ("delivery", "stage", "benefit", "group"))
    label = "Kind of provision, delivery, recovery stage, benefits, who it's for" + (f" ({more_on} on)" if more_on else "")
    with st.expander(label, expanded=bool(more_on)):
        st.pills("Kind of provision (pick any)", options=list(codes.CATEGORIES), selection_mode="multi",
                 key=KEYS["categories"], format_func=short_category_label, persist_state="session")
        st.pills("How it's delivered (pick any)", options=list(codes.DELIVERY), key=KEYS["delivery"],
                 selection_mode="multi", format_func=codes.DELIVERY.get, persist_state="session")
        st.pills("Client's recovery stage", options=[ANY, *codes.STAGES], key=KEYS["stage"], persist_state="session",
                 required=True, format_func=lambda s: codes.STAGES.get(s, "Any stage"),
                 help="Shows provision that suits this stage, and provision open to every stage.")
        st.pills("Client's benefits", options=[ANY, *codes.BENEFITS], key=KEYS["benefit"], persist_state="session",
                 required=True, format_func=lambda b: codes.BENEFITS.get(b, "Don't filter by benefits"),
                 help="Hides provision limited to other benefits.")
        st.pills("The client is one of", options=[ANY, *codes.FOR_GROUPS], key=KEYS["group"], persist_state="session",
                 required=True, format_func=lambda g: codes.FOR_GROUPS.get(g, "Don't filter by who it's for"),
                 help="Hides services only for other groups (e.g. for women only, for veterans only). Services "
                      "open to everyone stay in.")


# -- the page ---------------------------------------------------------------------------------------

ensure_app_navigation()
directory = get_directory()
guard_viewing(directory)
now = now_local()
_seed_from_link()

st.title("Find provision")
demo_banner(directory, compact=True)
st.html(CARD_STYLE)

# The answer is drawn before the filters above it: the search reads the widgets' values from the
# session (they are there before the widgets are drawn), the map and the list go out first, and the
# browser sets the map's frame loading while it draws the widgets (docs/PERFORMANCE.md).
filters = st.container()
state = _read()
_write_link(state)

messages = st.container()
note = st.session_state.pop("find_note", None)
if note:
    messages.caption(md(note))
place = None
if state.place:
    try:
        place = locate_place(state.place)
    except PostcodeError as error:
        reason = str(error)
        messages.error(f"{md(reason[:1].upper() + reason[1:])}. Until then, results are not limited by distance.",
                       icon=":material/location_off:")

hits = _search(directory, state, place)
shortened = st.session_state.pop("find_shortened", None) or getattr(hits, "notice", None)

left, right = st.columns([1.05, 1], gap="large")
with right:  # the map first: it has the most left to do in the browser
    if hits or directory.count():  # an empty directory has nothing to show or centre on
        _draw_map(directory, state, place, hits, now)
with left:
    _draw_list(directory, state, place, hits, now, shortened)
with filters:
    _draw_filters(now)
