"""HTML5 banner zips, built with zipfile at test time: measured, or refused as hostile."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib

import pytest

from mediadesk.domain.specs import AssetKind
from mediadesk.ingest import html5
from mediadesk.ingest.html5 import Html5Error, Html5Member, inspect_html5
from mediadesk.ingest.safety import UnsafeFile

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(255, -1, -1)) * 5
LATER = b"\x89PNG\r\n\x1a\n" + b"frame two" * 40

INDEX = b"""<!doctype html>
<html><head>
<meta charset="utf-8">
<meta name="ad.size" content="width=300,height=250">
<link rel="stylesheet" href="css/style.css">
<script src="js/main.js"></script>
</head>
<body><div id="bg"></div><img src="img/logo.png" alt="Brand"></body></html>
"""
CSS = b"#bg { width: 300px; height: 250px; background: url('../img/bg.jpg') no-repeat; }\n"
JS = b"window.addEventListener('load', function () { new Image().src = 'img/later.png'; });\n"


def deflated(data: bytes) -> int:
    """The size zipfile's deflate gives ``data`` (raw deflate at the default level)."""
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return len(packer.compress(data) + packer.flush())


def banner(files: dict[str, bytes], stored: tuple[str, ...] = ()) -> bytes:
    """A zip of ``files``, deflated except the paths in ``stored``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            method = zipfile.ZIP_STORED if path in stored else zipfile.ZIP_DEFLATED
            archive.writestr(path, content, compress_type=method)
    return buffer.getvalue()


def refused(data: bytes, filename: str = "banner_300x250.zip") -> str:
    with pytest.raises(Html5Error) as caught:
        inspect_html5(data, filename)
    return str(caught.value)


def test_a_normal_300x250_banner_is_measured() -> None:
    files = {
        "index.html": INDEX,
        "css/style.css": CSS,
        "js/main.js": JS,
        "img/logo.png": PNG,
        "img/bg.jpg": JPEG,
        "img/later.png": LATER,
    }
    data = banner(files, stored=("img/logo.png", "img/bg.jpg", "img/later.png"))

    facts = inspect_html5(data, "C:\\fakepath\\banner_300x250.zip")

    assert facts.entry == "index.html"
    assert facts.members == (
        Html5Member("index.html", len(INDEX), deflated(INDEX)),
        Html5Member("css/style.css", len(CSS), deflated(CSS)),
        Html5Member("js/main.js", len(JS), deflated(JS)),
        Html5Member("img/logo.png", len(PNG), len(PNG)),
        Html5Member("img/bg.jpg", len(JPEG), len(JPEG)),
        Html5Member("img/later.png", len(LATER), len(LATER)),
    )
    assert facts.total_bytes == len(INDEX) + len(CSS) + len(JS) + len(PNG) + len(JPEG) + 368
    assert len(LATER) == 368
    assert facts.zip_bytes == len(data)
    assert facts.initial_files == (
        "index.html",
        "css/style.css",
        "js/main.js",
        "img/logo.png",
        "img/bg.jpg",  # url() in the linked style sheet, resolved against css/
    )
    assert facts.initial_requests == 5
    assert facts.initial_load_bytes == (
        deflated(INDEX) + deflated(CSS) + deflated(JS) + len(PNG) + len(JPEG)
    )
    assert facts.subload_bytes == len(LATER)  # loaded by the script after the load event
    assert facts.external_urls == ()
    assert facts.missing_references == ()
    assert facts.data_url_bytes == 0
    assert (facts.width, facts.height) == (300, 250)

    asset = facts.asset_facts()
    assert asset.kind == AssetKind.HTML5
    assert (asset.width, asset.height, asset.bytes) == (300, 250, len(data))
    assert asset.initial_load_bytes == facts.initial_load_bytes
    assert asset.subload_bytes == len(LATER)
    assert asset.initial_requests == 5
    assert asset.container == "zip"


def test_a_banner_in_a_single_top_level_folder() -> None:
    page = b"""<html><head><meta name="ad.size" content="width=728,height=90">
<style>
  #bg { background-image: url(img/bg.jpg); }
  .cta { background: url("img/cta.png?v=2#x"); }
</style></head>
<body><div style="background:url('img/frame.png')"></div>
<video src="media/clip.mp4" poster="img/poster.jpg"></video>
<audio src="media/sound.mp3"></audio>
<picture><source src="img/bg.jpg"></picture></body></html>
"""
    files = {
        "Banner_728x90/index.html": page,
        "Banner_728x90/img/bg.jpg": JPEG,
        "Banner_728x90/img/cta.png": PNG,
        "Banner_728x90/img/frame.png": LATER,
        "Banner_728x90/img/poster.jpg": JPEG[:100],
        "Banner_728x90/media/clip.mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 90,
        "Banner_728x90/media/sound.mp3": b"ID3" + b"\x02" * 50,
        "Banner_728x90/backup.jpg": JPEG[:200],
        "__MACOSX/Banner_728x90/._index.html": b"\x00\x05\x16\x07" * 8,
        "Banner_728x90/.DS_Store": b"\x00" * 64,
    }
    data = banner(files, stored=tuple(path for path in files if not path.endswith(".html")))

    facts = inspect_html5(data, "Banner_728x90.zip")

    assert facts.entry == "Banner_728x90/index.html"
    assert facts.initial_files == (
        "Banner_728x90/index.html",
        "Banner_728x90/img/bg.jpg",  # inline <style>, and again in <source>: counted once
        "Banner_728x90/img/cta.png",  # query and fragment dropped
        "Banner_728x90/img/frame.png",  # a style attribute
        "Banner_728x90/media/clip.mp4",
        "Banner_728x90/img/poster.jpg",
        "Banner_728x90/media/sound.mp3",
    )
    assert facts.initial_requests == 7
    assert facts.initial_load_bytes == (
        deflated(page) + len(JPEG) + len(PNG) + len(LATER) + 100 + 102 + 53
    )
    assert [len(files[f"Banner_728x90/media/{clip}"]) for clip in ("clip.mp4", "sound.mp3")] == [
        102,
        53,
    ]
    mac = "__MACOSX/Banner_728x90/._index.html"
    assert facts.subload_bytes == 200 + deflated(files[mac]) + 64
    assert facts.total_bytes == sum(len(content) for content in files.values())
    assert (facts.width, facts.height) == (728, 90)
    assert facts.missing_references == ()


def test_missing_references_are_reported_and_not_counted() -> None:
    page = (
        b'<html><head><link rel="stylesheet" href="style.css"><script src="../shared/lib.js">'
        b'</script></head><body><img src="img/gone.png"><img src="img/logo.png"></body></html>'
    )
    css = b"@import 'fonts.css';\n.a { background: url(img/missing-bg.png) }\n"
    data = banner({"index.html": page, "style.css": css, "img/logo.png": PNG}, ("img/logo.png",))

    facts = inspect_html5(data, "banner.zip")

    assert facts.missing_references == (
        "../shared/lib.js",  # outside the banner: never loads
        "img/gone.png",
        "fonts.css",
        "img/missing-bg.png",
    )
    assert facts.initial_files == ("index.html", "style.css", "img/logo.png")
    assert facts.initial_requests == 3
    assert facts.initial_load_bytes == deflated(page) + deflated(css) + len(PNG)
    assert facts.subload_bytes == 0
    assert (facts.width, facts.height) == (None, None)


def test_external_urls_are_reported_separately() -> None:
    page = (
        b"<html><head>"
        b'<script src="https://s0.2mdn.net/ads/studio/Enabler.js"></script>'
        b'<link rel="stylesheet" href="http://fonts.googleapis.com/css?family=Roboto">'
        b'<link rel="preconnect" href="https://fonts.gstatic.com">'
        b'</head><body><img src="//cdn.example.com/pixel.gif">'
        b'<a href="https://brand.example.com/landing">Shop</a>'
        b'<script src="https://s0.2mdn.net/ads/studio/Enabler.js"></script></body></html>'
    )
    data = banner({"index.html": page})

    facts = inspect_html5(data, "banner.zip")

    assert facts.external_urls == (
        "https://s0.2mdn.net/ads/studio/Enabler.js",
        "http://fonts.googleapis.com/css?family=Roboto",
        "//cdn.example.com/pixel.gif",
    )
    assert facts.initial_files == ("index.html",)
    assert facts.initial_requests == 1
    assert facts.initial_load_bytes == deflated(page)
    assert facts.missing_references == ()


def test_data_urls_count_inside_the_html() -> None:
    inline = b"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
    page = (
        b'<html><body><img src="' + inline + b'"><div style="background:url(' + inline + b')">'
        b"</div><script>var metadata = {};</script></body></html>"
    )
    data = banner({"index.html": page})

    facts = inspect_html5(data, "banner.zip")

    assert facts.data_url_bytes == 2 * len(inline)
    assert facts.initial_files == ("index.html",)
    assert facts.initial_requests == 1
    assert facts.initial_load_bytes == deflated(page)
    assert facts.missing_references == ()
    assert facts.external_urls == ()


def test_zip_slip_paths_are_refused() -> None:
    data = banner({"index.html": b"<html></html>", "../../evil.js": b"alert(1)"})
    message = refused(data)
    assert message.startswith("banner_300x250.zip contains a file with an unsafe path")
    assert "'../../evil.js'" in message


def test_absolute_paths_are_refused() -> None:
    data = banner({"/etc/cron.d/index.html": b"<html></html>"})
    message = refused(data)
    assert "unsafe path ('/etc/cron.d/index.html')" in message


def test_encrypted_members_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", b"<html></html>")
        archive.writestr(zipfile.ZipInfo("main.js"), b"x")
        archive.getinfo("main.js").flag_bits |= 0x1  # written into the central directory
    message = refused(buffer.getvalue())
    assert message.startswith("banner_300x250.zip is encrypted (main.js is password-protected)")


def test_symlinks_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", b"<html></html>")
        link = zipfile.ZipInfo("secrets.js")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, b"/etc/passwd")
    assert "contains a symbolic link ('secrets.js')" in refused(buffer.getvalue())


def test_zip_bombs_are_refused() -> None:
    data = banner({"index.html": b"<html></html>", "video.bin": bytes(5 * 1024 * 1024)})
    assert len(data) < 20_000
    message = refused(data)
    assert message.startswith("banner_300x250.zip looks like a zip bomb: video.bin would unpack")
    assert "5 MB" in message
    assert "(at most 100:1)" in message


def test_too_many_members_are_refused() -> None:
    files = {"index.html": b"<html></html>"} | {f"img/f{n}.png": b"p" for n in range(500)}
    message = refused(banner(files))
    assert message == ("banner_300x250.zip holds 501 files; a banner zip may hold at most 500.")


def test_oversized_members_and_totals_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html5, "MAX_MEMBER_BYTES", 1000)
    one = banner({"index.html": b"<html></html>", "big.js": bytes(range(256)) * 4})
    assert "big.js unpacks to 0 MB (at most 0 MB per file)" in refused(one)
    monkeypatch.setattr(html5, "MAX_MEMBER_BYTES", 10 * 1024 * 1024)
    monkeypatch.setattr(html5, "MAX_TOTAL_BYTES", 1000)
    two = banner({"index.html": bytes(range(256)) * 2, "a.js": bytes(range(256)) * 2})
    assert refused(two).startswith("banner_300x250.zip is too large: it unpacks to more than")


def test_a_zip_without_html_is_refused() -> None:
    data = banner({"img/logo.png": PNG, "__MACOSX/._index.html": b"junk"})
    assert refused(data).startswith("banner_300x250.zip holds no HTML file;")
    empty = banner({})
    assert refused(empty).startswith("banner_300x250.zip holds no HTML file;")


def test_several_html_files_without_an_index_are_refused() -> None:
    data = banner({"frame_b.html": b"<html></html>", "frame_a.htm": b"<html></html>"})
    message = refused(data)
    assert message.startswith(
        "banner_300x250.zip holds several HTML files (frame_a.htm, frame_b.html) and no index.html"
    )


def test_the_only_html_file_is_the_entry() -> None:
    page = b'<html><body><img src="logo.png"></body></html>'
    data = banner({"ads/en/banner.html": page, "ads/en/logo.png": PNG}, ("ads/en/logo.png",))
    facts = inspect_html5(data, "banner.zip")
    assert facts.entry == "ads/en/banner.html"
    assert facts.initial_files == ("ads/en/banner.html", "ads/en/logo.png")
    assert facts.initial_load_bytes == deflated(page) + len(PNG)


def test_a_file_that_is_not_a_zip_is_refused() -> None:
    message = refused(PNG, "banner_300x250.zip")
    assert message == (
        "banner_300x250.zip is not a zip archive (it looks like a PNG image). Upload the "
        "banner as the .zip its authoring tool exports."
    )


def test_a_damaged_zip_is_refused() -> None:
    data = banner({"index.html": INDEX})
    assert "is a damaged or incomplete zip archive" in refused(data[: len(data) - 30])


def test_html5_errors_are_unsafe_files() -> None:
    assert issubclass(Html5Error, UnsafeFile)
