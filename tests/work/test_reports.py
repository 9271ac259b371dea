"""Weekly status reports: what a report says (from every area, kept as it was), generating it
once per campaign and week, the page, the PDF and the API, e-mailing it through the outbox,
the per-client schedule (once a week however often the worker looks), and isolation: nobody
sees a report of a campaign they do not see, and the budget and open issues only show to those
who may see them.

Dates are fixed (the demo's campaigns have fixed flights); no test reads the clock.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.planning.models import Campaign
from mediadesk.work import reports
from mediadesk.work.choices import TaskStatus
from mediadesk.work.models import (
    AttentionItem,
    OutboxMessage,
    ScheduledRun,
    StatusReport,
    StatusReportSchedule,
    Task,
)

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 23)  # a Monday, while NWND-AR26 is live
AS_OF = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def files(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def audit_of(obj: Any) -> Any:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def attention_row(campaign: Campaign, key: str, title: str, **extra: Any) -> AttentionItem:
    values: dict[str, Any] = {
        "client": campaign.client,
        "campaign": campaign,
        "key": key,
        "kind": "pacing_off",
        "severity": "high",
        "severity_rank": 1,
        "title": title,
        "due": date(2026, 11, 27),
        "subject_type": "placement",
        "subject_id": 1,
        "url": campaign.get_absolute_url(),
        "situation": "under",
        "computed_on": AS_OF,
        "computed_at": at(AS_OF, 2),
        **extra,
    }
    return AttentionItem.objects.create(**values)


@pytest.fixture
def autumn(demo: Any) -> Campaign:
    return Campaign.objects.get(code="NWND-AR26")


@pytest.fixture
def report(demo: Any, autumn: Campaign) -> StatusReport:
    attention_row(autumn, "pacing:1", "Linear TV is pacing under")
    Task.objects.create(
        client=autumn.client, campaign=autumn, title="Chase the TV post-log", owner=demo.ben,
        due=date(2026, 11, 27),
    )  # fmt: skip
    return reports.generate_report(demo.ben, autumn, week_start=WEEK, as_of=AS_OF)


# --- what a report says -------------------------------------------------------------------------


def test_a_report_holds_every_section_as_plain_json(report: StatusReport, autumn: Campaign) -> None:
    content = report.content
    assert content["campaign"]["code"] == "NWND-AR26"
    assert content["week_start"] == "2026-11-23" and content["as_of"] == "2026-11-25"
    # The five numbers, as the campaign page shows them: decimal strings with their currency.
    budget = content["budget"]
    assert budget["budget"] == "480000.00" and budget["currency"] == "EUR"
    (numbers,) = budget["numbers"]
    assert numbers["currency"] == "EUR"
    planned = sum(
        (p.cost for p in autumn.plan_versions.get(status="client_approved").placements.all()),
        Decimal(0),
    )
    assert Decimal(numbers["planned"]["gross"]) == planned
    assert set(numbers) >= {"planned", "booked", "delivered", "invoiced", "paid", "accrual"}
    # Pacing of every placement of the current plan.
    pacing = content["pacing"]
    codes = {line["code"] for line in pacing["lines"]}
    assert codes == set(
        autumn.plan_versions.get(status="client_approved").placements.values_list("code", flat=True)
    )
    assert all(isinstance(line["planned"], str) for line in pacing["lines"])
    assert sum(pacing["counts"].values()) == len(pacing["lines"])
    # Plan against delivery by channel, flight to date.
    assert content["delivery"]["started"] is True
    assert content["delivery"]["date_to"] == "2026-11-25"
    assert content["approvals"]["current"]["status"] == "client_approved"
    assert [d["stage"] for d in content["approvals"]["current"]["decisions"]] == [
        "internal",
        "client",
    ]
    assert content["creative"]["placements"] == len(codes)
    issues = content["issues"]
    assert [i["title"] for i in issues["items"]] == ["Linear TV is pacing under"]
    assert [t["title"] for t in issues["tasks"]] == ["Chase the TV post-log"]


def test_upcoming_deadlines_are_the_next_14_days(demo: Any, autumn: Campaign) -> None:
    placement = autumn.plan_versions.get(status="client_approved").placements.first()
    assert placement is not None
    type(placement).objects.filter(pk=placement.pk).update(
        material_deadline=date(2026, 12, 1), end=date(2026, 12, 9)
    )
    content = reports.build_report(autumn, AS_OF)
    found = {(d["date"], d["kind"], d["title"]) for d in content["deadlines"]}
    assert ("2026-12-01", "material", placement.code) in found
    assert ("2026-12-09", "flight_end", placement.code) in found
    # The campaign ends on 20 Dec: 25 days later, not in the next 14.
    assert ("2026-12-20", "flight_end", "Autumn Roast Launch ends") not in found
    later = reports.build_report(autumn, date(2026, 12, 8))["deadlines"]
    assert {"date": "2026-12-20", "kind": "flight_end", "kind_label": "Flight ends",
            "title": "Autumn Roast Launch ends", "detail": autumn.flight} in later  # fmt: skip
    assert not any(d["date"] < "2026-12-08" for d in later)
    assert [d["date"] for d in content["deadlines"]] == sorted(
        d["date"] for d in content["deadlines"]
    )


def test_snoozed_items_and_closed_tasks_are_not_open_issues(demo: Any, autumn: Campaign) -> None:
    from mediadesk.work import services

    shown = attention_row(autumn, "a", "Shown")
    hidden = attention_row(autumn, "b", "Dismissed")
    services.dismiss(demo.ben, hidden, reason="Known; the vendor re-sends the log.")
    Task.objects.create(client=autumn.client, campaign=autumn, title="Done", status=TaskStatus.DONE)
    content = reports.build_report(autumn, AS_OF)
    assert [item["title"] for item in content["issues"]["items"]] == [shown.title]
    assert content["issues"]["tasks"] == []


def test_generating_again_in_the_week_updates_the_same_report(
    report: StatusReport, demo: Any, autumn: Campaign
) -> None:
    again = reports.generate_report(demo.ben, autumn, week_start=WEEK, as_of=date(2026, 11, 27))
    assert again.pk == report.pk
    assert StatusReport.objects.filter(campaign=autumn).count() == 1
    assert again.as_of == date(2026, 11, 27) and again.content["as_of"] == "2026-11-27"
    events = audit_of(report)
    assert sorted(events.values_list("action", flat=True)) == ["created", "updated"]
    other = reports.generate_report(demo.ben, autumn, week_start=WEEK + timedelta(days=7))
    assert other.pk != report.pk


def test_a_report_keeps_what_it_said(
    report: StatusReport, demo: Any, autumn: Campaign, web_as: Any
) -> None:
    Campaign.objects.filter(pk=autumn.pk).update(name="Renamed Since", budget=Decimal("1.00"))
    Task.objects.filter(campaign=autumn).update(status=TaskStatus.DONE)
    page = web_as(demo.ben).get(f"/reports/{report.pk}/").content.decode()
    assert "Status report: Autumn Roast Launch" in page
    assert "480,000.00" in page and "Chase the TV post-log" in page
    # Generated again, it says what is true now.
    autumn.refresh_from_db()
    again = reports.generate_report(demo.ben, autumn, week_start=WEEK, as_of=AS_OF)
    assert again.content["campaign"]["name"] == "Renamed Since"
    assert again.content["budget"]["budget"] == "1.00"
    assert again.content["issues"]["tasks"] == []


def test_weeks_start_on_monday_and_as_of_stays_within_the_week(demo: Any, autumn: Campaign) -> None:
    with pytest.raises(ValidationError, match="starts on a Monday"):
        reports.generate_report(demo.ben, autumn, week_start=date(2026, 11, 24))
    with pytest.raises(ValidationError, match="within the report's week"):
        reports.generate_report(demo.ben, autumn, week_start=WEEK, as_of=date(2026, 12, 1))
    past = reports.generate_report(demo.ben, autumn, week_start=date(2026, 10, 5))
    assert past.as_of == date(2026, 10, 11)  # a past week is reported as of its Sunday


def test_generating_needs_a_role_that_manages_work(demo: Any, autumn: Campaign) -> None:
    with pytest.raises(PermissionDenied, match="status reports"):
        reports.generate_report(demo.dan, autumn, week_start=WEEK)
    assert not StatusReport.objects.exists()


# --- the page and the PDF -----------------------------------------------------------------------


def test_the_page_shows_the_report(report: StatusReport, web_as: Any) -> None:
    page = web_as(report.campaign.client.memberships.get(user__email="ben@demo.test").user).get(
        f"/reports/{report.pk}/"
    )
    assert page.status_code == 200
    text = page.content.decode()
    for heading in ("Pacing", "Plan against delivery", "Budget position", "Approvals",
                    "Creative", "Next 14 days", "Open issues"):  # fmt: skip
        assert heading in text
    assert "480,000.00" in text
    assert "Linear TV is pacing under" in text
    assert 'id="index-chart"' in text  # the pacing bars
    assert "Send by e-mail" in text


def test_the_campaign_tab_lists_reports_and_generates_this_weeks(
    report: StatusReport, web_as: Any, demo: Any, autumn: Campaign
) -> None:
    ben = web_as(demo.ben)
    listing = ben.get(f"/campaigns/{autumn.pk}/status-reports/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f"/reports/{report.pk}/" in text and "Generate this week's report" in text
    assert "Status reports" in ben.get(f"/campaigns/{autumn.pk}/").content.decode()
    made = ben.post(f"/campaigns/{autumn.pk}/status-reports/generate/")
    assert made.status_code == 302
    newest = StatusReport.objects.filter(campaign=autumn).latest("generated_at")
    assert made["Location"] == f"/reports/{newest.pk}/"
    assert newest.generated_by == demo.ben


def test_a_reviewer_may_read_but_not_generate(
    report: StatusReport, web_as: Any, demo: Any, autumn: Campaign
) -> None:
    dan = web_as(demo.dan)
    listing = dan.get(f"/campaigns/{autumn.pk}/status-reports/").content.decode()
    assert "Generate this week" not in listing
    assert dan.post(f"/campaigns/{autumn.pk}/status-reports/generate/").status_code == 403
    page = dan.get(f"/reports/{report.pk}/").content.decode()
    assert "Pacing" in page and "Approvals" in page
    # No finance role: no budget. A client reviewer: no internal open issues, no sending.
    assert "Budget position" not in page and "480,000.00" not in page
    assert "Open issues" not in page and "Linear TV is pacing under" not in page
    assert "Send by e-mail" not in page
    assert dan.post(f"/reports/{report.pk}/send/", {"recipients": "x@y.test"}).status_code == 403


def test_the_pdf_has_the_numbers_and_the_pacing_table(
    report: StatusReport, web_as: Any, demo: Any
) -> None:
    response = web_as(demo.ben).get(f"/reports/{report.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "NWND-AR26 status 2026-11-23.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Autumn Roast Launch" in text
    assert "Budget position" in text and "480,000.00" in text
    for figure in ("Planned", "Booked", "Delivered", "Invoiced", "Paid"):
        assert figure in text
    planned = Decimal(report.content["budget"]["numbers"][0]["planned"]["gross"])
    assert f"{planned:,.2f}" in text
    assert "Pacing" in text and "Expected to date" in text
    for line in report.content["pacing"]["lines"]:
        assert line["code"] in text.replace("\n", "")
    assert "Linear TV is pacing under" in text


def test_a_reviewers_pdf_leaves_out_what_they_may_not_see(
    report: StatusReport, web_as: Any, demo: Any
) -> None:
    text = pdf_text(web_as(demo.dan).get(f"/reports/{report.pk}/pdf/").content)
    assert "Autumn Roast Launch" in text and "Pacing" in text
    assert "Budget position" not in text and "Open issues" not in text
    assert "Linear TV is pacing under" not in text


def test_nobody_sees_a_report_of_a_campaign_they_do_not_see(
    demo: Any, web_as: Any, api_as: Any
) -> None:
    fabrikam = reports.generate_report(
        demo.alice, Campaign.objects.get(code="FBRK-TS27"), week_start=WEEK
    )
    internal = reports.generate_report(
        demo.alice, Campaign.objects.get(code="NWND-RP27"), week_start=WEEK
    )
    for user, foreign in ((demo.ben, fabrikam), (demo.dan, fabrikam), (demo.dan, internal)):
        http = web_as(user)
        for path in (f"/reports/{foreign.pk}/", f"/reports/{foreign.pk}/pdf/"):
            assert http.get(path).status_code == 404, (user.email, path)
        assert (
            http.post(f"/reports/{foreign.pk}/send/", {"recipients": "a@b.test"}).status_code == 404
        )
        assert http.get(f"/campaigns/{foreign.campaign_id}/status-reports/").status_code == 404
        assert (
            http.post(f"/campaigns/{foreign.campaign_id}/status-reports/generate/").status_code
            == 404
        )
        api = api_as(user)
        for path in (
            f"/api/v1/status-reports/{foreign.pk}",
            f"/api/v1/status-reports/{foreign.pk}/pdf",
        ):
            assert api.get(path).status_code == 404
        listed = api.get("/api/v1/status-reports", limit=100).json()
        assert foreign.pk not in [item["id"] for item in listed["items"]]
        index = http.get("/reports/").content.decode()
        assert foreign.campaign.name not in index
    assert web_as(demo.ben).get(f"/clients/{demo.fabrikam.pk}/status-reports/").status_code == 404
    assert web_as(demo.dan).get(f"/clients/{demo.northwind.pk}/status-reports/").status_code == 404


# --- the API ------------------------------------------------------------------------------------


def test_the_api_lists_reads_and_generates(
    report: StatusReport, demo: Any, api_as: Any, autumn: Campaign
) -> None:
    ben = api_as(demo.ben)
    listing = ben.get("/api/v1/status-reports", client=demo.northwind.pk).json()
    assert [item["id"] for item in listing["items"]] == [report.pk]
    assert listing["items"][0]["campaign"]["code"] == "NWND-AR26"
    assert listing["items"][0]["pdf"] == f"/api/v1/status-reports/{report.pk}/pdf"
    assert ben.get("/api/v1/status-reports", client=demo.contoso.pk).json()["count"] == 0
    assert ben.get("/api/v1/status-reports", campaign=autumn.pk).json()["count"] == 1
    one = ben.get(f"/api/v1/status-reports/{report.pk}").json()
    assert one["content"]["budget"]["budget"] == "480000.00"
    assert one["week_start"] == "2026-11-23"
    pdf = ben.get(f"/api/v1/status-reports/{report.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Autumn Roast Launch" in pdf_text(pdf.content)
    made = ben.post(
        f"/api/v1/campaigns/{autumn.pk}/status-reports",
        {"week_start": "2026-11-16", "as_of": "2026-11-20"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["as_of"] == "2026-11-20"
    again = ben.post(f"/api/v1/campaigns/{autumn.pk}/status-reports", {"week_start": "2026-11-16"})
    assert again.json()["id"] == made.json()["id"]
    refused = ben.post(
        f"/api/v1/campaigns/{autumn.pk}/status-reports", {"week_start": "2026-11-17"}
    )
    assert refused.status_code == 422


def test_the_api_leaves_out_sections_and_refuses_reviewers_generating(
    report: StatusReport, demo: Any, api_as: Any, autumn: Campaign
) -> None:
    dan = api_as(demo.dan)
    content = dan.get(f"/api/v1/status-reports/{report.pk}").json()["content"]
    assert "budget" not in content and "issues" not in content and "pacing" in content
    refused = dan.post(f"/api/v1/campaigns/{autumn.pk}/status-reports", {})
    assert refused.status_code == 403
    sent = dan.post(f"/api/v1/status-reports/{report.pk}/send", {"recipients": ["a@b.test"]})
    assert sent.status_code == 403


# --- sending ------------------------------------------------------------------------------------


def test_sending_queues_one_email_with_the_pdf(report: StatusReport, demo: Any) -> None:
    message = reports.send_report(demo.ben, report, ["Client@Northwind.test", "cara@demo.test"])
    assert message.to == ["cara@demo.test", "client@northwind.test"]
    assert "Autumn Roast Launch" in message.subject and "23 Nov 2026" in message.subject
    assert "Pacing:" in message.body
    (attachment,) = message.attachments
    assert attachment["mimetype"] == "application/pdf"
    assert attachment["name"] == "NWND-AR26 status 2026-11-23.pdf"
    with default_storage.open(attachment["path"]) as stored:
        assert "Budget position" in pdf_text(stored.read())
    # The same report to the same people: queued once. Other people: another e-mail.
    again = reports.send_report(demo.ben, report, ["cara@demo.test", "client@northwind.test"])
    assert again.pk == message.pk
    other = reports.send_report(demo.ben, report, ["someone@else.test"])
    assert other.pk != message.pk
    report.refresh_from_db()
    assert report.sent_at is not None
    assert report.sent_to == ["cara@demo.test", "client@northwind.test", "someone@else.test"]
    assert audit_of(report).filter(action="sent").count() == 2


def test_a_regenerated_report_goes_out_again(report: StatusReport, demo: Any) -> None:
    first = reports.send_report(demo.ben, report, ["a@b.test"])
    regenerated = reports.generate_report(demo.ben, report.campaign, week_start=WEEK, as_of=AS_OF)
    second = reports.send_report(demo.ben, regenerated, ["a@b.test"])
    assert second.pk != first.pk


def test_sending_refuses_bad_addresses_and_people_without_the_role(
    report: StatusReport, demo: Any, web_as: Any
) -> None:
    with pytest.raises(ValidationError, match="“nope” is not an e-mail address"):
        reports.send_report(demo.ben, report, ["a@b.test", "nope"])
    with pytest.raises(ValidationError, match="at least one"):
        reports.send_report(demo.ben, report, [" "])
    with pytest.raises(PermissionDenied):
        reports.send_report(demo.dan, report, ["a@b.test"])
    assert not OutboxMessage.objects.exists()
    page = web_as(demo.ben).post(f"/reports/{report.pk}/send/", {"recipients": "a@b.test, nope"})
    assert page.status_code == 422
    assert "is not an e-mail address" in page.content.decode()
    assert "a@b.test, nope" in page.content.decode()  # what was typed stays
    sent = web_as(demo.ben).post(f"/reports/{report.pk}/send/", {"recipients": "a@b.test"})
    assert sent.status_code == 302 and OutboxMessage.objects.count() == 1


# --- the schedule -------------------------------------------------------------------------------


MONDAY = date(2026, 11, 30)


def northwind_schedule(demo: Any, **values: Any) -> StatusReportSchedule:
    return reports.save_schedule(
        demo.ben,
        demo.northwind,
        {"enabled": True, "weekday": 0, "hour": 8,
         "recipients": "marketing@northwind.test\nben@demo.test", **values},
    )  # fmt: skip


def test_saving_a_schedule_is_checked_and_audited(demo: Any) -> None:
    schedule = northwind_schedule(demo)
    assert schedule.recipients == ["marketing@northwind.test", "ben@demo.test"]
    assert audit_of(schedule).filter(action="created").exists()
    with pytest.raises(ValidationError) as refused:
        reports.save_schedule(
            demo.ben, demo.northwind, {"enabled": True, "weekday": 9, "hour": 24, "recipients": ""}
        )
    assert set(refused.value.message_dict) == {"weekday", "hour", "recipients"}
    with pytest.raises(PermissionDenied):
        reports.save_schedule(demo.dan, demo.northwind, {"enabled": False})


def test_the_schedule_page(demo: Any, web_as: Any) -> None:
    ben = web_as(demo.ben)
    page = ben.get(f"/clients/{demo.northwind.pk}/status-reports/")
    assert page.status_code == 200 and "Autumn Roast Launch" in page.content.decode()
    refused = ben.post(
        f"/clients/{demo.northwind.pk}/status-reports/",
        {"enabled": "on", "weekday": "2", "hour": "9", "recipients": "bad address"},
    )
    assert refused.status_code == 422 and "bad address" in refused.content.decode()
    saved = ben.post(
        f"/clients/{demo.northwind.pk}/status-reports/",
        {"enabled": "on", "weekday": "2", "hour": "9", "recipients": "a@b.test"},
    )
    assert saved.status_code == 302
    schedule = StatusReportSchedule.objects.get(client=demo.northwind)
    assert (schedule.weekday, schedule.hour, schedule.recipients) == (2, 9, ["a@b.test"])


def test_scheduled_reports_go_out_once_a_week(demo: Any) -> None:
    northwind_schedule(demo)
    # Before the hour: nothing.
    assert reports.send_scheduled_reports(at(MONDAY, 7, 59)) == 0
    assert not StatusReport.objects.exists()
    # At the hour: this week's report of each live campaign (live, or booked and in flight).
    queued = reports.send_scheduled_reports(at(MONDAY, 8, 5))
    live = {"NWND-AR26", "NWND-WT26"}
    assert queued == len(live)
    made = StatusReport.objects.filter(client=demo.northwind)
    assert {r.campaign.code for r in made} == live
    assert {r.week_start for r in made} == {MONDAY} and {r.as_of for r in made} == {MONDAY}
    assert all(r.generated_by is None and r.sent_at for r in made)
    messages = OutboxMessage.objects.all()
    assert messages.count() == len(live)
    assert all(m.to == ["ben@demo.test", "marketing@northwind.test"] for m in messages)
    # The same hour again, and later that week: nothing more.
    assert reports.send_scheduled_reports(at(MONDAY, 8, 40)) == 0
    assert reports.send_scheduled_reports(at(MONDAY + timedelta(days=3), 10)) == 0
    assert OutboxMessage.objects.count() == len(live)
    assert ScheduledRun.objects.filter(job=f"status-reports:{demo.northwind.pk}").count() == 1
    # Next week: again.
    assert reports.send_scheduled_reports(at(MONDAY + timedelta(days=7), 8)) >= 1
    assert OutboxMessage.objects.count() > len(live)


def test_a_disabled_schedule_or_another_day_sends_nothing(demo: Any) -> None:
    northwind_schedule(demo, weekday=2)  # Wednesday
    assert reports.send_scheduled_reports(at(MONDAY, 9)) == 0
    northwind_schedule(demo, enabled=False)
    assert reports.send_scheduled_reports(at(MONDAY + timedelta(days=2), 9)) == 0
    assert not OutboxMessage.objects.exists()


def test_a_failed_run_leaves_nothing_half_done(demo: Any, monkeypatch: Any) -> None:
    """A worker that dies in the middle of a client's run (here: the second campaign fails)
    leaves no run record and no e-mail, so the next look does it all, once."""
    northwind_schedule(demo)
    real = reports.generate_report
    calls = []

    def dying(*args: Any, **kwargs: Any) -> StatusReport:
        calls.append(args[1].code)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "generate_report", dying)
    with pytest.raises(RuntimeError):
        reports.send_scheduled_reports(at(MONDAY, 8))
    assert not OutboxMessage.objects.exists() and not ScheduledRun.objects.exists()
    monkeypatch.setattr(reports, "generate_report", real)
    assert reports.send_scheduled_reports(at(MONDAY, 8, 30)) == 2
    assert OutboxMessage.objects.count() == 2


def test_the_index_lists_the_latest_report_per_campaign(
    report: StatusReport, demo: Any, web_as: Any
) -> None:
    older = reports.generate_report(demo.ben, report.campaign, week_start=WEEK - timedelta(days=7))
    page = web_as(demo.ben).get("/reports/").content.decode()
    assert f"/reports/{report.pk}/" in page and f"/reports/{older.pk}/" not in page
    assert f"/clients/{demo.northwind.pk}/status-reports/" in page
