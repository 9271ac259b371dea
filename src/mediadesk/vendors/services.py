"""Every change to a vendor and its contacts, in one place: page, API and CLI call these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from mediadesk.accounts.permissions import ROLE_ACTIONS, Action, is_org_admin, roles_by_client
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.errors import Conflict
from mediadesk.vendors.models import Vendor, VendorContact, can_read_vendors

# The fields a person can set; the audit trail records their before and after values.
EDITABLE_FIELDS = [
    "name", "kind", "website", "tax_id", "payment_terms", "currency", "address", "notes",
]  # fmt: skip
CONTACT_FIELDS = ["name", "position", "email", "phone"]


class DuplicateVendor(Conflict):
    """Another vendor of the organization already has this name."""

    def __init__(self, existing: Vendor) -> None:
        self.existing = existing
        super().__init__(
            f"There is already a vendor named “{existing.name}” (id {existing.pk}); "
            "use that one or choose another name."
        )


def can_manage_vendors(user: Any) -> bool:
    """Organization admins, and anyone who may edit campaigns or finance on some client."""
    if is_org_admin(user):
        return True
    return any(
        Action.EDIT_CAMPAIGN in ROLE_ACTIONS[role] or Action.EDIT_FINANCE in ROLE_ACTIONS[role]
        for role in roles_by_client(user).values()
    )


def require_vendor_manager(user: Any) -> None:
    if not can_manage_vendors(user):
        raise PermissionDenied(
            "Your role does not allow changing vendors; it needs a coordinator, finance or "
            "admin role on at least one client."
        )


def _own(actor: Any, vendor: Vendor) -> None:
    """A vendor of another organization does not exist for the actor."""
    if not can_read_vendors(actor) or vendor.organization_id != actor.organization_id:
        raise Http404("No such vendor.")


def _unknown_fields(values: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})


def _check_name(vendor: Vendor) -> None:
    name = (vendor.name or "").strip()
    vendor.name = name
    if not name:
        return  # full_clean names the missing field
    existing = (
        Vendor.objects.filter(organization_id=vendor.organization_id, name__iexact=name)
        .exclude(pk=vendor.pk)
        .first()
    )
    if existing is not None:
        raise DuplicateVendor(existing)


def _save(vendor: Vendor) -> None:
    _check_name(vendor)
    vendor.full_clean()
    try:
        with transaction.atomic():
            vendor.save()
    except IntegrityError as exc:  # two people saving the same name at the same moment
        existing = Vendor.objects.filter(
            organization_id=vendor.organization_id, name=vendor.name
        ).first()
        if existing is not None:
            raise DuplicateVendor(existing) from exc
        raise


def create_vendor(actor: Any, values: dict[str, Any]) -> Vendor:
    require_vendor_manager(actor)
    if actor.organization_id is None:
        raise PermissionDenied("You do not belong to an organization, so you cannot add vendors.")
    _unknown_fields(values, EDITABLE_FIELDS)
    vendor = Vendor(organization_id=actor.organization_id, created_by=actor, **values)
    with transaction.atomic():
        _save(vendor)
        record(
            actor=actor,
            obj=vendor,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(vendor, EDITABLE_FIELDS)),
        )
    return vendor


def update_vendor(actor: Any, vendor: Vendor, values: dict[str, Any], reason: str = "") -> Vendor:
    _own(actor, vendor)
    require_vendor_manager(actor)
    if vendor.is_archived:
        raise Conflict("This vendor is archived; restore it before changing it.")
    _unknown_fields(values, EDITABLE_FIELDS)
    before = snapshot(vendor, EDITABLE_FIELDS)
    for name, value in values.items():
        setattr(vendor, name, value)
    changes = diff(before, snapshot(vendor, EDITABLE_FIELDS))
    if not changes:
        return vendor
    vendor.updated_at = timezone.now()
    with transaction.atomic():
        _save(vendor)
        record(actor=actor, obj=vendor, action=AuditAction.UPDATED, changes=changes, reason=reason)
    return vendor


def archive_vendor(actor: Any, vendor: Vendor, reason: str = "") -> Vendor:
    """Archive instead of delete: the vendor leaves lists but its history stays."""
    _own(actor, vendor)
    require_vendor_manager(actor)
    if vendor.is_archived:
        raise Conflict("This vendor is already archived.")
    with transaction.atomic():
        vendor.archived_at = timezone.now()
        vendor.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=vendor,
            action=AuditAction.ARCHIVED,
            changes={"archived": [False, True]},
            reason=reason,
        )
    return vendor


def restore_vendor(actor: Any, vendor: Vendor, reason: str = "") -> Vendor:
    _own(actor, vendor)
    require_vendor_manager(actor)
    if not vendor.is_archived:
        raise Conflict("This vendor is not archived.")
    with transaction.atomic():
        vendor.archived_at = None
        vendor.save(update_fields=["archived_at"])
        record(
            actor=actor,
            obj=vendor,
            action=AuditAction.RESTORED,
            changes={"archived": [True, False]},
            reason=reason,
        )
    return vendor


def add_contact(actor: Any, vendor: Vendor, values: dict[str, Any]) -> VendorContact:
    """A person at the vendor; recorded in the vendor's history."""
    _own(actor, vendor)
    require_vendor_manager(actor)
    if vendor.is_archived:
        raise Conflict("This vendor is archived; restore it before adding contacts.")
    _unknown_fields(values, CONTACT_FIELDS)
    contact = VendorContact(vendor=vendor, **values)
    contact.full_clean()
    with transaction.atomic():
        contact.save()
        record(
            actor=actor,
            obj=vendor,
            action=AuditAction.UPDATED,
            changes={"contact added": [None, _contact_text(contact)]},
        )
    return contact


def remove_contact(actor: Any, contact: VendorContact, reason: str = "") -> None:
    vendor = contact.vendor
    _own(actor, vendor)
    require_vendor_manager(actor)
    if vendor.is_archived:
        raise Conflict("This vendor is archived; restore it before removing contacts.")
    with transaction.atomic():
        text = _contact_text(contact)
        contact.delete()
        record(
            actor=actor,
            obj=vendor,
            action=AuditAction.UPDATED,
            changes={"contact removed": [text, None]},
            reason=reason,
        )


def _contact_text(contact: VendorContact) -> str:
    details = ", ".join(part for part in (contact.email, contact.phone) if part)
    return f"{contact}{f' — {details}' if details else ''}"
