"""Turning a plan file (xlsx, csv, or the open standard's json) into placement values.

Reading the file is ingest's job (hostile-file checks, encodings, locale-aware numbers); this
module maps columns to placement fields and says, per row and column, what cannot be taken.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from mediadesk.domain.openplan import OpenPlanError, from_open_plan
from mediadesk.ingest.mediaplan_workbook import is_mediaplan_workbook, read_mediaplan_workbook
from mediadesk.ingest.safety import UnsafeFile, detect_kind
from mediadesk.ingest.tables import Table, read_table, sheet_names
from mediadesk.ingest.values import ValueProblem, parse_date, parse_decimal
from mediadesk.planning.choices import Channel, CostModel, Flighting
from mediadesk.planning.exchange import LINE_COLUMNS

# Field -> the kind of value it holds.
DECIMAL_FIELDS = {"rate", "quantity", "cost", "commission_percent", "fees", "universe"}
DATE_FIELDS = {"start", "end", "material_deadline"}
INTEGER_FIELDS = {"spot_length"}
CHOICE_FIELDS: dict[str, Any] = {
    "channel": Channel,
    "cost_model": CostModel,
    "flighting": Flighting,
}
# Computed from the others on import; a file's value is checked, not trusted.
DERIVED_FIELDS = {"net_cost"}
REQUIRED_FIELDS = ["channel", "vendor", "start", "end", "cost_model"]
UNNAMED_VENDOR = "Vendor not named"

# What a person may map a column to, with the label the mapping step shows.
MAPPABLE_FIELDS: dict[str, str] = {
    fieldname: header for header, fieldname in LINE_COLUMNS if fieldname not in DERIVED_FIELDS
}

# Headers other tools use for the same thing (lower-case), tried when guessing a mapping.
SYNONYMS: dict[str, list[str]] = {
    "vendor": ["vendor", "publisher", "supplier", "media owner", "partner", "station", "network"],
    "channel": ["channel", "media", "media type", "medium"],
    "property_name": ["property", "site", "title", "programme", "program", "vehicle"],
    "market": ["market", "country", "region", "geo", "location"],
    "format": ["format", "unit", "ad unit", "size", "spot length format"],
    "start": ["start", "start date", "from", "flight start", "begin"],
    "end": ["end", "end date", "to", "flight end", "until"],
    "cost_model": ["cost model", "buy type", "pricing model", "rate type", "unit type"],
    "rate": ["rate", "unit cost", "price", "cpm", "unit rate"],
    "quantity": ["quantity", "units", "impressions", "volume", "qty"],
    "cost": ["gross cost", "cost", "gross", "budget", "total cost", "media cost", "amount"],
    "code": ["code", "placement code", "placement id", "line id"],
    "name": ["name", "placement", "placement name", "line", "description"],
    "currency": ["currency", "ccy"],
    "notes": ["notes", "comments", "remarks"],
    "targeting": ["targeting", "audience", "target audience", "target"],
}


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row is not None else "The file"
        column = f", column {self.column}" if self.column else ""
        value = f" ({self.value!r})" if self.value else ""
        return f"{where}{column}{value}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportedLine:
    row: int
    values: dict[str, Any]
    line_key: str = ""


@dataclass
class ParsedPlan:
    source: str
    lines: list[ImportedLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    headers: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)


def own_layout(headers: Sequence[str]) -> bool:
    """True for mediadesk's own export (its Lines sheet or CSV)."""
    known = {header.lower() for header, _ in LINE_COLUMNS}
    return {"code", "channel", "vendor", "cost model"} <= {h.lower() for h in headers} <= known


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """field -> header, from mediadesk's own header names and common synonyms."""
    by_lower = {header.strip().lower(): header for header in headers if header.strip()}
    mapping: dict[str, str] = {}
    for header, fieldname in LINE_COLUMNS:
        if header.lower() in by_lower:
            mapping[fieldname] = by_lower[header.lower()]
    for fieldname, names in SYNONYMS.items():
        if fieldname in mapping:
            continue
        for name in names:
            if name in by_lower and by_lower[name] not in mapping.values():
                mapping[fieldname] = by_lower[name]
                break
    return mapping


