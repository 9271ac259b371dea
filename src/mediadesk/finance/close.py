"""The month-end close of a client, and the campaign page's five numbers, as data, JSON and XLSX.

The ledger comes from finance/ledger.py; every figure is worked out by domain/close.py.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter

from mediadesk.accounts.models import Client
from mediadesk.domain.close import (
    CLOSE_COLUMNS,
    CloseFigures,
    CloseReport,
    Figure,
    FiveNumbers,
    close_month,
    close_rows,
    close_to_date,
    five_numbers_by_currency,
    month_name,
)
from mediadesk.finance.ledger import ledger
from mediadesk.planning.models import Campaign
from mediadesk.web.exports import neutralize

FIGURES = (
    "planned",
    "booked",
    "delivered",
    "invoiced",
    "paid",
    "accrual",
    "over_invoiced",
    "booked_vs_planned",
    "delivered_vs_booked",
    "invoiced_vs_delivered",
    "paid_vs_invoiced",
)


def close_report(
    client: Client, month: tuple[int, int], *, to_date: bool = False, today: date | None = None
) -> CloseReport:
    lines = ledger(client, today=today)
    if to_date:
        return close_to_date(lines, month)
    return close_month([line for line in lines if line.month == month], month)


def _figure(figure: Figure) -> dict[str, str]:
    return {
        "gross": str(figure.gross),
        "net": str(figure.net),
        "commission": str(figure.commission),
    }


def _figures(item: CloseFigures) -> dict[str, Any]:
    return {name: _figure(getattr(item, name)) for name in FIGURES}


def close_payload(
    client: Client, month: tuple[int, int], *, to_date: bool = False
) -> dict[str, Any]:
    report = close_report(client, month, to_date=to_date)
    return {
        "client": client.pk,
        "month": f"{month[0]:04d}-{month[1]:02d}",
        "to_date": to_date,
        "lines": [
            {"placement": line.key, "currency": line.currency, **_figures(line)}
            for line in report.lines
        ],
        "totals": {
            code: {"placements": totals.lines, **_figures(totals)}
            for code, totals in report.totals.items()
        },
    }


def close_xlsx(client: Client, month: tuple[int, int], *, to_date: bool = False) -> bytes:
    report = close_report(client, month, to_date=to_date)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Close")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00"})
    total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    title = f"{client.name}: month-end close, {month_name(month)}" + (
        " (to date)" if to_date else ""
    )
    sheet.write_string(0, 0, neutralize(title), bold)
    for col, header in enumerate(CLOSE_COLUMNS):
        sheet.write_string(2, col, header, head)
    for row_number, row in enumerate(close_rows(report), start=3):
        is_total = row[0] == "Total"
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                sheet.write_number(row_number, col, float(value), total if is_total else money)
            elif value is not None:
                sheet.write_string(
                    row_number, col, neutralize(str(value)), bold if is_total else None
                )
    sheet.freeze_panes(3, 1)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(CLOSE_COLUMNS) - 1, 13)
    book.close()
    return buffer.getvalue()


def campaign_five_numbers(campaign: Campaign, today: date | None = None) -> dict[str, FiveNumbers]:
    """The five numbers of one campaign, per currency (usually one)."""
    return five_numbers_by_currency(ledger(campaign.client, campaigns=[campaign], today=today))
