"""The payment file handed to accounting, in two documented layouts (docs/payments.md).

Every figure is explicit: the vendor's gross media amount, the agency commission the vendor
grants (each line's gross × the commission % of the ordered line, rounded half up to the cent),
net = gross − commission, tax, and the amount paid = net + tax. The file's totals are sums of
its rows, never re-rounded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mediadesk.finance.choices import ExportLayout
from mediadesk.finance.models import FinanceSettings, Invoice, PaymentBatch
from mediadesk.web.exports import neutralize

PAYMENT_COLUMNS = [
    "batch",
    "client",
    "vendor",
    "vendor_tax_id",
    "invoice",
    "invoice_date",
    "due_date",
    "currency",
    "media_gross",
    "agency_commission",
    "net",
    "tax",
    "amount_to_pay",
]
JOURNAL_COLUMNS = [
    "date",
    "journal",
    "account",
    "cost_centre",
    "client",
    "campaign",
    "vendor",
    "invoice",
    "description",
    "net",
    "tax",
    "gross",
    "currency",
    "media_gross",
    "agency_commission",
]


@dataclass(frozen=True)
class InvoiceFigures:
    media_gross: Decimal
    commission: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        return self.media_gross - self.commission

    @property
    def to_pay(self) -> Decimal:
        return self.net + self.tax


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def figures(invoice: Invoice) -> InvoiceFigures:
    gross = Decimal(0)
    commission = Decimal(0)
    for line in invoice.lines.all():
        gross += line.amount
        percent = line.order_line.commission_percent if line.order_line else Decimal(0)
        commission += _cents(line.amount * percent / 100)
    return InvoiceFigures(gross, commission, invoice.tax)


def _safe(value: object) -> str:
    """Formula injection neutralized as every export does it; signed amounts stay numbers."""
    text = "" if value is None else str(value)
    return text if _number(text) else str(neutralize(text))


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def batch_rows(batch: PaymentBatch, layout: str | None = None) -> tuple[list[str], list[list[str]]]:
    layout = ExportLayout(layout or batch.layout)
    invoices = list(
        batch.invoices.select_related("vendor", "client").prefetch_related(
            "lines__order_line__order__campaign"
        )
    )
    rows: list[list[str]] = []
    if layout == ExportLayout.MEDIADESK:
        for invoice in invoices:
            f = figures(invoice)
            rows.append(
                [
                    batch.number,
                    invoice.client.name,
                    invoice.vendor.name,
                    invoice.vendor.tax_id,
                    invoice.number,
                    invoice.invoice_date.isoformat(),
                    invoice.due_date.isoformat() if invoice.due_date else "",
                    invoice.currency,
                    str(f.media_gross),
                    str(f.commission),
                    str(f.net),
                    str(f.tax),
                    str(f.to_pay),
                ]
            )
        return PAYMENT_COLUMNS, [[_safe(cell) for cell in row] for row in rows]
    accounts = FinanceSettings.objects.filter(client_id=batch.client_id).first()
    expense = accounts.expense_account if accounts else "6100"
    payable = accounts.payable_account if accounts else "2100"
    centre = accounts.cost_centre if accounts else ""
    for invoice in invoices:
        lines = list(invoice.lines.all())
        campaigns = sorted(
            {line.order_line.order.campaign.code for line in lines if line.order_line}
        )
        f = figures(invoice)
        common = [
            centre,
            invoice.client.name,
            ", ".join(campaigns),
            invoice.vendor.name,
            invoice.number,
        ]
        day = invoice.invoice_date.isoformat()
        # Debit the media expense with the net (what the agency pays), credit the vendor.
        rows.append(
            [
                day,
                batch.number,
                expense,
                *common,
                f"Media {invoice.number}",
                str(f.net),
                str(f.tax),
                str(f.to_pay),
                invoice.currency,
                str(f.media_gross),
                str(f.commission),
            ]
        )
        rows.append(
            [
                day,
                batch.number,
                payable,
                *common,
                f"Vendor {invoice.vendor.name}",
                str(-f.net),
                str(-f.tax),
                str(-f.to_pay),
                invoice.currency,
                str(-f.media_gross),
                str(-f.commission),
            ]
        )
    return JOURNAL_COLUMNS, [[_safe(cell) for cell in row] for row in rows]


def batch_totals(batch: PaymentBatch) -> InvoiceFigures:
    gross = commission = tax = Decimal(0)
    for invoice in batch.invoices.prefetch_related("lines__order_line"):
        f = figures(invoice)
        gross += f.media_gross
        commission += f.commission
        tax += f.tax
    return InvoiceFigures(gross, commission, tax)


def batch_csv(batch: PaymentBatch, layout: str | None = None) -> bytes:
    header, rows = batch_rows(batch, layout)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
