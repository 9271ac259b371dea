from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mediadesk.domain.costmodels import (
    COST_MODEL_LABELS,
    UNIT_LABELS,
    CostModel,
    Pricing,
    PricingError,
    commission_as_markup_on_net,
    effective_cpm,
    gross_from_net,
    grps_from_impressions,
    impressions_from_grps,
    net_from_gross,
    price,
)

D = Decimal


def test_every_model_has_a_label_and_a_unit() -> None:
    assert set(COST_MODEL_LABELS) == set(CostModel) == set(UNIT_LABELS)
    assert COST_MODEL_LABELS[CostModel.PER_SPOT] == "Per spot"
    assert UNIT_LABELS[CostModel.CPCV] == "completed views"


@pytest.mark.parametrize(
    ("model", "quantity", "rate", "cost"),
    [
        (CostModel.CPM, "2400000", "12.50", "30000.00"),
        (CostModel.CPC, "12000", "1.85", "22200.00"),
        (CostModel.CPCV, "500000", "0.02", "10000.00"),
        (CostModel.CPP, "120", "450.00", "54000.00"),
        (CostModel.PER_SPOT, "40", "350.00", "14000.00"),
    ],
)
def test_worked_examples_cost(model: CostModel, quantity: str, rate: str, cost: str) -> None:
    assert price(model, rate=D(rate), quantity=D(quantity)) == Pricing(
        D(rate), D(quantity), D(cost)
    )


def test_cpm_quantity_from_cost() -> None:
    assert price(CostModel.CPM, rate=D("12.50"), cost=D("30000.00")).quantity == D(2_400_000)


def test_rate_from_quantity_and_cost_has_four_decimals() -> None:
    assert price(CostModel.CPCV, quantity=D(470_000), cost=D("10000")).rate == D("0.0213")
    assert price(CostModel.CPM, quantity=D(2_400_000), cost=D("30000")).rate == D("12.5000")


def test_cpp_counts_grps_to_two_decimals() -> None:
    assert price(CostModel.CPP, rate=D("450"), cost=D("54100")).quantity == D("120.22")
    with pytest.raises(PricingError, match="at most 2 decimals") as caught:
        price(CostModel.CPP, rate=D("450"), quantity=D("120.125"))
    assert caught.value.field == "quantity"


def test_given_numbers_are_kept_and_cost_rounds_to_minor_units() -> None:
    # 100.00 at 3.00 a click buys 33 clicks; the booked budget stays 100.00.
    assert price(CostModel.CPC, rate=D(3), cost=D("100.00")) == Pricing(D(3), D(33), D("100.00"))
    assert price(CostModel.CPC, rate=D("0.125"), quantity=D(1)).cost == D("0.13")
    yen = price(CostModel.CPM, rate=D("1250"), quantity=D(1001), cost_places=0)
    assert yen.cost == D(1251)


def test_flat_fee() -> None:
    flat = Pricing(rate=D("5000.00"), quantity=D(1), cost=D("5000.00"))
    assert price(CostModel.FLAT, cost=D("5000.00")) == flat
    assert price(CostModel.FLAT, rate=D("5000")) == flat
    assert price(CostModel.FLAT, rate=D("5000"), quantity=D(1), cost=D("5000.00")) == flat
    with pytest.raises(PricingError, match="quantity must be 1, not 2") as caught:
        price(CostModel.FLAT, cost=D("5000"), quantity=D(2))
    assert caught.value.field == "quantity"
    with pytest.raises(PricingError, match=r"5,000\.00, not 4,000\.00"):
        price(CostModel.FLAT, rate=D("5000"), cost=D("4000"))
    with pytest.raises(PricingError, match="above zero") as caught:
        price(CostModel.FLAT, cost=D(0))
    assert caught.value.field == "cost"


