"""Weekly status reports over the API: list and read them (with what they said when they were
generated), download one as a PDF, generate a campaign's report for a week, and e-mail one.
And the calendar: the caller's as iCalendar, and their private calendar addresses (ICS feeds).

A report is visible to whoever sees its campaign (client reviewers: shared campaigns only);
another client's report is 404. The ``budget`` section is left out for callers who may not see
the client's finance, and ``issues`` for client reviewers. State changes are
``work.reports`` functions, as for the pages and the scheduler.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import User
from mediadesk.planning.models import Campaign
from mediadesk.work import calendar as work_calendar
from mediadesk.work import reports
from mediadesk.work.models import CalendarFeed, StatusReport
from mediadesk.work.report_views import visible_reports

router = Router(tags=["status reports"])


class Ref(Schema):
    id: int
    name: str


class CampaignRef(Schema):
    id: int
    code: str
    name: str


class StatusReportSummary(Schema):
    id: int
    client: Ref
    campaign: CampaignRef
    week_start: date = Field(description="The Monday of the week reported on.")
    as_of: date = Field(description="The day whose figures the report shows.")
    generated_at: str
    generated_by: str | None = Field(description="Who generated it; null: the schedule.")
    sent_at: str | None
    sent_to: list[str]
    url: str = Field(description="The report's page (a path on this site).")
    pdf: str = Field(description="The API path of its PDF.")


class StatusReportOut(StatusReportSummary):
    content: dict[str, Any] = Field(
        description="What the report said: campaign, week_start, as_of, delivery, pacing, "
        "budget (only for people who see finance), approvals, creative, deadlines, issues (not "
        "for client reviewers). Amounts are decimal strings beside their currency; dates ISO."
    )


def _summary(report: StatusReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "client": {"id": report.client_id, "name": report.client.name},
        "campaign": {
            "id": report.campaign_id,
            "code": report.campaign.code,
            "name": report.campaign.name,
        },
        "week_start": report.week_start,
        "as_of": report.as_of,
        "generated_at": report.generated_at.isoformat(),
        "generated_by": report.generated_by.email if report.generated_by else None,
        "sent_at": report.sent_at.isoformat() if report.sent_at else None,
        "sent_to": list(report.sent_to),
        "url": report.get_absolute_url(),
        "pdf": reverse("api:status_report_pdf", args=[report.pk]),
    }


def _out(request: HttpRequest, report: StatusReport) -> dict[str, Any]:
    return {**_summary(report), "content": reports.shown_content(request.user, report)}


def _report(request: HttpRequest, report_id: int) -> StatusReport:
    report: StatusReport = get_object_or_404(
        visible_reports(request.user).select_related("client", "campaign", "generated_by"),
        pk=report_id,
    )
    return report


class ReportFilters(Schema):
    client: int | None = Field(None, description="Only this client's reports.")
    campaign: int | None = Field(None, description="Only this campaign's reports.")
    week_start: date | None = Field(None, description="Only the reports of this week (Monday).")


@router.get(
    "/status-reports",
    response=list[StatusReportSummary],
    summary="Status reports, newest week first",
)
@paginate(LimitOffsetPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    rows = visible_reports(request.user).select_related("client", "campaign", "generated_by")
    if filters.client is not None:
        rows = rows.filter(client_id=filters.client)
    if filters.campaign is not None:
        rows = rows.filter(campaign_id=filters.campaign)
    if filters.week_start is not None:
        rows = rows.filter(week_start=filters.week_start)
    return [_summary(report) for report in rows.order_by("-week_start", "campaign__code", "id")]


@router.get("/status-reports/{report_id}", response=StatusReportOut, summary="One status report")
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _out(request, _report(request, report_id))


@router.get(
    "/status-reports/{report_id}/pdf",
    summary="One status report as a PDF",
    url_name="status_report_pdf",
)
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    pdf = reports.report_pdf(report, reports.shown_content(request.user, report))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, reports.pdf_name(report)) or "attachment"
    )
    return response


class GenerateIn(Schema):
    week_start: date | None = Field(
        None, description="The Monday of the week; by default this week."
    )
    as_of: date | None = Field(
        None,
        description="The day whose figures to show, within the week; by default today (or the "
        "week's Sunday for a past week).",
    )


@router.post(
    "/campaigns/{campaign_id}/status-reports",
    response={201: StatusReportOut},
    summary="Generate a campaign's status report for a week",
    description="Generating the same week again brings that week's report up to date (the same "
    "id). Needs a role that manages work (coordinator, creative, finance, legal, admin).",
)
def generate(
    request: HttpRequest, campaign_id: int, payload: GenerateIn | None = None
) -> Status[dict[str, Any]]:
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=campaign_id)
    report = reports.generate_report(
        request.user,
        campaign,
        week_start=payload.week_start if payload else None,
        as_of=payload.as_of if payload else None,
    )
    return Status(201, _out(request, _report(request, report.pk)))


class SendIn(Schema):
    recipients: list[str] = Field(description="E-mail addresses.")


class SentOut(Schema):
    message: int = Field(description="The outbox message that carries it.")
    to: list[str]
    status: str


@router.post(
    "/status-reports/{report_id}/send",
    response={202: SentOut},
    summary="E-mail a status report (PDF attached) through the outbox",
    description="The same report, as generated, to the same people is queued once.",
)
def send(request: HttpRequest, report_id: int, payload: SendIn) -> Status[dict[str, Any]]:
    report = _report(request, report_id)
    message = reports.send_report(request.user, report, payload.recipients)
    return Status(202, {"message": message.pk, "to": list(message.to), "status": message.status})


# --- the calendar -------------------------------------------------------------------------------

MAX_CALENDAR_DAYS = 800


@router.get(
    "/calendar",
    summary="The caller's calendar as iCalendar (text/calendar)",
    description="Flights, material deadlines, review due dates, meetings and the caller's "
    "tasks, with the same rules as the calendar page. By default from 90 days ago to about a "
    "year ahead; `start` and `end` (ISO dates, at most 800 days apart) choose the days.",
    tags=["calendar"],
)
def calendar_ics(
    request: HttpRequest, start: date | None = None, end: date | None = None
) -> HttpResponse:
    today = work_calendar.today()
    first = start or today - timedelta(days=work_calendar.FEED_PAST_DAYS)
    last = end or today + timedelta(days=work_calendar.FEED_FUTURE_DAYS)
    if last < first or (last - first).days > MAX_CALENDAR_DAYS:
        raise ValidationError(
            {"end": [f"Give an end on or after the start, at most {MAX_CALENDAR_DAYS} days on."]}
        )
    text = work_calendar.feed_text(
        request.user,
        today,
        timezone.now(),
        site=request.build_absolute_uri("/"),
        first=first,
        last=last,
    )
    return HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")


class FeedOut(Schema):
    id: int
    prefix: str = Field(description="The first characters of the address's token.")
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


class NewFeedOut(FeedOut):
    url: str = Field(description="The private address; shown once, only its hash is kept.")


def _feed(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": feed.pk,
        "prefix": feed.prefix,
        "created_at": feed.created_at.isoformat(),
        "last_used_at": feed.last_used_at.isoformat() if feed.last_used_at else None,
        "revoked_at": feed.revoked_at.isoformat() if feed.revoked_at else None,
    }


@router.get(
    "/calendar/feeds",
    response=list[FeedOut],
    summary="The caller's private calendar addresses",
    tags=["calendar"],
)
def list_feeds(request: HttpRequest) -> list[dict[str, Any]]:
    feeds = CalendarFeed.objects.filter(user=_person(request)).order_by("-created_at", "-id")
    return [_feed(feed) for feed in feeds]


@router.post(
    "/calendar/feeds",
    response={201: NewFeedOut},
    summary="Make a private calendar address (ICS) for the caller",
    description="The answer's `url` is shown this once; calendar apps read it without a login.",
    tags=["calendar"],
)
def create_feed(request: HttpRequest) -> Status[dict[str, Any]]:
    issued = work_calendar.create_feed(_person(request))
    url = request.build_absolute_uri(reverse("work:calendar_ics", args=[issued.raw]))
    return Status(201, {**_feed(issued.feed), "url": url})


@router.post(
    "/calendar/feeds/{feed_id}/revoke",
    response=FeedOut,
    summary="Revoke one of the caller's calendar addresses (it then answers 404)",
    tags=["calendar"],
)
def revoke_feed(request: HttpRequest, feed_id: int) -> dict[str, Any]:
    person = _person(request)
    feed = get_object_or_404(CalendarFeed, pk=feed_id, user=person)
    return _feed(work_calendar.revoke_feed(person, feed))


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user
