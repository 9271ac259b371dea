"""Reading a plan version into the pure core's shapes: pricing, flighting, flowchart and diff.

Django loads the rows; the calculations are the domain's (DESIGN.md rule 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from mediadesk.domain.calendars import CalendarKind
from mediadesk.domain.costmodels import CostModel as DomainCostModel
from mediadesk.domain.flighting import Slice, spread
from mediadesk.domain.flowchart import Flowchart, FlowLine, build_flowchart
from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.domain.plandiff import Line, PlanDiff, diff_plans
from mediadesk.planning.choices import CostModel, Flighting
from mediadesk.planning.models import Placement, PlanVersion

# The fields compared between versions (the diff), in the order a planner reads a line.
DIFF_FIELDS = [
    "name", "channel", "vendor", "property_name", "market", "format", "spot_length", "targeting",
    "start", "end", "flighting", "weights", "cost_model", "rate", "quantity", "cost",
    "commission_percent", "net_cost", "fees", "currency", "universe", "kpi_targets",
    "material_deadline", "notes",
]  # fmt: skip

MEASURES = {"cost": "Cost", "quantity": "Units"}


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


def domain_cost_model(value: str) -> DomainCostModel:
    return DomainCostModel(value)


def as_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
