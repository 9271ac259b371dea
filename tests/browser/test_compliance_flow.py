"""End to end in headless Chromium: Lea (legal) checks copy against a rule set as she types: a
31-character headline gets its finding with the character beyond the limit marked, a claim
after an emoji is marked on the right letters, and fixing the copy makes the findings go. Then
she adds a rule through the rule editor's rows, sees a refused pattern beside its row, fixes it
and saves the next revision.

Assertions are on what a person sees (text, roles, labels).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from mediadesk.accounts.models import Client, User
from mediadesk.compliance import services
from mediadesk.compliance.models import RuleSet
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.domain.rules import parse_rule_set, rule_set_data

RULES = {
    "version": 1,
    "rules": [
        {"id": "headline-30", "kind": "length", "field": "headline", "max": 30,
         "severity": "blocking"},
        {"id": "no-guarantee", "kind": "prohibited", "words": ["guaranteed"],
         "replacement": "designed to", "severity": "warning"},
    ],
}  # fmt: skip


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def rule_set() -> RuleSet:
    lea = User.objects.get(email="lea@demo.test")
    return services.save_rule_set(
        lea,
        organization=lea.organization,
        name="Winter copy rules",
        rules=RULES,
        client=Client.objects.get(code="NWND"),
    )


def test_see_the_marked_span_fix_the_copy_and_watch_the_finding_go(
    live_demo: Any, page: Page
) -> None:
    rules = rule_set()
    log_in(page, "lea@demo.test")
    page.goto(f"/compliance/check/?rule_set={rules.pk}")
    expect(page.get_by_role("heading", level=1, name="Check copy")).to_be_visible()
    expect(page.get_by_label("Check against")).to_have_value(str(rules.pk))

    headline = page.get_by_label("Headline 1", exact=True)
    findings = page.locator('[data-findings="headline_1"]')
    mirror = page.locator('[data-mirror="headline_1"]')
    summary = page.locator("[data-lint-summary]")
    headline.press_sequentially("Winter tea that warms you up ok")  # 31 characters
    expect(findings).to_contain_text("headline is 31 characters, limit 30")
    expect(findings.get_by_text("Blocking")).to_be_visible()
    expect(mirror).to_be_visible()
    expect(mirror.locator("mark")).to_have_text("k")
    expect(mirror).to_have_text("Winter tea that warms you up ok")
    expect(summary).to_have_text("1 finding: 1 blocking.")

    # After an emoji (two code units here, one position on the server) the mark still sits on
    # the word at fault.
    second = page.get_by_label("Headline 2", exact=True)
    second.fill("🎉 Guaranteed warmth")
    second_mirror = page.locator('[data-mirror="headline_2"]')
    expect(second_mirror.locator("mark")).to_have_text("Guaranteed")
    expect(page.locator('[data-findings="headline_2"]')).to_contain_text(
        "“Guaranteed” is not allowed; say “designed to” instead"
    )
    expect(summary).to_have_text("2 findings: 1 blocking, 1 warning.")

    # Fix the copy: the findings go, and so do the marks.
    headline.click()
    headline.press("End")
    for _ in range(3):
        headline.press("Backspace")
    expect(headline).to_have_value("Winter tea that warms you up")
    expect(findings.locator("li")).to_have_count(0)
    expect(mirror).to_be_hidden()
    second.fill("🎉 Designed to warm you")
    expect(page.locator('[data-findings="headline_2"] li')).to_have_count(0)
    expect(second_mirror).to_be_hidden()
    expect(summary).to_have_text("No findings: the copy meets these rules.")


def test_add_a_rule_in_the_editor_and_see_a_refusal_beside_its_row(
    live_demo: Any, page: Page, console: Any
) -> None:
    console.allow(r"status of 400")  # the refused save answers 400 with the form
    rules = rule_set()
    log_in(page, "lea@demo.test")
    page.goto(f"/compliance/rule-sets/{rules.pk}/")
    expect(page.get_by_role("heading", level=1, name="Winter copy rules")).to_be_visible()
    expect(page.locator("[data-rule-row]:visible")).to_have_count(2)

    page.get_by_role("button", name="Add a rule").click()
    row = page.locator("#rule-3")
    expect(row.get_by_label("Kind")).to_be_focused()
    row.get_by_label("Kind").select_option(label="Prohibited words or claims")
    expect(row.get_by_label("Or a pattern (regular expression)")).to_be_visible()
    expect(row.get_by_label("Minimum age of the audience")).to_be_hidden()
    row.get_by_label("Severity", exact=True).select_option(label="Blocking")
    row.get_by_label("Or a pattern (regular expression)").fill("risk(-| )free (money")
    page.get_by_role("button", name="Save as revision 2").click()

    refused = page.locator("#rule-3")
    expect(refused.locator("[data-param-error]")).to_contain_text("missing ), unterminated")
    expect(page.get_by_role("link", name="rule 3")).to_be_visible()
    expect(refused.get_by_label("Or a pattern (regular expression)")).to_have_value(
        "risk(-| )free (money"
    )
    assert RuleSet.objects.get(pk=rules.pk).revision == 1

    refused.get_by_label("Or a pattern (regular expression)").fill("risk(-| )free money")
    refused.get_by_label("Suggested replacement").fill("low-risk")
    page.get_by_role("button", name="Save as revision 2").click()
    expect(
        page.get_by_text("Saved “Winter copy rules” as revision 2 with 3 rules.")
    ).to_be_visible()
    saved = RuleSet.objects.get(pk=rules.pk)
    assert saved.rules["rules"][2] == {
        "id": "prohibited-3",
        "kind": "prohibited",
        "severity": "blocking",
        "pattern": "risk(-| )free money",
        "replacement": "low-risk",
    }
    assert saved.rules["rules"][:2] == rule_set_data(parse_rule_set(RULES))["rules"]
    expect(page.locator("[data-rule-row]:visible")).to_have_count(3)
