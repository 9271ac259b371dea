"""KPIs, the plan's share of a period, and the cumulative delivery curve (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mediadesk.domain.pacing import PacingMetric, PlannedLine
from mediadesk.domain.performance import (
    Performance,
    cumulative,
    planned_by_week,
    ratio,
    share_inside,
)

OCT = date(2026, 10, 5)  # a Monday


def test_kpis_are_ratios_to_two_decimals_and_none_without_a_denominator() -> None:
    row = Performance(key="p", label="P", spend=Decimal("1000"), impressions=200_000,
                      clicks=500, conversions=Decimal(20), conversion_value=Decimal("4500"),
                      video_views=1000, video_completions=725, impression_spend=Decimal("1000"),
                      click_spend=Decimal("1000"), conversion_spend=Decimal("1000"),
                      planned_spend=Decimal("1250"))  # fmt: skip
    assert (row.ctr, row.cpm, row.cpc, row.cpa) == (
        Decimal("0.25"), Decimal("5.00"), Decimal("2.00"), Decimal("50.00"),
    )  # fmt: skip
    assert (row.roas, row.vcr, row.spend_vs_plan) == (
        Decimal("4.50"), Decimal("72.50"), Decimal("80.00"),
    )  # fmt: skip
    assert Performance(key="e", label="E").cpm is None
    assert ratio(Decimal(1), 0) is None


def test_a_blended_cpm_leaves_out_spend_that_reported_no_impressions() -> None:
    total = Performance(key="t", label="Total")
    total.add(Performance(key="tv", label="TV", spend=Decimal("6000"), grps=Decimal("2.5")))
    total.add(Performance(key="web", label="Web", spend=Decimal("1000"), impressions=20_000,
                          impression_spend=Decimal("1000")))  # fmt: skip
    assert (total.spend, total.cpm) == (Decimal("7000"), Decimal("50.00"))


def test_plan_inside_a_period_and_the_cumulative_curve() -> None:
    line = PlannedLine(key="l", metric=PacingMetric.SPEND, start=OCT, end=date(2026, 10, 18),
                       planned=Decimal("1400.00"), planned_cost=Decimal("1400.00"))  # fmt: skip
    whole = planned_by_week(line, Decimal(0), OCT, date(2026, 10, 18))
    assert whole == {OCT: (Decimal("700.00"), 0), date(2026, 10, 12): (Decimal("700.00"), 0)}
    first_days = planned_by_week(line, Decimal(0), OCT, date(2026, 10, 7))  # 3 of 14 days
    assert first_days == {OCT: (Decimal("300.00"), 0)}
    assert share_inside(OCT, 7, date(2026, 10, 8), date(2026, 10, 31), OCT, date(2026, 10, 31)) \
        == Decimal(4) / Decimal(7)  # fmt: skip
    points = cumulative({OCT: Decimal("700"), date(2026, 10, 12): Decimal("700")},
                        {OCT: Decimal("650"), date(2026, 10, 6): Decimal("10")})  # fmt: skip
    assert points == [(OCT, Decimal("700.00"), Decimal("660")),
                      (date(2026, 10, 12), Decimal("1400.00"), None)]  # fmt: skip
