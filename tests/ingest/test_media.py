"""Video and audio made with ffmpeg at test time: measured, or refused as hostile or damaged.

ffmpeg and ffprobe are required (the Debian ffmpeg package): a machine without them fails
these tests rather than skipping them.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from mediadesk.domain.specs import AssetKind
from mediadesk.ingest import media
from mediadesk.ingest.media import MediaError, inspect_media, poster, waveform
from mediadesk.ingest.safety import UnsafeFile

PICTURE = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"]
TONE = ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def ffmpeg(*args: str) -> None:
    """Run ffmpeg; it must be installed (no skip: CI installs it)."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=60)


def encoders() -> str:
    result = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True)
    return result.stdout.decode()


def make_media(folder: Path) -> dict[str, Path]:
    """Two-second test files of every container, written once per test module."""
    files = {name: folder / name for name in ("h264.mp4", "faststart.mp4", "clip.mov")}
    ffmpeg(*PICTURE, *TONE, "-t", "2", *H264, "-c:a", "aac", str(files["h264.mp4"]))
    ffmpeg(*PICTURE, *TONE, "-t", "2", *H264, "-c:a", "aac", "-movflags", "+faststart",
           str(files["faststart.mp4"]))  # fmt: skip
    ffmpeg(*PICTURE, "-t", "2", *H264, str(files["clip.mov"]))
    available = encoders()
    vp9 = "libvpx-vp9" if "libvpx-vp9" in available else "libvpx"
    opus = ["-c:a", "libopus"] if "libopus" in available else ["-c:a", "opus", "-strict", "-2"]
    files["clip.webm"] = folder / "clip.webm"
    ffmpeg(*PICTURE, *TONE, "-t", "2", "-c:v", vp9, "-deadline", "realtime", "-cpu-used", "8",
           "-b:v", "200k", *opus, str(files["clip.webm"]))  # fmt: skip
    files["tone.mp3"] = folder / "tone.mp3"
    ffmpeg(*TONE, "-t", "2", "-c:a", "libmp3lame", str(files["tone.mp3"]))
    files["tone.wav"] = folder / "tone.wav"
    ffmpeg(*TONE, "-t", "2", "-c:a", "pcm_s16le", str(files["tone.wav"]))
    return files


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_media(tmp_path_factory.mktemp("media"))


