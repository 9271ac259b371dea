"""The plan grid: a draft's placements edited like a spreadsheet (static/mediadesk/grid.js).

The page shows every line as a row of inputs; the browser sends the rows a person changed to
``grid_rows`` as raw cell texts (what was typed or pasted from a spreadsheet), and each row is
read with the plan import's own value rules (``imports._value``: locale-aware numbers, many date
forms, channel and cost-model names) and then saved through the services, one row at a time.
Every row answers for itself: its saved values (so derived cost, quantity, net cost and code
appear) or its errors by field, which the grid puts on the cells while keeping what was typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from mediadesk.accounts.permissions import Action, can
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount
from mediadesk.errors import Conflict
from mediadesk.ingest.values import ValueProblem, parse_date
from mediadesk.planning import services
from mediadesk.planning.choices import Channel, CostModel
from mediadesk.planning.imports import (
    DATE_FIELDS,
    DECIMAL_COMMA,
    DECIMAL_FIELDS,
    DECIMAL_POINT,
    _value,
    uses_decimal_comma,
)
from mediadesk.planning.models import Placement, PlanVersion, placement_warnings
from mediadesk.planning.plans import quantity_places

CHOICES: dict[str, Any] = {"channel": Channel.choices, "cost_model": CostModel.choices}


@dataclass(frozen=True)
class GridColumn:
    name: str
    label: str
    kind: str  # text | choice | date | number
    width: str  # a CSS class that sets the column's width
    readonly: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind == "number"

    @property
    def money(self) -> bool:
        return self.name in ("cost", "net_cost")

    @property
    def options(self) -> list[tuple[str, str]]:
        return list(CHOICES.get(self.name, []))


# In the order of the plan's CSV/"Lines" sheet, so lines copied from an export paste straight in.
COLUMNS: list[GridColumn] = [
    GridColumn("code", "Code", "text", "w-code"),
    GridColumn("name", "Name", "text", "w-name"),
    GridColumn("channel", "Channel", "choice", "w-channel"),
    GridColumn("vendor", "Vendor", "text", "w-vendor"),
    GridColumn("property_name", "Property", "text", "w-property"),
    GridColumn("market", "Market", "text", "w-market"),
    GridColumn("format", "Format", "text", "w-format"),
    GridColumn("start", "Start", "date", "w-date"),
    GridColumn("end", "End", "date", "w-date"),
    GridColumn("cost_model", "Cost model", "choice", "w-model"),
    GridColumn("rate", "Rate", "number", "w-rate"),
    GridColumn("quantity", "Quantity", "number", "w-qty"),
    GridColumn("cost", "Gross cost", "number", "w-money"),
    GridColumn("commission_percent", "Commission %", "number", "w-pct"),
    GridColumn("net_cost", "Net cost", "number", "w-money", readonly=True),
    GridColumn("universe", "Universe", "number", "w-qty"),
    GridColumn("notes", "Notes", "text", "w-notes"),
]
BY_NAME = {column.name: column for column in COLUMNS}
EDITABLE = {column.name for column in COLUMNS if not column.readonly}
TEXT_FIELDS = {column.name for column in COLUMNS if column.kind == "text"}
# What a line cannot do without, said the way the grid says it.
REQUIRED = {
    "channel": "Choose a channel.",
    "vendor": "Give the vendor.",
    "start": "Give the first day of the flight.",
    "end": "Give the last day of the flight.",
    "cost_model": "Choose a cost model.",
}
BLANK_ROWS = 3  # empty lines under the plan, ready for new placements
MAX_ROWS = 500  # per request; the grid sends far fewer at a time
ROW_ERROR = "__all__"  # a row's errors that belong to no column of the grid


# --- showing values ---------------------------------------------------------------------------


def _number(value: Decimal | None, least: int, most: int) -> str:
    """1234.5 -> '1,234.50' with ``least`` to ``most`` decimals (trailing zeros beyond dropped)."""
    if value is None:
        return ""
    places = least
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < 0:
        places = min(max(least, -exponent), most)
    return format_amount(value, places)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def shown_values(placement: Placement) -> dict[str, str]:
    """Each column's text for the grid, as it reads on screen (and is read back if edited)."""
    places = CURRENCY_MINOR_UNITS.get(placement.currency, 2)
    quantity = quantity_places(placement.cost_model)
    return {
        "code": placement.code,
        "name": placement.name,
        "channel": placement.channel,
        "vendor": placement.vendor,
        "property_name": placement.property_name,
        "market": placement.market,
        "format": placement.format,
        "start": _day(placement.start),
        "end": _day(placement.end),
        "cost_model": placement.cost_model,
        "rate": _number(placement.rate, 2, 4),
        "quantity": _number(placement.quantity, quantity, 2),
        "cost": _number(placement.cost, places, places),
        "commission_percent": _number(placement.commission_percent, 0, 2),
        "net_cost": _number(placement.net_cost, places, places),
        "universe": _number(placement.universe, 0, 0),
        "notes": placement.notes,
    }


