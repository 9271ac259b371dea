"""Compliance over the API: lint copy against a rule set, keep rule sets (create, revise, archive,
import and export their documented YAML/JSON file), read the starter packs, and see and
override the findings on an asset's current version and a campaign's placements.

Every lookup goes through ``visible_to(request.user)``: another client's rule set, asset or
campaign (and another organization's rule set, even one for all its clients) is 404. Rule sets
and campaign findings are the agency's work: a client reviewer sees neither (404). State
changes are ``compliance.services`` functions, as for the pages and the CLI.
"""

import dataclasses
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field, field_validator

from mediadesk.accounts.models import Brand, Client
from mediadesk.accounts.permissions import Action, can, is_org_admin, roles_by_client
from mediadesk.compliance import services
from mediadesk.compliance.models import Override, RuleSet, RuleSetQuerySet
from mediadesk.creative.models import Asset
from mediadesk.domain.rule_packs import starter_packs
from mediadesk.domain.rules import (
    PLATFORMS,
    CompiledRules,
    Finding,
    RuleError,
    Subject,
    parse_rule_set,
)
from mediadesk.planning.models import Campaign, Placement, PlanVersion

router = Router(tags=["compliance"])

MAX_RULE_FILE_BYTES = 1024 * 1024
EXPORT_TYPES = {"yaml": "application/yaml; charset=utf-8", "json": "application/json"}


# --- schemas ----------------------------------------------------------------------------------


class FindingOut(Schema):
    rule: str = Field(description="The rule's id within its rule set.")
    rule_set: int | None = Field(None, description="The saved rule set; null for inline rules.")
    severity: Literal["info", "warning", "blocking"]
    message: str
    field: str | None = Field(description="The copy field; null for the subject as a whole.")
    item: int | None = Field(description="Which text of the field, from 0: headline 2 is item 1.")
    start: int | None = Field(description="Character span of the offending text, from 0.")
    end: int | None


class CheckOut(Schema):
    findings: list[FindingOut]


class TargetingIn(Schema):
    min_age: int | None = None
    max_age: int | None = None
    interests: list[str] = []
    excluded: list[str] = []


class SubjectIn(Schema):
    fields: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description='Copy per field: {"headline": ["…", "…"], "text": "…", "final url": "…"}.',
    )
    channel: str = ""
    market: str = ""
    categories: list[str] = Field(
        default_factory=list,
        description="Regulated categories (alcohol, gambling, …); by default the client's when "
        "a client is given.",
    )
    sponsored: bool = False
    platform: str = Field(
        "", description=f"The platform the copy is written for: {', '.join(PLATFORMS)}."
    )
    targeting: TargetingIn | str | None = Field(
        None, description='{"min_age": 18, "excluded": [...]} or text such as "18-34, DE".'
    )

    @field_validator("platform")
    @classmethod
    def known_platform(cls, value: str) -> str:
        if value and value not in PLATFORMS:
            raise ValueError(f"{value!r} is not a platform; use one of {', '.join(PLATFORMS)}")
        return value


class CheckIn(Schema):
    rule_set: int | Literal["applicable"] | dict[str, Any] = Field(
        description='A rule set id, inline rules {"rules": [...]}, or "applicable" with client.'
    )
    client: int | None = Field(None, description='With "applicable": whose rule sets apply.')
    brand: int | None = Field(None, description='With "applicable": the brand (optional).')
    subject: SubjectIn


class RuleSetOut(Schema):
    id: int
    name: str
    description: str
    client: int | None = Field(validation_alias="client_id")
    brand: int | None = Field(validation_alias="brand_id")
    markets: list[str]
    channels: list[str]
    rules: dict[str, Any]
    rule_count: int
    revision: int
    starter: str
    updated_at: datetime
    updated_by: str | None
    archived: bool
    archived_at: datetime | None

    @staticmethod
    def resolve_updated_by(obj: RuleSet) -> str | None:
        return obj.updated_by.email if obj.updated_by else None

    @staticmethod
    def resolve_archived(obj: RuleSet) -> bool:
        return obj.archived_at is not None


