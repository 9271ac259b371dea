from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from mediadesk.accounts.permissions import Action, can, roles_by_client
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.errors import Conflict
from mediadesk.vendors import services
from mediadesk.vendors.choices import VendorKind
from mediadesk.vendors.filters import VendorFilters
from mediadesk.vendors.forms import ContactForm, VendorForm
from mediadesk.vendors.models import Vendor, VendorContact, VendorQuerySet, can_read_vendors
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
    can_manage = services.can_manage_vendors(request.user)
    return _detail(request, vendor, can_manage, ContactForm() if can_manage else None)


def _detail(
    request: HttpRequest, vendor: Vendor, can_manage: bool, contact_form: ContactForm | None
) -> HttpResponse:
    events = AuditEvent.objects.for_object(vendor).select_related("actor")[:200]
    return render(
        request,
        "vendors/vendor_detail.html",
        {
            "vendor": vendor,
            "contacts": list(vendor.contacts.all()),
            "history": readable_history(events, Vendor),
            "can_manage": can_manage,
            "contact_form": contact_form,
        },
        status=400 if contact_form is not None and contact_form.errors else 200,
    )


def _add_service_errors(form: VendorForm | ContactForm, error: ValidationError) -> None:
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
    return _detail(request, vendor, True, form)


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
