"""Creative over the API: the asset library (uploads, versions, rights, downloads), review
rounds (stages, pinned comments, decisions) and trafficking (assignments, the vendor sheet, the
campaign's creative per placement).

Every lookup goes through ``visible_to(request.user)``: another client's asset, review,
assignment or campaign is 404. A file the services refuse (``AssetRefused``) is 400 with the
sentence; a file already in the library is 409 naming the version it duplicates.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, require, role_on
from mediadesk.creative import services
from mediadesk.creative.choices import (
    AssetKind,
    AssetStatus,
    Decision,
    ReviewerKind,
    RightKind,
    RoundStatus,
    StageStatus,
)
from mediadesk.creative.models import (
    Asset,
    AssetQuerySet,
    AssetVersion,
    Assignment,
    ReviewComment,
    ReviewRound,
    ReviewRoundQuerySet,
    UsageRight,
)
from mediadesk.creative.overview import campaign_creative
from mediadesk.creative.specs import all_specs
from mediadesk.creative.trafficking import sheet_filename, sheet_xlsx
from mediadesk.domain.creative import SOON_DAYS, rights_state
from mediadesk.errors import Conflict
from mediadesk.planning.models import Campaign, Placement

router = Router(tags=["creative"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas ----------------------------------------------------------------------------------


class RefusedOut(Schema):
    detail: str


class ExistingOut(Schema):
    asset: int
    version: int


class DuplicateOut(Schema):
    detail: str
    existing: ExistingOut


class VersionOut(Schema):
    id: int
    number: int
    file_name: str = Field(validation_alias="original_name")
    bytes: int
    checksum: str
    content_type: str
    metadata: dict[str, Any]
    findings: list[dict[str, Any]]
    checked_specs: list[str]
    copy_fields: dict[str, list[str]] = Field(
        validation_alias="copy", serialization_alias="copy", description="Copy assets only."
    )
    note: str
    uploaded_at: datetime
    file_url: str | None = Field(
        None, description="The authorized download page; null for copy (no file)."
    )

    @staticmethod
    def resolve_file_url(obj: AssetVersion) -> str | None:
        if not obj.file:
            return None
        return reverse("creative:version_file", args=[obj.pk])


class RightOut(Schema):
    id: int
    kind: RightKind
    holder: str
    territories: list[str]
    starts: date | None
    expires: date | None
    notes: str


class AssetOut(Schema):
    id: int
    kind: AssetKind
    name: str
    client: int = Field(validation_alias="client_id")
    campaign: int | None = Field(validation_alias="campaign_id")
    status: AssetStatus
    tags: list[str]
    placements: list[str] = Field(validation_alias="line_keys")
    specs: list[str] = Field(validation_alias="spec_keys")
    version_count: int
    current_version: int | None = Field(None, description="The current version's number.")
    versions: list[VersionOut]
    metadata: dict[str, Any] = Field(description="Of the current version.")
    findings: list[dict[str, Any]] = Field(description="Of the current version.")
    blocking_findings: int
    rights: list[RightOut]
    rights_expire: date | None
    rights_state: str
    notes: str
    archived: bool = Field(validation_alias="is_archived")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Asset) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())

    @staticmethod
    def resolve_versions(obj: Asset) -> list[AssetVersion]:
        return sorted(obj.versions.all(), key=lambda version: version.number)

    @staticmethod
    def resolve_current_version(obj: Asset) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @staticmethod
    def resolve_metadata(obj: Asset) -> dict[str, Any]:
        return dict(obj.current_version.metadata) if obj.current_version else {}

    @staticmethod
    def resolve_findings(obj: Asset) -> list[dict[str, Any]]:
        return list(obj.current_version.findings) if obj.current_version else []

    @staticmethod
    def resolve_rights(obj: Asset) -> list[UsageRight]:
        return list(obj.rights.all())

    @staticmethod
    def resolve_rights_state(obj: Asset) -> str:
        if not obj.rights.all():
            return "none"
        return str(rights_state(obj.rights_expire, timezone.localdate()))


class AssetFilters(Schema):
    client: int | None = None
    campaign: int | None = None
    kind: AssetKind | None = None
    status: AssetStatus | None = None
    tag: str | None = None
    q: str | None = Field(None, description="Name, file name or tag contains.")
    size: str | None = Field(None, description="WIDTHxHEIGHT of the current version.")
    expiring: bool | None = Field(
        None, description=f"true: rights expired or expiring within {SOON_DAYS} days."
    )
    archived: bool = False


class CopyIn(Schema):
    name: str = ""
    campaign: int | None = None
    client: int | None = Field(None, description="Needed only without a campaign or asset.")
    copy_fields: dict[str, str | list[str]] = Field(
        alias="copy", description='{"headline": ["…", "…"], "description": "…", …}'
    )
    placements: list[str | int] = []
    specs: list[str] = []
    tags: list[str] = []
    asset: int | None = Field(None, description="An existing copy asset: its next version.")
    note: str = ""


class AssetPatch(Schema):
    name: str | None = None
    campaign: int | None = None
    placements: list[str | int] | None = None
    specs: list[str] | None = None
    tags: list[str] | None = None
    notes: str | None = None


class RightIn(Schema):
    kind: RightKind
    holder: str
    territories: list[str] = []
    starts: date | None = None
    expires: date | None = None
    notes: str = ""


class ReasonIn(Schema):
    reason: str = ""


class PinOut(Schema):
    x: Decimal | None
    y: Decimal | None
    width: Decimal | None
    height: Decimal | None
    page: int | None
    time_seconds: Decimal | None


class CommentOut(Schema):
    id: int
    version: int = Field(description="The version's number.")
    author: str = Field(validation_alias="author_label")
    body: str
    pin: PinOut | None
    parent: int | None = Field(validation_alias="parent_id")
    resolved: bool
    resolved_at: datetime | None
    created_at: datetime
    mentions: list[str]

    @staticmethod
    def resolve_version(obj: ReviewComment) -> int:
        return obj.version.number

    @staticmethod
    def resolve_pin(obj: ReviewComment) -> ReviewComment | None:
        return obj if obj.is_pinned else None

    @staticmethod
    def resolve_resolved(obj: ReviewComment) -> bool:
        return obj.resolved_at is not None

    @staticmethod
    def resolve_mentions(obj: ReviewComment) -> list[str]:
        return sorted(user.email for user in obj.mentions.all())


class StageOut(Schema):
    id: int
    position: int
    name: str
    who: ReviewerKind
    status: StageStatus
    opened_at: datetime | None
    due: date | None
    decided_by: str | None
    decided_at: datetime | None
    note: str

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        if obj.decided_at is None:
            return None
        return str(obj.decided_label or (obj.decided_by.email if obj.decided_by else ""))


class RoundOut(Schema):
    id: int
    asset: int = Field(validation_alias="asset_id")
    asset_name: str
    number: int
    version: int = Field(description="The number of the version under review.")
    status: RoundStatus
    started_at: datetime
    closed_at: datetime | None
    active_stage: int | None = Field(None, description="Position of the stage awaiting a decision.")
    stages: list[StageOut]
    comments: list[CommentOut]

    @staticmethod
    def resolve_asset_name(obj: ReviewRound) -> str:
        return obj.asset.name

    @staticmethod
    def resolve_version(obj: ReviewRound) -> int:
        return obj.version.number

    @staticmethod
    def resolve_stages(obj: ReviewRound) -> list[Any]:
        return sorted(obj.stages.all(), key=lambda stage: stage.position)

    @staticmethod
    def resolve_active_stage(obj: ReviewRound) -> int | None:
        active = [s.position for s in obj.stages.all() if s.status == StageStatus.ACTIVE]
        return active[0] if active else None

    @staticmethod
    def resolve_comments(obj: ReviewRound) -> list[ReviewComment]:
        return sorted(obj.comments.all(), key=lambda comment: (comment.created_at, comment.pk))


class RoundFilters(Schema):
    asset: int | None = None
    status: RoundStatus | None = None


class CommentIn(Schema):
    body: str
    parent: int | None = Field(None, description="Reply to this comment (replies have no pin).")
    x: Decimal | None = Field(None, description="Pin: 0–1 from the left.")
    y: Decimal | None = Field(None, description="Pin: 0–1 from the top.")
    width: Decimal | None = Field(None, description="Region: 0–1 of the width.")
    height: Decimal | None = Field(None, description="Region: 0–1 of the height.")
    page: int | None = Field(None, description="PDF page, from 1.")
    time_seconds: Decimal | None = Field(None, description="Time code of video or audio.")


class ResolveIn(Schema):
    resolved: bool = True


class DecisionIn(Schema):
    decision: Decision
    note: str = ""


class AssignmentOut(Schema):
    id: int
    campaign: int = Field(validation_alias="campaign_id")
    placement: int | None = Field(validation_alias="placement_id")
    placement_code: str
    line_key: str
    asset: int
    asset_name: str
    version: int = Field(validation_alias="version_id")
    version_number: int
    starts: date
    ends: date
    weight: int
    click_url: str
    tracked_url: str
    created_at: datetime
    removed_at: datetime | None

    @staticmethod
    def resolve_placement_code(obj: Assignment) -> str:
        return obj.placement.code if obj.placement else obj.line_key

    @staticmethod
    def resolve_asset(obj: Assignment) -> int:
        return obj.version.asset_id

    @staticmethod
    def resolve_asset_name(obj: Assignment) -> str:
        return obj.version.asset.name

    @staticmethod
    def resolve_version_number(obj: Assignment) -> int:
        return obj.version.number


class AssignmentFilters(Schema):
    campaign: int | None = None
    asset: int | None = None
    placement: int | None = None


class AssignIn(Schema):
    version: int | None = Field(None, description="A version id; or give asset (+ number).")
    asset: int | None = None
    version_number: int | None = Field(None, description="By default the asset's current one.")
    placement: int
    starts: date | None = Field(None, description="By default the placement's start (or today).")
    ends: date | None = Field(None, description="By default the placement's end.")
    weight: int = 100
    click_url: str = ""


class SpecOut(Schema):
    key: str
    name: str
    label: str


class DeadlineOut(Schema):
    state: str
    sentence: str


class PlacementRefOut(Schema):
    id: int
    code: str
    line_key: str
    channel: str
    vendor: str
    format: str
    start: date
    end: date
    material_deadline: date | None


class AssetRefOut(Schema):
    id: int
    name: str
    kind: AssetKind
    status: AssetStatus
    version: int | None
    blocking_findings: int
    rights_expire: date | None


class PlacementCreativeOut(Schema):
    placement: PlacementRefOut
    spec_key: str
    spec_chosen: bool
    spec: SpecOut | None
    assets: list[AssetRefOut]
    assignments: list[AssignmentOut]
    deadline: DeadlineOut | None


# --- lookups ----------------------------------------------------------------------------------


def _assets(request: HttpRequest) -> AssetQuerySet:
    """Assets as the API shows them: versions, tags and rights fetched with them."""
    return (
        Asset.objects.visible_to(request.user)
        .select_related("current_version")
        .prefetch_related("tags", "versions", "rights")
    )


def _asset(request: HttpRequest, asset_id: int) -> Asset:
    """The asset to hand to a service: fresh, without cached relations it would read stale."""
    asset: Asset = get_object_or_404(Asset.objects.visible_to(request.user), pk=asset_id)
    return asset


def _shown(request: HttpRequest, asset_id: int) -> Asset:
    """The asset to answer with, read after any change."""
    asset: Asset = get_object_or_404(_assets(request), pk=asset_id)
    return asset


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("client"), pk=campaign_id
    )
    return campaign


def _internal_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign whose trafficking the user may see: client reviewers never do (404)."""
    campaign = _campaign(request, campaign_id)
    if role_on(request.user, campaign.client_id) == Role.CLIENT_REVIEWER:
        raise Http404("Not found.")
    return campaign


