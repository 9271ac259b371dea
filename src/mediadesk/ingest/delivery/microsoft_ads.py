"""Microsoft Advertising (Bing Ads) reports, downloaded from the UI or the Reporting API (CSV).

Layout: a preamble of one-cell lines ("Campaign Performance Report" or "Report Name: …",
"Report Time: 5/1/2025 - 5/31/2025", "Time Zone: (GMT-08:00) Pacific Time …", "Last Completed
Available Day: …", "Report Aggregation: Daily", "Rows: 5"), the header ("Gregorian date",
"Account name", "Campaign name", "Ad group", "Currency code", "Impr.", "Clicks", "Spend",
"Conv.", "Revenue", …), data rows with month-first dates, optional "Total" rows, and the footer
"©2025 Microsoft Corporation. All rights reserved." (never data). Every field is quoted.
"Impr." and "Currency code" are also Google Ads headers, so this reader needs Microsoft's own
evidence: the "Gregorian date" column, "Spend" beside "Impr." or "Conv." (Google writes
"Cost", Amazon "Impressions"), or the preamble with "Spend" (a preamble alone is not enough).
German header names ("Ausgaben", "Konv.", "Währungscode") are unverified guesses; "Aufrufe"
(impressions) and "Abschlüsse" (conversions) are the names of Microsoft's German help pages. The
French, Spanish and Portuguese names ("Date grégorienne", "Dépenses", "Gasto", "Revenu", …) are
plausible UI names taken from test fixtures, not from real files. With localized headers,
slashed dates are read day first (01/05/2026 is 1 May).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import register
from mediadesk.ingest.delivery.generic import (
    dates_day_first,
    header_currency,
    header_key,
    read_columns,
    report_of,
    resolve,
)
from mediadesk.ingest.tables import Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("gregorian date", "date", "day", "time period", "datum", "gregorianisches datum",
             "date grégorienne", "fecha gregoriana", "data gregoriana"),
    "account": ("account name", "account", "kontoname", "konto", "nom du compte",
                "nombre de la cuenta", "nome da conta"),
    "campaign": ("campaign name", "campaign", "kampagnenname", "kampagne", "nom de la campagne",
                 "nombre de la campaña", "nome da campanha"),
    "ad_group": ("ad group", "ad group name", "anzeigengruppe", "anzeigengruppenname",
                 "groupe d'annonces", "grupo de anuncios", "grupo de anúncios"),
    "currency": ("currency code", "currency", "währungscode", "währung", "code de devise",
                 "código de moneda", "código da moeda"),
    "impressions": ("impr.", "impressions", "impressionen", "aufrufe", "impresiones",
                    "impressões"),
    "clicks": ("clicks", "klicks", "clics", "cliques"),
    "spend": ("spend", "ausgaben", "dépenses", "gasto"),
    "conversions": ("conv.", "conversions", "all conv.", "konv.", "konversionen", "abschlüsse",
                    "conversiones", "conversões"),
    "conversion_value": ("revenue", "all revenue", "umsatz", "revenu", "ingresos", "receita"),
}  # fmt: skip
_DATES = frozenset(
    ("gregorian date", "gregorianisches datum", "date grégorienne", "fecha gregoriana",
     "data gregoriana")
)  # fmt: skip
_SPEND = frozenset(("spend", "ausgaben", "dépenses", "gasto"))
_ABBREVIATED = frozenset(("impr.", "konv.", "conv."))
_PREAMBLE = re.compile(
    r"^(?:report name|report time|time zone|last completed available (?:day|hour)|"
    r"report aggregation|report filter|potential incomplete data|berichtszeit|zeitzone)\s*:|"
    r"microsoft (?:advertising|corporation)",
    re.IGNORECASE,
)
_REPORTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("search term", "search query", "suchbegriff"), "search_term"),
    (("keyword", "keyword id", "schlüsselwort"), "search_keyword"),
    (("ad title", "ad id", "title part 1"), "ad"),
    (("ad group", "ad group name", "anzeigengruppe", "groupe d'annonces", "grupo de anuncios",
      "grupo de anúncios"), "ad_group"),
    (("campaign name", "campaign", "kampagnenname", "kampagne", "nom de la campagne",
      "nombre de la campaña", "nome da campanha"), "campaign"),
)  # fmt: skip


class MicrosoftAdsReader:
    platform = "microsoft_ads"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        keys = {header_key(header) for header in headers}
        spend = bool(keys & _SPEND) and "cost" not in keys
        # Amazon writes "Spend" and "Impressions" too: only "Impr." beside "Spend" is Microsoft's.
        strong = (
            bool(keys & _DATES)
            + (spend and bool(keys & _ABBREVIATED))
            + any(_PREAMBLE.search(line.strip()) for line in preamble)
        )
        if not (keys & _DATES or spend):  # a preamble alone says nothing of the columns
            return 0.0
        return min(1.0, 0.65 + 0.15 * strong) if strong else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return report_of(headers, _REPORTS, "account")

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            resolve(table.headers, SYNONYMS),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=dates_day_first(table.headers),
        )


register(MicrosoftAdsReader())
