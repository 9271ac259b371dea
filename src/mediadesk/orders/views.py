"""Insertion order pages: a campaign's Orders tab, the list of all IOs, one IO with its actions,
and the vendor's answer page (no account: the signed link is the key).

Every change goes through ``orders.services``; these views find what the user may see (404
otherwise), turn the services' refusals into messages beside the fields, and render.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import (
    Action,
    can,
    is_org_admin,
    require,
    require_org_admin,
    roles_by_client,
)
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.domain.ratecards import match_key
from mediadesk.errors import Conflict
from mediadesk.ingest.safety import display_name
from mediadesk.orders import services
from mediadesk.orders.choices import AdjustmentKind, OrderStatus
from mediadesk.orders.documents import changed_fields, order_context, order_pdf
from mediadesk.orders.forms import (
    AdjustmentForm,
    AnswerForm,
    CancelForm,
    CountersignedForm,
    OrderFilterForm,
    OrderHeaderForm,
    OrderSettingsForm,
    SendForm,
)
from mediadesk.orders.models import (
    InsertionOrder,
    InsertionOrderQuerySet,
    LineAdjustment,
    OrderSettings,
)
from mediadesk.planning.models import Campaign, PlanVersion
from mediadesk.vendors.models import Vendor, can_read_vendors
from mediadesk.web.context import current_client
from mediadesk.web.exports import Column, export_response
from mediadesk.web.filtering import filter_values

PAGE_SIZE = 50
SORTS = {
    "number": ("number", "-revision"),
    "client": ("client__name", "number"),
    "campaign": ("campaign__name", "number"),
    "vendor": ("vendor__name", "number"),
    "status": ("status", "number"),
    "created": ("created_at", "id"),
    "sent": ("sent_at", "id"),
    "answered": ("answered_at", "id"),
}
FILTERS = ("q", "status", "vendor", "client", "campaign")
ANSWERED = (OrderStatus.ACCEPTED, OrderStatus.DECLINED)
SENDABLE = (OrderStatus.DRAFT, OrderStatus.SENT)
ADJUSTABLE = (OrderStatus.SENT, OrderStatus.ACCEPTED)
FINISHED = (OrderStatus.CANCELLED, OrderStatus.REVISED)


def _answered_by(order: InsertionOrder) -> str:
    if not order.answered_name:
        return ""
    title = f", {order.answered_title}" if order.answered_title else ""
    return f"{order.answered_name}{title}"


EXPORT_COLUMNS = [
    Column("IO number", lambda o: o.number),
    Column("Revision", lambda o: o.revision),
    Column("Client", lambda o: o.client.name),
    Column("Campaign", lambda o: o.campaign.name),
    Column("Campaign code", lambda o: o.campaign.code),
    Column("Plan version", lambda o: o.plan_version.number),
    Column("Vendor", lambda o: o.vendor.name),
    Column("Status", lambda o: o.get_status_display()),
    Column("Currency", lambda o: o.currency),
    Column("Lines", lambda o: sum(1 for line in o.lines.all() if not line.is_removed)),
    Column("Gross", lambda o: o.total, "#,##0.00"),
    Column("Net", lambda o: o.net_total, "#,##0.00"),
    Column("Billing source", lambda o: o.get_billing_source_display()),
    Column("Payment terms", lambda o: o.get_payment_terms_display()),
    Column("Created", lambda o: o.created_at),
    Column("Sent", lambda o: o.sent_at),
    Column("Sent to", lambda o: o.sent_to),
    Column("Answered", lambda o: o.answered_at),
    Column("Answered by", _answered_by),
    Column("Decline reason", lambda o: o.decline_reason),
    Column("Cancellation reason", lambda o: o.cancelled_reason),
]


# --- What the user may see and do ------------------------------------------------------------


def _internal_client_ids(request: HttpRequest) -> list[int]:
    """Clients on which the user works internally; client reviewers have none of orders."""
    return [
        pk for pk in roles_by_client(request.user)
        if can(request.user, Action.VIEW_ALL_CAMPAIGNS, pk)
    ]  # fmt: skip


def visible_orders(request: HttpRequest) -> InsertionOrderQuerySet:
    """The IOs the user may read; the whole area is not there for a client reviewer."""
    if not _internal_client_ids(request):
        raise Http404("No insertion orders for this user.")
    return InsertionOrder.objects.visible_to(request.user)


def with_lines(orders: InsertionOrderQuerySet) -> InsertionOrderQuerySet:
    """Orders with what their pages and totals read, in a fixed number of queries."""
    return orders.select_related("client", "campaign", "vendor", "plan_version").prefetch_related(
        "lines__adjustments"
    )


def _order(request: HttpRequest, order_id: int) -> InsertionOrder:
    orders = visible_orders(request).select_related(
        "client__organization", "campaign", "vendor", "vendor_contact", "plan_version",
        "agency_contact", "created_by",
    ).prefetch_related(
        "lines",
        Prefetch(
            "lines__adjustments",
            queryset=LineAdjustment.objects.select_related("created_by"),
        ),
    )  # fmt: skip
    order: InsertionOrder = get_object_or_404(orders, pk=order_id)
    return order


def _may_change(request: HttpRequest, client_id: int) -> bool:
    return can(request.user, Action.EDIT_CAMPAIGN, client_id)


def _add_service_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _sentences(error: ValidationError) -> str:
    return " ".join(error.messages)


def _newest_approved(campaign_id: int) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(campaign_id=campaign_id, status__in=services.BOOKABLE)
        .order_by("-number")
        .first()
    )


def _pending(orders: list[InsertionOrder], newest: PlanVersion | None) -> dict[int, int]:
    """services.pending_revisions, asked only about orders a newer approved plan can change
    (so a campaign with nothing to revise costs no query per order)."""
    if newest is None:
        return {}
    candidates = [
        order for order in orders
        if order.status in ADJUSTABLE and order.plan_version.number < newest.number
    ]  # fmt: skip
    return services.pending_revisions(candidates) if candidates else {}


# --- The campaign's Orders tab ---------------------------------------------------------------


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("client"), pk=campaign_id
    )
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, campaign.client_id):
        raise Http404("Orders are internal work.")
    return campaign


def _unordered_vendors(version: PlanVersion, orders: Iterable[InsertionOrder]) -> list[str]:
    """The plan's vendors that have no (uncancelled) IO on the campaign yet."""
    ordered = {
        match_key(order.vendor.name) for order in orders if order.status != OrderStatus.CANCELLED
    }
    names: dict[str, str] = {}
    for vendor in version.placements.values_list("vendor", flat=True):
        names.setdefault(match_key(vendor), vendor)
    return sorted(name for key, name in names.items() if key not in ordered)


