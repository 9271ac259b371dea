from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import Brand
from mediadesk.planning import services
from mediadesk.planning.choices import CampaignStatus, Kpi, Objective
from mediadesk.planning.filters import CampaignFilters
from mediadesk.planning.models import Campaign, CampaignQuerySet

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
