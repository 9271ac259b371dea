"""Vendor invoice files: invoice lines in a CSV or XLSX file, read into typed invoices.

The layout is documented for users in ``docs/invoice-import.md`` (a test keeps that page's
column table equal to ``COLUMNS``). In short: one row per invoice line, and the rows with the same
vendor and invoice number form one invoice. Headers are matched ignoring case, spaces,
underscores, hyphens, dots and a trailing note in brackets ("Amount (EUR)"), with a few aliases
("Invoice No", "Invoice #", "Net amount"); columns mediadesk does not know are ignored.

Reading goes through ``tables.read_table`` (safety checks, encodings, delimiters, header search,
row numbers as the file shows them) and ``values`` (locale-aware numbers and dates), then:

- dates (``invoice_date``, ``due_date``) are read day first: 01/10/2026 is 1 October 2026;
- ``month`` takes 2026-10, 10/2026, 10.2026, 202610, "Oct 2026" (or any language ``values``
  knows), a full date, or an Excel date cell, and keeps its year and month;
- numbers are read as written in English, German or French files. When a file's number cells
  use decimal commas (1.234,56 or 12,50) and never a decimal point, a dot in them only groups
  thousands, so "1.500" is 1500; otherwise "1.500" is 1.5, and as money (in any currency but
  KWD) the precision check below refuses it with a hint to write 1500;
- amounts, tax and the stated total may have no more decimal places than the currency has
  (10.123 EUR is refused: round it, or it is a float that lost its way);
- the invoice date, currency, stated total and due date are the invoice's, so every row that
  gives one must give the same; the stated total and due date may be left empty on some rows;
- a line with amount 0 and no quantity is refused as a probable blank line, and a row whose line
  repeats an earlier line of the same invoice is refused ("row 9 repeats row 8").

Whether the stated total equals the sum of the line amounts is not checked here: that is the
matching's finding, so ``stated_total`` is kept as the file states it.

Every problem in the file is collected (per row and column, with the value and what to do) and
raised together as one ``InvoiceFileError``; nothing is returned from a file with a problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from mediadesk.domain.money import CURRENCY_MINOR_UNITS, MoneyError, check_currency
from mediadesk.ingest.safety import UnsafeFile, check_upload, column_number, display_name
from mediadesk.ingest.tables import Row, Table, read_table
from mediadesk.ingest.values import ValueProblem, cell_text, is_empty, parse_date, parse_decimal


@dataclass(frozen=True, slots=True)
class InvoiceColumn:
    name: str  # the canonical header, as documented
    required: bool
    aliases: tuple[str, ...]  # other headers read as this column


COLUMNS: tuple[InvoiceColumn, ...] = (
    InvoiceColumn("vendor", True, ("vendor name",)),
    InvoiceColumn("invoice_number", True, ("invoice no", "invoice nr", "invoice #", "invoice id")),
    InvoiceColumn("invoice_date", True, ("date of invoice",)),
    InvoiceColumn("currency", True, ("currency code", "ccy")),
    InvoiceColumn(
        "io_number", False, ("io", "io no", "io #", "insertion order", "insertion order number")
    ),
    InvoiceColumn("placement", True, ("placement code", "placement id")),
    InvoiceColumn("month", True, ("service month", "month of service")),
    InvoiceColumn("description", False, ("line description",)),
    InvoiceColumn("quantity", False, ("qty", "units")),
    InvoiceColumn("amount", True, ("net amount", "gross amount", "line amount")),
    InvoiceColumn("tax", False, ("tax amount", "vat", "vat amount")),
    InvoiceColumn("invoice_total", False, ("total", "invoice net total")),
    InvoiceColumn("due_date", False, ("payment due", "due")),
)
REQUIRED: tuple[str, ...] = tuple(column.name for column in COLUMNS if column.required)

# A header row holds these texts (every alias of these columns contains its word); a file without
# such a row is read with the generic header search, so a missing column can still be named.
_HEADER_WORDS = ("vendor", "placement", "amount")
_MONEY = ("amount", "tax", "invoice_total")
_NUMBERS = ("quantity", *_MONEY)
_LINE_COLUMNS = frozenset(
    {"io_number", "placement", "month", "description", "quantity", "amount", "tax"}
)
_LABELS = {
    "vendor": "vendor's name",
    "invoice_number": "invoice number",
    "invoice_date": "invoice date",
    "currency": "currency",
    "placement": "placement code",
    "month": "month of service",
    "amount": "amount",
    "invoice_total": "stated invoice total",
    "due_date": "due date",
}
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)
_FOLD = re.compile(r"[\s_\-.:]+")
_NOTE = re.compile(r"\([^()]*\)\s*$")
_YEAR_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")
_LETTERS = re.compile(r"[^\W\d_]")
# How a file writes its decimals, judged from all its number cells together.
_DECIMAL_COMMA = re.compile(r"\d,\d{1,2}(?!\d)|\d\.\d{3},\d")
_DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?!\d)|\d,\d{3}\.\d")
_THOUSANDS_DOT = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")
_COMMA_DECIMAL = re.compile(r"(?<=\d),(?=\d)")
_DOT_GROUPED = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})+")
# Numbers written plainly ("-1234.56", "1,234.56"): read without values' search for currency
# marks, which costs ten times as much; every other text goes to parse_decimal.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?")
_RANGE = re.compile(r"([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)")
_SHOWN_PROBLEMS = 20
# No invoice mediadesk reads is older: an earlier date is a number read as a date ("2026" is
# Excel's day 2026, in 1905).
FIRST_YEAR = 1990
T = TypeVar("T")


def fold_header(header: str) -> str:
    """A header as it is compared: 'Invoice No.' -> 'invoiceno', 'Amount (EUR)' -> 'amount'."""
    return _FOLD.sub("", _NOTE.sub("", header.strip()).casefold())


_HEADERS: dict[str, str] = {
    fold_header(header): column.name
    for column in COLUMNS
    for header in (column.name, *column.aliases)
}


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLineRow:
    row: int  # the row number in the file, as Excel shows it
    io_number: str  # "" when the file names none
    placement: str
    month: tuple[int, int]  # (year, month) of service
    description: str
    quantity: Decimal | None
    amount: Decimal  # gross media amount; negative for a credit line
    tax: Decimal  # 0 when the file gives none


@dataclass(frozen=True, slots=True)
class InvoiceFileInvoice:
    vendor: str  # as the file first spells it
    number: str
    invoice_date: date
    currency: str  # ISO 4217
    stated_total: Decimal | None  # the invoice's total before tax, when the file states one
    due_date: date | None
    lines: tuple[InvoiceLineRow, ...]  # in file order
    first_row: int


@dataclass(frozen=True, slots=True)
class InvoiceProblem:
    """One thing to fix. ``message`` is the whole sentence, with the row and column in it."""

    row: int | None  # None for the file as a whole
    column: str | None  # the header as the file writes it
    value: str  # the cell as the file shows it ("" when there is none)
    message: str

    def __str__(self) -> str:
        return self.message


class InvoiceFileError(ValueError):
    """Everything wrong with an invoice file, in row order; ``problems`` holds them all."""

    def __init__(self, problems: Sequence[InvoiceProblem]) -> None:
        self.problems: tuple[InvoiceProblem, ...] = tuple(problems)
        count = len(self.problems)
        shown = [problem.message for problem in self.problems[:_SHOWN_PROBLEMS]]
        if count > _SHOWN_PROBLEMS:
            shown.append(f"… and {count - _SHOWN_PROBLEMS:,} more.")
        if count == 1:
            summary = shown[0]
        else:
            summary = "\n".join([f"The invoice file has {count:,} problems to fix:", *shown])
        super().__init__(summary)


# --- reading ----------------------------------------------------------------------------------


def read_invoices(data: bytes, filename: str) -> list[InvoiceFileInvoice]:
    """The invoices in a CSV or XLSX file of invoice lines, in the order the file names them.

    Raises InvoiceFileError with every problem found (see the module docstring).
    """
    name = display_name(filename)
    try:
        kind = check_upload(data, filename).kind
    except UnsafeFile as exc:
        raise InvoiceFileError([InvoiceProblem(None, None, "", str(exc))]) from exc
    if kind == "json":
        message = f"{name} is a JSON file; invoice lines are read from CSV or XLSX files."
        raise InvoiceFileError([InvoiceProblem(None, None, "", message)])
    try:
        table = _read_table(data, filename)
    except ValueError as exc:  # UnsafeFile too
        raise InvoiceFileError([InvoiceProblem(None, None, "", str(exc))]) from exc
    return _Reader(table).invoices()


def _read_table(data: bytes, filename: str) -> Table:
    try:
        return read_table(data, filename, header_contains=_HEADER_WORDS)
    except UnsafeFile:
        raise
    except ValueError:
        # No row names the columns: read the first header-like row, to say what it lacks.
        return read_table(data, filename)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One row, read cell by cell (None where a cell is empty or could not be taken)."""

    row: int
    vendor: str
    number: str
    invoice_date: date | None
    currency: str | None
    stated_total: Decimal | None
    due_date: date | None
    line: InvoiceLineRow | None  # None when one of the line's cells has a problem
    cells: Row


