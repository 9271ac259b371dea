"""The calendar: what shows (flights, material deadlines, review due dates, meetings, my
tasks), only of what the person may see — on the page and in the private ICS feed — the feed's
address (made, shown once, stored hashed, revoked) and the feed read by a real iCalendar parser.

The day is set (``calendar.today``) and every page asks for its month: no test reads the clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import icalendar
import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from mediadesk.audit.models import AuditEvent
from mediadesk.creative.models import Asset, AssetVersion, ReviewRound, ReviewStage
from mediadesk.planning.models import Campaign
from mediadesk.work import calendar
from mediadesk.work.models import CalendarFeed, Meeting, Task

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: Any) -> None:
    monkeypatch.setattr(calendar, "today", lambda: TODAY)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def feed_of(user: User) -> str:
    """A new private address of the user: the path of its feed."""
    return f"/calendar/{calendar.create_feed(user).raw}.ics"


def read_feed(path: str) -> icalendar.Calendar:
    response = HttpClient().get(path)  # no login: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(feed: icalendar.Calendar) -> dict[str, Any]:
    return {str(event["SUMMARY"]): event for event in feed.walk("VEVENT")}


def stage_on(campaign: Campaign, who: str, due: date, *, shown: bool = True) -> ReviewStage:
    asset = Asset.objects.create(
        client=campaign.client,
        campaign=campaign,
        kind="image",
        name=f"{campaign.code} key visual ({who})",
        version_count=1,
        shown_to_client=shown,
    )
    version = AssetVersion.objects.create(
        asset=asset, number=1, original_name="kv.png", content_type="image/png", bytes=4,
        checksum=f"kv-{who}-{campaign.pk}",
    )  # fmt: skip
    round_ = ReviewRound.objects.create(asset=asset, version=version, number=1)
    return ReviewStage.objects.create(
        round=round_, position=1, name=who.capitalize(), who=who, status="active", due=due
    )


@pytest.fixture
def busy(demo: Any) -> dict[str, Any]:
    """Northwind's November: two review stages, meetings and tasks; and the same of Contoso."""
    autumn = Campaign.objects.get(code="NWND-AR26")
    five_g = Campaign.objects.get(code="CTSO-5G26")
    weekly = Meeting.objects.create(
        client=autumn.client, campaign=autumn, title="Weekly status, Northwind",
        starts_at=at(date(2026, 11, 26), 10), duration_minutes=45,
    )  # fmt: skip
    weekly.attendees.add(demo.ben, demo.dan)
    internal_meeting = Meeting.objects.create(
        client=autumn.client, title="Northwind internal huddle",
        starts_at=at(date(2026, 11, 27), 9),
    )  # fmt: skip
    internal_meeting.attendees.add(demo.ben)
    contoso_meeting = Meeting.objects.create(
        client=five_g.client, campaign=five_g, title="Contoso weekly",
        starts_at=at(date(2026, 11, 26), 15),
    )  # fmt: skip
    return {
        "autumn": autumn,
        "five_g": five_g,
        "client_stage": stage_on(autumn, "client", date(2026, 11, 27)),
        "internal_stage": stage_on(autumn, "internal", date(2026, 11, 26)),
        "contoso_stage": stage_on(five_g, "internal", date(2026, 11, 26)),
        "weekly": weekly,
        "contoso_meeting": contoso_meeting,
        "task": Task.objects.create(client=autumn.client, campaign=autumn, owner=demo.ben,
                                    title="Send the TV copy", due=date(2026, 11, 30)),
        "dans_task": Task.objects.create(client=autumn.client, owner=demo.dan,
                                         title="Sign off the key visual", due=date(2026, 11, 30)),
    }  # fmt: skip


def titles(user: User, **kwargs: Any) -> set[str]:
    return {
        e.title for e in calendar.events_for(user, date(2026, 11, 1), date(2026, 11, 30), **kwargs)
    }


# --- what shows ---------------------------------------------------------------------------------


