"""Any table with a known column mapping -> the normalized delivery table.

``read_columns`` is the one place where cells become normalized values; the platform readers
only decide which column feeds which field. ``GenericReader`` is the fallback for files of no
known platform: a saved mapping (field -> header text, e.g. {"spend": "Kosten (EUR)"}) or, without
one, common header names in English, German, French, Spanish and Portuguese.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import polars as pl

from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.ingest import tables
from mediadesk.ingest.delivery.detect import fold, register
from mediadesk.ingest.delivery.schema import (
    AMOUNTS,
    COUNTS,
    FIELDS,
    MONEY,
    SCALE,
    SCHEMA,
    build_frame,
)
from mediadesk.ingest.delivery.summary import is_summary_row
from mediadesk.ingest.safety import column_letters, display_name
from mediadesk.ingest.tables import Row, Table
from mediadesk.ingest.values import (
    EMPTY_MARKERS,
    ValueProblem,
    is_empty,
    parse_date,
    parse_decimal,
)

MAX_WARNINGS = 20

# Header names per field, most specific first. Compared folded, without a "(EUR)" suffix.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("day", "date", "tag", "datum", "jour", "fecha", "día", "dia", "data",
             "reporting starts", "start date", "gregorian date", "time period", "air date",
             "ausstrahlungsdatum", "sendedatum", "date de diffusion", "fecha de emisión",
             "data de exibição"),
    "account": ("account", "account name", "customer name", "advertiser", "konto",
                "kontoname", "compte", "cuenta", "conta"),
    "campaign": ("campaign", "campaign name", "kampagne", "campagne", "campaña", "campanha",
                 "station", "sender", "chaîne", "cadena", "emissora", "network"),
    "ad_group": ("ad group", "ad group name", "ad set name", "line item", "ad name",
                 "anzeigengruppe", "groupe d'annonces", "grupo de anuncios", "programme",
                 "program", "sendung", "émission", "programa"),
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
    "grps": ("grps", "grp", "trps", "trp", "rating (grp)", "rating", "tvr", "rtg"),
    "spots": ("spots", "spot count", "anzahl spots", "nombre de spots", "número de spots"),
}  # fmt: skip
# Header names (folded) that only a German, French, Spanish or Portuguese export writes: those
# languages write slashed dates day first (01/05/2026 is 1 May). Names shared with English
# ("Date", "Impressions", "Conversions") are not here. From the synonyms above and the readers'
# localized tables (fixtures, not real localized exports).
LOCALIZED_HEADERS = frozenset(
    ("tag", "datum", "jour", "fecha", "día", "dia", "data", "konto", "kontoname", "compte",
     "nom du compte", "cuenta", "nombre de la cuenta", "conta", "nome da conta", "kampagne",
     "kampagnenname", "campagne", "nom de la campagne", "campaña", "nombre de la campaña",
     "campanha", "nome da campanha", "anzeigengruppe", "groupe d'annonces", "grupo de anuncios",
     "grupo de anúncios", "währung", "währungscode", "devise", "code de devise", "moneda",
     "código de moneda", "divisa", "moeda", "código da moeda", "impressionen", "aufrufe",
     "impresiones", "impressões", "klicks", "clics", "cliques", "kosten", "ausgaben", "coût",
     "dépenses", "coste", "costo", "gasto", "gastos", "custo", "konversionen", "conversiones",
     "conversões")
)  # fmt: skip
# A post-log (what aired, spot by spot) has an air time or a spot length; each row is one spot.
_POST_LOG = frozenset(
    ("air time", "time aired", "ausstrahlungszeit", "sendezeit", "heure de diffusion",
     "hora de emisión", "horário de exibição", "spot length", "spotlänge", "durée du spot",
     "duración del spot", "duração do spot", "length", "duration")
)  # fmt: skip
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


def dates_day_first(headers: Sequence[str]) -> bool | None:
    """True (slashed dates are day first) for headers in German, French, Spanish or Portuguese
    (one of ``LOCALIZED_HEADERS``); None (month first, parse_date's rule) otherwise."""
    return True if any(header_key(header) in LOCALIZED_HEADERS for header in headers) else None


def own_headers(headers: Sequence[str], own: AbstractSet[str]) -> int:
    """How many of the file's headers (folded) are among ``own``: a platform's signature."""
    return len({header_key(header) for header in headers} & own)


def report_of(
    headers: Sequence[str], reports: Sequence[tuple[Sequence[str], str]], default: str
) -> str:
    """The report type of the first (names, report) whose names include a header of the file:
    the most detailed level first ("ad name" → ad, "ad group name" → ad group, …)."""
    keys = {header_key(header) for header in headers}
    for names, report in reports:
        if keys.intersection(names):
            return report
    return default


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
    if (block := block_of(table)) is not None:
        found, extras_column, problems = _read_block(
            block,
            headers,
            fields,
            extra,
            empty_first_cell_total=empty_first_cell_total,
            day_first=day_first,
        )
        if currency is not None:
            codes = found.get("currency")
            found["currency"] = (
                codes.fill_null(currency)
                if codes is not None
                else pl.repeat(currency, len(extras_column), dtype=pl.String, eager=True)
            )
        frame = _frame(found, extras_column, platform)
        _warn(warnings, problems)
        return frame
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
    _warn(warnings, problems)
    return frame


def _warn(warnings: list[str] | None, problems: list[str]) -> None:
    if warnings is not None:
        warnings.extend(problems[:MAX_WARNINGS])
        if len(problems) > MAX_WARNINGS:
            warnings.append(f"… and {len(problems) - MAX_WARNINGS:,} more cells not read.")


def _frame(columns: Mapping[str, pl.Series], extras: pl.Series, platform: str) -> pl.DataFrame:
    """The normalized frame from converted columns; fields not read are all null."""
    height = len(extras)
    given = {**columns, "extras": extras}
    series = []
    for name, dtype in SCHEMA.items():
        if name == "platform":
            series.append(pl.repeat(platform, height, dtype=dtype, eager=True).alias(name))
        elif name in given:
            series.append(given[name].rename(name).cast(dtype))
        else:
            series.append(pl.repeat(None, height, dtype=dtype, eager=True).alias(name))
    return pl.DataFrame(series)


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
        if amount is None:
            return None
        try:
            return amount.quantize(SCALE, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # more digits than any real amount (Decimal's precision)
            raise ValueProblem(f"{cell!r} is too large to be an amount") from None
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


FIXED_CURRENCY = "currency_code"  # a mapping's key for "every amount is in this currency"


class GenericReader:
    """A file of no known platform, read by a saved mapping or by common header names."""

    platform = "generic"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        # "currency_code" is not a column: it says which currency a file without one is in
        # ("Netto EUR" names it in words no rule can read).
        given = dict(mapping) if mapping else None
        self.currency = given.pop(FIXED_CURRENCY, None) if given else None
        self.mapping = given

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
        if is_post_log(headers) and ("spend" in columns or "grps" in columns):
            found = max(found, 2)  # a post-log prices spots, it need not count clicks
        return 0.3 + 0.05 * found if found >= 2 else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        if is_post_log(headers):
            return "post_log"
        return "mapped" if self.mapping is not None else "table"

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        columns = self.columns(table.headers)
        frame = read_columns(
            table,
            columns,
            platform=self.platform,
            warnings=warnings,
            currency=self.currency or header_currency(table.headers),
            day_first=dates_day_first(table.headers),
        )
        if "spots" not in columns and is_post_log(table.headers):
            frame = frame.with_columns(pl.lit(1, dtype=pl.Int64).alias("spots"))
        return frame


def is_post_log(headers: Sequence[str]) -> bool:
    """A TV or radio post-log: an air time or spot length column, one row per spot aired."""
    return any(header_key(header) in _POST_LOG for header in headers)


def read_mapped(
    table: Table, mapping: Mapping[str, str], warnings: list[str] | None = None
) -> pl.DataFrame:
    """The table read with a saved column mapping (field -> header text)."""
    return GenericReader(mapping).read(table, warnings)


register(GenericReader())


# --- CSV fast path ----------------------------------------------------------------------------
#
# A large CSV export read cell by cell with the csv module costs seconds. ``read_csv_block`` finds
# the header as ``read_table`` does (same decoding, delimiter and header rules, on the first
# records only) and lets Polars read the rows below it as text; ``read_columns`` then converts the
# common forms (plain and US-grouped numbers, ISO dates, empty markers, plain text) with Polars
# expressions and hands every other cell to the same Python conversion as the slow path, so the
# results, warnings included, are identical. Files whose text could be split differently by the
# two CSV readers (quoted line breaks, lone carriage returns, stray quotes, rows wider than the
# first data row) and files with "#" comment lines above the header (GA4, whose first table ends
# at the next comment line) are left to ``read_table``.

_NUMBER_COLUMN = "__row__"
_HEAD_RECORDS = 40
_HEAD_CHARS = 256 * 1024
# Characters where Python and Polars disagree (str.isspace on U+001C-U+001F, casefold of "ſ").
# Plain ("-1234.5") or US-grouped ("1,594,393.25") numbers, read as parse_decimal reads them.
_FAST_NUMBER = r"^(?:-?[0-9]{1,20}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,6})(?:\.[0-9]{1,6})?$"
_FAST_INT = r"^(?:-?[0-9]{1,18}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,5})$"
_FAST_DATE = r"^[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
# An ASCII first cell starting with a letter or digit is the first filled cell, so only these
# beginnings can make its row a total or footer row (see summary.py); other rows are checked in
# Python.
_PLAIN_FIRST = r"^[0-9A-Za-z][\x20-\x7e]*$"
_LABEL_START = (
    r"(?i)^(?:grand|total|sous|subtotal|zwischen|gesamt|summe|insgesamt|somme|suma|soma|"
    r"copyright|all rights|alle rechte|tous droits|todos|report time|date range|group by|"
    r"filter by|mrc|reporting numbers|no data)"
)
_AMBIGUOUS_BYTES = tuple(char.encode() for char in "\x1c\x1d\x1e\x1fſ")
# is_empty as one regex: the markers are ASCII, and of the characters that casefold to ASCII
# letters only "ſ" (ruled out above) could make a marker.
_EMPTY_PATTERN = (
    r"(?i)^\s*(?:"
    + "|".join(
        re.escape(marker) for marker in sorted({m.strip().casefold() for m in EMPTY_MARKERS})
    )
    + r")\s*$"
)


class BlockTable(Table):
    """A CSV table whose data rows Polars read as text (columns c0, c1, … and the row number).

    ``rows`` is built from the block only when a reader asks for it, so a reader that uses
    ``table.rows`` directly sees exactly what ``read_table`` would have given it. Given ``rows``
    (``dataclasses.replace(table, rows=…)``), the table has those rows and no block.
    """

    __slots__ = ("_rows", "above", "block")
    block: pl.DataFrame | None
    above: tuple[Sequence[str], ...]  # the records above the header, as the csv module read them
    _rows: tuple[Row, ...] | None

    def __init__(
        self,
        source: str,
        headers: tuple[str, ...],
        header_row: int,
        rows: tuple[Row, ...] | None = None,
        hidden_rows: frozenset[int] = frozenset(),
        merged_ranges: tuple[str, ...] = (),
        *,
        block: pl.DataFrame | None = None,
        above: tuple[Sequence[str], ...] = (),
    ) -> None:
        for name, value in (
            ("source", source),
            ("headers", headers),
            ("header_row", header_row),
            ("hidden_rows", hidden_rows),
            ("merged_ranges", merged_ranges),
            ("block", None if rows is not None else block),
            ("above", above),
            ("_rows", rows),
        ):
            object.__setattr__(self, name, value)

    @property
    def rows(self) -> tuple[Row, ...]:
        rows = self._rows
        if rows is None:
            block = self.block
            assert block is not None
            rows = tuple(
                Row(number, tuple(cells))
                for number, *cells in block.select(
                    _NUMBER_COLUMN, *_cell_names(len(self.headers))
                ).iter_rows()
            )
            object.__setattr__(self, "_rows", rows)
        return rows


def block_of(table: Table) -> pl.DataFrame | None:
    """The Polars block of a table from ``read_csv_block`` (None for other tables)."""
    return table.block if isinstance(table, BlockTable) else None


def _cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def read_csv_block(data: bytes, filename: str) -> BlockTable | None:
    """The CSV file as ``read_table`` would read it, its rows read by Polars; None when the file
    is not plain enough to be sure of that (``read_table`` then reads it, errors included).

    ``data`` must have passed ``check_upload`` as a CSV file.
    """
    name = display_name(filename)
    ascii_only = data.isascii()  # then the text is the bytes: decode only the head
    if ascii_only:
        if b"\x00" in data:
            return None
        text = data[: 2 * _HEAD_CHARS].decode("ascii")
    else:
        try:
            text = tables._decode(data, name)
        except ValueError:
            return None
        if "\x00" in text:
            return None
    skip = 0
    if declared := tables._SEP_LINE.match(text):
        delimiter, skip = declared[1], declared.end()
    else:
        delimiter = tables._delimiter(text[: tables._SAMPLE_CHARS])
    head = text[skip : skip + _HEAD_CHARS]
    cut = len(head) < (len(data) if ascii_only else len(text)) - skip
    grid, ends = _head_records(head, delimiter)
    if grid is None:
        return None
    try:
        at = tables._header_index(grid, (), name)
    except ValueError:
        return None
    if cut and at + 1 >= len(grid):  # the header may run past the head: not sure
        return None
    if any(tables.is_comment(record) for record in grid[:at]):
        return None  # a commented export (GA4) may hold a second table: read_table ends the first
    start = skip + ends[at]
    if ascii_only:
        encoded = data[start:]
        if not encoded or encoded.isspace():
            return None
    else:
        if not text[start:] or text[start:].isspace():
            return None
        try:
            encoded = text[start:].encode("utf-8")
        except UnicodeEncodeError:
            return None
    lines = encoded.count(b"\n") + (0 if encoded.endswith(b"\n") else 1)
    try:
        raw = pl.read_csv(
            encoded, has_header=False, separator=delimiter, infer_schema=False, quote_char='"'
        )
    except pl.exceptions.PolarsError:
        return None
    if raw.height != lines:  # a quoted line break, or a reading difference: not sure
        return None
    if any(mark in encoded for mark in _AMBIGUOUS_BYTES[: 4 if ascii_only else 5]):
        return None
    raw = raw.rename(dict(zip(raw.columns, _cell_names(raw.width), strict=True)))
    # Regex \s is Unicode White_Space, what str.strip removes (U+001C-U+001F are ruled out).
    blank = [pl.col(c).str.contains(r"\S").not_().fill_null(True) for c in raw.columns]
    header_cells = grid[at]
    named = tables._last_filled(header_cells) + 1  # columns past it count if they hold data
    # Polars ends lines at "\n" only and drops the "\r" of "\r\n"; any other carriage return
    # stays in a cell, where the csv module might have ended a record. Counting bytes finds
    # one without a pass over every cell (a "\r\n" inside a quoted cell already changed the
    # line count above).
    if encoded.count(b"\r") != encoded.count(b"\r\n"):
        return None
    # A cell holds a quote only if the file has one: most exports have none, or only around
    # cells (grouped numbers, names with commas), which the scan below must still rule out.
    has_quotes = b'"' in encoded
    checks = raw.select(
        (
            pl.any_horizontal(pl.all().str.contains('"', literal=True).any())
            if has_quotes
            else pl.lit(False)
        ).alias("quoted"),
        *(
            mark.all().alias(c)
            for c, mark in zip(raw.columns, blank, strict=True)
            if int(c[1:]) >= named
        ),
        blank[0].any().alias("blank rows"),  # only a row with an empty first cell can be empty
    ).row(0, named=True)
    body = encoded.decode("utf-8") if checks["quoted"] else ""
    if checks["quoted"] and _stray_quote(delimiter).search(body):
        return None
    filled = [i for i, c in enumerate(raw.columns) if i >= named and not checks[c]]
    width = max(named - 1, filled[-1] if filled else -1) + 1
    headers = tuple(
        (tables._cell_text(header_cells[i]).strip() if i < len(header_cells) else "")
        or f"Column {column_letters(i + 1)}"
        for i in range(width)
    )
    present = raw.columns[:width]
    block = raw.with_columns(
        pl.all().fill_null(""),
        pl.int_range(pl.len(), dtype=pl.Int64).add(at + 2).alias(_NUMBER_COLUMN),
        *(pl.lit("").alias(c) for c in _cell_names(width)[len(present) :]),
    )
    if checks["blank rows"]:  # read_table leaves out rows with nothing in them
        block = block.filter(~pl.all_horizontal(blank))
    block = block.select(_NUMBER_COLUMN, *_cell_names(width))
    return BlockTable(name, headers, at + 1, block=block, above=tuple(grid[:at]))


def _head_records(text: str, delimiter: str) -> tuple[list[list[str]] | None, list[int]]:
    """The first records of the text and the offset where each ends."""
    ends: list[int] = []
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in io.StringIO(text, newline=""):
            consumed += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=False)
    grid: list[list[str]] = []
    try:
        for record in reader:
            grid.append(record)
            ends.append(consumed)
            if len(grid) >= _HEAD_RECORDS:
                break
    except csv.Error:
        return None, []
    return grid, ends


def _stray_quote(delimiter: str) -> re.Pattern[str]:
    """A quote inside an unquoted cell or after a closing quote, where CSV readers differ."""
    other = f'[^{re.escape(delimiter)}\\r\\n"]'
    return re.compile(f'{other}"{other}')


def _empty_expr(column: pl.Expr) -> pl.Expr:
    return column.str.contains(_EMPTY_PATTERN)


def summary_mask(block: pl.DataFrame, *, empty_first_cell: bool = False) -> pl.Series:
    """True for the block's summary rows (``is_summary_row``), checked in Python only for rows
    whose first cell could make them one."""
    first = pl.col("c0")
    plain = first.str.contains(_PLAIN_FIRST) & ~first.str.contains(_LABEL_START)
    candidates = block.with_row_index("__index__").filter(~plain)
    mask = pl.repeat(False, block.height, dtype=pl.Boolean, eager=True).alias("summary")
    if candidates.height:
        width = block.width - 1
        hits = [
            index
            for index, *cells in candidates.select("__index__", *_cell_names(width)).iter_rows()
            if is_summary_row(cells, empty_first_cell=empty_first_cell)
        ]
        if hits:
            mask = mask.scatter(hits, True)
    return mask


def _read_block(
    block: pl.DataFrame,
    headers: Sequence[str],
    fields: list[tuple[str, int]],
    extra: list[tuple[int, str]],
    *,
    empty_first_cell_total: bool,
    day_first: bool | None,
) -> tuple[dict[str, pl.Series], pl.Series, list[str]]:
    summary = summary_mask(block, empty_first_cell=empty_first_cell_total)
    if summary.any():
        block = block.filter(~summary)
    numbers = block[_NUMBER_COLUMN]
    order = {field: at for at, (field, _) in enumerate(fields)}
    problems: list[tuple[int, int, str]] = []
    columns: dict[str, pl.Series] = {}
    fast: list[pl.Expr] = []
    for field, index in fields:
        value, applies = _fast(field, pl.col(f"c{index}"))
        fast += [value.alias(field), applies.not_().alias(f"{field} slow")]
    converted = block.select(fast)  # one select: Polars converts the columns in parallel
    for field, index in fields:
        series = converted[field]
        slow = converted[f"{field} slow"]
        if slow.any():
            at = slow.arg_true()
            values: list[object] = []
            for row, number, text in zip(
                at.to_list(),
                numbers.gather(at).to_list(),
                block[f"c{index}"].gather(at).to_list(),
                strict=True,
            ):
                try:
                    values.append(_convert(field, text, day_first))
                except ValueProblem as exc:
                    problems.append((row, order[field], f"row {number}, {headers[index]}: {exc}"))
                    values.append(None)
            fallback = pl.Series(field, values, dtype=series.dtype, strict=False)
            series = series.scatter(at, fallback)
        columns[field] = series
    problems.sort()
    return columns, _extras_block(block, extra), [message for _, _, message in problems]


def _fast(field: str, cell: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(the value where the fast path applies, whether it applies) for one column."""
    empty = _empty_expr(cell)
    if field in AMOUNTS:
        plain = cell.str.contains(_FAST_NUMBER)
        digits = cell.str.replace_all(",", "", literal=True)
        value = pl.when(plain).then(digits.cast(MONEY, strict=False))
        return value, plain | empty
    if field in COUNTS:
        plain = cell.str.contains(_FAST_INT)
        digits = cell.str.replace_all(",", "", literal=True)
        value = pl.when(plain).then(digits.cast(pl.Int64, strict=False))
        return value, plain | empty
    if field == "date":
        iso = cell.str.contains(_FAST_DATE)
        parsed = pl.when(iso).then(cell.str.to_date("%Y-%m-%d", strict=False))
        return parsed, (iso & parsed.is_not_null()) | empty
    text = cell.str.strip_chars()
    if field == "currency":
        ascii_only = cell.str.contains(r"^[\x00-\x7f]*$")
        return pl.when(~empty).then(text.str.to_uppercase()), ascii_only
    return pl.when(~empty).then(text), pl.lit(True)


def _extras_block(block: pl.DataFrame, extra: list[tuple[int, str]]) -> pl.Series:
    """The extras JSON of each row, as ``json.dumps`` writes it."""
    if not extra:
        return pl.repeat("{}", block.height, dtype=pl.String, eager=True).alias("extras")
    names = [name for _, name in extra]
    if len(set(names)) == len(names):
        pieces = []
        for index, name in extra:
            cell = pl.col(f"c{index}")
            escaped = cell.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
                '"', '\\"', literal=True
            )
            key = json.dumps(name, ensure_ascii=False) + ': "'
            pieces.append(pl.when(~_empty_expr(cell)).then(pl.lit(key) + escaped + pl.lit('"')))
        control = pl.any_horizontal(
            [pl.col(f"c{index}").str.contains(r"[\x00-\x1f]") for index, _ in extra]
        )
        joined = block.select(
            (pl.lit("{") + pl.concat_str(pieces, separator=", ", ignore_nulls=True) + "}").alias(
                "extras"
            ),
            control.alias("slow"),
        )
        series, slow = joined["extras"], joined["slow"]
    else:  # a repeated header: json.dumps keeps the first key's place and the last value
        series = pl.Series("extras", [""] * block.height, dtype=pl.String)
        slow = pl.Series("slow", [True] * block.height)
    if slow.any():
        at = slow.arg_true()
        rows = block.select(*(f"c{index}" for index, _ in extra))[at.to_list()].iter_rows()
        texts = [
            json.dumps(
                {
                    name: cell
                    for (_, name), cell in zip(extra, cells, strict=True)
                    if not is_empty(cell)
                },
                ensure_ascii=False,
            )
            for cells in rows
        ]
        series = series.scatter(at, pl.Series("extras", texts, dtype=pl.String))
    return series
