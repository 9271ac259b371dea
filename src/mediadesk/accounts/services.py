"""Changes to people, memberships, tokens and logins; each records an audit event."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import (
    CURRENCY_CHOICES,
    ApiToken,
    Brand,
    Client,
    FxRate,
    LoginFailure,
    Membership,
    Organization,
    User,
    hash_token,
)
from mediadesk.accounts.permissions import Action, forget_roles, require, require_org_admin
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.domain.naming import NamingError, check_template
from mediadesk.errors import Conflict

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
        if not created and role != Role.ADMIN:
            _keep_someone_in_charge(membership, "change the role of")
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
    forget_roles(user)  # the cached roles of this request no longer hold
    return membership


def revoke_role(actor: Any, membership: Membership, reason: str = "") -> None:
    """Take a person's role on a client away; they no longer see the client at all."""
    require(actor, Action.MANAGE_MEMBERS, membership.client_id)
    with transaction.atomic():
        _keep_someone_in_charge(membership, "remove")
        record(
            actor=actor,
            obj=membership,
            action=AuditAction.ROLE_REVOKED,
            changes={"person": [membership.user.email, None], "role": [membership.role, None]},
            reason=reason,
        )
        membership.delete()
    forget_roles(membership.user)


def _keep_someone_in_charge(membership: Membership, doing: str) -> None:
    """Refuse to take away the last client admin when no organization admin is left either.

    Organization admins manage every client, so while one exists the client stays manageable;
    otherwise the client's people could never be changed again (except in Django admin).
    """
    if membership.role != Role.ADMIN:
        return
    client = membership.client
    other_admins = (
        Membership.objects.filter(client_id=client.pk, role=Role.ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )
    org_admins = User.objects.filter(
        organization_id=client.organization_id, is_org_admin=True, is_active=True
    ).exists()
    if not other_admins and not org_admins:
        raise Conflict(
            f"You cannot {doing} {membership.user.display_name}: they are the last client admin "
            f"of {client.name} and there is no organization admin, so nobody could manage "
            f"{client.name}'s people any more. Make someone else client admin first."
        )


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    new_account: bool
    emailed: bool  # an e-mail with a link to choose a password is sent once the change commits


class _InvitationForm(PasswordResetForm):
    """Django's password-reset e-mail, sent to one invited person.

    The stock form skips people without a usable password, which is exactly who an invited
    person is until they choose one.
    """

    def __init__(self, user: User) -> None:
        super().__init__({"email": user.email})
        self.invited = user

    def get_users(self, email: str) -> Iterator[User]:
        yield self.invited


def _link_domain() -> str:
    # Without a request (CLI, tasks) the link points at the first real host name we answer to.
    hosts = [host for host in settings.ALLOWED_HOSTS if host and not host.startswith((".", "*"))]
    return hosts[0] if hosts else "localhost"


def _send_invitation(
    actor: Any, user: User, client: Client, role: Role, request: HttpRequest | None
) -> None:
    form = _InvitationForm(user)
    form.is_valid()  # the address was checked before it was stored; this fills cleaned_data
    form.save(
        domain_override=None if request is not None else _link_domain(),
        use_https=request.is_secure() if request is not None else settings.PRODUCTION,
        request=request,
        subject_template_name="accounts/password_reset_subject.txt",
        email_template_name="accounts/password_reset_email.txt",
        extra_email_context={
            "invitation": "yes",
            "inviter": getattr(actor, "display_name", "") or "An admin",
            "organization": client.organization.name,
            "client_name": client.name,
            "role": role.label,
        },
    )


def invite_person(
    actor: Any,
    client: Client,
    email: str,
    full_name: str,
    role: Role | str,
    *,
    request: HttpRequest | None = None,
) -> Invitation:
    """Give someone a role on a client, creating their account if needed.

    A new person gets an account without a password and an e-mail with a link to choose one
    (the password-reset e-mail). Inviting someone who has not chosen a password yet sends the
    link again, which is how an expired invitation is renewed.
    """
    require(actor, Action.MANAGE_MEMBERS, client.id)
    _require_active(client)
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid e-mail address, such as name@agency.com."]
    else:
        if len(email) > 254:
            errors["email"] = ["An e-mail address has at most 254 characters."]
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [f"Unknown role {role!r}; use one of: {', '.join(Role.values)}."]
    full_name = (full_name or "").strip()
    if len(full_name) > 200:
        errors["full_name"] = ["Keep the name under 200 characters."]
    if errors:
        raise ValidationError(errors)
    assert isinstance(role, Role)

    user = User.objects.filter(email=email).first()
    membership = None
    if user is not None:
        if user.organization_id != client.organization_id:
            raise ValidationError(
                {"email": [f"{email} has an account outside {client.organization.name}."]}
            )
        if not user.is_active:
            deactivated = (
                f"{email}'s account is deactivated; an organization admin can reactivate it."
            )
            raise ValidationError({"email": [deactivated]})
        membership = Membership.objects.filter(user=user, client=client).first()
        if membership is not None and user.has_usable_password():
            member = f"{user.display_name} already has a role on {client.name}; change it below."
            raise ValidationError({"email": [member]})

    new_account = user is None
    try:
        with transaction.atomic():
            if user is None:
                user = User(
                    email=email, full_name=full_name, organization_id=client.organization_id
                )
                user.set_unusable_password()
                user.save()
            before_role = membership.role if membership is not None else None
            if membership is None:
                membership = Membership.objects.create(user=user, client=client, role=role)
            elif membership.role != role:
                _keep_someone_in_charge(membership, "change the role of")
                membership.role = role
                membership.save(update_fields=["role"])
            emailed = not user.has_usable_password()
            changes: dict[str, list[Any]] = {}
            if before_role is None:
                changes["person"] = [None, email]
            if before_role != role.value:
                changes["role"] = [before_role, role.value]
            record(
                actor=actor,
                obj=membership,
                action=AuditAction.INVITED if emailed else AuditAction.ROLE_GRANTED,
                changes=changes,
            )
            if emailed:
                invited = user
                # Sent only once the change is stored, so no link ever points at a rolled-back
                # account; PasswordResetForm logs (and does not raise) a failed delivery.
                transaction.on_commit(
                    lambda: _send_invitation(actor, invited, client, role, request), robust=True
                )
    except IntegrityError as exc:  # the same person invited twice at the same moment
        raise ValidationError(
            {"email": [f"{email} was invited by someone else just now; reload the page."]}
        ) from exc
    return Invitation(membership=membership, new_account=new_account, emailed=emailed)


# --- Clients and brands ----------------------------------------------------------------------

# The client fields a person can set; the audit trail records their before and after values.
CLIENT_FIELDS = ["name", "code", "default_currency", "naming_template"]
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
CURRENCY_CODES = {code for code, _ in CURRENCY_CHOICES}


def _require_active(client: Client) -> None:
    if client.is_archived:
        raise Conflict(f"{client.name} is archived; restore it before changing it.")


def _client_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check the names, and tidy the values the way they are stored (codes in capitals)."""
    unknown = sorted(set(values) - set(CLIENT_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})
    tidy = dict(values)
    if "name" in tidy:
        tidy["name"] = str(tidy["name"] or "").strip()
    for name in ("code", "default_currency"):
        if name in tidy:
            tidy[name] = str(tidy[name] or "").strip().upper()
    return tidy


def _check_client(client: Client) -> None:
    errors: dict[str, list[str]] = {}
    if not client.name:
        errors["name"] = ["Give the client a name."]
    if not client.code:
        errors["code"] = ["Give the client a short code, such as NWND."]
    elif not CODE_PATTERN.match(client.code):
        errors["code"] = ["Use letters, digits, - and _ only, such as NWND."]
    elif (
        Client.objects.filter(organization_id=client.organization_id, code__iexact=client.code)
        .exclude(pk=client.pk)
        .exists()
    ):
        errors["code"] = [f"Another client already uses the code {client.code}."]
    try:
        check_template(client.naming_template)
    except NamingError as error:
        errors["naming_template"] = [str(error)]
    if client.default_currency not in CURRENCY_CODES:
        errors["default_currency"] = [
            f"{client.default_currency or 'An empty value'} is not a currency mediadesk knows; "
            "use a three-letter ISO code such as EUR."
        ]
    try:
        client.full_clean(exclude=["organization"], validate_constraints=False)
    except ValidationError as error:
        # The model's own checks (lengths) add to, never repeat, the messages above.
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _save_client(client: Client) -> None:
    _check_client(client)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:  # two people saving the same code at the same moment
        raise ValidationError(
            {"code": [f"Another client already uses the code {client.code}."]}
        ) from exc


def create_client(actor: Any, values: dict[str, Any]) -> Client:
    require_org_admin(actor, "add clients")
    values = {"default_currency": "EUR", **_client_values(values)}
    if actor.organization_id is None:
        raise ValidationError("You belong to no organization, so a client has nowhere to go.")
    client = Client(organization_id=actor.organization_id, **values)
    with transaction.atomic():
        _save_client(client)
        record(
            actor=actor,
            obj=client,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(client, CLIENT_FIELDS)),
            client_id=client.pk,
        )
    forget_roles(actor)  # an organization admin now administers one more client
    return client


def update_client(actor: Any, client: Client, values: dict[str, Any], reason: str = "") -> Client:
    require(actor, Action.MANAGE_CLIENT, client.id)
    _require_active(client)
    values = _client_values(values)
    before = snapshot(client, CLIENT_FIELDS)
    for name, value in values.items():
        setattr(client, name, value)
    changes = diff(before, snapshot(client, CLIENT_FIELDS))
    if not changes:
        return client
    with transaction.atomic():
        _save_client(client)
        record(
            actor=actor,
            obj=client,
            action=AuditAction.UPDATED,
            changes=changes,
            reason=reason,
            client_id=client.pk,
        )
    return client


def archive_client(actor: Any, client: Client, reason: str = "") -> Client:
    """Archive instead of delete: the client leaves the switcher and pickers, its data stays."""
    require_org_admin(actor, "archive clients")
    require(actor, Action.MANAGE_CLIENT, client.id)  # and only clients of their organization
    if client.is_archived:
        raise Conflict(f"{client.name} is already archived.")
    with transaction.atomic():
        client.archived_at = timezone.now()
        client.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=client,
            action=AuditAction.ARCHIVED,
            changes={"archived": [False, True]},
            reason=reason,
            client_id=client.pk,
        )
    return client


def restore_client(actor: Any, client: Client, reason: str = "") -> Client:
    require_org_admin(actor, "restore clients")
    require(actor, Action.MANAGE_CLIENT, client.id)
    if not client.is_archived:
        raise Conflict(f"{client.name} is not archived.")
    with transaction.atomic():
        client.archived_at = None
        client.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=client,
            action=AuditAction.RESTORED,
            changes={"archived": [True, False]},
            reason=reason,
            client_id=client.pk,
        )
    return client


def _brand_name(client: Client, name: str, brand: Brand | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the brand a name."]})
    if len(name) > 200:
        raise ValidationError({"name": ["Keep the brand name under 200 characters."]})
    taken = Brand.objects.filter(client_id=client.pk, name__iexact=name)
    if brand is not None:
        taken = taken.exclude(pk=brand.pk)
    if taken.exists():
        raise ValidationError({"name": [f"{client.name} already has a brand called {name}."]})
    return name


def _save_brand(brand: Brand) -> None:
    try:
        with transaction.atomic():
            brand.save()
    except IntegrityError as exc:  # the same name saved twice at the same moment
        raise ValidationError(
            {"name": [f"{brand.client.name} already has a brand called {brand.name}."]}
        ) from exc


def add_brand(actor: Any, client: Client, name: str) -> Brand:
    require(actor, Action.MANAGE_CLIENT, client.id)
    _require_active(client)
    brand = Brand(client=client, name=_brand_name(client, name))
    with transaction.atomic():
        _save_brand(brand)
        record(
            actor=actor, obj=brand, action=AuditAction.CREATED, changes={"name": [None, brand.name]}
        )
    return brand


def rename_brand(actor: Any, brand: Brand, name: str, reason: str = "") -> Brand:
    require(actor, Action.MANAGE_CLIENT, brand.client_id)
    _require_active(brand.client)
    if brand.is_archived:
        raise Conflict(f"The brand {brand.name} is archived; restore it before renaming it.")
    name = _brand_name(brand.client, name, brand)
    if name == brand.name:
        return brand
    before = brand.name
    brand.name = name
    with transaction.atomic():
        _save_brand(brand)
        record(
            actor=actor,
            obj=brand,
            action=AuditAction.UPDATED,
            changes={"name": [before, name]},
            reason=reason,
        )
    return brand


def archive_brand(actor: Any, brand: Brand, reason: str = "") -> Brand:
    """Archive instead of delete: campaigns keep their brand, new ones cannot pick it."""
    require(actor, Action.MANAGE_CLIENT, brand.client_id)
    _require_active(brand.client)
    if brand.is_archived:
        raise Conflict(f"The brand {brand.name} is already archived.")
    with transaction.atomic():
        brand.archived_at = timezone.now()
        brand.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=brand,
            action=AuditAction.ARCHIVED,
            changes={"archived": [False, True]},
            reason=reason,
        )
    return brand


def restore_brand(actor: Any, brand: Brand, reason: str = "") -> Brand:
    require(actor, Action.MANAGE_CLIENT, brand.client_id)
    _require_active(brand.client)
    if not brand.is_archived:
        raise Conflict(f"The brand {brand.name} is not archived.")
    with transaction.atomic():
        brand.archived_at = None
        brand.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=brand,
            action=AuditAction.RESTORED,
            changes={"archived": [True, False]},
            reason=reason,
        )
    return brand


# --- FX rates --------------------------------------------------------------------------------

FX_FIELDS = ["month", "currency_from", "currency_to", "rate"]
RATE_STEP = Decimal("0.00000001")  # 8 decimals, as stored
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?$")


def _month(value: date | str) -> date:
    """The first day of the month given as a date or as '2026-10'."""
    if isinstance(value, date):
        return value.replace(day=1)
    match = MONTH_PATTERN.match(str(value or "").strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValidationError({"month": ["Give the month as year and month, such as 2026-10."]})
    return date(int(match[1]), int(match[2]), 1)


def _fx_values(
    month: date | str, currency_from: str, currency_to: str, rate: Decimal | str
) -> tuple[date, str, str, Decimal]:
    errors: dict[str, list[str]] = {}
    try:
        first = _month(month)
    except ValidationError as error:
        errors.update(error.message_dict)
        first = date.min
    source = str(currency_from or "").strip().upper()
    target = str(currency_to or "").strip().upper()
    for field, code in (("currency_from", source), ("currency_to", target)):
        if code not in CURRENCY_CODES:
            errors[field] = [
                f"{code or 'An empty value'} is not a currency mediadesk knows; "
                "use a three-letter ISO code such as USD."
            ]
    if not errors.get("currency_to") and source == target:
        errors["currency_to"] = [f"Choose two different currencies: {source} to {source} is 1."]
    try:
        value = rate if isinstance(rate, Decimal) else Decimal(str(rate).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        errors["rate"] = ["Give a rate above zero, such as 0.92."]
    elif value.adjusted() >= 10:
        errors["rate"] = ["The rate is too large; give at most 10 digits before the decimal point."]
    elif value != value.quantize(RATE_STEP):
        errors["rate"] = ["Give the rate with at most 8 decimals."]
    if errors:
        raise ValidationError(errors)
    return first, source, target, value.quantize(RATE_STEP)


def set_fx_rate(
    actor: Any,
    client: Client,
    month: date | str,
    currency_from: str,
    currency_to: str,
    rate: Decimal | str,
    reason: str = "",
) -> FxRate:
    """Enter or change the rate of one currency pair for one month of a client.

    1 ``currency_from`` is worth ``rate`` ``currency_to``; budgets convert with it month by month.
    """
    require(actor, Action.EDIT_FINANCE, client.pk)
    _require_active(client)
    first, source, target, value = _fx_values(month, currency_from, currency_to, rate)
    fx = FxRate.objects.filter(
        client_id=client.pk, month=first, currency_from=source, currency_to=target
    ).first()
    created = fx is None
    if fx is None:
        fx = FxRate(client=client, month=first, currency_from=source, currency_to=target)
        before: dict[str, Any] = {}
    else:
        before = snapshot(fx, FX_FIELDS)
    fx.rate = value
    changes = diff(before, snapshot(fx, FX_FIELDS))
    if not changes:
        return fx
    fx.updated_at = timezone.now()
    fx.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            fx.save()
            record(
                actor=actor,
                obj=fx,
                action=AuditAction.CREATED if created else AuditAction.UPDATED,
                changes=changes,
                reason=reason,
                client_id=client.pk,
            )
    except IntegrityError as exc:  # the same rate entered by two people at the same moment
        raise ValidationError(
            {"rate": [f"The {fx.currency_from}→{fx.currency_to} rate for {first:%b %Y} was "
                      "entered by someone else just now; reload the page."]}
        ) from exc  # fmt: skip
    return fx


def remove_fx_rate(actor: Any, fx: FxRate, reason: str = "") -> None:
    """Remove a rate entered by mistake; refused while a placement converts with it."""
    from mediadesk.planning.models import Placement

    require(actor, Action.EDIT_FINANCE, fx.client_id)
    _require_active(fx.client)
    next_month = date(fx.month.year + fx.month.month // 12, fx.month.month % 12 + 1, 1)
    user = (
        Placement.objects.filter(
            version__campaign__client_id=fx.client_id,
            currency=fx.currency_from,
            version__currency=fx.currency_to,
            start__lt=next_month,
            end__gte=fx.month,
        )
        .select_related("version__campaign")
        .first()
    )
    if user is not None:
        raise Conflict(
            f"Placement {user.code} ({user.version.campaign.code}, plan version "
            f"{user.version.number}) is in {fx.currency_from} and runs in {fx.month:%b %Y}, so "
            f"its plan converts with this rate; enter the right rate instead of removing it."
        )
    with transaction.atomic():
        record(
            actor=actor,
            obj=fx,
            action=AuditAction.DELETED,
            changes={name: [value, None] for name, value in snapshot(fx, FX_FIELDS).items()},
            reason=reason,
            client_id=fx.client_id,
        )
        fx.delete()


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
