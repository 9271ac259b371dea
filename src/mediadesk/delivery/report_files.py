"""A campaign's cross-channel delivery report for a date range: a workbook and a PDF.

Both files are drawn from one ``report_data``: plan against actual by channel, by placement and
by week for the period (``reports.campaign_performance``), the cumulative spend curve, and the
pacing of every placement at the end of the period (``reports.campaign_pacing``). Every figure
comes from ``delivery.reports`` in the campaign's currency: a source that reported another
currency was converted at import with the plan's FX rates, so nothing is converted, and nothing
recomputed, here. The workbook and the PDF therefore never disagree.

The workbook ("Summary", "By channel", "By placement", "By week", "Pacing") holds numbers as
numbers with the currency in their format, and native Excel charts that read the cells of the
"By channel" and "By week" sheets. Every text cell goes through ``web.exports.neutralize``
(DESIGN.md rule 9): a campaign named ``=HYPERLINK(…)`` arrives as text, never as a formula.

The PDF is rendered by WeasyPrint from ``delivery/report_print.html``, like the plan PDF: A4
landscape, its own styles, its charts as inline SVG drawn here (no JavaScript), and it fetches
nothing.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any, Literal

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone

from mediadesk.delivery.reports import (
    CampaignPacing,
    CampaignPerformance,
    PlacementPacing,
    campaign_pacing,
    campaign_performance,
)
from mediadesk.delivery.services import default_as_of, placements_for_delivery
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount
from mediadesk.domain.pacing import METRIC_LABELS, STATUS_LABELS, PacingMetric
from mediadesk.domain.performance import Performance
from mediadesk.domain.periods import format_period
from mediadesk.planning.exchange import ISO_DATE, XLSX_OPTIONS
from mediadesk.planning.models import Campaign, Placement
from mediadesk.web.exports import neutralize

# How a figure is shown: money in the campaign's currency, whole counts, decimal amounts
# (conversions, GRPs), percentages (the reports give 2.50 for 2.50 %) and plain ratios.
Kind = Literal["money", "count", "decimal", "percent", "ratio"]

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


# --- the data ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything both files show, computed once."""

    campaign: Campaign
    date_from: date
    date_to: date
    by_channel: CampaignPerformance
    by_placement: CampaignPerformance
    by_week: CampaignPerformance
    pacing: CampaignPacing
    placements: Mapping[str, Placement]  # by line key: the channel and vendor of a row
    exported: date

    @property
    def currency(self) -> str:
        return self.campaign.currency

    @property
    def total(self) -> Performance:
        return self.by_channel.total

    @property
    def period(self) -> str:
        return format_period(self.date_from, self.date_to)

    @property
    def problems(self) -> list[str]:
        # Every grouping reports the same unplannable placements: keep each sentence once.
        return list(dict.fromkeys([*self.by_placement.problems, *self.pacing.problems]))


def report_data(campaign: Campaign, date_from: date, date_to: date) -> ReportData:
    """Performance by channel, placement and week for from..to, and pacing at its end.

    Pacing is judged at the end of the period, or at the last day with delivery when that comes
    earlier: exports lag, and judging a day nothing was reported for yet calls every line under.
    """
    if date_to < date_from:
        raise ValueError(
            f"The period ends on {date_to.isoformat()}, before it starts on "
            f"{date_from.isoformat()}."
        )
    as_of = min(date_to, default_as_of(campaign))
    return ReportData(
        campaign=campaign,
        date_from=date_from,
        date_to=date_to,
        by_channel=campaign_performance(campaign, date_from, date_to, by="channel"),
        by_placement=campaign_performance(campaign, date_from, date_to, by="placement"),
        by_week=campaign_performance(campaign, date_from, date_to, by="week"),
        pacing=campaign_pacing(campaign, as_of),
        placements={p.line_key: p for p in placements_for_delivery(campaign)},
        exported=timezone.localdate(),
    )


def report_file_name(campaign: Campaign, date_from: date, date_to: date, extension: str) -> str:
    """'CTSO-5G26 delivery report 2026-10-05 to 2026-10-18.xlsx'."""
    return (
        f"{campaign.code} delivery report {date_from.isoformat()} to {date_to.isoformat()}"
        f".{extension}"
    )


@dataclass(frozen=True, slots=True)
class Measure:
    """A column of the performance tables: a figure of ``domain.performance.Performance``."""

    header: str
    field: str
    kind: Kind

    def value(self, row: Performance) -> Decimal | None:
        raw = getattr(row, self.field)
        return None if raw is None else Decimal(raw)


