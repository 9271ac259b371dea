"""Today: the attention list, the home page. What needs me now, across every campaign.

The list is read from the snapshot rows ``services.compute_attention`` wrote (nightly by the
worker, on "Refresh", and here when a client has no list for today yet), so the page is a few
indexed queries whatever the size of the agency. Snooze, dismiss and "make a task" go through
``work.services``; a client's thresholds are set on its attention settings page.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mediadesk.accounts.models import Client, reviewer_client_ids, visible_client_ids
from mediadesk.accounts.permissions import Action, can
from mediadesk.domain.attention import Kind, Severity, Thresholds
from mediadesk.web.context import current_client
from mediadesk.web.redirects import safe_next
from mediadesk.work import services
from mediadesk.work.models import AttentionItem, AttentionRun, Silence

KIND_LABELS: dict[str, str] = {
    Kind.PACING_OFF: "Pacing off plan",
    Kind.FLIGHT_WITHOUT_IO: "Starting without an IO",
    Kind.FLIGHT_WITHOUT_CREATIVE: "Starting without creative",
    Kind.MATERIAL_DEADLINE: "Material deadlines",
    Kind.REVIEW_WAITING: "Reviews waiting",
    Kind.COMPLIANCE_BLOCKING: "Blocking compliance findings",
    Kind.IO_REVISION_UNSENT: "IO revisions not sent",
    Kind.INVOICE_DISCREPANCY: "Invoice discrepancies",
    Kind.INVOICE_AWAITING_APPROVAL: "Invoices to approve",
    Kind.STALE_DELIVERY: "Delivery data stale",
    Kind.RIGHTS_EXPIRING: "Usage rights expiring",
    Kind.BUDGET_OVERRUN: "Budgets overrun",
    Kind.TASK_DUE: "Tasks due",
}
SEVERITY_TONES = {
    Severity.CRITICAL: "tone-bad",
    Severity.HIGH: "tone-warn",
    Severity.MEDIUM: "tone-info",
    Severity.LOW: "tone-neutral",
}
PAGE = 100  # items rendered at once
SNOOZE_CHOICES = [(1, "Until tomorrow"), (3, "For 3 days"), (7, "For a week"), (14, "For 2 weeks")]


def ensure_fresh(user: Any, day: date) -> None:
    """Compute today's list for the user's clients that have none yet (the first visit of the
    day without a worker, or a new client); clients already computed today are left alone."""
    client_ids = set(active_client_ids(user))
    done = set(
        AttentionRun.objects.filter(client_id__in=client_ids, computed_on=day).values_list(
            "client_id", flat=True
        )
    )
    missing = sorted(client_ids - done)
    if missing:
        services.compute_attention(missing, day)


def active_client_ids(user: Any) -> list[int]:
    return list(
        Client.objects.filter(id__in=visible_client_ids(user)).active().values_list("id", flat=True)
    )


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
def today_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    day = services.today()
    ensure_fresh(user, day)
    chosen = current_client(request)
    # The client chosen under "Working on" holds here as on every page.
    client_id = chosen.pk if chosen else _int(request.GET.get("client"))
    owned = services.visible_items(user).filter(owner=user)
    default_view = services.View.MINE if owned.exists() else services.View.ALL
    view = request.GET.get("view") or default_view
    if view not in {services.View.MINE, services.View.TEAM, services.View.ALL}:
        view = default_view
    listed = services.attention_rows(user, day=day, view=view, client_id=client_id)
    # Counts by kind and severity in one grouped query; only the page shown is loaded.
    pairs = list(listed.order_by().values("kind", "severity").annotate(n=Count("id")))
    by_kind: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for pair in pairs:
        by_kind[pair["kind"]] += pair["n"]
        by_severity[pair["severity"]] += pair["n"]
    total = sum(by_kind.values())
    kind = request.GET.get("kind") or ""
    severity = request.GET.get("severity") or ""
    matching = sum(
        pair["n"]
        for pair in pairs
        if (not kind or pair["kind"] == kind) and (not severity or pair["severity"] == severity)
    )
    matching_rows = listed
    if kind:
        matching_rows = matching_rows.filter(kind=kind)
    if severity:
        matching_rows = matching_rows.filter(severity=severity)
    # A long list is read from the top: the most urgent page first, the rest a click away.
    limit = PAGE * max(1, _int(request.GET.get("pages")) or 1)
    shown = list(matching_rows.select_related("client", "owner", "campaign")[:limit])
    runs = AttentionRun.objects.filter(client_id__in=visible_client_ids(user))
    computed_at = min((run.computed_at for run in runs), default=None)
    clients_shown = {item.client_id for item in shown}
    manage = {cid for cid in clients_shown if can(user, Action.MANAGE_WORK, cid)}
    rows = [
        {
            "item": item,
            "tone": SEVERITY_TONES.get(Severity(item.severity), "tone-neutral"),
            "kind_label": KIND_LABELS.get(item.kind, item.kind),
            "manage": item.client_id in manage,
            "overdue": item.due is not None and item.due < day,
        }
        for item in shown
    ]
    query = {"view": view, **({"client": str(client_id)} if client_id else {})}
    return render(
        request,
        "work/today.html",
        {
            "today": day,
            "rows": rows,
            "total": total,
            "matching": matching,
            "more": matching - len(shown),
            "next_pages": limit // PAGE + 1,
            "view": view,
            "views": services.VIEWS,
            "kind": kind,
            "severity": severity,
            "kinds": [
                {"value": str(k), "label": KIND_LABELS[k], "count": by_kind.get(k, 0)}
                for k in Kind
                if by_kind.get(k)
            ],
            "severities": [
                {
                    "value": str(s),
                    "label": s.value.title(),
                    "count": by_severity.get(s, 0),
                    "tone": SEVERITY_TONES[s],
                }
                for s in Severity
                if by_severity.get(s)
            ],
            "query": query,
            "client_id": client_id,
            "clients": Client.objects.visible_to(user).active(),
            "computed_at": computed_at,
            "snooze_choices": SNOOZE_CHOICES,
            "silenced_count": internal_silences(user)
            .exclude(dismissed=False, until__lte=day)
            .count(),
        },
    )


def _item(request: HttpRequest, item_id: int) -> AttentionItem:
    try:
        return services.attention_item(request.user, item_id)
    except AttentionItem.DoesNotExist:
        raise Http404("No such item on your attention list.") from None


def _back(request: HttpRequest) -> str:
    return safe_next(request, reverse("web:home"))


@login_required
@require_POST
def item_snooze(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    day = services.today()
    until_raw = request.POST.get("until", "").strip()
    days = _int(request.POST.get("days"))
    try:
        if until_raw:
            until = date.fromisoformat(until_raw)
        elif days:
            until = day + timedelta(days=days)
        else:
            raise ValidationError({"until": ["Choose how long to snooze it."]})
        services.snooze(request.user, item, until=until, reason=request.POST.get("reason", ""))
    except ValueError:
        messages.error(request, f"“{until_raw}” is not a date; use the date picker.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Snoozed until {until:%a %d %b}: {item.title}")
    return redirect(_back(request))


@login_required
@require_POST
def item_dismiss(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    try:
        services.dismiss(request.user, item, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Dismissed until something changes: {item.title}")
    return redirect(_back(request))


@login_required
@require_POST
def item_task(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    try:
        task = services.task_from_item(request.user, item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request))
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(_back(request))
    messages.success(request, f"Task created: {task.title}")
    return redirect(task.get_absolute_url())


def internal_silences(user: Any) -> Any:
    """Snoozes and dismissals are the agency's work: none on a client where one is a reviewer."""
    return Silence.objects.visible_to(user).exclude(client_id__in=reviewer_client_ids(user))


