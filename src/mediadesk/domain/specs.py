"""Creative specs and the automatic spec check: what a placement accepts, and what an asset
version breaks of it, before anyone reviews it.

A **spec** says what a placement accepts: the asset kinds (image, video, audio, HTML5, print,
copy), exact sizes or aspect ratios, file weight, the HTML5 initial load and subload, formats
and codecs, duration (a range, or an exact spot length with a tolerance), bitrate, loudness,
print page size and colour mode, and copy limits per field (characters and count).
``AssetFacts`` is what the extractor measured of one asset version. ``check(facts, spec)``
returns the findings, each with a sentence a coordinator can act on::

    300x250 HTML5 zip: initial load 212 kB, limit 150 kB
    video is 31.2 s, spot length 30 s
    headline 2 is 34 characters, limit 30

Rules of the check:

- An asset kind the spec does not accept gives one finding and nothing else is checked.
- A limit only applies to the kinds it makes sense for (sizes to image, video and HTML5; weight
  to every file; initial load to HTML5 and to a static image, whose whole file is its initial
  load; subload and file requests to HTML5; duration, bitrate, loudness and codec to video and
  audio; page size and colour mode to print). A limit the spec has but the facts did not
  measure is a warning ("… not measured"): it cannot be passed unseen.
- A hard limit broken is ``blocking``; a platform's recommendation (Meta's text lengths,
  LinkedIn's recommended lengths, TikTok's suggested 9–15 s) is a ``warning``.
- Weights: 1 kB = 1,000 bytes and 1 MB = 1,000,000 bytes (the reference writes kB and MB). A
  measured value is shown in the limit's unit to one decimal, with more places when rounding
  would make it look equal to the limit.
- Characters are counted on the NFC-normalized text in Unicode code points, never bytes: "é" is
  one character whether it came composed or as e + combining accent; an emoji is one code point
  per code point ("🙂" is 1, "👍🏽" is 2: emoji + skin tone, "❤️" is 2: heart + variation
  selector), which is how code-point counters see it. Per field the platform's own way is
  used where the reference gives one: Google's paths (and TikTok's ad description, 100 English
  or 50 CJK characters) count an East Asian wide or full-width character as 2; an X post counts
  each link (``http://…``, ``https://…``, ``www.…``) as 23 characters whatever its length.
- Dimensions match an exact size, or an aspect ratio within ``aspect_tolerance`` (relative,
  1% by default: mediadesk's own allowance for 1200x628 being "1.91:1", not a platform
  figure), then that ratio's minimum size if it has one. Print pages match a page size in mm
  within ``page_tolerance_mm`` (0 by default).

``SEED_SPECS`` takes every number from the reference file (specs-and-media-math.md) and
leaves a limit out where the reference gives none: no seed has codecs, formats, loudness,
colour modes or a spot-length tolerance, because the reference names none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class AssetKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    HTML5 = "html5"
    PRINT = "print"
    COPY = "copy"


KIND_LABELS: dict[AssetKind, str] = {
    AssetKind.IMAGE: "image",
    AssetKind.VIDEO: "video",
    AssetKind.AUDIO: "audio",
    AssetKind.HTML5: "HTML5",
    AssetKind.PRINT: "print ad",
    AssetKind.COPY: "copy",
}

_VISUAL = frozenset({AssetKind.IMAGE, AssetKind.VIDEO, AssetKind.HTML5})
_TIMED = frozenset({AssetKind.VIDEO, AssetKind.AUDIO})
_FILES = frozenset(AssetKind) - {AssetKind.COPY}


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


class Counting(StrEnum):
    """How a platform counts the characters of a copy field (module docstring)."""

    CODE_POINTS = "code_points"
    DOUBLE_WIDTH = "double_width"
    X_POST = "x_post"


X_LINK_LENGTH = 23
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMOJI_BLOCKS = (
    (0x1F000, 0x1FAFF),  # mahjong … symbols and pictographs extended-A, incl. flags, skin tones
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2B00, 0x2BFF),  # arrows and stars (⭐)
    (0xFE0F, 0xFE0F),  # emoji presentation selector
    (0x200D, 0x200D),  # zero-width joiner of emoji sequences
)


def count_characters(text: str, counting: Counting = Counting.CODE_POINTS) -> int:
    """The length of ``text`` the way ``counting`` says the platform counts it."""
    text = unicodedata.normalize("NFC", text)
    if counting == Counting.X_POST:
        links = _LINK.findall(text)
        return len(_LINK.sub("", text)) + X_LINK_LENGTH * len(links)
    if counting == Counting.DOUBLE_WIDTH:
        return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)
    return len(text)


def is_emoji(char: str) -> bool:
    """Whether ``char`` (one code point) belongs to the emoji blocks."""
    point = ord(char)
    return any(low <= point <= high for low, high in _EMOJI_BLOCKS)


def _positive(value: int | None, what: str) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{what} must be positive, not {value}.")


def _decimal(value: Decimal | None, what: str) -> None:
    if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
        raise ValueError(f"{what} is a finite Decimal, not {value!r}.")


@dataclass(frozen=True, slots=True)
class Size:
    width: int
    height: int

    def __post_init__(self) -> None:
        _positive(self.width, "A width")
        _positive(self.height, "A height")

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True, slots=True)
class AspectRatio:
    """An accepted aspect ratio ("9:16", "1.91:1"), optionally with a minimum size for it."""

    width: Decimal
    height: Decimal
    min_width: int | None = None
    min_height: int | None = None

    def __post_init__(self) -> None:
        _decimal(self.width, "An aspect ratio's width")
        _decimal(self.height, "An aspect ratio's height")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"An aspect ratio is positive, not {self}.")
        _positive(self.min_width, "A minimum width")
        _positive(self.min_height, "A minimum height")

    @property
    def ratio(self) -> Decimal:
        return self.width / self.height

    def __str__(self) -> str:
        return f"{_number(self.width)}:{_number(self.height)}"


@dataclass(frozen=True, slots=True)
class PageSize:
    """A print page size in mm; ``label`` says which ("trim", "bleed")."""

    width_mm: Decimal
    height_mm: Decimal
    label: str = ""

    def __post_init__(self) -> None:
        _decimal(self.width_mm, "A page width")
        _decimal(self.height_mm, "A page height")
        if self.width_mm <= 0 or self.height_mm <= 0:
            raise ValueError("A page size is positive.")

    def __str__(self) -> str:
        text = f"{_number(self.width_mm)}x{_number(self.height_mm)} mm"
        return f"{text} ({self.label})" if self.label else text


def inches(value: str) -> Decimal:
    """Inches to mm, exactly (1 in = 25.4 mm)."""
    return Decimal(value) * Decimal("25.4")


@dataclass(frozen=True, slots=True)
class CopyLimit:
    """The limits of one copy field: characters per item and number of items.

    ``field`` is singular ("headline"); items are named "headline 1", "headline 2", … unless
    the field takes one item only. ``recommended_chars`` is a soft limit (a warning);
    ``max_chars`` and ``min_chars`` are hard.
    """

    field: str
    max_chars: int | None = None
    min_chars: int | None = None
    recommended_chars: int | None = None
    max_count: int | None = None
    min_count: int = 0
    plural: str = ""
    counting: Counting = Counting.CODE_POINTS
    forbid_emoji: bool = False
    forbidden_chars: str = ""

    def __post_init__(self) -> None:
        if not self.field.strip():
            raise ValueError("A copy limit names its field.")
        for value, what in (
            (self.max_chars, "A character limit"),
            (self.min_chars, "A character minimum"),
            (self.recommended_chars, "A recommended length"),
            (self.max_count, "A maximum count"),
        ):
            _positive(value, what)
        if self.min_count < 0:
            raise ValueError("A minimum count cannot be negative.")
        if self.max_count is not None and self.min_count > self.max_count:
            raise ValueError(
                f"{self.field}: at least {self.min_count} but at most {self.max_count}."
            )
        if self.max_chars and self.min_chars and self.min_chars > self.max_chars:
            raise ValueError(f"{self.field}: minimum length above the limit.")

    @property
    def plural_name(self) -> str:
        return self.plural or f"{self.field}s"

    def item_name(self, number: int) -> str:
        return self.field if self.max_count == 1 else f"{self.field} {number}"


@dataclass(frozen=True, slots=True)
class Spec:
    """What a placement accepts. Every limit is optional; ``None`` (or empty) checks nothing.

    ``label`` is how findings name the spec ("300x250"); it defaults to ``name``.
    ``spot_length_seconds`` is an exact length, met within ``duration_tolerance_seconds``;
    ``min/max_duration_seconds`` are a hard range, ``recommended_*`` a soft one.
    ``max_loudness_lufs`` is the loudest integrated loudness allowed (e.g. -23).
    ``formats`` are containers or file types ("mp4", "zip"), ``codecs`` video/audio codecs,
    ``colour_modes`` print colour modes ("CMYK"); all compared without case.
    ``source`` says where the numbers come from.
    """

    key: str
    name: str
    kinds: frozenset[AssetKind]
    label: str = ""
    sizes: tuple[Size, ...] = ()
    aspect_ratios: tuple[AspectRatio, ...] = ()
    aspect_tolerance: Decimal = Decimal("0.01")
    max_bytes: int | None = None
    max_initial_load_bytes: int | None = None
    max_subload_bytes: int | None = None
    max_initial_requests: int | None = None
    formats: frozenset[str] = frozenset()
    codecs: frozenset[str] = frozenset()
    spot_length_seconds: Decimal | None = None
    duration_tolerance_seconds: Decimal = Decimal(0)
    min_duration_seconds: Decimal | None = None
    max_duration_seconds: Decimal | None = None
    recommended_min_duration_seconds: Decimal | None = None
    recommended_max_duration_seconds: Decimal | None = None
    min_bitrate_kbps: int | None = None
    max_loudness_lufs: Decimal | None = None
    page_sizes: tuple[PageSize, ...] = ()
    page_tolerance_mm: Decimal = Decimal(0)
    colour_modes: frozenset[str] = frozenset()
    copy_limits: tuple[CopyLimit, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        if not self.key.strip() or not self.name.strip():
            raise ValueError("A spec has a key and a name.")
        if not self.kinds:
            raise ValueError(f"Spec {self.key} accepts no asset kind.")
        for value, what in (
            (self.max_bytes, "A file weight limit"),
            (self.max_initial_load_bytes, "An initial load limit"),
            (self.max_subload_bytes, "A subload limit"),
            (self.max_initial_requests, "A file request limit"),
            (self.min_bitrate_kbps, "A minimum bitrate"),
        ):
            _positive(value, what)
        for number, what in (
            (self.aspect_tolerance, "An aspect tolerance"),
            (self.spot_length_seconds, "A spot length"),
            (self.duration_tolerance_seconds, "A duration tolerance"),
            (self.min_duration_seconds, "A minimum duration"),
            (self.max_duration_seconds, "A maximum duration"),
            (self.recommended_min_duration_seconds, "A recommended minimum duration"),
            (self.recommended_max_duration_seconds, "A recommended maximum duration"),
            (self.max_loudness_lufs, "A loudness limit"),
            (self.page_tolerance_mm, "A page tolerance"),
        ):
            _decimal(number, what)
            if number is not None and number < 0 and what != "A loudness limit":
                raise ValueError(f"{what} cannot be negative ({number}).")
        low, high = self.min_duration_seconds, self.max_duration_seconds
        if low is not None and high is not None and low > high:
            raise ValueError(f"Spec {self.key}: minimum duration above the maximum.")
        fields = [limit.field for limit in self.copy_limits]
        if len(set(fields)) != len(fields):
            raise ValueError(f"Spec {self.key} limits a copy field twice.")

    @property
    def short_label(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class AssetFacts:
    """What the extractor measured of one asset version; ``None`` (or "") is not measured.

    ``bytes`` is the whole file (for HTML5 the zip); ``initial_load_bytes`` and
    ``subload_bytes`` what an HTML5 ad loads before and after the page's load event;
    ``initial_requests`` the file requests at initial load. ``container`` is the file type
    ("zip", "mp4", "png"), ``codec`` the video or audio codec. ``copy`` maps a field
    ("headline") to its texts in order.
    """

    kind: AssetKind
    width: int | None = None
    height: int | None = None
    bytes: int | None = None
    initial_load_bytes: int | None = None
    subload_bytes: int | None = None
    initial_requests: int | None = None
    duration_seconds: Decimal | None = None
    codec: str = ""
    container: str = ""
    frame_rate: Decimal | None = None
    bitrate_kbps: Decimal | None = None
    loudness_lufs: Decimal | None = None
    page_width_mm: Decimal | None = None
    page_height_mm: Decimal | None = None
    colour_mode: str = ""
    copy: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for number, what in (
            (self.duration_seconds, "A duration"),
            (self.frame_rate, "A frame rate"),
            (self.bitrate_kbps, "A bitrate"),
            (self.loudness_lufs, "A loudness"),
            (self.page_width_mm, "A page width"),
            (self.page_height_mm, "A page height"),
        ):
            _decimal(number, what)

    @property
    def description(self) -> str:
        """How findings name the asset: "video", "HTML5 zip", "print ad"."""
        label = KIND_LABELS[self.kind]
        container = _code(self.container)
        return f"{label} {container}" if self.kind == AssetKind.HTML5 and container else label


@dataclass(frozen=True, slots=True)
class Finding:
    spec: str
    severity: Severity
    field: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.BLOCKING


# --- formatting ---------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros, thousands separated: 30, 31.2, 1,200."""
    return f"{value.normalize():,f}"