def _client_for(request: HttpRequest, campaign: Campaign | None, client_id: int | None) -> Client:
    if campaign is not None:
        if client_id is not None and client_id != campaign.client_id:
            raise ValidationError({"client": "The campaign belongs to another client."})
        return campaign.client
    if client_id is None:
        raise ValidationError({"campaign": "Give the campaign (or the client) the asset is for."})
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    return client


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _line_keys(
    request: HttpRequest, campaign: Campaign | None, given: Sequence[str | int]
) -> list[str]:
    """Placements given as line keys or placement ids, as the campaign's line keys.

    Both are looked up among the placements the user can see on that campaign (any of its plan
    versions), so a new version's placements are known good before its file is stored. Without
    a campaign they are left for the services, which say to choose one first."""
    values = [str(value).strip() for value in given if str(value).strip()]
    if not values or campaign is None:
        return values
    placements = Placement.objects.visible_to(request.user).filter(version__campaign=campaign)
    known = set(placements.values_list("line_key", flat=True))
    ids = [int(value) for value in values if value.isdigit() and value not in known]
    by_id = dict(placements.filter(pk__in=ids).values_list("pk", "line_key"))
    keys = []
    for value in values:
        if value in known:
            keys.append(value)
        elif value.isdigit() and int(value) in by_id:
            keys.append(by_id[int(value)])
        else:
            raise ValidationError(
                {"placements": f"{value} is not a placement (id or line key) of {campaign.code}."}
            )
    return list(dict.fromkeys(keys))


