"""Reading a plan version into the pure core's shapes: pricing, flighting, flowchart and diff.

Django loads the rows; the calculations are the domain's (DESIGN.md rule 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mediadesk.accounts.models import FxRate
from mediadesk.domain.budget import (
    BudgetLine,
    BudgetRollup,
    BudgetStatus,
    MissingRate,
    MissingRates,
    Rates,
    budget_status,
    convert_months,
    rates_to_enter,
    rollup,
)
from mediadesk.domain.calendars import CalendarKind
from mediadesk.domain.flighting import Slice, spread
from mediadesk.domain.flowchart import Flowchart, FlowLine, build_flowchart
from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.domain.plandiff import Line, PlanDiff, diff_plans
from mediadesk.planning.choices import CostModel, Flighting
from mediadesk.planning.models import Campaign, Placement, PlanVersion

# The fields compared between versions (the diff), in the order a planner reads a line.
DIFF_FIELDS = [
    "name", "channel", "vendor", "property_name", "market", "format", "spot_length", "targeting",
    "start", "end", "flighting", "weights", "cost_model", "rate", "quantity", "cost",
    "commission_percent", "net_cost", "fees", "currency", "universe", "kpi_targets",
    "material_deadline", "notes",
]  # fmt: skip


def weights_of(placement: Placement) -> dict[date, Decimal] | None:
    """The weekly weights as the domain wants them (None for a continuous flight)."""
    if placement.flighting == Flighting.CONTINUOUS or not placement.weights:
        return None
    return {date.fromisoformat(week): Decimal(str(w)) for week, w in placement.weights.items()}


def quantity_places(cost_model: str) -> int:
    return 2 if cost_model == CostModel.CPP else 0


def slices_of(placement: Placement, measure: str, calendar: CalendarKind) -> list[Slice]:
    if measure == "quantity":
        total, places = placement.quantity, quantity_places(placement.cost_model)
    else:
        total, places = placement.cost, CURRENCY_MINOR_UNITS.get(placement.currency, 2)
    return spread(
        total,
        placement.start,
        placement.end,
        calendar=calendar,
        weights=weights_of(placement),
        places=places,
    )


def flowchart_of(
    placements: Iterable[Placement],
    *,
    measure: str = "cost",
    calendar: CalendarKind = CalendarKind.CALENDAR,
) -> Flowchart:
    lines = [
        FlowLine(
            id=p.pk,
            code=p.code,
            channel=p.get_channel_display(),
            vendor=p.vendor,
            market=p.market,
            name=p.name or p.format,
            slices=slices_of(p, measure, calendar),
        )
        for p in placements
    ]
    return build_flowchart(lines)


def diff_line(placement: Placement) -> Line:
    return Line(
        key=placement.line_key,
        code=placement.code,
        fields={name: getattr(placement, name) for name in DIFF_FIELDS},
        cost=placement.cost,
    )


def diff_versions(before: PlanVersion, after: PlanVersion) -> PlanDiff:
    return diff_plans(
        [diff_line(p) for p in before.placements.all()],
        [diff_line(p) for p in after.placements.all()],
    )


def total_cost(placements: Sequence[Placement]) -> Decimal:
    return sum((p.cost for p in placements), Decimal("0.00"))


# --- Budget: the plan's cost in one currency, rolled up, against the campaign's budget ---------


def rates_for(client_id: int) -> Rates:
    """The client's FX rates, in one query (a client keeps a few dozen a year)."""
    return rates_by_client([client_id]).get(client_id, Rates())


def rates_by_client(client_ids: Iterable[int]) -> dict[int, Rates]:
    """Each client's FX rates, in one query for all of them."""
    tables: dict[int, dict[tuple[str, str, int, int], Decimal]] = {}
    for fx in FxRate.objects.filter(client_id__in=list(set(client_ids))):
        key = (fx.currency_from, fx.currency_to, fx.month.year, fx.month.month)
        tables.setdefault(fx.client_id, {})[key] = fx.rate
    return {client_id: Rates(table) for client_id, table in tables.items()}


def budget_lines(placements: Iterable[Placement]) -> list[BudgetLine]:
    """Each line's cost spread over calendar months (finance books months, not broadcast ones)."""
    return [
        BudgetLine(
            channel=p.channel,
            vendor=p.vendor,
            market=p.market,
            currency=p.currency,
            slices=slices_of(p, "cost", CalendarKind.CALENDAR),
        )
        for p in placements
    ]


def budget_of(
    version: PlanVersion, placements: Iterable[Placement], rates: Rates | None = None
) -> BudgetRollup:
    """The version's cost in its own currency by channel, month, vendor and market.

    Raises MissingRates when a line in another currency runs in a month without a rate.
    """
    if rates is None:
        rates = rates_for(version.campaign.client_id)
    return rollup(budget_lines(placements), rates, version.currency)


def plan_totals(versions: Sequence[PlanVersion]) -> dict[int, Decimal | None]:
    """The converted total of each version (None when a rate is missing).

    One placements query and one rates query for all the versions, however many there are.
    """
    if not versions:
        return {}
    lines: dict[int, list[Placement]] = {v.pk: [] for v in versions}
    for placement in Placement.objects.filter(version_id__in=list(lines)):
        lines[placement.version_id].append(placement)
    rates = rates_by_client(v.campaign.client_id for v in versions)
    totals: dict[int, Decimal | None] = {}
    for version in versions:
        try:
            table = rates.get(version.campaign.client_id, Rates())
            result = budget_of(version, lines[version.pk], table)
        except MissingRates:
            totals[version.pk] = None
        else:
            totals[version.pk] = result.total
    return totals


def month_key(month: tuple[int, int]) -> str:
    return f"{month[0]}-{month[1]:02d}"


@dataclass(frozen=True)
class PlanBudget:
    """What the plan page and the API show of a version's budget."""

    version: PlanVersion
    campaign: Campaign
    rollup: BudgetRollup | None  # None when a line cannot be converted (see ``missing``)
    planned: Decimal | None  # the planned total in the budget's (campaign's) currency
    status: BudgetStatus | None
    missing: tuple[MissingRate, ...]

    @property
    def currency(self) -> str:
        return self.version.currency

    @property
    def budget(self) -> Decimal:
        return self.campaign.budget

    @property
    def budget_currency(self) -> str:
        return self.campaign.currency

    @property
    def converts_for_budget(self) -> bool:
        return self.campaign.currency != self.version.currency

    @property
    def missing_message(self) -> str:
        return rates_to_enter(self.missing) if self.missing else ""


def plan_budget(version: PlanVersion, placements: Sequence[Placement]) -> PlanBudget:
    """The version's roll-ups, and its planned total against the campaign's budget.

    When the campaign's budget is in another currency than the plan, the planned total is
    converted month by month (plan → campaign currency) for the comparison.
    """
    campaign = version.campaign
    rates = rates_for(campaign.client_id)
    try:
        result: BudgetRollup | None = budget_of(version, placements, rates)
    except MissingRates as exc:
        return PlanBudget(version, campaign, None, None, None, exc.missing)
    assert result is not None
    missing: tuple[MissingRate, ...] = ()
    planned: Decimal | None = result.total
    if campaign.currency != version.currency:
        try:
            planned = convert_months(result.by_month, version.currency, campaign.currency, rates)
        except MissingRates as exc:
            planned, missing = None, exc.missing
    status = budget_status(campaign.budget, planned) if planned is not None else None
    return PlanBudget(version, campaign, result, planned, status, missing)
