"""Every change to creative, in one place: page, API and CLI call these functions.

Each function is one transaction with one audit event. Uploads are streamed: the file goes to a
temporary file on disk in chunks (hashed and counted on the way, refused as soon as it passes the
size limit), is read there by ``ingest.assets.inspect_asset``, and only then saved to storage.
A refused file leaves nothing behind: no row, no stored file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from mediadesk.accounts.models import Client, Membership, User
from mediadesk.accounts.permissions import Action, can, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import record
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
    Assignment,
    CreativeSettings,
    PlacementSpec,
    ReviewComment,
    ReviewRound,
    ReviewStage,
    Tag,
    UsageRight,
    VendorSpec,
)
from mediadesk.creative.models import AssetVersion as Version
from mediadesk.creative.specs import all_specs, spec_from_definition, specs_for
from mediadesk.domain import specs as spec_rules
from mediadesk.domain.creative import Right, earliest_expiry, rights_problems, tracked_url
from mediadesk.errors import Conflict
from mediadesk.ingest.assets import Inspected, inspect_asset
from mediadesk.ingest.copy import parse_copy
from mediadesk.ingest.safety import UnsafeFile
from mediadesk.planning.models import Campaign, Placement

LINK_SALT = "mediadesk.creative.review"
_CHUNK = 1024 * 1024


class AssetRefused(Exception):
    """A file or copy that cannot become an asset version; the message says why and what to do."""


class DuplicateAsset(Conflict):
    """The same file (by SHA-256) is already a version of one of the client's assets."""

    def __init__(self, message: str, existing: Version) -> None:
        super().__init__(message)
        self.existing = existing


class LinkError(Exception):
    """A review link that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Uploaded:
    asset: Asset
    version: Version


def max_upload_bytes() -> int:
    return int(settings.CREATIVE_MAX_UPLOAD_BYTES)


def settings_for(client: Client) -> CreativeSettings:
    found, _ = CreativeSettings.objects.get_or_create(client=client)
    return found


# --- uploads ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spooled:
    path: Path
    size: int
    checksum: str


@contextlib.contextmanager
def _spooled(source: IO[bytes] | Any, filename: str, limit: int) -> Iterator[_Spooled]:
    """The upload as a file on disk, hashed, with at most ``limit`` bytes (else refused).

    An upload Django already spooled to disk is read where it is; anything else is copied in
    1 MB chunks, so memory stays flat whatever the file's size.
    """
    digest = hashlib.sha256()
    declared = getattr(source, "size", None)
    if isinstance(declared, int):  # an upload the handler stopped at the limit says so here
        _refuse_size(filename, declared, limit)
    temporary = getattr(source, "temporary_file_path", None)
    if temporary is not None:
        path = Path(temporary())
        size = path.stat().st_size
        _refuse_size(filename, size, limit)
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        yield _Spooled(path, size, digest.hexdigest())
        return
    handle_fd, name = tempfile.mkstemp(
        prefix="mediadesk-upload-", dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    path = Path(name)
    try:
        size = 0
        with os.fdopen(handle_fd, "wb") as out:
            for chunk in _chunks(source):
                size += len(chunk)
                _refuse_size(filename, size, limit)
                digest.update(chunk)
                out.write(chunk)
        yield _Spooled(path, size, digest.hexdigest())
    finally:
        path.unlink(missing_ok=True)


def _chunks(source: Any) -> Iterator[bytes]:
    if hasattr(source, "chunks"):
        yield from source.chunks(_CHUNK)
        return
    while chunk := source.read(_CHUNK):
        yield chunk


def _refuse_size(filename: str, size: int, limit: int) -> None:
    if size > limit:
        raise AssetRefused(
            f"{Path(filename).name} is larger than the upload limit of "
            f"{limit / 1024 / 1024:,.0f} MB. Export a smaller file, or ask an administrator to "
            "raise MEDIADESK_CREATIVE_MAX_UPLOAD_MB."
        )


def _inspect(spooled: _Spooled, filename: str) -> Inspected:
    try:
        return inspect_asset(spooled.path, filename, max_bytes=max_upload_bytes())
    except UnsafeFile as exc:
        raise AssetRefused(str(exc)) from exc


def _duplicate(client_id: int, checksum: str) -> Version | None:
    return (
        Version.objects.filter(asset__client_id=client_id, checksum=checksum)
        .select_related("asset")
        .order_by("pk")
        .first()
    )


def _refuse_duplicate(client_id: int, checksum: str, filename: str) -> None:
    existing = _duplicate(client_id, checksum)
    if existing is not None:
        raise DuplicateAsset(
            f"{Path(filename).name} is already in the library: it is version {existing.number} "
            f"of “{existing.asset.name}” (uploaded {existing.uploaded_at:%d %b %Y}). Open that "
            "asset instead of uploading the file again.",
            existing,
        )


def _placement_keys(campaign: Campaign | None, line_keys: Iterable[str]) -> list[str]:
    keys = [key for key in dict.fromkeys(line_keys) if key]
    if not keys:
        return []
    if campaign is None:
        raise ValidationError({"placements": "Choose a campaign before choosing its placements."})
    known = set(
        Placement.objects.filter(version__campaign=campaign).values_list("line_key", flat=True)
    )
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationError(
            {"placements": f"{', '.join(unknown)} is not a placement of {campaign.code}."}
        )
    return keys


def _spec_keys(keys: Iterable[str], organization_id: int | None) -> list[str]:
    wanted = [key for key in dict.fromkeys(keys) if key]
    library = all_specs(organization_id)
    unknown = [key for key in wanted if key not in library]
    if unknown:
        raise ValidationError({"specs": f"No spec has the key {', '.join(unknown)}."})
    return wanted


def upload_asset(
    actor: Any,
    *,
    client: Client,
    source: IO[bytes] | Any,
    filename: str,
    name: str = "",
    campaign: Campaign | None = None,
    line_keys: Sequence[str] = (),
    spec_keys: Sequence[str] = (),
    tags: Sequence[str] = (),
    note: str = "",
) -> Uploaded:
    """A new asset from one uploaded file (its version 1)."""
    require(actor, Action.EDIT_CREATIVE, client.pk)
    _check_campaign(client, campaign)
    keys = _placement_keys(campaign, line_keys)
    wanted_specs = _spec_keys(spec_keys, client.organization_id)
    with _spooled(source, filename, max_upload_bytes()) as spooled:
        inspected = _inspect(spooled, filename)  # what the file is comes before whether it is new
        _refuse_duplicate(client.pk, spooled.checksum, filename)
        with _files_removed_on_error() as stored, transaction.atomic():
            asset = Asset.objects.create(
                client=client,
                campaign=campaign,
                brand=campaign.brand if campaign else None,
                kind=inspected.kind.value,
                name=(name.strip() or Path(filename).stem)[:200],
                line_keys=keys,
                spec_keys=wanted_specs,
                created_by=_user(actor),
            )
            _set_tags(asset, tags)
            version = _store_version(actor, asset, spooled, inspected, filename, note, stored)
            record(actor=actor, obj=asset, action=AuditAction.CREATED, changes=_created(version))
    return Uploaded(asset, version)


def upload_version(
    actor: Any, asset: Asset, *, source: IO[bytes] | Any, filename: str, note: str = ""
) -> Uploaded:
    """The asset's next version from a new file; it must be of the same kind."""
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    _refuse_archived(asset)
    with _spooled(source, filename, max_upload_bytes()) as spooled:
        inspected = _inspect(spooled, filename)
        _refuse_duplicate(asset.client_id, spooled.checksum, filename)
        if inspected.kind.value != asset.kind:
            raise AssetRefused(
                f"{Path(filename).name} is {_kind_label(inspected.kind.value)}, but "
                f"“{asset.name}” is {_kind_label(asset.kind)}. Upload it as a new asset instead."
            )
        with _files_removed_on_error() as stored, transaction.atomic():
            asset = Asset.objects.select_for_update().get(pk=asset.pk)
            version = _store_version(actor, asset, spooled, inspected, filename, note, stored)
            record(actor=actor, obj=asset, action=AuditAction.UPDATED, changes=_created(version))
    return Uploaded(asset, version)


