"""The one export helper: formula injection neutralized, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from mediadesk.web.exports import Column, neutralize, to_csv, to_xlsx

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_triggers_are_neutralized(text: str) -> None:
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", [Decimal("-12.50"), -3, 0, "plain", "a=b", None])
def test_other_values_pass_unchanged(value: Any) -> None:
    assert neutralize(value) == value


ROWS = [{"name": text, "amount": Decimal("-1234.50"), "day": date(2026, 10, 1)} for text in HOSTILE]
COLUMNS = [
    Column("Name", lambda r: r["name"]),
    Column("Amount", lambda r: r["amount"], "#,##0.00"),
    Column("Day", lambda r: r["day"]),
]


def test_csv_export() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(COLUMNS, ROWS))))
    assert rows[0] == ["Name", "Amount", "Day"]
    for (name, amount, day), text in zip(rows[1:], HOSTILE, strict=True):
        assert name == "'" + text
        assert amount == "-1234.50"  # a real negative number is not touched
        assert day == "2026-10-01"


def test_xlsx_export_keeps_numbers_as_numbers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(COLUMNS, ROWS)))
    sheet = book.active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    # XLSX stores a carriage return as _x000D_ (Excel decodes it; openpyxl does not).
    names = [str(row[0]).replace("_x000D_", "\r") for row in values]
    assert names == ["'" + text for text in HOSTILE]
    assert all(row[1] == -1234.5 for row in values)
    assert all(row[2].date() == date(2026, 10, 1) for row in values)
    # No cell is a formula.
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            assert cell.data_type != "f"


def test_campaign_export_from_the_list(demo: Any, client: Any) -> None:
    from mediadesk.planning.services import update_campaign

    campaign = demo.campaign("NWND-AR26")
    update_campaign(demo.alice, campaign, {"name": "=cmd|' /C calc'!A0"})
    client.force_login(demo.alice)
    response = client.get("/campaigns/", {"format": "csv", "q": "NWND-AR26"})
    assert response["Content-Disposition"] == 'attachment; filename="campaigns.csv"'
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[1][7] == "480000.00"
    xlsx = client.get("/campaigns/", {"format": "xlsx", "q": "NWND-AR26"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert row[2] == "'=cmd|' /C calc'!A0"
    assert row[7] == 480000
