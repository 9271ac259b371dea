"""Weekly meetings: planning one (attendees on the client), the live agenda (the scope's open,
unsilenced attention items, then open tasks), starting it (the agenda freezes), notes saved as
they are typed (no overwriting someone else's, no flood of history), action items that become
tasks, finishing, and the minutes e-mailed to the attendees once per version — then the pages
that do all this, and 404 for everyone else.

Attention items are made as rows here (the computation has its own tests).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client, Membership, User
from mediadesk.audit.models import AuditEvent
from mediadesk.errors import Conflict
from mediadesk.planning.models import Campaign
from mediadesk.work import meetings, outbox, services
from mediadesk.work.choices import MeetingStatus, TaskSource, TaskStatus
from mediadesk.work.models import AttentionItem, Meeting, Notification, Task

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    return str(response.content.decode())


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def item(
    client: Client,
    key: str,
    title: str,
    *,
    severity: str = "high",
    campaign: Campaign | None = None,
    owner: User | None = None,
    subject: tuple[str, int] = ("placement", 1),
    due: date | None = None,
    situation: str = "as is",
) -> AttentionItem:
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    return AttentionItem.objects.create(
        client=client, campaign=campaign, key=key, kind=key.split(":", 1)[0],
        severity=severity, severity_rank=ranks[severity], title=title, due=due,
        subject_type=subject[0], subject_id=subject[1], url="/somewhere/", owner=owner,
        situation=situation, computed_on=services.today(), computed_at=timezone.now(),
    )  # fmt: skip


def plan(demo: Any, *, campaign: Campaign | None = None, **values: Any) -> Meeting:
    values.setdefault("attendees", [demo.ben, demo.cara])
    return meetings.create_meeting(
        demo.ben,
        client_id=demo.northwind.pk,
        campaign_id=campaign.pk if campaign else None,
        title=values.pop("title", "Northwind weekly"),
        starts_at=values.pop("starts_at", at(services.today() + timedelta(days=1))),
        **values,
    )


@pytest.fixture
def fresh(demo: Any) -> Any:
    """No attention items or tasks but the test's own (the demo may bring some)."""
    AttentionItem.objects.all().delete()
    Task.objects.all().delete()
    return demo


# --- planning -------------------------------------------------------------------------------


def test_planning_a_meeting_checks_the_attendees_and_is_audited(fresh: Any) -> None:
    demo = fresh
    meeting = plan(demo)
    assert meeting.status == MeetingStatus.PLANNED
    assert set(meeting.attendees.all()) == {demo.ben, demo.cara}
    created = AuditEvent.objects.for_object(meeting).get()
    assert created.changes["invited"] == [None, ["ben@demo.test", "cara@demo.test"]]

    fay = User.objects.create_user("fay@demo.test", "pw", organization=demo.alice.organization)
    Membership.objects.create(user=fay, client=demo.fabrikam, role=Role.CREATIVE)
    with pytest.raises(ValidationError) as refused:
        plan(demo, attendees=[demo.ben, fay])
    assert "attendees" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(demo, attendees=[], title=" ")
    assert {"attendees", "title"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError):
        plan(demo, campaign=Campaign.objects.get(code="CTSO-5G26"))
    with pytest.raises(PermissionDenied):  # a client reviewer does not plan meetings
        meetings.create_meeting(demo.dan, client_id=demo.northwind.pk, title="x",
                                starts_at=timezone.now(), attendees=[demo.dan])  # fmt: skip
    with pytest.raises(PermissionDenied):  # nor does anyone on another client's
        meetings.create_meeting(demo.ben, client_id=demo.fabrikam.pk, title="x",
                                starts_at=timezone.now(), attendees=[demo.ben])  # fmt: skip


# --- the agenda -----------------------------------------------------------------------------