def upload_copy(
    actor: Any,
    *,
    client: Client,
    copy: Mapping[str, Any],
    name: str,
    campaign: Campaign | None = None,
    asset: Asset | None = None,
    line_keys: Sequence[str] = (),
    spec_keys: Sequence[str] = (),
    tags: Sequence[str] = (),
    note: str = "",
) -> Uploaded:
    """Ad copy typed in (headlines, descriptions, …) as a new asset, or its next version."""
    require(actor, Action.EDIT_CREATIVE, client.pk)
    try:
        facts = parse_copy(copy)
    except UnsafeFile as exc:
        raise AssetRefused(str(exc)) from exc
    fields = facts.asset_facts().copy
    with transaction.atomic():
        if asset is None:
            _check_campaign(client, campaign)
            if not name.strip():
                raise ValidationError({"name": "Give the copy a name."})
            asset = Asset.objects.create(
                client=client,
                campaign=campaign,
                brand=campaign.brand if campaign else None,
                kind=AssetKind.COPY,
                name=name.strip()[:200],
                line_keys=_placement_keys(campaign, line_keys),
                spec_keys=_spec_keys(spec_keys, client.organization_id),
                created_by=_user(actor),
            )
            _set_tags(asset, tags)
            action = AuditAction.CREATED
        else:
            _refuse_archived(asset)
            if asset.kind != AssetKind.COPY:
                raise AssetRefused(f"“{asset.name}” is {_kind_label(asset.kind)}, not copy.")
            asset = Asset.objects.select_for_update().get(pk=asset.pk)
            action = AuditAction.UPDATED
        version = Version(
            asset=asset,
            number=asset.version_count + 1,
            copy={key: list(values) for key, values in fields.items()},
            metadata={
                **_copy_metadata(fields),
                **({"final_url": facts.final_url} if facts.final_url else {}),
            },
            facts=_facts_json(facts.asset_facts()),
            note=note,
            uploaded_by=_user(actor),
        )
        _check(asset, version)
        version.save()
        _make_current(asset, version)
        record(actor=actor, obj=asset, action=action, changes=_created(version))
    return Uploaded(asset, version)


