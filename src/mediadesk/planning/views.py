from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, can, require
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.errors import Conflict
from mediadesk.planning import services
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.filters import CampaignFilters
from mediadesk.planning.forms import CampaignForm
from mediadesk.planning.models import Campaign, CampaignQuerySet
from mediadesk.web.context import current_client
from mediadesk.web.exports import Column, export_response

SORTS = {
    "name": "name",
    "code": "code",
    "client": "client__name",
    "start": "start",
    "end": "end",
    "budget": "budget",
    "status": "status",
}
PAGE_SIZE = 50

EXPORT_COLUMNS = [
    Column("Client", lambda c: c.client.name),
    Column("Brand", lambda c: c.brand.name if c.brand else ""),
    Column("Campaign", lambda c: c.name),
    Column("Code", lambda c: c.code),
    Column("Status", lambda c: c.get_status_display()),
    Column("Start", lambda c: c.start),
    Column("End", lambda c: c.end),
    Column("Budget", lambda c: c.budget, "#,##0.00"),
    Column("Currency", lambda c: c.currency),
    Column("Markets", lambda c: c.markets),
    Column("Archived", lambda c: c.is_archived),
]


def visible_campaigns(request: HttpRequest) -> CampaignQuerySet:
    return Campaign.objects.visible_to(request.user).select_related("client", "brand")


def _filters(request: HttpRequest) -> tuple[CampaignFilters, list[str]]:
    """The list filters from the query string; a bad value is dropped and explained."""
    params = {key: value for key, value in request.GET.items() if value != ""}
    params.pop("sort", None)
    params.pop("page", None)
    params.pop("format", None)
    client = current_client(request)
    if "client" not in params and client is not None:
        params["client"] = str(client.pk)
    try:
        return CampaignFilters.model_validate(params), []
    except SchemaError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            problems.append(f"Filter “{field}” ignored: {error['msg']}.")
            params.pop(field, None)
        return CampaignFilters.model_validate(params), problems


def exportable(request: HttpRequest, campaigns: CampaignQuerySet) -> CampaignQuerySet:
    """Only the clients on which the user's role allows downloads."""
    allowed = [
        client_id
        for client_id in Client.objects.visible_to(request.user).values_list("id", flat=True)
        if can(request.user, Action.EXPORT, client_id)
    ]
    if not allowed:
        raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
    return campaigns.filter(client_id__in=allowed)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    filters, problems = _filters(request)
    campaigns = filters.apply(visible_campaigns(request))
    sort = request.GET.get("sort", "start")
    order = SORTS.get(sort.lstrip("-"), "start")
    campaigns = campaigns.order_by(("-" if sort.startswith("-") else "") + order, "name", "id")

    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        return export_response(export, "campaigns", EXPORT_COLUMNS, exportable(request, campaigns))

    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    clients = Client.objects.visible_to(request.user).active()
    can_create = any(can(request.user, Action.EDIT_CAMPAIGN, c.pk) for c in clients)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "problems": problems,
        "sort": sort,
        "statuses": CampaignStatus.choices,
        "clients": clients,
        "can_create": can_create,
        "can_export": any(can(request.user, Action.EXPORT, c.pk) for c in clients),
        "query": query.urlencode(),
        "filtered": any(
            key in request.GET for key in ("q", "status", "active_on", "starts_from", "ends_by")
        ),
    }
    template = (
        "planning/partials/campaign_table.html"
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results"
        else "planning/campaign_list.html"
    )
    return render(request, template, context)


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    history = None
    if can(request.user, Action.VIEW_HISTORY, campaign.client_id):
        events = AuditEvent.objects.for_object(campaign).select_related("actor")[:200]
        history = readable_history(events, Campaign)
    return render(
        request,
        "planning/campaign_detail.html",
        {
            "campaign": campaign,
            "history": history,
            "can_edit": can(request.user, Action.EDIT_CAMPAIGN, campaign.client_id),
            "can_archive": can(request.user, Action.ARCHIVE_CAMPAIGN, campaign.client_id),
            "tab": request.GET.get("tab", "overview"),
        },
    )


def _editable_clients(request: HttpRequest) -> Any:
    allowed = [
        client.pk
        for client in Client.objects.visible_to(request.user).active()
        if can(request.user, Action.EDIT_CAMPAIGN, client.pk)
    ]
    return Client.objects.filter(pk__in=allowed)


def _add_service_errors(form: CampaignForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    clients = _editable_clients(request)
    if not clients.exists():
        raise PermissionDenied("Your roles do not allow creating campaigns.")
    initial = {}
    chosen = current_client(request)
    if chosen is not None and clients.filter(pk=chosen.pk).exists():
        initial = {"client": chosen.pk, "currency": chosen.default_currency}
    form = CampaignForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(
                request.user,
                client_id=form.cleaned_data["client"].pk,
                values=form.service_values(),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Campaign “{campaign.name}” created.")
            return redirect(campaign)
    return render(request, "planning/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    require(request.user, Action.EDIT_CAMPAIGN, campaign.client_id)
    if campaign.is_archived:
        messages.error(request, "This campaign is archived; restore it before changing it.")
        return redirect(campaign)
    # The form works on its own copy, so the service sees the stored values as "before".
    form_copy = visible_campaigns(request).get(pk=campaign.pk)
    form = CampaignForm(
        request.POST or None,
        instance=form_copy,
        clients=Client.objects.filter(pk=campaign.client_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(
                request.user,
                campaign,
                form.service_values(),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(campaign)
    return render(request, "planning/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def campaign_archive(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    restoring = request.POST.get("action") == "restore"
    try:
        if restoring:
            services.restore_campaign(request.user, campaign, request.POST.get("reason", ""))
            messages.success(request, f"“{campaign.name}” is restored.")
        else:
            services.archive_campaign(request.user, campaign, request.POST.get("reason", ""))
            messages.success(
                request,
                f"“{campaign.name}” is archived. It no longer shows in lists; "
                "its history is kept and you can restore it.",
            )
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(campaign)
