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


def test_which_of_seventy_thousand_ids_are_taken_in_one_unit_of_work(directory):
    # An import of 70,000 rows with ids asks which ids exist: one IN list that long is over PostgreSQL's
    # 65,535 bound parameters (and SQLite's 32,766), so it is asked in chunks.
    taken_id = directory.create({"name": "Already here", "organisation": "Bulk", "category": "training",
                                 "postcode": "TS1 3BA", "description": "x"}, "carol").id
    ids = [f"bulk-{number}" for number in range(70_000)] + [taken_id]
    with directory.unit_of_work(read_only=True) as uow:
        assert uow.entries.taken_ids(ids) == {taken_id}
