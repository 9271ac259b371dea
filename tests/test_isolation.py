"""Data isolation between clients is a security boundary.

The walk below visits every URL pattern and every API route with an object the user must not
see, and expects 404 for every method. A route added later is covered automatically; a route
with a path parameter the walk does not know fails here until it is taught how to build one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from delivery.exports import daily, google_ads
from mediadesk.accounts.models import ApiToken, Client, FxRate, Membership, User
from mediadesk.accounts.services import create_token
from mediadesk.compliance import services as compliance
from mediadesk.creative.models import (
    Asset,
    AssetVersion,
    Assignment,
    ReviewComment,
    ReviewRound,
    ReviewStage,
    UsageRight,
)
from mediadesk.delivery import services as delivery
from mediadesk.finance.models import Invoice, InvoiceLine, PaymentBatch
from mediadesk.orders.models import InsertionOrder, OrderLine
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.planning.services import receive_plan_file
from mediadesk.vendors import services as vendors
from mediadesk.vendors.models import NegotiatedRate, Vendor
from mediadesk.work.models import StatusReport, Team
from vendors.agencies import make_other_agency

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
METHODS = ["get", "post", "patch", "put", "delete"]
# Not object-scoped: Django's own admin (staff only, tested below) and static files.
SKIP_PREFIXES = ("admin/", "static/")
# Password-reset links carry a signed token for one person, not a client's object.
NOT_CLIENT_SCOPED = {"uidb64", "token"}


def walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def all_routes() -> list[str]:
    return sorted({route for route in walk(get_resolver().url_patterns)})


def params_of(route: str) -> list[str]:
    return [match["name"] for match in PARAM.finditer(route)]


def build(route: str, values: dict[str, Any]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in values:
            raise AssertionError(
                f"The isolation walk does not know how to build <{name}> in {route!r}: "
                "add a foreign object for it in foreign_objects()."
            )
        return str(values[name])

    return "/" + PARAM.sub(substitute, route).lstrip("^").rstrip("$")


def object_routes() -> list[str]:
    return [
        route
        for route in all_routes()
        if params_of(route)
        and not route.startswith(SKIP_PREFIXES)
        and not set(params_of(route)) & NOT_CLIENT_SCOPED
    ]


def test_walk_finds_the_routes_it_must_cover() -> None:
    routes = object_routes()
    assert "campaigns/<int:campaign_id>/" in routes
    assert "campaigns/<int:campaign_id>/edit/" in routes
    assert any(r.startswith("api/v1/") and "campaign_id" in r for r in routes)
    assert "settings/clients/<int:client_id>/brands/<int:brand_id>/" in routes
    assert any(r.startswith("api/v1/") and "client_id" in r for r in routes)
    assert "settings/clients/<int:client_id>/fx-rates/<int:fx_rate_id>/remove/" in routes
    assert any(r.startswith("api/v1/") and "fx_rate_id" in r for r in routes)
    assert "vendors/<int:vendor_id>/contacts/<int:contact_id>/remove/" in routes
    assert any(r.startswith("api/v1/") and "vendor_id" in r for r in routes)
    assert "vendors/<int:vendor_id>/documents/<int:document_id>/" in routes
    assert any(r.startswith("api/v1/") and "rate_card_id" in r for r in routes)


@pytest.fixture
def foreign_objects(demo: Any, settings: Any, tmp_path: Any) -> Any:
    """For each user, objects of clients (or sharing) they must not see."""
    settings.MEDIA_ROOT = tmp_path  # pending uploads of the delivery mapping step
    alice_token = create_token(demo.alice, name="alice's").token
    contoso = Campaign.objects.get(code="CTSO-5G26")
    unshared = Campaign.objects.get(code="NWND-RP27")
    fabrikam = Campaign.objects.get(code="FBRK-TS27")
    alice = HttpClient()
    alice.force_login(demo.alice)
    alices = {campaign.pk: pending_upload(alice, campaign)
              for campaign in (contoso, unshared, fabrikam)}  # fmt: skip
    # Settings objects: a client the user cannot see, with one of its brands and memberships.
    not_dans = {
        "client_id": demo.contoso.pk,
        "brand_id": demo.contoso.brands.first().pk,
        "membership_id": Membership.objects.get(user=demo.ben, client=demo.contoso).pk,
        "fx_rate_id": fx_rate_of(demo.contoso).pk,
    }
    not_bens = {
        "client_id": demo.fabrikam.pk,
        "brand_id": demo.fabrikam.brands.first().pk,
        "membership_id": Membership.objects.get(user=demo.cara, client=demo.fabrikam).pk,
        "fx_rate_id": fx_rate_of(demo.fabrikam).pk,
    }
    # A client reviewer does not see drafts, even of a shared campaign of his own client.
    draft = PlanVersion.objects.get(campaign__code="NWND-AR26", status="draft")
    # Delivery is internal work: a client reviewer sees none of it, even of a shared campaign
    # (tests/delivery/test_views.py walks the delivery pages of that campaign for him).
    shared = Campaign.objects.get(code="NWND-AR26")
    # Vendors belong to an organization: another agency's vendor and contact, for everyone.
    other = make_other_agency()
    foreign_vendor = {"vendor_id": other.vendor.pk, "contact_id": other.contact.pk,
                      "rate_card_id": other.rate_card.pk, "line_id": other.line.pk,
                      "negotiated_rate_id": other.negotiated_rate.pk,
                      "document_id": other.document.pk}  # fmt: skip
    money = {campaign.pk: money_objects(campaign) for campaign in (contoso, unshared, fabrikam)}
    # Creative of another client, of an unshared campaign (even once sent to the client), and of
    # the shared campaign before it reached a client stage: a client reviewer sees none of it.
    creative = {
        campaign.pk: creative_objects(campaign) for campaign in (contoso, unshared, fabrikam)
    }
    return [
        # user, values for each path parameter
        (demo.dan, {"campaign_id": contoso.pk, "token_id": alice_token.pk, **not_dans,
                    **plan_objects(contoso), **delivery_objects(contoso),
                    "pending": alices[contoso.pk], **foreign_vendor,
                    **money[contoso.pk], **creative[contoso.pk],
                    **compliance_objects(contoso), **work_objects(contoso)}),
        (demo.dan, {"campaign_id": unshared.pk, "token_id": alice_token.pk, **not_dans,
                    **plan_objects(unshared), **delivery_objects(unshared),
                    "pending": alices[unshared.pk], **foreign_vendor,
                    **money[unshared.pk], **creative[unshared.pk],
                    **compliance_objects(unshared), **work_objects(unshared)}),
        (demo.dan, {"campaign_id": contoso.pk, "token_id": alice_token.pk, **not_dans,
                    "plan_id": draft.pk, "other_plan_id": draft.pk,
                    "import_id": plan_objects(draft.campaign)["import_id"],
                    "placement_id": draft.placements.first().pk, "action": "approve",
                    **delivery_objects(shared), "pending": alices[contoso.pk],
                    **own_vendor(), **money_objects(shared),
                    **creative_objects(shared, sent_to_client=False),
                    **compliance_objects(shared), **work_objects(shared),
                    "report_id": StatusReport.objects.get(campaign=contoso).pk}),
        (demo.ben, {"campaign_id": fabrikam.pk, "token_id": alice_token.pk, **not_bens,
                    **plan_objects(fabrikam), **delivery_objects(fabrikam),
                    "pending": alices[fabrikam.pk], **foreign_vendor,
                    **money[fabrikam.pk], **creative[fabrikam.pk],
                    **compliance_objects(fabrikam), **work_objects(fabrikam)}),
        (demo.alice, {"campaign_id": MISSING, "token_id": MISSING, "client_id": MISSING,
                      "brand_id": MISSING, "membership_id": MISSING, "fx_rate_id": MISSING,
                      "plan_id": MISSING, "other_plan_id": MISSING, "import_id": MISSING,
                      "placement_id": MISSING, "action": "approve",
                      "delivery_import_id": MISSING, "rule_id": MISSING, "mapping_id": MISSING,
                      "pending": "missing", **foreign_vendor, "order_id": MISSING,
                      "invoice_id": MISSING, "batch_id": MISSING,
                      **{name: MISSING for name in CREATIVE_PARAMS},
                      "rule_set_id": MISSING, **{name: MISSING for name in WORK_PARAMS}}),
    ]  # fmt: skip


def own_vendor() -> dict[str, int]:
    """A vendor of the demo agency with one of its contacts, rate cards and lines, a document
    and Contoso's negotiated rate (a client reviewer sees none of them). Files go to the test's
    MEDIA_ROOT."""
    vendor = Vendor.objects.get(organization__slug="demo", name="Spotify")
    card = vendor.rate_cards.get()
    admin = User.objects.get(email="alice@demo.test")
    rate = NegotiatedRate.objects.filter(vendor=vendor).first() or vendors.add_negotiated_rate(
        admin, vendor, Client.objects.get(code="CTSO"),
        {"format": "30s audio", "market": "US", "cost_model": "cpm", "rate": Decimal("18"),
         "currency": "USD", "valid_from": date(2026, 1, 1)},
    )  # fmt: skip
    document = vendor.documents.first() or vendors.upload_document(
        admin, vendor, filename="io-terms.pdf", data=b"%PDF-1.4\n%%EOF\n",
        values={"kind": "contract"},
    )  # fmt: skip
    return {"vendor_id": vendor.pk, "contact_id": vendor.contacts.get().pk,
            "rate_card_id": card.pk, "line_id": card.lines.first().pk,
            "negotiated_rate_id": rate.pk, "document_id": document.pk}  # fmt: skip


def money_objects(campaign: Campaign) -> dict[str, int]:
    """An IO of the campaign with a line, an invoice on it and a payment batch, made directly
    (the walk needs them for campaigns whose plan is not approved too)."""
    placement = Placement.objects.filter(version__campaign=campaign).first()
    assert placement is not None
    vendor = Vendor.objects.filter(organization=campaign.client.organization).first()
    assert vendor is not None
    order = InsertionOrder.objects.create(
        client=campaign.client, campaign=campaign, plan_version=placement.version, vendor=vendor,
        number=f"IO-WALK-{campaign.code}", currency=placement.currency, payment_terms="net_30",
    )  # fmt: skip
    line = OrderLine.objects.create(
        order=order, placement=placement, line_key=placement.line_key, code=placement.code,
        description="walk", channel=placement.channel, start=placement.start,
        end=placement.end, cost_model=placement.cost_model, rate=placement.rate,
        quantity=placement.quantity, cost=placement.cost,
        commission_percent=placement.commission_percent, net_cost=placement.net_cost,
    )  # fmt: skip
    batch = PaymentBatch.objects.create(
        client=campaign.client, number=f"PAY-WALK-{campaign.code}", currency=placement.currency
    )
    invoice = Invoice.objects.create(
        client=campaign.client, vendor=vendor, number=f"WALK-{campaign.code}",
        invoice_date=date(2026, 11, 1), currency=placement.currency, total=Decimal("1.00"),
        source="form", batch=batch, status="exported",
    )  # fmt: skip
    invoice.file.save("walk.pdf", ContentFile(b"%PDF-1.4 walk"), save=True)
    InvoiceLine.objects.create(
        invoice=invoice, placement_code=placement.code, order_line=line,
        month=date(placement.start.year, placement.start.month, 1), amount=Decimal("1.00"),
    )  # fmt: skip
    return {"order_id": order.pk, "invoice_id": invoice.pk, "batch_id": batch.pk}


CREATIVE_PARAMS = (
    "asset_id", "right_id", "number", "round_id", "comment_id", "stage_id", "version_id",
    "assignment_id",
)  # fmt: skip


def creative_objects(campaign: Campaign, *, sent_to_client: bool = True) -> dict[str, int]:
    """An asset of the campaign with a stored version, a usage right, a review round with a
    stage and a comment, and a trafficking assignment, made directly (no approval needed)."""
    placement = Placement.objects.filter(version__campaign=campaign).first()
    assert placement is not None
    asset = Asset.objects.create(
        client=campaign.client, campaign=campaign, kind="image", name=f"walk {campaign.code}",
        version_count=1, shown_to_client=sent_to_client,
    )  # fmt: skip
    version = AssetVersion.objects.create(
        asset=asset, number=1, original_name="walk.png", content_type="image/png", bytes=4,
        checksum=f"walk{campaign.pk}",
    )  # fmt: skip
    version.file.save("walk.png", ContentFile(b"walk"), save=True)
    version.preview.save("walk.png", ContentFile(b"walk"), save=True)
    asset.current_version = version
    asset.save()
    right = UsageRight.objects.create(asset=asset, kind="music", holder="Walk Tunes")
    round_ = ReviewRound.objects.create(asset=asset, version=version, number=1)
    stage = ReviewStage.objects.create(
        round=round_, position=1, name="Client", who="client", status="active"
    )
    comment = ReviewComment.objects.create(
        round=round_, version=version, author_label="walk", body="walk"
    )
    assignment = Assignment.objects.create(
        client=campaign.client, campaign=campaign, line_key=placement.line_key,
        placement=placement, version=version, starts=placement.start, ends=placement.end,
    )  # fmt: skip
    return {"asset_id": asset.pk, "right_id": right.pk, "number": 1, "round_id": round_.pk,
            "comment_id": comment.pk, "stage_id": stage.pk, "version_id": version.pk,
            "assignment_id": assignment.pk}  # fmt: skip


def compliance_objects(campaign: Campaign) -> dict[str, int]:
    """A rule set of the campaign's client (its rules are the client's own business)."""
    admin = User.objects.get(email="alice@demo.test")
    rule_set = compliance.save_rule_set(
        admin, organization=campaign.client.organization, name=f"walk {campaign.code}",
        rules={"rules": [{"kind": "length", "field": "headline", "max": 30}]},
        client=campaign.client,
    )  # fmt: skip
    return {"rule_set_id": rule_set.pk}


# Path parameters of the work area (Today, tasks, meetings, status reports, calendar,
# notifications); work_objects() gives each an object of the campaign's client.
WORK_PARAMS = ["item_id", "silence_id", "task_id", "meeting_id", "report_id", "feed_id",
               "notification_id", "message_id", "team_id"]  # fmt: skip


def work_objects(campaign: Campaign) -> dict[str, Any]:
    """An attention item of the campaign (owned by its owner, not shared with the client's
    reviewers) and a snooze of it."""
    from mediadesk.work import meetings
    from mediadesk.work import services as work_services
    from mediadesk.work.models import AttentionItem, Silence

    now = timezone.now()
    item = AttentionItem.objects.create(
        client=campaign.client, campaign=campaign, key=f"budget_overrun:budget:{campaign.pk}",
        kind="budget_overrun", severity="high", severity_rank=1, title=f"{campaign.code} over",
        subject_type="budget", subject_id=campaign.pk, url=campaign.get_absolute_url(),
        owner=User.objects.get(email="alice@demo.test"), situation="booked over",
        computed_on=now.date(), computed_at=now,
    )  # fmt: skip
    silence = Silence.objects.create(
        client=campaign.client, key=item.key, fingerprint=item.fingerprint, title=item.title,
        dismissed=True, reason="walk",
    )  # fmt: skip
    # A task of the campaign owned by Alice (a client reviewer sees only his own) and a
    # meeting of the client (meetings are internal work).
    task = work_services.create_task(
        User.objects.get(email="alice@demo.test"), client_id=campaign.client_id,
        campaign_id=campaign.pk, title=f"walk {campaign.code}",
        owner=User.objects.get(email="alice@demo.test"),
    )  # fmt: skip
    meeting = meetings.create_meeting(
        User.objects.get(email="alice@demo.test"), client_id=campaign.client_id,
        title=f"walk {campaign.code}", starts_at=now,
        attendees=[User.objects.get(email="alice@demo.test")],
    )  # fmt: skip
    # A status report of the campaign (a client reviewer reads those of shared campaigns: the
    # walk gives him another client's) and Alice's private calendar address.
    from mediadesk.work import calendar as work_calendar
    from mediadesk.work import reports as work_reports

    report = work_reports.generate_report(User.objects.get(email="alice@demo.test"), campaign)
    feed = work_calendar.create_feed(User.objects.get(email="alice@demo.test")).feed
    # Ben's notification about the client (his own, but not to be seen once the client is not
    # his), an outbox message about the client, and another agency's team.
    from mediadesk.work.models import Notification, OutboxMessage, Team

    notification = Notification.objects.create(
        user=User.objects.get(email="ben@demo.test"), client=campaign.client, kind="mention",
        title=f"walk {campaign.code}", url="/tasks/", dedupe_key=f"walk:{campaign.pk}",
    )  # fmt: skip
    message = OutboxMessage.objects.create(
        kind="email", client=campaign.client, organization=campaign.client.organization,
        dedupe_key=f"walk:{campaign.pk}", to=["ben@demo.test"], subject=f"walk {campaign.code}",
    )  # fmt: skip
    team, _ = Team.objects.get_or_create(organization=make_other_agency().organization, name="w")
    return {
        "item_id": item.pk,
        "silence_id": silence.pk,
        "task_id": task.pk,
        "meeting_id": meeting.pk,
        "report_id": report.pk,
        "feed_id": feed.pk,
        "notification_id": notification.pk,
        "message_id": message.pk,
        "team_id": team.pk,
    }


def fx_rate_of(client: Client) -> FxRate:
    """An FX rate of the client (the demo has none), for the settings and API routes."""
    return FxRate.objects.create(
        client=client, month=date(2026, 10, 1), currency_from="CHF", currency_to="EUR",
        rate=Decimal("1.05"),
    )  # fmt: skip


def plan_objects(campaign: Campaign) -> dict[str, Any]:
    """A campaign's plan version, a placement of it and an action on it, for the walk."""
    version = PlanVersion.objects.filter(campaign=campaign).order_by("number").first()
    assert version is not None, f"the demo campaign {campaign.code} has no plan"
    admin = User.objects.get(email="alice@demo.test")
    upload = receive_plan_file(admin, campaign, filename="plan.csv", data=b"Code,Vendor\n")
    return {
        "import_id": upload.pk,
        "plan_id": version.pk,
        "other_plan_id": version.pk,
        "placement_id": version.placements.first().pk,
        "action": "approve",
    }


