"""Reference rates for placements: the vendor a placement names, that vendor's current rate
cards and the client's negotiated rates, loaded in a fixed number of queries for any number of
placements; ``mediadesk.domain.ratecards`` decides which rate applies and states the difference.

Rate cards and negotiated rates are internal commercial terms: a person who sees a plan only as
the client's reviewer gets no rate checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mediadesk.accounts.permissions import Action, can
from mediadesk.domain.ratecards import (
    Direction,
    PricedPlacement,
    Rate,
    RateDifference,
    check_rate,
    format_rate,
    match_key,
)
from mediadesk.planning.models import Placement
from mediadesk.vendors.models import (
    NegotiatedRate,
    RateCardLine,
    Vendor,
    can_read_vendors,
    vendors_named,
)


def priced(placement: Placement) -> PricedPlacement:
    """What the rate check reads of a placement; its property, targeting and name may name a
    daypart ("ProSieben prime time")."""
    return PricedPlacement(
        format=placement.format,
        market=placement.market,
        cost_model=placement.cost_model,
        currency=placement.currency,
        start=placement.start,
        rate=placement.rate,
        daypart_text=" ".join([placement.property_name, placement.targeting, placement.name]),
    )


def may_check_rates(user: Any, client_id: int) -> bool:
    """Rate cards are read by anyone who reads vendors; a client's reviewers see none."""
    return can_read_vendors(user) and can(user, Action.VIEW_ALL_CAMPAIGNS, client_id)


@dataclass(frozen=True)
class RateCheck:
    """A placement's rate against its reference: the vendor it names (None when no vendor of the
    directory has that name) and the difference (None when no rate applies)."""

    vendor: Vendor | None
    difference: RateDifference | None

    @property
    def label(self) -> str:
        """A short signed label for a table cell: "+16.7% vs card", "= negotiated"."""
        found = self.difference
        if found is None:
            return ""
        against = "negotiated" if found.reference.negotiated else "card"
        if found.direction == Direction.NOT_COMPARED:
            return f"{against} in {found.reference.currency}"
        if found.direction == Direction.SAME:
            return f"= {against}"
        if found.percent is None:
            sign = "+" if found.direction == Direction.ABOVE else "−"
            assert found.amount is not None
            return f"{sign}{format_rate(abs(found.amount), found.currency)} vs {against}"
        sign = "+" if found.direction == Direction.ABOVE else "−"
        return f"{sign}{abs(found.percent)}% vs {against}"


def rate_checks(
    user: Any, placements: Sequence[Placement], organization_id: int, client_id: int
) -> dict[int, RateCheck]:
    """Each placement's rate check by placement id: three queries for all of them (vendors,
    rate card lines, negotiated rates), none for a user who may not see rate cards."""
    if not placements or not may_check_rates(user, client_id):
        return {}
    vendors = vendors_named(organization_id, {placement.vendor for placement in placements})
    vendor_ids = {vendor.pk for vendor in vendors.values()}
    rates: dict[int, list[Rate]] = {vendor_id: [] for vendor_id in vendor_ids}
    lines = RateCardLine.objects.filter(
        rate_card__vendor_id__in=vendor_ids, rate_card__archived_at__isnull=True
    ).select_related("rate_card")
    for line in lines:
        rates[line.rate_card.vendor_id].append(line.as_rate())
    negotiated = (
        NegotiatedRate.objects.visible_to(user)
        .active()
        .filter(vendor_id__in=vendor_ids, client_id=client_id)
        .select_related("client")
    )
    for rate in negotiated:
        rates[rate.vendor_id].append(rate.as_rate())
    checks = {}
    for placement in placements:
        vendor = vendors.get(match_key(placement.vendor))
        difference = check_rate(rates[vendor.pk], priced(placement)) if vendor else None
        checks[placement.pk] = RateCheck(vendor, difference)
    return checks
