"""The demo's delivery: several platforms, pacing off plan both ways, rows waiting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mediadesk.delivery import reports, services
from mediadesk.delivery.demo import load_demo_delivery
from mediadesk.delivery.models import DeliveryImport
from mediadesk.domain.pacing import PacingStatus


def test_demo_delivery(demo: Any) -> None:
    made = load_demo_delivery(demo.ben, date(2026, 11, 29))
    assert made >= 5
    platforms = set(DeliveryImport.objects.values_list("platform", flat=True))
    assert {"google_ads", "meta", "generic"} <= platforms
    campaign = demo.campaign("CTSO-5G26")
    spans = [(u.date_to - u.date_from).days + 1 for u in DeliveryImport.objects.all()]
    assert max(spans) >= 8 * 7
    statuses = {line.pacing.status for line in reports.campaign_pacing(campaign).lines}
    assert {PacingStatus.OVER, PacingStatus.UNDER} <= statuses
    assert services.unmatched(campaign)
    tv = demo.campaign("NWND-AR26")
    metrics = {line.pacing.metric.value for line in reports.campaign_pacing(tv).lines
               if line.pacing.delivered}  # fmt: skip
    assert {"grps", "spots", "impressions", "spend", "fee"} <= metrics
    ooh = next(line for line in reports.campaign_pacing(tv).lines
               if line.placement.channel == "ooh")  # fmt: skip
    assert ooh.pacing.status is PacingStatus.ON_TRACK  # posted as booked: the whole fee
    # The vendors' reports (no account) do not replace the broadcast post-log's days.
    grps = next(line for line in reports.campaign_pacing(tv).lines
                if line.placement.channel == "linear_tv")  # fmt: skip
    assert grps.pacing.index == Decimal("0.95")
    assert load_demo_delivery(demo.ben, date(2026, 11, 29)) == 0  # loaded once
