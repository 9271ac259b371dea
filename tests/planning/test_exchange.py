"""Plan exchange: the client workbook (Plan + Lines sheets), the CSV of lines and the PDF."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import time
import zlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from mediadesk.domain.calendars import CalendarKind
from mediadesk.planning import services
from mediadesk.planning.exchange import (
    LINE_COLUMNS,
    export_csv,
    export_pdf,
    export_xlsx,
    line_values,
)
from mediadesk.planning.models import Placement, PlanVersion
from mediadesk.planning.plans import flowchart_of

HEADER_ROW = 10  # 1-based row of the column headers on the Plan sheet (month band above)
FIRST_ROW = HEADER_ROW + 1
FIRST_WEEK_COL = 13  # column M
CODE, CHANNEL, VENDOR, GROSS, NET = 1, 2, 3, 11, 12
SHADE = "FF9BC2E6"
EVIL = '=HYPERLINK("http://evil")'


def approved_plan() -> tuple[PlanVersion, list[Placement]]:
    version = PlanVersion.objects.select_related("campaign__client__organization").get(
        campaign__code="NWND-AR26", number=1
    )
    return version, list(version.placements.all())


def books(data: bytes) -> tuple[Any, Any, CalamineWorkbook]:
    """The workbook as formulas (openpyxl), and as cached values (calamine)."""
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    return formulas["Plan"], formulas["Lines"], CalamineWorkbook.from_filelike(io.BytesIO(data))


def cached(calamine: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    return calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def at(values: list[list[Any]], row: int, col: int) -> Any:
    """A cached value by 1-based row and column, like openpyxl's cell()."""
    return values[row - 1][col - 1]


def data_rows(plan: Any) -> list[int]:
    rows = []
    row = FIRST_ROW
    while plan.cell(row, CODE).value not in (None, "Total"):
        rows.append(row)
        row += 1
    return rows


def week_cols(plan: Any) -> list[int]:
    cols = []
    col = FIRST_WEEK_COL
    while isinstance(plan.cell(HEADER_ROW, col).value, datetime):
        cols.append(col)
        col += 1
    return cols


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def evil_draft(demo: Any) -> tuple[PlanVersion, Placement]:
    """A draft with a line whose texts would run as formulas in a spreadsheet."""
    draft = PlanVersion.objects.get(campaign__code="NWND-CB27", status="draft")
    placement = services.add_placement(
        demo.ben,
        draft,
        {
            "channel": "display",
            "vendor": EVIL,
            "property_name": "+cmd|' /C calc'!A0",
            "market": "DE",
            "start": date(2027, 4, 5),
            "end": date(2027, 5, 2),
            "cost_model": "cpm",
            "rate": Decimal("12.5"),
            "quantity": Decimal("2400000"),
            "notes": "@SUM(1+1)",
            "kpi_targets": [
                {"kpi": "cpm", "target": "9.50"},
                {"kpi": "reach", "target": "6500000"},
            ],
        },
    )
    return draft, placement


# --- line values ---------------------------------------------------------------------------


def test_line_values_are_stored_values_dates_and_decimals(demo: Any) -> None:
    _, placements = approved_plan()
    tv = next(p for p in placements if p.channel == "linear_tv")
    row = dict(zip([field for _, field in LINE_COLUMNS], line_values(tv), strict=True))
    assert row["channel"] == "linear_tv" and row["cost_model"] == "cpp"
    assert row["flighting"] == "pulsing"
    assert row["start"] == date(2026, 9, 28) and isinstance(row["rate"], Decimal)
    assert row["rate"] == Decimal("450.0000") and row["universe"] == Decimal("2000000")
    assert row["name"] is None and row["kpi_targets"] is None and row["notes"] is None
    assert str(row["weights"]).startswith("2026-09-28=1; 2026-10-05=1; 2026-10-12=0; ")
    assert row["line_key"] == tv.line_key
    display = next(p for p in placements if p.channel == "display")
    assert line_values(display)[[f for _, f in LINE_COLUMNS].index("weights")] is None


def test_kpi_targets_read_as_pairs(demo: Any) -> None:
    _, placement = evil_draft(demo)
    values = dict(zip([f for _, f in LINE_COLUMNS], line_values(placement), strict=True))
    assert values["kpi_targets"] == "cpm=9.50; reach=6500000"


