"""Every change to a campaign, in one place: page, API and CLI all call these."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from mediadesk.accounts.models import Client, FxRate, reviewer_client_ids, visible_client_ids
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.domain.budget import MissingRate, flight_months, rates_to_enter
from mediadesk.domain.costmodels import CostModel as DomainCostModel
from mediadesk.domain.costmodels import PricingError, net_from_gross, price
from mediadesk.domain.flighting import FlightingError, spread
from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.domain.naming import NamingError, render_code
from mediadesk.domain.plandiff import diff_plans
from mediadesk.errors import Conflict
from mediadesk.planning.choices import (
    ApprovalStage,
    CostModel,
    Decision,
    Flighting,
    ImportOutcome,
    PlanStatus,
)
from mediadesk.planning.models import (
    Campaign,
    ColumnMapping,
    Placement,
    PlanApproval,
    PlanImport,
    PlanVersion,
)
from mediadesk.planning.plans import diff_line, weights_of

if TYPE_CHECKING:
    from mediadesk.planning.imports import ParsedPlan, Problem

# The fields a person can set; the audit trail records their before and after values.
EDITABLE_FIELDS = [
    "brand",
    "name",
    "code",
    "start",
    "end",
    "budget",
    "currency",
    "status",
    "objectives",
    "kpi_targets",
    "markets",
    "notes",
    "shared_with_client",
    "owner",
]


def _check_owner(campaign: Campaign) -> None:
    """The owner must be someone of the organization who sees the client (not its reviewer)."""
    owner = campaign.owner
    if owner is None:
        return
    if (
        owner.organization_id != campaign.client.organization_id
        or not visible_client_ids(owner).filter(id=campaign.client_id).exists()
        or reviewer_client_ids(owner).filter(id=campaign.client_id).exists()
    ):
        raise ValidationError(
            {"owner": [f"{owner} does not work on {campaign.client}; choose one of its team."]}
        )


def _unknown_fields(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})


def _save(campaign: Campaign) -> None:
    campaign.full_clean()
    _check_owner(campaign)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError as exc:  # two people saving the same code at the same moment
        raise ValidationError(
            {"code": [f"Another campaign of this client already uses the code {campaign.code}."]}
        ) from exc


def create_campaign(actor: Any, *, client_id: int, values: dict[str, Any]) -> Campaign:
    client = Client.objects.visible_to(actor).filter(id=client_id).first()
    if client is None:
        raise ValidationError({"client": [f"There is no client with id {client_id} you can use."]})
    require(actor, Action.EDIT_CAMPAIGN, client.id)
    _unknown_fields(values)
    values = {"currency": client.default_currency, "owner": actor, **values}
    campaign = Campaign(client=client, created_by=actor, **values)
    with transaction.atomic():
        _save(campaign)
        record(
            actor=actor,
            obj=campaign,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(campaign, EDITABLE_FIELDS)),
        )
    return campaign


def update_campaign(
    actor: Any, campaign: Campaign, values: dict[str, Any], reason: str = ""
) -> Campaign:
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    if campaign.is_archived:
        raise Conflict("This campaign is archived; restore it before changing it.")
    _unknown_fields(values)
    before = snapshot(campaign, EDITABLE_FIELDS)
    for name, value in values.items():
        setattr(campaign, name, value)
    changes = diff(before, snapshot(campaign, EDITABLE_FIELDS))
    if not changes:
        return campaign
    campaign.updated_at = timezone.now()
    with transaction.atomic():
        _save(campaign)
        record(
            actor=actor, obj=campaign, action=AuditAction.UPDATED, changes=changes, reason=reason
        )
    return campaign


def archive_campaign(actor: Any, campaign: Campaign, reason: str = "") -> Campaign:
    """Archive instead of delete: the campaign leaves lists but its history stays."""
    require(actor, Action.ARCHIVE_CAMPAIGN, campaign.client_id)
    if campaign.is_archived:
        raise Conflict("This campaign is already archived.")
    with transaction.atomic():
        campaign.archived_at = timezone.now()
        campaign.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=campaign,
            action=AuditAction.ARCHIVED,
            changes={"archived": [False, True]},
            reason=reason,
        )
    return campaign


def restore_campaign(actor: Any, campaign: Campaign, reason: str = "") -> Campaign:
    require(actor, Action.ARCHIVE_CAMPAIGN, campaign.client_id)
    if not campaign.is_archived:
        raise Conflict("This campaign is not archived.")
    with transaction.atomic():
        campaign.archived_at = None
        campaign.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=campaign,
            action=AuditAction.RESTORED,
            changes={"archived": [True, False]},
            reason=reason,
        )
    return campaign


# --- Media plans -----------------------------------------------------------------------------

PLACEMENT_FIELDS = [
    "code", "name", "channel", "vendor", "property_name", "market", "format", "spot_length",
    "targeting", "start", "end", "flighting", "weights", "cost_model", "rate", "quantity", "cost",
    "commission_percent", "net_cost", "fees", "currency", "universe", "kpi_targets",
    "material_deadline", "notes", "position",
]  # fmt: skip
VERSION_FIELDS = ["number", "status", "currency", "based_on", "note"]


def _require_editable(version: PlanVersion) -> None:
    if not version.is_editable:
        raise Conflict(
            f"Version {version.number} is {version.get_status_display().lower()} and frozen; "
            "make a new draft to change the plan."
        )


def _latest_number(campaign: Campaign) -> int:
    return max(campaign.plan_versions.values_list("number", flat=True), default=0)


def start_plan(actor: Any, campaign: Campaign, note: str = "") -> PlanVersion:
    """The first draft of a campaign's plan."""
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    if campaign.plan_versions.exists():
        raise Conflict("This campaign already has a plan; make a new draft from a version.")
    with transaction.atomic():
        version = PlanVersion.objects.create(
            campaign=campaign, number=1, currency=campaign.currency, note=note, created_by=actor
        )
        record(
            actor=actor,
            obj=version,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(version, VERSION_FIELDS)),
            client_id=campaign.client_id,
        )
    return version


