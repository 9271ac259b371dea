"""A plan version out of mediadesk: a client-ready workbook, a flat CSV of lines, a PDF to sign.

The workbook has two sheets. "Plan" is what the client reads: a title block, the placements
table and, on the same rows, the week grid of the flowchart (gross cost per week, shaded where a
week is on air), with row, week and grand totals as live ``SUM`` formulas and a check that the
grid adds up to the gross column. Every formula is written with the value it computes, so a
reader that does not calculate (calamine, openpyxl with ``data_only``) sees the numbers too.
"Lines" is the flat table of every field of every line (``LINE_COLUMNS``): the sheet an import
reads back, numbers as numbers, dates as dates.

Every text cell goes through ``web.exports.neutralize`` (DESIGN.md rule 9): a vendor named
``=HYPERLINK(…)`` arrives as the text ``'=HYPERLINK(…)``, never as a formula.

The PDF is rendered by WeasyPrint from ``planning/plan_print.html``; it fetches nothing (no
network, no files): the template carries its own styles.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from mediadesk.domain.calendars import CalendarKind
from mediadesk.domain.flowchart import Flowchart, FlowRow
from mediadesk.domain.money import format_amount
from mediadesk.domain.periods import format_period
from mediadesk.planning.models import Placement, PlanVersion
from mediadesk.planning.plans import flowchart_of, quantity_places
from mediadesk.web.exports import Column, neutralize, to_csv

# The flat table of lines, in the order of the CSV and the "Lines" sheet: (header, field).
LINE_COLUMNS: list[tuple[str, str]] = [
    ("Code", "code"), ("Name", "name"), ("Channel", "channel"), ("Vendor", "vendor"),
    ("Property", "property_name"), ("Market", "market"), ("Format", "format"),
    ("Spot length (s)", "spot_length"), ("Targeting", "targeting"), ("Start", "start"),
    ("End", "end"), ("Flighting", "flighting"), ("Weights", "weights"),
    ("Cost model", "cost_model"), ("Rate", "rate"), ("Quantity", "quantity"),
    ("Gross cost", "cost"), ("Commission %", "commission_percent"), ("Net cost", "net_cost"),
    ("Fees", "fees"), ("Currency", "currency"), ("Universe", "universe"),
    ("KPI targets", "kpi_targets"), ("Material deadline", "material_deadline"),
    ("Notes", "notes"), ("Line key", "line_key"),
]  # fmt: skip

# Number formats of the "Lines" sheet; the cell holds the full value, the format only shows it.
_LINE_NUMBER_FORMATS = {
    "spot_length": "0",
    "rate": "#,##0.0000",
    "quantity": "#,##0.00",
    "cost": "#,##0.00",
    "commission_percent": "0.00",
    "net_cost": "#,##0.00",
    "fees": "#,##0.00",
    "universe": "#,##0",
}

MONEY = "#,##0.00"
ISO_DATE = "yyyy-mm-dd"
XLSX_OPTIONS = {
    "in_memory": True,
    # Never let the writer turn text into formulas, numbers or links by itself.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "remove_timezone": True,
}


# --- one line, flat ---------------------------------------------------------------------------


def weights_text(weights: Mapping[str, Any] | None) -> str | None:
    """{"2026-10-12": "0", "2026-10-05": "1"} -> '2026-10-05=1; 2026-10-12=0' (Mondays in order)."""
    if not weights:
        return None
    return "; ".join(f"{week}={weights[week]}" for week in sorted(weights))


def kpi_targets_text(targets: Any) -> str | None:
    """[{"kpi": "cpm", "target": "9.50"}, …] -> 'cpm=9.50; reach=6500000' (in the given order)."""
    if not targets:
        return None
    if isinstance(targets, Mapping):
        pairs = [(str(kpi), target) for kpi, target in targets.items()]
    else:
        pairs = [(str(item["kpi"]), item["target"]) for item in targets]
    return "; ".join(f"{kpi}={target}" for kpi, target in pairs)


def line_values(placement: Placement) -> list[object]:
    """One row of ``LINE_COLUMNS``: stored values (channel 'linear_tv', cost model 'cpm'),
    dates as dates, Decimals as Decimals, weights and KPI targets as text, empty as None."""
    row: list[object] = []
    for _, field in LINE_COLUMNS:
        value = getattr(placement, field)
        if field == "weights":
            value = weights_text(value)
        elif field == "kpi_targets":
            value = kpi_targets_text(value)
        elif isinstance(value, str) and not value:
            value = None
        row.append(value)
    return row


def export_csv(version: PlanVersion, placements: Sequence[Placement]) -> str:
    """The lines of a version as CSV (header + one row per line; ISO dates, plain numbers).

    Without a byte-order mark: ``web.exports.export_response`` adds one for Excel.
    """
    columns = [Column(header, itemgetter(i)) for i, (header, _) in enumerate(LINE_COLUMNS)]
    return to_csv(columns, (line_values(p) for p in placements))


# --- the workbook -----------------------------------------------------------------------------


def _xl_date(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _header_text(text: str) -> str:
    """Text for a print header/footer: '&' is a control character there."""
    return text.replace("&", "&&")[:70]


class _Styles:
    def __init__(self, book: Any) -> None:
        add = book.add_format
        head = {"bold": True, "bg_color": "#E7ECF2", "bottom": 1, "valign": "bottom"}
        grid = {"border": 1, "border_color": "#D0D7DE"}
        self.title = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True, "font_color": "#4A5560"})
        self.value = add({"align": "left"})
        self.value_money = add({"align": "left", "num_format": MONEY})
        self.value_date = add({"align": "left", "num_format": ISO_DATE})
        self.head = add({**head, "text_wrap": True})
        self.head_num = add({**head, "text_wrap": True, "align": "right"})
        self.band_label = add({"italic": True, "font_color": "#4A5560"})
        self.month = add({**head, "align": "center", "bg_color": "#D3DCE6", "border": 1})
        self.week = add({**head, "align": "center", "num_format": "d mmm"})
        self.text = add({})
        self.money = add({"num_format": MONEY})
        self.rate = add({"num_format": "#,##0.00##"})
        self.units = add({"num_format": "#,##0"})
        self.grps = add({"num_format": "#,##0.00"})
        self.on = add({**grid, "num_format": MONEY, "bg_color": "#9BC2E6"})
        self.off = add(grid)
        self.row_total = add({"num_format": MONEY, "bold": True, "left": 1})
        self.total_label = add({"bold": True, "top": 1})
        self.total = add({"bold": True, "top": 1, "num_format": MONEY})
        self.grand = add({"bold": True, "top": 1, "bottom": 6, "num_format": MONEY})
        self.check = add({"italic": True, "font_color": "#4A5560"})
        self.check_value = add({"bold": True, "align": "right"})
        self.date = add({"num_format": ISO_DATE})
        self.line_formats = {
            field: add({"num_format": number_format})
            for field, number_format in _LINE_NUMBER_FORMATS.items()
        }


def export_xlsx(
    version: PlanVersion,
    placements: Sequence[Placement],
    calendar: CalendarKind = CalendarKind.CALENDAR,
) -> bytes:
    """The version as a client-ready workbook: the "Plan" sheet and the flat "Lines" sheet."""
    campaign = version.campaign
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
    book.set_properties(
        {
            "title": f"Media plan {campaign.code} v{version.number}",
            "subject": campaign.name,
            "company": campaign.client.organization.name,
            "comments": "Exported by mediadesk",
        }
    )
    styles = _Styles(book)
    chart = flowchart_of(placements, measure="cost", calendar=calendar)
    _plan_sheet(book.add_worksheet("Plan"), styles, version, placements, chart, calendar)
    _lines_sheet(book.add_worksheet("Lines"), styles, placements)
    book.close()
    return buffer.getvalue()


# Placements table of the "Plan" sheet: header, width.
_PLAN_COLUMNS = [
    ("Code", 0), ("Channel", 18), ("Vendor", 20), ("Property", 24), ("Market", 11),
    ("Format", 14), ("Flight", 22), ("Cost model", 14), ("Rate", 11), ("Quantity", 13),
    ("Gross", 15), ("Net", 15),
]  # fmt: skip
_RATE, _GROSS, _NET = 8, 10, 11
_FIRST_WEEK = len(_PLAN_COLUMNS)
_HEADER_ROW = 9  # the row of the column headers; the month band is just above it


def _rows_with_placements(
    chart: Flowchart, placements: Sequence[Placement]
) -> list[tuple[FlowRow, Placement]]:
    """The chart's rows (grouped by channel and vendor) with the placement each one shows."""
    by_line = {(p.pk, p.code): p for p in placements}
    return [(row, by_line[(row.line.id, row.line.code)]) for row in chart.rows]


