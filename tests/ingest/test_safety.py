import io
import itertools
import os
import random
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mediadesk.ingest import safety
from mediadesk.ingest.safety import UnsafeFile, check_xlsx, detect_kind, scan_xlsx
from mediadesk.ingest.tables import read_table

from .files import crc32, members, patch_member, rezip, simple_xlsx, xlsx, zip_bomb

SHEET = "xl/worksheets/sheet1.xml"
RESAVE = "Open it in Excel, save it again as .xlsx and upload the new file."


def refused(data: bytes, filename: str) -> str:
    with pytest.raises(UnsafeFile) as caught:
        detect_kind(data, filename)
    return str(caught.value)


@pytest.fixture
def workbook() -> bytes:
    return simple_xlsx([["Campaign", "Cost"], ["Brand", 12.5]])


def test_kinds_follow_extension_and_content(workbook: bytes) -> None:
    assert detect_kind(workbook, "plan.xlsx") == "xlsx"
    assert detect_kind(workbook, "C:\\fakepath\\PLAN.XLSX") == "xlsx"
    assert detect_kind(b"Campaign,Cost\nBrand,12.5\n", "plan.csv") == "csv"
    assert detect_kind(b"Campaign\tCost\n", "plan.tsv") == "csv"
    assert detect_kind(b"Campaign;Cost\n", "plan.txt") == "csv"
    assert detect_kind("Campaign\tCost\r\n".encode("utf-16"), "report.csv") == "csv"
    assert detect_kind(b'\xef\xbb\xbf \n{"plan": []}', "plan.json") == "json"
    assert detect_kind(b"[1, 2]", "plan.json") == "json"


def test_unknown_extension_lists_the_accepted_ones() -> None:
    assert refused(b"MZ\x90\x00", "setup.exe") == (
        "setup.exe is not a file type mediadesk reads; upload a .xlsx, .csv, .tsv, .txt or "
        ".json file."
    )
    assert refused(b"\xd0\xcf\x11\xe0", "old.xls") == (
        "old.xls is not a file type mediadesk reads; upload a .xlsx, .csv, .tsv, .txt or .json "
        "file. Save it as .xlsx or .csv and upload again."
    )


def test_a_file_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_UPLOAD_BYTES", 1024 * 1024)
    assert refused(b"a,b\n" * (400 * 1024), "big.csv") == (
        "big.csv is 1.6 MB; mediadesk accepts files up to 1 MB. Split it into smaller files "
        "(for example one per month) and upload them one by one."
    )
    assert detect_kind(b"a,b\n" * 1024, "small.csv") == "csv"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "budget.xlsx is not an Excel workbook (it looks like a PDF). "
            "Save it as .xlsx and upload again.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "budget.xlsx is not an Excel workbook (it looks like an old Excel 97–2003 .xls file "
            "or a password-protected workbook). Open it in Excel, remove any password, save it "
            "as .xlsx and upload again.",
        ),
        (
            b"Campaign,Cost\r\nBrand,12.50\r\n",
            "budget.xlsx is not an Excel workbook (it looks like a CSV or text file). "
            "Rename it to .csv, or save it as .xlsx, and upload again.",
        ),
        (
            b"<html><body><table><tr><td>Cost</td></tr></table></body></html>",
            "budget.xlsx is not an Excel workbook (it looks like a web page (HTML)). "
            "Save it as .xlsx and upload again.",
        ),
        (
            b"",
            "budget.xlsx is not an Excel workbook (it looks like a CSV or text file). "
            "Rename it to .csv, or save it as .xlsx, and upload again.",
        ),
    ],
)
def test_renamed_files_are_not_workbooks(content: bytes, message: str) -> None:
    assert refused(content, "budget.xlsx") == message


def test_a_word_document_renamed_to_xlsx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert refused(buffer.getvalue(), "budget.xlsx") == (
        "budget.xlsx is not an Excel workbook (it looks like a Word document). "
        "Save it as .xlsx and upload again."
    )


