"""Compliance rules: legal, brand and platform rules over copy, asset metadata and placements.

A **rule set** is checked against a **subject** (the copy fields of an asset version, a piece
of copy sent to the API, or a placement with its targeting) and gives **findings**, each with
the rule, a severity (``info``, ``warning``, ``blocking``), a sentence a coordinator can act on
and a location: the field, the item of that field (0-based: headline 2 is item 1) and a
character span ``start``/``end`` in the text as given (Python string positions). A blocking
finding stops an approval until someone with the legal role overrides it.

Compile once, check many: ``CompiledRules(rule_set).check(subject)``; ``check(rule_set,
subject)`` compiles each time.

The rule format (version 1)
===========================

A rule set is a JSON object (or the same in YAML)::

    {"version": 1, "rules": [ {...}, {...} ]}

``version`` is optional (1). Any other top-level key is refused, as is an unknown key in a rule,
a value of the wrong type, an unknown kind, field, severity, channel, category, platform or
market. ``parse_rule_set`` checks everything and raises ``RuleError`` naming the path of the
problem (``rules[3].pattern``); ``rule_set_data`` gives the same JSON form back (round trip).
At most ``MAX_RULES`` rules.

Every rule has:

- ``kind``: ``required_text``, ``prohibited``, ``length``, ``url``, ``targeting`` or ``spec``;
- ``severity``: ``info``, ``warning`` (the default) or ``blocking``;
- ``id`` (optional): letters, digits, ``-``, ``_``, ``.``, ``:``; by default ``<kind>-<n>`` with
  n the rule's position counted from 1 (``length-3``). Ids are unique in a rule set;
- ``field`` (optional): the copy field the rule reads. Left out, a rule reads every text field
  the subject has, except URL fields (``final url``), which only ``url`` rules read unless a rule
  names them. Field names: ``FIELDS`` (the names of the creative spec checks, plus ``text``, the
  generic field for posts, captions and scripts). ``Headline``/``primary_text`` are accepted and
  stored as ``headline``/``primary text``;
- ``message`` (optional): replaces the finding's own sentence; a ``prohibited`` rule may use
  ``{match}`` (the text found) in it, a ``length`` rule ``{item}`` ("headline 2"), ``{length}``
  and ``{limit}``;
- ``when`` (optional): the rule applies only when every condition given holds:
  ``channels`` (the subject's channel is one of them: ``CHANNELS``), ``markets`` (``"US"`` also
  matches ``"US-CA"``; ``"EU"`` matches any of ``EU_COUNTRIES``; ``"EEA"`` adds Iceland,
  Liechtenstein and Norway; ``"UK"`` is read as ``"GB"``), ``categories`` (the product is in one
  of them: ``CATEGORIES``), ``platforms`` (``PLATFORMS``: the platform the copy is written for),
  ``sponsored`` (``true``/``false``: paid partnership and influencer content). A subject that
  does not say its channel, market or platform does not meet a condition on it;
- ``note`` (optional): free text for the people maintaining the rule (where it comes from).

Kinds and their parameters:

``required_text``
    ``text`` (one text) or ``any_of`` (alternatives: ``["#ad", "Paid partnership", "Anzeige"]``),
    optionally ``within`` N: the text must start within the first N characters of a text of the
    field. Looked for in the rule's field, or (no field) in every text field: one occurrence in
    one item is enough. A subject without any text in those fields gets no finding (a placement
    has no copy to check). Missing: one finding (span: the first N characters when the subject
    has a single text there, else none); present but too late: a finding on that occurrence.
``prohibited``
    ``pattern`` (a regular expression) or ``words`` (literal words or phrases), optional
    ``replacement`` shown in the sentence: "“guaranteed” is not allowed; say “designed to”
    instead". One finding per occurrence (at most ``MAX_FINDINGS_PER_TEXT`` per rule and text).
``length``
    ``max`` and/or ``min`` characters per item and/or ``max_items``; ``field`` is required;
    ``counting``: ``code_points`` (default), ``double_width`` (an East Asian wide or full-width
    character counts 2: Google's paths) or ``x_post`` (a link counts 23), counted by
    ``domain.specs.count_characters``. A text over the limit gets the span from the limit to
    its end: a 31-character headline against 30 gets start 30, end 31.
``url``
    ``https_only``, ``allowed_domains`` (subdomains included: ``example.com`` allows
    ``shop.example.com``), ``required_params`` (``["utm_source", "utm_medium"]``, each with a
    value), ``no_shorteners`` (``SHORTENERS``). A URL field (``final url``) is one URL; in other
    text fields the URLs written in the text are checked (``https://…``, ``http://…``, ``www.…``;
    ``https_only`` flags an ``http://`` one there). The span is the URL's.
``targeting``
    On placements (a subject with ``targeting``): ``min_age`` (the audience must not start below
    it; an audience without a stated age gives a finding of severity ``if_unknown``: ``info``,
    ``warning`` (default, or the rule's severity when lower) or ``blocking``, or ``ignore``),
    ``no_interests`` (sensitive interests that must not be targeted: an interest containing one
    of these words is a finding). On any subject matching ``when``: ``banned: true`` ("alcohol
    advertising is banned on linear TV in FR") and ``reminder: true`` (its ``message`` as a
    finding to confirm by a person, e.g. "people shown drinking must be and look 25 or over").
    Both need a ``when``. Field: ``targeting``.
``spec``
    Passes the subject's creative spec findings through (``severity_from_spec``: true, the
    default, keeps the spec check's severity; false gives them the rule's), so that every
    finding comes from one place.

Matching (``required_text`` and ``prohibited``) is case- and accent-insensitive: texts, words
and patterns are folded alike (NFKD, combining marks dropped, case folded: "Garantié",
"GARANTIE" and "garantie" are one word; "ß" is "ss"; typographic quotes and dashes are read as
' " and -, so "Don’t" is "Don't" and "risk–free" is "risk-free"), and a finding's span is
mapped back to the original text, so a span is right after emoji, combining accents and
right-to-left text. Literal texts and words match on word boundaries: no letter or digit may
touch them on either side ("#ad" is not found in "#adventure", "free" not in "carefree").
Patterns set their own boundaries; note that re2's ``\\b`` and ``\\w`` know ASCII only (write
``\\pL`` for any letter, ``\\p{Hebrew}`` for a script).

Patterns run on re2 (google-re2), whose matching time is linear in the text: no pattern can
backtrack catastrophically, ``(a+)+$`` and ``(x+x+)+y`` included, so no time budget is needed.
re2 refuses backreferences (``\\1``), lookahead and lookbehind (``(?=``, ``(?<=``), possessive
and atomic forms; a pattern using one is refused when the rule set is parsed, with the reason
and the position. A pattern that is not valid at all is refused with the position Python's
``re`` reports. A pattern is at most ``MAX_PATTERN_CHARS`` characters, and one that matches an
empty text is refused (it would flag everything).

Subjects and findings
=====================

A subject's field names are read like rule fields ("Primary_Text" is "primary text"), and
findings name them that way; a field holds a list of texts (a bare string is one text).
Targeting and ``banned``/``reminder`` findings have the field ``targeting``; spec findings keep
the spec check's field. Findings come sorted by field (none first), item and start.

Speed: ``CompiledRules`` works out once per context (channel, market, categories, sponsored,
platform) which rules apply, scans each text once for all its prohibited and required texts
(an re2 set as prefilter, then exact checks on the few hits), measures each field once for
all its length rules and takes each URL apart once; 10,000 copy variants against 200 rules
take about a second (``bench/compliance.py``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import unicodedata
import warnings
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

import re2  # type: ignore[import-untyped]

from mediadesk.domain.specs import Counting, count_characters

SCHEMA_VERSION: Final = 1
MAX_RULES: Final = 2_000
MAX_PATTERN_CHARS: Final = 1_000
MAX_PHRASE_CHARS: Final = 300  # one required text, word or replacement
MAX_LIST_ITEMS: Final = 500
MAX_MESSAGE_CHARS: Final = 1_000
MAX_NOTE_CHARS: Final = 2_000
MAX_FINDINGS_PER_TEXT: Final = 100  # per rule and text: a 1 MB text full of "free" stays usable


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    BLOCKING = "blocking"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for blocking."""
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.BLOCKING: 2}


class RuleKind(StrEnum):
    REQUIRED_TEXT = "required_text"
    PROHIBITED = "prohibited"
    LENGTH = "length"
    URL = "url"
    TARGETING = "targeting"
    SPEC = "spec"


