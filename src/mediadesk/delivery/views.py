"""Delivery pages: a campaign's Delivery tab (pacing, charts, the unmatched queue, imports,
the upload), its matching rules and performance, and the pacing overview across campaigns.

Every change goes through ``delivery.services``; the numbers come from ``delivery.reports``.
Charts are inline SVG drawn from geometry computed here (no script, nothing from outside), each
with its numbers in a table one click away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import PurePath
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

import polars as pl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mediadesk.accounts.models import reviewer_client_ids
from mediadesk.accounts.permissions import Action, can, require
from mediadesk.delivery import reports, services
from mediadesk.delivery.forms import (
    DeliveryMappingForm,
    PerformanceFilters,
    RuleForm,
    guess_mapping,
    mapping_fields,
    mapping_label,
    placement_choices,
    platform_label,
)
from mediadesk.delivery.models import (
    DeliveryImport,
    DeliveryMapping,
    MatchingRule,
    delivery_campaigns,
)
from mediadesk.delivery.reports import (
    CampaignPerformance,
    GroupBy,
    PlacementPacing,
)
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount
from mediadesk.domain.pacing import METRIC_LABELS, STATUS_LABELS, PacingMetric, PacingStatus
from mediadesk.domain.performance import Performance
from mediadesk.domain.placement_matching import RULE_KIND_LABELS, RuleKind
from mediadesk.ingest.delivery.generic import block_of
from mediadesk.ingest.delivery.inspect import InspectError, UnknownLayout, load
from mediadesk.ingest.delivery.schema import empty_frame
from mediadesk.ingest.safety import UnsafeFile, display_name
from mediadesk.ingest.tables import Table
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.files import read_upload
from mediadesk.planning.models import Campaign
from mediadesk.planning.views import visible_campaigns
from mediadesk.web.context import current_client
from mediadesk.web.exports import Column, export_response

STATUS_TONES = {
    PacingStatus.ON_TRACK: "good",
    PacingStatus.UNDER: "warn",
    PacingStatus.OVER: "bad",
    PacingStatus.NOT_STARTED: "neutral",
    PacingStatus.NO_PLAN: "muted",
}
_COUNTED = (PacingMetric.IMPRESSIONS, PacingMetric.SPOTS)
_MONEY = (PacingMetric.SPEND, PacingMetric.FEE)
_HUNDRED = Decimal(100)


# --- Fetching ----------------------------------------------------------------------------------


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """The campaign, if the user may see its delivery: client reviewers never do (404)."""
    campaign: Campaign = get_object_or_404(delivery_campaigns(request.user), pk=campaign_id)
    return campaign


def _may_change(request: HttpRequest, campaign: Campaign) -> bool:
    """Refuse (403) a change the role does not allow; False (with a message) when archived."""
    require(request.user, Action.EDIT_CAMPAIGN, campaign.client_id)
    if campaign.is_archived:
        messages.error(
            request, "This campaign is archived; restore it before changing its delivery."
        )
        return False
    return True


def _delivery_url(campaign: Campaign, anchor: str = "") -> str:
    url = reverse("delivery:campaign_delivery", args=[campaign.pk])
    return f"{url}#{anchor}" if anchor else url


# --- Presentation helpers -----------------------------------------------------------------------


def _places(metric: PacingMetric, currency: str) -> int:
    if metric in _COUNTED:
        return 0
    if metric in _MONEY:
        return CURRENCY_MINOR_UNITS.get(currency, 2)
    return 2


def _figure(value: Decimal | None, metric: PacingMetric, currency: str) -> str:
    return "—" if value is None else format_amount(value, _places(metric, currency))


def _metric_label(metric: PacingMetric, currency: str) -> str:
    label = METRIC_LABELS[metric]
    return f"{label} ({currency})" if metric in _MONEY else label


def _signed_percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    rounded = value.quantize(Decimal(1))
    if rounded > 0:
        return f"+{rounded} %"
    if rounded < 0:
        return f"−{-rounded} %"
    return "±0 %"


def _compact(value: Decimal) -> str:
    """An axis label: 1,250,000 -> 1.25M, 40,000 -> 40k."""
    amount = abs(value)
    sign = "−" if value < 0 else ""
    for size, suffix in ((Decimal(1_000_000_000), "bn"), (Decimal(1_000_000), "M"),
                         (Decimal(1_000), "k")):  # fmt: skip
        if amount >= size:
            text = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"{sign}{text}{suffix}"
    return f"{sign}{amount:.0f}"


def _nice_ceiling(value: Decimal) -> Decimal:
    """The axis maximum: the value rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    power = Decimal(1).scaleb(exponent)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * power:
            return Decimal(step) * power
    return 10 * power  # pragma: no cover - the loop ends at 10 x the power


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class PacingRow:
    """One placement's pacing, as the table and the downloads show it."""

    code: str
    channel: str
    metric: str
    planned: str
    expected: str
    delivered: str
    index: str
    projected: str
    variance: str
    status: str
    status_label: str
    tone: str
    spend: str
    days: str
    item: PlacementPacing


