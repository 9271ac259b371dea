"""The compliance API: linting copy (the acceptance cases), rule sets with their files, the
starter packs, findings and overrides on assets and placements, and isolation on every route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mediadesk.accounts.models import User
from mediadesk.audit.models import AuditEvent
from mediadesk.compliance import services
from mediadesk.compliance.models import Override, RuleSet
from mediadesk.creative import services as creative
from mediadesk.creative.models import Asset
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.planning.models import Campaign
from vendors.agencies import make_other_agency

HEADLINE_30 = {"id": "headline-30", "kind": "length", "field": "headline", "max": 30,
               "severity": "warning"}  # fmt: skip
DISCLOSURE = {"id": "disclosure", "kind": "required_text", "any_of": ["#ad", "Paid partnership"],
              "field": "text", "within": 125, "severity": "blocking",
              "when": {"sponsored": True}}  # fmt: skip
NO_GUARANTEE = {"id": "no-guarantee", "kind": "prohibited", "words": ["guaranteed"],
                "replacement": "designed to", "severity": "blocking"}  # fmt: skip
COPY_RULES = {"version": 1, "rules": [HEADLINE_30, DISCLOSURE, NO_GUARANTEE]}
RADIO_BANNED = {"id": "no-radio", "kind": "targeting", "banned": True, "severity": "blocking",
                "when": {"channels": ["radio"]}}  # fmt: skip


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def fresh_compiled_rules() -> None:
    """Rolled-back tests reuse rule set ids: rules compiled for another test's set with the
    same id and revision must not be used."""
    services._COMPILED.clear()


@pytest.fixture
def lea(demo: Any) -> User:
    """The demo's legal person on Northwind and Contoso Mobile."""
    return User.objects.get(email="lea@demo.test")


@pytest.fixture
def ben(demo: Any, api_as: Any) -> Any:
    return api_as(demo.ben)


@pytest.fixture
def lea_api(lea: User, api_as: Any) -> Any:
    return api_as(lea)


def save(actor: Any, rules: Any = COPY_RULES, name: str = "Northwind copy", **scope: Any) -> Any:
    return services.save_rule_set(
        actor, organization=actor.organization, name=name, rules=rules, **scope
    )


def check(api: Any, rule_set: Any, **subject: Any) -> Any:
    return api.post("/api/v1/compliance/check", {"rule_set": rule_set, "subject": subject})


def copy_asset(demo: Any, client: Any, campaign: Campaign, headline: str, name: str) -> Asset:
    made = creative.upload_copy(
        demo.alice, client=client, campaign=campaign, name=name,
        copy={"headline": [headline], "description": "Warm tea, delivered tomorrow."},
    )  # fmt: skip
    return made.asset


# --- the acceptance: linting copy -------------------------------------------------------------


def test_a_31_character_headline_gets_the_30_character_finding_with_its_span(
    demo: Any, ben: Any
) -> None:
    headline = "Northwind Autumn Roast is here!"
    assert len(headline) == 31
    response = check(ben, {"rules": [HEADLINE_30]}, fields={"headline": [headline, "Short"]})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "findings": [
            {"rule": "headline-30", "rule_set": None, "severity": "warning",
             "message": "headline 1 is 31 characters, limit 30", "field": "headline",
             "item": 0, "start": 30, "end": 31},
        ]
    }  # fmt: skip
    # Thirty characters are within the limit.
    assert check(ben, {"rules": [HEADLINE_30]}, fields={"headline": headline[:30]}).json() == {
        "findings": []
    }


