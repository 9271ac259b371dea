from django.db import models


class TaskStatus(models.TextChoices):
    OPEN = "open", "To do"
    DOING = "doing", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.DOING)


class TaskSubject(models.TextChoices):
    """What a task belongs to (besides its client and, usually, its campaign)."""

    CAMPAIGN = "campaign", "Campaign"
    PLACEMENT = "placement", "Placement"
    ASSET = "asset", "Asset"
    IO = "io", "Insertion order"
    INVOICE = "invoice", "Invoice"


class TaskSource(models.TextChoices):
    MANUAL = "manual", "Created by hand"
    ATTENTION = "attention", "From the attention list"
    MEETING = "meeting", "From a meeting"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "In progress"
    DONE = "done", "Done"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DIGEST = "digest", "Daily digest"
    OFF = "off", "No e-mail"


class OutboxKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"
