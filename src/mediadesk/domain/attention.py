"""The attention list: what needs a coordinator now, computed from plain facts of every area.

Each builder turns one kind of fact into items; the caller gathers the facts (already limited to
what the viewer may see) and passes ``today``. Nothing here reads the clock: a computation that
crosses midnight uses the one ``today`` it was given, so every title, severity and due date in
one run agrees.

- **Pacing off** — a placement whose pacing index (delivered ÷ expected, as shown) is further
  from 1 than the client's tolerance (default ±10%; exactly at the tolerance is on track):
  high beyond twice the tolerance, else medium. No index yet, no item. Its situation is the
  band (under or over plan, and the severity), so a dismissed item returns when that changes.
- **Flight without IO / without creative** — a placement starting within ``flight_lead_days``
  (7) that has no accepted IO, or no approved creative trafficked to it: critical once it has
  started (live and uncovered), else high. Ended flights are left alone.
- **Material deadline** — a placement whose creative is not ready and whose deadline is within
  ``material_due_days`` (7): high when late, else medium. Ended placements are left alone.
- **Review waiting** — a review stage waiting on a user: high when overdue, else medium.
- **Compliance blocking** — one or more blocking findings: high.
- **IO revision unsent** — a drafted revision not yet sent to the vendor: medium.
- **Invoice discrepancy** (high) and **invoice awaiting approval** (medium, matched invoices).
- **Stale delivery** — a live placement whose last delivery day (or, with none, its start) is
  more than ``stale_delivery_days`` (3) ago: medium.
- **Rights expiring** — a right expiring within ``rights_soon_days`` (30) or expired (a right
  is valid through its expiry day): critical when expired and a live assignment uses it, high
  when expiring and used live, else low.
- **Budget overrun** — the furthest stage (actual, then booked, then planned) above the budget
  by more than ``budget_overrun_tolerance`` (a share, default 0): critical for actual spend,
  high for booked, medium for planned.
- **Task due** — an open task due today (medium) or overdue (high).

Every item has a stable ``key`` (kind and object) and a ``situation`` (the facts it depends
on). Dismissing or snoozing an item remembers its fingerprint (key and situation): a dismissed
item stays hidden while the situation is unchanged; a snoozed one until the snooze ends
(exclusive) or the situation changes, whichever comes first. Money is Decimal throughout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from mediadesk.domain.money import format_amount

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


class Kind(StrEnum):
    PACING_OFF = "pacing_off"
    FLIGHT_WITHOUT_IO = "flight_without_io"
    FLIGHT_WITHOUT_CREATIVE = "flight_without_creative"
    MATERIAL_DEADLINE = "material_deadline"
    REVIEW_WAITING = "review_waiting"
    COMPLIANCE_BLOCKING = "compliance_blocking"
    IO_REVISION_UNSENT = "io_revision_unsent"
    INVOICE_DISCREPANCY = "invoice_discrepancy"
    INVOICE_AWAITING_APPROVAL = "invoice_awaiting_approval"
    STALE_DELIVERY = "stale_delivery"
    RIGHTS_EXPIRING = "rights_expiring"
    BUDGET_OVERRUN = "budget_overrun"
    TASK_DUE = "task_due"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for the most urgent; sort ascending."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {severity: place for place, severity in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When an item appears; the agency's defaults, overridable per client."""

    flight_lead_days: int = 7
    stale_delivery_days: int = 3
    rights_soon_days: int = 30
    pacing_tolerance: Decimal = Decimal("0.10")  # ±10% around an index of 1
    budget_overrun_tolerance: Decimal = Decimal("0")  # share of the budget allowed over it
    material_due_days: int = 7

    def __post_init__(self) -> None:
        for field in fields(self):
            _check(field.name, getattr(self, field.name))

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], base: Thresholds | None = None) -> Thresholds:
        """Overrides (e.g. a client's saved settings) on top of ``base`` (default: the defaults).

        Days are whole numbers of 0 or more; tolerances are shares (``"0.15"`` for 15%) of 0 or
        more, the pacing tolerance below 1. Raises ValueError naming the key and the value.
        """
        known = [field.name for field in fields(cls)]
        changes: dict[str, Any] = {}  # each value checked again by __post_init__
        for key, raw in data.items():
            if key not in known:
                raise ValueError(
                    f"Unknown threshold {key!r} (value {raw!r}); use one of {', '.join(known)}."
                )
            changes[key] = _to_decimal(key, raw) if key in _SHARES else _to_days(key, raw)
        return replace(base or cls(), **changes)