def _choice(fieldname: str, raw: object) -> str:
    choices = CHOICE_FIELDS[fieldname]
    text = str(raw).strip()
    for value, label in choices.choices:
        if text.lower() in {value, str(label).lower()}:
            return str(value)
    compact = text.lower().replace(" ", "_").replace("-", "_").replace("/", "_")
    if compact in choices.values:
        return compact
    raise ValueProblem(f"is not a {fieldname.replace('_', ' ')}; use one of: " + ", ".join(
        str(label) for _, label in choices.choices
    ))  # fmt: skip


def _pairs(raw: object, what: str) -> list[tuple[str, str]]:
    """'a=1; b=2' -> [('a', '1'), ('b', '2')]."""
    pairs = []
    for part in str(raw).split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueProblem(f"write {what} as name=value pairs separated by ';'")
        name, value = part.split("=", 1)
        pairs.append((name.strip(), value.strip()))
    return pairs


# A number written with a decimal comma (1.234,56 or 0,85) or a decimal point (1,234.56 or 0.85).
DECIMAL_COMMA = re.compile(r"\d,\d{1,2}(?!\d)|\d\.\d{3},\d")
DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?!\d)|\d,\d{3}\.\d")


def uses_decimal_comma(texts: Sequence[str]) -> bool:
    """Whether a file writes numbers the German/French/Brazilian way, judged from all its
    number cells together: a lone ``60.000`` is then sixty thousand, as its author meant."""
    comma = any(DECIMAL_COMMA.search(text) for text in texts)
    point = any(DECIMAL_POINT.search(text) for text in texts)
    return comma and not point


def _decimal(raw: object, decimal_comma: bool) -> Decimal | None:
    if decimal_comma and isinstance(raw, str):
        raw = raw.replace(".", "").replace(",", ".")
    return parse_decimal(raw)


def _value(fieldname: str, raw: object, decimal_comma: bool = False) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if fieldname in DECIMAL_FIELDS:
        return _decimal(raw, decimal_comma)
    if fieldname in DATE_FIELDS:
        return parse_date(raw)
    if fieldname in INTEGER_FIELDS:
        number = parse_decimal(raw)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueProblem("give whole seconds")
        return int(number)
    if fieldname in CHOICE_FIELDS:
        return _choice(fieldname, raw)
    if fieldname == "weights":
        weights = {}
        for week, weight in _pairs(raw, "weights"):
            day = parse_date(week)
            amount = parse_decimal(weight)
            if day is None or amount is None:
                raise ValueProblem("each weight needs a Monday and a number")
            weights[day.isoformat()] = str(amount)
        return weights
    if fieldname == "kpi_targets":
        return [
            {"kpi": kpi.lower(), "target": target} for kpi, target in _pairs(raw, "KPI targets")
        ]
    if fieldname == "currency":
        return str(raw).strip().upper()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a code typed as a number in Excel
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def lines_from_table(table: Table, mapping: Mapping[str, str]) -> ParsedPlan:
    """Every row of ``table`` as placement values under ``mapping`` (field -> header)."""
    parsed = ParsedPlan(source=table.source, headers=table.headers, mapping=dict(mapping))
    unknown = [header for header in mapping.values() if header not in table.headers]
    if unknown:
        parsed.problems.append(
            Problem(None, ", ".join(unknown), "", "this column is not in the file")
        )
        return parsed
    missing = [MAPPABLE_FIELDS[f] for f in REQUIRED_FIELDS if f not in mapping]
    if missing:
        parsed.problems.append(
            Problem(None, "", "", "map a column to each of: " + ", ".join(missing) + ".")
        )
        return parsed
    index = {header: position for position, header in enumerate(table.headers)}
    number_texts = [
        cell
        for fieldname, header in mapping.items()
        if fieldname in DECIMAL_FIELDS
        for row in table.rows
        if isinstance(cell := row.cells[index[header]], str)
    ]
    decimal_comma = uses_decimal_comma(number_texts)
    if table.hidden_rows:
        hidden = sorted(n for n in table.hidden_rows if n > table.header_row)
        if hidden:
            parsed.warnings.append(
                f"Rows {', '.join(map(str, hidden[:10]))}{'…' if len(hidden) > 10 else ''} are "
                "hidden in the workbook; they are imported like the others."
            )
    for row in table.rows:
        values: dict[str, Any] = {}
        line_key = ""
        for fieldname, header in mapping.items():
            raw = row.cells[index[header]]
            try:
                value = _value(fieldname, raw, decimal_comma)
            except ValueProblem as exc:
                parsed.problems.append(Problem(row.number, header, _shown(raw), str(exc)))
                continue
            if fieldname == "line_key":
                line_key = value or ""
            elif fieldname in DERIVED_FIELDS:
                continue
            elif value is not None:
                values[fieldname] = value
        for fieldname in REQUIRED_FIELDS:
            if fieldname not in values and not any(
                p.row == row.number and p.column == mapping[fieldname] for p in parsed.problems
            ):
                parsed.problems.append(
                    Problem(row.number, mapping[fieldname], "", "this cell is empty")
                )
        parsed.lines.append(ImportedLine(row=row.number, values=values, line_key=line_key))
    if not table.rows:
        parsed.problems.append(Problem(None, "", "", "the file has no plan lines below its header"))
    return parsed


