"""The issue's acceptance on the whole demo agency, through the API: Alice's attention list holds
items of at least 8 kinds (the demo has all 13), each with a link that answers 200; Dan's holds
only Northwind items; the ICS feed parses as iCalendar and lists the demo flights; a status
report PDF is produced; last week's meeting has minutes and action items."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import icalendar
import pytest
from django.test import Client as HttpClient

from mediadesk.compliance.demo import load_demo_compliance
from mediadesk.creative.demo import load_demo_creative
from mediadesk.delivery.demo import load_demo_delivery
from mediadesk.domain.attention import Kind
from mediadesk.finance.demo import load_demo_finance
from mediadesk.planning.models import Campaign
from mediadesk.work import services
from mediadesk.work.choices import MeetingStatus, TaskSource
from mediadesk.work.demo import load_demo_work
from mediadesk.work.models import Meeting, OutboxMessage, StatusReport

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)


@pytest.fixture
def agency(demo: Any, settings: Any, tmp_path: Path, monkeypatch: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(services, "today", lambda: TODAY)  # the demo's day, whatever the clock
    load_demo_delivery(demo.ben, TODAY)
    load_demo_finance(demo.ben, demo.cara, demo.alice, TODAY)
    load_demo_creative(TODAY)
    load_demo_compliance(TODAY)
    load_demo_work(TODAY)
    return demo


def test_the_demo_meets_the_acceptance_through_the_api(agency: Any, api_as: Any) -> None:
    demo = agency
    alice = api_as(demo.alice)
    listing = alice.get("/api/v1/attention", limit=500).json()
    kinds = {item["kind"] for item in listing["items"]}
    assert kinds == {str(kind) for kind in Kind}  # every kind, at least 8 asked
    pages = HttpClient()
    pages.force_login(demo.alice)
    broken = [
        (item["url"], status)
        for item in listing["items"]
        if (status := pages.get(item["url"]).status_code) != 200
    ]
    assert broken == []

    # Ben owns the Northwind and Contoso campaigns: his own list has every kind as well.
    bens = api_as(demo.ben).get("/api/v1/attention", view="mine", limit=500).json()
    assert {item["kind"] for item in bens["items"]} == {str(kind) for kind in Kind}

    dans = api_as(demo.dan).get("/api/v1/attention").json()
    assert dans["count"] >= 2
    assert {item["client"]["name"] for item in dans["items"]} == {"Northwind"}
    assert {item["kind"] for item in dans["items"]} == {"review_waiting", "task_due"}

    feed = alice.post("/api/v1/calendar/feeds", {}).json()
    ics = HttpClient().get(urlparse(feed["url"]).path)
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    summaries = {str(event.get("summary")) for event in calendar.walk("VEVENT")}
    for code in ("NWND-AR26", "NWND-WT26", "CTSO-5G26", "CTSO-HOL26"):
        campaign = Campaign.objects.get(code=code)
        assert f"{campaign.name} ({code})" in summaries

    report = StatusReport.objects.get(campaign__code="NWND-AR26")
    pdf = alice.get(f"/api/v1/status-reports/{report.pk}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_demo_has_a_past_meeting_with_minutes_and_action_items(agency: Any) -> None:
    past = Meeting.objects.get(status=MeetingStatus.DONE)
    assert past.minutes_sent_at is not None and "Decision:" in past.notes
    actions = past.action_items.all()
    assert actions.count() == 2
    assert all(task.source == TaskSource.MEETING and task.owner for task in actions)
    minutes = OutboxMessage.objects.filter(subject__icontains=past.title)
    assert minutes.exists()
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED).exists()  # next week's
