"""A second agency (organization) with a vendor, for isolation tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mediadesk.accounts.models import Client, Organization, User
from mediadesk.vendors.models import (
    NegotiatedRate,
    RateCard,
    RateCardLine,
    Vendor,
    VendorContact,
    VendorDocument,
)


@dataclass
class OtherAgency:
    organization: Organization
    admin: User
    client: Client
    vendor: Vendor
    contact: VendorContact
    rate_card: RateCard
    line: RateCardLine
    negotiated_rate: NegotiatedRate
    document: VendorDocument


def make_other_agency() -> OtherAgency:
    """A second organization with its own admin, client and a vendor named like a demo one, with
    a rate card, a negotiated rate and a document (its file is never read: nobody else may)."""
    org, _ = Organization.objects.get_or_create(slug="other", defaults={"name": "Other Agency"})
    admin = User.objects.filter(email="olga@other.test").first() or User.objects.create_user(
        "olga@other.test", "x", full_name="Olga Other", organization=org, is_org_admin=True
    )
    client, _ = Client.objects.get_or_create(
        organization=org, code="OTHR", defaults={"name": "Other Co"}
    )
    vendor, _ = Vendor.objects.get_or_create(
        organization=org, name="Meta", defaults={"kind": "platform", "notes": "Other's notes"}
    )
    contact, _ = VendorContact.objects.get_or_create(vendor=vendor, name="Secret Contact")
    card, _ = RateCard.objects.get_or_create(
        vendor=vendor, name="Other's secret card",
        defaults={"currency": "USD", "valid_from": date(2026, 1, 1)},
    )  # fmt: skip
    line, _ = RateCardLine.objects.get_or_create(
        rate_card=card, format="video", market="US", cost_model="cpm",
        defaults={"rate": Decimal("3.33")},
    )  # fmt: skip
    negotiated, _ = NegotiatedRate.objects.get_or_create(
        vendor=vendor, client=client, format="video", market="US", cost_model="cpm",
        defaults={"rate": Decimal("2.22"), "currency": "USD", "valid_from": date(2026, 1, 1),
                  "notes": "Other's secret deal"},
    )  # fmt: skip
    document, _ = VendorDocument.objects.get_or_create(
        vendor=vendor, filename="others-contract.pdf",
        defaults={"kind": "contract", "file": "vendors/documents/never-read.pdf",
                  "content_type": "application/pdf", "sha256": "0" * 64, "uploaded_by": admin},
    )  # fmt: skip
    return OtherAgency(org, admin, client, vendor, contact, card, line, negotiated, document)