def new_draft(actor: Any, source: PlanVersion, note: str = "") -> PlanVersion:
    """A new draft copied from ``source``, line for line (each line keeps its key)."""
    campaign = source.campaign
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    open_draft = campaign.plan_versions.filter(status=PlanStatus.DRAFT).first()
    if open_draft is not None:
        raise Conflict(f"Version {open_draft.number} is already a draft; change that one.")
    with transaction.atomic():
        version = PlanVersion.objects.create(
            campaign=campaign,
            number=_latest_number(campaign) + 1,
            currency=source.currency,
            based_on=source,
            note=note,
            created_by=actor,
        )
        copies = []
        for line in source.placements.all():
            line.pk = None
            line.version = version
            copies.append(line)
        Placement.objects.bulk_create(copies)
        record(
            actor=actor,
            obj=version,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(version, VERSION_FIELDS)),
            reason=note or f"Draft from version {source.number}",
            client_id=campaign.client_id,
        )
    return version


def _priced(values: dict[str, Any]) -> dict[str, Any]:
    """Derive the third of rate, quantity and cost, and the net cost, under the cost model."""
    model = values.get("cost_model")
    if model not in CostModel.values:
        raise ValidationError(
            {"cost_model": [f"Choose a cost model ({', '.join(CostModel.values)})."]}
        )
    places = CURRENCY_MINOR_UNITS.get(str(values.get("currency") or ""), 2)
    try:
        pricing = price(
            DomainCostModel(model),
            rate=values.get("rate"),
            quantity=values.get("quantity"),
            cost=values.get("cost"),
            cost_places=places,
        )
    except PricingError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from exc
    commission = values.get("commission_percent")
    commission = Decimal("15") if commission is None else Decimal(commission)
    if not Decimal("0") <= commission < Decimal("100"):
        raise ValidationError({"commission_percent": ["Give a commission from 0 to 99.99 %."]})
    return {
        **values,
        "rate": pricing.rate,
        "quantity": pricing.quantity,
        "cost": pricing.cost,
        "commission_percent": commission,
        "net_cost": net_from_gross(pricing.cost, commission, places),
    }


