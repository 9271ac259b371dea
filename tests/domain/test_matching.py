from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.matching import (
    DISCREPANCY_LABELS,
    MATCH_STATUS_LABELS,
    BilledLine,
    Delivered,
    DiscrepancyKind,
    LineMonth,
    MatchingError,
    MatchResult,
    MatchStatus,
    ModelTolerances,
    OrderedLine,
    PayableBasis,
    Tolerances,
    check_invoice_total,
    match_invoice,
    match_line,
    payable,
)

D = Decimal
OCT = (2026, 10)
NOV = (2026, 11)
DEC = (2026, 12)


def order(
    model: CostModel = CostModel.CPM,
    rate: str = "10.00",
    quantity: str = "2000000",
    cost: str = "20000.00",
    *,
    key: str = "L1",
    month: tuple[int, int] | None = OCT,
    currency: str = "EUR",
    start: date = date(2026, 10, 1),
    end: date = date(2026, 10, 31),
) -> OrderedLine:
    return OrderedLine(
        key=key,
        cost_model=model,
        rate=D(rate),
        quantity=D(quantity),
        cost=D(cost),
        currency=currency,
        month=month,
        start=start,
        end=end,
    )


def bill(
    amount: str,
    *,
    key: str = "L1",
    month: tuple[int, int] = OCT,
    currency: str = "EUR",
    quantity: str | None = None,
) -> BilledLine:
    return BilledLine(
        key=key,
        amount=D(amount),
        currency=currency,
        month=month,
        quantity=None if quantity is None else D(quantity),
    )


def kinds(result: MatchResult) -> list[DiscrepancyKind]:
    return [discrepancy.kind for discrepancy in result.discrepancies]


CPM_BUY = order()
FLAT_FEE = order(CostModel.FLAT, "5000.00", "1", "5000.00")
TV = order(CostModel.CPP, "450.00", "120", "54000.00", key="TV")
RADIO = order(CostModel.PER_SPOT, "250.00", "40", "10000.00", key="RADIO")
WHOLE_FLIGHT = order(key="W", month=None, end=date(2026, 11, 30))


# --- the worked examples ------------------------------------------------------------------


def test_worked_example_under_delivered_cpm_is_over_billed() -> None:
    result = match_line(bill("20000.00"), CPM_BUY, Delivered(D(1_850_000)))
    assert result.payable.amount == D("18500.00")
    assert result.payable.basis is PayableBasis.DELIVERED
    assert result.billed == D("20000.00")
    assert result.difference == D("1500.00")
    assert result.status is MatchStatus.DISCREPANCY
    assert result.matched_key == "L1"
    [discrepancy] = result.discrepancies
    assert discrepancy.kind is DiscrepancyKind.OVER_BILLED
    assert discrepancy.amount == D("1500.00")
    assert discrepancy.currency == "EUR"
    assert discrepancy.message == (
        "Billed 20,000.00 EUR, payable 18,500.00 EUR: 1,850,000 of 2,000,000 ordered "
        "impressions were delivered at CPM 10.00 (over-billed by 1,500.00)."
    )


def test_worked_example_over_delivery_is_capped_at_the_order() -> None:
    result = match_line(bill("20000.00"), CPM_BUY, Delivered(D(2_100_000)))
    assert result.payable.amount == D("20000.00")
    assert result.payable.basis is PayableBasis.CAPPED
    assert "capped at the ordered cost, 20,000.00 EUR" in result.payable.explanation
    assert result.difference == 0
    assert result.status is MatchStatus.MATCHED
    assert result.discrepancies == ()


@pytest.mark.parametrize("delivered", [None, Delivered(D(0)), Delivered(D(1)), Delivered(D(9**9))])
def test_worked_example_flat_fee_matches_whatever_the_delivery(
    delivered: Delivered | None,
) -> None:
    result = match_line(bill("5000.00"), FLAT_FEE, delivered)
    assert result.payable.amount == D("5000.00")
    assert result.payable.basis is PayableBasis.AS_ORDERED
    assert result.payable.explanation == "A flat fee is payable as ordered, whatever ran."
    assert result.status is MatchStatus.MATCHED


