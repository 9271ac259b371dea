"""Reading uploads: a 20,000-row × 20-column workbook and the same table as CSV.

Pure ingest code, no database. A workbook read is the safety pass (zip checks, inflating every
member, the expat scan that bounds each sheet) plus calamine plus building the rows; the scan is
remembered by content digest, so the warm figure is what a second read of the same bytes costs
(an import's preview, then its commit).
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

import xlsxwriter

from bench.timing import measure
from mediadesk.ingest import safety
from mediadesk.ingest.tables import read_table

ROWS = 20_000
COLUMNS = 20
SEED = 20261001
CHANNELS = ["Search", "Social", "Online video", "Display", "Audio"]


def build_rows(seed: int = SEED) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for number in range(ROWS):
        day = date(2026, 1, 1) + timedelta(days=number % 365)
        impressions = rng.randrange(1_000, 2_000_000)
        clicks = rng.randrange(0, impressions // 50 + 1)
        spend = round(rng.uniform(5, 25_000), 2)
        fixed = [
            day,
            f"Placement {number % 500:03d}",
            rng.choice(CHANNELS),
            impressions,
            clicks,
            spend,
        ]
        rows.append(fixed + [rng.randrange(0, 10_000) for _ in range(COLUMNS - len(fixed))])
    return rows


def headers() -> list[str]:
    return ["Day", "Placement", "Channel", "Impressions", "Clicks", "Spend"] + [
        f"Metric {i}" for i in range(COLUMNS - 6)
    ]


def build_xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet("Delivery")
    day_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers())
    for number, row in enumerate(rows, start=1):
        sheet.write_datetime(number, 0, row[0], day_format)
        sheet.write_row(number, 1, row[1:])
    workbook.close()
    return buffer.getvalue()


def with_comment(workbook: bytes) -> bytes:
    """The workbook with an XML comment in its sheet, which the fast sheet scan leaves to the
    exact one (a handler per element): what an unusual export costs to check."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData><!-- exported -->", 1)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def build_csv(rows: list[list[object]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(headers())
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def run() -> None:
    rows = build_rows()
    workbook = build_xlsx(rows)
    text = build_csv(rows)
    print(f"xlsx: {ROWS:,} rows × {COLUMNS} columns, {len(workbook):,} bytes (seed {SEED})")
    print(f"csv:  {ROWS:,} rows × {COLUMNS} columns, {len(text):,} bytes, ';', UTF-8 with BOM")
    measure(
        f"check_xlsx {ROWS:,} × {COLUMNS} (zip checks, inflate, sheet scan)",
        partial(_cold, safety.check_xlsx, workbook),
        repeat=5,
        warmup=1,
    )
    measure(
        f"check_xlsx {ROWS:,} × {COLUMNS}, a sheet only the exact scan takes",
        partial(_cold, safety.check_xlsx, with_comment(workbook)),
        repeat=5,
        warmup=1,
    )
    measure(
        f"read_table {ROWS:,} × {COLUMNS} xlsx, first read (scan + calamine)",
        partial(_cold, read_table, workbook),
        repeat=5,
        warmup=1,
    )
    measure(
        f"read_table {ROWS:,} × {COLUMNS} xlsx, same bytes again (scan remembered)",
        partial(read_table, workbook, "delivery.xlsx"),
        repeat=5,
        warmup=1,
    )
    measure(
        f"read_table {ROWS:,} × {COLUMNS} csv",
        partial(read_table, text, "delivery.csv"),
        repeat=5,
        warmup=1,
    )


def _cold(read: Callable[[bytes, str], object], data: bytes) -> object:
    """A first read: forget the remembered scan so the safety pass runs again."""
    safety._RECENT_SCANS.clear()
    return read(data, "delivery.xlsx")
