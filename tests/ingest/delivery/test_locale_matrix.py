"""Every platform in every locale: English, German, French, Spanish and Brazilian Portuguese.

One fixture builder per platform renders that platform's layout (preamble, summary and footer
rows included) with the header names of the locale, its number and date format and an encoding
and delimiter such a file arrives in (German semicolons in Windows-1252 as Excel saves them,
Google Ads' UTF-16 tab-separated "Excel CSV", UTF-8 with a BOM, workbooks for the platforms that
export XLSX). Every case holds the same four data rows, so ``inspect`` must give the same rows,
dates and totals everywhere; only the currency differs by locale.

The localized header names are the platforms' UI names where known and plausible guesses
elsewhere (see each reader's docstring); none comes from a real localized export. Where a
platform never writes a locale's form (GA4 never writes "Rs."), the case still uses that
locale's headers and numbers.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mediadesk.ingest.delivery import inspect as inspect_module
from mediadesk.ingest.delivery.detect import PLATFORMS
from mediadesk.ingest.delivery.inspect import Inspection, inspect

from ..files import simple_xlsx

LOCALES = ("en", "de", "fr", "es", "pt_BR")
NNBSP = "\u202f"  # narrow no-break space: French thousands
NBSP = "\u00a0"  # no-break space: French thousands as Windows-1252 can write them
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOM = b"\xff\xfe"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Day:
    day: date
    campaign: int  # 0 or 1: the locale's campaign name
    impressions: int
    clicks: int
    spend: Decimal | None  # None: written as the platform's empty marker
    conversions: Decimal | None


# 1 May, 2 May and 12 May read as 5 January, 5 February and 5 December when a day-first date is
# read month first; 31 May cannot be misread.
DAYS = (
    Day(date(2026, 5, 1), 0, 12_345, 234, Decimal("1234.56"), Decimal("12.5")),
    Day(date(2026, 5, 2), 0, 987, 65, Decimal("201.68"), Decimal("3")),
    Day(date(2026, 5, 12), 1, 1_500_000, 4_321, Decimal("98765.43"), Decimal("0.5")),
    Day(date(2026, 5, 31), 1, 1_000, 0, None, None),
)
IMPRESSIONS = sum(d.impressions for d in DAYS)  # 1,514,332
CLICKS = sum(d.clicks for d in DAYS)  # 4,620
SPEND = sum((d.spend or Decimal(0) for d in DAYS), Decimal(0))  # 100,201.67
CONVERSIONS = sum((d.conversions or Decimal(0) for d in DAYS), Decimal(0))  # 16
TOTALS: dict[str, int | Decimal | None] = {
    "impressions": IMPRESSIONS,
    "clicks": CLICKS,
    "spend": SPEND,
    "conversions": CONVERSIONS,
}
CAMPAIGNS = {
    "en": ("Brand", "Generic"),
    "de": ("Marke", "Generisch"),
    "fr": ("Marque", "Générique"),
    "es": ("Marca", "Genérico"),
    "pt_BR": ("Marca", "Genérico"),
}
CURRENCY = {"en": "USD", "de": "EUR", "fr": "EUR", "es": "EUR", "pt_BR": "BRL"}


@dataclass(frozen=True)
class Style:
    """How a locale writes numbers: the thousands separator and the decimal mark."""

    group: str
    point: str


EN = Style(",", ".")
DOT = Style(".", ",")  # German, Spanish, Brazilian Portuguese
SPACE = Style(" ", ",")  # French, plain space
THIN = Style(NNBSP, ",")  # French, narrow no-break space
HARD = Style(NBSP, ",")  # French, no-break space


def num(value: int | Decimal, style: Style, places: int | None = None) -> str:
    text = f"{value:,}" if places is None else f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", style.point).replace("\0", style.group)


def money(value: Decimal, style: Style) -> str:
    return num(value, style, 2)


def percent(day: Day, style: Style, space: str = "") -> str:
    rate = Decimal(100 * day.clicks) / day.impressions
    return num(rate, style, 2) + space + "%"


def when(day: date, form: str) -> str:
    return {
        "iso": day.isoformat(),
        "us": f"{day.month}/{day.day}/{day.year}",
        "dotted": f"{day:%d.%m.%Y}",
        "dmy": f"{day:%d/%m/%Y}",
        "ymd": f"{day:%Y/%m/%d}",
        "named": f"{MONTHS[day.month - 1]} {day.day}, {day.year}",
        "compact": f"{day:%Y%m%d}",
    }[form]


def csv_file(
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    quote_all: bool = False,
    newline: str = "\n",
) -> bytes:
    """The rows as a CSV file; encoding "utf-8-sig" and "utf-16" write a byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=newline,
    )
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return UTF8_BOM + text.encode("utf-8")
    if encoding == "utf-16":
        return UTF16_BOM + text.encode("utf-16-le")
    return text.encode(encoding)


@dataclass(frozen=True)
class Case:
    data: bytes
    name: str
    summary: int  # rows below the header that are totals or footers
    currency: str | None
    campaigns: tuple[str | None, ...]
    totals: dict[str, int | Decimal | None] = field(default_factory=lambda: dict(TOTALS))
    rows: int = len(DAYS)
    date_from: date = date(2026, 5, 1)
    date_to: date = date(2026, 5, 31)

    @property
    def warnings(self) -> tuple[str, ...]:
        said = []
        if self.currency is None:
            said.append("The file names no currency (no currency column or header).")
        said += [f"The file has no {name} column." for name, v in self.totals.items() if v is None]
        return tuple(said)


def campaigns(locale: str) -> tuple[str | None, ...]:
    names = CAMPAIGNS[locale]
    return tuple(names[d.campaign] for d in DAYS)


# --- Google Ads -------------------------------------------------------------------------------
# Title, date-range line, header, data, then "Total: …" rows with the label in the column of the
# first text dimension. Costs have no thousands separator, other amounts do; " --" is empty.

