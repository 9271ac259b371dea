"""Print PDFs made with WeasyPrint or written by hand at test time: measured, or refused.

pdftoppm (the Debian poppler-utils package) is required for the thumbnails: a machine without
it fails these tests rather than skipping them.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import weasyprint  # type: ignore[import-untyped]
from PIL import Image
from pypdf import PdfWriter

from mediadesk.domain.specs import AssetKind, PageSize, Spec, check
from mediadesk.ingest import printpdf
from mediadesk.ingest.printpdf import PageBox, PrintPdfError, inspect_print_pdf, thumbnail
from mediadesk.ingest.safety import UnsafeFile


def weasy(path: Path, html: str) -> Path:
    weasyprint.HTML(string=html).write_pdf(path)
    return path


A4_AD = (
    "<style>@page { size: 210mm 297mm; margin: 0 } h1 { color: rgb(200, 0, 0) }</style>"
    "<h1>Summer sale</h1><p>Everything must go.</p>"
)


def stream(data: bytes, entries: str = "") -> bytes:
    return f"<< /Length {len(data)} {entries}>>\nstream\n".encode() + data + b"\nendstream"


def handwritten(
    content: bytes,
    *,
    resources: str = "",
    page: str = "/MediaBox [0 0 595.276 841.89]",
    catalog: str = "",
    info: str = "",
    extra: tuple[bytes, ...] = (),
    version: str = "1.4",
    count: int = 1,
) -> bytes:
    """A minimal PDF: catalog 1, pages 2, page 3, content 4, then ``extra`` objects from 5 on
    (``resources`` and ``catalog`` may refer to them), with a correct cross-reference table."""
    page_object = (
        f"<< /Type /Page /Parent 2 0 R {page} /Resources << {resources} >> /Contents 4 0 R >>"
    )
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog}>>".encode(),
        f"<< /Type /Pages /Kids [3 0 R] /Count {count} >>".encode(),
        page_object.encode(),
        stream(content),
        *extra,
    ]
    if info:
        objects.append(f"<< {info} >>".encode())
    out = bytearray(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    info_entry = f" /Info {len(objects)} 0 R" if info else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info_entry} >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def saved(tmp_path: Path, data: bytes, name: str = "ad.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def a4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return weasy(tmp_path_factory.mktemp("pdf") / "a4.pdf", A4_AD)


# --- measured -----------------------------------------------------------------------------------


def test_an_a4_ad_from_weasyprint(a4: Path) -> None:
    facts = inspect_print_pdf(a4, "uploads/a4.pdf")
    assert (facts.page_count, facts.version, facts.bytes) == (1, "1.7", a4.stat().st_size)
    assert facts.first_page.width_mm == Decimal("210.0")
    assert facts.first_page.height_mm == Decimal("297.0")
    # WeasyPrint declares Lab colour spaces on every page but draws in RGB: what is used counts.
    assert (facts.colour_mode, facts.colour_spaces) == ("RGB", ("RGB",))
    assert facts.unembedded_fonts == ()
    assert facts.fonts >= 1
    assert (facts.is_pdfx, facts.pdfx_version, facts.output_intent) == (False, None, None)
    asset = facts.asset_facts()
    assert (asset.kind, asset.container, asset.bytes) == (AssetKind.PRINT, "pdf", facts.bytes)
    assert (asset.page_width_mm, asset.page_height_mm) == (Decimal("210.0"), Decimal("297.0"))
    assert asset.colour_mode == "RGB"
    metadata = facts.metadata()
    assert (metadata["page_size_mm"], metadata["pages"], metadata["pdf_version"]) == (
        "210x297",
        1,
        "1.7",
    )


def test_the_spec_check_reads_page_size_and_colour_mode(a4: Path) -> None:
    spec = Spec(
        key="magazine",
        name="Magazine full page",
        kinds=frozenset({AssetKind.PRINT}),
        page_sizes=(PageSize(Decimal(210), Decimal(297), "trim"),),
        colour_modes=frozenset({"CMYK"}),
    )
    findings = check(inspect_print_pdf(a4, "a4.pdf").asset_facts(), spec)
    assert [finding.message for finding in findings] == [
        "print ad colour mode is RGB, required CMYK"
    ]


def test_every_page_is_measured(tmp_path: Path) -> None:
    html = (
        "<style>@page { size: 210mm 297mm } @page :first { size: 148mm 210mm }</style>"
        "<p>one</p><p style='break-before: page'>two</p><p style='break-before: page'>3</p>"
    )
    facts = inspect_print_pdf(weasy(tmp_path / "book.pdf", html), "book.pdf")
    assert facts.page_count == 3
    assert [(page.width_mm, page.height_mm) for page in facts.pages] == [
        (Decimal("148.0"), Decimal("210.0")),
        (Decimal("210.0"), Decimal("297.0")),
        (Decimal("210.0"), Decimal("297.0")),
    ]
    assert facts.metadata()["page_sizes_mm"] == ["148x210", "210x297"]
    assert facts.asset_facts().page_width_mm == Decimal("148.0")


def test_a_cmyk_pdf_x_with_trim_box_rotation_and_a_missing_font(tmp_path: Path) -> None:
    data = handwritten(
        b"0 0 0 1 k 0 0 100 100 re f BT /F1 12 Tf 10 10 Td (Sale) Tj ET 0.5 g",
        resources="/Font << /F1 5 0 R /F2 6 0 R >>",
        page="/MediaBox [0 0 612 792] /TrimBox [9 9 603 783] /Rotate 90",
        catalog=(
            "/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFX "
            "/OutputConditionIdentifier (FOGRA39) /DestOutputProfile 9 0 R >>]"
        ),
        info="/GTS_PDFXVersion (PDF/X-1a:2001) /Title (Ad)",
        extra=(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /Acme-Bold /DescendantFonts [7 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Acme-Bold /FontDescriptor 8 0 R >>",
            b"<< /Type /FontDescriptor /FontName /Acme-Bold >>",
            stream(b"not a real profile", "/N 4 "),
        ),
    )
    facts = inspect_print_pdf(saved(tmp_path, data), "ad.pdf")
    # 8.5 x 11 in turned a quarter: shown as 11 x 8.5 in; the trim box is 1/8 in smaller.
    assert facts.first_page == PageBox(
        Decimal("279.4"), Decimal("215.9"), Decimal("273.05"), Decimal("209.55")
    )
    assert (facts.colour_mode, facts.colour_spaces) == ("CMYK", ("CMYK", "Grey"))
    assert facts.unembedded_fonts == ("Helvetica", "Acme-Bold")
    assert (facts.pdfx_version, facts.output_intent, facts.is_pdfx) == (
        "PDF/X-1a:2001",
        "FOGRA39",
        True,
    )
    asset = facts.asset_facts()
    assert (asset.page_width_mm, asset.page_height_mm) == (Decimal("273.05"), Decimal("209.55"))
    metadata = facts.metadata()
    assert (metadata["trim_box_mm"], metadata["media_box_mm"]) == ("273.05x209.55", "279.4x215.9")


IMAGE_RGB = stream(b"\x00" * 3, "/Type /XObject /Subtype /Image /Width 1 /Height 1 "
                   "/ColorSpace /DeviceRGB /BitsPerComponent 8 ")  # fmt: skip
INDEXED = stream(b"\x00", "/Type /XObject /Subtype /Image /Width 1 /Height 1 "
                 "/ColorSpace [/Indexed /DeviceRGB 0 <FF0000>] /BitsPerComponent 8 ")  # fmt: skip
FORM_RGB = stream(b"0 1 0 rg 0 0 5 5 re f", "/Type /XObject /Subtype /Form /BBox [0 0 5 5] ")
ICC_CMYK = stream(b"profile", "/N 4 ")
ICC_RGB = stream(b"profile", "/N 3 ")


@pytest.mark.parametrize(
    ("content", "resources", "extra", "mode"),
    [
        (b"0.5 g 0 0 1 1 re f", "", (), "Grey"),
        (b"0 0 0 1 k 1 0 0 rg", "", (), "mixed"),
        (b"0 0 0 1 K 0.2 G", "", (), "CMYK"),
        (b"0.1 0.2 0.3 RG", "", (), "RGB"),
        (b"/CS0 cs 0 0 0 1 scn", "/ColorSpace << /CS0 [/ICCBased 5 0 R] >>", (ICC_CMYK,), "CMYK"),
        (b"/CS0 CS 1 0 0 SCN", "/ColorSpace << /CS0 [/ICCBased 5 0 R] >>", (ICC_RGB,), "RGB"),
        (
            b"/Spot cs 1 scn",
            "/ColorSpace << /Spot [/Separation /PANTONE#20185#20C /DeviceCMYK 5 0 R] >>",
            (b"<< /FunctionType 2 /Domain [0 1] /C1 [0 1 1 0] /N 1 >>",),
            "CMYK",
        ),
        (b"/DeviceGray cs 0 sc", "", (), "Grey"),
        (b"q /Im1 Do Q", "/XObject << /Im1 5 0 R >>", (IMAGE_RGB,), "RGB"),
        (b"q /Im1 Do Q 0 0 0 1 k", "/XObject << /Im1 5 0 R >>", (INDEXED,), "mixed"),
        (b"/Fm1 Do", "/XObject << /Fm1 5 0 R >>", (FORM_RGB,), "RGB"),
        # Declared but never used: an RGB image and colour space do not make it RGB.
        (
            b"0 0 0 1 k",
            "/XObject << /Im1 5 0 R >> /ColorSpace << /CS0 /DeviceRGB >>",
            (IMAGE_RGB,),
            "CMYK",
        ),
        (b"0 0 m 10 10 l S", "", (), ""),  # the default colour only: nothing measured
    ],
)
def test_colour_mode_from_what_the_page_uses(
    tmp_path: Path, content: bytes, resources: str, extra: tuple[bytes, ...], mode: str
) -> None:
    data = handwritten(content, resources=resources, extra=extra)
    assert inspect_print_pdf(saved(tmp_path, data), "ad.pdf").colour_mode == mode


def test_without_colour_the_output_intent_decides(tmp_path: Path) -> None:
    data = handwritten(
        b"0 0 m 10 10 l S",
        catalog="/OutputIntents [<< /S /GTS_PDFX /OutputCondition (Coated) "
        "/DestOutputProfile 5 0 R >>]",
        extra=(ICC_CMYK,),
    )
    facts = inspect_print_pdf(saved(tmp_path, data), "ad.pdf")
    assert (facts.colour_mode, facts.colour_spaces, facts.output_intent) == ("CMYK", (), "Coated")


def test_pdfx_version_from_xmp_and_catalog_version(tmp_path: Path) -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">'
        b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    data = handwritten(
        b"0 0 0 1 k",
        catalog="/Metadata 5 0 R /Version /1.6",
        extra=(stream(xmp, "/Type /Metadata /Subtype /XML "),),
        version="1.3",
    )
    facts = inspect_print_pdf(saved(tmp_path, data), "ad.pdf")
    assert (facts.pdfx_version, facts.version) == ("PDF/X-4", "1.6")


def test_pdf_header_after_a_few_bytes_of_junk(tmp_path: Path) -> None:
    data = b"\r\n" * 100 + handwritten(b"0 g")
    assert inspect_print_pdf(saved(tmp_path, data), "ad.pdf").page_count == 1


def test_thumbnail_is_page_one_as_png(a4: Path) -> None:
    with Image.open(io.BytesIO(thumbnail(a4))) as image:
        assert (image.format, image.size) == ("PNG", (340, 480))
    with Image.open(io.BytesIO(thumbnail(a4, max_side=100))) as image:
        assert max(image.size) == 100


def test_thumbnail_of_a_broken_file_is_refused(tmp_path: Path) -> None:
    path = saved(tmp_path, b"%PDF-1.4\nnothing here\n%%EOF\n", "broken.pdf")
    with pytest.raises(PrintPdfError, match=r"^broken\.pdf: its first page could not be"):
        thumbnail(path)


# --- refused ------------------------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PrintPdfError, match=r"^ad\.pdf is empty \(0 bytes\)"):
        inspect_print_pdf(saved(tmp_path, b""), "ad.pdf")


def test_not_a_pdf_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("CMYK", (10, 10)).save(buffer, "JPEG")
    with pytest.raises(PrintPdfError) as refused:
        inspect_print_pdf(saved(tmp_path, buffer.getvalue()), "ad.pdf")
    assert str(refused.value) == (
        "ad.pdf is not a PDF (it looks like a JPEG image). Upload the print ad as a PDF."
    )


def test_a_pdf_cut_in_half_is_refused(a4: Path, tmp_path: Path) -> None:
    data = a4.read_bytes()
    with pytest.raises(PrintPdfError, match=r"^ad\.pdf is incomplete: .*\(%%EOF\)"):
        inspect_print_pdf(saved(tmp_path, data[: len(data) // 2]), "ad.pdf")


def test_a_damaged_pdf_is_refused(tmp_path: Path) -> None:
    data = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\ntrailer\n<< /Root 99 0 R >>\n%%EOF\n"
    with pytest.raises(PrintPdfError, match=r"^ad\.pdf is a damaged PDF that cannot be read"):
        inspect_print_pdf(saved(tmp_path, data), "ad.pdf")


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PrintPdfError, match=r"^ad\.pdf is password-protected \(encrypted\)"):
        inspect_print_pdf(saved(tmp_path, buffer.getvalue()), "ad.pdf")


def test_limits(a4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = "<p>1</p><p style='break-before: page'>2</p><p style='break-before: page'>3</p>"
    three = weasy(tmp_path / "three.pdf", html)
    monkeypatch.setattr(printpdf, "MAX_PAGES", 2)
    with pytest.raises(PrintPdfError, match=r"^three\.pdf has 3 pages; a print ad may have at"):
        inspect_print_pdf(three, "three.pdf")
    monkeypatch.setattr(printpdf, "MAX_PDF_BYTES", 1024)
    with pytest.raises(PrintPdfError, match=r"^a4\.pdf is .* MB; a print PDF may be at most"):
        inspect_print_pdf(a4, "a4.pdf")


def test_a_page_count_the_page_tree_declares_is_refused_before_counting(tmp_path: Path) -> None:
    data = handwritten(b"0 g", count=5_000_000)
    with pytest.raises(PrintPdfError, match=r"^ad\.pdf has 5,000,000 pages; a print ad may"):
        inspect_print_pdf(saved(tmp_path, data), "ad.pdf")


def test_print_pdf_errors_are_unsafe_files() -> None:
    assert issubclass(PrintPdfError, UnsafeFile)
