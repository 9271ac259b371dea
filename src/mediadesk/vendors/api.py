from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import Client
from mediadesk.domain.ratecards import Direction, Rate
from mediadesk.planning.choices import CostModel
from mediadesk.planning.models import Placement
from mediadesk.vendors import services
from mediadesk.vendors.choices import PaymentTerms, VendorKind
from mediadesk.vendors.filters import VendorFilters
from mediadesk.vendors.models import (
    NegotiatedRate,
    NegotiatedRateQuerySet,
    RateCard,
    RateCardQuerySet,
    Vendor,
    VendorQuerySet,
    can_read_vendors,
)
from mediadesk.vendors.rates import may_check_rates, rate_checks

router = Router(tags=["vendors"])


class ContactOut(Schema):
    id: int
    name: str
    role: str = Field(validation_alias="position")
    email: str
    phone: str


class VendorOut(Schema):
    id: int
    name: str
    kind: VendorKind
    website: str
    tax_id: str
    payment_terms: PaymentTerms
    currency: str
    address: str
    notes: str
    contacts: list[ContactOut]
    archived: bool = Field(validation_alias="is_archived")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contacts(obj: Vendor) -> list[Any]:
        return list(obj.contacts.all())


class VendorIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: VendorKind = VendorKind.OTHER
    website: str = ""
    tax_id: str = Field("", max_length=50)
    payment_terms: PaymentTerms = PaymentTerms.NET_30
    currency: str = Field("EUR", description="ISO code the vendor invoices in.")
    address: str = ""
    notes: str = ""


class VendorPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: VendorKind | None = None
    website: str | None = None
    tax_id: str | None = Field(None, max_length=50)
    payment_terms: PaymentTerms | None = None
    currency: str | None = None
    address: str | None = None
    notes: str | None = None
    reason: str = Field("", description="Why, for the audit trail.")


def _vendors(request: HttpRequest) -> VendorQuerySet:
    # Client reviewers have no vendor directory: every vendor route is "not found" for them.
    if not can_read_vendors(request.user):
        raise Http404("No vendors for this user.")
    return Vendor.objects.visible_to(request.user).prefetch_related("contacts")


def _model_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for field in ("kind", "payment_terms"):
        if values.get(field) is not None:
            values[field] = str(values[field])
    if values.get("currency") is not None:
        values["currency"] = values["currency"].strip().upper()
    return values


@router.get("/vendors", response=list[VendorOut], summary="List vendors")
@paginate(LimitOffsetPagination)
def list_vendors(request: HttpRequest, filters: Query[VendorFilters]) -> VendorQuerySet:
    return filters.apply(_vendors(request)).order_by("name", "id")


@router.post("/vendors", response={201: VendorOut}, summary="Add a vendor")
def create_vendor(request: HttpRequest, payload: VendorIn) -> Status[Vendor]:
    _vendors(request)
    vendor = services.create_vendor(request.user, _model_values(payload.model_dump()))
    return Status(201, _vendors(request).get(pk=vendor.pk))


@router.get("/vendors/{vendor_id}", response=VendorOut, summary="One vendor")
def get_vendor(request: HttpRequest, vendor_id: int) -> Vendor:
    return get_object_or_404(_vendors(request), pk=vendor_id)


