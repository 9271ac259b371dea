"""Campaign list page, API list and exports over a large agency (5,000 campaigns, 40 clients)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bench.timing import measure
from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Membership, Organization, User
from mediadesk.accounts.services import create_token
from mediadesk.demo import load_demo
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign

CLIENTS = 40
CAMPAIGNS_PER_CLIENT = 125


def build_agency() -> tuple[User, User]:
    load_demo()
    org = Organization.objects.get(slug="demo")
    statuses = list(CampaignStatus.values)
    coordinator = User.objects.get(email="ben@demo.test")
    rows = []
    for c in range(CLIENTS):
        client = Client.objects.create(
            organization=org, name=f"Bench Client {c:02d}", code=f"B{c:02d}"
        )
        brand = Brand.objects.create(client=client, name=f"Brand {c:02d}")
        if c % 4 == 0:
            Membership.objects.create(user=coordinator, client=client, role=Role.COORDINATOR)
        for n in range(CAMPAIGNS_PER_CLIENT):
            start = date(2026, 1, 5) + timedelta(days=(n * 3) % 700)
            rows.append(
                Campaign(
                    client=client,
                    brand=brand,
                    name=f"Campaign {c:02d}-{n:03d}",
                    code=f"B{c:02d}-{n:03d}",
                    start=start,
                    end=start + timedelta(days=56),
                    budget=Decimal(50_000 + n * 250),
                    currency="EUR",
                    status=statuses[n % len(statuses)],
                    markets=["DE", "AT"],
                )
            )
    Campaign.objects.bulk_create(rows, batch_size=1000)
    alice = User.objects.get(email="alice@demo.test")
    return alice, coordinator


def run() -> None:
    started = time.perf_counter()
    alice, ben = build_agency()
    total = Campaign.objects.count()
    print(
        f"agency: {Client.objects.count()} clients, {total} campaigns "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )

    for person in (alice, ben):
        web = HttpClient()
        web.force_login(person)
        visible = Campaign.objects.visible_to(person).count()
        who = f"{person.email} ({visible} visible)"
        measure(f"list page, first 50 of {who}", lambda w=web: w.get("/campaigns/"))
        measure(
            f"list page, search 'Campaign 1' {who}",
            lambda w=web: w.get("/campaigns/", {"q": "Campaign 1", "sort": "-budget"}),
        )
        measure(
            f"CSV export of all, {who}",
            lambda w=web: w.get("/campaigns/", {"format": "csv"}),
            repeat=5,
        )
        measure(
            f"XLSX export of all, {who}",
            lambda w=web: w.get("/campaigns/", {"format": "xlsx"}),
            repeat=5,
        )

    raw = create_token(alice, name="bench").raw
    api = HttpClient(headers={"Authorization": f"Bearer {raw}"})
    measure("API GET /campaigns limit=100", lambda: api.get("/api/v1/campaigns", {"limit": 100}))
    measure(
        "API GET /campaigns limit=500 offset=4000",
        lambda: api.get("/api/v1/campaigns", {"limit": 500, "offset": 4000}),
        repeat=10,
    )
    one = Campaign.objects.order_by("id").last()
    assert one is not None
    measure("API GET /campaigns/{id}", lambda: api.get(f"/api/v1/campaigns/{one.pk}"))

    web = HttpClient()
    web.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        web.get("/campaigns/")
    print(f"queries for the list page: {len(queries)}")
