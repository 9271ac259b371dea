"""HTML5 banner zips: checked as hostile (DESIGN.md, rule 9), then measured for the IAB rules.

``inspect_html5`` reads the zip directory first and refuses, before inflating any member: a file
that is not a zip by its magic bytes, a damaged directory, more than ``MAX_MEMBERS`` members,
absolute or ``..`` paths (zip-slip), symlinks, encrypted members, compression methods other than
stored and deflated, duplicate names, a member above ``MAX_MEMBER_BYTES`` or a total above
``MAX_TOTAL_BYTES`` unpacked, a member above ``MAX_RATIO``:1 (zip bomb), and an archive without an
HTML entry file. Only then does it inflate the entry HTML and the style sheets it links (each
bounded by the size the checked directory declares; zipfile checks the CRC).

The entry file is ``index.html`` at the root or in the single top-level folder (macOS's
``__MACOSX/`` and ``.DS_Store`` do not count), else the only ``.html``/``.htm`` file; several
without an ``index.html`` are refused with their names.

What the entry references directly (``<script src>``, ``<link rel=stylesheet href>``, ``<img
src>``, ``<source src>``, ``<video src poster>``, ``<audio src>``, ``url(...)`` in ``<style>``
elements and ``style`` attributes, and ``url(...)`` in the linked style sheets, one level) is
resolved against the folder of the file that names it. ``data:`` URLs are part of the HTML's bytes
(``data_url_bytes`` says how many); ``http(s)://`` and ``//`` references are listed in
``external_urls`` (ad servers refuse banners that load unknown hosts); other schemes
(``javascript:``, ``about:``) are ignored. A reference starting with ``/`` is resolved against
the entry's folder, the root the banner is served from.

Sizes. The IAB k-weight limits (reference: "Max k-weight: initial load / subload (kB)", IAB New
Ad Portfolio 2017) are measured as the files travel over the network, which ad servers compress:
the IAB portfolio gives its weights for compressed files. The zip's own compressed size of each
member (deflate, the same algorithm as gzip transfer; images and video stay as they are, already
compressed) is the closest measure we have without a server, so ``initial_load_bytes`` and
``subload_bytes`` are sums of member ``compressed_size``. ``total_bytes`` (unpacked) and
``zip_bytes`` are given too, for specs that limit those instead.

``initial_load_bytes`` counts the entry HTML and the local files referenced as above that exist
in the zip, each once; ``initial_requests`` counts those files, the entry included (external URLs
are requests too, but of unknown size: they are reported separately and not counted).
``subload_bytes`` is every other file in the zip: what scripts may load after the load event, an
upper bound since unused files count too.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, _unsafe_path, display_name

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_BYTES = 64 * 1024  # a few kB of whitespace may compress better than 100:1

_HTML_SUFFIXES = (".html", ".htm")
_JUNK_FOLDER = "__MACOSX/"
_JUNK_FILES = {".DS_Store", "Thumbs.db"}
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_AD_SIZE = re.compile(r"width\s*=\s*(\d{1,5})\s*[,;]\s*height\s*=\s*(\d{1,5})", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_REBUILD = "Export the banner again from its authoring tool and upload the new zip."


class Html5Error(UnsafeFile):
    """A banner zip that mediadesk will not read; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Html5Member:
    path: str
    size: int  # unpacked bytes
    compressed_size: int  # bytes inside the zip


@dataclass(frozen=True, slots=True)
class Html5Facts:
    """What ``inspect_html5`` measured of one banner zip (module docstring: which sizes)."""

    entry: str  # the entry HTML's path in the zip, e.g. "banner/index.html"
    members: tuple[Html5Member, ...]  # files only, in zip order
    total_bytes: int  # all members unpacked
    zip_bytes: int  # the zip file itself
    initial_load_bytes: int  # compressed bytes of the entry and what it references directly
    initial_requests: int  # those files, the entry included
    initial_files: tuple[str, ...]  # their paths, entry first, then in order of reference
    subload_bytes: int  # compressed bytes of every other file in the zip
    external_urls: tuple[str, ...]  # http(s):// and // references, as written, each once
    missing_references: tuple[str, ...]  # referenced local paths not in the zip, each once
    data_url_bytes: int  # characters of data: URLs inside the entry HTML (part of its bytes)
    width: int | None = None  # from <meta name="ad.size" content="width=300,height=250">
    height: int | None = None

    def asset_facts(self) -> AssetFacts:
        """The measures the spec checks read (``domain.specs``)."""
        return AssetFacts(
            kind=AssetKind.HTML5,
            width=self.width,
            height=self.height,
            bytes=self.zip_bytes,
            initial_load_bytes=self.initial_load_bytes,
            subload_bytes=self.subload_bytes,
            initial_requests=self.initial_requests,
            container="zip",
        )


def inspect_html5(data: bytes, filename: str) -> Html5Facts:
    """Check a banner zip and measure it; raise ``Html5Error`` if it is hostile or broken."""
    name = display_name(filename)
    if len(data) > MAX_ZIP_BYTES:
        raise Html5Error(
            f"{name} is {_megabytes(len(data))} MB; an HTML5 banner zip may be at most "
            f"{_megabytes(MAX_ZIP_BYTES)} MB."
        )
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise Html5Error(
            f"{name} is not a zip archive (it looks like {_looks_like(data)}). Upload the "
            "banner as the .zip its authoring tool exports."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise Html5Error(f"{name} is a damaged or incomplete zip archive. {_REBUILD}") from exc
    with archive:
        files = _check_directory(infos, name)
        entry = _find_entry(files, name)
        return _measure(archive, files, entry, name, len(data))


# --- the zip directory ------------------------------------------------------------------------


def _check_directory(infos: list[zipfile.ZipInfo], name: str) -> dict[str, zipfile.ZipInfo]:
    """The file members by path, after refusing anything hostile in the directory."""
    if len(infos) > MAX_MEMBERS:
        raise Html5Error(
            f"{name} holds {len(infos):,} files; a banner zip may hold at most {MAX_MEMBERS:,}."
        )
    files: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    total = 0
    for info in infos:
        raw = info.orig_filename
        if _unsafe_path(raw):
            raise Html5Error(
                f"{name} contains a file with an unsafe path ({raw!r}): absolute paths and '..' "
                f"could write outside the banner's folder. {_REBUILD}"
            )
        path = raw.replace("\\", "/")
        if path in seen:
            raise Html5Error(f"{name} contains two files named {path!r}. {_REBUILD}")
        seen.add(path)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Html5Error(
                f"{name} contains a symbolic link ({path!r}); banner zips hold plain files only. "
                f"{_REBUILD}"
            )
        if info.flag_bits & 0x1:
            raise Html5Error(
                f"{name} is encrypted ({path} is password-protected); ad servers cannot open "
                "it. Zip the banner again without a password."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Html5Error(
                f"{name} uses an unusual compression method (method {info.compress_type} in "
                f"{path}); ad servers expect stored or deflated files. {_REBUILD}"
            )
        size = info.file_size
        if size > MAX_MEMBER_BYTES:
            raise Html5Error(
                f"{name} is too large: {path} unpacks to {_megabytes(size)} MB (at most "
                f"{_megabytes(MAX_MEMBER_BYTES)} MB per file)."
            )
        if size > RATIO_MIN_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            raise Html5Error(
                f"{name} looks like a zip bomb: {path} would unpack to {_megabytes(size)} MB, "
                f"{ratio:,.0f} times its packed size (at most {MAX_RATIO}:1). mediadesk does "
                "not open it."
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise Html5Error(
                f"{name} is too large: it unpacks to more than {_megabytes(MAX_TOTAL_BYTES)} MB."
            )
        if not path.endswith("/"):
            files[path] = info
    return files


def _junk(path: str) -> bool:
    return path.startswith(_JUNK_FOLDER) or posixpath.basename(path) in _JUNK_FILES


def _find_entry(files: dict[str, zipfile.ZipInfo], name: str) -> str:
    real = [path for path in files if not _junk(path)]
    if "index.html" in files:
        return "index.html"
    tops = {path.split("/", 1)[0] for path in real}
    if len(tops) == 1:
        (top,) = tops
        if f"{top}/index.html" in files:
            return f"{top}/index.html"
    pages = [path for path in real if path.lower().endswith(_HTML_SUFFIXES)]
    if len(pages) == 1:
        return pages[0]
    if not pages:
        raise Html5Error(
            f"{name} holds no HTML file; an HTML5 banner needs an index.html as its entry. "
            f"{_REBUILD}"
        )
    listed = ", ".join(sorted(pages))
    raise Html5Error(
        f"{name} holds several HTML files ({listed}) and no index.html, so the entry is "
        "unknown. Name the banner's entry file index.html and zip it again."
    )


# --- reading the entry and its style sheets ---------------------------------------------------


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> str:
    """A text member, bounded by the size the checked directory declares (CRC checked)."""
    try:
        with archive.open(info) as member:
            raw = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise Html5Error(
            f"{name} is damaged: {info.orig_filename} cannot be unpacked. {_REBUILD}"
        ) from exc
    if len(raw) > info.file_size:
        raise Html5Error(f"{name} is damaged: {info.orig_filename} is longer than declared.")
    return raw.decode("utf-8-sig", errors="replace")


class _EntryParser(HTMLParser):
    """Collects what an HTML page references directly, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[str] = []
        self.style_sheets: list[str] = []  # the <link rel=stylesheet> hrefs among them
        self.ad_size: str | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key.lower(): value or "" for key, value in attrs}
        if tag == "script" and values.get("src"):
            self.references.append(values["src"])
        elif tag == "link":
            rel = values.get("rel", "").lower().split()
            if "stylesheet" in rel and values.get("href"):
                self.references.append(values["href"])
                self.style_sheets.append(values["href"])
        elif tag in ("img", "source", "audio") and values.get("src"):
            self.references.append(values["src"])
        elif tag == "video":
            self.references.extend(values[key] for key in ("src", "poster") if values.get(key))
        elif tag == "meta" and values.get("name", "").lower() == "ad.size":
            self.ad_size = values.get("content", "")
        elif tag == "style":
            self._in_style = True
        if values.get("style"):
            self.references.extend(css_urls(values["style"]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.references.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    """The ``url(...)`` and ``@import "..."`` references of a piece of CSS, in order."""
    found: list[tuple[int, str]] = []
    for pattern in (_CSS_URL, _CSS_IMPORT):
        for match in pattern.finditer(css):
            value = next((group for group in match.groups() if group is not None), "")
            if value.strip():
                found.append((match.start(), value.strip()))
    return [value for _, value in sorted(found)]


def _ad_size(content: str | None) -> tuple[int | None, int | None]:
    match = _AD_SIZE.search(content or "")
    if match is None:
        return None, None
    return int(match.group(1)), int(match.group(2))


def _data_url_bytes(html: str) -> int:
    total = 0
    for match in re.finditer(r"(?<![\w-])data:", html, re.IGNORECASE):
        end = match.end()
        while end < len(html) and html[end] not in "\"')\\ \t\r\n<>":
            end += 1
        total += len(html[match.start() : end].encode())
    return total


# --- measuring --------------------------------------------------------------------------------


class _Collector:
    def __init__(self, files: dict[str, zipfile.ZipInfo], root: str) -> None:
        self.files = files
        self.root = root
        self.local: list[str] = []
        self.external: list[str] = []
        self.missing: list[str] = []

    def add(self, reference: str, folder: str) -> str | None:
        """Note one reference made from a file in ``folder``; the zip path if it is in the zip."""
        reference = reference.strip()
        lowered = reference.lower()
        if lowered.startswith(("http://", "https://", "//")):
            if reference not in self.external:
                self.external.append(reference)
            return None
        if not reference or reference.startswith("#") or _SCHEME.match(reference):
            return None  # data:, javascript:, about:, blob:, mailto:, an anchor: not a file
        path = unquote(re.split(r"[?#]", reference, maxsplit=1)[0])
        if not path:
            return None
        base = self.root if path.startswith("/") else folder
        resolved = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        if resolved == ".." or resolved.startswith("../"):
            resolved = reference  # points outside the banner: it can never load
        if resolved in self.files:
            if resolved not in self.local:
                self.local.append(resolved)
            return resolved
        if resolved not in self.missing:
            self.missing.append(resolved)
        return None


def _measure(
    archive: zipfile.ZipFile,
    files: dict[str, zipfile.ZipInfo],
    entry: str,
    name: str,
    zip_bytes: int,
) -> Html5Facts:
    html = _read(archive, files[entry], name)
    parser = _EntryParser()
    parser.feed(html)
    parser.close()
    root = posixpath.dirname(entry)
    collector = _Collector(files, root)
    collector.local.append(entry)
    sheets: list[str] = []
    for reference in parser.references:
        found = collector.add(reference, root)
        if found is not None and reference in parser.style_sheets and found not in sheets:
            sheets.append(found)
    for sheet in sheets:
        folder = posixpath.dirname(sheet)
        for reference in css_urls(_read(archive, files[sheet], name)):
            collector.add(reference, folder)
    initial = set(collector.local)
    width, height = _ad_size(parser.ad_size)
    members = tuple(
        Html5Member(path, info.file_size, info.compress_size) for path, info in files.items()
    )
    return Html5Facts(
        entry=entry,
        members=members,
        total_bytes=sum(member.size for member in members),
        zip_bytes=zip_bytes,
        initial_load_bytes=sum(files[path].compress_size for path in collector.local),
        initial_requests=len(collector.local),
        initial_files=tuple(collector.local),
        subload_bytes=sum(m.compressed_size for m in members if m.path not in initial),
        external_urls=tuple(collector.external),
        missing_references=tuple(collector.missing),
        data_url_bytes=_data_url_bytes(html),
        width=width,
        height=height,
    )