def _plan_sheet(
    sheet: Any,
    styles: _Styles,
    version: PlanVersion,
    placements: Sequence[Placement],
    chart: Flowchart,
    calendar: CalendarKind,
) -> None:
    campaign = version.campaign
    client = campaign.client
    currency = version.currency
    organization = client.organization.name
    exported = timezone.localdate()

    def text(row: int, col: int, value: str, style: Any = None) -> None:
        sheet.write_string(row, col, neutralize(value), style or styles.text)

    # Title block: two columns of label/value pairs under the title.
    text(0, 0, f"Media plan · {campaign.name}", styles.title)
    left: list[tuple[str, Any]] = [
        ("Agency", organization),
        ("Advertiser", client.name),
        ("Campaign", campaign.name),
        ("Campaign code", campaign.code),
        ("Flight", campaign.flight),
        (f"Budget ({currency})", campaign.budget),
    ]
    right: list[tuple[str, Any]] = [
        ("Plan version", version.number),
        ("Status", version.get_status_display()),
        ("Currency", currency),
        ("Weeks", "Broadcast" if calendar == CalendarKind.BROADCAST else "Calendar"),
        ("Exported", exported),
    ]
    for pairs, col in ((left, 0), (right, 6)):
        for offset, (label, value) in enumerate(pairs, start=1):
            text(offset, col, label, styles.label)
            if isinstance(value, date):
                sheet.write_datetime(offset, col + 1, _xl_date(value), styles.value_date)
            elif isinstance(value, Decimal):
                sheet.write_number(offset, col + 1, float(value), styles.value_money)
            elif isinstance(value, int):
                sheet.write_number(offset, col + 1, value, styles.value)
            else:
                text(offset, col + 1, str(value), styles.value)

    # Column headers, and the month band above the weeks.
    head, band = _HEADER_ROW, _HEADER_ROW - 1
    weeks = chart.weeks
    total_col = _FIRST_WEEK + len(weeks)
    text(band, 0, "Placements", styles.band_label)
    if weeks:
        text(band, _FIRST_WEEK - 1, f"Gross {currency} per week →", styles.band_label)
    for col, (header, _) in enumerate(_PLAN_COLUMNS):
        numeric = col >= _RATE
        label = f"{header} ({currency})" if col in (_GROSS, _NET) else header
        text(head, col, label, styles.head_num if numeric else styles.head)
    for span in chart.months:
        if not span.week_count:
            continue
        first = _FIRST_WEEK + span.first_week_index
        last = first + span.week_count - 1
        if last > first:
            sheet.merge_range(band, first, band, last, neutralize(span.label), styles.month)
        else:
            text(band, first, span.label, styles.month)
    for position, week in enumerate(weeks):
        sheet.write_datetime(head, _FIRST_WEEK + position, _xl_date(week), styles.week)
    text(head, total_col, f"Total ({currency})", styles.head_num)

    # One row per line: the placement, then its weeks, then its total as a formula.
    first_row = head + 1
    rows = _rows_with_placements(chart, placements)
    for offset, (flow, placement) in enumerate(rows):
        r = first_row + offset
        text(r, 0, placement.code)
        text(r, 1, placement.get_channel_display())
        text(r, 2, placement.vendor)
        text(r, 3, placement.property_name)
        text(r, 4, placement.market)
        text(r, 5, placement.format)
        text(r, 6, format_period(placement.start, placement.end))
        text(r, 7, placement.get_cost_model_display())
        sheet.write_number(r, _RATE, float(placement.rate), styles.rate)
        units = styles.grps if quantity_places(placement.cost_model) else styles.units
        sheet.write_number(r, 9, float(placement.quantity), units)
        sheet.write_number(r, _GROSS, float(placement.cost), styles.money)
        sheet.write_number(r, _NET, float(placement.net_cost), styles.money)
        for position, amount in enumerate(flow.cells):
            if amount:
                sheet.write_number(r, _FIRST_WEEK + position, float(amount), styles.on)
            else:
                sheet.write_blank(r, _FIRST_WEEK + position, None, styles.off)
        if weeks:
            cells = xl_range(r, _FIRST_WEEK, r, total_col - 1)
            sheet.write_formula(r, total_col, f"=SUM({cells})", styles.row_total, float(flow.total))

    widths = {col: width for col, (_, width) in enumerate(_PLAN_COLUMNS)}
    widths[0] = min(48, max([14, *(len(p.code) + 2 for p in placements)]))
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    if weeks:
        sheet.set_column(_FIRST_WEEK, total_col - 1, 11)
    sheet.set_column(total_col, total_col, 15)
    sheet.set_row(head, 30)

    if rows:
        last_row = first_row + len(rows) - 1
        _plan_totals(sheet, styles, chart, rows, first_row, last_row, total_col)
    else:
        text(first_row, 0, "This version has no placements.", styles.check)
        last_row = first_row

    # Screen and paper.
    sheet.freeze_panes(first_row, 3)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(band, head)
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    sheet.set_header(
        f"&L&B{_header_text(campaign.name)} ({_header_text(campaign.code)})"
        f"&RPlan v{version.number} · {_header_text(version.get_status_display())}"
    )
    sheet.set_footer(
        f"&L{_header_text(organization)}&CPage &P of &N&RExported {exported.isoformat()}"
    )
    sheet.activate()


