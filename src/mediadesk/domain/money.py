"""Money: a Decimal amount with an ISO 4217 currency. Never a float.

Rounding happens only where the business defines it (presentation, accounting points), with
ROUND_HALF_UP to the currency's minor unit, as agencies and vendors round on invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Currencies agencies book in most; minor units per ISO 4217.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2,
    "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2,
    "INR": 2, "ISK": 0, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2,
    "NZD": 2, "PEN": 2, "PHP": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
    "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip

CURRENCIES: tuple[str, ...] = tuple(sorted(CURRENCY_MINOR_UNITS))


class MoneyError(ValueError):
    """A money value that cannot be taken as it is (unknown currency, not a number)."""


def check_currency(code: str) -> str:
    normalized = code.strip().upper()
    if normalized not in CURRENCY_MINOR_UNITS:
        raise MoneyError(
            f"{code!r} is not a currency mediadesk knows (use an ISO code such as EUR)."
        )
    return normalized


def to_decimal(value: object) -> Decimal:
    """A Decimal from an int, a str or a Decimal; floats are refused (they are not exact)."""
    if isinstance(value, bool | float):
        raise MoneyError(f"{value!r}: money must be given as text or Decimal, never as a float.")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise MoneyError(f"{value!r} is not a number.") from exc
    else:
        raise MoneyError(f"{value!r} is not a number.")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite number.")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", check_currency(self.currency))

    @property
    def minor_units(self) -> int:
        return CURRENCY_MINOR_UNITS[self.currency]

    def rounded(self) -> Money:
        """Rounded half-up to the currency's minor unit (cents, or whole yen)."""
        exponent = Decimal(1).scaleb(-self.minor_units)
        return Money(self.amount.quantize(exponent, rounding=ROUND_HALF_UP), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(
                f"Cannot combine {self.currency} and {other.currency} without an exchange rate."
            )

    def __str__(self) -> str:
        return f"{format_amount(self.rounded().amount, self.minor_units)} {self.currency}"


def format_amount(amount: Decimal, places: int = 2) -> str:
    """1234567.5 -> '1,234,567.50' (screen form; exports keep plain numbers)."""
    exponent = Decimal(1).scaleb(-places)
    return f"{amount.quantize(exponent, rounding=ROUND_HALF_UP):,.{places}f}"