GOOGLE_ADS = {
    "en": ("Campaign report", "May 1, 2026 - May 31, 2026",
           ("Day", "Campaign", "Currency code", "Impr.", "Clicks", "CTR", "Cost", "Conversions"),
           ("Total: Account", "Total: Search"), "iso", EN),
    "de": ("Kampagnenbericht", "1. Mai 2026 - 31. Mai 2026",
           ("Tag", "Kampagne", "Währungscode", "Impr.", "Klicks", "CTR", "Kosten", "Conversions"),
           ("Gesamt: Konto", "Gesamt: Suche"), "dotted", DOT),
    "fr": ("Rapport sur les campagnes", "1 mai 2026 - 31 mai 2026",
           ("Jour", "Campagne", "Code de devise", "Impr.", "Clics", "CTR", "Coût", "Conversions"),
           ("Total : compte", "Total : Réseau de Recherche"), "dmy", THIN),
    "es": ("Informe de campañas", "1 may. 2026 - 31 may. 2026",
           ("Día", "Campaña", "Código de moneda", "Impr.", "Clics", "CTR", "Coste",
            "Conversiones"),
           ("Total: cuenta", "Total: Red de Búsqueda"), "dmy", DOT),
    # A keyword report: no day column, so the dates come from the range line.
    "pt_BR": ("Relatório de palavras-chave", "1 de mai. de 2026 - 31 de mai. de 2026",
              ("Palavra-chave", "Campanha", "Código da moeda", "Impr.", "Cliques", "CTR", "Custo",
               "Conversões"),
              ("Total: conta", "Total: Rede de Pesquisa"), "", DOT),
}  # fmt: skip
KEYWORDS = ("[marca]", '"marca barata"', "genérico", "+genérico +online")


def google_ads(locale: str) -> Case:
    title, period, headers, labels, form, style = GOOGLE_ADS[locale]
    currency = CURRENCY[locale]
    names = CAMPAIGNS[locale]
    space = "" if locale == "en" else " "
    grid: list[list[str]] = [[title], [period], list(headers)]
    for index, d in enumerate(DAYS):
        first = KEYWORDS[index] if not form else when(d.day, form)
        cost = " --" if d.spend is None else num(d.spend, Style("", style.point), 2)
        if locale == "en" and d.spend is not None:
            cost = "$" + money(d.spend, EN)  # "sometimes a $ in Cost"
        conversions = " --" if d.conversions is None else num(d.conversions, style)
        grid.append([first, names[d.campaign], currency, num(d.impressions, style),
                     num(d.clicks, style), percent(d, style, space), cost,
                     conversions])  # fmt: skip
    for label in labels:
        total = ["", label] if form else [label, ""]
        grid.append([*total, currency, num(IMPRESSIONS, style), num(CLICKS, style), "",
                     money(SPEND, style), num(CONVERSIONS, style)])  # fmt: skip
    if locale in ("de", "es"):  # "Excel .csv": UTF-16 with a BOM, tabs, CRLF
        data = csv_file(grid, delimiter="\t", encoding="utf-16", newline="\r\n")
    else:
        data = csv_file(grid, encoding="utf-8-sig" if locale == "pt_BR" else "utf-8")
    return Case(data, "report.csv", len(labels), currency, campaigns(locale))


# --- Meta Ads Manager -------------------------------------------------------------------------
# The header first (UTF-8 with a BOM), the summary row ("Include summary row": no names) right
# below it, one row per campaign and day. "Results" depend on the objective: no conversions.

META = {
    "en": ("Reporting starts", "Reporting ends", "Campaign name", "Ad set name", "Results",
           "Result indicator", "Reach", "Impressions", "Amount spent (USD)", "Link clicks",
           "CTR (link click-through rate)"),
    "de": ("Berichtsbeginn", "Berichtsende", "Kampagnenname", "Name der Anzeigengruppe",
           "Ergebnisse", "Ergebnisindikator", "Reichweite", "Impressionen",
           "Ausgegebener Betrag (EUR)", "Link-Klicks", "CTR (Link-Klickrate)"),
    "fr": ("Début des rapports", "Fin des rapports", "Nom de la campagne",
           "Nom de l'ensemble de publicités", "Résultats", "Indicateur de résultat", "Couverture",
           "Impressions", "Montant dépensé (EUR)", "Clics sur un lien",
           "CTR (taux de clics sur le lien)"),
    "es": ("Inicio del informe", "Fin del informe", "Nombre de la campaña",
           "Nombre del conjunto de anuncios", "Resultados", "Indicador de resultado", "Alcance",
           "Impresiones", "Importe gastado (EUR)", "Clics en el enlace",
           "CTR (porcentaje de clics en el enlace)"),
    "pt_BR": ("Início dos relatórios", "Término dos relatórios", "Nome da campanha",
              "Nome do conjunto de anúncios", "Resultados", "Indicador de resultados", "Alcance",
              "Impressões", "Valor usado (BRL)", "Cliques no link",
              "CTR (taxa de cliques no link)"),
}  # fmt: skip
META_FORMS = {
    "en": ("iso", EN, "utf-8-sig", ","),
    "de": ("dotted", DOT, "cp1252", ";"),
    "fr": ("dmy", THIN, "utf-8-sig", ";"),
    "pt_BR": ("dmy", DOT, "utf-8", ","),
}


