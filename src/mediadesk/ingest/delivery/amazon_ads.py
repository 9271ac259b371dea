"""Amazon Ads Sponsored Products UI reports (campaign, search term, placement; CSV and XLSX).

Headers keep Amazon's wording ("Click-Thru Rate (CTR)", "7 Day Total Sales ", with trailing
spaces), the attribution window varies (7 or 14 days) and India reports put the currency in the
header ("14 Day Total Sales (₹)") and amounts as "Rs.201.68". Orders are the conversions, sales
the conversion value; the rest (ACoS, ROAS, units) stays in the extras.

The German, French, Spanish and Portuguese header names ("Portfolioname", "Dépenses",
"Total de pedidos de 7 días (#)", "Vendas totais de 7 dias", …) are plausible UI names taken
from test fixtures, not from real files. With localized headers, slashed dates are read day
first (01/05/2026 is 1 May).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import fold, register, share
from mediadesk.ingest.delivery.generic import (
    dates_day_first,
    header_currency,
    header_key,
    read_columns,
    resolve,
)
from mediadesk.ingest.tables import Table

# Headers only Amazon writes, per language: English from real reports; German, French, Spanish
# and Portuguese from fixtures. A file is scored against its own language's list.
_OWN: tuple[tuple[str, ...], ...] = (
    ("portfolio name", "click-thru rate (ctr)", "cost per click (cpc)", "customer search term",
     "total advertising cost of sales (acos)", "total return on advertising spend (roas)"),
    ("portfolioname", "kosten pro klick (cpc)", "suchbegriff eines kunden",
     "zugeordnete umsatzkosten (acos) insgesamt"),
    ("nom du portefeuille", "coût par clic (cpc)", "terme de recherche client",
     "coût publicitaire des ventes (acos) total"),
    ("nombre de la cartera", "coste por clic (cpc)", "término de búsqueda del cliente",
     "coste publicitario de las ventas (acos) total"),
    ("nome do portfólio", "custo por clique (cpc)", "termo de pesquisa do cliente",
     "custo de publicidade das vendas (acos) total"),
)  # fmt: skip
_SALES = re.compile(
    r"\d+ day total sales|\d+-tage-umsatz insgesamt|ventes totales sur \d+ jours|"
    r"ventas totales de \d+ días|vendas totais de \d+ dias"
)
_ORDERS = re.compile(
    r"(?:\d+ day total orders|\d+-tage-bestellungen insgesamt|"
    r"total des commandes sur \d+ jours|total de pedidos de \d+ días|"
    r"total de pedidos de \d+ dias) \(#\)"
)


def _synonyms(headers: Sequence[str]) -> dict[str, tuple[str, ...]]:
    keys = [header_key(header) for header in headers]
    sales = tuple(key for key in keys if _SALES.fullmatch(key))
    orders = tuple(key for key in keys if _ORDERS.fullmatch(key))
    return {
        "date": ("date", "datum", "fecha", "data", "start date", "startdatum", "date de début",
                 "fecha de inicio", "data de início"),
        "campaign": ("campaign name", "kampagnenname", "nom de la campagne",
                     "nombre de la campaña", "nome da campanha"),
        "ad_group": ("ad group name", "anzeigengruppenname", "nom du groupe d'annonces",
                     "nombre del grupo de anuncios", "nome do grupo de anúncios"),
        "currency": ("currency", "währung", "devise", "moneda", "moeda"),
        "impressions": ("impressions", "impressionen", "impresiones", "impressões"),
        "clicks": ("clicks", "klicks", "clics", "cliques"),
        "spend": ("spend", "ausgaben", "dépenses", "gasto", "gastos"),
        "conversions": orders[:1],
        "conversion_value": sales[:1],
    }  # fmt: skip


class AmazonAdsReader:
    platform = "amazon_ads"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = max(share(headers, names) for names in _OWN)
        attribution = any(_SALES.fullmatch(header_key(header)) for header in headers)
        return min(1.0, 2 * own + 0.3 * attribution) if own else 0.0

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        present = {fold(header) for header in headers}
        if "customer search term" in present:
            return "search_term"
        if "placement" in present:
            return "placement"
        if "targeting" in present:
            return "targeting"
        if "advertised asin" in present or "advertised sku" in present:
            return "advertised_product"
        return "campaign"

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            resolve(table.headers, _synonyms(table.headers)),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=dates_day_first(table.headers),
        )


register(AmazonAdsReader())
