"""Images made with Pillow at test time: measured, or refused as hostile."""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal

import pytest
from PIL import Image

from mediadesk.domain.specs import AssetKind
from mediadesk.ingest import images
from mediadesk.ingest.images import ImageError, ImageFacts, inspect_image
from mediadesk.ingest.safety import UnsafeFile


def saved(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def jpeg(width: int = 300, height: int = 250, **options: object) -> bytes:
    return saved(Image.new("RGB", (width, height), (200, 30, 40)), "JPEG", **options)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_jpeg_is_measured() -> None:
    data = jpeg(dpi=(300, 300))
    facts = inspect_image(data, "uploads/banner.JPG")
    assert facts == ImageFacts(
        format="JPEG",
        width=300,
        height=250,
        bytes=len(data),
        mode="RGB",
        has_alpha=False,
        frames=1,
        duration_seconds=None,
        dpi=(300, 300),
    )
    assert not facts.animated
    asset = facts.asset_facts()
    assert asset.kind == AssetKind.IMAGE
    assert (asset.width, asset.height, asset.bytes) == (300, 250, len(data))
    assert asset.initial_load_bytes == len(data)
    assert asset.duration_seconds is None
    assert (asset.container, asset.colour_mode) == ("jpeg", "RGB")


def test_jpeg_without_resolution_has_no_dpi() -> None:
    facts = inspect_image(jpeg(728, 90), "leaderboard.jpeg")
    assert (facts.width, facts.height, facts.dpi) == (728, 90, None)


def test_cmyk_jpeg_keeps_its_mode() -> None:
    data = saved(Image.new("CMYK", (210, 297), (0, 100, 100, 0)), "JPEG")
    facts = inspect_image(data, "print.jpg")
    assert (facts.mode, facts.asset_facts().colour_mode) == ("CMYK", "CMYK")


def test_png_with_alpha() -> None:
    image = Image.new("RGBA", (160, 600), (0, 0, 0, 0))
    image.paste((10, 20, 30, 255), (0, 0, 80, 300))
    data = saved(image, "PNG", dpi=(72, 72))
    facts = inspect_image(data, "skyscraper.png")
    assert facts.format == "PNG"
    assert (facts.width, facts.height, facts.bytes) == (160, 600, len(data))
    assert (facts.mode, facts.has_alpha, facts.frames) == ("RGBA", True, 1)
    assert facts.dpi == (72, 72)  # stored as 2,835 dots per metre
    assert facts.asset_facts().container == "png"


def test_palette_png_with_transparent_colour_has_alpha() -> None:
    data = saved(Image.new("P", (20, 10), 0), "PNG", transparency=0)
    facts = inspect_image(data, "icon.png")
    assert (facts.mode, facts.has_alpha) == ("P", True)


def test_opaque_png_has_no_alpha() -> None:
    facts = inspect_image(saved(Image.new("RGB", (1, 1)), "PNG"), "dot.png")
    assert (facts.width, facts.height, facts.has_alpha, facts.dpi) == (1, 1, False, None)


def test_animated_gif_three_frames_of_100_ms() -> None:
    frames = [Image.new("RGB", (300, 250), (index * 60, 0, 0)) for index in (1, 2, 3)]
    data = saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    facts = inspect_image(data, "animated.gif")
    assert (facts.format, facts.width, facts.height) == ("GIF", 300, 250)
    assert facts.frames == 3
    assert facts.animated
    assert facts.duration_seconds == Decimal("0.3")
    asset = facts.asset_facts()
    assert asset.duration_seconds == Decimal("0.3")
    assert (asset.bytes, asset.initial_load_bytes, asset.container) == (len(data), len(data), "gif")


def test_animated_gif_with_different_delays() -> None:
    frames = [Image.new("RGB", (10, 10), (0, index * 60, 0)) for index in (1, 2, 3, 4)]
    data = saved(
        frames[0], "GIF", save_all=True, append_images=frames[1:], duration=[500, 1000, 1500, 2000]
    )
    facts = inspect_image(data, "slow.gif")
    assert (facts.frames, facts.duration_seconds) == (4, Decimal("5"))


def test_still_gif() -> None:
    data = saved(Image.new("P", (88, 31), 5), "GIF")
    facts = inspect_image(data, "button.gif")
    assert (facts.frames, facts.animated, facts.duration_seconds) == (1, False, None)
    assert (facts.width, facts.height, facts.mode, facts.bytes) == (88, 31, "P", len(data))


def test_webp() -> None:
    data = saved(Image.new("RGB", (320, 50), (0, 128, 255)), "WEBP", quality=80)
    facts = inspect_image(data, "mobile.webp")
    assert (facts.format, facts.width, facts.height, facts.bytes) == ("WEBP", 320, 50, len(data))
    assert (facts.mode, facts.has_alpha, facts.frames, facts.duration_seconds) == (
        "RGB",
        False,
        1,
        None,
    )
    assert facts.asset_facts().container == "webp"


def test_animated_webp_with_alpha() -> None:
    frames = [Image.new("RGBA", (64, 64), (index * 60, 0, 0, 128)) for index in (1, 2)]
    data = saved(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=250)
    facts = inspect_image(data, "spinner.webp")
    assert (facts.frames, facts.duration_seconds) == (2, Decimal("0.5"))
    assert (facts.mode, facts.has_alpha) == ("RGBA", True)


def test_png_named_jpg_is_refused() -> None:
    data = saved(Image.new("RGB", (300, 250)), "PNG")
    with pytest.raises(ImageError) as caught:
        inspect_image(data, "banner.jpg")
    assert str(caught.value) == (
        "banner.jpg is named as a JPEG image but holds a PNG image. Rename it to end in .png, "
        "or export it again as JPEG."
    )
    assert isinstance(caught.value, UnsafeFile)


def test_image_with_other_extension_is_refused() -> None:
    with pytest.raises(ImageError, match=r"^banner\.bmp holds a JPEG image but its name"):
        inspect_image(jpeg(), "banner.bmp")


def test_truncated_jpeg_is_refused() -> None:
    data = saved(Image.effect_noise((300, 250), 64).convert("RGB"), "JPEG", quality=90)
    with pytest.raises(ImageError) as caught:
        inspect_image(data[: len(data) // 2], "cut.jpg")
    assert str(caught.value) == (
        "cut.jpg is a damaged or incomplete JPEG image. Export the image again from its editing "
        "tool and upload the new file."
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_cut_files_are_refused_even_when_pillow_is_told_to_accept_them(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint switches Pillow's truncation check off for the whole process."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    image = Image.effect_noise((120, 90), 64).convert("RGB")
    data = saved(image, fmt)
    extension = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}[fmt]
    assert inspect_image(data, f"whole.{extension}").width == 120
    with pytest.raises(ImageError, match="damaged or incomplete"):
        inspect_image(data[: len(data) * 2 // 3], f"cut.{extension}")


def test_png_with_bad_checksum_is_refused() -> None:
    data = bytearray(saved(Image.effect_noise((40, 40), 64), "PNG"))
    data[-20] ^= 0xFF  # inside the image data, before IEND
    with pytest.raises(ImageError, match=r"^broken\.png is a damaged or incomplete PNG image\."):
        inspect_image(bytes(data), "broken.png")


def test_text_named_png_is_refused() -> None:
    with pytest.raises(ImageError) as caught:
        inspect_image(b"date,spend\n2024-01-01,10\n", "chart.png")
    assert str(caught.value) == (
        "chart.png is not a JPEG, PNG, GIF or WebP image (it looks like a CSV or text file). "
        "Upload the image as .jpg, .jpeg, .png, .gif or .webp."
    )


def test_pdf_and_empty_file_are_described() -> None:
    with pytest.raises(ImageError, match=r"\(it looks like a PDF\)"):
        inspect_image(b"%PDF-1.7\n", "ad.png")
    with pytest.raises(ImageError, match=r"\(it looks like an empty file\)"):
        inspect_image(b"", "ad.png")


def test_decompression_bomb_header_is_refused() -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )
    with pytest.raises(ImageError) as caught:
        inspect_image(data, "bomb.png")
    assert str(caught.value) == (
        "bomb.png claims an image, more than the 50,000,000 pixels mediadesk opens (a "
        "decompression bomb, or an image far larger than any ad needs). "
        "Scale it down and upload it again."
    )


def test_pixel_limit_is_a_parameter() -> None:
    data = jpeg(300, 250)
    assert inspect_image(data, "a.jpg", max_pixels=75_000).width == 300
    with pytest.raises(ImageError, match=r"of 300 x 250 pixels, more than the 74,999 pixels"):
        inspect_image(data, "a.jpg", max_pixels=74_999)


def test_pillow_bomb_warning_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)  # 75,000 pixels: Pillow only warns
    with pytest.raises(ImageError, match=r"^a\.png claims an image, more than the 50,000,000"):
        inspect_image(saved(Image.new("RGB", (300, 250)), "PNG"), "a.png")


def test_file_over_30_mb_is_refused() -> None:
    data = b"\xff\xd8\xff" + bytes(31 * 1024 * 1024)
    with pytest.raises(ImageError) as caught:
        inspect_image(data, "huge.jpg")
    assert str(caught.value) == "huge.jpg is 31 MB; an image may be at most 30 MB."


def test_too_many_frames_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_FRAMES", 2)
    frames = [Image.new("RGB", (10, 10), (0, 0, index * 60)) for index in (1, 2, 3)]
    data = saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(ImageError) as caught:
        inspect_image(data, "long.gif")
    assert str(caught.value) == (
        "long.gif is an animation of more than 2 frames of 10 x 10 pixels, more than mediadesk "
        "opens. Shorten the animation or scale it down and upload it again."
    )


SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="300" height="250"/>'
SVG_MESSAGE = (
    "{} is an SVG image. SVG files are checked separately from JPEG, PNG, GIF and WebP images, "
    "as documents that may hold scripts."
)


@pytest.mark.parametrize("filename", ["logo.svg", "logo.png"])
def test_svg_is_refused(filename: str) -> None:
    with pytest.raises(ImageError) as caught:
        inspect_image(SVG, filename)
    assert str(caught.value) == SVG_MESSAGE.format(filename)
