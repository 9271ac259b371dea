"""The creative API: uploads with real files, refusals, reviews through every stage, rights
against trafficking, the vendor sheet, and isolation between clients on every endpoint."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from mediadesk.creative.models import Asset, AssetVersion, Assignment, ReviewRound
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.planning.models import Campaign, Placement

from .conftest import html5_zip, png_bytes

CAMPAIGN = "NWND-AR26"  # Northwind, shared with the client; Ben coordinates, Dan reviews


def upload(api: Any, data: bytes, filename: str, **fields: Any) -> Any:
    body = {"file": SimpleUploadedFile(filename, data), **{k: str(v) for k, v in fields.items()}}
    return api.http.post("/api/v1/assets", body, headers=api.headers)


def display(campaign: Campaign) -> Placement:
    """The campaign's 300x250 display placement on its current plan."""
    return next(p for p in placements_for_delivery(campaign) if p.channel == "display")


def noisy_png(side: int = 100) -> bytes:
    """A PNG of random pixels: it does not compress, so it weighs about 3 bytes a pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(media_root: Path) -> list[Path]:
    """Creative files kept in storage (the demo's vendor documents live elsewhere)."""
    return sorted(path for path in (media_root / "creative").rglob("*") if path.is_file())


def approve_all(ben_api: Any, dan_api: Any, round_id: int) -> dict[str, Any]:
    """Creative lead and legal (Ben, internal), then the client stage (Dan)."""
    for api in (ben_api, ben_api, dan_api):
        decided = api.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
        assert decided.status_code == 200, decided.content
    body: dict[str, Any] = decided.json()
    return body


@pytest.fixture
def ben(demo: Any, api_as: Any) -> Any:
    return api_as(demo.ben)


@pytest.fixture
def campaign(demo: Any) -> Campaign:
    return demo.campaign(CAMPAIGN)


# --- uploads ----------------------------------------------------------------------------------


def test_uploading_a_png_answers_201_with_its_width_and_height(
    campaign: Campaign, ben: Any
) -> None:
    data = png_bytes(300, 250)
    placement = display(campaign)
    response = upload(
        ben, data, "mrec-autumn.png", campaign=campaign.pk, name="MREC autumn",
        placements=str(placement.pk), tags="autumn, display", note="first cut",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["name"], body["campaign"], body["status"]) == (
        "image", "MREC autumn", campaign.pk, "draft",
    )  # fmt: skip
    assert (body["metadata"]["width"], body["metadata"]["height"]) == (300, 250)
    assert body["tags"] == ["autumn", "display"]
    assert body["placements"] == [placement.line_key]  # the id became the line key
    [version] = body["versions"]
    assert version["number"] == 1 and version["file_name"] == "mrec-autumn.png"
    assert version["bytes"] == len(data) and len(version["checksum"]) == 64
    assert version["metadata"] == body["metadata"] and version["findings"] == body["findings"]
    assert version["checked_specs"] == ["iab-300x250"] and version["note"] == "first cut"
    assert version["file_url"] == f"/creative/versions/{version['id']}/file"
    assert body["findings"] == [] and body["rights"] == [] and body["rights_state"] == "none"
    # The file comes back, streamed, byte for byte.
    download = ben.get(f"/api/v1/assets/{body['id']}/versions/1/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Type"] == "image/png"
    assert ben.get(f"/api/v1/assets/{body['id']}/versions/2/file").status_code == 404
    assert ben.get(f"/api/v1/assets/{body['id']}").json() == body


def test_a_png_renamed_mp4_is_refused_with_a_reason_and_nothing_stored(
    campaign: Campaign, ben: Any, media_root: Path
) -> None:
    response = upload(ben, png_bytes(), "spot.mp4", campaign=campaign.pk, name="Spot")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "spot.mp4" in detail and "PNG" in detail
    assert not Asset.objects.exists() and not AssetVersion.objects.exists()
    assert stored_files(media_root) == []


def test_an_html5_banner_over_its_weight_limit_gets_a_finding_naming_the_limit(
    campaign: Campaign, ben: Any
) -> None:
    response = upload(ben, html5_zip(initial_kb=200), "mrec.zip", campaign=campaign.pk, name="B")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "html5"
    assert (body["metadata"]["width"], body["metadata"]["height"]) == (300, 250)
    messages = [finding["message"] for finding in body["findings"]]
    [load] = [m for m in messages if "initial load" in m]
    assert load.startswith("300x250 HTML5 zip: initial load 2") and load.endswith("limit 150 kB")
    assert body["blocking_findings"] >= 1
    # A blocking finding stops the approval: 409 with the finding's sentence.
    round_id = ben.post(f"/api/v1/assets/{body['id']}/reviews", {}).json()["id"]
    refused = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
    assert refused.status_code == 409
    assert "limit 150 kB" in refused.json()["detail"]
    # Within the limit, no finding.
    light = upload(ben, html5_zip(initial_kb=40), "light.zip", campaign=campaign.pk, name="L")
    assert light.status_code == 201 and light.json()["findings"] == []


def test_duplicate_empty_and_oversized_files_are_refused(
    campaign: Campaign, ben: Any, settings: Any, media_root: Path
) -> None:
    data = png_bytes(300, 250)
    first = upload(ben, data, "a.png", campaign=campaign.pk, name="A").json()
    again = upload(ben, data, "copy-of-a.png", campaign=campaign.pk, name="Again")
    assert again.status_code == 409
    assert again.json()["existing"] == {"asset": first["id"], "version": 1}
    assert "already in the library" in again.json()["detail"]
    # Also as a new version of another asset.
    other = upload(ben, png_bytes(300, 250, "other"), "b.png", campaign=campaign.pk).json()
    as_version = upload(ben, data, "a.png", asset=other["id"])
    assert as_version.status_code == 409
    files_before = stored_files(media_root)

    empty = upload(ben, b"", "empty.png", campaign=campaign.pk, name="Empty")
    assert empty.status_code == 400 and "empty (0 bytes)" in empty.json()["detail"]
    settings.CREATIVE_MAX_UPLOAD_BYTES = 10_000
    big = noisy_png()
    assert len(big) > 10_000
    over = upload(ben, big, "big.png", campaign=campaign.pk, name="Big")
    assert over.status_code == 400
    assert "MEDIADESK_CREATIVE_MAX_UPLOAD_MB" in over.json()["detail"]
    assert Asset.objects.count() == 2 and AssetVersion.objects.count() == 2
    assert stored_files(media_root) == files_before


def test_a_new_version_by_upload_and_its_kind_must_match(
    campaign: Campaign, ben: Any, video_2s: bytes, settings: Any
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django spools every upload to a temporary file
    asset = upload(ben, png_bytes(300, 250), "v1.png", campaign=campaign.pk, name="KV").json()
    second = upload(
        ben, png_bytes(300, 600, "v2"), "v2.png", asset=asset["id"], note="taller",
        tags="hero", name="Key visual",
    )  # fmt: skip
    assert second.status_code == 201, second.content
    body = second.json()
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert body["current_version"] == 2 and body["metadata"]["height"] == 600
    assert body["name"] == "Key visual" and body["tags"] == ["hero"]
    # Placements sent with a version are checked before its file is stored.
    unknown = upload(ben, png_bytes(300, 50, "v3"), "v3.png", asset=asset["id"], placements="x1")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "placements"
    assert AssetVersion.objects.filter(asset_id=asset["id"]).count() == 2
    video = upload(ben, video_2s, "spot.mp4", asset=asset["id"])
    assert video.status_code == 400 and "Upload it as a new asset" in video.json()["detail"]
    spot = upload(ben, video_2s, "spot.mp4", campaign=campaign.pk, name="Spot")
    assert spot.status_code == 201, spot.content
    assert spot.json()["kind"] == "video"
    assert spot.json()["metadata"]["width"] == 320


def test_copy_assets_are_checked_against_their_spec(campaign: Campaign, ben: Any) -> None:
    created = ben.post(
        "/api/v1/assets/copy",
        {"name": "Search copy", "campaign": campaign.pk, "specs": ["google-rsa"],
         "copy": {"headline": ["Autumn Roast is here", "Roasted slow for a rounder cup today",
                               "Order now"],
                  "description": ["Freshly roasted.", "Delivered to your door."],
                  "final url": "https://northwind.example/autumn"}},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "copy" and body["specs"] == ["google-rsa"]
    assert body["versions"][0]["copy"]["headline"][0] == "Autumn Roast is here"
    assert body["versions"][0]["file_url"] is None
    assert any(f["message"] == "headline 2 is 36 characters, limit 30" for f in body["findings"]), (
        body["findings"]
    )
    no_file = ben.get(f"/api/v1/assets/{body['id']}/versions/1/file")
    assert no_file.status_code == 404
    fixed = ben.post(
        "/api/v1/assets/copy",
        {"asset": body["id"], "copy": {"headline": ["Autumn Roast", "Slow roasted", "Order"],
                                       "description": ["Fresh.", "Delivered."]}},
    )  # fmt: skip
    assert fixed.status_code == 201 and fixed.json()["current_version"] == 2
    assert fixed.json()["findings"] == []
    bad = ben.post(
        "/api/v1/assets/copy",
        {"name": "Bad", "campaign": campaign.pk, "copy": {"slogan": "Roasted"}},
    )
    assert bad.status_code == 400 and "slogan" in bad.json()["detail"]
    unknown_spec = ben.post(
        "/api/v1/assets/copy",
        {"name": "X", "campaign": campaign.pk, "specs": ["no-such"], "copy": {"headline": "A"}},
    )
    assert unknown_spec.status_code == 422
    assert unknown_spec.json()["detail"][0]["field"] == "specs"


def test_patch_list_filters_and_archive(
    campaign: Campaign, ben: Any, demo: Any, api_as: Any
) -> None:
    placement = display(campaign)
    mrec = upload(ben, png_bytes(300, 250), "mrec.png", campaign=campaign.pk, name="MREC").json()
    sky = upload(ben, png_bytes(160, 600), "sky.png", campaign=campaign.pk, name="Sky").json()
    patched = ben.patch(
        f"/api/v1/assets/{sky['id']}",
        {"name": "Skyscraper", "tags": ["winter"], "placements": [placement.line_key],
         "notes": "for Spiegel"},
    )  # fmt: skip
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["name"], body["tags"], body["placements"], body["notes"]) == (
        "Skyscraper", ["winter"], [placement.line_key], "for Spiegel",
    )  # fmt: skip
    # Checked again against the placement's 300x250 spec: the size is wrong.
    assert any("300x250" in f["message"] for f in body["findings"]), body["findings"]
    unknown = ben.patch(f"/api/v1/assets/{sky['id']}", {"placements": ["987654321"]})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "placements"

    def ids(**params: Any) -> list[int]:
        listing = ben.get("/api/v1/assets", **params).json()
        return sorted(item["id"] for item in listing["items"])

    assert ids() == sorted([mrec["id"], sky["id"]])
    assert ids(tag="winter") == [sky["id"]]
    assert ids(q="sky") == [sky["id"]]
    assert ids(q="mrec.png") == [mrec["id"]]
    assert ids(size="300x250") == [mrec["id"]]
    assert ids(kind="video") == []
    assert ids(status="draft", campaign=campaign.pk) == sorted([mrec["id"], sky["id"]])
    soon = timezone.localdate() + timedelta(days=10)
    right = {"kind": "stock", "holder": "Stock Co", "expires": str(soon)}
    assert ben.post(f"/api/v1/assets/{mrec['id']}/rights", right).status_code == 201
    assert ids(expiring="true") == [mrec["id"]]
    assert ids(expiring="false") == [sky["id"]]
    assert ben.get("/api/v1/assets", size="big").status_code == 422
    listing = ben.get("/api/v1/assets", limit=1).json()
    assert listing["count"] == 2 and len(listing["items"]) == 1

    archived = ben.post(f"/api/v1/assets/{sky['id']}/archive", {"reason": "Replaced"})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert ids() == [mrec["id"]] and ids(archived="true") == [sky["id"]]
    # Other roles: finance reads, cannot change (403); the role is named.
    cara = api_as(demo.cara)
    assert cara.get(f"/api/v1/assets/{mrec['id']}").status_code == 200
    refused = cara.patch(f"/api/v1/assets/{mrec['id']}", {"name": "Mine"})
    assert refused.status_code == 403 and "coordinator" in refused.json()["detail"]
    refused_upload = upload(cara, png_bytes(300, 50), "x.png", campaign=campaign.pk)
    assert refused_upload.status_code == 403


def test_the_asset_list_costs_the_same_queries_for_more_assets(
    campaign: Campaign, ben: Any
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert ben.get("/api/v1/assets").status_code == 200
        return len(queries)

    upload(ben, png_bytes(300, 250, "1"), "1.png", campaign=campaign.pk, tags="a")
    few = count()
    for n in range(2, 6):
        upload(ben, png_bytes(300, 250, str(n)), f"{n}.png", campaign=campaign.pk, tags=f"t{n}")
    assert count() == few


# --- reviews ----------------------------------------------------------------------------------


def test_review_through_every_stage_with_pinned_comments(
    campaign: Campaign, ben: Any, demo: Any, api_as: Any
) -> None:
    dan = api_as(demo.dan)
    cara = api_as(demo.cara)
    asset = upload(ben, png_bytes(300, 250), "mrec.png", campaign=campaign.pk, name="M").json()
    # Not yet sent to the client: Dan sees nothing of it.
    assert dan.get(f"/api/v1/assets/{asset['id']}").status_code == 404
    assert dan.get("/api/v1/assets").json()["count"] == 0

    started = ben.post(f"/api/v1/assets/{asset['id']}/reviews", {})
    assert started.status_code == 201, started.content
    round_ = started.json()
    round_id = round_["id"]
    assert [(s["position"], s["name"], s["who"], s["status"]) for s in round_["stages"]] == [
        (1, "Creative lead", "internal", "active"),
        (2, "Legal", "internal", "waiting"),
        (3, "Client", "client", "waiting"),
    ]
    assert round_["active_stage"] == 1 and round_["version"] == 1 and round_["status"] == "open"
    assert round_["stages"][0]["due"] == str(timezone.localdate() + timedelta(days=2))
    assert ben.get(f"/api/v1/assets/{asset['id']}").json()["status"] == "in_review"
    assert dan.get(f"/api/v1/reviews/{round_id}").status_code == 404
    assert dan.get("/api/v1/reviews").json()["count"] == 0

    pinned = ben.post(
        f"/api/v1/reviews/{round_id}/comments",
        {"body": "Logo larger, @alice@demo.test?", "x": "0.5", "y": "0.25", "width": "0.2",
         "height": "0.1"},
    )  # fmt: skip
    assert pinned.status_code == 201, pinned.content
    comment = pinned.json()
    assert comment["pin"] == {
        "x": "0.50000", "y": "0.25000", "width": "0.20000", "height": "0.10000",
        "page": None, "time_seconds": None,
    }  # fmt: skip
    assert comment["author"] == "ben@demo.test" and comment["mentions"] == ["alice@demo.test"]
    assert [message.to for message in mail.outbox] == [["alice@demo.test"]]
    reply = ben.post(
        f"/api/v1/reviews/{round_id}/comments", {"body": "Done in v2", "parent": comment["id"]}
    ).json()
    assert reply["parent"] == comment["id"] and reply["pin"] is None
    outside = ben.post(f"/api/v1/reviews/{round_id}/comments", {"body": "?", "x": "1.5", "y": "0"})
    assert outside.status_code == 422 and outside.json()["detail"][0]["field"] == "x"
    resolved = ben.post(f"/api/v1/reviews/{round_id}/comments/{comment['id']}/resolve", {})
    assert resolved.status_code == 200 and resolved.json()["resolved"] is True
    reopened = ben.post(
        f"/api/v1/reviews/{round_id}/comments/{comment['id']}/resolve", {"resolved": False}
    )
    assert reopened.json()["resolved"] is False

    # Finance reads the review but cannot decide an internal stage.
    assert cara.get(f"/api/v1/reviews/{round_id}").status_code == 200
    forbidden = cara.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
    assert forbidden.status_code == 403
    no_note = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "reject"})
    assert no_note.status_code == 422 and no_note.json()["detail"][0]["field"] == "note"

    first = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"}).json()
    assert first["active_stage"] == 2
    assert first["stages"][0]["decided_by"] == "ben@demo.test"
    second = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"}).json()
    assert second["active_stage"] == 3
    # The client stage: only the client's reviewer (or an admin) decides; now Dan sees it.
    coordinator = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
    assert coordinator.status_code == 403
    assert dan.get(f"/api/v1/assets/{asset['id']}").status_code == 200
    seen = dan.get(f"/api/v1/reviews/{round_id}").json()
    assert len(seen["comments"]) == 2
    assert dan.get("/api/v1/reviews", asset=asset["id"]).json()["count"] == 1
    dan_comment = dan.post(f"/api/v1/reviews/{round_id}/comments", {"body": "Fine by us"})
    assert dan_comment.status_code == 201
    last = dan.post(
        f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve", "note": "Go"}
    ).json()
    assert last["status"] == "approved" and last["active_stage"] is None
    assert [s["status"] for s in last["stages"]] == ["approved"] * 3
    assert last["stages"][2]["decided_by"] == "dan@demo.test" and last["stages"][2]["note"] == "Go"
    assert ben.get(f"/api/v1/assets/{asset['id']}").json()["status"] == "approved"
    closed = ben.post(f"/api/v1/reviews/{round_id}/decisions", {"decision": "approve"})
    assert closed.status_code == 409 and "awaits a decision" in closed.json()["detail"]
    assert ben.get("/api/v1/reviews", status="approved").json()["count"] == 1
    assert ben.get("/api/v1/reviews", status="open").json()["count"] == 0


def test_changes_requested_then_a_new_version_goes_through_again(
    campaign: Campaign, ben: Any
) -> None:
    asset = upload(ben, png_bytes(300, 250), "v1.png", campaign=campaign.pk, name="M").json()
    round_id = ben.post(f"/api/v1/assets/{asset['id']}/reviews", {}).json()["id"]
    changes = ben.post(
        f"/api/v1/reviews/{round_id}/decisions",
        {"decision": "request_changes", "note": "Brighter please"},
    ).json()
    assert changes["status"] == "changes_requested"
    assert [s["status"] for s in changes["stages"]] == [
        "changes_requested", "skipped", "skipped",
    ]  # fmt: skip
    assert ben.get(f"/api/v1/assets/{asset['id']}").json()["status"] == "changes_requested"
    upload(ben, png_bytes(300, 250, "brighter"), "v2.png", asset=asset["id"])
    assert ben.get(f"/api/v1/assets/{asset['id']}").json()["status"] == "draft"
    again = ben.post(f"/api/v1/assets/{asset['id']}/reviews", {}).json()
    assert (again["number"], again["version"]) == (2, 2)
    # A newer version supersedes an open round.
    upload(ben, png_bytes(300, 250, "v3"), "v3.png", asset=asset["id"])
    assert ReviewRound.objects.get(pk=again["id"]).status == "superseded"


# --- rights and trafficking -------------------------------------------------------------------


def test_expiring_rights_block_trafficking_past_the_expiry_and_allow_it_within(
    campaign: Campaign, ben: Any, demo: Any, api_as: Any
) -> None:
    today = timezone.localdate()
    placement = display(campaign)
    # The placement runs from a week ago for two more months, whatever day the test runs.
    Placement.objects.filter(pk=placement.pk).update(
        start=today - timedelta(days=7), end=today + timedelta(days=60)
    )
    asset = upload(
        ben, png_bytes(300, 250), "mrec.png", campaign=campaign.pk, name="MREC",
        placements=placement.line_key,
    ).json()  # fmt: skip
    expires = today + timedelta(days=20)
    with_right = ben.post(
        f"/api/v1/assets/{asset['id']}/rights",
        {"kind": "music", "holder": "Sunny Tunes Ltd", "territories": ["de", "AT"],
         "expires": str(expires)},
    )  # fmt: skip
    assert with_right.status_code == 201, with_right.content
    body = with_right.json()
    assert body["rights_expire"] == str(expires) and body["rights_state"] == "expiring"
    assert body["rights"][0]["territories"] == ["DE", "AT"]

    not_approved = ben.post(
        "/api/v1/trafficking", {"asset": asset["id"], "placement": placement.pk}
    )
    assert not_approved.status_code == 409
    assert "only approved versions can be trafficked" in not_approved.json()["detail"]
    round_id = ben.post(f"/api/v1/assets/{asset['id']}/reviews", {}).json()["id"]
    approve_all(ben, api_as(demo.dan), round_id)

    past = ben.post(
        "/api/v1/trafficking",
        {"asset": asset["id"], "placement": placement.pk, "ends": str(today + timedelta(days=40))},
    )
    assert past.status_code == 409
    assert past.json()["detail"] == (
        f"Music rights (Sunny Tunes Ltd) expire on {expires:%d %b %Y}, but the run ends on "
        f"{today + timedelta(days=40):%d %b %Y}; end it on or before {expires:%d %b %Y} or renew "
        "the rights."
    )
    assert not Assignment.objects.exists()
    within = ben.post(
        "/api/v1/trafficking",
        {"version": asset["versions"][0]["id"], "placement": placement.pk, "starts": str(today),
         "ends": str(expires), "weight": 60, "click_url": "https://northwind.example/autumn"},
    )  # fmt: skip
    assert within.status_code == 201, within.content
    assignment = within.json()
    assert (assignment["asset"], assignment["version_number"], assignment["weight"]) == (
        asset["id"], 1, 60,
    )  # fmt: skip
    assert assignment["ends"] == str(expires) and assignment["line_key"] == placement.line_key
    assert assignment["tracked_url"].startswith("https://northwind.example/autumn?")
    assert "utm_source=spiegel_media" in assignment["tracked_url"]
    assert "utm_campaign=nwnd-ar26" in assignment["tracked_url"]

    listed = ben.get("/api/v1/trafficking", campaign=campaign.pk).json()
    assert [item["id"] for item in listed["items"]] == [assignment["id"]]
    sheet = ben.get(f"/api/v1/campaigns/{campaign.pk}/trafficking/sheet", vendor="Spiegel Media")
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    )
    assert rows[1][5] == "MREC" and rows[1][7] == "mrec.png"
    assert str(rows[1][14]).startswith("http://testserver/creative/files/")
    other_vendor = ben.get(f"/api/v1/campaigns/{campaign.pk}/trafficking/sheet", vendor="RMS")
    assert len(list(openpyxl.load_workbook(io.BytesIO(other_vendor.content)).active.rows)) == 1

    overview = ben.get(f"/api/v1/campaigns/{campaign.pk}/creative")
    assert overview.status_code == 200
    row = next(r for r in overview.json() if r["placement"]["id"] == placement.pk)
    assert row["spec"]["key"] == "iab-300x250" and row["spec_chosen"] is False
    assert [a["id"] for a in row["assets"]] == [asset["id"]]
    assert [a["id"] for a in row["assignments"]] == [assignment["id"]]
    assert row["deadline"]["state"] == "ready"

    gone = ben.request("DELETE", f"/api/v1/trafficking/{assignment['id']}")
    assert gone.status_code == 204
    assert ben.get("/api/v1/trafficking", campaign=campaign.pk).json()["count"] == 0
    assert Assignment.objects.get().removed_at is not None  # kept for the record

    removed = ben.request(
        "DELETE", f"/api/v1/assets/{asset['id']}/rights/{body['rights'][0]['id']}"
    )
    assert removed.status_code == 200
    assert removed.json()["rights"] == [] and removed.json()["rights_expire"] is None


