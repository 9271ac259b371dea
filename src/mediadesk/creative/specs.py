"""The spec library: the seeds of ``domain.specs`` plus each vendor's own specs, and the spec
each placement points to (chosen by hand, else suggested from its channel, vendor and format).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from mediadesk.creative.models import Asset, PlacementSpec, VendorSpec
from mediadesk.domain.creative import suggested_spec_key
from mediadesk.domain.specs import (
    SEED_SPECS,
    SEED_SPECS_BY_KEY,
    AssetKind,
    CopyLimit,
    Size,
    Spec,
)
from mediadesk.planning.models import Campaign, Placement

# The limits a vendor spec may set, and how each is read from its plain value.
_INTEGER_LIMITS = (
    "max_bytes",
    "max_initial_load_bytes",
    "max_subload_bytes",
    "max_initial_requests",
)
_DECIMAL_LIMITS = (
    "spot_length_seconds",
    "duration_tolerance_seconds",
    "min_duration_seconds",
    "max_duration_seconds",
    "max_loudness_lufs",
)


def spec_from_definition(key: str, name: str, definition: Mapping[str, Any]) -> Spec:
    """A vendor spec's saved values as a ``Spec``; ``ValueError`` says what is wrong."""
    try:
        kinds = frozenset(AssetKind(kind) for kind in definition.get("kinds", []))
    except ValueError as exc:
        known = ", ".join(kind.value for kind in AssetKind)
        raise ValueError(f"Spec {name}: unknown asset kind ({exc}); use {known}.") from exc
    values: dict[str, Any] = {}
    for field in _INTEGER_LIMITS:
        if definition.get(field) not in (None, ""):
            values[field] = _whole(definition[field], field, name)
    for field in _DECIMAL_LIMITS:
        if definition.get(field) not in (None, ""):
            values[field] = _decimal(definition[field], field, name)
    sizes = tuple(_size(text, name) for text in definition.get("sizes", []))
    limits = tuple(
        CopyLimit(
            field=str(limit["field"]),
            max_chars=limit.get("max_chars"),
            max_count=limit.get("max_count"),
        )
        for limit in definition.get("copy_limits", [])
    )
    return Spec(
        key=key,
        name=name,
        kinds=kinds,
        sizes=sizes,
        copy_limits=limits,
        source=str(definition.get("source", "")),
        **values,
    )


def _whole(value: Any, field: str, name: str) -> int:
    try:
        number = int(str(value))
    except ValueError as exc:
        raise ValueError(f"Spec {name}: {field} must be a whole number, not {value!r}.") from exc
    return number


def _decimal(value: Any, field: str, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"Spec {name}: {field} must be a number, not {value!r}.") from exc


def _size(text: Any, name: str) -> Size:
    width, _, height = str(text).lower().replace("×", "x").partition("x")
    try:
        return Size(int(width), int(height))
    except ValueError as exc:
        raise ValueError(f"Spec {name}: size {text!r} is not WIDTHxHEIGHT.") from exc


def organization_specs(organization_id: int | None) -> list[VendorSpec]:
    """The vendor specs of one organization (vendors, and their specs, are per organization);
    another agency's are never offered."""
    if organization_id is None:
        return []
    return list(
        VendorSpec.objects.filter(vendor__organization_id=organization_id).select_related("vendor")
    )


def vendor_specs(organization_id: int | None) -> dict[str, Spec]:
    return {
        row.key: spec_from_definition(row.key, row.name, row.definition)
        for row in organization_specs(organization_id)
    }


def all_specs(organization_id: int | None) -> dict[str, Spec]:
    """Every spec an organization may use, by key: the seeds, then its vendors' own."""
    return {**SEED_SPECS_BY_KEY, **vendor_specs(organization_id)}


def spec_choices(organization_id: int | None) -> list[tuple[str, str]]:
    seeds = [(spec.key, spec.name) for spec in SEED_SPECS]
    own = [
        (row.key, f"{row.name} ({row.vendor.name})") for row in organization_specs(organization_id)
    ]
    return seeds + own


def placement_spec_keys(campaign: Campaign, placements: Iterable[Placement]) -> dict[str, str]:
    """The spec key of each placement (by line key): the one chosen, else the suggested one."""
    chosen = dict(
        PlacementSpec.objects.filter(campaign=campaign).values_list("line_key", "spec_key")
    )
    keys: dict[str, str] = {}
    for placement in placements:
        key = chosen.get(placement.line_key) or suggested_spec_key(
            placement.channel, placement.vendor, placement.format, placement.spot_length
        )
        if key:
            keys[placement.line_key] = key
    return keys


def size_spec(width: int | None, height: int | None) -> Spec | None:
    """The IAB seed spec of exactly this size: a display file checks against its own size's
    limits when no placement says otherwise."""
    if width is None or height is None:
        return None
    return SEED_SPECS_BY_KEY.get(f"iab-{width}x{height}")


def specs_for(asset: Asset, width: int | None, height: int | None) -> list[Spec]:
    """What a version of this asset is checked against: its placements' specs and its own
    spec keys; failing both, the IAB spec of its size."""
    from mediadesk.delivery.services import placements_for_delivery

    library = all_specs(asset.client.organization_id)
    keys: list[str] = list(asset.spec_keys)
    if asset.campaign_id and asset.line_keys:
        placements = [
            p
            for p in placements_for_delivery(asset.campaign)  # type: ignore[arg-type]
            if p.line_key in set(asset.line_keys)
        ]
        keys += list(placement_spec_keys(asset.campaign, placements).values())  # type: ignore[arg-type]
    specs = [library[key] for key in dict.fromkeys(keys) if key in library]
    if not specs and (own := size_spec(width, height)) is not None:
        specs.append(own)
    return specs
