"""Work: the attention list, tasks, weekly meetings, status reports, notifications and the
scheduled work behind them.

The attention list is computed (``work/facts.py`` gathers plain facts from every area,
``domain/attention.py`` turns them into items) and kept per client as a snapshot,
``AttentionItem``, so the Today page and the API read rows rather than recompute. A snapshot is
replaced whole, per client, in one transaction. ``Silence`` remembers a snoozed or dismissed
item by its fingerprint, so it comes back when the situation changes.

Every e-mail and webhook the app sends from here goes through ``OutboxMessage``: it is written
in the transaction of the change that causes it (so nothing is lost when the mail server is
down) and sent by a job that retries with backoff; a ``dedupe_key`` makes sending idempotent.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.models import Client, ClientOwnedQuerySet, Organization
from mediadesk.planning.models import Campaign
from mediadesk.work.choices import (
    EmailMode,
    MeetingStatus,
    OutboxKind,
    OutboxStatus,
    TaskSource,
    TaskStatus,
    TaskSubject,
    Weekday,
)


class AttentionSettings(models.Model):
    """A client's attention thresholds: overrides of ``domain.attention.Thresholds``."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="attention")
    thresholds = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Attention thresholds of {self.client}"


class Team(models.Model):
    """People who work together; "my team's" items are those their members own. A team may post
    to a Slack or Microsoft Teams channel through an incoming webhook."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    slack_webhook_url = models.URLField("Slack incoming webhook", max_length=500, blank=True)
    teams_webhook_url = models.URLField(
        "Microsoft Teams incoming webhook", max_length=500, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AttentionItem(models.Model):
    """One item of a client's last computed attention list (see ``domain.attention.Item``)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="attention_items")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    severity_rank = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500)
    due = models.DateField(null=True, blank=True)
    subject_type = models.CharField(max_length=20)
    subject_id = models.BigIntegerField()
    url = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    situation = models.CharField(max_length=200)
    # Only for a client's reviewers' own items (their review stages, their tasks).
    shared_with_client = models.BooleanField(default=False)
    computed_on = models.DateField()
    computed_at = models.DateTimeField()

    objects: ClassVar[ClientOwnedQuerySet[AttentionItem]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["severity_rank", "due", "title"]
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="attention_item_key"),
        ]
        indexes = [
            models.Index(fields=["client", "severity_rank", "due"]),
            models.Index(fields=["owner", "severity_rank"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def fingerprint(self) -> str:
        return f"{self.key}|{self.situation}"


class AttentionRun(models.Model):
    """When a client's attention list was last computed, and for which day."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="attention_run")
    computed_on = models.DateField()
    computed_at = models.DateTimeField()
    items = models.PositiveIntegerField(default=0)
    seconds = models.DecimalField(max_digits=8, decimal_places=3, default=0)

    def __str__(self) -> str:
        return f"{self.client} attention list of {self.computed_on}"


class Silence(models.Model):
    """An item snoozed (until a day) or dismissed, with the reason; for everyone on the client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=330)
    title = models.CharField(max_length=500)
    until = models.DateField(null=True, blank=True)
    dismissed = models.BooleanField(default=False)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[ClientOwnedQuerySet[Silence]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "key"])]

    def __str__(self) -> str:
        return f"{'Dismissed' if self.dismissed else 'Snoozed'}: {self.title}"


class TaskQuerySet(ClientOwnedQuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(status__in=[TaskStatus.OPEN, TaskStatus.DOING])


class Meeting(models.Model):
    """A weekly status meeting of a client, or of one campaign."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="meetings")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=30)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meetings")
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The agenda as it was when the meeting started: [{"key", "kind", "severity", "title",
    # "url", "task_id"}, …]; before that it is built live from the open items and tasks.
    agenda = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[ClientOwnedQuerySet[Meeting]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:meeting_detail", args=[self.pk])


class Task(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="tasks")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tasks",
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # What it belongs to, besides the campaign: a placement, an asset, an IO or an invoice.
    subject_type = models.CharField(max_length=20, choices=TaskSubject.choices, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=300, blank=True)
    subject_url = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=TaskSource.choices, default=TaskSource.MANUAL)
    attention_key = models.CharField(max_length=120, blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    position = models.PositiveIntegerField(default=0)  # order within a board column
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TaskQuerySet] = TaskQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["status", "due", "position", "id"]
        indexes = [
            models.Index(fields=["client", "status", "due"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:task_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.DOING)


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.task}"


class StatusReportSchedule(models.Model):
    """When a client's weekly status reports are generated and to whom they are e-mailed."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="report_schedule")
    enabled = models.BooleanField(default=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(default=8, help_text="Local hour, 0–23.")
    recipients = models.JSONField(default=list, blank=True, help_text="E-mail addresses.")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Status report schedule of {self.client}"


class StatusReport(models.Model):
    """A campaign's weekly status report, generated once and kept as it was (``content``)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="status_reports")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="status_reports")
    week_start = models.DateField(help_text="The Monday of the week reported on.")
    as_of = models.DateField()
    content = models.JSONField(default=dict)
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.JSONField(default=list, blank=True)

    objects: ClassVar[ClientOwnedQuerySet[StatusReport]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-week_start", "campaign__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "week_start"], name="status_report_week"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} status, week of {self.week_start:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("work:report_detail", args=[self.pk])


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know, in the app (bell with unread count) and by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)  # "mention", "task_assigned", "attention", …
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The same event never notifies twice (a retried job, a recomputed list).
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[NotificationQuerySet] = NotificationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(
        max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    digest_hour = models.PositiveSmallIntegerField(default=7, help_text="Local hour, 0–23.")
    attention_digest = models.BooleanField(
        default=True, help_text="Include my new attention items in the e-mail."
    )

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


class OutboxMessage(models.Model):
    """An e-mail or webhook post waiting to go, sent, or given up on; retried with backoff."""

    kind = models.CharField(max_length=10, choices=OutboxKind.choices)
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(default=list, help_text="E-mail addresses, or the webhook URL.")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # [{"name": "status.pdf", "mimetype": "application/pdf", "path": "<storage name>"}]
    attachments = models.JSONField(default=list, blank=True)
    payload = models.JSONField(default=dict, blank=True)  # a webhook's JSON body
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject or self.dedupe_key


class ScheduledRun(models.Model):
    """A periodic job that has run for one period (``"2026-11-30"``, ``"2026-W49"``): several
    workers may look at the clock at once, and the unique row lets only one of them run it."""

    job = models.CharField(max_length=60)
    period = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private calendar address (ICS) for one person; revoking it makes the address 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}… of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
