"""Month-end close: the five numbers of every placement and month, with accruals and variances.

The ledger holds, per placement and month (a ``LedgerLine``), five gross amounts in the
placement's currency: **planned** (the approved plan), **booked** (the signed IO), **delivered**
(the gross value of what ran, e.g. ``matching.payable(...).amount``), **invoiced** (what vendors
billed for that month) and **paid** (what was paid against it), plus the agency commission
percent of the placement. Amounts belong to the month of *service*, not the date of the invoice
or payment: a credit note for October lands on October's line.

**Gross, net, commission.** Every money figure is a ``Figure`` of gross, net and commission.
Net is gross × (1 − commission% / 100), rounded half up (away from zero) to the currency's
minor unit (cents; whole yen) once per placement and month; commission is gross − net, so
gross = net + commission exactly. Totals, cumulative figures and roll-ups are sums of those
rounded placement-month figures, never re-rounded: every total equals the sum of its lines to
the cent, and the net of a total may differ by cents from its gross × (1 − commission%).

**Accrual and over-invoicing.** The accrual of a line is what was delivered but not yet
invoiced: delivered − invoiced when that is positive (gross, net and commission each taken as
that difference), else zero. ``over_invoiced`` is the opposite side: invoiced − delivered when
positive. So delivered − invoiced = accrual − over_invoiced on every line and every total.
A total's accrual is the sum of its placements' accruals: an over-invoiced placement never
hides another placement's accrual. In ``close_to_date`` the accrual is worked out on each
placement's cumulative figures, so an invoice that catches up in November clears October's
accrual (the month view of November then shows that catch-up as over-invoiced for November).

**Variances** (each a ``Figure``, signed): booked − planned, delivered − booked,
invoiced − delivered and paid − invoiced (negative: still to pay).

**Credits.** Invoiced and paid may be negative (a credit note larger than that month's billing,
a refund); they enter every sum with their sign, and a negative invoiced raises the accrual.
Planned, booked and delivered are never negative.

**Currencies** are never added: totals are kept per currency (``CloseReport.totals``); convert
with ``budget.convert`` before the ledger when one currency is wanted.

**Export.** ``close_rows`` flattens a report into plain rows under ``CLOSE_COLUMNS`` (gross,
net and commission of every figure, then one "Total" row per currency) for the CSV/XLSX
writers, which neutralize formula injection.

**Malformed input** raises ``CloseError`` (a ``ValueError``): a float or other non-Decimal
amount, an amount with more decimals than the currency has, an unknown currency, a negative
planned/booked/delivered amount, a commission outside 0–100%, a month that is not (year, 1–12),
the same placement twice in one month, one placement in two currencies, and, in
``close_month``, a line of another month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Literal

from mediadesk.domain.budget import Month
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, MoneyError, check_currency

# Enough digits that no sum of amounts ever rounds.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

RollupBy = Literal["placement", "campaign", "vendor"]


class CloseError(ValueError):
    """Ledger input the close cannot use; the message says which line and why."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A money figure three ways; gross = net + commission exactly."""

    gross: Decimal
    net: Decimal
    commission: Decimal

    def __add__(self, other: Figure) -> Figure:
        return Figure(
            _CONTEXT.add(self.gross, other.gross),
            _CONTEXT.add(self.net, other.net),
            _CONTEXT.add(self.commission, other.commission),
        )

    def __sub__(self, other: Figure) -> Figure:
        return Figure(
            _CONTEXT.subtract(self.gross, other.gross),
            _CONTEXT.subtract(self.net, other.net),
            _CONTEXT.subtract(self.commission, other.commission),
        )


ZERO = Figure(_ZERO, _ZERO, _ZERO)


def split(gross: Decimal, commission_percent: Decimal, currency: str) -> Figure:
    """Gross into net and commission: net rounded half up to the currency's minor unit."""
    step = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[currency])
    exact = _CONTEXT.divide(_CONTEXT.multiply(gross, _HUNDRED - commission_percent), _HUNDRED)
    net = exact.quantize(step, rounding=ROUND_HALF_UP, context=_CONTEXT)
    return Figure(gross, net, _CONTEXT.subtract(gross, net))


def month_name(month: Month) -> str:
    """(2026, 10) -> 'October 2026'."""
    return f"{_MONTH_NAMES[month[1] - 1]} {month[0]}"


def _check_month(where: str, month: object) -> Month:
    if (
        not isinstance(month, tuple)
        or len(month) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in month)
        or not 1 <= month[1] <= 12
    ):
        raise CloseError(f"{where}: {month!r} is not a month; give (year, month).")
    return (month[0], month[1])


