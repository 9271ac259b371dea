"""Vendor invoice files: real CSV and XLSX files, written at test time, read into invoices."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediadesk.ingest import invoices as invoices_module
from mediadesk.ingest.invoices import (
    COLUMNS,
    InvoiceFileError,
    InvoiceFileInvoice,
    InvoiceLineRow,
    InvoiceProblem,
    fold_header,
    read_invoices,
)
from mediadesk.ingest.values import ValueProblem, parse_decimal

from .files import members, rezip, xlsx

DOCS = Path(__file__).resolve().parents[2] / "docs" / "invoice-import.md"
HEADER = [column.name for column in COLUMNS]
DEFAULTS = {
    "vendor": "Northwind Radio",
    "invoice_number": "NR-1",
    "invoice_date": "2026-10-31",
    "currency": "EUR",
    "io_number": "IO-42",
    "placement": "NWR-SPOT-30",
    "month": "2026-10",
    "description": "30s spots",
    "quantity": "100",
    "amount": "1000.00",
    "tax": "190.00",
    "invoice_total": "",
    "due_date": "",
}


def line(**values: object) -> dict[str, object]:
    unknown = set(values) - set(DEFAULTS)
    assert not unknown, unknown
    return {**DEFAULTS, **values}


def csv_bytes(
    lines: Sequence[dict[str, object]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    preamble: Sequence[Sequence[str]] = (),
) -> bytes:
    """A CSV file as Excel writes it: CRLF line ends, quotes only where needed."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(preamble)
    writer.writerow(header)
    for values in lines:
        writer.writerow([values.get(name, "") for name in HEADER])
    return text.getvalue().encode(encoding)


def write(path: Path, data: bytes) -> bytes:
    """The file on disk and back, as an upload would arrive."""
    path.write_bytes(data)
    return path.read_bytes()


def problems_of(data: bytes, filename: str) -> tuple[InvoiceProblem, ...]:
    with pytest.raises(InvoiceFileError) as caught:
        read_invoices(data, filename)
    return caught.value.problems


def messages(data: bytes, filename: str = "invoices.csv") -> list[str]:
    return [problem.message for problem in problems_of(data, filename)]


# --- real files ---------------------------------------------------------------------------------


def test_a_utf8_csv_with_two_invoices(tmp_path: Path) -> None:
    lines = [
        line(invoice_total="1,500.00", due_date="2026-11-30"),
        line(
            placement="NWR-SPOT-60",
            description="60s spots",
            quantity="",
            amount="500",
            tax="",
            invoice_total="1,500.00",
            due_date="2026-11-30",
        ),
        line(
            vendor="Contoso Outdoor",
            invoice_number="88231",
            invoice_date="2026-11-02",
            io_number="",
            placement="CTO-BB-BER",
            month="2026-10",
            description="Billboards",
            quantity="12",
            amount="-250.00",
            tax="-47.50",
        ),
    ]
    data = write(tmp_path / "invoices.csv", csv_bytes(lines))
    assert read_invoices(data, "invoices.csv") == [
        InvoiceFileInvoice(
            vendor="Northwind Radio",
            number="NR-1",
            invoice_date=date(2026, 10, 31),
            currency="EUR",
            stated_total=Decimal("1500.00"),
            due_date=date(2026, 11, 30),
            lines=(
                InvoiceLineRow(
                    2, "IO-42", "NWR-SPOT-30", (2026, 10), "30s spots", Decimal(100),
                    Decimal("1000.00"), Decimal("190.00"),
                ),
                InvoiceLineRow(
                    3, "IO-42", "NWR-SPOT-60", (2026, 10), "60s spots", None, Decimal(500),
                    Decimal(0),
                ),
            ),
            first_row=2,
        ),
        InvoiceFileInvoice(
            vendor="Contoso Outdoor",
            number="88231",
            invoice_date=date(2026, 11, 2),
            currency="EUR",
            stated_total=None,
            due_date=None,
            lines=(
                InvoiceLineRow(
                    4, "", "CTO-BB-BER", (2026, 10), "Billboards", Decimal(12),
                    Decimal("-250.00"), Decimal("-47.50"),
                ),
            ),
            first_row=4,
        ),
    ]  # fmt: skip