def _pacing_row(item: PlacementPacing, currency: str) -> PacingRow:
    pacing = item.pacing
    metric = pacing.metric
    variance = (
        pacing.variance * _HUNDRED / pacing.planned
        if pacing.variance is not None and pacing.planned
        else None
    )
    return PacingRow(
        code=item.placement.code,
        channel=str(item.placement.get_channel_display()),
        metric=_metric_label(metric, currency),
        planned=_figure(pacing.planned, metric, currency),
        expected=_figure(pacing.expected, metric, currency),
        delivered=_figure(pacing.delivered, metric, currency),
        index="—" if pacing.index is None else f"{pacing.index:.2f}",
        projected=_figure(pacing.projected, metric, currency),
        variance=_signed_percent(variance),
        status=pacing.status.value,
        status_label=STATUS_LABELS[pacing.status],
        tone=STATUS_TONES[pacing.status],
        spend=format_amount(item.spend, CURRENCY_MINOR_UNITS.get(currency, 2)),
        days=f"{pacing.days_elapsed} of {pacing.days_total}",
        item=item,
    )


PACING_COLUMNS = [
    Column("Placement", lambda r: r.item.placement.code),
    Column("Channel", lambda r: r.channel),
    Column("Metric", lambda r: str(METRIC_LABELS[r.item.pacing.metric])),
    Column("Planned", lambda r: r.item.pacing.planned, "#,##0.00"),
    Column("Expected to date", lambda r: r.item.pacing.expected, "#,##0.00"),
    Column("Delivered", lambda r: r.item.pacing.delivered, "#,##0.00"),
    Column("Pacing index", lambda r: r.item.pacing.index, "0.00"),
    Column("Projected", lambda r: r.item.pacing.projected, "#,##0.00"),
    Column("Status", lambda r: r.status_label),
    Column("Spend to date", lambda r: r.item.spend, "#,##0.00"),
    Column("As of", lambda r: r.item.pacing.as_of),
]


# --- Charts (inline SVG) -------------------------------------------------------------------------

CHART_WIDTH = 720


# Bar colours as attributes, for renderers without the page's stylesheet (the status PDF).
INDEX_FILLS = {"on_track": "#1d6b3a", "under": "#c98a1c", "over": "#a32020"}


@dataclass(frozen=True, slots=True)
class IndexBar:
    label: str
    index: Decimal | None  # delivered / expected to date; None: nothing expected yet
    value: str  # "0.95 · On track"
    status: str


def index_chart(
    bars_in: Sequence[IndexBar], under: Decimal, over: Decimal, *, right: int = 110
) -> dict[str, Any] | None:
    """Each placement's pacing index as a horizontal bar, with the on-track band around 1
    (``under`` and ``over`` are shares: 0.10); the geometry ``partials/index_chart.html``
    draws, on the pacing page and in status reports."""
    if not bars_in:
        return None
    left, row_height, top = 12, 38, 24
    indexes = [bar.index for bar in bars_in if bar.index is not None]
    top_value = max([Decimal("1.5"), *indexes])
    step = max(Decimal("0.5"), _nice_ceiling(top_value / 6))  # at most about 7 ticks
    scale_max = (top_value / step).to_integral_value(rounding=ROUND_CEILING) * step
    plot = CHART_WIDTH - left - right

    def x(value: Decimal) -> float:
        return left + float(value / scale_max) * plot

    bars = []
    for n, bar in enumerate(bars_in):
        y = top + n * row_height
        end = x(bar.index) if bar.index is not None else float(left)
        bars.append({
            "label": bar.label,
            "label_y": _coordinate(y + 11),
            "y": _coordinate(y + 16),
            "width": _coordinate(max(end - left, 0 if bar.index is None else 1.5)),
            "value_x": _coordinate(end + 6),
            "value_y": _coordinate(y + 28),
            "value": bar.value,
            "status": bar.status,
            "fill": INDEX_FILLS.get(bar.status, "#b8c0cb"),
        })  # fmt: skip
    height = top + len(bars_in) * row_height + 8
    band_from = x(max(Decimal(1) - under, Decimal(0)))
    band_to = x(min(Decimal(1) + over, scale_max))
    ticks = []
    value = Decimal(0)
    while value <= scale_max:
        ticks.append({"x": _coordinate(x(value)), "label": f"{value:.1f}"})
        value += step
    return {
        "width": CHART_WIDTH,
        "height": height,
        "left": left,
        "bars": bars,
        "bar_height": 14,
        "one": _coordinate(x(Decimal(1))),
        "band_x": _coordinate(band_from),
        "band_width": _coordinate(band_to - band_from),
        "band_height": height - 4 - (top - 6),
        "plot_top": top - 6,
        "plot_bottom": height - 4,
        "ticks": ticks,
        "tick_y": 14,
        "under": f"{under * _HUNDRED:.0f}",
        "over": f"{over * _HUNDRED:.0f}",
    }


def _index_chart(rows: Sequence[PacingRow], thresholds: Any) -> dict[str, Any] | None:
    return index_chart(
        [
            IndexBar(
                row.code,
                row.item.pacing.index,
                f"{row.index} · {row.status_label}"
                if row.item.pacing.index is not None
                else row.status_label,
                row.status,
            )
            for row in rows
        ],
        thresholds.under,
        thresholds.over,
    )


