"""Open Referral UK / HSDS 3.0 JSON: services in, services out (docs/cli.md).

Import does not build entries. It turns each HSDS `service` into the row a
spreadsheet would hold (column name -> cell text), so one shared validator
judges every source alike and reports bad data (an impossible latitude, a US
postal code) with row, column and reason. Export (directory/io/oruk.py) turns
entries into ORUK 3.0 service objects; our fields that HSDS lacks travel as
`attributes` linked to terms of the taxonomy ATTRIBUTE_TAXONOMY, which makes
export -> import exact.

Other directories publish loosely typed JSON, so import never raises on a
service: odd values are coerced or left out with a note.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Iterable

from directory.codes import CATEGORIES, VOCABULARIES
from directory.fields import FIELD_BY_NAME, LATITUDE, LONGITUDE, Entry, format_cell
from directory.validation import ValidationError, parse_cell

ATTRIBUTE_TAXONOMY = "recovery-pathways"

# Columns held as a plain value directly on the service object, both ways.
_SERVICE_KEYS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "description": "description",
    "url": "url",
    "email": "email",
    "min_age": "minimum_age",
    "max_age": "maximum_age",
    # HSDS: "the date the information about the service was last checked".
    "last_verified": "assured_date",
}
_CONTACT_KEYS: dict[str, str] = {"contact_name": "name", "contact_role": "title", "contact_email": "email"}
_LOCATION_TYPE_DELIVERY: dict[str, str] = {"physical": "in_person", "virtual": "online"}

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RFC_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545 BYDAY
_TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?$")
# 12-hour times some feeds send: "4:00 PM", "9am", "12.30 p.m."
_TIME_12 = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?::\d{2})?\s*(?P<half>[ap])\.?\s*m\.?$", re.IGNORECASE)
_CURRENCY_SYMBOLS = {"GBP": "£"}
_QUOTES = ('"', "'", "“”", "‘’")


# Markup in a text field: a tag or a character reference. ORUK descriptions "can contain markup such as HTML".
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")
_BLOCK_TAGS = frozenset("address article blockquote br div dl dt dd footer h1 h2 h3 h4 h5 h6 header hr ol p pre "
                        "section table tr ul".split())


class HsdsError(ValueError):
    """The JSON is not HSDS services at all (as opposed to a service with bad data)."""


# --------------------------------------------------------------------------- reading the file


def read_hsds(data: Any) -> list[dict]:
    """The service objects in parsed HSDS JSON: an array, an ORUK page (`contents`) or one service."""
    if isinstance(data, list):
        return _services_in_list(data, "The file")
    if isinstance(data, dict):
        if "contents" in data:
            return _services_in_list(data["contents"], "The page's 'contents'")
        if "content" in data and "name" not in data:  # an ORUK 1.0 page
            return _services_in_list(data["content"], "The page's 'content'")
        if "name" in data:
            return [data]
        raise HsdsError(
            "The file is a JSON object but neither an Open Referral service (it has no 'name') "
            "nor a page of services (it has no 'contents')."
        )
    raise HsdsError(f"The file holds {_json_kind(data)}, not Open Referral services (a JSON array or object).")


def _services_in_list(items: Any, where: str) -> list[dict]:
    if not isinstance(items, list):
        raise HsdsError(f"{where} should be a list of services but is {_json_kind(items)}.")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise HsdsError(f"{where} should list services, but item {number} is {_json_kind(item)}.")
    # One nameless service is a bad row the validator reports; none named at all is not HSDS.
    if items and not any("name" in item for item in items):
        raise HsdsError(f"{where} lists JSON objects, but none has a 'name', so they are not Open Referral services.")
    return list(items)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


# --------------------------------------------------------------------------- loosely typed JSON


def _object(value: Any) -> dict:
    """A JSON object where one is expected; a list stands for its first object."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, dict)), {})
    return {}


def _objects(value: Any) -> list[dict]:
    """A list of JSON objects where one is expected; a lone object counts as a list of one."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _first_listed(key: str, *holders: dict) -> list[dict]:
    """`key`'s objects from the first holder that has any (service before its location)."""
    for holder in holders:
        found = _objects(holder.get(key))
        if found:
            return found
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _number_text(column: str, number: int | float) -> str:
    if FIELD_BY_NAME[column].kind in (LATITUDE, LONGITUDE):
        return format_cell(column, float(number))  # the same digits a CSV export writes
    if isinstance(number, int):
        return str(number)
    return str(int(number)) if number.is_integer() else repr(number)


