"""Compliance: rule sets (legal, brand and platform rules as data), a client's regulated
categories, and the overrides people with the legal role give to blocking findings.

A rule set belongs to the organization and applies to all its clients, or to one client, or to
one brand of a client; it may be limited to markets and channels. Its ``rules`` are the
documented, versioned format of ``domain.rules`` (``{"version": 1, "rules": [...]}``), stored
only after ``parse_rule_set`` accepted them. Findings are computed when asked (compiling and
checking is fast), never stored: an **override** is what is kept, naming the object, the rule
and where, with the reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.models import (
    Brand,
    Client,
    Organization,
    reviewer_client_ids,
    visible_client_ids,
)
from mediadesk.creative.models import AssetVersion
from mediadesk.planning.models import Campaign


class RuleSetQuerySet(models.QuerySet["RuleSet"]):
    def visible_to(self, user: Any) -> RuleSetQuerySet:
        """Organization-wide sets for anyone of the organization with an internal role; a
        client's sets for those who see that client."""
        organization_id = getattr(user, "organization_id", None)
        if organization_id is None or not getattr(user, "is_authenticated", False):
            return self.none()
        # Rules are the agency's internal work: a client reviewer sees none of them.
        internal = visible_client_ids(user).exclude(pk__in=reviewer_client_ids(user))
        sets = self.filter(organization_id=organization_id)
        if getattr(user, "is_org_admin", False) or internal.exists():
            return sets.filter(Q(client__isnull=True) | Q(client__in=internal))
        return self.none()

    def active(self) -> RuleSetQuerySet:
        return self.filter(archived_at__isnull=True)


class RuleSet(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="rule_sets"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="rule_sets", null=True, blank=True,
        help_text="Empty: the rules apply to every client.",
    )  # fmt: skip
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="rule_sets", null=True, blank=True
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    markets = models.JSONField(default=list, blank=True)  # empty: every market
    channels = models.JSONField(default=list, blank=True)  # empty: every channel
    rules = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    starter = models.CharField(
        max_length=40, blank=True, help_text="The starter pack it was made from, if any."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[RuleSetQuerySet] = RuleSetQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("compliance:rule_set_detail", args=[self.pk])

    @property
    def rule_count(self) -> int:
        return len(self.rules.get("rules", [])) if isinstance(self.rules, dict) else 0


class ComplianceProfile(models.Model):
    """What the client sells, as far as the rules care: its regulated categories."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="compliance_profile"
    )
    categories = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Compliance profile of {self.client}"


class OverrideQuerySet(models.QuerySet["Override"]):
    def visible_to(self, user: Any) -> OverrideQuerySet:
        return self.filter(client__in=visible_client_ids(user))


class Override(models.Model):
    """A blocking finding let through by someone with the legal role, with a written reason.

    It names the asset version or the placement (campaign + line key), the rule and where the
    finding was (field and item); a new version or a changed rule is checked afresh.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        AssetVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="overrides"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    line_key = models.CharField(max_length=32, blank=True)
    rule = models.CharField(max_length=200)  # "<rule set id>:<rule id>"
    field = models.CharField(max_length=100, blank=True)
    item = models.IntegerField(null=True, blank=True)
    message = models.TextField()  # the finding as it was shown when overridden
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[OverrideQuerySet] = OverrideQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Override of {self.rule} by {self.by}"
