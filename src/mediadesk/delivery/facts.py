"""From a normalized export (ingest.delivery) to delivery facts: matched, grouped per source and
day, converted to the campaign's currency, amounts in micro-units. Polars only, no Django, so the
whole file is handled column-wise and a million rows never become a million Python objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from mediadesk.domain.placement_matching import Match, Source

# Source dimensions of a fact, as (normalized column, fact column).
SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "platform"),
    ("account", "account"),
    ("campaign", "source_campaign"),
    ("ad_group", "source_ad_group"),
    ("placement_key", "placement_key"),
)
COUNTS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "video_views",
    "video_completions",
    "engagements",
    "spots",
)
AMOUNTS: tuple[str, ...] = ("spend", "conversions", "conversion_value", "grps")
CONVERTED: tuple[str, ...] = ("spend", "conversion_value")
# The columns of delivery_fact that a load writes, in this order.
FACT_COLUMNS: tuple[str, ...] = (
    "delivery_import_id",
    "campaign_id",
    "line_key",
    "day",
    *(column for _, column in SOURCE_COLUMNS),
    "currency",
    *COUNTS,
    "reach",
    *AMOUNTS,
    *(f"{name}_converted" for name in CONVERTED),
)
_MICROS = 1_000_000
# Text columns are cut to the width of their database column, as a platform name can be long.
_WIDTHS = {
    "account": 200,
    "source_campaign": 300,
    "source_ad_group": 300,
    "placement_key": 200,
    "currency": 3,
}
RateKey = tuple[str, int, int]  # (currency from, year, month) into the campaign's currency


@dataclass(frozen=True, slots=True)
class Checked:
    """What an export says beyond its numbers: things the person should know before trusting it."""

    future_rows: int
    first_future_day: date | None
    refund_rows: int
    refund_spend: Decimal
    duplicate_rows: int
    currencies: tuple[str, ...]


def check(frame: pl.DataFrame, unique_rows: int, today: date) -> Checked:
    """``unique_rows``: the frame's height once exact repeats are counted once."""
    future = frame.filter(pl.col("date") > today)
    refunds = frame.filter(pl.col("spend") < 0)
    refund_total = refunds["spend"].sum() if refunds.height else Decimal(0)
    currencies = tuple(sorted(frame["currency"].drop_nulls().unique().to_list()))
    return Checked(
        future_rows=future.height,
        first_future_day=future["date"].min() if future.height else None,  # type: ignore[arg-type]
        refund_rows=refunds.height,
        refund_spend=Decimal(refund_total) if refund_total is not None else Decimal(0),
        duplicate_rows=frame.height - unique_rows,
        currencies=currencies,
    )


def combined(parts: list[Checked], duplicate_rows: int) -> Checked:
    """The checks of an export read in pieces, as one."""
    futures = [part.first_future_day for part in parts if part.first_future_day is not None]
    return Checked(
        future_rows=sum(part.future_rows for part in parts),
        first_future_day=min(futures) if futures else None,
        refund_rows=sum(part.refund_rows for part in parts),
        refund_spend=sum((part.refund_spend for part in parts), Decimal(0)),
        duplicate_rows=duplicate_rows,
        currencies=tuple(sorted({code for part in parts for code in part.currencies})),
    )


def merged(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Facts of several pieces of one export as one set: rows of the same grain summed."""
    if len(parts) == 1:
        return parts[0]
    facts = pl.concat(parts)
    grain = [name for name in FACT_COLUMNS[:10]]  # ids, line, day, source names, currency
    summed = [name for name in FACT_COLUMNS[10:] if name != "reach"]
    return (
        facts.group_by(grain)
        .agg(*(pl.col(name).sum() for name in summed), pl.col("reach").max())
        .select(FACT_COLUMNS)
        .sort("day", "line_key")
    )


def without_duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with exact repeats of a row (every column equal) counted once.

    A hash per row finds the usual case, no repeats, in a fraction of a full comparison;
    only when hashes repeat is the exact (slower) comparison made, so a hash collision can
    never drop a row.
    """
    if frame.hash_rows().is_unique().all():
        return frame
    return frame.unique(maintain_order=True)


_HASHES = ("hash_a", "hash_b")


def no_hashes() -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(_HASHES, pl.UInt64()))


