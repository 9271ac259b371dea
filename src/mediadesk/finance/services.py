"""Every change to an invoice or a payment batch, in one place: page, API and CLI call these.

An invoice is saved whole with its lines and matched in the same transaction, or not at all.
Entering needs the finance role (EDIT_FINANCE); approving does too, and invoices above the
client's limit need a second approver who is not the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import as_json_value, record
from mediadesk.domain.costmodels import COST_MODEL_LABELS
from mediadesk.domain.matching import BilledLine, check_invoice_total, match_invoice
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, MoneyError, check_currency
from mediadesk.errors import Conflict
from mediadesk.finance.choices import (
    BatchStatus,
    ExportLayout,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
    LineStatus,
)
from mediadesk.finance.ledger import delivered_for_match, month_of, ordered, tolerances_for
from mediadesk.finance.models import (
    FinanceSettings,
    Invoice,
    InvoiceApproval,
    InvoiceImport,
    InvoiceLine,
    InvoiceNote,
    PaymentBatch,
)
from mediadesk.orders.choices import OrderStatus
from mediadesk.orders.models import OrderLine
from mediadesk.vendors.models import Vendor, vendor_named

MATCHABLE = (
    InvoiceStatus.RECEIVED,
    InvoiceStatus.MATCHED,
    InvoiceStatus.DISCREPANCY,
    InvoiceStatus.DISPUTED,
)
PDF_MAGIC = b"%PDF-"
MAX_PDF_BYTES = 20 * 1024 * 1024


class DuplicateInvoice(Conflict):
    """The vendor's invoice is already recorded (same number, or same amount and period)."""

    def __init__(self, existing: Invoice, why: str, visible: bool) -> None:
        self.existing = existing if visible else None
        named = (
            f"{existing.vendor.name} invoice {existing.number} (id {existing.pk}, "
            f"{existing.get_status_display().lower()})"
            if visible
            else f"an invoice of {existing.vendor.name} for another client"
        )
        super().__init__(f"This invoice is already recorded: {why} as {named}. Nothing was saved.")


@dataclass(frozen=True)
class LineInput:
    """An invoice line as entered or read from a file."""

    placement: str
    month: tuple[int, int]
    amount: Decimal
    io_number: str = ""
    description: str = ""
    quantity: Decimal | None = None
    tax: Decimal = Decimal("0")


def settings_for(client_id: int) -> FinanceSettings:
    found, _ = FinanceSettings.objects.get_or_create(client_id=client_id)
    return found


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def find_vendor(actor: Any, vendor: Vendor | int | str) -> Vendor:
    """The vendor by id or by name (case and spacing ignored), in the actor's organization."""
    vendors = Vendor.objects.visible_to(actor)
    if isinstance(vendor, Vendor):
        if not vendors.filter(pk=vendor.pk).exists():
            raise ValidationError({"vendor": ["No such vendor in your organization."]})
        return vendor
    if isinstance(vendor, int):
        found = vendors.filter(pk=vendor).first()
        if found is None:
            raise ValidationError({"vendor": [f"There is no vendor with id {vendor}."]})
        return found
    found = vendor_named(actor.organization_id, str(vendor))
    if found is not None and vendors.filter(pk=found.pk).exists():
        return found
    raise ValidationError(
        {
            "vendor": [
                f"“{vendor}” is not in the vendor directory. Add the vendor first, or correct "
                "the name to the one used in mediadesk."
            ]
        }
    )


def _check_money(errors: dict[str, list[str]], field: str, value: Decimal, currency: str) -> None:
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    if not value.is_finite() or value != value.quantize(Decimal(1).scaleb(-places)):
        errors.setdefault(field, []).append(
            f"{value} has more decimals than {currency} has ({places})."
        )


def _booked_lines_of(vendor: Vendor, client_ids: Sequence[int]) -> list[OrderLine]:
    return list(
        OrderLine.objects.filter(
            order__vendor=vendor,
            order__status=OrderStatus.ACCEPTED,
            order__client_id__in=list(client_ids),
        )
        .select_related("order")
        .prefetch_related("adjustments")
    )


def _resolve(line: LineInput, booked: dict[str, list[OrderLine]]) -> OrderLine | None:
    """The booked line a billed line names: by placement code, and IO number when given."""
    number = line.io_number.strip().casefold()
    for candidate in booked.get(line.placement.strip().casefold(), []):
        if not number or candidate.order.number.casefold() == number:
            return candidate
    return None


