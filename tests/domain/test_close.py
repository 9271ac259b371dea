from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediadesk.domain.close import (
    CLOSE_COLUMNS,
    ZERO,
    CloseError,
    CloseFigures,
    Figure,
    LedgerLine,
    close_month,
    close_rows,
    close_to_date,
    five_numbers,
    five_numbers_by_currency,
    rollup,
    split,
)
from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.matching import Delivered, OrderedLine, payable

D = Decimal
OCT = (2026, 10)
NOV = (2026, 11)
DEC = (2026, 12)


def fig(gross: str, net: str, commission: str) -> Figure:
    return Figure(D(gross), D(net), D(commission))


def ledger(
    key: str,
    month: tuple[int, int],
    planned: str,
    booked: str,
    delivered: str,
    invoiced: str,
    paid: str,
    commission: str = "15",
    currency: str = "EUR",
) -> LedgerLine:
    return LedgerLine(
        key=key,
        month=month,
        currency=currency,
        planned_gross=D(planned),
        booked_gross=D(booked),
        delivered_gross=D(delivered),
        invoiced_gross=D(invoiced),
        paid_gross=D(paid),
        commission_percent=D(commission),
    )


def delivered_value(model: CostModel, rate: str, quantity: str, cost: str, ran: str) -> str:
    """The payable for what ran, as the 3-way match works it out."""
    ordered = OrderedLine(
        key="x",
        cost_model=model,
        rate=D(rate),
        quantity=D(quantity),
        cost=D(cost),
        currency="EUR",
        month=None,
        start=date(2026, 10, 1),
        end=date(2026, 11, 30),
    )
    return str(payable(ordered, Delivered(D(ran))).amount)


# The worked example: three placements over October and November 2026, in EUR.
# P1 CPM 10.00 at 15% commission: planned 1,000,000 impressions a month; the October IO was
#   signed for 950,000 (9,500.00); 925,000 ran (under-delivered: 9,250.00), invoiced and paid
#   in full. November: booked 1,000,000, 980,500 ran (9,805.00), not yet invoiced: an accrual.
# P2 flat-fee sponsorship, no commission: 5,000.00 a month; October paid 2,000.00 only.
# P3 per spot at 350.10, 15%: 40 spots planned and booked (14,004.00) a month. October: 37
#   aired (12,953.70) but billed as booked: over-invoiced by 1,050.30. November: 40 aired,
#   billed 14,004.00, paid 10,000.10 (a partial payment).
P1_OCT = delivered_value(CostModel.CPM, "10.00", "950000", "9500.00", "925000")
P1_NOV = delivered_value(CostModel.CPM, "10.00", "1000000", "10000.00", "980500")
P2_FEE = delivered_value(CostModel.FLAT, "5000.00", "1", "5000.00", "0")
P3_OCT = delivered_value(CostModel.PER_SPOT, "350.10", "40", "14004.00", "37")
P3_NOV = delivered_value(CostModel.PER_SPOT, "350.10", "40", "14004.00", "40")

EXAMPLE = [
    ledger("P1", OCT, "10000.00", "9500.00", P1_OCT, "9250.00", "9250.00"),
    ledger("P1", NOV, "10000.00", "10000.00", P1_NOV, "0", "0"),
    ledger("P2", OCT, "5000.00", "5000.00", P2_FEE, "5000.00", "2000.00", commission="0"),
    ledger("P2", NOV, "5000.00", "5000.00", P2_FEE, "5000.00", "5000.00", commission="0"),
    ledger("P3", OCT, "14004.00", "14004.00", P3_OCT, "14004.00", "0"),
    ledger("P3", NOV, "14004.00", "14004.00", P3_NOV, "14004.00", "10000.10"),
]


def of_month(month: tuple[int, int]) -> list[LedgerLine]:
    return [line for line in EXAMPLE if line.month == month]


def test_the_delivered_values_come_from_the_three_way_match() -> None:
    assert (P1_OCT, P1_NOV, P2_FEE, P3_OCT, P3_NOV) == (
        "9250.00",
        "9805.00",
        "5000.00",
        "12953.70",
        "14004.00",
    )