def not_seen(frame: pl.DataFrame, seen: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the rows of ``frame`` whose 128-bit hash is not in ``seen``, ``seen`` with theirs)."""
    keyed = frame.with_columns(
        frame.hash_rows(seed=11).alias(_HASHES[0]), frame.hash_rows(seed=29).alias(_HASHES[1])
    )
    if seen.height:
        keyed = keyed.join(seen, on=list(_HASHES), how="anti", maintain_order="left")
    return keyed.drop(_HASHES), pl.concat([seen, keyed.select(_HASHES)])


def sources(frame: pl.DataFrame) -> list[Source]:
    """The distinct sources in the file (a few hundred, however many rows)."""
    names = [name for name, _ in SOURCE_COLUMNS]
    distinct = frame.select(pl.col(name).fill_null("") for name in names).unique()
    return [Source(*row) for row in distinct.iter_rows()]


def month_rates_needed(frame: pl.DataFrame, currency: str) -> list[RateKey]:
    """(currency, year, month) of every row in another currency than the campaign's."""
    foreign = frame.filter(pl.col("currency").is_not_null() & (pl.col("currency") != currency))
    keys = foreign.select(
        pl.col("currency"),
        pl.col("date").dt.year().alias("y"),
        pl.col("date").dt.month().alias("m"),
    ).unique()
    return sorted((code, int(year), int(month)) for code, year, month in keys.iter_rows())


def facts_of(
    frame: pl.DataFrame,
    matches: Mapping[Source, Match | None],
    *,
    currency: str,
    rates: Mapping[RateKey, Decimal],
    import_id: int,
    campaign_id: int,
) -> pl.DataFrame:
    """The facts: metrics summed per placement, day and source, in FACT_COLUMNS order.

    Rows without a currency are taken to be in the campaign's currency; rows in another
    currency are converted at ``rates`` (every key of ``month_rates_needed`` must be there).
    Reach does not add up across rows, so a fact keeps the largest reach reported for it.
    """
    names = [name for name, _ in SOURCE_COLUMNS]
    assigned = pl.DataFrame(
        {
            **{name: [getattr(source, name) for source in matches] for name in names},
            "line_key": [match.line_key if match else "" for match in matches.values()],
        },
        schema={**dict.fromkeys(names, pl.String()), "line_key": pl.String()},
    )
    rows = frame.with_columns(
        *(pl.col(name).fill_null("") for name in names),
        pl.col("currency").fill_null(currency),
    ).join(assigned, on=names, how="left", nulls_equal=True)
    # Matched rows are kept per placement, day and platform campaign: the ad group and the
    # platform's placement ID have done their work (matching), and dropping them makes a
    # keyword- or ad-level export as small as the plan. Unmatched rows keep every name, as
    # the queue shows them and a later assignment matches on them.
    matched = pl.col("line_key").fill_null("") != ""
    rows = rows.with_columns(
        pl.when(matched).then(pl.lit("")).otherwise(pl.col(name)).alias(name)
        for name in ("ad_group", "placement_key")
    )
    grain = ["line_key", "date", *names, "currency"]
    grouped = rows.group_by(grain).agg(
        *(pl.col(name).sum() for name in (*COUNTS, *AMOUNTS)),
        pl.col("reach").max(),
    )
    grouped = _converted(grouped, currency, rates)
    return grouped.select(
        pl.lit(import_id, dtype=pl.Int64).alias("delivery_import_id"),
        pl.lit(campaign_id, dtype=pl.Int64).alias("campaign_id"),
        pl.col("line_key").fill_null(""),
        pl.col("date").alias("day"),
        *(_text(name, column) for name, column in SOURCE_COLUMNS),
        _text("currency", "currency"),
        *(pl.col(name).fill_null(0).cast(pl.Int64) for name in COUNTS),
        pl.col("reach").fill_null(0).cast(pl.Int64),
        *(_micros(pl.col(name)).alias(name) for name in AMOUNTS),
        *(_micros(pl.col(f"{name}_converted")).alias(f"{name}_converted") for name in CONVERTED),
    ).sort("day", "line_key")