class RuleSetFilters(Schema):
    client: int | None = Field(None, description="Only this client's rule sets.")
    organization_wide: bool | None = Field(
        None, description="true: only the sets for every client; false: only clients' sets."
    )
    archived: bool = False


class RuleSetIn(Schema):
    name: str
    client: int | None = Field(None, description="Empty: the rules apply to every client.")
    brand: int | None = None
    markets: list[str] = []
    channels: list[str] = []
    description: str = ""
    rules: dict[str, Any] | None = Field(
        None, description='{"version": 1, "rules": [...]}; by default the starter pack\'s.'
    )
    starter: str = Field("", description="Start from this starter pack (its key, e.g. us).")


class RuleSetPatch(Schema):
    name: str | None = None
    client: int | None = None
    brand: int | None = None
    markets: list[str] | None = None
    channels: list[str] | None = None
    description: str | None = None
    rules: dict[str, Any] | None = None


class ReasonIn(Schema):
    reason: str = ""


class PackOut(Schema):
    key: str
    name: str
    note: str
    rules: dict[str, Any]


class OverrideOut(Schema):
    id: int
    rule: str = Field(description='The finding\'s key, "<rule set id>:<rule id>".')
    field: str
    item: int | None
    message: str
    reason: str
    by: str
    at: datetime
    line_key: str

    @staticmethod
    def resolve_by(obj: Override) -> str:
        return obj.by.email


class FoundOut(Schema):
    key: str = Field(description='"<rule set id>:<rule id>", or "spec:<spec key>".')
    source: str = Field(description="The rule set's name, or Creative spec.")
    rule: str
    severity: Literal["info", "warning", "blocking"]
    message: str
    field: str | None
    item: int | None
    start: int | None
    end: int | None
    market: str
    channel: str
    blocks: bool = Field(description="Blocking and not overridden: it stops the approval.")
    override: OverrideOut | None


class AssetComplianceOut(Schema):
    asset: int
    version: int | None = Field(description="The current version's number.")
    blocking: int
    findings: list[FoundOut]


class OverrideIn(Schema):
    key: str = Field(description="The finding's key, as the findings list shows it.")
    field: str | None = None
    item: int | None = None
    reason: str


class PlacementOverrideIn(OverrideIn):
    line_key: str = Field(description="The placement's line key.")


class PlacementRef(Schema):
    id: int
    code: str
    line_key: str
    channel: str
    market: str
    targeting: str


class PlacementFindingsOut(Schema):
    placement: PlacementRef
    findings: list[FoundOut]


class AssetRef(Schema):
    id: int
    name: str
    kind: str
    status: str
    version: int | None


class AssetFindingsOut(Schema):
    asset: AssetRef
    findings: list[FoundOut]


class CampaignComplianceOut(Schema):
    campaign: int
    plan_version: int | None = Field(description="The number of the plan version checked.")
    blocking: int = Field(description="Blocking findings nobody overrode, placements and assets.")
    placements: list[PlacementFindingsOut]
    assets: list[AssetFindingsOut]


# --- helpers ----------------------------------------------------------------------------------


def _severity(finding: Finding) -> str:
    return str(getattr(finding.severity, "value", finding.severity))


def _finding(finding: Finding, rule_set: int | None = None) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "rule_set": rule_set,
        "severity": _severity(finding),
        "message": finding.message,
        "field": finding.field,
        "item": finding.item,
        "start": finding.start,
        "end": finding.end,
    }


def _found(item: services.Found) -> dict[str, Any]:
    finding = item.finding
    return {
        "key": item.key,
        "source": item.source,
        "rule": finding.rule,
        "severity": _severity(finding),
        "message": finding.message,
        "field": finding.field,
        "item": finding.item,
        "start": finding.start,
        "end": finding.end,
        "market": item.market,
        "channel": item.channel,
        "blocks": item.blocks,
        "override": item.override,
    }


