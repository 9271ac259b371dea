"""The demo's compliance: rule sets for every demo client (and the starter packs), copy with
findings of each severity, one override by the legal role, and sponsored copy left blocked."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from mediadesk.accounts.models import User
from mediadesk.audit.models import AuditEvent
from mediadesk.compliance import services
from mediadesk.compliance.demo import OVERRIDE_REASON, load_demo_compliance
from mediadesk.compliance.models import ComplianceProfile, Override, RuleSet
from mediadesk.creative import services as creative
from mediadesk.creative.choices import AssetStatus, Decision, RoundStatus
from mediadesk.creative.demo import load_demo_creative
from mediadesk.creative.models import Asset, AssetVersion
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.domain.rules import Severity
from mediadesk.errors import Conflict

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return Path(settings.MEDIA_ROOT)


def _current(name: str) -> AssetVersion:
    asset = Asset.objects.get(name=name)
    assert asset.current_version is not None, name
    return asset.current_version


def _rules_of(found: list[services.Found]) -> set[tuple[str, Severity]]:
    return {(item.finding.rule, item.finding.severity) for item in found}


def test_demo_compliance_after_the_creative_demo(demo: Any) -> None:
    load_demo_creative(TODAY)
    load_demo_compliance(TODAY)
    lea = User.objects.get(email="lea@demo.test")

    # The starter packs, for every client, each limited to its markets.
    packs = {r.starter: r for r in RuleSet.objects.exclude(starter="")}
    assert set(packs) == {"us", "eu_uk", "platform_lengths"}
    assert all(r.client_id is None and r.rule_count > 0 for r in packs.values())
    assert packs["us"].markets == ["US"]
    assert {"DE", "AT", "GB", "IE"} <= set(packs["eu_uk"].markets)
    assert not {"US", "CA", "CH"} & set(packs["eu_uk"].markets)
    assert packs["platform_lengths"].markets == []
    assert packs["eu_uk"].updated_by == lea

    # A rule set for each demo client; Fabrikam Kids has its own, and a regulated category.
    for client in (demo.northwind, demo.contoso, demo.fabrikam):
        assert RuleSet.objects.filter(client=client, brand__isnull=True).exists(), client
    kids = RuleSet.objects.get(brand__name="Fabrikam Kids")
    assert kids.client == demo.fabrikam
    assert services.categories_of(demo.fabrikam) == ("children",)
    assert ComplianceProfile.objects.count() == 1
    for rule_set in RuleSet.objects.all():  # each one checks out as a valid rule file again
        assert services.export_rule_set(rule_set, "json")

    # Findings of every severity on the demo's copy, each with its span.
    found = [
        item for version in AssetVersion.objects.all() for item in services.check_version(version)
    ]
    assert {item.finding.severity for item in found} == set(Severity)

    # Wintertee: version 1 had the blocked superlative; version 2 only warnings, approved.
    wintertee = Asset.objects.get(name="Winter Tea - Wintertee search ads (DE)")
    first = wintertee.versions.get(number=1)
    superlative = next(
        i for i in services.check_version(first) if i.finding.rule == "nwnd-superlative-de"
    )
    assert superlative.finding.severity is Severity.BLOCKING
    assert (superlative.finding.field, superlative.finding.item) == ("headline", 1)
    assert (superlative.finding.start, superlative.finding.end) == (0, len("Bester Tee der Welt"))
    assert superlative.market == "DE" and superlative.channel == "search"
    assert "unser feinster" in superlative.finding.message
    second = _current("Winter Tea - Wintertee search ads (DE)")
    assert second.number == 2
    assert _rules_of(services.check_version(second)) == {("nwnd-organic", Severity.WARNING)}
    assert services.approval_blockers(second) == []
    assert wintertee.status == AssetStatus.APPROVED
    assert [r.status for r in wintertee.rounds.order_by("number")] == [
        RoundStatus.CHANGES_REQUESTED,
        RoundStatus.APPROVED,
    ]

    # The speed claim: blocking, warning and info; the blocking one overridden, then approved.
    speed = _current("5G Everywhere - speed claim search ads")
    on_speed = services.check_version(speed)
    assert _rules_of(on_speed) == {
        ("ctso-fastest-claim", Severity.BLOCKING),
        ("ctso-unlimited", Severity.WARNING),
        ("ctso-fees-and-free", Severity.INFO),
    }
    claim = next(i for i in on_speed if i.finding.rule == "ctso-fastest-claim")
    assert claim.override is not None and not claim.blocks
    assert services.approval_blockers(speed) == []
    assert speed.asset.status == AssetStatus.APPROVED
    stages = speed.asset.rounds.get().stages.order_by("position")
    assert [s.decided_label for s in stages] == [
        "ben@demo.test",
        "alice@demo.test",
        "Morgan Reyes (Contoso Mobile)",
    ]
    assert [m.to for m in mail.outbox if m.subject == f"Please review {speed.asset.name}"] == [
        ["morgan.reyes@contoso.example"]
    ]

    # Exactly one override: Lea's, with her reason, in the audit trail.
    override = Override.objects.get()
    assert override.version == speed and override.by == lea
    assert override.reason == OVERRIDE_REASON and override.client == demo.contoso
    assert override.rule == claim.key and override.field == "headline" and override.item == 1
    event = AuditEvent.objects.get(reason=OVERRIDE_REASON)
    assert event.actor == lea and event.client_id == demo.contoso.pk
    assert event.object_id == str(speed.asset_id)
    assert "compliance override" in event.changes

    # The creator's caption is sponsored, has no advertising label: blocked, waiting in review.
    caption = _current("Cold Brew - creator caption (@mara.brews)")
    blockers = services.approval_blockers(caption)
    assert [b.finding.rule for b in blockers] == ["eu-uk-ad-disclosure"]
    assert caption.asset.status == AssetStatus.IN_REVIEW
    round_ = caption.asset.rounds.get()
    assert round_.comments.filter(author=lea).exists()
    with pytest.raises(Conflict, match="blocking finding"):
        creative.decide(demo.ben, round_.stages.get(position=1), Decision.APPROVE)

    # The creative demo's copy is checked by the same rules (warnings do not undo approvals).
    five_g = services.check_version(_current("5G Everywhere - search ads"))
    assert ("ctso-unlimited", Severity.WARNING) in _rules_of(five_g)
    assert services.approval_blockers(_current("5G Everywhere - search ads")) == []

    # Targeting on placements: Fabrikam Kids' social line states no age (a warning).
    muddy = demo.campaign("FBRK-MP26")
    social = next(p for p in placements_for_delivery(muddy) if p.channel == "social")
    assert ("fbrk-kids-adults-only", Severity.WARNING) in _rules_of(
        services.check_placement(muddy, social)
    )


def test_demo_compliance_is_fast_idempotent_and_needs_no_creative_demo(demo: Any) -> None:
    started = time.perf_counter()
    load_demo_compliance(TODAY)
    assert time.perf_counter() - started < 10
    counts = (
        RuleSet.objects.count(),
        Asset.objects.count(),
        AssetVersion.objects.count(),
        Override.objects.count(),
        AuditEvent.objects.count(),
    )
    assert counts[0] == 7 and counts[3] == 1
    load_demo_compliance(TODAY)
    assert (
        RuleSet.objects.count(),
        Asset.objects.count(),
        AssetVersion.objects.count(),
        Override.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    # The blocked caption stays blocked; the overridden claim stays approved.
    assert services.approval_blockers(_current("Cold Brew - creator caption (@mara.brews)"))
    assert not services.approval_blockers(_current("5G Everywhere - speed claim search ads"))


def test_demo_compliance_without_the_demo_agency_does_nothing(db: Any) -> None:
    load_demo_compliance(TODAY)
    assert not RuleSet.objects.exists() and not Asset.objects.exists()
