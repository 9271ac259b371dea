"""Meta Ads Manager exports (Facebook and Instagram; CSV and XLSX, "Export table data").

Layout: the header on the first line (UTF-8 with a BOM), one row per campaign, ad set or ad, and
per day when the export is broken down by day (then "Reporting starts" equals "Reporting ends";
without a breakdown each row is a period total dated by its start). The currency sits in the
headers ("Amount spent (EUR)", "CPM (cost per 1,000 impressions) (EUR)"). With "Include summary
row" the export adds a row whose name cells are empty: that row is a total and never data.
Headers are localized (German "Ausgegebener Betrag (EUR)", French "Montant dépensé (EUR)",
Spanish "Importe gastado", Portuguese "Valor usado"); localized exports write "1.234,56" or
"1 234,56" and day-first dates. "Results" counts whatever the campaign optimizes for (reach,
link clicks, leads: see "Result indicator"), so it stays in the extras and is not a conversion.
Localized header names beyond the English ones come from fixtures, not from a real export.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import register
from mediadesk.ingest.delivery.generic import (
    header_currency,
    header_key,
    own_headers,
    read_columns,
    resolve,
)
from mediadesk.ingest.tables import Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("reporting starts", "berichtsbeginn", "début des rapports", "inicio del informe",
             "início dos relatórios", "day", "tag", "jour", "día", "dia"),
    "account": ("account name", "kontoname", "name des werbekontos", "nom du compte",
                "nombre de la cuenta", "nome da conta"),
    "campaign": ("campaign name", "kampagnenname", "name der kampagne", "nom de la campagne",
                 "nombre de la campaña", "nome da campanha"),
    "ad_group": ("ad set name", "name der anzeigengruppe", "anzeigengruppenname",
                 "nom de l'ensemble de publicités", "nombre del conjunto de anuncios",
                 "nome do conjunto de anúncios"),
    "currency": ("currency", "währung", "devise", "moneda", "moeda"),
    "impressions": ("impressions", "impressionen", "impresiones", "impressões"),
    "clicks": ("link clicks", "link-klicks", "clics sur un lien", "clics en el enlace",
               "cliques no link", "clicks (all)", "klicks (alle)", "clics (tous)",
               "clics (todos)", "cliques (todos)"),
    "spend": ("amount spent", "ausgegebener betrag", "montant dépensé", "importe gastado",
              "valor usado", "valor gasto"),
    "reach": ("reach", "reichweite", "couverture", "alcance"),
    "frequency": ("frequency", "frequenz", "häufigkeit", "répétition", "fréquence", "frecuencia",
                  "frequência"),
    "video_views": ("thruplays", "thruplay", "video plays", "3-second video plays"),
    "video_completions": ("video plays at 100%", "videowiedergaben zu 100 %",
                          "lectures de vidéos à 100 %", "reproducciones de video al 100%",
                          "reproduções do vídeo em 100%"),
    "engagements": ("post engagements", "post engagement", "beitragsinteraktionen"),
}  # fmt: skip
# Headers only Ads Manager writes (folded, without a currency suffix), in its languages.
_OWN = frozenset(
    ("reporting starts", "reporting ends", "amount spent", "ad set name", "link clicks",
     "clicks (all)", "thruplays", "result indicator", "result type", "cost per results",
     "cost per result", "attribution setting", "campaign delivery", "ad set delivery",
     "video plays at 100%", "berichtsbeginn", "berichtsende", "ausgegebener betrag",
     "link-klicks", "début des rapports", "fin des rapports", "montant dépensé",
     "clics sur un lien", "inicio del informe", "fin del informe", "importe gastado",
     "clics en el enlace", "início dos relatórios", "término dos relatórios", "valor usado",
     "cliques no link")
)  # fmt: skip
_ENGLISH = frozenset(("reporting starts", "amount spent", "campaign name", "ad set name"))
_NAMES = ("campaign", "ad_group")
_AD_NAMES = ("ad name", "anzeigenname", "name der anzeige", "nom de la publicité",
             "nombre del anuncio", "nome do anúncio")  # fmt: skip


class MetaReader:
    platform = "meta"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = own_headers(headers, _OWN)
        return min(1.0, 0.6 + 0.15 * own) if own else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        keys = {header_key(header) for header in headers}
        if keys.intersection(_AD_NAMES):
            return "ad"
        if "ad_group" in resolve(headers, SYNONYMS):
            return "ad_set"
        return "campaign"

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        columns = resolve(table.headers, SYNONYMS)
        keys = [header_key(header) for header in table.headers]
        names = [columns[name] for name in _NAMES if name in columns]
        names += [i for i, key in enumerate(keys) if key in _AD_NAMES]
        if names:  # the summary row ("Include summary row") has no names
            rows = tuple(row for row in table.rows if any(_filled(row.cells[i]) for i in names))
            table = dataclasses.replace(table, rows=rows)
        english = any(key in _ENGLISH for key in keys)
        return read_columns(
            table,
            columns,
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=None if english else True,
        )


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


register(MetaReader())
