"""Date ranges: flights, campaign dates, reporting periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class PeriodError(ValueError):
    """A date range that ends before it starts."""


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                f"The end date {self.end.isoformat()} is before the start date "
                f"{self.start.isoformat()}."
            )

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def format_period(start: date, end: date) -> str:
    """How a flight reads on screen.

    '1–31 Oct 2026', '28 Sep – 4 Oct 2026', '1 Dec 2026 – 3 Jan 2027'.
    """
    if start.year != end.year:
        return f"{_day_month_year(start)} – {_day_month_year(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {_day_month_year(end)}"
    if start.day == end.day:
        return _day_month_year(start)
    return f"{start.day}–{_day_month_year(end)}"


def _day_month_year(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