class _TextOfHtml(HTMLParser):
    """The text of an HTML fragment: blocks on lines of their own, list items as "- ", no script or style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _plain_text(value: Any) -> Any:
    """Text with HTML markup turned into plain text ("<p>Tea &amp; toast</p>" -> "Tea & toast"); other
    values as they are. Paragraphs are kept apart by a blank line."""
    if not isinstance(value, str) or not _MARKUP.search(value):
        return value
    parser = _TextOfHtml()
    parser.feed(value)
    parser.close()
    lines: list[str] = []
    for line in "".join(parser.parts).splitlines():
        line = " ".join(line.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def _unquote(value: Any) -> Any:
    """Strip quotes wrapped around the whole value ('"+44 1234 234567"' in the ORUK example)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    for quote in _QUOTES:
        opening, closing = quote[0], quote[-1]
        if len(text) >= 2 and text[0] == opening and text[-1] == closing:
            return text[1:-1].strip()
    return value


class _Row:
    """The row being built from one service, and what could not be carried over."""

    def __init__(self) -> None:
        self.cells: dict[str, str] = {}
        self.notes: list[str] = []

    def put(self, column: str, value: Any) -> None:
        cell = self._cell(column, value)
        if cell:
            self.cells[column] = cell

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def first(self, items: list[dict], what: str, used_for: str) -> dict:
        if len(items) > 1:
            self.note(f"{len(items)} {what}: only the first is used {used_for}")
        return items[0] if items else {}

    def _cell(self, column: str, value: Any) -> str:
        if value is None or isinstance(value, str):
            return value or ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return _number_text(column, value)
        self.note(f"{column}: expected a single value but found {_json_kind(value)}; left out")
        return ""


# --------------------------------------------------------------------------- HSDS -> row


# The service's own keys the mapping reads (or, for bookkeeping, deliberately passes over); any other key
# with a value is named in a note, so nothing is lost silently.
_KEYS_READ = frozenset(set(_SERVICE_KEYS.values()) | {
    "organization", "organization_id", "service_at_locations", "phones", "contacts", "schedules",
    "regular_schedules", "cost_options", "fees_description", "fees", "languages", "wait_time", "attributes",
    "service_taxonomys", "status", "service_areas", "last_modified", "metadata"})
# ORUK `status` values that mean the service no longer runs: imported as archived.
CLOSED_STATUSES = ("inactive", "defunct")
# The row's cells (not columns) that carry the service's status (lower case) and its areas (one a line) to
# the importer.
STATUS_CELL = "status"
AREAS_CELL = "service_areas"


def service_to_row(service: dict) -> tuple[dict[str, str], list[str]]:
    """One HSDS service as spreadsheet cells (column -> raw text), and notes on what was not carried over.

    The cells STATUS_CELL (the service's `status` when inactive or defunct) and AREAS_CELL (its
    `service_areas`) are not columns: the importer archives the entry of a closed service, and keeps the areas
    (directory/areas.py). A harvest sends an empty status cell once a service it saw closed is open again:
    the importer restores an entry it archived so."""
    row = _Row()
    if not isinstance(service, dict):
        row.note(f"the service is {_json_kind(service)}, not a JSON object; nothing read")
        return row.cells, row.notes
    _read_native(service, row)
    _read_foreign_category(service, row)
    _read_our_attributes(service, row)  # last: they hold exactly what we exported
    status = service.get("status")
    if isinstance(status, str) and status.strip().lower() in CLOSED_STATUSES:
        row.cells[STATUS_CELL] = status.strip().lower()
        row.note(f"status is {status.strip().lower()}: the entry is archived")
    left = sorted(key for key, value in service.items()
                  if key not in _KEYS_READ and value not in (None, "", [], {}))
    if left:
        row.note(f"not carried over (no field here for them): {', '.join(map(str, left))}")
    return row.cells, row.notes


