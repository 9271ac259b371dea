"""Look-alike Meta, LinkedIn, Microsoft Advertising and TikTok exports built here.

Layouts follow /work/shared/reference/platform-exports.md (fixtures and documentation, no real
export of these platforms was available): detection from content, exact rows, dates, currency
and totals, localized numbers, and summary/footer rows that are never counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mediadesk.ingest.delivery.detect import detect, readers
from mediadesk.ingest.delivery.inspect import inspect
from mediadesk.ingest.tables import read_table

from ..files import simple_xlsx
from .test_lookalikes import GOOGLE_DE, GOOGLE_EN

META_EN = (
    "\ufeffReporting starts,Reporting ends,Campaign name,Ad set name,Attribution setting,"
    "Results,Result indicator,Reach,Frequency,Amount spent (EUR),Impressions,"
    '"CPM (cost per 1,000 impressions) (EUR)",Link clicks,Clicks (all),ThruPlays,'
    "Video plays at 100%\n"
    ",,,,,42,,1900,1.2,1246.90,2300,542.13,55,80,300,120\n"  # "Include summary row"
    "2026-03-01,2026-03-01,Spring,Women 25-34,7-day click,30,actions:link_click,1000,1.1,"
    "1234.56,1200,1028.80,30,45,200,80\n"
    "2026-03-02,2026-03-02,Spring,Women 25-34,7-day click,12,actions:link_click,900,1.2,"
    "12.34,1100,11.22,25,35,100,40\n"
)
META_DE = (
    "Berichtsbeginn;Berichtsende;Kampagnenname;Name der Anzeigengruppe;Name der Anzeige;"
    "Ergebnisse;Reichweite;Frequenz;Ausgegebener Betrag (EUR);Impressionen;Link-Klicks\n"
    "01.03.2026;01.03.2026;Frühling;Frauen;Video A;3;1.000;1,10;1.234,56;1.200;30\n"
    "02.03.2026;02.03.2026;Frühling;Frauen;Video B;1;900;1,25;765,44;1.100;20\n"
    "Gesamt;;;;;4;1.900;1,18;2.000,00;2.300;50\n"
)
META_FR = (
    "Début des rapports;Fin des rapports;Nom de la campagne;Montant dépensé (EUR);"
    "Impressions;Couverture;Clics sur un lien\n"
    "01/03/2026;31/03/2026;Printemps;1 234,56;1 200;1 000;30\n"
    "01/03/2026;31/03/2026;Été;0,44;800;700;10\n"
)
LINKEDIN = (
    "Campaign Performance Report (in UTC)\n"
    '"Report Start: 5/1/2025, 12:00 AM"\n'  # quoted: a CSV writer quotes the comma
    '"Report End: 5/31/2025, 11:59 PM"\n'
    "\n"
    "Start Date (in UTC),Account Name,Campaign Group Name,Campaign Name,Campaign ID,"
    "Campaign Objective Type,Campaign Type,Campaign Status,Currency,Total Spent,Impressions,"
    "Clicks,Landing Page Clicks,Total Engagements,Conversions\n"
    "5/1/2025,Acme,Q2,Awareness,123,BRAND_AWARENESS,Sponsored Content,ACTIVE,USD,"
    '"1,234.56","12,000",120,100,300,3\n'
    "5/12/2025,Acme,Q2,Leads,124,LEAD_GENERATION,Sponsored Content,ACTIVE,USD,"
    "65.44,8000,80,70,150,2\n"
    "Total,,,,,,,,USD,1300.00,20000,200,170,450,5\n"
)
LINKEDIN_DE = (  # English headers, German number formatting and semicolons
    "Campaign Performance Report (in UTC)\n"
    "Report Start: 01.05.2025\n"
    "Report End: 31.05.2025\n"
    "\n"
    "Start Date (in UTC);Campaign Name;Currency;Total Spent;Impressions;Clicks;Conversions\n"
    "01.05.2025;Bekanntheit;EUR;1.234,56;12.000;120;3\n"
    "13.05.2025;Leads;EUR;765,44;8.000;80;2,5\n"
    "Total;;EUR;2.000,00;20.000;200;5,5\n"
)
MICROSOFT = (
    '"Campaign Performance Report"\n'
    '"Report Time: 5/1/2025 - 5/31/2025"\n'
    '"Time Zone: (GMT-08:00) Pacific Time (US & Canada); Tijuana"\n'
    '"Last Completed Available Day: 6/1/2025 3:00:00 AM (GMT-08:00)"\n'
    '"Report Aggregation: Daily"\n'
    '"Rows: 2"\n'
    "\n"
    '"Gregorian date","Account name","Campaign name","Ad group","Currency code","Impr.",'
    '"Clicks","CTR","Spend","Avg. CPC","Conv.","Revenue"\n'
    '"5/1/2025","Acme","Brand","Exact","USD","1,200","60","5.00%","1,234.56","20.58","3",'
    '"300.00"\n'
    '"5/13/2025","Acme","Brand","Exact","USD","800","40","5.00%","65.44","1.64","1.5","0.00"\n'
    '"Total","","","","USD","2,000","100","5.00%","1,300.00","13.00","4.5","300.00"\n'
    "\n"
    '"©2025 Microsoft Corporation. All rights reserved. "\n'
)
MICROSOFT_DE = (  # German header names are guesses (see microsoft_ads.py)
    '"Kampagnenbericht"\n'
    '"Report Time: 01.05.2025 - 31.05.2025"\n'
    '"Time Zone: (GMT+01:00) Amsterdam, Berlin"\n'
    "\n"
    '"Datum";"Kampagnenname";"Währungscode";"Impr.";"Klicks";"Ausgaben";"Konv."\n'
    '"01.05.2025";"Marke";"EUR";"1.200";"60";"1.234,56";"3"\n'
    '"13.05.2025";"Marke";"EUR";"800";"40";"765,44";"1,5"\n'
    '"Gesamt";"";"EUR";"2.000";"100";"2.000,00";"4,5"\n'
    '"©2025 Microsoft Corporation. Alle Rechte vorbehalten."\n'
)
TIKTOK = (
    "By Day,Campaign name,Currency,Cost,Impressions,Reach,Clicks (destination),"
    "CTR (destination),Conversions,Video views,Video views at 100%\n"
    "2025-05-01,Launch,USD,1234.56,12000,9000,120,1.00%,3,5000,800\n"
    "2025-05-02,Launch,USD,65.44,8000,7000,80,1.00%,2,3000,400\n"
    "Total of 2 results,,USD,1300.00,20000,16000,200,1.00%,5,8000,1200\n"
)
TIKTOK_DE = (  # English headers, German number formatting and semicolons
    "By Day;Campaign name;Ad group name;Currency;Cost;Impressions;Clicks (destination);"
    "Conversions;Video views at 100%\n"
    "2025-05-01;Start;Alle;EUR;1.234,56;12.000;120;3;800\n"
    "2025-05-02;Start;Alle;EUR;765,44;8.000;80;2;400\n"
    "Summe;;;EUR;2.000,00;20.000;200;5;1.200\n"
)


def test_meta_english_with_a_summary_row() -> None:
    result = inspect(META_EN.encode(), "export.csv")
    assert (result.platform, result.report, result.currency) == ("meta", "ad_set", "EUR")
    assert result.rows == 2  # the summary row (empty names) is never data
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))
    assert result.totals == {
        "impressions": 2300,
        "clicks": 55,  # link clicks, not clicks (all)
        "spend": Decimal("1246.90"),
        "conversions": None,  # "Results" depend on the objective: kept in the extras
    }
    assert result.frame is not None
    frame = result.frame
    assert frame["campaign"].to_list() == ["Spring", "Spring"]
    assert frame["ad_group"].to_list() == ["Women 25-34", "Women 25-34"]
    assert frame["reach"].to_list() == [1000, 900]
    assert frame["frequency"].to_list() == [Decimal("1.1"), Decimal("1.2")]
    assert frame["video_views"].to_list() == [200, 100]
    assert frame["video_completions"].to_list() == [80, 40]
    assert json.loads(frame["extras"][0])["Results"] == "30"
    assert result.as_json()["platform"] == "meta"


def test_meta_german_localized() -> None:
    result = inspect(META_DE.encode("cp1252"), "bericht.csv")
    assert (result.platform, result.report, result.currency) == ("meta", "ad", "EUR")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))
    assert result.totals == {
        "impressions": 2300,
        "clicks": 50,
        "spend": Decimal("2000.00"),
        "conversions": None,
    }
    assert result.frame is not None
    assert result.frame["reach"].to_list() == [1000, 900]
    assert result.frame["frequency"].to_list() == [Decimal("1.10"), Decimal("1.25")]
    assert result.frame["campaign"].to_list() == ["Frühling", "Frühling"]


def test_meta_french_period_totals_are_day_first() -> None:
    result = inspect(META_FR.encode("utf-8"), "rapport.csv")
    assert (result.platform, result.report, result.currency) == ("meta", "campaign", "EUR")
    assert result.rows == 2
    assert result.date_from == date(2026, 3, 1)  # 01/03/2026 is 1 March in a French export
    assert result.totals["spend"] == Decimal("1235.00")
    assert result.totals["impressions"] == 2000


def test_meta_workbook() -> None:
    data = simple_xlsx(
        [
            ["Reporting starts", "Reporting ends", "Campaign name", "Amount spent (USD)",
             "Impressions", "Clicks (all)"],
            [date(2026, 3, 1), date(2026, 3, 1), "A", 0.1, 10, 1],
            [date(2026, 3, 2), date(2026, 3, 2), "A", 0.2, 20, 2],
        ]
    )  # fmt: skip
    result = inspect(data, "meta.xlsx")
    assert (result.platform, result.currency, result.rows) == ("meta", "USD", 2)
    assert result.totals["spend"] == Decimal("0.3")
    assert result.totals["clicks"] == 3


def test_linkedin_campaign_report() -> None:
    result = inspect(LINKEDIN.encode(), "export.csv")
    assert (result.platform, result.report, result.currency) == ("linkedin", "campaign", "USD")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2025, 5, 1), date(2025, 5, 12))
    assert result.totals == {
        "impressions": 20000,
        "clicks": 200,
        "spend": Decimal("1300.00"),
        "conversions": Decimal("5"),
    }
    assert result.frame is not None
    assert result.frame["account"].to_list() == ["Acme", "Acme"]
    assert result.frame["engagements"].to_list() == [300, 150]
    assert json.loads(result.frame["extras"][0])["Campaign Group Name"] == "Q2"
    assert result.as_json()["platform"] == "linkedin"


def test_linkedin_german_numbers() -> None:
    result = inspect(LINKEDIN_DE.encode("utf-8"), "export.csv")
    assert (result.platform, result.currency) == ("linkedin", "EUR")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2025, 5, 1), date(2025, 5, 13))
    assert result.totals == {
        "impressions": 20000,
        "clicks": 200,
        "spend": Decimal("2000.00"),
        "conversions": Decimal("5.5"),
    }


def test_microsoft_ads_report_with_preamble_and_footer() -> None:
    result = inspect(MICROSOFT.encode(), "export.csv")
    assert (result.platform, result.report) == ("microsoft_ads", "ad_group")
    assert result.currency == "USD"
    assert (result.rows, result.summary_rows) == (2, 2)  # "Total" and the copyright footer
    assert (result.date_from, result.date_to) == (date(2025, 5, 1), date(2025, 5, 13))
    assert result.totals == {
        "impressions": 2000,
        "clicks": 100,
        "spend": Decimal("1300.00"),
        "conversions": Decimal("4.5"),
    }
    assert result.frame is not None
    assert result.frame["conversion_value"].sum() == Decimal("300")
    assert result.as_json()["platform"] == "microsoft_ads"


def test_microsoft_ads_german() -> None:
    result = inspect(b"\xef\xbb\xbf" + MICROSOFT_DE.encode(), "bericht.csv")
    assert (result.platform, result.report, result.currency) == (
        "microsoft_ads",
        "campaign",
        "EUR",
    )
    assert (result.rows, result.summary_rows) == (2, 2)
    assert (result.date_from, result.date_to) == (date(2025, 5, 1), date(2025, 5, 13))
    assert result.totals == {
        "impressions": 2000,
        "clicks": 100,
        "spend": Decimal("2000.00"),
        "conversions": Decimal("4.5"),
    }


def test_tiktok_by_day() -> None:
    result = inspect(TIKTOK.encode(), "export.csv")
    assert (result.platform, result.report, result.currency) == ("tiktok", "campaign", "USD")
    assert result.rows == 2  # "Total of 2 results" is never data
    assert (result.date_from, result.date_to) == (date(2025, 5, 1), date(2025, 5, 2))
    assert result.totals == {
        "impressions": 20000,
        "clicks": 200,
        "spend": Decimal("1300.00"),
        "conversions": Decimal("5"),
    }
    assert result.frame is not None
    assert result.frame["video_views"].to_list() == [5000, 3000]
    assert result.frame["video_completions"].to_list() == [800, 400]
    assert result.frame["reach"].to_list() == [9000, 7000]
    assert result.as_json()["platform"] == "tiktok"


def test_tiktok_german_numbers() -> None:
    result = inspect(TIKTOK_DE.encode("cp1252"), "export.csv")
    assert (result.platform, result.report, result.currency) == ("tiktok", "ad_group", "EUR")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert result.totals == {
        "impressions": 20000,
        "clicks": 200,
        "spend": Decimal("2000.00"),
        "conversions": Decimal("5"),
    }
    assert result.frame is not None
    assert result.frame["video_completions"].sum() == 1200


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        (GOOGLE_EN, "google_ads"),
        (GOOGLE_DE, "google_ads"),
        (META_EN, "meta"),
        (LINKEDIN, "linkedin"),
        (MICROSOFT, "microsoft_ads"),
        (TIKTOK, "tiktok"),
    ],
)
def test_detection_from_content_not_the_file_name(text: str, platform: str) -> None:
    for name in ("google_ads.csv", "meta.csv", "linkedin.csv", "bing.csv", "tiktok.csv"):
        assert inspect(text.encode(), name).platform == platform


def test_google_ads_files_stay_google_ads() -> None:
    google_like = [
        ["Day", "Campaign", "Ad group", "Currency code", "Impr.", "Clicks", "Cost", "Conversions"],
        ["Campaign", "Currency code", "Impr.", "Clicks", "Cost", "Conv.", "Avg. CPC", "CTR"],
    ]
    for headers in google_like:
        found = detect(headers, ["Campaign report", "May 1, 2025 - May 31, 2025"])
        assert found is not None
        assert found[0].platform == "google_ads"


def test_microsoft_preamble_alone_does_not_claim_a_google_file() -> None:
    table = read_table(GOOGLE_EN.encode(), "g.csv")
    found = detect(table.headers, ["Report Time: 5/1/2025 - 5/31/2025"])
    assert found is not None
    assert found[0].platform == "google_ads"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "platform"),
    [(META_EN, "meta"), (LINKEDIN, "linkedin"), (MICROSOFT, "microsoft_ads"), (TIKTOK, "tiktok")],
)
def test_cli_inspect_json_platform(tmp_path: Path, text: str, platform: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIADESK_", "DJANGO_"))}
    env["DATABASE_URL"] = "postgres://nobody@db.invalid:1/nothing"
    result = subprocess.run(
        [sys.executable, "-m", "mediadesk", "inspect", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["platform"] == platform
    assert shown["rows"] == 2


def test_amazon_spend_and_impressions_are_not_microsoft() -> None:
    headers = ["Date", "Portfolio name", "Currency", "Campaign Name", "Impressions", "Clicks",
               "Click-Thru Rate (CTR)", "Spend", "7 Day Total Sales ",
               "7 Day Total Orders (#)"]  # fmt: skip
    scores = {reader.platform: reader.matches(headers, []) for reader in readers()}
    assert scores["microsoft_ads"] == scores["meta"] == scores["linkedin"] == 0
    assert scores["tiktok"] == 0
    found = detect(headers, [])
    assert found is not None
    assert found[0].platform == "amazon_ads"
