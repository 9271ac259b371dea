"""Insertion orders and the month-end close on the database (fixed seeds).

Targets (issue 5): an IO PDF of 200 lines under 3 s; the month-end close for a client with
2,000 placements under 2 s (here from the database: plan, accepted IOs, daily delivery and
invoice lines loaded, then the pure close of domain/close.py).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from bench.plans import build_plan
from bench.timing import measure
from mediadesk.accounts.models import User
from mediadesk.delivery.models import PlacementDay
from mediadesk.finance.close import close_report
from mediadesk.finance.models import Invoice, InvoiceLine
from mediadesk.orders.documents import order_pdf
from mediadesk.orders.models import InsertionOrder, OrderLine
from mediadesk.orders.services import generate_orders
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import PlanVersion
from mediadesk.vendors.models import Vendor

SEED = 20261129


def approved_plan(placements: int, code: str, vendors: int) -> PlanVersion:
    version = build_plan(placements, code)
    for n, placement in enumerate(version.placements.all()):
        placement.vendor = f"Bench Vendor {n % vendors}"
        placement.save(update_fields=["vendor"])
    organization = version.campaign.client.organization
    for n in range(vendors):
        Vendor.objects.get_or_create(organization=organization, name=f"Bench Vendor {n}")
    version.status = PlanStatus.CLIENT_APPROVED
    version.save(update_fields=["status"])
    return version


def book_and_bill(version: PlanVersion, admin: User) -> None:
    """Accept every IO, post a month of delivery per line and month, and bill most of it."""
    orders = generate_orders(admin, version)
    InsertionOrder.objects.filter(pk__in=[o.pk for o in orders]).update(status="accepted")
    rng = random.Random(SEED)
    days: list[PlacementDay] = []
    invoices: dict[tuple[int, tuple[int, int]], Invoice] = {}
    lines: list[InvoiceLine] = []
    for line in OrderLine.objects.filter(order__in=orders).select_related("order"):
        day = line.start
        while day <= min(line.end, date(2027, 6, 30)):
            days.append(
                PlacementDay(campaign_id=version.campaign_id, line_key=line.line_key, day=day,
                             impressions=rng.randrange(5_000, 60_000),
                             spend=rng.randrange(50, 600) * 1_000_000)
            )  # fmt: skip
            if day.day == 1 and rng.random() < 0.7:
                key = (line.order.vendor_id, (day.year, day.month))
                if key not in invoices:
                    invoices[key] = Invoice.objects.create(
                        client=version.campaign.client, vendor=line.order.vendor,
                        number=f"B-{line.order.vendor_id}-{day:%Y%m}", invoice_date=day,
                        currency="EUR", total=Decimal(0), source="import",
                    )  # fmt: skip
                lines.append(
                    InvoiceLine(invoice=invoices[key], placement_code=line.code, order_line=line,
                                month=day, amount=Decimal(rng.randrange(1_000, 90_000)))
                )  # fmt: skip
            day += timedelta(days=1)
    PlacementDay.objects.bulk_create(days, batch_size=5_000)
    InvoiceLine.objects.bulk_create(lines, batch_size=5_000)
    print(f"  {len(days):,} delivery days, {len(invoices):,} invoices with {len(lines):,} lines")


def run() -> None:
    admin = User.objects.get(email="alice@demo.test") if User.objects.exists() else None
    version = approved_plan(200, "IO27", vendors=1)
    admin = admin or User.objects.get(email="alice@demo.test")
    order = generate_orders(admin, version)[0]
    size = len(order_pdf(order))
    print(f"IO {order.number}: {order.lines.count()} lines, PDF {size / 1024:.0f} kB")
    measure("IO PDF of 200 lines (target < 3 s)", partial(order_pdf, order), repeat=3, warmup=1)

    big = approved_plan(2_000, "CL27", vendors=37)
    book_and_bill(big, admin)
    client = big.campaign.client
    report = close_report(client, (2027, 3))
    print(f"  close of March 2027: {len(report.lines):,} placements, accrual "
          f"{report.totals['EUR'].accrual.gross:,} EUR")  # fmt: skip
    measure("month-end close from the database, 2,000 placements (target < 2 s)",
            partial(close_report, client, (2027, 3), today=date(2027, 7, 1)),
            repeat=3, warmup=1)  # fmt: skip
    measure("close to date through June, 2,000 placements",
            partial(close_report, client, (2027, 6), to_date=True, today=date(2027, 7, 1)),
            repeat=3, warmup=1)  # fmt: skip
    import_run(admin)


def invoice_file(lines: list[OrderLine], per_invoice: int = 20) -> bytes:
    """A vendor invoice file billing each of ``lines`` for the first month of its flight,
    ``per_invoice`` lines to an invoice."""
    rows = ["vendor,invoice_number,invoice_date,currency,io_number,placement,month,amount"]
    by_vendor: dict[int, list[OrderLine]] = {}
    for line in lines:
        by_vendor.setdefault(line.order.vendor_id, []).append(line)
    for vendor_lines in by_vendor.values():
        for start in range(0, len(vendor_lines), per_invoice):
            chunk = vendor_lines[start : start + per_invoice]
            number = f"B{chunk[0].order.vendor_id}-{start // per_invoice:04d}"
            for line in chunk:
                rows.append(
                    f"{line.order.vendor.name},{number},2027-12-31,EUR,{line.order.number},"
                    f"{line.code},{line.start:%Y-%m},{(line.cost / 12).quantize(Decimal('0.01'))}"
                )
    return ("\r\n".join(rows) + "\r\n").encode()


def import_run(admin: User) -> None:
    """10,000 invoice lines through the import (read, save, match) against 20,000 IO lines."""
    import time

    from mediadesk.finance.services import import_invoices

    version = approved_plan(20_000, "MT27", vendors=37)
    orders = generate_orders(admin, version)
    InsertionOrder.objects.filter(pk__in=[o.pk for o in orders]).update(status="accepted")
    lines = list(
        OrderLine.objects.filter(order__in=orders)
        .select_related("order__vendor")
        .order_by("id")[:10_000]
    )
    data = invoice_file(lines)
    started = time.perf_counter()
    made = import_invoices(admin, data, "march.csv")
    took = time.perf_counter() - started
    matched = sum(1 for invoice in made if invoice.status == "matched")
    # Nothing has run yet, so billing a twelfth of each line is over-billing: every invoice is
    # matched in full and found in discrepancy (the slower path: every sentence is written).
    print(f"import of {len(lines):,} invoice lines in {len(made):,} invoices against "
          f"{OrderLine.objects.filter(order__in=orders).count():,} IO lines: {took * 1000:,.0f} ms "
          f"({len(lines) / took:,.0f} lines/s), {matched} matched, {len(made) - matched} with "
          f"discrepancies (target for the match < 5 s)")  # fmt: skip
