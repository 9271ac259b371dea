"""Campaign Manager 360 (formerly DCM) report files (CSV, and the same layout in a workbook).

Layout: a metadata preamble ("Campaign Manager Report" or the report name, "Date/Time
Generated", "Report Time Zone", "Account ID", "Date Range", "Report Fields" …), then a line
"Report Fields" with the header right below it ("Date", "Advertiser", "Campaign", "Campaign ID",
"Site (CM360)", "Placement", "Placement ID", "Impressions", "Clicks", "Media Cost", "Total
Conversions", "Video Plays", "Video Completions", …), data rows, and a "Grand Total:" row that is
never data. "(not set)" and "-" are nulls (see values.EMPTY_MARKERS). The header finder in
tables.py starts below "Report Fields", because preamble lines such as "Report Time Zone,
Europe/Berlin" would otherwise pass for a header. An empty report says "No data returned by the
reporting service.", which inspect reports as a file without data rows.

The ad group is the placement (its name), the placement key the placement ID and the account the
advertiser. CM360 reports money in the account's currency and names it nowhere in the file: the
currency stays null (and inspect warns) unless a "Currency" column or a "(EUR)"-like header
suffix names it.

What this rests on: the layout, "Report Fields", "Grand Total:" and the nulls come from
report-parsing code (google/starthinker starthinker/util/cm.py); column names from CM360's
documentation and fixtures. No real CM360 export was available. The German, French, Spanish and
Portuguese column names are unverified guesses at CM360's localized UI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import register
from mediadesk.ingest.delivery.generic import (
    header_currency,
    own_headers,
    read_columns,
    report_of,
    resolve,
)
from mediadesk.ingest.tables import Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "fecha", "data"),
    "account": ("advertiser", "werbetreibender", "annonceur", "anunciante"),
    "campaign": ("campaign", "kampagne", "campagne", "campaña", "campanha"),
    "ad_group": ("placement", "emplacement", "emplazamiento", "posicionamento"),
    "placement_key": ("placement id", "placement-id", "id d'emplacement", "id de emplazamiento",
                      "id do posicionamento"),
    "currency": ("currency", "währung", "devise", "moneda", "moeda"),
    "impressions": ("impressions", "impressionen", "impresiones", "impressões"),
    "clicks": ("clicks", "klicks", "clics", "cliques"),
    "spend": ("media cost", "mediakosten", "coût média", "coste de medios", "costo de medios",
              "custo de mídia"),
    "conversions": ("total conversions", "conversions insgesamt", "conversions totales",
                    "nombre total de conversions", "conversiones totales",
                    "total de conversões"),
    "conversion_value": ("total revenue", "gesamtumsatz", "revenus totaux", "revenu total",
                         "ingresos totales", "receita total"),
    "video_views": ("video plays", "videowiedergaben", "lectures de vidéos",
                    "reproducciones de vídeo", "reproduções de vídeo"),
    "video_completions": ("video completions", "abgeschlossene videowiedergaben",
                          "vidéos lues en entier", "reproducciones completas de vídeo",
                          "vídeos concluídos"),
}  # fmt: skip
# Headers only CM360 writes (folded). Not "Placement" (Amazon Ads) nor "Placement ID" (Google
# Ad Manager), nor "Total Conversions" (DV360).
_OWN = frozenset(
    ("site (cm360)", "site (dcm)", "site id (cm360)", "site id (dcm)",
     "site (campaign manager 360)", "website (cm360)", "sitio (cm360)",
     "click-through conversions", "view-through conversions", "click-through revenue",
     "view-through revenue", "placement cost structure", "placement strategy",
     "placement total booked units", "floodlight attributes", "activity group",
     "dv360 cost (account currency)", "dbm cost (account currency)")
)  # fmt: skip
# Preamble lines only CM360 writes ("Report Fields" itself, and the metadata above it).
_PREAMBLE = re.compile(
    r"^(?:report fields|berichtsfelder|champs du rapport|campos del informe|"
    r"campos do relatório|date/time generated|report time zone|"
    r"(?:campaign manager(?: 360)?|dcm|doubleclick campaign manager) report)\b",
    re.IGNORECASE,
)
_REPORTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("creative", "creative id", "ad", "ad id", "anzeige", "annonce", "anuncio", "anúncio"),
     "creative"),
    (("placement", "placement id", "emplacement", "emplazamiento", "posicionamento"),
     "placement"),
    (("site (cm360)", "site (dcm)", "website (cm360)", "sitio (cm360)"), "site"),
    (("campaign", "campaign id", "kampagne", "campagne", "campaña", "campanha"), "campaign"),
)  # fmt: skip


class CM360Reader:
    platform = "cm360"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = own_headers(headers, _OWN)
        said = any(_PREAMBLE.match(line.strip()) for line in preamble)
        if not (own or said):
            return 0.0
        # "Report Fields" above an ordinary header is CM360 too: only it writes that line.
        return min(1.0, (0.6 + 0.15 * own if own else 0.4) + 0.3 * said)

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return report_of(headers, _REPORTS, "advertiser")

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            resolve(table.headers, SYNONYMS),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
        )


register(CM360Reader())
