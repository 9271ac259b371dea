"""`mediadesk backup` and `mediadesk restore`, end to end, the way an operator runs them.

Everything runs in subprocesses against real databases of their own: a demo instance is loaded,
backed up, and restored into a second, freshly migrated instance, which must then hold the same
rows. On SQLite always; on PostgreSQL too when the suite itself runs on PostgreSQL (DATABASE_URL),
in two throwaway databases created on that server and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow

SESSION_DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = SESSION_DATABASE_URL.startswith(("postgres://", "postgresql://"))

# What "the same data" means here: the counts and the campaign codes of the demo agency.
SNAPSHOT = """
import json, django
django.setup()
from mediadesk.accounts.models import Client, User
from django.db.models import Sum
from mediadesk.delivery.models import DeliveryFact, PlacementDay
from mediadesk.planning.models import Campaign
print(json.dumps({
    "facts": DeliveryFact.objects.count(),
    "spend": PlacementDay.objects.aggregate(s=Sum("spend"))["s"],
    "users": User.objects.count(),
    "emails": sorted(User.objects.values_list("email", flat=True)),
    "clients": Client.objects.count(),
    "campaigns": Campaign.objects.count(),
    "codes": sorted(Campaign.objects.values_list("code", flat=True)),
}))
"""


@dataclass
class Instance:
    """One mediadesk installation: its data directory and, on PostgreSQL, its database."""

    data_dir: Path
    database_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        # A minimal environment, so nothing from the test session (its DATABASE_URL above all)
        # leaks into the instance under test.
        env = {
            "PATH": os.environ.get("PATH", ""),
            "MEDIADESK_ENV": "demo",
            "MEDIADESK_DATA_DIR": str(self.data_dir),
            "DJANGO_SETTINGS_MODULE": "mediadesk.settings",
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "mediadesk", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"`mediadesk {' '.join(args)}` exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def snapshot(self) -> dict[str, Any]:
        result = subprocess.run(
            [sys.executable, "-c", SNAPSHOT],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return data


# --- PostgreSQL databases for the instances ---------------------------------------------------


def _url_for(database: str) -> str:
    """The session's DATABASE_URL with another database name."""
    parts = urlsplit(SESSION_DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _admin(sql: str, database: str) -> None:
    import psycopg
    from psycopg import sql as pgsql

    # CREATE/DROP DATABASE cannot run inside a transaction block.
    with psycopg.connect(SESSION_DATABASE_URL, autocommit=True) as conn:
        conn.execute(pgsql.SQL(sql).format(pgsql.Identifier(database)))


@pytest.fixture
def new_database() -> Iterator[Any]:
    """A factory of empty PostgreSQL databases on the session's server, all dropped at the end."""
    created: list[str] = []

    def make(role: str) -> str:
        name = f"mediadesk_backup_{role}_{uuid.uuid4().hex[:8]}"
        _admin("CREATE DATABASE {}", name)
        created.append(name)
        return _url_for(name)

    yield make
    for name in created:
        # FORCE: a subprocess that died mid-way may still hold a connection.
        _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


ENGINES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not ON_POSTGRESQL, reason="the suite runs on SQLite (no PostgreSQL DATABASE_URL)"
        ),
    ),
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param


@pytest.fixture
def make_instance(engine: str, tmp_path: Path, new_database: Any) -> Any:
    """A factory of fresh instances on the engine under test, each with its own data dir."""

    def make(role: str) -> Instance:
        url = new_database(role) if engine == "postgresql" else ""
        return Instance(data_dir=tmp_path / role, database_url=url)

    return make


@pytest.fixture
def demo_instance(make_instance: Any) -> Instance:
    """An instance with the demo agency loaded."""
    instance: Instance = make_instance("source")
    instance.run("demo", "--no-serve")
    return instance


# --- tests ------------------------------------------------------------------------------------


def test_backup_restores_into_a_fresh_instance(
    demo_instance: Instance, make_instance: Any, engine: str, tmp_path: Path
) -> None:
    before = demo_instance.snapshot()
    assert before["clients"] == 3
    assert before["campaigns"] >= 8
    assert before["users"] >= 1
    assert before["facts"] > 0  # delivery facts, in monthly partitions on PostgreSQL

    backup = tmp_path / "backups" / "nested" / f"backup.{engine}"
    result = demo_instance.run("backup", str(backup))
    assert backup.is_file()
    assert str(backup) in result.stdout
    magic = b"SQLite format 3\x00" if engine == "sqlite" else b"PGDMP"
    assert backup.read_bytes().startswith(magic)

    fresh: Instance = make_instance("fresh")
    fresh.run("migrate", "--quiet")
    assert fresh.snapshot()["campaigns"] == 0

    fresh.run("restore", str(backup), "--yes")
    after = fresh.snapshot()
    assert after == before
    # The restored instance is a working one: migrate finds nothing to do and the demo loader
    # sees its agency already there.
    fresh.run("migrate", "--quiet")
    assert "already loaded" in fresh.run("demo", "--no-serve").stdout
    assert fresh.snapshot() == before


def test_backup_never_overwrites_a_file(demo_instance: Instance, tmp_path: Path) -> None:
    existing = tmp_path / "keep-me.bak"
    existing.write_bytes(b"an older backup")

    result = demo_instance.run("backup", str(existing), check=False)

    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"an older backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep-me")] == []


def _sqlite_without_migrations(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('not mediadesk')")
    conn.close()


BAD_FILES: dict[str, Callable[[Path], object]] = {
    "text": lambda path: path.write_text("campaign,budget\nNWND-AR26,480000\n"),
    "empty": lambda path: path.write_bytes(b""),
    "sqlite-without-django": _sqlite_without_migrations,
    "truncated-pg-dump": lambda path: path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64),
}

# What the error must say, per engine and kind of file.
EXPECTED = {
    ("sqlite", "text"): "not a SQLite database",
    ("sqlite", "empty"): "not a SQLite database",
    ("sqlite", "sqlite-without-django"): "no django_migrations table",
    ("sqlite", "truncated-pg-dump"): "is a PostgreSQL backup",
    ("postgresql", "text"): "not a pg_dump archive",
    ("postgresql", "empty"): "not a pg_dump archive",
    ("postgresql", "sqlite-without-django"): "is a SQLite backup",
    ("postgresql", "truncated-pg-dump"): "not a readable pg_dump archive",
}


def test_restore_refuses_a_file_that_is_not_a_backup(
    demo_instance: Instance, engine: str, tmp_path: Path
) -> None:
    before = demo_instance.snapshot()
    for kind, write in BAD_FILES.items():
        bad = tmp_path / f"{kind}.bak"
        write(bad)

        result = demo_instance.run("restore", str(bad), "--yes", check=False)

        assert result.returncode != 0, kind
        message = result.stderr.strip().splitlines()[-1]
        assert str(bad) in message, (kind, message)
        assert EXPECTED[engine, kind] in message, (kind, message)
        assert "Restored" not in result.stdout
    assert demo_instance.snapshot() == before


def test_restore_of_a_missing_file_says_so(demo_instance: Instance, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.bak"

    result = demo_instance.run("restore", str(missing), "--yes", check=False)

    assert result.returncode != 0
    assert f"{missing}: there is no such file" in result.stderr
