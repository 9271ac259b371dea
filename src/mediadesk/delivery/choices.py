from django.db import models


class RuleKind(models.TextChoices):
    """How a matching rule recognises rows (the order they are tried in: see
    domain.placement_matching, whose RuleKind these mirror)."""

    PLATFORM_ID = "platform_id", "Platform ID is"
    MANUAL = "manual", "Assigned by hand"
    PATTERN = "pattern", "Name matches pattern"
    NAME_CONTAINS = "name_contains", "Name contains"