class _Reader:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.problems: list[tuple[int, int, InvoiceProblem]] = []  # (row, column index, problem)
        self.at: dict[str, int] = {}  # column name -> index in the table
        self.decimal_comma = False
        self.failed: set[str] = set()  # the columns of the row being read that have a problem
        self.merged = [bounds for ref in table.merged_ranges if (bounds := _bounds(ref))]

    # --- problems

    def problem(self, row: int | None, name: str | None, value: str, message: str) -> None:
        index = self.at.get(name, -1) if name else -1
        header = self.table.headers[index] if index >= 0 else None
        where = "" if row is None else f"row {row}"
        if header is not None:
            where += f', column "{header}"'
        text = f"{where}: {message}" if where else message
        self.problems.append((row or 0, index, InvoiceProblem(row, header, value, text)))
        if name:
            self.failed.add(name)

    def error(self) -> InvoiceFileError:
        ordered = sorted(self.problems, key=lambda item: (item[0], item[1]))
        return InvoiceFileError([problem for _, _, problem in ordered])

    # --- the whole file

    def invoices(self) -> list[InvoiceFileInvoice]:
        table = self.table
        self.map_columns()
        missing = [name for name in REQUIRED if name not in self.at]
        if missing:
            found = ", ".join(f'"{header}"' for header in table.headers)
            plural = "s" if len(missing) > 1 else ""
            self.problem(
                table.header_row,
                None,
                "",
                f"the header row has no {_and(missing)} column{plural}; the headers found are: "
                f"{found}. Add the missing column{plural} (docs/invoice-import.md lists the "
                "names mediadesk reads), or check that this is the right file.",
            )
        elif not table.rows:
            self.problem(
                None,
                None,
                "",
                f"{table.source} has a header row (row {table.header_row}) but no invoice lines "
                "below it.",
            )
        if self.problems:
            raise self.error()
        self.decimal_comma = self.uses_decimal_comma()
        parsed = [self.parse(row) for row in table.rows]
        invoices = self.group(parsed)
        if self.problems:
            raise self.error()
        return invoices

    def map_columns(self) -> None:
        headers = self.table.headers
        for index, header in enumerate(headers):
            name = _HEADERS.get(fold_header(header))
            if name is None:
                continue  # a column mediadesk does not read
            if name not in self.at:
                self.at[name] = index
                continue
            row = self.table.header_row
            message = (
                f'row {row}, column "{header}": column "{headers[self.at[name]]}" already gives '
                f"the {name}; delete or rename one of the two columns."
            )
            self.problems.append((row, index, InvoiceProblem(row, header, header, message)))

    def uses_decimal_comma(self) -> bool:
        """Whether the file writes decimals with a comma (and a dot only between thousands)."""
        comma = False
        columns = [self.at[name] for name in _NUMBERS if name in self.at]
        for row in self.table.rows:
            for index in columns:
                cell = row.cells[index]
                if not isinstance(cell, str) or not cell:
                    continue
                if _DECIMAL_POINT.search(cell) and _is_number(cell):
                    return False
                if not comma and _DECIMAL_COMMA.search(cell) and _is_number(cell):
                    comma = True
        return comma

    # --- one row

    def cell(self, row: Row, name: str) -> object:
        index = self.at.get(name)
        return "" if index is None else row.cells[index]

    def parse(self, row: Row) -> _Parsed:
        self.failed = set()
        vendor = self.text(row, "vendor")
        number = self.text(row, "invoice_number")
        invoice_date = self.date(row, "invoice_date")
        currency = self.currency(row)
        io_number = self.text(row, "io_number")
        placement = self.text(row, "placement")
        month = self.month(row)
        description = self.text(row, "description")
        quantity = self.number(row, "quantity", None)
        amount = self.number(row, "amount", currency)
        tax = self.number(row, "tax", currency)
        stated_total = self.number(row, "invoice_total", currency)
        due_date = self.date(row, "due_date")
        if amount is not None and not amount and quantity is None and "quantity" not in self.failed:
            self.problem(
                row.number,
                "amount",
                cell_text(self.cell(row, "amount")),
                "the amount is 0 and there is no quantity, so this is probably a blank line; "
                "delete the row, or fill in what the line bills.",
            )
        line = None
        if not self.failed & _LINE_COLUMNS and month is not None and amount is not None:
            line = InvoiceLineRow(
                row=row.number,
                io_number=io_number,
                placement=placement,
                month=month,
                description=description,
                quantity=quantity,
                amount=amount,
                tax=Decimal(0) if tax is None else tax,
            )
        return _Parsed(
            row.number,
            vendor,
            number,
            invoice_date,
            currency,
            stated_total,
            due_date,
            line,
            row,
        )

    def missing(self, row: Row, name: str) -> None:
        """Report a required cell that is empty."""
        column = self.at[name] + 1
        hint = ""
        for top, left, bottom, right in self.merged:
            if left <= column <= right and top < row.number <= bottom:
                hint = f" (the cell is merged with row {top}: unmerge it and fill in every row)"
        label = _LABELS.get(name, name.replace("_", " "))
        self.problem(
            row.number, name, "", f"the {label} is missing{hint}; every invoice line needs one."
        )

    def excel_error(self, row: Row, name: str) -> bool:
        """Report an Excel error value ("#N/A") in the cell; True when there was one."""
        cell = self.cell(row, name)
        if isinstance(cell, str) and "#" in cell and cell.strip().upper() in EXCEL_ERRORS:
            self.problem(
                row.number,
                name,
                cell,
                f'"{cell.strip()}" is an Excel error (a formula that failed); fix the formula or '
                "type the value.",
            )
            return True
        return False

    def text(self, row: Row, name: str) -> str:
        """The cell as text, stripped; "" when it is empty or has a problem."""
        if self.excel_error(row, name):
            return ""
        text = cell_text(self.cell(row, name)).strip()
        if name == "vendor":
            text = " ".join(text.split())
        elif name == "io_number" and is_empty(text):
            text = ""  # "-", "n/a": no insertion order named
        if not text and name in REQUIRED:
            self.missing(row, name)
        return text

    def date(self, row: Row, name: str) -> date | None:
        if name not in self.at or self.excel_error(row, name):
            return None
        cell = self.cell(row, name)
        try:
            found = parse_date(cell, day_first=True)
        except ValueProblem as exc:
            shown = cell_text(cell)
            detail = _detail(str(exc))
            self.problem(
                row.number,
                name,
                shown,
                f'"{shown}" is not a {"valid " if detail else ""}date{detail}; write it as '
                "2026-10-31, 31.10.2026 or 31/10/2026.",
            )
            return None
        if found is None:
            if name in REQUIRED:
                self.missing(row, name)
        elif found.year < FIRST_YEAR:
            shown = cell_text(cell)
            self.problem(
                row.number,
                name,
                shown,
                f'"{shown}" reads as {found.isoformat()}, which cannot be the {_LABELS[name]}; '
                "write it as 2026-10-31, 31.10.2026 or 31/10/2026.",
            )
            return None
        return found

    def currency(self, row: Row) -> str | None:
        text = self.text(row, "currency")
        if not text:
            return None
        try:
            return check_currency(text)
        except MoneyError:
            self.problem(
                row.number,
                "currency",
                text,
                f'"{text}" is not a currency mediadesk knows; write its ISO 4217 code, such as '
                "EUR, USD or GBP.",
            )
            return None

    def month(self, row: Row) -> tuple[int, int] | None:
        if self.excel_error(row, "month"):
            return None
        cell = self.cell(row, "month")
        if isinstance(cell, str) and not cell.strip():
            self.missing(row, "month")
            return None
        found = _month(cell)
        if found is None:
            shown = cell_text(cell)
            number = isinstance(cell, int | float) and not isinstance(cell, bool)
            why = "is a number, not a month" if number else "is not a month"
            self.problem(
                row.number,
                "month",
                shown,
                f'"{shown}" {why}; write the month of service as 2026-10, 10/2026 or Oct 2026.',
            )
        return found

    def number(self, row: Row, name: str, currency: str | None) -> Decimal | None:
        """The cell's number; None when it is empty, absent or has a problem."""
        if name not in self.at or self.excel_error(row, name):
            return None
        cell = self.cell(row, name)
        readable = cell
        if self.decimal_comma and isinstance(cell, str):
            readable = _COMMA_DECIMAL.sub(".", _THOUSANDS_DOT.sub("", cell))
        try:
            number = _decimal(readable)
        except ValueProblem:
            shown = cell_text(cell)
            why = "is a yes/no value, not a number" if isinstance(cell, bool) else "is not a number"
            self.problem(
                row.number,
                name,
                shown,
                f'"{shown}" {why}; write it as 1234.56, 1,234.56 or 1.234,56.',
            )
            return None
        if number is None:
            if name in REQUIRED:
                self.missing(row, name)
        elif currency is not None and name in _MONEY:
            self.check_places(row, name, number, currency)
        return number

    def check_places(self, row: Row, name: str, number: Decimal, currency: str) -> None:
        """Report more decimal places than the currency has (as written, or as a float holds)."""
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        allowed = CURRENCY_MINOR_UNITS[currency]
        if places <= allowed:
            return
        cell = self.cell(row, name)
        shown = cell_text(cell).strip()
        if allowed:
            rule = f"{currency} has {allowed}: round it to {allowed} decimal places"
        else:
            rule = f"{currency} has none: round it to whole {currency}"
        hint = ""
        if isinstance(cell, str) and _DOT_GROUPED.fullmatch(shown):
            whole = shown.replace(".", "")
            hint = f" (if you meant {whole}, write {whole} without the dot)"
        elif isinstance(cell, float):
            hint = f" (in Excel, wrap the formula that computes it in =ROUND(…, {allowed}))"
        self.problem(
            row.number,
            name,
            shown,
            f'"{shown}" has {places} decimal place{"s" if places > 1 else ""}, but {rule}{hint}.',
        )

    # --- rows to invoices

    def group(self, parsed: list[_Parsed]) -> list[InvoiceFileInvoice]:
        groups: dict[tuple[str, str], list[_Parsed]] = {}
        for item in parsed:
            if item.vendor and item.number:  # else the row has its problem already
                groups.setdefault((item.vendor.casefold(), item.number), []).append(item)
        invoices = []
        for items in groups.values():
            first = items[0]
            invoice = f"invoice {first.number} from {first.vendor}"
            invoice_date = self.agree(
                items, "invoice_date", [i.invoice_date for i in items], invoice
            )
            currency = self.agree(items, "currency", [i.currency for i in items], invoice)
            stated_total = self.agree(
                items, "invoice_total", [i.stated_total for i in items], invoice
            )
            due_date = self.agree(items, "due_date", [i.due_date for i in items], invoice)
            lines = self.lines(items, invoice)
            if invoice_date is None or currency is None or len(lines) < len(items):
                continue  # each of these has its problem already
            invoices.append(
                InvoiceFileInvoice(
                    vendor=first.vendor,
                    number=first.number,
                    invoice_date=invoice_date,
                    currency=currency,
                    stated_total=stated_total,
                    due_date=due_date,
                    lines=lines,
                    first_row=first.row,
                )
            )
        return invoices

    def agree(
        self, items: list[_Parsed], name: str, values: list[T | None], invoice: str
    ) -> T | None:
        """The value the rows of one invoice give for ``name``; rows giving another are
        reported (rows without one, or with a problem in it, are passed over)."""
        reference: tuple[_Parsed, T] | None = None
        for item, value in zip(items, values, strict=True):
            if value is None:
                continue
            if reference is None:
                reference = (item, value)
            elif value != reference[1]:
                first, label = reference[0], _LABELS.get(name, name.replace("_", " "))
                shown = cell_text(self.cell(item.cells, name)).strip()
                before = cell_text(self.cell(first.cells, name)).strip()
                self.problem(
                    item.row,
                    name,
                    shown,
                    f'"{shown}" differs from "{before}" on row {first.row}; every line of '
                    f"{invoice} must give the same {label}.",
                )
        return None if reference is None else reference[1]

    def lines(self, items: list[_Parsed], invoice: str) -> tuple[InvoiceLineRow, ...]:
        """The invoice's lines; a line that repeats an earlier one is reported."""
        lines: list[InvoiceLineRow] = []
        seen: dict[tuple[object, ...], int] = {}
        for item in items:
            line = item.line
            if line is None:
                continue
            key = (
                line.io_number,
                line.placement,
                line.month,
                line.description,
                line.quantity,
                line.amount,
                line.tax,
            )
            if key in seen:
                message = (
                    f"row {line.row} repeats row {seen[key]} (the same line of {invoice}); "
                    "delete one of them, or tell them apart in the description."
                )
                self.problems.append((line.row, -1, InvoiceProblem(line.row, None, "", message)))
                continue
            seen[key] = line.row
            lines.append(line)
        return tuple(lines)


