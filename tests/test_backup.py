"""Backups: python -m directory backup --out FILE and restore FILE (docs/cli.md); SQLite and PostgreSQL.

backup → wipe → restore gives back every row of every table exactly; a file that is not a backup of
this app, an --out that exists, a missing PostgreSQL tool: refused with the reason, nothing changed.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import make_url, select, text

from directory import backup as backup_module
from directory import db
from directory.__main__ import main
from directory.accounts import create_user, get_account
from directory.api import Directory
from directory.clients import ClientRecords
from directory.models import Base
from tests.conftest import fake_locator

ROOT = Path(__file__).resolve().parents[1]
# The newest migration (the schema a restored backup is brought up to).
HEAD = max(p.name[:4] for p in (ROOT / "directory" / "migrations" / "versions").glob("0*.py"))

CAFE = {
    "id": "cafe-1", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
    "category": "recovery_support", "postcode": "TS1 3BA", "schedule": "Tue,Thu 10:00-12:00",
    "tags": ("cafe", "peer support"),
}
CLUB = {
    "id": "club-1", "name": "Linthorpe Job Club", "organisation": "Tees Works", "category": "employment_support",
    "postcode": "TS5 6PY", "schedule": "Tue 10:00-12:00", "cost": "free",
}
PROFILE = {"ref": "C-0042", "stage": "stabilising", "postcode": "TS1 3BA"}
SUMMARY = "2 entries, 5 revisions, 5 people, 3 organisations and 1 client record"


@pytest.fixture
def filled(directory):
    """Two entries (one edited, one verified and archived), five people, a client record with consent and an action."""
    kim = create_user(directory, "kim", "Kim (keyworker)", "editor", organisations=("Tees Recovery Service",))
    cafe = directory.create(CAFE, "alice")
    directory.update("cafe-1", {"cost": "free", "tags": ("cafe", "peer support", "women")}, cafe.version, "bob")
    directory.create(CLUB, "carol")
    directory.verify("club-1", "carol", on=dt.date(2026, 3, 2))
    directory.archive("club-1", "carol", "closed for the summer")
    records = ClientRecords(directory)
    record = records.create(kim, "C-0042", PROFILE)
    records.give_consent(kim, record.id, "Tees Valley Recovery", dt.date(2026, 3, 3))
    records.add_action(kim, record.id, "Book the ESOL assessment", "keyworker", dt.date(2026, 3, 10))
    return directory


def every_row(directory: Directory) -> dict[str, list[tuple]]:
    """Every row of every table of the app, in primary-key order: what a restore must give back exactly.
    The change counter is left out (a restore moves it on purpose)."""
    rows = {}
    with directory.engine.connect() as connection:
        for name, table in Base.metadata.tables.items():
            if name != "directory_state":
                rows[name] = [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
    return rows


def through_the_apis(directory: Directory) -> dict:
    entries = directory.entries(include_archived=True)
    return {
        "entries": entries,
        "history": {entry.id: directory.history(entry.id) for entry in entries},
        "people": [get_account(directory, name) for name in ("alice", "bob", "carol", "victor", "kim")],
    }


def counter(directory: Directory) -> int:
    return directory.change_counter()


def wipe(directory: Directory, url: str) -> None:
    """Lose the database: delete the SQLite file, or drop everything in PostgreSQL."""
    directory.engine.dispose()
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        with directory.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


def cli(monkeypatch, capsys, url: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_backup_wipe_restore_gives_back_exactly_the_same_data(filled, db_url, tmp_path, monkeypatch, capsys):
    rows, seen = every_row(filled), through_the_apis(filled)
    assert {name: len(rows[name]) for name in ("entries", "revisions", "users", "organisations", "clients")} == {
        "entries": 2, "revisions": 5, "users": 5, "organisations": 3, "clients": 1}
    counter_before = counter(filled)
    out = tmp_path / "backups" / "partnership.backup"
    out.parent.mkdir()

    assert cli(monkeypatch, capsys, db_url, "backup", "--out", str(out)) == (
        0, f"backed up {SUMMARY} to {out}", "")
    assert sorted(p.name for p in out.parent.iterdir()) == ["partnership.backup"]  # no temporary file left
    assert out.stat().st_mode & 0o777 == 0o600  # it holds client records
    with open(out, "rb") as handle:
        start = handle.read(20)
    if db_url.startswith("sqlite"):
        assert start[:16] == b"SQLite format 3\x00" and start[18:20] == b"\x01\x01"  # one file, no WAL beside it
    else:
        assert start[:5] == b"PGDMP"

    wipe(filled, db_url)
    if db_url.startswith("sqlite"):
        assert not Path(make_url(db_url).database).exists()
    else:
        with filled.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) == 0

    assert cli(monkeypatch, capsys, db_url, "restore", str(out)) == (0, f"restored {SUMMARY} from {out}", "")
    restored = Directory(db_url, locate_postcode=fake_locator)
    assert every_row(restored) == rows
    assert through_the_apis(restored) == seen
    # The counter moved past the old one, so no app process keeps an index built before the restore.
    assert counter(restored) > counter_before
    kim = get_account(restored, "kim")
    record = ClientRecords(restored).open(kim, rows["clients"][0][0])
    assert (record.ref, record.shared_with, record.profile["stage"]) == ("C-0042", ("Tees Valley Recovery",), "stabilising")
    if db_url.startswith("sqlite"):
        with restored.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    restored.engine.dispose()


def test_a_restore_replaces_what_was_written_after_the_backup(filled, db_url, tmp_path, monkeypatch, capsys):
    out = tmp_path / "before.backup"
    rows = every_row(filled)
    assert cli(monkeypatch, capsys, db_url, "backup", "--out", str(out))[0] == 0
    later = filled.create(CAFE | {"id": "later-1", "name": "Added after the backup"}, "alice")
    create_user(filled, "zed", "Zed Later", "viewer")
    assert later.version == 1 and filled.count() == 2
    counter_before = counter(filled)

    assert cli(monkeypatch, capsys, db_url, "restore", str(out))[0] == 0
    assert every_row(filled) == rows
    assert counter(filled) == counter_before + 1  # past the newer counter, not back to the backup's
    assert [entry.id for entry in filled.entries(include_archived=True)] == ["cafe-1", "club-1"]
    assert get_account(filled, "zed") is None


def test_a_sqlite_backup_is_consistent_while_another_connection_is_writing(filled, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's online backup API")
    rows = every_row(filled)
    writer = sqlite3.connect(make_url(db_url).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the app is in the middle of saving: holds the write lock
    writer.execute("UPDATE entries SET name = 'half-saved' WHERE id = 'cafe-1'")
    outcome = backup_module.backup(filled, tmp_path / "live.backup")
    writer.execute("COMMIT")
    writer.close()
    assert outcome.counts == {"entries": 2, "revisions": 5, "people": 5, "organisations": 3, "client records": 1}
    copy = Directory(f"sqlite:///{tmp_path / 'live.backup'}", locate_postcode=fake_locator)
    assert every_row(copy) == rows  # what was committed when it began; not the half-saved name
    copy.engine.dispose()


def _not_this_apps_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()


def _newer_backup(directory: Directory, path: Path) -> None:
    """A backup made by a newer version of the app: its schema revision is one this app does not know."""
    with directory.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    backup_module.backup(directory, path)
    with directory.engine.begin() as connection:
        connection.execute(text(f"UPDATE alembic_version SET version_num = '{HEAD}'"))


def _cut_short(directory: Directory, path: Path) -> None:
    backup_module.backup(directory, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


BAD_FILES = {
    "text": (lambda d, p: p.write_text("name,organisation\nTees Recovery Café,Tees Valley Recovery\n"), {
        "sqlite": "is not a backup made by 'python -m directory backup': it is not an SQLite database",
        "postgresql": "is not a backup made by 'python -m directory backup': it is not a pg_dump custom archive"}),
    "empty": (lambda d, p: p.write_bytes(b""), {
        "sqlite": "is not a backup made by 'python -m directory backup': it is not an SQLite database",
        "postgresql": "is not a backup made by 'python -m directory backup': it is not a pg_dump custom archive"}),
    "cut short": (_cut_short, {
        "sqlite": "is incomplete (cut short): it cannot be restored",
        "postgresql": "is damaged and cannot be restored (pg_restore: error: could not read from input file: "
                      "end of file)"}),
    "another database": (lambda d, p: (_not_this_apps_sqlite(p) if d.dialect == "sqlite" else p.write_bytes(b"PGDMP")), {
        "sqlite": "is an SQLite database but not a backup of this app (it has no alembic_version, directory_state, "
                  "organisations … table)",
        "postgresql": "is damaged and cannot be restored (pg_restore: error: could not read from input file: "
                      "end of file)"}),
    "the other database's backup": (lambda d, p: p.write_bytes(
        b"PGDMP\x01\x0e\x00" if d.dialect == "sqlite" else b"SQLite format 3\x00" + bytes(84)), {
        "sqlite": "is a backup of a PostgreSQL database; this directory uses the embedded SQLite database: set "
                  "DATABASE_URL to the PostgreSQL database to restore it there",
        "postgresql": "is a backup of the embedded SQLite database; this directory uses PostgreSQL"}),
    "newer": (_newer_backup, {
        "sqlite": "was made by a newer version of this app (schema revision 9999): upgrade the app first, then restore it",
        "postgresql": "was made by a newer version of this app (schema revision 9999): upgrade the app first, then "
                      "restore it"}),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_file_that_is_not_a_backup_of_this_app_is_refused_and_nothing_changes(
        kind, filled, db_url, tmp_path, monkeypatch, capsys):
    make, reasons = BAD_FILES[kind]
    bad = tmp_path / "suspect.file"
    make(filled, bad)
    rows, counter_before = every_row(filled), counter(filled)
    code, out, err = cli(monkeypatch, capsys, db_url, "restore", str(bad))
    assert (code, out, err) == (1, "", f"error: {bad} {reasons[filled.dialect]}. Nothing was changed.")
    assert every_row(filled) == rows
    assert counter(filled) == counter_before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("restore-")) == []


def test_restore_of_a_file_that_does_not_exist_exits_1(directory, db_url, tmp_path, monkeypatch, capsys):
    missing = tmp_path / "nowhere.backup"
    assert cli(monkeypatch, capsys, db_url, "restore", str(missing)) == (
        1, "", f"error: there is no file {missing}. Nothing was changed.")


def test_backup_never_overwrites_an_existing_file_unless_forced(filled, db_url, tmp_path, monkeypatch, capsys):
    out = tmp_path / "partnership.backup"
    out.write_text("last week's backup")
    assert cli(monkeypatch, capsys, db_url, "backup", "--out", str(out)) == (
        1, "", f"error: {out} exists already: choose another name, or add --force to replace it. No backup was written.")
    assert out.read_text() == "last week's backup"
    assert cli(monkeypatch, capsys, db_url, "backup", "--out", str(out), "--force") == (
        0, f"backed up {SUMMARY} to {out}", "")
    assert out.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    folder = tmp_path / "no-such-folder" / "x.backup"
    assert cli(monkeypatch, capsys, db_url, "backup", "--out", str(folder)) == (
        1, "", f"error: there is no folder {folder.parent}: create it first. No backup was written.")


def test_a_failed_backup_leaves_no_half_file(filled, db_url, tmp_path, monkeypatch, capsys):
    out = tmp_path / "partnership.backup"
    if db_url.startswith("sqlite"):
        def half_then_fail(directory, temporary):
            temporary.write_bytes(b"SQLite format 3\x00" + bytes(1000))
            raise backup_module.BackupRefused("the disk is full")
        monkeypatch.setattr(backup_module, "_sqlite_backup", half_then_fail)
        reason = "the disk is full"
    else:  # a pg_dump that writes half an archive, then fails
        tool = tmp_path / "bin" / "pg_dump"
        tool.parent.mkdir()
        tool.write_text("#!/bin/sh\nfor a in \"$@\"; do case $a in --file=*) printf PGDMP-half > \"${a#--file=}\";; esac; done\n"
                        "echo 'pg_dump: error: query failed: server closed the connection unexpectedly' >&2\nexit 1\n")
        tool.chmod(0o755)
        monkeypatch.setattr(backup_module, "find_tool", lambda name: str(tool))
        reason = ("the backup failed and no file was written (pg_dump: error: query failed: server closed the "
                  "connection unexpectedly)")
    assert cli(monkeypatch, capsys, db_url, "backup", "--out", str(out)) == (
        1, "", f"error: {reason}. No backup was written.")
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == []  # nor its temporary file


def test_without_the_postgresql_tools_both_commands_say_which_package_to_install(
        filled, db_url, tmp_path, monkeypatch, capsys):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite needs no tool")
    archive = tmp_path / "made-earlier.backup"
    backup_module.backup(filled, archive)
    rows = every_row(filled)
    monkeypatch.setenv("PATH", "")  # nothing on PATH, nothing under /usr/lib/postgresql
    monkeypatch.setattr(backup_module, "PG_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    version = filled.engine.dialect.server_version_info[0]
    out = tmp_path / "new.backup"
    for args, tool, ending in ((("backup", "--out", str(out)), "pg_dump", "No backup was written"),
                               (("restore", str(archive)), "pg_restore", "Nothing was changed")):
        assert cli(monkeypatch, capsys, db_url, *args) == (1, "", (
            f"error: {tool} is not installed: install the Debian/Ubuntu package postgresql-client (version {version} "
            f"or newer, to match the server), e.g. sudo apt-get install postgresql-client. {ending}."))
    assert not out.exists()
    assert every_row(filled) == rows


def test_the_newest_postgresql_tool_is_found_on_path_or_under_usr_lib(tmp_path, monkeypatch):
    def tool(folder: Path, says: str = "") -> Path:
        folder.mkdir(parents=True)
        (folder / "pg_dump").write_text(f"#!/bin/sh\necho '{says}'\n")
        (folder / "pg_dump").chmod(0o755)
        return folder / "pg_dump"

    for version in ("9.6", "13", "16"):
        tool(tmp_path / "lib" / version / "bin")
    monkeypatch.setattr(backup_module, "PG_BIN_GLOB", str(tmp_path / "lib" / "*" / "bin"))
    monkeypatch.setenv("PATH", "")
    assert backup_module.find_tool("pg_dump") == str(tmp_path / "lib" / "16" / "bin" / "pg_dump")
    older = tool(tmp_path / "path-old", "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")
    monkeypatch.setenv("PATH", str(older.parent))
    assert backup_module.find_tool("pg_dump") == str(tmp_path / "lib" / "16" / "bin" / "pg_dump")
    newer = tool(tmp_path / "path-new", "pg_dump (PostgreSQL) 17.2")
    monkeypatch.setenv("PATH", str(newer.parent))
    assert backup_module.find_tool("pg_dump") == str(newer)
    assert backup_module.find_tool("pg_restore") is None


def test_the_password_travels_in_pgpassword_never_in_the_url():
    database = SimpleNamespace(engine=SimpleNamespace(
        url=make_url("postgresql+psycopg://partner:p%40ss%20word@db.example:5433/directory?sslmode=require")))
    url, environment = backup_module.libpq_connection(database)
    assert url == "postgresql://partner@db.example:5433/directory?sslmode=require"
    assert environment["PGPASSWORD"] == "p@ss word"
    assert backup_module._tool_error("/usr/bin/psql", "psql: error: FATAL: password p@ss word is wrong\n"
                                     "CONTEXT: COPY clients, line 1: \"C-0042 ...\"\n", "p@ss word") == (
        "psql: error: FATAL: password … is wrong")


def test_an_older_backup_is_brought_up_to_date(filled, db_url, tmp_path, monkeypatch, capsys):
    """A backup made before migrations 0008 and 0009 (no people's emails, no password links table)."""
    seen = through_the_apis(filled)
    config = db._alembic_config(filled.engine)
    command.downgrade(config, "0007")
    old = tmp_path / "older.backup"
    backup_module.backup(filled, old)
    db.migrate(filled.engine, again=True)
    filled.create(CAFE | {"id": "later-1"}, "alice")

    assert cli(monkeypatch, capsys, db_url, "restore", str(old)) == (
        0, f"restored {SUMMARY} from {old} (brought up to date from schema revision 0007)", "")
    restored = Directory(db_url, locate_postcode=fake_locator)
    assert through_the_apis(restored) == seen
    with restored.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
        assert connection.scalar(text("SELECT count(*) FROM password_links")) == 0
    restored.engine.dispose()


def test_the_cli_exit_codes_in_a_subprocess(directory, db_url, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "directory", *args], cwd=ROOT, capture_output=True, text=True,
                              env=os.environ | {"DATABASE_URL": db_url}, timeout=120)

    out = tmp_path / "partnership.backup"
    assert run("backup").returncode == 2  # --out is required
    assert run("restore").returncode == 2
    done = run("backup", "--out", str(out))
    assert (done.returncode, done.stdout) == (
        0, f"backed up 0 entries, 0 revisions, 4 people, 1 organisation and 0 client records to {out}\n")
    assert run("backup", "--out", str(out)).returncode == 1
    refused = run("restore", str(tmp_path / "nowhere"))
    assert (refused.returncode, refused.stdout) == (1, "")
    done = run("restore", str(out))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"restored 0 entries, 0 revisions, 4 people, 1 organisation and 0 client records from {out}\n"
