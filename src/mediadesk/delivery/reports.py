"""Pacing and performance of a campaign, read from the daily roll-up (never the raw facts).

Each function returns plain data that the page, the API, the CSV/XLSX downloads and the
cross-channel report all render; the numbers are computed once, here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Max, Sum

from mediadesk.delivery.models import PacingSettings, PlacementDay, from_micros
from mediadesk.delivery.services import (
    pacing_settings,
    pacing_settings_by_client,
    plan_for_delivery,
    plans_for_delivery,
)
from mediadesk.domain.budget import MissingRate, Rates
from mediadesk.domain.calendars import week_start
from mediadesk.domain.flighting import FlightingError
from mediadesk.domain.pacing import (
    Pacing,
    PacingError,
    PacingMetric,
    PlannedLine,
    Thresholds,
    pace,
    pacing_metric,
    sort_by_distance,
)
from mediadesk.domain.performance import Performance, cumulative, planned_by_week
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.planning.plans import rates_by_client, rates_for, weights_of

METRICS = ("impressions", "clicks", "video_views", "video_completions", "engagements", "spots")
AMOUNTS = ("spend", "conversions", "conversion_value", "grps")
GroupBy = Literal["placement", "channel", "week"]
_HUNDRED = Decimal(100)


# --- Pacing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacementPacing:
    placement: Placement
    pacing: Pacing
    spend: Decimal  # delivered spend to date, campaign currency


@dataclass(frozen=True, slots=True)
class CampaignPacing:
    campaign: Campaign
    version: PlanVersion | None
    as_of: date
    thresholds: Thresholds
    lines: list[PlacementPacing]
    problems: list[str] = field(default_factory=list)  # lines that could not be paced, and why

    @property
    def currency(self) -> str:
        return self.campaign.currency


def thresholds_for(campaign: Campaign, settings: PacingSettings | None = None) -> Thresholds:
    settings = settings or pacing_settings(campaign.client)
    return Thresholds(
        under=settings.under_percent / _HUNDRED, over=settings.over_percent / _HUNDRED
    )


def planned_line(placement: Placement, currency: str, rates: Any) -> PlannedLine:
    """The placement as pacing sees it: its metric, and what was planned of it.

    Money is in the campaign's currency: a line priced in another currency is converted at the
    rate of its first month (MissingRate when none is set).
    """
    metric = pacing_metric(placement.cost_model, placement.channel)
    cost = placement.cost
    if placement.currency != currency:
        rate = rates.rate(placement.currency, currency, placement.start.year, placement.start.month)
        cost = (cost * rate).quantize(Decimal("0.01"))
    planned = cost if metric in (PacingMetric.SPEND, PacingMetric.FEE) else placement.quantity
    return PlannedLine(
        key=placement.line_key,
        metric=metric,
        start=placement.start,
        end=placement.end,
        planned=planned,
        planned_cost=cost,
        weights=weights_of(placement),
    )


def delivered_amount(metric: PacingMetric, sums: dict[str, Any]) -> Decimal:
    if metric is PacingMetric.IMPRESSIONS:
        return Decimal(sums.get("impressions") or 0)
    if metric is PacingMetric.SPOTS:
        return Decimal(sums.get("spots") or 0)
    if metric is PacingMetric.GRPS:
        return from_micros(sums.get("grps"))
    return from_micros(sums.get("spend"))


def delivered_by_line(
    campaign_ids: Sequence[int], as_of: date | None = None
) -> dict[tuple[int, str], dict[str, Any]]:
    """{(campaign, line key): summed metrics} to the end of ``as_of`` (all days if None)."""
    rows = PlacementDay.objects.filter(campaign_id__in=list(campaign_ids))
    if as_of is not None:
        rows = rows.filter(day__lte=as_of)
    sums = rows.values("campaign_id", "line_key").annotate(
        **{name: Sum(name) for name in (*METRICS, *AMOUNTS)}
    )
    return {(row["campaign_id"], row["line_key"]): row for row in sums}


def last_days(campaign_ids: Sequence[int]) -> dict[int, date]:
    rows = (
        PlacementDay.objects.filter(campaign_id__in=list(campaign_ids))
        .values("campaign_id")
        .annotate(last=Max("day"))
    )
    return {row["campaign_id"]: row["last"] for row in rows}


def campaign_pacing(campaign: Campaign, as_of: date | None = None) -> CampaignPacing:
    """Every placement of the plan paced at the end of ``as_of`` (default: the last day with
    delivery, since exports lag; yesterday when nothing was delivered yet)."""
    from mediadesk.delivery.services import default_as_of

    version = plan_for_delivery(campaign)
    thresholds = thresholds_for(campaign)
    day = as_of or default_as_of(campaign)
    if version is None:
        return CampaignPacing(campaign, None, day, thresholds, [])
    placements = list(version.placements.all())
    delivered = delivered_by_line([campaign.pk], as_of)
    lines, problems = _paced(campaign, placements, delivered, day, thresholds)
    return CampaignPacing(campaign, version, day, thresholds, lines, problems)


def _paced(
    campaign: Campaign,
    placements: Iterable[Placement],
    delivered: dict[tuple[int, str], dict[str, Any]],
    as_of: date,
    thresholds: Thresholds,
    rates: Any = None,
) -> tuple[list[PlacementPacing], list[str]]:
    rates = rates if rates is not None else rates_for(campaign.client_id)
    lines: list[PlacementPacing] = []
    problems: list[str] = []
    for placement in placements:
        sums = delivered.get((campaign.pk, placement.line_key), {})
        try:
            line = planned_line(placement, campaign.currency, rates)
            spend = from_micros(sums.get("spend"))
            paced = pace(line, delivered_amount(line.metric, sums), spend, as_of, thresholds)
        except (MissingRate, PacingError, FlightingError) as exc:
            problems.append(f"{placement.code}: {exc}")
            continue
        lines.append(PlacementPacing(placement, paced, spend))
    order = {id(item.pacing): item for item in lines}
    return [order[id(p)] for p in sort_by_distance(item.pacing for item in lines)], problems


@dataclass(frozen=True, slots=True)
class LivePacing:
    campaign: Campaign
    line: PlacementPacing


def pacing_overview(campaigns: Iterable[Campaign], today: date) -> list[LivePacing]:
    """Every live placement of these campaigns, the furthest off plan first.

    A placement is live when its flight includes the campaign's pacing day. The same few
    queries whatever the number of campaigns: plans, placements, roll-up sums, last delivered
    days, thresholds and FX rates per client.
    """
    campaigns = list(campaigns)
    ids = [campaign.pk for campaign in campaigns]
    delivered = delivered_by_line(ids)
    last = last_days(ids)
    found: list[LivePacing] = []
    plans = plans_for_delivery(ids)
    versions = {c.pk: plans.get(c.pk) for c in campaigns}
    client_ids = sorted({c.client_id for c in campaigns})
    settings = pacing_settings_by_client(client_ids)
    rates = rates_by_client(client_ids)
    by_version: dict[int, list[Placement]] = defaultdict(list)
    version_ids = [v.pk for v in versions.values() if v is not None]
    for placement in Placement.objects.filter(version_id__in=version_ids):
        by_version[placement.version_id].append(placement)
    for campaign in campaigns:
        version = versions[campaign.pk]
        if version is None:
            continue
        as_of = last.get(campaign.pk) or today - timedelta(days=1)
        live = [p for p in by_version[version.pk] if p.start <= as_of <= p.end]
        if not live:
            continue
        thresholds = thresholds_for(campaign, settings[campaign.client_id])
        client_rates = rates.get(campaign.client_id) or Rates()
        lines, _ = _paced(campaign, live, delivered, as_of, thresholds, client_rates)
        found += [LivePacing(campaign, line) for line in lines]
    order = {id(item.line.pacing): item for item in found}
    return [order[id(p)] for p in sort_by_distance(item.line.pacing for item in found)]


# --- Performance -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignPerformance:
    campaign: Campaign
    date_from: date
    date_to: date
    by: GroupBy
    rows: list[Performance]
    total: Performance
    weeks: list[tuple[date, Decimal, Decimal | None]]  # Monday, planned, actual (None: future)
    problems: list[str]

    @property
    def currency(self) -> str:
        return self.campaign.currency


def _planned_by_week(
    placement: Placement, currency: str, rates: Any, first: date, last: date
) -> dict[date, tuple[Decimal, Decimal]]:
    """{Monday: (planned spend, planned impressions)} inside first..last, from the flighting."""
    line = planned_line(placement, currency, rates)
    impressions = placement.quantity if placement.cost_model == "cpm" else Decimal(0)
    return planned_by_week(line, impressions, first, last)


def _actual(row: dict[str, Any], key: str, label: str) -> Performance:
    actual = _sums(row, key, label)
    actual.impression_spend = actual.spend if actual.impressions else Decimal(0)
    actual.click_spend = actual.spend if actual.clicks else Decimal(0)
    actual.conversion_spend = actual.spend if actual.conversions else Decimal(0)
    return actual


def _sums(row: dict[str, Any], key: str, label: str) -> Performance:
    return Performance(
        key=key,
        label=label,
        spend=from_micros(row.get("spend")),
        impressions=row.get("impressions") or 0,
        clicks=row.get("clicks") or 0,
        conversions=from_micros(row.get("conversions")),
        conversion_value=from_micros(row.get("conversion_value")),
        video_views=row.get("video_views") or 0,
        video_completions=row.get("video_completions") or 0,
        engagements=row.get("engagements") or 0,
        grps=from_micros(row.get("grps")),
        spots=row.get("spots") or 0,
    )


def campaign_performance(
    campaign: Campaign, date_from: date | None = None, date_to: date | None = None,
    by: GroupBy = "placement",
) -> CampaignPerformance:  # fmt: skip
    """KPIs plan against actual for the days from..to (default: the campaign's flight)."""
    return campaign_performances(campaign, date_from, date_to, (by,))[by]


def campaign_performances(
    campaign: Campaign,
    date_from: date | None,
    date_to: date | None,
    groupings: Sequence[GroupBy],
) -> dict[GroupBy, CampaignPerformance]:
    """The same period grouped several ways, the plan spread once (a page shows a table by
    placement and a chart by channel)."""
    first = date_from or campaign.start
    last = date_to or campaign.end
    version = plan_for_delivery(campaign)
    placements = list(version.placements.all()) if version else []
    rates = rates_for(campaign.client_id)
    days = PlacementDay.objects.filter(campaign=campaign, day__gte=first, day__lte=last)
    sums = {
        row["line_key"]: row
        for row in days.values("line_key").annotate(
            **{name: Sum(name) for name in (*METRICS, *AMOUNTS)}
        )
    }
    daily = {
        row["day"]: from_micros(row["spend_sum"])
        for row in days.values("day").annotate(spend_sum=Sum("spend"))
    }
    weekly_plan: dict[date, Decimal] = defaultdict(Decimal)
    problems: list[str] = []
    lines: list[tuple[Placement, Performance]] = []
    for placement in placements:
        try:
            planned = _planned_by_week(placement, campaign.currency, rates, first, last)
        except (MissingRate, PacingError, FlightingError) as exc:
            problems.append(f"{placement.code}: {exc}")
            planned = {}
        actual = _actual(sums.get(placement.line_key, {}), placement.line_key, placement.code)
        actual.planned_spend = sum((spend for spend, _ in planned.values()), Decimal(0))
        actual.planned_impressions = sum((shown for _, shown in planned.values()), Decimal(0))
        for monday, (spend, _) in planned.items():
            weekly_plan[monday] += spend
        lines.append((placement, actual))
    weeks = cumulative(weekly_plan, daily)
    found: dict[GroupBy, CampaignPerformance] = {}
    for by in groupings:
        if by == "week":
            rows = _week_rows(days, weekly_plan)
        else:
            rows = {}
            for placement, actual in lines:
                key, label = _group(by, placement)
                if key not in rows:
                    rows[key] = Performance(key=key, label=label)
                rows[key].add(actual)
        total = Performance(key="total", label="Total")
        for row in rows.values():
            total.add(row)
        if by == "week":
            total.planned_spend = sum(weekly_plan.values(), Decimal(0))
        for row in (*rows.values(), total):
            row.planned_spend = row.planned_spend.quantize(Decimal("0.01"))
            row.planned_impressions = row.planned_impressions.quantize(Decimal(1))
        found[by] = CampaignPerformance(
            campaign, first, last, by, list(rows.values()), total, weeks, problems
        )
    return found


def _week_rows(days: Any, weekly_plan: dict[date, Decimal]) -> dict[str, Performance]:
    weekly_sums = _weekly_actuals(days)
    rows: dict[str, Performance] = {}
    for monday in sorted(set(weekly_plan) | set(weekly_sums)):
        row = weekly_sums.get(monday) or Performance(key=monday.isoformat(), label="")
        row.label = f"Week of {monday:%-d %b %Y}"
        row.planned_spend = weekly_plan.get(monday, Decimal(0))
        rows[monday.isoformat()] = row
    return rows


def _group(by: GroupBy, placement: Placement) -> tuple[str, str]:
    if by == "channel":
        return placement.channel, placement.get_channel_display()
    return placement.line_key, placement.code


def _weekly_actuals(days: Any) -> dict[date, Performance]:
    weeks: dict[date, Performance] = {}
    for row in days.values("day").annotate(**{name: Sum(name) for name in (*METRICS, *AMOUNTS)}):
        monday = week_start(row["day"])
        actual = _actual(row, monday.isoformat(), "")
        if monday in weeks:
            weeks[monday].add(actual)
        else:
            weeks[monday] = actual
    return weeks
