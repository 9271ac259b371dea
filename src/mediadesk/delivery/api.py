"""Delivery in the API: import exports, roll them back, the unmatched queue, pacing and
performance. The same services and report functions as the pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from mediadesk.delivery import reports, services
from mediadesk.delivery.models import DeliveryImport, delivery_campaigns
from mediadesk.domain.pacing import PacingMetric, PacingStatus
from mediadesk.planning.files import read_upload
from mediadesk.planning.models import Campaign

router = Router(tags=["delivery"])


class ImportOut(Schema):
    id: int
    campaign: int = Field(validation_alias="campaign_id")
    filename: str
    platform: str
    report: str
    rows: int = Field(description="Data rows in the file (summary rows never count).")
    mapped_rows: int
    unmapped_rows: int = Field(description="Rows waiting in the unmatched queue.")
    date_from: date | None
    date_to: date | None
    currency: str = Field(description="The file's currency ('' when it has several).")
    totals: dict[str, Any] = Field(
        description="impressions and clicks as integers; spend and conversions as exact "
        "decimal strings, in the file's currency."
    )
    replaced: list[dict[str, Any]] = Field(
        description="Earlier imports whose days this one replaced: import, filename, facts."
    )
    warnings: list[str]
    imported_at: datetime
    imported_by: str = Field(validation_alias="imported_by.email")
    duplicate: bool = Field(False, description="True when the same file was imported before.")


class RefusedOut(Schema):
    detail: str


class WaitingOut(Schema):
    key: str
    platform: str
    account: str
    source_campaign: str
    source_ad_group: str
    placement_key: str
    rows: int
    first_day: date
    last_day: date
    impressions: int
    clicks: int
    spend: Decimal


class AssignIn(Schema):
    key: str = Field(description="The key of a row of the unmatched queue.")
    placement: int = Field(description="The id of a placement of the campaign's plan.")


class RuleOut(Schema):
    id: int
    kind: str
    value: str
    line_key: str
    platform: str
    account: str
    source_campaign: str
    source_ad_group: str


class PacingLineOut(Schema):
    placement: int
    code: str
    line_key: str
    channel: str
    metric: PacingMetric
    planned: Decimal
    expected: Decimal
    delivered: Decimal
    index: Decimal | None
    projected: Decimal | None
    projected_spend: Decimal | None
    variance: Decimal | None
    status: PacingStatus
    spend: Decimal = Field(description="Delivered spend to date, campaign currency.")
    days_elapsed: int
    days_total: int


class PacingOut(Schema):
    campaign: int
    as_of: date
    currency: str
    under_threshold: Decimal
    over_threshold: Decimal
    placements: list[PacingLineOut]
    problems: list[str]


class PerformanceRowOut(Schema):
    key: str
    label: str
    planned_spend: Decimal
    spend: Decimal
    planned_impressions: Decimal
    impressions: int
    clicks: int
    ctr: Decimal | None = Field(description="Percent.")
    cpm: Decimal | None
    cpc: Decimal | None
    conversions: Decimal
    cpa: Decimal | None
    conversion_value: Decimal
    roas: Decimal | None
    video_views: int
    video_completions: int
    vcr: Decimal | None = Field(description="Video completion rate, percent.")
    engagements: int
    grps: Decimal
    spots: int


class PerformanceOut(Schema):
    campaign: int
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    by: str
    currency: str
    rows: list[PerformanceRowOut]
    total: PerformanceRowOut
    problems: list[str]


class PerformanceQuery(Schema):
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    by: Literal["placement", "channel", "week"] = "placement"


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign whose delivery the user may see (client reviewers: never; 404 either way)."""
    campaign: Campaign = get_object_or_404(delivery_campaigns(request.user), pk=campaign_id)
    return campaign


