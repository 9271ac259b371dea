from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import CURRENCY_CHOICES, User
from mediadesk.accounts.services import LoginRefused, LoginThrottled, check_login
from mediadesk.domain.naming import DEFAULT_TEMPLATE, TOKENS


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


# --- Settings: clients, brands, people ---------------------------------------------------------
# Plain forms: the services validate and tidy the values, so the page, API and CLI agree.


class ClientForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Short code used in naming conventions, e.g. NWND.",
    )
    default_currency = forms.ChoiceField(
        label="Currency",
        choices=CURRENCY_CHOICES,
        initial="EUR",
        help_text="New campaigns start in it.",
    )
    naming_template = forms.CharField(
        label="Naming convention for placement codes",
        max_length=200,
        initial=DEFAULT_TEMPLATE,
        required=False,
        help_text="Left empty: the default. Tokens: "
        + ", ".join("{" + token + "}" for token in TOKENS)
        + ".",
    )
    reason = forms.CharField(
        required=False,
        label="Reason for the change",
        help_text="Optional; kept in the client's history.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["reason"]

    def service_values(self) -> dict[str, Any]:
        names = ("name", "code", "default_currency", "naming_template")
        values = {name: self.cleaned_data[name] for name in names}
        values["naming_template"] = values["naming_template"] or DEFAULT_TEMPLATE
        return values


class BrandForm(forms.Form):
    name = forms.CharField(label="Brand name", max_length=200)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(
        label="Name", max_length=200, required=False, help_text="As colleagues know them."
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.COORDINATOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class FxRateForm(forms.Form):
    """One month's rate of a currency pair; the service checks and tidies the values."""

    month = forms.CharField(
        label="Month",
        max_length=10,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
        help_text="Year and month, such as 2026-10.",
    )
    currency_from = forms.ChoiceField(label="From", choices=CURRENCY_CHOICES, initial="USD")
    currency_to = forms.ChoiceField(label="To", choices=CURRENCY_CHOICES, initial="EUR")
    rate = forms.CharField(
        label="Rate",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"}),
        help_text="What 1 unit of the first currency is worth in the second, such as 0.92.",
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages beside the fields they name (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
