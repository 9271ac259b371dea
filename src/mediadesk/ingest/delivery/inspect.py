"""What an export is: platform, report, data rows, date range, currency, totals, warnings.

Needs no database. ``inspect`` raises ``InspectError`` (one sentence) for a file it cannot
read as a delivery export, and lets ``UnsafeFile`` from the safety checks through.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from mediadesk.ingest import tables
from mediadesk.ingest.delivery.detect import Reader, detect
from mediadesk.ingest.delivery.generic import (
    BlockTable,
    block_of,
    read_csv_block,
    summary_mask,
)
from mediadesk.ingest.delivery.schema import plain, totals_of
from mediadesk.ingest.delivery.summary import is_summary_row
from mediadesk.ingest.safety import check_upload, display_name
from mediadesk.ingest.tables import Table, read_table
from mediadesk.ingest.values import ValueProblem, parse_date

_RANGE_SPLIT = re.compile(r"\s+[-–—]\s+|\s+(?:to|bis|au|a|até)\s+", re.IGNORECASE)
# A label before a range ("Date Range: …"; CM360 writes "Date Range,…", joined here with a space).
# Only the English label is from platform material; the others are unverified guesses.
_RANGE_LABEL = re.compile(
    r"^(?:date range|zeitraum|datumsbereich|plage de dates|période|intervalo de fechas|"
    r"rango de fechas|período|intervalo de datas)\s*:?\s*",
    re.IGNORECASE,
)
# GA4 comment lines "# Start date: 20260501" and "# End date: 20260531". English is from
# fixtures; the German, French, Spanish and Portuguese labels are unverified guesses.
_START_LINE = re.compile(
    r"^#\s*(?:start date|startdatum|date de début|fecha de inicio|data de início)\s*:\s*(.+)$",
    re.IGNORECASE,
)
_END_LINE = re.compile(
    r"^#\s*(?:end date|enddatum|date de fin|fecha de finalización|fecha de fin|"
    r"data de término|data de fim|data final)\s*:\s*(.+)$",
    re.IGNORECASE,
)
TOTALS = ("impressions", "clicks", "spend", "conversions")
# CM360 writes its header on the line after "Report Fields". English is from CM360
# report-parsing code; the German, French, Spanish and Portuguese names are unverified guesses.
_HEADER_MARKERS = frozenset(
    ("report fields", "berichtsfelder", "champs du rapport", "campos del informe",
     "campos do relatório")
)  # fmt: skip


class InspectError(ValueError):
    """A file that is not a readable delivery export; the message is one line for the person."""


class NoDataRows(InspectError):
    """A header with nothing but totals, footers or blank lines below it."""


class UnknownLayout(InspectError):
    """A readable table of no known platform: a saved column mapping can still read it."""

    def __init__(self, message: str, headers: Sequence[str]) -> None:
        super().__init__(message)
        self.headers = tuple(headers)


@dataclass(frozen=True, slots=True)
class Inspection:
    platform: str
    report: str
    rows: int  # data rows only: summary and footer rows are never counted
    date_from: date | None
    date_to: date | None
    currency: str | None
    totals: dict[str, int | Decimal | None]
    warnings: tuple[str, ...]
    source: str = ""
    summary_rows: int = 0
    frame: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "report": self.report,
            "rows": self.rows,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "currency": self.currency,
            "totals": {
                name: plain(value) if isinstance(value, Decimal) else value
                for name, value in self.totals.items()
            },
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class Loaded:
    table: Table
    preamble: tuple[str, ...]
    reader: Reader
    report: str
    frame: pl.DataFrame
    warnings: tuple[str, ...]
    summary_rows: int


def load(data: bytes, filename: str, reader: Reader | None = None) -> Loaded:
    """The file read by the reader of its platform (see ``detect``), or by ``reader`` (a
    generic reader with a saved column mapping)."""
    name = display_name(filename)
    if not data or data.isspace():  # not data.strip(): no copy of a large file
        raise InspectError(f"{name} is empty.")
    table: Table | None = None
    if check_upload(data, filename).kind == "csv":
        table = read_csv_block(data, filename)  # None when only the csv module can be sure
    if table is None:
        try:
            table = read_table(data, filename)
        except ValueError as exc:
            if type(exc) is not ValueError:
                raise
            raise InspectError(_one_line(str(exc))) from exc
    table = _below_header_marker(data, filename, table)
    preamble = _preamble(data, filename, table)
    if (block := block_of(table)) is not None:
        total_rows = block.height
        data_count = total_rows - int(summary_mask(block).sum())
    else:
        total_rows = len(table.rows)
        data_count = sum(not is_summary_row(row.cells) for row in table.rows)
    if not data_count:
        raise NoDataRows(
            f"{name} has a header ({_listed(table.headers)}) but no data rows below it."
        )
    if reader is None:
        found = detect(table.headers, preamble)
        if found is None:
            raise UnknownLayout(
                f"{name} has an unknown layout; the columns it has are: {_listed(table.headers)}.",
                table.headers,
            )
        reader, _ = found
    warnings: list[str] = []
    frame = reader.read(table, warnings)
    report = reader.report(table.headers, preamble)
    # What the reader left out: DV360's totals row (an empty first cell) and Meta's summary row
    # (empty names) are summary rows that only their reader recognizes.
    summary = total_rows - frame.height
    return Loaded(table, preamble, reader, report, frame, tuple(warnings), summary)


def inspect(data: bytes, filename: str) -> Inspection:
    loaded = load(data, filename)
    frame = loaded.frame
    warnings = list(loaded.warnings)
    dates = frame["date"].drop_nulls()
    date_from: date | None = dates.min() if len(dates) else None  # type: ignore[assignment]
    date_to: date | None = dates.max() if len(dates) else None  # type: ignore[assignment]
    if date_from is None:
        date_from, date_to = _preamble_range(loaded.preamble)
    currencies = sorted(frame["currency"].drop_nulls().unique().to_list())
    currency = currencies[0] if len(currencies) == 1 else None
    if len(currencies) > 1:
        warnings.append(f"Several currencies in one file: {', '.join(currencies)}.")
    elif not currencies:
        warnings.append("The file names no currency (no currency column or header).")
    if date_from is None:
        warnings.append("The file has no dates (no date column or date-range line).")
    totals = totals_of(frame, TOTALS)
    warnings += [
        f"The file has no {name} column." for name, total in totals.items() if total is None
    ]
    return Inspection(
        platform=loaded.reader.platform,
        report=loaded.report,
        rows=frame.height,
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        totals=totals,
        warnings=tuple(warnings),
        source=loaded.table.source,
        summary_rows=loaded.summary_rows,
        frame=frame,
    )


def _listed(headers: Sequence[str]) -> str:
    shown = ", ".join(headers[:30])
    return shown + (f" and {len(headers) - 30} more" if len(headers) > 30 else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _below_header_marker(data: bytes, filename: str, table: Table) -> Table:
    """The table whose header is the line after a "Report Fields" line (CM360), if the header
    found lies above that line: CM360's metadata ("Report Time Zone,Europe/Berlin") can pass for
    a header, and read_table is left as it is (it takes a hint, ``header_contains``, for this).
    """
    rows = _first_rows(table, tables.HEADER_SEARCH_ROWS)
    for index, cells in enumerate(rows[:-1]):
        filled = [tables._cell_text(cell).strip() for cell in cells if not tables._blank(cell)]
        if len(filled) == 1 and filled[0].casefold() in _HEADER_MARKERS:
            below = rows[index + 1]
            header = [tables._cell_text(cell) for cell in below if not tables._blank(cell)]
            try:
                return read_table(data, filename, header_contains=header)
            except ValueError as exc:
                if type(exc) is not ValueError:
                    raise
                raise InspectError(_one_line(str(exc))) from exc
    return table


def _first_rows(table: Table, count: int) -> list[Sequence[object]]:
    """The first rows below the header, without building every row of a large block."""
    block = block_of(table)
    if block is None:
        return [row.cells for row in table.rows[:count]]
    return [cells for _, *cells in block.head(count).iter_rows()]


def _preamble(data: bytes, filename: str, table: Table) -> tuple[str, ...]:
    """The lines above the header (report title, date range, metadata), cells joined by spaces."""
    above = table.header_row - 1
    if above <= 0:
        return ()
    name = display_name(filename)
    grid: Sequence[Sequence[object]]
    if isinstance(table, BlockTable):  # read_csv_block kept the records above the header
        grid = table.above[:above]
    elif check_upload(data, filename).kind == "xlsx":
        grid = tables._sheet_grid(data, name, None)[1][:above]
    else:
        # The same decoding and delimiter as read_table; only the first records are parsed.
        text = tables._decode(data, name)
        if declared := tables._SEP_LINE.match(text):
            delimiter, text = declared[1], text[declared.end() :]
        else:
            delimiter = tables._delimiter(text[: tables._SAMPLE_CHARS])
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        grid = [next(reader, []) for _ in range(above)]
    lines = (" ".join(tables._cell_text(cell).strip() for cell in row) for row in grid)
    return tuple(line.strip() for line in lines if line.strip())


def _preamble_range(preamble: Sequence[str]) -> tuple[date | None, date | None]:
    """The report range from a preamble line such as "May 18, 2025 - August 15, 2025", else
    from GA4's "# Start date: 20260501" and "# End date: 20260531" lines."""
    for line in preamble:
        parts = _RANGE_SPLIT.split(_RANGE_LABEL.sub("", line.strip(), count=1))
        if len(parts) != 2:
            continue
        try:
            first, last = parse_date(parts[0]), parse_date(parts[1])
        except ValueProblem:
            continue
        if first and last:
            return first, last
    return _comment_range(preamble)


def _comment_range(preamble: Sequence[str]) -> tuple[date | None, date | None]:
    """The range of GA4's "# Start date:" and "# End date:" comment lines (both or neither)."""
    found: list[date | None] = [None, None]
    for line in preamble:
        for at, pattern in enumerate((_START_LINE, _END_LINE)):
            if (match := pattern.match(line.strip())) and found[at] is None:
                try:
                    found[at] = parse_date(match[1].strip())
                except ValueProblem:
                    continue
    first, last = found
    return (first, last) if first and last else (None, None)
