"""Which reference rate applies to a placement, and the difference of its rate from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.ratecards import (
    Direction,
    PricedPlacement,
    Rate,
    check_rate,
    cost_model_label,
    format_rate,
    match_key,
    names_daypart,
    rate_difference,
    reference_rate,
)

D = Decimal
START = date(2026, 10, 5)


def card(rate: str = "12.00", **overrides: object) -> Rate:
    values: dict[str, object] = {
        "format": "300x250",
        "market": "DE",
        "cost_model": "cpm",
        "rate": D(rate),
        "currency": "EUR",
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
    }
    values.update(overrides)
    return Rate(**values)  # type: ignore[arg-type]


def placement(rate: str = "14.00", **overrides: object) -> PricedPlacement:
    values: dict[str, object] = {
        "format": "300x250",
        "market": "DE",
        "cost_model": "cpm",
        "currency": "EUR",
        "start": START,
        "rate": D(rate),
    }
    values.update(overrides)
    return PricedPlacement(**values)  # type: ignore[arg-type]


def test_the_sentence_of_the_issue() -> None:
    result = check_rate([card()], placement())
    assert result is not None
    assert result.sentence == (
        "Rate 14.00 EUR CPM is 2.00 EUR (16.7%) above the rate card (12.00 EUR)."
    )
    assert result.amount == D("2.00") and result.percent == D("16.7")
    assert result.direction == Direction.ABOVE and result.off_card and result.compared


def test_below_and_same() -> None:
    below = check_rate([card("12.50")], placement("11.00"))
    assert below is not None and below.direction == Direction.BELOW
    assert below.amount == D("-1.50") and below.percent == D("-12.0")
    assert below.sentence == (
        "Rate 11.00 EUR CPM is 1.50 EUR (12.0%) below the rate card (12.50 EUR)."
    )
    same = check_rate([card("12.5")], placement("12.5000"))
    assert same is not None and same.direction == Direction.SAME and not same.off_card
    assert same.amount == 0 and same.percent == D("0.0")
    assert same.sentence == "Rate 12.50 EUR CPM matches the rate card (12.50 EUR)."


def test_no_match_gives_none() -> None:
    rates = [card()]
    assert check_rate([], placement()) is None
    assert reference_rate(rates, placement(format="728x90")) is None
    assert reference_rate(rates, placement(market="AT")) is None
    assert reference_rate(rates, placement(cost_model="cpc")) is None
    assert reference_rate(rates, placement(format="")) is None
    assert reference_rate([card(format="")], placement(format="")) is None


def test_validity_on_the_start_date() -> None:
    expired = card(valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    assert reference_rate([expired], placement()) is None
    future = card(valid_from=date(2026, 10, 6), valid_to=None)
    assert reference_rate([future], placement()) is None
    open_ended = card(valid_from=date(2026, 10, 5), valid_to=None)
    assert reference_rate([open_ended], placement()) is open_ended
    last_day = card(valid_to=date(2026, 10, 5))
    assert reference_rate([last_day], placement()) is last_day


def test_matching_ignores_case_and_spaces() -> None:
    rate = card(format=" 300 X 250 ", market="de", cost_model="CPM")
    assert reference_rate([rate], placement(format="300x250", market=" DE ")) is rate
    assert match_key("  Full   Page ") == "fullpage"


def test_negotiated_rate_beats_the_card() -> None:
    public = card("12.00", market="DE")
    negotiated = card("10.00", market="", negotiated=True, label="Northwind")
    result = check_rate([public, negotiated], placement("10.50"))
    assert result is not None and result.reference is negotiated
    assert result.sentence == (
        "Rate 10.50 EUR CPM is 0.50 EUR (5.0%) above the negotiated rate (10.00 EUR)."
    )


def test_exact_market_beats_all_markets_and_newest_wins() -> None:
    everywhere = card("9.00", market="")
    german = card("12.00", market="DE")
    assert reference_rate([everywhere, german], placement()) is german
    assert reference_rate([german, everywhere], placement()) is german
    assert reference_rate([everywhere], placement(market="CH")) is everywhere
    older = card("11.00", valid_from=date(2026, 1, 1))
    newer = card("12.00", valid_from=date(2026, 7, 1))
    assert reference_rate([older, newer], placement()) is newer
    twin = card("12.00", valid_from=date(2026, 7, 1))
    assert reference_rate([newer, twin], placement()) is newer  # ties keep the given order


def test_daypart_only_when_the_placement_names_it() -> None:
    any_time = card("400", format="30s spot", cost_model="cpp", market="DE")
    prime = card("450", format="30s spot", cost_model="cpp", market="DE", daypart="Prime time")
    spot = {"format": "30s spot", "cost_model": "cpp"}
    named = placement("470", daypart_text="ProSieben PRIME-time", **spot)
    assert reference_rate([any_time, prime], named) is prime
    unnamed = placement("470", daypart_text="ProSieben daytime", **spot)
    assert reference_rate([any_time, prime], unnamed) is any_time
    assert reference_rate([prime], placement("470", **spot)) is None


def test_exact_market_outranks_a_daypart() -> None:
    market = card("450", market="DE")
    daypart = card("420", market="", daypart="prime time")
    chosen = reference_rate([daypart, market], placement(daypart_text="prime time"))
    assert chosen is market


def test_names_daypart_takes_whole_words() -> None:
    assert names_daypart("Antenne Bayern morning drive", "Morning Drive")
    assert names_daypart("primetime block", "prime time")
    assert names_daypart("prime time", "primetime")
    assert not names_daypart("Holiday specials", "day")
    assert not names_daypart("anything", "")
    assert not names_daypart("", "prime time")


def test_a_rate_in_the_placements_currency_is_preferred() -> None:
    usd_negotiated = card("10.00", currency="USD", negotiated=True)
    eur_card = card("12.00")
    assert reference_rate([usd_negotiated, eur_card], placement()) is eur_card


def test_currency_differs_gives_a_note_and_no_numbers() -> None:
    result = check_rate([card("12.00", currency="USD")], placement("14.00"))
    assert result is not None and not result.compared and not result.off_card
    assert result.amount is None and result.percent is None
    assert result.direction == Direction.NOT_COMPARED
    assert result.sentence == (
        "Rate 14.00 EUR CPM is not compared with the rate card (12.00 USD): the currencies "
        "differ and no rate is converted."
    )


def test_zero_reference_has_no_percent() -> None:
    result = rate_difference(placement("1.00"), card("0"))
    assert result.amount == D("1.00") and result.percent is None
    assert result.sentence == "Rate 1.00 EUR CPM is 1.00 EUR above the rate card (0.00 EUR)."


def test_rates_are_shown_with_the_places_they_need() -> None:
    assert format_rate(D("2400"), "USD") == "2,400.00"
    assert format_rate(D("0.0450"), "USD") == "0.045"
    assert format_rate(D("0.03125"), "EUR") == "0.0313"
    assert format_rate(D("1500"), "JPY") == "1,500"
    result = check_rate(
        [card("0.04", format="30s", cost_model="cpcv", currency="USD", market="US")],
        placement("0.045", format="30s", cost_model="cpcv", currency="usd", market="US"),
    )
    assert result is not None
    assert result.sentence == (
        "Rate 0.045 USD CPCV is 0.005 USD (12.5%) above the rate card (0.04 USD)."
    )


def test_cost_model_labels_in_a_sentence() -> None:
    assert cost_model_label("cpm") == "CPM"
    assert cost_model_label("per_spot") == "per spot"
    assert cost_model_label("flat") == "flat fee"
    assert cost_model_label("barter") == "barter"
    result = check_rate(
        [card("350", format="30s spot", cost_model="per_spot")],
        placement("380", format="30s spot", cost_model="per_spot"),
    )
    assert result is not None
    assert result.sentence.startswith("Rate 380.00 EUR per spot is 30.00 EUR (8.6%) above")


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        card("-1")
    with pytest.raises(ValueError, match="before it starts"):
        card(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1))
    with pytest.raises(ValueError, match="finite Decimal"):
        card(rate=D("NaN"))


@given(
    reference=st.decimals(min_value=D("0.01"), max_value=D("100000"), places=4),
    own=st.decimals(min_value=D("0"), max_value=D("100000"), places=4),
)
def test_amount_is_exact_and_signed(reference: Decimal, own: Decimal) -> None:
    result = rate_difference(placement(str(own)), card(str(reference)))
    assert result.amount == own - reference
    assert result.direction == (
        Direction.SAME if own == reference else Direction.ABOVE if own > reference
        else Direction.BELOW
    )  # fmt: skip
    assert result.percent is not None
    assert abs(result.percent - (own - reference) * 100 / reference) <= D("0.05")