def _by_code(lines: Sequence[OrderLine]) -> dict[str, list[OrderLine]]:
    index: dict[str, list[OrderLine]] = {}
    for line in lines:
        index.setdefault(line.code.casefold(), []).append(line)
    return index


def _visible_client_ids(actor: Any) -> list[int]:
    from mediadesk.accounts.permissions import roles_by_client

    return list(roles_by_client(actor))


def _check_duplicate(
    actor: Any, vendor: Vendor, number: str, total: Decimal, months: set[tuple[int, int]], kind: str
) -> None:
    visible = set(_visible_client_ids(actor))
    same_number = Invoice.objects.filter(vendor=vendor, number__iexact=number).first()
    if same_number is not None:
        raise DuplicateInvoice(
            same_number,
            f"{vendor.name} invoice number {number} is recorded",
            same_number.client_id in visible,
        )
    candidates = Invoice.objects.filter(vendor=vendor, total=total, kind=kind).prefetch_related(
        "lines"
    )
    for candidate in candidates:
        if {month_of(line.month) for line in candidate.lines.all()} == months:
            period = ", ".join(f"{y}-{m:02d}" for y, m in sorted(months))
            raise DuplicateInvoice(
                candidate,
                f"the same vendor, amount ({total} {candidate.currency}) and period ({period}) "
                "are recorded",
                candidate.client_id in visible,
            )


