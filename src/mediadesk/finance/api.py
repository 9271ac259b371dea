"""Invoices, payment batches and the month-end close over the API."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, require, role_on
from mediadesk.finance import services
from mediadesk.finance.choices import (
    BatchStatus,
    ExportLayout,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
)
from mediadesk.finance.close import close_payload
from mediadesk.finance.models import Invoice, InvoiceQuerySet, PaymentBatch
from mediadesk.finance.payments import batch_csv, batch_totals

router = Router(tags=["invoices and payments"])


class DiscrepancyOut(Schema):
    kind: str
    amount: Decimal
    message: str


class InvoiceLineOut(Schema):
    id: int
    io_number: str
    placement: str = Field(validation_alias="placement_code")
    order_line: int | None = Field(validation_alias="order_line_id")
    month: str
    description: str
    quantity: Decimal | None
    amount: Decimal
    tax: Decimal
    status: str
    payable: Decimal | None
    payable_basis: str
    difference: Decimal | None
    discrepancies: list[DiscrepancyOut]

    @staticmethod
    def resolve_month(obj: Any) -> str:
        return f"{obj.month:%Y-%m}"


class InvoiceOut(Schema):
    id: int
    vendor: int = Field(validation_alias="vendor_id")
    vendor_name: str
    client: int = Field(validation_alias="client_id")
    kind: InvoiceKind
    credit_for: int | None = Field(validation_alias="credit_for_id")
    number: str
    invoice_date: date
    due_date: date | None
    currency: str
    total: Decimal
    tax: Decimal
    status: InvoiceStatus
    approvals: list[str]
    approvals_needed: int
    lines: list[InvoiceLineOut]
    discrepancies: list[DiscrepancyOut] | None = None
    batch: int | None = Field(validation_alias="batch_id")
    has_pdf: bool
    created_at: datetime

    @staticmethod
    def resolve_has_pdf(obj: Invoice) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_vendor_name(obj: Invoice) -> str:
        return obj.vendor.name

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_approvals(obj: Invoice) -> list[str]:
        return [a.approved_by.email for a in obj.approvals.all()]

    @staticmethod
    def resolve_approvals_needed(obj: Invoice) -> int:
        return services.approvals_needed(obj)

    @staticmethod
    def resolve_discrepancies(obj: Invoice) -> list[dict[str, Any]] | None:
        """Every discrepancy of the invoice (its total, then its lines), when not matched."""
        if obj.status == InvoiceStatus.MATCHED:
            return None
        found = list(obj.discrepancies)
        for line in obj.lines.all():
            found.extend(line.discrepancies)
        return found


class LineIn(Schema):
    placement: str = Field(description="The placement code the line bills.")
    month: str = Field(description="Month of service, YYYY-MM.")
    amount: Decimal
    io_number: str = ""
    description: str = ""
    quantity: Decimal | None = None
    tax: Decimal = Decimal(0)


class InvoiceIn(Schema):
    vendor: int | str = Field(description="Vendor id or name.")
    number: str
    invoice_date: date
    currency: str
    total: Decimal = Field(description="The invoice's stated total before tax.")
    tax: Decimal | None = None
    due_date: date | None = None
    client: int | None = Field(None, description="Needed only when no line names a booked IO line.")
    kind: InvoiceKind = InvoiceKind.INVOICE
    credit_for: int | None = None
    notes: str = ""
    lines: list[LineIn]


class InvoiceFilters(Schema):
    client: int | None = None
    vendor: int | None = None
    status: InvoiceStatus | None = None


class DisputeIn(Schema):
    note: str


class ApproveIn(Schema):
    comment: str = ""
    override_reason: str = ""


class BatchIn(Schema):
    client: int
    invoices: list[int] | None = Field(None, description="By default every approved invoice.")
    currency: str | None = None
    layout: ExportLayout = ExportLayout.MEDIADESK


class BatchOut(Schema):
    id: int
    number: str
    client: int = Field(validation_alias="client_id")
    currency: str
    status: BatchStatus
    layout: ExportLayout
    invoices: list[int]
    media_gross: Decimal
    agency_commission: Decimal
    net: Decimal
    tax: Decimal
    amount_to_pay: Decimal
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_invoices(obj: PaymentBatch) -> list[int]:
        return sorted(invoice.pk for invoice in obj.invoices.all())

    @staticmethod
    def resolve_media_gross(obj: PaymentBatch) -> Decimal:
        return batch_totals(obj).media_gross

    @staticmethod
    def resolve_agency_commission(obj: PaymentBatch) -> Decimal:
        return batch_totals(obj).commission

    @staticmethod
    def resolve_net(obj: PaymentBatch) -> Decimal:
        return batch_totals(obj).net

    @staticmethod
    def resolve_tax(obj: PaymentBatch) -> Decimal:
        return batch_totals(obj).tax

    @staticmethod
    def resolve_amount_to_pay(obj: PaymentBatch) -> Decimal:
        return batch_totals(obj).to_pay


class PaidIn(Schema):
    paid_on: date | None = None


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str, field: str = "month") -> tuple[int, int]:
    found = _MONTH.match(value.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError({field: [f"{value!r} is not a month; write it as YYYY-MM."]})
    return int(found.group(1)), int(found.group(2))


def _invoices(request: HttpRequest) -> InvoiceQuerySet:
    return (
        Invoice.objects.visible_to(request.user)
        .select_related("vendor")
        .prefetch_related("lines", "approvals__approved_by")
    )


def _one(request: HttpRequest, invoice_id: int) -> Invoice:
    invoice = get_object_or_404(_invoices(request), pk=invoice_id)
    require(request.user, Action.VIEW_FINANCE, invoice.client_id)
    return invoice


def _finance_clients(request: HttpRequest) -> list[int]:
    from mediadesk.accounts.permissions import can, roles_by_client

    return [c for c in roles_by_client(request.user) if can(request.user, Action.VIEW_FINANCE, c)]


@router.get("/invoices", response=list[InvoiceOut], summary="List invoices")
@paginate(LimitOffsetPagination)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> InvoiceQuerySet:
    invoices = _invoices(request).filter(client_id__in=_finance_clients(request))
    if filters.client is not None:
        invoices = invoices.filter(client_id=filters.client)
    if filters.vendor is not None:
        invoices = invoices.filter(vendor_id=filters.vendor)
    if filters.status is not None:
        invoices = invoices.filter(status=filters.status)
    return invoices.order_by("-invoice_date", "-id")


@router.post(
    "/invoices",
    response={201: InvoiceOut, 409: dict[str, Any]},
    summary="Record an invoice (matched at once)",
)
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Status[Any]:
    client = None
    if payload.client is not None:
        client = get_object_or_404(Client.objects.visible_to(request.user), pk=payload.client)
    credit_for = None
    if payload.credit_for is not None:
        credit_for = get_object_or_404(_invoices(request), pk=payload.credit_for)
    vendor: int | str = payload.vendor
    lines = [
        services.LineInput(
            placement=line.placement,
            month=parse_month(line.month, f"lines.{n}.month"),
            amount=line.amount,
            io_number=line.io_number,
            description=line.description,
            quantity=line.quantity,
            tax=line.tax,
        )
        for n, line in enumerate(payload.lines, start=1)
    ]
    try:
        invoice = services.record_invoice(
            request.user,
            vendor=vendor,
            number=payload.number,
            invoice_date=payload.invoice_date,
            currency=payload.currency,
            total=payload.total,
            tax=payload.tax,
            due_date=payload.due_date,
            client=client,
            kind=payload.kind,
            credit_for=credit_for,
            notes=payload.notes,
            lines=lines,
            source=InvoiceSource.API,
        )
    except services.DuplicateInvoice as exc:
        existing = exc.existing
        return Status(
            409,
            {
                "detail": str(exc),
                "existing": None
                if existing is None
                else {"id": existing.pk, "number": existing.number, "status": existing.status},
            },
        )
    return Status(201, _one(request, invoice.pk))


@router.get("/invoices/{invoice_id}", response=InvoiceOut, summary="One invoice")
def get_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    return _one(request, invoice_id)


@router.post("/invoices/{invoice_id}/file", response=InvoiceOut, summary="Attach the vendor's PDF")
def attach_file(request: HttpRequest, invoice_id: int, file: File[UploadedFile]) -> Invoice:
    invoice = _one(request, invoice_id)
    services.attach_pdf(request.user, invoice, file.read(), file.name or "invoice.pdf")
    return _one(request, invoice_id)


@router.get("/invoices/{invoice_id}/file", summary="The vendor's PDF of the invoice")
def get_file(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _one(request, invoice_id)
    if not invoice.file:
        raise Http404("This invoice has no PDF attached.")
    with invoice.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    safe = "".join(ch for ch in invoice.filename if ch.isalnum() or ch in "._- ") or "invoice.pdf"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@router.post("/invoices/{invoice_id}/match", response=InvoiceOut, summary="Match again")
def match(request: HttpRequest, invoice_id: int) -> Invoice:
    services.rematch(request.user, _one(request, invoice_id))
    return _one(request, invoice_id)


@router.post("/invoices/{invoice_id}/dispute", response=InvoiceOut, summary="Dispute an invoice")
def dispute(request: HttpRequest, invoice_id: int, payload: DisputeIn) -> Invoice:
    services.dispute(request.user, _one(request, invoice_id), payload.note)
    return _one(request, invoice_id)


@router.post("/invoices/{invoice_id}/approve", response=InvoiceOut, summary="Approve an invoice")
def approve(request: HttpRequest, invoice_id: int, payload: ApproveIn) -> Invoice:
    services.approve(
        request.user,
        _one(request, invoice_id),
        comment=payload.comment,
        override_reason=payload.override_reason,
    )
    return _one(request, invoice_id)


def _batches(request: HttpRequest) -> Any:
    return (
        PaymentBatch.objects.visible_to(request.user)
        .filter(client_id__in=_finance_clients(request))
        .prefetch_related("invoices__lines__order_line")
    )


@router.get("/payment-batches", response=list[BatchOut], summary="List payment batches")
@paginate(LimitOffsetPagination)
def list_batches(request: HttpRequest) -> Any:
    return _batches(request).order_by("-created_at", "-id")


@router.post("/payment-batches", response={201: BatchOut}, summary="Batch approved invoices")
def create_batch(request: HttpRequest, payload: BatchIn) -> Status[PaymentBatch]:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=payload.client)
    invoices = None
    if payload.invoices is not None:
        invoices = list(Invoice.objects.visible_to(request.user).filter(pk__in=payload.invoices))
        if len(invoices) != len(set(payload.invoices)):
            raise Http404("No such invoice.")
    batch = services.create_batch(
        request.user, client, invoices=invoices, currency=payload.currency, layout=payload.layout
    )
    return Status(201, _batches(request).get(pk=batch.pk))


@router.get("/payment-batches/{batch_id}", response=BatchOut, summary="One payment batch")
def get_batch(request: HttpRequest, batch_id: int) -> PaymentBatch:
    return get_object_or_404(_batches(request), pk=batch_id)  # type: ignore[no-any-return]


@router.get("/payment-batches/{batch_id}/export", summary="The batch's payment file (CSV)")
def export_batch(
    request: HttpRequest, batch_id: int, layout: ExportLayout | None = None
) -> HttpResponse:
    batch = get_object_or_404(_batches(request), pk=batch_id)
    response = HttpResponse(batch_csv(batch, layout), content_type="text/csv; charset=utf-8")
    name = f"{batch.number}-{layout or batch.layout}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/payment-batches/{batch_id}/paid", response=BatchOut, summary="Mark a batch paid")
def paid(request: HttpRequest, batch_id: int, payload: PaidIn) -> PaymentBatch:
    batch = get_object_or_404(_batches(request), pk=batch_id)
    services.mark_paid(request.user, batch, payload.paid_on)
    return get_object_or_404(_batches(request), pk=batch_id)  # type: ignore[no-any-return]


@router.get("/clients/{client_id}/close", summary="Month-end close of a client")
def close(
    request: HttpRequest, client_id: int, month: str = "", to_date: bool = False
) -> dict[str, Any]:
    """The close of ``month`` (YYYY-MM; by default last month), or cumulative through it."""
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if role_on(request.user, client.pk) == Role.CLIENT_REVIEWER:
        raise Http404("Not found.")  # the agency's money is not shown to the advertiser
    require(request.user, Action.VIEW_FINANCE, client.pk)
    if not month:
        last = timezone.localdate().replace(day=1) - timedelta(days=1)
        month = f"{last:%Y-%m}"
    return close_payload(client, parse_month(month), to_date=to_date)


class FinanceSettingsOut(Schema):
    client: int = Field(validation_alias="client_id")
    rounding_units: int
    grp_percent: Decimal
    delivery_percent: Decimal
    overrides: dict[str, dict[str, Any]]
    second_approval_above: Decimal | None
    expense_account: str
    payable_account: str
    cost_centre: str


class FinanceSettingsPatch(Schema):
    rounding_units: int | None = Field(None, ge=0, le=10_000)
    grp_percent: Decimal | None = None
    delivery_percent: Decimal | None = None
    overrides: dict[str, dict[str, Any]] | None = None
    second_approval_above: Decimal | None = None
    expense_account: str | None = None
    payable_account: str | None = None
    cost_centre: str | None = None
    reason: str = ""


def _settings_client(request: HttpRequest, client_id: int) -> Client:
    """The client, unless the user cannot see it or only reviews it (finance is internal)."""
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if role_on(request.user, client.pk) == Role.CLIENT_REVIEWER:
        raise Http404("Not found.")
    return client


@router.get(
    "/clients/{client_id}/finance-settings",
    response=FinanceSettingsOut,
    summary="A client's matching tolerances, approval limit and accounts",
)
def get_finance_settings(request: HttpRequest, client_id: int) -> Any:
    client = _settings_client(request, client_id)
    require(request.user, Action.VIEW_FINANCE, client.pk)
    from mediadesk.finance.models import FinanceSettings

    return FinanceSettings.objects.filter(client=client).first() or FinanceSettings(client=client)


@router.patch(
    "/clients/{client_id}/finance-settings",
    response=FinanceSettingsOut,
    summary="Change a client's tolerances, approval limit or accounts",
)
def patch_finance_settings(
    request: HttpRequest, client_id: int, payload: FinanceSettingsPatch
) -> Any:
    client = _settings_client(request, client_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    for name in ("rounding_units", "grp_percent", "delivery_percent", "overrides"):
        if name in data and data[name] is None:
            raise ValidationError({name: ["This field cannot be empty."]})
    for name in ("expense_account", "payable_account", "cost_centre"):
        if name in data and data[name] is None:
            data[name] = ""
    return services.update_finance_settings(request.user, client, data, reason)
