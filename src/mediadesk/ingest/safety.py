"""Files from outside are hostile until checked (DESIGN.md, rule 9).

Every uploaded file passes ``detect_kind`` before anything reads it: the size is limited, the
content must match the extension by its magic bytes, and a workbook passes ``check_xlsx``.

``check_xlsx`` is the one pass over a workbook that every XLSX reader waits for. No XLSX reader we
use limits anything itself (calamine inflates whatever the zip says, and builds each sheet as a
dense grid from A1 to the last used cell), so this pass:

- opens the zip directory and refuses damaged zips, more than 2,000 members, absolute or ``..``
  member paths, encrypted members, compression methods Excel never writes, members above 200 MB
  or above a 200:1 compression ratio (when larger than 1 MB), and more than 500 MB in all;
- inflates every member itself, in 1 MB steps, and stops as soon as one grows past its declared
  size (the directory's sizes are not trusted), then checks the CRC;
- refuses XML with a document type declaration (``<!DOCTYPE``: entity expansion attacks) or in an
  encoding other than UTF-8, and XML that is not well-formed;
- refuses a sheet whose used area exceeds ``MAX_SHEET_CELLS``, computed from the references of
  the cells that hold a value, formula or inline text (never from ``<dimension>``, which can lie):
  a 5 kB workbook with values in A1 and XFD1048576 would otherwise make the reader allocate 17
  billion cells and abort the process. The same pass records the hidden rows, merged ranges and
  error cells (``#DIV/0!``) of each sheet, which readers can take from ``scan_xlsx`` instead of
  parsing the sheet again.

Every XML part is parsed by expat, which checks that it is well-formed. For the two parts that
name the sheets (``xl/workbook.xml`` and its relationships) a Python handler sees every element
(``_PartScanner``, the exact reading). Every other part, the sheets among them, goes through
``_FastScanner``: expat with no element handlers, plus compiled patterns over the same bytes for
the cell references, hidden rows, merges and error cells. A handler call per element costs more
than calamine's whole read of the sheet; the patterns cost a few passes at C speed. The patterns
only cover the plain form the writers we know produce (``<c r="B7" ...>`` with the reference
first, unprefixed tags, no comments, CDATA or character references in what is read); whenever a
part holds anything else, the fast reading gives up and the part is inflated and read again the
exact way, so both readings always agree.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Literal, NoReturn
from xml.parsers import expat

Kind = Literal["xlsx", "csv", "json"]

# A year of daily keyword rows from one platform is a few hundred MB; beyond that, split it.
MAX_UPLOAD_BYTES: int = 256 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024  # small members may compress better than 200:1 (empty sheets)
MAX_SHEET_CELLS = 10_000_000  # rows × columns from A1 to the last used cell of one sheet
TEXT_SAMPLE_BYTES = 64 * 1024

EXTENSIONS: dict[str, Kind] = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
}
_ACCEPTED = ".xlsx, .csv, .tsv, .txt or .json"
_SPREADSHEET_EXTENSIONS = {".xls", ".xlsm", ".xlsb", ".ods", ".numbers", ".xltx"}
_RESAVE = "Open it in Excel, save it again as .xlsx and upload the new file."
_CHUNK = 1024 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then name and extra field lengths
_ROW_NUMBER = re.compile(r"[0-9]{1,7}")


class UnsafeFile(ValueError):
    """An uploaded file that mediadesk will not read; the message names the file and the fix."""


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What the safety pass saw in one sheet of a workbook (rows and columns count from 1)."""

    name: str
    state: str  # "visible", "hidden" or "veryHidden", as in the workbook XML
    part: str  # the sheet's XML member, e.g. "xl/worksheets/sheet1.xml"
    rows: int  # the last row with a value (0 for an empty sheet)
    columns: int  # the last column with a value
    hidden_rows: frozenset[int]
    merged_ranges: tuple[str, ...]
    error_cells: Mapping[tuple[int, int], str]  # (row, column) -> "#DIV/0!", "#N/A", ...


@dataclass(frozen=True, slots=True)
class WorkbookScan:
    sheets: tuple[SheetScan, ...]  # in workbook order

    def sheet(self, name: str) -> SheetScan | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file that passed the checks: its kind and, for a workbook, what the scan saw."""

    kind: Kind
    workbook: WorkbookScan | None = None


def display_name(filename: str) -> str:
    """The file's own name, without any folders a browser or a client put in front of it."""
    return re.split(r"[/\\]", filename.strip())[-1] or "The file"


def detect_kind(data: bytes, filename: str) -> Kind:
    """The kind of an uploaded file, after checking that its content matches its extension."""
    return check_upload(data, filename).kind


