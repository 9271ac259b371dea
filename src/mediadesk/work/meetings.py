"""Weekly meetings, and who sees which tasks and meetings.

A meeting belongs to a client, or to one campaign of it. Before it starts, its agenda is live:
the client's (or campaign's) open attention items that nobody snoozed or dismissed, then its open
tasks. Starting the meeting freezes that agenda into ``Meeting.agenda``, so the minutes say what
was on the table even after the list moved on. During the meeting the notes are saved as they
are typed (``save_notes`` is cheap to call every few seconds), action items become tasks with an
owner (``add_action_item``), and after "Finish" the minutes go to every attendee by e-mail
through the outbox (``send_minutes``), once per version of the minutes.

Who sees what (the security boundary, as everywhere):

- Tasks: everyone with a role on the client sees its tasks; a client reviewer sees only the
  tasks they own, and only those on a campaign shared with the client or on no campaign.
- Meetings are the agency's internal work: a client reviewer sees none (404). A client reviewer
  may still attend and own action items; their minutes e-mail carries no links into the app.

Each state change needs ``Action.MANAGE_WORK`` on the client and records its audit event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mediadesk.accounts.models import Client, User, reviewer_client_ids
from mediadesk.accounts.permissions import Action, can, require, role_on
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.services import record
from mediadesk.errors import Conflict
from mediadesk.planning.models import Campaign
from mediadesk.work import services
from mediadesk.work.choices import MeetingStatus, TaskSource, TaskStatus, TaskSubject
from mediadesk.work.models import AttentionItem, Meeting, OutboxMessage, Task, TaskQuerySet
from mediadesk.work.outbox import queue_email

# Autosaved notes are audited at most once per person and meeting in this window.
NOTES_AUDIT_EVERY = timedelta(minutes=5)
AGENDA_LIMIT = 200  # more than a meeting can go through; the rest is on the Today page
EXCERPT = 500
DECISION = re.compile(r"^\s*(?:[-*•]\s*)?(?:decision|decided|agreed)\s*:\s*(.+)$", re.IGNORECASE)


# --- who sees what ------------------------------------------------------------------------------


def visible_tasks(user: Any) -> TaskQuerySet:
    """The tasks this user may see (see the module's docstring)."""
    rows = Task.objects.visible_to(user)
    reviewer_of = list(reviewer_client_ids(user))
    if reviewer_of:
        own_shared = Q(owner=user) & (
            Q(campaign__isnull=True) | Q(campaign__shared_with_client=True)
        )
        rows = rows.filter(~Q(client_id__in=reviewer_of) | own_shared)
    return rows  # type: ignore[return-value]


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    """The meetings this user may see: none of a client where they are a reviewer."""
    return Meeting.objects.visible_to(user).exclude(client_id__in=reviewer_client_ids(user))


def people_on_client(client_id: int) -> QuerySet[User]:
    """Active people with a role on the client, its organization's admins included: who may
    own a task, attend a meeting or be mentioned."""
    client = Client.objects.filter(pk=client_id).only("organization_id").first()
    if client is None:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, organization_id=client.organization_id)
        .filter(Q(memberships__client_id=client_id) | Q(is_org_admin=True))
        .distinct()
        .order_by("full_name", "email")
    )


def person_on_client(client_id: int, user_id: int | None, field: str = "owner") -> User | None:
    """The person with this id, if they work on the client; ValidationError otherwise (never
    naming someone the caller may not know)."""
    if user_id is None:
        return None
    person = people_on_client(client_id).filter(pk=user_id).first()
    if person is None:
        raise ValidationError({field: [f"No one with id {user_id} works on this client."]})
    return person


# --- meetings -----------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def _emails(people: Iterable[Any]) -> list[str]:
    return sorted(person.email for person in people)


