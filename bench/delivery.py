"""Inspecting a delivery export: a 1,000,000-row daily Google Ads CSV (fixed seed) in a temp dir.

``inspect`` (safety checks, read_table, detection, normalizing every cell to Decimal/Int64/Date,
summary-row rules, totals) against a bare ``polars.read_csv`` of the same file (no preamble, no
locale rules, floats): the price of reading messy exports correctly. The issue's yardstick is
whole processes: ``python -m mediadesk inspect FILE`` against a Python process that imports Polars
and reads the file, both timed from start to exit.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import polars as pl

from bench.timing import measure
from mediadesk.ingest.delivery.inspect import inspect

ROWS = 1_000_000
SEED = 20261001
HEADER = ["Day", "Campaign", "Ad group", "Currency code", "Impr.", "Clicks", "Cost",
          "Conversions", "Conv. value"]  # fmt: skip


def write_csv(path: Path, seed: int = SEED) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write('Campaign report\n"January 1, 2026 - December 31, 2026"\n')
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(ROWS):
            impressions = rng.randrange(100, 200_000)
            clicks = rng.randrange(0, impressions // 20 + 1)
            writer.writerow(
                [
                    (date(2026, 1, 1) + timedelta(days=number % 365)).isoformat(),
                    f"Campaign {number % 40:02d}",
                    f"Ad group {number % 550:03d}",
                    "EUR",
                    f"{impressions:,}",
                    clicks,
                    f"{rng.uniform(1, 5_000):.2f}",
                    f"{rng.uniform(0, 50):.2f}",
                    f"{rng.uniform(0, 20_000):,.2f}",
                ]
            )
        handle.write(",Total: Account,,EUR,,,,,\n")


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="mediadesk-bench-delivery-") as folder:
        path = Path(folder) / "campaign_report.csv"
        write_csv(path)
        data = path.read_bytes()
        result = inspect(data, path.name)
        print(f"csv: {ROWS:,} rows, {len(data):,} bytes (seed {SEED}); inspect found "
              f"{result.rows:,} rows, {result.platform} {result.report}")  # fmt: skip
        measure(f"inspect {ROWS:,} rows", partial(inspect, data, path.name), repeat=3, warmup=1)
        measure(
            f"polars.read_csv {ROWS:,} rows (bare, skip 2 lines)",
            partial(pl.read_csv, path, skip_rows=2, infer_schema_length=10_000),
            repeat=3,
            warmup=1,
        )
        measure(
            f"process: mediadesk inspect {ROWS:,} rows",
            partial(_process, "-m", "mediadesk", "inspect", str(path)),
            repeat=3,
            warmup=1,
        )
        measure(
            f"process: polars.read_csv {ROWS:,} rows",
            partial(
                _process,
                "-c",
                f"import polars; polars.read_csv({str(path)!r}, skip_rows=2, "
                "infer_schema_length=10_000)",
            ),
            repeat=3,
            warmup=1,
        )


def _process(*args: str) -> None:
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
