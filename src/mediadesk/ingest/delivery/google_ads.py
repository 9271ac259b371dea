"""Google Ads UI downloads ("Download > CSV", also the UTF-16 tab-separated "Excel .csv").

Layout: a title line ("Search keyword report", "Kampagnenbericht"), a date-range line
("May 18, 2025 - August 15, 2025" or "All time"), the header, data rows, then "Total: …" rows
(label in the column of the first text dimension) that are never data. Headers are abbreviated
("Impr.", "Conv.", "Conv. value", "Currency code"), localized in German, French, Spanish and
Portuguese exports; nulls are " --"; thousands are quoted ("1,594,393"). With localized headers
("Tag", "Jour", "Día", "Dia", "Kosten", "Clics", …) slashed dates are read day first (01/05/2026 is
1 May), as a file re-saved by Excel in those languages writes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import fold, register, share
from mediadesk.ingest.delivery.generic import (
    SYNONYMS,
    dates_day_first,
    header_currency,
    read_columns,
    resolve,
)
from mediadesk.ingest.tables import Table

# Headers only Google Ads writes (in one of its languages).
_OWN = ("impr.", "currency code", "währungscode", "code de devise", "código de moneda",
        "código da moeda", "conv. value", "konv.-wert", "interactions",
        "interaktionen")  # fmt: skip
_TYPICAL = ("campaign", "ad group", "cost", "clicks", "conversions", "avg. cpc", "ctr",
            "conv. rate", "cost / conv.", "avg. cpm", "interaction rate", "kampagne",
            "anzeigengruppe", "kosten", "klicks", "konversionen")  # fmt: skip
_TITLE = re.compile(
    r"(report|bericht|rapport|informe|relatório)\s*$|^(rapport|informe|relatório)\b", re.I
)
_RANGE = re.compile(r"\d{4}\s*[-–—]|^all time$|^gesamter zeitraum$", re.IGNORECASE)
# Report types by a dimension header, most specific first.
_REPORTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("search term", "suchbegriff", "terme de recherche", "término de búsqueda"), "search_term"),
    (("keyword", "mot clé", "palabra clave", "palavra-chave"), "search_keyword"),
    (("age", "alter", "âge", "edad", "idade"), "age"),
    (("gender", "geschlecht", "sexe", "sexo"), "gender"),
    (("household income",), "household_income"),
    (("landing page",), "landing_page"),
    (("video",), "video"),
    (("asset",), "ad_asset"),
    (("store locations",), "per_store"),
    (("interaction type",), "advanced_bid_adjustment"),
    (("ad", "anzeige", "annonce", "anuncio", "anúncio"), "ad"),
    (("ad group", "anzeigengruppe", "groupe d'annonces", "grupo de anuncios"), "ad_group"),
    (("campaign", "kampagne", "campagne", "campaña", "campanha"), "campaign"),
)
SPEND_FIRST = {**SYNONYMS, "spend": ("cost", *SYNONYMS["spend"])}


class GoogleAdsReader:
    platform = "google_ads"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = share(headers, _OWN) > 0
        score = 0.5 * own + 0.3 * min(1.0, 3 * share(headers, _TYPICAL))
        if preamble and _TITLE.search(preamble[0].strip()):
            score += 0.1
        if any(_RANGE.search(line.strip()) for line in preamble[1:3]):
            score += 0.1
        return score if own else min(score, 0.3)

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        present = {fold(header) for header in headers}
        for names, report in _REPORTS:
            if present.intersection(names):
                return report
        return "table"

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            resolve(table.headers, SPEND_FIRST),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=dates_day_first(table.headers),
        )


register(GoogleAdsReader())
