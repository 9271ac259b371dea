"""mediadesk assets upload / mediadesk reviews remind."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.cli import main
from mediadesk.creative import services
from mediadesk.creative.models import Asset, AssetVersion, ReviewStage
from mediadesk.delivery.services import placements_for_delivery

from .conftest import html5_zip, png_bytes


def test_upload_prints_each_file_and_exits_1_when_one_is_refused(
    demo: Any, tmp_path: Path, capsys: Any
) -> None:
    campaign = demo.campaign("NWND-AR26")
    placement = next(p for p in placements_for_delivery(campaign) if p.channel == "display")
    good = tmp_path / "mrec.png"
    good.write_bytes(png_bytes(300, 250))
    heavy = tmp_path / "heavy.zip"
    heavy.write_bytes(html5_zip(initial_kb=200))
    renamed = tmp_path / "spot.mp4"
    renamed.write_bytes(png_bytes(300, 250, "not a video"))
    code = main(
        ["assets", "upload", str(good), str(heavy), str(renamed), "--campaign", "NWND-AR26",
         "--by", "ben@demo.test", "--placement", placement.code, "--tag", "autumn"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    mrec = Asset.objects.get(versions__original_name="mrec.png")
    banner = Asset.objects.get(versions__original_name="heavy.zip")
    lines = out.splitlines()
    assert lines[0].startswith(f"uploaded mrec.png as asset {mrec.pk} version 1 (image, 300x250, ")
    assert lines[0].endswith(" kB); findings: none") and "initial load" not in lines[0]
    assert lines[1].startswith(f"uploaded heavy.zip as asset {banner.pk} version 1 (html5, 300x250")
    assert "initial load" in lines[1] and lines[1].endswith("limit 150 kB")
    assert "refused spot.mp4: spot.mp4 is a PNG image" in err
    assert "1 of 3 files refused." in err
    assert Asset.objects.count() == 2
    assert mrec.campaign == campaign and mrec.line_keys == [placement.line_key]
    assert list(mrec.tags.values_list("name", flat=True)) == ["autumn"]
    assert mrec.created_by == demo.ben and mrec.name == "mrec"
    event = AuditEvent.objects.for_object(mrec).latest("pk")
    assert (event.via, event.actor) == ("cli", demo.ben)


def test_upload_a_new_version_and_by_campaign_id(demo: Any, tmp_path: Path, capsys: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    first = tmp_path / "kv.png"
    first.write_bytes(png_bytes(300, 250, "v1"))
    assert main(["assets", "upload", str(first), "--campaign", str(campaign.pk), "--by",
                 "ben@demo.test", "--name", "Key visual"]) == 0  # fmt: skip
    asset = Asset.objects.get()
    assert asset.name == "Key visual"
    second = tmp_path / "kv-v2.png"
    second.write_bytes(png_bytes(300, 250, "v2"))
    assert main(["assets", "upload", str(second), "--asset", str(asset.pk), "--by",
                 "ben@demo.test", "--note", "Bigger logo"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert f"uploaded kv-v2.png as asset {asset.pk} version 2 (image" in out
    assert AssetVersion.objects.get(asset=asset, number=2).note == "Bigger logo"
    # The same file again is refused: exit code 1, nothing added.
    assert main(["assets", "upload", str(second), "--asset", str(asset.pk), "--by",
                 "ben@demo.test"]) == 1  # fmt: skip
    assert "is already in the library" in capsys.readouterr().err
    assert AssetVersion.objects.count() == 2


def test_upload_refusals_before_any_file(demo: Any, tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(png_bytes())
    base = ["assets", "upload", str(image)]
    with pytest.raises(SystemExit, match="Give --campaign"):
        main([*base, "--by", "ben@demo.test"])
    with pytest.raises(SystemExit, match="sees no campaign with the id or code CTSO-5G26"):
        main([*base, "--campaign", "CTSO-5G26", "--by", "dan@demo.test"])
    with pytest.raises(SystemExit, match="No active person"):
        main([*base, "--campaign", "NWND-AR26", "--by", "nobody@demo.test"])
    with pytest.raises(SystemExit, match="Your role does not allow this"):
        main([*base, "--campaign", "NWND-AR26", "--by", "dan@demo.test"])
    with pytest.raises(SystemExit, match="NWND-AR26 has no placement NOPE"):
        main([*base, "--campaign", "NWND-AR26", "--by", "ben@demo.test", "--placement", "NOPE"])
    with pytest.raises(SystemExit, match="--name names one file"):
        main([*base, str(image), "--campaign", "NWND-AR26", "--by", "ben@demo.test",
              "--name", "X"])  # fmt: skip
    with pytest.raises(SystemExit, match="There is no file"):
        main(["assets", "upload", str(tmp_path / "missing.png"), "--campaign", "NWND-AR26",
              "--by", "ben@demo.test"])  # fmt: skip
    with pytest.raises(SystemExit, match="sees no asset 987654321"):
        main([*base, "--asset", "987654321", "--by", "ben@demo.test"])
    assert not Asset.objects.exists()


def test_reviews_remind_emails_the_deciders_of_due_stages(demo: Any, capsys: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    made = services.upload_asset(
        demo.ben,
        client=campaign.client,
        source=io.BytesIO(png_bytes(300, 250, "due")),
        filename="due.png",
        name="Autumn MREC",
        campaign=campaign,
    )
    round_ = services.start_review(demo.ben, made.asset)
    assert main(["reviews", "remind"]) == 0
    assert capsys.readouterr().out.strip() == "Sent 0 review reminders."
    ReviewStage.objects.filter(round=round_, position=1).update(
        due=timezone.localdate() - timedelta(days=1)
    )
    assert main(["reviews", "remind"]) == 0
    assert capsys.readouterr().out.strip() == "Sent 1 review reminder."
    [message] = mail.outbox
    assert message.to == ["ben@demo.test"]
    assert message.subject == "Review due: Autumn MREC (Creative lead)"
    # Once a day.
    assert main(["reviews", "remind"]) == 0
    assert capsys.readouterr().out.strip() == "Sent 0 review reminders."