def meta(locale: str) -> Case:
    headers = META[locale]
    names = CAMPAIGNS[locale]
    summary_dates = (date(2026, 5, 1), date(2026, 5, 31))
    if locale == "es":  # a workbook: numbers are numbers, dates Excel serial numbers
        sheet: list[list[object]] = [list(headers)]
        sheet.append([*summary_dates, None, None, CLICKS, None, IMPRESSIONS * 8 // 10,
                      IMPRESSIONS, float(SPEND), CLICKS, None])  # fmt: skip
        for d in DAYS:
            sheet.append([d.day, d.day, names[d.campaign], "Todos", d.clicks,
                          "actions:link_click", d.impressions * 8 // 10, d.impressions,
                          None if d.spend is None else float(d.spend), d.clicks,
                          d.clicks / d.impressions * 100])  # fmt: skip
        return Case(simple_xlsx(sheet), "meta.xlsx", 1, "EUR", campaigns(locale),
                    totals={**TOTALS, "conversions": None})  # fmt: skip
    form, style, encoding, delimiter = META_FORMS[locale]
    grid: list[list[str]] = [list(headers)]
    grid.append([when(summary_dates[0], form), when(summary_dates[1], form), "", "",
                 num(CLICKS, style), "", num(IMPRESSIONS * 8 // 10, style),
                 num(IMPRESSIONS, style), money(SPEND, style), num(CLICKS, style), ""])  # fmt: skip
    for d in DAYS:
        grid.append([when(d.day, form), when(d.day, form), names[d.campaign], "All",
                     num(d.clicks, style), "actions:link_click",
                     num(d.impressions * 8 // 10, style), num(d.impressions, style),
                     "" if d.spend is None else money(d.spend, style), num(d.clicks, style),
                     percent(d, style)])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "meta.csv", 1, CURRENCY[locale], campaigns(locale),
                totals={**TOTALS, "conversions": None})  # fmt: skip


# --- LinkedIn Campaign Manager ----------------------------------------------------------------
# A preamble (title, report start and end, a blank line), the header, month-first dates in
# English, and a trailing "Total" row.

LINKEDIN = {
    "en": (("Campaign Performance Report (in UTC)", "Report Start: 5/1/2026, 12:00 AM",
            "Report End: 5/31/2026, 11:59 PM"),
           ("Start Date (in UTC)", "Account Name", "Campaign Group Name", "Campaign Name",
            "Campaign ID", "Currency", "Total Spent", "Impressions", "Clicks", "Conversions",
            "Total Engagements", "Average CTR"), "Total", "us", EN, "utf-8", ","),
    "de": (("Bericht zur Kampagnenleistung (in UTC)", "Berichtsbeginn: 01.05.2026, 00:00",
            "Berichtsende: 31.05.2026, 23:59"),
           ("Startdatum (in UTC)", "Kontoname", "Name der Kampagnengruppe", "Kampagnenname",
            "Kampagnen-ID", "Währung", "Ausgaben gesamt", "Impressionen", "Klicks",
            "Conversions", "Interaktionen gesamt", "Durchschnittliche CTR"),
           "Gesamt", "dotted", DOT, "cp1252", ";"),
    "fr": (("Rapport sur les performances des campagnes (en UTC)",
            "Début du rapport : 01/05/2026 00:00", "Fin du rapport : 31/05/2026 23:59"),
           ("Date de début (en UTC)", "Nom du compte", "Nom du groupe de campagnes",
            "Nom de la campagne", "ID de la campagne", "Devise", "Dépenses totales",
            "Impressions", "Clics", "Conversions", "Total des interactions", "CTR moyen"),
           "Total", "dmy", SPACE, "utf-8-sig", ";"),
    "es": (("Informe de rendimiento de campañas (en UTC)", "Inicio del informe: 01/05/2026 0:00",
            "Fin del informe: 31/05/2026 23:59"),
           ("Fecha de inicio (en UTC)", "Nombre de la cuenta", "Nombre del grupo de campañas",
            "Nombre de la campaña", "ID de la campaña", "Divisa", "Importe total gastado",
            "Impresiones", "Clics", "Conversiones", "Interacciones totales", "CTR medio"),
           "Total", "dmy", DOT, "utf-8", ";"),
    "pt_BR": (("Relatório de desempenho da campanha (em UTC)",
               "Início do relatório: 01/05/2026 00:00", "Fim do relatório: 31/05/2026 23:59"),
              ("Data de início (em UTC)", "Nome da conta", "Nome do grupo de campanhas",
               "Nome da campanha", "ID da campanha", "Moeda", "Total gasto", "Impressões",
               "Cliques", "Conversões", "Total de engajamentos", "CTR médio"),
              "Total", "", DOT, "", ""),
}  # fmt: skip


def linkedin(locale: str) -> Case:
    preamble, headers, label, form, style, encoding, delimiter = LINKEDIN[locale]
    currency = CURRENCY[locale]
    names = CAMPAIGNS[locale]
    if locale == "pt_BR":  # a workbook with the preamble in its first rows
        sheet: list[list[object]] = [[line] for line in preamble] + [[], list(headers)]
        for d in DAYS:
            sheet.append([d.day, "Acme", "T2", names[d.campaign], 100 + d.campaign, currency,
                          0 if d.spend is None else float(d.spend), d.impressions, d.clicks,
                          0 if d.conversions is None else float(d.conversions),
                          d.clicks * 2, d.clicks / d.impressions])  # fmt: skip
        sheet.append([label, None, None, None, None, currency, float(SPEND), IMPRESSIONS,
                      CLICKS, float(CONVERSIONS), CLICKS * 2, None])  # fmt: skip
        return Case(simple_xlsx(sheet), "linkedin.xlsx", 1, currency, campaigns(locale))
    grid: list[list[str]] = [[line] for line in preamble] + [[], list(headers)]
    for d in DAYS:
        grid.append([when(d.day, form), "Acme", "Q2", names[d.campaign], str(100 + d.campaign),
                     currency, money(d.spend or Decimal(0), style), num(d.impressions, style),
                     num(d.clicks, style), num(d.conversions or Decimal(0), style),
                     num(d.clicks * 2, style), percent(d, style)])  # fmt: skip
    grid.append([label, "", "", "", "", currency, money(SPEND, style), num(IMPRESSIONS, style),
                 num(CLICKS, style), num(CONVERSIONS, style), num(CLICKS * 2, style),
                 ""])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "linkedin.csv", 1, currency, campaigns(locale))


# --- Microsoft Advertising --------------------------------------------------------------------
# Every field quoted; a preamble of one-cell lines, a blank line, the header, data, a "Total"
# row, a blank line and the copyright footer.

MICROSOFT_ADS = {
    "en": (("Campaign Performance Report", "Report Time: 5/1/2026 - 5/31/2026",
            "Time Zone: (GMT-08:00) Pacific Time (US & Canada); Tijuana",
            "Last Completed Available Day: 6/1/2026 3:00:00 AM (GMT-08:00)",
            "Report Aggregation: Daily", "Rows: 4"),
           ("Gregorian date", "Account name", "Campaign name", "Ad group", "Currency code",
            "Impr.", "Clicks", "CTR", "Spend", "Conv.", "Revenue"),
           "Total", "©2026 Microsoft Corporation. All rights reserved. ", "us", EN,
           "utf-8-sig", ","),
    "de": (("Kampagnenleistungsbericht", "Berichtszeit: 01.05.2026 - 31.05.2026",
            "Zeitzone: (GMT+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien",
            "Berichtsaggregation: Täglich", "Zeilen: 4"),
           ("Gregorianisches Datum", "Kontoname", "Kampagnenname", "Anzeigengruppe",
            "Währungscode", "Aufrufe", "Klicks", "CTR", "Ausgaben", "Abschlüsse", "Umsatz"),
           "Gesamt", "©2026 Microsoft Corporation. Alle Rechte vorbehalten.", "dotted", DOT,
           "cp1252", ";"),
    "fr": (("Rapport sur les performances des campagnes",
            "Période du rapport : 01/05/2026 - 31/05/2026",
            "Fuseau horaire : (GMT+01:00) Bruxelles, Copenhague, Madrid, Paris",
            "Agrégation du rapport : Quotidien", "Lignes : 4"),
           ("Date grégorienne", "Nom du compte", "Nom de la campagne", "Groupe d'annonces",
            "Code de devise", "Impr.", "Clics", "CTR", "Dépenses", "Conv.", "Revenu"),
           "Total", "©2026 Microsoft Corporation. Tous droits réservés.", "dmy", HARD,
           "utf-8-sig", ";"),
    "es": (("Informe de rendimiento de campañas", "Hora del informe: 01/05/2026 - 31/05/2026",
            "Zona horaria: (GMT+01:00) Bruselas, Copenhague, Madrid, París",
            "Agregación del informe: Diario", "Filas: 4"),
           ("Fecha gregoriana", "Nombre de la cuenta", "Nombre de la campaña",
            "Grupo de anuncios", "Código de moneda", "Impr.", "Clics", "CTR", "Gasto", "Conv.",
            "Ingresos"),
           "Total", "©2026 Microsoft Corporation. Todos los derechos reservados.", "dmy", DOT,
           "utf-16", "\t"),
    "pt_BR": (("Relatório de desempenho da campanha",
               "Hora do relatório: 01/05/2026 - 31/05/2026", "Fuso horário: (GMT-03:00) Brasília",
               "Agregação do relatório: Diário", "Linhas: 4"),
              ("Data gregoriana", "Nome da conta", "Nome da campanha", "Grupo de anúncios",
               "Código da moeda", "Impr.", "Cliques", "CTR", "Gasto", "Conv.", "Receita"),
              "Total", "©2026 Microsoft Corporation. Todos os direitos reservados.", "dmy", DOT,
              "utf-8", ","),
}  # fmt: skip


