"""Backing up and restoring the whole database (`python -m directory backup | restore`, docs/cli.md).

Embedded SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies a consistent
snapshot while the app keeps running (WAL); a restore checks the file is a database of this app,
copies it back into the live database with the same API, then runs the migrations, so an older
backup is brought up to date.

PostgreSQL: the database's own tools, `pg_dump --format=custom` (one consistent snapshot) and
`pg_restore --clean --if-exists --no-owner --single-transaction`, whose script (BEGIN ... COMMIT)
`psql` runs, after dropping in the same transaction any table the backup does not have (a backup
older than the schema: pg_restore's plain DROP TABLEs would fail on their foreign keys): a restore
that fails anywhere, or a script cut short, changes nothing. The password travels in PGPASSWORD only.

The database is reached through the engine the `Directory` holds; what is counted is read through
`Directory.reader()`. Nothing here prints or logs a row of the database: refusals say why in plain
English (`BackupRefused`), with the tools' own error lines at most.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import URL, inspect
from sqlalchemy.exc import DBAPIError

from directory.db import MIGRATIONS, migrate
from directory.errors import DirectoryError

# Where Debian and Ubuntu install each PostgreSQL version's client tools; the newest is used.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_CLIENT_PACKAGE = "postgresql-client"
# Tables every version of the schema has (migration 0001): a database without them is not one of ours.
APP_TABLES = ("alembic_version", "directory_state", "organisations", "users", "entries", "memberships",
              "contacts", "locations", "revisions", "sessions")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupRefused(DirectoryError):
    """A backup or restore that was not done; str(error) says why, and nothing was changed."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    counts: dict[str, int]  # entries, revisions, people, organisations, client records
    upgraded_from: str | None = None  # a restore of an older backup: its schema revision

    def summary(self, verb: str) -> str:
        """'backed up 12 entries, 30 revisions, 4 people, 3 organisations and 1 client record to FILE'."""
        c = self.counts
        said = (f"{verb} {_n(c['entries'], 'entry', 'entries')}, {_n(c['revisions'], 'revision')}, "
                f"{_n(c['people'], 'person', 'people')}, {_n(c['organisations'], 'organisation')} and "
                f"{_n(c['client records'], 'client record')} {'to' if verb == 'backed up' else 'from'} {self.path}")
        if self.upgraded_from:
            said += f" (brought up to date from schema revision {self.upgraded_from})"
        return said


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def counts(directory) -> dict[str, int]:
    with directory.reader() as uow:
        return uow.state.counts()


# -- backup -------------------------------------------------------------------------------------