@login_required
@require_GET
def campaign_orders(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    orders = list(
        with_lines(InsertionOrder.objects.visible_to(request.user).filter(campaign=campaign))
        .order_by("number", "-revision")
    )  # fmt: skip
    version = _newest_approved(campaign.pk)
    pending = _pending(orders, version)
    may_change = _may_change(request, campaign.client_id) and not campaign.is_archived
    unordered = _unordered_vendors(version, orders) if version is not None else []
    newest: dict[str, int] = {}
    for order in orders:  # ordered by number, newest revision first
        newest.setdefault(order.number, order.pk)
    rows = [(order, newest[order.number] == order.pk, pending.get(order.pk)) for order in orders]
    currencies = {order.currency for order, is_newest, _ in rows if is_newest}
    booked = [
        order for order, is_newest, _ in rows
        if is_newest and order.status not in (OrderStatus.CANCELLED, OrderStatus.DECLINED)
    ]  # fmt: skip
    return render(
        request,
        "orders/campaign_orders.html",
        {
            "campaign": campaign,
            "rows": rows,
            "version": version,
            "pending": [(order, pending[order.pk]) for order in orders if order.pk in pending],
            "unordered": unordered,
            "may_change": may_change,
            "single_currency": currencies.pop() if len(currencies) == 1 else None,
            "ordered_total": sum((order.total for order in booked), Decimal("0")),
            "can_export": can(request.user, Action.EXPORT, campaign.client_id),
        },
    )


@login_required
@require_POST
def generate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.EDIT_CAMPAIGN, campaign.client_id)
    tab = reverse("orders:campaign_orders", args=[campaign.pk])
    # The newest approved version; without one, the newest version lets the service explain.
    version = _newest_approved(campaign.pk) or (
        PlanVersion.objects.filter(campaign=campaign).order_by("-number").first()
    )
    if version is None:
        messages.error(
            request,
            f"{campaign.code} has no plan yet. IOs are generated from an approved plan: "
            "build the plan and have it approved first.",
        )
        return redirect(tab)
    try:
        created = services.generate_orders(request.user, version)
    except ValidationError as exc:
        messages.error(request, _sentences(exc))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        if created:
            numbers = ", ".join(order.number for order in created)
            messages.success(
                request,
                f"{len(created)} draft IO{'s' if len(created) != 1 else ''} generated from plan "
                f"version {version.number}: {numbers}. Check each one, then send it.",
            )
        else:
            messages.info(
                request,
                f"Every vendor of plan version {version.number} has an IO already; nothing "
                "new was generated. Changed lines go into a revision.",
            )
    return redirect(tab)