def _text(name: str, column: str) -> pl.Expr:
    expression = pl.col(name).fill_null("")
    if column in _WIDTHS:
        expression = expression.str.slice(0, _WIDTHS[column])
    return expression.alias(column)


def _micros(amount: pl.Expr) -> pl.Expr:
    """A Decimal(…, 6) amount as whole micro-units (exact: six decimals are micro-units)."""
    return (amount.fill_null(0).cast(pl.Decimal(38, 6)) * pl.lit(_MICROS)).cast(pl.Int64)


def _converted(
    grouped: pl.DataFrame, currency: str, rates: Mapping[RateKey, Decimal]
) -> pl.DataFrame:
    """Adds spend_converted and conversion_value_converted (campaign currency, 6 decimals)."""
    if not rates:
        return grouped.with_columns(pl.col(name).alias(f"{name}_converted") for name in CONVERTED)
    table = pl.DataFrame(
        {
            "currency": [key[0] for key in rates],
            "y": [key[1] for key in rates],
            "m": [key[2] for key in rates],
            "rate": pl.Series([rates[key] for key in rates], dtype=pl.Decimal(38, 10)),
        },
        schema_overrides={"y": pl.Int32, "m": pl.Int8},
    )
    with_rate = grouped.with_columns(
        pl.col("date").dt.year().alias("y"), pl.col("date").dt.month().alias("m")
    ).join(table, on=["currency", "y", "m"], how="left")
    same = pl.col("currency") == currency
    return with_rate.with_columns(
        pl.when(same)
        .then(pl.col(name).cast(pl.Decimal(38, 6)))
        .otherwise((pl.col(name) * pl.col("rate")).round(6).cast(pl.Decimal(38, 6)))
        .alias(f"{name}_converted")
        for name in CONVERTED
    ).drop("y", "m", "rate")


def matched_counts(frame: pl.DataFrame, matches: Mapping[Source, Match | None]) -> tuple[int, int]:
    """(rows matched to a placement, rows waiting in the unmatched queue), counted on the file."""
    names = [name for name, _ in SOURCE_COLUMNS]
    unmatched = [source for source, match in matches.items() if match is None]
    if not unmatched:
        return frame.height, 0
    waiting = pl.DataFrame(
        {name: [getattr(source, name) for source in unmatched] for name in names},
        schema=dict.fromkeys(names, pl.String()),
    )
    count = (
        frame.select(pl.col(name).fill_null("") for name in names)
        .join(waiting, on=names, how="semi", nulls_equal=True)
        .height
    )
    return frame.height - count, count


Slice = tuple[str, str, str | None]  # platform, account, platform campaign (None = all)


def slices(frame: pl.DataFrame) -> list[tuple[Slice, date, date]]:
    """The slices of the file, each with its first and last day: what a newer export of the
    same slice replaces.

    An export covers a whole platform account, so a slice is (platform, account). A file that
    names no account (a vendor's report, a post-log, a Meta export without the account column)
    could be any of several, so there a slice is (platform, "", platform campaign): two
    vendors' reports of the same days never replace each other.
    """
    account = pl.col("account").fill_null("")
    name = pl.col("campaign").fill_null("").str.slice(0, 300)  # as delivery_fact keeps it
    campaign = pl.when(account == "").then(name).otherwise(None)
    spans = (
        frame.filter(pl.col("date").is_not_null())
        .group_by(pl.col("platform"), account.alias("account"), campaign.alias("campaign"))
        .agg(pl.col("date").min().alias("first"), pl.col("date").max().alias("last"))
        .sort("platform", "account", "campaign", nulls_last=True)
    )
    return [((p, a, c), first, last) for p, a, c, first, last in spans.iter_rows()]
