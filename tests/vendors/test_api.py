"""The vendor API: list, create, read, change; 403, 404, 409 and 422 as documented."""

from __future__ import annotations

from typing import Any

from mediadesk.audit.models import AuditEvent
from mediadesk.vendors.models import Vendor


def test_list_filters_and_paginates(demo: Any, api_as: Any, other_agency: Any) -> None:
    api = api_as(demo.ben)
    listing = api.get("/api/v1/vendors").json()
    own = Vendor.objects.filter(organization=demo.ben.organization)
    assert listing["count"] == own.count()
    names = [item["name"] for item in listing["items"]]
    assert names == list(own.order_by("name", "id").values_list("name", flat=True))
    assert "Other's notes" not in str(listing)  # the other agency's "Meta"
    platforms = api.get("/api/v1/vendors", kind="platform", q="spot").json()
    assert [item["name"] for item in platforms["items"]] == ["Spotify"]
    spotify = platforms["items"][0]
    assert spotify["payment_terms"] == "net_30" and spotify["currency"] == "USD"
    assert spotify["contacts"][0]["name"] == "Alex Kim"
    assert spotify["contacts"][0]["role"] == "Audio sales"
    page = api.get("/api/v1/vendors", limit=2, offset=2).json()
    assert [item["name"] for item in page["items"]] == names[2:4]
    assert api.get("/api/v1/vendors", kind="pirate").status_code == 422


def test_create_and_get(demo: Any, api_as: Any) -> None:
    api = api_as(demo.cara)
    response = api.post(
        "/api/v1/vendors",
        {"name": "Acast", "kind": "platform", "payment_terms": "net_45", "currency": "dkk"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["currency"] == "DKK" and created["archived"] is False
    assert created["contacts"] == []
    again = api.get(f"/api/v1/vendors/{created['id']}").json()
    assert again == created
    event = AuditEvent.objects.for_object(Vendor.objects.get(pk=created["id"])).get()
    assert event.via == "api" and event.actor == demo.cara


def test_duplicate_name_is_409_naming_the_vendor(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    meta = Vendor.objects.get(organization=demo.ben.organization, name="Meta")
    response = api.post("/api/v1/vendors", {"name": "META"})
    assert response.status_code == 409
    assert "“Meta”" in response.json()["detail"] and f"id {meta.pk}" in response.json()["detail"]
    spotify = Vendor.objects.get(organization=demo.ben.organization, name="Spotify")
    assert api.patch(f"/api/v1/vendors/{spotify.pk}", {"name": "Meta"}).status_code == 409


def test_invalid_input_is_422_with_fields(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    response = api.post("/api/v1/vendors", {"name": "X", "kind": "pirate"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"kind"}
    response = api.post("/api/v1/vendors", {"name": "X", "currency": "XXX", "website": "nope"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"currency", "website"}
    spotify = Vendor.objects.get(organization=demo.ben.organization, name="Spotify")
    response = api.patch(f"/api/v1/vendors/{spotify.pk}", {"name": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "name"


def test_patch_records_the_reason(demo: Any, api_as: Any) -> None:
    vendor = Vendor.objects.get(organization=demo.ben.organization, name="RMS")
    response = api_as(demo.ben).patch(
        f"/api/v1/vendors/{vendor.pk}",
        {"payment_terms": "net_90", "notes": None, "reason": "Radio deal"},
    )
    assert response.status_code == 200
    assert response.json()["payment_terms"] == "net_90"
    event = AuditEvent.objects.for_object(vendor).first()
    assert event is not None and event.reason == "Radio deal" and event.via == "api"
    assert event.changes == {"payment_terms": ["net_30", "net_90"]}


def test_viewer_reads_but_gets_403_on_changes(demo: Any, api_as: Any, viewer: Any) -> None:
    api = api_as(viewer)
    vendor = Vendor.objects.get(organization=demo.ben.organization, name="RMS")
    assert api.get(f"/api/v1/vendors/{vendor.pk}").status_code == 200
    created = api.post("/api/v1/vendors", {"name": "Nope"})
    assert created.status_code == 403
    assert "coordinator, finance or admin" in created.json()["detail"]
    changed = api.patch(f"/api/v1/vendors/{vendor.pk}", {"notes": "x"})
    assert changed.status_code == 403


def test_client_reviewer_and_other_agencies_get_404(
    demo: Any, api_as: Any, other_agency: Any
) -> None:
    own = Vendor.objects.get(organization=demo.ben.organization, name="RMS")
    dan = api_as(demo.dan)
    assert dan.get("/api/v1/vendors").status_code == 404
    assert dan.post("/api/v1/vendors", {"name": "Sneaky"}).status_code == 404
    assert dan.get(f"/api/v1/vendors/{own.pk}").status_code == 404
    assert dan.patch(f"/api/v1/vendors/{own.pk}", {"notes": "x"}).status_code == 404

    foreign = other_agency.vendor
    for user in (demo.alice, demo.ben):
        api = api_as(user)
        assert api.get(f"/api/v1/vendors/{foreign.pk}").json() == {"detail": "Not found."}
        assert api.patch(f"/api/v1/vendors/{foreign.pk}", {"notes": "x"}).status_code == 404
    other = api_as(other_agency.admin)
    assert other.get(f"/api/v1/vendors/{own.pk}").status_code == 404
    assert [item["name"] for item in other.get("/api/v1/vendors").json()["items"]] == ["Meta"]
    foreign.refresh_from_db()
    assert foreign.notes == "Other's notes"
