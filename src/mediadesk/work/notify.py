"""Notifications: in the app (with an unread count), by e-mail (immediately or in a daily
digest, as each person prefers) and to a team's Slack or Microsoft Teams channel.

- ``notify`` writes one ``Notification`` (once per ``dedupe_key``) and, for people who want
  e-mail immediately, queues it in the outbox in the same transaction. Attention items are never
  e-mailed one by one: they go into the daily e-mail (``send_digests``) of everyone who keeps
  "include my new attention items" on, whatever their mode.
- ``send_digests`` runs hourly; at each person's digest hour (local time) it gathers what arrived
  before that hour and was not e-mailed yet into one e-mail (``digest:<user>:<date>``: a second
  run the same day sends nothing).
- A person is only ever told about a client they still work on: ``notify`` refuses anyone else,
  and the list, the count and the digest leave out clients they no longer see.
- Team channels: ``post_to_teams`` queues one post per team and channel; a team hears about a
  client only when every one of its members works on that client internally, so nobody reads
  another client's items in a channel.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.models import Client, User, visible_client_ids
from mediadesk.accounts.permissions import Action, can, require_org_admin, role_on
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record
from mediadesk.work.choices import EmailMode, OutboxKind, OutboxStatus
from mediadesk.work.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    ScheduledRun,
    Team,
)
from mediadesk.work.outbox import deliver_one, queue_email, queue_webhook

logger = logging.getLogger(__name__)

ATTENTION = "attention"  # the kind of notifications about new attention items
NOTIFY_SEVERITIES = ("critical", "high")
ANNOUNCE_SEVERITIES = ("critical",)


def notify(
    user: Any,
    *,
    kind: str,
    title: str,
    url: str = "",
    body: str = "",
    client_id: int | None = None,
    dedupe_key: str,
    email: bool = True,
) -> Notification | None:
    """Tell one person something; the same ``dedupe_key`` never notifies them twice.

    ``email=False`` when the caller has e-mailed them already (a review mention). Returns the new
    notification, or None when it was already there, the person is inactive, or the client is
    not theirs to see.
    """
    if user is None or not user.is_active:
        return None
    if client_id is not None and role_on(user, client_id) is None:
        return None  # never tell anyone about a client they do not work on
    dedupe_key = dedupe_key[:200]
    if Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                title=title[:300],
                body=body,
                url=url,
                client_id=client_id,
                dedupe_key=dedupe_key,
            )
            if email and kind != ATTENTION:
                _email_now(user, notification)
    except IntegrityError:
        return None
    return notification


def preference_of(user: Any) -> NotificationPreference:
    """The person's preferences (the defaults, unsaved, until they change them)."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def _email_now(user: Any, notification: Notification) -> None:
    if not user.email or preference_of(user).email_mode != EmailMode.IMMEDIATE:
        return
    lines = [notification.title, ""]
    if notification.body:
        lines += [notification.body, ""]
    if notification.url:
        link = reverse("work:notification_open", args=[notification.pk])
        lines += [f"Open it: {absolute(link)}", ""]
    lines.append(_footer())
    queue_email(
        f"notification:{notification.pk}",
        to=[user.email],
        subject=notification.title,
        body="\n".join(lines),
        client_id=notification.client_id,
        organization_id=user.organization_id,
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])


def absolute(url: str) -> str:
    """A link for an e-mail or a channel: the site's address in front of a path."""
    if url.startswith("/"):
        return f"{settings.SITE_URL}{url}"
    return url


def _footer() -> str:
    where = absolute(reverse("work:notification_preferences"))
    return f"— mediadesk. Choose which e-mails you get: {where}"


# --- reading, marking read --------------------------------------------------------------------


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """The person's own notifications, without those about clients they no longer see."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).filter(
        Q(client__isnull=True) | Q(client_id__in=visible_client_ids(user))
    )


def unread_count(user: Any) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


class Unread:
    """The bell's number, counted only when a page shows it (one query)."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


def mark_read(user: Any, notification: Notification) -> Notification:
    if notification.user_id != user.pk:
        raise PermissionDenied("This is someone else's notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: Any) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def save_preferences(
    actor: Any, *, email_mode: str, digest_hour: int, attention_digest: bool
) -> NotificationPreference:
    """The person's own e-mail preferences (audited)."""
    errors: dict[str, list[str]] = {}
    if email_mode not in EmailMode.values:
        errors["email_mode"] = ["Choose immediately, a daily digest or no e-mail."]
    if not 0 <= digest_hour <= 23:
        errors["digest_hour"] = ["Choose an hour from 0 to 23."]
    if errors:
        raise ValidationError(errors)
    preference = preference_of(actor)
    before = {
        "email_mode": preference.email_mode,
        "digest_hour": preference.digest_hour,
        "attention_digest": preference.attention_digest,
    }
    after = {
        "email_mode": email_mode,
        "digest_hour": digest_hour,
        "attention_digest": attention_digest,
    }
    changes = diff(before, after)
    if preference.pk and not changes:
        return preference
    with transaction.atomic():
        for name, value in after.items():
            setattr(preference, name, value)
        preference.save()
        if changes:
            record(actor=actor, obj=preference, action=AuditAction.UPDATED, changes=changes)
    return preference


