"""A CSV export cut off in the middle of its last line (an interrupted download or copy).

Such a file still parses: the last row simply has fewer cells, and its missing metrics would be
read as empty. An import must refuse it instead, so this looks at the end of the file only
(a few kilobytes, whatever the file's size): no line break at the end, and a last line with
fewer cells than the line before it.
"""

from __future__ import annotations

import csv
import io

_TAIL_BYTES = 65_536
_DELIMITERS = (",", ";", "\t", "|")


def _tail_text(data: bytes) -> str:
    tail = data[-_TAIL_BYTES:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        tail = tail[len(tail) % 2 :]  # whole UTF-16 code units only
        return tail.decode("utf-16-be" if data.startswith(b"\xfe\xff") else "utf-16-le", "replace")
    return tail.decode("utf-8", "replace")


def _cells(line: str, delimiter: str) -> int:
    return len(next(csv.reader(io.StringIO(line), delimiter=delimiter), []))


def cut_off_line(data: bytes) -> tuple[int, int] | None:
    """(cells in the last line, cells in the line before) when the file ends mid-line."""
    text = _tail_text(data)
    if not text or text.endswith(("\n", "\r")):
        return None
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    last, before = lines[-1], lines[-2]
    for delimiter in _DELIMITERS:
        expected = _cells(before, delimiter)
        if expected > 1:
            found = _cells(last, delimiter)
            return (found, expected) if found < expected else None
    return None