def create_meeting(
    actor: Any,
    *,
    client_id: int,
    title: str,
    starts_at: datetime,
    attendees: Sequence[Any] = (),
    campaign_id: int | None = None,
    duration_minutes: int = 30,
) -> Meeting:
    """A planned meeting of a client (or of one of its campaigns) with its attendees, who must
    all work on the client."""
    if not Client.objects.visible_to(actor).filter(pk=client_id).exists():
        raise PermissionDenied("You do not work on this client.")
    require(actor, Action.MANAGE_WORK, client_id)
    errors: dict[str, list[str]] = {}
    title = title.strip()
    if not title:
        errors["title"] = ["Give the meeting a title, such as “Weekly status”."]
    if starts_at is None:
        errors["starts_at"] = ["Say when the meeting starts."]
    if not 5 <= duration_minutes <= 8 * 60:
        errors["duration_minutes"] = ["A meeting lasts between 5 minutes and 8 hours."]
    if (
        campaign_id is not None
        and not Campaign.objects.filter(pk=campaign_id, client_id=client_id).exists()
    ):
        errors["campaign"] = ["That campaign is not one of this client's."]
    people = list(attendees)
    strangers = [p for p in people if role_on(p, client_id) is None or not p.is_active]
    if strangers:
        errors["attendees"] = ["Only people who work on this client can attend."]
    if not people:
        errors["attendees"] = ["Invite at least one person (the minutes go to the attendees)."]
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        client_id=client_id,
        campaign_id=campaign_id,
        title=title[:200],
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        created_by=actor,
    )
    with transaction.atomic():
        meeting.save()
        meeting.attendees.set(people)
        record(
            actor=actor,
            obj=meeting,
            action=AuditAction.CREATED,
            changes={
                "title": [None, meeting.title],
                "time": [None, _when(starts_at)],
                "duration_minutes": [None, duration_minutes],
                "campaign": [None, campaign_id],
                "invited": [None, _emails(people)],
            },
        )
    return meeting


@dataclass(frozen=True)
class AgendaLine:
    """One line of an agenda: an attention item, or an open task."""

    key: str  # the attention item's key, or "task:<id>"
    kind: str  # an attention kind, or "task"
    severity: str  # "" for a task
    title: str
    url: str
    due: str | None  # ISO day
    owner: str
    owner_id: int | None
    campaign_id: int | None
    subject_type: str
    subject_id: int | None
    task_id: int | None

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def build_agenda(meeting: Meeting, day: date | None = None) -> list[dict[str, Any]]:
    """The live agenda: the scope's open, unsilenced attention items (most urgent first), then
    its open tasks (soonest due first) that no item already names."""
    day = day or services.today()
    items = AttentionItem.objects.filter(client_id=meeting.client_id).select_related("owner")
    tasks = Task.objects.open().filter(client_id=meeting.client_id).select_related("owner")
    if meeting.campaign_id is not None:
        items = items.filter(campaign_id=meeting.campaign_id)
        tasks = tasks.filter(campaign_id=meeting.campaign_id)
    silenced = services.silenced_fingerprints([meeting.client_id], day)
    lines: list[AgendaLine] = []
    named_tasks: set[int] = set()
    # The Today page's order: most severe first, then the earliest due date, undated last.
    ranked = items.order_by("severity_rank", F("due").asc(nulls_last=True), "title", "id")
    for item in ranked[:AGENDA_LIMIT]:
        if item.fingerprint in silenced:
            continue
        task_id = int(item.subject_id) if item.subject_type == "task" else None
        if task_id is not None:
            named_tasks.add(task_id)
        lines.append(
            AgendaLine(
                key=item.key,
                kind=item.kind,
                severity=item.severity,
                title=item.title,
                url=item.url,
                due=item.due.isoformat() if item.due else None,
                owner=item.owner.display_name if item.owner else "",
                owner_id=item.owner_id,
                campaign_id=item.campaign_id,
                subject_type=item.subject_type,
                subject_id=int(item.subject_id),
                task_id=task_id,
            )
        )
    room = max(0, AGENDA_LIMIT - len(lines))
    ordered = tasks.exclude(pk__in=named_tasks).order_by(
        F("due").asc(nulls_last=True), "position", "id"
    )
    for task in ordered[:room]:
        lines.append(
            AgendaLine(
                key=f"task:{task.pk}",
                kind="task",
                severity="",
                title=task.title,
                url=task.get_absolute_url(),
                due=task.due.isoformat() if task.due else None,
                owner=task.owner.display_name if task.owner else "",
                owner_id=task.owner_id,
                campaign_id=task.campaign_id,
                subject_type=task.subject_type,
                subject_id=task.subject_id,
                task_id=task.pk,
            )
        )
    return [line.as_json() for line in lines]


def agenda_of(meeting: Meeting, day: date | None = None) -> list[dict[str, Any]]:
    """What the meeting page shows: live before the start, as frozen after it."""
    if meeting.status == MeetingStatus.PLANNED:
        return build_agenda(meeting, day)
    return list(meeting.agenda or [])


def _require_manage(actor: Any, meeting: Meeting) -> None:
    if not visible_meetings(actor).filter(pk=meeting.pk).exists():
        raise PermissionDenied("You do not work on this client.")
    require(actor, Action.MANAGE_WORK, meeting.client_id)


