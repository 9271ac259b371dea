"""Gathering the attention list's facts (work/facts.py) from rows made through every area's
services: a Northwind campaign around today with a plan, delivery imported from a Google Ads
export, IOs accepted and revised, creative approved, trafficked and in review, rights, rule
sets, invoices and tasks; and a Contoso campaign beside it, which Northwind's list never shows.

The day of the computation is passed in; the rows are made around today (some services date
what they make by the clock), and nothing here depends on the time of day.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creative.conftest import png_bytes
from delivery.exports import google_ads
from mediadesk.accounts.models import Client, User
from mediadesk.compliance import services as compliance
from mediadesk.creative import services as creative
from mediadesk.creative.models import Asset, ReviewStage, UsageRight
from mediadesk.delivery.reports import pacing_overview
from mediadesk.delivery.services import import_delivery, placements_for_delivery
from mediadesk.domain.attention import Kind, Severity, Thresholds
from mediadesk.domain.pacing import PacingMetric, PlannedLine, known_index, pace
from mediadesk.finance import services as finance
from mediadesk.finance.close import campaign_five_numbers
from mediadesk.finance.models import Invoice
from mediadesk.finance.services import LineInput
from mediadesk.orders import services as orders
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning import services as planning
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.work import facts
from mediadesk.work.facts import Found, gather, thresholds_by_client
from mediadesk.work.models import AttentionSettings, Task

pytestmark = pytest.mark.django_db

SIGNED = b"%PDF-1.4 signed"
HEADLINES = ["Northwind coffee", "Fresh roast", "Order today"]
DESCRIPTIONS = ["Beans roasted in Hamburg.", "Delivered in two days."]
RULES = {
    "rules": [
        {"id": "no-guarantee", "kind": "prohibited", "words": ["guaranteed"],
         "severity": "blocking"},
        {"id": "adults-only", "kind": "targeting", "min_age": 18, "severity": "blocking"},
    ]
}  # fmt: skip


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return Path(settings.MEDIA_ROOT)


@dataclass
class World:
    day: date
    campaign: Campaign
    search: Placement  # running, under plan (delivery imported), IO accepted, copy trafficked
    display: Placement  # running, its delivery stopped 8 days ago, IO revised and unsent
    radio: Placement  # starts in 3 days: no accepted IO, no creative, material due in 2 days
    sponsorship: Placement  # flat fee, invoiced twice (matched, then over)
    image: Asset  # approved, trafficked to the display line, its music rights expire in 10 days
    in_review: Asset  # at its first (internal) review stage
    at_client: Asset  # at the client stage, waiting on Dan
    banned: Asset  # copy with a word the client's rules block
    revision: InsertionOrder  # the display IO's revision 2, drafted, not sent
    matched: Invoice
    discrepancy: Invoice
    task: Task  # Ben's, due today
    dans_task: Task  # Dan's (a client reviewer), two days overdue
    foreign: Campaign  # Contoso's


def days(day: date, n: int) -> date:
    return day + timedelta(days=n)


def make_campaign(actor: User, client: Client, code: str, day: date, **values: Any) -> Campaign:
    return planning.create_campaign(
        actor,
        client_id=client.pk,
        values={
            "name": f"Campaign {code}",
            "code": code,
            "start": days(day, -30),
            "end": days(day, 60),
            "budget": Decimal("100000"),
            "status": CampaignStatus.LIVE,
            **values,
        },
    )


def place(actor: User, version: PlanVersion, day: date, **values: Any) -> Placement:
    line: dict[str, Any] = {
        "market": "DE",
        "cost_model": "cpm",
        "rate": Decimal("10"),
        "quantity": Decimal("1000000"),
        "start": days(day, -14),
        "end": days(day, 40),
        **values,
    }
    return planning.add_placement(actor, version, line)


def approve_asset(asset: Asset, internal: User, reviewer: User) -> None:
    round_ = creative.start_review(internal, asset)
    for stage in round_.stages.order_by("position"):
        stage.refresh_from_db()
        creative.decide(reviewer if stage.who == "client" else internal, stage, "approve")


def upload(actor: User, campaign: Campaign, line: Placement, name: str) -> Asset:
    return creative.upload_asset(
        actor,
        client=campaign.client,
        source=io.BytesIO(png_bytes(300, 250, text=name)),
        filename=f"{name.lower().replace(' ', '-')}.png",
        name=name,
        campaign=campaign,
        line_keys=[line.line_key],
    ).asset


def current(campaign: Campaign, code_part: str) -> Placement:
    return next(p for p in placements_for_delivery(campaign) if code_part in p.code)


def build_world(demo: Any) -> World:
    day = timezone.localdate()
    alice, ben, cara, dan = demo.alice, demo.ben, demo.cara, demo.dan
    campaign = make_campaign(ben, demo.northwind, "NWND-ATT", day, budget=Decimal("1000"))
    plan = planning.start_plan(ben, campaign, "Plan")
    search = place(ben, plan, day, channel="search", vendor="Google Ads", cost_model="cpc",
                   rate=Decimal(2), quantity=Decimal(10000), targeting="Adults 16-34")  # fmt: skip
    display = place(ben, plan, day, channel="display", vendor="Spiegel Media",
                    property_name="spiegel.de", format="300x250")  # fmt: skip
    place(ben, plan, day, channel="radio", vendor="RMS", format="30s spot", cost_model="per_spot",
          rate=Decimal("350"), quantity=Decimal("40"), start=days(day, 3),
          material_deadline=days(day, 2))  # fmt: skip
    sponsorship = place(ben, plan, day, channel="newspaper", vendor="Burda", cost_model="flat",
                        rate=Decimal("5000"), quantity=Decimal("1"))  # fmt: skip
    planning.submit_plan(ben, plan)
    planning.approve_plan(alice, plan)
    made = {order.vendor.name: order for order in orders.generate_orders(ben, plan)}
    for vendor in ("Google Ads", "Spiegel Media", "Burda"):
        made[vendor] = orders.upload_countersigned(ben, made[vendor], SIGNED, "signed.pdf")
    # A second plan: more on Spiegel; its IO is revised and the revision not sent yet.
    second = planning.new_draft(ben, plan, "More display")
    planning.update_placement(
        ben, second.placements.get(line_key=display.line_key), {"quantity": Decimal("1200000")}
    )
    planning.submit_plan(ben, second)
    planning.approve_plan(alice, second)
    revision = orders.propose_revision(ben, made["Spiegel Media"])
    search, display = current(campaign, "SEARCH"), current(campaign, "DISPLAY")
    radio, sponsorship = current(campaign, "RADIO"), current(campaign, "NEWSPAPER")
    # Delivery: search spends 100 a day to yesterday (a quarter of plan); display stopped.
    rows = [(days(day, -n), search.code, "Main", 5_000, 50, "100.00") for n in range(1, 15)]
    rows += [(days(day, -n), display.code, "Main", 20_000, 20, "180.00") for n in range(8, 15)]
    import_delivery(ben, campaign, filename="ads.csv", data=google_ads(rows, currency="EUR"))
    # Creative: copy for search and an image for display, approved and trafficked.
    copy = creative.upload_copy(
        ben, client=demo.northwind, campaign=campaign, name="Search copy",
        copy={"headlines": HEADLINES, "descriptions": DESCRIPTIONS},
        line_keys=[search.line_key],
    ).asset  # fmt: skip
    approve_asset(copy, ben, dan)
    creative.assign(ben, Asset.objects.get(pk=copy.pk).current_version, search,
                    click_url="https://northwind.example/")  # fmt: skip
    image = upload(ben, campaign, display, "Autumn MPU")
    approve_asset(image, ben, dan)
    image.refresh_from_db()
    creative.assign(ben, image.current_version, display, click_url="https://northwind.example/")
    creative.add_right(ben, image, kind="music", holder="Sunny Tunes", expires=days(day, 10))
    in_review = upload(ben, campaign, display, "Autumn MPU v2")
    creative.start_review(ben, in_review)
    at_client = upload(ben, campaign, display, "Autumn MPU client")
    round_ = creative.start_review(ben, at_client)
    for stage in round_.stages.filter(who="internal").order_by("position"):
        stage.refresh_from_db()
        creative.decide(ben, stage, "approve")
    # Rules of the client, then copy that breaks one (the search line's audience breaks the other).
    compliance.save_rule_set(alice, organization=alice.organization, client=demo.northwind,
                             name="Northwind rules", rules=RULES)  # fmt: skip
    banned = creative.upload_copy(
        ben, client=demo.northwind, campaign=campaign, name="Guarantee copy",
        copy={"headlines": ["Guaranteed fresh", *HEADLINES[1:]], "descriptions": DESCRIPTIONS},
        line_keys=[search.line_key],
    ).asset  # fmt: skip
    # Invoices for the flat fee: once as ordered, once more and over.
    burda = made["Burda"]
    month = (day.year, day.month)
    matched = finance.record_invoice(
        cara, vendor="Burda", number="B-1", invoice_date=day, currency="EUR", total=Decimal(5000),
        lines=[LineInput(placement=sponsorship.code, month=month, amount=Decimal(5000),
                         io_number=burda.number)],
    )  # fmt: skip
    discrepancy = finance.record_invoice(
        cara, vendor="Burda", number="B-2", invoice_date=day, currency="EUR", total=Decimal(700),
        lines=[LineInput(placement=sponsorship.code, month=month, amount=Decimal(700),
                         io_number=burda.number)],
    )  # fmt: skip
    from mediadesk.work import services as work

    task = work.create_task(ben, client_id=demo.northwind.pk, title="Call Spiegel", owner=ben,
                            due=day, campaign_id=campaign.pk)  # fmt: skip
    dans_task = work.create_task(ben, client_id=demo.northwind.pk, title="Send the logo",
                                 owner=dan, due=days(day, -2), campaign_id=campaign.pk)  # fmt: skip
    foreign = make_campaign(alice, demo.contoso, "CTSO-ATT", day, currency="USD")
    foreign_plan = planning.start_plan(alice, foreign, "Plan")
    place(alice, foreign_plan, day, channel="radio", vendor="iHeartMedia", market="US",
          cost_model="per_spot", rate=Decimal("200"), quantity=Decimal("50"), currency="USD",
          start=days(day, 2), material_deadline=days(day, -1))  # fmt: skip
    planning.submit_plan(alice, foreign_plan)
    planning.approve_plan(alice, foreign_plan)
    work.create_task(alice, client_id=demo.contoso.pk, title="Contoso secret", owner=alice,
                     due=day, campaign_id=foreign.pk)  # fmt: skip
    return World(
        day=day, campaign=campaign, search=search, display=display, radio=radio,
        sponsorship=sponsorship, image=image, in_review=in_review, at_client=at_client,
        banned=banned, revision=revision, matched=matched, discrepancy=discrepancy, task=task,
        dans_task=dans_task, foreign=foreign,
    )  # fmt: skip


@pytest.fixture
def world(demo: Any) -> World:
    return build_world(demo)


def by_key(found: list[Found]) -> dict[str, Found]:
    return {f.item.key: f for f in found}


def subject_client(subject: tuple[str, int]) -> int:
    """The client of the object an item is about, read from that object's own row."""
    kind, pk = subject
    if kind == "placement":
        return Placement.objects.get(pk=pk).version.campaign.client_id
    if kind == "asset":
        return Asset.objects.get(pk=pk).client_id
    if kind == "review_stage":
        return ReviewStage.objects.get(pk=pk).round.asset.client_id
    if kind == "right":
        return UsageRight.objects.get(pk=pk).asset.client_id
    if kind == "io":
        return InsertionOrder.objects.get(pk=pk).client_id
    if kind == "invoice":
        return Invoice.objects.get(pk=pk).client_id
    if kind == "budget":
        return Campaign.objects.get(pk=pk).client_id
    if kind == "task":
        return Task.objects.get(pk=pk).client_id
    raise AssertionError(f"unknown subject {subject}")


