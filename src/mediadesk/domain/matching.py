"""The 3-way match: what was ordered, what was delivered, what the vendor billed.

Each invoice line (``BilledLine``) names an order line by its key and a month. It is matched to
the order line for that key and month, or to the key's whole-flight line (``month=None``) when
the month lies inside that line's flight. The order says what may be paid; the delivery says how
much of it was earned; the invoice line is compared with that.

**What is payable** (``payable``), by how the line was bought:

- CPM, CPC, CPA, CPL, CPV, CPCV, CPE: delivered units × rate (per thousand impressions for CPM),
  capped at the ordered cost. Over-delivery is the vendor's bonus, not ours to pay, unless the
  client allows a delivery tolerance: the cap is then the ordered cost plus that percentage.
- Per spot, per insertion: spots aired (insertions run) × rate, capped the same way.
- CPP: the ordered cost when the delivered GRPs reach the ordered GRPs less the GRP tolerance
  (default 5%: 114 of 120 GRPs is a full delivery); below that, delivered GRPs × rate. Above the
  order the ordered cost is paid (plus the delivery tolerance, when the client allows one).
- Flat fee: as ordered, whatever ran.

A whole-flight order line billed month by month is payable *to date*: the payable for a month's
invoice line is what the delivery up to the end of that month has earned (monthly deliveries of
the key summed up to that month; without monthly figures, the key's whole-flight delivery).

**How billing is compared.** Invoice lines on the same order line are taken together, in
invoice order (month by month for a whole-flight line), starting from what was billed on that
order line before this invoice (``previously_billed``, 0 when not given). After each line,
*billed to date* is compared with *payable to date*:

- a line that adds to the over-billing is **over-billed** by the excess to date; the last line
  of an order line also reports an over-billing left from earlier lines or invoices;
- the last line of an order line is **under-billed** when billing to date stays below the
  payable (earlier lines may be instalments, so only the last one carries a shortfall);
- a credit line (a negative amount) reduces billing to date: a credit that brings an earlier
  over-billing back to the payable is matched; a credit larger than everything billed before
  is ``credit_exceeds_billed``, and one that leaves billing below the payable is under-billed;
- a line that states its quantity is billed at the order's rate: an amount above quantity ×
  rate beyond rounding is ``rate_differs`` (billing below the rate costs the client nothing;
  not checked where the payable is as ordered: flat fees, CPP within the GRP tolerance).

A line's ``difference`` is its own share of the gap, so the differences of an order line's
invoice lines add up to billing to date minus payable to date after the last of them, less the
over-billing known before the invoice: over-billing is counted on the line that caused it, a
shortfall on the last line. A discrepancy's ``amount`` is the gap to date after its line
(billed minus payable, signed); for a single line both are billed minus payable.

**Bad input** is reported, not refused: a key that is on no order (``unknown_line``), a month
the order does not cover (``month_outside_order``) and a currency other than the order's
(``currency_mismatch``; nothing is converted here) make nothing payable on that line and leave
it out of the billing to date. ``check_invoice_total`` reports an invoice whose stated total is
not the sum of its lines. Only malformed values (a float, a month 13, a negative delivery, two
order lines for one key and month) raise ``MatchingError``.

**Rounding.** Arithmetic keeps full Decimal precision; the payable is rounded half-up to the
currency's minor units (cents; whole yen) at the end. A difference of at most
``rounding_units`` minor units (default 5: 0.05 EUR, 5 JPY, 0.005 KWD) is rounding, not a
discrepancy, so 18,500.02 billed against 18,500.00 payable is matched. The tolerances are set
per client and may be overridden per cost model.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from itertools import accumulate
from types import MappingProxyType
from typing import TypeVar

from mediadesk.domain.costmodels import COST_MODEL_LABELS, UNIT_LABELS, CostModel
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, MoneyError, check_currency, format_amount

Month = tuple[int, int]  # (year, month)
# An order line's key and month (None for a whole-flight line): how deliveries and earlier
# billing are looked up. Annotate dicts passed in with it (a Mapping's key type is invariant).
LineMonth = tuple[str, Month | None]
_T = TypeVar("_T")

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_PER_THOUSAND = Decimal(1000)
# Enough digits that quantity × rate never rounds before the final rounding to minor units.
_PRECISION = 60

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# How a model's units are said to have run.
_VERBS: dict[CostModel, str] = {
    CostModel.PER_SPOT: "aired",
    CostModel.PER_INSERTION: "ran",
}


class MatchingError(ValueError):
    """A value that cannot be matched at all (the message says which and why)."""


# --- checks -----------------------------------------------------------------------------------


def _check_amount(where: str, name: str, value: object, minimum: Decimal | None = None) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise MatchingError(f"{where}: the {name} must be a Decimal number; {value!r} was given.")
    if minimum is not None and value < minimum:
        raise MatchingError(f"{where}: the {name} cannot be negative; {value} was given.")


def _check_month(where: str, month: object) -> None:
    if (
        not isinstance(month, tuple)
        or len(month) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in month)
        or not 1 <= month[1] <= 12
    ):
        raise MatchingError(f"{where}: {month!r} is not a month; give (year, month).")


def _check_rounding_units(units: int) -> None:
    if not isinstance(units, int) or isinstance(units, bool) or units < 0:
        raise MatchingError(
            f"The rounding tolerance is {units!r}; give a whole number of minor units (cents), "
            "0 or more."
        )


def _check_grp_percent(percent: Decimal) -> None:
    if not isinstance(percent, Decimal) or not percent.is_finite() or not 0 <= percent < 100:
        raise MatchingError(
            f"The GRP tolerance is {percent!r}; give a percentage from 0 up to (not including) 100."
        )


def _check_delivery_percent(percent: Decimal) -> None:
    if not isinstance(percent, Decimal) or not percent.is_finite() or percent < 0:
        raise MatchingError(
            f"The delivery tolerance is {percent!r}; give a percentage of 0 or more."
        )


def _currency(where: str, code: str) -> str:
    try:
        return check_currency(code)
    except MoneyError as error:
        raise MatchingError(f"{where}: {error}") from None


class PayableBasis(StrEnum):
    DELIVERED = "delivered"  # delivered units × rate, under the cap
    CAPPED = "capped"  # the delivery is worth more than the order allows: the cap
    AS_ORDERED = "as_ordered"  # a flat fee, or CPP delivered within the GRP tolerance
    NOT_ORDERED = "not_ordered"  # nothing payable: no order line, month or currency for it


class MatchStatus(StrEnum):
    MATCHED = "matched"
    DISCREPANCY = "discrepancy"


class DiscrepancyKind(StrEnum):
    OVER_BILLED = "over_billed"
    UNDER_BILLED = "under_billed"
    RATE_DIFFERS = "rate_differs"
    CREDIT_EXCEEDS_BILLED = "credit_exceeds_billed"
    CURRENCY_MISMATCH = "currency_mismatch"
    MONTH_OUTSIDE_ORDER = "month_outside_order"
    UNKNOWN_LINE = "unknown_line"
    TOTAL_MISMATCH = "total_mismatch"


MATCH_STATUS_LABELS: dict[MatchStatus, str] = {
    MatchStatus.MATCHED: "Matched",
    MatchStatus.DISCREPANCY: "Discrepancy",
}

DISCREPANCY_LABELS: dict[DiscrepancyKind, str] = {
    DiscrepancyKind.OVER_BILLED: "Over-billed",
    DiscrepancyKind.UNDER_BILLED: "Under-billed",
    DiscrepancyKind.RATE_DIFFERS: "Rate differs",
    DiscrepancyKind.CREDIT_EXCEEDS_BILLED: "Credit exceeds billing",
    DiscrepancyKind.CURRENCY_MISMATCH: "Other currency",
    DiscrepancyKind.MONTH_OUTSIDE_ORDER: "Month not ordered",
    DiscrepancyKind.UNKNOWN_LINE: "Not on the order",
    DiscrepancyKind.TOTAL_MISMATCH: "Total does not add up",
}


@dataclass(frozen=True, slots=True)
class ModelTolerances:
    """A client's tolerances for one cost model; None keeps the client's general value."""

    rounding_units: int | None = None
    grp_percent: Decimal | None = None
    delivery_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Tolerances:
    """How much a client lets an invoice differ before it is a discrepancy.

    - ``rounding_units``: differences of up to this many minor units of the currency are
      rounding (5: 0.05 EUR, 5 JPY, 0.005 KWD);
    - ``grp_percent``: how far short of the ordered GRPs a CPP buy may fall and still be paid
      as ordered (5 = 5%);
    - ``delivery_percent``: how far above the ordered cost over-delivery is payable on buys
      capped at the order (0: the cap is the ordered cost);
    - ``overrides``: other values for some cost models.
    """

    rounding_units: int = 5
    grp_percent: Decimal = Decimal(5)
    delivery_percent: Decimal = _ZERO
    overrides: Mapping[CostModel, ModelTolerances] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _check_rounding_units(self.rounding_units)
        _check_grp_percent(self.grp_percent)
        _check_delivery_percent(self.delivery_percent)
        overrides: dict[CostModel, ModelTolerances] = {}
        for model, override in self.overrides.items():
            try:
                cost_model = CostModel(model)
            except ValueError:
                raise MatchingError(f"{model!r} is not a cost model.") from None
            if override.rounding_units is not None:
                _check_rounding_units(override.rounding_units)
            if override.grp_percent is not None:
                _check_grp_percent(override.grp_percent)
            if override.delivery_percent is not None:
                _check_delivery_percent(override.delivery_percent)
            overrides[cost_model] = override
        # Read-only, so the shared default instance cannot be changed by a caller.
        object.__setattr__(self, "overrides", MappingProxyType(overrides))

    def for_model(self, model: CostModel) -> Tolerances:
        """The tolerances that apply to one cost model (its overrides applied)."""
        override = self.overrides.get(model)
        if override is None:
            if not self.overrides:
                return self
            return Tolerances(self.rounding_units, self.grp_percent, self.delivery_percent)
        return Tolerances(
            rounding_units=_pick(override.rounding_units, self.rounding_units),
            grp_percent=_pick(override.grp_percent, self.grp_percent),
            delivery_percent=_pick(override.delivery_percent, self.delivery_percent),
        )

    def rounding(self, currency: str) -> Decimal:
        """The rounding tolerance in money: 0.05 for EUR at the default 5 minor units."""
        return Decimal(self.rounding_units).scaleb(-_places(currency))


@dataclass(frozen=True, slots=True)
class OrderedLine:
    """An IO line: a placement's order for one month, or for its whole flight (``month=None``).

    ``quantity`` counts the model's unit (impressions for CPM, GRPs for CPP, 1 for a flat fee);
    ``cost`` is the ordered cost as booked, which need not multiply back from rate × quantity
    to the cent.
    """

    key: str
    cost_model: CostModel
    rate: Decimal
    quantity: Decimal
    cost: Decimal
    currency: str
    month: Month | None
    start: date
    end: date

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "cost_model", CostModel(self.cost_model))
        except ValueError:
            raise MatchingError(
                f"Order line {self.key}: {self.cost_model!r} is not a cost model."
            ) from None
        object.__setattr__(self, "currency", _currency(f"Order line {self.key}", self.currency))
        where = f"Order line {self.key}"
        _check_amount(where, "rate", self.rate, minimum=_ZERO)
        _check_amount(where, "quantity", self.quantity, minimum=_ZERO)
        _check_amount(where, "cost", self.cost, minimum=_ZERO)
        if self.end < self.start:
            raise MatchingError(
                f"{where}: the flight ends on {self.end.isoformat()}, before it starts on "
                f"{self.start.isoformat()}."
            )
        if self.month is not None:
            _check_month(where, self.month)
            if not _month_of(self.start) <= self.month <= _month_of(self.end):
                raise MatchingError(
                    f"{where}: {_month_name(self.month)} is outside its flight "
                    f"({self.start.isoformat()} to {self.end.isoformat()})."
                )

    def covers(self, month: Month) -> bool:
        """Whether the line orders anything for ``month``."""
        if self.month is not None:
            return self.month == month
        return _month_of(self.start) <= month <= _month_of(self.end)


@dataclass(frozen=True, slots=True)
class Delivered:
    """What ran, in the unit the line was bought in (impressions for CPM, clicks for CPC, GRPs
    for CPP, spots per spot, …). ``spend`` is the platform's own cost figure: what is payable
    follows the order's rate, so spend is only quoted next to it."""

    quantity: Decimal
    spend: Decimal | None = None

    def __post_init__(self) -> None:
        _check_amount("Delivery", "delivered quantity", self.quantity, minimum=_ZERO)
        if self.spend is not None:
            _check_amount("Delivery", "delivered spend", self.spend)


