"""Flighting a large plan: 500 placements of 3–20-week flights with weekly weights and dark weeks.

Pure domain code, no database: this is the cost of recomputing a whole plan's flowchart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from bench.timing import measure
from mediadesk.domain.calendars import CalendarKind, weeks_covering
from mediadesk.domain.flighting import Slice, spread

PLACEMENTS = 500
SEED = 20261001
# Weekly weights a planner uses: dark weeks, half weight, normal, heavy-ups.
WEIGHTS = [Decimal(0), Decimal("0.5"), Decimal(1), Decimal(1), Decimal("1.5"), Decimal(2)]


@dataclass(frozen=True)
class Flight:
    total: Decimal
    start: date
    end: date
    weights: dict[date, Decimal]


def build_plan(seed: int = SEED) -> list[Flight]:
    rng = random.Random(seed)
    flights = []
    for _ in range(PLACEMENTS):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
        # A flight rarely starts on a Monday or ends on a Sunday: partial weeks at both ends.
        end = start + timedelta(days=rng.randint(3, 20) * 7 - 1 - rng.randrange(7))
        weights = {monday: rng.choice(WEIGHTS) for monday in weeks_covering(start, end)}
        if not any(weights.values()):
            weights[min(weights)] = Decimal(1)
        total = Decimal(rng.randrange(100_000, 50_000_000)).scaleb(-2)
        flights.append(Flight(total, start, end, weights))
    return flights


def run() -> None:
    plan = build_plan()
    weeks = sum(len(flight.weights) for flight in plan)
    print(f"plan: {PLACEMENTS} placements, {weeks} placement-weeks (seed {SEED})")
    for calendar in CalendarKind:
        slices = sum(len(_spread(flight, calendar)) for flight in plan)
        measure(
            f"spread {PLACEMENTS} placements, {calendar} weeks ({slices} slices)",
            partial(_spread_plan, plan, calendar),
            repeat=10,
        )


def _spread_plan(plan: list[Flight], calendar: CalendarKind) -> list[list[Slice]]:
    return [_spread(flight, calendar) for flight in plan]


def _spread(flight: Flight, calendar: CalendarKind) -> list[Slice]:
    return spread(flight.total, flight.start, flight.end, calendar=calendar, weights=flight.weights)