def _copy_metadata(fields: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    return {
        key: f"{len(values)} × up to {max(map(len, values), default=0)} characters"
        for key, values in fields.items()
    }


def _content_type(inspected: Inspected, filename: str) -> str:
    """The stored file's media type: from the extension, which the reader has already made
    agree with the content (an SVG is stored sanitized, still SVG)."""
    guessed, _ = mimetypes.guess_type(Path(filename).name)
    return (guessed or "application/octet-stream")[:100]


@contextlib.contextmanager
def _files_removed_on_error() -> Iterator[list[str]]:
    """Stored files are not part of the transaction: if the rows are not saved, delete them."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _store_version(
    actor: Any,
    asset: Asset,
    spooled: _Spooled,
    inspected: Inspected,
    filename: str,
    note: str,
    stored: list[str],
) -> Version:
    version = Version(
        asset=asset,
        number=asset.version_count + 1,
        original_name=Path(filename).name[:255],
        content_type=_content_type(inspected, filename),
        bytes=spooled.size,
        checksum=spooled.checksum,
        metadata=dict(inspected.metadata),
        facts=_facts_json(inspected.facts),
        note=note,
        uploaded_by=_user(actor),
    )
    if inspected.kind is spec_rules.AssetKind.COPY:  # a copy deck file: its fields, as typed
        version.copy = {key: list(texts) for key, texts in inspected.facts.copy.items()}
    _check(asset, version)
    stored_as = Path(filename).name
    if inspected.clean is not None:  # a sanitized SVG is kept instead of what was sent
        version.file.save(stored_as, ContentFile(inspected.clean), save=False)
    else:
        with spooled.path.open("rb") as handle:
            version.file.save(stored_as, File(handle), save=False)
    stored.append(version.file.name)
    if inspected.preview:
        suffix = ".png" if inspected.preview_type == "image/png" else ".jpg"
        if inspected.preview_type == "image/svg+xml":
            suffix = ".svg"
        version.preview.save(f"preview{suffix}", ContentFile(inspected.preview), save=False)
        version.preview_type = inspected.preview_type
        stored.append(version.preview.name)
    version.save()
    _make_current(asset, version)
    return version


def _make_current(asset: Asset, version: Version) -> None:
    asset.current_version = version
    asset.version_count = version.number
    asset.blocking_findings = len(version.blocking)
    asset.updated_at = timezone.now()
    if asset.status != AssetStatus.DRAFT:
        # A new version is not approved by the old one's review: it goes back to the start.
        _supersede_open_rounds(asset)
        asset.status = AssetStatus.DRAFT
    asset.save(
        update_fields=[
            "current_version",
            "version_count",
            "blocking_findings",
            "updated_at",
            "status",
        ]
    )


def _supersede_open_rounds(asset: Asset) -> None:
    for round_ in ReviewRound.objects.filter(asset=asset, status=RoundStatus.OPEN):
        round_.status = RoundStatus.SUPERSEDED
        round_.closed_at = timezone.now()
        round_.save(update_fields=["status", "closed_at"])
        round_.stages.filter(status__in=[StageStatus.WAITING, StageStatus.ACTIVE]).update(
            status=StageStatus.SKIPPED
        )


def _created(version: Version) -> dict[str, Any]:
    return {
        "version": [None, version.number],
        "file": [None, version.original_name or "copy"],
        "findings": [None, len(version.findings)],
    }


_KIND_WORDS = {
    AssetKind.IMAGE: "an image",
    AssetKind.VIDEO: "a video",
    AssetKind.AUDIO: "an audio file",
    AssetKind.HTML5: "an HTML5 banner",
    AssetKind.PRINT: "a print PDF",
    AssetKind.COPY: "copy",
}


def _kind_label(kind: str) -> str:
    return _KIND_WORDS[AssetKind(kind)]


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_campaign(client: Client, campaign: Campaign | None) -> None:
    if campaign is not None and campaign.client_id != client.pk:
        raise ValidationError({"campaign": "The campaign belongs to another client."})


def _refuse_archived(asset: Asset) -> None:
    if asset.is_archived:
        raise Conflict(f"“{asset.name}” is archived; restore it before changing it.")


# --- spec checks ------------------------------------------------------------------------------


def _facts_json(facts: spec_rules.AssetFacts) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(facts):
        value = getattr(facts, field.name)
        if value is None or value == "" or value == {}:
            continue
        if isinstance(value, Decimal):
            value = str(value)
        elif field.name == "copy":
            value = {key: list(texts) for key, texts in value.items()}
        elif field.name == "kind":
            value = str(value)
        values[field.name] = value
    return values


def facts_of(version: Version) -> spec_rules.AssetFacts:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(spec_rules.AssetFacts):
        if field.name not in version.facts:
            continue
        value = version.facts[field.name]
        if field.name == "kind":
            value = spec_rules.AssetKind(value)
        elif field.name in _DECIMAL_FACTS:
            value = Decimal(value)
        values[field.name] = value
    values.setdefault("kind", spec_rules.AssetKind(version.asset.kind))
    return spec_rules.AssetFacts(**values)


_DECIMAL_FACTS = {
    f.name for f in dataclasses.fields(spec_rules.AssetFacts) if "Decimal" in str(f.type)
}


def _check(asset: Asset, version: Version) -> None:
    facts = facts_of(version)
    specs = specs_for(asset, facts.width, facts.height)
    version.findings = [
        {
            "spec": finding.spec,
            "severity": str(finding.severity),
            "field": finding.field,
            "message": finding.message,
        }
        for finding in spec_rules.check_all(facts, specs)
    ]
    version.checked_specs = [spec.key for spec in specs]


def recheck(asset: Asset) -> Version | None:
    """Check the current version again (its placements or specs changed)."""
    version = asset.current_version
    if version is None:
        return None
    _check(asset, version)
    version.save(update_fields=["findings", "checked_specs"])
    Asset.objects.filter(pk=asset.pk).update(blocking_findings=len(version.blocking))
    asset.blocking_findings = len(version.blocking)
    return version


def update_asset(
    actor: Any,
    asset: Asset,
    *,
    name: str | None = None,
    campaign: Campaign | None = None,
    change_campaign: bool = False,
    line_keys: Sequence[str] | None = None,
    spec_keys: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    notes: str | None = None,
) -> Asset:
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    _refuse_archived(asset)
    changes: dict[str, Any] = {}
    with transaction.atomic():
        if name is not None and name.strip() and name.strip() != asset.name:
            changes["name"] = [asset.name, name.strip()[:200]]
            asset.name = name.strip()[:200]
        if change_campaign and campaign != asset.campaign:
            _check_campaign(asset.client, campaign)
            changes["campaign"] = [asset.campaign_id, campaign.pk if campaign else None]
            asset.campaign = campaign
            asset.line_keys = []
        if line_keys is not None:
            keys = _placement_keys(asset.campaign, line_keys)
            if keys != asset.line_keys:
                changes["placements"] = [asset.line_keys, keys]
                asset.line_keys = keys
        if spec_keys is not None:
            wanted = _spec_keys(spec_keys, asset.client.organization_id)
            if wanted != asset.spec_keys:
                changes["specs"] = [asset.spec_keys, wanted]
                asset.spec_keys = wanted
        if notes is not None and notes != asset.notes:
            changes["notes"] = [asset.notes, notes]
            asset.notes = notes
        asset.updated_at = timezone.now()
        asset.save()
        if tags is not None:
            before = sorted(asset.tags.values_list("name", flat=True))
            _set_tags(asset, tags)
            after = sorted(asset.tags.values_list("name", flat=True))
            if before != after:  # names, under a key that is not the relation's (ids)
                changes["tagged"] = [", ".join(before), ", ".join(after)]
        if {"placements", "specs", "campaign"} & changes.keys():
            recheck(asset)
        if changes:
            record(actor=actor, obj=asset, action=AuditAction.UPDATED, changes=changes)
    return asset


def _set_tags(asset: Asset, names: Iterable[str]) -> None:
    wanted = [n.strip()[:60] for n in names if n.strip()]
    tags = [Tag.objects.get_or_create(client_id=asset.client_id, name=n)[0] for n in wanted]
    asset.tags.set(tags)


def archive_asset(actor: Any, asset: Asset, reason: str = "") -> Asset:
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    if asset.is_archived:
        return asset
    if Assignment.objects.current().filter(version__asset=asset, ends__gte=timezone.localdate()):
        raise Conflict(
            f"“{asset.name}” is trafficked to placements that still run; remove those "
            "assignments first."
        )
    asset.archived_at = timezone.now()
    asset.save(update_fields=["archived_at"])
    record(actor=actor, obj=asset, action=AuditAction.ARCHIVED, reason=reason)
    return asset


# --- usage rights -----------------------------------------------------------------------------


def add_right(
    actor: Any,
    asset: Asset,
    *,
    kind: str,
    holder: str,
    territories: Sequence[str] = (),
    starts: date | None = None,
    expires: date | None = None,
    notes: str = "",
) -> UsageRight:
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    if kind not in RightKind.values:
        raise ValidationError({"kind": f"Choose one of {', '.join(RightKind.values)}."})
    if not holder.strip():
        raise ValidationError({"holder": "Name who holds the rights."})
    if starts and expires and expires < starts:
        raise ValidationError({"expires": "The rights cannot expire before they start."})
    codes = [t.strip().upper() for t in territories if t.strip()]
    bad = [code for code in codes if not re.fullmatch(r"[A-Z]{2}|WW|EU", code)]
    if bad:
        raise ValidationError(
            {"territories": f"{', '.join(bad)}: use two-letter country codes, EU or WW."}
        )
    with transaction.atomic():
        right = UsageRight.objects.create(
            asset=asset,
            kind=kind,
            holder=holder.strip()[:200],
            territories=codes,
            starts=starts,
            expires=expires,
            notes=notes,
        )
        _refresh_rights(asset)
        record(
            actor=actor,
            obj=asset,
            action=AuditAction.UPDATED,
            changes={"rights": [None, f"{right} until {expires or 'no expiry'}"]},
        )
    return right


def remove_right(actor: Any, right: UsageRight) -> None:
    asset = right.asset
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    with transaction.atomic():
        label = str(right)
        right.delete()
        _refresh_rights(asset)
        record(
            actor=actor, obj=asset, action=AuditAction.UPDATED, changes={"rights": [label, None]}
        )


def _refresh_rights(asset: Asset) -> None:
    asset.rights_expire = earliest_expiry(_rights(asset))
    asset.save(update_fields=["rights_expire"])


def _rights(asset: Asset) -> list[Right]:
    return [
        Right(f"{right.get_kind_display()} rights ({right.holder})", right.starts, right.expires)
        for right in asset.rights.all()
    ]


# --- review rounds ----------------------------------------------------------------------------


def start_review(actor: Any, asset: Asset) -> ReviewRound:
    """Send the current version through the client's stages; the first stage opens now."""
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    _refuse_archived(asset)
    version = asset.current_version
    if version is None:
        raise Conflict(f"“{asset.name}” has no version to review yet.")
    stages = settings_for(asset.client).review_stages
    if not stages:
        raise Conflict("The client has no review stages; set them in the creative settings.")
    with transaction.atomic():
        _supersede_open_rounds(asset)
        round_ = ReviewRound.objects.create(
            asset=asset,
            version=version,
            number=(asset.rounds.count() + 1),
            started_by=_user(actor),
        )
        for position, stage in enumerate(stages, start=1):
            ReviewStage.objects.create(
                round=round_, position=position, name=stage["name"], who=stage["who"]
            )
        _open(round_.stages.get(position=1))
        asset.status = AssetStatus.IN_REVIEW
        asset.updated_at = timezone.now()
        asset.save(update_fields=["status", "updated_at", "shown_to_client"])
        record(
            actor=actor,
            obj=asset,
            action=AuditAction.SUBMITTED,
            changes={"review": [None, f"round {round_.number} of version {version.number}"]},
        )
    return round_


def _open(stage: ReviewStage) -> None:
    days = settings_for(stage.round.asset.client).review_days
    stage.status = StageStatus.ACTIVE
    stage.opened_at = timezone.now()
    stage.due = timezone.localdate() + timedelta(days=days)
    stage.save(update_fields=["status", "opened_at", "due"])
    if stage.who == ReviewerKind.CLIENT:
        stage.round.asset.shown_to_client = True
        Asset.objects.filter(pk=stage.round.asset_id).update(shown_to_client=True)


def active_stage(round_: ReviewRound) -> ReviewStage | None:
    return round_.stages.filter(status=StageStatus.ACTIVE).first()


def may_decide(user: Any, stage: ReviewStage) -> bool:
    client_id = stage.round.asset.client_id
    if stage.who == ReviewerKind.CLIENT:
        return can(user, Action.REVIEW_CLIENT_STAGE, client_id)
    return can(user, Action.EDIT_CREATIVE, client_id)


def decide(
    actor: Any,
    stage: ReviewStage,
    decision: str,
    note: str = "",
    *,
    outsider: str = "",
) -> ReviewStage:
    """One stage's decision. Approve opens the next stage (the last approves the version);
    request changes or reject closes the round. ``outsider`` is a link reviewer's name."""
    if not outsider and not may_decide(actor, stage):
        who = "client reviewer" if stage.who == ReviewerKind.CLIENT else "creative"
        raise PermissionDenied(f"Deciding the {stage.name} stage needs the {who} role.")
    if decision not in Decision.values:
        raise ValidationError({"decision": f"Choose one of {', '.join(Decision.values)}."})
    if decision != Decision.APPROVE and not note.strip():
        raise ValidationError({"note": "Say what needs to change (or why it is rejected)."})
    with transaction.atomic():
        stage = (
            ReviewStage.objects.select_for_update().select_related("round__asset").get(pk=stage.pk)
        )
        round_ = stage.round
        asset = round_.asset
        if round_.status != RoundStatus.OPEN or stage.status != StageStatus.ACTIVE:
            raise Conflict(f"The {stage.name} stage is not awaiting a decision.")
        if decision == Decision.APPROVE:
            # Spec and compliance findings, and the legal role's overrides, in one place.
            from mediadesk.compliance.services import refuse_blocked_version

            refuse_blocked_version(round_.version)
        stage.status = {
            Decision.APPROVE: StageStatus.APPROVED,
            Decision.REQUEST_CHANGES: StageStatus.CHANGES_REQUESTED,
            Decision.REJECT: StageStatus.REJECTED,
        }[Decision(decision)]
        stage.decided_at = timezone.now()
        stage.decided_by = _user(actor)
        stage.decided_label = outsider[:200] or getattr(actor, "email", "")
        stage.note = note.strip()
        stage.save()
        following = round_.stages.filter(position__gt=stage.position).order_by("position")
        if decision == Decision.APPROVE and (next_stage := following.first()) is not None:
            _open(next_stage)
        else:
            round_.status = {
                Decision.APPROVE: RoundStatus.APPROVED,
                Decision.REQUEST_CHANGES: RoundStatus.CHANGES_REQUESTED,
                Decision.REJECT: RoundStatus.REJECTED,
            }[Decision(decision)]
            round_.closed_at = timezone.now()
            round_.save(update_fields=["status", "closed_at"])
            following.update(status=StageStatus.SKIPPED)
            asset.status = {
                RoundStatus.APPROVED: AssetStatus.APPROVED,
                RoundStatus.CHANGES_REQUESTED: AssetStatus.CHANGES_REQUESTED,
                RoundStatus.REJECTED: AssetStatus.REJECTED,
            }[RoundStatus(round_.status)]
            asset.updated_at = timezone.now()
            asset.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            obj=asset,
            action={
                Decision.APPROVE: AuditAction.APPROVED,
                Decision.REQUEST_CHANGES: AuditAction.REJECTED,
                Decision.REJECT: AuditAction.REJECTED,
            }[Decision(decision)],
            changes={"stage": [None, f"{stage.name}: {Decision(decision).label}"]},
            reason=note.strip(),
            client_id=asset.client_id,
            outsider=outsider,
        )
    return stage