@dataclass(frozen=True, slots=True)
class BilledLine:
    """An invoice line: an amount (negative on a credit) for an order line and a month."""

    key: str
    amount: Decimal
    currency: str
    month: Month
    quantity: Decimal | None = None  # the units billed, when the invoice says

    def __post_init__(self) -> None:
        where = f"Invoice line {self.key}"
        object.__setattr__(self, "currency", _currency(where, self.currency))
        _check_amount(where, "amount", self.amount)
        if self.quantity is not None:
            _check_amount(where, "quantity", self.quantity)
        _check_month(where, self.month)


@dataclass(frozen=True, slots=True)
class Payable:
    """What the order allows to be paid, and how it was worked out, in words."""

    amount: Decimal
    currency: str
    basis: PayableBasis
    explanation: str


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """What differs, by how much (``amount``, signed, in ``currency``) and why (``message``).

    The amount is billed minus payable to date for over- and under-billing (negative when
    under) and for a credit that exceeds billing; the whole line for a line nothing is payable
    on; billed minus quantity × the order's rate for ``rate_differs``; the stated total minus
    the lines for ``total_mismatch``.
    """

    kind: DiscrepancyKind
    amount: Decimal
    currency: str
    message: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    line: BilledLine
    ordered: OrderedLine | None  # the order line it was matched to; None for an unknown key
    payable: Payable  # payable to date on the order line, for the line's month
    billed_before: Decimal  # billed on the order line before this line (credits included)
    difference: Decimal  # this line's share of billed minus payable (module docstring)
    status: MatchStatus
    discrepancies: tuple[Discrepancy, ...]

    @property
    def matched_key(self) -> str | None:
        return None if self.ordered is None else self.ordered.key

    @property
    def billed(self) -> Decimal:
        return self.line.amount


