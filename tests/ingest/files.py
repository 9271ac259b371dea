"""Real files for the ingest tests, built at test time: workbooks, CSV bytes and doctored zips."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import xlsxwriter

CENTRAL = b"PK\x01\x02"


def xlsx(build: Callable[[Any], None], path: Path | None = None) -> bytes:
    """A workbook written by XlsxWriter; ``build`` gets the Workbook and adds sheets to it."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    build(workbook)
    workbook.close()
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def simple_xlsx(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    def build(workbook: Any) -> None:
        worksheet = workbook.add_worksheet(sheet)
        for number, row in enumerate(rows):
            worksheet.write_row(number, 0, row)

    return xlsx(build)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(
    data: bytes,
    replace: Mapping[str, bytes] | None = None,
    add: Mapping[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The workbook rewritten with some members replaced or added (names are taken as given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for part, content in members(data).items():
            archive.writestr(zipfile.ZipInfo(part), (replace or {}).get(part, content), method)
        for part, content in (add or {}).items():
            archive.writestr(zipfile.ZipInfo(part), content, method)
    return buffer.getvalue()


def patch_member(
    data: bytes,
    part: str,
    *,
    file_size: int | None = None,
    crc: int | None = None,
    flag_bits: int | None = None,
) -> bytes:
    """The zip with one member's declared size, CRC or flags changed in the central directory
    and the local header alike, as an attacker would write them."""
    patched = bytearray(data)
    encoded = part.encode()
    at = patched.find(CENTRAL)
    while at >= 0:
        name_length = struct.unpack_from("<H", patched, at + 28)[0]
        if bytes(patched[at + 46 : at + 46 + name_length]) == encoded:
            local = struct.unpack_from("<I", patched, at + 42)[0]
            for header, offsets in ((at, (8, 16, 24)), (local, (6, 14, 22))):
                flags, crc_at, size_at = (header + offset for offset in offsets)
                if flag_bits is not None:
                    struct.pack_into("<H", patched, flags, flag_bits)
                if crc is not None:
                    struct.pack_into("<I", patched, crc_at, crc)
                if file_size is not None:
                    struct.pack_into("<I", patched, size_at, file_size)
            return bytes(patched)
        at = patched.find(CENTRAL, at + 4)
    raise KeyError(part)


def zip_bomb(path: Path, megabytes: int = 300) -> bytes:
    """A workbook whose sheet is ``megabytes`` MB of zeros, deflated while streaming, so the
    test never holds more than 1 MB of it (the file is about 1 kB per MB of zeros)."""
    base = members(simple_xlsx([["a", "b"]]))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part, content in base.items():
            if part != "xl/worksheets/sheet1.xml":
                archive.writestr(part, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            zeros = bytes(1024 * 1024)
            for _ in range(megabytes):
                sheet.write(zeros)
    return path.read_bytes()


def crc32(data: bytes) -> int:
    return zlib.crc32(data)
