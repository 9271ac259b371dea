"""Export files built for the delivery tests: Google Ads style daily campaign reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

SEARCH = "CTSO_CTSO-5G26_SEARCH_GOOGLE-ADS_US_202610"
SOCIAL = "CTSO_CTSO-5G26_SOCIAL_META_US_202610"


def google_ads(
    rows: Iterable[tuple[date, str, str, int, int, str]],
    *,
    currency: str = "USD",
    account: str = "Contoso US",
) -> bytes:
    """A Google Ads "Campaign report" CSV: title, range line, header, rows, total rows."""
    rows = list(rows)
    days = [row[0] for row in rows]
    lines = [
        "Campaign report",
        f'"{min(days):%B %-d, %Y} - {max(days):%B %-d, %Y}"',
        "Day,Account,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions",
    ]
    impressions = clicks = 0
    cost = Decimal(0)
    for day, campaign, ad_group, impr, click, spend in rows:
        lines.append(
            f"{day.isoformat()},{account},{campaign},{ad_group},{currency},{impr},{click},"
            f"{spend},1.00"
        )
        impressions, clicks, cost = impressions + impr, clicks + click, cost + Decimal(spend)
    lines.append(f",Total: Account,,,{currency},{impressions},{clicks},{cost},{len(rows)}.00")
    return ("\r\n".join(lines) + "\r\n").encode()


def daily(
    first: date, days: int, campaign: str, ad_group: str = "Main", spend: str = "100.00"
) -> list[tuple[date, str, str, int, int, str]]:
    return [
        (first + timedelta(days=n), campaign, ad_group, 10_000, 250, spend) for n in range(days)
    ]
