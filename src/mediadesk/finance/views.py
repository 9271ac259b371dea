"""Invoice, payment and month-end close pages. Thin: every change is a call to finance.services.

Who sees what: the finance area is there for people with VIEW_FINANCE on a client (finance,
coordinators, client admins); creative and viewer roles get a 403 that says which role is
needed, client reviewers do not find it at all (404), and another client's invoice, batch or
close is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import (
    ACTION_LABELS,
    Action,
    can,
    require,
    roles_allowed,
    roles_by_client,
)
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import ChangeRow, readable_history
from mediadesk.domain.close import CloseFigures, Figure, month_name
from mediadesk.errors import Conflict
from mediadesk.finance import services
from mediadesk.finance.choices import BatchStatus, ExportLayout, InvoiceKind, InvoiceSource
from mediadesk.finance.choices import InvoiceStatus as S
from mediadesk.finance.close import close_report, close_xlsx
from mediadesk.finance.describe import describe, general_values, overrides_words, percent
from mediadesk.finance.forms import (
    ApproveForm,
    BatchForm,
    DisputeForm,
    FilterForm,
    FinanceSettingsForm,
    ImportForm,
    InvoiceForm,
    LineFormSet,
    NoteForm,
    PaidForm,
    cell_name,
    parse_month,
)
from mediadesk.finance.models import FinanceSettings, Invoice, InvoiceLine, PaymentBatch
from mediadesk.finance.payments import batch_csv, batch_totals, figures
from mediadesk.ingest.invoices import COLUMNS, InvoiceFileError
from mediadesk.vendors.models import Vendor
from mediadesk.web.context import current_client
from mediadesk.web.exports import XLSX_TYPE, Column, export_response

PAGE_SIZE = 50
SORTS = {
    "date": "invoice_date",
    "number": "number",
    "vendor": "vendor__name",
    "client": "client__name",
    "total": "total",
    "status": "status",
}
EXPORT_COLUMNS = [
    Column("Client", lambda i: i.client.name),
    Column("Vendor", lambda i: i.vendor.name),
    Column("Invoice", lambda i: i.number),
    Column("Kind", lambda i: i.get_kind_display()),
    Column("Invoice date", lambda i: i.invoice_date),
    Column("Due date", lambda i: i.due_date),
    Column("Currency", lambda i: i.currency),
    Column("Stated total", lambda i: i.total, "#,##0.00"),
    Column("Tax", lambda i: i.tax, "#,##0.00"),
    Column("Status", lambda i: i.get_status_display()),
    Column("Source", lambda i: i.get_source_display()),
]
EDITABLE_BEFORE_PAYMENT = (S.RECEIVED, S.MATCHED, S.DISCREPANCY, S.DISPUTED)


# --- who may see and do what -----------------------------------------------------------------


def finance_client_ids(request: HttpRequest, action: Action = Action.VIEW_FINANCE) -> list[int]:
    return [pk for pk in roles_by_client(request.user) if can(request.user, action, pk)]


def _refuse(request: HttpRequest, action: Action) -> None:
    """No client allows the action: client reviewers do not find the area, others are told."""
    roles = roles_by_client(request.user).values()
    if not any(role != Role.CLIENT_REVIEWER for role in roles):
        raise Http404("No finance pages for this user.")
    allowed = ", ".join(str(role.label).lower() for role in roles_allowed(action))
    raise PermissionDenied(
        f"Your role does not allow this ({ACTION_LABELS[action].lower()}); "
        f"it needs one of: {allowed}."
    )


def finance_area(request: HttpRequest, action: Action = Action.VIEW_FINANCE) -> list[int]:
    ids = finance_client_ids(request, action)
    if not ids:
        _refuse(request, action)
    return ids


def _clients(ids: list[int]) -> QuerySet[Client]:
    return Client.objects.filter(pk__in=ids, archived_at__isnull=True)


def _invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    lines = InvoiceLine.objects.select_related("order_line__order")
    invoice: Invoice = get_object_or_404(
        Invoice.objects.visible_to(request.user)
        .select_related("vendor", "client", "credit_for", "batch", "created_by")
        .prefetch_related(Prefetch("lines", queryset=lines)),
        pk=invoice_id,
    )
    require(request.user, Action.VIEW_FINANCE, invoice.client_id)
    return invoice


def _batch(request: HttpRequest, batch_id: int) -> PaymentBatch:
    batch: PaymentBatch = get_object_or_404(
        PaymentBatch.objects.visible_to(request.user).select_related("client", "created_by"),
        pk=batch_id,
    )
    require(request.user, Action.VIEW_FINANCE, batch.client_id)
    return batch


def _service_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A finance page: its tabs link the close of each client the user sees finance of."""
    if "close_clients" not in context:
        context["close_clients"] = _clients(finance_client_ids(request)).only("id", "name")
    return render(request, template, context, status=status)


