"""What every page's frame needs: the clients the user can switch between, the current one."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client, Membership
from mediadesk.vendors.models import can_read_vendors

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
    user: Any = request.user
    # The user's role comes with the switcher's clients, so the Vendors link costs no query.
    my_role = Membership.objects.filter(client=OuterRef("pk"), user=user).values("role")[:1]
    clients = list(
        Client.objects.visible_to(user)
        .active()
        .only("id", "name")
        .annotate(my_role=Subquery(my_role))
    )
    if "_mediadesk_roles" in user.__dict__ or user.is_org_admin:
        can_see_vendors = can_read_vendors(user)  # known already, no query
    else:  # roles on archived clients do not count for the link (the page still opens)
        can_see_vendors = any(
            getattr(c, "my_role", None) not in (None, Role.CLIENT_REVIEWER) for c in clients
        )
    return {
        "switchable_clients": clients,
        "current_client": current_client(request),
        "can_see_vendors": can_see_vendors,
    }
