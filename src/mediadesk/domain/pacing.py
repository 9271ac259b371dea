"""Pacing: is a placement delivering as planned so far, and where will it end?

For each placement line on a given day (``as_of``, counted to the end of that day):

- **expected to date** — the part of the planned total that the planned weekly distribution
  puts on or before ``as_of``. The flight is spread with ``flighting.spread`` (the same slices
  the flowchart shows, weekly weights keyed by Monday, 0 for a dark week); slices that ended on
  or before ``as_of`` count whole, the slice containing ``as_of`` counts by the share of its
  days elapsed (inside a week every day weighs the same). Before the start nothing is expected;
  from the last day on, everything is.
- **pacing index** — delivered ÷ expected, to 2 decimals (half even); none while nothing is
  expected yet.
- **projection** — the rest of the flight delivers at the pace so far, following the planned
  weekly weights: ``projected = delivered × planned ÷ expected``. A line at index 0.84 ends at
  84% of plan. On a continuous flight this is the flight-to-date daily rate × the flight's
  days: 12,600.00 delivered in 15 of 31 days against 31,000.00 is 840.00 a day, 26,040.00 at
  the end. Projected spend scales the spend reported so far the same way
  (``delivered_spend × planned ÷ expected``), so a CPM buy's spend follows its impressions.
  Once the flight has ended nothing more runs: the projection is what was delivered.
- **status** — on track while the index is within the thresholds (default ±10%, configurable
  per client), under or over outside them; not started while nothing is expected yet; nothing
  planned for a line whose plan is zero. The status is judged on the index as shown (2
  decimals), so the number and the word never disagree: 0.90 and 1.10 are on track at ±10%.

What a line paces on follows how it was bought (``pacing_metric``): spend for auction buys
(CPC, CPA, …, and CPM on search and social), impressions for guaranteed CPM buys, GRPs for TV
bought on CPP, spots for radio and TV bought per spot, the fee for flat fees and insertions.

Arithmetic keeps full Decimal precision; only the figures handed out are rounded (half even):
2 decimals for spend, fee and GRPs, whole units for impressions and spots — or the plan's own
decimals when it has more (a 3-decimal currency), so a rounded figure never drops what was
planned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum

from mediadesk.domain.costmodels import CostModel
from mediadesk.domain.flighting import FlightingError, Slice, spread

_ZERO = Decimal(0)
_ONE = Decimal(1)
_INDEX_STEP = Decimal("0.01")
_MONEY_PLACES = 2
# Enough digits that delivered × planned ÷ expected never rounds before the presentation rounding
# (amounts have at most ~16 digits, a partial slice adds a division by at most 7 days).
_PRECISION = 60


class PacingError(ValueError):
    """A line, threshold or cost model that cannot be paced (the message says which and why)."""


class PacingMetric(StrEnum):
    SPEND = "spend"
    IMPRESSIONS = "impressions"
    GRPS = "grps"
    SPOTS = "spots"
    FEE = "fee"


class PacingStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    UNDER = "under"
    OVER = "over"
    NO_PLAN = "no_plan"


METRIC_LABELS: dict[PacingMetric, str] = {
    PacingMetric.SPEND: "Spend",
    PacingMetric.IMPRESSIONS: "Impressions",
    PacingMetric.GRPS: "GRPs",
    PacingMetric.SPOTS: "Spots",
    PacingMetric.FEE: "Fee",
}

STATUS_LABELS: dict[PacingStatus, str] = {
    PacingStatus.NOT_STARTED: "Not started",
    PacingStatus.ON_TRACK: "On track",
    PacingStatus.UNDER: "Under",
    PacingStatus.OVER: "Over",
    PacingStatus.NO_PLAN: "Nothing planned",
}

# Decimals a metric is shown with: money and GRPs in hundredths, impressions and spots whole.
_METRIC_PLACES: dict[PacingMetric, int] = {
    PacingMetric.SPEND: 2,
    PacingMetric.IMPRESSIONS: 0,
    PacingMetric.GRPS: 2,
    PacingMetric.SPOTS: 0,
    PacingMetric.FEE: 2,
}

# CPM on these channels is an auction (a bid, not an order of impressions).
_AUCTION_CHANNELS = frozenset({"search", "social"})

_METRIC_BY_MODEL: dict[CostModel, PacingMetric] = {
    CostModel.CPP: PacingMetric.GRPS,
    CostModel.PER_SPOT: PacingMetric.SPOTS,
    CostModel.FLAT: PacingMetric.FEE,
    CostModel.PER_INSERTION: PacingMetric.FEE,
}


def pacing_metric(cost_model: str, channel: str) -> PacingMetric:
    """What a line paces on, following how it was bought.

    - CPP (TV bought on rating points) paces on GRPs: the GRPs are what was ordered.
    - Per spot (radio, and TV sold by the spot) paces on spots aired.
    - Flat fees (sponsorships) and per-insertion buys (print) pace on the fee: there is no
      delivery curve to pace on, only the money.
    - CPM on a channel bought as guaranteed impressions (display, online video, CTV/OTT,
      streaming audio, podcast, DOOH, cinema, … anything but search and social) paces on
      impressions: the vendor owes the ordered impressions, and the spend merely follows them.
    - CPM on search and social, and every performance model (CPC, CPA, CPL, CPV, CPCV, CPE),
      paces on spend: these are auction buys with a budget, not an ordered quantity; clicks or
      leads bought at auction arrive at whatever rate the auction clears, so the budget is the
      only plan the platform is held to.
    """
    try:
        model = CostModel(cost_model)
    except ValueError:
        known = ", ".join(known_model.value for known_model in CostModel)
        raise PacingError(f"{cost_model!r} is not a cost model; use one of {known}.") from None
    if model in _METRIC_BY_MODEL:
        return _METRIC_BY_MODEL[model]
    if model is CostModel.CPM and channel not in _AUCTION_CHANNELS:
        return PacingMetric.IMPRESSIONS
    return PacingMetric.SPEND


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How far the index may stray from 1 before a line is under or over (0.10 = ±10%)."""

    under: Decimal = Decimal("0.10")
    over: Decimal = Decimal("0.10")

    def __post_init__(self) -> None:
        # An under threshold of 1 or more would never flag anything: an index cannot go below 0.
        if not self.under.is_finite() or not _ZERO <= self.under < _ONE:
            raise PacingError(
                f"The under threshold is {self.under}; give a share from 0 up to (not "
                "including) 1, such as 0.10 for 10%."
            )
        if not self.over.is_finite() or self.over < _ZERO:
            raise PacingError(
                f"The over threshold is {self.over}; give a share of 0 or more, such as 0.10 "
                "for 10%."
            )