# --- values -----------------------------------------------------------------------------------


def _month(cell: object) -> tuple[int, int] | None:
    """(year, month) from a month cell (module docstring), or None when it holds none."""
    if isinstance(cell, date):  # an Excel date cell (datetime too)
        return (cell.year, cell.month)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if not float(cell).is_integer():
            return None
        cell = str(int(cell))  # 202610 typed as a number
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    found: tuple[int, int] | None = None
    if match := _YEAR_MONTH.fullmatch(text) or _COMPACT_MONTH.fullmatch(text):
        found = (int(match[1]), int(match[2]))
    elif match := _MONTH_YEAR.fullmatch(text):
        found = (int(match[2]), int(match[1]))
    elif not text.isdigit() or len(text) == 8:  # 2026 or 46296 is no month; 20261001 is
        tries = [text, f"1 {text}"] if _LETTERS.search(text) else [text]  # "Oct 2026"
        for attempt in tries:
            try:
                day = parse_date(attempt, day_first=True)
            except ValueProblem:
                continue
            if day is not None:
                found = (day.year, day.month)
                break
    if found is None or not (1 <= found[1] <= 12 and FIRST_YEAR <= found[0] <= 2999):
        return None
    return found


def _detail(message: str) -> str:
    """' (day is out of range for month)' from values' "... is not a valid date (...)."."""
    if "not a valid date (" not in message:
        return ""
    return " (" + message.split("not a valid date (", 1)[1].rstrip(".").removesuffix(")") + ")"


def _bounds(reference: str) -> tuple[int, int, int, int] | None:
    """'B2:B5' -> (top row, left column, bottom row, right column); None for one cell."""
    match = _RANGE.fullmatch(reference.replace("$", ""))
    if match is None:
        return None
    left, right = column_number(match[1]), column_number(match[3])
    return (int(match[2]), left, int(match[4]), right)


def _and(names: Sequence[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _is_number(text: str) -> bool:
    """Whether the text reads as a number at all (only numbers tell how a file writes them)."""
    try:
        return parse_decimal(text) is not None
    except ValueProblem:
        return False


def _decimal(cell: object) -> Decimal | None:
    """``parse_decimal``, with a shortcut for the plain texts that most number cells hold."""
    if isinstance(cell, str) and _PLAIN_NUMBER.fullmatch(cell):
        text = cell.replace(",", "") if "," in cell else cell
        if text[0] in "+-":  # signed as parse_decimal signs it ("-0.00" is 0.00)
            number = Decimal(text[1:])
            return -number if text[0] == "-" else number
        return Decimal(text)
    return parse_decimal(cell)
