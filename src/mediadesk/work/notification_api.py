"""The caller's own notifications over the API: list them (newest first, ``unread=true`` for
the unread ones only) and mark one read. Nobody reads anyone else's (404), and notifications about
a client the caller no longer works on are left out, as on the page."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.work import notify as notifications
from mediadesk.work.models import Notification

router = Router(tags=["notifications"])


class ClientRef(Schema):
    id: int
    name: str


class NotificationOut(Schema):
    id: int
    kind: str = Field(description='"mention", "task_assigned", "attention", …')
    title: str
    body: str
    url: str = Field(description="The page it is about (a path on this site), or empty.")
    client: ClientRef | None
    created_at: datetime
    read_at: datetime | None
    read: bool

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only the unread ones.")


@router.get("/notifications", response=list[NotificationOut], summary="My notifications")
@paginate(LimitOffsetPagination)
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilters]
) -> QuerySet[Notification]:
    rows = notifications.visible_notifications(request.user).select_related("client")
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


@router.post(
    "/notifications/{notification_id}/read",
    response=NotificationOut,
    summary="Mark one of my notifications read",
)
def read_notification(request: HttpRequest, notification_id: int) -> Notification:
    rows = notifications.visible_notifications(request.user).select_related("client")
    notification: Notification = get_object_or_404(rows, pk=notification_id)
    return notifications.mark_read(request.user, notification)