# --- every kind, from real rows -----------------------------------------------------------------


def test_every_kind_is_gathered_from_the_areas(demo: Any, world: World) -> None:
    day, w = world.day, world
    found = by_key(gather([demo.northwind.pk], day))
    owner = demo.ben.pk  # the campaign's owner: the coordinator who created it

    def item(kind: Kind, subject: str, pk: int) -> Any:
        entry = found.get(f"{kind}:{subject}:{pk}")
        assert entry is not None, f"no {kind} item for {subject} {pk}: {sorted(found)}"
        assert entry.item.client_id == demo.northwind.pk
        return entry

    pacing = item(Kind.PACING_OFF, "placement", w.search.pk)
    assert pacing.item.severity is Severity.HIGH and pacing.campaign_id == w.campaign.pk
    assert "pacing at" in pacing.item.title and pacing.item.owner_id == owner
    assert pacing.item.url == f"/campaigns/{w.campaign.pk}/delivery/"
    for kind in (Kind.FLIGHT_WITHOUT_IO, Kind.FLIGHT_WITHOUT_CREATIVE):
        flight = item(kind, "placement", w.radio.pk)
        assert flight.item.severity is Severity.HIGH and "starts in 3 days" in flight.item.title
    assert item(Kind.FLIGHT_WITHOUT_IO, "placement", w.radio.pk).item.url.endswith("/orders/")
    deadline = item(Kind.MATERIAL_DEADLINE, "placement", w.radio.pk)
    assert deadline.item.severity is Severity.MEDIUM and "due in 2 days" in deadline.item.title
    stale = item(Kind.STALE_DELIVERY, "placement", w.display.pk)
    assert (
        "since" in stale.item.title
        and stale.item.situation == f"last delivery {day - timedelta(days=8)}"
    )
    # The display line is trafficked and booked: no flight item; the search line is too.
    assert f"{Kind.FLIGHT_WITHOUT_CREATIVE}:placement:{w.display.pk}" not in found
    assert f"{Kind.FLIGHT_WITHOUT_IO}:placement:{w.search.pk}" not in found
    internal = w.in_review.rounds.get().stages.get(position=1)
    review = item(Kind.REVIEW_WAITING, "review_stage", internal.pk)
    assert review.item.owner_id == owner and not review.reviewer_visible
    assert review.item.url == f"/creative/{w.in_review.pk}/"
    client_stage = w.at_client.rounds.get().stages.get(who="client")
    at_client = item(Kind.REVIEW_WAITING, "review_stage", client_stage.pk)
    assert at_client.item.owner_id == demo.dan.pk and at_client.reviewer_visible
    blocked_copy = item(Kind.COMPLIANCE_BLOCKING, "asset", w.banned.pk)
    assert "1 blocking compliance finding" in blocked_copy.item.title
    blocked_line = item(Kind.COMPLIANCE_BLOCKING, "placement", w.search.pk)
    assert blocked_line.item.url == f"/campaigns/{w.campaign.pk}/compliance/"
    unsent = item(Kind.IO_REVISION_UNSENT, "io", w.revision.pk)
    assert "revision 2" in unsent.item.title and unsent.item.url == f"/orders/{w.revision.pk}/"
    waiting = item(Kind.INVOICE_AWAITING_APPROVAL, "invoice", w.matched.pk)
    assert waiting.campaign_id == w.campaign.pk and waiting.item.owner_id == owner
    over = item(Kind.INVOICE_DISCREPANCY, "invoice", w.discrepancy.pk)
    assert over.item.severity is Severity.HIGH and over.item.url == f"/invoices/{w.discrepancy.pk}/"
    right = w.image.rights.get()
    rights = item(Kind.RIGHTS_EXPIRING, "right", right.pk)
    assert (
        rights.item.severity is Severity.HIGH and "Music rights (Sunny Tunes)" in rights.item.title
    )
    assert "still trafficked to a live placement" in rights.item.title
    budget = item(Kind.BUDGET_OVERRUN, "budget", w.campaign.pk)
    assert budget.item.url == f"/campaigns/{w.campaign.pk}/"
    task = item(Kind.TASK_DUE, "task", w.task.pk)
    assert task.item.severity is Severity.MEDIUM and task.item.owner_id == owner
    overdue = item(Kind.TASK_DUE, "task", w.dans_task.pk)
    assert overdue.item.severity is Severity.HIGH and overdue.reviewer_visible
    assert {f.item.kind for f in found.values()} == set(Kind)
    # Only the reviewer's own stage and task are shared with the client.
    shared = {f.item.key for f in found.values() if f.reviewer_visible}
    assert shared == {at_client.item.key, overdue.item.key}