def _missing_rates(placement: Placement) -> list[str]:
    """A placement in another currency than its plan needs the client's FX rates for every
    month of its flight (its cost is converted month by month); say exactly which to enter."""
    plan_currency = placement.version.currency
    currency = placement.currency
    if (
        currency == plan_currency
        or currency not in CURRENCY_MINOR_UNITS
        or not (placement.start and placement.end)
        or placement.end < placement.start
    ):
        return []  # nothing to convert, or the currency or flight is refused elsewhere
    months = flight_months(placement.start, placement.end)
    entered = set(
        FxRate.objects.filter(
            client_id=placement.version.campaign.client_id,
            currency_from=currency,
            currency_to=plan_currency,
            month__gte=date(*months[0], 1),
            month__lte=date(*months[-1], 1),
        ).values_list("month", flat=True)
    )
    missing = [
        MissingRate(currency, plan_currency, year, month)
        for year, month in months
        if date(year, month, 1) not in entered
    ]
    if not missing:
        return []
    return [rates_to_enter(missing, f"enter the placement in {plan_currency}")]


def _check_placement(placement: Placement, taken_codes: set[str] | None = None) -> None:
    """Every rule a plan line must meet. ``taken_codes`` (lower-case) replaces the database
    lookup when many lines are checked at once (imports)."""
    errors: dict[str, list[str]] = {}
    if placement.cost_model == CostModel.CPP and not placement.universe:
        errors["universe"] = [
            "A CPP buy needs the audience universe (persons), to turn GRPs into impressions."
        ]
    errors_of_currency = _missing_rates(placement)
    if errors_of_currency:
        errors.setdefault("currency", []).extend(errors_of_currency)
    if placement.start and placement.end and placement.end >= placement.start:
        try:
            spread(
                placement.cost,
                placement.start,
                placement.end,
                weights=weights_of(placement),
            )
        except (FlightingError, ValueError) as exc:
            errors.setdefault("weights", []).append(str(exc))
    try:
        placement.full_clean(exclude=["version"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if placement.start and placement.end and placement.end < placement.start:
        errors["end"] = [
            f"The end date ({placement.end:%d %b %Y}) is before the start date "
            f"({placement.start:%d %b %Y})."
        ]
    if taken_codes is not None:
        code_taken = placement.code.lower() in taken_codes
    else:
        taken = Placement.objects.filter(version=placement.version, code__iexact=placement.code)
        code_taken = taken.exclude(pk=placement.pk).exists() if placement.pk else taken.exists()
    if placement.code and code_taken:
        errors.setdefault("code", []).append(
            f"Another placement of this plan already uses the code {placement.code}."
        )
    if errors:
        raise ValidationError(errors)


def _placement_code(placement: Placement) -> str:
    """The code from the client's naming convention, when the planner gave none."""
    campaign = placement.version.campaign
    values = {
        "client": campaign.client.code,
        "campaign": campaign.code,
        "channel": placement.channel,
        "vendor": placement.vendor,
        "property": placement.property_name,
        "market": placement.market,
        "format": placement.format,
        "audience": placement.targeting,
        "costmodel": placement.cost_model,
    }
    try:
        return render_code(campaign.client.naming_template, values, placement.start)
    except NamingError as exc:
        raise ValidationError({"code": [str(exc)]}) from exc


def _normalized(values: dict[str, Any], version: PlanVersion) -> dict[str, Any]:
    unknown = sorted(set(values) - set(PLACEMENT_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})
    values = {"currency": version.currency, **values}
    if values.get("flighting", Flighting.CONTINUOUS) == Flighting.CONTINUOUS:
        values["weights"] = {}
    return values


def _build_placement(
    version: PlanVersion, values: dict[str, Any], position: int, taken_codes: set[str] | None = None
) -> Placement:
    """A checked, priced plan line, not yet saved."""
    values = _priced(_normalized(values, version))
    values.pop("position", None)
    placement = Placement(version=version, position=position, **values)
    if not placement.code:
        placement.code = _placement_code(placement)
    _check_placement(placement, taken_codes)
    return placement


def add_placement(actor: Any, version: PlanVersion, values: dict[str, Any]) -> Placement:
    require(actor, Action.EDIT_CAMPAIGN, version.campaign.client_id)
    _require_editable(version)
    position = values.get("position")
    if position is None:
        position = (version.placements.aggregate(m=Max("position"))["m"] or 0) + 1
    placement = _build_placement(version, values, position)
    with transaction.atomic():
        placement.save()
        record(
            actor=actor,
            obj=placement,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(placement, PLACEMENT_FIELDS)),
            client_id=version.campaign.client_id,
        )
    return placement


# With one of rate, quantity and cost changed, the one it is paired with stays and the third is
# derived: a new rate or quantity re-prices the cost; a new cost re-derives the quantity.
PRICING_PARTNER = {"rate": "quantity", "quantity": "rate", "cost": "rate"}


def _kept_pricing(values: dict[str, Any]) -> set[str]:
    given = [name for name in ("rate", "quantity", "cost") if values.get(name) is not None]
    if len(given) >= 2:
        return set(given)
    if len(given) == 1:
        return {given[0], PRICING_PARTNER[given[0]]}
    return {"rate", "quantity"}


def update_placement(
    actor: Any, placement: Placement, values: dict[str, Any], reason: str = ""
) -> Placement:
    version = placement.version
    require(actor, Action.EDIT_CAMPAIGN, version.campaign.client_id)
    _require_editable(version)
    # A change that does not name the currency keeps the line's own (it may differ from the plan's).
    values = _normalized({"currency": placement.currency, **values}, version)
    before = snapshot(placement, PLACEMENT_FIELDS)
    merged = {name: getattr(placement, name) for name in PLACEMENT_FIELDS if name != "net_cost"}
    merged.update(values)
    merged.pop("net_cost", None)
    for name in ("rate", "quantity", "cost"):
        if name not in _kept_pricing(values):
            merged[name] = None
    priced = _priced(merged)
    for name, value in priced.items():
        setattr(placement, name, value)
    _check_placement(placement)
    changes = diff(before, snapshot(placement, PLACEMENT_FIELDS))
    if not changes:
        return placement
    with transaction.atomic():
        placement.save()
        record(
            actor=actor,
            obj=placement,
            action=AuditAction.UPDATED,
            changes=changes,
            reason=reason,
            client_id=version.campaign.client_id,
        )
    return placement


def delete_placement(actor: Any, placement: Placement, reason: str = "") -> None:
    """Remove a line from a draft (frozen versions keep every line)."""
    version = placement.version
    require(actor, Action.EDIT_CAMPAIGN, version.campaign.client_id)
    _require_editable(version)
    with transaction.atomic():
        record(
            actor=actor,
            obj=placement,
            action=AuditAction.DELETED,
            changes=diff(snapshot(placement, PLACEMENT_FIELDS), {}),
            reason=reason,
            client_id=version.campaign.client_id,
        )
        placement.delete()


def _set_status(
    actor: Any, version: PlanVersion, status: PlanStatus, action: AuditAction, comment: str
) -> None:
    before = version.status
    version.status = status
    version.save(update_fields=["status", "submitted_at"])
    record(
        actor=actor,
        obj=version,
        action=action,
        changes={"status": [before, status.value]},
        reason=comment,
        client_id=version.campaign.client_id,
    )


def submit_plan(actor: Any, version: PlanVersion, comment: str = "") -> PlanVersion:
    """Freeze a draft and send it for internal approval."""
    require(actor, Action.EDIT_CAMPAIGN, version.campaign.client_id)
    if version.status != PlanStatus.DRAFT:
        raise Conflict(f"Only a draft can be submitted; version {version.number} is "
                       f"{version.get_status_display().lower()}.")  # fmt: skip
    if not version.placements.exists():
        raise ValidationError("Add at least one placement before submitting the plan.")
    with transaction.atomic():
        version.submitted_at = timezone.now()
        _set_status(actor, version, PlanStatus.SUBMITTED, AuditAction.SUBMITTED, comment)
    return version


def _stage_of(version: PlanVersion) -> ApprovalStage:
    if version.status == PlanStatus.SUBMITTED:
        return ApprovalStage.INTERNAL
    if version.status == PlanStatus.APPROVED:
        return ApprovalStage.CLIENT
    raise Conflict(
        f"Version {version.number} is {version.get_status_display().lower()}; "
        "there is nothing to approve or reject."
    )


def approve_plan(actor: Any, version: PlanVersion, comment: str = "") -> PlanVersion:
    """Approve at the stage the version is in: internal first, then the client."""
    stage = _stage_of(version)
    client_id = version.campaign.client_id
    if stage == ApprovalStage.INTERNAL:
        require(actor, Action.APPROVE_PLAN, client_id)
    else:
        require(actor, Action.REVIEW_CLIENT_STAGE, client_id)
    # Blocking compliance findings on the placements (targeting, markets) stop an approval
    # until the legal role overrides them; imported here, compliance builds on planning.
    from mediadesk.compliance.services import refuse_blocked_plan

    refuse_blocked_plan(version)
    with transaction.atomic():
        PlanApproval.objects.create(
            version=version, stage=stage, decision=Decision.APPROVED, decided_by=actor,
            comment=comment,
        )  # fmt: skip
        if stage == ApprovalStage.CLIENT:
            # The client-approved version is the plan of record; earlier ones step aside.
            older = version.campaign.plan_versions.filter(
                status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED],
                number__lt=version.number,
            )
            for old in older:
                _set_status(actor, old, PlanStatus.SUPERSEDED, AuditAction.SUPERSEDED,
                            f"Replaced by version {version.number}")  # fmt: skip
            _set_status(actor, version, PlanStatus.CLIENT_APPROVED, AuditAction.APPROVED, comment)
        else:
            _set_status(actor, version, PlanStatus.APPROVED, AuditAction.APPROVED, comment)
    return version


