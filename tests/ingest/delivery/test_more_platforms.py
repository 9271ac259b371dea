"""Look-alike X Ads, DV360, CM360 and GA4 exports built here.

Layouts follow /work/shared/reference/platform-exports.md (documentation, report-parsing code and
third-party fixtures; no real export of these platforms was available, and the localized header
names are guesses): detection from content, exact rows, dates, currency and totals, localized
headers and numbers in several encodings, and summary, footer and comment rows never counted.
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

from mediadesk.ingest.delivery import inspect as inspect_module
from mediadesk.ingest.delivery.detect import detect, readers
from mediadesk.ingest.delivery.generic import block_of
from mediadesk.ingest.delivery.inspect import InspectError, Inspection, inspect, load
from mediadesk.ingest.tables import is_comment, read_table

from ..files import simple_xlsx
from .test_cli_inspect import GOOGLE
from .test_lookalikes import GOOGLE_DE, GOOGLE_EN
from .test_platforms import (
    LINKEDIN,
    LINKEDIN_DE,
    META_DE,
    META_EN,
    META_FR,
    MICROSOFT,
    MICROSOFT_DE,
    TIKTOK,
    TIKTOK_DE,
)

NEW = ("x", "dv360", "cm360", "ga4")
EXPORTS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "real-exports"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOM = b"\xff\xfe"
NNBSP = "\u202f"  # narrow no-break space: French thousands
NBSP = "\u00a0"

# --- X Ads ------------------------------------------------------------------------------------

X_EN = (
    "Campaign name,Ad group name,Time,Funding source,Currency,Spend,Impressions,Engagements,"
    "Billed engagements,Clicks,Link clicks,Reposts,Follows,Media views,Video views,"
    "Video played 100%,Conversions,Engagement rate\n"
    'Launch,All,2026-05-01,Card 1234,USD,"1,234.56","12,000",300,250,150,120,5,2,900,800,400,3,'
    "2.50%\n"
    "Launch,All,2026-05-02,Card 1234,USD,765.44,8000,200,150,100,80,3,1,700,600,300,2.5,2.50%\n"
)
X_DE = (  # semicolons, German numbers and day-first dates
    "Kampagnenname;Anzeigengruppenname;Tag;Finanzierungsquelle;Währung;Ausgaben;Impressionen;"
    "Interaktionen;Abgerechnete Interaktionen;Link-Klicks;Konversionen;Interaktionsrate\n"
    "Frühling;Alle;01.05.2026;Karte 1234;EUR;1.234,56;12.000;300;250;120;3;2,50 %\n"
    "Frühling;Alle;31.05.2026;Karte 1234;EUR;765,44;8.000;200;150;80;2,5;2,50 %\n"
)
X_FR = (  # tabs, spaced thousands (narrow and plain no-break spaces), day-first dates
    "Nom de la campagne\tJour\tDevise\tDépenses\tImpressions\tEngagements\t"
    "Engagements facturés\tClics sur le lien\tConversions\tVues des médias\n"
    f"Printemps\t01/05/2026\tEUR\t1{NNBSP}234,56\t12{NBSP}000\t300\t250\t120\t3\t900\n"
    f"Printemps\t02/05/2026\tEUR\t765,44\t8{NNBSP}000\t200\t150\t80\t2,5\t700\n"
)
X_PERIOD = (  # no day breakdown: the time column holds the period
    "Campaign name,Time,Currency,Spend,Impressions,Billed engagements,Link clicks\n"
    'Launch,"May 1, 2026 - May 31, 2026",USD,100.00,1000,10,5\n'
    'Relaunch,"May 1, 2026 - May 31, 2026",USD,50.50,500,4,2\n'
)

# --- DV360 ------------------------------------------------------------------------------------

DV360_FOOTER = (
    "\n"
    "Report Time:,2026/06/01 10:00 GMT\n"
    "Date Range:,2026/05/01 to 2026/05/31\n"
    "Group By:,Date,Advertiser,Insertion Order,Line Item\n"
    "MRC Accredited Metrics,Active View metrics are accredited only when Measurement Source = "
    "Measured\n"
    '"Reporting numbers from the previous month are finalized for billing on the fourth day of '
    'the month, so numbers from the previous month may change until then."\n'
    "Filter by Advertiser ID:,111\n"
)
DV360_EN = (
    "Date,Advertiser,Advertiser ID,Advertiser Currency,Insertion Order,Insertion Order ID,"
    "Line Item,Line Item ID,Impressions,Clicks,Click Rate (CTR),Revenue (Adv Currency),"
    "Media Cost (Advertiser Currency),Total Conversions,TrueView: Views,Complete Views (Video)\n"
    '2026/05/01,Acme,111,EUR,IO Spring,222,LI Video,333,"12,000",120,1.00%,1234.56,1000.00,3,'
    "500,400\n"
    "2026/05/31,Acme,111,EUR,IO Spring,222,Unknown,Unknown,8000,80,1.00%,765.44,600.00,2.5,"
    "Unknown,100\n"
    ",,,,,,,,20000,200,1.00%,2000.00,1600.00,5.5,500,500\n" + DV360_FOOTER
)
DV360_DE = (  # German headers and numbers, quoted; a footer in German that no rule knows
    "Datum,Werbetreibender,Werbetreibender-ID,Währung des Werbetreibenden,Anzeigenauftrag,"
    "Werbebuchung,Werbebuchungs-ID,Impressionen,Klicks,Umsatz (Werbetreibendenwährung),"
    "Conversions insgesamt\n"
    '2026/05/01,Acme,111,EUR,AA Frühling,WB Video,333,"12.000",120,"1.234,56",3\n'
    '2026/05/31,Acme,111,EUR,AA Frühling,WB Display,334,"8.000",80,"765,44","2,5"\n'
    ',,,,,,,"20.000",200,"2.000,00","5,5"\n'
    "\n"
    "Berichtszeit:,2026/06/01 10:00 GMT\n"
    "Zeitraum:,2026/05/01 bis 2026/05/31\n"
)
DV360_ES = (  # tabs and spaced thousands
    "Fecha\tAnunciante\tMoneda del anunciante\tPedido de inserción\tLínea de pedido\t"
    "ID de línea de pedido\tImpresiones\tClics\tIngresos (moneda del anunciante)\t"
    "Conversiones totales\n"
    f"2026/05/01\tAcme\tEUR\tPI Primavera\tLP Vídeo\t333\t12{NBSP}000\t120\t1{NBSP}234,56\t3\n"
    f"2026/05/02\tAcme\tEUR\tPI Primavera\tLP Vídeo\t333\t8{NNBSP}000\t80\t765,44\t2,5\n"
    f"\t\t\t\t\t\t20{NBSP}000\t200\t2{NBSP}000,00\t5,5\n"
)

DV360_UNKNOWN_FIRST = (  # "Unknown" in the first column: data, not a totals row
    "Line Item,Line Item ID,Insertion Order,Advertiser Currency,Impressions,Clicks,"
    "Revenue (Adv Currency)\n"
    "Unknown,Unknown,IO 1,USD,100,1,1.00\n"
    "LI 2,2,IO 1,USD,200,2,2.00\n"
    ",,,,300,3,3.00\n"
)

# --- CM360 ------------------------------------------------------------------------------------

CM360_EN = (
    "Campaign Manager 360 Report\n"
    ",\n"
    "Report Name,Daily placements\n"
    "Report Time Zone,Europe/Berlin\n"
    'Date/Time Generated,"Jun 1, 2026, 10:00:00 AM"\n'
    "Account ID,12345\n"
    "Date Range,2026-05-01 - 2026-05-31\n"
    ",\n"
    "Report Fields\n"
    "Date,Advertiser,Campaign,Campaign ID,Site (CM360),Placement,Placement ID,Impressions,"
    "Clicks,Media Cost,Total Conversions,Video Plays,Video Completions\n"
    '2026-05-01,Acme,Spring,9,news.example,Top banner,1001,12000,120,"1,234.56",3,(not set),-\n'
    "2026-05-31,Acme,Spring,9,(not set),Side,1002,8000,80,765.44,2,500,400\n"
    "Grand Total:,,,,,,,20000,200,2000.00,5,500,400\n"
)
CM360_DE = (  # German metadata and headers, quoted German numbers, "Gesamtsumme:"
    "Berichtsname,Tägliche Placements\n"
    "Zeitzone des Berichts,Europe/Berlin\n"
    "Konto-ID,12345\n"
    "Zeitraum,01.05.2026 - 31.05.2026\n"
    "\n"
    "Berichtsfelder\n"
    "Datum,Werbetreibender,Kampagne,Website (CM360),Placement,Placement-ID,Impressionen,Klicks,"
    "Mediakosten,Conversions insgesamt\n"
    '2026-05-01,Acme,Frühling,news.example,Oben,1001,"12.000",120,"1.234,56",3\n'
    '2026-05-02,Acme,Frühling,-,Seite,1002,"8.000",80,"765,44","2,5"\n'
    'Gesamtsumme:,,,,,,"20.000",200,"2.000,00","5,5"\n'
)
CM360_FR = (  # tabs, narrow no-break spaces, a currency column, "Total général :"
    "Nom du rapport\tEmplacements\n"
    "Fuseau horaire du rapport\tEurope/Paris\n"
    "\n"
    "Champs du rapport\n"
    "Date\tAnnonceur\tCampagne\tSite (CM360)\tEmplacement\tID d'emplacement\tDevise\t"
    "Impressions\tClics\tCoût média\tNombre total de conversions\n"
    f"2026-05-01\tAcme\tPrintemps\tnews.example\tHaut\t1001\tEUR\t12{NNBSP}000\t120\t"
    f"1{NNBSP}234,56\t3\n"
    f"2026-05-02\tAcme\tPrintemps\t(not set)\tCôté\t1002\tEUR\t8{NBSP}000\t80\t765,44\t2,5\n"
    f"Total général :\t\t\t\t\t\t\t20{NNBSP}000\t200\t2{NNBSP}000,00\t5,5\n"
)
CM360_NO_DATE = (  # no date column: the range comes from the "Date Range" line
    "Campaign Manager 360 Report\n"
    "Report Name,Placements\n"
    "Date Range,2026-05-01 - 2026-05-31\n"
    "Report Fields\n"
    "Campaign,Placement,Placement ID,Impressions,Clicks,Media Cost\n"
    "Spring,Top,1001,100,1,1.50\n"
    "Grand Total:,,,100,1,1.50\n"
)

# --- GA4 --------------------------------------------------------------------------------------

GA4_EN = (
    "# ----------------------------------------\n"
    "# Traffic acquisition: Session primary channel group (Default Channel Group)\n"
    "# Account: Acme, Inc.\n"  # a comma: two cells, still a comment
    "# Property: Acme Web\n"
    "# ----------------------------------------\n"
    "\n"
    "# Start date: 20260501\n"
    "# End date: 20260531\n"
    "Session primary channel group (Default Channel Group),Sessions,Engaged sessions,Key events,"
    "Total revenue\n"
    "Organic Search,1000,600,12,1234.56\n"
    "Paid Search,500,300,8.5,765.44\n"
    "\n"
    "# ----------------------------------------\n"
    "# Sessions by day\n"
    "# ----------------------------------------\n"
    "Date,Sessions\n"
    "20260501,700\n"
    "20260502,800\n"
)
GA4_DE = (  # a date column, German numbers, the total row right below the header
    "# ----------------------------------------\n"
    "# Akquisition von Zugriffen: Primäre Channelgruppe der Sitzung\n"
    "# Konto: Acme GmbH\n"
    "# Startdatum: 20260501\n"
    "# Enddatum: 20260531\n"
    "Datum,Sitzungen,Sitzungen mit Interaktionen,Schlüsselereignisse,Gesamtumsatz\n"
    'Gesamtsumme,"1.500",900,"20,5","2.000,00"\n'
    '20260501,"1.000",600,12,"1.234,56"\n'
    '20260502,500,300,"8,5","765,44"\n'
)
GA4_PT = (
    "# ----------------------------------------\n"
    "# Aquisição de tráfego: Grupo de canais principal da sessão (Grupo de canais padrão)\n"
    "# Data de início: 20260501\n"
    "# Data de término: 20260531\n"
    "Grupo de canais principal da sessão (Grupo de canais padrão),Sessões,Sessões engajadas,"
    "Eventos principais,Receita total\n"
    'Busca orgânica,"1.000",600,12,"1.234,56"\n'
    'Busca paga,500,300,"8,5","765,44"\n'
)
GA4_ADS = (  # a campaign report with Google Ads clicks and cost, and a "Grand total" row
    "# Start date: 20260501\n"
    "# End date: 20260531\n"
    "Session campaign,Sessions,Google Ads clicks,Google Ads cost,Key events,Total revenue\n"
    'Spring,1000,"1,200","1,234.56",12,100.00\n'
    "Autumn,500,800,765.44,8.5,50.00\n"
    'Grand total,1500,"2,000","2,000.00",20.5,150.00\n'
)

ALL_NEW = {
    "x_en": (X_EN, "x"),
    "x_de": (X_DE, "x"),
    "x_fr": (X_FR, "x"),
    "dv360_en": (DV360_EN, "dv360"),
    "dv360_de": (DV360_DE, "dv360"),
    "dv360_es": (DV360_ES, "dv360"),
    "cm360_en": (CM360_EN, "cm360"),
    "cm360_de": (CM360_DE, "cm360"),
    "cm360_fr": (CM360_FR, "cm360"),
    "ga4_en": (GA4_EN, "ga4"),
    "ga4_de": (GA4_DE, "ga4"),
    "ga4_pt": (GA4_PT, "ga4"),
    "ga4_ads": (GA4_ADS, "ga4"),
}
EXISTING = {
    "google_en": (GOOGLE_EN, "google_ads"),
    "google_de": (GOOGLE_DE, "google_ads"),
    "google_cli": (GOOGLE, "google_ads"),
    "meta_en": (META_EN, "meta"),
    "meta_de": (META_DE, "meta"),
    "meta_fr": (META_FR, "meta"),
    "linkedin": (LINKEDIN, "linkedin"),
    "linkedin_de": (LINKEDIN_DE, "linkedin"),
    "microsoft": (MICROSOFT, "microsoft_ads"),
    "microsoft_de": (MICROSOFT_DE, "microsoft_ads"),
    "tiktok": (TIKTOK, "tiktok"),
    "tiktok_de": (TIKTOK_DE, "tiktok"),
}
EMPTY_TOTALS: dict[str, int | Decimal | None] = {
    "impressions": 20000,
    "clicks": 200,
    "spend": Decimal("2000.00"),
    "conversions": Decimal("5.5"),
}


def utf16(text: str) -> bytes:
    return UTF16_BOM + text.encode("utf-16-le")


def frame_of(result: Inspection) -> dict[str, list[object]]:
    assert result.frame is not None
    return result.frame.to_dict(as_series=False)


# --- X ----------------------------------------------------------------------------------------


def test_x_english_with_a_bom() -> None:
    result = inspect(UTF8_BOM + X_EN.encode(), "export.csv")
    assert (result.platform, result.report, result.currency) == ("x", "ad_group", "USD")
    assert (result.rows, result.summary_rows) == (2, 0)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == {
        "impressions": 20000,
        "clicks": 200,  # link clicks, not all clicks (those stay in the extras)
        "spend": Decimal("2000.00"),
        "conversions": Decimal("5.5"),
    }
    assert result.warnings == ()
    frame = frame_of(result)
    assert frame["campaign"] == ["Launch", "Launch"]
    assert frame["ad_group"] == ["All", "All"]
    assert frame["engagements"] == [300, 200]
    assert frame["video_views"] == [800, 600]
    assert frame["video_completions"] == [400, 300]
    extras = json.loads(str(frame["extras"][0]))
    assert extras["Clicks"] == "150"
    assert extras["Billed engagements"] == "250"
    assert extras["Reposts"] == "5"
    assert extras["Engagement rate"] == "2.50%"  # a percentage, kept as written


def test_x_german_cp1252_semicolons() -> None:
    result = inspect(X_DE.encode("cp1252"), "bericht.csv")
    assert (result.platform, result.report, result.currency) == ("x", "ad_group", "EUR")
    assert result.rows == 2
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals == EMPTY_TOTALS
    assert frame_of(result)["campaign"] == ["Frühling", "Frühling"]
    assert result.warnings == ()


def test_x_french_utf16_tabs_and_narrow_spaces_day_first() -> None:
    result = inspect(utf16(X_FR), "rapport.csv")
    assert (result.platform, result.report, result.currency) == ("x", "campaign", "EUR")
    assert result.rows == 2
    # 02/05/2026 is 2 May in a French export, not 5 February.
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == EMPTY_TOTALS
    assert result.warnings == ()


def test_x_portuguese_workbook() -> None:
    data = simple_xlsx(
        [
            ["Nome da campanha", "Nome do grupo de anúncios", "Dia", "Moeda", "Gasto",
             "Impressões", "Engajamentos", "Engajamentos faturados", "Cliques no link",
             "Conversões", "Fonte de financiamento"],
            ["Lançamento", "Todos", date(2026, 5, 1), "BRL", 1234.56, 12000, 300, 250, 120, 3,
             "Cartão"],
            ["Lançamento", "Todos", date(2026, 5, 2), "BRL", 765.44, 8000, 200, 150, 80, 2.5,
             "Cartão"],
        ]
    )  # fmt: skip
    result = inspect(data, "relatorio.xlsx")
    assert (result.platform, result.report, result.currency) == ("x", "ad_group", "BRL")
    assert result.rows == 2
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == EMPTY_TOTALS
    assert frame_of(result)["engagements"] == [300, 200]


def test_x_period_rows_are_dated_by_their_start(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = inspect(X_PERIOD.encode(), "export.csv")
    assert block_of(load(X_PERIOD.encode(), "export.csv").table) is not None
    assert (fast.platform, fast.report, fast.rows) == ("x", "campaign", 2)
    assert (fast.date_from, fast.date_to) == (date(2026, 5, 1), date(2026, 5, 1))
    assert fast.totals == {
        "impressions": 1500,
        "clicks": 7,
        "spend": Decimal("150.50"),
        "conversions": None,
    }
    assert fast.warnings == ("The file has no conversions column.",)
    monkeypatch.setattr(inspect_module, "read_csv_block", lambda data, filename: None)
    slow = inspect(X_PERIOD.encode(), "export.csv")
    assert slow.as_json() == fast.as_json()
    assert frame_of(slow) == frame_of(fast)


# --- DV360 ------------------------------------------------------------------------------------


def test_dv360_english_totals_row_and_footer_are_not_data() -> None:
    result = inspect(DV360_EN.encode(), "report.csv")
    assert (result.platform, result.report, result.currency) == ("dv360", "line_item", "EUR")
    # The totals row (empty first cell) and the six footer lines are never data.
    assert (result.rows, result.summary_rows) == (2, 7)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals == EMPTY_TOTALS  # spend is revenue, what the advertiser pays
    assert result.warnings == ()
    frame = frame_of(result)
    assert frame["account"] == ["Acme", "Acme"]
    assert frame["campaign"] == ["IO Spring", "IO Spring"]  # the insertion order
    assert frame["ad_group"] == ["LI Video", None]  # "Unknown" is DV360's null
    assert frame["placement_key"] == ["333", None]
    assert frame["video_views"] == [500, None]
    assert frame["video_completions"] == [400, 100]
    extras = json.loads(str(frame["extras"][0]))
    assert extras["Media Cost (Advertiser Currency)"] == "1000.00"
    assert extras["Click Rate (CTR)"] == "1.00%"


@pytest.mark.parametrize(
    "data",
    [UTF8_BOM + DV360_DE.encode(), DV360_DE.encode("cp1252"), utf16(DV360_DE)],
    ids=["utf8-bom", "cp1252", "utf16"],
)
def test_dv360_german_in_any_encoding(data: bytes) -> None:
    result = inspect(data, "bericht.csv")
    assert (result.platform, result.report, result.currency) == ("dv360", "line_item", "EUR")
    # Nothing below the totals row is data, even a footer in a language no rule knows.
    assert (result.rows, result.summary_rows) == (2, 3)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals == EMPTY_TOTALS
    frame = frame_of(result)
    assert frame["campaign"] == ["AA Frühling", "AA Frühling"]
    assert frame["placement_key"] == ["333", "334"]


def test_dv360_spanish_utf16_tabs() -> None:
    result = inspect(utf16(DV360_ES), "informe.csv")
    assert (result.platform, result.report, result.currency) == ("dv360", "line_item", "EUR")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == EMPTY_TOTALS


def test_dv360_unknown_first_cell_is_data_not_a_total() -> None:
    result = inspect(DV360_UNKNOWN_FIRST.encode(), "report.csv")
    assert (result.platform, result.rows, result.summary_rows) == ("dv360", 2, 1)
    assert result.totals["impressions"] == 300
    assert result.totals["spend"] == Decimal("3.00")
    assert frame_of(result)["ad_group"] == [None, "LI 2"]
    assert "The file has no dates (no date column or date-range line)." in result.warnings


@pytest.mark.parametrize(
    ("headers", "spend", "currency"),
    [
        # Revenue before media cost, in the currency its header names (not the advertiser's).
        ("Advertiser Currency,Media Cost (Advertiser Currency),Revenue (USD)", "1.50", "USD"),
        # Without revenue, the media cost, in the advertiser's currency.
        ("Advertiser Currency,Media Cost (Advertiser Currency),Click Rate (CTR)", "1.00", "EUR"),
    ],
)
def test_dv360_spend_is_revenue_then_media_cost(headers: str, spend: str, currency: str) -> None:
    text = (
        f"Date,Insertion Order,Line Item,Impressions,Clicks,{headers}\n"
        "2026/05/01,IO,LI,10,1,EUR,1.00,1.50\n"
        ",,,10,1,,1.00,1.50\n"
    )
    result = inspect(text.encode(), "report.csv")
    assert (result.platform, result.rows) == ("dv360", 1)
    assert (result.totals["spend"], result.currency) == (Decimal(spend), currency)


def test_dv360_workbook() -> None:
    data = simple_xlsx(
        [
            ["Date", "Advertiser", "Advertiser Currency", "Insertion Order", "Line Item",
             "Line Item ID", "Impressions", "Clicks", "Revenue (Adv Currency)",
             "Total Conversions"],
            ["2026/05/01", "Acme", "GBP", "IO", "LI", 333, 12000, 120, 1234.56, 3],
            ["2026/05/02", "Acme", "GBP", "IO", "LI", 333, 8000, 80, 765.44, 2.5],
            [None, None, None, None, None, None, 20000, 200, 2000, 5.5],
            [],
            ["Report Time:", "2026/06/03 10:00 GMT"],
        ]
    )  # fmt: skip
    result = inspect(data, "report.xlsx")
    assert (result.platform, result.report, result.currency) == ("dv360", "line_item", "GBP")
    assert (result.rows, result.summary_rows) == (2, 2)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == EMPTY_TOTALS
    assert frame_of(result)["placement_key"] == ["333", "333"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "Date,Advertiser,Impressions,Clicks,Revenue (Adv Currency)\n"
            "No data returned by the reporting service.,,,,\n" + DV360_FOOTER,
            "no data rows",
        ),
        ("No data returned by the reporting service.\n", "no header row"),
    ],
)
def test_dv360_no_data_returned_is_one_line(text: str, says: str) -> None:
    with pytest.raises(InspectError, match=says) as raised:
        inspect(text.encode(), "report.csv")
    assert "\n" not in str(raised.value)


# --- CM360 ------------------------------------------------------------------------------------


def test_cm360_english_with_preamble_and_grand_total() -> None:
    result = inspect(CM360_EN.encode(), "report.csv")
    assert (result.platform, result.report) == ("cm360", "placement")
    assert (result.rows, result.summary_rows) == (2, 1)  # "Grand Total:" is never data
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.currency is None  # the account currency is named nowhere in the file
    assert result.warnings == ("The file names no currency (no currency column or header).",)
    assert result.totals == {
        "impressions": 20000,
        "clicks": 200,
        "spend": Decimal("2000.00"),
        "conversions": Decimal("5"),
    }
    frame = frame_of(result)
    assert frame["account"] == ["Acme", "Acme"]
    assert frame["campaign"] == ["Spring", "Spring"]
    assert frame["ad_group"] == ["Top banner", "Side"]
    assert frame["placement_key"] == ["1001", "1002"]
    assert frame["video_views"] == [None, 500]  # "(not set)" is null
    assert frame["video_completions"] == [None, 400]  # and so is "-"
    assert json.loads(str(frame["extras"][0]))["Site (CM360)"] == "news.example"
    assert "Site (CM360)" not in json.loads(str(frame["extras"][1]))


def test_cm360_preamble_lines_never_make_the_header() -> None:
    loaded = load(CM360_EN.encode(), "report.csv")
    assert loaded.table.header_row == 10
    assert loaded.table.headers[:3] == ("Date", "Advertiser", "Campaign")
    assert "Report Fields" in loaded.preamble
    assert "Report Time Zone Europe/Berlin" in loaded.preamble


@pytest.mark.parametrize(
    "data",
    [CM360_DE.encode("cp1252"), UTF8_BOM + CM360_DE.encode()],
    ids=["cp1252", "utf8-bom"],
)
def test_cm360_german(data: bytes) -> None:
    result = inspect(data, "bericht.csv")
    assert (result.platform, result.report, result.currency) == ("cm360", "placement", None)
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == EMPTY_TOTALS
    frame = frame_of(result)
    assert frame["ad_group"] == ["Oben", "Seite"]
    assert frame["placement_key"] == ["1001", "1002"]
    assert "Website (CM360)" not in json.loads(str(frame["extras"][1]))  # "-" is null


def test_cm360_french_utf16_with_a_currency_column() -> None:
    result = inspect(utf16(CM360_FR), "rapport.csv")
    assert (result.platform, result.report, result.currency) == ("cm360", "placement", "EUR")
    assert (result.rows, result.summary_rows) == (2, 1)  # "Total général :" is never data
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals == EMPTY_TOTALS
    assert result.warnings == ()


def test_cm360_range_from_the_preamble_without_a_date_column() -> None:
    result = inspect(CM360_NO_DATE.encode(), "report.csv")
    assert (result.platform, result.rows) == ("cm360", 1)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals["spend"] == Decimal("1.50")


def test_cm360_workbook() -> None:
    data = simple_xlsx(
        [
            ["Campaign Manager 360 Report"],
            [],
            ["Report Name", "Placements"],
            ["Report Time Zone", "America/New_York"],
            ["Date Range", "2026-05-01 - 2026-05-31"],
            [],
            ["Report Fields"],
            ["Date", "Campaign", "Site (CM360)", "Placement", "Placement ID", "Impressions",
             "Clicks", "Media Cost", "Total Conversions"],
            [date(2026, 5, 1), "Spring", "news.example", "Top", 1001, 12000, 120, 1234.56, 3],
            [date(2026, 5, 3), "Spring", "(not set)", "Side", 1002, 8000, 80, 765.44, 2.5],
            ["Grand Total:", None, None, None, None, 20000, 200, 2000, 5.5],
        ]
    )  # fmt: skip
    result = inspect(data, "report.xlsx")
    assert (result.platform, result.report) == ("cm360", "placement")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 3))
    assert result.totals == EMPTY_TOTALS
    assert frame_of(result)["placement_key"] == ["1001", "1002"]


def test_cm360_no_data_returned_is_one_line() -> None:
    text = (
        "Report Name,Placements\nReport Fields\nDate,Campaign,Impressions,Clicks,Media Cost\n"
        "No data returned by the reporting service.\n"
    )
    with pytest.raises(InspectError, match="no data rows") as raised:
        inspect(text.encode(), "report.csv")
    assert "\n" not in str(raised.value)


# --- GA4 --------------------------------------------------------------------------------------


def test_ga4_comment_lines_and_the_second_table_are_not_data() -> None:
    result = inspect(GA4_EN.encode(), "ga4.csv")
    assert (result.platform, result.report, result.currency) == ("ga4", "traffic_acquisition", None)
    assert (result.rows, result.summary_rows) == (2, 0)
    # No date column: the range comes from the "# Start date" and "# End date" lines.
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals == {
        "impressions": None,  # GA4 counts visits, not ad delivery: nothing is invented
        "clicks": None,
        "spend": None,
        "conversions": Decimal("20.5"),  # key events
    }
    frame = frame_of(result)
    assert frame["conversion_value"] == [Decimal("1234.56"), Decimal("765.44")]
    extras = [json.loads(str(text)) for text in frame["extras"]]
    assert [e["Sessions"] for e in extras] == ["1000", "500"]
    assert [e["Engaged sessions"] for e in extras] == ["600", "300"]


def test_ga4_table_ends_at_the_next_comment_block() -> None:
    table = read_table(GA4_EN.encode(), "ga4.csv")
    assert table.header_row == 9
    assert [row.number for row in table.rows] == [10, 11]
    assert [row.cells[0] for row in table.rows] == ["Organic Search", "Paid Search"]


def test_ga4_german_cp1252_with_a_date_column_and_a_total() -> None:
    result = inspect(GA4_DE.encode("cp1252"), "ga4.csv")
    assert (result.platform, result.report) == ("ga4", "daily")
    assert (result.rows, result.summary_rows) == (2, 1)
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 2))
    assert result.totals["conversions"] == Decimal("20.5")
    frame = frame_of(result)
    assert frame["conversion_value"] == [Decimal("1234.56"), Decimal("765.44")]
    assert json.loads(str(frame["extras"][0]))["Sitzungen"] == "1.000"


def test_ga4_portuguese_with_a_bom_dates_from_comments() -> None:
    result = inspect(UTF8_BOM + GA4_PT.encode(), "ga4.csv")
    assert (result.platform, result.report) == ("ga4", "traffic_acquisition")
    assert result.rows == 2
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals["conversions"] == Decimal("20.5")


def test_ga4_google_ads_cost_and_clicks_utf16() -> None:
    result = inspect(utf16(GA4_ADS), "ga4.csv")
    assert (result.platform, result.report) == ("ga4", "campaign")
    assert (result.rows, result.summary_rows) == (2, 1)  # "Grand total" is never data
    assert (result.date_from, result.date_to) == (date(2026, 5, 1), date(2026, 5, 31))
    assert result.totals == {
        "impressions": None,
        "clicks": 2000,
        "spend": Decimal("2000.00"),
        "conversions": Decimal("20.5"),
    }
    assert frame_of(result)["campaign"] == ["Spring", "Autumn"]


def test_comment_lines_are_never_the_header_but_a_hash_column_is() -> None:
    data = b"# Account: Acme, Inc.\n# Start date: 20260501\nChannel,Sessions\nOrganic,12\n"
    assert read_table(data, "ga4.csv").header_row == 3
    table = read_table(b"#,Campaign,Clicks\n1,Brand,3\n", "numbered.csv")
    assert table.headers == ("#", "Campaign", "Clicks")
    assert is_comment(["# -----"]) and is_comment(["#", ""]) and not is_comment(["#", "x"])


def test_a_hash_row_in_a_file_without_comments_is_data() -> None:
    table = read_table(b"Campaign,Clicks\nBrand,1\n# brand,3\n", "plain.csv")
    assert [row.cells for row in table.rows] == [("Brand", "1"), ("# brand", "3")]


# --- both CSV paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        X_EN.encode(),
        X_DE.encode("cp1252"),
        utf16(X_FR),
        X_PERIOD.encode(),
        DV360_EN.encode(),
        UTF8_BOM + DV360_DE.encode(),
        utf16(DV360_ES),
        DV360_UNKNOWN_FIRST.encode(),
        DV360_EN.replace("2026/05/31", "2026/02/30").encode(),  # an impossible date: a warning
    ],
    ids=["x-en", "x-de", "x-fr", "x-period", "dv360-en", "dv360-de", "dv360-es", "dv360-unknown",
         "dv360-bad-date"],
)  # fmt: skip
def test_fast_and_slow_paths_agree(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    assert block_of(load(data, "report.csv").table) is not None  # the Polars block is read
    fast = inspect(data, "report.csv")
    monkeypatch.setattr(inspect_module, "read_csv_block", lambda data, filename: None)
    slow = inspect(data, "report.csv")
    assert slow.as_json() == fast.as_json()
    assert (slow.rows, slow.summary_rows) == (fast.rows, fast.summary_rows)
    assert frame_of(slow) == frame_of(fast)


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "platform"), ALL_NEW.values(), ids=ALL_NEW.keys())
def test_new_platforms_are_detected_from_content_not_the_file_name(
    text: str, platform: str
) -> None:
    for name in ("google_ads.csv", "meta.csv", "dv360.csv", "cm360.csv", "x.csv", "ga4.csv"):
        assert inspect(text.encode(), name).platform == platform
    loaded = load(text.encode(), "export.csv")
    scores = {r.platform: r.matches(loaded.table.headers, loaded.preamble) for r in readers()}
    assert max(scores, key=lambda name: scores[name]) == platform
    others = [score for name, score in scores.items() if name != platform]
    assert scores[platform] > max(others)


@pytest.mark.parametrize(("text", "platform"), EXISTING.values(), ids=EXISTING.keys())
def test_existing_look_alikes_are_not_claimed_by_the_new_readers(text: str, platform: str) -> None:
    loaded = load(text.encode(), "export.csv")
    for reader in readers():
        if reader.platform in NEW:
            assert reader.matches(loaded.table.headers, loaded.preamble) == 0
    assert inspect(text.encode(), "dv360.csv").platform == platform


def test_real_exports_are_not_claimed_by_the_new_readers() -> None:
    paths = sorted(path for path in EXPORTS.rglob("*") if path.is_file())
    if not paths:
        pytest.skip(f"{EXPORTS} is absent (the shared folder sits beside the repository root)")
    for path in paths:
        try:
            loaded = load(path.read_bytes(), path.name)
        except InspectError:
            continue  # not a delivery export at all (a bulk-upload template, …)
        assert loaded.reader.platform not in NEW, path.name
        for reader in readers():
            if reader.platform in NEW:
                assert reader.matches(loaded.table.headers, loaded.preamble) == 0, path.name


def test_shared_header_names_alone_do_not_decide() -> None:
    # "Link clicks" is Meta's too, "Total Conversions" DV360's and CM360's, "Line Item ID"
    # Google Ad Manager's, "Placement" Amazon's: none of these alone names a new platform.
    for headers in (
        ["Campaign name", "Link clicks", "Impressions", "Spend"],
        ["Date", "Line Item", "Line Item ID", "Impressions", "Clicks", "Total Conversions"],
        ["Date", "Placement", "Placement ID", "Impressions", "Clicks", "Media Cost"],
        ["Date", "Sessions", "Conversions", "Total revenue"],
    ):
        for reader in readers():
            if reader.platform in NEW:
                assert reader.matches(headers, []) == 0, (reader.platform, headers)
    found = detect(["Campaign name", "Link clicks", "Impressions", "Amount spent (EUR)"], [])
    assert found is not None and found[0].platform == "meta"


@pytest.mark.slow
def test_cli_inspect_json_for_dv360(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(DV360_EN, encoding="utf-8")
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
    assert json.loads(result.stdout) == {
        "platform": "dv360",
        "report": "line_item",
        "rows": 2,
        "date_from": "2026-05-01",
        "date_to": "2026-05-31",
        "currency": "EUR",
        "totals": {"impressions": 20000, "clicks": 200, "spend": "2000", "conversions": "5.5"},
        "warnings": [],
    }
