"""The attention list's facts, gathered from every area for many clients at once.

``gather(client_ids, day)`` reads what each area knows (plans, delivery, orders, creative,
compliance, finance, tasks) and hands it to the builders of ``domain.attention``, which decide
what becomes an item. It reads the same things the areas' own pages show, through their own
loaders, so an item never disagrees with the page it links to:

- the **current plan** of a campaign is the one delivery is paced against
  (``delivery.services.plans_for_delivery``: its newest approved version, else its newest one not
  rejected); the money (planned, booked, actual) is the finance ledger's, which counts only an
  approved plan;
- **pacing** is ``delivery.reports``' (the index of each placement live on the campaign's pacing
  day: its last day with delivery, else the day before);
- a placement's creative is **ready** when an approved version is trafficked to it (an
  assignment not removed and not ended: ``domain.creative``), and it has an **accepted IO** when
  the newest accepted revision of an order carries its line (not removed);
- **compliance** findings are ``compliance.services``' (the same rule sets, the same overrides),
  on the current version of each asset of a live or upcoming campaign and on the placements of
  those campaigns that have not ended.

Speed: every area is read with a fixed number of queries whatever the number of campaigns
(under 30 in all), placements as plain rows; the work in Python is done once per distinct
thing: a placement's compliance once per distinct subject (client, brand, market, channel,
platform, targeting), a pacing index without spreading the flight when a bound settles it, the
ledger's actual spend only for a campaign whose ordered money could be over its budget at all.
Nothing here reads the clock: ``day`` is the one day of the whole computation.

Who answers for an item: the campaign's owner (its creator when none is set); for a review, the
people it waits on; for a task, its owner; for an invoice, the owner of the campaign it bills
(its creator when it bills none, or several).
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db.models import Max, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client, Membership
from mediadesk.accounts.permissions import Action, roles_allowed
from mediadesk.compliance import services as compliance
from mediadesk.compliance.models import ComplianceProfile, Override, RuleSet
from mediadesk.creative.choices import ReviewerKind, RoundStatus, StageStatus
from mediadesk.creative.models import Asset, Assignment, ReviewStage, UsageRight
from mediadesk.delivery.models import PlacementDay, from_micros
from mediadesk.delivery.reports import delivered_amount, planned_line
from mediadesk.delivery.services import plans_for_delivery
from mediadesk.domain import attention
from mediadesk.domain.attention import (
    BudgetFact,
    ComplianceFact,
    DeadlineFact,
    FlightFact,
    InvoiceFact,
    InvoiceState,
    Item,
    PacingFact,
    ReviewFact,
    RevisionFact,
    RightsFact,
    StaleFact,
    TaskFact,
    Thresholds,
)
from mediadesk.domain.budget import MissingRate, Rates
from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.flighting import FlightingError
from mediadesk.domain.matching import payable
from mediadesk.domain.pacing import PacingError, known_index, pace
from mediadesk.domain.pacing import Thresholds as PacingThresholds
from mediadesk.domain.rules import Subject, parse_targeting
from mediadesk.finance.choices import InvoiceStatus
from mediadesk.finance.ledger import (
    UNIT_COLUMN,
    _delivered_value,
    _monthly,
    booked_lines,
    delivered,
    ordered,
    planned_as_ordered,
)
from mediadesk.finance.models import Invoice, InvoiceLine
from mediadesk.orders.choices import LineChange, OrderStatus
from mediadesk.orders.models import InsertionOrder, OrderLine
from mediadesk.planning.choices import CampaignStatus, Channel, PlanStatus
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.planning.plans import rates_by_client, weights_of
from mediadesk.work.choices import TaskStatus
from mediadesk.work.models import AttentionSettings, Task

log = logging.getLogger(__name__)

_APPROVED = (PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED)
_PACING = PacingThresholds()  # the index does not depend on the pacing page's bands
# The delivery sums pacing reads (``delivery.reports._delivered``, and the spend), and those the
# ledger pays on (``finance.ledger.UNIT_COLUMN``, read for a budget that may be overrun).
_PACING_SUMS = ("impressions", "spots", "grps", "spend")
_LEDGER_SUMS = tuple(sorted({column for column, _ in UNIT_COLUMN.values()} | {"spend"}))


@dataclass(frozen=True, slots=True)
class Found:
    item: Item
    campaign_id: int | None  # the campaign it is about, if any
    # True only for what a client reviewer may see of their own: a review stage waiting on
    # them, or a task they own, on a campaign shared with the client.
    reviewer_visible: bool = False


# --- thresholds ---------------------------------------------------------------------------------


def thresholds_by_client(client_ids: Iterable[int]) -> dict[int, Thresholds]:
    """Each client's thresholds (its saved overrides on the defaults), in one query.

    A saved value that is not valid any more (edited by hand, an old format) is left out with a
    warning in the log, so one bad value never stops the list from being computed.
    """
    ids = sorted(set(client_ids))
    saved = dict(
        AttentionSettings.objects.filter(client_id__in=ids).values_list("client_id", "thresholds")
    )
    result: dict[int, Thresholds] = {}
    for client_id in ids:
        chosen = Thresholds()
        data = saved.get(client_id)
        if not isinstance(data, Mapping):
            if data not in (None, {}):
                log.warning("Attention thresholds of client %s ignored: %r", client_id, data)
            result[client_id] = chosen
            continue
        for key, value in data.items():
            try:
                chosen = Thresholds.from_mapping({key: value}, base=chosen)
            except (ValueError, TypeError) as error:
                log.warning("Attention threshold of client %s ignored: %s", client_id, error)
        result[client_id] = chosen
    return result


# --- pages an item links to ---------------------------------------------------------------------

_SENTINEL = 987654321


def _route(name: str) -> Callable[[int], str]:
    """``id -> path`` for a route taking one id, reversed once (not once per item)."""
    pattern = reverse(name, args=[_SENTINEL]).replace(str(_SENTINEL), "{}")
    return pattern.format


def _task_route() -> Callable[[int], str]:
    try:
        return _route("work:task_detail")
    except NoReverseMatch:  # the task pages are not there (yet)
        return "/tasks/{}/".format


@dataclass(frozen=True)
class _Urls:
    campaign: Callable[[int], str]
    delivery: Callable[[int], str]
    creative: Callable[[int], str]
    orders: Callable[[int], str]
    compliance: Callable[[int], str]
    asset: Callable[[int], str]
    order: Callable[[int], str]
    invoice: Callable[[int], str]
    task: Callable[[int], str]

    @classmethod
    def load(cls) -> _Urls:
        return cls(
            campaign=_route("planning:campaign_detail"),
            delivery=_route("delivery:campaign_delivery"),
            creative=_route("creative:campaign_creative"),
            orders=_route("orders:campaign_orders"),
            compliance=_route("compliance:campaign_compliance"),
            asset=_route("creative:asset_detail"),
            order=_route("orders:order_detail"),
            invoice=_route("finance:invoice_detail"),
            task=_task_route(),
        )


# --- what every part shares ---------------------------------------------------------------------


_CHANNELS = {value: str(label) for value, label in Channel.choices}


@dataclass(frozen=True, slots=True)
class Line:
    """A placement of a current plan, with the fields the facts read (20,000 of these load
    three times faster than model instances)."""

    pk: int
    version_id: int
    line_key: str
    name: str
    channel: str
    vendor: str
    property_name: str
    market: str
    targeting: str
    start: date
    end: date
    flighting: str
    weights: dict[str, Any]
    cost_model: str
    quantity: Decimal
    cost: Decimal
    currency: str
    material_deadline: date | None

    @property
    def as_placement(self) -> Placement:
        """For the pacing page's ``planned_line``, which reads only fields a line has."""
        return cast(Placement, self)