def start_meeting(actor: Any, meeting: Meeting, day: date | None = None) -> Meeting:
    """Start the meeting: its agenda is frozen as it is now."""
    _require_manage(actor, meeting)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != MeetingStatus.PLANNED:
            raise Conflict(
                f"“{locked.title}” has already started (it is "
                f"{locked.get_status_display().lower()})."
            )
        locked.agenda = build_agenda(locked, day)
        locked.status = MeetingStatus.RUNNING
        locked.save(update_fields=["agenda", "status"])
        record(
            actor=actor,
            obj=locked,
            action=AuditAction.UPDATED,
            changes={
                "status": [MeetingStatus.PLANNED, MeetingStatus.RUNNING],
                "agenda": [None, f"{len(locked.agenda)} items, frozen at the start"],
            },
        )
    meeting.refresh_from_db()
    return meeting


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def save_notes(actor: Any, meeting: Meeting, notes: str, *, base: str | None = None) -> Meeting:
    """Keep the notes (called by the autosave every few seconds and by the Save button).

    ``base`` is the text the caller last loaded or saved: when someone else saved different
    notes since, this raises Conflict instead of overwriting them (without ``base``, the last
    save wins). Saving unchanged notes does nothing; a change is audited at most once per
    person and meeting every five minutes, so autosave does not flood the history.
    """
    _require_manage(actor, meeting)
    notes = notes.replace("\r\n", "\n")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.notes == notes:
            meeting.notes = notes
            return meeting
        if base is not None and base.replace("\r\n", "\n") != locked.notes:
            raise Conflict(
                "Someone else saved these notes since you opened them. Your text is kept "
                "here: save it to replace theirs, or reload the page to read theirs."
            )
        before = locked.notes
        locked.notes = notes
        locked.save(update_fields=["notes"])
        since = timezone.now() - NOTES_AUDIT_EVERY
        recent = AuditEvent.objects.for_object(locked).filter(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            at__gte=since,
            changes__has_key="notes",
        )
        if not recent.exists():
            record(
                actor=actor,
                obj=locked,
                action=AuditAction.UPDATED,
                changes={"notes": [_excerpt(before) or None, _excerpt(notes)]},
            )
    meeting.notes = notes
    return meeting


def add_action_item(
    actor: Any,
    meeting: Meeting,
    *,
    title: str,
    owner: Any,
    due: date | None = None,
    agenda_key: str = "",
    notes: str = "",
) -> Task:
    """An action item of the meeting: a task with an owner, from an agenda line or not."""
    _require_manage(actor, meeting)
    if meeting.status == MeetingStatus.PLANNED:
        raise Conflict("Start the meeting first; action items are agreed during it.")
    if owner is None:
        raise ValidationError({"owner": ["Say who will do it."]})
    line = next((entry for entry in meeting.agenda if entry.get("key") == agenda_key), None)
    if agenda_key and line is None:
        raise ValidationError({"agenda_key": ["That is not an item of this meeting's agenda."]})
    campaign_id = meeting.campaign_id
    subject_type, subject_id, attention_key = "", None, ""
    if line is not None:
        campaign_id = line.get("campaign_id") or campaign_id
        title = title.strip() or str(line.get("title", ""))
        if line.get("kind") != "task":
            attention_key = str(line["key"])
        if line.get("subject_type") in TaskSubject.values and line.get("subject_id"):
            subject_type, subject_id = str(line["subject_type"]), int(line["subject_id"])
    where = f"Action item of “{meeting.title}” ({_when(meeting.starts_at)})."
    notes = f"{notes.strip()}\n\n{where}".strip()
    values: dict[str, Any] = {
        "client_id": meeting.client_id,
        "title": title,
        "owner": owner,
        "due": due,
        "notes": notes,
        "campaign_id": campaign_id,
        "source": TaskSource.MEETING,
        "attention_key": attention_key,
        "meeting": meeting,
    }
    try:
        return services.create_task(
            actor, **values, subject_type=subject_type, subject_id=subject_id
        )
    except ValidationError as error:
        if subject_type and "subject" in getattr(error, "error_dict", {}):
            # The object left the agenda's client since (deleted): keep the task without it.
            return services.create_task(actor, **values)
        raise


def finish_meeting(actor: Any, meeting: Meeting) -> Meeting:
    _require_manage(actor, meeting)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != MeetingStatus.RUNNING:
            state = "not started yet" if locked.status == MeetingStatus.PLANNED else "finished"
            raise Conflict(f"“{locked.title}” is {state}.")
        locked.status = MeetingStatus.DONE
        locked.save(update_fields=["status"])
        record(
            actor=actor,
            obj=locked,
            action=AuditAction.UPDATED,
            changes={"status": [MeetingStatus.RUNNING, MeetingStatus.DONE]},
        )
    meeting.refresh_from_db()
    return meeting


# --- minutes ------------------------------------------------------------------------------------


