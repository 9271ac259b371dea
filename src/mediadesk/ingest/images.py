"""Still and animated images (JPEG, PNG, GIF, WebP): checked as hostile (DESIGN.md, rule 9), then
measured for the creative specs.

``inspect_image`` refuses, before Pillow decodes anything: a file above ``MAX_IMAGE_BYTES``; an
SVG (by extension or content: SVG is a document with scripts, checked separately); content that
is none of the four formats by its magic bytes, whatever the extension says; an extension that
names another format than the content; and a canvas above ``max_pixels`` (a decompression bomb:
a few kB of PNG can claim 100,000 x 100,000 pixels), read from the header. Pillow is then told
to open only the format the magic bytes named, with its own bomb check turned into an error
(``DecompressionBombWarning`` and ``DecompressionBombError`` both refuse the file). A first open
calls ``verify()``, which reads the whole stream and its checksums (a truncated or damaged file
is refused); a second open reads the facts and decodes every frame once, so a frame that is
broken is refused too. An animation may hold at most ``MAX_FRAMES`` frames and
``MAX_ANIMATION_PIXELS`` pixels over all its frames.

Animated GIF and WebP: ``frames`` is the frame count and ``duration_seconds`` the sum of the
frame durations the file gives (milliseconds, as written; a GIF frame without a delay counts 0).
A static image has one frame and no duration. ``dpi`` is the resolution the file states, rounded
to whole dots per inch (PNG stores dots per metre), or ``None`` when it states none.
"""

from __future__ import annotations

import io
import posixpath
import warnings
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, UnidentifiedImageError

from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, display_name

MAX_IMAGE_BYTES = 30 * 1024 * 1024
MAX_PIXELS = 50_000_000  # one frame's canvas, width x height
MAX_FRAMES = 1_000
MAX_ANIMATION_PIXELS = 500_000_000  # canvas pixels over all frames of an animation

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
_EXTENSIONS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
}
_ACCEPTED = ".jpg, .jpeg, .png, .gif or .webp"
_EXPORT_AGAIN = "Export the image again from its editing tool and upload the new file."
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})


class ImageError(UnsafeFile):
    """An image that mediadesk will not read; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What ``inspect_image`` measured of one image file (module docstring: which measures)."""

    format: str  # "JPEG", "PNG", "GIF" or "WEBP" (Pillow's names)
    width: int
    height: int
    bytes: int  # the whole file
    mode: str  # Pillow's colour mode: "RGB", "RGBA", "P", "L", "CMYK", ...
    has_alpha: bool  # an alpha channel or a transparent colour
    frames: int  # 1 for a still image
    duration_seconds: Decimal | None  # an animation's total, None for a still image
    dpi: tuple[int, int] | None = None

    @property
    def animated(self) -> bool:
        return self.frames > 1

    def asset_facts(self) -> AssetFacts:
        """The measures the spec checks read (``domain.specs``).

        The whole file is the initial load: a browser fetches an image, animated or not, in one
        request before showing it.
        """
        return AssetFacts(
            kind=AssetKind.IMAGE,
            width=self.width,
            height=self.height,
            bytes=self.bytes,
            initial_load_bytes=self.bytes,
            duration_seconds=self.duration_seconds,
            container=self.format.lower(),
            colour_mode=self.mode,
        )