def record_invoice(
    actor: Any,
    *,
    vendor: Vendor | int | str,
    number: str,
    invoice_date: date,
    currency: str,
    total: Decimal,
    lines: Sequence[LineInput],
    client: Client | None = None,
    tax: Decimal | None = None,
    due_date: date | None = None,
    kind: InvoiceKind | str = InvoiceKind.INVOICE,
    credit_for: Invoice | None = None,
    notes: str = "",
    source: InvoiceSource | str = InvoiceSource.FORM,
    pdf: tuple[bytes, str] | None = None,
    booked_cache: dict[tuple[int, int | None], dict[str, list[OrderLine]]] | None = None,
) -> Invoice:
    """Save an invoice with its lines and match it, all or nothing.

    ``booked_cache`` lets an import of many invoices read each vendor's booked lines once.

    Refused (nothing saved): an unknown vendor, a duplicate (same vendor and number; or same
    vendor, amount and months), no lines, malformed amounts, a PDF that is not a PDF, lines
    on IOs of two clients. Accepted and shown as discrepancies: lines for placements not on an
    accepted IO, months outside the IO, another currency than the IO's, credits, totals that
    do not add up.
    """
    found_vendor = find_vendor(actor, vendor)
    number = (number or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        currency = check_currency((currency or "").strip().upper())
    except MoneyError:
        raise ValidationError(
            {"currency": [f"{currency!r} is not a currency code mediadesk knows (e.g. EUR)."]}
        ) from None
    if not number:
        errors["number"] = ["Give the invoice number as printed on the invoice."]
    if not lines:
        errors["lines"] = ["An invoice needs at least one line."]
    _check_money(errors, "total", total, currency)
    if tax is not None:
        _check_money(errors, "tax", tax, currency)
    for position, line in enumerate(lines, start=1):
        _check_money(errors, f"lines.{position}.amount", line.amount, currency)
        if not line.placement.strip():
            errors.setdefault(f"lines.{position}.placement", []).append(
                "Give the placement code the line bills."
            )
        if line.quantity is not None and line.quantity < 0 and line.amount >= 0:
            errors.setdefault(f"lines.{position}.quantity", []).append(
                "A negative quantity needs a negative amount (a credit line)."
            )
    kind = InvoiceKind(kind)
    if kind == InvoiceKind.CREDIT_NOTE and total >= 0:
        errors.setdefault("total", []).append("A credit note's total is negative.")
    if kind == InvoiceKind.INVOICE and credit_for is not None:
        errors.setdefault("credit_for", []).append("Only a credit note credits an invoice.")
    if pdf is not None and not pdf[0].startswith(PDF_MAGIC):
        errors.setdefault("file", []).append(f"{pdf[1]} is not a PDF; attach the vendor's PDF.")
    elif pdf is not None and len(pdf[0]) > MAX_PDF_BYTES:
        errors.setdefault("file", []).append(f"{pdf[1]} is larger than 20 MB.")
    if errors:
        raise ValidationError(errors)

    readable = _visible_client_ids(actor)
    scope = (found_vendor.pk, client.pk if client else None)
    cache = booked_cache if booked_cache is not None else {}
    if scope not in cache:
        cache[scope] = _by_code(_booked_lines_of(found_vendor, [client.pk] if client else readable))
    resolved = [_resolve(line, cache[scope]) for line in lines]
    clients = {found.order.client_id for found in resolved if found is not None}
    if len(clients) > 1:
        raise ValidationError(
            {"lines": ["The lines bill IOs of two clients; enter one invoice per client."]}
        )
    client_id = clients.pop() if clients else (client.pk if client else None)
    if client_id is None:
        codes = ", ".join(sorted({line.placement for line in lines}))
        raise ValidationError(
            {
                "lines": [
                    f"None of the placements ({codes}) is on an accepted IO of "
                    f"{found_vendor.name}; choose the client the invoice is for, or check the "
                    "placement codes."
                ]
            }
        )
    require(actor, Action.EDIT_FINANCE, client_id)
    if credit_for is not None and (
        credit_for.vendor_id != found_vendor.pk or credit_for.client_id != client_id
    ):
        raise ValidationError({"credit_for": ["The credited invoice is another vendor's."]})
    months = {line.month for line in lines}
    with transaction.atomic():
        _check_duplicate(actor, found_vendor, number, total, months, kind)
        invoice = Invoice(
            client_id=client_id,
            vendor=found_vendor,
            kind=kind,
            credit_for=credit_for,
            number=number,
            invoice_date=invoice_date,
            due_date=due_date,
            currency=currency,
            total=total,
            tax=tax if tax is not None else sum((each.tax for each in lines), Decimal(0)),
            source=source,
            notes=notes.strip(),
            created_by=_user(actor),
        )
        if pdf is not None:
            invoice.file.save(pdf[1], ContentFile(pdf[0]), save=False)
            invoice.filename = pdf[1][:255]
        try:
            with transaction.atomic():  # a savepoint: the same number saved a moment ago
                invoice.save()
        except IntegrityError:
            _check_duplicate(actor, found_vendor, number, total, months, kind)
            raise
        rows = [
            InvoiceLine(
                invoice=invoice,
                position=position,
                io_number=line.io_number.strip(),
                placement_code=line.placement.strip(),
                order_line=found,
                month=date(line.month[0], line.month[1], 1),
                description=line.description.strip()[:300],
                quantity=line.quantity,
                amount=line.amount,
                tax=line.tax,
            )
            for position, (line, found) in enumerate(zip(lines, resolved, strict=True), start=1)
        ]
        # Matched before they are written, so each line is inserted once with its result.
        _match(invoice, rows)
        InvoiceLine.objects.bulk_create(rows)
        record(
            actor=actor,
            obj=invoice,
            action=AuditAction.CREATED,
            changes={"total": [None, f"{total} {currency}"], "lines": [None, len(lines)]},
        )
    return invoice


def _previously_billed(invoice: Invoice, keys: set[str]) -> dict[Any, Decimal]:
    """What earlier invoices of the vendor billed on each order line (credits included)."""
    earlier = (
        InvoiceLine.objects.filter(
            invoice__vendor_id=invoice.vendor_id,
            invoice__client_id=invoice.client_id,
            order_line__line_key__in=keys,
        )
        .filter(
            Q(invoice__created_at__lt=invoice.created_at)
            | Q(invoice__created_at=invoice.created_at, invoice_id__lt=invoice.pk)
        )
        .values_list("order_line__line_key", "amount")
    )
    totals: dict[Any, Decimal] = {}
    for key, amount in earlier:
        totals[(key, None)] = totals.get((key, None), Decimal(0)) + amount
    return totals


def _match(invoice: Invoice, new_lines: list[InvoiceLine] | None = None) -> None:
    """Run the 3-way match: each line gets its result and the invoice its status.

    ``new_lines`` are lines not written yet (the caller inserts them with their results);
    without them the invoice's stored lines are matched again and updated.
    """
    lines = new_lines
    if lines is None:
        lines = list(
            invoice.lines.select_related("order_line__order").prefetch_related(
                "order_line__adjustments"
            )
        )
    order_lines = {line.order_line.pk: line.order_line for line in lines if line.order_line}
    orders = [ordered(found, found.order.currency) for found in order_lines.values()]
    billed = [
        BilledLine(
            key=line.order_line.line_key if line.order_line else f"?{line.placement_code}",
            amount=line.amount,
            currency=invoice.currency,
            month=month_of(line.month),
            quantity=line.quantity,
        )
        for line in lines
    ]
    tolerances = tolerances_for(invoice.client_id)
    results = match_invoice(
        billed,
        orders,
        delivered_for_match(list(order_lines.values())),
        tolerances,
        previously_billed=_previously_billed(invoice, {o.key for o in orders}),
    )
    any_discrepancy = False
    for line, result in zip(lines, results, strict=True):
        line.payable = result.payable.amount if result.ordered is not None else None
        line.payable_basis = result.payable.explanation[:300]
        line.difference = result.difference
        line.discrepancies = [
            {"kind": str(d.kind), "amount": str(d.amount), "message": _named(d.message, line)}
            for d in result.discrepancies
        ]
        line.status = LineStatus.DISCREPANCY if result.discrepancies else LineStatus.MATCHED
        any_discrepancy = any_discrepancy or bool(result.discrepancies)
    if new_lines is None:
        InvoiceLine.objects.bulk_update(
            lines, ["payable", "payable_basis", "difference", "discrepancies", "status"]
        )
    whole = check_invoice_total(billed, invoice.total, tolerances, currency=invoice.currency)
    invoice.discrepancies = (
        [{"kind": str(whole.kind), "amount": str(whole.amount), "message": whole.message}]
        if whole
        else []
    )
    any_discrepancy = any_discrepancy or whole is not None
    if invoice.status != InvoiceStatus.DISPUTED:
        invoice.status = InvoiceStatus.DISCREPANCY if any_discrepancy else InvoiceStatus.MATCHED
    invoice.matched_at = timezone.now()
    invoice.save(update_fields=["discrepancies", "status", "matched_at"])


def _named(message: str, line: InvoiceLine) -> str:
    """The domain speaks of order line keys; people know placement codes."""
    if line.order_line is not None:
        return message.replace(line.order_line.line_key, line.order_line.code)
    return message.replace(f"?{line.placement_code}", line.placement_code)


def rematch(actor: Any, invoice: Invoice) -> Invoice:
    """Match again (after new delivery data, a makegood or a credit note)."""
    require(actor, Action.EDIT_FINANCE, invoice.client_id)
    if invoice.status not in MATCHABLE:
        raise Conflict(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; it is no "
            "longer matched."
        )
    with transaction.atomic():
        before = invoice.status
        _match(invoice)
        record(
            actor=actor,
            obj=invoice,
            action=AuditAction.MATCHED,
            changes={"status": [before, invoice.status]},
        )
    return invoice


def dispute(actor: Any, invoice: Invoice, note: str) -> Invoice:
    """Raise a dispute with the vendor: the note says what is wrong and what is expected."""
    require(actor, Action.EDIT_FINANCE, invoice.client_id)
    if not note.strip():
        raise ValidationError(
            {"note": ["Say what is disputed and what you expect (e.g. a credit)."]}
        )
    if invoice.status not in (
        InvoiceStatus.MATCHED,
        InvoiceStatus.DISCREPANCY,
        InvoiceStatus.DISPUTED,
    ):
        raise Conflict(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; only a matched "
            "invoice or one with discrepancies can be disputed."
        )
    with transaction.atomic():
        before = invoice.status
        invoice.status = InvoiceStatus.DISPUTED
        invoice.save(update_fields=["status"])
        made = InvoiceNote.objects.create(
            invoice=invoice, text=note.strip(), is_dispute=True, created_by=_user(actor)
        )
        _notify_mentions(actor, invoice, made)
        record(
            actor=actor,
            obj=invoice,
            action=AuditAction.DISPUTED,
            changes={"status": [before, InvoiceStatus.DISPUTED]},
            reason=note.strip(),
        )
    return invoice


def add_note(actor: Any, invoice: Invoice, text: str) -> InvoiceNote:
    require(actor, Action.EDIT_FINANCE, invoice.client_id)
    if not text.strip():
        raise ValidationError({"text": ["Write the note."]})
    with transaction.atomic():
        note = InvoiceNote.objects.create(
            invoice=invoice, text=text.strip(), created_by=_user(actor)
        )
        _notify_mentions(actor, invoice, note)
        record(
            actor=actor,
            obj=invoice,
            action=AuditAction.UPDATED,
            changes={"note": [None, text.strip()[:200]]},
        )
    return note


def _notify_mentions(actor: Any, invoice: Invoice, note: InvoiceNote) -> None:
    """``@email`` mentions in a note tell those people, if they may see the client's finance."""
    from mediadesk.work.notify import notify_mentions

    notify_mentions(
        actor, note.text, client_id=invoice.client_id, where=f"invoice {invoice.number}",
        url=invoice.get_absolute_url(), dedupe_key=f"invoice-note:{note.pk}",
        needs=Action.VIEW_FINANCE,
    )  # fmt: skip


def approval_limit(client_id: int) -> Decimal | None:
    """Above this total an invoice needs a second approver (the default until a client sets one)."""
    found = FinanceSettings.objects.filter(client_id=client_id).first()
    if found is None:
        return FinanceSettings._meta.get_field("second_approval_above").get_default()  # type: ignore[no-any-return]
    return found.second_approval_above


def approvals_needed(invoice: Invoice) -> int:
    limit = approval_limit(invoice.client_id)
    return 2 if limit is not None and abs(invoice.total) > limit else 1


def approve(
    actor: Any, invoice: Invoice, *, comment: str = "", override_reason: str = ""
) -> Invoice:
    """A finance approval. Discrepancies need a written override reason; above the client's
    limit a second, different finance person approves before the invoice is approved."""
    require(actor, Action.EDIT_FINANCE, invoice.client_id)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status not in MATCHABLE or invoice.status == InvoiceStatus.RECEIVED:
            raise Conflict(
                f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; only a "
                "matched invoice (or one with discrepancies, with a reason) can be approved."
            )
        if invoice.status != InvoiceStatus.MATCHED and not override_reason.strip():
            raise ValidationError(
                {
                    "override_reason": [
                        f"Invoice {invoice.number} has discrepancies; resolve them (a credit note, "
                        "a new match) or say why it is approved as it is."
                    ]
                }
            )
        if invoice.approvals.filter(approved_by=actor).exists():
            raise Conflict(
                f"You have already approved invoice {invoice.number}; above "
                f"{approval_limit(invoice.client_id)} {invoice.currency} "
                "a second finance person approves it."
            )
        InvoiceApproval.objects.create(
            invoice=invoice,
            approved_by=actor,
            comment=comment.strip(),
            override_reason=override_reason.strip(),
        )
        before = invoice.status
        done = invoice.approvals.count() >= approvals_needed(invoice)
        if done:
            invoice.status = InvoiceStatus.APPROVED
            invoice.save(update_fields=["status"])
        record(
            actor=actor,
            obj=invoice,
            action=AuditAction.APPROVED,
            changes={
                "status": [before, invoice.status],
                "approvals": [None, f"{invoice.approvals.count()} of {approvals_needed(invoice)}"],
            },
            reason=override_reason.strip() or comment.strip(),
        )
    return invoice


# --- Payment batches -------------------------------------------------------------------------


def _batch_number(client: Client) -> str:
    count = PaymentBatch.objects.filter(client=client).count()
    while True:
        count += 1
        number = f"PAY-{client.code}-{count:04d}"
        if not PaymentBatch.objects.filter(client=client, number=number).exists():
            return number


def create_batch(
    actor: Any,
    client: Client,
    *,
    invoices: Sequence[Invoice] | None = None,
    currency: str | None = None,
    layout: ExportLayout | str = ExportLayout.MEDIADESK,
) -> PaymentBatch:
    """Put approved invoices of one client and currency into a batch for accounting; they
    become exported. Without ``invoices``, every approved invoice (of ``currency``) goes in."""
    require(actor, Action.EDIT_FINANCE, client.pk)
    layout = ExportLayout(layout)
    with transaction.atomic():
        chosen = Invoice.objects.select_for_update().filter(client=client)
        if invoices is not None:
            chosen = chosen.filter(pk__in=[invoice.pk for invoice in invoices])
        else:
            chosen = chosen.filter(status=InvoiceStatus.APPROVED)
            if currency:
                chosen = chosen.filter(currency=currency)
        found = list(chosen.select_related("vendor"))
        if invoices is not None and len(found) != len({i.pk for i in invoices}):
            raise ValidationError({"invoices": ["Some invoices are not this client's."]})
        if not found:
            raise Conflict(f"{client.name} has no approved invoices to pay.")
        not_approved = [i.number for i in found if i.status != InvoiceStatus.APPROVED]
        if not_approved:
            raise Conflict(
                f"Only approved invoices are paid; not approved: {', '.join(not_approved)}."
            )
        currencies = sorted({i.currency for i in found})
        if len(currencies) > 1:
            raise ValidationError(
                {
                    "currency": [
                        f"The invoices are in {', '.join(currencies)}; a batch has one currency."
                    ]
                }
            )
        batch = PaymentBatch.objects.create(
            client=client,
            number=_batch_number(client),
            currency=currencies[0],
            layout=layout,
            created_by=_user(actor),
        )
        Invoice.objects.filter(pk__in=[i.pk for i in found]).update(
            batch=batch, status=InvoiceStatus.EXPORTED
        )
        record(
            actor=actor,
            obj=batch,
            action=AuditAction.EXPORTED,
            changes={"invoices": [None, len(found)]},
        )
    return batch


def mark_paid(actor: Any, batch: PaymentBatch, paid_on: date | None = None) -> PaymentBatch:
    require(actor, Action.EDIT_FINANCE, batch.client_id)
    if batch.status == BatchStatus.PAID:
        raise Conflict(f"Batch {batch.number} is already paid.")
    when = timezone.now()
    with transaction.atomic():
        batch.status = BatchStatus.PAID
        batch.paid_at = when
        batch.save(update_fields=["status", "paid_at"])
        batch.invoices.update(status=InvoiceStatus.PAID, paid_at=when)
        record(
            actor=actor,
            obj=batch,
            action=AuditAction.PAID,
            changes={"status": [BatchStatus.EXPORTED, BatchStatus.PAID]},
            reason=f"paid on {paid_on}" if paid_on else "",
        )
    return batch


def attach_pdf(actor: Any, invoice: Invoice, data: bytes, filename: str) -> Invoice:
    """Attach (or replace) the vendor's PDF of an invoice."""
    require(actor, Action.EDIT_FINANCE, invoice.client_id)
    if not data.startswith(PDF_MAGIC):
        raise ValidationError({"file": [f"{filename} is not a PDF; attach the vendor's PDF."]})
    if len(data) > MAX_PDF_BYTES:
        raise ValidationError({"file": [f"{filename} is larger than 20 MB."]})
    with transaction.atomic():
        before = invoice.filename or None
        invoice.file.save(filename, ContentFile(data), save=False)
        invoice.filename = filename[:255]
        invoice.save(update_fields=["file", "filename"])
        record(
            actor=actor, obj=invoice, action=AuditAction.UPDATED,
            changes={"file": [before, invoice.filename]},
        )  # fmt: skip
    return invoice


# --- Invoice files ---------------------------------------------------------------------------


class ImportedInvoices(list[Invoice]):
    """The invoices an import recorded; ``duplicate`` when the file was imported before (the
    invoices are then those of the first import, and nothing changed)."""

    def __init__(self, invoices: Sequence[Invoice], record: InvoiceImport, duplicate: bool) -> None:
        super().__init__(invoices)
        self.record = record
        self.duplicate = duplicate


def import_invoices(
    actor: Any, data: bytes, filename: str, *, client: Client | None = None
) -> ImportedInvoices:
    """Record every invoice of a CSV/XLSX file of invoice lines (docs/invoice-import.md), all or
    nothing: a problem in the file (InvoiceFileError) or with any invoice (a duplicate, an
    unknown vendor) saves none of them, and the refused file is kept with its problems. A
    refused invoice's error names its first row. The same file again changes nothing: the
    invoices of its first import are returned."""
    from mediadesk.ingest.invoices import InvoiceFileError, read_invoices

    digest = hashlib.sha256(data).hexdigest()
    earlier = (
        InvoiceImport.objects.visible_to(actor)
        .filter(sha256=digest, imported=True)
        .exclude(client__isnull=True)
        .first()
    )
    if earlier is not None:
        return ImportedInvoices(list(earlier.invoices.all()), earlier, duplicate=True)
    try:
        parsed = read_invoices(data, filename)
        with transaction.atomic():
            record_ = _keep_import(actor, data, filename, digest, client, imported=True)
            cache: dict[tuple[int, int | None], dict[str, list[OrderLine]]] = {}
            made = [_import_one(actor, found, filename, client, cache) for found in parsed]
            clients = {invoice.client_id for invoice in made}
            if len(clients) > 1:
                raise ValidationError(
                    f"{filename} holds invoices of {len(clients)} clients; import one file per "
                    "client. Nothing was saved."
                )
            record_.client_id = clients.pop() if clients else None
            record_.save(update_fields=["client"])
            Invoice.objects.filter(pk__in=[i.pk for i in made]).update(imported_from=record_)
    except InvoiceFileError as exc:
        _keep_import(
            actor, data, filename, digest, client, problems=[p.message for p in exc.problems]
        )
        raise
    except (ValidationError, Conflict) as exc:
        found = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        _keep_import(actor, data, filename, digest, client, problems=found)
        raise
    return ImportedInvoices(made, record_, duplicate=False)


def _keep_import(
    actor: Any,
    data: bytes,
    filename: str,
    digest: str,
    client: Client | None,
    *,
    imported: bool = False,
    problems: Sequence[str] = (),
) -> InvoiceImport:
    kept = InvoiceImport(
        client=client, filename=filename[:255], sha256=digest, uploaded_by=actor,
        imported=imported, problems=list(problems),
    )  # fmt: skip
    kept.file.save(filename, ContentFile(data), save=False)
    kept.save()
    return kept


def _import_one(
    actor: Any,
    found: Any,
    filename: str,
    client: Client | None,
    cache: dict[tuple[int, int | None], dict[str, list[OrderLine]]],
) -> Invoice:
    lines = [
        LineInput(
            placement=line.placement,
            month=line.month,
            amount=line.amount,
            io_number=line.io_number,
            description=line.description,
            quantity=line.quantity,
            tax=line.tax,
        )
        for line in found.lines
    ]
    total = found.stated_total
    if total is None:
        total = sum((line.amount for line in found.lines), Decimal(0))
    where = f"{filename}, row {found.first_row} (invoice {found.number})"
    try:
        return record_invoice(
            actor,
            vendor=found.vendor,
            number=found.number,
            invoice_date=found.invoice_date,
            currency=found.currency,
            total=total,
            lines=lines,
            client=client,
            due_date=found.due_date,
            kind=InvoiceKind.CREDIT_NOTE if total < 0 else InvoiceKind.INVOICE,
            source=InvoiceSource.IMPORT,
            booked_cache=cache,
        )
    except DuplicateInvoice as exc:
        raise Conflict(f"{where}: {exc}") from exc
    except ValidationError as exc:
        messages = "; ".join(exc.messages)
        raise ValidationError(f"{where}: {messages} Nothing was saved.") from exc


# --- A client's matching tolerances and accounts ---------------------------------------------

SETTINGS_FIELDS = [
    "rounding_units", "grp_percent", "delivery_percent", "overrides", "second_approval_above",
    "expense_account", "payable_account", "cost_centre",
]  # fmt: skip
# The tolerances a cost model may override, as people call them.
TOLERANCE_NAMES = {
    "rounding_units": "rounding",
    "grp_percent": "GRP tolerance",
    "delivery_percent": "over-delivery allowance",
}
GRP_RANGE = "a percentage from 0 up to (not including) 100"
DELIVERY_RANGE = "a percentage of 0 or more (at most 999.99)"


def tolerance_applies(model: str, name: str) -> bool:
    """Whether a tolerance changes anything for a cost model: the GRP tolerance is for CPP
    buys only, and a flat fee is paid as ordered, so only rounding applies to it."""
    if name == "grp_percent":
        return model == "cpp"
    if name == "delivery_percent":
        return model != "flat"
    return True


def _plain_percent(value: Decimal) -> str:
    """10.50 -> "10.5", 100 -> "100": how a percentage is stored in the overrides and shown."""
    return format(value.normalize(), "f") if value else "0"


def _tolerance(name: str, value: Any) -> int | str:
    """One override value checked and tidied (ValueError says what is wrong, in words)."""
    shown = f"“{value}”" if isinstance(value, str) else str(value)
    if name == "rounding_units":
        text = str(value).strip() if isinstance(value, int | str) else ""
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
            raise ValueError(
                f"the rounding is a whole number of cents (minor units), 0 or more; {shown} was "
                "given."
            )
        return int(text)
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise InvalidOperation
        percent = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        percent = Decimal("NaN")
    wanted = GRP_RANGE if name == "grp_percent" else DELIVERY_RANGE
    if not percent.is_finite():
        raise ValueError(f"the {TOLERANCE_NAMES[name]} is {wanted}; {shown} is not a number.")
    too_high = name == "grp_percent" and percent >= 100
    if percent < 0 or too_high or percent >= 1000:
        raise ValueError(f"the {TOLERANCE_NAMES[name]} is {wanted}; {shown} was given.")
    if percent != percent.quantize(Decimal("0.01"), rounding=ROUND_DOWN):
        raise ValueError(
            f"the {TOLERANCE_NAMES[name]} takes at most 2 decimal places; {shown} was given."
        )
    return _plain_percent(percent)


def clean_overrides(raw: Any) -> dict[str, dict[str, int | str]]:
    """A client's per-cost-model tolerances, checked and tidied.

    Keys are cost model values (``"cpp"``), each with some of ``rounding_units``,
    ``grp_percent`` and ``delivery_percent``; empty values are dropped (the client's general
    value applies). Refused with every problem under ``overrides``; an error about one value
    carries the code ``"<cost model>.<tolerance>"`` so a page can show it beside that cell.
    """
    example = 'Give an object such as {"cpp": {"grp_percent": "10"}}.'
    if not isinstance(raw, dict):
        raise ValidationError({"overrides": [example]})
    labels = {model.value: label for model, label in COST_MODEL_LABELS.items()}
    errors: list[ValidationError] = []
    tidy: dict[str, dict[str, int | str]] = {}
    for model, values in raw.items():
        if model not in labels:
            errors.append(
                ValidationError(
                    f"“{model}” is not a cost model; use one of: {', '.join(labels)}.",
                    code="overrides",
                )
            )
            continue
        if not isinstance(values, dict):
            errors.append(ValidationError(f"{labels[model]}: {example}", code="overrides"))
            continue
        kept: dict[str, int | str] = {}
        for name, value in values.items():
            if name not in TOLERANCE_NAMES:
                errors.append(
                    ValidationError(
                        f"{labels[model]}: “{name}” is not a tolerance; use "
                        f"{', '.join(TOLERANCE_NAMES)}.",
                        code="overrides",
                    )
                )
            elif value is not None and value != "":
                try:
                    kept[name] = _tolerance(name, value)
                except ValueError as exc:
                    errors.append(
                        ValidationError(f"{labels[model]}: {exc}", code=f"{model}.{name}")
                    )
        if kept:
            tidy[model] = kept
    if errors:
        raise ValidationError({"overrides": errors})
    return tidy


def _check_settings(current: FinanceSettings, errors: dict[str, list[Any]]) -> None:
    """The general tolerances and the approval limit, each refused under its own name."""

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=name))

    if "grp_percent" not in errors and not 0 <= current.grp_percent < 100:
        refuse("grp_percent", f"The GRP tolerance is {GRP_RANGE}; {current.grp_percent} was given.")
    if "delivery_percent" not in errors and current.delivery_percent < 0:
        refuse(
            "delivery_percent",
            f"The over-delivery allowance is {DELIVERY_RANGE}; {current.delivery_percent} was "
            "given.",
        )
    limit = current.second_approval_above
    if "second_approval_above" not in errors and limit is not None and limit < 0:
        refuse(
            "second_approval_above",
            f"Give an amount of 0 or more ({limit} was given), or leave it empty so that no "
            "invoice needs a second approver.",
        )


