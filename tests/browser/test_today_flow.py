"""End to end in headless Chromium: Ben opens Today, sees his attention list (computed on his
first visit of the day), snoozes an item with a reason, finds it among the snoozed items, and
turns another item into a task that opens with the item's owner, due date and object.

Assertions are on what a person sees (text, roles, labels).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from mediadesk.accounts.models import User
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.planning.models import Campaign
from mediadesk.work import services
from mediadesk.work.models import AttentionItem, AttentionRun


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def two_items() -> None:
    """Two known items on Ben's list (the rest is whatever the demo data computes to)."""
    ben = User.objects.get(email="ben@demo.test")
    campaign = Campaign.objects.get(code="NWND-AR26")
    services.compute_attention()
    placement = campaign.plan_versions.order_by("-number").first().placements.first()
    now = timezone.now()
    for kind, title, subject in [
        ("stale_delivery", "Radio RMS has no delivery data since 20 Nov (9 days).", placement.pk),
        ("budget_overrun", "NWND-AR26: booked 500,000 EUR is 20,000 EUR over.", campaign.pk),
    ]:
        AttentionItem.objects.update_or_create(
            client=campaign.client, key=f"{kind}:test:{subject}",
            defaults={
                "campaign": campaign, "kind": kind, "severity": "critical", "severity_rank": 0,
                "title": title, "due": services.today() + timedelta(days=2),
                "subject_type": "placement" if kind == "stale_delivery" else "budget",
                "subject_id": subject, "url": f"/campaigns/{campaign.pk}/", "owner": ben,
                "situation": "test", "computed_on": services.today(), "computed_at": now,
            },
        )  # fmt: skip
    assert AttentionRun.objects.filter(client=campaign.client).exists()


def test_snooze_an_item_and_turn_another_into_a_task(live_demo: Any, page: Page) -> None:
    two_items()
    log_in(page, "ben@demo.test")
    page.goto("/?view=mine")
    stale = page.locator(".attention-item", has_text="Radio RMS has no delivery data")
    expect(stale).to_be_visible()
    expect(stale.get_by_text("Critical")).to_be_visible()

    stale.locator("summary", has_text="Snooze").click()
    stale.get_by_label("Snooze for").select_option(label="For 3 days")
    stale.get_by_label("Reason for snoozing").fill("Station resends the logs on Monday")
    stale.get_by_role("button", name="Snooze").click()
    expect(page.get_by_text(re.compile(r"^Snoozed until .*Radio RMS"))).to_be_visible()
    gone = page.locator(".attention-item", has_text="Radio RMS has no delivery data")
    expect(gone).to_have_count(0)

    page.get_by_role("link", name=re.compile("Snoozed and dismissed")).click()
    row = page.get_by_role("row", name=re.compile("Radio RMS"))
    expect(row).to_contain_text("Station resends the logs on Monday")
    expect(row).to_contain_text("Snoozed until")
    expect(row).to_contain_text("Ben Brooks")

    page.goto("/?view=mine")
    overrun = page.locator(".attention-item", has_text="NWND-AR26: booked 500,000 EUR")
    overrun.get_by_role("button", name="Make a task").click()
    expect(page.get_by_text(re.compile("Task created"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("NWND-AR26: booked 500,000 EUR")
    expect(page.get_by_text("Ben Brooks").first).to_be_visible()
