"""State changes of the work area: computing the attention list, snoozing and dismissing its
items, tasks and their comments. Page, API and CLI call these; each records its audit event."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from mediadesk.accounts.models import Client, User, reviewer_client_ids, visible_client_ids
from mediadesk.accounts.permissions import Action, can, require, role_on
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.domain.attention import Thresholds
from mediadesk.planning.models import Campaign
from mediadesk.work.choices import TaskSource, TaskStatus, TaskSubject
from mediadesk.work.models import (
    AttentionItem,
    AttentionRun,
    AttentionSettings,
    Meeting,
    Silence,
    Task,
    TaskComment,
    Team,
)
from mediadesk.work.notify import announce_new_items, notify, notify_new_attention


def today() -> date:
    """The local day, read once per computation (a run that crosses midnight keeps its day)."""
    return timezone.localdate()


# --- attention thresholds -----------------------------------------------------------------------


def thresholds_of(client_id: int) -> Thresholds:
    saved = AttentionSettings.objects.filter(client_id=client_id).first()
    return Thresholds.from_mapping(saved.thresholds) if saved else Thresholds()


def save_thresholds(actor: Any, client: Client, values: dict[str, Any]) -> AttentionSettings:
    """Replace a client's threshold overrides; a value equal to the default is not kept."""
    require(actor, Action.MANAGE_CLIENT, client.pk)
    try:
        chosen = Thresholds.from_mapping(values)
    except ValueError as error:
        raise ValidationError({"thresholds": [str(error)]}) from None
    defaults = Thresholds()
    overrides = {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in _as_dict(chosen).items()
        if value != getattr(defaults, name)
    }
    settings, _ = AttentionSettings.objects.get_or_create(client=client)
    before = {"thresholds": settings.thresholds}
    settings.thresholds = overrides
    settings.updated_at = timezone.now()
    settings.updated_by = actor
    with transaction.atomic():
        settings.save()
        changes = diff(before, {"thresholds": overrides})
        if changes:
            record(actor=actor, obj=client, action=AuditAction.UPDATED, changes=changes)
    return settings


def _as_dict(thresholds: Thresholds) -> dict[str, Any]:
    return {name: getattr(thresholds, name) for name in Thresholds.__dataclass_fields__}


# --- computing the attention list ---------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    clients: int
    items: int
    seconds: float
    day: date


def compute_attention(
    client_ids: Sequence[int] | None = None, day: date | None = None, *, tell: bool = True
) -> Computed:
    """Recompute the attention list of these clients (default: every active client) for ``day``
    (default: today, read once). Each client's snapshot is replaced in one transaction, so a
    reader sees the old list or the new one, never half of each; running it twice for the same
    day leaves the same rows."""
    from mediadesk.work.facts import gather

    day = day or today()
    started = time.perf_counter()
    ids = list(
        client_ids
        if client_ids is not None
        else Client.objects.active().values_list("id", flat=True)
    )
    found_by_client: dict[int, list[Any]] = {client_id: [] for client_id in ids}
    for entry in gather(ids, day):
        found_by_client.setdefault(entry.item.client_id, []).append(entry)
    total = 0
    now = timezone.now()
    for client_id, found in found_by_client.items():
        seconds = time.perf_counter() - started
        rows = _replace_snapshot(client_id, found, day, now, seconds)
        total += len(rows)
        if tell:
            # Owners hear of new critical and high items, teams' channels of critical ones;
            # both remember what they told, so a second run the same day tells nothing.
            notify_new_attention(client_id, rows, day)
            announce_new_items(client_id, rows)
    return Computed(len(ids), total, time.perf_counter() - started, day)