def test_worked_example_cents_of_rounding_are_matched() -> None:
    result = match_line(bill("18500.02"), CPM_BUY, Delivered(D(1_850_000)))
    assert result.payable.amount == D("18500.00")
    assert result.difference == D("0.02")
    assert result.status is MatchStatus.MATCHED
    # The same two cents short is matched too; six cents is not rounding any more.
    assert match_line(bill("18499.98"), CPM_BUY, Delivered(D(1_850_000))).discrepancies == ()
    assert match_line(bill("18500.05"), CPM_BUY, Delivered(D(1_850_000))).discrepancies == ()
    assert kinds(match_line(bill("18500.06"), CPM_BUY, Delivered(D(1_850_000)))) == [
        DiscrepancyKind.OVER_BILLED
    ]


# --- payable per cost model ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "rate", "quantity", "cost", "delivered", "expected"),
    [
        (CostModel.CPC, "0.50", "20000", "10000.00", "18000", "9000.00"),
        (CostModel.CPC, "0.50", "20000", "10000.00", "25000", "10000.00"),
        (CostModel.CPA, "40.00", "100", "4000.00", "90", "3600.00"),
        (CostModel.CPL, "12.00", "500", "6000.00", "501", "6000.00"),
        (CostModel.CPV, "0.03", "100000", "3000.00", "50001", "1500.03"),
        (CostModel.CPCV, "0.0215", "470000", "10105.00", "300001", "6450.02"),
        (CostModel.CPE, "0.10", "10000", "1000.00", "0", "0.00"),
        (CostModel.PER_INSERTION, "1200.00", "4", "4800.00", "3", "3600.00"),
    ],
)
def test_unit_models_pay_delivery_times_rate_capped_at_the_order(
    model: CostModel, rate: str, quantity: str, cost: str, delivered: str, expected: str
) -> None:
    line = order(model, rate, quantity, cost)
    assert payable(line, Delivered(D(delivered))).amount == D(expected)


def test_rounding_is_half_up_to_the_currency_minor_units() -> None:
    # 1,001 impressions at CPM 12.50 are 12.5125 -> 12.51; 1,002 are 12.525 -> 12.53.
    line = order(rate="12.50", quantity="100000", cost="1250.00")
    assert payable(line, Delivered(D(1001))).amount == D("12.51")
    assert payable(line, Delivered(D(1002))).amount == D("12.53")
    yen = order(rate="1250", quantity="100000", cost="125000", currency="JPY")
    assert payable(yen, Delivered(D(1001))).amount == D(1251)


def test_no_delivery_reported_pays_nothing_on_a_unit_buy() -> None:
    owed = payable(CPM_BUY, None)
    assert owed.amount == D("0.00")
    assert owed.explanation == "No delivery was reported against 2,000,000 ordered impressions."


def test_cpp_within_the_grp_tolerance_is_paid_as_ordered() -> None:
    owed = payable(TV, Delivered(D("114.00")))  # 5% short of 120 GRPs: the edge, still inside
    assert owed.amount == D("54000.00")
    assert owed.basis is PayableBasis.AS_ORDERED
    assert owed.explanation == (
        "114.00 of 120.00 ordered GRPs were delivered at CPP 450.00, within the 5% GRP "
        "tolerance, so the ordered cost is payable."
    )
    assert match_line(bill("54000.00", key="TV"), TV, Delivered(D("116.5"))).discrepancies == ()


def test_cpp_outside_the_grp_tolerance_is_paid_on_delivered_grps() -> None:
    owed = payable(TV, Delivered(D("113.99")))
    assert owed.amount == D("51295.50")
    assert owed.basis is PayableBasis.DELIVERED
    assert "more than the 5% GRP tolerance short of the order" in owed.explanation
    result = match_line(bill("54000.00", key="TV"), TV, Delivered(D("100")))
    assert result.payable.amount == D("45000.00")
    assert result.difference == D("9000.00")
    assert kinds(result) == [DiscrepancyKind.OVER_BILLED]
    assert "100.00 of 120.00 ordered GRPs" in result.discrepancies[0].message
    assert "(over-billed by 9,000.00)" in result.discrepancies[0].message


def test_cpp_over_delivery_is_capped_unless_the_client_allows_it() -> None:
    assert payable(TV, Delivered(D("130"))).amount == D("54000.00")
    assert payable(TV, Delivered(D("130"))).basis is PayableBasis.CAPPED
    generous = Tolerances(delivery_percent=D(5))
    assert payable(TV, Delivered(D("130")), generous).amount == D("56700.00")
    assert payable(TV, Delivered(D("122")), generous).amount == D("54900.00")


