"""Delivery at agency scale, on whichever database DATABASE_URL names (SQLite by default).

1. Import: a generated 1,000,000-row daily Google Ads export (~100 MB, fixed seed) into a
   campaign of 40 placements, whose rows are all distinct (day, campaign, ad group), so every
   row becomes a stored fact: the worst case. Timed against a bare load of the same rows into a
   table of the same shape (``sqlite3.executemany`` on SQLite, ``COPY`` on PostgreSQL), both
   from tuples/CSV already in memory. Peak memory (RSS) is printed too.
2. XLSX: reading a 100,000 × 10 workbook (calamine) after the zip-bomb check, in cells/s.
3. Pacing API and performance page for a campaign of 500 placements with a year of daily
   roll-up rows (182,500), through the real URL with a token / a session.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

ROWS = int(os.environ.get("BENCH_DELIVERY_ROWS", "1000000"))
SEED = 20261129
PLACEMENTS = 40
DAYS = 365
FIRST = date(2026, 1, 1)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup() -> tuple[Any, Any, list[str]]:
    from mediadesk.accounts.models import Client, Organization, User
    from mediadesk.planning.models import Campaign, Placement, PlanVersion

    org, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    user, _ = User.objects.get_or_create(
        email="bench@example.test", defaults={"organization": org, "is_org_admin": True}
    )
    client, _ = Client.objects.get_or_create(
        organization=org, code="BNCH", defaults={"name": "Bench client", "default_currency": "EUR"}
    )
    campaign = Campaign.objects.create(
        client=client,
        name="Year of search",
        code=f"BNCH-{Campaign.objects.count()}",
        start=FIRST,
        end=FIRST + timedelta(days=DAYS - 1),
        budget=Decimal("50000000"),
        currency="EUR",
        status="live",
    )
    version = PlanVersion.objects.create(
        campaign=campaign, number=1, currency="EUR", status="client_approved"
    )
    codes = [f"{campaign.code}-SRCH-{n:03d}" for n in range(PLACEMENTS)]
    Placement.objects.bulk_create(
        Placement(
            version=version,
            position=n,
            code=code,
            channel="search",
            vendor="Google Ads",
            start=campaign.start,
            end=campaign.end,
            cost_model="cpc",
            rate=Decimal("1.20"),
            quantity=Decimal("100000"),
            cost=Decimal("120000.00"),
            net_cost=Decimal("102000.00"),
            currency="EUR",
        )
        for n, code in enumerate(codes)
    )
    return user, campaign, codes


def write_export(path: Path, codes: list[str]) -> None:
    rng = random.Random(SEED)
    groups = -(-ROWS // (DAYS * len(codes)))  # ad groups per campaign so that rows are distinct
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write('Campaign report\n"January 1, 2026 - December 31, 2026"\n')
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Day",
                "Account",
                "Campaign",
                "Ad group",
                "Currency code",
                "Impr.",
                "Clicks",
                "Cost",
                "Conversions",
            ]
        )
        written = 0
        for day in range(DAYS):
            text_day = (FIRST + timedelta(days=day)).isoformat()
            for code in codes:
                for group in range(groups):
                    if written == ROWS:
                        break
                    impressions = rng.randrange(100, 20_000)
                    writer.writerow(
                        [
                            text_day,
                            "Bench account",
                            f"{code} | generic",
                            f"Ad group {group:03d}",
                            "EUR",
                            impressions,
                            impressions // 40,
                            f"{rng.randrange(100, 90_000) / 100:.2f}",
                            f"{rng.randrange(0, 500) / 100:.2f}",
                        ]
                    )
                    written += 1
        writer.writerow(["", "Total: Account", "", "", "EUR", "", "", "", ""])


def _bare_load(facts: pl.DataFrame) -> float:
    """Seconds to load the same rows into a scratch table of delivery_fact's shape, bare."""
    from django.db import connection, transaction

    from mediadesk.delivery.facts import FACT_COLUMNS

    with transaction.atomic():
        with connection.cursor() as cursor:
            # A plain table of the same columns (not TEMPORARY: that would skip the WAL).
            cursor.execute("CREATE TABLE bench_fact AS SELECT * FROM delivery_fact WHERE 1=0")
        columns = ", ".join(FACT_COLUMNS)
        if connection.vendor == "postgresql":
            payload = facts.write_csv(include_header=False, quote_style="non_numeric")
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    f"COPY bench_fact ({columns}) FROM STDIN WITH (FORMAT csv)"
                ) as copy,
            ):
                copy.write(payload)
            elapsed = time.perf_counter() - started
        else:
            rows = facts.with_columns(pl.col("day").dt.to_string("%Y-%m-%d")).rows()
            marks = ", ".join("?" for _ in FACT_COLUMNS)
            raw = connection.connection
            started = time.perf_counter()
            raw.executemany(f"INSERT INTO bench_fact ({columns}) VALUES ({marks})", rows)
            elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_fact")
    return elapsed