@router.patch("/vendors/{vendor_id}", response=VendorOut, summary="Change a vendor")
def patch_vendor(request: HttpRequest, vendor_id: int, payload: VendorPatch) -> Vendor:
    vendor = get_object_or_404(_vendors(request), pk=vendor_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    for field in ("name", "kind", "payment_terms", "currency"):
        if field in data and data[field] is None:
            raise ValidationError({field: ["This field cannot be empty."]})
    for field in ("website", "tax_id", "address", "notes"):
        if field in data and data[field] is None:
            data[field] = ""
    services.update_vendor(request.user, vendor, _model_values(data), reason=reason)
    return _vendors(request).get(pk=vendor.pk)


# --- Rate cards -------------------------------------------------------------------------------


class RateLineOut(Schema):
    id: int
    format: str
    market: str = Field(description="Blank: all markets.")
    daypart: str = Field(description="Blank: all dayparts.")
    cost_model: CostModel
    rate: Decimal = Field(description="Exact decimal (sent as a string), in the card's currency.")


class RateCardOut(Schema):
    id: int
    vendor: int = Field(validation_alias="vendor_id")
    name: str
    currency: str
    valid_from: date
    valid_to: date | None
    notes: str
    archived: bool = Field(validation_alias="is_archived")
    lines: list[RateLineOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_lines(obj: RateCard) -> list[Any]:
        return list(obj.lines.all())


class RateLineIn(Schema):
    id: int | None = Field(None, description="In a PATCH: the line to change; omit to add one.")
    format: str = Field(min_length=1, max_length=100)
    market: str = Field("", max_length=100)
    daypart: str = Field("", max_length=100)
    cost_model: CostModel
    rate: Decimal = Field(ge=0, max_digits=16, decimal_places=4)


class RateCardIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field("EUR", description="ISO code the card's rates are in.")
    valid_from: date
    valid_to: date | None = None
    notes: str = ""
    lines: list[RateLineIn] = []


class RateCardPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    currency: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    notes: str | None = None
    lines: list[RateLineIn] | None = Field(
        None, description="The lines become exactly these (with id: changed; without: added)."
    )
    archived: bool | None = Field(None, description="true archives the card, false restores it.")
    reason: str = Field("", description="Why, for the audit trail.")


def _vendor(request: HttpRequest, vendor_id: int) -> Vendor:
    vendor: Vendor = get_object_or_404(_vendors(request), pk=vendor_id)
    return vendor


def _rate_cards(request: HttpRequest) -> RateCardQuerySet:
    if not can_read_vendors(request.user):
        raise Http404("No vendors for this user.")
    return (
        RateCard.objects.visible_to(request.user).select_related("vendor").prefetch_related("lines")
    )


def _line_values(lines: list[RateLineIn]) -> list[dict[str, Any]]:
    values = []
    for line in lines:
        item = line.model_dump(exclude_none=True)
        item["cost_model"] = str(item["cost_model"])
        values.append(item)
    return values


def _card_values(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("currency") is not None:
        data["currency"] = data["currency"].strip().upper()
    return data


@router.get(
    "/vendors/{vendor_id}/rate-cards", response=list[RateCardOut], summary="A vendor's rate cards"
)
def list_rate_cards(request: HttpRequest, vendor_id: int, archived: bool = False) -> list[RateCard]:
    vendor = _vendor(request, vendor_id)
    cards = _rate_cards(request).filter(vendor=vendor, archived_at__isnull=not archived)
    return list(cards)


@router.post(
    "/vendors/{vendor_id}/rate-cards", response={201: RateCardOut}, summary="Add a rate card"
)
def create_rate_card(request: HttpRequest, vendor_id: int, payload: RateCardIn) -> Status[RateCard]:
    vendor = _vendor(request, vendor_id)
    data = payload.model_dump(exclude={"lines"})
    card = services.create_rate_card(
        request.user, vendor, _card_values(data), lines=_line_values(payload.lines)
    )
    return Status(201, _rate_cards(request).get(pk=card.pk))


@router.get("/rate-cards/{rate_card_id}", response=RateCardOut, summary="One rate card")
def get_rate_card(request: HttpRequest, rate_card_id: int) -> RateCard:
    card: RateCard = get_object_or_404(_rate_cards(request), pk=rate_card_id)
    return card


@router.patch("/rate-cards/{rate_card_id}", response=RateCardOut, summary="Change a rate card")
def patch_rate_card(request: HttpRequest, rate_card_id: int, payload: RateCardPatch) -> RateCard:
    card: RateCard = get_object_or_404(_rate_cards(request), pk=rate_card_id)
    data = payload.model_dump(exclude_unset=True, exclude={"lines"})
    reason = data.pop("reason", "")
    archived = data.pop("archived", None)
    for field in ("name", "currency", "valid_from"):
        if field in data and data[field] is None:
            raise ValidationError({field: ["This field cannot be empty."]})
    if "notes" in data and data["notes"] is None:
        data["notes"] = ""
    lines = _line_values(payload.lines) if payload.lines is not None else None
    if archived is False and card.is_archived:
        services.restore_rate_card(request.user, card, reason)
    if data or lines is not None:
        services.update_rate_card(request.user, card, _card_values(data), reason, lines=lines)
    if archived and not card.is_archived:
        services.archive_rate_card(request.user, card, reason)
    return _rate_cards(request).get(pk=card.pk)


# --- Negotiated rates -------------------------------------------------------------------------


class NegotiatedRateOut(Schema):
    id: int
    vendor: int = Field(validation_alias="vendor_id")
    client: int = Field(validation_alias="client_id")
    client_name: str = Field(validation_alias="client.name")
    format: str
    market: str
    daypart: str
    cost_model: CostModel
    rate: Decimal
    currency: str
    valid_from: date
    valid_to: date | None
    notes: str
    created_at: datetime
    updated_at: datetime


class NegotiatedRateIn(Schema):
    client: int = Field(description="The client whose rate this is.")
    format: str = Field(min_length=1, max_length=100)
    market: str = Field("", max_length=100)
    daypart: str = Field("", max_length=100)
    cost_model: CostModel
    rate: Decimal = Field(ge=0, max_digits=16, decimal_places=4)
    currency: str = "EUR"
    valid_from: date
    valid_to: date | None = None
    notes: str = ""


def _negotiated(request: HttpRequest) -> NegotiatedRateQuerySet:
    return NegotiatedRate.objects.visible_to(request.user).active().select_related("client")


@router.get(
    "/vendors/{vendor_id}/negotiated-rates",
    response=list[NegotiatedRateOut],
    summary="Negotiated rates with a vendor",
)
def list_negotiated_rates(
    request: HttpRequest, vendor_id: int, client: int | None = None
) -> list[NegotiatedRate]:
    vendor = _vendor(request, vendor_id)
    rates = _negotiated(request).filter(vendor=vendor)
    if client is not None:
        rates = rates.filter(client_id=client)
    return list(rates)


@router.post(
    "/vendors/{vendor_id}/negotiated-rates",
    response={201: NegotiatedRateOut},
    summary="Add a client's negotiated rate",
)
def create_negotiated_rate(
    request: HttpRequest, vendor_id: int, payload: NegotiatedRateIn
) -> Status[NegotiatedRate]:
    vendor = _vendor(request, vendor_id)
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=payload.client)
    values = payload.model_dump(exclude={"client"})
    values["cost_model"] = str(values["cost_model"])
    values["currency"] = values["currency"].strip().upper()
    rate = services.add_negotiated_rate(request.user, vendor, client, values)
    return Status(201, _negotiated(request).get(pk=rate.pk))


# --- Rate check -------------------------------------------------------------------------------


class ReferenceOut(Schema):
    kind: str = Field(description="rate_card or negotiated")
    id: int = Field(description="The rate card line's or the negotiated rate's id.")
    source: str = Field(description="The rate card's name, or whose negotiated rate it is.")
    format: str
    market: str
    daypart: str
    cost_model: str
    rate: Decimal
    currency: str
    valid_from: date
    valid_to: date | None


class VendorRef(Schema):
    id: int
    name: str


class RateCheckOut(Schema):
    placement: int
    vendor: VendorRef | None = Field(description="The directory's vendor the placement names.")
    reference: ReferenceOut | None
    rate: Decimal
    currency: str
    amount: Decimal | None = Field(description="The placement's rate minus the reference.")
    percent: Decimal | None = Field(description="The amount as a % of the reference, 1 decimal.")
    direction: Direction | None = Field(description="above, below, same or not_compared")
    sentence: str


def _reference(rate: Rate) -> dict[str, Any]:
    return {
        "kind": "negotiated" if rate.negotiated else "rate_card",
        "id": rate.key, "source": rate.label, "format": rate.format, "market": rate.market,
        "daypart": rate.daypart, "cost_model": rate.cost_model, "rate": rate.rate,
        "currency": rate.currency, "valid_from": rate.valid_from, "valid_to": rate.valid_to,
    }  # fmt: skip


@router.get("/rate-check", response=RateCheckOut, summary="A placement's rate against its card")
def rate_check(request: HttpRequest, placement: int) -> dict[str, Any]:
    found: Placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("version__campaign__client"),
        pk=placement,
    )
    client = found.version.campaign.client
    # Commercial terms are internal: for the client's reviewers the placement is not here.
    if not may_check_rates(request.user, client.pk):
        raise Http404("No such placement.")
    check = rate_checks(request.user, [found], client.organization_id, client.pk)[found.pk]
    answer: dict[str, Any] = {
        "placement": found.pk,
        "vendor": {"id": check.vendor.pk, "name": check.vendor.name} if check.vendor else None,
        "reference": None, "rate": found.rate, "currency": found.currency, "amount": None,
        "percent": None, "direction": None,
    }  # fmt: skip
    difference = check.difference
    if difference is None:
        answer["sentence"] = (
            f"No vendor named “{found.vendor}” in the vendor directory, so there is no rate card."
            if check.vendor is None
            else f"No rate card or negotiated rate of {check.vendor.name} applies to this "
            "placement (format, market, cost model and start date)."
        )
        return answer
    answer.update(
        reference=_reference(difference.reference), amount=difference.amount,
        percent=difference.percent, direction=difference.direction,
        sentence=difference.sentence,
    )  # fmt: skip
    return answer