def _replace_snapshot(
    client_id: int, found: list[Any], day: date, now: Any, seconds: float
) -> list[AttentionItem]:
    rows = []
    seen: set[str] = set()
    for entry in found:
        item = entry.item
        if item.key in seen:  # one row per problem and object
            continue
        seen.add(item.key)
        rows.append(
            AttentionItem(
                client_id=client_id,
                campaign_id=entry.campaign_id,
                key=item.key,
                kind=str(item.kind),
                severity=str(item.severity),
                severity_rank=item.severity.rank,
                title=item.title[:500],
                due=item.due,
                subject_type=item.subject[0],
                subject_id=item.subject[1],
                url=item.url,
                owner_id=item.owner_id,
                situation=item.situation[:200],
                shared_with_client=entry.reviewer_visible,
                computed_on=day,
                computed_at=now,
            )
        )
    with transaction.atomic():
        # Two computations of one client at once (the worker's and a first visit of the day)
        # take turns here, so the second replaces the first's rows instead of colliding.
        list(Client.objects.select_for_update().filter(pk=client_id).values_list("pk"))
        AttentionItem.objects.filter(client_id=client_id).delete()
        AttentionItem.objects.bulk_create(rows, batch_size=1000)
        AttentionRun.objects.update_or_create(
            client_id=client_id,
            defaults={
                "computed_on": day,
                "computed_at": now,
                "items": len(rows),
                "seconds": Decimal(f"{seconds:.3f}"),
            },
        )
    return rows


# --- reading the attention list -----------------------------------------------------------------


class View:
    ALL = "all"
    MINE = "mine"
    TEAM = "team"


VIEWS = [(View.MINE, "Mine"), (View.TEAM, "My team's"), (View.ALL, "Everything")]


def team_member_ids(user: Any) -> set[int]:
    """The people who share a team with the user (the user included)."""
    teams = Team.objects.filter(members=user)
    ids = set(User.objects.filter(teams__in=teams).values_list("id", flat=True))
    ids.add(user.pk)
    return ids


# Items about invoices lead to finance pages: only for people who may see the client's finance.
FINANCE_KINDS = ("invoice_discrepancy", "invoice_awaiting_approval")


def visible_items(user: Any) -> Any:
    """The snapshot rows this user may see: every item of the clients they work on (invoice
    items only where they see finance), and on a client where they are only a reviewer, just
    the items that are theirs and shared."""
    client_ids = list(visible_client_ids(user))
    rows = AttentionItem.objects.filter(client_id__in=client_ids)
    reviewer_of = list(reviewer_client_ids(user))
    if reviewer_of:
        rows = rows.exclude(
            Q(client_id__in=reviewer_of) & ~(Q(owner=user) & Q(shared_with_client=True))
        )
    no_finance = [cid for cid in client_ids if not can(user, Action.VIEW_FINANCE, cid)]
    if no_finance:
        rows = rows.exclude(client_id__in=no_finance, kind__in=FINANCE_KINDS)
    return rows


def attention_rows(
    user: Any,
    *,
    day: date | None = None,
    view: str = View.ALL,
    client_id: int | None = None,
    severity: str | None = None,
    kind: str | None = None,
    owner_id: int | None = None,
    include_silenced: bool = False,
) -> Any:
    """The user's attention list as a query in rank order (most severe, then the earliest due
    date, undated last), without the snoozed and dismissed items: the database does the
    filtering and counting, so a list of thousands is read a page at a time."""
    day = day or today()
    rows = visible_items(user)
    if view == View.MINE:
        rows = rows.filter(owner=user)
    elif view == View.TEAM:
        rows = rows.filter(owner_id__in=team_member_ids(user))
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    if severity:
        rows = rows.filter(severity=severity)
    if kind:
        rows = rows.filter(kind=kind)
    if owner_id is not None:
        rows = rows.filter(owner_id=owner_id)
    if not include_silenced:
        silenced = Silence.objects.filter(
            client_id=OuterRef("client_id"),
            fingerprint=Concat(OuterRef("key"), Value("|"), OuterRef("situation")),
        ).filter(Q(dismissed=True) | Q(until__gt=day))
        rows = rows.exclude(Exists(silenced))
    return rows.order_by("severity_rank", F("due").asc(nulls_last=True), "title", "id")


