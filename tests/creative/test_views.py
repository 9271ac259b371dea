"""The creative pages: the asset library and its uploads, one asset with versions, rights and its
review (pinned comments, decisions), the client reviewer's link page, and every file download.

Files are real: PNGs drawn with Pillow, an MP4 made with ffmpeg (tests/creative/conftest.py).
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone

from creative.conftest import png_bytes
from mediadesk.creative import services, trafficking
from mediadesk.creative.choices import AssetKind, AssetStatus, RoundStatus, StageStatus
from mediadesk.creative.models import (
    Asset,
    AssetVersion,
    ReviewComment,
    ReviewRound,
    ReviewStage,
    UsageRight,
)
from mediadesk.creative.views import parse_range
from mediadesk.delivery.services import placements_for_delivery

pytestmark = pytest.mark.django_db

CAMPAIGN = "NWND-AR26"
INTERNAL_CAMPAIGN = "NWND-RP27"  # not shared with the client's reviewers
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="250">'
    b'<rect width="300" height="250" fill="#c33"/></svg>'
)
LINK = re.compile(r"http://testserver(/creative/review/[^/\s]+/)")


def body(response: Any) -> str:
    return str(response.content.decode())


def png_file(name: str = "mpu.png", width: int = 300, height: int = 250, text: str = "A") -> Any:
    return SimpleUploadedFile(name, png_bytes(width, height, text), content_type="image/png")


def uploaded(
    demo: Any,
    name: str = "Autumn MPU",
    *,
    campaign: str = CAMPAIGN,
    text: str = "A",
    **options: Any,
) -> services.Uploaded:
    width, height = options.pop("size", (300, 250))
    return services.upload_asset(
        demo.ben,
        client=demo.northwind,
        source=io.BytesIO(png_bytes(width, height, text)),
        filename=f"{name}.png",
        name=name,
        campaign=demo.campaign(campaign),
        **options,
    )


def at_client_stage(demo: Any, asset: Asset) -> ReviewStage:
    """Review the asset through both internal stages; the client stage is then active."""
    round_ = services.start_review(demo.ben, asset)
    for _ in range(2):
        stage = services.active_stage(round_)
        assert stage is not None and stage.who == "internal"
        services.decide(demo.ben, stage, "approve")
    stage = services.active_stage(round_)
    assert stage is not None and stage.who == "client"
    return stage


def link_path(demo: Any, stage: ReviewStage, http: HttpClient) -> str:
    """Send the client stage's review link through the page; the path of the e-mailed link."""
    mail.outbox.clear()
    response = http.post(
        f"/creative/stages/{stage.pk}/link/", {"name": "Clara Client", "email": "clara@client.test"}
    )
    assert response.status_code == 302
    found = LINK.search(mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


# --- The library ------------------------------------------------------------------------------


def test_empty_library_says_what_to_do(demo: Any, web_as: Any) -> None:
    text = body(web_as(demo.ben).get("/creative/"))
    assert "No creative yet" in text
    assert "Drop files on the upload box" in text
    assert 'name="files" multiple' in text
    assert 'aria-current="page">Creative</a>' in text


@pytest.mark.parametrize("who", ["alice", "ben", "cara", "dan"])
def test_library_and_asset_page_render_for_each_role(demo: Any, web_as: Any, who: str) -> None:
    asset = uploaded(demo).asset
    at_client_stage(demo, asset)  # so the client reviewer sees it too
    user = getattr(demo, who)
    http = web_as(user)
    listing = body(http.get("/creative/"))
    assert "Autumn MPU" in listing
    page = http.get(asset.get_absolute_url())
    assert page.status_code == 200
    text = body(page)
    assert "300 × 250 px" in text and "Review" in text
    may_edit = who in ("alice", "ben")
    assert ("Upload creative" in listing) is may_edit
    assert ("Upload a new version" in text) is may_edit
    assert ("Add usage rights" in text) is may_edit
    # Only those with the client reviewer's right decide the client stage.
    assert ("Your decision: Client" in text) is (who in ("alice", "dan"))
    assert ("History" in text) is (who != "dan")


def test_library_lists_with_thumbnails_badges_and_counts(demo: Any, web_as: Any) -> None:
    first = uploaded(demo, "Hero 300x250").asset
    uploaded(demo, "Leaderboard", size=(728, 90), text="B")
    services.add_right(
        demo.ben,
        first,
        kind="music",
        holder="Sunny Tunes",
        expires=timezone.localdate() + timedelta(days=10),
    )
    text = body(web_as(demo.ben).get("/creative/"))
    assert "<strong>2</strong> assets" in text
    assert f"/creative/versions/{first.current_version_id}/preview?inline=1" in text
    assert "Rights expire in 10 days" in text
    assert "Not in review" in text
    assert "300×250" in text and "728×90" in text


def test_library_filters(demo: Any, web_as: Any) -> None:
    mpu = uploaded(demo, "Coffee MPU", tags=["hero"]).asset
    board = uploaded(demo, "Coffee board", size=(728, 90), text="B").asset
    uploaded(demo, "Tea MPU", campaign="NWND-WT26", text="C")
    services.add_right(
        demo.ben,
        board,
        kind="stock",
        holder="Pics",
        expires=timezone.localdate() - timedelta(days=1),
    )
    services.start_review(demo.ben, mpu)
    http = web_as(demo.ben)

    def names(**query: str) -> set[str]:
        text = body(http.get("/creative/", query))
        return {
            name for name in ("Coffee MPU", "Coffee board", "Tea MPU") if f">{name}</a>" in text
        }

    assert names() == {"Coffee MPU", "Coffee board", "Tea MPU"}
    assert names(q="coffee") == {"Coffee MPU", "Coffee board"}
    assert names(size="300x250") == {"Coffee MPU", "Tea MPU"}
    assert names(size="728 x 90") == {"Coffee board"}
    assert names(tag="HERO") == {"Coffee MPU"}
    assert names(status="in_review") == {"Coffee MPU"}
    assert names(kind="video") == set()
    assert names(campaign=str(demo.campaign("NWND-WT26").pk)) == {"Tea MPU"}
    assert names(rights="soon") == {"Coffee board"}
    assert names(rights="expired") == {"Coffee board"}
    bad = body(http.get("/creative/", {"size": "huge"}))
    assert "Filter “Size” ignored" in bad
    # Archived assets leave the list unless asked for.
    services.archive_asset(demo.ben, board)
    assert names() == {"Coffee MPU", "Tea MPU"}
    assert names(archived="1") == {"Coffee MPU", "Coffee board", "Tea MPU"}


def test_library_export(demo: Any, web_as: Any) -> None:
    uploaded(demo, "Exported MPU")
    response = web_as(demo.ben).get("/creative/", {"format": "csv"})
    assert response.status_code == 200
    assert "Exported MPU" in response.content.decode()
    assert web_as(demo.dan).get("/creative/", {"format": "csv"}).status_code == 403


def _bulk_assets(demo: Any, count: int) -> None:
    campaign = demo.campaign(CAMPAIGN)
    for number in range(count):
        asset = Asset.objects.create(
            client=demo.northwind, campaign=campaign, kind=AssetKind.IMAGE, name=f"Bulk {number}"
        )
        version = AssetVersion.objects.create(
            asset=asset,
            number=1,
            metadata={"width": 300, "height": 250},
            preview="creative/previews/none.jpg",
            checksum=f"{number:064d}",
        )
        asset.current_version = version
        asset.version_count = 1
        asset.rights_expire = timezone.localdate() + timedelta(days=number % 40)
        asset.save()
        asset.tags.set([])


def test_library_query_count_does_not_grow_with_assets(
    demo: Any, web_as: Any, django_assert_max_num_queries: Any
) -> None:
    http = web_as(demo.ben)
    _bulk_assets(demo, 5)
    http.get("/creative/")  # warm the per-process caches (content types, sessions)
    with django_assert_max_num_queries(20) as few:
        assert http.get("/creative/").status_code == 200
    _bulk_assets(demo, 45)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = http.get("/creative/", {"size": "300x250"})
    assert response.status_code == 200
    assert "<strong>50</strong> assets" in body(response)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Uploads ---------------------------------------------------------------------------------


def test_upload_a_png_through_the_page(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    placement = next(
        p for p in placements_for_delivery(campaign) if p.format == "300x250"
    )  # spiegel.de
    response = web_as(demo.ben).post(
        "/creative/upload/",
        {
            "files": [png_file("autumn-mpu.png")],
            "campaign": campaign.pk,
            "placements": [placement.line_key],
            "tags": "hero, autumn",
        },
        follow=True,
    )
    asset = Asset.objects.get(name="autumn-mpu")
    assert response.redirect_chain[-1][0] == asset.get_absolute_url()
    text = body(response)
    assert "1 file uploaded: “autumn-mpu”" in text
    assert "300 × 250 px" in text and "6:5" in text
    assert asset.line_keys == [placement.line_key]
    assert sorted(asset.tags.values_list("name", flat=True)) == ["autumn", "hero"]
    assert "Meets its specs" in text


def test_upload_many_files_answers_per_file_in_json(demo: Any, web_as: Any) -> None:
    response = web_as(demo.ben).post(
        "/creative/upload/",
        {
            "files": [
                png_file("one.png", text="1"),
                png_file("renamed.mp4", text="2"),
                SimpleUploadedFile("empty.png", b""),
            ],
            "campaign": demo.campaign(CAMPAIGN).pk,
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200  # some uploaded, some refused
    answer = response.json()
    assert (answer["uploaded"], answer["refused"]) == (1, 2)
    first, renamed, empty = answer["results"]
    assert first["ok"] and first["asset"]["metadata"]["width"] == 300
    assert first["asset"]["url"] == f"/creative/{first['asset']['id']}/"
    assert not renamed["ok"] and "renamed.mp4 is a PNG image" in renamed["error"]
    assert not empty["ok"] and "empty" in empty["error"].lower()
    assert list(Asset.objects.values_list("name", flat=True)) == ["one"]


def test_upload_refusals_are_listed_as_messages(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    uploaded(demo, "Original", text="same")
    response = http.post(
        "/creative/upload/",
        {
            "files": [
                SimpleUploadedFile("Original.png", png_bytes(300, 250, "same")),
                png_file("banner.mp4"),
            ],
            "campaign": demo.campaign(CAMPAIGN).pk,
        },
        follow=True,
    )
    text = body(response)
    assert response.redirect_chain[-1][0] == "/creative/"
    assert "Not uploaded: Original.png is already in the library" in text
    assert "Not uploaded: banner.mp4 is a PNG image" in text
    assert Asset.objects.count() == 1


def test_duplicate_upload_in_json_is_a_conflict_with_the_existing_asset(
    demo: Any, web_as: Any
) -> None:
    existing = uploaded(demo, "Original", text="same").asset
    response = web_as(demo.ben).post(
        "/creative/upload/",
        {
            "files": [SimpleUploadedFile("again.png", png_bytes(300, 250, "same"))],
            "client": demo.northwind.pk,
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["results"][0]["existing"] == existing.get_absolute_url()
    assert "already in the library" in response.json()["detail"]


def test_upload_needs_the_creative_role_and_a_visible_campaign(
    demo: Any, web_as: Any, cora: Any
) -> None:
    refused = web_as(demo.cara).post(
        "/creative/upload/",
        {"files": [png_file()], "campaign": demo.campaign(CAMPAIGN).pk},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 403 and "role" in refused.json()["detail"]
    hidden = web_as(cora).post(
        "/creative/upload/", {"files": [png_file()], "campaign": demo.campaign(CAMPAIGN).pk}
    )
    assert hidden.status_code == 404
    assert not Asset.objects.exists()


def test_upload_a_video_and_seek_in_it(demo: Any, web_as: Any, video_2s: bytes) -> None:
    http = web_as(demo.ben)
    response = http.post(
        "/creative/upload/",
        {
            "files": [SimpleUploadedFile("spot.mp4", video_2s, content_type="video/mp4")],
            "campaign": demo.campaign(CAMPAIGN).pk,
        },
        follow=True,
    )
    asset = Asset.objects.get(name="spot")
    version = asset.current_version
    assert asset.kind == "video"
    text = body(response)
    assert "<video controls" in text
    assert f'src="/creative/versions/{version.pk}/file?inline=1"' in text
    assert f'poster="/creative/versions/{version.pk}/preview?inline=1"' in text
    assert "Duration" in text and "h264" in text and "Comment at the current time" not in text
    # The player seeks with byte ranges.
    whole = http.get(f"/creative/versions/{version.pk}/file", {"inline": "1"})
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Length"] == str(len(video_2s))
    assert b"".join(whole.streaming_content) == video_2s
    assert whole["Content-Disposition"].startswith("inline")
    part = http.get(f"/creative/versions/{version.pk}/file", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(video_2s)}"
    assert b"".join(part.streaming_content) == video_2s[100:200]
    tail = http.get(f"/creative/versions/{version.pk}/file", headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == video_2s[-10:]
    beyond = http.get(
        f"/creative/versions/{version.pk}/file", headers={"Range": f"bytes={len(video_2s)}-"}
    )
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(video_2s)}"
    etag = whole["ETag"]
    assert (
        http.get(
            f"/creative/versions/{version.pk}/file", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )


def test_parse_range() -> None:
    assert parse_range("bytes=0-99", 1000) == (0, 99)
    assert parse_range("bytes=900-", 1000) == (900, 999)
    assert parse_range("bytes=-100", 1000) == (900, 999)
    assert parse_range("bytes=990-2000", 1000) == (990, 999)
    assert parse_range("bytes=1000-", 1000) is False
    assert parse_range("bytes=0-1,5-9", 1000) is None  # several ranges: the whole file
    assert parse_range("items=0-1", 1000) is None
    assert parse_range("bytes=50-10", 1000) is None


# --- Files: headers ----------------------------------------------------------------------------


def test_file_headers_are_private_and_never_run_svg(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    version = uploaded(demo).version
    download = http.get(f"/creative/versions/{version.pk}/file")
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="Autumn MPU.png"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, max-age=3600"
    assert download["Content-Type"] == "image/png"
    inline = http.get(f"/creative/versions/{version.pk}/file", {"inline": "1"})
    assert inline["Content-Disposition"].startswith("inline")
    preview = http.get(f"/creative/versions/{version.pk}/preview", {"inline": "1"})
    assert preview.status_code == 200 and preview["Content-Type"].startswith("image/")

    svg = services.upload_asset(
        demo.ben, client=demo.northwind, source=io.BytesIO(SVG), filename="logo.svg"
    ).version
    for path in (f"/creative/versions/{svg.pk}/file", f"/creative/versions/{svg.pk}/preview"):
        response = http.get(path, {"inline": "1"})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert response["X-Content-Type-Options"] == "nosniff"
    # The SVG is still shown on its page, as an image (which never runs scripts).
    page = body(http.get(svg.asset.get_absolute_url()))
    assert f'src="/creative/versions/{svg.pk}/file?inline=1"' in page


def test_copy_has_no_file(demo: Any, web_as: Any) -> None:
    copy = services.upload_copy(
        demo.ben, client=demo.northwind, copy={"headline": ["Roasted right"]}, name="Search copy"
    ).version
    http = web_as(demo.ben)
    assert http.get(f"/creative/versions/{copy.pk}/file").status_code == 404
    assert http.get(f"/creative/versions/{copy.pk}/preview").status_code == 404


# --- Copy --------------------------------------------------------------------------------------


def test_write_copy_with_live_limits(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    page = http.get("/creative/copy/new/")
    assert page.status_code == 200
    text = body(page)
    assert 'id="copy-limits"' in text and '"google-rsa"' in text
    assert 'data-copy-field="headline"' in text and "Headline 15" in text
    response = http.post(
        "/creative/copy/new/",
        {
            "name": "Autumn search",
            "campaign": demo.campaign(CAMPAIGN).pk,
            "spec": "google-rsa",
            "headline_1": "Autumn Roast: the coffee of the season",  # 38 characters
            "headline_2": "Roasted in Hamburg",
            "headline_3": "Order today",
            "description_1": "Our autumn roast, slow and dark.",
            "description_2": "Free delivery over 30 EUR.",
            "path_1": "coffee",
            "final_url": "https://northwind.example/autumn",
        },
        follow=True,
    )
    asset = Asset.objects.get(name="Autumn search")
    assert asset.kind == "copy" and asset.spec_keys == ["google-rsa"]
    text = body(response)
    assert "Copy “Autumn search” saved as version 1" in text
    assert "headline 1 is 38 characters, limit 30" in text
    assert "Autumn Roast: the coffee of the season" in text
    # The next version starts from the current copy.
    again = body(http.get("/creative/copy/new/", {"asset": asset.pk}))
    assert 'value="Roasted in Hamburg"' in again and "Next version of Autumn search" in again
    fixed = http.post(
        "/creative/copy/new/",
        {
            "asset": asset.pk,
            "name": "Autumn search",
            "spec": "google-rsa",
            "headline_1": "Autumn Roast is here",
            "headline_2": "Roasted in Hamburg",
            "headline_3": "Order today",
            "description_1": "Our autumn roast, slow and dark.",
            "description_2": "Free delivery over 30 EUR.",
        },
    )
    assert fixed.status_code == 302
    asset.refresh_from_db()
    assert asset.version_count == 2 and asset.blocking_findings == 0


def test_copy_refusals_come_back_with_what_was_typed(demo: Any, web_as: Any) -> None:
    response = web_as(demo.ben).post(
        "/creative/copy/new/", {"name": "Nothing", "campaign": demo.campaign(CAMPAIGN).pk}
    )
    assert response.status_code == 400
    assert 'value="Nothing"' in body(response)
    assert not Asset.objects.filter(name="Nothing").exists()
    assert web_as(demo.cara).get("/creative/copy/new/").status_code == 403


# --- One asset: versions, compare, edit, rights, archive ----------------------------------------


def test_new_version_through_the_page_and_compare(demo: Any, web_as: Any, video_2s: bytes) -> None:
    http = web_as(demo.ben)
    asset = uploaded(demo).asset
    response = http.post(
        f"/creative/{asset.pk}/versions/",
        {"file": png_file("mpu-v2.png", 300, 600, "v2"), "note": "Taller, new claim"},
        follow=True,
    )
    asset.refresh_from_db()
    assert asset.version_count == 2
    text = body(response)
    assert "Version 2 uploaded" in text and "Taller, new claim" in text
    assert "300 × 600 px" in text
    older = body(http.get(asset.get_absolute_url(), {"version": "1"}))
    assert "You are looking at version 1" in older and "300 × 250 px" in older
    assert http.get(asset.get_absolute_url(), {"version": "9"}).status_code == 404
    compare = http.get(f"/creative/{asset.pk}/compare/")
    text = body(compare)
    assert "Compare v1 and v2" in text
    assert "300 × 250 px" in text and "300 × 600 px" in text and "Changed" in text
    # A file of another kind is refused beside the field, and nothing is stored.
    refused = http.post(
        f"/creative/{asset.pk}/versions/",
        {"file": SimpleUploadedFile("spot.mp4", video_2s)},
    )
    assert refused.status_code == 400
    assert "spot.mp4 is a video, but “Autumn MPU” is an image" in body(refused)
    asset.refresh_from_db()
    assert asset.version_count == 2


def test_compare_needs_two_versions(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    response = web_as(demo.ben).get(f"/creative/{asset.pk}/compare/", follow=True)
    assert "has one version; there is nothing to compare yet" in body(response)


def test_edit_placements_specs_and_tags(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    asset = uploaded(demo).asset
    campaign = demo.campaign(CAMPAIGN)
    tv = next(p for p in placements_for_delivery(campaign) if p.channel == "linear_tv")
    page = body(http.get(f"/creative/{asset.pk}/edit/"))
    assert tv.code in page and "Google responsive search ad" in page
    response = http.post(
        f"/creative/{asset.pk}/edit/",
        {
            "name": "Autumn MPU renamed",
            "campaign": campaign.pk,
            "placements": [tv.line_key],
            "specs": ["iab-728x90"],
            "tags": "hero, de",
            "notes": "For the launch week",
        },
        follow=True,
    )
    asset.refresh_from_db()
    assert asset.name == "Autumn MPU renamed" and asset.line_keys == [tv.line_key]
    text = body(response)
    assert "Changes saved." in text
    # The image is now checked against the TV spot's spec and the leaderboard: both say no.
    assert asset.blocking_findings > 0
    assert "Blocking" in text and "Leaderboard" in text
    bad = http.post(f"/creative/{asset.pk}/edit/", {"name": "", "campaign": campaign.pk})
    assert bad.status_code == 400


def test_rights_add_and_remove(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    asset = uploaded(demo).asset
    soon = timezone.localdate() + timedelta(days=12)
    response = http.post(
        f"/creative/{asset.pk}/rights/",
        {"kind": "talent", "holder": "Jo Model", "territories": "DE, AT", "expires": soon},
        follow=True,
    )
    text = body(response)
    assert "Talent: Jo Model added until" in text
    assert "Rights expire in 12 days" in text and "DE, AT" in text
    refused = http.post(
        f"/creative/{asset.pk}/rights/",
        {"kind": "music", "holder": "X", "territories": "Germany"},
    )
    assert refused.status_code == 400
    assert "use two-letter country codes" in body(refused)
    right = UsageRight.objects.get(asset=asset)
    removed = http.post(f"/creative/rights/{right.pk}/remove/", follow=True)
    assert "Talent: Jo Model removed." in body(removed)
    asset.refresh_from_db()
    assert asset.rights_expire is None


def test_read_only_roles_cannot_change(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    right = services.add_right(demo.ben, asset, kind="stock", holder="Pics")
    http = web_as(demo.cara)
    assert (
        http.post(f"/creative/{asset.pk}/rights/", {"kind": "stock", "holder": "Y"}).status_code
        == 403
    )
    assert http.post(f"/creative/rights/{right.pk}/remove/").status_code == 403
    assert http.post(f"/creative/{asset.pk}/review/").status_code == 403
    assert http.post(f"/creative/{asset.pk}/archive/").status_code == 403
    assert http.get(f"/creative/{asset.pk}/edit/").status_code == 403
    assert http.post(f"/creative/{asset.pk}/versions/", {"file": png_file()}).status_code == 403
    assert UsageRight.objects.filter(asset=asset).count() == 1


def test_archive(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    response = web_as(demo.ben).post(
        f"/creative/{asset.pk}/archive/", {"reason": "Replaced"}, follow=True
    )
    assert "is archived" in body(response)
    asset.refresh_from_db()
    assert asset.is_archived
    page = body(web_as(demo.ben).get(asset.get_absolute_url()))
    assert "Archived" in page and "Upload a new version" not in page


# --- Review: stages, pinned comments, decisions ------------------------------------------------


def test_review_through_every_stage_with_comments(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    asset = uploaded(demo).asset
    page = body(http.get(asset.get_absolute_url()))
    assert "Not in review yet" in page and "start the review to comment" in page
    started = http.post(f"/creative/{asset.pk}/review/", follow=True)
    text = body(started)
    assert "Review 1 of version 1 started: Creative lead decides next" in text
    assert "Your decision: Creative lead" in text
    round_ = ReviewRound.objects.get(asset=asset)

    # A comment pinned to a point, as the page's script posts it.
    pinned = http.post(
        f"/creative/rounds/{round_.pk}/comments/",
        {"body": "Logo too small @alice@demo.test", "x": "0.25", "y": "0.40"},
        headers={"Accept": "application/json"},
    )
    assert pinned.status_code == 201
    answer = pinned.json()
    assert answer["number"] == 1 and answer["pin"]["x"] == "25.000%"
    assert "Logo too small" in answer["html"] and 'id="comment-' in answer["html"]
    assert any("alice@demo.test" in m.to for m in mail.outbox)
    # A region, and a reply without a pin.
    region = http.post(
        f"/creative/rounds/{round_.pk}/comments/",
        {"body": "Crop here", "x": "0.1", "y": "0.1", "width": "0.3", "height": "0.2"},
        headers={"Accept": "application/json"},
    ).json()
    assert region["number"] == 2 and region["pin"]["width"] == "30.000%"
    reply = http.post(
        f"/creative/rounds/{round_.pk}/comments/",
        {"body": "Agreed", "parent": answer["id"]},
        headers={"Accept": "application/json"},
    ).json()
    assert reply["parent"] == answer["id"] and reply["number"] is None
    assert 'class="reply"' in reply["html"] and "Agreed" in reply["html"]
    outside = http.post(
        f"/creative/rounds/{round_.pk}/comments/",
        {"body": "Off the picture", "x": "1.5", "y": "0.2"},
        headers={"Accept": "application/json"},
    )
    assert outside.status_code == 400 and "errors" in outside.json()
    # Without scripts: the form posts and the page comes back at the comment.
    plain = http.post(f"/creative/rounds/{round_.pk}/comments/", {"body": "Plain one"})
    assert plain.status_code == 302 and "#comment-" in plain["Location"]
    empty = http.post(f"/creative/rounds/{round_.pk}/comments/", {"body": ""})
    assert empty.status_code == 400

    text = body(http.get(asset.get_absolute_url()))
    assert '<a href="#comment-' in text and 'class="pin-dot" cx="25.000%" cy="40.000%"' in text
    assert "Pinned at 25 %, 40 %" in text and "Region at 10 %, 10 % (30 × 20 %)" in text
    assert "Agreed" in text

    # Resolve and reopen.
    comment = ReviewComment.objects.get(pk=answer["id"])
    http.post(f"/creative/comments/{comment.pk}/resolve/", {"resolved": "1"})
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    assert "Reopen" in body(http.get(asset.get_absolute_url()))
    http.post(f"/creative/comments/{comment.pk}/resolve/", {"resolved": "0"})
    comment.refresh_from_db()
    assert comment.resolved_at is None

    # Request changes needs a note.
    stage = round_.stages.get(position=1)
    refused = http.post(f"/creative/stages/{stage.pk}/decide/", {"decision": "request_changes"})
    assert refused.status_code == 400
    assert "Say what needs to change" in body(refused)
    sent_back = http.post(
        f"/creative/stages/{stage.pk}/decide/",
        {"decision": "request_changes", "note": "Bigger logo please"},
        follow=True,
    )
    assert "is now changes requested" in body(sent_back)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.CHANGES_REQUESTED

    # Version 2, a new review, approved by both internal stages and the client.
    http.post(f"/creative/{asset.pk}/versions/", {"file": png_file("v2.png", text="v2")})
    http.post(f"/creative/{asset.pk}/review/")
    second = ReviewRound.objects.get(asset=asset, number=2)
    assert second.version.number == 2
    for position in (1, 2):
        stage = second.stages.get(position=position)
        http.post(f"/creative/stages/{stage.pk}/decide/", {"decision": "approve"})
    client_stage = second.stages.get(position=3)
    assert client_stage.status == StageStatus.ACTIVE
    page = body(http.get(asset.get_absolute_url()))
    assert "Send the client a review link" in page and "Your decision: Client" not in page
    # Ben is no client reviewer: the service refuses him.
    assert (
        http.post(
            f"/creative/stages/{client_stage.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    dan = web_as(demo.dan)
    assert "Your decision: Client" in body(dan.get(asset.get_absolute_url()))
    done = dan.post(
        f"/creative/stages/{client_stage.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "Client stage approved" in body(done)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.APPROVED
    second.refresh_from_db()
    assert second.status == RoundStatus.APPROVED


def test_decision_on_a_stage_that_is_not_active_is_refused(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    round_ = services.start_review(demo.ben, asset)
    later = round_.stages.get(position=2)
    response = web_as(demo.ben).post(
        f"/creative/stages/{later.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "The Legal stage is not awaiting a decision" in body(response)


def test_video_comment_at_a_time_code(demo: Any, web_as: Any, video_2s: bytes) -> None:
    http = web_as(demo.ben)
    asset = services.upload_asset(
        demo.ben, client=demo.northwind, source=io.BytesIO(video_2s), filename="spot.mp4"
    ).asset
    round_ = services.start_review(demo.ben, asset)
    text = body(http.get(asset.get_absolute_url()))
    assert "Comment at the current time" in text
    response = http.post(
        f"/creative/rounds/{round_.pk}/comments/",
        {"body": "Cut earlier", "time_seconds": "1.25"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201 and response.json()["pin"] is None
    page = body(http.get(asset.get_absolute_url()))
    assert "At 0:01.2" in page or "At 0:01.3" in page
    assert 'data-seek="1.250"' in page


# --- The client reviewer: only what was sent to them ----------------------------------------


def test_client_reviewer_sees_only_assets_sent_to_a_client_stage(demo: Any, web_as: Any) -> None:
    draft = uploaded(demo, "Draft MPU", text="1").asset
    internal = uploaded(demo, "Internal stage MPU", text="2").asset
    services.start_review(demo.ben, internal)
    shared = uploaded(demo, "Shared MPU", text="3").asset
    at_client_stage(demo, shared)
    unshared = uploaded(demo, "Unshared campaign MPU", campaign=INTERNAL_CAMPAIGN, text="4").asset
    at_client_stage(demo, unshared)
    http = web_as(demo.dan)
    listing = body(http.get("/creative/"))
    assert "Shared MPU" in listing
    for hidden in (draft, internal, unshared):
        assert hidden.name not in listing
        assert http.get(hidden.get_absolute_url()).status_code == 404
        assert http.get(f"/creative/versions/{hidden.current_version_id}/file").status_code == 404
    assert http.get(shared.get_absolute_url()).status_code == 200
    assert http.get(f"/creative/versions/{shared.current_version_id}/file").status_code == 200
    assert http.get(f"/creative/{shared.pk}/edit/").status_code == 403


# --- Isolation: another client's creative does not exist for you -------------------------------


def test_another_clients_user_gets_404_everywhere(demo: Any, web_as: Any, cora: Any) -> None:
    asset = uploaded(demo, "Secret Northwind MPU").asset
    second = services.upload_version(
        demo.ben, asset, source=io.BytesIO(png_bytes(300, 250, "v2")), filename="v2.png"
    ).version
    right = services.add_right(demo.ben, asset, kind="music", holder="Secret Tunes")
    stage = at_client_stage(demo, asset)
    round_ = stage.round
    comment = services.add_comment(demo.ben, round_, "Secret comment", x=None, y=None)
    asset.refresh_from_db()
    version = asset.current_version
    assert version == second
    http = web_as(cora)
    urls = [
        f"/creative/{asset.pk}/",
        f"/creative/{asset.pk}/?version=1",
        f"/creative/{asset.pk}/edit/",
        f"/creative/{asset.pk}/versions/",
        f"/creative/{asset.pk}/compare/",
        f"/creative/{asset.pk}/rights/",
        f"/creative/rights/{right.pk}/remove/",
        f"/creative/{asset.pk}/archive/",
        f"/creative/{asset.pk}/review/",
        f"/creative/stages/{stage.pk}/decide/",
        f"/creative/stages/{stage.pk}/link/",
        f"/creative/rounds/{round_.pk}/comments/",
        f"/creative/comments/{comment.pk}/resolve/",
        f"/creative/versions/{version.pk}/file",
        f"/creative/versions/{version.pk}/preview",
        f"/creative/copy/new/?asset={asset.pk}",
    ]
    for url in urls:
        for method in ("get", "post"):
            # (a GET with data would replace the URL's own query)
            data = {} if "?" in url else {"decision": "approve", "body": "x"}
            response = getattr(http, method)(url, data)
            assert response.status_code in (404, 405), (method, url, response.status_code)
            if response.status_code == 405:
                continue
            assert b"Secret" not in response.content, url
    for query in ({}, {"q": "Secret"}, {"client": str(demo.northwind.pk)}, {"format": "csv"}):
        response = http.get("/creative/", query)
        assert b"Secret Northwind MPU" not in response.content, query
    assert UsageRight.objects.filter(pk=right.pk).exists()
    asset.refresh_from_db()
    assert asset.archived_at is None and asset.status == AssetStatus.IN_REVIEW
    assert ReviewComment.objects.filter(round=round_).count() == 1


# --- The public review link -------------------------------------------------------------------


def test_review_link_lets_the_client_comment_and_decide(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    stage = at_client_stage(demo, asset)
    path = link_path(demo, stage, web_as(demo.ben))
    outsider = HttpClient()
    page = outsider.get(path)
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    text = body(page)
    assert "Hello Clara Client" in text and "<strong>Client</strong> stage" in text
    assert f'src="{path}file?inline=1"' in text
    assert 'aria-label="Main"' not in text  # no app navigation
    image = outsider.get(f"{path}file", {"inline": "1"})
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png_bytes(300, 250, "A")
    assert outsider.get(f"{path}file", {"preview": "1"}).status_code == 200

    pinned = outsider.post(
        path,
        {"action": "comment", "body": "Warmer colours", "x": "0.5", "y": "0.5"},
        headers={"Accept": "application/json"},
    )
    assert pinned.status_code == 201 and pinned.json()["number"] == 1
    comment = ReviewComment.objects.get(round=stage.round)
    assert comment.author is None and comment.author_label == "Clara Client"
    plain = outsider.post(path, {"action": "comment", "body": "And a plain one"})
    assert plain.status_code == 302
    missing_note = outsider.post(path, {"action": "decide", "decision": "reject"})
    assert missing_note.status_code == 400
    decided = outsider.post(path, {"action": "decide", "decision": "approve"}, follow=True)
    text = body(decided)
    assert "Thank you" in text and "Approved" in text
    assert 'value="approve"' not in text
    asset.refresh_from_db()
    assert asset.status == AssetStatus.APPROVED
    stage.refresh_from_db()
    assert stage.decided_label == "Clara Client" and stage.decided_by is None
    # Opened again later: the decision, no buttons.
    later = body(outsider.get(path))
    assert "Approved</strong> by Clara Client" in later and 'value="approve"' not in later
    # The agency sees the client's comments and decision.
    inside = body(web_as(demo.ben).get(asset.get_absolute_url()))
    assert "Warmer colours" in inside and "Clara Client" in inside


def test_tampered_and_replaced_links(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    stage = at_client_stage(demo, asset)
    path = link_path(demo, stage, web_as(demo.ben))
    outsider = HttpClient()
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = f"/creative/review/{token[:-2]}xx/"
    for url in (tampered, f"{tampered}file"):
        response = outsider.get(url)
        assert response.status_code == 404
        assert "This review link is not valid" in body(response)
        assert b"Autumn MPU" not in response.content
    ReviewStage.objects.filter(pk=stage.pk).update(link_nonce="replaced")
    for url in (path, f"{path}file"):
        response = outsider.get(url)
        assert response.status_code == 410
        assert "replaced by a newer one" in body(response)
        assert b"Autumn MPU" not in response.content
    assert outsider.post(path, {"action": "decide", "decision": "approve"}).status_code == 410
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_REVIEW


def test_expired_review_link(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    stage = at_client_stage(demo, asset)
    path = link_path(demo, stage, web_as(demo.ben))
    later = timezone.now() + timedelta(days=60)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = HttpClient().get(path)
    assert response.status_code == 410
    assert "has expired" in body(response)


def test_link_of_a_superseded_review_shows_no_buttons(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    stage = at_client_stage(demo, asset)
    path = link_path(demo, stage, web_as(demo.ben))
    services.upload_version(
        demo.ben, asset, source=io.BytesIO(png_bytes(300, 250, "v2")), filename="v2.png"
    )
    text = body(HttpClient().get(path))
    assert "This review is closed" in text and 'value="approve"' not in text
    refused = HttpClient().post(path, {"action": "decide", "decision": "approve"})
    assert refused.status_code == 409


# --- A vendor's download link from the trafficking sheet ---------------------------------------


def test_file_link(demo: Any) -> None:
    version = uploaded(demo).version
    token = trafficking.file_link(version)
    outsider = HttpClient()
    response = outsider.get(f"/creative/files/{token}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == png_bytes(300, 250, "A")
    assert outsider.get(f"/creative/files/{token[:-2]}xx/").status_code == 404
    forged = signing.dumps({"version": version.pk, "sum": "0" * 16}, salt=trafficking.FILE_SALT)
    gone = outsider.get(f"/creative/files/{forged}/")
    assert gone.status_code == 410 and "no longer available" in body(gone)
    later = timezone.now() + timedelta(days=trafficking.FILE_LINK_DAYS + 1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = outsider.get(f"/creative/files/{token}/")
    assert expired.status_code == 410 and "has expired" in body(expired)


def test_pages_need_a_login(demo: Any) -> None:
    asset = uploaded(demo).asset
    outsider = HttpClient()
    for url in (
        "/creative/",
        asset.get_absolute_url(),
        f"/creative/versions/{asset.current_version_id}/file",
    ):
        response = outsider.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_json_comment_errors_keep_nothing(demo: Any, web_as: Any) -> None:
    asset = uploaded(demo).asset
    round_ = services.start_review(demo.ben, asset)
    response = web_as(demo.ben).post(
        f"/creative/rounds/{round_.pk}/comments/",
        {"body": "x", "parent": "999999"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert json.loads(response.content)["detail"]
    assert not ReviewComment.objects.exists()