def _plan_totals(
    sheet: Any,
    styles: _Styles,
    chart: Flowchart,
    rows: list[tuple[FlowRow, Placement]],
    first_row: int,
    last_row: int,
    total_col: int,
) -> None:
    """Week, gross, net and grand totals as live formulas; a check; totals by channel."""
    r = last_row + 1
    gross = sum((p.cost for _, p in rows), Decimal(0))
    net = sum((p.net_cost for _, p in rows), Decimal(0))
    sheet.write_string(r, 0, "Total", styles.total_label)
    for col in range(1, total_col):
        sheet.write_blank(r, col, None, styles.total_label)
    for col, value in ((_GROSS, gross), (_NET, net)):
        cells = xl_range(first_row, col, last_row, col)
        sheet.write_formula(r, col, f"=SUM({cells})", styles.total, float(value))
    for position, value in enumerate(chart.week_totals):
        col = _FIRST_WEEK + position
        cells = xl_range(first_row, col, last_row, col)
        sheet.write_formula(r, col, f"=SUM({cells})", styles.total, float(value))
    if chart.weeks:
        grid = xl_range(first_row, _FIRST_WEEK, last_row, total_col - 1)
        sheet.write_formula(r, total_col, f"=SUM({grid})", styles.grand, float(chart.total))
        grand_cell = xl_rowcol_to_cell(r, total_col)
    else:
        grand_cell = "0"

    # The grid must add up to the gross column, to the cent.
    gross_cell = xl_rowcol_to_cell(r, _GROSS)
    difference = chart.total - gross
    sheet.write_string(r + 1, 0, "Check: week grid total = gross total", styles.check)
    sheet.write_formula(
        r + 1,
        total_col,
        f'=IF(ROUND({grand_cell}-{gross_cell},2)=0,"OK",'
        f'"Off by "&TEXT({grand_cell}-{gross_cell},"#,##0.00"))',
        styles.check_value,
        "OK" if difference == 0 else f"Off by {difference:,.2f}",
    )

    # Totals by channel, under the gross and net columns they add up.
    r += 3
    sheet.write_string(r, 0, "Totals by channel", styles.label)
    labels = xl_range(first_row, 1, last_row, 1)
    for offset, channel in enumerate((g.channel for g in chart.channel_totals), start=1):
        line_rows = [p for flow, p in rows if flow.line.channel == channel]
        sheet.write_string(r + offset, 0, neutralize(channel))
        criterion = xl_rowcol_to_cell(r + offset, 0)
        for col, field in ((_GROSS, "cost"), (_NET, "net_cost")):
            values = xl_range(first_row, col, last_row, col)
            amount = sum((getattr(p, field) for p in line_rows), Decimal(0))
            sheet.write_formula(
                r + offset,
                col,
                f"=SUMIF({labels},{criterion},{values})",
                styles.money,
                float(amount),
            )