MEASURES: list[Measure] = [
    Measure("Planned spend", "planned_spend", "money"),
    Measure("Spend", "spend", "money"),
    Measure("Spend vs plan", "spend_vs_plan", "percent"),
    Measure("Planned impressions", "planned_impressions", "count"),
    Measure("Impressions", "impressions", "count"),
    Measure("Clicks", "clicks", "count"),
    Measure("CTR", "ctr", "percent"),
    Measure("CPM", "cpm", "money"),
    Measure("CPC", "cpc", "money"),
    Measure("Conversions", "conversions", "decimal"),
    Measure("CPA", "cpa", "money"),
    Measure("Conversion value", "conversion_value", "money"),
    Measure("ROAS", "roas", "ratio"),
    Measure("Video views", "video_views", "count"),
    Measure("Video completions", "video_completions", "count"),
    Measure("VCR", "vcr", "percent"),
    Measure("Engagements", "engagements", "count"),
    Measure("GRPs", "grps", "decimal"),
    Measure("Spots", "spots", "count"),
]
_SPEND_FIELDS = ("planned_spend", "spend", "spend_vs_plan")


@dataclass(frozen=True, slots=True)
class Kpi:
    """One line of the summary: the plan (or the campaign's target) and what was delivered."""

    label: str
    kind: Kind
    plan: Decimal | None
    actual: Decimal | None

    @property
    def versus(self) -> Decimal | None:
        """Actual as a percentage of the plan or target."""
        if not self.plan or self.actual is None:
            return None
        return (self.actual * _HUNDRED / self.plan).quantize(_CENT)


# Targets that hold for any stretch of the flight. A volume target (GRPs, reach, conversions)
# is set for the whole flight, so it says nothing about a shorter period: left out.
_RATE_TARGETS = ("ctr", "cpm", "cpc", "cpa", "roas", "vcr")


def campaign_targets(campaign: Campaign) -> dict[str, Decimal]:
    """The campaign's rate targets by KPI; a target that is not a number is left out."""
    targets = campaign.kpi_targets or []
    if isinstance(targets, Mapping):
        pairs = list(targets.items())
    else:
        pairs = [(i.get("kpi"), i.get("target")) for i in targets if isinstance(i, Mapping)]
    found: dict[str, Decimal] = {}
    for kpi, target in pairs:
        if kpi not in _RATE_TARGETS or isinstance(target, bool | float):
            continue
        try:
            value = Decimal(str(target))
        except InvalidOperation:
            continue
        if value.is_finite():
            found[str(kpi)] = value
    return found


def kpis(data: ReportData) -> list[Kpi]:
    """The summary lines: planned spend and impressions for the period, rate targets."""
    total, targets = data.total, campaign_targets(data.campaign)
    count = Decimal  # the counts are ints; every figure of the table is a Decimal
    return [
        Kpi("Spend", "money", total.planned_spend, total.spend),
        Kpi("Impressions", "count", total.planned_impressions or None, count(total.impressions)),
        Kpi("Clicks", "count", None, count(total.clicks)),
        Kpi("CTR", "percent", targets.get("ctr"), total.ctr),
        Kpi("CPM", "money", targets.get("cpm"), total.cpm),
        Kpi("CPC", "money", targets.get("cpc"), total.cpc),
        Kpi("Conversions", "decimal", None, total.conversions),
        Kpi("CPA", "money", targets.get("cpa"), total.cpa),
        Kpi("Conversion value", "money", None, total.conversion_value),
        Kpi("ROAS", "ratio", targets.get("roas"), total.roas),
        Kpi("Video views", "count", None, count(total.video_views)),
        Kpi("Video completions", "count", None, count(total.video_completions)),
        Kpi("VCR", "percent", targets.get("vcr"), total.vcr),
        Kpi("Engagements", "count", None, count(total.engagements)),
        Kpi("GRPs", "decimal", None, total.grps),
        Kpi("Spots", "count", None, count(total.spots)),
    ]


def pacing_kind(metric: PacingMetric) -> Kind:
    """How a pacing figure is shown: money for spend and fees, counts, GRPs in hundredths."""
    if metric in (PacingMetric.SPEND, PacingMetric.FEE):
        return "money"
    if metric is PacingMetric.GRPS:
        return "decimal"
    return "count"


def _channel_and_vendor(data: ReportData, line_key: str) -> tuple[str, str]:
    placement = data.placements.get(line_key)
    if placement is None:
        return "", ""
    return placement.get_channel_display(), placement.vendor


def _thresholds_text(data: ReportData) -> str:
    under = (data.pacing.thresholds.under * _HUNDRED).normalize()
    over = (data.pacing.thresholds.over * _HUNDRED).normalize()
    return f"on track from −{under:f} % to +{over:f} % of the expected delivery"


# --- the workbook -----------------------------------------------------------------------------

# Every table sheet: a title line, a blank line, the column headers, then the rows.
_TITLE_ROW, _HEAD_ROW, _FIRST_ROW = 0, 2, 3
_CHANNELS_SHEET, _WEEKS_SHEET = "By channel", "By week"
_BLUE, _NAVY = "#9BC2E6", "#1F4E79"


