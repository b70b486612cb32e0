"""Harvest another directory's Open Referral (ORUK 3.0 / 1.0) API into this one (docs/open-referral.md).

1. Read the feed: `/services` page by page (3.0: `contents`, `page_number`, `total_pages`; 1.0: `content`,
   `number`, `totalPages`; a `next` link where the page gives one), then `/services/{id}` for each full
   record. Every request has a timeout; the whole harvest a page limit and a total-size limit; only http and
   https. A broken page, a loop, invalid JSON or an error answer stops the harvest with a `HarvestError`
   before anything is written: nothing partial is imported.
2. Map each service with the HSDS import mapping (`hsds.service_to_row`), its category through the
   **crosswalk** (the feed's taxonomy terms -> our categories, kept in the database, coordinators edit it;
   "hold" holds a term's services back), else `--default-category`. Terms neither ours nor in the crosswalk
   are listed once with counts.
3. Import the rows with the Importer (the same checks, writes and row report as a file import), attributed
   to the harvest's own account (`harvest`), each revision's note naming the feed.
4. Keep what each service gave (its cells) and the entry's version after the harvest, per feed, in the
   database. Harvesting again sends only the fields the feed changed since; a field someone here changed
   since the last harvest keeps its local value and, when the feed changed it too, is listed as a conflict.
   Services gone from the feed are listed, never deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from directory import codes
from directory.io.hsds import ATTRIBUTE_TAXONOMY, _taxonomy_terms, service_to_row
from directory.io.importer import MAX_IMPORT_ROWS, Importer, ImportReport

if TYPE_CHECKING:
    from directory.api import Directory

HARVEST_USER = "harvest"
HARVEST_NOTE = "harvested from "  # each harvested revision's note: this, then the feed's address
CHOSE_FEED_NOTE = "chose the feed's value: "  # a coordinator's choice in a conflict: this, then the feed's address
OURS, THEIRS = "ours", "feed"  # a conflict's choices
HOLD = "hold"  # a crosswalk value: services with this term (and no mapped one) are held back
CROSSWALK_KEY = "harvest:crosswalk"
TIMEOUT_SECONDS = 20.0
MAX_PAGES = 500
MAX_TOTAL_BYTES = 200 * 1024 * 1024
PER_PAGE = 100
FETCH_WORKERS = 8  # services' full records fetched at once
# Columns the feed fills: a field the feed no longer gives is emptied (unless edited here); position is
# left alone (the postcode gives it).
_NOT_CLEARED = frozenset({"id", "latitude", "longitude", "category"})


class HarvestError(Exception):
    """The feed could not be read whole: nothing was imported."""


@dataclass
class HarvestReport:
    feed: str
    pages: int = 0
    services: int = 0
    import_report: ImportReport | None = None
    unknown_terms: list[dict[str, Any]] = field(default_factory=list)
    held_back: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    kept_local: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)   # entries archived: the feed says closed
    restored: list[str] = field(default_factory=list)   # entries restored: the feed says open again
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"feed": self.feed, "pages": self.pages, "services": self.services}
        if self.error:
            return data | {"error": self.error}
        data |= self.import_report.to_dict() if self.import_report else {}
        data.pop("file", None)
        data |= {"unknown_terms": self.unknown_terms, "held_back": self.held_back, "conflicts": self.conflicts,
                 "kept_local": self.kept_local, "gone": self.gone, "archived": self.archived,
                 "restored": self.restored}
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def summary(self) -> str:
        if self.error:
            return f"{self.feed}: {self.error}. Nothing was imported."
        parts = [f"{self.services} {'service' if self.services == 1 else 'services'} read from {self.pages} "
                 f"{'page' if self.pages == 1 else 'pages'}"]
        if self.import_report:
            parts.append(self.import_report.summary())
        parts += [f"{len(self.held_back)} held back by the crosswalk",
                  f"{len(self.conflicts)} {'conflict' if len(self.conflicts) == 1 else 'conflicts'}",
                  f"{len(self.gone)} gone from the feed"]
        if self.archived or self.restored:
            parts.append(f"{len(self.archived)} archived (closed in the feed), {len(self.restored)} restored "
                         "(open again in the feed)")
        return "; ".join(parts)


# --------------------------------------------------------------------------- reading the feed


class _Fetcher:
    def __init__(self, timeout: float, max_bytes: int):
        self.timeout, self.left = timeout, max_bytes
        self._lock = threading.Lock()  # several threads fetch the services' full records

    def json(self, url: str) -> Any:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise HarvestError(f"{url} is not an http or https address")
        request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                       "User-Agent": "RecoveryPathways-harvest/1"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = answer.read(self.left + 1)
        except urllib.error.HTTPError as error:
            raise HarvestError(f"{url} answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise HarvestError(f"could not read {url}: {reason}") from None
        with self._lock:
            if len(data) > self.left:
                raise HarvestError(f"the feed is larger than the harvest's limit of {MAX_TOTAL_BYTES // (1024 * 1024)} "
                                   f"MB (reached at {url})")
            self.left -= len(data)
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise HarvestError(f"{url} is not valid JSON ({str(error)[:120]})") from None


def feed_base(url: str) -> str:
    """The API's base address: the given one without a trailing slash or '/services'."""
    url = url.strip()
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise HarvestError(f"'{url}' is not an http or https address")
    url = url.split("?", 1)[0].rstrip("/")
    return url[: -len("/services")] if url.endswith("/services") else url


