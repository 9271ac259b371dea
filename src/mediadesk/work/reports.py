"""Weekly status reports: one per campaign and week, generated from every area and kept as it
was said (``StatusReport.content``), shown as a page, a PDF and an e-mail, and sent on a
schedule per client.

**What a report says** (``build_report``): plan against delivery (by channel, flight to date,
and the week), pacing of every placement of the current plan, the budget position (the
campaign's budget and its five numbers: planned, booked, delivered, invoiced, paid, with the
accrual), plan approvals and creative status, the deadlines of the next 14 days, and the open
issues (the campaign's attention items that are not snoozed or dismissed, and its open tasks).
Every figure comes from the area that owns it (``delivery.reports``, ``finance.ledger``,
``creative.overview``, the attention snapshot); nothing is recomputed here. The content is
plain JSON: amounts are decimal strings beside their currency, dates ISO strings, so an old
report shows what it said then, whatever changed since.

**Who sees what.** A report is visible to whoever sees its campaign (client reviewers: shared
campaigns only). The budget section is shown only to people who may see the client's finance
(``Action.VIEW_FINANCE``); the open issues only to the agency's people (a client reviewer sees
the report without them). ``shown_content`` applies this for the page, the PDF and the API; an
e-mail carries the whole report to the addresses a coordinator chose.

**Generating and sending.** ``generate_report`` is idempotent per campaign and week (again in
the same week: the same row, brought up to date, audited). ``send_report`` queues one e-mail
with the PDF attached (saved to default storage) in the outbox; the same report, generation
and recipients are queued once. ``send_scheduled_reports`` runs from the worker: when a client's
weekday and hour have come this week, its live campaigns' reports are generated and e-mailed
once (a ``ScheduledRun`` row per client and week, written in the same transaction).
"""

from __future__ import annotations

import hashlib
import importlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, can, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record
from mediadesk.domain.calendars import week_start as monday_of
from mediadesk.domain.close import CloseError, Figure
from mediadesk.domain.pacing import METRIC_LABELS, STATUS_LABELS, PacingMetric, PacingStatus
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign, PlanApproval, PlanVersion
from mediadesk.work.choices import Weekday
from mediadesk.work.models import (
    AttentionItem,
    OutboxMessage,
    ScheduledRun,
    StatusReport,
    StatusReportSchedule,
    Task,
)
from mediadesk.work.outbox import queue_email

CONTENT_VERSION = 1
DEADLINE_DAYS = 14
MAX_RECIPIENTS = 50
SECTIONS = ("delivery", "pacing", "budget", "approvals", "creative", "deadlines", "issues")
DEADLINE_KINDS = {
    "material": "Material deadline",
    "review": "Review due",
    "flight_start": "Flight starts",
    "flight_end": "Flight ends",
    "meeting": "Meeting",
}


# --- building the content -----------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _person(user: Any) -> str:
    return str(user.display_name) if user is not None else ""


def build_report(campaign: Campaign, as_of: date, week_start: date | None = None) -> dict[str, Any]:
    """The report's content at the end of ``as_of`` (module docstring), JSON-ready."""
    week = week_start or monday_of(as_of)
    return {
        "version": CONTENT_VERSION,
        "organization": campaign.client.organization.name,
        "campaign": _campaign_part(campaign),
        "week_start": week.isoformat(),
        "week_end": (week + timedelta(days=6)).isoformat(),
        "as_of": as_of.isoformat(),
        "delivery": _delivery_part(campaign, as_of, week),
        "pacing": _pacing_part(campaign, as_of),
        "budget": _budget_part(campaign, as_of),
        "approvals": _approvals_part(campaign),
        "creative": _creative_part(campaign, as_of),
        "deadlines": _deadlines_part(campaign, as_of),
        "issues": _issues_part(campaign, as_of),
    }