def test_the_live_agenda_is_the_scopes_open_items_then_its_open_tasks(fresh: Any) -> None:
    demo = fresh
    today = services.today()
    autumn = demo.campaign("NWND-AR26")
    winter = demo.campaign("NWND-WT26")
    medium = item(demo.northwind, "stale_delivery:placement:1", "Delivery stale", severity="medium",
                  campaign=autumn)  # fmt: skip
    critical = item(demo.northwind, "budget_overrun:budget:2", "Budget overrun",
                    severity="critical", campaign=winter, owner=demo.ben)  # fmt: skip
    dismissed = item(demo.northwind, "pacing_off:placement:3", "Pacing under plan",
                     campaign=autumn)  # fmt: skip
    services.dismiss(demo.ben, dismissed, reason="Agreed with the client")
    item(demo.contoso, "pacing_off:placement:4", "Contoso pacing")
    open_task = services.create_task(demo.ben, client_id=demo.northwind.pk, title="Open task",
                                     owner=demo.cara, due=today + timedelta(days=2),
                                     campaign_id=autumn.pk)  # fmt: skip
    due_task = services.create_task(demo.ben, client_id=demo.northwind.pk, title="Due task",
                                    due=today)  # fmt: skip
    item(demo.northwind, f"task_due:task:{due_task.pk}", "Task “Due task” is due today.",
         severity="medium", subject=("task", due_task.pk), due=today)  # fmt: skip
    closed = services.create_task(demo.ben, client_id=demo.northwind.pk, title="Closed task")
    services.set_task_status(demo.ben, closed, TaskStatus.DONE)

    agenda = meetings.build_agenda(plan(demo), today)
    titles = [line["title"] for line in agenda]
    # Most severe first, then the earliest due date with undated items last, as on Today.
    assert titles == ["Budget overrun", "Task “Due task” is due today.", "Delivery stale",
                      "Open task"]  # fmt: skip
    assert agenda[0]["owner"] == "Ben Brooks" and agenda[0]["severity"] == "critical"
    assert agenda[1]["task_id"] == due_task.pk  # the item names the task: listed once
    assert agenda[3] | {} == agenda[3] and agenda[3]["key"] == f"task:{open_task.pk}"
    assert agenda[3]["kind"] == "task" and agenda[3]["due"] == (today + timedelta(2)).isoformat()

    # A campaign's meeting has only that campaign's items and tasks.
    scoped = meetings.build_agenda(plan(demo, campaign=autumn, title="Autumn"), today)
    assert [line["title"] for line in scoped] == ["Delivery stale", "Open task"]
    assert medium.pk and critical.pk


def test_starting_freezes_the_agenda(fresh: Any) -> None:
    demo = fresh
    item(demo.northwind, "pacing_off:placement:1", "Before the start")
    meeting = plan(demo)
    assert [line["title"] for line in meetings.agenda_of(meeting)] == ["Before the start"]
    meetings.start_meeting(demo.ben, meeting)
    assert meeting.status == MeetingStatus.RUNNING
    item(demo.northwind, "pacing_off:placement:2", "After the start")
    assert [line["title"] for line in meetings.agenda_of(meeting)] == ["Before the start"]
    with pytest.raises(Conflict):
        meetings.start_meeting(demo.ben, meeting)
    with pytest.raises(PermissionDenied):
        meetings.start_meeting(demo.dan, plan(demo, title="Other"))


# --- notes ----------------------------------------------------------------------------------


def test_notes_save_without_overwriting_or_flooding_the_history(
    fresh: Any, monkeypatch: Any
) -> None:
    demo = fresh
    meeting = plan(demo)
    meetings.start_meeting(demo.ben, meeting)

    def notes_events() -> int:
        return AuditEvent.objects.for_object(meeting).filter(changes__has_key="notes").count()

    meetings.save_notes(demo.ben, meeting, "RMS to confirm", base="")
    meetings.save_notes(demo.ben, meeting, "RMS to confirm spots", base="RMS to confirm")
    meetings.save_notes(demo.ben, meeting, "RMS to confirm spots", base="RMS to confirm spots")
    assert Meeting.objects.get(pk=meeting.pk).notes == "RMS to confirm spots"
    assert notes_events() == 1  # autosave: one event per person and meeting per five minutes

    # Cara saved from a page opened before Ben's changes: refused, Ben's notes stay.
    with pytest.raises(Conflict):
        meetings.save_notes(demo.cara, meeting, "Cara's version", base="")
    assert Meeting.objects.get(pk=meeting.pk).notes == "RMS to confirm spots"
    # Without a base (the plain Save after the warning) the last save wins.
    meetings.save_notes(demo.cara, meeting, "Cara's version")
    assert Meeting.objects.get(pk=meeting.pk).notes == "Cara's version"
    assert notes_events() == 2

    monkeypatch.setattr(meetings, "NOTES_AUDIT_EVERY", timedelta(0))
    meetings.save_notes(demo.cara, meeting, "Cara's version, later")
    assert notes_events() == 3
    with pytest.raises(PermissionDenied):
        meetings.save_notes(demo.dan, meeting, "Dan was here")