def microsoft_ads(locale: str) -> Case:
    preamble, headers, label, footer, form, style, encoding, delimiter = MICROSOFT_ADS[locale]
    currency = CURRENCY[locale]
    names = CAMPAIGNS[locale]
    space = "" if locale == "en" else " "
    grid: list[list[str]] = [[line] for line in preamble] + [[], list(headers)]
    for d in DAYS:
        grid.append([when(d.day, form), "Acme", names[d.campaign], "Exact", currency,
                     num(d.impressions, style), num(d.clicks, style), percent(d, style, space),
                     money(d.spend or Decimal(0), style), num(d.conversions or Decimal(0), style),
                     money(Decimal(10 * d.clicks), style)])  # fmt: skip
    grid.append([label, "", "", "", currency, num(IMPRESSIONS, style), num(CLICKS, style), "",
                 money(SPEND, style), num(CONVERSIONS, style),
                 money(Decimal(10 * CLICKS), style)])  # fmt: skip
    grid += [[], [footer]]
    data = csv_file(grid, delimiter=delimiter, encoding=encoding, quote_all=True, newline="\r\n")
    return Case(data, "microsoft.csv", 2, currency, campaigns(locale))


# --- TikTok Ads Manager -----------------------------------------------------------------------
# The header first, one row per day ("By Day") and campaign, then "Total of 4 results".

TIKTOK = {
    "en": (("By Day", "Campaign name", "Currency", "Cost", "Impressions", "Reach",
            "Clicks (destination)", "CTR (destination)", "Conversions"),
           "Total of 4 results", "iso", EN, "utf-8", ","),
    "de": (("Nach Tag", "Kampagnenname", "Währung", "Kosten", "Impressionen", "Reichweite",
            "Klicks (Ziel)", "CTR (Ziel)", "Conversions"),
           "Insgesamt 4 Ergebnisse", "", DOT, "", ""),
    "fr": (("Par jour", "Nom de la campagne", "Devise", "Coût", "Impressions", "Couverture",
            "Clics (destination)", "CTR (destination)", "Conversions"),
           "Total de 4 résultats", "dmy", HARD, "utf-8-sig", ";"),
    "es": (("Por día", "Nombre de la campaña", "Moneda", "Coste", "Impresiones", "Alcance",
            "Clics (destino)", "CTR (destino)", "Conversiones"),
           "Total de 4 resultados", "dmy", DOT, "cp1252", ";"),
    "pt_BR": (("Por dia", "Nome da campanha", "Moeda", "Custo", "Impressões", "Alcance",
               "Cliques (destino)", "CTR (destino)", "Conversões"),
              "Total de 4 resultados", "iso", DOT, "utf-8", ","),
}  # fmt: skip


def tiktok(locale: str) -> Case:
    headers, label, form, style, encoding, delimiter = TIKTOK[locale]
    currency = CURRENCY[locale]
    names = CAMPAIGNS[locale]
    if locale == "de":  # a workbook
        sheet: list[list[object]] = [list(headers)]
        for d in DAYS:
            sheet.append([d.day, names[d.campaign], currency,
                          None if d.spend is None else float(d.spend), d.impressions,
                          d.impressions * 8 // 10, d.clicks, d.clicks / d.impressions,
                          None if d.conversions is None else float(d.conversions)])  # fmt: skip
        sheet.append([label, None, currency, float(SPEND), IMPRESSIONS, None, CLICKS, None,
                      float(CONVERSIONS)])  # fmt: skip
        return Case(simple_xlsx(sheet), "tiktok.xlsx", 1, currency, campaigns(locale))
    space = "" if locale == "en" else " "
    grid: list[list[str]] = [list(headers)]
    for d in DAYS:
        grid.append([when(d.day, form), names[d.campaign], currency,
                     "-" if d.spend is None else money(d.spend, style), num(d.impressions, style),
                     num(d.impressions * 8 // 10, style), num(d.clicks, style),
                     percent(d, style, space),
                     "-" if d.conversions is None else num(d.conversions, style)])  # fmt: skip
    grid.append([label, "", currency, money(SPEND, style), num(IMPRESSIONS, style), "",
                 num(CLICKS, style), "", num(CONVERSIONS, style)])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "tiktok.csv", 1, currency, campaigns(locale))


# --- X Ads ------------------------------------------------------------------------------------
# The header first, one row per campaign and day; no summary rows.

