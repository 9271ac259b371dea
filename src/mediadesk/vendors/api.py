from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.vendors import services
from mediadesk.vendors.choices import PaymentTerms, VendorKind
from mediadesk.vendors.filters import VendorFilters
from mediadesk.vendors.models import Vendor, VendorQuerySet, can_read_vendors

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
