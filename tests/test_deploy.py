"""How mediadesk runs outside the test client: SQLite under load, and the production server."""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def env_for(data_dir: Path, mode: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "MEDIADESK_ENV": mode,
        "MEDIADESK_DATA_DIR": str(data_dir),
        **extra,
    }


def mediadesk(env: dict[str, str], *args: str, timeout: int = 120) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mediadesk", *args],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_sqlite_reads_while_another_process_writes(tmp_path: Path) -> None:
    """WAL mode: a page's read is not blocked by an import's open write transaction."""
    env = env_for(tmp_path, "demo")
    mediadesk(env, "demo", "--no-serve")
    database = tmp_path / "mediadesk.sqlite3"
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE planning_campaign SET notes = 'import running'")
        # While the write transaction is open, another process reads through Django.
        started = time.monotonic()
        out = mediadesk(
            env,
            "manage", "shell", "-c",
            "from django.db import connection as c\n"
            "cur = c.cursor()\n"
            "cur.execute('PRAGMA busy_timeout'); print('timeout', cur.fetchone()[0])\n"
            "from mediadesk.planning.models import Campaign\n"
            "print('notes', sorted(set(Campaign.objects.values_list('notes', flat=True))))\n",
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "timeout 20000" in out
    assert "notes ['']" in out  # the uncommitted write is not seen, and nothing waited on it
    assert elapsed < 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_production_server_serves_pages_and_static_files(tmp_path: Path) -> None:
    env = env_for(
        tmp_path,
        "production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",  # TLS ends at the proxy in front; here we speak plain HTTP
        MEDIADESK_STATIC_ROOT=str(tmp_path / "static"),
    )
    mediadesk(env, "migrate", "--quiet")
    mediadesk(env, "manage", "collectstatic", "--no-input", "-v", "0")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mediadesk", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
            assert "Log in" in page
            assert "Secure" in response.headers.get("Set-Cookie", "")
        css = page.split('rel="stylesheet" href="')[1].split('"')[0]
        assert css.startswith("/static/mediadesk/app.") and css != "/static/mediadesk/app.css"
        with urllib.request.urlopen(base + css, timeout=5) as response:  # noqa: S310
            assert "max-age=315360000" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)