def _read_native(service: dict, row: _Row) -> None:
    """The columns HSDS has a place for."""
    for column, key in _SERVICE_KEYS.items():
        value = service.get(key)
        if column in ("min_age", "max_age") and _number(value) == -1:
            continue  # ORUK feeds write -1 for "no age limit", which our empty cell means
        row.put(column, _plain_text(value) if column == "description" else value)
    row.put("organisation", _object(service.get("organization")).get("name"))

    at_locations = _objects(service.get("service_at_locations"))
    at_location = row.first(at_locations, "locations", "for the address and position")
    location = _object(at_location.get("location"))
    holders = (service, at_location, location)  # most specific to the service first

    _read_phone("phone", _first_listed("phones", *holders), row)
    _read_contact(row.first(_first_listed("contacts", *holders), "contacts", "as the named contact"), row)
    _read_location(location, row)
    _read_delivery(at_locations, row)
    _read_service_areas(service, location, row)
    schedules = _first_listed("schedules", *holders)
    if schedules:
        _read_schedules(schedules, row)
    else:  # ORUK 1.0
        _read_regular_schedules(_first_listed("regular_schedules", *holders), row)
    _read_cost(service, row)
    row.put("languages", ";".join(_language_codes(service)))
    _read_wait_time(service.get("wait_time"), row)


def _read_phone(column: str, phones: list[dict], row: _Row) -> None:
    phone = phones[0] if phones else {}
    number = _unquote(phone.get("number"))
    if isinstance(number, str) and number.strip():
        try:
            parse_cell(column, number)
        except ValidationError as invalid:
            # One unusable number should not lose the whole service: it is left out and said so.
            row.note(f"{column}: {invalid.problems[0].reason}; left out")
            return
    row.put(column, number)
    if phone.get("extension") not in (None, ""):
        row.note(f"{column}: extension {phone['extension']} left out")


def _read_contact(contact: dict, row: _Row) -> None:
    for column, key in _CONTACT_KEYS.items():
        row.put(column, contact.get(key))
    _read_phone("contact_phone", _objects(contact.get("phones")), row)


def _read_location(location: dict, row: _Row) -> None:
    # ORUK 1.0 feeds call the addresses physical_addresses.
    address = _object(location.get("addresses") or location.get("physical_addresses"))
    street = [address.get(key) for key in ("address_1", "address_2", "city")]
    row.put("address", ", ".join(part for part in street if isinstance(part, str) and part.strip()))
    row.put("postcode", address.get("postal_code"))
    # Passed on even when impossible: the validator says what is wrong with them.
    row.put("latitude", location.get("latitude"))
    row.put("longitude", location.get("longitude"))
    row.put("accessibility", "; ".join(_accessibility_texts(location)))


def _accessibility_texts(location: dict) -> list[str]:
    # HSDS 3.0: `description` says what there is, `details` adds to it; both matter to a visitor.
    texts = []
    for item in _objects(location.get("accessibility")):
        parts = [item.get(key) for key in ("description", "details")]
        text = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
        if text:
            texts.append(text)
    return texts


def _read_delivery(at_locations: list[dict], row: _Row) -> None:
    modes = []
    for at_location in at_locations:
        location_type = _object(at_location.get("location")).get("location_type")
        mode = _LOCATION_TYPE_DELIVERY.get(location_type) if isinstance(location_type, str) else None
        if mode and mode not in modes:
            modes.append(mode)
    row.put("delivery", ";".join(modes))


def _read_service_areas(service: dict, location: dict, row: _Row) -> None:
    """The areas a service serves (`service_areas`), kept by name in the cell AREAS_CELL (one a line):
    directory/areas.py reads each as a council, town or postcode district, so a postcode search inside one
    finds the service. An area-wide service (no place to attend) is delivered where people are: outreach, so
    it imports (no postcode needed) instead of being rejected."""
    from directory.areas import clean_area_names, read_area

    names = []
    for area in _objects(service.get("service_areas")):
        name = next((area[k] for k in ("name", "service_area", "description")
                     if isinstance(area.get(k), str) and area[k].strip()), None)
        if name:
            names.append(name)
    areas, over = clean_area_names(names)
    if not areas:
        return
    row.cells[AREAS_CELL] = "\n".join(areas)
    has_place = any(k in row.cells for k in ("postcode", "latitude", "longitude"))
    if not has_place and "delivery" not in row.cells:
        row.put("delivery", "outreach")
        row.note("no place to attend: imported as outreach, serving its areas")
    unplaced = [name for name in areas if read_area(name) is None]
    if unplaced:
        row.note(f"service area not a council, town or postcode district we know (kept, but a postcode search "
                 f"does not find the service by it): {'; '.join(unplaced)}")
    if over:
        row.note(f"{over} more service areas left out: at most {len(areas)} are kept")


