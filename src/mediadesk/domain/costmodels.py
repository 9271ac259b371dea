"""Cost models: how a placement's rate, quantity and cost hang together.

A coordinator types two of the three numbers and mediadesk works out the third:

    CPM                       cost = quantity / 1000 × rate     (quantity counts impressions)
    every other model         cost = quantity × rate            (clicks, views, GRPs, spots, …)
    FLAT                      quantity = 1 and rate = cost      (a sponsorship, whatever runs)

Rounding is ROUND_HALF_UP, as vendors round on invoices, and only at these points:

- cost to the currency's minor units (``cost_places``: 2 for EUR, 0 for JPY);
- quantity to whole units (impressions, clicks, spots), except CPP, where the quantity is
  GRPs to 2 decimals; a given quantity finer than that is refused rather than rounded, because
  half a click is a typing mistake, not a rounding difference;
- a derived rate to 4 decimals (CPCV 0.0215 is a real rate).

The two numbers the coordinator gave are kept (a given cost only rounded to minor units), so a
derived quantity or rate may not multiply back to the cent: the budget is what gets booked.

Traditional media math (GRP = gross impressions / universe × 100) and agency commission (15%
taken on the gross: net = gross × 0.85) live here too, because they price the same placements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal


class CostModel(StrEnum):
    CPM = "cpm"
    CPC = "cpc"
    CPA = "cpa"
    CPL = "cpl"
    CPV = "cpv"
    CPCV = "cpcv"
    CPE = "cpe"
    CPP = "cpp"
    PER_SPOT = "per_spot"
    PER_INSERTION = "per_insertion"
    FLAT = "flat"


COST_MODEL_LABELS: dict[CostModel, str] = {
    CostModel.CPM: "CPM",
    CostModel.CPC: "CPC",
    CostModel.CPA: "CPA",
    CostModel.CPL: "CPL",
    CostModel.CPV: "CPV",
    CostModel.CPCV: "CPCV",
    CostModel.CPE: "CPE",
    CostModel.CPP: "CPP",
    CostModel.PER_SPOT: "Per spot",
    CostModel.PER_INSERTION: "Per insertion",
    CostModel.FLAT: "Flat fee",
}

# What the quantity of a placement counts under each model.
UNIT_LABELS: dict[CostModel, str] = {
    CostModel.CPM: "impressions",
    CostModel.CPC: "clicks",
    CostModel.CPA: "acquisitions",
    CostModel.CPL: "leads",
    CostModel.CPV: "views",
    CostModel.CPCV: "completed views",
    CostModel.CPE: "engagements",
    CostModel.CPP: "GRPs",
    CostModel.PER_SPOT: "spots",
    CostModel.PER_INSERTION: "insertions",
    CostModel.FLAT: "flat fee",
}

_RATE_PLACES = 4
_HUNDRED = Decimal(100)
# CPM prices a thousand impressions; every other model prices one unit.
_PER_THOUSAND = Decimal(1000)
_ONE = Decimal(1)


class PricingError(ValueError):
    """A rate, quantity, cost or universe that cannot price a placement.

    ``field`` says which input to put the message next to; ``commission`` is used by the
    gross/net helpers.
    """

    def __init__(
        self, field: Literal["rate", "quantity", "cost", "universe", "commission"], message: str
    ) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Pricing:
    rate: Decimal
    quantity: Decimal
    cost: Decimal


def price(
    model: CostModel,
    *,
    rate: Decimal | None = None,
    quantity: Decimal | None = None,
    cost: Decimal | None = None,
    cost_places: int = 2,
) -> Pricing:
    """The placement's rate, quantity and cost, from any two of them (see the module docstring).

    When all three are given they must agree: the cost must equal quantity × rate after
    rounding, else the error says what the cost should be.
    """
    model = CostModel(model)
    if rate is not None:
        _check_positive("rate", rate, "rate")
    if quantity is not None:
        quantity = _check_quantity(model, quantity)
    if cost is not None:
        cost = _check_cost(cost, cost_places)
    if model is CostModel.FLAT:
        return _price_flat(rate, quantity, cost, cost_places)

    if rate is not None and quantity is not None:
        derived_cost = _round(quantity * rate / _per(model), cost_places)
        if cost is not None and cost != derived_cost:
            raise PricingError(
                "cost",
                f"{_show(quantity)} {UNIT_LABELS[model]} at {_label(model)} {_show(rate)} cost "
                f"{_show(derived_cost)}, not {_show(cost)}; correct the cost or leave it blank "
                "to have it calculated.",
            )
        return Pricing(rate=rate, quantity=quantity, cost=derived_cost)
    if rate is not None and cost is not None:
        derived_quantity = _round(cost * _per(model) / rate, _quantity_places(model))
        if derived_quantity <= 0:
            raise PricingError(
                "quantity",
                f"A cost of {_show(cost)} at {_label(model)} {_show(rate)} buys no "
                f"{UNIT_LABELS[model]}; raise the cost or lower the rate.",
            )
        return Pricing(rate=rate, quantity=derived_quantity, cost=cost)
    if quantity is not None and cost is not None:
        derived_rate = _round(cost * _per(model) / quantity, _RATE_PLACES)
        if derived_rate <= 0:
            raise PricingError(
                "rate",
                f"A cost of {_show(cost)} for {_show(quantity)} {UNIT_LABELS[model]} gives a "
                f"{_label(model)} that rounds to 0.0000; check the cost and the quantity.",
            )
        return Pricing(rate=derived_rate, quantity=quantity, cost=cost)
    raise PricingError(_first_missing(rate, quantity), _GIVE_TWO)


_GIVE_TWO = "Give two of rate, quantity and cost; the third is calculated."


def impressions_from_grps(grps: Decimal, universe: Decimal) -> Decimal:
    """Gross impressions = GRPs / 100 × universe, in whole impressions.

    120 GRPs over a universe of 2,000,000 persons are 2,400,000 impressions.
    """
    _check_not_negative("quantity", grps, "GRPs")
    _check_universe(universe)
    return _round(grps / _HUNDRED * universe, 0)


def grps_from_impressions(impressions: Decimal, universe: Decimal) -> Decimal:
    """GRPs = gross impressions / universe × 100, to 2 decimals (how ratings are quoted)."""
    _check_not_negative("quantity", impressions, "impressions")
    _check_universe(universe)
    return _round(impressions / universe * _HUNDRED, 2)


def effective_cpm(cost: Decimal, impressions: Decimal) -> Decimal:
    """What a thousand impressions really cost, to compare a TV buy with a digital one.

    54,000.00 for 2,400,000 impressions is an effective CPM of 22.50.
    """
    _check_not_negative("cost", cost, "cost")
    _check_positive("quantity", impressions, "impressions")
    return _round(cost / impressions * _PER_THOUSAND, 2)


def net_from_gross(
    gross: Decimal, commission_percent: Decimal = Decimal("15"), places: int = 2
) -> Decimal:
    """Net = gross × (1 − commission): the agency keeps its commission out of the gross.

    Negative amounts (credits) are allowed: a credit note nets down the same way.
    """
    _check_commission(commission_percent)
    return _round(gross * (_HUNDRED - commission_percent) / _HUNDRED, places)


def gross_from_net(
    net: Decimal, commission_percent: Decimal = Decimal("15"), places: int = 2
) -> Decimal:
    """Gross = net / (1 − commission): net 10,000.00 grosses up to 11,764.71 at 15%."""
    _check_commission(commission_percent)
    return _round(net * _HUNDRED / (_HUNDRED - commission_percent), places)


def commission_as_markup_on_net(commission_percent: Decimal) -> Decimal:
    """The same commission as a mark-up on net, in percent: 15% on gross is 17.65% on net."""
    _check_commission(commission_percent)
    return _round(commission_percent * _HUNDRED / (_HUNDRED - commission_percent), 2)


def _price_flat(
    rate: Decimal | None, quantity: Decimal | None, cost: Decimal | None, cost_places: int
) -> Pricing:
    # A flat fee is one unit whose rate is the fee itself; delivery does not change it.
    if quantity is not None and quantity != _ONE:
        raise PricingError(
            "quantity",
            f"A flat fee is bought once; the quantity must be 1, not {_show(quantity)}.",
        )
    if cost is not None:
        fee = cost
    elif rate is not None:
        fee = _round(rate, cost_places)
    else:
        raise PricingError("cost", "Give the flat fee as the cost (or the rate).")
    if cost is not None and rate is not None and _round(rate, cost_places) != cost:
        raise PricingError(
            "cost",
            f"A flat fee's cost equals its rate: {_show(_round(rate, cost_places))}, "
            f"not {_show(cost)}; correct the cost or leave it blank.",
        )
    if fee <= 0:
        raise PricingError(
            "cost" if cost is not None else "rate",
            f"A flat fee of {_show(fee)} is not a price; give a fee above zero.",
        )
    return Pricing(rate=fee, quantity=_ONE, cost=fee)


def _check_positive(
    field: Literal["rate", "quantity", "cost", "universe"], value: Decimal, name: str
) -> None:
    _check_finite(field, value, name)
    if value <= 0:
        raise PricingError(field, f"The {name} must be above zero; {_show(value)} was given.")


def _check_not_negative(
    field: Literal["rate", "quantity", "cost", "universe"], value: Decimal, name: str
) -> None:
    _check_finite(field, value, name)
    if value < 0:
        raise PricingError(field, f"The {name} cannot be negative; {_show(value)} was given.")


def _check_finite(
    field: Literal["rate", "quantity", "cost", "universe"], value: Decimal, name: str
) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise PricingError(field, f"The {name} must be a number; {value!r} was given.")


def _check_quantity(model: CostModel, quantity: Decimal) -> Decimal:
    unit = UNIT_LABELS[model]
    _check_positive("quantity", quantity, f"quantity of {unit}")
    places = _quantity_places(model)
    rounded = _round(quantity, places)
    if rounded != quantity:
        counted = "in whole numbers" if places == 0 else f"to at most {places} decimals"
        raise PricingError(
            "quantity",
            f"{_show(quantity)} {unit}: {unit} are counted {counted}; correct the quantity.",
        )
    return rounded


def _check_cost(cost: Decimal, cost_places: int) -> Decimal:
    _check_not_negative("cost", cost, "cost")
    # Sub-cent costs come from spreadsheet formulas; the currency's minor unit is what is booked.
    return _round(cost, cost_places)


def _check_universe(universe: Decimal) -> None:
    _check_finite("universe", universe, "universe")
    if universe <= 0:
        raise PricingError(
            "universe",
            f"The universe (persons in the target audience) must be above zero; "
            f"{_show(universe)} was given.",
        )


def _check_commission(commission_percent: Decimal) -> None:
    if (
        not isinstance(commission_percent, Decimal)
        or not commission_percent.is_finite()
        or not 0 <= commission_percent < _HUNDRED
    ):
        raise PricingError(
            "commission",
            f"An agency commission is a percentage from 0 up to (not including) 100; "
            f"{commission_percent!s} was given.",
        )


def _per(model: CostModel) -> Decimal:
    return _PER_THOUSAND if model is CostModel.CPM else _ONE


def _quantity_places(model: CostModel) -> int:
    # GRPs are quoted to two decimals; everything else is counted in whole units.
    return 2 if model is CostModel.CPP else 0


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _first_missing(
    rate: Decimal | None, quantity: Decimal | None
) -> Literal["rate", "quantity", "cost"]:
    if rate is None:
        return "rate"
    if quantity is None:
        return "quantity"
    return "cost"


def _label(model: CostModel) -> str:
    return COST_MODEL_LABELS[model]


def _show(value: Decimal) -> str:
    """2400000 -> '2,400,000' and 12.50 -> '12.50': thousands separators, decimals as given."""
    return f"{value:,}"