# --- isolation --------------------------------------------------------------------------------


@pytest.fixture
def northwind_work(campaign: Campaign, ben: Any, demo: Any, api_as: Any) -> dict[str, Any]:
    """A Northwind asset approved through every stage, with a right, a comment and an
    assignment, plus a second asset never sent to the client."""
    today = timezone.localdate()
    placement = display(campaign)
    Placement.objects.filter(pk=placement.pk).update(
        start=today - timedelta(days=7), end=today + timedelta(days=60)
    )
    asset = upload(ben, png_bytes(300, 250), "nw.png", campaign=campaign.pk, name="NW").json()
    right = ben.post(
        f"/api/v1/assets/{asset['id']}/rights", {"kind": "talent", "holder": "Ana"}
    ).json()["rights"][0]
    round_id = ben.post(f"/api/v1/assets/{asset['id']}/reviews", {}).json()["id"]
    comment = ben.post(f"/api/v1/reviews/{round_id}/comments", {"body": "ok"}).json()
    approve_all(ben, api_as(demo.dan), round_id)
    assignment = ben.post(
        "/api/v1/trafficking", {"asset": asset["id"], "placement": placement.pk}
    ).json()
    hidden = upload(ben, png_bytes(160, 600), "draft.png", campaign=campaign.pk, name="D").json()
    return {
        "campaign": campaign.pk, "placement": placement.pk, "asset": asset["id"],
        "version": asset["versions"][0]["id"], "right": right["id"], "round": round_id,
        "comment": comment["id"], "assignment": assignment["id"], "hidden": hidden["id"],
    }  # fmt: skip