_LINE_FIELDS = [f.name for f in fields(Line) if f.name != "pk"]


def placement_name(placement: Line | Placement) -> str:
    """How a placement is named in a sentence: its name, else channel, vendor and property."""
    if placement.name:
        return placement.name
    channel = _CHANNELS.get(placement.channel, placement.channel)
    text = f"{channel} {placement.vendor}".strip()
    return f"{text} ({placement.property_name})" if placement.property_name else text


@dataclass
class World:
    """The campaigns of the clients and their current plans, loaded once for every part."""

    day: date
    client_ids: list[int]
    thresholds: dict[int, Thresholds]
    urls: _Urls
    campaigns: dict[int, Campaign]
    plans: dict[int, PlanVersion]  # campaign id -> current plan
    placements: dict[int, list[Line]]  # campaign id -> placements of its current plan
    _memberships: list[tuple[int, int, str]] | None = None
    _delivery: dict[tuple[int, str], dict[str, Any]] | None = None
    _trafficked: set[tuple[int, str]] | None = None
    found: list[Found] = field(default_factory=list)

    @classmethod
    def load(cls, client_ids: Sequence[int], day: date) -> World:
        campaigns = {
            campaign.pk: campaign
            for campaign in Campaign.objects.filter(
                client_id__in=client_ids, archived_at__isnull=True
            ).exclude(status=CampaignStatus.CANCELLED)
        }
        plans = plans_for_delivery(list(campaigns))
        placements: dict[int, list[Line]] = defaultdict(list)
        by_version = {plan.pk: campaign_id for campaign_id, plan in plans.items()}
        for row in (
            Placement.objects.filter(version_id__in=list(by_version))
            .order_by("version_id", "position", "id")
            .values_list("pk", *_LINE_FIELDS)
        ):
            line = Line(*row)
            placements[by_version[line.version_id]].append(line)
        return cls(
            day=day,
            client_ids=list(client_ids),
            thresholds=thresholds_by_client(client_ids),
            urls=_Urls.load(),
            campaigns=campaigns,
            plans=plans,
            placements=placements,
        )

    def thresholds_for(self, client_id: int) -> Thresholds:
        return self.thresholds.get(client_id) or Thresholds()

    def owner_of(self, campaign: Campaign) -> int | None:
        return campaign.owner_id or campaign.created_by_id

    def approved_plan(self, campaign_id: int) -> PlanVersion | None:
        """The current plan when it is approved (delivery prefers an approved one)."""
        plan = self.plans.get(campaign_id)
        return plan if plan is not None and plan.status in _APPROVED else None

    def add(
        self,
        items: Iterable[Item],
        campaign_of: Mapping[tuple[str, int], int | None],
        shared: Callable[[Item], bool] | None = None,
    ) -> None:
        for item in items:
            self.found.append(
                Found(item, campaign_of.get(item.subject), bool(shared and shared(item)))
            )

    @property
    def memberships(self) -> list[tuple[int, int, str]]:
        """(client, user, role) of every active person on the clients."""
        if self._memberships is None:
            self._memberships = list(
                Membership.objects.filter(
                    client_id__in=self.client_ids, user__is_active=True
                ).values_list("client_id", "user_id", "role")
            )
        return self._memberships

    @property
    def delivery(self) -> dict[tuple[int, str], dict[str, Any]]:
        """{(campaign, line key): summed delivery and its last day}: one grouped query."""
        if self._delivery is None:
            rows = (
                PlacementDay.objects.filter(campaign_id__in=list(self.campaigns))
                .values("campaign_id", "line_key")
                .annotate(last=Max("day"), **{name: Sum(name) for name in _PACING_SUMS})
            )
            self._delivery = {(row["campaign_id"], row["line_key"]): row for row in rows}
        return self._delivery

    @property
    def trafficked(self) -> set[tuple[int, str]]:
        """(campaign, line key) with approved creative trafficked (not removed, not ended)."""
        if self._trafficked is None:
            self._trafficked = set(
                Assignment.objects.filter(
                    campaign_id__in=list(self.campaigns),
                    removed_at__isnull=True,
                    ends__gte=self.day,
                ).values_list("campaign_id", "line_key")
            )
        return self._trafficked


