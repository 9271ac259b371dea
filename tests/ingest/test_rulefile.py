"""Rule files: YAML and JSON read with the line of every problem, written back for export."""

from __future__ import annotations

import json
import textwrap

import pytest

from mediadesk.domain.rule_packs import starter_packs
from mediadesk.domain.rules import RuleKind, RuleSet, parse_rule_set
from mediadesk.ingest.rulefile import (
    MAX_RULE_FILE_BYTES,
    RuleFileError,
    dump_rule_set,
    read_rule_file,
)
from mediadesk.ingest.safety import UnsafeFile

YAML = textwrap.dedent(
    """\
    # Brand rules for Contoso
    version: 1
    rules:
      - id: no-guarantees
        kind: prohibited
        words: [guaranteed, risk-free]
        replacement: designed to
        severity: blocking
      - kind: length
        field: headline
        max: 30
      - kind: required_text
        any_of: ["#ad", "Paid partnership"]
        within: 125
        severity: blocking
        when:
          sponsored: true
          markets: [US, EU]
    """
)


def refused(text: str, filename: str = "rules.yaml") -> RuleFileError:
    with pytest.raises(RuleFileError) as error:
        read_rule_file(text, filename)
    assert isinstance(error.value, UnsafeFile)
    return error.value


def test_a_yaml_rule_file_is_read() -> None:
    rule_set = read_rule_file(YAML, "contoso/rules.yaml")
    assert [rule.id for rule in rule_set.rules] == ["no-guarantees", "length-2", "required_text-3"]
    assert rule_set.rules[2].kind == RuleKind.REQUIRED_TEXT
    assert rule_set.rules[2].when is not None and rule_set.rules[2].when.markets == ("US", "EU")


def test_a_json_rule_file_is_read() -> None:
    text = json.dumps({"rules": [{"kind": "length", "field": "headline", "max": 30}]})
    assert read_rule_file("\ufeff" + text, "RULES.JSON").rules[0].id == "length-1"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_and_import_give_the_same_rule_set(fmt: str) -> None:
    for pack in starter_packs().values():
        text = dump_rule_set(pack.rule_set, fmt)
        assert read_rule_file(text, f"{pack.key}.{fmt}") == pack.rule_set
    note = "Norway: “quoted” — and #not a comment: yes"
    rule = {"kind": "required_text", "text": "NO", "when": {"markets": ["NO"]}, "note": note}
    tricky = parse_rule_set({"rules": [rule]})
    assert read_rule_file(dump_rule_set(tricky, fmt), f"x.{fmt}") == tricky


def test_the_shipped_yaml_of_a_pack_reads_as_its_rule_set() -> None:
    for pack in starter_packs().values():
        assert read_rule_file(pack.text, f"{pack.key}.yaml") == pack.rule_set


def test_dump_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match="'yaml' or 'json'"):
        dump_rule_set(RuleSet(), "xml")


# --- problems with their line ---------------------------------------------------------------


def test_an_unknown_key_is_refused_with_its_line() -> None:
    text = YAML.replace("    max: 30\n", "    max: 30\n    counitng: code_points\n")
    error = refused(text)
    assert str(error) == (
        "rules.yaml line 12: rules[1].counitng: unknown key 'counitng'; did you mean 'counting'?"
    )
    assert (error.line, error.path) == (12, "rules[1].counitng")


def test_a_wrong_type_is_refused_with_its_line() -> None:
    error = refused(YAML.replace("max: 30", 'max: "30"'))
    assert str(error) == (
        "rules.yaml line 11: rules[1].max: must be a whole number, not the text '30'"
    )
    error = refused(YAML.replace("markets: [US, EU]", "markets: [US, 7]"))
    assert str(error).startswith("rules.yaml line 18: rules[2].when.markets[1]: must be a text")


def test_an_invalid_pattern_is_refused_with_its_line_and_position() -> None:
    text = YAML.replace("words: [guaranteed, risk-free]", "pattern: 'free (money'")
    error = refused(text)
    assert str(error) == (
        "rules.yaml line 6: rules[0].pattern: missing ), unterminated subpattern at position 5 "
        "in 'free (money'"
    )


def test_a_missing_key_points_at_its_rule() -> None:
    error = refused(YAML.replace("    field: headline\n", ""))
    assert str(error) == (
        "rules.yaml line 9: rules[1].field: a length rule names its field (e.g. 'headline')"
    )


def test_json_problems_have_their_line() -> None:
    text = json.dumps(
        {"version": 1, "rules": [{"kind": "spec"}, {"kind": "length", "field": "headline",
                                                    "max": "30"}]},
        indent=2,
    )  # fmt: skip
    error = refused(text, "rules.json")
    assert (
        str(error) == "rules.json line 10: rules[1].max: must be a whole number, not the text '30'"
    )
    error = refused('{"rules": [\n  {"kind": "spec",}\n]}', "rules.json")
    assert str(error).startswith("rules.json line 2: not valid JSON: ")
    error = refused('{"rules": [],\n "rules": []}', "rules.json")
    assert str(error) == "rules.json line 2: the key 'rules' is given twice in one object"
    error = refused('{"rules": [{"kind": "spec", "extra": {"a": [1, {"b": 2}]}}]}', "r.json")
    assert str(error).startswith("r.json line 1: rules[0].extra: unknown key 'extra'")


def test_yaml_syntax_errors_duplicates_and_norway() -> None:
    error = refused("rules:\n  - kind: spec\n   bad: [\n")
    assert error.line is not None and str(error).startswith("rules.yaml line ")
    assert "not valid YAML" in str(error)
    error = refused("rules: []\nrules: []\n")
    assert str(error) == "rules.yaml line 2: the key 'rules' is given twice in one mapping"
    error = refused("rules:\n  - kind: required_text\n    text: Tak\n    when: {markets: [NO]}\n")
    assert str(error) == (
        "rules.yaml line 4: rules[0].when.markets[0]: must be a text, not false (YAML reads an "
        'unquoted NO as true or false: write "NO" in quotes)'
    )


def test_anchors_and_alias_bombs_are_refused() -> None:
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(9)
    )
    error = refused(laughs)
    assert str(error) == (
        "rules.yaml line 2: aliases (*a) are not accepted in rule files: write the value out"
    )
    merge = "base: &base {kind: spec}\nrules:\n  - <<: *base\n"
    assert "not accepted" in str(refused(merge))


def test_other_unsafe_or_odd_yaml_is_refused() -> None:
    assert "not valid YAML" in str(refused("rules: []\n---\nrules: []\n"))
    assert "not valid YAML" in str(refused("rules: !!python/object:os.system {}\n"))
    assert "must be a list" in str(refused("rules: !!binary aGVsbG8=\n"))
    assert "empty" in str(refused("# nothing here\n"))
    assert "nested too deeply" in str(refused("- " * 100_000 + "x"))
    assert "nested too deeply" in str(refused("[" * 60_000 + "]" * 60_000))
    assert "nested too deeply" in str(refused("[" * 100_000 + "]" * 100_000, "deep.json"))


def test_size_and_extension_are_checked_first() -> None:
    big = "rules: []\n" + "#" * MAX_RULE_FILE_BYTES
    assert str(refused(big)) == "rules.yaml: the file is larger than 1 MB"
    assert str(refused("rules: []", "C:\\rules\\rules.txt")) == (
        "rules.txt: a rule file is .yaml, .yml or .json"
    )
    assert "empty" in str(refused("   \n", "rules.yml"))
