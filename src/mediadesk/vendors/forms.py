from __future__ import annotations

from typing import Any

from django import forms

from mediadesk.vendors.models import Vendor, VendorContact


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