def _check_amount(where: str, name: str, value: object, places: int, signed: bool) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        kind = "a float" if isinstance(value, float) else repr(value)
        raise CloseError(f"{where}: the {name} must be a Decimal number, not {kind}.")
    step = Decimal(1).scaleb(-places)
    try:
        rounded = value.quantize(step, context=_CONTEXT)
    except InvalidOperation:
        raise CloseError(f"{where}: the {name} {value} is too large.") from None
    if rounded != value:
        raise CloseError(
            f"{where}: the {name} {value} has more than {places} decimals for its currency."
        )
    if not signed and rounded < 0:
        raise CloseError(f"{where}: the {name} cannot be negative; {value} was given.")
    return rounded


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One placement's five gross amounts for one month (module docstring)."""

    key: str  # the placement
    month: Month
    currency: str
    planned_gross: Decimal
    booked_gross: Decimal  # the IO
    delivered_gross: Decimal  # the payable value of what ran
    invoiced_gross: Decimal  # net of credit notes; may be negative
    paid_gross: Decimal  # may be negative (a refund)
    commission_percent: Decimal = _ZERO  # agency commission, % of gross

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise CloseError(f"A ledger line needs a placement key; {self.key!r} was given.")
        where = f"Placement {self.key}"
        month = _check_month(where, self.month)
        where = f"Placement {self.key}, {month_name(month)}"
        try:
            currency = check_currency(self.currency)
        except (MoneyError, AttributeError):
            raise CloseError(
                f"{where}: {self.currency!r} is not a currency mediadesk knows "
                "(use an ISO code such as EUR)."
            ) from None
        places = CURRENCY_MINOR_UNITS[currency]
        percent = self.commission_percent
        if isinstance(percent, float) or not isinstance(percent, Decimal):
            raise CloseError(f"{where}: the commission percent must be a Decimal, not {percent!r}.")
        if not percent.is_finite() or not 0 <= percent < 100:
            raise CloseError(
                f"{where}: the commission is {percent}%; give a percentage from 0 up to "
                "(not including) 100."
            )
        object.__setattr__(self, "month", month)
        object.__setattr__(self, "currency", currency)
        for name, label, signed in (
            ("planned_gross", "planned amount", False),
            ("booked_gross", "booked amount", False),
            ("delivered_gross", "delivered value", False),
            ("invoiced_gross", "invoiced amount", True),
            ("paid_gross", "paid amount", True),
        ):
            value = _check_amount(where, label, getattr(self, name), places, signed)
            object.__setattr__(self, name, value)


@dataclass(frozen=True, slots=True)
class CloseFigures:
    """The five numbers, accrual, over-invoicing and variances, each gross/net/commission."""

    planned: Figure
    booked: Figure
    delivered: Figure
    invoiced: Figure
    paid: Figure
    accrual: Figure  # delivered − invoiced when positive
    over_invoiced: Figure  # invoiced − delivered when positive
    booked_vs_planned: Figure
    delivered_vs_booked: Figure
    invoiced_vs_delivered: Figure
    paid_vs_invoiced: Figure


@dataclass(frozen=True, slots=True)
class CloseLine(CloseFigures):
    """One placement in one month (``close_month``) or through a month (``close_to_date``)."""

    key: str
    month: Month
    currency: str
    commission_percent: Decimal | None  # None when it changed between months (to date)


@dataclass(frozen=True, slots=True)
class CloseTotals(CloseFigures):
    """The sum of ``lines`` close lines in one currency; every figure is their exact sum."""

    currency: str
    lines: int


@dataclass(frozen=True, slots=True)
class CloseReport:
    month: Month
    to_date: bool  # cumulative through ``month``
    lines: tuple[CloseLine, ...]  # by placement key
    totals: Mapping[str, CloseTotals]  # by currency, in alphabetical order

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(self.totals)


@dataclass(frozen=True, slots=True)
class FiveNumbers:
    """The campaign page's glance: the five totals in one currency."""

    currency: str
    placements: int
    planned: Figure
    booked: Figure
    delivered: Figure
    invoiced: Figure
    paid: Figure


