"""Changes to people, memberships, tokens and logins; each records an audit event."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import (
    ApiToken,
    Client,
    LoginFailure,
    Membership,
    Organization,
    User,
    hash_token,
)
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import record

TOKEN_PREFIX = "mdk_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for


# --- People -----------------------------------------------------------------------------------


def create_person(
    *,
    email: str,
    password: str,
    full_name: str = "",
    organization_name: str | None = None,
    org_admin: bool = False,
) -> User:
    """Add a person (CLI and setup). The organization is created if it does not exist yet."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": [f"{email} already has an account."]})
    with transaction.atomic():
        organization = None
        if organization_name:
            organization, _ = Organization.objects.get_or_create(
                slug=slugify(organization_name)[:50] or "organization",
                defaults={"name": organization_name},
            )
        elif Organization.objects.count() == 1:
            organization = Organization.objects.get()
        user = User(email=email, full_name=full_name, organization=organization)
        user.is_org_admin = org_admin
        user.set_password(password)
        user.full_clean()
        user.save()
        record(actor=None, obj=user, action=AuditAction.CREATED, changes={"email": [None, email]})
    return user


def grant_role(actor: Any, *, user: User, client: Client, role: Role) -> Membership:
    require(actor, Action.MANAGE_MEMBERS, client.id)
    if user.organization_id != client.organization_id:
        raise ValidationError({"user": [f"{user.email} is not in {client.organization.name}."]})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, client=client, defaults={"role": role}
        )
        if created:
            record(
                actor=actor,
                obj=membership,
                action=AuditAction.ROLE_GRANTED,
                changes={"role": [None, role.value]},
            )
        elif membership.role != role:
            before = membership.role
            membership.role = role
            membership.save(update_fields=["role"])
            record(
                actor=actor,
                obj=membership,
                action=AuditAction.ROLE_CHANGED,
                changes={"role": [before, role.value]},
            )
    return membership


# --- Logging in, with throttling of repeated failures ----------------------------------------


class LoginThrottled(Exception):
    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Too many failed attempts. For your security, try again in {minutes} minutes "
            "or reset your password."
        )


class LoginRefused(Exception):
    """Wrong e-mail or password (never says which, so accounts cannot be discovered)."""

    def __init__(self) -> None:
        super().__init__("That e-mail and password do not match. Check both and try again.")


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _check_throttle(email: str, ip: str | None) -> None:
    window = timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    since = timezone.now() - window
    recent = LoginFailure.objects.filter(at__gte=since)
    by_email = recent.filter(email=email).count()
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    if by_email >= settings.LOGIN_FAILURE_LIMIT or by_ip >= 4 * settings.LOGIN_FAILURE_LIMIT:
        oldest = (
            recent.filter(Q(email=email) | Q(ip_address=ip))
            .order_by("at")
            .values_list("at", flat=True)
        ).first() or timezone.now()
        remaining = max(1, int((oldest + window - timezone.now()).total_seconds() // 60) + 1)
        raise LoginThrottled(remaining)


def check_login(request: HttpRequest | None, email: str, password: str) -> User:
    """The one way in, for the login page and the API token endpoint alike."""
    email = (email or "").strip().lower()
    ip = client_ip(request)
    _check_throttle(email, ip)
    user = authenticate(request, username=email, password=password)
    if user is None or not user.is_active:
        LoginFailure.objects.create(email=email[:254], ip_address=ip)
        raise LoginRefused()
    LoginFailure.objects.filter(email=email).delete()
    assert isinstance(user, User)
    return user


# --- Personal API tokens ---------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def create_token(actor: User, *, name: str, days_valid: int | None = None) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, such as 'Looker export'."]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=days_valid) if days_valid else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name[:100],
            prefix=raw[:10],
            token_hash=hash_token(raw),
            expires_at=expires_at,
        )
        record(
            actor=actor,
            obj=token,
            action=AuditAction.TOKEN_CREATED,
            changes={"name": [None, token.name]},
        )
    return IssuedToken(token=token, raw=raw)


def revoke_token(actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise ValidationError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(actor=actor, obj=token, action=AuditAction.TOKEN_REVOKED)
    return token


def user_for_token(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.usable().select_related("user").filter(token_hash=hash_token(raw))
    found = token.first()
    if found is None:
        return None
    now = timezone.now()
    # Write the last-used time at most once a minute, so reads stay reads.
    if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