def test_all_three_must_agree() -> None:
    assert price(CostModel.CPM, rate=D("12.50"), quantity=D(2_400_000), cost=D("30000")).cost == D(
        "30000.00"
    )
    with pytest.raises(PricingError, match=r"cost 30,000\.00, not 31,000\.00") as caught:
        price(CostModel.CPM, rate=D("12.50"), quantity=D(2_400_000), cost=D("31000"))
    assert caught.value.field == "cost"


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"rate": D(0), "quantity": D(10)}, "rate", "rate must be above zero; 0 was given"),
        ({"rate": D(-1), "cost": D(10)}, "rate", "above zero; -1 was given"),
        ({"rate": D(1), "quantity": D(0)}, "quantity", "quantity of clicks must be above zero"),
        (
            {"rate": D(1), "quantity": D("1.5")},
            "quantity",
            "1.5 clicks: clicks are counted in whole numbers",
        ),
        ({"rate": D(1), "cost": D(-5)}, "cost", "cost cannot be negative; -5 was given"),
        ({"rate": D(1)}, "quantity", "Give two of rate, quantity and cost"),
        ({"cost": D(1)}, "rate", "the third is calculated"),
        ({}, "rate", "Give two of rate, quantity and cost"),
        ({"rate": D(5), "cost": D("0.01")}, "quantity", "buys no clicks"),
        ({"quantity": D(10**12), "cost": D("0.01")}, "rate", "rounds to 0.0000"),
        ({"rate": D("NaN"), "cost": D(1)}, "rate", "must be a number"),
    ],
)
def test_errors_name_the_field_and_the_value(
    given: dict[str, Decimal], field: str, message: str
) -> None:
    with pytest.raises(PricingError, match=message) as caught:
        price(CostModel.CPC, **given)
    assert caught.value.field == field


def test_tv_math_worked_example() -> None:
    impressions = impressions_from_grps(D(120), D(2_000_000))
    assert impressions == D(2_400_000)
    assert grps_from_impressions(impressions, D(2_000_000)) == D("120.00")
    assert effective_cpm(D("54000.00"), impressions) == D("22.50")
    assert grps_from_impressions(D(1_000_001), D(3_000_000)) == D("33.33")
    with pytest.raises(PricingError, match="universe") as caught:
        impressions_from_grps(D(120), D(0))
    assert caught.value.field == "universe"
    with pytest.raises(PricingError) as caught:
        effective_cpm(D(100), D(0))
    assert caught.value.field == "quantity"


def test_gross_and_net_worked_examples() -> None:
    assert net_from_gross(D("100000.00")) == D("85000.00")
    assert gross_from_net(D("85000.00")) == D("100000.00")
    assert gross_from_net(D("10000.00")) == D("11764.71")
    assert commission_as_markup_on_net(D(15)) == D("17.65")
    assert net_from_gross(D("-1000"), D("10")) == D("-900.00")
    assert net_from_gross(D(1234), D(0), places=0) == D(1234)
    with pytest.raises(PricingError, match="from 0 up to") as caught:
        gross_from_net(D(100), D(100))
    assert caught.value.field == "commission"


@given(
    model=st.sampled_from([m for m in CostModel if m is not CostModel.FLAT]),
    rate=st.decimals(min_value="0.0001", max_value=10_000, places=4),
    units=st.integers(min_value=1, max_value=10**9),
)
def test_rate_survives_a_round_trip_through_the_cost(
    model: CostModel, rate: Decimal, units: int
) -> None:
    # CPP counts GRPs in hundredths; every other model counts whole units.
    quantity = D(units).scaleb(-2) if model is CostModel.CPP else D(units)
    first = price(model, rate=rate, quantity=quantity)
    assume(first.cost > 0)  # too small to cost a cent: there is no rate to get back
    again = price(model, quantity=quantity, cost=first.cost)
    per = D(1000) if model is CostModel.CPM else D(1)
    # Half a cent of cost rounding spread over the quantity, plus the rate's own 4-decimal step.
    assert abs(again.rate - rate) <= D("0.005") * per / quantity + D("0.00005")
    assert again.quantity == quantity and again.cost == first.cost
