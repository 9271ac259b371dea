from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediadesk.domain.budget import (
    BudgetError,
    BudgetLine,
    MissingRate,
    MissingRates,
    Rates,
    budget_status,
    convert,
    convert_months,
    flight_months,
    largest_remainder,
    rates_to_enter,
    rollup,
)
from mediadesk.domain.flighting import Slice, spread
from mediadesk.domain.money import CURRENCY_MINOR_UNITS

D = Decimal


def line(
    cost: str,
    start: date,
    end: date,
    *,
    currency: str = "EUR",
    channel: str = "display",
    vendor: str = "Spiegel Media",
    market: str = "DE",
) -> BudgetLine:
    places = CURRENCY_MINOR_UNITS[currency]
    return BudgetLine(
        channel=channel,
        vendor=vendor,
        market=market,
        currency=currency,
        slices=spread(D(cost), start, end, places=places),
    )


# --- rates and conversion ---------------------------------------------------------------------


def test_rates_identity_lookup_and_missing_rate_sentence() -> None:
    rates = Rates({("USD", "EUR", 2026, 10): D("0.92")})
    assert rates.rate("EUR", "EUR", 2026, 10) == 1
    assert rates.rate("USD", "EUR", 2026, 10) == D("0.92")
    assert rates.has("USD", "EUR", 2026, 10) and not rates.has("USD", "EUR", 2026, 11)
    with pytest.raises(MissingRate) as caught:
        rates.rate("USD", "EUR", 2026, 11)
    assert caught.value.key == ("USD", "EUR", 2026, 11)
    assert str(caught.value) == "Enter the USD→EUR rate for Nov 2026 under Settings › FX rates."
    # The inverse is never guessed: EUR→USD needs its own rate.
    with pytest.raises(MissingRate, match="EUR→USD rate for Oct 2026"):
        rates.rate("EUR", "USD", 2026, 10)


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ({("USD", "EUR", 2026, 10): D("0")}, "above zero"),
        ({("USD", "EUR", 2026, 10): D("-1.2")}, "above zero"),
        ({("USD", "EUR", 2026, 13): D("1.2")}, "13 is not a month"),
        ({("XYZ", "EUR", 2026, 10): D("1.2")}, "'XYZ' is not a currency"),
    ],
)
def test_bad_rates_are_refused(
    rates: dict[tuple[str, str, int, int], Decimal], message: str
) -> None:
    with pytest.raises(BudgetError, match=message):
        Rates(rates)


def test_convert_rounds_half_up_to_the_target_minor_unit() -> None:
    rates = Rates({("USD", "EUR", 2026, 10): D("0.92345"), ("EUR", "JPY", 2026, 10): D("161.5")})
    assert convert(D("100.00"), "USD", "EUR", 2026, 10, rates) == D("92.35")  # 92.345 → 92.35
    assert convert(D("100.00"), "USD", "EUR", 2026, 10, rates, places=4) == D("92.3450")
    assert convert(D("10.01"), "EUR", "JPY", 2026, 10, rates) == D("1617")  # 1616.615 → 1617
    assert convert(D("12.345"), "EUR", "EUR", 2026, 10, rates) == D("12.35")


def test_conversion_is_exact_beyond_the_default_decimal_precision() -> None:
    # 16 digits × 18 digits is more than Decimal's default 28 digits; nothing may round early.
    rates = Rates({("USD", "EUR", 2026, 10): D("1234567890.12345678")})
    amount = D("99999999999999.99")
    # Exactly 123456789012345665654321.0987654322; the default context gives …321.0988.
    assert convert(amount, "USD", "EUR", 2026, 10, rates) == D("123456789012345665654321.10")
    assert convert(amount, "USD", "EUR", 2026, 10, rates, places=10) == D(
        "123456789012345665654321.0987654322"
    )


def test_flight_months() -> None:
    assert flight_months(date(2026, 11, 20), date(2027, 1, 3)) == [
        (2026, 11),
        (2026, 12),
        (2027, 1),
    ]
    assert flight_months(date(2026, 10, 1), date(2026, 10, 31)) == [(2026, 10)]
    with pytest.raises(BudgetError, match="before it starts"):
        flight_months(date(2026, 10, 2), date(2026, 10, 1))