# --- the Plan sheet ------------------------------------------------------------------------


def test_title_block(demo: Any) -> None:
    version, placements = approved_plan()
    plan, _, _ = books(export_xlsx(version, placements))
    facts = {}
    for row in range(2, 8):
        for label_col in (1, 7):
            label = plan.cell(row, label_col).value
            if label:
                facts[label] = plan.cell(row, label_col + 1).value
    today = timezone.localdate()
    assert facts == {
        "Agency": "Harbour & Pine Media",
        "Advertiser": "Northwind",
        "Campaign": "Autumn Roast Launch",
        "Campaign code": "NWND-AR26",
        "Flight": "28 Sep – 20 Dec 2026",
        "Budget (EUR)": 480000,
        "Plan version": 1,
        "Status": "Client-approved",
        "Currency": "EUR",
        "Weeks": "Calendar",
        "Exported": datetime(today.year, today.month, today.day),
    }
    assert "Autumn Roast Launch" in str(plan.cell(1, 1).value)


def test_week_cells_of_a_row_add_up_to_its_gross_cost(demo: Any) -> None:
    version, placements = approved_plan()
    plan, _, _ = books(export_xlsx(version, placements))
    by_code = {p.code: p for p in placements}
    rows, cols = data_rows(plan), week_cols(plan)
    assert len(rows) == len(placements) == 6
    chart = flowchart_of(placements)
    assert [plan.cell(HEADER_ROW, c).value.date() for c in cols] == list(chart.weeks)
    for row in rows:
        placement = by_code[plan.cell(row, CODE).value]
        weeks = [plan.cell(row, c).value for c in cols]
        assert sum(money(v) for v in weeks if v is not None) == placement.cost
        assert money(plan.cell(row, GROSS).value) == placement.cost
        assert money(plan.cell(row, NET).value) == placement.net_cost
    # Rows come in the flowchart's order: grouped by channel, then vendor.
    assert [plan.cell(r, CODE).value for r in rows] == [row.line.code for row in chart.rows]
    assert plan.cell(rows[0], CHANNEL).value == "Display / programmatic"


def test_totals_are_live_formulas_that_carry_their_values(demo: Any) -> None:
    version, placements = approved_plan()
    plan, _, calamine = books(export_xlsx(version, placements))
    values = cached(calamine, "Plan")
    rows, cols = data_rows(plan), week_cols(plan)
    chart = flowchart_of(placements)
    total_col = cols[-1] + 1
    total_row = rows[-1] + 1
    by_code = {p.code: p for p in placements}
    assert plan.cell(HEADER_ROW, total_col).value == "Total (EUR)"

    for row in rows:  # a total per line
        cell = plan.cell(row, total_col)
        assert cell.data_type == "f" and cell.value.startswith("=SUM(")
        expected = by_code[plan.cell(row, CODE).value].cost
        assert money(at(values, row, total_col)) == expected

    assert plan.cell(total_row, CODE).value == "Total"
    for col, week_total in zip(cols, chart.week_totals, strict=True):  # a total per week
        cell = plan.cell(total_row, col)
        assert cell.data_type == "f" and cell.value.startswith("=SUM(")
        assert money(at(values, total_row, col)) == week_total

    gross = sum((p.cost for p in placements), Decimal(0))
    net = sum((p.net_cost for p in placements), Decimal(0))
    assert chart.total == gross
    for col, expected in ((GROSS, gross), (NET, net), (total_col, gross)):
        cell = plan.cell(total_row, col)
        assert cell.data_type == "f" and cell.value.startswith("=SUM(")
        assert money(at(values, total_row, col)) == expected
    grand = plan.cell(total_row, total_col).value
    assert grand == f"=SUM(M{FIRST_ROW}:{plan.cell(rows[-1], cols[-1]).coordinate})"

    check = plan.cell(total_row + 1, total_col)
    assert check.data_type == "f" and "ROUND(" in check.value
    assert at(values, total_row + 1, total_col) == "OK"
    assert "gross" in plan.cell(total_row + 1, CODE).value

    # Totals by channel: SUMIF over the channel column, one row per channel.
    start = total_row + 3
    assert plan.cell(start, CODE).value == "Totals by channel"
    for offset, group in enumerate(chart.channel_totals, start=1):
        assert plan.cell(start + offset, CODE).value == group.channel
        cell = plan.cell(start + offset, GROSS)
        assert cell.data_type == "f" and cell.value.startswith("=SUMIF(")
        assert money(at(values, start + offset, GROSS)) == group.total


