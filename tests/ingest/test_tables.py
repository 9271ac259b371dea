import datetime
import io
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mediadesk.ingest.safety import UnsafeFile
from mediadesk.ingest.tables import Row, Table, read_table, sheet_names
from mediadesk.ingest.values import parse_date, parse_decimal

from .files import simple_xlsx, xlsx

# --- CSV: encodings and delimiters ------------------------------------------------------------

ROWS = [["Campaign", "Café spend", "Start"], ["Été 2026", "1234.50", "2026-10-01"]]


def csv_bytes(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    return newline.join(delimiter.join(row) for row in rows) + newline


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        (csv_bytes(ROWS).encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + csv_bytes(ROWS).encode("utf-8"), "UTF-8 with BOM"),
        (b"\xff\xfe" + csv_bytes(ROWS, "\t", "\r\n").encode("utf-16-le"), "UTF-16 LE, tabs"),
        (b"\xfe\xff" + csv_bytes(ROWS, ";").encode("utf-16-be"), "UTF-16 BE"),
        (csv_bytes(ROWS, ";", "\r\n").encode("cp1252"), "Windows-1252"),
    ],
)
def test_encodings(encoded: bytes, label: str, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(encoded)
    table = read_table(path.read_bytes(), path.name)
    assert table.headers == ("Campaign", "Café spend", "Start"), label
    assert table.rows == (Row(2, ("Été 2026", "1234.50", "2026-10-01")),), label
    assert table.source == "export.csv"


def test_windows_1252_euro_sign_and_undefined_bytes() -> None:
    data = "Campaign;Cost\nÉté;1.234,56 €\n".encode("cp1252") + b"Odd\x81;1\n"
    table = read_table(data, "export.csv")
    assert table.rows[0].cells == ("Été", "1.234,56 €")
    assert table.rows[1].cells == ("Odd\x81", "1")
    assert parse_decimal(table.rows[0].cells[1]) == Decimal("1234.56")


def test_a_byte_order_mark_that_lies() -> None:
    with pytest.raises(ValueError) as caught:
        read_table(b"\xef\xbb\xbfCaf\xe9,Cost\n", "export.csv")
    assert str(caught.value) == (
        "export.csv says it is UTF-8 text but byte 7 is not. "
        "Export it again as CSV (UTF-8) and upload the new file."
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter: str) -> None:
    rows = [["Campaign", "Impr.", "Cost"], ["Brand", "1200", "15.5"], ["Generic", "800", "9"]]
    table = read_table(csv_bytes(rows, delimiter).encode(), "report.csv")
    assert table.headers == ("Campaign", "Impr.", "Cost")
    assert [row.cells for row in table.rows] == [("Brand", "1200", "15.5"), ("Generic", "800", "9")]


def test_semicolons_beat_decimal_commas() -> None:
    """A French export: ';' between cells, ',' inside every amount."""
    data = "Campagne;Montant dépensé (EUR);Clics\nMarque;1 234,56;12\nGénérique;2,5;3\n"
    table = read_table(data.encode("utf-8"), "export.csv")
    assert table.headers == ("Campagne", "Montant dépensé (EUR)", "Clics")
    assert [parse_decimal(row.cells[1]) for row in table.rows] == [
        Decimal("1234.56"),
        Decimal("2.5"),
    ]


def test_quoted_thousands_with_commas() -> None:
    data = b'Keyword,Impr.,Conv. value\n[running shoes],"1,663,964","859,624.17"\n'
    table = read_table(data, "keywords.csv")
    assert table.rows[0].cells == ("[running shoes]", "1,663,964", "859,624.17")
    assert parse_decimal(table.rows[0].cells[2]) == Decimal("859624.17")


def test_excel_sep_line() -> None:
    table = read_table(b"sep=;\nCampaign;Cost\nA,B;1,5\n", "export.csv")
    assert table.headers == ("Campaign", "Cost")
    assert table.rows == (Row(2, ("A,B", "1,5")),)


# --- headers ----------------------------------------------------------------------------------


def test_title_lines_above_the_header() -> None:
    """The Google Ads layout: a title, a quoted date range, the header, rows, total rows."""
    data = (
        b"Search keyword report\n"
        b'"May 18, 2025 - August 15, 2025"\n'
        b"Keyword status,Keyword,Match type,Impr.,Cost,CTR\n"
        b'Enabled,running shoes,Exact match,"1,663",247.40,8.27%\n'
        b"Paused,trail shoes,Phrase match, --,0.00,0.22%\n"
        b",,Total: Search,1663,247.40,8.27%\n"
    )
    table = read_table(data, "Search keyword report.csv")
    assert table.header_row == 3
    assert table.headers == ("Keyword status", "Keyword", "Match type", "Impr.", "Cost", "CTR")
    assert [row.number for row in table.rows] == [4, 5, 6]
    assert parse_decimal(table.rows[1].cells[3]) is None
    assert parse_decimal(table.rows[0].cells[5]) == Decimal("8.27")


def test_comment_lines_and_blank_lines_above_the_header() -> None:
    data = b"# Start date: 20260501\n# End date: 20260531\n\nChannel,Sessions\nOrganic,12\n"
    table = read_table(data, "ga4.csv")
    assert (table.header_row, table.headers) == (4, ("Channel", "Sessions"))
    assert table.rows == (Row(5, ("Organic", "12")),)


def test_a_metadata_line_with_a_date_is_not_the_header() -> None:
    data = b"Report Start:,2026-01-01\nCampaign,Impressions\nBrand,100\n"
    assert read_table(data, "linkedin.csv").header_row == 2


def test_header_contains_picks_the_row() -> None:
    data = b"Account,Northwind\nDate Range,Last month\nReport Fields\nDate,Campaign,Impressions\n"
    data += b"2026-05-01,Brand,120\n"
    assert read_table(data, "cm360.csv").header_row == 1  # without the hint: the wrong row
    table = read_table(data, "cm360.csv", header_contains=["campaign", "IMPRESSIONS"])
    assert table.header_row == 4
    assert table.rows == (Row(5, ("2026-05-01", "Brand", "120")),)


def test_header_contains_that_never_matches() -> None:
    with pytest.raises(ValueError) as caught:
        read_table(b"Campaign,Cost\nA,1\n", "plan.csv", header_contains=["Vendor", "Cost"])
    assert str(caught.value) == (
        "plan.csv has no header row with 'Vendor', 'Cost' in its first 30 rows. "
        "Check that this is the right file (and sheet)."
    )


def test_no_header_at_all() -> None:
    with pytest.raises(ValueError) as caught:
        read_table(b"1,2\n3,4\n", "numbers.csv")
    assert str(caught.value) == (
        "numbers.csv has no header row in its first 30 rows (a row naming at least two "
        "columns). Check that this is the right file (and sheet)."
    )
    with pytest.raises(ValueError, match=r"^empty\.csv is empty\.$"):
        read_table(b"", "empty.csv")


def test_missing_headers_get_column_letters_and_rows_are_padded() -> None:
    data = b"Campaign,,Cost\nA,x,1\nB\n\n,,\nC,y,2,stray note\n"
    table = read_table(data, "plan.csv")
    assert table.headers == ("Campaign", "Column B", "Cost", "Column D")
    assert table.rows == (
        Row(2, ("A", "x", "1", "")),
        Row(3, ("B", "", "", "")),
        Row(6, ("C", "y", "2", "stray note")),
    )


def test_quoted_line_breaks_keep_excel_row_numbers() -> None:
    data = b'Campaign,Notes\nA,"two\nlines"\nB,one\n'
    table = read_table(data, "plan.csv")
    assert [(row.number, row.cells[0]) for row in table.rows] == [(2, "A"), (3, "B")]


# --- XLSX -------------------------------------------------------------------------------------


def plan_workbook(path: Path) -> bytes:
    def build(workbook: Any) -> None:
        notes = workbook.add_worksheet("Notes")
        notes.write("A1", "Read me")
        notes.hide()
        lines = workbook.add_worksheet("Lines")
        lines.activate()
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "dd.mm.yyyy"})
        lines.merge_range("A1:D1", "Northwind — Autumn plan", None)
        lines.write("A2", "Version 3")
        lines.write_row("A4", ["Vendor", "Start", "Cost", "Impressions", ""])
        lines.write("A5", "Contoso TV")
        lines.write_datetime("B5", datetime.datetime(2026, 10, 1), day)
        lines.write_number("C5", 1234.5, money)
        lines.write_number("D5", 100000)
        lines.write("A6", "Hidden radio")
        lines.write("B6", "2026-10-05")
        lines.write_formula("C6", "=C5*2", money, 2469)
        lines.set_row(5, None, None, {"hidden": True})
        lines.write("A8", "Fabrikam OOH")
        lines.write_number("B8", 45566)
        lines.write_formula("C8", "=C5/0", money, "#DIV/0!")
        lines.write_formula("D8", '="x"&A8', None, "xFabrikam OOH")
        lines.merge_range("A10:B10", "Total", None)
        lines.write_formula("C10", "=SUM(C5:C8)", money, 3703.5)
        workbook.add_chart({"type": "line"})

    return xlsx(build, path)


