"""One filter for the vendor list page and the API (the same parameters mean the same)."""

from django.db.models import Q
from ninja import Schema
from pydantic import Field

from mediadesk.vendors.choices import VendorKind
from mediadesk.vendors.models import VendorQuerySet


class VendorFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Search the name or website.")
    kind: VendorKind | None = Field(None, description="publisher, broadcaster, platform, …")
    archived: bool = Field(False, description="Show archived vendors instead of current ones.")

    def apply(self, vendors: VendorQuerySet) -> VendorQuerySet:
        vendors = vendors.filter(archived_at__isnull=not self.archived)
        if self.kind is not None:
            vendors = vendors.filter(kind=self.kind)
        if self.q and self.q.strip():
            term = self.q.strip()
            vendors = vendors.filter(Q(name__icontains=term) | Q(website__icontains=term))
        return vendors
