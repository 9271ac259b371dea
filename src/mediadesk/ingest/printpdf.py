"""Print ads as PDF: checked as hostile (DESIGN.md, rule 9), then measured for the print specs.

``inspect_print_pdf`` refuses, before pypdf parses anything: an empty file, a file above
``MAX_PDF_BYTES``, content without ``%PDF-`` in its first 1,024 bytes (what readers accept), and
a file without ``%%EOF`` in its last 1,024 bytes (cut off: every PDF writer ends the file with
it, an incremental update included). pypdf then reads the file (its own limits stop
decompression bombs); it refuses an encrypted PDF (even one that opens without a password:
printers and preflight tools need it unlocked), a file it cannot read, and more than
``MAX_PAGES`` pages.

Sizes are in mm (1 pt = 25.4/72 mm, times the page's ``/UserUnit``), to one place, as the page
is shown: a ``/Rotate`` of 90° or 270° swaps width and height. Each page has its MediaBox, and
its TrimBox when the page states one (the finished size; the MediaBox then includes the
bleed). The spec check reads the first page's TrimBox, else its MediaBox.

Colour mode. A print spec asks for CMYK, and an RGB image in a print ad prints dull, so the
colour spaces are read from what the pages *use*, not from what their resources declare
(WeasyPrint, for one, declares Lab spaces on every page): the device colour operators of the
content streams (``k``/``K`` CMYK, ``rg``/``RG`` RGB, ``g``/``G`` grey), the colour spaces set
by ``cs``/``CS``, the images and forms drawn with ``Do`` (forms read recursively) and the
shadings painted with ``sh`` or through a shading pattern. ``ICCBased`` counts by its number of
components (4 CMYK, 3 RGB, 1 grey), ``Indexed`` by its base, ``Separation``/``DeviceN`` (spot
colours) by their alternate space, ``CalRGB``/``CalGray`` as RGB/grey, ``Lab`` as Lab. Grey
alone is "Grey"; CMYK with or without grey is "CMYK" (black text is printed on the K plate);
RGB with or without grey is "RGB"; anything else together is "mixed". When the pages use no
colour at all, the PDF/X output intent's profile decides; without one the mode is "" (not
measured). Inline images (``BI ... ID ... EI``) are not read.

Fonts. A font is embedded when its descriptor has a font file (``/FontFile``, ``/FontFile2``,
``/FontFile3``; a Type 0 font through its descendant; a Type 3 font is drawn by the PDF itself).
``unembedded_fonts`` names the others (Helvetica, Times and the other standard fonts among
them): a printer substitutes those. ``pdfx_version`` is ``GTS_PDFXVersion`` of the document
information or the XMP metadata ("PDF/X-1a:2001", "PDF/X-4").
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, display_name

MAX_PDF_BYTES = 500 * 1024 * 1024
MAX_PAGES = 200
MAX_FORM_DEPTH = 12  # forms inside forms; real files nest a few levels
PDFTOPPM = "pdftoppm"
THUMBNAIL_TIMEOUT_SECONDS = 60
_MAGIC_WINDOW = 1024
_EXPORT_AGAIN = "Export the PDF again (PDF/X-1a or PDF/X-4 for print) and upload the new file."
_NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_BEFORE = rb"(?<![^\s\[\]()<>{}/%])"  # the start, white space or a delimiter
_AFTER = rb"(?![^\s\[\]()<>{}/%])"
_DEVICE_OPERATOR = re.compile(
    _BEFORE
    + rb"(?:(?:N\s+){4}([kK])|(?:N\s+){3}(rg|RG)|N\s+([gG]))".replace(b"N", _NUMBER)
    + _AFTER
)
_NAMED_OPERATOR = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+(cs|CS|Do|sh|scn|SCN)" + _AFTER)
_PDFX_XMP = re.compile(rb"GTS_PDFXVersion\s*(?:=\s*[\"']|>)\s*([^<\"']{1,40})")
_DEVICE_SPACES = {
    "/DeviceCMYK": "CMYK",
    "/DeviceRGB": "RGB",
    "/DeviceGray": "Grey",
    "/CalRGB": "RGB",
    "/CalGray": "Grey",
    "/Lab": "Lab",
}
_ICC_COMPONENTS = {4: "CMYK", 3: "RGB", 1: "Grey"}


class PrintPdfError(UnsafeFile):
    """A PDF mediadesk will not read as a print ad; the message names the file and the fix."""


@dataclass(frozen=True, slots=True)
class PageBox:
    """One page's size in mm as shown: its MediaBox, and its TrimBox when it states one."""

    media_width_mm: Decimal
    media_height_mm: Decimal
    trim_width_mm: Decimal | None = None
    trim_height_mm: Decimal | None = None

    @property
    def width_mm(self) -> Decimal:
        """The finished width: the trim box if there is one, else the media box."""
        return self.trim_width_mm if self.trim_width_mm is not None else self.media_width_mm

    @property
    def height_mm(self) -> Decimal:
        return self.trim_height_mm if self.trim_height_mm is not None else self.media_height_mm


