"""Backing up and restoring the whole database (``mediadesk backup`` / ``mediadesk restore``).

SQLite: the online backup API of SQLite itself, in both directions. Copying the file with ``cp``
would be wrong: in WAL mode the newest committed pages may still sit in ``mediadesk.sqlite3-wal``,
and a copy taken while the app writes can be torn. The backup API copies a consistent snapshot,
and when it writes into the live database it goes through SQLite's own pager, so the WAL and
shared-memory files stay consistent with the main file.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction``, so a restore
either replaces everything or nothing. The password travels in ``PGPASSWORD``, never on the
command line, where every user of the machine could read it in the process list.

A backup never overwrites an existing file, and a restore checks the file before it touches the
live database: a wrong path must not cost anyone their data.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_BIN_ROOT = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or restore cannot be done; the message says which file and why."""


def backup_database(path: str | Path) -> Path:
    """Write a consistent copy of the database to ``path`` (a new file) and return its path."""
    target = Path(path).expanduser().resolve()
    if target.exists():
        raise BackupError(
            f"{target} already exists; a backup never overwrites a file. "
            "Choose a new file name or move the old one away."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write next to the target and rename at the end, so a failed or interrupted backup never
    # leaves a half-written file that looks like a good backup. mkstemp also makes the file
    # readable by its owner only, which a copy of every password hash and token deserves.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if _is_sqlite():
            _backup_sqlite(tmp)
        elif _is_postgresql():
            _backup_postgresql(tmp)
        else:
            raise BackupError(f"Backups are not supported for the database engine {_engine()!r}.")
        if target.exists():  # someone wrote the same name while we were copying
            raise BackupError(f"{target} appeared while the backup ran; it was left untouched.")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def restore_database(path: str | Path) -> None:
    """Replace the contents of the database with the backup at ``path``.

    The file is checked first; if it is not a backup of this kind of database, nothing changes.
    """
    source = Path(path).expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"Cannot restore from {source}: there is no such file.")
    if _is_sqlite():
        _restore_sqlite(source)
    elif _is_postgresql():
        _restore_postgresql(source)
    else:
        raise BackupError(f"Restore is not supported for the database engine {_engine()!r}.")


# --- SQLite ------------------------------------------------------------------------------------


def _backup_sqlite(tmp: Path) -> None:
    # Going through Django's own connection means we read exactly the database the app uses
    # (whatever NAME resolves to, in-memory test databases included).
    connection.ensure_connection()
    live: sqlite3.Connection = connection.connection
    dest = sqlite3.connect(tmp)
    try:
        live.backup(dest)
        # The copy inherits WAL mode from the live database; switch it back to a rollback
        # journal so the backup is one self-contained file that can be mailed or archived.
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()


def _restore_sqlite(source: Path) -> None:
    _check_sqlite_backup(source)
    # Close every Django connection first: a connection that stays open would keep a read
    # snapshot of the old data, and its cached schema would not match the restored one.
    connections.close_all()
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        live: sqlite3.Connection = connection.connection
        # One step (pages=-1): the live database is locked once and replaced whole, never left
        # half old, half new for another process to read.
        src.backup(live)
    finally:
        src.close()
        connections.close_all()


def _check_sqlite_backup(source: Path) -> None:
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(PG_DUMP_MAGIC):
        raise BackupError(
            f"{source} is a PostgreSQL backup (pg_dump), but this instance uses SQLite; "
            "restore it on an instance whose DATABASE_URL points at PostgreSQL."
        )
    if head != SQLITE_MAGIC:
        raise BackupError(f"{source} is not a mediadesk backup: it is not a SQLite database.")
    # Read-only, so checking a file can never change it (nor create -wal files beside it).
    check = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()
        if result is None or result[0] != "ok":
            detail = result[0] if result else "no answer"
            raise BackupError(f"{source} is a damaged SQLite database ({detail}).")
        found = check.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} cannot be read as a SQLite database: {exc}.") from exc
    finally:
        check.close()
    if not found:
        raise BackupError(
            f"{source} is a SQLite database but not a mediadesk backup: "
            "it has no django_migrations table."
        )


# --- PostgreSQL ---------------------------------------------------------------------------------


def _backup_postgresql(tmp: Path) -> None:
    args, env = _pg_connection_args()
    _run_pg_tool(
        [
            _pg_tool("pg_dump"), "--format=custom", "--no-owner",
            "--file", str(tmp), *args, "--dbname", _db_name(),
        ],
        env,
        f"pg_dump could not back up the database {_db_name()!r}",
    )  # fmt: skip


