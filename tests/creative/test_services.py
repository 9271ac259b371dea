"""The creative services: uploads, versions, spec checks, rights, reviews and trafficking."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from creative.conftest import html5_zip, png_bytes
from mediadesk.audit.models import AuditEvent
from mediadesk.creative import services
from mediadesk.creative.choices import AssetStatus, RoundStatus, StageStatus
from mediadesk.creative.models import Asset, AssetVersion, Assignment, ReviewRound
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.errors import Conflict
from mediadesk.planning.models import Placement

pytestmark = pytest.mark.django_db


def _placement(demo: Any, fmt: str, campaign: str = "NWND-AR26") -> Placement:
    return next(p for p in placements_for_delivery(demo.campaign(campaign)) if p.format == fmt)


def _upload(demo: Any, data: bytes, filename: str, **options: Any) -> services.Uploaded:
    options.setdefault("campaign", demo.campaign("NWND-AR26"))
    return services.upload_asset(
        demo.ben, client=demo.northwind, source=io.BytesIO(data), filename=filename, **options
    )


def _stored(media_root: Path) -> list[Path]:
    folder = media_root / "creative"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_png_upload_stores_file_metadata_preview_and_audit(demo: Any, media_root: Path) -> None:
    uploaded = _upload(demo, png_bytes(300, 250), "mpu.png", name="Autumn MPU", tags=["autumn"])
    asset, version = uploaded.asset, uploaded.version
    assert (asset.kind, asset.name, asset.version_count) == ("image", "Autumn MPU", 1)
    assert asset.current_version == version
    assert (version.metadata["width"], version.metadata["height"]) == (300, 250)
    assert version.checksum and version.bytes == len(png_bytes(300, 250))
    assert version.file.read() == png_bytes(300, 250)
    assert version.preview.name and version.preview_type.startswith("image/")
    # No placement chosen: a standard size is checked against its own IAB spec.
    assert version.checked_specs == ["iab-300x250"] and version.findings == []
    assert list(asset.tags.values_list("name", flat=True)) == ["autumn"]
    assert AuditEvent.objects.filter(
        object_id=str(asset.pk), content_type__model="asset", action="created"
    ).exists()


def test_refused_file_leaves_nothing_behind(demo: Any, media_root: Path) -> None:
    with pytest.raises(services.AssetRefused, match=r"poster\.mp4 .*PNG"):
        _upload(demo, png_bytes(), "poster.mp4")
    with pytest.raises(services.AssetRefused, match="empty"):
        _upload(demo, b"", "nothing.png")
    assert not Asset.objects.exists() and not AssetVersion.objects.exists()
    assert _stored(media_root) == []


def test_file_over_the_limit_is_refused_while_streaming(
    demo: Any, media_root: Path, settings: Any
) -> None:
    settings.CREATIVE_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(services.AssetRefused, match=r"larger than the upload limit"):
        _upload(demo, png_bytes(800, 800) + b"\0" * 20_000, "big.png")
    assert not Asset.objects.exists() and _stored(media_root) == []


def test_the_same_file_twice_is_a_duplicate(demo: Any) -> None:
    first = _upload(demo, png_bytes(), "mpu.png")
    with pytest.raises(services.DuplicateAsset, match="already in the library") as caught:
        _upload(demo, png_bytes(), "copy-of-mpu.png")
    assert caught.value.existing == first.version
    assert Asset.objects.count() == 1
    # What the file is comes first: the same PNG named .mp4 is refused for its name.
    with pytest.raises(services.AssetRefused, match=r"mpu\.mp4 is a PNG image"):
        _upload(demo, png_bytes(), "mpu.mp4")
    # Another client may hold the same file: de-duplication is per client.
    services.upload_asset(
        demo.ben,
        client=demo.contoso,
        source=io.BytesIO(png_bytes()),
        filename="mpu.png",
    )
    assert Asset.objects.count() == 2


def test_only_creative_roles_upload(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.upload_asset(
            demo.cara, client=demo.northwind, source=io.BytesIO(png_bytes()), filename="a.png"
        )


def test_new_version_restarts_review_and_keeps_kind(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    round_ = services.start_review(demo.ben, asset)
    newer = services.upload_version(
        demo.ben, asset, source=io.BytesIO(png_bytes(text="v2")), filename="mpu-v2.png"
    )
    asset.refresh_from_db()
    round_.refresh_from_db()
    assert newer.version.number == 2 and asset.current_version == newer.version
    assert asset.status == AssetStatus.DRAFT and round_.status == RoundStatus.SUPERSEDED
    refusal = r"banner\.zip is an HTML5 banner, but “mpu” is an image"
    with pytest.raises(services.AssetRefused, match=refusal):
        services.upload_version(
            demo.ben, asset, source=io.BytesIO(html5_zip()), filename="banner.zip"
        )


def test_html5_over_its_weight_gets_a_finding_naming_the_limit(demo: Any) -> None:
    version = _upload(demo, html5_zip(initial_kb=212), "mpu.zip").version
    assert version.metadata and version.checked_specs == ["iab-300x250"]
    messages = [f["message"] for f in version.blocking]
    assert any("initial load" in m and "limit 150 kB" in m for m in messages), messages
    version.asset.refresh_from_db()
    assert version.asset.blocking_findings == len(version.blocking) >= 1


def test_video_checked_against_the_placements_spot_length(demo: Any, spot_31s: bytes) -> None:
    tv = _placement(demo, "30s spot")
    version = _upload(demo, spot_31s, "spot.mp4", line_keys=[tv.line_key]).version
    assert version.checked_specs == ["spot-30s"]
    assert any(
        f["message"].startswith("video is 31.2 s") and "30 s" in f["message"]
        for f in version.findings
    ), version.findings


def test_copy_over_its_limit(demo: Any) -> None:
    search = _placement(demo, "RSA", "NWND-WT26")
    uploaded = services.upload_copy(
        demo.ben,
        client=demo.northwind,
        campaign=demo.campaign("NWND-WT26"),
        name="Winter search copy",
        copy={
            "headlines": ["Winter Tea Warmers", "Our Smoothest Winter Blend Ever Made!!"],
            "descriptions": ["Order before noon, delivered tomorrow."],
            "final_url": "https://northwind.example/winter",
        },
        line_keys=[search.line_key],
    )
    version = uploaded.version
    assert uploaded.asset.kind == "copy" and version.checked_specs == ["google-rsa"]
    assert any("headline 2 is 38 characters, limit 30" in f["message"] for f in version.findings)


def test_placement_and_spec_changes_check_again(demo: Any) -> None:
    asset = _upload(demo, png_bytes(300, 250), "mpu.png").asset
    assert asset.blocking_findings == 0
    services.update_asset(demo.ben, asset, spec_keys=["iab-728x90"])
    asset.refresh_from_db()
    assert asset.current_version.checked_specs == ["iab-728x90"]
    assert asset.blocking_findings == 1
    with pytest.raises(ValidationError, match="No spec has the key"):
        services.update_asset(demo.ben, asset, spec_keys=["iab-1x1"])
    with pytest.raises(ValidationError, match="is not a placement of"):
        services.update_asset(demo.ben, asset, line_keys=["nope"])


def _approve_all(demo: Any, asset: Asset) -> ReviewRound:
    round_ = services.start_review(demo.ben, asset)
    for stage in round_.stages.order_by("position"):
        person = demo.dan if stage.who == "client" else demo.ben
        services.decide(person, stage, "approve")
    round_.refresh_from_db()
    return round_


def test_review_goes_through_every_stage(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    round_ = services.start_review(demo.ben, asset)
    stages = list(round_.stages.order_by("position"))
    assert [(s.name, s.who, s.status) for s in stages] == [
        ("Creative lead", "internal", StageStatus.ACTIVE),
        ("Legal", "internal", StageStatus.WAITING),
        ("Client", "client", StageStatus.WAITING),
    ]
    assert stages[0].due == timezone.localdate() + timedelta(days=2)
    # The client reviewer sees nothing until the client stage opens.
    assert not Asset.objects.visible_to(demo.dan).exists()
    with pytest.raises(PermissionDenied, match="Creative lead stage needs the creative role"):
        services.decide(demo.dan, stages[0], "approve")
    services.decide(demo.ben, stages[0], "approve")
    services.decide(demo.ben, stages[1], "approve")
    asset.refresh_from_db()
    assert asset.shown_to_client and asset.status == AssetStatus.IN_REVIEW
    # Shared campaign: now the client reviewer sees it and decides the client stage.
    assert list(Asset.objects.visible_to(demo.dan)) == [asset]
    with pytest.raises(PermissionDenied, match="client reviewer role"):
        services.decide(demo.ben, stages[2], "approve")
    services.decide(demo.dan, stages[2], "approve")
    round_.refresh_from_db()
    asset.refresh_from_db()
    assert round_.status == RoundStatus.APPROVED and asset.status == AssetStatus.APPROVED
    with pytest.raises(Conflict, match="not awaiting a decision"):
        services.decide(demo.dan, stages[2], "approve")


def test_request_changes_needs_a_note_and_closes_the_round(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    stage = services.start_review(demo.ben, asset).stages.get(position=1)
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.decide(demo.ben, stage, "request_changes")
    services.decide(demo.ben, stage, "request_changes", "Logo larger, please.")
    asset.refresh_from_db()
    assert asset.status == AssetStatus.CHANGES_REQUESTED
    statuses = list(stage.round.stages.order_by("position").values_list("status", flat=True))
    assert statuses == ["changes_requested", "skipped", "skipped"]


def test_a_version_that_breaks_its_spec_cannot_be_approved(demo: Any) -> None:
    asset = _upload(demo, html5_zip(initial_kb=212), "mpu.zip").asset
    stage = services.start_review(demo.ben, asset).stages.get(position=1)
    with pytest.raises(Conflict, match=r"Version 1 has a blocking finding: .*limit 150 kB"):
        services.decide(demo.ben, stage, "approve")


def test_comments_pins_replies_mentions_and_resolve(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    round_ = services.start_review(demo.ben, asset)
    pinned = services.add_comment(
        demo.ben,
        round_,
        "Logo too small here — @alice@demo.test please check",
        x=Decimal("0.25"),
        y=Decimal("0.5"),
        width=Decimal("0.2"),
        height=Decimal("0.1"),
    )
    assert pinned.is_pinned and list(pinned.mentions.all()) == [demo.alice]
    assert mail.outbox[-1].to == ["alice@demo.test"]
    assert "mentioned you on" in mail.outbox[-1].subject
    reply = services.add_comment(demo.alice, round_, "Agreed", parent=pinned)
    assert reply.parent == pinned and not reply.is_pinned
    with pytest.raises(ValidationError, match="fraction of the picture"):
        services.add_comment(demo.ben, round_, "Off canvas", x=Decimal("1.5"), y=Decimal(0))
    with pytest.raises(ValidationError, match="needs both x and y"):
        services.add_comment(demo.ben, round_, "Half a pin", x=Decimal("0.5"))
    services.resolve_comment(demo.ben, pinned)
    pinned.refresh_from_db()
    assert pinned.resolved_at is not None and pinned.resolved_by == demo.ben


def test_time_code_comment_on_a_video(demo: Any, video_2s: bytes) -> None:
    asset = _upload(demo, video_2s, "spot.mp4").asset
    round_ = services.start_review(demo.ben, asset)
    comment = services.add_comment(demo.ben, round_, "Cut here", time_seconds=Decimal("1.2"))
    assert comment.time_seconds == Decimal("1.2")
    with pytest.raises(ValidationError, match="after the end"):
        services.add_comment(demo.ben, round_, "Too late", time_seconds=Decimal("9"))


def test_review_link_for_a_client_stage(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    round_ = services.start_review(demo.ben, asset)
    for stage in round_.stages.filter(who="internal").order_by("position"):
        services.decide(demo.ben, stage, "approve")
    client_stage = round_.stages.get(who="client")
    with pytest.raises(Conflict, match="Only client stages"):
        services.send_review_link(
            demo.ben, round_.stages.get(position=1), name="X", email="x@example.org"
        )
    path = services.send_review_link(
        demo.ben, client_stage, name="Nora Northwind", email="nora@northwind.example"
    )
    assert mail.outbox[-1].to == ["nora@northwind.example"] and path in mail.outbox[-1].body
    token = path.rstrip("/").rsplit("/", 1)[-1]
    stage, who = services.stage_for_link(token)
    assert stage == client_stage and who == "Nora Northwind"
    services.add_comment(None, round_, "Looks great", outsider=who)
    services.decide(None, stage, "approve", outsider=who)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.APPROVED
    event = AuditEvent.objects.filter(
        object_id=str(asset.pk), content_type__model="asset", action="approved"
    ).latest("pk")
    assert event.actor_label == "Nora Northwind"
    with pytest.raises(services.LinkError, match="not valid"):
        services.stage_for_link(token[:-2] + "xx")
    client_stage.link_nonce = "replaced"
    client_stage.save()
    with pytest.raises(services.LinkError, match="replaced"):
        services.stage_for_link(token)


def test_traffic_only_approved_versions_within_rights(demo: Any) -> None:
    display = _placement(demo, "300x250")
    asset = _upload(demo, png_bytes(300, 250), "mpu.png", line_keys=[display.line_key]).asset
    today = max(display.start, timezone.localdate())
    with pytest.raises(Conflict, match="not approved"):
        services.assign(demo.ben, asset.current_version, display, today=today)
    _approve_all(demo, asset)
    expires = today + timedelta(days=3)
    services.add_right(
        demo.ben, asset, kind="music", holder="Sunny Tunes", territories=["de"], expires=expires
    )
    asset.refresh_from_db()
    assert asset.rights_expire == expires
    with pytest.raises(Conflict, match=r"expire on .*, but the run ends on"):
        services.assign(demo.ben, asset.current_version, display, ends=display.end, today=today)
    assignment = services.assign(
        demo.ben,
        asset.current_version,
        display,
        starts=today,
        ends=expires,
        weight=60,
        click_url="https://northwind.example/autumn?ref=mpu",
        today=today,
    )
    assert assignment.tracked_url.startswith("https://northwind.example/autumn?ref=mpu&utm_")
    assert "utm_source=spiegel_media" in assignment.tracked_url
    # After the expiry nothing can be trafficked, whatever the dates.
    after = expires + timedelta(days=1)
    with pytest.raises(Conflict, match="expired on"):
        services.assign(demo.ben, asset.current_version, display, starts=after, today=after)
    assert Assignment.objects.count() == 1


def test_rights_validation(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    with pytest.raises(ValidationError, match="two-letter country codes"):
        services.add_right(demo.ben, asset, kind="talent", holder="J. Doe", territories=["Germany"])
    with pytest.raises(ValidationError, match="cannot expire before they start"):
        services.add_right(
            demo.ben,
            asset,
            kind="talent",
            holder="J. Doe",
            starts=timezone.localdate(),
            expires=timezone.localdate() - timedelta(days=1),
        )


def test_other_clients_creative_is_invisible(demo: Any, cora: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    assert not Asset.objects.visible_to(cora).filter(pk=asset.pk).exists()
    assert not AssetVersion.objects.visible_to(cora).exists()
    assert not ReviewRound.objects.visible_to(cora).exists()
    with pytest.raises(PermissionDenied):
        services.update_asset(cora, asset, name="Mine now")


def test_reminders_once_a_day_for_overdue_stages(demo: Any) -> None:
    asset = _upload(demo, png_bytes(), "mpu.png").asset
    round_ = services.start_review(demo.ben, asset)
    assert services.send_reminders() == 0  # due in two days
    round_.stages.filter(position=1).update(due=timezone.localdate() - timedelta(days=1))
    assert services.send_reminders() == 1
    assert mail.outbox[-1].subject == "Review due: mpu (Creative lead)"
    assert "ben@demo.test" in mail.outbox[-1].to
    assert services.send_reminders() == 0  # once a day
    assert round_.stages.get(position=1).reminded_at is not None


def test_settings_validation(demo: Any) -> None:
    with pytest.raises(ValidationError, match="internal or client"):
        services.update_creative_settings(
            demo.alice, demo.northwind, review_stages=[{"name": "Boss", "who": "boss"}]
        )
    with pytest.raises(ValidationError, match=r"uses \{keyword\}"):
        services.update_creative_settings(
            demo.alice, demo.northwind, utm_template={"utm_term": "{keyword}"}
        )
    found = services.update_creative_settings(
        demo.alice,
        demo.northwind,
        review_stages=[{"name": "Brand", "who": "internal"}, {"name": "Client", "who": "client"}],
        review_days=1,
    )
    assert [s["name"] for s in found.review_stages] == ["Brand", "Client"]
    with pytest.raises(PermissionDenied):
        services.update_creative_settings(demo.ben, demo.northwind, review_days=3)