def read_feed(base: str, *, timeout: float = TIMEOUT_SECONDS, max_pages: int = MAX_PAGES,
              max_bytes: int = MAX_TOTAL_BYTES, max_services: int = MAX_IMPORT_ROWS,
              workers: int = FETCH_WORKERS) -> tuple[list[dict], int]:
    """Every service's full record, and the number of list pages read; HarvestError on any failure.
    The full records are fetched `workers` at a time."""
    fetch = _Fetcher(timeout, max_bytes)
    items: list[dict] = []
    seen_urls: set[str] = set()
    seen_pages: set[tuple] = set()
    url: str | None = f"{base}/services?page=1&per_page={PER_PAGE}"
    number = pages = 0
    while url:
        if url in seen_urls:
            raise HarvestError(f"the pages loop: {url} was already read")
        if pages >= max_pages:
            raise HarvestError(f"the feed has more than {max_pages} pages (the harvest's limit)")
        seen_urls.add(url)
        number, pages = number + 1, pages + 1
        page = fetch.json(url)
        contents, said_number, total, last, next_url = _page_parts(page, url)
        ids = tuple(str(item.get("id")) for item in contents)
        if contents and ids in seen_pages or (said_number is not None and said_number < number):
            raise HarvestError(f"the pages loop: {url} gave page {said_number if said_number is not None else '?'} "
                               "again")
        seen_pages.add(ids)
        items.extend(contents)
        if len(items) > max_services:
            raise HarvestError(f"the feed has more than {max_services:,} services (one harvest's limit)")
        if next_url:
            url = urllib.parse.urljoin(url, next_url)
        elif contents and not last and (total is None or number < total):
            url = f"{base}/services?page={number + 1}&per_page={PER_PAGE}"
        else:
            url = None
    def full_record(item: dict) -> dict:
        service_id = item.get("id")
        if service_id in (None, ""):
            return item  # no id to follow: the list item is all there is
        full = fetch.json(f"{base}/services/{urllib.parse.quote(str(service_id), safe='')}")
        if not isinstance(full, dict) or "name" not in full:
            raise HarvestError(f"{base}/services/{service_id} is not an Open Referral service")
        return full

    if workers <= 1:
        return [full_record(item) for item in items], pages
    # Each record is a round trip to the feed: a few at once, never more (the feed is someone else's server).
    # The first failure stops the harvest; requests not yet started are cancelled.
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest")
    try:
        return list(pool.map(full_record, items)), pages
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _page_parts(page: Any, url: str):
    if not isinstance(page, dict):
        raise HarvestError(f"{url} is not a page of services (a JSON object with 'contents')")
    if isinstance(page.get("contents"), list):  # ORUK / HSDS 3.0
        contents, number, total, last = page["contents"], page.get("page_number"), page.get("total_pages"), page.get("last_page")
    elif isinstance(page.get("content"), list):  # ORUK 1.0
        contents, number, total, last = page["content"], page.get("number"), page.get("totalPages"), page.get("last")
    else:
        raise HarvestError(f"{url} is not a page of services: it has no 'contents' (ORUK 3.0) or 'content' (ORUK 1.0) list")
    if not all(isinstance(item, dict) for item in contents):
        raise HarvestError(f"{url} lists something other than services")
    links = page.get("links") if isinstance(page.get("links"), dict) else {}
    next_url = page.get("next") if isinstance(page.get("next"), str) else links.get("next")
    as_int = lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None  # noqa: E731
    return contents, as_int(number), as_int(total), last is True, next_url if isinstance(next_url, str) else None