def _restore_postgresql(source: Path) -> None:
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        raise BackupError(
            f"{source} is a SQLite backup, but this instance uses PostgreSQL; "
            "restore it on an instance without DATABASE_URL (SQLite)."
        )
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(
            f"{source} is not a mediadesk backup: it is not a pg_dump archive "
            "(mediadesk backup writes pg_dump's custom format)."
        )
    pg_restore = _pg_tool("pg_restore")
    args, env = _pg_connection_args()
    # Read the archive's table of contents before touching the database: a dump of some other
    # database must be refused, not poured over ours.
    listing = _run_pg_tool(
        [pg_restore, "--list", str(source)], env, f"{source} is not a readable pg_dump archive"
    )
    if not re.search(r"\bTABLE\s+\S+\s+django_migrations\b", listing):
        raise BackupError(
            f"{source} is a pg_dump archive but not a mediadesk backup: "
            "it has no django_migrations table."
        )
    # Our own connections would hold locks that dropping the tables has to wait for.
    connections.close_all()
    _replace_from_archive(pg_restore, str(source), args, env)


def _replace_from_archive(
    pg_restore: str, source: str, args: list[str], env: dict[str, str]
) -> None:
    """Replace the database's tables with the archive's, in one transaction.

    ``pg_restore --clean`` cannot be used: it drops each object on its own, and PostgreSQL
    refuses to drop the key of a partition (delivery facts are partitioned by month). So the
    archive is turned into SQL by pg_restore and fed to psql behind a DROP SCHEMA … CASCADE,
    all inside ``psql --single-transaction``: if anything fails, nothing changed.
    """
    psql = _pg_tool("psql")
    failure = f"pg_restore could not restore {source} (the database was left as it was)"
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as load_errors:
        restore = subprocess.Popen(
            [pg_restore, "--no-owner", "--file", "-", source],
            stdout=subprocess.PIPE, stderr=restore_errors, env=env,
        )  # fmt: skip
        load = subprocess.Popen(
            [psql, "--single-transaction", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1",
             *args, "--dbname", _db_name()],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=load_errors, env=env,
        )  # fmt: skip
        assert restore.stdout is not None and load.stdin is not None
        # A broken pipe means psql stopped at an error: its own message says which.
        with contextlib.suppress(BrokenPipeError):
            load.stdin.write(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
            shutil.copyfileobj(restore.stdout, load.stdin, 1024 * 1024)
        with contextlib.suppress(BrokenPipeError):
            load.stdin.close()
        restored, loaded = restore.wait(), load.wait()
        for code, errors in ((restored, restore_errors), (loaded, load_errors)):
            if code != 0:
                errors.seek(0)
                detail = errors.read().decode(errors="replace").strip() or f"exit status {code}"
                raise BackupError(f"{failure}: {detail}")


def _pg_connection_args() -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for pg_dump/pg_restore, from Django's settings."""
    from django.db.backends.postgresql.client import DatabaseClient

    db = _db()
    # Django's own psql client already maps PASSWORD, sslmode, passfile, service and the
    # certificate options to libpq's PG* variables; reuse that instead of copying it.
    _, client_env = DatabaseClient.settings_to_cmd_args_env(db, [])
    env = {**os.environ, **(client_env or {})}
    args: list[str] = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    # Never prompt for a password: a backup run from cron must fail, not hang.
    args.append("--no-password")
    return args, env


def _pg_tool(name: str) -> str:
    """The pg_dump/pg_restore to use: the server's own major version if installed, else PATH.

    pg_dump refuses to dump a server newer than itself, and Debian can have several versions
    side by side with /usr/bin pointing at only one of them.
    """
    major = _server_major()
    if major is not None:
        own = PG_BIN_ROOT / str(major) / "bin" / name
        if own.is_file() and os.access(own, os.X_OK):
            return str(own)
    found = shutil.which(name)
    if found:
        return found
    version = f" {major}" if major is not None else ""
    raise BackupError(
        f"{name} was not found (looked in {PG_BIN_ROOT}/{major or '<version>'}/bin and on PATH). "
        f"Install the PostgreSQL{version} client tools, e.g. `apt-get install postgresql-client`."
    )


def _server_major() -> int | None:
    try:
        connection.ensure_connection()
        version = int(connection.pg_version)  # type: ignore[attr-defined]
    except Exception:
        # An unreachable server is reported by pg_dump itself, with libpq's own message.
        return None
    return version // 10000 if version >= 100000 else version // 100


def _run_pg_tool(cmd: list[str], env: dict[str, str], failure: str) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise BackupError(f"{failure}: {detail}")
    return result.stdout


# --- settings ---------------------------------------------------------------------------------


def _db() -> dict[str, Any]:
    return connection.settings_dict


def _engine() -> str:
    return str(_db()["ENGINE"])


def _is_sqlite() -> bool:
    return _engine().endswith("sqlite3")


def _is_postgresql() -> bool:
    return _engine().endswith("postgresql")


def _db_name() -> str:
    return str(_db()["NAME"])