# --- action items, finishing, minutes -------------------------------------------------------


def test_action_items_become_tasks_with_owners(fresh: Any) -> None:
    demo = fresh
    autumn = demo.campaign("NWND-AR26")
    from mediadesk.creative.models import Asset

    asset = Asset.objects.create(client=demo.northwind, campaign=autumn, kind="image",
                                 name="Autumn banner")  # fmt: skip
    item(demo.northwind, f"rights_expiring:asset:{asset.pk}", "Music rights expire",
         campaign=autumn, subject=("asset", asset.pk))  # fmt: skip
    meeting = plan(demo)
    with pytest.raises(Conflict):  # not started yet
        meetings.add_action_item(demo.ben, meeting, title="Too early", owner=demo.ben)
    meetings.start_meeting(demo.ben, meeting)
    key = meeting.agenda[0]["key"]
    due = services.today() + timedelta(days=3)
    made = meetings.add_action_item(demo.ben, meeting, title="", owner=demo.cara, due=due,
                                    agenda_key=key)  # fmt: skip
    assert (made.title, made.owner, made.due) == ("Music rights expire", demo.cara, due)
    assert (made.source, made.meeting, made.attention_key) == (TaskSource.MEETING, meeting, key)
    assert (made.subject_type, made.subject_id, made.campaign_id) == ("asset", asset.pk, autumn.pk)
    assert "Northwind weekly" in made.notes
    assert Notification.objects.filter(
        user=demo.cara, kind="task_assigned", url=made.get_absolute_url()
    ).exists()
    # The same item made into a task from the Today page is this task, not a second one.
    assert services.task_from_item(demo.ben, AttentionItem.objects.get(key=key)) == made

    with pytest.raises(ValidationError) as refused:
        meetings.add_action_item(demo.ben, meeting, title="Nobody's", owner=None)
    assert "owner" in refused.value.message_dict
    with pytest.raises(ValidationError):
        meetings.add_action_item(demo.ben, meeting, title="x", owner=demo.ben, agenda_key="nope")
    assert [t.title for t in meetings.action_items(meeting)] == ["Music rights expire"]


def test_minutes_go_to_every_attendee_once_per_version(fresh: Any) -> None:
    demo = fresh
    meeting = plan(demo, attendees=[demo.ben, demo.cara, demo.dan])
    meetings.start_meeting(demo.ben, meeting)
    meetings.save_notes(demo.ben, meeting, "Radio under plan.\nDecision: hold the search budget")
    due = date(2026, 12, 3)
    meetings.add_action_item(demo.ben, meeting, title="Confirm make-goods", owner=demo.cara,
                             due=due)  # fmt: skip
    with pytest.raises(Conflict):  # the meeting is still running
        meetings.send_minutes(demo.ben, meeting)
    meetings.finish_meeting(demo.ben, meeting)
    with pytest.raises(Conflict):
        meetings.finish_meeting(demo.ben, meeting)

    sent = meetings.send_minutes(demo.ben, meeting)
    assert not sent.already_sent
    assert sent.to == ["ben@demo.test", "cara@demo.test", "dan@demo.test"]
    team, client = sorted(sent.messages, key=lambda m: m.dedupe_key, reverse=True)
    assert team.to == ["ben@demo.test", "cara@demo.test"] and client.to == ["dan@demo.test"]
    for message in (team, client):
        assert message.subject.startswith("Minutes: Northwind weekly")
        assert "Radio under plan." in message.body
        assert "Decisions\n---------\n- hold the search budget" in message.body
        assert "- Confirm make-goods — Cara Castillo, due 3 Dec 2026" in message.body
    assert f"/tasks/{meetings.action_items(meeting)[0].pk}/" in team.body
    assert "/tasks/" not in client.body and "/meetings/" not in client.body  # no internal links
    meeting.refresh_from_db()
    assert meeting.minutes_sent_at is not None
    assert AuditEvent.objects.for_object(meeting).filter(action="sent").count() == 1

    again = meetings.send_minutes(demo.ben, meeting)
    assert again.already_sent and len(meetings.minutes_sent(meeting)) == 2
    assert AuditEvent.objects.for_object(meeting).filter(action="sent").count() == 1

    # A corrected version goes out again (and only that one).
    meetings.save_notes(demo.ben, meeting, meeting.notes + "\nCorrection: CTV too.")
    corrected = meetings.send_minutes(demo.ben, meeting)
    assert not corrected.already_sent and corrected.version != sent.version
    assert len(meetings.minutes_sent(meeting)) == 4

    # The outbox sends them (to the test mail backend).
    outbox.deliver_due()
    assert {m.status for m in meetings.minutes_sent(meeting)} == {"sent"}
    subjects = {(tuple(m.to), m.subject) for m in mail.outbox}
    assert (("dan@demo.test",), team.subject) in subjects
    assert any("Confirm make-goods" in m.body for m in mail.outbox)


