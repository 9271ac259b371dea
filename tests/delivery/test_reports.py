"""Pacing and performance read from the roll-up, against hand-computed figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mediadesk.delivery import reports, services
from mediadesk.domain.pacing import PacingMetric, PacingStatus

from .exports import SEARCH, SOCIAL, daily, google_ads

OCT = date(2026, 10, 5)


def _load(demo: Any, rows: list[Any]) -> Any:
    campaign = demo.campaign("CTSO-5G26")
    services.import_delivery(demo.alice, campaign, filename="r.csv", data=google_ads(rows),
                             today=date(2026, 11, 29))  # fmt: skip
    return campaign


def test_pacing_of_a_search_line_on_spend(demo: Any) -> None:
    # 5G generic search: CPC 2.40 x 90,000 = 216,000.00 over 2026-10-05..2026-12-27 (84 days),
    # continuous. After 14 days 36,000.00 is expected; 2,000.00 a day delivered = 28,000.00.
    campaign = _load(demo, daily(OCT, 14, SEARCH, spend="2000.00"))
    paced = reports.campaign_pacing(campaign)
    assert paced.as_of == date(2026, 10, 18)
    search = next(item for item in paced.lines if item.placement.code == SEARCH)
    pacing = search.pacing
    assert pacing.metric is PacingMetric.SPEND
    assert (pacing.expected, pacing.delivered) == (Decimal("36000.00"), Decimal("28000"))
    assert pacing.index == Decimal("0.78")
    assert pacing.status is PacingStatus.UNDER
    assert pacing.projected == Decimal("168000.00")


def test_guaranteed_cpm_paces_on_impressions_and_thresholds_follow_the_client(demo: Any) -> None:
    campaign = _load(demo, daily(OCT, 14, SOCIAL, spend="100.00"))
    social = next(i for i in reports.campaign_pacing(campaign).lines if i.placement.code == SOCIAL)
    assert social.pacing.metric is PacingMetric.SPEND  # CPM on social is an auction
    services.set_pacing_thresholds(demo.alice, demo.contoso, under_percent=Decimal("99"),
                                   over_percent=Decimal("5"))  # fmt: skip
    social = next(i for i in reports.campaign_pacing(campaign).lines if i.placement.code == SOCIAL)
    assert social.pacing.status is PacingStatus.ON_TRACK


def test_performance_by_placement_channel_and_week(demo: Any) -> None:
    campaign = _load(demo, daily(OCT, 14, SEARCH, spend="2000.00"))
    by_line = reports.campaign_performance(campaign, OCT, date(2026, 10, 18), "placement")
    search = next(row for row in by_line.rows if row.label == SEARCH)
    assert search.spend == Decimal("28000")
    assert search.planned_spend == Decimal("36000.00")
    assert (search.impressions, search.clicks) == (140_000, 3_500)
    assert search.ctr == Decimal("2.50") and search.cpc == Decimal("8.00")
    assert by_line.total.spend == Decimal("28000")
    by_channel = reports.campaign_performance(campaign, OCT, date(2026, 10, 18), "channel")
    assert {row.key for row in by_channel.rows} >= {"search", "social", "linear_tv"}
    by_week = reports.campaign_performance(campaign, OCT, date(2026, 10, 18), "week")
    assert [row.key for row in by_week.rows] == ["2026-10-05", "2026-10-12"]
    assert [row.spend for row in by_week.rows] == [Decimal("14000"), Decimal("14000")]
    assert by_week.weeks[1][2] == Decimal("28000")


def test_overview_sorts_live_placements_by_distance(demo: Any) -> None:
    campaign = _load(demo, daily(OCT, 14, SEARCH, spend="2000.00"))
    overview = reports.pacing_overview([campaign, demo.campaign("NWND-AR26")], date(2026, 10, 19))
    assert overview and overview[0].campaign == campaign
    indexes = [item.line.pacing.index for item in overview]
    distances = [abs(index - 1) for index in indexes if index is not None]
    assert distances == sorted(distances, reverse=True)


def test_blended_cpm_leaves_out_spend_without_impressions(demo: Any) -> None:
    campaign = _load(demo, daily(OCT, 2, SEARCH, spend="500.00"))  # 20,000 impressions
    tv = next(p for p in services.placements_for_delivery(campaign) if p.channel == "linear_tv")
    services.add_rule(demo.alice, campaign, kind="name_contains", value="NBC",
                      line_key=tv.line_key)  # fmt: skip
    post_log = (
        "Air date,Air time,Station,Programme,Spot length,Rating,Cost,Currency\r\n"
        "2026-10-05,20:10,NBC,Prime,30,2.5,6000.00,USD\r\n"
    )
    services.import_delivery(demo.alice, campaign, filename="log.csv", data=post_log.encode(),
                             today=date(2026, 11, 29))  # fmt: skip
    total = reports.campaign_performance(campaign, OCT, date(2026, 10, 18), "channel").total
    assert total.spend == Decimal("7000")
    assert total.impressions == 20_000
    assert total.cpm == Decimal("50.00")  # 1,000.00 of search spend per 20,000 impressions
    assert total.grps == Decimal("2.5")