# --------------------------------------------------------------------------- the crosswalk


def load_crosswalk(directory: Directory) -> dict[str, str]:
    """term (lower case) -> our category code, or HOLD."""
    with directory.reader() as uow:
        setting = uow.settings.get(CROSSWALK_KEY)
        return dict(setting.value.get("terms", {})) if setting else {}


def save_crosswalk(directory: Directory, terms: dict[str, str], author: str) -> dict[str, str]:
    """Adds or changes crosswalk terms (an empty value removes one); ValueError naming a bad category."""
    for term, code in terms.items():
        if code and code != HOLD and code not in codes.CATEGORIES:
            raise ValueError(f"'{code}' (for the term '{term}') is not one of our categories "
                             f"({', '.join(codes.CATEGORIES)}) or '{HOLD}'")
    merged = load_crosswalk(directory)
    for term, code in terms.items():
        key = term.strip().lower()
        if code:
            merged[key] = code
        else:
            merged.pop(key, None)
    with directory.unit_of_work() as uow:
        uow.settings.put(CROSSWALK_KEY, {"terms": merged}, author, dt.datetime.now(dt.timezone.utc))
        uow.commit()
    return merged


def read_crosswalk_file(path) -> dict[str, str]:
    """A crosswalk file: CSV lines `term,category` (a header line `term,category` is skipped) or JSON {term: code}."""
    import csv
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("{"):
        return {str(k): str(v) for k, v in json.loads(text).items()}
    terms = {}
    for row in csv.reader(text.splitlines()):
        if len(row) >= 2 and row[0].strip() and row[0].strip().lower() != "term":
            terms[row[0].strip()] = row[1].strip()
    return terms


def _term_labels(service: dict) -> list[str]:
    labels = []
    for term in _taxonomy_terms(service):
        if term.get("taxonomy") == ATTRIBUTE_TAXONOMY:
            continue
        label = next((term[k] for k in ("name", "term", "code") if isinstance(term.get(k), str) and term[k].strip()), None)
        if label and label.strip() not in labels:
            labels.append(label.strip())
    return labels


# --------------------------------------------------------------------------- state kept per feed


def _state_key(base: str) -> str:
    return "harvest:" + hashlib.sha1(base.encode()).hexdigest()[:40]


def load_state(directory: Directory, base: str) -> dict[str, Any]:
    with directory.reader() as uow:
        setting = uow.settings.get(_state_key(base))
        return dict(setting.value) if setting else {"feed": base, "services": {}}


def harvest_origin(directory: Directory, entry_id: str) -> tuple[str, str] | None:
    """(feed, service id) of a harvested entry, or None. The feeds' records are read only for an entry whose
    history has a harvest in it."""
    if not any((record.note or "").startswith(HARVEST_NOTE) for record in directory.history(entry_id)):
        return None
    with directory.reader() as uow:
        for setting in uow.settings.with_prefix("harvest:"):
            for service_id, kept in (setting.value.get("services") or {}).items():
                if kept.get("entry") == entry_id:
                    return setting.value.get("feed"), service_id
    return None


# --------------------------------------------------------------------------- the harvest


