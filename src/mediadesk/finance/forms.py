"""Forms of the finance pages: the invoice header and its lines, the actions on an invoice,
payment batches and the invoice file import. Services decide; these only read what was typed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from mediadesk.accounts.models import CURRENCY_CHOICES, Client
from mediadesk.domain.costmodels import COST_MODEL_LABELS
from mediadesk.finance.choices import ExportLayout, InvoiceStatus
from mediadesk.finance.services import TOLERANCE_NAMES, LineInput, tolerance_applies
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


# --- A client's matching tolerances, approval limit and accounts -----------------------------

NUMBER_WIDGET = {"inputmode": "decimal", "class": "num-input", "autocomplete": "off"}


class FinanceSettingsForm(forms.Form):
    """The general tolerances, one cell per cost model and tolerance that applies to it, the
    approval limit and the accounts. Plain text: the service checks and tidies every value."""

    rounding_units = forms.CharField(
        label="Rounding (cents)",
        max_length=12,
        widget=forms.TextInput(attrs={**NUMBER_WIDGET, "inputmode": "numeric"}),
        help_text="Differences up to this many cents (minor units of the invoice's currency) "
        "are rounding, not a discrepancy.",
    )
    grp_percent = forms.CharField(
        label="GRP tolerance %",
        max_length=12,
        widget=forms.TextInput(attrs=NUMBER_WIDGET),
        help_text="A CPP buy delivering within this share of its ordered GRPs is paid as ordered.",
    )
    delivery_percent = forms.CharField(
        label="Over-delivery allowance %",
        max_length=12,
        widget=forms.TextInput(attrs=NUMBER_WIDGET),
        help_text="Over-delivery is paid up to this much above the ordered cost; "
        "0: never more than the ordered cost.",
    )
    second_approval_above = forms.CharField(
        label="Second approval above",
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=NUMBER_WIDGET),
        help_text="Invoices with a total above this amount (in the invoice's currency) need a "
        "second finance approver. Empty: never.",
    )
    expense_account = forms.CharField(
        label="Expense account", max_length=40, help_text="Media costs are booked to it."
    )
    payable_account = forms.CharField(
        label="Accounts payable", max_length=40, help_text="What is owed to vendors."
    )
    cost_centre = forms.CharField(
        label="Cost centre", max_length=40, required=False, help_text="Optional."
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        required=False,
        help_text="Optional; kept in the history.",
    )

    def __init__(
        self,
        *args: Any,
        stored_overrides: dict[str, Any] | None = None,
        general: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.stored_overrides = stored_overrides or {}
        self.override_errors: list[str] = []
        # field name -> (cost model, tolerance): the cells of the overrides table
        self.cells: dict[str, tuple[str, str]] = {}
        for model, label in COST_MODEL_LABELS.items():
            for name, words in TOLERANCE_NAMES.items():
                if not tolerance_applies(model.value, name):
                    continue
                attrs = {**NUMBER_WIDGET, "class": "num-input cell-input"}
                if name == "rounding_units":
                    attrs["inputmode"] = "numeric"
                if general and name in general:
                    attrs["placeholder"] = general[name]
                field_name = cell_name(model.value, name)
                self.fields[field_name] = forms.CharField(
                    label=f"{label}: {words}",
                    max_length=12,
                    required=False,
                    widget=forms.TextInput(attrs=attrs),
                )
                self.cells[field_name] = (model.value, name)

    def clean_second_approval_above(self) -> str:
        # Thousands separators as people type them: 50,000.00 or 50 000.
        value: str = self.cleaned_data["second_approval_above"]
        return value.replace(",", "").replace(" ", "").replace("\u00a0", "")

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("rounding_units", "grp_percent", "delivery_percent", "expense_account",
                 "payable_account", "cost_centre")  # fmt: skip
        values: dict[str, Any] = {name: data[name] for name in names}
        values["second_approval_above"] = data["second_approval_above"] or None
        # Values the page does not show (a GRP tolerance on a CPM buy, set through the API)
        # are kept as they are; the cells replace the rest.
        overrides = {
            model: dict(entry)
            for model, entry in self.stored_overrides.items()
            if isinstance(entry, dict)
        }
        for field_name, (model, name) in self.cells.items():
            entry = overrides.setdefault(model, {})
            if data.get(field_name):
                entry[name] = data[field_name]
            else:
                entry.pop(name, None)
        values["overrides"] = {model: entry for model, entry in overrides.items() if entry}
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        """Each message beside its field; an override's beside its cell, the others above the
        table."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, errors in error.error_dict.items():
            for item in errors:
                texts = item.messages
                if field == "overrides":
                    model, _, name = (item.code or "").partition(".")
                    target = cell_name(model, name) if name else ""
                    if target in self.fields:
                        self.add_error(target, texts)
                    else:
                        self.override_errors.extend(texts)
                else:
                    self.add_error(field if field in self.fields else None, texts)


def cell_name(model: str, name: str) -> str:
    """The form field of one cell of the overrides table, such as ``cpp-grp_percent``."""
    return f"{model}-{name}"