def test_cpp_grp_tolerance_is_set_per_client_and_per_model() -> None:
    strict = Tolerances(grp_percent=D(0))
    assert payable(TV, Delivered(D("119.99")), strict).amount == D("53995.50")
    loose_for_cpp = Tolerances(overrides={CostModel.CPP: ModelTolerances(grp_percent=D(10))})
    assert payable(TV, Delivered(D("108")), loose_for_cpp).amount == D("54000.00")
    assert payable(TV, Delivered(D("107.99")), loose_for_cpp).amount == D("48595.50")
    assert (
        "within the 10% GRP tolerance" in payable(TV, Delivered(D(108)), loose_for_cpp).explanation
    )


def test_per_spot_pays_aired_spots_capped_at_the_order() -> None:
    result = match_line(bill("10000.00", key="RADIO", quantity="40"), RADIO, Delivered(D(38)))
    assert result.payable.amount == D("9500.00")
    assert result.payable.explanation == "38 of 40 ordered spots aired at 250.00 per spot."
    assert result.difference == D("500.00")
    assert kinds(result) == [DiscrepancyKind.OVER_BILLED]
    assert result.discrepancies[0].message == (
        "Billed 10,000.00 EUR for 40 spots, payable 9,500.00 EUR: 38 of 40 ordered spots aired "
        "at 250.00 per spot (over-billed by 500.00)."
    )
    assert payable(RADIO, Delivered(D(44))).amount == D("10000.00")


def test_delivery_tolerance_lets_over_delivery_be_paid_up_to_a_share() -> None:
    ten_percent = Tolerances(delivery_percent=D(10))
    owed = payable(CPM_BUY, Delivered(D(2_100_000)), ten_percent)
    assert owed.amount == D("21000.00")
    assert owed.basis is PayableBasis.DELIVERED
    capped = payable(CPM_BUY, Delivered(D(2_500_000)), ten_percent)
    assert capped.amount == D("22000.00")
    assert "capped at the ordered cost plus 10%, 22,000.00 EUR" in capped.explanation
    # Only for the model it is set for.
    cpc_only = Tolerances(overrides={CostModel.CPC: ModelTolerances(delivery_percent=D(10))})
    assert payable(CPM_BUY, Delivered(D(2_100_000)), cpc_only).amount == D("20000.00")


def test_spend_is_quoted_but_not_paid() -> None:
    owed = payable(CPM_BUY, Delivered(D(1_850_000), spend=D("18120.55")))
    assert owed.amount == D("18500.00")
    assert owed.explanation.endswith("; the platform reports 18,120.55 EUR spent.")


# --- billing against the payable -----------------------------------------------------------


def test_under_billing_is_a_discrepancy_with_its_figures() -> None:
    result = match_line(bill("15000.00"), CPM_BUY, Delivered(D(1_850_000)))
    assert result.difference == D("-3500.00")
    [discrepancy] = result.discrepancies
    assert discrepancy.kind is DiscrepancyKind.UNDER_BILLED
    assert discrepancy.amount == D("-3500.00")
    assert "Billed 15,000.00 EUR, payable 18,500.00 EUR" in discrepancy.message
    assert "(under-billed by 3,500.00)" in discrepancy.message


def test_billed_above_the_ordered_rate() -> None:
    # 18,500.00 is what is payable, but for 1,700,000 impressions: CPM 10.88, not 10.00.
    result = match_line(bill("18500.00", quantity="1700000"), CPM_BUY, Delivered(D(1_850_000)))
    assert result.difference == 0
    [discrepancy] = result.discrepancies
    assert discrepancy.kind is DiscrepancyKind.RATE_DIFFERS
    assert discrepancy.amount == D("1500.00")
    assert discrepancy.message == (
        "Billed 18,500.00 EUR for 1,700,000 impressions, which is CPM 10.88; at the order's "
        "CPM 10.00 they cost 17,000.00 EUR (billed 1,500.00 more)."
    )


