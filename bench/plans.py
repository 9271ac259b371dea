"""A big plan: 500 placements over 52 weeks, read as a flowchart through the API and the page."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bench.timing import measure
from mediadesk.accounts.models import Client, Organization, User
from mediadesk.accounts.services import create_token
from mediadesk.demo import load_demo
from mediadesk.planning.choices import Channel, Flighting
from mediadesk.planning.models import Campaign, Placement, PlanVersion

PLACEMENTS = 500
START = date(2027, 1, 4)  # a Monday: 52 weeks to 2027-01-02
END = START + timedelta(weeks=52, days=-1)


def build_plan() -> PlanVersion:
    load_demo()
    org = Organization.objects.get(slug="demo")
    client = Client.objects.create(organization=org, name="Bench Plan Client", code="BPLAN")
    campaign = Campaign.objects.create(
        client=client, name="Always-on 2027", code="AO27", start=START, end=END,
        budget=Decimal("50000000"), currency="EUR",
    )  # fmt: skip
    version = PlanVersion.objects.create(campaign=campaign, number=1, currency="EUR")
    rng = random.Random(7)
    channels = list(Channel.values)
    rows = []
    for n in range(PLACEMENTS):
        first = rng.randrange(0, 40)
        weeks = rng.randrange(4, 52 - first + 1)
        start = START + timedelta(weeks=first, days=rng.randrange(0, 7))
        end = min(END, START + timedelta(weeks=first + weeks, days=-1))
        pulsing = n % 4 == 0
        weights = {}
        if pulsing:
            monday = start - timedelta(days=start.weekday())
            while monday <= end:
                weights[monday.isoformat()] = "0" if rng.random() < 0.3 else "1"
                monday += timedelta(weeks=1)
            weights[(start - timedelta(days=start.weekday())).isoformat()] = "1"
        quantity = Decimal(rng.randrange(100_000, 5_000_000))
        cost = (quantity / 1000 * Decimal("9.50")).quantize(Decimal("0.01"))
        rows.append(
            Placement(
                version=version, position=n, code=f"AO27-{n:04d}",
                channel=channels[n % len(channels)],
                vendor=f"Vendor {n % 37}", market="DE", start=start, end=end,
                flighting=Flighting.PULSING if pulsing else Flighting.CONTINUOUS, weights=weights,
                cost_model="cpm", rate=Decimal("9.50"), quantity=quantity, cost=cost,
                net_cost=(cost * Decimal("0.85")).quantize(Decimal("0.01")), currency="EUR",
            )
        )  # fmt: skip
    Placement.objects.bulk_create(rows)
    return version


def run() -> None:
    version = build_plan()
    alice = User.objects.get(email="alice@demo.test")
    api = HttpClient(headers={"Authorization": f"Bearer {create_token(alice, name='bench').raw}"})
    web = HttpClient()
    web.force_login(alice)
    url = f"/api/v1/plans/{version.pk}/flowchart"
    print(f"plan: {PLACEMENTS} placements, {START} .. {END} (52 weeks)")
    for calendar in ("calendar", "broadcast"):
        measure(
            f"API flowchart, {calendar} weeks", lambda c=calendar: api.get(url, {"calendar": c})
        )
    measure("flowchart page (HTML), calendar weeks",
            lambda: web.get(f"/campaigns/plans/{version.pk}/flowchart/"), repeat=10)  # fmt: skip
    measure("API plan with 500 placements", lambda: api.get(f"/api/v1/plans/{version.pk}"))
    with CaptureQueriesContext(connection) as queries:
        api.get(url)
    print(f"queries for the API flowchart: {len(queries)}")