def money_format(currency: str) -> str:
    """'#,##0.00 "USD"' (whole units for a currency without minor units, such as JPY)."""
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    digits = "#,##0." + "0" * places if places else "#,##0"
    return f'{digits} "{currency}"'


_NUMBER_FORMATS: dict[Kind, str] = {
    "count": "#,##0",
    "decimal": "#,##0.00",
    "percent": "0.00%",
    "ratio": "0.00",
}


class _Styles:
    def __init__(self, book: Any, currency: str) -> None:
        add = book.add_format
        head = {"bold": True, "bg_color": "#E7ECF2", "bottom": 1, "valign": "bottom"}
        formats = {**_NUMBER_FORMATS, "money": money_format(currency)}
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"italic": True, "font_color": "#4A5560"})
        self.label = add({"bold": True, "font_color": "#4A5560"})
        self.value = add({"align": "left"})
        self.value_date = add({"align": "left", "num_format": ISO_DATE})
        self.head = add({**head, "text_wrap": True})
        self.head_num = add({**head, "text_wrap": True, "align": "right"})
        self.text = add({})
        self.date = add({"num_format": ISO_DATE})
        self.note = add({"italic": True, "font_color": "#4A5560"})
        self.wrapped_note = add(
            {"italic": True, "font_color": "#4A5560", "text_wrap": True, "valign": "top"}
        )
        self.total_label = add({"bold": True, "top": 1})
        self.numbers: dict[Kind, Any] = {
            kind: add({"num_format": f}) for kind, f in formats.items()
        }
        self.totals: dict[Kind, Any] = {
            kind: add({"num_format": f, "bold": True, "top": 1}) for kind, f in formats.items()
        }


