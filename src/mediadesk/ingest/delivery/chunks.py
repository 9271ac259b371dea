"""A large CSV export read a chunk at a time, so memory follows the chunk, not the file.

Reading a whole export builds several copies of it (text cells, then typed columns), about ten
times the file's size at the peak: a gigabyte for a 100 MB file. ``load_chunks`` cuts a CSV in
pieces of about ``CHUNK_BYTES`` at line ends and reads each piece as a small file of its own:
the first piece with the lines above the header (so the platform is detected as usual), every
later piece behind a copy of the header line and read by the same reader. A cut never falls
inside a quoted cell (the quotes before it must pair up). Row numbers in the warnings are those
of the whole file.

Only CSVs in a byte encoding with one-byte line ends (UTF-8, Windows-1252, …) and larger than
one chunk are cut; anything else (XLSX, UTF-16, small files) is read whole, as ``load`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from mediadesk.ingest.delivery.detect import Reader
from mediadesk.ingest.delivery.inspect import Loaded, NoDataRows, load
from mediadesk.ingest.safety import check_upload

CHUNK_BYTES = 8 * 1024 * 1024
_ROW = re.compile(r"^row (\d+)(?=, )")
_QUOTED = re.compile(rb'"(?:[^"]|"")*"')
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def _cut(data: bytes, start: int, size: int) -> int:
    """The end of the piece from ``start``: a line end about ``size`` bytes on, outside quotes."""
    end = data.find(b"\n", start + size)
    if end == -1:
        return len(data)
    end += 1
    # An odd number of quotes means the cut is inside a quoted cell: take more lines.
    while data.count(b'"', start, end) % 2 and end < len(data):
        following = data.find(b"\n", end)
        end = len(data) if following == -1 else following + 1
    return end


def _renumbered(warnings: tuple[str, ...], offset: int) -> tuple[str, ...]:
    """Warnings of a piece with its row numbers turned into the file's."""
    return tuple(
        _ROW.sub(lambda match: f"row {int(match[1]) + offset}", warning) for warning in warnings
    )


def load_chunks(
    data: bytes, filename: str, reader: Reader | None = None, chunk_bytes: int | None = None
) -> Iterator[Loaded]:
    """The file's rows as one ``Loaded`` per piece (one piece when the file is not cut)."""
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    if (
        len(data) <= chunk_bytes
        or data.startswith(_UTF16)
        or check_upload(data, filename).kind != "csv"
    ):
        yield load(data, filename, reader)
        return
    first_end = _cut(data, 0, chunk_bytes)
    first = load(data[:first_end], filename, reader)
    header_line = _header_line(data, first.table.header_row)
    if header_line is None:  # a quoted line break above the header: lines are not records
        del first
        yield load(data, filename, reader)
        return
    reader = first.reader
    # Rows are numbered by record: a quoted line break does not start a row.
    records_before = _records(data, 0, first_end)
    yield first
    del first  # the consumer has it; this generator must not keep the first piece alive
    start = first_end
    while start < len(data):
        end = _cut(data, start, chunk_bytes)
        piece = header_line + data[start:end]
        try:
            loaded: Loaded | None = load(piece, filename, reader)
        except NoDataRows:  # only totals or footer lines were left for this piece
            loaded = None
        if loaded is not None:
            # Row 2 of the piece (below its copy of the header) is row records_before + 1.
            yield replace(loaded, warnings=_renumbered(loaded.warnings, records_before - 1))
        records_before += _records(data, start, end)
        start = end


def _records(data: bytes, start: int, end: int) -> int:
    """The CSV records (lines, less the line breaks inside quoted cells) in data[start:end]."""
    lines = data.count(b"\n", start, end)
    if data.find(b'"', start, end) == -1:
        return lines
    cells: list[bytes] = _QUOTED.findall(data, start, end)
    return lines - sum(cell.count(b"\n") for cell in cells)


def _header_line(data: bytes, header_row: int) -> bytes | None:
    """The header line's bytes (header_row is 1-based), with its line end."""
    position = 0
    for _ in range(header_row - 1):
        position = data.find(b"\n", position) + 1
        if position == 0:
            return None
    end = data.find(b"\n", position)
    if end == -1:
        return None
    line = data[position : end + 1]
    return line if line.count(b'"') % 2 == 0 else None