def _mapping(text: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        columns = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError({"mapping": f"Give the mapping as JSON: {exc}"}) from exc
    return services.check_mapping(columns)


def _out(upload: DeliveryImport, duplicate: bool = False) -> DeliveryImport:
    upload.duplicate = duplicate  # type: ignore[attr-defined]  # read by ImportOut
    return upload


@router.post(
    "/campaigns/{campaign_id}/delivery/imports",
    response={200: ImportOut, 201: ImportOut, 400: RefusedOut},
    summary="Import a platform export (multipart field `file`)",
    description="201 with the import record; 200 with the earlier record and "
    "`duplicate: true` when the same file was imported before (nothing changes); 400 with "
    "a sentence saying what to fix when the file cannot be imported (nothing is stored). "
    "A file of no known layout is read with `mapping` (JSON field -> column header), or by the "
    "client's saved mapping whose columns it has; `save_mapping_as` saves `mapping` under a "
    "name for the next files of that layout.",
)
def import_export(
    request: HttpRequest,
    campaign_id: int,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    save_mapping_as: Form[str] = "",
) -> Status[Any]:
    campaign = _campaign(request, campaign_id)
    columns = _mapping(mapping)
    data = read_upload(file)
    try:
        result = services.import_delivery(
            request.user, campaign, filename=file.name or "export.csv", data=data, mapping=columns
        )
    except services.DeliveryFileError as exc:
        return Status(400, {"detail": str(exc)})
    if columns and save_mapping_as.strip():
        services.save_delivery_mapping(request.user, campaign.client, save_mapping_as, columns)
    return Status(200 if result.duplicate else 201, _out(result.record, result.duplicate))


@router.get("/campaigns/{campaign_id}/delivery/imports", response=list[ImportOut])
def list_imports(request: HttpRequest, campaign_id: int) -> Any:
    campaign = _campaign(request, campaign_id)
    return list(DeliveryImport.objects.filter(campaign=campaign).select_related("imported_by"))


@router.delete(
    "/delivery/imports/{delivery_import_id}",
    response={204: None},
    summary="Roll an import back (its rows go, what it replaced comes back)",
)
def rollback(request: HttpRequest, delivery_import_id: int) -> Status[None]:
    upload = get_object_or_404(
        DeliveryImport.objects.visible_to(request.user).select_related("campaign"),
        pk=delivery_import_id,
    )
    services.rollback_import(request.user, upload)
    return Status(204, None)


@router.get("/campaigns/{campaign_id}/delivery/unmatched", response=list[WaitingOut])
def unmatched(request: HttpRequest, campaign_id: int) -> Any:
    return services.unmatched(_campaign(request, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/delivery/unmatched/assign",
    response={201: RuleOut},
    summary="Assign a row of the unmatched queue to a placement (saved as a rule)",
)
def assign(request: HttpRequest, campaign_id: int, payload: AssignIn) -> Status[Any]:
    campaign = _campaign(request, campaign_id)
    waiting = next((w for w in services.unmatched(campaign) if w.key == payload.key), None)
    if waiting is None:
        raise ValidationError({"key": "No row of the unmatched queue has this key."})
    placement = next(
        (p for p in services.placements_for_delivery(campaign) if p.pk == payload.placement), None
    )
    if placement is None:
        raise ValidationError({"placement": "Choose a placement of this campaign's plan."})
    rule = services.assign(request.user, campaign, waiting, placement.line_key)
    return Status(201, rule)


@router.get("/campaigns/{campaign_id}/pacing", response=PacingOut)
def pacing(request: HttpRequest, campaign_id: int, as_of: date | None = None) -> Any:
    campaign = _campaign(request, campaign_id)
    paced = reports.campaign_pacing(campaign, as_of)
    return {
        "campaign": campaign.pk,
        "as_of": paced.as_of,
        "currency": campaign.currency,
        "under_threshold": paced.thresholds.under,
        "over_threshold": paced.thresholds.over,
        "placements": [
            {
                "placement": item.placement.pk,
                "code": item.placement.code,
                "line_key": item.placement.line_key,
                "channel": item.placement.channel,
                "metric": item.pacing.metric,
                "planned": item.pacing.planned,
                "expected": item.pacing.expected,
                "delivered": item.pacing.delivered,
                "index": item.pacing.index,
                "projected": item.pacing.projected,
                "projected_spend": item.pacing.projected_spend,
                "variance": item.pacing.variance,
                "status": item.pacing.status,
                "spend": item.spend,
                "days_elapsed": item.pacing.days_elapsed,
                "days_total": item.pacing.days_total,
            }
            for item in paced.lines
        ],
        "problems": paced.problems,
    }


@router.get("/campaigns/{campaign_id}/performance", response=PerformanceOut, by_alias=True)
def performance(request: HttpRequest, campaign_id: int, filters: Query[PerformanceQuery]) -> Any:
    campaign = _campaign(request, campaign_id)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationError({"to": "The end of the period is before its start."})
    result = reports.campaign_performance(campaign, filters.date_from, filters.date_to, filters.by)
    return {
        "campaign": campaign.pk,
        "date_from": result.date_from,
        "date_to": result.date_to,
        "by": result.by,
        "currency": campaign.currency,
        "rows": [row.as_dict() for row in result.rows],
        "total": result.total.as_dict(),
        "problems": result.problems,
    }
