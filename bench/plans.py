"""A big plan: 500 placements over 52 weeks, read as a flowchart through the API and the page."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bench.timing import measure
from mediadesk.accounts.models import Client, Organization, User
from mediadesk.accounts.services import create_token
from mediadesk.demo import load_demo
from mediadesk.planning.choices import Channel, Flighting
from mediadesk.planning.exchange import export_pdf, export_xlsx
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.planning.services import import_plan

PLACEMENTS = 500
START = date(2027, 1, 4)  # a Monday: 52 weeks to 2027-01-02
END = START + timedelta(weeks=52, days=-1)


def build_plan(placements: int = PLACEMENTS, code: str = "AO27") -> PlanVersion:
    load_demo()
    org = Organization.objects.get(slug="demo")
    client, _ = Client.objects.get_or_create(
        organization=org, code="BPLAN", defaults={"name": "Bench Plan Client"}
    )
    campaign = Campaign.objects.create(
        client=client, name=f"Always-on 2027 ({code})", code=code, start=START, end=END,
        budget=Decimal("50000000"), currency="EUR",
    )  # fmt: skip
    version = PlanVersion.objects.create(campaign=campaign, number=1, currency="EUR")
    rng = random.Random(7)
    channels = list(Channel.values)
    rows = []
    for n in range(placements):
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
        cost = (quantity / 1000 * Decimal("9.50")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(
            Placement(
                version=version, position=n, code=f"{code}-{n:04d}",
                channel=channels[n % len(channels)],
                vendor=f"Vendor {n % 37}", market="DE", start=start, end=end,
                flighting=Flighting.PULSING if pulsing else Flighting.CONTINUOUS, weights=weights,
                cost_model="cpm", rate=Decimal("9.50"), quantity=quantity, cost=cost,
                net_cost=(cost * Decimal("0.85")).quantize(Decimal("0.01"), ROUND_HALF_UP),
                currency="EUR",
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

    placements = list(version.placements.all())
    measure("XLSX export of the 500-line plan (week grid, formulas)",
            lambda: export_xlsx(version, placements), repeat=5)  # fmt: skip
    measure("PDF of the 500-line plan", lambda: export_pdf(version, placements), repeat=1,
            warmup=0)  # fmt: skip

    big = build_plan(5000, "BIG27")
    workbook = export_xlsx(big, list(big.placements.all()))
    target = Campaign.objects.create(
        client=big.campaign.client, name="Import target", code="IMP27", start=START, end=END,
        budget=Decimal("1"), currency="EUR",
    )  # fmt: skip
    print(f"workbook of 5,000 lines: {len(workbook) / 1_048_576:.1f} MB")
    started = time.perf_counter()
    upload = import_plan(alice, target, filename="big.xlsx", data=workbook)
    elapsed = time.perf_counter() - started
    label = "import of a 5,000-line workbook (read, check, save)"
    outcome = f"{upload.get_outcome_display()}, {upload.rows} lines"
    print(f"{label:<64} {elapsed * 1000:8.1f} ms   ({outcome})")
