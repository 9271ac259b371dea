from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from mediadesk.accounts.models import User
from mediadesk.accounts.services import LoginRefused, LoginThrottled, check_login


class LoginForm(forms.Form):
    email = forms.EmailField(
        label="E-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.user = check_login(self.request, data["email"], data["password"])
        except (LoginRefused, LoginThrottled) as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What uses it, e.g. 'Looker dashboard' or 'Nightly export'.",
    )
    days_valid = forms.TypedChoiceField(
        label="Valid for",
        choices=[("", "Until revoked"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")],
        coerce=int,
        empty_value=None,
        required=False,
    )
