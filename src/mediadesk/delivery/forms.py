"""Forms of the delivery pages: a matching rule, the performance filters, and the column
mapping of an export of no known layout."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from mediadesk.accounts.models import CURRENCY_CHOICES
from mediadesk.delivery.models import RULE_KIND_CHOICES
from mediadesk.ingest.delivery.detect import PLATFORMS, fold
from mediadesk.ingest.delivery.generic import FIXED_CURRENCY, SYNONYMS
from mediadesk.planning.models import Placement

PLATFORM_LABELS: dict[str, str] = {
    "google_ads": "Google Ads",
    "meta": "Meta",
    "linkedin": "LinkedIn",
    "microsoft_ads": "Microsoft Advertising",
    "tiktok": "TikTok",
    "x": "X",
    "dv360": "Display & Video 360",
    "cm360": "Campaign Manager 360",
    "amazon_ads": "Amazon Ads",
    "ga4": "Google Analytics 4",
    "generic": "Other (generic table)",
}

GROUPINGS = [("placement", "Placement"), ("channel", "Channel"), ("week", "Week")]


def platform_label(platform: str) -> str:
    return PLATFORM_LABELS.get(platform, platform or "Any platform")


def placement_choices(placements: list[Placement]) -> list[tuple[str, str]]:
    return [(p.line_key, f"{p.code} — {p.get_channel_display()}, {p.vendor}") for p in placements]


class RuleForm(forms.Form):
    """A matching rule: which rows go to which placement (services.add_rule checks the rest)."""

    kind = forms.ChoiceField(label="Kind of rule", choices=RULE_KIND_CHOICES)
    value = forms.CharField(
        label="ID, pattern or text",
        required=False,
        max_length=300,
        help_text="Platform ID: the ID as the export writes it. Pattern: * for any text, "
        "? for one character, e.g. *Brand*Search*. Name contains: text in the campaign or "
        "ad group name. Not needed for “Assigned by hand”.",
    )
    line_key = forms.ChoiceField(label="Placement")
    platform = forms.ChoiceField(label="Only rows from platform", required=False)
    account = forms.CharField(
        label="Only rows of account",
        required=False,
        max_length=200,
        help_text="Optional; the account name as the export writes it.",
    )
    source_campaign = forms.CharField(
        label="Campaign name",
        required=False,
        max_length=300,
        help_text="For “Assigned by hand”: the campaign name as the platform writes it.",
    )
    source_ad_group = forms.CharField(
        label="Ad group name",
        required=False,
        max_length=300,
        help_text="For “Assigned by hand”: the ad group name (empty = every ad group).",
    )

    def __init__(self, *args: Any, placements: list[Placement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line_field: Any = self.fields["line_key"]
        line_field.choices = [("", "Choose a placement"), *placement_choices(placements)]
        platform_field: Any = self.fields["platform"]
        platform_field.choices = [("", "Any platform")] + [
            (name, PLATFORM_LABELS.get(name, name)) for name in PLATFORMS
        ]

    def service_values(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name: data.get(name) or ""
            for name in ("kind", "line_key", "value", "platform", "account", "source_campaign",
                         "source_ad_group")
        }  # fmt: skip


class PerformanceFilters(forms.Form):
    """The performance page's filters: from, to (default the flight) and the grouping."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label="From", required=False, widget=widget)
        self.fields["to"] = forms.DateField(label="To", required=False, widget=widget)
        self.fields["by"] = forms.ChoiceField(label="Rows by", choices=GROUPINGS, required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        if isinstance(first, date) and isinstance(last, date) and first > last:
            self.add_error("to", "The end comes before the start; choose a later day.")
        return data


# --- Column mapping of an export of no known layout -----------------------------------------------

# Every field a mapping can name, in the order the mapping step lists them, with a human label.
MAPPING_LABELS: dict[str, str] = {
    "date": "Day (date)",
    "account": "Account",
    "campaign": "Campaign name",
    "ad_group": "Ad group, line item or programme",
    "placement_key": "Placement key (code or ID)",
    "currency": "Currency",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "spend": "Spend (cost)",
    "conversions": "Conversions",
    "conversion_value": "Conversion value",
    "video_views": "Video views",
    "video_completions": "Video completions",
    "reach": "Reach",
    "engagements": "Engagements",
    "grps": "GRPs",
    "spots": "Spots",
}
NAME_FIELDS = ("date", "account", "campaign", "ad_group", "placement_key", "currency")
MAPPING_HELP: dict[str, str] = {
    "date": "Needed: the day each row delivered.",
    "campaign": "Names match rows to placements (by their codes or the matching rules).",
    "placement_key": "A column with the plan's placement code, if the file has one.",
    "currency": "Leave on “not in the file” when the amounts are in the campaign's currency.",
    "spend": "Amounts as the file writes them (1.234,56 and 1,234.56 both read).",
    "spots": "The number of spots on each row, if the file has such a column.",
}
NOT_IN_FILE = "— not in the file —"
_WORDS = re.compile(r"[^\W_]+")
_CURRENCY_SUFFIX = re.compile(r"\s*\((?:[A-Za-z]{3}|[€£₹¥$]|rs\.?)\)\s*$", re.IGNORECASE)


def mapping_label(field: str) -> str:
    if field == FIXED_CURRENCY:
        return "Amounts are in"
    return MAPPING_LABELS.get(field, field.replace("_", " ").capitalize())


def mapping_fields(mappable: Sequence[str]) -> list[str]:
    """The mappable fields in the mapping step's order (a field added later comes last)."""
    known = [field for field in MAPPING_LABELS if field in mappable]
    return known + [field for field in mappable if field not in MAPPING_LABELS]


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(fold(_CURRENCY_SUFFIX.sub("", text))))


