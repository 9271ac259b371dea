"""The calendar: flights, material deadlines, review due dates, meetings and my tasks, for the
calendar page and for each person's private ICS feed.

**What shows** (``events_for``): campaign flights (placement flights on request: there are
many), the material deadlines of the current plan's placements, the due dates of review stages
still open, meetings, and the open tasks the person owns. Everything is read through
``visible_to``: a client the person does not work on never shows. On a client where the person
is only a client reviewer: the campaigns shared with the client and the plan versions put in
front of it, the client's own review stages (of creative sent to it), the meetings they attend
and the tasks they own — no internal review stage or meeting.

**The feed.** A person makes a private calendar address (``create_feed``); the address holds a
random token and only its SHA-256 is stored (as for API tokens), so it is shown once. The feed
answers for that person with the same rules, without a login: the token is the credential.
Revoking it (``revoke_feed``), or the person's account being deactivated, makes it 404.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mediadesk.accounts.models import User, hash_token, reviewer_client_ids, visible_client_ids
from mediadesk.accounts.permissions import Action, can
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import record
from mediadesk.domain import ics
from mediadesk.domain.periods import format_period
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.work.models import CalendarFeed, Meeting, Task

FLIGHTS = "flights"
PLACEMENTS = "placements"
DEADLINES = "deadlines"
REVIEWS = "reviews"
MEETINGS = "meetings"
TASKS = "tasks"
KINDS: dict[str, str] = {
    FLIGHTS: "Campaign flights",
    PLACEMENTS: "Placement flights",
    DEADLINES: "Material deadlines",
    REVIEWS: "Review due dates",
    MEETINGS: "Meetings",
    TASKS: "My tasks",
}
DEFAULT_KINDS = frozenset({FLIGHTS, DEADLINES, REVIEWS, MEETINGS, TASKS})
FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
FEED_TOKEN_BYTES = 32


@dataclass(frozen=True)
class CalendarEvent:
    """One thing on the calendar; all-day from ``start`` to ``end`` (inclusive) unless it has a
    time (``starts_at``/``ends_at``, a meeting)."""

    uid: str
    kind: str
    title: str
    start: date
    end: date
    client_id: int
    client: str
    url: str = ""
    detail: str = ""
    campaign: str = ""  # the campaign's code
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    sort: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_timed(self) -> bool:
        return self.starts_at is not None

    @property
    def spans(self) -> bool:
        return self.end > self.start

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def today() -> date:
    """The local day (one place, so tests can set it)."""
    return timezone.localdate()


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page of an area that is not there
        return ""


def _range(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(last, time.max)),
    )


@dataclass
class _Scope:
    user: Any
    client_ids: list[int]
    reviewer_of: set[int]

    @classmethod
    def of(cls, user: Any, client_id: int | None) -> _Scope:
        ids = list(visible_client_ids(user))
        if client_id is not None:
            ids = [pk for pk in ids if pk == client_id]
        return cls(user, ids, set(reviewer_client_ids(user)) & set(ids))


def events_for(
    user: Any,
    first: date,
    last: date,
    *,
    client_id: int | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> list[CalendarEvent]:
    """Everything on the user's calendar that touches first..last, in date order."""
    wanted = set(kinds)
    scope = _Scope.of(user, client_id)
    if not scope.client_ids:
        return []
    campaigns = list(
        Campaign.objects.visible_to(user)
        .filter(client_id__in=scope.client_ids, archived_at__isnull=True)
        .exclude(status=CampaignStatus.CANCELLED)
        .select_related("client")
    )
    found: list[CalendarEvent] = []
    if FLIGHTS in wanted:
        found += _flights(campaigns, first, last)
    if wanted & {PLACEMENTS, DEADLINES}:
        found += _placements(user, campaigns, first, last, wanted)
    if REVIEWS in wanted:
        found += _reviews(scope, first, last)
    if MEETINGS in wanted:
        found += _meetings(scope, first, last)
    if TASKS in wanted:
        found += _tasks(scope, first, last)
    order = list(KINDS)
    # By day; on a day, what lasts all day first, then by the hour.
    found.sort(
        key=lambda e: (
            e.start,
            e.starts_at.timestamp() if e.starts_at else 0.0,
            order.index(e.kind),
            e.title,
        )
    )
    return found


def _flights(campaigns: Sequence[Campaign], first: date, last: date) -> list[CalendarEvent]:
    return [
        CalendarEvent(
            uid=f"campaign-{c.pk}",
            kind=FLIGHTS,
            title=f"{c.name} ({c.code})",
            start=c.start,
            end=c.end,
            client_id=c.client_id,
            client=c.client.name,
            url=c.get_absolute_url(),
            detail=f"Flight {c.flight} · {c.get_status_display()}",
            campaign=c.code,
        )
        for c in campaigns
        if c.start <= last and c.end >= first
    ]


