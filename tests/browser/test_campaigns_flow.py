"""End to end in headless Chromium: logging in and out, the campaign list, form and history.

Assertions are on what a person sees (text, roles, labels), against the live server holding the
demo agency. Every test also fails on console errors or Content-Security-Policy violations
(see conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from mediadesk.demo import DEMO_PASSWORD
from mediadesk.planning.models import Campaign

NORTHWIND_CAMPAIGNS = [
    "Autumn Roast Launch",
    "Winter Tea Moments",
    "Spring Cold Brew",
    "Retail Partner Test (internal)",
]
CONTOSO_CAMPAIGNS = ["5G Everywhere", "Back to School Prepaid", "Holiday Bundles", "Spring Switch"]
FABRIKAM_CAMPAIGNS = ["Trail Season 2027", "Muddy Puddles", "Black Friday Gear"]
INTERNAL_CAMPAIGN = "Retail Partner Test (internal)"
LOGIN_PATH = re.compile(r"/login/(\?.*)?$")
# A refused login answers 400, which Chromium reports on the console as a failed resource.
REFUSED_LOGIN = r"Failed to load resource: the server responded with a status of 400"


# --- helpers ----------------------------------------------------------------------------------


def label(text: str) -> re.Pattern[str]:
    """A field's label, with or without the required-field star."""
    return re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$")


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label(label("E-mail")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_to_today(page: Page, email: str) -> None:
    log_in(page, email)
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def open_campaigns(page: Page) -> Locator:
    """Go to Campaigns through the main navigation; returns the results table."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    return main(page).get_by_role("table")


def campaign_link(scope: Page | Locator, name: str) -> Locator:
    return scope.get_by_role("link", name=name, exact=True)


def expect_campaigns(table: Locator, shown: list[str], hidden: list[str]) -> None:
    for name in shown:
        expect(campaign_link(table, name)).to_be_visible()
    for name in hidden:
        expect(campaign_link(table, name)).to_have_count(0)
    # One header row plus one row per campaign: nothing else slipped in.
    expect(table.get_by_role("row")).to_have_count(len(shown) + 1)


def field(page: Page, text: str) -> Locator:
    return main(page).get_by_label(label(text))


def fill_campaign_form(page: Page, *, name: str, code: str, start: str, end: str) -> None:
    field(page, "Client").select_option(label="Northwind")
    field(page, "Brand").select_option(label="Northwind Coffee")
    field(page, "Name").fill(name)
    field(page, "Code").fill(code)
    field(page, "Start").fill(start)
    field(page, "End").fill(end)
    field(page, "Budget").fill("125000")
    field(page, "Status").select_option(label="Booked")
    page.get_by_role("group", name="Objectives").get_by_role("checkbox", name="Awareness").check()
    page.get_by_label("KPI 1", exact=True).select_option(label="CPM")
    page.get_by_label("Target 1", exact=True).fill("8.75")


# --- tests ------------------------------------------------------------------------------------


def test_coordinator_logs_in_and_sees_only_their_clients_campaigns(
    live_demo: Any, page: Page
) -> None:
    log_in(page, "ben@demo.test")

    expect(page).to_have_url(live_demo("/"))
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    table = open_campaigns(page)
    expect(page).to_have_url(live_demo("/campaigns/"))
    expect_campaigns(table, NORTHWIND_CAMPAIGNS + CONTOSO_CAMPAIGNS, FABRIKAM_CAMPAIGNS)
    expect(table).not_to_contain_text("Fabrikam")
    # Fabrikam is not even offered in the client switcher or the filter.
    expect(page.get_by_role("banner").get_by_label("Working on")).not_to_contain_text("Fabrikam")


def test_create_campaign_then_find_it_and_its_history(live_demo: Any, page: Page) -> None:
    name, code = "Harvest Espresso Push", "NWND-HE27"
    log_in_to_today(page, "ben@demo.test")
    open_campaigns(page)

    main(page).get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", level=1, name="New campaign")).to_be_visible()
    fill_campaign_form(page, name=name, code=code, start="2027-05-03", end="2027-06-27")
    page.get_by_role("button", name="Create campaign").click()

    # The detail page of the new campaign, with what was entered.
    expect(page).to_have_url(re.compile(r"/campaigns/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("status")).to_contain_text(f"Campaign “{name}” created.")
    body = main(page)
    expect(body).to_contain_text(code)
    expect(body).to_contain_text("Northwind Coffee")
    expect(body).to_contain_text("Booked")
    expect(body).to_contain_text("Awareness")
    expect(body).to_contain_text("CPM 8.75")
    expect(body).to_contain_text("125,000.00 EUR")
    detail_url = page.url

    # Back on the list, the search box narrows the results as one types (htmx).
    table = open_campaigns(page)
    expect(campaign_link(table, "Autumn Roast Launch")).to_be_visible()
    page.get_by_role("searchbox", name="Search").press_sequentially("Harvest", delay=20)
    expect(campaign_link(table, "Autumn Roast Launch")).to_have_count(0)
    expect(campaign_link(table, name)).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(2)
    expect(main(page)).to_contain_text("1 campaign")
    expect(page).to_have_url(re.compile(r"[?&]q=Harvest"))

    campaign_link(table, name).click()
    expect(page).to_have_url(detail_url)
    page.get_by_role("navigation", name="Campaign sections").get_by_role(
        "link", name="History"
    ).click()
    history = page.get_by_role("region", name="History")
    expect(history).to_be_visible()
    created = history.get_by_role("listitem").filter(has_text=re.compile(r"^\s*Created\b"))
    expect(created).to_have_count(1)
    # Who did it (the trail keeps the login) and what was set.
    expect(created).to_contain_text("by Ben Brooks")
    expect(created.get_by_role("row", name=re.compile(r"^Name\b"))).to_contain_text(name)


def test_form_error_keeps_what_was_typed_and_explains_beside_the_field(
    live_demo: Any, page: Page
) -> None:
    name = "Backwards Flight"
    log_in_to_today(page, "ben@demo.test")
    page.goto("/campaigns/new/")
    fill_campaign_form(page, name=name, code="NWND-BW27", start="2027-05-10", end="2027-05-01")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("alert")).to_contain_text("Please fix 1 field")
    end = field(page, "End")
    # The message sits in the End field's own block, right with the input.
    end_field = end.locator("xpath=..")
    expect(end_field).to_contain_text(
        "The end date (01 May 2027) is before the start date (10 May 2027)."
    )
    expect(field(page, "Start").locator("xpath=..")).not_to_contain_text("before the start")
    # ...and screen readers announce it with the field.
    expect(end).to_have_accessible_description(re.compile(r"is before the start date"))
    # Nothing typed is lost.
    expect(field(page, "Name")).to_have_value(name)
    expect(field(page, "Code")).to_have_value("NWND-BW27")
    expect(field(page, "Start")).to_have_value("2027-05-10")
    expect(end).to_have_value("2027-05-01")
    expect(field(page, "Budget")).to_have_value("125000")
    expect(field(page, "Client")).to_have_value(
        str(Campaign.objects.filter(code="NWND-AR26").values_list("client_id", flat=True)[0])
    )
    expect(page.get_by_role("checkbox", name="Awareness")).to_be_checked()
    expect(page.get_by_label("Target 1", exact=True)).to_have_value("8.75")
    assert not Campaign.objects.filter(code="NWND-BW27").exists()


def test_log_out_from_the_user_menu(live_demo: Any, page: Page) -> None:
    log_in_to_today(page, "ben@demo.test")

    page.get_by_role("banner").get_by_text("Ben Brooks", exact=True).click()
    page.get_by_role("menuitem", name="Log out").click()

    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.goto("/campaigns/")
    expect(page).to_have_url(live_demo("/login/?next=/campaigns/"))
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def test_wrong_password_is_refused_with_a_message(live_demo: Any, page: Page, console: Any) -> None:
    console.allow(REFUSED_LOGIN)
    log_in(page, "ben@demo.test", password="not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("That e-mail and password do not match")
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_label(label("E-mail"))).to_have_value("ben@demo.test")
    # Still logged out.
    page.goto("/campaigns/")
    expect(page).to_have_url(LOGIN_PATH)


def test_client_reviewer_sees_only_shared_northwind_campaigns(
    live_demo: Any, page: Page, console: Any
) -> None:
    log_in_to_today(page, "dan@demo.test")
    table = open_campaigns(page)

    shared = [n for n in NORTHWIND_CAMPAIGNS if n != INTERNAL_CAMPAIGN]
    expect_campaigns(table, shared, [INTERNAL_CAMPAIGN, *CONTOSO_CAMPAIGNS, *FABRIKAM_CAMPAIGNS])
    expect(table).not_to_contain_text("Contoso")
    expect(main(page).get_by_role("link", name="New campaign")).to_have_count(0)

    # The internal campaign does not exist for him, even by its address.
    internal = Campaign.objects.get(name=INTERNAL_CAMPAIGN)
    console.allow(r"status of 404")
    response = page.goto(f"/campaigns/{internal.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text(INTERNAL_CAMPAIGN)).to_have_count(0)


def test_client_switcher_narrows_the_list(live_demo: Any, page: Page) -> None:
    log_in_to_today(page, "alice@demo.test")
    table = open_campaigns(page)
    expect_campaigns(table, NORTHWIND_CAMPAIGNS + CONTOSO_CAMPAIGNS + FABRIKAM_CAMPAIGNS, [])

    # No button press: choosing a client submits the switcher (app.js).
    page.get_by_role("banner").get_by_label("Working on").select_option(label="Contoso Mobile")

    expect(main(page).get_by_text("Contoso Mobile", exact=True).first).to_be_visible()
    expect(page).to_have_url(live_demo("/campaigns/"))
    table = main(page).get_by_role("table")
    expect_campaigns(table, CONTOSO_CAMPAIGNS, NORTHWIND_CAMPAIGNS + FABRIKAM_CAMPAIGNS)
    expect(page.get_by_role("banner").get_by_label("Working on")).to_have_value(
        str(Campaign.objects.filter(code="CTSO-5G26").values_list("client_id", flat=True)[0])
    )

    # The choice holds on the next page too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(main(page)).to_contain_text("Contoso Mobile")
    expect(main(page)).not_to_contain_text("Northwind")


def test_login_works_with_the_keyboard_alone(live_demo: Any, page: Page) -> None:
    page.goto("/login/")
    email = page.get_by_label(label("E-mail"))
    password = page.get_by_label(label("Password"))
    button = page.get_by_role("button", name="Log in")

    # The e-mail field has the focus on arrival; before it only the skip link.
    expect(email).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type("ben@demo.test")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type("demo")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(password).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page).to_have_url(live_demo("/"))


def test_pages_have_no_console_errors_or_csp_violations(
    live_demo: Any, page: Page, console: Any
) -> None:
    log_in_to_today(page, "alice@demo.test")
    campaign = Campaign.objects.get(code="NWND-AR26")
    for path in [
        "/",
        "/campaigns/",
        "/campaigns/?q=Spring&status=planning",
        "/campaigns/new/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/?tab=history",
        f"/campaigns/{campaign.pk}/edit/",
        "/settings/tokens/",
        "/settings/roles/",
        f"/settings/clients/{campaign.client_id}/finance/",
        "/settings/orders/",
        "/api/v1/docs",
    ]:
        response = page.goto(path)
        assert response is not None
        assert response.ok, f"{path} answered {response.status}"
        page.wait_for_load_state("load")
        # Stylesheet and scripts really loaded under the policy (they are not inline).
        assert page.evaluate("document.styleSheets.length") >= 1, path
    # An htmx request under the policy, too.
    page.goto("/campaigns/")
    page.get_by_role("searchbox", name="Search").fill("Roast")
    expect(main(page).get_by_role("table").get_by_role("row")).to_have_count(2)
    console.assert_clean()
