"""Pages of a campaign's media plan: versions, placements, approvals, flowchart and diff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mediadesk.accounts.permissions import Action, can
from mediadesk.domain.calendars import CalendarKind
from mediadesk.errors import Conflict
from mediadesk.planning import services
from mediadesk.planning.choices import Channel, ImportOutcome, PlanStatus
from mediadesk.planning.files import plan_file_response, read_upload
from mediadesk.planning.forms import PlacementForm
from mediadesk.planning.models import (
    ColumnMapping,
    Placement,
    PlanImport,
    PlanVersion,
    placement_warnings,
)
from mediadesk.planning.plans import PlanBudget, diff_versions, flowchart_of, plan_budget
from mediadesk.planning.views import visible_campaigns
from mediadesk.vendors.rates import rate_checks


def _version(request: HttpRequest, plan_id: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.visible_to(request.user).select_related("campaign__client"),
        pk=plan_id,
    )


def _placements(version: PlanVersion) -> list[Placement]:
    placements = list(version.placements.all())
    for placement in placements:
        placement.version = version  # warnings read the campaign without another query
    return placements


@login_required
def campaign_plan(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's plan: its newest version the user may see, or how to start one."""
    campaign = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    latest = PlanVersion.objects.visible_to(request.user).filter(campaign=campaign).first()
    if latest is not None:
        return redirect("planning:plan_detail", plan_id=latest.pk)
    return render(
        request,
        "planning/plan_empty.html",
        {
            "campaign": campaign,
            "can_edit": can(request.user, Action.EDIT_CAMPAIGN, campaign.client_id),
        },
    )


@login_required
@require_POST
def start_plan(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    try:
        version = services.start_plan(request.user, campaign)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("planning:campaign_plan", campaign_id=campaign.pk)
    messages.success(request, "Plan started: add its placements.")
    return redirect(version)


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    version = _version(request, plan_id)
    campaign = version.campaign
    client_id = campaign.client_id
    can_edit = can(request.user, Action.EDIT_CAMPAIGN, client_id)
    form = PlacementForm(
        request.POST or None, initial={"start": campaign.start, "end": campaign.end}
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Your role does not allow changing plans.")
        if form.is_valid():
            try:
                placement = services.add_placement(request.user, version, form.service_values())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect(version)
            else:
                messages.success(request, f"Placement {placement.code} added.")
                return redirect(version)
    placements = _placements(version)
    versions = list(PlanVersion.objects.visible_to(request.user).filter(campaign=campaign))
    stage_approver = (
        Action.APPROVE_PLAN
        if version.status == PlanStatus.SUBMITTED
        else Action.REVIEW_CLIENT_STAGE
    )
    budget = plan_budget(version, placements)
    # Each line against its vendor's rate card or the client's negotiated rate (3 queries).
    checks = rate_checks(request.user, placements, campaign.client.organization_id, client_id)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "campaign": campaign,
            "version": version,
            "versions": versions,
            "rows": [(p, placement_warnings(p), checks.get(p.pk)) for p in placements],
            # Lines in other currencies are converted; None while a rate is missing.
            "total": budget.rollup.total if budget.rollup else None,
            "budget_left": budget.status.remaining if budget.status else None,
            "budget": budget,
            "budget_tables": _budget_tables(budget),
            "budget_meter": _meter(budget),
            "mixed_currencies": any(p.currency != version.currency for p in placements),
            "rate_link": _rate_link(request, budget),
            "form": form,
            "can_edit": can_edit and version.is_editable,
            "can_copy": can_edit and not version.is_editable,
            "can_import": can_edit,
            "can_export": can(request.user, Action.EXPORT, client_id),
            "can_submit": can_edit and version.status == PlanStatus.DRAFT,
            "can_decide": version.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
            and can(request.user, stage_approver, client_id),
            "approvals": version.approvals.select_related("decided_by"),
            "previous": next((v for v in versions if v.number < version.number), None),
        },
    )