def _check_specs(request: HttpRequest, keys: list[str]) -> None:
    library = all_specs(getattr(request.user, "organization_id", None))
    unknown = [key for key in keys if key not in library]
    if unknown:
        raise ValidationError({"specs": f"No spec has the key {', '.join(unknown)}."})


def _same_campaign(asset: Asset, campaign: Campaign | None) -> None:
    if campaign is not None and campaign.pk != asset.campaign_id:
        message = "A new version stays on its asset's campaign; change it with PATCH first."
        raise ValidationError({"campaign": message})


def _duplicate(exc: services.DuplicateAsset) -> Status[dict[str, Any]]:
    existing = exc.existing
    return Status(
        409,
        {"detail": str(exc), "existing": {"asset": existing.asset_id, "version": existing.number}},
    )


# --- the asset library ------------------------------------------------------------------------


@router.get("/assets", response=list[AssetOut], summary="List assets", by_alias=True)
@paginate(LimitOffsetPagination)
def list_assets(request: HttpRequest, filters: Query[AssetFilters]) -> AssetQuerySet:
    assets = _assets(request)
    assets = assets.filter(archived_at__isnull=not filters.archived)
    if filters.client is not None:
        assets = assets.filter(client_id=filters.client)
    if filters.campaign is not None:
        assets = assets.filter(campaign_id=filters.campaign)
    if filters.kind is not None:
        assets = assets.filter(kind=filters.kind)
    if filters.status is not None:
        assets = assets.filter(status=filters.status)
    if filters.tag:
        assets = assets.filter(tags__name__iexact=filters.tag.strip())
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        matching = Asset.objects.filter(
            Q(name__icontains=text)
            | Q(versions__original_name__icontains=text)
            | Q(tags__name__icontains=text)
        ).values("id")
        assets = assets.filter(pk__in=matching)
    if filters.size and filters.size.strip():
        width, _, height = filters.size.lower().replace("×", "x").partition("x")
        if not (width.strip().isdigit() and height.strip().isdigit()):
            raise ValidationError({"size": f"{filters.size!r} is not WIDTHxHEIGHT, e.g. 300x250."})
        assets = assets.filter(
            current_version__facts__width=int(width), current_version__facts__height=int(height)
        )
    if filters.expiring is not None:
        soon = timezone.localdate() + timedelta(days=SOON_DAYS)
        expiring = Q(rights_expire__isnull=False, rights_expire__lte=soon)
        assets = assets.filter(expiring) if filters.expiring else assets.exclude(expiring)
    return assets.distinct().order_by("-updated_at", "-id")


