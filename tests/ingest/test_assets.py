"""The upload entry point: every kind of creative file picked by content, measured and
previewed, and the refusals every upload shares (empty, too large, content and name disagree)."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import weasyprint  # type: ignore[import-untyped]
from PIL import Image

from mediadesk.domain.specs import AssetKind
from mediadesk.ingest import assets, media
from mediadesk.ingest.assets import AssetError, aspect_ratio, inspect_asset, weight
from mediadesk.ingest.images import ImageError
from mediadesk.ingest.media import MediaError
from mediadesk.ingest.safety import UnsafeFile
from mediadesk.ingest.svg import SvgError

from .test_media import make_media

LIMIT = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("assets")


@pytest.fixture(scope="module")
def media_files(folder: Path) -> dict[str, Path]:
    return make_media(folder)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def picture(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 40, 128)[: len(mode)]).save(buffer, fmt)
    return buffer.getvalue()


def opened(data: bytes | None) -> Image.Image:
    assert data is not None
    return Image.open(io.BytesIO(data))


def refused(path: Path, filename: str | None = None, max_bytes: int = LIMIT) -> str:
    with pytest.raises(UnsafeFile) as error:
        inspect_asset(path, filename or path.name, max_bytes=max_bytes)
    return str(error.value)


# --- each kind ----------------------------------------------------------------------------------


def test_a_jpeg_with_a_jpeg_preview(tmp_path: Path) -> None:
    data = picture((1200, 628), "JPEG")
    result = inspect_asset(write(tmp_path, "link.jpg", data), "uploads/link.jpg", max_bytes=LIMIT)
    assert result.kind == AssetKind.IMAGE
    assert (result.facts.width, result.facts.height, result.facts.container) == (1200, 628, "jpeg")
    metadata = result.metadata
    assert (metadata["dimensions"], metadata["aspect_ratio"]) == ("1200x628", "1.91:1")
    assert (metadata["bytes"], metadata["weight"]) == (len(data), weight(len(data)))
    assert (metadata["format"], metadata["colour_mode"], metadata["frames"]) == ("JPEG", "RGB", 1)
    assert result.preview_type == "image/jpeg"
    with opened(result.preview) as preview:
        assert (preview.format, preview.size) == ("JPEG", (480, 251))
    assert result.clean is None
    json.dumps(metadata)


def test_a_transparent_png_keeps_its_transparency_in_the_preview(tmp_path: Path) -> None:
    path = write(tmp_path, "logo.png", picture((300, 250), "PNG", "RGBA"))
    result = inspect_asset(path, "logo.png", max_bytes=LIMIT)
    assert (result.metadata["aspect_ratio"], result.metadata["has_alpha"]) == ("6:5", True)
    assert result.preview_type == "image/png"
    with opened(result.preview) as preview:
        assert (preview.format, preview.mode, preview.size) == ("PNG", "RGBA", (300, 250))


def test_an_svg_is_stored_clean(tmp_path: Path) -> None:
    data = b'<!-- exported --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 728 90"/>'
    result = inspect_asset(write(tmp_path, "logo.svg", data), "logo.svg", max_bytes=LIMIT)
    assert result.kind == AssetKind.IMAGE
    assert result.clean is not None and b"exported" not in result.clean
    assert (result.preview, result.preview_type) == (result.clean, "image/svg+xml")
    assert (result.facts.width, result.facts.height, result.facts.container) == (728, 90, "svg")
    assert (result.metadata["aspect_ratio"], result.metadata["bytes"]) == (
        "8.09:1",
        len(result.clean),
    )


def test_a_hostile_svg_is_refused_by_the_svg_reader(tmp_path: Path) -> None:
    data = b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script></svg>'
    with pytest.raises(SvgError, match=r"^logo\.svg has a <script> element \(line 2\)"):
        inspect_asset(write(tmp_path, "logo.svg", data), "logo.svg", max_bytes=LIMIT)


def test_an_html5_banner(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "index.html",
            '<html><head><meta name="ad.size" content="width=300,height=250">'
            '<script src="ad.js"></script></head><body></body></html>',
        )
        archive.writestr("ad.js", "console.log('hi')")
        archive.writestr("later.png", picture((10, 10), "PNG"))
    path = write(tmp_path, "banner.zip", buffer.getvalue())
    result = inspect_asset(path, "banner.zip", max_bytes=LIMIT)
    assert (result.kind, result.preview, result.preview_type) == (AssetKind.HTML5, None, "")
    metadata = result.metadata
    assert (metadata["entry"], metadata["files"], metadata["initial_requests"]) == (
        "index.html",
        3,
        2,
    )
    assert (metadata["dimensions"], metadata["aspect_ratio"]) == ("300x250", "6:5")
    assert metadata["initial_files"] == ["index.html", "ad.js"]
    assert result.facts.initial_load_bytes == metadata["initial_load_bytes"]
    json.dumps(metadata)


def test_a_video_with_its_poster(media_files: dict[str, Path]) -> None:
    result = inspect_asset(media_files["h264.mp4"], "spot.mp4", max_bytes=LIMIT)
    assert result.kind == AssetKind.VIDEO
    assert (result.facts.codec, result.facts.duration_seconds) == ("h264", Decimal("2.000"))
    metadata = result.metadata
    assert (metadata["dimensions"], metadata["aspect_ratio"], metadata["container"]) == (
        "320x240",
        "4:3",
        "MP4",
    )
    assert (metadata["video_codec"], metadata["audio_codec"], metadata["frame_rate"]) == (
        "h264",
        "aac",
        "25.000",
    )
    assert "loudness_lufs" in metadata and "bitrate_kbps" in metadata
    assert result.preview_type == "image/jpeg"
    with opened(result.preview) as preview:
        assert (preview.format, preview.size) == ("JPEG", (320, 240))
    json.dumps(metadata)


def test_audio_with_its_waveform(media_files: dict[str, Path]) -> None:
    result = inspect_asset(media_files["tone.mp3"], "radio.mp3", max_bytes=LIMIT)
    assert (result.kind, result.facts.codec, result.facts.container) == (
        AssetKind.AUDIO,
        "mp3",
        "mp3",
    )
    assert "dimensions" not in result.metadata
    assert result.preview_type == "image/png"
    with opened(result.preview) as preview:
        assert preview.size == (480, 120)


def test_a_preview_that_cannot_be_made_does_not_refuse_the_upload(
    media_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def waveform(path: Path) -> bytes:
        raise MediaError(f"{path.name}: its waveform could not be drawn.")

    monkeypatch.setattr(media, "waveform", waveform)
    result = inspect_asset(media_files["tone.wav"], "radio.wav", max_bytes=LIMIT)
    assert (result.kind, result.preview, result.preview_type) == (AssetKind.AUDIO, None, "")
    assert result.metadata["container"] == "WAV"


def test_a_print_ad_with_its_first_page(tmp_path: Path) -> None:
    path = tmp_path / "magazine.pdf"
    weasyprint.HTML(string="<style>@page { size: 210mm 297mm }</style><p>Ad</p>").write_pdf(path)
    result = inspect_asset(path, "magazine.pdf", max_bytes=LIMIT)
    assert result.kind == AssetKind.PRINT
    assert (result.facts.page_width_mm, result.facts.page_height_mm) == (
        Decimal("210.0"),
        Decimal("297.0"),
    )
    assert (result.metadata["page_size_mm"], result.metadata["pages"]) == ("210x297", 1)
    assert result.preview_type == "image/png"
    with opened(result.preview) as preview:
        assert preview.size == (340, 480)


def test_copy_decks(tmp_path: Path) -> None:
    deck = write(tmp_path, "deck.txt", b"Headline 1: Fish\nHeadline 2: Chips\nCTA: Order\n")
    result = inspect_asset(deck, "deck.txt", max_bytes=LIMIT)
    assert (result.kind, result.preview, result.preview_type) == (AssetKind.COPY, None, "")
    assert result.facts.copy == {"headline": ["Fish", "Chips"], "call to action": ["Order"]}
    data = json.dumps({"descriptions": ["Fresh", "Daily"]}).encode()
    result = inspect_asset(write(tmp_path, "deck.json", data), "deck.json", max_bytes=LIMIT)
    assert result.facts.copy == {"description": ["Fresh", "Daily"]}


# --- refused ------------------------------------------------------------------------------------


def test_a_png_renamed_mp4(tmp_path: Path) -> None:
    path = write(tmp_path, "poster.mp4", picture((16, 9), "PNG"))
    with pytest.raises(AssetError) as error:
        inspect_asset(path, "poster.mp4", max_bytes=LIMIT)
    assert str(error.value) == (
        "poster.mp4 is a PNG image, not a video. Rename it to .png or upload the video file."
    )


@pytest.mark.parametrize(
    ("source", "filename", "message"),
    [
        ("pdf", "ad.jpg", "ad.jpg is a PDF, not an image. Rename it to .pdf or upload the image"),
        (
            "h264.mp4",
            "radio.mp3",
            "radio.mp3 is an MP4 video, not an audio file. Rename it to .mp4",
        ),
        ("tone.mp3", "spot.mov", "spot.mov is an MP3 audio file, not a video. Rename it to .mp3"),
        ("zip", "deck.txt", "deck.txt is a zip archive, not a copy deck. Rename it to .zip"),
        ("svg", "logo.png", "logo.png is an SVG image, not an image. Rename it to .svg"),
        ("png", "banner.zip", "banner.zip is a PNG image, not an HTML5 banner zip."),
    ],
)
def test_content_and_name_must_agree(
    media_files: dict[str, Path], tmp_path: Path, source: str, filename: str, message: str
) -> None:
    contents = {
        "pdf": b"%PDF-1.4\n%%EOF\n",
        "zip": b"PK\x05\x06" + bytes(18),
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "png": picture((4, 4), "PNG"),
    }
    path = (
        write(tmp_path, filename, contents[source]) if source in contents else media_files[source]
    )
    assert refused(path, filename).startswith(message)


def test_within_one_kind_the_reader_decides(media_files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"^photo\.jpg is named as a JPEG image but holds a PNG"):
        inspect_asset(
            write(tmp_path, "photo.jpg", picture((4, 4), "PNG")), "photo.jpg", max_bytes=LIMIT
        )
    with pytest.raises(MediaError, match=r"^jingle\.mp3 is named as an MP3 audio file but holds"):
        inspect_asset(media_files["tone.wav"], "jingle.mp3", max_bytes=LIMIT)


def test_content_without_magic_goes_to_the_reader_its_name_names(tmp_path: Path) -> None:
    text = write(tmp_path, "notes.png", b"just some notes")
    assert refused(text).startswith(
        "notes.png is not a JPEG, PNG, GIF or WebP image (it looks like a CSV or text file)"
    )
    assert refused(write(tmp_path, "spot.mp4", b"just some notes")).startswith(
        "spot.mp4 is not a video or audio file mediadesk reads"
    )
    assert refused(write(tmp_path, "ad.pdf", b"just some notes")).startswith("ad.pdf is not a PDF")
    assert refused(write(tmp_path, "logo.svg", b"just some notes")).startswith(
        "logo.svg is not an SVG file"
    )


def test_unknown_extensions(tmp_path: Path) -> None:
    assert refused(write(tmp_path, "logo.bmp", picture((4, 4), "PNG"))) == (
        "logo.bmp is a PNG image, but mediadesk does not take .bmp files. Rename it to end in "
        ".png and upload it again."
    )
    message = refused(write(tmp_path, "brief.docx", b"PK\x03\x04" + bytes(30)), "brief.xyz")
    assert message.startswith("brief.xyz is a zip archive, but mediadesk does not take .xyz")
    message = refused(write(tmp_path, "notes", b"plain words"))
    assert message.startswith(
        "notes is not a kind of file mediadesk takes as creative (it looks like a CSV or text"
    )
    assert "video (.mp4, .mov, .webm)" in message


def test_an_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "spot.mp4", b"")
    assert refused(path) == "spot.mp4 is empty (0 bytes). Upload the file again."


def test_over_the_upload_limit(media_files: dict[str, Path]) -> None:
    path = media_files["tone.wav"]  # about 176 kB
    message = refused(path, "radio.wav", max_bytes=100 * 1024)
    assert message.startswith("radio.wav is 0.2 MB; creative uploads may be at most 0.1 MB.")
    size = path.stat().st_size
    message = refused(path, "radio.wav", max_bytes=size - 1)
    assert message.startswith("radio.wav is 0.17 MB; creative uploads may be at most 0.2 MB")


def test_over_a_readers_own_cap_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "big.png", picture((4, 4), "PNG") + bytes(2 * 1024 * 1024))
    monkeypatch.setitem(assets._MEMORY_CAPS, "image", (1024 * 1024, "an image"))
    assert refused(path) == "big.png is 2 MB; an image may be at most 1 MB."


def test_every_refusal_is_an_unsafe_file() -> None:
    assert issubclass(AssetError, UnsafeFile)


# --- display values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "ratio"),
    [
        (1920, 1080, "16:9"),
        (1080, 1920, "9:16"),
        (1080, 1350, "4:5"),
        (1080, 1080, "1:1"),
        (1200, 628, "1.91:1"),
        (640, 1136, "9:16"),  # within 1%
        (970, 250, "3.88:1"),
        (728, 90, "8.09:1"),
        (320, 50, "6.4:1"),
        (300, 1050, "2:7"),
        (160, 600, "4:15"),
        (120, 600, "1:5"),
        (90, 728, "1:8.09"),
    ],
)
def test_aspect_ratio(width: int, height: int, ratio: str) -> None:
    assert aspect_ratio(width, height) == ratio


def test_weight() -> None:
    assert [weight(size) for size in (950, 54_825, 1_234_567)] == [
        "950 bytes",
        "54.8 kB",
        "1.2 MB",
    ]
