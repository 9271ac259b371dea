"""Vendors: the publishers, broadcasters, platforms and creators an agency buys media from.

Vendors belong to the organization and are shared by all its clients, so they are not
client-owned: ``visible_to(user)`` gives the vendors of the user's organization to people with
an internal role, and nothing to client reviewers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import CURRENCY_CHOICES, Organization
from mediadesk.accounts.permissions import is_org_admin, roles_by_client
from mediadesk.vendors.choices import PaymentTerms, VendorKind


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