def _xl_date(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _header_text(text: str) -> str:
    """Text for a print header/footer: '&' is a control character there."""
    return text.replace("&", "&&")[:70]


def _text(sheet: Any, row: int, col: int, value: str, style: Any = None) -> None:
    # The only way text reaches a cell: a leading =, +, -, @ is never run as a formula.
    sheet.write_string(row, col, neutralize(value), style)


def _number(sheet: Any, row: int, col: int, value: Decimal | None, kind: Kind, style: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, style)
        return
    if kind == "percent":
        value = value / _HUNDRED  # 2.50 (%) is 0.025 under Excel's percentage format
    # A spreadsheet holds numbers as binary floating point: converted here, at the very edge,
    # for display. Up to 15 significant digits read back exactly, which covers any campaign.
    sheet.write_number(row, col, float(value), style)


def _label(sheet: Any, styles: _Styles, row: int, col: int, value: str | date) -> None:
    if isinstance(value, date):
        sheet.write_datetime(row, col, _xl_date(value), styles.date)
    else:
        _text(sheet, row, col, value, styles.text)


def _paper(sheet: Any, data: ReportData, repeat_rows: tuple[int, int] | None) -> None:
    """Landscape, one page wide, the campaign and period in the header, pages in the footer."""
    campaign = data.campaign
    sheet.set_landscape()
    sheet.set_paper(9)  # A4, like the PDF
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    sheet.set_header(
        f"&L&B{_header_text(campaign.name)} ({_header_text(campaign.code)})"
        f"&R{_header_text(data.period)} · {data.currency}"
    )
    sheet.set_footer(
        f"&L{_header_text(campaign.client.organization.name)}&CPage &P of &N"
        f"&RExported {data.exported.isoformat()}"
    )


def report_xlsx(campaign: Campaign, date_from: date, date_to: date) -> bytes:
    """The report as a workbook: a summary with charts, the three tables and pacing."""
    return report_xlsx_of(report_data(campaign, date_from, date_to))


def report_xlsx_of(data: ReportData) -> bytes:
    campaign = data.campaign
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
    book.set_properties(
        {
            "title": f"Delivery report {campaign.code} {data.date_from} to {data.date_to}",
            "subject": campaign.name,
            "company": campaign.client.organization.name,
            "comments": "Exported by mediadesk",
        }
    )
    styles = _Styles(book, data.currency)
    summary = book.add_worksheet("Summary")
    channels = _channel_sheet(book, styles, data)
    _placement_sheet(book, styles, data)
    weeks = _week_sheet(book, styles, data)
    _pacing_sheet(book, styles, data)
    _summary_sheet(book, summary, styles, data, channels, weeks)
    book.close()
    return buffer.getvalue()


# The summary's layout: the facts from row 1, the KPI table under them, the charts beside.
_FACTS_ROW = 2
_CHART_COL = 5


def _facts(data: ReportData) -> list[tuple[str, str | date]]:
    campaign, version = data.campaign, data.pacing.version
    plan = f"v{version.number} · {version.get_status_display()}" if version else "No plan yet"
    return [
        ("Agency", campaign.client.organization.name),
        ("Client", campaign.client.name),
        ("Campaign", campaign.name),
        ("Campaign code", campaign.code),
        ("Flight", campaign.flight),
        ("Period", f"{data.period} ({data.date_from} to {data.date_to})"),
        ("Currency", data.currency),
        ("Plan", plan),
        ("Pacing as of", data.pacing.as_of),
        ("Exported", data.exported),
    ]


def _summary_sheet(
    book: Any, sheet: Any, styles: _Styles, data: ReportData, channels: int, weeks: int
) -> None:
    _text(sheet, 0, 0, f"Delivery report · {data.campaign.name}", styles.title)
    _text(sheet, 1, 0, f"{data.period} · all amounts in {data.currency}", styles.subtitle)
    row = _FACTS_ROW
    for row, (label, value) in enumerate(_facts(data), start=_FACTS_ROW):
        _text(sheet, row, 0, label, styles.label)
        if isinstance(value, date):
            sheet.write_datetime(row, 1, _xl_date(value), styles.value_date)
        else:
            _text(sheet, row, 1, value, styles.value)
    row = _kpi_table(sheet, styles, data, row + 2)
    _notes(sheet, styles, data, row + 1)
    for col, width in enumerate((22, 40, 16, 18)):
        sheet.set_column(col, col, width)
    if channels:
        sheet.insert_chart(1, _CHART_COL, _spend_chart(book, data, channels))
    if weeks:
        sheet.insert_chart(19, _CHART_COL, _cumulative_chart(book, data, weeks))
    _paper(sheet, data, None)
    sheet.activate()


def _kpi_table(sheet: Any, styles: _Styles, data: ReportData, head: int) -> int:
    """The KPI totals, plan (or target) against actual; returns the last row written."""
    for col, header in enumerate(("KPI", "Plan or target", "Actual", "Actual vs plan")):
        _text(sheet, head, col, header, styles.head if col == 0 else styles.head_num)
    row = head
    for row, kpi in enumerate(kpis(data), start=head + 1):
        _text(sheet, row, 0, kpi.label, styles.text)
        _number(sheet, row, 1, kpi.plan, kpi.kind, styles.numbers[kpi.kind])
        _number(sheet, row, 2, kpi.actual, kpi.kind, styles.numbers[kpi.kind])
        _number(sheet, row, 3, kpi.versus, "percent", styles.numbers["percent"])
    return row


def notes(data: ReportData) -> list[str]:
    """What a reader needs to read the figures right (both files print these)."""
    lines = [
        f"All amounts are in {data.currency}: figures a source reported in another currency "
        "were converted at import with the plan's FX rates.",
        "Plan figures are the planned spend (and the impressions of CPM lines) of the days in "
        "the period; rate KPIs are compared with the campaign's targets.",
        f"Pacing is flight to date at the end of {data.pacing.as_of.isoformat()}, "
        f"{_thresholds_text(data)}.",
    ]
    return lines + [f"Not in the figures: {problem}" for problem in data.problems]


def _notes(sheet: Any, styles: _Styles, data: ReportData, first: int) -> None:
    # Wrapped across the four columns of the tables above: the charts sit to their right.
    for row, line in enumerate(notes(data), start=first):
        sheet.merge_range(row, 0, row, 3, neutralize(line), styles.wrapped_note)
        sheet.set_row(row, 30)


def _column_of(labels: int, field: str) -> int:
    return labels + next(i for i, m in enumerate(MEASURES) if m.field == field)


def _spend_chart(book: Any, data: ReportData, count: int) -> Any:
    """Planned against delivered spend by channel, from the "By channel" sheet."""
    chart = book.add_chart({"type": "column"})
    last = _FIRST_ROW + count - 1
    categories = [_CHANNELS_SHEET, _FIRST_ROW, 0, last, 0]
    for name, field, color in (("Planned", "planned_spend", _BLUE), ("Delivered", "spend", _NAVY)):
        col = _column_of(1, field)
        chart.add_series(
            {
                "name": name,
                "categories": categories,
                "values": [_CHANNELS_SHEET, _FIRST_ROW, col, last, col],
                "fill": {"color": color},
                "gap": 80,
            }
        )
    chart.set_title({"name": f"Spend by channel ({data.currency})"})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 340})
    return chart


# The cumulative columns of the "By week" sheet, after the week and the measures.
_CUMULATIVE_PLANNED = 1 + len(MEASURES)
_CUMULATIVE_DELIVERED = _CUMULATIVE_PLANNED + 1


