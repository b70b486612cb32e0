"""Engines and schema migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "directory.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any number for pg_advisory_lock: app instances starting together migrate one at a time.
_MIGRATION_LOCK_KEY = 7_202_611

# Connections opened for the write path carry this option so SQLite takes the write
# lock at BEGIN; a deferred transaction that reads then writes can fail with SQLITE_BUSY
# under concurrent writers, which busy_timeout does not retry in WAL mode.
WRITE_OPTION = "directory_write"


def database_url(url: str | None = None) -> str:
    """The URL to use: explicit, else $DATABASE_URL, else the embedded SQLite file under data/."""
    chosen = url or os.environ.get("DATABASE_URL")
    if chosen:
        return chosen
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from the sqlite3 module so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, *, again: bool = False) -> None:
    """Create or upgrade the schema to the newest migration; cheap when already current.

    `again`: look even if this process has migrated this database before (a restore replaced it)."""
    key = str(engine.url)
    with _migrate_lock:
        if key in _migrated and not again:
            return
        config = _alembic_config(engine)
        head = ScriptDirectory.from_config(config).get_current_head()
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            if engine.dialect.name == "postgresql":
                with engine.connect() as lock_connection:
                    lock_connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                    try:
                        command.upgrade(config, "head")
                    finally:
                        lock_connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                        lock_connection.commit()
            else:
                command.upgrade(config, "head")
        _migrated.add(key)
