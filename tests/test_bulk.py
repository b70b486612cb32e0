"""Bulk paths work at any size on both databases: one statement never carries more values than the
database takes (PostgreSQL: 65,535). Naming more than ~21,800 new organisations at once crashed on
PostgreSQL; an import also writes in batches now (tests/security/test_import_limits.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.models import Organisation


def test_thirty_thousand_new_organisations_in_one_unit_of_work(directory):
    names = [f"Organisation {i}" for i in range(30_000)]

    with directory.unit_of_work() as uow:
        uow.ensure_organisations(names)
        uow.ensure_organisations(names[:10] + ["One  more"])  # the known ones are not made again
        assert uow.organisation("organisation 29999").name == "Organisation 29999"
        uow.commit()

    with directory.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Organisation)) == 30_001 + 1  # and the fixture account's organisation
        assert connection.scalar(select(Organisation.name).where(Organisation.name_key == "one more")) == "One more"
