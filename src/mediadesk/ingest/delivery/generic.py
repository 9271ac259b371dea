"""Any table with a known column mapping -> the normalized delivery table.

``read_columns`` is the one place where cells become normalized values; the platform readers
only decide which column feeds which field. ``GenericReader`` is the fallback for files of no
known platform: a saved mapping (field -> header text, e.g. {"spend": "Kosten (EUR)"}) or, without
one, common header names in English, German, French, Spanish and Portuguese.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import polars as pl

from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.ingest.delivery.detect import fold, register
from mediadesk.ingest.delivery.schema import AMOUNTS, COUNTS, FIELDS, SCALE, build_frame
from mediadesk.ingest.delivery.summary import is_summary_row
from mediadesk.ingest.tables import Table
from mediadesk.ingest.values import ValueProblem, is_empty, parse_date, parse_decimal

MAX_WARNINGS = 20

# Header names per field, most specific first. Compared folded, without a "(EUR)" suffix.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("day", "date", "tag", "datum", "jour", "fecha", "día", "dia", "data",
             "reporting starts", "start date", "gregorian date", "time period"),
    "account": ("account", "account name", "customer name", "advertiser", "konto",
                "kontoname", "compte", "cuenta", "conta"),
    "campaign": ("campaign", "campaign name", "kampagne", "campagne", "campaña", "campanha"),
    "ad_group": ("ad group", "ad group name", "ad set name", "line item", "ad name",
                 "anzeigengruppe", "groupe d'annonces", "grupo de anuncios"),
    "placement_key": ("placement key", "placement id", "placement"),
    "currency": ("currency code", "currency", "währungscode", "währung", "code de devise",
                 "devise", "código de moneda", "moneda", "código da moeda", "moeda"),
    "impressions": ("impressions", "impr.", "impressionen", "impresiones", "impressões"),
    "clicks": ("clicks", "clicks (all)", "link clicks", "klicks", "clics", "cliques"),
    "spend": ("spend", "cost", "amount spent", "total spent", "spent", "kosten", "coût", "coste",
              "costo", "custo", "montant dépensé", "importe gastado", "valor usado"),
    "conversions": ("conversions", "conv.", "konversionen", "conversiones", "conversões"),
    "conversion_value": ("conversion value", "conv. value", "total conversion value",
                         "konv.-wert", "valeur de conv.", "valor de conv."),
    "video_views": ("video views", "views", "trueview views", "videoaufrufe"),
    "video_completions": ("video completions", "video played to 100%",
                          "video views to 100%", "complete views"),
    "reach": ("reach", "reichweite", "portée", "alcance"),
    "frequency": ("frequency", "häufigkeit", "frequenz", "fréquence", "frecuencia",
                  "frequência"),
    "engagements": ("engagements", "total engagements", "post engagements"),
}  # fmt: skip
_CURRENCY_SUFFIX = re.compile(r"\s*\((?P<code>[A-Za-z]{3}|[€£₹¥$]|rs\.?)\)\s*$", re.IGNORECASE)
_SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR", "RS": "INR", "RS.": "INR", "¥": "JPY"}
_DOTTED_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
# Plain and US-grouped numbers ("1234.5", "-3", "1,594,393.25"): read directly, as parse_decimal
# would read them, because most cells of a large export look like this.
_ISO_DATE = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_METRICS = ("impressions", "clicks", "spend", "conversions")


def _suffix_currency(header: str) -> tuple[str, str | None]:
    """(header without a trailing currency such as " (EUR)" or " (₹)", that currency)."""
    match = _CURRENCY_SUFFIX.search(header)
    if match is None:
        return header, None
    code = match["code"].upper()
    if code == "$":
        return header[: match.start()], None  # a dollar, but which one: the column says
    code = _SYMBOLS.get(code, code)
    if code not in CURRENCY_MINOR_UNITS:  # "Click-Thru Rate (CTR)"
        return header, None
    return header[: match.start()], code


def header_key(header: str) -> str:
    """A header folded for lookup, without a trailing currency such as " (EUR)" or " (₹)"."""
    return fold(_suffix_currency(header)[0])


def header_currency(headers: Sequence[str]) -> str | None:
    """The currency named in a header such as "Amount spent (EUR)" or "Sales (₹)", if any."""
    for header in headers:
        if code := _suffix_currency(header)[1]:
            return code
    return None


def resolve(
    headers: Sequence[str], synonyms: Mapping[str, Sequence[str]] = SYNONYMS
) -> dict[str, int]:
    """field -> column index, by the first synonym (in order) that is a header of the file."""
    keys = [header_key(header) for header in headers]
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for field, names in synonyms.items():
        for name in names:
            wanted = header_key(name)
            found = [i for i, key in enumerate(keys) if key == wanted and i not in taken]
            if found:
                columns[field] = found[0]
                taken.add(found[0])
                break
    return columns


def read_columns(
    table: Table,
    columns: Mapping[str, int],
    *,
    platform: str,
    warnings: list[str] | None = None,
    currency: str | None = None,
    empty_first_cell_total: bool = False,
    day_first: bool | None = None,
) -> pl.DataFrame:
    """The table's data rows (summary rows left out) in the normalized schema.

    Cells that cannot be read become null and add a warning naming the row and column.
    ``currency`` fills the currency of rows without a currency column or value.
    """
    problems: list[str] = []
    headers = table.headers
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ValueError(f"Unknown normalized fields: {', '.join(unknown)}.")
    fields = list(columns.items())
    used = set(columns.values())
    extra = [(i, headers[i]) for i in range(len(headers)) if i not in used]
    values: dict[str, list[Any]] = {field: [] for field in columns}
    extras: list[str] = []
    for row in table.rows:
        cells = row.cells
        if is_summary_row(cells, empty_first_cell=empty_first_cell_total):
            continue
        for field, index in fields:
            cell = cells[index]
            try:
                value = _convert(field, cell, day_first)
            except ValueProblem as exc:
                problems.append(f"row {row.number}, {headers[index]}: {exc}")
                value = None
            values[field].append(value)
        extras.append(
            json.dumps(
                {name: _text(cells[i]) for i, name in extra if not is_empty(cells[i])},
                ensure_ascii=False,
            )
        )
    height = len(extras)
    if currency is not None:
        given = values.get("currency")
        values["currency"] = [code or currency for code in given] if given else [currency] * height
    frame = build_frame({**values, "platform": [platform] * height, "extras": extras}, height)
    if warnings is not None:
        warnings.extend(problems[:MAX_WARNINGS])
        if len(problems) > MAX_WARNINGS:
            warnings.append(f"… and {len(problems) - MAX_WARNINGS:,} more cells not read.")
    return frame


def _number(cell: object) -> Decimal | None:
    if isinstance(cell, str):
        if _PLAIN.fullmatch(cell):
            return Decimal(cell)
        if _GROUPED.fullmatch(cell):
            return Decimal(cell.replace(",", ""))
    return parse_decimal(cell)


def _convert(field: str, cell: object, day_first: bool | None) -> object:
    if field in AMOUNTS:
        amount = _number(cell)
        return None if amount is None else amount.quantize(SCALE, rounding=ROUND_HALF_EVEN)
    if field in COUNTS:
        if isinstance(cell, str) and _DOTTED_THOUSANDS.fullmatch(cell.strip()):
            cell = cell.replace(".", "")  # "1.234" in a count column is German for 1234
        number = _number(cell)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueProblem(f"{cell!r} is not a whole number.")
        return int(number)
    if field == "date":
        if isinstance(cell, str) and _ISO_DATE.fullmatch(cell):
            try:
                return date.fromisoformat(cell)
            except ValueError:  # 2025-02-29: parse_date says why
                pass
        return parse_date(cell, day_first=day_first)
    if is_empty(cell):
        return None
    text = _text(cell).strip()
    return text.upper() if field == "currency" else text


def _text(cell: object) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat().removesuffix("T00:00:00")
    return "" if cell is None else str(cell)


class GenericReader:
    """A file of no known platform, read by a saved mapping or by common header names."""

    platform = "generic"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping) if mapping else None

    def columns(self, headers: Sequence[str]) -> dict[str, int]:
        if self.mapping is None:
            return resolve(headers)
        keys = [fold(header) for header in headers]
        columns: dict[str, int] = {}
        missing = []
        for field, header in self.mapping.items():
            if fold(header) in keys:
                columns[field] = keys.index(fold(header))
            else:
                missing.append(header)
        if missing:
            raise ValueError(
                f"The saved mapping names columns this file lacks: {', '.join(missing)} "
                f"(its columns: {', '.join(headers)})."
            )
        return columns

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        try:
            columns = self.columns(headers)
        except ValueError:
            return 0.0
        found = sum(field in columns for field in _METRICS)
        if self.mapping is not None:
            return 1.0
        return 0.3 + 0.05 * found if found >= 2 else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return "mapped" if self.mapping is not None else "table"

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            self.columns(table.headers),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
        )


def read_mapped(
    table: Table, mapping: Mapping[str, str], warnings: list[str] | None = None
) -> pl.DataFrame:
    """The table read with a saved column mapping (field -> header text)."""
    return GenericReader(mapping).read(table, warnings)


register(GenericReader())