X = {
    "en": (("Campaign name", "Ad group name", "Time", "Funding source", "Currency", "Spend",
            "Impressions", "Engagements", "Billed engagements", "Link clicks", "Conversions",
            "Engagement rate"), "named", EN, "utf-8", ","),
    "de": (("Kampagnenname", "Anzeigengruppenname", "Tag", "Finanzierungsquelle", "Währung",
            "Ausgaben", "Impressionen", "Interaktionen", "Abgerechnete Interaktionen",
            "Link-Klicks", "Konversionen", "Interaktionsrate"), "dotted", DOT, "cp1252", ";"),
    "fr": (("Nom de la campagne", "Nom du groupe d'annonces", "Jour", "Source de financement",
            "Devise", "Dépenses", "Impressions", "Engagements", "Engagements facturés",
            "Clics sur le lien", "Conversions", "Taux d'engagement"), "dmy", THIN, "utf-16",
           "\t"),
    "es": (("Nombre de la campaña", "Nombre del grupo de anuncios", "Día",
            "Fuente de financiación", "Moneda", "Gasto", "Impresiones", "Interacciones",
            "Interacciones facturadas", "Clics en el enlace", "Conversiones",
            "Tasa de interacción"), "dmy", DOT, "utf-8-sig", ";"),
    "pt_BR": (("Nome da campanha", "Nome do grupo de anúncios", "Dia", "Fonte de financiamento",
               "Moeda", "Gastos", "Impressões", "Engajamentos", "Engajamentos faturados",
               "Cliques no link", "Conversões", "Taxa de engajamento"), "dmy", DOT, "utf-8",
              ","),
}  # fmt: skip


def x(locale: str) -> Case:
    headers, form, style, encoding, delimiter = X[locale]
    currency = CURRENCY[locale]
    names = CAMPAIGNS[locale]
    space = "" if locale == "en" else " "
    grid: list[list[str]] = [list(headers)]
    for d in DAYS:
        grid.append([names[d.campaign], "All", when(d.day, form), "Card 1234", currency,
                     money(d.spend or Decimal(0), style), num(d.impressions, style),
                     num(d.clicks * 2, style), num(d.clicks + 1, style), num(d.clicks, style),
                     num(d.conversions or Decimal(0), style),
                     percent(d, style, space)])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "x.csv", 0, currency, campaigns(locale))


# --- DV360 ------------------------------------------------------------------------------------
# The header first, dates 2026/05/01 in every language, a totals row with an empty first cell,
# a blank line and footer lines. "Unknown" is DV360's null.

DV360 = {
    "en": (("Date", "Advertiser", "Advertiser ID", "Advertiser Currency", "Insertion Order",
            "Line Item", "Line Item ID", "Impressions", "Clicks", "Click Rate (CTR)",
            "Revenue (Adv Currency)", "Total Conversions"),
           ("Report Time:", "Date Range:", "Group By:", "Filter by Advertiser ID:"),
           EN, "utf-8", ","),
    "de": (("Datum", "Werbetreibender", "Werbetreibender-ID", "Währung des Werbetreibenden",
            "Anzeigenauftrag", "Werbebuchung", "Werbebuchungs-ID", "Impressionen", "Klicks",
            "Klickrate (CTR)", "Umsatz (Werbetreibendenwährung)", "Conversions insgesamt"),
           ("Berichtszeit:", "Zeitraum:", "Gruppieren nach:",
            "Nach Werbetreibender-ID filtern:"), DOT, "cp1252", ";"),
    "fr": (("Date", "Annonceur", "ID de l'annonceur", "Devise de l'annonceur",
            "Ordre d'insertion", "Élément de campagne", "ID de l'élément de campagne",
            "Impressions", "Clics", "Taux de clics (CTR)", "Revenus (devise de l'annonceur)",
            "Nombre total de conversions"),
           ("Heure du rapport :", "Plage de dates :", "Regrouper par :",
            "Filtrer par ID d'annonceur :"), SPACE, "utf-8-sig", ","),
    "es": (("Fecha", "Anunciante", "ID del anunciante", "Moneda del anunciante",
            "Pedido de inserción", "Línea de pedido", "ID de línea de pedido", "Impresiones",
            "Clics", "Porcentaje de clics (CTR)", "Ingresos (moneda del anunciante)",
            "Conversiones totales"),
           ("Hora del informe:", "Periodo:", "Agrupar por:", "Filtrar por ID de anunciante:"),
           DOT, "utf-16", "\t"),
    "pt_BR": (("Data", "Anunciante", "ID do anunciante", "Moeda do anunciante",
               "Pedido de inserção", "Item de linha", "ID do item de linha", "Impressões",
               "Cliques", "Taxa de cliques (CTR)", "Receita (moeda do anunciante)",
               "Total de conversões"),
              ("Hora do relatório:", "Período:", "Agrupar por:",
               "Filtrar por ID do anunciante:"), DOT, "utf-8", ";"),
}  # fmt: skip


def dv360(locale: str) -> Case:
    headers, footer, style, encoding, delimiter = DV360[locale]
    currency = CURRENCY[locale]
    names = CAMPAIGNS[locale]
    space = "" if locale == "en" else " "
    grid: list[list[str]] = [list(headers)]
    for index, d in enumerate(DAYS):
        item = "Unknown" if index == 3 else f"LI {index}"
        grid.append([when(d.day, "ymd"), "Acme", "111", currency, names[d.campaign], item,
                     "Unknown" if index == 3 else str(300 + index), num(d.impressions, style),
                     num(d.clicks, style), percent(d, style, space),
                     money(d.spend or Decimal(0), style),
                     num(d.conversions or Decimal(0), style)])  # fmt: skip
    grid.append(["", "", "", "", "", "", "", num(IMPRESSIONS, style), num(CLICKS, style), "",
                 money(SPEND, style), num(CONVERSIONS, style)])  # fmt: skip
    grid += [
        [],
        [footer[0], "2026/06/01 10:00 GMT"],
        [footer[1], "2026/05/01 - 2026/05/31"],
        [footer[2], headers[0], headers[1], headers[4], headers[5]],
        ["MRC Accredited Metrics", "Active View metrics are accredited only when Measurement "
         "Source = Measured"],
        [footer[3], "111"],
    ]  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "dv360.csv", 6, currency, campaigns(locale))


# --- CM360 ------------------------------------------------------------------------------------
# Metadata, "Report Fields", the header, ISO dates, "Grand Total:". CM360 names no currency;
# the German, Spanish and Portuguese reports add a currency column.

