from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mediadesk.accounts import services
from mediadesk.accounts.choices import Role
from mediadesk.accounts.forms import LoginForm, TokenForm
from mediadesk.accounts.middleware import LOGIN_AT
from mediadesk.accounts.models import ApiToken, User
from mediadesk.accounts.permissions import matrix


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
            "tokens": ApiToken.objects.filter(user=person).order_by(
                "revoked_at", "-created_at"
            ),
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