def _cumulative_chart(book: Any, data: ReportData, count: int) -> Any:
    """Cumulative planned against delivered spend by week, from the "By week" sheet."""
    chart = book.add_chart({"type": "line"})
    last = _FIRST_ROW + count - 1
    categories = [_WEEKS_SHEET, _FIRST_ROW, 0, last, 0]
    series = (
        ("Planned", _CUMULATIVE_PLANNED, _BLUE, "dash"),
        ("Delivered", _CUMULATIVE_DELIVERED, _NAVY, "solid"),
    )
    for name, col, color, dash in series:
        chart.add_series(
            {
                "name": name,
                "categories": categories,
                "values": [_WEEKS_SHEET, _FIRST_ROW, col, last, col],
                "line": {"color": color, "width": 2.25, "dash_type": dash},
                "marker": {"type": "circle", "size": 4, "fill": {"color": color}},
            }
        )
    chart.set_title({"name": f"Cumulative spend by week ({data.currency})"})
    chart.set_x_axis({"num_format": "d mmm"})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")  # weeks still to come have no delivered figure
    chart.set_size({"width": 620, "height": 340})
    return chart


Row = tuple[Sequence[str | date], Performance]


def _table_sheet(
    book: Any,
    styles: _Styles,
    data: ReportData,
    name: str,
    title: str,
    labels: Sequence[tuple[str, int]],
    rows: Sequence[Row],
    total: Performance,
) -> Any:
    """A performance table: the label columns, every measure, a total row; headers frozen."""
    sheet = book.add_worksheet(name)
    _text(sheet, _TITLE_ROW, 0, f"{title} · {data.campaign.code} · {data.period}", styles.label)
    _text(sheet, _TITLE_ROW + 1, 0, f"Amounts in {data.currency}", styles.subtitle)
    for col, (header, width) in enumerate(labels):
        _text(sheet, _HEAD_ROW, col, header, styles.head)
        sheet.set_column(col, col, width)
    for offset, measure in enumerate(MEASURES):
        col = len(labels) + offset
        _text(sheet, _HEAD_ROW, col, measure.header, styles.head_num)
        sheet.set_column(col, col, 17 if measure.kind == "money" else 13)
    for row, (cells, performance) in enumerate(rows, start=_FIRST_ROW):
        for col, cell in enumerate(cells):
            _label(sheet, styles, row, col, cell)
        _measures(sheet, row, len(labels), performance, styles.numbers)
    total_row = _FIRST_ROW + len(rows)
    # The total is the report's own figure (ratios are not sums), not a formula over the rows.
    _text(sheet, total_row, 0, "Total", styles.total_label)
    for col in range(1, len(labels)):
        sheet.write_blank(total_row, col, None, styles.total_label)
    _measures(sheet, total_row, len(labels), total, styles.totals)
    sheet.set_row(_HEAD_ROW, 30)
    sheet.freeze_panes(_FIRST_ROW, len(labels))
    if rows:
        sheet.autofilter(_HEAD_ROW, 0, total_row - 1, len(labels) + len(MEASURES) - 1)
    _paper(sheet, data, (_HEAD_ROW, _HEAD_ROW))
    return sheet


def _measures(
    sheet: Any, row: int, first_col: int, performance: Performance, formats: Mapping[Kind, Any]
) -> None:
    for offset, measure in enumerate(MEASURES):
        value = measure.value(performance)
        _number(sheet, row, first_col + offset, value, measure.kind, formats[measure.kind])


def _channel_sheet(book: Any, styles: _Styles, data: ReportData) -> int:
    """The "By channel" sheet; returns its number of rows (the spend chart reads them)."""
    rows: list[Row] = [([row.label], row) for row in data.by_channel.rows]
    _table_sheet(book, styles, data, _CHANNELS_SHEET, "Performance by channel",
                 [("Channel", 24)], rows, data.by_channel.total)  # fmt: skip
    return len(rows)


def _placement_sheet(book: Any, styles: _Styles, data: ReportData) -> None:
    rows: list[Row] = [
        ([row.label, *_channel_and_vendor(data, row.key)], row) for row in data.by_placement.rows
    ]
    width = min(48, max([14, *(len(row.label) + 2 for row in data.by_placement.rows)]))
    labels = [("Placement", width), ("Channel", 20), ("Vendor", 18)]
    _table_sheet(book, styles, data, "By placement", "Performance by placement", labels, rows,
                 data.by_placement.total)  # fmt: skip