def check_upload(data: bytes, filename: str) -> CheckedFile:
    """``detect_kind`` that also returns the workbook scan, so readers need not scan again."""
    name = display_name(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnsafeFile(
            f"{name} is {_megabytes(len(data))} MB; mediadesk accepts files up to "
            f"{_megabytes(MAX_UPLOAD_BYTES)} MB. Split it into smaller files (for example one "
            "per month) and upload them one by one."
        )
    extension = posixpath.splitext(name.lower())[1]
    kind = EXTENSIONS.get(extension)
    if kind is None:
        advice = " Save it as .xlsx or .csv and upload again." * (
            extension in _SPREADSHEET_EXTENSIONS
        )
        raise UnsafeFile(
            f"{name} is not a file type mediadesk reads; upload a {_ACCEPTED} file.{advice}"
        )
    if kind == "xlsx":
        if not data.startswith(b"PK\x03\x04"):
            raise _not_a_workbook(name, _looks_like(data))
        return CheckedFile(kind, scan_xlsx(data, filename))
    if kind == "csv":
        _check_text(data, name)
    else:
        _check_json(data, name)
    return CheckedFile(kind)


def check_xlsx(data: bytes, filename: str) -> None:
    """Raise UnsafeFile unless the workbook is safe to hand to an XLSX reader (module docstring)."""
    scan_xlsx(data, filename)


def scan_xlsx(data: bytes, filename: str) -> WorkbookScan:
    """``check_xlsx``, returning what the pass saw in each sheet.

    The last few results are remembered by content digest (and limits), so that checking a file,
    listing its sheets and reading it costs one pass, not three.
    """
    key = (hashlib.sha256(data).digest(), _limits())
    with _RECENT_LOCK:
        known = _RECENT_SCANS.get(key)
    if known is not None:
        return known
    scan = _scan_xlsx(data, display_name(filename))
    with _RECENT_LOCK:
        _RECENT_SCANS[key] = scan
        while len(_RECENT_SCANS) > 4:
            del _RECENT_SCANS[next(iter(_RECENT_SCANS))]
    return scan


_RECENT_SCANS: dict[tuple[bytes, tuple[int, ...]], WorkbookScan] = {}
_RECENT_LOCK = threading.Lock()


def _limits() -> tuple[int, ...]:
    return (
        MAX_MEMBERS,
        MAX_MEMBER_BYTES,
        MAX_TOTAL_BYTES,
        MAX_RATIO,
        RATIO_MIN_BYTES,
        MAX_SHEET_CELLS,
    )


def _scan_xlsx(data: bytes, name: str) -> WorkbookScan:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise _damaged(name) from exc
    _check_directory(members, name)
    names = {member.orig_filename for member in members}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise _not_a_workbook(name, _zip_looks_like(names))
    parts: dict[str, _PartScanner | _FastScanner] = {}
    for member in members:
        part = member.orig_filename
        if part.lower().endswith(_XML_SUFFIXES):
            parts[part] = _scan_part(data, member, name)
        else:
            _inflate(data, member, name, [])
    sheets = _sheets(parts, name)
    for sheet in sheets:
        _check_extent(sheet, name)
    return WorkbookScan(sheets)


def _scan_part(data: bytes, member: zipfile.ZipInfo, name: str) -> _PartScanner | _FastScanner:
    """Inflate and read one XML part: the fast way if it can, else (again) the exact way."""
    part = member.orig_filename
    if part not in _WORKBOOK_PARTS:
        fast = _FastScanner(part)
        try:
            _inflate(data, member, name, [fast.feed])
            fast.close()
            return fast
        except _NeedsExactScan:
            # Something the patterns do not cover, or a part that is not well-formed: the exact
            # reading decides, with the same messages as ever (it is rare, so paying for a
            # second inflate is cheaper than keeping the part in memory).
            fast.discard()
    scanner = _PartScanner(part)
    try:
        _inflate(data, member, name, [_XmlGuard(name, part).feed, scanner.feed])
        scanner.close()
    except (expat.ExpatError, _BadPart) as exc:
        raise _damaged(name, f"{part} cannot be read: {exc}") from exc
    return scanner


# --- sizes, names and magic bytes -------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}".removesuffix(".0")


def _looks_like(data: bytes) -> str:
    """What a file's first bytes say it is, for messages ("it looks like a PDF")."""
    head = data[:4096]
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    magic = [
        (b"%PDF-", "a PDF"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old Excel 97–2003 .xls file or a password-protected workbook",
        ),
        (b"PK\x03\x04", "a zip archive"),
        (b"PK\x05\x06", "an empty zip archive"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    ]
    for prefix, description in magic:
        if head.startswith(prefix):
            return description
    if stripped.startswith((b"<html", b"<!doctype html")) or b"<table" in stripped[:512]:
        return "a web page (HTML)"
    if stripped.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "an Excel 2003 XML spreadsheet"
        return "an XML file"
    if stripped.startswith((b"{", b"[")):
        return "a JSON file"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head:
        return "a CSV or text file"
    return "an unknown kind of file"


def _zip_looks_like(names: set[str]) -> str:
    if "word/document.xml" in names:
        return "a Word document"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "xl/workbook.bin" in names:
        return "an Excel binary workbook (.xlsb)"
    if {"mimetype", "content.xml"} <= names:
        return "an OpenDocument file (.ods)"
    return "a zip archive"


def _not_a_workbook(name: str, looks_like: str) -> UnsafeFile:
    if looks_like == "a CSV or text file":
        advice = "Rename it to .csv, or save it as .xlsx, and upload again."
    elif looks_like.startswith("an old Excel"):
        advice = "Open it in Excel, remove any password, save it as .xlsx and upload again."
    else:
        advice = "Save it as .xlsx and upload again."
    return UnsafeFile(f"{name} is not an Excel workbook (it looks like {looks_like}). {advice}")


def _check_text(data: bytes, name: str) -> None:
    head = data[:TEXT_SAMPLE_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a byte order mark: NUL bytes are part of the text
    looks_like = _looks_like(head)
    if looks_like == "a zip archive":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    looks_like = "an Excel workbook"
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            pass
    if looks_like == "an Excel workbook":
        raise UnsafeFile(
            f"{name} is not a text file (it is an Excel workbook). "
            "Rename it to .xlsx and upload again."
        )
    if looks_like not in (
        "a CSV or text file",
        "an XML file",
        "a JSON file",
        "an unknown kind of file",
    ):
        raise UnsafeFile(
            f"{name} is not a text file (it looks like {looks_like}). "
            "Export it again as CSV and upload the new file."
        )
    if b"\x00" in head:
        raise UnsafeFile(
            f"{name} is not a text file (it contains binary data). "
            "Export it again as CSV (UTF-8) and upload the new file."
        )


def _check_json(data: bytes, name: str) -> None:
    start = data[:TEXT_SAMPLE_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not start.startswith((b"{", b"[")):
        looks_like = _looks_like(data)
        described = "" if looks_like == "a CSV or text file" else f"; it looks like {looks_like}"
        raise UnsafeFile(
            f"{name} is not a JSON file (it does not start with {{ or [{described}). "
            "Export it again as JSON and upload the new file."
        )


# --- the zip directory ------------------------------------------------------------------------


def _damaged(name: str, detail: str = "") -> UnsafeFile:
    why = f" ({detail})" if detail else ""
    return UnsafeFile(f"{name} is damaged or incomplete{why}. {_RESAVE}")


def _check_directory(members: list[zipfile.ZipInfo], name: str) -> None:
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile(
            f"{name} holds {len(members):,} files inside; an Excel workbook holds far fewer "
            f"(mediadesk opens at most {MAX_MEMBERS:,}). {_RESAVE}"
        )
    seen: set[str] = set()
    total = 0
    for member in members:
        part = member.orig_filename
        if _unsafe_path(part):
            raise UnsafeFile(
                f"{name} contains a file with an unsafe path ({part!r}), which Excel never "
                f"writes. {_RESAVE}"
            )
        if part in seen:
            raise UnsafeFile(f"{name} contains two files named {part!r}. {_RESAVE}")
        seen.add(part)
        if member.flag_bits & 0x1:
            raise UnsafeFile(
                f"{name} is encrypted ({part} is password-protected). Remove the password in "
                "Excel, save it as .xlsx and upload again."
            )
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeFile(
                f"{name} uses a compression method Excel never writes (method "
                f"{member.compress_type} in {part}). {_RESAVE}"
            )
        size = member.file_size
        if size > RATIO_MIN_BYTES and size > MAX_RATIO * max(member.compress_size, 1):
            ratio = size / max(member.compress_size, 1)
            raise UnsafeFile(
                f"{name} looks like a zip bomb: {part} would unpack to {_megabytes(size)} MB, "
                f"{ratio:,.0f} times its packed size (a workbook stays under {MAX_RATIO}:1). "
                "mediadesk does not open it; export or save the file again and upload it."
            )
        if size > MAX_MEMBER_BYTES:
            raise UnsafeFile(
                f"{name} is too large to open: {part} unpacks to {_megabytes(size)} MB "
                f"(at most {_megabytes(MAX_MEMBER_BYTES)} MB per part). Split the data over "
                "smaller files and upload them one by one."
            )
        total += size
    if total > MAX_TOTAL_BYTES:
        raise UnsafeFile(
            f"{name} is too large to open: it unpacks to {_megabytes(total)} MB (at most "
            f"{_megabytes(MAX_TOTAL_BYTES)} MB). Split the data over smaller files and upload "
            "them one by one."
        )


def _unsafe_path(part: str) -> bool:
    pieces = re.split(r"[/\\]", part)
    return (
        part.startswith(("/", "\\"))
        or re.match(r"[A-Za-z]:", part) is not None
        or ".." in pieces
        or "\x00" in part
    )


# --- inflating members ourselves --------------------------------------------------------------


def _inflate(
    data: bytes, member: zipfile.ZipInfo, name: str, sinks: list[Callable[[bytes], None]]
) -> None:
    """Stream one member's content to ``sinks`` in pieces of at most 1 MB.

    Reads the member's raw bytes at the offset the directory gives and inflates them with zlib
    directly: zipfile would silently stop at the declared size, hiding a member that grows past
    it from us but not from other readers.
    """
    part = member.orig_filename
    offset = member.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        raise _damaged(name, f"{part} is missing")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, offset)
    if signature != b"PK\x03\x04":
        raise _damaged(name, f"{part} is missing")
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + member.compress_size
    if end > len(data):
        raise _damaged(name, f"{part} is cut off")
    raw = memoryview(data)[start:end]
    declared = member.file_size
    produced = 0
    crc = 0

    def emit(piece: bytes) -> None:
        nonlocal produced, crc
        if not piece:
            return
        produced += len(piece)
        if produced > declared:
            raise UnsafeFile(
                f"{name} has been tampered with: {part} unpacks to more than the {declared:,} "
                f"bytes its directory declares. mediadesk does not open it. {_RESAVE}"
            )
        crc = zlib.crc32(piece, crc)
        for sink in sinks:
            sink(piece)

    if member.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(raw), _CHUNK):
            emit(bytes(raw[at : at + _CHUNK]))
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for at in range(0, len(raw), _CHUNK):
                pending: bytes | memoryview = raw[at : at + _CHUNK]
                while pending and not inflater.eof:
                    emit(inflater.decompress(pending, _CHUNK))
                    pending = inflater.unconsumed_tail
            while not inflater.eof and (piece := inflater.decompress(b"", _CHUNK)):
                emit(piece)
        except zlib.error as exc:
            raise _damaged(name, f"{part} cannot be unpacked") from exc
        if not inflater.eof:
            raise _damaged(name, f"{part} is cut off")
    if produced != declared or crc != member.CRC:
        raise _damaged(name, f"{part} does not match its checksum")


class _XmlGuard:
    """Refuses document type declarations and non-UTF-8 XML while the bytes stream past."""

    def __init__(self, name: str, part: str) -> None:
        self.name = name
        self.part = part
        self.tail = b""
        self.started = False

    def feed(self, piece: bytes) -> None:
        if not self.started:
            self.started = True
            head = piece[:4]
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
                raise UnsafeFile(
                    f"{self.name} contains XML in an encoding Excel never writes "
                    f"({self.part}). {_RESAVE}"
                )
        if b"<!DOCTYPE" in piece or b"<!DOCTYPE" in self.tail + piece[:16]:
            raise UnsafeFile(
                f"{self.name} contains an XML document type declaration ({self.part}), which "
                "Excel never writes and which can be used to attack the software reading it. "
                "mediadesk does not open it. Save the file again from Excel and upload it."
            )
        self.tail = piece[-16:]


# --- sheets -----------------------------------------------------------------------------------


class _BadPart(Exception):
    """A part whose XML is well-formed but not a sheet any reader could place (bad reference)."""


class _NeedsExactScan(Exception):
    """The fast reading met something its patterns do not cover; read the part the exact way."""


_WORKBOOK_PARTS = frozenset({"xl/workbook.xml", "xl/_rels/workbook.xml.rels"})


class _PartScanner:
    """Reads one XML part with expat, a handler per element: extent, hidden rows, merges, errors.

    The exact reading: the fast one (``_FastScanner``) must agree with it on every part it
    accepts. Cells count towards the extent when they hold something (a value, a formula or
    inline text: a ``v``, ``f`` or ``is`` element inside the cell), as they do for calamine;
    cells carrying only a style do not, and neither does a ``v`` outside any cell, which calamine
    ignores. Cells without a reference take the next column, and rows without a number the next
    row, as readers place them. The handler is a closure over local variables: it runs once per
    element (2.5 million times for a 100,000 × 10 sheet), which is why only parts the fast
    reading cannot take come here.
    """

    def __init__(self, part: str) -> None:
        self.part = part
        self.fed = False
        self.rows = 0
        self.columns = 0
        self.hidden_rows: set[int] = set()
        self.merged_ranges: list[str] = []
        self.error_cells: dict[tuple[int, int], str] = {}
        self.sheet_entries: list[dict[str, str]] = []
        self.relationships: list[dict[str, str]] = []
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_entity
        parser.StartElementHandler, self._finish = self._handlers(parser)
        self.parser: expat.XMLParserType | None = parser

    def feed(self, piece: bytes) -> None:
        assert self.parser is not None, "fed after close"
        self.fed = True
        self.parser.Parse(piece, False)

    def close(self) -> None:
        """Finish the part and let its parser go (a workbook may have 2,000 parts)."""
        parser, self.parser = self.parser, None
        if parser is None:
            return
        try:
            if self.fed:  # an empty part holds nothing to check
                parser.Parse(b"", True)
            self._finish()
        finally:  # the handlers refer back to the parser: clear them so it is freed at once
            parser.StartElementHandler = parser.EndElementHandler = None
            parser.CharacterDataHandler = None

    def _handlers(
        self, parser: expat.XMLParserType
    ) -> tuple[Callable[[str, dict[str, str]], None], Callable[[], None]]:
        kinds: dict[str, int] = {}
        columns: dict[str, int] = {}
        row = cell_row = cell_column = rows = last_column = 0
        in_cell = is_error = False
        error_at: tuple[int, int] | None = None
        error_text: list[str] = []

        def end_error() -> None:
            nonlocal error_at
            if error_at is not None:
                self.error_cells[error_at] = "".join(error_text).strip()
                error_at = None
                error_text.clear()
                parser.CharacterDataHandler = None

        def end(tag: str) -> None:
            # Installed only while inside a cell that still matters: one that has not shown its
            # content yet (so that a value after its end tag is not taken for it), or an error
            # cell (whose text ends with its v element).
            nonlocal in_cell, is_error
            end_error()
            if kinds.get(tag) == _CELL:  # start() has seen every tag that ends
                in_cell = is_error = False
                parser.EndElementHandler = None

        def start(tag: str, attributes: dict[str, str]) -> None:
            nonlocal row, cell_row, cell_column, rows, last_column, in_cell, is_error, error_at
            kind = kinds.get(tag)
            if kind is None:
                kind = kinds[tag] = _ELEMENT_KINDS.get(tag.rpartition(":")[2], 0)
            if error_at is not None:
                end_error()
            if kind == _CELL:
                reference = attributes.get("r")
                if reference is None:
                    cell_row, cell_column = row, cell_column + 1
                else:
                    letters = reference.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        if not _COLUMN.fullmatch(letters):
                            raise _BadPart(f"a cell has the reference {reference!r}")
                        column = columns[letters] = column_number(letters)
                    digits = reference[len(letters) :]
                    if not _ROW_NUMBER.fullmatch(digits):
                        raise _BadPart(f"a cell has the reference {reference!r}")
                    cell_row, cell_column = int(digits), column
                in_cell = True
                is_error = attributes.get("t") == "e"
                parser.EndElementHandler = end
            elif kind == _CONTENT:
                if in_cell:
                    if cell_row > rows:
                        rows = cell_row
                    if cell_column > last_column:
                        last_column = cell_column
                    if not is_error:  # counted: nothing more to learn from this cell
                        in_cell = False
                        parser.EndElementHandler = None
                    elif tag.rpartition(":")[2] == "v":
                        error_at = (cell_row, cell_column)
                        parser.CharacterDataHandler = error_text.append
            elif kind == _ROW:
                number = attributes.get("r")
                if number is None:
                    row += 1
                elif _ROW_NUMBER.fullmatch(number):
                    row = int(number)
                else:
                    raise _BadPart(f"a row has the number {number!r}")
                cell_column = 0
                if attributes.get("hidden") in ("1", "true"):
                    self.hidden_rows.add(row)
            elif kind == _MERGE:
                self.merged_ranges.append(attributes.get("ref", ""))
            elif kind == _SHEET:  # in xl/workbook.xml
                self.sheet_entries.append(attributes)
            elif kind == _RELATIONSHIP:  # in xl/_rels/workbook.xml.rels
                self.relationships.append(attributes)

        def finish() -> None:
            end_error()
            self.rows, self.columns = rows, last_column

        return start, finish


def _refuse_doctype(*_: object) -> None:
    raise _BadPart("it declares a document type")


def _refuse_entity(*_: object) -> None:
    raise _BadPart("it declares an entity")


def _defer(*_: object) -> NoReturn:
    raise _NeedsExactScan


_CELL, _CONTENT, _ROW, _MERGE, _SHEET, _RELATIONSHIP = range(1, 7)
_ELEMENT_KINDS = {
    "c": _CELL,
    "v": _CONTENT,
    "f": _CONTENT,
    "is": _CONTENT,
    "row": _ROW,
    "mergeCell": _MERGE,
    "sheet": _SHEET,
    "Relationship": _RELATIONSHIP,
}
_COLUMN = re.compile(r"[A-Z]{1,3}")


# --- the fast reading -------------------------------------------------------------------------
#
# Why the patterns can be trusted: expat checks every byte of the part is well-formed XML, and in
# well-formed XML a "<" only ever opens a tag, comment, CDATA section or processing instruction
# (never inside an attribute value or text). So, once comments, CDATA and processing instructions
# are ruled out, every b"<c " in the bytes is the start tag of an element named c, and every cell
# element starts with b"<c" followed by a space, tab, newline, "/" or ">" (or carries a prefix,
# b"<x:c", also ruled out). The bytes are cut into regions only right before a "<", so no tag and
# none of the literals searched for below is ever split between two regions.

_PLAIN_REFERENCE = rb'r="[A-Z]{1,3}[1-9][0-9]{0,6}"'  # what _PartScanner reads the same way
_PLAIN = re.compile(rb"([A-Z]{1,3})([1-9][0-9]{0,6})")
# Every cell tag of a region, once: (column, row) for a plain cell whose first child is its
# value, formula or inline text, (b"", b"") for any other (empty, odd, or not plain).
_CELL_TAG = re.compile(
    rb'<c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>/]*>(?=\s*<(?:v|f|is)[\s/>])|[\s/>])'
)
_OTHER_CELL = (b"", b"")
_ATTRIBUTES = rb"""(?:\s+[^\s=/>"']+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
# A plain cell that holds nothing: <c r="B7" s="3"/> or <c r="B7" s="3"></c>. Reads the
# attributes properly, so a "/>" inside an attribute value cannot pass for the end of the tag.
_EMPTY_CELL_REST = _PLAIN_REFERENCE + _ATTRIBUTES + rb"\s*(?:/>|>\s*</c>)"
_EMPTY_CELL = re.compile(rb"<c " + _EMPTY_CELL_REST)
_TAG = re.compile(rb"<([^\s/>!?]+)(" + _ATTRIBUTES + rb")\s*(/?)>")
_ATTRIBUTE = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PREFIXED = re.compile(rb":(?:c|row|mergeCell)[\s/>]")  # <x:c ...>: calamine reads those too
_ODD_ROW = re.compile(rb'<row(?:[\t\n\r]| (?!r="[0-9]{1,7}"))')  # _PartScanner numbers these
_MERGE_CELL = re.compile(rb"<mergeCell[\s/>]")
_E_REFERENCE = re.compile(rb"&#(?:0*101|[xX]0*65);")  # t="&#101;" is t="e" to expat
_ERROR_VALUE = re.compile(
    rb"\s*(?:<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*)?(?:<v>([^<&\r]*)</v>\s*)?</c>"
)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_NORMALIZED = re.compile(rb"[&\t\n\r]")  # expat rewrites these in attribute values
# An attribute named (or ending in) hidden, unless its value is plainly not "1" or "true":
# LibreOffice writes hidden="false" on every row, which is not worth a look each.
_HIDDEN = re.compile(rb"""hidden\s*=\s*(?!"false"|'false'|"0"|'0')""")
_QUOTED_E = re.compile(rb"\"e\"|'e'")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
# Bytes carried without a place to cut (no "<" at all): a single tag or text that long is not
# something any writer produces, and carrying it further would copy it again with every piece.
_MAX_CARRY = 4 * _CHUNK
# Small pieces (the inflater's last of each step can be a few bytes) are carried until a cell tag
# arrives, so that a cell is never read apart from its value; past this size, any tag will do.
_CELLESS_REGION = 64 * 1024


class _FastScanner:
    """Reads one XML part like ``_PartScanner`` would, without a Python call per element.

    expat parses every piece with no element handlers (checking the part is well-formed), and the
    same bytes are searched with compiled patterns, region by region. The extent costs one search
    per region in the usual case: the last cell with content in the region claims the row,
    earlier regions the column (both attained, then, by cells that count), and a search for any
    cell tag that could hold content past that claim, or is not in the plain form, must come back
    empty; otherwise the region's cells are all read with ``_CELL_TAG``. Anything the patterns do
    not cover raises ``_NeedsExactScan``.
    """

    def __init__(self, part: str) -> None:
        self.part = part
        self.rows = 0
        self.columns = 0
        self.hidden_rows: set[int] = set()
        self.merged_ranges: list[str] = []
        self.error_cells: dict[tuple[int, int], str] = {}
        self._carry = b""  # the bytes from the last cut on, read with the next piece
        self._fed = False
        self._in_prolog = True  # the next region starts the part (and may hold <?xml ...?>)
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        # The exact reading refuses these with their own messages.
        parser.StartDoctypeDeclHandler = _defer
        parser.EntityDeclHandler = _defer
        self._parser: expat.XMLParserType | None = parser

    def feed(self, piece: bytes) -> None:
        parser = self._parser
        assert parser is not None, "fed after close"
        if not self._fed:
            self._fed = True
            head = piece[:4]
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
                raise _NeedsExactScan  # not UTF-8: _XmlGuard refuses it
        try:
            parser.Parse(piece, False)
        except expat.ExpatError as exc:
            raise _NeedsExactScan from exc
        # Cut before the piece's last cell tag, so that every cell of a region is whole (with its
        # value, which the patterns look at); in a long stretch without cells (the shared strings,
        # the end of a sheet), before the last tag of any kind. The bytes before the first cut
        # are read with the carry, the rest in place (copying every piece costs as much as a
        # pattern search).
        carry = self._carry
        last = piece.rfind(b"<c ")
        if last < 0 and len(carry) + len(piece) > _CELLESS_REGION:
            last = piece.rfind(b"<")
        if last < 0 or (last == 0 and not carry):
            self._carry = carry + piece
            if len(self._carry) > _MAX_CARRY:
                raise _NeedsExactScan
            return
        first = 0
        if carry:
            first = piece.find(b"<c ", 0, last)
            if first < 0:
                first = last
            head = carry + piece[:first]
            self._region(head, 0, len(head))
        if first < last:
            self._region(piece, first, last)
        self._carry = piece[last:]

    def close(self) -> None:
        parser, self._parser = self._parser, None
        if parser is None:
            return
        if self._fed:
            try:
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                raise _NeedsExactScan from exc
        if self._carry:
            self._region(self._carry, 0, len(self._carry))
            self._carry = b""

    def discard(self) -> None:
        self._parser = None
        self._carry = b""

    def _region(self, text: bytes, start: int, end: int) -> None:
        """Read ``text[start:end]``: whole tags (and the text between them), nothing cut."""
        if self._in_prolog:
            self._in_prolog = False
            start = _skip_declaration(text, start, end)
        find = text.find
        # A rare byte first (memchr speed), the pattern only when the byte is there.
        if (
            (find(b"!", start, end) >= 0 and find(b"<!", start, end) >= 0)  # comment, CDATA
            or (find(b"?", start, end) >= 0 and find(b"<?", start, end) >= 0)
            or (find(b"&", start, end) >= 0 and _E_REFERENCE.search(text, start, end))
            or _PREFIXED.search(text, start, end)
            or _ODD_ROW.search(text, start, end)
        ):
            raise _NeedsExactScan
        self._cells(text, start, end)
        if find(b"hidden", start, end) >= 0:
            self._hidden_rows(text, start, end)
        if find(b"<mergeCell", start, end) >= 0:
            self._merged_ranges(text, start, end)
        if find(b'"e"', start, end) >= 0 or (
            find(b"'", start, end) >= 0 and find(b"'e'", start, end) >= 0
        ):
            self._error_cells(text, start, end)

    def _cells(self, text: bytes, start: int, end: int) -> None:
        rows = self.rows
        at = end
        for _ in range(8):  # the last cell with content: usually the region's last cell
            at = text.rfind(b'<c r="', start, at)
            if at < 0:
                break
            cell = _CELL_TAG.match(text, at, end)
            if cell is not None and cell.group(2):
                rows = max(rows, int(cell.group(2)))
                break
        if _beyond(self.columns, rows).search(text, start, end) is None:
            self.rows = rows  # attained by that cell, and no cell goes past it
            return
        cells = _CELL_TAG.findall(text, start, end)
        letters = set(map(_FIRST, cells))
        numbers = set(map(_SECOND, cells))
        others = cells.count(_OTHER_CELL)
        if others:
            # Each must be a plain empty cell (which does not count); anything else, the exact
            # reading places.
            if len(_EMPTY_CELL.findall(text, start, end)) != others:
                raise _NeedsExactScan
            letters.discard(b"")
            numbers.discard(b"")
        if letters:
            self.columns = max(self.columns, *(column_number(c.decode()) for c in letters))
            self.rows = max(self.rows, *map(int, numbers))

    def _hidden_rows(self, text: bytes, start: int, end: int) -> None:
        for name, attributes, _, _ in _tags_holding(_HIDDEN, text, start, end):
            value = attributes.get(b"hidden")
            if name != b"row" or value is None:
                continue
            number = attributes.get(b"r", b"")  # _ODD_ROW: every row tag starts with r="digits"
            if _NORMALIZED.search(value) or not number.isdigit():
                raise _NeedsExactScan
            if value in (b"1", b"true"):
                self.hidden_rows.add(int(number))

    def _merged_ranges(self, text: bytes, start: int, end: int) -> None:
        for match in _MERGE_CELL.finditer(text, start, end):
            tag = _TAG.match(text, match.start(), end)
            if tag is None:
                raise _NeedsExactScan
            reference = _attributes(tag.group(2)).get(b"ref", b"")
            if _NORMALIZED.search(reference):
                raise _NeedsExactScan
            self.merged_ranges.append(reference.decode())

    def _error_cells(self, text: bytes, start: int, end: int) -> None:
        # In document order: a cell written twice keeps its last value, as in the exact reading.
        for name, attributes, tag_end, empty in _tags_holding(_QUOTED_E, text, start, end):
            if name != b"c" or attributes.get(b"t") != b"e" or empty:
                continue  # not an error cell, or <c ... t="e"/> which holds no value
            value = _ERROR_VALUE.match(text, tag_end, end)
            if value is None:
                raise _NeedsExactScan
            if value.group(1) is not None:
                # _cells has made sure every cell tag of the region has a plain reference.
                reference = _PLAIN.fullmatch(attributes.get(b"r", b""))
                if reference is None:
                    raise _NeedsExactScan
                key = (int(reference[2]), column_number(reference[1].decode()))
                self.error_cells[key] = value.group(1).decode().strip()


def _skip_declaration(text: bytes, start: int, end: int) -> int:
    """Where the part's content starts: after a byte order mark and the XML declaration."""
    at = start + 3 if text.startswith(b"\xef\xbb\xbf", start) else start
    if not (text.startswith(b"<?xml", at) and text[at + 5 : at + 6] in (b" ", b"\t", b"\r", b"\n")):
        return at
    close = text.find(b"?>", at, end)
    if close < 0:
        raise _NeedsExactScan
    encoding = _ENCODING.search(text, at, close)
    if encoding is not None and encoding.group(1).lower() != b"utf-8":
        raise _NeedsExactScan  # expat decodes it as declared; the patterns read UTF-8
    return close + 2


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(raw)}


def _tags_holding(
    pattern: re.Pattern[bytes], text: bytes, start: int, end: int
) -> Iterator[tuple[bytes, dict[bytes, bytes], int, bool]]:
    """The start tags in which ``pattern`` occurs, each once and in order: (name, attributes,
    end, empty). Occurrences in text are passed over. Each tag and each run of text is read once
    however many occurrences it holds, so a crafted tag with 100,000 of them costs no more than
    its length."""
    found = pattern.search(text, start, end)
    while found is not None:
        at = found.start()
        opening = text.rfind(b"<", start, at)
        tag = _TAG.match(text, opening, end) if opening >= 0 else None
        if tag is not None and tag.end() > at:
            yield tag.group(1), _attributes(tag.group(2)), tag.end(), tag.group(3) == b"/"
            resume = tag.end()
        else:  # in the text after a tag: nothing to read up to the next tag
            resume = text.find(b"<", at, end)
            if resume < 0:
                return
        found = pattern.search(text, resume, end)


@lru_cache(maxsize=64)
def _beyond(columns: int, rows: int) -> re.Pattern[bytes]:
    """Cell tags that may hold content outside the claim (``columns``, ``rows``), or odd ones.

    A cell tag passes when it is plain and within the claim, or a plain empty cell (styled
    blanks right of or below the data are common, and count for nothing). Written as lookaheads
    that fail at once for the usual cell, with no backtracking into the digits: a third of the
    cost of looking for references past the claim.
    """
    within = _letters_up_to(columns) + rb")(?:" + _number_up_to(rows)
    return re.compile(
        rb'<c(?:[\t\n\r/>]| (?!r="(?:' + within + rb"))(?!" + _EMPTY_CELL_REST + rb"))"
    )


def _letters_up_to(column: int) -> bytes:
    """A pattern for the column letters (1 to 3, then a digit) of columns 1 to ``column``."""
    if column <= 0:
        return rb"(?!)"
    letters = column_letters(min(column, _LAST_LETTERS))
    size = len(letters)
    options = [f"[A-Z]{{1,{size - 1}}}+(?=[0-9])"] if size > 1 else []
    for at, letter in enumerate(letters):
        prefix, rest = letters[:at], size - at - 1
        if at == size - 1:
            options.append(f"{prefix}[A-{letter}]")
        elif letter > "A":
            options.append(f"{prefix}[A-{chr(ord(letter) - 1)}][A-Z]{{{rest}}}")
    return "|".join(options).encode()


def _number_up_to(row: int) -> bytes:
    """A pattern for the row numbers (no leading zero) 1 to ``row``, and the closing quote."""
    if row <= 0:
        return rb"(?!)"
    digits = str(min(row, _LAST_ROW_NUMBER))
    size = len(digits)
    options = [f'[1-9][0-9]{{0,{size - 2}}}+"'] if size > 1 else []
    for at, digit in enumerate(digits):
        prefix, rest, low = digits[:at], size - at - 1, "1" if at == 0 else "0"
        if at == size - 1:
            options.append(f'{prefix}[{low}-{digit}]"')
        elif digit > low:
            options.append(f'{prefix}[{low}-{chr(ord(digit) - 1)}][0-9]{{{rest}}}"')
    return "|".join(options).encode()


_LAST_LETTERS = 18_278  # ZZZ, the last column three letters can name
_LAST_ROW_NUMBER = 9_999_999  # seven digits


def column_number(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27, 'XFD' -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """1 -> 'A', 27 -> 'AA', 16384 -> 'XFD'."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheets(parts: Mapping[str, _PartScanner | _FastScanner], name: str) -> tuple[SheetScan, ...]:
    """The workbook's sheets in order, each joined to the scan of the part it points to.

    Every sheet must point to an XML part of the zip that this pass scanned; a reader that
    resolved a sheet's path differently would otherwise read a part nobody checked.
    """
    relations = parts.get("xl/_rels/workbook.xml.rels")
    workbook = parts["xl/workbook.xml"]
    assert isinstance(workbook, _PartScanner), "the workbook parts are read the exact way"
    targets = {
        entry.get("Id", ""): entry.get("Target", "")
        for entry in (relations.relationships if isinstance(relations, _PartScanner) else [])
        if entry.get("TargetMode") != "External"
    }
    sheets = []
    for entry in workbook.sheet_entries:
        relation = next(
            (v for k, v in entry.items() if k.rpartition(":")[2] == "id" and ":" in k), ""
        )
        target = targets.get(relation, "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        sheet_name = entry.get("name", "")
        scanner = parts.get(part)
        if not target or "\\" in target or "%" in target or scanner is None:
            raise _damaged(name, f"sheet {sheet_name!r} points to a part that is missing")
        sheets.append(
            SheetScan(
                name=sheet_name,
                state=entry.get("state", "visible"),
                part=part,
                rows=scanner.rows,
                columns=scanner.columns,
                hidden_rows=frozenset(scanner.hidden_rows),
                merged_ranges=tuple(scanner.merged_ranges),
                error_cells=scanner.error_cells,
            )
        )
    return tuple(sheets)


def _check_extent(sheet: SheetScan, name: str) -> None:
    if sheet.rows * sheet.columns > MAX_SHEET_CELLS:
        corner = f"{column_letters(sheet.columns)}{sheet.rows}"
        raise UnsafeFile(
            f"{name} cannot be opened safely: sheet {sheet.name} reaches cell {corner} "
            f"({sheet.rows:,} rows × {sheet.columns:,} columns), more than the "
            f"{MAX_SHEET_CELLS:,} cells mediadesk reads from one sheet. Delete the stray cells "
            "far below or to the right of the data (Ctrl+End in Excel shows the last used "
            "cell), save and upload again."
        )