def _placements(
    user: Any, campaigns: Sequence[Campaign], first: date, last: date, wanted: set[str]
) -> list[CalendarEvent]:
    from mediadesk.delivery.services import plans_for_delivery

    live = [c for c in campaigns if c.end >= first - timedelta(days=31)]
    by_id = {c.pk: c for c in live}
    chosen = plans_for_delivery(list(by_id))
    # A client reviewer only sees versions put in front of the client: no fallback to a draft.
    versions = set(
        PlanVersion.objects.visible_to(user)
        .filter(id__in=[v.pk for v in chosen.values()])
        .values_list("id", flat=True)
    )
    placements = Placement.objects.filter(version_id__in=versions).select_related("version")
    if PLACEMENTS in wanted and DEADLINES in wanted:
        placements = placements.filter(
            Q(start__lte=last, end__gte=first) | Q(material_deadline__range=(first, last))
        )
    elif PLACEMENTS in wanted:
        placements = placements.filter(start__lte=last, end__gte=first)
    else:
        placements = placements.filter(material_deadline__range=(first, last))
    found: list[CalendarEvent] = []
    # A campaign's material deadlines of one day are one event (a plan often has a dozen).
    due: dict[tuple[int, date], list[Placement]] = defaultdict(list)
    for placement in placements.order_by("version_id", "position", "id"):
        campaign = by_id[placement.version.campaign_id]
        where = f"{placement.vendor} · {placement.get_channel_display()}"
        if (
            DEADLINES in wanted
            and placement.material_deadline
            and first <= placement.material_deadline <= last
        ):
            due[(campaign.pk, placement.material_deadline)].append(placement)
        if PLACEMENTS in wanted and placement.start <= last and placement.end >= first:
            found.append(
                CalendarEvent(
                    uid=f"placement-{placement.line_key}",
                    kind=PLACEMENTS,
                    title=placement.code,
                    start=placement.start,
                    end=placement.end,
                    url=_url("planning:plan_detail", placement.version_id),
                    detail=f"{campaign.name} · {where} · "
                    f"{format_period(placement.start, placement.end)}",
                    client_id=campaign.client_id,
                    client=campaign.client.name,
                    campaign=campaign.code,
                )
            )
    for (campaign_id, day), lines in due.items():
        campaign = by_id[campaign_id]
        internal = can(user, Action.VIEW_ALL_CAMPAIGNS, campaign.client_id)
        count = f"{len(lines)} placement{'' if len(lines) == 1 else 's'}"
        found.append(
            CalendarEvent(
                uid=f"material-{campaign.pk}-{day:%Y%m%d}",
                kind=DEADLINES,
                title=f"Material due: {campaign.name} ({count})",
                start=day,
                end=day,
                url=_url("creative:campaign_creative", campaign.pk)
                if internal
                else campaign.get_absolute_url(),
                detail=", ".join(line.code for line in lines),
                client_id=campaign.client_id,
                client=campaign.client.name,
                campaign=campaign.code,
            )
        )
    return found


def _reviews(scope: _Scope, first: date, last: date) -> list[CalendarEvent]:
    from mediadesk.creative.choices import ReviewerKind, RoundStatus, StageStatus
    from mediadesk.creative.models import Asset, ReviewStage

    stages = ReviewStage.objects.filter(
        round__asset__in=Asset.objects.visible_to(scope.user)
        .filter(client_id__in=scope.client_ids, archived_at__isnull=True)
        .values("id"),
        round__status=RoundStatus.OPEN,
        status__in=[StageStatus.ACTIVE, StageStatus.WAITING],
        due__range=(first, last),
    ).select_related("round__asset__client", "round__asset__campaign")
    if scope.reviewer_of:
        # On a client where the person is a reviewer, only the client's own stages.
        stages = stages.exclude(
            Q(round__asset__client_id__in=scope.reviewer_of) & ~Q(who=ReviewerKind.CLIENT)
        )
    found = []
    for stage in stages:
        asset = stage.round.asset
        assert stage.due is not None
        found.append(
            CalendarEvent(
                uid=f"review-{stage.pk}",
                kind=REVIEWS,
                title=f"{stage.name} review due: {asset.name}",
                start=stage.due,
                end=stage.due,
                client_id=asset.client_id,
                client=asset.client.name,
                url=asset.get_absolute_url(),
                detail=f"Review {stage.round.number}, {stage.get_status_display().lower()}"
                + (f" · {asset.campaign.name}" if asset.campaign else ""),
                campaign=asset.campaign.code if asset.campaign else "",
            )
        )
    return found


