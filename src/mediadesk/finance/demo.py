"""The demo agency's bookings and money: IOs in every status (with a revision), invoices that
match, over-bill and bill an under-delivered line, a refused duplicate, and payment batches.

Runs after the demo delivery (the match needs what ran). Everything goes through the services,
as people would do it: coordinators book, the vendor answers through its link, finance enters,
approves and batches.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mediadesk.accounts.models import User
from mediadesk.domain.matching import Delivered, payable
from mediadesk.errors import Conflict
from mediadesk.finance import services
from mediadesk.finance.ledger import delivered, monthly_delivery, ordered
from mediadesk.finance.models import Invoice
from mediadesk.orders import services as orders
from mediadesk.orders.choices import OrderStatus
from mediadesk.orders.models import InsertionOrder, OrderLine
from mediadesk.planning import services as planning
from mediadesk.planning.choices import CostModel, PlanStatus
from mediadesk.planning.models import Campaign, PlanVersion

LINK_BASE = "http://127.0.0.1:8000/orders/answer"
_LINK_BASE = LINK_BASE
_CENT = Decimal("0.01")


def _approved(campaign: Campaign) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(
            campaign=campaign, status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED]
        )
        .order_by("-number")
        .first()
    )


def _accept(coordinator: Any, order: InsertionOrder, who: str) -> InsertionOrder:
    sent = orders.send_order(coordinator, order, to=_vendor_email(order), link_base=_LINK_BASE)
    return orders.answer_order(sent, accept=True, name=who, title="Sales director", ip="192.0.2.10")


def _vendor_email(order: InsertionOrder) -> str:
    slug = "".join(ch for ch in order.vendor.name.lower() if ch.isalnum())[:20] or "vendor"
    return order.vendor_contact.email if order.vendor_contact else f"sales@{slug}.example"


def _payable_to_date(line: OrderLine, month: tuple[int, int]) -> Decimal:
    """What the vendor has earned on the line by the end of ``month``."""
    sums: dict[str, Any] = {}
    for (_, key, when), row in monthly_delivery([line.order.campaign_id], [line.line_key]).items():
        if key == line.line_key and when <= month:
            for column, value in row.items():
                if isinstance(value, int):
                    sums[column] = sums.get(column, 0) + value
    found: Delivered | None = delivered(line.cost_model, sums) if sums else None
    return payable(ordered(line, line.order.currency), found, through=month).amount


def _month_before(today: date) -> tuple[int, int]:
    last = today.replace(day=1) - timedelta(days=1)
    return (last.year, last.month)


def _book(
    coordinator: Any, campaign: Campaign, answer: Callable[[InsertionOrder, int], None]
) -> list[InsertionOrder]:
    version = _approved(campaign)
    if version is None:
        return []
    made = orders.generate_orders(coordinator, version)
    for position, order in enumerate(made):
        answer(order, position)
    return made


def load_demo_finance(
    coordinator: User, finance: User, admin: User, today: date, link_base: str = LINK_BASE
) -> int:
    """Book, invoice and pay the demo campaigns once; the invoices recorded."""
    if InsertionOrder.objects.exists():
        return 0
    global _LINK_BASE
    _LINK_BASE = link_base
    campaigns = {c.code: c for c in Campaign.objects.all()}

    def accepted_all(order: InsertionOrder, position: int) -> None:
        _accept(admin, order, "Vera Vendor")

    for code in ("NWND-AR26", "CTSO-5G26", "CTSO-BTS26", "FBRK-MP26"):
        if code in campaigns:
            _book(admin, campaigns[code], accepted_all)

    def booked_answers(order: InsertionOrder, position: int) -> None:
        if position == 0:
            orders.send_order(admin, order, to=_vendor_email(order), link_base=_LINK_BASE)
        elif position == 1:
            sent = orders.send_order(admin, order, to=_vendor_email(order), link_base=_LINK_BASE)
            orders.answer_order(
                sent,
                accept=False,
                name="Marc Weber",
                title="Head of sales",
                ip="192.0.2.44",
                reason="The Sunday slots are sold out; we can offer Saturday instead.",
            )
        else:
            _accept(admin, order, "Lena Vogt")

    if "NWND-WT26" in campaigns:
        _book(admin, campaigns["NWND-WT26"], booked_answers)

    def holiday_answers(order: InsertionOrder, position: int) -> None:
        if position == 0:
            orders.cancel_order(admin, order, "The client moved this budget to search.")

    if "CTSO-HOL26" in campaigns:
        _book(admin, campaigns["CTSO-HOL26"], holiday_answers)  # the rest stay drafts

    if "CTSO-5G26" in campaigns:
        _revise(admin, campaigns["CTSO-5G26"])
    return _invoices(finance, admin, campaigns, today)


def _revise(admin: Any, campaign: Campaign) -> None:
    """The client adds 10% to one line after booking: revision 2 is sent and accepted."""
    version = _approved(campaign)
    if version is None:
        return
    draft = planning.new_draft(admin, version, "More impressions on the video line")
    line = draft.placements.filter(cost_model=CostModel.CPM).order_by("position").first()
    if line is None:
        return
    planning.update_placement(
        admin,
        line,
        {"quantity": (line.quantity * Decimal("1.1")).quantize(Decimal(1))},
        "Client adds 10%",
    )
    planning.submit_plan(admin, draft, "Client adds 10% on video")
    planning.approve_plan(admin, draft, "Approved.")
    if campaign.shared_with_client:
        planning.approve_plan(admin, draft, "Approved for the client.")
    order = InsertionOrder.objects.filter(
        campaign=campaign, vendor__name__iexact=line.vendor, status=OrderStatus.ACCEPTED
    ).first()
    if order is None:
        return
    revision = orders.propose_revision(admin, order, draft)
    _accept(admin, revision, "Vera Vendor")


def _invoices(finance: Any, admin: Any, campaigns: dict[str, Campaign], today: date) -> int:
    month = _month_before(today)
    made = 0
    # A completed campaign: billed exactly, approved and paid.
    completed = campaigns.get("CTSO-BTS26")
    if completed is not None:
        paid: list[Invoice] = []
        for order in InsertionOrder.objects.filter(campaign=completed, status=OrderStatus.ACCEPTED):
            lines = [line for line in order.lines.all() if not line.is_removed]
            end = max(line.end for line in lines)
            bill_month = (end.year, end.month)
            amounts = [(line, _payable_to_date(line, bill_month)) for line in lines]
            amounts = [(line, amount) for line, amount in amounts if amount > 0]
            if not amounts:
                continue
            invoice = _record(
                finance, order, amounts, bill_month, _number(order, bill_month, order.pk)
            )
            made += 1
            if invoice.status == "matched":
                paid.append(_approve(finance, admin, invoice))
        approved = [i for i in paid if i.status == "approved"]
        if approved:
            batch = services.create_batch(finance, completed.client, invoices=approved)
            services.mark_paid(finance, batch)
    live = campaigns.get("NWND-AR26")
    if live is not None and (live.start.year, live.start.month) <= month:
        made += _live_invoices(finance, live, month)
    other = campaigns.get("CTSO-5G26")
    if other is not None and (other.start.year, other.start.month) <= month:
        made += _matched_and_batched(finance, admin, other, month)
    return made


# VAT the demo vendors charge, by currency (US media invoices carry no sales tax).
_TAX = {"EUR": Decimal("0.19"), "GBP": Decimal("0.20"), "CAD": Decimal("0.05")}
_TERMS_DAYS = {"net_30": 30, "net_45": 45, "net_60": 60, "net_90": 90}


def _number(order: InsertionOrder, month: tuple[int, int], seq: int) -> str:
    """An invoice number the way vendors print them: their prefix, the period, a sequence."""
    letters = "".join(ch for ch in order.vendor.name.upper() if ch.isalpha())[:4] or "INV"
    return f"{letters}-{month[0] % 100:02d}{month[1]:02d}-{4000 + seq}"


def _record(
    finance: Any,
    order: InsertionOrder,
    amounts: list[tuple[OrderLine, Decimal]],
    month: tuple[int, int],
    number: str,
) -> Invoice:
    total = sum((amount for _, amount in amounts), Decimal(0))
    issued = date(month[0], month[1], 28)
    return services.record_invoice(
        finance,
        vendor=order.vendor,
        number=number,
        invoice_date=issued,
        due_date=issued + timedelta(days=_TERMS_DAYS.get(order.vendor.payment_terms, 30)),
        currency=order.currency,
        total=total,
        tax=(total * _TAX.get(order.currency, Decimal(0))).quantize(_CENT, rounding=ROUND_HALF_UP),
        lines=[
            services.LineInput(
                placement=line.code,
                month=month,
                amount=amount,
                io_number=order.number,
                description=line.description[:120],
            )
            for line, amount in amounts
        ],
    )


def _live_invoices(finance: Any, campaign: Campaign, month: tuple[int, int]) -> int:
    """Over-billed, under-delivered and matched invoices for last month, and a duplicate."""
    made = 0
    candidates: list[tuple[OrderLine, Decimal, Decimal]] = []
    for line in OrderLine.objects.filter(
        order__campaign=campaign, order__status=OrderStatus.ACCEPTED
    ).select_related("order"):
        if line.is_removed or line.cost_model == CostModel.FLAT:
            continue
        owed = _payable_to_date(line, month)
        planned = sum(
            (amount for when, amount in _planned_months(line).items() if when <= month), Decimal(0)
        )
        candidates.append((line, owed, planned))
    used: set[int] = set()
    under = next(((c, o, p) for c, o, p in candidates if p > o * Decimal("1.05") and o > 0), None)
    if under is not None:
        line, owed, planned = under
        _record(finance, line.order, [(line, planned)], month, _number(line.order, month, line.pk))
        used.add(line.order_id)
        made += 1
    over = next(((c, o, p) for c, o, p in candidates if o > 0 and c.order_id not in used), None)
    if over is not None:
        line, owed, _ = over
        extra = (owed * Decimal("0.08")).quantize(_CENT)
        _record(
            finance,
            line.order,
            [(line, owed + extra)],
            month,
            _number(line.order, month, line.pk),
        )
        used.add(line.order_id)
        made += 1
    matched = next(((c, o, p) for c, o, p in candidates if o > 0 and c.order_id not in used), None)
    if matched is not None:
        line, owed, _ = matched
        number = _number(line.order, month, line.pk)
        _record(finance, line.order, [(line, owed)], month, number)
        made += 1
        # The vendor sends the same invoice again as a file: caught, nothing saved, and the
        # refused file is kept with the reason.
        with suppress(Conflict):
            services.import_invoices(
                finance, _invoice_file(line, owed, month, number), "resent.csv"
            )
    return made


def _invoice_file(line: OrderLine, amount: Decimal, month: tuple[int, int], number: str) -> bytes:
    header = "vendor,invoice_number,invoice_date,currency,io_number,placement,month,amount\r\n"
    row = (
        f"{line.order.vendor.name},{number},{month[0]}-{month[1]:02d}-28,{line.order.currency},"
        f"{line.order.number},{line.code},{month[0]}-{month[1]:02d},{amount}\r\n"
    )
    return (header + row).encode()


def _planned_months(line: OrderLine) -> dict[tuple[int, int], Decimal]:
    from mediadesk.finance.ledger import _monthly
    from mediadesk.planning.plans import weights_of

    weights = weights_of(line.placement) if line.placement else None
    return _monthly(line.booked_cost, line.start, line.end, weights, line.order.currency)


def _approve(finance: Any, admin: Any, invoice: Invoice) -> Invoice:
    """Finance approves; above the client's limit the organization admin approves second."""
    invoice = services.approve(finance, invoice, comment="Matches delivery.")
    if invoice.status != "approved":
        invoice = services.approve(admin, invoice, comment="Second approval.")
    return invoice


def _matched_and_batched(
    finance: Any, admin: Any, campaign: Campaign, month: tuple[int, int]
) -> int:
    """A matched invoice, approved and exported in a payment batch (not paid yet)."""
    for line in OrderLine.objects.filter(
        order__campaign=campaign, order__status=OrderStatus.ACCEPTED
    ).select_related("order"):
        owed = _payable_to_date(line, month)
        if owed <= 0 or line.is_removed:
            continue
        invoice = _record(
            finance, line.order, [(line, owed)], month, _number(line.order, month, line.pk)
        )
        if invoice.status == "matched":
            invoice = _approve(finance, admin, invoice)
            if invoice.status == "approved":
                services.create_batch(finance, campaign.client, invoices=[invoice])
        return 1
    return 0