def test_minutes_need_attendees_and_the_right_role(fresh: Any) -> None:
    demo = fresh
    meeting = plan(demo)
    meetings.start_meeting(demo.ben, meeting)
    meetings.finish_meeting(demo.ben, meeting)
    with pytest.raises(PermissionDenied):
        meetings.send_minutes(demo.dan, meeting)
    User.objects.filter(pk__in=[demo.ben.pk, demo.cara.pk]).update(is_active=False)
    with pytest.raises(ValidationError):
        meetings.send_minutes(demo.alice, Meeting.objects.get(pk=meeting.pk))
    assert not meetings.minutes_sent(meeting)


# --- the pages ------------------------------------------------------------------------------


def test_planning_a_meeting_on_the_page(fresh: Any, web_as: Any) -> None:
    demo = fresh
    http = web_as(demo.ben)
    assert "Choose a client" in body(http.get("/meetings/new/"))
    form = body(http.get("/meetings/new/", {"client": demo.northwind.pk}))
    assert "Weekly status · Northwind" in form and demo.dan.email in form
    assert User.objects.get(email="lea@demo.test").email in form
    refused = http.post("/meetings/new/", {"client": demo.northwind.pk, "title": "Kept title",
                                            "starts_at": "2026-12-07T10:00",
                                            "duration_minutes": 30})  # fmt: skip
    assert refused.status_code == 400 and "Kept title" in body(refused)
    response = http.post(
        "/meetings/new/",
        {"client": demo.northwind.pk, "title": "Northwind weekly", "starts_at": "2026-12-07T10:00",
         "duration_minutes": 45, "attendees": [demo.ben.pk, demo.cara.pk]},
    )  # fmt: skip
    meeting = Meeting.objects.get(title="Northwind weekly")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.duration_minutes == 45
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == datetime(2026, 12, 7, 10)
    listing = body(http.get("/meetings/", {"client": ""}))
    assert "Northwind weekly" in listing.split('id="upcoming-h"', 1)[1].split('id="past-h"')[0]


