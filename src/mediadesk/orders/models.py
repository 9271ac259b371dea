"""Insertion orders: the contract with one vendor for a campaign's placements.

An IO is generated from an approved plan version, one per vendor. Each revision is its own row
with the same number (revision 1, 2, …); a revision is built from the plan diff and carries only
the lines that changed, with their old and new values, next to the lines kept as they were.
What is *booked* is the newest accepted revision of each number.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.models import (
    CURRENCY_CHOICES,
    Client,
    ClientOwnedQuerySet,
    Organization,
    reviewer_client_ids,
)
from mediadesk.orders.choices import AdjustmentKind, BillingSource, LineChange, OrderStatus
from mediadesk.planning.choices import CostModel
from mediadesk.planning.models import Campaign, Placement, PlanVersion, stored_file_name
from mediadesk.vendors.choices import PaymentTerms
from mediadesk.vendors.models import Vendor, VendorContact

DEFAULT_NUMBER_FORMAT = "IO-{client}-{year}-{seq:04d}"
DEFAULT_TERMS = (
    "1. This insertion order is governed by the IAB/4A's Standard Terms and Conditions for "
    "Internet Advertising for Media Buys One Year or Less (version 3.0), except where this order "
    "says otherwise.\n"
    "2. The vendor invoices monthly, in arrears, on the figures of the billing source named "
    "above, quoting the IO number and the placement code on every line.\n"
    "3. Impressions or units delivered above the ordered quantity are not billable.\n"
    "4. Makegoods need the agency's written approval before they run.\n"
    "5. The agency is liable for payment only to the extent it has been paid by the advertiser "
    "(sequential liability)."
)
DEFAULT_CANCELLATION = (
    "Either party may cancel with 14 days' written notice; guaranteed and fixed-position units "
    "with 30 days' notice. Units delivered before the cancellation takes effect are billable."
)


class OrderSettings(models.Model):
    """How an organization numbers its IOs and the terms printed on them."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="order_settings"
    )
    number_format = models.CharField(
        max_length=100,
        default=DEFAULT_NUMBER_FORMAT,
        help_text="Fields: {client} (client code), {campaign} (campaign code), {year}, {seq}.",
    )
    next_sequence = models.PositiveIntegerField(default=1)
    terms = models.TextField("terms and conditions", default=DEFAULT_TERMS)
    cancellation_terms = models.TextField(default=DEFAULT_CANCELLATION)
    link_days = models.PositiveIntegerField(
        "acceptance link valid for (days)", default=14, help_text="How long a sent link works."
    )

    def __str__(self) -> str:
        return f"IO settings of {self.organization}"


class InsertionOrderQuerySet(ClientOwnedQuerySet["InsertionOrder"]):
    def visible_to(self, user: Any) -> InsertionOrderQuerySet:
        # Orders are internal and commercial: client reviewers never see them.
        visible = super().visible_to(user)
        return visible.exclude(client__in=reviewer_client_ids(user))  # type: ignore[return-value]

    def booked(self) -> InsertionOrderQuerySet:
        return self.filter(status=OrderStatus.ACCEPTED)


def new_link_nonce() -> str:
    return secrets.token_urlsafe(16)


def countersigned_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("orders/countersigned", filename)


class InsertionOrder(models.Model):
    """One revision of an IO: header, terms, status and the vendor's answer."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="insertion_orders")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="insertion_orders"
    )
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="insertion_orders")
    vendor_contact = models.ForeignKey(
        VendorContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.CharField(max_length=60)
    revision = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_revision"
    )
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    billing_source = models.CharField(
        max_length=20, choices=BillingSource.choices, default=BillingSource.FIRST_PARTY
    )
    payment_terms = models.CharField(max_length=10, choices=PaymentTerms.choices)
    cancellation_terms = models.TextField(blank=True)
    terms = models.TextField("terms and conditions", blank=True)
    notes = models.TextField(blank=True, help_text="Printed on the order, above the lines.")
    agency_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    link_nonce = models.CharField(max_length=32, default=new_link_nonce)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_name = models.CharField(max_length=200, blank=True)
    answered_title = models.CharField(max_length=200, blank=True)
    answered_ip = models.GenericIPAddressField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    countersigned = models.FileField(upload_to=countersigned_file_name, blank=True)
    countersigned_filename = models.CharField(max_length=255, blank=True)
    cancelled_reason = models.TextField(blank=True)

    objects: ClassVar[InsertionOrderQuerySet] = InsertionOrderQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "number", "revision"], name="io_number_revision_unique"
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.number} v{self.revision}" if self.revision > 1 else self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])

    @property
    def label(self) -> str:
        return f"{self.number} (version {self.revision})"

    @property
    def is_editable(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def total(self) -> Decimal:
        return sum((line.booked_cost for line in self.lines.all()), Decimal("0"))

    @property
    def net_total(self) -> Decimal:
        return sum((line.booked_net for line in self.lines.all()), Decimal("0"))


class OrderLine(models.Model):
    """A placement as ordered: units, rate, cost model, flight and cost.

    ``change`` and ``before`` say what a revision did to the line (``before`` holds the old
    values of the fields that changed, or of every field for a removed line).
    """

    order = models.ForeignKey(InsertionOrder, on_delete=models.CASCADE, related_name="lines")
    placement = models.ForeignKey(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    line_key = models.CharField(max_length=32)
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=120)
    description = models.CharField(max_length=400)
    channel = models.CharField(max_length=20)
    market = models.CharField(max_length=100, blank=True)
    format = models.CharField(max_length=100, blank=True)
    start = models.DateField()
    end = models.DateField()
    cost_model = models.CharField(max_length=20, choices=CostModel.choices)
    rate = models.DecimalField(max_digits=16, decimal_places=4)
    quantity = models.DecimalField(max_digits=18, decimal_places=2)
    cost = models.DecimalField("gross cost", max_digits=16, decimal_places=2)
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2)
    net_cost = models.DecimalField(max_digits=16, decimal_places=2)
    change = models.CharField(
        max_length=10, choices=LineChange.choices, default=LineChange.UNCHANGED
    )
    before = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_key"], name="order_line_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.code}"

    @property
    def is_removed(self) -> bool:
        return self.change == LineChange.REMOVED

    def _cancelled(self) -> Decimal:
        return sum(
            (a.cost for a in self.adjustments.all() if a.kind == AdjustmentKind.CANCELLATION),
            Decimal("0"),
        )

    @property
    def makegood_quantity(self) -> Decimal:
        return sum(
            (a.quantity for a in self.adjustments.all() if a.kind == AdjustmentKind.MAKEGOOD),
            Decimal("0"),
        )

    @property
    def booked_cost(self) -> Decimal:
        """The ordered cost less cancellations; a removed line books nothing."""
        if self.is_removed:
            return Decimal("0")
        return self.cost - self._cancelled()

    @property
    def booked_net(self) -> Decimal:
        if self.is_removed or not self.cost:
            return Decimal("0")
        return (self.booked_cost * self.net_cost / self.cost).quantize(Decimal("0.01"))


class LineAdjustment(models.Model):
    """A makegood (units the vendor runs free to make up for a shortfall) or a cancellation
    (part of the line's cost taken off the order) recorded against an ordered line."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=20, choices=AdjustmentKind.choices)
    quantity = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    cost = models.DecimalField(
        "cost taken off", max_digits=16, decimal_places=2, default=Decimal("0")
    )
    effective = models.DateField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["effective", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.line}"