@dataclass(frozen=True, slots=True)
class PrintFacts:
    """What ``inspect_print_pdf`` measured of one print PDF (module docstring)."""

    bytes: int
    version: str  # "1.4", "1.7", "2.0"
    pages: tuple[PageBox, ...]
    colour_mode: str  # "CMYK", "RGB", "Grey", "mixed", or "" when no colour is used
    colour_spaces: tuple[str, ...]  # what was found, sorted: ("CMYK", "RGB")
    unembedded_fonts: tuple[str, ...]
    fonts: int  # distinct fonts found
    pdfx_version: str | None = None
    output_intent: str | None = None  # e.g. "FOGRA39", "CGATS TR 001"

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def first_page(self) -> PageBox:
        return self.pages[0]

    @property
    def is_pdfx(self) -> bool:
        return self.pdfx_version is not None

    def asset_facts(self) -> AssetFacts:
        """The measures the spec checks read: the first page's finished size."""
        return AssetFacts(
            kind=AssetKind.PRINT,
            bytes=self.bytes,
            page_width_mm=self.first_page.width_mm,
            page_height_mm=self.first_page.height_mm,
            colour_mode=self.colour_mode,
            container="pdf",
        )

    def metadata(self) -> dict[str, object]:
        """JSON-able facts for storage: Decimals as strings, unmeasured left out."""
        first = self.first_page
        values: dict[str, object] = {
            "format": "PDF",
            "bytes": self.bytes,
            "pdf_version": self.version,
            "pages": self.page_count,
            "page_size_mm": _size_text(first.width_mm, first.height_mm),
            "media_box_mm": _size_text(first.media_width_mm, first.media_height_mm),
            "trim_box_mm": (
                _size_text(first.trim_width_mm, first.trim_height_mm)
                if first.trim_width_mm is not None and first.trim_height_mm is not None
                else None
            ),
            "page_sizes_mm": sorted(
                {_size_text(page.width_mm, page.height_mm) for page in self.pages}
            ),
            "colour_mode": self.colour_mode,
            "colour_spaces": list(self.colour_spaces),
            "fonts": self.fonts,
            "unembedded_fonts": list(self.unembedded_fonts),
            "pdfx_version": self.pdfx_version,
            "output_intent": self.output_intent,
        }
        return {key: value for key, value in values.items() if value not in (None, "")}


def _size_text(width: Decimal, height: Decimal) -> str:
    return f"{width.normalize():f}x{height.normalize():f}"


def inspect_print_pdf(path: Path, filename: str) -> PrintFacts:
    """Check a print PDF and measure it; raise ``PrintPdfError`` if it is hostile or broken."""
    name = display_name(filename)
    size = path.stat().st_size
    _check_file(path, size, name)
    try:
        # An open file, not the path: given a path, pypdf reads the whole file into memory.
        with path.open("rb") as stream:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise PrintPdfError(
                    f"{name} is password-protected (encrypted). Save a copy without security "
                    "settings (File > Properties > Security > No Security) and upload it."
                )
            _check_page_count(reader, name)
            return _measure(reader, size)
    except PrintPdfError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:  # fmt: skip
        # pypdf raises many kinds of errors on broken files; all of them mean the same here.
        raise PrintPdfError(
            f"{name} is a damaged PDF that cannot be read. {_EXPORT_AGAIN}"
        ) from exc


