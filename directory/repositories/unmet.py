"""Unmet needs: what nobody could offer, and where (never who)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from directory.models import UnmetNeed
from directory.repositories.base import Repository


class UnmetNeedRepository(Repository):
    def add(self, category: str, district: str | None, stage: str | None, barriers: list[str],
            recorded_on: dt.date, recorded_by: str, source: str) -> UnmetNeed:
        need = UnmetNeed(category=category, district=district, stage=stage, barriers=barriers,
                         recorded_on=recorded_on, recorded_by=recorded_by, source=source)
        self._session.add(need)
        self._session.flush()
        return need

    def all(self, *, since: dt.date | None = None) -> list[UnmetNeed]:
        """Every recorded need (from `since`, inclusive), oldest first."""
        query = select(UnmetNeed).order_by(UnmetNeed.recorded_on, UnmetNeed.id)
        if since is not None:
            query = query.where(UnmetNeed.recorded_on >= since)
        return list(self._session.scalars(query))
