"""Open Referral harvest records: conflicts kept for a coordinator to choose, and the areas entries serve."""

from __future__ import annotations

from sqlalchemy import delete, select

from directory.models import EntryRow, HarvestConflict, Revision, ServiceArea
from directory.repositories.base import Repository


class HarvestRepository(Repository):
    # -- conflicts ---------------------------------------------------------------------------------------

    def open_conflicts(self, feed: str | None = None) -> list[HarvestConflict]:
        query = select(HarvestConflict).where(HarvestConflict.resolved_at.is_(None))
        if feed is not None:
            query = query.where(HarvestConflict.feed == feed)
        return list(self._session.scalars(query.order_by(HarvestConflict.entry_id, HarvestConflict.field,
                                                         HarvestConflict.id)))

    def conflict(self, conflict_id: int) -> HarvestConflict | None:
        return self._session.get(HarvestConflict, conflict_id, with_for_update=True)

    def add_conflict(self, conflict: HarvestConflict) -> None:
        self._session.add(conflict)

    # -- who last set each field -------------------------------------------------------------------------

    def last_setters(self, entry_ids: list[str], chunk: int = 2_000) -> dict[str, dict[str, tuple]]:
        """Per entry, per field: (version, author, at, note) of the revision that last set it. A few queries for
        thousands of entries (a re-harvest's), where reading each entry's history is one query each."""
        found: dict[str, dict[str, tuple]] = {}
        for start in range(0, len(entry_ids), chunk):
            rows = self._session.execute(
                select(Revision.entry_id, Revision.version, Revision.author, Revision.at, Revision.note,
                       Revision.changes)
                .where(Revision.entry_id.in_(entry_ids[start:start + chunk]))
                .order_by(Revision.entry_id, Revision.version))
            for entry_id, version, author, at, note, changes in rows:
                fields = found.setdefault(entry_id, {})
                for name in changes or {}:
                    fields[name] = (version, author, at, note)
        return found

    # -- service areas -----------------------------------------------------------------------------------

    def areas_of(self, entry_id: str) -> list[str]:
        return list(self._session.scalars(select(ServiceArea.name).where(ServiceArea.entry_id == entry_id)
                                          .order_by(ServiceArea.position)))

    def all_areas(self) -> list[tuple[str, str]]:
        """(entry id, area name) of every entry that is not archived, in entry and area order."""
        return list(self._session.execute(
            select(ServiceArea.entry_id, ServiceArea.name).join(EntryRow, EntryRow.id == ServiceArea.entry_id)
            .where(EntryRow.archived.is_(False)).order_by(ServiceArea.entry_id, ServiceArea.position)))

    def area_names(self) -> dict[str, list[str]]:
        """Entry id -> its areas' names in order, for every entry that has any (archived ones too)."""
        names: dict[str, list[str]] = {}
        for entry_id, name in self._session.execute(
                select(ServiceArea.entry_id, ServiceArea.name).order_by(ServiceArea.entry_id, ServiceArea.position)):
            names.setdefault(entry_id, []).append(name)
        return names

    def set_areas(self, entry_id: str, names: list[str]) -> None:
        self._session.execute(delete(ServiceArea).where(ServiceArea.entry_id == entry_id))
        self._session.add_all(ServiceArea(entry_id=entry_id, position=i, name=n) for i, n in enumerate(names))