def add_comment(
    actor: Any,
    round_: ReviewRound,
    body: str,
    *,
    parent: ReviewComment | None = None,
    x: Decimal | None = None,
    y: Decimal | None = None,
    width: Decimal | None = None,
    height: Decimal | None = None,
    page: int | None = None,
    time_seconds: Decimal | None = None,
    outsider: str = "",
) -> ReviewComment:
    """A comment on the round's version, pinned or not; ``@email`` mentions notify people."""
    asset = round_.asset
    if not outsider:
        require(actor, Action.VIEW, asset.client_id)
    if not body.strip():
        raise ValidationError({"body": "Write the comment."})
    pin = _pin(x, y, width, height, page, time_seconds, asset, parent)
    if parent is not None and parent.round_id != round_.pk:
        raise ValidationError({"parent": "Reply to a comment of the same review."})
    with transaction.atomic():
        comment = ReviewComment.objects.create(
            round=round_,
            version=round_.version,
            parent=parent,
            author=_user(actor),
            author_label=outsider[:200] or getattr(actor, "email", "system"),
            body=body.strip(),
            **pin,
        )
        mentioned = _mentioned(asset, body)
        comment.mentions.set(mentioned)
        record(
            actor=actor,
            obj=asset,
            action=AuditAction.UPDATED,
            changes={"comment": [None, body.strip()[:200]]},
            client_id=asset.client_id,
            outsider=outsider,
        )
    for user in mentioned:
        _notify_mention(user, comment)
    return comment


