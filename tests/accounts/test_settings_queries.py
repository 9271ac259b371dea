"""Query-count baselines for Settings: the client list costs the same for 5 or 40 clients.

Same idea as tests/test_query_counts.py: an N+1 makes the small and large counts differ.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Membership
from mediadesk.planning.models import Campaign

PAGE_BASELINE = 5  # the notification bell counts the unread ones
API_BASELINE = 4


def add_clients(demo: Any, count: int) -> None:
    """Clients with brands, people (Ben among them) and a campaign each."""
    clients = Client.objects.bulk_create(
        Client(organization=demo.northwind.organization, name=f"Bulk {n}", code=f"BULK{n}")
        for n in range(count)
    )
    Brand.objects.bulk_create(
        Brand(client=client, name=f"Brand {k}") for client in clients for k in range(3)
    )
    Membership.objects.bulk_create(
        Membership(user=person, client=client, role=Role.COORDINATOR)
        for client in clients
        for person in (demo.ben, demo.cara)
    )
    Campaign.objects.bulk_create(
        Campaign(
            client=client,
            name=f"Bulk campaign {client.code}",
            code=f"C-{client.code}",
            start=date(2027, 1, 4),
            end=date(2027, 3, 28),
            budget=Decimal("1000.00"),
            currency="EUR",
        )
        for client in clients
    )


def remove_bulk() -> None:
    bulk = Client.objects.filter(code__startswith="BULK")
    Campaign.objects.filter(client__in=bulk).delete()
    Brand.objects.filter(client__in=bulk).delete()
    Membership.objects.filter(client__in=bulk).delete()
    bulk.delete()


def count_queries(fn: Any) -> int:
    fn()  # warm up per-process caches (content types, session) so only the page is counted
    with CaptureQueriesContext(connection) as queries:
        response = fn()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["alice", "ben", "dan"])
def test_settings_index_is_constant(demo: Any, client: Any, user: str) -> None:
    client.force_login(getattr(demo, user))
    add_clients(demo, 5)
    small = count_queries(lambda: client.get("/settings/"))
    remove_bulk()
    add_clients(demo, 40)
    response = client.get("/settings/")
    if user != "dan":
        assert len(response.context["rows"]) >= 40  # the new clients are really listed
    large = count_queries(lambda: client.get("/settings/"))
    assert small == large
    assert large <= PAGE_BASELINE, f"settings index: {large} queries"


def test_client_page_is_constant_in_brands_and_people(demo: Any, client: Any) -> None:
    client.force_login(demo.alice)
    url = f"/settings/clients/{demo.northwind.pk}/"
    small = count_queries(lambda: client.get(url))
    Brand.objects.bulk_create(Brand(client=demo.northwind, name=f"Extra {n}") for n in range(30))
    Membership.objects.bulk_create(
        Membership(user=user, client=demo.northwind, role=Role.VIEWER)
        for user in [
            type(demo.alice).objects.create_user(
                f"p{n}@demo.test", "pw-x-1", organization=demo.alice.organization
            )
            for n in range(20)
        ]
    )
    large = count_queries(lambda: client.get(url))
    assert small == large


def test_clients_api_list_is_constant(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    add_clients(demo, 5)
    small = count_queries(lambda: api.get("/api/v1/clients", limit=100))
    remove_bulk()
    add_clients(demo, 60)
    response = api.get("/api/v1/clients", limit=100)
    assert response.json()["count"] == 63
    large = count_queries(lambda: api.get("/api/v1/clients", limit=100))
    assert small == large
    assert large <= API_BASELINE, f"clients API list: {large} queries"