def inspect_image(data: bytes, filename: str, *, max_pixels: int = MAX_PIXELS) -> ImageFacts:
    """Check an image and measure it; raise ``ImageError`` if it is hostile or broken."""
    name = display_name(filename)
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(
            f"{name} is {_megabytes(len(data))} MB; an image may be at most "
            f"{_megabytes(MAX_IMAGE_BYTES)} MB."
        )
    extension = posixpath.splitext(name.lower())[1]
    if extension == ".svg" or _is_svg(data):
        raise ImageError(
            f"{name} is an SVG image. SVG files are checked separately from JPEG, PNG, GIF and "
            "WebP images, as documents that may hold scripts."
        )
    found = image_format(data)
    if found is None:
        raise ImageError(
            f"{name} is not a JPEG, PNG, GIF or WebP image (it looks like "
            f"{_describe(data)}). Upload the image as {_ACCEPTED}."
        )
    named = _EXTENSIONS.get(extension)
    if named is None:
        raise ImageError(
            f"{name} holds a {_LABELS[found]} image but its name does not end in {_ACCEPTED}. "
            f"Rename it to end in {_suffix(found)} and upload it again."
        )
    if named != found:
        raise ImageError(
            f"{name} is named as a {_LABELS[named]} image but holds a {_LABELS[found]} image. "
            f"Rename it to end in {_suffix(found)}, or export it again as {_LABELS[named]}."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _verify(data, found, name, max_pixels)
            return _measure(data, found, name, max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(name, None, None, max_pixels) from exc


def image_format(data: bytes) -> str | None:
    """Pillow's name of the image format the magic bytes say, or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


# --- checks -----------------------------------------------------------------------------------


def _is_svg(data: bytes) -> bool:
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith(b"<svg") or (
        head.startswith((b"<?xml", b"<!doctype svg", b"<!--")) and b"<svg" in head
    )


def _describe(data: bytes) -> str:
    if not data:
        return "an empty file"
    if data[:4] == b"RIFF":
        return "a RIFF file (audio or video)"
    return _looks_like(data)


def _suffix(found: str) -> str:
    return {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}[found]


def _bomb(name: str, width: int | None, height: int | None, max_pixels: int) -> ImageError:
    size = f" of {width:,} x {height:,} pixels" if width is not None and height is not None else ""
    return ImageError(
        f"{name} claims an image{size}, more than the {max_pixels:,} pixels mediadesk opens "
        "(a decompression bomb, or an image far larger than any ad needs). Scale it down and "
        "upload it again."
    )


def _open(data: bytes, found: str, name: str, max_pixels: int) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=[found])
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _damaged(name, found) from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise _damaged(name, found)
    if width * height > max_pixels:
        image.close()
        raise _bomb(name, width, height, max_pixels)
    return image


def _damaged(name: str, found: str) -> ImageError:
    return ImageError(f"{name} is a damaged or incomplete {_LABELS[found]} image. {_EXPORT_AGAIN}")


_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _ends_whole(data: bytes, found: str) -> bool:
    """Whether the file ends the way its format ends. Checked by hand because Pillow's own
    check can be switched off for the whole process: WeasyPrint, imported for PDFs, sets
    ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` and Pillow then decodes a cut file silently."""
    tail = data.rstrip(b"\x00")
    if found == "JPEG":
        return tail.endswith(b"\xff\xd9")
    if found == "PNG":
        return data.endswith(_PNG_END)
    if found == "GIF":
        return tail.endswith(b";")
    if found == "WEBP":
        return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return True


def _verify(data: bytes, found: str, name: str, max_pixels: int) -> None:
    if not _ends_whole(data, found):
        raise _damaged(name, found)
    image = _open(data, found, name, max_pixels)
    with image:
        try:
            image.verify()
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError) as exc:
            raise _damaged(name, found) from exc


# --- measures ---------------------------------------------------------------------------------


def _measure(data: bytes, found: str, name: str, max_pixels: int) -> ImageFacts:
    image = _open(data, found, name, max_pixels)
    with image:
        width, height = image.size
        mode = image.mode
        dpi = _dpi(image.info.get("dpi"))
        has_alpha = mode in _ALPHA_MODES or image.has_transparency_data
        frames = 0
        milliseconds = Decimal(0)
        try:
            while True:
                frames += 1
                if frames > MAX_FRAMES or frames * width * height > MAX_ANIMATION_PIXELS:
                    raise ImageError(
                        f"{name} is an animation of more than {min(frames - 1, MAX_FRAMES):,} "
                        f"frames of {width:,} x {height:,} pixels, more than mediadesk opens. "
                        "Shorten the animation or scale it down and upload it again."
                    )
                image.load()
                duration = image.info.get("duration", 0)
                if isinstance(duration, int | float) and duration > 0:
                    milliseconds += (
                        Decimal(duration) if isinstance(duration, int) else (Decimal(str(duration)))
                    )
                if mode not in _ALPHA_MODES and image.has_transparency_data:
                    has_alpha = True
                try:
                    image.seek(frames)
                except EOFError:
                    break
        except ImageError:
            raise
        except (OSError, ValueError, SyntaxError, IndexError, TypeError) as exc:
            raise _damaged(name, found) from exc
    return ImageFacts(
        format=found,
        width=width,
        height=height,
        bytes=len(data),
        mode=mode,
        has_alpha=has_alpha,
        frames=frames,
        duration_seconds=milliseconds / 1000 if frames > 1 else None,
        dpi=dpi,
    )


def _dpi(value: object) -> tuple[int, int] | None:
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    x, y = value
    if not isinstance(x, int | float) or not isinstance(y, int | float):
        return None
    rounded = (round(float(x)), round(float(y)))
    return rounded if rounded[0] > 0 and rounded[1] > 0 else None
