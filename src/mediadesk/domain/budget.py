"""Budget: a plan's cost rolled up by channel, month, vendor and market, in one currency.

Placements may be booked in another currency than the plan. Their cost is converted month by
month with that month's exchange rate (rates are entered per client and month): a placement
running October to December in USD is converted with the USD→EUR rates of October, November and
December, each applied to the part of the cost that falls in its month (the slices of
``flighting.spread``).

A rate is "1 unit of currency_from is worth rate units of currency_to". Only the direction
entered is used, never its inverse: finance enters the rate its books use, and 1 ÷ 0.92 is not
a number anybody agreed to.

Conversions are exact (Decimal arithmetic with enough precision that nothing rounds); rounding
happens once, at the end, to the target currency's minor unit. The grand total is the exact sum
rounded half up; the parts of every roll-up (by channel, month, vendor, market) are rounded with
the largest-remainder rule so that they add up to that grand total exactly: every part is first
rounded down, and the cents still missing go one each to the parts with the largest remainders
(ties to the later key, as ``flighting.allocate`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import NamedTuple, TypeVar

from mediadesk.domain.flighting import Slice
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, MoneyError, check_currency

Month = tuple[int, int]  # (year, month)
RateKey = tuple[str, str, int, int]  # (currency_from, currency_to, year, month)

K = TypeVar("K", str, Month)  # a roll-up key: a name, or a month

# Enough digits that an amount (16 digits) times a rate (18 digits), summed over thousands of
# lines, never rounds before the final rounding to the minor unit.
_PRECISION = 80
_ONE = Decimal(1)
_ZERO = Decimal(0)
_PERCENT_STEP = Decimal("0.1")


class BudgetError(ValueError):
    """A rate or a line that cannot be used (unknown currency, a rate of zero or less)."""


def month_label(year: int, month: int) -> str:
    """(2026, 10) -> 'Oct 2026'."""
    return f"{date(year, month, 1):%b %Y}"


def flight_months(start: date, end: date) -> list[Month]:
    """Every calendar month the flight start … end touches, in order."""
    if end < start:
        raise BudgetError(
            f"The flight ends on {end.isoformat()}, before it starts on {start.isoformat()}."
        )
    months: list[Month] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class MissingRate(LookupError):
    """No rate for a currency pair in a month; the message says which rate to enter."""

    def __init__(self, currency_from: str, currency_to: str, year: int, month: int) -> None:
        self.currency_from = currency_from
        self.currency_to = currency_to
        self.year = year
        self.month = month
        super().__init__(f"Enter the {self.label} under Settings › FX rates.")

    @property
    def key(self) -> RateKey:
        return (self.currency_from, self.currency_to, self.year, self.month)

    @property
    def pair(self) -> str:
        return f"{self.currency_from}→{self.currency_to}"

    @property
    def month_text(self) -> str:
        return month_label(self.year, self.month)

    @property
    def label(self) -> str:
        """'USD→EUR rate for Oct 2026'."""
        return f"{self.pair} rate for {self.month_text}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def rates_to_enter(missing: Iterable[MissingRate], alternative: str = "") -> str:
    """One sentence naming every missing rate, grouped by currency pair.

    'Enter the USD→EUR rate for Oct 2026 under Settings › FX rates, or enter the placement in
    EUR.' With ``alternative`` empty the sentence ends after "FX rates".
    """
    by_pair: dict[str, list[MissingRate]] = {}
    for item in sorted({m.key: m for m in missing}.values(), key=lambda m: m.key):
        by_pair.setdefault(item.pair, []).append(item)
    parts = []
    for pair, items in by_pair.items():
        noun = "rate" if len(items) == 1 else "rates"
        parts.append(f"the {pair} {noun} for {_join([m.month_text for m in items])}")
    sentence = f"Enter {_join(parts)} under Settings › FX rates"
    if alternative:
        sentence += f", or {alternative}"
    return sentence + "."


class MissingRates(LookupError):
    """Every rate a conversion needed and did not find (``missing``, sorted by pair and month)."""

    def __init__(self, missing: Iterable[MissingRate]) -> None:
        unique = {item.key: item for item in missing}
        self.missing: tuple[MissingRate, ...] = tuple(unique[key] for key in sorted(unique))
        super().__init__(rates_to_enter(self.missing))


class Rates:
    """Exchange rates by (currency_from, currency_to, year, month); same currency is 1."""

    def __init__(self, rates: Mapping[RateKey, Decimal] | None = None) -> None:
        self._rates: dict[RateKey, Decimal] = {}
        for (source, target, year, month), rate in (rates or {}).items():
            try:
                key = (check_currency(source), check_currency(target), year, month)
            except MoneyError as exc:
                raise BudgetError(str(exc)) from exc
            if not 1 <= month <= 12:
                raise BudgetError(f"{month} is not a month; give 1 to 12.")
            if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
                raise BudgetError(
                    f"The {source}→{target} rate for {month_label(year, month)} is {rate}; "
                    "a rate must be a number above zero."
                )
            self._rates[key] = rate

    def __len__(self) -> int:
        return len(self._rates)

    def has(self, currency_from: str, currency_to: str, year: int, month: int) -> bool:
        return currency_from == currency_to or (
            (currency_from, currency_to, year, month) in self._rates
        )

    def rate(self, currency_from: str, currency_to: str, year: int, month: int) -> Decimal:
        """The rate, or MissingRate saying which one to enter."""
        if currency_from == currency_to:
            return _ONE
        try:
            return self._rates[(currency_from, currency_to, year, month)]
        except KeyError:
            raise MissingRate(currency_from, currency_to, year, month) from None


def _step(places: int) -> Decimal:
    return _ONE.scaleb(-places)


def _places_of(currency: str) -> int:
    try:
        return CURRENCY_MINOR_UNITS[check_currency(currency)]
    except MoneyError as exc:
        raise BudgetError(str(exc)) from exc


def convert(
    amount: Decimal,
    currency_from: str,
    currency_to: str,
    year: int,
    month: int,
    rates: Rates,
    places: int | None = None,
) -> Decimal:
    """The amount in currency_to at that month's rate, rounded half up to ``places`` decimals
    (the target currency's minor unit when not given)."""
    if places is None:
        places = _places_of(currency_to)
    rate = rates.rate(currency_from, currency_to, year, month)
    with localcontext() as context:
        context.prec = _PRECISION
        return (amount * rate).quantize(_step(places), rounding=ROUND_HALF_UP)


def convert_months(
    amounts: Mapping[Month, Decimal], currency_from: str, currency_to: str, rates: Rates
) -> Decimal:
    """The sum of amounts given per month, each converted at its month's rate, rounded once.

    Raises MissingRates naming every month without a rate.
    """
    places = _places_of(currency_to)
    missing: list[MissingRate] = []
    with localcontext() as context:
        context.prec = _PRECISION
        exact = _ZERO
        for (year, month), amount in sorted(amounts.items()):
            if amount == 0:
                continue
            try:
                exact += amount * rates.rate(currency_from, currency_to, year, month)
            except MissingRate as exc:
                missing.append(exc)
        if missing:
            raise MissingRates(missing)
        return exact.quantize(_step(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """A plan line as the budget sees it: where its money goes, and its cost spread over time."""

    channel: str
    vendor: str
    market: str
    currency: str
    slices: Sequence[Slice]  # the cost, spread by ``flighting.spread`` (calendar months)


@dataclass(frozen=True, slots=True)
class BudgetRollup:
    """Totals in ``currency``; every mapping's values add up to ``total`` exactly.

    Months run in date order; channels, vendors and markets largest first (then by name).
    """

    currency: str
    total: Decimal
    by_channel: Mapping[str, Decimal]
    by_month: Mapping[Month, Decimal]
    by_vendor: Mapping[str, Decimal]
    by_market: Mapping[str, Decimal]


def largest_remainder(exact: Mapping[K, Decimal], total: Decimal, places: int) -> dict[K, Decimal]:
    """Round each part to ``places`` decimals so that the parts add up to ``total`` exactly.

    ``total`` must be the sum of the exact parts rounded (half up or otherwise) to ``places``.
    Parts are rounded down; the missing units go to the largest remainders, ties to the later
    key in sorted order.
    """
    step = _step(places)
    keys = sorted(exact)
    with localcontext() as context:
        context.prec = _PRECISION
        floors = {key: exact[key].quantize(step, rounding=ROUND_FLOOR) for key in keys}
        units = (total - sum(floors.values(), _ZERO)) / step
        if units != units.to_integral_value() or not 0 <= units <= len(keys):
            raise BudgetError(
                f"The total {total} is not the parts' sum rounded to {places} decimals."
            )
        order = sorted(
            range(len(keys)),
            key=lambda i: (exact[keys[i]] - floors[keys[i]], i),
            reverse=True,
        )
        for i in order[: int(units)]:
            floors[keys[i]] += step
    return floors


def _largest_first(parts: dict[str, Decimal]) -> dict[str, Decimal]:
    return dict(sorted(parts.items(), key=lambda item: (-item[1], item[0])))


def rollup(lines: Iterable[BudgetLine], rates: Rates, target_currency: str) -> BudgetRollup:
    """Every line's cost in ``target_currency``, month by month, summed four ways.

    Raises MissingRates naming every (pair, month) that has cost and no rate.
    """
    target = check_currency(target_currency)
    places = CURRENCY_MINOR_UNITS[target]
    missing: list[MissingRate] = []
    cells: list[tuple[BudgetLine, Month, Decimal]] = []
    with localcontext() as context:
        context.prec = _PRECISION
        for line in lines:
            source = check_currency(line.currency)
            per_month: dict[Month, Decimal] = {}
            for piece in line.slices:
                per_month[piece.month] = per_month.get(piece.month, _ZERO) + piece.amount
            for month, amount in per_month.items():
                if amount == 0:
                    cells.append((line, month, _ZERO))
                    continue
                try:
                    rate = rates.rate(source, target, *month)
                except MissingRate as exc:
                    missing.append(exc)
                    continue
                cells.append((line, month, amount * rate))
        if missing:
            raise MissingRates(missing)
        total = sum((amount for _, _, amount in cells), _ZERO).quantize(
            _step(places), rounding=ROUND_HALF_UP
        )

        def by(key: Callable[[BudgetLine, Month], K]) -> dict[K, Decimal]:
            exact: dict[K, Decimal] = {}
            for line, month, amount in cells:
                group = key(line, month)
                exact[group] = exact.get(group, _ZERO) + amount
            return largest_remainder(exact, total, places)

        by_channel = by(lambda line, month: line.channel)
        by_month = by(lambda line, month: month)
        by_vendor = by(lambda line, month: line.vendor)
        by_market = by(lambda line, month: line.market)
    return BudgetRollup(
        currency=target,
        total=total,
        by_channel=_largest_first(by_channel),
        by_month=dict(sorted(by_month.items())),
        by_vendor=_largest_first(by_vendor),
        by_market=_largest_first(by_market),
    )


class BudgetStatus(NamedTuple):
    remaining: Decimal  # negative when over budget
    percent_used: Decimal | None  # one decimal; None when the budget is zero
    over: bool


def budget_status(budget: Decimal, planned: Decimal) -> BudgetStatus:
    """Planned against budget (both in the same currency)."""
    with localcontext() as context:
        context.prec = _PRECISION
        remaining = budget - planned
        percent = (
            None
            if budget == 0
            else (planned * 100 / budget).quantize(_PERCENT_STEP, rounding=ROUND_HALF_UP)
        )
    return BudgetStatus(remaining=remaining, percent_used=percent, over=planned > budget)