# --- the daily e-mail -------------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digest e-mail of everyone whose digest hour has come; returns how many.

    A digest holds the unread notifications that arrived before the person's digest hour and were
    not e-mailed yet (for people who want e-mail immediately: only their new attention items).
    Once a day per person: a run that finds today's digest queued sends nothing, and what
    arrives after the hour waits for tomorrow's.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    day = local.date()
    preferences = NotificationPreference.objects.filter(
        Q(email_mode=EmailMode.DIGEST) | Q(email_mode=EmailMode.IMMEDIATE, attention_digest=True),
        digest_hour__lte=local.hour,
        user__is_active=True,
    ).select_related("user")
    # People who never saved preferences are "immediate" with attention items in the digest at
    # the default hour.
    default = NotificationPreference()
    unsaved: list[NotificationPreference] = []
    if default.attention_digest and default.digest_hour <= local.hour:
        waiting = (
            Notification.objects.filter(
                kind=ATTENTION, read_at__isnull=True, emailed_at__isnull=True
            )
            .exclude(user__notification_preference__isnull=False)
            .values_list("user_id", flat=True)
            .distinct()
        )
        unsaved = [
            NotificationPreference(user=user)
            for user in User.objects.filter(pk__in=list(waiting), is_active=True)
        ]
    sent = 0
    for preference in [*preferences, *unsaved]:
        sent += _digest_for(preference, day, now)
    return sent


def _digest_for(preference: NotificationPreference, day: date, now: datetime) -> int:
    user = preference.user
    key = f"digest:{user.pk}:{day.isoformat()}"
    if not user.email or OutboxMessage.objects.filter(dedupe_key=key).exists():
        return 0
    cutoff = timezone.make_aware(datetime.combine(day, time(preference.digest_hour)))
    rows = visible_notifications(user).filter(
        read_at__isnull=True, emailed_at__isnull=True, created_at__lt=cutoff
    )
    if preference.email_mode == EmailMode.IMMEDIATE:
        rows = rows.filter(kind=ATTENTION)
    elif not preference.attention_digest:
        rows = rows.exclude(kind=ATTENTION)
    notifications = list(rows.select_related("client").order_by("client__name", "-created_at"))
    if not notifications:
        return 0
    groups: dict[str, list[dict[str, str]]] = {}
    for notification in notifications:
        name = notification.client.name if notification.client else "General"
        groups.setdefault(name, []).append(
            {
                "title": notification.title,
                "body": notification.body,
                "link": absolute(reverse("work:notification_open", args=[notification.pk]))
                if notification.url
                else "",
            }
        )
    count = len(notifications)
    subject = f"mediadesk: {count} thing{'s' if count != 1 else ''} for you, {_day(day)}"
    context = {
        "user": user,
        "day": day,
        "groups": [{"client": name, "rows": rows} for name, rows in groups.items()],
        "count": count,
        "all_url": absolute(reverse("work:notifications")),
        "preferences_url": absolute(reverse("work:notification_preferences")),
    }
    with transaction.atomic():
        queue_email(
            key,
            to=[user.email],
            subject=subject,
            body=render_to_string("work/notifications_digest.txt", context),
            html=render_to_string("work/notifications_digest_email.html", context),
            organization_id=user.organization_id,
        )
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    return 1


# --- mentions in comments and notes -----------------------------------------------------------


def notify_mentions(
    actor: Any,
    text: str,
    *,
    client_id: int,
    where: str,
    url: str,
    dedupe_key: str,
    needs: Action | None = None,
) -> list[User]:
    """Tell the people ``@email``-mentioned in ``text`` who work on the client (and, with
    ``needs``, may do that there, e.g. see finance); returns them."""
    from mediadesk.work.services import mentioned_people

    told = []
    who = str(actor) if getattr(actor, "is_authenticated", False) else "Someone"
    for person in mentioned_people(text, client_id):
        if person.pk == getattr(actor, "pk", None):
            continue
        if needs is not None and not can(person, needs, client_id):
            continue
        made = notify(
            person,
            kind="mention",
            title=f"{who} mentioned you on {where}",
            body=text,
            url=url,
            client_id=client_id,
            dedupe_key=f"{dedupe_key}:mention",
        )
        if made is not None:
            told.append(person)
    return told


