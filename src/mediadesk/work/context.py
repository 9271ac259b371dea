"""The header's bell: the number of the person's unread notifications, counted with one query
and only when a page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mediadesk.work.notify import Unread


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Unread(user)}