def attention_for(user: Any, **filters: Any) -> list[AttentionItem]:
    """The user's attention list in rank order, without the snoozed and dismissed items."""
    return list(attention_rows(user, **filters).select_related("client", "owner", "campaign"))


def silenced_fingerprints(client_ids: Iterable[int], day: date) -> set[str]:
    """Fingerprints dismissed, or snoozed past ``day``, on these clients."""
    return set(
        Silence.objects.filter(client_id__in=list(client_ids))
        .filter(Q(dismissed=True) | Q(until__gt=day))
        .values_list("fingerprint", flat=True)
    )


def attention_item(user: Any, item_id: int) -> AttentionItem:
    """One visible item; AttentionItem.DoesNotExist for anything else."""
    item: AttentionItem = visible_items(user).select_related("client", "owner").get(pk=item_id)
    return item


def _require_work(actor: Any, client_id: int) -> None:
    require(actor, Action.MANAGE_WORK, client_id)


def snooze(actor: Any, item: AttentionItem, *, until: date, reason: str) -> Silence:
    """Hide an item until a day (exclusive), or until its situation changes."""
    _require_work(actor, item.client_id)
    if until <= today():
        raise ValidationError({"until": ["Snooze until a day after today."]})
    return _silence(actor, item, until=until, dismissed=False, reason=reason)


def dismiss(actor: Any, item: AttentionItem, *, reason: str) -> Silence:
    """Hide an item while its situation stays as it is (it comes back when it changes)."""
    _require_work(actor, item.client_id)
    return _silence(actor, item, until=None, dismissed=True, reason=reason)


def _silence(
    actor: Any, item: AttentionItem, *, until: date | None, dismissed: bool, reason: str
) -> Silence:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why, so the team knows (it is kept)."]})
    with transaction.atomic():
        silence = Silence.objects.create(
            client_id=item.client_id,
            key=item.key,
            fingerprint=item.fingerprint,
            title=item.title,
            until=until,
            dismissed=dismissed,
            reason=reason,
            created_by=actor,
        )
        record(
            actor=actor,
            obj=silence,
            action=AuditAction.ARCHIVED if dismissed else AuditAction.UPDATED,
            changes={
                "item": [None, item.title],
                "until": [None, until.isoformat() if until else None],
                "dismissed": [None, dismissed],
            },
            reason=reason,
        )
    return silence


def unsilence(actor: Any, silence: Silence) -> None:
    """Bring a snoozed or dismissed item back now."""
    _require_work(actor, silence.client_id)
    with transaction.atomic():
        record(
            actor=actor,
            obj=silence,
            action=AuditAction.RESTORED,
            changes={"item": [silence.title, None]},
        )
        silence.delete()


# --- tasks --------------------------------------------------------------------------------------

TASK_FIELDS = ["title", "notes", "owner", "due", "status", "campaign", "subject_label"]


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    label: str
    url: str
    campaign_id: int | None


