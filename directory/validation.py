"""Untrusted text -> typed values for `fields.Entry`, with plain-English problems.

Cells come from spreadsheets (docs/spreadsheet-format.md), HSDS mappings and the
edit form. Every reason is written for the forum member who typed the value:
it quotes what they wrote and says what to write instead. Text is kept as
given (only trimmed): HTML in a description stays literal text here, because
escaping is the renderer's job and doing it twice would mangle `&` and `<`.

One parser per kind of field (`fields.py`), chosen by `_PARSERS`. A parser
gets the trimmed, non-empty text and either returns the typed value or raises
`_Invalid` with one reason per thing wrong (a list can have several).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

from directory import codes
from directory import fields as F
from directory.schedule import ScheduleError, normalise_schedule


@dataclass(frozen=True)
class Problem:
    column: str
    value: str
    reason: str


class ValidationError(ValueError):
    """One or more problems; str() joins their reasons."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(problem.reason for problem in self.problems))


class _Invalid(Exception):
    """What a kind's parser raises: the reasons the cell is wrong."""

    def __init__(self, *reasons: str):
        super().__init__(*reasons)
        self.reasons = reasons


# -- one cell --------------------------------------------------------------------------


def parse_cell(name: str, text: str | None) -> Any:
    """The typed value of field `name` written as `text`; empty text is the field's empty value."""
    field = F.FIELD_BY_NAME[name]
    # Spreadsheet readers may hand over numbers or dates; their text is what the user meant. Bidirectional
    # controls are taken out: invisible, they only make the text show as something it does not say.
    cleaned = "" if text is None else F.without_bidi_controls(str(text)).strip()
    if not cleaned:
        return F.empty_value(name)
    try:
        if field.kind in _REPEATING_KINDS:
            return _parse_repeating(name, cleaned)
        _check_characters(field, cleaned)
        return _PARSERS[field.kind](field, cleaned)
    except _Invalid as invalid:
        raise ValidationError([Problem(name, cleaned, reason) for reason in invalid.reasons]) from None


@functools.lru_cache(maxsize=4096)
def _parse_repeating(name: str, text: str) -> Any:
    """A cell of a kind whose few values repeat down a file (schedules, codes): parsed once per distinct text
    (an import of 300,000 rows parses each schedule once, not 300,000 times). A refusal is not kept."""
    field = F.FIELD_BY_NAME[name]
    _check_characters(field, text)
    return _PARSERS[field.kind](field, text)


# Matches the database's column sizes (models.py), so a long value is a message, not a crash.
_MAX_LENGTH = {
    "name": 200, "organisation": 200, "description": 5000, "address": 500, "contact_name": 200,
    "contact_role": 200, "cost": 200, "accessibility": 1000, "sector": 100, "url": 500,
    "email": 254, "contact_email": 254, "phone": 40, "contact_phone": 40,
}
_DEFAULT_MAX_LENGTH = 1000
# PostgreSQL refuses NUL in text, and other control characters are invisible copy-paste debris.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_characters(field: F.Field, text: str) -> None:
    limit = _MAX_LENGTH.get(field.name, _DEFAULT_MAX_LENGTH)
    if len(text) > limit:
        raise _Invalid(f"{_label(field.name)} is too long ({len(text)} characters): keep it to {limit} or fewer")
    if _CONTROL_CHARACTER.search(text):
        raise _Invalid(f"{_label(field.name)} contains an invisible control character: retype it")


def _label(name: str) -> str:
    return name.replace("_", " ")


def _item_label(field: F.Field) -> str:
    """What one item of the field is called: 'stages' -> 'stage'."""
    label = _label(field.name)
    return label[:-1] if field.kind in F.LIST_KINDS and label.endswith("s") else label


# -- text, codes and lists -----------------------------------------------------------


def _parse_text(field: F.Field, text: str) -> str:
    return text


_LIST_SEPARATOR = re.compile(r"[;,]")


