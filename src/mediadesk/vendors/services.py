"""Every change to a vendor, its contacts, rate cards, negotiated rates and documents, in one
place: page, API and CLI call these."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import (
    ROLE_ACTIONS,
    Action,
    can,
    is_org_admin,
    role_on,
    roles_by_client,
)
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.domain.ratecards import match_key
from mediadesk.errors import Conflict
from mediadesk.ingest.safety import display_name
from mediadesk.vendors.documents import check_document
from mediadesk.vendors.models import (
    RATE_FIELDS,
    NegotiatedRate,
    RateCard,
    RateCardLine,
    RateFields,
    Vendor,
    VendorContact,
    VendorDocument,
    can_read_vendors,
)

# The fields a person can set; the audit trail records their before and after values.
EDITABLE_FIELDS = [
    "name", "kind", "website", "tax_id", "payment_terms", "currency", "address", "notes",
]  # fmt: skip
CONTACT_FIELDS = ["name", "position", "email", "phone"]
RATE_CARD_FIELDS = ["name", "currency", "valid_from", "valid_to", "notes"]
LINE_FIELDS = RATE_FIELDS
NEGOTIATED_FIELDS = [*RATE_FIELDS, "currency", "valid_from", "valid_to", "notes"]
DOCUMENT_FIELDS = ["kind", "expires_on", "notes"]


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


# --- Rate cards -----------------------------------------------------------------------------


def _writable(vendor: Vendor, doing: str) -> None:
    if vendor.is_archived:
        raise Conflict(f"This vendor is archived; restore it before {doing}.")


def _scope_key(line: RateFields) -> tuple[str, str, str, str]:
    return (match_key(line.format), match_key(line.market), match_key(line.daypart),
            line.cost_model)  # fmt: skip


def _clean_line(line: RateCardLine, prefix: str = "") -> None:
    """Validate one line; with ``prefix`` ("lines.2.") the errors name the nested field."""
    line.clean_text()
    try:
        line.full_clean(exclude=["rate_card"])
    except ValidationError as exc:
        if not prefix:
            raise
        raise ValidationError(
            {f"{prefix}{field}": errors for field, errors in exc.message_dict.items()}
        ) from None


def _check_unique_lines(lines: list[RateCardLine], card: RateCard | None = None) -> None:
    """One line per format, market, daypart and cost model: otherwise the reference is a guess."""
    taken: dict[tuple[str, str, str, str], RateCardLine] = {}
    if card is not None and card.pk:
        ids = {line.pk for line in lines if line.pk}
        for line in card.lines.exclude(pk__in=ids):
            taken[_scope_key(line)] = line
    for line in lines:
        key = _scope_key(line)
        if key in taken:
            raise ValidationError(
                {"format": [f"This rate card already has a line for {taken[key].scope}; change "
                            "that line instead."]}
            )  # fmt: skip
        taken[key] = line


def _line_texts(lines: list[RateCardLine], currency: str) -> list[str]:
    return sorted(f"{line.scope}: {line.rate.normalize():f} {currency}" for line in lines)


def _build_lines(card: RateCard, lines: list[dict[str, Any]]) -> list[RateCardLine]:
    built = []
    existing = {line.pk: line for line in card.lines.all()} if card.pk else {}
    for number, values in enumerate(lines):
        values = dict(values)
        line_id = values.pop("id", None)
        _unknown_fields(values, LINE_FIELDS)
        if line_id is not None:
            line = existing.get(line_id)
            if line is None:
                raise ValidationError(
                    {f"lines.{number}.id": [f"Rate card {card.pk} has no line {line_id}."]}
                )
            for name, value in values.items():
                setattr(line, name, value)
        else:
            line = RateCardLine(rate_card=card if card.pk else None, **values)
        _clean_line(line, f"lines.{number}.")
        built.append(line)
    _check_unique_lines(built)
    return built


def create_rate_card(
    actor: Any, vendor: Vendor, values: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> RateCard:
    """A new rate card of the vendor, with its lines if given (all or none)."""
    _own(actor, vendor)
    require_vendor_manager(actor)
    _writable(vendor, "adding rate cards")
    _unknown_fields(values, RATE_CARD_FIELDS)
    card = RateCard(vendor=vendor, created_by=actor, **values)
    card.full_clean()
    built = _build_lines(card, lines or [])
    changes = diff({}, snapshot(card, RATE_CARD_FIELDS))
    if built:
        changes["lines"] = [None, _line_texts(built, card.currency)]
    with transaction.atomic():
        card.save()
        for line in built:
            line.rate_card = card
        RateCardLine.objects.bulk_create(built)
        record(actor=actor, obj=card, action=AuditAction.CREATED, changes=changes)
    return card


def update_rate_card(
    actor: Any,
    card: RateCard,
    values: dict[str, Any],
    reason: str = "",
    lines: list[dict[str, Any]] | None = None,
) -> RateCard:
    """Change the card's fields; with ``lines``, its lines become exactly these (an item with an
    ``id`` changes that line, one without adds a line, a line not listed is removed)."""
    _own(actor, card.vendor)
    require_vendor_manager(actor)
    _writable(card.vendor, "changing its rate cards")
    if card.is_archived:
        raise Conflict("This rate card is archived; restore it before changing it.")
    _unknown_fields(values, RATE_CARD_FIELDS)
    before = snapshot(card, RATE_CARD_FIELDS)
    before_lines = _line_texts(list(card.lines.all()), card.currency)
    for name, value in values.items():
        setattr(card, name, value)
    card.full_clean()
    changes = diff(before, snapshot(card, RATE_CARD_FIELDS))
    built = None
    if lines is not None:
        built = _build_lines(card, lines)
        after_lines = _line_texts(built, card.currency)
        if after_lines != before_lines:
            changes["lines"] = [before_lines, after_lines]
    if not changes:
        return card
    card.updated_at = timezone.now()
    with transaction.atomic():
        card.save()
        if built is not None:
            card.lines.exclude(pk__in=[line.pk for line in built if line.pk]).delete()
            for line in built:
                line.save()
        record(actor=actor, obj=card, action=AuditAction.UPDATED, changes=changes, reason=reason)
    return card


def archive_rate_card(actor: Any, card: RateCard, reason: str = "") -> RateCard:
    """An archived card no longer prices placements; its lines and history are kept."""
    _own(actor, card.vendor)
    require_vendor_manager(actor)
    if card.is_archived:
        raise Conflict("This rate card is already archived.")
    with transaction.atomic():
        card.archived_at = timezone.now()
        card.save(update_fields=["archived_at"])
        record(actor=actor, obj=card, action=AuditAction.ARCHIVED,
               changes={"archived": [False, True]}, reason=reason)  # fmt: skip
    return card


def restore_rate_card(actor: Any, card: RateCard, reason: str = "") -> RateCard:
    _own(actor, card.vendor)
    require_vendor_manager(actor)
    if not card.is_archived:
        raise Conflict("This rate card is not archived.")
    _writable(card.vendor, "restoring its rate cards")
    with transaction.atomic():
        card.archived_at = None
        card.save(update_fields=["archived_at"])
        record(actor=actor, obj=card, action=AuditAction.RESTORED,
               changes={"archived": [True, False]}, reason=reason)  # fmt: skip
    return card


def _line_card(actor: Any, card: RateCard, doing: str) -> None:
    _own(actor, card.vendor)
    require_vendor_manager(actor)
    _writable(card.vendor, "changing its rate cards")
    if card.is_archived:
        raise Conflict(f"This rate card is archived; restore it before {doing}.")


def add_rate_line(actor: Any, card: RateCard, values: dict[str, Any]) -> RateCardLine:
    _line_card(actor, card, "adding lines")
    _unknown_fields(values, LINE_FIELDS)
    line = RateCardLine(rate_card=card, **values)
    _clean_line(line)
    _check_unique_lines([line], card)
    with transaction.atomic():
        line.save()
        card.updated_at = timezone.now()
        card.save(update_fields=["updated_at"])
        record(actor=actor, obj=card, action=AuditAction.UPDATED,
               changes={"line added": [None, _line_texts([line], card.currency)[0]]})  # fmt: skip
    return line


def update_rate_line(
    actor: Any, line: RateCardLine, values: dict[str, Any], reason: str = ""
) -> RateCardLine:
    card = line.rate_card
    _line_card(actor, card, "changing its lines")
    _unknown_fields(values, LINE_FIELDS)
    before = _line_texts([line], card.currency)[0]
    for name, value in values.items():
        setattr(line, name, value)
    _clean_line(line)
    _check_unique_lines([line], card)
    after = _line_texts([line], card.currency)[0]
    if after == before:
        return line
    with transaction.atomic():
        line.save()
        card.updated_at = timezone.now()
        card.save(update_fields=["updated_at"])
        record(actor=actor, obj=card, action=AuditAction.UPDATED,
               changes={"line changed": [before, after]}, reason=reason)  # fmt: skip
    return line


def remove_rate_line(actor: Any, line: RateCardLine, reason: str = "") -> None:
    """A line leaves the card; the card's history keeps what it said."""
    card = line.rate_card
    _line_card(actor, card, "removing lines")
    with transaction.atomic():
        text = _line_texts([line], card.currency)[0]
        line.delete()
        card.updated_at = timezone.now()
        card.save(update_fields=["updated_at"])
        record(actor=actor, obj=card, action=AuditAction.UPDATED,
               changes={"line removed": [text, None]}, reason=reason)  # fmt: skip


