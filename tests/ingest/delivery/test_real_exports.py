"""Conformance on real exports in the shared folder beside the repository (never copied here).

Expected figures come from the worked examples and from sums computed here with the csv module
and calamine, independently of the code under test.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from mediadesk.ingest.delivery.inspect import inspect

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
EXPORTS = SHARED / "data" / "real-exports"
CENT = Decimal("0.01")


def export(*parts: str) -> Path:
    path = EXPORTS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared folder sits beside the repository root)")
    return path


def test_google_ads_search_keyword_report_matches_the_worked_example() -> None:
    path = export("google_ads", "search_keyword_report.csv")
    result = inspect(path.read_bytes(), path.name)
    assert (result.platform, result.report) == ("google_ads", "search_keyword")
    assert result.rows == 3_074
    assert result.summary_rows == 12
    assert result.currency == "USD"
    assert str(result.date_from) == "2025-05-18" and str(result.date_to) == "2025-08-15"
    assert result.totals == {
        "impressions": 1_594_393,
        "clicks": 131_537,
        "spend": Decimal("237661.61"),  # the file's own total says 237,661.53: per-row rounding
        "conversions": Decimal("6050.04"),
    }
    assert result.frame is not None
    assert result.frame["conversion_value"].sum() == Decimal("822464.35")
    statuses = result.frame["extras"].str.json_path_match("$['Keyword status']").value_counts()
    assert dict(statuses.iter_rows()) == {"Enabled": 2_807, "Paused": 267}
    assert result.warnings == ()


def test_google_ads_keyword_sums_equal_the_files_own_total_row() -> None:
    path = export("google_ads", "search_keyword_report.csv")
    lines = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    header = lines[2]
    total = next(line for line in lines if "Total: All but removed keywords" in line)
    result = inspect(path.read_bytes(), path.name)

    def own(column: str) -> Decimal:
        return Decimal(total[header.index(column)].replace(",", ""))

    assert result.totals["impressions"] == own("Impr.")
    assert result.totals["clicks"] == own("Clicks")
    assert result.totals["conversions"] == own("Conversions")
    assert abs(Decimal(result.totals["spend"] or 0) - own("Cost")) < 1  # type: ignore[arg-type]


def test_amazon_campaign_report_csv_inr() -> None:
    path = export("amazon_ads", "SP_Campaign_report_INR_2020.csv")
    records = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    result = inspect(path.read_bytes(), path.name)
    assert (result.platform, result.report, result.currency) == ("amazon_ads", "campaign", "INR")
    assert result.rows == len(records)
    assert result.totals["impressions"] == sum(int(r["Impressions"]) for r in records)
    assert result.totals["clicks"] == sum(int(r["Clicks"]) for r in records)
    spend = sum(Decimal(r["Spend"].removeprefix("Rs.")) for r in records)
    assert result.totals["spend"] == spend
    assert result.totals["conversions"] == sum(int(r["14 Day Total Orders (#)"]) for r in records)


@pytest.mark.parametrize(
    ("name", "report", "currency"),
    [
        ("SP_Search_term_report_INR_2020.xlsx", "search_term", "INR"),
        ("SP_Search_term_report_USD_2022.xlsx", "search_term", "USD"),
        ("SP_Placement_report_INR_2020.xlsx", "placement", "INR"),
    ],
)
def test_amazon_workbooks(name: str, report: str, currency: str) -> None:
    path = export("amazon_ads", name)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [str(cell).strip() for cell in grid[0]]
    records = [dict(zip(header, row, strict=False)) for row in grid[1:] if any(row)]
    orders = next(h for h in header if h.endswith("Total Orders (#)"))
    result = inspect(path.read_bytes(), path.name)
    assert (result.platform, result.report, result.currency) == ("amazon_ads", report, currency)
    assert result.rows == len(records)
    assert result.totals["impressions"] == sum(int(r["Impressions"]) for r in records)
    assert result.totals["clicks"] == sum(int(r["Clicks"]) for r in records)
    spend = sum(Decimal(repr(r["Spend"])) for r in records)
    assert Decimal(result.totals["spend"] or 0).quantize(CENT) == spend.quantize(CENT)  # type: ignore[arg-type]
    assert result.totals["conversions"] == sum(int(r[orders]) for r in records)
