"""What every page's frame needs: the clients the user can switch between, the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mediadesk.accounts.models import Client

CURRENT_CLIENT = "mediadesk_client_id"


def current_client(request: HttpRequest) -> Client | None:
    """The client chosen in the switcher, if the user may still see it."""
    client_id = request.session.get(CURRENT_CLIENT) if hasattr(request, "session") else None
    if not client_id or not request.user.is_authenticated:
        return None
    cached: dict[str, Any] = request.__dict__.setdefault("_mediadesk", {})
    if "client" not in cached:
        cached["client"] = Client.objects.visible_to(request.user).filter(id=client_id).first()
    client: Client | None = cached["client"]
    return client


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    return {
        "switchable_clients": list(
            Client.objects.visible_to(request.user).active().only("id", "name")
        ),
        "current_client": current_client(request),
    }
