"""End to end in headless Chromium: a matched invoice approved by finance.

The data is set up with the services (IOs generated from Northwind's approved plan, the OOH
order countersigned, a Ströer invoice billing its flat fee exactly); then Cara, finance on every
client, finds the invoice through the Finance pages, approves it and sees it approved. Console
errors and CSP violations fail the test (conftest.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from playwright.sync_api import Page, expect

from mediadesk.accounts.models import User
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.finance import services as finance
from mediadesk.orders import services as orders
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import PlanVersion


def matched_invoice_number() -> str:
    """Northwind's IOs from the approved plan, the Ströer order accepted and its flat fee
    invoiced as ordered, so the invoice is matched."""
    ben = User.objects.get(email="ben@demo.test")
    cara = User.objects.get(email="cara@demo.test")
    version = PlanVersion.objects.filter(
        campaign__code="NWND-AR26", status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED]
    ).order_by("-number")[0]
    orders.generate_orders(ben, version)
    order = InsertionOrder.objects.get(campaign=version.campaign, vendor__name="Ströer")
    order = orders.upload_countersigned(ben, order, b"%PDF-1.4\n%%EOF\n", "countersigned.pdf")
    line = order.lines.get()
    invoice = finance.record_invoice(
        cara, vendor=order.vendor, number="STR-2026-114", invoice_date=date(2026, 11, 2),
        currency=order.currency, total=line.cost,
        lines=[finance.LineInput(placement=line.code, month=(2026, 10), amount=line.cost,
                                 io_number=order.number)],
    )  # fmt: skip
    assert invoice.status == "matched"
    return invoice.number


def test_finance_approves_a_matched_invoice(
    page: Page, live_demo: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    number = matched_invoice_number()

    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill("cara@demo.test")
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Finance").click()
    expect(page.get_by_role("heading", level=1, name="Invoices")).to_be_visible()
    table = page.get_by_role("main").get_by_role("table")
    row = table.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("Matched")
    row.get_by_role("link", name=number).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator("#invoice-status")).to_have_text("Matched")
    expect(page.locator("#approval-state")).to_contain_text("0 of 1 approval")
    approve = page.get_by_role("form", name="Approve for payment")
    approve.get_by_label("Comment").fill("Flat fee as ordered.")
    approve.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("status").first).to_contain_text("is approved for payment")
    expect(page.locator("#invoice-status")).to_have_text("Approved")
    expect(page.locator("#approval-state")).to_contain_text("1 of 1 approval")
    expect(page.get_by_role("main")).to_contain_text("Approved by Cara Castillo")
    # Approved, it is no longer offered for approval.
    expect(page.get_by_role("form", name="Approve for payment")).to_have_count(0)


def test_add_line_on_the_entry_form(page: Page, live_demo: Any) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill("cara@demo.test")
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    page.goto("/invoices/new/")
    expect(page.get_by_role("heading", level=1, name="Enter an invoice")).to_be_visible()
    expect(page.get_by_label("Line 1: Placement code")).to_be_visible()
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line 2: Placement code")).to_be_visible()
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line 3: Placement code")).to_be_visible()
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value("3")
    page.get_by_label("Line 3: Placement code").fill("typed")
    expect(page.get_by_role("heading", level=1, name="Enter an invoice")).to_be_visible()
