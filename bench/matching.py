"""The 3-way match at scale: 10,000 invoice lines against 20,000 IO lines over 12 months
(fixed seed), with delivery for every line and month. Target (issue 5): under 5 s."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from functools import partial

from bench.timing import measure
from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.matching import (
    BilledLine,
    Delivered,
    LineMonth,
    MatchStatus,
    OrderedLine,
    match_invoice,
)

SEED = 20261129
ORDERED = 20_000
BILLED = 10_000
MONTHS = [(2026, month) for month in range(1, 13)]
MODELS = [CostModel.CPM, CostModel.CPC, CostModel.CPP, CostModel.PER_SPOT, CostModel.FLAT]


def build() -> tuple[list[BilledLine], list[OrderedLine], dict[LineMonth, Delivered]]:
    rng = random.Random(SEED)
    ordered: list[OrderedLine] = []
    delivered: dict[LineMonth, Delivered] = {}
    for n in range(ORDERED):
        month = MONTHS[n % 12]
        model = MODELS[n % len(MODELS)]
        quantity = Decimal(1) if model is CostModel.FLAT else Decimal(rng.randrange(100, 200_000))
        rate = Decimal(rng.randrange(100, 5_000)) / 100
        per = 1000 if model is CostModel.CPM else 1
        cost = (quantity * rate / per).quantize(Decimal("0.01"))
        key = f"L{n:05d}"
        ordered.append(OrderedLine(key=key, cost_model=model, rate=rate, quantity=quantity,
                                   cost=cost, currency="EUR", month=month,
                                   start=date(*month, 1), end=date(*month, 28)))  # fmt: skip
        share = Decimal(rng.randrange(80, 110)) / 100
        delivered[(key, month)] = Delivered(quantity=(quantity * share).quantize(Decimal(1)))
    billed = [
        BilledLine(key=line.key, amount=line.cost, currency="EUR", month=line.month or MONTHS[0])
        for line in rng.sample(ordered, BILLED)
    ]
    return billed, ordered, delivered


def run() -> None:
    billed, ordered, delivered = build()
    results = match_invoice(billed, ordered, delivered)
    off = sum(result.status is MatchStatus.DISCREPANCY for result in results)
    print(f"{len(billed):,} invoice lines against {len(ordered):,} IO lines over 12 months: "
          f"{len(results):,} results, {off:,} in discrepancy (seed {SEED})")  # fmt: skip
    measure(
        "match_invoice 10,000 × 20,000 (target < 5 s)",
        partial(match_invoice, billed, ordered, delivered),
        repeat=3,
        warmup=1,
    )
