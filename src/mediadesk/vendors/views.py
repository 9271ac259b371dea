from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, can, roles_by_client
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.errors import Conflict
from mediadesk.finance.vendor_history import vendor_history
from mediadesk.vendors import services
from mediadesk.vendors.choices import DocumentExpiry, VendorKind
from mediadesk.vendors.documents import document_response, read_document_upload
from mediadesk.vendors.filters import VendorFilters
from mediadesk.vendors.forms import (
    ContactForm,
    DocumentForm,
    NegotiatedRateForm,
    RateCardForm,
    RateLineForm,
    VendorForm,
)
from mediadesk.vendors.models import (
    EXPIRY_WARNING_DAYS,
    NegotiatedRate,
    RateCard,
    RateCardLine,
    Vendor,
    VendorContact,
    VendorDocument,
    VendorQuerySet,
    can_read_vendors,
)
from mediadesk.web.exports import Column, export_response

SORTS = {
    "name": "name",
    "kind": "kind",
    "terms": "payment_terms",
    "currency": "currency",
    "contacts": "contact_count",
}
PAGE_SIZE = 50

EXPORT_COLUMNS = [
    Column("Vendor", lambda v: v.name),
    Column("Kind", lambda v: v.get_kind_display()),
    Column("Website", lambda v: v.website),
    Column("Tax ID", lambda v: v.tax_id),
    Column("Payment terms", lambda v: v.get_payment_terms_display()),
    Column("Currency", lambda v: v.currency),
    Column("Address", lambda v: v.address),
    Column("Contacts", lambda v: v.contact_count),
    Column("Notes", lambda v: v.notes),
    Column("Archived", lambda v: v.is_archived),
]


def visible_vendors(request: HttpRequest) -> VendorQuerySet:
    """The user's organization's vendors; the whole area is not there for client reviewers."""
    if not can_read_vendors(request.user):
        raise Http404("No vendors for this user.")
    return Vendor.objects.visible_to(request.user)


def _filters(request: HttpRequest) -> tuple[VendorFilters, list[str]]:
    """The list filters from the query string; a bad value is dropped and explained."""
    params = {key: value for key, value in request.GET.items() if value != ""}
    for key in ("sort", "page", "format"):
        params.pop(key, None)
    try:
        return VendorFilters.model_validate(params), []
    except SchemaError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            problems.append(f"Filter “{field}” ignored: {error['msg']}.")
            params.pop(field, None)
        return VendorFilters.model_validate(params), problems


def _can_export(request: HttpRequest) -> bool:
    return any(can(request.user, Action.EXPORT, pk) for pk in roles_by_client(request.user))


@login_required
def vendor_list(request: HttpRequest) -> HttpResponse:
    filters, problems = _filters(request)
    vendors = filters.apply(visible_vendors(request)).annotate(contact_count=Count("contacts"))
    sort = request.GET.get("sort", "name")
    order = SORTS.get(sort.lstrip("-"), "name")
    vendors = vendors.order_by(("-" if sort.startswith("-") else "") + order, "name", "id")

    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        if not _can_export(request):
            raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
        return export_response(export, "vendors", EXPORT_COLUMNS, vendors)

    page = Paginator(vendors, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "problems": problems,
        "sort": sort,
        "kinds": VendorKind.choices,
        "can_create": services.can_manage_vendors(request.user),
        "can_export": _can_export(request),
        "query": query.urlencode(),
        "filtered": bool(filters.q or filters.kind),
    }
    return render(request, "vendors/vendor_list.html", context)