def test_split_rounds_net_half_up_and_keeps_gross_equal_to_net_plus_commission() -> None:
    assert split(D("100000.00"), D(15), "EUR") == fig("100000.00", "85000.00", "15000.00")
    # 12,953.70 × 0.85 = 11,010.645: a tie, rounded up.
    assert split(D("12953.70"), D(15), "EUR") == fig("12953.70", "11010.65", "1943.05")
    assert split(D("10000.10"), D(15), "EUR") == fig("10000.10", "8500.09", "1500.01")
    # Credits round symmetrically (half away from zero).
    assert split(D("-10000.10"), D(15), "EUR") == fig("-10000.10", "-8500.09", "-1500.01")
    # Whole yen: 1,000,001 × 0.85 = 850,000.85.
    assert split(D("1000001"), D(15), "JPY") == fig("1000001", "850001", "150000")
    assert split(D("500.00"), D(0), "EUR") == fig("500.00", "500.00", "0.00")


def test_october_close_by_hand() -> None:
    report = close_month(of_month(OCT), OCT)
    assert report.month == OCT and not report.to_date
    p1, p2, p3 = report.lines
    assert [line.key for line in report.lines] == ["P1", "P2", "P3"]

    # P1: under-delivered against the IO, invoiced and paid as delivered.
    assert p1.planned == fig("10000.00", "8500.00", "1500.00")
    assert p1.booked == fig("9500.00", "8075.00", "1425.00")
    assert p1.delivered == fig("9250.00", "7862.50", "1387.50")
    assert p1.invoiced == p1.paid == p1.delivered
    assert p1.accrual == p1.over_invoiced == ZERO
    assert p1.booked_vs_planned == fig("-500.00", "-425.00", "-75.00")
    assert p1.delivered_vs_booked == fig("-250.00", "-212.50", "-37.50")
    assert p1.invoiced_vs_delivered == p1.paid_vs_invoiced == ZERO
    assert p1.commission_percent == D(15)

    # P2: flat fee without commission, partly paid.
    assert p2.invoiced == fig("5000.00", "5000.00", "0.00")
    assert p2.paid == fig("2000.00", "2000.00", "0.00")
    assert p2.paid_vs_invoiced == fig("-3000.00", "-3000.00", "0.00")
    assert p2.accrual == p2.over_invoiced == ZERO

    # P3: billed as booked though only 37 of 40 spots aired: over-invoiced.
    assert p3.delivered == fig("12953.70", "11010.65", "1943.05")
    assert p3.invoiced == fig("14004.00", "11903.40", "2100.60")
    assert p3.accrual == ZERO
    # The difference of the rounded figures (1,050.30 × 0.85 alone would round to 892.76).
    assert p3.over_invoiced == fig("1050.30", "892.75", "157.55")
    assert p3.invoiced_vs_delivered == p3.over_invoiced
    assert p3.delivered_vs_booked == fig("-1050.30", "-892.75", "-157.55")
    assert p3.paid_vs_invoiced == fig("-14004.00", "-11903.40", "-2100.60")

    (currency,) = report.currencies
    totals = report.totals[currency]
    assert currency == "EUR" and totals.lines == 3
    assert totals.planned == fig("29004.00", "25403.40", "3600.60")
    assert totals.booked == fig("28504.00", "24978.40", "3525.60")
    assert totals.delivered == fig("27203.70", "23873.15", "3330.55")
    assert totals.invoiced == fig("28254.00", "24765.90", "3488.10")
    assert totals.paid == fig("11250.00", "9862.50", "1387.50")
    assert totals.accrual == ZERO
    assert totals.over_invoiced == fig("1050.30", "892.75", "157.55")
    assert totals.paid_vs_invoiced == fig("-17004.00", "-14903.40", "-2100.60")