def harvest(directory: Directory, url: str, *, author: str = HARVEST_USER, default_category: str | None = None,
            dry_run: bool = False, timeout: float = TIMEOUT_SECONDS, max_pages: int = MAX_PAGES,
            max_bytes: int = MAX_TOTAL_BYTES, workers: int = FETCH_WORKERS) -> HarvestReport:
    """Read the feed whole, then import it (docstring of this module). HarvestError: nothing was imported."""
    base = feed_base(url)
    report = HarvestReport(feed=base)
    services, report.pages = read_feed(base, timeout=timeout, max_pages=max_pages, max_bytes=max_bytes,
                                       workers=workers)
    report.services = len(services)
    crosswalk = load_crosswalk(directory)
    state = load_state(directory, base)
    kept: dict[str, Any] = state.get("services", {})

    rows, warnings, service_ids, unknown = [], [], [], {}
    for service in services:
        row, notes = service_to_row(service)
        service_id = str(service.get("id")) if service.get("id") not in (None, "") else None
        labels = _term_labels(service)
        if not row.get("category"):
            mapped = [crosswalk[label.lower()] for label in labels if label.lower() in crosswalk]
            category = next((code for code in mapped if code != HOLD), None)
            if category is None and HOLD in mapped:
                report.held_back.append({"service_id": service_id, "name": row.get("name"), "terms": labels})
                continue
            if category:
                row["category"] = category
        for label in labels:
            if label.lower() not in crosswalk and not _names_our_category(label):
                unknown[label] = unknown.get(label, 0) + 1
        if not row.get("category") and default_category:
            row["category"] = default_category
        rows.append(row)
        service_ids.append(service_id)
        warnings.extend({"row": len(rows), "column": "", "reason": note} for note in notes)
    report.unknown_terms = [{"term": term, "services": count} for term, count in sorted(unknown.items())]

    fed = {i: dict(row) for i, row in enumerate(rows)}  # what the feed said, before re-harvest trims it
    _keep_local_work(directory, rows, service_ids, kept, author, report)
    columns = sorted({c for row in rows for c in row})
    importer = Importer(directory, author, dry_run=dry_run, note=HARVEST_NOTE + base)
    report.import_report = importer.run_rows(columns, rows, warnings, base)
    report.archived, report.restored = getattr(importer, "archived", []), getattr(importer, "restored", [])
    present = {sid for sid in service_ids if sid} | {h["service_id"] for h in report.held_back}
    report.gone = [{"service_id": sid, "entry_id": k.get("entry"), "name": k.get("name")}
                   for sid, k in sorted(kept.items()) if sid not in present]
    if not dry_run:
        _save_state(directory, base, kept, fed, service_ids, report.import_report, author)
        _keep_conflicts(directory, base, report.conflicts)
    return report


def _names_our_category(label: str) -> bool:
    return label.strip().lower().replace(" ", "_").replace("-", "_") in codes.CATEGORIES


def _keep_local_work(directory, rows, service_ids, kept, author, report) -> None:
    """Re-harvest: trim each row to the fields the feed changed since the last harvest and nobody here has
    changed since; list the conflicts (both changed) and the local edits kept."""
    known = [(i, kept[sid]) for i, sid in enumerate(service_ids) if sid in kept]
    if not known:
        return
    ids = sorted({k["entry"] for _, k in known})
    existing = {place[0] for place in directory.places()}  # ids only: whole entries just where a value is shown
    with directory.reader() as uow:
        setters = uow.harvest.last_setters(ids)
    shown: dict[str, Any] = {}
    for index, last in known:
        entry_id = last["entry"]
        if entry_id not in existing:
            continue
        row, before = rows[index], last.get("cells", {})
        provenance = setters.get(entry_id, {})
        for column in set(row) | {c for c in before if c not in _NOT_CLEARED}:
            if column == "id":
                continue
            new, old = row.get(column, ""), before.get(column, "")
            version, who, at, note = provenance.get(column) or (0, author, None, None)
            # Changed here by someone else since this feed first gave the entry (a value older than that,
            # a file import's say, is the feed's to replace; a coordinator choosing the feed's value in a
            # conflict gives the field back to the feed).
            local = (who != author and version > last.get("first_version", 0)
                     and not (note or "").startswith(CHOSE_FEED_NOTE))
            if local:
                if entry_id not in shown:
                    shown[entry_id] = directory.get(entry_id)
                item = {"service_id": service_ids[index], "entry_id": entry_id, "field": column,
                        "local": _shown(getattr(shown[entry_id], column, None)), "feed": new,
                        "changed_by": who, "changed_at": _as_utc(at).date().isoformat()}
                (report.conflicts if new != old else report.kept_local).append(item)
                row.pop(column, None)
            elif new == old:
                row.pop(column, None)  # the feed did not change it: nothing to send
            else:
                row[column] = new


def _as_utc(at: dt.datetime) -> dt.datetime:
    # SQLite gives back times without their zone; they were written in UTC.
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ";".join(value)
    return "" if value is None else str(value)


def _save_state(directory, base, kept, fed, service_ids, import_report, author) -> None:
    refused = set(import_report.rejected_rows) | {d["row"] for d in import_report.possible_duplicates}
    ids = {sid: fed[i].get("id") or sid for i, sid in enumerate(service_ids) if sid and i + 1 not in refused}
    versions = {place[0]: place[1] for place in directory.places()}  # (id, version, …): no whole entries read
    for index, sid in enumerate(service_ids):
        entry_id = ids.get(sid)
        if entry_id in versions:
            first = kept.get(sid, {}).get("first_version", versions[entry_id])
            kept[sid] = {"entry": entry_id, "name": fed[index].get("name"), "version": versions[entry_id],
                         "first_version": first, "cells": fed[index]}
    with directory.unit_of_work() as uow:
        uow.settings.put(_state_key(base), {"feed": base, "services": kept,
                                             "harvested_at": dt.datetime.now(dt.timezone.utc).isoformat()},
                         author, dt.datetime.now(dt.timezone.utc))
        uow.commit()