def reject_plan(actor: Any, version: PlanVersion, comment: str) -> PlanVersion:
    stage = _stage_of(version)
    client_id = version.campaign.client_id
    require(
        actor,
        Action.APPROVE_PLAN if stage == ApprovalStage.INTERNAL else Action.REVIEW_CLIENT_STAGE,
        client_id,
    )
    if not comment.strip():
        raise ValidationError({"comment": ["Say what needs to change, so the planner can fix it."]})
    with transaction.atomic():
        PlanApproval.objects.create(
            version=version, stage=stage, decision=Decision.REJECTED, decided_by=actor,
            comment=comment,
        )  # fmt: skip
        _set_status(actor, version, PlanStatus.REJECTED, AuditAction.REJECTED, comment)
    return version


# --- Importing a plan file -------------------------------------------------------------------


class ImportRefused(Exception):
    """The file was not imported; ``problems`` say, per row and column, what to fix."""

    def __init__(self, upload: PlanImport, problems: list[Problem]) -> None:
        self.upload = upload
        self.problems = problems
        first = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{upload.filename} was not imported. {first}{more}")


def _problem_from(
    error: ValidationError, row: int, values: dict[str, Any], mapping: dict[str, str]
) -> list[Problem]:
    """A line's validation errors, named by the file's own column headers."""
    from mediadesk.planning.imports import MAPPABLE_FIELDS, Problem

    problems = []
    for fieldname, messages in error.message_dict.items():
        header = mapping.get(fieldname) or MAPPABLE_FIELDS.get(fieldname, fieldname)
        shown = values.get(fieldname)
        for message in messages:
            problems.append(Problem(row, header, "" if shown is None else str(shown), message))
    return problems