@dataclass(frozen=True, slots=True)
class PlannedLine:
    key: str  # the placement's line key
    metric: PacingMetric
    start: date
    end: date
    planned: Decimal  # the metric's total over the flight (cost for SPEND/FEE, else quantity)
    planned_cost: Decimal  # the line's cost (for projected spend)
    weights: Mapping[date, Decimal] | None = None  # weekly weights by Monday; None = continuous

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PacingError(
                f"Line {self.key}: the flight ends on {self.end.isoformat()}, before it starts "
                f"on {self.start.isoformat()}."
            )
        if not self.planned.is_finite() or self.planned < _ZERO:
            raise PacingError(
                f"Line {self.key}: the planned {self.metric.value} is {self.planned}; it must "
                "be zero or more."
            )
        if not self.planned_cost.is_finite():
            raise PacingError(
                f"Line {self.key}: the planned cost {self.planned_cost} is not a number."
            )


@dataclass(frozen=True, slots=True)
class Pacing:
    key: str
    metric: PacingMetric
    as_of: date
    planned: Decimal
    expected: Decimal
    delivered: Decimal
    index: Decimal | None  # delivered / expected, 2 decimals; None when expected is 0
    projected: Decimal | None  # end-of-flight delivery of the metric
    projected_spend: Decimal | None
    variance: Decimal | None  # projected - planned
    status: PacingStatus
    days_elapsed: int
    days_total: int


