"""Rendering helpers every page shares: plain English for an entry's values, and escaping.

Everything an entry holds was typed by someone, so it is untrusted: the helpers
here turn values into plain English and into *escaped* HTML or Markdown. Use
`esc` for HTML (st.html, map popups), `md` for Markdown (st.markdown, labels),
and the `*_href` helpers for links, which only ever produce tel:, mailto:,
http(s): or in-app links. Both escapers also take out bidirectional controls
(a right-to-left override shows text as something it does not say), and `md`
keeps text that looks like a web or email address from becoming a link.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import streamlit as st

from directory import codes
from directory.api import Directory
from directory.fields import FIELD_BY_NAME, Entry, without_bidi_controls
from directory.health.freshness import is_stale
from directory.organisations import OrganisationContact
from directory.schedule import (DAY_NAMES, ScheduleError, describe_date, describe_sessions, describe_time,
                                next_session, parse_schedule)

LOCAL_TIME = ZoneInfo("Europe/London")


def person_names(directory: Directory):
    """A function from a username to the person's name (the username itself when no account has it),
    each looked up once: for pages that name who changed or asked what."""
    from directory.accounts import get_account

    names: dict[str, str] = {}

    def name(username: str) -> str:
        if username not in names:
            found = get_account(directory, username)
            names[username] = found.display_name if found else username
        return names[username]

    return name


def demo_banner(directory: Directory, compact: bool = False) -> None:
    if not directory.is_demo():
        return
    if compact:  # one line, where the first screen is needed for the answer
        st.markdown(":blue-background[:material/info: **Demo data**: fictional services at real Teesside "
                    "postcodes. Do not contact them.]")
        return
    st.info("**Demo data.** Every organisation and entry here is fictional, placed at real Middlesbrough and "
            "Stockton postcodes. Do not contact them.", icon=":material/info:")


def now_local() -> dt.datetime:
    return dt.datetime.now(LOCAL_TIME)


# -- escaping --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'])")
# GitHub-flavoured Markdown (Streamlit's) links text that looks like an address, "www.x.org", "http://x.org"
# and "jo@x.org", and backslashes do not stop it: escapes are resolved before it looks (remark-gfm issue
# #33). A WORD JOINER (U+2060: invisible, no width) after "www" or "http(s)" and before "@" does.
_AUTOLINK_START = re.compile(r"(?i)(www)(?=\.)|(https?)(?=:)|(?=@)")
WORD_JOINER = "\u2060"


def esc(value) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes), without bidirectional controls."""
    return html.escape(without_bidi_controls("" if value is None else str(value)), quote=True)