def _campaign_part(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "code": campaign.code,
        "name": campaign.name,
        "client": campaign.client.name,
        "client_id": campaign.client_id,
        "brand": campaign.brand.name if campaign.brand else "",
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "flight": campaign.flight,
        "status": campaign.status,
        "status_label": str(campaign.get_status_display()),
        "currency": campaign.currency,
        "budget": _money(campaign.budget),
        "owner": _person(campaign.owner) if campaign.owner_id else "",
    }


def _performance(row: Any) -> dict[str, Any]:
    return {
        "label": row.label,
        "planned_spend": _money(row.planned_spend),
        "spend": _money(row.spend),
        "planned_impressions": _money(row.planned_impressions),
        "impressions": row.impressions,
        "clicks": row.clicks,
        "conversions": _money(row.conversions),
    }


def _delivery_part(campaign: Campaign, as_of: date, week: date) -> dict[str, Any]:
    """Planned against delivered by channel, from the start of the flight to ``as_of``."""
    from mediadesk.delivery.reports import campaign_performances

    last = min(as_of, campaign.end)
    if last < campaign.start:
        return {
            "started": False,
            "currency": campaign.currency,
            "channels": [],
            "total": None,
            "week": None,
            "date_from": campaign.start.isoformat(),
            "date_to": last.isoformat(),
            "problems": [],
        }
    flight = campaign_performances(campaign, campaign.start, last, ("channel",))["channel"]
    week_from, week_to = max(week, campaign.start), min(week + timedelta(days=6), last)
    week_total = None
    if week_from <= week_to:
        week_total = _performance(
            campaign_performances(campaign, week_from, week_to, ("channel",))["channel"].total
        )
    return {
        "started": True,
        "currency": campaign.currency,
        "date_from": campaign.start.isoformat(),
        "date_to": last.isoformat(),
        "channels": [_performance(row) for row in flight.rows],
        "total": _performance(flight.total),
        "week": week_total,
        "problems": list(flight.problems),
    }


def _pacing_part(campaign: Campaign, as_of: date) -> dict[str, Any]:
    """Every placement paced at the last day with delivery, at the latest ``as_of`` (exports
    lag: judging a day nothing was reported for would call every line under)."""
    from mediadesk.delivery.reports import campaign_pacing
    from mediadesk.delivery.services import default_as_of

    paced = campaign_pacing(campaign, min(as_of, default_as_of(campaign)))
    lines = []
    for item in paced.lines:
        pacing = item.pacing
        lines.append(
            {
                "code": item.placement.code,
                "channel": str(item.placement.get_channel_display()),
                "metric": pacing.metric.value,
                "metric_label": METRIC_LABELS[pacing.metric],
                "money": pacing.metric in (PacingMetric.SPEND, PacingMetric.FEE),
                "planned": _money(pacing.planned),
                "expected": _money(pacing.expected),
                "delivered": _money(pacing.delivered),
                "index": _money(pacing.index),
                "projected": _money(pacing.projected),
                "status": pacing.status.value,
                "status_label": STATUS_LABELS[pacing.status],
                "spend": _money(item.spend),
                "days": f"{pacing.days_elapsed} of {pacing.days_total}",
            }
        )
    counts = Counter(line["status"] for line in lines)
    return {
        "as_of": paced.as_of.isoformat(),
        "plan": paced.version.number if paced.version else None,
        "under_percent": str((paced.thresholds.under * 100).normalize()),
        "over_percent": str((paced.thresholds.over * 100).normalize()),
        "currency": campaign.currency,
        "lines": lines,
        "counts": {status.value: counts.get(status.value, 0) for status in PacingStatus},
        "problems": list(paced.problems),
    }


def _figure(figure: Figure) -> dict[str, str]:
    return {"gross": str(figure.gross), "net": str(figure.net)}


