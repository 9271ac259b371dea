"""The campaign side of creative: a campaign's Creative tab (placement by placement: spec,
assets, review status, what is trafficked, the material deadline), its trafficking (assign,
remove, the vendors' sheets as XLSX and by e-mail), the material deadlines across campaigns,
the spec library and a client's creative settings (review stages, UTM template).

Creative on a campaign, trafficking and deadlines are the agency's internal work: a client
reviewer does not find these pages (404), as with delivery and orders; client reviewers meet
creative through the assets sent to them for review. Every change goes through
``creative.services`` (or ``creative.trafficking.email_sheet``); these views find what the user
may see (404 otherwise), turn refusals into sentences beside the fields and render.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import (
    Action,
    can,
    is_org_admin,
    require,
    require_org_admin,
    roles_by_client,
)
from mediadesk.audit.models import AuditEvent
from mediadesk.creative import services, trafficking
from mediadesk.creative.choices import AssetKind, AssetStatus, ReviewerKind, RoundStatus
from mediadesk.creative.models import (
    DEFAULT_STAGES,
    DEFAULT_UTM,
    Asset,
    AssetVersion,
    Assignment,
    CreativeSettings,
    ReviewRound,
    VendorSpec,
)
from mediadesk.creative.overview import PlacementCreative
from mediadesk.creative.overview import campaign_creative as creative_rows
from mediadesk.creative.specs import organization_specs, spec_choices, spec_from_definition
from mediadesk.delivery.services import placements_for_delivery, plans_for_delivery
from mediadesk.domain.creative import (
    DUE_DAYS,
    UTM_FIELDS,
    DeadlineState,
    DeadlineStatus,
    deadline_status,
    tracked_url,
)
from mediadesk.domain.periods import format_period
from mediadesk.domain.ratecards import match_key
from mediadesk.domain.specs import (
    SEED_SPECS,
    AspectRatio,
    CopyLimit,
    Counting,
    Spec,
)
from mediadesk.domain.specs import AssetKind as SpecKind
from mediadesk.errors import Conflict
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign, Placement
from mediadesk.vendors.models import Vendor, VendorContact, can_read_vendors, vendors_named
from mediadesk.web.context import current_client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "class": "num-input"})

# Badges: a word plus a colour (UI.md), per asset status and per deadline state.
ASSET_TONES = {
    AssetStatus.DRAFT: "neutral",
    AssetStatus.IN_REVIEW: "info",
    AssetStatus.CHANGES_REQUESTED: "warn",
    AssetStatus.APPROVED: "good",
    AssetStatus.REJECTED: "bad",
}
DEADLINE_TONES = {
    DeadlineState.READY: "good",
    DeadlineState.APPROVED: "info",
    DeadlineState.LATE: "bad",
    DeadlineState.DUE: "warn",
    DeadlineState.OPEN: "neutral",
    DeadlineState.NO_DEADLINE: "muted",
    DeadlineState.ENDED: "muted",
}
DEADLINE_LABELS = {
    DeadlineState.READY: "Ready",
    DeadlineState.APPROVED: "Approved",
    DeadlineState.LATE: "Late",
    DeadlineState.DUE: "Due soon",
    DeadlineState.OPEN: "Open",
    DeadlineState.NO_DEADLINE: "No deadline",
    DeadlineState.ENDED: "Ended",
}
# The material-deadline list: placements starting this soon without approved creative show.
STARTS_WITHIN_DAYS = 14
ACTIVE_STATUSES = (CampaignStatus.PLANNING, CampaignStatus.BOOKED, CampaignStatus.LIVE)


# --- Who may see what -------------------------------------------------------------------------


def _internal_client_ids(request: HttpRequest) -> list[int]:
    """Clients on which the user works internally (client reviewers have none here)."""
    return [
        pk for pk in roles_by_client(request.user)
        if can(request.user, Action.VIEW_ALL_CAMPAIGNS, pk)
    ]  # fmt: skip


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign the user sees and works on internally; 404 otherwise (never 403)."""
    campaign: Campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("client__organization"),
        pk=campaign_id,
    )
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, campaign.client_id):
        raise Http404("Creative on a campaign is internal work.")
    return campaign


def _may_edit(request: HttpRequest, campaign: Campaign) -> bool:
    return can(request.user, Action.EDIT_CREATIVE, campaign.client_id) and not (
        campaign.is_archived
    )


def _refuse_archived(request: HttpRequest, campaign: Campaign) -> bool:
    if campaign.is_archived:
        messages.error(request, f"{campaign.code} is archived; restore it to change its creative.")
        return True
    return False


