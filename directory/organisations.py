"""Organisations: the partner agencies behind the entries, with a profile partners can use.

Each has a kind, an address, a website, how to refer to it, and its **single point of contact**
(SPOC: name, role, phone, email) for partners; Find shows that contact on its entries that have no
contact of their own. Members (editors) keep their own organisation's profile up to date;
coordinators create, rename and merge organisations. A rename or a merge keeps the old name among
`former_names`, so a search for it still finds the organisation; a merge moves entries (each with a
revision), people, client records, consents and referrals to the organisation kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from directory.accounts import Account, can_edit, is_coordinator
from directory.errors import NotAllowed, NotFound, Refused
from directory.store import organisation_key
from directory.text import fold
from directory.validation import ValidationError, parse_cell

if TYPE_CHECKING:
    from directory.api import Directory
    from directory.models import Organisation
    from directory.unit_of_work import UnitOfWork

# The kinds of partner the seeds name, in the order a forum lists them.
KINDS = {
    "treatment_provider": "Treatment provider",
    "jobcentre": "Jobcentre",
    "college": "College or training provider",
    "employment_programme": "Employment programme",
    "housing": "Housing",
    "voluntary_sector": "Voluntary sector",
    "employer": "Employer",
    "other": "Other",
}
PROFILE_FIELDS = ("kind", "address", "url", "email", "phone", "how_to_refer")
CONTACT_FIELDS = ("name", "role", "phone", "email")
MAX_TEXT = {"address": 500, "how_to_refer": 2000, "url": 500, "email": 254, "phone": 40,
            "name": 200, "role": 200}


@dataclass(frozen=True)
class OrganisationContact:
    name: str | None
    role: str | None
    phone: str | None
    email: str | None

    def __bool__(self) -> bool:
        return any((self.name, self.phone, self.email))


@dataclass(frozen=True)
class OrganisationSummary:
    id: int
    name: str
    kind: str | None
    entries: int
    people: int
    former_names: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationProfile:
    id: int
    name: str
    kind: str | None
    address: str | None
    url: str | None
    email: str | None
    phone: str | None
    how_to_refer: str | None
    contact: OrganisationContact
    former_names: tuple[str, ...]
    entries: tuple[tuple[str, str, str], ...]  # (id, name, category), archived left out
    people: tuple[tuple[str, str, str], ...]  # (username, display name, role) of active members
    updated_at: dt.datetime | None
    updated_by: str | None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind or "", "Kind not given")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Refused("give the organisation's name", "name")
    if len(name) > 200:
        raise Refused("use at most 200 characters for the name", "name")
    return name


def _all_names(uow: UnitOfWork) -> dict[str, Organisation]:
    """Every current and former name's key -> its organisation."""
    names: dict[str, Organisation] = {}
    for organisation in uow.organisations.all():
        for former in organisation.former_names or []:
            names.setdefault(organisation_key(former), organisation)
        names[organisation.name_key] = organisation
    return names


def existing(uow: UnitOfWork, name: str) -> Organisation:
    """The organisation called `name` (or once called it), or Refused with the nearest names."""
    names = _all_names(uow)
    found = names.get(organisation_key(name or ""))
    if found is not None:
        return found
    current = sorted({o.name for o in names.values()})
    close = [match for match, score, _ in process.extract(name or "", current, scorer=fuzz.WRatio, limit=3)
             if score >= 60]
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise Refused(f"there is no organisation called '{name}'.{hint} A coordinator can add it on the "
                  "Organisations page (or: python -m directory orgs add NAME).", "organisation")


def _check_profile(values: dict[str, Any]) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    for name, value in values.items():
        value = " ".join(str(value).split()) if name not in ("address", "how_to_refer") and value else value
        value = (value or "").strip() or None
        if value and len(value) > MAX_TEXT.get(name, 200):
            raise Refused(f"{name.replace('_', ' ')}: use at most {MAX_TEXT[name]} characters", name)
        cleaned[name] = value
    if cleaned.get("kind") and cleaned["kind"] not in KINDS:
        raise Refused(f"kind: choose one of {', '.join(KINDS)}", "kind")
    for name in ("url", "email", "phone"):
        cleaned[name] = _parsed(name, name, cleaned[name])
    return cleaned