def _lines_sheet(sheet: Any, styles: _Styles, placements: Sequence[Placement]) -> None:
    """Every field of every line, one row each: the sheet an import reads back."""
    headers = [header for header, _ in LINE_COLUMNS]
    widths = [len(header) + 2 for header in headers]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, neutralize(header), styles.head)
    for r, placement in enumerate(placements, start=1):
        for col, ((_, field), value) in enumerate(
            zip(LINE_COLUMNS, line_values(placement), strict=True)
        ):
            width = _write_line_cell(sheet, styles, r, col, field, value)
            widths[col] = min(50, max(widths[col], width + 2))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    last_col = len(headers) - 1
    if placements:
        sheet.add_table(
            0,
            0,
            len(placements),
            last_col,
            {
                "name": "PlanLines",
                "style": "Table Style Light 9",
                "columns": [{"header": header} for header in headers],
            },
        )
    else:
        sheet.autofilter(0, 0, 0, last_col)
    sheet.freeze_panes(1, 0)


def _write_line_cell(
    sheet: Any, styles: _Styles, row: int, col: int, field: str, value: object
) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        sheet.write_datetime(row, col, _xl_date(value), styles.date)
        return 10
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        # Binary floating point holds 15 significant digits: every rate, cost and quantity
        # a plan can hold in practice reads back exactly.
        sheet.write_number(row, col, float(value), styles.line_formats.get(field))
        return len(f"{value:,}")
    written = str(neutralize(str(value)))
    sheet.write_string(row, col, written)
    return len(written)


