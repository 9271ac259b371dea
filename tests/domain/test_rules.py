"""The compliance rules engine: the rule format, the checks, spans in any script, bad input."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediadesk.domain.rule_packs import NOT_LEGAL_ADVICE, starter_packs
from mediadesk.domain.rules import (
    MAX_FINDINGS_PER_TEXT,
    MAX_PATTERN_CHARS,
    MAX_RULES,
    CompiledRules,
    Finding,
    RuleError,
    RuleKind,
    RuleSet,
    Severity,
    Subject,
    Targeting,
    _Text,
    check,
    cut_index,
    fold,
    has_blocking,
    market_matches,
    parse_rule_set,
    parse_targeting,
    rule_set_data,
)
from mediadesk.domain.specs import Counting, count_characters


def rules(*items: dict[str, Any]) -> RuleSet:
    return parse_rule_set({"rules": list(items)})


def findings(rule_set: RuleSet | dict[str, Any], **subject: Any) -> list[Finding]:
    if isinstance(rule_set, dict):
        rule_set = rules(rule_set)
    return check(rule_set, Subject(**subject))


def refused(data: Any) -> RuleError:
    with pytest.raises(RuleError) as error:
        parse_rule_set(data)
    return error.value


def spans(found: list[Finding], text: str) -> list[str]:
    return [text[f.start : f.end] for f in found if f.start is not None and f.end is not None]


# --- the rule format ------------------------------------------------------------------------


def test_defaults_and_round_trip() -> None:
    rule_set = rules(
        {"kind": "length", "field": "Headline", "max": 30},
        {"kind": "prohibited", "words": ["guaranteed"], "severity": "blocking", "id": "no-g"},
        {"kind": "required_text", "text": "#ad", "within": 125, "when": {"sponsored": True}},
    )
    first, second, third = rule_set.rules
    assert rule_set.version == 1
    assert (first.id, first.kind, first.severity, first.field) == (
        "length-1",
        RuleKind.LENGTH,
        Severity.WARNING,
        "headline",
    )
    assert second.id == "no-g" and second.field is None
    assert third.when is not None and third.when.sponsored is True
    data = rule_set_data(rule_set)
    assert data["rules"][0] == {
        "id": "length-1",
        "kind": "length",
        "severity": "warning",
        "field": "headline",
        "max": 30,
    }
    assert parse_rule_set(data) == rule_set
    assert rule_set_data(parse_rule_set(data)) == data


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ([], "", "must be an object"),
        ({"rules": [], "name": "x"}, "name", "unknown key 'name'"),
        ({"version": 2, "rules": []}, "version", "reads version 1"),
        ({"version": "1", "rules": []}, "version", "whole number"),
        ({}, "rules", "needs a 'rules' list"),
        ({"rules": {"kind": "length"}}, "rules", "must be a list"),
        ({"rules": ["length"]}, "rules[0]", "must be an object"),
        ({"rules": [{"field": "headline"}]}, "rules[0]", "needs a 'kind'"),
        ({"rules": [{"kind": "lenght"}]}, "rules[0].kind", "did you mean 'length'"),
        (
            {"rules": [{"kind": "prohibited", "patern": "x"}]},
            "rules[0].patern",
            "unknown key 'patern'; did you mean 'pattern'",
        ),
        ({"rules": [{"kind": "length", "field": "headline", "max": "30"}]}, "rules[0].max",
         "must be a whole number, not the text '30'"),
        ({"rules": [{"kind": "length", "field": "headline", "max": True}]}, "rules[0].max",
         "whole number, not true"),
        ({"rules": [{"kind": "length", "field": "headline", "max": 30.5}]}, "rules[0].max",
         "whole number"),
        ({"rules": [{"kind": "length", "field": "headline", "max": 0}]}, "rules[0].max",
         "from 1"),
        ({"rules": [{"kind": "length", "max": 30}]}, "rules[0].field", "names its field"),
        ({"rules": [{"kind": "length", "field": "headlines", "max": 30}]}, "rules[0].field",
         "did you mean 'headline'"),
        ({"rules": [{"kind": "length", "field": "headline"}]}, "rules[0]", "needs 'max'"),
        ({"rules": [{"kind": "length", "field": "headline", "max": 3, "min": 5}]},
         "rules[0].min", "above the maximum"),
        ({"rules": [{"kind": "length", "field": "path", "max": 3, "counting": "bytes"}]},
         "rules[0].counting", "unknown counting"),
        ({"rules": [{"kind": "prohibited", "words": "free"}]}, "rules[0].words",
         "must be a list of texts"),
        ({"rules": [{"kind": "prohibited", "words": []}]}, "rules[0].words", "empty list"),
        ({"rules": [{"kind": "prohibited", "words": ["ok", 3]}]}, "rules[0].words[1]",
         "must be a text"),
        ({"rules": [{"kind": "prohibited", "words": ["\u0301"]}]}, "rules[0].words[0]",
         "nothing left to match"),
        ({"rules": [{"kind": "prohibited"}]}, "rules[0]", "neither"),
        ({"rules": [{"kind": "prohibited", "words": ["a"], "pattern": "a"}]}, "rules[0]",
         "both"),
        ({"rules": [{"kind": "required_text", "text": ""}]}, "rules[0].text", "empty"),
        ({"rules": [{"kind": "required_text", "text": "x", "severity": "high"}]},
         "rules[0].severity", "unknown severity"),
        ({"rules": [{"kind": "required_text", "text": "x", "when": {}}]}, "rules[0].when",
         "names no condition"),
        ({"rules": [{"kind": "required_text", "text": "x", "when": {"market": ["US"]}}]},
         "rules[0].when.market", "did you mean 'markets'"),
        ({"rules": [{"kind": "required_text", "text": "x", "when": {"markets": "US"}}]},
         "rules[0].when.markets", "list of texts"),
        ({"rules": [{"kind": "required_text", "text": "x", "when": {"markets": ["USA"]}}]},
         "rules[0].when.markets[0]", "not a market"),
        ({"rules": [{"kind": "required_text", "text": "x", "when": {"channels": ["tv"]}}]},
         "rules[0].when.channels[0]", "unknown channel"),
        ({"rules": [{"kind": "required_text", "text": "x",
                     "when": {"categories": ["alchohol"]}}]},
         "rules[0].when.categories[0]", "did you mean 'alcohol'"),
        ({"rules": [{"kind": "required_text", "text": "x", "when": {"sponsored": "yes"}}]},
         "rules[0].when.sponsored", "true or false"),
        ({"rules": [{"kind": "url"}]}, "rules[0]", "needs https_only"),
        ({"rules": [{"kind": "url", "allowed_domains": ["https://x.com/"]}]},
         "rules[0].allowed_domains[0]", "not a domain"),
        ({"rules": [{"kind": "targeting", "banned": True}]}, "rules[0].banned", "needs a 'when'"),
        ({"rules": [{"kind": "targeting", "reminder": True, "when": {"markets": ["GB"]}}]},
         "rules[0].reminder", "needs the 'message'"),
        ({"rules": [{"kind": "targeting", "min_age": 21, "field": "headline"}]},
         "rules[0].field", "reads no copy field"),
        ({"rules": [{"kind": "targeting", "if_unknown": "info"}]}, "rules[0].if_unknown",
         "only goes with min_age"),
        ({"rules": [{"kind": "spec", "severity_from_spec": 1}]}, "rules[0].severity_from_spec",
         "true or false"),
        ({"rules": [{"kind": "spec", "id": "has space"}]}, "rules[0].id", "is not an id"),
        ({"rules": [{"kind": "spec", "id": "a"}, {"kind": "spec", "id": "a"}]}, "rules[1].id",
         "already the id of rules[0]"),
        ({"rules": [{"kind": "spec", "id": "spec-2"}, {"kind": "spec"}]}, "rules[1]",
         "already the id of rules[0]"),
    ],
)  # fmt: skip
def test_wrong_rule_sets_are_refused_with_the_path(data: Any, path: str, words: str) -> None:
    error = refused(data)
    assert error.path == path
    assert words in error.message
    assert str(error) == error.message
    if path:
        assert error.message.startswith(f"{path}: ")


def test_the_number_of_rules_is_capped() -> None:
    error = refused({"rules": [{"kind": "spec"}] * (MAX_RULES + 1)})
    assert error.path == "rules" and f"at most {MAX_RULES:,}" in error.message


# --- patterns: invalid, unsupported, catastrophic -----------------------------------------


def test_an_invalid_pattern_is_refused_with_its_position() -> None:
    error = refused({"rules": [{"kind": "spec"}, {"kind": "prohibited", "pattern": "free (money"}]})
    assert error.path == "rules[1].pattern"
    assert error.message == (
        "rules[1].pattern: missing ), unterminated subpattern at position 5 in 'free (money'"
    )
    assert "position 0" in refused(rules_with_pattern("[a-")).message


def rules_with_pattern(pattern: str) -> dict[str, Any]:
    return {"rules": [{"kind": "prohibited", "pattern": pattern}]}


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a)\1", r"a backreference (\1) at position 3"),
        (r"(?P<w>a)(?P=w)", "a named backreference (?P=…) at position 8"),
        ("guaranteed(?= returns)", "a lookahead (?=…) at position 10"),
        ("(?<!not )guaranteed", "a negative lookbehind (?<!…) at position 0"),
        ("a++", "a possessive quantifier (++) at position 1"),
        ("(?>a+)b", "an atomic group"),
        ("x{1001}", "more than 1,000 times"),
    ],
)
def test_what_re2_cannot_run_is_refused_with_the_reason(pattern: str, words: str) -> None:
    error = refused(rules_with_pattern(pattern))
    assert error.path == "rules[0].pattern"
    assert words in error.message
    if "backreference" in words or "look" in words:
        assert "linear-time engine (re2)" in error.message


def test_patterns_that_match_nothing_or_are_too_long_are_refused() -> None:
    assert "matches an empty text" in refused(rules_with_pattern("x*")).message
    assert "matches an empty text" in refused(rules_with_pattern("free|")).message
    assert "empty" in refused(rules_with_pattern("  ")).message
    too_long = "a" * (MAX_PATTERN_CHARS + 1)
    assert f"at most {MAX_PATTERN_CHARS:,}" in refused(rules_with_pattern(too_long)).message
    assert "must be a text" in refused(rules_with_pattern(7)).message  # type: ignore[arg-type]


def test_catastrophic_patterns_run_in_linear_time() -> None:
    rule_set = rules(
        {"kind": "prohibited", "pattern": "(a+)+$", "id": "nested"},
        {"kind": "prohibited", "pattern": "(x+x+)+y", "id": "doubled"},
        {"kind": "prohibited", "pattern": "(.*a){12}", "id": "dotstar"},
    )
    compiled = CompiledRules(rule_set)
    assert compiled.check(Subject(fields={"text": ["x" * 50_000]})) == []
    found = compiled.check(Subject(fields={"text": ["a" * 50_000 + "!"]}))
    assert [(f.rule, f.start, f.end) for f in found] == [("dotstar", 0, 50_000)]
    found = compiled.check(Subject(fields={"text": ["xa" * 11 + "x" * 50_000 + "y"]}))
    assert [(f.rule, f.start, f.end) for f in found] == [("doubled", 22, 50_023)]


def test_a_pattern_is_matched_without_case_and_accents() -> None:
    rule = {"kind": "prohibited", "pattern": r"garanti[e]\w*", "severity": "blocking"}
    text = "Qualité GARANTIÉE à vie"
    found = findings(rule, fields={"text": [text]})
    assert spans(found, text) == ["GARANTIÉE"]
    assert found[0].message == "“GARANTIÉE” is not allowed"
    text = "Die Straße ist garantiert frei"
    found = findings({"kind": "prohibited", "pattern": "stra(ss|ß)e"}, fields={"text": [text]})
    assert spans(found, text) == ["Straße"]
    hebrew = {"kind": "prohibited", "pattern": r"\p{Hebrew}+ חינם"}
    text = "מבצע: מוצר חינם!"
    assert spans(findings(hebrew, fields={"text": [text]}), text) == ["מוצר חינם"]


# --- length ---------------------------------------------------------------------------------


def test_a_31_character_headline_against_30_gets_the_span_beyond_the_limit() -> None:
    rule = {"kind": "length", "field": "headline", "max": 30, "severity": "warning"}
    headline = "Fresh fish and chips every day"  # 30
    long = headline + "!"
    [finding] = findings(rule, fields={"headline": [long]})
    assert (finding.field, finding.item, finding.start, finding.end) == ("headline", 0, 30, 31)
    assert finding.severity is Severity.WARNING
    assert finding.message == "headline is 31 characters, limit 30"
    found = findings(rule, fields={"headline": [headline, long]})
    assert [(f.item, f.start, f.end, f.message) for f in found] == [
        (1, 30, 31, "headline 2 is 31 characters, limit 30")
    ]
    assert findings(rule, fields={"description": [long]}) == []


def test_length_spans_are_in_the_text_as_given() -> None:
    rule = {"kind": "length", "field": "headline", "max": 30}
    decomposed = "e\u0301" * 31  # 31 characters once composed, 62 code points as given
    [finding] = findings(rule, fields={"headline": [decomposed]})
    assert (finding.start, finding.end) == (60, 62)
    assert finding.message == "headline is 31 characters, limit 30"
    emoji = "👍🏽" * 16  # 32 code points
    [finding] = findings(rule, fields={"headline": [emoji]})
    assert (finding.start, finding.end) == (30, 32)
    hebrew = "שלום עולם " * 4  # 40
    [finding] = findings(rule, fields={"headline": [hebrew]})
    assert (finding.start, finding.end) == (30, 40)
    path = {"kind": "length", "field": "path", "max": 15, "counting": "double_width"}
    [finding] = findings(path, fields={"path": ["日本語日本語日本語"]})  # 18 wide
    assert (finding.start, finding.end) == (7, 9)
    assert finding.message == "path is 18 characters, limit 15"


def test_length_minimum_items_and_x_links() -> None:
    rule = {"kind": "length", "field": "ad description", "min": 12, "max": 100}
    [finding] = findings(rule, fields={"ad description": ["Too short"]})
    assert finding.message == "ad description is 9 characters, minimum 12"
    assert finding.start is None
    items = {"kind": "length", "field": "headline", "max_items": 2}
    [finding] = findings(items, fields={"headline": ["a", "b", "c"]})
    assert (finding.message, finding.item) == ("3 headlines, at most 2", 2)
    post = {"kind": "length", "field": "post", "max": 30, "counting": "x_post"}
    text = "Read it: https://example.com/" + "x" * 100  # 9 + 23 = 32
    [finding] = findings(post, fields={"post": [text]})
    assert finding.message == "post is 32 characters, limit 30"
    assert (finding.start, finding.end) == (9, len(text))  # the link is what goes over
    custom = {"kind": "length", "field": "headline", "max": 5,
              "message": "{item} is {length} long; keep it to {limit}"}  # fmt: skip
    [finding] = findings(custom, fields={"headline": ["123456"]})
    assert finding.message == "headline is 6 long; keep it to 5"


# --- required text --------------------------------------------------------------------------

DISCLOSURE = {
    "kind": "required_text",
    "any_of": ["#ad", "Paid partnership", "Anzeige"],
    "within": 125,
    "severity": "blocking",
    "when": {"sponsored": True},
}


def test_a_sponsored_post_without_a_disclosure_gets_a_blocking_finding() -> None:
    caption = "Loving my new running shoes from @brand! Use code RUN10."
    [finding] = findings(DISCLOSURE, fields={"text": [caption]}, sponsored=True)
    assert finding.severity is Severity.BLOCKING
    assert has_blocking([finding])
    assert finding.message == (
        "Required text is missing: add “#ad”, “Paid partnership” or “Anzeige”, within the "
        "first 125 characters"
    )
    assert (finding.field, finding.item, finding.start, finding.end) == ("text", 0, 0, 56)
    assert findings(DISCLOSURE, fields={"text": [caption]}, sponsored=False) == []
    assert findings(DISCLOSURE, fields={"text": ["#ad " + caption]}, sponsored=True) == []
    assert findings(DISCLOSURE, fields={"text": [caption + " #AD"]}, sponsored=True) == []
    german = "ANZEIGE · Meine neuen Laufschuhe"
    assert findings(DISCLOSURE, fields={"text": [german]}, sponsored=True) == []


def test_a_disclosure_must_be_a_word_and_come_early() -> None:
    fake = "Join the #adventure with @brand"
    assert len(findings(DISCLOSURE, fields={"text": [fake]}, sponsored=True)) == 1
    late = "😀 " + "x" * 130 + " #ad"
    [finding] = findings(DISCLOSURE, fields={"text": [late]}, sponsored=True)
    assert late[finding.start : finding.end] == "#ad"  # type: ignore[misc]
    assert finding.message == (
        "“#ad” comes at character 134 of the text; move it into the first 125 characters"
    )
    several = findings(DISCLOSURE, fields={"headline": ["a"], "text": ["b"]}, sponsored=True)
    assert [(f.field, f.start) for f in several] == [(None, None)]
    assert findings(DISCLOSURE, fields={"final url": ["https://x.com/#ad"]}, sponsored=True) == []
    assert findings(DISCLOSURE, fields={}, sponsored=True) == []


def test_required_text_ignores_case_accents_and_typographic_quotes() -> None:
    rule = {"kind": "required_text", "text": "Don't invest unless you're prepared to lose"}
    text = "DON’T INVEST UNLESS YOU’RE PREPARED TO LOSE all the money you invest."
    assert findings(rule, fields={"primary text": [text]}) == []
    evin = {"kind": "required_text", "text": "L'abus d'alcool est dangereux pour la santé"}
    assert findings(evin, fields={"text": ["L’ABUS D’ALCOOL EST DANGEREUX POUR LA SANTE"]}) == []
    in_field = {"kind": "required_text", "text": "Terms apply", "field": "description"}
    [finding] = findings(in_field, fields={"headline": ["Terms apply"], "description": ["x"]})
    assert finding.message == "Required text is missing: add “Terms apply” to the description"
    assert findings(in_field, fields={"headline": ["no description field"]}) == []


# --- prohibited -----------------------------------------------------------------------------

GUARANTEED = {
    "kind": "prohibited",
    "words": ["guaranteed", "garantiert", "risk-free", "free"],
    "replacement": "designed to",
    "severity": "blocking",
}


def test_prohibited_words_on_word_boundaries_with_the_replacement() -> None:
    text = "Guaranteed results, carefree and risk–free. FREE!"
    found = findings(GUARANTEED, fields={"headline": [text]})
    assert spans(found, text) == ["Guaranteed", "risk–free", "FREE"]
    assert found[0].message == "“Guaranteed” is not allowed; say “designed to” instead"
    assert [f.item for f in found] == [0, 0, 0]


@pytest.mark.parametrize(
    "text",
    [
        "😀😀 e\u0301\u0301 GARANTIERT",  # emoji, then combining accents before the word
        "ﬁ ß 👍🏽 Garantiert",  # characters that fold to two (ﬁ, ß) before it
        "שָׁלוֹם עֲלֵיכֶם garantiert",  # Hebrew with vowel points (combining marks)
        "مَرْحَبًا بِكُمْ Garantiert",  # Arabic with harakat (combining marks)
        "\u202eGarantiert\u202c",  # right-to-left override around it
        "Ga\u0301rantiert",  # an accent inside the word itself
    ],
)
def test_spans_are_right_after_emoji_accents_and_rtl_text(text: str) -> None:
    [finding] = findings(GUARANTEED, fields={"text": [text]})
    found = text[finding.start : finding.end]  # type: ignore[misc]
    assert fold(found) == "garantiert"
    assert unicodedata.normalize("NFC", found).casefold().replace("á", "a") == "garantiert"


def test_words_in_right_to_left_scripts() -> None:
    hebrew = {"kind": "prohibited", "words": ["חינם"]}
    text = "מבצע חִינָּם היום"
    assert spans(findings(hebrew, fields={"text": [text]}), text) == ["חִינָּם"]
    arabic = {"kind": "prohibited", "words": ["مجاني"]}
    text = "عرض مَجّانِي اليوم"
    assert spans(findings(arabic, fields={"text": [text]}), text) == ["مَجّانِي"]


def test_overlapping_words_give_one_finding_and_a_custom_message() -> None:
    rule = {"kind": "prohibited", "words": ["free", "risk free"],
            "message": "Do not say {match}"}  # fmt: skip
    text = "It is risk free"
    found = findings(rule, fields={"text": [text]})
    assert [(f.message, f.start) for f in found] == [("Do not say risk free", 6)]


def test_prohibited_rules_read_text_fields_not_urls_unless_named() -> None:
    text = "https://shop.example/free-trial"
    assert findings(GUARANTEED, fields={"final url": [text]}) == []
    named = dict(GUARANTEED, field="final url")
    assert spans(findings(named, fields={"final url": [text]}), text) == ["free"]
    assert findings(named, fields={"text": ["free"]}) == []


def test_a_megabyte_of_text_is_checked_and_capped() -> None:
    body = ("Qualite\u0301 supe\u0301rieure, cafe\u0301 😀 שָׁלוֹם " * 40_000)[:1_000_000]
    text = body + " garantiert"
    rule_set = rules(
        GUARANTEED,
        {"kind": "prohibited", "pattern": r"(\w+\s?)+\d", "id": "backtracker"},
        DISCLOSURE,
        {"kind": "length", "field": "text", "max": 2200},
        {"kind": "url", "https_only": True},
    )
    found = check(rule_set, Subject(fields={"text": [text]}, sponsored=True))
    by_rule = {f.rule: f for f in found}
    assert set(by_rule) == {"prohibited-1", "required_text-3", "length-4"}
    word = by_rule["prohibited-1"]
    assert text[word.start : word.end] == "garantiert"  # type: ignore[misc]
    assert by_rule["length-4"].end == len(text)
    flood = check(rules(GUARANTEED), Subject(fields={"text": ["free " * 10_000]}))
    assert len(flood) == MAX_FINDINGS_PER_TEXT


# --- URLs -----------------------------------------------------------------------------------


def test_url_rules() -> None:
    rule = {
        "kind": "url",
        "https_only": True,
        "no_shorteners": True,
        "allowed_domains": ["shop.example"],
        "required_params": ["utm_source", "utm_medium"],
    }
    good = "https://www.shop.example/fish?utm_source=meta&utm_medium=paid"
    assert findings(rule, fields={"final url": [good]}) == []
    found = findings(rule, fields={"final url": ["http://bit.ly/abc?utm_source="]})
    assert [f.message for f in found] == [
        "“http://bit.ly/abc?utm_source=” is not https; use the https:// address",
        "“http://bit.ly/abc?utm_source=” is a shortened link (bit.ly); use the full address",
        "bit.ly is not an allowed landing domain; use “shop.example”",
        "“http://bit.ly/abc?utm_source=” lacks utm_source, utm_medium",
    ]
    text = (
        "Shop now (see www.shop.example/deals?utm_source=a&utm_medium=b). Or http://evil.example."
    )
    found = findings(rule, fields={"text": [text]})
    assert spans(found, text) == ["http://evil.example"] * 3
    assert "https://" not in text[found[0].end :]  # type: ignore[misc]
    bare = findings({"kind": "url", "https_only": True}, fields={"final url": ["shop.example"]})
    assert [f.message for f in bare] == ["“shop.example” does not start with https://"]
    broken = findings({"kind": "url", "https_only": True}, fields={"final url": ["https://[x"]})
    assert [f.message for f in broken] == ["“https://[x” is not a valid URL"]


# --- targeting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A18-49", Targeting(18, 49)),
        ("Adults 25-54", Targeting(25, 54)),
        ("W25–54, M18-34", Targeting(18, 54)),
        ("18+", Targeting(18, None)),
        ("13-17", Targeting(13, 17)),
        ("P2+", Targeting(2, None)),
        ("Adults 21 and over", Targeting(21, None)),
        ("Ages 21+; interests: wine, food & drink", Targeting(21, None, ("wine", "food & drink"))),
        ("interests: health, beauty; exclude: religion", Targeting(None, None, ("health", "beauty"),
                                                                   ("religion",))),
        ("Top 10 DMAs, 3 spots per day", Targeting()),
        ("", Targeting()),
    ],
)  # fmt: skip
def test_parse_targeting(text: str, expected: Targeting) -> None:
    assert parse_targeting(text) == expected


def test_targeting_values_are_checked() -> None:
    with pytest.raises(TypeError):
        Targeting(min_age="18")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="swapped"):
        Targeting(min_age=50, max_age=18)
    assert Targeting(interests=["a"]).interests == ("a",)  # type: ignore[arg-type]


def test_age_and_interest_rules() -> None:
    rule = {"kind": "targeting", "min_age": 21, "severity": "blocking",
            "when": {"categories": ["alcohol"]}}  # fmt: skip
    young = parse_targeting("A18-49")
    [finding] = findings(rule, targeting=young, categories=("alcohol",))
    assert (
        finding.message
        == "the targeting starts at age 18; it must start at 21 or older for alcohol"
    )
    assert (finding.severity, finding.field) == (Severity.BLOCKING, "targeting")
    assert findings(rule, targeting=young, categories=("gambling",)) == []
    assert findings(rule, targeting=parse_targeting("A21+"), categories=("alcohol",)) == []
    assert findings(rule, categories=("alcohol",)) == []  # copy: no targeting to check
    [unknown] = findings(rule, targeting=parse_targeting("HH"), categories=("alcohol",))
    assert unknown.severity is Severity.WARNING and "states no age" in unknown.message
    ignore = dict(rule, if_unknown="ignore")
    assert findings(ignore, targeting=Targeting(), categories=("alcohol",)) == []
    sensitive = {"kind": "targeting", "no_interests": ["health", "sexual orientation"],
                 "when": {"markets": ["EU"]}}  # fmt: skip
    targeting = parse_targeting("interests: Health & Fitness, healthy-ish snacks, cars")
    [finding] = findings(sensitive, targeting=targeting, market="DE")
    assert finding.message == (
        "the targeting uses the interest “Health & Fitness”, a sensitive category (health) "
        "that must not be targeted in EU"
    )
    assert findings(sensitive, targeting=targeting, market="US") == []


def test_banned_and_reminders() -> None:
    when = {"markets": ["FR"], "categories": ["alcohol"], "channels": ["linear_tv"]}
    evin = {"kind": "targeting", "banned": True, "severity": "blocking", "when": when}
    [finding] = findings(evin, market="FR", channel="linear_tv", categories=("alcohol",))
    assert finding.message == "Alcohol advertising is banned on linear TV in FR"
    assert findings(evin, market="FR", channel="radio", categories=("alcohol",)) == []
    assert findings(evin, market="DE", channel="linear_tv", categories=("alcohol",)) == []
    reminder = {"kind": "targeting", "reminder": True, "severity": "info",
                "message": "People shown drinking must be and look 25+",
                "when": {"categories": ["alcohol"]}}  # fmt: skip
    [finding] = findings(reminder, categories=("alcohol",), fields={"text": ["x"]})
    assert (finding.severity, finding.message) == (Severity.INFO, reminder["message"])


def test_when_conditions() -> None:
    assert market_matches("US-CA", ["US"]) and market_matches("us-ca", ["US-CA"])
    assert not market_matches("US", ["US-CA"])
    assert market_matches("DE", ["EU"]) and not market_matches("GB", ["EU"])
    assert market_matches("NO", ["EEA"]) and not market_matches("NO", ["EU"])
    assert market_matches("UK", ["GB"]) and not market_matches("", ["GB"])
    rule = {"kind": "required_text", "text": "#ad",
            "when": {"platforms": ["meta"], "sponsored": False}}  # fmt: skip
    assert len(findings(rule, fields={"text": ["x"]}, platform="meta")) == 1
    assert findings(rule, fields={"text": ["x"]}, platform="tiktok") == []
    assert findings(rule, fields={"text": ["x"]}, platform="meta", sponsored=True) == []


# --- spec findings, order, convenience -------------------------------------------------------


def test_spec_findings_pass_through() -> None:
    spec_findings = [
        {"spec": "Google RSA", "severity": "blocking", "field": "headline 2",
         "message": "headline 2 is 34 characters, limit 30"},
        {"spec": "300x250", "severity": "warning", "field": "weight", "message": "too heavy"},
    ]  # fmt: skip
    found = findings({"kind": "spec"}, spec_findings=spec_findings)
    assert [(f.severity, f.field, f.message) for f in found] == [
        (Severity.BLOCKING, "headline 2", "Google RSA: headline 2 is 34 characters, limit 30"),
        (Severity.WARNING, "weight", "300x250: too heavy"),
    ]
    mapped = findings({"kind": "spec", "severity": "info", "severity_from_spec": False},
                      spec_findings=spec_findings)  # fmt: skip
    assert {f.severity for f in mapped} == {Severity.INFO}


def test_findings_are_sorted_by_field_item_and_position() -> None:
    rule_set = rules(GUARANTEED, {"kind": "length", "field": "headline", "max": 5}, DISCLOSURE)
    subject = Subject(
        fields={"text": ["free and free"], "Headline": ["free stuff", "ok"]}, sponsored=True
    )
    found = CompiledRules(rule_set).check(subject)
    assert [(f.field, f.item, f.start) for f in found] == [
        (None, None, None),
        ("headline", 0, 0),
        ("headline", 0, 5),
        ("text", 0, 0),
        ("text", 0, 9),
    ]
    assert check(rule_set, subject) == found
    assert check(rules(GUARANTEED), Subject(fields={"text": "free"})) != []  # a bare string


# --- starter packs --------------------------------------------------------------------------


def test_starter_packs_load_and_are_marked_as_not_legal_advice() -> None:
    packs = starter_packs()
    assert list(packs) == ["us", "eu_uk", "platform_lengths"]
    for key in ("us", "eu_uk"):
        pack = packs[key]
        assert pack.note == NOT_LEGAL_ADVICE
        assert "NOT LEGAL ADVICE" in pack.text.split("version:")[0]
        assert all(NOT_LEGAL_ADVICE in rule.note for rule in pack.rule_set.rules), key
        assert parse_rule_set(pack.rules) == pack.rule_set
    assert all(rule.note for rule in packs["platform_lengths"].rule_set.rules)
    assert len({rule.id for pack in packs.values() for rule in pack.rule_set.rules}) == sum(
        len(pack.rule_set.rules) for pack in packs.values()
    )


def test_starter_packs_find_what_they_are_for() -> None:
    packs = starter_packs()
    us = CompiledRules(packs["us"].rule_set)
    post = Subject(fields={"text": ["Love these shoes! #sp"]}, market="US", channel="influencer",
                   sponsored=True)  # fmt: skip
    assert {f.rule for f in us.check(post)} == {"us-ftc-disclosure", "us-ftc-ambiguous-tags"}
    beer = Subject(fields={}, market="US", channel="social", categories=("alcohol",),
                   targeting=parse_targeting("A18-34"))  # fmt: skip
    assert [f.rule for f in us.check(beer)] == ["us-alcohol-age"]
    eu = CompiledRules(packs["eu_uk"].rule_set)
    tv = Subject(fields={}, market="FR", channel="linear_tv", categories=("alcohol",),
                 targeting=parse_targeting("Adultes 25-49"))  # fmt: skip
    assert [f.rule for f in eu.check(tv)] == ["fr-loi-evin-tv-cinema"]
    gdpr = Subject(fields={}, market="DE", channel="display",
                   targeting=parse_targeting("18+; interests: religion, cars"))  # fmt: skip
    assert [f.rule for f in eu.check(gdpr)] == ["eu-uk-gdpr-sensitive-interests"]
    lengths = CompiledRules(packs["platform_lengths"].rule_set)
    rsa = Subject(fields={"headline": ["x" * 31], "path": ["日本語日本語日本語"]},
                  platform="google_ads")  # fmt: skip
    assert [(f.rule, f.start, f.end) for f in lengths.check(rsa)] == [
        ("google-rsa-headline", 30, 31),
        ("google-rsa-path", 7, 9),
    ]
    tiktok = Subject(fields={"ad description": ["Summer sale 🎉 #deals today"]}, platform="tiktok")
    assert [f.message for f in lengths.check(tiktok)] == [
        "TikTok ad descriptions take no emoji, braces or # (found “🎉”)",
        "TikTok ad descriptions take no emoji, braces or # (found “#”)",
    ]


# --- properties -----------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    [*"abcXYZ 09.,!-", "é", "e\u0301", "\u0301", "ß", "ﬁ", "İ", "😀", "👍🏽", "❤️", "ש", "\u05b8",
     "ל", "م", "\u064e", "ج", "日", "\u200d", "\u202e"]
)  # fmt: skip
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_the_fold_map_is_monotonic_and_inside_the_text(text: str) -> None:
    folded = _Text(text)
    starts, ends = folded._map()
    assert len(starts) == len(folded.folded) == len(ends)
    assert list(starts) == sorted(starts)
    assert list(ends) == sorted(ends)
    assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends, strict=True))


@settings(max_examples=150, deadline=None)
@given(TEXTS, TEXTS, st.sampled_from(["free", "garantie", "ß", "schön"]))
def test_a_word_found_is_always_that_word_inside_the_text(
    before: str, after: str, word: str
) -> None:
    text = f"{before} {word} {after}"
    for finding in findings({"kind": "prohibited", "words": [word]}, fields={"text": [text]}):
        assert finding.start is not None and finding.end is not None
        assert 0 <= finding.start < finding.end <= len(text)
        assert fold(word) in fold(text[finding.start : finding.end])


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=30), st.sampled_from(list(Counting)))
def test_the_cut_of_a_length_finding_keeps_the_limit(
    text: str, limit: int, counting: Counting
) -> None:
    cut = cut_index(text, limit, counting)
    assert 0 <= cut <= len(text)
    assert count_characters(text[:cut], counting) <= limit
    if count_characters(text, counting) > limit:
        assert cut < len(text)
