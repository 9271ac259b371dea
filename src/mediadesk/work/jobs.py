"""Background and scheduled work, on Django's task framework (django-tasks) with the database
backend: no broker, the queue is a table, and several ``mediadesk worker`` processes may share it.

The jobs:

==========================  =====================================  ===========================
job                         what it does                           when (local ``TIME_ZONE``)
==========================  =====================================  ===========================
``compute_attention_job``   recompute every client's attention     nightly from 02:00 (and later
                            list                                   that day if it has not run)
``deliver_outbox_job``      send due e-mails and webhook posts     every minute
``send_digests_job``        the daily e-mails at each digest hour  hourly
``send_review_reminders``   remind deciders of reviews due         daily from 08:00
``send_scheduled_reports``  status reports on their schedule       hourly
``housekeeping_job``        prune old run records and results      daily from 03:00
==========================  =====================================  ===========================

The scheduler (``tick``) runs in every worker (``mediadesk worker`` starts it in a thread that
ticks every 30 seconds). For each job it works out the current period ("2026-11-30",
"2026-11-30T14", "2026-11-30T14:05") and inserts a ``ScheduledRun(job, period)`` row; the row is
unique, so of several workers ticking at once exactly one enqueues the job for that period.

Jobs are idempotent — each one's effects are keyed (outbox dedupe keys, notification dedupe keys,
a digest per person and day, claimed outbox rows) — so running one twice does nothing twice.
That is what makes recovery simple: a worker killed in the middle of a job leaves its run row
unfinished, and once the job's lease has passed the next tick enqueues it again. A job that fails
on something transient (the database locked or gone for a moment, the network) is enqueued again
with a backoff (1, 5, 15 minutes), up to ``JOB_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks import task

from mediadesk.work.models import ScheduledRun

logger = logging.getLogger(__name__)

JOB_MAX_ATTEMPTS = 4
JOB_BACKOFF_MINUTES = (1, 5, 15)
TICK_SECONDS = 30
TRANSIENT = (DatabaseError, OSError)


# --- running a job --------------------------------------------------------------------------------


def _run(job: Any, name: str, period: str, attempt: int, work: Callable[[], Any]) -> Any:
    """Run ``work`` as the job ``name`` of ``period`` and mark the run finished; on a transient
    failure enqueue the job again after a backoff."""
    try:
        result = work()
    except TRANSIENT as error:
        _retry_later(job, name, period, attempt, error)
        raise
    if period:
        ScheduledRun.objects.filter(job=name, period=period).update(finished_at=timezone.now())
    return result


def _retry_later(job: Any, name: str, period: str, attempt: int, error: Exception) -> None:
    if attempt >= JOB_MAX_ATTEMPTS:
        logger.error("%s (%s) failed %s times, giving up: %s", name, period, attempt, error)
        return
    wait = timedelta(minutes=JOB_BACKOFF_MINUTES[min(attempt, len(JOB_BACKOFF_MINUTES)) - 1])
    logger.warning(
        "%s (%s) attempt %s failed (%s); trying again in %s", name, period, attempt, error, wait
    )
    if not job.get_backend().supports_defer:
        return  # the immediate backend (tests): the next tick takes it up once the lease ends
    try:
        job.using(run_after=timezone.now() + wait).enqueue(period=period, attempt=attempt + 1)
    except Exception:  # the database may still be away; the lease covers it
        logger.warning("Could not enqueue %s again", name, exc_info=True)


@task()
def compute_attention_job(period: str = "", attempt: int = 1) -> int:
    """Recompute every active client's attention list for today; returns the items found."""
    from mediadesk.work.services import compute_attention

    computed = _run(compute_attention_job, "compute_attention", period, attempt, compute_attention)
    return int(computed.items)


@task()
def deliver_outbox_job(period: str = "", attempt: int = 1) -> int:
    """Send the e-mails and webhook posts that are due; returns how many were sent."""
    from mediadesk.work.outbox import deliver_due

    return int(_run(deliver_outbox_job, "deliver_outbox", period, attempt, deliver_due))


@task()
def send_digests_job(period: str = "", attempt: int = 1) -> int:
    """Queue the daily e-mails of everyone whose digest hour has come; returns how many."""
    from mediadesk.work.notify import send_digests

    return int(_run(send_digests_job, "send_digests", period, attempt, send_digests))


@task()
def send_review_reminders_job(period: str = "", attempt: int = 1) -> int:
    """E-mail the deciders of review stages due or overdue (once a day per stage)."""
    from mediadesk.creative.services import send_reminders

    return int(_run(send_review_reminders_job, "review_reminders", period, attempt, send_reminders))


def _scheduled_reports() -> int:
    try:
        reports: Any = importlib.import_module("mediadesk.work.reports")
    except ImportError:
        logger.info("Scheduled status reports skipped: mediadesk.work.reports is not there yet.")
        return 0
    send = getattr(reports, "send_scheduled_reports", None)
    if send is None:
        logger.info("Scheduled status reports skipped: no send_scheduled_reports yet.")
        return 0
    return int(send(timezone.now()) or 0)


