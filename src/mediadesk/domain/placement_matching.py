"""Which placement a row of a platform export belongs to.

A row is known by its source: platform, account, campaign name, ad group (or line item, ad set)
name and the platform's own ID for the placement (line item ID, placement ID). Rules saved per
client say where such rows go; without a rule, a row whose campaign or ad group name contains a
placement's code goes to that placement (coordinators put the code into the names they set up
on the platforms for exactly this reason).

Rules are tried from the most to the least specific, so a hand assignment always beats a
pattern and a pattern beats the automatic code match:

1. ``platform_id`` — the row's placement ID equals the rule's value;
2. ``manual`` — the row's campaign and ad group names equal the rule's (an empty rule field
   matches anything), as written when someone assigned an unmatched row by hand;
3. ``pattern`` — the campaign or ad group name matches a wildcard pattern (``*`` any text,
   ``?`` one character), case- and accent-insensitive;
4. ``name_contains`` — the campaign or ad group name contains the rule's text;
5. the automatic code match; when several codes appear, the longest wins ("NW-SRCH-010" over
   "NW-SRCH-01").

Every rule can be narrowed to one platform and one account. Matching is per distinct source,
not per row, so a million-row export with a few hundred ad groups costs a few hundred lookups.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class RuleKind(StrEnum):
    PLATFORM_ID = "platform_id"
    MANUAL = "manual"
    PATTERN = "pattern"
    NAME_CONTAINS = "name_contains"


RULE_KIND_LABELS: dict[RuleKind, str] = {
    RuleKind.PLATFORM_ID: "Platform ID is",
    RuleKind.MANUAL: "Assigned by hand",
    RuleKind.PATTERN: "Name matches pattern",
    RuleKind.NAME_CONTAINS: "Name contains",
}
_ORDER = {kind: order for order, kind in enumerate(RuleKind)}
CODE_MATCH = "code"  # how a row matched when no rule but the placement code placed it


@dataclass(frozen=True, slots=True)
class Source:
    """What an export row says about where it ran ("" where the file says nothing)."""

    platform: str
    account: str
    campaign: str
    ad_group: str
    placement_key: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    kind: RuleKind
    line_key: str  # the placement this rule sends rows to
    value: str = ""  # the ID, the pattern or the text, per kind
    platform: str = ""  # "" = any platform
    account: str = ""  # "" = any account
    campaign: str = ""  # manual rules: the campaign name as the platform wrote it ("" = any)
    ad_group: str = ""  # manual rules: the ad group name ("" = any)


@dataclass(frozen=True, slots=True)
class Match:
    line_key: str
    how: str  # a RuleKind value, or CODE_MATCH
    rule_id: int | None = None


def fold(text: str) -> str:
    """Text compared without case or accents: "Été Promo" and "ete promo" are the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.DOTALL)


def check_pattern(pattern: str) -> str:
    """The pattern as stored, or ValueError saying why it cannot be one."""
    text = pattern.strip()
    if not text.strip("*?"):
        raise ValueError(
            f"The pattern {pattern!r} would match every name; add some text, e.g. *Brand*."
        )
    return text


def _applies(rule: Rule, source: Source) -> bool:
    """The rule's platform and account narrowing."""
    if rule.platform and rule.platform != source.platform:
        return False
    return not rule.account or fold(rule.account) == fold(source.account)


def _names(source: Source) -> tuple[str, str]:
    return fold(source.campaign), fold(source.ad_group)


def rule_matches(rule: Rule, source: Source) -> bool:
    if not _applies(rule, source):
        return False
    campaign, ad_group = _names(source)
    if rule.kind is RuleKind.PLATFORM_ID:
        return bool(source.placement_key) and source.placement_key.strip() == rule.value.strip()
    if rule.kind is RuleKind.MANUAL:
        return (not rule.campaign or fold(rule.campaign) == campaign) and (
            not rule.ad_group or fold(rule.ad_group) == ad_group
        )
    if rule.kind is RuleKind.PATTERN:
        pattern = _wildcard(fold(rule.value))
        return any(pattern.fullmatch(name) for name in (campaign, ad_group) if name)
    text = fold(rule.value)
    return bool(text) and (text in campaign or text in ad_group)


def _specificity(rule: Rule) -> tuple[int, int, int, int]:
    """Sort key: kind first, then rules narrowed to a platform/account/ad group before others."""
    return (_ORDER[rule.kind], not rule.platform, not rule.account, not rule.ad_group)


def order_rules(rules: Iterable[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda rule: (*_specificity(rule), rule.id))


def code_match(source: Source, codes: Mapping[str, str]) -> Match | None:
    """The placement whose code (folded) appears in the campaign, ad group or placement ID."""
    haystack = " ".join((*_names(source), fold(source.placement_key)))
    found = [code for code in codes if code and code in haystack]
    if not found:
        return None
    best = max(found, key=len)
    return Match(line_key=codes[best], how=CODE_MATCH)


def match_source(
    source: Source, ordered_rules: Sequence[Rule], codes: Mapping[str, str]
) -> Match | None:
    """Where the rows of this source go, or None (they wait in the unmatched queue).

    ``ordered_rules`` come from ``order_rules``; ``codes`` maps each placement code, folded,
    to its line key.
    """
    for rule in ordered_rules:
        if rule_matches(rule, source):
            return Match(line_key=rule.line_key, how=rule.kind.value, rule_id=rule.id)
    return code_match(source, codes)


def match_sources(
    sources: Iterable[Source], rules: Iterable[Rule], codes: Mapping[str, str]
) -> dict[Source, Match | None]:
    """Every distinct source with its match (rules that point at no placement are skipped)."""
    ordered = [rule for rule in order_rules(rules) if rule.line_key in codes.values()]
    folded = {fold(code): key for code, key in codes.items()}
    return {source: match_source(source, ordered, folded) for source in set(sources)}
