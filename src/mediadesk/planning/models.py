"""Campaigns (and, in later work, plan versions and placements)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.models import (
    CURRENCY_CHOICES,
    Brand,
    Client,
    ClientOwnedQuerySet,
    reviewer_client_ids,
)
from mediadesk.domain.periods import format_period
from mediadesk.planning.choices import (
    ApprovalStage,
    CampaignStatus,
    Channel,
    CostModel,
    Decision,
    Flighting,
    ImportOutcome,
    Kpi,
    Objective,
    PlanStatus,
)


class CampaignQuerySet(ClientOwnedQuerySet["Campaign"]):
    def visible_to(self, user: Any) -> CampaignQuerySet:
        visible = super().visible_to(user)
        # A client reviewer sees only the campaigns shared with the client.
        return visible.exclude(client__in=reviewer_client_ids(user), shared_with_client=False)  # type: ignore[return-value]

    def active(self) -> CampaignQuerySet:
        return self.filter(archived_at__isnull=True)


class Campaign(models.Model):
    """A client's marketing push: dates, a total budget, goals and markets."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="campaigns")
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="campaigns", null=True, blank=True
    )
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=40,
        help_text="Short code used on orders, invoices and naming conventions; unique per client.",
    )
    start = models.DateField()
    end = models.DateField()
    budget = models.DecimalField(
        max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(
        max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNING
    )
    objectives = models.JSONField(default=list, blank=True)
    kpi_targets = models.JSONField(
        "KPI targets", default=list, blank=True, help_text='[{"kpi": "cpa", "target": "25.00"}, …]'
    )
    markets = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    shared_with_client = models.BooleanField(
        default=True, help_text="Client reviewers see only campaigns shared with them."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_campaigns",
        help_text="The coordinator who answers for it: its attention items and status reports.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[CampaignQuerySet] = CampaignQuerySet.as_manager()  # type: ignore[assignment]
    # JSON list fields whose items are choice values, shown by label in the history.
    audit_list_choices: ClassVar[dict[str, type[models.TextChoices]]] = {"objectives": Objective}

    class Meta:
        ordering = ["start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="campaign_code_unique"),
        ]
        indexes = [models.Index(fields=["client", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("planning:campaign_detail", args=[self.pk])

    @property
    def flight(self) -> str:
        return format_period(self.start, self.end)

    @property
    def objective_labels(self) -> list[str]:
        labels = dict(Objective.choices)
        return [str(labels.get(value, value)) for value in self.objectives]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def validate_constraints(self, exclude: Any = None) -> None:
        """A taken code is reported on the code field, naming the code."""
        try:
            super().validate_constraints(exclude)
        except ValidationError as error:
            errors: dict[str, Any] = error.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            for item in general:
                if getattr(item, "code", None) in {"unique", "unique_together"}:
                    errors.setdefault("code", []).append(
                        f"Another campaign of this client already uses the code {self.code}."
                    )
                else:
                    errors.setdefault(NON_FIELD_ERRORS, []).append(item)
            raise ValidationError(errors) from None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.start and self.end and self.end < self.start:
            errors.setdefault("end", []).append(
                f"The end date ({self.end:%d %b %Y}) is before the start date "
                f"({self.start:%d %b %Y})."
            )
        brand = self.brand if self.brand_id else None
        if brand is not None and self.client_id and brand.client_id != self.client_id:
            errors.setdefault("brand", []).append(
                f"The brand {brand.name} belongs to another client."
            )
        errors.update(_check_choices_list("objectives", self.objectives, Objective))
        errors.update(_check_kpi_targets(self.kpi_targets))
        errors.update(_check_markets(self.markets))
        if errors:
            raise ValidationError(errors)


def _check_choices_list(
    field: str, values: Any, choices: type[models.TextChoices]
) -> dict[str, list[str]]:
    if not isinstance(values, list):
        return {field: ["Give a list."]}
    unknown = [str(value) for value in values if value not in choices.values]
    if unknown:
        allowed = ", ".join(choices.values)
        return {field: [f"Unknown value {', '.join(unknown)}; use one of: {allowed}."]}
    return {}


def _check_kpi_targets(targets: Any) -> dict[str, list[str]]:
    if not isinstance(targets, list):
        return {"kpi_targets": ['Give a list such as [{"kpi": "cpa", "target": "25"}].']}
    problems: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(targets, start=1):
        if not isinstance(item, dict) or set(item) != {"kpi", "target"}:
            problems.append(f'Target {number}: give exactly "kpi" and "target".')
            continue
        if item["kpi"] not in Kpi.values:
            problems.append(
                f"Target {number}: unknown KPI {item['kpi']!r}; "
                f"use one of: {', '.join(Kpi.values)}."
            )
        elif item["kpi"] in seen:
            problems.append(f"Target {number}: {item['kpi']} is given twice.")
        seen.add(str(item["kpi"]))
        try:
            value = Decimal(str(item["target"]))
        except InvalidOperation:
            problems.append(f"Target {number}: {item['target']!r} is not a number.")
            continue
        if not value.is_finite() or value <= 0:
            problems.append(f"Target {number}: the target must be above zero.")
    return {"kpi_targets": problems} if problems else {}


def _check_markets(markets: Any) -> dict[str, list[str]]:
    if not isinstance(markets, list) or not all(
        isinstance(market, str) and market.strip() for market in markets
    ):
        return {"markets": ['Give a list of market names or codes, such as ["DE", "AT"].']}
    if len({market.strip().lower() for market in markets}) != len(markets):
        return {"markets": ["A market is listed twice."]}
    return {}


# --- Media plans -----------------------------------------------------------------------------

# Versions a client reviewer may see: what has been put in front of the client.
SHOWN_TO_CLIENT = [PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED, PlanStatus.SUPERSEDED]
# Versions whose placements can still change.
EDITABLE = [PlanStatus.DRAFT]


class PlanVersionQuerySet(ClientOwnedQuerySet["PlanVersion"]):
    client_field = "campaign__client"

    def visible_to(self, user: Any) -> PlanVersionQuerySet:
        visible = super().visible_to(user)
        reviewer_clients = reviewer_client_ids(user)
        return visible.exclude(  # type: ignore[return-value]
            models.Q(campaign__client__in=reviewer_clients)
            & (models.Q(campaign__shared_with_client=False) | ~models.Q(status__in=SHOWN_TO_CLIENT))
        )


class PlanVersion(models.Model):
    """One version of a campaign's media plan; frozen once submitted."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What this version changes, for reviewers.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PlanVersionQuerySet] = PlanVersionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="plan_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} plan v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("planning:plan_detail", args=[self.pk])

    @property
    def client_id(self) -> int:
        return self.campaign.client_id

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class PlacementQuerySet(ClientOwnedQuerySet["Placement"]):
    client_field = "version__campaign__client"

    def visible_to(self, user: Any) -> PlacementQuerySet:
        versions = PlanVersion.objects.visible_to(user).values("id")
        return self.filter(version__in=versions)


def new_line_key() -> str:
    return uuid.uuid4().hex


class Placement(models.Model):
    """A line of a media plan: one vendor, one channel, one unit, one flight, one cost model."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="placements")
    # Kept when a draft is copied from a version, so versions can be compared line by line.
    line_key = models.CharField(max_length=32, default=new_line_key)
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=120)
    name = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    vendor = models.CharField(max_length=200)
    property_name = models.CharField("property / station / title", max_length=200, blank=True)
    market = models.CharField(max_length=100, blank=True)
    format = models.CharField("format / unit", max_length=100, blank=True)
    spot_length = models.PositiveIntegerField("spot length (seconds)", null=True, blank=True)
    targeting = models.CharField("targeting / audience", max_length=300, blank=True)
    start = models.DateField()
    end = models.DateField()
    flighting = models.CharField(
        max_length=20, choices=Flighting.choices, default=Flighting.CONTINUOUS
    )
    weights = models.JSONField(
        default=dict, blank=True, help_text='{"2026-10-05": "1", "2026-10-12": "0", …}'
    )
    cost_model = models.CharField(max_length=20, choices=CostModel.choices)
    rate = models.DecimalField(max_digits=16, decimal_places=4)
    quantity = models.DecimalField(max_digits=18, decimal_places=2)
    cost = models.DecimalField("gross cost", max_digits=16, decimal_places=2)
    commission_percent = models.DecimalField(
        "agency commission %", max_digits=5, decimal_places=2, default=Decimal("15.00")
    )
    net_cost = models.DecimalField("net cost", max_digits=16, decimal_places=2)
    fees = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    universe = models.DecimalField(
        "audience universe", max_digits=14, decimal_places=0, null=True, blank=True,
        help_text="Persons in the target audience; needed for CPP buys (GRPs ↔ impressions).",
    )  # fmt: skip
    kpi_targets = models.JSONField("KPI targets", default=list, blank=True)
    material_deadline = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects: ClassVar[PlacementQuerySet] = PlacementQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="placement_code_unique"),
            models.UniqueConstraint(fields=["version", "line_key"], name="placement_line_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def client_id(self) -> int:
        return self.version.campaign.client_id


class PlanApproval(models.Model):
    """A decision on a submitted version, at the internal or the client stage."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="approvals")
    stage = models.CharField(max_length=10, choices=ApprovalStage.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.version}: {self.stage} {self.decision}"


def placement_warnings(placement: Placement) -> list[str]:
    """What to check that does not stop saving (e.g. a flight outside the campaign's dates)."""
    campaign = placement.version.campaign
    warnings = []
    if placement.start < campaign.start or placement.end > campaign.end:
        warnings.append(
            f"The flight {format_period(placement.start, placement.end)} runs outside the "
            f"campaign's dates ({campaign.flight})."
        )
    if placement.material_deadline and placement.material_deadline > placement.start:
        warnings.append("The material deadline is after the flight starts.")
    return warnings


def stored_file_name(folder: str, filename: str) -> str:
    """Where an uploaded file is kept: a generated name under folder/YYYY/MM. The user's file
    name is kept as data, never as a path."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


def import_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("imports/plans", filename)


class PlanImportQuerySet(ClientOwnedQuerySet["PlanImport"]):
    client_field = "campaign__client"

    def visible_to(self, user: Any) -> PlanImportQuerySet:
        # Imports are internal work: client reviewers never see them.
        visible = super().visible_to(user)
        return visible.exclude(campaign__client__in=reviewer_client_ids(user))  # type: ignore[return-value]


class PlanImport(models.Model):
    """A plan file as it arrived, and what importing it did (kept whether it landed or not)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="plan_imports")
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="imports"
    )
    file = models.FileField(upload_to=import_file_name)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    rows = models.PositiveIntegerField(default=0)
    outcome = models.CharField(
        max_length=20, choices=ImportOutcome.choices, default=ImportOutcome.FAILED
    )
    problems = models.JSONField(default=list, blank=True)

    objects: ClassVar[PlanImportQuerySet] = PlanImportQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} → {self.campaign.code} ({self.outcome})"


class ColumnMapping(models.Model):
    """A saved column mapping for plan files of a layout mediadesk does not know by itself."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_mappings")
    name = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict, help_text='{"vendor": "Publisher", "cost": "Net €"}')
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ClientOwnedQuerySet[ColumnMapping]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["client", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="plan_mapping_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
