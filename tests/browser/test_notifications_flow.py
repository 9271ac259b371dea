"""End to end in headless Chromium: Ben is mentioned in a task comment; the bell on every page
counts it, the notifications page lists it, following it marks it read. Alice, an organization
admin, sees the notification e-mail waiting in the outbox, and makes a team.

Assertions are on what a person sees (text, roles, labels).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from mediadesk.accounts.models import Client, User
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.work import services


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_a_mention_rings_the_bell_and_reaches_the_outbox(live_demo: Any, page: Page) -> None:
    alice = User.objects.get(email="alice@demo.test")
    task = services.create_task(
        alice, client_id=Client.objects.get(code="NWND").pk, title="Confirm the radio flight"
    )
    services.comment_on_task(alice, task, "@ben@demo.test can you confirm the dates?")

    log_in(page, "ben@demo.test")
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    bell.click()
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    mention = page.get_by_role("link", name=re.compile("mentioned you on the task"))
    expect(mention).to_be_visible()
    mention.click()
    expect(page.get_by_role("heading", level=1, name="Confirm the radio flight")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    page.goto("/settings/notifications/")
    page.get_by_label("Once a day, everything in one e-mail").check()
    page.get_by_label("Daily e-mail at").select_option("06:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, "alice@demo.test")
    page.goto("/outbox/")
    row = page.get_by_role("row", name=re.compile("mentioned you on the task"))
    expect(row).to_contain_text("ben@demo.test")
    expect(row).to_contain_text("Waiting to send")
    expect(row.get_by_role("button")).to_have_count(0)  # due now: nothing to send again

    page.goto("/teams/")
    expect(page.get_by_text("No teams yet")).to_be_visible()
    page.get_by_label("Name").fill("Northwind crew")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", level=1, name="Northwind crew")).to_be_visible()
    page.get_by_label(re.compile("Ben Brooks")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Team Northwind crew saved.")).to_be_visible()
    expect(page.get_by_label(re.compile("Ben Brooks"))).to_be_checked()