def _check_file(path: Path, size: int, name: str) -> None:
    if size == 0:
        raise PrintPdfError(f"{name} is empty (0 bytes). {_EXPORT_AGAIN}")
    if size > MAX_PDF_BYTES:
        raise PrintPdfError(
            f"{name} is {_megabytes(size)} MB; a print PDF may be at most "
            f"{_megabytes(MAX_PDF_BYTES)} MB. Export it with compressed images."
        )
    with path.open("rb") as stream:
        head = stream.read(_MAGIC_WINDOW)
        stream.seek(max(0, size - _MAGIC_WINDOW))
        tail = stream.read(_MAGIC_WINDOW)
    if b"%PDF-" not in head:
        raise PrintPdfError(
            f"{name} is not a PDF (it looks like {_looks_like(head)}). Upload the print ad "
            "as a PDF."
        )
    if b"%%EOF" not in tail:
        raise PrintPdfError(
            f"{name} is incomplete: it does not end the way every PDF ends (%%EOF), so it was "
            f"cut off during upload or export. {_EXPORT_AGAIN}"
        )


def _check_page_count(reader: PdfReader, name: str) -> None:
    # The page tree's own /Count first: a hostile file can claim millions of pages, and
    # counting them means reading every one.
    pages = _dict(reader.trailer.get("/Root")).get("/Pages")
    declared = _dict(pages).get("/Count")
    count = declared if isinstance(declared, int) and declared > MAX_PAGES else len(reader.pages)
    if count == 0:
        raise PrintPdfError(f"{name} has no pages. {_EXPORT_AGAIN}")
    if count > MAX_PAGES:
        raise PrintPdfError(
            f"{name} has {count:,} pages; a print ad may have at most {MAX_PAGES}. Upload "
            "the ad's own pages as a separate PDF."
        )


# --- measures -----------------------------------------------------------------------------------


def _measure(reader: PdfReader, size: int) -> PrintFacts:
    pages = tuple(_page_box(page) for page in reader.pages)
    colours = _Colours()
    fonts = _Fonts()
    for page in reader.pages:
        resources = _dict(page.get("/Resources"))
        colours.read(page.get_contents(), resources, depth=0)
        fonts.read(resources, depth=0)
    intent, intent_mode = _output_intent(reader)
    return PrintFacts(
        bytes=size,
        version=_version(reader),
        pages=pages,
        colour_mode=_mode(colours.found) or intent_mode,
        colour_spaces=tuple(sorted(colours.found)),
        unembedded_fonts=tuple(fonts.unembedded),
        fonts=len(fonts.seen),
        pdfx_version=_pdfx_version(reader),
        output_intent=intent,
    )


def _mm(points: Any, unit: Decimal) -> Decimal:
    # To the thousandth: print sizes are set in inches (8.125 in = 206.375 mm), and the spec
    # check compares them exactly; a tenth would make every correct page look wrong.
    value = Decimal(str(points)) * unit * 254 / 720
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _page_box(page: PageObject) -> PageBox:
    unit = _number(page.get("/UserUnit")) or Decimal(1)
    turned = page.rotation % 180 == 90
    media = page.mediabox
    width, height = _mm(media.width, unit), _mm(media.height, unit)
    trim_width = trim_height = None
    if "/TrimBox" in page:
        trim = page.trimbox
        trim_width, trim_height = _mm(trim.width, unit), _mm(trim.height, unit)
    if width <= 0 or height <= 0:
        raise ValueError("a page without a size")
    if turned:
        width, height = height, width
        if trim_width is not None:
            trim_width, trim_height = trim_height, trim_width
    return PageBox(width, height, trim_width, trim_height)


def _number(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() and number > 0 else None


def _dict(value: object) -> DictionaryObject:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return value if isinstance(value, DictionaryObject) else DictionaryObject()


def _resolved(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _key(value: object) -> tuple[int, int] | None:
    return (value.idnum, value.generation) if isinstance(value, IndirectObject) else None


class _Colours:
    """The colour spaces the content streams use (module docstring)."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self.forms: set[tuple[int, int]] = set()

    def read(self, content: object, resources: DictionaryObject, depth: int) -> None:
        data = _content_bytes(content)
        if not data:
            return
        for cmyk, rgb, _grey in _DEVICE_OPERATOR.findall(data):
            self.found.add("CMYK" if cmyk else "RGB" if rgb else "Grey")
        for match in _NAMED_OPERATOR.finditer(data):
            name = "/" + match.group(1).decode("latin-1")
            operator = match.group(2)
            if operator in (b"cs", b"CS"):
                self._space(_dict(resources.get("/ColorSpace")).get(name, name), 0)
            elif operator == b"Do":
                xobjects = _dict(resources.get("/XObject"))
                if name in xobjects:
                    self._xobject(xobjects.raw_get(name), depth)
            elif operator == b"sh":
                self._shading(_dict(resources.get("/Shading")).get(name))
            else:  # scn/SCN with a name: a pattern
                pattern = _dict(_dict(resources.get("/Pattern")).get(name))
                self._shading(pattern.get("/Shading"))

    def _space(self, space: object, depth: int) -> None:
        space = _resolved(space)
        if depth > 4:
            return
        if isinstance(space, str) and space in _DEVICE_SPACES:
            self.found.add(_DEVICE_SPACES[space])
            return
        if not isinstance(space, ArrayObject) or not space:
            return
        family = str(_resolved(space[0]))
        if family in _DEVICE_SPACES:
            self.found.add(_DEVICE_SPACES[family])
        elif family == "/ICCBased" and len(space) > 1:
            profile = _resolved(space[1])
            components = profile.get("/N") if isinstance(profile, StreamObject) else None
            mode = _ICC_COMPONENTS.get(int(components)) if isinstance(components, int) else None
            if mode:
                self.found.add(mode)
        elif family in ("/Indexed", "/Pattern") and len(space) > 1:
            self._space(space[1], depth + 1)
        elif family in ("/Separation", "/DeviceN") and len(space) > 2:
            self._space(space[2], depth + 1)

    def _xobject(self, reference: object, depth: int) -> None:
        key = _key(reference)
        if key is not None and key in self.forms:
            return
        if key is not None:
            self.forms.add(key)
        xobject = _resolved(reference)
        if not isinstance(xobject, StreamObject):
            return
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            if not xobject.get("/ImageMask"):
                self._space(xobject.get("/ColorSpace"), 0)
        elif subtype == "/Form" and depth < MAX_FORM_DEPTH:
            self.read(xobject, _dict(xobject.get("/Resources")), depth + 1)

    def _shading(self, shading: object) -> None:
        shading = _resolved(shading)
        if isinstance(shading, DictionaryObject):
            self._space(shading.get("/ColorSpace"), 0)


def _content_bytes(content: object) -> bytes:
    content = _resolved(content)
    if isinstance(content, StreamObject):
        return content.get_data()
    if isinstance(content, ArrayObject):
        return b"\n".join(_content_bytes(part) for part in content)
    return b""


def _mode(found: set[str]) -> str:
    process = found - {"Grey"}
    if not found:
        return ""
    if not process:
        return "Grey"
    if len(process) == 1:
        return next(iter(process))
    return "mixed"


class _Fonts:
    """The fonts the pages' resources name, and which of them are not embedded."""

    def __init__(self) -> None:
        self.seen: set[object] = set()
        self.unembedded: list[str] = []
        self.forms: set[tuple[int, int]] = set()

    def read(self, resources: DictionaryObject, depth: int) -> None:
        fonts = _dict(resources.get("/Font"))
        for name in fonts:
            reference = fonts.raw_get(name)
            font = _dict(reference)
            identity = _key(reference) or (name, str(font.get("/BaseFont")))
            if identity in self.seen:
                continue
            self.seen.add(identity)
            if not _embedded(font):
                base = str(font.get("/BaseFont", name)).lstrip("/")
                if base not in self.unembedded:
                    self.unembedded.append(base)
        if depth >= MAX_FORM_DEPTH:
            return
        for reference in _forms(resources):
            key = _key(reference)
            if key is not None and key in self.forms:
                continue
            if key is not None:
                self.forms.add(key)
            form = _resolved(reference)
            if isinstance(form, StreamObject):
                self.read(_dict(form.get("/Resources")), depth + 1)


def _forms(resources: DictionaryObject) -> Iterator[object]:
    xobjects = _dict(resources.get("/XObject"))
    for name in xobjects:
        reference = xobjects.raw_get(name)
        xobject = _resolved(reference)
        if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
            yield reference


def _embedded(font: DictionaryObject) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # its glyphs are drawn by the PDF's own content
    if subtype == "/Type0":
        descendants = _resolved(font.get("/DescendantFonts"))
        if not isinstance(descendants, ArrayObject) or not descendants:
            return False
        font = _dict(descendants[0])
    descriptor = _dict(font.get("/FontDescriptor"))
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _version(reader: PdfReader) -> str:
    header = reader.pdf_header.removeprefix("%PDF-").strip()
    catalog = _dict(reader.trailer.get("/Root"))
    stated = str(catalog.get("/Version", "")).lstrip("/")
    # A catalog /Version (PDF 1.4 on) overrides the header when it names a later version.
    if re.fullmatch(r"\d\.\d", stated) and (not re.fullmatch(r"\d\.\d", header) or stated > header):
        return stated
    return header


def _pdfx_version(reader: PdfReader) -> str | None:
    info = _dict(reader.trailer.get("/Info"))
    version = info.get("/GTS_PDFXVersion")
    if version:
        return str(version).strip()
    metadata = _resolved(_dict(reader.trailer.get("/Root")).get("/Metadata"))
    if isinstance(metadata, StreamObject):
        found = _PDFX_XMP.search(metadata.get_data())
        if found:
            return found.group(1).decode("utf-8", "replace").strip()
    return None


def _output_intent(reader: PdfReader) -> tuple[str | None, str]:
    """The PDF/X output intent's condition ("FOGRA39") and its profile's colour mode."""
    intents = _resolved(_dict(reader.trailer.get("/Root")).get("/OutputIntents"))
    for intent in intents if isinstance(intents, ArrayObject) else []:
        entry = _dict(intent)
        if entry.get("/S") != "/GTS_PDFX":
            continue
        condition = entry.get("/OutputConditionIdentifier") or entry.get("/OutputCondition")
        profile = _resolved(entry.get("/DestOutputProfile"))
        components = profile.get("/N") if isinstance(profile, StreamObject) else None
        mode = _ICC_COMPONENTS.get(int(components), "") if isinstance(components, int) else ""
        return (str(condition).strip() if condition else None), mode
    return None, ""


# --- thumbnail ----------------------------------------------------------------------------------


def thumbnail(path: Path, max_side: int = 480) -> bytes:
    """Page 1 as a PNG, its longer side ``max_side`` pixels, rendered by poppler's pdftoppm."""
    name = display_name(path.name)
    with tempfile.TemporaryDirectory(prefix="mediadesk-pdf-") as folder:
        root = Path(folder) / "page"
        args = [PDFTOPPM, "-png", "-f", "1", "-l", "1", "-singlefile"]
        # The path is absolute, so it cannot be read as an option.
        args += ["-scale-to", str(max_side), str(path.resolve()), str(root)]
        try:
            result = subprocess.run(
                args, capture_output=True, timeout=THUMBNAIL_TIMEOUT_SECONDS, check=False
            )
        except FileNotFoundError as exc:
            raise PrintPdfError(
                f"{name} cannot be previewed: pdftoppm is not installed on this server (the "
                "poppler-utils package). Ask the administrator to install it."
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise PrintPdfError(
                f"{name} took longer than {THUMBNAIL_TIMEOUT_SECONDS} s to render, more than "
                f"mediadesk waits. {_EXPORT_AGAIN}"
            ) from exc
        image = root.with_suffix(".png")
        if result.returncode != 0 or not image.exists():
            raise PrintPdfError(f"{name}: its first page could not be rendered. {_EXPORT_AGAIN}")
        return image.read_bytes()