CM360 = {
    "en": (("Campaign Manager 360 Report", ("Report Name", "Daily placements"),
            ("Report Time Zone", "Europe/Berlin"), ("Account ID", "12345"),
            ("Date Range", "2026-05-01 - 2026-05-31"), "Report Fields"),
           ("Date", "Advertiser", "Campaign", "Site (CM360)", "Placement", "Placement ID",
            "Impressions", "Clicks", "Media Cost", "Total Conversions"),
           "Grand Total:", EN, "utf-8", ","),
    "de": (("Campaign Manager 360-Bericht", ("Berichtsname", "Tägliche Placements"),
            ("Zeitzone des Berichts", "Europe/Berlin"), ("Konto-ID", "12345"),
            ("Zeitraum", "2026-05-01 - 2026-05-31"), "Berichtsfelder"),
           ("Datum", "Werbetreibender", "Kampagne", "Website (CM360)", "Placement",
            "Placement-ID", "Währung", "Impressionen", "Klicks", "Mediakosten",
            "Conversions insgesamt"),
           "Gesamtsumme:", DOT, "utf-8-sig", ","),
    "fr": (("Rapport Campaign Manager 360", ("Nom du rapport", "Emplacements quotidiens"),
            ("Fuseau horaire du rapport", "Europe/Paris"), ("ID du compte", "12345"),
            ("Plage de dates", "2026-05-01 - 2026-05-31"), "Champs du rapport"),
           ("Date", "Annonceur", "Campagne", "Site (CM360)", "Emplacement", "ID d'emplacement",
            "Impressions", "Clics", "Coût média", "Nombre total de conversions"),
           "Total général :", THIN, "utf-16", "\t"),
    "es": (("Informe de Campaign Manager 360", ("Nombre del informe", "Emplazamientos diarios"),
            ("Zona horaria del informe", "Europe/Madrid"), ("ID de cuenta", "12345"),
            ("Intervalo de fechas", "2026-05-01 - 2026-05-31"), "Campos del informe"),
           ("Fecha", "Anunciante", "Campaña", "Sitio (CM360)", "Emplazamiento",
            "ID de emplazamiento", "Moneda", "Impresiones", "Clics", "Coste de medios",
            "Conversiones totales"),
           "Total general:", DOT, "cp1252", ";"),
    "pt_BR": (("Relatório do Campaign Manager 360",
               ("Nome do relatório", "Posicionamentos diários"),
               ("Fuso horário do relatório", "America/Sao_Paulo"), ("ID da conta", "12345"),
               ("Período", "2026-05-01 - 2026-05-31"), "Campos do relatório"),
              ("Data", "Anunciante", "Campanha", "Site (CM360)", "Posicionamento",
               "ID do posicionamento", "Moeda", "Impressões", "Cliques", "Custo de mídia",
               "Total de conversões"),
              "Total geral:", DOT, "utf-8", ";"),
}  # fmt: skip


def cm360(locale: str) -> Case:
    preamble, headers, label, style, encoding, delimiter = CM360[locale]
    names = CAMPAIGNS[locale]
    currency = CURRENCY[locale] if len(headers) == 11 else None
    grid: list[list[str]] = [[preamble[0]], []]
    grid += [list(line) for line in preamble[1:-1]] + [[], [str(preamble[-1])], list(headers)]
    for index, d in enumerate(DAYS):
        site = "(not set)" if index == 3 else "news.example"
        grid.append([when(d.day, "iso"), "Acme", names[d.campaign], site, f"Top {index}",
                     str(1000 + index), *([currency] if currency else []),
                     num(d.impressions, style), num(d.clicks, style),
                     "-" if d.spend is None else money(d.spend, style),
                     "-" if d.conversions is None else num(d.conversions, style)])  # fmt: skip
    grid.append([label, "", "", "", "", "", *([currency] if currency else []),
                 num(IMPRESSIONS, style), num(CLICKS, style), money(SPEND, style),
                 num(CONVERSIONS, style)])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "cm360.csv", 1, currency, campaigns(locale))


# --- Amazon Ads -------------------------------------------------------------------------------
# Sponsored Products campaign reports. India's English CSV writes "Rs.201.68" and "May 1, 2026"
# with the currency in the sales header; the workbook has numbers and Excel dates. No summary row.

AMAZON_ADS = {
    "en": ("Date", "Start Date", "End Date", "Portfolio name", "Currency", "Campaign Name",
           "Impressions", "Clicks", "Click-Thru Rate (CTR)", "Spend", "Cost Per Click (CPC)",
           "14 Day Total Orders (#)", "Total Advertising Cost of Sales (ACoS)",
           "14 Day Total Sales (₹)"),
    "de": ("Datum", "Startdatum", "Enddatum", "Portfolioname", "Währung", "Kampagnenname",
           "Impressionen", "Klicks", "Klickrate (CTR)", "Ausgaben", "Kosten pro Klick (CPC)",
           "7-Tage-Bestellungen insgesamt (#)", "Zugeordnete Umsatzkosten (ACoS) insgesamt",
           "7-Tage-Umsatz insgesamt (€)"),
    "fr": ("Date", "Date de début", "Date de fin", "Nom du portefeuille", "Devise",
           "Nom de la campagne", "Impressions", "Clics", "Taux de clics (CTR)", "Dépenses",
           "Coût par clic (CPC)", "Total des commandes sur 7 jours (#)",
           "Coût publicitaire des ventes (ACOS) total", "Ventes totales sur 7 jours"),
    "es": ("Fecha", "Fecha de inicio", "Fecha de finalización", "Nombre de la cartera",
           "Moneda", "Nombre de la campaña", "Impresiones", "Clics", "Tasa de clics (CTR)",
           "Gasto", "Coste por clic (CPC)", "Total de pedidos de 7 días (#)",
           "Coste publicitario de las ventas (ACOS) total", "Ventas totales de 7 días"),
    "pt_BR": ("Data", "Data de início", "Data de término", "Nome do portfólio", "Moeda",
              "Nome da campanha", "Impressões", "Cliques", "Taxa de cliques (CTR)", "Gastos",
              "Custo por clique (CPC)", "Total de pedidos de 7 dias (#)",
              "Custo de publicidade das vendas (ACOS) total", "Vendas totais de 7 dias"),
}  # fmt: skip


