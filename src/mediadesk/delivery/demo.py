"""Delivery for the demo's live campaigns: exports as the platforms write them, imported the
way a coordinator would (the same service as the page), so the demo shows real pacing.

Each placement runs at its own pace against its planned weekly distribution: some on track,
search over-delivering, social and radio behind. A few rows match no placement and wait in the
unmatched queue. TV and radio post-logs name stations, not placement codes, so the demo first
saves the matching rules that a coordinator would set up for them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mediadesk.accounts.models import User
from mediadesk.accounts.permissions import Action, can
from mediadesk.delivery import services
from mediadesk.domain.calendars import CalendarKind
from mediadesk.planning.models import Campaign, Placement
from mediadesk.planning.plans import slices_of

# How fast each channel runs against plan in the demo (1.00 = exactly as planned).
PACE = {
    "search": Decimal("1.22"),
    "social": Decimal("0.71"),
    "display": Decimal("0.98"),
    "online_video": Decimal("1.04"),
    "linear_tv": Decimal("0.95"),
    "radio": Decimal("0.80"),
    "streaming_audio": Decimal("1.00"),
}
_CENT = Decimal("0.01")


def _daily(placement: Placement, measure: str, last: date) -> Iterator[tuple[date, Decimal]]:
    """The placement's planned cost or quantity per day, from its flighting, up to ``last``."""
    for piece in slices_of(placement, measure, CalendarKind.CALENDAR):
        if not piece.days:
            continue
        first = max(piece.week, placement.start)
        if piece.month != (first.year, first.month):  # the week's part in the next month
            first = date(*piece.month, 1)
        for n in range(piece.days):
            day = first + timedelta(days=n)
            if day <= last:
                yield day, piece.amount / piece.days


def _noisy(rng: random.Random, amount: Decimal, pace: Decimal) -> Decimal:
    wobble = Decimal(rng.randint(88, 112)) / 100
    return (amount * pace * wobble).quantize(_CENT, ROUND_HALF_UP)


def google_ads_export(
    rows: list[tuple[date, str, str, int, int, Decimal, Decimal]], account: str, currency: str
) -> bytes:
    lines = [
        "Campaign report",
        f"{min(r[0] for r in rows):%B %-d, %Y} - {max(r[0] for r in rows):%B %-d, %Y}",
        "Day,Account,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions",
    ]
    lines += [
        f"{day.isoformat()},{account},{campaign},{group},{currency},{impr},{clicks},{cost},{conv}"
        for day, campaign, group, impr, clicks, cost, conv in rows
    ]
    total = sum((r[5] for r in rows), Decimal(0))
    lines.append(
        f",Total: Account,,,{currency},{sum(r[3] for r in rows)},{sum(r[4] for r in rows)},{total},"
    )
    return ("\r\n".join(lines) + "\r\n").encode()