# --- Negotiated rates -------------------------------------------------------------------------


def can_edit_negotiated_rates(user: Any, client_id: int) -> bool:
    """Whoever may edit campaigns or finance on that client (coordinators, finance, admins)."""
    return can(user, Action.EDIT_CAMPAIGN, client_id) or can(user, Action.EDIT_FINANCE, client_id)


def require_negotiated_rate_editor(actor: Any, client: Client) -> None:
    """A client the actor does not see, or sees only as a reviewer, has no negotiated rates
    for them: not found. One they see but may not change them for: forbidden."""
    role = role_on(actor, client.pk)
    if role is None or role == Role.CLIENT_REVIEWER:
        raise Http404("No such client.")
    if not can_edit_negotiated_rates(actor, client.pk):
        raise PermissionDenied(
            f"Your role on {client.name} does not allow changing its negotiated rates; it needs "
            "a coordinator, finance or admin role on that client."
        )


def _overlaps(a: NegotiatedRate, b: NegotiatedRate) -> bool:
    far = date.max
    return a.valid_from <= (b.valid_to or far) and b.valid_from <= (a.valid_to or far)


def _check_negotiated_overlap(rate: NegotiatedRate) -> None:
    """Two rates of one client for the same thing at the same time would make the reference a
    guess; name the one already there."""
    others = NegotiatedRate.objects.active().filter(
        vendor_id=rate.vendor_id, client_id=rate.client_id, cost_model=rate.cost_model,
        currency=rate.currency,
    ).exclude(pk=rate.pk)  # fmt: skip
    for other in others:
        if _scope_key(other) == _scope_key(rate) and _overlaps(other, rate):
            raise ValidationError(
                {"valid_from": [f"There is already a negotiated rate for {other.scope} in "
                                f"{other.currency}, valid {other.validity} (id {other.pk}); "
                                "change that one or end it first."]}
            )  # fmt: skip