def receive_plan_file(actor: Any, campaign: Campaign, *, filename: str, data: bytes) -> PlanImport:
    """Keep an uploaded plan file (under a generated name) until it is imported or refused."""
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    upload = PlanImport(
        campaign=campaign,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
        outcome=ImportOutcome.PENDING,
    )
    upload.file.save(filename, ContentFile(data), save=False)
    upload.save()
    return upload


@dataclass
class ImportPreview:
    parsed: ParsedPlan
    placements: list[Placement]
    problems: list[Problem]

    @property
    def total(self) -> Decimal:
        return sum((p.cost for p in self.placements), Decimal("0.00"))


def preview_import(upload: PlanImport, mapping: dict[str, str] | None = None) -> ImportPreview:
    """Read the file and check every line as it would be imported; nothing is saved."""
    from mediadesk.planning.imports import parse_plan_file

    with upload.file.open("rb") as handle:
        data = handle.read()
    parsed = parse_plan_file(data, upload.filename, mapping)
    problems = list(parsed.problems)
    campaign = upload.campaign
    latest = campaign.plan_versions.order_by("-number").first()
    staging = PlanVersion(
        campaign=campaign, number=0, currency=latest.currency if latest else campaign.currency
    )
    placements: list[Placement] = []
    taken: set[str] = set()
    # Every row is checked, so one pass lists all there is to fix; rows that could not even be
    # read are not checked further, and a problem with the whole file stops here.
    unreadable = {problem.row for problem in problems}
    if None not in unreadable:
        for position, line in enumerate(parsed.lines, start=1):
            if line.row in unreadable:
                continue
            try:
                placement = _build_placement(staging, dict(line.values), position, taken)
            except ValidationError as exc:
                problems.extend(_problem_from(exc, line.row, line.values, parsed.mapping))
                continue
            placement.line_key = line.line_key or placement.line_key
            taken.add(placement.code.lower())
            placements.append(placement)
    problems.sort(key=lambda problem: (problem.row or 0, problem.column))
    return ImportPreview(parsed=parsed, placements=placements, problems=problems)


