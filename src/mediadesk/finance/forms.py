"""Forms of the finance pages: the invoice header and its lines, the actions on an invoice,
payment batches and the invoice file import. Services decide; these only read what was typed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from mediadesk.accounts.models import CURRENCY_CHOICES, Client
from mediadesk.finance.choices import ExportLayout, InvoiceStatus
from mediadesk.finance.services import LineInput
from mediadesk.vendors.models import Vendor

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"})
MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# A vendor PDF is read only up to this size; the service refuses anything above 20 MB.
MAX_PDF_READ = 20 * 1024 * 1024 + 1


class InvoiceForm(forms.Form):
    """The header of an invoice (or of a credit note, when ``credit_for`` is set)."""

    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none(), empty_label="Choose the vendor")
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        empty_label="Choose the client",
        help_text="The client whose insertion orders the invoice bills.",
    )
    number = forms.CharField(
        label="Invoice number", max_length=60, help_text="As printed on the invoice."
    )
    invoice_date = forms.DateField(widget=DATE_WIDGET)
    due_date = forms.DateField(widget=DATE_WIDGET, required=False)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    total = forms.DecimalField(
        label="Stated total",
        max_digits=16,
        widget=MONEY_WIDGET,
        help_text="The total before tax, as printed on the invoice (negative for a credit note).",
    )
    tax = forms.DecimalField(
        max_digits=16,
        required=False,
        widget=MONEY_WIDGET,
        help_text="Leave empty to add up the lines' tax.",
    )
    file = forms.FileField(
        label="Vendor's PDF",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text="Optional: the invoice as the vendor sent it (PDF, up to 20 MB).",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    credit_for = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, vendors: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors  # type: ignore[attr-defined]
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]

    def pdf(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        chunks, total = [], 0
        for chunk in upload.chunks():
            total += len(chunk)
            chunks.append(chunk)
            if total >= MAX_PDF_READ:
                break
        return b"".join(chunks), upload.name


def parse_month(value: str) -> tuple[int, int]:
    found = MONTH.match(value or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError(f"“{value}” is not a month; write it as YYYY-MM, e.g. 2026-10.")
    return int(found.group(1)), int(found.group(2))


class LineForm(forms.Form):
    """One invoice line; a line left blank is skipped."""

    placement = forms.CharField(label="Placement code", max_length=120)
    io_number = forms.CharField(label="IO number", max_length=60, required=False)
    month = forms.CharField(
        label="Month", max_length=7, widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"})
    )
    description = forms.CharField(max_length=300, required=False)
    quantity = forms.DecimalField(max_digits=18, required=False, widget=MONEY_WIDGET)
    amount = forms.DecimalField(max_digits=16, widget=MONEY_WIDGET)
    tax = forms.DecimalField(max_digits=16, required=False, widget=MONEY_WIDGET)

    def clean_month(self) -> tuple[int, int]:
        return parse_month(self.cleaned_data["month"])

    def line_input(self) -> LineInput:
        data = self.cleaned_data
        return LineInput(
            placement=data["placement"],
            month=data["month"],
            amount=data["amount"],
            io_number=data.get("io_number") or "",
            description=data.get("description") or "",
            quantity=data.get("quantity"),
            tax=data.get("tax") or 0,  # type: ignore[arg-type]
        )


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=1, validate_min=True)


class FilterForm(forms.Form):
    """The invoice list's filters; a value that is not offered is ignored and explained."""

    q = forms.CharField(required=False, label="Search")
    client = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    vendor = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *InvoiceStatus.choices])

    def __init__(self, *args: Any, clients: Any, vendors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "Any"), *((c.pk, c.name) for c in clients)]  # type: ignore[attr-defined]
        self.fields["vendor"].choices = [("", "Any"), *((v.pk, v.name) for v in vendors)]  # type: ignore[attr-defined]


class DisputeForm(forms.Form):
    note = forms.CharField(
        label="What is disputed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what is wrong and what you expect from the vendor (e.g. a credit note).",
    )


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    override_reason = forms.CharField(
        label="Why it is approved despite the discrepancies",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required when the match found discrepancies.",
    )


class BatchForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label="Choose the client")
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    layout = forms.ChoiceField(
        label="Payment file layout",
        choices=ExportLayout.choices,
        help_text="The other layout can be downloaded from the batch too.",
    )

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]


class PaidForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=DATE_WIDGET, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Invoice file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text="CSV or XLSX, one row per invoice line (see the columns below).",
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        required=False,
        empty_label="Take it from the IO lines",
        help_text="Only needed when the lines name no placement on an accepted IO.",
    )

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