def _pin(
    x: Decimal | None,
    y: Decimal | None,
    width: Decimal | None,
    height: Decimal | None,
    page: int | None,
    time_seconds: Decimal | None,
    asset: Asset,
    parent: ReviewComment | None,
) -> dict[str, Any]:
    if parent is not None:
        return {}
    for value, what in ((x, "x"), (y, "y"), (width, "width"), (height, "height")):
        if value is not None and not (0 <= value <= 1):
            raise ValidationError({what: f"{what} is a fraction of the picture, from 0 to 1."})
    if (x is None) != (y is None):
        raise ValidationError({"x": "A pin needs both x and y."})
    if (width is None) != (height is None) or (width is not None and x is None):
        raise ValidationError({"width": "A region needs x, y, width and height."})
    if time_seconds is not None:
        if time_seconds < 0:
            raise ValidationError({"time_seconds": "A time code cannot be negative."})
        duration = (
            asset.current_version.facts.get("duration_seconds") if asset.current_version else None
        )
        if duration is not None and time_seconds > Decimal(duration):
            raise ValidationError(
                {"time_seconds": f"The time code is after the end ({duration} s)."}
            )
    if page is not None and page < 1:
        raise ValidationError({"page": "Pages count from 1."})
    return {
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "page": page,
        "time_seconds": time_seconds,
    }


