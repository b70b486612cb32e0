"""Entry text stored before bidirectional controls were refused is cleaned once (migration 0007); both databases."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from directory.db import _alembic_config
from tests.test_store import CAFE

RLO = "\u202e"


def test_the_upgrade_takes_bidirectional_controls_out_of_stored_entries(directory):
    directory.create(CAFE, "alice")
    # As an older version stored it: straight into the tables, past today's checks.
    with directory.engine.begin() as connection:
        connection.execute(text("UPDATE entries SET name = :name, tags = :tags WHERE id = 'cafe-1'"),
                           {"name": f"Job Club{RLO}elif.exe", "tags": json.dumps(["cafe", f"peer{RLO} support"])})
        connection.execute(text("UPDATE organisations SET name = :name"), {"name": f"Tees{RLO} Valley Recovery"})
    config = _alembic_config(directory.engine)
    command.downgrade(config, "0006")
    command.upgrade(config, "head")

    with directory.engine.connect() as connection:
        name, tags = connection.execute(text("SELECT name, tags FROM entries WHERE id = 'cafe-1'")).one()
        organisation = connection.execute(text("SELECT name FROM organisations")).scalar_one()
    assert name == "Job Clubelif.exe"
    assert (json.loads(tags) if isinstance(tags, str) else tags) == ["cafe", "peer support"]
    assert organisation == "Tees Valley Recovery"
    directory.engine.dispose()