def test_items_of_one_client_never_name_another_clients_objects(demo: Any, world: World) -> None:
    both = gather([demo.northwind.pk, demo.contoso.pk], world.day)
    contoso = [f for f in both if f.item.client_id == demo.contoso.pk]
    assert {f.item.kind for f in contoso} >= {Kind.FLIGHT_WITHOUT_IO, Kind.TASK_DUE}
    for entry in both:
        assert subject_client(entry.item.subject) == entry.item.client_id, entry.item
        if entry.campaign_id is not None:
            assert Campaign.objects.get(pk=entry.campaign_id).client_id == entry.item.client_id
    alone = gather([demo.northwind.pk], world.day)
    assert {f.item.client_id for f in alone} == {demo.northwind.pk}
    assert not any("Contoso" in f.item.title or "CTSO" in f.item.title for f in alone)
    assert [f.item.key for f in alone] == [
        f.item.key for f in both if f.item.client_id == demo.northwind.pk
    ]


def test_archived_and_cancelled_campaigns_are_left_out(demo: Any, world: World) -> None:
    planning.update_campaign(demo.ben, world.campaign, {"status": CampaignStatus.CANCELLED})
    found = gather([demo.northwind.pk], world.day)
    kinds_left = {f.item.kind for f in found if f.campaign_id == world.campaign.pk}
    # Invoices and tasks are still somebody's work; the campaign's plan is not.
    assert kinds_left <= {Kind.INVOICE_AWAITING_APPROVAL, Kind.INVOICE_DISCREPANCY, Kind.TASK_DUE}


