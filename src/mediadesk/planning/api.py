import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import Brand
from mediadesk.accounts.permissions import Action, require
from mediadesk.domain.calendars import CalendarKind
from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.domain.plandiff import diff_as_json
from mediadesk.planning import services
from mediadesk.planning.choices import (
    CampaignStatus,
    Channel,
    CostModel,
    Flighting,
    ImportOutcome,
    Kpi,
    Objective,
    PlanStatus,
)
from mediadesk.planning.files import plan_file_response, read_upload
from mediadesk.planning.filters import CampaignFilters
from mediadesk.planning.models import (
    Campaign,
    CampaignQuerySet,
    Placement,
    PlanVersion,
    PlanVersionQuerySet,
    placement_warnings,
)
from mediadesk.planning.plans import (
    PlanBudget,
    diff_versions,
    flowchart_of,
    month_key,
    plan_budget,
    plan_totals,
)

router = Router(tags=["campaigns"])


class KpiTarget(Schema):
    kpi: Kpi
    target: Decimal = Field(gt=0)


class CampaignOut(Schema):
    id: int
    name: str
    code: str
    client: int = Field(validation_alias="client_id")
    client_name: str = Field(validation_alias="client.name")
    brand: int | None = Field(validation_alias="brand_id")
    brand_name: str | None = None
    start: date
    end: date
    budget: Decimal = Field(description="Total budget, exact decimal (sent as a string).")
    currency: str
    status: CampaignStatus
    objectives: list[Objective]
    kpi_targets: list[KpiTarget]
    markets: list[str]
    notes: str
    shared_with_client: bool
    archived: bool = Field(validation_alias="is_archived")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_brand_name(obj: Campaign) -> str | None:
        return obj.brand.name if obj.brand_id and obj.brand else None


class CampaignIn(Schema):
    client: int
    brand: int | None = None
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=40)
    start: date
    end: date
    budget: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, description="ISO code; the client's currency if left out.")
    status: CampaignStatus = CampaignStatus.PLANNING
    objectives: list[Objective] = []
    kpi_targets: list[KpiTarget] = []
    markets: list[str] = []
    notes: str = ""
    shared_with_client: bool = True


class CampaignPatch(Schema):
    brand: int | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, min_length=1, max_length=40)
    start: date | None = None
    end: date | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = None
    status: CampaignStatus | None = None
    objectives: list[Objective] | None = None
    kpi_targets: list[KpiTarget] | None = None
    markets: list[str] | None = None
    notes: str | None = None
    shared_with_client: bool | None = None
    reason: str = Field("", description="Why, for the audit trail.")


def _campaigns(request: HttpRequest) -> CampaignQuerySet:
    return Campaign.objects.visible_to(request.user).select_related("client", "brand")


def _model_values(data: dict[str, Any], user: Any) -> dict[str, Any]:
    """Schema values -> model values: brand id to a brand the user can see, exact decimals."""
    values = dict(data)
    if "brand" in values and values["brand"] is not None:
        brand = Brand.objects.visible_to(user).filter(id=values["brand"]).first()
        if brand is None:
            raise ValidationError({"brand": [f"There is no brand with id {values['brand']}."]})
        values["brand"] = brand
    if "kpi_targets" in values:
        values["kpi_targets"] = [
            {"kpi": str(item["kpi"]), "target": str(item["target"])}
            for item in values["kpi_targets"]
        ]
    if "objectives" in values:
        values["objectives"] = [str(item) for item in values["objectives"]]
    if values.get("currency") is not None:
        values["currency"] = values["currency"].strip().upper()
    elif "currency" in values:
        del values["currency"]
    return values


@router.get("/campaigns", response=list[CampaignOut], summary="List campaigns")
@paginate(LimitOffsetPagination)
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilters]) -> CampaignQuerySet:
    return filters.apply(_campaigns(request)).order_by("start", "id")


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    data = payload.model_dump()
    client_id = data.pop("client")
    campaign = services.create_campaign(
        request.user, client_id=client_id, values=_model_values(data, request.user)
    )
    return Status(201, _campaigns(request).get(pk=campaign.pk))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="One campaign")