def test_a_plan_workbook(tmp_path: Path) -> None:
    table = read_table(plan_workbook(tmp_path / "plan.xlsx"), "plan.xlsx")
    assert table == Table(
        source="plan.xlsx, sheet Lines",
        headers=("Vendor", "Start", "Cost", "Impressions"),
        header_row=4,
        rows=(
            Row(5, ("Contoso TV", datetime.date(2026, 10, 1), 1234.5, 100000.0)),
            Row(6, ("Hidden radio", "2026-10-05", 2469.0, "")),
            Row(8, ("Fabrikam OOH", 45566.0, "#DIV/0!", "xFabrikam OOH")),
            Row(10, ("Total", "", 3703.5, "")),
        ),
        hidden_rows=frozenset({6}),
        merged_ranges=("A1:D1", "A10:B10"),
    )
    starts = [parse_date(row.cells[1]) for row in table.rows[:3]]
    assert starts == [
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 5),
        datetime.date(2024, 10, 1),
    ]
    assert parse_decimal(table.rows[0].cells[2]) == Decimal("1234.5")


def test_sheets_by_name(tmp_path: Path) -> None:
    data = plan_workbook(tmp_path / "plan.xlsx")
    assert sheet_names(data, "plan.xlsx") == ["Notes", "Lines"]
    notes = read_table(
        simple_xlsx([["Note", "By"], ["Read me", "Ann"]], sheet="Notes"), "n.xlsx", sheet="notes"
    )
    assert notes.source == "n.xlsx, sheet Notes"
    with pytest.raises(ValueError) as caught:
        read_table(data, "plan.xlsx", sheet="Lnes")
    assert (
        str(caught.value)
        == "plan.xlsx has no sheet named 'Lnes'; its worksheets are: Notes, Lines."
    )
    assert sheet_names(b"a,b\n", "plan.csv") == []


