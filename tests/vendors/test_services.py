"""Vendor services: one function per change, each with its permission check and audit event."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from mediadesk.audit.models import AuditEvent
from mediadesk.errors import Conflict
from mediadesk.vendors import services
from mediadesk.vendors.models import Vendor, VendorContact


def test_create_records_every_field(demo: Any) -> None:
    vendor = services.create_vendor(
        demo.ben, {"name": "Acast", "kind": "platform", "payment_terms": "net_45"}
    )
    assert vendor.organization_id == demo.ben.organization_id
    assert vendor.currency == "EUR" and vendor.created_by == demo.ben
    event = AuditEvent.objects.for_object(vendor).get()
    assert event.action == "created" and event.actor == demo.ben and event.client_id is None
    assert event.changes["name"] == [None, "Acast"]
    assert event.changes["payment_terms"] == [None, "net_45"]


def test_duplicate_name_is_refused_naming_the_other_vendor(demo: Any) -> None:
    meta = Vendor.objects.get(organization=demo.alice.organization, name="Meta")
    before = Vendor.objects.count()
    with pytest.raises(services.DuplicateVendor) as caught:
        services.create_vendor(demo.ben, {"name": "  meta ", "kind": "platform"})
    assert caught.value.existing == meta
    assert "“Meta”" in str(caught.value) and f"id {meta.pk}" in str(caught.value)
    assert isinstance(caught.value, Conflict)
    assert Vendor.objects.count() == before
    spotify = Vendor.objects.get(name="Spotify")
    with pytest.raises(services.DuplicateVendor):
        services.update_vendor(demo.ben, spotify, {"name": "META"})


def test_the_same_name_is_fine_in_another_organization(demo: Any, other_agency: Any) -> None:
    assert other_agency.vendor.name == "Meta"
    vendor = services.create_vendor(other_agency.admin, {"name": "Spotify"})
    assert vendor.organization == other_agency.organization


def test_invalid_values_name_the_field(demo: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_vendor(demo.ben, {"name": "", "kind": "pirate", "website": "not a url"})
    assert {"name", "kind", "website"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as unknown:
        services.create_vendor(demo.ben, {"name": "X", "organization": 5})
    assert "organization" in unknown.value.message_dict


def test_update_records_before_and_after_with_the_reason(demo: Any) -> None:
    vendor = Vendor.objects.get(name="Ströer")
    services.update_vendor(
        demo.cara, vendor, {"payment_terms": "net_60", "tax_id": "DE-TEST"}, reason="New contract"
    )
    vendor.refresh_from_db()
    assert vendor.payment_terms == "net_60"
    event = AuditEvent.objects.for_object(vendor).first()
    assert event is not None and event.action == "updated" and event.actor == demo.cara
    assert event.changes == {"payment_terms": ["net_45", "net_60"], "tax_id": ["", "DE-TEST"]}
    assert event.reason == "New contract"
    count = AuditEvent.objects.count()
    services.update_vendor(demo.cara, vendor, {"payment_terms": "net_60"})
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded


def test_archive_and_restore(demo: Any) -> None:
    vendor = Vendor.objects.get(name="Joyn")
    services.archive_vendor(demo.ben, vendor, "No longer booked")
    assert vendor.is_archived
    assert not Vendor.objects.active().filter(pk=vendor.pk).exists()
    with pytest.raises(Conflict):
        services.archive_vendor(demo.ben, vendor)
    with pytest.raises(Conflict):
        services.update_vendor(demo.ben, vendor, {"notes": "x"})
    with pytest.raises(Conflict):
        services.add_contact(demo.ben, vendor, {"name": "Late Person"})
    services.restore_vendor(demo.ben, vendor)
    assert not vendor.is_archived
    actions = list(AuditEvent.objects.for_object(vendor).values_list("action", flat=True))
    assert actions[:2] == ["restored", "archived"]


def test_contacts_are_added_and_removed_with_history(demo: Any) -> None:
    vendor = Vendor.objects.get(name="Joyn")
    contact = services.add_contact(
        demo.ben, vendor, {"name": "Eva Stein", "position": "Sales", "email": "eva@example.de"}
    )
    assert list(vendor.contacts.all()) == [contact]
    with pytest.raises(ValidationError) as caught:
        services.add_contact(demo.ben, vendor, {"name": "", "email": "nope"})
    assert {"name", "email"} <= set(caught.value.message_dict)
    services.remove_contact(demo.ben, contact, "Left the company")
    assert not VendorContact.objects.filter(pk=contact.pk).exists()
    removed, added = AuditEvent.objects.for_object(vendor)[:2]
    assert added.changes == {"contact added": [None, "Eva Stein (Sales) — eva@example.de"]}
    assert removed.changes["contact removed"][0].startswith("Eva Stein")
    assert removed.reason == "Left the company"


def test_who_may_manage_vendors(demo: Any, viewer: Any) -> None:
    assert services.can_manage_vendors(demo.alice)  # organization admin
    assert services.can_manage_vendors(demo.ben)  # coordinator
    assert services.can_manage_vendors(demo.cara)  # finance
    assert not services.can_manage_vendors(viewer)
    assert not services.can_manage_vendors(demo.dan)
    vendor = Vendor.objects.get(name="Joyn")
    with pytest.raises(PermissionDenied, match="coordinator, finance or admin"):
        services.create_vendor(viewer, {"name": "Nope"})
    with pytest.raises(PermissionDenied):
        services.update_vendor(viewer, vendor, {"notes": "x"})
    with pytest.raises(PermissionDenied):
        services.archive_vendor(viewer, vendor)


def test_visible_to_scopes_by_organization_and_role(
    demo: Any, viewer: Any, other_agency: Any
) -> None:
    own = set(Vendor.objects.filter(organization=demo.alice.organization))
    assert len(own) >= 10
    for user in (demo.alice, demo.ben, demo.cara, viewer):
        assert set(Vendor.objects.visible_to(user)) == own
    assert not Vendor.objects.visible_to(demo.dan).exists()  # a client reviewer
    assert set(Vendor.objects.visible_to(other_agency.admin)) == {other_agency.vendor}
    # A service never touches another organization's vendor, even if handed one.
    with pytest.raises(Http404):
        services.update_vendor(demo.alice, other_agency.vendor, {"notes": "mine now"})
    with pytest.raises(Http404):
        services.remove_contact(demo.alice, other_agency.contact)