def _subject(data: dict[str, Any]) -> Subject:
    """The subject of a check; ``platform`` is the platform the copy is written for."""
    subject = services.subject_from(data)
    platform = str(data.get("platform") or "")
    if platform and not subject.platform:
        subject = dataclasses.replace(subject, platform=platform)
    return subject


def _internal_ids(request: HttpRequest) -> list[int]:
    """Clients the user works on internally (a client reviewer has none), as the pages judge
    it; someone without any is answered 404 on rule sets, as if there were none."""
    ids = [
        pk
        for pk in roles_by_client(request.user)
        if can(request.user, Action.VIEW_ALL_CAMPAIGNS, pk)
    ]
    if not ids and not is_org_admin(request.user):
        raise Http404("Not found.")
    return ids


def _rule_sets(request: HttpRequest) -> RuleSetQuerySet:
    ids = _internal_ids(request)
    return (
        RuleSet.objects.visible_to(request.user)
        .filter(Q(client__isnull=True) | Q(client_id__in=ids))
        .select_related("updated_by")
    )


def _rule_set(request: HttpRequest, rule_set_id: int) -> RuleSet:
    found: RuleSet = get_object_or_404(
        _rule_sets(request).select_related("organization", "client", "brand"), pk=rule_set_id
    )
    return found


def _client(request: HttpRequest, client_id: int | None) -> Client | None:
    if client_id is None:
        return None
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    return client


def _brand(request: HttpRequest, brand_id: int | None) -> Brand | None:
    if brand_id is None:
        return None
    brand: Brand = get_object_or_404(Brand.objects.visible_to(request.user), pk=brand_id)
    return brand


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign whose findings the user may see: client reviewers never do (404)."""
    campaign: Campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("client"), pk=campaign_id
    )
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, campaign.client_id):
        raise Http404("Not found.")
    return campaign


def _asset(request: HttpRequest, asset_id: int) -> Asset:
    asset: Asset = get_object_or_404(
        Asset.objects.visible_to(request.user).select_related("client", "campaign"), pk=asset_id
    )
    return asset


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _file_text(file: UploadedFile) -> str:
    """A rule file's text: at most 1 MB of UTF-8 (a byte order mark is allowed)."""
    name = file.name or "rules"
    size = getattr(file, "size", None)
    if size is not None and size > MAX_RULE_FILE_BYTES:
        raise ValidationError({"file": f"{name} is over 1 MB; a rule file is far smaller."})
    chunks, total = [], 0
    for chunk in file.chunks():
        total += len(chunk)
        if total > MAX_RULE_FILE_BYTES:
            raise ValidationError({"file": f"{name} is over 1 MB; a rule file is far smaller."})
        chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": f"{name} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8."}
        ) from exc


def _organization(request: HttpRequest) -> Any:
    organization = getattr(request.user, "organization", None)
    if organization is None:
        raise Http404("Not found.")
    return organization


# --- linting copy -----------------------------------------------------------------------------