def test_text_files_must_be_text(workbook: bytes) -> None:
    assert refused(b"Campaign,Cost\x00\x00\x01", "export.csv") == (
        "export.csv is not a text file (it contains binary data). "
        "Export it again as CSV (UTF-8) and upload the new file."
    )
    assert refused(workbook, "export.csv") == (
        "export.csv is not a text file (it is an Excel workbook). "
        "Rename it to .xlsx and upload again."
    )
    assert refused(b"%PDF-1.4\n", "export.txt") == (
        "export.txt is not a text file (it looks like a PDF). "
        "Export it again as CSV and upload the new file."
    )


def test_json_must_start_like_json() -> None:
    assert refused(b"plan,cost\n", "plan.json") == (
        "plan.json is not a JSON file (it does not start with { or [). "
        "Export it again as JSON and upload the new file."
    )
    assert refused(b"%PDF-1.4", "plan.json") == (
        "plan.json is not a JSON file (it does not start with { or [; it looks like a PDF). "
        "Export it again as JSON and upload the new file."
    )


# --- damaged and hostile workbooks ------------------------------------------------------------


def test_a_truncated_workbook_is_damaged(workbook: bytes) -> None:
    assert refused(workbook[: len(workbook) // 2], "plan.xlsx") == (
        f"plan.xlsx is damaged or incomplete. {RESAVE}"
    )


def test_a_corrupted_member_is_damaged(workbook: bytes) -> None:
    info = zipfile.ZipFile(io.BytesIO(workbook)).getinfo(SHEET)
    start = info.header_offset + 30 + len(SHEET)
    broken = bytearray(workbook)
    for at in range(start + 20, start + 40):
        broken[at] ^= 0x5A
    message = refused(bytes(broken), "plan.xlsx")
    assert message in (
        f"plan.xlsx is damaged or incomplete ({SHEET} cannot be unpacked). {RESAVE}",
        f"plan.xlsx is damaged or incomplete ({SHEET} does not match its checksum). {RESAVE}",
    )


def test_a_wrong_checksum_is_damaged(workbook: bytes) -> None:
    doctored = patch_member(workbook, SHEET, crc=12345)
    assert refused(doctored, "plan.xlsx") == (
        f"plan.xlsx is damaged or incomplete ({SHEET} does not match its checksum). {RESAVE}"
    )


def test_a_zip_bomb(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", megabytes=300)
    assert len(bomb) < 1024 * 1024
    started = time.perf_counter()
    message = refused(bomb, "bomb.xlsx")
    assert time.perf_counter() - started < 1  # refused from the directory, nothing inflated
    ratio = 300 * 1024 * 1024 / zipfile.ZipFile(io.BytesIO(bomb)).getinfo(SHEET).compress_size
    assert message == (
        f"bomb.xlsx looks like a zip bomb: {SHEET} would unpack to 300 MB, {ratio:,.0f} times "
        "its packed size (a workbook stays under 200:1). mediadesk does not open it; export or "
        "save the file again and upload it."
    )


def test_a_member_that_inflates_past_its_declared_size(workbook: bytes) -> None:
    """The directory says 1,000 bytes with a CRC that fits them (zipfile would trust that and
    stop there); the data inflates to 2 MB, which other readers would take in whole."""
    content = members(workbook)[SHEET].replace(b"</sheetData>", b"</sheetData>" + b" " * 2**21)
    doctored = rezip(workbook, replace={SHEET: content})
    doctored = patch_member(doctored, SHEET, file_size=1000, crc=crc32(content[:1000]))
    with zipfile.ZipFile(io.BytesIO(doctored)) as archive:
        assert len(archive.read(SHEET)) == 1000  # what zipfile alone would let through
    assert refused(doctored, "plan.xlsx") == (
        f"plan.xlsx has been tampered with: {SHEET} unpacks to more than the 1,000 bytes its "
        f"directory declares. mediadesk does not open it. {RESAVE}"
    )


def test_a_member_over_200_mb(workbook: bytes) -> None:
    noise = os.urandom(2 * 1024 * 1024)  # stored: ratio 1:1 as declared, size faked to 250 MB
    doctored = rezip(workbook, add={"xl/media/image1.png": noise}, method=zipfile.ZIP_STORED)
    doctored = patch_member(doctored, "xl/media/image1.png", file_size=250 * 1024 * 1024)
    assert refused(doctored, "plan.xlsx") == (
        "plan.xlsx is too large to open: xl/media/image1.png unpacks to 250 MB (at most 200 MB "
        "per part). Split the data over smaller files and upload them one by one."
    )


def test_more_than_500_mb_in_all(workbook: bytes) -> None:
    images = {f"xl/media/image{i}.png": os.urandom(1024 * 1024) for i in range(3)}
    doctored = rezip(workbook, add=images, method=zipfile.ZIP_STORED)
    for part in images:
        doctored = patch_member(doctored, part, file_size=190 * 1024 * 1024)
    assert refused(doctored, "plan.xlsx") == (
        "plan.xlsx is too large to open: it unpacks to 570 MB (at most 500 MB). Split the data "
        "over smaller files and upload them one by one."
    )


@pytest.mark.parametrize("path", ["../../evil.xml", "/etc/cron.d/evil", "xl/../../evil.xml"])
def test_member_paths_that_climb_out(workbook: bytes, path: str) -> None:
    doctored = rezip(workbook, add={path: b"<x/>"})
    assert refused(doctored, "plan.xlsx") == (
        f"plan.xlsx contains a file with an unsafe path ({path!r}), which Excel never writes. "
        f"{RESAVE}"
    )


def test_encrypted_members(workbook: bytes) -> None:
    doctored = patch_member(workbook, SHEET, flag_bits=0x1)
    assert refused(doctored, "plan.xlsx") == (
        f"plan.xlsx is encrypted ({SHEET} is password-protected). Remove the password in Excel, "
        "save it as .xlsx and upload again."
    )


def test_more_than_2000_members(workbook: bytes) -> None:
    doctored = rezip(workbook, add={f"xl/media/{i}.txt": b"" for i in range(2000)})
    assert refused(doctored, "plan.xlsx") == (
        "plan.xlsx holds 2,010 files inside; an Excel workbook holds far fewer (mediadesk opens "
        f"at most 2,000). {RESAVE}"
    )


def test_compression_excel_never_writes(workbook: bytes) -> None:
    doctored = rezip(workbook, method=zipfile.ZIP_BZIP2)
    assert refused(doctored, "plan.xlsx") == (
        "plan.xlsx uses a compression method Excel never writes (method 12 in "
        f"[Content_Types].xml). {RESAVE}"
    )


def test_xml_with_a_doctype_is_refused(workbook: bytes) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<sst><si><t>&lol2;</t></si></sst>"
    )
    doctored = rezip(workbook, replace={"xl/sharedStrings.xml": laughs})
    assert refused(doctored, "plan.xlsx") == (
        "plan.xlsx contains an XML document type declaration (xl/sharedStrings.xml), which "
        "Excel never writes and which can be used to attack the software reading it. mediadesk "
        "does not open it. Save the file again from Excel and upload it."
    )


def test_xml_that_is_not_well_formed(workbook: bytes) -> None:
    content = members(workbook)[SHEET].replace(b"</sheetData>", b"</sheetDat>")
    doctored = rezip(workbook, replace={SHEET: content})
    message = refused(doctored, "plan.xlsx")
    assert message.startswith(f"plan.xlsx is damaged or incomplete ({SHEET} cannot be read: ")
    assert message.endswith(f"). {RESAVE}")


def test_a_sheet_pointing_outside_the_checked_parts(workbook: bytes) -> None:
    rels = members(workbook)["xl/_rels/workbook.xml.rels"]
    doctored = rezip(
        workbook,
        replace={"xl/_rels/workbook.xml.rels": rels.replace(b"worksheets/sheet1.xml", b"data.bin")},
        add={"xl/data.bin": members(workbook)[SHEET]},
    )
    assert refused(doctored, "plan.xlsx") == (
        "plan.xlsx is damaged or incomplete (sheet 'Sheet1' points to a part that is missing). "
        f"{RESAVE}"
    )


def test_a_sparse_sheet_bomb_never_reaches_the_reader() -> None:
    """Two values, in A1 and XFD1048576: 5 kB on disk, 17 billion cells for calamine, which
    aborts the whole process (Rust out of memory) instead of raising."""

    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("Lines")
        sheet.write(0, 0, "Campaign")
        sheet.write(1048575, 16383, "stray")

    bomb = xlsx(build)
    assert len(bomb) < 10_000
    expected = (
        "plan.xlsx cannot be opened safely: sheet Lines reaches cell XFD1048576 (1,048,576 rows "
        "× 16,384 columns), more than the 10,000,000 cells mediadesk reads from one sheet. "
        "Delete the stray cells far below or to the right of the data (Ctrl+End in Excel shows "
        "the last used cell), save and upload again."
    )
    assert refused(bomb, "plan.xlsx") == expected
    with pytest.raises(UnsafeFile, match="cannot be opened safely"):
        read_table(bomb, "plan.xlsx")


def test_style_only_cells_do_not_count(workbook: bytes) -> None:
    def build(book: Any) -> None:
        sheet = book.add_worksheet("Lines")
        sheet.write_row(0, 0, ["Campaign", "Cost"])
        sheet.write_blank(1048575, 16383, None, book.add_format({"bold": True}))

    scan = scan_xlsx(xlsx(build), "plan.xlsx")
    assert (scan.sheets[0].rows, scan.sheets[0].columns) == (1, 2)


def test_check_xlsx_passes_real_workbooks(workbook: bytes) -> None:
    check_xlsx(workbook, "plan.xlsx")
    scan = scan_xlsx(workbook, "plan.xlsx")
    assert [(s.name, s.state, s.part, s.rows, s.columns) for s in scan.sheets] == [
        ("Sheet1", "visible", SHEET, 2, 2)
    ]


def test_cells_without_references_are_placed_as_readers_place_them(workbook: bytes) -> None:
    """No r attributes: each cell takes the next column, each row the next number."""
    cells = "".join(f'<c t="inlineStr"><is><t>{i}</t></is></c>' for i in range(10))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData><row r="1048575"/><row>{cells}</row>'
        "</sheetData></worksheet>"
    ).encode()
    doctored = rezip(workbook, replace={SHEET: sheet})
    assert "reaches cell J1048576 (1,048,576 rows × 10 columns)" in refused(doctored, "plan.xlsx")


