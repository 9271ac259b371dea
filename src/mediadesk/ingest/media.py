"""Video (MP4, MOV, WebM) and audio (MP3, WAV) files: checked as hostile (DESIGN.md, rule 9),
then measured for the creative specs with ffprobe and ffmpeg.

Files are read from a path on disk and never into memory: a spot's master can weigh 2 GB.

``inspect_media`` refuses, before ffprobe sees the file: an empty file; content that is none of
the five containers by its magic bytes (the first 64 bytes: an ``ftyp`` box is MP4, or MOV when
its brand is ``qt``; EBML with the ``webm`` doc type is WebM; an ID3 tag or an MPEG audio layer
III frame is MP3; ``RIFF``/``RF64`` ... ``WAVE`` is WAV), whatever the extension says; and an
extension that names another container than the content (an MP4 video and a MOV are the same
family: either extension takes either). It then compares the sizes the file declares with the
size it has, which finds a file cut short whose header survived: an MP4/MOV top-level box (an
``mdat`` usually) that ends past the end of the file, a WebM segment longer than the file, a WAV
whose RIFF or ``data`` chunk claims more than the file holds, an MP3 whose Xing/Info or VBRI
header counts more bytes than follow it. Sizes a streaming writer leaves unknown are not held
against the file.

ffprobe then reads the header with the demuxer the magic bytes named (``-f``: no format guessing,
so a crafted file cannot be read as a playlist) from a ``file:`` URL of the absolute path (a name
starting with ``-`` or holding ``:`` cannot be misread as an option or a protocol), with
``-protocol_whitelist file`` (nothing the file names is fetched) and a timeout. A file ffprobe
cannot read, without the stream its container is for (a video stream for MP4/MOV/WebM, cover art
not counting; an audio stream for MP3/WAV) or without a duration is refused. Finally ffmpeg
decodes the last second (``-ss`` seeks through the index, so a 1 GB video costs the same as a
small one): any error it reports means the file is damaged or incomplete.

Measures. ``duration_seconds`` is the container's duration to the millisecond; ``width`` and
``height`` are as the video is shown (a phone video stored 1920x1080 with a 90° rotation is
1080x1920); ``frame_rate`` comes from ``avg_frame_rate`` (else ``r_frame_rate``), to three
places (29.970); codec names are ffprobe's (``h264``, ``vp9``, ``aac``, ``pcm_s16le``);
``bitrate_kbps`` is the whole file's (1 kbps = 1,000 bits per second), as platforms state their
minimums. ``loudness_lufs`` is the integrated loudness of the first audio stream from ffmpeg's
``ebur128`` filter (EBU R 128 / ITU-R BS.1770), measured only where that is cheap: audio files
up to ``LOUDNESS_MAX_AUDIO_SECONDS``, videos up to ``LOUDNESS_MAX_VIDEO_SECONDS`` (the video is
demuxed, not decoded). Elsewhere, or when the measure fails or times out, it is ``None`` and a
spec with a loudness limit says so.
"""

from __future__ import annotations

import json
import posixpath
import re
import struct
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, display_name

FFPROBE = "ffprobe"
FFMPEG = "ffmpeg"
MAX_MEDIA_BYTES = 4 * 1024 * 1024 * 1024
PROBE_TIMEOUT_SECONDS = 60
DECODE_TIMEOUT_SECONDS = 60
LOUDNESS_TIMEOUT_SECONDS = 120
LOUDNESS_MAX_VIDEO_SECONDS = Decimal(120)
LOUDNESS_MAX_AUDIO_SECONDS = Decimal(3600)
TAIL_SECONDS = Decimal(1)
HEAD_BYTES = 64
_FRAME_SEARCH = 4096  # bytes after an ID3 tag searched for the first MP3 frame
MAX_BOXES = 100_000  # top-level MP4 boxes walked; a fragmented MP4 has two per fragment

