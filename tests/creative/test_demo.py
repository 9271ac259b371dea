"""The demo's creative: every kind of asset, a spec breach, a review with comments, rights
expiring next month and trafficking that stops where the rights do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail

from mediadesk.creative import services
from mediadesk.creative.choices import AssetKind, AssetStatus, RoundStatus, StageStatus
from mediadesk.creative.demo import load_demo_creative
from mediadesk.creative.models import Asset, Assignment, ReviewComment, ReviewRound
from mediadesk.creative.trafficking import sheet_rows
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.domain.creative import RightsState, rights_state
from mediadesk.errors import Conflict

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)


def _asset(name: str) -> Asset:
    return Asset.objects.get(name=name)


def test_demo_creative(demo: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_demo_creative(TODAY)

    # Every kind, each with a stored file (copy has none) and what was read from it.
    kinds = set(Asset.objects.values_list("kind", flat=True))
    assert kinds == set(AssetKind.values)
    for asset in Asset.objects.exclude(kind=AssetKind.COPY).select_related("current_version"):
        version = asset.current_version
        assert version is not None and version.file and version.bytes > 0, asset.name
        assert version.checked_specs or asset.line_keys == [], asset.name
    spot = _asset("Autumn Roast - TV spot 30s").current_version
    assert spot is not None
    assert spot.facts["duration_seconds"] == "30.000"
    assert spot.checked_specs == ["spot-30s"] and spot.findings == []
    image = _asset("Autumn Roast - Instagram 1:1").current_version
    assert image is not None and (image.facts["width"], image.facts["height"]) == (1080, 1080)
    assert image.checked_specs == ["meta-instagram-feed-image"] and image.findings == []

    for name in ("Autumn Roast - radio 30s", "Holiday Bundles - iHeart radio 30s"):
        radio = _asset(name).current_version
        assert radio is not None and radio.checked_specs == ["spot-30s"], name
        assert radio.findings == [] and radio.facts["duration_seconds"] == "30.000", name

    # Spec breaches, found before anyone reviewed: the long cut, the heavy banner, the headline.
    breaking = set(
        Asset.objects.filter(blocking_findings__gt=0)
        .exclude(kind=AssetKind.PRINT)  # checked last, below
        .values_list("name", flat=True)
    )
    assert breaking == {"Autumn Roast - TV spot (director's cut)", "Winter Tea - search ads"}
    cut = _asset("Autumn Roast - TV spot (director's cut)")
    assert cut.blocking_findings == 1
    assert cut.current_version is not None
    assert cut.current_version.blocking[0]["message"] == "video is 31.2 s, spot length 30 s"
    banner = _asset("Autumn Roast - MPU 300x250 HTML5")
    first = banner.versions.get(number=1)
    assert first.blocking and "limit 150 kB" in first.blocking[0]["message"]
    assert first.blocking[0]["message"].startswith("300x250 HTML5 zip: initial load ")
    copy = _asset("Winter Tea - search ads").current_version
    assert copy is not None
    assert [f["message"] for f in copy.blocking] == ["headline 3 is 36 characters, limit 30"]
    within = _asset("5G Everywhere - search ads").current_version
    assert within is not None and within.findings == [] and within.checked_specs == ["google-rsa"]

    # The banner: changes requested on version 1, version 2 fixed it and went through.
    assert banner.version_count == 2 and banner.status == AssetStatus.APPROVED
    rounds = list(banner.rounds.order_by("number"))
    assert [r.status for r in rounds] == [RoundStatus.CHANGES_REQUESTED, RoundStatus.APPROVED]
    assert rounds[0].version.number == 1 and rounds[1].version.number == 2
    assert banner.current_version is not None and banner.current_version.findings == []

    # Approved through every stage; Dan decided Northwind's client stage himself.
    tv = _asset("Autumn Roast - TV spot 30s")
    approved = tv.rounds.get()
    assert approved.status == RoundStatus.APPROVED and tv.status == AssetStatus.APPROVED
    stages = list(approved.stages.order_by("position"))
    assert [s.status for s in stages] == [StageStatus.APPROVED] * 3
    assert [s.decided_by for s in stages] == [demo.ben, demo.alice, demo.dan]
    timed = approved.comments.get(parent=None)
    assert timed.time_seconds is not None and timed.resolved_at is not None
    assert timed.replies.count() == 1
    # Contoso has no reviewer with a login: its client decided through a review link.
    holiday = _asset("Holiday Bundles - spot 30s").rounds.get()
    client_stage = holiday.stages.get(position=3)
    assert client_stage.status == StageStatus.APPROVED and client_stage.decided_by is None
    assert client_stage.decided_label == "Morgan Reyes (Contoso Mobile)"
    assert any("Please review Holiday Bundles" in m.subject for m in mail.outbox)

    # In review with pinned comments: a point, a region, a reply, one resolved, a mention.
    instagram = _asset("Autumn Roast - Instagram 1:1")
    assert instagram.status == AssetStatus.IN_REVIEW
    open_round = ReviewRound.objects.get(asset=instagram, status=RoundStatus.OPEN)
    active = services.active_stage(open_round)
    assert active is not None and active.name == "Legal"
    comments = list(open_round.comments.all())
    points = [c for c in comments if c.x is not None and c.width is None]
    regions = [c for c in comments if c.width is not None]
    assert len(points) == 2 and len(regions) == 1
    assert [c.parent for c in comments if c.parent] == [points[1]]
    assert sum(1 for c in comments if c.resolved_at) == 1
    assert list(regions[0].mentions.all()) == [demo.ben]
    assert ReviewComment.objects.filter(version__asset=instagram).count() == 4

    # Rights: music expiring next month on the Holiday spot, a stock licence expired.
    music = _asset("Holiday Bundles - spot 30s")
    assert music.rights_expire == TODAY + timedelta(days=30)
    assert rights_state(music.rights_expire, TODAY) is RightsState.EXPIRING
    assert music.rights.get(kind="talent").territories == ["US", "CA"]
    visual = _asset("Autumn Roast - key visual")
    assert rights_state(visual.rights_expire, TODAY) is RightsState.EXPIRED
    assert visual.rights.get().kind == "stock"

    # Trafficked, with the client's UTM template on the click URLs.
    sheet = sheet_rows(demo.campaign("NWND-AR26"))
    assert {row.assignment.version.asset.name for row in sheet} == {
        "Autumn Roast - TV spot 30s",
        "Autumn Roast - MPU 300x250 HTML5",
    }
    mpu = next(row.assignment for row in sheet if row.assignment.click_url)
    assert mpu.tracked_url.startswith("https://www.northwind.example/autumn-roast?ref=mpu&")
    assert "utm_source=spiegel_media" in mpu.tracked_url
    assert "utm_campaign=nwnd-ar26" in mpu.tracked_url
    assert Assignment.objects.filter(campaign__code="CTSO-5G26").count() == 1

    # The Holiday spot runs until its music licence ends, and cannot run a day longer.
    running = Assignment.objects.get(version__asset=music)
    assert running.ends == music.rights_expire
    hulu = next(
        p for p in placements_for_delivery(demo.campaign("CTSO-HOL26")) if p.line_key ==
        running.line_key
    )  # fmt: skip
    assert hulu.end > running.ends
    version = running.version
    with pytest.raises(Conflict, match=r"Music rights .* expire on 29 Dec 2026"):
        services.assign(demo.ben, version, hulu, starts=running.ends + timedelta(days=1),
                        ends=hulu.end, today=TODAY)  # fmt: skip
    assert Assignment.objects.filter(version__asset=music).count() == 1

    # Loaded once.
    count = Asset.objects.count()
    load_demo_creative(TODAY)
    assert Asset.objects.count() == count

    # The print ad is the magazine's full page, trimmed 8.125 x 10.875 in with 0.125 in bleed:
    # it meets the full-page spec.
    page = _asset("Winter Tea - Landlust full page").current_version
    assert page is not None and page.checked_specs == ["print-full-page"]
    assert page.metadata["trim_box_mm"] != page.metadata["media_box_mm"]
    assert page.findings == [], page.findings