def test_rates_to_enter_names_every_rate_grouped_by_pair() -> None:
    one = [MissingRate("USD", "EUR", 2026, 10)]
    assert rates_to_enter(one, "enter the placement in EUR") == (
        "Enter the USD→EUR rate for Oct 2026 under Settings › FX rates, "
        "or enter the placement in EUR."
    )
    many = [
        MissingRate("USD", "EUR", 2026, 11),
        MissingRate("GBP", "EUR", 2026, 10),
        MissingRate("USD", "EUR", 2026, 10),
        MissingRate("USD", "EUR", 2026, 10),
    ]
    assert str(MissingRates(many)) == (
        "Enter the GBP→EUR rate for Oct 2026 and the USD→EUR rates for Oct 2026 and Nov 2026 "
        "under Settings › FX rates."
    )
    assert [m.key for m in MissingRates(many).missing] == [
        ("GBP", "EUR", 2026, 10),
        ("USD", "EUR", 2026, 10),
        ("USD", "EUR", 2026, 11),
    ]


def test_convert_months_rounds_once_and_lists_missing_months() -> None:
    rates = Rates({("EUR", "USD", 2026, 10): D("1.0855"), ("EUR", "USD", 2026, 11): D("1.0905")})
    amounts = {(2026, 10): D("100.00"), (2026, 11): D("100.00"), (2026, 12): D("0.00")}
    # 108.55 + 109.05 = 217.60; December has nothing to convert, so needs no rate.
    assert convert_months(amounts, "EUR", "USD", rates) == D("217.60")
    with pytest.raises(MissingRates, match="EUR→USD rate for Dec 2026"):
        convert_months({(2026, 12): D("1.00")}, "EUR", "USD", rates)


# --- the roll-up ------------------------------------------------------------------------------


def test_worked_example_converts_month_by_month() -> None:
    """6,100 USD over Oct–Nov (100 a day) is 3,100 in October and 3,000 in November;
    at 0.92 and 0.95 that is 2,852.00 + 2,850.00 EUR."""
    rates = Rates({("USD", "EUR", 2026, 10): D("0.92"), ("USD", "EUR", 2026, 11): D("0.95")})
    lines = [
        line("6100.00", date(2026, 10, 1), date(2026, 11, 30), currency="USD",
             channel="social", vendor="Meta", market="US"),
        line("1000.00", date(2026, 10, 5), date(2026, 10, 25)),
    ]  # fmt: skip
    result = rollup(lines, rates, "EUR")
    assert result.currency == "EUR"
    assert result.total == D("6702.00")
    assert result.by_month == {(2026, 10): D("3852.00"), (2026, 11): D("2850.00")}
    assert result.by_channel == {"social": D("5702.00"), "display": D("1000.00")}
    assert list(result.by_channel) == ["social", "display"]  # largest first
    assert result.by_vendor == {"Meta": D("5702.00"), "Spiegel Media": D("1000.00")}
    assert result.by_market == {"US": D("5702.00"), "DE": D("1000.00")}


def test_one_currency_needs_no_rates_and_adds_up_to_the_costs() -> None:
    lines = [
        line("10000.00", date(2026, 9, 28), date(2026, 12, 20)),
        line("333.33", date(2026, 10, 1), date(2026, 10, 3), channel="radio", vendor="RMS"),
    ]
    result = rollup(lines, Rates(), "EUR")
    assert result.total == D("10333.33")
    assert sum(result.by_month.values()) == D("10333.33")
    assert list(result.by_month) == [(2026, 9), (2026, 10), (2026, 11), (2026, 12)]


def test_rounding_gives_the_missing_cent_to_the_largest_remainder() -> None:
    # Three lines of 1.00 USD at 0.333: 0.333 each, 0.999 in all → 1.00 EUR. Each part rounds
    # down to 0.33 and the missing cent goes to the last key (equal remainders).
    rates = Rates({("USD", "EUR", 2026, 10): D("0.333")})
    lines = [
        line("1.00", date(2026, 10, 5), date(2026, 10, 5), currency="USD", channel=name)
        for name in ("a", "b", "c")
    ]
    result = rollup(lines, rates, "EUR")
    assert result.total == D("1.00")
    assert result.by_channel == {"c": D("0.34"), "a": D("0.33"), "b": D("0.33")}
    assert result.by_month == {(2026, 10): D("1.00")}
    assert result.by_vendor == {"Spiegel Media": D("1.00")}


def test_largest_remainder_refuses_a_total_that_is_not_the_rounded_sum() -> None:
    assert largest_remainder({"a": D("0.5"), "b": D("0.5")}, D("1"), 0) == {"a": D(0), "b": D(1)}
    with pytest.raises(BudgetError, match="not the parts' sum"):
        largest_remainder({"a": D("0.5"), "b": D("0.5")}, D("3"), 0)