def test_utf8_with_bom_and_lines_above_the_header_keep_the_files_row_numbers(
    tmp_path: Path,
) -> None:
    preamble = [["Northwind Radio — invoice export"], ["Exported 2026-11-01 08:00"], []]
    vendor = "Radio Ünterföhring"
    lines = [line(vendor=vendor), line(vendor=vendor, placement="NWR-2", amount="20.00")]
    data = write(
        tmp_path / "export.csv",
        b"\xef\xbb\xbf" + csv_bytes(lines, preamble=preamble),
    )
    (invoice,) = read_invoices(data, "export.csv")
    assert invoice.vendor == "Radio Ünterföhring"
    assert invoice.first_row == 5  # title, export line, blank line, header
    assert [item.row for item in invoice.lines] == [5, 6]
    broken = write(
        tmp_path / "broken.csv",
        b"\xef\xbb\xbf"
        + csv_bytes([*lines, line(vendor=vendor, amount="12,3x")], preamble=preamble),
    )
    assert messages(broken) == [
        'row 7, column "amount": "12,3x" is not a number; write it as 1234.56, 1,234.56 or '
        "1.234,56."
    ]


def test_windows_1252_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    """What a German Excel saves as "CSV (Trennzeichen-getrennt)"."""
    lines = [
        line(
            vendor="Süddeutsche Medien",
            invoice_number="RE-2026/0815",
            invoice_date="31.10.2026",
            month="10.2026",
            description="Anzeige ½ Seite, Farbe – 2.500 € Rabatt",
            quantity="1.500",  # thousands: the file writes decimals with commas
            amount="12.345,67",
            tax="2.345,68",
            invoice_total="12.845,67",
            due_date="30.11.2026",
        ),
        line(
            vendor="Süddeutsche Medien",
            invoice_number="RE-2026/0815",
            invoice_date="31.10.2026",
            placement="SZ-ONLINE",
            month="Okt. 2026",
            description="Rabatt",
            quantity="",
            amount="500,00",
            tax="95",
            invoice_total="12.845,67",
            due_date="",
        ),
    ]
    data = write(tmp_path / "rechnung.csv", csv_bytes(lines, delimiter=";", encoding="cp1252"))
    assert b";" in data and "Süd".encode("cp1252") in data
    (invoice,) = read_invoices(data, "rechnung.csv")
    assert (invoice.vendor, invoice.number) == ("Süddeutsche Medien", "RE-2026/0815")
    assert invoice.invoice_date == date(2026, 10, 31)
    assert invoice.due_date == date(2026, 11, 30)
    assert invoice.stated_total == Decimal("12845.67")
    first, second = invoice.lines
    assert first.description == "Anzeige ½ Seite, Farbe – 2.500 € Rabatt"
    assert (first.quantity, first.amount, first.tax) == (
        Decimal(1500),
        Decimal("12345.67"),
        Decimal("2345.68"),
    )
    assert (second.month, second.quantity, second.amount, second.tax) == (
        (2026, 10),
        None,
        Decimal(500),
        Decimal(95),
    )


def test_french_numbers_with_no_break_spaces(tmp_path: Path) -> None:
    lines = [line(amount="1\u00a0234,50", tax="246,90", quantity="2\u00a0000\u00a0000")]
    data = write(tmp_path / "facture.csv", csv_bytes(lines, delimiter=";", encoding="utf-8-sig"))
    (invoice,) = read_invoices(data, "facture.csv")
    assert invoice.lines[0].amount == Decimal("1234.50")
    assert invoice.lines[0].quantity == Decimal(2000000)


def test_an_openpyxl_workbook_with_date_and_number_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Invoice lines"
    sheet.append(["Vendor", "Invoice #", "Invoice date", "Currency", "IO #", "Placement code",
                  "Service month", "Description", "Qty", "Net amount", "VAT", "Total",
                  "Due"])  # fmt: skip
    sheet.append(["Contoso Outdoor", 88231, date(2026, 11, 2), "eur", "IO-51", "CTO-BB-BER",
                  date(2026, 10, 1), "Billboards", 12, 9840, 1869.6, 10339.6,
                  datetime(2026, 12, 2, 0, 0)])  # fmt: skip
    sheet.append(["Contoso Outdoor", 88231, date(2026, 11, 2), "EUR", None, 4711,
                  date(2026, 10, 17), None, None, 499.6, None, 10339.6, None])  # fmt: skip
    for row in sheet.iter_rows(min_row=2):
        row[6].number_format = "mmm yyyy"
    path = tmp_path / "contoso.xlsx"
    book.save(path)
    (invoice,) = read_invoices(path.read_bytes(), path.name)
    assert invoice == InvoiceFileInvoice(
        vendor="Contoso Outdoor",
        number="88231",  # a number cell, read as the number it shows
        invoice_date=date(2026, 11, 2),
        currency="EUR",
        stated_total=Decimal("10339.6"),
        due_date=date(2026, 12, 2),
        lines=(
            InvoiceLineRow(
                2, "IO-51", "CTO-BB-BER", (2026, 10), "Billboards", Decimal(12), Decimal(9840),
                Decimal("1869.6"),
            ),
            InvoiceLineRow(
                3, "", "4711", (2026, 10), "", None, Decimal("499.6"), Decimal(0)
            ),
        ),
        first_row=2,
    )  # fmt: skip


