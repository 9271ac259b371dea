"""X (formerly Twitter) Ads Manager "Export" CSVs: campaign, ad group or ad level.

Layout: the header on the first line, one row per campaign, ad group or ad (per day when the
export is broken down by day): "Campaign name" (or "Campaign"), "Ad group name", "Time" (or
"Day", "Date", "Time period"), "Funding source", "Currency", "Spend", "Impressions",
"Engagements", "Billed engagements", "Clicks", "Link clicks", "Reposts" (formerly "Retweets"),
"Replies", "Follows", "Media views", "Video views", "Video completions" or "Video played 100%" …
Clicks are link clicks where the export has them (the clicks that reach the advertiser's site,
as for Meta and TikTok), else all clicks. A time cell holding a period ("May 1, 2026 - May 31,
2026") dates its row by the period's start, as Meta's period totals are dated. Reposts, replies,
follows and media views stay in the extras.

What this rests on: the column names come from X's "export CSV definitions" page and fixtures; no
real X export was available, so the encoding, delimiter, date form and summary rows are not
verified. The German, French, Spanish and Portuguese column names are unverified guesses at X's
localized UI.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import register
from mediadesk.ingest.delivery.generic import (
    BlockTable,
    block_of,
    header_currency,
    header_key,
    own_headers,
    read_columns,
    report_of,
    resolve,
)
from mediadesk.ingest.tables import Row, Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("time", "day", "date", "time period", "zeit", "tag", "datum", "zeitraum", "jour",
             "période", "día", "fecha", "período", "dia", "data"),
    "account": ("account name", "account", "kontoname", "nom du compte", "nombre de la cuenta",
                "nome da conta"),
    "campaign": ("campaign name", "campaign", "kampagnenname", "kampagne",
                 "nom de la campagne", "campagne", "nombre de la campaña", "campaña",
                 "nome da campanha", "campanha"),
    "ad_group": ("ad group name", "ad group", "anzeigengruppenname", "anzeigengruppe",
                 "nom du groupe d'annonces", "groupe d'annonces",
                 "nombre del grupo de anuncios", "grupo de anuncios",
                 "nome do grupo de anúncios", "grupo de anúncios"),
    "currency": ("currency", "währung", "devise", "moneda", "moeda"),
    "impressions": ("impressions", "impressionen", "impresiones", "impressões"),
    "clicks": ("link clicks", "link-klicks", "clics sur le lien", "clics en el enlace",
               "cliques no link", "clicks", "klicks", "clics", "cliques"),
    "spend": ("spend", "ausgaben", "dépenses", "gasto", "gastos"),
    "conversions": ("conversions", "konversionen", "conversiones", "conversões"),
    "video_views": ("video views", "videoaufrufe", "vues de la vidéo", "vues de vidéos",
                    "reproducciones de video", "visualizações de vídeo"),
    "video_completions": ("video completions", "video played 100%", "videoabschlüsse",
                          "video zu 100 % abgespielt", "vidéo lue à 100 %",
                          "video reproducido al 100 %", "vídeo reproduzido até 100%"),
    "engagements": ("engagements", "interaktionen", "interacciones", "engajamentos"),
}  # fmt: skip
# Headers only X writes (folded). Not "Link clicks" (Meta), "Follows" (LinkedIn) or "Engagement
# rate" (LinkedIn, GA4); "Interaktionen" is a synonym but Google Ads writes it too.
_OWN = frozenset(
    ("billed engagements", "cost per billed engagement", "reposts", "retweets", "quote posts",
     "quote tweets", "media engagements", "media views", "card engagements", "unfollows",
     "funding source", "funding source name", "campaign url", "video played 25%",
     "video played 50%", "video played 75%", "video played 100%",
     "abgerechnete interaktionen", "finanzierungsquelle", "medienaufrufe",
     "engagements facturés", "source de financement", "vues des médias",
     "interacciones facturadas", "fuente de financiación",
     "visualizaciones de contenido multimedia", "engajamentos faturados",
     "fonte de financiamento", "visualizações de mídia")
)  # fmt: skip
# Headers of an English export (month-first dates); "Impressions" and "Engagements" are French too.
_ENGLISH = frozenset(
    ("spend", "campaign name", "campaign", "ad group name", "billed engagements", "link clicks",
     "time", "day")
)  # fmt: skip
_REPORTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ad id", "ad name", "post id", "post text", "tweet id", "tweet text", "anzeigenname",
      "nom de l'annonce", "nombre del anuncio", "nome do anúncio"), "ad"),
    (("ad group name", "ad group", "anzeigengruppenname", "anzeigengruppe",
      "nom du groupe d'annonces", "groupe d'annonces", "nombre del grupo de anuncios",
      "grupo de anuncios", "nome do grupo de anúncios", "grupo de anúncios"), "ad_group"),
    (("campaign name", "campaign", "kampagnenname", "kampagne", "nom de la campagne",
      "campagne", "nombre de la campaña", "campaña", "nome da campanha", "campanha"),
     "campaign"),
    (("funding source", "funding source name", "finanzierungsquelle",
      "source de financement", "fuente de financiación", "fonte de financiamento"),
     "funding_source"),
)  # fmt: skip
# " - " (or a dash) between two dates: a period, dated by its start. ISO dates have no spaces.
_PERIOD_END = r"\s+[-–—]\s+.*$"


class XReader:
    platform = "x"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = own_headers(headers, _OWN)
        # Above Meta's 0.75 for one shared "Link clicks": one X-only header is X's file.
        return min(1.0, 0.7 + 0.15 * own) if own else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return report_of(headers, _REPORTS, "account")

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        columns = resolve(table.headers, SYNONYMS)
        if (at := columns.get("date")) is not None:
            table = _period_starts(table, at)
        english = any(header_key(header) in _ENGLISH for header in table.headers)
        return read_columns(
            table,
            columns,
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=None if english else True,
        )


def _period_starts(table: Table, at: int) -> Table:
    """The table with each period in the time column cut to its start date."""
    block = block_of(table)
    if block is not None:
        assert isinstance(table, BlockTable)
        name = f"c{at}"
        block = block.with_columns(pl.col(name).str.replace(_PERIOD_END, ""))
        return BlockTable(
            table.source, table.headers, table.header_row, block=block, above=table.above
        )
    period = re.compile(_PERIOD_END)
    rows = tuple(
        Row(row.number, (*row.cells[:at], _start(period, row.cells[at]), *row.cells[at + 1 :]))
        for row in table.rows
    )
    return dataclasses.replace(table, rows=rows)


def _start(period: re.Pattern[str], cell: object) -> object:
    return period.sub("", cell) if isinstance(cell, str) else cell


register(XReader())