def update_finance_settings(
    actor: Any, client: Client, values: dict[str, Any], reason: str = ""
) -> FinanceSettings:
    """Change a client's tolerances, approval limit or accounts (finance or client admins).

    The tolerances are checked the way the match reads them, so a value the match would refuse
    (a GRP tolerance of 150%, an unknown cost model) is refused here with the field named.
    Overrides are tidied (see ``clean_overrides``). Every problem is reported at once.
    """
    from mediadesk.domain.matching import MatchingError
    from mediadesk.finance.ledger import tolerances_of

    require(actor, Action.EDIT_FINANCE, client.pk)
    unknown = sorted(set(values) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})
    with transaction.atomic():
        found = FinanceSettings.objects.select_for_update().filter(pk=settings_for(client.pk).pk)
        current = found.get()
        before = {name: as_json_value(getattr(current, name)) for name in values}
        for name, value in values.items():
            setattr(current, name, value)
        errors: dict[str, list[Any]] = {}
        if "overrides" in values:
            try:
                current.overrides = clean_overrides(current.overrides)
            except ValidationError as exc:
                errors.update(exc.error_dict)
        try:
            current.full_clean(exclude=list(errors))
        except ValidationError as exc:
            for name, found_errors in exc.error_dict.items():
                errors.setdefault(name, []).extend(found_errors)
        _check_settings(current, errors)
        if errors:
            raise ValidationError(errors)
        for name in ("grp_percent", "delivery_percent", "second_approval_above"):
            # As stored (5 is 5.00), so the history shows only real changes.
            value = getattr(current, name)
            if name in values and isinstance(value, Decimal):
                places = FinanceSettings._meta.get_field(name).decimal_places  # type: ignore[union-attr]
                setattr(current, name, value.quantize(Decimal(1).scaleb(-(places or 0))))
        try:
            tolerances_of(current)  # the match's own reading: nothing it refuses is stored
        except (MatchingError, ValueError, TypeError, ArithmeticError) as exc:
            field = "overrides" if "overrides" in values else "rounding_units"
            raise ValidationError({field: [str(exc)]}) from None
        current.save()
        after = {name: as_json_value(getattr(current, name)) for name in values}
        changes = {n: [before[n], after[n]] for n in values if before[n] != after[n]}
        if changes:
            record(actor=actor, obj=current, action=AuditAction.UPDATED, changes=changes,
                   reason=reason, client_id=client.pk)  # fmt: skip
    return current