def xlsxwriter_invoice(build_rows: Any) -> bytes:
    """A workbook written by XlsxWriter: a merged title, a blank row, the header in row 3."""

    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("Rechnung")
        day = workbook.add_format({"num_format": "dd.mm.yyyy"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        sheet.merge_range("A1:E1", "Invoice NR-1 — Northwind Radio", None)
        sheet.write_row(2, 0, HEADER)
        build_rows(workbook, sheet, day, money)

    return xlsx(build)


def test_an_xlsxwriter_workbook_with_a_title_above_the_header(tmp_path: Path) -> None:
    def rows(workbook: Any, sheet: Any, day: Any, money: Any) -> None:
        for number, amount, tax in ((3, 1234.5, 234.56), (4, -234.5, -44.56)):
            sheet.write_row(number, 0, ["Northwind Radio", "NR-1"])
            sheet.write_datetime(number, 2, datetime(2026, 10, 31), day)
            sheet.write_row(number, 3, ["EUR", "IO-42", f"NWR-{number}"])
            sheet.write_datetime(number, 6, datetime(2026, 10, 1), day)
            sheet.write_row(number, 7, ["spots", 10])
            sheet.write_number(number, 9, amount, money)
            sheet.write_formula(number, 10, f"=ROUND(J{number + 1}*0.19, 2)", money, tax)
            sheet.write_number(number, 11, 1000, money)

    data = write(tmp_path / "nr-1.xlsx", xlsxwriter_invoice(rows))
    (invoice,) = read_invoices(data, "nr-1.xlsx")
    assert invoice.first_row == 4
    assert [(item.row, item.placement, item.month) for item in invoice.lines] == [
        (4, "NWR-3", (2026, 10)),
        (5, "NWR-4", (2026, 10)),
    ]
    assert [item.amount for item in invoice.lines] == [Decimal("1234.5"), Decimal("-234.5")]
    assert [item.tax for item in invoice.lines] == [Decimal("234.56"), Decimal("-44.56")]
    assert invoice.stated_total == Decimal(1000)


def test_merged_cells_and_excel_errors_in_a_workbook(tmp_path: Path) -> None:
    def rows(workbook: Any, sheet: Any, day: Any, money: Any) -> None:
        sheet.merge_range("A4:A5", "Northwind Radio", None)
        for number in (3, 4):
            sheet.write(number, 1, "NR-1")
            sheet.write_datetime(number, 2, datetime(2026, 10, 31), day)
            sheet.write_row(number, 3, ["EUR", "IO-42", f"NWR-{number}", "2026-10", "spots", 10])
        sheet.write_number(3, 9, 100, money)
        sheet.write_formula(4, 9, "=I5/0", money, "#DIV/0!")

    data = write(tmp_path / "merged.xlsx", xlsxwriter_invoice(rows))
    found = problems_of(data, "merged.xlsx")
    assert [(p.row, p.column, p.value) for p in found] == [
        (5, "vendor", ""),
        (5, "amount", "#DIV/0!"),
    ]
    assert [p.message for p in found] == [
        'row 5, column "vendor": the vendor\'s name is missing (the cell is merged with row 4: '
        "unmerge it and fill in every row); every invoice line needs one.",
        'row 5, column "amount": "#DIV/0!" is an Excel error (a formula that failed); fix the '
        "formula or type the value.",
    ]


# --- headers ------------------------------------------------------------------------------------


def test_headers_ignore_case_spaces_underscores_order_and_notes() -> None:
    header = ["Amount (EUR)", "  PLACEMENT ", "Invoice No.", "VENDOR_NAME", "invoice-date",
              "Currency", "Month of service", "Internal note", "Tax"]  # fmt: skip
    rows = [["1.234,50", "P-1", "7", "Acme", "05/10/2026", "EUR", "Oct 2026", "ignored", "0,5"]]
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([header, *rows])
    (invoice,) = read_invoices(text.getvalue().encode(), "acme.csv")
    assert (invoice.vendor, invoice.number, invoice.invoice_date) == (
        "Acme",
        "7",
        date(2026, 10, 5),
    )
    assert invoice.lines == (
        InvoiceLineRow(2, "", "P-1", (2026, 10), "", None, Decimal("1234.50"), Decimal("0.5")),
    )


def test_every_header_names_one_column() -> None:
    headers = [fold_header(h) for column in COLUMNS for h in (column.name, *column.aliases)]
    assert len(headers) == len(set(headers))
    assert fold_header("Invoice #") == fold_header("invoice #") == "invoice#"
    assert fold_header(" Net_Amount (gross) ") == "netamount"


def test_a_column_given_twice() -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([*HEADER, "Net amount"])
    writer.writerow([*(DEFAULTS[name] for name in HEADER), "5"])
    assert messages(text.getvalue().encode()) == [
        'row 1, column "Net amount": column "amount" already gives the amount; delete or rename '
        "one of the two columns."
    ]


# --- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "invoice.xlsx",
            "invoice.xlsx is not an Excel workbook (it looks like a PDF). Save it as .xlsx and "
            "upload again.",
        ),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "invoice.csv",
            "invoice.csv is not a text file (it looks like a PDF). Export it again as CSV and "
            "upload the new file.",
        ),
        (
            b"%PDF-1.7\n",
            "C:\\Users\\anna\\invoice.pdf",
            "invoice.pdf is not a file type mediadesk reads; upload a .xlsx, .csv, .tsv, .txt or "
            ".json file.",
        ),
        (
            b'[{"vendor": "Acme"}]',
            "invoices.json",
            "invoices.json is a JSON file; invoice lines are read from CSV or XLSX files.",
        ),
        (b"", "invoices.csv", "invoices.csv is empty."),
    ],
)
def test_files_that_are_not_invoice_tables(data: bytes, filename: str, message: str) -> None:
    assert problems_of(data, filename) == (InvoiceProblem(None, None, "", message),)