# --- All IOs ---------------------------------------------------------------------------------


def _filter_form(request: HttpRequest, orders: InsertionOrderQuerySet) -> OrderFilterForm:
    clients = Client.objects.filter(pk__in=_internal_client_ids(request)).order_by("name")
    vendors = Vendor.objects.filter(pk__in=orders.values("vendor_id")).order_by("name")
    data = {key: value for key, value in request.GET.items() if key in FILTERS}
    chosen = current_client(request)
    if "client" not in request.GET and chosen is not None:
        data["client"] = str(chosen.pk)
    return OrderFilterForm(data, vendors=vendors, clients=clients)


def _apply(form: OrderFilterForm, orders: InsertionOrderQuerySet) -> tuple[Any, list[str]]:
    values, problems = filter_values(form)
    q, status = values.get("q") or "", values.get("status") or ""
    vendor, client, campaign = values.get("vendor"), values.get("client"), values.get("campaign")
    if q.strip():
        orders = orders.filter(number__icontains=q.strip())
    if status:
        orders = orders.filter(status=status)
    if vendor:
        orders = orders.filter(vendor_id=vendor)
    if client:
        orders = orders.filter(client_id=client)
    if campaign:
        orders = orders.filter(campaign_id=campaign)
    return orders, problems


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    orders = visible_orders(request)
    form = _filter_form(request, orders)
    filtered, problems = _apply(form, orders)
    sort = request.GET.get("sort", "-created")
    fields = SORTS.get(sort.lstrip("-"), SORTS["created"])
    descending = "-" if sort.startswith("-") else ""
    filtered = with_lines(filtered).order_by(descending + fields[0], *fields[1:])

    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        allowed = [pk for pk in _internal_client_ids(request)
                   if can(request.user, Action.EXPORT, pk)]  # fmt: skip
        if not allowed:
            raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
        return export_response(
            export, "insertion-orders", EXPORT_COLUMNS, filtered.filter(client_id__in=allowed)
        )

    campaign_id = form.cleaned_data.get("campaign") if "campaign" not in form.errors else None
    campaign = (
        Campaign.objects.visible_to(request.user).filter(pk=campaign_id).first()
        if campaign_id
        else None
    )
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "orders/order_list.html",
        {
            "page": page,
            "form": form,
            "campaign": campaign,
            "problems": problems,
            "sort": sort,
            "query": query.urlencode(),
            "filtered": any(request.GET.get(key) for key in FILTERS)
            or (current_client(request) is not None and "client" not in request.GET),
            "can_export": any(
                can(request.user, Action.EXPORT, pk) for pk in _internal_client_ids(request)
            ),
        },
    )