def test_hidden_rows_written_as_true(workbook: bytes) -> None:
    sheet = members(workbook)[SHEET].replace(b'<row r="2"', b'<row hidden="true" r="2"')
    scan = scan_xlsx(rezip(workbook, replace={SHEET: sheet}), "plan.xlsx")
    assert scan.sheets[0].hidden_rows == frozenset({2})


# --- the fast reading of sheets ---------------------------------------------------------------

WORKSHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas'
    '.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><dimension ref="A1:B2"/><sheetData>{rows}</sheetData>'
    "{after}</worksheet>"
)
FAR = "XFD1048576"
TOO_FAR = f"reaches cell {FAR} (1,048,576 rows × 16,384 columns)"


def worksheet(rows: str, after: str = "") -> bytes:
    return WORKSHEET.format(rows=rows, after=after).encode()


def plain_rows(count: int, start: int = 1) -> str:
    return "".join(
        f'<row r="{n}" spans="1:3"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}"><v>{n}</v></c>'
        f'<c r="C{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(start, start + count)
    )


def facts(scanner: Any) -> tuple[object, ...]:
    return (
        scanner.rows,
        scanner.columns,
        frozenset(scanner.hidden_rows),
        tuple(scanner.merged_ranges),
        dict(scanner.error_cells),
    )


