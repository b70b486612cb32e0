"""What every repository is: the queries for one kind of record, on the unit of work's session."""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session):
        self._session = session
