"""The normalized delivery table: one row per platform row, the same columns for every source.

Money-like metrics (spend, conversions, conversion value, frequency) are ``Decimal(38, 6)`` so
no float ever reaches spend; counts are ``Int64``; every column of the file that has no
normalized place is kept, as written, in ``extras`` (a JSON object per row, header -> text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import polars as pl

MONEY = pl.Decimal(38, 6)
SCALE = Decimal("0.000001")

DIMENSIONS: tuple[str, ...] = (
    "platform",
    "account",
    "campaign",
    "ad_group",
    "placement_key",
    "currency",
)
COUNTS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "video_views",
    "video_completions",
    "reach",
    "engagements",
    "spots",
)
# GRPs are decimals (a spot's rating, 3.4); spots are counts (a post-log row is one spot aired).
AMOUNTS: tuple[str, ...] = ("spend", "conversions", "conversion_value", "frequency", "grps")

SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    **{name: pl.String() for name in DIMENSIONS},
    **{name: pl.Int64() for name in COUNTS},
    **{name: MONEY for name in AMOUNTS},
    "extras": pl.String(),
}
COLUMNS: tuple[str, ...] = tuple(SCHEMA)
# Fields a reader maps from the file's columns (platform and extras are filled by the reader).
FIELDS: tuple[str, ...] = tuple(name for name in COLUMNS if name not in ("platform", "extras"))


def totals_of(frame: pl.DataFrame, names: Iterable[str]) -> dict[str, int | Decimal | None]:
    """Each column's sum (an int for counts, a Decimal for amounts), None for a column the
    file does not have (every value null)."""
    totals: dict[str, int | Decimal | None] = {}
    for name in names:
        column = frame[name]
        if column.null_count() == column.len():
            totals[name] = None
        elif column.dtype == pl.Int64:
            totals[name] = int(column.sum())
        else:
            totals[name] = Decimal(column.sum())
    return totals


def plain(value: Decimal) -> str:
    """A decimal as people write it: 1234.5, not 1.2345E+3 or 1234.500000."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0E-6") else text


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def build_frame(columns: Mapping[str, Sequence[object]], height: int) -> pl.DataFrame:
    """A frame in the normalized schema; columns missing from ``columns`` are all null."""
    series = []
    for name, dtype in SCHEMA.items():
        values = columns.get(name)
        if values is None:
            series.append(pl.Series(name, [None] * height, dtype=dtype))
        else:
            series.append(pl.Series(name, list(values), dtype=dtype, strict=False))
    return pl.DataFrame(series)
