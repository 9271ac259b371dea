from datetime import date

import pytest

from mediadesk.domain.periods import Period, PeriodError, format_period


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), "1–31 Oct 2026"),
        (date(2026, 9, 28), date(2026, 10, 4), "28 Sep – 4 Oct 2026"),
        (date(2026, 12, 1), date(2027, 1, 3), "1 Dec 2026 – 3 Jan 2027"),
        (date(2026, 5, 7), date(2026, 5, 7), "7 May 2026"),
    ],
)
def test_flights_read_naturally(start: date, end: date, text: str) -> None:
    assert format_period(start, end) == text


def test_period_refuses_end_before_start() -> None:
    with pytest.raises(PeriodError, match="2026-01-01 is before the start date 2026-02-01"):
        Period(date(2026, 2, 1), date(2026, 1, 1))


def test_contains_overlaps_and_days() -> None:
    q4 = Period(date(2026, 10, 1), date(2026, 12, 31))
    assert q4.contains(date(2026, 12, 31)) and not q4.contains(date(2027, 1, 1))
    assert q4.overlaps(Period(date(2026, 12, 31), date(2027, 3, 1)))
    assert not q4.overlaps(Period(date(2027, 1, 1), date(2027, 3, 1)))
    assert q4.days == 92