def action_items(meeting: Meeting) -> list[Task]:
    return list(
        Task.objects.filter(meeting=meeting).select_related("owner").order_by("created_at", "id")
    )


def decisions(notes: str) -> list[str]:
    """Lines of the notes that start with “Decision:”, “Decided:” or “Agreed:”."""
    found = []
    for line in notes.splitlines():
        match = DECISION.match(line)
        if match and match.group(1).strip():
            found.append(match.group(1).strip())
    return found


def _day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "no due date"


def minutes_text(meeting: Meeting, *, links: bool) -> str:
    """The minutes as plain text; with ``links``, each action item's address in the app."""
    site = str(settings.SITE_URL)
    scope = meeting.client.name
    if meeting.campaign_id is not None and meeting.campaign is not None:
        scope += f" · {meeting.campaign.name} ({meeting.campaign.code})"
    people = ", ".join(p.display_name for p in meeting.attendees.order_by("full_name", "email"))
    parts = [
        f"Minutes: {meeting.title}",
        f"{scope} · {_when(meeting.starts_at)} · {meeting.duration_minutes} minutes",
        f"Attendees: {people or 'none'}",
        "",
        "Notes",
        "-----",
        meeting.notes.strip() or "(No notes were taken.)",
        "",
        "Decisions",
        "---------",
    ]
    found = decisions(meeting.notes)
    parts.extend(f"- {decision}" for decision in found)
    if not found:
        parts.append("(None recorded.)")
    parts += ["", "Action items", "------------"]
    tasks = action_items(meeting)
    for task in tasks:
        owner = task.owner.display_name if task.owner else "nobody yet"
        state = "" if task.status == TaskStatus.OPEN else f" [{task.get_status_display()}]"
        parts.append(f"- {task.title} — {owner}, due {_day(task.due)}{state}")
        if links:
            parts.append(f"  {site}{task.get_absolute_url()}")
    if not tasks:
        parts.append("(None.)")
    if links:
        parts += ["", f"The meeting: {site}{meeting.get_absolute_url()}"]
    return "\n".join(parts) + "\n"


def minutes_version(meeting: Meeting) -> str:
    """Changes when anything in the minutes changes; the same minutes are sent once."""
    text = minutes_text(meeting, links=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def minutes_key_prefix(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}:minutes:"


def minutes_sent(meeting: Meeting) -> list[OutboxMessage]:
    """Every minutes e-mail of the meeting queued so far, newest first."""
    return list(
        OutboxMessage.objects.filter(dedupe_key__startswith=minutes_key_prefix(meeting)).order_by(
            "-created_at", "-id"
        )
    )


@dataclass(frozen=True)
class Minutes:
    version: str
    to: list[str]
    messages: list[OutboxMessage]
    already_sent: bool


def send_minutes(actor: Any, meeting: Meeting) -> Minutes:
    """Queue the minutes to every attendee; sending the same minutes again queues nothing.

    People of the agency get the links to the action items; a client's reviewer gets the same
    minutes without links (the meeting's pages are internal)."""
    _require_manage(actor, meeting)
    meeting = Meeting.objects.select_related("client", "campaign").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DONE:
        raise Conflict("Finish the meeting first; the minutes go out once it is over.")
    people = [p for p in meeting.attendees.all() if p.is_active and p.email]
    if not people:
        raise ValidationError({"attendees": ["The meeting has no attendees to send to."]})
    version = minutes_version(meeting)
    prefix = f"{minutes_key_prefix(meeting)}{version}"
    team = [p.email for p in people if can(p, Action.VIEW_ALL_CAMPAIGNS, meeting.client_id)]
    outside = [p.email for p in people if p.email not in team]
    already = OutboxMessage.objects.filter(dedupe_key__startswith=prefix).exists()
    subject = f"Minutes: {meeting.title} ({_when(meeting.starts_at)})"
    queued: list[OutboxMessage] = []
    with transaction.atomic():
        for audience, to, links in (("team", team, True), ("client", outside, False)):
            if to:
                queued.append(
                    queue_email(
                        f"{prefix}:{audience}",
                        to=to,
                        subject=subject,
                        body=minutes_text(meeting, links=links),
                        client_id=meeting.client_id,
                        organization_id=meeting.client.organization_id,
                    )
                )
        if not already:
            meeting.minutes_sent_at = timezone.now()
            meeting.save(update_fields=["minutes_sent_at"])
            record(
                actor=actor,
                obj=meeting,
                action=AuditAction.SENT,
                changes={"minutes": [None, version], "sent_to": [None, sorted(team + outside)]},
            )
    return Minutes(version, sorted(team + outside), queued, already)
