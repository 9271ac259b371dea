from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from mediadesk.accounts import services
from mediadesk.accounts.choices import Role
from mediadesk.accounts.forms import (
    BrandForm,
    ClientForm,
    FxRateForm,
    InviteForm,
    LoginForm,
    RoleForm,
    TokenForm,
    add_service_errors,
)
from mediadesk.accounts.middleware import LOGIN_AT
from mediadesk.accounts.models import ApiToken, Brand, Client, FxRate, Membership, User
from mediadesk.accounts.permissions import (
    Action,
    can,
    is_org_admin,
    matrix,
    require,
    require_org_admin,
    role_on,
)
from mediadesk.audit.models import AuditEvent
from mediadesk.errors import Conflict
from mediadesk.finance.describe import describe as describe_finance_settings
from mediadesk.finance.models import FinanceSettings
from mediadesk.planning.models import Campaign


def login_view(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(target or "web:home")
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        # login() gives the session a new key, so a key planted before login is worthless.
        login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[LOGIN_AT] = time.time()
        return redirect(target or "web:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": target}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session
    messages.info(request, "You are logged out.")
    return redirect("accounts:login")


def signed_in(request: HttpRequest) -> User:
    """The person behind a request that passed @login_required."""
    assert isinstance(request.user, User)
    return request.user


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    person = signed_in(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        issued = services.create_token(
            person,
            name=form.cleaned_data["name"],
            days_valid=form.cleaned_data["days_valid"],
        )
        new_token = issued.raw
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=person).order_by("revoked_at", "-created_at"),
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    person = signed_in(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=person)
    services.revoke_token(person, token)
    messages.success(request, f"The token “{token.name}” is revoked; programs using it stop now.")
    return redirect(reverse("accounts:tokens"))


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/roles.html", {"roles": list(Role), "rows": matrix()})


# --- Settings: clients, their brands and people ------------------------------------------------


@dataclass(frozen=True)
class ClientRow:
    client: Client
    role: Role | None  # the viewer's role; organization admins are admins everywhere

    @property
    def internal(self) -> bool:
        """Agency-side roles see the team; a client's own reviewers do not."""
        return self.role is not None and self.role != Role.CLIENT_REVIEWER


def _count_per_client(rows: QuerySet[Any]) -> Coalesce:
    """How many of ``rows`` each client has, as a subquery: one query lists all clients."""
    per_client = (
        rows.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_client), 0)


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    person = signed_in(request)
    clients = (
        Client.objects.visible_to(person)
        .annotate(
            brand_count=_count_per_client(Brand.objects.filter(archived_at__isnull=True)),
            people_count=_count_per_client(Membership.objects.all()),
            # Campaigns through visible_to, so a reviewer counts only what is shared with them.
            campaign_count=_count_per_client(Campaign.objects.visible_to(person).active()),
            my_role=Subquery(
                Membership.objects.filter(client=OuterRef("pk"), user_id=person.pk).values("role")[
                    :1
                ]
            ),
        )
        .order_by(F("archived_at").asc(nulls_first=True), "name")
    )
    rows = [
        ClientRow(
            client=client,
            role=Role.ADMIN if person.is_org_admin else Role(client.my_role),  # type: ignore[attr-defined]
        )
        for client in clients
    ]
    return render(
        request,
        "accounts/settings_index.html",
        {"rows": rows, "can_add_client": is_org_admin(person)},
    )


