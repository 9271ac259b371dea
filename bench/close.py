"""Month-end close for a client with 2,000 placements over 12 months (fixed seed).
Target (issue 5): the close under 2 s."""

from __future__ import annotations

import random
from decimal import Decimal
from functools import partial

from bench.timing import measure
from mediadesk.domain.close import LedgerLine, close_month, close_to_date, five_numbers

SEED = 20261129
PLACEMENTS = 2_000
MONTHS = [(2026, month) for month in range(1, 13)]


def build() -> list[LedgerLine]:
    rng = random.Random(SEED)
    lines = []
    for n in range(PLACEMENTS):
        for month in MONTHS:
            planned = Decimal(rng.randrange(100_000, 5_000_000)) / 100
            delivered = (planned * Decimal(rng.randrange(80, 110)) / 100).quantize(Decimal("0.01"))
            invoiced = delivered if rng.random() < 0.7 else Decimal(0)
            lines.append(
                LedgerLine(key=f"P{n:04d}", month=month, currency="EUR", planned_gross=planned,
                           booked_gross=planned, delivered_gross=delivered,
                           invoiced_gross=invoiced, paid_gross=invoiced,
                           commission_percent=Decimal(15))
            )  # fmt: skip
    return lines


def run() -> None:
    lines = build()
    november = [line for line in lines if line.month == (2026, 11)]
    report = close_month(november, (2026, 11))
    print(f"{PLACEMENTS:,} placements × 12 months = {len(lines):,} ledger lines; November "
          f"accruals {report.totals['EUR'].accrual.gross:,} EUR (seed {SEED})")  # fmt: skip
    measure("close_month, 2,000 placements (target < 2 s)",
            partial(close_month, november, (2026, 11)), repeat=5, warmup=1)  # fmt: skip
    measure("close_to_date through November, 2,000 × 11 months",
            partial(close_to_date, lines, (2026, 11)), repeat=3, warmup=1)  # fmt: skip
    measure("five numbers of 24,000 ledger lines",
            partial(five_numbers, lines), repeat=3, warmup=1)  # fmt: skip