def gather(client_ids: Sequence[int], day: date) -> list[Found]:
    """Every attention item of these clients for ``day``, with its campaign (module docstring)."""
    ids = sorted(set(client_ids))
    if not ids:
        return []
    with without_gc_pauses():
        world = World.load(ids, day)
        for part in (
            _pacing,
            _flights_and_deadlines,
            _reviews,
            _compliance,
            _revisions,
            _invoices,
            _stale,
            _rights,
            _budgets,
            _tasks,
        ):
            part(world)
    return world.found


@contextmanager
def without_gc_pauses() -> Iterator[None]:
    """No cyclic garbage collection while a computation builds its tens of thousands of
    short-lived objects (the collector would walk them all again and again: a third of the
    time); reference counting still frees them, and the collector resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- pacing -------------------------------------------------------------------------------------


def _pacing(world: World) -> None:
    """Each live placement's pacing index, as ``delivery.reports.pacing_overview`` shows it: the
    same plan line (``planned_line``), the same delivered figure and ``domain.pacing.pace`` at the
    campaign's pacing day; a line that cannot be paced (a missing rate, bad weights) has no index.

    ``pace`` spreads the whole flight to find what was expected by that day; for most continuous
    flights a bound settles the index to the cent without the spread (``known_index``), and only
    the others are paced in full.
    """
    delivery = world.delivery
    last: dict[int, date] = {}
    for (campaign_id, _), row in delivery.items():
        if row["last"] is not None and (campaign_id not in last or row["last"] > last[campaign_id]):
            last[campaign_id] = row["last"]
    rates = rates_by_client(world.client_ids)
    facts: list[PacingFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for campaign_id, placements in world.placements.items():
        campaign = world.campaigns[campaign_id]
        as_of = last.get(campaign_id) or world.day - timedelta(days=1)
        client_rates = rates.get(campaign.client_id) or Rates()
        owner = world.owner_of(campaign)
        url = world.urls.delivery(campaign_id)
        for placement in placements:
            if not placement.start <= as_of <= placement.end:
                continue
            sums = delivery.get((campaign_id, placement.line_key), {})
            try:
                line = planned_line(placement.as_placement, campaign.currency, client_rates)
                done = delivered_amount(line.metric, sums)
                index = known_index(line, done, as_of)
                if index is None:
                    index = pace(line, done, from_micros(sums.get("spend")), as_of, _PACING).index
            except (MissingRate, PacingError, FlightingError):
                continue  # the pacing page lists it as a problem: no index, no item
            campaign_of[("placement", placement.pk)] = campaign_id
            facts.append(
                PacingFact(
                    placement_id=placement.pk,
                    client_id=campaign.client_id,
                    campaign_id=campaign_id,
                    code=campaign.code,
                    name=placement_name(placement),
                    metric=str(line.metric),
                    pacing_index=index,
                    owner_id=owner,
                    url=url,
                )
            )
    world.add(attention.pacing_items(facts, world.thresholds_for, world.day), campaign_of)


# --- flights and material deadlines -------------------------------------------------------------


def _flights_and_deadlines(world: World) -> None:
    day = world.day
    accepted = set(
        OrderLine.objects.filter(
            order__campaign_id__in=list(world.campaigns), order__status=OrderStatus.ACCEPTED
        )
        .exclude(change=LineChange.REMOVED)
        .values_list("order__campaign_id", "line_key")
    )
    trafficked = world.trafficked
    flights: list[FlightFact] = []
    deadlines: list[DeadlineFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for campaign_id, placements in world.placements.items():
        campaign = world.campaigns[campaign_id]
        limits = world.thresholds_for(campaign.client_id)
        flight_until = day + timedelta(days=limits.flight_lead_days)
        material_until = day + timedelta(days=limits.material_due_days)
        owner = world.owner_of(campaign)
        for placement in placements:
            if placement.end < day:
                continue
            ready = (campaign_id, placement.line_key) in trafficked
            has_io = (campaign_id, placement.line_key) in accepted
            if placement.start <= flight_until and not (has_io and ready):
                campaign_of[("placement", placement.pk)] = campaign_id
                flights.append(
                    FlightFact(
                        placement_id=placement.pk,
                        client_id=campaign.client_id,
                        code=campaign.code,
                        name=placement_name(placement),
                        starts=placement.start,
                        ends=placement.end,
                        has_accepted_io=has_io,
                        has_trafficked_creative=ready,
                        owner_id=owner,
                        io_url=world.urls.orders(campaign_id),
                        creative_url=world.urls.creative(campaign_id),
                    )
                )
            deadline = placement.material_deadline
            if deadline is not None and deadline <= material_until and not ready:
                campaign_of[("placement", placement.pk)] = campaign_id
                deadlines.append(
                    DeadlineFact(
                        placement_id=placement.pk,
                        client_id=campaign.client_id,
                        code=campaign.code,
                        name=placement_name(placement),
                        deadline=deadline,
                        ready=ready,
                        ends=placement.end,
                        owner_id=owner,
                        url=world.urls.creative(campaign_id),
                    )
                )
    world.add(attention.flight_items(flights, world.thresholds_for, day), campaign_of)
    world.add(attention.deadline_items(deadlines, world.thresholds_for, day), campaign_of)


# --- reviews ------------------------------------------------------------------------------------


def _reviews(world: World) -> None:
    stages = list(
        ReviewStage.objects.filter(
            status=StageStatus.ACTIVE,
            round__status=RoundStatus.OPEN,
            round__asset__client_id__in=world.client_ids,
            round__asset__archived_at__isnull=True,
        )
        .select_related("round__asset", "round__version")
        .order_by("due", "id")
    )
    if not stages:
        return
    internal_roles = set(roles_allowed(Action.EDIT_CREATIVE))
    deciders: dict[int, list[int]] = defaultdict(list)  # client -> internal deciders
    reviewers: dict[int, list[int]] = defaultdict(list)  # client -> client reviewers
    rank = {Role.CREATIVE: 0, Role.COORDINATOR: 1, Role.ADMIN: 2}
    for client_id, user_id, role in sorted(
        world.memberships, key=lambda m: (rank.get(Role(m[2]), 9), m[1])
    ):
        if role == Role.CLIENT_REVIEWER:
            reviewers[client_id].append(user_id)
        elif role in internal_roles:
            deciders[client_id].append(user_id)
    facts: list[ReviewFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    shared: set[tuple[int, int]] = set()  # (stage, reviewer) a client reviewer may see
    for stage in stages:
        asset = stage.round.asset
        campaign = world.campaigns.get(asset.campaign_id) if asset.campaign_id else None
        if asset.campaign_id is not None and campaign is None:
            continue  # the campaign is archived or cancelled
        owner = world.owner_of(campaign) if campaign else asset.created_by_id
        client_id = asset.client_id
        waiting: list[int]
        if stage.who == ReviewerKind.CLIENT:
            seen_by_client = campaign is not None and campaign.shared_with_client
            waiting = list(reviewers[client_id]) if seen_by_client else []
            shared.update((stage.pk, user_id) for user_id in waiting)
        else:
            people = deciders[client_id]
            # The campaign's owner first (the list keeps one row per stage: the first).
            waiting = ([owner] if owner in people else []) + [p for p in people if p != owner]
        if not waiting and owner is not None:
            waiting = [owner]  # nobody else can answer: the one who chases it
        campaign_of[("review_stage", stage.pk)] = asset.campaign_id
        for user_id in waiting:
            facts.append(
                ReviewFact(
                    stage_id=stage.pk,
                    client_id=client_id,
                    stage=stage.name,
                    asset=f"{asset.name} v{stage.round.version.number}",
                    reviewer_id=user_id,
                    due=stage.due,
                    url=world.urls.asset(asset.pk),
                )
            )
    world.add(
        attention.review_items(facts, world.day),
        campaign_of,
        lambda item: (item.subject[1], item.owner_id) in shared,
    )


# --- compliance ---------------------------------------------------------------------------------


@dataclass
class _Rules:
    """The rule sets, categories and overrides of the clients, to check many subjects."""

    sets_by_org: dict[int, list[RuleSet]]
    organization_of: dict[int, int]
    categories: dict[int, tuple[str, ...]]
    cache: dict[tuple[Any, ...], list[compliance.Found]] = field(default_factory=dict)
    runs: dict[tuple[Any, ...], list[compliance.Found]] = field(default_factory=dict)
    spec_ruled: dict[int, bool] = field(default_factory=dict)
    chosen: dict[tuple[Any, ...], list[RuleSet]] = field(default_factory=dict)
    platforms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, client_ids: Sequence[int]) -> _Rules:
        organization_of = dict(
            Client.objects.filter(pk__in=client_ids).values_list("pk", "organization_id")
        )
        sets_by_org: dict[int, list[RuleSet]] = defaultdict(list)
        for rule_set in RuleSet.objects.active().filter(
            organization_id__in=set(organization_of.values())
        ):
            sets_by_org[rule_set.organization_id].append(rule_set)
        categories = {
            profile.client_id: tuple(profile.categories)
            for profile in ComplianceProfile.objects.filter(client_id__in=client_ids)
        }
        return cls(sets_by_org, organization_of, categories)

    def applicable(
        self, client_id: int, brand_id: int | None, market: str, channel: str
    ) -> list[RuleSet]:
        """``compliance.services.applicable``, from the sets loaded once."""
        key = (client_id, brand_id, market, channel)
        if key in self.chosen:
            return self.chosen[key]
        chosen = []
        for rule_set in self.sets_by_org.get(self.organization_of[client_id], ()):
            if rule_set.client_id is not None and rule_set.client_id != client_id:
                continue
            if rule_set.brand_id is not None and rule_set.brand_id != brand_id:
                continue
            if rule_set.markets and not compliance.market_in(market, rule_set.markets):
                continue
            if rule_set.channels and channel not in rule_set.channels:
                continue
            chosen.append(rule_set)
        self.chosen[key] = sorted(chosen, key=lambda r: r.pk)
        return self.chosen[key]

    def platform(self, vendor: str) -> str:
        if vendor not in self.platforms:
            self.platforms[vendor] = compliance.platform_of(vendor)
        return self.platforms[vendor]

    def placement(self, campaign: Campaign, placement: Line) -> list[compliance.Found]:
        """``compliance.services.check_placement`` before overrides, once per distinct subject."""
        platform = self.platform(placement.vendor)
        key = (
            campaign.client_id,
            campaign.brand_id,
            placement.market,
            placement.channel,
            platform,
            placement.targeting,
        )
        found = self.cache.get(key)
        if found is None:
            subject = Subject(
                fields={},
                channel=placement.channel,
                market=placement.market,
                categories=self.categories.get(campaign.client_id, ()),
                sponsored=placement.channel == "influencer",
                targeting=parse_targeting(placement.targeting),
                platform=platform,
            )
            sets = self.applicable(
                campaign.client_id, campaign.brand_id, placement.market, placement.channel
            )
            found = compliance.unique_findings(compliance.run_rule_sets(sets, subject))
            self.cache[key] = found
        return found

    def run(self, sets: list[RuleSet], subject: Subject) -> list[compliance.Found]:
        """``compliance.services._run``, once per distinct subject and rule sets (most creative
        has no copy, and its spec findings are alike)."""
        try:
            key = (
                tuple(s.pk for s in sets),
                tuple((name, tuple(texts)) for name, texts in sorted(subject.fields.items())),
                subject.channel,
                subject.market,
                subject.categories,
                subject.sponsored,
                subject.platform,
                tuple(tuple(sorted(f.items())) for f in subject.spec_findings),
            )
            hash(key)
        except TypeError:  # something unhashable in the stored findings: no shortcut
            return compliance.run_rule_sets(sets, subject)
        found = self.runs.get(key)
        if found is None:
            found = self.runs[key] = compliance.run_rule_sets(sets, subject)
        return found

    def has_spec_rule(self, rule_set: RuleSet) -> bool:
        if rule_set.pk not in self.spec_ruled:
            self.spec_ruled[rule_set.pk] = compliance.has_spec_rule(rule_set)
        return self.spec_ruled[rule_set.pk]

    def version(
        self, asset: Asset, tags: set[str], targets: list[Line], markets: list[str]
    ) -> list[compliance.Found]:
        """``compliance.services.check_version`` before overrides, from the loaded rules."""
        version = asset.current_version
        assert version is not None
        sponsored = bool(tags & compliance.SPONSORED_TAGS) or any(
            p.channel == "influencer" for p in targets
        )
        contexts = sorted({(p.market, p.channel, self.platform(p.vendor)) for p in targets})
        if not contexts:
            contexts = [(market, "", "") for market in markets] or [("", "", "")]
        return compliance.version_findings(
            version,
            contexts,
            categories=self.categories.get(asset.client_id, ()),
            sponsored=sponsored,
            sets_for=lambda market, channel: self.applicable(
                asset.client_id, asset.brand_id, market, channel
            ),
            run=self.run,
            spec_ruled_by=self.has_spec_rule,
        )


def _blocking(found: list[compliance.Found], overrides: Iterable[Override]) -> int:
    return sum(1 for item in compliance.with_overrides(found, overrides) if item.blocks)


def _compliance(world: World) -> None:
    day = world.day
    running = {pk: c for pk, c in world.campaigns.items() if c.end >= day}
    if not running:
        return
    rules = _Rules.load(world.client_ids)
    placement_overrides: dict[tuple[int, str], list[Override]] = defaultdict(list)
    for given in Override.objects.filter(campaign_id__in=list(running)):
        placement_overrides[(given.campaign_id or 0, given.line_key)].append(given)
    facts: list[ComplianceFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for campaign_id, campaign in running.items():
        owner = world.owner_of(campaign)
        for placement in world.placements.get(campaign_id, ()):
            if placement.end < day:
                continue
            found = rules.placement(campaign, placement)
            if not found:
                continue
            blocking = _blocking(
                found, placement_overrides.get((campaign_id, placement.line_key), ())
            )
            if blocking:
                campaign_of[("placement", placement.pk)] = campaign_id
                facts.append(
                    ComplianceFact(
                        subject=("placement", placement.pk),
                        client_id=campaign.client_id,
                        label=f"{campaign.code} · {placement_name(placement)}",
                        blocking=blocking,
                        owner_id=owner,
                        url=world.urls.compliance(campaign_id),
                    )
                )
    assets = list(
        Asset.objects.filter(
            campaign_id__in=list(running),
            archived_at__isnull=True,
            current_version__isnull=False,
        ).select_related("current_version")
    )
    tags: dict[int, set[str]] = defaultdict(set)
    for asset_id, name in Asset.tags.through.objects.filter(
        asset_id__in=[a.pk for a in assets]
    ).values_list("asset_id", "tag__name"):
        tags[asset_id].add(name.lower())
    version_overrides: dict[int, list[Override]] = defaultdict(list)
    for given in Override.objects.filter(version_id__in=[a.current_version_id for a in assets]):
        version_overrides[given.version_id or 0].append(given)
    for asset in assets:
        campaign = running[asset.campaign_id or 0]
        wanted = set(asset.line_keys or ())
        targets = [p for p in world.placements.get(campaign.pk, ()) if p.line_key in wanted]
        found = rules.version(asset, tags[asset.pk], targets, list(campaign.markets))
        blocking = _blocking(found, version_overrides.get(asset.current_version_id or 0, ()))
        if blocking:
            campaign_of[("asset", asset.pk)] = campaign.pk
            facts.append(
                ComplianceFact(
                    subject=("asset", asset.pk),
                    client_id=asset.client_id,
                    label=f"{asset.name} v{asset.current_version.number}",  # type: ignore[union-attr]
                    blocking=blocking,
                    owner_id=world.owner_of(campaign),
                    url=world.urls.asset(asset.pk),
                )
            )
    world.add(attention.compliance_items(facts), campaign_of)


# --- IO revisions -------------------------------------------------------------------------------


def _revisions(world: World) -> None:
    orders = InsertionOrder.objects.filter(
        client_id__in=world.client_ids,
        campaign_id__in=list(world.campaigns),
        status=OrderStatus.DRAFT,
        revision__gt=1,
    ).select_related("vendor")
    facts: list[RevisionFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for order in orders:
        campaign = world.campaigns[order.campaign_id]
        campaign_of[("io", order.pk)] = order.campaign_id
        facts.append(
            RevisionFact(
                io_id=order.pk,
                client_id=order.client_id,
                number=order.number,
                revision=order.revision,
                vendor=order.vendor.name,
                drafted_on=timezone.localtime(order.created_at).date(),
                owner_id=world.owner_of(campaign),
                url=world.urls.order(order.pk),
            )
        )
    world.add(attention.revision_items(facts), campaign_of)


# --- invoices -----------------------------------------------------------------------------------

_INVOICE_STATES = {
    InvoiceStatus.DISCREPANCY: InvoiceState.DISCREPANCY,
    InvoiceStatus.MATCHED: InvoiceState.MATCHED,
}


def _invoices(world: World) -> None:
    invoices = list(
        Invoice.objects.filter(
            client_id__in=world.client_ids, status__in=list(_INVOICE_STATES)
        ).select_related("vendor")
    )
    if not invoices:
        return
    billed: dict[int, set[int]] = defaultdict(set)
    differences: dict[int, Decimal] = defaultdict(Decimal)
    for invoice_id, billing, difference in InvoiceLine.objects.filter(
        invoice__in=invoices
    ).values_list("invoice_id", "order_line__order__campaign_id", "difference"):
        if billing is not None:
            billed[invoice_id].add(billing)
        differences[invoice_id] += difference or Decimal(0)
    owners: dict[int, int | None] = {
        pk: owner or creator
        for pk, owner, creator in Campaign.objects.filter(
            pk__in={c for ids in billed.values() for c in ids} - set(world.campaigns)
        ).values_list("pk", "owner_id", "created_by_id")
    }
    owners.update({pk: world.owner_of(c) for pk, c in world.campaigns.items()})
    facts: list[InvoiceFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for invoice in invoices:
        campaigns = billed.get(invoice.pk, set())
        campaign_id: int | None = next(iter(campaigns)) if len(campaigns) == 1 else None
        owner = owners.get(campaign_id) if campaign_id is not None else None
        difference = differences.get(invoice.pk, Decimal(0))
        if difference == 0 and invoice.discrepancies:
            difference = _whole_difference(invoice.discrepancies)
        campaign_of[("invoice", invoice.pk)] = campaign_id
        facts.append(
            InvoiceFact(
                invoice_id=invoice.pk,
                client_id=invoice.client_id,
                number=invoice.number,
                vendor=invoice.vendor.name,
                state=_INVOICE_STATES[InvoiceStatus(invoice.status)],
                total=invoice.total,
                difference=difference,
                currency=invoice.currency,
                due=invoice.due_date,
                owner_id=owner or invoice.created_by_id,
                url=world.urls.invoice(invoice.pk),
            )
        )
    world.add(attention.invoice_items(facts), campaign_of)


def _whole_difference(discrepancies: Any) -> Decimal:
    """The amount of the invoice's own finding (its stated total against its lines)."""
    try:
        return Decimal(str(discrepancies[0].get("amount") or 0))
    except (ArithmeticError, AttributeError, IndexError, KeyError, TypeError):
        return Decimal(0)