FINAL_URL: Final = "final url"
FIELDS: Final[tuple[str, ...]] = (
    "headline",
    "description",
    "primary text",
    "path",
    "call to action",
    FINAL_URL,
    "ad description",
    "brand name",
    "app name",
    "intro text",
    "ad name",
    "post",
    "website card title",
    "text",
)
TARGETING_FIELD: Final = "targeting"

CHANNELS: Final[tuple[str, ...]] = (
    "linear_tv",
    "ctv_ott",
    "radio",
    "streaming_audio",
    "podcast",
    "newspaper",
    "magazine",
    "ooh",
    "dooh",
    "cinema",
    "search",
    "social",
    "display",
    "online_video",
    "influencer",
    "email",
    "native",
    "affiliate",
    "retail_media",
)
CHANNEL_LABELS: Final[Mapping[str, str]] = {
    "linear_tv": "linear TV",
    "ctv_ott": "CTV / OTT",
    "radio": "radio",
    "streaming_audio": "streaming audio",
    "podcast": "podcasts",
    "newspaper": "newspapers",
    "magazine": "magazines",
    "ooh": "out-of-home",
    "dooh": "digital out-of-home",
    "cinema": "cinema",
    "search": "search",
    "social": "social media",
    "display": "display",
    "online_video": "online video",
    "influencer": "influencer content",
    "email": "e-mail",
    "native": "native",
    "affiliate": "affiliate",
    "retail_media": "retail media",
}
PLATFORMS: Final[tuple[str, ...]] = (
    "google_ads",
    "microsoft_ads",
    "meta",
    "tiktok",
    "linkedin",
    "x",
    "snapchat",
    "pinterest",
    "youtube",
    "amazon_ads",
    "dv360",
    "cm360",
)
CATEGORIES: Final[tuple[str, ...]] = (
    "alcohol",
    "gambling",
    "financial",
    "investment",
    "crypto",
    "credit",
    "pharma",
    "medical",
    "tobacco",
    "hfss",
    "children",
    "dating",
    "firearms",
    "political",
    "weight_loss",
)
# The 27 member states (ISO 3166-1 alpha-2; Greece is GR, as ISO writes it, not the EU's EL).
EU_COUNTRIES: Final = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)
EEA_COUNTRIES: Final = EU_COUNTRIES | {"IS", "LI", "NO"}
SHORTENERS: Final = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "t.co",
        "tinyurl.com",
        "goo.gl",
        "ow.ly",
        "buff.ly",
        "is.gd",
        "v.gd",
        "rebrand.ly",
        "cutt.ly",
        "lnkd.in",
        "shorturl.at",
        "t.ly",
        "tiny.cc",
        "rb.gy",
        "s.id",
        "bl.ink",
        "short.io",
        "soo.gd",
        "clck.ru",
        "qr.ae",
        "adf.ly",
        "shorte.st",
        "trib.al",
        "dlvr.it",
        "fb.me",
        "amzn.to",
        "youtu.be",
    }
)


# --- the public data ------------------------------------------------------------------------


class RuleError(ValueError):
    """A rule set that cannot be saved. ``path`` says where ("rules[3].pattern"), ``problem``
    what, and ``message`` both as a sentence ("rules[3].pattern: …")."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        self.message = f"{path}: {problem}" if path else problem
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class When:
    """The conditions of a rule (module docstring); an empty one always holds."""

    channels: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    sponsored: bool | None = None

    def holds(self, subject: Subject) -> bool:
        if self.channels and subject.channel not in self.channels:
            return False
        if self.platforms and subject.platform not in self.platforms:
            return False
        if self.markets and not market_matches(subject.market, self.markets):
            return False
        if self.categories and not any(
            category.strip().lower() in self.categories for category in subject.categories
        ):
            return False
        return self.sponsored is None or bool(subject.sponsored) == self.sponsored


@dataclass(frozen=True)
class Rule:
    """One rule; ``params`` are the kind's parameters as written (lists as tuples)."""

    id: str
    kind: RuleKind
    severity: Severity = Severity.WARNING
    field: str | None = None
    message: str = ""
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    when: When | None = None
    note: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()
    version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Targeting:
    """A placement's audience: ages (inclusive; None = not stated or open-ended), targeted and
    excluded interests."""

    min_age: int | None = None
    max_age: int | None = None
    interests: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("min_age", "max_age"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} is a whole number of years, not {value!r}.")
            if not 0 <= value <= 130:
                raise ValueError(f"{name} {value} is not an age.")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"The ages run from {self.min_age} to {self.max_age}: swapped?")
        for name in ("interests", "excluded"):
            values = getattr(self, name)
            if isinstance(values, str):
                values = (values,)
            values = tuple(values)
            if not all(isinstance(value, str) for value in values):
                raise TypeError(f"{name} are texts.")
            object.__setattr__(self, name, values)


@dataclass(frozen=True, slots=True)
class Subject:
    """What is checked: copy fields (field name -> its texts), the context, and for placements
    the targeting. ``platform`` (``PLATFORMS``) is the platform copy is written for."""

    fields: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    channel: str = ""
    market: str = ""
    categories: tuple[str, ...] = ()
    sponsored: bool = False
    targeting: Targeting | None = None
    spec_findings: Sequence[Mapping[str, str]] = ()
    platform: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    field: str | None
    start: int | None
    end: int | None
    item: int | None = None


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(finding.severity is Severity.BLOCKING for finding in findings)


# --- markets --------------------------------------------------------------------------------

_MARKET = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")
_MARKET_GROUPS: Final[Mapping[str, frozenset[str]]] = {"EU": EU_COUNTRIES, "EEA": EEA_COUNTRIES}


def _market_code(market: str) -> str:
    code = market.strip().upper()
    if code == "UK" or code.startswith("UK-"):
        code = "GB" + code[2:]
    return code


def market_matches(market: str, wanted: Iterable[str]) -> bool:
    """Whether ``market`` ("US-CA", "DE") is in ``wanted`` ("US", "EU", "EEA", "US-CA")."""
    code = _market_code(market)
    if not code:
        return False
    country = code.split("-", 1)[0]
    for entry in wanted:
        group = _MARKET_GROUPS.get(entry)
        if group is not None:
            if country in group:
                return True
        elif entry in (code, country):
            return True
    return False


# --- folding: case and accents, with the way back to the original text ---------------------