@router.post(
    "/assets",
    response={201: AssetOut, 400: RefusedOut, 409: DuplicateOut},
    by_alias=True,
    summary="Upload a file as a new asset, or as an asset's next version (multipart)",
    description="Multipart fields: `file`, `campaign` (id), `name`; optionally `placements` "
    "(comma-separated line keys or placement ids), `specs` (comma-separated spec keys), `tags` "
    "(comma-separated), `asset` (an asset id: the file becomes its next version), `note`, and "
    "`client` (only for an asset without a campaign). 201 with the asset and the metadata read "
    "from the file; 400 with a sentence when the file is refused (nothing is stored); 409 with "
    "`existing` when the same file is already in the client's library.",
)
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    campaign: Form[int | None] = None,
    name: Form[str] = "",
    placements: Form[str] = "",
    specs: Form[str] = "",
    tags: Form[str] = "",
    asset: Form[int | None] = None,
    note: Form[str] = "",
    client: Form[int | None] = None,
) -> Status[Any]:
    target = _campaign(request, campaign) if campaign is not None else None
    spec_keys = _split(specs)
    _check_specs(request, spec_keys)
    filename = file.name or "upload"
    try:
        if asset is not None:
            existing = _asset(request, asset)
            _same_campaign(existing, target)
            keys = _line_keys(request, existing.campaign, _split(placements))
            made = services.upload_version(
                request.user, existing, source=file, filename=filename, note=note
            )
            _update_with_version(
                request,
                made.asset,
                name=name,
                line_keys=keys if placements.strip() else None,
                spec_keys=spec_keys,
                tags=_split(tags),
            )
        else:
            owner = _client_for(request, target, client)
            made = services.upload_asset(
                request.user,
                client=owner,
                source=file,
                filename=filename,
                name=name,
                campaign=target,
                line_keys=_line_keys(request, target, _split(placements)),
                spec_keys=spec_keys,
                tags=_split(tags),
                note=note,
            )
    except services.AssetRefused as exc:
        return Status(400, {"detail": str(exc)})
    except services.DuplicateAsset as exc:
        return _duplicate(exc)
    return Status(201, _shown(request, made.asset.pk))