def _mentioned(asset: Asset, body: str) -> list[User]:
    """People named ``@email`` who work on the asset's client (never another agency's)."""
    from mediadesk.work.services import mentioned_people

    return mentioned_people(body, asset.client_id)


def _notify_mention(user: User, comment: ReviewComment) -> None:
    from mediadesk.work.notify import notify

    asset = comment.round.asset
    notify(  # in the app too (the bell); the e-mail goes out just below
        user,
        kind="mention",
        title=f"{comment.author_label} mentioned you on {asset.name}",
        body=comment.body,
        url=asset.get_absolute_url(),
        client_id=asset.client_id,
        dedupe_key=f"review-comment:{comment.pk}:mention",
        email=False,
    )
    send_mail(
        subject=f"{comment.author_label} mentioned you on {asset.name}",
        message=(
            f"{comment.author_label} wrote on “{asset.name}” (version {comment.version.number}):"
            f"\n\n{comment.body}\n\nOpen it: {_site()}{asset.get_absolute_url()}"
        ),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,
    )


def _site() -> str:
    return str(settings.SITE_URL)


def resolve_comment(actor: Any, comment: ReviewComment, resolved: bool = True) -> ReviewComment:
    require(actor, Action.VIEW, comment.round.asset.client_id)
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = _user(actor) if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    record(
        actor=actor,
        obj=comment.round.asset,
        action=AuditAction.UPDATED,
        changes={"comment": [comment.body[:80], "resolved" if resolved else "reopened"]},
        client_id=comment.round.asset.client_id,
    )
    return comment


def review_link(stage: ReviewStage, reviewer: str) -> str:
    """A signed token for someone without a seat to review one client stage."""
    return signing.dumps(
        {"stage": stage.pk, "nonce": stage.link_nonce, "who": reviewer.strip()[:200]},
        salt=LINK_SALT,
    )