VIDEO_CONTAINERS = ("MP4", "MOV", "WebM")
AUDIO_CONTAINERS = ("MP3", "WAV")
EXTENSIONS: dict[str, str] = {
    ".mp4": "MP4",
    ".m4v": "MP4",
    ".mov": "MOV",
    ".webm": "WebM",
    ".mp3": "MP3",
    ".wav": "WAV",
}
SUFFIXES = {"MP4": ".mp4", "MOV": ".mov", "WebM": ".webm", "MP3": ".mp3", "WAV": ".wav"}
_FAMILY = {"MP4": "MP4", "MOV": "MP4", "WebM": "WebM", "MP3": "MP3", "WAV": "WAV"}
_DEMUXER = {"MP4": "mov", "MOV": "mov", "WebM": "matroska", "MP3": "mp3", "WAV": "wav"}
_NOUN = {
    "MP4": "an MP4 video",
    "MOV": "a MOV (QuickTime) video",
    "WebM": "a WebM video",
    "MP3": "an MP3 audio file",
    "WAV": "a WAV audio file",
}
_ACCEPTED = "Upload video as .mp4, .mov or .webm and audio as .mp3 or .wav."
_EXPORT_AGAIN = "Upload the whole file again, or export it again from the editing tool."
_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif", b"avis"}
)
_EBML = b"\x1a\x45\xdf\xa3"
_SEGMENT = b"\x18\x53\x80\x67"
_LOUDNESS = re.compile(r"Integrated loudness:\s*I:\s*(-?\d+(?:\.\d+)?) LUFS")


class MediaError(UnsafeFile):
    """A video or audio file mediadesk will not read; the message names the file and the fix."""


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What ``inspect_media`` measured of one video or audio file (module docstring)."""

    kind: AssetKind  # VIDEO or AUDIO
    container: str  # "MP4", "MOV", "WebM", "MP3" or "WAV"
    bytes: int
    duration_seconds: Decimal  # three places
    width: int | None = None  # as shown, rotation applied (video only)
    height: int | None = None
    frame_rate: Decimal | None = None  # three places (video only)
    video_codec: str = ""  # ffprobe's codec names: "h264", "hevc", "vp9", "prores", ...
    audio_codec: str = ""  # "aac", "opus", "mp3", "pcm_s16le", ... ("" without sound)
    bitrate_kbps: Decimal | None = None  # the whole file, one place
    sample_rate: int | None = None  # of the first audio stream, Hz
    channels: int | None = None
    loudness_lufs: Decimal | None = None  # integrated, one place; None when not measured

    def asset_facts(self) -> AssetFacts:
        """The measures the spec checks read (``domain.specs``): the codec is the video codec
        of a video and the audio codec of an audio file."""
        video = self.kind == AssetKind.VIDEO
        return AssetFacts(
            kind=self.kind,
            width=self.width,
            height=self.height,
            bytes=self.bytes,
            duration_seconds=self.duration_seconds,
            codec=self.video_codec if video else self.audio_codec,
            container=self.container.lower(),
            frame_rate=self.frame_rate,
            bitrate_kbps=self.bitrate_kbps,
            loudness_lufs=self.loudness_lufs,
        )

    def metadata(self) -> dict[str, object]:
        """The facts as JSON-able values for storage: Decimals as strings, unmeasured left out."""
        values: dict[str, object] = {
            "kind": str(self.kind),
            "container": self.container,
            "bytes": self.bytes,
            "duration_seconds": str(self.duration_seconds),
            "width": self.width,
            "height": self.height,
            "frame_rate": _text(self.frame_rate),
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "bitrate_kbps": _text(self.bitrate_kbps),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "loudness_lufs": _text(self.loudness_lufs),
        }
        return {key: value for key, value in values.items() if value not in (None, "")}


def inspect_media(path: Path, filename: str) -> MediaFacts:
    """Check a video or audio file and measure it; raise ``MediaError`` if it is hostile,
    damaged or incomplete."""
    name = display_name(filename)
    size = path.stat().st_size
    if size == 0:
        raise MediaError(f"{name} is empty (0 bytes). {_EXPORT_AGAIN}")
    if size > MAX_MEDIA_BYTES:
        raise MediaError(
            f"{name} is {_megabytes(size)} MB; a video or audio file may be at most "
            f"{_megabytes(MAX_MEDIA_BYTES)} MB."
        )
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
        container = _container(stream, head, name)
        _check_extension(name, container)
        _check_declared_sizes(stream, container, size, name)
    probe = _probe(path, container, name)
    return _measure(path, container, size, probe, name)


def detect_container(head: bytes) -> str | None:
    """The container the first bytes of a file say ("MP4", "MOV", "WebM", "MP3", "WAV"), or
    ``None``. An ID3 tag is taken for MP3 here; ``inspect_media`` also checks what follows it."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_BRANDS:
            return None
        return "MOV" if brand == b"qt  " else "MP4"
    if head.startswith(_EBML):
        return "WebM" if _doc_type(head) == b"webm" else None
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "WAV"
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return "MP3"
    return None


