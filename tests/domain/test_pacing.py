from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.calendars import weeks_covering
from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.pacing import (
    METRIC_LABELS,
    STATUS_LABELS,
    Pacing,
    PacingError,
    PacingMetric,
    PacingStatus,
    PlannedLine,
    Thresholds,
    expected_to_date,
    pace,
    pace_lines,
    pacing_metric,
    sort_by_distance,
)

D = Decimal


def spend_line(
    planned: str,
    start: date,
    end: date,
    weights: dict[date, Decimal] | None = None,
    key: str = "L1",
) -> PlannedLine:
    return PlannedLine(
        key=key,
        metric=PacingMetric.SPEND,
        start=start,
        end=end,
        planned=D(planned),
        planned_cost=D(planned),
        weights=weights,
    )


OCTOBER = spend_line("31000.00", date(2026, 10, 1), date(2026, 10, 31))


# --- the worked example -------------------------------------------------------------------


def test_worked_example() -> None:
    result = pace(OCTOBER, D("12600.00"), D("12600.00"), date(2026, 10, 15))
    assert result.expected == D("15000.00")
    assert result.index == D("0.84")
    assert result.status is PacingStatus.UNDER
    assert result.projected == D("26040.00")
    assert result.projected_spend == D("26040.00")
    assert result.variance == D("-4960.00")
    assert (result.days_elapsed, result.days_total) == (15, 31)
    assert result.planned == D("31000.00")
    assert result.delivered == D("12600.00")
    assert result.metric is PacingMetric.SPEND
    assert result.key == "L1"
    assert result.as_of == date(2026, 10, 15)


def test_worked_example_projection_is_the_daily_rate_times_the_days() -> None:
    result = pace(OCTOBER, D("12600.00"), D("12600.00"), date(2026, 10, 15))
    daily_rate = D("12600.00") / 15
    assert daily_rate == D("840.00")
    assert result.projected == daily_rate * 31


def test_expected_to_date_of_the_worked_example() -> None:
    assert expected_to_date(OCTOBER, date(2026, 10, 15)) == D("15000.00")
    # Day by day on a continuous flight: 1,000.00 a day.
    for day in range(1, 32):
        assert expected_to_date(OCTOBER, date(2026, 10, day)) == D(1000 * day)


# --- weighted and cross-month flights -------------------------------------------------------

# Three whole weeks: a normal week, a heavy-up (2) and a dark week (0). Shares 7 : 14 : 0 of
# 9,000.00 give 3,000.00, 6,000.00 and 0.00.
WEIGHTED = spend_line(
    "9000.00",
    date(2026, 10, 5),
    date(2026, 10, 25),
    weights={date(2026, 10, 5): D(1), date(2026, 10, 12): D(2), date(2026, 10, 19): D(0)},
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 10, 5), "428.57"),  # 3,000 × 1/7
        (date(2026, 10, 7), "1285.71"),  # 3,000 × 3/7
        (date(2026, 10, 11), "3000.00"),  # the normal week whole
        (date(2026, 10, 12), "3857.14"),  # + 6,000 × 1/7
        (date(2026, 10, 14), "5571.43"),  # + 6,000 × 3/7
        (date(2026, 10, 18), "9000.00"),  # the heavy-up whole
        (date(2026, 10, 21), "9000.00"),  # nothing is expected in the dark week
        (date(2026, 10, 25), "9000.00"),
    ],
)
def test_weighted_flight_expected_to_date(as_of: date, expected: str) -> None:
    assert expected_to_date(WEIGHTED, as_of) == D(expected)


def test_weighted_flight_pace_in_the_heavy_up() -> None:
    # Expected exactly 3,000 + 6,000 × 3/7 = 39,000/7; delivered 5,000 → index 0.897… → 0.90.
    result = pace(WEIGHTED, D("5000.00"), D("5000.00"), date(2026, 10, 14))
    assert result.index == D("0.90")
    assert result.status is PacingStatus.ON_TRACK
    # 5,000 × 9,000 ÷ (39,000/7) = 5,000 × 63/39 = 8,076.923…
    assert result.projected == D("8076.92")
    assert result.variance == D("-923.08")


def test_weighted_flight_dark_week_ahead_projects_what_was_delivered_so_far() -> None:
    # Everything planned ran by the 18th; the dark week adds nothing to the projection.
    result = pace(WEIGHTED, D("8000.00"), D("8000.00"), date(2026, 10, 21))
    assert result.expected == D("9000.00")
    assert result.index == D("0.89")
    assert result.status is PacingStatus.UNDER
    assert result.projected == D("8000.00")
    assert result.variance == D("-1000.00")


def test_dark_first_week_has_not_started() -> None:
    line = spend_line(
        "7000.00",
        date(2026, 10, 5),
        date(2026, 10, 18),
        weights={date(2026, 10, 5): D(0), date(2026, 10, 12): D(1)},
    )
    result = pace(line, D(0), D(0), date(2026, 10, 8))
    assert result.expected == D("0.00")
    assert result.index is None
    assert result.projected is None
    assert result.projected_spend is None
    assert result.variance is None
    assert result.status is PacingStatus.NOT_STARTED
    assert result.days_elapsed == 4
    assert expected_to_date(line, date(2026, 10, 13)) == D("2000.00")


# 2026-09-21 … 2026-10-11, weights 1, 2, 1. The week of 2026-09-28 crosses into October and is
# booked as two slices: 3 September days and 4 October days. Shares 7 : 6 : 8 : 7 of 4,000.00
# give 1,000.00, 857.14, 1,142.86 (the leftover cent to the larger remainder) and 1,000.00.
CROSS_MONTH = spend_line(
    "4000.00",
    date(2026, 9, 21),
    date(2026, 10, 11),
    weights={date(2026, 9, 21): D(1), date(2026, 9, 28): D(2), date(2026, 10, 5): D(1)},
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 9, 27), "1000.00"),
        (date(2026, 9, 29), "1571.43"),  # + 857.14 × 2/3
        (date(2026, 9, 30), "1857.14"),  # the September part whole
        (date(2026, 10, 2), "2428.57"),  # + 1,142.86 × 2/4
        (date(2026, 10, 4), "3000.00"),
        (date(2026, 10, 8), "3571.43"),  # + 1,000 × 4/7
        (date(2026, 10, 11), "4000.00"),
    ],
)
def test_cross_month_week(as_of: date, expected: str) -> None:
    assert expected_to_date(CROSS_MONTH, as_of) == D(expected)


# --- before, after, nothing planned ---------------------------------------------------------


def test_before_start() -> None:
    result = pace(OCTOBER, D(0), D(0), date(2026, 9, 30))
    assert result.expected == D("0.00")
    assert result.index is None
    assert result.projected is None
    assert result.projected_spend is None
    assert result.variance is None
    assert result.status is PacingStatus.NOT_STARTED
    assert (result.days_elapsed, result.days_total) == (0, 31)


def test_after_end_the_projection_is_the_delivery() -> None:
    result = pace(OCTOBER, D("29000.00"), D("28500.00"), date(2026, 11, 10))
    assert result.expected == D("31000.00")
    assert result.index == D("0.94")
    assert result.status is PacingStatus.ON_TRACK
    assert result.projected == D("29000.00")
    assert result.projected_spend == D("28500.00")
    assert result.variance == D("-2000.00")
    assert (result.days_elapsed, result.days_total) == (31, 31)


def test_last_day_counts_whole() -> None:
    result = pace(OCTOBER, D("34500.00"), D("34500.00"), date(2026, 10, 31))
    assert result.expected == D("31000.00")
    assert result.index == D("1.11")
    assert result.status is PacingStatus.OVER
    assert result.projected == D("34500.00")


def test_nothing_planned() -> None:
    line = spend_line("0.00", date(2026, 10, 1), date(2026, 10, 31))
    for as_of in (date(2026, 9, 1), date(2026, 10, 15), date(2026, 12, 1)):
        result = pace(line, D("10.00"), D("10.00"), as_of)
        assert result.status is PacingStatus.NO_PLAN
        assert result.index is None
        assert result.expected == D("0.00")


def test_one_day_flight() -> None:
    line = spend_line("500.00", date(2026, 10, 7), date(2026, 10, 7))
    assert expected_to_date(line, date(2026, 10, 6)) == D(0)
    assert expected_to_date(line, date(2026, 10, 7)) == D("500.00")
    assert pace(line, D("500.00"), D("500.00"), date(2026, 10, 7)).status is (PacingStatus.ON_TRACK)


# --- thresholds -----------------------------------------------------------------------------

# 10 days, 1,000.00: 500.00 expected at the end of day 5.
TEN_DAYS = spend_line("1000.00", date(2026, 10, 1), date(2026, 10, 10))
DAY_FIVE = date(2026, 10, 5)


@pytest.mark.parametrize(
    ("delivered", "index", "status"),
    [
        ("445.00", "0.89", PacingStatus.UNDER),
        ("450.00", "0.90", PacingStatus.ON_TRACK),  # exactly -10% is on track
        ("500.00", "1.00", PacingStatus.ON_TRACK),
        ("550.00", "1.10", PacingStatus.ON_TRACK),  # exactly +10% is on track
        ("555.00", "1.11", PacingStatus.OVER),
        # 0.895 rounds half even to 0.90: the status follows the index as shown.
        ("447.50", "0.90", PacingStatus.ON_TRACK),
        ("0.00", "0.00", PacingStatus.UNDER),
    ],
)
def test_default_threshold_edges(delivered: str, index: str, status: PacingStatus) -> None:
    result = pace(TEN_DAYS, D(delivered), D(delivered), DAY_FIVE)
    assert result.expected == D("500.00")
    assert result.index == D(index)
    assert result.status is status


@pytest.mark.parametrize(
    ("delivered", "status"),
    [
        ("470.00", PacingStatus.UNDER),  # 0.94 < 0.95
        ("475.00", PacingStatus.ON_TRACK),  # 0.95
        ("575.00", PacingStatus.ON_TRACK),  # 1.15, inside +20%
        ("600.00", PacingStatus.ON_TRACK),  # 1.20
        ("605.00", PacingStatus.OVER),  # 1.21
    ],
)
def test_custom_thresholds(delivered: str, status: PacingStatus) -> None:
    thresholds = Thresholds(under=D("0.05"), over=D("0.20"))
    assert pace(TEN_DAYS, D(delivered), D(delivered), DAY_FIVE, thresholds).status is status


def test_zero_thresholds_flag_any_deviation() -> None:
    strict = Thresholds(under=D(0), over=D(0))
    assert pace(TEN_DAYS, D("500.00"), D(0), DAY_FIVE, strict).status is PacingStatus.ON_TRACK
    assert pace(TEN_DAYS, D("495.00"), D(0), DAY_FIVE, strict).status is PacingStatus.UNDER
    assert pace(TEN_DAYS, D("505.00"), D(0), DAY_FIVE, strict).status is PacingStatus.OVER


def test_default_thresholds_are_ten_percent() -> None:
    assert Thresholds() == Thresholds(under=D("0.10"), over=D("0.10"))
    assert Thresholds(over=D("1.50")).over == D("1.50")  # over may exceed 100%


@pytest.mark.parametrize(
    ("under", "over"),
    [("1", "0.10"), ("1.5", "0.10"), ("-0.01", "0.10"), ("0.10", "-0.01"), ("NaN", "0.10")],
)
def test_invalid_thresholds(under: str, over: str) -> None:
    with pytest.raises(PacingError):
        Thresholds(under=D(under), over=D(over))


# --- metrics --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost_model", "channel", "metric"),
    [
        ("cpp", "linear_tv", PacingMetric.GRPS),
        ("per_spot", "radio", PacingMetric.SPOTS),
        ("per_spot", "linear_tv", PacingMetric.SPOTS),
        ("flat", "influencer", PacingMetric.FEE),
        ("flat", "display", PacingMetric.FEE),
        ("per_insertion", "newspaper", PacingMetric.FEE),
        ("per_insertion", "magazine", PacingMetric.FEE),
        ("cpm", "display", PacingMetric.IMPRESSIONS),
        ("cpm", "online_video", PacingMetric.IMPRESSIONS),
        ("cpm", "ctv_ott", PacingMetric.IMPRESSIONS),
        ("cpm", "streaming_audio", PacingMetric.IMPRESSIONS),
        ("cpm", "podcast", PacingMetric.IMPRESSIONS),
        ("cpm", "dooh", PacingMetric.IMPRESSIONS),
        ("cpm", "cinema", PacingMetric.IMPRESSIONS),
        ("cpm", "search", PacingMetric.SPEND),
        ("cpm", "social", PacingMetric.SPEND),
        ("cpc", "search", PacingMetric.SPEND),
        ("cpc", "display", PacingMetric.SPEND),
        ("cpa", "affiliate", PacingMetric.SPEND),
        ("cpl", "social", PacingMetric.SPEND),
        ("cpv", "online_video", PacingMetric.SPEND),
        ("cpcv", "ctv_ott", PacingMetric.SPEND),
        ("cpe", "social", PacingMetric.SPEND),
    ],
)
def test_pacing_metric(cost_model: str, channel: str, metric: PacingMetric) -> None:
    assert pacing_metric(cost_model, channel) is metric


def test_every_cost_model_has_a_metric() -> None:
    for model in CostModel:
        assert pacing_metric(model, "display") in PacingMetric
        assert pacing_metric(model.value, "search") in PacingMetric


def test_unknown_cost_model() -> None:
    with pytest.raises(PacingError, match="'cpx' is not a cost model"):
        pacing_metric("cpx", "display")


def test_labels_cover_every_value() -> None:
    assert set(METRIC_LABELS) == set(PacingMetric)
    assert set(STATUS_LABELS) == set(PacingStatus)
    assert STATUS_LABELS[PacingStatus.ON_TRACK] == "On track"
    assert STATUS_LABELS[PacingStatus.UNDER] == "Under"
    assert STATUS_LABELS[PacingStatus.OVER] == "Over"
    assert STATUS_LABELS[PacingStatus.NOT_STARTED] == "Not started"
    assert STATUS_LABELS[PacingStatus.NO_PLAN] == "Nothing planned"


# --- quantities and projected spend ---------------------------------------------------------


def test_impressions_round_to_whole_units_and_spend_follows() -> None:
    # One Monday–Sunday week: 1,000,000 impressions for 10,000.00.
    line = PlannedLine(
        key="CPM1",
        metric=PacingMetric.IMPRESSIONS,
        start=date(2026, 10, 5),
        end=date(2026, 10, 11),
        planned=D(1_000_000),
        planned_cost=D("10000.00"),
    )
    result = pace(line, D(400_000), D("4000.00"), date(2026, 10, 7))
    assert result.expected == D(428_571)  # 1,000,000 × 3/7 = 428,571.43
    assert result.index == D("0.93")  # 400,000 ÷ 428,571.428… = 0.9333…
    assert result.status is PacingStatus.ON_TRACK
    assert result.projected == D(933_333)  # 400,000 × 7/3
    assert result.projected_spend == D("9333.33")  # 4,000.00 × 7/3
    assert result.variance == D(-66_667)


def test_grps_keep_two_decimals() -> None:
    line = PlannedLine(
        key="TV1",
        metric=PacingMetric.GRPS,
        start=date(2026, 10, 5),
        end=date(2026, 10, 18),
        planned=D("250.00"),
        planned_cost=D("125000.00"),
    )
    # 125.00 GRPs a week; 3 days into the second week: 125 + 125 × 3/7 = 178.571…
    result = pace(line, D("170.50"), D("85250.00"), date(2026, 10, 14))
    assert result.expected == D("178.57")
    assert result.index == D("0.95")
    assert result.projected == D("238.70")  # 170.50 × 250 ÷ 178.571… = 170.50 × 1.4
    assert result.projected_spend == D("119350.00")


def test_spots_and_fee_metrics_round_as_shown() -> None:
    spots = PlannedLine(
        key="R1",
        metric=PacingMetric.SPOTS,
        start=date(2026, 10, 5),
        end=date(2026, 10, 11),
        planned=D(20),
        planned_cost=D("3000.00"),
    )
    assert expected_to_date(spots, date(2026, 10, 6)) == D(6)  # 20 × 2/7 = 5.71
    fee = PlannedLine(
        key="S1",
        metric=PacingMetric.FEE,
        start=date(2026, 10, 5),
        end=date(2026, 10, 11),
        planned=D("5000.00"),
        planned_cost=D("5000.00"),
    )
    result = pace(fee, D("2500.00"), D("2500.00"), date(2026, 10, 8))
    assert result.expected == D("2857.14")
    assert result.index == D("0.88")
    assert result.status is PacingStatus.UNDER
    assert result.projected == result.projected_spend == D("4375.00")


def test_three_decimal_currency_keeps_its_decimals() -> None:
    line = spend_line("700.125", date(2026, 10, 5), date(2026, 10, 11))
    assert expected_to_date(line, date(2026, 10, 11)) == D("700.125")
    assert expected_to_date(line, date(2026, 10, 5)) == D("100.018")  # 700.125 / 7 = 100.0178…


# --- many lines and ordering ----------------------------------------------------------------


def test_pace_lines_missing_keys_deliver_nothing() -> None:
    other = spend_line("10000.00", date(2026, 10, 1), date(2026, 10, 10), key="L2")
    results = pace_lines(
        [OCTOBER, other],
        delivered={"L1": D("12600.00")},
        delivered_spend={},
        as_of=date(2026, 10, 15),
    )
    assert [result.key for result in results] == ["L1", "L2"]
    first, second = results
    assert first.index == D("0.84")
    assert first.projected == D("26040.00")
    assert first.projected_spend == D("0.00")
    assert second.delivered == D(0)
    assert second.index == D("0.00")
    assert second.status is PacingStatus.UNDER
    assert second.projected == D(0)
    assert second.variance == D("-10000.00")


def test_pace_lines_passes_thresholds() -> None:
    loose = Thresholds(under=D("0.20"))
    (result,) = pace_lines([OCTOBER], {"L1": D("12600.00")}, {}, date(2026, 10, 15), loose)
    assert result.status is PacingStatus.ON_TRACK


def _pacing(key: str, index: str | None, status: PacingStatus) -> Pacing:
    return Pacing(
        key=key,
        metric=PacingMetric.SPEND,
        as_of=date(2026, 10, 15),
        planned=D(100),
        expected=D(50),
        delivered=D(0),
        index=None if index is None else D(index),
        projected=None,
        projected_spend=None,
        variance=None,
        status=status,
        days_elapsed=15,
        days_total=31,
    )


def test_sort_by_distance() -> None:
    pacings = [
        _pacing("not-started", None, PacingStatus.NOT_STARTED),
        _pacing("on-plan", "1.00", PacingStatus.ON_TRACK),
        _pacing("slightly-under", "0.84", PacingStatus.UNDER),
        _pacing("no-plan", None, PacingStatus.NO_PLAN),
        _pacing("way-over", "1.30", PacingStatus.OVER),
        _pacing("way-under", "0.50", PacingStatus.UNDER),
        _pacing("as-far-over", "1.16", PacingStatus.OVER),
    ]
    ordered = [pacing.key for pacing in sort_by_distance(pacings)]
    assert ordered == [
        "way-under",
        "way-over",
        "slightly-under",  # |0.84 − 1| = 0.16, ties keep the given order
        "as-far-over",
        "on-plan",
        "not-started",
        "no-plan",
    ]


def test_sort_by_distance_of_real_pacings() -> None:
    results = pace_lines(
        [OCTOBER, spend_line("1000.00", date(2026, 11, 1), date(2026, 11, 30), key="NOV")],
        {"L1": D("16000.00")},
        {},
        date(2026, 10, 15),
    )
    assert [result.key for result in sort_by_distance(results)] == ["L1", "NOV"]
    assert sort_by_distance([]) == []


# --- errors ---------------------------------------------------------------------------------


def test_end_before_start() -> None:
    with pytest.raises(PacingError, match="ends on 2026-10-01, before it starts on 2026-10-31"):
        spend_line("100.00", date(2026, 10, 31), date(2026, 10, 1))


def test_negative_planned() -> None:
    with pytest.raises(PacingError, match="must be zero or more"):
        spend_line("-1.00", date(2026, 10, 1), date(2026, 10, 31))


def test_pacing_error_is_a_value_error() -> None:
    assert issubclass(PacingError, ValueError)


def test_bad_weights_are_pacing_errors() -> None:
    missing_week = spend_line(
        "100.00", date(2026, 10, 5), date(2026, 10, 18), weights={date(2026, 10, 5): D(1)}
    )
    with pytest.raises(PacingError, match="L1: The week of 2026-10-12 has no weight"):
        expected_to_date(missing_week, date(2026, 10, 6))
    all_dark = spend_line(
        "100.00", date(2026, 10, 5), date(2026, 10, 11), weights={date(2026, 10, 5): D(0)}
    )
    with pytest.raises(PacingError, match="dark"):
        pace(all_dark, D(0), D(0), date(2026, 9, 1))


def test_non_finite_delivery() -> None:
    with pytest.raises(PacingError, match="not a number"):
        pace(OCTOBER, D("NaN"), D(0), date(2026, 10, 15))


# --- properties -----------------------------------------------------------------------------


@st.composite
def planned_lines(draw: st.DrawFn) -> PlannedLine:
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)))
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
    cents = draw(st.integers(min_value=0, max_value=10**12))
    weights: dict[date, Decimal] | None = None
    if draw(st.booleans()):
        weeks = weeks_covering(start, end)
        values = draw(
            st.lists(
                st.integers(min_value=0, max_value=4), min_size=len(weeks), max_size=len(weeks)
            )
        )
        if cents and not any(values):
            values[draw(st.integers(min_value=0, max_value=len(weeks) - 1))] = 1
        weights = {week: D(value) for week, value in zip(weeks, values, strict=True)}
    planned = D(cents).scaleb(-2)
    return PlannedLine(
        key="P",
        metric=PacingMetric.SPEND,
        start=start,
        end=end,
        planned=planned,
        planned_cost=planned,
        weights=weights,
    )


@given(planned_lines())
def test_expected_to_date_is_non_decreasing_and_ends_at_plan(line: PlannedLine) -> None:
    days = (line.end - line.start).days
    values = [
        expected_to_date(line, line.start + timedelta(days=offset))
        for offset in range(-2, days + 3)
    ]
    assert values[:2] == [D(0), D(0)]
    assert all(earlier <= later for earlier, later in pairwise(values))
    assert expected_to_date(line, line.end) == line.planned
    assert values[-3:] == [line.planned] * 3
