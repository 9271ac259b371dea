"""The one place that says what each role may do. Pages, the API and the CLI all ask it.

Two questions, always in this order:

1. May the user *see* the client at all? If not, the object does not exist for them: 404,
   never 403 (``visible_to(user)`` on every query answers this).
2. May the user *do* this action on a client they can see? If not: 403 with a sentence that
   says which role is needed (``require``).

docs/permissions.md shows this matrix; a test checks the page matches it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from mediadesk.accounts.choices import Role


class Action(StrEnum):
    VIEW = "view"
    VIEW_ALL_CAMPAIGNS = "view_all_campaigns"
    EDIT_CAMPAIGN = "edit_campaign"
    ARCHIVE_CAMPAIGN = "archive_campaign"
    APPROVE_PLAN = "approve_plan"
    VIEW_HISTORY = "view_history"
    EXPORT = "export"
    MANAGE_CLIENT = "manage_client"
    MANAGE_MEMBERS = "manage_members"
    VIEW_FINANCE = "view_finance"
    EDIT_FINANCE = "edit_finance"
    EDIT_CREATIVE = "edit_creative"
    REVIEW_CLIENT_STAGE = "review_client_stage"
    MANAGE_RULES = "manage_rules"
    OVERRIDE_COMPLIANCE = "override_compliance"
    MANAGE_WORK = "manage_work"


ACTION_LABELS: dict[Action, str] = {
    Action.VIEW: "See the client and what is shared with them",
    Action.VIEW_ALL_CAMPAIGNS: "See every campaign of the client (not only shared ones)",
    Action.EDIT_CAMPAIGN: "Create and edit campaigns",
    Action.ARCHIVE_CAMPAIGN: "Archive and restore campaigns",
    Action.APPROVE_PLAN: "Approve or reject plans at the internal stage",
    Action.VIEW_HISTORY: "Read the audit trail",
    Action.EXPORT: "Download CSV/XLSX exports",
    Action.MANAGE_CLIENT: "Edit the client and its brands",
    Action.MANAGE_MEMBERS: "Give and take roles on the client",
    Action.VIEW_FINANCE: "See budgets, invoices and payments",
    Action.EDIT_FINANCE: "Enter invoices, approve payments",
    Action.EDIT_CREATIVE: "Upload and traffic creative",
    Action.REVIEW_CLIENT_STAGE: "Approve or reject at the client stage",
    Action.MANAGE_RULES: "Maintain the client's compliance rule sets",
    Action.OVERRIDE_COMPLIANCE: "Override a blocking compliance finding, with a reason",
    Action.MANAGE_WORK: "Tasks, meetings, status reports; snooze or dismiss attention items",
}

_INTERNAL_READ = {
    Action.VIEW,
    Action.VIEW_ALL_CAMPAIGNS,
    Action.VIEW_HISTORY,
    Action.EXPORT,
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.COORDINATOR: frozenset(
        _INTERNAL_READ
        | {
            Action.EDIT_CAMPAIGN,
            Action.ARCHIVE_CAMPAIGN,
            Action.VIEW_FINANCE,
            Action.EDIT_CREATIVE,
            Action.MANAGE_WORK,
        }
    ),
    Role.CREATIVE: frozenset(_INTERNAL_READ | {Action.EDIT_CREATIVE, Action.MANAGE_WORK}),
    Role.FINANCE: frozenset(
        _INTERNAL_READ | {Action.VIEW_FINANCE, Action.EDIT_FINANCE, Action.MANAGE_WORK}
    ),
    Role.LEGAL: frozenset(
        _INTERNAL_READ | {Action.MANAGE_RULES, Action.OVERRIDE_COMPLIANCE, Action.MANAGE_WORK}
    ),
    Role.VIEWER: frozenset(_INTERNAL_READ),
    Role.CLIENT_REVIEWER: frozenset({Action.VIEW, Action.REVIEW_CLIENT_STAGE}),
}


def roles_by_client(user: Any) -> dict[int, Role]:
    """Every client the user has a role on, with that role: one query, kept on the user object
    for the rest of the request (organization admins are admins on every client of their org)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached: dict[int, Role] | None = user.__dict__.get("_mediadesk_roles")
    if cached is None:
        from mediadesk.accounts.models import Client, Membership

        if user.is_org_admin:
            ids = Client.objects.filter(organization_id=user.organization_id).values_list(
                "id", flat=True
            )
            cached = dict.fromkeys(ids, Role.ADMIN)
        else:
            memberships = Membership.objects.filter(
                user=user, client__organization_id=user.organization_id
            ).values_list("client_id", "role")
            cached = {client_id: Role(role) for client_id, role in memberships}
        user.__dict__["_mediadesk_roles"] = cached
    return cached


def forget_roles(user: Any) -> None:
    """Call after changing someone's memberships within the same request."""
    user.__dict__.pop("_mediadesk_roles", None)


def role_on(user: Any, client_id: int) -> Role | None:
    """The user's role on a client, or None if the client is not theirs to see."""
    return roles_by_client(user).get(client_id)


def can(user: Any, action: Action, client_id: int) -> bool:
    role = role_on(user, client_id)
    return role is not None and action in ROLE_ACTIONS[role]


def roles_allowed(action: Action) -> list[Role]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def require(user: Any, action: Action, client_id: int) -> None:
    """Raise PermissionDenied with a sentence naming the roles that may do this."""
    if not can(user, action, client_id):
        allowed = ", ".join(str(role.label).lower() for role in roles_allowed(action))
        raise PermissionDenied(
            f"Your role does not allow this ({ACTION_LABELS[action].lower()}); "
            f"it needs one of: {allowed}."
        )


def is_org_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_org_admin)


def require_org_admin(user: Any, doing: str) -> None:
    """Raise PermissionDenied unless the user is an organization admin.

    Some changes (adding, archiving and restoring clients) concern the organization rather
    than one client, so no client role allows them.
    """
    if not is_org_admin(user):
        raise PermissionDenied(
            f"Only organization admins can {doing}; ask one of your organization's admins."
        )


def matrix() -> list[tuple[str, list[bool]]]:
    """Rows of the permission matrix (action label, allowed per role), for docs and pages."""
    return [
        (ACTION_LABELS[action], [action in ROLE_ACTIONS[role] for role in Role])
        for action in Action
    ]