def resolve_subject(client_id: int, kind: str, object_id: int) -> Subject:
    """What a task belongs to, checked to be of the task's client; ValidationError if not."""
    from mediadesk.creative.models import Asset
    from mediadesk.finance.models import Invoice
    from mediadesk.orders.models import InsertionOrder
    from mediadesk.planning.models import Placement

    missing = ValidationError(
        {"subject": [f"There is no {kind} with id {object_id} on this client."]}
    )
    if kind == TaskSubject.CAMPAIGN:
        campaign = Campaign.objects.filter(client_id=client_id, pk=object_id).first()
        if campaign is None:
            raise missing
        return Subject(kind, campaign.pk, str(campaign), campaign.get_absolute_url(), campaign.pk)
    if kind == TaskSubject.PLACEMENT:
        placement = (
            Placement.objects.filter(version__campaign__client_id=client_id, pk=object_id)
            .select_related("version__campaign")
            .first()
        )
        if placement is None:
            raise missing
        campaign = placement.version.campaign
        label = f"{placement.code} · {placement.name}" if placement.name else placement.code
        url = f"/campaigns/{campaign.pk}/plan/"
        return Subject(kind, placement.pk, label, url, campaign.pk)
    if kind == TaskSubject.ASSET:
        asset = Asset.objects.filter(client_id=client_id, pk=object_id).first()
        if asset is None:
            raise missing
        return Subject(kind, asset.pk, asset.name, asset.get_absolute_url(), asset.campaign_id)
    if kind == TaskSubject.IO:
        order = InsertionOrder.objects.filter(client_id=client_id, pk=object_id).first()
        if order is None:
            raise missing
        return Subject(
            kind, order.pk, f"IO {order.number}", order.get_absolute_url(), order.campaign_id
        )
    if kind == TaskSubject.INVOICE:
        invoice = Invoice.objects.filter(client_id=client_id, pk=object_id).first()
        if invoice is None:
            raise missing
        return Subject(
            kind,
            invoice.pk,
            f"Invoice {invoice.number}",
            invoice.get_absolute_url(),
            getattr(invoice, "campaign_id", None),
        )
    raise ValidationError({"subject_type": [f"{kind!r} is not something a task can belong to."]})


def _check_owner(owner: Any, client_id: int) -> None:
    if owner is None:
        return
    # A client's reviewer may own a task too (an action item from the weekly meeting).
    if role_on(owner, client_id) is None:
        raise ValidationError({"owner": [f"{owner} does not work on this client."]})


def create_task(
    actor: Any,
    *,
    client_id: int,
    title: str,
    owner: Any = None,
    due: date | None = None,
    notes: str = "",
    campaign_id: int | None = None,
    subject_type: str = "",
    subject_id: int | None = None,
    source: str = TaskSource.MANUAL,
    attention_key: str = "",
    meeting: Meeting | None = None,
) -> Task:
    if not Client.objects.visible_to(actor).filter(pk=client_id).exists():
        raise PermissionDenied("You do not work on this client.")
    _require_work(actor, client_id)
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["Give the task a title."]})
    _check_owner(owner, client_id)
    task = Task(
        client_id=client_id,
        title=title[:300],
        notes=notes,
        owner=owner,
        due=due,
        source=source,
        attention_key=attention_key,
        meeting=meeting,
        created_by=actor,
    )
    if subject_type:
        if subject_id is None:
            raise ValidationError({"subject_id": ["Say which object the task belongs to."]})
        subject = resolve_subject(client_id, subject_type, subject_id)
        task.subject_type, task.subject_id = subject.kind, subject.id
        task.subject_label, task.subject_url = subject.label[:300], subject.url[:300]
        campaign_id = campaign_id or subject.campaign_id
    if campaign_id is not None:
        if not Campaign.objects.filter(pk=campaign_id, client_id=client_id).exists():
            raise ValidationError({"campaign": ["That campaign is not one of this client's."]})
        task.campaign_id = campaign_id
    with transaction.atomic():
        task.save()
        record(
            actor=actor,
            obj=task,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(task, TASK_FIELDS)),
        )
        _tell_owner(actor, task)
    return task


def _tell_owner(actor: Any, task: Task) -> None:
    if task.owner_id is None or task.owner_id == getattr(actor, "pk", None):
        return
    due = f", due {task.due:%d %b}" if task.due else ""
    notify(
        task.owner,
        kind="task_assigned",
        title=f"{actor} gave you a task: {task.title}{due}",
        url=task.get_absolute_url(),
        client_id=task.client_id,
        dedupe_key=f"task:{task.pk}:owner:{task.owner_id}",
    )


