"""The issue's acceptance through the API, on the demo agency with its delivery and money."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from mediadesk.delivery.demo import load_demo_delivery
from mediadesk.finance.demo import load_demo_finance
from mediadesk.finance.models import Invoice
from mediadesk.orders.choices import OrderStatus
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.models import Placement

TODAY = date(2026, 11, 29)


@pytest.fixture
def books(demo: Any) -> Any:
    load_demo_delivery(demo.ben, TODAY)
    load_demo_finance(demo.ben, demo.cara, demo.alice, TODAY)
    mail.outbox.clear()
    return demo


def test_demo_orders_in_every_status(books: Any) -> None:
    statuses = set(InsertionOrder.objects.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values)
    revised = InsertionOrder.objects.get(revision=2)
    assert revised.previous is not None and revised.previous.status == OrderStatus.REVISED
    assert revised.lines.exclude(change="unchanged").exists()


def test_io_pdf_names_vendor_lines_and_total(books: Any, api_as: Any) -> None:
    order = InsertionOrder.objects.filter(status=OrderStatus.ACCEPTED).first()
    assert order is not None
    response = api_as(books.ben).get(f"/api/v1/insertion-orders/{order.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert order.vendor.name in flat
    for line in order.lines.all():
        assert line.code in flat.replace(" ", "") or line.code in flat
    assert f"{order.total:,.2f}" in flat


def test_duplicate_number_answers_409_naming_the_existing(books: Any, api_as: Any) -> None:
    existing = Invoice.objects.exclude(status="paid").first()
    assert existing is not None
    line = existing.lines.first()
    body = {
        "vendor": existing.vendor_id,
        "number": existing.number,
        "invoice_date": "2026-11-20",
        "currency": existing.currency,
        "total": "10.00",
        "lines": [{"placement": line.placement_code, "month": "2026-10", "amount": "10.00"}],
    }
    before = Invoice.objects.count()
    response = api_as(books.cara).post("/api/v1/invoices", body)
    assert response.status_code == 409
    assert existing.number in response.json()["detail"]
    assert response.json()["existing"]["id"] == existing.pk
    assert Invoice.objects.count() == before


def test_over_billed_and_under_delivered_are_discrepancies_of_billed_minus_payable(
    books: Any, api_as: Any
) -> None:
    listed = api_as(books.cara).get("/api/v1/invoices", status="discrepancy").json()["items"]
    assert len(listed) >= 2  # the over-billed one and the under-delivered one
    for item in listed:
        for line in item["lines"]:
            billed, owed = Decimal(line["amount"]), Decimal(line["payable"])
            assert line["discrepancies"], line
            assert Decimal(line["discrepancies"][0]["amount"]) == billed - owed
            assert Decimal(line["difference"]) == billed - owed
        assert item["discrepancies"]


def test_approve_and_export_a_batch(books: Any, api_as: Any) -> None:
    matched = Invoice.objects.get(client=books.northwind, status="matched")
    cara = api_as(books.cara)
    response = cara.post(f"/api/v1/invoices/{matched.pk}/approve", {"comment": "ok"})
    assert response.status_code == 200
    if response.json()["status"] != "approved":  # above the client's limit: a second approver
        assert cara.post(f"/api/v1/invoices/{matched.pk}/approve", {}).status_code == 409
        response = api_as(books.alice).post(f"/api/v1/invoices/{matched.pk}/approve", {})
    assert response.json()["status"] == "approved"
    made = cara.post("/api/v1/payment-batches", {"client": matched.client_id})
    assert made.status_code == 201, made.json()
    batch = made.json()
    assert batch["invoices"] == [matched.pk]
    for layout in ("mediadesk", "journal"):
        exported = cara.get(f"/api/v1/payment-batches/{batch['id']}/export", layout=layout)
        rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
        if layout == "mediadesk":
            assert sum(Decimal(r["media_gross"]) for r in rows) == matched.total
            assert sum(Decimal(r["tax"]) for r in rows) == matched.tax
            assert Decimal(batch["amount_to_pay"]) == sum(Decimal(r["amount_to_pay"]) for r in rows)
        else:
            assert sum(Decimal(r["gross"]) for r in rows) == 0  # debits equal credits
            debit = [r for r in rows if Decimal(r["net"]) > 0]
            assert sum(Decimal(r["media_gross"]) for r in debit) == matched.total
    matched.refresh_from_db()
    assert matched.status == "exported"


def test_close_reconciles_with_plan_delivery_and_invoices(books: Any, api_as: Any) -> None:
    client = books.northwind
    response = api_as(books.cara).get(
        f"/api/v1/clients/{client.pk}/close", month="2026-10", to_date="true"
    )
    assert response.status_code == 200
    totals = response.json()["totals"]["EUR"]
    from mediadesk.finance.ledger import approved_versions
    from mediadesk.planning.models import Campaign

    campaigns = list(Campaign.objects.filter(client=client, archived_at=None))
    versions = approved_versions(campaigns)
    planned = Decimal(0)
    from mediadesk.finance.ledger import _monthly
    from mediadesk.planning.plans import weights_of

    for placement in Placement.objects.filter(version__in=list(versions.values())):
        months = _monthly(
            placement.cost, placement.start, placement.end, weights_of(placement), "EUR"
        )
        planned += sum((v for m, v in months.items() if m <= (2026, 10)), Decimal(0))
    assert Decimal(totals["planned"]["gross"]) == planned
    invoiced = sum(
        (
            line.amount
            for invoice in Invoice.objects.filter(client=client)
            for line in invoice.lines.all()
            if (line.month.year, line.month.month) <= (2026, 10)
        ),
        Decimal(0),
    )
    assert Decimal(totals["invoiced"]["gross"]) == invoiced
    delivered = Decimal(totals["delivered"]["gross"])
    assert delivered > 0
    # Delivered to date is what the accepted IOs allow for what ran by the end of October,
    # worked out line by line from the delivery (flat fees: as their flight runs).
    from mediadesk.finance.demo import _payable_to_date, _planned_months
    from mediadesk.orders.models import OrderLine

    expected = Decimal(0)
    for line in OrderLine.objects.filter(order__client=client, order__status="accepted"):
        if line.cost_model == "flat":
            expected += sum((v for m, v in _planned_months(line).items() if m <= (2026, 10)),
                            Decimal(0))  # fmt: skip
        elif (line.start.year, line.start.month) <= (2026, 10):
            expected += _payable_to_date(line, (2026, 10))
    assert delivered == expected
    accrual = Decimal(totals["accrual"]["gross"]) - Decimal(totals["over_invoiced"]["gross"])
    assert accrual == delivered - invoiced
    # Another client's close is not there for Dan (a Northwind reviewer) or Ben on Fabrikam.
    assert (
        api_as(books.dan).get(f"/api/v1/clients/{client.pk}/close", month="2026-10").status_code
        == 404
    )
    assert (
        api_as(books.ben)
        .get(f"/api/v1/clients/{books.fabrikam.pk}/close", month="2026-10")
        .status_code
        == 404
    )


def test_bad_month_is_explained(books: Any, api_as: Any) -> None:
    response = api_as(books.cara).get(f"/api/v1/clients/{books.northwind.pk}/close", month="Oct")
    assert response.status_code == 422
    assert "YYYY-MM" in str(response.json())


def test_demo_duplicate_was_caught_and_kept(books: Any) -> None:
    from mediadesk.finance.models import InvoiceImport

    refused = InvoiceImport.objects.get(imported=False)
    assert "already recorded" in refused.problems[0]
    assert Invoice.objects.filter(client=books.northwind, status="matched").count() == 1


def test_vendor_page_shows_its_track_record(books: Any, web_as: Any) -> None:
    from mediadesk.finance.services import dispute

    over = Invoice.objects.filter(status="discrepancy").first()
    assert over is not None
    dispute(books.cara, over, "Billed above the delivered impressions; please credit.")
    page = web_as(books.cara).get(over.vendor.get_absolute_url()).content.decode()
    assert "Track record" in page and "Invoice accuracy" in page
    assert "please credit" in page
    order = InsertionOrder.objects.filter(vendor=over.vendor, status="accepted").first()
    assert order is not None and order.number in page
    # Dan (a Northwind client reviewer) has no vendor pages; Ben (no Fabrikam role) sees no
    # Fabrikam order on a vendor's record.
    assert web_as(books.dan).get(over.vendor.get_absolute_url()).status_code == 404