def _clean_negotiated(rate: NegotiatedRate) -> None:
    rate.clean_text()
    rate.full_clean()
    _check_negotiated_overlap(rate)


def add_negotiated_rate(
    actor: Any, vendor: Vendor, client: Client, values: dict[str, Any]
) -> NegotiatedRate:
    """A rate the client has agreed with the vendor; it beats the vendor's rate card."""
    _own(actor, vendor)
    require_negotiated_rate_editor(actor, client)
    _writable(vendor, "adding negotiated rates")
    _unknown_fields(values, NEGOTIATED_FIELDS)
    rate = NegotiatedRate(vendor=vendor, client=client, created_by=actor, **values)
    _clean_negotiated(rate)
    with transaction.atomic():
        rate.save()
        changes = diff({}, snapshot(rate, ["client", "vendor", *NEGOTIATED_FIELDS]))
        record(actor=actor, obj=rate, action=AuditAction.CREATED, changes=changes,
               client_id=client.pk)  # fmt: skip
    return rate


def update_negotiated_rate(
    actor: Any, rate: NegotiatedRate, values: dict[str, Any], reason: str = ""
) -> NegotiatedRate:
    _own(actor, rate.vendor)
    require_negotiated_rate_editor(actor, rate.client)
    _writable(rate.vendor, "changing its negotiated rates")
    if rate.is_archived:
        raise Conflict("This negotiated rate was removed; add a new one instead.")
    _unknown_fields(values, NEGOTIATED_FIELDS)
    before = snapshot(rate, NEGOTIATED_FIELDS)
    for name, value in values.items():
        setattr(rate, name, value)
    _clean_negotiated(rate)
    changes = diff(before, snapshot(rate, NEGOTIATED_FIELDS))
    if not changes:
        return rate
    rate.updated_at = timezone.now()
    with transaction.atomic():
        rate.save()
        record(actor=actor, obj=rate, action=AuditAction.UPDATED, changes=changes,
               reason=reason, client_id=rate.client_id)  # fmt: skip
    return rate


