"""`mediadesk worker` runs tasks from the database queue (no broker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "MEDIADESK_ENV": "demo",  # the database task backend, as `make demo` runs it
        "MEDIADESK_DATA_DIR": str(data_dir),
    }
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the worker's queue is exercised on the embedded SQLite database here")
    return subprocess.run(
        [sys.executable, "-m", "mediadesk", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_worker_runs_a_queued_task(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate", "--quiet").returncode == 0
    setup = (
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from mediadesk.accounts.models import LoginFailure\n"
        "from mediadesk.accounts.tasks import prune_login_failures\n"
        "LoginFailure.objects.create(email='old@x.test', at=timezone.now() - timedelta(days=1))\n"
        "LoginFailure.objects.create(email='new@x.test')\n"
        "print(prune_login_failures.enqueue().id)\n"
    )
    queued = run(tmp_path, "manage", "shell", "-c", setup)
    assert queued.returncode == 0, queued.stderr
    worker = run(tmp_path, "worker", "--batch")
    assert worker.returncode == 0, worker.stderr
    check = (
        "from mediadesk.accounts.models import LoginFailure\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "print(sorted(LoginFailure.objects.values_list('email', flat=True)),"
        " DBTaskResult.objects.get().status)\n"
    )
    result = run(tmp_path, "manage", "shell", "-c", check)
    assert result.stdout.strip().splitlines()[-1] == "['new@x.test'] SUCCESSFUL"
