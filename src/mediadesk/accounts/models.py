"""Organization → clients → brands; people, their memberships and their API tokens.

The client is the unit of data isolation: every client-owned row is read through
``visible_to(user)``, which only ever returns rows of clients the user may see.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.domain.money import CURRENCIES
from mediadesk.domain.naming import DEFAULT_TEMPLATE

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]

M = TypeVar("M", bound=models.Model)


class Organization(models.Model):
    """The agency or in-house team that runs this mediadesk."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


def visible_client_ids(user: Any) -> QuerySet[Client, int]:
    """Ids of the clients this user may see at all (the security boundary)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Client.objects.none().values_list("id", flat=True)
    if user.is_org_admin:
        return Client.objects.filter(organization_id=user.organization_id).values_list(
            "id", flat=True
        )
    return Client.objects.filter(
        memberships__user=user, organization_id=user.organization_id
    ).values_list("id", flat=True)


def reviewer_client_ids(user: Any) -> QuerySet[Client, int]:
    """Clients on which this user is only a client reviewer (sees only what is shared)."""
    if not getattr(user, "is_authenticated", False) or user.is_org_admin:
        return Client.objects.none().values_list("id", flat=True)
    return Client.objects.filter(
        memberships__user=user, memberships__role=Role.CLIENT_REVIEWER
    ).values_list("id", flat=True)


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ClientQuerySet:
        return self.filter(id__in=visible_client_ids(user))

    def active(self) -> ClientQuerySet:
        return self.filter(archived_at__isnull=True)


class Client(models.Model):
    """An advertiser the organization works for; the unit of data isolation."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="clients")
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=20, help_text="Short code used in naming conventions, e.g. NWND."
    )
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    naming_template = models.CharField(
        "naming convention",
        max_length=200,
        default=DEFAULT_TEMPLATE,
        help_text="How placement codes are built, e.g. {client}_{campaign}_{channel}_{vendor}.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ClientQuerySet] = ClientQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="client_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:client_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ClientOwnedQuerySet(models.QuerySet[M]):
    """The queryset every client-owned model uses: ``visible_to(user)`` is the only way in."""

    client_field = "client"

    def visible_to(self, user: Any) -> ClientOwnedQuerySet[M]:
        return self.filter(**{f"{self.client_field}__in": visible_client_ids(user)})


class Brand(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="brands")
    name = models.CharField(max_length=200)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[ClientOwnedQuerySet[Brand]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="brand_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, is_org_admin=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with e-mail and password."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    is_org_admin = models.BooleanField(
        default=False, help_text="Organization admins see and manage every client."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """A role for one user on one client."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ClientOwnedQuerySet[Membership]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["client__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} on {self.client}"


def hash_token(raw: str) -> str:
    # Tokens are long random strings, so a plain SHA-256 is enough (no salt or slow hash needed).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """One failed login, kept for throttling repeated attempts."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.at:%Y-%m-%d %H:%M}"


class FxRate(models.Model):
    """An exchange rate a client's budgets use for one month: 1 currency_from = rate currency_to.

    Placements booked in another currency than their plan are converted month by month with
    these (see domain/budget.py). Finance enters them; only the direction entered is used.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="fx_rates")
    month = models.DateField(help_text="The first day of the month the rate is for.")
    currency_from = models.CharField("from", max_length=3, choices=CURRENCY_CHOICES)
    currency_to = models.CharField("to", max_length=3, choices=CURRENCY_CHOICES)
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="How much 1 unit of the first currency is worth in the second.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[ClientOwnedQuerySet[FxRate]] = ClientOwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-month", "currency_from", "currency_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month", "currency_from", "currency_to"], name="fx_rate_unique"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(
                condition=~Q(currency_from=models.F("currency_to")), name="fx_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency_from}→{self.currency_to} {self.month:%b %Y}: {self.rate}"

    @property
    def month_key(self) -> str:
        """'2026-10', as the API gives months."""
        return f"{self.month:%Y-%m}"

    @property
    def rate_text(self) -> str:
        """The rate without trailing zeros: 0.92, not 0.92000000."""
        return format(self.rate.normalize(), "f")