@task()
def send_scheduled_reports_job(period: str = "", attempt: int = 1) -> int:
    """Generate and e-mail the status reports whose time has come."""
    return int(
        _run(send_scheduled_reports_job, "scheduled_reports", period, attempt, _scheduled_reports)
    )


def _housekeeping() -> int:
    now = timezone.now()
    removed, _ = ScheduledRun.objects.filter(
        job__in=[spec.name for spec in SCHEDULE if spec.keep <= timedelta(days=1)],
        started_at__lt=now - timedelta(days=1),
    ).delete()
    older, _ = ScheduledRun.objects.filter(started_at__lt=now - timedelta(days=60)).delete()
    try:
        from django_tasks import task_backends
        from django_tasks_db.backend import DatabaseBackend

        if isinstance(task_backends["default"], DatabaseBackend):
            call_command(
                "prune_db_task_results", "--queue-name", "*", "--min-age-days", "14", verbosity=0
            )
    except ImportError:  # pragma: no cover - the database backend is a dependency
        pass
    return int(removed + older)


@task()
def housekeeping_job(period: str = "", attempt: int = 1) -> int:
    """Forget old run records and finished task results."""
    return int(_run(housekeeping_job, "housekeeping", period, attempt, _housekeeping))


# --- the scheduler --------------------------------------------------------------------------------


def _every_minute(now: datetime) -> str | None:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _hourly(now: datetime) -> str | None:
    return timezone.localtime(now).strftime("%Y-%m-%dT%H")


def _daily_from(hour: int) -> Callable[[datetime], str | None]:
    """Once a local day, from ``hour`` on: a day whose run was missed (no worker at that hour)
    still gets it when a worker comes up later that day."""

    def period(now: datetime) -> str | None:
        local = timezone.localtime(now)
        return local.date().isoformat() if local.hour >= hour else None

    return period


@dataclass(frozen=True)
class Periodic:
    name: str
    job: Any
    period: Callable[[datetime], str | None]
    lease: timedelta  # after this, an unfinished run is taken to be dead and enqueued again
    keep: timedelta  # how long its run records are kept


SCHEDULE: tuple[Periodic, ...] = (
    Periodic(
        "deliver_outbox", deliver_outbox_job, _every_minute, timedelta(minutes=15), timedelta(0)
    ),
    Periodic(
        "compute_attention",
        compute_attention_job,
        _daily_from(2),
        timedelta(hours=1),
        timedelta(days=60),
    ),
    Periodic("send_digests", send_digests_job, _hourly, timedelta(minutes=30), timedelta(days=1)),
    Periodic(
        "review_reminders",
        send_review_reminders_job,
        _daily_from(8),
        timedelta(minutes=30),
        timedelta(days=60),
    ),
    Periodic(
        "scheduled_reports",
        send_scheduled_reports_job,
        _hourly,
        timedelta(minutes=30),
        timedelta(days=1),
    ),
    Periodic(
        "housekeeping", housekeeping_job, _daily_from(3), timedelta(hours=1), timedelta(days=60)
    ),
)


def _claim_run(spec: Periodic, period: str, now: datetime) -> bool:
    """Take the job's run for the period; True for exactly one caller (or, once the lease of
    an unfinished run has passed, for the one that takes it over)."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=spec.name, period=period, started_at=now)
        return True
    except IntegrityError:
        pass
    run = ScheduledRun.objects.filter(job=spec.name, period=period).first()
    if run is None or run.finished_at is not None or run.started_at > now - spec.lease:
        return False
    taken = ScheduledRun.objects.filter(
        pk=run.pk, started_at=run.started_at, finished_at__isnull=True
    ).update(started_at=now)
    if taken:
        logger.warning("%s %s did not finish in time; running it again", spec.name, period)
    return bool(taken)


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due and not yet run for its period; returns their
    names. Safe to call from any number of workers at once."""
    now = now or timezone.now()
    started = []
    for spec in SCHEDULE:
        period = spec.period(now)
        if period is None or not _claim_run(spec, period, now):
            continue
        try:
            spec.job.enqueue(period=period)
        except Exception:
            # Not queued: forget the claim so the next tick tries again.
            ScheduledRun.objects.filter(job=spec.name, period=period, finished_at=None).delete()
            raise
        started.append(spec.name)
    return started


class Scheduler(threading.Thread):
    """Ticks every ``interval`` seconds beside the worker's loop, in its own thread (and so its
    own database connection). Stops with the process (a daemon thread) or with ``stop()``."""

    def __init__(self, interval: float = TICK_SECONDS) -> None:
        super().__init__(name="mediadesk-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                started = tick()
                if started:
                    logger.info("Scheduled: %s", ", ".join(started))
            except Exception:  # a bad tick must not stop the next one
                logger.exception("The scheduler's tick failed; trying again shortly")
            finally:
                connection.close()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


def start_scheduler(interval: float = TICK_SECONDS) -> Scheduler:
    scheduler = Scheduler(interval)
    scheduler.start()
    return scheduler