@router.post(
    "/compliance/check",
    response=CheckOut,
    summary="Lint copy (and targeting) against a rule set",
    description='`rule_set` is a rule set id, inline rules `{"rules": [...]}` (422 naming the '
    'rule and parameter when they are invalid), or `"applicable"` with `client` (and '
    "optionally `brand`): every active rule set that applies to that client in the subject's "
    "market and channel. Findings are computed, never stored.",
)
def check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    data = payload.subject.model_dump()
    rule_set = payload.rule_set
    if isinstance(rule_set, dict):
        try:
            inline = CompiledRules(parse_rule_set(rule_set))
        except RuleError as exc:
            raise ValidationError({"rule_set": str(exc)}) from exc
        return {"findings": [_finding(f) for f in inline.check(_subject(data))]}
    if rule_set == "applicable":
        client = _client(request, payload.client)
        if client is None:
            raise ValidationError({"client": "Give the client whose rule sets apply."})
        if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, client.pk):
            raise Http404("Not found.")
        brand = _brand(request, payload.brand)
        if brand is not None and brand.client_id != client.pk:
            raise ValidationError({"brand": "Choose a brand of that client."})
        if not data.get("categories"):
            data["categories"] = list(services.categories_of(client))
        subject = _subject(data)
        sets = services.applicable(
            client,
            brand_id=brand.pk if brand else None,
            market=subject.market,
            channel=subject.channel,
        )
        found = []
        for saved in sets:
            found += [_finding(f, saved.pk) for f in services.compiled(saved).check(subject)]
        return {"findings": found}
    saved = _rule_set(request, int(rule_set))
    subject = _subject(data)
    return {"findings": [_finding(f, saved.pk) for f in services.compiled(saved).check(subject)]}


# --- rule sets --------------------------------------------------------------------------------


@router.get("/rule-sets", response=list[RuleSetOut], summary="List rule sets")
@paginate(LimitOffsetPagination)
def list_rule_sets(request: HttpRequest, filters: Query[RuleSetFilters]) -> RuleSetQuerySet:
    sets = _rule_sets(request).filter(archived_at__isnull=not filters.archived)
    if filters.client is not None:
        sets = sets.filter(client_id=filters.client)
    if filters.organization_wide is not None:
        sets = sets.filter(client__isnull=filters.organization_wide)
    return sets.order_by("name", "id")


@router.post("/rule-sets", response={201: RuleSetOut}, summary="Create a rule set")
def create_rule_set(request: HttpRequest, payload: RuleSetIn) -> Status[RuleSet]:
    _internal_ids(request)
    rules = payload.rules
    if payload.starter:
        pack = starter_packs().get(payload.starter)
        if pack is None:
            known = ", ".join(starter_packs())
            raise ValidationError({"starter": f"No starter pack {payload.starter!r}: {known}."})
        if rules is None:
            rules = pack.rules
    elif rules is None:
        raise ValidationError({"rules": "Give the rules, or a starter pack to start from."})
    made = services.save_rule_set(
        request.user,
        organization=_organization(request),
        name=payload.name,
        rules=rules,
        client=_client(request, payload.client),
        brand=_brand(request, payload.brand),
        markets=payload.markets,
        channels=payload.channels,
        description=payload.description,
        starter=payload.starter,
    )
    return Status(201, _rule_set(request, made.pk))


@router.post(
    "/rule-sets/import",
    response={201: RuleSetOut},
    summary="A rule file (YAML or JSON, multipart) as a new rule set",
    description="Multipart fields: `file` (required), `name` (by default the file name), "
    "`client` and `brand` (ids; no client: for every client), `markets` and `channels` "
    "(comma-separated), `description`. 422 with the line and what is wrong when the file is "
    "not a valid rule file; nothing is saved then.",
)
def import_new_rule_set(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Form[str] = "",
    client: Form[int | None] = None,
    brand: Form[int | None] = None,
    markets: Form[str] = "",
    channels: Form[str] = "",
    description: Form[str] = "",
) -> Status[RuleSet]:
    _internal_ids(request)
    made = services.import_rule_set(
        request.user,
        organization=_organization(request),
        text=_file_text(file),
        filename=file.name or "rules.yaml",
        name=name,
        client=_client(request, client),
        brand=_brand(request, brand),
        markets=_split(markets),
        channels=_split(channels),
        description=description,
    )
    return Status(201, _rule_set(request, made.pk))


@router.get("/rule-sets/{rule_set_id}", response=RuleSetOut, summary="One rule set")
def get_rule_set(request: HttpRequest, rule_set_id: int) -> RuleSet:
    return _rule_set(request, rule_set_id)


