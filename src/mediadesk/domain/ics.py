"""Writing iCalendar (RFC 5545) text: a calendar of events for a feed that calendar apps
subscribe to (Outlook, Google Calendar, Apple Calendar).

**Events.** An ``Event`` is all-day when its ``start`` is a ``date``: then ``end`` is the last
day it covers, inclusive (a flight of 1–31 Oct ends on 31 Oct), and is written as the exclusive
``DTEND`` the standard wants (1 Nov). An event is timed when ``start`` is a time-zone-aware
``datetime``: times are written in UTC (``20261005T083000Z``) and ``end`` is exclusive, as a
meeting's end time is. A naive datetime, an end before the start, or a mix of a date and a
datetime is refused with ``IcsError``: a wrong hour in somebody's calendar is worse than no
feed.

**Text.** TEXT values (summary, description, location, categories, UID) escape backslash,
semicolon and comma with a backslash and write every line break as ``\\n``; other control
characters are dropped (they are not allowed in iCalendar text). A URL is a URI value, written
as it is, and refused when it holds a line break or a control character.

**Lines** end with CRLF and are folded so that no line is longer than 75 octets of UTF-8: the
rest continues on the next line after one space, and a multi-byte character is never split.

**Stamps.** ``DTSTAMP`` is required on every event; the caller gives it (``stamp``, when the
feed was written), because this module never reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//mediadesk//mediadesk calendar//EN"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URI_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}]")


class IcsError(ValueError):
    """An event that cannot be written truthfully; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Event:
    uid: str  # unique and stable for the event across feeds, e.g. "campaign-12@mediadesk"
    summary: str
    start: date | datetime  # a date: all-day; an aware datetime: timed
    end: date | datetime | None = None  # all-day: the last day (inclusive); timed: exclusive
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)
    transparent: bool = False  # true: does not make the person busy (flights, deadlines)


def escape_text(value: str) -> str:
    """A TEXT value: ``\\`` ``;`` ``,`` escaped, line breaks as ``\\n``, control characters
    dropped."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (continuations start with a space), CRLF-ended."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line + CRLF
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_OCTETS  # the first line; continuation lines lose one octet to the space
    for character in line:
        width = len(character.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(character)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts) + CRLF


def _utc(value: datetime, what: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise IcsError(f"{what} {value.isoformat()} has no time zone; give an aware datetime.")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _uri(value: str, uid: str) -> str:
    if _URI_FORBIDDEN.search(value):
        raise IcsError(f"The URL of event {uid} holds a space, quote or control character.")
    return value


def _times(event: Event) -> list[str]:
    start, end = event.start, event.end
    if isinstance(start, datetime):
        if end is not None and not isinstance(end, datetime):
            raise IcsError(f"Event {event.uid} starts at a time but ends on a day.")
        lines = [f"DTSTART:{_utc(start, f'The start of event {event.uid}')}"]
        if end is not None:
            written = _utc(end, f"The end of event {event.uid}")
            if end < start:
                raise IcsError(f"Event {event.uid} ends before it starts.")
            lines.append(f"DTEND:{written}")
        return lines
    if isinstance(end, datetime):
        raise IcsError(f"Event {event.uid} is on a day but ends at a time.")
    last = end if end is not None else start
    if last < start:
        raise IcsError(
            f"Event {event.uid} ends on {last.isoformat()}, before it starts on "
            f"{start.isoformat()}."
        )
    return [
        f"DTSTART;VALUE=DATE:{_day(start)}",
        f"DTEND;VALUE=DATE:{_day(last + timedelta(days=1))}",
    ]


def event_lines(event: Event, stamp: datetime) -> list[str]:
    """The unfolded content lines of one VEVENT."""
    if not event.uid.strip():
        raise IcsError("An event needs a UID.")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{_utc(stamp, 'The stamp')}",
        *_times(event),
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{_uri(event.url, event.uid)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    lines.append(f"TRANSP:{'TRANSPARENT' if event.transparent else 'OPAQUE'}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[Event],
    *,
    name: str,
    stamp: datetime,
    description: str = "",
    refresh_hours: int = 1,
    prodid: str = PRODID,
) -> str:
    """A whole VCALENDAR: CRLF line ends, folded lines, events in the order given."""
    if refresh_hours < 1:
        raise IcsError("A feed is refreshed at most once an hour.")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(prodid)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    if description:
        lines.append(f"X-WR-CALDESC:{escape_text(description)}")
    lines += [
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_hours}H",
        f"X-PUBLISHED-TTL:PT{refresh_hours}H",
    ]
    seen: set[str] = set()
    for event in events:
        if event.uid in seen:
            raise IcsError(f"Two events share the UID {event.uid}.")
        seen.add(event.uid)
        lines += event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
