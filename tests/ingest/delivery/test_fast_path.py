"""The Polars fast path for CSV files gives exactly what the csv-module path gives.

Each case is read twice: through ``read_csv_block`` (Polars reads the rows, common forms are
converted by expressions, the rest by the Python parsers) and through ``read_table`` (every cell
by the Python parsers). Frames, warnings and summary counts must be identical.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import polars as pl
import pytest

from mediadesk.ingest.delivery import inspect as inspect_module
from mediadesk.ingest.delivery.generic import (
    BlockTable,
    block_of,
    read_columns,
    read_csv_block,
    resolve,
)
from mediadesk.ingest.delivery.inspect import inspect, load
from mediadesk.ingest.tables import Table, read_table

HEADER = "Day,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value,CTR\r\n"
TITLE = 'Campaign report\r\n"May 1, 2025 - May 31, 2025"\r\n'

MIXED = (
    TITLE
    + HEADER
    + '2025-05-01,Brand,Exact,USD,"1,234",56,1234.56,3.50,"1,000.00",4.5%\r\n'
    + "2025-05-02, Brand ,Exact,usd,766,44, --,1.50,0.00,--\r\n"
    + '05/03/2025,Brand,Exact,USD,1.234,-3,"$1,234.50",(2.00),"1.234,56",(not set)\r\n'
    + "2025-05-04,(not set),N/A,,0,0,-0.00,0,12.3456789,n/a\r\n"
    + "2025-05-05,Brand,,EUR,12.0,7,1e3,-0,1234,\r\n"
    + ',Total: Search,,USD,"2,000",100,1234.56,5.00,"1,000.00",\r\n'
    + '"May 6, 2025",Brand,Broad,USD,1 234,8,"1 234,56",0.5,"1,5",x\r\n'
    + "2025-02-29,Brand,Broad,USD,12.5,abc,12..5,x,1;2,y\r\n"
    + "2025-05-07,Brand,Broad,USD,99999999999999999999,1,"
    + "1234567890123456789012.5,0.0000005,-12.3456785,z\r\n"
    + ",,,,,,,,,\r\n"
    + "\r\n"
    + "2025-05-08,Brand,Broad,USD,5,1,1,1,1,\r\n"
    + ',Total: Account,,USD,"2,000",100,1234.56,5.00,"1,000.00",\r\n'
    + "© 2025 Google LLC,,,,,,,,,\r\n"
)
GERMAN = (
    "Kampagnenbericht\r\n"
    "1. Mai 2025 - 31. Mai 2025\r\n"
    "Tag;Kampagne;Anzeigengruppe;Währungscode;Impr.;Klicks;Kosten;Konversionen\r\n"
    "01.05.2025;Marke;Exakt;EUR;1.234;56;1.234,56;3,5\r\n"
    "02.05.2025;Marke;Exakt;EUR;766;44;765,44;1,5\r\n"
    "2025-05-03;Marke;Exakt;EUR;1.000.000;-4;-1.234,5;0,125\r\n"
    "Gesamt: Konto;;;EUR;2.000;100;2.000,00;5\r\n"
)
MANY_BAD = (
    TITLE
    + HEADER
    + "".join(
        f"2025-05-{day % 28 + 1:02d},Brand,Exact,USD,x{day},oops,1,1,1,\r\n" for day in range(30)
    )
)
QUOTED = (
    "Day,Campaign,Impressions,Clicks,Cost,Notes\n"
    '2025-05-01,"Brand, ""quoted""",10,1,2.50,"a\\b ""c"""\n'
    '2025-05-02,Brånd ünïcode,20,2,"3,000.5",tab\there\n'
    "2025-05-03,Brand,30,3,4.25,(c) some\n"
)
WIDER = (
    "Day,Campaign,Impressions,Clicks,Cost\n"
    "2025-05-01,Brand,10,1,2.50,,extra\n"
    "2025-05-02,Brand,20,2,3.00,,\n"
)
SEMICOLON_SEP = "sep=;\nDay;Campaign;Impressions;Clicks;Cost\n2025-05-01;Brand;10;1;2,50\n"


def _both(text: str | bytes, filename: str = "report.csv") -> tuple[Table, Table]:
    data = text.encode() if isinstance(text, str) else text
    fast = read_csv_block(data, filename)
    assert fast is not None, "the fast path declined this file"
    return fast, read_table(data, filename)


def _read(table: Table, **options: object) -> tuple[pl.DataFrame, list[str]]:
    warnings: list[str] = []
    frame = read_columns(
        table,
        resolve(table.headers),
        platform="generic",
        warnings=warnings,
        **options,  # type: ignore[arg-type]
    )
    return frame, warnings