# --- new attention items ----------------------------------------------------------------------


def _day(day: date) -> str:
    """1 Oct 2026, as dates read on screen."""
    return f"{day.day} {day:%b %Y}"


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _fingerprint(item: Any) -> str:
    return str(getattr(item, "fingerprint", None) or f"{item.key}|{item.situation}")


def notify_new_attention(client_id: int, items: Iterable[Any], day: date | None = None) -> int:
    """Tell the owners of the client's critical and high items, once per item and situation
    (the fingerprint); snoozed and dismissed items are left out. Returns how many were told.

    ``items`` are ``AttentionItem`` rows or ``domain.attention.Item``s; items of another client
    are ignored. A client reviewer is only told of items shared with the client."""
    from mediadesk.accounts.choices import Role
    from mediadesk.work.services import silenced_fingerprints, today

    wanted = [
        item
        for item in items
        if item.client_id == client_id
        and str(item.severity) in NOTIFY_SEVERITIES
        and item.owner_id is not None
    ]
    if not wanted:
        return 0
    silenced = silenced_fingerprints([client_id], day or today())
    owners = {
        user.pk: user
        for user in User.objects.filter(pk__in={item.owner_id for item in wanted}, is_active=True)
    }
    # In bulk: a night's computation can raise thousands of items; attention notifications are
    # never e-mailed one by one (they go in the daily digest), so rows are all there is to write.
    candidates: dict[str, Notification] = {}
    for item in wanted:
        fingerprint = _fingerprint(item)
        owner = owners.get(item.owner_id)
        if owner is None or fingerprint in silenced:
            continue
        role = role_on(owner, client_id)
        shared = bool(getattr(item, "shared_with_client", False))
        if role is None or (role == Role.CLIENT_REVIEWER and not shared):
            continue
        due = f" Due {_day(item.due)}." if item.due else ""
        key = f"attention:{client_id}:{_short(fingerprint)}"
        candidates[f"{owner.pk}|{key}"] = Notification(
            user=owner,
            kind=ATTENTION,
            title=f"{str(item.severity).capitalize()}: {item.title}"[:300],
            body=f"{item.situation}.{due}" if item.situation else due.strip(),
            url=item.url,
            client_id=client_id,
            dedupe_key=key,
        )
    if not candidates:
        return 0
    known = {
        f"{user_id}|{key}"
        for user_id, key in Notification.objects.filter(
            user_id__in=owners, dedupe_key__startswith=f"attention:{client_id}:"
        ).values_list("user_id", "dedupe_key")
    }
    fresh = [row for mark, row in candidates.items() if mark not in known]
    Notification.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
    return len(fresh)


def announce_new_items(client_id: int, items: Iterable[Any]) -> int:
    """Post the client's critical items that a team has not heard of yet to its channels: one
    message per team and channel, listing only that client's items; returns how many posts were
    queued. Pass all of the client's items or only the new ones: each team hears of an item
    (per fingerprint) once, so a computation run twice, or every night, posts nothing twice."""
    critical = [
        item
        for item in items
        if item.client_id == client_id and str(item.severity) in ANNOUNCE_SEVERITIES
    ]
    if not critical:
        return 0
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        return 0
    critical.sort(key=lambda item: (item.due or date.max, item.title))
    queued = 0
    for team in teams_for_client(client_id):
        marker = f"announced:team:{team.pk}"
        marks = {_short(f"{client_id}|{_fingerprint(item)}"): item for item in critical}
        known = set(
            ScheduledRun.objects.filter(job=marker, period__in=list(marks)).values_list(
                "period", flat=True
            )
        )
        fresh = [item for mark, item in marks.items() if mark not in known]
        if not fresh:
            continue
        count = len(fresh)
        lines = [
            (f"{item.title}" + (f" (due {_day(item.due)})" if item.due else ""), item.url)
            for item in fresh[:20]
        ]
        if count > 20:
            lines.append((f"… and {count - 20} more", ""))
        title = (
            f"{client.name}: {count} new critical item{'s' if count != 1 else ''} "
            "on the attention list"
        )
        key = "new-critical:" + _short("\n".join(sorted(_fingerprint(item) for item in fresh)))
        now = timezone.now()
        with transaction.atomic():
            # Which items the team has heard of: a (job, period) row per item, as the scheduler
            # keeps its runs (housekeeping forgets them after 60 days).
            ScheduledRun.objects.bulk_create(
                [
                    ScheduledRun(job=marker, period=mark, started_at=now, finished_at=now)
                    for mark in marks
                    if mark not in known
                ],
                ignore_conflicts=True,
            )
            queued += _post_to_team(
                team, client_id, title, reverse("web:home"), lines, f"{client_id}:{key}"
            )
    return queued