def backup(directory, out: str | os.PathLike, *, force: bool = False) -> Outcome:
    """Write a consistent copy of the whole database to `out`: beside it first, renamed when complete."""
    out = Path(out)
    if out.is_dir():
        raise BackupRefused(f"{out} is a folder: give the name of the backup file to write")
    if out.exists() and not force:
        raise BackupRefused(f"{out} exists already: choose another name, or add --force to replace it")
    if not out.parent.is_dir():
        raise BackupRefused(f"there is no folder {out.parent}: create it first")
    if directory.dialect == "sqlite":
        source = _sqlite_path(directory)
        if out.exists() and out.resolve() == source.resolve():
            raise BackupRefused(f"{out} is the live database itself: write the backup to another file")
        write = _sqlite_backup
    elif directory.dialect == "postgresql":
        write = _pg_backup
    else:
        raise BackupRefused(f"backups of a {directory.dialect} database are not supported")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(descriptor)  # made readable by its owner only (0600): a backup holds client records
    temporary = Path(temporary)
    try:
        write(directory, temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        if out.exists() and not force:  # made by someone else while we were writing
            raise BackupRefused(f"{out} exists already: choose another name, or add --force to replace it")
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return Outcome(out, counts(directory))


def _sqlite_path(directory) -> Path:
    database = directory.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupRefused("this database lives in memory only: there is no file to back up or restore")
    return Path(database)


def _driver_connection(directory):
    """A pooled connection's sqlite3.Connection (returned to the pool when the caller closes the wrapper)."""
    wrapper = directory.engine.raw_connection()
    return wrapper, wrapper.driver_connection


def _sqlite_backup(directory, temporary: Path) -> None:
    wrapper, source = _driver_connection(directory)
    target = sqlite3.connect(temporary, isolation_level=None)
    try:
        # One step: the whole database from one read snapshot, while writers carry on in the WAL.
        source.backup(target)
        # A single self-contained file (no -wal beside it), whatever the live database's journal mode.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        wrapper.close()


# -- restore ------------------------------------------------------------------------------------


def restore(directory, file: str | os.PathLike) -> Outcome:
    """Replace the whole database with the backup in `file`, after checking it is one of this app's."""
    file = Path(file)
    if not file.exists():
        raise BackupRefused(f"there is no file {file}")
    if not file.is_file():
        raise BackupRefused(f"{file} is not a file")
    if directory.dialect == "sqlite":
        restore_ = _sqlite_restore
    elif directory.dialect == "postgresql":
        restore_ = _pg_restore
    else:
        raise BackupRefused(f"restoring a {directory.dialect} database is not supported")
    try:
        with directory.reader() as uow:
            counter_before = uow.state.change_counter()
    except DBAPIError:  # the live database is empty or damaged: the restore replaces it whole
        counter_before = 0
    revision = restore_(directory, file)
    directory.engine.dispose()  # no pooled connection keeps what it knew of the old schema
    migrate(directory.engine, again=True)
    # The restored counter may be one an app process has seen already: move it past both.
    with directory.unit_of_work() as uow:
        uow.state.move_counter_past(counter_before)
        uow.commit()
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    return Outcome(file, counts(directory), upgraded_from=revision if revision != head else None)


def _known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def _check_revision(file: Path, revision: str | None) -> str:
    if not revision:
        raise BackupRefused(f"{file} is not a backup of this app: it records no schema version")
    if revision not in _known_revisions():
        raise BackupRefused(f"{file} was made by a newer version of this app (schema revision {revision}): "
                            "upgrade the app first, then restore it")
    return revision


def _sqlite_restore(directory, file: Path) -> str:
    live = _sqlite_path(directory)
    with open(file, "rb") as handle:
        header = handle.read(100)
    if header.startswith(PG_DUMP_MAGIC):
        raise BackupRefused(f"{file} is a backup of a PostgreSQL database; this directory uses the embedded "
                            "SQLite database: set DATABASE_URL to the PostgreSQL database to restore it there")
    if not header.startswith(SQLITE_MAGIC):
        raise BackupRefused(f"{file} is not a backup made by 'python -m directory backup': "
                            "it is not an SQLite database")
    size = file.stat().st_size
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    pages_valid = header[24:28] == header[92:96]  # the header's page count is trustworthy only then
    if len(header) < 100 or size % page_size or (pages_valid and pages * page_size > size):
        raise BackupRefused(f"{file} is incomplete (cut short): it cannot be restored")
    with tempfile.TemporaryDirectory(prefix="restore-", dir=live.parent) as folder:
        # Checked and copied from a private copy: the file cannot change between the check and the copy,
        # and opening it leaves nothing beside the original.
        copy = Path(folder) / "backup.db"
        shutil.copyfile(file, copy)
        source = sqlite3.connect(copy, isolation_level=None)
        try:
            revision = _check_sqlite_copy(file, source)
            wrapper, target = _driver_connection(directory)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as error:
                raise BackupRefused(f"the database could not be replaced ({error}); nothing was changed") from None
            finally:
                wrapper.close()
        finally:
            source.close()
    return revision


def _check_sqlite_copy(file: Path, source: sqlite3.Connection) -> str:
    try:
        problems = [row[0] for row in source.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{file} is damaged and cannot be restored ({error})") from None
    if problems != ["ok"]:
        raise BackupRefused(f"{file} is damaged and cannot be restored (SQLite's check found "
                            f"{len(problems)} problem{'s' if len(problems) != 1 else ''})")
    tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [name for name in APP_TABLES if name not in tables]
    if missing:
        raise BackupRefused(f"{file} is an SQLite database but not a backup of this app "
                            f"(it has no {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''} table)")
    row = source.execute("SELECT version_num FROM alembic_version").fetchone()
    return _check_revision(file, row[0] if row else None)


# -- PostgreSQL: the database's own tools --------------------------------------------------------


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def find_tool(name: str) -> str | None:
    """The newest `name` (pg_dump, pg_restore, psql) under /usr/lib/postgresql/*/bin or on PATH."""
    candidates: list[tuple[tuple[int, ...], str]] = []
    for folder in glob.glob(PG_BIN_GLOB):
        tool = Path(folder) / name
        if tool.is_file() and os.access(tool, os.X_OK):
            candidates.append((_version_key(Path(folder).parent.name), str(tool)))
    on_path = shutil.which(name)
    if on_path:
        try:
            said = subprocess.run([on_path, "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            said = ""
        found = re.search(r"(\d+(?:\.\d+)*)\s*(?:\(|$)", said.strip())
        candidates.append((_version_key(found.group(1)) if found else (0,), on_path))
    if not candidates:
        return None
    return max(candidates, key=lambda candidate: candidate[0])[1]


def _tool(name: str, directory) -> str:
    tool = find_tool(name)
    if tool is None:
        try:
            with directory.engine.connect():  # the server's version, to name the package's
                server = directory.engine.dialect.server_version_info
        except DBAPIError:
            server = None
        version = f" (version {server[0]} or newer, to match the server)" if server else ""
        raise BackupRefused(f"{name} is not installed: install the Debian/Ubuntu package {PG_CLIENT_PACKAGE}"
                            f"{version}, e.g. sudo apt-get install {PG_CLIENT_PACKAGE}")
    return tool


def libpq_connection(directory) -> tuple[str, dict[str, str]]:
    """The database as a libpq URL without the password, and the environment that carries it (PGPASSWORD)."""
    url = directory.engine.url
    password = url.password
    libpq = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                       query=url.query).render_as_string(hide_password=False)
    environment = dict(os.environ)
    if password is not None:
        environment["PGPASSWORD"] = str(password)
    return libpq, environment


def _tool_error(tool: str, stderr: str, password: str | None) -> str:
    """The tool's first error line: never a whole output, which may quote rows (CONTEXT: COPY ...)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if "error" in line.lower() or "fatal" in line.lower()),
                  lines[0] if lines else "no message")
    chosen = re.sub(r"^(?:pg_dump|pg_restore|psql)(?::<stdin>:\d+)?:\s*", "", chosen)
    if password:
        chosen = chosen.replace(password, "…")
    return f"{Path(tool).name}: {chosen[:300]}"


def _pg_backup(directory, temporary: Path) -> None:
    pg_dump = _tool("pg_dump", directory)
    url, environment = libpq_connection(directory)
    result = subprocess.run(
        [pg_dump, "--format=custom", "--no-password", f"--file={temporary}", f"--dbname={url}"],
        env=environment, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise BackupRefused("the backup failed and no file was written ("
                            + _tool_error(pg_dump, result.stderr, environment.get("PGPASSWORD")) + ")")


def _archive_tables(pg_restore: str, file: Path) -> set[str]:
    result = subprocess.run([pg_restore, "--list", str(file)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupRefused(f"{file} is damaged and cannot be restored ("
                            + _tool_error(pg_restore, result.stderr, None) + ")")
    return set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", result.stdout, flags=re.MULTILINE))


def _archive_revision(pg_restore: str, file: Path) -> str | None:
    result = subprocess.run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(file)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupRefused(f"{file} is damaged and cannot be restored ("
                            + _tool_error(pg_restore, result.stderr, None) + ")")
    found = re.search(r"^COPY public\.alembic_version \(version_num\) FROM stdin;\n([^\n\\]+)\n",
                      result.stdout, flags=re.MULTILINE)
    return found.group(1).strip() if found else None


def _pg_restore(directory, file: Path) -> str:
    with open(file, "rb") as handle:
        start = handle.read(16)
    if start.startswith(SQLITE_MAGIC):
        raise BackupRefused(f"{file} is a backup of the embedded SQLite database; this directory uses PostgreSQL")
    if not start.startswith(PG_DUMP_MAGIC):
        raise BackupRefused(f"{file} is not a backup made by 'python -m directory backup': "
                            "it is not a pg_dump custom archive")
    pg_restore = _tool("pg_restore", directory)
    psql = _tool("psql", directory)
    tables = _archive_tables(pg_restore, file)
    missing = [name for name in APP_TABLES if name not in tables]
    if missing:
        raise BackupRefused(f"{file} is a pg_dump archive but not a backup of this app "
                            f"(it has no {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''} table)")
    revision = _check_revision(file, _archive_revision(pg_restore, file))
    # Tables of a newer schema than the backup's: dropped in the same transaction, so the migrations
    # can make them again (and pg_restore's plain DROP TABLEs are not held back by their foreign keys).
    live = set(inspect(directory.engine).get_table_names(schema="public"))
    extra = sorted(live - tables)
    url, environment = libpq_connection(directory)
    password = environment.get("PGPASSWORD")
    # psql runs pg_restore's script, which is one transaction (BEGIN ... COMMIT): a script cut short (a
    # damaged file) never reaches COMMIT, and psql stops at the first error; either way the server rolls
    # back everything, the DROP of newer tables too.
    prelude = ""
    if extra:
        names = ", ".join('public."' + name.replace('"', '""') + '"' for name in extra)
        prelude = f"BEGIN;\nDROP TABLE IF EXISTS {names} CASCADE;\n"
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--file=-", str(file)],
            stdout=subprocess.PIPE, stderr=script_errors,
        )
        applier = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", f"--dbname={url}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=environment,
        )
        try:
            applier.stdin.write(prelude.encode())
            shutil.copyfileobj(script.stdout, applier.stdin, 1 << 20)
        except BrokenPipeError:  # psql stopped at an error: it says which below
            script.terminate()
        finally:
            script.stdout.close()
            try:
                applier.stdin.close()
            except BrokenPipeError:
                pass
            script.wait()
            applier.wait()
        script_errors.seek(0)
        psql_errors.seek(0)
        script_said = script_errors.read().decode("utf-8", "replace")
        psql_said = psql_errors.read().decode("utf-8", "replace")
    if applier.returncode != 0 or script.returncode != 0:
        if script.returncode not in (0, -15) and script_said.strip():
            reason = _tool_error(pg_restore, script_said, None)
        else:
            reason = _tool_error(psql, psql_said, password)
        raise BackupRefused(f"{file} could not be restored ({reason})")
    return revision