_SHARES = frozenset({"pacing_tolerance", "budget_overrun_tolerance"})


def _to_days(key: str, raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise ValueError(f"Threshold {key!r} is {raw!r}; give a whole number of days, such as 7.")


def _to_decimal(key: str, raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | float | str):
        raise ValueError(f"Threshold {key!r} is {raw!r}; give a share such as 0.10 for 10%.")
    try:
        return Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(
            f"Threshold {key!r} is {raw!r}; give a share such as 0.10 for 10%."
        ) from None


def _check(key: str, value: object) -> None:
    if key in _SHARES:
        if not isinstance(value, Decimal) or not value.is_finite() or value < _ZERO:
            raise ValueError(f"Threshold {key!r} is {value!r}; give a share of 0 or more.")
        if key == "pacing_tolerance" and value >= _ONE:
            raise ValueError(
                f"Threshold {key!r} is {value}; give a share below 1, such as 0.10 for 10%."
            )
    elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"Threshold {key!r} is {value!r}; give a whole number of days, 0 or more.")


@dataclass(frozen=True, slots=True)
class Item:
    kind: Kind
    severity: Severity
    client_id: int
    title: str  # a sentence a coordinator can act on
    due: date | None
    subject: tuple[str, int]  # ("placement", 12)
    url: str  # the page where it is fixed
    owner_id: int | None
    situation: str  # what the item depends on: "pacing under plan, high", "expires 2026-12-29"

    @property
    def key(self) -> str:
        """Stable identity: the same problem on the same object, whatever its details."""
        return f"{self.kind}:{self.subject[0]}:{self.subject[1]}"

    @property
    def fingerprint(self) -> str:
        """Changes when the situation changes (a silenced item then comes back)."""
        return f"{self.key}|{self.situation}"


ThresholdsFor = Callable[[int], Thresholds]


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _money(amount: Decimal, currency: str) -> str:
    return f"{format_amount(amount)} {currency}"


# --- pacing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PacingFact:
    placement_id: int
    client_id: int
    campaign_id: int
    code: str  # "NWND-AR26"
    name: str  # "Radio RMS"
    metric: str  # "spend"
    pacing_index: Decimal | None  # delivered / expected to date, as shown; None: nothing expected
    owner_id: int | None
    url: str


def pacing_items(
    facts: Iterable[PacingFact], thresholds_for: ThresholdsFor, today: date
) -> list[Item]:
    items = []
    for fact in facts:
        if fact.pacing_index is None:
            continue
        tolerance = thresholds_for(fact.client_id).pacing_tolerance
        off = abs(fact.pacing_index - _ONE)
        if off <= tolerance:
            continue
        percent = (fact.pacing_index * _HUNDRED).quantize(_ONE, rounding=ROUND_HALF_EVEN)
        severity = Severity.HIGH if off > 2 * tolerance else Severity.MEDIUM
        # The band, not the index: a dismissed item comes back when the placement moves to
        # another band (under to over, medium to high), not every day the index moves by 0.01.
        direction = "under" if fact.pacing_index < _ONE else "over"
        items.append(
            Item(
                Kind.PACING_OFF,
                severity,
                fact.client_id,
                f"{fact.code} · {fact.name} is pacing at {percent}% of plan ({fact.metric}).",
                None,
                ("placement", fact.placement_id),
                fact.url,
                fact.owner_id,
                f"pacing {direction} plan, {severity}",
            )
        )
    return items


# --- flights starting without IO or creative ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlightFact:
    placement_id: int
    client_id: int
    code: str
    name: str
    starts: date
    ends: date
    has_accepted_io: bool
    has_trafficked_creative: bool  # approved creative trafficked to it
    owner_id: int | None
    io_url: str
    creative_url: str