def _close_line(
    key: str,
    month: Month,
    currency: str,
    percent: Decimal | None,
    five: tuple[Figure, Figure, Figure, Figure, Figure],
) -> CloseLine:
    planned, booked, delivered, invoiced, paid = five
    unbilled = delivered - invoiced
    return CloseLine(
        planned=planned,
        booked=booked,
        delivered=delivered,
        invoiced=invoiced,
        paid=paid,
        accrual=unbilled if unbilled.gross > 0 else ZERO,
        over_invoiced=invoiced - delivered if unbilled.gross < 0 else ZERO,
        booked_vs_planned=booked - planned,
        delivered_vs_booked=delivered - booked,
        invoiced_vs_delivered=invoiced - delivered,
        paid_vs_invoiced=paid - invoiced,
        key=key,
        month=month,
        currency=currency,
        commission_percent=percent,
    )


def _five(line: LedgerLine) -> tuple[Figure, Figure, Figure, Figure, Figure]:
    percent, currency = line.commission_percent, line.currency
    return (
        split(line.planned_gross, percent, currency),
        split(line.booked_gross, percent, currency),
        split(line.delivered_gross, percent, currency),
        split(line.invoiced_gross, percent, currency),
        split(line.paid_gross, percent, currency),
    )


def _checked(lines: Iterable[LedgerLine]) -> list[LedgerLine]:
    """The lines, refusing anything but LedgerLines, a placement twice in a month and a
    placement in two currencies."""
    result: list[LedgerLine] = []
    seen: set[tuple[str, Month]] = set()
    currency_of: dict[str, str] = {}
    for line in lines:
        if not isinstance(line, LedgerLine):
            raise CloseError(f"{line!r} is not a LedgerLine.")
        slot = (line.key, line.month)
        if slot in seen:
            raise CloseError(
                f"Placement {line.key} appears twice for {month_name(line.month)}; "
                "give one line per placement and month."
            )
        seen.add(slot)
        known = currency_of.setdefault(line.key, line.currency)
        if known != line.currency:
            raise CloseError(
                f"Placement {line.key} is in both {known} and {line.currency}; a placement "
                "has one currency."
            )
        result.append(line)
    return result


def _accumulate(sums: dict[str, list[Figure]], slot: str, five: Sequence[Figure]) -> None:
    known = sums.get(slot)
    sums[slot] = list(five) if known is None else [a + b for a, b in zip(known, five, strict=True)]


def _totals(currency: str, lines: Sequence[CloseFigures]) -> CloseTotals:
    sums = [ZERO] * 11
    for line in lines:
        parts = (
            line.planned,
            line.booked,
            line.delivered,
            line.invoiced,
            line.paid,
            line.accrual,
            line.over_invoiced,
            line.booked_vs_planned,
            line.delivered_vs_booked,
            line.invoiced_vs_delivered,
            line.paid_vs_invoiced,
        )
        sums = [total + part for total, part in zip(sums, parts, strict=True)]
    return CloseTotals(
        planned=sums[0],
        booked=sums[1],
        delivered=sums[2],
        invoiced=sums[3],
        paid=sums[4],
        accrual=sums[5],
        over_invoiced=sums[6],
        booked_vs_planned=sums[7],
        delivered_vs_booked=sums[8],
        invoiced_vs_delivered=sums[9],
        paid_vs_invoiced=sums[10],
        currency=currency,
        lines=len(lines),
    )


def _report(month: Month, to_date: bool, lines: list[CloseLine]) -> CloseReport:
    lines.sort(key=lambda line: (line.key, line.currency))
    by_currency: dict[str, list[CloseLine]] = {}
    for line in lines:
        by_currency.setdefault(line.currency, []).append(line)
    totals = {code: _totals(code, by_currency[code]) for code in sorted(by_currency)}
    return CloseReport(month=month, to_date=to_date, lines=tuple(lines), totals=totals)


def close_month(lines: Iterable[LedgerLine], month: Month) -> CloseReport:
    """The close of one month: every line must be of ``month``."""
    month = _check_month("The close", month)
    closed: list[CloseLine] = []
    for line in _checked(lines):
        if line.month != month:
            raise CloseError(
                f"Placement {line.key}: a line of {month_name(line.month)} in the close of "
                f"{month_name(month)}; pass that month's lines only."
            )
        closed.append(
            _close_line(line.key, month, line.currency, line.commission_percent, _five(line))
        )
    return _report(month, False, closed)


def close_to_date(lines: Iterable[LedgerLine], month: Month) -> CloseReport:
    """Each placement's figures summed over every month up to and including ``month``
    (later months are left out); accruals are worked out on those cumulative figures."""
    month = _check_month("The close", month)
    sums: dict[str, list[Figure]] = {}
    currency_of: dict[str, str] = {}
    percents: dict[str, set[Decimal]] = {}
    for line in _checked(lines):
        if line.month > month:
            continue
        five = _five(line)
        _accumulate(sums, line.key, five)
        currency_of[line.key] = line.currency
        percents.setdefault(line.key, set()).add(line.commission_percent)
    closed: list[CloseLine] = []
    for key, (planned, booked, delivered, invoiced, paid) in sums.items():
        percent = next(iter(percents[key])) if len(percents[key]) == 1 else None
        five = (planned, booked, delivered, invoiced, paid)
        closed.append(_close_line(key, month, currency_of[key], percent, five))
    return _report(month, True, closed)


