"""Forms of the creative pages. They check the shape of what was typed; every rule about assets,
rights and reviews (who may, in which state, which values) is the service's, shown beside the
field by the view."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from mediadesk.creative.choices import AssetKind, AssetStatus, Decision, RightKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SIZE = re.compile(r"^\s*(\d{1,5})\s*[x×X]\s*(\d{1,5})\s*$")
HEADLINES = 15
DESCRIPTIONS = 4
PATHS = 2


class AssetFilterForm(forms.Form):
    """The filters of the asset library; a value that is not one of the choices is dropped."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *AssetKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *AssetStatus.choices])
    client = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    campaign = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    tag = forms.CharField(required=False, max_length=60)
    size = forms.CharField(
        required=False, max_length=20, help_text="Width x height in pixels, e.g. 300x250."
    )
    rights = forms.ChoiceField(
        required=False,
        label="Usage rights",
        choices=[
            ("", "Any"),
            ("soon", "Expired or expiring within 30 days"),
            ("expired", "Expired"),
        ],
    )
    archived = forms.BooleanField(required=False, label="Show archived")

    def __init__(self, *args: Any, clients: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        client_field.choices = [("", "All clients"), *((c.pk, c.name) for c in clients)]
        campaign_field: Any = self.fields["campaign"]
        campaign_field.choices = [
            ("", "Any campaign"),
            *((c.pk, f"{c.name} ({c.code})") for c in campaigns),
        ]

    def clean_size(self) -> tuple[int, int] | None:
        text = self.cleaned_data.get("size", "")
        if not text:
            return None
        match = SIZE.match(text)
        if not match:
            raise forms.ValidationError("Give the size as width x height, e.g. 300x250.")
        return int(match.group(1)), int(match.group(2))


class AssetEditForm(forms.Form):
    """Name, campaign, placements, specs, tags and notes of an asset."""

    name = forms.CharField(max_length=200)
    campaign = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Changing the campaign clears the placements; choose them again afterwards.",
    )
    placements = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The placements this asset is made for: each version is checked against "
        "their specs.",
    )
    specs = forms.MultipleChoiceField(
        required=False,
        label="Other specs",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Specs to check against besides the placements' own (Ctrl/⌘-click for more).",
    )
    tags = forms.CharField(
        required=False, max_length=500, help_text="Separate tags with commas: hero, autumn, DE."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, campaigns: Any, placements: Any, specs: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        campaign_field: Any = self.fields["campaign"]
        campaign_field.choices = [
            ("", "No campaign"),
            *((c.pk, f"{c.name} ({c.code})") for c in campaigns),
        ]
        placement_field: Any = self.fields["placements"]
        placement_field.choices = [(p.line_key, placement_label(p)) for p in placements]
        spec_field: Any = self.fields["specs"]
        spec_field.choices = list(specs)

    def clean_tags(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


def placement_label(placement: Any) -> str:
    parts = [placement.code, placement.vendor, placement.format]
    return " · ".join(part for part in parts if part)


def split_tags(text: str) -> list[str]:
    return [tag.strip()[:60] for tag in text.split(",") if tag.strip()]


class _OwnIds(forms.Form):
    """The asset page holds several forms with a "note": each form's ids get its own prefix."""

    ids = "id_%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class VersionForm(_OwnIds):
    ids = "version_%s"

    file = forms.FileField(
        label="New file", help_text="Same kind as the asset; it becomes the next version."
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RightForm(_OwnIds):
    ids = "right_%s"

    kind = forms.ChoiceField(choices=RightKind.choices, label="Kind of right")
    holder = forms.CharField(max_length=200, label="Rights holder")
    territories = forms.CharField(
        required=False,
        max_length=300,
        help_text="Two-letter country codes, EU or WW, separated by commas.",
    )
    starts = forms.DateField(required=False, widget=DATE_WIDGET)
    expires = forms.DateField(required=False, widget=DATE_WIDGET, help_text="Leave empty if none.")
    notes = forms.CharField(required=False, max_length=2000)

    def clean_territories(self) -> list[str]:
        text = self.cleaned_data.get("territories", "")
        return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]


class ArchiveForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)


class DecideForm(_OwnIds):
    ids = "decide_%s"

    decision = forms.ChoiceField(choices=Decision.choices)
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you request changes or reject: say what needs to change.",
    )


class LinkForm(_OwnIds):
    ids = "link_%s"

    name = forms.CharField(max_length=200, label="Reviewer's name")
    email = forms.EmailField(label="Reviewer's e-mail")


def _fraction() -> forms.DecimalField:
    """A pin's x, y, width or height: a fraction of the picture, 0 to 1."""
    return forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=5,
        min_value=Decimal(0),
        max_value=Decimal(1),
        widget=forms.HiddenInput,
    )