def payable(
    ordered: OrderedLine,
    delivered: Delivered | None,
    tolerances: Tolerances = Tolerances(),  # frozen, so one shared default is safe
    *,
    through: Month | None = None,
) -> Payable:
    """What ``ordered`` allows to be paid for ``delivered`` (None: nothing reported).

    ``through`` names the month the delivery runs to, for a whole-flight line billed by month;
    the explanation then says "by the end of" that month.
    """
    model = ordered.cost_model
    currency = ordered.currency
    places = _places(currency)
    if model is CostModel.FLAT:
        return Payable(
            amount=_round(ordered.cost, places),
            currency=currency,
            basis=PayableBasis.AS_ORDERED,
            explanation="A flat fee is payable as ordered, whatever ran.",
        )
    tolerance = tolerances.for_model(model)
    quantity = _ZERO if delivered is None else delivered.quantity
    with localcontext() as context:
        context.prec = _PRECISION
        earned = quantity * ordered.rate / _per(model)
        cap = ordered.cost * (_HUNDRED + tolerance.delivery_percent) / _HUNDRED
        floor = ordered.quantity * (_HUNDRED - tolerance.grp_percent) / _HUNDRED
    rate = _rate_phrase(model, ordered.rate, currency)
    unit = UNIT_LABELS[model]
    verb = _VERBS.get(model, "were delivered")
    shown = _show_quantity(model, quantity)
    ordered_shown = _show_quantity(model, ordered.quantity)
    prefix = "" if through is None else f"By the end of {_month_name(through)}, "
    delivered_words = f"{shown} of {ordered_shown} ordered {unit} {verb} at {rate}"
    if delivered is None:
        delivered_words = f"no delivery was reported against {ordered_shown} ordered {unit}"
    spend = _spend_words(delivered, currency)

    if model is CostModel.CPP and quantity >= floor:
        if quantity < ordered.quantity:
            return Payable(
                amount=_round(ordered.cost, places),
                currency=currency,
                basis=PayableBasis.AS_ORDERED,
                explanation=_sentence(
                    prefix,
                    f"{delivered_words}, within the {_show_percent(tolerance.grp_percent)} GRP "
                    f"tolerance, so the ordered cost is payable{spend}",
                ),
            )
        # A full delivery is paid the ordered cost; over-delivery only within the tolerance.
        earned = max(ordered.cost, earned)
    if earned > cap:
        allowance = (
            "the ordered cost"
            if tolerance.delivery_percent == 0
            else f"the ordered cost plus {_show_percent(tolerance.delivery_percent)}"
        )
        return Payable(
            amount=_round(cap, places),
            currency=currency,
            basis=PayableBasis.CAPPED,
            explanation=_sentence(
                prefix,
                f"{shown} {unit} {verb} against {ordered_shown} ordered at {rate}; payment is "
                f"capped at {allowance}, {_money(cap, currency)}{spend}",
            ),
        )
    if model is CostModel.CPP and delivered is not None and quantity < floor:
        delivered_words += (
            f", more than the {_show_percent(tolerance.grp_percent)} GRP tolerance short of the "
            "order, so only the delivered GRPs are payable"
        )
    return Payable(
        amount=_round(earned, places),
        currency=currency,
        basis=PayableBasis.DELIVERED,
        explanation=_sentence(prefix, delivered_words + spend),
    )


