"""Every change to an insertion order, in one place: page, API, CLI and the vendor's link.

Each function is one transaction with one audit event. The vendor answers without an account,
through a signed link that names the order and a nonce: sending again makes a new nonce, so an
older link stops working, and the link expires after the organization's ``link_days``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from mediadesk.accounts.models import Organization
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import as_json_value, record
from mediadesk.domain.ratecards import match_key as vendor_key
from mediadesk.errors import Conflict
from mediadesk.orders.choices import AdjustmentKind, LineChange, OrderStatus
from mediadesk.orders.models import (
    InsertionOrder,
    LineAdjustment,
    OrderLine,
    OrderSettings,
    new_link_nonce,
)
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import Placement, PlanVersion
from mediadesk.vendors.models import Vendor, vendors_named

BOOKABLE = (PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED)
LINK_SALT = "mediadesk.orders.answer"
# The fields of a line a revision compares, and how they are shown.
COMPARED = ("description", "start", "end", "cost_model", "rate", "quantity", "cost")
PDF_MAGIC = b"%PDF-"
MAX_COUNTERSIGNED_BYTES = 20 * 1024 * 1024


class LinkError(Exception):
    """An acceptance link that cannot be used; the message says why and what to do."""


def settings_for(organization: Organization) -> OrderSettings:
    found, _ = OrderSettings.objects.get_or_create(organization=organization)
    return found


def _require_booking(actor: Any, client_id: int) -> None:
    require(actor, Action.EDIT_CAMPAIGN, client_id)


def _describe(placement: Placement) -> str:
    parts = [placement.name or placement.property_name, placement.format, placement.market]
    return " · ".join(part for part in parts if part) or placement.code


def _line_values(placement: Placement) -> dict[str, Any]:
    return {
        "placement": placement,
        "line_key": placement.line_key,
        "position": placement.position,
        "code": placement.code,
        "description": _describe(placement)[:400],
        "channel": placement.channel,
        "market": placement.market,
        "format": placement.format,
        "start": placement.start,
        "end": placement.end,
        "cost_model": placement.cost_model,
        "rate": placement.rate,
        "quantity": placement.quantity,
        "cost": placement.cost,
        "commission_percent": placement.commission_percent,
        "net_cost": placement.net_cost,
    }


def _next_number(organization: Organization, version: PlanVersion) -> str:
    """The next number in the organization's scheme; the counter row is locked while taken."""
    row = OrderSettings.objects.select_for_update().get(pk=settings_for(organization).pk)
    campaign = version.campaign
    year = timezone.localdate().year
    tried = ""
    while True:
        number = format_number(
            row.number_format,
            client=campaign.client.code,
            campaign=campaign.code,
            year=year,
            seq=row.next_sequence,
        )
        if number == tried:  # a scheme whose numbers do not change with {seq} would loop
            raise ValidationError({"number_format": [SEQ_NEEDED]})
        tried = number
        row.next_sequence += 1
        if not InsertionOrder.objects.filter(client=campaign.client, number=number).exists():
            row.save(update_fields=["next_sequence"])
            return number