# --------------------------------------------------------------------------- conflicts kept for a coordinator


@dataclass(frozen=True)
class Conflict:
    """An open conflict: both the feed and a person here changed `field` of the entry between two harvests."""

    id: int
    feed: str
    service_id: str
    entry_id: str
    field: str
    local_value: str    # ours, as it was when the harvest found the conflict
    feed_value: str
    changed_by: str
    changed_at: dt.datetime
    found_at: dt.datetime


def _keep_conflicts(directory: Directory, base: str, conflicts: list[dict[str, Any]]) -> None:
    """The harvest's conflicts, kept until a coordinator chooses: one still open for the same entry and field
    takes the feed's newest value instead of a second being added."""
    if not conflicts:
        return
    from directory.models import HarvestConflict

    now = dt.datetime.now(dt.timezone.utc)
    with directory.unit_of_work() as uow:
        open_ = {(c.entry_id, c.field): c for c in uow.harvest.open_conflicts(base)}
        for item in conflicts:
            kept = open_.get((item["entry_id"], item["field"]))
            changed_at = dt.datetime.combine(dt.date.fromisoformat(item["changed_at"]), dt.time(), dt.timezone.utc)
            if kept is None:
                uow.harvest.add_conflict(HarvestConflict(
                    feed=base, service_id=item["service_id"], entry_id=item["entry_id"], field=item["field"],
                    local_value=item["local"], feed_value=item["feed"], changed_by=item["changed_by"],
                    changed_at=changed_at, found_at=now))
            else:
                kept.local_value, kept.feed_value, kept.found_at = item["local"], item["feed"], now
                kept.changed_by, kept.changed_at = item["changed_by"], changed_at
        uow.commit()


def open_conflicts(directory: Directory, feed: str | None = None) -> list[Conflict]:
    """Conflicts no coordinator has chosen for yet (of one feed, or all), by entry and field."""
    with directory.reader() as uow:
        return [Conflict(c.id, c.feed, c.service_id, c.entry_id, c.field, c.local_value, c.feed_value,
                         c.changed_by, c.changed_at, c.found_at) for c in uow.harvest.open_conflicts(feed)]


def conflicts_to_choose(directory: Directory, limit: int = 50) -> tuple[list[tuple[Conflict, Any, str]], int]:
    """The first `limit` open conflicts with each one's entry as it is now and our value now (as text), and
    how many are open in all."""
    conflicts = open_conflicts(directory)
    shown = conflicts[:limit]
    entries = {e.id: e for e in directory.entries(include_archived=True, ids=sorted({c.entry_id for c in shown}))}
    return [(c, entries[c.entry_id], _shown(getattr(entries[c.entry_id], c.field, None)))
            for c in shown if c.entry_id in entries], len(conflicts)


