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


def test_new_entries_keep_every_character_and_value_through_the_bulk_insert(directory):
    # PostgreSQL takes new entries by COPY, whose text format has its own escapes (tab, newline, backslash, \N):
    # what is read back is what was written, on both databases, revision and change log included.
    import datetime as dt

    from directory.models import SessionRow

    tricky = 'Tab\there, "quotes", back\\slash, \\N, line\nbreak\r\nand café ✓'
    values = {"id": "bulk-tricky", "name": "Tricky\tname \\N", "organisation": "Bulk \\ Trust", "category": "training",
              "description": tricky, "tags": ("café", 'say "hi"', "back\\slash", "\\N"), "delivery": ("in_person", "online"),
              "schedule": "Mon,Wed 09:00-12:30", "start_date": dt.date(2026, 1, 5), "hours_per_week": 7.5,
              "postcode": "TS1 3BA", "contact_name": "Ann\tO'Hara", "contact_email": "ann@example.org"}
    plain = {"name": "Plain", "organisation": "Other", "category": "volunteering", "delivery": ("online",)}
    with directory.unit_of_work() as uow:
        created = uow.create_many([values, plain], "carol")
        uow.commit()

    stored = directory.get("bulk-tricky")
    assert stored.values() == created[0].values()
    assert (stored.description, stored.tags, stored.contact_name) == (tricky, values["tags"], "Ann\tO'Hara")
    assert (stored.latitude, stored.longitude, stored.organisation) == (54.572076, -1.234694, "Bulk \\ Trust")
    assert directory.get(created[1].id).values() == created[1].values()
    first = directory.history("bulk-tricky")[0]
    assert (first.version, first.action, first.author, first.note) == (1, "create", "carol", None)
    assert first.changes["description"] == (None, tricky)
    assert first.changes["tags"] == (None, values["tags"])
    assert first.changes["start_date"] == (None, dt.date(2026, 1, 5))
    assert "url" not in first.changes and first.snapshot["url"] is None
    assert first.snapshot["description"] == tricky
    with directory.engine.connect() as connection:
        sessions = connection.execute(select(SessionRow.day, SessionRow.start, SessionRow.end)
                                      .where(SessionRow.entry_id == "bulk-tricky").order_by(SessionRow.day)).all()
    assert [tuple(s) for s in sessions] == [(0, dt.time(9), dt.time(12, 30)), (2, dt.time(9), dt.time(12, 30))]
    with directory.reader() as uow:
        counter = uow.state.change_counter()
        assert [entry_id for at, entry_id in uow.state.changes() if at == counter] == sorted(["bulk-tricky", created[1].id])