def test_a_sponsored_post_without_a_disclosure_gets_a_blocking_finding(demo: Any, ben: Any) -> None:
    rules = {"rules": [DISCLOSURE]}
    post = "Cosy mornings with @lena and a cup of Northwind Autumn Roast"
    [finding] = check(ben, rules, fields={"text": post}, sponsored=True).json()["findings"]
    assert (finding["rule"], finding["severity"], finding["field"]) == (
        "disclosure", "blocking", "text",
    )  # fmt: skip
    assert "#ad" in finding["message"] and "Paid partnership" in finding["message"]
    assert (finding["start"], finding["end"]) == (0, len(post))  # the first 125 characters
    # Disclosed, or not sponsored: no finding.
    assert check(ben, rules, fields={"text": f"#ad {post}"}, sponsored=True).json() == {
        "findings": []
    }
    assert check(ben, rules, fields={"text": post}, sponsored=False).json() == {"findings": []}
    # Disclosed too late: the span is where the disclosure is.
    late = "x " * 70 + "#ad"
    [finding] = check(ben, rules, fields={"text": late}, sponsored=True).json()["findings"]
    assert (finding["start"], finding["end"]) == (140, 143)


def test_a_catastrophic_pattern_is_answered_and_an_invalid_one_refused(demo: Any, ben: Any) -> None:
    text = "a" * 50_000 + "!"
    evil = {"rules": [{"id": "evil", "kind": "prohibited", "pattern": "(a+)+$",
                       "severity": "blocking"}]}  # fmt: skip
    response = check(ben, evil, fields={"text": text})
    assert response.status_code == 200, response.content
    assert response.json() == {"findings": []}  # "$" never follows the a's: no match
    # The same kind of pattern that does match is found, with its span.
    found = {"rules": [{"id": "bang", "kind": "prohibited", "pattern": "(a+)+!"}]}
    [finding] = check(ben, found, fields={"text": text}).json()["findings"]
    assert (finding["start"], finding["end"]) == (0, 50_001)
    # An invalid pattern, or a backreference, is refused with the rule's path and position.
    for pattern in ("free (money", r"(a)\1"):
        bad = {"rules": [{"kind": "prohibited", "pattern": pattern}]}
        refused = check(ben, bad, fields={"text": "free money"})
        assert refused.status_code == 422
        [error] = refused.json()["detail"]
        assert error["field"] == "rule_set"
        assert error["message"].startswith("rules[0].pattern: ")


def test_invalid_inline_rules_and_subjects_are_422_naming_what_is_wrong(
    demo: Any, ben: Any
) -> None:
    cases = [
        ({"rules": [{"kind": "length", "field": "headline", "maxx": 30}]}, "rules[0]"),
        ({"rules": [{"kind": "length", "field": "headline", "max": "30"}]}, "rules[0].max"),
        ({"rules": [{"kind": "spelling"}]}, "rules[0].kind"),
        ({"rulez": []}, ""),
    ]
    for rules, path in cases:
        response = check(ben, rules, fields={"headline": "Hi"})
        assert response.status_code == 422, rules
        [error] = response.json()["detail"]
        assert error["field"] == "rule_set" and error["message"].startswith(path), error
    unknown = check(ben, {"rules": []}, fields={"headline": "Hi"}, platform="myspace")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["field"] == "subject.platform"
    ages = check(ben, {"rules": []}, targeting={"min_age": 40, "max_age": 18})
    assert ages.status_code == 422 and ages.json()["detail"][0]["field"] == "targeting"


def test_copy_with_emoji_accents_and_right_to_left_text_gets_spans_of_the_text_as_given(
    demo: Any, ben: Any
) -> None:
    text = "🎉☕ Café GARANTIÉ — مرحبا guaranteed"
    rules = {"rules": [{"id": "no", "kind": "prohibited", "words": ["garantie", "guaranteed"]}]}
    spans = [(f["start"], f["end"]) for f in check(ben, rules, fields={"text": text}).json()[
        "findings"]]  # fmt: skip
    assert [text[start:end] for start, end in spans] == ["GARANTIÉ", "guaranteed"]
    big = "Northwind " * 100_000 + "guaranteed"  # a 1 MB text
    [finding] = check(ben, rules, fields={"text": big}).json()["findings"]
    assert (finding["start"], finding["end"]) == (1_000_000, 1_000_010)


