"""One reader for CSV and XLSX files: a header and numbered rows, whatever the file looked like.

Every file passes the safety checks first (``safety.check_upload``: size, magic bytes, and for a
workbook the zip, XML and sheet-size checks). Then:

- CSV: the encoding is read from the byte order mark (UTF-8, UTF-16 LE/BE), else UTF-8 if the
  bytes are valid UTF-8, else Windows-1252. An Excel ``sep=;`` first line sets the delimiter;
  otherwise csv.Sniffer proposes one of ``, ; TAB |`` and counting fields per line over a sample
  checks it (the delimiter giving the most lines the same number of fields wins; the Sniffer's
  choice wins ties). Cells are strings, exactly as written. Row numbers count records, as
  Excel shows the file (a quoted cell spanning two lines is one row).
- XLSX: python-calamine reads the named sheet, or the first visible worksheet. Values come as
  calamine gives them: str, float (for every number, 42 too), bool, date, datetime, time,
  timedelta. Formulas read as the value Excel cached when it last saved the file; a formula
  without a cached value (written by a program that does not calculate) reads as empty. Error
  cells read as their error text ("#DIV/0!", "#N/A"); calamine alone would give them as empty.
  Hidden rows, merged ranges and error cells come from the safety pass over the sheet's XML.

Empty cells are ``""`` in both. The header is the first row within the first 30 that contains
every ``header_contains`` text (case-insensitive, anywhere in a cell), or, without them, the first
row with at least two filled cells of which most are text (not numbers or dates): report titles,
date-range lines and blank lines above it are skipped. Comment lines starting with "# " are
never the header (GA4 writes its title, property and dates so, and a comma in them must not make
them look like one). Rows below the header that are entirely empty are dropped; every other row
keeps its number in the file, and its cells are padded to the number of headers. In a file that
starts with comment lines, the next comment line below the header starts another table (GA4 puts
a second one after a blank line), so the table ends there. A column with data but no header gets
one ("Column H"); columns empty everywhere past the last header are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetMetadata,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from mediadesk.ingest.safety import (
    UnsafeFile,
    check_upload,
    column_letters,
    display_name,
)
from mediadesk.ingest.values import ValueProblem, parse_date, parse_decimal

HEADER_SEARCH_ROWS = 30
DELIMITERS = ",;\t|"
_SAMPLE_CHARS = 64 * 1024
# What calamine returns for a cell.
CellValue = int | float | str | bool | time | date | datetime | timedelta
_SEP_LINE = re.compile(r"sep=([,;\t|])\r?\n", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based row number in the file or sheet, as a person sees it in Excel
    cells: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Table:
    source: str  # "plan.xlsx, sheet Lines" or "plan.csv"
    headers: tuple[str, ...]  # stripped header texts; an empty header cell becomes "Column C"
    header_row: int  # its 1-based row number
    rows: tuple[Row, ...]  # data rows below the header, without empty ones, padded to headers
    hidden_rows: frozenset[int]  # row numbers hidden in the sheet (xlsx), so importers can warn
    merged_ranges: tuple[str, ...]  # e.g. ("A1:D1",), from the sheet XML


def read_table(
    data: bytes, filename: str, *, sheet: str | None = None, header_contains: Sequence[str] = ()
) -> Table:
    """The table in a CSV or XLSX file (see the module docstring for how it is found).

    Raises UnsafeFile for files that fail the safety checks, and ValueError (with a sentence for
    the person who uploaded the file) for a missing sheet, a missing header or unreadable text.
    """
    checked = check_upload(data, filename)
    name = display_name(filename)
    if checked.kind == "csv":
        grid: Sequence[Sequence[object]] = _csv_grid(data, name)
        return _table(grid, name, header_contains, frozenset(), ())
    if checked.kind == "xlsx" and checked.workbook is not None:
        chosen, sheet_grid = _sheet_grid(data, name, sheet)
        scan = checked.workbook.sheet(chosen)
        for (row, column), error in (scan.error_cells if scan else {}).items():
            cells = sheet_grid[row - 1] if row <= len(sheet_grid) else []
            if column <= len(cells) and cells[column - 1] == "":
                cells[column - 1] = error
        return _table(
            sheet_grid,
            f"{name}, sheet {chosen}",
            header_contains,
            scan.hidden_rows if scan else frozenset(),
            scan.merged_ranges if scan else (),
        )
    raise ValueError(f"{name} is a JSON file; only CSV and XLSX files are read as tables.")


def sheet_names(data: bytes, filename: str) -> list[str]:
    """The worksheets of a workbook in workbook order, hidden ones included; [] for CSV or JSON.

    Chart sheets are left out: they hold no cells to read.
    """
    checked = check_upload(data, filename)
    if checked.kind != "xlsx":
        return []
    with _open_workbook(data, display_name(filename)) as book:
        return [meta.name for meta in book.sheets_metadata if _is_worksheet(meta)]


# --- header and rows --------------------------------------------------------------------------


def _table(
    grid: Sequence[Sequence[object]],
    source: str,
    header_contains: Sequence[str],
    hidden_rows: frozenset[int],
    merged_ranges: tuple[str, ...],
) -> Table:
    at = _header_index(grid, header_contains, source)
    header_cells = grid[at]
    width = _last_filled(header_cells) + 1
    commented = any(is_comment(grid[index]) for index in range(at))
    kept: list[tuple[int, Sequence[object]]] = []
    for index in range(at + 1, len(grid)):
        cells = grid[index]
        if commented and is_comment(cells):
            break  # another commented table (GA4): never rows of this one
        last = _last_filled(cells)
        if last < 0:
            continue
        if last >= width:
            width = last + 1
        kept.append((index + 1, cells))
    headers = tuple(
        (_cell_text(header_cells[i]).strip() if i < len(header_cells) else "")
        or f"Column {column_letters(i + 1)}"
        for i in range(width)
    )
    rows = tuple(
        Row(number, tuple(cells[:width]) + ("",) * (width - len(cells))) for number, cells in kept
    )
    return Table(source, headers, at + 1, rows, hidden_rows, merged_ranges)


def _header_index(
    grid: Sequence[Sequence[object]], header_contains: Sequence[str], source: str
) -> int:
    wanted = [text.strip().casefold() for text in header_contains if text.strip()]
    for index in range(min(HEADER_SEARCH_ROWS, len(grid))):
        if is_comment(grid[index]):
            continue
        filled = [cell for cell in grid[index] if not _blank(cell)]
        if wanted:
            texts = [_cell_text(cell).casefold() for cell in filled]
            if all(any(text in cell for cell in texts) for text in wanted):
                return index
        elif len(filled) >= 2 and 2 * sum(map(_is_text, filled)) > len(filled):
            return index
    if not grid:
        raise ValueError(f"{source} is empty.")
    if wanted:
        listed = ", ".join(repr(text) for text in header_contains if text.strip())
        raise ValueError(
            f"{source} has no header row with {listed} in its first {HEADER_SEARCH_ROWS} rows. "
            "Check that this is the right file (and sheet)."
        )
    raise ValueError(
        f"{source} has no header row in its first {HEADER_SEARCH_ROWS} rows (a row naming at "
        "least two columns). Check that this is the right file (and sheet)."
    )


def is_comment(cells: Sequence[object]) -> bool:
    """A comment line: its first cell starts with "#" and a space or dash ("# Start date: …",
    "# -----"), or is a lone "#" on an otherwise empty line. A header cell named "#" (a row
    number column) is not a comment."""
    first = cells[0] if cells else None
    if not isinstance(first, str):
        return False
    text = first.strip()
    if text == "#":
        return _last_filled(cells) == 0
    return text.startswith("#") and text[1:2] in (" ", "\t", "-")


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and (not cell or cell.isspace()))


def _last_filled(cells: Sequence[object]) -> int:
    """The index of the last non-empty cell, -1 for an empty row (full rows stop at once)."""
    for index in range(len(cells) - 1, -1, -1):
        cell = cells[index]
        if cell is None:
            continue
        if isinstance(cell, str) and (not cell or cell.isspace()):
            continue
        return index
    return -1


def _is_text(cell: object) -> bool:
    """A header-like cell: text that is not a number, a date or an empty marker ("--")."""
    if not isinstance(cell, str):
        return False
    try:
        if parse_decimal(cell) is None:
            return False
    except ValueProblem:
        pass
    else:
        return False
    try:
        parse_date(cell)
    except ValueProblem:
        return True
    return False


def _cell_text(cell: object) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, date | time):
        return cell.isoformat().removesuffix("T00:00:00")
    return "" if cell is None else str(cell)


# --- CSV --------------------------------------------------------------------------------------


def _csv_grid(data: bytes, name: str) -> list[list[str]]:
    text = _decode(data, name)
    if "\x00" in text:
        raise UnsafeFile(
            f"{name} is not a text file (it contains binary data). "
            "Export it again as CSV (UTF-8) and upload the new file."
        )
    if declared := _SEP_LINE.match(text):  # Excel's "sep=;" line, which Excel itself hides
        delimiter, text = declared[1], text[declared.end() :]
    else:
        delimiter = _delimiter(text[:_SAMPLE_CHARS])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return list(reader)
    except csv.Error as exc:
        raise ValueError(f"{name} cannot be read as CSV at line {reader.line_num}: {exc}.") from exc


def _decode(data: bytes, name: str) -> str:
    boms = [
        (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
        (b"\xff\xfe", "utf-16-le", "UTF-16"),
        (b"\xfe\xff", "utf-16-be", "UTF-16"),
    ]
    for bom, codec, shown in boms:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"{name} says it is {shown} text but byte {exc.start + len(bom) + 1:,} is not. "
                    "Export it again as CSV (UTF-8) and upload the new file."
                ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252, with its five undefined bytes kept as the same code points (as browsers
        # do) instead of failing the whole file.
        text = data.decode("cp1252", errors="surrogateescape")
        return re.sub("[\udc80-\udcff]", lambda m: chr(ord(m[0]) - 0xDC00), text)


def _delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: the Sniffer's proposal, checked by counting fields."""
    if "\n" in sample.rstrip("\r\n"):
        sample = sample[: sample.rstrip("\r\n").rfind("\n")]  # whole lines only
    scores = {delimiter: _consistency(sample, delimiter) for delimiter in DELIMITERS}
    best = max(scores.values())
    try:
        proposed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        proposed = ""
    if proposed in scores and scores[proposed] == best:
        return proposed
    return max(DELIMITERS, key=lambda delimiter: scores[delimiter])