def stage_for_link(token: str) -> tuple[ReviewStage, str]:
    """The stage and reviewer name a link is for; ``LinkError`` when it cannot be used."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature as exc:
        raise LinkError("This review link is not valid. Ask for a new one.") from exc
    stage = (
        ReviewStage.objects.select_related("round__asset", "round__version")
        .filter(pk=payload.get("stage"))
        .first()
    )
    if stage is None or stage.link_nonce != payload.get("nonce"):
        raise LinkError("This review link was replaced by a newer one. Use the latest e-mail.")
    days = settings_for(stage.round.asset.client).review_days + 14
    try:
        signing.loads(token, salt=LINK_SALT, max_age=days * 86400)
    except signing.SignatureExpired as exc:
        raise LinkError("This review link has expired. Ask for a new one.") from exc
    return stage, str(payload.get("who") or "Client reviewer")


def send_review_link(
    actor: Any, stage: ReviewStage, *, name: str, email: str, link_base: str = ""
) -> str:
    """E-mail a client reviewer a link to the stage; returns the link's path."""
    require(actor, Action.EDIT_CREATIVE, stage.round.asset.client_id)
    if stage.who != ReviewerKind.CLIENT:
        raise Conflict("Only client stages are reviewed through a link; internal ones log in.")
    if not email.strip() or "@" not in email:
        raise ValidationError({"email": "Give the reviewer's e-mail address."})
    from django.urls import reverse

    path = reverse("creative:review_link", args=[review_link(stage, name or email)])
    asset = stage.round.asset
    send_mail(
        subject=f"Please review {asset.name}",
        message=(
            f"{getattr(actor, 'email', 'mediadesk')} asks you to review “{asset.name}” "
            f"(version {stage.round.version.number}), due {stage.due:%d %b %Y}.\n\n"
            f"Open: {(link_base or _site()).rstrip('/')}{path}\n\n"
            "No account is needed; the link is personal."
        ),
        from_email=None,
        recipient_list=[email.strip()],
    )
    record(
        actor=actor,
        obj=asset,
        action=AuditAction.SENT,
        changes={"review link": [None, f"{stage.name} stage to {email.strip()}"]},
    )
    return path


def send_reminders(today: date | None = None) -> int:
    """E-mail the deciders of every stage due today or overdue, once a day; returns how many."""
    today = today or timezone.localdate()
    sent = 0
    stages = ReviewStage.objects.filter(
        status=StageStatus.ACTIVE, round__status=RoundStatus.OPEN, due__lte=today
    ).select_related("round__asset", "round__version")
    for stage in stages:
        if stage.reminded_at and timezone.localtime(stage.reminded_at).date() == today:
            continue
        people = _deciders(stage)
        if people:
            asset = stage.round.asset
            send_mail(
                subject=f"Review due: {asset.name} ({stage.name})",
                message=(
                    f"The {stage.name} review of “{asset.name}” was due {stage.due:%d %b %Y}."
                    f"\n\n{_site()}{asset.get_absolute_url()}"
                ),
                from_email=None,
                recipient_list=people,
                fail_silently=True,
            )
            sent += 1
        stage.reminded_at = timezone.now()
        stage.save(update_fields=["reminded_at"])
    return sent