def expected_to_date(line: PlannedLine, as_of: date) -> Decimal:
    """What the plan expects delivered by the end of `as_of`, rounded as the metric is shown."""
    return _round(_expected_exact(line, as_of), metric_places(line))


def pace(
    line: PlannedLine,
    delivered: Decimal,
    delivered_spend: Decimal,
    as_of: date,
    thresholds: Thresholds = Thresholds(),  # frozen, so one shared default is safe
) -> Pacing:
    """The line's pacing at the end of `as_of`, from what it delivered and spent so far."""
    _check_delivery(line.key, "delivered", delivered)
    _check_delivery(line.key, "delivered spend", delivered_spend)
    places = metric_places(line)
    expected = _expected_exact(line, as_of)
    index = _index(delivered, expected)
    projected, projected_spend = _projections(line, delivered, delivered_spend, expected, as_of)
    shown_projected = None if projected is None else _round(projected, places)
    days_total = (line.end - line.start).days + 1
    return Pacing(
        key=line.key,
        metric=line.metric,
        as_of=as_of,
        planned=line.planned,
        expected=_round(expected, places),
        delivered=delivered,
        index=index,
        projected=shown_projected,
        projected_spend=(
            None if projected_spend is None else _round(projected_spend, _money_places(line))
        ),
        # From the rounded projection, so that the figures shown add up.
        variance=None if shown_projected is None else shown_projected - line.planned,
        status=_status(line, as_of, index, thresholds),
        days_elapsed=min(max((as_of - line.start).days + 1, 0), days_total),
        days_total=days_total,
    )


def pace_lines(
    lines: Iterable[PlannedLine],
    delivered: Mapping[str, Decimal],
    delivered_spend: Mapping[str, Decimal],
    as_of: date,
    thresholds: Thresholds = Thresholds(),  # frozen, so one shared default is safe
) -> list[Pacing]:
    """Every line paced, in the order given; a line without delivery has delivered nothing."""
    return [
        pace(
            line,
            delivered.get(line.key, _ZERO),
            delivered_spend.get(line.key, _ZERO),
            as_of,
            thresholds,
        )
        for line in lines
    ]


def sort_by_distance(pacings: Iterable[Pacing]) -> list[Pacing]:
    """Most off plan first (largest |index − 1|); lines without an index last, in given order."""

    def distance(pacing: Pacing) -> tuple[int, Decimal]:
        if pacing.index is None:
            return (1, _ZERO)
        return (0, -abs(pacing.index - _ONE))

    # sorted is stable: equally distant lines keep the caller's order.
    return sorted(pacings, key=distance)


def _expected_exact(line: PlannedLine, as_of: date) -> Decimal:
    """Expected to date at full precision (the index and projection divide by it)."""
    # Spread even outside the flight, so that bad weights are refused whatever the date.
    slices = _slices(line)
    if as_of < line.start:
        return _ZERO
    if as_of >= line.end:
        return line.planned
    expected = _ZERO
    first = line.start
    with localcontext() as context:
        context.prec = _PRECISION
        for piece in slices:
            elapsed = (as_of - first).days + 1
            if elapsed >= piece.days:
                expected += piece.amount
            else:
                # The slice containing as_of; slices are contiguous, so the rest lie ahead.
                expected += piece.amount * elapsed / piece.days
                break
            first += timedelta(days=piece.days)
    return expected


def _slices(line: PlannedLine) -> list[Slice]:
    try:
        return spread(
            line.planned, line.start, line.end, weights=line.weights, places=metric_places(line)
        )
    except FlightingError as error:
        raise PacingError(f"Line {line.key}: {error}") from error