def exact_facts(content: bytes) -> tuple[object, ...]:
    scanner = safety._PartScanner(SHEET)
    scanner.feed(content)
    scanner.close()
    return facts(scanner)


def fast_facts(content: bytes, cuts: list[int]) -> tuple[object, ...] | None:
    """What the fast reading sees when the bytes arrive cut at ``cuts``; None if it defers."""
    scanner = safety._FastScanner(SHEET)
    try:
        for start, end in zip([0, *cuts], [*cuts, len(content)], strict=True):
            scanner.feed(content[start:end])
        scanner.close()
    except safety._NeedsExactScan:
        return None
    return facts(scanner)


def every_way(content: bytes) -> list[list[int]]:
    """The bytes whole, in pieces of a few sizes, and cut once at every offset of interest."""
    ways = [[], *[list(range(size, len(content), size)) for size in (1, 7, 64, 1000)]]
    at = content.find(b"<c", content.find(b"<sheetData>"))
    return ways + [[cut] for cut in range(max(at - 3, 1), min(at + 24, len(content)))]


PLAIN = [
    plain_rows(3),
    plain_rows(2) + f'<row r="1048576"><c r="{FAR}"><v>1</v></c></row>',
    '<row r="1"><c r="XFD1" t="n"><f>1+1</f><v>2</v></c></row>' + plain_rows(2, start=2),
    plain_rows(2) + '<row r="9" hidden="1"><c r="A9"><v>1</v></c></row>',
    plain_rows(2) + "<row r=\"9\" spans='1:2' hidden = 'true'/>",
    plain_rows(2) + '<row r="9" hidden="0"><c r="A9"><v>1</v></c></row>',
    plain_rows(2) + '<row r="3"><c r="D3" t="e"><f>B3/0</f><v>#DIV/0!</v></c></row>',
    plain_rows(2) + '<row r="3"><c r="D3" t=\'e\'>\n<v> #N/A </v>\n</c><c r="E3" t="e"/></row>',
    plain_rows(2) + f'<row r="3"><c r="A3" s="1"/><c r="{FAR}" s="1"/><c r="Z3" s="2"></c></row>',
    plain_rows(1) + f'<row r="2"><c r="{FAR}" s="1"/><v>1</v></row>',  # calamine ignores the v
    plain_rows(2) + '<row r="3"><c r="B3">\n  <v>1</v>\n</c></row>',
    plain_rows(2)  # as LibreOffice writes rows
    + '<row r="9" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
    'outlineLevel="0" collapsed="false"><c r="A9" s="0" t="n"><v>1</v></c></row>',
]
PLAIN_AFTER = [
    '<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="A2:B2"/></mergeCells>',
    '<extLst><ext uri="x"><x14:dataValidations xmlns:x14="urn:x14" xmlns:xm="urn:xm">'
    "<x14:dataValidation><xm:f>Lists!$A$1:$A$9</xm:f></x14:dataValidation>"
    "</x14:dataValidations></ext></extLst>",
]
# Forms the fast reading leaves to the exact one (it must notice them wherever the cuts fall).
ODD = [
    plain_rows(2) + f'<row r="1048576"><c s="1" r="{FAR}"><v>1</v></c></row>',
    plain_rows(2) + f'<row r="1048576"><c\nr="{FAR}"><v>1</v></c></row>',
    plain_rows(2) + f"<row r=\"1048576\"><c r='{FAR}'><v>1</v></c></row>",
    plain_rows(2) + '<row r="9"><c r="XFD09"><v>1</v></c></row>',
    plain_rows(2) + '<row r="1048576"><c r="&#88;FD1048576"><v>1</v></c></row>',
    plain_rows(2) + '<row r="1048576"><c r="XFC1048576"><v>1</v></c><c><v>1</v></c></row>',
    plain_rows(2) + '<row r="1048575"/><row><c><v>1</v></c></row>',
    plain_rows(2) + f'<row r="1048576"><x:c xmlns:x="urn:x" r="{FAR}"><x:v>1</x:v></x:c></row>',
    plain_rows(2) + f'<row r="9"><c r="{FAR}"><x:v xmlns:x="urn:x">1</x:v></c></row>',
    plain_rows(2) + f'<row r="9"><c r="{FAR}" a="/>"><v>1</v></c></row>',
    plain_rows(2) + f'<row r="9"><c r="{FAR}" a="x>y"><v>1</v></c></row>',
    plain_rows(2) + f'<row r="9"><c r="{FAR}"><!-- x --><v>1</v></c></row>',
    plain_rows(2) + f'<!-- <row r="9"><c r="{FAR}"><v>1</v></c></row> -->',
    plain_rows(2) + f'<row r="9"><c r="{FAR}"><![CDATA[<v>]]><v>1</v></c></row>',
    plain_rows(2) + '<?pi <c r="XFD9"><v>1</v></c>?><row r="9"/>',
    plain_rows(2) + '<row hidden="1" r="9"/>',
    plain_rows(2) + '<row r="9" hidden="&#49;"/>',
    plain_rows(2) + '<row r="x9"/>',
    plain_rows(2) + '<row r="3"><c r="D3" t="&#101;"><v>#REF!</v></c></row>',
    plain_rows(2) + '<row r="3"><c r="D3" t="e"><v>#N/A</v>junk</c></row>',
    plain_rows(2) + '<row r="3"><c r="D3" t="e"><v>a&amp;b</v></c></row>',
]
ODD_AFTER = ['<mergeCells count="1"><mergeCell ref="A1:&#66;2"/></mergeCells>']