def test_platform_and_targeting_in_the_subject(demo: Any, ben: Any) -> None:
    rules = {"rules": [
        {"id": "rsa-30", "kind": "length", "field": "headline", "max": 30,
         "when": {"platforms": ["google_ads"]}},
        {"id": "alcohol-18", "kind": "targeting", "min_age": 18, "severity": "blocking",
         "when": {"categories": ["alcohol"]}},
    ]}  # fmt: skip
    long = "x" * 31
    assert check(ben, rules, fields={"headline": long}).json()["findings"] == []
    [finding] = check(ben, rules, fields={"headline": long}, platform="google_ads").json()[
        "findings"]  # fmt: skip
    assert finding["rule"] == "rsa-30"
    for targeting in ("Adults 16-34", {"min_age": 16, "max_age": 34}):
        [finding] = check(
            ben, rules, categories=["alcohol"], targeting=targeting
        ).json()["findings"]  # fmt: skip
        assert (finding["rule"], finding["severity"], finding["field"]) == (
            "alcohol-18", "blocking", "targeting",
        )  # fmt: skip
    assert check(ben, rules, categories=["alcohol"], targeting="A18-49").json()["findings"] == []


# --- saved rule sets in checks ----------------------------------------------------------------


def test_a_saved_rule_set_and_the_applicable_sets_of_a_client(
    demo: Any, ben: Any, lea: User
) -> None:
    client_set = save(lea, client=demo.northwind)
    everyone = save(demo.alice, {"rules": [NO_GUARANTEE]}, name="Claims")
    for_fr = save(lea, {"rules": [RADIO_BANNED | {"id": "fr"}]}, name="FR", client=demo.northwind,
                  markets=["FR"])  # fmt: skip
    subject = {"fields": {"headline": "Guaranteed the best roast of 2026!"}}
    by_id = check(ben, client_set.pk, **subject).json()["findings"]
    assert {(f["rule"], f["rule_set"]) for f in by_id} == {
        ("headline-30", client_set.pk), ("no-guarantee", client_set.pk),
    }  # fmt: skip
    applicable = ben.post(
        "/api/v1/compliance/check",
        {"rule_set": "applicable", "client": demo.northwind.pk,
         "subject": {**subject, "market": "DE", "channel": "radio"}},
    ).json()["findings"]  # fmt: skip
    assert sorted({f["rule_set"] for f in applicable}) == [client_set.pk, everyone.pk]
    in_france = ben.post(
        "/api/v1/compliance/check",
        {"rule_set": "applicable", "client": demo.northwind.pk,
         "subject": {**subject, "market": "FR", "channel": "radio"}},
    ).json()["findings"]  # fmt: skip
    assert for_fr.pk in {f["rule_set"] for f in in_france}
    no_client = ben.post("/api/v1/compliance/check", {"rule_set": "applicable", "subject": {}})
    assert no_client.status_code == 422 and no_client.json()["detail"][0]["field"] == "client"
    # Another client's, or an unknown, rule set: 404.
    fabrikam = save(demo.alice, name="Fabrikam", client=demo.fabrikam)
    assert check(ben, fabrikam.pk, **subject).status_code == 404
    assert check(ben, 999_999, **subject).status_code == 404
    foreign = ben.post(
        "/api/v1/compliance/check",
        {"rule_set": "applicable", "client": demo.fabrikam.pk, "subject": subject},
    )
    assert foreign.status_code == 404


# --- the acceptance: approval stopped until legal overrides -----------------------------------