def match_line(
    billed: BilledLine,
    ordered: OrderedLine | None,
    delivered: Delivered | None,
    tolerances: Tolerances = Tolerances(),  # frozen, so one shared default is safe
    *,
    billed_before: Decimal = _ZERO,
) -> MatchResult:
    """One invoice line against its order line and delivery (the last line of its order line).

    For a whole-flight order line, ``delivered`` is the delivery to the end of the billed
    month; ``billed_before`` is what was billed on the order line before this line.
    """
    _check_amount(f"Invoice line {billed.key}", "billed before", billed_before)
    refused = _refuse(billed, ordered, None if ordered is None else _months_phrase([ordered]))
    if refused is not None:
        return refused
    assert ordered is not None  # _refuse answers for a missing order line
    through = billed.month if ordered.month is None else None
    owed = payable(ordered, delivered, tolerances, through=through)
    return _judge(billed, ordered, owed, billed_before, last=True, tolerances=tolerances)


def match_invoice(
    billed_lines: Iterable[BilledLine],
    ordered_lines: Iterable[OrderedLine],
    delivered_by_key_and_month: Mapping[LineMonth, Delivered],
    tolerances: Tolerances = Tolerances(),  # frozen, so one shared default is safe
    *,
    previously_billed: Mapping[LineMonth, Decimal] | None = None,
) -> list[MatchResult]:
    """Every invoice line matched, in the order given (see the module docstring for the rules).

    Deliveries are keyed like order lines: (key, month) for a month, (key, None) for a whole
    flight. ``previously_billed`` holds what earlier invoices billed per order line (key and
    the order line's month, None for a whole-flight line), credits included.
    """
    lines = list(billed_lines)
    orders = _OrderIndex(ordered_lines)
    before_by_line = previously_billed or {}
    results: list[MatchResult | None] = [None] * len(lines)
    groups: dict[LineMonth, list[int]] = {}
    for position, line in enumerate(lines):
        ordered = orders.find(line.key, line.month)
        refused = _refuse(line, ordered, orders.months_phrase(line.key))
        if refused is not None:
            results[position] = refused
            continue
        assert ordered is not None  # _refuse answers for a missing order line
        groups.setdefault((ordered.key, ordered.month), []).append(position)

    deliveries = _DeliveryIndex(
        delivered_by_key_and_month,
        {key for key, month in groups if month is None},
    )
    for group, positions in groups.items():
        ordered = orders.lines[group]
        billed_before = before_by_line.get(group, _ZERO)
        _check_amount(f"Order line {ordered.key}", "previously billed", billed_before)
        if ordered.month is None:
            # Month by month, so that each line sees the delivery to the end of its month.
            positions.sort(key=lambda position: lines[position].month)
        owed_by_month: dict[Month, Payable] = {}
        counted: Decimal | None = None  # the gap accounted for by the lines so far
        for count, position in enumerate(positions, start=1):
            line = lines[position]
            owed = owed_by_month.get(line.month)
            if owed is None:
                if ordered.month is None:
                    delivered = deliveries.to_date(ordered.key, line.month)
                    owed = payable(ordered, delivered, tolerances, through=line.month)
                else:
                    delivered = delivered_by_key_and_month.get(group)
                    owed = payable(ordered, delivered, tolerances)
                owed_by_month[line.month] = owed
            if counted is None:
                counted = max(billed_before - owed.amount, _ZERO)
            result = _judge(
                line,
                ordered,
                owed,
                billed_before,
                counted_before=counted,
                last=count == len(positions),
                tolerances=tolerances,
            )
            results[position] = result
            counted += result.difference
            billed_before += line.amount
    return [result for result in results if result is not None]


