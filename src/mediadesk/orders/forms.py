"""Forms of the insertion order pages. They check the shape of what was typed; every rule about
orders (who may, in which state, which values) is the service's, shown beside the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from mediadesk.orders.choices import AdjustmentKind, OrderStatus
from mediadesk.orders.models import InsertionOrder, OrderLine
from mediadesk.orders.services import MAX_COUNTERSIGNED_BYTES
from mediadesk.vendors.models import VendorContact

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"})


class OrderFilterForm(forms.Form):
    """The filters of the IO list; a value that is not one of the choices is dropped."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *OrderStatus.choices])
    vendor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    client = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    campaign = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, vendors: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vendor_field: Any = self.fields["vendor"]
        vendor_field.choices = [("", "Any"), *((v.pk, v.name) for v in vendors)]
        client_field: Any = self.fields["client"]
        client_field.choices = [("", "All clients"), *((c.pk, c.name) for c in clients)]


class OrderHeaderForm(forms.ModelForm):  # type: ignore[type-arg]
    """The header of a draft: who receives it, billing source, terms and notes."""

    class Meta:
        model = InsertionOrder
        fields = [
            "vendor_contact", "billing_source", "payment_terms", "notes", "cancellation_terms",
            "terms",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "cancellation_terms": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"vendor_contact": "Vendor contact"}
        help_texts = {"vendor_contact": "The person the order is sent to by default."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact: Any = self.fields["vendor_contact"]
        contact.queryset = VendorContact.objects.filter(vendor_id=self.instance.vendor_id)
        contact.empty_label = "Nobody yet"

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SendForm(forms.Form):
    to = forms.EmailField(
        label="Send to",
        required=False,
        help_text="The vendor contact's address unless you give another.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    message = forms.CharField(
        required=False,
        label="Message",
        help_text="Optional; goes into the e-mail above the answer link.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CountersignedForm(forms.Form):
    file = forms.FileField(
        label="Countersigned PDF",
        help_text=(
            "The order signed by the vendor, as a PDF up to "
            f"{MAX_COUNTERSIGNED_BYTES // 1_048_576} MB. Uploading it marks the order accepted."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the order's history.",
    )


class AdjustmentForm(forms.Form):
    """A makegood (free units) or a cancellation (cost taken off) on one line of the order."""

    line = forms.ModelChoiceField(queryset=OrderLine.objects.none(), empty_label="Choose a line")
    kind = forms.ChoiceField(choices=AdjustmentKind.choices, initial=AdjustmentKind.MAKEGOOD)
    quantity = forms.DecimalField(
        required=False, label="Units (makegood)", min_value=Decimal("0"), max_digits=18,
        decimal_places=2, widget=NUMBER_WIDGET,
    )  # fmt: skip
    cost = forms.DecimalField(
        required=False, label="Cost taken off (cancellation)", min_value=Decimal("0"),
        max_digits=16, decimal_places=2, widget=NUMBER_WIDGET,
    )  # fmt: skip
    effective = forms.DateField(label="Effective", widget=DATE_WIDGET)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For a makegood: what it replaces (e.g. the spots missed on 12 Oct).",
    )

    def __init__(self, *args: Any, order: InsertionOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line: Any = self.fields["line"]
        line.queryset = order.lines.exclude(change="removed")
        line.label_from_instance = lambda obj: f"{obj.code} · {obj.description}"[:120]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "quantity": data.get("quantity") or Decimal("0"),
            "cost": data.get("cost") or Decimal("0"),
            "effective": data["effective"],
            "note": data.get("note") or "",
        }


class AnswerForm(forms.Form):
    """The vendor's answer through the link: who answers, and why if declining."""

    name = forms.CharField(
        label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    title = forms.CharField(
        label="Your job title",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    reason = forms.CharField(
        label="Reason for declining",
        required=False,
        max_length=2000,
        help_text="Needed only if you decline: say what the agency should change.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrderSettingsForm(forms.Form):
    """How the organization numbers its IOs and the terms printed on them; the service checks
    the values (a scheme without {seq}, links beyond 90 days)."""

    number_format = forms.CharField(
        label="IO number scheme",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "code", "autocomplete": "off"}),
        help_text="Fields: {client} (the client's code), {campaign} (the campaign's code), "
        "{year} and {seq}, the running number; {seq:04d} writes it with four digits (0042).",
    )
    next_sequence = forms.CharField(
        label="Next sequence number",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "num-input"}),
        help_text="The {seq} of the next IO; numbers already used are skipped.",
    )
    link_days = forms.CharField(
        label="Acceptance link valid for (days)",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "num-input"}),
        help_text="How long the link in a sent IO works for the vendor: 1 to 90 days.",
    )
    terms = forms.CharField(
        label="Terms and conditions",
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text="Printed on every IO.",
    )
    cancellation_terms = forms.CharField(
        label="Cancellation terms",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on every IO, below the terms.",
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        required=False,
        help_text="Optional; kept in the history.",
    )

    def service_values(self) -> dict[str, Any]:
        names = ("number_format", "next_sequence", "link_days", "terms", "cancellation_terms")
        return {name: self.cleaned_data[name] for name in names}
