"""Look-alike exports built here: locales, encodings, delimiters, summary rows, currencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from mediadesk.ingest.delivery.detect import PLATFORMS, detect
from mediadesk.ingest.delivery.generic import header_currency, read_mapped
from mediadesk.ingest.delivery.inspect import InspectError, inspect
from mediadesk.ingest.delivery.schema import SCHEMA
from mediadesk.ingest.delivery.summary import is_summary_row
from mediadesk.ingest.tables import read_table

from ..files import simple_xlsx

GOOGLE_EN = (
    "Campaign report\r\n"
    '"May 1, 2025 - May 31, 2025"\r\n'
    "Day,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value\r\n"
    '2025-05-01,Brand,Exact,USD,"1,234",56,1234.56,3.50,"1,000.00"\r\n'
    "2025-05-02,Brand,Exact,USD,766,44, --,1.50,0.00\r\n"
    ',Total: Account,,USD,"2,000",100,1234.56,5.00,"1,000.00"\r\n'
    ',Total: Search,,USD,"2,000",100,1234.56,5.00,"1,000.00"\r\n'
)
GOOGLE_DE = (
    "Kampagnenbericht\r\n"
    "1. Mai 2025 - 31. Mai 2025\r\n"
    "Tag;Kampagne;Anzeigengruppe;Währungscode;Impr.;Klicks;Kosten;Konversionen\r\n"
    "01.05.2025;Marke;Exakt;EUR;1.234;56;1.234,56;3,5\r\n"
    "02.05.2025;Marke;Exakt;EUR;766;44;765,44;1,5\r\n"
    "Gesamt: Konto;;;EUR;2.000;100;2.000,00;5\r\n"
)


def test_schema_keeps_money_out_of_floats() -> None:
    result = inspect(GOOGLE_EN.encode(), "report.csv")
    assert result.frame is not None
    assert result.frame.schema == pl.Schema(SCHEMA)
    assert result.frame.schema["spend"] == pl.Decimal(38, 6)
    assert result.frame.schema["impressions"] == pl.Int64


def test_english_google_ads_utf8() -> None:
    result = inspect(GOOGLE_EN.encode(), "report.csv")
    assert (result.platform, result.report) == ("google_ads", "ad_group")
    assert (result.rows, result.summary_rows) == (2, 2)
    assert (result.date_from, result.date_to) == (date(2025, 5, 1), date(2025, 5, 2))
    assert result.totals == {
        "impressions": 2000,
        "clicks": 100,
        "spend": Decimal("1234.56"),  # " --" is empty, not zero and not an error
        "conversions": Decimal("5"),
    }
    assert result.as_json()["totals"]["spend"] == "1234.56"


@pytest.mark.parametrize(
    ("encoding", "bom"), [("cp1252", b""), ("utf-16-le", b"\xff\xfe"), ("utf-8", b"\xef\xbb\xbf")]
)
def test_german_google_ads_in_any_encoding_with_semicolons(encoding: str, bom: bytes) -> None:
    result = inspect(bom + GOOGLE_DE.encode(encoding), "bericht.csv")
    assert (result.platform, result.report, result.currency) == ("google_ads", "ad_group", "EUR")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert result.totals == {
        "impressions": 2000,  # "1.234" in a count column is German for 1234
        "clicks": 100,
        "spend": Decimal("2000.00"),
        "conversions": Decimal("5.0"),
    }


def test_utf16_tab_separated_excel_csv() -> None:
    text = GOOGLE_EN.replace(",", "\t").replace('"1\t234"', "1234").replace('"2\t000"', "2000")
    text = text.replace('"1\t000.00"', "1000.00").replace('"May 1\t 2025 - May 31\t 2025"', "")
    result = inspect(b"\xff\xfe" + text.encode("utf-16-le"), "report.csv")
    assert (result.platform, result.rows) == ("google_ads", 2)
    assert result.totals["impressions"] == 2000


def test_date_range_from_the_preamble_when_rows_have_no_dates() -> None:
    text = (
        "Search keyword report\n"
        '"May 18, 2025 - August 15, 2025"\n'
        "Keyword,Campaign,Currency code,Impr.,Clicks,Cost,Conversions\n"
        "[gym],Gyms,USD,10,2,3.00,1.00\n"
        ",Total: Keywords,USD,10,2,3.00,1.00\n"
    )
    result = inspect(text.encode(), "k.csv")
    assert result.report == "search_keyword"
    assert (result.date_from, result.date_to) == (date(2025, 5, 18), date(2025, 8, 15))
    assert result.rows == 1


@pytest.mark.parametrize(
    "cells",
    [
        ["Total: All but removed keywords", "1,594,393"],
        ["", "", "Total: Search", "USD", "10"],
        ["Gesamt: Konto", "", "2.000"],
        ["Total : compte", "1 032,84"],
        ["Total: Conta", "19,62%"],
        ["Total: cuenta", "12"],
        ["Totales", "12"],
        ["Grand Total:", "", "99"],
        ["Total", "99"],
        ["©2013 Microsoft Corporation. All rights reserved. "],
        ["Report Time:", "2023/01/30 14:14 GMT"],
        ["", "", ""],
    ],
)
def test_summary_rows(cells: list[str]) -> None:
    assert is_summary_row(cells)


@pytest.mark.parametrize(
    "cells",
    [
        ["Enabled", "Total Fitness Brand", "10"],
        ["Total Fitness", "10"],
        ["2025-05-01", "Total: x"],
        ["", "Campaign A", "10"],
    ],
)
def test_data_rows_are_not_summaries(cells: list[str]) -> None:
    assert not is_summary_row(cells)


def test_dv360_totals_row_with_an_empty_first_cell_when_asked() -> None:
    assert is_summary_row(["", "", "1234", "56"], empty_first_cell=True)


def test_summary_rows_in_several_languages_are_never_counted() -> None:
    rows = [
        "Day,Campaign,Currency code,Impr.,Clicks,Cost,Conversions",
        "2025-05-01,A,EUR,100,10,1.00,1",
        "Total: Account,,EUR,100,10,1.00,1",
        "Gesamt: Konto,,EUR,100,10,1.00,1",
        "Total : compte,,EUR,100,10,1.00,1",
        "Total: Conta,,EUR,100,10,1.00,1",
        "Totales,,EUR,100,10,1.00,1",
        "Grand Total:,,EUR,100,10,1.00,1",
    ]
    result = inspect("\n".join(rows).encode(), "t.csv")
    assert (result.rows, result.summary_rows) == (1, 6)
    assert result.totals["impressions"] == 100


def test_currency_from_a_header_such_as_amount_spent_eur() -> None:
    text = (
        "\ufeffReporting starts,Reporting ends,Campaign name,Reach,Impressions,Link clicks,"
        "Amount spent (EUR),Results\n"
        "2026-03-01,2026-03-01,Spring,900,1000,20,12.34,2\n"
        "2026-03-02,2026-03-02,Spring,800,1000,30,7.66,1\n"
    )
    result = inspect(text.encode(), "meta.csv")
    assert result.currency == "EUR"
    assert result.totals["spend"] == Decimal("20.00")
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))
    assert header_currency(["Click-Thru Rate (CTR)", "14 Day Total Sales (₹)"]) == "INR"
    assert header_currency(["Cost Per Click (CPC)"]) is None


def test_french_semicolons_and_spaced_thousands() -> None:
    text = (
        "Nom de la campagne;Impressions;Clics;Montant dépensé (EUR)\n"
        "Printemps;1 000;20;1 032,84\n"
        "Été;500;10;0,16\n"
    )
    result = inspect(text.encode("cp1252"), "fr.csv")
    assert result.currency == "EUR"
    assert result.totals["impressions"] == 1500
    assert result.totals["spend"] == Decimal("1033.00")


def test_amazon_lookalike_workbook() -> None:
    data = simple_xlsx(
        [
            ["Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name",
             "Customer Search Term", "Impressions", "Clicks", "Click-Thru Rate (CTR)",
             "Spend", "7 Day Total Sales ", "7 Day Total Orders (#)"],
            [date(2022, 7, 1), "P", "USD", "C", "G", "tongs", 10, 2, 0.2, 0.1, 5.5, 1],
            [date(2022, 7, 2), "P", "USD", "C", "G", "spoon", 20, 1, 0.05, 0.2, 0, 0],
        ]
    )  # fmt: skip
    result = inspect(data, "amazon.xlsx")
    assert (result.platform, result.report, result.currency) == ("amazon_ads", "search_term", "USD")
    assert result.totals["spend"] == Decimal("0.3")  # 0.1 + 0.2 in floats is 0.30000000000000004
    assert result.frame is not None
    assert result.frame["conversion_value"].sum() == Decimal("5.5")


def test_generic_saved_mapping() -> None:
    table = read_table(
        b"Tag;Kampagnenname;Sichtkontakte;Budget verbraucht\n01.05.2026;A;1.500;12,50\n", "x.csv"
    )
    frame = read_mapped(
        table,
        {"date": "Tag", "campaign": "Kampagnenname", "impressions": "Sichtkontakte",
         "spend": "Budget verbraucht"},
    )  # fmt: skip
    assert frame.row(0, named=True) | {"extras": None} == {
        **dict.fromkeys(SCHEMA),
        "date": date(2026, 5, 1),
        "platform": "generic",
        "campaign": "A",
        "impressions": 1500,
        "spend": Decimal("12.5"),
    }
    with pytest.raises(ValueError, match="Missing column"):
        read_mapped(table, {"spend": "Missing column"})


def test_detection_uses_content_not_the_file_name() -> None:
    google = inspect(GOOGLE_EN.encode(), "amazon_search_term_report.csv")
    assert google.platform == "google_ads"
    assert detect(["Foo", "Bar"], []) is None
    assert set(PLATFORMS) >= {"google_ads", "amazon_ads", "generic", "dv360", "cm360", "ga4"}


def test_unreadable_cells_become_warnings_not_failures() -> None:
    text = "Day,Campaign,Impr.,Clicks,Cost,Currency code\n2025-05-01,A,many,1,2.00,USD\n"
    result = inspect(text.encode(), "w.csv")
    assert result.rows == 1
    assert any("row 2, Impr." in warning for warning in result.warnings)


def test_an_absurdly_large_amount_is_a_warning_not_a_crash() -> None:
    text = (
        "Day,Campaign,Impr.,Clicks,Cost,Currency code\n"
        "2025-05-01,A,10,1,123456789012345678901234.5,USD\n"
        "2025-05-02,A,10,1,2.00,USD\n"
    )
    result = inspect(text.encode(), "w.csv")
    assert result.rows == 2
    assert result.totals["spend"] == Decimal("2.00")
    assert any("row 2, Cost" in w and "too large" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"Day,Campaign,Impr.,Clicks\n", "but no data rows"),
        (b"Day,Campaign,Impr.,Clicks\nTotal: Account,,1,1\n", "but no data rows"),
        (b"Foo,Bar,Baz\nx,2,3\n", "unknown layout; the columns it has are: Foo, Bar, Baz"),
    ],
)
def test_files_that_cannot_be_inspected(data: bytes, message: str) -> None:
    with pytest.raises(InspectError, match=message):
        inspect(data, "bad.csv")