class CommentForm(_OwnIds):
    ids = "comment_%s"

    body = forms.CharField(
        max_length=8000,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mention a colleague with @their e-mail address.",
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    x = _fraction()
    y = _fraction()
    width = _fraction()
    height = _fraction()
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    time_seconds = forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=3,
        widget=forms.HiddenInput,
    )

    def pin(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in ("x", "y", "width", "height", "page")} | {
            "time_seconds": data.get("time_seconds")
        }


class CopyForm(forms.Form):
    """Ad copy typed in: headlines, descriptions, primary text, call to action, display path,
    final URL. Character counters (copy.js) show each field against the chosen spec."""

    name = forms.CharField(max_length=200, help_text="How the copy is named in the library.")
    campaign = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    spec = forms.ChoiceField(
        required=False,
        label="Check against",
        help_text="The spec whose limits the counters show; it is checked on saving.",
    )
    primary_text = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    call_to_action = forms.CharField(required=False, max_length=60)
    final_url = forms.URLField(
        required=False, max_length=2000, label="Final URL", assume_scheme="https"
    )
    tags = forms.CharField(required=False, max_length=500, help_text="Separate tags with commas.")
    note = forms.CharField(required=False, max_length=2000, label="What changed")

    def __init__(self, *args: Any, campaigns: Any, specs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign_field: Any = self.fields["campaign"]
        campaign_field.choices = [
            ("", "No campaign"),
            *((c.pk, f"{c.name} ({c.code})") for c in campaigns),
        ]
        spec_field: Any = self.fields["spec"]
        spec_field.choices = [("", "No spec"), *specs]
        for number in range(1, HEADLINES + 1):
            self.fields[f"headline_{number}"] = forms.CharField(
                required=False, max_length=500, label=f"Headline {number}"
            )
        for number in range(1, DESCRIPTIONS + 1):
            self.fields[f"description_{number}"] = forms.CharField(
                required=False, max_length=1000, label=f"Description {number}"
            )
        for number in range(1, PATHS + 1):
            self.fields[f"path_{number}"] = forms.CharField(
                required=False, max_length=100, label=f"Display path {number}"
            )
        for name, field in self.fields.items():
            if counted := _copy_field(name):
                field.widget.attrs["data-copy-field"] = counted

    def headline_fields(self) -> list[Any]:
        return [self[f"headline_{n}"] for n in range(1, HEADLINES + 1)]

    def description_fields(self) -> list[Any]:
        return [self[f"description_{n}"] for n in range(1, DESCRIPTIONS + 1)]

    def path_fields(self) -> list[Any]:
        return [self[f"path_{n}"] for n in range(1, PATHS + 1)]

    def copy(self) -> dict[str, Any]:
        """The typed copy, field by field, as ``services.upload_copy`` takes it."""
        data = self.cleaned_data

        def texts(prefix: str, count: int) -> list[str]:
            values = [str(data.get(f"{prefix}_{n}") or "").strip() for n in range(1, count + 1)]
            return [value for value in values if value]

        values: dict[str, Any] = {
            "headline": texts("headline", HEADLINES),
            "description": texts("description", DESCRIPTIONS),
            "primary text": [data["primary_text"].strip()] if data.get("primary_text") else [],
            "call to action": (data.get("call_to_action") or "").strip(),
            "path": texts("path", PATHS),
            "final url": (data.get("final_url") or "").strip(),
        }
        return {key: value for key, value in values.items() if value}

    @staticmethod
    def initial_from(copy: dict[str, Any], final_url: str = "") -> dict[str, Any]:
        """The form's initial values from a version's stored copy (for the next version)."""
        initial: dict[str, Any] = {}
        for prefix, key in (("headline", "headline"), ("description", "description")):
            for number, text in enumerate(copy.get(key, []), start=1):
                initial[f"{prefix}_{number}"] = text
        for number, text in enumerate(copy.get("path", []), start=1):
            initial[f"path_{number}"] = text
        for name, key in (
            ("primary_text", "primary text"),
            ("call_to_action", "call to action"),
            ("final_url", "final url"),
        ):
            value = copy.get(key)
            if value:
                initial[name] = value if isinstance(value, str) else value[0]
        if final_url and "final_url" not in initial:
            initial["final_url"] = final_url
        return initial


def _copy_field(name: str) -> str:
    """The copy field (as specs name it) a form field counts against; "" for others."""
    if name.startswith("headline_"):
        return "headline"
    if name.startswith("description_"):
        return "description"
    if name.startswith("path_"):
        return "path"
    return {
        "primary_text": "primary text",
        "call_to_action": "call to action",
        "final_url": "final url",
    }.get(name, "")