# --- the invoice list ------------------------------------------------------------------------


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    ids = finance_area(request)
    clients = list(_clients(ids).only("id", "name"))
    vendors = list(Vendor.objects.visible_to(request.user).only("id", "name").order_by("name"))
    params = {k: v for k, v in request.GET.items() if k in ("q", "client", "vendor", "status")}
    form = FilterForm(params, clients=clients, vendors=vendors)
    problems: list[str] = []
    if not form.is_valid():
        for field, errors in form.errors.items():
            problems.append(f"Filter “{field}” ignored: {' '.join(str(e) for e in errors)}")
            params.pop(field, None)
        form = FilterForm(params, clients=clients, vendors=vendors)
        form.is_valid()
    chosen = form.cleaned_data
    invoices = Invoice.objects.visible_to(request.user).filter(client_id__in=ids)
    if chosen.get("client"):
        invoices = invoices.filter(client_id=chosen["client"])
    if chosen.get("vendor"):
        invoices = invoices.filter(vendor_id=chosen["vendor"])
    if chosen.get("status"):
        invoices = invoices.filter(status=chosen["status"])
    if chosen.get("q"):
        q = chosen["q"].strip()
        invoices = invoices.filter(Q(number__icontains=q) | Q(vendor__name__icontains=q))
    sort = request.GET.get("sort", "-date")
    order = SORTS.get(sort.lstrip("-"), "invoice_date")
    invoices = invoices.select_related("vendor", "client").order_by(
        ("-" if sort.startswith("-") else "") + order, "-id"
    )
    can_export = any(can(request.user, Action.EXPORT, pk) for pk in ids)
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        if not can_export:
            raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
        return export_response(export, "invoices", EXPORT_COLUMNS, invoices)

    totals = list(
        invoices.order_by()
        .values("currency")
        .annotate(count=Count("id"), total=Sum("total"), tax=Sum("tax"))
        .order_by("currency")
    )
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    editable = finance_client_ids(request, Action.EDIT_FINANCE)
    return _page(
        request,
        "finance/invoice_list.html",
        {
            "page": page,
            "form": form,
            "problems": problems,
            "sort": sort,
            "totals": totals,
            "query": query.urlencode(),
            "filtered": any(chosen.get(k) for k in ("q", "client", "vendor", "status")),
            "can_export": can_export,
            "can_enter": bool(editable),
            "close_clients": clients,
            "tab": "invoices",
        },
    )


# --- entering an invoice ---------------------------------------------------------------------


def _entry_choices(request: HttpRequest) -> tuple[Any, Any]:
    editable = finance_area(request, Action.EDIT_FINANCE)
    vendors = Vendor.objects.visible_to(request.user).active().order_by("name")
    return vendors, _clients(editable)


def _credited(request: HttpRequest, value: Any) -> Invoice | None:
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("No such invoice.") from None
    invoice = _invoice(request, pk)
    require(request.user, Action.EDIT_FINANCE, invoice.client_id)
    return invoice


def _line_errors(lines: list[Any], error: ValidationError) -> dict[str, list[str]]:
    """Put "lines.N.field" errors on the Nth entered line; return the others (the header's)."""
    rest: dict[str, list[str]] = {}
    for key, texts in error.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            position = int(parts[1]) - 1
            if 0 <= position < len(lines):
                form = lines[position]
                form.add_error(parts[2] if parts[2] in form.fields else None, texts)
                continue
        rest[key] = texts
    return rest


