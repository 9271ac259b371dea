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

PAGE_BASELINE = 7
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
