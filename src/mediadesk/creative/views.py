"""Creative pages: the asset library, one asset with its versions, rights and review, the client
reviewer's page reached through a signed link (no account), and every file download.

Every change goes through ``creative.services``; these views find what the user may see (404
otherwise), turn the services' refusals into messages beside the fields, and render. Files are
only ever served from here, each time after asking who may see the asset: there are no public
URLs to stored files.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.db.models.fields.files import FieldFile
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, can, require, roles_allowed, roles_by_client
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.creative import services, trafficking
from mediadesk.creative.choices import (
    AssetKind,
    AssetStatus,
    Decision,
    ReviewerKind,
    RoundStatus,
    StageStatus,
)
from mediadesk.creative.forms import (
    ArchiveForm,
    AssetEditForm,
    AssetFilterForm,
    CommentForm,
    CopyForm,
    DecideForm,
    LinkForm,
    RightForm,
    VersionForm,
    placement_label,
    split_tags,
)
from mediadesk.creative.models import (
    Asset,
    AssetQuerySet,
    AssetVersion,
    ReviewComment,
    ReviewRound,
    ReviewStage,
    UsageRight,
)
from mediadesk.creative.specs import all_specs, spec_choices
from mediadesk.domain.creative import RightsState, rights_state
from mediadesk.domain.specs import SEED_SPECS, Counting
from mediadesk.domain.specs import AssetKind as SpecKind
from mediadesk.errors import Conflict
from mediadesk.ingest.assets import aspect_ratio, weight
from mediadesk.ingest.safety import display_name
from mediadesk.planning.models import Campaign, Placement
from mediadesk.web.context import current_client
from mediadesk.web.exports import Column, export_response
from mediadesk.web.filtering import filter_values
from mediadesk.web.redirects import safe_next

PAGE_SIZE = 50
FILTERS = ("q", "kind", "status", "client", "campaign", "tag", "size", "rights", "archived")
SORTS = {
    "updated": ("updated_at", "id"),
    "name": ("name", "id"),
    "kind": ("kind", "name"),
    "status": ("status", "name"),
    "campaign": ("campaign__name", "name"),
    "versions": ("version_count", "name"),
}
STATUS_TONES = {
    AssetStatus.DRAFT: "neutral",
    AssetStatus.IN_REVIEW: "info",
    AssetStatus.CHANGES_REQUESTED: "warn",
    AssetStatus.APPROVED: "good",
    AssetStatus.REJECTED: "bad",
}
STAGE_TONES = {
    StageStatus.WAITING: "muted",
    StageStatus.ACTIVE: "info",
    StageStatus.APPROVED: "good",
    StageStatus.CHANGES_REQUESTED: "warn",
    StageStatus.REJECTED: "bad",
    StageStatus.SKIPPED: "muted",
}
ROUND_TONES = {
    RoundStatus.OPEN: "info",
    RoundStatus.APPROVED: "good",
    RoundStatus.CHANGES_REQUESTED: "warn",
    RoundStatus.REJECTED: "bad",
    RoundStatus.SUPERSEDED: "muted",
}
# Files a browser may show in the page itself; everything else (SVG, HTML5 zips, anything
# unknown) is only ever sent as a download.
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
INLINE_PREFIXES = ("video/", "audio/")
FILE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'"
)
PDF_POLICY = (
    "default-src 'none'; object-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'"
)
CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


# --- What the user may see and do ------------------------------------------------------------


def visible_assets(request: HttpRequest) -> AssetQuerySet:
    return Asset.objects.visible_to(request.user)


def _asset(request: HttpRequest, asset_id: int) -> Asset:
    assets = visible_assets(request).select_related(
        "client", "campaign", "brand", "current_version", "created_by"
    )
    asset: Asset = get_object_or_404(assets, pk=asset_id)
    return asset


def _may_edit(request: HttpRequest, client_id: int) -> bool:
    return can(request.user, Action.EDIT_CREATIVE, client_id)


def _editable_clients(request: HttpRequest) -> list[Client]:
    ids = [pk for pk in roles_by_client(request.user) if _may_edit(request, pk)]
    return list(Client.objects.filter(pk__in=ids).active().order_by("name"))


def _sentences(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_service_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _version_url(version: AssetVersion, anchor: str = "") -> str:
    url = reverse("creative:asset_detail", args=[version.asset_id])
    if version.asset.current_version_id != version.pk:
        url += f"?version={version.number}"
    return url + (f"#{anchor}" if anchor else "")


# --- Presenting metadata, rights and findings ---------------------------------------------------


def human_bytes(value: Any) -> str:
    """A stored size as the specs write file weights (``ingest.assets.weight``)."""
    try:
        return weight(int(value))
    except (TypeError, ValueError):
        return str(value)


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number.normalize():,f}" if number == number.to_integral() else f"{number:,}"


def _seconds(value: Any) -> str:
    try:
        seconds = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    whole = int(seconds)
    if whole < 60:
        return f"{_number(seconds.quantize(Decimal('0.1')))} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest.quantize(Decimal('0.1')):04} ({_number(seconds)} s)"


def timecode(value: Decimal | None) -> str:
    if value is None:
        return ""
    minutes, rest = divmod(Decimal(value), 60)
    return f"{int(minutes)}:{rest.quantize(Decimal('0.1')):04}"


def _mm(value: Any) -> str:
    return f"{str(value).replace('x', ' × ')} mm"


def _dpi(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{value[0]} dpi" if value[0] == value[1] else f"{value[0]} × {value[1]} dpi"
    return f"{value} dpi"


# (key, label, how to show it) in the order the metadata table lists them.
METADATA_FIELDS: list[tuple[str, str, Any]] = [
    ("format", "Format", str),
    ("container", "Container", str),
    ("bytes", "File weight", human_bytes),
    ("uploaded_bytes", "Size as uploaded", human_bytes),
    ("duration_seconds", "Duration", _seconds),
    ("video_codec", "Video codec", str),
    ("audio_codec", "Audio codec", str),
    ("codec", "Codec", str),
    ("bitrate_kbps", "Bitrate", lambda v: f"{_number(v)} kbps"),
    ("frame_rate", "Frame rate", lambda v: f"{_number(v)} fps"),
    ("sample_rate", "Sample rate", lambda v: f"{_number(v)} Hz"),
    ("channels", "Audio channels", _number),
    ("loudness_lufs", "Loudness", lambda v: f"{_number(v)} LUFS (integrated)"),
    ("colour_mode", "Colour mode", str),
    ("has_alpha", "Transparency", str),
    ("frames", "Frames", _number),
    ("dpi", "Resolution", _dpi),
    ("elements", "SVG elements", _number),
    ("pages", "Pages", _number),
    ("page_size_mm", "Page size", _mm),
    ("trim_box_mm", "Trim box", _mm),
    ("media_box_mm", "Media box", _mm),
    ("page_sizes_mm", "Page sizes", str),
    ("colour_spaces", "Colour spaces", str),
    ("fonts", "Fonts", _number),
    ("unembedded_fonts", "Fonts not embedded", str),
    ("pdf_version", "PDF version", str),
    ("pdfx_version", "PDF/X", str),
    ("output_intent", "Output intent", str),
    ("entry", "Entry file", str),
    ("files", "Files in the zip", _number),
    ("unpacked_bytes", "Unpacked size", human_bytes),
    ("initial_load_bytes", "Initial load", human_bytes),
    ("initial_requests", "Files at initial load", _number),
    ("initial_files", "Loaded at start", str),
    ("subload_bytes", "Subload (polite load)", human_bytes),
    ("external_urls", "External references", str),
    ("missing_references", "Referenced but missing", str),
    ("final_url", "Final URL", str),
]
# Shown another way (dimensions, aspect ratio) or repeats of a value in another unit.
_SKIPPED_METADATA = {
    "kind",
    "width",
    "height",
    "page_width_mm",
    "page_height_mm",
    "weight",
    "dimensions",
    "aspect_ratio",
    "initial_load",
    "subload",
    "content_type",
    "fields",  # copy: shown as the copy itself
}


@dataclass(frozen=True, slots=True)
class MetadataRow:
    key: str
    label: str
    value: str
    items: tuple[str, ...] = ()


def _listed(value: Any) -> tuple[str, ...]:
    items = []
    for item in value:
        if isinstance(item, dict):
            path = item.get("path") or item.get("name") or ""
            size = item.get("size") or item.get("bytes")
            items.append(f"{path} ({human_bytes(size)})" if size is not None else str(path))
        else:
            items.append(str(item))
    return tuple(items)


def metadata_rows(metadata: dict[str, Any]) -> list[MetadataRow]:
    """The version's metadata as labelled rows; unknown keys are shown too, labelled by key."""
    rows: list[MetadataRow] = []
    width, height = metadata.get("width"), metadata.get("height")
    if isinstance(width, int) and isinstance(height, int):
        rows.append(MetadataRow("dimensions", "Dimensions", f"{width} × {height} px"))
        if ratio := str(metadata.get("aspect_ratio") or aspect_ratio(width, height)):
            rows.append(MetadataRow("aspect", "Aspect ratio", ratio))
    page_w, page_h = metadata.get("page_width_mm"), metadata.get("page_height_mm")
    if page_w and page_h:
        rows.append(
            MetadataRow("page_size", "Page size", f"{_number(page_w)} × {_number(page_h)} mm")
        )
    seen = set(_SKIPPED_METADATA)
    for key, label, show in METADATA_FIELDS:
        if key in metadata and key not in seen and metadata[key] not in (None, "", [], {}):
            seen.add(key)
            rows.append(_row(key, label, metadata[key], show))
    for key in sorted(metadata):
        if key in seen or metadata[key] in (None, "", [], {}):
            continue
        rows.append(_row(key, key.replace("_", " ").capitalize(), metadata[key], str))
    return rows