@login_required
def silenced_list(request: HttpRequest) -> HttpResponse:
    day = services.today()
    silences = (
        internal_silences(request.user)
        .exclude(dismissed=False, until__lte=day)
        .select_related("client", "created_by")
    )
    current = {
        item.key: item.fingerprint
        for item in services.visible_items(request.user).filter(
            key__in=[silence.key for silence in silences]
        )
    }
    rows = [
        {
            "silence": silence,
            # The item is back (its situation changed) or gone (the problem was fixed).
            "state": (
                "hidden"
                if current.get(silence.key) == silence.fingerprint
                else "back"
                if silence.key in current
                else "resolved"
            ),
            "manage": can(request.user, Action.MANAGE_WORK, silence.client_id),
        }
        for silence in silences
    ]
    return render(request, "work/silenced.html", {"rows": rows, "today": day})


@login_required
@require_POST
def silence_restore(request: HttpRequest, silence_id: int) -> HttpResponse:
    silence = get_object_or_404(internal_silences(request.user), pk=silence_id)
    try:
        services.unsilence(request.user, silence)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Back on the list: {silence.title}")
    return redirect(safe_next(request, reverse("work:silenced_list")))


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    result = services.compute_attention(active_client_ids(request.user))
    messages.success(
        request,
        f"Recomputed: {result.items} item{'' if result.items == 1 else 's'} across "
        f"{result.clients} client{'' if result.clients == 1 else 's'}.",
    )
    return redirect(_back(request))


THRESHOLD_FIELDS = [
    (
        "flight_lead_days",
        "Flights starting within (days)",
        "Placements starting this soon without an accepted IO or trafficked creative.",
    ),
    (
        "material_due_days",
        "Material deadlines within (days)",
        "Deadlines this close (or passed) while the creative is not ready.",
    ),
    (
        "stale_delivery_days",
        "Delivery stale after (days)",
        "A live placement with no delivery data for longer than this.",
    ),
    ("rights_soon_days", "Rights expiring within (days)", "Usage rights expiring this soon."),
    (
        "pacing_tolerance",
        "Pacing tolerance (share)",
        "0.10: pacing between 90% and 110% of plan is on track.",
    ),
    (
        "budget_overrun_tolerance",
        "Budget overrun tolerance (share)",
        "0: any amount over the budget is an overrun; 0.02 allows 2%.",
    ),
]


@login_required
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, client.pk):
        raise Http404("No such client.")
    may_edit = can(request.user, Action.MANAGE_CLIENT, client.pk)
    current = services.thresholds_of(client.pk)
    values: dict[str, str] = {name: str(getattr(current, name)) for name, _, _ in THRESHOLD_FIELDS}
    error = ""
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name, _, _ in THRESHOLD_FIELDS}
        try:
            services.save_thresholds(request.user, client, values)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except PermissionDenied as refused:
            error = str(refused)
        else:
            services.compute_attention([client.pk])
            messages.success(request, f"Attention thresholds of {client.name} saved.")
            return redirect("work:thresholds", client_id=client.pk)
    defaults = Thresholds()
    fields = [
        {"name": name, "label": label, "help": help_text, "value": values[name],
         "default": getattr(defaults, name)}
        for name, label, help_text in THRESHOLD_FIELDS
    ]  # fmt: skip
    return render(
        request,
        "work/thresholds.html",
        {"client": client, "fields": fields, "may_edit": may_edit, "error": error},
    )