def cut(source: Path, target: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def copied(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


# --- measured -----------------------------------------------------------------------------------


def test_h264_aac_mp4_is_measured(files: dict[str, Path]) -> None:
    path = files["h264.mp4"]
    facts = inspect_media(path, "uploads/spot.mp4")
    assert (facts.kind, facts.container, facts.bytes) == (
        AssetKind.VIDEO,
        "MP4",
        path.stat().st_size,
    )
    assert facts.duration_seconds == Decimal("2.000")
    assert (facts.width, facts.height, facts.frame_rate) == (320, 240, Decimal("25.000"))
    assert (facts.video_codec, facts.audio_codec) == ("h264", "aac")
    assert (facts.sample_rate, facts.channels) == (44100, 1)
    assert facts.bitrate_kbps is not None and facts.bitrate_kbps > 0
    # A 1 kHz sine at ffmpeg's default amplitude (1/8) measures about -21 LUFS.
    assert facts.loudness_lufs is not None
    assert Decimal(-23) < facts.loudness_lufs < Decimal(-19)
    asset = facts.asset_facts()
    assert (asset.kind, asset.width, asset.height, asset.bytes) == (
        AssetKind.VIDEO,
        320,
        240,
        facts.bytes,
    )
    assert (asset.codec, asset.container, asset.frame_rate) == ("h264", "mp4", Decimal("25.000"))
    assert (asset.duration_seconds, asset.bitrate_kbps, asset.loudness_lufs) == (
        facts.duration_seconds,
        facts.bitrate_kbps,
        facts.loudness_lufs,
    )


def test_metadata_is_json_with_decimals_as_strings(files: dict[str, Path]) -> None:
    facts = inspect_media(files["h264.mp4"], "spot.mp4")
    stored = json.loads(json.dumps(facts.metadata()))
    assert stored["container"] == "MP4"
    assert stored["duration_seconds"] == "2.000"
    assert stored["frame_rate"] == "25.000"
    assert (stored["width"], stored["height"], stored["sample_rate"]) == (320, 240, 44100)
    assert stored["loudness_lufs"] == str(facts.loudness_lufs)
    assert stored["bitrate_kbps"] == str(facts.bitrate_kbps)


def test_faststart_mp4_and_mov(files: dict[str, Path]) -> None:
    faststart = inspect_media(files["faststart.mp4"], "spot.mp4")
    assert (faststart.container, faststart.width, faststart.duration_seconds) == (
        "MP4",
        320,
        Decimal("2.000"),
    )
    mov = inspect_media(files["clip.mov"], "spot.mov")
    assert (mov.container, mov.video_codec, mov.audio_codec) == ("MOV", "h264", "")
    assert (mov.loudness_lufs, mov.sample_rate) == (None, None)  # no sound to measure
    assert "audio_codec" not in mov.metadata()
    assert mov.asset_facts().container == "mov"


def test_an_mp4_may_be_named_mov_and_the_other_way_round(files: dict[str, Path]) -> None:
    assert inspect_media(files["h264.mp4"], "spot.mov").container == "MP4"
    assert inspect_media(files["clip.mov"], "spot.mp4").container == "MOV"


def test_webm(files: dict[str, Path]) -> None:
    facts = inspect_media(files["clip.webm"], "spot.webm")
    assert (facts.kind, facts.container, facts.width, facts.height) == (
        AssetKind.VIDEO,
        "WebM",
        320,
        240,
    )
    assert facts.video_codec in ("vp9", "vp8")
    assert facts.audio_codec == "opus"
    assert abs(facts.duration_seconds - 2) < Decimal("0.1")
    assert facts.asset_facts().container == "webm"


def test_mp3_and_wav(files: dict[str, Path]) -> None:
    mp3 = inspect_media(files["tone.mp3"], "radio.mp3")
    assert (mp3.kind, mp3.container, mp3.audio_codec) == (AssetKind.AUDIO, "MP3", "mp3")
    assert (mp3.width, mp3.height, mp3.frame_rate, mp3.video_codec) == (None, None, None, "")
    assert abs(mp3.duration_seconds - 2) < Decimal("0.1")
    assert mp3.asset_facts().codec == "mp3"
    wav = inspect_media(files["tone.wav"], "radio.wav")
    assert (wav.container, wav.audio_codec, wav.sample_rate) == ("WAV", "pcm_s16le", 44100)
    assert wav.duration_seconds == Decimal("2.000")
    assert wav.bitrate_kbps == Decimal("705.9")  # 44,100 x 16 bits + the header's share
    assert wav.loudness_lufs is not None and Decimal(-23) < wav.loudness_lufs < Decimal(-19)
    assert wav.asset_facts().kind == AssetKind.AUDIO


def test_padding_after_the_id3_tag_is_allowed(files: dict[str, Path], tmp_path: Path) -> None:
    data = files["tone.mp3"].read_bytes()
    assert data.startswith(b"ID3")
    end = 10 + sum((byte & 0x7F) << (7 * (3 - index)) for index, byte in enumerate(data[6:10]))
    path = tmp_path / "padded.mp3"
    path.write_bytes(data[:end] + bytes(300) + data[end:])
    facts = inspect_media(path, "padded.mp3")
    assert (facts.container, facts.audio_codec) == ("MP3", "mp3")


def test_a_phone_video_turned_a_quarter_is_measured_as_shown(
    files: dict[str, Path], tmp_path: Path
) -> None:
    turned = tmp_path / "vertical.mp4"
    ffmpeg("-i", str(files["h264.mp4"]), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(turned))
    facts = inspect_media(turned, "vertical.mp4")
    assert (facts.width, facts.height) == (240, 320)


def test_ntsc_frame_rate_to_three_places(tmp_path: Path) -> None:
    path = tmp_path / "ntsc.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=30000/1001", "-t", "0.5", *H264, str(path))
    assert inspect_media(path, "ntsc.mp4").frame_rate == Decimal("29.970")


def test_loudness_is_left_out_where_it_is_not_cheap(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "LOUDNESS_MAX_VIDEO_SECONDS", Decimal(1))
    facts = inspect_media(files["h264.mp4"], "long.mp4")
    assert facts.loudness_lufs is None
    assert "loudness_lufs" not in facts.metadata()
    assert facts.audio_codec == "aac"


def test_a_name_that_looks_like_an_option_or_a_protocol(
    files: dict[str, Path], tmp_path: Path
) -> None:
    path = copied(files["h264.mp4"], tmp_path / "-i http:spot.mp4")
    assert inspect_media(path, path.name).width == 320
    assert poster(path).startswith(b"\xff\xd8")


# --- refused: content and names -----------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spot.mp4"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match=r"^spot\.mp4 is empty \(0 bytes\)"):
        inspect_media(path, "spot.mp4")


def test_a_png_renamed_mp4_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "poster.mp4"
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(MediaError) as refused:
        inspect_media(path, "poster.mp4")
    message = str(refused.value)
    assert message.startswith("poster.mp4 is not a video or audio file")
    assert "it looks like a PNG image" in message
    assert "Upload video as .mp4, .mov or .webm and audio as .mp3 or .wav." in message


def test_an_mp3_that_is_a_wav_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    path = copied(files["tone.wav"], tmp_path / "jingle.mp3")
    with pytest.raises(MediaError) as refused:
        inspect_media(path, "jingle.mp3")
    assert str(refused.value) == (
        "jingle.mp3 is named as an MP3 audio file but holds a WAV audio file. Rename it to "
        "end in .wav, or export it again as MP3."
    )


def test_a_video_named_as_audio_is_refused(files: dict[str, Path]) -> None:
    with pytest.raises(MediaError, match=r"^radio\.wav is named as a WAV audio file but holds an"):
        inspect_media(files["h264.mp4"], "radio.wav")


def test_an_unknown_extension_is_refused(files: dict[str, Path]) -> None:
    with pytest.raises(MediaError, match=r"spot\.avi holds an MP4 video but its name does not"):
        inspect_media(files["h264.mp4"], "spot.avi")


def test_other_media_formats_are_named(tmp_path: Path, files: dict[str, Path]) -> None:
    heif = tmp_path / "photo.mp4"
    heif.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    with pytest.raises(MediaError, match="it looks like an HEIF or AVIF image"):
        inspect_media(heif, "photo.mp4")
    mkv = tmp_path / "clip.webm"
    ffmpeg("-i", str(files["clip.webm"]), "-c", "copy", "-f", "matroska", str(mkv))
    with pytest.raises(MediaError, match=r"it looks like a Matroska \(\.mkv\) video"):
        inspect_media(mkv, "clip.webm")
    tagged = tmp_path / "tagged.mp3"  # an ID3 tag in front of something that is not MP3
    tagged.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"fLaC" + bytes(100))
    with pytest.raises(MediaError, match=r"^tagged\.mp3 is not a video or audio file"):
        inspect_media(tagged, "tagged.mp3")


