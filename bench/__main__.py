"""Run every benchmark in this folder and print its figures: ``python -m bench [name ...]``.

``python -m bench --postgres name ...`` runs the named benchmarks again on a throwaway
PostgreSQL cluster (the same one the test runner starts), when a server is installed.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time

BENCHMARKS = [
    "campaigns",
    "flowchart",
    "flighting",
    "plans",
    "ingest",
    "invoices",
    "delivery",
    "delivery_import",
    "matching",
    "close",
    "orders",
    "creative",
    "compliance",
    "compliance_api",
    "attention",
]


def on_postgres(names: list[str]) -> int:
    import subprocess
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from run_tests import find_server, throwaway_cluster

    server = find_server()
    if server is None:
        print("PostgreSQL benchmarks skipped: no server installed.")
        return 0
    major, bin_dir = server
    print(f"\n== on PostgreSQL {major} ==", flush=True)
    with throwaway_cluster(bin_dir) as url:
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, "-m", "bench", *names]
        return subprocess.run(command, env=env, check=False).returncode


def main(argv: list[str]) -> int:
    if argv[:1] == ["--postgres"]:
        return on_postgres(argv[1:])
    names = argv or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}.")
        return 2
    # A throwaway SQLite database file (not in-memory: WAL and file I/O are part of the cost).
    os.environ.setdefault("MEDIADESK_ENV", "test")
    os.environ.setdefault("MEDIADESK_DATA_DIR", tempfile.mkdtemp(prefix="mediadesk-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", "--no-input", "-v", "0")
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; migrated in {time.perf_counter() - started:.2f} s")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== {name} ==")
        module.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