@login_required
def invoice_create(request: HttpRequest) -> HttpResponse:
    vendors, clients = _entry_choices(request)
    credit_for = _credited(request, request.POST.get("credit_for") or request.GET.get("credit_for"))
    duplicate: services.DuplicateInvoice | None = None
    if request.method == "POST":
        form = InvoiceForm(request.POST, request.FILES, vendors=vendors, clients=clients)
        formset = LineFormSet(request.POST, prefix="lines")
        if "add_line" in request.POST:  # without scripts: the same form with one more line
            return _entry_page(request, form, _grown(request), credit_for, errors=False)
        if form.is_valid() & formset.is_valid():
            entered = [f for f in formset.forms if f.has_changed() and f.cleaned_data]
            try:
                invoice = services.record_invoice(
                    request.user,
                    vendor=form.cleaned_data["vendor"],
                    client=form.cleaned_data["client"],
                    number=form.cleaned_data["number"],
                    invoice_date=form.cleaned_data["invoice_date"],
                    due_date=form.cleaned_data["due_date"],
                    currency=form.cleaned_data["currency"],
                    total=form.cleaned_data["total"],
                    tax=form.cleaned_data["tax"],
                    notes=form.cleaned_data["notes"],
                    kind=InvoiceKind.CREDIT_NOTE if credit_for else InvoiceKind.INVOICE,
                    credit_for=credit_for,
                    lines=[f.line_input() for f in entered],
                    source=InvoiceSource.FORM,
                    pdf=form.pdf(),
                )
            except services.DuplicateInvoice as exc:
                duplicate = exc
            except ValidationError as exc:
                _service_errors(form, ValidationError(_line_errors(entered, exc)))
            else:
                kind = "Credit note" if credit_for else "Invoice"
                messages.success(
                    request,
                    f"{kind} {invoice.number} recorded and matched: "
                    f"{invoice.get_status_display().lower()}.",
                )
                return redirect(invoice)
        return _entry_page(request, form, formset, credit_for, duplicate=duplicate)
    initial: dict[str, Any] = {"invoice_date": timezone.localdate()}
    lines: list[dict[str, Any]] = [{}]
    if credit_for is not None:
        initial.update(
            vendor=credit_for.vendor_id, client=credit_for.client_id, currency=credit_for.currency,
            credit_for=credit_for.pk,
        )  # fmt: skip
        lines = [
            {"placement": line.placement_code, "io_number": line.io_number,
             "month": f"{line.month:%Y-%m}", "description": line.description}
            for line in credit_for.lines.all()
        ] or [{}]  # fmt: skip
    else:
        chosen = current_client(request)
        if chosen is not None and clients.filter(pk=chosen.pk).exists():
            initial.update(client=chosen.pk, currency=chosen.default_currency)
        elif clients.count() == 1:
            only = clients.get()
            initial.update(client=only.pk, currency=only.default_currency)
    form = InvoiceForm(initial=initial, vendors=vendors, clients=clients)
    formset = LineFormSet(prefix="lines", initial=lines)
    return _entry_page(request, form, formset, credit_for)


def _grown(request: HttpRequest) -> Any:
    """The posted lines and one blank line more, unvalidated (nothing is lost)."""
    data = request.POST.copy()
    count = int(data.get("lines-TOTAL_FORMS") or 0)
    data["lines-TOTAL_FORMS"] = str(min(count + 1, 200))
    return LineFormSet(data, prefix="lines")


def _entry_page(
    request: HttpRequest,
    form: InvoiceForm,
    formset: Any,
    credit_for: Invoice | None,
    *,
    duplicate: services.DuplicateInvoice | None = None,
    errors: bool = True,
) -> HttpResponse:
    refused = errors and (bool(form.errors) or formset.total_error_count() > 0 or duplicate)
    return _page(
        request,
        "finance/invoice_form.html",
        {
            "form": form,
            "formset": formset,
            "credit_for": credit_for,
            "duplicate": duplicate,
            "show_errors": errors,
            "tab": "invoices",
        },
        status=400 if refused else 200,
    )