def _budget_tables(budget: PlanBudget) -> list[dict[str, Any]]:
    """The roll-ups as tables for the page: (caption, rows of label and amount, share %)."""
    result = budget.rollup
    if result is None:
        return []
    channels = dict(Channel.choices)

    def rows(parts: Any, label: Callable[[Any], str]) -> list[tuple[str, Any, Any]]:
        return [
            (
                label(key),
                amount,
                (amount * 100 / result.total).quantize(Decimal("0.1")) if result.total else None,
            )
            for key, amount in parts.items()
        ]

    def name(key: str) -> str:
        return key or "—"

    return [
        {"id": "channel", "caption": "By channel", "heading": "Channel",
         "rows": rows(result.by_channel, lambda k: str(channels.get(k, k)))},
        {"id": "month", "caption": "By month", "heading": "Month",
         "rows": rows(result.by_month, lambda m: f"{date(m[0], m[1], 1):%b %Y}")},
        {"id": "vendor", "caption": "By vendor", "heading": "Vendor",
         "rows": rows(result.by_vendor, name)},
        {"id": "market", "caption": "By market", "heading": "Market",
         "rows": rows(result.by_market, name)},
    ]  # fmt: skip


def _meter(budget: PlanBudget) -> Decimal | None:
    """The share of the budget used, capped at 100 for the bar (the text gives the real figure)."""
    status = budget.status
    if status is None or status.percent_used is None:
        return None
    return min(status.percent_used, Decimal(100))


def _rate_link(request: HttpRequest, budget: PlanBudget) -> str:
    """Where to enter the first missing rate, filled in; empty unless the user may enter rates."""
    if not budget.missing or not can(request.user, Action.EDIT_FINANCE, budget.campaign.client_id):
        return ""
    first = budget.missing[0]
    query = urlencode({
        "fx-month": f"{first.year}-{first.month:02d}",
        "fx-currency_from": first.currency_from,
        "fx-currency_to": first.currency_to,
    })  # fmt: skip
    url = reverse("accounts:client_detail", args=[budget.campaign.client_id])
    return f"{url}?{query}#fx-rates"


@login_required
@require_POST
def plan_action(request: HttpRequest, plan_id: int, action: str) -> HttpResponse:
    version = _version(request, plan_id)
    comment = request.POST.get("comment", "").strip()
    actions: dict[str, tuple[Callable[[Any, PlanVersion, str], PlanVersion], str]] = {
        "submit": (
            services.submit_plan,
            "Version {n} is submitted for approval; it is now frozen.",
        ),
        "approve": (services.approve_plan, "Version {n} is approved."),
        "reject": (services.reject_plan, "Version {n} is rejected; the planner sees your comment."),
    }
    try:
        if action == "new-draft":
            draft = services.new_draft(request.user, version, comment)
            messages.success(
                request, f"Version {draft.number} is a new draft copied from {version.number}."
            )
            return redirect(draft)
        if action not in actions:
            raise Http404
        function, message = actions[action]
        function(request.user, version, comment)
        messages.success(request, message.format(n=version.number))
    except (Conflict, ValidationError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    return redirect(version)


@login_required
@require_POST
def delete_placement(request: HttpRequest, placement_id: int) -> HttpResponse:
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("version__campaign"),
        pk=placement_id,
    )
    version = placement.version
    try:
        services.delete_placement(request.user, placement)
        messages.success(request, f"Placement {placement.code} removed from the draft.")
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(version)


@login_required
def plan_flowchart(request: HttpRequest, plan_id: int) -> HttpResponse:
    version = _version(request, plan_id)
    calendar = (
        CalendarKind.BROADCAST
        if request.GET.get("calendar") == "broadcast"
        else CalendarKind.CALENDAR
    )
    measure = "quantity" if request.GET.get("measure") == "quantity" else "cost"
    every = _placements(version)
    chosen = {name: request.GET.get(name, "") for name in ("channel", "vendor", "market")}
    placements = [
        p for p in every if all(not value or getattr(p, name) == value
                                for name, value in chosen.items())
    ]  # fmt: skip
    chart = flowchart_of(placements, measure=measure, calendar=calendar)
    channels = sorted({(p.channel, p.get_channel_display()) for p in every})
    return render(
        request,
        "planning/plan_flowchart.html",
        {
            "campaign": version.campaign,
            "version": version,
            "chart": chart,
            "calendar": calendar.value,
            "measure": measure,
            "channel": chosen["channel"],
            "vendor": chosen["vendor"],
            "market": chosen["market"],
            "channels": channels,
            "vendors": sorted({p.vendor for p in every}),
            "markets": sorted({p.market for p in every if p.market}),
            "week_count": len(chart.weeks),
        },
    )


