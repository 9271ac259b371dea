"""Creative: assets and their versions, usage rights, specs per placement, review rounds and
trafficking.

An **asset** is one piece of creative (a banner, a spot, a copy deck) of one client, usually for
one campaign; each upload to it is a new **version** with its file, the metadata read from it and
the spec findings. A **review round** takes one version through the client's stages (creative
lead → legal → client, say); comments are pinned to a point, region, page or time code of that
version. **Trafficking** assigns an approved version to a placement for dates, with a rotation
weight and a click-through URL. Placements are named by their stable ``line_key`` so that specs,
targets and trafficking survive new plan versions.

Client reviewers see an asset only once it has reached a client stage of a review, and only on
campaigns shared with the client; everything else is internal.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.models import (
    Brand,
    Client,
    ClientOwnedQuerySet,
    reviewer_client_ids,
)
from mediadesk.creative.choices import (
    AssetKind,
    AssetStatus,
    ReviewerKind,
    RightKind,
    RoundStatus,
    StageStatus,
)
from mediadesk.planning.models import Campaign, Placement, stored_file_name
from mediadesk.vendors.models import Vendor

DEFAULT_STAGES = [
    {"name": "Creative lead", "who": ReviewerKind.INTERNAL.value},
    {"name": "Legal", "who": ReviewerKind.INTERNAL.value},
    {"name": "Client", "who": ReviewerKind.CLIENT.value},
]
DEFAULT_UTM = {
    "utm_source": "{vendor}",
    "utm_medium": "{channel}",
    "utm_campaign": "{campaign}",
    "utm_content": "{asset}",
}


def default_stages() -> list[dict[str, str]]:
    return [dict(stage) for stage in DEFAULT_STAGES]


def default_utm() -> dict[str, str]:
    return dict(DEFAULT_UTM)


class CreativeSettings(models.Model):
    """Per client: the review stages every round goes through and the UTM template."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="creative_settings"
    )
    review_stages = models.JSONField(default=default_stages)
    review_days = models.PositiveIntegerField(
        "days per stage", default=2, help_text="Each stage is due this many days after it opens."
    )
    utm_template = models.JSONField("UTM template", default=default_utm)

    def __str__(self) -> str:
        return f"Creative settings of {self.client}"