def delivery_objects(campaign: Campaign) -> dict[str, Any]:
    """A delivery import of the campaign (its rows name its placements) and a matching rule."""
    admin = User.objects.get(email="alice@demo.test")
    placements = delivery.placements_for_delivery(campaign)
    assert placements, f"the demo campaign {campaign.code} has no placements"
    rows = [row for placement in placements for row in daily(date(2026, 10, 5), 2, placement.code)]
    upload = delivery.import_delivery(
        admin, campaign, filename="r.csv", data=google_ads(rows, currency=campaign.currency),
        today=date(2026, 11, 29),
    ).record  # fmt: skip
    assert upload.mapped_rows == len(rows)
    rule = delivery.add_rule(admin, campaign, kind="name_contains", value="stray",
                             line_key=placements[0].line_key)  # fmt: skip
    mapping = delivery.save_delivery_mapping(
        admin, campaign.client, f"Vendor log {campaign.code}",
        {"date": "Day", "spend": "Cost"},
    )  # fmt: skip
    return {"delivery_import_id": upload.pk, "rule_id": rule.pk, "mapping_id": mapping.pk}


def pending_upload(http: Any, campaign: Campaign) -> str:
    """An upload of no known layout waiting, in ``http``'s session, for its columns to be
    mapped (the delivery mapping step); its token."""
    export = b"Sendetag;Kanal;Netto EUR\r\n05.10.2026;NBCUniversal;6.000,00\r\n"
    response = http.post(
        f"/campaigns/{campaign.pk}/delivery/import/",
        {"file": SimpleUploadedFile("log.csv", export, content_type="text/csv")},
    )
    assert response.status_code == 302 and "/delivery/map/" in response["Location"]
    return str(response["Location"]).rstrip("/").rsplit("/", 1)[1]