def _deciders(stage: ReviewStage) -> list[str]:
    from mediadesk.accounts.permissions import roles_allowed

    action = (
        Action.REVIEW_CLIENT_STAGE if stage.who == ReviewerKind.CLIENT else Action.EDIT_CREATIVE
    )
    roles = roles_allowed(action)
    return sorted(
        Membership.objects.filter(
            client_id=stage.round.asset.client_id, role__in=roles, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def update_creative_settings(
    actor: Any,
    client: Client,
    *,
    review_stages: Sequence[Mapping[str, str]] | None = None,
    review_days: int | None = None,
    utm_template: Mapping[str, str] | None = None,
) -> CreativeSettings:
    require(actor, Action.MANAGE_CLIENT, client.pk)
    with transaction.atomic():
        return _update_settings(actor, client, review_stages, review_days, utm_template)


def _update_settings(
    actor: Any,
    client: Client,
    review_stages: Sequence[Mapping[str, str]] | None,
    review_days: int | None,
    utm_template: Mapping[str, str] | None,
) -> CreativeSettings:
    found = settings_for(client)
    changes: dict[str, Any] = {}
    if review_stages is not None:
        stages = [
            {"name": str(s.get("name", "")).strip()[:80], "who": str(s.get("who", ""))}
            for s in review_stages
        ]
        if not stages or any(not s["name"] for s in stages):
            raise ValidationError({"review_stages": "Give every stage a name; keep at least one."})
        bad = [s["who"] for s in stages if s["who"] not in ReviewerKind.values]
        if bad:
            raise ValidationError(
                {"review_stages": f"{bad[0]!r}: a stage is decided by internal or client."}
            )
        changes["review stages"] = [found.review_stages, stages]
        found.review_stages = stages
    if review_days is not None:
        if not 0 <= review_days <= 60:
            raise ValidationError({"review_days": "Give 0 to 60 days per stage."})
        changes["days per stage"] = [found.review_days, review_days]
        found.review_days = review_days
    if utm_template is not None:
        try:
            tracked_url("https://example.org/", utm_template, {})
        except ValueError as exc:
            raise ValidationError({"utm_template": str(exc)}) from exc
        changes["UTM template"] = [found.utm_template, dict(utm_template)]
        found.utm_template = dict(utm_template)
    found.save()
    record(actor=actor, obj=found, action=AuditAction.UPDATED, changes=changes, client_id=client.pk)
    return found


# --- specs of placements and vendors ----------------------------------------------------------


def set_placement_spec(actor: Any, campaign: Campaign, line_key: str, spec_key: str) -> None:
    require(actor, Action.EDIT_CREATIVE, campaign.client_id)
    _placement_keys(campaign, [line_key])
    with transaction.atomic():
        if spec_key:
            _spec_keys([spec_key], campaign.client.organization_id)
            PlacementSpec.objects.update_or_create(
                campaign=campaign, line_key=line_key, defaults={"spec_key": spec_key}
            )
        else:
            PlacementSpec.objects.filter(campaign=campaign, line_key=line_key).delete()
        record(
            actor=actor,
            obj=campaign,
            action=AuditAction.UPDATED,
            changes={"placement spec": [line_key, spec_key or "suggested"]},
        )
        for asset in Asset.objects.filter(campaign=campaign, archived_at__isnull=True):
            if line_key in asset.line_keys:
                recheck(asset)


def save_vendor_spec(
    actor: Any, vendor: Any, *, key: str, name: str, definition: Mapping[str, Any]
) -> VendorSpec:
    from mediadesk.accounts.permissions import require_org_admin

    require_org_admin(actor, "add a vendor's creative spec")
    try:
        spec_from_definition(key, name, definition)
    except ValueError as exc:
        raise ValidationError({"definition": str(exc)}) from exc
    if key in spec_rules.SEED_SPECS_BY_KEY:
        raise ValidationError({"key": f"{key} is a seed spec's key; choose another."})
    taken = VendorSpec.objects.filter(key=key).exclude(
        vendor__organization_id=vendor.organization_id
    )
    if taken.exists():
        raise ValidationError({"key": f"The key {key} is taken; choose another."})
    found, created = VendorSpec.objects.update_or_create(
        key=key, defaults={"vendor": vendor, "name": name, "definition": dict(definition)}
    )
    record(
        actor=actor,
        obj=found,
        action=AuditAction.CREATED if created else AuditAction.UPDATED,
        changes={"spec": [None, name]},
        client_id=None,
    )
    return found


# --- trafficking ------------------------------------------------------------------------------


def assign(
    actor: Any,
    version: Version,
    placement: Placement,
    *,
    starts: date | None = None,
    ends: date | None = None,
    weight: int = 100,
    click_url: str = "",
    today: date | None = None,
) -> Assignment:
    """Traffic an approved version to a placement for dates (the placement's own by default)."""
    asset = version.asset
    require(actor, Action.EDIT_CREATIVE, asset.client_id)
    today = today or timezone.localdate()
    campaign = placement.version.campaign
    starts = starts or max(placement.start, today)
    ends = ends or placement.end
    problems = _assignment_problems(version, placement, campaign, starts, ends, weight, today)
    if problems:
        raise Conflict(" ".join(problems))
    url = ""
    if click_url.strip():
        try:
            url = tracked_url(
                click_url,
                settings_for(asset.client).utm_template,
                utm_values(campaign, placement, version),
            )
        except ValueError as exc:
            raise ValidationError({"click_url": str(exc)}) from exc
    with transaction.atomic():
        assignment = Assignment.objects.create(
            client_id=asset.client_id,
            campaign=campaign,
            line_key=placement.line_key,
            placement=placement,
            version=version,
            starts=starts,
            ends=ends,
            weight=weight,
            click_url=click_url.strip(),
            tracked_url=url,
            created_by=_user(actor),
        )
        record(
            actor=actor,
            obj=assignment,
            action=AuditAction.CREATED,
            changes={
                "trafficked": [None, f"{version} on {placement.code} {starts}–{ends}"],
                "weight": [None, weight],
            },
        )
    return assignment


def _assignment_problems(
    version: Version,
    placement: Placement,
    campaign: Campaign,
    starts: date,
    ends: date,
    weight: int,
    today: date,
) -> list[str]:
    asset = version.asset
    problems: list[str] = []
    if asset.is_archived:
        problems.append(f"“{asset.name}” is archived.")
    if campaign.client_id != asset.client_id:
        problems.append("The placement belongs to another client.")
    approved = ReviewRound.objects.filter(version=version, status=RoundStatus.APPROVED).exists()
    if not approved:
        problems.append(
            f"Version {version.number} of “{asset.name}” is not approved; only approved "
            "versions can be trafficked."
        )
    if ends < starts:
        problems.append("The run ends before it starts.")
    if starts < placement.start or ends > placement.end:
        problems.append(
            f"{placement.code} runs {placement.start:%d %b}–{placement.end:%d %b %Y}; keep the "
            "dates inside it."
        )
    if not 1 <= weight <= 1000:
        problems.append("A rotation weight is 1 to 1,000.")
    problems += rights_problems(_rights(asset), starts, ends, today)
    return problems


def utm_values(campaign: Campaign, placement: Placement, version: Version) -> dict[str, str]:
    return {
        "vendor": placement.vendor,
        "channel": placement.channel,
        "campaign": campaign.code,
        "placement": placement.code,
        "asset": version.asset.name,
        "client": campaign.client.code,
        "version": f"v{version.number}",
    }


def unassign(actor: Any, assignment: Assignment, reason: str = "") -> Assignment:
    require(actor, Action.EDIT_CREATIVE, assignment.client_id)
    if assignment.removed_at is None:
        assignment.removed_at = timezone.now()
        assignment.save(update_fields=["removed_at"])
        record(actor=actor, obj=assignment, action=AuditAction.DELETED, reason=reason)
    return assignment
