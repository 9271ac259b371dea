"""Google Analytics 4 report downloads ("Share this report > Download file > CSV").

Layout: comment lines starting with "#" ("# ----------------------------------------",
"# Traffic acquisition: Session primary channel group (Default Channel Group)", "# Account: …",
"# Property: …", "# Start date: 20260501", "# End date: 20260531"), then the header, e.g.
"Session primary channel group (Default Channel Group),Sessions,Engaged sessions,Key events,
Total revenue" or with a "Date" column written 20260501, data rows, sometimes a "Grand total"
row (never data), and sometimes a blank line and another "#"-commented table, which tables.py
leaves out (a comment line below the header ends the table). Without a date column, inspect
takes the range from the "# Start date" and "# End date" lines.

GA4 measures visits, not ad delivery: nothing here is invented to fill the ad columns. Sessions
and engaged sessions stay in the extras; conversions are "Key events" (called "Conversions"
before 2024), the conversion value is "Total revenue" (or "Purchase revenue"), spend is "Google
Ads cost" (or "Ads cost") and clicks and impressions are the Google Ads ones, where the report
has them. GA4 names no currency in its files: the currency stays null unless a column says it.

What this rests on: the layout comes from third-party fixtures only and was not checked against
Google's documentation or a real download. The German, French, Spanish and Portuguese column
names are unverified guesses at GA4's localized UI.
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

_CHANNEL_GROUP = (
    "session primary channel group (default channel group)",
    "primäre channelgruppe der sitzung (standard-channelgruppe)",
    "groupe de canaux principal de la session (groupe de canaux par défaut)",
    "grupo de canales principal de la sesión (grupo de canales predeterminado)",
    "grupo de canais principal da sessão (grupo de canais padrão)",
    "session default channel group",
    "session source / medium",
    "session source",
    "session medium",
)
_FIRST_USER = (
    "first user primary channel group (default channel group)",
    "first user default channel group",
    "first user source / medium",
    "first user source",
    "first user medium",
)
_CAMPAIGN = ("session campaign", "sitzungskampagne", "campagne de la session",
             "campaña de la sesión", "campanha da sessão", "session google ads campaign",
             "google ads campaign", "campaign", "kampagne", "campagne", "campaña",
             "campanha")  # fmt: skip
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "fecha", "data"),
    "campaign": _CAMPAIGN,
    "currency": ("currency", "currency code", "währung", "devise", "moneda", "moeda"),
    "impressions": ("google ads impressions", "ads impressions", "google ads-impressionen",
                    "impressions google ads", "impresiones de google ads",
                    "impressões do google ads"),
    "clicks": ("google ads clicks", "ads clicks", "google ads-klicks", "clics google ads",
               "clics de google ads", "cliques do google ads"),
    "spend": ("google ads cost", "ads cost", "google ads-kosten", "coût google ads",
              "costo de google ads", "coste de google ads", "custo do google ads"),
    "conversions": ("key events", "schlüsselereignisse", "événements clés", "eventos clave",
                    "eventos principais", "conversions", "konversionen", "conversiones",
                    "conversões"),
    "conversion_value": ("total revenue", "purchase revenue", "gesamtumsatz",
                         "umsatz aus käufen", "revenu total", "revenus totaux",
                         "revenus générés par les achats", "ingresos totales",
                         "ingresos por compras", "receita total", "receita de compra"),
}  # fmt: skip
# Headers only GA4 writes (folded). Not "Sessions", "Conversions" or "Engagement rate", which
# other tools write too.
_OWN = frozenset(
    (*_CHANNEL_GROUP, *_FIRST_USER, "engaged sessions", "key events", "session key event rate",
     "user key event rate", "average engagement time per session",
     "average engagement time per active user", "engaged sessions per active user",
     "events per session", "views per active user", "session campaign",
     "sitzungen mit interaktionen", "schlüsselereignisse", "sessions avec engagement",
     "événements clés", "sesiones con interacción", "eventos clave", "sessões engajadas",
     "eventos principais")
)  # fmt: skip
# A GA4 download's comment lines: its date lines, or its dashed rule.
_PREAMBLE = re.compile(
    r"^#\s*(?:-{8,}|(?:start date|end date|startdatum|enddatum|date de début|date de fin|"
    r"fecha de inicio|fecha de finalización|data de início|data de término)\s*:)",
    re.IGNORECASE,
)
_REPORTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (_CHANNEL_GROUP, "traffic_acquisition"),
    (_FIRST_USER, "user_acquisition"),
    (_CAMPAIGN, "campaign"),
    (("page path and screen class", "page title and screen class", "page path", "page title"),
     "pages"),
    (("event name",), "events"),
    (("date", "datum", "fecha", "data"), "daily"),
)  # fmt: skip


class GA4Reader:
    platform = "ga4"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = own_headers(headers, _OWN)
        said = any(_PREAMBLE.match(line.strip()) for line in preamble)
        if not own:
            # GA4's comment lines above a header of ordinary names ("Date,Sessions"): GA4 still.
            return 0.6 if said else 0.0
        return min(1.0, 0.6 + 0.15 * own + 0.3 * said)

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        return report_of(headers, _REPORTS, "table")

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            resolve(table.headers, SYNONYMS),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
        )


register(GA4Reader())
