"""End to end in headless Chromium: a planner edits a draft in the grid, pastes lines from a
spreadsheet, saves, fixes the one refused cell, and the plan goes through both approvals.

Headless Chromium has no clipboard to read, so the paste is the event a browser fires when
someone presses Ctrl+V: a ClipboardEvent carrying the text/plain that Excel puts there.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from playwright.sync_api import Locator, Page, expect

from mediadesk.demo import DEMO_PASSWORD
from mediadesk.planning.models import PlanVersion

# Four lines as copied from a German spreadsheet (decimal comma, dot thousands), starting at
# the Code column: Excel ends every line with \r\n. The second line's rate of 0 is refused.
PASTED = (
    "\r\n".join(
        [
            "\tCold brew display\tDisplay\tSpiegel Media\tspiegel.de\tDE\t300x250\t"
            "5 Apr 2027\t2 May 2027\tCPM\t12,50\t2.400.000",
            "\tBrand search\tSearch\tGoogle Ads\tBrand terms\tAT\tRSA\t"
            "5 Apr 2027\t27 Jun 2027\tCPC\t0\t60.000",
            "\tPre-roll\tOnline video\tYouTube\tIn-stream\tCH\t15s pre-roll\t"
            "12 Apr 2027\t9 May 2027\tCPCV\t0,03\t1.000.000",
            "\tAudio spots\tStreaming audio\tSpotify\tSpotify free\tDE\t30s audio\t"
            "19 Apr 2027\t16 May 2027\tCPM\t22,00\t500.000",
        ]
    )
    + "\r\n"
)

PASTE = """(text) => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  document.activeElement.dispatchEvent(event);
}"""


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def log_out(page: Page, name: str) -> None:
    page.get_by_role("banner").get_by_text(name, exact=True).click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def cell(page: Page, column: str, line: int) -> Locator:
    return page.get_by_label(f"{column}, line {line}", exact=True)


def open_plan(page: Page, campaign: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=campaign, exact=True).click()
    page.get_by_role("navigation", name="Campaign sections").get_by_role(
        "link", name="Plan"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(campaign)


def test_planner_edits_pastes_and_saves_then_the_plan_is_approved(
    live_demo: Any, page: Page
) -> None:
    plan = PlanVersion.objects.get(campaign__code="NWND-CB27", status="draft")
    assert plan.placements.count() == 3

    log_in(page, "ben@demo.test")
    open_plan(page, "Spring Cold Brew")
    page.get_by_role("link", name="Edit in grid").click()
    expect(page.get_by_role("heading", level=1, name="Plan v1 as a grid")).to_be_visible()
    status = page.get_by_role("status").filter(has_text=re.compile(r"."))

    # --- the keyboard: arrows move, typing replaces, Enter keeps and moves down, Escape undoes.
    expect(page.locator("#grid-table[data-ready=true]")).to_have_count(1)  # its script is on
    cell(page, "Code", 1).focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    market = cell(page, "Market", 1)
    expect(market).to_be_focused()
    page.keyboard.type("AT")
    page.keyboard.press("Enter")
    expect(market).to_have_value("AT")
    expect(cell(page, "Market", 2)).to_be_focused()
    page.keyboard.type("XX")
    page.keyboard.press("Escape")
    expect(cell(page, "Market", 2)).to_have_value("AT")  # as it was
    expect(cell(page, "Market", 2)).to_be_focused()
    # To line 3's rate (the DOOH line: CPM 18.00 × 4,000,000) and give it a new rate.
    page.keyboard.press("ArrowDown")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    rate = cell(page, "Rate", 3)
    expect(rate).to_be_focused()
    page.keyboard.press("Enter")  # edit: the caret goes to the end of "18.00"
    for _ in range(5):
        page.keyboard.press("Backspace")
    page.keyboard.type("20")
    page.keyboard.press("Tab")
    expect(cell(page, "Quantity", 3)).to_be_focused()
    expect(rate).to_have_value("20")

    # --- paste four lines at the first empty line's Code cell; one more line is added for them.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    expect(cell(page, "Code", 4)).to_be_focused()
    page.evaluate(PASTE, PASTED)
    expect(status).to_contain_text("Pasted 4 lines")
    expect(cell(page, "Vendor", 7)).to_have_value("Spotify")
    expect(cell(page, "Channel", 6)).to_have_value("online_video")
    expect(cell(page, "Vendor", 8)).to_have_value("")  # a fresh empty line below
    save = page.get_by_role("button", name="Save 6 changed lines")
    expect(save).to_be_visible()

    save.click()
    expect(status).to_have_text("5 saved, 1 needs attention.")

    # Derived values came back: the cost of the new rate, the pasted lines' costs and codes.
    expect(cell(page, "Gross cost", 3)).to_have_value("80,000.00")
    expect(cell(page, "Net cost", 3)).to_have_value("68,000.00")
    expect(cell(page, "Quantity", 4)).to_have_value("2,400,000")
    expect(cell(page, "Gross cost", 4)).to_have_value("30,000.00")
    expect(cell(page, "Net cost", 4)).to_have_value("25,500.00")
    expect(cell(page, "Code", 4)).to_have_value("NWND_NWND-CB27_DISPLAY_SPIEGEL-MEDIA_DE_202704")
    expect(cell(page, "Gross cost", 6)).to_have_value("30,000.00")
    expect(cell(page, "Gross cost", 7)).to_have_value("11,000.00")

    # The refused cell says why, beside what was typed; the rest of its line is kept too.
    bad = cell(page, "Rate", 5)
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(bad).to_have_accessible_description("The rate must be above zero; 0 was given.")
    expect(bad.locator("xpath=..")).to_contain_text("The rate must be above zero")
    expect(bad).to_have_value("0")
    expect(cell(page, "Vendor", 5)).to_have_value("Google Ads")
    expect(cell(page, "Quantity", 5)).to_have_value("60.000")
    attention = page.get_by_role("region", name="1 line needs attention")
    expect(attention).to_contain_text("Line 5 · Rate: The rate must be above zero")
    assert plan.placements.count() == 6

    # Fix it from the list of problems: the link goes to the cell.
    attention.get_by_role("link").click()
    expect(bad).to_be_focused()
    page.keyboard.type("1.20")  # typed the English way; the pasted quantity stays German
    expect(bad).not_to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Control+s")
    expect(status).to_have_text("1 saved.")
    expect(cell(page, "Quantity", 5)).to_have_value("60,000")
    expect(cell(page, "Gross cost", 5)).to_have_value("72,000.00")
    expect(page.get_by_role("region", name=re.compile("need"))).to_be_hidden()
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()

    lines = {p.vendor: p for p in plan.placements.all()}
    assert len(lines) == 7
    assert lines["Ströer"].cost == 80000 and lines["TikTok"].market == "AT"
    assert lines["Google Ads"].quantity == 60000 and lines["YouTube"].rate == Decimal("0.03")

    # --- submit on the plan page; alice approves internally, dan at the client stage.
    page.get_by_role("link", name="Back to the plan").click()
    expect(page.get_by_text("Plan version 1")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for approval")
    expect(page.get_by_role("link", name="Edit in grid")).to_have_count(0)
    plan_url = page.url
    log_out(page, "Ben Brooks")

    log_in(page, "alice@demo.test")
    page.goto(plan_url)
    expect(page.get_by_role("heading", level=3, name="Internal approval")).to_be_visible()
    page.get_by_label("Comment").fill("Fine by me.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Version 1 is approved.")
    log_out(page, "Alice Archer")

    log_in(page, "dan@demo.test")
    open_plan(page, "Spring Cold Brew")
    expect(page.get_by_role("heading", level=3, name="Client approval")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Version 1 is approved.")
    expect(page.get_by_role("main").get_by_text("Client-approved").first).to_be_visible()
    plan.refresh_from_db()
    assert plan.status == "client_approved"


def test_bulk_edit_duplicate_remove_and_a_version_frozen_meanwhile(
    live_demo: Any, page: Page, console: Any
) -> None:
    from mediadesk.accounts.models import User
    from mediadesk.planning import services

    plan = PlanVersion.objects.get(campaign__code="NWND-AR26", status="draft")
    log_in(page, "ben@demo.test")
    page.goto(f"/campaigns/plans/{plan.pk}/grid/")
    status = page.get_by_role("status").filter(has_text=re.compile(r"."))

    # Bulk edit: tick two lines, set their commission for both at once.
    page.get_by_role("checkbox", name="Select line 1").check()
    page.get_by_role("checkbox", name="Select line 2").check()
    expect(page.get_by_text("2 lines selected")).to_be_visible()
    bulk = page.get_by_role("form", name="Change the selected lines")
    bulk.get_by_label("Set").select_option(label="Commission %")
    bulk.get_by_label("to").fill("12,5")
    bulk.get_by_role("button", name="Apply to selected lines").click()
    expect(cell(page, "Commission %", 1)).to_have_value("12,5")
    expect(cell(page, "Commission %", 2)).to_have_value("12,5")
    # A choice column offers its choices.
    bulk.get_by_label("Set").select_option(label="Channel")
    expect(bulk.get_by_label("to")).to_have_js_property("tagName", "SELECT")
    page.get_by_role("button", name="Save 2 changed lines").click()
    expect(status).to_have_text("2 saved.")
    first, second = plan.placements.all()[:2]
    assert first.commission_percent == second.commission_percent == Decimal("12.5")
    select_all = page.get_by_role("checkbox", name="Select all lines")
    expect(select_all).to_have_js_property("indeterminate", True)
    select_all.check()
    expect(page.get_by_text("5 lines selected")).to_be_visible()
    select_all.uncheck()
    expect(page.get_by_text("No lines selected")).to_be_visible()

    # Duplicate line 1: the copy lands under the plan's lines, with a code of its own.
    cell(page, "Vendor", 1).focus()
    page.get_by_role("button", name="Duplicate").click()
    expect(cell(page, "Code", 6)).to_be_focused()
    expect(cell(page, "Code", 6)).to_have_value(first.code + "-2")
    expect(cell(page, "Vendor", 6)).to_have_value(first.vendor)
    page.keyboard.press("Control+s")
    expect(status).to_have_text("1 saved.")
    assert plan.placements.filter(code=first.code + "-2").exists()

    # Delete on a line's selection box removes it, after one question naming it.
    cell(page, "Code", 6).focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("checkbox", name="Select line 6")).to_be_focused()
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.keyboard.press("Delete")
    expect(status).to_have_text("Removed 1 line from the draft.")
    assert questions == [f"Remove line 6 ({first.code}-2) from this draft?"]
    assert not plan.placements.filter(code=first.code + "-2").exists()
    expect(page.locator("#grid-lines")).to_have_text("5 lines")

    # Someone submits the version while the grid is open: the next save is refused, kept, said.
    services.submit_plan(User.objects.get(email="ben@demo.test"), plan)
    console.allow(r"status of 409")
    cell(page, "Notes", 1).fill("Check the radio flight")
    page.get_by_role("button", name="Save 1 changed line").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 2 is submitted and frozen")
    expect(cell(page, "Notes", 1)).to_have_value("Check the radio flight")
    page.once("dialog", lambda dialog: dialog.accept())  # leave, though a change is unsaved
    page.reload()  # the grid of a frozen version only reads
    expect(page.get_by_text("frozen; make a new draft")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Save"))).to_have_count(0)
