from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.ics import Event, IcsError, calendar, escape_text, fold

STAMP = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text.encode("utf-8"))


def test_an_all_day_flight_ends_the_day_after_its_last_day() -> None:
    flight = Event(
        uid="campaign-1@mediadesk",
        summary="Autumn Roast Launch",
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        transparent=True,
    )
    text = calendar([flight], name="Ben's campaigns", stamp=STAMP)
    assert "DTSTART;VALUE=DATE:20261001\r\n" in text
    assert "DTEND;VALUE=DATE:20261101\r\n" in text
    assert "DTSTAMP:20261129T220000Z\r\n" in text
    event = parse(text).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == date(2026, 10, 1)
    assert event.decoded("DTEND") == date(2026, 11, 1)
    assert str(event["UID"]) == "campaign-1@mediadesk"
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_a_one_day_deadline_without_end_covers_that_day() -> None:
    text = calendar(
        [Event(uid="d-1", summary="Material due", start=date(2026, 10, 5))], name="x", stamp=STAMP
    )
    assert "DTSTART;VALUE=DATE:20261005\r\nDTEND;VALUE=DATE:20261006\r\n" in text


def test_a_meeting_is_written_in_utc() -> None:
    meeting = Event(
        uid="meeting-3@mediadesk",
        summary="Weekly status",
        start=datetime(2026, 12, 1, 9, 30, tzinfo=BERLIN),
        end=datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN),
    )
    text = calendar([meeting], name="x", stamp=STAMP)
    assert "DTSTART:20261201T083000Z\r\nDTEND:20261201T090000Z\r\n" in text
    event = parse(text).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert str(event["TRANSP"]) == "OPAQUE"


def test_text_escapes_commas_semicolons_backslashes_and_newlines() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert escape_text("bell\x07 and tab\t") == "bell and tab\t"
    summary = "Review: TV, radio; print\\online\nsecond line"
    text = calendar(
        [Event(uid="u,1;x", summary=summary, start=date(2026, 10, 5),
               description="Line 1\nLine 2, with comma", categories=("Flight", "A,B"))],
        name="Ben, Northwind; all", stamp=STAMP,
    )  # fmt: skip
    assert "SUMMARY:Review: TV\\, radio\\; print\\\\online\\nsecond line\r\n" in text
    # A parser keeps X- properties as written (their type is unknown to it): escaped as TEXT.
    assert "X-WR-CALNAME:Ben\\, Northwind\\; all\r\n" in text
    event = parse(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == summary
    assert str(event["UID"]) == "u,1;x"
    assert str(event["DESCRIPTION"]) == "Line 1\nLine 2, with comma"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Flight", "A,B"]


def test_long_lines_fold_at_75_octets_without_splitting_characters() -> None:
    summary = "Spätsommer-Kampagne für Kaffee ☕ " * 8
    text = calendar(
        [Event(uid="long", summary=summary, start=date(2026, 10, 5))], name="x", stamp=STAMP
    )
    assert text.endswith("END:VCALENDAR\r\n")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert "\r\n " in text  # it did fold
    assert "\n" not in text.replace("\r\n", "")  # only CRLF line ends
    assert str(parse(text).walk("VEVENT")[0]["SUMMARY"]) == summary


def test_fold_keeps_short_lines_and_continues_with_one_space() -> None:
    assert fold("SUMMARY:short") == "SUMMARY:short\r\n"
    line = "X:" + "a" * 200
    folded = fold(line)
    parts = folded.removesuffix("\r\n").split("\r\n")
    assert len(parts[0]) == 75 and all(len(p) == 75 for p in parts[1:-1])
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


@given(st.text(min_size=0, max_size=400))
def test_any_text_survives_the_round_trip(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(c for c in expected if c in "\t\n" or not (ord(c) < 32 or ord(c) == 127))
    written = calendar(
        [Event(uid="u", summary=text, start=date(2026, 1, 1))], name="n", stamp=STAMP
    )
    for line in written.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    event = parse(written).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == expected


def test_url_is_written_as_a_uri_and_refused_with_a_line_break() -> None:
    url = "https://desk.example/campaigns/12/?a=1,2;b"
    text = calendar(
        [Event(uid="u", summary="s", start=date(2026, 1, 1), url=url)], name="n", stamp=STAMP
    )
    assert f"URL:{url}\r\n" in text
    with pytest.raises(IcsError, match="URL of event u"):
        calendar(
            [Event(uid="u", summary="s", start=date(2026, 1, 1), url="https://x/\r\nX-EVIL:1")],
            name="n",
            stamp=STAMP,
        )


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (Event(uid="a", summary="s", start=datetime(2026, 1, 1, 9)), "has no time zone"),
        (
            Event(uid="b", summary="s", start=date(2026, 1, 5), end=date(2026, 1, 4)),
            "ends on 2026-01-04, before it starts on 2026-01-05",
        ),
        (
            Event(uid="c", summary="s", start=STAMP, end=STAMP - timedelta(minutes=1)),
            "ends before it starts",
        ),
        (Event(uid="d", summary="s", start=STAMP, end=date(2026, 1, 1)), "ends on a day"),
        (Event(uid="e", summary="s", start=date(2026, 1, 1), end=STAMP), "ends at a time"),
        (Event(uid=" ", summary="s", start=date(2026, 1, 1)), "needs a UID"),
    ],
)
def test_events_that_would_lie_are_refused(event: Event, message: str) -> None:
    with pytest.raises(IcsError, match=message):
        calendar([event], name="n", stamp=STAMP)


def test_duplicate_uids_and_naive_stamps_are_refused() -> None:
    twice = [Event(uid="x", summary="s", start=date(2026, 1, 1))] * 2
    with pytest.raises(IcsError, match="Two events share the UID x"):
        calendar(twice, name="n", stamp=STAMP)
    with pytest.raises(IcsError, match="The stamp"):
        calendar(twice[:1], name="n", stamp=datetime(2026, 1, 1))


def test_an_empty_calendar_is_still_a_calendar() -> None:
    text = calendar([], name="Nothing yet", stamp=STAMP, description="Flights, deadlines")
    parsed = parse(text)
    assert parsed.walk("VEVENT") == []
    assert str(parsed["VERSION"]) == "2.0"
    assert "X-WR-CALDESC:Flights\\, deadlines\r\n" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