def test_a_coordinator_sees_everything_of_their_clients(demo: Any, busy: dict[str, Any]) -> None:
    found = titles(demo.ben)
    assert {"Autumn Roast Launch (NWND-AR26)", "5G Everywhere (CTSO-5G26)"} <= found
    assert "Client review due: NWND-AR26 key visual (client)" in found
    assert "Internal review due: NWND-AR26 key visual (internal)" in found
    assert {"Weekly status, Northwind", "Northwind internal huddle", "Contoso weekly"} <= found
    assert "Task due: Send the TV copy" in found
    assert "Task due: Sign off the key visual" not in found  # dan's task, not mine
    assert not any("Fabrikam" in t or "FBRK" in t for t in found)
    # One client only.
    only = titles(demo.ben, client_id=demo.northwind.pk)
    assert "Contoso weekly" not in only and "5G Everywhere (CTSO-5G26)" not in only


def test_a_reviewer_sees_what_is_shared_and_their_own(demo: Any, busy: dict[str, Any]) -> None:
    found = titles(demo.dan)
    assert "Autumn Roast Launch (NWND-AR26)" in found
    assert "Retail Partner Test (internal) (NWND-RP27)" not in titles(
        demo.dan, client_id=demo.northwind.pk
    )
    assert "Client review due: NWND-AR26 key visual (client)" in found
    assert "Internal review due: NWND-AR26 key visual (internal)" not in found
    assert "Weekly status, Northwind" in found  # an attendee
    assert "Northwind internal huddle" not in found
    assert "Task due: Sign off the key visual" in found
    assert "Task due: Send the TV copy" not in found
    assert not any("Contoso" in t or "CTSO" in t or "FBRK" in t for t in found)


def test_material_deadlines_and_placement_flights(demo: Any) -> None:
    autumn = Campaign.objects.get(code="NWND-AR26")
    first, second, *_ = autumn.plan_versions.get(status="client_approved").placements.all()
    type(first).objects.filter(pk__in=[first.pk, second.pk]).update(
        material_deadline=date(2026, 11, 20)
    )
    found = calendar.events_for(
        demo.ben, date(2026, 11, 1), date(2026, 11, 30), kinds={calendar.DEADLINES}
    )
    # One event per campaign and day, naming its placements; only the current plan's (the
    # draft v2 has the same codes: not twice).
    (due,) = [e for e in found if e.campaign == "NWND-AR26"]
    assert due.title == "Material due: Autumn Roast Launch (2 placements)"
    assert due.start == due.end == date(2026, 11, 20)
    assert due.detail == f"{first.code}, {second.code}"
    assert due.url == f"/campaigns/{autumn.pk}/creative/"
    # Placement flights only when asked.
    assert first.code not in titles(demo.ben)
    assert first.code in titles(demo.ben, kinds={calendar.PLACEMENTS})
    # The client's reviewer is sent to the campaign page (creative pages are internal).
    (his,) = [
        e
        for e in calendar.events_for(
            demo.dan, date(2026, 11, 1), date(2026, 11, 30), kinds={calendar.DEADLINES}
        )
        if e.campaign == "NWND-AR26"
    ]
    assert his.url == autumn.get_absolute_url()