def _consistency(sample: str, delimiter: str) -> tuple[int, int]:
    """(How many lines share the most common field count above 1, that field count)."""
    counts: dict[int, int] = {}
    try:
        for fields in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if len(fields) > 1:
                counts[len(fields)] = counts.get(len(fields), 0) + 1
    except csv.Error:
        return (0, 0)
    if not counts:
        return (0, 0)
    width, lines = max(counts.items(), key=lambda item: (item[1], item[0]))
    return (lines, width)


# --- XLSX -------------------------------------------------------------------------------------


def _open_workbook(data: bytes, name: str) -> CalamineWorkbook:
    """The workbook, opened by calamine only after ``check_upload`` passed on these bytes."""
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise UnsafeFile(
            f"{name} is password-protected. Remove the password in Excel, save it as .xlsx and "
            "upload again."
        ) from exc
    except CalamineError as exc:
        raise UnsafeFile(
            f"{name} is damaged or incomplete ({exc}). Open it in Excel, save it again as "
            ".xlsx and upload the new file."
        ) from exc


def _is_worksheet(meta: SheetMetadata) -> bool:
    return meta.typ == SheetTypeEnum.WorkSheet


def _sheet_grid(data: bytes, name: str, sheet: str | None) -> tuple[str, list[list[CellValue]]]:
    """The chosen sheet's cells from A1 on (check_upload has bounded every sheet's size)."""
    with _open_workbook(data, name) as book:
        metas = book.sheets_metadata
        chosen = _choose_sheet(metas, sheet, name)
        try:
            grid = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise UnsafeFile(
                f"{name} is damaged or incomplete (sheet {chosen}: {exc}). Open it in Excel, "
                "save it again as .xlsx and upload the new file."
            ) from exc
    return chosen, grid


def _choose_sheet(metas: Sequence[SheetMetadata], sheet: str | None, name: str) -> str:
    worksheets = [meta for meta in metas if _is_worksheet(meta)]
    listed = ", ".join(meta.name for meta in worksheets) or "none"
    if sheet is None:
        for meta in worksheets:
            if meta.visible == SheetVisibleEnum.Visible:
                return meta.name
        raise ValueError(f"{name} has no visible worksheet; its worksheets are: {listed}.")
    wanted = sheet.strip().casefold()
    exact = [meta.name for meta in worksheets if meta.name == sheet]
    close = [meta.name for meta in worksheets if meta.name.strip().casefold() == wanted]
    if exact or len(close) == 1:
        return (exact or close)[0]
    if any(meta.name == sheet for meta in metas):
        raise ValueError(f"{name}: {sheet} is a chart sheet, not a table. Choose one of: {listed}.")
    raise ValueError(f"{name} has no sheet named {sheet!r}; its worksheets are: {listed}.")