def test_november_close_by_hand() -> None:
    report = close_month(of_month(NOV), NOV)
    p1, _, p3 = report.lines
    # Delivered, not yet invoiced: the accrual.
    assert p1.delivered == fig("9805.00", "8334.25", "1470.75")
    assert p1.invoiced == fig("0.00", "0.00", "0.00")
    assert p1.accrual == fig("9805.00", "8334.25", "1470.75")
    assert p1.over_invoiced == ZERO
    # A partial payment whose net is a rounding tie.
    assert p3.paid == fig("10000.10", "8500.09", "1500.01")
    assert p3.paid_vs_invoiced == fig("-4003.90", "-3403.31", "-600.59")

    totals = report.totals["EUR"]
    assert totals.planned == fig("29004.00", "25403.40", "3600.60")
    assert totals.booked == fig("29004.00", "25403.40", "3600.60")
    assert totals.delivered == fig("28809.00", "25237.65", "3571.35")
    assert totals.invoiced == fig("19004.00", "16903.40", "2100.60")
    assert totals.paid == fig("15000.10", "13500.09", "1500.01")
    assert totals.accrual == fig("9805.00", "8334.25", "1470.75")
    assert totals.over_invoiced == ZERO


def test_close_to_date_sums_the_months_and_works_out_accruals_on_the_sums() -> None:
    report = close_to_date(EXAMPLE, NOV)
    assert report.to_date and report.month == NOV
    p1, p2, p3 = report.lines
    assert p1.delivered == fig("19055.00", "16196.75", "2858.25")
    assert p1.accrual == fig("9805.00", "8334.25", "1470.75")
    assert p2.paid_vs_invoiced == fig("-3000.00", "-3000.00", "0.00")
    assert p3.delivered == fig("26957.70", "22914.05", "4043.65")
    assert p3.over_invoiced == fig("1050.30", "892.75", "157.55")

    totals = report.totals["EUR"]
    assert totals.delivered == fig("56012.70", "49110.80", "6901.90")
    assert totals.invoiced == fig("47258.00", "41669.30", "5588.70")
    # An over-invoiced placement does not hide another one's accrual.
    assert totals.accrual == fig("9805.00", "8334.25", "1470.75")
    assert totals.over_invoiced == fig("1050.30", "892.75", "157.55")
    assert totals.delivered - totals.invoiced == totals.accrual - totals.over_invoiced

    # Through October only the October lines count; later months are left out.
    assert close_to_date(EXAMPLE, OCT).totals == close_month(of_month(OCT), OCT).totals


def test_a_catch_up_invoice_clears_the_accrual_to_date() -> None:
    lines = [
        ledger("P1", OCT, "1000.00", "1000.00", "1000.00", "0", "0"),
        ledger("P1", NOV, "1000.00", "1000.00", "1000.00", "2000.00", "0"),
    ]
    assert close_month(lines[:1], OCT).lines[0].accrual == fig("1000.00", "850.00", "150.00")
    november = close_month(lines[1:], NOV).lines[0]
    assert november.over_invoiced == fig("1000.00", "850.00", "150.00")
    to_date = close_to_date(lines, NOV).lines[0]
    assert to_date.accrual == to_date.over_invoiced == ZERO


def test_a_credit_note_is_a_negative_invoiced_amount() -> None:
    # October was billed 1,000.00 and later credited 1,200.00 (a credit larger than billing).
    line = ledger("P1", OCT, "1000.00", "1000.00", "800.00", "-200.00", "0")
    closed = close_month([line], OCT).lines[0]
    assert closed.invoiced == fig("-200.00", "-170.00", "-30.00")
    assert closed.accrual == fig("1000.00", "850.00", "150.00")
    assert closed.over_invoiced == ZERO


def test_commission_that_changes_between_months_is_shown_as_none_to_date() -> None:
    lines = [
        ledger("P1", OCT, "100.00", "100.00", "100.00", "100.00", "100.00", commission="15"),
        ledger("P1", NOV, "100.00", "100.00", "100.00", "100.00", "100.00", commission="10"),
    ]
    closed = close_to_date(lines, NOV).lines[0]
    assert closed.commission_percent is None
    assert closed.planned == fig("200.00", "175.00", "25.00")