def test_missing_rates_are_all_named() -> None:
    rates = Rates({("USD", "EUR", 2026, 10): D("0.92")})
    lines = [
        line("6100.00", date(2026, 10, 1), date(2026, 12, 31), currency="USD"),
        line("500.00", date(2026, 11, 2), date(2026, 11, 8), currency="GBP"),
    ]
    with pytest.raises(MissingRates) as caught:
        rollup(lines, rates, "EUR")
    assert [m.key for m in caught.value.missing] == [
        ("GBP", "EUR", 2026, 11),
        ("USD", "EUR", 2026, 11),
        ("USD", "EUR", 2026, 12),
    ]


def test_a_dark_month_needs_no_rate() -> None:
    slices = [
        Slice(week=date(2026, 10, 26), month=(2026, 10), days=6, amount=D("100.00")),
        Slice(week=date(2026, 10, 26), month=(2026, 11), days=1, amount=D("0.00")),
    ]
    lines = [BudgetLine("display", "V", "DE", "USD", slices)]
    result = rollup(lines, Rates({("USD", "EUR", 2026, 10): D("0.9")}), "EUR")
    assert result.total == D("90.00")
    assert result.by_month == {(2026, 10): D("90.00"), (2026, 11): D("0.00")}


def test_budget_status() -> None:
    assert budget_status(D("1000.00"), D("250.00")) == (D("750.00"), D("25.0"), False)
    assert budget_status(D("1000.00"), D("1000.00")) == (D("0.00"), D("100.0"), False)
    status = budget_status(D("300.00"), D("400.00"))
    assert status.over and status.remaining == D("-100.00")
    assert status.percent_used == D("133.3")
    assert budget_status(D("0.00"), D("0.00")) == (D("0.00"), None, False)
    assert budget_status(D("0.00"), D("1.00")).over


# --- property: every dimension adds up to the same grand total ----------------------------------

CURRENCIES = ["EUR", "USD", "JPY", "KWD"]
FIRST = date(2026, 1, 1)


@st.composite
def budget_lines(draw: st.DrawFn) -> BudgetLine:
    currency = draw(st.sampled_from(CURRENCIES))
    places = CURRENCY_MINOR_UNITS[currency]
    start = FIRST + timedelta(days=draw(st.integers(0, 300)))
    end = start + timedelta(days=draw(st.integers(0, 120)))
    units = draw(st.integers(-(10**9), 10**11))
    return BudgetLine(
        channel=draw(st.sampled_from(["tv", "radio", "social", "search"])),
        vendor=draw(st.sampled_from(["A", "B", "C"])),
        market=draw(st.sampled_from(["DE", "AT", ""])),
        currency=currency,
        slices=spread(D(units).scaleb(-places), start, end, places=places),
    )


RATE_COUNT = len(CURRENCIES) ** 2 * 18  # every pair (and a few unused), Jan 2026 … Jun 2027
rate_values = st.decimals(
    min_value=D("0.00000001"), max_value=D("99999.99999999"), places=8, allow_nan=False
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(budget_lines(), max_size=8),
    target=st.sampled_from(CURRENCIES),
    drawn=st.lists(rate_values, min_size=RATE_COUNT, max_size=RATE_COUNT),
)
def test_every_dimension_sums_to_the_grand_total(
    lines: list[BudgetLine], target: str, drawn: list[Decimal]
) -> None:
    values = iter(drawn)
    table = {
        (source, to, year, month): next(values)
        for source in CURRENCIES
        for to in CURRENCIES
        for year, month in [(2026, m) for m in range(1, 13)] + [(2027, m) for m in range(1, 7)]
        if source != to
    }
    rates = Rates(table)
    result = rollup(lines, rates, target)
    step = D(1).scaleb(-CURRENCY_MINOR_UNITS[target])
    with localcontext() as context:
        context.prec = 100
        exact = sum(
            (
                piece.amount * rates.rate(ln.currency, target, *piece.month)
                for ln in lines
                for piece in ln.slices
            ),
            D(0),
        )
        assert result.total == exact.quantize(step, rounding=ROUND_HALF_UP)
    for parts in (result.by_channel, result.by_month, result.by_vendor, result.by_market):
        assert sum(parts.values(), D(0)) == result.total
        assert all(part == part.quantize(step) for part in parts.values())
