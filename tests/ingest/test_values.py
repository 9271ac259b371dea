from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.ingest.values import EMPTY_MARKERS, ValueProblem, parse_date, parse_decimal

GERMAN = str.maketrans({",": ".", ".": ","})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # US, German/Brazilian, French (three kinds of space), Swiss, Indian
        ("1,234.56", "1234.56"),
        ("1,663,964", "1663964"),
        ("247752.40", "247752.40"),
        ("1.234,56", "1234.56"),
        ("1.234.567,89", "1234567.89"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f032,84", "1032.84"),
        ("1'234.56", "1234.56"),
        ("1’234.56", "1234.56"),
        ("12,34,567.00", "1234567.00"),
        # percent keeps the number as written
        ("8.27%", "8.27"),
        ("19,62%", "19.62"),
        ("12,5 %", "12.5"),
        # negatives
        ("-1,234.00", "-1234.00"),
        ("(1,234.00)", "-1234.00"),
        ("1234-", "-1234"),
        ("−12", "-12"),
        ("+3", "3"),
        # money as text
        ("$1,234.00", "1234.00"),
        ("-$1,234.00", "-1234.00"),
        ("($1,234.00)", "-1234.00"),
        ("1.234,56 €", "1234.56"),
        ("€ 1.234,56", "1234.56"),
        ("R$ 1.234,56", "1234.56"),
        ("Rs.201.68", "201.68"),
        ("EUR 1.234,56", "1234.56"),
        ("1,234.56 USD", "1234.56"),
        ("£12", "12"),
        ("¥1,200", "1200"),
        # the fixed rules for a single separator
        ("1,234", "1234"),
        ("1,5", "1.5"),
        ("0,125", "0.125"),
        ("1234,567", "1234.567"),
        ("1.234", "1.234"),
        ("1.234.567", "1234567"),
        ("1 234", "1234"),
        # plain forms
        ("42", "42"),
        (" 0.5 ", "0.5"),
        (".5", "0.5"),
        ("1.23E+11", "123000000000"),
    ],
)
def test_numbers_in_every_locale(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


def test_text_keeps_its_decimal_places() -> None:
    assert str(parse_decimal("(1,234.00)")) == "-1234.00"


@pytest.mark.parametrize("marker", [*sorted(EMPTY_MARKERS), None, "  ", "N/A ", "NULL", "None"])
def test_empty_markers_are_none(marker: str | None) -> None:
    assert parse_decimal(marker) is None
    assert parse_date(marker) is None


def test_empty_markers_are_the_agreed_set() -> None:
    assert {"", "-", "--", " --", "—", "n/a", "N/A", "(not set)", "null", "none"} <= EMPTY_MARKERS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"),
        (1234.0, "1234"),
        (100.0, "100"),
        (-0.0, "0"),
        (1e16, "10000000000000000"),
        (247752.4, "247752.4"),
        (42, "42"),
        (Decimal("3.50"), "3.50"),
    ],
)
def test_reader_numbers(value: object, expected: str) -> None:
    result = parse_decimal(value)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12,5x", "'12,5x' is not a number."),
        ("1,2,3", "'1,2,3' is not a number."),
        ("10,000,00", "'10,000,00' is not a number."),
        ("1.234.56", "'1.234.56' is not a number."),
        ("1 234.567,89", "'1 234.567,89' is not a number."),
        ("--5", "'--5' is not a number."),
        ("(-5)", "'(-5)' is not a number."),
        ("$", "'$' is not a number."),
        ("#DIV/0!", "'#DIV/0!' is not a number."),
        ("NaN", "'NaN' is not a number."),
        (True, "True is a yes/no value, not a number."),
        (float("nan"), "nan is not a finite number."),
        (Decimal("Infinity"), "Decimal('Infinity') is not a finite number."),
        (date(2026, 1, 1), "datetime.date(2026, 1, 1) is not a number."),
    ],
)
def test_bad_numbers_are_named(value: object, message: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_decimal(value)
    assert str(caught.value) == message


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_us_format_round_trips(amount: Decimal) -> None:
    assert parse_decimal(format(amount, ",.2f")) == amount


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_german_format_round_trips(amount: Decimal) -> None:
    assert parse_decimal(format(amount, ",.2f").translate(GERMAN)) == amount


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_floats_read_as_their_shortest_repr(number: float) -> None:
    assert parse_decimal(number) == Decimal(repr(number))


# --- dates ------------------------------------------------------------------------------------

OCT_1 = date(2026, 10, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-01",
        "2026/10/01",
        "2026-10-01T00:00:00",
        "2026-10-01 00:00:00",
        "2026-10-01T12:30:00Z",
        "20261001",
        "10/01/2026",
        "10/1/26",
        "10/01/2026 12:00:00 AM",
        "01.10.2026",
        "1.10.2026",
        # English
        "Oct 1, 2026",
        "October 1, 2026",
        "1 Oct 2026",
        "01-Oct-2026",
        "Thursday, October 1, 2026",
        # German
        "1. Oktober 2026",
        "1. Okt. 2026",
        # French
        "1 oct. 2026",
        "1er octobre 2026",
        # Spanish
        "1 de octubre de 2026",
        "1-oct-2026",
        # Portuguese
        "1 de outubro de 2026",
        "01/out/2026",
    ],
)
def test_date_forms(text: str) -> None:
    assert parse_date(text) == OCT_1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 janv. 2026", date(2026, 1, 3)),
        ("3 févr. 2026", date(2026, 2, 3)),
        ("3. März 2026", date(2026, 3, 3)),
        ("3 août 2026", date(2026, 8, 3)),
        ("3. Dezember 2026", date(2026, 12, 3)),
        ("3 déc. 2026", date(2026, 12, 3)),
        ("3 de diciembre de 2026", date(2026, 12, 3)),
        ("3 de março de 2026", date(2026, 3, 3)),
        ("3 de fevereiro de 2026", date(2026, 2, 3)),
        ("3 mayo 2026", date(2026, 5, 3)),
        ("Feb 1, 2020", date(2020, 2, 1)),
    ],
)
def test_month_names_in_five_languages(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_slashed_dates_are_month_first_unless_told() -> None:
    assert parse_date("10/01/2026") == date(2026, 10, 1)
    assert parse_date("10/01/2026", day_first=True) == date(2026, 1, 10)
    assert parse_date("10/01/2026", day_first=False) == date(2026, 10, 1)


def test_a_number_above_12_settles_the_order() -> None:
    assert parse_date("25/10/2026") == date(2026, 10, 25)
    assert parse_date("10/25/2026", day_first=True) == date(2026, 10, 25)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45566, date(2024, 10, 1)),
        (45566.0, date(2024, 10, 1)),
        (45566.75, date(2024, 10, 1)),
        (Decimal("45566"), date(2024, 10, 1)),
        ("45566", date(2024, 10, 1)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_excel_serials(value: object, expected: date) -> None:
    assert parse_date(value) == expected


def test_date_objects_pass_through() -> None:
    assert parse_date(OCT_1) == OCT_1
    assert parse_date(datetime(2026, 10, 1, 13, 45)) == OCT_1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (60, "60 is 29 February 1900 in Excel, a day that did not exist."),
        ("60", "'60' is 29 February 1900 in Excel, a day that did not exist."),
        (0, "0 is outside the range of Excel dates (1 to 2958465)."),
        (2958466, "2958466 is outside the range of Excel dates (1 to 2958465)."),
        ("2026-02-30", "'2026-02-30' is not a valid date (day is out of range for month)."),
        ("31.04.2026", "'31.04.2026' is not a valid date (day is out of range for month)."),
        (
            "next Tuesday",
            "'next Tuesday' is not a date (mediadesk reads 2026-10-01, 10/01/2026, 01.10.2026, "
            "1 Oct 2026, Oct 1 2026 and Excel date numbers).",
        ),
        (
            "Oct 2026",
            "'Oct 2026' is not a date (mediadesk reads 2026-10-01, 10/01/2026, 01.10.2026, "
            "1 Oct 2026, Oct 1 2026 and Excel date numbers).",
        ),
        (True, "True is a yes/no value, not a date."),
    ],
)
def test_bad_dates_are_named(value: object, message: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date(value)
    assert str(caught.value) == message