def flight_items(
    facts: Iterable[FlightFact], thresholds_for: ThresholdsFor, today: date
) -> list[Item]:
    items = []
    for fact in facts:
        days = (fact.starts - today).days
        if fact.ends < today or days > thresholds_for(fact.client_id).flight_lead_days:
            continue
        if days < 0:
            when, severity = f"started on {fact.starts:%d %b}", Severity.CRITICAL
        elif days == 0:
            when, severity = "starts today", Severity.CRITICAL
        else:
            when, severity = f"starts in {_days(days)} ({fact.starts:%d %b})", Severity.HIGH
        lacks = []
        if not fact.has_accepted_io:
            lacks.append((Kind.FLIGHT_WITHOUT_IO, "an accepted IO", fact.io_url))
        if not fact.has_trafficked_creative:
            lacks.append(
                (Kind.FLIGHT_WITHOUT_CREATIVE, "approved, trafficked creative", fact.creative_url)
            )
        for kind, what, url in lacks:
            items.append(
                Item(
                    kind,
                    severity,
                    fact.client_id,
                    f"{fact.code} · {fact.name} {when} without {what}.",
                    fact.starts,
                    ("placement", fact.placement_id),
                    url,
                    fact.owner_id,
                    f"{'live' if days <= 0 else 'starts'} {fact.starts.isoformat()}",
                )
            )
    return items


# --- material deadlines -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineFact:
    placement_id: int
    client_id: int
    code: str
    name: str
    deadline: date
    ready: bool  # approved creative is trafficked
    ends: date | None
    owner_id: int | None
    url: str


def deadline_items(
    facts: Iterable[DeadlineFact], thresholds_for: ThresholdsFor, today: date
) -> list[Item]:
    items = []
    for fact in facts:
        days = (fact.deadline - today).days
        if fact.ready or (fact.ends is not None and fact.ends < today):
            continue
        if days > thresholds_for(fact.client_id).material_due_days:
            continue
        if days < 0:
            when = f"is {_days(-days)} late (deadline {fact.deadline:%d %b})"
        elif days == 0:
            when = "is due today"
        else:
            when = f"is due in {_days(days)} ({fact.deadline:%d %b})"
        items.append(
            Item(
                Kind.MATERIAL_DEADLINE,
                Severity.HIGH if days < 0 else Severity.MEDIUM,
                fact.client_id,
                f"{fact.code} · {fact.name}: material {when}.",
                fact.deadline,
                ("placement", fact.placement_id),
                fact.url,
                fact.owner_id,
                f"{'late' if days < 0 else 'due'} {fact.deadline.isoformat()}",
            )
        )
    return items


# --- reviews ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewFact:
    stage_id: int
    client_id: int
    stage: str  # "Legal"
    asset: str  # "Winter 30s v3"
    reviewer_id: int  # the user the stage waits on
    due: date | None
    url: str


def review_items(facts: Iterable[ReviewFact], today: date) -> list[Item]:
    items = []
    for fact in facts:
        overdue = fact.due is not None and fact.due < today
        if fact.due is None:
            when = ""
        elif overdue:
            when = f", {_days((today - fact.due).days)} overdue"
        else:
            when = f", due {fact.due:%d %b}"
        items.append(
            Item(
                Kind.REVIEW_WAITING,
                Severity.HIGH if overdue else Severity.MEDIUM,
                fact.client_id,
                f"{fact.stage} review of {fact.asset} is waiting{when}.",
                fact.due,
                ("review_stage", fact.stage_id),
                fact.url,
                fact.reviewer_id,
                f"{'overdue' if overdue else 'waiting'} {fact.due or '-'}",
            )
        )
    return items


# --- compliance ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComplianceFact:
    subject: tuple[str, int]  # ("asset", 7), ("placement", 12)
    client_id: int
    label: str  # "NWND-AR26 · Radio RMS"
    blocking: int  # open blocking findings
    owner_id: int | None
    url: str


def compliance_items(facts: Iterable[ComplianceFact]) -> list[Item]:
    return [
        Item(
            Kind.COMPLIANCE_BLOCKING,
            Severity.HIGH,
            fact.client_id,
            f"{fact.label} has {fact.blocking} blocking compliance "
            f"finding{'' if fact.blocking == 1 else 's'}.",
            None,
            fact.subject,
            fact.url,
            fact.owner_id,
            f"blocking {fact.blocking}",
        )
        for fact in facts
        if fact.blocking > 0
    ]


# --- IO revisions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevisionFact:
    io_id: int
    client_id: int
    number: str  # the IO number
    revision: int
    vendor: str
    drafted_on: date
    owner_id: int | None
    url: str