def _names(field: str) -> set[tuple[str, ...]]:
    """A field's header names as words: the readers' synonyms, its label and its own name."""
    texts = [*SYNONYMS.get(field, ()), mapping_label(field), field.replace("_", " ")]
    return {words for text in texts if (words := _words(text))}


def _contains(words: tuple[str, ...], name: tuple[str, ...]) -> bool:
    size = len(name)
    return any(words[start : start + size] == name for start in range(len(words) - size + 1))


def guess_mapping(headers: Sequence[str], fields: Sequence[str]) -> dict[str, str]:
    """A first guess of field -> header where a header obviously names a field: the header is a
    known name of the field ("Cost (EUR)" is spend), else it contains one as whole words
    ("Impressions delivered") and no other field's. Each header is guessed for one field."""
    names = {field: _names(field) for field in fields}
    words = {header: _words(header) for header in headers}
    guessed: dict[str, str] = {}
    used: set[str] = set()
    for field in fields:  # exact names first
        header = next((h for h in headers if h not in used and words[h] in names[field]), None)
        if header is not None:
            guessed[field] = header
            used.add(header)
    for header in headers:  # then headers that contain the name of exactly one field
        if header in used or not words[header]:
            continue
        fitting = [
            field
            for field in fields
            if any(_contains(words[header], name) for name in names[field])
        ]
        if len(fitting) == 1 and fitting[0] not in guessed:
            guessed[fitting[0]] = header
            used.add(header)
    return guessed


class DeliveryMappingForm(forms.Form):
    """Which of the file's columns holds each field (services.check_mapping checks the rest),
    and an optional name to save the mapping under for the client's next files."""

    save_as = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=100,
        help_text="Files with these columns are then read by it without asking; a saved "
        "mapping of the same name is replaced. Leave empty to use it for this file only.",
    )

    def __init__(
        self,
        *args: Any,
        headers: Sequence[str],
        fields: Sequence[str],
        examples: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "map")
        super().__init__(*args, **kwargs)
        examples = examples or {}
        unique = list(dict.fromkeys(headers))
        choices = [("", NOT_IN_FILE)] + [
            (header, f"{header} (e.g. {examples[header]})" if examples.get(header) else header)
            for header in unique
        ]
        self.mapped = mapping_fields(fields)
        for field in self.mapped:
            self.fields[field] = forms.ChoiceField(
                label=mapping_label(field),
                choices=choices,
                required=False,
                help_text=MAPPING_HELP.get(field, ""),
            )
        self.fields[FIXED_CURRENCY] = forms.ChoiceField(
            label=mapping_label(FIXED_CURRENCY),
            choices=[
                ("", "As the currency column says (else the campaign's currency)"),
                *CURRENCY_CHOICES,
            ],
            required=False,
            help_text='For a file that names its currency only in words, such as "Net EUR".',
        )
        self.order_fields([*self.mapped, FIXED_CURRENCY, "save_as"])

    def name_fields(self) -> list[forms.BoundField]:
        return [self[field] for field in self.mapped if field in NAME_FIELDS]

    def metric_fields(self) -> list[forms.BoundField]:
        return [self[field] for field in self.mapped if field not in NAME_FIELDS]

    def mapping(self) -> dict[str, str]:
        """Field -> header for every field given a column."""
        data = self.cleaned_data
        return {field: data[field] for field in (*self.mapped, FIXED_CURRENCY) if data.get(field)}

    def refused(self, error: ValidationError) -> None:
        """Put services.check_mapping's refusal beside the form (on the day field when it is
        the day that is missing)."""
        missing_day = "date" in self.fields and not self.cleaned_data.get("date")
        self.add_error("date" if missing_day else None, error.messages)
