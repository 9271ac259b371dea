"""Forms of the delivery pages: a matching rule, and the performance filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from mediadesk.delivery.models import RULE_KIND_CHOICES
from mediadesk.ingest.delivery.detect import PLATFORMS
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