def check_invoice_total(
    lines: Sequence[BilledLine],
    stated_total: Decimal,
    tolerances: Tolerances = Tolerances(),  # frozen, so one shared default is safe
    *,
    currency: str | None = None,
) -> Discrepancy | None:
    """A discrepancy when the lines do not add up to the invoice's stated total beyond rounding.

    The stated total is the invoice's total before tax, in ``currency`` (by default the lines'
    currency). The discrepancy's amount is the stated total minus the sum of the lines; lines in
    another currency than the total's are a ``currency_mismatch`` (they cannot be added up).
    """
    _check_amount("Invoice", "stated total", stated_total)
    line_currencies = sorted({line.currency for line in lines})
    if currency is None:
        if not line_currencies:
            raise MatchingError("An invoice without lines needs its currency to check its total.")
        currency = line_currencies[0]
    else:
        currency = _currency("Invoice", currency)
    if line_currencies and line_currencies != [currency]:
        return Discrepancy(
            kind=DiscrepancyKind.CURRENCY_MISMATCH,
            amount=_ZERO,
            currency=currency,
            message=(
                f"The invoice's lines are in {' and '.join(line_currencies)}, its total in "
                f"{currency}: amounts in different currencies cannot add up to one total."
            ),
        )
    places = _places(currency)
    added = sum((line.amount for line in lines), _ZERO)
    gap = stated_total - added
    if abs(gap) <= tolerances.rounding(currency):
        return None
    more_or_less = "more" if gap > 0 else "less"
    return Discrepancy(
        kind=DiscrepancyKind.TOTAL_MISMATCH,
        amount=gap,
        currency=currency,
        message=(
            f"The invoice states a total of {_money(stated_total, currency)}, but its "
            f"{_count(len(lines), 'line')} add up to {_money(added, currency)}: the total is "
            f"{format_amount(abs(gap), places)} {more_or_less} than the lines."
        ),
    )