_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _read_regular_schedules(schedules: list[dict], row: _Row) -> None:
    """ORUK 1.0 `regular_schedules`: one weekday each (a name, an RFC day or 1 = Monday) with opens/closes."""
    by_times: dict[tuple[str, str], list[int]] = {}
    for number, schedule in enumerate(schedules, start=1):
        day = _weekday(schedule.get("weekday"))
        opens, closes = _hours_minutes(schedule.get("opens_at")), _hours_minutes(schedule.get("closes_at"))
        if day is None or not opens or not closes:
            row.note(f"regular schedule {number} left out: it has no weekday or no opening and closing times")
            continue
        days = by_times.setdefault((opens, closes), [])
        if day not in days:
            days.append(day)
    row.put("schedule", "; ".join(f"{_days_text(sorted(days))} {opens}-{closes}"
                                  for (opens, closes), days in by_times.items()))


def _weekday(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 1 <= value <= 7:
        return value - 1
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit() and 1 <= int(text) <= 7:
            return int(text) - 1
        for index, name in enumerate(_WEEKDAY_NAMES):
            if len(text) >= 2 and (name.startswith(text) or text == _RFC_DAYS[index].lower()):
                return index
    return None


def _read_schedules(schedules: list[dict], row: _Row) -> None:
    clauses = []
    for number, schedule in enumerate(schedules, start=1):
        clause, problem = _schedule_clause(schedule)
        if clause:
            clauses.append(clause)
        else:
            row.note(f"schedule {number} left out: {problem}")
    row.put("schedule", "; ".join(clauses))


def _schedule_clause(schedule: dict) -> tuple[str | None, str]:
    """Our clause text ("Mon-Fri 09:00-17:00") for a weekly HSDS schedule, else why not."""
    freq = schedule.get("freq")
    if freq not in (None, "") and str(freq).upper() != "WEEKLY":
        return None, f"it repeats {str(freq).lower()}, and the schedule column holds weekly times only"
    if schedule.get("interval") not in (None, "", 1, "1"):
        return None, f"it repeats every {schedule['interval']} weeks, and the schedule column holds weekly times only"
    days = _rfc_days(schedule.get("byday"))
    opens, closes = _hours_minutes(schedule.get("opens_at")), _hours_minutes(schedule.get("closes_at"))
    if not days or not opens or not closes:
        return None, "it has no weekdays (byday) or no opening and closing times"
    return f"{_days_text(days)} {opens}-{closes}", ""


def _rfc_days(byday: Any) -> list[int]:
    """Weekday indexes (Mon = 0) in a BYDAY list; none when any is not a plain weekday ("1MO")."""
    if not isinstance(byday, str):
        return []
    tokens = [token.strip().upper() for token in byday.split(",") if token.strip()]
    if not all(token in _RFC_DAYS for token in tokens):
        return []
    return sorted({_RFC_DAYS.index(token) for token in tokens})


def _days_text(days: list[int]) -> str:
    """Sorted weekday indexes as we write them: runs of three or more as ranges ("Mon-Fri,Sun")."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_DAY_NAMES[run[0]]}-{_DAY_NAMES[run[-1]]}")
        else:
            parts.extend(_DAY_NAMES[day] for day in run)
    return ",".join(parts)


def _hours_minutes(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if match:
        return f"{int(match['hour']):02d}:{match['minute']}"
    match = _TIME_12.match(value.strip())
    if not match or not 1 <= int(match["hour"]) <= 12:
        return None
    hour = int(match["hour"]) % 12 + (12 if match["half"].lower() == "p" else 0)
    return f"{hour:02d}:{match['minute'] or '00'}"


def _read_cost(service: dict, row: _Row) -> None:
    options = _objects(service.get("cost_options"))
    if options:
        row.put("cost", _cost_text(row.first(options, "cost options", "as the cost")))
    elif service.get("fees_description") not in (None, ""):
        row.put("cost", _plain_text(service.get("fees_description")))
    else:  # ORUK 3.0 names the text `fees`
        row.put("cost", _plain_text(service.get("fees")))


def _cost_text(option: dict) -> str:
    """The cost cell: "free", or e.g. "Under 18s: £35 per 1 hour session"."""
    amount = _number(option.get("amount"))
    if amount == 0:
        return "free"
    price = _price(amount, option.get("currency")) if amount is not None else ""
    description = option.get("amount_description") if isinstance(option.get("amount_description"), str) else ""
    label = option.get("option") if isinstance(option.get("option"), str) else ""
    text = " ".join(part for part in (price, description.strip()) if part)
    if label.strip() and label != description:
        return f"{label.strip()}: {text}" if text else label.strip()
    return text


def _price(amount: float, currency: Any) -> str:
    # ORUK is a UK standard, so an amount without a currency is taken to be pounds.
    code = currency.strip().upper() if isinstance(currency, str) and currency.strip() else "GBP"
    digits = str(int(amount)) if amount.is_integer() else f"{amount:.2f}"
    symbol = _CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{digits}" if symbol else f"{code} {digits}"


def _language_codes(service: dict) -> list[str]:
    codes = (language.get("code") for language in _objects(service.get("languages")))
    return [code.strip() for code in codes if isinstance(code, str) and code.strip()]


def _read_wait_time(wait_time: Any, row: _Row) -> None:
    # HSDS leaves wait_time free text ("2 weeks"); only a whole number is unambiguous enough to read as days.
    if isinstance(wait_time, int) and not isinstance(wait_time, bool):
        row.put("waiting_days", wait_time)


def _read_foreign_category(service: dict, row: _Row) -> None:
    """Our category from another directory's taxonomy terms that name one of our codes."""
    found = []
    for term in _taxonomy_terms(service):
        if term.get("taxonomy") == ATTRIBUTE_TAXONOMY:
            continue
        for key in ("code", "name"):
            code = _category_code(term.get(key))
            if code and code not in found:
                found.append(code)
    if len(found) > 1:
        row.note(f"its taxonomy terms name several categories ({', '.join(found)}): {found[0]} is used")
    if found:
        row.put("category", found[0])


def _taxonomy_terms(service: dict) -> list[dict]:
    terms = [_object(attribute.get("taxonomy_term")) for attribute in _objects(service.get("attributes"))]
    # ORUK 1.0 and 2.0 link terms through service_taxonomys instead.
    terms += [_object(link.get("taxonomy")) for link in _objects(service.get("service_taxonomys"))]
    return terms


def _category_code(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    code = re.sub(r"[\s-]+", "_", text.strip().lower())
    return code if code in CATEGORIES else None


def _read_our_attributes(service: dict, row: _Row) -> None:
    """Our fields from attributes of our taxonomy: a field's term holds the cell as its value; a coded
    field's codes come as one attribute each, linked to the code's term (link_type names the field)."""
    coded: dict[str, list[str]] = {}
    for attribute in _objects(service.get("attributes")):
        term = _object(attribute.get("taxonomy_term"))
        if term.get("taxonomy") != ATTRIBUTE_TAXONOMY:
            continue
        code, field = term.get("code"), attribute.get("link_type")
        if field != code and isinstance(field, str) and field in FIELD_BY_NAME and _is_code(field, code):
            if code not in coded.setdefault(field, []):  # a code's term ("phone" of delivery is not the column)
                coded[field].append(code)
        elif isinstance(code, str) and code in FIELD_BY_NAME:
            row.put(code, attribute.get("value"))
        else:
            row.note(f"attribute {code!r} of {ATTRIBUTE_TAXONOMY} is not a column we know; left out")
    for field, codes in coded.items():
        row.put(field, ";".join(codes))


def _is_code(field: str, code: Any) -> bool:
    vocabulary = FIELD_BY_NAME[field].vocabulary
    return isinstance(code, str) and vocabulary is not None and code in VOCABULARIES[vocabulary]


# --------------------------------------------------------------------------- entries -> HSDS


def entries_to_hsds(entries: Iterable[Entry], organisations: Any = None) -> list[dict]:
    """ORUK 3.0 service objects, one per entry, as /services/{id} returns them (directory/io/oruk.py)."""
    from directory.io.oruk import services

    return services(entries, organisations)
