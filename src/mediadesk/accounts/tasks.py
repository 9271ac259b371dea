"""Background housekeeping for accounts (run by `mediadesk worker`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from mediadesk.accounts.models import LoginFailure


@task()
def prune_login_failures() -> int:
    """Forget failed logins older than the throttling window; they no longer count."""
    cutoff = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    deleted, _ = LoginFailure.objects.filter(at__lt=cutoff).delete()
    return deleted