def choose(directory: Directory, conflict_id: int, choice: str, author: str, based_on_version: int):
    """A coordinator's choice in a conflict: OURS keeps the entry as it is; THEIRS saves the feed's value as a
    normal revision by `author` (noted CHOSE_FEED_NOTE + feed, so later harvests update the field again).
    Either way the conflict is closed. ConflictError if the entry was saved since `based_on_version`
    (nothing is changed); ValueError for a conflict already chosen or a value the entry cannot take."""
    from directory.validation import ValidationError, parse_cell

    if choice not in (OURS, THEIRS):
        raise ValueError(f"choose '{OURS}' or '{THEIRS}', not '{choice}'")
    with directory.unit_of_work() as uow:
        conflict = uow.harvest.conflict(conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise ValueError("this conflict has already been chosen for (perhaps by another coordinator): "
                             "reload the page to see those still open")
        if choice == THEIRS:
            try:
                uow.update(conflict.entry_id, {conflict.field: parse_cell(conflict.field, conflict.feed_value)},
                           based_on_version, author, note=CHOSE_FEED_NOTE + conflict.feed)
            except ValidationError as invalid:
                raise ValueError(f"the feed's value cannot be saved: {invalid.problems[0].reason}") from None
        elif uow.get(conflict.entry_id).version != based_on_version:
            from directory.errors import ConflictError

            current = uow.get(conflict.entry_id)
            raise ConflictError(conflict.entry_id, based_on_version, current,
                                uow.entries.changes_since(conflict.entry_id, based_on_version))
        conflict.resolved_at, conflict.resolved_by, conflict.chosen = dt.datetime.now(dt.timezone.utc), author, choice
        uow.commit()


def field_origins(directory: Directory, entry_id: str, display_name: Callable[[str], str] | None = None
                  ) -> dict[str, str]:
    """Per field, where its value came from: "from <feed>, 6 Dec 2026" or "set by <name>, 3 Dec 2026"."""
    notes = {record.version: record.note for record in directory.history(entry_id)}
    origins = {}
    for name, change in directory.provenance(entry_id).items():
        when = f"{change.at.day} {change.at:%b %Y}"
        note = notes.get(change.version) or ""
        if note.startswith(HARVEST_NOTE):
            origins[name] = f"from {note[len(HARVEST_NOTE):]}, {when}"
        elif note.startswith(CHOSE_FEED_NOTE):
            who = display_name(change.author) if display_name else change.author
            origins[name] = f"from {note[len(CHOSE_FEED_NOTE):]} (chosen by {who} in a conflict), {when}"
        else:
            who = display_name(change.author) if display_name else change.author
            origins[name] = f"set by {who}, {when}"
    return origins




# --------------------------------------------------------------------------- the command line


def add_parser(commands) -> None:
    p = commands.add_parser("harvest", help="harvest another directory's Open Referral (ORUK) API into this one")
    p.add_argument("url", metavar="URL", help="the API's address, e.g. https://example.org/api (its /services is read)")
    p.add_argument("--default-category", choices=sorted(codes.CATEGORIES), metavar="CODE",
                   help="category for services whose taxonomy terms the crosswalk does not map")
    p.add_argument("--crosswalk", metavar="FILE", help="add these term,category lines (CSV or JSON) to the crosswalk first")
    p.add_argument("--report", metavar="REPORT.json", help="write the harvest report as JSON here")
    p.add_argument("--dry-run", action="store_true", help="read the feed, check and report; change nothing")
    p.add_argument("--as", dest="author", metavar="USER",
                   help=f"the account the changes are attributed to (default '{HARVEST_USER}', made on first use)")


def cmd_harvest(args, directory: Directory) -> int:
    """Exit codes: 0 harvested (rows may still be rejected); 1 the feed could not be read whole (nothing was
    imported); 2 wrong arguments."""
    import sys
    from pathlib import Path

    from directory.accounts import ensure_user, get_account
    from directory.errors import NotAllowed

    def fail(message: str, code: int) -> int:
        print(f"error: {message}", file=sys.stderr)
        return code

    author = args.author or HARVEST_USER
    if args.author is None:
        ensure_user(directory, HARVEST_USER, "Open Referral harvest", "editor")
    elif get_account(directory, author) is None:
        return fail(f"no account '{author}': create it in the app first, or leave out --as", 2)
    if args.crosswalk:
        try:
            save_crosswalk(directory, read_crosswalk_file(args.crosswalk), author)
        except (OSError, ValueError) as error:
            return fail(f"{args.crosswalk}: {error}", 2)
    try:
        report = harvest(directory, args.url, author=author, default_category=args.default_category,
                         dry_run=args.dry_run)
    except HarvestError as error:
        report = HarvestReport(feed=args.url, error=str(error))
        if args.report:
            Path(args.report).write_text(report.to_json() + "\n", encoding="utf-8")
        return fail(report.summary(), 1)
    except NotAllowed as error:
        return fail(f"{error}. Nothing was imported.", 2)
    if args.report:
        Path(args.report).write_text(report.to_json() + "\n", encoding="utf-8")
    print(report.summary())
    for item in report.import_report.rejected:
        print(f"  row {item['row']}, {item['column'] or 'row'}: {item['reason']}")
    for item in report.unknown_terms:
        print(f"  unknown taxonomy term '{item['term']}' ({item['services']} services): map it in the crosswalk")
    for item in report.conflicts:
        print(f"  conflict: {item['entry_id']} {item['field']}: kept '{item['local']}' (changed here by "
              f"{item['changed_by']}), the feed now says '{item['feed']}'")
    for item in report.gone:
        print(f"  gone from the feed: {item['entry_id']} {item['name']} (not deleted)")
    return 0
