"""Starter rule packs: rule sets shipped as data, to copy and adapt.

``us`` (United States), ``eu_uk`` (European Union and United Kingdom) and ``platform_lengths``
(the ad platforms' text limits). Each is a YAML rule file in this folder, in the format of
``domain.rules``, with a comment on top and a ``note`` on every rule saying where it comes
from. The legal packs are starting points to review with counsel, not legal advice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from mediadesk.domain.rules import RuleSet, parse_rule_set, rule_set_data

NOT_LEGAL_ADVICE = "Starting point to review with your counsel; not legal advice."

_PACKS: tuple[tuple[str, str, str], ...] = (
    ("us", "United States starter pack", NOT_LEGAL_ADVICE),
    ("eu_uk", "EU and UK starter pack", NOT_LEGAL_ADVICE),
    (
        "platform_lengths",
        "Platform text lengths",
        "The platforms' published text limits; check them against the platforms' current "
        "help pages.",
    ),
)


@dataclass(frozen=True)
class StarterPack:
    """One pack: ``text`` is the YAML file as shipped, comments and all (what a person
    downloads to adapt); ``rules`` the JSON form of ``rule_set`` (what a rule set stores)."""

    key: str
    name: str
    note: str
    rule_set: RuleSet
    text: str

    @property
    def rules(self) -> dict[str, Any]:
        """A fresh copy of the JSON form, free to change."""
        return rule_set_data(self.rule_set)


def pack_text(key: str) -> str:
    """The YAML file of pack ``key``."""
    return resources.files(__package__).joinpath(f"{key}.yaml").read_text(encoding="utf-8")


@functools.cache
def _load() -> tuple[StarterPack, ...]:
    packs = []
    for key, name, note in _PACKS:
        text = pack_text(key)
        packs.append(StarterPack(key, name, note, parse_rule_set(yaml.safe_load(text)), text))
    return tuple(packs)


def starter_packs() -> dict[str, StarterPack]:
    """Every starter pack by key, in the order above (read and checked once)."""
    return {pack.key: pack for pack in _load()}