def generate_orders(actor: Any, version: PlanVersion) -> list[InsertionOrder]:
    """One draft IO per vendor of an approved plan version, for vendors not yet ordered.

    Vendors that already have an order on the campaign get a revision instead (see
    ``propose_revision``), so generating twice creates nothing new.
    """
    campaign = version.campaign
    _require_booking(actor, campaign.client_id)
    if campaign.is_archived:
        raise Conflict(f"{campaign.code} is archived; restore it before booking.")
    if version.status not in BOOKABLE:
        raise Conflict(
            f"IOs are generated from an approved plan; version {version.number} of "
            f"{campaign.code} is {version.get_status_display().lower()}. Approve it first."
        )
    placements = list(version.placements.all())
    if not placements:
        raise Conflict(f"Version {version.number} of {campaign.code} has no placements to order.")
    organization = campaign.client.organization
    known = vendors_named(organization.pk, {p.vendor for p in placements})
    unknown = sorted({p.vendor for p in placements if vendor_key(p.vendor) not in known})
    archived = sorted({vendor.name for vendor in known.values() if vendor.is_archived})
    if archived:
        raise ValidationError(
            {"vendor": [f"These vendors are archived: {', '.join(archived)}. Restore them first."]}
        )
    if unknown:
        raise ValidationError(
            {
                "vendor": [
                    "These vendors of the plan are not in the vendor directory: "
                    f"{', '.join(unknown)}. Add them (Vendors → Add vendor) and generate again."
                ]
            }
        )
    by_vendor: dict[int, list[Placement]] = {}
    for placement in placements:
        by_vendor.setdefault(known[vendor_key(placement.vendor)].pk, []).append(placement)
    ordered = set(
        InsertionOrder.objects.filter(campaign=campaign)
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("vendor_id", flat=True)
    )
    created: list[InsertionOrder] = []
    order_settings = settings_for(organization)
    with transaction.atomic():
        for vendor_id, lines in by_vendor.items():
            if vendor_id in ordered:
                continue
            vendor = Vendor.objects.get(pk=vendor_id)
            currencies = {line.currency for line in lines}
            if len(currencies) > 1:
                raise ValidationError(
                    {
                        "currency": [
                            f"The lines for {vendor.name} are in {', '.join(sorted(currencies))}; "
                            "one IO has one currency. Put them in one currency in the plan."
                        ]
                    }
                )
            order = InsertionOrder.objects.create(
                client=campaign.client,
                campaign=campaign,
                plan_version=version,
                vendor=vendor,
                vendor_contact=vendor.contacts.filter(email__gt="").first(),
                number=_next_number(organization, version),
                currency=currencies.pop(),
                payment_terms=vendor.payment_terms,
                cancellation_terms=order_settings.cancellation_terms,
                terms=order_settings.terms,
                agency_contact=actor if getattr(actor, "is_authenticated", False) else None,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            OrderLine.objects.bulk_create(
                OrderLine(order=order, **_line_values(placement)) for placement in lines
            )
            record(actor=actor, obj=order, action=AuditAction.CREATED, changes=_summary(order))
            created.append(order)
    return created


def _summary(order: InsertionOrder) -> dict[str, Any]:
    lines = list(order.lines.all())
    total = sum((line.booked_cost for line in lines), Decimal("0"))
    return {
        "vendor": [None, order.vendor_id],  # related rows by id: the history shows the name
        "lines": [None, len(lines)],
        "total": [None, f"{total} {order.currency}"],
    }


def update_order(actor: Any, order: InsertionOrder, values: dict[str, Any]) -> InsertionOrder:
    """Header fields of a draft: contact, billing source, terms, notes."""
    _require_booking(actor, order.client_id)
    if not order.is_editable:
        raise Conflict(
            f"{order.label} is {order.get_status_display().lower()}; only a draft can change. "
            "Propose a revision instead."
        )
    allowed = {
        "vendor_contact",
        "billing_source",
        "payment_terms",
        "cancellation_terms",
        "terms",
        "notes",
    }
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})
    contact = values.get("vendor_contact")
    if contact is not None and contact.vendor_id != order.vendor_id:
        raise ValidationError({"vendor_contact": ["This person works for another vendor."]})
    changes = {}
    for name, value in values.items():
        before = getattr(order, name)
        if before != value:
            changes[name] = [as_json_value(before), as_json_value(value)]
            setattr(order, name, value)
    order.full_clean()
    with transaction.atomic():
        order.save()
        if changes:
            record(actor=actor, obj=order, action=AuditAction.UPDATED, changes=changes)
    return order


# --- Sending and the vendor's answer --------------------------------------------------------


def answer_token(order: InsertionOrder) -> str:
    return signing.dumps({"order": order.pk, "nonce": order.link_nonce}, salt=LINK_SALT)


