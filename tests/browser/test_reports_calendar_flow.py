"""End to end in headless Chromium: Ben generates this week's status report from the campaign's
tab, reads it and e-mails it (it waits in the outbox); then he moves through the calendar with
the keyboard alone and makes a private calendar address that answers as iCalendar.

Assertions are on what a person sees (text, roles, labels).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from mediadesk.demo import DEMO_PASSWORD
from mediadesk.planning.models import Campaign
from mediadesk.work.models import OutboxMessage, StatusReport


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_generate_read_and_send_a_status_report(page: Page, live_demo: Any) -> None:
    autumn = Campaign.objects.get(code="NWND-AR26")
    log_in(page, "ben@demo.test")
    page.goto(f"/campaigns/{autumn.pk}/")
    page.get_by_role("navigation", name="Campaign sections").get_by_role(
        "link", name="Status reports"
    ).click()
    expect(page.get_by_role("heading", name="No status report yet")).to_be_visible()
    page.get_by_role("button", name="Generate this week's report").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Status report: Autumn Roast Launch"
    )
    expect(page.get_by_role("heading", name="This week in short")).to_be_visible()
    expect(page.get_by_role("heading", name="Budget position")).to_be_visible()
    expect(page.get_by_role("img", name="Pacing index by placement")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    page.get_by_role("textbox", name="To").fill("marketing@northwind.test")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("on its way to marketing@northwind.test")
    report = StatusReport.objects.get(campaign=autumn)
    message = OutboxMessage.objects.get()
    assert message.to == ["marketing@northwind.test"]
    assert message.attachments[0]["name"] == f"NWND-AR26 status {report.week_start}.pdf"


def test_the_calendar_works_with_the_keyboard_and_subscribes(page: Page, live_demo: Any) -> None:
    log_in(page, "ben@demo.test")
    page.goto("/calendar/?month=2026-11")
    expect(page.get_by_role("heading", name=re.compile(r"^November 2026"))).to_be_visible()
    expect(page.get_by_role("link", name="Autumn Roast Launch (NWND-AR26)").first).to_be_visible()
    # To the next month with Tab and Enter only.
    page.get_by_role("link", name="‹ October").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="December ›")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^December 2026"))).to_be_visible()
    # The list view, for small screens.
    page.get_by_role("link", name="List", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"Sunday 20 December"))).to_be_visible()

    page.get_by_role("link", name="Subscribe in your calendar app").click()
    page.get_by_role("button", name="Create a private calendar address").click()
    address = page.get_by_label("Your calendar address").input_value()
    assert re.fullmatch(r"http://[^/]+/calendar/[A-Za-z0-9_-]+\.ics", address)
    feed = page.request.get(address)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Autumn Roast Launch (NWND-AR26)" in feed.text()
    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke the address …?"
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    assert page.request.get(address).status == 404