def _update_with_version(
    request: HttpRequest,
    asset: Asset,
    *,
    name: str,
    line_keys: list[str] | None,
    spec_keys: list[str],
    tags: list[str],
) -> None:
    """Fields sent with a new version change the asset too (they were checked before)."""
    changes: dict[str, Any] = {}
    if name.strip():
        changes["name"] = name
    if line_keys is not None:
        changes["line_keys"] = line_keys
    if spec_keys:
        changes["spec_keys"] = spec_keys
    if tags:
        changes["tags"] = tags
    if changes:
        services.update_asset(request.user, asset, **changes)


@router.post(
    "/assets/copy",
    response={201: AssetOut, 400: RefusedOut},
    by_alias=True,
    summary="Ad copy (headlines, descriptions, …) as a new asset, or a copy asset's next version",
)
def upload_copy(request: HttpRequest, payload: CopyIn) -> Status[Any]:
    existing = _asset(request, payload.asset) if payload.asset is not None else None
    target = _campaign(request, payload.campaign) if payload.campaign is not None else None
    _check_specs(request, payload.specs)
    if existing is not None:
        _same_campaign(existing, target)
        owner = existing.client
        keys = _line_keys(request, existing.campaign, payload.placements)
    else:
        owner = _client_for(request, target, payload.client)
        keys = _line_keys(request, target, payload.placements)
    try:
        made = services.upload_copy(
            request.user,
            client=owner,
            copy=payload.copy_fields,
            name=payload.name,
            campaign=target,
            asset=existing,
            line_keys=keys,
            spec_keys=payload.specs,
            tags=payload.tags,
            note=payload.note,
        )
    except services.AssetRefused as exc:
        return Status(400, {"detail": str(exc)})
    if existing is not None:
        _update_with_version(
            request,
            made.asset,
            name=payload.name,
            line_keys=keys if payload.placements else None,
            spec_keys=payload.specs,
            tags=payload.tags,
        )
    return Status(201, _shown(request, made.asset.pk))