def _row(key: str, label: str, value: Any, show: Any) -> MetadataRow:
    if isinstance(value, list) and show is str:
        items = _listed(value)
        return MetadataRow(key, label, f"{len(items)}", items)
    if isinstance(value, dict):
        items = tuple(
            f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in value.items()
        )
        return MetadataRow(key, label, f"{len(items)}", items)
    if isinstance(value, bool):
        return MetadataRow(key, label, "Yes" if value else "No")
    if key.endswith("_bytes") and show is str:
        show = human_bytes
    return MetadataRow(key, label, show(value))


@dataclass(frozen=True, slots=True)
class RightsBadge:
    label: str
    tone: str


def rights_badge(expires: date | None, today: date) -> RightsBadge | None:
    state = rights_state(expires, today)
    if expires is None or state == RightsState.OK:
        return None
    if state == RightsState.EXPIRED:
        return RightsBadge(f"Rights expired {expires:%-d %b %Y}", "bad")
    days = (expires - today).days
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return RightsBadge(f"Rights expire {when}", "warn")


def _findings(version: AssetVersion | None, library: dict[str, Any]) -> list[dict[str, Any]]:
    if version is None:
        return []
    rows = []
    for finding in version.findings:
        spec = library.get(finding.get("spec", ""))
        rows.append(
            {
                **finding,
                "spec_name": spec.name if spec is not None else finding.get("spec", ""),
                "blocking": finding.get("severity") == "blocking",
            }
        )
    rows.sort(key=lambda row: (not row["blocking"], row["spec_name"]))
    return rows


# --- The library ------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> AssetFilterForm:
    clients = Client.objects.visible_to(request.user).order_by("name").only("id", "name")
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .filter(archived_at__isnull=True)
        .order_by("name")
        .only("id", "name", "code")
    )
    data = {key: value for key, value in request.GET.items() if key in FILTERS}
    chosen = current_client(request)
    if "client" not in request.GET and chosen is not None:
        data["client"] = str(chosen.pk)
    return AssetFilterForm(data, clients=clients, campaigns=campaigns)


def _apply(form: AssetFilterForm, assets: AssetQuerySet) -> tuple[Any, list[str]]:
    values, problems = filter_values(form)
    found: Any = assets
    if not values.get("archived"):
        found = found.filter(archived_at__isnull=True)
    if q := (values.get("q") or "").strip():
        found = found.filter(name__icontains=q)
    if kind := values.get("kind"):
        found = found.filter(kind=kind)
    if status := values.get("status"):
        found = found.filter(status=status)
    if client := values.get("client"):
        found = found.filter(client_id=client)
    if campaign := values.get("campaign"):
        found = found.filter(campaign_id=campaign)
    if tag := (values.get("tag") or "").strip():
        found = found.filter(tags__name__iexact=tag)
    if size := values.get("size"):
        # JSON key lookups: the same SQL idea on SQLite (json_extract) and PostgreSQL (->).
        found = found.filter(
            current_version__metadata__width=size[0], current_version__metadata__height=size[1]
        )
    rights = values.get("rights")
    today = timezone.localdate()
    if rights == "soon":
        found = found.filter(rights_expire__lte=today + timedelta(days=30))
    elif rights == "expired":
        found = found.filter(rights_expire__lt=today)
    return found, problems


def _listed_assets(assets: Any) -> Any:
    """What a library row reads, in a fixed number of queries whatever the page holds."""
    return assets.select_related("client", "campaign", "current_version").defer(
        "notes",
        "current_version__facts",
        "current_version__copy",
        "current_version__findings",
        "current_version__checked_specs",
        "current_version__note",
    )


def _thumbnail(asset: Asset) -> str:
    version = asset.current_version
    if version is None:
        return ""
    if version.preview:
        return reverse("creative:version_preview", args=[version.pk]) + "?inline=1"
    if asset.kind == AssetKind.IMAGE and _inline_type(version.content_type, version.original_name):
        return reverse("creative:version_file", args=[version.pk]) + "?inline=1"
    return ""


def _size_label(version: AssetVersion | None) -> str:
    if version is None:
        return ""
    meta = version.metadata
    if isinstance(meta.get("width"), int) and isinstance(meta.get("height"), int):
        return f"{meta['width']}×{meta['height']}"
    if meta.get("duration_seconds"):
        return _seconds(meta["duration_seconds"])
    if meta.get("page_size_mm"):  # print: the page a designer sets, e.g. 206.375×276.225 mm
        return str(meta["page_size_mm"]).replace("x", "×") + " mm"
    return ""


@dataclass
class LibraryRow:
    asset: Asset
    tone: str
    rights: RightsBadge | None
    thumbnail: str
    size: str


EXPORT_COLUMNS = [
    Column("ID", lambda a: a.pk),
    Column("Name", lambda a: a.name),
    Column("Kind", lambda a: a.get_kind_display()),
    Column("Status", lambda a: a.get_status_display()),
    Column("Client", lambda a: a.client.name),
    Column("Campaign", lambda a: a.campaign.name if a.campaign else ""),
    Column("Campaign code", lambda a: a.campaign.code if a.campaign else ""),
    Column("Versions", lambda a: a.version_count),
    Column("Blocking findings", lambda a: a.blocking_findings),
    Column("Size / length", lambda a: _size_label(a.current_version)),
    Column("Rights expire", lambda a: a.rights_expire),
    Column("Updated", lambda a: a.updated_at),
    Column("Archived", lambda a: a.archived_at),
]


