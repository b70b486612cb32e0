"""Duplicates on the coordinators' page: the whole-directory scan (the one rule in
directory/duplicates.py) less pairs marked "not a duplicate", the two entries field by field, and
`merge`, which folds one entry into another and keeps both histories."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from directory import fields as F
from directory.duplicates import DuplicatePair, find_duplicate_pairs, pair_key
from directory.errors import DirectoryError
from directory.models import utcnow
from directory.health.access import EDITORS, existing_entry, require_role

if TYPE_CHECKING:
    from directory.api import Directory


# -- duplicates ---------------------------------------------------------------------------------

def not_duplicate_pairs(directory: Directory) -> set[tuple[str, str]]:
    with directory.reader() as uow:
        return uow.duplicate_decisions.pairs()


@dataclass(frozen=True)
class _Place:
    """What the scan needs of an entry (Directory.places()), so it does not load every field of 50,000."""

    id: str
    name: str
    organisation: str
    latitude: float | None
    longitude: float | None
    archived: bool

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def duplicate_pairs(directory: Directory, *, limit: int | None = None) -> list[DuplicatePair]:
    """Likely duplicates across the whole directory, most similar first, leaving out archived entries and
    pairs someone marked "not a duplicate". Each pair holds both full entries, for showing side by side."""
    places = [_Place(entry_id, name, organisation, lat, lon, archived)
              for entry_id, _version, archived, name, organisation, lat, lon in directory.places()]
    pairs = find_duplicate_pairs(places, skip=not_duplicate_pairs(directory))
    pairs = pairs if limit is None else pairs[:limit]
    ids = sorted({entry_id for pair in pairs for entry_id in pair.ids})
    full = {e.id: e for e in directory.entries(ids=ids)} if ids else {}
    return [replace(p, first=full[p.first.id], second=full[p.second.id]) for p in pairs]


def mark_not_duplicate(directory: Directory, a: str, b: str, by: str) -> None:
    """Remember that `a` and `b` are different provision, so the pair is not suggested again (marking twice is harmless)."""
    if a == b:
        raise DirectoryError("an entry cannot be a duplicate of itself")
    first, second = pair_key(a, b)
    with directory.unit_of_work() as uow:
        require_role(uow, by, EDITORS, "mark entries as not duplicates")
        for entry_id in (first, second):
            existing_entry(uow, entry_id)
        if not uow.duplicate_decisions.decided(first, second):
            uow.duplicate_decisions.add(first, second, "not_duplicate", by, utcnow())
        uow.commit()


@dataclass(frozen=True)
class FieldComparison:
    name: str
    label: str
    survivor: object
    duplicate: object

    @property
    def differs(self) -> bool:
        return self.survivor != self.duplicate


def compare_fields(survivor: F.Entry, duplicate: F.Entry) -> list[FieldComparison]:
    """The two entries side by side, field by field in spreadsheet order (for the merge page)."""
    return [FieldComparison(n, F.FIELD_BY_NAME[n].label, getattr(survivor, n), getattr(duplicate, n))
            for n in F.EDITABLE]


# Where a place is: moving the postcode without its position (or the reverse) would put the entry in the wrong place.
POSITION_FIELDS = ("postcode", "latitude", "longitude")
# A verification is about the entry it was made on; the duplicate's date is taken only when asked for.
_NOT_FILLED_BY_DEFAULT = frozenset({"last_verified"})


def _is_empty(value) -> bool:
    # Not F.empty_value: a cleared `delivery` reads as in person, which is a real value worth keeping.
    return value is None or value == "" or value == ()


def fields_to_take(survivor: F.Entry, duplicate: F.Entry, take_fields: dict[str, str] | None) -> dict[str, object]:
    """The changes a merge makes to the survivor.

    With `take_fields` None, the survivor keeps all it has and fills its empty
    fields from the duplicate, so no information is lost. Otherwise each field
    named 'duplicate' is taken from the duplicate (and the position fields travel together).
    """
    if take_fields is None:
        chosen = {n for n in F.EDITABLE if n not in _NOT_FILLED_BY_DEFAULT
                  and _is_empty(getattr(survivor, n)) and not _is_empty(getattr(duplicate, n))}
    else:
        unknown = sorted(n for n in take_fields if n not in F.EDITABLE)
        if unknown:
            raise DirectoryError(f"'{unknown[0]}' is not a field an entry can take from another")
        wrong = sorted(n for n, side in take_fields.items() if side not in ("survivor", "duplicate"))
        if wrong:
            raise DirectoryError(f"for '{wrong[0]}' choose 'survivor' or 'duplicate'")
        chosen = {n for n, side in take_fields.items() if side == "duplicate"}
    if chosen & set(POSITION_FIELDS):
        chosen |= set(POSITION_FIELDS)
    return {n: getattr(duplicate, n) for n in F.EDITABLE if n in chosen and getattr(duplicate, n) != getattr(survivor, n)}


@dataclass(frozen=True)
class MergeResult:
    survivor: F.Entry
    merged: F.Entry  # archived, merged_into = survivor
    taken: tuple[str, ...]  # fields the survivor took from the duplicate


def merge(
    directory: Directory, survivor_id: str, duplicate_id: str, author: str,
    take_fields: dict[str, Literal["survivor", "duplicate"]] | None = None,
    *, survivor_version: int | None = None, duplicate_version: int | None = None,
) -> MergeResult:
    """Merge `duplicate_id` into `survivor_id` in one transaction, keeping both histories.

    The survivor gets a "merge" revision noting "merged <duplicate> into this entry"
    (with the fields it took, if any); the duplicate is archived with action "merge"
    and `merged_into` pointing at the survivor, so un-archiving it undoes the merge.
    Pass the versions the person saw to refuse a merge over someone's newer edit.
    """
    if survivor_id == duplicate_id:
        raise DirectoryError("an entry cannot be merged into itself")
    with directory.unit_of_work() as uow:
        survivor, duplicate = uow.get(survivor_id), uow.get(duplicate_id)
        for entry in (survivor, duplicate):
            if entry.archived:
                raise DirectoryError(f"'{entry.name}' ({entry.id}) is archived already: bring it back first")
        if duplicate_version is not None and duplicate.version != duplicate_version:
            raise DirectoryError(f"'{duplicate.name}' was changed after you opened it: look at both entries again")
        changes = fields_to_take(survivor, duplicate, take_fields)
        note = f"merged {duplicate_id} into this entry"
        based_on = survivor.version if survivor_version is None else survivor_version
        kept = uow.update(survivor_id, changes, based_on, author, action="merge", note=note)
        if kept.version == survivor.version:
            kept = uow.record_merge(survivor_id, author, note)
        merged = uow.archive(duplicate_id, author, f"merged into {survivor_id}", merged_into=survivor_id)
        uow.commit()
    return MergeResult(kept, merged, tuple(changes))