@router.get(
    "/assets/{asset_id}", response=AssetOut, summary="One asset with its versions", by_alias=True
)
def get_asset(request: HttpRequest, asset_id: int) -> Asset:
    return _shown(request, asset_id)


@router.patch(
    "/assets/{asset_id}",
    response=AssetOut,
    by_alias=True,
    summary="Change an asset's name, campaign, placements, specs, tags or notes",
)
def patch_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Asset:
    asset = _asset(request, asset_id)
    data = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    campaign = asset.campaign
    if "campaign" in data:
        campaign = _campaign(request, data["campaign"]) if data["campaign"] is not None else None
        changes.update(campaign=campaign, change_campaign=True)
    if data.get("placements") is not None:
        changes["line_keys"] = _line_keys(request, campaign, data["placements"])
    for field, argument in (("name", "name"), ("specs", "spec_keys"), ("tags", "tags")):
        if data.get(field) is not None:
            changes[argument] = data[field]
    if "notes" in data:
        changes["notes"] = data["notes"] or ""
    services.update_asset(request.user, asset, **changes)
    return _shown(request, asset_id)


@router.post(
    "/assets/{asset_id}/rights",
    response={201: AssetOut},
    by_alias=True,
    summary="Add a usage right (talent, music, stock, influencer) with territories and expiry",
)
def add_right(request: HttpRequest, asset_id: int, payload: RightIn) -> Status[Asset]:
    asset = _asset(request, asset_id)
    services.add_right(
        request.user,
        asset,
        kind=payload.kind,
        holder=payload.holder,
        territories=payload.territories,
        starts=payload.starts,
        expires=payload.expires,
        notes=payload.notes,
    )
    return Status(201, _shown(request, asset_id))


@router.delete(
    "/assets/{asset_id}/rights/{right_id}",
    response=AssetOut,
    summary="Remove a usage right",
    by_alias=True,
)
def remove_right(request: HttpRequest, asset_id: int, right_id: int) -> Asset:
    asset = _asset(request, asset_id)
    right = get_object_or_404(UsageRight.objects.filter(asset=asset), pk=right_id)
    services.remove_right(request.user, right)
    return _shown(request, asset_id)


@router.get(
    "/assets/{asset_id}/versions/{number}/file", summary="Download a version's file (streamed)"
)
def version_file(request: HttpRequest, asset_id: int, number: int) -> FileResponse:
    asset = _asset(request, asset_id)
    version = get_object_or_404(AssetVersion.objects.filter(asset=asset), number=number)
    if not version.file:
        raise Http404("This version is copy; it has no file.")
    name = version.original_name or f"{asset.name}-v{version.number}"
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=name)
    if version.content_type:  # else FileResponse guessed it from the name
        response["Content-Type"] = version.content_type
    return response


@router.post(
    "/assets/{asset_id}/archive", response=AssetOut, summary="Archive an asset", by_alias=True
)
def archive(request: HttpRequest, asset_id: int, payload: ReasonIn | None = None) -> Asset:
    reason = payload.reason if payload else ""
    services.archive_asset(request.user, _asset(request, asset_id), reason)
    return _shown(request, asset_id)


# --- review rounds ----------------------------------------------------------------------------