class Tag(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="creative_tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="creative_tag_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AssetQuerySet(ClientOwnedQuerySet["Asset"]):
    def visible_to(self, user: Any) -> AssetQuerySet:
        visible = super().visible_to(user)
        reviewing = reviewer_client_ids(user)
        # A client reviewer sees what was sent to a client stage, on campaigns shared with them.
        return visible.exclude(  # type: ignore[return-value]
            models.Q(client__in=reviewing)
            & (
                models.Q(shown_to_client=False)
                | models.Q(campaign__isnull=True)
                | models.Q(campaign__shared_with_client=False)
            )
        )

    def active(self) -> AssetQuerySet:
        return self.filter(archived_at__isnull=True)


def asset_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("creative/files", filename)


def preview_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("creative/previews", filename)


class Asset(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assets")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="assets", null=True, blank=True
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="assets", null=True, blank=True
    )
    kind = models.CharField(max_length=10, choices=AssetKind.choices)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=AssetStatus.choices, default=AssetStatus.DRAFT)
    tags = models.ManyToManyField(Tag, blank=True, related_name="assets")
    # The placements (by line key, on the campaign's plan) this asset is made for: their specs
    # are what each version is checked against.
    line_keys = models.JSONField(default=list, blank=True)
    spec_keys = models.JSONField(
        default=list, blank=True, help_text="Specs to check against besides the placements' own."
    )
    current_version = models.ForeignKey(
        "AssetVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version_count = models.PositiveIntegerField(default=0)
    blocking_findings = models.PositiveIntegerField(default=0)
    shown_to_client = models.BooleanField(default=False)
    rights_expire = models.DateField(
        null=True, blank=True, help_text="The earliest expiry of the asset's usage rights."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[AssetQuerySet] = AssetQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-updated_at"]),
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["client", "kind"]),
            models.Index(fields=["rights_expire"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("creative:asset_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AssetVersionQuerySet(ClientOwnedQuerySet["AssetVersion"]):
    client_field = "asset__client"

    def visible_to(self, user: Any) -> AssetVersionQuerySet:
        return self.filter(asset__in=Asset.objects.visible_to(user).values("id"))


class AssetVersion(models.Model):
    """One upload of an asset: the stored file, what was read from it and the spec findings."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=asset_file_name, max_length=200, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True, db_index=True)  # SHA-256, hex
    preview = models.FileField(upload_to=preview_file_name, max_length=200, blank=True)
    preview_type = models.CharField(max_length=40, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    facts = models.JSONField(default=dict, blank=True)  # domain.specs.AssetFacts, for re-checks
    copy = models.JSONField(default=dict, blank=True)  # copy assets: field -> list of texts
    findings = models.JSONField(default=list, blank=True)
    checked_specs = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, help_text="What changed in this version.")
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[AssetVersionQuerySet] = AssetVersionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="asset_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.asset.name} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("creative:asset_detail", args=[self.asset_id]) + f"?version={self.number}"

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f.get("severity") == "blocking"]


class UsageRight(models.Model):
    """What the asset may be used for and until when: talent, music, stock or influencer."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="rights")
    kind = models.CharField(max_length=12, choices=RightKind.choices)
    holder = models.CharField("rights holder", max_length=200)
    territories = models.JSONField(default=list, blank=True)  # ISO country codes or "WW"
    starts = models.DateField(null=True, blank=True)
    expires = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["expires", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.holder}"


class VendorSpec(models.Model):
    """A vendor's own spec (a publisher's takeover, a station's spot rules), next to the seeds.

    ``definition`` holds the limits as plain values (see ``creative.specs.spec_from_definition``).
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="creative_specs")
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    definition = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["vendor__name", "name"]

    def __str__(self) -> str:
        return self.name


class PlacementSpec(models.Model):
    """The spec a placement points to (by line key, so it survives new plan versions)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    line_key = models.CharField(max_length=32)
    spec_key = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "line_key"], name="placement_spec_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.line_key}: {self.spec_key}"


def new_link_nonce() -> str:
    return secrets.token_urlsafe(16)


class ReviewRoundQuerySet(ClientOwnedQuerySet["ReviewRound"]):
    client_field = "asset__client"

    def visible_to(self, user: Any) -> ReviewRoundQuerySet:
        return self.filter(asset__in=Asset.objects.visible_to(user).values("id"))


class ReviewRound(models.Model):
    """One version of an asset going through the client's review stages, in order."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="rounds")
    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[ReviewRoundQuerySet] = ReviewRoundQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="review_round_unique"),
        ]

    def __str__(self) -> str:
        return f"Review {self.number} of {self.asset.name}"

    def get_absolute_url(self) -> str:
        return reverse("creative:asset_detail", args=[self.asset_id]) + "#review"

    @property
    def client_id(self) -> int:
        return self.asset.client_id


class ReviewStage(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=80)
    who = models.CharField(max_length=10, choices=ReviewerKind.choices)
    status = models.CharField(
        max_length=20, choices=StageStatus.choices, default=StageStatus.WAITING
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_label = models.CharField(max_length=200, blank=True)  # a link reviewer's own name
    note = models.TextField(blank=True)
    link_nonce = models.CharField(max_length=32, default=new_link_nonce)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="review_stage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class ReviewComment(models.Model):
    """A comment on a version: pinned to a point or region (fractions of the width and height,
    0–1), a PDF page, or a time code; a reply has a parent and no pin of its own."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    body = models.TextField()
    x = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    y = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    width = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    height = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)
    time_seconds = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"

    @property
    def is_pinned(self) -> bool:
        return self.x is not None or self.time_seconds is not None or self.page is not None


class AssignmentQuerySet(ClientOwnedQuerySet["Assignment"]):
    def visible_to(self, user: Any) -> AssignmentQuerySet:
        # Trafficking is the agency's business: client reviewers do not see it.
        visible = super().visible_to(user)
        return visible.exclude(client__in=reviewer_client_ids(user))  # type: ignore[return-value]

    def current(self) -> AssignmentQuerySet:
        return self.filter(removed_at__isnull=True)


class Assignment(models.Model):
    """Trafficking: an approved version runs on a placement for dates, with a click URL."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assignments")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="assignments")
    line_key = models.CharField(max_length=32)
    placement = models.ForeignKey(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(AssetVersion, on_delete=models.PROTECT, related_name="assignments")
    starts = models.DateField()
    ends = models.DateField()
    weight = models.PositiveIntegerField("rotation weight", default=100)
    click_url = models.URLField("click-through URL", max_length=2000, blank=True)
    tracked_url = models.URLField("URL with UTM", max_length=2500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[AssignmentQuerySet] = AssignmentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["campaign", "line_key", "starts", "id"]
        indexes = [models.Index(fields=["campaign", "line_key"])]

    def __str__(self) -> str:
        return f"{self.version} on {self.line_key} {self.starts}–{self.ends}"

    def get_absolute_url(self) -> str:
        return reverse("creative:campaign_trafficking", args=[self.campaign_id])