def remove_negotiated_rate(actor: Any, rate: NegotiatedRate, reason: str = "") -> NegotiatedRate:
    """The rate stops applying; it is archived, not deleted, so its history stays."""
    _own(actor, rate.vendor)
    require_negotiated_rate_editor(actor, rate.client)
    _writable(rate.vendor, "removing its negotiated rates")
    if rate.is_archived:
        raise Conflict("This negotiated rate was already removed.")
    with transaction.atomic():
        rate.archived_at = timezone.now()
        rate.save(update_fields=["archived_at"])
        record(actor=actor, obj=rate, action=AuditAction.ARCHIVED, client_id=rate.client_id,
               changes={"archived": [False, True]}, reason=reason)  # fmt: skip
    return rate


# --- Documents --------------------------------------------------------------------------------


def _document_text(document: VendorDocument) -> str:
    expiry = f", expires {document.expires_on:%d %b %Y}" if document.expires_on else ""
    return f"{document.get_kind_display()}: {document.filename}{expiry}"


def upload_document(
    actor: Any, vendor: Vendor, *, filename: str, data: bytes, values: dict[str, Any]
) -> VendorDocument:
    """Keep a vendor's document (a PDF or an image, checked by its content) under a generated
    name; the vendor's history notes it."""
    _own(actor, vendor)
    require_vendor_manager(actor)
    _writable(vendor, "adding documents")
    _unknown_fields(values, DOCUMENT_FIELDS)
    content_type = check_document(data, filename)
    document = VendorDocument(
        vendor=vendor,
        filename=display_name(filename)[:255],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
        **values,
    )
    document.full_clean(exclude=["file"])
    with transaction.atomic():
        document.file.save(document.filename, ContentFile(data), save=False)
        document.save()
        record(actor=actor, obj=vendor, action=AuditAction.UPDATED,
               changes={"document added": [None, _document_text(document)]})  # fmt: skip
    return document


def remove_document(actor: Any, document: VendorDocument, reason: str = "") -> VendorDocument:
    """The document leaves the vendor's page; it is archived (file and history kept)."""
    vendor = document.vendor
    _own(actor, vendor)
    require_vendor_manager(actor)
    _writable(vendor, "removing its documents")
    if document.is_archived:
        raise Conflict("This document was already removed.")
    with transaction.atomic():
        document.archived_at = timezone.now()
        document.save(update_fields=["archived_at"])
        record(actor=actor, obj=vendor, action=AuditAction.UPDATED,
               changes={"document removed": [_document_text(document), None]},
               reason=reason)  # fmt: skip
    return document