# --- matching one line ------------------------------------------------------------------------


def _refuse(
    line: BilledLine, ordered: OrderedLine | None, months: str | None
) -> MatchResult | None:
    """The result for a line that nothing can be paid on, or None when it can be compared."""
    money = _money(line.amount, line.currency)
    if ordered is None and months is None:
        return _not_payable(
            line,
            None,
            DiscrepancyKind.UNKNOWN_LINE,
            f"Billed {money} on {line.key}, which is on no order: nothing is payable until it "
            "is matched to an order line.",
        )
    if ordered is None or not ordered.covers(line.month):
        return _not_payable(
            line,
            ordered,
            DiscrepancyKind.MONTH_OUTSIDE_ORDER,
            f"Billed {money} for {_month_name(line.month)}, but the order for {line.key} "
            f"covers {months}: nothing is payable for {_month_name(line.month)}.",
        )
    if ordered.currency != line.currency:
        return _not_payable(
            line,
            ordered,
            DiscrepancyKind.CURRENCY_MISMATCH,
            f"Billed {money}, but {line.key} was ordered in {ordered.currency}: nothing is "
            f"payable until it is billed in {ordered.currency} (no currency is converted here).",
        )
    return None


def _not_payable(
    line: BilledLine, ordered: OrderedLine | None, kind: DiscrepancyKind, message: str
) -> MatchResult:
    nothing = Payable(
        amount=_ZERO,
        currency=line.currency,
        basis=PayableBasis.NOT_ORDERED,
        explanation=message,
    )
    return MatchResult(
        line=line,
        ordered=ordered,
        payable=nothing,
        billed_before=_ZERO,
        difference=line.amount,
        status=MatchStatus.DISCREPANCY,
        discrepancies=(Discrepancy(kind, line.amount, line.currency, message),),
    )


def _judge(
    line: BilledLine,
    ordered: OrderedLine,
    owed: Payable,
    billed_before: Decimal,
    *,
    counted_before: Decimal | None = None,
    last: bool,
    tolerances: Tolerances,
) -> MatchResult:
    """The line against the payable to date.

    ``counted_before`` is the gap the previous lines of the order line already accounted for
    (their differences, plus the over-billing known before the invoice); by default the
    over-billing of what was billed before.
    """
    tolerance = tolerances.for_model(ordered.cost_model)
    rounding = tolerance.rounding(line.currency)
    due = owed.amount
    after = billed_before + line.amount
    gap = after - due  # billed to date minus payable to date, after this line
    if counted_before is None:
        counted_before = max(billed_before - due, _ZERO)
    # Over-billing counts on every line; a shortfall only on the last (the rest may follow).
    difference = (gap if last else max(gap, _ZERO)) - counted_before

    discrepancies: list[Discrepancy] = []
    if line.amount < 0 and after < -rounding:
        discrepancies.append(_credit_exceeds(line, billed_before, after))
    elif gap > rounding and (last or difference > 0):
        discrepancies.append(
            _billing_gap(
                line, ordered.cost_model, owed, billed_before, gap, DiscrepancyKind.OVER_BILLED
            )
        )
    elif last and gap < -rounding:
        discrepancies.append(
            _billing_gap(
                line, ordered.cost_model, owed, billed_before, gap, DiscrepancyKind.UNDER_BILLED
            )
        )
    rate_check = (
        None if owed.basis is PayableBasis.AS_ORDERED else _rate_check(line, ordered, rounding)
    )
    if rate_check is not None:
        discrepancies.append(rate_check)
    return MatchResult(
        line=line,
        ordered=ordered,
        payable=owed,
        billed_before=billed_before,
        difference=difference,
        status=MatchStatus.DISCREPANCY if discrepancies else MatchStatus.MATCHED,
        discrepancies=tuple(discrepancies),
    )