def _index(delivered: Decimal, expected: Decimal) -> Decimal | None:
    if expected == 0:
        return None
    with localcontext() as context:
        context.prec = _PRECISION
        return (delivered / expected).quantize(_INDEX_STEP, rounding=ROUND_HALF_EVEN)


def _projections(
    line: PlannedLine,
    delivered: Decimal,
    delivered_spend: Decimal,
    expected: Decimal,
    as_of: date,
) -> tuple[Decimal | None, Decimal | None]:
    """End-of-flight delivery and spend, exact: (None, None) while nothing is expected."""
    if as_of >= line.end:
        return delivered, delivered_spend  # the flight is over: nothing more will run
    if expected == 0:
        return None, None  # no pace to extrapolate from yet
    with localcontext() as context:
        context.prec = _PRECISION
        # Multiply before dividing so that exact cases (the worked example) stay exact.
        return delivered * line.planned / expected, delivered_spend * line.planned / expected


def _status(
    line: PlannedLine, as_of: date, index: Decimal | None, thresholds: Thresholds
) -> PacingStatus:
    if index is None:
        # A zero plan also expects zero: say why there is no index, not merely that there is none.
        if line.planned == 0:
            return PacingStatus.NO_PLAN
        return PacingStatus.NOT_STARTED
    if index < _ONE - thresholds.under:
        return PacingStatus.UNDER
    if index > _ONE + thresholds.over:
        return PacingStatus.OVER
    return PacingStatus.ON_TRACK


def metric_places(line: PlannedLine) -> int:
    # Never fewer decimals than the plan itself has (a 3-decimal currency): spread refuses a
    # total finer than its places, and a rounded "expected at the end" must equal the plan.
    return max(_METRIC_PLACES[line.metric], _decimals(line.planned))


def _money_places(line: PlannedLine) -> int:
    return max(_MONEY_PLACES, _decimals(line.planned_cost))


def _decimals(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    # Only NaN and infinities have a letter for an exponent, and lines refuse those.
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _round(amount: Decimal, places: int) -> Decimal:
    with localcontext() as context:
        context.prec = _PRECISION  # quantize refuses a result longer than the precision
        return amount.quantize(_ONE.scaleb(-places), rounding=ROUND_HALF_EVEN)


def _check_delivery(key: str, what: str, amount: Decimal) -> None:
    if not amount.is_finite():
        raise PacingError(f"Line {key}: the {what} figure {amount} is not a number.")


def known_index(line: PlannedLine, delivered: Decimal, as_of: date) -> Decimal | None:
    """The pacing index ``pace`` gives the line on ``as_of``, when a bound settles
    it without spreading the flight; None when it does not (then ``pace`` it).

    Only for a continuous flight running on ``as_of``. Its slices share the plan by days, each
    rounded by less than one unit of the metric (a cent, an impression), so what is
    expected by ``as_of`` is the plan's share of the days elapsed, give or take one unit per
    slice before ``as_of`` and one for the slice containing it; a flight has at most two slices
    a week (a week is cut where a month ends). From the last day on, everything is expected.
    When the indexes at both ends of those bounds show the same, so does the real one.
    """
    if line.weights is not None or line.planned <= 0 or not line.start <= as_of:
        return None
    if line.end < line.start or not delivered.is_finite():
        return None  # let pace say what is wrong
    with localcontext() as context:
        context.prec = 60
        if as_of >= line.end:
            low = high = delivered / line.planned  # exactly what pace divides
        else:
            days = (line.end - line.start).days + 1
            expected = line.planned * ((as_of - line.start).days + 1) / days
            unit = Decimal(1).scaleb(-metric_places(line))  # what pace rounds each slice to
            error = (2 * (days // 7 + 2) + 1) * unit
            if expected - error <= 0:
                return None
            low, high = delivered / (expected + error), delivered / (expected - error)
        first = low.quantize(_INDEX_STEP, rounding=ROUND_HALF_EVEN)
        last = high.quantize(_INDEX_STEP, rounding=ROUND_HALF_EVEN)
    return first if first == last else None
