import random
import time
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.flighting import Slice
from mediadesk.domain.flowchart import FlowchartError, FlowLine, MonthSpan, build_flowchart

SEP_28 = date(2026, 9, 28)  # Mon 28 Sep – Sun 4 Oct 2026: a week across two calendar months
SEP = (2026, 9)
OCT = (2026, 10)


def piece(week: date, month: tuple[int, int], days: int, amount: str) -> Slice:
    return Slice(week=week, month=month, days=days, amount=Decimal(amount))


def flow_line(
    id: int, code: str, slices: list[Slice], channel: str = "TV", vendor: str = "ARD"
) -> FlowLine:
    return FlowLine(id, code, channel, vendor, "DE", f"Line {code}", slices)


def week(n: int) -> date:
    return SEP_28 + timedelta(weeks=n)


def test_a_week_across_two_months_is_one_cell_and_split_in_the_month_totals() -> None:
    # Wed 30 Sep – Sun 11 Oct 2026 at 100 a day, then dark, then one more week.
    tv = flow_line(
        1,
        "TV-01",
        [
            piece(SEP_28, SEP, 1, "100.00"),
            piece(SEP_28, OCT, 4, "400.00"),
            piece(week(1), OCT, 7, "700.00"),
            piece(week(3), OCT, 7, "350.00"),
        ],
    )
    chart = build_flowchart([tv])
    assert chart.weeks == (week(0), week(1), week(2), week(3))
    assert chart.rows[0].cells == (Decimal(500), Decimal(700), Decimal(0), Decimal(350))
    assert chart.rows[0].total == Decimal("1550.00")
    assert chart.months == (
        MonthSpan(SEP, "Sep 2026", first_week_index=0, week_count=1, total=Decimal("100.00")),
        MonthSpan(OCT, "Oct 2026", first_week_index=1, week_count=3, total=Decimal("1450.00")),
    )
    assert chart.week_totals == chart.rows[0].cells
    assert chart.total == Decimal("1550.00")


def test_a_broadcast_week_sits_under_its_broadcast_month() -> None:
    # Broadcast October 2026 runs Mon 28 Sep – Sun 25 Oct.
    radio = flow_line(1, "RAD-01", [piece(week(n), OCT, 7, "70") for n in range(4)])
    radio_nov = flow_line(2, "RAD-02", [piece(week(4), (2026, 11), 7, "70")])
    chart = build_flowchart([radio, radio_nov])
    assert [(m.label, m.first_week_index, m.week_count, m.total) for m in chart.months] == [
        ("Oct 2026", 0, 4, Decimal(280)),
        ("Nov 2026", 4, 1, Decimal(70)),
    ]


def test_a_month_without_a_week_of_its_own_still_carries_its_total() -> None:
    # Mon 28 Sep – Fri 2 Oct: the only week sits under September.
    chart = build_flowchart(
        [flow_line(1, "X", [piece(SEP_28, SEP, 3, "30"), piece(SEP_28, OCT, 2, "20")])]
    )
    assert [(m.month, m.first_week_index, m.week_count, m.total) for m in chart.months] == [
        (SEP, 0, 1, Decimal(30)),
        (OCT, 1, 0, Decimal(20)),
    ]


def test_a_gap_week_of_no_line_stays_in_the_chart() -> None:
    chart = build_flowchart(
        [
            flow_line(1, "A", [piece(week(0), SEP, 3, "3")]),
            flow_line(2, "B", [piece(week(4), OCT, 6, "6")]),
        ]
    )
    assert chart.weeks == tuple(week(n) for n in range(5))
    assert chart.week_totals == (3, 0, 0, 0, 6)
    assert [(m.month, m.first_week_index, m.week_count) for m in chart.months] == [
        (SEP, 0, 1),
        (OCT, 1, 4),
    ]


def test_rows_are_ordered_by_channel_vendor_start_and_code_with_group_totals() -> None:
    lines = [
        flow_line(1, "TV-B", [piece(week(0), SEP, 7, "10")], "TV", "ZDF"),
        flow_line(2, "TV-C", [piece(week(1), OCT, 7, "20")], "TV", "ARD"),
        flow_line(3, "TV-A", [piece(week(1), OCT, 7, "30")], "TV", "ARD"),
        flow_line(4, "SOC-1", [piece(week(2), OCT, 7, "40")], "social", "Meta"),
        flow_line(5, "TV-Z", [piece(week(0), SEP, 7, "50")], "TV", "ARD"),
        flow_line(6, "OOH", [], "OOH", "JCDecaux"),
    ]
    chart = build_flowchart(lines)
    assert [row.line.code for row in chart.rows] == ["OOH", "SOC-1", "TV-Z", "TV-A", "TV-C", "TV-B"]
    assert [(g.channel, g.vendor, g.cells, g.total) for g in chart.vendor_totals] == [
        ("OOH", "JCDecaux", (0, 0, 0), 0),
        ("social", "Meta", (0, 0, 40), 40),
        ("TV", "ARD", (50, 50, 0), 100),
        ("TV", "ZDF", (10, 0, 0), 10),
    ]
    assert [(g.channel, g.vendor, g.cells, g.total) for g in chart.channel_totals] == [
        ("OOH", None, (0, 0, 0), 0),
        ("social", None, (0, 0, 40), 40),
        ("TV", None, (60, 50, 0), 110),
    ]
    assert chart.week_totals == (60, 50, 40)
    assert chart.total == 150


def test_dark_lines_still_appear_with_zeros() -> None:
    dark = flow_line(1, "DARK", [piece(week(1), OCT, 7, "0.00")])
    empty = flow_line(2, "EMPTY", [])
    lit = flow_line(3, "LIT", [piece(week(0), SEP, 7, "5")])
    chart = build_flowchart([dark, empty, lit])
    assert {row.line.code: row.cells for row in chart.rows} == {
        "LIT": (5, 0),
        "DARK": (0, 0),
        "EMPTY": (0, 0),
    }
    assert [row.line.code for row in chart.rows] == ["LIT", "DARK", "EMPTY"]


def test_no_lines_give_an_empty_chart() -> None:
    chart = build_flowchart([])
    assert chart.weeks == chart.months == chart.rows == chart.week_totals == ()
    assert chart.channel_totals == chart.vendor_totals == ()
    assert chart.total == 0
    only_dark = build_flowchart([flow_line(1, "X", [])])
    assert only_dark.rows[0].cells == () and only_dark.total == 0


def test_weeks_are_given_by_their_monday() -> None:
    with pytest.raises(FlowchartError, match="Line TV-02: the week 2026-09-30 is not a Monday"):
        build_flowchart(
            [
                flow_line(1, "TV-01", [piece(SEP_28, SEP, 7, "1")]),
                flow_line(2, "TV-02", [piece(date(2026, 9, 30), SEP, 5, "1")]),
            ]
        )


def test_a_slice_in_a_month_its_week_does_not_touch_is_refused() -> None:
    with pytest.raises(FlowchartError, match=r"Line X: the week of 2026-09-28 .* in 2026-11"):
        build_flowchart([flow_line(1, "X", [piece(SEP_28, (2026, 11), 7, "1")])])


FIRST_MONDAY = date(2026, 1, 5)


@st.composite
def flow_lines(draw: st.DrawFn) -> list[FlowLine]:
    lines = []
    for n in range(draw(st.integers(0, 12))):
        slices = []
        for offset in draw(st.lists(st.integers(0, 60), max_size=10)):
            monday = FIRST_MONDAY + timedelta(weeks=offset)
            day = monday + timedelta(days=draw(st.sampled_from([0, 6])))
            amount = draw(st.decimals(min_value=0, max_value=10**7, places=2))
            slices.append(Slice(monday, (day.year, day.month), draw(st.integers(0, 7)), amount))
        channel = draw(st.sampled_from(["TV", "Radio", "Search", "tv"]))
        vendor = draw(st.sampled_from(["A", "B", "C"]))
        lines.append(FlowLine(n, f"L{n}", channel, vendor, "DE", f"Line {n}", slices))
    return lines


@given(flow_lines())
def test_every_total_adds_up_to_the_slices(lines: list[FlowLine]) -> None:
    chart = build_flowchart(lines)
    everything = sum((p.amount for line in lines for p in line.slices), Decimal(0))
    assert chart.total == everything
    assert sum(chart.week_totals, Decimal(0)) == everything
    assert sum((row.total for row in chart.rows), Decimal(0)) == everything
    assert sum((month.total for month in chart.months), Decimal(0)) == everything
    assert sum((group.total for group in chart.channel_totals), Decimal(0)) == everything
    assert sum((group.total for group in chart.vendor_totals), Decimal(0)) == everything
    assert sorted(row.line.id for row in chart.rows) == [line.id for line in lines]
    for row in chart.rows:
        assert len(row.cells) == len(chart.weeks)
        assert sum(row.cells, Decimal(0)) == row.total
        assert row.total == sum((p.amount for p in row.line.slices), Decimal(0))
    for month in chart.months:
        assert month.total == sum(
            (p.amount for line in lines for p in line.slices if p.month == month.month),
            Decimal(0),
        )


@given(flow_lines())
def test_weeks_are_contiguous_and_the_month_band_covers_them_in_order(
    lines: list[FlowLine],
) -> None:
    chart = build_flowchart(lines)
    assert all(week.weekday() == 0 for week in chart.weeks)
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(chart.weeks))
    position = 0
    for month in chart.months:
        assert month.first_week_index == position
        position += month.week_count
    assert position == len(chart.weeks)
    assert [month.month for month in chart.months] == sorted({m.month for m in chart.months})
    keys = [(r.line.channel.casefold(), r.line.channel, r.line.vendor) for r in chart.rows]
    assert keys == sorted(keys)


def synthetic_lines(count: int = 500, weeks: int = 52) -> list[FlowLine]:
    rng = random.Random(7)
    lines = []
    for n in range(count):
        slices = []
        for w in range(weeks):
            monday = FIRST_MONDAY + timedelta(weeks=w)
            sunday = monday + timedelta(days=6)
            amount = Decimal(rng.randrange(0, 1_000_000)) / 100
            if sunday.month != monday.month:
                slices.append(Slice(monday, (monday.year, monday.month), 3, amount))
                slices.append(Slice(monday, (sunday.year, sunday.month), 4, amount))
            else:
                slices.append(Slice(monday, (monday.year, monday.month), 7, amount))
        line = FlowLine(n, f"L{n:04d}", f"C{n % 6}", f"V{n % 40}", "DE", f"Line {n}", slices)
        lines.append(line)
    return lines


def test_500_lines_by_52_weeks_build_fast() -> None:
    lines = synthetic_lines()
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        chart = build_flowchart(lines)
        best = min(best, time.perf_counter() - started)
    assert len(chart.rows) == 500 and len(chart.weeks) == 52
    assert best < 0.1, f"{best * 1000:.0f} ms"