def test_a_damaged_workbook(tmp_path: Path) -> None:
    good = write(tmp_path / "good.xlsx", xlsxwriter_invoice(lambda *args: None))
    (problem,) = problems_of(good[: len(good) // 2], "cut.xlsx")
    assert problem.row is None
    assert problem.message.startswith("cut.xlsx is damaged or incomplete")


def test_missing_required_columns_are_named_with_the_headers_found() -> None:
    data = b"Vendor,Invoice No,Date,Placement,Amount\r\nAcme,1,2026-10-01,P-1,100\r\n"
    assert problems_of(data, "acme.csv") == (
        InvoiceProblem(
            1,
            None,
            "",
            'row 1: the header row has no "invoice_date", "currency" and "month" columns; the '
            'headers found are: "Vendor", "Invoice No", "Date", "Placement", "Amount". Add the '
            "missing columns (docs/invoice-import.md lists the names mediadesk reads), or check "
            "that this is the right file.",
        ),
    )


def test_a_file_of_other_things_says_what_it_lacks() -> None:
    data = b"Campaign,Impressions,Clicks\r\nBrand,1000,10\r\n"
    (problem,) = problems_of(data, "delivery.csv")
    assert problem.message.startswith(
        'row 1: the header row has no "vendor", "invoice_number", "invoice_date", "currency", '
        '"placement", "month" and "amount" columns; the headers found are: "Campaign", '
        '"Impressions", "Clicks".'
    )


def test_a_header_without_lines(tmp_path: Path) -> None:
    assert messages(write(tmp_path / "empty.csv", csv_bytes([])), "empty.csv") == [
        "empty.csv has a header row (row 1) but no invoice lines below it."
    ]
    blank_rows = csv_bytes([]) + b",,,\r\n\r\n, ,\r\n"
    assert messages(blank_rows, "blank.csv") == [
        "blank.csv has a header row (row 1) but no invoice lines below it."
    ]


def test_unreadable_dates_months_numbers_and_currencies() -> None:
    lines = [
        line(invoice_number="A", invoice_date="31.02.2026"),
        line(invoice_number="B", invoice_date="soon"),
        line(invoice_number="C", month="13/2026"),
        line(invoice_number="D", month="2026"),
        line(invoice_number="E", amount="12,3x"),
        line(invoice_number="F", quantity="many"),
        line(invoice_number="G", currency="Euro"),
        line(invoice_number="H", due_date="2026"),
        line(invoice_number="I", tax="TRUE"),
    ]
    found = problems_of(csv_bytes(lines), "invoices.csv")
    assert [(p.row, p.column, p.value) for p in found] == [
        (2, "invoice_date", "31.02.2026"),
        (3, "invoice_date", "soon"),
        (4, "month", "13/2026"),
        (5, "month", "2026"),
        (6, "amount", "12,3x"),
        (7, "quantity", "many"),
        (8, "currency", "Euro"),
        (9, "due_date", "2026"),
        (10, "tax", "TRUE"),
    ]
    assert [p.message for p in found] == [
        'row 2, column "invoice_date": "31.02.2026" is not a valid date (day is out of range '
        "for month); write it as 2026-10-31, 31.10.2026 or 31/10/2026.",
        'row 3, column "invoice_date": "soon" is not a date; write it as 2026-10-31, 31.10.2026 '
        "or 31/10/2026.",
        'row 4, column "month": "13/2026" is not a month; write the month of service as 2026-10, '
        "10/2026 or Oct 2026.",
        'row 5, column "month": "2026" is not a month; write the month of service as 2026-10, '
        "10/2026 or Oct 2026.",
        'row 6, column "amount": "12,3x" is not a number; write it as 1234.56, 1,234.56 or '
        "1.234,56.",
        'row 7, column "quantity": "many" is not a number; write it as 1234.56, 1,234.56 or '
        "1.234,56.",
        'row 8, column "currency": "Euro" is not a currency mediadesk knows; write its ISO 4217 '
        "code, such as EUR, USD or GBP.",
        'row 9, column "due_date": "2026" reads as 1905-07-18, which cannot be the due date; '
        "write it as 2026-10-31, 31.10.2026 or 31/10/2026.",
        'row 10, column "tax": "TRUE" is not a number; write it as 1234.56, 1,234.56 or 1.234,56.',
    ]


def test_empty_required_cells() -> None:
    row = line(vendor=" ", invoice_number="", invoice_date="", currency="", placement="",
               month="", amount="")  # fmt: skip
    found = problems_of(csv_bytes([row]), "invoices.csv")
    assert [p.column for p in found] == [
        "vendor", "invoice_number", "invoice_date", "currency", "placement", "month", "amount",
    ]  # fmt: skip
    assert found[-1].message == (
        'row 2, column "amount": the amount is missing; every invoice line needs one.'
    )


def test_rows_of_one_invoice_must_agree() -> None:
    lines = [
        line(placement="P-1", invoice_total="3000", due_date="2026-11-30"),
        line(placement="P-2", invoice_date="2026-11-01", invoice_total="3000.00"),
        line(placement="P-3", currency="usd", invoice_total="", due_date="30.11.2026"),
        line(placement="P-4", invoice_total="3100", due_date="2026-12-31"),
        line(vendor="NORTHWIND  RADIO", placement="P-5", currency="GBP"),  # the same vendor
        line(invoice_number="NR-2", placement="P-6", currency="GBP", invoice_total="1"),
    ]
    assert messages(csv_bytes(lines)) == [
        'row 3, column "invoice_date": "2026-11-01" differs from "2026-10-31" on row 2; every '
        "line of invoice NR-1 from Northwind Radio must give the same invoice date.",
        'row 4, column "currency": "usd" differs from "EUR" on row 2; every line of invoice NR-1 '
        "from Northwind Radio must give the same currency.",
        'row 5, column "invoice_total": "3100" differs from "3000" on row 2; every line of '
        "invoice NR-1 from Northwind Radio must give the same stated invoice total.",
        'row 5, column "due_date": "2026-12-31" differs from "2026-11-30" on row 2; every line '
        "of invoice NR-1 from Northwind Radio must give the same due date.",
        'row 6, column "currency": "GBP" differs from "EUR" on row 2; every line of invoice NR-1 '
        "from Northwind Radio must give the same currency.",
    ]


def test_more_decimal_places_than_the_currency_has(tmp_path: Path) -> None:
    lines = [
        line(invoice_number="A", amount="10.123"),
        line(invoice_number="B", amount="1.500"),
        line(invoice_number="C", currency="JPY", amount="1500.5", tax="0"),
        line(
            invoice_number="D", currency="KWD", amount="10.125", tax="1.5", invoice_total="10.125"
        ),
        line(invoice_number="E", tax="1.005", invoice_total="1000.001"),
        line(invoice_number="F", quantity="1.125", amount="1000"),  # quantities are not money
    ]
    assert messages(csv_bytes(lines)) == [
        'row 2, column "amount": "10.123" has 3 decimal places, but EUR has 2: round it to 2 '
        "decimal places (if you meant 10123, write 10123 without the dot).",
        'row 3, column "amount": "1.500" has 3 decimal places, but EUR has 2: round it to 2 '
        "decimal places (if you meant 1500, write 1500 without the dot).",
        'row 4, column "amount": "1500.5" has 1 decimal place, but JPY has none: round it to '
        "whole JPY.",
        'row 6, column "tax": "1.005" has 3 decimal places, but EUR has 2: round it to 2 decimal '
        "places (if you meant 1005, write 1005 without the dot).",
        'row 6, column "invoice_total": "1000.001" has 3 decimal places, but EUR has 2: round '
        "it to 2 decimal places.",
    ]
    # A float that lost its way in a formula: Excel writes 17 significant digits where XlsxWriter
    # and openpyxl write 15, so the sheet is written as Excel would.
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append([DEFAULTS[name] for name in HEADER[:9]] + [1234.56, 0.1])
    saved = io.BytesIO()
    book.save(saved)
    part = "xl/worksheets/sheet1.xml"
    sheet = members(saved.getvalue())[part].replace(b"<v>1234.56</v>", b"<v>1234.5600000000002</v>")
    path = tmp_path / "float.xlsx"
    path.write_bytes(rezip(saved.getvalue(), {part: sheet}))
    assert messages(path.read_bytes(), path.name) == [
        'row 2, column "amount": "1234.5600000000002" has 13 decimal places, but EUR has 2: '
        "round it to 2 decimal places (in Excel, wrap the formula that computes it in "
        "=ROUND(…, 2)).",
    ]


def test_a_line_of_zero_without_a_quantity_is_probably_blank() -> None:
    lines = [
        line(placement="P-1"),
        line(placement="P-2", amount="0,00", quantity="", tax=""),
        line(placement="P-3", amount="0", quantity="0"),  # a zero line that says what it bills
    ]
    assert problems_of(csv_bytes(lines), "invoices.csv") == (
        InvoiceProblem(
            3,
            "amount",
            "0,00",
            'row 3, column "amount": the amount is 0 and there is no quantity, so this is '
            "probably a blank line; delete the row, or fill in what the line bills.",
        ),
    )


def test_a_stated_total_that_differs_from_the_lines_is_kept_for_the_matching() -> None:
    lines = [line(placement="P-1", invoice_total="5000"), line(placement="P-2", invoice_total="")]
    (invoice,) = read_invoices(csv_bytes(lines), "invoices.csv")
    assert sum(item.amount for item in invoice.lines) == Decimal(2000)
    assert invoice.stated_total == Decimal(5000)


def test_a_repeated_line() -> None:
    lines = [line(placement=f"P-{number}") for number in range(2, 8)]
    lines += [line(placement="P-8", amount="1234.50"), line(placement="P-8", amount="1,234.5")]
    lines += [line(placement="P-8", amount="1234.50", description="second flight")]
    lines += [line(invoice_number="NR-2", placement="P-8", amount="1234.50")]  # another invoice
    found = problems_of(csv_bytes(lines), "invoices.csv")
    assert found == (
        InvoiceProblem(
            9,
            None,
            "",
            "row 9 repeats row 8 (the same line of invoice NR-1 from Northwind Radio); delete "
            "one of them, or tell them apart in the description.",
        ),
    )


def test_every_problem_is_collected_in_row_order() -> None:
    lines = [line(placement=f"P-{n}", amount="x" if n % 2 else "1") for n in range(40)]
    lines[5] = line(placement="P-5", amount="1", currency="XXX", month="someday")
    with pytest.raises(InvoiceFileError) as caught:
        read_invoices(csv_bytes(lines), "invoices.csv")
    found = caught.value.problems
    assert len(found) == 19 + 2
    assert [p.row for p in found] == sorted(p.row or 0 for p in found)
    assert [(p.row, p.column) for p in found[2:4]] == [(7, "currency"), (7, "month")]
    text = str(caught.value).splitlines()
    assert text[0] == "The invoice file has 21 problems to fix:"
    assert text[1] == found[0].message
    assert text[-1] == "… and 1 more."
    assert len(text) == 22


def test_text_cells_are_tidied() -> None:
    lines = [line(vendor="  Northwind   Radio ", io_number="n/a", placement=" P-1 ")]
    (invoice,) = read_invoices(csv_bytes(lines), "invoices.csv")
    assert invoice.vendor == "Northwind Radio"
    assert (invoice.lines[0].io_number, invoice.lines[0].placement) == ("", "P-1")


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("2026-10", (2026, 10)),
        ("2026/9", (2026, 9)),
        ("10/2026", (2026, 10)),
        ("1.2027", (2027, 1)),
        ("202610", (2026, 10)),
        ("Oct 2026", (2026, 10)),
        ("October 2026", (2026, 10)),
        ("oct-26", (2026, 10)),
        ("März 2026", (2026, 3)),
        ("févr. 2026", (2026, 2)),
        ("2026-10-15", (2026, 10)),
        ("15.10.2026", (2026, 10)),
        ("01/10/2026", (2026, 10)),  # day first
        ("20261031", (2026, 10)),
    ],
)
def test_month_forms(written: str, month: tuple[int, int]) -> None:
    (invoice,) = read_invoices(csv_bytes([line(month=written)]), "invoices.csv")
    assert invoice.lines[0].month == month


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-10-01", date(2026, 10, 1)),
        ("01/10/2026", date(2026, 10, 1)),  # day first, as the locale writes it
        ("1.10.26", date(2026, 10, 1)),
        ("1 Oct 2026", date(2026, 10, 1)),
        ("1. Oktober 2026", date(2026, 10, 1)),
        ("20261001", date(2026, 10, 1)),
        ("2026-10-01T00:00:00", date(2026, 10, 1)),
    ],
)
def test_invoice_date_forms(written: str, day: date) -> None:
    (invoice,) = read_invoices(csv_bytes([line(invoice_date=written)]), "invoices.csv")
    assert invoice.invoice_date == day


