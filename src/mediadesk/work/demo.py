"""The demo agency's work: campaign owners, a team, tasks (one overdue, one due today, some from
the attention list), last week's status meeting with its minutes and action items, a generated
status report, and the attention list computed for today — with items of every kind on the
Today pages of Alice and Ben."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mediadesk.accounts.models import Client, User
from mediadesk.planning.models import Campaign
from mediadesk.work import services
from mediadesk.work.models import Team

# Who answers for which campaign (the creator, Alice, until now).
OWNERS = {
    "NWND-AR26": "ben@demo.test",
    "NWND-WT26": "ben@demo.test",
    "NWND-CB27": "ben@demo.test",
    "CTSO-5G26": "ben@demo.test",
    "CTSO-HOL26": "alice@demo.test",
    "CTSO-SS27": "alice@demo.test",
}


def load_demo_work(today: date) -> None:
    people = {user.email: user for user in User.objects.filter(email__endswith="@demo.test")}
    alice, ben, cara = people["alice@demo.test"], people["ben@demo.test"], people["cara@demo.test"]
    for code, email in OWNERS.items():
        Campaign.objects.filter(code=code).update(owner=people[email])
    team = Team.objects.create(organization=northwind_org(alice), name="Coffee & Mobile")
    team.members.set([alice, ben, cara])
    northwind = Client.objects.get(code="NWND")
    contoso = Client.objects.get(code="CTSO")
    services.save_thresholds(alice, contoso, {"flight_lead_days": 10})
    autumn = Campaign.objects.get(code="NWND-AR26")
    holiday = Campaign.objects.get(code="CTSO-HOL26")
    services.create_task(
        alice, client_id=northwind.pk, campaign_id=autumn.pk, owner=ben,
        title="Send the December radio traffic instructions to RMS",
        due=today - timedelta(days=2),
        notes="RMS needs them five working days before the flight change.",
    )  # fmt: skip
    services.create_task(
        ben, client_id=contoso.pk, campaign_id=holiday.pk, owner=alice,
        title="Confirm the holiday bundle landing page URL with Contoso", due=today,
    )  # fmt: skip
    services.create_task(
        alice, client_id=contoso.pk, campaign_id=holiday.pk, owner=cara,
        title="Check the November CTV invoice against the post log", due=today + timedelta(days=5),
    )  # fmt: skip
    dan = people["dan@demo.test"]
    winter = Campaign.objects.get(code="NWND-WT26")
    services.create_task(
        ben, client_id=northwind.pk, campaign_id=winter.pk, owner=dan,
        title="Confirm the Winter Tea retailer list for the CTV end card", due=today,
        notes="Dan sends the final list of retailers shown on the end card.",
    )  # fmt: skip
    task = services.create_task(
        ben, client_id=northwind.pk, campaign_id=autumn.pk, owner=ben,
        title="Chase RMS for the missing November post-logs", due=today + timedelta(days=1),
    )  # fmt: skip
    services.comment_on_task(
        alice, task, "@ben@demo.test RMS say the logs come Tuesday; can you check them then?"
    )
    _client_review_for_dan(alice, winter)
    _io_revision(alice, ben, autumn)
    services.compute_attention(day=today)  # the meeting's agenda is built from it
    _past_meeting(alice, ben, northwind, autumn, today)
    _upcoming_meeting(ben, alice, cara, northwind, today)
    services.compute_attention(day=today)  # with the meeting's action items, now overdue
    _status_report(alice, autumn, today)
    _status_report(alice, Campaign.objects.get(code="CTSO-5G26"), today)
    _report_schedule(alice, northwind)


def northwind_org(alice: User) -> Any:
    return Client.objects.get(code="NWND").organization


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _past_meeting(alice: User, ben: User, client: Client, campaign: Campaign, today: date) -> Any:
    """Last Monday's Northwind status meeting: notes, two action items, minutes sent."""
    from mediadesk.work import meetings

    monday = today - timedelta(days=today.weekday() or 7)
    meeting = meetings.create_meeting(
        alice, client_id=client.pk, campaign_id=None, title="Northwind weekly status",
        starts_at=_at(monday, 10), attendees=[alice, ben],
    )  # fmt: skip
    meetings.start_meeting(alice, meeting)
    meetings.save_notes(
        alice,
        meeting,
        "Autumn Roast is pacing under plan on radio; RMS to confirm the make-good spots.\n"
        "Winter Tea: the client wants the 15s cut-down before the CTV flight starts.\n"
        "Decision: hold the extra search budget until the December pacing review.",
    )
    meetings.add_action_item(
        alice, meeting, title="Get RMS to confirm the radio make-good spots in writing",
        owner=ben, due=monday + timedelta(days=3),
    )  # fmt: skip
    meetings.add_action_item(
        alice, meeting, title="Brief the creative team on the 15s Winter Tea cut-down",
        owner=alice, due=monday + timedelta(days=4),
    )  # fmt: skip
    meetings.finish_meeting(alice, meeting)
    meetings.send_minutes(alice, meeting)
    return meeting