def rollup(
    report: CloseReport,
    by: RollupBy = "placement",
    groups: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], CloseTotals]:
    """The report's lines summed by (group, currency), in that order.

    ``by="placement"`` groups by placement key; for "campaign" or "vendor" the caller gives
    ``groups``, placement key → campaign or vendor. Accruals are summed placement by placement.
    """
    if by not in ("placement", "campaign", "vendor"):
        raise CloseError(f"Cannot roll up by {by!r}; use placement, campaign or vendor.")
    if by != "placement" and groups is None:
        raise CloseError(f"Rolling up by {by} needs the {by} of every placement.")
    grouped: dict[tuple[str, str], list[CloseLine]] = {}
    for line in report.lines:
        if groups is None or by == "placement":
            group = line.key
        else:
            found = groups.get(line.key)
            if found is None:
                raise CloseError(f"Placement {line.key} has no {by}; add it to the groups.")
            group = found
        grouped.setdefault((group, line.currency), []).append(line)
    return {slot: _totals(slot[1], grouped[slot]) for slot in sorted(grouped)}


_FIGURE_COLUMNS = (
    ("planned", "Planned"),
    ("booked", "Booked"),
    ("delivered", "Delivered"),
    ("invoiced", "Invoiced"),
    ("paid", "Paid"),
    ("accrual", "Accrual"),
    ("over_invoiced", "Over-invoiced"),
    ("booked_vs_planned", "Booked vs planned"),
    ("delivered_vs_booked", "Delivered vs booked"),
    ("invoiced_vs_delivered", "Invoiced vs delivered"),
    ("paid_vs_invoiced", "Paid vs invoiced"),
)

CLOSE_COLUMNS: tuple[str, ...] = (
    "Placement",
    "Month",
    "Currency",
    "Commission %",
    *(f"{label} {part}" for _, label in _FIGURE_COLUMNS for part in ("gross", "net", "commission")),
)


def close_rows(report: CloseReport) -> list[tuple[str | Decimal | None, ...]]:
    """The report as plain rows under ``CLOSE_COLUMNS`` (for the CSV/XLSX writers, which
    neutralize formula injection): one row per line, then a "Total" row per currency."""
    month = f"{report.month[0]:04d}-{report.month[1]:02d}"
    if report.to_date:
        month = f"to {month}"

    def figures(item: CloseFigures) -> tuple[Decimal, ...]:
        values: list[Decimal] = []
        for name, _ in _FIGURE_COLUMNS:
            figure: Figure = getattr(item, name)
            values.extend((figure.gross, figure.net, figure.commission))
        return tuple(values)

    rows: list[tuple[str | Decimal | None, ...]] = [
        (line.key, month, line.currency, line.commission_percent, *figures(line))
        for line in report.lines
    ]
    rows.extend(
        ("Total", month, code, None, *figures(totals)) for code, totals in report.totals.items()
    )
    return rows


def five_numbers_by_currency(lines: Iterable[LedgerLine]) -> dict[str, FiveNumbers]:
    """The five totals of all ``lines`` (all months given), one entry per currency."""
    sums: dict[str, list[Figure]] = {}
    keys: dict[str, set[str]] = {}
    for line in _checked(lines):
        five = _five(line)
        _accumulate(sums, line.currency, five)
        keys.setdefault(line.currency, set()).add(line.key)
    result: dict[str, FiveNumbers] = {}
    for code in sorted(sums):
        planned, booked, delivered, invoiced, paid = sums[code]
        result[code] = FiveNumbers(
            code, len(keys[code]), planned, booked, delivered, invoiced, paid
        )
    return result


def five_numbers(lines: Iterable[LedgerLine]) -> FiveNumbers:
    """The campaign page's five totals; the lines must share one currency."""
    by_currency = five_numbers_by_currency(lines)
    if not by_currency:
        raise CloseError("No ledger lines: there are no five numbers to show yet.")
    if len(by_currency) > 1:
        raise CloseError(
            f"The lines are in {', '.join(by_currency)}; amounts in different currencies are "
            "not added. Use five_numbers_by_currency, or convert first."
        )
    return next(iter(by_currency.values()))