# --- the PDF ----------------------------------------------------------------------------------

# The printed flowchart: at most this many weeks side by side on an A4 landscape page, and the
# widths (mm) of its columns; a longer flight prints in blocks of about equal width.
PRINT_WEEKS_PER_BLOCK = 18
_PRINT_LABEL_MM, _PRINT_WEEK_MM, _PRINT_TOTAL_MM = 58, 11, 19


# Above this many lines the printed flowchart shows one row per vendor: a client signs off a
# readable page, and the per-line detail stays in the placements table and the Excel file.
PRINT_MAX_LINE_ROWS = 60


def _print_rows(chart: Flowchart) -> list[dict[str, Any]]:
    if len(chart.rows) <= PRINT_MAX_LINE_ROWS:
        return [
            {"code": row.line.code, "label": f"{row.line.channel} · {row.line.vendor}",
             "cells": row.cells, "total": row.total}
            for row in chart.rows
        ]  # fmt: skip
    groups = (
        chart.vendor_totals
        if len(chart.vendor_totals) <= PRINT_MAX_LINE_ROWS
        else chart.channel_totals
    )
    return [
        {
            "code": "",
            "label": f"{group.channel} · {group.vendor}" if group.vendor else group.channel,
            "cells": group.cells,
            "total": group.total,
        }
        for group in groups
    ]