def _upcoming_meeting(ben: User, alice: User, cara: User, client: Client, today: date) -> Any:
    from mediadesk.work import meetings

    monday = today + timedelta(days=7 - today.weekday())
    return meetings.create_meeting(
        ben, client_id=client.pk, campaign_id=None, title="Northwind weekly status",
        starts_at=_at(monday, 10), attendees=[alice, ben, cara],
    )  # fmt: skip


def _status_report(alice: User, campaign: Campaign, today: date) -> Any:
    from mediadesk.work import reports

    return reports.generate_report(alice, campaign, as_of=today)


def _report_schedule(alice: User, client: Client) -> None:
    from mediadesk.work import reports

    reports.save_schedule(
        alice, client,
        {"enabled": True, "weekday": 0, "hour": 8,
         "recipients": ["marketing@northwind.example", "ben@demo.test"]},
    )  # fmt: skip


def _client_review_for_dan(alice: User, campaign: Campaign) -> None:
    """An asset of a shared campaign through the internal stages: it now waits on the client."""
    from mediadesk.creative import services as creative
    from mediadesk.creative.choices import ReviewerKind
    from mediadesk.creative.models import Asset
    from mediadesk.errors import Conflict

    assets = Asset.objects.filter(campaign=campaign, archived_at__isnull=True)
    for asset in assets.order_by("pk"):
        if asset.current_version is None or asset.rounds.filter(closed_at__isnull=True).exists():
            continue
        try:
            review = creative.start_review(alice, asset)
        except (Conflict, PermissionDenied, ValidationError):
            continue  # an asset that cannot go to review now: the next one will
        for stage in review.stages.order_by("position"):
            if stage.who == ReviewerKind.CLIENT:
                return
            creative.decide(alice, stage, "approve", "Fine by the agency.")
        return


def _io_revision(alice: User, ben: User, campaign: Campaign) -> None:
    """The campaign's draft plan approved, and a revision of a booked IO drafted (not sent)."""
    from mediadesk.errors import Conflict
    from mediadesk.orders import services as orders
    from mediadesk.orders.choices import OrderStatus
    from mediadesk.orders.models import InsertionOrder
    from mediadesk.planning import services as planning
    from mediadesk.planning.choices import PlanStatus

    draft = campaign.plan_versions.filter(status=PlanStatus.DRAFT).order_by("-number").first()
    if draft is not None:
        planning.submit_plan(ben, draft, "December weights moved to the first two weeks.")
        planning.approve_plan(alice, draft, "Approved for booking.")
        draft.refresh_from_db()
    for order in InsertionOrder.objects.filter(campaign=campaign, status=OrderStatus.ACCEPTED):
        try:
            orders.propose_revision(ben, order)
        except Conflict:
            continue
        return
