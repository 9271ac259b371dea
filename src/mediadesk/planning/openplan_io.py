"""A plan version as a Media Plan Open Data Standard v3.0 document, and back into placements.

The mapping itself is the pure core's (mediadesk.domain.openplan); this module only reads the
rows it needs and checks the result against the app's choices.
"""

from __future__ import annotations

from collections.abc import Sequence

from mediadesk.domain.openplan import OpenPlan, placement_values, to_open_plan
from mediadesk.planning.models import Placement, PlanVersion

# The placement fields a line item carries (position is the order of the line items).
LINE_FIELDS = [
    "code", "name", "channel", "vendor", "property_name", "market", "format", "spot_length",
    "targeting", "start", "end", "flighting", "weights", "cost_model", "rate", "quantity", "cost",
    "commission_percent", "net_cost", "fees", "currency", "universe", "kpi_targets",
    "material_deadline", "notes",
]  # fmt: skip


def document_id(version: PlanVersion) -> str:
    campaign = version.campaign
    return f"{campaign.client.code}/{campaign.code}/v{version.number}"


def export_open_plan(version: PlanVersion, placements: Sequence[Placement]) -> dict[str, object]:
    """The version with ``placements`` (already scoped by the caller) as a v3.0 document."""
    campaign = version.campaign
    client = campaign.client
    author = version.created_by
    meta: dict[str, object] = {
        "id": document_id(version),
        "name": f"{campaign.name} – plan version {version.number}",
        "created_by_name": (author.full_name or author.email) if author else "mediadesk",
        "created_at": version.created_at,
        "comments": version.note,
        "is_archived": campaign.is_archived,
        "custom_properties": {
            "mediadesk": {"plan_version": version.number, "status": version.status}
        },
    }
    if author is not None:
        meta["created_by_id"] = str(author.pk)
    if version.based_on_id is not None:
        based_on = PlanVersion.objects.select_related("campaign__client").get(
            pk=version.based_on_id
        )
        meta["parent_id"] = document_id(based_on)
    values: dict[str, object] = {
        "code": campaign.code,
        "name": campaign.name,
        "start": campaign.start,
        "end": campaign.end,
        "budget": campaign.budget,
        "currency": campaign.currency,
        "objective": ", ".join(campaign.objective_labels),
        "objectives": list(campaign.objectives),
        "kpi_targets": list(campaign.kpi_targets),
        "markets": list(campaign.markets),
        "status": campaign.status,
        "status_label": campaign.get_status_display(),
        "client_code": client.code,
        "client_name": client.name,
        "brand": campaign.brand.name if campaign.brand_id and campaign.brand else "",
        "organization": client.organization.name,
    }
    lines = [{name: getattr(p, name) for name in LINE_FIELDS} for p in placements]
    return to_open_plan(meta, values, lines)


def placement_values_from_open_plan(
    plan: OpenPlan,
) -> tuple[list[dict[str, object]], list[str]]:
    """Values for services.add_placement, one dict per line item, and every problem found.

    Each dict holds choice values (channel, cost_model, flighting), Decimals and dates, and two
    of rate, quantity and cost; amounts are in the document's campaign currency.
    """
    return placement_values(plan)
