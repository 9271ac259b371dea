"""The attention list over the API: read it (with the Today page's filters), snooze, dismiss, make
a task of an item, and recompute. Only the caller's clients' items are ever listed; on a client
where the caller is a reviewer, only their own shared items. State changes are
``work.services`` functions, as for the Today page."""

from datetime import date
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import User
from mediadesk.domain.attention import Kind, Severity
from mediadesk.work import services
from mediadesk.work.models import AttentionItem
from mediadesk.work.views import active_client_ids, ensure_fresh

router = Router(tags=["attention"])

SEVERITIES = Literal["critical", "high", "medium", "low"]


class ClientRef(Schema):
    id: int
    name: str


class OwnerRef(Schema):
    id: int
    name: str
    email: str


class ObjectRef(Schema):
    type: str = Field(
        description="placement, io, invoice, asset, review_stage, right, budget, task"
    )
    id: int


class AttentionItemOut(Schema):
    id: int
    kind: str = Field(description="One of: " + ", ".join(str(kind) for kind in Kind))
    severity: SEVERITIES
    client: ClientRef
    owner: OwnerRef | None
    due: date | None
    title: str
    object: ObjectRef
    url: str = Field(description="The page where it is fixed (a path on this site).")
    campaign: int | None = Field(description="The campaign it is about, if any.")
    computed_at: str


def _out(item: AttentionItem) -> dict[str, Any]:
    owner = item.owner
    return {
        "id": item.pk,
        "kind": item.kind,
        "severity": item.severity,
        "client": {"id": item.client_id, "name": item.client.name},
        "owner": (
            {"id": owner.pk, "name": owner.display_name, "email": owner.email} if owner else None
        ),
        "due": item.due,
        "title": item.title,
        "object": {"type": item.subject_type, "id": item.subject_id},
        "url": item.url,
        "campaign": item.campaign_id,
        "computed_at": item.computed_at.isoformat(),
    }


class AttentionFilters(Schema):
    client: int | None = Field(None, description="Only this client's items.")
    severity: SEVERITIES | None = None
    kind: str | None = Field(None, description="One kind, such as pacing_off.")
    owner: str | None = Field(None, description='A user id, or "me".')
    view: Literal["all", "mine", "team"] = Field(
        "all", description="mine: items I own; team: items my teams' members own."
    )


def _owner_id(request: HttpRequest, raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if raw == "me":
        return int(getattr(request.user, "pk", 0))
    if raw.isdigit():
        return int(raw)
    raise Http404(f"Owner {raw!r} is not a user id or 'me'.")


@router.get(
    "/attention",
    response=list[AttentionItemOut],
    summary="The caller's attention list, most urgent first",
)
@paginate(LimitOffsetPagination)
def attention_list(request: HttpRequest, filters: Query[AttentionFilters]) -> Any:
    ensure_fresh(request.user, services.today())
    items = services.attention_for(
        request.user,
        view=filters.view,
        client_id=filters.client,
        severity=filters.severity,
        kind=filters.kind,
        owner_id=_owner_id(request, filters.owner),
    )
    return [_out(item) for item in items]


class CountsOut(Schema):
    total: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]


@router.get("/attention/counts", response=CountsOut, summary="How many items, by kind and severity")
def attention_counts(request: HttpRequest, filters: Query[AttentionFilters]) -> Any:
    ensure_fresh(request.user, services.today())
    items = services.attention_for(
        request.user,
        view=filters.view,
        client_id=filters.client,
        owner_id=_owner_id(request, filters.owner),
    )
    return {
        "total": len(items),
        "by_kind": {str(kind): sum(1 for i in items if i.kind == kind) for kind in Kind},
        "by_severity": {str(s): sum(1 for i in items if i.severity == s) for s in Severity},
    }


def _item(request: HttpRequest, item_id: int) -> AttentionItem:
    try:
        return services.attention_item(request.user, item_id)
    except AttentionItem.DoesNotExist:
        raise Http404("No such item on your attention list.") from None


class SnoozeIn(Schema):
    until: date = Field(description="Hidden until this day (it shows again on it).")
    reason: str


class DismissIn(Schema):
    reason: str


class SilenceOut(Schema):
    id: int
    item: int
    until: date | None
    dismissed: bool
    reason: str


@router.post(
    "/attention/{item_id}/snooze",
    response={201: SilenceOut},
    summary="Snooze an item until a day (it returns sooner if its situation changes)",
)
def snooze(request: HttpRequest, item_id: int, payload: SnoozeIn) -> Status[Any]:
    item = _item(request, item_id)
    silence = services.snooze(request.user, item, until=payload.until, reason=payload.reason)
    return Status(201, _silence(silence, item))


@router.post(
    "/attention/{item_id}/dismiss",
    response={201: SilenceOut},
    summary="Dismiss an item while its situation stays the same",
)
def dismiss(request: HttpRequest, item_id: int, payload: DismissIn) -> Status[Any]:
    item = _item(request, item_id)
    silence = services.dismiss(request.user, item, reason=payload.reason)
    return Status(201, _silence(silence, item))


def _silence(silence: Any, item: AttentionItem) -> dict[str, Any]:
    return {
        "id": silence.pk,
        "item": item.pk,
        "until": silence.until,
        "dismissed": silence.dismissed,
        "reason": silence.reason,
    }


class ItemTaskIn(Schema):
    title: str = ""
    owner: int | None = Field(None, description="A user on the item's client; default its owner.")
    due: date | None = None


class TaskRef(Schema):
    id: int
    title: str
    url: str


@router.post(
    "/attention/{item_id}/task",
    response={201: TaskRef},
    summary="Turn an item into a task (once: again returns the open task)",
)
def item_task(request: HttpRequest, item_id: int, payload: ItemTaskIn) -> Status[Any]:
    item = _item(request, item_id)
    owner = None
    if payload.owner is not None:
        organization_id: int = getattr(request.user, "organization_id", None) or 0
        owner = User.objects.filter(pk=payload.owner, organization_id=organization_id).first()
        if owner is None:
            raise Http404(f"There is no user {payload.owner} in your organization.")
    task = services.task_from_item(
        request.user, item, title=payload.title, owner=owner, due=payload.due
    )
    return Status(201, {"id": task.pk, "title": task.title, "url": task.get_absolute_url()})


class RefreshOut(Schema):
    clients: int
    items: int
    day: date


@router.post(
    "/attention/refresh", response=RefreshOut, summary="Recompute the caller's clients' lists"
)
def refresh(request: HttpRequest) -> Any:
    ids = active_client_ids(request.user)
    if not ids:
        raise PermissionDenied("You work on no client.")
    result = services.compute_attention(ids)
    return {"clients": result.clients, "items": result.items, "day": result.day}