def md(value) -> str:
    """Text made inert for st.markdown: every Markdown / Streamlit directive character is backslashed,
    so `**x**`, `[a](javascript:..)`, `![img](http://..)`, `:red[..]`, `$x$` and `<b>` all show as typed;
    "www.x.org" or "jo@x.org" is not made a link, and bidirectional controls are taken out."""
    text = without_bidi_controls("" if value is None else str(value))
    text = " ".join(text.split())  # one line: no headings, lists or code blocks from new lines
    text = _AUTOLINK_START.sub(lambda m: (m.group(0) or "") + WORD_JOINER, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def tel_href(phone: str | None) -> str | None:
    """tel:+441642000000 from whatever was typed; None when there are no digits."""
    if not phone:
        return None
    number = re.split(r"(?i)\b(?:ext|extension|x)\b|\(ext", phone)[0]  # an extension is dialled later
    digits = re.sub(r"[^\d+]", "", number)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if re.search(r"\d{3}", digits) else None


_EMAIL = re.compile(r"^[^@\s<>\"'()]+@[^@\s<>\"'()]+\.[^@\s<>\"'()]+$")


def mailto_href(email: str | None) -> str | None:
    if not email or not _EMAIL.match(email.strip()):
        return None
    return "mailto:" + urllib.parse.quote(email.strip(), safe="@.+-_")


def web_href(url: str | None) -> str | None:
    """Only http(s) links are ever made clickable (never javascript: or data:)."""
    if not url:
        return None
    url = url.strip()
    if not re.match(r"^https?://", url, re.I):
        if re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", url, re.I) and ":" not in url.split("/")[0]:
            url = "https://" + url
        else:
            return None
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    return urllib.parse.urlunsplit(parsed)


def link(href: str | None, text: str, *, new_tab: bool = False) -> str:
    """An escaped HTML link, or just the escaped text when there is no safe href."""
    if not href:
        return esc(text)
    target = ' target="_blank" rel="noopener noreferrer"' if new_tab else ""
    return f'<a href="{esc(href)}"{target}>{esc(text)}</a>'


# -- plain English -----------------------------------------------------------------------------


def category_label(code: str | None) -> str:
    return codes.CATEGORIES.get(code or "", code or "Unknown category")


SHORT_CATEGORY_LABELS: dict[str, str] = {
    "treatment": "Drug & alcohol treatment",
    "recovery_support": "Recovery support",
    "health_wellbeing": "Health & well-being",
    "housing": "Housing",
    "money_advice": "Money & benefits advice",
    "basic_skills": "English, maths, ESOL & digital",
    "training": "Training & education",
    "volunteering": "Volunteering",
    "work_placement": "Work placements",
    "employment_support": "Job search help",
    "employer": "Employers",
    "self_employment": "Self-employment",
    "peer_mentoring": "Peer mentoring",
    "in_work_support": "In-work support",
}


def short_category_label(code: str) -> str:
    return SHORT_CATEGORY_LABELS.get(code) or category_label(code)


def format_date(day: dt.date | None) -> str:
    if day is None:
        return ""
    return f"{day.day} {day.strftime('%b %Y')}"


def format_datetime(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_TIME) if moment.tzinfo else moment
    return f"{local.day} {local.strftime('%b %Y, %H:%M')}"


def shown_value(name: str, value) -> str:
    """An entry field's value in words, for a history of changes or a conflict: codes by their labels,
    lists joined with "; ", yes/no, dates as format_date, and "(empty)" for nothing."""
    if value is None or value == () or value == "" or value == []:
        return "(empty)"
    field = FIELD_BY_NAME.get(name)
    vocabulary = codes.VOCABULARIES.get(field.vocabulary) if field and field.vocabulary else None
    if isinstance(value, (list, tuple)):
        return "; ".join(vocabulary.get(v, v) if vocabulary else str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return format_date(value)
    if vocabulary:
        return vocabulary.get(value, value)
    return str(value)


def format_distance(km: float | None) -> str:
    if km is None:
        return ""
    if km < 0.1:
        return "under 0.1 km"
    return f"{km:.1f} km" if km < 10 else f"{km:.0f} km"


def describe_wait(days: int | None) -> str:
    if days is None:
        return "Wait not known"
    if days <= 0:
        return "Drop-in"
    if days == 1:
        return "About 1 day's wait"
    if days < 14:
        return f"About {days} days' wait"
    weeks = round(days / 7)
    return f"About {weeks} weeks' wait"


def only_for_text(entry: Entry) -> str | None:
    """'Only for women or veterans (ex-armed forces).' from `for_groups`; None for a service open to all."""
    if not entry.for_groups:
        return None
    groups = [codes.FOR_GROUPS.get(group, group) for group in entry.for_groups]
    return "Only for " + " or ".join(group[0].lower() + group[1:] for group in groups) + "."


def describe_cost(entry: Entry) -> str:
    if entry.is_free:
        return "Free"
    if not entry.cost:
        return "Cost not known"
    return entry.cost.strip()


@lru_cache(maxsize=4096)
def _sessions(schedule: str | None):
    try:
        return parse_schedule(schedule)
    except (ScheduleError, ValueError):
        return None


@lru_cache(maxsize=4096)
def _described(schedule: str | None, term_time_only: bool | None) -> str:
    sessions = _sessions(schedule)
    if sessions is None:
        return f"Times: {schedule}"
    text = describe_sessions(sessions)
    return text + " (term time only)" if term_time_only else text


def sessions_of(entry: Entry):
    """The entry's weekly sessions, or None when its times cannot be read (parsed once per text)."""
    return _sessions(entry.schedule)


def describe_times(entry: Entry) -> str:
    return _described(entry.schedule, entry.term_time_only)


def _clock(moment: dt.datetime) -> str:
    return describe_time(dt.time(moment.hour, moment.minute))


class NextSessions:
    """describe_next_session for many entries at one moment: directories repeat a few timetables."""

    def __init__(self, now: dt.datetime, on_day: int | None = None):
        self.now = now
        self.on_day = on_day
        self._memo: dict[tuple, str] = {}

    def __call__(self, entry: Entry) -> str:
        key = (entry.schedule, entry.term_time_only, entry.start_date, entry.end_date)
        if key not in self._memo:
            self._memo[key] = describe_next_session(entry, self.now, self.on_day)
        return self._memo[key]


def describe_next_session(entry: Entry, now: dt.datetime, on_day: int | None = None) -> str:
    """'On now, until 12pm', 'Today, 2pm', 'Tomorrow, 10am', 'Thu 27 Nov, 10am' (another year's date with its
    year: 'Mon 4 Jan 2027, 10am'), or why there is none.
    With `on_day` (0 = Monday), the next session on that weekday (a search for Thursdays)."""
    today = now.date()
    if entry.end_date and entry.end_date < today:
        return f"Ended {format_date(entry.end_date)}"
    sessions = sessions_of(entry)
    if sessions is None:
        return "See times"
    if not sessions:
        if entry.start_date and entry.start_date > today:
            return f"Starts {format_date(entry.start_date)}"
        return "By arrangement"
    if on_day is not None and any(session.day == on_day for session in sessions):
        sessions = tuple(session for session in sessions if session.day == on_day)
    start_from = now
    if entry.start_date and entry.start_date > today:
        start_from = dt.datetime.combine(entry.start_date, dt.time(0, 0), tzinfo=now.tzinfo)
    found = next_session(sessions, start_from)
    if found is None:
        return "By arrangement"
    when, session = found
    if entry.end_date and when.date() > entry.end_date:
        return f"No more sessions (ends {format_date(entry.end_date)})"
    if when <= now:
        end = dt.datetime.combine(when.date(), session.end if session.end != dt.time.max else dt.time(23, 59))
        return f"On now, until {_clock(end)}"
    if when.date() == today:
        text = f"Today, {_clock(when)}"
    elif when.date() == today + dt.timedelta(days=1):
        text = f"Tomorrow, {_clock(when)}"
    else:
        text = f"{describe_date(when.date(), today)}, {_clock(when)}"
    if entry.term_time_only:
        text += " (term time only)"
    return text


def last_verified_text(entry: Entry, today: dt.date, who=lambda username: username) -> tuple[str, bool]:
    """('3 Nov 2026, by Alice Khan', stale?); `who` turns a username into a name. Stale is the
    coordinators' rule (directory.health): not verified for STALE_AFTER_MONTHS."""
    stale = is_stale(entry.last_verified, today)
    if entry.last_verified is None:
        return "Never checked", stale
    by = f", by {who(entry.last_verified_by)}" if entry.last_verified_by else ""
    return f"{format_date(entry.last_verified)}{by}", stale


def stale_note(entry: Entry, today: dt.date) -> str | None:
    """'Not checked for 13 months' when an entry is stale, for lists."""
    if not is_stale(entry.last_verified, today):
        return None
    if entry.last_verified is None:
        return "Never checked"
    days = (today - entry.last_verified).days
    months = days // 30
    return f"Not checked for {months} months" if months < 24 else f"Not checked for {days // 365} years"


def day_name(day: int) -> str:
    return DAY_NAMES[day]


def spoc_html(entry: Entry, organisation_contact: OrganisationContact | None = None) -> str:
    """The named contact as escaped HTML: name, role, phone (tel: link), email (mailto: link). An entry with
    no contact of its own shows its organisation's (`organisation_contact`, from organisation_contacts)."""
    parts = []
    who = ", ".join(esc(x) for x in (entry.contact_name, entry.contact_role) if x)
    if who:
        parts.append(who)
    if entry.contact_phone:
        parts.append(link(tel_href(entry.contact_phone), entry.contact_phone))
    if entry.contact_email:
        parts.append(link(mailto_href(entry.contact_email), entry.contact_email))
    if not parts and organisation_contact:
        who = ", ".join(esc(x) for x in (organisation_contact.name, organisation_contact.role) if x)
        parts.append(f"{who or 'Named contact'} ({esc(entry.organisation)}'s contact for partners)")
        if organisation_contact.phone:
            parts.append(link(tel_href(organisation_contact.phone), organisation_contact.phone))
        if organisation_contact.email:
            parts.append(link(mailto_href(organisation_contact.email), organisation_contact.email))
    if not parts:
        phone = entry.phone and link(tel_href(entry.phone), entry.phone)
        email = entry.email and link(mailto_href(entry.email), entry.email)
        general = " · ".join(x for x in (phone, email) if x)
        return f"No named contact yet. {general}" if general else "No named contact yet"
    return " · ".join(parts)


def organisation_contacts(directory: Directory) -> Mapping[str, OrganisationContact]:
    """Organisation name -> its contact for partners, read again only when an organisation changed (the profile
    counter: read per change of any entry, it was every organisation's contact again after each edit)."""
    return _organisation_contacts(str(directory.engine.url), directory.profile_counter(), directory)


@lru_cache(maxsize=2)
def _organisation_contacts(url: str, profile_counter: int, directory: Directory) -> Mapping[str, OrganisationContact]:
    from directory.organisations import contacts_by_organisation

    return MappingProxyType(contacts_by_organisation(directory))  # one copy shared by every page run: read only
