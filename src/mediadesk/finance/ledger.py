"""Loading the ledger from the database for the pure functions of domain/matching and domain/close.

Queries only: what was ordered (the newest accepted revision of each IO), what ran (the daily
roll-up of delivery, summed by month in the unit each line was bought in), what was billed and
what was paid. Nothing here decides anything; ``domain`` does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mediadesk.accounts.models import Client
from mediadesk.delivery.models import MICROS, PlacementDay
from mediadesk.domain.calendars import CalendarKind
from mediadesk.domain.close import LedgerLine
from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.flighting import spread
from mediadesk.domain.matching import (
    Delivered,
    LineMonth,
    ModelTolerances,
    Month,
    OrderedLine,
    Tolerances,
    payable,
)
from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.finance.choices import InvoiceStatus
from mediadesk.finance.models import FinanceSettings, InvoiceLine
from mediadesk.orders.choices import OrderStatus
from mediadesk.orders.models import OrderLine
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.planning.plans import weights_of

# The delivery column each cost model is paid on, and whether it is stored in micro-units.
UNIT_COLUMN: dict[str, tuple[str, bool]] = {
    CostModel.CPM: ("impressions", False),
    CostModel.CPC: ("clicks", False),
    CostModel.CPA: ("conversions", True),
    CostModel.CPL: ("conversions", True),
    CostModel.CPV: ("video_views", False),
    CostModel.CPCV: ("video_completions", False),
    CostModel.CPE: ("engagements", False),
    CostModel.CPP: ("grps", True),
    CostModel.PER_SPOT: ("spots", False),
    CostModel.PER_INSERTION: ("spots", False),
    CostModel.FLAT: ("spots", False),
}
_COLUMNS = sorted({column for column, _ in UNIT_COLUMN.values()} | {"spend"})


def month_of(day: date) -> Month:
    return (day.year, day.month)


def tolerances_for(client_id: int) -> Tolerances:
    found = FinanceSettings.objects.filter(client_id=client_id).first()
    if found is None:
        return Tolerances()
    return tolerances_of(found)


def tolerances_of(found: FinanceSettings) -> Tolerances:
    """A client's settings as the match's tolerances (raises MatchingError when malformed)."""
    overrides = {
        CostModel(model): ModelTolerances(
            rounding_units=_int_or_none(values.get("rounding_units")),
            grp_percent=_decimal_or_none(values.get("grp_percent")),
            delivery_percent=_decimal_or_none(values.get("delivery_percent")),
        )
        for model, values in (found.overrides or {}).items()
    }
    return Tolerances(
        rounding_units=found.rounding_units,
        grp_percent=found.grp_percent,
        delivery_percent=found.delivery_percent,
        overrides=overrides,
    )


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def ordered(line: OrderLine, currency: str) -> OrderedLine:
    """An IO line as the match sees it: its whole flight, at its booked cost."""
    return OrderedLine(
        key=line.line_key,
        cost_model=CostModel(line.cost_model),
        rate=line.rate,
        quantity=line.quantity + line.makegood_quantity,
        cost=line.booked_cost,
        currency=currency,
        month=None,
        start=line.start,
        end=line.end,
    )


def planned_as_ordered(placement: Placement) -> OrderedLine:
    """A plan line with no accepted IO is valued as planned."""
    return OrderedLine(
        key=placement.line_key,
        cost_model=CostModel(placement.cost_model),
        rate=placement.rate,
        quantity=placement.quantity,
        cost=placement.cost,
        currency=placement.currency,
        month=None,
        start=placement.start,
        end=placement.end,
    )


def monthly_delivery(
    campaign_ids: Iterable[int], line_keys: Iterable[str] | None = None
) -> dict[tuple[int, str, Month], dict[str, Any]]:
    """{(campaign, line key, month): summed delivery columns}: one grouped query."""
    rows = PlacementDay.objects.filter(campaign_id__in=list(campaign_ids))
    if line_keys is not None:
        rows = rows.filter(line_key__in=list(line_keys))
    sums = (
        rows.annotate(month=TruncMonth("day"))
        .values("campaign_id", "line_key", "month")
        .annotate(**{column: Sum(column) for column in _COLUMNS})
    )
    return {(row["campaign_id"], row["line_key"], month_of(row["month"])): row for row in sums}


def delivered(cost_model: str, sums: dict[str, Any] | None) -> Delivered | None:
    if sums is None:
        return None
    column, micro = UNIT_COLUMN[cost_model]
    raw = Decimal(sums.get(column) or 0)
    quantity = raw / MICROS if micro else raw
    spend = Decimal(sums.get("spend") or 0) / MICROS
    return Delivered(quantity=quantity, spend=spend)


def delivered_for_match(
    lines: Sequence[OrderLine],
) -> dict[LineMonth, Delivered]:
    """Deliveries keyed the way ``match_invoice`` looks them up: (line key, month)."""
    campaigns = {line.order.campaign_id for line in lines}
    sums = monthly_delivery(campaigns, {line.line_key for line in lines})
    result: dict[LineMonth, Delivered] = {}
    models = {line.line_key: line.cost_model for line in lines}
    for (_, key, month), row in sums.items():
        if key in models:
            value = delivered(models[key], row)
            if value is not None:
                result[(key, month)] = value
    return result


def booked_lines(campaign_ids: Iterable[int]) -> list[OrderLine]:
    """The lines of every accepted (newest accepted) revision, adjustments prefetched."""
    return list(
        OrderLine.objects.filter(
            order__campaign_id__in=list(campaign_ids), order__status=OrderStatus.ACCEPTED
        )
        .select_related("order")
        .prefetch_related("adjustments")
    )


# --- The month-end close ---------------------------------------------------------------------


def approved_versions(campaigns: Iterable[Campaign]) -> dict[int, PlanVersion]:
    """Each campaign's newest approved (or client-approved) plan version."""
    found: dict[int, PlanVersion] = {}
    for version in PlanVersion.objects.filter(
        campaign__in=list(campaigns),
        status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED],
    ).order_by("campaign_id", "number"):
        found[version.campaign_id] = version
    return found