# --- One IO ----------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    order: InsertionOrder,
    *,
    send_form: SendForm | None = None,
    adjustment_form: AdjustmentForm | None = None,
    cancel_form: CancelForm | None = None,
    countersigned_form: CountersignedForm | None = None,
) -> HttpResponse:
    """The IO page; a refused form comes back with what was typed, its messages and a 400."""
    forms_given = (send_form, adjustment_form, cancel_form, countersigned_form)
    refused = any(form is not None and form.errors for form in forms_given)
    may_change = _may_change(request, order.client_id)
    if may_change and order.status in SENDABLE and send_form is None:
        contact = order.vendor_contact
        send_form = SendForm(initial={"to": order.sent_to or (contact.email if contact else "")})
    if may_change and order.status in ADJUSTABLE and adjustment_form is None:
        line = request.GET.get("line", "")
        adjustment_form = AdjustmentForm(
            order=order,
            initial={
                "line": int(line) if line.isdigit() else None,
                "kind": AdjustmentKind.MAKEGOOD,
            },
        )
    if may_change and order.status in SENDABLE and countersigned_form is None:
        countersigned_form = CountersignedForm()
    if may_change and order.status not in FINISHED and cancel_form is None:
        cancel_form = CancelForm()
    revisions = list(
        InsertionOrder.objects.filter(client_id=order.client_id, number=order.number)
        .only("id", "revision", "status", "number")
        .order_by("revision")
    )
    history = None
    if can(request.user, Action.VIEW_HISTORY, order.client_id):
        events = AuditEvent.objects.for_object(order).select_related("actor")[:200]
        history = readable_history(events, InsertionOrder)
    context = order_context(order)
    context["line_rows"] = [(line, changed_fields(line)) for line in context["lines"]]
    adjustments = [
        (line, adjustment) for line in context["lines"] for adjustment in line.adjustments.all()
    ]
    pending = _pending([order], _newest_approved(order.campaign_id))
    link_days = services.settings_for(order.client.organization).link_days
    context.update(
        {
            "revisions": revisions,
            "newest": revisions[-1] if revisions else order,
            "adjustments": adjustments,
            "history": history,
            "may_change": may_change,
            "pending_changes": pending.get(order.pk),
            "send_form": send_form if order.status in SENDABLE else None,
            "adjustment_form": adjustment_form if order.status in ADJUSTABLE else None,
            "countersigned_form": countersigned_form if order.status in SENDABLE else None,
            "cancel_form": cancel_form if order.status not in FINISHED else None,
            "link_days": link_days,
        }
    )
    return render(request, "orders/order_detail.html", context, status=400 if refused else 200)


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return _detail(request, _order(request, order_id))