def _client_or_404(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(
        Client.objects.visible_to(request.user).select_related("organization"), pk=client_id
    )


HISTORY_LABELS = {
    "name": "Name",
    "code": "Code",
    "default_currency": "Currency",
    "naming_template": "Naming convention",
    "archived": "Archived",
    "person": "Person",
    "role": "Role",
    "month": "Month",
    "currency_from": "From",
    "currency_to": "To",
    "rate": "Rate",
}


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "role" and value in Role.values:
        return str(Role(value).label)
    return str(value)


def _client_history(client: Client) -> list[dict[str, Any]]:
    """The client's own changes: the client, its brands and its people (not its campaigns)."""
    types = ContentType.objects.get_for_models(Client, Brand, Membership, FxRate).values()
    events = AuditEvent.objects.filter(client_id=client.pk, content_type__in=types)
    history = []
    for event in events.select_related("actor")[:30]:
        changes = [
            (
                HISTORY_LABELS.get(name, name.replace("_", " ")),
                _show(name, before),
                _show(name, after),
            )
            for name, (before, after) in event.changes.items()
        ]
        history.append({"event": event, "changes": changes})
    return history


def _client_page(
    request: HttpRequest,
    client: Client,
    *,
    client_form: ClientForm | None = None,
    brand_form: BrandForm | None = None,
    invite_form: InviteForm | None = None,
    brand_forms: dict[int, BrandForm] | None = None,
    role_forms: dict[int, RoleForm] | None = None,
    fx_form: FxRateForm | None = None,
) -> HttpResponse:
    """The client's settings page; a refused form is passed in to show its errors in place."""
    person = signed_in(request)
    row = ClientRow(client=client, role=role_on(person, client.pk))
    active = not client.is_archived
    can_manage = active and can(person, Action.MANAGE_CLIENT, client.pk)
    can_members = active and can(person, Action.MANAGE_MEMBERS, client.pk)

    brands = client.brands.order_by(F("archived_at").asc(nulls_first=True), "name")
    brand_rows = [
        (
            brand,
            (brand_forms or {}).get(brand.pk)
            or BrandForm(prefix=f"brand-{brand.pk}", initial={"name": brand.name}),
        )
        for brand in brands
    ]
    people_rows: list[tuple[Membership, RoleForm]] = []
    org_admins: list[User] = []
    if row.internal:
        memberships = client.memberships.select_related("user").order_by(
            "user__full_name", "user__email"
        )
        people_rows = [
            (
                membership,
                (role_forms or {}).get(membership.pk)
                or RoleForm(prefix=f"member-{membership.pk}", initial={"role": membership.role}),
            )
            for membership in memberships
        ]
        org_admins = list(
            User.objects.filter(
                organization_id=client.organization_id, is_org_admin=True, is_active=True
            ).order_by("full_name", "email")
        )
    if can_manage and client_form is None:
        client_form = ClientForm(
            prefix="client",
            editing=True,
            initial={
                "name": client.name,
                "code": client.code,
                "default_currency": client.default_currency,
                "naming_template": client.naming_template,
            },
        )
    # FX rates: finance data, seen by roles that see budgets and entered by finance and admins.
    fx_rates = (
        list(FxRate.objects.filter(client=client).select_related("updated_by"))
        if can(person, Action.VIEW_FINANCE, client.pk)
        else None
    )
    can_fx = active and can(person, Action.EDIT_FINANCE, client.pk)
    # Invoices and payments: the client's tolerances, limit and accounts in words (one query).
    invoice_settings = (
        describe_finance_settings(
            FinanceSettings.objects.filter(client=client).first() or FinanceSettings(client=client),
            client.default_currency,
        )
        if fx_rates is not None
        else None
    )
    if can_fx and fx_form is None:
        # A plan that misses a rate links here with the month and pair filled in.
        fx_form = FxRateForm(
            prefix="fx",
            initial={
                "currency_to": request.GET.get("fx-currency_to") or client.default_currency,
                **{
                    name: request.GET[f"fx-{name}"]
                    for name in ("month", "currency_from")
                    if request.GET.get(f"fx-{name}")
                },
            },
        )
    return render(
        request,
        "accounts/client_detail.html",
        {
            "fx_rates": fx_rates,
            "invoice_settings": invoice_settings,
            "can_edit_invoice_settings": can_fx,
            "fx_form": fx_form if can_fx else None,
            "client": client,
            "row": row,
            "can_manage": can_manage,
            "can_members": can_members,
            "can_archive": is_org_admin(person),
            "client_form": client_form if can_manage else None,
            "brand_form": (brand_form or BrandForm(prefix="brand")) if can_manage else None,
            "invite_form": (invite_form or InviteForm(prefix="invite")) if can_members else None,
            "brand_rows": brand_rows,
            "people_rows": people_rows,
            "org_admins": org_admins,
            "history": (
                _client_history(client) if can(person, Action.VIEW_HISTORY, client.pk) else None
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's settings; a POST saves its details."""
    client = _client_or_404(request, client_id)
    if request.method != "POST":
        return _client_page(request, client)
    require(request.user, Action.MANAGE_CLIENT, client.pk)
    form = ClientForm(request.POST, prefix="client", editing=True)
    if form.is_valid():
        try:
            services.update_client(
                request.user, client, form.service_values(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            client = _client_or_404(request, client_id)  # show the stored values, not the typed
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(client)
        else:
            messages.success(request, f"Changes to {client.name} saved.")
            return redirect(client)
    return _client_page(request, client, client_form=form)


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    require_org_admin(request.user, "add clients")
    form = ClientForm(request.POST or None, prefix="client")
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(request.user, form.service_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Client {client.name} added. Add its brands and people next."
            )
            return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form})


@login_required
@require_POST
def client_archive(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "restore":
            services.restore_client(request.user, client, reason)
            messages.success(request, f"{client.name} is restored.")
        else:
            services.archive_client(request.user, client, reason)
            messages.success(
                request,
                f"{client.name} is archived. It leaves the client switcher and new campaigns; "
                "its campaigns and history are kept and you can restore it.",
            )
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(client)


def _section(client: Client, anchor: str) -> str:
    return f"{client.get_absolute_url()}#{anchor}"


@login_required
@require_POST
def brand_add(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    require(request.user, Action.MANAGE_CLIENT, client.pk)
    form = BrandForm(request.POST, prefix="brand")
    if form.is_valid():
        try:
            brand = services.add_brand(request.user, client, form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(client)
        else:
            messages.success(request, f"Brand “{brand.name}” added to {client.name}.")
            return redirect(_section(client, "brands"))
    return _client_page(request, client, brand_form=form)


def _brand_or_404(request: HttpRequest, client: Client, brand_id: int) -> Brand:
    # Both ids must match: a brand of another client answers 404 under this client's address.
    return get_object_or_404(
        Brand.objects.visible_to(request.user).select_related("client"),
        pk=brand_id,
        client=client,
    )


@login_required
@require_POST
def brand_rename(request: HttpRequest, client_id: int, brand_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    brand = _brand_or_404(request, client, brand_id)
    require(request.user, Action.MANAGE_CLIENT, client.pk)
    form = BrandForm(request.POST, prefix=f"brand-{brand.pk}")
    if form.is_valid():
        before = brand.name
        try:
            services.rename_brand(request.user, brand, form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(client)
        else:
            if brand.name != before:
                messages.success(request, f"Brand “{before}” is now called “{brand.name}”.")
            return redirect(_section(client, "brands"))
    return _client_page(request, client, brand_forms={brand.pk: form})


@login_required
@require_POST
def brand_archive(request: HttpRequest, client_id: int, brand_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    brand = _brand_or_404(request, client, brand_id)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "restore":
            services.restore_brand(request.user, brand, reason)
            messages.success(request, f"Brand “{brand.name}” is restored.")
        else:
            services.archive_brand(request.user, brand, reason)
            messages.success(
                request,
                f"Brand “{brand.name}” is archived: new campaigns cannot pick it; "
                "campaigns that use it keep it.",
            )
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(_section(client, "brands"))


@login_required
@require_POST
def person_invite(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    require(request.user, Action.MANAGE_MEMBERS, client.pk)
    form = InviteForm(request.POST, prefix="invite")
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invite_person(
                request.user,
                client,
                data["email"],
                data["full_name"],
                data["role"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(client)
        else:
            membership = invitation.membership
            who, role = membership.user.display_name, membership.get_role_display()
            if invitation.new_account:
                text = (
                    f"{who} is invited as {role} on {client.name}. They get an e-mail with "
                    "a link to choose a password."
                )
            elif invitation.emailed:
                text = f"{who} is {role} on {client.name}; the invitation e-mail is sent again."
            else:
                text = f"{who} is now {role} on {client.name}; they log in as usual."
            messages.success(request, text)
            return redirect(_section(client, "people"))
    return _client_page(request, client, invite_form=form)


def _membership_or_404(request: HttpRequest, client: Client, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("user", "client"),
        pk=membership_id,
        client=client,
    )


@login_required
@require_POST
def member_role(request: HttpRequest, client_id: int, membership_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    membership = _membership_or_404(request, client, membership_id)
    require(request.user, Action.MANAGE_MEMBERS, client.pk)
    form = RoleForm(request.POST, prefix=f"member-{membership.pk}")
    if form.is_valid():
        try:
            changed = services.grant_role(
                request.user,
                user=membership.user,
                client=client,
                role=Role(form.cleaned_data["role"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(_section(client, "people"))
        else:
            messages.success(
                request,
                f"{membership.user.display_name} is {changed.get_role_display()} on {client.name}.",
            )
            return redirect(_section(client, "people"))
    return _client_page(request, client, role_forms={membership.pk: form})


@login_required
@require_POST
def member_remove(request: HttpRequest, client_id: int, membership_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    membership = _membership_or_404(request, client, membership_id)
    who = membership.user.display_name
    try:
        services.revoke_role(request.user, membership, request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(_section(client, "people"))
    messages.success(request, f"{who} no longer has a role on {client.name}.")
    # Removing yourself can take the client out of your sight: go where you still may look.
    if not Client.objects.visible_to(request.user).filter(pk=client.pk).exists():
        return redirect("accounts:settings")
    return redirect(_section(client, "people"))


# --- FX rates ---------------------------------------------------------------------------------


@login_required
@require_POST
def fx_rate_set(request: HttpRequest, client_id: int) -> HttpResponse:
    """Enter a month's rate of a currency pair, or change it (the same month and pair again)."""
    client = _client_or_404(request, client_id)
    require(request.user, Action.EDIT_FINANCE, client.pk)
    form = FxRateForm(request.POST, prefix="fx")
    if form.is_valid():
        try:
            fx = services.set_fx_rate(request.user, client, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(_section(client, "fx-rates"))
        else:
            messages.success(
                request,
                f"1 {fx.currency_from} = {fx.rate_text} {fx.currency_to} in {fx.month:%b %Y} "
                f"for {client.name}.",
            )
            return redirect(_section(client, "fx-rates"))
    return _client_page(request, client, fx_form=form)


@login_required
@require_POST
def fx_rate_remove(request: HttpRequest, client_id: int, fx_rate_id: int) -> HttpResponse:
    client = _client_or_404(request, client_id)
    # Both ids must match: a rate of another client answers 404 under this client's address.
    fx = get_object_or_404(
        FxRate.objects.visible_to(request.user).select_related("client"),
        pk=fx_rate_id,
        client=client,
    )
    try:
        services.remove_fx_rate(request.user, fx, request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        pair = f"{fx.currency_from}→{fx.currency_to}"
        messages.success(request, f"The {pair} rate for {fx.month:%b %Y} is removed.")
    return redirect(_section(client, "fx-rates"))
