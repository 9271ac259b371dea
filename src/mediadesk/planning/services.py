"""Every change to a campaign, in one place: page, API and CLI all call these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.errors import Conflict
from mediadesk.planning.models import Campaign

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
]


def _unknown_fields(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})


def _save(campaign: Campaign) -> None:
    campaign.full_clean()
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
    values = {"currency": client.default_currency, **values}
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
