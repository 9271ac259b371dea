"""SVG images: checked as hostile (DESIGN.md, rule 9), measured, and re-serialized clean.

An SVG is an XML document a browser runs: it can hold scripts, event handlers, links to other
sites, style sheets that fetch from anywhere and XML entities that expand to gigabytes.
``sanitize_svg`` refuses such a file, saying what it found and on which line, rather than
quietly stripping it: a banner that needs a script is not a static image, and the designer
should know what the file held. Refused:

- a file above ``MAX_SVG_BYTES``, compressed (SVGZ), not well-formed XML, or whose root element
  is not ``<svg>``; more than ``MAX_ELEMENTS`` elements or deeper than ``MAX_DEPTH``;
- a document type declaration with an internal subset, any entity declaration and any
  reference to an entity XML does not predefine (XXE, "billion laughs"). A bare ``<!DOCTYPE
  svg PUBLIC ...>`` as older Illustrator versions write is let through: expat never fetches
  the DTD it names, and the clean document leaves it out;
- the elements ``<script>``, ``<foreignObject>`` (HTML inside SVG), ``<iframe>``, ``<frame>``,
  ``<embed>``, ``<object>``, ``<applet>``, ``<handler>``, ``<listener>``, ``<link>``,
  ``<base>`` and ``<meta>``, with or without a namespace prefix, and any XHTML namespace;
- any event attribute (``on...``); ``xml:base``; an ``href``/``xlink:href``/``src`` that is not
  a local ``#fragment`` or a ``data:image/(png|jpeg|gif|webp);base64,`` URL; ``javascript:``
  or ``vbscript:`` in any attribute value or style sheet, even with spaces or entities in it;
  ``<animate>``/``<set>``/``<animateMotion>``/``<animateTransform>`` that change an ``href``
  or an event attribute;
- CSS (``<style>`` and ``style`` attributes) with ``@import``, a ``url(...)`` that is not a
  local ``#fragment``, a ``data:image`` URL as above or an embedded font (``data:font/...;
  base64,``), ``expression(`` or a backslash escape (which can spell ``url(`` so the patterns
  above cannot see it); a ``url(...)`` in any presentation attribute
  (``fill="url(https://...)"``) the same.

Element and attribute names are compared by their local part without case, so ``svg:script``
and ``SCRIPT`` are refused too. Namespaces are not resolved: the clean document keeps every
prefix and ``xmlns`` declaration as written.

``clean`` is the document written again from what expat read, in UTF-8: comments, processing
instructions (``<?xml-stylesheet?>``), the document type declaration and ``<metadata>``
elements are left out, which is removal of inert content, not of anything refused.

``width`` and ``height`` are in CSS pixels: from the ``width``/``height`` attributes of the
root (px, or pt, pc, in, cm, mm converted at 96 px per inch), else from the ``viewBox``; one of
them missing is taken from the ``viewBox``'s proportions; ``None`` when neither says (a
percentage width, no ``viewBox``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NoReturn
from xml.parsers import expat

from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, display_name

MAX_SVG_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 50_000
MAX_DEPTH = 256

_FORBIDDEN_ELEMENTS = {
    "script": "a <script> element",
    "foreignobject": "a <foreignObject> element (HTML inside the SVG)",
    "iframe": "an <iframe> element",
    "frame": "a <frame> element",
    "embed": "an <embed> element",
    "object": "an <object> element",
    "applet": "an <applet> element",
    "handler": "a <handler> element (a script)",
    "listener": "a <listener> element (a script)",
    "link": "a <link> element",
    "base": "a <base> element",
    "meta": "a <meta> element",
}
_ANIMATIONS = frozenset({"animate", "set", "animatemotion", "animatetransform", "animatecolor"})
_XHTML = "http://www.w3.org/1999/xhtml"
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp);base64,", re.IGNORECASE)
# An embedded font in a style sheet is part of the document too (browsers sanitize font files).
_DATA_FONT = re.compile(
    r"data:(?:font/(?:woff2?|ttf|otf|sfnt)|application/(?:font-woff2?|x-font-ttf|x-font-otf))"
    r";base64,",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)""", re.IGNORECASE)
_SCRIPT_SCHEME = re.compile(r"(?:java|vb)script:", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|pc|in|cm|mm)?\s*")
_PX_PER = {
    "px": Decimal(1),
    "pt": Decimal(96) / 72,
    "pc": Decimal(16),
    "in": Decimal(96),
    "cm": Decimal(96) / Decimal("2.54"),
    "mm": Decimal(96) / Decimal("25.4"),
}
_EXPORT_AGAIN = "Export the SVG again without it (e.g. 'Save as plain SVG'), or upload a PNG."


class SvgError(UnsafeFile):
    """An SVG that mediadesk will not take; the message names the file, what and where."""