def _rounds(request: HttpRequest) -> ReviewRoundQuerySet:
    return (
        ReviewRound.objects.visible_to(request.user)
        .select_related("asset", "version")
        .prefetch_related("stages__decided_by", "comments__version", "comments__mentions")
    )


def _round(request: HttpRequest, round_id: int) -> ReviewRound:
    found: ReviewRound = get_object_or_404(_rounds(request), pk=round_id)
    return found


@router.post(
    "/assets/{asset_id}/reviews",
    response={201: RoundOut},
    summary="Start a review round of the current version",
)
def start_review(request: HttpRequest, asset_id: int) -> Status[ReviewRound]:
    round_ = services.start_review(request.user, _asset(request, asset_id))
    return Status(201, _round(request, round_.pk))


@router.get("/reviews", response=list[RoundOut], summary="List review rounds")
@paginate(LimitOffsetPagination)
def list_reviews(request: HttpRequest, filters: Query[RoundFilters]) -> ReviewRoundQuerySet:
    rounds = _rounds(request)
    if filters.asset is not None:
        rounds = rounds.filter(asset_id=filters.asset)
    if filters.status is not None:
        rounds = rounds.filter(status=filters.status)
    return rounds.order_by("-started_at", "-id")


@router.get("/reviews/{round_id}", response=RoundOut, summary="One review round")
def get_review(request: HttpRequest, round_id: int) -> ReviewRound:
    return _round(request, round_id)


@router.post(
    "/reviews/{round_id}/comments",
    response={201: CommentOut},
    summary="Comment, pinned to a point, region, page or time code, or reply",
)
def add_comment(request: HttpRequest, round_id: int, payload: CommentIn) -> Status[Any]:
    round_ = _round(request, round_id)
    parent = None
    if payload.parent is not None:
        parent = get_object_or_404(ReviewComment.objects.filter(round=round_), pk=payload.parent)
    comment = services.add_comment(
        request.user,
        round_,
        payload.body,
        parent=parent,
        x=payload.x,
        y=payload.y,
        width=payload.width,
        height=payload.height,
        page=payload.page,
        time_seconds=payload.time_seconds,
    )
    return Status(201, _comment(round_, comment.pk))


def _comment(round_: ReviewRound, comment_id: int) -> ReviewComment:
    found: ReviewComment = get_object_or_404(
        ReviewComment.objects.filter(round=round_)
        .select_related("version")
        .prefetch_related("mentions"),
        pk=comment_id,
    )
    return found


@router.post(
    "/reviews/{round_id}/comments/{comment_id}/resolve",
    response=CommentOut,
    summary="Resolve a comment (or reopen it with resolved: false)",
)
def resolve_comment(
    request: HttpRequest, round_id: int, comment_id: int, payload: ResolveIn | None = None
) -> ReviewComment:
    round_ = _round(request, round_id)
    resolved = payload.resolved if payload else True
    services.resolve_comment(request.user, _comment(round_, comment_id), resolved)
    return _comment(round_, comment_id)


@router.post(
    "/reviews/{round_id}/decisions",
    response=RoundOut,
    summary="Decide the stage awaiting a decision: approve, request changes or reject",
)
def decide(request: HttpRequest, round_id: int, payload: DecisionIn) -> ReviewRound:
    round_ = _round(request, round_id)
    stage = services.active_stage(round_)
    if stage is None:
        raise Conflict(
            f"No stage of review {round_.number} awaits a decision (it is "
            f"{round_.get_status_display().lower()})."
        )
    services.decide(request.user, stage, payload.decision, payload.note)
    return _round(request, round_id)


# --- trafficking ------------------------------------------------------------------------------


def _assignments(request: HttpRequest) -> Any:
    return Assignment.objects.visible_to(request.user).select_related("placement", "version__asset")


