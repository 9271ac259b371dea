"""A second agency (organization) with a vendor, for isolation tests."""

from __future__ import annotations

from dataclasses import dataclass

from mediadesk.accounts.models import Client, Organization, User
from mediadesk.vendors.models import Vendor, VendorContact


@dataclass
class OtherAgency:
    organization: Organization
    admin: User
    vendor: Vendor
    contact: VendorContact


def make_other_agency() -> OtherAgency:
    """A second organization with its own admin, client and a vendor named like a demo one."""
    org, _ = Organization.objects.get_or_create(slug="other", defaults={"name": "Other Agency"})
    admin = User.objects.filter(email="olga@other.test").first() or User.objects.create_user(
        "olga@other.test", "x", full_name="Olga Other", organization=org, is_org_admin=True
    )
    Client.objects.get_or_create(organization=org, code="OTHR", defaults={"name": "Other Co"})
    vendor, _ = Vendor.objects.get_or_create(
        organization=org, name="Meta", defaults={"kind": "platform", "notes": "Other's notes"}
    )
    contact, _ = VendorContact.objects.get_or_create(vendor=vendor, name="Secret Contact")
    return OtherAgency(org, admin, vendor, contact)
