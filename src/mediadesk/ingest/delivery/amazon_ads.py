"""Amazon Ads Sponsored Products UI reports (campaign, search term, placement; CSV and XLSX).

Headers keep Amazon's wording ("Click-Thru Rate (CTR)", "7 Day Total Sales ", with trailing
spaces), the attribution window varies (7 or 14 days) and India reports put the currency in the
header ("14 Day Total Sales (₹)") and amounts as "Rs.201.68". Orders are the conversions, sales
the conversion value; the rest (ACoS, ROAS, units) stays in the extras.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import fold, register, share
from mediadesk.ingest.delivery.generic import header_currency, header_key, read_columns, resolve
from mediadesk.ingest.tables import Table

_OWN = (
    "portfolio name",
    "click-thru rate (ctr)",
    "cost per click (cpc)",
    "customer search term",
    "total advertising cost of sales (acos)",
    "total return on advertising spend (roas)",
)
_SALES = re.compile(r"\d+ day total sales")
_ORDERS = re.compile(r"\d+ day total orders \(#\)")


def _synonyms(headers: Sequence[str]) -> dict[str, tuple[str, ...]]:
    keys = [header_key(header) for header in headers]
    sales = tuple(key for key in keys if _SALES.fullmatch(key))
    orders = tuple(key for key in keys if _ORDERS.fullmatch(key))
    return {
        "date": ("date", "start date"),
        "campaign": ("campaign name",),
        "ad_group": ("ad group name",),
        "currency": ("currency",),
        "impressions": ("impressions",),
        "clicks": ("clicks",),
        "spend": ("spend",),
        "conversions": orders[:1],
        "conversion_value": sales[:1],
    }


class AmazonAdsReader:
    platform = "amazon_ads"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = share(headers, _OWN)
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
        )


register(AmazonAdsReader())
