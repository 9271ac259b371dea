from django.db import models


class AssetKind(models.TextChoices):
    """The same kinds as ``domain.specs.AssetKind``, as database choices."""

    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    HTML5 = "html5", "HTML5 banner"
    PRINT = "print", "Print PDF"
    COPY = "copy", "Copy"


class AssetStatus(models.TextChoices):
    """Where an asset's current version stands in review (set by the review services)."""

    DRAFT = "draft", "Not in review"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RightKind(models.TextChoices):
    TALENT = "talent", "Talent"
    MUSIC = "music", "Music"
    STOCK = "stock", "Stock imagery / footage"
    INFLUENCER = "influencer", "Influencer content"
    OTHER = "other", "Other"


class ReviewerKind(models.TextChoices):
    """Who decides a review stage: people of the agency, or the client's reviewers."""

    INTERNAL = "internal", "Internal"
    CLIENT = "client", "Client"


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded by a newer version"


class StageStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ACTIVE = "active", "Awaiting decision"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECTED = "rejected", "Rejected"
    SKIPPED = "skipped", "Not reached"


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"
    REJECT = "reject", "Reject"