@router.patch(
    "/rule-sets/{rule_set_id}",
    response=RuleSetOut,
    summary="Change a rule set: its next revision",
)
def patch_rule_set(request: HttpRequest, rule_set_id: int, payload: RuleSetPatch) -> RuleSet:
    rule_set = _rule_set(request, rule_set_id)
    data = payload.model_dump(exclude_unset=True)
    client = _client(request, data["client"]) if "client" in data else rule_set.client
    if "brand" in data:
        brand = _brand(request, data["brand"])
    else:
        # A brand stays only while the set stays with the brand's client.
        brand = rule_set.brand if client == rule_set.client else None
    services.save_rule_set(
        request.user,
        organization=rule_set.organization,
        name=data.get("name") or rule_set.name,
        rules=data["rules"] if data.get("rules") is not None else rule_set.rules,
        client=client,
        brand=brand,
        markets=data["markets"] if data.get("markets") is not None else rule_set.markets,
        channels=data["channels"] if data.get("channels") is not None else rule_set.channels,
        description=(
            data["description"] if data.get("description") is not None else rule_set.description
        ),
        rule_set=rule_set,
    )
    return _rule_set(request, rule_set_id)


@router.post("/rule-sets/{rule_set_id}/archive", response=RuleSetOut, summary="Archive a rule set")
def archive_rule_set(
    request: HttpRequest, rule_set_id: int, payload: ReasonIn | None = None
) -> RuleSet:
    rule_set = _rule_set(request, rule_set_id)
    services.archive_rule_set(request.user, rule_set, payload.reason if payload else "")
    return _rule_set(request, rule_set_id)


@router.get(
    "/rule-sets/{rule_set_id}/export",
    summary="Download a rule set as its documented YAML or JSON file",
)
def export_rule_set(
    request: HttpRequest, rule_set_id: int, format: Literal["yaml", "json"] = "yaml"
) -> HttpResponse:
    rule_set = _rule_set(request, rule_set_id)
    text = services.export_rule_set(rule_set, format)
    response = HttpResponse(text.encode("utf-8"), content_type=EXPORT_TYPES[format])
    name = f"{slugify(rule_set.name) or 'rules'}-r{rule_set.revision}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/rule-sets/{rule_set_id}/import",
    response=RuleSetOut,
    summary="A rule file (YAML or JSON, multipart) as a rule set's next revision",
    description="Multipart field `file`; the set keeps its name, client, brand, markets and "
    "channels. 422 with the line when the file is not a valid rule file.",
)
def import_revision(request: HttpRequest, rule_set_id: int, file: File[UploadedFile]) -> RuleSet:
    rule_set = _rule_set(request, rule_set_id)
    services.import_rule_set(
        request.user,
        organization=rule_set.organization,
        text=_file_text(file),
        filename=file.name or "rules.yaml",
        rule_set=rule_set,
    )
    return _rule_set(request, rule_set_id)


@router.get(
    "/rule-packs",
    response=list[PackOut],
    summary="The starter rule packs (starting points to review, not legal advice)",
)
def rule_packs(request: HttpRequest) -> list[dict[str, Any]]:
    _internal_ids(request)
    return [
        {"key": pack.key, "name": pack.name, "note": pack.note, "rules": pack.rules}
        for pack in starter_packs().values()
    ]


# --- findings on assets and campaigns ---------------------------------------------------------