_TYPOGRAPHIC: Final[Mapping[str, str]] = {
    **dict.fromkeys("‘’‚‛′ʼ`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
}


def _fold_char(char: str) -> str:
    """A character without case and accents; typographic quotes and dashes as ASCII."""
    if char in _TYPOGRAPHIC:
        return _TYPOGRAPHIC[char]
    text = unicodedata.normalize("NFKD", char).casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


_FOLD_CACHE_LIMIT = 200_000


class _FoldTable(dict[int, str]):
    """For ``str.translate``: a character's folded form, worked out once."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < _FOLD_CACHE_LIMIT:
            self[code] = folded
        return folded


class _OneToOneTable(dict[int, str]):
    """For ``str.translate``: keeps a character that folds to exactly one, drops the others."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        kept = char if len(_FOLD[code]) == 1 else ""
        if len(self) < _FOLD_CACHE_LIMIT:
            self[code] = kept
        return kept


_FOLD = _FoldTable()
_ONE_TO_ONE = _OneToOneTable()


def fold(text: str) -> str:
    """``text`` without case and accents, as rules match it (module docstring)."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


class _Text:
    """One text, folded, with positions in the fold mapped back to the original."""

    __slots__ = ("_ends", "_identity", "_starts", "folded", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        self._identity: bool | None
        if original.isascii():
            self.folded = original.lower()
            self._identity = True
        else:
            self.folded = original.translate(_FOLD)
            self._identity = None  # worked out when a span is needed
        self._starts: array[int] | None = None
        self._ends: array[int] | None = None

    @property
    def identity(self) -> bool:
        """Whether every character folds to exactly one (positions are the same)."""
        if self._identity is None:
            self._identity = len(self.original.translate(_ONE_TO_ONE)) == len(self.original)
        return self._identity

    def _map(self) -> tuple[array[int], array[int]]:
        if self._starts is None or self._ends is None:
            starts: array[int] = array("q")
            for index, char in enumerate(self.original):
                produced = len(_FOLD[ord(char)])
                if produced == 1:
                    starts.append(index)
                elif produced:
                    starts.extend([index] * produced)
            ends: array[int] = array("q", bytes(8 * len(starts)))
            following = len(self.original)
            for j in range(len(starts) - 1, -1, -1):
                ends[j] = following
                if j and starts[j - 1] != starts[j]:
                    following = starts[j]
            self._starts, self._ends = starts, ends
        return self._starts, self._ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span ``start``-``end`` (end > start)."""
        if self.identity:
            return start, end
        starts, ends = self._map()
        return starts[start], ends[end - 1]


def _bounded(text: str, start: int, end: int) -> bool:
    """No letter or digit touches ``text[start:end]`` on either side."""
    return (start == 0 or not text[start - 1].isalnum()) and (
        end >= len(text) or not text[end].isalnum()
    )


def _first_bounded(folded: str, needle: str) -> int:
    """Where ``needle`` first occurs on word boundaries in ``folded``, or -1."""
    size = len(needle)
    start = folded.find(needle)
    while start >= 0 and not _bounded(folded, start, start + size):
        start = folded.find(needle, start + 1)
    return start


def _literal_spans(folded: str, needle: str) -> Iterator[tuple[int, int]]:
    size = len(needle)
    start = folded.find(needle)
    while start >= 0:
        if _bounded(folded, start, start + size):
            yield start, start + size
        start = folded.find(needle, start + 1)


# --- patterns -------------------------------------------------------------------------------


def _options(max_mem: int | None = None) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = False
    if max_mem is not None:
        options.max_mem = max_mem
    return options


_RE2_OPTIONS = _options()
_SET_MAX_MEM = 64 << 20
_SET_MAX_PROGRAM = 500_000  # beyond this, patterns are run one by one instead of as a set
_METACHARACTERS = frozenset("\\.^$|?*+()[]{}-")
_GROUP_START = re.compile(r"\(\?(?:P?<[^>]*>|[A-Za-z-]*[:)])")
_RE2_UNSUPPORTED = (
    ("(?=", "a lookahead (?=…)"),
    ("(?!", "a negative lookahead (?!…)"),
    ("(?<=", "a lookbehind (?<=…)"),
    ("(?<!", "a negative lookbehind (?<!…)"),
    ("(?P=", "a named backreference (?P=…)"),
    ("(?>", "an atomic group (?>…)"),
    ("(?#", "a comment group (?#…)"),
    ("(?(", "a conditional group (?(…)"),
)


def _error_text(error: Exception) -> str:
    value = error.args[0] if error.args else str(error)
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _fold_pattern(pattern: str) -> str:
    """Fold the literal characters of a pattern the way texts are folded, leaving escapes,
    property names, group names and flags as written."""
    out: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\":
            following = pattern[index + 1 : index + 2]
            if following in ("p", "P", "x") and pattern[index + 2 : index + 3] == "{":
                close = pattern.find("}", index + 2)
                stop = size if close < 0 else close + 1
            elif following in ("p", "P"):
                stop = index + 3
            else:
                stop = index + 2
            out.append(pattern[index:stop])
            index = stop
            continue
        if char == "(":
            group = _GROUP_START.match(pattern, index)
            if group:
                out.append(group.group())
                index = group.end()
                continue
        folded = _FOLD[ord(char)]
        if folded != char:
            folded = "".join("\\" + c if c in _METACHARACTERS else c for c in folded)
        out.append(folded)
        index += 1
    return "".join(out)


def _unsupported_reason(pattern: str, detail: str) -> str:
    for fragment, what in _RE2_UNSUPPORTED:
        at = pattern.find(fragment)
        if at >= 0:
            return (
                f"{what} at position {at} in {pattern!r} is not supported: patterns run on a "
                "linear-time engine (re2) that never backtracks; rewrite it without one"
            )
    backreference = re.search(r"\\[1-9]", pattern)
    if backreference:
        return (
            f"a backreference ({backreference.group()}) at position {backreference.start()} in "
            f"{pattern!r} is not supported: patterns run on a linear-time engine (re2) that "
            "never backtracks; rewrite it without one"
        )
    possessive = re.search(r"[*+?}]\+", pattern)
    if "repetition operator" in detail and possessive:
        return (
            f"a possessive quantifier ({possessive.group()}) at position {possessive.start()} in "
            f"{pattern!r} is not supported by the linear-time engine (re2); drop the second "
            "+ (re2 never backtracks anyway)"
        )
    if "repetition size" in detail:
        return (
            f"{detail.split(': ', 1)[-1]} in {pattern!r} repeats more than 1,000 times, the "
            "most the linear-time engine (re2) allows"
        )
    if "too large" in detail or "out of memory" in detail:
        return f"{pattern!r} is too large once its repetitions are expanded; simplify it"
    if r"\Z" in pattern:
        return rf"\Z at position {pattern.find(chr(92) + 'Z')} in {pattern!r}: write \z"
    return f"{pattern!r} is not supported by the linear-time engine (re2): {detail}"


def _compile(pattern: str) -> Any:
    return re2.compile(pattern, _RE2_OPTIONS)


def _matches_empty(compiled: Any) -> bool:
    return any(
        match.start() == match.end()
        for sample in ("", "a", " a ", "0 a.")
        for match in compiled.finditer(sample)
    )


def check_pattern(pattern: str) -> str:
    """The folded pattern, or ``ValueError`` with the reason and position."""
    if not pattern.strip():
        raise ValueError("is empty")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(
            f"is {len(pattern):,} characters long; a pattern is at most {MAX_PATTERN_CHARS:,}"
        )
    try:
        _compile(pattern)
    except re2.error as error:
        detail = _error_text(error)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                re.compile(pattern)
            except re.error as python_error:
                raise ValueError(
                    f"{python_error.msg} at position {python_error.pos} in {pattern!r}"
                ) from None
        raise ValueError(_unsupported_reason(pattern, detail)) from None
    folded = _fold_pattern(pattern)
    try:
        compiled = _compile(folded)
    except re2.error as error:  # pragma: no cover - folding keeps a valid pattern valid
        detail = _error_text(error)
        raise ValueError(f"{pattern!r} cannot be matched without accents: {detail}") from None
    if _matches_empty(compiled):
        raise ValueError(
            f"{pattern!r} matches an empty text, so it would flag every text; make it "
            "require at least one character"
        )
    return folded


# --- parsing --------------------------------------------------------------------------------

_COMMON_KEYS = ("id", "kind", "severity", "field", "message", "when", "note")
_PARAMS: Final[Mapping[RuleKind, tuple[str, ...]]] = {
    RuleKind.REQUIRED_TEXT: ("text", "any_of", "within"),
    RuleKind.PROHIBITED: ("pattern", "words", "replacement"),
    RuleKind.LENGTH: ("max", "min", "max_items", "counting"),
    RuleKind.URL: ("https_only", "allowed_domains", "required_params", "no_shorteners"),
    RuleKind.TARGETING: ("min_age", "no_interests", "banned", "reminder", "if_unknown"),
    RuleKind.SPEC: ("severity_from_spec",),
}
_WHEN_KEYS = ("channels", "markets", "categories", "platforms", "sponsored")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_DOMAIN = re.compile(r"[^\s/?#@:]+\.[^\s/?#@:.]+")
_PARAM_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,100}")
_IF_UNKNOWN = ("info", "warning", "blocking", "ignore")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"the text {shown!r}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _suggest(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; use {_either(allowed)}"