def _delivery_chart(
    weeks: Sequence[tuple[date, Decimal, Decimal | None]], currency: str
) -> dict[str, Any] | None:
    """Cumulative planned against delivered spend at the end of each week, as two lines."""
    if not weeks:
        return None
    left, right, top, bottom, height = 64, 16, 16, 34, 260
    plot_w = CHART_WIDTH - left - right
    plot_h = height - top - bottom
    highest = max(
        [planned for _, planned, _ in weeks] + [actual for _, _, actual in weeks if actual]
    )
    scale_max = _nice_ceiling(highest)

    def x(n: int) -> float:
        return left + (plot_w * n / (len(weeks) - 1) if len(weeks) > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return top + plot_h - float(value / scale_max) * plot_h

    planned_points = " ".join(
        f"{_coordinate(x(n))},{_coordinate(y(planned))}" for n, (_, planned, _) in enumerate(weeks)
    )
    actual = [(n, value) for n, (_, _, value) in enumerate(weeks) if value is not None]
    actual_points = " ".join(f"{_coordinate(x(n))},{_coordinate(y(v))}" for n, v in actual)
    dots = [
        {"x": _coordinate(x(n)), "y": _coordinate(y(value)),
         "title": f"Week of {weeks[n][0]:%-d %b %Y}: {format_amount(value)} {currency} delivered"}
        for n, value in actual
    ]  # fmt: skip
    every = max(1, -(-len(weeks) // 8))  # at most 8 week labels
    x_labels = [
        {"x": _coordinate(x(n)), "label": f"{monday:%-d %b}"}
        for n, (monday, _, _) in enumerate(weeks)
        if n % every == 0
    ]
    y_ticks = [
        {"y": _coordinate(y(scale_max * step / 4)), "label": _compact(scale_max * step / 4)}
        for step in range(5)
    ]
    last_actual = actual[-1][1] if actual else None
    return {
        "width": CHART_WIDTH,
        "height": height,
        "left": left,
        "right": CHART_WIDTH - right,
        "bottom": _coordinate(top + plot_h),
        "label_y": height - 12,
        "planned": planned_points,
        "actual": actual_points,
        "dots": dots,
        "x_labels": x_labels,
        "y_ticks": y_ticks,
        "total_planned": format_amount(weeks[-1][1]),
        "delivered": format_amount(last_actual) if last_actual is not None else "",
        "rows": [
            {"monday": monday, "planned": format_amount(planned),
             "actual": "—" if value is None else format_amount(value)}
            for monday, planned, value in weeks
        ],
    }  # fmt: skip


def _channel_chart(rows: Sequence[Performance], currency: str) -> dict[str, Any] | None:
    """Spend by channel: the plan for the period (light) and what was spent (solid)."""
    shown = [row for row in rows if row.planned_spend or row.spend]
    if not shown:
        return None
    left, right, row_height, top = 12, 220, 46, 8  # room for "128,326.50 of 135,000.00"
    highest = max(max(row.planned_spend, row.spend) for row in shown)
    scale_max = highest if highest > 0 else Decimal(1)
    plot = CHART_WIDTH - left - right

    def width(value: Decimal) -> str:
        return _coordinate(max(float(value / scale_max) * plot, 0))

    bars = []
    for n, row in enumerate(shown):
        y = top + n * row_height
        bars.append({
            "label": row.label,
            "label_y": _coordinate(y + 11),
            "plan_y": _coordinate(y + 15),
            "plan_width": width(row.planned_spend),
            "spend_y": _coordinate(y + 27),
            "spend_width": width(row.spend),
            "value_x": _coordinate(left + max(float(row.spend / scale_max) * plot,
                                              float(row.planned_spend / scale_max) * plot) + 6),
            "value_y": _coordinate(y + 30),
            "value": f"{format_amount(row.spend)} of {format_amount(row.planned_spend)}",
        })  # fmt: skip
    return {
        "width": CHART_WIDTH,
        "height": top + len(shown) * row_height + 4,
        "left": left,
        "bars": bars,
        "rows": shown,
        "currency": currency,
    }


# --- The Delivery tab ----------------------------------------------------------------------------


def _as_of(request: HttpRequest) -> tuple[date | None, str]:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return (
            None,
            f"“{raw}” is not a date (use YYYY-MM-DD); pacing is shown as of the last day "
            "with delivery.",
        )


def _render_delivery(
    request: HttpRequest, campaign: Campaign, *, upload_error: str = ""
) -> HttpResponse:
    as_of, as_of_problem = _as_of(request)
    paced = reports.campaign_pacing(campaign, as_of)
    rows = [_pacing_row(item, campaign.currency) for item in paced.lines]
    export = request.GET.get("format")
    if export in {"csv", "xlsx"} and request.method == "GET":
        require(request.user, Action.EXPORT, campaign.client_id)
        return export_response(export, f"{campaign.code}-pacing-{paced.as_of}", PACING_COLUMNS,
                               rows)  # fmt: skip
    has_plan = paced.version is not None
    placements = list(paced.version.placements.all()) if paced.version else []
    performance = reports.campaign_performance(campaign) if has_plan else None
    imports = list(DeliveryImport.objects.filter(campaign=campaign).select_related("imported_by"))
    waiting = services.unmatched(campaign)
    can_edit = can(request.user, Action.EDIT_CAMPAIGN, campaign.client_id)
    counts = {
        status: sum(1 for row in rows if row.status == status.value)
        for status in (PacingStatus.UNDER, PacingStatus.OVER, PacingStatus.ON_TRACK)
    }
    delivered_spend = sum((row.item.spend for row in rows), Decimal(0))
    return render(
        request,
        "delivery/campaign_delivery.html",
        {
            "campaign": campaign,
            "paced": paced,
            "rows": rows,
            "has_plan": has_plan,
            "placements": placement_choices(placements),
            "index_chart": _index_chart(rows, paced.thresholds),
            "delivery_chart": _delivery_chart(performance.weeks, campaign.currency)
            if performance
            else None,
            "imports": [_import_view(upload) for upload in imports],
            "waiting": [_waiting_view(item, campaign.currency) for item in waiting],
            "waiting_spend": sum((item.spend for item in waiting), Decimal(0)),
            "counts": {status.value: count for status, count in counts.items()},
            "delivered_spend": delivered_spend,
            "can_edit": can_edit and not campaign.is_archived,
            "can_export": can(request.user, Action.EXPORT, campaign.client_id),
            "upload_error": upload_error,
            "as_of_problem": as_of_problem,
            "as_of_value": as_of,
            "rule_count": MatchingRule.objects.filter(campaign=campaign).count(),
            "under_percent": f"{paced.thresholds.under * _HUNDRED:.0f}",
            "over_percent": f"{paced.thresholds.over * _HUNDRED:.0f}",
        },
    )


def _import_view(upload: DeliveryImport) -> dict[str, Any]:
    totals = upload.totals or {}
    return {
        "record": upload,
        "platform": platform_label(upload.platform),
        "report": upload.report.replace("_", " "),
        "impressions": _int_text(totals.get("impressions")),
        "clicks": _int_text(totals.get("clicks")),
        "spend": _amount_text(totals.get("spend")),
        "conversions": _amount_text(totals.get("conversions")),
        "replaced": [
            f"{item.get('filename') or 'an earlier import'} (#{item.get('import')}, "
            f"{item.get('facts', 0):,} rows)"
            for item in upload.replaced or []
        ],
    }


def _int_text(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


def _amount_text(value: Any) -> str:
    try:
        return format_amount(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return "—"


def _waiting_view(item: services.Waiting, currency: str) -> dict[str, Any]:
    names = " / ".join(name for name in (item.source_campaign, item.source_ad_group) if name)
    return {
        "item": item,
        "source": names or item.placement_key or "(no name in the file)",
        "platform": platform_label(item.platform),
        "spend": format_amount(item.spend, CURRENCY_MINOR_UNITS.get(currency, 2)),
    }


@login_required
def campaign_delivery(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    return _render_delivery(request, campaign)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_import(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Upload one export; on a refusal the Delivery tab is shown again with the reason beside
    the file field (nothing was stored). A file of no known layout is kept for the mapping
    step, which asks once which column holds what."""
    campaign = _campaign(request, campaign_id)
    if request.method != "POST":
        return redirect(_delivery_url(campaign, "upload"))
    if not _may_change(request, campaign):
        return redirect(_delivery_url(campaign))
    upload = request.FILES.get("file")
    if upload is None:
        return _render_delivery(
            request, campaign, upload_error="Choose an export file (.csv or .xlsx) to import."
        )
    filename = upload.name or "export"
    try:
        data = read_upload(upload)
        imported = services.import_delivery(request.user, campaign, filename=filename, data=data)
    except ValidationError as exc:
        return _render_delivery(request, campaign, upload_error=" ".join(exc.messages))
    except services.DeliveryFileError as exc:
        unknown = _unknown_layout(exc)
        if unknown is None:
            return _render_delivery(request, campaign, upload_error=str(exc))
        token = _keep_pending(request, campaign, filename, data, unknown.headers)
        return redirect("delivery:delivery_map", campaign_id=campaign.pk, pending=UUID(token))
    return _imported(request, campaign, imported, filename)


def _imported(
    request: HttpRequest, campaign: Campaign, imported: services.Imported, uploaded: str
) -> HttpResponse:
    """Back to the Delivery tab with what the import did and its warnings."""
    record = imported.record
    if imported.duplicate:
        messages.info(
            request,
            f"{display_name(uploaded)} was already imported as {record.filename} on "
            f"{timezone.localtime(record.imported_at):%-d %b %Y}; nothing changed.",
        )
        return redirect(_delivery_url(campaign, "imports"))
    summary = f"{record.filename}: {record.rows:,} rows imported, {record.mapped_rows:,} matched"
    if record.unmapped_rows:
        summary += f", {record.unmapped_rows:,} waiting in the unmatched queue below"
    if record.replaced:
        summary += f"; it replaced the same days from {len(record.replaced)} earlier import(s)"
    messages.success(request, summary + ".")
    for warning in record.warnings or []:
        messages.warning(request, f"{record.filename}: {warning}")
    return redirect(_delivery_url(campaign, "unmatched" if record.unmapped_rows else "pacing"))


# --- An export of no known layout: mapping its columns ----------------------------------------
#
# The uploaded file waits in the default storage (under PENDING_DIR, a generated name) until it
# is imported or cancelled, is a day old, or is pushed out by newer ones (a session keeps
# MAX_PENDING). The session holds, under the token that names it in the step's URL, where it
# is, for whom and for which campaign, with its headers and first rows; the browser sends
# nothing but the mapping.

PENDING_KEY = "delivery_pending"
PENDING_DIR = "pending/delivery"
PENDING_TTL = timedelta(days=1)
MAX_PENDING = 5
SAMPLE_ROWS = 3
SAMPLE_CHARS = 40
_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def _unknown_layout(exc: BaseException) -> UnknownLayout | None:
    """The UnknownLayout an import refusal came from, if that is why the file was refused.
    Only explicit causes count: a saved mapping that failed to read the file was raised while
    handling an UnknownLayout, but its refusal is about the file's cells, not its layout."""
    seen: BaseException | None = exc
    for _ in range(10):  # the chain is short; never follow a cycle
        if seen is None:
            break
        if isinstance(seen, UnknownLayout):
            return seen
        seen = seen.__cause__
    return None


class _FirstRows:
    """A reader that reads nothing: it keeps the first rows of the table ``load`` found, so the
    mapping step shows the file as the import will read it."""

    platform = "generic"

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        return 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return ""

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        block = block_of(table)
        if block is not None:
            rows = [cells for _, *cells in block.head(SAMPLE_ROWS).iter_rows()]
        else:
            rows = [list(row.cells) for row in table.rows[:SAMPLE_ROWS]]
        self.rows = [[_sample_text(cell) for cell in cells] for cells in rows]
        return empty_frame()


def _sample_text(cell: object) -> str:
    if cell is None:
        text = ""
    elif isinstance(cell, datetime) and not cell.time():
        text = cell.date().isoformat()
    elif isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    else:
        text = str(cell)
    text = " ".join(text.split())
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


def _first_rows(data: bytes, filename: str) -> list[list[str]]:
    reader = _FirstRows()
    try:
        load(data, filename, reader)
    except (InspectError, UnsafeFile, ValueError):  # no rows to show; the headers still come
        return []
    return reader.rows


def _sweep_pending() -> None:
    """Delete pending files more than a day old (uploads whose mapping step was left)."""
    try:
        _, names = default_storage.listdir(PENDING_DIR)
    except (OSError, NotImplementedError):
        return
    cutoff = timezone.now() - PENDING_TTL
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (OSError, NotImplementedError):
            continue


def _keep_pending(
    request: HttpRequest, campaign: Campaign, filename: str, data: bytes, headers: Sequence[str]
) -> str:
    """Keep the upload for the mapping step; its token (which names it in the step's URL)."""
    _sweep_pending()
    token = uuid4().hex
    suffix = PurePath(display_name(filename)).suffix.lower()
    path = default_storage.save(
        f"{PENDING_DIR}/{token}{suffix if suffix in _SUFFIXES else ''}", ContentFile(data)
    )
    pending = _pending_entries(request)
    for old in sorted(pending, key=lambda key: pending[key].get("at", 0))[: -MAX_PENDING + 1]:
        _drop_pending(request, old)  # a session keeps a few uploads waiting, not many
    pending = _pending_entries(request)
    pending[token] = {
        "path": path,
        "filename": display_name(filename)[:255],
        "campaign": campaign.pk,
        "user": request.user.pk,
        "at": timezone.now().timestamp(),
        "headers": list(headers),
        "sample": _first_rows(data, filename),
    }
    request.session[PENDING_KEY] = pending
    return token


def _pending_entries(request: HttpRequest) -> dict[str, dict[str, Any]]:
    stored = request.session.get(PENDING_KEY)
    if not isinstance(stored, dict):
        return {}
    return {str(key): entry for key, entry in stored.items() if isinstance(entry, dict)}


def _drop_pending(request: HttpRequest, token: str) -> None:
    """Forget a waiting upload and delete its file."""
    pending = _pending_entries(request)
    entry = pending.pop(token, None)
    if entry is None:
        return
    request.session[PENDING_KEY] = pending
    path = str(entry.get("path", ""))
    if path.startswith(PENDING_DIR + "/"):
        with suppress(OSError):  # else the sweep takes it later
            default_storage.delete(path)


def _pending(request: HttpRequest, campaign: Campaign, token: str) -> dict[str, Any] | None:
    """The user's upload waiting for this campaign's mapping step; 404 when there is none (or
    it is someone else's, or another campaign's), None when it was there but is gone (a day
    old, or its file lost)."""
    entry = _pending_entries(request).get(token)
    if (
        entry is None
        or entry.get("user") != request.user.pk
        or entry.get("campaign") != campaign.pk
        or not str(entry.get("path", "")).startswith(PENDING_DIR + "/")
    ):
        raise Http404("No upload waits for its columns to be mapped.")
    uploaded = datetime.fromtimestamp(float(entry.get("at", 0)), tz=UTC)
    if timezone.now() - uploaded > PENDING_TTL or not default_storage.exists(entry["path"]):
        _drop_pending(request, token)
        return None
    return {**entry, "uploaded": uploaded}


def _saved_mappings(request: HttpRequest, campaign: Campaign) -> list[DeliveryMapping]:
    return list(
        DeliveryMapping.objects.visible_to(request.user)
        .filter(client_id=campaign.client_id)
        .select_related("created_by")
        .order_by("name")
    )


def _initial_mapping(
    request: HttpRequest, saved: list[DeliveryMapping], headers: Sequence[str], fields: list[str]
) -> dict[str, str]:
    """A saved mapping chosen to start from (its columns the file has), else a guess."""
    chosen = next((m for m in saved if m.name == request.GET.get("mapping")), None)
    if chosen is None:
        return guess_mapping(headers, fields)
    present = set(headers)
    return {
        str(field): str(header)
        for field, header in (chosen.mapping or {}).items()
        if field in fields and header in present
    }


@login_required
@require_http_methods(["GET", "POST"])
def delivery_map(request: HttpRequest, campaign_id: int, pending: UUID) -> HttpResponse:
    """Step 2 of an upload of no known layout: say which column holds what, then import."""
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.EDIT_CAMPAIGN, campaign.client_id)
    token = pending.hex
    waiting = _pending(request, campaign, token)
    if waiting is None:
        messages.error(
            request,
            "The file waiting for its columns to be mapped is no longer kept (uploads wait a "
            "day); upload it again.",
        )
        return redirect(_delivery_url(campaign, "upload"))
    headers: list[str] = [str(header) for header in waiting.get("headers") or []]
    sample: list[list[str]] = waiting.get("sample") or []
    examples = {
        header: next((row[n] for row in sample if n < len(row) and row[n]), "")
        for n, header in enumerate(headers)
    }
    fields = mapping_fields(services.MAPPABLE)
    saved = _saved_mappings(request, campaign)
    filename = str(waiting["filename"])
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            _drop_pending(request, token)
            messages.info(request, f"{filename} was not imported, and is no longer kept.")
            return redirect(_delivery_url(campaign, "upload"))
        if not _may_change(request, campaign):
            return redirect(_delivery_url(campaign))
        form = DeliveryMappingForm(request.POST, headers=headers, fields=fields, examples=examples)
        if form.is_valid():
            mapping = form.mapping()
            try:
                services.check_mapping(mapping)
            except ValidationError as exc:
                form.refused(exc)
            else:
                try:
                    with default_storage.open(waiting["path"], "rb") as stored:
                        data = stored.read()
                    imported = services.import_delivery(
                        request.user, campaign, filename=filename, data=data, mapping=mapping
                    )
                except OSError:
                    _drop_pending(request, token)
                    messages.error(request, f"{filename} is no longer kept; upload it again.")
                    return redirect(_delivery_url(campaign, "upload"))
                except services.DeliveryFileError as exc:
                    error = str(exc)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                else:
                    _save_mapping(request, campaign, form.cleaned_data["save_as"], mapping)
                    _drop_pending(request, token)
                    return _imported(request, campaign, imported, filename)
    else:
        form = DeliveryMappingForm(
            headers=headers,
            fields=fields,
            examples=examples,
            initial={
                **_initial_mapping(request, saved, headers, fields),
                "save_as": PurePath(filename).stem[:100],
            },
        )
    return render(
        request,
        "delivery/delivery_map.html",
        {
            "campaign": campaign,
            "filename": filename,
            "uploaded": waiting["uploaded"],
            "headers": headers,
            "sample": sample,
            "form": form,
            "error": error,
            "saved": saved,
        },
    )


def _save_mapping(
    request: HttpRequest, campaign: Campaign, name: str, mapping: dict[str, str]
) -> None:
    name = (name or "").strip()
    if not name:
        return
    try:
        saved = services.save_delivery_mapping(request.user, campaign.client, name, mapping)
    except ValidationError as exc:  # the import stands; only the saving failed
        messages.error(request, "The mapping was not saved: " + " ".join(exc.messages))
        return
    messages.info(
        request,
        f"Column mapping saved as “{saved.name}”: {campaign.client.name}'s files with these "
        "columns are now imported without asking.",
    )


@login_required
@require_POST
def assign_unmatched(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    if not _may_change(request, campaign):
        return redirect(_delivery_url(campaign))
    key = request.POST.get("waiting", "")
    line_key = request.POST.get("line_key", "")
    waiting = next((item for item in services.unmatched(campaign) if item.key == key), None)
    if waiting is None:
        messages.error(
            request,
            "Those rows are no longer waiting (assigned or rolled back meanwhile); "
            "the queue below is up to date.",
        )
        return redirect(_delivery_url(campaign, "unmatched"))
    try:
        services.assign(request.user, campaign, waiting, line_key)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_delivery_url(campaign, "unmatched"))
    code = next(
        (p.code for p in services.placements_for_delivery(campaign) if p.line_key == line_key),
        line_key,
    )
    source = " / ".join(n for n in (waiting.source_campaign, waiting.source_ad_group) if n)
    messages.success(
        request,
        f"{source or 'The rows'} ({waiting.rows:,} rows, {format_amount(waiting.spend)} "
        f"{campaign.currency}) now count for {code}. Later exports of the same source land "
        "there by themselves.",
    )
    return redirect(_delivery_url(campaign, "pacing"))


@login_required
@require_POST
def rollback_import(request: HttpRequest, delivery_import_id: int) -> HttpResponse:
    upload = get_object_or_404(
        DeliveryImport.objects.visible_to(request.user).select_related("campaign__client"),
        pk=delivery_import_id,
    )
    campaign = _campaign(request, upload.campaign_id)
    if not _may_change(request, campaign):
        return redirect(_delivery_url(campaign))
    filename = upload.filename
    services.rollback_import(request.user, upload, request.POST.get("reason", "").strip())
    messages.success(
        request,
        f"The import of {filename} is rolled back: its rows no longer count, and what it "
        "had replaced counts again.",
    )
    return redirect(_delivery_url(campaign, "imports"))


# --- Matching rules ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def matching_rules(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    placements = services.placements_for_delivery(campaign)
    form = RuleForm(request.POST or None, placements=placements)
    if request.method == "POST":
        if not _may_change(request, campaign):
            return redirect("delivery:rules", campaign_id=campaign.pk)
        if form.is_valid():
            try:
                rule = services.add_rule(request.user, campaign, **form.service_values())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    name = "line_key" if field == "placement" else field
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    f"Rule saved: {RULE_KIND_LABELS[RuleKind(rule.kind)].lower()} "
                    f"{rule.describe()}. Waiting rows it matches now count for the placement.",
                )
                return redirect("delivery:rules", campaign_id=campaign.pk)
    codes = {p.line_key: p.code for p in placements}
    rules = MatchingRule.objects.filter(campaign=campaign).select_related("created_by")
    return render(
        request,
        "delivery/rules.html",
        {
            "campaign": campaign,
            "form": form,
            "has_plan": bool(placements),
            "rules": [
                {
                    "rule": rule,
                    "kind": RULE_KIND_LABELS[RuleKind(rule.kind)],
                    "placement": codes.get(rule.line_key, ""),
                    "platform": platform_label(rule.platform) if rule.platform else "",
                }
                for rule in rules
            ],
            "can_edit": can(request.user, Action.EDIT_CAMPAIGN, campaign.client_id)
            and not campaign.is_archived,
            "mappings": [_mapping_view(saved) for saved in _saved_mappings(request, campaign)],
        },
    )


def _mapping_view(saved: DeliveryMapping) -> dict[str, Any]:
    mapping = saved.mapping if isinstance(saved.mapping, dict) else {}
    order = mapping_fields(services.MAPPABLE)
    fields = [field for field in order if field in mapping]
    fields += sorted(field for field in mapping if field not in order)
    return {
        "record": saved,
        "pairs": [(mapping_label(str(field)), str(mapping[field])) for field in fields],
    }


@login_required
@require_POST
def delete_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(
        MatchingRule.objects.visible_to(request.user).select_related("campaign"), pk=rule_id
    )
    campaign = _campaign(request, rule.campaign_id)
    if not _may_change(request, campaign):
        return redirect("delivery:rules", campaign_id=campaign.pk)
    described = f"{RULE_KIND_LABELS[RuleKind(rule.kind)].lower()} {rule.describe()}"
    services.delete_rule(request.user, rule)
    messages.success(
        request,
        f"Rule removed ({described}). Rows it placed stay where they are until the next "
        "import of their days.",
    )
    return redirect("delivery:rules", campaign_id=campaign.pk)


@login_required
@require_POST
def delete_mapping(request: HttpRequest, campaign_id: int, mapping_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    saved = get_object_or_404(
        DeliveryMapping.objects.visible_to(request.user).filter(client_id=campaign.client_id),
        pk=mapping_id,
    )
    if not _may_change(request, campaign):
        return redirect("delivery:rules", campaign_id=campaign.pk)
    name = saved.name
    services.delete_delivery_mapping(request.user, saved)
    messages.success(request, f"Column mapping {name} deleted.")
    return redirect(f"{reverse('delivery:rules', args=[campaign.pk])}#mappings")


# --- Performance ---------------------------------------------------------------------------------


PERFORMANCE_COLUMNS = [
    Column("Planned spend", lambda r: r.planned_spend, "#,##0.00"),
    Column("Spend", lambda r: r.spend, "#,##0.00"),
    Column("% of plan", lambda r: r.spend_vs_plan, "0.00"),
    Column("Impressions", lambda r: r.impressions, "#,##0"),
    Column("Clicks", lambda r: r.clicks, "#,##0"),
    Column("CTR %", lambda r: r.ctr, "0.00"),
    Column("CPM", lambda r: r.cpm, "#,##0.00"),
    Column("CPC", lambda r: r.cpc, "#,##0.00"),
    Column("Conversions", lambda r: r.conversions, "#,##0.00"),
    Column("CPA", lambda r: r.cpa, "#,##0.00"),
    Column("Conversion value", lambda r: r.conversion_value, "#,##0.00"),
    Column("ROAS", lambda r: r.roas, "0.00"),
    Column("Video completion rate %", lambda r: r.vcr, "0.00"),
    Column("GRPs", lambda r: r.grps, "#,##0.00"),
    Column("Spots", lambda r: r.spots, "#,##0"),
]
_FIRST_COLUMN = {"placement": "Placement", "channel": "Channel", "week": "Week"}
_GROUPS: dict[str, GroupBy] = {"placement": "placement", "channel": "channel", "week": "week"}


def _cell(value: Decimal | int | None, places: int, suffix: str = "") -> str:
    return "—" if value is None else format_amount(Decimal(value), places) + suffix


def _kpi_cells(row: Performance, money: int) -> list[str]:
    """The KPI table's cells of a row, in the order of ``_kpi_headers``."""
    return [
        _cell(row.planned_spend, money),
        _cell(row.spend, money),
        _cell(row.spend_vs_plan, 0, " %") if row.spend_vs_plan is not None else "—",
        _cell(row.impressions, 0),
        _cell(row.clicks, 0),
        _cell(row.ctr, 2, " %"),
        _cell(row.cpm, 2),
        _cell(row.cpc, 2),
        _cell(row.conversions, 2 if row.conversions % 1 else 0),
        _cell(row.cpa, 2),
        _cell(row.conversion_value, money),
        _cell(row.roas, 2),
        _cell(row.vcr, 1, " %"),
        _cell(row.grps, 2 if row.grps % 1 else 0),
        _cell(row.spots, 0),
    ]


def _kpi_headers(currency: str) -> list[str]:
    return [
        f"Planned spend ({currency})", f"Spend ({currency})", "% of plan", "Impressions",
        "Clicks", "CTR", f"CPM ({currency})", f"CPC ({currency})", "Conversions",
        f"CPA ({currency})", f"Conversion value ({currency})", "ROAS", "Video completion rate",
        "GRPs", "Spots",
    ]  # fmt: skip


def _row_label(by: str, row: Performance) -> Any:
    if row.key == "total":
        return "Total"
    if by == "week":
        return date.fromisoformat(row.key)
    return row.label


def _performance_export(fmt: str, report: CampaignPerformance) -> HttpResponse:
    by = report.by
    columns = [Column(_FIRST_COLUMN[by], lambda r: _row_label(by, r)), *PERFORMANCE_COLUMNS]
    columns.insert(1, Column("Currency", lambda r: report.currency))
    name = f"{report.campaign.code}-performance-{report.date_from}-{report.date_to}-by-{by}"
    return export_response(fmt, name, columns, [*report.rows, report.total])


def _performance_end(campaign: Campaign) -> date:
    """By default performance runs to the last day with delivery (exports lag, and the plan
    for days not yet reported would read as under-delivery), else to the end of the flight."""
    last = services.default_as_of(campaign)
    return last if campaign.start <= last <= campaign.end else campaign.end


@login_required
def campaign_performance(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    filters = PerformanceFilters(request.GET or None)
    chosen: dict[str, Any] = {}
    if filters.is_bound and filters.is_valid():
        chosen = filters.cleaned_data
    first = chosen.get("from") or campaign.start
    last = chosen.get("to") or _performance_end(campaign)
    by = _GROUPS.get(chosen.get("by") or "", "placement")
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        require(request.user, Action.EXPORT, campaign.client_id)
        return _performance_export(export, reports.campaign_performance(campaign, first, last, by))
    found = reports.campaign_performances(campaign, first, last, (by, "channel"))
    report, channels = found[by], found["channel"]
    query = {"from": first.isoformat(), "to": last.isoformat()}
    money = CURRENCY_MINOR_UNITS.get(campaign.currency, 2)
    shown = [row for row in report.rows if by != "week" or row.planned_spend or row.spend]
    return render(
        request,
        "delivery/performance.html",
        {
            "campaign": campaign,
            "filters": filters,
            "report": report,
            "by": by,
            "first": first,
            "last": last,
            "first_heading": _FIRST_COLUMN[by],
            "groupings": [("placement", "Placement"), ("channel", "Channel"), ("week", "Week")],
            "headers": _kpi_headers(campaign.currency),
            "rows": [(row.label, _kpi_cells(row, money)) for row in shown],
            "total": _kpi_cells(report.total, money),
            "channel_chart": _channel_chart(channels.rows, campaign.currency),
            "download_query": urlencode({**query, "by": by}),
            "report_query": urlencode(query),
            "can_export": can(request.user, Action.EXPORT, campaign.client_id),
        },
    )


# --- Pacing overview -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveRow:
    campaign: Campaign
    row: PacingRow


def _of_row(column: Column) -> Column:
    return Column(column.header, lambda live: column.value(live.row), column.number_format)


OVERVIEW_COLUMNS = [
    Column("Campaign code", lambda live: live.campaign.code),
    Column("Campaign", lambda live: live.campaign.name),
    Column("Client", lambda live: live.campaign.client.name),
    *(_of_row(column) for column in PACING_COLUMNS),
]


def _overview_campaigns(request: HttpRequest) -> list[Campaign]:
    campaigns = (
        visible_campaigns(request)
        .filter(archived_at__isnull=True)
        .exclude(status=CampaignStatus.CANCELLED)
        .exclude(client__in=reviewer_client_ids(request.user))
        .order_by("start", "code")
    )
    chosen = current_client(request)
    if chosen is not None:
        campaigns = campaigns.filter(client=chosen)
    return list(campaigns)


def _status_filter(params: QueryDict) -> str:
    value = params.get("status", "")
    return value if value in {"off", *(status.value for status in PacingStatus)} else ""


def _shown(rows: Iterable[LiveRow], status: str) -> list[LiveRow]:
    if not status:
        return list(rows)
    if status == "off":
        return [r for r in rows if r.row.status in (PacingStatus.UNDER, PacingStatus.OVER)]
    return [r for r in rows if r.row.status == status]


@login_required
def pacing_overview(request: HttpRequest) -> HttpResponse:
    campaigns = _overview_campaigns(request)
    found = reports.pacing_overview(campaigns, timezone.localdate())
    rows = [LiveRow(item.campaign, _pacing_row(item.line, item.campaign.currency))
            for item in found]  # fmt: skip
    status = _status_filter(request.GET)
    shown = _shown(rows, status)
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        allowed = {c.client_id for c in campaigns if can(request.user, Action.EXPORT, c.client_id)}
        if not allowed:
            raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
        exported = [r for r in shown if r.campaign.client_id in allowed]
        return export_response(
            export, f"pacing-{timezone.localdate()}", OVERVIEW_COLUMNS,
            exported,
        )  # fmt: skip
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "delivery/pacing_overview.html",
        {
            "rows": shown,
            "total": len(rows),
            "status": status,
            "statuses": [("off", "Under or over"), *((s.value, STATUS_LABELS[s]) for s in
                                                      (PacingStatus.UNDER, PacingStatus.OVER,
                                                       PacingStatus.ON_TRACK))],
            "campaign_count": len(campaigns),
            "off_count": sum(
                1 for r in rows if r.row.status in (PacingStatus.UNDER, PacingStatus.OVER)
            ),
            "can_export": any(can(request.user, Action.EXPORT, c.client_id) for c in campaigns),
            "query": query.urlencode(),
        },
    )  # fmt: skip