def _meetings(scope: _Scope, first: date, last: date) -> list[CalendarEvent]:
    meetings = (
        Meeting.objects.visible_to(scope.user)
        .filter(client_id__in=scope.client_ids, starts_at__range=_range(first, last))
        .select_related("client", "campaign")
    )
    if scope.reviewer_of:
        # On a client where the person is a reviewer: only the meetings they attend, and not
        # those about a campaign the client does not see.
        attending = Meeting.objects.filter(attendees=scope.user).values("id")
        meetings = meetings.exclude(
            Q(client_id__in=scope.reviewer_of)
            & (~Q(id__in=attending) | Q(campaign__shared_with_client=False))
        )
    found = []
    for meeting in meetings:
        starts = meeting.starts_at
        ends = starts + timedelta(minutes=meeting.duration_minutes)
        local = timezone.localtime(starts)
        found.append(
            CalendarEvent(
                uid=f"meeting-{meeting.pk}",
                kind=MEETINGS,
                title=meeting.title,
                start=local.date(),
                end=local.date(),
                starts_at=starts,
                ends_at=ends,
                client_id=meeting.client_id,
                client=meeting.client.name,
                url=_url("work:meeting_detail", meeting.pk),
                detail=f"{local:%H:%M}, {meeting.duration_minutes} min"
                + (f" · {meeting.campaign.name}" if meeting.campaign else ""),
                campaign=meeting.campaign.code if meeting.campaign else "",
            )
        )
    return found


def _tasks(scope: _Scope, first: date, last: date) -> list[CalendarEvent]:
    tasks = (
        Task.objects.open()
        .visible_to(scope.user)
        .filter(client_id__in=scope.client_ids, owner=scope.user, due__range=(first, last))
        .select_related("client", "campaign")
    )
    found = []
    for task in tasks:
        assert task.due is not None
        found.append(
            CalendarEvent(
                uid=f"task-{task.pk}",
                kind=TASKS,
                title=f"Task due: {task.title}",
                start=task.due,
                end=task.due,
                client_id=task.client_id,
                client=task.client.name,
                url=_url("work:task_detail", task.pk),
                detail=str(task.get_status_display())
                + (f" · {task.campaign.name}" if task.campaign else ""),
                campaign=task.campaign.code if task.campaign else "",
            )
        )
    return found


# --- the ICS feed -------------------------------------------------------------------------------


def _host() -> str:
    return urlsplit(str(settings.SITE_URL)).hostname or "mediadesk"


def feed_text(
    user: Any,
    today: date,
    stamp: datetime,
    site: str = "",
    first: date | None = None,
    last: date | None = None,
) -> str:
    """The person's calendar as iCalendar text, by default from 90 days ago to about a year
    ahead; each event links to its page on ``site`` (default: the configured site address)."""
    events = events_for(
        user,
        first or today - timedelta(days=FEED_PAST_DAYS),
        last or today + timedelta(days=FEED_FUTURE_DAYS),
    )
    host = _host()
    site = (site or str(settings.SITE_URL)).rstrip("/")
    written = []
    for event in events:
        description = "\n".join(part for part in (event.client, event.detail) if part)
        written.append(
            ics.Event(
                uid=f"{event.uid}@{host}",
                summary=event.title,
                start=event.starts_at if event.starts_at else event.start,
                end=event.ends_at if event.starts_at else event.end,
                description=description,
                url=f"{site}{event.url}" if site and event.url else "",
                categories=(event.kind_label,),
                transparent=not event.is_timed,
            )
        )
    return ics.calendar(
        written,
        name=f"mediadesk · {user.display_name}",
        description="Flights, material deadlines, review due dates, meetings and tasks.",
        stamp=stamp,
    )


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    raw: str  # shown once, never stored


def create_feed(actor: User) -> IssuedFeed:
    """A new private calendar address for the person (their other addresses keep working)."""
    raw = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    with transaction.atomic():
        feed = CalendarFeed.objects.create(user=actor, token_hash=hash_token(raw), prefix=raw[:8])
        record(
            actor=actor,
            obj=feed,
            action=AuditAction.TOKEN_CREATED,
            changes={"calendar feed": [None, feed.prefix]},
        )
    return IssuedFeed(feed, raw)


def revoke_feed(actor: User, feed: CalendarFeed) -> CalendarFeed:
    """The address stops answering (404) from now on."""
    if feed.user_id != actor.pk:
        raise CalendarFeed.DoesNotExist("Not your calendar address.")
    if feed.revoked_at is None:
        with transaction.atomic():
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            record(actor=actor, obj=feed, action=AuditAction.TOKEN_REVOKED)
    return feed


def feed_for_token(raw: str) -> CalendarFeed | None:
    """The active feed this address belongs to, of an active person; None for anything else."""
    if not raw or len(raw) > 100:
        return None
    feed = (
        CalendarFeed.objects.filter(
            token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if feed is None:
        return None
    now = timezone.now()
    # Calendar apps poll often: write the last-used time at most once an hour.
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed
