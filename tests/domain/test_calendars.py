import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.calendars import (
    CalendarKind,
    broadcast_month_of,
    broadcast_month_range,
    month_of,
    week_start,
    weeks_covering,
)
from mediadesk.domain.periods import PeriodError

# The shared reference folder sits beside the repository root; it is read, never copied in.
BROADCAST_CSV = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "data"
    / "broadcast_calendar_2023_2027_COMPUTED.csv"
)


def test_weeks_start_on_monday() -> None:
    assert week_start(date(2026, 10, 1)) == date(2026, 9, 28)
    assert week_start(date(2026, 9, 28)) == date(2026, 9, 28)
    assert week_start(date(2026, 10, 4)) == date(2026, 9, 28)


def test_weeks_covering_a_flight() -> None:
    assert weeks_covering(date(2026, 10, 1), date(2026, 10, 31)) == [
        date(2026, 9, 28),
        date(2026, 10, 5),
        date(2026, 10, 12),
        date(2026, 10, 19),
        date(2026, 10, 26),
    ]
    assert weeks_covering(date(2026, 10, 4), date(2026, 10, 4)) == [date(2026, 9, 28)]
    with pytest.raises(PeriodError, match="before the start date"):
        weeks_covering(date(2026, 10, 4), date(2026, 10, 3))


@pytest.mark.parametrize(
    ("year", "month", "start", "end"),
    [
        (2026, 9, date(2026, 8, 31), date(2026, 9, 27)),
        (2026, 10, date(2026, 9, 28), date(2026, 10, 25)),
        (2026, 11, date(2026, 10, 26), date(2026, 11, 29)),
        (2026, 12, date(2026, 11, 30), date(2026, 12, 27)),
        (2027, 1, date(2026, 12, 28), date(2027, 1, 31)),
    ],
)
def test_broadcast_months_worked_examples(year: int, month: int, start: date, end: date) -> None:
    assert broadcast_month_range(year, month) == (start, end)
    assert broadcast_month_of(start) == broadcast_month_of(end) == (year, month)


def test_month_of_either_kind() -> None:
    assert month_of(date(2026, 12, 28), CalendarKind.CALENDAR) == (2026, 12)
    assert month_of(date(2026, 12, 28), CalendarKind.BROADCAST) == (2027, 1)
    assert month_of(date(2026, 9, 30), CalendarKind.BROADCAST) == (2026, 10)


def test_broadcast_month_refuses_a_month_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="13 is not a month"):
        broadcast_month_range(2026, 13)


def test_conformance_with_the_shared_broadcast_calendar() -> None:
    if not BROADCAST_CSV.exists():
        pytest.skip(f"the shared reference calendar is not beside the repository ({BROADCAST_CSV})")
    with BROADCAST_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60
    for row in rows:
        start, end = broadcast_month_range(int(row["broadcast_year"]), int(row["broadcast_month"]))
        assert start.isoformat() == row["start_monday"], row
        assert end.isoformat() == row["end_sunday"], row
        days = (end - start).days + 1
        assert days == int(row["days"]), row
        assert len(weeks_covering(start, end)) == int(row["weeks"]), row


@given(st.dates(min_value=date(1900, 1, 8), max_value=date(2200, 12, 24)))
def test_every_day_is_in_exactly_one_broadcast_month(day: date) -> None:
    year, month = broadcast_month_of(day)
    start, end = broadcast_month_range(year, month)
    assert start <= day <= end
    assert start.weekday() == 0 and end.weekday() == 6
    assert start <= date(year, month, 1) <= end  # its first week contains the 1st
    # The neighbouring broadcast months do not contain the day.
    before = broadcast_month_range(*broadcast_month_of(start - timedelta(days=1)))
    after = broadcast_month_range(*broadcast_month_of(end + timedelta(days=1)))
    assert before[1] + timedelta(days=1) == start and end + timedelta(days=1) == after[0]
    assert not before[0] <= day <= before[1] and not after[0] <= day <= after[1]