def test_running_a_meeting_on_its_page(fresh: Any, web_as: Any) -> None:
    demo = fresh
    item(demo.northwind, "pacing_off:placement:1", "Radio pacing under plan", owner=demo.ben)
    meeting = plan(demo)
    http = web_as(demo.ben)
    url = meeting.get_absolute_url()
    before = body(http.get(url))
    assert "Radio pacing under plan" in before and "Live until the meeting starts" in before
    assert "Start the meeting" in before and "Make an action item" not in before

    assert http.post(f"{url}start/").status_code == 302
    running = body(http.get(url))
    assert "Make an action item" in running and "Finish the meeting" in running
    assert "data-autosave" in running

    json_headers = {"Accept": "application/json"}
    saved = http.post(f"{url}notes/", {"notes": "First notes", "base": ""}, headers=json_headers)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    stale = http.post(f"{url}notes/", {"notes": "Old tab", "base": ""}, headers=json_headers)
    assert stale.status_code == 409 and stale.json()["notes"] == "First notes"
    plain = http.post(f"{url}notes/", {"notes": "Old tab", "base": ""})
    assert plain.status_code == 400 and "Someone else saved" in body(plain)
    assert "Old tab" in body(plain)  # what was typed stays in the box
    assert Meeting.objects.get(pk=meeting.pk).notes == "First notes"
    http.post(f"{url}notes/", {"notes": "First notes\nDecision: keep radio", "base": "First notes"})

    key = Meeting.objects.get(pk=meeting.pk).agenda[0]["key"]
    no_owner = http.post(f"{url}action-items/", {"title": "x", "agenda_key": key})
    assert no_owner.status_code == 400
    added = http.post(
        f"{url}action-items/",
        {"title": "Ask RMS for make-goods", "owner": demo.cara.pk, "due": "2026-12-09",
         "agenda_key": key},
    )  # fmt: skip
    assert added.status_code == 302
    task = Task.objects.get(title="Ask RMS for make-goods")
    assert task.meeting_id == meeting.pk and task.owner == demo.cara
    assert "1 action item" in body(http.get(url))

    assert http.post(f"{url}finish/").status_code == 302
    services.set_task_status(demo.cara, task, TaskStatus.DOING)
    done = body(http.get(url))
    assert "Minutes" in done and "keep radio" in done.split('id="minutes-h"')[1]
    assert "Ask RMS for make-goods" in done and "In progress" in done
    assert "Not sent yet" in done
    assert http.post(f"{url}minutes/").status_code == 302
    page = body(http.get(url))
    assert "ben@demo.test, cara@demo.test" in page and "Waiting to send" in page
    assert len(meetings.minutes_sent(meeting)) == 1
    http.post(f"{url}minutes/")  # the same minutes again: nothing new
    assert len(meetings.minutes_sent(meeting)) == 1
    listing = body(http.get("/meetings/", {"client": demo.northwind.pk}))
    assert "Northwind weekly" in listing.split('id="past-h"', 1)[1]


def test_meeting_pages_are_internal_and_per_client(fresh: Any, web_as: Any) -> None:
    demo = fresh
    northwind = plan(demo, title="Northwind internal")
    fabrikam = meetings.create_meeting(
        demo.alice, client_id=demo.fabrikam.pk, title="Fabrikam weekly",
        starts_at=at(services.today()), attendees=[demo.cara],
    )  # fmt: skip
    urls = ["", "start/", "notes/", "action-items/", "finish/", "minutes/"]
    for user, meeting in ((demo.ben, fabrikam), (demo.dan, northwind)):
        http = web_as(user)
        for suffix in urls:
            for method in ("get", "post"):
                response = getattr(http, method)(f"/meetings/{meeting.pk}/{suffix}",
                                                 {"notes": "x", "owner": user.pk})  # fmt: skip
                assert response.status_code in (404, 405), f"{user} {method} {suffix}"
    assert Meeting.objects.get(pk=fabrikam.pk).status == MeetingStatus.PLANNED
    assert "Fabrikam weekly" not in body(web_as(demo.ben).get("/meetings/"))
    assert web_as(demo.dan).get("/meetings/").status_code == 404
    assert web_as(demo.dan).get("/meetings/new/").status_code == 404
    # Attendee choices are the client's people only.
    page = body(web_as(demo.alice).get("/meetings/new/", {"client": demo.fabrikam.pk}))
    assert demo.cara.email in page and demo.ben.email not in page


def test_the_meeting_page_costs_the_same_queries_for_a_long_agenda(fresh: Any, web_as: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    demo = fresh
    http = web_as(demo.ben)

    def queries_of_a_meeting_with(count: int, title: str) -> int:
        AttentionItem.objects.all().delete()
        for number in range(count):
            item(demo.northwind, f"pacing_off:placement:{number}", f"Item {number}")
        meeting = plan(demo, title=title)
        meetings.start_meeting(demo.ben, meeting)
        http.get(meeting.get_absolute_url())  # warm the caches of the request machinery
        with CaptureQueriesContext(connection) as captured:
            page = body(http.get(meeting.get_absolute_url()))
        assert page.count("Make an action item") == count
        return len(captured)

    assert queries_of_a_meeting_with(2, "Short") == queries_of_a_meeting_with(12, "Long")