def _check_contact(values: dict[str, Any]) -> dict[str, str | None]:
    cleaned = {name: (" ".join(str(values.get(name) or "").split()) or None) for name in CONTACT_FIELDS}
    for name, value in cleaned.items():
        if value and len(value) > MAX_TEXT[name]:
            raise Refused(f"contact's {name}: use at most {MAX_TEXT[name]} characters", f"contact_{name}")
    for name in ("email", "phone"):
        cleaned[name] = _parsed(f"contact_{name}", f"contact_{name}", cleaned[name])
    return cleaned


def _parsed(entry_field: str, form_field: str, value: str | None) -> str | None:
    """The value checked as the entry field of the same kind is (one home for what a phone number is)."""
    if not value:
        return None
    try:
        return parse_cell(entry_field, value)
    except ValidationError as invalid:
        raise Refused(invalid.problems[0].reason, form_field) from None


def _audit(uow: UnitOfWork, actor: Account, action: str, subject: str, detail: str | None, now: dt.datetime) -> None:
    uow.admin_audit.add(actor.username, action, subject[:200], detail, now)


def _require_coordinator(actor: Account, doing: str) -> None:
    if not is_coordinator(actor):
        raise NotAllowed(f"only a coordinator can {doing}: ask a coordinator in your forum")


def create_organisation(directory: Directory, actor: Account, name: str, kind: str | None = None,
                        *, now: dt.datetime | None = None, **profile: Any) -> OrganisationProfile:
    _require_coordinator(actor, "add organisations")
    now = _now(now)
    name = _clean_name(name)
    cleaned = _check_profile({"kind": kind} | {f: profile.get(f) for f in PROFILE_FIELDS if f != "kind"})
    with directory.unit_of_work() as uow:
        taken = _all_names(uow).get(organisation_key(name))
        if taken is not None:
            also = "" if taken.name_key == organisation_key(name) else f" (it was once called {name})"
            raise Refused(f"'{taken.name}' exists already{also}: open its page instead", "name")
        organisation = uow.organisations.add(name, organisation_key(name), now, **cleaned)
        _audit(uow, actor, "organisation added", name, KINDS.get(kind or "", None), now)
        uow.directory_changed()
        organisation_id = organisation.id
        uow.commit()
    return get_organisation(directory, organisation_id)


def may_edit_profile(actor: Account | None, profile: OrganisationProfile) -> bool:
    """Coordinators edit any organisation's profile; editors their own organisation's."""
    return is_coordinator(actor) or (can_edit(actor) and profile.name in actor.organisations)


def update_profile(directory: Directory, actor: Account, organisation_id: int, values: dict[str, Any],
                   contact: dict[str, Any] | None = None, *, now: dt.datetime | None = None) -> OrganisationProfile:
    """Change the profile (PROFILE_FIELDS given in `values`) and, when given, the named contact."""
    now = _now(now)
    with directory.unit_of_work() as uow:
        organisation = uow.organisations.by_id(organisation_id)
        if organisation is None:
            raise NotFound("that organisation does not exist (it may have been merged into another)")
        if not (is_coordinator(actor) or (can_edit(actor) and organisation.name in actor.organisations)):
            raise NotAllowed(f"only {organisation.name}'s own editors or a coordinator can change its profile")
        current = {f: getattr(organisation, f) for f in PROFILE_FIELDS}
        cleaned = _check_profile(current | {f: values[f] for f in PROFILE_FIELDS if f in values})
        changed = [f for f in PROFILE_FIELDS if cleaned[f] != current[f]]
        for name in changed:
            setattr(organisation, name, cleaned[name])
        if contact is not None:
            cleaned_contact = _check_contact(contact)
            row = uow.organisations.contact(organisation.id)
            before = {f: getattr(row, f) if row else None for f in CONTACT_FIELDS}
            if cleaned_contact != before:
                uow.organisations.set_contact(organisation.id, cleaned_contact)
                changed.append("contact")
        if changed:
            organisation.updated_at, organisation.updated_by = now, actor.username
            _audit(uow, actor, "organisation profile changed", organisation.name,
                   ", ".join(c.replace("_", " ") for c in changed), now)
            uow.directory_changed()
        uow.commit()
    return get_organisation(directory, organisation_id)


