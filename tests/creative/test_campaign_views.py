"""The campaign side of creative: the Creative tab, trafficking (assign, remove, the vendors'
sheets as XLSX and by e-mail), material deadlines, the spec library and a client's creative
settings, each with the isolation between clients and organizations.

The campaigns here are made for the tests with dates around today, so a placement is late, due
or running whatever day the suite runs; the creative is real PNGs uploaded, reviewed and
approved through the services by people with the roles that may.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creative.conftest import png_bytes
from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client, Membership, User
from mediadesk.audit.models import AuditEvent
from mediadesk.creative import services
from mediadesk.creative.choices import AssetStatus
from mediadesk.creative.models import (
    Asset,
    Assignment,
    CreativeSettings,
    VendorSpec,
    default_stages,
    default_utm,
)
from mediadesk.planning import services as planning
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign, Placement
from vendors.agencies import make_other_agency

pytestmark = pytest.mark.django_db


# --- A campaign around today, with creative ---------------------------------------------------


def today() -> date:
    return timezone.localdate()


def days(n: int) -> date:
    return today() + timedelta(days=n)


@dataclass
class World:
    campaign: Campaign
    mpu: Placement  # Spiegel 300x250, running, deadline passed: approved creative
    leaderboard: Placement  # The Trade Desk 728x90, deadline in 3 days: creative in review
    radio: Placement  # RMS radio, starts in 5 days, deadline passed: no creative (late)
    approved: Asset  # the 300x250 image, approved through every stage
    second: Asset  # another approved 300x250 image
    in_review: Asset  # the 728x90 image, at its first stage


def make_campaign(
    actor: User, client: Client, code: str, lines: list[dict[str, Any]]
) -> tuple[Campaign, list[Placement]]:
    campaign = planning.create_campaign(
        actor,
        client_id=client.pk,
        values={
            "name": f"Campaign {code}",
            "code": code,
            "start": days(-10),
            "end": days(60),
            "budget": Decimal("100000"),
            "status": CampaignStatus.LIVE,
        },
    )
    version = planning.start_plan(actor, campaign, "Plan")
    placements = []
    for line in lines:
        values = {
            "market": "DE",
            "cost_model": "cpm",
            "rate": Decimal("10"),
            "quantity": Decimal("1000000"),
            "start": days(-7),
            "end": days(60),
            **line,
        }
        placements.append(planning.add_placement(actor, version, values))
    return campaign, placements


def upload(
    actor: User, campaign: Campaign, placement: Placement, name: str, size: tuple[int, int]
) -> Asset:
    return services.upload_asset(
        actor,
        client=campaign.client,
        source=io.BytesIO(png_bytes(*size, text=name)),
        filename=f"{name.lower().replace(' ', '-')}.png",
        name=name,
        campaign=campaign,
        line_keys=[placement.line_key],
    ).asset


def approve(asset: Asset, internal: User, client_reviewer: User) -> None:
    """Through the client's default stages: creative lead, legal (internal), client."""
    round_ = services.start_review(internal, asset)
    for stage in round_.stages.order_by("position"):
        stage.refresh_from_db()
        decider = client_reviewer if stage.who == "client" else internal
        services.decide(decider, stage, "approve")
    asset.refresh_from_db()
    assert asset.status == AssetStatus.APPROVED


@pytest.fixture
def world(demo: Any) -> World:
    campaign, (mpu, leaderboard, radio) = make_campaign(
        demo.alice,
        demo.northwind,
        "NWND-CRT",
        [
            {
                "channel": "display",
                "vendor": "Spiegel Media",
                "property_name": "spiegel.de",
                "format": "300x250",
                "material_deadline": days(-14),
            },
            {
                "channel": "display",
                "vendor": "The Trade Desk",
                "property_name": "Open exchange",
                "format": "728x90",
                "start": days(10),
                "material_deadline": days(3),
            },
            {
                "channel": "radio",
                "vendor": "RMS",
                "property_name": "Antenne Bayern",
                "format": "30s spot",
                "cost_model": "per_spot",
                "rate": Decimal("350"),
                "quantity": Decimal("40"),
                "start": days(5),
                "material_deadline": days(-2),
            },
        ],
    )
    approved = upload(demo.ben, campaign, mpu, "Autumn MPU", (300, 250))
    approve(approved, demo.ben, demo.dan)
    second = upload(demo.ben, campaign, mpu, "Autumn MPU alt", (300, 250))
    approve(second, demo.ben, demo.dan)
    in_review = upload(demo.ben, campaign, leaderboard, "Autumn leaderboard", (728, 90))
    services.start_review(demo.ben, in_review)
    return World(campaign, mpu, leaderboard, radio, approved, second, in_review)


