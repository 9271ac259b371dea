"""End to end in headless Chromium: a coordinator opens an image asset, starts its review, clicks
on the picture to pin a comment and sees the numbered pin; requests changes; uploads a new
version through the page; starts the review again and approves both internal stages; the
client's reviewer approves the client stage through the e-mailed link in a browser of their own
(no account); the coordinator sees the asset approved.

Assertions are on what a person sees (text, roles, labels).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from mediadesk.accounts.models import Client, User
from mediadesk.creative import services
from mediadesk.creative.models import Asset, ReviewComment
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.planning.models import Campaign

CAMPAIGN = "NWND-AR26"


def png(text: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (300, 250), colour)
    ImageDraw.Draw(image).text((20, 20), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_pin_a_comment_request_changes_new_version_and_approve(
    live_demo: Any, page: Page, browser: Any, console: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    asset = services.upload_asset(
        User.objects.get(email="ben@demo.test"),
        client=Client.objects.get(code="NWND"),
        source=io.BytesIO(png("Autumn Roast", (150, 70, 30))),
        filename="autumn-mpu.png",
        name="Autumn Roast MPU",
        campaign=Campaign.objects.get(code=CAMPAIGN),
    ).asset
    mail.outbox.clear()

    # The coordinator finds the asset in the library and starts its review.
    log_in(page, "ben@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Creative").click()
    expect(page.get_by_role("heading", level=1, name="Creative")).to_be_visible()
    page.get_by_role("link", name="Autumn Roast MPU").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Autumn Roast MPU")
    status = page.locator("#asset-status")
    expect(status).to_have_text("Not in review")
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_text("Review 1 of version 1 started")).to_be_visible()
    expect(status).to_have_text("In review")

    # A click on the picture pins a comment to that point.
    picture = page.get_by_role("img", name="Autumn Roast MPU, version 1")
    picture.click(position={"x": 75, "y": 100})
    popover = page.get_by_role("form", name="Comment on this point")
    expect(popover).to_be_visible()
    popover.get_by_label("Comment on this point").fill("Make the logo bigger")
    popover.get_by_role("button", name="Save comment").click()
    pin = page.get_by_role("link", name="Comment 1")
    expect(pin).to_be_visible()
    expect(pin).to_have_text("1")
    comments = page.locator("[data-comment-list]")
    expect(comments).to_contain_text("Make the logo bigger")
    expect(comments).to_contain_text("Pinned at 25 %, 40 %")
    expect(popover).to_have_count(0)
    stored = ReviewComment.objects.get(body="Make the logo bigger")
    assert (round(float(stored.x), 2), round(float(stored.y), 2)) == (0.25, 0.4)
    # With the keyboard: place a pin, move it with the arrow keys, Enter writes the comment.
    page.get_by_role("button", name="Place a pin").click()
    expect(
        page.get_by_role("button", name=re.compile(r"^Pin at 50 % across, 50 % down"))
    ).to_be_focused()
    pending = page.locator("[data-pins] .pin.pending")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    expect(pending).to_have_attribute("aria-label", re.compile(r"^Pin at 51 % across, 60 % down"))
    page.keyboard.press("Enter")
    expect(popover.get_by_label("Comment on this point")).to_be_focused()
    page.keyboard.type("Move the claim here")
    popover.get_by_role("button", name="Save comment").click()
    expect(page.get_by_role("link", name="Comment 2")).to_have_text("2")
    # Both are still there after a reload: the server draws them.
    page.reload()
    expect(page.get_by_role("link", name="Comment 1")).to_have_text("1")
    expect(page.get_by_role("link", name="Comment 2")).to_have_text("2")
    expect(comments).to_contain_text("Pinned at 51 %, 60 %")

    # Request changes: the note says what.
    decision = page.get_by_role("form", name="Your decision: Creative lead")
    decision.get_by_label("Note").fill("Logo bigger, please (see comments 1 and 2).")
    decision.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Creative lead stage sent back with changes requested")).to_be_visible()
    expect(status).to_have_text("Changes requested")

    # A new version through the page.
    version_form = page.get_by_role("form", name="Upload a new version")
    version_form.get_by_label("New file").set_input_files(
        {
            "name": "autumn-mpu-v2.png",
            "mimeType": "image/png",
            "buffer": png("Bigger logo", (40, 90, 150)),
        }
    )
    version_form.get_by_label("What changed").fill("Bigger logo")
    version_form.get_by_role("button", name="Upload version 2").click()
    expect(page.get_by_text("Version 2 uploaded")).to_be_visible()
    expect(page.get_by_role("img", name="Autumn Roast MPU, version 2")).to_be_visible()
    expect(status).to_have_text("Not in review")

    # The review again: both internal stages approve.
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_text("Review 2 of version 2 started")).to_be_visible()
    for stage in ("Creative lead", "Legal"):
        form = page.get_by_role("form", name=f"Your decision: {stage}")
        form.get_by_role("button", name="Approve").click()
        expect(page.get_by_text(f"{stage} stage approved")).to_be_visible()
    expect(status).to_have_text("In review")

    # The client stage: a review link by e-mail to the client's reviewer.
    link_form = page.get_by_role("form", name="Send the client a review link")
    link_form.get_by_label("Reviewer's name").fill("Clara Client")
    link_form.get_by_label("Reviewer's e-mail").fill("clara@client.test")
    link_form.get_by_role("button", name="Send review link").click()
    expect(
        page.get_by_text("Review link for the Client stage sent to clara@client.test")
    ).to_be_visible()
    assert len(mail.outbox) == 1
    found = re.search(r"(http://\S+/creative/review/\S+/)", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    link = found.group(1)
    assert link.startswith(live_demo.url)

    client_context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        reviewer = client_context.new_page()
        reviewer.on(
            "console",
            lambda msg: (
                console.errors.append(f"{msg.text} (reviewer page)")
                if msg.type == "error"
                else None
            ),
        )
        reviewer.on("pageerror", lambda error: console.errors.append(f"Uncaught: {error}"))
        reviewer.goto(link)
        expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Autumn Roast MPU")
        expect(reviewer.get_by_role("navigation", name="Main")).to_have_count(0)
        expect(reviewer.get_by_text("Hello Clara Client")).to_be_visible()
        expect(reviewer.get_by_role("img", name="Autumn Roast MPU, version 2")).to_be_visible()
        reviewer.get_by_role("button", name="Approve").click()
        expect(reviewer.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(reviewer.get_by_role("button", name="Approve")).to_have_count(0)
    finally:
        client_context.close()

    # The coordinator sees the asset approved.
    page.reload()
    expect(status).to_have_text("Approved")
    expect(page.get_by_text("Clara Client").first).to_be_visible()
    assert Asset.objects.get(pk=asset.pk).status == "approved"


def test_upload_many_files_each_with_its_answer(
    live_demo: Any, page: Page, console: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    campaign = Campaign.objects.get(code=CAMPAIGN)
    log_in(page, "ben@demo.test")
    page.goto(f"/creative/?campaign={campaign.pk}")
    expect(page.get_by_role("heading", name="No assets match")).to_be_visible()
    expect(page.get_by_role("link", name=f"Upload files for {CAMPAIGN}")).to_be_visible()
    upload = page.get_by_role("form", name="Upload creative")
    upload.get_by_label("Files").set_input_files(
        [
            {"name": "hero.png", "mimeType": "image/png", "buffer": png("Hero", (150, 70, 30))},
            {"name": "spot.mp4", "mimeType": "video/mp4", "buffer": png("Not a video", (0, 0, 0))},
        ]
    )
    expect(upload.get_by_role("button", name="Upload 2 files")).to_be_visible()
    upload.get_by_role("button", name="Upload 2 files").click()
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("listitem").filter(has_text="hero.png")).to_contain_text(
        "Uploaded as hero"
    )
    expect(uploads.get_by_role("listitem").filter(has_text="spot.mp4")).to_contain_text(
        "Not uploaded: spot.mp4 is a PNG image"
    )
    # The list below shows the new asset without leaving the page.
    expect(page.get_by_role("table").get_by_role("link", name="hero", exact=True)).to_be_visible()
    assert list(Asset.objects.values_list("name", flat=True)) == ["hero"]
    console.allow(r"Failed to load resource: the server responded with a status of 400")