def revision_items(facts: Iterable[RevisionFact]) -> list[Item]:
    return [
        Item(
            Kind.IO_REVISION_UNSENT,
            Severity.MEDIUM,
            fact.client_id,
            f"IO {fact.number} revision {fact.revision} was drafted on {fact.drafted_on:%d %b} "
            f"and is not yet sent to {fact.vendor}.",
            None,
            ("io", fact.io_id),
            fact.url,
            fact.owner_id,
            f"revision {fact.revision}",
        )
        for fact in facts
    ]


# --- invoices -----------------------------------------------------------------------------------


class InvoiceState(StrEnum):
    DISCREPANCY = "discrepancy"
    MATCHED = "matched"  # matched to the order, awaiting approval
    OTHER = "other"  # nothing to do here (approved, paid, …)


@dataclass(frozen=True, slots=True)
class InvoiceFact:
    invoice_id: int
    client_id: int
    number: str
    vendor: str
    state: InvoiceState
    total: Decimal
    difference: Decimal  # invoiced minus ordered (positive: over)
    currency: str
    due: date | None  # payment due
    owner_id: int | None
    url: str


def invoice_items(facts: Iterable[InvoiceFact]) -> list[Item]:
    items = []
    for fact in facts:
        head = f"Invoice {fact.number} from {fact.vendor}"
        if fact.state is InvoiceState.DISCREPANCY:
            kind, severity = Kind.INVOICE_DISCREPANCY, Severity.HIGH
            if fact.difference == _ZERO:
                title = f"{head} does not match the order."
            else:
                side = "over" if fact.difference > _ZERO else "under"
                amount = _money(abs(fact.difference), fact.currency)
                title = f"{head}: {amount} {side} the ordered amount."
            situation = f"discrepancy {fact.difference} {fact.currency}"
        elif fact.state is InvoiceState.MATCHED:
            kind, severity = Kind.INVOICE_AWAITING_APPROVAL, Severity.MEDIUM
            title = f"{head} ({_money(fact.total, fact.currency)}) is matched and awaits approval."
            situation = f"matched {fact.total} {fact.currency}"
        else:
            continue
        items.append(
            Item(
                kind,
                severity,
                fact.client_id,
                title,
                fact.due,
                ("invoice", fact.invoice_id),
                fact.url,
                fact.owner_id,
                situation,
            )
        )
    return items


# --- stale delivery -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaleFact:
    placement_id: int  # a live placement
    client_id: int
    code: str
    name: str
    starts: date
    last_delivery: date | None  # the latest day with imported delivery
    owner_id: int | None
    url: str


def stale_items(
    facts: Iterable[StaleFact], thresholds_for: ThresholdsFor, today: date
) -> list[Item]:
    items = []
    for fact in facts:
        since = fact.last_delivery or fact.starts
        days = (today - since).days
        if days <= thresholds_for(fact.client_id).stale_delivery_days:
            continue
        if fact.last_delivery is None:
            title = f"{fact.code} · {fact.name} has no delivery data {_days(days)} after its start."
        else:
            title = (
                f"{fact.code} · {fact.name} has no delivery data since {since:%d %b} "
                f"({_days(days)})."
            )
        items.append(
            Item(
                Kind.STALE_DELIVERY,
                Severity.MEDIUM,
                fact.client_id,
                title,
                None,
                ("placement", fact.placement_id),
                fact.url,
                fact.owner_id,
                f"last delivery {fact.last_delivery or '-'}",
            )
        )
    return items


# --- usage rights -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RightsFact:
    right_id: int
    client_id: int
    asset: str  # "Winter 30s"
    label: str  # "Music rights (Sunny Tunes)"
    expires: date  # valid through this day
    live: bool  # a live trafficking assignment uses the asset
    owner_id: int | None
    url: str


def rights_items(
    facts: Iterable[RightsFact], thresholds_for: ThresholdsFor, today: date
) -> list[Item]:
    items = []
    for fact in facts:
        days = (fact.expires - today).days
        if days > thresholds_for(fact.client_id).rights_soon_days:
            continue
        expired = days < 0
        if expired:
            when = f"expired on {fact.expires:%d %b %Y}"
            severity = Severity.CRITICAL if fact.live else Severity.LOW
        else:
            left = "today is the last day" if days == 0 else f"in {_days(days)}"
            when = f"expire on {fact.expires:%d %b %Y} ({left})"
            severity = Severity.HIGH if fact.live else Severity.LOW
        live = "; it is still trafficked to a live placement" if fact.live else ""
        items.append(
            Item(
                Kind.RIGHTS_EXPIRING,
                severity,
                fact.client_id,
                f"{fact.asset}: {fact.label} {when}{live}.",
                fact.expires,
                ("right", fact.right_id),
                fact.url,
                fact.owner_id,
                f"{'expired' if expired else 'expires'} {fact.expires.isoformat()}"
                f"{' live' if fact.live else ''}",
            )
        )
    return items


