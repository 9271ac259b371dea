"""A vendor's track record for its page: orders, delivery against order, invoice accuracy and
disputes, over the clients the person may see (money only where they may see money)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mediadesk.accounts.permissions import Action, can
from mediadesk.domain.matching import payable
from mediadesk.finance.ledger import delivered, month_of, monthly_delivery, ordered
from mediadesk.finance.models import Invoice, InvoiceNote
from mediadesk.orders.choices import OrderStatus
from mediadesk.orders.models import InsertionOrder
from mediadesk.vendors.models import Vendor


@dataclass
class OrderRow:
    order: InsertionOrder
    booked: Decimal
    delivered: Decimal | None  # the payable value of what ran to date (accepted orders)
    invoiced: Decimal | None  # None where the person may not see money

    @property
    def delivery_percent(self) -> Decimal | None:
        if self.delivered is None or not self.booked:
            return None
        return (self.delivered / self.booked * 100).quantize(Decimal("0.1"))


@dataclass
class VendorHistory:
    orders: list[OrderRow] = field(default_factory=list)
    invoices: int = 0
    accurate: int = 0  # invoices whose match found nothing to dispute
    disputes: list[InvoiceNote] = field(default_factory=list)
    shows_money: bool = False

    @property
    def accuracy_percent(self) -> Decimal | None:
        if not self.invoices:
            return None
        return (Decimal(self.accurate) / self.invoices * 100).quantize(Decimal("0.1"))


def vendor_history(vendor: Vendor, user: Any, today: date | None = None) -> VendorHistory:
    today = today or timezone.localdate()
    orders = list(
        InsertionOrder.objects.visible_to(user)
        .filter(vendor=vendor)
        .exclude(status=OrderStatus.REVISED)
        .select_related("campaign")
        .prefetch_related("lines__adjustments")
        .order_by("-created_at", "-id")[:50]
    )
    money_clients = {o.client_id for o in orders if can(user, Action.VIEW_FINANCE, o.client_id)}
    invoices = list(
        Invoice.objects.visible_to(user)
        .filter(vendor=vendor, kind="invoice")
        .prefetch_related("lines")
    )
    invoices = [i for i in invoices if can(user, Action.VIEW_FINANCE, i.client_id)]
    billed: dict[str, Decimal] = {}
    for invoice in invoices:
        for billed_line in invoice.lines.all():
            if billed_line.order_line_id is not None:
                key = str(billed_line.order_line_id)
                billed[key] = billed.get(key, Decimal(0)) + billed_line.amount
    accepted = [o for o in orders if o.status == OrderStatus.ACCEPTED]
    # What ran to date per (campaign, line key), summed once for all the orders.
    ran: dict[tuple[int, str], dict[str, int]] = {}
    delivery = monthly_delivery({o.campaign_id for o in accepted})
    for (campaign, key, month), row in delivery.items():
        if month <= month_of(today):
            sums = ran.setdefault((campaign, key), {})
            for column, amount in row.items():
                if isinstance(amount, int):
                    sums[column] = sums.get(column, 0) + amount
    history = VendorHistory(shows_money=bool(money_clients or invoices))
    for order in orders:
        lines = [line for line in order.lines.all() if not line.is_removed]
        booked = sum((line.booked_cost for line in lines), Decimal(0))
        value: Decimal | None = None
        if order.status == OrderStatus.ACCEPTED:
            value = Decimal(0)
            for line in lines:
                running = ran.get((order.campaign_id, line.line_key))
                found = delivered(line.cost_model, running) if running else None
                value += payable(ordered(line, order.currency), found).amount
        shown = order.client_id in money_clients
        invoiced = sum(
            (billed.get(str(line.pk), Decimal(0)) for line in order.lines.all()), Decimal(0)
        )
        history.orders.append(OrderRow(order, booked, value, invoiced if shown else None))
    history.invoices = len(invoices)
    history.accurate = sum(
        1
        for invoice in invoices
        if not invoice.discrepancies and not any(line.discrepancies for line in invoice.lines.all())
    )
    history.disputes = list(
        InvoiceNote.objects.filter(is_dispute=True, invoice__in=invoices)
        .select_related("invoice", "created_by")
        .order_by("-created_at")[:10]
    )
    return history