def test_approval_with_a_blocking_finding_waits_for_a_legal_override_with_a_reason(
    demo: Any, ben: Any, lea: User, lea_api: Any
) -> None:
    save(lea, client=demo.northwind)
    asset = copy_asset(demo, demo.northwind, demo.campaign("NWND-AR26"),
                       "Guaranteed fresh every morning", "Autumn search copy")  # fmt: skip
    shown = ben.get(f"/api/v1/assets/{asset.pk}/compliance").json()
    assert (shown["asset"], shown["version"], shown["blocking"]) == (asset.pk, 1, 1)
    [finding] = shown["findings"]
    assert finding["rule"] == "no-guarantee" and finding["key"].endswith(":no-guarantee")
    assert (finding["severity"], finding["blocks"], finding["override"]) == ("blocking", True, None)
    assert (finding["field"], finding["item"], finding["start"], finding["end"]) == (
        "headline", 0, 0, 10,
    )  # fmt: skip
    assert finding["source"] == "Northwind copy"
    round_id = ben.post(f"/api/v1/assets/{asset.pk}/reviews", {}).json()["id"]
    refused = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
    assert refused.status_code == 409
    assert "“Guaranteed” is not allowed" in refused.json()["detail"]
    wanted = {"key": finding["key"], "field": "headline", "item": 0}
    url = f"/api/v1/assets/{asset.pk}/compliance/overrides"
    # A coordinator may not override; nor may anyone without a reason.
    forbidden = ben.post(url, {**wanted, "reason": "We like it"})
    assert forbidden.status_code == 403 and "legal" in forbidden.json()["detail"]
    unreasoned = lea_api.post(url, {**wanted, "reason": "   "})
    assert unreasoned.status_code == 422
    assert unreasoned.json()["detail"][0]["field"] == "reason"
    gone = lea_api.post(url, {**wanted, "item": 3, "reason": "Counsel agreed"})
    assert gone.status_code == 409 and "no longer there" in gone.json()["detail"]
    assert not Override.objects.exists()
    reason = "Client counsel confirmed the freshness guarantee in writing (ticket LEG-41)."
    given = lea_api.post(url, {**wanted, "reason": reason})
    assert given.status_code == 201, given.content
    body = given.json()
    assert (body["rule"], body["field"], body["item"], body["by"], body["reason"]) == (
        finding["key"], "headline", 0, "lea@demo.test", reason,
    )  # fmt: skip
    event = AuditEvent.objects.for_object(asset).filter(reason=reason).get()
    assert (event.actor, event.via) == (lea, "api")
    assert "compliance override" in event.changes
    again = lea_api.post(url, {**wanted, "reason": reason})
    assert again.status_code == 409 and "already overrode" in again.json()["detail"]
    shown = ben.get(f"/api/v1/assets/{asset.pk}/compliance").json()
    assert shown["blocking"] == 0
    assert shown["findings"][0]["blocks"] is False
    assert shown["findings"][0]["override"]["reason"] == reason
    approved = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
    assert approved.status_code == 200, approved.content


def test_only_blocking_findings_are_overridden(demo: Any, lea: User, lea_api: Any) -> None:
    save(lea, client=demo.northwind)
    asset = copy_asset(demo, demo.northwind, demo.campaign("NWND-AR26"),
                       "A Northwind headline longer than thirty", "Long")  # fmt: skip
    [finding] = lea_api.get(f"/api/v1/assets/{asset.pk}/compliance").json()["findings"]
    assert (finding["rule"], finding["severity"]) == ("headline-30", "warning")
    response = lea_api.post(
        f"/api/v1/assets/{asset.pk}/compliance/overrides",
        {"key": finding["key"], "field": "headline", "item": 0, "reason": "Fine"},
    )
    assert response.status_code == 409 and "Only blocking" in response.json()["detail"]