def test_rate_is_not_checked_below_the_rate_or_where_paid_as_ordered() -> None:
    # A vendor that bills 2,100,000 impressions at the capped 20,000.00 charges less per unit.
    capped = match_line(bill("20000.00", quantity="2100000"), CPM_BUY, Delivered(D(2_100_000)))
    assert capped.status is MatchStatus.MATCHED
    # CPP within the tolerance bills the ordered cost for fewer GRPs.
    tv = match_line(bill("54000.00", key="TV", quantity="114"), TV, Delivered(D(114)))
    assert tv.status is MatchStatus.MATCHED
    flat = match_line(bill("5000.00", quantity="1"), FLAT_FEE, None)
    assert flat.status is MatchStatus.MATCHED


def test_over_billing_with_a_billed_quantity_names_it() -> None:
    result = match_line(bill("20000.00", quantity="2000000"), CPM_BUY, Delivered(D(1_850_000)))
    assert result.discrepancies[0].message.startswith(
        "Billed 20,000.00 EUR for 2,000,000 impressions, payable 18,500.00 EUR: "
    )


def test_rounding_tolerance_follows_the_currency_and_the_client() -> None:
    yen = order(rate="1000", quantity="100000", cost="100000", currency="JPY")
    assert match_line(bill("50005", currency="JPY"), yen, Delivered(D(50_000))).discrepancies == ()
    assert kinds(match_line(bill("50006", currency="JPY"), yen, Delivered(D(50_000)))) == [
        DiscrepancyKind.OVER_BILLED
    ]
    assert Tolerances().rounding("EUR") == D("0.05")
    assert Tolerances().rounding("KWD") == D("0.005")
    exact = Tolerances(rounding_units=0)
    assert kinds(match_line(bill("18500.01"), CPM_BUY, Delivered(D(1_850_000)), exact)) == [
        DiscrepancyKind.OVER_BILLED
    ]
    one_euro_on_cpm = Tolerances(overrides={CostModel.CPM: ModelTolerances(rounding_units=100)})
    result = match_line(bill("18501.00"), CPM_BUY, Delivered(D(1_850_000)), one_euro_on_cpm)
    assert result.status is MatchStatus.MATCHED


# --- credits -------------------------------------------------------------------------------


def test_a_credit_that_corrects_an_earlier_over_billing_is_matched() -> None:
    delivered: dict[LineMonth, Delivered] = {("L1", OCT): Delivered(D(1_850_000))}
    [invoice, credit] = match_invoice([bill("20000.00"), bill("-1500.00")], [CPM_BUY], delivered)
    assert kinds(invoice) == [DiscrepancyKind.OVER_BILLED]
    assert invoice.difference == D("1500.00")
    assert credit.status is MatchStatus.MATCHED
    assert credit.billed_before == D("20000.00")
    assert credit.difference == D("-1500.00")
    # The differences add up to what is over-billed at the end: nothing.
    assert invoice.difference + credit.difference == 0


def test_a_credit_note_is_matched_against_what_earlier_invoices_billed() -> None:
    [credit] = match_invoice(
        [bill("-1500.00")],
        [CPM_BUY],
        {("L1", OCT): Delivered(D(1_850_000))},
        previously_billed={("L1", OCT): D("20000.00")},
    )
    assert credit.status is MatchStatus.MATCHED
    assert credit.payable.amount == D("18500.00")
    assert credit.difference == D("-1500.00")


def test_a_credit_that_goes_below_the_payable_is_under_billed() -> None:
    [credit] = match_invoice(
        [bill("-2500.00")],
        [CPM_BUY],
        {("L1", OCT): Delivered(D(1_850_000))},
        previously_billed={("L1", OCT): D("20000.00")},
    )
    [discrepancy] = credit.discrepancies
    assert discrepancy.kind is DiscrepancyKind.UNDER_BILLED
    assert discrepancy.amount == D("-1000.00")
    assert discrepancy.message == (
        "A credit of 2,500.00 EUR brings billing to date to 17,500.00 EUR, payable 18,500.00 EUR "
        "to date: 1,850,000 of 2,000,000 ordered impressions were delivered at CPM 10.00 "
        "(under-billed by 1,000.00 to date)."
    )


