"""Scheduled and background work: each periodic job is enqueued once per period however many
workers tick, a job left unfinished by a killed worker runs again, and running a job twice does
nothing twice."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from mediadesk.cli import build_parser
from mediadesk.work import jobs
from mediadesk.work import notify as notifications
from mediadesk.work.choices import EmailMode
from mediadesk.work.models import NotificationPreference, OutboxMessage, ScheduledRun
from mediadesk.work.outbox import queue_email

DAY = timezone.localdate() + timedelta(days=1)


def at(hour: int, minute: int = 0, day: Any = DAY) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def calls(monkeypatch: Any) -> dict[str, int]:
    """Stand-ins for the heavy jobs (the attention computation, reminders, reports)."""
    counted = {"attention": 0, "reminders": 0, "reports": 0}

    class Computed:
        items = 3

    def compute_attention(*args: Any, **kwargs: Any) -> Computed:
        counted["attention"] += 1
        return Computed()

    def send_reminders(*args: Any) -> int:
        counted["reminders"] += 1
        return 0

    monkeypatch.setattr("mediadesk.work.services.compute_attention", compute_attention)
    monkeypatch.setattr("mediadesk.creative.services.send_reminders", send_reminders)

    def reports() -> int:
        counted["reports"] += 1
        return 0

    monkeypatch.setattr(jobs, "_scheduled_reports", reports)
    return counted


def test_the_schedule_runs_each_job_once_per_period(db: Any, calls: dict[str, int]) -> None:
    assert jobs.tick(at(1, 0)) == [
        "deliver_outbox", "send_digests", "scheduled_reports",
    ]  # fmt: skip
    assert jobs.tick(at(1, 0)) == []  # another worker, the same minute
    assert jobs.tick(at(1, 0) + timedelta(seconds=30)) == []
    assert jobs.tick(at(1, 1)) == ["deliver_outbox"]
    assert jobs.tick(at(2, 0)) == [
        "deliver_outbox", "compute_attention", "send_digests", "scheduled_reports",
    ]  # fmt: skip
    assert jobs.tick(at(8, 0)) == [
        "deliver_outbox", "send_digests", "review_reminders", "scheduled_reports", "housekeeping",
    ]  # fmt: skip
    assert calls == {"attention": 1, "reminders": 1, "reports": 3}
    runs = ScheduledRun.objects.filter(job="compute_attention")
    assert [(r.period, r.finished_at is not None) for r in runs] == [(DAY.isoformat(), True)]


def test_a_day_whose_nightly_run_was_missed_still_gets_it(db: Any, calls: dict[str, int]) -> None:
    # No worker was up at 02:00: the first tick of the day after it runs the computation.
    assert "compute_attention" in jobs.tick(at(15, 0))
    assert "compute_attention" not in jobs.tick(at(16, 0))
    assert calls["attention"] == 1
    next_day = DAY + timedelta(days=1)
    assert "compute_attention" not in jobs.tick(at(1, 59, next_day))
    assert "compute_attention" in jobs.tick(at(2, 0, next_day))


def test_a_run_left_unfinished_by_a_killed_worker_runs_again(
    db: Any, calls: dict[str, int]
) -> None:
    # A worker took today's run at 02:00 and was killed: the row is there, unfinished.
    ScheduledRun.objects.create(job="compute_attention", period=DAY.isoformat(), started_at=at(2))
    assert "compute_attention" not in jobs.tick(at(2, 30))  # it may still be running
    assert calls["attention"] == 0
    assert "compute_attention" in jobs.tick(at(3, 1))  # its lease (1 h) is over
    assert calls["attention"] == 1
    assert "compute_attention" not in jobs.tick(at(5, 0))  # finished now
    assert ScheduledRun.objects.get(job="compute_attention").finished_at is not None


def test_a_job_that_could_not_be_queued_is_tried_next_tick(
    db: Any, calls: dict[str, int], monkeypatch: Any
) -> None:
    class Unreachable:
        def enqueue(self, **kwargs: Any) -> None:
            raise OperationalError("database is locked")

    first = jobs.SCHEDULE[0]
    broken = jobs.Periodic(first.name, Unreachable(), first.period, first.lease, first.keep)
    monkeypatch.setattr(jobs, "SCHEDULE", (broken,))
    with pytest.raises(OperationalError):
        jobs.tick(at(1, 0))
    assert not ScheduledRun.objects.filter(job="deliver_outbox").exists()  # not taken
    monkeypatch.setattr(jobs, "SCHEDULE", (first,))
    assert jobs.tick(at(1, 0)) == ["deliver_outbox"]


def test_running_the_outbox_job_twice_sends_once(db: Any) -> None:
    queue_email("twice", to=["ben@demo.test"], subject="Once", body="Only once")
    assert jobs.deliver_outbox_job.call() == 1
    assert jobs.deliver_outbox_job.call() == 0
    assert len(mail.outbox) == 1


def test_running_the_digest_job_twice_sends_one_digest(demo: Any) -> None:
    NotificationPreference.objects.create(
        user=demo.cara, email_mode=EmailMode.DIGEST, digest_hour=0
    )
    notifications.notify(
        demo.cara, kind="mention", title="Look", client_id=demo.northwind.pk, dedupe_key="m"
    )
    later = timezone.now() + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        first = jobs.send_digests_job.call()
        second = jobs.send_digests_job.call()
    assert (first, second) == (1, 0)
    assert OutboxMessage.objects.filter(dedupe_key__startswith="digest:").count() == 1


def test_a_transient_failure_is_retried_with_backoff(
    db: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ScheduledRun.objects.create(job="deliver_outbox", period="p1")

    def locked(*args: Any, **kwargs: Any) -> int:
        raise OperationalError("database is locked")

    monkeypatch.setattr("mediadesk.work.outbox.deliver_due", locked)
    with pytest.raises(OperationalError):
        jobs.deliver_outbox_job.call(period="p1")
    queued = jobs.deliver_outbox_job.get_backend().results
    assert len(queued) == 1
    retry = queued[0]
    assert retry.kwargs == {"period": "p1", "attempt": 2}
    assert retry.task.run_after is not None and retry.task.run_after > timezone.now()
    assert ScheduledRun.objects.get(period="p1").finished_at is None

    with pytest.raises(OperationalError):  # the last attempt: not queued again
        jobs.deliver_outbox_job.call(period="p1", attempt=jobs.JOB_MAX_ATTEMPTS)
    assert len(queued) == 1


def test_scheduled_reports_are_skipped_cleanly_until_they_exist(
    db: Any, monkeypatch: Any, caplog: Any
) -> None:
    def missing(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(jobs.importlib, "import_module", missing)
    with caplog.at_level(logging.INFO, logger="mediadesk.work.jobs"):
        assert jobs.send_scheduled_reports_job.call() == 0
    assert "Scheduled status reports skipped" in caplog.text


def test_scheduled_reports_call_the_reports_module(db: Any, monkeypatch: Any) -> None:
    seen: list[Any] = []

    class Reports:
        @staticmethod
        def send_scheduled_reports(now: Any) -> int:
            seen.append(now)
            return 2

    monkeypatch.setattr(jobs.importlib, "import_module", lambda name: Reports)
    assert jobs.send_scheduled_reports_job.call() == 2
    assert len(seen) == 1


def test_housekeeping_forgets_old_minute_runs(db: Any) -> None:
    old = timezone.now() - timedelta(days=2)
    ScheduledRun.objects.create(job="deliver_outbox", period="old", started_at=old)
    ScheduledRun.objects.create(job="compute_attention", period="kept", started_at=old)
    ScheduledRun.objects.create(job="deliver_outbox", period="new")
    assert jobs.housekeeping_job.call() == 1
    assert set(ScheduledRun.objects.values_list("period", flat=True)) == {"kept", "new"}


def test_the_scheduler_thread_ticks_until_stopped(monkeypatch: Any) -> None:
    ticked = threading.Event()
    count = {"n": 0}

    def fake_tick(now: Any = None) -> list[str]:
        count["n"] += 1
        if count["n"] >= 2:
            ticked.set()
        if count["n"] == 1:
            raise RuntimeError("a bad tick")  # must not stop the next one
        return []

    monkeypatch.setattr(jobs, "tick", fake_tick)
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    scheduler = jobs.start_scheduler(interval=0.01)
    try:
        assert ticked.wait(5)
    finally:
        scheduler.stop()
        scheduler.join(5)
    assert not scheduler.is_alive()


def test_the_worker_command_runs_the_scheduler_unless_told_not_to(monkeypatch: Any) -> None:
    from mediadesk import cli

    started: list[bool] = []
    managed: list[tuple[str, ...]] = []
    monkeypatch.setattr(jobs, "start_scheduler", lambda: started.append(True))
    monkeypatch.setattr(cli, "_manage", lambda *args: managed.append(args))
    parser = build_parser()
    for argv, expected in (
        (["worker"], [True]),
        (["worker", "--no-scheduler"], []),
        (["worker", "--batch"], []),
    ):
        started.clear()
        args = parser.parse_args(argv)
        assert args.func(args) == 0
        assert started == expected
    assert managed[0] == ("db_worker", "--queue-name", "default")
