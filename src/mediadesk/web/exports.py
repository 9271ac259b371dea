"""The one export helper every CSV/XLSX download goes through.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by Excel or LibreOffice (CSV/formula injection). Such text is prefixed with an
apostrophe; real numbers (int, Decimal) are written as numbers and stay numbers, negative ones
included. Dates are ISO in every export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    number_format: str | None = None  # XLSX format for numbers, e.g. "#,##0.00"


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return neutralize(", ".join(str(item) for item in value))
    return neutralize(value)


def to_csv(columns: Sequence[Column], rows: Iterable[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(column.header) for column in columns])
    for row in rows:
        writer.writerow([_csv_value(column.value(row)) for column in columns])
    return buffer.getvalue()


def to_xlsx(columns: Sequence[Column], rows: Iterable[Any], sheet: str = "Export") -> bytes:
    buffer = io.BytesIO()
    # Never let the writer turn text into formulas or numbers by itself.
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
         "strings_to_urls": False, "remove_timezone": True},
    )  # fmt: skip
    worksheet = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bottom": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    formats = {
        column.number_format: book.add_format({"num_format": column.number_format})
        for column in columns
        if column.number_format
    }
    for col, column in enumerate(columns):
        worksheet.write_string(0, col, neutralize(column.header), bold)
    widths = [len(column.header) for column in columns]
    row_count = 0
    for row_number, row in enumerate(rows, start=1):
        row_count = row_number
        for col, column in enumerate(columns):
            value = column.value(row)
            text_width = _write_cell(
                worksheet, row_number, col, value, column, formats, date_format
            )
            widths[col] = min(60, max(widths[col], text_width))
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, width + 2)
    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, max(row_count, 1), len(columns) - 1)
    book.close()
    return buffer.getvalue()


def _write_cell(
    worksheet: Any,
    row: int,
    col: int,
    value: Any,
    column: Column,
    formats: dict[str, Any],
    date_format: Any,
) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
        return 5
    if isinstance(value, int | Decimal):
        # Spreadsheets hold numbers as binary floating point; this is presentation only.
        number_format = formats.get(column.number_format) if column.number_format else None
        worksheet.write_number(row, col, float(value), number_format)
        return len(f"{value:,}")
    if isinstance(value, datetime):
        worksheet.write_datetime(row, col, value.replace(tzinfo=None), date_format)
        return 19
    if isinstance(value, date):
        worksheet.write_datetime(
            row, col, datetime(value.year, value.month, value.day), date_format
        )
        return 10
    text = _csv_value(value)
    worksheet.write_string(row, col, str(text))
    return len(str(text))


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(
    fmt: str, filename: str, columns: Sequence[Column], rows: Iterable[Any]
) -> HttpResponse:
    """A download of ``rows`` as CSV or XLSX; ``filename`` without extension."""
    if fmt == "csv":
        # The BOM makes Excel read UTF-8 (accents, currency signs) correctly.
        response = HttpResponse("\ufeff" + to_csv(columns, rows), content_type=CSV_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(to_xlsx(columns, rows), content_type=XLSX_TYPE)
    else:
        raise ValueError(f"Unknown export format {fmt!r}.")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