def _print_blocks(chart: Flowchart, size: int = PRINT_WEEKS_PER_BLOCK) -> list[dict[str, Any]]:
    """The flowchart cut into blocks of at most ``size`` weeks, each with its own month band."""
    rows = _print_rows(chart)
    count = len(chart.weeks)
    if not count:
        return []
    size = -(-count // -(-count // size))  # as even as can be: 21 weeks print as 11 + 10
    blocks = []
    for start in range(0, count, size):
        stop = min(start + size, count)
        months = []
        for span in chart.months:
            first = max(span.first_week_index, start)
            last = min(span.first_week_index + span.week_count, stop)
            if last > first:
                months.append({"label": span.label, "weeks": last - first})
        blocks.append(
            {
                "weeks": chart.weeks[start:stop],
                "months": months,
                "rows": [(row, row["cells"][start:stop]) for row in rows],
                "channel_totals": [(g, g.cells[start:stop]) for g in chart.channel_totals],
                "week_totals": chart.week_totals[start:stop],
                "width_mm": _PRINT_LABEL_MM + _PRINT_WEEK_MM * (stop - start) + _PRINT_TOTAL_MM,
            }
        )
    return blocks


def rate_text(rate: Decimal) -> str:
    """A rate as a planner writes it: 12.5 -> '12.50', 0.045 -> '0.045', 450 -> '450.00'."""
    exponent = rate.normalize().as_tuple().exponent
    places = min(4, max(2, -exponent)) if isinstance(exponent, int) else 2
    return format_amount(rate, places)


def print_context(version: PlanVersion, placements: Sequence[Placement]) -> dict[str, Any]:
    """What ``planning/plan_print.html`` shows: one build, used by the PDF (and a print page)."""
    campaign = version.campaign
    chart = flowchart_of(placements, measure="cost")
    rows = _rows_with_placements(chart, placements)
    gross = sum((p.cost for p in placements), Decimal(0))
    net = sum((p.net_cost for p in placements), Decimal(0))
    by_channel = []
    for group in chart.channel_totals:
        lines = [p for flow, p in rows if flow.line.channel == group.channel]
        channel_net = sum((p.net_cost for p in lines), Decimal(0))
        share = (group.total / gross * 100) if gross else Decimal(0)
        by_channel.append(
            {
                "channel": group.channel,
                "lines": len(lines),
                "gross": group.total,
                "net": channel_net,
                "share": share,
            }
        )
    return {
        "organization": campaign.client.organization,
        "client": campaign.client,
        "campaign": campaign,
        "version": version,
        "currency": version.currency,
        "exported": timezone.localdate(),
        "placements": [p for _, p in rows],
        "lines": [(p, rate_text(p.rate), format_period(p.start, p.end)) for _, p in rows],
        "chart": chart,
        "blocks": _print_blocks(chart),
        "grouped": (
            ""
            if len(chart.rows) <= PRINT_MAX_LINE_ROWS
            else "vendor"
            if len(chart.vendor_totals) <= PRINT_MAX_LINE_ROWS
            else "channel"
        ),
        "by_channel": by_channel,
        "gross": gross,
        "net": net,
        "budget_left": campaign.budget - gross,
    }


def export_pdf(version: PlanVersion, placements: Sequence[Placement]) -> bytes:
    """The plan summary and flowchart as a PDF for client sign-off (A4 landscape)."""
    try:
        weasyprint = importlib.import_module("weasyprint")
    except ImportError as exc:  # pragma: no cover - WeasyPrint is a dependency
        raise NotImplementedError(
            "PDF export needs WeasyPrint (pip install weasyprint); it is not installed."
        ) from exc
    html = render_to_string("planning/plan_print.html", print_context(version, placements))
    # Only data: URLs: the document fetches nothing from the network or the disk.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf
