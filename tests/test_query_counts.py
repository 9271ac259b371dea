"""Query-count baselines: list pages and API lists cost the same whatever the number of rows.

If a change adds a query per row (an N+1), the counts for 10 and 60 campaigns differ and these
fail. If a change adds a fixed query, update the baseline here on purpose.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediadesk.planning.models import Campaign

PAGE_BASELINE = 8  # + the header bell's unread count (every page)
API_BASELINE = 3


def add_campaigns(demo: Any, count: int) -> None:
    brand = demo.northwind.brands.first()
    Campaign.objects.bulk_create(
        Campaign(
            client=demo.northwind if n % 2 else demo.contoso,
            brand=brand if n % 2 else None,
            name=f"Bulk {n}",
            code=f"BULK-{n}",
            start=date(2027, 1, 4) + timedelta(days=n),
            end=date(2027, 3, 28),
            budget=Decimal("1000.00"),
            currency="EUR",
        )
        for n in range(count)
    )


def count_queries(fn: Any) -> int:
    fn()  # warm up per-process caches (content types, session) so only the page is counted
    with CaptureQueriesContext(connection) as queries:
        response = fn()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["alice", "ben"])
def test_campaign_list_page_is_constant(demo: Any, client: Any, user: str) -> None:
    client.force_login(getattr(demo, user))
    add_campaigns(demo, 10)
    small = count_queries(lambda: client.get("/campaigns/"))
    Campaign.objects.filter(code__startswith="BULK-").delete()
    add_campaigns(demo, 50)
    large = count_queries(lambda: client.get("/campaigns/"))
    assert small == large
    assert large <= PAGE_BASELINE, f"campaign list page: {large} queries"


def test_campaign_api_list_is_constant(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    add_campaigns(demo, 10)
    small = count_queries(lambda: api.get("/api/v1/campaigns", limit=100))
    Campaign.objects.filter(code__startswith="BULK-").delete()
    add_campaigns(demo, 60)
    large = count_queries(lambda: api.get("/api/v1/campaigns", limit=100))
    assert small == large
    assert large <= API_BASELINE, f"campaign API list: {large} queries"


def test_campaign_export_is_constant(demo: Any, client: Any) -> None:
    client.force_login(demo.alice)
    add_campaigns(demo, 10)
    small = count_queries(lambda: client.get("/campaigns/", {"format": "xlsx"}))
    Campaign.objects.filter(code__startswith="BULK-").delete()
    add_campaigns(demo, 80)
    large = count_queries(lambda: client.get("/campaigns/", {"format": "xlsx"}))
    assert small == large


VENDOR_PAGE_BASELINE = 7
VENDOR_API_BASELINE = 5  # token, roles, count, page, contacts (one prefetch)


def add_vendors(demo: Any, count: int) -> None:
    """``count`` vendors of the demo agency, each with two contacts."""
    from mediadesk.vendors.models import Vendor, VendorContact

    vendors = Vendor.objects.bulk_create(
        Vendor(organization=demo.alice.organization, name=f"Bulk vendor {n}", kind="publisher")
        for n in range(count)
    )
    VendorContact.objects.bulk_create(
        VendorContact(vendor=vendor, name=f"Person {n}") for vendor in vendors for n in range(2)
    )


def remove_bulk_vendors() -> None:
    from mediadesk.vendors.models import Vendor

    Vendor.objects.filter(name__startswith="Bulk vendor").delete()


@pytest.mark.parametrize("user", ["alice", "ben"])
def test_vendor_list_page_is_constant(demo: Any, client: Any, user: str) -> None:
    client.force_login(getattr(demo, user))
    add_vendors(demo, 10)
    small = count_queries(lambda: client.get("/vendors/"))
    remove_bulk_vendors()
    add_vendors(demo, 30)
    large = count_queries(lambda: client.get("/vendors/"))
    assert small == large
    assert large <= VENDOR_PAGE_BASELINE, f"vendor list page: {large} queries"


def test_vendor_api_list_and_export_are_constant(demo: Any, client: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    client.force_login(demo.ben)
    add_vendors(demo, 10)
    small = count_queries(lambda: api.get("/api/v1/vendors", limit=100))
    small_export = count_queries(lambda: client.get("/vendors/", {"format": "xlsx"}))
    remove_bulk_vendors()
    add_vendors(demo, 60)
    large = count_queries(lambda: api.get("/api/v1/vendors", limit=100))
    large_export = count_queries(lambda: client.get("/vendors/", {"format": "xlsx"}))
    assert small == large
    assert large <= VENDOR_API_BASELINE, f"vendor API list: {large} queries"
    assert small_export == large_export


VENDOR_DETAIL_BASELINE = 14  # + the track record: orders, invoices (no N+1); + the bell
# The plan page; its rate checks are three of these (vendors by name, rate card lines,
# negotiated rates), whatever the number of lines.
PLAN_DETAIL_BASELINE = 14  # + the bell


def add_vendor_terms(demo: Any, vendor: Any, count: int) -> None:
    """``count`` rate cards (two lines each), negotiated rates and documents of ``vendor``."""
    from mediadesk.vendors.models import NegotiatedRate, RateCard, RateCardLine, VendorDocument

    cards = RateCard.objects.bulk_create(
        RateCard(vendor=vendor, name=f"Bulk card {n}", valid_from=date(2026, 1, 1))
        for n in range(count)
    )
    RateCardLine.objects.bulk_create(
        RateCardLine(rate_card=card, format=f"unit {n}", cost_model="cpm", rate=Decimal("1"))
        for card in cards
        for n in range(2)
    )
    NegotiatedRate.objects.bulk_create(
        NegotiatedRate(vendor=vendor, client=demo.contoso, format=f"bulk {n}", cost_model="cpm",
                       rate=Decimal("1"), currency="USD", valid_from=date(2026, 1, 1))
        for n in range(count)
    )  # fmt: skip
    VendorDocument.objects.bulk_create(
        VendorDocument(vendor=vendor, filename=f"bulk {n}.pdf", file=f"bulk/{n}.pdf",
                       content_type="application/pdf", sha256="0" * 64, uploaded_by=demo.alice,
                       expires_on=date(2026, 1, 1) if n % 2 else None)
        for n in range(count)
    )  # fmt: skip


def remove_vendor_terms() -> None:
    from mediadesk.vendors.models import NegotiatedRate, RateCard, VendorDocument

    RateCard.objects.filter(name__startswith="Bulk card").delete()
    NegotiatedRate.objects.filter(format__startswith="bulk").delete()
    VendorDocument.objects.filter(filename__startswith="bulk").delete()


@pytest.mark.parametrize("user", ["alice", "ben"])
def test_vendor_detail_page_is_constant(demo: Any, client: Any, user: str) -> None:
    from mediadesk.vendors.models import Vendor

    client.force_login(getattr(demo, user))
    vendor = Vendor.objects.get(organization=demo.alice.organization, name="Meta")
    add_vendor_terms(demo, vendor, 3)
    small = count_queries(lambda: client.get(f"/vendors/{vendor.pk}/"))
    remove_vendor_terms()
    add_vendor_terms(demo, vendor, 25)
    large = count_queries(lambda: client.get(f"/vendors/{vendor.pk}/"))
    assert small == large
    assert large <= VENDOR_DETAIL_BASELINE, f"vendor page: {large} queries"


def test_plan_detail_rate_checks_are_constant(demo: Any, client: Any) -> None:
    """The rate checks of the plan page cost the same for 6 lines as for 36."""
    from mediadesk.planning.models import Placement, PlanVersion

    client.force_login(demo.ben)
    version = PlanVersion.objects.get(campaign__code="NWND-AR26", status="draft")
    url = f"/campaigns/plans/{version.pk}/"
    small = count_queries(lambda: client.get(url))
    lines = list(version.placements.all())
    copies = []
    for n in range(6):
        for line in lines:
            line.pk = None
            line.code = f"{line.code}-{n}"
            line.line_key = f"{line.line_key[:24]}{n:08d}"
            copies.append(Placement(**{f.attname: getattr(line, f.attname)
                                       for f in Placement._meta.concrete_fields}))  # fmt: skip
    Placement.objects.bulk_create(copies)
    response = client.get(url)
    assert response.content.decode().count('rate-check"') == 5 * 7  # every line with a card
    large = count_queries(lambda: client.get(url))
    assert small == large
    assert large <= PLAN_DETAIL_BASELINE, f"plan page: {large} queries"


# session, user, roles, switcher, clients, vendors, count, page, totals, the bell
INVOICE_PAGE_BASELINE = 10
INVOICE_DETAIL_BASELINE = 12  # + the bell


def add_invoices(demo: Any, count: int, lines: int = 1) -> list[Any]:
    """``count`` invoices of Northwind and Contoso, each with ``lines`` lines, a note and an
    approval, made directly (the pages only read them)."""
    from mediadesk.finance.models import Invoice, InvoiceApproval, InvoiceLine, InvoiceNote
    from mediadesk.vendors.models import Vendor

    vendors = list(Vendor.objects.filter(organization=demo.alice.organization)[:3])
    invoices = Invoice.objects.bulk_create(
        Invoice(
            client=demo.northwind if n % 2 else demo.contoso,
            vendor=vendors[n % 3],
            number=f"BULK-INV-{n}",
            invoice_date=date(2026, 11, 1) + timedelta(days=n % 20),
            currency="EUR" if n % 2 else "USD",
            total=Decimal("100.00"),
            source="form",
            status="discrepancy",
            discrepancies=[{"kind": "total", "amount": "1", "message": "x"}],
        )
        for n in range(count)
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=p,
            placement_code=f"CODE-{p}",
            month=date(2026, 10, 1),
            amount=Decimal("10.00"),
            status="discrepancy",
            discrepancies=[{"kind": "unordered", "amount": "10", "message": "Not ordered."}],
        )
        for invoice in invoices
        for p in range(1, lines + 1)
    )
    InvoiceNote.objects.bulk_create(
        InvoiceNote(invoice=invoice, text=f"Note {n}", created_by=demo.cara)
        for invoice in invoices
        for n in range(lines)
    )
    InvoiceApproval.objects.bulk_create(
        InvoiceApproval(invoice=invoice, approved_by=user)
        for invoice in invoices
        for user in (demo.cara, demo.alice)[: min(lines, 2)]
    )
    return invoices


def remove_bulk_invoices() -> None:
    from mediadesk.finance.models import Invoice

    Invoice.objects.filter(number__startswith="BULK-INV-").delete()


@pytest.mark.parametrize("user", ["alice", "cara"])
def test_invoice_list_page_is_constant(demo: Any, client: Any, user: str) -> None:
    client.force_login(getattr(demo, user))
    add_invoices(demo, 10)
    small = count_queries(lambda: client.get("/invoices/"))
    small_export = count_queries(lambda: client.get("/invoices/", {"format": "xlsx"}))
    remove_bulk_invoices()
    add_invoices(demo, 45)
    large = count_queries(lambda: client.get("/invoices/"))
    large_export = count_queries(lambda: client.get("/invoices/", {"format": "xlsx"}))
    assert small == large
    assert small_export == large_export
    assert large <= INVOICE_PAGE_BASELINE, f"invoice list page: {large} queries"


def test_invoice_detail_page_is_constant(demo: Any, client: Any) -> None:
    client.force_login(demo.cara)
    one = add_invoices(demo, 1, lines=1)[0]
    small = count_queries(lambda: client.get(f"/invoices/{one.pk}/"))
    remove_bulk_invoices()
    many = add_invoices(demo, 1, lines=12)[0]
    large = count_queries(lambda: client.get(f"/invoices/{many.pk}/"))
    assert small == large
    assert large <= INVOICE_DETAIL_BASELINE, f"invoice detail page: {large} queries"


# session, user, roles, the filters' vendors and clients, count, page, lines, adjustments, nav,
# the bell
ORDER_LIST_BASELINE = 11
ORDER_DETAIL_BASELINE = 13
CAMPAIGN_ORDERS_BASELINE = 11


def add_orders(demo: Any, count: int, lines: int = 3, prefix: str = "") -> list[Any]:
    """``count`` sent IOs of Northwind's NWND-AR26 with ``lines`` lines, each with a makegood
    and a cancellation, made directly."""
    from mediadesk.orders.models import InsertionOrder, LineAdjustment, OrderLine
    from mediadesk.planning.models import PlanVersion
    from mediadesk.vendors.models import Vendor

    version = PlanVersion.objects.filter(campaign__code="NWND-AR26").order_by("number")[0]
    placement = version.placements.first()
    vendors = list(Vendor.objects.filter(organization=demo.ben.organization)[:3])
    orders = [
        InsertionOrder.objects.create(
            client=demo.northwind, campaign=version.campaign, plan_version=version,
            vendor=vendors[n % 3], vendor_contact=vendors[n % 3].contacts.first(),
            number=f"IO-BULK-{prefix}{n:04d}", currency=placement.currency, payment_terms="net_30",
            status="sent", agency_contact=demo.ben, created_by=demo.ben,
        )
        for n in range(count)
    ]  # fmt: skip
    made = OrderLine.objects.bulk_create(
        OrderLine(
            order=order, placement=placement, line_key=f"k{n}", position=n,
            code=f"{placement.code}-{n}", description="bulk", channel=placement.channel,
            start=placement.start, end=placement.end, cost_model=placement.cost_model,
            rate=placement.rate, quantity=placement.quantity, cost=placement.cost,
            commission_percent=placement.commission_percent, net_cost=placement.net_cost,
        )
        for order in orders
        for n in range(lines)
    )  # fmt: skip
    LineAdjustment.objects.bulk_create(
        LineAdjustment(line=line, kind=kind, quantity=Decimal("1"), cost=Decimal("1"),
                       effective=line.start, note="bulk", created_by=demo.ben)
        for line in made
        for kind in ("makegood", "cancellation")
    )  # fmt: skip
    return orders


def remove_bulk_orders() -> None:
    from mediadesk.orders.models import InsertionOrder

    for order in InsertionOrder.objects.filter(number__startswith="IO-BULK-"):
        order.lines.all().delete()
        order.delete()


@pytest.mark.parametrize("user", ["alice", "ben", "cara"])
def test_order_list_page_and_export_are_constant(demo: Any, client: Any, user: str) -> None:
    client.force_login(getattr(demo, user))
    add_orders(demo, 5)
    small = count_queries(lambda: client.get("/orders/"))
    small_export = count_queries(lambda: client.get("/orders/", {"format": "xlsx"}))
    remove_bulk_orders()
    add_orders(demo, 30)
    large = count_queries(lambda: client.get("/orders/"))
    large_export = count_queries(lambda: client.get("/orders/", {"format": "xlsx"}))
    assert small == large
    assert small_export == large_export
    assert large <= ORDER_LIST_BASELINE, f"order list page: {large} queries"


@pytest.mark.parametrize("user", ["alice", "ben", "cara"])
def test_order_detail_and_campaign_tab_are_constant(demo: Any, client: Any, user: str) -> None:
    client.force_login(getattr(demo, user))
    small_order = add_orders(demo, 1, lines=2, prefix="S")[0]
    large_order = add_orders(demo, 1, lines=25, prefix="L")[0]
    small = count_queries(lambda: client.get(f"/orders/{small_order.pk}/"))
    large = count_queries(lambda: client.get(f"/orders/{large_order.pk}/"))
    campaign_tab = f"/campaigns/{small_order.campaign_id}/orders/"
    tab_small = count_queries(lambda: client.get(campaign_tab))
    add_orders(demo, 10)
    tab_large = count_queries(lambda: client.get(campaign_tab))
    assert small == large
    assert large <= ORDER_DETAIL_BASELINE, f"order detail page: {large} queries"
    assert tab_small == tab_large
    assert tab_large <= CAMPAIGN_ORDERS_BASELINE, f"campaign orders tab: {tab_large} queries"
