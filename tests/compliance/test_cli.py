"""mediadesk compliance check / export / import, with real CSV, XLSX and rule files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from mediadesk.accounts.models import User
from mediadesk.audit.models import AuditEvent
from mediadesk.cli import main
from mediadesk.compliance import services
from mediadesk.compliance.models import RuleSet

RULES = {
    "version": 1,
    "rules": [
        {"id": "headline-30", "kind": "length", "field": "headline", "max": 30,
         "severity": "warning"},
        {"id": "disclosure", "kind": "required_text", "any_of": ["#ad", "Paid partnership"],
         "field": "text", "within": 125, "severity": "blocking", "when": {"sponsored": True}},
        {"id": "no-guarantee", "kind": "prohibited", "words": ["garantie", "guaranteed"],
         "replacement": "designed to", "severity": "blocking"},
        {"id": "tiktok-only", "kind": "prohibited", "words": ["swipe"], "severity": "info",
         "when": {"channels": ["social"]}},
    ],
}  # fmt: skip
LONG = "Northwind Autumn Roast is here!"  # 31 characters


@pytest.fixture(autouse=True)
def fresh_compiled_rules() -> None:
    """Rolled-back tests reuse rule set ids: rules compiled for another test's set with the
    same id and revision must not be used."""
    services._COMPILED.clear()


@pytest.fixture
def rule_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(RULES, sort_keys=False), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["compliance", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_csv_with_a_blocking_finding_exits_1_and_prints_each_finding(
    db: Any, tmp_path: Path, rule_file: Path, capsys: Any
) -> None:
    variants = tmp_path / "variants.csv"
    variants.write_text(
        "id,Headline 1,Headline 2,Text,Sponsored,Final URL\n"
        f"V1,Short one,{LONG},Cosy mornings,no,https://northwind.example\n"
        "V2,Fine,Also fine,Cosy mornings with @lena,yes,\n"
        "V3,Quality guaranteed,Fine,#ad Cosy mornings with @lena,yes,\n"
        "V4,All good,Really,Nothing to see,,\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", str(variants), "--rules", str(rule_file))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "row 2 (V1) headline 2 [30:31] warning: headline 2 is 31 characters, limit 30",
        "row 3 (V2) text 1 [0:24] blocking: Required text is missing: add “#ad” or "
        "“Paid partnership” to the text, within the first 125 characters",
        "row 4 (V3) headline 1 [8:18] blocking: “guaranteed” is not allowed; say “designed "
        "to” instead",
        "Checked 4 rows of variants.csv against rules.yaml: 2 blocking, 1 warning, 0 info; "
        "1 row without findings.",
    ]


def test_an_xlsx_with_warnings_only_exits_0_and_reads_channels_per_row(
    db: Any, tmp_path: Path, rule_file: Path, capsys: Any
) -> None:
    book = write_xlsx(
        tmp_path / "copy.xlsx",
        [
            ["ID", "headline", "Primary text", "Channel", "Sponsored"],
            [101, LONG, "Swipe up for the roast", "social", False],
            [102, "Short", "Swipe up for the roast", "search", None],
            [103, "Short", "Swipe for cosy mornings", "", True],
        ],
    )
    code, out, err = run(capsys, "check", str(book), "--rules", str(rule_file))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "row 2 (101) headline 1 [30:31] warning: headline is 31 characters, limit 30",
        "row 2 (101) primary text 1 [0:5] info: “Swipe” is not allowed",
        "Checked 3 rows of copy.xlsx against rules.yaml: 0 blocking, 1 warning, 1 info; "
        "2 rows without findings.",
    ]
    # --channel is the channel of rows that do not say theirs (row 3 says search).
    code, out, _ = run(capsys, "check", str(book), "--rules", str(rule_file), "--channel",
                       "social")  # fmt: skip
    assert code == 0
    assert [line.split(" info:")[0] for line in out.splitlines() if " info:" in line] == [
        "row 2 (101) primary text 1 [0:5]", "row 4 (103) primary text 1 [0:5]",
    ]  # fmt: skip


def test_a_windows_1252_semicolon_csv_and_a_one_column_file(
    db: Any, tmp_path: Path, rule_file: Path, capsys: Any
) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_bytes("Headline;Description\r\nCafé GARANTIÉ;Très bon\r\n".encode("cp1252"))
    code, out, _ = run(capsys, "check", str(excel), "--rules", str(rule_file))
    assert code == 1
    assert out.splitlines()[0] == (
        "row 2 headline 1 [5:13] blocking: “GARANTIÉ” is not allowed; say “designed to” instead"
    )
    posts = tmp_path / "posts.csv"
    posts.write_text("text\n#ad cosy mornings\ncosy mornings\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(posts), "--rules", str(rule_file), "--sponsored")
    assert code == 1
    assert out.splitlines()[0].startswith("row 3 text 1 [0:13] blocking: Required text")
    code, _, _ = run(capsys, "check", str(posts), "--rules", str(rule_file))
    assert code == 0  # not sponsored: no disclosure needed


def test_bad_input_exits_2_with_a_sentence_naming_the_file_row_and_column(
    db: Any, tmp_path: Path, rule_file: Path, capsys: Any
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("headline,text\nHi,Hello\n", encoding="utf-8")
    maybe = tmp_path / "maybe.csv"
    maybe.write_text("headline,sponsored\nHi,no\nHello,maybe\n", encoding="utf-8")
    no_copy = tmp_path / "ids.csv"
    no_copy.write_text("id,channel,market\n1,social,DE\n", encoding="utf-8")
    png = tmp_path / "image.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    bad_rules = tmp_path / "bad.yaml"
    bad_rules.write_text("rules:\n  - kind: length\n    field: headline\n    maxx: 30\n")
    cases = [
        (["check", str(tmp_path / "nope.csv"), "--rules", str(rule_file)], "There is no file"),
        (["check", str(good), "--rules", str(tmp_path / "nope.yaml")], "There is no rule file"),
        (["check", str(good), "--rules", str(bad_rules)],
         "bad.yaml line 4: rules[0].maxx: unknown key 'maxx'"),
        (["check", str(maybe), "--rules", str(rule_file)],
         "maybe.csv, row 3, column \"sponsored\": 'maybe' is not yes or no"),
        (["check", str(no_copy), "--rules", str(rule_file)],
         "ids.csv: the header row (row 1) names no copy field"),
        (["check", str(png), "--rules", str(rule_file)], "image.csv"),
        (["check", str(good), "--rules", "Northwind copy"], "Give --by EMAIL"),
        (["check", str(good), "--rules", "Northwind copy", "--by", "nobody@demo.test"],
         "No active person has the e-mail nobody@demo.test"),
    ]  # fmt: skip
    for argv, message in cases:
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert message in err, (argv, err)


def test_a_saved_rule_set_by_name_or_id_as_the_person_sees_it(
    demo: Any, tmp_path: Path, capsys: Any
) -> None:
    lea = User.objects.get(email="lea@demo.test")
    saved = services.save_rule_set(
        lea, organization=lea.organization, name="Northwind copy", rules=RULES,
        client=demo.northwind,
    )  # fmt: skip
    fabrikam = services.save_rule_set(
        demo.alice, organization=demo.alice.organization, name="Fabrikam copy", rules=RULES,
        client=demo.fabrikam,
    )  # fmt: skip
    variants = tmp_path / "v.csv"
    variants.write_text(f"headline\n{LONG}\n", encoding="utf-8")
    for given in ("northwind copy", str(saved.pk)):
        code, out, _ = run(capsys, "check", str(variants), "--rules", given, "--by",
                           "ben@demo.test")  # fmt: skip
        assert code == 0
        assert out.splitlines() == [
            "row 2 headline 1 [30:31] warning: headline is 31 characters, limit 30",
            f"Checked 1 row of v.csv against Northwind copy (rule set {saved.pk}, revision 1): "
            "0 blocking, 1 warning, 0 info; 0 rows without findings.",
        ]
    everyone = services.save_rule_set(
        demo.alice, organization=demo.alice.organization, name="Everyone", rules=RULES
    )
    # Another client's rule set, by name or id, does not exist for Ben; nor, for Dan (a client
    # reviewer), his own client's or one for every client.
    for given, who in (("Fabrikam copy", "ben"), (str(fabrikam.pk), "ben"),
                       ("Northwind copy", "dan"), (str(everyone.pk), "dan")):  # fmt: skip
        code, out, err = run(capsys, "check", str(variants), "--rules", given, "--by",
                             f"{who}@demo.test")  # fmt: skip
        assert (code, out) == (2, "")
        assert f"{who}@demo.test sees no rule set {given!r}" in err
    # Two sets of one name: the id is asked for.
    services.save_rule_set(
        lea, organization=lea.organization, name="Northwind copy", rules=RULES,
        client=demo.contoso,
    )  # fmt: skip
    code, _, err = run(capsys, "check", str(variants), "--rules", "Northwind copy", "--by",
                       "lea@demo.test")  # fmt: skip
    assert code == 2 and "Several rule sets are named 'Northwind copy'" in err


def test_export_and_import_a_rule_file(demo: Any, tmp_path: Path, capsys: Any) -> None:
    lea = User.objects.get(email="lea@demo.test")
    saved = services.save_rule_set(
        lea, organization=lea.organization, name="Northwind copy", rules=RULES,
        client=demo.northwind,
    )  # fmt: skip
    target = tmp_path / "northwind.json"
    code, out, _ = run(capsys, "export", "Northwind copy", "-o", str(target), "--by",
                       "ben@demo.test")  # fmt: skip
    assert code == 0
    assert out == f"Wrote Northwind copy (revision 1, 4 rules) to {target} as JSON.\n"
    assert json.loads(target.read_text(encoding="utf-8")) == saved.rules
    yaml_target = tmp_path / "northwind.yaml"
    assert run(capsys, "export", str(saved.pk), "-o", str(yaml_target), "--by",
               "ben@demo.test")[0] == 0  # fmt: skip
    assert yaml.safe_load(yaml_target.read_text(encoding="utf-8")) == saved.rules
    # Import: a new set for a client, then a new revision of it.
    code, out, _ = run(capsys, "import", str(yaml_target), "--by", "lea@demo.test", "--name",
                       "Contoso copy", "--client", "CTSO", "--market", "US")  # fmt: skip
    assert code == 0
    made = RuleSet.objects.get(name="Contoso copy")
    assert (made.client, made.markets, made.rules) == (demo.contoso, ["US"], saved.rules)
    assert out == (
        f"Saved Contoso copy (rule set {made.pk}, revision 1, 4 rules) for Contoso Mobile.\n"
    )
    smaller = tmp_path / "smaller.json"
    smaller.write_text(json.dumps({"rules": RULES["rules"][:1]}), encoding="utf-8")
    code, out, _ = run(capsys, "import", str(smaller), "--by", "lea@demo.test", "--rule-set",
                       str(made.pk))  # fmt: skip
    made.refresh_from_db()
    assert code == 0 and (made.revision, made.rule_count, made.name) == (2, 1, "Contoso copy")
    event = AuditEvent.objects.for_object(made).latest("pk")
    assert (event.actor, event.via) == (lea, "cli")
    # A coordinator may not keep rule sets: nothing changed, exit 1.
    with pytest.raises(SystemExit, match="Nothing changed"):
        main(["compliance", "import", str(smaller), "--by", "ben@demo.test", "--client", "NWND"])
    # A bad file: exit 2 with the line, nothing saved.
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": [\n  {"kind": "length", "field": "headline"}\n]}')
    count = RuleSet.objects.count()
    code, _, err = run(capsys, "import", str(bad), "--by", "lea@demo.test", "--client", "NWND")
    assert code == 2 and "bad.json line 2: rules[0]" in err
    assert RuleSet.objects.count() == count


def test_the_platform_of_each_row_picks_the_platform_rules(
    db: Any, tmp_path: Path, capsys: Any
) -> None:
    rules = tmp_path / "lengths.json"
    rules.write_text(json.dumps({"rules": [
        {"id": "rsa-headline", "kind": "length", "field": "headline", "max": 30,
         "severity": "blocking", "when": {"platforms": ["google_ads"]}},
    ]}), encoding="utf-8")  # fmt: skip
    variants = tmp_path / "v.csv"
    variants.write_text(
        f"headline,platform\n{LONG},Google Ads\n{LONG},meta\n{LONG},\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "check", str(variants), "--rules", str(rules))
    assert code == 1
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["2"]
    code, out, _ = run(capsys, "check", str(variants), "--rules", str(rules), "--platform",
                       "google_ads")  # fmt: skip
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["2", "4"]
    code, out, err = run(capsys, "check", str(variants), "--rules", str(rules), "--platform",
                         "myspace")  # fmt: skip
    assert (code, out) == (2, "") and "--platform: 'myspace' is not a platform" in err