def rename(directory: Directory, actor: Account, organisation_id: int, new_name: str,
           *, now: dt.datetime | None = None) -> OrganisationProfile:
    _require_coordinator(actor, "rename organisations")
    now = _now(now)
    new_name = _clean_name(new_name)
    with directory.unit_of_work() as uow:
        organisation = uow.organisations.by_id(organisation_id)
        if organisation is None:
            raise NotFound("that organisation does not exist (it may have been merged into another)")
        other = uow.organisations.by_key(organisation_key(new_name))
        if other is not None and other.id != organisation.id:
            raise Refused(f"'{other.name}' exists already: merge the two instead", "name")
        if new_name == organisation.name:
            return get_organisation(directory, organisation_id)
        old = organisation.name
        organisation.former_names = [n for n in [*(organisation.former_names or []), old]
                                     if organisation_key(n) != organisation_key(new_name)]
        organisation.name, organisation.name_key = new_name, organisation_key(new_name)
        organisation.updated_at, organisation.updated_by = now, actor.username
        _audit(uow, actor, "organisation renamed", new_name, f"{old} → {new_name}", now)
        uow.directory_changed()
        uow.commit()
    return get_organisation(directory, organisation_id)


def merge(directory: Directory, actor: Account, merged_id: int, kept_id: int,
          *, now: dt.datetime | None = None) -> OrganisationProfile:
    """`merged_id` joins `kept_id`: its entries (each with a revision), people, client records and consents
    and referrals (made and received) move; its names stay searchable as former names of the one kept; the profile kept is `kept_id`'s
    (its empty fields filled from the other's)."""
    _require_coordinator(actor, "merge organisations")
    now = _now(now)
    if merged_id == kept_id:
        raise Refused("choose two different organisations to merge")
    with directory.unit_of_work() as uow:
        merged, kept = uow.organisations.by_id(merged_id), uow.organisations.by_id(kept_id)
        if merged is None or kept is None:
            raise NotFound("one of those organisations does not exist any more: reload the page")
        clash = sorted(uow.organisations.client_refs(merged.id) & uow.organisations.client_refs(kept.id))
        if clash:
            raise Refused(f"both hold a client record numbered {', '.join(clash[:5])}: change one of the numbers on "
                          "the Client page first, then merge")
        for entry_id, version in uow.organisations.entry_ids_and_versions(merged.id):
            uow.update(entry_id, {"organisation": kept.name}, version, actor.username, note=f"{merged.name} merged into {kept.name}")
        uow.flush()
        if not uow.organisations.contact(kept.id):
            contact = uow.organisations.contact(merged.id)
            if contact is not None:
                uow.organisations.set_contact(kept.id, {f: getattr(contact, f) for f in CONTACT_FIELDS})
        uow.organisations.move_people_and_clients(merged.id, kept.id)
        uow.referrals.move_organisation(merged.id, kept.id)  # its inbox and the referrals it made follow
        for name in PROFILE_FIELDS:
            if not getattr(kept, name) and getattr(merged, name):
                setattr(kept, name, getattr(merged, name))
        kept.former_names = list(dict.fromkeys([*(kept.former_names or []), merged.name, *(merged.former_names or [])]))
        kept.updated_at, kept.updated_by = now, actor.username
        _audit(uow, actor, "organisations merged", kept.name, f"{merged.name} merged into {kept.name}", now)
        uow.flush()
        uow.organisations.remove(merged)
        uow.directory_changed()
        uow.commit()
    return get_organisation(directory, kept_id)