def _week_sheet(book: Any, styles: _Styles, data: ReportData) -> int:
    """The "By week" sheet with the cumulative spend the line chart reads; returns its rows."""
    mondays = [date.fromisoformat(row.key) for row in data.by_week.rows]
    rows: list[Row] = [
        ([monday], row) for monday, row in zip(mondays, data.by_week.rows, strict=True)
    ]
    sheet = _table_sheet(book, styles, data, _WEEKS_SHEET, "Performance by week",
                         [("Week of (Monday)", 16)], rows, data.by_week.total)  # fmt: skip
    # The weeks of the rows and of the curve are the same Mondays (both: planned or delivered).
    cumulative = {monday: (planned, actual) for monday, planned, actual in data.by_week.weeks}
    money = styles.numbers["money"]
    for col, header in ((_CUMULATIVE_PLANNED, "Cumulative planned spend"),
                        (_CUMULATIVE_DELIVERED, "Cumulative delivered spend")):  # fmt: skip
        _text(sheet, _HEAD_ROW, col, header, styles.head_num)
        sheet.set_column(col, col, 19)
    for row, monday in enumerate(mondays, start=_FIRST_ROW):
        planned, actual = cumulative.get(monday, (None, None))
        _number(sheet, row, _CUMULATIVE_PLANNED, planned, "money", money)
        _number(sheet, row, _CUMULATIVE_DELIVERED, actual, "money", money)
    return len(rows)


# The "Pacing" sheet: header, width (0: as wide as the longest code), whether it holds numbers.
_PACING_COLUMNS = [
    ("Placement", 0, False), ("Channel", 20, False), ("Metric", 12, False),
    ("Planned", 16, True), ("Expected to date", 16, True), ("Delivered", 16, True),
    ("Index", 8, True), ("Projected", 16, True), ("Status", 15, False),
    ("Spend to date", 17, True), ("Projected spend", 17, True),
]  # fmt: skip


def _pacing_sheet(book: Any, styles: _Styles, data: ReportData) -> None:
    """Every placement paced at the end of the period, the furthest off plan first."""
    sheet = book.add_worksheet("Pacing")
    title = f"Pacing at the end of {data.pacing.as_of.isoformat()} · {data.campaign.code}"
    _text(sheet, _TITLE_ROW, 0, title, styles.label)
    _text(sheet, _TITLE_ROW + 1, 0, f"Flight to date; {_thresholds_text(data)}.", styles.subtitle)
    lines = data.pacing.lines
    width = min(48, max([14, *(len(line.placement.code) + 2 for line in lines)]))
    for col, (header, column_width, numeric) in enumerate(_PACING_COLUMNS):
        _text(sheet, _HEAD_ROW, col, header, styles.head_num if numeric else styles.head)
        sheet.set_column(col, col, column_width or width)
    for row, line in enumerate(lines, start=_FIRST_ROW):
        _pacing_row(sheet, styles, row, line)
    last = _FIRST_ROW + len(lines)
    if not lines:
        _text(sheet, last, 0, "No placement could be paced.", styles.note)
        last += 1
    for row, problem in enumerate(data.pacing.problems, start=last + 1):
        _text(sheet, row, 0, f"Not paced: {problem}", styles.note)
    sheet.set_row(_HEAD_ROW, 30)
    sheet.freeze_panes(_FIRST_ROW, 1)
    if lines:
        sheet.autofilter(_HEAD_ROW, 0, last - 1, len(_PACING_COLUMNS) - 1)
    _paper(sheet, data, (_HEAD_ROW, _HEAD_ROW))


def _pacing_row(sheet: Any, styles: _Styles, row: int, line: PlacementPacing) -> None:
    pacing, numbers = line.pacing, styles.numbers
    kind = pacing_kind(pacing.metric)
    _text(sheet, row, 0, line.placement.code, styles.text)
    _text(sheet, row, 1, line.placement.get_channel_display(), styles.text)
    _text(sheet, row, 2, METRIC_LABELS[pacing.metric], styles.text)
    for col, value in ((3, pacing.planned), (4, pacing.expected), (5, pacing.delivered),
                       (7, pacing.projected)):  # fmt: skip
        _number(sheet, row, col, value, kind, numbers[kind])
    _number(sheet, row, 6, pacing.index, "ratio", numbers["ratio"])
    _text(sheet, row, 8, STATUS_LABELS[pacing.status], styles.text)
    _number(sheet, row, 9, line.spend, "money", numbers["money"])
    _number(sheet, row, 10, pacing.projected_spend, "money", numbers["money"])


# --- the PDF ----------------------------------------------------------------------------------


def figure_text(value: Decimal | None, kind: Kind, currency: str) -> str:
    """A figure as the PDF prints it: '28,000.00', '2.50 %', '140,000', '—' for none."""
    if value is None:
        return "—"
    if kind == "money":
        return format_amount(value, CURRENCY_MINOR_UNITS.get(currency, 2))
    if kind == "count":
        return format_amount(value, 0)
    if kind == "percent":
        return f"{format_amount(value, 2)} %"
    return format_amount(value, 2)


def _shown_measures(total: Performance) -> list[Measure]:
    """The measures worth a column on paper: spend always, the rest when the period has any.

    A landscape page holds about fifteen figures side by side; a search-only period has no GRPs
    or spots, and empty columns would only squeeze the others (the workbook keeps them all).
    """
    return [m for m in MEASURES if m.field in _SPEND_FIELDS or m.value(total) not in (None, 0)]