def test_campaign_findings_and_a_placement_override(
    demo: Any, ben: Any, lea: User, lea_api: Any
) -> None:
    campaign = demo.campaign("NWND-AR26")
    radio = next(p for p in placements_for_delivery(campaign) if p.channel == "radio")
    rule_set = save(lea, {"rules": [RADIO_BANNED]}, name="No radio", client=demo.northwind)
    asset = copy_asset(demo, demo.northwind, campaign, "Guaranteed fresh", "Radio script")
    save(lea, {"rules": [NO_GUARANTEE]}, name="Claims", client=demo.northwind)
    body = ben.get(f"/api/v1/campaigns/{campaign.pk}/compliance").json()
    assert body["campaign"] == campaign.pk and body["plan_version"] is not None
    flagged = [row for row in body["placements"] if row["findings"]]
    assert [row["placement"]["line_key"] for row in flagged] == [radio.line_key]
    [finding] = flagged[0]["findings"]
    assert (finding["key"], finding["field"], finding["blocks"]) == (
        f"{rule_set.pk}:no-radio", "targeting", True,
    )  # fmt: skip
    [asset_row] = body["assets"]
    assert asset_row["asset"]["id"] == asset.pk and asset_row["asset"]["version"] == 1
    assert [f["rule"] for f in asset_row["findings"]] == ["no-guarantee"]
    assert body["blocking"] == 2
    url = f"/api/v1/campaigns/{campaign.pk}/compliance/overrides"
    wanted = {"key": finding["key"], "field": "targeting", "line_key": radio.line_key}
    assert ben.post(url, {**wanted, "reason": "ok"}).status_code == 403
    given = lea_api.post(url, {**wanted, "reason": "Radio ban lifted for this flight."})
    assert given.status_code == 201, given.content
    assert given.json()["line_key"] == radio.line_key
    body = ben.get(f"/api/v1/campaigns/{campaign.pk}/compliance").json()
    assert body["blocking"] == 1
    unknown = lea_api.post(url, {**wanted, "line_key": "nope", "reason": "x"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "line_key"
    older = ben.get(f"/api/v1/campaigns/{campaign.pk}/compliance", plan=999)
    assert older.status_code == 404


# --- rule sets: create, revise, archive, files ------------------------------------------------


def test_rule_set_crud_with_revisions_filters_and_archive(
    demo: Any, ben: Any, lea: User, lea_api: Any
) -> None:
    payload = {"name": "Northwind claims", "client": demo.northwind.pk,
               "markets": ["de", "AT"], "channels": ["social"], "description": "Legal's list",
               "rules": COPY_RULES}  # fmt: skip
    created = lea_api.post("/api/v1/rule-sets", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["client"], body["brand"], body["markets"], body["channels"]) == (
        "Northwind claims", demo.northwind.pk, None, ["DE", "AT"], ["social"],
    )  # fmt: skip
    assert (body["revision"], body["rule_count"], body["updated_by"], body["archived"]) == (
        1, 3, "lea@demo.test", False,
    )  # fmt: skip
    assert [rule["id"] for rule in body["rules"]["rules"]] == [
        "headline-30", "disclosure", "no-guarantee",
    ]  # fmt: skip
    rule_set_id = body["id"]
    # Coordinators read rule sets but do not keep them.
    forbidden = ben.post("/api/v1/rule-sets", payload)
    assert forbidden.status_code == 403
    assert ben.get(f"/api/v1/rule-sets/{rule_set_id}").json() == body
    bad = lea_api.post("/api/v1/rule-sets", {**payload, "rules": {"rules": [{"kind": "x"}]}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "rules"
    assert "rules[0].kind" in bad.json()["detail"][0]["message"]
    nameless = lea_api.post("/api/v1/rule-sets", {**payload, "name": " "})
    assert nameless.status_code == 422 and nameless.json()["detail"][0]["field"] == "name"
    # PATCH: the next revision; what is not sent stays.
    patched = lea_api.patch(
        f"/api/v1/rule-sets/{rule_set_id}", {"rules": {"rules": [HEADLINE_30]}, "markets": []}
    )
    assert patched.status_code == 200, patched.content
    patched_body = patched.json()
    assert (patched_body["revision"], patched_body["rule_count"]) == (2, 1)
    assert (patched_body["name"], patched_body["markets"], patched_body["channels"]) == (
        "Northwind claims", [], ["social"],
    )  # fmt: skip
    brand = demo.northwind.brands.first()
    branded = lea_api.patch(f"/api/v1/rule-sets/{rule_set_id}", {"brand": brand.pk})
    assert branded.json()["brand"] == brand.pk and branded.json()["revision"] == 3
    wrong = lea_api.patch(
        f"/api/v1/rule-sets/{rule_set_id}", {"brand": demo.contoso.brands.first().pk}
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "brand"
    # Lists: filters and pagination.
    save(demo.alice, name="Everyone")
    save(lea, name="Contoso", client=demo.contoso)
    listed = ben.get("/api/v1/rule-sets").json()
    assert listed["count"] == 3
    assert [item["name"] for item in listed["items"]] == ["Contoso", "Everyone", "Northwind claims"]
    mine = ben.get("/api/v1/rule-sets", client=demo.northwind.pk).json()
    assert [item["id"] for item in mine["items"]] == [rule_set_id]
    wide = ben.get("/api/v1/rule-sets", organization_wide="true").json()
    assert [item["name"] for item in wide["items"]] == ["Everyone"]
    page = ben.get("/api/v1/rule-sets", limit=1, offset=1).json()
    assert page["count"] == 3 and [item["name"] for item in page["items"]] == ["Everyone"]
    # Archive: gone from the list, kept under archived=true.
    assert ben.post(f"/api/v1/rule-sets/{rule_set_id}/archive", {}).status_code == 403
    archived = lea_api.post(f"/api/v1/rule-sets/{rule_set_id}/archive", {"reason": "Replaced"})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert rule_set_id not in [item["id"] for item in ben.get("/api/v1/rule-sets").json()["items"]]
    old = ben.get("/api/v1/rule-sets", archived="true").json()["items"]
    assert [item["id"] for item in old] == [rule_set_id]
    assert RuleSet.objects.filter(pk=rule_set_id).exists()


def test_export_and_import_round_trip_and_a_bad_file_is_422_with_the_line(
    demo: Any, lea: User, lea_api: Any
) -> None:
    original = save(lea, client=demo.northwind, markets=["DE"])
    yaml_file = lea_api.get(f"/api/v1/rule-sets/{original.pk}/export", format="yaml")
    assert yaml_file.status_code == 200
    assert yaml_file["Content-Type"].startswith("application/yaml")
    assert yaml_file["Content-Disposition"] == 'attachment; filename="northwind-copy-r1.yaml"'
    assert b"kind: length" in yaml_file.content
    json_file = lea_api.get(f"/api/v1/rule-sets/{original.pk}/export", format="json")
    assert json_file["Content-Disposition"].endswith('-r1.json"')
    assert json.loads(json_file.content) == original.rules
    assert lea_api.get(f"/api/v1/rule-sets/{original.pk}/export", format="pdf").status_code == 422

    def upload(path: str, filename: str, data: bytes, **fields: Any) -> Any:
        body = {
            "file": SimpleUploadedFile(filename, data),
            **{k: str(v) for k, v in fields.items()},
        }
        return lea_api.http.post(path, body, headers=lea_api.headers)

    imported = upload("/api/v1/rule-sets/import", "claims.yaml", yaml_file.content,
                      client=demo.northwind.pk, markets="DE, AT", channels="social")  # fmt: skip
    assert imported.status_code == 201, imported.content
    body = imported.json()
    assert (body["name"], body["client"], body["markets"], body["channels"]) == (
        "claims", demo.northwind.pk, ["DE", "AT"], ["social"],
    )  # fmt: skip
    assert body["rules"] == original.rules and body["revision"] == 1
    everyone = upload("/api/v1/rule-sets/import", "all.json", json_file.content, name="All")
    assert everyone.status_code == 201 and everyone.json()["client"] is None
    # A new revision from a file keeps the set's name and scope.
    revised_rules = json.dumps({"rules": [NO_GUARANTEE]}).encode()
    revised = upload(f"/api/v1/rule-sets/{original.pk}/import", "v2.json", revised_rules)
    assert revised.status_code == 200, revised.content
    assert (revised.json()["revision"], revised.json()["rule_count"]) == (2, 1)
    assert (revised.json()["name"], revised.json()["markets"]) == ("Northwind copy", ["DE"])
    # A bad file: 422 naming the line, nothing saved.
    count = RuleSet.objects.count()
    bad = b"rules:\n  - kind: length\n    field: headline\n    maxx: 30\n"
    refused = upload("/api/v1/rule-sets/import", "bad.yaml", bad, client=demo.northwind.pk)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "file" and error["message"].startswith("bad.yaml line 4: rules[0]")
    assert "maxx" in error["message"]
    broken_json = b'{"rules": [\n  {"kind": "length", "field": "headline", "max": 30,}\n]}'
    refused = upload(f"/api/v1/rule-sets/{original.pk}/import", "v3.json", broken_json)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["message"].startswith("v3.json line 2: not valid JSON")
    latin = upload("/api/v1/rule-sets/import", "latin.yaml", "rules: [] # Café".encode("latin-1"))
    assert latin.status_code == 422 and "UTF-8" in latin.json()["detail"][0]["message"]
    assert RuleSet.objects.count() == count
    assert RuleSet.objects.get(pk=original.pk).revision == 2


def test_the_starter_packs_are_listed_as_starting_points_not_legal_advice(
    demo: Any, ben: Any
) -> None:
    packs = ben.get("/api/v1/rule-packs").json()
    assert [pack["key"] for pack in packs] == ["us", "eu_uk", "platform_lengths"]
    for pack in packs:
        assert pack["name"] and pack["rules"]["rules"], pack["key"]
        if pack["key"] != "platform_lengths":
            assert "not legal advice" in pack["note"].lower(), pack["key"]
        # Each pack is a valid rule set: it can lint copy as it is.
        response = check(ben, pack["rules"], fields={"headline": "Hi"}, market="US")
        assert response.status_code == 200, (pack["key"], response.content)


def test_a_rule_set_started_from_a_pack(demo: Any, lea_api: Any) -> None:
    us = next(p for p in lea_api.get("/api/v1/rule-packs").json() if p["key"] == "us")
    made = lea_api.post(
        "/api/v1/rule-sets", {"name": "Contoso US", "client": demo.contoso.pk, "starter": "us"}
    )
    assert made.status_code == 201, made.content
    assert (made.json()["starter"], made.json()["rules"]) == ("us", us["rules"])
    unknown = lea_api.post("/api/v1/rule-sets", {"name": "x", "starter": "mars"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "starter"
    assert "us, eu_uk, platform_lengths" in unknown.json()["detail"][0]["message"]
    empty = lea_api.post("/api/v1/rule-sets", {"name": "x", "client": demo.contoso.pk})
    assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == "rules"


# --- isolation --------------------------------------------------------------------------------


def compliance_objects(campaign: Campaign) -> dict[str, int]:
    """A rule set of the campaign's client (for the isolation walk's <rule_set_id>)."""
    admin = User.objects.get(email="alice@demo.test")
    rule_set = services.save_rule_set(
        admin, organization=campaign.client.organization, name=f"walk {campaign.code}",
        rules={"rules": [HEADLINE_30]}, client=campaign.client,
    )  # fmt: skip
    return {"rule_set_id": rule_set.pk}


def routes_with(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every (method, path) of the API's compliance routes."""
    from mediadesk.api import api

    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        if any(name in path for name in names) or "rule-" in path or "/compliance" in path:
            found += [(method, path) for method in operations]
    return found


def test_every_compliance_route_answers_404_for_another_clients_objects(
    demo: Any, ben: Any, api_as: Any, lea: User
) -> None:
    fabrikam = demo.campaign("FBRK-TS27")
    asset = copy_asset(demo, demo.fabrikam, fabrikam, "Guaranteed dry", "Trail copy")
    values = {"rule_set_id": compliance_objects(fabrikam)["rule_set_id"], "asset_id": asset.pk,
              "campaign_id": fabrikam.pk}  # fmt: skip
    routes = [(m, p) for m, p in routes_with(("rule_set_id",)) if "{" in p]
    assert len(routes) >= 9

    def url_of(path: str, given: dict[str, int]) -> str:
        for name, value in given.items():
            path = path.replace("{" + name + "}", str(value))
        return path

    missing = dict.fromkeys(values, 987_654_321)
    for method, path in routes:
        response = ben.request(method, url_of(path, values), {})
        if response.status_code == 404:
            continue
        # A body refused before any lookup (a missing file) tells nothing only if it is exactly
        # the answer for an object that does not exist (as tests/test_isolation.py judges).
        twin = ben.request(method, url_of(path, missing), {})
        assert (response.status_code, response.content) == (422, twin.content), (method, path)
        assert twin.status_code == 422
    # Lists and checks never show them either.
    assert values["rule_set_id"] not in [i["id"] for i in ben.get("/api/v1/rule-sets").json()[
        "items"]]  # fmt: skip
    assert ben.get("/api/v1/rule-sets", client=demo.fabrikam.pk).json()["count"] == 0


def test_another_organizations_rule_set_is_404_even_for_every_client(
    demo: Any, api_as: Any
) -> None:
    other = make_other_agency()
    theirs = save(other.admin, {"rules": [NO_GUARANTEE]}, name="Other's claims")
    assert theirs.client is None
    alice = api_as(demo.alice)
    for method, path in (
        ("get", f"/api/v1/rule-sets/{theirs.pk}"),
        ("patch", f"/api/v1/rule-sets/{theirs.pk}"),
        ("post", f"/api/v1/rule-sets/{theirs.pk}/archive"),
        ("get", f"/api/v1/rule-sets/{theirs.pk}/export"),
    ):
        assert alice.request(method, path, {}).status_code == 404, path
    revision = SimpleUploadedFile("r.json", b'{"rules": []}')
    sent = alice.http.post(
        f"/api/v1/rule-sets/{theirs.pk}/import", {"file": revision}, headers=alice.headers
    )
    assert sent.status_code == 404
    assert check(alice, theirs.pk, fields={"text": "guaranteed"}).status_code == 404
    assert alice.get("/api/v1/rule-sets").json()["count"] == 0
    # A client of the other agency is not a scope alice can give.
    refused = alice.post(
        "/api/v1/rule-sets", {"name": "x", "client": other.client.pk, "rules": {"rules": []}}
    )
    assert refused.status_code == 404


def test_a_client_reviewer_sees_no_rule_sets_and_no_campaign_findings(
    demo: Any, api_as: Any, lea: User
) -> None:
    own = save(lea, client=demo.northwind)
    everyone = save(demo.alice, name="Everyone")
    dan = api_as(demo.dan)
    assert dan.get("/api/v1/rule-sets").status_code == 404
    for rule_set in (own, everyone):
        assert dan.get(f"/api/v1/rule-sets/{rule_set.pk}").status_code == 404
        assert check(dan, rule_set.pk, fields={"text": "x"}).status_code == 404
    assert dan.get("/api/v1/rule-packs").status_code == 404
    shared = demo.campaign("NWND-AR26")
    assert shared.shared_with_client
    assert dan.get(f"/api/v1/campaigns/{shared.pk}/compliance").status_code == 404
    applicable = dan.post(
        "/api/v1/compliance/check",
        {"rule_set": "applicable", "client": demo.northwind.pk, "subject": {}},
    )
    assert applicable.status_code == 404
    # Inline rules are his to lint with: they reveal nothing.
    assert check(dan, {"rules": [HEADLINE_30]}, fields={"headline": "x"}).status_code == 200