@pytest.fixture
def foreign(demo: Any) -> World:
    """A Fabrikam campaign (Ben does not work on Fabrikam) with a late placement, an approved
    asset and an assignment, made by the organization admin."""
    campaign, (mpu, _, radio) = make_campaign(
        demo.alice,
        demo.fabrikam,
        "FBRK-SECRET",
        [
            {
                "channel": "display",
                "vendor": "Spiegel Media",
                "property_name": "secret.example",
                "format": "300x250",
                "material_deadline": days(-5),
            },
            {
                "channel": "display",
                "vendor": "JCDecaux",
                "format": "728x90",
                "material_deadline": days(40),
            },
            {
                "channel": "radio",
                "vendor": "RMS",
                "format": "30s spot",
                "cost_model": "per_spot",
                "rate": Decimal("350"),
                "quantity": Decimal("40"),
                "start": days(3),
                "material_deadline": days(-1),
            },
        ],
    )
    asset = upload(demo.alice, campaign, mpu, "Fabrikam secret MPU", (300, 250))
    approve(asset, demo.alice, demo.alice)
    services.assign(demo.alice, asset.current_version, mpu, click_url="https://fabrikam.example/")
    return World(campaign, mpu, mpu, radio, asset, asset, asset)


def text(response: Any) -> str:
    return str(response.content.decode())


def viewer(demo: Any) -> User:
    user = User.objects.create_user("vic@demo.test", "x", organization=demo.alice.organization)
    Membership.objects.create(user=user, client=demo.northwind, role=Role.VIEWER)
    return user


def prefix(vendor: str) -> str:
    return "mail-" + re.sub(r"[^a-z0-9]", "", vendor.lower())


# --- The campaign's Creative tab --------------------------------------------------------------


def test_creative_tab_lists_each_placement_with_its_creative(
    demo: Any, world: World, web_as: Any
) -> None:
    http = web_as(demo.ben)
    page = http.get(f"/campaigns/{world.campaign.pk}/creative/")
    assert page.status_code == 200
    body = text(page)
    assert 'aria-current="page">Creative</a>' in body
    # Summary: three placements, one with approved creative, one late.
    assert re.search(r"<h2>Placements</h2><p class=\"big\">3</p>", body)
    assert re.search(r"<h2>With approved creative</h2><p class=\"big\">1</p>", body)
    assert re.search(r"<h2>Late</h2><p class=\"big\">1</p>", body)
    for placement in (world.mpu, world.leaderboard, world.radio):
        assert placement.code in body
    # Suggested specs from the formats; the assets with their status, linked to their pages.
    assert "Medium rectangle 300x250" in body and "Leaderboard 728x90" in body
    assert "30-second spot (broadcast or radio)" in body and "Suggested" in body
    assert f'href="/creative/{world.approved.pk}/"' in body and "Autumn MPU" in body
    assert "Approved</span>" in body and "In review</span>" in body
    # Deadlines in words: approved but not trafficked; due in 3 days; late by 2 days.
    assert "Approved; not yet trafficked." in body
    assert "Due in 3 days" in body and "1 of 1 in review" in body
    assert "Late by 2 days" in body and "no creative uploaded" in body
    # Links to upload creative for the campaign and to trafficking.
    assert f"/creative/?campaign={world.campaign.pk}" in body
    assert f"/campaigns/{world.campaign.pk}/trafficking/" in body
    # The campaign's other pages link to the tab.
    overview = text(http.get(world.campaign.get_absolute_url()))
    assert f'href="/campaigns/{world.campaign.pk}/creative/"' in overview


def test_late_only_keeps_the_late_placements(demo: Any, world: World, web_as: Any) -> None:
    body = text(web_as(demo.ben).get(f"/campaigns/{world.campaign.pk}/creative/?late=1"))
    assert world.radio.code in body
    assert world.mpu.code not in body and world.leaderboard.code not in body
    assert "Show every placement" in body