# --- stale delivery -----------------------------------------------------------------------------


def _stale(world: World) -> None:
    day = world.day
    delivery = world.delivery
    facts: list[StaleFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for campaign_id, placements in world.placements.items():
        if world.approved_plan(campaign_id) is None:
            continue  # a plan not approved is not running
        campaign = world.campaigns[campaign_id]
        owner = world.owner_of(campaign)
        for placement in placements:
            if not placement.start <= day <= placement.end:
                continue
            row = delivery.get((campaign_id, placement.line_key))
            campaign_of[("placement", placement.pk)] = campaign_id
            facts.append(
                StaleFact(
                    placement_id=placement.pk,
                    client_id=campaign.client_id,
                    code=campaign.code,
                    name=placement_name(placement),
                    starts=placement.start,
                    last_delivery=row["last"] if row else None,
                    owner_id=owner,
                    url=world.urls.delivery(campaign_id),
                )
            )
    world.add(attention.stale_items(facts, world.thresholds_for, day), campaign_of)


# --- usage rights -------------------------------------------------------------------------------


def _rights(world: World) -> None:
    day = world.day
    soonest = max((t.rights_soon_days for t in world.thresholds.values()), default=30)
    rights = [
        right
        for right in UsageRight.objects.filter(
            asset__client_id__in=world.client_ids,
            asset__archived_at__isnull=True,
            expires__isnull=False,
            expires__lte=day + timedelta(days=soonest),
        ).select_related("asset")
        if right.asset.campaign_id is None or right.asset.campaign_id in world.campaigns
    ]
    if not rights:
        return
    live = set(
        Assignment.objects.filter(
            version__asset_id__in={right.asset_id for right in rights},
            removed_at__isnull=True,
            starts__lte=day,
            ends__gte=day,
        ).values_list("version__asset_id", flat=True)
    )
    facts: list[RightsFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    for right in rights:
        asset = right.asset
        campaign = world.campaigns.get(asset.campaign_id) if asset.campaign_id else None
        assert right.expires is not None
        campaign_of[("right", right.pk)] = asset.campaign_id
        facts.append(
            RightsFact(
                right_id=right.pk,
                client_id=asset.client_id,
                asset=asset.name,
                label=f"{right.get_kind_display()} rights ({right.holder})",
                expires=right.expires,
                live=asset.pk in live,
                owner_id=world.owner_of(campaign) if campaign else asset.created_by_id,
                url=world.urls.asset(asset.pk),
            )
        )
    world.add(attention.rights_items(facts, world.thresholds_for, day), campaign_of)


# --- budgets ------------------------------------------------------------------------------------


def budget_facts(world: World) -> list[BudgetFact]:
    """The campaign page's planned, booked and actual (delivered) money against the budget.

    The figures are the ledger's (``finance.ledger.ledger``): an approved plan's gross cost,
    the booked cost of the accepted IO lines and the payable value of what ran, in the
    campaign's currency (lines in another currency are left out, as the page shows them apart).
    Booked money is at most the ordered cost, and payment is capped at what is ordered, so a
    campaign whose ordered money stays within the budget's limit cannot be over it: only the
    others are worked out, line by line, the way the ledger does.
    """
    day = world.day
    approved = [pk for pk in world.placements if world.approved_plan(pk) is not None]
    if not approved:
        return []
    ordered_cost: dict[str, Decimal] = {}  # the most any accepted line of the key books
    for key, cost in OrderLine.objects.filter(
        order__campaign_id__in=approved, order__status=OrderStatus.ACCEPTED
    ).values_list("line_key", "cost"):
        ordered_cost[key] = max(cost, ordered_cost.get(key, Decimal(0)))
    candidates = []
    for campaign_id in approved:
        campaign = world.campaigns[campaign_id]
        tolerance = world.thresholds_for(campaign.client_id).budget_overrun_tolerance
        limit = campaign.budget * (1 + tolerance)
        mine = [p for p in world.placements[campaign_id] if p.currency == campaign.currency]
        planned = sum((p.cost for p in mine), Decimal(0))
        most = sum(
            (max(ordered_cost.get(p.line_key, p.cost), Decimal(0)) for p in mine), Decimal(0)
        )
        if planned > limit or most > limit:
            candidates.append((campaign, mine, planned))
    if not candidates:
        return []
    ids = [c.pk for c, _, _ in candidates]
    booked = {line.line_key: line for line in booked_lines(ids)}
    ran = {
        (row["campaign_id"], row["line_key"]): row
        for row in PlacementDay.objects.filter(campaign_id__in=ids)
        .values("campaign_id", "line_key")
        .annotate(**{name: Sum(name) for name in _LEDGER_SUMS})
    }
    rows = {
        p.pk: p
        for p in Placement.objects.filter(
            version_id__in=[world.plans[c.pk].pk for c, _, _ in candidates]
        )
    }
    facts: list[BudgetFact] = []
    for campaign, mine, planned in candidates:
        booked_total = Decimal(0)
        actual = Decimal(0)
        for placement in (rows[p.pk] for p in mine):
            line = booked.get(placement.line_key)
            booked_total += line.booked_cost if line else Decimal(0)
            actual += _actual(placement, line, ran, campaign.pk, day)
        facts.append(
            BudgetFact(
                budget_id=campaign.pk,
                client_id=campaign.client_id,
                label=campaign.code,
                budget=campaign.budget,
                planned=planned,
                booked=booked_total,
                actual=actual,
                currency=campaign.currency,
                owner_id=world.owner_of(campaign),
                url=world.urls.campaign(campaign.pk),
            )
        )
    return facts


def _budgets(world: World) -> None:
    facts = budget_facts(world)
    campaign_of: dict[tuple[str, int], int | None] = {
        ("budget", fact.budget_id): fact.budget_id for fact in facts
    }
    world.add(attention.budget_items(facts, world.thresholds_for), campaign_of)


def _actual(
    placement: Placement,
    line: OrderLine | None,
    delivery: Mapping[tuple[int, str], dict[str, Any]],
    campaign_id: int,
    day: date,
) -> Decimal:
    """The ledger's delivered value of one placement to date, summed over its months.

    Month by month the ledger pays the increase of the payable to date, which adds up to the
    payable of everything delivered (payment only grows with delivery); a flat fee is earned
    month by month as its flight runs.
    """
    order = ordered(line, line.order.currency) if line else planned_as_ordered(placement)
    if order.cost_model is CostModel.FLAT:
        weights = weights_of(placement)
        planned = _monthly(placement.cost, placement.start, placement.end, weights, order.currency)
        booked = (
            _monthly(
                line.booked_cost,
                line.start,
                line.end,
                weights if line.start >= placement.start and line.end <= placement.end else None,
                order.currency,
            )
            if line
            else {}
        )
        return sum(_delivered_value(order, {}, booked or planned, day).values(), Decimal(0))
    sums = delivery.get((campaign_id, placement.line_key))
    if sums is None:
        return Decimal(0)  # nothing ran: the ledger has no month to pay
    return payable(order, delivered(order.cost_model, sums)).amount


# --- tasks --------------------------------------------------------------------------------------


def _tasks(world: World) -> None:
    tasks = Task.objects.filter(
        client_id__in=world.client_ids,
        status__in=[TaskStatus.OPEN, TaskStatus.DOING],
        due__isnull=False,
        due__lte=world.day,
    ).select_related("campaign")
    reviewers = {
        (client_id, user_id)
        for client_id, user_id, role in world.memberships
        if role == Role.CLIENT_REVIEWER
    }
    facts: list[TaskFact] = []
    campaign_of: dict[tuple[str, int], int | None] = {}
    shared: set[int] = set()
    for task in tasks:
        assert task.due is not None
        campaign_of[("task", task.pk)] = task.campaign_id
        if (
            (task.client_id, task.owner_id) in reviewers
            and task.campaign is not None
            and task.campaign.shared_with_client
        ):
            shared.add(task.pk)
        facts.append(
            TaskFact(
                task_id=task.pk,
                client_id=task.client_id,
                title=task.title,
                due=task.due,
                owner_id=task.owner_id,
                url=world.urls.task(task.pk),
            )
        )
    world.add(attention.task_items(facts, world.day), campaign_of, lambda i: i.subject[1] in shared)