MISSING = 987654321  # an id no object has


def test_every_route_answers_404_for_a_foreign_object(
    foreign_objects: Any, client: Any, api_as: Any
) -> None:
    failures = []
    for user, values in foreign_objects:
        client.force_login(user)
        api = api_as(user)

        def call(method: str, url: str, route: str, api: Any = api) -> Any:
            if route.startswith("api/"):
                return api.request(method, url, {})
            return getattr(client, method)(url)

        for route in object_routes():
            url = build(route, values)
            missing = build(route, {k: v if k == "action" else MISSING for k, v in values.items()})
            for method in METHODS:
                response = call(method, url, route)
                if response.status_code in (404, 405):
                    continue
                # An API body refused before any lookup (422) is fine only if it is exactly the
                # answer for an object that does not exist: it then tells nothing.
                twin = call(method, missing, route)
                if response.status_code == 422 and (twin.status_code, twin.content) == (
                    422, response.content,
                ):  # fmt: skip
                    continue
                failures.append(f"{user.email} {method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_walk_reaches_real_objects(
    demo: Any, client: Any, api_as: Any, settings: Any, tmp_path: Any
) -> None:
    """The same walk with the user's own object answers, so 404 above means 'not yours'."""
    settings.MEDIA_ROOT = tmp_path
    own = Campaign.objects.get(code="NWND-AR26")
    client.force_login(demo.ben)
    token = create_token(demo.ben, name="own").token
    values = {
        "campaign_id": own.pk,
        "token_id": token.pk,
        "client_id": demo.northwind.pk,
        "brand_id": demo.northwind.brands.first().pk,
        "membership_id": Membership.objects.get(user=demo.ben, client=demo.northwind).pk,
        "fx_rate_id": fx_rate_of(demo.northwind).pk,
        **plan_objects(own),
        **delivery_objects(own),
        "pending": pending_upload(client, own),
        **own_vendor(),
        **money_objects(own),
        **creative_objects(own),
        **compliance_objects(own),
        **work_objects(own),
        "team_id": Team.objects.create(organization=demo.northwind.organization, name="own").pk,
    }
    for route in object_routes():
        url = build(route, values)
        response = api_as(demo.ben).get(url) if route.startswith("api/") else client.get(url)
        assert response.status_code in (200, 302, 405), f"GET {url}: {response.status_code}"