def test_a_formula_without_a_cached_value_reads_as_empty() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Vendor", "Cost", "Doubled"])
    sheet.append(["Contoso", 10, "=B2*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "openpyxl.xlsx")
    assert table.rows == (Row(2, ("Contoso", 10.0, "")),)


def test_unsafe_files_never_reach_the_reader() -> None:
    with pytest.raises(UnsafeFile, match="it looks like a PDF"):
        read_table(b"%PDF-1.7\n", "plan.xlsx")
    with pytest.raises(ValueError, match="only CSV and XLSX files are read as tables"):
        read_table(b"{}", "plan.json")


def test_twenty_thousand_rows(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("Delivery")
        sheet.write_row(0, 0, [f"Metric {column}" for column in range(20)])
        for row in range(1, 20_001):
            sheet.write_row(row, 0, [f"Placement {row}", row * 1.5, *range(18)])

    data = xlsx(build, tmp_path / "delivery.xlsx")
    started = time.perf_counter()
    table = read_table(data, "delivery.xlsx")
    elapsed = time.perf_counter() - started
    print(f"\nread_table: 20,000 rows × 20 columns ({len(data):,} bytes) in {elapsed:.2f} s")
    assert len(table.rows) == 20_000
    assert table.rows[-1] == Row(20_001, ("Placement 20000", 30000.0, *map(float, range(18))))