@pytest.mark.parametrize(
    "content",
    [worksheet(rows) for rows in PLAIN]
    + [worksheet(plain_rows(3), after) for after in PLAIN_AFTER],
)
def test_the_fast_reading_agrees_with_the_exact_one(content: bytes) -> None:
    """Plain sheets (what every writer produces) are read without a handler per element, with
    the same result as the exact reading, wherever the pieces end: a cell reference cut in
    two by an inflate step must still be seen."""
    expected = exact_facts(content)
    for cuts in every_way(content):
        assert fast_facts(content, cuts) == expected, cuts


@pytest.mark.parametrize(
    "content",
    [worksheet(rows) for rows in ODD] + [worksheet(plain_rows(3), after) for after in ODD_AFTER],
)
def test_the_fast_reading_defers_what_it_does_not_cover(content: bytes) -> None:
    for cuts in every_way(content):
        assert fast_facts(content, cuts) is None, cuts


def test_what_each_reading_sees_in_odd_sheets() -> None:
    """The forms the fast reading defers, read the exact way: a far cell counts wherever
    calamine would place it, and not where calamine would not (in a comment, or a value outside
    its cell)."""
    far = (1048576, 16384)
    extents = [exact_facts(worksheet(rows))[:2] for rows in ODD[:10]]
    nine = (9, 16384)
    assert extents == [far, far, far, nine, far, far, (1048576, 3), far, far, far]
    assert exact_facts(worksheet(ODD[12]))[:2] == (2, 3)  # commented out
    assert exact_facts(worksheet(PLAIN[9]))[:2] == (1, 3)  # a value after an empty cell
    assert exact_facts(worksheet(ODD[16]))[2] == frozenset({9})
    assert exact_facts(worksheet(ODD[18]))[4] == {(3, 4): "#REF!"}
    assert exact_facts(worksheet(ODD[19]))[4] == {(3, 4): "#N/A"}
    assert exact_facts(worksheet(ODD[20]))[4] == {(3, 4): "a&b"}
    assert exact_facts(worksheet(plain_rows(3), ODD_AFTER[0]))[3] == ("A1:B2",)


