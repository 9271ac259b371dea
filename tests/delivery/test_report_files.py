"""The cross-channel delivery report: the workbook, the PDF and the download view."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from mediadesk.delivery import services
from mediadesk.delivery.report_files import (
    ReportData,
    axis_ticks,
    figure_text,
    report_data,
    report_pdf,
    report_xlsx,
)
from mediadesk.planning.models import Campaign, Placement

from .exports import SEARCH, SOCIAL, daily, google_ads

OCT = date(2026, 10, 5)
END = date(2026, 10, 18)
SHEETS = ["Summary", "By channel", "By placement", "By week", "Pacing"]
HEADER_ROW = 3  # 1-based row of the column headers on every table sheet
EVIL = '=HYPERLINK("http://evil","click")'
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _load(demo: Any) -> Campaign:
    """Two weeks of search (2,000.00 a day) and social (100.00 a day) for CTSO-5G26."""
    campaign = demo.campaign("CTSO-5G26")
    rows = daily(OCT, 14, SEARCH, spend="2000.00") + daily(OCT, 14, SOCIAL, spend="100.00")
    services.import_delivery(demo.alice, campaign, filename="r.csv", data=google_ads(rows),
                             today=date(2026, 11, 29))  # fmt: skip
    return campaign


def _book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _column(sheet: Any, header: str) -> int:
    for cell in sheet[HEADER_ROW]:
        if cell.value == header:
            return int(cell.column)
    raise AssertionError(f"{sheet.title} has no column {header!r}")


def _total_row(sheet: Any) -> int:
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=1):
        if row[0].value == "Total":
            return int(row[0].row)
    raise AssertionError(f"{sheet.title} has no total row")


def _exact(value: Any) -> Decimal:
    """A number read back from the workbook, as the Decimal it was written from."""
    assert isinstance(value, int | float), f"{value!r} is not a number"
    return Decimal(str(value))


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


# --- the workbook -----------------------------------------------------------------------------


def test_workbook_sheets_totals_and_formats(demo: Any) -> None:
    campaign = _load(demo)
    data = report_data(campaign, OCT, END)
    assert data.total.spend == Decimal("29400")
    book = _book(report_xlsx(campaign, OCT, END))
    assert book.sheetnames == SHEETS

    # Every table's spend total is the report's own total, to the cent, as a number.
    for name, performance in (("By channel", data.by_channel), ("By placement",
                              data.by_placement), ("By week", data.by_week)):  # fmt: skip
        sheet = book[name]
        total = _total_row(sheet)
        spend = sheet.cell(total, _column(sheet, "Spend"))
        planned = sheet.cell(total, _column(sheet, "Planned spend"))
        assert _exact(spend.value) == performance.total.spend == Decimal("29400")
        assert _exact(planned.value) == performance.total.planned_spend
        assert '"USD"' in spend.number_format  # the currency travels with the number
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith(str(HEADER_ROW + 1))

    channels = book["By channel"]
    labels = [channels.cell(r, 1).value for r in range(HEADER_ROW + 1, _total_row(channels))]
    assert labels == [row.label for row in data.by_channel.rows]
    search = labels.index("Search") + HEADER_ROW + 1
    assert _exact(channels.cell(search, _column(channels, "Spend")).value) == Decimal("28000")
    ctr = channels.cell(search, _column(channels, "CTR"))
    assert _exact(ctr.value) == Decimal("0.025") and ctr.number_format == "0.00%"

    # The weekly curve: cumulative planned and delivered spend next to the weekly rows.
    weeks = book["By week"]
    delivered = _column(weeks, "Cumulative delivered spend")
    assert [weeks.cell(r, delivered).value for r in (HEADER_ROW + 1, HEADER_ROW + 2)] == [
        14700,
        29400,
    ]

    summary = book["Summary"]
    values = {row[0]: row[1:] for row in summary.iter_rows(values_only=True) if row[0]}
    assert values["Campaign code"][0] == "CTSO-5G26"
    assert values["Currency"][0] == "USD"
    planned, actual, _ = values["Spend"][:3]
    assert (_exact(planned), _exact(actual)) == (data.total.planned_spend, Decimal("29400"))
    assert _exact(values["CPA"][0]) == Decimal("42.00")  # the campaign's target

    pacing = book["Pacing"]
    assert [c.value for c in pacing[HEADER_ROW]][:9] == [
        "Placement", "Channel", "Metric", "Planned", "Expected to date", "Delivered", "Index",
        "Projected", "Status",
    ]  # fmt: skip
    codes = {pacing.cell(r, 1).value: r for r in range(HEADER_ROW + 1, pacing.max_row + 1)}
    row = codes[SEARCH]
    assert _exact(pacing.cell(row, 5).value) == Decimal("36000")  # 14 of 84 days of 216,000
    assert _exact(pacing.cell(row, 7).value) == Decimal("0.78")
    assert pacing.cell(row, 9).value == "Under"


def test_workbook_has_native_charts_reading_the_cells(demo: Any) -> None:
    campaign = _load(demo)
    with zipfile.ZipFile(io.BytesIO(report_xlsx(campaign, OCT, END))) as archive:
        charts = sorted(
            n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        )
        xml = {name: archive.read(name).decode() for name in charts}
    assert len(charts) == 2
    kinds = {name: ("barChart" in text, "lineChart" in text) for name, text in xml.items()}
    assert sorted(kinds.values()) == [(False, True), (True, False)]
    bar = next(text for text in xml.values() if "barChart" in text)
    line = next(text for text in xml.values() if "lineChart" in text)
    assert "'By channel'!$A$4:$A$" in bar and 'barDir val="col"' in bar
    assert "'By week'!$A$4:$A$" in line


def test_text_that_looks_like_a_formula_stays_text(demo: Any) -> None:
    campaign = _load(demo)
    Campaign.objects.filter(pk=campaign.pk).update(name=EVIL)
    Placement.objects.filter(code=SEARCH).update(vendor=EVIL)
    campaign.refresh_from_db()
    book = _book(report_xlsx(campaign, OCT, END))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    summary = book["Summary"]
    campaign_cell = next(row[1] for row in summary.iter_rows() if row[0].value == "Campaign")
    assert campaign_cell.value == "'" + EVIL and campaign_cell.data_type == "s"
    placements = book["By placement"]
    vendors = [placements.cell(r, 3).value for r in range(HEADER_ROW + 1, placements.max_row)]
    assert "'" + EVIL in vendors


def test_a_period_without_delivery_still_builds(demo: Any) -> None:
    # Before the flight: nothing planned, nothing delivered, no weeks to chart.
    campaign = demo.campaign("CTSO-5G26")
    before = date(2026, 9, 1), date(2026, 9, 14)
    data = report_data(campaign, *before)
    assert data.by_week.rows == [] and data.total.spend == 0
    book = _book(report_xlsx(campaign, *before))
    assert book.sheetnames == SHEETS
    assert report_pdf(campaign, *before).startswith(b"%PDF")


def test_report_data_refuses_a_period_ending_before_it_starts(demo: Any) -> None:
    with pytest.raises(ValueError, match="before it starts"):
        report_data(demo.campaign("CTSO-5G26"), END, OCT)


def test_axis_ticks_are_round_and_cover_the_maximum() -> None:
    assert axis_ticks(Decimal("29400")) == [Decimal(n) for n in range(0, 30001, 10000)]
    assert axis_ticks(Decimal("7000")) == [Decimal(n) for n in range(0, 8001, 2000)]
    assert axis_ticks(Decimal("0.3"))[-1] >= Decimal("0.3")
    assert axis_ticks(Decimal(0)) == [Decimal(0), Decimal(1)]
    assert figure_text(Decimal("2.5"), "percent", "USD") == "2.50 %"
    assert figure_text(Decimal("1234.5"), "money", "JPY") == "1,235"


# --- the PDF ----------------------------------------------------------------------------------


def test_pdf_shows_the_campaign_and_its_total(demo: Any) -> None:
    pytest.importorskip("weasyprint")
    campaign = _load(demo)
    pdf = report_pdf(campaign, OCT, END)
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        return  # the text can only be read with poppler's pdftotext
    text = pdf_text(pdf)
    assert "CTSO-5G26" in text and "5G Everywhere" in text
    assert "29,400.00" in text  # the total spend
    assert "Pacing at the end of 2026-10-18" in text and "Page 1 of" in text


def test_pdf_charts_are_inline_svg(demo: Any) -> None:
    from django.template.loader import render_to_string

    from mediadesk.delivery.report_files import print_context

    campaign = _load(demo)
    data: ReportData = report_data(campaign, OCT, END)
    html = render_to_string("delivery/report_print.html", print_context(data))
    assert html.count("<svg") == 2 and "<script" not in html
    assert "<polyline" in html and "<rect" in html


# --- the download -----------------------------------------------------------------------------


def _url(campaign: Campaign) -> str:
    return f"/campaigns/{campaign.pk}/delivery/report/"


def test_download_as_xlsx_and_pdf(demo: Any, web_as: Any) -> None:
    campaign = _load(demo)
    client = web_as(demo.alice)
    response = client.get(_url(campaign), {"format": "xlsx", "from": "2026-10-05",
                                           "to": "2026-10-18"})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="CTSO-5G26 delivery report 2026-10-05 to 2026-10-18.xlsx"'
    )
    assert _book(response.content).sheetnames == SHEETS

    pytest.importorskip("weasyprint")
    response = client.get(_url(campaign), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Without dates: the campaign's flight.
    assert "2026-10-05 to 2026-12-27.pdf" in response["Content-Disposition"]


def test_download_is_not_found_outside_the_agency_side(demo: Any, web_as: Any) -> None:
    client = web_as(demo.dan)  # client reviewer at Northwind, no role on Contoso
    assert client.get(_url(demo.campaign("CTSO-5G26")), {"format": "xlsx"}).status_code == 404
    # Delivery is internal: not even a campaign shared with his own client.
    assert client.get(_url(demo.campaign("NWND-AR26")), {"format": "xlsx"}).status_code == 404


def test_bad_query_strings_are_refused_with_a_sentence(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    url = _url(demo.campaign("CTSO-5G26"))
    response = client.get(url, {"from": "garbage"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()
    assert client.get(url, {"from": "20261005"}).status_code == 400
    assert client.get(url, {"to": "2026-02-30"}).status_code == 400
    reversed_period = client.get(url, {"from": "2026-10-18", "to": "2026-10-05"})
    assert reversed_period.status_code == 400 and "before it starts" in reversed_period.text
    assert client.get(url, {"format": "docx"}).status_code == 400
    assert client.post(url).status_code == 405


def test_login_required(demo: Any, client: Any) -> None:
    response = client.get(_url(demo.campaign("CTSO-5G26")))
    assert response.status_code == 302 and "login" in response["Location"]