def update_task(actor: Any, task: Task, values: dict[str, Any], reason: str = "") -> Task:
    """Change a task's title, notes, owner, due date or status."""
    _require_work(actor, task.client_id)
    unknown = sorted(set(values) - {"title", "notes", "owner", "due", "status"})
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})
    if "title" in values and not str(values["title"]).strip():
        raise ValidationError({"title": ["Give the task a title."]})
    if "status" in values and values["status"] not in TaskStatus.values:
        raise ValidationError(
            {"status": [f"{values['status']!r} is not a status; use one of "
                        f"{', '.join(TaskStatus.values)}."]}
        )  # fmt: skip
    if "owner" in values:
        _check_owner(values["owner"], task.client_id)
    before = snapshot(task, TASK_FIELDS)
    owner_before = task.owner_id
    for name, value in values.items():
        setattr(task, name, value.strip() if name == "title" else value)
    if "status" in values:
        task.done_at = timezone.now() if task.status == TaskStatus.DONE else None
    changes = diff(before, snapshot(task, TASK_FIELDS))
    if not changes:
        return task
    task.updated_at = timezone.now()
    with transaction.atomic():
        task.save()
        record(actor=actor, obj=task, action=AuditAction.UPDATED, changes=changes, reason=reason)
        if task.owner_id != owner_before:
            _tell_owner(actor, task)
    return task


def set_task_status(actor: Any, task: Task, status: str) -> Task:
    return update_task(actor, task, {"status": status})


MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def mentioned_people(text: str, client_id: int) -> list[User]:
    """People named ``@email`` in a text who work on the client (others are ignored)."""
    emails = {match.lower() for match in MENTION.findall(text)}
    if not emails:
        return []
    people = User.objects.filter(email__in=emails, is_active=True)
    return [person for person in people if role_on(person, client_id) is not None]


def comment_on_task(actor: Any, task: Task, body: str) -> TaskComment:
    """A comment on a task; ``@email`` mentions notify the people named, and the owner hears of
    it too."""
    if role_on(actor, task.client_id) is None:
        raise PermissionDenied("You do not work on this client.")
    body = body.strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    with transaction.atomic():
        comment = TaskComment.objects.create(task=task, author=actor, body=body)
        mentioned = mentioned_people(body, task.client_id)
        comment.mentions.set(mentioned)
        record(
            actor=actor,
            obj=task,
            action=AuditAction.UPDATED,
            changes={"comment": [None, body[:200]]},
        )
        for person in mentioned:
            notify(
                person,
                kind="mention",
                title=f"{actor} mentioned you on the task “{task.title}”",
                body=body,
                url=task.get_absolute_url(),
                client_id=task.client_id,
                dedupe_key=f"task-comment:{comment.pk}:mention",
            )
        if task.owner_id and task.owner_id != actor.pk and task.owner not in mentioned:
            notify(
                task.owner,
                kind="task_comment",
                title=f"{actor} commented on your task “{task.title}”",
                body=body,
                url=task.get_absolute_url(),
                client_id=task.client_id,
                dedupe_key=f"task-comment:{comment.pk}:owner",
            )
    return comment


def task_from_item(
    actor: Any,
    item: AttentionItem,
    *,
    title: str = "",
    owner: Any = None,
    due: date | None = None,
) -> Task:
    """Turn an attention item into a task (once: a second call returns the open task)."""
    existing = Task.objects.open().filter(client_id=item.client_id, attention_key=item.key).first()
    if existing is not None:
        return existing
    subject_type = item.subject_type if item.subject_type in TaskSubject.values else ""
    task = create_task(
        actor,
        client_id=item.client_id,
        title=title or item.title,
        owner=owner if owner is not None else item.owner,
        due=due or item.due or today() + timedelta(days=2),
        notes=f"From the attention list: {item.title}\n{item.url}",
        campaign_id=item.campaign_id,
        subject_type=subject_type,
        subject_id=item.subject_id if subject_type else None,
        source=TaskSource.ATTENTION,
        attention_key=item.key,
    )
    return task
