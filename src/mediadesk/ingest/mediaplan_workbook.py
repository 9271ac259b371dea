"""Workbooks written by the open standard's own tools (mediaplanpy): sheets to a v3.0 document.

Such a workbook has a "Metadata" and a "Campaign" sheet of ``Label:`` / value rows and a
"Line Items" sheet with one line item per row. Reading them into the standard's JSON shape lets
one mapping (``mediadesk.domain.openplan``) serve both the JSON and the Excel form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from python_calamine import CalamineWorkbook

from mediadesk.ingest.safety import check_xlsx

SHEETS = ("Metadata", "Campaign", "Line Items")

# Columns the tool derives from others on export (rates and ratios); the standard keeps the
# underlying metrics and formulas, so these are not read back.
_DERIVED = re.compile(r"^(cost per |.* conversion rate$|cost custom \d+ %$)", re.IGNORECASE)
_METRICS = {
    "impressions", "clicks", "engagements", "view starts", "view completions", "reach",
    "views", "conversions", "leads", "sales", "visits", "units", "likes", "shares", "comments",
    "follows", "installs", "calls", "audience size", "followers", "reach_percent",
}  # fmt: skip
_CUSTOM_METRIC = re.compile(r"^metric custom (\d+)$", re.IGNORECASE)
# Where the tool's column name and the standard's field name differ.
_ALIASES = {"ad_format": "adformat"}
_NUMBERED = re.compile(r"^(dim|cost) custom (\d+)$", re.IGNORECASE)


def is_mediaplan_workbook(sheet_names: list[str]) -> bool:
    return all(name in sheet_names for name in SHEETS)


def _key(label: str) -> str:
    """'Schema Version:' -> 'schema_version'; 'Dim Custom 1' -> 'dim_custom1'."""
    text = label.strip().rstrip(":").strip()
    numbered = _NUMBERED.match(text)
    if numbered:
        return f"{numbered.group(1).lower()}_custom{numbered.group(2)}"
    custom_metric = _CUSTOM_METRIC.match(text)
    if custom_metric:
        return f"metric_custom{custom_metric.group(1)}"
    text = re.sub(r"\s*\(json\)$", "", text, flags=re.IGNORECASE)
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if text.lower() in _METRICS:
        return f"metric_{key}"
    return _ALIASES.get(key, key)


def _value(cell: object) -> object:
    if isinstance(cell, datetime):
        return cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float):
        number = Decimal(repr(cell))
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(cell, str):
        return cell.strip()
    return cell


def _json_or_text(key: str, value: object) -> object:
    if key in {"metric_formulas", "custom_properties"} and isinstance(value, str) and value:
        try:
            parsed: object = json.loads(value)
        except json.JSONDecodeError:
            return value
        return parsed
    return value


def _label_sheet(rows: Sequence[Sequence[object]], prefix: str) -> dict[str, object]:
    """Label/value rows; the section's own prefix goes ('Campaign ID:' -> 'id')."""
    section: dict[str, object] = {}
    for row in rows[1:]:
        if len(row) < 2 or not isinstance(row[0], str) or not row[0].strip().endswith(":"):
            continue
        key = _key(row[0]).removeprefix(prefix)
        value = _json_or_text(key, _value(row[1]))
        if value not in ("", None):
            section[key] = value
    return section


def read_mediaplan_workbook(data: bytes, filename: str) -> dict[str, object]:
    """The workbook as a v3.0 document (meta, campaign, lineitems), ready for from_open_plan."""
    import io

    check_xlsx(data, filename)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    meta = _label_sheet(book.get_sheet_by_name("Metadata").to_python(), "media_plan_")
    campaign = _label_sheet(book.get_sheet_by_name("Campaign").to_python(), "campaign_")
    rows = book.get_sheet_by_name("Line Items").to_python()
    lineitems: list[dict[str, object]] = []
    if rows:
        headers = [str(cell).strip() for cell in rows[0]]
        for row in rows[1:]:
            item: dict[str, object] = {}
            for header, cell in zip(headers, row, strict=False):
                if not header or _DERIVED.match(header):
                    continue
                key = _key(header)
                value = _json_or_text(key, _value(cell))
                if value not in ("", None):
                    item[key] = value
            if item:
                lineitems.append(item)
    return {"meta": meta, "campaign": campaign, "lineitems": lineitems}
