"""Rate cards and negotiated rates: which reference rate applies to a placement, and how far
the placement's own rate is from it.

A vendor publishes a **rate card**: a rate per format (unit), market, daypart and cost model,
valid for a period. A client may have **negotiated** its own rate with the vendor. For a
placement mediadesk picks the one reference rate that applies, then states the difference:

    Rate 14.00 EUR CPM is 2.00 EUR (16.7%) above the rate card (12.00 EUR).

Which rate applies (``reference_rate``):

- the format and the cost model must be the placement's; the market must be the placement's, or
  blank on the rate ("all markets"); the daypart must be blank ("all dayparts") or named by the
  placement (its property, targeting or name text says "prime time");
- the rate must be valid on the placement's first day (``valid_from`` ≤ start ≤ ``valid_to``);
- text matches whatever the case and the spaces ("300 x 250" is "300x250", "Prime Time" is
  "primetime");
- of the rates that match, the most fitting wins, in this order: a rate in the placement's own
  currency (only that one can be compared), a client's negotiated rate over the card, an exact
  market over "all markets", a named daypart over "all dayparts", then the newest
  (latest ``valid_from``). Rates that still tie keep the order they were given in.

Money stays Decimal; only the sentence rounds (the currency's minor units, at least as many
places as the rate needs up to four: a CPCV of 0.045 is shown as 0.045, not 0.05).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from mediadesk.domain.costmodels import COST_MODEL_LABELS, CostModel
from mediadesk.domain.money import CURRENCY_MINOR_UNITS

_HUNDRED = Decimal(100)
_PERCENT_PLACES = Decimal("0.1")
_MAX_RATE_PLACES = 4
_WORD = re.compile(r"\w+")


def match_key(text: str) -> str:
    """How format, market and cost model text is compared: no case, no spaces."""
    return "".join(text.split()).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def names_daypart(text: str, daypart: str) -> bool:
    """Whether ``text`` (a placement's property, targeting or name) names ``daypart``.

    Whole words only, whatever the case and the spaces or hyphens between them: "ProSieben
    prime time" and "Prime-time package" name "Prime time" (and "primetime"); "Holiday" does
    not name "day".
    """
    wanted = "".join(_words(daypart))
    if not wanted:
        return False
    words = _words(text)
    for first in range(len(words)):
        joined = ""
        for word in words[first:]:
            joined += word
            if joined == wanted:
                return True
            if len(joined) >= len(wanted) or not wanted.startswith(joined):
                break
    return False


@dataclass(frozen=True, slots=True)
class Rate:
    """One reference rate, vendor-independent: a rate card line or a client's negotiated rate.

    ``market`` and ``daypart`` blank mean all markets and all dayparts; ``valid_to`` None means
    open-ended. ``label`` names where the rate comes from for people ("Rate card 2027");
    ``key`` is the caller's handle on it (a database id), carried through untouched.
    """

    format: str
    market: str
    cost_model: str
    rate: Decimal
    currency: str
    valid_from: date
    valid_to: date | None = None
    daypart: str = ""
    negotiated: bool = False
    label: str = ""
    key: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite():
            raise ValueError(f"A rate is a finite Decimal, not {self.rate!r}.")
        if self.rate < 0:
            raise ValueError(f"A rate cannot be negative ({self.rate}).")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(
                f"A rate cannot end ({self.valid_to.isoformat()}) before it starts "
                f"({self.valid_from.isoformat()})."
            )

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def kind(self) -> str:
        """What people call it in a sentence: "the negotiated rate" or "the rate card"."""
        return "the negotiated rate" if self.negotiated else "the rate card"


@dataclass(frozen=True, slots=True)
class PricedPlacement:
    """What of a placement the rate check reads. ``daypart_text`` is any text that may name a
    daypart (the property, targeting and name of the placement)."""

    format: str
    market: str
    cost_model: str
    currency: str
    start: date
    rate: Decimal
    daypart_text: str = ""


def applies(rate: Rate, placement: PricedPlacement) -> bool:
    """Whether ``rate`` is a reference for the placement at all (any currency)."""
    if match_key(rate.format) != match_key(placement.format) or not match_key(rate.format):
        return False
    if match_key(rate.cost_model) != match_key(placement.cost_model):
        return False
    if match_key(rate.market) and match_key(rate.market) != match_key(placement.market):
        return False
    if rate.daypart.strip() and not names_daypart(placement.daypart_text, rate.daypart):
        return False
    return rate.valid_on(placement.start)


def _fit(rate: Rate, placement: PricedPlacement) -> tuple[bool, bool, bool, bool, date]:
    """Higher is more fitting (the module docstring gives the order)."""
    return (
        rate.currency.strip().upper() == placement.currency.strip().upper(),
        rate.negotiated,
        bool(match_key(rate.market)),
        bool(rate.daypart.strip()),
        rate.valid_from,
    )


def reference_rate(rates: Iterable[Rate], placement: PricedPlacement) -> Rate | None:
    """The one rate the placement is compared with, or None when none applies."""
    best: Rate | None = None
    best_fit: tuple[bool, bool, bool, bool, date] | None = None
    for rate in rates:
        if not applies(rate, placement):
            continue
        fit = _fit(rate, placement)
        if best_fit is None or fit > best_fit:  # strictly better: earlier rates win ties
            best, best_fit = rate, fit
    return best


class Direction(StrEnum):
    ABOVE = "above"
    BELOW = "below"
    SAME = "same"
    NOT_COMPARED = "not_compared"


@dataclass(frozen=True, slots=True)
class RateDifference:
    """A placement's rate against its reference rate.

    ``amount`` is the placement's rate minus the reference (positive: priced above), exact;
    ``percent`` is that as a share of the reference, to one decimal (None when the reference is
    zero). Both are None when the currencies differ: nothing is converted here, and the
    sentence says why there is no comparison.
    """

    reference: Rate
    rate: Decimal
    currency: str
    cost_model: str
    amount: Decimal | None
    percent: Decimal | None
    direction: Direction
    sentence: str

    @property
    def compared(self) -> bool:
        return self.direction != Direction.NOT_COMPARED

    @property
    def off_card(self) -> bool:
        """Priced away from the reference (above or below)."""
        return self.direction in (Direction.ABOVE, Direction.BELOW)


def format_rate(value: Decimal, currency: str) -> str:
    """A rate for people: the currency's minor units, more places when the rate has them (up
    to four), thousands separated: 2,400.00 · 0.045 · 12.50."""
    places = CURRENCY_MINOR_UNITS.get(currency.strip().upper(), 2)
    exponent = value.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    places = max(places, min(needed, _MAX_RATE_PLACES))
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{shown:,.{places}f}"


def cost_model_label(cost_model: str) -> str:
    """CPM, CPCV, … as written; "per spot", "flat fee" in lower case inside a sentence."""
    try:
        label = COST_MODEL_LABELS[CostModel(cost_model.strip().lower())]
    except ValueError:
        return cost_model
    return label if label.isupper() else label.lower()


def rate_difference(placement: PricedPlacement, reference: Rate) -> RateDifference:
    """How far the placement's rate is from ``reference``, with a sentence that says so."""
    currency = placement.currency.strip().upper()
    ref_currency = reference.currency.strip().upper()
    model = cost_model_label(placement.cost_model)
    own = f"Rate {format_rate(placement.rate, currency)} {currency} {model}"
    ref_text = f"{format_rate(reference.rate, ref_currency)} {ref_currency}"
    if currency != ref_currency:
        return RateDifference(
            reference=reference,
            rate=placement.rate,
            currency=currency,
            cost_model=placement.cost_model,
            amount=None,
            percent=None,
            direction=Direction.NOT_COMPARED,
            sentence=(
                f"{own} is not compared with {reference.kind} ({ref_text}): the currencies "
                "differ and no rate is converted."
            ),
        )
    amount = placement.rate - reference.rate
    percent = (
        (amount * _HUNDRED / reference.rate).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP)
        if reference.rate
        else None
    )
    if amount == 0:
        direction = Direction.SAME
        sentence = f"{own} matches {reference.kind} ({ref_text})."
    else:
        direction = Direction.ABOVE if amount > 0 else Direction.BELOW
        share = f" ({abs(percent)}%)" if percent is not None else ""
        sentence = (
            f"{own} is {format_rate(abs(amount), currency)} {currency}{share} {direction.value} "
            f"{reference.kind} ({ref_text})."
        )
    return RateDifference(
        reference=reference,
        rate=placement.rate,
        currency=currency,
        cost_model=placement.cost_model,
        amount=amount,
        percent=percent,
        direction=direction,
        sentence=sentence,
    )


def check_rate(rates: Iterable[Rate], placement: PricedPlacement) -> RateDifference | None:
    """The placement's rate against the reference that applies; None when no rate applies."""
    reference = reference_rate(rates, placement)
    return None if reference is None else rate_difference(placement, reference)
