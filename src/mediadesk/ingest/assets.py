"""The one entry point creative uploads use: pick the reader by content, check, measure, preview.

``inspect_asset`` reads an uploaded file from disk and refuses, before any reader sees it: an
empty file and a file above the caller's ``max_bytes``. It then reads the first 4 kB and picks
the kind by **magic bytes**, never by the name: JPEG/PNG/GIF/WebP is an image, ``<svg`` an SVG,
a zip an HTML5 banner, ``%PDF-`` a print ad, MP4/MOV/WebM a video, MP3/WAV audio. The extension
must then name the same kind: a PNG renamed ``poster.mp4`` is refused ("poster.mp4 is a PNG
image, not a video. Rename it to .png or upload the video file."). Within one kind the reader
decides (a ``.jpg`` holding a PNG, an ``.mp3`` holding a WAV: each reader has its message).
Content no magic names goes to the reader its extension names, which refuses it saying what it
looks like, except ``.json``/``.txt``: copy decks are text and have no magic bytes.

Images, SVGs, HTML5 zips and copy decks are read into memory (each reader has its own cap,
checked on the file size before reading: 30, 5, 20 and 1 MB); video, audio and PDFs are read
from the path by ffprobe/ffmpeg and pypdf, whatever their size.

Every refusal is an ``UnsafeFile`` (``AssetError`` here, or the reader's own subclass) whose
message names the file and says what to do; nothing else is raised for a bad file.

``metadata`` holds JSON-able values for display: dimensions and aspect ratio ("16:9", "1.91:1"),
the file weight in bytes and as text ("54.8 kB", 1 kB = 1,000 bytes as the specs count),
duration, codecs, bitrate, frame rate, loudness, page sizes and colour mode, an HTML5 banner's
contents and initial load, an animation's frames. ``preview`` is a small picture at most
``PREVIEW_SIDE`` pixels on its longer side: a JPEG (PNG when transparent) made with Pillow for
an image, a video's poster frame, an audio waveform (PNG), a print ad's first page (PNG); for
an SVG the clean document itself (``image/svg+xml``); ``None`` for HTML5 banners and copy. A
preview that cannot be made leaves ``preview`` ``None``: the facts were measured, the upload
stands. ``clean`` is the sanitized SVG to store instead of the upload.
"""

from __future__ import annotations

import io
import math
import posixpath
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps

from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest import copy, html5, images, media, printpdf, svg
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, display_name

PREVIEW_SIDE = 480
HEAD_BYTES = 4096

Reader = Literal["image", "svg", "html5", "print", "video", "audio", "copy"]