def test_facts_recorded_by_the_fast_reading() -> None:
    seen = [fast_facts(worksheet(rows), []) for rows in PLAIN]
    assert [facts[:2] if facts else None for facts in seen[:3]] == [
        (3, 3),
        (1048576, 16384),
        (3, 16384),
    ]
    assert [facts[2] if facts else None for facts in seen[3:6]] == [
        frozenset({9}),
        frozenset({9}),
        frozenset(),
    ]
    assert [facts[4] if facts else None for facts in seen[6:8]] == [
        {(3, 4): "#DIV/0!"},
        {(3, 4): "#N/A"},
    ]
    assert [facts[:2] if facts else None for facts in seen[8:]] == [(2, 3), (1, 3), (3, 3), (9, 3)]
    assert seen[11] is not None
    assert seen[11][2] == frozenset()
    merged = fast_facts(worksheet(plain_rows(3), PLAIN_AFTER[0]), [])
    assert merged is not None
    assert merged[3] == ("A1:C1", "A2:B2")


def test_a_far_cell_among_many_whatever_the_inflate_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value in XFD1048576 between thousands of plain rows, stored (so that the inflate steps
    are exactly _CHUNK bytes) and cut at every offset of its reference."""
    rows = plain_rows(3000) + f'<row r="1048576"><c r="{FAR}"><v>1</v></c></row>'
    content = worksheet(rows + plain_rows(3000, start=3001).replace('r="3', 'r="9'))
    workbook = rezip(simple_xlsx([["a"]]), replace={SHEET: content}, method=zipfile.ZIP_STORED)
    at = content.find(f'<c r="{FAR}"'.encode())
    for cut in range(at - 2, at + 16):
        monkeypatch.setattr(safety, "_CHUNK", cut)
        monkeypatch.setattr(safety, "_RECENT_SCANS", {})
        assert TOO_FAR in refused(workbook, "plan.xlsx"), cut


@pytest.mark.parametrize("rows", [ODD[0], ODD[5], ODD[7], ODD[9]])
def test_far_cells_the_fast_reading_defers_are_refused(workbook: bytes, rows: str) -> None:
    doctored = rezip(workbook, replace={SHEET: worksheet(rows)})
    message = refused(doctored, "plan.xlsx")
    assert "cannot be opened safely" in message
    assert "reaches cell XFD" in message


def test_a_workbook_from_a_writer_is_read_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the two parts that name the sheets get a handler per element."""

    def build(book: Any) -> None:
        sheet = book.add_worksheet("Lines")
        sheet.write_row(0, 0, ["Campaign", "Cost", "CPC"])
        sheet.write_row(1, 0, ["Brand", 10])
        sheet.write_formula(1, 2, "=B2/0", None, "#DIV/0!")
        sheet.write_row(2, 0, ["Hidden", 5])
        sheet.set_row(2, None, None, {"hidden": True})
        sheet.merge_range("A4:C4", "Total")
        sheet.write_comment("A1", "a note")
        sheet.data_validation("B2:B9", {"validate": "integer", "criteria": ">", "value": 0})
        book.add_worksheet("Notes").write("A1", "Children's & adults' \"e\" notes")

    exact: list[str] = []

    class Recording(safety._PartScanner):
        def __init__(self, part: str) -> None:
            exact.append(part)
            super().__init__(part)

    monkeypatch.setattr(safety, "_PartScanner", Recording)
    scan = scan_xlsx(xlsx(build), "plan.xlsx")
    assert sorted(exact) == ["xl/_rels/workbook.xml.rels", "xl/workbook.xml"]
    lines = scan.sheets[0]
    assert (lines.rows, lines.columns) == (4, 3)
    assert lines.hidden_rows == frozenset({3})
    assert lines.merged_ranges == ("A4:C4",)
    assert dict(lines.error_cells) == {(2, 3): "#DIV/0!"}