def _budget_part(campaign: Campaign, as_of: date) -> dict[str, Any]:
    """The budget and the five numbers per currency, with the accrual to date."""
    from mediadesk.domain.close import ZERO, close_to_date, five_numbers_by_currency
    from mediadesk.finance.ledger import ledger

    part: dict[str, Any] = {
        "budget": _money(campaign.budget),
        "currency": campaign.currency,
        "numbers": [],
        "problem": "",
    }
    try:
        lines = ledger(campaign.client, campaigns=[campaign], today=as_of)
        to_date = close_to_date(lines, (as_of.year, as_of.month)).totals
        by_currency = five_numbers_by_currency(lines)
    except (CloseError, ValueError) as error:
        part["problem"] = str(error)
        return part
    for code, numbers in by_currency.items():
        accrual = to_date[code].accrual if code in to_date else ZERO
        part["numbers"].append(
            {
                "currency": code,
                "placements": numbers.placements,
                "planned": _figure(numbers.planned),
                "booked": _figure(numbers.booked),
                "delivered": _figure(numbers.delivered),
                "invoiced": _figure(numbers.invoiced),
                "paid": _figure(numbers.paid),
                "accrual": _figure(accrual),
                "planned_vs_budget": (
                    str(numbers.planned.gross - campaign.budget)
                    if code == campaign.currency
                    else None
                ),
            }
        )
    return part