@login_required
def vendor_detail(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    return _detail(request, vendor)


def _rate_client_ids(request: HttpRequest) -> set[int]:
    """The clients whose negotiated rates the user may change (coordinator, finance, admin)."""
    return {
        pk for pk in roles_by_client(request.user)
        if services.can_edit_negotiated_rates(request.user, pk)
    }  # fmt: skip


def _rate_clients(ids: set[int]) -> Any:
    return Client.objects.filter(pk__in=ids, archived_at__isnull=True)


def _detail(
    request: HttpRequest,
    vendor: Vendor,
    *,
    contact_form: ContactForm | None = None,
    negotiated_form: NegotiatedRateForm | None = None,
    document_form: DocumentForm | None = None,
) -> HttpResponse:
    """The vendor page; a refused form comes back with what was typed and a 400."""
    can_manage = services.can_manage_vendors(request.user)
    writable = can_manage and not vendor.is_archived
    refused = any(form is not None and form.errors
                  for form in (contact_form, negotiated_form, document_form))  # fmt: skip
    if writable:
        contact_form = contact_form or ContactForm()
        document_form = document_form or DocumentForm()
    editable_clients = _rate_client_ids(request)
    if negotiated_form is None and not vendor.is_archived and editable_clients:
        negotiated_form = NegotiatedRateForm(clients=_rate_clients(editable_clients), initial={
            "currency": vendor.currency, "valid_from": date(timezone.localdate().year, 1, 1),
        })  # fmt: skip
    today = timezone.localdate()
    documents = [(document, document.expiry(today)) for document in vendor.documents.active()]
    to_renew = (DocumentExpiry.EXPIRED, DocumentExpiry.EXPIRING)
    events = AuditEvent.objects.for_object(vendor).select_related("actor")[:200]
    cards = list(vendor.rate_cards.annotate(line_count=Count("lines")))
    return render(
        request,
        "vendors/vendor_detail.html",
        {
            "vendor": vendor,
            "contacts": list(vendor.contacts.all()),
            "rate_cards": [card for card in cards if not card.is_archived],
            "archived_cards": [card for card in cards if card.is_archived],
            "negotiated": [
                (rate, rate.client_id in editable_clients)
                for rate in NegotiatedRate.objects.visible_to(request.user)
                .active()
                .filter(vendor=vendor)
                .select_related("client")
            ],
            "documents": documents,
            "flagged": [(document, e) for document, e in documents if e in to_renew],
            "warning_days": EXPIRY_WARNING_DAYS,
            "history": readable_history(events, Vendor),
            "track": vendor_history(vendor, request.user, today),
            "can_manage": can_manage,
            "contact_form": contact_form,
            "negotiated_form": negotiated_form,
            "document_form": document_form,
        },
        status=400 if refused else 200,
    )


def _add_service_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
def vendor_create(request: HttpRequest) -> HttpResponse:
    visible_vendors(request)  # client reviewers: not found
    services.require_vendor_manager(request.user)
    form = VendorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.create_vendor(request.user, form.service_values())
        except services.DuplicateVendor as exc:
            form.add_error("name", str(exc))
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Vendor “{vendor.name}” added.")
            return redirect(vendor)
    return render(request, "vendors/vendor_form.html", {"form": form, "vendor": None})


@login_required
def vendor_edit(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    services.require_vendor_manager(request.user)
    if vendor.is_archived:
        messages.error(request, "This vendor is archived; restore it before changing it.")
        return redirect(vendor)
    # The form works on its own copy, so the service sees the stored values as "before".
    form = VendorForm(request.POST or None, instance=visible_vendors(request).get(pk=vendor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_vendor(
                request.user,
                vendor,
                form.service_values(),
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.DuplicateVendor as exc:
            form.add_error("name", str(exc))
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(vendor)
    return render(request, "vendors/vendor_form.html", {"form": form, "vendor": vendor})


@login_required
@require_POST
def vendor_archive(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "restore":
            services.restore_vendor(request.user, vendor, reason)
            messages.success(request, f"“{vendor.name}” is restored.")
        else:
            services.archive_vendor(request.user, vendor, reason)
            messages.success(
                request,
                f"“{vendor.name}” is archived. It no longer shows in the vendor list; "
                "its history is kept and you can restore it.",
            )
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(vendor)


@login_required
@require_POST
def contact_add(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    services.require_vendor_manager(request.user)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact = services.add_contact(request.user, vendor, form.service_values())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(vendor)
        else:
            messages.success(request, f"{contact.name} added to {vendor.name}'s contacts.")
            return redirect(vendor)
    return _detail(request, vendor, contact_form=form)


@login_required
@require_POST
def contact_remove(request: HttpRequest, vendor_id: int, contact_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    contact = get_object_or_404(VendorContact.objects.filter(vendor=vendor), pk=contact_id)
    try:
        services.remove_contact(request.user, contact, request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{contact.name} removed from {vendor.name}'s contacts.")
    return redirect(vendor)


# --- Rate cards -------------------------------------------------------------------------------


def _rate_card(request: HttpRequest, vendor_id: int, rate_card_id: int) -> RateCard:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    card: RateCard = get_object_or_404(RateCard.objects.filter(vendor=vendor), pk=rate_card_id)
    card.vendor = vendor
    return card


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def rate_card_create(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    services.require_vendor_manager(request.user)
    if vendor.is_archived:
        messages.error(request, "This vendor is archived; restore it before adding rate cards.")
        return redirect(vendor)
    initial = {"currency": vendor.currency, "valid_from": date(timezone.localdate().year, 1, 1)}
    form = RateCardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.create_rate_card(request.user, vendor, form.service_values())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Rate card “{card.name}” added: now add its lines.")
            return redirect(card)
    return render(
        request, "vendors/rate_card_form.html", {"form": form, "vendor": vendor, "card": None}
    )


@login_required
def rate_card_detail(request: HttpRequest, vendor_id: int, rate_card_id: int) -> HttpResponse:
    card = _rate_card(request, vendor_id, rate_card_id)
    return _card_page(request, card)


def _card_page(
    request: HttpRequest,
    card: RateCard,
    line_form: RateLineForm | None = None,
    editing: RateCardLine | None = None,
) -> HttpResponse:
    can_manage = services.can_manage_vendors(request.user)
    writable = can_manage and not card.is_archived and not card.vendor.is_archived
    if writable and line_form is None:
        line_form = RateLineForm(instance=editing)
    events = AuditEvent.objects.for_object(card).select_related("actor")[:200]
    return render(
        request,
        "vendors/rate_card_detail.html",
        {
            "vendor": card.vendor,
            "card": card,
            "lines": list(card.lines.all()),
            "line_form": line_form if writable else None,
            "editing": editing,
            "can_manage": can_manage,
            "writable": writable,
            "history": readable_history(events, RateCard),
        },
        status=400 if line_form is not None and line_form.errors else 200,
    )


@login_required
def rate_card_edit(request: HttpRequest, vendor_id: int, rate_card_id: int) -> HttpResponse:
    card = _rate_card(request, vendor_id, rate_card_id)
    services.require_vendor_manager(request.user)
    if card.is_archived:
        messages.error(request, "This rate card is archived; restore it before changing it.")
        return redirect(card)
    # The form works on its own copy, so the service sees the stored values as "before".
    form = RateCardForm(request.POST or None, instance=RateCard.objects.get(pk=card.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rate_card(
                request.user, card, form.service_values(), form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(card)
    return render(
        request, "vendors/rate_card_form.html", {"form": form, "vendor": card.vendor, "card": card}
    )


@login_required
@require_POST
def rate_card_archive(request: HttpRequest, vendor_id: int, rate_card_id: int) -> HttpResponse:
    card = _rate_card(request, vendor_id, rate_card_id)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "restore":
            services.restore_rate_card(request.user, card, reason)
            messages.success(request, f"“{card.name}” is restored and prices placements again.")
        else:
            services.archive_rate_card(request.user, card, reason)
            messages.success(
                request,
                f"“{card.name}” is archived: it no longer prices placements. Its lines and "
                "history are kept and you can restore it.",
            )
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(card)


@login_required
@require_POST
def line_add(request: HttpRequest, vendor_id: int, rate_card_id: int) -> HttpResponse:
    card = _rate_card(request, vendor_id, rate_card_id)
    services.require_vendor_manager(request.user)
    form = RateLineForm(request.POST)
    if form.is_valid():
        try:
            line = services.add_rate_line(request.user, card, form.service_values())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(card)
        else:
            messages.success(request, f"Line added: {line.scope}.")
            return redirect(card)
    return _card_page(request, card, form)


@login_required
def line_edit(
    request: HttpRequest, vendor_id: int, rate_card_id: int, line_id: int
) -> HttpResponse:
    """The line's form: in place of the add form (a fragment for htmx), or saved on POST."""
    card = _rate_card(request, vendor_id, rate_card_id)
    line = get_object_or_404(card.lines.all(), pk=line_id)
    services.require_vendor_manager(request.user)
    if request.method == "POST":
        form = RateLineForm(request.POST, instance=RateCardLine.objects.get(pk=line.pk))
        if form.is_valid():
            try:
                services.update_rate_line(request.user, line, form.service_values())
            except ValidationError as exc:
                _add_service_errors(form, exc)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect(card)
            else:
                messages.success(request, f"Line changed: {line.scope}.")
                return redirect(card)
        return _card_page(request, card, form, line)
    if _is_htmx(request) and not card.is_archived:
        return render(
            request,
            "vendors/partials/line_form.html",
            {"vendor": card.vendor, "card": card, "line_form": RateLineForm(instance=line),
             "editing": line},
        )  # fmt: skip
    return _card_page(request, card, editing=line)


@login_required
@require_POST
def line_remove(
    request: HttpRequest, vendor_id: int, rate_card_id: int, line_id: int
) -> HttpResponse:
    card = _rate_card(request, vendor_id, rate_card_id)
    line = get_object_or_404(card.lines.all(), pk=line_id)
    try:
        services.remove_rate_line(request.user, line, request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Line removed: {line.scope}.")
    return redirect(card)


# --- Negotiated rates -------------------------------------------------------------------------


def _negotiated_rate(request: HttpRequest, vendor: Vendor, rate_id: int) -> NegotiatedRate:
    rates = NegotiatedRate.objects.visible_to(request.user).active().filter(vendor=vendor)
    rate: NegotiatedRate = get_object_or_404(rates.select_related("client"), pk=rate_id)
    rate.vendor = vendor
    return rate


@login_required
@require_POST
def negotiated_add(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    editable = _rate_client_ids(request)
    if not editable:
        raise PermissionDenied(
            "Your role does not allow changing negotiated rates; it needs a coordinator, "
            "finance or admin role on the client."
        )
    form = NegotiatedRateForm(request.POST, clients=_rate_clients(editable))
    if form.is_valid():
        client = form.cleaned_data["client"]
        try:
            rate = services.add_negotiated_rate(request.user, vendor, client, form.service_values())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(vendor)
        else:
            messages.success(request, f"Negotiated rate of {client.name} added: {rate.scope}.")
            return redirect(f"{vendor.get_absolute_url()}#negotiated-h")
    return _detail(request, vendor, negotiated_form=form)


@login_required
def negotiated_edit(request: HttpRequest, vendor_id: int, negotiated_rate_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    rate = _negotiated_rate(request, vendor, negotiated_rate_id)
    services.require_negotiated_rate_editor(request.user, rate.client)
    clients = Client.objects.filter(pk=rate.client_id)
    form = NegotiatedRateForm(
        request.POST or None,
        instance=NegotiatedRate.objects.get(pk=rate.pk),
        clients=clients,
        initial={"client": rate.client_id},
    )
    form.fields["client"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_negotiated_rate(
                request.user, rate, form.service_values(), request.POST.get("reason", "")
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(vendor)
        else:
            messages.success(request, f"Negotiated rate of {rate.client.name} changed.")
            return redirect(f"{vendor.get_absolute_url()}#negotiated-h")
    return render(
        request,
        "vendors/negotiated_rate_form.html",
        {"form": form, "vendor": vendor, "rate": rate},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def negotiated_remove(
    request: HttpRequest, vendor_id: int, negotiated_rate_id: int
) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    rate = _negotiated_rate(request, vendor, negotiated_rate_id)
    try:
        services.remove_negotiated_rate(request.user, rate, request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Negotiated rate of {rate.client.name} removed: {rate.scope}.")
    return redirect(f"{vendor.get_absolute_url()}#negotiated-h")


# --- Documents --------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    services.require_vendor_manager(request.user)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_document_upload(upload)
            document = services.upload_document(
                request.user, vendor, filename=upload.name, data=data,
                values=form.service_values(),
            )  # fmt: skip
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(vendor)
        else:
            messages.success(request, f"{document.get_kind_display()} {document.filename} kept.")
            return redirect(f"{vendor.get_absolute_url()}#documents-h")
    return _detail(request, vendor, document_form=form)


def _document(request: HttpRequest, vendor_id: int, document_id: int) -> VendorDocument:
    vendor = get_object_or_404(visible_vendors(request), pk=vendor_id)
    document: VendorDocument = get_object_or_404(
        VendorDocument.objects.filter(vendor=vendor).active(), pk=document_id
    )
    document.vendor = vendor
    return document


@login_required
def document_download(request: HttpRequest, vendor_id: int, document_id: int) -> HttpResponse:
    """The file, only for people who read vendors: there is no public address of it."""
    document = _document(request, vendor_id, document_id)
    # Only after the document was found: a foreign id is 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return document_response(document)


@login_required
@require_POST
def document_remove(request: HttpRequest, vendor_id: int, document_id: int) -> HttpResponse:
    document = _document(request, vendor_id, document_id)
    try:
        services.remove_document(request.user, document, request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{document.filename} removed from {document.vendor.name}.")
    return redirect(f"{document.vendor.get_absolute_url()}#documents-h")