def test_placement_spec_is_chosen_and_rechecks_the_assets(
    demo: Any, world: World, web_as: Any
) -> None:
    http = web_as(demo.ben)
    url = f"/campaigns/{world.campaign.pk}/creative/spec/"
    response = http.post(url, {"line_key": world.mpu.line_key, "spec_key": "iab-728x90"})
    assert response.status_code == 302
    world.approved.refresh_from_db()
    assert world.approved.blocking_findings == 1  # a 300x250 image against 728x90
    body = text(http.get(f"/campaigns/{world.campaign.pk}/creative/"))
    assert "takes Leaderboard 728x90" in body
    assert "1 blocking finding" in body
    assert '<option value="iab-728x90" selected>' in body
    # Back to the suggested spec: the finding is gone.
    http.post(url, {"line_key": world.mpu.line_key, "spec_key": ""})
    world.approved.refresh_from_db()
    assert world.approved.blocking_findings == 0
    # A key that is not in the library, and a placement of another campaign, are refused.
    refused = http.post(url, {"line_key": world.mpu.line_key, "spec_key": "iab-1x1"}, follow=True)
    assert "No spec has the key iab-1x1." in text(refused)
    other = Placement.objects.filter(version__campaign__code="NWND-AR26").first()
    refused = http.post(url, {"line_key": other.line_key, "spec_key": "iab-300x250"}, follow=True)
    assert f"is not a placement of {world.campaign.code}" in text(refused)


def test_roles_without_creative_rights_read_the_tab_but_cannot_change_it(
    demo: Any, world: World, web_as: Any
) -> None:
    http = web_as(viewer(demo))
    body = text(http.get(f"/campaigns/{world.campaign.pk}/creative/"))
    assert world.mpu.code in body
    assert 'name="spec_key"' not in body and "Upload creative" not in body
    refused = http.post(
        f"/campaigns/{world.campaign.pk}/creative/spec/",
        {"line_key": world.mpu.line_key, "spec_key": "iab-728x90"},
    )
    assert refused.status_code == 403
    assert "upload and traffic creative" in text(refused)


def test_another_organizations_vendor_spec_is_not_offered(
    demo: Any, world: World, web_as: Any
) -> None:
    other = make_other_agency()
    services.save_vendor_spec(
        other.admin,
        other.vendor,
        key="other-secret-spec",
        name="Other's secret spec",
        definition={"kinds": ["image"], "sizes": ["300x250"]},
    )
    http = web_as(demo.ben)
    body = text(http.get(f"/campaigns/{world.campaign.pk}/creative/"))
    assert "other-secret-spec" not in body and "Other's secret spec" not in body
    refused = http.post(
        f"/campaigns/{world.campaign.pk}/creative/spec/",
        {"line_key": world.mpu.line_key, "spec_key": "other-secret-spec"},
        follow=True,
    )
    assert "No spec has the key other-secret-spec." in text(refused)


# --- Trafficking ------------------------------------------------------------------------------


def assign_data(world: World, asset: Asset, **values: Any) -> dict[str, Any]:
    return {
        "placement": world.mpu.pk,
        "version": asset.current_version_id,
        "starts": "",
        "ends": "",
        "weight": "100",
        "click_url": "",
        **values,
    }


