"""Vendors: the publishers, broadcasters, platforms and creators an agency buys media from.

Vendors belong to the organization and are shared by all its clients, so they are not
client-owned: ``visible_to(user)`` gives the vendors of the user's organization to people with
an internal role, and nothing to client reviewers. The same holds for a vendor's rate cards and
documents. A **negotiated rate** is a client's own deal with a vendor, so it is client-owned:
``NegotiatedRate.objects.visible_to(user)`` answers only rates of clients the user sees with an
internal role.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import (
    CURRENCY_CHOICES,
    Client,
    ClientOwnedQuerySet,
    Organization,
    reviewer_client_ids,
)
from mediadesk.accounts.permissions import is_org_admin, roles_by_client
from mediadesk.domain.periods import format_period
from mediadesk.domain.ratecards import Rate, match_key
from mediadesk.planning.choices import CostModel
from mediadesk.planning.models import stored_file_name
from mediadesk.vendors.choices import DocumentExpiry, DocumentKind, PaymentTerms, VendorKind


def can_read_vendors(user: Any) -> bool:
    """Organization admins and anyone with an internal role on at least one client."""
    if is_org_admin(user):
        return True
    return any(role != Role.CLIENT_REVIEWER for role in roles_by_client(user).values())


class VendorQuerySet(models.QuerySet["Vendor"]):
    def visible_to(self, user: Any) -> VendorQuerySet:
        if not can_read_vendors(user) or user.organization_id is None:
            return self.none()
        return self.filter(organization_id=user.organization_id)

    def active(self) -> VendorQuerySet:
        return self.filter(archived_at__isnull=True)


class Vendor(models.Model):
    """A business the agency books media with; one per organization, used for every client."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="vendors")
    name = models.CharField(max_length=200, help_text="Unique in your organization.")
    kind = models.CharField(max_length=20, choices=VendorKind.choices, default=VendorKind.OTHER)
    website = models.URLField(blank=True)
    tax_id = models.CharField("tax ID", max_length=50, blank=True, help_text="VAT or tax number.")
    payment_terms = models.CharField(
        max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.NET_30
    )
    currency = models.CharField(
        max_length=3,
        choices=CURRENCY_CHOICES,
        default="EUR",
        help_text="The currency the vendor invoices in.",
    )
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[VendorQuerySet] = VendorQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="vendor_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:vendor_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class VendorContactQuerySet(models.QuerySet["VendorContact"]):
    def visible_to(self, user: Any) -> VendorContactQuerySet:
        return self.filter(vendor__in=Vendor.objects.visible_to(user))


class VendorContact(models.Model):
    """A person at a vendor: sales, ad operations, billing."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    # Not called "role": that name is kept for permission roles, which are choices.
    position = models.CharField(
        "role", max_length=100, blank=True, help_text="e.g. Sales, Ad operations, Billing."
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[VendorContactQuerySet] = VendorContactQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name


def vendors_named(organization_id: int, names: Iterable[str]) -> dict[str, Vendor]:
    """The organization's vendors that ``names`` (free text, as on a placement) refer to, keyed
    by ``match_key`` of the name: case and spaces do not matter. One query whatever the number
    of names; a current vendor wins over an archived one of the same name."""
    wanted = {match_key(name) for name in names} - {""}
    if not wanted:
        return {}
    found: dict[str, Vendor] = {}
    vendors = Vendor.objects.filter(organization_id=organization_id).order_by(
        models.F("archived_at").desc(nulls_first=True), "id"
    )
    for vendor in vendors.only("id", "name", "organization_id", "archived_at"):
        key = match_key(vendor.name)
        if key in wanted and key not in found:
            found[key] = vendor
    return found


def vendor_named(organization_id: int, name: str) -> Vendor | None:
    """The vendor of the organization a placement's vendor text names, or None."""
    return vendors_named(organization_id, [name]).get(match_key(name))


# --- Rate cards, negotiated rates and documents ------------------------------------------------

RATE_FIELDS = ["format", "market", "daypart", "cost_model", "rate"]