# --- team channels ----------------------------------------------------------------------------


def teams_for_client(client_id: int) -> list[Team]:
    """Teams with a channel whose every member works on the client internally."""
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        return []
    teams = (
        Team.objects.filter(organization_id=client.organization_id)
        .exclude(slack_webhook_url="", teams_webhook_url="")
        .prefetch_related("members")
    )
    found = []
    for team in teams:
        members = [member for member in team.members.all() if member.is_active]
        if members and all(can(m, Action.VIEW_ALL_CAMPAIGNS, client_id) for m in members):
            found.append(team)
    return found


def post_to_teams(
    client_id: int,
    title: str,
    url: str = "",
    *,
    lines: Sequence[tuple[str, str]] = (),
    dedupe_key: str = "",
) -> int:
    """Queue a post about one client to the Slack and Teams channels of its teams (see
    ``teams_for_client``); returns how many posts were queued. ``lines`` are (text, link)."""
    base = dedupe_key or _short(f"{client_id}|{title}|{url}")
    return sum(
        _post_to_team(team, client_id, title, url, lines, base)
        for team in teams_for_client(client_id)
    )


def _post_to_team(
    team: Team,
    client_id: int,
    title: str,
    url: str,
    lines: Sequence[tuple[str, str]],
    base: str,
) -> int:
    queued = 0
    for kind, webhook in _channels(team):
        key = f"team:{team.pk}:{kind}:{base}"[:200]
        if OutboxMessage.objects.filter(dedupe_key=key).exists():
            continue
        queue_webhook(
            key,
            kind=kind,
            url=webhook,
            payload=channel_payload(kind, title, url, lines),
            summary=f"{team.name}: {title}",
            client_id=client_id,
            organization_id=team.organization_id,
        )
        queued += 1
    return queued


def _channels(team: Team) -> list[tuple[OutboxKind, str]]:
    found = []
    if team.slack_webhook_url:
        found.append((OutboxKind.SLACK, team.slack_webhook_url))
    if team.teams_webhook_url:
        found.append((OutboxKind.TEAMS, team.teams_webhook_url))
    return found