def order_for_token(token: str, *, now: Any = None) -> InsertionOrder:
    """The order a link names, or LinkError saying why the link does not work."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise LinkError(
            "This link is not valid: it was changed or cut short. Open the link from the "
            "e-mail exactly as it was sent, or ask the agency to send the order again."
        ) from None
    order = InsertionOrder.objects.select_related("client__organization").filter(
        pk=payload.get("order")
    )
    found = order.first()
    if found is None or payload.get("nonce") != found.link_nonce:
        raise LinkError(
            "This link has been replaced by a newer one: the order was sent again. Use the "
            "link in the most recent e-mail."
        )
    days = settings_for(found.client.organization).link_days
    try:
        signing.loads(token, salt=LINK_SALT, max_age=days * 86400)
    except signing.SignatureExpired:
        raise LinkError(
            f"This link has expired (links work for {days} days after the order is sent). "
            "Ask the agency to send the order again."
        ) from None
    return found


def send_order(
    actor: Any, order: InsertionOrder, *, to: str = "", link_base: str, message: str = ""
) -> InsertionOrder:
    """E-mail the order's PDF and an answer link to the vendor; a draft becomes sent.

    Sending a sent order again (a reminder, or to another person) makes a new link: the
    older one stops working.
    """
    from mediadesk.orders.documents import order_pdf

    _require_booking(actor, order.client_id)
    if order.status not in (OrderStatus.DRAFT, OrderStatus.SENT):
        raise Conflict(
            f"{order.label} is {order.get_status_display().lower()}; only a draft or a sent "
            "order can be sent."
        )
    recipient = (to or (order.vendor_contact.email if order.vendor_contact else "")).strip()
    if not recipient:
        raise ValidationError(
            {"to": [f"Give an e-mail address: {order.vendor.name} has no contact with one."]}
        )
    from django.core.validators import validate_email

    try:
        validate_email(recipient)
    except ValidationError:
        raise ValidationError({"to": [f"{recipient!r} is not an e-mail address."]}) from None
    with transaction.atomic():
        locked = InsertionOrder.objects.select_for_update().get(pk=order.pk)
        locked.link_nonce = new_link_nonce()
        locked.status = OrderStatus.SENT
        locked.sent_at = timezone.now()
        locked.sent_to = recipient
        locked.save(update_fields=["link_nonce", "status", "sent_at", "sent_to"])
        link = f"{link_base.rstrip('/')}/{answer_token(locked)}/"
        days = settings_for(locked.client.organization).link_days
        agency = locked.client.organization.name
        body = (
            f"Hello,\n\nplease find attached insertion order {locked.label} from {agency} "
            f"for {locked.campaign.client.name} — {locked.campaign.name}.\n\n"
            + (f"{message.strip()}\n\n" if message.strip() else "")
            + f"Accept or decline it here (no account needed; the link works for {days} "
            f"days):\n{link}\n\nThank you,\n{_sender_name(actor)}\n{agency}\n"
        )
        email = EmailMessage(
            subject=f"Insertion order {locked.label}: {locked.campaign.name}",
            body=body,
            to=[recipient],
            reply_to=[actor.email] if getattr(actor, "email", "") else None,
        )
        email.attach(
            f"{locked.number}-v{locked.revision}.pdf", order_pdf(locked), "application/pdf"
        )
        record(
            actor=actor,
            obj=locked,
            action=AuditAction.SENT,
            changes={"status": [order.status, OrderStatus.SENT], "sent_to": [None, recipient]},
        )
        # Sent last: if the mail server refuses, the transaction rolls back and nothing changed.
        email.send()
    return locked


def _sender_name(actor: Any) -> str:
    full = getattr(actor, "get_full_name", lambda: "")()
    return full or getattr(actor, "email", "") or "mediadesk"


def answer_order(
    order: InsertionOrder, *, accept: bool, name: str, title: str, ip: str | None, reason: str = ""
) -> InsertionOrder:
    """The vendor's answer through the link: name, title, time and IP are kept."""
    name, title, reason = name.strip(), title.strip(), reason.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give your name."]
    if not title:
        errors["title"] = ["Give your job title."]
    if not accept and not reason:
        errors["reason"] = ["Say why you decline, so the agency can change the order."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = InsertionOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.SENT:
            when = f" on {locked.answered_at:%d %b %Y}" if locked.answered_at else ""
            raise Conflict(
                f"{locked.label} is already {locked.get_status_display().lower()}{when}; "
                "nothing was changed."
            )
        locked.status = OrderStatus.ACCEPTED if accept else OrderStatus.DECLINED
        locked.answered_at = timezone.now()
        locked.answered_name, locked.answered_title = name, title
        locked.answered_ip = ip or None
        locked.decline_reason = "" if accept else reason
        locked.save()
        if accept:
            _retire_earlier(locked)
        record(
            actor=None,
            obj=locked,
            action=AuditAction.ACCEPTED if accept else AuditAction.DECLINED,
            changes={
                "status": [OrderStatus.SENT, locked.status],
                "answered_by": [None, f"{name}, {title} ({ip or 'no IP'})"],
            },
            reason=reason,
            outsider=f"{name}, {title} at {locked.vendor.name} (answer link)",
        )
    return locked


def _retire_earlier(order: InsertionOrder) -> None:
    """An accepted revision replaces the accepted one before it: that becomes "revised"."""
    InsertionOrder.objects.filter(
        client_id=order.client_id,
        number=order.number,
        revision__lt=order.revision,
        status__in=[OrderStatus.ACCEPTED, OrderStatus.SENT, OrderStatus.DRAFT],
    ).update(status=OrderStatus.REVISED)


def upload_countersigned(
    actor: Any, order: InsertionOrder, data: bytes, filename: str
) -> InsertionOrder:
    """The vendor signed on paper: the coordinator uploads the countersigned PDF."""
    _require_booking(actor, order.client_id)
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(
            {"file": [f"{filename} is not a PDF; upload the countersigned order as a PDF."]}
        )
    if len(data) > MAX_COUNTERSIGNED_BYTES:
        raise ValidationError({"file": [f"{filename} is larger than 20 MB."]})
    if order.status not in (OrderStatus.DRAFT, OrderStatus.SENT):
        raise Conflict(
            f"{order.label} is {order.get_status_display().lower()}; a countersigned copy is "
            "uploaded for a draft or a sent order."
        )
    with transaction.atomic():
        locked = InsertionOrder.objects.select_for_update().get(pk=order.pk)
        before = locked.status
        locked.countersigned.save(filename, ContentFile(data), save=False)
        locked.countersigned_filename = filename[:255]
        locked.status = OrderStatus.ACCEPTED
        locked.answered_at = timezone.now()
        locked.answered_name = f"countersigned copy uploaded by {_sender_name(actor)}"
        locked.save()
        _retire_earlier(locked)
        record(
            actor=actor,
            obj=locked,
            action=AuditAction.ACCEPTED,
            changes={"status": [before, OrderStatus.ACCEPTED], "countersigned": [None, filename]},
        )
    return locked


def cancel_order(actor: Any, order: InsertionOrder, reason: str) -> InsertionOrder:
    _require_booking(actor, order.client_id)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the order is cancelled."]})
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REVISED):
        raise Conflict(f"{order.label} is already {order.get_status_display().lower()}.")
    if order.lines.filter(invoice_lines__isnull=False).exists():
        raise Conflict(
            f"{order.label} has been invoiced against; cancel its lines (record a "
            "cancellation on each) instead of the whole order."
        )
    with transaction.atomic():
        before = order.status
        order.status = OrderStatus.CANCELLED
        order.cancelled_reason = reason.strip()
        order.save(update_fields=["status", "cancelled_reason"])
        record(
            actor=actor,
            obj=order,
            action=AuditAction.CANCELLED,
            changes={"status": [before, OrderStatus.CANCELLED]},
            reason=reason.strip(),
        )
    return order


