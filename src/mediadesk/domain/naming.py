"""Naming conventions: the placement codes that tie a plan line to platform exports and invoices.

A convention is a template of tokens in braces with literal separators between them, e.g.
``{client}_{campaign}_{channel}_{vendor}_{market}_{yyyymm}`` gives
``ACME_SPRING-SALE_SOCIAL_META_DE_202610``.
Each value is normalized so that the code survives every ad server and spreadsheet it passes
through: accents removed, anything other than A–Z, 0–9, ``-`` and ``.`` turned into ``-``, runs
of ``-`` collapsed, upper case. Literal text in the template is kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date

TOKENS: dict[str, str] = {
    "client": "the client's code or name",
    "campaign": "the campaign's code or name",
    "channel": "the channel (TV, radio, search, social, …)",
    "vendor": "the vendor: publisher, station, network, platform or creator",
    "property": "the property, station or title",
    "market": "the market",
    "format": "the unit or format (30s spot, 300x250, full page, story)",
    "audience": "the targeting or audience",
    "costmodel": "the cost model (CPM, CPC, …)",
    "yyyy": "the year the flight starts, e.g. 2026",
    "mm": "the month the flight starts, e.g. 10",
    "yyyymm": "the year and month the flight starts, e.g. 202610",
}

DEFAULT_TEMPLATE = "{client}_{campaign}_{channel}_{vendor}_{market}_{yyyymm}"

MAX_CODE_LENGTH = 120

# How the missing-value message names each token ("needs a market", "needs an audience").
_NEEDS: dict[str, str] = {
    "client": "a client",
    "campaign": "a campaign",
    "channel": "a channel",
    "vendor": "a vendor",
    "property": "a property",
    "market": "a market",
    "format": "a format",
    "audience": "an audience",
    "costmodel": "a cost model",
}

# Latin letters that NFKD does not take apart, as they are usually written in ASCII.
_TRANSLITERATIONS = str.maketrans(
    {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L",
     "ł": "l", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "Ð": "D", "ð": "d", "ı": "i"}
)  # fmt: skip
_TOKEN = re.compile(r"\{([^{}]*)\}")
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9.-]")
_DASHES = re.compile(r"-{2,}")


class NamingError(ValueError):
    """A naming-convention template or a placement code that cannot be used."""


def check_template(template: str) -> None:
    """Refuse a template mediadesk cannot fill, naming the problem and listing the tokens."""
    if not template.strip():
        raise NamingError(f"The naming convention is empty. {_valid_tokens()}")
    names = _TOKEN.findall(template)
    leftover = _TOKEN.sub("", template)
    if "{" in leftover or "}" in leftover:
        raise NamingError(
            f"The naming convention {template!r} has unbalanced braces; every token is a name "
            f"in {{ }}, such as {{client}}. {_valid_tokens()}"
        )
    if not names:
        raise NamingError(
            f"The naming convention {template!r} has no token, so every code would be the same. "
            f"{_valid_tokens()}"
        )
    unknown = [name for name in names if name not in TOKENS]
    if unknown:
        shown = ", ".join("{" + name + "}" for name in unknown)
        raise NamingError(
            f"The naming convention {template!r} uses {shown}, which mediadesk does not know. "
            f"{_valid_tokens()}"
        )


def render_code(template: str, values: Mapping[str, str], start: date) -> str:
    """The placement code: the template filled with normalized values and the flight's start."""
    check_template(template)
    dates = {"yyyy": f"{start.year:04d}", "mm": f"{start.month:02d}"}
    dates["yyyymm"] = dates["yyyy"] + dates["mm"]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in dates:
            return dates[name]
        given = (values.get(name) or "").strip()
        if not given:
            raise NamingError(
                f"The naming convention needs {_NEEDS[name]}; this placement has none."
            )
        value = _normalize(given)
        if not value:
            raise NamingError(
                f"The {name} {given!r} has no letter or digit a code can use (A–Z, 0–9); "
                "give it a Latin spelling or a short code."
            )
        return value

    code = _TOKEN.sub(fill, template)
    if len(code) > MAX_CODE_LENGTH:
        raise NamingError(
            f"The code {code} is {len(code)} characters long; codes can be at most "
            f"{MAX_CODE_LENGTH}. Use shorter values (codes rather than names) or fewer tokens."
        )
    return code


def duplicates(codes: Sequence[str]) -> dict[str, list[int]]:
    """Codes used more than once, ignoring case, with their 1-based positions.

    Exports are matched to placements by code, so two placements sharing one would swallow
    each other's delivery. The key is the code as first written; blank codes are not counted
    (a placement without a code yet is not a clash).
    """
    positions: dict[str, list[int]] = {}
    first_spelling: dict[str, str] = {}
    for position, code in enumerate(codes, start=1):
        if not code.strip():
            continue
        key = code.casefold()
        first_spelling.setdefault(key, code)
        positions.setdefault(key, []).append(position)
    return {first_spelling[key]: found for key, found in positions.items() if len(found) > 1}


def _normalize(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.strip().translate(_TRANSLITERATIONS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    dashed = _DASHES.sub("-", _NOT_ALLOWED.sub("-", plain))
    # A value's own punctuation at its edges ("(Berlin)") would only stutter the separators.
    return dashed.strip("-").upper()


def _valid_tokens() -> str:
    return "Valid tokens: " + ", ".join("{" + name + "}" for name in TOKENS) + "."
