"""Which platform and report a file comes from, judged by its content (never its file name).

Every reader module registers a ``Reader``; ``detect`` asks each for its confidence given the
header cells and the lines above the header (the preamble), and takes the most confident. A
later platform module only has to call ``register`` when it is imported (see ``READER_MODULES``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Protocol

import polars as pl

from mediadesk.ingest.tables import Table

PLATFORMS: tuple[str, ...] = (
    "google_ads",
    "meta",
    "linkedin",
    "microsoft_ads",
    "tiktok",
    "x",
    "dv360",
    "cm360",
    "amazon_ads",
    "ga4",
    "generic",
)
READER_MODULES: tuple[str, ...] = (
    "mediadesk.ingest.delivery.google_ads",
    "mediadesk.ingest.delivery.amazon_ads",
    "mediadesk.ingest.delivery.meta",
    "mediadesk.ingest.delivery.linkedin",
    "mediadesk.ingest.delivery.microsoft_ads",
    "mediadesk.ingest.delivery.tiktok",
    "mediadesk.ingest.delivery.x",
    "mediadesk.ingest.delivery.dv360",
    "mediadesk.ingest.delivery.cm360",
    "mediadesk.ingest.delivery.ga4",
    "mediadesk.ingest.delivery.generic",
)
MIN_CONFIDENCE = 0.3


class Reader(Protocol):
    platform: str

    def matches(self, headers: Sequence[str], preamble: Sequence[str]) -> float:
        """0 (not this platform's layout) to 1 (certainly it)."""
        ...

    def report(self, headers: Sequence[str], preamble: Sequence[str]) -> str:
        """The report type, e.g. "search_keyword", "campaign", "search_term"."""
        ...

    def read(self, table: Table, warnings: list[str] | None = None) -> pl.DataFrame:
        """The data rows (summary rows left out) in the normalized schema."""
        ...


_READERS: list[Reader] = []


def register(reader: Reader) -> Reader:
    if reader.platform not in PLATFORMS:
        raise ValueError(f"Unknown platform {reader.platform!r}; add it to PLATFORMS first.")
    _READERS.append(reader)
    return reader


def readers() -> tuple[Reader, ...]:
    for module in READER_MODULES:
        importlib.import_module(module)
    return tuple(_READERS)


def detect(headers: Sequence[str], preamble: Sequence[str]) -> tuple[Reader, float] | None:
    """The most confident reader for this layout, or None when none reaches MIN_CONFIDENCE."""
    scored = [(reader.matches(headers, preamble), index, reader) for index, reader in
              enumerate(readers())]  # fmt: skip
    if not scored:
        return None
    confidence, _, best = max(scored, key=lambda item: (item[0], -item[1]))
    return (best, confidence) if confidence >= MIN_CONFIDENCE else None


def fold(text: str) -> str:
    """A header for comparison: trimmed, lower-cased, inner whitespace collapsed."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def share(headers: Sequence[str], signature: Sequence[str]) -> float:
    """The share of ``signature`` headers (folded) present among ``headers``."""
    present = {fold(header) for header in headers}
    return sum(fold(name) in present for name in signature) / len(signature)