def _print_table(
    data: ReportData,
    title: str,
    rows: Sequence[Row],
    total: Performance,
    label: str,
    new_page: bool,
) -> dict[str, Any]:
    measures = _shown_measures(total)
    currency = data.currency

    def cells(performance: Performance) -> list[str]:
        return [figure_text(m.value(performance), m.kind, currency) for m in measures]

    return {
        "title": title,
        "label": label,
        "new_page": new_page,
        "codes": label == "Placement",  # placement codes print in a monospace, breakable font
        "heads": [f"{m.header} ({currency})" if m.kind == "money" else m.header for m in measures],
        "rows": [
            {
                "label": labels[0],
                "detail": " · ".join(str(c) for c in labels[1:] if c),
                "cells": cells(performance),
            }
            for labels, performance in rows
        ],
        "total": cells(total),
    }


def _print_tables(data: ReportData) -> list[dict[str, Any]]:
    channels: list[Row] = [([row.label], row) for row in data.by_channel.rows]
    weeks: list[Row] = [([row.label], row) for row in data.by_week.rows]
    placements: list[Row] = [
        ([row.label, *_channel_and_vendor(data, row.key)], row) for row in data.by_placement.rows
    ]
    # Channels and weeks share a page after the summary; placements (often many) start their own.
    return [
        _print_table(data, "By channel", channels, data.by_channel.total, "Channel", True),
        _print_table(data, "By week", weeks, data.by_week.total, "Week", False),
        _print_table(data, "By placement", placements, data.by_placement.total, "Placement", True),
    ]


def _print_pacing_row(line: PlacementPacing, currency: str) -> dict[str, str]:
    pacing = line.pacing
    kind = pacing_kind(pacing.metric)
    return {
        "code": line.placement.code,
        "channel": line.placement.get_channel_display(),
        "metric": METRIC_LABELS[pacing.metric],
        "planned": figure_text(pacing.planned, kind, currency),
        "expected": figure_text(pacing.expected, kind, currency),
        "delivered": figure_text(pacing.delivered, kind, currency),
        "index": figure_text(pacing.index, "ratio", currency),
        "projected": figure_text(pacing.projected, kind, currency),
        "status": STATUS_LABELS[pacing.status],
        "tone": pacing.status.value,
        "spend": figure_text(line.spend, "money", currency),
    }


def print_context(data: ReportData) -> dict[str, Any]:
    """What ``delivery/report_print.html`` shows."""
    campaign = data.campaign
    return {
        "organization": campaign.client.organization,
        "client": campaign.client,
        "campaign": campaign,
        "currency": data.currency,
        "period": data.period,
        "date_from": data.date_from,
        "date_to": data.date_to,
        "exported": data.exported,
        "facts": [
            (label, value.isoformat() if isinstance(value, date) else value)
            for label, value in _facts(data)
        ],
        "kpis": [
            {
                "label": kpi.label + (f" ({data.currency})" if kpi.kind == "money" else ""),
                "plan": figure_text(kpi.plan, kpi.kind, data.currency),
                "actual": figure_text(kpi.actual, kpi.kind, data.currency),
                "versus": figure_text(kpi.versus, "percent", data.currency),
            }
            for kpi in kpis(data)
            # Without a plan and without a figure (GRPs of a digital-only period): no line.
            if kpi.plan is not None or kpi.actual
        ],
        "spend_chart": spend_bars(data),
        "cumulative_chart": cumulative_lines(data),
        "tables": _print_tables(data),
        "as_of": data.pacing.as_of,
        "pacing": [_print_pacing_row(line, data.currency) for line in data.pacing.lines],
        "notes": notes(data),
    }


def report_pdf(campaign: Campaign, date_from: date, date_to: date) -> bytes:
    """The report as a PDF to send the client (A4 landscape)."""
    return report_pdf_of(report_data(campaign, date_from, date_to))


def report_pdf_of(data: ReportData) -> bytes:
    try:
        weasyprint = importlib.import_module("weasyprint")
    except ImportError as exc:  # pragma: no cover - WeasyPrint is a dependency
        raise NotImplementedError(
            "PDF export needs WeasyPrint (pip install weasyprint); it is not installed."
        ) from exc
    html = render_to_string("delivery/report_print.html", print_context(data))
    # Only data: URLs: the document fetches nothing from the network or the disk.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


# --- the charts, as SVG geometry --------------------------------------------------------------
#
# The template draws the SVG; here only the coordinates are worked out (in SVG user units, one
# per CSS pixel), in Decimal and handed over as text, so a label is escaped like any other.

_TENTH = Decimal("0.1")
_CHART_WIDTH = Decimal(600)
_MM_PER_UNIT = Decimal("0.225")  # a chart prints 135 mm wide: two side by side on the page