# --- budgets ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetFact:
    budget_id: int
    client_id: int
    label: str  # "NWND-AR26"
    budget: Decimal
    planned: Decimal
    booked: Decimal
    actual: Decimal
    currency: str
    owner_id: int | None
    url: str


def budget_items(facts: Iterable[BudgetFact], thresholds_for: ThresholdsFor) -> list[Item]:
    """One item per budget, for the furthest stage over it (actual, then booked, then planned).

    The situation is the stage and the budget, not the running amount: a dismissed overrun does
    not come back with every day's spend, but does when it reaches a further stage or the budget
    is changed.
    """
    items = []
    for fact in facts:
        limit = fact.budget * (_ONE + thresholds_for(fact.client_id).budget_overrun_tolerance)
        stages = (
            ("actual spend", fact.actual, Severity.CRITICAL),
            ("booked", fact.booked, Severity.HIGH),
            ("planned", fact.planned, Severity.MEDIUM),
        )
        for stage, amount, severity in stages:
            if amount > limit:
                over = _money(amount - fact.budget, fact.currency)
                items.append(
                    Item(
                        Kind.BUDGET_OVERRUN,
                        severity,
                        fact.client_id,
                        f"{fact.label}: {stage} {_money(amount, fact.currency)} is {over} over "
                        f"the budget of {_money(fact.budget, fact.currency)}.",
                        None,
                        ("budget", fact.budget_id),
                        fact.url,
                        fact.owner_id,
                        f"{stage} over {fact.budget} {fact.currency}",
                    )
                )
                break
    return items


# --- tasks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskFact:
    task_id: int  # an open task
    client_id: int
    title: str
    due: date
    owner_id: int | None
    url: str


def task_items(facts: Iterable[TaskFact], today: date) -> list[Item]:
    items = []
    for fact in facts:
        if fact.due > today:
            continue
        overdue = fact.due < today
        when = f"is {_days((today - fact.due).days)} overdue" if overdue else "is due today"
        items.append(
            Item(
                Kind.TASK_DUE,
                Severity.HIGH if overdue else Severity.MEDIUM,
                fact.client_id,
                f"Task “{fact.title}” {when}.",
                fact.due,
                ("task", fact.task_id),
                fact.url,
                fact.owner_id,
                f"{'overdue' if overdue else 'due'} {fact.due.isoformat()}",
            )
        )
    return items


# --- the list -----------------------------------------------------------------------------------


def rank(items: Iterable[Item]) -> list[Item]:
    """Most severe first, then the earliest due date (undated last), then by title."""
    return sorted(
        items,
        key=lambda item: (
            item.severity.rank,
            item.due is None,
            item.due or date.min,
            item.title,
            item.key,
        ),
    )


@dataclass(frozen=True, slots=True)
class Silence:
    key: str
    fingerprint: str  # the item's fingerprint when it was silenced
    until: date | None  # snoozed until this day (exclusive)
    dismissed: bool


def _silenced(item: Item, silence: Silence, today: date) -> bool:
    if silence.key != item.key or silence.fingerprint != item.fingerprint:
        return False
    return silence.dismissed or (silence.until is not None and today < silence.until)


def visible(items: Iterable[Item], silences: Iterable[Silence], today: date) -> list[Item]:
    """The items not dismissed or snoozed in their current situation, in rank order."""
    by_key: dict[str, list[Silence]] = {}
    for silence in silences:
        by_key.setdefault(silence.key, []).append(silence)
    return rank(
        item
        for item in items
        if not any(_silenced(item, silence, today) for silence in by_key.get(item.key, ()))
    )


def counts(items: Iterable[Item]) -> dict[Kind, int]:
    """Items per kind, every kind present (0 when none)."""
    tally = Counter(item.kind for item in items)
    return {kind: tally[kind] for kind in Kind}


def for_owner(items: Iterable[Item], owner_id: int) -> list[Item]:
    return [item for item in items if item.owner_id == owner_id]