def channel_payload(
    kind: str, title: str, url: str = "", lines: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The JSON body of a post: Slack's ``text`` (mrkdwn), or a Teams message with an
    Adaptive Card (what incoming webhooks and Workflows accept)."""
    link = absolute(url) if url else ""
    linkable = link.startswith(("https://", "http://"))
    if kind == OutboxKind.SLACK:
        parts = [f"*{_slack(title)}*"]
        for text, href in lines:
            target = absolute(href) if href else ""
            if target.startswith(("https://", "http://")):
                parts.append(f"• <{target}|{_slack(text)}>")
            else:
                parts.append(f"• {_slack(text)}")
        if linkable:
            parts.append(f"<{link}|Open in mediadesk>")
        return {"text": "\n".join(parts)}
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    for text, href in lines:
        target = absolute(href) if href else ""
        shown = f"[{text}]({target})" if target.startswith(("https://", "http://")) else text
        body.append({"type": "TextBlock", "text": f"- {shown}", "wrap": True, "spacing": "Small"})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if linkable:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in mediadesk", "url": link}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- managing teams (organization admins) -----------------------------------------------------

_webhook_url = URLValidator(schemes=["https", "http"])


def organization_teams(user: Any) -> QuerySet[Team]:
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        return Team.objects.none()
    return Team.objects.filter(organization_id=user.organization_id)


def team_candidates(organization_id: int) -> list[User]:
    """People who can be on a team: active, of the organization, working on some client
    internally (a person who is only a client reviewer is not part of the agency's teams)."""
    from mediadesk.accounts.choices import Role
    from mediadesk.accounts.models import Membership

    internal = set(
        Membership.objects.filter(user__organization_id=organization_id)
        .values_list("user_id", flat=True)
        .exclude(role=Role.CLIENT_REVIEWER)
    )
    people = User.objects.filter(organization_id=organization_id, is_active=True).order_by(
        "full_name", "email"
    )
    return [p for p in people if p.is_org_admin or p.pk in internal]


def create_team(actor: Any, name: str) -> Team:
    require_org_admin(actor, "manage teams")
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the team a name."]})
    if Team.objects.filter(organization_id=actor.organization_id, name__iexact=name).exists():
        raise ValidationError({"name": [f"There is a team called {name} already."]})
    with transaction.atomic():
        team = Team.objects.create(organization_id=actor.organization_id, name=name[:100])
        record(actor=actor, obj=team, action=AuditAction.CREATED, changes={"name": [None, name]})
    return team


def _require_team_admin(actor: Any, team: Team) -> None:
    require_org_admin(actor, "manage teams")
    if team.organization_id != actor.organization_id:
        raise PermissionDenied("This team belongs to another organization.")


def update_team(
    actor: Any,
    team: Team,
    *,
    name: str,
    member_ids: Iterable[int],
    slack_webhook_url: str = "",
    teams_webhook_url: str = "",
) -> Team:
    """Rename a team, set its members and its channels' incoming webhooks."""
    _require_team_admin(actor, team)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Give the team a name."]
    elif (
        Team.objects.filter(organization_id=team.organization_id, name__iexact=name)
        .exclude(pk=team.pk)
        .exists()
    ):
        errors["name"] = [f"There is a team called {name} already."]
    urls = {"slack_webhook_url": slack_webhook_url, "teams_webhook_url": teams_webhook_url}
    for field, value in urls.items():
        value = value.strip()
        urls[field] = value
        if value:
            try:
                _webhook_url(value)
            except ValidationError:
                errors[field] = ["Paste the whole webhook address, starting with https://."]
    allowed = {person.pk: person for person in team_candidates(team.organization_id)}
    wanted = set(member_ids)
    if wanted - set(allowed):
        errors["members"] = ["Choose people of your organization who work on its clients."]
    if errors:
        raise ValidationError(errors)
    before = {
        "name": team.name,
        "members": sorted(team.members.values_list("email", flat=True)),
        # Webhook addresses are secrets: the trail says that they changed, not what they are.
        "slack_webhook": mask_webhook(team.slack_webhook_url),
        "teams_webhook": mask_webhook(team.teams_webhook_url),
    }
    old_urls = {"slack_webhook": team.slack_webhook_url, "teams_webhook": team.teams_webhook_url}
    with transaction.atomic():
        team.name = name[:100]
        team.slack_webhook_url = urls["slack_webhook_url"]
        team.teams_webhook_url = urls["teams_webhook_url"]
        team.save()
        team.members.set([allowed[pk] for pk in wanted])
        new_urls = {
            "slack_webhook": team.slack_webhook_url,
            "teams_webhook": team.teams_webhook_url,
        }
        after = {
            "name": team.name,
            "members": sorted(allowed[pk].email for pk in wanted),
            "slack_webhook": mask_webhook(team.slack_webhook_url),
            "teams_webhook": mask_webhook(team.teams_webhook_url),
        }
        changes = diff(before, after)
        for field, old in old_urls.items():
            if old and new_urls[field] and old != new_urls[field] and field not in changes:
                changes[field] = [before[field], f"another address on {after[field]}"]
        if changes:
            record(actor=actor, obj=team, action=AuditAction.UPDATED, changes=changes)
    return team


def mask_webhook(url: str) -> str:
    """A webhook address as shown to people: its host, never its secret path."""
    if not url:
        return ""
    host = urlsplit(url).hostname or "?"
    return f"{host}/…"


def delete_team(actor: Any, team: Team) -> None:
    _require_team_admin(actor, team)
    with transaction.atomic():
        record(
            actor=actor, obj=team, action=AuditAction.DELETED, changes={"name": [team.name, None]}
        )
        team.delete()


def send_test_message(actor: Any, team: Team) -> list[OutboxMessage]:
    """Post a test message to each of the team's channels now; the rows say how it went."""
    _require_team_admin(actor, team)
    channels = _channels(team)
    if not channels:
        raise ValidationError("Add a Slack or Microsoft Teams webhook address first.")
    stamp = timezone.now()
    title = f"Test message from mediadesk for the team {team.name}"
    local = timezone.localtime(stamp)
    lines = [(f"Sent by {actor} on {_day(local.date())} at {local:%H:%M}.", "")]
    sent = []
    for kind, webhook in channels:
        message = queue_webhook(
            f"team-test:{team.pk}:{kind}:{stamp.timestamp():.6f}",
            kind=kind,
            url=webhook,
            payload=channel_payload(kind, title, reverse("work:teams"), lines),
            summary=f"{team.name}: test message",
            organization_id=team.organization_id,
        )
        message = deliver_one(message)
        if message.status == OutboxStatus.PENDING:  # a test is not tried again
            OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED)
            message.refresh_from_db()
        sent.append(message)
    return sent