def test_currencies_are_never_added() -> None:
    lines = [
        ledger("EU", OCT, "1000.00", "1000.00", "1000.00", "1000.00", "0"),
        ledger("US", OCT, "2000.00", "2000.00", "1500.00", "1000.00", "0", currency="usd"),
        ledger("JP", OCT, "100001", "100001", "100001", "0", "0", currency="JPY"),
    ]
    report = close_month(lines, OCT)
    assert report.currencies == ("EUR", "JPY", "USD")
    assert report.totals["USD"].planned == fig("2000.00", "1700.00", "300.00")
    assert report.totals["USD"].accrual == fig("500.00", "425.00", "75.00")
    assert report.totals["EUR"].planned == fig("1000.00", "850.00", "150.00")
    assert report.totals["JPY"].accrual == fig("100001", "85001", "15000")
    assert all(totals.lines == 1 for totals in report.totals.values())

    by_currency = five_numbers_by_currency(lines)
    assert list(by_currency) == ["EUR", "JPY", "USD"]
    assert by_currency["USD"].delivered == fig("1500.00", "1275.00", "225.00")
    with pytest.raises(CloseError, match="EUR, JPY, USD"):
        five_numbers(lines)


def test_five_numbers_reconcile_with_the_close_to_date() -> None:
    five = five_numbers(EXAMPLE)
    assert five.currency == "EUR" and five.placements == 3
    totals = close_to_date(EXAMPLE, DEC).totals["EUR"]
    assert (five.planned, five.booked, five.delivered, five.invoiced, five.paid) == (
        totals.planned,
        totals.booked,
        totals.delivered,
        totals.invoiced,
        totals.paid,
    )
    # …and with the plan, the delivery and the invoices they came from.
    assert five.planned.gross == sum((line.planned_gross for line in EXAMPLE), D(0))
    assert five.delivered.gross == sum((line.delivered_gross for line in EXAMPLE), D(0))
    assert five.invoiced.gross == sum((line.invoiced_gross for line in EXAMPLE), D(0))
    assert five.paid == fig("26250.10", "23362.59", "2887.51")


def test_rollup_by_campaign_and_vendor() -> None:
    report = close_to_date(EXAMPLE, NOV)
    by_placement = rollup(report)
    assert list(by_placement) == [("P1", "EUR"), ("P2", "EUR"), ("P3", "EUR")]
    assert by_placement[("P1", "EUR")].accrual == report.lines[0].accrual

    vendors = {"P1": "Publisher", "P2": "Publisher", "P3": "Broadcaster"}
    by_vendor = rollup(report, "vendor", vendors)
    assert list(by_vendor) == [("Broadcaster", "EUR"), ("Publisher", "EUR")]
    publisher = by_vendor[("Publisher", "EUR")]
    assert publisher.lines == 2
    assert publisher.planned == fig("30000.00", "27000.00", "3000.00")

    by_campaign = rollup(report, "campaign", {"P1": "Spring", "P2": "Spring", "P3": "Spring"})
    # Summed placement by placement: P3's over-invoicing does not cancel P1's accrual.
    assert by_campaign[("Spring", "EUR")] == report.totals["EUR"]

    with pytest.raises(CloseError, match="P3 has no vendor"):
        rollup(report, "vendor", {"P1": "Publisher", "P2": "Publisher"})
    with pytest.raises(CloseError, match="needs the campaign"):
        rollup(report, "campaign")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"planned_gross": 100.0}, "planned amount must be a Decimal number, not a float"),
        ({"paid_gross": "100"}, "paid amount must be a Decimal"),
        ({"planned_gross": D("-1.00")}, "planned amount cannot be negative"),
        ({"booked_gross": D("-1.00")}, "booked amount cannot be negative"),
        ({"delivered_gross": D("-1.00")}, "delivered value cannot be negative"),
        ({"invoiced_gross": D("1.005")}, "more than 2 decimals"),
        ({"invoiced_gross": D("NaN")}, "must be a Decimal number"),
        ({"currency": "XXX"}, "'XXX' is not a currency"),
        ({"currency": None}, "None is not a currency"),
        ({"month": (2026, 13)}, r"\(2026, 13\) is not a month"),
        ({"month": "2026-10"}, "is not a month"),
        ({"key": ""}, "needs a placement key"),
        ({"commission_percent": D(100)}, "commission is 100%"),
        ({"commission_percent": D(-1)}, "commission is -1%"),
        ({"commission_percent": 15.0}, "commission percent must be a Decimal"),
    ],
)
def test_malformed_lines_are_refused(change: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "key": "P1",
        "month": OCT,
        "currency": "EUR",
        "planned_gross": D("100.00"),
        "booked_gross": D("100.00"),
        "delivered_gross": D("100.00"),
        "invoiced_gross": D("100.00"),
        "paid_gross": D("100.00"),
        "commission_percent": D(15),
    }
    values.update(change)
    with pytest.raises(CloseError, match=message):
        LedgerLine(**values)  # type: ignore[arg-type]