def test_a_credit_for_more_than_was_billed() -> None:
    result = match_line(bill("-1500.00"), CPM_BUY, Delivered(D(1_850_000)))
    [discrepancy] = result.discrepancies
    assert discrepancy.kind is DiscrepancyKind.CREDIT_EXCEEDS_BILLED
    assert discrepancy.amount == D("-1500.00")
    assert discrepancy.message == (
        "A credit of 1,500.00 EUR, but nothing was billed on this order line before: the credit "
        "is 1,500.00 more than was billed."
    )
    partly = match_line(
        bill("-1500.00"), CPM_BUY, Delivered(D(1_850_000)), billed_before=D("1000.00")
    )
    assert partly.discrepancies[0].kind is DiscrepancyKind.CREDIT_EXCEEDS_BILLED
    assert "only 1,000.00 EUR was billed on this order line before" in (
        partly.discrepancies[0].message
    )
    assert partly.discrepancies[0].amount == D("-500.00")


def test_instalments_are_judged_on_the_last_line() -> None:
    delivered: dict[LineMonth, Delivered] = {("L1", OCT): Delivered(D(1_850_000))}
    first, second = match_invoice([bill("10000.00"), bill("8500.00")], [CPM_BUY], delivered)
    assert first.status is second.status is MatchStatus.MATCHED
    assert first.difference == second.difference == 0
    short_first, short_second = match_invoice(
        [bill("10000.00"), bill("8000.00")], [CPM_BUY], delivered
    )
    assert short_first.status is MatchStatus.MATCHED
    assert kinds(short_second) == [DiscrepancyKind.UNDER_BILLED]
    assert short_second.discrepancies[0].amount == D("-500.00")
    assert "Billed 8,000.00 EUR after 10,000.00 EUR billed before" in (
        short_second.discrepancies[0].message
    )


def test_a_line_that_adds_to_over_billing_is_flagged_even_before_the_last() -> None:
    delivered: dict[LineMonth, Delivered] = {("L1", OCT): Delivered(D(1_850_000))}
    over, credit = match_invoice([bill("20000.00"), bill("-500.00")], [CPM_BUY], delivered)
    assert kinds(over) == [DiscrepancyKind.OVER_BILLED]
    # The credit does not clear it all: the last line reports what is left.
    assert kinds(credit) == [DiscrepancyKind.OVER_BILLED]
    assert credit.discrepancies[0].amount == D("1000.00")
    assert credit.difference == D("-500.00")


# --- whole-flight orders billed by month ---------------------------------------------------


def test_a_whole_flight_order_is_payable_to_date_month_by_month() -> None:
    delivered: dict[LineMonth, Delivered] = {
        ("W", OCT): Delivered(D(1_850_000)),
        ("W", NOV): Delivered(D(300_000)),
    }
    # Given out of order: results keep the invoice's order, the months are judged in order.
    november, october = match_invoice(
        [bill("1500.00", key="W", month=NOV), bill("18500.00", key="W", month=OCT)],
        [WHOLE_FLIGHT],
        delivered,
    )
    assert october.payable.amount == D("18500.00")
    assert october.payable.explanation.startswith("By the end of October 2026, 1,850,000 of")
    assert october.status is MatchStatus.MATCHED
    assert november.billed_before == D("18500.00")
    assert november.payable.amount == D("20000.00")  # 2,150,000 delivered, capped
    assert november.payable.basis is PayableBasis.CAPPED
    assert november.status is MatchStatus.MATCHED


def test_over_billing_a_month_of_a_whole_flight_order() -> None:
    delivered: dict[LineMonth, Delivered] = {
        ("W", OCT): Delivered(D(1_850_000)),
        ("W", NOV): Delivered(D(300_000)),
    }
    october, november = match_invoice(
        [bill("20000.00", key="W", month=OCT), bill("1500.00", key="W", month=NOV)],
        [WHOLE_FLIGHT],
        delivered,
    )
    assert october.difference == D("1500.00")
    assert october.discrepancies[0].message.startswith(
        "Billed 20,000.00 EUR, payable 18,500.00 EUR: by the end of October 2026, "
    )
    # November's 1,500.00 is earned by November's delivery; the flight stays 1,500.00 over.
    assert november.difference == 0
    assert kinds(november) == [DiscrepancyKind.OVER_BILLED]
    assert november.discrepancies[0].amount == D("1500.00")
    assert "(over-billed by 1,500.00 to date)" in november.discrepancies[0].message