def test_shaded_cells_are_exactly_the_weeks_on_air(demo: Any) -> None:
    version, placements = approved_plan()
    plan, _, _ = books(export_xlsx(version, placements))
    shaded = on_air = 0
    for row in data_rows(plan):
        for col in week_cols(plan):
            cell = plan.cell(row, col)
            is_shaded = cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == SHADE
            assert is_shaded == (cell.value is not None and cell.value > 0), cell.coordinate
            shaded += is_shaded
            on_air += cell.value is not None
    assert shaded == on_air > 0
    # The pulsing TV line has dark weeks inside its flight: empty and unshaded.
    tv_row = next(r for r in data_rows(plan) if plan.cell(r, CHANNEL).value == "Linear TV")
    assert any(plan.cell(tv_row, c).value is None for c in week_cols(plan)[:6])


def test_month_band_follows_the_calendar(demo: Any) -> None:
    version, placements = approved_plan()
    plan, _, _ = books(export_xlsx(version, placements))
    broadcast, _, _ = books(export_xlsx(version, placements, CalendarKind.BROADCAST))
    band = HEADER_ROW - 1
    # The week of Mon 28 Sep 2026 holds days of September and October.
    assert plan.cell(band, FIRST_WEEK_COL).value == "Sep 2026"
    assert broadcast.cell(band, FIRST_WEEK_COL).value == "Oct 2026"
    assert broadcast["H5"].value == "Broadcast"
    assert any(str(r).startswith(f"M{band}:") for r in broadcast.merged_cells.ranges)


def test_frozen_panes_and_print_setup(demo: Any) -> None:
    version, placements = approved_plan()
    plan, lines, _ = books(export_xlsx(version, placements))
    assert plan.freeze_panes == f"D{FIRST_ROW}"  # below the headers, right of code/channel/vendor
    assert plan.page_setup.orientation == "landscape"
    assert plan.sheet_properties.pageSetUpPr.fitToPage is True
    # One page wide (1 is the file format's default, so the writer leaves it out), any height.
    assert plan.page_setup.fitToWidth in (None, 1) and plan.page_setup.fitToHeight == 0
    assert plan.print_title_rows == f"${HEADER_ROW - 1}:${HEADER_ROW}"
    assert "Autumn Roast Launch (NWND-AR26)" in plan.oddHeader.left.text
    assert "&P" in plan.oddFooter.center.text and "&N" in plan.oddFooter.center.text
    assert plan.oddFooter.left.text == "Harbour && Pine Media"  # '&' escaped for the footer
    assert plan.column_dimensions["K"].width > 10
    assert plan.cell(FIRST_ROW, GROSS).number_format == "#,##0.00"
    assert lines.freeze_panes == "A2"


# --- the Lines sheet -----------------------------------------------------------------------


def test_lines_sheet_holds_every_field_exactly(demo: Any) -> None:
    version, placements = approved_plan()
    _, lines, calamine = books(export_xlsx(version, placements))
    headers = [header for header, _ in LINE_COLUMNS]
    assert [c.value for c in lines[1]] == headers
    assert lines.max_row == 1 + len(placements)
    assert lines.tables or lines.auto_filter.ref
    for row, placement in enumerate(placements, start=2):  # in the order given
        for col, expected in enumerate(line_values(placement), start=1):
            value = lines.cell(row, col).value
            if isinstance(expected, Decimal):
                assert Decimal(str(value)) == expected, (placement.code, headers[col - 1])
            elif isinstance(expected, date):
                assert value == datetime(expected.year, expected.month, expected.day)
            else:
                assert value == expected, (placement.code, headers[col - 1])
    assert lines.cell(2, headers.index("Rate") + 1).number_format == "#,##0.0000"

    # A reader that does not calculate sees the same: 12.5 stays 12.5, dates are dates.
    values = cached(calamine, "Lines")
    assert values[0] == headers
    display = 1 + next(i for i, p in enumerate(placements) if p.channel == "display")
    record = dict(zip(headers, values[display], strict=True))
    assert record["Rate"] == 12.5 and record["Channel"] == "display"
    assert record["Cost model"] == "cpm" and record["Gross cost"] == 100000.0
    assert record["Start"] == date(2026, 9, 28) and record["End"] == date(2026, 12, 20)
    assert record["Material deadline"] == date(2026, 9, 18)