def bench_import(folder: Path) -> None:
    from django.db import connection

    from mediadesk.delivery import services
    from mediadesk.delivery.facts import AMOUNTS, COUNTS, FACT_COLUMNS
    from mediadesk.delivery.models import DeliveryFact
    from mediadesk.ingest.delivery.inspect import load

    user, campaign, codes = _setup()
    path = folder / "google_ads_1m.csv"
    started = time.perf_counter()
    write_export(path, codes)
    data = path.read_bytes()
    print(
        f"export: {ROWS:,} rows, {len(data) / 1e6:.0f} MB written in "
        f"{time.perf_counter() - started:.1f} s (seed {SEED}); database {connection.vendor}"
    )
    rss_before = _rss_mb()
    started = time.perf_counter()
    result = services.import_delivery(
        user, campaign, filename=path.name, data=data, today=date(2027, 1, 1)
    )
    full = time.perf_counter() - started
    upload = result.record
    stored = DeliveryFact.objects.filter(delivery_import_id=upload.pk).count()
    print(
        f"full import (parse, normalize, match, store, roll-up): {full:.2f} s "
        f"= {upload.rows / full:,.0f} rows/s; {upload.rows:,} rows, {stored:,} facts stored, "
        f"{upload.unmapped_rows:,} unmatched; peak RSS {rss_before:.0f} → {_rss_mb():.0f} MB"
    )
    # The file's rows, one stored row each (no grouping), loaded bare into a scratch table.
    frame = load(data, path.name).frame
    rows = frame.select(
        pl.lit(0).alias("delivery_import_id"),
        pl.lit(campaign.pk).alias("campaign_id"),
        pl.lit("").alias("line_key"),
        pl.col("date").alias("day"),
        "platform",
        pl.col("account"),
        pl.col("campaign").alias("source_campaign"),
        pl.col("ad_group").alias("source_ad_group"),
        pl.lit("").alias("placement_key"),
        "currency",
        *(pl.col(n).fill_null(0) for n in COUNTS),
        pl.lit(0).alias("reach"),
        *((pl.col(n).fill_null(0) * 1_000_000).cast(pl.Int64) for n in AMOUNTS),
        *(
            (pl.col(n).fill_null(0) * 1_000_000).cast(pl.Int64).alias(f"{n}_converted")
            for n in ("spend", "conversion_value")
        ),
    )
    rows.columns = list(FACT_COLUMNS)
    bare = _bare_load(rows)
    name = "COPY" if connection.vendor == "postgresql" else "sqlite3.executemany"
    print(
        f"bare {name} of the same {rows.height:,} rows: {bare:.2f} s = "
        f"{rows.height / bare:,.0f} rows/s; import / bare = {full / bare:.2f}× (target ≤ 2×)"
    )
    started = time.perf_counter()
    again = services.import_delivery(user, campaign, filename="again.csv", data=data)
    print(
        f"the same file again: duplicate={again.duplicate} in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )


def bench_xlsx(folder: Path) -> None:
    from mediadesk.ingest.safety import check_xlsx
    from mediadesk.ingest.tables import read_table

    rows, cols = 100_000, 10
    path = folder / "export.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Report")
    sheet.write_row(
        0,
        0,
        [
            "Day",
            "Campaign",
            "Ad group",
            "Currency code",
            "Impr.",
            "Clicks",
            "Cost",
            "Conversions",
            "Conv. value",
            "Video views",
        ],
    )
    for row in range(1, rows + 1):
        sheet.write_row(
            row,
            0,
            [
                f"2026-{1 + row % 12:02d}-{1 + row % 28:02d}",
                f"C{row % 40}",
                f"G{row % 300}",
                "EUR",
                row % 9000,
                row % 300,
                row % 700 / 7,
                row % 9 / 3,
                row % 5000 / 3,
                row % 800,
            ],
        )
    book.close()
    data = path.read_bytes()
    cells = (rows + 1) * cols
    started = time.perf_counter()
    check_xlsx(data, path.name)
    checked = time.perf_counter() - started
    started = time.perf_counter()
    table = read_table(data, path.name)
    read = time.perf_counter() - started
    print(
        f"xlsx {rows:,} × {cols} ({len(data) / 1e6:.1f} MB): "
        f"zip-bomb check {checked * 1000:.0f} ms, "
        f"read {read * 1000:.0f} ms = {cells / read / 1e6:.2f}M cells/s; with the check "
        f"{cells / (read + checked) / 1e6:.2f}M cells/s (target ≥ 0.7M); {len(table.rows):,} rows"
    )


def bench_pacing() -> None:
    from django.db import connection
    from django.test import Client as HttpClient

    from mediadesk.accounts.services import create_token
    from mediadesk.delivery.models import PlacementDay
    from mediadesk.planning.models import Placement, PlanVersion

    user, campaign, _ = _setup()
    version = PlanVersion.objects.get(campaign=campaign)
    Placement.objects.filter(version=version).delete()
    models = ["cpc", "cpm", "cpp", "per_spot", "flat"]
    channels = ["search", "display", "linear_tv", "radio", "ooh"]
    Placement.objects.bulk_create(
        Placement(
            version=version,
            position=n,
            code=f"{campaign.code}-L{n:03d}",
            channel=channels[n % 5],
            vendor="Vendor",
            start=campaign.start,
            end=campaign.end,
            cost_model=models[n % 5],
            rate=Decimal("10"),
            quantity=Decimal("1000") if n % 5 != 4 else Decimal(1),
            cost=Decimal("10000.00"),
            net_cost=Decimal("8500.00"),
            currency="EUR",
            universe=Decimal("1000000") if n % 5 == 2 else None,
        )
        for n in range(500)
    )
    keys = list(Placement.objects.filter(version=version).values_list("line_key", flat=True))
    rng = random.Random(SEED)
    rows = [
        PlacementDay(
            campaign=campaign,
            line_key=key,
            day=FIRST + timedelta(days=d),
            impressions=rng.randrange(1000, 9000),
            clicks=rng.randrange(0, 90),
            spend=rng.randrange(10, 60) * 1_000_000,
            grps=rng.randrange(0, 3) * 1_000_000,
            spots=rng.randrange(0, 3),
        )
        for key in keys
        for d in range(DAYS)
    ]
    PlacementDay.objects.bulk_create(rows, batch_size=5000)
    print(
        f"pacing data: 500 placements × {DAYS} days = {len(rows):,} roll-up rows "
        f"({connection.vendor})"
    )
    api = HttpClient()
    token = create_token(user, name="bench").raw
    headers = {"Authorization": f"Bearer {token}"}
    web = HttpClient()
    web.force_login(user)
    from bench.timing import measure

    def pacing() -> None:
        response = api.get(f"/api/v1/campaigns/{campaign.pk}/pacing", headers=headers)
        assert response.status_code == 200, response.content[:300]

    def performance_page() -> None:
        response = web.get(f"/campaigns/{campaign.pk}/delivery/performance/")
        assert response.status_code == 200, response.status_code

    measure(
        "GET /api/v1/campaigns/{id}/pacing (500 placements, target < 300 ms)",
        pacing,
        repeat=10,
        warmup=1,
    )
    measure(
        "GET performance page (500 placements, target < 500 ms)",
        performance_page,
        repeat=10,
        warmup=1,
    )


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="mediadesk-bench-import-") as folder:
        bench_import(Path(folder))
        bench_xlsx(Path(folder))
    bench_pacing()


if __name__ == "__main__":  # pragma: no cover
    run()
