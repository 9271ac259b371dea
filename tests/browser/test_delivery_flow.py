"""End to end in headless Chromium: a coordinator imports an export on a campaign's Delivery tab,
finds the rows no placement code matched in the unmatched queue, assigns them, and sees pacing,
the delivered figure and both charts follow.

Assertions are on what a person sees (text, labels, the charts' own text and shapes).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from playwright.sync_api import Locator, Page, expect

from delivery.exports import SEARCH, SOCIAL, daily, google_ads
from mediadesk.delivery import services
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.planning.models import Campaign

OCT = date(2026, 10, 5)
STRAY = "Contoso retargeting test"  # a campaign started on the platform without a plan code


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def pacing_row(page: Page, code: str) -> Locator:
    return page.locator("#pacing-table tbody tr").filter(has=page.get_by_text(code, exact=True))


def delivered(page: Page, code: str) -> Locator:
    return pacing_row(page, code).locator("td.delivered")


def index_bar_value(page: Page, code: str) -> Locator:
    return page.locator(f'#index-chart g.bar-row[data-placement="{code}"] text.bar-value')


def test_import_assign_and_see_pacing_follow(live_demo: Any, page: Page) -> None:
    campaign = Campaign.objects.get(code="CTSO-5G26")
    social = next(
        p for p in services.placements_for_delivery(campaign) if p.code == SOCIAL
    )  # fmt: skip
    export = google_ads(daily(OCT, 14, SEARCH, spend="2000.00") + daily(OCT, 5, STRAY))

    log_in(page, "alice@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="5G Everywhere", exact=True).click()
    page.get_by_role("navigation", name="Campaign sections").get_by_role(
        "link", name="Delivery"
    ).click()
    expect(page).to_have_url(live_demo(f"/campaigns/{campaign.pk}/delivery/"))
    main = page.get_by_role("main")
    expect(main.get_by_text("Nothing imported yet", exact=False).first).to_be_visible()
    expect(delivered(page, SEARCH)).to_have_text("0.00")

    # A file dropped on the drop zone fills the file field.
    page.locator("[data-dropzone]").evaluate(
        """(zone) => {
            const data = new DataTransfer();
            data.items.add(new File(["Day,Cost\\n"], "dropped.csv", {type: "text/csv"}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                                      cancelable: true}));
        }"""
    )
    expect(page.locator("[data-dropzone-name]")).to_have_text("Chosen: dropped.csv")

    # Choose the real export and import it.
    page.get_by_label("Export file").set_input_files(
        files=[{"name": "google-ads-oct.csv", "mimeType": "text/csv", "buffer": export}]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "google-ads-oct.csv: 19 rows imported, 14 matched, 5 waiting in the unmatched queue"
    )

    # Pacing: search delivered 28,000.00 against 36,000.00 expected; social nothing yet.
    expect(delivered(page, SEARCH)).to_have_text("28,000.00")
    expect(pacing_row(page, SEARCH)).to_contain_text("0.78")
    expect(pacing_row(page, SEARCH)).to_contain_text("Under")
    expect(delivered(page, SOCIAL)).to_have_text("0.00")
    expect(index_bar_value(page, SOCIAL)).to_have_text("0.00 · Under")
    expect(page.locator("#delivered-total")).to_have_text("28,000.00 USD")
    planned_line = page.locator("#delivery-chart polyline.line-planned").get_attribute("points")
    delivered_before = page.locator("#delivery-chart polyline.line-delivered").get_attribute(
        "points"
    )

    # The unmatched queue shows the stray campaign; assign it to the social placement.
    queue = page.locator("#unmatched-table")
    stray = queue.get_by_role("row").filter(has_text=STRAY)
    expect(stray).to_contain_text("5")  # rows
    expect(stray).to_contain_text("500.00")  # spend
    stray.get_by_label(f"Placement for {STRAY}").select_option(value=social.line_key)
    stray.get_by_role("button", name="Assign").click()

    expect(page.get_by_role("status").first).to_contain_text(f"now count for {SOCIAL}")
    expect(page.locator("#unmatched-table")).to_have_count(0)
    expect(page.get_by_text("Every imported row is matched to a placement.")).to_be_visible()
    # Social now has the 500.00, and both charts moved with it.
    expect(delivered(page, SOCIAL)).to_have_text("500.00")
    expect(index_bar_value(page, SOCIAL)).not_to_have_text("0.00 · Under")
    expect(page.locator("#delivered-total")).to_have_text("28,500.00 USD")
    assert (
        page.locator("#delivery-chart polyline.line-planned").get_attribute("points")
        == planned_line
    )
    assert (
        page.locator("#delivery-chart polyline.line-delivered").get_attribute("points")
        != delivered_before
    )
    # The chart's numbers are one click away.
    numbers = (
        page.locator("#delivery-chart").locator("xpath=..").get_by_text("Numbers behind the chart")
    )
    numbers.click()
    expect(page.get_by_role("cell", name="28,500.00").first).to_be_visible()

    # The assignment became a rule.
    page.get_by_role("link", name=re.compile(r"^Matching rules")).click()
    expect(page.get_by_role("table")).to_contain_text("Assigned by hand")
    expect(page.get_by_role("table")).to_contain_text(STRAY)


# A German broadcaster's post-log whose headers no reader knows.
POST_LOG = (
    "Sendetag;Uhrzeit;Kanal;Format;Dauer;Reichweite GRP;Netto EUR\r\n"
    "05.10.2026;20:14;NBCUniversal;Prime;30;2,5;6.000,00\r\n"
    "06.10.2026;21:02;NBCUniversal;Prime;30;1,5;3.600,00\r\n"
)


def test_an_export_of_unknown_layout_is_mapped_and_imported(
    live_demo: Any, page: Page, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    campaign = Campaign.objects.get(code="CTSO-5G26")
    log_in(page, "alice@demo.test")
    page.goto(live_demo(f"/campaigns/{campaign.pk}/delivery/"))
    page.get_by_label("Export file").set_input_files(
        files=[{"name": "nbc-log.csv", "mimeType": "text/csv",
                "buffer": POST_LOG.encode("cp1252")}]
    )  # fmt: skip
    page.get_by_role("button", name="Import", exact=True).click()

    # The mapping step: the file's columns to choose from, and its first rows.
    expect(page.get_by_role("heading", level=1)).to_have_text("Map the columns of nbc-log.csv")
    expect(page.locator("#sample-table")).to_contain_text("6.000,00")
    form = page.locator("#mapping-form")
    form.get_by_label("Spend (cost)").select_option("Netto EUR")
    form.get_by_label("GRPs").select_option("Reichweite GRP")
    form.get_by_label("Campaign name").select_option("Kanal")
    form.get_by_role("button", name="Import", exact=True).click()
    # No day chosen: said beside the day field; the other choices stay.
    expect(form.locator("#id_map-date_error")).to_contain_text("Say which column holds the day")
    expect(form.get_by_label("Spend (cost)")).to_have_value("Netto EUR")

    form.get_by_label("Day (date)").select_option("Sendetag")
    form.get_by_label("Save this mapping as").fill("NBC post-log")
    form.get_by_role("button", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.pk}/delivery/#"))
    expect(page.get_by_role("status").first).to_contain_text("nbc-log.csv: 2 rows imported")
    expect(page.locator("#imports-table")).to_contain_text("nbc-log.csv")

    # The saved mapping is listed with the matching rules.
    page.get_by_role("link", name=re.compile(r"^Matching rules")).click()
    expect(page.locator("#mappings-table")).to_contain_text("NBC post-log")
    expect(page.locator("#mappings-table")).to_contain_text("Sendetag")