@dataclass(frozen=True, slots=True)
class SvgFacts:
    """What ``sanitize_svg`` measured of one SVG, and the clean document to store."""

    width: int | None  # CSS pixels, None when the file does not say
    height: int | None
    clean: bytes = field(repr=False)  # the document to store instead of the upload
    bytes: int  # the upload as it came
    elements: int

    def asset_facts(self) -> AssetFacts:
        """The measures the spec checks read: the clean document is what is stored and served,
        so its size is the file weight (and the initial load, as for any image)."""
        return AssetFacts(
            kind=AssetKind.IMAGE,
            width=self.width,
            height=self.height,
            bytes=len(self.clean),
            initial_load_bytes=len(self.clean),
            container="svg",
        )

    def metadata(self) -> dict[str, object]:
        values: dict[str, object] = {
            "format": "SVG",
            "width": self.width,
            "height": self.height,
            "bytes": len(self.clean),
            "uploaded_bytes": self.bytes,
            "elements": self.elements,
        }
        return {key: value for key, value in values.items() if value is not None}


def sanitize_svg(data: bytes, filename: str) -> SvgFacts:
    """Check an SVG, measure it and write it again clean; raise ``SvgError`` if it holds
    anything active or external (module docstring)."""
    name = display_name(filename)
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(
            f"{name} is {_megabytes(len(data))} MB; an SVG may be at most "
            f"{_megabytes(MAX_SVG_BYTES)} MB. Simplify it or upload a PNG."
        )
    if data.startswith(b"\x1f\x8b"):
        raise SvgError(f"{name} is a compressed SVG (SVGZ). Save it as a plain .svg file.")
    if not data.strip():
        raise SvgError(f"{name} is empty. Export the SVG again and upload the new file.")
    reader = _Reader(name)
    reader.read(data)
    return SvgFacts(
        width=reader.width,
        height=reader.height,
        bytes=len(data),
        elements=reader.elements,
        clean=reader.output(),
    )


def _local(qname: str) -> str:
    return qname.rpartition(":")[2].lower()


def _local_reference(value: str) -> bool:
    """A ``#fragment`` of this document, or an embedded raster image."""
    value = value.strip()
    return value.startswith("#") or _DATA_IMAGE.match(value) is not None