def _totals(version: PlanVersion) -> dict[str, Any]:
    sums = version.placements.aggregate(cost=Sum("cost"), net=Sum("net_cost"), lines=Count("id"))
    places = CURRENCY_MINOR_UNITS.get(version.currency, 2)
    return {
        "cost": format_amount(sums["cost"] or Decimal(0), places),
        "net_cost": format_amount(sums["net"] or Decimal(0), places),
        "lines": sums["lines"],
    }


# --- the page ---------------------------------------------------------------------------------


def _version(request: HttpRequest, plan_id: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.visible_to(request.user).select_related("campaign__client"),
        pk=plan_id,
    )


def _read_only_reason(request: HttpRequest, version: PlanVersion) -> str:
    if not can(request.user, Action.EDIT_CAMPAIGN, version.campaign.client_id):
        return "Your role on this client lets you read the plan but not change it."
    if not version.is_editable:
        return (
            f"Version {version.number} is {version.get_status_display().lower()} and frozen; "
            "make a new draft from it on the plan page to change the plan."
        )
    return ""


@login_required
@require_safe
def plan_grid(request: HttpRequest, plan_id: int) -> HttpResponse:
    version = _version(request, plan_id)
    campaign = version.campaign
    placements = list(version.placements.all())
    reason = _read_only_reason(request, version)
    choice_labels = {name: dict(choices) for name, choices in CHOICES.items()}
    rows = []
    for placement in placements:
        values = shown_values(placement)
        cells = []
        for column in COLUMNS:
            value = values[column.name]
            label = choice_labels.get(column.name, {}).get(value, value) if reason else value
            cells.append((column, value, label))
        rows.append({"id": placement.pk, "cells": cells})
    return render(
        request,
        "planning/plan_grid.html",
        {
            "campaign": campaign,
            "version": version,
            "columns": COLUMNS,
            "blank_cells": [(column, "", "") for column in COLUMNS],
            "rows": rows,
            "blank_rows": range(BLANK_ROWS if not reason else 0),
            "read_only_reason": reason,
            "can_edit": not reason,
            "totals": _totals(version),
            "bulk_columns": [c for c in COLUMNS if c.name in EDITABLE and c.name != "code"],
        },
    )


# --- saving rows ------------------------------------------------------------------------------


def _number_texts(values: dict[str, Any]) -> list[str]:
    return [v for k, v in values.items() if k in DECIMAL_FIELDS and isinstance(v, str)]


def _number_style(texts: Sequence[str]) -> bool | None:
    """True (decimal comma) or False (decimal point) when the texts say so, else None."""
    comma = any(DECIMAL_COMMA.search(text) for text in texts)
    point = any(DECIMAL_POINT.search(text) for text in texts)
    if comma or point:
        return comma and not point
    return None