def get_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(_campaigns(request), pk=campaign_id)


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="Change a campaign")
def patch_campaign(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> Campaign:
    campaign = get_object_or_404(_campaigns(request), pk=campaign_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    for field in ("name", "code", "start", "end", "budget", "status"):
        if field in data and data[field] is None:
            raise ValidationError({field: ["This field cannot be empty."]})
    services.update_campaign(
        request.user, campaign, _model_values(data, request.user), reason=reason
    )
    return _campaigns(request).get(pk=campaign.pk)


# --- Media plans -----------------------------------------------------------------------------


class PlanVersionOut(Schema):
    id: int
    campaign: int = Field(validation_alias="campaign_id")
    number: int
    status: PlanStatus
    currency: str
    total_cost: Decimal | None = Field(
        description="Sum of the placements' gross cost in the plan's currency; lines in other "
        "currencies are converted month by month with the client's FX rates. Null while a rate "
        "is missing (GET /plans/{id}/budget names it)."
    )
    based_on: int | None = Field(validation_alias="based_on_id")
    note: str
    created_at: datetime
    submitted_at: datetime | None

    @staticmethod
    def resolve_total_cost(obj: Any) -> Decimal | None:
        if hasattr(obj, "plan_total"):  # computed for a whole list at once (_with_totals)
            total = obj.plan_total
        elif getattr(obj, "foreign_lines", 1):
            total = plan_totals([obj])[obj.pk]
        else:  # every line in the plan's currency: the SQL sum is the total
            total = obj.total_cost
        if total is None:
            return None
        places = CURRENCY_MINOR_UNITS.get(obj.currency, 2)
        return Decimal(total).quantize(Decimal(1).scaleb(-places))


class PlacementOut(Schema):
    id: int
    plan: int = Field(validation_alias="version_id")
    code: str
    name: str
    channel: Channel
    vendor: str
    property_name: str
    market: str
    format: str
    spot_length: int | None
    targeting: str
    start: date
    end: date
    flighting: Flighting
    weights: dict[str, Decimal]
    cost_model: CostModel
    rate: Decimal
    quantity: Decimal
    cost: Decimal = Field(description="Gross cost.")
    commission_percent: Decimal
    net_cost: Decimal
    fees: Decimal
    currency: str
    universe: Decimal | None
    kpi_targets: list[KpiTarget]
    material_deadline: date | None
    notes: str
    warnings: list[str] = Field(description="Things to check that do not block saving.")

    @staticmethod
    def resolve_warnings(obj: Placement) -> list[str]:
        return placement_warnings(obj)


class PlanOut(PlanVersionOut):
    placements: list[PlacementOut]

    @staticmethod
    def resolve_placements(obj: Any) -> list[Placement]:
        return list(obj.placement_list)


class PlacementIn(Schema):
    code: str = Field("", max_length=120, description="Left empty: built by the naming convention.")
    name: str = ""
    channel: Channel
    vendor: str = Field(min_length=1, max_length=200)
    property_name: str = ""
    market: str = ""
    format: str = ""
    spot_length: int | None = Field(None, ge=1)
    targeting: str = ""
    start: date
    end: date
    flighting: Flighting = Flighting.CONTINUOUS
    weights: dict[date, Decimal] = {}
    cost_model: CostModel
    rate: Decimal | None = None
    quantity: Decimal | None = None
    cost: Decimal | None = Field(None, description="Gross cost; give two of rate, quantity, cost.")
    commission_percent: Decimal | None = None
    fees: Decimal = Decimal("0")
    currency: str | None = None
    universe: Decimal | None = None
    kpi_targets: list[KpiTarget] = []
    material_deadline: date | None = None
    notes: str = ""


class PlacementPatch(Schema):
    code: str | None = None
    name: str | None = None
    channel: Channel | None = None
    vendor: str | None = None
    property_name: str | None = None
    market: str | None = None
    format: str | None = None
    spot_length: int | None = None
    targeting: str | None = None
    start: date | None = None
    end: date | None = None
    flighting: Flighting | None = None
    weights: dict[date, Decimal] | None = None
    cost_model: CostModel | None = None
    rate: Decimal | None = None
    quantity: Decimal | None = None
    cost: Decimal | None = None
    commission_percent: Decimal | None = None
    fees: Decimal | None = None
    universe: Decimal | None = None
    kpi_targets: list[KpiTarget] | None = None
    material_deadline: date | None = None
    notes: str | None = None
    reason: str = ""


class Comment(Schema):
    comment: str = ""


class NewDraft(Schema):
    from_plan: int | None = Field(None, description="Copy this version; empty for the first plan.")
    note: str = ""


class FieldChangeOut(Schema):
    field: str
    before: Any
    after: Any


class ChangedOut(Schema):
    key: str
    code: str
    changes: list[FieldChangeOut]
    cost_before: Decimal
    cost_after: Decimal
    cost_delta: Decimal


class DiffOut(Schema):
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[ChangedOut]
    total_before: Decimal
    total_after: Decimal
    total_delta: Decimal


class FlowRowOut(Schema):
    placement: int
    code: str
    channel: str
    vendor: str
    market: str
    cells: list[Decimal]
    total: Decimal


class FlowMonthOut(Schema):
    month: str
    label: str
    first_week_index: int
    week_count: int
    total: Decimal


class FlowGroupOut(Schema):
    channel: str
    vendor: str | None
    cells: list[Decimal]
    total: Decimal


class FlowchartOut(Schema):
    calendar: CalendarKind
    measure: str
    weeks: list[date]
    months: list[FlowMonthOut]
    rows: list[FlowRowOut]
    channel_totals: list[FlowGroupOut]
    week_totals: list[Decimal]
    total: Decimal


def _versions(request: HttpRequest) -> PlanVersionQuerySet:
    return (
        PlanVersion.objects.visible_to(request.user)
        .select_related("campaign")
        .annotate(
            total_cost=Coalesce(Sum("placements__cost"), Decimal("0"), output_field=DecimalField()),
            # Lines in another currency than the plan: their total needs converting.
            foreign_lines=Count("placements", filter=~Q(placements__currency=F("currency"))),
        )
    )


def _with_totals(versions: list[PlanVersion]) -> list[PlanVersion]:
    """Converted totals for every listed version that needs one, in one placements query."""
    converting = [v for v in versions if getattr(v, "foreign_lines", 1)]
    totals = plan_totals(converting)
    for version in converting:
        version.plan_total = totals[version.pk]  # type: ignore[attr-defined]
    return versions


def _plan(request: HttpRequest, plan_id: int) -> PlanVersion:
    version = get_object_or_404(_versions(request), pk=plan_id)
    # Placements load with their version and campaign, so warnings cost no extra queries.
    placements = list(version.placements.all())
    for placement in placements:
        placement.version = version
    version.placement_list = placements  # type: ignore[attr-defined]
    return version


def _placement_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "weights" in values and values["weights"] is not None:
        values["weights"] = {str(week): str(w) for week, w in values["weights"].items()}
    if "kpi_targets" in values and values["kpi_targets"] is not None:
        values["kpi_targets"] = [
            {"kpi": str(t["kpi"]), "target": str(t["target"])} for t in values["kpi_targets"]
        ]
    for name in ("channel", "cost_model", "flighting"):
        if values.get(name) is not None:
            values[name] = str(values[name])
    if values.get("currency"):
        values["currency"] = values["currency"].strip().upper()
    elif "currency" in values:
        del values["currency"]
    return values


@router.get(
    "/campaigns/{campaign_id}/plans",
    response=list[PlanVersionOut],
    tags=["plans"],
    summary="The plan versions of a campaign, newest first",
)
def list_plans(request: HttpRequest, campaign_id: int) -> Any:
    campaign = get_object_or_404(_campaigns(request), pk=campaign_id)
    return _with_totals(list(_versions(request).filter(campaign=campaign).order_by("-number")))


@router.post(
    "/campaigns/{campaign_id}/plans",
    response={201: PlanVersionOut},
    tags=["plans"],
    summary="Start the plan, or make a new draft from a version",
)
def create_plan(request: HttpRequest, campaign_id: int, payload: NewDraft) -> Status[Any]:
    campaign = get_object_or_404(_campaigns(request), pk=campaign_id)
    if payload.from_plan is None:
        version = services.start_plan(request.user, campaign, payload.note)
    else:
        source = _versions(request).filter(pk=payload.from_plan, campaign=campaign).first()
        if source is None:
            raise ValidationError(
                {"from_plan": [f"This campaign has no plan {payload.from_plan}."]}
            )
        version = services.new_draft(request.user, source, payload.note)
    return Status(201, _versions(request).get(pk=version.pk))


@router.get("/plans/{plan_id}", response=PlanOut, tags=["plans"], summary="A plan version")
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return _plan(request, plan_id)


@router.post(
    "/plans/{plan_id}/placements",
    response={201: PlacementOut},
    tags=["plans"],
    summary="Add a placement to a draft",
)
def add_placement(request: HttpRequest, plan_id: int, payload: PlacementIn) -> Status[Any]:
    version = get_object_or_404(_versions(request), pk=plan_id)
    placement = services.add_placement(
        request.user, version, _placement_values(payload.model_dump())
    )
    return Status(201, _placement(request, placement.pk))


def _placement(request: HttpRequest, placement_id: int) -> Placement:
    return get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("version__campaign__client"),
        pk=placement_id,
    )


@router.patch(
    "/placements/{placement_id}",
    response=PlacementOut,
    tags=["plans"],
    summary="Change a placement",
)
def patch_placement(request: HttpRequest, placement_id: int, payload: PlacementPatch) -> Any:
    placement = _placement(request, placement_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    for name in ("channel", "vendor", "start", "end", "cost_model"):
        if name in data and data[name] is None:
            raise ValidationError({name: ["This field cannot be empty."]})
    services.update_placement(request.user, placement, _placement_values(data), reason=reason)
    return _placement(request, placement.pk)


@router.delete(
    "/placements/{placement_id}",
    response={204: None},
    tags=["plans"],
    summary="Remove a placement from a draft",
)
def delete_placement(request: HttpRequest, placement_id: int) -> Status[None]:
    services.delete_placement(request.user, _placement(request, placement_id))
    return Status(204, None)


def _decide(request: HttpRequest, plan_id: int, action: Any, comment: str) -> Any:
    version = get_object_or_404(_versions(request), pk=plan_id)
    action(request.user, version, comment)
    return _versions(request).get(pk=version.pk)


@router.post("/plans/{plan_id}/submit", response=PlanVersionOut, tags=["plans"],
             summary="Freeze a draft and send it for approval")  # fmt: skip
def submit_plan(request: HttpRequest, plan_id: int, payload: Comment) -> Any:
    return _decide(request, plan_id, services.submit_plan, payload.comment)


@router.post("/plans/{plan_id}/approve", response=PlanVersionOut, tags=["plans"],
             summary="Approve at the current stage (internal, then client)")  # fmt: skip
def approve_plan(request: HttpRequest, plan_id: int, payload: Comment) -> Any:
    return _decide(request, plan_id, services.approve_plan, payload.comment)


@router.post("/plans/{plan_id}/reject", response=PlanVersionOut, tags=["plans"],
             summary="Reject at the current stage, saying why")  # fmt: skip
def reject_plan(request: HttpRequest, plan_id: int, payload: Comment) -> Any:
    return _decide(request, plan_id, services.reject_plan, payload.comment)


@router.get("/plans/{plan_id}/diff/{other_plan_id}", response=DiffOut, tags=["plans"],
            summary="What changed from one version to another")  # fmt: skip
def diff_plan(request: HttpRequest, plan_id: int, other_plan_id: int) -> Any:
    before = get_object_or_404(_versions(request), pk=plan_id)
    after = get_object_or_404(_versions(request), pk=other_plan_id)
    if before.campaign_id != after.campaign_id:
        raise ValidationError({"other_plan_id": ["Compare two versions of the same campaign."]})
    return diff_as_json(diff_versions(before, after))


@router.get("/plans/{plan_id}/flowchart", response=FlowchartOut, tags=["plans"],
            summary="Placements × weeks: the cost (or units) of every week")  # fmt: skip
def flowchart(
    request: HttpRequest,
    plan_id: int,
    calendar: CalendarKind = CalendarKind.CALENDAR,
    measure: Literal["cost", "quantity"] = "cost",
) -> Any:
    version = _plan(request, plan_id)
    chart = flowchart_of(version.placement_list, measure=measure, calendar=calendar)  # type: ignore[attr-defined]
    return {
        "calendar": calendar,
        "measure": measure,
        "weeks": chart.weeks,
        "months": [
            {
                "month": f"{m.month[0]}-{m.month[1]:02d}",
                "label": m.label,
                "first_week_index": m.first_week_index,
                "week_count": m.week_count,
                "total": m.total,
            }
            for m in chart.months
        ],
        "rows": [
            {
                "placement": r.line.id,
                "code": r.line.code,
                "channel": r.line.channel,
                "vendor": r.line.vendor,
                "market": r.line.market,
                "cells": r.cells,
                "total": r.total,
            }
            for r in chart.rows
        ],
        "channel_totals": [
            {"channel": g.channel, "vendor": g.vendor, "cells": g.cells, "total": g.total}
            for g in chart.channel_totals
        ],
        "week_totals": chart.week_totals,
        "total": chart.total,
    }


# --- Budget ------------------------------------------------------------------------------------


class BudgetPartOut(Schema):
    key: str = Field(description="The channel or month (2026-10), vendor or market.")
    label: str
    amount: Decimal


class MissingRateOut(Schema):
    currency_from: str
    currency_to: str
    month: str = Field(description="Year and month, e.g. 2026-10.")
    message: str


class BudgetOut(Schema):
    plan: int
    currency: str = Field(description="The plan's currency: every amount below but the budget's.")
    total: Decimal | None = Field(description="Planned gross cost; null while a rate is missing.")
    by_channel: list[BudgetPartOut]
    by_month: list[BudgetPartOut]
    by_vendor: list[BudgetPartOut]
    by_market: list[BudgetPartOut]
    budget: Decimal = Field(description="The campaign's budget, in budget_currency.")
    budget_currency: str
    planned_in_budget_currency: Decimal | None = Field(
        description="The total converted month by month into the budget's currency."
    )
    remaining: Decimal | None = Field(description="Budget minus planned; negative when over.")
    percent_used: Decimal | None
    over_budget: bool | None
    missing_rates: list[MissingRateOut]
    missing_rates_message: str = Field(description="Which rates to enter, as one sentence.")


def _parts(parts: Any, label: Any = None) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": label(key) if label else (key or "—"), "amount": amount}
        for key, amount in parts.items()
    ]


def budget_json(budget: PlanBudget) -> dict[str, Any]:
    result = budget.rollup
    channels = dict(Channel.choices)
    status = budget.status
    return {
        "plan": budget.version.pk,
        "currency": budget.currency,
        "total": result.total if result else None,
        "by_channel": _parts(result.by_channel, lambda k: str(channels.get(k, k)))
        if result
        else [],
        "by_month": [
            {"key": month_key(m), "label": f"{date(m[0], m[1], 1):%b %Y}", "amount": amount}
            for m, amount in result.by_month.items()
        ]
        if result
        else [],
        "by_vendor": _parts(result.by_vendor) if result else [],
        "by_market": _parts(result.by_market) if result else [],
        "budget": budget.budget,
        "budget_currency": budget.budget_currency,
        "planned_in_budget_currency": budget.planned,
        "remaining": status.remaining if status else None,
        "percent_used": status.percent_used if status else None,
        "over_budget": status.over if status else None,
        "missing_rates": [
            {
                "currency_from": m.currency_from,
                "currency_to": m.currency_to,
                "month": month_key((m.year, m.month)),
                "message": str(m),
            }
            for m in budget.missing
        ],
        "missing_rates_message": budget.missing_message,
    }


@router.get("/plans/{plan_id}/budget", response=BudgetOut, tags=["plans"],
            summary="Planned vs budget, by channel, month, vendor and market")  # fmt: skip
def plan_budget_api(request: HttpRequest, plan_id: int) -> Any:
    version = _plan(request, plan_id)
    return budget_json(plan_budget(version, version.placement_list))  # type: ignore[attr-defined]


# --- Files: export and import ----------------------------------------------------------------


class ImportProblemOut(Schema):
    row: int | None
    column: str
    value: str
    message: str


class ImportRefusedOut(Schema):
    detail: str
    problems: list[ImportProblemOut]


@router.get(
    "/plans/{plan_id}/export",
    tags=["plans"],
    summary="Download a version: xlsx (client-ready), csv, json (open standard) or pdf",
    response={200: None},
)
def export_plan(
    request: HttpRequest,
    plan_id: int,
    format: Literal["xlsx", "csv", "json", "pdf"] = "xlsx",
    calendar: CalendarKind = CalendarKind.CALENDAR,
) -> HttpResponse:
    version = _plan(request, plan_id)
    require(request.user, Action.EXPORT, version.campaign.client_id)
    return plan_file_response(version, version.placement_list, format, calendar)  # type: ignore[attr-defined]


@router.post(
    "/campaigns/{campaign_id}/plans/import",
    response={200: PlanVersionOut, 201: PlanVersionOut, 400: ImportRefusedOut},
    tags=["plans"],
    summary="Import a plan file (xlsx, csv or open-standard json) as a new draft",
)
def import_plan(
    request: HttpRequest,
    campaign_id: int,
    file: File[UploadedFile],
    mapping: Form[str] = "",
) -> Status[Any]:
    campaign = get_object_or_404(_campaigns(request), pk=campaign_id)
    columns: dict[str, str] | None = None
    if mapping.strip():
        try:
            columns = json.loads(mapping)
        except json.JSONDecodeError as exc:
            raise ValidationError({"mapping": [f"Give the mapping as JSON: {exc}"]}) from exc
        if not isinstance(columns, dict):
            raise ValidationError({"mapping": ['Give {"field": "column header", …}.']})
    data = read_upload(file)
    try:
        upload = services.import_plan(
            request.user, campaign, filename=file.name or "plan", data=data, mapping=columns
        )
    except services.ImportRefused as exc:
        return Status(400, {"detail": str(exc), "problems": [p.as_dict() for p in exc.problems]})
    status = 201 if upload.outcome == ImportOutcome.IMPORTED else 200
    assert upload.version is not None  # imported or unchanged: both name a version
    return Status(status, _versions(request).get(pk=upload.version.pk))
