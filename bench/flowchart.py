"""Flowchart grid of a big plan: 500 lines × 52 weeks (about 30,000 slices), pure Python."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from bench.timing import measure
from mediadesk.domain.flighting import Slice
from mediadesk.domain.flowchart import FlowLine, build_flowchart

LINES = 500
WEEKS = 52
FIRST_MONDAY = date(2026, 1, 5)
CHANNELS = ["TV", "Radio", "OOH", "Search", "Social", "Online video"]


def synthetic_lines(count: int = LINES, weeks: int = WEEKS, seed: int = 2026) -> list[FlowLine]:
    """Lines with calendar-month slices (two where a week crosses a month) and some dark weeks."""
    rng = random.Random(seed)
    lines = []
    for n in range(count):
        slices = []
        for w in range(weeks):
            monday = FIRST_MONDAY + timedelta(weeks=w)
            sunday = monday + timedelta(days=6)
            amount = (
                Decimal(rng.randrange(0, 1_000_000)) / 100 if rng.random() > 0.2 else Decimal(0)
            )
            if sunday.month != monday.month:
                in_first = (date(sunday.year, sunday.month, 1) - monday).days
                first_part = (amount * in_first / 7).quantize(Decimal("0.01"))
                slices.append(Slice(monday, (monday.year, monday.month), in_first, first_part))
                rest = amount - first_part
                slices.append(Slice(monday, (sunday.year, sunday.month), 7 - in_first, rest))
            else:
                slices.append(Slice(monday, (monday.year, monday.month), 7, amount))
        channel = CHANNELS[n % len(CHANNELS)]
        lines.append(
            FlowLine(n, f"P{n:04d}", channel, f"Vendor {n % 40:02d}", "DE", f"Line {n}", slices)
        )
    return lines


def run() -> None:
    lines = synthetic_lines()
    slices = sum(len(line.slices) for line in lines)
    chart = build_flowchart(lines)
    print(
        f"plan: {len(lines)} lines × {len(chart.weeks)} weeks, {slices} slices, "
        f"{len(chart.months)} months, total {chart.total}"
    )
    measure(
        f"build_flowchart, {len(lines)} lines × {len(chart.weeks)} weeks",
        lambda: build_flowchart(lines),
    )