def test_lists_search_counts_and_exports_show_only_visible_clients(
    demo: Any, client: Any, api_as: Any
) -> None:
    client.force_login(demo.dan)
    foreign_codes = [
        *Campaign.objects.exclude(client=demo.northwind).values_list("code", flat=True),
        "NWND-RP27",
    ]
    pages = [
        client.get("/"),
        client.get("/campaigns/"),
        client.get("/campaigns/", {"q": "CTSO"}),
        client.get("/campaigns/", {"client": demo.contoso.pk}),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        for code in foreign_codes:
            assert code not in body
        assert "Contoso" not in body and "Fabrikam" not in body

    # A client reviewer may not download at all; a coordinator downloads only their clients.
    assert client.get("/campaigns/", {"format": "csv"}).status_code == 403
    client.force_login(demo.ben)
    for params in ({"format": "csv"}, {"format": "csv", "client": demo.fabrikam.pk}):
        body = client.get("/campaigns/", params).content.decode()
        assert "FBRK" not in body and "Fabrikam" not in body
    xlsx = client.get("/campaigns/", {"format": "xlsx", "client": demo.northwind.pk}).content
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    codes = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"NWND-AR26", "NWND-WT26", "NWND-CB27", "NWND-RP27"}

    listing = api_as(demo.dan).get("/api/v1/campaigns", limit=100).json()
    assert listing["count"] == 3
    assert {item["code"] for item in listing["items"]} == {"NWND-AR26", "NWND-WT26", "NWND-CB27"}
    other = api_as(demo.dan).get("/api/v1/campaigns", client=demo.contoso.pk).json()
    assert other == {"items": [], "count": 0}


def test_client_switcher_refuses_a_foreign_client(demo: Any, client: Any) -> None:
    client.force_login(demo.dan)
    client.post("/client/", {"client": demo.contoso.pk, "next": "/campaigns/"})
    body = client.get("/campaigns/").content.decode()
    assert "Contoso" not in body
    assert "Autumn Roast Launch" in body


def test_revoking_another_persons_token_is_not_found(demo: Any, client: Any) -> None:
    token = create_token(demo.alice, name="alice's").token
    client.force_login(demo.ben)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_admin_site_is_closed_to_non_staff(demo: Any, client: Any) -> None:
    client.force_login(demo.alice)
    response = client.get("/admin/planning/campaign/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
