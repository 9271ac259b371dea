"""TikTok Ads Manager custom-report exports (CSV and XLSX).

Layout (from TikTok's metric glossary and fixtures; not verified against a real export): the
header on the first line, the time dimension named "By Day" (or "Date"), "Campaign name",
"Ad group name", "Ad name", "Currency", "Cost", "Impressions", "Reach", "Frequency",
"Clicks (destination)", "Clicks (all)", "Conversions", "Video views", "Video views at 100%", …
Rows with the first cell "Total", "Total of 12 campaigns" and the like are totals, never data.
The German, French, Spanish and Portuguese names ("Nach Tag", "Klicks (Ziel)", "Par jour",
"Clics (destino)", "Cliques (destino)", …) and totals ("Insgesamt 4 Ergebnisse", "Total de 4
résultats") are plausible UI names taken from test fixtures, not from real files. With localized
headers, slashed dates are read day first (01/05/2026 is 1 May).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import register
from mediadesk.ingest.delivery.generic import (
    dates_day_first,
    header_currency,
    own_headers,
    read_columns,
    report_of,
    resolve,
)
from mediadesk.ingest.tables import Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("by day", "date", "day", "stat time day", "nach tag", "par jour", "por día",
             "por dia"),
    "account": ("advertiser name", "account name"),
    "campaign": ("campaign name", "campaign", "kampagnenname", "nom de la campagne",
                 "nombre de la campaña", "nome da campanha"),
    "ad_group": ("ad group name", "ad group", "anzeigengruppenname", "nom du groupe d'annonces",
                 "nombre del grupo de anuncios", "nome do grupo de anúncios"),
    "currency": ("currency", "währung", "devise", "moneda", "moeda"),
    "impressions": ("impressions", "impressionen", "impresiones", "impressões"),
    "clicks": ("clicks (destination)", "clicks (all)", "clicks", "klicks (ziel)",
               "clics (destination)", "clics (destino)", "cliques (destino)"),
    "spend": ("cost", "total cost", "spend", "kosten", "coût", "coste", "custo"),
    "conversions": ("conversions", "total conversions", "konversionen", "conversiones",
                    "conversões"),
    "conversion_value": ("total purchase value", "purchase value", "conversion value"),
    "video_views": ("video views", "2-second video views"),
    "video_completions": ("video views at 100%",),
    "reach": ("reach", "reichweite", "couverture", "alcance"),
    "frequency": ("frequency",),
}  # fmt: skip
# Headers only TikTok writes (folded), in its languages.
_OWN = frozenset(
    ("by day", "by campaign", "clicks (destination)", "cpc (destination)", "ctr (destination)",
     "video views at 100%", "video views at 75%", "video views at 50%", "video views at 25%",
     "2-second video views", "6-second video views", "cost per 1,000 people reached",
     "real-time conversions", "conversion rate (cvr)", "average play time per video view",
     "paid likes", "paid comments", "paid shares", "nach tag", "klicks (ziel)", "ctr (ziel)",
     "par jour", "clics (destination)", "por día", "clics (destino)", "ctr (destino)",
     "por dia", "cliques (destino)")
)  # fmt: skip
# "Total of 12 campaigns", "Insgesamt 12 Ergebnisse", "Total de 12 résultats".
_TOTAL_OF = re.compile(r"^\s*(?:total of|insgesamt|total de) \d", re.IGNORECASE)
_REPORTS = (
    (("ad name", "anzeigenname", "nom de l'annonce", "nombre del anuncio", "nome do anúncio"),
     "ad"),
    (("ad group name", "anzeigengruppenname", "nom du groupe d'annonces",
      "nombre del grupo de anuncios", "nome do grupo de anúncios"), "ad_group"),
    (("campaign name", "kampagnenname", "nom de la campagne", "nombre de la campaña",
      "nome da campanha"), "campaign"),
)  # fmt: skip


class TikTokReader:
    platform = "tiktok"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = own_headers(headers, _OWN)
        return min(1.0, 0.6 + 0.15 * own) if own else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return report_of(headers, _REPORTS, "advertiser")

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        rows = tuple(row for row in table.rows if not _total_of(row.cells))
        return read_columns(
            dataclasses.replace(table, rows=rows),
            resolve(table.headers, SYNONYMS),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=dates_day_first(table.headers),
        )


def _total_of(cells: Sequence[object]) -> bool:
    first = next((cell for cell in cells if isinstance(cell, str) and cell.strip()), "")
    return bool(_TOTAL_OF.match(first))


register(TikTokReader())