def _billing_gap(
    line: BilledLine,
    model: CostModel,
    owed: Payable,
    billed_before: Decimal,
    gap: Decimal,
    kind: DiscrepancyKind,
) -> Discrepancy:
    currency = line.currency
    places = _places(currency)
    to_date = "" if billed_before == 0 else " to date"
    if line.amount < 0:
        billed = (
            f"A credit of {_money(-line.amount, currency)} brings billing to date to "
            f"{_money(billed_before + line.amount, currency)}"
        )
    elif billed_before == 0:
        billed = f"Billed {_money(line.amount, currency)}{_for_quantity(line, model)}"
    else:
        billed = (
            f"Billed {_money(line.amount, currency)}{_for_quantity(line, model)} after "
            f"{_money(billed_before, currency)} billed before"
        )
    which = "over-billed" if kind is DiscrepancyKind.OVER_BILLED else "under-billed"
    message = (
        f"{billed}, payable {_money(owed.amount, currency)}{to_date}: "
        f"{_clause(owed.explanation)} ({which} by {format_amount(abs(gap), places)}{to_date})."
    )
    return Discrepancy(kind, gap, currency, message)


def _credit_exceeds(line: BilledLine, billed_before: Decimal, after: Decimal) -> Discrepancy:
    currency = line.currency
    places = _places(currency)
    credit = _money(-line.amount, currency)
    if billed_before == 0:
        before = "nothing was billed on this order line before"
    else:
        before = f"only {_money(billed_before, currency)} was billed on this order line before"
    message = (
        f"A credit of {credit}, but {before}: the credit is "
        f"{format_amount(-after, places)} more than was billed."
    )
    return Discrepancy(DiscrepancyKind.CREDIT_EXCEEDS_BILLED, after, currency, message)


def _rate_check(line: BilledLine, ordered: OrderedLine, rounding: Decimal) -> Discrepancy | None:
    model = ordered.cost_model
    if line.quantity is None or line.quantity == 0 or model is CostModel.FLAT:
        return None
    currency = line.currency
    places = _places(currency)
    with localcontext() as context:
        context.prec = _PRECISION
        at_order_rate = _round(line.quantity * ordered.rate / _per(model), places)
        implied_rate = line.amount * _per(model) / line.quantity
    gap = line.amount - at_order_rate
    # Billing below the order's rate (a capped or discounted line) costs the client nothing;
    # a shortfall against the payable is reported as under-billing.
    if gap <= rounding:
        return None
    rate_places = max(2, _decimals(ordered.rate))
    message = (
        f"Billed {_money(line.amount, currency)} for "
        f"{_show_quantity(model, line.quantity)} {UNIT_LABELS[model]}, which is "
        f"{_rate_phrase(model, _round(implied_rate, rate_places), currency)}; at the order's "
        f"{_rate_phrase(model, ordered.rate, currency)} they cost "
        f"{_money(at_order_rate, currency)} (billed {format_amount(abs(gap), places)} "
        "more)."
    )
    return Discrepancy(DiscrepancyKind.RATE_DIFFERS, gap, currency, message)


def _for_quantity(line: BilledLine, model: CostModel) -> str:
    if line.quantity is None or model is CostModel.FLAT:
        return ""
    return f" for {_show_quantity(model, line.quantity)} {UNIT_LABELS[model]}"


# --- indexes ----------------------------------------------------------------------------------


class _OrderIndex:
    """Order lines by (key, month) and by key, so each invoice line is found in O(1)."""

    def __init__(self, ordered_lines: Iterable[OrderedLine]) -> None:
        self.lines: dict[LineMonth, OrderedLine] = {}
        self.by_key: dict[str, list[OrderedLine]] = {}
        for ordered in ordered_lines:
            slot = (ordered.key, ordered.month)
            if slot in self.lines:
                when = "its whole flight" if ordered.month is None else _month_name(ordered.month)
                raise MatchingError(f"Order line {ordered.key} is ordered twice for {when}.")
            self.lines[slot] = ordered
            self.by_key.setdefault(ordered.key, []).append(ordered)
        for key, same_key in self.by_key.items():
            if len(same_key) > 1 and any(ordered.month is None for ordered in same_key):
                raise MatchingError(
                    f"Order line {key} is ordered both for its whole flight and by month; "
                    "give one or the other."
                )

    def find(self, key: str, month: Month) -> OrderedLine | None:
        """The order line for ``key`` in ``month``; the key's whole-flight line else (which
        may not cover the month: the caller checks)."""
        ordered = self.lines.get((key, month))
        if ordered is not None:
            return ordered
        return self.lines.get((key, None))

    def months_phrase(self, key: str) -> str | None:
        same_key = self.by_key.get(key)
        return None if same_key is None else _months_phrase(same_key)