def _sentences(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_service_errors(
    form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """A service's refusal beside the field it names (``fields`` maps its names to ours)."""
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            mapped = (fields or {}).get(name, name)
            form.add_error(mapped if mapped in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _flight(start: date, end: date) -> str:
    return format_period(start, end)


def _spec_groups(organization_id: int | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The same choices grouped as the spec library groups them, for a select's optgroups."""
    groups: dict[str, list[tuple[str, str]]] = {key: [] for key, _, _ in SPEC_GROUPS}
    for spec in SEED_SPECS:
        groups[_group_of(spec)].append((spec.key, spec.name))
    titled = [(title, groups[key]) for key, title, _ in SPEC_GROUPS]
    own = [
        (row.key, f"{row.name} ({row.vendor.name})") for row in organization_specs(organization_id)
    ]
    return titled + ([("Vendor specs", own)] if own else [])


# --- The campaign's Creative tab --------------------------------------------------------------


@dataclass
class CreativeRow:
    item: PlacementCreative
    flight: str
    assets: list[tuple[Asset, str]]
    deadline_tone: str
    deadline_label: str
    chosen_key: str
    assignments: list[tuple[Assignment, str]] = field(default_factory=list)

    @property
    def is_late(self) -> bool:
        return self.item.deadline is not None and self.item.deadline.is_late


def _creative_rows(items: Iterable[PlacementCreative]) -> list[CreativeRow]:
    rows = []
    for item in items:
        state = item.deadline.state if item.deadline else DeadlineState.NO_DEADLINE
        rows.append(
            CreativeRow(
                item=item,
                flight=_flight(item.placement.start, item.placement.end),
                assets=[(asset, ASSET_TONES[AssetStatus(asset.status)]) for asset in item.assets],
                deadline_tone=DEADLINE_TONES[state],
                deadline_label=DEADLINE_LABELS[state],
                chosen_key=item.spec_key if item.spec_chosen else "",
                assignments=[(a, _flight(a.starts, a.ends)) for a in item.assignments],
            )
        )
    return rows


@login_required
@require_GET
def campaign_creative(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    assets = list(
        Asset.objects.visible_to(request.user)
        .filter(campaign=campaign, archived_at__isnull=True)
        .select_related("current_version")
    )
    rows = _creative_rows(creative_rows(campaign, assets=assets))
    late_only = request.GET.get("late") == "1"
    shown = [row for row in rows if row.is_late] if late_only else rows
    line_keys = {row.item.placement.line_key for row in rows}
    loose = [asset for asset in assets if not set(asset.line_keys) & line_keys]
    return render(
        request,
        "creative/campaign_creative.html",
        {
            "campaign": campaign,
            "rows": shown,
            "total": len(rows),
            "with_approved": sum(1 for row in rows if row.item.approved),
            "late": sum(1 for row in rows if row.is_late),
            "late_only": late_only,
            "loose": [(asset, ASSET_TONES[AssetStatus(asset.status)]) for asset in loose],
            "may_edit": _may_edit(request, campaign),
            "spec_groups": _spec_groups(campaign.client.organization_id),
        },
    )


@login_required
@require_POST
def placement_spec(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Point a placement to a spec (or back to the suggested one, with an empty key)."""
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.EDIT_CREATIVE, campaign.client_id)
    tab = reverse("creative:campaign_creative", args=[campaign.pk])
    if _refuse_archived(request, campaign):
        return redirect(tab)
    line_key = request.POST.get("line_key", "").strip()
    spec_key = request.POST.get("spec_key", "").strip()
    choices = dict(spec_choices(campaign.client.organization_id))
    if spec_key and spec_key not in choices:
        # Another organization's vendor spec is not offered, so it is not found either.
        messages.error(request, f"No spec has the key {spec_key}.")
        return redirect(tab)
    try:
        services.set_placement_spec(request.user, campaign, line_key, spec_key)
    except ValidationError as exc:
        messages.error(request, _sentences(exc))
        return redirect(tab)
    placement = next((p for p in placements_for_delivery(campaign) if p.line_key == line_key), None)
    code = placement.code if placement is not None else line_key
    if spec_key:
        messages.success(
            request,
            f"{code} now takes {choices[spec_key]}; its assets were checked against it again.",
        )
    else:
        messages.success(request, f"{code} takes its suggested spec again.")
    return redirect(f"{tab}#p-{line_key}")


# --- Trafficking ------------------------------------------------------------------------------


class AssignForm(forms.Form):
    placement = forms.TypedChoiceField(coerce=int, label="Placement")
    version = forms.TypedChoiceField(
        coerce=int,
        label="Approved version",
        help_text="Only versions whose latest review approved them can run.",
    )
    starts = forms.DateField(
        required=False, widget=DATE_WIDGET, label="Start", help_text="Blank: the placement's."
    )
    ends = forms.DateField(
        required=False, widget=DATE_WIDGET, label="End", help_text="Blank: the placement's."
    )
    weight = forms.IntegerField(
        initial=100,
        min_value=1,
        max_value=1000,
        label="Rotation weight",
        widget=forms.NumberInput(attrs={"class": "num-input"}),
        help_text="Shares of the rotation among the creative running on the placement at once.",
    )
    click_url = forms.CharField(
        required=False,
        max_length=2000,
        label="Click-through URL",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
        help_text="The client's UTM parameters are added to it.",
    )

    def __init__(
        self,
        *args: Any,
        placements: Sequence[Placement],
        versions: Sequence[AssetVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        placement: Any = self.fields["placement"]
        placement.choices = [("", "Choose a placement")] + [
            (p.pk, f"{p.code} · {p.vendor} · {p.format or p.get_channel_display()}")
            for p in placements
        ]
        version: Any = self.fields["version"]
        version.choices = [("", "Choose an approved version")] + [
            (v.pk, _version_label(v)) for v in versions
        ]


def _version_label(version: AssetVersion) -> str:
    meta = version.metadata
    size = f", {meta['width']}x{meta['height']}" if meta.get("width") and meta.get("height") else ""
    kind = AssetKind(version.asset.kind).label
    return f"{version.asset.name} · v{version.number} ({kind}{size})"


def approved_versions(request: HttpRequest, campaign: Campaign) -> list[AssetVersion]:
    """The versions that may be trafficked on the campaign: of the client's approved assets,
    each the version its latest review round approved. The campaign's own assets come first.
    Two queries whatever the number of assets."""
    assets = (
        Asset.objects.visible_to(request.user)
        .filter(client_id=campaign.client_id, status=AssetStatus.APPROVED, archived_at__isnull=True)
        .annotate(last_round=Max("rounds__number"))
    )
    latest: dict[int, int | None] = {
        pk: last for pk, last in assets.values_list("pk", "last_round")
    }
    rounds = ReviewRound.objects.filter(
        asset_id__in=list(latest), status=RoundStatus.APPROVED
    ).select_related("version__asset")
    versions = [r.version for r in rounds if latest.get(r.asset_id) == r.number]
    versions.sort(
        key=lambda v: (v.asset.campaign_id != campaign.pk, v.asset.name.casefold(), -v.number)
    )
    return versions


@dataclass
class TrafficGroup:
    placement: Placement | None
    code: str
    flight: str
    in_plan: bool
    rows: list[dict[str, Any]] = field(default_factory=list)


def _shares(assignments: Iterable[Assignment]) -> dict[int, int]:
    """Rotation share % of each assignment: its weight over all weights of the placement with
    the same dates, as the trafficking sheet counts it (``trafficking._with_shares``)."""
    items = list(assignments)
    totals: dict[tuple[str, date, date], int] = defaultdict(int)
    for a in items:
        totals[(a.line_key, a.starts, a.ends)] += a.weight
    return {a.pk: round(100 * a.weight / totals[(a.line_key, a.starts, a.ends)]) for a in items}


def _traffic_groups(
    campaign: Campaign, placements: Sequence[Placement], assignments: Sequence[Assignment]
) -> list[TrafficGroup]:
    today = timezone.localdate()
    shares = _shares(assignments)
    groups: dict[str, TrafficGroup] = {}
    for placement in placements:
        groups[placement.line_key] = TrafficGroup(
            placement, placement.code, _flight(placement.start, placement.end), True
        )
    for a in assignments:
        group = groups.get(a.line_key)
        if group is None:  # the placement left the current plan; its trafficking is kept
            old = a.placement
            group = groups[a.line_key] = TrafficGroup(
                old,
                old.code if old is not None else a.line_key,
                _flight(old.start, old.end) if old is not None else "",
                False,
            )
        group.rows.append(
            {
                "assignment": a,
                "flight": _flight(a.starts, a.ends),
                "share": shares[a.pk],
                "ended": a.ends < today,
            }
        )
    return [group for group in groups.values() if group.rows]


class SheetEmailForm(forms.Form):
    to = forms.EmailField(label="Send to", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    message = forms.CharField(
        required=False,
        label="Message",
        help_text="Optional; goes into the e-mail above the instructions.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _mail_prefix(vendor: str) -> str:
    """The e-mail form of each vendor has its own field names and ids on the page."""
    return f"mail-{slugify(match_key(vendor)) or 'vendor'}"


@dataclass
class VendorSheet:
    name: str
    count: int
    form: SheetEmailForm


def _vendor_sheets(
    campaign: Campaign,
    assignments: Sequence[Assignment],
    bound: tuple[str, SheetEmailForm] | None,
) -> list[VendorSheet]:
    """One entry per vendor with current assignments, with an e-mail form whose address is the
    vendor's traffic contact in the directory (else its first contact with an e-mail). Two
    queries: the vendors by name and their contacts."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for a in assignments:
        text = a.placement.vendor if a.placement is not None else ""
        if not text:
            continue
        key = match_key(text)
        names.setdefault(key, text)
        counts[key] = counts.get(key, 0) + 1
    directory = vendors_named(campaign.client.organization_id, names.values())
    first: dict[int, str] = {}
    traffic: dict[int, str] = {}
    found = VendorContact.objects.filter(
        vendor__in=list(directory.values()), email__gt=""
    ).order_by("vendor_id", "name", "id")
    for contact in found:
        first.setdefault(contact.vendor_id, contact.email)
        if "traffic" in contact.position.casefold():
            traffic.setdefault(contact.vendor_id, contact.email)
    contacts = {**first, **traffic}
    sheets = []
    for key, name in sorted(names.items(), key=lambda item: item[1].casefold()):
        if bound is not None and match_key(bound[0]) == key:
            form = bound[1]
        else:
            vendor = directory.get(key)
            address = contacts.get(vendor.pk, "") if vendor is not None else ""
            form = SheetEmailForm(prefix=_mail_prefix(name), initial={"to": address})
        sheets.append(VendorSheet(name, counts[key], form))
    if bound is not None and match_key(bound[0]) not in names:
        # Sent for a vendor with nothing trafficked: its form shows the service's refusal.
        sheets.append(VendorSheet(bound[0], 0, bound[1]))
    return sheets


def _utm_template(client: Client) -> dict[str, str]:
    """The client's UTM template, without creating its settings row on a GET."""
    found = CreativeSettings.objects.filter(client=client).first()
    return dict(found.utm_template) if found is not None else dict(DEFAULT_UTM)


def _trafficking_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    form: AssignForm | None = None,
    mail_form: tuple[str, SheetEmailForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    placements = placements_for_delivery(campaign)
    assignments = list(
        Assignment.objects.visible_to(request.user)
        .current()
        .filter(campaign=campaign)
        .select_related("placement", "version__asset", "created_by")
        .order_by("line_key", "starts", "pk")
    )
    may_edit = _may_edit(request, campaign)
    versions = approved_versions(request, campaign) if may_edit else []
    if may_edit and form is None:
        form = AssignForm(
            placements=placements,
            versions=versions,
            initial={"placement": request.GET.get("placement", "")},
        )
    template = _utm_template(campaign.client)
    return render(
        request,
        "creative/trafficking.html",
        {
            "campaign": campaign,
            "groups": _traffic_groups(campaign, placements, assignments),
            "count": len(assignments),
            "form": form if may_edit else None,
            "versions": versions,
            "placements": placements,
            "may_edit": may_edit,
            "can_export": can(request.user, Action.EXPORT, campaign.client_id),
            "vendors": _vendor_sheets(campaign, assignments, mail_form),
            "utm_template": sorted(template.items()),
            "may_settings": can(request.user, Action.MANAGE_CLIENT, campaign.client_id),
        },
        status=status,
    )


@login_required
@require_GET
def campaign_trafficking(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    if request.GET.get("preview") == "utm":
        return _utm_preview(request, campaign)
    return _trafficking_page(request, campaign)


def _utm_preview(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """The click-through URL with the client's UTM parameters, as typed so far (htmx)."""
    url = request.GET.get("click_url", "").strip()
    placement = _placement_of(campaign, request.GET.get("placement", ""))
    version = _version_of(request, campaign, request.GET.get("version", ""))
    context: dict[str, Any] = {"url": "", "error": ""}
    if url:
        values = {name: "" for name in UTM_FIELDS}
        values.update({"campaign": campaign.code, "client": campaign.client.code})
        if placement is not None:
            values.update(
                {
                    "vendor": placement.vendor,
                    "channel": placement.channel,
                    "placement": placement.code,
                }
            )
        if version is not None:
            values.update({"asset": version.asset.name, "version": f"v{version.number}"})
        try:
            context["url"] = tracked_url(url, _utm_template(campaign.client), values)
        except ValueError as exc:
            context["error"] = str(exc)
    return render(request, "creative/partials/campaign_utm_preview.html", context)


def _placement_of(campaign: Campaign, value: Any) -> Placement | None:
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return None
    return next((p for p in placements_for_delivery(campaign) if p.pk == wanted), None)


def _version_of(request: HttpRequest, campaign: Campaign, value: Any) -> AssetVersion | None:
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return None
    return next((v for v in approved_versions(request, campaign) if v.pk == wanted), None)


@login_required
@require_POST
def trafficking_assign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.EDIT_CREATIVE, campaign.client_id)
    page = reverse("creative:campaign_trafficking", args=[campaign.pk])
    if _refuse_archived(request, campaign):
        return redirect(page)
    placements = placements_for_delivery(campaign)
    versions = approved_versions(request, campaign)
    form = AssignForm(request.POST, placements=placements, versions=versions)
    if not form.is_valid():
        return _trafficking_page(request, campaign, form=form, status=400)
    placement = next(p for p in placements if p.pk == form.cleaned_data["placement"])
    version = next(v for v in versions if v.pk == form.cleaned_data["version"])
    try:
        assignment = services.assign(
            request.user,
            version,
            placement,
            starts=form.cleaned_data["starts"],
            ends=form.cleaned_data["ends"],
            weight=form.cleaned_data["weight"],
            click_url=form.cleaned_data["click_url"],
        )
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _trafficking_page(request, campaign, form=form, status=409)
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _trafficking_page(request, campaign, form=form, status=400)
    messages.success(
        request,
        f"{version.asset.name} v{version.number} runs on {placement.code} "
        f"{_flight(assignment.starts, assignment.ends)} with weight {assignment.weight}.",
    )
    return redirect(f"{page}#p-{placement.line_key}")


@login_required
@require_POST
def trafficking_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment: Assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related(
            "campaign", "placement", "version__asset"
        ),
        pk=assignment_id,
    )
    campaign = _campaign(request, assignment.campaign_id)
    require(request.user, Action.EDIT_CREATIVE, campaign.client_id)
    page = reverse("creative:campaign_trafficking", args=[campaign.pk])
    if _refuse_archived(request, campaign):
        return redirect(page)
    code = assignment.placement.code if assignment.placement is not None else assignment.line_key
    what = f"{assignment.version.asset.name} v{assignment.version.number} on {code}"
    if assignment.removed_at is not None:
        messages.info(request, f"{what} was already taken off.")
        return redirect(page)
    services.unassign(request.user, assignment, request.POST.get("reason", "").strip()[:500])
    messages.success(
        request, f"{what} is taken off; send the vendor its sheet again so it stops running."
    )
    return redirect(page)


@login_required
@require_GET
def trafficking_sheet(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The trafficking sheet as XLSX: every vendor's assignments, or one vendor's (?vendor=)."""
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.EXPORT, campaign.client_id)
    vendor = request.GET.get("vendor", "").strip()
    data = trafficking.sheet_xlsx(campaign, vendor, link_base=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type=XLSX)
    disposition = content_disposition_header(
        True, f"{trafficking.sheet_filename(campaign, vendor)}.xlsx"
    )
    if disposition:
        response["Content-Disposition"] = disposition
    return response


@login_required
@require_POST
def trafficking_email(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.EDIT_CREATIVE, campaign.client_id)
    page = reverse("creative:campaign_trafficking", args=[campaign.pk])
    vendor = request.POST.get("vendor", "").strip()
    form = SheetEmailForm(request.POST, prefix=_mail_prefix(vendor))
    if not form.is_valid():
        return _trafficking_page(request, campaign, mail_form=(vendor, form), status=400)
    try:
        attached = trafficking.email_sheet(
            request.user,
            campaign,
            vendor=vendor,
            to=form.cleaned_data["to"],
            link_base=request.build_absolute_uri("/"),
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _trafficking_page(request, campaign, mail_form=(vendor, form), status=400)
    files = f"{attached} file{'s' if attached != 1 else ''} attached"
    messages.success(
        request,
        f"The trafficking sheet of {vendor or 'every vendor'} was sent to "
        f"{form.cleaned_data['to']} ({files}; download links work for "
        f"{trafficking.FILE_LINK_DAYS} days).",
    )
    return redirect(page)


# --- Material deadlines across campaigns ------------------------------------------------------


@dataclass
class DeadlineRow:
    campaign: Campaign
    placement: Placement
    status: DeadlineStatus
    tone: str
    label: str
    in_review: list[Asset]


def deadline_rows(
    campaigns: Sequence[Campaign], assets: Iterable[Asset], today: date
) -> list[DeadlineRow]:
    """Every placement of the campaigns' current plans whose creative is late or due within
    ``DUE_DAYS``, or that has no approved creative and starts within ``STARTS_WITHIN_DAYS``
    (running placements without creative included); late first. Placements that have ended
    are left out. A fixed number of queries for any number of campaigns: plans (1),
    placements (1), trafficked line keys (1); ``assets`` is loaded by the caller (1)."""
    by_id = {campaign.pk: campaign for campaign in campaigns}
    plans = plans_for_delivery(list(by_id))
    placements = Placement.objects.filter(version__in=list(plans.values())).order_by(
        "version_id", "position", "pk"
    )
    version_campaign = {version.pk: campaign_id for campaign_id, version in plans.items()}
    made_for: dict[tuple[int, str], list[Asset]] = defaultdict(list)
    for asset in assets:
        for key in asset.line_keys:
            made_for[(asset.campaign_id or 0, key)].append(asset)
    trafficked = set(
        Assignment.objects.current()
        .filter(campaign_id__in=list(by_id), ends__gte=today)
        .values_list("campaign_id", "line_key")
    )
    soon = today + timedelta(days=STARTS_WITHIN_DAYS)
    rows = []
    for placement in placements:
        campaign_id = version_campaign[placement.version_id]
        if placement.end < today:
            continue
        made = made_for.get((campaign_id, placement.line_key), [])
        approved = [a for a in made if a.status == AssetStatus.APPROVED]
        in_review = [a for a in made if a.status == AssetStatus.IN_REVIEW]
        status = deadline_status(
            placement.material_deadline,
            today,
            approved=bool(approved),
            trafficked=(campaign_id, placement.line_key) in trafficked,
            in_review=len(in_review),
            assets=len(made),
        )
        pressing = status.state in (DeadlineState.LATE, DeadlineState.DUE)
        unready = status.state not in (DeadlineState.READY, DeadlineState.APPROVED)
        if not (pressing or (unready and placement.start <= soon)):
            continue
        rows.append(
            DeadlineRow(
                campaign=by_id[campaign_id],
                placement=placement,
                status=status,
                tone=DEADLINE_TONES[status.state],
                label=DEADLINE_LABELS[status.state],
                in_review=in_review,
            )
        )
    order = {DeadlineState.LATE: 0, DeadlineState.DUE: 1}
    rows.sort(
        key=lambda row: (
            order.get(row.status.state, 2),
            row.placement.material_deadline or row.placement.start,
            row.placement.start,
            row.campaign.code,
            row.placement.position,
        )
    )
    return rows


@login_required
@require_GET
def material_deadlines(request: HttpRequest) -> HttpResponse:
    internal = _internal_client_ids(request)
    if not internal:
        raise Http404("Material deadlines are internal work.")
    today = timezone.localdate()
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .active()
        .filter(client_id__in=internal, status__in=ACTIVE_STATUSES, end__gte=today)
        .select_related("client")
    )
    chosen = current_client(request)
    if chosen is not None:
        campaigns = campaigns.filter(client=chosen)
    found = list(campaigns.order_by("start", "code"))
    assets = (
        Asset.objects.visible_to(request.user)
        .filter(campaign__in=[c.pk for c in found], archived_at__isnull=True)
        .only("id", "name", "status", "campaign_id", "line_keys", "client_id")
    )
    rows = deadline_rows(found, assets, today)
    return render(
        request,
        "creative/deadlines.html",
        {
            "rows": rows,
            "late": sum(1 for row in rows if row.status.is_late),
            "campaigns": len(found),
            "chosen": chosen,
            "due_days": DUE_DAYS,
            "starts_within": STARTS_WITHIN_DAYS,
        },
    )


# --- The spec library -------------------------------------------------------------------------


SPEC_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("iab", "IAB display (fixed sizes)", ("iab-",)),
    ("copy", "Search and social", ()),  # everything the other groups do not take
    ("spots", "Broadcast and radio spots", ("spot-",)),
    ("podcast", "Podcast", ("podcast-",)),
    ("print", "Print", ("print-",)),
)


def _number(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():,f}"


def _weight(value: int) -> str:
    if value >= 1_000_000:
        return f"{_number(Decimal(value) / 1_000_000)} MB"
    if value >= 1_000:
        return f"{_number(Decimal(value) / 1_000)} kB"
    return f"{value:,} bytes"


def _either(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _ratio(aspect: AspectRatio) -> str:
    if aspect.min_width or aspect.min_height:
        return f"{aspect} (at least {aspect.min_width or 0}x{aspect.min_height or 0})"
    return str(aspect)


def _seconds_range(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{_number(low)}–{_number(high)} s"
    if low is not None:
        return f"at least {_number(low)} s"
    return f"up to {_number(high or 0)} s"


def _copy_words(limit: CopyLimit) -> str:
    if limit.max_count == 1:
        count = f"one {limit.field}"
    elif limit.min_count and limit.max_count:
        count = f"{limit.min_count} to {limit.max_count} {limit.plural_name}"
    elif limit.max_count:
        count = f"up to {limit.max_count} {limit.plural_name}"
    elif limit.min_count:
        count = f"at least {limit.min_count} {limit.plural_name}"
    else:
        count = limit.plural_name
    length = []
    if limit.max_chars:
        length.append(f"up to {limit.max_chars:,} characters")
    if limit.min_chars:
        length.append(f"at least {limit.min_chars}")
    if limit.recommended_chars:
        length.append(f"{limit.recommended_chars:,} recommended")
    each = "" if limit.max_count == 1 else " each"
    text = count[0].upper() + count[1:]
    if length:
        text += f": {', '.join(length)}{each}"
    if limit.counting == Counting.DOUBLE_WIDTH:
        text += " (a wide East Asian character counts 2)"
    elif limit.counting == Counting.X_POST:
        text += " (a link counts 23)"
    if limit.forbid_emoji:
        text += "; no emoji"
    if limit.forbidden_chars:
        text += f"; not {' '.join(limit.forbidden_chars)}"
    return text


def spec_words(spec: Spec) -> list[str]:
    """A spec's limits as sentences, in the order a coordinator checks them."""
    kinds = [str(AssetKind(kind.value).label).lower() for kind in SpecKind if kind in spec.kinds]
    words = [f"Accepts {_either(kinds)}."]
    if spec.sizes:
        sizes = [str(size) for size in spec.sizes]
        words.append(f"Size {_either(sizes)}.")
    if spec.aspect_ratios:
        words.append(f"Aspect ratio {_either([_ratio(a) for a in spec.aspect_ratios])}.")
    if spec.max_bytes:
        words.append(f"File weight up to {_weight(spec.max_bytes)}.")
    if spec.max_initial_load_bytes:
        words.append(f"Initial load up to {_weight(spec.max_initial_load_bytes)}.")
    if spec.max_subload_bytes:
        words.append(f"Subload (after the page loads) up to {_weight(spec.max_subload_bytes)}.")
    if spec.max_initial_requests:
        words.append(f"At most {spec.max_initial_requests} file requests at initial load.")
    if spec.formats:
        words.append(f"Formats {_either(sorted(spec.formats))}.")
    if spec.codecs:
        words.append(f"Codecs {_either(sorted(spec.codecs))}.")
    if spec.spot_length_seconds is not None:
        tolerance = spec.duration_tolerance_seconds
        plus = f" (± {_number(tolerance)} s)" if tolerance else ""
        words.append(f"Exactly {_number(spec.spot_length_seconds)} s long{plus}.")
    if spec.min_duration_seconds is not None or spec.max_duration_seconds is not None:
        range_ = _seconds_range(spec.min_duration_seconds, spec.max_duration_seconds)
        words.append(f"Duration {range_}.")
    if (
        spec.recommended_min_duration_seconds is not None
        or spec.recommended_max_duration_seconds is not None
    ):
        range_ = _seconds_range(
            spec.recommended_min_duration_seconds, spec.recommended_max_duration_seconds
        )
        words.append(f"Recommended duration {range_}.")
    if spec.min_bitrate_kbps:
        words.append(f"Bitrate at least {spec.min_bitrate_kbps:,} kbps.")
    if spec.max_loudness_lufs is not None:
        words.append(f"Loudness at most {_number(spec.max_loudness_lufs)} LUFS.")
    if spec.page_sizes:
        words.append(f"Page {_either([str(page) for page in spec.page_sizes])}.")
    if spec.colour_modes:
        words.append(f"Colour mode {_either(sorted(spec.colour_modes))}.")
    words += [f"{_copy_words(limit)}." for limit in spec.copy_limits]
    return words


def _group_of(spec: Spec) -> str:
    for key, _, prefixes in SPEC_GROUPS:
        if any(spec.key.startswith(prefix) for prefix in prefixes):
            return key
    return "copy"


class VendorSpecForm(forms.Form):
    vendor = forms.TypedChoiceField(coerce=int, label="Vendor")
    key = forms.SlugField(
        max_length=80,
        label="Key",
        help_text="Short and unique, e.g. spiegel-halfpage-ad. Saving an existing key of "
        "yours replaces that spec.",
    )
    name = forms.CharField(max_length=200, label="Name")
    kinds = forms.MultipleChoiceField(
        choices=AssetKind.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Accepts",
    )
    sizes = forms.CharField(
        required=False,
        max_length=500,
        label="Sizes",
        help_text="Width x height in pixels, separated by commas: 300x600, 300x250.",
    )
    max_kb = forms.DecimalField(
        required=False,
        min_value=Decimal("0.001"),
        label="Max file weight (kB)",
        widget=NUMBER_WIDGET,
    )
    initial_kb = forms.DecimalField(
        required=False,
        min_value=Decimal("0.001"),
        label="Max initial load (kB)",
        widget=NUMBER_WIDGET,
    )
    spot_length = forms.DecimalField(
        required=False, min_value=Decimal("0.1"), label="Spot length (s)", widget=NUMBER_WIDGET
    )
    min_duration = forms.DecimalField(
        required=False, min_value=Decimal(0), label="Shortest (s)", widget=NUMBER_WIDGET
    )
    max_duration = forms.DecimalField(
        required=False, min_value=Decimal("0.1"), label="Longest (s)", widget=NUMBER_WIDGET
    )

    def __init__(self, *args: Any, vendors: Iterable[Vendor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_: Any = self.fields["vendor"]
        field_.choices = [("", "Choose a vendor")] + [(v.pk, v.name) for v in vendors]

    def clean_sizes(self) -> list[str]:
        text = self.cleaned_data.get("sizes") or ""
        sizes = []
        for part in text.replace(";", ",").split(","):
            size = part.strip().lower().replace("×", "x").replace(" ", "")
            if not size:
                continue
            width, _, height = size.partition("x")
            if not (width.isdigit() and height.isdigit() and int(width) and int(height)):
                raise ValidationError(f"{part.strip()} is not WIDTHxHEIGHT, e.g. 300x250.")
            sizes.append(f"{int(width)}x{int(height)}")
        return sizes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_duration"), data.get("max_duration")
        if low is not None and high is not None and low > high:
            self.add_error("max_duration", "The longest is shorter than the shortest.")
        return data

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {"kinds": list(data["kinds"]), "sizes": data["sizes"]}
        for name, target in (("max_kb", "max_bytes"), ("initial_kb", "max_initial_load_bytes")):
            if data.get(name) is not None:
                values[target] = int(data[name] * 1000)
        for name, target in (
            ("spot_length", "spot_length_seconds"),
            ("min_duration", "min_duration_seconds"),
            ("max_duration", "max_duration_seconds"),
        ):
            if data.get(name) is not None:
                values[target] = str(data[name])
        return values


@login_required
@require_http_methods(["GET", "POST"])
def spec_library(request: HttpRequest) -> HttpResponse:
    """The seed specs in words, the organization's vendor specs, and (for organization admins)
    the form to add one. Client reviewers do not find the page."""
    person: Any = request.user
    if not can_read_vendors(person) or person.organization_id is None:
        raise Http404("No spec library for this user.")
    vendors = list(Vendor.objects.visible_to(person).active().order_by("name"))
    form: VendorSpecForm | None = None
    status = 200
    if request.method == "POST":
        require_org_admin(person, "add a vendor's creative spec")
        form = VendorSpecForm(request.POST, vendors=vendors)
        if form.is_valid():
            vendor = next(v for v in vendors if v.pk == form.cleaned_data["vendor"])
            key = form.cleaned_data["key"]
            taken = VendorSpec.objects.filter(key=key).exclude(
                vendor__organization_id=person.organization_id
            )
            if taken.exists():
                # Keys are unique across the installation; never overwrite another's spec.
                form.add_error("key", f"{key} is taken; choose another key.")
            else:
                try:
                    saved = services.save_vendor_spec(
                        person,
                        vendor,
                        key=key,
                        name=form.cleaned_data["name"],
                        definition=form.definition(),
                    )
                except ValidationError as exc:
                    _add_service_errors(form, exc, {"definition": "__all__"})
                else:
                    messages.success(
                        request,
                        f"{saved.name} ({vendor.name}) is in the library; placements can now "
                        "point to it on a campaign's Creative tab.",
                    )
                    return redirect(reverse("creative:spec_library") + "#vendor-specs")
        status = 400
    elif is_org_admin(person):
        form = VendorSpecForm(vendors=vendors)
    groups: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in SPEC_GROUPS}
    for spec in SEED_SPECS:
        groups[_group_of(spec)].append({"spec": spec, "words": spec_words(spec)})
    own = []
    for row in organization_specs(person.organization_id):
        try:
            words = spec_words(spec_from_definition(row.key, row.name, row.definition))
        except ValueError as exc:
            words = [f"This spec cannot be read: {exc}"]
        own.append({"row": row, "words": words})
    return render(
        request,
        "creative/specs.html",
        {
            "groups": [
                {"key": key, "title": title, "specs": groups[key]} for key, title, _ in SPEC_GROUPS
            ],
            "vendor_specs": own,
            "form": form,
            "is_admin": is_org_admin(person),
        },
        status=status,
    )


# --- A client's creative settings -------------------------------------------------------------


def stages_text(stages: Iterable[Mapping[str, str]]) -> str:
    return "\n".join(f"{stage.get('name', '')} | {stage.get('who', '')}" for stage in stages)


def utm_text(template: Mapping[str, str]) -> str:
    return "\n".join(f"{name} = {value}" for name, value in template.items())


class CreativeSettingsForm(forms.Form):
    stages = forms.CharField(
        label="Review stages",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="One stage per line, in order: the name, a bar, then internal (the agency "
        "decides) or client (the client's reviewers decide). For example: Legal | internal.",
    )
    review_days = forms.IntegerField(
        label="Days per stage",
        min_value=0,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "num-input"}),
        help_text="Each stage is due this many days after it opens; reminders go out after.",
    )
    utm = forms.CharField(
        required=False,
        label="UTM template",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="One parameter per line: utm_source = {vendor}. Leave empty to add none.",
    )

    def clean_stages(self) -> list[dict[str, str]]:
        stages = []
        kinds = {kind.value: kind.value for kind in ReviewerKind}
        kinds.update({str(kind.label).lower(): kind.value for kind in ReviewerKind})
        for number, line in enumerate(self.cleaned_data["stages"].splitlines(), start=1):
            if not line.strip():
                continue
            name, bar, who = line.rpartition("|")
            if not bar:
                raise ValidationError(
                    f"Line {number} ({line.strip()}): add “| internal” or “| client” after the "
                    "name to say who decides."
                )
            if not name.strip():
                raise ValidationError(f"Line {number}: give the stage a name before the bar.")
            if who.strip().lower() not in kinds:
                raise ValidationError(
                    f"Line {number} ({name.strip()}): “{who.strip()}” is neither internal nor "
                    "client."
                )
            if len(name.strip()) > 80:
                raise ValidationError(f"Line {number}: a stage name has at most 80 characters.")
            stages.append({"name": name.strip(), "who": kinds[who.strip().lower()]})
        if not stages:
            raise ValidationError("Keep at least one stage.")
        return stages

    def clean_utm(self) -> dict[str, str]:
        template: dict[str, str] = {}
        for number, line in enumerate((self.cleaned_data.get("utm") or "").splitlines(), 1):
            if not line.strip():
                continue
            name, equals, value = line.partition("=")
            name = name.strip()
            if not equals or not name:
                raise ValidationError(
                    f"Line {number} ({line.strip()}): write it as parameter = value, e.g. "
                    "utm_source = {vendor}."
                )
            if not all(char.isalnum() or char in "_-." for char in name):
                raise ValidationError(
                    f"Line {number}: “{name}” is not a parameter name (letters, digits, _ - .)."
                )
            if name in template:
                raise ValidationError(f"Line {number}: {name} is given twice.")
            template[name] = value.strip()
        return template


SETTINGS_FIELDS = {"review_stages": "stages", "review_days": "review_days", "utm_template": "utm"}
SETTINGS_LABELS = {
    "review stages": "Review stages",
    "days per stage": "Days per stage",
    "UTM template": "UTM template",
}


def _settings_client(request: HttpRequest, client_id: int) -> Client:
    """A client the user works on internally: 404 for clients they cannot see or only review."""
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if roles_by_client(request.user).get(client.pk) == Role.CLIENT_REVIEWER:
        raise Http404("No creative settings for this user.")
    return client


def _settings_history(found: CreativeSettings | None) -> list[dict[str, Any]]:
    if found is None or found.pk is None:
        return []
    events = AuditEvent.objects.for_object(found).select_related("actor")[:50]
    history = []
    for event in events:
        rows = []
        for name, pair in event.changes.items():
            before, after = pair
            if name == "review stages":
                before, after = stages_text(before or []), stages_text(after or [])
            elif name == "UTM template":
                before, after = utm_text(before or {}), utm_text(after or {})
            if before == after:
                continue
            rows.append(
                {"label": SETTINGS_LABELS.get(name, name), "before": before, "after": after}
            )
        history.append(
            {
                "event": event,
                "who": event.actor.display_name if event.actor else event.actor_label,
                "rows": rows,
            }
        )
    return history


def _example_url(client: Client, template: Mapping[str, str]) -> str:
    values = {
        "vendor": "Spiegel Media",
        "channel": "display",
        "campaign": f"{client.code}-AW27",
        "placement": f"{client.code}-AW27-DIS-001",
        "asset": "Autumn banner",
        "client": client.code,
        "version": "v2",
    }
    try:
        return tracked_url("https://www.example.com/offer", template, values)
    except ValueError:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def creative_settings(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's review stages, days per stage and UTM template: read by everyone working on
    the client, changed by those who manage it (MANAGE_CLIENT)."""
    client = _settings_client(request, client_id)
    found = CreativeSettings.objects.filter(client=client).first()
    stages = found.review_stages if found is not None else [dict(s) for s in DEFAULT_STAGES]
    days = found.review_days if found is not None else 2
    template = found.utm_template if found is not None else dict(DEFAULT_UTM)
    manage = can(request.user, Action.MANAGE_CLIENT, client.pk)
    here = reverse("creative:settings", args=[client.pk])
    form: CreativeSettingsForm | None = None
    status = 200
    if request.method == "POST":
        require(request.user, Action.MANAGE_CLIENT, client.pk)
        if client.is_archived:
            messages.error(request, f"{client.name} is archived; restore it to change these.")
            return redirect(here)
        form = CreativeSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_creative_settings(
                    request.user,
                    client,
                    review_stages=form.cleaned_data["stages"],
                    review_days=form.cleaned_data["review_days"],
                    utm_template=form.cleaned_data["utm"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc, SETTINGS_FIELDS)
            else:
                messages.success(
                    request,
                    f"The creative settings of {client.name} are saved. Reviews started from "
                    "now on go through these stages; click URLs trafficked from now on carry "
                    "these UTM parameters.",
                )
                return redirect(here)
        status = 400
    elif manage and not client.is_archived:
        form = CreativeSettingsForm(
            initial={"stages": stages_text(stages), "review_days": days, "utm": utm_text(template)}
        )
    return render(
        request,
        "creative/settings.html",
        {
            "client": client,
            "stages": [
                {"name": s.get("name", ""), "who": ReviewerKind(s.get("who")).label}
                for s in stages
                if s.get("who") in ReviewerKind.values
            ],
            "review_days": days,
            "utm_template": list(template.items()),
            "example": _example_url(client, template),
            "fields": ["{" + name + "}" for name in UTM_FIELDS],
            "form": form,
            "manage": manage,
            "history": (
                _settings_history(found)
                if can(request.user, Action.VIEW_HISTORY, client.pk)
                else None
            ),
            "uses_defaults": found is None,
        },
        status=status,
    )