def foreign_calls(w: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Every creative endpoint, aimed at Northwind's objects."""
    a, r = w["asset"], w["round"]
    return [
        ("get", f"/api/v1/assets/{a}", None),
        ("patch", f"/api/v1/assets/{a}", {"name": "x"}),
        ("post", f"/api/v1/assets/{a}/rights", {"kind": "music", "holder": "x"}),
        ("delete", f"/api/v1/assets/{a}/rights/{w['right']}", None),
        ("get", f"/api/v1/assets/{a}/versions/1/file", None),
        ("post", f"/api/v1/assets/{a}/archive", {}),
        ("post", f"/api/v1/assets/{a}/reviews", {}),
        ("post", "/api/v1/assets/copy", {"asset": a, "copy": {"headline": "x"}}),
        ("post", "/api/v1/assets/copy", {"campaign": w["campaign"], "name": "x",
                                         "copy": {"headline": "x"}}),
        ("get", f"/api/v1/reviews/{r}", None),
        ("post", f"/api/v1/reviews/{r}/comments", {"body": "x"}),
        ("post", f"/api/v1/reviews/{r}/comments/{w['comment']}/resolve", {}),
        ("post", f"/api/v1/reviews/{r}/decisions", {"decision": "approve"}),
        ("post", "/api/v1/trafficking", {"version": w["version"], "placement": w["placement"]}),
        ("post", "/api/v1/trafficking", {"asset": a, "placement": w["placement"]}),
        ("delete", f"/api/v1/trafficking/{w['assignment']}", None),
        ("get", f"/api/v1/campaigns/{w['campaign']}/trafficking/sheet", None),
        ("get", f"/api/v1/campaigns/{w['campaign']}/creative", None),
    ]  # fmt: skip


def test_another_clients_creative_is_not_found_on_every_endpoint(
    northwind_work: dict[str, Any], api_as: Any, cora: Any, demo: Any
) -> None:
    w = northwind_work
    api = api_as(cora)  # a coordinator on Contoso only
    for method, path, body in foreign_calls(w):
        response = api.request(method, path, body)
        assert response.status_code == 404, f"{method.upper()} {path}: {response.status_code}"
        assert response.json() == {"detail": "Not found."}
    # Uploads naming Northwind's campaign or asset.
    assert upload(api, png_bytes(1, 1), "a.png", campaign=w["campaign"]).status_code == 404
    assert upload(api, png_bytes(2, 2), "b.png", asset=w["asset"]).status_code == 404
    # A Northwind placement id on her own campaign is as unknown as a missing one.
    contoso = demo.campaign("CTSO-5G26")
    foreign = upload(api, png_bytes(3, 3), "c.png", campaign=contoso.pk, placements=w["placement"])
    missing = upload(api, png_bytes(3, 3), "c.png", campaign=contoso.pk, placements=987654321)
    assert foreign.status_code == missing.status_code == 422
    assert foreign.json()["detail"][0]["message"].startswith(str(w["placement"]))
    # Lists leave them out, filtered or not.
    for path, params in (
        ("/api/v1/assets", {}),
        ("/api/v1/assets", {"campaign": w["campaign"]}),
        ("/api/v1/assets", {"client": demo.northwind.pk}),
        ("/api/v1/reviews", {}),
        ("/api/v1/reviews", {"asset": w["asset"]}),
        ("/api/v1/trafficking", {}),
        ("/api/v1/trafficking", {"campaign": w["campaign"]}),
    ):
        assert api.get(path, **params).json() == {"items": [], "count": 0}, path
    # Nothing changed for Northwind.
    assert Asset.objects.get(pk=w["asset"]).name == "NW"
    assert Assignment.objects.get(pk=w["assignment"]).removed_at is None


def test_the_client_reviewer_sees_only_what_was_sent_and_no_trafficking(
    northwind_work: dict[str, Any], api_as: Any, demo: Any
) -> None:
    w = northwind_work
    dan = api_as(demo.dan)
    assert dan.get(f"/api/v1/assets/{w['asset']}").status_code == 200
    assert dan.get(f"/api/v1/assets/{w['hidden']}").status_code == 404
    assert dan.get(f"/api/v1/assets/{w['hidden']}/versions/1/file").status_code == 404
    assert dan.post(f"/api/v1/assets/{w['hidden']}/reviews", {}).status_code == 404
    assert [item["id"] for item in dan.get("/api/v1/assets").json()["items"]] == [w["asset"]]
    assert dan.get("/api/v1/trafficking").json() == {"items": [], "count": 0}
    assert dan.request("DELETE", f"/api/v1/trafficking/{w['assignment']}").status_code == 404
    for path in (
        f"/api/v1/campaigns/{w['campaign']}/trafficking/sheet",
        f"/api/v1/campaigns/{w['campaign']}/creative",
    ):
        assert dan.get(path).status_code == 404, path
    traffic = dan.post("/api/v1/trafficking", {"asset": w["asset"], "placement": w["placement"]})
    assert traffic.status_code == 404
    # An internal campaign of his own client does not exist for him.
    internal = demo.campaign("NWND-RP27")
    assert upload(dan, png_bytes(5, 5), "i.png", campaign=internal.pk).status_code == 404
    # What he sees, he may not change (403, the role named).
    refused = dan.patch(f"/api/v1/assets/{w['asset']}", {"name": "Ours"})
    assert refused.status_code == 403
    assert Assignment.objects.get(pk=w["assignment"]).removed_at is None


def test_the_walk_with_own_objects_answers(northwind_work: dict[str, Any], ben: Any) -> None:
    """The same calls by Northwind's coordinator reach the objects, so 404 above is 'not yours'."""
    for method, path, _ in foreign_calls(northwind_work):
        if method == "get":
            response = ben.get(path)
            assert response.status_code == 200, f"GET {path}: {response.status_code}"
