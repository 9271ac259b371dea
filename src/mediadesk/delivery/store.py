"""Bulk writes of delivery facts and their daily roll-up, the fastest way each database allows.

PostgreSQL gets ``COPY … FROM STDIN`` fed with CSV that Polars writes (no Python object per
row) into monthly partitions created on demand; SQLite gets ``executemany`` on its own
connection in chunks. Both run inside the caller's transaction, so an import is all or nothing.
Memory is bounded by a chunk of rows, not by the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import polars as pl
from django.db import connection

from mediadesk.delivery.facts import FACT_COLUMNS

CHUNK_ROWS = 100_000
FACT_TABLE = "delivery_fact"
ROLLUP_TABLE = "delivery_placement_day"
# The roll-up's metrics and how each is summed from the facts.
ROLLUP_METRICS: tuple[tuple[str, str], ...] = (
    ("impressions", "impressions"),
    ("clicks", "clicks"),
    ("video_views", "video_views"),
    ("video_completions", "video_completions"),
    ("engagements", "engagements"),
    ("spots", "spots"),
    ("spend", "spend_converted"),
    ("conversions", "conversions"),
    ("conversion_value", "conversion_value_converted"),
    ("grps", "grps"),
)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _chunks(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, CHUNK_ROWS):
        yield frame.slice(offset, CHUNK_ROWS)


def load_facts(facts: pl.DataFrame) -> int:
    """Append the facts (columns exactly FACT_COLUMNS); returns the rows written."""
    if list(facts.columns) != list(FACT_COLUMNS):
        raise ValueError(f"Facts must have the columns {FACT_COLUMNS}, in that order.")
    if not facts.height:
        return 0
    if is_postgresql():
        ensure_partitions(facts["day"].min(), facts["day"].max())  # type: ignore[arg-type]
        _copy(facts)
    else:
        _executemany(facts)
    return facts.height


def _copy(facts: pl.DataFrame) -> None:
    columns = ", ".join(FACT_COLUMNS)
    sql = f"COPY {FACT_TABLE} ({columns}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for chunk in _chunks(facts):
            # Empty strings are quoted so that COPY keeps them as "" (unquoted empty is NULL).
            copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric"))


def _executemany(facts: pl.DataFrame) -> None:
    columns = ", ".join(FACT_COLUMNS)
    marks = ", ".join("?" for _ in FACT_COLUMNS)
    sql = f"INSERT INTO {FACT_TABLE} ({columns}) VALUES ({marks})"
    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection, inside Django's transaction
    for chunk in _chunks(facts.with_columns(pl.col("day").dt.to_string("%Y-%m-%d"))):
        raw.executemany(sql, chunk.iter_rows())


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_starts(first: date, last: date) -> Iterator[date]:
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        month = _next_month(month)


def partition_name(month: date) -> str:
    return f"{FACT_TABLE}_y{month.year}m{month.month:02d}"


def ensure_partitions(first: date, last: date) -> None:
    """On PostgreSQL, a partition for every month from first to last (no-op when present)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for month in _month_starts(first, last):
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {FACT_TABLE} "
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')"
            )


def refresh_rollup(campaign_id: int, first: date, last: date) -> None:
    """Rebuild the campaign's daily roll-up from first to last out of the live matched facts."""
    names = ", ".join(name for name, _ in ROLLUP_METRICS)
    sums = ", ".join(f"SUM({source})" for _, source in ROLLUP_METRICS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ROLLUP_TABLE} WHERE campaign_id = %s AND day BETWEEN %s AND %s",
            [campaign_id, first, last],
        )
        cursor.execute(
            f"INSERT INTO {ROLLUP_TABLE} (campaign_id, line_key, day, {names}) "
            f"SELECT campaign_id, line_key, day, {sums} FROM {FACT_TABLE} "
            "WHERE campaign_id = %s AND day BETWEEN %s AND %s "
            "AND line_key <> '' AND replaced_by IS NULL "
            "GROUP BY campaign_id, line_key, day",
            [campaign_id, first, last],
        )


def hide_slice(
    campaign_id: int,
    platform: str,
    account: str,
    first: date,
    last: date,
    import_id: int,
    source_campaign: str | None = None,
) -> dict[int, int]:
    """Mark the live facts of one slice from first to last as replaced by ``import_id``: an
    account's, or (``source_campaign`` given) one platform campaign's of a file without one.

    Returns {import id: facts replaced} of the earlier imports it touched.
    """
    where = (
        "campaign_id = %s AND platform = %s AND account = %s AND day BETWEEN %s AND %s "
        "AND replaced_by IS NULL AND delivery_import_id <> %s"
    )
    params: list[Any] = [campaign_id, platform, account, first, last, import_id]
    if source_campaign is not None:
        where += " AND source_campaign = %s"
        params.append(source_campaign)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT delivery_import_id, COUNT(*) FROM {FACT_TABLE} WHERE {where} "
            "GROUP BY delivery_import_id",
            params,
        )
        touched = {int(row[0]): int(row[1]) for row in cursor.fetchall()}
        if touched:
            cursor.execute(
                f"UPDATE {FACT_TABLE} SET replaced_by = %s WHERE {where}", [import_id, *params]
            )
    return touched


def remove_import(campaign_id: int, import_id: int) -> tuple[date, date] | None:
    """Delete an import's facts and show again the facts it had replaced.

    Returns the days touched (for the roll-up), or None when it had no facts.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(day), MAX(day) FROM {FACT_TABLE} "
            "WHERE delivery_import_id = %s OR (campaign_id = %s AND replaced_by = %s)",
            [import_id, campaign_id, import_id],
        )
        first, last = cursor.fetchone()
        cursor.execute(f"DELETE FROM {FACT_TABLE} WHERE delivery_import_id = %s", [import_id])
        # Replaced facts are found through the campaign's (campaign, day) index: a roll-back
        # is rare, and one index less makes every load faster.
        cursor.execute(
            f"UPDATE {FACT_TABLE} SET replaced_by = NULL WHERE campaign_id = %s "
            "AND replaced_by = %s",
            [campaign_id, import_id],
        )
    if first is None:
        return None
    return _as_date(first), _as_date(last)


def reassign(campaign_id: int, line_key: str, where: str, params: list[Any]) -> list[date]:
    """Point the campaign's unmatched facts selected by ``where`` at a placement; the days."""
    base = f"campaign_id = %s AND line_key = '' AND ({where})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(day), MAX(day) FROM {FACT_TABLE} WHERE {base}", [campaign_id, *params]
        )
        first, last = cursor.fetchone()
        if first is None:
            return []
        cursor.execute(
            f"UPDATE {FACT_TABLE} SET line_key = %s WHERE {base}",
            [line_key, campaign_id, *params],
        )
    return [_as_date(first), _as_date(last)]


def _as_date(value: object) -> date:
    # SQLite answers MIN(day) as text; PostgreSQL as a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))