# --- Revisions ------------------------------------------------------------------------------


def _comparable(values: dict[str, Any]) -> dict[str, str]:
    return {name: str(values[name]) for name in COMPARED}


def _line_state(line: OrderLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in COMPARED}


def revision_changes(order: InsertionOrder, version: PlanVersion) -> list[dict[str, Any]]:
    """What the plan version changes in the order's lines: added, changed and removed lines,
    each with old and new values (only the fields that differ for a changed line)."""
    vendor = vendor_key(order.vendor.name)
    current = {line.line_key: line for line in order.lines.all() if not line.is_removed}
    planned = {p.line_key: p for p in version.placements.all() if vendor_key(p.vendor) == vendor}
    changes: list[dict[str, Any]] = []
    for key, placement in planned.items():
        new = _line_values(placement)
        line = current.get(key)
        if line is None:
            changes.append(
                {
                    "line_key": key,
                    "code": placement.code,
                    "change": "added",
                    "old": {},
                    "new": _comparable(new),
                }
            )
            continue
        old = _comparable(_line_state(line))
        fresh = _comparable(new)
        differing = [name for name in COMPARED if old[name] != fresh[name]]
        if differing:
            changes.append(
                {
                    "line_key": key,
                    "code": placement.code,
                    "change": "changed",
                    "old": {name: old[name] for name in differing},
                    "new": {name: fresh[name] for name in differing},
                }
            )
    for key, line in current.items():
        if key not in planned:
            changes.append(
                {
                    "line_key": key,
                    "code": line.code,
                    "change": "removed",
                    "old": _comparable(_line_state(line)),
                    "new": {},
                }
            )
    return changes