def _contact(row) -> OrganisationContact:
    return OrganisationContact(*(getattr(row, f) if row else None for f in CONTACT_FIELDS))


def get_organisation(directory: Directory, organisation_id: int) -> OrganisationProfile:
    with directory.reader() as uow:
        organisation = uow.organisations.by_id(organisation_id)
        if organisation is None:
            raise NotFound("that organisation does not exist (it may have been merged into another)")
        return OrganisationProfile(
            organisation.id, organisation.name, organisation.kind, organisation.address, organisation.url,
            organisation.email, organisation.phone, organisation.how_to_refer,
            _contact(uow.organisations.contact(organisation.id)), tuple(organisation.former_names or ()),
            tuple(tuple(e) for e in uow.organisations.live_entries(organisation.id)),
            tuple((u.username, u.display_name, u.role) for u in uow.organisations.members(organisation.id) if u.active),
            organisation.updated_at, organisation.updated_by)


def organisation_id(directory: Directory, name: str) -> int | None:
    """The id of the organisation called (or once called) `name`."""
    with directory.reader() as uow:
        found = _all_names(uow).get(organisation_key(name or ""))
        return found.id if found else None


def list_organisations(directory: Directory) -> list[OrganisationSummary]:
    """Every organisation, A to Z, with how many entries and active people it has."""
    with directory.reader() as uow:
        entries, people = uow.organisations.counts()
        rows = [OrganisationSummary(o.id, o.name, o.kind, entries.get(o.id, 0), people.get(o.id, 0),
                                    tuple(o.former_names or ())) for o in uow.organisations.all()]
    return sorted(rows, key=lambda o: (o.name.casefold(), o.id))


@dataclass(frozen=True)
class NameIndex:
    """Every organisation's current and former names, folded once, for matching searches quickly."""

    ids: tuple[int, ...]
    names: tuple[str, ...]  # the current name of ids[i]
    folded: tuple[str, ...]  # one per (organisation, name): all names, folded
    owner: tuple[int, ...]  # folded[j] belongs to ids[owner[j]]


def name_index(directory: Directory) -> NameIndex:
    with directory.reader() as uow:
        rows = uow.organisations.names()
    ids, names, folded, owner = [], [], [], []
    for position, (organisation_id, name, former) in enumerate(sorted(rows, key=lambda r: (r[1].casefold(), r[0]))):
        ids.append(organisation_id)
        names.append(name)
        for each in (name, *(former or ())):
            folded.append(fold(each))
            owner.append(position)
    return NameIndex(tuple(ids), tuple(names), tuple(folded), tuple(owner))


def match_organisations(index: NameIndex, query: str, limit: int = 3) -> list[tuple[int, str]]:
    """(id, name) of organisations a search names: every word of the query in one of its names, or the whole
    query a close match (90%) to one; in name order."""
    words = fold(query).split()
    if not words or len(words) > 12:
        return []
    whole = " ".join(words)
    found: set[int] = set()
    for j, name in enumerate(index.folded):
        name_words = name.split()
        if all(w in name_words or (len(w) >= 4 and w in name) for w in words):
            found.add(index.owner[j])
    if len(whole) >= 6:
        for _, _, j in process.extract(whole, index.folded, scorer=fuzz.ratio, score_cutoff=90, limit=limit * 4):
            found.add(index.owner[j])
    return [(index.ids[k], index.names[k]) for k in sorted(found)[:limit]]


def find_organisations(directory: Directory, query: str, limit: int = 3) -> list[OrganisationSummary]:
    """The organisations a search names (see match_organisations), with their counts."""
    wanted = {organisation_id for organisation_id, _ in match_organisations(name_index(directory), query, limit)}
    return [o for o in list_organisations(directory) if o.id in wanted]


def contacts_by_organisation(directory: Directory) -> dict[str, OrganisationContact]:
    """organisation name -> its named contact, for those that have one (Find shows them on entries
    that have no contact of their own)."""
    with directory.reader() as uow:
        pairs = uow.organisations.named_contacts()
    return {name: _contact(c) for name, c in pairs if _contact(c)}
