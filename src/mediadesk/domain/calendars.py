"""Weeks and months as media plans count them: calendar or broadcast.

Flowcharts run in Monday–Sunday weeks. Months come in two kinds:

- calendar months, as finance books them;
- broadcast months, as TV and radio sell and bill them: a broadcast month ends on the last
  Sunday of its calendar month and starts on the Monday after the previous one ended, so it
  is always whole weeks (4 or 5) and its first week contains the 1st of the calendar month.
  September 2026 runs 2026-08-31 … 2026-09-27; January 2027 runs 2026-12-28 … 2027-01-31.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from mediadesk.domain.periods import Period

_WEEK = timedelta(days=7)
_SUNDAY = 6


class CalendarKind(StrEnum):
    CALENDAR = "calendar"
    BROADCAST = "broadcast"


def week_start(day: date) -> date:
    """The Monday of the day's week (weeks run Monday–Sunday)."""
    return day - timedelta(days=day.weekday())


def weeks_covering(start: date, end: date) -> list[date]:
    """The Mondays of every week that touches start … end: the columns of a flowchart."""
    Period(start, end)  # refuses an end before the start, with the dates in the message
    monday = week_start(start)
    mondays = []
    while monday <= end:
        mondays.append(monday)
        monday += _WEEK
    return mondays


def broadcast_month_of(day: date) -> tuple[int, int]:
    """(year, month) of the broadcast month containing the day.

    A week belongs to the broadcast month of its Sunday: every Sunday of calendar month M lies
    after the last Sunday of M − 1 and no later than the last Sunday of M. So 2026-12-28 (a
    Monday whose Sunday is 2027-01-03) is in broadcast January 2027.
    """
    sunday = week_start(day) + timedelta(days=_SUNDAY)
    return sunday.year, sunday.month


def broadcast_month_range(year: int, month: int) -> tuple[date, date]:
    """First Monday … last Sunday of a broadcast month."""
    if not 1 <= month <= 12:
        raise ValueError(f"{month} is not a month; give 1 to 12.")
    end = _last_sunday(year, month)
    previous_year, previous_month = (year - 1, 12) if month == 1 else (year, month - 1)
    start = _last_sunday(previous_year, previous_month) + timedelta(days=1)
    return start, end


def month_of(day: date, kind: CalendarKind) -> tuple[int, int]:
    """(year, month) the day is reported in: its calendar month, or its broadcast month."""
    if kind == CalendarKind.BROADCAST:  # a StrEnum: "broadcast" compares equal too
        return broadcast_month_of(day)
    return day.year, day.month


def _last_sunday(year: int, month: int) -> date:
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = next_first - timedelta(days=1)
    return last_day - timedelta(days=(last_day.weekday() - _SUNDAY) % 7)