@dataclass
class _Amounts:
    currency: str
    commission: Decimal
    planned: dict[Month, Decimal]
    booked: dict[Month, Decimal]
    delivered: dict[Month, Decimal]
    invoiced: dict[Month, Decimal]
    paid: dict[Month, Decimal]


def _monthly(
    total: Decimal, start: date, end: date, weights: Any, currency: str
) -> dict[Month, Decimal]:
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    months: dict[Month, Decimal] = defaultdict(Decimal)
    for piece in spread(
        total, start, end, calendar=CalendarKind.CALENDAR, weights=weights, places=places
    ):
        months[piece.month] += piece.amount
    return dict(months)


def _delivered_value(
    order: OrderedLine,
    sums_by_month: dict[Month, dict[str, Any]],
    planned_months: dict[Month, Decimal],
    today: date,
) -> dict[Month, Decimal]:
    """The payable value of what ran, month by month: the payable to date at the end of each
    month less the payable to date before it. A flat fee is earned as its flight runs."""
    if order.cost_model is CostModel.FLAT:
        return {m: v for m, v in planned_months.items() if m <= month_of(today)}
    months = sorted(sums_by_month)
    result: dict[Month, Decimal] = {}
    running: dict[str, Any] = {}
    before = Decimal(0)
    for month in months:
        for column, value in sums_by_month[month].items():
            if column in _COLUMNS:
                running[column] = (running.get(column) or 0) + (value or 0)
        to_date = payable(order, delivered(order.cost_model, running), through=month).amount
        result[month] = max(to_date - before, Decimal(0))
        before = max(before, to_date)
    return result


def ledger(
    client: Client, *, campaigns: Sequence[Campaign] | None = None, today: date | None = None
) -> list[LedgerLine]:
    """Every placement-month of the client's campaigns (or the given ones) with its five numbers."""
    today = today or timezone.localdate()
    if campaigns is None:
        campaigns = list(Campaign.objects.filter(client=client, archived_at=None))
    versions = approved_versions(campaigns)
    placements = list(
        Placement.objects.filter(version__in=list(versions.values())).select_related(
            "version__campaign"
        )
    )
    booked = {line.line_key: line for line in booked_lines([c.pk for c in campaigns])}
    deliveries = monthly_delivery([c.pk for c in campaigns])
    by_key_month: dict[str, dict[Month, dict[str, Any]]] = defaultdict(dict)
    for (_, key, month), row in deliveries.items():
        by_key_month[key][month] = row
    invoiced: dict[str, dict[Month, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    paid: dict[str, dict[Month, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for key, served, amount, status in InvoiceLine.objects.filter(
        invoice__client=client, order_line__isnull=False
    ).values_list("order_line__line_key", "month", "amount", "invoice__status"):
        invoiced[key][month_of(served)] += amount
        if status == InvoiceStatus.PAID:
            paid[key][month_of(served)] += amount

    amounts: dict[str, _Amounts] = {}
    for placement in placements:
        planned = _monthly(
            placement.cost,
            placement.start,
            placement.end,
            weights_of(placement),
            placement.currency,
        )
        line = booked.get(placement.line_key)
        order = ordered(line, line.order.currency) if line else planned_as_ordered(placement)
        booked_months = (
            _monthly(line.booked_cost, line.start, line.end, weights_of(placement), order.currency)
            if line and line.start >= placement.start and line.end <= placement.end
            else _monthly(line.booked_cost, line.start, line.end, None, order.currency)
            if line
            else {}
        )
        amounts[placement.line_key] = _Amounts(
            currency=placement.currency,
            commission=placement.commission_percent,
            planned=planned,
            booked=booked_months,
            delivered=_delivered_value(
                order, by_key_month.get(placement.line_key, {}), booked_months or planned, today
            ),
            invoiced=dict(invoiced.get(placement.line_key, {})),
            paid=dict(paid.get(placement.line_key, {})),
        )
    lines: list[LedgerLine] = []
    codes = {p.line_key: f"{p.version.campaign.code} · {p.code}" for p in placements}
    for key, each in amounts.items():
        months = set(each.planned) | set(each.booked) | set(each.delivered)
        months |= set(each.invoiced) | set(each.paid)
        for month in sorted(months):
            lines.append(
                LedgerLine(
                    key=codes[key],
                    month=month,
                    currency=each.currency,
                    planned_gross=each.planned.get(month, Decimal(0)),
                    booked_gross=each.booked.get(month, Decimal(0)),
                    delivered_gross=each.delivered.get(month, Decimal(0)),
                    invoiced_gross=each.invoiced.get(month, Decimal(0)),
                    paid_gross=each.paid.get(month, Decimal(0)),
                    commission_percent=each.commission,
                )
            )
    return lines
