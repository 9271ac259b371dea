"""Run the whole test suite twice: on SQLite, then on PostgreSQL (what `make test` runs).

    python scripts/run_tests.py [pytest arguments...]

The PostgreSQL pass uses DATABASE_URL when it already points at PostgreSQL. Otherwise it starts
a throwaway cluster from the installed server binaries (/usr/lib/postgresql/<version>/bin) in a
temporary directory on a free loopback port, and removes it afterwards. Without a server the
pass is skipped with a warning, except in CI (CI=true), where that is a failure: CI must prove
both databases.

Standard library only: it runs before anything else is known to work.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
PG_USER = "postgres"  # the OS account the server runs as, and the database superuser
NO_TESTS_COLLECTED = 5  # pytest's exit code when nothing ran: never a pass


def header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def run_pytest(extra_env: dict[str, str], args: Sequence[str]) -> int:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["MEDIADESK_ENV"] = "test"
    env.update(extra_env)
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)


@dataclass
class Result:
    label: str
    code: int | None  # pytest's exit code; None when the pass was skipped
    reason: str = ""  # why it failed or was skipped, when pytest did not say

    @property
    def failed(self) -> bool:
        return self.code is not None and self.code != 0


def describe(result: Result) -> str:
    code = result.code
    if result.reason:
        return f"{'FAILED' if result.failed else 'skipped'} ({result.reason})"
    if code is None:
        return "skipped"
    if code == 0:
        return "passed"
    if code == NO_TESTS_COLLECTED:
        return "FAILED (no tests collected)"
    return f"FAILED (pytest exit code {code})"


def find_server() -> tuple[str, Path] | None:
    """The highest installed PostgreSQL server: (major version, its bin directory)."""
    found: list[tuple[int, Path]] = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        bin_dir = Path(initdb).parent
        if re.fullmatch(r"\d+", bin_dir.parent.name):
            found.append((int(bin_dir.parent.name), bin_dir))
    if not found:
        return None
    major, bin_dir = max(found)
    return str(major), bin_dir


def free_port() -> int:
    # Ask the kernel for an unused port; the tiny race until postgres binds it is acceptable.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[str]:
    """Start a private PostgreSQL cluster, yield its DATABASE_URL, always stop and remove it."""
    as_root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="mediadesk-pg-"))
    data, log = tmp / "data", tmp / "server.log"

    def pg(*cmd: str) -> subprocess.CompletedProcess[str]:
        # PostgreSQL refuses to run as root; run its tools as the postgres account instead.
        prefix = ["runuser", "-u", PG_USER, "--"] if as_root else []
        # cwd=tmp: the postgres account may not be allowed into the repository directory.
        return subprocess.run([*prefix, *cmd], cwd=tmp, capture_output=True, text=True, check=False)

    started = False
    try:
        if as_root:
            shutil.chown(tmp, user=PG_USER)
        # Trust auth and no fsync: a disposable cluster for tests, reachable only from here.
        done = pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", PG_USER,
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}{done.stderr}")
        port = free_port()
        options = (
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        done = pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip
        started = True  # even a failed start may have left a postmaster behind
        if done.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}{done.stderr}{server_log}")
        yield f"postgres://{PG_USER}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


def postgres_pass(args: Sequence[str]) -> Result:
    """Run the suite on PostgreSQL, or say why it could not."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        label = "PostgreSQL (DATABASE_URL)"
        header(f"tests on {label}")
        return Result(label, run_pytest({"DATABASE_URL": url}, args))
    server = find_server()
    if server is None:
        message = "PostgreSQL pass skipped: no server installed (apt-get install postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            print(f"\nERROR: {message}; CI must test both databases.", file=sys.stderr)
            return Result("PostgreSQL", 1, "no server installed")
        print(f"\nWARNING: {message}", file=sys.stderr)
        return Result("PostgreSQL", None, "no server installed")
    major, bin_dir = server
    label = f"PostgreSQL {major}"
    header(f"tests on {label}")
    try:
        with throwaway_cluster(bin_dir) as cluster_url:
            return Result(label, run_pytest({"DATABASE_URL": cluster_url}, args))
    except RuntimeError as exc:
        print(f"ERROR: could not start a PostgreSQL {major} cluster: {exc}", file=sys.stderr)
        return Result(label, 1, "the cluster did not start")


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    # CI cancels a job with SIGTERM: unwind through the finally blocks so the cluster stops.
    raise KeyboardInterrupt


def main(argv: Sequence[str]) -> int:
    signal.signal(signal.SIGTERM, on_sigterm)
    results: list[Result] = []
    try:
        header("tests on SQLite")
        results.append(Result("SQLite", run_pytest({}, argv)))
        results.append(postgres_pass(argv))
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    header("summary")
    for result in results:
        print(f"  {result.label:<28} {describe(result)}")
    failed = any(result.failed for result in results)
    print("  => FAILED" if failed else "  => all passed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