def _decimal_commas(rows: Sequence[dict[str, Any]]) -> list[dict[str, bool]]:
    """For each row, whether each of its number cells is written with a decimal comma.

    The grid says so for cells that came from a paste (``"decimal_comma": {"rate": true}``),
    judged over the whole paste as an import judges a whole file; ``"decimal_comma": true``
    says it for the whole row. Other cells follow the row's other numbers, and a row that shows
    no sign either way (``60.000`` alone) follows all the rows sent with it.
    """
    together = uses_decimal_comma([text for row in rows for text in _number_texts(row["values"])])
    styles = []
    for row in rows:
        values: dict[str, Any] = row["values"]
        hint = row.get("decimal_comma")
        if isinstance(hint, bool):
            styles.append(dict.fromkeys(DECIMAL_FIELDS, hint))
            continue
        known = {
            name: flag
            for name, flag in (hint.items() if isinstance(hint, dict) else [])
            if name in DECIMAL_FIELDS and isinstance(flag, bool)
        }
        own = _number_style(_number_texts({k: v for k, v in values.items() if k not in known}))
        fallback = together if own is None else own
        styles.append({name: known.get(name, fallback) for name in DECIMAL_FIELDS})
    return styles


def _sentence(raw: str, message: str) -> str:
    """A value problem as a sentence that names the value ("“tv” is not a channel; …")."""
    if message[:1].islower():
        return f"“{raw.strip()}” {message}" + ("" if message.endswith(".") else ".")
    return message


