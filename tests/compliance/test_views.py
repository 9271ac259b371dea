"""The compliance pages: rule sets (list, the editor's rows and their refusals, starter packs,
YAML/JSON export and import, archive, history), a client's regulated categories, the check page
and its JSON answers with spans, a campaign's compliance with its XLSX and PDF report, the legal
role's overrides from the campaign and the asset page, and isolation for every URL.

People: Lea (legal on Northwind and Contoso), Ben (coordinator on both: reads, never changes
rules nor overrides), Dan (Northwind's client reviewer: none of this exists for him), Alice
(organization admin).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mediadesk.accounts.models import User
from mediadesk.audit.models import AuditEvent
from mediadesk.compliance import services
from mediadesk.compliance.models import ComplianceProfile, Override, RuleSet
from mediadesk.creative import services as creative
from mediadesk.creative.choices import AssetStatus
from mediadesk.creative.models import Asset, AssetVersion
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.domain.rules import parse_rule_set, rule_set_data
from mediadesk.errors import Conflict
from mediadesk.planning.models import Campaign, Placement
from vendors.agencies import make_other_agency

pytestmark = pytest.mark.django_db

CAMPAIGN = "NWND-WT26"  # Northwind's Winter Tea: a search line for copy
HEADLINE_RULES: dict[str, Any] = {
    "version": 1,
    "rules": [
        {"id": "headline-30", "kind": "length", "field": "headline", "max": 30,
         "severity": "blocking"},
        {"id": "no-guarantee", "kind": "prohibited", "words": ["guaranteed"],
         "replacement": "designed to", "severity": "blocking"},
    ],
}  # fmt: skip
LONG_HEADLINE = "Winter tea that warms you up ok"  # 31 characters
assert len(LONG_HEADLINE) == 31


def body(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def lea(demo: Any) -> User:
    return User.objects.get(email="lea@demo.test")


@pytest.fixture
def headline_set(demo: Any, lea: User) -> RuleSet:
    return services.save_rule_set(
        lea,
        organization=demo.alice.organization,
        name="Headline rules",
        rules=HEADLINE_RULES,
        client=demo.northwind,
    )


def as_user(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def segment(html: str, start_marker: str, end_marker: str) -> str:
    start = html.index(start_marker)
    end = html.find(end_marker, start + len(start_marker))
    return html[start : end if end > 0 else len(html)]


def long_copy(demo: Any, name: str = "Winter search", headline: str = LONG_HEADLINE) -> Any:
    campaign = demo.campaign(CAMPAIGN)
    search = next(p for p in placements_for_delivery(campaign) if p.channel == "search")
    return creative.upload_copy(
        demo.ben,
        client=demo.northwind,
        campaign=campaign,
        name=name,
        copy={"headlines": [headline], "descriptions": ["Warm tea, delivered tomorrow."]},
        line_keys=[search.line_key],
    )


# --- Rule sets ---------------------------------------------------------------------------------


def test_rule_set_list_for_each_role(demo: Any, lea: User, headline_set: RuleSet) -> None:
    fabrikam = services.save_rule_set(
        demo.alice, organization=demo.alice.organization, name="Fabrikam secrets",
        rules=HEADLINE_RULES, client=demo.fabrikam,
    )  # fmt: skip
    url = reverse("compliance:rule_set_list")
    page = body(as_user(lea).get(url))
    assert "Headline rules" in page and "New rule set" in page
    assert "Fabrikam secrets" not in page
    assert "Starting point — review with counsel, not legal advice" in page  # the packs offered
    ben = as_user(demo.ben).get(url)
    assert ben.status_code == 200
    assert "Headline rules" in body(ben) and "New rule set" not in body(ben)
    assert "Fabrikam secrets" not in body(ben)
    alice = body(as_user(demo.alice).get(url))
    assert "Headline rules" in alice and "Fabrikam secrets" in alice
    assert as_user(demo.dan).get(url).status_code == 404
    # Downloads carry what the page lists, and nothing else.
    csv = as_user(demo.ben).get(url, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Headline rules" in body(csv) and "Fabrikam secrets" not in body(csv)
    book = openpyxl.load_workbook(
        io.BytesIO(as_user(demo.alice).get(url, {"format": "xlsx"}).content)
    )
    names = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert {"Headline rules", fabrikam.name} <= set(names)


def test_detail_page_for_each_role(demo: Any, lea: User, headline_set: RuleSet) -> None:
    url = headline_set.get_absolute_url()
    page = body(as_user(lea).get(url))
    assert page.count("data-rule-row>") == 3  # two rules and the blank row to clone
    assert "data-rules-form" in page and "Save as revision 2" in page
    assert 'value="headline-30"' in page
    alice = body(as_user(demo.alice).get(url))
    assert "Save as revision 2" in alice
    ben = as_user(demo.ben).get(url)
    assert ben.status_code == 200
    assert "data-rules-form" not in body(ben) and "at most 30 characters" in body(ben)
    refused = as_user(demo.ben).post(url, {"name": "Mine now", "client": demo.northwind.pk})
    assert refused.status_code == 403
    assert "Your role does not allow this (maintain the client" in body(refused)
    assert as_user(demo.dan).get(url).status_code == 404
    assert as_user(demo.dan).post(url, {"name": "x"}).status_code == 404
    headline_set.refresh_from_db()
    assert headline_set.name == "Headline rules" and headline_set.revision == 1


def _rows_post(name: str, client: Any, rules: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "client": client.pk,
        "markets": "DE, AT",
        "channels": ["search", "social"],
        "description": "Our claims guide",
        "editor": "rows",
        "rules_json": json.dumps({"version": 1, "rules": rules}),
        "rules_text": "version: 1\nrules: []\n",  # what a page with scripts sends along
        **extra,
    }


def test_create_with_the_editor_rows(demo: Any, lea: User) -> None:
    lea_web = as_user(lea)
    assert lea_web.get(reverse("compliance:rule_set_new")).status_code == 200
    response = lea_web.post(
        reverse("compliance:rule_set_new"),
        _rows_post("Northwind claims", demo.northwind, HEADLINE_RULES["rules"]),
    )
    saved = RuleSet.objects.get(name="Northwind claims")
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    assert saved.rules == rule_set_data(parse_rule_set(HEADLINE_RULES))
    assert (saved.client, saved.markets, saved.channels) == (
        demo.northwind, ["DE", "AT"], ["search", "social"],
    )  # fmt: skip
    assert saved.updated_by == lea and saved.description == "Our claims guide"
    assert AuditEvent.objects.for_object(saved).filter(actor=lea).exists()
    # A coordinator may not create one; a client reviewer does not find the page.
    assert as_user(demo.ben).get(reverse("compliance:rule_set_new")).status_code == 403
    assert as_user(demo.dan).get(reverse("compliance:rule_set_new")).status_code == 404


def test_a_refused_rule_is_shown_beside_its_row(
    demo: Any, lea: User, headline_set: RuleSet
) -> None:
    rules = [
        {"id": "ok", "kind": "length", "field": "headline", "max": 30, "severity": "warning"},
        {"id": "bad", "kind": "prohibited", "pattern": "free (money", "severity": "blocking"},
        {"id": "third", "kind": "required_text", "text": "Terms apply"},
    ]
    response = as_user(lea).post(
        headline_set.get_absolute_url(), _rows_post("Renamed", demo.northwind, rules)
    )
    assert response.status_code == 400
    page = body(response)
    second = segment(page, 'id="rule-2"', 'id="rule-3"')
    first = segment(page, 'id="rule-1"', 'id="rule-2"')
    assert "unterminated subpattern" in second and "has-error" in second
    assert "unterminated subpattern" not in first and "has-error" not in first
    # The error sits in the pattern's own field, and what was typed stays.
    pattern_field = segment(second, 'data-param="pattern"', "</div>\n")
    assert "free (money" in second and "data-param-error" in segment(
        second, 'data-param="pattern"', 'data-param="replacement"'
    ), pattern_field
    assert 'value="Renamed"' in page and 'value="Terms apply"' in page
    assert 'Not saved: <a href="#rule-2">rule 2</a>' in page
    headline_set.refresh_from_db()
    assert (headline_set.name, headline_set.revision) == ("Headline rules", 1)
    # A number that is not one, an unknown kind, a market that is not one: each on its row.
    rules = [
        {"kind": "length", "field": "headline", "max": "thirty"},
        {"kind": "prohibited", "words": ["x"], "when": {"markets": ["Germany"]}},
    ]
    page = body(as_user(lea).post(
        headline_set.get_absolute_url(), _rows_post("Renamed", demo.northwind, rules)
    ))  # fmt: skip
    first = segment(page, 'id="rule-1"', 'id="rule-2"')
    assert "must be a whole number" in segment(first, 'data-param="max"', 'data-param="min"')
    assert 'value="thirty"' in first
    rules[0]["max"] = 30
    page = body(as_user(lea).post(
        headline_set.get_absolute_url(), _rows_post("Renamed", demo.northwind, rules)
    ))  # fmt: skip
    second = segment(page, 'id="rule-2"', "<template")
    assert "is not a market" in segment(second, 'data-when="markets"', 'data-when="sponsored"')
    assert '<details class="rule-when" open>' in second  # the condition at fault is shown
    assert "has-error" not in segment(page, 'id="rule-1"', 'id="rule-2"')
    rules = [{"kind": "lenght", "field": "headline", "max": 30}]
    page = body(as_user(lea).post(
        headline_set.get_absolute_url(), _rows_post("Renamed", demo.northwind, rules)
    ))  # fmt: skip
    assert "did you mean &#x27;length&#x27;?" in segment(page, 'id="rule-1"', "<template")


def test_edit_saves_a_revision_with_history(demo: Any, lea: User, headline_set: RuleSet) -> None:
    rules = [*HEADLINE_RULES["rules"], {"kind": "required_text", "text": "Terms apply",
                                        "severity": "info"}]  # fmt: skip
    response = as_user(lea).post(
        headline_set.get_absolute_url(), _rows_post("Headline rules", demo.northwind, rules)
    )
    assert response.status_code == 302
    headline_set.refresh_from_db()
    assert headline_set.revision == 2 and headline_set.rule_count == 3
    page = body(as_user(demo.ben).get(headline_set.get_absolute_url()))
    assert "revision 2" in page and "must contain “Terms apply”" in page
    history = segment(page, 'id="history-h"', "</section>")
    assert history.count("Lea Lindqvist") == 2  # created and changed


def test_rules_as_text_without_scripts(demo: Any, lea: User, headline_set: RuleSet) -> None:
    url = headline_set.get_absolute_url()
    text = "version: 1\nrules:\n  - kind: length\n    field: headline\n    maxx: 30\n"
    data = {"name": "Headline rules", "client": demo.northwind.pk, "rules_text": text}
    response = as_user(lea).post(url, data)
    assert response.status_code == 400
    field = segment(body(response), 'id="id_rules_text_error"', "</div>")
    assert "Line 5" in field and "maxx" in field and "did you mean" in field
    assert "maxx: 30" in body(response)  # what was typed stays
    data["rules_text"] = text.replace("maxx", "max")
    assert as_user(lea).post(url, data).status_code == 302
    headline_set.refresh_from_db()
    assert headline_set.rules["rules"] == [
        {"id": "length-1", "kind": "length", "severity": "warning", "field": "headline", "max": 30}
    ]


def test_starter_pack(demo: Any, lea: User) -> None:
    page = body(as_user(lea).get(reverse("compliance:rule_set_new"), {"starter": "us"}))
    assert "Starting point — review with counsel, not legal advice" in page
    assert "us-ftc-disclosure" in page
    assert (
        as_user(lea).get(reverse("compliance:rule_set_new"), {"starter": "xx"}).status_code == 404
    )
    from mediadesk.domain.rule_packs import starter_packs

    pack = starter_packs()["us"]
    response = as_user(lea).post(
        reverse("compliance:rule_set_new"),
        _rows_post("US rules", demo.contoso, pack.rules["rules"], starter="us", markets="US"),
    )
    assert response.status_code == 302, body(response)[:3000]
    saved = RuleSet.objects.get(name="US rules")
    assert saved.starter == "us" and saved.rules == pack.rules
    listed = body(as_user(lea).get(reverse("compliance:rule_set_list")))
    row = segment(listed, ">US rules</a>", "</tr>")
    assert "Starting point — review with counsel, not legal advice" in row


def test_export_and_import_round_trip(demo: Any, lea: User, headline_set: RuleSet) -> None:
    web = as_user(lea)
    url = headline_set.get_absolute_url()
    exported = web.get(url, {"format": "yaml"})
    assert exported["Content-Disposition"].startswith("attachment")
    assert "headline-rules-r1.yaml" in exported["Content-Disposition"]
    assert yaml.safe_load(exported.content)["rules"] == headline_set.rules["rules"]
    as_json = web.get(url, {"format": "json"})
    assert json.loads(as_json.content) == headline_set.rules
    assert web.get(url, {"format": "exe"}).status_code == 404
    # Ben reads and downloads; he may not import.
    assert as_user(demo.ben).get(url, {"format": "json"}).status_code == 200
    upload = SimpleUploadedFile("rules.yaml", exported.content, content_type="application/yaml")
    imports = reverse("compliance:rule_set_import", args=[headline_set.pk])
    assert as_user(demo.ben).post(imports, {"file": upload}).status_code == 403
    upload.seek(0)
    response = web.post(imports, {"file": upload})
    assert response.status_code == 302
    headline_set.refresh_from_db()
    assert headline_set.revision == 2
    assert headline_set.rules == json.loads(as_json.content)
    # A file with an unknown key is refused with its line, beside the file field.
    bad = SimpleUploadedFile("bad.yaml", b"rules:\n  - kind: length\n    field: headline\n"
                             b"    maxx: 30\n")  # fmt: skip
    refused = web.post(imports, {"file": bad})
    assert refused.status_code == 400
    assert "bad.yaml line 4" in segment(body(refused), 'id="import-h"', "</section>")
    wrong = SimpleUploadedFile("rules.txt", b"rules: []\n")
    assert "Choose a .yaml" in body(web.post(imports, {"file": wrong}))
    headline_set.refresh_from_db()
    assert headline_set.revision == 2
    # A file as a new rule set, for a client.
    as_file = SimpleUploadedFile("Contoso claims.json", as_json.content)
    created = web.post(
        reverse("compliance:rule_set_import_new"), {"file": as_file, "client": demo.contoso.pk}
    )
    new = RuleSet.objects.get(name="Contoso claims")
    assert created["Location"] == new.get_absolute_url()
    assert new.client == demo.contoso and new.rules == headline_set.rules
    as_file.seek(0)
    refused = as_user(demo.ben).post(reverse("compliance:rule_set_import_new"), {"file": as_file})
    assert refused.status_code == 403 and "maintain the client" in body(refused)
    assert RuleSet.objects.filter(name="Contoso claims").count() == 1


def test_archive(demo: Any, lea: User, headline_set: RuleSet) -> None:
    archive = reverse("compliance:rule_set_archive", args=[headline_set.pk])
    assert as_user(demo.ben).post(archive).status_code == 403
    response = as_user(lea).post(archive, {"reason": "Replaced by the 2027 guide"})
    assert response.status_code == 302
    headline_set.refresh_from_db()
    assert headline_set.archived_at is not None
    listed = body(as_user(lea).get(reverse("compliance:rule_set_list")))
    assert "Headline rules" not in listed and "Show archived (1)" in listed
    assert "Headline rules" in body(as_user(lea).get(reverse("compliance:rule_set_list"),
                                                      {"archived": "1"}))  # fmt: skip
    page = body(as_user(lea).get(headline_set.get_absolute_url()))
    assert "Archived" in page and "data-rules-form" not in page
    assert "Replaced by the 2027 guide" in page
    assert services.applicable(demo.northwind) == [
        s for s in services.applicable(demo.northwind) if s.pk != headline_set.pk
    ]


def test_client_categories(demo: Any, lea: User) -> None:
    url = reverse("compliance:client_categories", args=[demo.northwind.pk])
    page = body(as_user(lea).get(url))
    assert 'name="categories"' in page
    response = as_user(lea).post(url, {"categories": ["alcohol", "financial"]})
    assert response.status_code == 302
    assert ComplianceProfile.objects.get(client=demo.northwind).categories == [
        "alcohol", "financial",
    ]  # fmt: skip
    shown = body(as_user(demo.ben).get(url))
    assert "Alcohol, Financial products" in shown and 'name="categories"' not in shown
    assert as_user(demo.ben).post(url, {"categories": []}).status_code == 403
    assert as_user(lea).post(url, {"categories": ["weapons"]}).status_code == 400
    assert as_user(demo.dan).get(url).status_code == 404
    assert as_user(demo.alice).get(url).status_code == 200
    other = reverse("compliance:client_categories", args=[demo.fabrikam.pk])
    assert as_user(demo.ben).get(other).status_code == 404
    assert as_user(lea).post(other, {"categories": ["alcohol"]}).status_code == 404
    assert "Alcohol" in body(as_user(lea).get(url))  # history shows the change
    assert ComplianceProfile.objects.get(client=demo.northwind).categories == [
        "alcohol", "financial",
    ]  # fmt: skip


# --- Checking copy -----------------------------------------------------------------------------


def _check(web: HttpClient, rule_set: Any, **fields: str) -> Any:
    data = {"rule_set": str(rule_set), "market": "DE", "channel": "search", **fields}
    return web.post(reverse("compliance:check"), data, headers={"Accept": "application/json"})


def test_check_answers_findings_with_spans(demo: Any, lea: User, headline_set: RuleSet) -> None:
    web = as_user(lea)
    page = body(web.get(reverse("compliance:check"), {"rule_set": headline_set.pk}))
    assert f'<option value="{headline_set.pk}" selected>' in page
    answer = _check(web, headline_set.pk, headline_1=LONG_HEADLINE)
    assert answer.status_code == 200
    found = answer.json()["findings"]
    length = next(f for f in found if f["rule"] == "headline-30")
    assert (length["input"], length["start"], length["end"], length["excerpt"]) == (
        "headline_1", 30, 31, "k",
    )  # fmt: skip
    assert length["severity"] == "blocking" and "limit 30" in length["message"]
    # Spans count code points: after an emoji, "guaranteed" starts at 2 (JavaScript: 3).
    answer = _check(web, headline_set.pk, headline_3="🎉 guaranteed warmth")
    banned = answer.json()["findings"][0]
    assert (banned["input"], banned["item"], banned["start"], banned["end"]) == (
        "headline_3", 0, 2, 12,
    )  # fmt: skip
    assert banned["excerpt"] == "guaranteed" and "designed to" in banned["message"]
    # Line breaks count once, as the browser counts them, though forms send \r\n.
    answer = _check(web, headline_set.pk, text="Hello\r\nguaranteed")
    assert [(f["input"], f["start"]) for f in answer.json()["findings"]] == [("text", 6)]
    # Fixed copy: no findings.
    fixed = _check(web, headline_set.pk, headline_1="Winter tea that warms you up")
    assert fixed.json() == {
        "findings": [], "summary": "No findings: the copy meets these rules.", "blocking": 0,
    }  # fmt: skip
    # Every rule set that applies to a client.
    through_client = _check(web, f"client:{demo.northwind.pk}", headline_1=LONG_HEADLINE)
    assert any(f["key"] == f"{headline_set.pk}:headline-30"
               for f in through_client.json()["findings"])  # fmt: skip
    assert _check(web, "999999", headline_1="x").status_code == 400


def test_check_page_without_scripts(demo: Any, lea: User, headline_set: RuleSet) -> None:
    response = as_user(demo.ben).post(
        reverse("compliance:check"),
        {"rule_set": str(headline_set.pk), "headline_2": "A <b>guaranteed</b> brew"},
    )
    assert response.status_code == 200
    field = segment(body(response), 'data-mirror="headline_2"', "</div>")
    assert 'A &lt;b&gt;<mark class="span span-blocking">guaranteed</mark>&lt;/b&gt; brew' in field
    assert "“guaranteed” is not allowed" in body(response)
    assert "1 finding: 1 blocking." in body(response)
    assert as_user(demo.dan).get(reverse("compliance:check")).status_code == 404
    assert as_user(demo.dan).post(reverse("compliance:check"), {}).status_code == 404


def test_check_offers_only_what_the_user_may_see(demo: Any, lea: User) -> None:
    fabrikam = services.save_rule_set(
        demo.alice, organization=demo.alice.organization, name="Fabrikam secrets",
        rules=HEADLINE_RULES, client=demo.fabrikam,
    )  # fmt: skip
    page = body(as_user(demo.ben).get(reverse("compliance:check")))
    assert "Fabrikam secrets" not in page and f"client:{demo.fabrikam.pk}" not in page
    assert _check(as_user(demo.ben), fabrikam.pk, headline_1="x").status_code == 400
    assert _check(as_user(demo.ben), f"client:{demo.fabrikam.pk}").status_code == 400
    assert _check(as_user(demo.alice), fabrikam.pk, headline_1=LONG_HEADLINE).json()["blocking"]


# --- A campaign's compliance, overrides -------------------------------------------------------


@dataclass
class World:
    campaign: Campaign
    placement: Placement
    asset: Asset
    version: AssetVersion


@pytest.fixture
def world(demo: Any, lea: User, headline_set: RuleSet) -> World:
    """Copy whose headline is too long, and a placement targeting a too-young audience for an
    alcohol advertiser."""
    services.set_categories(lea, demo.northwind, ["alcohol"])
    services.save_rule_set(
        lea, organization=demo.alice.organization, name="Alcohol targeting",
        client=demo.northwind,
        rules={"rules": [{"id": "alcohol-18", "kind": "targeting", "min_age": 18,
                          "severity": "blocking", "when": {"categories": ["alcohol"]}}]},
    )  # fmt: skip
    campaign = demo.campaign(CAMPAIGN)
    placement = next(p for p in placements_for_delivery(campaign) if p.channel == "ctv_ott")
    placement.targeting = "Adults 16-34"
    placement.save()
    uploaded = long_copy(demo)
    return World(campaign, placement, uploaded.asset, uploaded.version)


def test_campaign_compliance_page(demo: Any, lea: User, world: World) -> None:
    url = reverse("compliance:campaign_compliance", args=[world.campaign.pk])
    page = body(as_user(lea).get(url))
    assert "limit 30" in page and "the targeting starts at age 16" in page
    assert '<mark class="span span-blocking">k</mark>' in page
    creative_rows = segment(page, 'id="creative-h"', "</section>")
    assert f'action="/compliance/versions/{world.version.pk}/override/"' in creative_rows
    placements = segment(page, 'id="placements-h"', "</section>")
    assert f'value="{world.placement.line_key}"' in placements
    assert 'aria-current="page">Compliance</a>' in page
    ben = body(as_user(demo.ben).get(url))
    assert "limit 30" in ben and "/override/" not in ben
    assert "Needs a fix, or an override by the legal role" in ben
    assert as_user(demo.alice).get(url).status_code == 200
    assert as_user(demo.dan).get(url).status_code == 404
    # The tab is there for the agency, not for the client's reviewer.
    shared = demo.campaign("NWND-AR26")
    assert "/compliance/" in body(as_user(demo.ben).get(shared.get_absolute_url()))
    assert "/compliance/" not in body(as_user(demo.dan).get(shared.get_absolute_url()))


def test_campaign_report_xlsx_and_pdf(demo: Any, lea: User, world: World) -> None:
    blocker = next(
        i for i in services.approval_blockers(world.version) if i.key.endswith("headline-30")
    )
    services.override(
        lea, key=blocker.key, field="headline", item=0, version=world.version,
        reason="=HYPERLINK(\"http://x\") counsel agreed",
    )  # fmt: skip
    url = reverse("compliance:campaign_compliance", args=[world.campaign.pk])
    response = as_user(demo.ben).get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Findings", "Overrides", "Review decisions"]
    findings = list(book["Findings"].iter_rows(min_row=3, values_only=True))
    headers = [c.value for c in book["Findings"][2]]
    messages = [dict(zip(headers, row, strict=True)) for row in findings]
    length = next(m for m in messages if m["Rule"] == "headline-30")
    assert (length["Status"], length["Span start"], length["Span end"]) == ("overridden", 30, 31)
    assert length["Offending text"] == "k" and length["Overridden by"] == "Lea Lindqvist"
    assert length["Reason"].startswith("'=HYPERLINK")  # never run as a formula
    assert any("targeting starts at age 16" in (m["Message"] or "") for m in messages)
    overrides = list(book["Overrides"].iter_rows(min_row=3, values_only=True))
    assert len(overrides) == 1 and overrides[0][5] == "Lea Lindqvist"
    pdf = as_user(lea).get(url, {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    assert as_user(demo.dan).get(url, {"format": "pdf"}).status_code == 404
    assert as_user(lea).get(url, {"format": "docx"}).status_code == 404


def test_override_from_the_asset_page_lets_approval_through(
    demo: Any, lea: User, world: World
) -> None:
    stage = creative.start_review(demo.ben, world.asset).stages.get(position=1)
    with pytest.raises(Conflict, match="blocking finding"):
        creative.decide(demo.ben, stage, "approve")
    page = body(as_user(lea).get(world.asset.get_absolute_url()))
    section = segment(page, 'id="compliance"', "</section>")
    assert '<mark class="span span-blocking">k</mark>' in section
    assert f'action="/compliance/versions/{world.version.pk}/override/"' in section
    assert 'name="csrfmiddlewaretoken"' in section
    asset_url = world.asset.get_absolute_url()
    ben_page = segment(body(as_user(demo.ben).get(asset_url)), 'id="compliance"', "</section>")
    assert "limit 30" in ben_page and "/override/" not in ben_page
    url = reverse("compliance:version_override", args=[world.version.pk])
    blockers = services.approval_blockers(world.version)
    assert blockers
    first = blockers[0]
    values = {"key": first.key, "field": first.finding.field or "",
              "item": "" if first.finding.item is None else first.finding.item,
              "next": world.asset.get_absolute_url() + "#compliance"}  # fmt: skip
    refused = as_user(demo.ben).post(url, {**values, "reason": "Fine by me"})
    assert refused.status_code == 403
    assert "Your role does not allow this (override a blocking compliance finding" in body(refused)
    empty = as_user(lea).post(url, {**values, "reason": " "}, follow=True)
    assert "Write why this finding may go through." in body(empty)
    assert not Override.objects.exists()
    # The form on the asset page carries a working CSRF token.
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(lea)
    form = segment(
        body(strict.get(world.asset.get_absolute_url())), 'id="compliance"', "</section>"
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    assert strict.post(url, {**values, "reason": " "}).status_code == 403  # no token: refused
    empty = strict.post(url, {**values, "reason": " ", "csrfmiddlewaretoken": token.group(1)})
    assert empty.status_code == 302
    for item in blockers:
        response = as_user(lea).post(url, {
            **values, "key": item.key, "field": item.finding.field or "",
            "item": "" if item.finding.item is None else item.finding.item,
            "reason": "Counsel accepted the long headline for this flight (e-mail 3 Nov).",
        })  # fmt: skip
        assert response.status_code == 302
        assert response["Location"] == world.asset.get_absolute_url() + "#compliance"
    assert services.approval_blockers(world.version) == []
    event = AuditEvent.objects.filter(
        object_id=str(world.asset.pk), reason__contains="Counsel"
    ).first()
    assert event is not None and event.actor == lea
    shown = segment(body(as_user(demo.ben).get(world.asset.get_absolute_url())), 'id="compliance"',
                    "</section>")  # fmt: skip
    assert "Overridden" in shown and "Counsel accepted the long headline" in shown
    again = as_user(lea).post(url, {**values, "reason": "again"}, follow=True)
    assert "already overrode" in body(again)
    # The approval goes through now, stage by stage.
    for stage in world.asset.rounds.get().stages.order_by("position"):
        creative.decide(demo.dan if stage.who == "client" else demo.ben, stage, "approve")
        if stage.who != "client":
            world.asset.refresh_from_db()
            if world.asset.shown_to_client:
                dan_page = body(as_user(demo.dan).get(world.asset.get_absolute_url()))
                assert 'id="compliance-h"' not in dan_page and "Counsel accepted" not in dan_page
    world.asset.refresh_from_db()
    assert world.asset.status == AssetStatus.APPROVED
    # The report lists the decisions with their people.
    report = body(
        as_user(lea).get(reverse("compliance:campaign_compliance", args=[world.campaign.pk]))
    )
    decisions = segment(report, 'id="decisions-h"', "</section>")
    assert "Approved" in decisions and "Ben" in decisions


def test_placement_override_from_the_campaign_page(demo: Any, lea: User, world: World) -> None:
    found = next(i for i in services.check_placement(world.campaign, world.placement) if i.blocks)
    url = reverse("compliance:placement_override", args=[world.campaign.pk])
    page_url = reverse("compliance:campaign_compliance", args=[world.campaign.pk])
    placements = segment(body(as_user(lea).get(page_url)), 'id="placements-h"', "</section>")
    form_id = re.search(r'name="form_id" value="([^"]+)"', placements)
    assert form_id is not None
    values = {"key": found.key, "field": found.finding.field or "", "item": "",
              "line_key": world.placement.line_key, "form_id": form_id.group(1)}  # fmt: skip
    assert as_user(demo.ben).post(url, {**values, "reason": "ok"}).status_code == 403
    assert as_user(demo.dan).post(url, {**values, "reason": "ok"}).status_code == 404
    refused = as_user(lea).post(url, {**values, "reason": "  "})
    assert refused.status_code == 400
    form = segment(body(refused), f'id="{values["form_id"]}"', "</form>")
    assert "Write why this finding may go through." in form
    assert 'aria-invalid="true"' in form
    elsewhere = as_user(lea).post(url, {**values, "form_id": "gone", "reason": ""})
    assert "Not overridden: Write why this finding may go through." in body(elsewhere)
    response = as_user(lea).post(url, {**values, "reason": "Audience verified 18+ by Joyn."})
    assert response.status_code == 302
    given = Override.objects.get()
    assert (given.campaign, given.line_key, given.by) == (
        world.campaign,
        world.placement.line_key,
        lea,
    )
    page = body(as_user(demo.ben).get(reverse("compliance:campaign_compliance",
                                               args=[world.campaign.pk])))  # fmt: skip
    placements = segment(page, 'id="placements-h"', "</section>")
    assert "Overridden" in placements and "Audience verified 18+ by Joyn." in placements
    assert AuditEvent.objects.filter(reason="Audience verified 18+ by Joyn.").exists()


# --- Isolation ---------------------------------------------------------------------------------


def compliance_routes() -> list[str]:
    """Every URL pattern of the compliance app, as route strings."""

    def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
        found = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append((prefix + str(entry.pattern), entry.callback))
        return found

    return sorted(
        route for route, view in walk(get_resolver().url_patterns)
        if view.__module__ == "mediadesk.compliance.views"
    )  # fmt: skip


def compliance_objects(campaign: Campaign, author: User) -> dict[str, int]:
    """A rule set of the campaign's client, and an asset version of the campaign, for the
    isolation walk (tests/test_isolation.py may reuse it: ``rule_set_id``)."""
    rule_set = services.save_rule_set(
        author, organization=campaign.client.organization, name=f"Walk {campaign.code}",
        rules=HEADLINE_RULES, client=campaign.client,
    )  # fmt: skip
    asset = Asset.objects.create(
        client=campaign.client, campaign=campaign, kind="copy", name=f"walk {campaign.code}",
        version_count=1,
    )  # fmt: skip
    version = AssetVersion.objects.create(asset=asset, number=1, copy={"headline": ["x" * 40]})
    asset.current_version = version
    asset.save()
    return {"rule_set_id": rule_set.pk, "version_id": version.pk, "campaign_id": campaign.pk,
            "client_id": campaign.client_id}  # fmt: skip


PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


def test_every_url_answers_404_for_what_the_user_may_not_see(demo: Any, lea: User) -> None:
    routes = compliance_routes()
    assert "compliance/rule-sets/<int:rule_set_id>/" in routes
    assert "campaigns/<int:campaign_id>/compliance/" in routes
    fabrikam = compliance_objects(demo.campaign("FBRK-TS27"), demo.alice)
    northwind = compliance_objects(demo.campaign("NWND-AR26"), lea)
    other = make_other_agency()
    other_set = services.save_rule_set(
        other.admin, organization=other.organization, name="Other's rules",
        rules=HEADLINE_RULES, client=other.client,
    )  # fmt: skip
    cases = [
        (demo.ben, fabrikam),  # another client's
        (demo.dan, northwind),  # his own client's, but internal work
        (lea, fabrikam),
        (demo.alice, {"rule_set_id": other_set.pk, "version_id": 999_999,
                      "campaign_id": 999_999, "client_id": other.client.pk}),  # another org's
    ]  # fmt: skip
    checked = 0
    for user, values in cases:
        web = as_user(user)
        for route in routes:
            names = PARAM.findall(route)
            if not names:
                continue
            path = "/" + PARAM.sub(lambda m, v=values: str(v[m.group(1)]), route)
            answers = []
            for method in ("get", "post"):
                response = getattr(web, method)(path, {"format": "yaml"} if method == "get"
                                                else {"reason": "x", "key": "1:x"})  # fmt: skip
                assert response.status_code in (404, 405), (user.email, method, path)
                answers.append(response.status_code)
            assert 404 in answers, (user.email, path)  # one method is the page's own
            checked += 1
    assert checked == 4 * 7
    # Lists and choices never show another client's or organization's rule sets.
    for user, hidden in ((demo.ben, "Walk FBRK-TS27"), (demo.alice, "Other's rules")):
        for url in (reverse("compliance:rule_set_list"), reverse("compliance:check")):
            assert hidden not in body(as_user(user).get(url))
    assert RuleSet.objects.filter(name="Walk FBRK-TS27").get().revision == 1
    assert not Override.objects.exists()
