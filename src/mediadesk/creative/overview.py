"""A campaign's creative, placement by placement: the spec it points to, the assets made for it
and where they stand in review, what is trafficked, and the material deadline against all that.

One function, ``campaign_creative``, feeds the campaign's Creative tab, the material-deadline
list, the trafficking sheet and the API, in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from mediadesk.creative.choices import AssetStatus
from mediadesk.creative.models import Asset, Assignment
from mediadesk.creative.specs import all_specs, placement_spec_keys
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.domain.creative import DeadlineStatus, deadline_status
from mediadesk.domain.specs import Spec
from mediadesk.planning.models import Campaign, Placement


@dataclass
class PlacementCreative:
    placement: Placement
    spec_key: str
    spec: Spec | None
    spec_chosen: bool
    assets: list[Asset] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    deadline: DeadlineStatus | None = None

    @property
    def approved(self) -> list[Asset]:
        return [a for a in self.assets if a.status == AssetStatus.APPROVED]

    @property
    def in_review(self) -> list[Asset]:
        return [a for a in self.assets if a.status == AssetStatus.IN_REVIEW]


def campaign_creative(
    campaign: Campaign, today: date | None = None, assets: list[Asset] | None = None
) -> list[PlacementCreative]:
    """Every placement of the campaign's current plan with its creative (module docstring)."""
    today = today or timezone.localdate()
    placements = placements_for_delivery(campaign)
    spec_keys = placement_spec_keys(campaign, placements)
    from mediadesk.creative.models import PlacementSpec

    chosen = set(PlacementSpec.objects.filter(campaign=campaign).values_list("line_key", flat=True))
    library = all_specs(campaign.client.organization_id)
    if assets is None:
        assets = list(
            Asset.objects.filter(campaign=campaign, archived_at__isnull=True).select_related(
                "current_version"
            )
        )
    by_line: dict[str, list[Asset]] = defaultdict(list)
    for asset in assets:
        for key in asset.line_keys:
            by_line[key].append(asset)
    trafficked: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in (
        Assignment.objects.current()
        .filter(campaign=campaign, ends__gte=today)
        .select_related("version__asset", "placement")
    ):
        trafficked[assignment.line_key].append(assignment)
    rows = []
    for placement in placements:
        key = spec_keys.get(placement.line_key, "")
        row = PlacementCreative(
            placement=placement,
            spec_key=key,
            spec=library.get(key),
            spec_chosen=placement.line_key in chosen,
            assets=by_line.get(placement.line_key, []),
            assignments=trafficked.get(placement.line_key, []),
        )
        row.deadline = deadline_status(
            placement.material_deadline,
            today,
            approved=bool(row.approved),
            trafficked=bool(row.assignments),
            in_review=len(row.in_review),
            assets=len(row.assets),
            ends=placement.end,
        )
        rows.append(row)
    return rows