def test_amounts_are_normalized_to_the_currency_minor_unit() -> None:
    line = ledger("P1", OCT, "100.5", "100.500", "100", "0", "0")
    assert (line.planned_gross, line.booked_gross, line.delivered_gross) == (
        D("100.50"),
        D("100.50"),
        D("100.00"),
    )
    assert str(line.planned_gross) == "100.50"
    with pytest.raises(CloseError, match="more than 0 decimals"):
        ledger("P1", OCT, "100.5", "0", "0", "0", "0", currency="JPY")
    assert CloseError.__mro__[1] is ValueError


def test_the_close_refuses_lines_it_cannot_use() -> None:
    with pytest.raises(CloseError, match="a line of November 2026 in the close of October 2026"):
        close_month(EXAMPLE, OCT)
    twice = [EXAMPLE[0], EXAMPLE[0]]
    with pytest.raises(CloseError, match="P1 appears twice for October 2026"):
        close_to_date(twice, OCT)
    two_currencies = [
        ledger("P1", OCT, "1.00", "1.00", "1.00", "0", "0"),
        ledger("P1", NOV, "1.00", "1.00", "1.00", "0", "0", currency="USD"),
    ]
    with pytest.raises(CloseError, match="P1 is in both EUR and USD"):
        close_to_date(two_currencies, NOV)
    with pytest.raises(CloseError, match="is not a month"):
        close_month([], (2026, 0))
    with pytest.raises(CloseError, match="No ledger lines"):
        five_numbers([])
    with pytest.raises(CloseError, match="Cannot roll up by 'market'"):
        rollup(close_month([], OCT), "market")  # type: ignore[arg-type]
    empty = close_month([], OCT)
    assert empty.lines == () and empty.currencies == ()


FIELDS = (
    "planned",
    "booked",
    "delivered",
    "invoiced",
    "paid",
    "accrual",
    "over_invoiced",
    "booked_vs_planned",
    "delivered_vs_booked",
    "invoiced_vs_delivered",
    "paid_vs_invoiced",
)


def assert_reconciles(lines: tuple[CloseFigures, ...], totals: CloseFigures) -> None:
    for name in FIELDS:
        parts: list[Figure] = [getattr(line, name) for line in lines]
        total: Figure = getattr(totals, name)
        assert total.gross == sum((part.gross for part in parts), D(0)), name
        assert total.net == sum((part.net for part in parts), D(0)), name
        assert total.commission == sum((part.commission for part in parts), D(0)), name
        assert total.gross == total.net + total.commission, name
    assert totals.delivered - totals.invoiced == totals.accrual - totals.over_invoiced


def scale_ledger(placements: int, months: int) -> list[LedgerLine]:
    lines = []
    for number in range(placements):
        currency = "USD" if number % 10 == 0 else "EUR"
        for month in range(1, months + 1):
            seed = number * 31 + month * 7
            planned = D(1000 + seed % 997) + D(seed % 100) / 100
            delivered = planned * D(seed % 13 + 90) / 100
            invoiced = [D(0), planned, delivered.quantize(D("0.01"))][seed % 3]
            lines.append(
                LedgerLine(
                    key=f"P{number:04d}",
                    month=(2026, month),
                    currency=currency,
                    planned_gross=planned,
                    booked_gross=planned,
                    delivered_gross=delivered.quantize(D("0.01")),
                    invoiced_gross=invoiced,
                    paid_gross=(invoiced / 2).quantize(D("0.01")) if seed % 5 == 0 else invoiced,
                    commission_percent=D(["0", "15", "17.65"][seed % 3]),
                )
            )
    return lines