@login_required
def invoice_line(request: HttpRequest) -> HttpResponse:
    """One blank line for the entry form (htmx "Add line"), numbered after the others."""
    finance_area(request, Action.EDIT_FINANCE)
    try:
        index = max(0, min(int(request.GET.get("lines-TOTAL_FORMS", "1")), 199))
    except ValueError:
        index = 1
    formset = LineFormSet(prefix="lines")
    line = formset.empty_form
    line.prefix = formset.add_prefix(index)
    return render(
        request,
        "finance/partials/line_row.html",
        {"line": line, "number": index + 1, "next_total": index + 1, "oob": True},
    )


# --- importing a file of invoices ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    value: str
    message: str


@login_required
def invoice_import(request: HttpRequest) -> HttpResponse:
    editable = finance_area(request, Action.EDIT_FINANCE)
    clients = _clients(editable)
    form = ImportForm(request.POST or None, request.FILES or None, clients=clients)
    problems: list[Any] = []
    recorded: list[Invoice] = []
    if request.method == "POST" and form.is_valid():
        from mediadesk.planning.files import read_upload

        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload)
            # All or nothing: a problem anywhere in the file, or a refused invoice, saves none.
            recorded = services.import_invoices(
                request.user, data, upload.name, client=form.cleaned_data["client"]
            )
        except InvoiceFileError as exc:
            problems = list(exc.problems)
        except (ValidationError, Conflict) as exc:
            if isinstance(exc, ValidationError) and "file" in getattr(exc, "error_dict", {}):
                form.add_error("file", exc.error_dict["file"])
            else:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                problems = [Problem(None, None, "", text)]
    if recorded:
        count = len(recorded)
        messages.success(
            request, f"{count} invoice{'s' if count != 1 else ''} recorded and matched."
        )
    return _page(
        request,
        "finance/invoice_import.html",
        {"form": form, "problems": problems, "recorded": recorded, "columns": COLUMNS,
         "tab": "import"},
        status=400 if problems or form.errors else 200,
    )  # fmt: skip


# --- one invoice -----------------------------------------------------------------------------


@login_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return _detail(request, _invoice(request, invoice_id))


def _detail(request: HttpRequest, invoice: Invoice, **forms_: Any) -> HttpResponse:
    can_edit = can(request.user, Action.EDIT_FINANCE, invoice.client_id)
    lines = list(invoice.lines.all())
    approvals = list(invoice.approvals.select_related("approved_by"))
    needed = services.approvals_needed(invoice)
    history = None
    if can(request.user, Action.VIEW_HISTORY, invoice.client_id):
        events = AuditEvent.objects.for_object(invoice).select_related("actor")[:200]
        history = readable_history(events, Invoice)
    open_ = invoice.status in EDITABLE_BEFORE_PAYMENT
    refused = any(form.errors for form in forms_.values())
    return _page(
        request,
        "finance/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "figures": figures(invoice),
            "notes": list(invoice.notes_log.select_related("created_by")),
            "approvals": approvals,
            "needed": needed,
            "approved_by_me": any(a.approved_by_id == request.user.pk for a in approvals),
            "credits": list(invoice.credit_notes.all()),
            "history": history,
            "can_edit": can_edit,
            "can_match": can_edit and open_,
            "can_dispute": can_edit and invoice.status in (S.MATCHED, S.DISCREPANCY, S.DISPUTED),
            "can_approve": can_edit and open_ and invoice.status != S.RECEIVED,
            "can_credit": can_edit and invoice.kind == InvoiceKind.INVOICE,
            "dispute_form": forms_.get("dispute_form") or DisputeForm(),
            "note_form": forms_.get("note_form") or NoteForm(),
            "approve_form": forms_.get("approve_form") or ApproveForm(),
            "tab": "invoices",
        },
        status=400 if refused else 200,
    )


