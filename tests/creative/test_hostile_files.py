"""Hostile and broken files through the real upload path: each is refused with a sentence that
names the file and what is wrong, and nothing is stored (no asset, no version, no file)."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from creative.conftest import png_bytes
from mediadesk.creative import services
from mediadesk.creative.models import Asset, AssetVersion

pytestmark = pytest.mark.django_db


def _zip(members: dict[str, bytes], link: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, b"/etc/passwd")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def _pixel_flood() -> bytes:
    """A 300-byte PNG that claims 100,000 x 100,000 pixels."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


INDEX = b'<html><head><meta name="ad.size" content="width=300,height=250"></head></html>'
CASES: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "png named .mp4": ("poster.mp4", lambda video: png_bytes(), r"poster\.mp4 is a PNG image"),
    "svg with a script": (
        "logo.svg",
        lambda video: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        r"logo\.svg .*<script>",
    ),
    "svg with an external reference": (
        "logo.svg",
        lambda video: (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://tracker.example/p.png"/></svg>'
        ),
        r"logo\.svg .*https://tracker\.example/p\.png",
    ),
    "svg with an entity": (
        "logo.svg",
        lambda video: (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
        ),
        r"logo\.svg",
    ),
    "zip with path traversal": (
        "banner.zip",
        lambda video: _zip({"index.html": INDEX, "../../evil.js": b"x"}),
        r"banner\.zip contains a file with an unsafe path",
    ),
    "zip with a symlink": (
        "banner.zip",
        lambda video: _zip({"index.html": INDEX}, link="secrets.js"),
        r"banner\.zip contains a symbolic link",
    ),
    "zip bomb": (
        "banner.zip",
        lambda video: _zip({"index.html": INDEX, "video.bin": bytes(5 * 1024 * 1024)}),
        r"banner\.zip looks like a zip bomb",
    ),
    "pixel flood": ("flood.png", lambda video: _pixel_flood(), r"flood\.png claims an image"),
    "truncated video": (
        "spot.mp4",
        lambda video: video[: len(video) // 2],
        r"spot\.mp4",
    ),
    "corrupt video": (
        "spot.mp4",
        lambda video: video[:64] + bytes(len(video) - 64),
        r"spot\.mp4",
    ),
    "empty file": ("empty.png", lambda video: b"", r"empty\.png is empty"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_is_refused_and_nothing_is_stored(
    case: str, demo: Any, media_root: Path, video_2s: bytes
) -> None:
    filename, make, reason = CASES[case]
    with pytest.raises(services.AssetRefused, match=reason):
        services.upload_asset(
            demo.ben,
            client=demo.northwind,
            campaign=demo.campaign("NWND-AR26"),
            source=io.BytesIO(make(video_2s)),
            filename=filename,
        )
    assert not Asset.objects.exists() and not AssetVersion.objects.exists()
    stored = media_root / "creative"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_over_the_size_limit_is_refused_and_nothing_is_stored(
    demo: Any, media_root: Path, settings: Any, video_2s: bytes
) -> None:
    settings.CREATIVE_MAX_UPLOAD_BYTES = len(video_2s) - 1
    with pytest.raises(services.AssetRefused, match=r"spot\.mp4 is larger than the upload limit"):
        services.upload_asset(
            demo.ben, client=demo.northwind, source=io.BytesIO(video_2s), filename="spot.mp4"
        )
    assert not Asset.objects.exists()
    assert not (media_root / "creative").exists()