def _version_part(version: PlanVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    decisions = (
        PlanApproval.objects.filter(version=version)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    )
    return {
        "number": version.number,
        "status": version.status,
        "status_label": str(version.get_status_display()),
        "note": version.note,
        "decisions": [
            {
                "stage": approval.stage,
                "stage_label": str(approval.get_stage_display()),
                "decision": approval.decision,
                "decision_label": str(approval.get_decision_display()),
                "by": _person(approval.decided_by),
                "at": timezone.localtime(approval.decided_at).date().isoformat(),
                "comment": approval.comment,
            }
            for approval in decisions
        ],
    }


def _approvals_part(campaign: Campaign) -> dict[str, Any]:
    from mediadesk.delivery.services import plan_for_delivery

    current = plan_for_delivery(campaign)
    latest = PlanVersion.objects.filter(campaign=campaign).order_by("-number").first()
    return {
        "current": _version_part(current),
        # A newer version on its way (a draft, or submitted for approval), when there is one.
        "latest": _version_part(latest) if latest and latest != current else None,
    }


def _creative_part(campaign: Campaign, as_of: date) -> dict[str, Any]:
    from mediadesk.creative.choices import AssetStatus, StageStatus
    from mediadesk.creative.models import Asset, ReviewStage
    from mediadesk.creative.overview import campaign_creative

    rows = campaign_creative(campaign, today=as_of)
    states = Counter(row.deadline.state.value for row in rows if row.deadline is not None)
    late = [
        {
            "code": row.placement.code,
            "deadline": _day(row.placement.material_deadline),
            "sentence": row.deadline.sentence,
        }
        for row in rows
        if row.deadline is not None and row.deadline.is_late
    ]
    assets = Counter(
        Asset.objects.filter(campaign=campaign, archived_at__isnull=True).values_list(
            "status", flat=True
        )
    )
    labels = dict(AssetStatus.choices)
    waiting = ReviewStage.objects.filter(
        round__asset__campaign=campaign,
        round__asset__archived_at__isnull=True,
        status=StageStatus.ACTIVE,
    ).count()
    return {
        "placements": len(rows),
        "states": [{"state": state, "count": count} for state, count in sorted(states.items())],
        "late": late,
        "assets": [
            {"status": status, "label": str(labels.get(status, status)), "count": assets[status]}
            for status in AssetStatus.values
            if assets.get(status)
        ],
        "reviews_waiting": waiting,
    }


def _deadlines_part(campaign: Campaign, as_of: date) -> list[dict[str, Any]]:
    """What falls due from ``as_of`` to 14 days after: material deadlines, review stages,
    placement and campaign flights starting or ending, and the campaign's meetings."""
    from mediadesk.creative.choices import StageStatus
    from mediadesk.creative.models import ReviewStage
    from mediadesk.delivery.services import placements_for_delivery
    from mediadesk.work.models import Meeting

    last = as_of + timedelta(days=DEADLINE_DAYS)

    def within(day: date | None) -> bool:
        return day is not None and as_of <= day <= last

    found: list[dict[str, Any]] = []

    def add(day: date, kind: str, title: str, detail: str = "") -> None:
        found.append(
            {
                "date": day.isoformat(),
                "kind": kind,
                "kind_label": DEADLINE_KINDS[kind],
                "title": title,
                "detail": detail,
            }
        )

    if within(campaign.start):
        add(campaign.start, "flight_start", f"{campaign.name} goes live", campaign.flight)
    if within(campaign.end):
        add(campaign.end, "flight_end", f"{campaign.name} ends", campaign.flight)
    for placement in placements_for_delivery(campaign):
        vendor = f"{placement.vendor} · {placement.get_channel_display()}"
        if within(placement.material_deadline):
            assert placement.material_deadline is not None
            add(placement.material_deadline, "material", placement.code, vendor)
        if within(placement.start):
            add(placement.start, "flight_start", placement.code, vendor)
        if within(placement.end):
            add(placement.end, "flight_end", placement.code, vendor)
    stages = ReviewStage.objects.filter(
        round__asset__campaign=campaign,
        round__asset__archived_at__isnull=True,
        status__in=[StageStatus.ACTIVE, StageStatus.WAITING],
        due__gte=as_of,
        due__lte=last,
    ).select_related("round__asset")
    for stage in stages:
        assert stage.due is not None
        add(
            stage.due,
            "review",
            f"{stage.name} review: {stage.round.asset.name}",
            str(stage.get_status_display()),
        )
    start = timezone.make_aware(datetime.combine(as_of, time.min))
    end = timezone.make_aware(datetime.combine(last, time.max))
    for meeting in Meeting.objects.filter(campaign=campaign, starts_at__range=(start, end)):
        local = timezone.localtime(meeting.starts_at)
        when = f"{local:%H:%M}, {meeting.duration_minutes} min"
        add(local.date(), "meeting", meeting.title, when)
    order = list(DEADLINE_KINDS)
    found.sort(key=lambda d: (d["date"], order.index(d["kind"]), d["title"]))
    return found


def _issues_part(campaign: Campaign, as_of: date) -> dict[str, Any]:
    """The campaign's attention items (not snoozed or dismissed on ``as_of``) and open tasks."""
    from mediadesk.work.services import silenced_fingerprints

    items = list(
        AttentionItem.objects.filter(campaign=campaign)
        .select_related("owner")
        .order_by("severity_rank", F("due").asc(nulls_last=True), "title", "id")
    )
    silenced = silenced_fingerprints([campaign.client_id], as_of) if items else set()
    tasks = Task.objects.filter(campaign=campaign).open().select_related("owner")
    return {
        "items": [
            {
                "kind": item.kind,
                "severity": item.severity,
                "title": item.title,
                "situation": item.situation,
                "due": _day(item.due),
                "owner": _person(item.owner),
                "url": item.url,
            }
            for item in items
            if item.fingerprint not in silenced
        ],
        "tasks": [
            {
                "title": task.title,
                "owner": _person(task.owner),
                "due": _day(task.due),
                "status": task.status,
                "status_label": str(task.get_status_display()),
                "url": task.get_absolute_url() if _has_task_page() else "",
            }
            for task in tasks.order_by(F("due").asc(nulls_last=True), "id")
        ],
    }


def _has_task_page() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("work:task_detail", args=[1])
    except NoReverseMatch:
        return False
    return True


# --- who sees which section ---------------------------------------------------------------------


def hidden_sections(user: Any, client_id: int) -> set[str]:
    """Sections of a report this person may not see: the budget without finance rights, the
    open issues for a client reviewer."""
    hidden = set()
    if not can(user, Action.VIEW_FINANCE, client_id):
        hidden.add("budget")
    if not can(user, Action.VIEW_ALL_CAMPAIGNS, client_id):
        hidden.add("issues")
    return hidden


def shown_content(user: Any, report: StatusReport) -> dict[str, Any]:
    """The report's content without the sections this person may not see."""
    hidden = hidden_sections(user, report.client_id) if user is not None else set()
    return {key: value for key, value in report.content.items() if key not in hidden}


# --- generating ---------------------------------------------------------------------------------


def local_today() -> date:
    return timezone.localdate()


def report_week(week_start: date | None, as_of: date | None) -> tuple[date, date]:
    """(Monday, as-of day) of a report: by default this week, as of today; a week in the past
    is reported as of its Sunday, a week to come as of its Monday."""
    today = local_today()
    if week_start is None:
        as_of = as_of or today
        return monday_of(as_of), as_of
    if week_start.weekday() != Weekday.MONDAY:
        raise ValidationError({"week_start": ["A report's week starts on a Monday."]})
    if as_of is None:
        as_of = max(week_start, min(today, week_start + timedelta(days=6)))
    if not week_start <= as_of <= week_start + timedelta(days=6):
        raise ValidationError({"as_of": ["The as-of day must be within the report's week."]})
    return week_start, as_of


def generate_report(
    actor: Any,
    campaign: Campaign,
    week_start: date | None = None,
    as_of: date | None = None,
) -> StatusReport:
    """The campaign's report for the week (default: this week as of today); generating it
    again updates the same report. ``actor`` None is the scheduler."""
    if actor is not None:
        require(actor, Action.MANAGE_WORK, campaign.client_id)
    week, day = report_week(week_start, as_of)
    content = build_report(campaign, day, week)
    now = timezone.now()
    by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        report = (
            StatusReport.objects.select_for_update()
            .filter(campaign=campaign, week_start=week)
            .first()
        )
        created = report is None
        if report is None:
            try:
                with transaction.atomic():
                    report = StatusReport.objects.create(
                        client_id=campaign.client_id,
                        campaign=campaign,
                        week_start=week,
                        as_of=day,
                        content=content,
                        generated_at=now,
                        generated_by=by,
                    )
            except IntegrityError:  # generated by someone else in the meantime
                report = StatusReport.objects.select_for_update().get(
                    campaign=campaign, week_start=week
                )
                created = False
        if created:
            changes = {"week_start": [None, week.isoformat()], "as_of": [None, day.isoformat()]}
        else:
            changes = {
                "as_of": [report.as_of.isoformat(), day.isoformat()],
                "generated_at": [report.generated_at.isoformat(), now.isoformat()],
            }
            report.as_of = day
            report.content = content
            report.generated_at = now
            report.generated_by = by
            report.save(update_fields=["as_of", "content", "generated_at", "generated_by"])
        record(
            actor=actor,
            obj=report,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            changes=changes,
        )
    return report


# --- the PDF and the e-mail ---------------------------------------------------------------------


def report_pdf(report: StatusReport, content: dict[str, Any] | None = None) -> bytes:
    """The report as an A4 PDF (WeasyPrint; it fetches nothing)."""
    from mediadesk.work.report_views import print_context

    try:
        weasyprint = importlib.import_module("weasyprint")
    except ImportError as exc:  # pragma: no cover - WeasyPrint is a dependency
        raise NotImplementedError("PDF reports need WeasyPrint; it is not installed.") from exc
    html = render_to_string("work/report_print.html", print_context(report, content))
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


def pdf_name(report: StatusReport) -> str:
    """'NWND-AR26 status 2026-11-23.pdf'."""
    return f"{report.campaign.code} status {report.week_start.isoformat()}.pdf"


def report_subject(report: StatusReport) -> str:
    campaign = report.content.get("campaign", {})
    return (
        f"Status report: {campaign.get('name', report.campaign.name)} "
        f"({campaign.get('code', report.campaign.code)}), week of {report.week_start:%d %b %Y}"
    )


def report_text(report: StatusReport, site: str = "") -> str:
    """The e-mail's text: the headline of every section; the PDF holds the rest."""
    from mediadesk.work.report_views import present

    shown = present(report, report.content)
    lines = [report_subject(report), "", *shown["summary"], ""]
    for line in shown["deadlines"][:10]:
        lines.append(f"- {line['date']}: {line['kind_label']} — {line['title']}")
    if shown["deadlines"]:
        lines.append("")
    lines.append("The full report is attached as a PDF.")
    if site:
        lines.append(f"Online: {site}{report.get_absolute_url()}")
    return "\n".join(lines) + "\n"


def clean_recipients(recipients: Iterable[str]) -> list[str]:
    """Addresses, checked and each once; ValidationError naming the first that is not one."""
    found: list[str] = []
    for raw in recipients:
        address = raw.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {"recipients": [f"“{raw.strip()}” is not an e-mail address."]}
            ) from None
        if address not in found:
            found.append(address)
    if not found:
        raise ValidationError({"recipients": ["Give at least one e-mail address."]})
    if len(found) > MAX_RECIPIENTS:
        raise ValidationError({"recipients": [f"At most {MAX_RECIPIENTS} addresses at once."]})
    return found