def amazon_ads(locale: str) -> Case:
    headers = AMAZON_ADS[locale]
    names = CAMPAIGNS[locale]
    currency = "INR" if locale == "en" else CURRENCY[locale]
    start = date(2026, 4, 15)
    if locale == "de":  # a workbook
        sheet: list[list[object]] = [list(headers)]
        for d in DAYS:
            spend = 0.0 if d.spend is None else float(d.spend)
            sheet.append([d.day, start, None, "Kein Portfolio", currency, names[d.campaign],
                          d.impressions, d.clicks, d.clicks / d.impressions, spend,
                          spend / d.clicks if d.clicks else 0.0,
                          0 if d.conversions is None else float(d.conversions), 0.2,
                          spend * 5])  # fmt: skip
        return Case(simple_xlsx(sheet), "amazon.xlsx", 0, currency, campaigns(locale))

    def amount(value: Decimal) -> str:
        if locale == "en":
            return f"Rs.{value}"  # "Rs.201.68": no thousands separator
        if locale == "pt_BR":
            return "R$ " + money(value, DOT)
        return money(value, HARD if locale == "fr" else DOT) + f"{NBSP}€"

    form = "named" if locale == "en" else "dmy"
    style = {"en": EN, "fr": HARD}.get(locale, DOT)
    space = "" if locale == "en" else " "
    grid: list[list[str]] = [list(headers)]
    for d in DAYS:
        spend = d.spend or Decimal("0.0")
        impressions = str(d.impressions) if locale == "en" else num(d.impressions, style)
        grid.append([when(d.day, form), when(start, form), "", "No Portfolio", currency,
                     names[d.campaign], impressions, str(d.clicks),
                     percent(d, style, space), amount(spend), amount(Decimal("1.25")),
                     num(d.conversions or Decimal(0), style), f"20{style.point}97{space}%",
                     amount(spend * 5)])  # fmt: skip
    encoding, delimiter = {"en": ("utf-8", ","), "fr": ("utf-8-sig", ";"),
                           "es": ("cp1252", ";"), "pt_BR": ("utf-8", ",")}[locale]  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "amazon.csv", 0, currency, campaigns(locale))


# --- GA4 --------------------------------------------------------------------------------------
# "#" comment lines (title, account, start and end date), the header, a "Grand total" row, dates
# written 20260501 or no date column at all (then the range comes from the comment lines).
# GA4 names no currency; "(not set)" is its null.

GA4 = {
    "en": (("# Google Ads campaigns: Session campaign", "# Account: Acme, Inc.",
            "# Start date: 20260501", "# End date: 20260531"),
           ("Date", "Session campaign", "Sessions", "Google Ads impressions",
            "Google Ads clicks", "Google Ads cost", "Key events", "Total revenue",
            "Engagement rate"), "Grand total", EN, "utf-8", ","),
    "de": (("# Google Ads-Kampagnen: Sitzungskampagne", "# Konto: Acme GmbH",
            "# Startdatum: 20260501", "# Enddatum: 20260531"),
           ("Datum", "Sitzungskampagne", "Sitzungen", "Google Ads-Impressionen",
            "Google Ads-Klicks", "Google Ads-Kosten", "Schlüsselereignisse", "Gesamtumsatz",
            "Interaktionsrate"), "Gesamtsumme", DOT, "cp1252", ","),
    "fr": (("# Campagnes Google Ads : Campagne de la session", "# Compte : Acme SA",
            "# Date de début : 20260501", "# Date de fin : 20260531"),
           ("Date", "Campagne de la session", "Sessions", "Impressions Google Ads",
            "Clics Google Ads", "Coût Google Ads", "Événements clés", "Revenu total",
            "Taux d'engagement"), "Total général", SPACE, "utf-8-sig", ","),
    "es": (("# Campañas de Google Ads: Campaña de la sesión", "# Cuenta: Acme SL",
            "# Fecha de inicio: 20260501", "# Fecha de finalización: 20260531"),
           ("Fecha", "Campaña de la sesión", "Sesiones", "Impresiones de Google Ads",
            "Clics de Google Ads", "Coste de Google Ads", "Eventos clave", "Ingresos totales",
            "Porcentaje de interacciones"), "Total general", DOT, "utf-8", ","),
    # Traffic acquisition: channel groups, no date column.
    "pt_BR": (("# Aquisição de tráfego: Grupo de canais principal da sessão",
               "# Conta: Acme Ltda.", "# Data de início: 20260501",
               "# Data de término: 20260531"),
              ("Grupo de canais principal da sessão (Grupo de canais padrão)", "Sessões",
               "Impressões do Google Ads", "Cliques do Google Ads", "Custo do Google Ads",
               "Eventos principais", "Receita total", "Taxa de engajamento"), "Total geral", DOT,
              "utf-8-sig", ";"),
}  # fmt: skip
CHANNELS = ("Busca paga", "Display pago", "Vídeo pago", "Cross-network")


def ga4(locale: str) -> Case:
    comments, headers, label, style, encoding, delimiter = GA4[locale]
    names = CAMPAIGNS[locale]
    space = "" if locale == "en" else " "
    dated = locale != "pt_BR"
    rule = "# ----------------------------------------"
    grid: list[list[str]] = [[rule], [comments[0]], [comments[1]], [rule], [], [comments[2]],
                             [comments[3]], list(headers)]  # fmt: skip
    total = [num(2000, style), num(IMPRESSIONS, style), num(CLICKS, style), money(SPEND, style),
             num(CONVERSIONS, style), money(Decimal(10 * CLICKS), style),
             f"62{style.point}50"]  # fmt: skip
    grid.append([label, *([""] if dated else []), *total])
    for index, d in enumerate(DAYS):
        if dated:
            first = [when(d.day, "compact"), "(not set)" if index == 3 else names[d.campaign]]
        else:
            first = [CHANNELS[index]]
        grid.append([*first, num(500, style), num(d.impressions, style), num(d.clicks, style),
                     money(d.spend or Decimal(0), style),
                     num(d.conversions or Decimal(0), style),
                     money(Decimal(10 * d.clicks), style),
                     f"62{style.point}50{space}%"])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    expected = (*campaigns(locale)[:3], None) if dated else (None,) * len(DAYS)
    return Case(data, "ga4.csv", 1, None, expected)


# --- Generic ----------------------------------------------------------------------------------
# Any table with common header names: a spreadsheet an agency keeps, ending in a total row.

GENERIC = {
    "en": (("Date", "Campaign", "Impressions", "Clicks", "Spend (USD)", "Conversions", "CTR"),
           "Total", "us", EN, "utf-8", ","),
    "de": (("Datum", "Kampagne", "Impressionen", "Klicks", "Kosten", "Konversionen", "Währung",
            "CTR"), "Summe", "dotted", DOT, "cp1252", ";"),
    "fr": (("Date", "Campagne", "Impressions", "Clics", "Coût (EUR)", "Conversions"), "Total",
           "", SPACE, "", ""),
    "es": (("Fecha", "Campaña", "Impresiones", "Clics", "Coste", "Conversiones", "Moneda",
            "CTR"), "Total", "dmy", DOT, "utf-8-sig", ";"),
    "pt_BR": (("Data", "Campanha", "Impressões", "Cliques", "Custo", "Conversões", "Moeda",
               "CTR"), "Total geral", "dmy", DOT, "utf-16", "\t"),
}  # fmt: skip