def meta_export(rows: list[tuple[date, str, str, int, int, int, Decimal]], currency: str) -> bytes:
    header = (
        "Reporting starts,Reporting ends,Campaign name,Ad set name,Impressions,Reach,"
        f"Link clicks,Amount spent ({currency})"
    )
    lines = [header] + [
        f"{day.isoformat()},{day.isoformat()},{campaign},{ad_set},{impr},{reach},{clicks},{spend}"
        for day, campaign, ad_set, impr, reach, clicks, spend in rows
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def post_log(rows: list[tuple[date, str, str, str, int, Decimal, Decimal]], currency: str) -> bytes:
    lines = ["Air date,Air time,Station,Programme,Spot length,Rating,Cost,Currency"]
    lines += [
        f"{day.isoformat()},{time},{station},{programme},{length},{rating},{cost},{currency}"
        for day, time, station, programme, length, rating, cost in rows
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _search_and_video(
    placements: list[Placement], rng: random.Random, last: date, stray: str
) -> list[Any]:
    rows: list[Any] = []
    for placement in placements:
        if placement.channel not in ("search", "online_video", "display", "streaming_audio"):
            continue
        pace = PACE.get(placement.channel, Decimal(1))
        # Impressions at the CPM the line was bought at (a typical one for other models).
        cpm = placement.rate if placement.cost_model == "cpm" else Decimal("9.5")
        cpm = Decimal("38") if placement.channel == "search" else cpm
        for day, planned in _daily(placement, "cost", last):
            cost = _noisy(rng, planned, pace)
            impressions = int(cost / cpm * 1000)
            clicks = int(
                impressions * Decimal("0.021" if placement.channel == "search" else "0.004")
            )
            group = "Generic" if placement.channel == "search" else "Main"
            rows.append(
                (
                    day,
                    f"{placement.code} | {placement.property_name}",
                    group,
                    impressions,
                    clicks,
                    cost,
                    (Decimal(clicks) / 25).quantize(_CENT),
                )
            )
    # A campaign someone started on the platform without the plan's code: it waits.
    for n in range(10):
        day = last - timedelta(days=n)
        rows.append(
            (day, stray, "Test", 1800 + 37 * n, 41 + n, Decimal("96.40") + n, Decimal("2.00"))
        )
    return sorted(rows, key=lambda row: (row[0], row[1]))


def _social(placements: list[Placement], rng: random.Random, last: date) -> list[Any]:
    rows: list[Any] = []
    for placement in placements:
        if placement.channel != "social":
            continue
        for day, planned in _daily(placement, "cost", last):
            spend = _noisy(rng, planned, PACE["social"])
            impressions = int(spend / Decimal("8.2") * 1000)
            rows.append(
                (
                    day,
                    f"{placement.code} | Always on",
                    "Broad 25-54",
                    impressions,
                    impressions * 62 // 100,
                    impressions * 8 // 1000,
                    spend,
                )
            )
    return rows


def _post_logs(placements: list[Placement], rng: random.Random, last: date) -> list[Any]:
    rows: list[Any] = []
    for placement in placements:
        if placement.channel == "linear_tv":
            for day, grps in _daily(placement, "quantity", last):
                if grps <= 0:
                    continue
                delivered = (grps * PACE["linear_tv"]).quantize(_CENT)
                for n, share in enumerate((Decimal("0.6"), Decimal("0.4"))):
                    rating = (delivered * share).quantize(_CENT)
                    rows.append(
                        (
                            day,
                            f"{20 + n}:1{rng.randint(0, 9)}",
                            placement.vendor,
                            "Prime time",
                            placement.spot_length or 30,
                            rating,
                            (rating * placement.rate).quantize(_CENT),
                        )
                    )
        elif placement.channel == "radio":
            for day, spots in _daily(placement, "quantity", last):
                aired = int((spots * PACE["radio"]).to_integral_value(ROUND_HALF_UP))
                for n in range(aired):
                    rows.append(
                        (
                            day,
                            f"0{7 + n % 3}:{10 + n:02d}",
                            placement.property_name,
                            "Morning show",
                            30,
                            Decimal("0.40"),
                            placement.rate,
                        )
                    )
    return rows


def vendor_report(rows: list[tuple[date, str, str, int, Decimal]], currency: str) -> bytes:
    """Vendors' own daily reports (proof of posting, CTV and podcast logs): a generic table."""
    lines = ["Date,Campaign,Site,Impressions,Cost,Currency"]
    lines += [
        f"{day.isoformat()},{campaign},{site},{contacts},{cost},{currency}"
        for day, campaign, site, contacts, cost in rows
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


# Channels the platform exports above cover; every other line reports through its vendor.
_PLATFORM_CHANNELS = frozenset(
    ("search", "online_video", "display", "streaming_audio", "social", "linear_tv", "radio")
)


def _vendor_rows(placements: list[Placement], rng: random.Random, last: date) -> list[Any]:
    """Lines bought from a vendor (out-of-home, CTV, podcasts, print, affiliates …) as the
    vendor reports them: the cost by day, near plan, and impressions where bought on CPM."""
    rows: list[Any] = []
    for placement in placements:
        if placement.channel in _PLATFORM_CHANNELS:
            continue
        fixed = placement.cost_model in ("flat", "per_insertion")
        for day, planned in _daily(placement, "cost", last):
            cost = (
                planned.quantize(_CENT, ROUND_HALF_UP)
                if fixed
                else _noisy(rng, planned, Decimal(1))
            )
            impressions = int(cost / placement.rate * 1000) if placement.cost_model == "cpm" else 0
            rows.append((day, placement.code, placement.property_name, impressions, cost))
    return rows


def load_demo_delivery(actor: Any, today: date) -> int:
    """Import delivery for every demo campaign on air up to yesterday; the imports made."""
    made = 0
    rng = random.Random(2026)
    # Every campaign that has been on air: live, booked and started, or completed.
    running = Campaign.objects.filter(status__in=["live", "booked", "completed"])
    for campaign in running.order_by("code"):
        if campaign.delivery_imports.exists():
            continue
        last = min(today - timedelta(days=1), campaign.end)
        if last < campaign.start:
            continue
        # The coordinator imports what is theirs; an organization admin the rest.
        if not can(actor, Action.EDIT_CAMPAIGN, campaign.client_id):
            admin = User.objects.filter(organization=actor.organization, is_org_admin=True)
            who = admin.order_by("pk").first() or actor
        else:
            who = actor
        placements = services.placements_for_delivery(campaign)
        for placement in placements:
            if placement.channel == "linear_tv":
                services.add_rule(
                    who,
                    campaign,
                    kind="name_contains",
                    value=placement.vendor,
                    line_key=placement.line_key,
                )
            elif placement.channel == "radio":
                services.add_rule(
                    who,
                    campaign,
                    kind="pattern",
                    value=f"{placement.property_name}*",
                    line_key=placement.line_key,
                )
        currency = campaign.currency
        exports = [
            (
                "google-ads-campaign-report.csv",
                google_ads_export(
                    _search_and_video(placements, rng, last, f"{campaign.code} brand test"),
                    f"{campaign.client.name} Ads",
                    currency,
                ),
            ),
            ("meta-ads-manager-export.csv", meta_export(_social(placements, rng, last), currency)),
            ("broadcast-post-log.csv", post_log(_post_logs(placements, rng, last), currency)),
            ("vendor-reports.csv", vendor_report(_vendor_rows(placements, rng, last), currency)),
        ]
        for filename, data in exports:
            if data.count(b"\n") <= 2:  # nothing of that kind in this plan
                continue
            services.import_delivery(who, campaign, filename=filename, data=data, today=today)
            made += 1
    return made