def test_a_video_without_a_picture_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "sound.mp4"
    ffmpeg("-i", str(files["h264.mp4"]), "-vn", "-c:a", "copy", str(path))
    with pytest.raises(MediaError, match=r"sound\.mp4 has no video stream.*\.mp3 or \.wav"):
        inspect_media(path, "sound.mp4")


# --- refused: damaged and incomplete ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("h264.mp4", "its mdat box ends"),  # moov at the end: cut before it
        ("faststart.mp4", "its mdat box ends"),  # moov first: the header survives the cut
        ("clip.mov", "its mdat box ends"),
        ("clip.webm", "its segment ends"),
        ("tone.wav", "its RIFF header declares"),
        ("tone.mp3", "its MP3 header counts"),
    ],
)
def test_a_file_cut_in_half_is_refused(
    files: dict[str, Path], tmp_path: Path, source: str, found: str
) -> None:
    path = cut(files[source], tmp_path / source)
    with pytest.raises(MediaError) as refused:
        inspect_media(path, source)
    message = str(refused.value)
    assert message.startswith(f"{source} is incomplete: {found}")
    assert "after the end of the file" in message or "more than" in message
    assert "Upload the whole file again" in message


def test_a_wav_whose_data_chunk_claims_more_than_the_file_holds(
    files: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(files["tone.wav"].read_bytes())
    data[4:8] = (0xFFFFFFFF).to_bytes(4, "little")  # a RIFF size a streaming writer leaves
    path = tmp_path / "cut.wav"
    path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(MediaError, match=r"^cut\.wav is incomplete: its audio data ends"):
        inspect_media(path, "cut.wav")


@pytest.mark.parametrize("source", ["faststart.mp4", "clip.webm", "tone.mp3"])
def test_a_file_damaged_at_the_end_is_refused(
    files: dict[str, Path], tmp_path: Path, source: str
) -> None:
    """The sizes still agree; decoding the last second finds the damage."""
    data = bytearray(files[source].read_bytes())
    start = len(data) * 3 // 4
    data[start:] = bytes(range(256)) * ((len(data) - start) // 256) + bytes(
        (len(data) - start) % 256
    )
    path = tmp_path / source
    path.write_bytes(bytes(data))
    with pytest.raises(MediaError, match=r"is a damaged or incomplete (MP4|WebM|MP3) file"):
        inspect_media(path, source)


def test_garbage_with_a_video_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\xab" * 500)
    with pytest.raises(MediaError, match=r"^fake\.mp4 is (incomplete|a damaged)"):
        inspect_media(path, "fake.mp4")


def test_ffprobe_missing_is_said_plainly(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "FFPROBE", "/nonexistent/ffprobe")
    with pytest.raises(MediaError, match="ffprobe is not installed on this server"):
        inspect_media(files["h264.mp4"], "spot.mp4")


def test_a_tool_that_takes_too_long_is_stopped(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(args: list[str], **options: object) -> subprocess.CompletedProcess[bytes]:
        raise subprocess.TimeoutExpired(args, float(str(options["timeout"])))

    monkeypatch.setattr(subprocess, "run", slow)
    with pytest.raises(MediaError, match=r"spot\.mp4 took longer than 60 s to read"):
        inspect_media(files["h264.mp4"], "spot.mp4")


def test_media_errors_are_unsafe_files() -> None:
    assert issubclass(MediaError, UnsafeFile)


# --- previews -----------------------------------------------------------------------------------


def test_poster_is_a_jpeg_no_larger_than_asked(files: dict[str, Path]) -> None:
    data = poster(files["h264.mp4"])
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (320, 240))  # never scaled up
    small = poster(files["clip.webm"], at_seconds=Decimal("0.5"), max_side=160)
    with Image.open(io.BytesIO(small)) as image:
        assert (image.format, image.size) == ("JPEG", (160, 120))


def test_poster_past_the_end_falls_back_to_the_first_frame(files: dict[str, Path]) -> None:
    assert poster(files["clip.mov"], at_seconds=Decimal(60)).startswith(b"\xff\xd8")


def test_poster_of_a_file_without_frames_is_refused(files: dict[str, Path]) -> None:
    with pytest.raises(MediaError, match=r"^tone\.wav: no frame could be read"):
        poster(files["tone.wav"])


def test_waveform_is_a_png_of_the_asked_size(files: dict[str, Path]) -> None:
    for name in ("tone.mp3", "tone.wav"):
        with Image.open(io.BytesIO(waveform(files[name]))) as image:
            assert (image.format, image.size) == ("PNG", (480, 120))
    with Image.open(io.BytesIO(waveform(files["tone.mp3"], width=200, height=50))) as image:
        assert image.size == (200, 50)


def test_waveform_of_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_bytes(b"just some text, not audio")
    with pytest.raises(MediaError, match=r"notes\.mp3 is not a video or audio file"):
        waveform(path)