@login_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filtered, problems = _apply(form, visible_assets(request))
    sort = request.GET.get("sort", "-updated")
    fields = SORTS.get(sort.lstrip("-"), SORTS["updated"])
    descending = "-" if sort.startswith("-") else ""
    filtered = filtered.order_by(descending + fields[0], descending + fields[1])

    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        allowed = [pk for pk in roles_by_client(request.user)
                   if can(request.user, Action.EXPORT, pk)]  # fmt: skip
        if not allowed:
            raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
        return export_response(
            export, "assets", EXPORT_COLUMNS, _listed_assets(filtered.filter(client_id__in=allowed))
        )

    page = Paginator(_listed_assets(filtered), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        LibraryRow(
            asset=asset,
            tone=STATUS_TONES.get(AssetStatus(asset.status), "neutral"),
            rights=rights_badge(asset.rights_expire, today),
            thumbnail=_thumbnail(asset),
            size=_size_label(asset.current_version),
        )
        for asset in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    filtered_by = any(request.GET.get(key) for key in FILTERS) or (
        current_client(request) is not None and "client" not in request.GET
    )
    editable = _editable_clients(request)
    return render(
        request,
        "creative/asset_list.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "problems": problems,
            "sort": sort,
            "query": query.urlencode(),
            "filtered": filtered_by,
            "can_export": any(
                can(request.user, Action.EXPORT, pk) for pk in roles_by_client(request.user)
            ),
            "upload": _upload_context(request, form, editable) if editable else None,
        },
    )


def _upload_context(
    request: HttpRequest, form: AssetFilterForm, editable: list[Client]
) -> dict[str, Any]:
    """The upload zone: which clients and campaigns a file can go to; with a campaign chosen in
    the filters, its placements too."""
    ids = [client.pk for client in editable]
    campaigns = list(
        Campaign.objects.filter(client_id__in=ids, archived_at__isnull=True)
        .select_related("client")
        .order_by("client__name", "name")
        .only("id", "name", "code", "client__name")
    )
    chosen_campaign = None
    campaign_id = form.cleaned_data.get("campaign") if form.is_bound and form.is_valid() else None
    if campaign_id:
        chosen_campaign = next((c for c in campaigns if c.pk == campaign_id), None)
    placements: list[Placement] = []
    if chosen_campaign is not None:
        from mediadesk.delivery.services import placements_for_delivery

        placements = placements_for_delivery(chosen_campaign)
    chosen = chosen_campaign.client if chosen_campaign is not None else current_client(request)
    return {
        "clients": editable,
        "client": chosen if chosen is not None and chosen.pk in ids else None,
        "campaigns": campaigns,
        "campaign": chosen_campaign,
        "placements": [(p.line_key, placement_label(p)) for p in placements],
        "limit": f"{services.max_upload_bytes() // (1024 * 1024):,} MB",
    }


# --- Uploading files --------------------------------------------------------------------------


@dataclass
class Outcome:
    file: str
    ok: bool
    error: str = ""
    asset: Asset | None = None
    version: AssetVersion | None = None
    existing: str = ""

    def as_json(self) -> dict[str, Any]:
        if self.ok and self.asset is not None and self.version is not None:
            return {
                "file": self.file,
                "ok": True,
                "asset": {
                    "id": self.asset.pk,
                    "name": self.asset.name,
                    "kind": self.asset.kind,
                    "url": self.asset.get_absolute_url(),
                    "version": self.version.number,
                    "findings": len(self.version.findings),
                    "blocking": len(self.version.blocking),
                    "metadata": self.version.metadata,
                },
            }
        return {"file": self.file, "ok": False, "error": self.error, "existing": self.existing}


def _upload_target(request: HttpRequest) -> tuple[Client, Campaign | None]:
    """The client and campaign the files go to; 404 for ones the user cannot see."""
    campaign_id = request.POST.get("campaign", "").strip()
    if campaign_id:
        if not campaign_id.isdigit():
            raise Http404("No such campaign.")
        campaign: Campaign = get_object_or_404(
            Campaign.objects.visible_to(request.user).select_related("client", "brand"),
            pk=int(campaign_id),
        )
        return campaign.client, campaign
    client_id = request.POST.get("client", "").strip()
    if not client_id:
        chosen = current_client(request)
        editable = _editable_clients(request)
        if chosen is not None:
            return chosen, None
        if len(editable) == 1:
            return editable[0], None
        raise ValidationError({"client": "Choose the client (or a campaign) the files are for."})
    if not client_id.isdigit():
        raise Http404("No such client.")
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=int(client_id))
    return client, None


def _upload_one(
    request: HttpRequest, upload: Any, client: Client, campaign: Campaign | None, single: bool
) -> Outcome:
    name = display_name(upload.name or "upload")
    try:
        uploaded = services.upload_asset(
            request.user,
            client=client,
            source=upload,
            filename=name,
            name=request.POST.get("name", "") if single else "",
            campaign=campaign,
            line_keys=request.POST.getlist("placements"),
            tags=split_tags(request.POST.get("tags", "")),
        )
    except services.DuplicateAsset as exc:
        return Outcome(name, False, str(exc), existing=exc.existing.asset.get_absolute_url())
    except services.AssetRefused as exc:
        return Outcome(name, False, str(exc))
    except ValidationError as exc:
        return Outcome(name, False, f"{name}: {_sentences(exc)}")
    except Conflict as exc:
        return Outcome(name, False, f"{name}: {exc}")
    return Outcome(name, True, asset=uploaded.asset, version=uploaded.version)


@login_required
@require_POST
def asset_upload(request: HttpRequest) -> HttpResponse:
    """One or many files, each becoming a new asset (or refused with the reason)."""
    as_json = _wants_json(request)
    library = reverse("creative:asset_list")
    files = request.FILES.getlist("files") + request.FILES.getlist("file")
    try:
        client, campaign = _upload_target(request)
        require(request.user, Action.EDIT_CREATIVE, client.pk)
        if not files:
            raise ValidationError({"files": "Choose one or more files to upload."})
    except ValidationError as exc:
        if as_json:
            return JsonResponse({"detail": _sentences(exc)}, status=400)
        messages.error(request, _sentences(exc))
        return redirect(safe_next(request, library))
    except PermissionDenied as exc:
        if as_json:
            return JsonResponse({"detail": str(exc)}, status=403)
        raise
    outcomes = [_upload_one(request, upload, client, campaign, len(files) == 1) for upload in files]
    done = [o for o in outcomes if o.ok]
    refused = [o for o in outcomes if not o.ok]
    if as_json:
        if not refused:
            status = 201
        elif done:
            status = 200
        elif len(refused) == 1 and refused[0].existing:
            status = 409
        else:
            status = 400
        body = {
            "uploaded": len(done),
            "refused": len(refused),
            "results": [o.as_json() for o in outcomes],
        }
        if len(outcomes) == 1 and refused:
            body["detail"] = refused[0].error
        return JsonResponse(body, status=status)
    if done:
        names = ", ".join(f"“{o.asset.name}”" for o in done if o.asset is not None)
        blocking = sum(len(o.version.blocking) for o in done if o.version is not None)
        tail = (
            f" {blocking} blocking spec finding{'s' if blocking != 1 else ''} to look at."
            if blocking
            else ""
        )
        messages.success(
            request,
            f"{len(done)} file{'s' if len(done) != 1 else ''} uploaded: {names}.{tail}",
        )
    for outcome in refused:
        messages.error(request, f"Not uploaded: {outcome.error}")
    if len(done) == 1 and not refused and done[0].asset is not None:
        return redirect(done[0].asset)
    return redirect(safe_next(request, library))