EXTENSIONS: dict[str, Reader] = {
    ".jpg": "image",
    ".jpeg": "image",
    ".jpe": "image",
    ".png": "image",
    ".gif": "image",
    ".webp": "image",
    ".svg": "svg",
    ".zip": "html5",
    ".pdf": "print",
    ".mp4": "video",
    ".m4v": "video",
    ".mov": "video",
    ".webm": "video",
    ".mp3": "audio",
    ".wav": "audio",
    ".json": "copy",
    ".txt": "copy",
}
_KINDS: dict[Reader, AssetKind] = {
    "image": AssetKind.IMAGE,
    "svg": AssetKind.IMAGE,
    "html5": AssetKind.HTML5,
    "print": AssetKind.PRINT,
    "video": AssetKind.VIDEO,
    "audio": AssetKind.AUDIO,
    "copy": AssetKind.COPY,
}
_NOUNS: dict[Reader, tuple[str, str]] = {  # "…, not a video", "… upload the video file"
    "image": ("an image", "image"),
    "svg": ("an SVG image", "SVG"),
    "html5": ("an HTML5 banner zip", "banner zip"),
    "print": ("a print PDF", "PDF"),
    "video": ("a video", "video"),
    "audio": ("an audio file", "audio"),
    "copy": ("a copy deck", "copy deck"),
}
_MEMORY_CAPS: dict[Reader, tuple[int, str]] = {
    "image": (images.MAX_IMAGE_BYTES, "an image"),
    "svg": (svg.MAX_SVG_BYTES, "an SVG"),
    "html5": (html5.MAX_ZIP_BYTES, "an HTML5 banner zip"),
    "copy": (copy.MAX_DECK_BYTES, "a copy deck"),
}
_IMAGE_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
_IMAGE_LABEL = {
    "JPEG": "a JPEG image",
    "PNG": "a PNG image",
    "GIF": "a GIF image",
    "WEBP": "a WebP image",
}
_ACCEPTED = (
    "images (.jpg, .png, .gif, .webp, .svg), HTML5 banners (.zip), video (.mp4, .mov, .webm), "
    "audio (.mp3, .wav), print ads (.pdf) and copy decks (.json, .txt)"
)
# Ratios worth a name, for sizes that do not reduce to small whole numbers (1200x628).
_NAMED_RATIOS = (
    ("16:9", 16 / 9),
    ("9:16", 9 / 16),
    ("4:3", 4 / 3),
    ("3:4", 3 / 4),
    ("1:1", 1.0),
    ("4:5", 4 / 5),
    ("5:4", 5 / 4),
    ("3:2", 3 / 2),
    ("2:3", 2 / 3),
    ("21:9", 21 / 9),
    ("2:1", 2.0),
    ("1.91:1", 1.91),
)
_RATIO_TOLERANCE = 0.01  # relative, as domain.specs allows for "1.91:1"


class AssetError(UnsafeFile):
    """An upload mediadesk will not take as creative; the message names the file and the fix."""


@dataclass(frozen=True, slots=True)
class Inspected:
    """One checked upload: what it is, what the spec check reads, what to show and store."""

    kind: AssetKind
    facts: AssetFacts
    metadata: dict[str, object] = field(default_factory=dict)
    preview: bytes | None = field(default=None, repr=False)
    preview_type: str = ""  # "image/jpeg", "image/png", "image/svg+xml" or ""
    clean: bytes | None = field(default=None, repr=False)  # the sanitized SVG to store


@dataclass(frozen=True, slots=True)
class _Found:
    reader: Reader
    label: str  # "a PNG image", "an MP4 video"
    suffix: str  # ".png", ".mp4"


def inspect_asset(path: Path, filename: str, *, max_bytes: int) -> Inspected:
    """Check an uploaded creative file and measure it (module docstring); raise an
    ``UnsafeFile`` subclass if it is refused."""
    name = display_name(filename)
    size = path.stat().st_size
    if size == 0:
        raise AssetError(f"{name} is empty (0 bytes). Upload the file again.")
    if size > max_bytes:
        shown, limit = _sizes(size, max_bytes)
        raise AssetError(
            f"{name} is {shown} MB; creative uploads may be at most {limit} MB. Export a "
            "smaller file and upload it again."
        )
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    reader = _reader(name, head)
    if reader in ("video", "audio"):
        return _media(path, name)
    if reader == "print":
        return _print(path, name)
    data = _read(path, name, size, reader)
    if reader == "image":
        return _image(data, name)
    if reader == "svg":
        return _svg(data, name)
    if reader == "html5":
        return _html5(data, name)
    return _copy(data, name)


# --- choosing the reader ------------------------------------------------------------------------


def _sniff(head: bytes) -> _Found | None:
    """What the first bytes of a file say it is, or ``None`` (text, or unknown)."""
    image = images.image_format(head)
    if image is not None:
        return _Found("image", _IMAGE_LABEL[image], _IMAGE_SUFFIX[image])
    container = media.detect_container(head)
    if container is not None:
        reader: Reader = "video" if container in media.VIDEO_CONTAINERS else "audio"
        return _Found(reader, media.describe(head), media.SUFFIXES[container])
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _Found("html5", "a zip archive", ".zip")
    if b"%PDF-" in head[:1024]:
        return _Found("print", "a PDF", ".pdf")
    if _is_svg(head):
        return _Found("svg", "an SVG image", ".svg")
    return None