def describe(head: bytes) -> str:
    """What a file's first bytes say it is, for messages ("a Matroska (.mkv) video")."""
    found = detect_container(head)
    if found is not None:
        return _NOUN[found]
    if head[4:8] == b"ftyp":
        return "an HEIF or AVIF image"
    if head.startswith(_EBML):
        return "a Matroska (.mkv) video" if _doc_type(head) == b"matroska" else "an EBML file"
    if head[:4] == b"RIFF":
        return {b"AVI ": "an AVI video", b"WEBP": "a WebP image"}.get(head[8:12], "a RIFF file")
    if head.startswith(b"OggS"):
        return "an Ogg audio or video file"
    if head.startswith(b"fLaC"):
        return "a FLAC audio file"
    if head.startswith(b"FLV"):
        return "a Flash video (FLV)"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "a Windows Media file (WMV/WMA)"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "an AAC audio stream (ADTS)"
    return _looks(head)


def _looks(head: bytes) -> str:
    return "an empty file" if not head else _looks_like(head)


# --- magic bytes and declared sizes -------------------------------------------------------------


def _doc_type(head: bytes) -> bytes:
    """The EBML DocType ("webm", "matroska") of an EBML header, or b"" if not in ``head``."""
    at = head.find(b"\x42\x82", 4)
    if at < 0:
        return b""
    length, width = _vint(head, at + 2)
    if length is None:
        return b""
    start = at + 2 + width
    return head[start : start + length].rstrip(b"\x00")


def _vint(data: bytes, at: int) -> tuple[int | None, int]:
    """An EBML variable-size integer at ``at``: (value, bytes it takes); value ``None`` when
    unknown (all value bits set, what a live writer leaves) or cut off."""
    if at >= len(data) or data[at] == 0:
        return None, 1
    first = data[at]
    width = 9 - first.bit_length()
    if at + width > len(data):
        return None, width
    value = first & (0xFF >> width)
    for byte in data[at + 1 : at + width]:
        value = (value << 8) | byte
    return (None if value == (1 << (7 * width)) - 1 else value), width