def test_the_claim_pattern_matches_exactly_the_cells_past_it() -> None:
    rng = random.Random(20261129)
    columns = [0, 1, 9, 10, 26, 27, 52, 676, 702, 703, 16384, 18277, 18278]
    rows = [0, 1, 9, 10, 99, 100, 100001, 999999, 1000000, 1048576, 9999999]
    for column_claim, row_claim in itertools.product(columns, rows):
        pattern = safety._beyond(column_claim, row_claim)
        for _ in range(40):
            column = rng.choice(
                [column_claim - 1, column_claim, column_claim + 1, rng.randint(1, 18278)]
            )
            row = rng.choice([row_claim - 1, row_claim, row_claim + 1, rng.randint(1, 9999999)])
            if 1 <= column <= 18278 and 1 <= row <= 9999999:
                reference = f"{safety.column_letters(column)}{row}"
                tag = f'<c r="{reference}" s="1">'.encode()
                past = column > column_claim or row > row_claim
                assert (pattern.search(tag) is not None) == past, (column_claim, row_claim, tag)
                for empty in (f'<c r="{reference}" s="1"/>', f'<c r="{reference}"\n></c>'):
                    assert pattern.search(empty.encode()) is None, empty  # counts for nothing
    for odd in [
        b'<c r="A01">',
        b'<c r="A0">',
        b'<c s="1" r="A1">',
        b'<c\tr="A1">',
        b"<c>",
        b"<c/>",
    ]:
        assert safety._beyond(18278, 9999999).search(odd) is not None, odd
    assert safety._beyond(18278, 9999999).search(b'<c r="ZZZ9999999"><col/><cols>') is None
    assert safety._beyond(1, 1).search(b'<c r="B2" a="/>">') is not None  # not empty
    assert safety._beyond(1, 1).search(b'<c r="B2" a="/>"/>') is None


