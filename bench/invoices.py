"""Reading vendor invoice files: 10,000 invoice lines (500 invoices of 20 lines, fixed seed) as
an XLSX workbook with date and number cells, and as the CSV a German Excel saves (Windows-1252,
semicolons, decimal commas, day-first dates).

Pure ingest code, no database. ``read_invoices`` is the whole import read: the safety checks
(for the workbook the zip checks, inflating every member and the sheet scan), the table reader,
every cell parsed to Decimal/date with its checks, and the rows grouped into invoices with the
agreement and repeat checks. The first workbook read forgets the remembered safety scan, as a
fresh upload would.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial

import xlsxwriter

from bench.timing import measure
from mediadesk.ingest import safety
from mediadesk.ingest.invoices import COLUMNS, read_invoices

SEED = 20261031
INVOICES = 500
LINES_PER_INVOICE = 20
ROWS = INVOICES * LINES_PER_INVOICE
VENDORS = ["Northwind Radio", "Contoso Outdoor", "Süddeutsche Medien", "Fabrikam TV", "Adatum"]
HEADER = [column.name for column in COLUMNS]


def build_lines(seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    lines: list[dict[str, object]] = []
    for number in range(INVOICES):
        vendor = VENDORS[number % len(VENDORS)]
        invoice_date = date(2026, 1 + number % 12, 28)
        amounts = [
            Decimal(rng.randrange(-50_000, 2_500_000)) / 100 or Decimal("1.00")
            for _ in range(LINES_PER_INVOICE)
        ]
        total = sum(amounts, Decimal(0))
        for index, amount in enumerate(amounts):
            lines.append(
                {
                    "vendor": vendor,
                    "invoice_number": f"{vendor[:2].upper()}-2026-{number:04d}",
                    "invoice_date": invoice_date,
                    "currency": "EUR",
                    "io_number": f"IO-2026-{number % 97:04d}",
                    "placement": f"PL-{number:04d}-{index:02d}",
                    "month": (2026, invoice_date.month),
                    "description": f"Line {index + 1}, spots and online",
                    "quantity": rng.randrange(1, 5_000_000) if index % 4 else None,
                    "amount": amount,
                    "tax": (amount * Decimal("0.19")).quantize(Decimal("0.01")),
                    "invoice_total": total,
                    "due_date": date(
                        2026 + (invoice_date.month == 12), invoice_date.month % 12 + 1, 27
                    ),
                }
            )
    return lines


def build_xlsx(lines: list[dict[str, object]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet("Invoice lines")
    day = workbook.add_format({"num_format": "dd.mm.yyyy"})
    month = workbook.add_format({"num_format": "mmm yyyy"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, HEADER)
    for row, line in enumerate(lines, start=1):
        for column, name in enumerate(HEADER):
            value = line[name]
            if value is None:
                continue
            if name == "month":
                assert isinstance(value, tuple)
                sheet.write_datetime(row, column, date(value[0], value[1], 1), month)
            elif isinstance(value, date):
                sheet.write_datetime(row, column, value, day)
            elif isinstance(value, Decimal):
                sheet.write_number(row, column, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(row, column, value)
            else:
                sheet.write_string(row, column, str(value))
    workbook.close()
    return buffer.getvalue()


def build_csv(lines: list[dict[str, object]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([_german(line[name]) for name in HEADER])
    return text.getvalue().encode("cp1252")


def _german(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return f"{value[1]:02d}.{value[0]}"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | int):
        return f"{value:,}".translate(str.maketrans({",": ".", ".": ","}))
    return str(value)


def run() -> None:
    lines = build_lines()
    workbook = build_xlsx(lines)
    text = build_csv(lines)
    for data, name in ((workbook, "invoices.xlsx"), (text, "invoices.csv")):
        read = read_invoices(data, name)
        assert len(read) == INVOICES and sum(len(i.lines) for i in read) == ROWS, name
    print(f"xlsx: {ROWS:,} lines in {INVOICES} invoices, {len(workbook):,} bytes (seed {SEED})")
    print(f"csv:  {ROWS:,} lines, {len(text):,} bytes, Windows-1252, ';', decimal commas")
    figures = [
        (
            "xlsx, first read (safety scan + calamine + parsing)",
            partial(_cold, workbook),
        ),
        (
            "xlsx, same bytes again (scan remembered)",
            partial(read_invoices, workbook, "invoices.xlsx"),
        ),
        ("csv (German Excel)", partial(read_invoices, text, "invoices.csv")),
    ]
    for label, read_file in figures:
        _rows_per_second(f"read_invoices {ROWS:,} lines {label}", read_file)


def _rows_per_second(label: str, read_file: Callable[[], object]) -> None:
    samples = measure(label, read_file, repeat=5, warmup=1)
    median = sorted(samples)[len(samples) // 2]
    print(f"{'':<64} {ROWS / (median / 1000):,.0f} rows/s at the median")


def _cold(workbook: bytes) -> object:
    """A first read: forget the remembered scan so the safety pass runs again."""
    safety._RECENT_SCANS.clear()
    return read_invoices(workbook, "invoices.xlsx")