def _each(items: Iterable[str], parse_item: Callable[[str], Any]) -> tuple:
    """Every item parsed, duplicates dropped; all the bad items reported together."""
    values: list[Any] = []
    reasons: list[str] = []
    for item in (item.strip() for item in items):
        if not item:
            continue
        try:
            value = parse_item(item)
        except _Invalid as invalid:
            reasons.extend(invalid.reasons)
            continue
        if value not in values:
            values.append(value)
    if reasons:
        raise _Invalid(*reasons)
    return tuple(values)


def _code_key(text: str) -> str:
    """'In-Person ' -> 'in_person': how people write a code vs how we store it."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _unknown(label: str, value: str, suggestion: str | None, otherwise: str) -> str:
    if suggestion:
        return f"unknown {label} '{value}'; did you mean '{suggestion}'?"
    return f"unknown {label} '{value}'; {otherwise}"


def _parse_code(field: F.Field, text: str) -> str:
    vocabulary = codes.VOCABULARIES[field.vocabulary]
    key = _code_key(text)
    if key in vocabulary:
        return key
    otherwise = f"use one of: {', '.join(vocabulary)}"
    raise _Invalid(_unknown(_item_label(field), text, suggest(field.vocabulary, text), otherwise))


def _parse_codes(field: F.Field, text: str) -> tuple[str, ...]:
    return _each(_LIST_SEPARATOR.split(text), lambda item: _parse_code(field, item)) or F.empty_value(field.name)


def _parse_words(field: F.Field, text: str) -> tuple[str, ...]:
    # Keywords keep the case they were typed in, but "Cooking" and "cooking" are one keyword.
    words: dict[str, str] = {}
    for word in (word.strip() for word in text.split(";")):
        if word:
            words.setdefault(word.casefold(), word)
    return tuple(words.values())


# Names people type instead of codes, for the languages most asked for in England.
_LANGUAGE_NAMES = {
    "english": "en", "welsh": "cy", "polish": "pl", "urdu": "ur", "punjabi": "pa", "bengali": "bn",
    "bangla": "bn", "gujarati": "gu", "hindi": "hi", "tamil": "ta", "arabic": "ar", "farsi": "fa",
    "persian": "fa", "pashto": "ps", "kurdish": "ku", "somali": "so", "tigrinya": "ti", "amharic": "am",
    "romanian": "ro", "bulgarian": "bg", "lithuanian": "lt", "latvian": "lv", "czech": "cs", "slovak": "sk",
    "hungarian": "hu", "portuguese": "pt", "spanish": "es", "french": "fr", "italian": "it", "german": "de",
    "russian": "ru", "ukrainian": "uk", "turkish": "tr", "chinese": "zh", "mandarin": "zh", "cantonese": "zh",
}


def _language(item: str) -> str:
    code = item.lower()
    if code in codes.LANGUAGES:
        return code
    suggestion = _LANGUAGE_NAMES.get(code)
    raise _Invalid(_unknown("language", item, suggestion, "use two-letter ISO 639-1 codes, e.g. en;pl;ur"))


def _parse_languages(field: F.Field, text: str) -> tuple[str, ...]:
    return _each(_LIST_SEPARATOR.split(text), _language)


_SPELLING_CUTOFF = 75  # rapidfuzz ratio, 0-100: "volunteerng" scores 96, unrelated words under 60


def suggest(vocabulary_name: str, text: str) -> str | None:
    """The code `text` most likely means: by meaning (codes.SYNONYMS), then by spelling."""
    vocabulary = codes.VOCABULARIES[vocabulary_name]
    synonyms = codes.SYNONYMS.get(vocabulary_name, {})
    key = _code_key(text)
    if key in vocabulary:
        return key
    if key in synonyms:
        return synonyms[key]
    # Synonyms are spelling targets too, so "jobz" finds "jobs" and so "employer".
    match = process.extractOne(key, [*vocabulary, *synonyms], scorer=fuzz.ratio, score_cutoff=_SPELLING_CUTOFF)
    if match is None:
        return None
    nearest = match[0]
    return nearest if nearest in vocabulary else synonyms[nearest]


# -- yes/no, dates, numbers ------------------------------------------------------------

_BOOLEANS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def _parse_bool(field: F.Field, text: str) -> bool:
    try:
        return _BOOLEANS[text.lower()]
    except KeyError:
        raise _Invalid(f"'{text}' is not yes or no") from None


# A date-time at midnight is how spreadsheet readers hand over a date cell.
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[ T]00:00(?::00)?)?")
_UK_DATE = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")


def _parse_date(field: F.Field, text: str) -> dt.date:
    match = _ISO_DATE.fullmatch(text) or _UK_DATE.fullmatch(text)
    try:
        if match:
            return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        pass  # shaped like a date but not one, e.g. 2026-02-30
    raise _Invalid(f"'{text}' is not a date: use YYYY-MM-DD, e.g. 2026-09-01")


# Inclusive bounds. Waiting over a year, or a commitment of more hours than a week has, is a typo.
_RANGES: dict[str, tuple[float, float]] = {
    "min_age": (0, 120), "max_age": (0, 120), "waiting_days": (0, 365), "hours_per_week": (0, 168),
    "latitude": (-90, 90), "longitude": (-180, 180),
}
# "12.0" is a whole number: spreadsheet readers turn integer cells into floats.
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")  # float() would also take "nan", "inf" and "1e3"


def _parse_whole_number(field: F.Field, text: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(text):
        raise _Invalid(f"'{text}' is not a whole number: use digits, e.g. 18")
    return _within_range(field, text, int(text.partition(".")[0]))


def _parse_decimal(field: F.Field, text: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise _Invalid(f"'{text}' is not a number: use digits, e.g. 7.5")
    return _within_range(field, text, float(text))


def _within_range(field: F.Field, text: str, value: Any) -> Any:
    low, high = _RANGES[field.name]
    if not low <= value <= high:
        raise _Invalid(f"{_label(field.name)} {text} is out of range ({_signed(low)} to {_signed(high)})")
    return value


def _signed(number: float) -> str:
    return f"{number:g}".replace("-", "\N{MINUS SIGN}")


# -- contact details -------------------------------------------------------------------


def _unquote(text: str) -> str:
    """'"+44 1234 234567"' -> '+44 1234 234567': the quotes spreadsheets and people put round numbers."""
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text.removeprefix("'").strip()  # Excel's "store as text" mark


# One plain address and nothing else: letters, digits and . _ ' + - before the @ (no <>, no spaces, no
# ?subject= or &bcc= that a mailto: link would act on), a domain name after it.
_EMAIL = re.compile(r"[\w'+-]+(?:\.[\w'+-]+)*@(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z\d-]+)", re.I)
# What merely looks like an address (something@something.something): said apart from plain nonsense.
_LOOKS_LIKE_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def _parse_email(field: F.Field, text: str) -> str:
    address = re.sub(r"^mailto:", "", _unquote(text), flags=re.I)
    if _EMAIL.fullmatch(address):
        return address
    parts = [part for part in re.split(r"[\s,;]+", address) if part]
    if len(parts) > 1 and all(_EMAIL.fullmatch(part) for part in parts):
        raise _Invalid(f"{field.label} holds more than one address ('{text}'): give just one, e.g. {parts[0]}")
    if _LOOKS_LIKE_EMAIL.fullmatch(address):
        raise _Invalid(f"{field.label} must be one plain email address, e.g. name@example.org, not '{text}'")
    raise _Invalid(f"'{text}' is not an email address")


_PHONE_CHARACTERS = re.compile(r"\+?[\d\s()\-]+")
_SHORT_NUMBERS = frozenset({"999", "112", "111", "101", "105", "119"})
_HELPLINE = re.compile(r"116\d{3}")  # 116 123 Samaritans and the other European helplines


def _parse_phone(field: F.Field, text: str) -> str:
    number = _unquote(text)
    if not (_PHONE_CHARACTERS.fullmatch(number) and _is_phone_number(number)):
        raise _Invalid(f"'{text}' is not a phone number: use digits, e.g. 01642 123456")
    return number


def _is_phone_number(number: str) -> bool:
    # "+44 (0)1642 ..." and "+44 1642 ..." both mean 01642 ...
    digits = re.sub(r"\D", "", number.replace("(0)", ""))
    if number.startswith("+") and not digits.startswith("44"):
        return 8 <= len(digits) <= 15  # another country's number (E.164)
    if number.startswith("+"):
        digits = "0" + digits[2:]
    return (digits.startswith("0") and 10 <= len(digits) <= 11) or digits in _SHORT_NUMBERS or bool(
        _HELPLINE.fullmatch(digits)
    )


# A scheme is letters before ':'; "example.org:8080" is a host and port, not a scheme.
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):(?!\d)", re.I)
_HOST = re.compile(r"[^.]+(?:\.[^.]+)+")
_INVISIBLE_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")


def _parse_url(field: F.Field, text: str) -> str:
    scheme = _SCHEME.match(text)
    if scheme and scheme[1].lower() not in ("http", "https"):
        # javascript:, data: and the like would run or open something when the link is clicked.
        raise _Invalid(f"'{text}' is not a web address: only http:// and https:// links are allowed")
    url = text if scheme else f"https://{text}"
    if not _has_public_host(url):
        raise _Invalid(f"'{text}' is not a web address, e.g. https://www.example.org")
    return url


def _has_public_host(url: str) -> bool:
    if _INVISIBLE_OR_SPACE.search(url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # raises for a port that is not a number
    except ValueError:
        return False
    return bool(parts.hostname and _HOST.fullmatch(parts.hostname))


# -- the rest ------------------------------------------------------------------------


def _parse_schedule(field: F.Field, text: str) -> str | None:
    try:
        return normalise_schedule(text)
    except ScheduleError as error:
        raise _Invalid(str(error)) from None


_IDENT = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _parse_ident(field: F.Field, text: str) -> str:
    if not _IDENT.fullmatch(text):
        raise _Invalid(f"'{text}' is not a valid id: use up to 64 letters, digits, - or _")
    return text


def _parse_postcode(field: F.Field, text: str) -> str:
    # Imported here so that loading this module does not load numpy, which directory.postcodes needs.
    from directory.postcodes import normalise_postcode

    postcode = normalise_postcode(text)
    if postcode is None:
        raise _Invalid(f"'{text}' is not a UK postcode: check it has the form TS1 3BA")
    return postcode


_PARSERS: dict[str, Callable[[F.Field, str], Any]] = {
    F.TEXT: _parse_text,
    F.CODE: _parse_code,
    F.CODES: _parse_codes,
    F.WORDS: _parse_words,
    F.LANGS: _parse_languages,
    F.BOOL: _parse_bool,
    F.DATE: _parse_date,
    F.INT: _parse_whole_number,
    F.NUMBER: _parse_decimal,
    F.LATITUDE: _parse_decimal,
    F.LONGITUDE: _parse_decimal,
    F.EMAIL: _parse_email,
    F.PHONE: _parse_phone,
    F.URL: _parse_url,
    F.SCHEDULE: _parse_schedule,
    F.IDENT: _parse_ident,
    F.POSTCODE: _parse_postcode,
}
# Kinds whose values are immutable and repeat down a file: their parsing is kept (_parse_repeating).
_REPEATING_KINDS = frozenset({F.CODE, F.CODES, F.WORDS, F.LANGS, F.BOOL, F.SCHEDULE})


# -- a row ---------------------------------------------------------------------------


def parse_row(
    cells: dict[str, str | None], *, locate_postcode: Callable[[str], tuple[float, float]] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values for the row's known columns, and every problem in it.

    Columns that are not fields are skipped: the importer reports those as warnings.
    With `locate_postcode`, a valid postcode gives the position unless the row gives one.
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, text in cells.items():
        if name not in F.FIELD_BY_NAME:
            continue
        try:
            values[name] = parse_cell(name, text)
        except ValidationError as error:
            problems.extend(error.problems)
    if locate_postcode is not None:
        problems.extend(_place_by_postcode(values, cells, locate_postcode))
    return values, problems


def _place_by_postcode(values: dict[str, Any], cells: dict[str, str | None], locate_postcode) -> list[Problem]:
    """Adds the postcode's latitude and longitude to `values`; the locator's complaint otherwise."""
    postcode = values.get("postcode")
    # A typed position wins; half of one is not replaced either, so check_entry can say which half is missing.
    if not postcode or _is_given(cells, "latitude") or _is_given(cells, "longitude"):
        return []
    try:
        values["latitude"], values["longitude"] = locate_postcode(postcode)
    except Exception as error:  # the locator's contract: str(error) is the plain-English reason
        return [Problem("postcode", str(cells["postcode"]).strip(), str(error))]
    return []


def _is_given(cells: dict[str, str | None], name: str) -> bool:
    return bool(str(cells.get(name) or "").strip())


# -- a whole entry -------------------------------------------------------------------


def check_entry(values: dict[str, Any], *, creating: bool) -> list[Problem]:
    """Rules across fields, on typed values.

    Creating, a field missing from `values` counts as empty. Updating, `values`
    may be only the changes, so only the fields present are checked (the store
    passes the whole merged entry, so there everything is).
    """
    return [
        *_missing_required(values, creating),
        *_missing_place(values, creating),
        *_half_positions(values),
        *_pairs_out_of_order(values),
    ]


def _is_empty(value: Any) -> bool:
    return value is None or value == () or (isinstance(value, str) and not value.strip())


def _missing_required(values: dict[str, Any], creating: bool) -> list[Problem]:
    problems = []
    for name in F.REQUIRED:
        if (creating or name in values) and _is_empty(values.get(name)):
            vocabulary = F.FIELD_BY_NAME[name].vocabulary
            choices = f": use one of: {', '.join(codes.VOCABULARIES[vocabulary])}" if vocabulary else ""
            problems.append(Problem(name, "", f"{_label(name)} is required{choices}"))
    return problems


_DECIDE_PLACE = ("postcode", "delivery", "latitude", "longitude")


def _missing_place(values: dict[str, Any], creating: bool) -> list[Problem]:
    """An in-person service needs a postcode, or a position, so people can find it."""
    if not creating and not all(name in values for name in _DECIDE_PLACE):
        return []
    delivery = values.get("delivery") or F.empty_value("delivery")
    has_position = values.get("latitude") is not None and values.get("longitude") is not None
    if "in_person" not in delivery or not _is_empty(values.get("postcode")) or has_position:
        return []
    return [Problem(
        "postcode", "",
        "postcode is required for a service people attend in person: give a postcode, "
        "or latitude and longitude, or set delivery to online or phone",
    )]


def _half_positions(values: dict[str, Any]) -> list[Problem]:
    problems = []
    for given, missing in (("latitude", "longitude"), ("longitude", "latitude")):
        if values.get(given) is not None and values.get(missing) is None:
            problems.append(Problem(
                given, F.format_cell(given, values[given]), f"{given} is given without {missing}: give both, or neither"
            ))
    return problems


_ORDERED_PAIRS = (("min_age", "max_age", "is more than"), ("start_date", "end_date", "is after"))


def _pairs_out_of_order(values: dict[str, Any]) -> list[Problem]:
    problems = []
    for first, second, verb in _ORDERED_PAIRS:
        low, high = values.get(first), values.get(second)
        if low is not None and high is not None and low > high:
            shown_low, shown_high = F.format_cell(first, low), F.format_cell(second, high)
            problems.append(Problem(
                first, shown_low, f"{_label(first)} {shown_low} {verb} {_label(second)} {shown_high}"
            ))
    return problems
