from django.db import models


class OrderStatus(models.TextChoices):
    """Where an insertion order (one revision of it) stands.

    ``revised`` is a revision replaced by a later accepted one: the booking then lives in the
    newer revision. ``declined`` is the vendor's answer through the acceptance link.
    """

    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVISED = "revised", "Revised"
    CANCELLED = "cancelled", "Cancelled"


class BillingSource(models.TextChoices):
    """Whose figures the vendor invoices on: its own (first party) or the ad server's (third)."""

    FIRST_PARTY = "first_party", "First party (vendor's figures)"
    THIRD_PARTY = "third_party", "Third party (ad server's figures)"


class AdjustmentKind(models.TextChoices):
    MAKEGOOD = "makegood", "Makegood"
    CANCELLATION = "cancellation", "Cancellation"


class LineChange(models.TextChoices):
    """What a revision did to a line, compared with the revision before."""

    UNCHANGED = "unchanged", "Unchanged"
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    REMOVED = "removed", "Removed"
