"""Campaign performance as plain figures: the KPIs of a row of actuals against the plan, the
plan's share of a period, and the cumulative curve of the delivery chart. Pure: the delivery
app reads the roll-up and fills these in.

KPIs are ratios rounded half-even to 2 decimals, None where the denominator is zero. CPM, CPC
and CPA divide only the spend of the lines that reported impressions, clicks or conversions:
a blended CPM over TV bought on GRPs (which reports no impressions) would otherwise divide the
TV spend by the digital impressions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mediadesk.domain.calendars import week_start
from mediadesk.domain.flighting import spread
from mediadesk.domain.pacing import PlannedLine

_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)
_ONE = Decimal(1)
_ZERO = Decimal(0)
_CENT = Decimal("0.01")
_SUMMED = ("planned_spend", "planned_impressions", "spend", "impressions", "clicks",
           "conversions", "conversion_value", "video_views", "video_completions", "engagements",
           "grps", "spots", "impression_spend", "click_spend", "conversion_spend")  # fmt: skip


@dataclass(slots=True)
class Performance:
    """Plan against actual for one row (a placement, a channel or a week)."""

    key: str
    label: str
    planned_spend: Decimal = Decimal(0)
    planned_impressions: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)
    video_views: int = 0
    video_completions: int = 0
    engagements: int = 0
    grps: Decimal = Decimal(0)
    spots: int = 0
    # The spend of the lines that counted impressions, clicks or conversions: a blended CPM
    # over TV bought on GRPs (no impressions reported) would divide its spend by nothing.
    impression_spend: Decimal = Decimal(0)
    click_spend: Decimal = Decimal(0)
    conversion_spend: Decimal = Decimal(0)

    def add(self, other: Performance) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def ctr(self) -> Decimal | None:
        """Click-through rate in percent."""
        return ratio(Decimal(self.clicks) * _HUNDRED, self.impressions)

    @property
    def cpm(self) -> Decimal | None:
        """Cost per thousand impressions, over the lines that report impressions."""
        return ratio(self.impression_spend * _THOUSAND, self.impressions)

    @property
    def cpc(self) -> Decimal | None:
        return ratio(self.click_spend, self.clicks)

    @property
    def cpa(self) -> Decimal | None:
        return ratio(self.conversion_spend, self.conversions)

    @property
    def roas(self) -> Decimal | None:
        return ratio(self.conversion_value, self.spend)

    @property
    def vcr(self) -> Decimal | None:
        """Video completion rate in percent of video views."""
        return ratio(Decimal(self.video_completions) * _HUNDRED, self.video_views)

    @property
    def spend_vs_plan(self) -> Decimal | None:
        """Delivered spend as a percentage of the spend planned for the same days."""
        return ratio(self.spend * _HUNDRED, self.planned_spend)

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "planned_spend": self.planned_spend,
            "spend": self.spend,
            "planned_impressions": self.planned_impressions,
            "impressions": self.impressions,
            "clicks": self.clicks,
            "ctr": self.ctr,
            "cpm": self.cpm,
            "cpc": self.cpc,
            "conversions": self.conversions,
            "cpa": self.cpa,
            "conversion_value": self.conversion_value,
            "roas": self.roas,
            "video_views": self.video_views,
            "video_completions": self.video_completions,
            "vcr": self.vcr,
            "engagements": self.engagements,
            "grps": self.grps,
            "spots": self.spots,
        }


def ratio(numerator: Decimal, denominator: Decimal | int) -> Decimal | None:
    """numerator ÷ denominator to 2 decimals, None when there is nothing to divide by."""
    if not denominator:
        return None
    return (numerator / Decimal(denominator)).quantize(_CENT)


def planned_by_week(
    line: PlannedLine, impressions: Decimal, first: date, last: date
) -> dict[date, tuple[Decimal, Decimal]]:
    """{Monday: (planned spend, planned impressions)} of the line inside first..last.

    The cost (and, for a CPM buy, the ordered impressions) is spread over the flight by its
    weekly weights; a week only partly inside the period counts by its share of flight days.
    """
    cost_slices = spread(line.planned_cost, line.start, line.end, weights=line.weights)
    quantity_slices = (
        spread(impressions, line.start, line.end, weights=line.weights, places=0)
        if impressions
        else []
    )
    weeks: dict[date, tuple[Decimal, Decimal]] = {}
    whole_flight = first <= line.start and line.end <= last  # the usual case: no prorating
    for slices, position in ((cost_slices, 0), (quantity_slices, 1)):
        for piece in slices:
            share = (
                _ONE
                if whole_flight
                else share_inside(piece.week, piece.days, first, last, line.start, line.end)
            )
            if not share:
                continue
            spend, shown = weeks.get(piece.week, (_ZERO, _ZERO))
            amount = piece.amount * share
            weeks[piece.week] = (
                (spend + amount, shown) if position == 0 else (spend, shown + amount)
            )
    return weeks


def share_inside(
    monday: date, days: int, first: date, last: date, start: date, end: date
) -> Decimal:
    """The share of a slice's flight days that fall inside first..last (days evenly weighted)."""
    if not days:
        return _ZERO
    slice_first = max(monday, start)
    slice_last = min(monday + timedelta(days=6), end)
    inside = (min(slice_last, last) - max(slice_first, first)).days + 1
    if inside <= 0:
        return _ZERO
    total = (slice_last - slice_first).days + 1
    return Decimal(min(inside, total)) / Decimal(total)


def cumulative(
    weekly_plan: Mapping[date, Decimal], daily: Mapping[date, Decimal]
) -> list[tuple[date, Decimal, Decimal | None]]:
    """Cumulative planned and delivered spend at the end of each week, for the chart; the
    delivered curve stops at the last week with delivery (None after it)."""
    actual_weeks: dict[date, Decimal] = defaultdict(Decimal)
    for day, spend in daily.items():
        actual_weeks[week_start(day)] += spend
    planned = actual = _ZERO
    points: list[tuple[date, Decimal, Decimal | None]] = []
    last_actual = max(actual_weeks) if actual_weeks else None
    for monday in sorted(set(weekly_plan) | set(actual_weeks)):
        planned += weekly_plan.get(monday, _ZERO)
        actual += actual_weeks.get(monday, _ZERO)
        shown = actual if last_actual is not None and monday <= last_actual else None
        points.append((monday, planned.quantize(_CENT), shown))
    return points