# --- the same figures as the areas' own pages ---------------------------------------------------


def test_pacing_index_is_the_one_the_pacing_page_shows(demo: Any, world: World) -> None:
    campaigns = Campaign.objects.filter(client=demo.northwind).exclude(status="cancelled")
    shown = {
        live.line.placement.pk: live.line.pacing.index
        for live in pacing_overview(campaigns, world.day)
    }
    found = [f for f in gather([demo.northwind.pk], world.day) if f.item.kind == Kind.PACING_OFF]
    assert found
    for entry in found:
        index = shown[entry.item.subject[1]]
        assert index is not None
        assert f"pacing at {(index * 100).quantize(Decimal(1))}% of plan" in entry.item.title


@pytest.mark.parametrize("seed", range(4))
def test_the_pacing_shortcut_gives_the_index_pace_gives(seed: int) -> None:
    """``known_index`` answers only when it is sure, and then with ``pace``'s own index."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    known = 0
    for _ in range(3000):
        first = start + timedelta(days=rng.randrange(0, 60))
        end = first + timedelta(days=rng.randrange(0, 120))
        metric, places = rng.choice(
            [(PacingMetric.SPEND, 2), (PacingMetric.IMPRESSIONS, 0), (PacingMetric.SPOTS, 0)]
        )
        planned = Decimal(rng.randrange(1, 10 ** rng.randrange(2, 9))).scaleb(-places)
        line = PlannedLine(key="x", metric=metric, start=first, end=end, planned=planned,
                           planned_cost=planned, weights=None)  # fmt: skip
        as_of = first + timedelta(days=rng.randrange(-2, (end - first).days + 3))
        share = Decimal(rng.randrange(0, 2000)) / 1000
        done = (planned * share * Decimal(rng.random())).quantize(Decimal(1).scaleb(-places))
        index = known_index(line, done, as_of)
        if index is not None:
            known += 1
            assert index == pace(line, done, done, as_of).index, (line, done, as_of)
    assert known > 1000  # it does save work
    weighted = PlannedLine(key="w", metric=PacingMetric.SPEND, start=start, end=start,
                           planned=Decimal(10), planned_cost=Decimal(10),
                           weights={start: Decimal(1)})  # fmt: skip
    assert known_index(weighted, Decimal(5), start) is None  # weeks weighted: pace it


def test_budget_figures_are_the_campaign_pages_five_numbers(demo: Any, world: World) -> None:
    loaded = facts.World.load([demo.northwind.pk], world.day)
    (fact,) = [f for f in facts.budget_facts(loaded) if f.budget_id == world.campaign.pk]
    numbers = campaign_five_numbers(world.campaign, today=world.day)["EUR"]
    assert fact.planned == numbers.planned.gross > 0
    assert fact.booked == numbers.booked.gross > 0
    assert fact.actual == numbers.delivered.gross > 0
    assert (fact.budget, fact.currency) == (Decimal("1000.00"), "EUR")


def test_compliance_counts_are_the_compliance_services(demo: Any, world: World, lea: Any) -> None:
    found = by_key(gather([demo.northwind.pk], world.day))
    blockers = {
        p.pk: sum(1 for f in compliance.check_placement(world.campaign, p) if f.blocks)
        for p in placements_for_delivery(world.campaign)
    }
    for pk, count in blockers.items():
        key = f"{Kind.COMPLIANCE_BLOCKING}:placement:{pk}"
        assert (found[key].item.situation if key in found else 0) == (
            f"blocking {count}" if count else 0
        )
    for asset in Asset.objects.filter(campaign=world.campaign).select_related("current_version"):
        assert asset.current_version is not None
        count = len(compliance.approval_blockers(asset.current_version))
        key = f"{Kind.COMPLIANCE_BLOCKING}:asset:{asset.pk}"
        assert (found[key].item.situation if key in found else 0) == (
            f"blocking {count}" if count else 0
        ), asset.name
    assert blockers[world.search.pk] == 1
    # Legal lets the search line's audience through: its item goes.
    (finding,) = [f for f in compliance.check_placement(world.campaign, world.search) if f.blocks]
    compliance.override(
        lea, key=finding.key, field=finding.finding.field, item=finding.finding.item,
        reason="The audience is 18+ on the platform.", campaign=world.campaign,
        line_key=world.search.line_key,
    )  # fmt: skip
    after = by_key(gather([demo.northwind.pk], world.day))
    assert f"{Kind.COMPLIANCE_BLOCKING}:placement:{world.search.pk}" not in after
    assert f"{Kind.COMPLIANCE_BLOCKING}:asset:{world.banned.pk}" in after


@pytest.fixture
def lea(demo: Any) -> User:
    return User.objects.get(email="lea@demo.test")


# --- thresholds ---------------------------------------------------------------------------------


def test_each_clients_thresholds_are_used(demo: Any, world: World) -> None:
    AttentionSettings.objects.create(
        client=demo.northwind,
        thresholds={"stale_delivery_days": 10, "flight_lead_days": 2, "material_due_days": 1},
    )
    found = by_key(gather([demo.northwind.pk, demo.contoso.pk], world.day))
    assert f"{Kind.STALE_DELIVERY}:placement:{world.display.pk}" not in found  # 8 days ≤ 10
    assert f"{Kind.FLIGHT_WITHOUT_IO}:placement:{world.radio.pk}" not in found  # in 3 > 2 days
    assert f"{Kind.MATERIAL_DEADLINE}:placement:{world.radio.pk}" not in found  # in 2 > 1 day
    # Contoso keeps the defaults: its flight in 2 days is listed.
    contoso = [f for f in found.values() if f.item.client_id == demo.contoso.pk]
    assert any(f.item.kind == Kind.FLIGHT_WITHOUT_IO for f in contoso)
    AttentionSettings.objects.filter(client=demo.northwind).update(
        thresholds={"pacing_tolerance": "0.80"}
    )
    found = by_key(gather([demo.northwind.pk], world.day))
    assert f"{Kind.PACING_OFF}:placement:{world.search.pk}" not in found  # 25% is within 80%
    assert f"{Kind.STALE_DELIVERY}:placement:{world.display.pk}" in found


def test_a_bad_saved_threshold_falls_back_to_the_default(
    demo: Any, world: World, caplog: Any
) -> None:
    AttentionSettings.objects.create(
        client=demo.northwind,
        thresholds={"stale_delivery_days": "soon", "flight_lead_days": 2, "colour": "red"},
    )
    AttentionSettings.objects.create(client=demo.contoso, thresholds=["not", "a", "mapping"])
    chosen = thresholds_by_client([demo.northwind.pk, demo.contoso.pk, demo.fabrikam.pk])
    assert chosen[demo.northwind.pk] == Thresholds(flight_lead_days=2)
    assert chosen[demo.contoso.pk] == chosen[demo.fabrikam.pk] == Thresholds()
    assert "stale_delivery_days" in caplog.text and "colour" in caplog.text
    found = by_key(gather([demo.northwind.pk], world.day))
    assert f"{Kind.STALE_DELIVERY}:placement:{world.display.pk}" in found  # default 3 days


# --- the clock ----------------------------------------------------------------------------------


def test_gathering_never_reads_the_clock(demo: Any, world: World) -> None:
    """Everything is judged on the day given, so a run that crosses midnight agrees with
    itself; the clock would answer with an error here."""
    with (
        mock.patch("django.utils.timezone.now", side_effect=AssertionError("clock read")),
        mock.patch("django.utils.timezone.localdate", side_effect=AssertionError("clock read")),
    ):
        today = gather([demo.northwind.pk, demo.contoso.pk], world.day)
        tomorrow = gather([demo.northwind.pk, demo.contoso.pk], world.day + timedelta(days=1))
    task = {f.item.key: f.item for f in today}[f"{Kind.TASK_DUE}:task:{world.task.pk}"]
    later = {f.item.key: f.item for f in tomorrow}[f"{Kind.TASK_DUE}:task:{world.task.pk}"]
    assert "is due today" in task.title and task.severity is Severity.MEDIUM
    assert "1 day overdue" in later.title and later.severity is Severity.HIGH


# --- queries ------------------------------------------------------------------------------------


def add_campaigns(demo: Any, count: int, start: int) -> None:
    """Campaigns with what makes items: a running line with delivery, a line starting soon
    without IO or creative, an IO, an asset in review with rights, an overdue task."""
    from mediadesk.work import services as work

    day = timezone.localdate()
    for n in range(start, start + count):
        campaign = make_campaign(demo.ben, demo.northwind, f"NWND-Q{n}", day)
        plan = planning.start_plan(demo.ben, campaign, "Plan")
        running = place(demo.ben, plan, day, channel="search", vendor="Google Ads",
                        cost_model="cpc", rate=Decimal(1), quantity=Decimal(9000))  # fmt: skip
        place(demo.ben, plan, day, channel="radio", vendor="RMS", cost_model="per_spot",
              rate=Decimal(300), quantity=Decimal(10), start=day + timedelta(days=2),
              material_deadline=day)  # fmt: skip
        planning.submit_plan(demo.ben, plan)
        planning.approve_plan(demo.alice, plan)
        for order in orders.generate_orders(demo.ben, plan)[:1]:
            orders.upload_countersigned(demo.ben, order, SIGNED, "signed.pdf")
        running = current(campaign, "SEARCH")
        rows = [(day - timedelta(days=d), running.code, "Main", 100, 5, "20.00") for d in (1, 2)]
        import_delivery(
            demo.ben, campaign, filename=f"q{n}.csv", data=google_ads(rows, currency="EUR")
        )
        asset = upload(demo.ben, campaign, running, f"Q{n} banner")
        creative.add_right(demo.ben, asset, kind="stock", holder="Stock Co", expires=day)
        creative.start_review(demo.ben, asset)
        work.create_task(demo.ben, client_id=demo.northwind.pk, title=f"Q{n}", owner=demo.ben,
                         due=day - timedelta(days=1), campaign_id=campaign.pk)  # fmt: skip


def test_the_queries_do_not_grow_with_the_campaigns(demo: Any, world: World) -> None:
    counts = []
    for adding in (2, 4):  # 2 campaigns with items, then 6
        add_campaigns(demo, adding, start=len(counts) * 10)
        with CaptureQueriesContext(connection) as queries:
            found = gather([demo.northwind.pk, demo.contoso.pk], world.day)
        counts.append((len(queries), len({f.campaign_id for f in found})))
    (small, campaigns_small), (big, campaigns_big) = counts
    assert campaigns_big == campaigns_small + 4  # the new campaigns do have items
    assert small == big, f"{small} queries for the smaller agency, {big} for the bigger"
    assert big <= 35
