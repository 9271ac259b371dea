"""LinkedIn Campaign Manager performance exports (CSV).

Layout: a preamble ("Campaign Performance Report (in UTC)", "Report Start: …", "Report End: …"
and a blank line), then the header ("Start Date (in UTC)", "Account Name", "Campaign Group Name",
"Campaign Name", …, "Currency", "Total Spent", "Impressions", "Clicks", "Conversions", …), data
rows with month-first dates (5/1/2025) and sometimes a trailing "Total" row, never data.
Campaign groups and ads (creatives) stay in the extras: the campaign is LinkedIn's campaign.
Encoding, delimiter and localized variants were not seen in a real export. The German, French,
Spanish and Portuguese header names ("Startdatum (in UTC)", "Dépenses totales", "Importe total
gastado", "Total gasto", …) are plausible UI names taken from test fixtures, not from real files;
with them, slashed dates are read day first (01/05/2026 is 1 May), as those languages write them.
"""

from __future__ import annotations

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
    "date": ("start date (in utc)", "start date", "date", "startdatum (in utc)",
             "date de début (en utc)", "fecha de inicio (en utc)", "data de início (em utc)"),
    "account": ("account name", "kontoname", "nom du compte", "nombre de la cuenta",
                "nome da conta"),
    "campaign": ("campaign name", "campaign", "kampagnenname", "nom de la campagne",
                 "nombre de la campaña", "nome da campanha"),
    "currency": ("currency", "währung", "devise", "divisa", "moneda", "moeda"),
    "impressions": ("impressions", "impressionen", "impresiones", "impressões"),
    "clicks": ("clicks", "klicks", "clics", "cliques"),
    "spend": ("total spent", "amount spent", "spend", "ausgaben gesamt", "dépenses totales",
              "importe total gastado", "total gasto"),
    "conversions": ("conversions", "external website conversions", "konversionen",
                    "conversiones", "conversões"),
    "conversion_value": ("conversion value",),
    "video_views": ("video views",),
    "video_completions": ("video completions",),
    "reach": ("reach", "approximate unique member reach", "approximate member reach"),
    "engagements": ("total engagements", "interaktionen gesamt", "total des interactions",
                    "interacciones totales", "total de engajamentos"),
}  # fmt: skip
# Headers only Campaign Manager writes (folded), in its languages.
_OWN = frozenset(
    ("start date (in utc)", "end date (in utc)", "campaign group name", "campaign group id",
     "campaign objective type", "total spent", "total engagements", "landing page clicks",
     "lead generation mail contact info shares", "startdatum (in utc)",
     "name der kampagnengruppe", "ausgaben gesamt", "interaktionen gesamt",
     "date de début (en utc)", "nom du groupe de campagnes", "dépenses totales",
     "total des interactions", "fecha de inicio (en utc)", "nombre del grupo de campañas",
     "importe total gastado", "interacciones totales", "data de início (em utc)",
     "nome do grupo de campanhas", "total gasto", "total de engajamentos")
)  # fmt: skip
_PREAMBLE = re.compile(
    r"report\s*\(in utc\)|^report (?:start|end)\s*:|^(?:campaign|ad|creative|account)"
    r" performance report\b",
    re.IGNORECASE,
)
_REPORTS = (
    (("creative name", "ad name", "creative id", "ad id"), "ad"),
    (("campaign name", "kampagnenname", "nom de la campagne", "nombre de la campaña",
      "nome da campanha"), "campaign"),
    (("campaign group name", "name der kampagnengruppe", "nom du groupe de campagnes",
      "nombre del grupo de campañas", "nome do grupo de campanhas"), "campaign_group"),
)  # fmt: skip


class LinkedInReader:
    platform = "linkedin"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = own_headers(headers, _OWN)
        if not own:
            return 0.0
        said = any(_PREAMBLE.search(line.strip()) for line in preamble)
        return min(1.0, 0.5 + 0.15 * own + 0.3 * said)

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


register(LinkedInReader())
