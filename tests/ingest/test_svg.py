"""SVG files written by hand: measured and written again clean, or refused with what and where."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from mediadesk.domain.specs import AssetKind
from mediadesk.ingest import svg
from mediadesk.ingest.safety import UnsafeFile
from mediadesk.ingest.svg import SvgError, sanitize_svg

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
PNG_DATA = "data:image/png;base64,iVBORw0KGgo="


def document(body: str, attributes: str = 'width="300" height="250"') -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f"{head}<svg {NS} {attributes}>\n{body}\n</svg>\n".encode()


def refused(data: bytes, filename: str = "logo.svg") -> str:
    with pytest.raises(SvgError) as error:
        sanitize_svg(data, filename)
    return str(error.value)


# --- measured and cleaned -----------------------------------------------------------------------


def test_a_plain_logo_is_measured_and_written_again_clean() -> None:
    data = document(
        "<!-- made by hand -->\n"
        "<?xml-stylesheet href='https://cdn.example/theme.css'?>\n"
        "<metadata><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/></metadata>\n"
        '<defs><linearGradient id="fade"><stop offset="0" stop-color="#f00"/></linearGradient>'
        "</defs>\n"
        '<style>.brand { fill: url(#fade); font-family: "Acme Sans"; }\n'
        "@font-face { font-family: 'Acme Sans'; src: url(data:font/woff2;base64,d09GMg==) }"
        "</style>\n"
        '<rect class="brand" width="300" height="250" fill="url(#fade)"/>\n'
        '<use xlink:href="#fade"/><image href="' + PNG_DATA + '" width="10" height="10"/>\n'
        "<text x='5' y='20'>Fish &amp; chips &lt; 5 €</text>"
    )
    facts = sanitize_svg(data, "uploads/logo.svg")
    assert (facts.width, facts.height, facts.bytes) == (300, 250, len(data))
    clean = facts.clean.decode()
    assert clean.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    for gone in ("made by hand", "xml-stylesheet", "metadata", "rdf:RDF"):
        assert gone not in clean
    assert '<rect class="brand" width="300" height="250" fill="url(#fade)"/>' in clean
    assert "Fish &amp; chips &lt; 5 €" in clean
    assert 'xlink:href="#fade"' in clean
    root = ElementTree.fromstring(facts.clean)  # noqa: S314 (our own output) still SVG
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert sanitize_svg(facts.clean, "logo.svg").clean == facts.clean  # stable


def test_asset_facts_are_an_image_weighing_the_clean_file() -> None:
    facts = sanitize_svg(document("<!-- a long comment -->" * 20), "logo.svg")
    asset = facts.asset_facts()
    assert asset.kind == AssetKind.IMAGE
    assert (asset.width, asset.height, asset.container) == (300, 250, "svg")
    assert asset.bytes == asset.initial_load_bytes == len(facts.clean) < facts.bytes
    assert facts.metadata()["uploaded_bytes"] == facts.bytes


@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ('width="300px" height="250px"', (300, 250)),
        ('viewBox="0 0 728 90"', (728, 90)),
        ('width="100%" height="100%" viewBox="0,0,160,600"', (160, 600)),
        ('width="320" viewBox="0 0 640 100"', (320, 50)),
        ('height="90" viewBox="0 0 364 45"', (728, 90)),
        ('width="210mm" height="297mm"', (794, 1123)),
        ('width="1in" height="72pt"', (96, 96)),
        ('width="100%"', (None, None)),
        ("", (None, None)),
    ],
)
def test_size_in_css_pixels(attributes: str, size: tuple[int | None, int | None]) -> None:
    facts = sanitize_svg(document("<g/>", attributes), "logo.svg")
    assert (facts.width, facts.height) == size


def test_a_bare_svg_doctype_is_let_through_and_left_out() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5"><path d="M0 0h10"/></svg>'
    )
    facts = sanitize_svg(data, "old-illustrator.svg")
    assert b"DOCTYPE" not in facts.clean
    assert (facts.width, facts.height) == (10, 5)


def test_other_encodings_are_written_as_utf8() -> None:
    data = (
        document("<text>Café</text>")
        .replace(b"UTF-8", b"ISO-8859-1")
        .replace("é".encode(), b"\xe9")
    )
    assert "<text>Café</text>".encode() in sanitize_svg(data, "logo.svg").clean


# --- refused ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("<g/>\n<script>alert(1)</script>", "has a <script> element (line 4)"),
        ("<svg:script xmlns:svg='http://www.w3.org/2000/svg'/>", "has a <script> element"),
        ("<SCRIPT/>", "has a <script> element"),
        ("<foreignObject><p/></foreignObject>", "has a <foreignObject> element"),
        ("<iframe/>", "has an <iframe> element"),
        ("<embed/>", "has an <embed> element"),
        ("<object/>", "has an <object> element"),
        ("<handler/>", "has a <handler> element"),
        ("<rect onclick='go()'/>", "has an event attribute onclick= on <rect>"),
        ("<rect ONLOAD='go()'/>", "has an event attribute ONLOAD= on <rect>"),
        ("<a href='javascript:alert(1)'><text>x</text></a>", "has a script URL in href="),
        ("<a xlink:href=' java&#x09;script:alert(1)'/>", "has a script URL in href="),
        ("<a href='https://brand.example/'/>", "has a link to a file outside the SVG"),
        ("<image href='logo.png'/>", "has a link to a file outside the SVG"),
        ("<image xlink:href='file:///etc/passwd'/>", "has a link to a file outside the SVG"),
        ("<image href='data:image/svg+xml;base64,PHN2Zy8+'/>", "link to a file outside the SVG"),
        ("<use href='sprites.svg#logo'/>", "has a link to a file outside the SVG"),
        ("<feImage href='http://tracker.example/p.gif'/>", "link to a file outside the SVG"),
        ("<style>@import url(#a);</style>", "has an @import of another style sheet"),
        ("<style>rect { fill: url(http://x.example/a.svg#g) }</style>", "url(http://x.example"),
        ("<style><![CDATA[ rect{background:url('//x.example/a')} ]]></style>", "url(//x.example"),
        ("<style>rect { fill: \\75rl(http://x) }</style>", "has a CSS escape"),
        ("<style>a{b:expression(alert(1))}</style>", "has a CSS expression()"),
        ("<rect style='fill: url(https://x.example/g)'/>", "in the style attribute on <rect>"),
        ("<rect fill='url(https://x.example/g#a)'/>", "pointing outside the SVG in fill="),
        ("<a><set attributeName='href' to='#x'/></a>", "has a <set> element that changes href"),
        ("<a><animate attributeName='xlink:href' values='#a;#b'/></a>", "<animate> element"),
        ("<g xml:base='http://x.example/'/>", "has an xml:base attribute on <g>"),
        ("<div xmlns='http://www.w3.org/1999/xhtml'/>", "has HTML content"),
    ],
)
def test_active_and_external_content_is_refused(body: str, found: str) -> None:
    message = refused(document(body))
    assert message.startswith(f"logo.svg {found}") or found in message
    assert "(line " in message


def test_the_message_says_what_to_do() -> None:
    message = refused(document("<g/>\n<script>alert(1)</script>"))
    assert message == (
        "logo.svg has a <script> element (line 4). Export the SVG again without it (e.g. "
        "'Save as plain SVG'), or upload a PNG."
    )


def test_entities_are_refused_before_they_expand() -> None:
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "ha">\n'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    )
    message = refused(laughs)
    assert message.startswith("logo.svg has a DOCTYPE with its own declarations")
    assert "(line 2)" in message


def test_external_entities_are_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>'
    )
    assert refused(xxe).startswith("logo.svg has a reference to an undeclared entity (&secret;)")
    system = (
        b'<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b"<svg><text>&secret;</text></svg>"
    )
    assert "DOCTYPE with its own declarations" in refused(system)


def test_not_svg_is_refused() -> None:
    assert refused(b"<html><body/></html>", "page.svg").startswith(
        "page.svg has <html> as its root element, not <svg> (line 1)"
    )
    assert refused(b"<svg><g></svg>").startswith(
        "logo.svg is not a well-formed SVG file (XML error on line 1: mismatched tag)"
    )
    assert refused(b"\x89PNG\r\n\x1a\n" + bytes(20)).startswith(
        "logo.svg is not an SVG file (it looks like a PNG image)"
    )
    assert refused(b"\x1f\x8b\x08\x00").startswith("logo.svg is a compressed SVG (SVGZ)")
    assert refused(b"  \n").startswith("logo.svg is empty")


def test_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    big = document("<g/>" * 10) + b" " * (6 * 1024 * 1024)
    assert refused(big).startswith("logo.svg is 6 MB; an SVG may be at most 5 MB")
    monkeypatch.setattr(svg, "MAX_ELEMENTS", 50)
    assert "more than 50 elements" in refused(document("<g/>" * 60))
    deep = "<g>" * 300 + "</g>" * 300
    monkeypatch.setattr(svg, "MAX_ELEMENTS", 50_000)
    assert "256 levels of nesting" in refused(document(deep))


def test_svg_errors_are_unsafe_files() -> None:
    assert issubclass(SvgError, UnsafeFile)
