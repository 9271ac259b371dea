"""What ran: imported platform exports, the rules that map their rows to placements, the
delivery facts per placement and day, and their daily roll-up that pages read.

Amounts (spend, conversion value, GRPs) are stored as whole micro-units (1 EUR = 1,000,000) in
64-bit integers: exact on SQLite and PostgreSQL alike, where a decimal column would be summed
as a float by SQLite, and the fastest thing either database can add up.

``DeliveryFact`` is the big table (tens of millions of rows a year at agency scale). It is
written only in bulk by ``delivery.store`` (COPY on PostgreSQL, executemany on SQLite), never
one ORM save per row, and on PostgreSQL it is partitioned by month (migration 0002). Its
foreign keys are plain integers without database constraints: a partitioned table takes them
badly, and the services keep them right (a rolled-back import deletes its facts first).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from mediadesk.accounts.models import Client, ClientOwnedQuerySet, reviewer_client_ids
from mediadesk.delivery.choices import RuleKind
from mediadesk.planning.models import Campaign, stored_file_name

MICROS = 1_000_000
RULE_KIND_CHOICES = RuleKind.choices


def from_micros(value: int | None) -> Decimal:
    """A stored micro-unit integer as the Decimal it stands for."""
    return Decimal(value or 0) / MICROS  # exact, and plain: 200 not 2E+2


def delivery_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("imports/delivery", filename)


class InternalQuerySet(ClientOwnedQuerySet[Any]):
    """Delivery work is internal: client reviewers never see imports, rules or the queue."""

    client_field = "campaign__client"

    def visible_to(self, user: Any) -> Any:
        visible = super().visible_to(user)
        return visible.exclude(**{f"{self.client_field}__in": reviewer_client_ids(user)})


def delivery_campaigns(user: Any) -> Any:
    """The campaigns whose delivery the user may see: client reviewers see none of it (every
    page, API route and download answers 404 for them, as for a campaign they cannot see)."""
    return (
        Campaign.objects.visible_to(user)
        .exclude(client__in=reviewer_client_ids(user))
        .select_related("client", "brand")
    )


class DeliveryImport(models.Model):
    """One export file imported into a campaign: the file as it arrived and what it did."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="delivery_imports"
    )
    file = models.FileField(upload_to=delivery_file_name)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    platform = models.CharField(max_length=20)
    report = models.CharField(max_length=40, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    rows = models.PositiveIntegerField(default=0, help_text="Data rows in the file.")
    mapped_rows = models.PositiveIntegerField(default=0)
    unmapped_rows = models.PositiveIntegerField(default=0)
    facts = models.PositiveIntegerField(default=0, help_text="Rows stored (per placement/day).")
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    totals = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    replaced = models.JSONField(default=list, blank=True)

    objects: ClassVar[InternalQuerySet] = InternalQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["campaign", "sha256"])]

    def __str__(self) -> str:
        return f"{self.filename} → {self.campaign.code}"

    @property
    def client_id(self) -> int:
        return self.campaign.client_id


class MatchingRule(models.Model):
    """Where rows of a source go (see domain.placement_matching for the kinds and order)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="matching_rules")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="matching_rules")
    line_key = models.CharField(max_length=32)
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    value = models.CharField(max_length=300, blank=True)
    platform = models.CharField(max_length=20, blank=True)
    account = models.CharField(max_length=200, blank=True)
    source_campaign = models.CharField(max_length=300, blank=True)
    source_ad_group = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[InternalQuerySet] = InternalQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["campaign", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.describe()}"

    def describe(self) -> str:
        if self.kind == RuleKind.MANUAL:
            names = " / ".join(
                name for name in (self.source_campaign, self.source_ad_group) if name
            )
            return names or "any row"
        return self.value


class DeliveryMapping(models.Model):
    """A saved column mapping for exports of no known layout (a vendor report, a post-log):
    normalized field -> the file's header, e.g. {"date": "Air date", "spend": "Net cost"}.
    An import of such a file uses the client's mapping whose headers the file has."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="delivery_mappings")
    name = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ClientOwnedQuerySet[DeliveryMapping]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["client", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="delivery_mapping_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PacingSettings(models.Model):
    """A client's pacing thresholds: how far off plan is still on track (default ±10%)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="pacing")
    under_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"))
    over_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"))

    def __str__(self) -> str:
        return f"−{self.under_percent}% / +{self.over_percent}%"


class DeliveryFact(models.Model):
    """Delivery of one source (platform, account, campaign, ad group) on one day.

    ``line_key`` is the placement (stable across plan versions); empty while unmatched.
    ``replaced_by`` is the newer import that replaced this slice: hidden, and shown again if
    that import is rolled back. Money columns are micro-units of ``currency``; the
    ``*_converted`` ones are in the campaign's currency at the plan's FX rates.
    """

    id = models.BigAutoField(primary_key=True)
    delivery_import = models.ForeignKey(
        DeliveryImport,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # indexed by delivery_fact_import below
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (campaign, day) index leads with it
        related_name="+",
    )
    line_key = models.CharField(max_length=32, blank=True)
    day = models.DateField()
    platform = models.CharField(max_length=20)
    account = models.CharField(max_length=200, blank=True)
    source_campaign = models.CharField(max_length=300, blank=True)
    source_ad_group = models.CharField(max_length=300, blank=True)
    placement_key = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    video_views = models.BigIntegerField(default=0)
    video_completions = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)
    spots = models.BigIntegerField(default=0)
    spend = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_value = models.BigIntegerField(default=0)
    grps = models.BigIntegerField(default=0)
    spend_converted = models.BigIntegerField(default=0)
    conversion_value_converted = models.BigIntegerField(default=0)
    replaced_by = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "delivery_fact"
        indexes = [
            models.Index(fields=["campaign", "day"], name="delivery_fact_campaign_day"),
            models.Index(fields=["delivery_import"], name="delivery_fact_import"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.platform} {self.source_campaign}"


class PlacementDay(models.Model):
    """The daily roll-up per placement that pacing and performance read (never the facts).

    Sums of the live (not replaced) matched facts; amounts in micro-units of the campaign's
    currency. Rebuilt for the days an import, a roll-back or an assignment touched.
    """

    id = models.BigAutoField(primary_key=True)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (campaign, day) index leads with it
        related_name="+",
    )
    line_key = models.CharField(max_length=32)
    day = models.DateField()
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    video_views = models.BigIntegerField(default=0)
    video_completions = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)
    spots = models.BigIntegerField(default=0)
    spend = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_value = models.BigIntegerField(default=0)
    grps = models.BigIntegerField(default=0)

    class Meta:
        db_table = "delivery_placement_day"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "line_key", "day"], name="delivery_placement_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_key} {self.day}"