def test_two_thousand_placements_over_twelve_months() -> None:
    lines = scale_ledger(2000, 12)
    december = close_month([line for line in lines if line.month == (2026, 12)], (2026, 12))
    assert len(december.lines) == 2000
    assert {code: totals.lines for code, totals in december.totals.items()} == {
        "EUR": 1800,
        "USD": 200,
    }
    for code, totals in december.totals.items():
        assert_reconciles(tuple(line for line in december.lines if line.currency == code), totals)

    year = close_to_date(lines, (2026, 12))
    assert len(year.lines) == 2000
    five = five_numbers_by_currency(lines)
    for code, totals in year.totals.items():
        assert_reconciles(tuple(line for line in year.lines if line.currency == code), totals)
        mine = [line for line in lines if line.currency == code]
        assert totals.planned.gross == sum((line.planned_gross for line in mine), D(0))
        assert totals.invoiced.gross == sum((line.invoiced_gross for line in mine), D(0))
        assert five[code].planned == totals.planned and five[code].paid == totals.paid
    # Each month's close adds up to the year's close.
    monthly = [
        close_month([line for line in lines if line.month == (2026, m)], (2026, m))
        for m in range(1, 13)
    ]
    eur = [report.totals["EUR"].delivered for report in monthly]
    assert sum(eur[1:], eur[0]) == year.totals["EUR"].delivered


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
signed_amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
percents = st.sampled_from([D(0), D(10), D(15), D("17.65"), D("33.333")])


@st.composite
def ledger_lines(draw: st.DrawFn) -> list[LedgerLine]:
    count = draw(st.integers(min_value=0, max_value=12))
    return [
        LedgerLine(
            key=f"P{index}",
            month=OCT,
            currency=draw(st.sampled_from(["EUR", "USD"])),
            planned_gross=draw(amounts),
            booked_gross=draw(amounts),
            delivered_gross=draw(amounts),
            invoiced_gross=draw(signed_amounts),
            paid_gross=draw(signed_amounts),
            commission_percent=draw(percents),
        )
        for index in range(count)
    ]


@settings(max_examples=200, deadline=None)
@given(ledger_lines())
def test_totals_are_the_exact_sums_of_their_lines(lines: list[LedgerLine]) -> None:
    report = close_month(lines, OCT)
    assert sum(totals.lines for totals in report.totals.values()) == len(lines)
    for code, totals in report.totals.items():
        mine = tuple(line for line in report.lines if line.currency == code)
        assert_reconciles(mine, totals)
        assert rollup(report, "campaign", {line.key: "C" for line in lines})[("C", code)] == totals
    for line in report.lines:
        assert_reconciles((line,), line)
        assert line.accrual.gross >= 0 and line.over_invoiced.gross >= 0
        assert ZERO in (line.accrual, line.over_invoiced)


def test_close_rows_for_the_spreadsheet_export() -> None:
    report = close_month(of_month(OCT), OCT)
    rows = close_rows(report)
    assert len(CLOSE_COLUMNS) == 4 + 11 * 3
    assert all(len(row) == len(CLOSE_COLUMNS) for row in rows)
    assert [row[0] for row in rows] == ["P1", "P2", "P3", "Total"]
    header = dict(zip(CLOSE_COLUMNS, rows[2], strict=True))
    assert header["Month"] == "2026-10"
    assert header["Commission %"] == D(15)
    assert header["Over-invoiced gross"] == D("1050.30")
    assert header["Over-invoiced net"] == D("892.75")
    assert header["Over-invoiced commission"] == D("157.55")
    total = dict(zip(CLOSE_COLUMNS, rows[3], strict=True))
    assert total["Delivered net"] == D("23873.15") and total["Commission %"] is None
    assert close_rows(close_to_date(EXAMPLE, NOV))[0][1] == "to 2026-11"