def test_a_whole_flight_order_without_monthly_delivery_uses_the_flight_total() -> None:
    [result] = match_invoice(
        [bill("18500.00", key="W", month=NOV)],
        [WHOLE_FLIGHT],
        {("W", None): Delivered(D(1_850_000))},
    )
    assert result.payable.amount == D("18500.00")
    assert result.status is MatchStatus.MATCHED


def test_delivery_to_date_sums_months_and_spend() -> None:
    delivered: dict[LineMonth, Delivered] = {
        ("W", (2026, 9)): Delivered(D(1000), D("9.00")),
        ("W", OCT): Delivered(D(1_000_000), D("9900.00")),
        ("W", DEC): Delivered(D(500_000), D("5000.00")),
    }
    [result] = match_invoice([bill("10010.00", key="W", month=NOV)], [WHOLE_FLIGHT], delivered)
    assert result.payable.amount == D("10010.00")
    assert "the platform reports 9,909.00 EUR spent" in result.payable.explanation


def test_a_flat_fee_on_the_whole_flight_may_be_billed_in_instalments() -> None:
    fee = order(
        CostModel.FLAT, "5000.00", "1", "5000.00", key="F", month=None, end=date(2026, 11, 30)
    )
    first, second, extra = match_invoice(
        [
            bill("2500.00", key="F", month=OCT),
            bill("2500.00", key="F", month=NOV),
            bill("100.00", key="F", month=NOV),
        ],
        [fee],
        {},
    )
    assert first.status is second.status is MatchStatus.MATCHED
    assert kinds(extra) == [DiscrepancyKind.OVER_BILLED]
    assert extra.difference == D("100.00")
    assert "a flat fee is payable as ordered, whatever ran (over-billed by 100.00 to date)" in (
        extra.discrepancies[0].message
    )


# --- bad input -----------------------------------------------------------------------------


def test_a_month_the_order_does_not_cover() -> None:
    [result] = match_invoice([bill("5000.00", month=NOV)], [CPM_BUY], {})
    assert result.status is MatchStatus.DISCREPANCY
    assert result.payable.amount == 0
    assert result.payable.basis is PayableBasis.NOT_ORDERED
    assert result.difference == D("5000.00")
    [discrepancy] = result.discrepancies
    assert discrepancy.kind is DiscrepancyKind.MONTH_OUTSIDE_ORDER
    assert discrepancy.amount == D("5000.00")
    assert discrepancy.message == (
        "Billed 5,000.00 EUR for November 2026, but the order for L1 covers October 2026: "
        "nothing is payable for November 2026."
    )
    [outside_flight] = match_invoice([bill("1.00", key="W", month=DEC)], [WHOLE_FLIGHT], {})
    assert outside_flight.discrepancies[0].kind is DiscrepancyKind.MONTH_OUTSIDE_ORDER
    assert "covers 1 October 2026 to 30 November 2026" in outside_flight.discrepancies[0].message
    direct = match_line(bill("1.00", month=DEC), CPM_BUY, None)
    assert kinds(direct) == [DiscrepancyKind.MONTH_OUTSIDE_ORDER]


def test_lines_outside_the_order_do_not_count_as_billed() -> None:
    results = match_invoice(
        [bill("18500.00", month=NOV), bill("18500.00")],
        [CPM_BUY],
        {("L1", OCT): Delivered(D(1_850_000))},
    )
    assert results[1].billed_before == 0
    assert results[1].status is MatchStatus.MATCHED


def test_another_currency_than_the_order() -> None:
    [result] = match_invoice([bill("20000.00", currency="USD")], [CPM_BUY], {})
    [discrepancy] = result.discrepancies
    assert discrepancy.kind is DiscrepancyKind.CURRENCY_MISMATCH
    assert discrepancy.currency == "USD"
    assert discrepancy.amount == D("20000.00")
    assert discrepancy.message == (
        "Billed 20,000.00 USD, but L1 was ordered in EUR: nothing is payable until it is billed "
        "in EUR (no currency is converted here)."
    )
    assert result.ordered == CPM_BUY


