"""Flighting: spreading a placement's cost or quantity over the weeks and months of its flight.

A flight start … end is cut into slices, one per (week, month) pair that has days in the
flight. Weeks run Monday–Sunday. With calendar months a week that crosses a month boundary
gives two slices (finance books each part in its own month); a broadcast week never crosses a
broadcast month, so it gives one.

Each slice's share is its days in the flight × its week's weight. Weights are per week, keyed
by the week's Monday: 1 is a normal week, 2 a heavy-up, 0 a dark week (nothing runs). Without
weights the flight is continuous (every week weighs 1), which spreads by days in flight.

Rounding never creates or loses a cent: ``allocate`` uses the largest-remainder method. Every
part is first rounded down to ``places`` decimals; the units still missing go one each to the
parts with the largest fractional remainders, ties to the later period (so a leftover cent
lands at the end of the flight, where a coordinator looks for it). 10,000.00 over three equal
weeks is 3,333.33 + 3,333.33 + 3,333.34.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mediadesk.domain.calendars import CalendarKind, month_of, week_start, weeks_covering

_ONE = Decimal(1)
_SIX_DAYS = timedelta(days=6)


class FlightingError(ValueError):
    """A flight, weights or shares that cannot be spread (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class Slice:
    week: date  # the Monday of the slice's week
    month: tuple[int, int]  # (year, month), calendar or broadcast as asked
    days: int  # days of the flight inside this week and month
    amount: Decimal


def allocate(total: Decimal, shares: Sequence[Decimal], places: int = 2) -> list[Decimal]:
    """Split total in proportion to shares at `places` decimals; the parts sum exactly to total.

    Zero shares get zero. A negative total (a credit) splits like its positive counterpart,
    negated, so credits mirror charges cent for cent.
    """
    if places < 0:
        raise FlightingError(f"Places must be zero or more; {places} was given.")
    step = _ONE.scaleb(-places)
    if not total.is_finite() or total != total.quantize(step):
        raise FlightingError(
            f"The total {total} has more than {places} decimals; round it first "
            "so that the parts can add up to it exactly."
        )
    for position, share in enumerate(shares, start=1):
        if not share.is_finite() or share < 0:
            raise FlightingError(
                f"Share {position} is {share}; shares must be zero or more (0 for a dark week)."
            )
    units = int(total.scaleb(places))
    # Whole numbers throughout: the total in minor units (cents), the shares over one common
    # denominator, so that no step of the split rounds.
    ratios = [share.as_integer_ratio() for share in shares]
    common = math.lcm(*(denominator for _, denominator in ratios))
    weights = [numerator * (common // denominator) for numerator, denominator in ratios]
    whole = sum(weights)
    if whole == 0:
        if units == 0:
            return [Decimal(0).quantize(step) for _ in shares]
        raise FlightingError(
            f"Every share is zero; there is nothing to split {total} over. "
            "Give at least one share a value above zero."
        )

    sign = -1 if units < 0 else 1
    # Each part rounded down, and what it lost (in 1/whole of a minor unit); never negative here.
    split = [divmod(abs(units) * weight, whole) for weight in weights]
    parts = [part for part, _ in split]
    missing = abs(units) - sum(parts)
    by_remainder = sorted(range(len(split)), key=lambda i: (split[i][1], i), reverse=True)
    for i in by_remainder[:missing]:
        parts[i] += 1
    return [(Decimal(sign * part).scaleb(-places)).quantize(step) for part in parts]


def spread(
    total: Decimal,
    start: date,
    end: date,
    *,
    calendar: CalendarKind = CalendarKind.CALENDAR,
    weights: Mapping[date, Decimal] | None = None,
    places: int = 2,
) -> list[Slice]:
    """The flight's slices in date order, each with its share of the total.

    `weights` is None for a continuous flight; otherwise it must give every week of the flight
    (keyed by its Monday) a weight of zero or more, and nothing else. `places` is 2 for money
    in cents, 0 for whole units (impressions, spots).
    """
    if end < start:
        raise FlightingError(
            f"The flight ends on {end.isoformat()}, before it starts on {start.isoformat()}."
        )
    mondays = weeks_covering(start, end)
    week_weights = _check_weights(weights, mondays)
    segments = [
        segment
        for monday in mondays
        for segment in _segments(max(monday, start), min(monday + _SIX_DAYS, end), calendar)
    ]
    shares = [Decimal(days) * week_weights[week_start(first)] for first, days in segments]
    if total != 0 and not any(shares):
        raise FlightingError(
            "Every week of the flight is dark; give at least one week a weight above zero."
        )
    amounts = allocate(total, shares, places)
    return [
        Slice(week=week_start(first), month=month_of(first, calendar), days=days, amount=amount)
        for (first, days), amount in zip(segments, amounts, strict=True)
    ]


def _check_weights(
    weights: Mapping[date, Decimal] | None, mondays: list[date]
) -> dict[date, Decimal]:
    if weights is None:
        return dict.fromkeys(mondays, _ONE)
    # Every key must be a week of this flight: a stray key is a plan pasted onto the wrong dates.
    known = set(mondays)
    for week in sorted(weights):
        if week not in known:
            what = "is not a Monday" if week.weekday() != 0 else "is outside the flight"
            raise FlightingError(
                f"The weight for {week.isoformat()} {what}; weights are keyed by the Monday of "
                f"each week of the flight ({mondays[0].isoformat()} … {mondays[-1].isoformat()})."
            )
    for week in mondays:
        if week not in weights:
            raise FlightingError(
                f"The week of {week.isoformat()} has no weight; give every week of the flight "
                "a weight (0 for a dark week)."
            )
        weight = weights[week]
        if not weight.is_finite() or weight < 0:
            raise FlightingError(
                f"The week of {week.isoformat()} has a weight of {weight}; weights must be zero "
                "or more (0 for a dark week)."
            )
    return {week: weights[week] for week in mondays}


def _segments(first: date, last: date, calendar: CalendarKind) -> list[tuple[date, int]]:
    """The part of one week inside the flight, cut where the month changes: (first day, days)."""
    if month_of(first, calendar) == month_of(last, calendar):
        return [(first, (last - first).days + 1)]
    # Only calendar months cut a week, and a week is too short to cross two boundaries.
    boundary = last.replace(day=1)
    return [(first, (boundary - first).days), (boundary, (last - boundary).days + 1)]