@login_required
def invoice_file(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The vendor's PDF, only for people who see the invoice: it has no public address."""
    invoice = _invoice(request, invoice_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not invoice.file:
        messages.info(request, f"Invoice {invoice.number} has no vendor PDF attached.")
        return redirect(invoice)
    with invoice.file.open("rb") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type="application/pdf")
    name = invoice.filename or f"invoice-{invoice.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def invoice_match(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    try:
        services.rematch(request.user, invoice)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Matched again: {invoice.get_status_display().lower()}.")
    return redirect(invoice)


@login_required
@require_POST
def invoice_dispute(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    require(request.user, Action.EDIT_FINANCE, invoice.client_id)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            services.dispute(request.user, invoice, form.cleaned_data["note"])
        except ValidationError as exc:
            _service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(invoice)
        else:
            messages.success(request, f"Invoice {invoice.number} is disputed; the note is logged.")
            return redirect(f"{invoice.get_absolute_url()}#notes-h")
    return _detail(request, invoice, dispute_form=form)


@login_required
@require_POST
def invoice_note(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    require(request.user, Action.EDIT_FINANCE, invoice.client_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(request.user, invoice, form.cleaned_data["text"])
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, "Note added.")
            return redirect(f"{invoice.get_absolute_url()}#notes-h")
    return _detail(request, invoice, note_form=form)


@login_required
@require_POST
def invoice_approve(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    require(request.user, Action.EDIT_FINANCE, invoice.client_id)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            approved = services.approve(
                request.user, invoice, comment=form.cleaned_data["comment"],
                override_reason=form.cleaned_data["override_reason"],
            )  # fmt: skip
        except ValidationError as exc:
            _service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(invoice)
        else:
            if approved.status == S.APPROVED:
                messages.success(request, f"Invoice {approved.number} is approved for payment.")
            else:
                given = approved.approvals.count()
                messages.success(
                    request,
                    f"Your approval is recorded: {given} of {services.approvals_needed(approved)} "
                    "approvals. A second finance person approves it before it is paid.",
                )
            return redirect(approved)
    return _detail(request, invoice, approve_form=form)


# --- payment batches -------------------------------------------------------------------------


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    ids = finance_area(request)
    batches = (
        PaymentBatch.objects.visible_to(request.user)
        .filter(client_id__in=ids)
        .select_related("client")
        .annotate(invoice_count=Count("invoices", distinct=True))
        .order_by("-created_at", "-id")
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = finance_client_ids(request, Action.EDIT_FINANCE)
    waiting = list(
        Invoice.objects.visible_to(request.user)
        .filter(client_id__in=ids, status=S.APPROVED)
        .values("client_id", "client__name", "currency")
        .annotate(count=Count("id"), total=Sum("total"))
        .order_by("client__name", "currency")
    )
    return _page(
        request,
        "finance/batch_list.html",
        {"page": page, "can_create": bool(editable), "waiting": waiting, "editable": editable,
         "tab": "payments"},
    )  # fmt: skip


@dataclass(frozen=True)
class _Row:
    invoice: Invoice
    media_gross: Decimal
    commission: Decimal
    net: Decimal
    tax: Decimal
    to_pay: Decimal


def _rows(invoices: list[Invoice]) -> tuple[list[_Row], dict[str, Decimal]]:
    rows = []
    for invoice in invoices:
        f = figures(invoice)
        rows.append(_Row(invoice, f.media_gross, f.commission, f.net, f.tax, f.to_pay))
    totals = {
        name: sum((getattr(row, name) for row in rows), Decimal(0))
        for name in ("media_gross", "commission", "net", "tax", "to_pay")
    }
    return rows, totals


@login_required
def batch_create(request: HttpRequest) -> HttpResponse:
    editable = finance_area(request, Action.EDIT_FINANCE)
    clients = _clients(editable)
    source = request.POST if request.method == "POST" else request.GET
    form = BatchForm(source if "client" in source else None, clients=clients)
    if not form.is_bound:
        chosen = current_client(request)
        first = chosen if chosen and chosen.pk in editable else clients.first()
        form = BatchForm(
            initial={"client": first.pk if first else None,
                     "currency": first.default_currency if first else "EUR",
                     "layout": ExportLayout.MEDIADESK},
            clients=clients,
        )  # fmt: skip
    rows: list[_Row] = []
    totals: dict[str, Decimal] = {}
    if form.is_bound and form.is_valid():
        client = form.cleaned_data["client"]
        approved = list(
            Invoice.objects.visible_to(request.user)
            .filter(client=client, currency=form.cleaned_data["currency"], status=S.APPROVED)
            .select_related("vendor")
            .prefetch_related("lines__order_line")
            .order_by("vendor__name", "invoice_date", "id")
        )
        if request.method == "POST":
            wanted = {int(v) for v in request.POST.getlist("invoice") if v.isdigit()}
            chosen_invoices = [i for i in approved if i.pk in wanted]
            if not wanted or len(chosen_invoices) != len(wanted):
                messages.error(
                    request,
                    "The approved invoices changed since the list was shown; check the list "
                    "again and create the batch.",
                )
            else:
                try:
                    batch = services.create_batch(
                        request.user, client, invoices=chosen_invoices,
                        layout=form.cleaned_data["layout"],
                    )  # fmt: skip
                except ValidationError as exc:
                    _service_errors(form, exc)
                except Conflict as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request,
                        f"Batch {batch.number} created with {len(chosen_invoices)} invoice"
                        f"{'s' if len(chosen_invoices) != 1 else ''}; download its payment file.",
                    )
                    return redirect(batch)
        rows, totals = _rows(approved)
    return _page(
        request,
        "finance/batch_form.html",
        {"form": form, "rows": rows, "totals": totals, "tab": "payments",
         "previewed": form.is_bound and form.is_valid()},
        status=400 if form.is_bound and form.errors else 200,
    )  # fmt: skip


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    invoices = list(
        batch.invoices.select_related("vendor")
        .prefetch_related("lines__order_line")
        .order_by("vendor__name", "invoice_date", "id")
    )
    rows, _ = _rows(invoices)
    history = None
    if can(request.user, Action.VIEW_HISTORY, batch.client_id):
        events = AuditEvent.objects.for_object(batch).select_related("actor")[:200]
        history = readable_history(events, PaymentBatch)
    return _page(
        request,
        "finance/batch_detail.html",
        {
            "batch": batch,
            "rows": rows,
            "totals": batch_totals(batch),
            "layouts": ExportLayout.choices,
            "can_pay": can(request.user, Action.EDIT_FINANCE, batch.client_id)
            and batch.status == BatchStatus.EXPORTED,
            "can_download": can(request.user, Action.EXPORT, batch.client_id),
            "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}),
            "history": history,
            "tab": "payments",
        },
    )


@login_required
def batch_file(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    require(request.user, Action.EXPORT, batch.client_id)
    layout = request.GET.get("layout") or batch.layout
    if layout not in ExportLayout.values:
        raise Http404(f"There is no payment file layout “{layout}”.")
    response = HttpResponse(batch_csv(batch, layout), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.number}-{layout}.csv"'
    return response


@login_required
@require_POST
def batch_paid(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    form = PaidForm(request.POST)
    paid_on = form.cleaned_data.get("paid_on") if form.is_valid() else None
    try:
        services.mark_paid(request.user, batch, paid_on)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Batch {batch.number} is paid; its invoices are marked paid.")
    return redirect(batch)


# --- the month-end close ---------------------------------------------------------------------

CLOSE_FIGURES = (
    ("planned", "Planned"), ("booked", "Booked"), ("delivered", "Delivered"),
    ("invoiced", "Invoiced"), ("paid", "Paid"), ("accrual", "Accrual"),
    ("over_invoiced", "Over-invoiced"),
)  # fmt: skip
VARIANCES = (
    ("booked_vs_planned", "Booked vs planned"),
    ("delivered_vs_booked", "Delivered vs booked"),
    ("invoiced_vs_delivered", "Invoiced vs delivered"),
    ("paid_vs_invoiced", "Paid vs invoiced"),
)
BASES = {"gross": "Gross", "net": "Net", "both": "Gross and net"}
CHART_WIDTH = 640
CHART_LEFT = 110
CHART_BAR = 18


def _last_month(today: date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _finance_client(request: HttpRequest, client_id: int) -> Client:
    """A client whose money the user may see: 404 for clients they cannot see or only review,
    403 with a sentence for roles without VIEW_FINANCE."""
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if roles_by_client(request.user).get(client.pk) == Role.CLIENT_REVIEWER:
        raise Http404("No finance pages for this user.")
    require(request.user, Action.VIEW_FINANCE, client.pk)
    return client


def _cells(item: CloseFigures, names: Any, basis: str) -> list[dict[str, Any]]:
    cells = []
    for name, _ in names:
        figure: Figure = getattr(item, name)
        for part in ("gross", "net") if basis == "both" else (basis,):
            cells.append({"value": getattr(figure, part), "name": name, "part": part})
    return cells


def _chart(totals: CloseFigures, currency: str) -> dict[str, Any]:
    """Horizontal bars of the five numbers and the accrual (gross), with their numbers."""
    values = [(label, getattr(totals, name).gross) for name, label in CLOSE_FIGURES[:6]]
    top = max((abs(value) for _, value in values), default=Decimal(0)) or Decimal(1)
    span = CHART_WIDTH - CHART_LEFT - 120
    bars = []
    for n, (label, value) in enumerate(values):
        y = 10 + n * (CHART_BAR + 10)
        width = int(abs(value) / top * span)
        bars.append({
            "label": label, "value": value, "y": y, "text_y": y + CHART_BAR - 5,
            "width": max(width, 1 if value else 0), "value_x": CHART_LEFT + width + 6,
            "kind": label.lower(),
        })  # fmt: skip
    return {
        "currency": currency, "bars": bars, "width": CHART_WIDTH, "left": CHART_LEFT,
        "label_x": CHART_LEFT - 8, "bar": CHART_BAR, "height": 20 + len(bars) * (CHART_BAR + 10),
    }  # fmt: skip


@login_required
def close(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _finance_client(request, client_id)
    problems: list[str] = []
    month = _last_month(timezone.localdate())
    if request.GET.get("month"):
        try:
            month = parse_month(request.GET["month"])
        except ValidationError as exc:
            problems.append(f"{exc.messages[0]} Showing {month_name(month)} instead.")
    to_date = request.GET.get("to_date") in ("1", "true", "on")
    basis = request.GET.get("basis", "gross")
    if basis not in BASES:
        basis = "gross"
    if request.GET.get("format") == "xlsx":
        require(request.user, Action.EXPORT, client.pk)
        response = HttpResponse(close_xlsx(client, month, to_date=to_date), content_type=XLSX_TYPE)
        name = f"close-{client.code}-{month[0]:04d}-{month[1]:02d}{'-to-date' if to_date else ''}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    report = close_report(client, month, to_date=to_date)
    lines = [
        {"line": line, "cells": _cells(line, CLOSE_FIGURES, basis),
         "variances": _cells(line, VARIANCES, basis)}
        for line in report.lines
    ]  # fmt: skip
    totals = [
        {"currency": code, "totals": item, "cells": _cells(item, CLOSE_FIGURES, basis),
         "variances": _cells(item, VARIANCES, basis)}
        for code, item in report.totals.items()
    ]  # fmt: skip
    parts = ("gross", "net") if basis == "both" else (basis,)
    query = request.GET.copy()
    query.pop("format", None)
    query["month"] = f"{month[0]:04d}-{month[1]:02d}"
    return _page(
        request,
        "finance/close.html",
        {
            "client": client,
            "month": month,
            "month_value": f"{month[0]:04d}-{month[1]:02d}",
            "month_label": month_name(month),
            "to_date": to_date,
            "basis": basis,
            "bases": BASES,
            "parts": parts,
            "figure_heads": [(label, part) for _, label in CLOSE_FIGURES for part in parts],
            "variance_heads": [(label, part) for _, label in VARIANCES for part in parts],
            "lines": lines,
            "totals": totals,
            "charts": [_chart(item, code) for code, item in report.totals.items()],
            "problems": problems,
            "query": query.urlencode(),
            "can_download": can(request.user, Action.EXPORT, client.pk),
            "tab": "close",
            "xlsx_url": reverse("finance:close", args=[client.pk])
            + "?"
            + query.urlencode()
            + "&format=xlsx",
        },
    )


# --- a client's matching tolerances, approval limit and accounts (Settings) -------------------


def _settings_initial(found: FinanceSettings) -> dict[str, Any]:
    limit = found.second_approval_above
    initial: dict[str, Any] = {
        "rounding_units": found.rounding_units,
        "grp_percent": percent(found.grp_percent),
        "delivery_percent": percent(found.delivery_percent),
        "second_approval_above": "" if limit is None else f"{limit:.2f}",
        "expense_account": found.expense_account,
        "payable_account": found.payable_account,
        "cost_centre": found.cost_centre,
    }
    overrides = found.overrides if isinstance(found.overrides, dict) else {}
    for model, entry in overrides.items():
        for name, value in (entry if isinstance(entry, dict) else {}).items():
            if value not in (None, ""):
                initial[cell_name(model, name)] = (
                    value if name == "rounding_units" else percent(value)
                )
    return initial


# The history says the settings as the page does (the model's names are older).
SETTINGS_LABELS = {
    "rounding_units": "Rounding (cents)",
    "delivery_percent": "Over-delivery allowance %",
    "overrides": "Per cost model",
}


def _settings_history(request: HttpRequest, found: FinanceSettings) -> list[Any] | None:
    if not can(request.user, Action.VIEW_HISTORY, found.client_id):
        return None
    if found.pk is None:
        return []
    events = AuditEvent.objects.for_object(found).select_related("actor")[:50]
    history = readable_history(events, FinanceSettings)

    def row(name: str, shown: ChangeRow, pair: list[Any]) -> ChangeRow:
        label = SETTINGS_LABELS.get(name, shown.label)
        if name == "overrides":  # a table: said in words rather than as stored
            return ChangeRow(label, overrides_words(pair[0]), overrides_words(pair[1]))
        return replace(shown, label=label)

    # readable_history keeps the order of each event's changes, so they pair up with its rows.
    return [
        replace(
            item,
            rows=[
                row(name, shown, pair)
                for (name, pair), shown in zip(item.event.changes.items(), item.rows, strict=True)
            ],
        )
        for item in history
    ]


@login_required
@require_http_methods(["GET", "POST"])
def finance_settings(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's matching tolerances (general and per cost model), second-approval limit and
    accounting codes: read by VIEW_FINANCE, changed by EDIT_FINANCE."""
    client = _finance_client(request, client_id)
    found = FinanceSettings.objects.filter(client=client).first() or FinanceSettings(client=client)
    editable = not client.is_archived and can(request.user, Action.EDIT_FINANCE, client.pk)
    here = reverse("finance:settings", args=[client.pk])
    options = {"stored_overrides": found.overrides, "general": general_values(found)}
    form: FinanceSettingsForm | None = None
    status = 200
    if request.method == "POST":
        require(request.user, Action.EDIT_FINANCE, client.pk)
        if client.is_archived:
            messages.error(request, f"{client.name} is archived; restore it to change these.")
            return redirect(here)
        form = FinanceSettingsForm(request.POST, **options)
        if form.is_valid():
            try:
                services.update_finance_settings(
                    request.user, client, form.service_values(), form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    f"The invoice settings of {client.name} are saved. They apply to invoices "
                    "matched from now on; match an invoice again to apply them to it.",
                )
                return redirect(here)
        status = 400
    elif editable:
        form = FinanceSettingsForm(initial=_settings_initial(found), **options)
    text = describe(found, client.default_currency)
    rows = [
        {
            "label": row.label,
            "cells": [
                None
                if cell is None
                else {
                    "cell": cell,
                    "field": form[cell_name(cell.model, cell.name)] if form else None,
                }
                for cell in row.cells
            ],
        }
        for row in text.rows
    ]
    return render(
        request,
        "finance/settings.html",
        {
            "client": client,
            "found": found,
            "text": text,
            "general": options["general"],
            "rows": rows,
            "form": form,
            "history": _settings_history(request, found),
        },
        status=status,
    )