def test_the_page_shows_the_month_with_filters(
    demo: Any, busy: dict[str, Any], web_as: Any
) -> None:
    ben = web_as(demo.ben)
    page = ben.get("/calendar/", {"month": "2026-11"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "November 2026" in text
    assert "Autumn Roast Launch (NWND-AR26)" in text and "5G Everywhere" in text
    assert "Weekly status, Northwind" in text and "Client review due" in text
    assert 'href="?month=2026-10' in text and 'href="?month=2026-12' in text
    assert 'aria-current="date"' in text  # today, in the grid
    narrowed = ben.get(
        "/calendar/",
        {"month": "2026-11", "client": demo.northwind.pk, "filtered": "1", "show": "meetings"},
    ).content.decode()
    assert "Weekly status, Northwind" in narrowed
    assert "Contoso weekly" not in narrowed and "Autumn Roast Launch (NWND-AR26)" not in narrowed
    listed = ben.get("/calendar/", {"month": "2026-11", "view": "list"}).content.decode()
    assert 'class="cal-list is-shown"' in listed
    empty = ben.get("/calendar/", {"month": "2031-02"}).content.decode()
    assert "Nothing this month" in empty


def test_a_user_with_one_client_never_sees_another(
    demo: Any, busy: dict[str, Any], web_as: Any
) -> None:
    fay = User.objects.create_user("fay@demo.test", "x", organization=demo.northwind.organization)
    Membership.objects.create(user=fay, client=demo.contoso, role=Role.COORDINATOR)
    Task.objects.create(client=demo.contoso, owner=fay, title="Fay's task", due=date(2026, 11, 30))
    northwind_words = ("Northwind", "NWND", "Autumn Roast", "NWND-AR26 key visual (client)",
                       "NWND-AR26 key visual (internal)")  # fmt: skip
    http = web_as(fay)
    everything = {"month": "2026-11", "view": "list", "filtered": "1", "show": list(calendar.KINDS)}
    for params in (
        {"month": "2026-11"},
        {"month": "2026-11", "client": demo.northwind.pk},
        everything,
    ):
        text = http.get("/calendar/", params).content.decode()
        assert "Contoso weekly" in text or params.get("client")
        for word in northwind_words:
            assert word not in text, (params, word)
    feed = HttpClient().get(feed_of(fay)).content.decode()
    assert "Contoso weekly" in feed and "Task due: Fay's task" in feed
    assert "5G Everywhere (CTSO-5G26)" in feed
    for word in northwind_words:
        assert word not in feed
    # The same for the reviewer of Northwind: nothing of Contoso or Fabrikam.
    dans = HttpClient().get(feed_of(demo.dan)).content.decode()
    assert "Weekly status\\, Northwind" in dans
    for word in (
        "Contoso",
        "CTSO",
        "Fabrikam",
        "FBRK",
        "internal huddle",
        "NWND-AR26 key visual (internal)",
    ):
        assert word not in dans


# --- the feed -----------------------------------------------------------------------------------


def test_the_feed_parses_as_icalendar_and_lists_the_flights(
    demo: Any, busy: dict[str, Any]
) -> None:
    found = events(read_feed(feed_of(demo.ben)))
    autumn = found["Autumn Roast Launch (NWND-AR26)"]
    assert autumn.decoded("DTSTART") == date(2026, 9, 28)
    assert autumn.decoded("DTEND") == date(2026, 12, 21)  # the day after the last day
    assert str(autumn["UID"]) == f"campaign-{busy['autumn'].pk}@mediadesk"
    assert str(autumn["URL"]) == f"http://testserver/campaigns/{busy['autumn'].pk}/"
    flights = {
        c.name for c in Campaign.objects.filter(client__in=[demo.northwind, demo.contoso])
        .exclude(status="cancelled")
        .filter(end__gte=TODAY - timedelta(days=90), start__lte=TODAY + timedelta(days=400))
    }  # fmt: skip
    assert flights == {
        summary.rsplit(" (", 1)[0] for summary, e in found.items()
        if "Campaign flights" in [str(c) for c in e["CATEGORIES"].cats]
    }  # fmt: skip
    meeting = found["Weekly status, Northwind"]
    assert meeting.decoded("DTSTART") == busy["weekly"].starts_at
    assert meeting.decoded("DTEND") - meeting.decoded("DTSTART") == timedelta(minutes=45)
    assert "Client review due: NWND-AR26 key visual (client)" in found
    assert len({str(e["UID"]) for e in found.values()}) == len(found)


def test_text_in_the_feed_is_escaped(demo: Any) -> None:
    title = "Review: TV, radio; print\\online\nand a second line"
    meeting = Meeting.objects.create(
        client=demo.northwind, title=title, starts_at=at(date(2026, 11, 26), 10)
    )
    meeting.attendees.add(demo.ben)
    response = HttpClient().get(feed_of(demo.ben))
    raw = response.content.decode()
    assert "SUMMARY:Review: TV\\, radio\\; print\\\\online\\nand a second line\r\n" in raw
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    assert str(events(icalendar.Calendar.from_ical(response.content))[title]["SUMMARY"]) == title


def test_unknown_revoked_and_deactivated_addresses_are_not_found(demo: Any, web_as: Any) -> None:
    anonymous = HttpClient()
    assert anonymous.get("/calendar/not-a-real-token.ics").status_code == 404
    issued = calendar.create_feed(demo.ben)
    path = f"/calendar/{issued.raw}.ics"
    assert anonymous.get(path).status_code == 200
    # Revoked from the page, by its owner.
    ben = web_as(demo.ben)
    assert ben.post(f"/calendar/feed/{issued.feed.pk}/revoke/").status_code == 302
    assert anonymous.get(path).status_code == 404
    # An account that is deactivated takes its addresses with it.
    other = calendar.create_feed(demo.dan)
    User.objects.filter(pk=demo.dan.pk).update(is_active=False)
    assert anonymous.get(f"/calendar/{other.raw}.ics").status_code == 404


def test_addresses_are_shown_once_stored_hashed_and_only_their_owner_revokes(
    demo: Any, web_as: Any
) -> None:
    ben = web_as(demo.ben)
    made = ben.post("/calendar/feed/")
    assert made.status_code == 200
    match = re.search(r'value="http://testserver/calendar/([^"/]+)\.ics"', made.content.decode())
    assert match is not None
    raw = match.group(1)
    feed = CalendarFeed.objects.get(user=demo.ben)
    assert feed.token_hash != raw and raw not in feed.token_hash and raw.startswith(feed.prefix)
    assert raw not in ben.get("/calendar/feed/").content.decode()  # shown once
    assert AuditEvent.objects.filter(action="token_created", object_id=str(feed.pk)).exists()
    assert HttpClient().get(f"/calendar/{raw}.ics").status_code == 200
    # Someone else cannot revoke it: 404, and it keeps working.
    assert web_as(demo.alice).post(f"/calendar/feed/{feed.pk}/revoke/").status_code == 404
    assert HttpClient().get(f"/calendar/{raw}.ics").status_code == 200
    feed.refresh_from_db()
    assert feed.last_used_at is not None and feed.revoked_at is None


def test_the_feed_needs_no_login_but_the_pages_do(demo: Any) -> None:
    anonymous = HttpClient()
    for path in ("/calendar/", "/calendar/feed/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- the API ------------------------------------------------------------------------------------


def test_the_api_answers_the_callers_calendar(demo: Any, busy: dict[str, Any], api_as: Any) -> None:
    response = api_as(demo.ben).get("/api/v1/calendar")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(icalendar.Calendar.from_ical(response.content))
    assert "Autumn Roast Launch (NWND-AR26)" in found and "5G Everywhere (CTSO-5G26)" in found
    dans = events(icalendar.Calendar.from_ical(api_as(demo.dan).get("/api/v1/calendar").content))
    assert "Autumn Roast Launch (NWND-AR26)" in dans
    assert not [s for s in dans if "CTSO" in s or "Contoso" in s or "FBRK" in s]
    window = api_as(demo.ben).get("/api/v1/calendar", start="2026-11-26", end="2026-11-26")
    assert set(events(icalendar.Calendar.from_ical(window.content))) == {
        "Autumn Roast Launch (NWND-AR26)", "5G Everywhere (CTSO-5G26)",
        "Winter Tea Moments (NWND-WT26)", "Holiday Bundles (CTSO-HOL26)",
        "Weekly status, Northwind", "Contoso weekly",
        "Internal review due: NWND-AR26 key visual (internal)",
        "Internal review due: CTSO-5G26 key visual (internal)",
    }  # fmt: skip
    refused = api_as(demo.ben).get("/api/v1/calendar", start="2026-11-26", end="2026-11-01")
    assert refused.status_code == 422


def test_the_api_makes_lists_and_revokes_addresses(demo: Any, api_as: Any) -> None:
    ben = api_as(demo.ben)
    made = ben.post("/api/v1/calendar/feeds", {})
    assert made.status_code == 201
    url = made.json()["url"]
    path = url.removeprefix("http://testserver")
    assert HttpClient().get(path).status_code == 200
    listed = ben.get("/api/v1/calendar/feeds").json()
    assert [f["prefix"] for f in listed] == [made.json()["prefix"]]
    assert "url" not in listed[0]
    assert api_as(demo.alice).get("/api/v1/calendar/feeds").json() == []
    feed_id = made.json()["id"]
    assert (
        api_as(demo.alice).post(f"/api/v1/calendar/feeds/{feed_id}/revoke", {}).status_code == 404
    )
    assert HttpClient().get(path).status_code == 200
    revoked = ben.post(f"/api/v1/calendar/feeds/{feed_id}/revoke", {})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert HttpClient().get(path).status_code == 404
