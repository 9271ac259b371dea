"""One filter for the campaign list page and the API (the same parameters mean the same)."""

from datetime import date

from django.db.models import Q
from ninja import Schema
from pydantic import Field

from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import CampaignQuerySet


class CampaignFilters(Schema):
    client: int | None = Field(None, description="Only this client's campaigns (client id).")
    brand: int | None = Field(None, description="Only this brand's campaigns (brand id).")
    status: CampaignStatus | None = Field(None, description="planning, booked, live, …")
    active_on: date | None = Field(None, description="Running on this day (start ≤ day ≤ end).")
    starts_from: date | None = Field(None, description="Starting on or after this day.")
    ends_by: date | None = Field(None, description="Ending on or before this day.")
    q: str | None = Field(None, max_length=200, description="Search name, code or markets.")
    archived: bool = Field(False, description="Show archived campaigns instead of current ones.")

    def apply(self, campaigns: CampaignQuerySet) -> CampaignQuerySet:
        campaigns = campaigns.filter(archived_at__isnull=not self.archived)
        if self.client is not None:
            campaigns = campaigns.filter(client_id=self.client)
        if self.brand is not None:
            campaigns = campaigns.filter(brand_id=self.brand)
        if self.status is not None:
            campaigns = campaigns.filter(status=self.status)
        if self.active_on is not None:
            campaigns = campaigns.filter(start__lte=self.active_on, end__gte=self.active_on)
        if self.starts_from is not None:
            campaigns = campaigns.filter(start__gte=self.starts_from)
        if self.ends_by is not None:
            campaigns = campaigns.filter(end__lte=self.ends_by)
        if self.q and self.q.strip():
            term = self.q.strip()
            campaigns = campaigns.filter(
                Q(name__icontains=term) | Q(code__icontains=term) | Q(markets__icontains=term)
            )
        return campaigns
