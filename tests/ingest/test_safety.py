import io
import os
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
