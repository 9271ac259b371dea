"""Reading a large CSV in pieces gives exactly what reading it whole gives."""

from __future__ import annotations

import polars as pl

from mediadesk.ingest.delivery.chunks import load_chunks
from mediadesk.ingest.delivery.inspect import load

HEADER = (
    'Campaign report\r\n"May 1, 2025 - May 31, 2025"\r\n'
    "Day,Campaign,Ad group,Currency code,Impr.,Clicks,Cost\r\n"
)


def _export(rows: int, bad_row: int | None = None) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        cost = "abc" if n == bad_row else f"{n}.25"
        name = f'"Brand, ""quoted""\nline {n}"' if n % 7 == 3 else f"Campaign {n}"
        lines.append(
            f"2025-05-{1 + n % 28:02d},{name},Group {n % 5},USD,{100 + n},{n % 9},{cost}\r\n"
        )
    lines.append(",Total: Account,,USD,0,0,0.00\r\n")
    return "".join(lines).encode()


def test_pieces_add_up_to_the_whole_file() -> None:
    data = _export(500)
    whole = load(data, "report.csv")
    pieces = list(load_chunks(data, "report.csv", chunk_bytes=1_000))
    assert len(pieces) > 10
    assert {piece.reader.platform for piece in pieces} == {"google_ads"}
    joined = pl.concat([piece.frame for piece in pieces])
    assert joined.equals(whole.frame)
    assert joined.height == 500


def test_a_cut_never_splits_a_quoted_cell_and_row_numbers_are_the_files() -> None:
    lines = _export(300, bad_row=250).split(b"\r\n")
    lines[60:60] = [b",,,,,,"]  # an empty row and a blank line count as rows of the file
    lines[120:120] = [b""]
    data = b"\r\n".join(lines)
    whole = load(data, "report.csv")
    pieces = list(load_chunks(data, "report.csv", chunk_bytes=700))
    assert pl.concat([piece.frame for piece in pieces]).equals(whole.frame)
    problems = [w for piece in pieces for w in piece.warnings if w.startswith("row ")]
    assert problems == [w for w in whole.warnings if w.startswith("row ")]
    assert problems and problems[0].startswith("row ")


def test_small_files_utf16_and_xlsx_are_read_whole() -> None:
    data = _export(20)
    assert len(list(load_chunks(data, "report.csv"))) == 1
    utf16 = b"\xff\xfe" + data.decode().encode("utf-16-le")
    assert len(list(load_chunks(utf16, "report.csv", chunk_bytes=200))) == 1
