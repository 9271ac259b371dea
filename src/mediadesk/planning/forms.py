from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import CURRENCY_CHOICES, Brand, Client, User
from mediadesk.planning.choices import Channel, CostModel, Kpi, Objective
from mediadesk.planning.models import Campaign

KPI_ROWS = 4


def owners_for(clients: Any) -> Any:
    """People who can own a campaign of these clients: organization admins and members with an
    internal role (the service checks the chosen one against the campaign's client)."""
    return (
        User.objects.filter(is_active=True, organization__clients__in=clients)
        .filter(
            Q(is_org_admin=True)
            | Q(memberships__client__in=clients) & ~Q(memberships__role=Role.CLIENT_REVIEWER)
        )
        .distinct()
        .order_by("full_name", "email")
    )


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    """Create and edit a campaign. Validation is the model's, so page and API agree."""

    objectives = forms.MultipleChoiceField(
        choices=Objective.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    markets = forms.CharField(
        required=False,
        help_text="Separate with commas, e.g. DE, AT, CH.",
        widget=forms.TextInput(attrs={"placeholder": "DE, AT, CH"}),
    )
    reason = forms.CharField(
        required=False,
        label="Reason for the change",
        help_text="Optional; kept in the campaign's history.",
    )

    class Meta:
        model = Campaign
        fields = [
            "client", "brand", "name", "code", "start", "end", "budget", "currency", "status",
            "objectives", "markets", "notes", "shared_with_client", "owner",
        ]  # fmt: skip
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "budget": forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"}),
        }

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        client_field.queryset = clients
        client_field.empty_label = "Choose a client"
        brands = Brand.objects.filter(client__in=clients, archived_at__isnull=True).select_related(
            "client"
        )
        brand_field: Any = self.fields["brand"]
        brand_field.queryset = brands
        # Brands grouped under their client, so the list reads like the client list.
        groups: dict[str, list[tuple[int, str]]] = {}
        for brand in brands.order_by("client__name", "name"):
            groups.setdefault(brand.client.name, []).append((brand.pk, brand.name))
        brand_field.choices = [("", "No brand"), *groups.items()]
        owner_field: Any = self.fields["owner"]
        owner_field.queryset = owners_for(clients)
        owner_field.empty_label = "Nobody yet"
        currency_field: Any = self.fields["currency"]
        currency_field.required = False
        currency_field.choices = [("", "The client's currency"), *CURRENCY_CHOICES]
        if self.instance.pk:
            self.fields["client"].disabled = True
            self.fields["markets"].initial = ", ".join(self.instance.markets)
        else:
            del self.fields["reason"]
        self.kpi_rows = self._kpi_rows()

    def _kpi_rows(self) -> list[dict[str, Any]]:
        """KPI target rows as entered (kept on a refused save) or as stored."""
        if self.is_bound:
            kpis = self.data.getlist("kpi") if hasattr(self.data, "getlist") else []
            targets = self.data.getlist("target") if hasattr(self.data, "getlist") else []
            rows = [{"kpi": k, "target": t} for k, t in zip(kpis, targets, strict=False)]
        else:
            rows = list(self.instance.kpi_targets or [])
        rows += [{"kpi": "", "target": ""}] * max(0, KPI_ROWS - len(rows))
        return [{**row, "choices": Kpi.choices} for row in rows]

    def clean_markets(self) -> list[str]:
        raw = self.cleaned_data.get("markets") or ""
        return [market.strip() for market in raw.split(",") if market.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets: list[dict[str, str]] = []
        for row in self.kpi_rows:
            kpi, target = (row["kpi"] or "").strip(), (row["target"] or "").strip()
            if not kpi and not target:
                continue
            if not kpi or not target:
                self.add_error(None, "Each KPI target needs both a KPI and a target value.")
                continue
            try:
                Decimal(target.replace(",", ""))
            except InvalidOperation:
                self.add_error(None, f"The target for {kpi.upper()} ({target}) is not a number.")
                continue
            targets.append({"kpi": kpi, "target": target.replace(",", "")})
        self.cleaned_data["kpi_targets"] = targets
        if not data.get("currency") and data.get("client") is not None:
            client: Client = data["client"]
            self.cleaned_data["currency"] = client.default_currency
        return data

    def service_values(self) -> dict[str, Any]:
        """What the service receives: the editable fields, as cleaned."""
        names = [name for name in self.Meta.fields if name != "client"]
        values = {name: self.cleaned_data[name] for name in names}
        values["kpi_targets"] = self.cleaned_data["kpi_targets"]
        return values


class PlacementForm(forms.Form):
    """One plan line. Give two of rate, quantity and cost; the service derives the third."""

    channel = forms.ChoiceField(choices=Channel.choices)
    vendor = forms.CharField(max_length=200)
    property_name = forms.CharField(label="Property / station / title", required=False)
    market = forms.CharField(required=False, max_length=100)
    format = forms.CharField(label="Format / unit", required=False, max_length=100)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    cost_model = forms.ChoiceField(choices=CostModel.choices)
    rate = forms.DecimalField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"})
    )
    quantity = forms.DecimalField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"})
    )
    cost = forms.DecimalField(
        label="Gross cost",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"}),
    )
    universe = forms.DecimalField(
        label="Universe (CPP)",
        required=False,
        help_text="Persons in the target audience.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "num-input"}),
    )
    commission_percent = forms.DecimalField(
        label="Commission %",
        required=False,
        initial=Decimal("15"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"}),
    )
    code = forms.CharField(
        required=False,
        max_length=120,
        help_text="Left empty: built by the client's naming convention.",
    )

    def service_values(self) -> dict[str, Any]:
        values = {
            name: value for name, value in self.cleaned_data.items() if value not in (None, "")
        }
        for text in ("property_name", "market", "format", "code"):
            values.setdefault(text, "")
        return values