def test_assign_through_the_page(demo: Any, world: World, web_as: Any) -> None:
    http = web_as(demo.ben)
    page = text(http.get(f"/campaigns/{world.campaign.pk}/trafficking/"))
    # Only approved versions are offered: not the leaderboard in review.
    assert "Autumn MPU · v1" in page and "Autumn MPU alt · v1" in page
    assert "Autumn leaderboard" not in page
    url = f"/campaigns/{world.campaign.pk}/trafficking/assign/"
    response = http.post(
        url,
        assign_data(
            world,
            world.approved,
            weight="60",
            click_url="https://northwind.example/autumn?ref=io#top",
        ),
    )
    assert response.status_code == 302
    first = Assignment.objects.get(version=world.approved.current_version)
    # Blank dates: from today (the placement already runs) to the placement's end.
    assert (first.starts, first.ends, first.weight) == (today(), world.mpu.end, 60)
    assert "utm_source=spiegel_media" in first.tracked_url
    assert "utm_campaign=nwnd-crt" in first.tracked_url and first.tracked_url.endswith("#top")
    http.post(url, assign_data(world, world.second, weight="40"))
    body = text(http.get(f"/campaigns/{world.campaign.pk}/trafficking/"))
    assert 'Trafficked <span class="count">2</span>' in body
    assert first.tracked_url.replace("&", "&amp;") in body
    cells = re.findall(r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', body)
    assert sorted(cells) == [("40", "40"), ("60", "60")]  # weight and rotation share %
    # The Creative tab now says what runs and that the placement is ready.
    tab = text(http.get(f"/campaigns/{world.campaign.pk}/creative/"))
    assert "Approved creative is trafficked." in tab and "weight 60" in tab


def test_assign_refusals_are_the_services_sentences(demo: Any, world: World, web_as: Any) -> None:
    http = web_as(demo.ben)
    url = f"/campaigns/{world.campaign.pk}/trafficking/assign/"
    expiry = days(20)
    services.add_right(
        demo.ben, world.approved, kind="music", holder="Sunny Tunes Ltd", expires=expiry
    )
    response = http.post(url, assign_data(world, world.approved, click_url="https://nw.example/x"))
    assert response.status_code == 409
    body = text(response)
    assert (
        f"Music rights (Sunny Tunes Ltd) expire on {expiry:%d %b %Y}, but the run ends on "
        f"{world.mpu.end:%d %b %Y}" in body
    )
    assert 'value="https://nw.example/x"' in body  # what was typed is kept
    # Within the rights it runs.
    ok = http.post(url, assign_data(world, world.approved, ends=expiry.isoformat()))
    assert ok.status_code == 302
    assert Assignment.objects.get(version=world.approved.current_version).ends == expiry
    # Dates outside the placement.
    late = http.post(
        url, assign_data(world, world.second, ends=(world.mpu.end + timedelta(days=1)).isoformat())
    )
    assert late.status_code == 409 and "keep the dates inside it" in text(late)
    # A bad click-through URL is put beside the field.
    bad = http.post(url, assign_data(world, world.second, click_url="northwind.example"))
    assert bad.status_code == 400 and "is not a web address" in text(bad)
    assert Assignment.objects.count() == 1


def test_only_the_version_the_latest_round_approved_can_run(
    demo: Any, world: World, web_as: Any
) -> None:
    approved_version = world.approved.current_version
    services.upload_version(
        demo.ben, world.approved, source=io.BytesIO(png_bytes(text="v2")), filename="mpu-v2.png"
    )
    http = web_as(demo.ben)
    page = text(http.get(f"/campaigns/{world.campaign.pk}/trafficking/"))
    assert "Autumn MPU · v1" not in page and "Autumn MPU · v2" not in page
    refused = http.post(
        f"/campaigns/{world.campaign.pk}/trafficking/assign/",
        {**assign_data(world, world.approved), "version": approved_version.pk},
    )
    assert refused.status_code == 400 and "Select a valid choice" in text(refused)
    assert not Assignment.objects.exists()


def test_utm_preview_fragment(demo: Any, world: World, web_as: Any) -> None:
    response = web_as(demo.ben).get(
        f"/campaigns/{world.campaign.pk}/trafficking/",
        {
            "preview": "utm",
            "placement": world.mpu.pk,
            "version": world.approved.current_version_id,
            "click_url": "https://northwind.example/a",
        },
        headers={"HX-Request": "true"},
    )
    body = text(response)
    assert "<html" not in body
    assert "utm_source=spiegel_media&amp;utm_medium=display" in body
    assert "utm_content=autumn_mpu" in body
    bad = web_as(demo.ben).get(
        f"/campaigns/{world.campaign.pk}/trafficking/", {"preview": "utm", "click_url": "ftp://x"}
    )
    assert "is not a web address" in text(bad)


def test_remove_with_a_reason(demo: Any, world: World, web_as: Any, foreign: World) -> None:
    assignment = services.assign(demo.ben, world.approved.current_version, world.mpu)
    http = web_as(demo.ben)
    response = http.post(
        f"/trafficking/{assignment.pk}/remove/", {"reason": "Wrong colour"}, follow=True
    )
    assert "is taken off" in text(response)
    assignment.refresh_from_db()
    assert assignment.removed_at is not None
    event = AuditEvent.objects.for_object(assignment).get(action="deleted")
    assert event.reason == "Wrong colour" and event.actor == demo.ben
    assert "Nothing is trafficked on" in text(response)
    # Another client's assignment does not exist for Ben.
    other = Assignment.objects.get(campaign=foreign.campaign)
    assert http.post(f"/trafficking/{other.pk}/remove/", {"reason": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.removed_at is None


def test_sheet_per_vendor_as_xlsx(demo: Any, world: World, web_as: Any) -> None:
    services.assign(
        demo.ben,
        world.approved.current_version,
        world.mpu,
        weight=60,
        click_url="https://northwind.example/autumn",
    )
    services.assign(demo.ben, world.second.current_version, world.mpu, weight=40)
    http = web_as(demo.ben)
    response = http.get(
        f"/campaigns/{world.campaign.pk}/trafficking/sheet.xlsx", {"vendor": "Spiegel Media"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "trafficking-NWND-CRT-spiegelmedia.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(data) == 2
    by_asset = {row["Asset"]: row for row in data}
    main, alt = by_asset["Autumn MPU"], by_asset["Autumn MPU alt"]
    assert main["Placement code"] == world.mpu.code and main["Vendor"] == "Spiegel Media"
    assert (main["Rotation share %"], alt["Rotation share %"]) == (60, 40)
    assert "utm_source=spiegel_media" in main["Click-through URL"]
    assert "utm_medium=display" in main["Click-through URL"]
    assert main["Download"].startswith("http://testserver/creative/files/")
    assert main["Size / length"] == "300x250" and main["File"] == "autumn-mpu.png"
    # The sheet of a vendor with nothing trafficked has the header only.
    empty = http.get(
        f"/campaigns/{world.campaign.pk}/trafficking/sheet.xlsx", {"vendor": "The Trade Desk"}
    )
    assert len(list(openpyxl.load_workbook(io.BytesIO(empty.content)).active.rows)) == 1
    # The page offers each vendor's sheet.
    page = text(http.get(f"/campaigns/{world.campaign.pk}/trafficking/"))
    assert "sheet.xlsx?vendor=Spiegel%20Media" in page


def test_sheet_by_email_with_the_files_attached(demo: Any, world: World, web_as: Any) -> None:
    services.assign(
        demo.ben,
        world.approved.current_version,
        world.mpu,
        click_url="https://northwind.example/autumn",
    )
    http = web_as(demo.ben)
    page = text(http.get(f"/campaigns/{world.campaign.pk}/trafficking/"))
    # The address is the vendor's contact in the directory.
    assert 'value="lena.brandt@example.de"' in page
    field = prefix("Spiegel Media")
    url = f"/campaigns/{world.campaign.pk}/trafficking/email/"
    bad = http.post(url, {"vendor": "Spiegel Media", f"{field}-to": "not an address"})
    assert bad.status_code == 400 and "Enter a valid email address." in text(bad)
    assert not mail.outbox
    response = http.post(
        url,
        {
            "vendor": "Spiegel Media",
            f"{field}-to": "traffic@spiegel.example",
            f"{field}-message": "Please start on Monday.",
        },
        follow=True,
    )
    assert "was sent to traffic@spiegel.example (1 file attached" in text(response)
    [sent] = mail.outbox
    assert sent.to == ["traffic@spiegel.example"]
    assert "Please start on Monday." in sent.body and "NWND-CRT" in sent.subject
    names = [attachment[0] for attachment in sent.attachments]
    assert names == ["trafficking-NWND-CRT-spiegelmedia.xlsx", "autumn-mpu.png"]
    workbook = openpyxl.load_workbook(io.BytesIO(sent.attachments[0][1]))
    assert workbook.active.max_row == 2
    assert sent.attachments[1][1] == world.approved.current_version.file.open("rb").read()
    # A vendor with nothing trafficked gets the service's sentence beside its form.
    none = http.post(url, {"vendor": "RMS", f"{prefix('RMS')}-to": "radio@rms.example"})
    assert none.status_code == 400 and "Nothing is trafficked to RMS." in text(none)
    assert len(mail.outbox) == 1


# --- Material deadlines -----------------------------------------------------------------------


def test_deadlines_list_late_first(demo: Any, world: World, foreign: World, web_as: Any) -> None:
    http = web_as(demo.ben)
    response = http.get("/creative/deadlines/")
    assert response.status_code == 200
    body = text(response)
    # The late radio spot first, then the leaderboard due in 3 days (in review), not the MPU
    # (approved), nothing of Fabrikam's.
    assert body.index(world.radio.code) < body.index(world.leaderboard.code)
    assert world.mpu.code not in body
    assert "Late by 2 days" in body and "Due in 3 days" in body
    assert f'href="/creative/{world.in_review.pk}/"' in body
    assert "FBRK-SECRET" not in body and foreign.radio.code not in body
    # The organization admin sees both clients'.
    everything = text(web_as(demo.alice).get("/creative/deadlines/"))
    assert foreign.radio.code in everything and world.radio.code in everything


def test_deadlines_follow_the_client_switcher(
    demo: Any, world: World, foreign: World, web_as: Any
) -> None:
    http = web_as(demo.alice)
    http.post("/client/", {"client": demo.fabrikam.pk, "next": "/"})
    body = text(http.get("/creative/deadlines/"))
    assert foreign.radio.code in body and world.radio.code not in body


def test_deadlines_are_internal_and_scoped(demo: Any, world: World, web_as: Any) -> None:
    assert web_as(demo.dan).get("/creative/deadlines/").status_code == 404
    cora = User.objects.create_user("cora2@demo.test", "x", organization=demo.alice.organization)
    Membership.objects.create(user=cora, client=demo.contoso, role=Role.COORDINATOR)
    body = text(web_as(cora).get("/creative/deadlines/"))
    assert world.radio.code not in body and "NWND-CRT" not in body


def test_deadlines_take_a_fixed_number_of_queries(demo: Any, world: World, web_as: Any) -> None:
    http = web_as(demo.alice)
    http.get("/creative/deadlines/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert http.get("/creative/deadlines/").status_code == 200
    for code in ("NWND-MORE1", "NWND-MORE2"):
        campaign, (line,) = make_campaign(
            demo.alice,
            demo.northwind,
            code,
            [
                {
                    "channel": "radio",
                    "vendor": "RMS",
                    "format": "30s spot",
                    "cost_model": "per_spot",
                    "rate": Decimal("350"),
                    "quantity": Decimal("10"),
                    "start": days(2),
                    "material_deadline": days(-1),
                }
            ],
        )
        upload(demo.alice, campaign, line, f"Spot card {code}", (320, 50))
    with CaptureQueriesContext(connection) as more:
        body = text(http.get("/creative/deadlines/"))
    assert "NWND-MORE1" in body and "NWND-MORE2" in body
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]


def test_creative_tab_and_trafficking_take_a_fixed_number_of_queries(
    demo: Any, world: World, web_as: Any
) -> None:
    http = web_as(demo.ben)
    tab = f"/campaigns/{world.campaign.pk}/creative/"
    traffic = f"/campaigns/{world.campaign.pk}/trafficking/"
    services.assign(demo.ben, world.approved.current_version, world.mpu)
    http.get(tab)
    with CaptureQueriesContext(connection) as few_tab:
        http.get(tab)
    with CaptureQueriesContext(connection) as few_traffic:
        http.get(traffic)
    # More placements, assets, approved versions and assignments on two more vendors.
    version = world.campaign.plan_versions.get()
    for n, vendor in enumerate(["Ströer", "JCDecaux"]):
        line = planning.add_placement(
            demo.alice,
            version,
            {
                "channel": "display",
                "vendor": vendor,
                "format": "160x600",
                "market": "DE",
                "cost_model": "cpm",
                "rate": Decimal("5"),
                "quantity": Decimal("100000"),
                "start": days(-3),
                "end": days(30),
                "material_deadline": days(-9),
            },
        )
        asset = upload(demo.ben, world.campaign, line, f"Skyscraper {n}", (160, 600))
        approve(asset, demo.ben, demo.dan)
        services.assign(demo.ben, asset.current_version, line)
        upload(demo.ben, world.campaign, line, f"Skyscraper draft {n}", (160, 600))
    with CaptureQueriesContext(connection) as more_tab:
        body = text(http.get(tab))
    with CaptureQueriesContext(connection) as more_traffic:
        page = text(http.get(traffic))
    assert "Skyscraper draft 1" in body and "JCDecaux" in page
    assert len(more_tab) == len(few_tab), [q["sql"] for q in more_tab.captured_queries]
    assert len(more_traffic) == len(few_traffic), [q["sql"] for q in more_traffic.captured_queries]


# --- The spec library -------------------------------------------------------------------------


def test_spec_library_in_words(demo: Any, web_as: Any) -> None:
    response = web_as(demo.ben).get("/creative/specs/")
    assert response.status_code == 200
    body = text(response)
    for title in (
        "IAB display (fixed sizes)",
        "Search and social",
        "Broadcast and radio spots",
        "Podcast",
        "Print",
    ):
        assert title in body
    assert "Initial load up to 150 kB." in body  # 300x250
    assert "3 to 15 headlines: up to 30 characters each." in body  # Google RSA
    assert "Exactly 30 s long." in body and "Duration 20–30 s." in body
    assert "Add a vendor spec" not in body  # organization admins add them
    assert web_as(demo.dan).get("/creative/specs/").status_code == 404


def test_admin_adds_a_vendor_spec(demo: Any, web_as: Any) -> None:
    other = make_other_agency()
    services.save_vendor_spec(
        other.admin,
        other.vendor,
        key="other-takeover",
        name="Other's takeover",
        definition={"kinds": ["image"]},
    )
    http = web_as(demo.alice)
    page = text(http.get("/creative/specs/"))
    assert "Add a vendor spec" in page and "Other's takeover" not in page
    spiegel = demo.alice.organization.vendors.get(name="Spiegel Media")
    data = {
        "vendor": spiegel.pk,
        "key": "spiegel-halfpage",
        "name": "Spiegel half page ad",
        "kinds": ["image", "html5"],
        "sizes": "300x600",
        "max_kb": "200",
        "initial_kb": "150",
        "spot_length": "",
        "min_duration": "",
        "max_duration": "",
    }
    response = http.post("/creative/specs/", data, follow=True)
    saved = VendorSpec.objects.get(key="spiegel-halfpage")
    assert saved.vendor == spiegel
    assert saved.definition == {
        "kinds": ["image", "html5"],
        "sizes": ["300x600"],
        "max_bytes": 200000,
        "max_initial_load_bytes": 150000,
    }
    body = text(response)
    assert "Spiegel half page ad (Spiegel Media) is in the library" in body
    assert "Size 300x600." in body and "File weight up to 200 kB." in body
    # Bad values are put beside their fields; nothing is saved.
    bad = http.post(
        "/creative/specs/",
        {
            **data,
            "key": "bad-one",
            "sizes": "300 by 600",
            "min_duration": "30",
            "max_duration": "10",
            "kinds": [],
        },
    )
    assert bad.status_code == 400
    body = text(bad)
    assert "300 by 600 is not WIDTHxHEIGHT" in body
    assert "The longest is shorter than the shortest." in body
    assert "This field is required." in body
    # A key another organization uses is not taken over.
    taken = http.post("/creative/specs/", {**data, "key": "other-takeover"})
    assert taken.status_code == 400 and "other-takeover is taken" in text(taken)
    assert VendorSpec.objects.get(key="other-takeover").vendor == other.vendor
    # Another organization's vendor is not a choice.
    foreign = http.post("/creative/specs/", {**data, "key": "x-1", "vendor": other.vendor.pk})
    assert foreign.status_code == 400
    assert not VendorSpec.objects.filter(key__in=["bad-one", "x-1"]).exists()
    # Only organization admins add them.
    refused = web_as(demo.ben).post("/creative/specs/", {**data, "key": "ben-spec"})
    assert refused.status_code == 403 and "Only organization admins" in text(refused)


# --- A client's creative settings -------------------------------------------------------------


def settings_url(client: Client) -> str:
    return f"/settings/clients/{client.pk}/creative/"


def test_settings_change_stages_days_and_utm(demo: Any, web_as: Any) -> None:
    http = web_as(demo.alice)
    page = http.get(settings_url(demo.northwind))
    assert page.status_code == 200
    body = text(page)
    assert "Creative lead | internal" in body and "utm_source = {vendor}" in body
    assert "{placement}" in body  # the fields a template may use
    # The client's settings page links here.
    assert settings_url(demo.northwind) in text(http.get(f"/settings/clients/{demo.northwind.pk}/"))
    response = http.post(
        settings_url(demo.northwind),
        {
            "stages": "Brand team | internal\nLegal | Internal\n\nNorthwind marketing | client",
            "review_days": "3",
            "utm": "utm_source = {vendor}\nutm_campaign = {campaign}-{version}\nref = mediadesk",
        },
        follow=True,
    )
    assert "are saved" in text(response)
    found = CreativeSettings.objects.get(client=demo.northwind)
    assert found.review_stages == [
        {"name": "Brand team", "who": "internal"},
        {"name": "Legal", "who": "internal"},
        {"name": "Northwind marketing", "who": "client"},
    ]
    assert found.review_days == 3
    assert found.utm_template == {
        "utm_source": "{vendor}",
        "utm_campaign": "{campaign}-{version}",
        "ref": "mediadesk",
    }
    body = text(response)
    assert "Northwind marketing" in body and "utm_campaign=nwnd-aw27-v2" in body
    assert "History" in body and "Brand team | internal" in body


def test_settings_validation_errors_keep_what_was_typed(demo: Any, web_as: Any) -> None:
    http = web_as(demo.alice)
    url = settings_url(demo.northwind)
    cases = [
        ({"stages": "Creative lead\nClient | client"}, "add “| internal” or “| client”"),
        ({"stages": "Creative lead | agency"}, "“agency” is neither internal nor client"),
        ({"stages": "\n  \n"}, "This field is required."),
        ({"stages": " | client"}, "give the stage a name"),
        ({"review_days": "61"}, "less than or equal to 60"),
        ({"utm": "utm_source {vendor}"}, "write it as parameter = value"),
        ({"utm": "utm_source = {vendor}\nutm_source = x"}, "utm_source is given twice"),
        ({"utm": "utm_source = {publisher}"}, "utm_source uses {publisher}; the fields are"),
    ]
    for change, message in cases:
        data = {
            "stages": "Creative lead | internal",
            "review_days": "2",
            "utm": "utm_source = {vendor}",
            **change,
        }
        response = http.post(url, data)
        assert response.status_code == 400, change
        body = text(response)
        assert message in body, (change, body[body.find("error") :][:400])
    # Nothing changed (the service may have stored the defaults before refusing).
    found = CreativeSettings.objects.filter(client=demo.northwind).first()
    if found is not None:
        assert found.review_stages == default_stages() and found.review_days == 2
        assert found.utm_template == default_utm()
    assert not AuditEvent.objects.filter(content_type__model="creativesettings").exists()
    # What was typed stays in the form.
    kept = text(http.post(url, {"stages": "Creative lead\nLegal | internal", "review_days": "2"}))
    assert "Creative lead\nLegal | internal" in kept


def test_settings_need_manage_client(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)  # a coordinator reads them
    body = text(http.get(settings_url(demo.northwind)))
    assert "Creative lead" in body and 'name="stages"' not in body
    refused = http.post(
        settings_url(demo.northwind),
        {"stages": "Only me | internal", "review_days": "1", "utm": ""},
    )
    assert refused.status_code == 403 and "edit the client and its brands" in text(refused)
    assert not CreativeSettings.objects.filter(client=demo.northwind).exists()


def test_settings_of_clients_not_seen_are_404(demo: Any, web_as: Any) -> None:
    other = make_other_agency()
    assert web_as(demo.alice).get(settings_url(other.client)).status_code == 404
    assert web_as(demo.alice).post(settings_url(other.client), {}).status_code == 404
    assert web_as(demo.ben).get(settings_url(demo.fabrikam)).status_code == 404
    assert web_as(demo.ben).post(settings_url(demo.fabrikam), {}).status_code == 404
    assert web_as(demo.dan).get(settings_url(demo.northwind)).status_code == 404


# --- Isolation: every page of another client's campaign is not there --------------------------


def campaign_urls(campaign: Campaign) -> list[tuple[str, str]]:
    base = f"/campaigns/{campaign.pk}"
    return [
        ("get", f"{base}/creative/"),
        ("get", f"{base}/creative/?late=1"),
        ("post", f"{base}/creative/spec/"),
        ("get", f"{base}/trafficking/"),
        ("get", f"{base}/trafficking/?preview=utm&click_url=https://x.example/"),
        ("post", f"{base}/trafficking/assign/"),
        ("get", f"{base}/trafficking/sheet.xlsx"),
        ("get", f"{base}/trafficking/sheet.xlsx?vendor=Spiegel%20Media"),
        ("post", f"{base}/trafficking/email/"),
    ]


def test_another_clients_campaign_is_not_there(
    demo: Any, world: World, foreign: World, web_as: Any
) -> None:
    http = web_as(demo.ben)
    placement = foreign.mpu
    version = foreign.approved.current_version
    for method, url in campaign_urls(foreign.campaign):
        data = {
            "line_key": placement.line_key,
            "spec_key": "iab-728x90",
            "placement": placement.pk,
            "version": version.pk,
            "weight": "100",
            "vendor": "Spiegel Media",
            f"{prefix('Spiegel Media')}-to": "a@b.example",
        }
        response = getattr(http, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (method, url, response.status_code)
    assert not mail.outbox
    assert Assignment.objects.filter(campaign=foreign.campaign).count() == 1
    # Nor is anything of Fabrikam's offered on Ben's own pages.
    own = text(http.get(f"/campaigns/{world.campaign.pk}/trafficking/"))
    assert "Fabrikam secret MPU" not in own and "fabrikam.example" not in own
    # And Fabrikam's version cannot be trafficked on Ben's campaign.
    refused = http.post(
        f"/campaigns/{world.campaign.pk}/trafficking/assign/",
        {**assign_data(world, world.approved), "version": version.pk},
    )
    assert refused.status_code == 400
    assert not Assignment.objects.filter(campaign=world.campaign).exists()


def test_client_reviewers_do_not_find_the_internal_pages(
    demo: Any, world: World, web_as: Any
) -> None:
    """Dan reviews Northwind's creative through review stages; the campaign's creative tab,
    trafficking and its sheets are internal work (404), even of a campaign shared with him."""
    Campaign.objects.filter(pk=world.campaign.pk).update(shared_with_client=True)
    http = web_as(demo.dan)
    assert http.get(world.campaign.get_absolute_url()).status_code == 200
    assert (
        "/creative/"
        not in text(http.get(world.campaign.get_absolute_url()))
        .split('class="tabs"')[1]
        .split("</nav>")[0]
    )
    assignment = services.assign(demo.ben, world.approved.current_version, world.mpu)
    for method, url in [
        *campaign_urls(world.campaign),
        ("post", f"/trafficking/{assignment.pk}/remove/"),
    ]:
        response = getattr(http, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assignment.refresh_from_db()
    assert assignment.removed_at is None


def test_missing_objects_are_404(demo: Any, web_as: Any) -> None:
    http = web_as(demo.alice)
    missing = Campaign(pk=987654321)
    for method, url in campaign_urls(missing):
        assert getattr(http, method)(url).status_code == 404, url
    assert http.post("/trafficking/987654321/remove/").status_code == 404
    assert http.get(settings_url(Client(pk=987654321))).status_code == 404
