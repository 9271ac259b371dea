"""Status report pages: every campaign's latest report (``/reports/``), a campaign's reports
with "Generate this week's report", one report as a page, as a PDF and sent by e-mail, and a
client's schedule.

A report shows what it said when it was generated (``StatusReport.content``); ``present`` turns
that content into what people read — numbers in the campaign's currency with thousands
separators, dates as "1 Oct 2026", a one-line summary per section — for the page, the PDF and
the e-mail alike. Every lookup goes through ``visible_to``: a report of a campaign the user
does not see is 404. The budget and open-issue sections are left out for whoever may not see
them (``reports.shown_content``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.models import Client, visible_client_ids
from mediadesk.accounts.permissions import Action, can
from mediadesk.delivery.views import IndexBar, index_chart
from mediadesk.domain.close import month_name
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount
from mediadesk.domain.periods import format_period
from mediadesk.planning.models import Campaign
from mediadesk.web.context import current_client
from mediadesk.work import reports
from mediadesk.work.choices import Weekday
from mediadesk.work.models import StatusReport

PACING_TONES = {
    "on_track": "good",
    "under": "warn",
    "over": "bad",
    "not_started": "neutral",
    "no_plan": "muted",
}
SEVERITY_TONES = {"critical": "bad", "high": "warn", "medium": "info", "low": "neutral"}
DEADLINE_STATE_LABELS = {
    "ready": "Trafficked",
    "approved": "Approved, not trafficked",
    "late": "Late",
    "due": "Due soon",
    "open": "Not due yet",
    "no deadline": "No deadline",
    "ended": "Ended",
}
FIVE = (
    ("planned", "Planned"),
    ("booked", "Booked"),
    ("delivered", "Delivered"),
    ("invoiced", "Invoiced"),
    ("paid", "Paid"),
    ("accrual", "Accrual to date"),
)


# --- presenting the content ---------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money_text(value: Any, currency: str) -> str:
    amount = _decimal(value)
    return "—" if amount is None else format_amount(amount, CURRENCY_MINOR_UNITS.get(currency, 2))


def count_text(value: Any) -> str:
    amount = _decimal(value)
    return "—" if amount is None else format_amount(amount, 0)


def _figure_text(value: Any, money: bool, currency: str) -> str:
    return money_text(value, currency) if money else count_text(value)


def _percent(part: Any, whole: Any) -> str:
    top, bottom = _decimal(part), _decimal(whole)
    if top is None or not bottom:
        return "—"
    return f"{format_amount(top * 100 / bottom, 0)} %"


def day_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def day_text(value: str | date | None) -> str:
    day = day_of(value) if isinstance(value, str) or value is None else value
    return f"{day.day} {day:%b %Y}" if day else "—"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _delivery(part: dict[str, Any] | None) -> dict[str, Any] | None:
    if part is None:
        return None
    currency = part.get("currency", "")

    def row(values: dict[str, Any] | None) -> dict[str, str] | None:
        if values is None:
            return None
        return {
            "label": values.get("label", ""),
            "planned": money_text(values.get("planned_spend"), currency),
            "spend": money_text(values.get("spend"), currency),
            "versus": _percent(values.get("spend"), values.get("planned_spend")),
            "planned_impressions": count_text(values.get("planned_impressions")),
            "impressions": count_text(values.get("impressions")),
            "clicks": count_text(values.get("clicks")),
        }

    first, last = day_of(part.get("date_from")), day_of(part.get("date_to"))
    return {
        "started": part.get("started", False),
        "currency": currency,
        "period": format_period(first, last) if first and last and first <= last else "",
        "channels": [row(values) for values in part.get("channels", [])],
        "total": row(part.get("total")),
        "week": row(part.get("week")),
        "problems": part.get("problems", []),
    }


def _pacing(part: dict[str, Any] | None) -> dict[str, Any] | None:
    if part is None:
        return None
    currency = part.get("currency", "")
    lines = []
    for line in part.get("lines", []):
        money = bool(line.get("money"))
        index = _decimal(line.get("index"))
        lines.append(
            {
                "code": line["code"],
                "channel": line.get("channel", ""),
                "metric": line.get("metric_label", "") + (f" ({currency})" if money else ""),
                "planned": _figure_text(line.get("planned"), money, currency),
                "expected": _figure_text(line.get("expected"), money, currency),
                "delivered": _figure_text(line.get("delivered"), money, currency),
                "index": "—" if index is None else f"{index:.2f}",
                "index_value": index,
                "projected": _figure_text(line.get("projected"), money, currency),
                "status": line.get("status", ""),
                "status_label": line.get("status_label", ""),
                "tone": PACING_TONES.get(line.get("status", ""), "neutral"),
                "spend": money_text(line.get("spend"), currency),
                "days": line.get("days", ""),
            }
        )
    under = _decimal(part.get("under_percent")) or Decimal(10)
    over = _decimal(part.get("over_percent")) or Decimal(10)
    return {
        "as_of": day_of(part.get("as_of")),
        "plan": part.get("plan"),
        "currency": currency,
        "lines": lines,
        "counts": part.get("counts", {}),
        "under": f"{under:.0f}",
        "over": f"{over:.0f}",
        "chart": pacing_chart(lines, under / 100, over / 100),
        "problems": part.get("problems", []),
    }


def _budget(part: dict[str, Any] | None, as_of: date | None) -> dict[str, Any] | None:
    if part is None:
        return None
    currency = part.get("currency", "")
    tables = []
    for numbers in part.get("numbers", []):
        code = numbers["currency"]
        tables.append(
            {
                "currency": code,
                "placements": numbers.get("placements", 0),
                "heads": [label for _, label in FIVE],
                "gross": [money_text(numbers[key]["gross"], code) for key, _ in FIVE],
                "net": [money_text(numbers[key]["net"], code) for key, _ in FIVE],
                "planned_vs_budget": _decimal(numbers.get("planned_vs_budget")),
                "planned_vs_budget_text": money_text(
                    abs(_decimal(numbers.get("planned_vs_budget")) or 0), code
                ),
            }
        )
    return {
        "budget": money_text(part.get("budget"), currency),
        "currency": currency,
        "tables": tables,
        "month": month_name((as_of.year, as_of.month)) if as_of else "",
        "problem": part.get("problem", ""),
    }


def _approvals(part: dict[str, Any] | None) -> dict[str, Any] | None:
    if part is None:
        return None

    def version(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {
            **values,
            "decisions": [
                {**d, "at_text": day_text(d.get("at"))} for d in values.get("decisions", [])
            ],
        }

    return {"current": version(part.get("current")), "latest": version(part.get("latest"))}


def _creative(part: dict[str, Any] | None) -> dict[str, Any] | None:
    if part is None:
        return None
    return {
        "placements": part.get("placements", 0),
        "states": [
            {**s, "label": DEADLINE_STATE_LABELS.get(s["state"], s["state"])}
            for s in part.get("states", [])
        ],
        "late": [
            {**row, "deadline_text": day_text(row.get("deadline"))} for row in part.get("late", [])
        ],
        "assets": part.get("assets", []),
        "reviews_waiting": part.get("reviews_waiting", 0),
    }


def _issues(part: dict[str, Any] | None) -> dict[str, Any] | None:
    if part is None:
        return None
    return {
        "items": [
            {
                **item,
                "tone": SEVERITY_TONES.get(item.get("severity", ""), "neutral"),
                "due_text": day_text(item.get("due")) if item.get("due") else "",
            }
            for item in part.get("items", [])
        ],
        "tasks": [
            {**task, "due_text": day_text(task.get("due")) if task.get("due") else ""}
            for task in part.get("tasks", [])
        ],
    }


def _summary(shown: dict[str, Any]) -> list[str]:
    """One sentence per section, for the top of the page, the PDF and the e-mail."""
    lines: list[str] = []
    pacing = shown["pacing"]
    if pacing is not None:
        counts = pacing["counts"]
        if pacing["lines"]:
            parts = [
                f"{counts.get('on_track', 0)} on track",
                f"{counts.get('under', 0)} under",
                f"{counts.get('over', 0)} over",
            ]
            if counts.get("not_started"):
                parts.append(f"{counts['not_started']} not started")
            lines.append(
                f"Pacing: {', '.join(parts)} of {_plural(len(pacing['lines']), 'placement')} "
                f"(as of {day_text(pacing['as_of'])})."
            )
        else:
            lines.append("Pacing: nothing to pace yet.")
    delivery = shown["delivery"]
    if delivery is not None and delivery["total"] is not None:
        total = delivery["total"]
        lines.append(
            f"Delivery: {total['spend']} spent of {total['planned']} {delivery['currency']} "
            f"planned to date ({total['versus']})."
        )
    budget = shown["budget"]
    if budget is not None and budget["tables"]:
        table = budget["tables"][0]
        values = dict(zip(table["heads"], table["gross"], strict=True))
        lines.append(
            f"Budget {budget['budget']} {budget['currency']}: planned {values['Planned']}, "
            f"booked {values['Booked']}, delivered {values['Delivered']}, invoiced "
            f"{values['Invoiced']}, paid {values['Paid']} ({table['currency']}, gross)."
        )
    approvals = shown["approvals"]
    if approvals is not None:
        current = approvals["current"]
        if current:
            text = f"Plan v{current['number']}: {current['status_label']}."
            latest = approvals["latest"]
            if latest:
                text += f" v{latest['number']} is {latest['status_label'].lower()}."
            lines.append(text)
        else:
            lines.append("Plan: no plan yet.")
    creative = shown["creative"]
    if creative is not None:
        late = len(creative["late"])
        lines.append(
            f"Creative: {_plural(late, 'placement')} late on material, "
            f"{_plural(creative['reviews_waiting'], 'review')} waiting for a decision."
        )
    deadlines = shown["deadlines"]
    if deadlines is not None:
        lines.append(
            f"Next {reports.DEADLINE_DAYS} days: {_plural(len(deadlines), 'deadline')}."
            if deadlines
            else f"Next {reports.DEADLINE_DAYS} days: no deadlines."
        )
    issues = shown["issues"]
    if issues is not None:
        lines.append(
            f"Open issues: {_plural(len(issues['items']), 'attention item')}, "
            f"{_plural(len(issues['tasks']), 'open task')}."
        )
    return lines


def present(report: StatusReport, content: dict[str, Any]) -> dict[str, Any]:
    """What people read of ``content`` (a report's content, perhaps without hidden sections)."""
    week = day_of(content.get("week_start")) or report.week_start
    as_of = day_of(content.get("as_of")) or report.as_of
    shown: dict[str, Any] = {
        "campaign": content.get("campaign", {}),
        "organization": content.get("organization", ""),
        "week_start": week,
        "week_label": format_period(week, week + timedelta(days=6)),
        "as_of": as_of,
        "delivery": _delivery(content.get("delivery")),
        "pacing": _pacing(content.get("pacing")),
        "budget": _budget(content.get("budget"), as_of),
        "approvals": _approvals(content.get("approvals")),
        "creative": _creative(content.get("creative")),
        "deadlines": [{**d, "date_text": day_text(d["date"])} for d in content.get("deadlines", [])]
        if "deadlines" in content
        else None,
        "issues": _issues(content.get("issues")),
    }
    shown["summary"] = _summary(shown)
    return shown


# --- the pacing chart: the pacing page's (delivery.views.index_chart) -------------------------


def pacing_chart(lines: list[dict[str, Any]], under: Decimal, over: Decimal) -> dict[str, Any]:
    """Each placement's pacing index as a bar with the on-track band around 1 (wider labels
    than the pacing page: a report names placements by their full code)."""
    bars = [
        IndexBar(
            line["code"],
            line["index_value"],
            f"{line['index']} · {line['status_label']}"
            if line["index_value"] is not None
            else line["status_label"],
            line["status"],
        )
        for line in lines
    ]
    return index_chart(bars, under, over, right=150) or {}


def print_context(report: StatusReport, content: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``work/report_print.html`` shows (``content``: what the reader may see)."""
    shown = present(report, report.content if content is None else content)
    return {"report": report, "r": shown, "campaign": shown["campaign"]}


# --- finding what the user may see --------------------------------------------------------------


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("client__organization"),
        pk=campaign_id,
    )
    return campaign


def visible_reports(user: Any) -> Any:
    """Reports of the campaigns the user sees (client reviewers: shared campaigns only)."""
    return StatusReport.objects.visible_to(user).filter(
        campaign__in=Campaign.objects.visible_to(user).values("id")
    )


def _report(request: HttpRequest, report_id: int) -> StatusReport:
    report: StatusReport = get_object_or_404(
        visible_reports(request.user).select_related("campaign", "client", "generated_by"),
        pk=report_id,
    )
    return report


def _internal_client(request: HttpRequest, client_id: int) -> Client:
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, client.pk):
        raise Http404("A client's report schedule is internal work.")
    return client


# --- pages --------------------------------------------------------------------------------------


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    """The latest report of every campaign the user sees, newest week first."""
    chosen = current_client(request)
    client_id = request.GET.get("client") or (str(chosen.pk) if chosen else "")
    rows = visible_reports(request.user).select_related("campaign", "client")
    if client_id.isdigit():
        rows = rows.filter(client_id=int(client_id))
    newest = StatusReport.objects.filter(campaign=OuterRef("campaign")).order_by("-week_start")
    latest = list(
        rows.filter(id=Subquery(newest.values("id")[:1])).order_by("-week_start", "campaign__name")
    )
    clients = list(Client.objects.filter(id__in=visible_client_ids(request.user)).active())
    schedulable = [c for c in clients if can(request.user, Action.VIEW_ALL_CAMPAIGNS, c.pk)]
    return render(
        request,
        "work/report_index.html",
        {
            "reports": latest,
            "clients": clients,
            "client_id": client_id,
            "schedulable": schedulable,
        },
    )


@login_required
@require_GET
def campaign_reports(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    rows = list(
        visible_reports(request.user)
        .filter(campaign=campaign)
        .select_related("generated_by")
        .order_by("-week_start")
    )
    week, _ = reports.report_week(None, None)
    return render(
        request,
        "work/report_list.html",
        {
            "campaign": campaign,
            "reports": rows,
            "this_week": week,
            "this_week_label": format_period(week, week + timedelta(days=6)),
            "may_generate": can(request.user, Action.MANAGE_WORK, campaign.client_id)
            and not campaign.is_archived,
            "show_history": can(request.user, Action.VIEW_HISTORY, campaign.client_id),
        },
    )


@login_required
@require_POST
def report_generate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    report = reports.generate_report(request.user, campaign)
    messages.success(request, f"The report for the week of {report.week_start:%d %b %Y} is ready.")
    return redirect(report.get_absolute_url())


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    content = reports.shown_content(request.user, report)
    may_send = can(request.user, Action.MANAGE_WORK, report.client_id)
    schedule = reports.schedule_of(report.client) if may_send else None
    return render(
        request,
        "work/report_detail.html",
        {
            "report": report,
            "r": present(report, content),
            "campaign_obj": report.campaign,
            "may_send": may_send,
            "recipients": "\n".join(schedule.recipients) if schedule else "",
            "error": "",
        },
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    pdf = reports.report_pdf(report, reports.shown_content(request.user, report))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, reports.pdf_name(report)) or "attachment"
    )
    return response


@login_required
@require_POST
def report_send(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    typed = request.POST.get("recipients", "")
    try:
        message = reports.send_report(request.user, report, reports.split_addresses(typed))
    except ValidationError as error:
        content = reports.shown_content(request.user, report)
        text = " ".join(m for ms in error.message_dict.values() for m in ms)
        return render(
            request,
            "work/report_detail.html",
            {
                "report": report,
                "r": present(report, content),
                "campaign_obj": report.campaign,
                "may_send": True,
                "recipients": typed,
                "error": text,
            },
            status=422,
        )
    messages.success(
        request,
        f"The report is on its way to {', '.join(message.to)} (see the outbox if it does not "
        "arrive).",
    )
    return redirect(report.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def report_schedule(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _internal_client(request, client_id)
    may_edit = can(request.user, Action.MANAGE_WORK, client.pk)
    schedule = reports.schedule_of(client)
    values: dict[str, Any] = {
        "enabled": schedule.enabled,
        "weekday": schedule.weekday,
        "hour": schedule.hour,
        "recipients": "\n".join(schedule.recipients),
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {
            "enabled": request.POST.get("enabled") == "on",
            "weekday": request.POST.get("weekday", ""),
            "hour": request.POST.get("hour", ""),
            "recipients": request.POST.get("recipients", ""),
        }
        try:
            reports.save_schedule(request.user, client, values)
        except ValidationError as error:
            errors = error.message_dict
            status = 422
        else:
            messages.success(request, f"Status reports of {client.name}: schedule saved.")
            return redirect(reverse("work:report_schedule", args=[client.pk]))
    today = reports.local_today()
    return render(
        request,
        "work/report_schedule.html",
        {
            "client": client,
            "values": values,
            "errors": errors,
            "may_edit": may_edit,
            "weekdays": Weekday.choices,
            "hours": range(24),
            "campaigns": reports.live_campaigns(client.pk, today),
            "saved": schedule.pk is not None,
        },
        status=status,
    )