def test_a_line_on_no_order() -> None:
    [result] = match_invoice([bill("700.00", key="L9")], [CPM_BUY], {})
    assert result.matched_key is None
    assert kinds(result) == [DiscrepancyKind.UNKNOWN_LINE]
    assert "Billed 700.00 EUR on L9, which is on no order" in result.discrepancies[0].message
    assert kinds(match_line(bill("700.00", key="L9"), None, None)) == [DiscrepancyKind.UNKNOWN_LINE]


def test_invoice_totals() -> None:
    lines = [bill("18500.00"), bill("5000.00", key="F"), bill("-1500.00")]
    assert check_invoice_total(lines, D("22000.00")) is None
    assert check_invoice_total(lines, D("22000.04")) is None  # rounding
    wrong = check_invoice_total(lines, D("23500.00"))
    assert wrong is not None
    assert wrong.kind is DiscrepancyKind.TOTAL_MISMATCH
    assert wrong.amount == D("1500.00")
    assert wrong.message == (
        "The invoice states a total of 23,500.00 EUR, but its 3 lines add up to 22,000.00 EUR: "
        "the total is 1,500.00 more than the lines."
    )
    short = check_invoice_total(lines, D("21000.00"))
    assert short is not None
    assert short.amount == D("-1000.00")
    assert "1,000.00 less than the lines" in short.message
    assert check_invoice_total([bill("1.00")], D("1.06"), Tolerances(rounding_units=10)) is None