def _shown(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)[:100]


def parse_plan_file(
    data: bytes, filename: str, mapping: Mapping[str, str] | None = None
) -> ParsedPlan:
    """Read a plan file; UnsafeFile and unreadable files come back as one file-level problem."""
    try:
        kind = detect_kind(data, filename)
        if kind == "json":
            return _open_plan(data, filename)
        sheets = sheet_names(data, filename) if kind == "xlsx" else []
        if is_mediaplan_workbook(sheets):
            document = read_mediaplan_workbook(data, filename)
            if not document["lineitems"]:
                message = f"{filename} has no line items to import (its Line Items sheet is empty)."
                return ParsedPlan(source=filename, problems=[Problem(None, "", "", message)])
            return _from_document(document, filename)
        table = read_table(data, filename, sheet="Lines" if "Lines" in sheets else None)
    except UnsafeFile as exc:
        return ParsedPlan(source=filename, problems=[Problem(None, "", "", str(exc))])
    except ValueError as exc:
        return ParsedPlan(source=filename, problems=[Problem(None, "", "", str(exc))])
    chosen = dict(mapping) if mapping else guess_mapping(table.headers)
    if not mapping and not own_layout(table.headers):
        parsed = lines_from_table(table, chosen)
        parsed.warnings.insert(
            0,
            f"{table.source} is not a mediadesk export; columns were matched by their names. "
            "Check the mapping before importing.",
        )
        return parsed
    return lines_from_table(table, chosen)


def _open_plan(data: bytes, filename: str) -> ParsedPlan:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedPlan(
            source=filename,
            problems=[Problem(None, "", "", f"{filename} is not valid JSON: {exc}")],
        )
    return _from_document(document, filename)


def _from_document(document: Any, filename: str) -> ParsedPlan:
    """A Media Plan Open Data Standard v3.0 document (from JSON or an mediaplanpy workbook)."""
    from mediadesk.planning.openplan_io import placement_values_from_open_plan

    try:
        plan = from_open_plan(document)
    except OpenPlanError as exc:
        return ParsedPlan(source=filename, problems=[Problem(None, "", "", str(exc))])
    values, problems = placement_values_from_open_plan(plan)
    parsed = ParsedPlan(source=filename, warnings=list(problems))
    for number, line in enumerate(values, start=1):
        if not str(line.get("vendor") or "").strip():
            # The standard's partner is optional; a plan line here always has a vendor.
            line["vendor"] = UNNAMED_VENDOR
            parsed.warnings.append(
                f"line {number} ({line.get('code') or line.get('name')}) names no partner; "
                f"its vendor reads “{UNNAMED_VENDOR}” until you set it."
            )
    parsed.lines = [ImportedLine(row=n, values=v) for n, v in enumerate(values, start=1)]
    return parsed


def total(lines: Sequence[ImportedLine]) -> Decimal:
    return sum((Decimal(line.values.get("cost") or 0) for line in lines), Decimal("0"))