def test_a_version_without_lines_still_exports(demo: Any) -> None:
    version, _ = approved_plan()
    plan, lines, _ = books(export_xlsx(version, []))
    assert plan.cell(FIRST_ROW, CODE).value == "This version has no placements."
    assert [c.value for c in lines[1]] == [h for h, _ in LINE_COLUMNS] and lines.max_row == 1
    assert export_csv(version, []).count("\r\n") == 1


# --- formula injection ---------------------------------------------------------------------


def test_texts_that_look_like_formulas_are_neutralized_everywhere(demo: Any) -> None:
    draft, evil = evil_draft(demo)
    placements = list(draft.placements.all())
    data = export_xlsx(draft, placements)
    plan, lines, calamine = books(data)

    row = next(r for r in data_rows(plan) if plan.cell(r, CODE).value == evil.code)
    assert plan.cell(row, VENDOR).value == "'" + EVIL
    assert plan.cell(row, VENDOR).data_type == "s"
    assert plan.cell(row, 4).value == "'+cmd|' /C calc'!A0"

    headers = [h for h, _ in LINE_COLUMNS]
    record = next(
        dict(zip(headers, [c.value for c in r], strict=True))
        for r in lines.iter_rows(min_row=2)
        if r[0].value == evil.code
    )
    assert record["Vendor"] == "'" + EVIL and record["Notes"] == "'@SUM(1+1)"
    assert record["Property"] == "'+cmd|' /C calc'!A0"

    # The only formulas in the workbook are the totals we wrote.
    for sheet in (plan, lines):
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    assert sheet is plan and re.match(r"=(SUM|SUMIF|IF)\(", cell.value)
    assert "'" + EVIL in {str(v) for row in cached(calamine, "Lines") for v in row}

    rows = list(csv.reader(io.StringIO(export_csv(draft, placements))))
    line = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == evil.code), strict=True))
    assert line["Vendor"] == "'" + EVIL and line["Notes"] == "'@SUM(1+1)"


def test_csv_has_plain_numbers_and_iso_dates(demo: Any) -> None:
    draft, evil = evil_draft(demo)
    text = export_csv(draft, list(draft.placements.all()))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [header for header, _ in LINE_COLUMNS]
    assert len(rows) == 1 + draft.placements.count()
    line = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == evil.code), strict=True))
    assert line["Gross cost"] == "30000.00" and line["Net cost"] == "25500.00"
    assert line["Rate"] == "12.5000" and line["Quantity"] == "2400000.00"
    assert line["Start"] == "2027-04-05" and line["End"] == "2027-05-02"
    assert line["Channel"] == "display" and line["Cost model"] == "cpm"
    assert line["KPI targets"] == "cpm=9.50; reach=6500000"
    assert line["Spot length (s)"] == "" and line["Universe"] == ""
    assert line["Line key"] == evil.line_key
    assert text.endswith("\r\n") and not text.startswith("\ufeff")


# --- the PDF -------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pdftotext), or, without poppler, its decompressed objects."""
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return result.stdout.decode()
    parts = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    text = b"\n".join(parts).decode("latin-1")
    # Outline and document titles with non-Latin-1 characters are UTF-16 hex strings.
    hex_strings = re.findall(r"<feff((?:[0-9a-f]{4})+)>", text, flags=re.IGNORECASE)
    return "\n".join([text, *(bytes.fromhex(h).decode("utf-16-be") for h in hex_strings)])


def test_pdf_for_client_sign_off(demo: Any) -> None:
    pytest.importorskip("weasyprint")
    version, placements = approved_plan()
    started = time.perf_counter()
    pdf = export_pdf(version, placements)
    assert time.perf_counter() - started < 20
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Autumn Roast Launch" in text  # the document title at least
    if shutil.which("pdftotext"):
        assert "Harbour & Pine Media" in text and "Totals by channel" in text
        assert "Flowchart" in text and "Page 1 of" in text


def test_pdf_of_a_version_without_lines(demo: Any) -> None:
    pytest.importorskip("weasyprint")
    version, _ = approved_plan()
    assert export_pdf(version, []).startswith(b"%PDF")