class _Reader:
    """expat handlers that check every event and write the clean document as they go."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parser = expat.ParserCreate()
        self.out: list[str] = []
        self.depth = 0
        self.elements = 0
        self.skip_depth = 0  # inside <metadata>: written nowhere
        self.just_opened = -1  # len(self.out) right after writing a start tag
        self.text_owner: list[str] = []  # local names of the open elements
        self.width: int | None = None
        self.height: int | None = None
        parser = self.parser
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external_entity
        parser.SkippedEntityHandler = self._skipped_entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.buffer_text = True

    def read(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, True)
        except expat.ExpatError as exc:
            if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
                raise SvgError(
                    f"{self.name} is not an SVG file (it looks like {_looks_like(data)}). "
                    "Upload the image as .svg, or as .png or .jpg."
                ) from exc
            message = expat.ErrorString(exc.code) if exc.code else str(exc)
            raise SvgError(
                f"{self.name} is not a well-formed SVG file (XML error on line {exc.lineno}: "
                f"{message}). Export it again as SVG and upload the new file."
            ) from exc
        if self.elements == 0:
            raise SvgError(f"{self.name} holds no <svg> element. Export it again as SVG.")

    def output(self) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(self.out)).encode()

    # --- refusals ---------------------------------------------------------------------------

    def _refuse(self, found: str, advice: str = _EXPORT_AGAIN) -> NoReturn:
        line = self.parser.CurrentLineNumber
        raise SvgError(f"{self.name} has {found} (line {line}). {advice}")

    def _doctype(self, _name: str, _system: str | None, _public: str | None, internal: int) -> None:
        if internal:
            self._refuse(
                "a DOCTYPE with its own declarations (entities can expand to gigabytes or "
                "read files on the server)",
                "Export the SVG again without a DOCTYPE (SVG 1.1, 'Save as plain SVG').",
            )

    def _entity(self, name: str, *_: object) -> None:
        self._refuse(f"an entity declaration ({name})", "Export the SVG again without entities.")

    def _external_entity(self, *_: object) -> int:
        self._refuse("a reference to an external entity", "Export the SVG again without it.")

    def _skipped_entity(self, name: str, _parameter: int) -> None:
        self._refuse(f"a reference to an undeclared entity (&{name};)", _EXPORT_AGAIN)

    # --- elements ---------------------------------------------------------------------------

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        self.elements += 1
        self.depth += 1
        if self.elements == 1 and local != "svg":
            self._refuse(
                f"<{tag}> as its root element, not <svg>",
                "Upload an SVG image, or export the image as PNG.",
            )
        if self.elements > MAX_ELEMENTS or self.depth > MAX_DEPTH:
            self._refuse(
                f"more than {MAX_ELEMENTS:,} elements or {MAX_DEPTH} levels of nesting",
                "Simplify the drawing (merge paths, flatten groups) or upload a PNG.",
            )
        if local in _FORBIDDEN_ELEMENTS:
            self._refuse(_FORBIDDEN_ELEMENTS[local])
        for key, value in attributes.items():
            self._check_attribute(tag, local, key, value)
        if local in _ANIMATIONS:
            target = _local(attributes.get("attributeName", ""))
            if target in ("href", "src") or target.startswith("on"):
                self._refuse(f"a <{tag}> element that changes {attributes['attributeName']}")
        if self.elements == 1:
            self.width, self.height = _size(attributes)
        self.text_owner.append(local)
        if self.skip_depth or local == "metadata":
            self.skip_depth += 1
            return
        written = "".join(f' {key}="{_attribute(value)}"' for key, value in attributes.items())
        self.out.append(f"<{tag}{written}>")
        self.just_opened = len(self.out)

    def _end(self, tag: str) -> None:
        self.depth -= 1
        self.text_owner.pop()
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if self.just_opened == len(self.out):  # nothing inside: <rect/>, not <rect></rect>
            self.out[-1] = self.out[-1][:-1] + "/>"
        else:
            self.out.append(f"</{tag}>")
        self.just_opened = -1

    def _text(self, text: str) -> None:
        if self.text_owner[-1:] == ["style"]:
            self._check_css(text, "a <style> element")
        if not self.skip_depth:
            self.out.append(_escape(text))

    def _check_attribute(self, tag: str, local: str, key: str, value: str) -> None:
        attribute = _local(key)
        where = f'{attribute}="{_short(value)}" on <{tag}>'
        if attribute.startswith("on"):
            self._refuse(f"an event attribute {key}= on <{tag}> (a script)")
        if key.lower() == "xml:base":
            self._refuse(f"an xml:base attribute on <{tag}>")
        if (key.lower() == "xmlns" or key.lower().startswith("xmlns:")) and value == _XHTML:
            self._refuse(f"HTML content (the XHTML namespace on <{tag}>)")
        if _SCRIPT_SCHEME.search(_INVISIBLE.sub("", value)):
            self._refuse(f"a script URL in {where}")
        if attribute in ("href", "src") and not _local_reference(value):
            self._refuse(
                f"a link to a file outside the SVG ({where})",
                "Embed images in the SVG (as PNG or JPEG) and leave out links, then export "
                "it again.",
            )
        if attribute == "style":
            self._check_css(value, f"the style attribute on <{tag}>")
        elif "url(" in value.lower():
            self._check_urls(value, where)

    def _check_css(self, css: str, where: str) -> None:
        lowered = css.lower()
        if "@import" in lowered:
            self._refuse(f"an @import of another style sheet in {where}")
        if "\\" in css:
            self._refuse(f"a CSS escape (\\) in {where}, which can hide an external reference")
        if "expression(" in lowered:
            self._refuse(f"a CSS expression() in {where} (a script)")
        if _SCRIPT_SCHEME.search(_INVISIBLE.sub("", css)):
            self._refuse(f"a script URL in {where}")
        self._check_urls(css, where)

    def _check_urls(self, text: str, where: str) -> None:
        for match in _CSS_URL.finditer(text):
            target = next((group for group in match.groups() if group is not None), "")
            if not _local_reference(target) and not _DATA_FONT.match(target.strip()):
                self._refuse(
                    f"a url({_short(target)}) pointing outside the SVG in {where}",
                    "Embed what it points to in the SVG, then export it again.",
                )


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    # Whitespace as character references: written literally, a parser would fold it to spaces.
    escaped = _escape(value).replace('"', "&quot;")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _length(value: str | None) -> Decimal | None:
    """A length in CSS pixels, or ``None`` for a percentage, an em, or nothing."""
    match = _LENGTH.fullmatch(value) if value else None
    if match is None:
        return None
    try:
        number = Decimal(match.group(1)) * _PX_PER[match.group(2) or "px"]
    except InvalidOperation:
        return None
    return number if number > 0 else None


def _view_box(value: str | None) -> tuple[Decimal, Decimal] | None:
    parts = re.split(r"[\s,]+", value.strip()) if value else []
    if len(parts) != 4:
        return None
    try:
        width, height = Decimal(parts[2]), Decimal(parts[3])
    except InvalidOperation:
        return None
    if not (width.is_finite() and height.is_finite()) or width <= 0 or height <= 0:
        return None
    return width, height


def _size(attributes: dict[str, str]) -> tuple[int | None, int | None]:
    width, height = _length(attributes.get("width")), _length(attributes.get("height"))
    box = _view_box(attributes.get("viewBox"))
    if box is not None:
        if width is None and height is None:
            width, height = box
        elif width is None and height is not None:
            width = height * box[0] / box[1]
        elif height is None and width is not None:
            height = width * box[1] / box[0]
    return _pixels(width), _pixels(height)


def _pixels(value: Decimal | None) -> int | None:
    if value is None:
        return None
    pixels = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return pixels if 0 < pixels <= 1_000_000 else None