class RateFields(models.Model):
    """What a rate says: format, market (blank: all), daypart (blank: all), cost model, rate."""

    format = models.CharField("format / unit", max_length=100, help_text="e.g. 30s spot, 300x250.")
    market = models.CharField(max_length=100, blank=True, help_text="Blank for all markets.")
    daypart = models.CharField(
        max_length=100, blank=True, help_text="e.g. Prime time; blank for all dayparts."
    )
    cost_model = models.CharField(max_length=20, choices=CostModel.choices)
    rate = models.DecimalField(
        max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        abstract = True

    def clean_text(self) -> None:
        for name in ("format", "market", "daypart"):
            setattr(self, name, " ".join((getattr(self, name) or "").split()))

    @property
    def scope(self) -> str:
        """What the rate is for, e.g. "300x250 · DE · all dayparts · CPM" (lists, history)."""
        return " · ".join([
            self.format,
            self.market or "all markets",
            self.daypart or "all dayparts",
            str(CostModel(self.cost_model).label) if self.cost_model in CostModel.values
            else self.cost_model,
        ])  # fmt: skip


def validity(valid_from: date, valid_to: date | None) -> str:
    """How a validity reads: "1 Jan – 31 Dec 2026", or "from 1 Jan 2026" without an end."""
    if valid_to is None:
        return f"from {valid_from.day} {valid_from:%b %Y}"
    return format_period(valid_from, valid_to)


def _check_dates(valid_from: date | None, valid_to: date | None) -> dict[str, list[str]]:
    if valid_from and valid_to and valid_to < valid_from:
        return {
            "valid_to": [
                f"The end of validity ({valid_to.day} {valid_to:%b %Y}) is before its start "
                f"({valid_from.day} {valid_from:%b %Y})."
            ]
        }
    return {}


class RateCardQuerySet(models.QuerySet["RateCard"]):
    def visible_to(self, user: Any) -> RateCardQuerySet:
        return self.filter(vendor__in=Vendor.objects.visible_to(user))

    def active(self) -> RateCardQuerySet:
        return self.filter(archived_at__isnull=True)


class RateCard(models.Model):
    """A vendor's published prices for a period: one line per format, market, daypart and
    cost model. Shared by every client, like the vendor."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="rate_cards")
    name = models.CharField(max_length=200, help_text="e.g. Rate card 2027, Q4 price list.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Blank while it has no end.")
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[RateCardQuerySet] = RateCardQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["vendor", "-valid_from", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.vendor.name})" if self.vendor_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:rate_card_detail", args=[self.vendor_id, self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def validity(self) -> str:
        return validity(self.valid_from, self.valid_to)

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        errors = _check_dates(self.valid_from, self.valid_to)
        if errors:
            raise ValidationError(errors)


class RateCardLine(RateFields):
    """One price of a rate card."""

    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="lines")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["format", "market", "daypart", "cost_model", "id"]

    def __str__(self) -> str:
        return f"{self.scope}: {self.rate.normalize():f} {self.rate_card.currency}"

    def as_rate(self) -> Rate:
        card = self.rate_card
        return Rate(
            format=self.format, market=self.market, daypart=self.daypart,
            cost_model=self.cost_model, rate=self.rate, currency=card.currency,
            valid_from=card.valid_from, valid_to=card.valid_to, negotiated=False,
            label=card.name, key=self.pk,
        )  # fmt: skip


class NegotiatedRateQuerySet(ClientOwnedQuerySet["NegotiatedRate"]):
    def visible_to(self, user: Any) -> NegotiatedRateQuerySet:
        # Commercial terms are internal: a client's reviewers never see them.
        visible = super().visible_to(user).filter(vendor__in=Vendor.objects.visible_to(user))
        return visible.exclude(client__in=reviewer_client_ids(user))  # type: ignore[return-value]

    def active(self) -> NegotiatedRateQuerySet:
        return self.filter(archived_at__isnull=True)


class NegotiatedRate(RateFields):
    """A rate one client has agreed with a vendor; it beats the vendor's rate card."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="negotiated_rates")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="negotiated_rates")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Blank while it has no end.")
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[NegotiatedRateQuerySet] = NegotiatedRateQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["client__name", "format", "market", "daypart", "-valid_from", "id"]
        indexes = [models.Index(fields=["vendor", "client"])]

    def __str__(self) -> str:
        return f"{self.scope}: {self.rate.normalize():f} {self.currency}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def validity(self) -> str:
        return validity(self.valid_from, self.valid_to)

    def clean(self) -> None:
        errors = _check_dates(self.valid_from, self.valid_to)
        if errors:
            raise ValidationError(errors)

    def as_rate(self) -> Rate:
        return Rate(
            format=self.format, market=self.market, daypart=self.daypart,
            cost_model=self.cost_model, rate=self.rate, currency=self.currency,
            valid_from=self.valid_from, valid_to=self.valid_to, negotiated=True,
            label=f"Negotiated rate of {self.client.name}" if self.client_id else "",
            key=self.pk,
        )  # fmt: skip


# Documents expiring within this many days are flagged on the vendor page.
EXPIRY_WARNING_DAYS = 30


def document_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("vendors/documents", filename)


class VendorDocumentQuerySet(models.QuerySet["VendorDocument"]):
    def visible_to(self, user: Any) -> VendorDocumentQuerySet:
        return self.filter(vendor__in=Vendor.objects.visible_to(user))

    def active(self) -> VendorDocumentQuerySet:
        return self.filter(archived_at__isnull=True)


class VendorDocument(models.Model):
    """A contract, tax form or insurance certificate of a vendor, kept as a PDF or an image.

    The file is stored under a generated name and only ever served through the download view,
    which checks that the person may read vendors; the name it was uploaded with is data.
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    file = models.FileField(upload_to=document_file_name, max_length=200)
    filename = models.CharField("file name", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    expires_on = models.DateField(null=True, blank=True, help_text="Blank if it does not expire.")
    notes = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[VendorDocumentQuerySet] = VendorDocumentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = [models.F("expires_on").asc(nulls_last=True), "kind", "filename", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("vendors:document_download", args=[self.vendor_id, self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def expiry(self, today: date) -> DocumentExpiry:
        """Expired, expiring within ``EXPIRY_WARNING_DAYS``, valid, or no expiry at all."""
        if self.expires_on is None:
            return DocumentExpiry.NO_EXPIRY
        if self.expires_on < today:
            return DocumentExpiry.EXPIRED
        if self.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
            return DocumentExpiry.EXPIRING
        return DocumentExpiry.VALID
