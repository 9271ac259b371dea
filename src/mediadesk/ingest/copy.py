"""Ad copy (headlines, descriptions, primary text, paths, a final URL) as structured fields: read
from a mapping (a form, the API) or from a copy deck file (.json or .txt), checked, and named
the way the spec checks of ``domain.specs`` name their copy fields.

Field names. A key is lower-cased, ``_``/``-`` become spaces, and a trailing number says the
item's position: "Headline 1", "headline_2", "Headline3" are headlines 1 to 3. Plurals and the
usual other names are accepted (``ALIASES``): "headlines", "Display path 1" and "path1",
"CTA", "Landing page URL". The field names are those of the seed specs' ``CopyLimit``s
("headline", "description", "path", "primary text", "ad description", "brand name", "app
name", "intro text", "ad name", "post", "website card title") plus "call to action" and "final
url". Any other key is refused, naming it and listing the accepted fields.

Values. Each is a string; ``MULTI_FIELDS`` (headlines, descriptions, paths, primary texts) also
take a list of strings, or numbered keys, but not both for one field. Every other field takes
one text. A text is stripped of surrounding white space; an empty text (a template's unused
"Headline 12") is left out, and numbered items keep their order, gaps closed. Refused: a value
that is not a string (a number, an object), a text above ``MAX_TEXT_CHARS``, control
characters other than tab and line breaks, more than ``MAX_ITEMS`` items for one field, a final
URL that is not an absolute ``http(s)://`` URL with a host, and copy with no text at all.

Copy decks. ``.json``: one object with the keys above (UTF-8, at most ``MAX_DECK_BYTES``).
``.txt``: one ``Field: value`` per line (UTF-8 or UTF-16 with its byte order mark); blank lines
and lines starting with ``#`` are skipped; a field written on several lines ("Headline: ...",
"Headline: ...") collects a list; a line without a ``Field:`` label is refused with its number.

The final URL is not copy text: it is kept in ``final_url`` and out of ``copy``, so a spec with
copy limits does not flag it as an unknown field.
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mediadesk.domain.rules import FIELDS as RULE_FIELDS
from mediadesk.domain.rules import FINAL_URL
from mediadesk.domain.specs import AssetFacts, AssetKind
from mediadesk.ingest.safety import UnsafeFile, _looks_like, _megabytes, display_name

MAX_TEXT_CHARS = 5_000
MAX_ITEMS = 50
MAX_URL_CHARS = 2_048
MAX_DECK_BYTES = 1024 * 1024

# The copy fields are the rules engine's: a field a deck can carry is one a rule can check
# (a social or creator post's body is "text").
FIELDS = RULE_FIELDS
MULTI_FIELDS = frozenset({"headline", "description", "path", "primary text"})
ALIASES: dict[str, str] = {
    "headlines": "headline",
    "descriptions": "description",
    "primary texts": "primary text",
    "primary": "primary text",
    "body": "primary text",
    "body text": "primary text",
    "paths": "path",
    "display path": "path",
    "display paths": "path",
    "display url path": "path",
    "cta": "call to action",
    "call to actions": "call to action",
    "url": FINAL_URL,
    "final urls": FINAL_URL,
    "landing page": FINAL_URL,
    "landing page url": FINAL_URL,
    "destination url": FINAL_URL,
    "website url": FINAL_URL,
    "introductory text": "intro text",
    "tweet": "post",
}
_NUMBERED = re.compile(r"^(.*?)\s*([0-9]{1,3})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ACCEPTED = ", ".join(FIELDS)


class CopyError(UnsafeFile):
    """Ad copy mediadesk will not take; the message names the field and what is wrong."""


class _Invalid(Exception):
    """A problem with one field, worded to follow "The copy: " or "deck.txt: "."""


@dataclass(frozen=True, slots=True)
class CopyFacts:
    """The copy of one asset version: texts per field (spec field names), in order."""

    copy: Mapping[str, tuple[str, ...]]
    final_url: str | None = None
    source: str = field(default="", compare=False)  # the deck's file name, if read from one

    def asset_facts(self) -> AssetFacts:
        return AssetFacts(
            kind=AssetKind.COPY, copy={key: list(texts) for key, texts in self.copy.items()}
        )

    def metadata(self) -> dict[str, object]:
        values: dict[str, object] = {
            "fields": {key: list(texts) for key, texts in self.copy.items()},
            "counts": {key: len(texts) for key, texts in self.copy.items()},
        }
        if self.final_url:
            values["final_url"] = self.final_url
        return values


def parse_copy(data: Mapping[str, object]) -> CopyFacts:
    """Check and normalize structured copy (module docstring); raise ``CopyError``."""
    try:
        return _parse(((str(key), value, "") for key, value in data.items()), repeats=False)
    except _Invalid as exc:
        raise CopyError(f"The copy: {exc}") from exc


def read_copy_file(data: bytes, filename: str) -> CopyFacts:
    """Read a ``.json`` or ``.txt`` copy deck (module docstring); raise ``CopyError``."""
    name = display_name(filename)
    extension = posixpath.splitext(name.lower())[1]
    if extension not in (".json", ".txt"):
        raise CopyError(f"{name} is not a copy deck: upload copy as a .json or .txt file.")
    if len(data) > MAX_DECK_BYTES:
        raise CopyError(
            f"{name} is {_megabytes(len(data))} MB; a copy deck may be at most "
            f"{_megabytes(MAX_DECK_BYTES)} MB."
        )
    text = _decode(data, name)
    try:
        if extension == ".json":
            value = _load_json(text, name)
            entries = ((str(key), item, "") for key, item in value.items())
            facts = _parse(entries, repeats=False)
        else:
            facts = _parse(_txt_entries(text), repeats=True)
    except _Invalid as exc:
        raise CopyError(f"{name}: {exc}") from exc
    return CopyFacts(copy=facts.copy, final_url=facts.final_url, source=name)


# --- files --------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        if b"\x00" in data[:4096]:
            raise CopyError(
                f"{name} is not a text file (it looks like {_looks_like(data)}). Upload copy "
                "as a .json or .txt file."
            )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CopyError(
            f"{name} is not UTF-8 text. Save it as UTF-8 (e.g. 'Save as > Plain text, UTF-8') "
            "and upload it again."
        ) from exc


def _load_json(text: str, name: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CopyError(
            f"{name} is not valid JSON ({exc}). Fix it or upload the copy as a .txt deck."
        ) from exc
    if not isinstance(value, dict):
        raise CopyError(
            f"{name} holds a JSON {type(value).__name__}, not an object of fields "
            '(e.g. {"headlines": ["…"], "final url": "https://…"}).'
        )
    return value


def _txt_entries(text: str) -> Iterable[tuple[str, object, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        label, colon, value = stripped.partition(":")
        if not colon or not label.strip():
            raise _Invalid(
                f"line {number} has no 'Field:' label ({_short(stripped)}). Write each text "
                "as 'Headline 1: …' on its own line."
            )
        yield label, value, f" (line {number})"


# --- fields -------------------------------------------------------------------------------------


def _field(key: str, where: str) -> tuple[str, int | None]:
    """The spec field a key names, and the item number it carries; ``CopyError`` if none."""
    words = " ".join(key.replace("_", " ").replace("-", " ").lower().split())
    found = _named(words)
    if found is not None:
        return found, None
    numbered = _NUMBERED.match(words)
    if numbered:
        found = _named(numbered.group(1))
        if found is not None:
            return found, int(numbered.group(2))
    raise _Invalid(f"unknown copy field {key!r}{where}. Accepted fields: {_ACCEPTED}.")


def _named(words: str) -> str | None:
    if words in FIELDS:
        return words
    return ALIASES.get(words)


@dataclass
class _Field:
    numbered: dict[int, str] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # as written, for messages


def _parse(entries: Iterable[tuple[str, object, str]], *, repeats: bool) -> CopyFacts:
    fields: dict[str, _Field] = {}
    for key, value, where in entries:
        name, number = _field(key, where)
        item = fields.setdefault(name, _Field())
        texts = _texts(name, key, value, where, single=number is not None)
        if number is not None:
            if number in item.numbered:
                raise _Invalid(f"{name} {number} is given twice{where}.")
            item.numbered[number] = texts[0] if texts else ""
        elif item.keys and not item.numbered and not repeats:
            raise _Invalid(f"{name} is given twice ({item.keys[0]!r} and {key!r}).")
        else:
            item.listed.extend(texts)
        item.keys.append(key)
        if item.numbered and item.listed:
            raise _Invalid(
                f"give {name} either as a list or as numbered fields ({name} 1, {name} 2, …), "
                f"not both{where}."
            )
    return _facts(fields)


def _texts(name: str, key: str, value: object, where: str, *, single: bool) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and (single or name not in MULTI_FIELDS) and len(value) > 1:
        raise _Invalid(f"{key!r} takes one text, not a list of {len(value)}{where}.")
    texts: list[str] = []
    for position, item in enumerate(values, start=1):
        label = f"{key!r}" + (f" item {position}" if isinstance(value, list) else "")
        if not isinstance(item, str):
            kind = "empty" if item is None else _type_name(item)
            raise _Invalid(f"{label} is {kind}, not text{where}. Write it as text in quotes.")
        text = item.strip()
        if len(text) > MAX_TEXT_CHARS:
            raise _Invalid(
                f"{label} is {len(text):,} characters; a copy text may be at most "
                f"{MAX_TEXT_CHARS:,}{where}."
            )
        if _CONTROL.search(text):
            raise _Invalid(f"{label} holds control characters{where}. Paste it as plain text.")
        if text:
            texts.append(text)
    return texts


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _facts(fields: Mapping[str, _Field]) -> CopyFacts:
    copy: dict[str, tuple[str, ...]] = {}
    final_url: str | None = None
    for name in FIELDS:  # the order of FIELDS, whatever order the input had
        item = fields.get(name)
        if item is None:
            continue
        texts = [item.numbered[number] for number in sorted(item.numbered)] + item.listed
        texts = [text for text in texts if text]
        if len(texts) > MAX_ITEMS:
            raise _Invalid(f"{len(texts)} {name} texts; at most {MAX_ITEMS} are read.")
        if name not in MULTI_FIELDS and len(texts) > 1:
            raise _Invalid(f"{name} takes one text, but {len(texts)} were given.")
        if not texts:
            continue
        if name == FINAL_URL:
            final_url = _url(texts[0])
        else:
            copy[name] = tuple(texts)
    if not copy:
        raise _Invalid(
            "no text was given. Give at least one field, e.g. a headline or a "
            f"description (accepted fields: {_ACCEPTED})."
        )
    return CopyFacts(copy=copy, final_url=final_url)


def _url(text: str) -> str:
    parts = urlsplit(text)
    problem = ""
    if len(text) > MAX_URL_CHARS:
        problem = f"is {len(text):,} characters long, more than {MAX_URL_CHARS:,}"
    elif any(char.isspace() or unicodedata.category(char) == "Cc" for char in text):
        problem = "contains spaces"
    elif parts.scheme.lower() not in ("http", "https"):
        problem = "does not start with http:// or https://"
    elif not parts.hostname:
        problem = "has no host name"
    if problem:
        raise _Invalid(
            f"the final URL {_short(text)!r} {problem}. Give the full address of the landing "
            "page, e.g. https://www.example.com/offer."
        )
    return text


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
