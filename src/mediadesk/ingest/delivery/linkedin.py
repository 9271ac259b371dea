"""LinkedIn Campaign Manager performance exports (CSV).

Layout: a preamble ("Campaign Performance Report (in UTC)", "Report Start: …", "Report End: …"
and a blank line), then the header ("Start Date (in UTC)", "Account Name", "Campaign Group Name",
"Campaign Name", …, "Currency", "Total Spent", "Impressions", "Clicks", "Conversions", …), data
rows with month-first dates (5/1/2025) and sometimes a trailing "Total" row, never data.
Campaign groups and ads (creatives) stay in the extras: the campaign is LinkedIn's campaign.
Encoding, delimiter and localized variants were not seen in a real export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from mediadesk.ingest.delivery.detect import register
from mediadesk.ingest.delivery.generic import header_currency, header_key, read_columns, resolve
from mediadesk.ingest.tables import Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("start date (in utc)", "start date", "date"),
    "account": ("account name",),
    "campaign": ("campaign name", "campaign"),
    "currency": ("currency",),
    "impressions": ("impressions",),
    "clicks": ("clicks",),
    "spend": ("total spent", "amount spent", "spend"),
    "conversions": ("conversions", "external website conversions"),
    "conversion_value": ("conversion value",),
    "video_views": ("video views",),
    "video_completions": ("video completions",),
    "reach": ("reach", "approximate unique member reach", "approximate member reach"),
    "engagements": ("total engagements",),
}
# Headers only Campaign Manager writes (folded).
_OWN = frozenset(
    ("start date (in utc)", "end date (in utc)", "campaign group name", "campaign group id",
     "campaign objective type", "total spent", "total engagements", "landing page clicks",
     "lead generation mail contact info shares")
)  # fmt: skip
_PREAMBLE = re.compile(
    r"report\s*\(in utc\)|^report (?:start|end)\s*:|^(?:campaign|ad|creative|account)"
    r" performance report\b",
    re.IGNORECASE,
)
_REPORTS = (
    (("creative name", "ad name", "creative id", "ad id"), "ad"),
    (("campaign name",), "campaign"),
    (("campaign group name",), "campaign_group"),
)


class LinkedInReader:
    platform = "linkedin"

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        own = len({header_key(header) for header in headers} & _OWN)
        if not own:
            return 0.0
        said = any(_PREAMBLE.search(line.strip()) for line in preamble)
        return min(1.0, 0.5 + 0.15 * own + 0.3 * said)

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        keys = {header_key(header) for header in headers}
        for names, report in _REPORTS:
            if keys.intersection(names):
                return report
        return "account"

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        return read_columns(
            table,
            resolve(table.headers, SYNONYMS),
            platform=self.platform,
            warnings=warnings,
            currency=header_currency(table.headers),
            day_first=False,
        )


register(LinkedInReader())