def _mpeg_audio_frame(head: bytes) -> bool:
    """Whether ``head`` starts with an MPEG audio layer III frame header (MP3 without ID3)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 3
    layer = (head[1] >> 1) & 3
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def _container(stream: BinaryIO, head: bytes, name: str) -> str:
    found = detect_container(head)
    # An ID3 tag may stand in front of other audio (FLAC, AAC): look past it.
    if found == "MP3" and _first_frame(stream, head) is None:
        found = None
    if found is None:
        raise MediaError(
            f"{name} is not a video or audio file mediadesk reads (it looks like "
            f"{describe(head)}). {_ACCEPTED}"
        )
    return found


def _first_frame(stream: BinaryIO, head: bytes) -> int | None:
    """Where the first MP3 frame starts: 0, or after an ID3v2 tag and any padding that some
    taggers leave after it (searched in ``_FRAME_SEARCH`` bytes); ``None`` if there is none."""
    if not head.startswith(b"ID3"):
        return 0 if _mpeg_audio_frame(head) else None
    start = _id3_end(head)
    stream.seek(start)
    window = stream.read(_FRAME_SEARCH + 4)
    at = window.find(b"\xff")
    while 0 <= at < _FRAME_SEARCH:
        if _mpeg_audio_frame(window[at : at + 4]):
            return start + at
        at = window.find(b"\xff", at + 1)
    return None


def _id3_end(head: bytes) -> int:
    """Where the audio starts after an ID3v2 tag (its size is 4 "syncsafe" 7-bit bytes)."""
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if len(head) > 5 and head[5] & 0x10 else 0
    return 10 + size + footer


def _check_extension(name: str, container: str) -> None:
    extension = posixpath.splitext(name.lower())[1]
    named = EXTENSIONS.get(extension)
    if named is None:
        raise MediaError(
            f"{name} holds {_NOUN[container]} but its name does not end in .mp4, .mov, .webm, "
            f".mp3 or .wav. Rename it to end in {SUFFIXES[container]} and upload it again."
        )
    if _FAMILY[named] != _FAMILY[container]:
        raise MediaError(
            f"{name} is named as {_NOUN[named]} but holds {_NOUN[container]}. Rename it to end "
            f"in {SUFFIXES[container]}, or export it again as {named}."
        )


def _check_declared_sizes(stream: BinaryIO, container: str, size: int, name: str) -> None:
    """Refuse a file that ends before the sizes its own structure declares (module docstring)."""
    if container in ("MP4", "MOV"):
        short = _short_box(stream, size)
    elif container == "WebM":
        short = _short_segment(stream, size)
    elif container == "WAV":
        short = _short_wav(stream, size)
    else:
        short = _short_mp3(stream, size)
    if short:
        raise MediaError(
            f"{name} is incomplete: {short}, so the file was cut off (an interrupted upload, "
            f"download or export). {_EXPORT_AGAIN}"
        )


def _missing(declared_end: int, size: int) -> str:
    """How far past the end of the file a declared size reaches, for messages."""
    missing = declared_end - size
    return f"{_megabytes(missing)} MB" if missing >= 1024 * 1024 else f"{missing:,} bytes"


def _short_box(stream: BinaryIO, size: int) -> str:
    offset = 0
    for _ in range(MAX_BOXES):
        if size - offset < 8:
            return ""
        stream.seek(offset)
        header = stream.read(16)
        length, kind = struct.unpack(">I4s", header[:8])
        if not re.fullmatch(rb"[ -~]{4}", kind):
            return ""  # not a box: trailing bytes some tools leave, for ffmpeg to judge
        if length == 1 and len(header) == 16:
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            return ""  # the last box runs to the end of the file
        if length < 8:
            return f"its {kind.decode()} box has an impossible size"
        if offset + length > size:
            return (
                f"its {kind.decode()} box ends {_missing(offset + length, size)} "
                "after the end of the file"
            )
        offset += length
    return ""


def _short_segment(stream: BinaryIO, size: int) -> str:
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    header_size, width = _vint(head, 4)
    if header_size is None:
        return ""
    at = 4 + width + header_size
    stream.seek(at)
    segment = stream.read(12)
    if not segment.startswith(_SEGMENT):
        return ""
    length, width = _vint(segment, 4)
    if length is None:
        return ""  # unknown size: written live, nothing declared to compare
    end = at + 4 + width + length
    return f"its segment ends {_missing(end, size)} after the end of the file" if end > size else ""


def _short_wav(stream: BinaryIO, size: int) -> str:
    stream.seek(0)
    head = stream.read(12)
    if head[:4] != b"RIFF":
        return ""  # RF64 keeps its sizes in a ds64 chunk; the decode test judges it
    unknown = (0, 0xFFFFFFFF)
    declared = struct.unpack("<I", head[4:8])[0]
    if declared not in unknown and declared + 8 > size + 1:  # one pad byte may be missing
        return f"its RIFF header declares {_missing(declared + 8, size)} more than it holds"
    offset = 12
    for _ in range(1_000):
        stream.seek(offset)
        chunk = stream.read(8)
        if len(chunk) < 8:
            return ""
        kind, length = struct.unpack("<4sI", chunk)
        if kind == b"data":
            end = offset + 8 + length
            if length not in unknown and end > size:
                return f"its audio data ends {_missing(end, size)} after the end of the file"
            return ""
        offset += 8 + length + (length & 1)
    return ""


_SIDE_INFO = {(True, False): 32, (True, True): 17, (False, False): 17, (False, True): 9}


def _short_mp3(stream: BinaryIO, size: int) -> str:
    """Compare the byte count of a Xing/Info or VBRI header with what follows its frame."""
    stream.seek(0)
    start = _first_frame(stream, stream.read(HEAD_BYTES))
    if start is None:
        return ""
    stream.seek(start)
    frame = stream.read(4 + 32 + 32)
    if not _mpeg_audio_frame(frame):
        return ""
    mpeg1 = (frame[1] >> 3) & 3 == 3
    mono = frame[3] >> 6 == 3
    xing = 4 + _SIDE_INFO[(mpeg1, mono)]
    declared = None
    if frame[xing : xing + 4] in (b"Xing", b"Info"):
        flags = struct.unpack(">I", frame[xing + 4 : xing + 8])[0]
        at = xing + 8 + (4 if flags & 1 else 0)
        if flags & 2 and len(frame) >= at + 4:
            declared = struct.unpack(">I", frame[at : at + 4])[0]
    elif frame[36:40] == b"VBRI":
        declared = struct.unpack(">I", frame[46:50])[0]
    if declared and start + declared > size:
        return f"its MP3 header counts {_missing(start + declared, size)} more than the file holds"
    return ""


# --- ffprobe and ffmpeg -------------------------------------------------------------------------


def _url(path: Path) -> str:
    return f"file:{path.resolve()}"


def _run(
    args: Sequence[str], timeout: int, name: str, doing: str
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise MediaError(
            f"{name} cannot be read: {args[0]} is not installed on this server (the ffmpeg "
            "package). Ask the administrator to install it."
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise MediaError(
            f"{name} took longer than {timeout} s to {doing}, more than mediadesk waits. "
            "Export it again as a standard MP4 (H.264/AAC) or MP3 and upload the new file."
        ) from exc


def _input(container: str, path: Path) -> list[str]:
    """The input options: only the file protocol, and the demuxer the magic bytes named."""
    return ["-protocol_whitelist", "file", "-f", _DEMUXER[container], "-i", _url(path)]


def _probe(path: Path, container: str, name: str) -> Mapping[str, object]:
    args = [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    result = _run(args + _input(container, path), PROBE_TIMEOUT_SECONDS, name, "read")
    try:
        probe = json.loads(result.stdout or b"{}")
    except (ValueError, UnicodeDecodeError):
        probe = {}
    if result.returncode != 0 or not isinstance(probe, dict) or not probe.get("streams"):
        raise _damaged(name, container)
    return probe


def _damaged(name: str, container: str) -> MediaError:
    return MediaError(f"{name} is a damaged or incomplete {container} file. {_EXPORT_AGAIN}")


def _check_tail(path: Path, container: str, duration: Decimal, maps: list[str], name: str) -> None:
    """Decode the last second: a file damaged or cut where its header cannot tell shows here."""
    start = max(Decimal(0), duration - TAIL_SECONDS)
    args = [FFMPEG, "-nostdin", "-v", "error", "-ss", str(start), *_input(container, path)]
    args += [*maps, "-f", "null", "-"]
    result = _run(args, DECODE_TIMEOUT_SECONDS, name, "decode")
    if result.returncode != 0 or result.stderr.strip():
        raise _damaged(name, container)


# --- measures -----------------------------------------------------------------------------------


def _streams(probe: Mapping[str, object], kind: str) -> list[Mapping[str, object]]:
    streams = probe.get("streams")
    found: list[Mapping[str, object]] = []
    for stream in streams if isinstance(streams, list) else []:
        if not isinstance(stream, dict) or stream.get("codec_type") != kind:
            continue
        disposition = stream.get("disposition")
        if isinstance(disposition, dict) and disposition.get("attached_pic") == 1:
            continue  # cover art of an MP3 or an M4A, not a video
        found.append(stream)
    return found


def _measure(
    path: Path, container: str, size: int, probe: Mapping[str, object], name: str
) -> MediaFacts:
    video_streams = _streams(probe, "video")
    audio_streams = _streams(probe, "audio")
    kind = AssetKind.VIDEO if container in VIDEO_CONTAINERS else AssetKind.AUDIO
    video = video_streams[0] if video_streams else None
    audio = audio_streams[0] if audio_streams else None
    if kind == AssetKind.VIDEO and video is None:
        advice = "Upload audio as .mp3 or .wav." if audio else _EXPORT_AGAIN
        raise MediaError(f"{name} has no video stream ({container} without a picture). {advice}")
    if kind == AssetKind.AUDIO and audio is None:
        raise MediaError(f"{name} has no audio stream. {_EXPORT_AGAIN}")
    fmt = probe.get("format")
    fmt = fmt if isinstance(fmt, dict) else {}
    duration = _duration(fmt, [*video_streams, *audio_streams])
    if duration is None or duration <= 0:
        raise MediaError(f"{name} has no duration ffprobe can read. {_EXPORT_AGAIN}")
    maps = [f"0:{stream.get('index')}" for stream in (video, audio) if stream is not None]
    _check_tail(path, container, duration, [arg for m in maps for arg in ("-map", m)], name)
    width, height = _shown_size(video) if video is not None else (None, None)
    limit = LOUDNESS_MAX_VIDEO_SECONDS if kind == AssetKind.VIDEO else LOUDNESS_MAX_AUDIO_SECONDS
    return MediaFacts(
        kind=kind,
        container=container,
        bytes=size,
        duration_seconds=duration,
        width=width,
        height=height,
        frame_rate=_frame_rate(video) if video is not None else None,
        video_codec=_string(video, "codec_name"),
        audio_codec=_string(audio, "codec_name"),
        bitrate_kbps=_bitrate(fmt, size, duration),
        sample_rate=_integer(audio, "sample_rate"),
        channels=_integer(audio, "channels"),
        loudness_lufs=(
            _loudness(path, container, audio, name)
            if audio is not None and duration <= limit
            else None
        ),
    )


def _decimal(value: object) -> Decimal | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None  # "N/A"
    return number if number.is_finite() else None


def _places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _duration(fmt: Mapping[str, object], streams: list[Mapping[str, object]]) -> Decimal | None:
    seconds = _decimal(fmt.get("duration"))
    if seconds is None:
        found = [_decimal(stream.get("duration")) for stream in streams]
        seconds = max((value for value in found if value is not None), default=None)
    return None if seconds is None else _places(seconds, 3)


def _string(stream: Mapping[str, object] | None, key: str) -> str:
    value = stream.get(key) if stream is not None else None
    return value if isinstance(value, str) else ""


def _integer(stream: Mapping[str, object] | None, key: str) -> int | None:
    number = _decimal(stream.get(key)) if stream is not None else None
    return int(number) if number is not None and number > 0 and number == int(number) else None


def _shown_size(video: Mapping[str, object]) -> tuple[int | None, int | None]:
    """Width and height as the video is shown: a quarter turn swaps them."""
    width, height = _integer(video, "width"), _integer(video, "height")
    rotation = _decimal(_rotation(video)) or Decimal(0)
    if rotation % 180 and rotation % 90 == 0:
        return height, width
    return width, height


def _rotation(video: Mapping[str, object]) -> object:
    side_data = video.get("side_data_list")
    for item in side_data if isinstance(side_data, list) else []:
        if isinstance(item, dict) and "rotation" in item:
            return item["rotation"]
    tags = video.get("tags")
    return tags.get("rotate") if isinstance(tags, dict) else None  # older writers


def _frame_rate(video: Mapping[str, object]) -> Decimal | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        value = video.get(key)
        if not isinstance(value, str):
            continue
        numerator, _, denominator = value.partition("/")
        top, bottom = _decimal(numerator), _decimal(denominator or "1")
        if top is not None and bottom is not None and top > 0 and bottom > 0:
            return _places(top / bottom, 3)
    return None


def _bitrate(fmt: Mapping[str, object], size: int, duration: Decimal) -> Decimal:
    bits = _decimal(fmt.get("bit_rate"))
    if bits is None or bits <= 0:
        bits = Decimal(size * 8) / duration
    return _places(bits / 1000, 1)


def _loudness(path: Path, container: str, audio: Mapping[str, object], name: str) -> Decimal | None:
    """Integrated loudness of ``audio``, or ``None`` when ffmpeg cannot tell in time."""
    args = [FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-v", "info", *_input(container, path)]
    # framelog=verbose: the per-frame lines go to a level below the one shown, the summary not.
    args += ["-map", f"0:{audio.get('index')}", "-af", "ebur128=framelog=verbose"]
    args += ["-f", "null", "-"]
    try:
        result = _run(args, LOUDNESS_TIMEOUT_SECONDS, name, "measure")
    except MediaError:
        return None
    if result.returncode != 0:
        return None
    # Only the filter's own summary counts: the file's metadata is printed before it.
    text = result.stderr.decode("utf-8", "replace").rpartition("] Summary:")[2]
    found = _LOUDNESS.search(text)
    return _places(Decimal(found.group(1)), 1) if found else None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- previews -----------------------------------------------------------------------------------


def poster(path: Path, *, at_seconds: Decimal | None = None, max_side: int = 480) -> bytes:
    """A JPEG of one frame of a video, its longer side at most ``max_side`` pixels.

    Without ``at_seconds`` the frame at one second is taken (half way in a shorter video): past
    the black frame many spots open with, and cheap to seek to.
    """
    name = display_name(path.name)
    container = _sniffed(path, name)
    if at_seconds is None:
        at_seconds = _default_poster_time(path, container, name)
    scale = (
        f"scale=w='min(iw,{max_side})':h='min(ih,{max_side})':force_original_aspect_ratio=decrease"
    )
    for start in dict.fromkeys((max(at_seconds, Decimal(0)), Decimal(0))):
        args = [FFMPEG, "-nostdin", "-v", "error", "-ss", str(start), *_input(container, path)]
        args += ["-map", "0:v:0", "-frames:v", "1", "-vf", scale]
        args += ["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "-"]
        result = _run(args, DECODE_TIMEOUT_SECONDS, name, "render a poster frame")
        if result.returncode == 0 and result.stdout.startswith(b"\xff\xd8"):
            return result.stdout
    raise MediaError(f"{name}: no frame could be read for a poster image. {_EXPORT_AGAIN}")


def waveform(path: Path, width: int = 480, height: int = 120) -> bytes:
    """A PNG of the audio's waveform, ``width`` x ``height`` pixels (all channels in one)."""
    name = display_name(path.name)
    if not (1 <= width <= 4096 and 1 <= height <= 4096):
        raise ValueError(f"A waveform is 1 to 4096 pixels each way, not {width}x{height}.")
    container = _sniffed(path, name)
    picture = f"[0:a:0]showwavespic=s={width}x{height}:split_channels=0:colors=0x334155"
    args = [FFMPEG, "-nostdin", "-v", "error", *_input(container, path)]
    args += ["-filter_complex", picture, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"]
    result = _run(args, DECODE_TIMEOUT_SECONDS, name, "draw its waveform")
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG"):
        raise MediaError(f"{name}: its waveform could not be drawn. {_EXPORT_AGAIN}")
    return result.stdout


def _sniffed(path: Path, name: str) -> str:
    with path.open("rb") as stream:
        return _container(stream, stream.read(HEAD_BYTES), name)


def _default_poster_time(path: Path, container: str, name: str) -> Decimal:
    args = [FFPROBE, "-v", "error", "-print_format", "json", "-show_entries", "format=duration"]
    result = _run(args + _input(container, path), PROBE_TIMEOUT_SECONDS, name, "read")
    try:
        fmt = json.loads(result.stdout or b"{}").get("format", {})
    except (ValueError, AttributeError):
        fmt = {}
    duration = _decimal(fmt.get("duration")) if isinstance(fmt, dict) else None
    return min(Decimal(1), duration / 2) if duration else Decimal(0)
