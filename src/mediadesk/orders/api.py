"""Insertion orders over the API: list, generate, one order, its PDF, send, revise, cancel."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.orders import services
from mediadesk.orders.choices import AdjustmentKind, BillingSource, OrderStatus
from mediadesk.orders.documents import order_pdf
from mediadesk.orders.models import InsertionOrder, InsertionOrderQuerySet
from mediadesk.planning.models import PlanVersion

router = Router(tags=["insertion orders"])


class AdjustmentOut(Schema):
    kind: AdjustmentKind
    quantity: Decimal
    cost: Decimal
    effective: date
    note: str


class LineOut(Schema):
    id: int
    code: str
    line_key: str
    description: str
    channel: str
    start: date
    end: date
    cost_model: str
    rate: Decimal
    quantity: Decimal
    cost: Decimal
    booked_cost: Decimal
    commission_percent: Decimal
    net_cost: Decimal
    change: str
    before: dict[str, Any]
    adjustments: list[AdjustmentOut]

    @staticmethod
    def resolve_adjustments(obj: Any) -> list[Any]:
        return list(obj.adjustments.all())


class OrderOut(Schema):
    id: int
    number: str
    revision: int
    status: OrderStatus
    client: int = Field(validation_alias="client_id")
    campaign: int = Field(validation_alias="campaign_id")
    plan_version: int = Field(validation_alias="plan_version_id")
    vendor: int = Field(validation_alias="vendor_id")
    vendor_name: str
    currency: str
    billing_source: BillingSource
    payment_terms: str
    total: Decimal
    net_total: Decimal
    sent_at: datetime | None
    sent_to: str
    answered_at: datetime | None
    answered_name: str
    answered_title: str
    decline_reason: str
    lines: list[LineOut]

    @staticmethod
    def resolve_vendor_name(obj: InsertionOrder) -> str:
        return obj.vendor.name

    @staticmethod
    def resolve_lines(obj: InsertionOrder) -> list[Any]:
        return list(obj.lines.all())


class OrderFilters(Schema):
    campaign: int | None = None
    vendor: int | None = None
    status: OrderStatus | None = None


class GenerateIn(Schema):
    plan_version: int = Field(description="An approved plan version; one IO per vendor.")


class SendIn(Schema):
    to: str = Field("", description="E-mail address; by default the vendor contact's.")
    message: str = ""


class ReviseIn(Schema):
    plan_version: int | None = Field(
        None, description="By default the campaign's newest approved plan version."
    )


class CancelIn(Schema):
    reason: str


class AdjustmentIn(Schema):
    line: int
    kind: AdjustmentKind
    quantity: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    effective: date
    note: str = ""


def _orders(request: HttpRequest) -> InsertionOrderQuerySet:
    return (
        InsertionOrder.objects.visible_to(request.user)
        .select_related("vendor")
        .prefetch_related("lines__adjustments")
    )


def _one(request: HttpRequest, order_id: int) -> InsertionOrder:
    return get_object_or_404(_orders(request), pk=order_id)


@router.get("/insertion-orders", response=list[OrderOut], summary="List insertion orders")
@paginate(LimitOffsetPagination)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> InsertionOrderQuerySet:
    orders = _orders(request)
    if filters.campaign is not None:
        orders = orders.filter(campaign_id=filters.campaign)
    if filters.vendor is not None:
        orders = orders.filter(vendor_id=filters.vendor)
    if filters.status is not None:
        orders = orders.filter(status=filters.status)
    return orders.order_by("-created_at", "-id")


@router.post(
    "/insertion-orders", response={201: list[OrderOut]}, summary="Generate IOs from a plan"
)
def generate(request: HttpRequest, payload: GenerateIn) -> Status[list[InsertionOrder]]:
    version = get_object_or_404(
        PlanVersion.objects.visible_to(request.user), pk=payload.plan_version
    )
    created = services.generate_orders(request.user, version)
    return Status(201, list(_orders(request).filter(pk__in=[o.pk for o in created])))


@router.get("/insertion-orders/{order_id}", response=OrderOut, summary="One insertion order")
def get_order(request: HttpRequest, order_id: int) -> InsertionOrder:
    return _one(request, order_id)


@router.get("/insertion-orders/{order_id}/pdf", summary="The IO as a PDF")
def get_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _one(request, order_id)
    response = HttpResponse(order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}-v{order.revision}.pdf"'
    return response


@router.post("/insertion-orders/{order_id}/send", response=OrderOut, summary="E-mail the IO")
def send(request: HttpRequest, order_id: int, payload: SendIn) -> InsertionOrder:
    order = _one(request, order_id)
    base = request.build_absolute_uri("/orders/answer")
    services.send_order(request.user, order, to=payload.to, link_base=base, message=payload.message)
    return _one(request, order_id)


@router.post(
    "/insertion-orders/{order_id}/revise", response={201: OrderOut}, summary="Propose a revision"
)
def revise(request: HttpRequest, order_id: int, payload: ReviseIn) -> Status[InsertionOrder]:
    order = _one(request, order_id)
    version = None
    if payload.plan_version is not None:
        version = get_object_or_404(
            PlanVersion.objects.visible_to(request.user), pk=payload.plan_version
        )
    revision = services.propose_revision(request.user, order, version)
    return Status(201, _one(request, revision.pk))


@router.post("/insertion-orders/{order_id}/cancel", response=OrderOut, summary="Cancel an IO")
def cancel(request: HttpRequest, order_id: int, payload: CancelIn) -> InsertionOrder:
    services.cancel_order(request.user, _one(request, order_id), payload.reason)
    return _one(request, order_id)


@router.post(
    "/insertion-orders/{order_id}/adjustments",
    response={201: OrderOut},
    summary="Record a makegood or a cancellation on a line",
)
def adjust(request: HttpRequest, order_id: int, payload: AdjustmentIn) -> Status[InsertionOrder]:
    order = _one(request, order_id)
    line = get_object_or_404(order.lines.all(), pk=payload.line)
    services.record_adjustment(
        request.user,
        line,
        kind=payload.kind,
        quantity=payload.quantity,
        cost=payload.cost,
        effective=payload.effective,
        note=payload.note,
    )
    return Status(201, _one(request, order_id))


class OrderSettingsOut(Schema):
    number_format: str
    next_sequence: int
    terms: str
    cancellation_terms: str
    link_days: int


class OrderSettingsPatch(Schema):
    number_format: str | None = None
    next_sequence: int | None = Field(None, ge=1)
    terms: str | None = None
    cancellation_terms: str | None = None
    link_days: int | None = None
    reason: str = ""


@router.get("/order-settings", response=OrderSettingsOut, summary="How IOs are numbered, and terms")
def get_order_settings(request: HttpRequest) -> Any:
    from mediadesk.vendors.models import can_read_vendors

    # Anyone with an internal role reads them; client reviewers never see orders.
    if not can_read_vendors(request.user):
        raise Http404("Not found.")
    organization = getattr(request.user, "organization", None)
    if organization is None:
        raise Http404("Not found.")
    return services.settings_for(organization)


@router.patch("/order-settings", response=OrderSettingsOut, summary="Change IO numbering and terms")
def patch_order_settings(request: HttpRequest, payload: OrderSettingsPatch) -> Any:
    from mediadesk.vendors.models import can_read_vendors

    if not can_read_vendors(request.user):  # as for reading: client reviewers do not find it
        raise Http404("Not found.")
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    for name in list(data):
        if data[name] is None:
            raise ValidationError({name: ["This field cannot be empty."]})
    organization = getattr(request.user, "organization", None)
    if organization is None:
        raise Http404("Not found.")
    return services.update_order_settings(request.user, organization, data, reason)