@router.get("/trafficking", response=list[AssignmentOut], summary="Current trafficking")
@paginate(LimitOffsetPagination)
def list_trafficking(request: HttpRequest, filters: Query[AssignmentFilters]) -> Any:
    found = _assignments(request).filter(removed_at__isnull=True)
    if filters.campaign is not None:
        found = found.filter(campaign_id=filters.campaign)
    if filters.asset is not None:
        found = found.filter(version__asset_id=filters.asset)
    if filters.placement is not None:
        found = found.filter(placement_id=filters.placement)
    return found.order_by("campaign_id", "line_key", "starts", "id")


@router.post(
    "/trafficking",
    response={201: AssignmentOut},
    summary="Traffic an approved version to a placement",
    description="409 with the reasons when the version is not approved, its rights do not "
    "cover the run, or the dates fall outside the placement.",
)
def assign(request: HttpRequest, payload: AssignIn) -> Status[Any]:
    versions = AssetVersion.objects.visible_to(request.user).select_related("asset")
    if payload.version is not None:
        version = get_object_or_404(versions, pk=payload.version)
    elif payload.asset is not None:
        asset = _asset(request, payload.asset)
        number = payload.version_number or asset.version_count
        version = get_object_or_404(versions.filter(asset=asset), number=number)
    else:
        raise ValidationError({"version": "Give the version id, or the asset (and its number)."})
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("version__campaign__client"),
        pk=payload.placement,
    )
    if role_on(request.user, version.asset.client_id) == Role.CLIENT_REVIEWER:
        raise Http404("Not found.")
    made = services.assign(
        request.user,
        version,
        placement,
        starts=payload.starts,
        ends=payload.ends,
        weight=payload.weight,
        click_url=payload.click_url,
    )
    return Status(201, _assignments(request).get(pk=made.pk))


@router.delete(
    "/trafficking/{assignment_id}", response={204: None}, summary="Stop trafficking an assignment"
)
def unassign(
    request: HttpRequest, assignment_id: int, payload: ReasonIn | None = None
) -> Status[None]:
    assignment = get_object_or_404(_assignments(request), pk=assignment_id)
    services.unassign(request.user, assignment, payload.reason if payload else "")
    return Status(204, None)


@router.get(
    "/campaigns/{campaign_id}/trafficking/sheet",
    summary="The trafficking sheet (XLSX), of one vendor with ?vendor=",
)
def trafficking_sheet(request: HttpRequest, campaign_id: int, vendor: str = "") -> HttpResponse:
    campaign = _internal_campaign(request, campaign_id)
    require(request.user, Action.EXPORT, campaign.client_id)
    data = sheet_xlsx(campaign, vendor.strip(), request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(data, content_type=XLSX)
    name = sheet_filename(campaign, vendor.strip())
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._-") or "trafficking"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response


@router.get(
    "/campaigns/{campaign_id}/creative",
    response=list[PlacementCreativeOut],
    summary="Per placement: its spec, assets, trafficking and material deadline",
)
def campaign_overview(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = _internal_campaign(request, campaign_id)
    assets = list(
        Asset.objects.visible_to(request.user)
        .filter(campaign=campaign, archived_at__isnull=True)
        .select_related("current_version")
    )
    rows = []
    for row in campaign_creative(campaign, assets=assets):
        spec = row.spec
        rows.append(
            {
                "placement": row.placement,
                "spec_key": row.spec_key,
                "spec_chosen": row.spec_chosen,
                "spec": None
                if spec is None
                else {"key": spec.key, "name": spec.name, "label": spec.short_label},
                "assets": [
                    {
                        "id": asset.pk,
                        "name": asset.name,
                        "kind": asset.kind,
                        "status": asset.status,
                        "version": asset.current_version.number if asset.current_version else None,
                        "blocking_findings": asset.blocking_findings,
                        "rights_expire": asset.rights_expire,
                    }
                    for asset in row.assets
                ],
                "assignments": row.assignments,
                "deadline": None
                if row.deadline is None
                else {"state": str(row.deadline.state), "sentence": row.deadline.sentence},
            }
        )
    return rows