def commit_import(
    actor: Any, upload: PlanImport, mapping: dict[str, str] | None = None, note: str = ""
) -> PlanImport:
    """Import a received file into a new draft version: all lines or none.

    The file and a record of the outcome are kept either way. A file whose lines are exactly
    those of the newest version changes nothing, so importing the same file twice is harmless.
    """
    campaign = upload.campaign
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    if upload.outcome != ImportOutcome.PENDING:
        raise Conflict(f"{upload.filename} was already handled ({upload.get_outcome_display()}).")
    preview = preview_import(upload, mapping)
    upload.rows = len(preview.parsed.lines)
    if preview.problems:
        upload.outcome = ImportOutcome.FAILED
        upload.problems = [p.as_dict() for p in preview.problems[:500]]
        upload.save()
        raise ImportRefused(upload, preview.problems)
    placements = preview.placements
    latest = campaign.plan_versions.order_by("-number").first()
    if latest is not None:
        before = [diff_line(p) for p in latest.placements.all()]
        if diff_plans(before, [diff_line(p) for p in placements]).is_empty:
            upload.version = latest
            upload.outcome = ImportOutcome.UNCHANGED
            upload.save()
            return upload
    with transaction.atomic():
        for draft in campaign.plan_versions.filter(status=PlanStatus.DRAFT):
            _set_status(actor, draft, PlanStatus.SUPERSEDED, AuditAction.SUPERSEDED,
                        f"Replaced by the import of {upload.filename}")  # fmt: skip
        version = PlanVersion.objects.create(
            campaign=campaign,
            number=_latest_number(campaign) + 1,
            currency=placements[0].version.currency if placements else campaign.currency,
            based_on=latest,
            note=note or f"Imported from {upload.filename}",
            created_by=actor,
        )
        for placement in placements:
            placement.version = version
        Placement.objects.bulk_create(placements, batch_size=500)
        upload.version = version
        upload.outcome = ImportOutcome.IMPORTED
        upload.problems = []
        upload.save()
        record(
            actor=actor,
            obj=version,
            action=AuditAction.CREATED,
            changes={"lines": [None, len(placements)], "file": [None, upload.filename]},
            reason=upload.get_outcome_display(),
            client_id=campaign.client_id,
        )
    return upload


def import_plan(
    actor: Any,
    campaign: Campaign,
    *,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    note: str = "",
) -> PlanImport:
    """Receive and import in one step (the API and the CLI)."""
    upload = receive_plan_file(actor, campaign, filename=filename, data=data)
    return commit_import(actor, upload, mapping, note)


def save_column_mapping(actor: Any, client: Client, name: str, mapping: dict[str, str]) -> None:
    """Remember a column mapping for this client's plan files, under a name."""
    require(actor, Action.EDIT_CAMPAIGN, client.pk)
    name = name.strip()[:100]
    if not name:
        raise ValidationError({"save_as": ["Give the mapping a name."]})
    with transaction.atomic():
        saved, _ = ColumnMapping.objects.update_or_create(
            client=client, name=name, defaults={"mapping": mapping, "updated_at": timezone.now()}
        )
        record(actor=actor, obj=saved, action=AuditAction.UPDATED,
               changes={"mapping": [None, mapping]}, client_id=client.pk)  # fmt: skip