@router.get(
    "/assets/{asset_id}/compliance",
    response=AssetComplianceOut,
    summary="The findings on an asset's current version, with the overrides given",
)
def asset_compliance(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    asset = _asset(request, asset_id)
    version = asset.current_version
    found = services.check_version(version) if version is not None else []
    return {
        "asset": asset.pk,
        "version": version.number if version is not None else None,
        "blocking": sum(1 for item in found if item.blocks),
        "findings": [_found(item) for item in found],
    }


@router.post(
    "/assets/{asset_id}/compliance/overrides",
    response={201: OverrideOut},
    summary="Override a blocking finding on the current version, with a reason (legal role)",
    description="403 without the legal role; 409 when the finding is no longer there, is not "
    "blocking, or was overridden already; 422 without a reason.",
)
def override_asset_finding(
    request: HttpRequest, asset_id: int, payload: OverrideIn
) -> Status[Override]:
    asset = _asset(request, asset_id)
    if asset.current_version is None:
        raise ValidationError({"asset": "The asset has no version to check yet."})
    given = services.override(
        request.user,
        key=payload.key,
        field=payload.field,
        item=payload.item,
        reason=payload.reason,
        version=asset.current_version,
    )
    return Status(201, Override.objects.select_related("by").get(pk=given.pk))


def _plan(request: HttpRequest, campaign: Campaign, number: int | None) -> PlanVersion | None:
    versions = PlanVersion.objects.visible_to(request.user).filter(campaign=campaign)
    if number is None:
        found: PlanVersion | None = versions.order_by("-number").first()
        return found
    chosen: PlanVersion = get_object_or_404(versions, number=number)
    return chosen


@router.get(
    "/campaigns/{campaign_id}/compliance",
    response=CampaignComplianceOut,
    summary="Findings on a campaign's placements (of a plan version) and its assets",
    description="`plan` picks the plan version by number; by default the newest. Assets are "
    "the campaign's current (not archived) ones, each checked on its current version.",
)
def campaign_compliance(
    request: HttpRequest, campaign_id: int, plan: int | None = None
) -> dict[str, Any]:
    campaign = _campaign(request, campaign_id)
    version = _plan(request, campaign, plan)
    placements: list[dict[str, Any]] = []
    blocking = 0
    if version is not None:
        by_placement: dict[int, list[services.Found]] = {}
        ordered: list[Placement] = list(version.placements.order_by("position", "id"))
        for placement in ordered:
            by_placement[placement.pk] = services.check_placement(campaign, placement)
        for placement in ordered:
            found = by_placement[placement.pk]
            blocking += sum(1 for item in found if item.blocks)
            placements.append(
                {"placement": placement, "findings": [_found(item) for item in found]}
            )
    assets = []
    for asset in (
        Asset.objects.visible_to(request.user)
        .filter(campaign=campaign, archived_at__isnull=True)
        .select_related("current_version", "client", "campaign")
        .order_by("name", "id")
    ):
        version_ = asset.current_version
        found = services.check_version(version_) if version_ is not None else []
        blocking += sum(1 for item in found if item.blocks)
        assets.append(
            {
                "asset": {
                    "id": asset.pk,
                    "name": asset.name,
                    "kind": asset.kind,
                    "status": asset.status,
                    "version": version_.number if version_ is not None else None,
                },
                "findings": [_found(item) for item in found],
            }
        )
    return {
        "campaign": campaign.pk,
        "plan_version": version.number if version is not None else None,
        "blocking": blocking,
        "placements": placements,
        "assets": assets,
    }


@router.post(
    "/campaigns/{campaign_id}/compliance/overrides",
    response={201: OverrideOut},
    summary="Override a blocking finding on a placement, with a reason (legal role)",
    description="The placement is named by `line_key` (of the campaign's plan in delivery). "
    "403 without the legal role; 409 when the finding is gone, not blocking or overridden.",
)
def override_placement_finding(
    request: HttpRequest, campaign_id: int, payload: PlacementOverrideIn
) -> Status[Override]:
    campaign = _campaign(request, campaign_id)
    given = services.override(
        request.user,
        key=payload.key,
        field=payload.field,
        item=payload.item,
        reason=payload.reason,
        campaign=campaign,
        line_key=payload.line_key,
    )
    return Status(201, Override.objects.select_related("by").get(pk=given.pk))