def test_invoice_totals_in_another_currency_or_without_lines() -> None:
    mixed = check_invoice_total([bill("1.00"), bill("1.00", currency="USD")], D("2.00"))
    assert mixed is not None
    assert mixed.kind is DiscrepancyKind.CURRENCY_MISMATCH
    assert "lines are in EUR and USD" in mixed.message
    other = check_invoice_total([bill("1.00")], D("1.00"), currency="usd")
    assert other is not None
    assert other.kind is DiscrepancyKind.CURRENCY_MISMATCH
    assert check_invoice_total([], D("0"), currency="EUR") is None
    empty = check_invoice_total([], D("10.00"), currency="EUR")
    assert empty is not None
    assert "its 0 lines add up to 0.00 EUR" in empty.message
    with pytest.raises(MatchingError, match="needs its currency"):
        check_invoice_total([], D("10.00"))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: bill("1.00", month=(2026, 13)), "is not a month"),
        (lambda: BilledLine("L1", 1.0, "EUR", OCT), "must be a Decimal"),  # type: ignore[arg-type]
        (lambda: bill("NaN"), "must be a Decimal number"),
        (lambda: bill("1.00", currency="XXX"), "not a currency"),
        (lambda: Delivered(D(-1)), "cannot be negative"),
        (lambda: order(rate="-1"), "cannot be negative"),
        (lambda: order(month=NOV), "outside its flight"),
        (lambda: order(end=date(2026, 9, 30)), "before it starts"),
        (lambda: order("tv"), "not a cost model"),  # type: ignore[arg-type]
        (lambda: Tolerances(grp_percent=D(100)), "GRP tolerance"),
        (lambda: Tolerances(delivery_percent=D(-1)), "delivery tolerance"),
        (lambda: Tolerances(rounding_units=-1), "rounding tolerance"),
        (
            lambda: Tolerances(overrides={CostModel.CPP: ModelTolerances(grp_percent=D(-1))}),
            "GRP tolerance",
        ),
    ],
)
def test_malformed_values_are_refused(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(MatchingError, match=message):
        build()


def test_an_order_line_given_twice_is_refused() -> None:
    with pytest.raises(MatchingError, match="ordered twice for October 2026"):
        match_invoice([], [CPM_BUY, CPM_BUY], {})
    monthly = order(key="W", month=OCT, end=date(2026, 11, 30))
    with pytest.raises(MatchingError, match="both for its whole flight and by month"):
        match_invoice([], [WHOLE_FLIGHT, monthly], {})


def test_labels_cover_every_value() -> None:
    assert set(DISCREPANCY_LABELS) == set(DiscrepancyKind)
    assert set(MATCH_STATUS_LABELS) == set(MatchStatus)


# --- properties ----------------------------------------------------------------------------

CAPPED_MODELS = [model for model in CostModel if model is not CostModel.FLAT]
amounts = st.decimals(min_value=0, max_value=10**9, places=2)
quantities = st.integers(min_value=0, max_value=10**10).map(Decimal)


@given(
    model=st.sampled_from(CAPPED_MODELS),
    rate=st.decimals(min_value=0, max_value=10_000, places=4),
    ordered=st.integers(min_value=1, max_value=10**9).map(Decimal),
    cost=amounts,
    delivered=quantities,
    grp_percent=st.decimals(min_value=0, max_value=99, places=2),
)
def test_payable_never_exceeds_the_order_nor_goes_negative(
    model: CostModel,
    rate: Decimal,
    ordered: Decimal,
    cost: Decimal,
    delivered: Decimal,
    grp_percent: Decimal,
) -> None:
    line = order(model, str(rate), str(ordered), str(cost))
    owed = payable(line, Delivered(delivered), Tolerances(grp_percent=grp_percent))
    assert D(0) <= owed.amount <= cost


@given(
    delivered=st.lists(quantities, min_size=2, max_size=2),
    percent=st.decimals(min_value=0, max_value=50, places=1),
)
def test_payable_grows_with_delivery_up_to_the_allowed_cap(
    delivered: list[Decimal], percent: Decimal
) -> None:
    low, high = sorted(delivered)
    tolerances = Tolerances(delivery_percent=percent)
    for line in (CPM_BUY, TV, RADIO):
        less = payable(line, Delivered(low), tolerances).amount
        more = payable(line, Delivered(high), tolerances).amount
        assert D(0) <= less <= more <= line.cost * (100 + percent) / 100


@given(
    amounts=st.lists(st.decimals(min_value=-30000, max_value=30000, places=2), max_size=6),
    before=st.decimals(min_value=0, max_value=30000, places=2),
)
def test_differences_add_up_to_the_gap_at_the_end(amounts: list[Decimal], before: Decimal) -> None:
    lines = [bill(str(amount)) for amount in amounts]
    results = match_invoice(
        lines,
        [CPM_BUY],
        {("L1", OCT): Delivered(D(1_850_000))},
        previously_billed={("L1", OCT): before},
    )
    due = D("18500.00")
    total = sum((result.difference for result in results), D(0))
    expected = before + sum(amounts, D(0)) - due - max(before - due, D(0)) if amounts else 0
    assert total == expected


# --- scale ---------------------------------------------------------------------------------


def test_ten_thousand_lines_against_twenty_thousand_order_lines() -> None:
    months = [(2026, month) for month in range(1, 13)]
    ordered = [
        order(
            key=f"P{index:05d}",
            month=months[index % 12],
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
        )
        for index in range(20_000)
    ]
    delivered = {(line.key, line.month): Delivered(D(1_850_000)) for line in ordered}
    billed = [
        bill(
            "20000.00" if index % 4 == 0 else "18500.00",
            key=f"P{index * 2:05d}",
            month=months[(index * 2) % 12],
        )
        for index in range(10_000)
    ]
    billed[7] = bill("1.00", key="NOPE")
    results = match_invoice(billed, ordered, delivered)
    assert len(results) == 10_000
    assert [result.line for result in results] == billed
    statuses = [result.status for result in results]
    assert statuses.count(MatchStatus.DISCREPANCY) == 2_500 + 1
    assert results[7].discrepancies[0].kind is DiscrepancyKind.UNKNOWN_LINE


def test_a_stored_rate_is_quoted_without_trailing_zeros() -> None:
    """Rates come from the database with four places (8.0000); people read CPM 8.00."""
    order = OrderedLine(
        key="L1", cost_model=CostModel.CPM, rate=Decimal("8.0000"), quantity=Decimal(1_000_000),
        cost=Decimal("8000.00"), currency="EUR", month=None, start=date(2026, 10, 1),
        end=date(2026, 10, 31),
    )  # fmt: skip
    owed = payable(order, Delivered(quantity=Decimal(500_000)))
    assert "CPM 8.00" in owed.explanation and "8.0000" not in owed.explanation
    fine = OrderedLine(
        key="L2", cost_model=CostModel.CPC, rate=Decimal("0.4250"), quantity=Decimal(1000),
        cost=Decimal("425.00"), currency="EUR", month=None, start=date(2026, 10, 1),
        end=date(2026, 10, 31),
    )  # fmt: skip
    assert "0.425" in payable(fine, Delivered(quantity=Decimal(10))).explanation