# --- Copy typed in ----------------------------------------------------------------------------


def _organization_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "organization_id", None)


def _copy_specs() -> list[tuple[str, str]]:
    return [(spec.key, spec.name) for spec in SEED_SPECS if SpecKind.COPY in spec.kinds]


def copy_limits(organization_id: int | None) -> dict[str, dict[str, dict[str, Any]]]:
    """Per copy spec and field: the limits the live counters show (copy.js)."""
    limits: dict[str, dict[str, dict[str, Any]]] = {}
    for key, spec in all_specs(organization_id).items():
        if SpecKind.COPY not in spec.kinds:
            continue
        limits[key] = {
            limit.field: {
                "max": limit.max_chars,
                "min": limit.min_chars,
                "recommended": limit.recommended_chars,
                "count": limit.max_count,
                "double_width": limit.counting == Counting.DOUBLE_WIDTH,
                "x_post": limit.counting == Counting.X_POST,
            }
            for limit in spec.copy_limits
        }
    return limits


@login_required
@require_http_methods(["GET", "POST"])
def copy_new(request: HttpRequest) -> HttpResponseBase:
    """New copy (headlines, descriptions, …), or with ``?asset=`` the copy's next version."""
    asset: Asset | None = None
    asset_id = request.GET.get("asset") or request.POST.get("asset")
    if asset_id:
        if not str(asset_id).isdigit():
            raise Http404("No such asset.")
        asset = _asset(request, int(asset_id))
        if asset.kind != AssetKind.COPY:
            messages.error(request, f"“{asset.name}” is not copy; upload a file to it instead.")
            return redirect(asset)
    editable = _editable_clients(request)
    if asset is not None:
        require(request.user, Action.EDIT_CREATIVE, asset.client_id)
    elif not editable:
        allowed = ", ".join(str(role.label).lower() for role in roles_allowed(Action.EDIT_CREATIVE))
        raise PermissionDenied(
            f"Your role does not allow this (upload and traffic creative); it needs one of: "
            f"{allowed}."
        )
    campaigns = list(
        Campaign.objects.filter(
            client_id__in=[asset.client_id] if asset else [c.pk for c in editable],
            archived_at__isnull=True,
        )
        .select_related("client")
        .order_by("client__name", "name")
    )
    organization_id = asset.client.organization_id if asset else _organization_id(request)
    limits = copy_limits(organization_id)
    specs = _copy_specs() + [
        (key, name)
        for key, name in spec_choices(organization_id)
        if key not in dict(_copy_specs()) and key in limits
    ]
    initial: dict[str, Any] = {}
    if asset is not None:
        initial = {"name": asset.name, "campaign": asset.campaign_id}
        if asset.current_version is not None:
            current = asset.current_version
            initial.update(
                CopyForm.initial_from(
                    current.copy or current.facts.get("copy") or {},
                    str(current.metadata.get("final_url") or ""),
                )
            )
        if asset.spec_keys:
            initial["spec"] = asset.spec_keys[0]
    elif request.GET.get("campaign", "").isdigit():
        initial["campaign"] = int(request.GET["campaign"])
    form = CopyForm(request.POST or None, campaigns=campaigns, specs=specs, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = _save_copy(request, form, asset, campaigns, editable)
            if isinstance(result, HttpResponseBase):
                return result
    return render(
        request,
        "creative/copy_form.html",
        {
            "form": form,
            "asset": asset,
            "limits": limits,
            "clients": editable,
        },
        status=status,
    )


def _save_copy(
    request: HttpRequest,
    form: CopyForm,
    asset: Asset | None,
    campaigns: Sequence[Campaign],
    editable: Sequence[Client],
) -> HttpResponseBase | None:
    data = form.cleaned_data
    campaign = next((c for c in campaigns if c.pk == data.get("campaign")), None)
    if asset is not None:
        client = asset.client
    elif campaign is not None:
        client = campaign.client
    else:
        chosen = current_client(request)
        client_id = request.POST.get("client", "")
        picked = next((c for c in editable if str(c.pk) == client_id), None)
        client = picked or (chosen if chosen in editable else None)  # type: ignore[assignment]
        if client is None and len(editable) == 1:
            client = editable[0]
        if client is None:
            form.add_error("campaign", "Choose a campaign (or the client) the copy is for.")
            return None
    spec = data.get("spec") or ""
    try:
        if asset is not None:
            uploaded = services.upload_copy(
                request.user,
                client=client,
                copy=form.copy(),
                name=data["name"],
                asset=asset,
                note=data.get("note", ""),
            )
            if spec and spec not in asset.spec_keys:
                services.update_asset(
                    request.user, uploaded.asset, spec_keys=[spec, *asset.spec_keys]
                )
        else:
            uploaded = services.upload_copy(
                request.user,
                client=client,
                copy=form.copy(),
                name=data["name"],
                campaign=campaign,
                spec_keys=[spec] if spec else [],
                tags=split_tags(data.get("tags", "")),
                note=data.get("note", ""),
            )
    except services.AssetRefused as exc:
        form.add_error(None, str(exc))
        return None
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return None
    except Conflict as exc:
        form.add_error(None, str(exc))
        return None
    version = uploaded.version
    findings = len(version.findings)
    messages.success(
        request,
        f"Copy “{uploaded.asset.name}” saved as version {version.number}"
        + (
            f"; {findings} spec finding{'s' if findings != 1 else ''} to look at."
            if findings
            else "; it meets its specs."
        ),
    )
    return redirect(uploaded.asset)


# --- One asset --------------------------------------------------------------------------------


@dataclass
class CommentView:
    comment: ReviewComment
    number: int | None
    replies: list[ReviewComment] = field(default_factory=list)

    @property
    def pin_label(self) -> str:
        return pin_label(self.comment)

    @property
    def timecode(self) -> str:
        return timecode(self.comment.time_seconds)


def pin_label(comment: ReviewComment) -> str:
    parts = []
    if comment.page is not None:
        parts.append(f"page {comment.page}")
    if comment.x is not None and comment.y is not None:
        where = f"{Decimal(comment.x) * 100:.0f} %, {Decimal(comment.y) * 100:.0f} %"
        if comment.width is not None and comment.height is not None:
            parts.append(
                f"region at {where} ({Decimal(comment.width) * 100:.0f} × "
                f"{Decimal(comment.height) * 100:.0f} %)"
            )
        else:
            parts.append(f"pinned at {where}")
    if comment.time_seconds is not None:
        parts.append(f"at {timecode(comment.time_seconds)}")
    return ", ".join(parts)


def comment_views(comments: Sequence[ReviewComment]) -> list[CommentView]:
    """Top-level comments numbered in order (the pins carry the same numbers), with replies."""
    tops: list[CommentView] = []
    by_id: dict[int, CommentView] = {}
    for comment in sorted(comments, key=lambda c: c.pk):
        if comment.parent_id is None:
            view = CommentView(comment, len(tops) + 1)
            tops.append(view)
            by_id[comment.pk] = view
    for comment in sorted(comments, key=lambda c: c.pk):
        if comment.parent_id is not None and comment.parent_id in by_id:
            by_id[comment.parent_id].replies.append(comment)
    return tops


def pins_of(views: Sequence[CommentView]) -> list[dict[str, Any]]:
    pins = []
    for view in views:
        comment = view.comment
        if comment.x is None or comment.y is None:
            continue
        pins.append(
            {
                "number": view.number,
                "id": comment.pk,
                "x": _percent(comment.x),
                "y": _percent(comment.y),
                "width": _percent(comment.width) if comment.width is not None else "",
                "height": _percent(comment.height) if comment.height is not None else "",
                "resolved": comment.resolved_at is not None,
                "page": comment.page,
            }
        )
    return pins


def _percent(value: Any) -> str:
    return f"{Decimal(value) * 100:.3f}%"


def preview_mode(asset: Asset, version: AssetVersion | None) -> str:
    """How the page shows a version: image, video, audio, pdf, html5, copy or none."""
    if version is None:
        return "none"
    if asset.kind == AssetKind.COPY:
        return "copy"
    if asset.kind == AssetKind.VIDEO:
        return "video"
    if asset.kind == AssetKind.AUDIO:
        return "audio"
    if asset.kind == AssetKind.PRINT:
        return "pdf"
    if asset.kind == AssetKind.HTML5:
        return "html5"
    if asset.kind == AssetKind.IMAGE:
        return "image"
    return "none"


def _inline(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}inline=1" if url else ""


def preview_context(
    asset: Asset, version: AssetVersion | None, *, file_url: str, preview_url: str
) -> dict[str, Any]:
    """What the preview shows: the picture a reviewer pins comments on (the file itself for
    raster images and SVG, whose scripts an <img> never runs; the first page for a PDF), the
    player's source, the copy's fields."""
    mode = preview_mode(asset, version)
    context: dict[str, Any] = {"mode": mode, "download_url": file_url}
    if version is None:
        return context
    has_preview = bool(version.preview)
    if mode == "image":
        context["image_src"] = _inline(file_url if version.file else preview_url)
    elif mode == "pdf":
        context["image_src"] = _inline(preview_url) if has_preview else ""
        context["page"] = 1
    elif mode in ("video", "audio"):
        context["media_src"] = _inline(file_url)
        context["poster_src"] = _inline(preview_url) if has_preview else ""
    elif mode == "copy":
        fields = version.copy or version.facts.get("copy") or version.metadata.get("fields") or {}
        context["copy"] = [
            (name.capitalize(), [(text, len(text)) for text in texts])
            for name, texts in fields.items()
        ]
        context["final_url"] = version.metadata.get("final_url", "")
    elif mode == "html5":
        context["initial_files"] = version.metadata.get("initial_files", [])
    context["pinnable"] = bool(context.get("image_src"))
    meta = version.metadata
    context["width"] = meta.get("width") if isinstance(meta.get("width"), int) else None
    context["height"] = meta.get("height") if isinstance(meta.get("height"), int) else None
    return context


def _rounds(asset: Asset) -> list[ReviewRound]:
    stages = ReviewStage.objects.select_related("decided_by").order_by("position")
    rounds = list(
        asset.rounds.select_related("version", "started_by")
        .prefetch_related(Prefetch("stages", queryset=stages))
        .order_by("-number")
    )
    for round_ in rounds:
        round_.tone = ROUND_TONES.get(RoundStatus(round_.status), "neutral")  # type: ignore[attr-defined]
        for stage in round_.stages.all():
            stage.tone = STAGE_TONES.get(StageStatus(stage.status), "neutral")  # type: ignore[attr-defined]
    return rounds


def _active(round_: ReviewRound | None) -> ReviewStage | None:
    if round_ is None or round_.status != RoundStatus.OPEN:
        return None
    return next((s for s in round_.stages.all() if s.status == StageStatus.ACTIVE), None)


def _comments(version: AssetVersion | None) -> list[ReviewComment]:
    if version is None:
        return []
    return list(
        ReviewComment.objects.filter(version=version)
        .select_related("author", "resolved_by")
        .order_by("id")
    )


def _selected_version(request: HttpRequest, versions: list[AssetVersion], asset: Asset) -> Any:
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        found = next((v for v in versions if v.number == int(wanted)), None)
        if found is None:
            raise Http404("No such version.")
        return found
    return next((v for v in versions if v.pk == asset.current_version_id), None) or (
        versions[0] if versions else None
    )


def _placements(asset: Asset) -> list[Placement]:
    if asset.campaign is None:
        return []
    from mediadesk.delivery.services import placements_for_delivery

    return placements_for_delivery(asset.campaign)


def _history(asset: Asset) -> list[Any]:
    events = AuditEvent.objects.for_object(asset).select_related("actor")[:200]
    return readable_history(events, Asset)


def _detail(
    request: HttpRequest,
    asset: Asset,
    *,
    version_form: VersionForm | None = None,
    right_form: RightForm | None = None,
    decide_form: DecideForm | None = None,
    link_form: LinkForm | None = None,
    comment_form: CommentForm | None = None,
    archive_form: ArchiveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The asset page; a refused form comes back with what was typed, its message and a 400."""
    user = request.user
    may_edit = _may_edit(request, asset.client_id) and not asset.is_archived
    versions = list(asset.versions.select_related("uploaded_by").defer("facts").order_by("-number"))
    version = _selected_version(request, versions, asset)
    for each in versions:
        each.asset = asset
    rounds = _rounds(asset)
    open_round = next((r for r in rounds if r.status == RoundStatus.OPEN), None)
    active = _active(open_round)
    may_decide = active is not None and services.may_decide(user, active)
    version_rounds = [r for r in rounds if version is not None and r.version_id == version.pk]
    comment_round = next((r for r in version_rounds if r.status == RoundStatus.OPEN), None) or (
        version_rounds[0] if version_rounds else None
    )
    views = comment_views(_comments(version))
    library = all_specs(asset.client.organization_id)
    placements = _placements(asset)
    names = {p.line_key: placement_label(p) for p in placements}
    history = _history(asset) if can(user, Action.VIEW_HISTORY, asset.client_id) else None
    today = timezone.localdate()
    rights = [
        (right, rights_badge(right.expires, today) if right.expires else None)
        for right in asset.rights.all()
    ]
    file_url = reverse("creative:version_file", args=[version.pk]) if version else ""
    preview_url = reverse("creative:version_preview", args=[version.pk]) if version else ""
    if may_edit and version_form is None and asset.kind != AssetKind.COPY:
        version_form = VersionForm()
    if may_edit and right_form is None:
        right_form = RightForm()
    if may_decide and decide_form is None:
        decide_form = DecideForm()
    if active is not None and active.who == ReviewerKind.CLIENT and may_edit and link_form is None:
        link_form = LinkForm()
    if comment_round is not None and comment_form is None:
        comment_form = CommentForm()
    context = {
        "asset": asset,
        "version": version,
        "versions": versions,
        "is_current": version is not None and version.pk == asset.current_version_id,
        "tone": STATUS_TONES.get(AssetStatus(asset.status), "neutral"),
        "metadata": metadata_rows(version.metadata) if version else [],
        "findings": _findings(version, library),
        "checked_specs": [
            library[key].name
            for key in (version.checked_specs if version else [])
            if key in library
        ],
        "placement_names": [names.get(key, key) for key in asset.line_keys],
        "spec_names": [library[key].name if key in library else key for key in asset.spec_keys],
        "tags": list(asset.tags.all()),
        "rights": rights,
        "rights_badge": rights_badge(asset.rights_expire, today),
        "rounds": rounds,
        "shown_round": open_round or (rounds[0] if rounds else None),
        "current_approved": any(
            r.version_id == asset.current_version_id and r.status == RoundStatus.APPROVED
            for r in rounds
        ),
        "open_round": open_round,
        "active": active,
        "may_decide": may_decide,
        "comment_round": comment_round,
        "comments": views,
        "pins": pins_of(views),
        "preview": preview_context(asset, version, file_url=file_url, preview_url=preview_url),
        "comment_url": reverse("creative:comment_add", args=[comment_round.pk])
        if comment_round
        else "",
        "may_edit": may_edit,
        "may_comment": comment_round is not None and can(user, Action.VIEW, asset.client_id),
        "version_form": version_form,
        "right_form": right_form,
        "decide_form": decide_form,
        "link_form": link_form,
        "comment_form": comment_form,
        "archive_form": archive_form or ArchiveForm(),
        "history": history,
        "can_start_review": may_edit and asset.current_version_id is not None,
        "decisions": Decision,
    }
    return render(request, "creative/asset_detail.html", context, status=status)


@login_required
@require_GET
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    return _detail(request, _asset(request, asset_id))


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = _asset(request, asset_id)
    require(request.user, Action.EDIT_CREATIVE, asset.client_id)
    if asset.is_archived:
        messages.error(request, f"“{asset.name}” is archived; it cannot be changed.")
        return redirect(asset)
    campaigns = list(
        Campaign.objects.visible_to(request.user)
        .filter(client_id=asset.client_id)
        .filter(Q(archived_at__isnull=True) | Q(pk=asset.campaign_id))
        .order_by("name")
    )
    placements = _placements(asset)
    initial = {
        "name": asset.name,
        "campaign": asset.campaign_id,
        "placements": list(asset.line_keys),
        "specs": list(asset.spec_keys),
        "tags": ", ".join(tag.name for tag in asset.tags.all()),
        "notes": asset.notes,
    }
    form = AssetEditForm(
        request.POST or None,
        initial=initial,
        campaigns=campaigns,
        placements=placements,
        specs=spec_choices(asset.client.organization_id),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = next((c for c in campaigns if c.pk == data.get("campaign")), None)
        moved = (campaign.pk if campaign else None) != asset.campaign_id
        try:
            services.update_asset(
                request.user,
                asset,
                name=data["name"],
                campaign=campaign,
                change_campaign=moved,
                line_keys=None if moved else data["placements"],
                spec_keys=data["specs"],
                tags=data["tags"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(asset)
        else:
            if moved and campaign is not None:
                messages.success(
                    request,
                    f"Saved. “{asset.name}” is now on {campaign.code}: choose its placements "
                    "there so its versions are checked against their specs.",
                )
                return redirect("creative:asset_edit", asset_id=asset.pk)
            messages.success(request, "Changes saved.")
            return redirect(asset)
    return render(
        request,
        "creative/asset_edit.html",
        {"asset": asset, "form": form, "has_placements": bool(placements)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def version_upload(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = _asset(request, asset_id)
    require(request.user, Action.EDIT_CREATIVE, asset.client_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            uploaded = services.upload_version(
                request.user,
                asset,
                source=upload,
                filename=display_name(upload.name or "upload"),
                note=form.cleaned_data["note"],
            )
        except services.DuplicateAsset as exc:
            form.add_error("file", str(exc))
        except services.AssetRefused as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(asset)
        else:
            version = uploaded.version
            blocking = len(version.blocking)
            messages.success(
                request,
                f"Version {version.number} uploaded"
                + (
                    f"; it breaks its spec ({blocking} blocking finding"
                    f"{'s' if blocking != 1 else ''})."
                    if blocking
                    else "."
                )
                + " Start a review when it is ready.",
            )
            return redirect(uploaded.asset)
    return _detail(request, _asset(request, asset_id), version_form=form, status=400)


@login_required
@require_GET
def version_compare(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = _asset(request, asset_id)
    versions = list(asset.versions.select_related("uploaded_by").order_by("-number"))
    for each in versions:
        each.asset = asset
    if len(versions) < 2:
        messages.info(request, f"“{asset.name}” has one version; there is nothing to compare yet.")
        return redirect(asset)
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int) -> AssetVersion:
        value = request.GET.get(name, "")
        if value.isdigit() and int(value) in by_number:
            return by_number[int(value)]
        return by_number[default]

    right = pick("b", versions[0].number)
    older = [v.number for v in versions if v.number < right.number]
    left = pick("a", older[0] if older else versions[-1].number)
    library = all_specs(asset.client.organization_id)
    meta_left = {row.label: row for row in metadata_rows(left.metadata)}
    meta_right = {row.label: row for row in metadata_rows(right.metadata)}
    labels = list(dict.fromkeys([*meta_left, *meta_right]))
    diff = []
    for label in labels:
        a, b = meta_left.get(label), meta_right.get(label)
        a_text = (a.value if not a.items else ", ".join(a.items)) if a else "—"
        b_text = (b.value if not b.items else ", ".join(b.items)) if b else "—"
        diff.append({"label": label, "a": a_text, "b": b_text, "changed": a_text != b_text})
    sides = []
    for version in (left, right):
        file_url = reverse("creative:version_file", args=[version.pk])
        preview_url = reverse("creative:version_preview", args=[version.pk])
        sides.append(
            {
                "version": version,
                "preview": preview_context(
                    asset, version, file_url=file_url, preview_url=preview_url
                ),
                "findings": _findings(version, library),
            }
        )
    return render(
        request,
        "creative/version_compare.html",
        {
            "asset": asset,
            "versions": versions,
            "left": left,
            "right": right,
            "sides": sides,
            "diff": diff,
            "changed": sum(1 for row in diff if row["changed"]),
        },
    )


# --- Usage rights -----------------------------------------------------------------------------


@login_required
@require_POST
def right_add(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = _asset(request, asset_id)
    form = RightForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            right = services.add_right(
                request.user,
                asset,
                kind=data["kind"],
                holder=data["holder"],
                territories=data["territories"],
                starts=data["starts"],
                expires=data["expires"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            until = f" until {right.expires:%-d %b %Y}" if right.expires else " without expiry"
            messages.success(request, f"{right} added{until}.")
            return redirect(f"{asset.get_absolute_url()}#rights-h")
    return _detail(request, asset, right_form=form, status=400)


@login_required
@require_POST
def right_remove(request: HttpRequest, right_id: int) -> HttpResponse:
    right: UsageRight = get_object_or_404(
        UsageRight.objects.filter(asset__in=visible_assets(request).values("id")).select_related(
            "asset"
        ),
        pk=right_id,
    )
    label = str(right)
    asset = right.asset
    services.remove_right(request.user, right)
    messages.success(request, f"{label} removed.")
    return redirect(f"{asset.get_absolute_url()}#rights-h")


@login_required
@require_POST
def asset_archive(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = _asset(request, asset_id)
    form = ArchiveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.archive_asset(request.user, asset, reason)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(asset)
    messages.success(
        request,
        f"“{asset.name}” is archived: it no longer shows in the library (tick “Show archived” "
        "to find it) and cannot be trafficked.",
    )
    return redirect("creative:asset_list")


# --- Reviews ----------------------------------------------------------------------------------


@login_required
@require_POST
def review_start(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = _asset(request, asset_id)
    try:
        round_ = services.start_review(request.user, asset)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        first = round_.stages.order_by("position").first()
        due = f", due {first.due:%-d %b %Y}" if first and first.due else ""
        messages.success(
            request,
            f"Review {round_.number} of version {round_.version.number} started: "
            f"{first.name if first else 'the first stage'} decides next{due}.",
        )
    return redirect(f"{asset.get_absolute_url()}#review-h")


def _stage(request: HttpRequest, stage_id: int) -> ReviewStage:
    stage: ReviewStage = get_object_or_404(
        ReviewStage.objects.filter(
            round__asset__in=visible_assets(request).values("id")
        ).select_related("round__asset", "round__version"),
        pk=stage_id,
    )
    return stage


DECIDED = {
    Decision.APPROVE: "approved",
    Decision.REQUEST_CHANGES: "sent back with changes requested",
    Decision.REJECT: "rejected",
}


@login_required
@require_POST
def stage_decide(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = _stage(request, stage_id)
    asset = _asset(request, stage.round.asset_id)
    form = DecideForm(request.POST)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            decided = services.decide(request.user, stage, decision, form.cleaned_data["note"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(f"{asset.get_absolute_url()}#review-h")
        else:
            asset.refresh_from_db()
            messages.success(
                request,
                f"{decided.name} stage {DECIDED[Decision(decision)]}. "
                f"“{asset.name}” is now {asset.get_status_display().lower()}.",
            )
            return redirect(f"{asset.get_absolute_url()}#review-h")
    return _detail(request, asset, decide_form=form, status=400)


@login_required
@require_POST
def stage_link(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = _stage(request, stage_id)
    asset = _asset(request, stage.round.asset_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            path = services.send_review_link(
                request.user,
                stage,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                link_base=request.build_absolute_uri("/").rstrip("/"),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(f"{asset.get_absolute_url()}#review-h")
        else:
            messages.success(
                request,
                f"Review link for the {stage.name} stage sent to {form.cleaned_data['email']}: "
                f"{request.build_absolute_uri(path)}",
            )
            return redirect(f"{asset.get_absolute_url()}#review-h")
    return _detail(request, asset, link_form=form, status=400)


def _comment_json(
    request: HttpRequest, comment: ReviewComment, *, public: bool, token: str = ""
) -> dict[str, Any]:
    number = None
    if comment.parent_id is None:
        number = ReviewComment.objects.filter(
            version_id=comment.version_id, parent__isnull=True, pk__lte=comment.pk
        ).count()
    view = CommentView(comment, number)
    html = render_to_string(
        "creative/partials/reply.html" if comment.parent_id else "creative/partials/comment.html",
        {
            "item": view,
            "reply": comment,
            "public": public,
            "token": token,
            "may_comment": True,
            "comment_url": request.path,
        },
        request=request,
    )
    pins = pins_of([view])
    return {
        "id": comment.pk,
        "number": number,
        "parent": comment.parent_id,
        "html": html,
        "pin": pins[0] if pins else None,
    }


def _form_errors(form: Any) -> dict[str, Any]:
    return {
        "detail": " ".join(str(e) for errors in form.errors.values() for e in errors),
        "errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
    }


def _post_comment(
    request: HttpRequest, round_: ReviewRound, form: CommentForm, *, actor: Any, outsider: str = ""
) -> ReviewComment | None:
    """The comment, or None with the refusal added to the form."""
    if not form.is_valid():
        return None
    parent = None
    parent_id = form.cleaned_data.get("parent")
    if parent_id:
        parent = ReviewComment.objects.filter(round=round_, pk=parent_id).first()
        if parent is None:
            form.add_error(None, "Reply to a comment of this review.")
            return None
    try:
        return services.add_comment(
            actor,
            round_,
            form.cleaned_data["body"],
            parent=parent,
            outsider=outsider,
            **form.pin(),
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return None


@login_required
@require_POST
def comment_add(request: HttpRequest, round_id: int) -> HttpResponse:
    round_: ReviewRound = get_object_or_404(
        ReviewRound.objects.visible_to(request.user).select_related("asset", "version"),
        pk=round_id,
    )
    form = CommentForm(request.POST)
    comment = _post_comment(request, round_, form, actor=request.user)
    if _wants_json(request):
        if comment is None:
            return JsonResponse(_form_errors(form), status=400)
        return JsonResponse(_comment_json(request, comment, public=False), status=201)
    round_.version.asset = round_.asset
    if comment is None:
        asset = _asset(request, round_.asset_id)
        return _detail(request, asset, comment_form=form, status=400)
    messages.success(request, "Comment added.")
    return redirect(_version_url(round_.version, f"comment-{comment.pk}"))


@login_required
@require_POST
def comment_resolve(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment: ReviewComment = get_object_or_404(
        ReviewComment.objects.filter(
            round__asset__in=visible_assets(request).values("id")
        ).select_related("round__asset", "version"),
        pk=comment_id,
    )
    resolved = request.POST.get("resolved", "1") != "0"
    services.resolve_comment(request.user, comment, resolved)
    if _wants_json(request):
        return JsonResponse({"id": comment.pk, "resolved": resolved})
    comment.version.asset = comment.round.asset
    messages.success(request, "Comment resolved." if resolved else "Comment reopened.")
    return redirect(_version_url(comment.version, f"comment-{comment.pk}"))


# --- Files ------------------------------------------------------------------------------------


def _inline_type(content_type: str, name: str) -> bool:
    kind = (content_type or mimetypes.guess_type(name)[0] or "").split(";")[0].strip().lower()
    return kind in INLINE_TYPES or kind.startswith(INLINE_PREFIXES)


def _content_type(declared: str, name: str) -> str:
    found = (declared or mimetypes.guess_type(name)[0] or "application/octet-stream").strip()
    return found.split(";")[0] if found else "application/octet-stream"


class _RangeReader:
    """The bytes ``start`` to ``start + length`` of an open file, in chunks; closed at the end
    (StreamingHttpResponse calls ``close`` when the answer is done or the client goes away)."""

    def __init__(self, handle: IO[bytes], start: int, length: int) -> None:
        self.handle = handle
        self.start = start
        self.length = length

    def __iter__(self) -> Iterator[bytes]:
        self.handle.seek(self.start)
        remaining = self.length
        while remaining > 0:
            chunk = self.handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.handle.close()


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The one byte range asked for as (first, last); ``None`` to send the whole file (no
    range, several ranges or one we do not read), ``False`` when it lies beyond the file."""
    match = RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:  # the last N bytes
        count = int(last)
        if count == 0:
            return False
        return max(size - count, 0), size - 1
    start = int(first)
    if start >= size:
        return False
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return start, end


def serve_file(
    request: HttpRequest,
    stored: FieldFile,
    *,
    content_type: str,
    filename: str,
    inline: bool,
    etag: str,
    cache: str = "private, max-age=3600",
) -> HttpResponseBase:
    """A stored file, authorized by the caller: one byte range when asked (video seeking),
    an ETag, private caching, and never rendered as a page of this site unless it is a kind a
    browser shows inertly (raster images, PDF, video, audio)."""
    if not stored:
        raise Http404("No file.")
    try:
        size = stored.storage.size(str(stored.name))
    except (OSError, NotImplementedError) as exc:
        raise Http404("The file is missing from storage.") from exc
    quoted = f'"{etag}"'
    if request.headers.get("If-None-Match") == quoted:
        response: HttpResponseBase = HttpResponse(status=304)
        return _file_headers(response, quoted, cache, content_type, filename, inline)
    status, start, end = 200, 0, size - 1
    asked = request.headers.get("Range", "")
    if asked and size and request.headers.get("If-Range", quoted) == quoted:
        parsed = parse_range(asked, size)
        if parsed is False:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _file_headers(response, quoted, cache, content_type, filename, inline)
        if isinstance(parsed, tuple):
            status, (start, end) = 206, parsed
    length = max(end - start + 1, 0)
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
    else:
        handle = stored.storage.open(str(stored.name), "rb")
        response = StreamingHttpResponse(
            _RangeReader(handle, start, length), status=status, content_type=content_type
        )
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _file_headers(response, quoted, cache, content_type, filename, inline)


def _file_headers(
    response: HttpResponseBase,
    etag: str,
    cache: str,
    content_type: str,
    filename: str,
    inline: bool,
) -> HttpResponseBase:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    disposition = content_disposition_header(not inline, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    # An SVG or HTML file opened directly must not run as a page of this site.
    response["Content-Security-Policy"] = (
        PDF_POLICY if inline and content_type == "application/pdf" else FILE_POLICY
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_vary_headers(response, ["Cookie"])
    return response


def _download_name(version: AssetVersion, suffix: str = "") -> str:
    name = version.original_name or PurePath(version.file.name).name or f"version-{version.number}"
    if suffix:
        return f"{PurePath(name).stem}-v{version.number}-preview{suffix}"
    return name


def _send_version(
    request: HttpRequest, version: AssetVersion, *, preview: bool, cache: str
) -> HttpResponseBase:
    wants_inline = request.GET.get("inline") == "1"
    if preview:
        if not version.preview:
            raise Http404("This version has no preview.")
        kind = _content_type(version.preview_type, version.preview.name)
        name = _download_name(version, PurePath(version.preview.name).suffix or ".png")
        return serve_file(
            request,
            version.preview,
            content_type=kind,
            filename=name,
            inline=wants_inline and _inline_type(kind, name),
            etag=f"p{version.pk}-{version.checksum[:16] or version.number}",
            cache=cache,
        )
    if not version.file:
        raise Http404("This version has no file (copy is shown on the page).")
    kind = _content_type(version.content_type, version.original_name or version.file.name)
    name = _download_name(version)
    return serve_file(
        request,
        version.file,
        content_type=kind,
        filename=name,
        inline=wants_inline and _inline_type(kind, name),
        etag=f"f{version.pk}-{version.checksum[:16] or version.number}",
        cache=cache,
    )


def _visible_version(request: HttpRequest, version_id: int) -> AssetVersion:
    version: AssetVersion = get_object_or_404(
        AssetVersion.objects.visible_to(request.user).select_related("asset"), pk=version_id
    )
    return version


@login_required
@require_safe
def version_file(request: HttpRequest, version_id: int) -> HttpResponseBase:
    return _send_version(
        request, _visible_version(request, version_id), preview=False, cache="private, max-age=3600"
    )


@login_required
@require_safe
def version_preview(request: HttpRequest, version_id: int) -> HttpResponseBase:
    return _send_version(
        request, _visible_version(request, version_id), preview=True, cache="private, max-age=3600"
    )


# --- The client reviewer's page, through the signed link (no account) --------------------------


def _public(response: HttpResponseBase) -> HttpResponseBase:
    """Link pages are for one person: never cached (never_cache) nor indexed. The referrer
    policy stays the site's "same-origin" (with "no-referrer" CSRF would refuse the POSTs)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_refused(request: HttpRequest, token: str, error: Exception, salt: str) -> HttpResponse:
    """The sentence and nothing else: 404 for a link that was changed, 410 for one that worked
    once (expired, or replaced by a newer e-mail)."""
    try:
        signing.loads(token, salt=salt)
    except signing.BadSignature:
        status = 404
    else:
        status = 410
    response = render(request, "creative/link_refused.html", {"error": str(error)}, status=status)
    _public(response)
    return response


def _link_stage(token: str) -> tuple[ReviewStage, str]:
    stage, who = services.stage_for_link(token)
    stage = ReviewStage.objects.select_related(
        "round__asset__client", "round__asset__campaign", "round__version", "decided_by"
    ).get(pk=stage.pk)
    stage.round.version.asset = stage.round.asset
    return stage, who


@never_cache
@require_http_methods(["GET", "POST"])
def review_link(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        stage, who = _link_stage(token)
    except services.LinkError as exc:
        return _link_refused(request, token, exc, services.LINK_SALT)
    round_ = stage.round
    asset, version = round_.asset, round_.version
    comment_form = CommentForm()
    decide_form = DecideForm()
    conflict = ""
    status = 200
    decidable = stage.status == StageStatus.ACTIVE and round_.status == RoundStatus.OPEN
    here = reverse("creative:review_link", args=[token])
    if request.method == "POST":
        action = request.POST.get("action", "comment")
        if action == "decide":
            decide_form = DecideForm(request.POST)
            if decide_form.is_valid():
                try:
                    services.decide(
                        None,
                        stage,
                        decide_form.cleaned_data["decision"],
                        decide_form.cleaned_data["note"],
                        outsider=who,
                    )
                except ValidationError as exc:
                    _add_service_errors(decide_form, exc)
                except Conflict as exc:
                    conflict = str(exc)
                    status = 409
                else:
                    return redirect(f"{here}?decided=1")
            if decide_form.errors:
                status = 400
        else:
            comment_form = CommentForm(request.POST)
            comment = _post_comment(request, round_, comment_form, actor=None, outsider=who)
            if _wants_json(request):
                if comment is None:
                    return _public(JsonResponse(_form_errors(comment_form), status=400))
                return _public(
                    JsonResponse(
                        _comment_json(request, comment, public=True, token=token), status=201
                    )
                )
            if comment is not None:
                return redirect(f"{here}#comment-{comment.pk}")
            status = 400
        stage, who = _link_stage(token)
        round_ = stage.round
        decidable = stage.status == StageStatus.ACTIVE and round_.status == RoundStatus.OPEN
    views = comment_views(
        list(ReviewComment.objects.filter(round=round_).select_related("author").order_by("id"))
    )
    file_url = reverse("creative:review_link_file", args=[token])
    context = {
        "token": token,
        "stage": stage,
        "who": who,
        "round": round_,
        "asset": asset,
        "version": version,
        "metadata": metadata_rows(version.metadata),
        "findings": _findings(version, all_specs(asset.client.organization_id)),
        "comments": views,
        "pins": pins_of(views),
        "preview": preview_context(
            asset, version, file_url=file_url, preview_url=f"{file_url}?preview=1"
        ),
        "comment_form": comment_form,
        "comment_url": here,
        "decide_form": decide_form,
        "decidable": decidable,
        "conflict": conflict,
        "just_decided": request.GET.get("decided") == "1" and not decidable,
        "stage_tone": STAGE_TONES.get(StageStatus(stage.status), "neutral"),
        "may_comment": True,
        "public": True,
    }
    return _public(render(request, "creative/review_link.html", context, status=status))


@never_cache
@require_safe
def review_link_file(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        stage, _who = _link_stage(token)
    except services.LinkError as exc:
        return _link_refused(request, token, exc, services.LINK_SALT)
    version = stage.round.version
    return _public(
        _send_version(
            request, version, preview=request.GET.get("preview") == "1", cache="private, no-store"
        )
    )


@never_cache
@require_safe
def file_link(request: HttpRequest, token: str) -> HttpResponseBase:
    """A vendor's download from its trafficking sheet: the signed link is the key."""
    try:
        version = trafficking.version_for_link(token)
    except trafficking.FileLinkError as exc:
        return _link_refused(request, token, exc, trafficking.FILE_SALT)
    return _public(
        serve_file(
            request,
            version.file,
            content_type=_content_type(version.content_type, version.original_name),
            filename=_download_name(version),
            inline=False,
            etag=f"f{version.pk}-{version.checksum[:16]}",
            cache="private, no-store",
        )
    )