@login_required
@require_http_methods(["GET", "POST"])
def order_edit(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    require(request.user, Action.EDIT_CAMPAIGN, order.client_id)
    if not order.is_editable:
        messages.error(
            request,
            f"{order.label} is {order.get_status_display().lower()}; only a draft can change. "
            "Propose a revision instead.",
        )
        return redirect(order)
    # The form works on its own copy, so the service sees the stored values as "before".
    form = OrderHeaderForm(request.POST or None, instance=InsertionOrder.objects.get(pk=order.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_order(request.user, order, form.service_values())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(order)
        else:
            messages.success(request, "Changes saved.")
            return redirect(order)
    return render(
        request,
        "orders/order_form.html",
        {"order": order, "form": form},
        status=400 if form.errors else 200,
    )


def _pdf_response(order: InsertionOrder) -> HttpResponse:
    response = HttpResponse(order_pdf(order), content_type="application/pdf")
    disposition = content_disposition_header(False, f"{order.number}-v{order.revision}.pdf")
    if disposition:
        response["Content-Disposition"] = disposition
    return response


@login_required
@require_GET
def order_pdf_view(request: HttpRequest, order_id: int) -> HttpResponse:
    return _pdf_response(_order(request, order_id))


@login_required
@require_POST
def order_send(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            sent = services.send_order(
                request.user,
                order,
                to=form.cleaned_data["to"],
                link_base=request.build_absolute_uri("/orders/answer"),
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(order)
        else:
            days = services.settings_for(order.client.organization).link_days
            messages.success(
                request,
                f"{sent.label} sent to {sent.sent_to} with the PDF and an answer link (valid "
                f"{days} days). Any earlier link no longer works.",
            )
            return redirect(order)
    return _detail(request, order, send_form=form)


def _read_upload(upload: Any) -> bytes:
    """The upload's bytes, refused while reading once it passes the size limit."""
    size = getattr(upload, "size", None)
    name = display_name(upload.name or "The file")
    too_large = ValidationError({"file": [f"{name} is larger than 20 MB."]})
    if size is not None and size > services.MAX_COUNTERSIGNED_BYTES:
        raise too_large
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > services.MAX_COUNTERSIGNED_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@login_required
@require_POST
def order_countersigned(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    require(request.user, Action.EDIT_CAMPAIGN, order.client_id)
    form = CountersignedForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = _read_upload(upload)
            services.upload_countersigned(
                request.user, order, data, display_name(upload.name or "countersigned.pdf")
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(order)
        else:
            messages.success(
                request, f"Countersigned copy kept: {order.label} is accepted and now booked."
            )
            return redirect(order)
    return _detail(request, order, countersigned_form=form)


@login_required
@require_GET
def countersigned_download(request: HttpRequest, order_id: int) -> HttpResponseBase:
    order = _order(request, order_id)
    if not order.countersigned:
        messages.info(request, f"No countersigned copy of {order.label} has been uploaded.")
        return redirect(order)
    response = FileResponse(
        order.countersigned.open("rb"),
        as_attachment=True,
        filename=order.countersigned_filename or f"{order.number}-countersigned.pdf",
        content_type="application/pdf",
    )
    return response


@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_order(request.user, order, form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(order)
        else:
            messages.success(request, f"{order.label} is cancelled.")
            return redirect(order)
    return _detail(request, order, cancel_form=form)


@login_required
@require_POST
def order_revise(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    try:
        revision = services.propose_revision(request.user, order)
    except ValidationError as exc:
        messages.error(request, _sentences(exc))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Draft revision {revision.revision} of {order.number} built from plan version "
            f"{revision.plan_version.number}: check the changed lines, then send it.",
        )
        return redirect(revision)
    if request.POST.get("back") == "campaign":
        return redirect("orders:campaign_orders", campaign_id=order.campaign_id)
    return redirect(order)


@login_required
@require_POST
def order_adjust(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    require(request.user, Action.EDIT_CAMPAIGN, order.client_id)
    form = AdjustmentForm(request.POST, order=order)
    if form.is_valid():
        line = form.cleaned_data["line"]
        line.order = order
        try:
            adjustment = services.record_adjustment(request.user, line, **form.service_values())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(order)
        else:
            messages.success(request, f"{adjustment.get_kind_display()} recorded on {line.code}.")
            return redirect(f"{order.get_absolute_url()}#adjustments-h")
    return _detail(request, order, adjustment_form=form)


# --- The vendor's answer, through the signed link (no account) -------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    """The answer pages are for one person: never cached (never_cache) nor indexed. The
    referrer policy stays the site's "same-origin": with "no-referrer" browsers send
    ``Origin: null`` on the form's POST and CSRF refuses it."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_refused(request: HttpRequest, token: str, error: services.LinkError) -> HttpResponse:
    """The sentence of the refusal and nothing of the order: 404 for a link that was changed,
    410 for one that worked once (expired, or replaced by a newer e-mail)."""
    try:
        signing.loads(token, salt=services.LINK_SALT)
    except signing.BadSignature:
        status = 404
    else:
        status = 410
    return _public(
        render(request, "orders/answer_refused.html", {"error": str(error)}, status=status)
    )


def _answer_order(order: InsertionOrder) -> InsertionOrder:
    found: InsertionOrder = (
        InsertionOrder.objects.select_related(
            "client__organization", "campaign", "vendor", "vendor_contact", "plan_version",
            "agency_contact",
        )
        .prefetch_related("lines__adjustments")
        .get(pk=order.pk)
    )  # fmt: skip
    return found


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = _answer_order(services.order_for_token(token))
    except services.LinkError as exc:
        return _link_refused(request, token, exc)
    form = AnswerForm(request.POST or None)
    conflict = ""
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("accept", "decline"):
            form.add_error(None, "Choose Accept or Decline.")
        elif form.is_valid():
            try:
                services.answer_order(
                    order,
                    accept=decision == "accept",
                    name=form.cleaned_data["name"],
                    title=form.cleaned_data["title"],
                    reason=form.cleaned_data["reason"],
                    ip=request.META.get("REMOTE_ADDR") or None,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            except Conflict as exc:
                conflict = str(exc)
                order = _answer_order(order)
                status = 409
            else:
                return redirect(reverse("orders:answer", args=[token]) + "?answered=1")
        if form.errors:
            status = 400
    context = order_context(order)
    context.update(
        {
            "token": token,
            "form": form,
            "conflict": conflict,
            "just_answered": request.GET.get("answered") == "1" and order.status in ANSWERED,
            "answerable": order.status == OrderStatus.SENT,
        }
    )
    return _public(render(request, "orders/answer.html", context, status=status))


@never_cache
@require_GET
def answer_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = _answer_order(services.order_for_token(token))
    except services.LinkError as exc:
        return _link_refused(request, token, exc)
    return _public(_pdf_response(order))


# --- Settings: how the organization numbers its IOs, and their terms -------------------------


def _number_preview(request: HttpRequest, found: OrderSettings) -> dict[str, str] | None:
    """The next IO number of the newest campaign the user sees (or of a made-up one)."""
    campaign = (
        Campaign.objects.visible_to(request.user)
        .select_related("client")
        .order_by("-start", "-pk")
        .first()
    )
    client_code, campaign_code = (
        ("ACME", "ACME-SP27") if campaign is None else (campaign.client.code, campaign.code)
    )
    try:
        number = services.format_number(
            found.number_format,
            client=client_code,
            campaign=campaign_code,
            year=timezone.localdate().year,
            seq=found.next_sequence,
        )
    except ValidationError:
        return None
    return {
        "number": number,
        "example": "a made-up client and campaign"
        if campaign is None
        else (f"{campaign.client.name}'s campaign {campaign.code}"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def order_settings(request: HttpRequest) -> HttpResponse:
    """The organization's IO number scheme and terms: organization admins change them, other
    internal users read them, client reviewers do not find the page."""
    person: Any = request.user
    if not can_read_vendors(person) or person.organization_id is None:
        raise Http404("No insertion orders for this user.")
    organization = person.organization
    found = OrderSettings.objects.filter(organization=organization).first() or OrderSettings(
        organization=organization
    )
    form: OrderSettingsForm | None = None
    status = 200
    if request.method == "POST":
        require_org_admin(person, "change how insertion orders are numbered and their terms")
        form = OrderSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_order_settings(
                    person, organization, form.service_values(), form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    "The IO settings are saved. New IOs are numbered and printed with them; "
                    "IOs already made keep their number and terms.",
                )
                return redirect("orders:settings")
        status = 400
    elif is_org_admin(person):
        form = OrderSettingsForm(
            initial={name: getattr(found, name) for name in services.ORDER_SETTINGS_FIELDS}
        )
    history = []
    if found.pk is not None:
        events = AuditEvent.objects.for_object(found).select_related("actor")[:50]
        history = readable_history(events, OrderSettings)
    return render(
        request,
        "orders/settings.html",
        {
            "found": found,
            "organization": organization,
            "form": form,
            "preview": _number_preview(request, found),
            "history": history,
        },
        status=status,
    )