@login_required
def plan_diff(request: HttpRequest, plan_id: int, other_plan_id: int) -> HttpResponse:
    before = _version(request, plan_id)
    after = _version(request, other_plan_id)
    if before.campaign_id != after.campaign_id:
        raise Http404
    diff = diff_versions(before, after)
    return render(
        request,
        "planning/plan_diff.html",
        {"campaign": after.campaign, "before": before, "after": after, "diff": diff,
         "back": reverse("planning:plan_detail", args=[after.pk])},
    )  # fmt: skip


# --- Importing a plan file -------------------------------------------------------------------


@login_required
def plan_import(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Step 1: choose the file."""
    campaign = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    if not can(request.user, Action.EDIT_CAMPAIGN, campaign.client_id):
        raise PermissionDenied("Your role does not allow importing plans.")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose a plan file (.xlsx, .csv or .json) to import."
        else:
            try:
                data = read_upload(upload)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                received = services.receive_plan_file(
                    request.user, campaign, filename=upload.name or "plan", data=data
                )
                return redirect("planning:plan_import_preview", import_id=received.pk)
    recent = PlanImport.objects.visible_to(request.user).filter(campaign=campaign)[:10]
    return render(
        request,
        "planning/plan_import.html",
        {"campaign": campaign, "error": error, "recent": recent},
        status=400 if error else 200,
    )


def _mapping_from(request: HttpRequest, headers: tuple[str, ...]) -> dict[str, str]:
    from mediadesk.planning.imports import MAPPABLE_FIELDS

    return {
        fieldname: request.POST[f"map-{fieldname}"]
        for fieldname in MAPPABLE_FIELDS
        if request.POST.get(f"map-{fieldname}") in headers
    }


@login_required
def plan_import_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    """Step 2: check the column mapping and every row's problems, then import all or nothing."""
    from mediadesk.planning.imports import MAPPABLE_FIELDS, REQUIRED_FIELDS

    upload = get_object_or_404(
        PlanImport.objects.visible_to(request.user).select_related("campaign__client"),
        pk=import_id,
    )
    campaign = upload.campaign
    if not can(request.user, Action.EDIT_CAMPAIGN, campaign.client_id):
        raise PermissionDenied("Your role does not allow importing plans.")
    saved = {m.name: m.mapping for m in ColumnMapping.objects.filter(client=campaign.client)}
    mapping: dict[str, str] | None = None
    if request.method == "POST":
        first = services.preview_import(upload)
        mapping = _mapping_from(request, first.parsed.headers) or None
    elif request.GET.get("mapping") in saved:
        mapping = saved[request.GET["mapping"]]
    if request.method == "POST" and request.POST.get("action") == "import":
        if mapping and request.POST.get("save_as", "").strip():
            services.save_column_mapping(
                request.user, campaign.client, request.POST["save_as"], mapping
            )
        try:
            done = services.commit_import(request.user, upload, mapping)
        except services.ImportRefused as exc:
            messages.error(request, str(exc))
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{upload.filename}: {done.get_outcome_display().lower()}.")
            assert done.version is not None
            return redirect(done.version)
    preview = (
        services.preview_import(upload, mapping)
        if upload.outcome == ImportOutcome.PENDING
        else None
    )
    chosen = dict(mapping or (preview.parsed.mapping if preview else {}))
    return render(
        request,
        "planning/plan_import_preview.html",
        {
            "campaign": campaign,
            "upload": upload,
            "preview": preview,
            "fields": [
                (name, label, chosen.get(name, "")) for name, label in MAPPABLE_FIELDS.items()
            ],
            "saved": sorted(saved),
            "required": set(REQUIRED_FIELDS),
        },
    )


@login_required
def plan_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    version = _version(request, plan_id)
    if not can(request.user, Action.EXPORT, version.campaign.client_id):
        raise PermissionDenied("Your role does not allow downloads.")
    fmt = request.GET.get("format", "xlsx")
    if fmt not in {"xlsx", "csv", "json", "pdf"}:
        raise Http404
    calendar = (
        CalendarKind.BROADCAST
        if request.GET.get("calendar") == "broadcast"
        else CalendarKind.CALENDAR
    )
    return plan_file_response(version, _placements(version), fmt, calendar)