def read_cells(
    raw: dict[str, Any], decimal_comma: dict[str, bool]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values for the services from the cells' texts, and what could not be read;
    ``decimal_comma`` says per number field whether its text uses a decimal comma."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, cell in raw.items():
        if name not in EDITABLE:
            errors[ROW_ERROR] = f"The grid cannot set “{name}”."
            continue
        if cell is not None and (isinstance(cell, bool) or not isinstance(cell, str | int | float)):
            errors[name] = "Give this cell as text."
            continue
        text = "" if cell is None else str(cell)
        value: Any
        try:
            if name in DATE_FIELDS:
                # The app speaks en-GB: 05/04/2027 is 5 April (unless the order is unambiguous).
                value = parse_date(text, day_first=True) if text.strip() else None
            else:
                value = _value(name, text, decimal_comma.get(name, False))
        except ValueProblem as exc:
            errors[name] = _sentence(text, str(exc))
            continue
        if value is None and name in TEXT_FIELDS:
            value = ""
        values[name] = value
    return values, errors


def _missing(values: dict[str, Any], *, new: bool) -> dict[str, str]:
    errors = {}
    for name, message in REQUIRED.items():
        if (new and name not in values) or (name in values and values[name] in (None, "")):
            errors[name] = message
    if not new and "code" in values and not values["code"]:
        errors["code"] = "Give the line a code (only new lines get one from the naming rules)."
    return errors


def _messages(exc: ValidationError) -> dict[str, str]:
    if not hasattr(exc, "error_dict"):
        return {ROW_ERROR: " ".join(exc.messages)}
    errors: dict[str, str] = {}
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        if name in BY_NAME and name in EDITABLE:
            errors[name] = text
        else:
            label = BY_NAME[name].label if name in BY_NAME else name.replace("_", " ").capitalize()
            prefix = "" if name == "__all__" else f"{label}: "
            errors[ROW_ERROR] = " ".join(filter(None, [errors.get(ROW_ERROR), prefix + text]))
    return errors


def _saved(placement: Placement, version: PlanVersion, key: str) -> dict[str, Any]:
    placement.refresh_from_db()
    placement.version = version
    return {
        "client_key": key,
        "id": placement.pk,
        "ok": True,
        "values": shown_values(placement),
        "warnings": placement_warnings(placement),
    }


def _apply_row(
    request: HttpRequest,
    version: PlanVersion,
    row: dict[str, Any],
    decimal_comma: dict[str, bool],
    lines: dict[int, Placement],
) -> dict[str, Any]:
    key = str(row.get("client_key") or "")[:40]
    pk = row.get("id")
    answer: dict[str, Any] = {"client_key": key, "id": pk, "ok": False}
    placement = None
    if pk is not None:
        placement = lines.get(pk) if isinstance(pk, int) and not isinstance(pk, bool) else None
        if placement is None:
            answer["errors"] = {
                ROW_ERROR: "This line is no longer in this draft; reload the grid to see the "
                "plan as it is now."
            }
            return answer
    values, errors = read_cells(row["values"], decimal_comma)
    errors = {**_missing(values, new=placement is None), **errors}
    if errors:
        answer["errors"] = errors
        return answer
    try:
        if placement is None:
            placement = services.add_placement(request.user, version, values)
        else:
            placement = services.update_placement(request.user, placement, values)
    except ValidationError as exc:
        answer["errors"] = _messages(exc)
        return answer
    return _saved(placement, version, key)


def _refusal(request: HttpRequest, version: PlanVersion) -> JsonResponse | None:
    """403 for a role that may not change plans, 409 for a frozen version."""
    if not can(request.user, Action.EDIT_CAMPAIGN, version.campaign.client_id):
        return JsonResponse(
            {"detail": "Your role on this client does not allow changing plans."}, status=403
        )
    if not version.is_editable:
        return JsonResponse({"detail": _read_only_reason(request, version)}, status=409)
    return None


def _body(request: HttpRequest, key: str) -> list[Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    items = body.get(key) if isinstance(body, dict) else None
    return items if isinstance(items, list) and len(items) <= MAX_ROWS else None


def _rows_of(items: Iterable[Any]) -> list[dict[str, Any]] | None:
    rows = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
            return None
        rows.append(item)
    return rows


@login_required
@require_POST
def grid_rows(request: HttpRequest, plan_id: int) -> JsonResponse:
    """Save the grid's changed rows: ``{"rows": [{"id", "client_key", "values", …}]}``.

    Each row is its own unit (saved, or refused with its errors by field); the answer lists
    every row's outcome in the order sent, with the plan's new totals.
    """
    version = _version(request, plan_id)
    refused = _refusal(request, version)
    if refused is not None:
        return refused
    items = _body(request, "rows")
    rows = _rows_of(items) if items is not None else None
    if rows is None:
        return JsonResponse(
            {"detail": f'Send {{"rows": [...]}} with at most {MAX_ROWS} rows, each with values.'},
            status=400,
        )
    ids = [row["id"] for row in rows if isinstance(row.get("id"), int)]
    lines = {p.pk: p for p in version.placements.filter(pk__in=ids)}
    results = []
    for row, decimal_comma in zip(rows, _decimal_commas(rows), strict=True):
        try:
            results.append(_apply_row(request, version, row, decimal_comma, lines))
        except Conflict as exc:  # the version was submitted while these rows were on their way
            return JsonResponse(
                {"detail": str(exc), "results": results, "totals": _totals(version)}, status=409
            )
    return JsonResponse(
        {
            "results": results,
            "saved": sum(1 for r in results if r["ok"]),
            "failed": sum(1 for r in results if not r["ok"]),
            "totals": _totals(version),
        }
    )


@login_required
@require_POST
def grid_delete(request: HttpRequest, plan_id: int) -> JsonResponse:
    """Remove lines from the draft: ``{"ids": [12, 13]}``."""
    version = _version(request, plan_id)
    refused = _refusal(request, version)
    if refused is not None:
        return refused
    ids = _body(request, "ids")
    if ids is None or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return JsonResponse({"detail": 'Send {"ids": [...]} with the lines to remove.'}, status=400)
    deleted: list[int] = []
    try:
        for placement in version.placements.filter(pk__in=ids):
            pk = placement.pk
            services.delete_placement(request.user, placement, reason="Removed in the plan grid")
            deleted.append(pk)
    except Conflict as exc:
        return JsonResponse({"detail": str(exc), "deleted": deleted}, status=409)
    return JsonResponse({"deleted": deleted, "totals": _totals(version)})