def generic(locale: str) -> Case:
    headers, label, form, style, encoding, delimiter = GENERIC[locale]
    names = CAMPAIGNS[locale]
    currency = CURRENCY[locale]
    if locale == "fr":  # a workbook
        sheet: list[list[object]] = [list(headers)]
        for d in DAYS:
            sheet.append([d.day, names[d.campaign], d.impressions, d.clicks,
                          None if d.spend is None else float(d.spend),
                          None if d.conversions is None else float(d.conversions)])  # fmt: skip
        sheet.append([label, None, IMPRESSIONS, CLICKS, float(SPEND), float(CONVERSIONS)])
        return Case(simple_xlsx(sheet), "suivi.xlsx", 1, currency, campaigns(locale))

    def amount(value: Decimal) -> str:
        if locale == "en":
            return "$" + money(value, EN)  # "$1,234.00"
        if locale == "pt_BR":
            return "R$ " + money(value, DOT)
        return money(value, style)

    space = "" if locale == "en" else " "
    with_currency = "Währung" in headers or "Moneda" in headers or "Moeda" in headers
    grid: list[list[str]] = [list(headers)]
    for d in DAYS:
        grid.append([when(d.day, form), names[d.campaign], num(d.impressions, style),
                     num(d.clicks, style), "" if d.spend is None else amount(d.spend),
                     "" if d.conversions is None else num(d.conversions, style),
                     *([currency] if with_currency else []), percent(d, style, space)])  # fmt: skip
    grid.append([label, "", num(IMPRESSIONS, style), num(CLICKS, style), amount(SPEND),
                 num(CONVERSIONS, style), *([currency] if with_currency else []), ""])  # fmt: skip
    data = csv_file(grid, delimiter=delimiter, encoding=encoding)
    return Case(data, "tracking.csv", 1, currency, campaigns(locale))


BUILDERS: dict[str, Callable[[str], Case]] = {
    "google_ads": google_ads,
    "meta": meta,
    "linkedin": linkedin,
    "microsoft_ads": microsoft_ads,
    "tiktok": tiktok,
    "x": x,
    "dv360": dv360,
    "cm360": cm360,
    "amazon_ads": amazon_ads,
    "ga4": ga4,
    "generic": generic,
}
MATRIX = [(platform, locale) for platform in BUILDERS for locale in LOCALES]
REPORTS = {
    "google_ads": "campaign",
    "meta": "ad_set",
    "linkedin": "campaign",
    "microsoft_ads": "ad_group",
    "tiktok": "campaign",
    "x": "ad_group",
    "dv360": "line_item",
    "cm360": "placement",
    "amazon_ads": "campaign",
    "ga4": "campaign",
    "generic": "table",
}
OTHER_REPORTS = {("google_ads", "pt_BR"): "search_keyword", ("ga4", "pt_BR"): "traffic_acquisition"}


def report(platform: str, locale: str) -> str:
    return OTHER_REPORTS.get((platform, locale), REPORTS[platform])


# One case per platform through the real command line, every locale used at least twice.
CLI = {
    "google_ads": "de",
    "meta": "fr",
    "linkedin": "es",
    "microsoft_ads": "pt_BR",
    "tiktok": "de",
    "x": "es",
    "dv360": "fr",
    "cm360": "pt_BR",
    "amazon_ads": "en",
    "ga4": "de",
    "generic": "fr",
}


def test_the_matrix_covers_every_platform() -> None:
    assert tuple(BUILDERS) == PLATFORMS
    assert len(MATRIX) == 55
    assert set(CLI) == set(PLATFORMS)
    assert set(CLI.values()) == set(LOCALES)


def test_the_totals_are_what_the_fixtures_say() -> None:
    assert (IMPRESSIONS, CLICKS) == (1_514_332, 4_620)
    assert Decimal("100201.67") == SPEND
    assert Decimal("16.0") == CONVERSIONS
    assert plain(SPEND) == "100201.67"  # as the JSON writes it


@pytest.mark.parametrize(("platform", "locale"), MATRIX, ids=[f"{p}-{loc}" for p, loc in MATRIX])
def test_inspect(platform: str, locale: str) -> None:
    case = BUILDERS[platform](locale)
    check(inspect(case.data, case.name), case, platform, locale)


CSV_CASES = [(p, loc) for p, loc in MATRIX if BUILDERS[p](loc).name.endswith(".csv")]


@pytest.mark.parametrize(
    ("platform", "locale"), CSV_CASES, ids=[f"{p}-{loc}" for p, loc in CSV_CASES]
)
def test_inspect_without_the_polars_fast_path(
    monkeypatch: pytest.MonkeyPatch, platform: str, locale: str
) -> None:
    """The csv module reads every CSV case to the same exact result (the fast path reads the
    plain ones; see test_fast_path.py)."""
    case = BUILDERS[platform](locale)
    monkeypatch.setattr(inspect_module, "read_csv_block", lambda data, filename: None)
    check(inspect(case.data, case.name), case, platform, locale)


def check(result: Inspection, case: Case, platform: str, locale: str) -> None:
    assert (result.platform, result.report) == (platform, report(platform, locale))
    assert (result.rows, result.summary_rows) == (case.rows, case.summary)
    assert (result.date_from, result.date_to) == (case.date_from, case.date_to)
    assert result.currency == case.currency
    assert result.totals == case.totals
    assert result.warnings == case.warnings  # no cell left unread
    assert result.frame is not None
    assert tuple(result.frame["campaign"].to_list()) == case.campaigns


def run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    # Without settings or a reachable database: inspect must not need either.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIADESK_", "DJANGO_"))}
    env["DATABASE_URL"] = "postgres://nobody@db.invalid:1/nothing"
    return subprocess.run(
        [sys.executable, "-m", "mediadesk", "inspect", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def plain(value: int | Decimal | None) -> int | str | None:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    return value


@pytest.mark.slow
@pytest.mark.parametrize(("platform", "locale"), CLI.items(), ids=CLI.keys())
def test_cli_inspect_json(tmp_path: Path, platform: str, locale: str) -> None:
    case = BUILDERS[platform](locale)
    path = tmp_path / case.name
    path.write_bytes(case.data)
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "platform": platform,
        "report": report(platform, locale),
        "rows": case.rows,
        "date_from": case.date_from.isoformat(),
        "date_to": case.date_to.isoformat(),
        "currency": case.currency,
        "totals": {name: plain(value) for name, value in case.totals.items()},
        "warnings": list(case.warnings),
    }
