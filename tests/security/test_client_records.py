"""Consent and client records stay with their holders (security findings 4, 5 and 7's logging); both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from directory.accounts import create_user
from tests.test_clients import people  # noqa: F401  (the same five people and organisations)
from directory.clients import ACCESS_ACTIONS, AccessDenied, ClientRecords

PROFILE = {"ref": "C-0042", "stage": "stabilising"}


def test_a_partner_cannot_withdraw_another_partners_consent(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    records.give_consent(people["kim"], record.id, "Tees Employment Partnership", dt.date(2026, 11, 2))
    records.give_consent(people["kim"], record.id, "Teesside College", dt.date(2026, 11, 2))

    with pytest.raises(AccessDenied, match="^only the organisation that holds the record can record consent withdrawn$"):
        records.withdraw_consent(people["eli"], record.id, "Teesside College", dt.date(2026, 11, 5))

    assert records.open(people["kim"], record.id).shared_with == ("Tees Employment Partnership", "Teesside College")
    assert records.open(people["ola"], record.id).ref == "C-0042"


def test_record_numbers_are_never_reused_and_an_export_holds_only_its_own_history(directory, people):
    records = ClientRecords(directory)
    first = records.create(people["kim"], "C-0001", PROFILE)
    newest = records.create(people["kim"], "C-0002", PROFILE)
    records.open(people["kim"], newest.id)
    records.erase(people["kim"], newest.id)

    later = records.create(people["eli"], "E-0001", PROFILE)

    assert later.id not in (first.id, newest.id)
    assert later.id > newest.id
    history = records.export(people["eli"], later.id)["access_log"]
    assert [(e["client_ref"], e["username"], e["action"], e["organisation"]) for e in history] == [
        ("E-0001", "eli", "create", "Tees Employment Partnership"),
        ("E-0001", "eli", "read", "Tees Employment Partnership"),
        ("E-0001", "eli", "plan read", "Tees Employment Partnership"),
        ("E-0001", "eli", "reviews read", "Tees Employment Partnership"),
    ]


def test_refused_attempts_to_open_another_organisations_record_are_logged(directory, people):
    records = ClientRecords(directory)
    record = records.create(people["kim"], "C-0042", PROFILE)
    records.give_consent(people["kim"], record.id, "Tees Employment Partnership", dt.date(2026, 11, 2))

    with pytest.raises(AccessDenied, match="^no client record with that number is shared with your organisation$"):
        records.open(people["ola"], record.id)
    with pytest.raises(AccessDenied, match="^no client record with that number is shared with your organisation$"):
        records.open(people["ola"], record.id + 1000)  # no such record: nothing to log it against
    with pytest.raises(AccessDenied, match="^only the organisation that holds the record can erase it$"):
        records.erase(people["eli"], record.id)

    log = records.access_log(people["cy"], client_ref="C-0042")
    assert [(e.username, e.action, e.organisation) for e in log] == [
        ("eli", "refused", "Tees Recovery Service"),
        ("ola", "refused", "Tees Recovery Service"),
        ("kim", "consent", "Tees Recovery Service"),
        ("kim", "create", "Tees Recovery Service"),
    ]
    assert records.open(people["kim"], record.id).ref == "C-0042"  # the refused erase changed nothing
    assert ACCESS_ACTIONS["refused"] == "Was refused: not their organisation's record, or no consent to share it"


def test_the_upgrade_keeps_numbers_used_before_it_on_sqlite(tmp_path):
    """An existing SQLite database whose newest record was erased: the next record gets a new number."""
    from alembic import command
    from sqlalchemy import text

    from directory.db import _alembic_config, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(_alembic_config(engine), "0004")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO organisations (id, name, name_key, created_at) VALUES (1, 'Tees Recovery Service', "
                                "'tees recovery service', '2026-11-01')"))
        connection.execute(text("INSERT INTO clients (id, ref, organisation_id, profile, version, created_by, created_at, "
                                "updated_by, updated_at) VALUES (1, 'C-0001', 1, '{}', 1, 'kim', '2026-11-01', 'kim', "
                                "'2026-11-01')"))
        connection.execute(text("INSERT INTO access_log (client_id, client_ref, organisation_id, username, action, at) "
                                "VALUES (2, 'C-0002', 1, 'kim', 'erased', '2026-11-02')"))
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO clients (ref, organisation_id, profile, version, created_by, created_at, "
                                "updated_by, updated_at) VALUES ('C-0003', 1, '{}', 1, 'kim', '2026-11-03', 'kim', "
                                "'2026-11-03')"))
        assert connection.execute(text("SELECT id, ref FROM clients ORDER BY id")).all() == [(1, "C-0001"), (3, "C-0003")]
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