class _DeliveryIndex:
    """Delivery to date per whole-flight key: monthly figures summed up to a month."""

    def __init__(
        self,
        delivered: Mapping[LineMonth, Delivered],
        whole_flight_keys: set[str],
    ) -> None:
        self._delivered = delivered
        by_key: dict[str, list[tuple[Month, Delivered]]] = {}
        if whole_flight_keys:
            for (key, month), figures in delivered.items():
                if month is not None and key in whole_flight_keys:
                    by_key.setdefault(key, []).append((month, figures))
        self._months: dict[str, list[Month]] = {}
        self._quantities: dict[str, list[Decimal]] = {}
        self._spends: dict[str, list[Decimal | None]] = {}
        for key, monthly in by_key.items():
            monthly.sort(key=lambda item: item[0])
            self._months[key] = [month for month, _ in monthly]
            self._quantities[key] = list(accumulate(figures.quantity for _, figures in monthly))
            self._spends[key] = list(accumulate(_spends(monthly), _add_spend))

    def to_date(self, key: str, month: Month) -> Delivered | None:
        months = self._months.get(key)
        if months is None:
            return self._delivered.get((key, None))
        count = bisect_right(months, month)
        if count == 0:
            return Delivered(_ZERO)
        return Delivered(self._quantities[key][count - 1], self._spends[key][count - 1])


def _spends(monthly: list[tuple[Month, Delivered]]) -> list[Decimal | None]:
    return [figures.spend for _, figures in monthly]


def _add_spend(total: Decimal | None, spend: Decimal | None) -> Decimal | None:
    # Spend to date is only known while every month reported it.
    return None if total is None or spend is None else total + spend


# --- numbers and words ------------------------------------------------------------------------


def _pick(override: _T | None, general: _T) -> _T:
    return general if override is None else override


def _places(currency: str) -> int:
    return CURRENCY_MINOR_UNITS[currency]


def _per(model: CostModel) -> Decimal:
    return _PER_THOUSAND if model is CostModel.CPM else _ONE


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext() as context:
        context.prec = _PRECISION
        return value.quantize(_ONE.scaleb(-places), rounding=ROUND_HALF_UP)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _money(amount: Decimal, currency: str) -> str:
    return f"{format_amount(amount, _places(currency))} {currency}"


def _show_quantity(model: CostModel, quantity: Decimal) -> str:
    """1850000 -> '1,850,000'; GRPs always with 2 decimals: 114 -> '114.00'."""
    if model is CostModel.CPP:
        return f"{_round(quantity, 2):,}"
    if quantity == quantity.to_integral_value():
        return f"{_round(quantity, 0):,}"
    return f"{quantity.normalize():,f}"


def _show_rate(rate: Decimal, currency: str) -> str:
    return format_amount(rate, max(_places(currency), 2, _decimals(rate.normalize())))


def _rate_phrase(model: CostModel, rate: Decimal, currency: str) -> str:
    shown = _show_rate(rate, currency)
    if model is CostModel.PER_SPOT:
        return f"{shown} per spot"
    if model is CostModel.PER_INSERTION:
        return f"{shown} per insertion"
    return f"{COST_MODEL_LABELS[model]} {shown}"


def _show_percent(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


def _spend_words(delivered: Delivered | None, currency: str) -> str:
    if delivered is None or delivered.spend is None:
        return ""
    return f"; the platform reports {_money(delivered.spend, currency)} spent"


def _sentence(prefix: str, words: str) -> str:
    text = prefix + words if prefix else words[:1].upper() + words[1:]
    return text + "."


def _clause(sentence: str) -> str:
    """A sentence made to follow a colon: 'A flat fee is …' -> 'a flat fee is …'."""
    text = sentence.removesuffix(".")
    return text[:1].lower() + text[1:]


def _month_of(day: date) -> Month:
    return (day.year, day.month)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _day_name(day: date) -> str:
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def _month_name(month: Month) -> str:
    return f"{_MONTH_NAMES[month[1] - 1]} {month[0]}"


def _months_phrase(same_key: Sequence[OrderedLine]) -> str:
    """What an order covers, in words: a flight's dates, or the months ordered."""
    if len(same_key) == 1 and same_key[0].month is None:
        only = same_key[0]
        return f"{_day_name(only.start)} to {_day_name(only.end)}"
    months = sorted(ordered.month for ordered in same_key if ordered.month is not None)
    if len(months) <= 12:
        return ", ".join(_month_name(month) for month in months)
    return f"{len(months)} months from {_month_name(months[0])} to {_month_name(months[-1])}"
