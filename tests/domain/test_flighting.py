from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.calendars import CalendarKind, weeks_covering
from mediadesk.domain.flighting import FlightingError, Slice, allocate, spread

D = Decimal


def test_worked_example_by_days_in_flight() -> None:
    slices = spread(D("31000.00"), date(2026, 10, 1), date(2026, 10, 31))
    by_week: dict[date, Decimal] = defaultdict(Decimal)
    for piece in slices:
        by_week[piece.week] += piece.amount
    assert by_week == {
        date(2026, 9, 28): D("4000.00"),
        date(2026, 10, 5): D("7000.00"),
        date(2026, 10, 12): D("7000.00"),
        date(2026, 10, 19): D("7000.00"),
        date(2026, 10, 26): D("6000.00"),
    }
    assert [piece.days for piece in slices] == [4, 7, 7, 7, 6]


def test_worked_example_rounding_keeps_every_cent() -> None:
    assert allocate(D("10000.00"), [D(1), D(1), D(1)]) == [
        D("3333.33"),
        D("3333.33"),
        D("3333.34"),
    ]
    assert allocate(D("-10000.00"), [D(1), D(1), D(1)]) == [
        D("-3333.33"),
        D("-3333.33"),
        D("-3333.34"),
    ]


def test_allocate_largest_remainder_zero_shares_and_units() -> None:
    # 1.00 over 1:2:0:3 is 0.1666…, 0.3333…, 0, 0.5: the missing cent goes to the largest remainder.
    assert allocate(D("1.00"), [D(1), D(2), D(0), D(3)]) == [
        D("0.17"),
        D("0.33"),
        D("0.00"),
        D("0.50"),
    ]
    assert allocate(D(1000), [D(1), D(1), D(1)], places=0) == [D(333), D(333), D(334)]
    assert allocate(D(0), [D(0), D(0)]) == [D("0.00"), D("0.00")]


@pytest.mark.parametrize(
    ("total", "shares", "message"),
    [
        (D("10"), [D(0), D(0)], "Every share is zero"),
        (D("10"), [], "Every share is zero"),
        (D("10"), [D(1), D(-1)], "Share 2 is -1"),
        (D("10.005"), [D(1)], "more than 2 decimals"),
    ],
)
def test_allocate_refuses(total: Decimal, shares: list[Decimal], message: str) -> None:
    with pytest.raises(FlightingError, match=message):
        allocate(total, shares)


def test_calendar_week_across_a_month_end_gives_two_slices() -> None:
    slices = spread(D("2100.00"), date(2026, 9, 21), date(2026, 10, 11))
    assert slices == [
        Slice(date(2026, 9, 21), (2026, 9), 7, D("700.00")),
        Slice(date(2026, 9, 28), (2026, 9), 3, D("300.00")),
        Slice(date(2026, 9, 28), (2026, 10), 4, D("400.00")),
        Slice(date(2026, 10, 5), (2026, 10), 7, D("700.00")),
    ]


def test_broadcast_weeks_stay_in_one_broadcast_month() -> None:
    slices = spread(
        D("2100.00"), date(2026, 9, 21), date(2026, 10, 11), calendar=CalendarKind.BROADCAST
    )
    assert [(piece.week, piece.month, piece.days) for piece in slices] == [
        (date(2026, 9, 21), (2026, 9), 7),
        (date(2026, 9, 28), (2026, 10), 7),
        (date(2026, 10, 5), (2026, 10), 7),
    ]


def test_weights_with_a_dark_week_and_a_heavy_up() -> None:
    weights = {date(2026, 10, 5): D(1), date(2026, 10, 12): D(0), date(2026, 10, 19): D(2)}
    slices = spread(D("9000"), date(2026, 10, 5), date(2026, 10, 25), weights=weights, places=0)
    assert [piece.amount for piece in slices] == [D(3000), D(0), D(6000)]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({date(2026, 10, 5): D(1)}, "week of 2026-10-12 has no weight"),
        (
            {date(2026, 10, 5): D(1), date(2026, 10, 12): D(1), date(2026, 10, 14): D(1)},
            "2026-10-14 is not a Monday",
        ),
        (
            {date(2026, 10, 5): D(1), date(2026, 10, 12): D(1), date(2026, 10, 19): D(1)},
            "2026-10-19 is outside the flight",
        ),
        ({date(2026, 10, 5): D(1), date(2026, 10, 12): D(-1)}, "weight of -1"),
        (
            {date(2026, 10, 5): D(0), date(2026, 10, 12): D(0)},
            "Every week of the flight is dark; give at least one week a weight above zero.",
        ),
    ],
)
def test_spread_refuses_bad_weights(weights: dict[date, Decimal], message: str) -> None:
    with pytest.raises(FlightingError, match=message):
        spread(D("100"), date(2026, 10, 5), date(2026, 10, 18), weights=weights)


def test_spread_refuses_an_end_before_the_start() -> None:
    with pytest.raises(FlightingError, match="ends on 2026-10-01, before it starts on 2026-10-02"):
        spread(D("100"), date(2026, 10, 2), date(2026, 10, 1))


def test_a_zero_total_over_dark_weeks_is_all_zero() -> None:
    weights = {date(2026, 10, 5): D(0)}
    slices = spread(D("0.00"), date(2026, 10, 5), date(2026, 10, 11), weights=weights)
    assert [piece.amount for piece in slices] == [D("0.00")]


@st.composite
def flights(
    draw: st.DrawFn,
) -> tuple[Decimal, date, date, CalendarKind, dict[date, Decimal] | None, int]:
    start = draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31)))
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=370)))
    calendar = draw(st.sampled_from(CalendarKind))
    places = draw(st.sampled_from([0, 2]))
    total = D(draw(st.integers(min_value=-(10**9), max_value=10**9))).scaleb(-places)
    weights: dict[date, Decimal] | None = None
    if draw(st.booleans()):
        choices = st.sampled_from([D(0), D(0), D("0.5"), D(1), D(1), D(2), D("1.25")])
        weights = {monday: draw(choices) for monday in weeks_covering(start, end)}
        if not any(weights.values()):
            weights[start - timedelta(days=start.weekday())] = D(1)
    return total, start, end, calendar, weights, places


@given(flights())
def test_spread_properties(
    flight: tuple[Decimal, date, date, CalendarKind, dict[date, Decimal] | None, int],
) -> None:
    total, start, end, calendar, weights, places = flight
    slices = spread(total, start, end, calendar=calendar, weights=weights, places=places)
    assert sum(piece.amount for piece in slices) == total
    assert sum(piece.days for piece in slices) == (end - start).days + 1
    for piece in slices:
        exponent = piece.amount.as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -places
        assert piece.days > 0
        if weights is not None and weights[piece.week] == 0:
            assert piece.amount == 0
    order = [(piece.week, piece.month) for piece in slices]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert {piece.week for piece in slices} == set(weeks_covering(start, end))
