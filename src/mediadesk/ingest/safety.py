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
- parses every worksheet with expat (start tags only) and refuses a sheet whose used area exceeds
  ``MAX_SHEET_CELLS``: a 5 kB workbook with values in A1 and XFD1048576 would otherwise make the
  reader allocate 17 billion cells and abort the process. The same pass records the hidden rows,
  merged ranges and error cells (``#DIV/0!``) of each sheet, which readers can take from
  ``scan_xlsx`` instead of parsing the sheet again.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
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
    parts: dict[str, _PartScanner] = {}
    for member in members:
        part = member.orig_filename
        sinks: list[Callable[[bytes], None]] = []
        if part.lower().endswith(_XML_SUFFIXES):
            scanner = parts[part] = _PartScanner(part)
            sinks += [_XmlGuard(name, part).feed, scanner.feed]
        try:
            _inflate(data, member, name, sinks)
            if part in parts:
                parts[part].close()
        except (expat.ExpatError, _BadPart) as exc:
            raise _damaged(name, f"{part} cannot be read: {exc}") from exc
    sheets = _sheets(parts, name)
    for sheet in sheets:
        _check_extent(sheet, name)
    return WorkbookScan(sheets)


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


class _PartScanner:
    """Reads one XML part with expat, start tags only: extent, hidden rows, merges, errors.

    Cells count towards the extent when they hold something (a value, a formula or inline text);
    cells carrying only a style do not, as they do not for the reader. Cells without a reference
    take the next column, and rows without a number the next row, as readers place them. The
    handler is a closure over local variables: it runs once per element (860,000 times for a
    20,000 × 20 sheet), and that is most of the cost of checking a workbook.
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
            parser.StartElementHandler = parser.CharacterDataHandler = None

    def _handlers(
        self, parser: expat.XMLParserType
    ) -> tuple[Callable[[str, dict[str, str]], None], Callable[[], None]]:
        kinds: dict[str, int] = {}
        columns: dict[str, int] = {}
        row = cell_row = cell_column = rows = last_column = 0
        pending = is_error = False
        error_at: tuple[int, int] | None = None
        error_text: list[str] = []

        def end_error() -> None:
            nonlocal error_at
            if error_at is not None:
                self.error_cells[error_at] = "".join(error_text).strip()
                error_at = None
                error_text.clear()
                parser.CharacterDataHandler = None

        def start(tag: str, attributes: dict[str, str]) -> None:
            nonlocal row, cell_row, cell_column, rows, last_column, pending, is_error, error_at
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
                pending = True
                is_error = attributes.get("t") == "e"
            elif kind == _CONTENT:
                if pending:
                    pending = False
                    if cell_row > rows:
                        rows = cell_row
                    if cell_column > last_column:
                        last_column = cell_column
                if is_error and tag.endswith("v"):
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


def _sheets(parts: dict[str, _PartScanner], name: str) -> tuple[SheetScan, ...]:
    """The workbook's sheets in order, each joined to the scan of the part it points to.

    Every sheet must point to an XML part of the zip that this pass scanned; a reader that
    resolved a sheet's path differently would otherwise read a part nobody checked.
    """
    relations = parts.get("xl/_rels/workbook.xml.rels")
    targets = {
        entry.get("Id", ""): entry.get("Target", "")
        for entry in (relations.relationships if relations else [])
        if entry.get("TargetMode") != "External"
    }
    sheets = []
    for entry in parts["xl/workbook.xml"].sheet_entries:
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