@pytest.mark.parametrize(
    "text",
    [MIXED, GERMAN, MANY_BAD, QUOTED, WIDER, SEMICOLON_SEP, MIXED.replace(",", "\t")],
    ids=["mixed", "german", "many-bad", "quoted", "wider", "sep-line", "tabs"],
)
@pytest.mark.parametrize(
    "options",
    [{}, {"currency": "EUR"}, {"empty_first_cell_total": True}, {"day_first": True}],
    ids=["plain", "currency", "empty-first", "day-first"],
)
def test_fast_path_reads_exactly_like_the_csv_module(text: str, options: dict[str, object]) -> None:
    fast, slow = _both(text)
    assert block_of(fast) is not None and block_of(slow) is None
    assert (fast.source, fast.headers, fast.header_row) == (
        slow.source,
        slow.headers,
        slow.header_row,
    )
    assert fast.rows == slow.rows  # a reader that uses rows directly sees the same rows
    fast_frame, fast_warnings = _read(fast, **options)
    slow_frame, slow_warnings = _read(slow, **options)
    assert fast_frame.schema == slow_frame.schema
    assert fast_frame.to_dicts() == slow_frame.to_dicts()
    assert fast_warnings == slow_warnings


def test_tricky_values_and_their_warnings() -> None:
    fast, _ = _both(MIXED)
    frame, warnings = _read(fast)
    assert frame.height == 9  # two totals, the footer and the two empty rows left out
    assert frame["impressions"].to_list()[:5] == [1234, 766, 1234, 0, 12]
    assert frame["spend"].to_list()[:3] == [Decimal("1234.56"), None, Decimal("1234.5")]
    assert frame["conversion_value"][3] == Decimal("12.345679")  # rounded half-even, no float
    assert frame["currency"].to_list()[:2] == ["USD", "USD"]
    assert frame["campaign"].to_list()[:2] == ["Brand", "Brand"]
    assert frame["account"].null_count() == frame.height
    assert frame["extras"][0] == '{"CTR": "4.5%"}' and frame["extras"][1] == "{}"
    assert "row 11, Day: '2025-02-29' is not a valid date (day is out of range for month)." in (
        warnings
    )
    assert any(w.startswith("row 11, Clicks: 'abc'") for w in warnings)


def test_more_than_twenty_bad_cells_are_counted_the_same_way() -> None:
    fast, slow = _both(MANY_BAD)
    fast_warnings = _read(fast)[1]
    assert fast_warnings == _read(slow)[1]
    assert len(fast_warnings) == 21 and fast_warnings[-1] == "… and 40 more cells not read."


def test_inspect_uses_the_fast_path_and_counts_summary_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = MIXED.encode()
    fast = inspect(data, "report.csv")
    assert block_of(load(data, "report.csv").table) is not None
    monkeypatch.setattr(inspect_module, "read_csv_block", lambda data, filename: None)
    slow = inspect(data, "report.csv")
    assert fast.as_json() == slow.as_json()
    assert (fast.rows, fast.summary_rows) == (slow.rows, slow.summary_rows) == (9, 3)
    assert fast.frame is not None and slow.frame is not None
    assert fast.frame.to_dicts() == slow.frame.to_dicts()


def test_a_replaced_table_keeps_its_rows_and_drops_the_block() -> None:
    fast, slow = _both(MIXED)
    kept = dataclasses.replace(fast, rows=fast.rows[:2])
    assert isinstance(kept, BlockTable) and block_of(kept) is None
    assert kept.rows == slow.rows[:2]
    assert (
        _read(kept)[0].to_dicts()
        == _read(dataclasses.replace(slow, rows=slow.rows[:2]))[0].to_dicts()
    )


@pytest.mark.parametrize(
    "text",
    [
        'Day,Campaign,Cost\n2025-05-01,"two\nlines",1\n',  # a quoted line break
        "Day,Campaign,Cost\n2025-05-01,Brand,1\r2025-05-02,Brand,2\n",  # a lone carriage return
        'Day,Campaign,Cost\n2025-05-01,Br"and,1\n',  # a stray quote
        "Day,Campaign,Cost\n2025-05-01,Brand,1\n2025-05-02,Brand,1,more,cells\n",  # ragged
        "Day,Campaign,Cost\n2025-05-01,\x1c,1\n",  # whitespace only Python sees
        "Day,Campaign,Cost\n2025-05-01,(not ſet),1\n",  # empty only by Python's casefold
    ],
)
def test_unusual_files_are_left_to_the_csv_module(text: str) -> None:
    assert read_csv_block(text.encode(), "report.csv") is None


def test_old_mac_line_ends_read_the_same() -> None:
    table = read_csv_block(b"Day,Campaign,Cost\r2025-05-01,Brand,1\r", "report.csv")
    slow = read_table(b"Day,Campaign,Cost\r2025-05-01,Brand,1\r", "report.csv")
    if table is not None:  # one record below the header: Polars reads it as the csv module does
        assert table.rows == slow.rows
        assert _read(table)[0].to_dicts() == _read(slow)[0].to_dicts()


def test_other_encodings_read_the_same() -> None:
    text = GERMAN.replace("Marke", "Märke")
    for data in (text.encode("cp1252"), b"\xff\xfe" + text.encode("utf-16-le")):
        fast, slow = _both(data)
        assert fast.rows == slow.rows
        assert _read(fast)[0].to_dicts() == _read(slow)[0].to_dicts()