def _is_svg(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<svg"):
        return True
    return text.startswith((b"<?xml", b"<!doctype svg", b"<!--")) and b"<svg" in text


def _reader(name: str, head: bytes) -> Reader:
    extension = posixpath.splitext(name.lower())[1]
    named = EXTENSIONS.get(extension)
    found = _sniff(head)
    if named is None:
        if found is not None:
            raise AssetError(
                f"{name} is {found.label}, but mediadesk does not take {extension or 'unnamed'}"
                f" files. Rename it to end in {found.suffix} and upload it again."
            )
        raise AssetError(
            f"{name} is not a kind of file mediadesk takes as creative (it looks like "
            f"{_looks_like(head)}). Upload {_ACCEPTED}."
        )
    if found is not None and found.reader != named:
        noun, short = _NOUNS[named]
        raise AssetError(
            f"{name} is {found.label}, not {noun}. Rename it to {found.suffix} or upload the "
            f"{short} file."
        )
    return named  # content without magic goes to its extension's reader, which judges it


def _read(path: Path, name: str, size: int, reader: Reader) -> bytes:
    """Read a file meant for an in-memory reader, within that reader's cap."""
    cap, what = _MEMORY_CAPS[reader]
    if size > cap:
        shown, limit = _sizes(size, cap)
        raise AssetError(f"{name} is {shown} MB; {what} may be at most {limit} MB.")
    with path.open("rb") as stream:
        data = stream.read(cap + 1)
    if len(data) > cap:  # grew since it was measured
        raise AssetError(f"{name} changed while it was being read. Upload it again.")
    return data


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """A size and a limit in MB, with two places when one place would make them look equal."""
    shown, allowed = _megabytes(size), _megabytes(limit)
    if shown == allowed:
        shown = f"{size / (1024 * 1024):,.2f}"
    return shown, allowed


# --- the readers --------------------------------------------------------------------------------


def _image(data: bytes, name: str) -> Inspected:
    facts = images.inspect_image(data, name)
    metadata: dict[str, object] = {
        "format": facts.format,
        **_common(facts.bytes),
        **_dimensions(facts.width, facts.height),
        "colour_mode": facts.mode,
        "has_alpha": facts.has_alpha,
        "frames": facts.frames,
    }
    if facts.duration_seconds is not None:
        metadata["duration_seconds"] = str(facts.duration_seconds)
    if facts.dpi is not None:
        metadata["dpi"] = list(facts.dpi)
    preview, preview_type = _image_preview(data, facts.format, facts.has_alpha)
    return Inspected(
        kind=AssetKind.IMAGE,
        facts=facts.asset_facts(),
        metadata=metadata,
        preview=preview,
        preview_type=preview_type,
    )


def _image_preview(data: bytes, fmt: str, alpha: bool) -> tuple[bytes | None, str]:
    """The first frame, scaled down: JPEG, or PNG when it is transparent."""
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))  # JPEG: decode at a smaller scale
            picture = ImageOps.exif_transpose(image.convert("RGBA" if alpha else "RGB"))
        picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        out = io.BytesIO()
        if alpha:
            picture.save(out, format="PNG", optimize=True)
            return out.getvalue(), "image/png"
        picture.save(out, format="JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    except (OSError, ValueError, SyntaxError, EOFError):
        return None, ""


def _svg(data: bytes, name: str) -> Inspected:
    facts = svg.sanitize_svg(data, name)
    metadata = {**facts.metadata(), **_common(len(facts.clean))}
    if facts.width is not None and facts.height is not None:
        metadata.update(_dimensions(facts.width, facts.height))
    return Inspected(
        kind=AssetKind.IMAGE,
        facts=facts.asset_facts(),
        metadata=metadata,
        preview=facts.clean,
        preview_type="image/svg+xml",
        clean=facts.clean,
    )


def _html5(data: bytes, name: str) -> Inspected:
    facts = html5.inspect_html5(data, name)
    metadata: dict[str, object] = {
        "format": "HTML5 zip",
        **_common(facts.zip_bytes),
        "entry": facts.entry,
        "files": len(facts.members),
        "unpacked_bytes": facts.total_bytes,
        "initial_load_bytes": facts.initial_load_bytes,
        "initial_load": weight(facts.initial_load_bytes),
        "initial_requests": facts.initial_requests,
        "initial_files": list(facts.initial_files),
        "subload_bytes": facts.subload_bytes,
        "subload": weight(facts.subload_bytes),
        "external_urls": list(facts.external_urls),
        "missing_references": list(facts.missing_references),
    }
    if facts.width is not None and facts.height is not None:
        metadata.update(_dimensions(facts.width, facts.height))
    return Inspected(kind=AssetKind.HTML5, facts=facts.asset_facts(), metadata=metadata)


def _media(path: Path, name: str) -> Inspected:
    facts = media.inspect_media(path, name)
    metadata = {**facts.metadata(), **_common(facts.bytes)}
    if facts.width is not None and facts.height is not None:
        metadata.update(_dimensions(facts.width, facts.height))
    preview: bytes | None = None
    try:
        if facts.kind == AssetKind.VIDEO:
            at = min(Decimal(1), facts.duration_seconds / 2)
            preview, preview_type = media.poster(path, at_seconds=at), "image/jpeg"
        else:
            preview, preview_type = media.waveform(path), "image/png"
    except UnsafeFile:
        preview, preview_type = None, ""
    return Inspected(
        kind=facts.kind,
        facts=facts.asset_facts(),
        metadata=metadata,
        preview=preview,
        preview_type=preview_type,
    )


def _print(path: Path, name: str) -> Inspected:
    facts = printpdf.inspect_print_pdf(path, name)
    metadata = {**facts.metadata(), **_common(facts.bytes)}
    try:
        preview: bytes | None = printpdf.thumbnail(path, PREVIEW_SIDE)
    except UnsafeFile:
        preview = None
    return Inspected(
        kind=AssetKind.PRINT,
        facts=facts.asset_facts(),
        metadata=metadata,
        preview=preview,
        preview_type="image/png" if preview else "",
    )


def _copy(data: bytes, name: str) -> Inspected:
    facts = copy.read_copy_file(data, name)
    metadata = {**facts.metadata(), **_common(len(data))}
    return Inspected(kind=AssetKind.COPY, facts=facts.asset_facts(), metadata=metadata)


# --- display values -----------------------------------------------------------------------------


def _common(size: int) -> dict[str, object]:
    return {"bytes": size, "weight": weight(size)}


def _dimensions(width: int, height: int) -> dict[str, object]:
    return {
        "width": width,
        "height": height,
        "dimensions": f"{width}x{height}",
        "aspect_ratio": aspect_ratio(width, height),
    }


def weight(size: int) -> str:
    """A file weight as the specs write it: "950 bytes", "54.8 kB", "1.2 MB" (1 kB = 1,000)."""
    if size < 1_000:
        return f"{size:,} bytes"
    if size < 1_000_000:
        return f"{size / 1_000:,.1f} kB"
    if size < 1_000_000_000:
        return f"{size / 1_000_000:,.1f} MB"
    return f"{size / 1_000_000_000:,.2f} GB"


def aspect_ratio(width: int, height: int) -> str:
    """The aspect ratio as people write it: "16:9" or "4:5" when the size reduces to small
    whole numbers, else a common ratio it is within 1% of ("1.91:1" for 1200x628), else the
    ratio to two places ("3.88:1" for 970x250, "1:1.78" when taller than wide)."""
    divisor = math.gcd(width, height)
    across, down = width // divisor, height // divisor
    if across <= 21 and down <= 21:
        return f"{across}:{down}"
    ratio = width / height
    for label, value in _NAMED_RATIOS:
        if abs(ratio - value) <= value * _RATIO_TOLERANCE:
            return label
    if ratio >= 1:
        return f"{_two_places(ratio)}:1"
    return f"1:{_two_places(1 / ratio)}"


def _two_places(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