PLAIN_CELLS = [
    '<c r="{ref}"><v>7</v></c>',
    '<c r="{ref}" t="s" s="2"><v>0</v></c>',
    '<c r="{ref}" t="inlineStr"><is><t>x &amp; y</t></is></c>',
    '<c r="{ref}"><f>A1+1</f><v>2</v></c>',
    '<c r="{ref}" s="1"/>',
    '<c r="{ref}" s="1"></c>',
    '<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    "<c r=\"{ref}\" t='e'><v>#N/A</v></c>",
    '<c r="{ref}" t="e"/>',
]
ODD_CELLS = [
    '<c s="1" r="{ref}"><v>1</v></c>',
    "<c><v>1</v></c>",
    '<c\nr="{ref}"><v>1</v></c>',
    '<c r="{ref}"><!-- x --><v>1</v></c>',
    '<x:c xmlns:x="urn:x" r="{ref}"><x:v>1</x:v></x:c>',
    '<c r="{ref}" a="/>"><v>1</v></c>',
    '<c r="{ref}" t="e"><v>a&amp;b</v></c>',
    '<c r="{ref}" s="1"/><v>1</v>',
    "<c r='{ref}'><v>1</v></c>",
]
PLAIN_ROWS = ['<row r="{n}">{cells}</row>', '<row r="{n}" spans="1:3" hidden="1">{cells}</row>']
ODD_ROWS = ["<row>{cells}</row>", '<row hidden="1" r="{n}">{cells}</row>']


def random_sheet(rng: random.Random, odd: float) -> tuple[bytes, bool]:
    rows, plain, number = [], True, 0
    for _ in range(rng.randint(0, 30)):
        number = rng.choice([number + 1, number + 1, number + rng.randint(2, 40)])
        number = number if rng.random() > 0.05 else rng.randint(1, 1048576)
        cells = []
        for _ in range(rng.randint(0, 6)):
            kind = rng.choice(ODD_CELLS) if rng.random() < odd else rng.choice(PLAIN_CELLS)
            plain = plain and kind in PLAIN_CELLS
            column = rng.choice([rng.randint(1, 12), rng.randint(1, 16384)])
            cells.append(kind.format(ref=f"{safety.column_letters(column)}{number}"))
        row = rng.choice(ODD_ROWS) if rng.random() < odd else rng.choice(PLAIN_ROWS)
        plain = plain and row in PLAIN_ROWS
        rows.append(row.format(n=number, cells="".join(cells)))
    merges = '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>' * rng.randint(0, 1)
    return worksheet("".join(rows), merges), plain


def test_random_sheets_read_both_ways() -> None:
    rng = random.Random(4242)
    for _ in range(400):
        content, plain = random_sheet(rng, odd=rng.choice([0.0, 0.02, 0.2]))
        size = rng.choice([1, 5, 33, 256, 4096])
        seen = fast_facts(content, list(range(size, len(content), size)))
        if seen is None:
            assert not plain, content  # only what the patterns do not cover is deferred
        else:
            assert seen == exact_facts(content), content


def test_tags_crafted_to_make_the_patterns_slow() -> None:
    """Each tag and each run of text is read once, however many "e" or "hidden" it holds."""
    many_e = " ".join(f'a{i}="e"' for i in range(100_000))
    many_hidden = " ".join(f'hidden{i}="1"' for i in range(50_000))
    quoted_e = '"e" &quot;e&quot; ' * 50_000
    rows = (
        f'<row r="1" {many_hidden}><c r="A1" t="e" {many_e}><v>#N/A</v></c>'
        f'<c r="B1" t="inlineStr"><is><t>{quoted_e}</t></is></c></row>'
    )
    content = worksheet(rows)
    started = time.perf_counter()
    seen = fast_facts(content, [])
    assert time.perf_counter() - started < 2
    assert seen == exact_facts(content)
    assert seen is not None
    assert seen[4] == {(1, 1): "#N/A"}