# --- the documentation --------------------------------------------------------------------------


def documented_columns() -> list[tuple[str, bool, tuple[str, ...]]]:
    text = DOCS.read_text()
    table = text.split("<!-- columns:start -->\n")[1].split("\n<!-- columns:end -->")[0]
    rows = []
    for row in table.splitlines()[2:]:
        name, required, aliases, _ = (cell.strip() for cell in row.strip("|").split("|"))
        assert required in ("yes", "no"), row
        rows.append((name.strip("`"), required == "yes", tuple(re.findall(r"`([^`]+)`", aliases))))
    return rows


def test_the_documented_columns_are_the_codes_columns() -> None:
    assert documented_columns() == [
        (column.name, column.required, column.aliases) for column in COLUMNS
    ]


def test_the_documented_example_reads_as_described() -> None:
    block = DOCS.read_text().split("```csv\n")[1].split("```")[0]
    first, second = read_invoices(block.encode("cp1252"), "example.csv")
    assert (first.vendor, first.number, first.invoice_date) == (
        "Northwind Radio",
        "NR-2026-114",
        date(2026, 10, 31),
    )
    assert first.stated_total == Decimal("18150.00")
    assert [item.amount for item in first.lines] == [Decimal("18600.00"), Decimal("-450.00")]
    assert sum(item.amount for item in first.lines) == first.stated_total
    assert (second.number, second.invoice_date, second.stated_total) == (
        "88231",
        date(2026, 11, 2),
        None,
    )
    assert [(item.amount, item.month) for item in second.lines] == [
        (Decimal("9840.00"), (2026, 10))
    ]


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=500)
@given(
    st.text(alphabet="0123456789,.-+ ", max_size=14)
    | st.from_regex(r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", fullmatch=True)
)
def test_the_shortcut_for_plain_numbers_agrees_with_parse_decimal(text: str) -> None:
    try:
        expected: Decimal | str | None = parse_decimal(text)
    except ValueProblem:
        expected = "problem"
    try:
        got: Decimal | str | None = invoices_module._decimal(text)
    except ValueProblem:
        got = "problem"
    assert str(got) == str(expected)  # the same value, written with the same decimal places


MONEY = st.decimals(
    min_value=Decimal("-99999999.99"),
    max_value=Decimal("99999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
QUANTITY = st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal("999999999.9"), places=1)


@st.composite
def invoice_files(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Invoices as the test means them: Decimals and dates, not yet written in any locale."""
    invoices = []
    for number in range(draw(st.integers(1, 4))):
        lines = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"amount": MONEY, "quantity": QUANTITY, "tax": st.none() | MONEY}
                ).filter(lambda item: item["amount"] != 0 or item["quantity"] is not None),
                min_size=1,
                max_size=5,
            )
        )
        invoices.append(
            {
                "vendor": draw(st.sampled_from(["Northwind Radio", "Café Média", "Ströer"])),
                "number": f"INV-{number}",
                "date": draw(st.dates(date(2020, 1, 1), date(2030, 12, 31))),
                "currency": draw(st.sampled_from(["EUR", "USD", "GBP", "CHF"])),
                "total": draw(st.none() | MONEY),
                "month": (draw(st.integers(2020, 2030)), draw(st.integers(1, 12))),
                "lines": lines,
            }
        )
    return invoices


def written(number: Decimal | None, locale: str) -> str:
    if number is None:
        return ""
    english = f"{number:,f}"
    if locale == "en":
        return english
    if locale == "plain":
        return str(number)
    if locale == "de":
        return english.translate(str.maketrans({",": ".", ".": ","}))
    return english.replace(",", "\u00a0").replace(".", ",")  # fr


LOCALES = {  # delimiter, encoding, date form, month form
    "en": (",", "utf-8", "%Y-%m-%d", "{y}-{m:02d}"),
    "plain": ("\t", "utf-8", "%d/%m/%Y", "{m:02d}/{y}"),
    "de": (";", "cp1252", "%d.%m.%Y", "{m}.{y}"),
    "fr": (";", "utf-8-sig", "%d/%m/%Y", "{m:02d}/{y}"),
}


def check_read_back(expected: list[dict[str, Any]], got: list[InvoiceFileInvoice]) -> None:
    assert [(i.vendor, i.number, i.currency, i.invoice_date) for i in got] == [
        (e["vendor"], e["number"], e["currency"], e["date"]) for e in expected
    ]
    for invoice, wanted in zip(got, expected, strict=True):
        assert invoice.stated_total == wanted["total"]
        assert [(item.amount, item.quantity, item.tax, item.month) for item in invoice.lines] == [
            (
                item["amount"],
                item["quantity"],
                Decimal(0) if item["tax"] is None else item["tax"],
                wanted["month"],
            )
            for item in wanted["lines"]
        ]


@settings(max_examples=150, deadline=None)
@given(invoice_files(), st.sampled_from(sorted(LOCALES)))
def test_any_lines_written_to_csv_read_back_as_the_same_decimals(
    invoices: list[dict[str, Any]], locale: str
) -> None:
    delimiter, encoding, date_form, month_form = LOCALES[locale]
    rows = []
    for invoice in invoices:
        year, month = invoice["month"]
        for number, item in enumerate(invoice["lines"]):
            rows.append(
                {
                    "vendor": invoice["vendor"],
                    "invoice_number": invoice["number"],
                    "invoice_date": invoice["date"].strftime(date_form),
                    "currency": invoice["currency"],
                    "placement": f"P-{number}",
                    "month": month_form.format(y=year, m=month),
                    "quantity": written(item["quantity"], locale),
                    "amount": written(item["amount"], locale),
                    "tax": written(item["tax"], locale),
                    "invoice_total": written(invoice["total"], locale),
                }
            )
    data = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    check_read_back(invoices, read_invoices(data, f"invoices-{locale}.csv"))


@settings(max_examples=30, deadline=None)
@given(invoice_files())
def test_any_lines_written_to_xlsx_read_back_as_the_same_decimals(
    invoices: list[dict[str, Any]],
) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("Lines")
        day = workbook.add_format({"num_format": "dd.mm.yyyy"})
        sheet.write_row(0, 0, HEADER)
        number = 1
        for invoice in invoices:
            for index, item in enumerate(invoice["lines"]):
                sheet.write_row(number, 0, [invoice["vendor"], invoice["number"]])
                sheet.write_datetime(number, 2, invoice["date"], day)
                sheet.write_row(number, 3, [invoice["currency"], "", f"P-{index}"])
                sheet.write_datetime(number, 6, date(*invoice["month"], 1), day)
                for column, value in (
                    (8, item["quantity"]),
                    (9, item["amount"]),
                    (10, item["tax"]),
                    (11, invoice["total"]),
                ):
                    if value is not None:
                        sheet.write_number(number, column, float(value))
                number += 1

    check_read_back(invoices, read_invoices(xlsx(build), "invoices.xlsx"))