def _shown(value: Decimal, *bounds: Decimal) -> str:
    """``value`` to one decimal, with more places while rounding would make it equal a bound
    it is not equal to (30.04 against a 30 s spot shows as 30.04, not 30)."""
    for places in range(1, 7):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if all(rounded != bound or value == bound for bound in bounds):
            return _number(rounded)
    return _number(value)


_UNITS = ((1_000_000, "MB"), (1_000, "kB"), (1, "bytes"))


def _weights(value: int, limit: int) -> tuple[str, str]:
    """A measured weight and its limit in the limit's unit: ("212 kB", "150 kB")."""
    size, unit = next((size, unit) for size, unit in _UNITS if limit >= size)
    scale = Decimal(size)
    return (
        f"{_shown(Decimal(value) / scale, Decimal(limit) / scale)} {unit}",
        f"{_number(Decimal(limit) / scale)} {unit}",
    )


def _seconds(value: Decimal) -> str:
    return f"{_number(value)} s"


def _either(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _code(text: str) -> str:
    return text.strip().lstrip(".").casefold()


def _plural(count: int, word: str, plural: str) -> str:
    return f"{count} {word if count == 1 else plural}"


# --- the check ----------------------------------------------------------------------------


class _Findings:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.items: list[Finding] = []

    def block(self, field_name: str, message: str) -> None:
        self.items.append(Finding(self.spec.key, Severity.BLOCKING, field_name, message))

    def warn(self, field_name: str, message: str) -> None:
        self.items.append(Finding(self.spec.key, Severity.WARNING, field_name, message))

    def unmeasured(self, field_name: str, what: str) -> None:
        self.warn(field_name, f"{what} not measured")


def check(facts: AssetFacts, spec: Spec) -> list[Finding]:
    """Everything ``facts`` breaks of ``spec``; empty when the asset meets it."""
    out = _Findings(spec)
    if facts.kind not in spec.kinds:
        accepted = _either([KIND_LABELS[kind] for kind in AssetKind if kind in spec.kinds])
        out.block(
            "kind",
            f"{KIND_LABELS[facts.kind]} is not accepted by {spec.short_label} (accepts {accepted})",
        )
        return out.items
    if facts.kind in _VISUAL:
        _check_dimensions(facts, spec, out)
    if facts.kind in _FILES:
        _check_weights(facts, spec, out)
        _check_format(facts, spec, out)
    if facts.kind in _TIMED:
        _check_codec(facts, spec, out)
        _check_duration(facts, spec, out)
        _check_sound(facts, spec, out)
    if facts.kind == AssetKind.PRINT:
        _check_print(facts, spec, out)
    _check_copy(facts, spec, out)
    return out.items


def check_all(facts: AssetFacts, specs: Iterable[Spec]) -> list[Finding]:
    """The findings against each spec of the placements an asset is assigned to (each spec
    once, in the order given)."""
    seen: set[str] = set()
    findings: list[Finding] = []
    for spec in specs:
        if spec.key not in seen:
            seen.add(spec.key)
            findings.extend(check(facts, spec))
    return findings


def _check_dimensions(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    if not spec.sizes and not spec.aspect_ratios:
        return
    what = KIND_LABELS[facts.kind]
    if facts.width is None or facts.height is None:
        out.unmeasured("dimensions", f"{what} dimensions")
        return
    measured = f"{facts.width}x{facts.height}"
    if spec.sizes:
        if not any(s.width == facts.width and s.height == facts.height for s in spec.sizes):
            required = _either([str(size) for size in spec.sizes])
            out.block("dimensions", f"{what} is {measured}, required {required}")
        return
    if facts.width <= 0 or facts.height <= 0:
        out.block("dimensions", f"{what} is {measured}, which has no aspect ratio")
        return
    ratio = Decimal(facts.width) / Decimal(facts.height)
    match = next(
        (
            aspect
            for aspect in spec.aspect_ratios
            if abs(ratio - aspect.ratio) <= aspect.ratio * spec.aspect_tolerance
        ),
        None,
    )
    if match is None:
        accepted = _either([str(aspect) for aspect in spec.aspect_ratios])
        out.block(
            "dimensions",
            f"{what} is {measured} ({_shown(ratio)}:1), accepted aspect ratios {accepted}",
        )
        return
    too_narrow = match.min_width is not None and facts.width < match.min_width
    too_low = match.min_height is not None and facts.height < match.min_height
    if too_narrow or too_low:
        minimum = f"{match.min_width or 0}x{match.min_height or 0}"
        out.block("dimensions", f"{what} is {measured} ({match}), minimum {minimum}")


def _check_weights(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    subject = f"{spec.short_label} {facts.description}"
    if spec.max_bytes is not None:
        if facts.bytes is None:
            out.unmeasured("weight", "file weight")
        elif facts.bytes > spec.max_bytes:
            value, limit = _weights(facts.bytes, spec.max_bytes)
            out.block("weight", f"{subject}: file weight {value}, limit {limit}")
    if spec.max_initial_load_bytes is not None and facts.kind in (
        AssetKind.HTML5,
        AssetKind.IMAGE,
    ):
        initial = facts.initial_load_bytes
        if initial is None and facts.kind == AssetKind.IMAGE:
            initial = facts.bytes  # a static image loads whole at once
        if initial is None:
            out.unmeasured("initial load", "initial load")
        elif initial > spec.max_initial_load_bytes:
            value, limit = _weights(initial, spec.max_initial_load_bytes)
            out.block("initial load", f"{subject}: initial load {value}, limit {limit}")
    if facts.kind != AssetKind.HTML5:
        return
    if spec.max_subload_bytes is not None:
        if facts.subload_bytes is None:
            out.unmeasured("subload", "subload")
        elif facts.subload_bytes > spec.max_subload_bytes:
            value, limit = _weights(facts.subload_bytes, spec.max_subload_bytes)
            out.block("subload", f"{subject}: subload {value}, limit {limit}")
    if spec.max_initial_requests is not None:
        requests = facts.initial_requests
        if requests is None:
            out.unmeasured("file requests", "file requests at initial load")
        elif requests > spec.max_initial_requests:
            out.block(
                "file requests",
                f"{subject}: {_plural(requests, 'file request', 'file requests')} at "
                f"initial load, limit {spec.max_initial_requests}",
            )


def _check_format(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    if not spec.formats:
        return
    accepted = sorted({_code(name) for name in spec.formats})
    container = _code(facts.container)
    if not container:
        out.unmeasured("format", "file format")
    elif container not in accepted:
        out.block(
            "format",
            f"{KIND_LABELS[facts.kind]} format is {container}, accepted {_either(accepted)}",
        )


def _check_codec(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    if not spec.codecs:
        return
    accepted = sorted({_code(name) for name in spec.codecs})
    codec = _code(facts.codec)
    if not codec:
        out.unmeasured("codec", "codec")
    elif codec not in accepted:
        out.block(
            "codec", f"{KIND_LABELS[facts.kind]} codec is {codec}, accepted {_either(accepted)}"
        )


def _check_duration(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    hard = (
        spec.spot_length_seconds is not None
        or spec.min_duration_seconds is not None
        or spec.max_duration_seconds is not None
    )
    soft = (
        spec.recommended_min_duration_seconds is not None
        or spec.recommended_max_duration_seconds is not None
    )
    if not hard and not soft:
        return
    what = KIND_LABELS[facts.kind]
    duration = facts.duration_seconds
    if duration is None:
        out.unmeasured("duration", f"{what} duration")
        return
    before = len(out.items)
    spot = spec.spot_length_seconds
    if spot is not None:
        tolerance = spec.duration_tolerance_seconds
        if abs(duration - spot) > tolerance:
            within = f" ± {_seconds(tolerance)}" if tolerance else ""
            shown = _shown(duration, spot, spot - tolerance, spot + tolerance)
            out.block("duration", f"{what} is {shown} s, spot length {_seconds(spot)}{within}")
    low, high = spec.min_duration_seconds, spec.max_duration_seconds
    if low is not None and duration < low:
        out.block("duration", f"{what} is {_shown(duration, low)} s, minimum {_seconds(low)}")
    if high is not None and duration > high:
        out.block("duration", f"{what} is {_shown(duration, high)} s, maximum {_seconds(high)}")
    if len(out.items) > before:
        return
    low, high = spec.recommended_min_duration_seconds, spec.recommended_max_duration_seconds
    if (low is not None and duration < low) or (high is not None and duration > high):
        if low is not None and high is not None:
            advice = f"{_number(low)}–{_number(high)} s"
        elif low is not None:
            advice = f"at least {_seconds(low)}"
        else:
            advice = f"at most {_seconds(high)}" if high is not None else ""
        bounds = [bound for bound in (low, high) if bound is not None]
        out.warn("duration", f"{what} is {_shown(duration, *bounds)} s, recommended {advice}")


def _check_sound(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    what = KIND_LABELS[facts.kind]
    if spec.min_bitrate_kbps is not None:
        minimum = Decimal(spec.min_bitrate_kbps)
        if facts.bitrate_kbps is None:
            out.unmeasured("bitrate", f"{what} bitrate")
        elif facts.bitrate_kbps < minimum:
            out.block(
                "bitrate",
                f"{what} bitrate is {_shown(facts.bitrate_kbps, minimum)} kbps, "
                f"minimum {spec.min_bitrate_kbps} kbps",
            )
    if spec.max_loudness_lufs is not None:
        limit = spec.max_loudness_lufs
        if facts.loudness_lufs is None:
            out.unmeasured("loudness", f"{what} loudness")
        elif facts.loudness_lufs > limit:
            out.block(
                "loudness",
                f"{what} loudness is {_shown(facts.loudness_lufs, limit)} LUFS, "
                f"limit {_number(limit)} LUFS",
            )


def _check_print(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    what = KIND_LABELS[facts.kind]
    if spec.page_sizes:
        width, height = facts.page_width_mm, facts.page_height_mm
        if width is None or height is None:
            out.unmeasured("page size", "page size")
        else:
            tolerance = spec.page_tolerance_mm
            fits = any(
                abs(width - page.width_mm) <= tolerance
                and abs(height - page.height_mm) <= tolerance
                for page in spec.page_sizes
            )
            if not fits:
                widths = [page.width_mm for page in spec.page_sizes]
                heights = [page.height_mm for page in spec.page_sizes]
                required = _either([str(page) for page in spec.page_sizes])
                out.block(
                    "page size",
                    f"{what} is {_shown(width, *widths)}x{_shown(height, *heights)} mm, "
                    f"required {required}",
                )
    if spec.colour_modes:
        accepted = sorted({mode.strip().upper() for mode in spec.colour_modes})
        mode = facts.colour_mode.strip().upper()
        if not mode:
            out.unmeasured("colour mode", "colour mode")
        elif mode not in accepted:
            out.block("colour mode", f"{what} colour mode is {mode}, required {_either(accepted)}")


def _forbidden(text: str, limit: CopyLimit) -> list[str]:
    found: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        bad = char in limit.forbidden_chars or (limit.forbid_emoji and is_emoji(char))
        if bad and char not in found and char not in ("\u200d", "\ufe0f"):
            found.append(char)
    return found


def _check_copy(facts: AssetFacts, spec: Spec, out: _Findings) -> None:
    known = {limit.field for limit in spec.copy_limits}
    for name in facts.copy:
        if name not in known:
            out.warn(name, f"copy field {name!r} is not part of {spec.short_label}")
    for limit in spec.copy_limits:
        texts = facts.copy.get(limit.field)
        if texts is None and facts.kind != AssetKind.COPY:
            continue  # e.g. a video checked against a spec that also limits its ad text
        items = list(texts or ())
        count = len(items)
        counted = _plural(count, limit.field, limit.plural_name)
        if limit.max_count is not None and count > limit.max_count:
            out.block(limit.plural_name, f"{counted}, at most {limit.max_count}")
        if count < limit.min_count:
            out.block(limit.plural_name, f"{counted}, at least {limit.min_count}")
        for number, text in enumerate(items, start=1):
            name = limit.item_name(number)
            length = count_characters(text, limit.counting)
            characters = _plural(length, "character", "characters")
            if limit.max_chars is not None and length > limit.max_chars:
                out.block(name, f"{name} is {characters}, limit {limit.max_chars}")
            elif limit.recommended_chars is not None and length > limit.recommended_chars:
                out.warn(name, f"{name} is {characters}, recommended {limit.recommended_chars}")
            if limit.min_chars is not None and length < limit.min_chars:
                out.block(name, f"{name} is {characters}, minimum {limit.min_chars}")
            bad = _forbidden(text, limit)
            if bad:
                listed = ", ".join(repr(char) for char in bad)
                out.block(name, f"{name} contains characters not allowed: {listed}")


# --- the seed library (numbers from specs-and-media-math.md only) -------------------------

_IAB_SOURCE = (
    "IAB New Ad Portfolio (2017), Fixed Size Ad Specifications: max initial load / subload; "
    "≤10 file requests at initial load"
)
_KB = 1_000
_MB = 1_000_000
_DISPLAY = frozenset({AssetKind.IMAGE, AssetKind.HTML5})
_SPOT = frozenset({AssetKind.AUDIO, AssetKind.VIDEO})


def _iab(
    name: str, sizes: Sequence[tuple[int, int]], initial_kb: int, subload_kb: int | None
) -> Spec:
    size_list = tuple(Size(width, height) for width, height in sizes)
    key = f"iab-{size_list[0]}" if len(size_list) == 1 else f"iab-{name.lower().replace(' ', '-')}"
    label = str(size_list[0]) if len(size_list) == 1 else name
    return Spec(
        key=key,
        name=f"{name} {'/'.join(str(size) for size in size_list)}",
        label=label,
        kinds=_DISPLAY,
        sizes=size_list,
        max_initial_load_bytes=initial_kb * _KB,
        max_subload_bytes=None if subload_kb is None else subload_kb * _KB,
        max_initial_requests=10,
        source=_IAB_SOURCE,
    )


def _spot(seconds: int, note: str) -> Spec:
    return Spec(
        key=f"spot-{seconds}s",
        name=f"{seconds}-second spot (broadcast or radio)",
        label=f"{seconds}s spot",
        kinds=_SPOT,
        spot_length_seconds=Decimal(seconds),
        source=f"Radio: 15/30/60 s are the standard lengths; {note}. No tolerance is given.",
    )


def _print(key: str, name: str, *pages: tuple[str, str, str]) -> Spec:
    return Spec(
        key=key,
        name=name,
        label=name,
        kinds=frozenset({AssetKind.PRINT}),
        page_sizes=tuple(PageSize(inches(w), inches(h), label) for w, h, label in pages),
        source="A magazine's rate card (homestylemag.ca, betterfarming.com); sizes vary by title",
    )


_META_SOURCE = (
    "Meta text lengths are recommendations except primary text 2,200 (secondary pages only: "
    "adsuploader.com, lettercounter.org, ridgemarketing.com)"
)


def _meta(key: str, name: str, headline: int) -> Spec:
    return Spec(
        key=key,
        name=name,
        label=name,
        kinds=frozenset({AssetKind.COPY}),
        copy_limits=(
            CopyLimit(
                "primary text", max_chars=2200, recommended_chars=125, plural="primary texts"
            ),
            CopyLimit("headline", recommended_chars=headline),
            CopyLimit("description", recommended_chars=30),
        ),
        source=_META_SOURCE,
    )


SEED_SPECS: tuple[Spec, ...] = (
    _iab("Billboard", [(970, 250)], 250, 500),
    _iab("Smartphone banner", [(300, 50)], 50, 100),
    _iab("Smartphone banner", [(320, 50)], 50, 100),
    _iab("Leaderboard", [(728, 90)], 150, 300),
    _iab("Super leaderboard", [(970, 90)], 200, 400),
    _iab("Portrait", [(300, 1050)], 250, 500),
    _iab("Skyscraper", [(160, 600)], 150, 300),
    _iab("Medium rectangle", [(300, 250)], 150, 300),
    _iab("Banner", [(120, 60)], 50, 100),
    _iab("Phone interstitial", [(640, 1136), (750, 1334), (1080, 1920)], 300, 600),
    _iab("Feature phone small banner", [(120, 20)], 5, None),
    _iab("Feature phone medium banner", [(168, 28)], 5, None),
    _iab("Feature phone large banner", [(216, 36)], 5, None),
    Spec(
        key="google-rsa",
        name="Google responsive search ad",
        label="Google RSA",
        kinds=frozenset({AssetKind.COPY}),
        copy_limits=(
            CopyLimit("headline", max_chars=30, min_count=3, max_count=15),
            CopyLimit("description", max_chars=90, min_count=2, max_count=4),
            CopyLimit("path", max_chars=15, max_count=2, counting=Counting.DOUBLE_WIDTH),
        ),
        source=(
            "developers.google.com responsive-search-ads overview (3–15 headlines, 2–4 "
            "descriptions); 30/90/15 characters, path 15 or 7 double-byte (secondary pages)"
        ),
    ),
    Spec(
        key="microsoft-rsa",
        name="Microsoft Advertising responsive search ad",
        label="Microsoft RSA",
        kinds=frozenset({AssetKind.COPY}),
        copy_limits=(
            CopyLimit("headline", min_count=3, max_count=15),
            CopyLimit("description", min_count=2, max_count=4),
        ),
        source="learn.microsoft.com campaign-management-service ResponsiveSearchAd (counts only)",
    ),
    _meta("meta-ad-copy", "Meta ad copy", 40),
    _meta("meta-facebook-feed-copy", "Meta ad copy, Facebook Feed", 27),
    _meta("meta-reels-copy", "Meta ad copy, Reels overlay", 10),
    Spec(
        key="tiktok-in-feed",
        name="TikTok in-feed ad",
        label="TikTok in-feed",
        kinds=frozenset({AssetKind.VIDEO, AssetKind.COPY}),
        aspect_ratios=(
            AspectRatio(Decimal(9), Decimal(16), min_width=720, min_height=1280),
            AspectRatio(Decimal(1), Decimal(1)),
            AspectRatio(Decimal(16), Decimal(9)),
        ),
        max_bytes=500 * _MB,
        min_duration_seconds=Decimal(5),
        max_duration_seconds=Decimal(60),
        recommended_min_duration_seconds=Decimal(9),
        recommended_max_duration_seconds=Decimal(15),
        min_bitrate_kbps=516,
        copy_limits=(
            CopyLimit(
                "ad description",
                min_chars=12,
                max_chars=100,
                max_count=1,
                counting=Counting.DOUBLE_WIDTH,
                forbid_emoji=True,
                forbidden_chars="{}#",
            ),
            CopyLimit("brand name", min_chars=2, max_chars=20, max_count=1),
            CopyLimit("app name", min_chars=4, max_chars=40, max_count=1),
        ),
        source="ads.tiktok.com/help/article?aid=6669199281502552069",
    ),
    Spec(
        key="linkedin-single-image",
        name="LinkedIn single image ad",
        label="LinkedIn single image",
        kinds=frozenset({AssetKind.IMAGE, AssetKind.COPY}),
        aspect_ratios=(
            AspectRatio(Decimal("1.91"), Decimal(1)),
            AspectRatio(Decimal(1), Decimal(1)),
            AspectRatio(Decimal(4), Decimal(5)),
        ),
        max_bytes=5 * _MB,
        copy_limits=(
            CopyLimit("intro text", max_chars=3000, recommended_chars=150, max_count=1),
            CopyLimit("headline", max_chars=200, recommended_chars=70, max_count=1),
            CopyLimit("description", max_chars=300, recommended_chars=100, max_count=1),
            CopyLimit("ad name", max_chars=255, max_count=1),
        ),
        source=(
            "linkedin.com/help/lms/answer/a426534 (intro text maximum 3,000 in the newer copy, "
            "600 in an older one)"
        ),
    ),
    Spec(
        key="x-image-ad",
        name="X image ad",
        label="X image ad",
        kinds=frozenset({AssetKind.IMAGE, AssetKind.COPY}),
        sizes=(Size(800, 418), Size(800, 800)),
        max_bytes=5 * _MB,
        copy_limits=(
            CopyLimit("post", max_chars=280, max_count=1, counting=Counting.X_POST),
            CopyLimit("website card title", max_chars=70, max_count=1),
        ),
        source=("business.x.com creative-ad-specifications; website card title from xyzlab.com"),
    ),
    _spot(10, "10 s is less common (weak source)"),
    _spot(15, "bigmoney.vip blog"),
    _spot(30, "bigmoney.vip blog"),
    _spot(45, "45 s is less common (weak source)"),
    _spot(60, "bigmoney.vip blog"),
    Spec(
        key="podcast-pre-roll",
        name="Podcast pre-roll",
        kinds=frozenset({AssetKind.AUDIO}),
        min_duration_seconds=Decimal(20),
        max_duration_seconds=Decimal(30),
        source="midroll.com guide: pre-roll 20–30 s",
    ),
    Spec(
        key="podcast-mid-roll",
        name="Podcast mid-roll",
        kinds=frozenset({AssetKind.AUDIO}),
        min_duration_seconds=Decimal(60),
        recommended_max_duration_seconds=Decimal(90),
        source="midroll.com guide: at least 60 s; Marketing Brew survey: host reads up to 90 s",
    ),
    Spec(
        key="podcast-post-roll",
        name="Podcast post-roll",
        kinds=frozenset({AssetKind.AUDIO}),
        source="midroll.com guide: post-roll short (no length given)",
    ),
    _print(
        "print-full-page",
        "Full page",
        ("8.125", "10.875", "trim"),
        ("8.375", "11.125", "bleed"),
    ),
    _print("print-half-horizontal", "1/2 page horizontal", ("7", "4.875", "")),
    _print("print-half-vertical", "1/2 page vertical", ("3.375", "10", "")),
    _print("print-third-vertical", "1/3 page vertical", ("2.25", "10", "")),
    _print("print-quarter", "1/4 page", ("3.375", "4.875", "")),
)

SEED_SPECS_BY_KEY: dict[str, Spec] = {spec.key: spec for spec in SEED_SPECS}
if len(SEED_SPECS_BY_KEY) != len(SEED_SPECS):  # pragma: no cover - a seed typo
    raise RuntimeError("Two seed specs share a key.")
