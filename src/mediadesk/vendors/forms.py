from __future__ import annotations

from typing import Any

from django import forms

from mediadesk.accounts.models import Client
from mediadesk.vendors.choices import DocumentKind
from mediadesk.vendors.documents import ACCEPT_ATTRIBUTE, MAX_DOCUMENT_BYTES
from mediadesk.vendors.models import NegotiatedRate, RateCard, RateCardLine, Vendor, VendorContact

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATE_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"})


class VendorForm(forms.ModelForm):  # type: ignore[type-arg]
    """Create and edit a vendor. Validation is the model's and the service's, as in the API."""

    website = forms.URLField(
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    reason = forms.CharField(
        required=False,
        label="Reason for the change",
        help_text="Optional; kept in the vendor's history.",
    )

    class Meta:
        model = Vendor
        fields = [
            "name", "kind", "website", "tax_id", "payment_terms", "currency", "address", "notes",
        ]  # fmt: skip
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["reason"]

    def validate_unique(self) -> None:
        """The service checks the name (case-insensitively, naming the other vendor)."""

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContactForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = VendorContact
        fields = ["name", "position", "email", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RateCardForm(forms.ModelForm):  # type: ignore[type-arg]
    """A rate card's name, currency and validity; its lines are added one by one."""

    reason = forms.CharField(
        required=False,
        label="Reason for the change",
        help_text="Optional; kept in the rate card's history.",
    )

    class Meta:
        model = RateCard
        fields = ["name", "currency", "valid_from", "valid_to", "notes"]
        widgets = {
            "valid_from": DATE_WIDGET,
            "valid_to": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["reason"]

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RateLineForm(forms.ModelForm):  # type: ignore[type-arg]
    """One line of a rate card (added, or changed in place)."""

    class Meta:
        model = RateCardLine
        fields = ["format", "market", "daypart", "cost_model", "rate"]
        widgets = {"rate": RATE_WIDGET}

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NegotiatedRateForm(forms.ModelForm):  # type: ignore[type-arg]
    """A client's negotiated rate; the clients offered are those the user may change rates of."""

    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label="Choose a client")

    class Meta:
        model = NegotiatedRate
        fields = [
            "format", "market", "daypart", "cost_model", "rate", "currency", "valid_from",
            "valid_to", "notes",
        ]  # fmt: skip
        widgets = {
            "rate": RATE_WIDGET,
            "valid_from": DATE_WIDGET,
            "valid_to": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "negotiated_%s")  # unique ids beside the other forms
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        client_field.queryset = clients
        self.order_fields(["client", *self.Meta.fields])

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DocumentForm(forms.Form):
    """Upload a vendor document: a PDF or an image, with its kind and expiry date."""

    kind = forms.ChoiceField(choices=DocumentKind.choices, initial=DocumentKind.CONTRACT)
    file = forms.FileField(
        help_text=f"A PDF or an image (PNG, JPEG), up to {MAX_DOCUMENT_BYTES // 1_048_576} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    expires_on = forms.DateField(
        required=False, widget=DATE_WIDGET, help_text="Blank if it does not expire."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "document_%s")  # unique ids beside the other forms
        super().__init__(*args, **kwargs)

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("kind", "expires_on", "notes")}
