"""End to end in headless Chromium: a coordinator generates the IOs of an approved plan on the
campaign's Orders tab and sends one; the vendor opens the e-mailed link in a browser of its own
(no account, no login), accepts with name and title, and the coordinator sees the IO accepted.

Assertions are on what a person sees (text, roles, labels).
"""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from playwright.sync_api import Page, expect

from mediadesk.demo import DEMO_PASSWORD
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.models import Campaign

CAMPAIGN = "NWND-AR26"
VENDOR_PERSON = "Vera Vendor"


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_generate_send_and_accept_through_the_link(
    live_demo: Any, page: Page, browser: Any, console: Any
) -> None:
    campaign = Campaign.objects.get(code=CAMPAIGN)
    mail.outbox.clear()

    # The coordinator opens the campaign's Orders tab: nothing ordered yet.
    log_in(page, "ben@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=campaign.name, exact=True).click()
    page.get_by_role("navigation", name="Campaign sections").get_by_role(
        "link", name="Orders"
    ).click()
    expect(page).to_have_url(live_demo(f"/campaigns/{campaign.pk}/orders/"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="No insertion orders yet")).to_be_visible()

    # Generate: one draft IO per vendor of plan v1.
    main.get_by_role("button", name="Generate IOs from plan v1").first.click()
    expect(
        page.get_by_text(re.compile(r"draft IOs? generated from plan version 1"))
    ).to_be_visible()
    orders = list(InsertionOrder.objects.filter(campaign=campaign).order_by("number"))
    assert orders
    table = main.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(len(orders))
    expect(table.get_by_text("Draft", exact=True)).to_have_count(len(orders))

    # Open the first IO and send it to the vendor.
    order = orders[0]
    table.get_by_role("link", name=order.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(main.get_by_text("Draft:", exact=False)).to_be_visible()
    main.get_by_role("textbox", name="Send to").fill("sales@vendor.test")
    main.get_by_role("textbox", name="Message").fill("Please confirm by Friday.")
    main.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text(f"{order.label} sent to sales@vendor.test")).to_be_visible()

    # The e-mail carries the answer link, on this server.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sales@vendor.test"]
    found = re.search(r"(http://\S+/orders/answer/\S+/)", message.body)
    assert found, message.body
    link = found.group(1)
    assert link.startswith(live_demo.url)

    # The vendor: a browser of its own, never logged in.
    vendor_context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        vendor_page = vendor_context.new_page()
        vendor_page.on(
            "console",
            lambda msg: (
                console.errors.append(f"{msg.text} (vendor page)") if msg.type == "error" else None
            ),
        )
        vendor_page.on("pageerror", lambda error: console.errors.append(f"Uncaught: {error}"))
        vendor_page.goto(link)
        expect(vendor_page.get_by_role("heading", level=1)).to_contain_text(order.number)
        expect(vendor_page.get_by_role("navigation", name="Main")).to_have_count(0)
        expect(vendor_page.get_by_text(order.vendor.name).first).to_be_visible()
        expect(vendor_page.get_by_role("link", name="Download the order (PDF)")).to_be_visible()
        for other in orders[1:]:
            expect(vendor_page.get_by_text(other.number)).to_have_count(0)
        vendor_page.get_by_label(re.compile(r"^\s*Your name")).fill(VENDOR_PERSON)
        vendor_page.get_by_label(re.compile(r"^\s*Your job title")).fill("Head of Sales")
        vendor_page.get_by_role("button", name="Accept the order").click()
        expect(vendor_page.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(
            vendor_page.get_by_text(f"accepted by {VENDOR_PERSON}, Head of Sales", exact=False)
        ).to_be_visible()
        expect(vendor_page.get_by_role("button", name="Accept the order")).to_have_count(0)
    finally:
        vendor_context.close()

    # The coordinator sees the answer on the IO and on the campaign's tab.
    page.reload()
    state = page.locator("#state")
    expect(state).to_contain_text("Accepted")
    expect(state).to_contain_text(VENDOR_PERSON)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accepted")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Orders", exact=True
    ).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=order.number))
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text(VENDOR_PERSON)
