"""Flowchart: the placements × weeks grid every client and planner expects.

Each line brings its measure (cost, units or GRPs) already spread into slices, one per week and
month (see flighting). The chart runs over every Monday from the first to the last week of any
line, gaps included; a cell is the sum of the line's slices in that week, zero where it is dark.

The month band above the weeks: a week sits under the month of its Monday, unless every slice in
that week (across all lines) belongs to one other month; then it sits under that month. So with
calendar months the week of Mon 28 Sep – Sun 4 Oct 2026 sits under September when it holds days
of both months, and with broadcast months it sits under October, the broadcast month it belongs
to (a broadcast month starts on the Monday of the week holding the 1st). The band only places
weeks; a month's total is the sum of that month's slices, so a calendar week split across two
months is split exactly. A month with slices but no week of its own in the band (a flight ending
on Fri 2 Oct 2026, whose last week is September's) gets a span of zero weeks at the place where
it would start, so that the month totals still add up to the chart's total.

Rows are ordered by channel, vendor, the line's first week, then code; lines whose weeks are all
dark (or that have no slices at all) still get a row of zeros. Building the chart is one pass over
the slices with weeks indexed by a dict: 500 lines × 52 weeks take a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mediadesk.domain.flighting import Slice

ZERO = Decimal(0)

Month = tuple[int, int]


class FlowchartError(ValueError):
    """Slices that do not fit a weekly chart (a week not given by its Monday, a foreign month)."""


@dataclass(frozen=True, slots=True)
class FlowLine:
    id: int
    code: str
    channel: str
    vendor: str
    market: str
    name: str
    slices: Sequence[Slice]  # the line's measure (cost, or units, or GRPs) spread over weeks


@dataclass(frozen=True, slots=True)
class FlowRow:
    line: FlowLine
    cells: tuple[Decimal, ...]  # one per chart week, zero where dark or outside the flight
    total: Decimal


@dataclass(frozen=True, slots=True)
class MonthSpan:
    month: Month
    label: str  # 'Oct 2026'
    first_week_index: int
    week_count: int
    total: Decimal  # the sum of this month's slices


@dataclass(frozen=True, slots=True)
class GroupTotal:
    channel: str
    vendor: str | None  # None for a channel's total
    cells: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Flowchart:
    weeks: tuple[date, ...]  # every Monday from the first to the last week, gaps included
    months: tuple[MonthSpan, ...]
    rows: tuple[FlowRow, ...]
    channel_totals: tuple[GroupTotal, ...]
    vendor_totals: tuple[GroupTotal, ...]
    week_totals: tuple[Decimal, ...]
    total: Decimal


def build_flowchart(lines: Sequence[FlowLine]) -> Flowchart:
    weeks = _chart_weeks(lines)
    index = {week: position for position, week in enumerate(weeks)}
    width = len(weeks)

    # The one pass over the slices: cells per line, and amounts per (week, month) for the band.
    by_week_month: dict[tuple[date, Month], Decimal] = {}
    built: list[tuple[tuple[str, str, str, str, int, str, str, int], FlowLine, list[Decimal]]] = []
    for line in lines:
        cells = [ZERO] * width
        first = width
        for piece in line.slices:
            position = index[piece.week]
            cells[position] += piece.amount
            pair = (piece.week, piece.month)
            by_week_month[pair] = by_week_month.get(pair, ZERO) + piece.amount
            if position < first:
                first = position
        order = (
            line.channel.casefold(),
            line.channel,
            line.vendor.casefold(),
            line.vendor,
            first,
            line.code.casefold(),
            line.code,
            line.id,
        )
        built.append((order, line, cells))
    built.sort(key=lambda item: item[0])
    rows = tuple(FlowRow(line, tuple(cells), sum(cells, ZERO)) for _, line, cells in built)

    vendor_totals = _group_totals(rows, width, by_vendor=True)
    channel_totals = _group_totals(rows, width, by_vendor=False)
    week_totals = tuple(
        sum((group.cells[position] for group in channel_totals), ZERO) for position in range(width)
    )
    return Flowchart(
        weeks=weeks,
        months=_month_band(weeks, by_week_month, lines),
        rows=rows,
        channel_totals=channel_totals,
        vendor_totals=vendor_totals,
        week_totals=week_totals,
        total=sum(week_totals, ZERO),
    )


def _chart_weeks(lines: Sequence[FlowLine]) -> tuple[date, ...]:
    seen = {piece.week for line in lines for piece in line.slices}
    if not seen:
        return ()
    for week in seen:
        if week.weekday() != 0:
            code = next(line.code for line in lines if any(p.week == week for p in line.slices))
            raise FlowchartError(
                f"Line {code}: the week {week.isoformat()} is not a Monday; "
                "weeks are given by their Monday."
            )
    first, last = min(seen), max(seen)
    return tuple(first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1))


def _group_totals(
    rows: Sequence[FlowRow], width: int, *, by_vendor: bool
) -> tuple[GroupTotal, ...]:
    """Totals per channel (or channel and vendor); rows arrive grouped in that order."""
    groups: list[GroupTotal] = []
    current: tuple[str, str | None] | None = None
    sums: list[Decimal] = []
    for row in rows:
        group = (row.line.channel, row.line.vendor if by_vendor else None)
        if group != current:
            if current is not None:
                groups.append(GroupTotal(*current, tuple(sums), sum(sums, ZERO)))
            current, sums = group, [ZERO] * width
        sums = [a + b for a, b in zip(sums, row.cells, strict=True)]
    if current is not None:
        groups.append(GroupTotal(*current, tuple(sums), sum(sums, ZERO)))
    return tuple(groups)


def _month_band(
    weeks: tuple[date, ...],
    by_week_month: dict[tuple[date, Month], Decimal],
    lines: Sequence[FlowLine],
) -> tuple[MonthSpan, ...]:
    months_of_week: dict[date, set[Month]] = {}
    totals: dict[Month, Decimal] = {}
    for (week, month), amount in by_week_month.items():
        sunday = week + timedelta(days=6)
        if month not in ((week.year, week.month), (sunday.year, sunday.month)):
            code = next(
                line.code
                for line in lines
                if any(p.week == week and p.month == month for p in line.slices)
            )
            raise FlowchartError(
                f"Line {code}: the week of {week.isoformat()} has a slice in "
                f"{month[0]}-{month[1]:02d}, a month that week does not touch."
            )
        months_of_week.setdefault(week, set()).add(month)
        totals[month] = totals.get(month, ZERO) + amount

    # Weeks under each month of the band; a week's month never comes before the last week's.
    counts: dict[Month, int] = {}
    firsts: dict[Month, int] = {}
    for position, week in enumerate(weeks):
        months = months_of_week.get(week, set())
        month = next(iter(months)) if len(months) == 1 else (week.year, week.month)
        counts[month] = counts.get(month, 0) + 1
        firsts.setdefault(month, position)

    spans = []
    placed = 0
    for month in sorted(counts.keys() | totals.keys()):
        count = counts.get(month, 0)
        first = firsts.get(month, placed)
        spans.append(
            MonthSpan(
                month=month,
                label=f"{date(month[0], month[1], 1):%b %Y}",
                first_week_index=first,
                week_count=count,
                total=totals.get(month, ZERO),
            )
        )
        placed = first + count
    return tuple(spans)