def _either(values: Sequence[str], word: str = "or") -> str:
    quoted = [repr(value) for value in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {word} {quoted[-1]}"


def _mapping(value: Any, path: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleError(path, f"{what} must be an object, not {_describe(value)}")
    for key in value:
        if not isinstance(key, str):
            raise RuleError(path, f"keys are texts, not {_describe(key)}")
    return value


def _refuse_unknown(data: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
    for key in data:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            raise RuleError(where, f"unknown key {key!r}{_suggest(key, allowed)}")


def _text(value: Any, path: str, limit: int = MAX_PHRASE_CHARS) -> str:
    if not isinstance(value, str):
        raise RuleError(path, f"must be a text, not {_describe(value)}")
    if not value.strip():
        raise RuleError(path, "must not be empty")
    if len(value) > limit:
        raise RuleError(path, f"is {len(value):,} characters long; at most {limit:,}")
    return value


def _whole(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(path, f"must be a whole number, not {_describe(value)}")
    if not low <= value <= high:
        raise RuleError(path, f"must be from {low:,} to {high:,}, not {value:,}")
    return int(value)


def _flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(path, f"must be true or false, not {_describe(value)}")
    return value


def _texts(value: Any, path: str, limit: int = MAX_PHRASE_CHARS) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RuleError(path, f"must be a list of texts, not {_describe(value)}")
    if not value:
        raise RuleError(path, "must not be an empty list")
    if len(value) > MAX_LIST_ITEMS:
        raise RuleError(path, f"has {len(value):,} items; at most {MAX_LIST_ITEMS:,}")
    return tuple(_text(item, f"{path}[{n}]", limit) for n, item in enumerate(value))


def _choices(value: Any, path: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    texts = _texts(value, path)
    out = []
    for n, text in enumerate(texts):
        name = text.strip().lower()
        if name not in allowed:
            raise RuleError(f"{path}[{n}]", f"unknown {what} {text!r}{_suggest(name, allowed)}")
        out.append(name)
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def field_name(name: str) -> str:
    """A field name as rules store it: lower case, ``_``/``-`` as spaces ("Primary_Text" ->
    "primary text")."""
    return " ".join(name.replace("_", " ").replace("-", " ").lower().split())


def _is_url_field(name: str) -> bool:
    return name == FINAL_URL or name == "url" or name.endswith(" url")


def _field(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise RuleError(path, f"must be a field name, not {_describe(value)}")
    name = field_name(value)
    if name not in FIELDS:
        raise RuleError(path, f"unknown field {value!r}{_suggest(name, FIELDS)}")
    return name


def _when(value: Any, path: str) -> When:
    data = _mapping(value, path, "when")
    _refuse_unknown(data, _WHEN_KEYS, path)
    if not data:
        raise RuleError(path, f"names no condition; give at least one of {_either(_WHEN_KEYS)}")
    markets: list[str] = []
    if "markets" in data:
        for n, market in enumerate(_texts(data["markets"], f"{path}.markets")):
            code = _market_code(market)
            if code not in _MARKET_GROUPS and not _MARKET.fullmatch(code):
                raise RuleError(
                    f"{path}.markets[{n}]",
                    f"{market!r} is not a market: use a country code (DE, US, GB), a region "
                    "(US-CA) or EU or EEA",
                )
            markets.append(code)
    return When(
        channels=_choices(data["channels"], f"{path}.channels", CHANNELS, "channel")
        if "channels" in data
        else (),
        markets=tuple(markets),
        categories=_choices(data["categories"], f"{path}.categories", CATEGORIES, "category")
        if "categories" in data
        else (),
        platforms=_choices(data["platforms"], f"{path}.platforms", PLATFORMS, "platform")
        if "platforms" in data
        else (),
        sponsored=_flag(data["sponsored"], f"{path}.sponsored") if "sponsored" in data else None,
    )


def _one_of(data: Mapping[str, Any], keys: tuple[str, str], path: str) -> str:
    given = [key for key in keys if key in data]
    if len(given) != 1:
        what = "both" if given else "neither"
        raise RuleError(path, f"needs either {keys[0]!r} or {keys[1]!r} (this rule has {what})")
    return given[0]


def _folded_phrase(value: str, path: str) -> str:
    folded = " ".join(fold(value).split())
    if not folded:
        raise RuleError(path, f"{value!r} has nothing left to match once accents are ignored")
    return folded


def _required_params(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    key = _one_of(data, ("text", "any_of"), path)
    if key == "text":
        params["text"] = _text(data["text"], f"{path}.text")
        _folded_phrase(params["text"], f"{path}.text")
    else:
        params["any_of"] = _texts(data["any_of"], f"{path}.any_of")
        for n, text in enumerate(params["any_of"]):
            _folded_phrase(text, f"{path}.any_of[{n}]")
    if "within" in data:
        params["within"] = _whole(data["within"], f"{path}.within", 1, 100_000)
    return params


def _prohibited_params(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    key = _one_of(data, ("pattern", "words"), path)
    if key == "pattern":
        pattern = data["pattern"]
        if not isinstance(pattern, str):
            raise RuleError(f"{path}.pattern", f"must be a text, not {_describe(pattern)}")
        try:
            check_pattern(pattern)
        except ValueError as error:
            raise RuleError(f"{path}.pattern", str(error)) from None
        params["pattern"] = pattern
    else:
        params["words"] = _texts(data["words"], f"{path}.words")
        for n, word in enumerate(params["words"]):
            _folded_phrase(word, f"{path}.words[{n}]")
    if "replacement" in data:
        params["replacement"] = _text(data["replacement"], f"{path}.replacement")
    return params


def _length_params(data: Mapping[str, Any], path: str, rule_field: str | None) -> dict[str, Any]:
    if rule_field is None:
        raise RuleError(f"{path}.field", "a length rule names its field (e.g. 'headline')")
    params: dict[str, Any] = {}
    for key, low in (("max", 1), ("min", 1), ("max_items", 1)):
        if key in data:
            params[key] = _whole(data[key], f"{path}.{key}", low, 1_000_000)
    if not params:
        raise RuleError(path, "a length rule needs 'max', 'min' or 'max_items'")
    if "min" in params and "max" in params and params["min"] > params["max"]:
        raise RuleError(f"{path}.min", f"{params['min']} is above the maximum {params['max']}")
    if "counting" in data:
        counting = data["counting"]
        allowed = [value.value for value in Counting]
        if counting not in allowed:
            raise RuleError(
                f"{path}.counting",
                f"unknown counting {_describe(counting)}; use {_either(allowed)}",
            )
        params["counting"] = counting
    return params


def _url_params(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key in ("https_only", "no_shorteners"):
        if key in data:
            params[key] = _flag(data[key], f"{path}.{key}")
    if "allowed_domains" in data:
        domains = []
        for n, domain in enumerate(_texts(data["allowed_domains"], f"{path}.allowed_domains")):
            name = domain.strip().lower().rstrip(".")
            name = name.removeprefix("*.")
            if not _DOMAIN.fullmatch(name):
                raise RuleError(
                    f"{path}.allowed_domains[{n}]",
                    f"{domain!r} is not a domain name (write example.com, without https://)",
                )
            domains.append(name)
        params["allowed_domains"] = tuple(domains)
    if "required_params" in data:
        names = _texts(data["required_params"], f"{path}.required_params")
        for n, name in enumerate(names):
            if not _PARAM_NAME.fullmatch(name):
                raise RuleError(
                    f"{path}.required_params[{n}]", f"{name!r} is not a URL parameter name"
                )
        params["required_params"] = names
    if not any(params.get(key) for key in _PARAMS[RuleKind.URL]):
        raise RuleError(
            path,
            "a url rule needs https_only: true, no_shorteners: true, allowed_domains or "
            "required_params",
        )
    return params


def _targeting_params(data: Mapping[str, Any], path: str, when: When | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if "min_age" in data:
        params["min_age"] = _whole(data["min_age"], f"{path}.min_age", 1, 120)
    if "no_interests" in data:
        params["no_interests"] = _texts(data["no_interests"], f"{path}.no_interests")
        for n, interest in enumerate(params["no_interests"]):
            _folded_phrase(interest, f"{path}.no_interests[{n}]")
    for key in ("banned", "reminder"):
        if key in data:
            params[key] = _flag(data[key], f"{path}.{key}")
    if "if_unknown" in data:
        if "min_age" not in params:
            raise RuleError(f"{path}.if_unknown", "only goes with min_age")
        value = data["if_unknown"]
        if value not in _IF_UNKNOWN:
            raise RuleError(
                f"{path}.if_unknown", f"must be {_either(_IF_UNKNOWN)}, not {_describe(value)}"
            )
        params["if_unknown"] = value
    if params.get("banned") and params.get("reminder"):
        raise RuleError(path, "a rule is either banned or a reminder, not both")
    if (params.get("banned") or params.get("reminder")) and when is None:
        key = "banned" if params.get("banned") else "reminder"
        raise RuleError(
            f"{path}.{key}",
            f"{key} needs a 'when' saying where it applies (markets, channels, categories)",
        )
    if params.get("reminder") and not data.get("message"):
        raise RuleError(f"{path}.reminder", "a reminder needs the 'message' to show")
    if not ("min_age" in params or "no_interests" in params or params.get("banned")) and not (
        params.get("reminder")
    ):
        raise RuleError(
            path, "a targeting rule needs min_age, no_interests, banned: true or reminder: true"
        )
    return params


def _rule(value: Any, index: int) -> Rule:
    path = f"rules[{index}]"
    data = _mapping(value, path, "a rule")
    if "kind" not in data:
        raise RuleError(path, f"needs a 'kind': {_either([kind.value for kind in RuleKind])}")
    raw_kind = data["kind"]
    if raw_kind not in [kind.value for kind in RuleKind]:
        kinds = [kind.value for kind in RuleKind]
        hint = _suggest(raw_kind, kinds) if isinstance(raw_kind, str) else f"; use {kinds}"
        raise RuleError(f"{path}.kind", f"unknown kind {_describe(raw_kind)}{hint}")
    kind = RuleKind(raw_kind)
    _refuse_unknown(data, _COMMON_KEYS + _PARAMS[kind], path)
    rule_id = f"{kind.value}-{index + 1}"
    if "id" in data:
        raw_id = data["id"]
        if not isinstance(raw_id, str) or not _ID.fullmatch(raw_id):
            raise RuleError(
                f"{path}.id",
                f"{_describe(raw_id)} is not an id: use up to 100 letters, digits, '-', '_', "
                "'.' or ':', starting with a letter or digit",
            )
        rule_id = raw_id
    severity = Severity.WARNING
    if "severity" in data:
        raw = data["severity"]
        if raw not in [value.value for value in Severity]:
            raise RuleError(
                f"{path}.severity",
                f"unknown severity {_describe(raw)}; use 'info', 'warning' or 'blocking'",
            )
        severity = Severity(raw)
    rule_field = None
    if data.get("field") is not None:
        if kind in (RuleKind.TARGETING, RuleKind.SPEC):
            raise RuleError(f"{path}.field", f"a {kind.value} rule reads no copy field")
        rule_field = _field(data["field"], f"{path}.field")
    message = ""
    if "message" in data:
        message = _text(data["message"], f"{path}.message", MAX_MESSAGE_CHARS)
    note = _text(data["note"], f"{path}.note", MAX_NOTE_CHARS) if "note" in data else ""
    when = _when(data["when"], f"{path}.when") if "when" in data else None
    params: dict[str, Any]
    if kind == RuleKind.REQUIRED_TEXT:
        params = _required_params(data, path)
    elif kind == RuleKind.PROHIBITED:
        params = _prohibited_params(data, path)
    elif kind == RuleKind.LENGTH:
        params = _length_params(data, path, rule_field)
    elif kind == RuleKind.URL:
        params = _url_params(data, path)
    elif kind == RuleKind.TARGETING:
        params = _targeting_params(data, path, when)
    else:
        params = {}
        if "severity_from_spec" in data:
            params["severity_from_spec"] = _flag(
                data["severity_from_spec"], f"{path}.severity_from_spec"
            )
    return Rule(
        id=rule_id,
        kind=kind,
        severity=severity,
        field=rule_field,
        message=message,
        params=params,
        when=when,
        note=note,
    )


def parse_rule_set(data: Any) -> RuleSet:
    """The rule set of the documented JSON form (module docstring), or ``RuleError``."""
    top = _mapping(data, "", "A rule set")
    _refuse_unknown(top, ("version", "rules"), "")
    version = SCHEMA_VERSION
    if "version" in top:
        raw = top["version"]
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise RuleError("version", f"must be a whole number, not {_describe(raw)}")
        if raw != SCHEMA_VERSION:
            raise RuleError(
                "version",
                f"version {raw} is not known; this mediadesk reads version {SCHEMA_VERSION}",
            )
        version = raw
    if "rules" not in top:
        raise RuleError("rules", "a rule set needs a 'rules' list (it may be empty)")
    raw_rules = top["rules"]
    if not isinstance(raw_rules, list | tuple):
        raise RuleError("rules", f"must be a list of rules, not {_describe(raw_rules)}")
    if len(raw_rules) > MAX_RULES:
        raise RuleError(
            "rules", f"has {len(raw_rules):,} rules; a rule set holds at most {MAX_RULES:,}"
        )
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(raw_rules):
        rule = _rule(value, index)
        if rule.id in seen:
            where = f"rules[{index}].id" if "id" in value else f"rules[{index}]"
            raise RuleError(
                where, f"the id {rule.id!r} is already the id of rules[{seen[rule.id]}]"
            )
        seen[rule.id] = index
        rules.append(rule)
    return RuleSet(rules=tuple(rules), version=version)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def rule_set_data(rule_set: RuleSet) -> dict[str, Any]:
    """The documented JSON form of ``rule_set`` (``parse_rule_set`` reads it back equal)."""
    rules = []
    for rule in rule_set.rules:
        data: dict[str, Any] = {"id": rule.id, "kind": rule.kind.value}
        data["severity"] = rule.severity.value
        if rule.field is not None:
            data["field"] = rule.field
        for key in _PARAMS[rule.kind]:
            if key in rule.params:
                data[key] = _plain(rule.params[key])
        if rule.message:
            data["message"] = rule.message
        if rule.when is not None:
            when: dict[str, Any] = {}
            for key in _WHEN_KEYS[:-1]:
                values = getattr(rule.when, key)
                if values:
                    when[key] = list(values)
            if rule.when.sponsored is not None:
                when["sponsored"] = rule.when.sponsored
            data["when"] = when
        if rule.note:
            data["note"] = rule.note
        rules.append(data)
    return {"version": rule_set.version, "rules": rules}


# --- targeting text -------------------------------------------------------------------------

_AGE_RANGE = re.compile(
    r"(?<![\d.])(\d{1,3})\s*(?:-|–|—|to|bis|à|a)\s*(\d{1,3})(?![\d.%])", re.IGNORECASE
)
_AGE_OPEN = re.compile(
    r"(?<![\d.])(\d{1,3})\s*(?:\+|(?:years?\s*)?(?:and|or)\s*(?:over|older|up|above))",
    re.IGNORECASE,
)
_AGE_CONTEXT = re.compile(
    r"\b(?:[apmwfk]|adults?|persons?|people|men|women|males?|females?|kids|children|teens?|"
    r"ages?|aged|age\s+range|demo|audience|hh|households?|adultes|personnes|erwachsene|"
    r"personen|adultos|personas|adulti|persone|volwassenen)\s*$",
    re.IGNORECASE,
)
_LABELLED = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(.*)$", re.DOTALL)
_INTEREST_LABELS = ("interest", "interests", "affinity", "affinities", "topics", "include")
_EXCLUDE_LABELS = ("exclude", "excluded", "excluding", "exclusions", "exclusion", "except")


def _items(text: str) -> tuple[str, ...]:
    seen: list[str] = []
    for part in re.split(r"[,|/]|\band\b", text):
        item = " ".join(part.split()).strip(" .")
        if item and item.lower() not in [s.lower() for s in seen]:
            seen.append(item)
    return tuple(seen)


def parse_targeting(text: str) -> Targeting:
    """A placement's audience from its free "targeting / audience" text: "A18-49",
    "Adults 25-54", "18+", "13-17", "P2+", "W25-54", "21 and over", "interests: health,
    beauty; exclude: religion". Ages found in several places widen the range; a number not
    written as an age ("Top 10 DMAs") is not one. Unknown parts are ignored."""
    minimums: list[int] = []
    maximums: list[int | None] = []
    interests: list[str] = []
    excluded: list[str] = []
    for segment in re.split(r"[;\n]", text or ""):
        labelled = _LABELLED.match(segment)
        label = labelled.group(1).strip().lower() if labelled else ""
        body = labelled.group(2) if labelled else segment
        if label in _INTEREST_LABELS:
            interests.extend(_items(body))
            continue
        if label in _EXCLUDE_LABELS or label.startswith("exclud"):
            excluded.extend(_items(body))
            continue
        for match in _AGE_RANGE.finditer(body):
            low, high = int(match.group(1)), int(match.group(2))
            before = body[: match.start()]
            standalone = not before.strip() or _AGE_CONTEXT.search(before)
            if standalone and 0 <= low <= high <= 120:
                minimums.append(low)
                maximums.append(high)
        for match in _AGE_OPEN.finditer(body):
            low = int(match.group(1))
            before = body[: match.start()]
            standalone = not before.strip() or _AGE_CONTEXT.search(before)
            if standalone and low <= 120:
                minimums.append(low)
                maximums.append(None)
    min_age = min(minimums) if minimums else None
    max_age: int | None = None
    if maximums and all(value is not None for value in maximums):
        max_age = max(value for value in maximums if value is not None)
    return Targeting(
        min_age=min_age,
        max_age=max_age,
        interests=tuple(dict.fromkeys(interests)),
        excluded=tuple(dict.fromkeys(excluded)),
    )


# --- the engine -----------------------------------------------------------------------------

_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_X_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"»”’)]}>"
_PLURALS = {"call to action": "calls to action"}


def _quoted(text: str, limit: int = 60) -> str:
    shown = " ".join(text.split())
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"“{shown}”"


def _alternatives(values: Sequence[str]) -> str:
    quoted = [_quoted(value) for value in values]
    if len(quoted) <= 2:
        return " or ".join(quoted)
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _characters(count: int) -> str:
    return f"{count:,} character" if count == 1 else f"{count:,} characters"


def _weights(text: str, counting: Counting) -> Iterator[tuple[int, int]]:
    """(original start, counted width) per unit of ``text``: a character with the combining
    marks that follow it, or (for X) a whole link."""
    links = iter(_X_LINK.finditer(text)) if counting == Counting.X_POST else iter(())
    link = next(links, None)
    index, size = 0, len(text)
    while index < size:
        if link is not None and link.start() == index:
            yield index, 23
            index = link.end()
            link = next(links, None)
            continue
        stop = index + 1
        while stop < size and (
            unicodedata.combining(text[stop]) or 0x1160 <= ord(text[stop]) <= 0x11FF
        ):
            stop += 1
        if link is not None and link.start() < stop:
            stop = max(index + 1, link.start())
        cluster = unicodedata.normalize("NFC", text[index:stop])
        if counting == Counting.DOUBLE_WIDTH:
            width = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in cluster)
        else:
            width = len(cluster)
        yield index, width
        index = stop


def cut_index(text: str, limit: int, counting: Counting = Counting.CODE_POINTS) -> int:
    """The position in ``text`` where the part beyond ``limit`` counted characters starts."""
    if counting == Counting.X_POST:
        simple = "://" not in text and "www." not in text.lower()
    else:
        simple = counting == Counting.CODE_POINTS or text.isascii()
    if simple and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return min(limit, len(text))  # one code point is one counted character
    total = 0
    for start, width in _weights(text, counting):
        if total + width > limit:
            return start
        total += width
    return len(text)


@dataclass(frozen=True, slots=True)
class _Scanner:
    """A rule that looks into texts: prohibited words or pattern, or required texts."""

    index: int
    rule: Rule
    set_pattern: str  # for the prefilter set (folded)
    regex: Any  # the folded pattern compiled, for prohibited patterns
    needles: tuple[str, ...]  # folded literals (words, required texts)
    shown: tuple[str, ...]  # the literals as written (messages)


class _Scope:
    """The scanners for one field: which of them occur in a text (one pass for all)."""

    def __init__(self, scanners: Sequence[_Scanner]) -> None:
        self.scanners = tuple(scanners)
        self._set: Any = None
        program = sum(_compile(s.set_pattern).programsize for s in self.scanners)
        if self.scanners and program <= _SET_MAX_PROGRAM:
            try:
                built = re2.Set.SearchSet(_options(_SET_MAX_MEM))
                for scanner in self.scanners:
                    built.Add(scanner.set_pattern)
                built.Compile()
                self._set = built
            except re2.error:  # pragma: no cover - too big for one set: one by one
                self._set = None

    def candidates(self, folded: str) -> list[_Scanner]:
        if self._set is not None:
            hits = self._set.Match(folded)
            return [self.scanners[hit] for hit in sorted(hits)] if hits else []
        return [  # pragma: no cover - only for very large rule sets
            scanner
            for scanner in self.scanners
            if _compile(scanner.set_pattern).search(folded) is not None
        ]


@dataclass(frozen=True, slots=True)
class _LengthGroup:
    """The active length rules of one field and way of counting, with their tightest
    limits: one comparison says whether any of them has something to say."""

    field: str
    counting: Counting
    checks: tuple[_LengthCheck, ...]
    max: int | None
    min: int | None
    max_items: int | None


@dataclass(slots=True)
class _Context:
    active: list[bool]
    required: list[int]
    length: list[_LengthGroup]
    url: tuple[int, ...]
    targeting: list[int]
    spec: list[int]
    any: bool


@dataclass(slots=True)
class _Item:
    field: str
    item: int
    text: _Text


@dataclass(frozen=True, slots=True)
class _LengthCheck:
    rule: Rule
    field: str
    counting: Counting
    max: int | None
    min: int | None
    max_items: int | None


@dataclass(frozen=True, slots=True)
class _UrlCheck:
    rule: Rule
    https_only: bool
    no_shorteners: bool
    allowed: frozenset[str]
    allowed_shown: tuple[str, ...]
    required: tuple[str, ...]


class CompiledRules:
    """A rule set ready to check many subjects: patterns compiled, literals folded, one
    prefilter per field so that a text is scanned once for every rule that reads it, and the
    rules that apply worked out once per context (channel, market, categories, …)."""

    def __init__(self, rule_set: RuleSet) -> None:
        self.rule_set = rule_set
        self.rules = rule_set.rules
        scanners: list[_Scanner] = []
        self._lengths: dict[int, _LengthCheck] = {}
        self._urls: dict[int, _UrlCheck] = {}
        for index, rule in enumerate(self.rules):
            params = rule.params
            if rule.kind == RuleKind.PROHIBITED:
                scanners.append(self._prohibited_scanner(index, rule))
            elif rule.kind == RuleKind.REQUIRED_TEXT:
                shown = tuple(params.get("any_of") or (params["text"],))
                needles = tuple(" ".join(fold(text).split()) for text in shown)
                pattern = "|".join(re2.escape(needle) for needle in needles)
                scanners.append(_Scanner(index, rule, pattern, None, needles, shown))
            elif rule.kind == RuleKind.LENGTH:
                counting = Counting(params.get("counting", Counting.CODE_POINTS.value))
                self._lengths[index] = _LengthCheck(
                    rule, rule.field or "", counting, params.get("max"), params.get("min"),
                    params.get("max_items"),
                )  # fmt: skip
            elif rule.kind == RuleKind.URL:
                allowed = tuple(params.get("allowed_domains") or ())
                self._urls[index] = _UrlCheck(
                    rule, bool(params.get("https_only")), bool(params.get("no_shorteners")),
                    frozenset(allowed), allowed, tuple(params.get("required_params") or ()),
                )  # fmt: skip
        self._scanners = {scanner.index: scanner for scanner in scanners}
        named = {s.rule.field for s in scanners if s.rule.field is not None}
        self._scopes: dict[str | None, _Scope] = {}
        for name in named:
            chosen = [
                s
                for s in scanners
                if s.rule.field == name or (s.rule.field is None and not _is_url_field(name))
            ]
            self._scopes[name] = _Scope(chosen)
        self._scopes[None] = _Scope([s for s in scanners if s.rule.field is None])
        self._contexts: dict[tuple[Any, ...], _Context] = {}
        self._url_cache: dict[tuple[str, bool, tuple[int, ...]], tuple[tuple[int, str], ...]] = {}

    @staticmethod
    def _prohibited_scanner(index: int, rule: Rule) -> _Scanner:
        if "pattern" in rule.params:
            folded = _fold_pattern(rule.params["pattern"])
            return _Scanner(index, rule, folded, _compile(folded), (), ())
        shown = tuple(rule.params["words"])
        needles = tuple(" ".join(fold(word).split()) for word in shown)
        ordered = sorted(set(needles), key=len, reverse=True)
        pattern = "|".join(re2.escape(needle) for needle in ordered)
        return _Scanner(index, rule, pattern, None, needles, shown)

    def _scope(self, name: str) -> _Scope | None:
        scope = self._scopes.get(name)
        if scope is not None:
            return scope
        return None if _is_url_field(name) else self._scopes[None]

    def _context(self, subject: Subject) -> _Context:
        key = (
            subject.channel,
            subject.market,
            tuple(subject.categories),
            bool(subject.sponsored),
            subject.platform,
        )
        found = self._contexts.get(key)
        if found is None:
            active = [rule.when is None or rule.when.holds(subject) for rule in self.rules]
            lists: dict[RuleKind, list[int]] = {kind: [] for kind in RuleKind}
            for index, rule in enumerate(self.rules):
                if active[index]:
                    lists[rule.kind].append(index)
            found = _Context(
                active=active,
                required=lists[RuleKind.REQUIRED_TEXT],
                length=self._length_groups(lists[RuleKind.LENGTH]),
                url=tuple(lists[RuleKind.URL]),
                targeting=lists[RuleKind.TARGETING],
                spec=lists[RuleKind.SPEC],
                any=any(active),
            )
            if len(self._contexts) > 10_000:
                self._contexts.clear()
            self._contexts[key] = found
        return found

    def _length_groups(self, indexes: Sequence[int]) -> list[_LengthGroup]:
        grouped: dict[tuple[str, Counting], list[_LengthCheck]] = {}
        for index in indexes:
            check = self._lengths[index]
            grouped.setdefault((check.field, check.counting), []).append(check)
        groups = []
        for (name, counting), checks in grouped.items():
            maxima = [c.max for c in checks if c.max is not None]
            minima = [c.min for c in checks if c.min is not None]
            items = [c.max_items for c in checks if c.max_items is not None]
            groups.append(
                _LengthGroup(
                    name, counting, tuple(checks), min(maxima, default=None),
                    max(minima, default=None), min(items, default=None),
                )
            )  # fmt: skip
        return groups

    def _url_findings(self, context: _Context, urls: Sequence[_UrlAt]) -> list[Finding]:
        """The URL rules' findings; a URL seen before in the same context costs a lookup."""
        findings = []
        for name, number, start, end, url, whole in urls:
            key = (url, whole, context.url)
            problems = self._url_cache.get(key)
            if problems is None:
                parsed = _parse_url(url)
                problems = tuple(
                    (index, problem)
                    for index in context.url
                    for problem in _url_problems(self._urls[index], parsed, whole)
                )
                if len(self._url_cache) > 10_000:
                    self._url_cache.clear()
                self._url_cache[key] = problems
            for index, problem in problems:
                rule = self.rules[index]
                if rule.field is not None and name != rule.field:
                    continue
                message = rule.message or problem
                findings.append(Finding(rule.id, rule.severity, message, name, start, end, number))
        return findings

    def check(self, subject: Subject) -> list[Finding]:
        """Every finding of the rule set on ``subject``, by field, item and position."""
        context = self._context(subject)
        if not context.any:
            return []
        fields: dict[str, list[str]] = {}
        for name, texts in subject.fields.items():
            items = [texts] if isinstance(texts, str) else [str(text) for text in texts]
            fields.setdefault(field_name(name), []).extend(items)
        findings: list[Finding] = []
        found_required: dict[int, list[_Item]] = {}
        items_by_field: dict[str, list[_Item]] = {}
        if self._scanners:
            for name, texts in fields.items():
                scope = self._scope(name)
                entries = items_by_field[name] = []
                for number, raw in enumerate(texts):
                    if not raw:
                        continue
                    entry = _Item(name, number, _Text(raw))
                    entries.append(entry)
                    if scope is None:
                        continue
                    for scanner in scope.candidates(entry.text.folded):
                        if not context.active[scanner.index]:
                            continue
                        if scanner.rule.kind == RuleKind.PROHIBITED:
                            findings.extend(_prohibited(scanner, entry))
                        else:
                            found_required.setdefault(scanner.index, []).append(entry)
        if context.required:
            every_text = [
                entry
                for name, entries in items_by_field.items()
                if not _is_url_field(name)
                for entry in entries
            ]
            for index in context.required:
                scanner = self._scanners[index]
                field = scanner.rule.field
                in_scope = every_text if field is None else items_by_field.get(field, [])
                if in_scope:
                    findings.extend(
                        _required(scanner, fields, in_scope, found_required.get(index, ()))
                    )
        work = _Work(fields)
        for group in context.length:
            measured = fields.get(group.field)
            if measured is not None and work.breaks(group, measured):
                for check in group.checks:
                    if work.breaks(check, measured):
                        findings.extend(_length(check, work))
        if context.url:
            urls = work.all_urls()
            if urls:
                findings.extend(self._url_findings(context, urls))
        for index in context.targeting:
            findings.extend(_targeting(self.rules[index], subject))
        for index in context.spec:
            findings.extend(_spec(self.rules[index], subject))
        findings.sort(
            key=lambda f: (
                f.field or "",
                -1 if f.item is None else f.item,
                -1 if f.start is None else f.start,
                f.rule,
            )
        )
        return findings

    def check_many(self, subjects: Iterable[Subject]) -> list[list[Finding]]:
        return [self.check(subject) for subject in subjects]


def _required(
    scanner: _Scanner,
    fields: Mapping[str, list[str]],
    in_scope: Sequence[_Item],
    candidates: Iterable[_Item],
) -> list[Finding]:
    rule = scanner.rule
    within: int | None = rule.params.get("within")
    late: tuple[_Item, int, int, int] | None = None
    for entry in candidates:
        for needle in scanner.needles:
            start = _first_bounded(entry.text.folded, needle)
            if start < 0:
                continue
            if within is None:
                return []
            original_start, original_end = entry.text.span(start, start + len(needle))
            before = count_characters(entry.text.original[:original_start])
            if before < within:
                return []
            if late is None or before < late[1]:
                late = (entry, before, original_start, original_end)
    if late is not None:
        entry, before, start, end = late
        message = rule.message or (
            f"{_quoted(entry.text.original[start:end])} comes at character {before + 1:,} of "
            f"the {_item_name(entry.field, entry.item, fields)}; move it into the first "
            f"{within:,} characters"
        )
        return [Finding(rule.id, rule.severity, message, entry.field, start, end, entry.item)]
    where = f" to the {rule.field}" if rule.field else ""
    first = f", within the first {within:,} characters" if within else ""
    alternatives = _alternatives(scanner.shown)
    message = rule.message or f"Required text is missing: add {alternatives}{where}{first}"
    if len(in_scope) == 1:
        entry = in_scope[0]
        first_start = 0 if within else None
        first_end = cut_index(entry.text.original, within) if within else None
        return [
            Finding(rule.id, rule.severity, message, entry.field, first_start, first_end,
                    entry.item)
        ]  # fmt: skip
    return [Finding(rule.id, rule.severity, message, rule.field, None, None)]


def _item_name(name: str, item: int, fields: Mapping[str, Sequence[str]]) -> str:
    return f"{name} {item + 1}" if len(fields.get(name, ())) > 1 else name


def _prohibited(scanner: _Scanner, entry: _Item) -> list[Finding]:
    rule = scanner.rule
    folded = entry.text.folded
    spans: list[tuple[int, int]] = []
    if scanner.regex is not None:
        for match in scanner.regex.finditer(folded):
            start, end = match.span()
            if end > start:
                spans.append((start, end))
                if len(spans) >= MAX_FINDINGS_PER_TEXT:
                    break
    else:
        for needle in scanner.needles:
            for span in _literal_spans(folded, needle):
                spans.append(span)
                if len(spans) >= MAX_FINDINGS_PER_TEXT * 2:
                    break
        spans.sort(key=lambda span: (span[0], -span[1]))
        kept: list[tuple[int, int]] = []
        for start, end in spans:
            if kept and start < kept[-1][1]:
                continue  # inside (or overlapping) a longer word found first
            kept.append((start, end))
        spans = kept[:MAX_FINDINGS_PER_TEXT]
    findings = []
    replacement = rule.params.get("replacement")
    for start, end in spans:
        original_start, original_end = entry.text.span(start, end)
        matched = entry.text.original[original_start:original_end]
        if rule.message:
            message = _fill(rule.message, match=matched)
        else:
            message = f"{_quoted(matched)} is not allowed"
            if replacement:
                message += f"; say {_quoted(replacement)} instead"
        findings.append(
            Finding(
                rule.id, rule.severity, message, entry.field, original_start, original_end,
                entry.item,
            )
        )  # fmt: skip
    return findings


def _length(check: _LengthCheck, work: _Work) -> list[Finding]:
    rule, name = check.rule, check.field
    texts = work.fields[name]
    findings = []
    if check.max_items is not None and len(texts) > check.max_items:
        plural = _PLURALS.get(name, f"{name}s")
        message = _fill(rule.message, item=plural, length=len(texts), limit=check.max_items)
        message = message or f"{len(texts)} {plural}, at most {check.max_items}"
        findings.append(Finding(rule.id, rule.severity, message, name, None, None, check.max_items))
    limit, minimum = check.max, check.min
    if limit is None and minimum is None:
        return findings
    for number, length in enumerate(work.lengths(name, check.counting)):
        if limit is not None and length > limit:
            text = texts[number]
            item = _item_name(name, number, work.fields)
            start = min(cut_index(text, limit, check.counting), len(text))
            message = _fill(rule.message, item=item, length=length, limit=limit)
            message = message or f"{item} is {_characters(length)}, limit {limit:,}"
            findings.append(
                Finding(rule.id, rule.severity, message, name, start, len(text), number)
            )
        if minimum is not None and length < minimum:
            item = _item_name(name, number, work.fields)
            message = _fill(rule.message, item=item, length=length, limit=minimum)
            message = message or f"{item} is {_characters(length)}, minimum {minimum:,}"
            findings.append(Finding(rule.id, rule.severity, message, name, None, None, number))
    return findings


def _fill(template: str, **values: str | int) -> str:
    """``template`` with ``{name}`` replaced (numbers with thousands separators)."""
    for key, value in values.items():
        shown = f"{value:,}" if isinstance(value, int) else value
        template = template.replace("{" + key + "}", shown)
    return template


_UrlAt = tuple[str, int, int, int, str, bool]  # field, item, start, end, url, whole field


def _urls_in(name: str, number: int, text: str) -> list[_UrlAt]:
    """The URLs of one text: the whole text of a URL field, or those written in a text."""
    if _is_url_field(name):
        stripped = text.strip()
        if not stripped:
            return []
        start = text.find(stripped)
        return [(name, number, start, start + len(stripped), stripped, True)]
    if "://" not in text and "www." not in text.lower():
        return []
    found = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group()
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if url:
            found.append((name, number, match.start(), match.start() + len(url), url, False))
    return found


@dataclass(frozen=True, slots=True)
class _Url:
    """One URL taken apart once per check (``error`` when it cannot be)."""

    shown: str
    lowered: str
    host: str
    suffixes: tuple[str, ...]  # the host and the domains above it: a.b.c, b.c, c
    params: frozenset[str]
    error: str = ""


def _parse_url(url: str) -> _Url:
    shown = _quoted(url, 80)
    lowered = url.lower()
    has_scheme = "://" in lowered.split("?", 1)[0]
    try:
        parts = urlsplit(url if has_scheme else "https://" + url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return _Url(shown, lowered, "", (), frozenset(), f"{shown} is not a valid URL")
    if not host:
        return _Url(shown, lowered, "", (), frozenset(), f"{shown} has no domain name")
    labels = host.split(".")
    suffixes = tuple(".".join(labels[n:]) for n in range(len(labels)))
    present = frozenset(key for key, value in parse_qsl(parts.query, True) if value)
    return _Url(shown, lowered, host, suffixes, present)


class _Work:
    """What one check works out once and several rules read: lengths, URLs."""

    __slots__ = ("_lengths", "_urls", "fields")

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        self._lengths: dict[tuple[str, Counting], tuple[list[int], int, int]] = {}
        self._urls: list[_UrlAt] | None = None

    def _measure(self, name: str, counting: Counting) -> tuple[list[int], int, int]:
        key = (name, counting)
        found = self._lengths.get(key)
        if found is None:
            lengths = [count_characters(text, counting) for text in self.fields.get(name, ())]
            found = (lengths, max(lengths, default=0), min(lengths, default=0))
            self._lengths[key] = found
        return found

    def lengths(self, name: str, counting: Counting) -> list[int]:
        return self._measure(name, counting)[0]

    def breaks(self, check: _LengthCheck | _LengthGroup, texts: Sequence[str]) -> bool:
        """Whether ``check`` has anything to say about ``texts``."""
        if check.max_items is not None and len(texts) > check.max_items:
            return True
        if check.max is None and check.min is None:
            return False
        _, longest, shortest = self._measure(check.field, check.counting)
        return (check.max is not None and longest > check.max) or (
            check.min is not None and shortest < check.min
        )

    def all_urls(self) -> list[_UrlAt]:
        if self._urls is None:
            self._urls = [
                found
                for name, texts in self.fields.items()
                for number, text in enumerate(texts)
                for found in _urls_in(name, number, text)
            ]
        return self._urls


def _url_problems(check: _UrlCheck, url: _Url, whole: bool) -> list[str]:
    if url.error:
        return [url.error]
    problems = []
    if check.https_only:
        if url.lowered.startswith("http://"):
            problems.append(f"{url.shown} is not https; use the https:// address")
        elif whole and not url.lowered.startswith("https://"):
            problems.append(f"{url.shown} does not start with https://")
    if check.no_shorteners:
        shortener = next((s for s in url.suffixes if s in SHORTENERS), None)
        if shortener:
            problems.append(f"{url.shown} is a shortened link ({shortener}); use the full address")
    if check.allowed and not any(s in check.allowed for s in url.suffixes):
        problems.append(
            f"{url.host} is not an allowed landing domain; use {_alternatives(check.allowed_shown)}"
        )
    if check.required:
        missing = [key for key in check.required if key not in url.params]
        if missing:
            problems.append(f"{url.shown} lacks {', '.join(missing)}")
    return problems


def _contains_word(text: str, word: str) -> bool:
    return next(_literal_spans(text, word), None) is not None


def _targeting(rule: Rule, subject: Subject) -> list[Finding]:
    params = rule.params
    findings = []

    def add(message: str, severity: Severity = rule.severity) -> None:
        findings.append(Finding(rule.id, severity, message, TARGETING_FIELD, None, None))

    when = rule.when or When()
    what = ", ".join(when.categories) or "This"
    if params.get("banned"):
        on = CHANNEL_LABELS.get(subject.channel, subject.channel) if when.channels else ""
        where = _market_code(subject.market) if when.markets else ""
        subject_text = f"{what.capitalize()} advertising" if when.categories else "This"
        sentence = f"{subject_text} is banned" + (f" on {on}" if on else "")
        sentence += f" in {where}" if where else ""
        add(rule.message or sentence)
    if params.get("reminder"):
        add(rule.message)
    targeting = subject.targeting
    if targeting is None:
        return findings
    minimum = params.get("min_age")
    if minimum is not None:
        for_what = f" for {', '.join(when.categories)}" if when.categories else ""
        if targeting.min_age is None:
            unknown = params.get("if_unknown")
            if unknown is None:
                severity = min(rule.severity, Severity.WARNING, key=lambda s: s.rank)
            elif unknown == "ignore":
                severity = None
            else:
                severity = Severity(unknown)
            if severity is not None:
                add(
                    f"the targeting states no age; it must start at {minimum} or older{for_what}",
                    severity,
                )
        elif targeting.min_age < minimum:
            add(
                rule.message
                or f"the targeting starts at age {targeting.min_age}; it must start at "
                f"{minimum} or older{for_what}"
            )
    banned_interests = params.get("no_interests")
    if banned_interests:
        folded_terms = [" ".join(fold(term).split()) for term in banned_interests]
        for interest in targeting.interests:
            folded = " ".join(fold(interest).split())
            hit = next((t for t in folded_terms if _contains_word(folded, t)), None)
            if hit is not None:
                markets = f" in {', '.join(when.markets)}" if when.markets else ""
                add(
                    rule.message
                    or f"the targeting uses the interest {_quoted(interest)}, a sensitive "
                    f"category ({hit}) that must not be targeted{markets}"
                )
    return findings


def _spec(rule: Rule, subject: Subject) -> list[Finding]:
    keep = rule.params.get("severity_from_spec", True)
    findings = []
    for item in subject.spec_findings:
        severity = rule.severity
        if keep:
            raw = str(item.get("severity", "")).lower()
            severity = Severity(raw) if raw in _RANKS else Severity.WARNING
        spec = str(item.get("spec") or "")
        text = str(item.get("message") or "")
        message = f"{spec}: {text}" if spec else text
        findings.append(
            Finding(rule.id, severity, message, str(item.get("field") or "") or None, None, None)
        )
    return findings


def check(rule_set: RuleSet, subject: Subject) -> list[Finding]:
    """The findings of ``rule_set`` on ``subject`` (compiles the rules each time)."""
    return CompiledRules(rule_set).check(subject)


__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "EEA_COUNTRIES",
    "EU_COUNTRIES",
    "FIELDS",
    "MAX_PATTERN_CHARS",
    "MAX_RULES",
    "PLATFORMS",
    "SHORTENERS",
    "CompiledRules",
    "Finding",
    "Rule",
    "RuleError",
    "RuleKind",
    "RuleSet",
    "Severity",
    "Subject",
    "Targeting",
    "When",
    "check",
    "check_pattern",
    "cut_index",
    "field_name",
    "fold",
    "has_blocking",
    "market_matches",
    "parse_rule_set",
    "parse_targeting",
    "rule_set_data",
]