def _at(value: Decimal) -> str:
    return str(value.quantize(_TENTH))


def _size(width: Decimal, height: Decimal) -> dict[str, str]:
    """The viewBox and the printed size of a chart (the same proportions)."""
    return {
        "width": _at(width),
        "height": _at(height),
        "width_mm": _at(width * _MM_PER_UNIT),
        "height_mm": _at(height * _MM_PER_UNIT),
    }


def axis_ticks(maximum: Decimal, most: int = 5) -> list[Decimal]:
    """Round steps from 0 that cover ``maximum``: 0, 10,000, 20,000, … (at most ``most`` + 1)."""
    if maximum <= 0:
        return [Decimal(0), Decimal(1)]
    rough = maximum / most
    magnitude = Decimal(10) ** rough.adjusted()
    step = next(
        magnitude * factor
        for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if magnitude * factor >= rough
    )
    count = int((maximum / step).to_integral_value(rounding=ROUND_CEILING))
    return [step * n for n in range(count + 1)]


def _tick_text(value: Decimal) -> str:
    return format_amount(value, 0 if value == value.to_integral_value() else 2)


def spend_bars(data: ReportData) -> dict[str, Any] | None:
    """Planned and delivered spend by channel as horizontal bars (labels stay readable)."""
    rows = data.by_channel.rows
    if not rows:
        return None
    label_width, value_width, band, top = Decimal(150), Decimal(80), Decimal(30), Decimal(8)
    plot = _CHART_WIDTH - label_width - value_width
    ticks = axis_ticks(max(max(r.planned_spend, r.spend) for r in rows))
    scale = plot / ticks[-1]
    bottom = top + band * len(rows)
    bars = []
    for position, row in enumerate(rows):
        y = top + band * position
        bars.append(
            {
                "label": row.label,
                "label_y": _at(y + band / 2 + 4),
                "planned_y": _at(y + 4),
                "planned_width": _at(row.planned_spend * scale),
                "spend_y": _at(y + 15),
                "spend_width": _at(row.spend * scale),
                "value_x": _at(label_width + max(row.planned_spend, row.spend) * scale + 4),
                "value_y": _at(y + 23),
                "value": figure_text(row.spend, "money", data.currency),
            }
        )
    return {
        **_size(_CHART_WIDTH, bottom + 40),
        "label_x": _at(label_width - 6),
        "left": _at(label_width),
        "top": _at(top),
        "bottom": _at(bottom),
        "tick_y": _at(bottom + 14),
        "legend_y": _at(bottom + 32),
        "ticks": [{"x": _at(label_width + t * scale), "text": _tick_text(t)} for t in ticks],
        "bars": bars,
    }


def cumulative_lines(data: ReportData) -> dict[str, Any] | None:
    """Cumulative planned and delivered spend by week as two lines."""
    weeks = data.by_week.weeks
    if not weeks:
        return None
    left, right, top, height = Decimal(80), Decimal(16), Decimal(10), Decimal(220)
    plot = _CHART_WIDTH - left - right
    bottom = top + height
    highest = max(max(planned, actual or Decimal(0)) for _, planned, actual in weeks)
    ticks = axis_ticks(highest)
    scale = height / ticks[-1]
    step = plot / (len(weeks) - 1) if len(weeks) > 1 else Decimal(0)

    def x(position: int) -> Decimal:
        return left + (step * position if len(weeks) > 1 else plot / 2)

    def y(value: Decimal) -> Decimal:
        return bottom - value * scale

    planned = [(x(n), y(p)) for n, (_, p, _a) in enumerate(weeks)]
    delivered = [(x(n), y(a)) for n, (_, _p, a) in enumerate(weeks) if a is not None]
    every = -(-len(weeks) // 12)  # at most about twelve week labels under the axis
    return {
        **_size(_CHART_WIDTH, bottom + 48),
        "tick_x": _at(left - 6),
        "left": _at(left),
        "right": _at(_CHART_WIDTH - right),
        "top": _at(top),
        "bottom": _at(bottom),
        "label_y": _at(bottom + 14),
        "legend_y": _at(bottom + 40),
        "ticks": [{"y": _at(y(t)), "text_y": _at(y(t) + 3), "text": _tick_text(t)} for t in ticks],
        "weeks": [
            {"x": _at(x(n)), "text": f"{monday.day} {monday:%b}"}
            for n, (monday, _, _a) in enumerate(weeks)
            if n % every == 0
        ],
        "planned": " ".join(f"{_at(px)},{_at(py)}" for px, py in planned),
        "planned_points": [{"x": _at(px), "y": _at(py)} for px, py in planned],
        "delivered": " ".join(f"{_at(px)},{_at(py)}" for px, py in delivered),
        "delivered_points": [{"x": _at(px), "y": _at(py)} for px, py in delivered],
    }
