from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.money import Money, MoneyError, format_amount, to_decimal


def test_money_is_exact_decimal() -> None:
    total = Money(Decimal("0.10"), "EUR") + Money("0.20", "eur")
    assert total == Money(Decimal("0.30"), "EUR")
    assert str(total) == "0.30 EUR"


def test_floats_are_refused() -> None:
    with pytest.raises(MoneyError, match="never as a float"):
        Money(0.1, "EUR")  # type: ignore[arg-type]


def test_unknown_currency_is_named() -> None:
    with pytest.raises(MoneyError, match="'EURO' is not a currency"):
        Money(Decimal(1), "EURO")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(MoneyError, match="EUR and USD"):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234567.005", "EUR", "1,234,567.01 EUR"),
        ("2.5", "JPY", "3 JPY"),
        ("-0.125", "USD", "-0.13 USD"),
        ("1.0005", "KWD", "1.001 KWD"),
    ],
)
def test_rounding_half_up_to_minor_units(amount: str, currency: str, shown: str) -> None:
    assert str(Money(Decimal(amount), currency)) == shown


def test_to_decimal_names_the_bad_value() -> None:
    with pytest.raises(MoneyError, match="'12,5x' is not a number"):
        to_decimal("12,5x")
    with pytest.raises(MoneyError, match="finite"):
        to_decimal("NaN")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False))
def test_rounding_moves_less_than_half_a_cent(amount: Decimal) -> None:
    rounded = Money(amount, "EUR").rounded().amount
    assert abs(rounded - amount) <= Decimal("0.005")
    assert format_amount(rounded).replace(",", "") == f"{rounded:.2f}"