def newest_revision(order: InsertionOrder) -> InsertionOrder:
    newest = (
        InsertionOrder.objects.filter(client_id=order.client_id, number=order.number)
        .order_by("-revision")
        .first()
    )
    assert newest is not None
    return newest


def propose_revision(
    actor: Any, order: InsertionOrder, version: PlanVersion | None = None
) -> InsertionOrder:
    """A draft revision (version n+1) from the plan diff: changed lines carry their old values.

    ``version`` defaults to the campaign's newest approved plan version.
    """
    _require_booking(actor, order.client_id)
    if version is None:
        version = (
            PlanVersion.objects.filter(campaign_id=order.campaign_id, status__in=BOOKABLE)
            .order_by("-number")
            .first()
        )
        if version is None:
            raise Conflict(f"{order.campaign.code} has no approved plan version to revise from.")
    if version.campaign_id != order.campaign_id:
        raise ValidationError({"version": ["That plan version belongs to another campaign."]})
    if version.status not in BOOKABLE:
        raise Conflict(
            f"A revision is built from an approved plan; version {version.number} is "
            f"{version.get_status_display().lower()}."
        )
    if newest_revision(order).pk != order.pk:
        raise Conflict(f"{order.label} already has a newer revision; revise that one.")
    if order.status not in (OrderStatus.ACCEPTED, OrderStatus.SENT):
        raise Conflict(
            f"{order.label} is {order.get_status_display().lower()}; revisions are proposed for "
            "sent or accepted orders (change a draft directly by generating it again)."
        )
    changes = revision_changes(order, version)
    if not changes:
        raise Conflict(
            f"Plan version {version.number} changes nothing on {order.label}: no revision needed."
        )
    by_key = {change["line_key"]: change for change in changes}
    vendor = vendor_key(order.vendor.name)
    planned = {p.line_key: p for p in version.placements.all() if vendor_key(p.vendor) == vendor}
    with transaction.atomic():
        revision = InsertionOrder.objects.create(
            client_id=order.client_id,
            campaign_id=order.campaign_id,
            plan_version=version,
            vendor_id=order.vendor_id,
            vendor_contact_id=order.vendor_contact_id,
            number=order.number,
            revision=order.revision + 1,
            previous=order,
            currency=order.currency,
            billing_source=order.billing_source,
            payment_terms=order.payment_terms,
            cancellation_terms=order.cancellation_terms,
            terms=order.terms,
            notes=order.notes,
            agency_contact=order.agency_contact,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        lines: list[OrderLine] = []
        for line in order.lines.all():
            if line.is_removed:
                continue
            change = by_key.get(line.line_key)
            if change is None:
                values = {n: getattr(line, n) for n in _copied_fields()}
                lines.append(OrderLine(order=revision, **values))
            elif change["change"] == "removed":
                values = {n: getattr(line, n) for n in _copied_fields()}
                values.update(change=LineChange.REMOVED, before=change["old"])
                lines.append(OrderLine(order=revision, **values))
            else:
                values = _line_values(planned[line.line_key])
                values.update(change=LineChange.CHANGED, before=change["old"])
                lines.append(OrderLine(order=revision, **values))
        for key, change in by_key.items():
            if change["change"] == "added":
                values = _line_values(planned[key])
                values.update(change=LineChange.ADDED)
                lines.append(OrderLine(order=revision, **values))
        OrderLine.objects.bulk_create(lines)
        record(
            actor=actor,
            obj=revision,
            action=AuditAction.REVISED,
            changes={
                "revision": [order.revision, revision.revision],
                "lines changed": [None, len(changes)],
            },
        )
    return revision


def _copied_fields() -> Sequence[str]:
    return (
        "placement",
        "line_key",
        "position",
        "code",
        "description",
        "channel",
        "market",
        "format",
        "start",
        "end",
        "cost_model",
        "rate",
        "quantity",
        "cost",
        "commission_percent",
        "net_cost",
    )


def pending_revisions(orders: Iterable[InsertionOrder]) -> dict[int, int]:
    """{order id: changed lines} for newest, sent or accepted orders whose campaign has a newer
    approved plan than the one they were built from (the "revision not yet sent" signal)."""
    result: dict[int, int] = {}
    for order in orders:
        if order.status not in (OrderStatus.ACCEPTED, OrderStatus.SENT):
            continue
        newest_plan = (
            PlanVersion.objects.filter(campaign_id=order.campaign_id, status__in=BOOKABLE)
            .order_by("-number")
            .first()
        )
        if newest_plan is None or newest_plan.number <= order.plan_version.number:
            continue
        if newest_revision(order).pk != order.pk:
            continue
        changes = revision_changes(order, newest_plan)
        if changes:
            result[order.pk] = len(changes)
    return result


# --- Makegoods and cancellations on lines ---------------------------------------------------


def record_adjustment(
    actor: Any,
    line: OrderLine,
    *,
    kind: AdjustmentKind | str,
    quantity: Decimal = Decimal("0"),
    cost: Decimal = Decimal("0"),
    effective: date,
    note: str = "",
) -> LineAdjustment:
    """A makegood (free units) or a cancellation (cost taken off) on an ordered line."""
    order = line.order
    _require_booking(actor, order.client_id)
    kind = AdjustmentKind(kind)
    if order.status not in (OrderStatus.ACCEPTED, OrderStatus.SENT):
        raise Conflict(
            f"{order.label} is {order.get_status_display().lower()}; makegoods and "
            "cancellations are recorded on sent or accepted orders."
        )
    if line.is_removed:
        raise Conflict(f"{line.code} was removed in this revision.")
    errors: dict[str, list[str]] = {}
    if not line.start <= effective <= line.end:
        errors["effective"] = [
            f"{effective:%d %b %Y} is outside the line's flight "
            f"({line.start:%d %b %Y} to {line.end:%d %b %Y})."
        ]
    if kind == AdjustmentKind.MAKEGOOD:
        if quantity <= 0:
            errors["quantity"] = ["Give the units the vendor runs as a makegood."]
        cost = Decimal("0")
        if not note.strip():
            errors["note"] = ["Say what the makegood replaces (e.g. the spots missed on 12 Oct)."]
    else:
        if cost <= 0:
            errors["cost"] = ["Give the cost taken off the line."]
        elif cost > line.booked_cost:
            errors["cost"] = [
                f"{cost} is more than the line's booked cost ({line.booked_cost} {order.currency})."
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        adjustment = LineAdjustment.objects.create(
            line=line,
            kind=kind,
            quantity=quantity,
            cost=cost,
            effective=effective,
            note=note.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor=actor,
            obj=order,
            action=AuditAction.UPDATED,
            changes={kind.label.lower(): [None, f"{line.code}: {quantity or cost}"]},
            reason=note.strip(),
        )
    return adjustment


# --- The organization's IO numbering and terms ------------------------------------------------

ORDER_SETTINGS_FIELDS = [
    "number_format",
    "next_sequence",
    "terms",
    "cancellation_terms",
    "link_days",
]


def update_order_settings(
    actor: Any, organization: Organization, values: dict[str, Any], reason: str = ""
) -> OrderSettings:
    """Change how IOs are numbered and the terms printed on them (organization admins)."""
    from mediadesk.accounts.permissions import require_org_admin

    require_org_admin(actor, "change how insertion orders are numbered and their terms")
    if organization.pk != actor.organization_id:
        raise ValidationError({"organization": ["That is another organization."]})
    unknown = sorted(set(values) - set(ORDER_SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})
    with transaction.atomic():
        current = OrderSettings.objects.select_for_update().get(pk=settings_for(organization).pk)
        before = {name: as_json_value(getattr(current, name)) for name in values}
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        _check_number_format(current.number_format)
        if not 1 <= current.link_days <= 90:
            raise ValidationError({"link_days": ["Links work for 1 to 90 days."]})
        current.save()
        changes = {
            name: [before[name], as_json_value(getattr(current, name))]
            for name in values
            if before[name] != as_json_value(getattr(current, name))
        }
        if changes:
            record(actor=actor, obj=current, action=AuditAction.UPDATED, changes=changes,
                   reason=reason, client_id=None)  # fmt: skip
    return current


NUMBER_FIELDS = ("client", "campaign", "year", "seq")
SEQ_NEEDED = "Put {seq} in the number (e.g. IO-{client}-{year}-{seq:04d})."
MAX_NUMBER_LENGTH = 60


def format_number(pattern: str, *, client: str, campaign: str, year: int, seq: int) -> str:
    """An IO number in the scheme ``pattern``; refused (under ``number_format``) when the
    scheme names anything but {client}, {campaign}, {year} and {seq} or cannot be filled in."""

    def refuse(why: str) -> ValidationError:
        return ValidationError(
            {
                "number_format": [
                    f"“{pattern}” cannot be used ({why}); use {{client}}, {{campaign}}, {{year}} "
                    "and {seq}, e.g. IO-{client}-{year}-{seq:04d}."
                ]
            }
        )

    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise refuse(str(exc)) from None
    for name in fields:
        if name not in NUMBER_FIELDS:
            raise refuse(f"{{{name}}} is not one of the fields" if name else "an empty {}")
    try:
        return pattern.format(client=client, campaign=campaign, year=year, seq=seq)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        raise refuse(str(exc)) from None


def _check_number_format(pattern: str) -> None:
    """The scheme must name {seq} (or numbers repeat) and only the fields mediadesk fills in."""

    def sample(seq: int) -> str:
        return format_number(pattern, client="NWND", campaign="AR26", year=2026, seq=seq)

    first = sample(1)
    # "{{seq}}" is the text {seq}, not the field: every number would be the same.
    if first == sample(2):
        raise ValidationError({"number_format": [SEQ_NEEDED]})
    if len(first) > MAX_NUMBER_LENGTH:
        raise ValidationError(
            {"number_format": [f"Numbers this long do not fit ({MAX_NUMBER_LENGTH} characters)."]}
        )
