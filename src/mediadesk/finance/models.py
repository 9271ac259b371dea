"""Vendor invoices, their 3-way match, disputes, approvals and payment batches.

An invoice belongs to one client (the one whose orders it bills), so it is client-owned and
scoped like every other client object. Amounts are the vendor's gross media amounts in the
invoice's currency; agency commission and net come from the ordered lines (see finance/money.py).
A credit note is an invoice of kind ``credit_note`` with negative lines, pointing at the invoice
it credits; it is matched like any invoice, so a credit brings billing to date back down.
"""

from __future__ import annotations

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
    reviewer_client_ids,
)
from mediadesk.finance.choices import (
    BatchStatus,
    ExportLayout,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
    LineStatus,
)
from mediadesk.orders.models import OrderLine
from mediadesk.planning.models import stored_file_name
from mediadesk.vendors.models import Vendor


class FinanceSettings(models.Model):
    """A client's matching tolerances, approval limit and accounting codes."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="finance_settings")
    rounding_units = models.PositiveIntegerField(
        default=5, help_text="Differences up to this many cents (minor units) are rounding."
    )
    grp_percent = models.DecimalField(
        "GRP tolerance %",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        help_text="A CPP buy delivering within this share of its GRPs is paid as ordered.",
    )
    delivery_percent = models.DecimalField(
        "over-delivery payable %",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="How far above the ordered cost delivered units may be paid (0: never).",
    )
    second_approval_above = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("50000.00"),
        help_text="Invoices above this total need a second finance approver (blank: never).",
    )
    overrides = models.JSONField(
        "per cost model",
        default=dict,
        blank=True,
        help_text='Other tolerances for some cost models: {"cpp": {"grp_percent": "10"}}.',
    )
    expense_account = models.CharField(max_length=40, default="6100")
    payable_account = models.CharField(max_length=40, default="2100")
    cost_centre = models.CharField(max_length=40, blank=True)

    objects: ClassVar[ClientOwnedQuerySet[FinanceSettings]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Finance settings of {self.client}"


class InvoiceQuerySet(ClientOwnedQuerySet["Invoice"]):
    def visible_to(self, user: Any) -> InvoiceQuerySet:
        visible = super().visible_to(user)
        return visible.exclude(client__in=reviewer_client_ids(user))  # type: ignore[return-value]


def invoice_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("invoices", filename)


class Invoice(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    credit_for = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    number = models.CharField(max_length=60)
    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    total = models.DecimalField(
        "stated total",
        max_digits=16,
        decimal_places=2,
        help_text="The total before tax, as printed on the invoice.",
    )
    tax = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(
        max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.RECEIVED
    )
    source = models.CharField(max_length=10, choices=InvoiceSource.choices)
    file = models.FileField(upload_to=invoice_file_name, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    # Findings on the invoice as a whole (its stated total against its lines).
    discrepancies = models.JSONField(default=list, blank=True)
    batch = models.ForeignKey(
        "PaymentBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    imported_from = models.ForeignKey(
        "InvoiceImport", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )

    objects: ClassVar[InvoiceQuerySet] = InvoiceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-invoice_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "number"], name="invoice_vendor_number"),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.vendor.name} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("finance:invoice_detail", args=[self.pk])

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0"))

    @property
    def gross_with_tax(self) -> Decimal:
        return self.total + self.tax


class InvoiceImportQuerySet(models.QuerySet["InvoiceImport"]):
    def visible_to(self, user: Any) -> InvoiceImportQuerySet:
        """Imports of clients the user may see (not as a reviewer); one that failed before its
        client was known, only to the person who uploaded it."""
        from mediadesk.accounts.models import visible_client_ids

        reviewing = reviewer_client_ids(user)
        mine = models.Q(client__isnull=True, uploaded_by_id=getattr(user, "pk", None))
        theirs = models.Q(client__in=visible_client_ids(user)) & ~models.Q(client__in=reviewing)
        return self.filter(mine | theirs)


def invoice_import_file_name(instance: Any, filename: str) -> str:
    return stored_file_name("imports/invoices", filename)


class InvoiceImport(models.Model):
    """An invoice file as it arrived, and what importing it did (kept whether it landed or not)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_imports"
    )
    file = models.FileField(upload_to=invoice_import_file_name)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    imported = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True)

    objects: ClassVar[InvoiceImportQuerySet] = InvoiceImportQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({'imported' if self.imported else 'refused'})"


class InvoiceLine(models.Model):
    """One billed line: an ordered line (by IO number and placement code) and a month.

    The match result is stored with it: the payable to date, the line's share of the gap and
    the discrepancies (kind, amount, sentence) as ``domain.matching`` worked them out.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    io_number = models.CharField("IO number", max_length=60, blank=True)
    placement_code = models.CharField(max_length=120)
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    month = models.DateField(help_text="The first day of the month of service.")
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    tax = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(
        max_length=12, choices=LineStatus.choices, default=LineStatus.UNMATCHED
    )
    payable = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    payable_basis = models.CharField(max_length=300, blank=True)
    difference = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    discrepancies = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["invoice", "position", "id"]

    def __str__(self) -> str:
        return f"{self.invoice} · {self.placement_code} {self.month:%Y-%m}"


class InvoiceNote(models.Model):
    """A note on an invoice: a dispute raised with the vendor, its answer, or a plain note."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="notes_log")
    text = models.TextField()
    is_dispute = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.invoice}"


class InvoiceApproval(models.Model):
    """A finance approval; invoices above the client's limit need two, by two people."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why it is approved although the match found discrepancies."
    )

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "approved_by"], name="approval_once"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} approved by {self.approved_by}"


class PaymentBatchQuerySet(ClientOwnedQuerySet["PaymentBatch"]):
    def visible_to(self, user: Any) -> PaymentBatchQuerySet:
        visible = super().visible_to(user)
        return visible.exclude(client__in=reviewer_client_ids(user))  # type: ignore[return-value]


class PaymentBatch(models.Model):
    """Approved invoices of one client and currency handed to accounting in one file."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="payment_batches")
    number = models.CharField(max_length=40)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.EXPORTED
    )
    layout = models.CharField(
        max_length=12, choices=ExportLayout.choices, default=ExportLayout.MEDIADESK
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PaymentBatchQuerySet] = PaymentBatchQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="payment_batch_number"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("finance:batch_detail", args=[self.pk])