def split_addresses(text: str) -> list[str]:
    """Addresses typed one a line, or separated by commas or semicolons."""
    return [part for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _generation(report: StatusReport) -> str:
    return f"{report.generated_at:%Y%m%dT%H%M%S%f}"


def _dedupe_key(prefix: str, report: StatusReport, recipients: Sequence[str]) -> str:
    who = hashlib.sha256(",".join(sorted(recipients)).encode()).hexdigest()[:16]
    return f"{prefix}:{report.pk}:{_generation(report)}:{who}"


def _queue_report(
    report: StatusReport, recipients: Sequence[str], dedupe_key: str
) -> tuple[OutboxMessage, bool]:
    """Queue the e-mail with its PDF, unless this key is queued already; (message, new)."""
    from django.conf import settings

    existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    pdf = report_pdf(report)
    path = default_storage.save(
        f"work/status-reports/{report.pk}/{report.campaign.code}-{_generation(report)}.pdf",
        ContentFile(pdf),
    )
    message = queue_email(
        dedupe_key,
        to=recipients,
        subject=report_subject(report),
        body=report_text(report, str(settings.SITE_URL)),
        attachments=[{"name": pdf_name(report), "mimetype": "application/pdf", "path": path}],
        client_id=report.client_id,
    )
    return message, True


def send_report(actor: Any, report: StatusReport, recipients: Iterable[str]) -> OutboxMessage:
    """E-mail the report (PDF attached) through the outbox; the same report, as generated,
    to the same people is queued once."""
    require(actor, Action.MANAGE_WORK, report.client_id)
    addresses = clean_recipients(recipients)
    with transaction.atomic():
        key = _dedupe_key("status-report", report, addresses)
        message, new = _queue_report(report, addresses, key)
        if new:
            _mark_sent(report, addresses)
            record(
                actor=actor,
                obj=report,
                action=AuditAction.SENT,
                changes={"sent_to": [None, addresses]},
            )
    return message


def _mark_sent(report: StatusReport, addresses: Sequence[str]) -> None:
    report.sent_at = timezone.now()
    report.sent_to = sorted(set(report.sent_to) | set(addresses))
    report.save(update_fields=["sent_at", "sent_to"])


# --- the schedule -------------------------------------------------------------------------------


def schedule_of(client: Client) -> StatusReportSchedule:
    """The client's schedule, or an unsaved default (not enabled until saved)."""
    found = StatusReportSchedule.objects.filter(client=client).first()
    return found or StatusReportSchedule(client=client, enabled=False)


def save_schedule(actor: Any, client: Client, values: dict[str, Any]) -> StatusReportSchedule:
    """Set when the client's reports go out and to whom (``enabled``, ``weekday``, ``hour``,
    ``recipients``: a list of addresses or text with one a line)."""
    require(actor, Action.MANAGE_WORK, client.pk)
    errors: dict[str, list[str]] = {}
    enabled = bool(values.get("enabled"))
    try:
        weekday = int(values.get("weekday", Weekday.MONDAY))
        if weekday not in Weekday.values:
            raise ValueError
    except (TypeError, ValueError):
        errors["weekday"] = ["Choose a day of the week."]
        weekday = Weekday.MONDAY
    try:
        hour = int(values.get("hour", 8))
        if not 0 <= hour <= 23:
            raise ValueError
    except (TypeError, ValueError):
        errors["hour"] = ["Give an hour from 0 to 23."]
        hour = 8
    raw = values.get("recipients", [])
    listed = split_addresses(raw) if isinstance(raw, str) else list(raw)
    recipients: list[str] = []
    if listed or enabled:
        try:
            recipients = clean_recipients(listed)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    schedule = schedule_of(client)
    fields = ["enabled", "weekday", "hour", "recipients"]
    before = (
        {name: getattr(schedule, name) for name in fields} if schedule.pk else dict.fromkeys(fields)
    )
    after = {"enabled": enabled, "weekday": weekday, "hour": hour, "recipients": recipients}
    for name, value in after.items():
        setattr(schedule, name, value)
    schedule.updated_at = timezone.now()
    schedule.updated_by = actor
    with transaction.atomic():
        created = schedule.pk is None
        schedule.save()
        changes = diff(before, after)
        if changes:
            record(
                actor=actor,
                obj=schedule,
                action=AuditAction.CREATED if created else AuditAction.UPDATED,
                changes=changes,
            )
    return schedule


def live_campaigns(client_id: int, day: date) -> list[Campaign]:
    """The client's campaigns a weekly report is about: live, or booked and in flight."""
    return list(
        Campaign.objects.filter(client_id=client_id, archived_at__isnull=True)
        .filter(
            Q(status=CampaignStatus.LIVE)
            | Q(status=CampaignStatus.BOOKED, start__lte=day, end__gte=day)
        )
        .select_related("client__organization", "brand", "owner")
        .order_by("start", "code")
    )


def _due_at(monday: date, schedule: StatusReportSchedule) -> datetime:
    day = monday + timedelta(days=int(schedule.weekday))
    return timezone.make_aware(datetime.combine(day, time(hour=int(schedule.hour))))


def send_scheduled_reports(now: datetime | None = None) -> int:
    """Generate and e-mail this week's reports of every client whose weekday and hour have
    come (local time); each client once a week, whoever runs it and however often. Returns the
    number of e-mails queued."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    day = local.date()
    monday = monday_of(day)
    year, week, _ = day.isocalendar()
    period = f"{year}-W{week:02d}"
    queued = 0
    schedules = StatusReportSchedule.objects.filter(
        enabled=True, client__archived_at__isnull=True
    ).select_related("client")
    for schedule in schedules:
        if local < _due_at(monday, schedule):
            continue
        job = f"status-reports:{schedule.client_id}"
        if ScheduledRun.objects.filter(job=job, period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job, period=period, started_at=now)
                for campaign in live_campaigns(schedule.client_id, day):
                    report = generate_report(None, campaign, week_start=monday, as_of=day)
                    if not schedule.recipients:
                        continue
                    who = hashlib.sha256(",".join(sorted(schedule.recipients)).encode())
                    key = f"status-report-week:{report.pk}:{period}:{who.hexdigest()[:16]}"
                    _, new = _queue_report(report, list(schedule.recipients), key)
                    if new:
                        _mark_sent(report, schedule.recipients)
                        queued += 1
                run.finished_at = timezone.now()
                run.save(update_fields=["finished_at"])
        except IntegrityError:  # another worker took this client's week first
            continue
    return queued
