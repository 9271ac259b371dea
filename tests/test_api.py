"""The public JSON API contract: /api/v1 (see docs/api.md)."""

from __future__ import annotations

from typing import Any

import pytest

from mediadesk.audit.models import AuditEvent
from mediadesk.planning.models import Campaign

pytestmark = pytest.mark.django_db


def new_campaign(client_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "client": client_id,
        "name": "Summer Iced Coffee",
        "code": "NWND-SIC27",
        "start": "2027-06-07",
        "end": "2027-08-29",
        "budget": "185000.50",
        "currency": "EUR",
        "status": "planning",
        "objectives": ["awareness"],
        "kpi_targets": [{"kpi": "cpm", "target": "8.25"}],
        "markets": ["DE", "AT"],
    }
    body.update(overrides)
    return body


def test_openapi_schema_is_public(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/campaigns" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_token_with_email_and_password(demo: Any, client: Any) -> None:
    response = client.post(
        "/api/v1/auth/token",
        {"username": "alice@demo.test", "password": "demo"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    assert listing.json()["count"] == Campaign.objects.count()


def test_token_refused_for_a_wrong_password(demo: Any, client: Any) -> None:
    response = client.post(
        "/api/v1/auth/token",
        {"username": "alice@demo.test", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "do not match" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer mdk_not-a-real-token", "Token abc", "Bearer "],
)
def test_without_a_valid_token_401(demo: Any, client: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/campaigns", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Send a valid API token: Authorization: Bearer <token>."}


def test_revoked_token_stops_working(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    assert api.get("/api/v1/campaigns").status_code == 200
    from mediadesk.accounts.models import ApiToken

    ApiToken.objects.filter(user=demo.alice).update(revoked_at="2026-01-01T00:00:00Z")
    assert api.get("/api/v1/campaigns").status_code == 401


def test_alice_sees_every_client_and_paginates(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    first = api.get("/api/v1/campaigns", limit=4, offset=0).json()
    second = api.get("/api/v1/campaigns", limit=4, offset=4).json()
    assert first["count"] == second["count"] == 11
    assert len(first["items"]) == 4 and len(second["items"]) == 4
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert len(set(ids)) == 8
    clients = {c["client"] for c in api.get("/api/v1/campaigns", limit=100).json()["items"]}
    assert len(clients) == 3
    item = first["items"][0]
    for field in ("id", "name", "code", "client", "brand", "start", "end", "budget", "currency",
                  "status"):  # fmt: skip
        assert field in item


def test_filters(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    live = api.get("/api/v1/campaigns", status="live").json()
    assert {c["code"] for c in live["items"]} == {"NWND-AR26", "CTSO-5G26"}
    running = api.get("/api/v1/campaigns", active_on="2026-12-01").json()
    assert {c["code"] for c in running["items"]} == {
        "NWND-AR26", "NWND-WT26", "CTSO-5G26", "CTSO-HOL26",
    }  # fmt: skip
    contoso = api.get("/api/v1/campaigns", client=demo.contoso.pk).json()
    assert {c["client"] for c in contoso["items"]} == {demo.contoso.pk}
    assert contoso["count"] == 4


def test_bad_filter_names_the_parameter(demo: Any, api_as: Any) -> None:
    response = api_as(demo.alice).get("/api/v1/campaigns", active_on="yesterday")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "active_on"


def test_create_campaign(demo: Any, api_as: Any) -> None:
    response = api_as(demo.ben).post("/api/v1/campaigns", new_campaign(demo.northwind.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["budget"] == "185000.50"
    assert body["client"] == demo.northwind.pk
    assert body["kpi_targets"] == [{"kpi": "cpm", "target": "8.25"}]
    campaign = Campaign.objects.get(pk=body["id"])
    event = AuditEvent.objects.for_object(campaign).get()
    assert event.actor == demo.ben and event.via == "api" and event.action == "created"


def test_create_validation_names_field_and_problem(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    response = api.post("/api/v1/campaigns", new_campaign(demo.northwind.pk, end="2027-01-01"))
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"field": "end", "message": "The end date (01 Jan 2027) is before the start date "
             "(07 Jun 2027)."}
        ]
    }  # fmt: skip
    response = api.post("/api/v1/campaigns", new_campaign(demo.northwind.pk, budget="-5"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "budget"
    duplicate = api.post("/api/v1/campaigns", new_campaign(demo.northwind.pk, code="NWND-AR26"))
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"] == [
        {"field": "code", "message": "Another campaign of this client already uses the code "
         "NWND-AR26."}
    ]  # fmt: skip
    missing = api.post("/api/v1/campaigns", {"client": demo.northwind.pk})
    assert missing.status_code == 422
    assert {d["field"] for d in missing.json()["detail"]} >= {"name", "code", "start", "end"}
    assert Campaign.objects.filter(name="Summer Iced Coffee").count() == 0


def test_create_for_a_client_without_a_role_is_refused(demo: Any, api_as: Any) -> None:
    response = api_as(demo.ben).post("/api/v1/campaigns", new_campaign(demo.fabrikam.pk, code="X1"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "client"
    response = api_as(demo.cara).post(
        "/api/v1/campaigns", new_campaign(demo.northwind.pk, code="X2")
    )
    assert response.status_code == 403
    assert "coordinator" in response.json()["detail"]


def test_brand_of_another_client_is_refused(demo: Any, api_as: Any) -> None:
    contoso_brand = demo.contoso.brands.first()
    response = api_as(demo.alice).post(
        "/api/v1/campaigns", new_campaign(demo.northwind.pk, brand=contoso_brand.pk)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "brand"


def test_patch_changes_and_records_before_and_after(demo: Any, api_as: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    response = api_as(demo.ben).patch(
        f"/api/v1/campaigns/{campaign.pk}",
        {"budget": "500000", "status": "completed", "reason": "Client added budget"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["budget"] == "500000.00"
    event = AuditEvent.objects.for_object(campaign).filter(action="updated").get()
    assert event.changes == {
        "budget": ["480000.00", "500000.00"],
        "status": ["live", "completed"],
    }
    assert event.reason == "Client added budget"


def test_patch_rejects_bad_values_and_keeps_the_campaign(demo: Any, api_as: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    api = api_as(demo.ben)
    response = api.patch(f"/api/v1/campaigns/{campaign.pk}", {"status": "finished"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "status"
    response = api.patch(f"/api/v1/campaigns/{campaign.pk}", {"name": None})
    assert response.status_code == 422
    campaign.refresh_from_db()
    assert campaign.status == "live" and campaign.name == "Autumn Roast Launch"


def test_viewer_roles_may_read_but_not_patch(demo: Any, api_as: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    api = api_as(demo.dan)
    assert api.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 200
    response = api.patch(f"/api/v1/campaigns/{campaign.pk}", {"name": "Mine now"})
    assert response.status_code == 403


def test_dan_sees_only_northwind_and_foreign_campaigns_are_404(demo: Any, api_as: Any) -> None:
    api = api_as(demo.dan)
    items = api.get("/api/v1/campaigns", limit=100).json()["items"]
    assert {c["client"] for c in items} == {demo.northwind.pk}
    foreign = demo.campaign("CTSO-5G26")
    assert api.get(f"/api/v1/campaigns/{foreign.pk}").status_code == 404
    patched = api.patch(f"/api/v1/campaigns/{foreign.pk}", {"name": "x"})
    assert patched.status_code == 404
    assert patched.json() == {"detail": "Not found."}
    assert api.get("/api/v1/campaigns/999999").status_code == 404


def test_archived_campaign_cannot_be_patched(demo: Any, api_as: Any) -> None:
    from mediadesk.planning.services import archive_campaign

    campaign = demo.campaign("NWND-AR26")
    archive_campaign(demo.alice, campaign)
    response = api_as(demo.alice).patch(f"/api/v1/campaigns/{campaign.pk}", {"name": "x"})
    assert response.status_code == 409
    assert "archived" in response.json()["detail"]
    archived = api_as(demo.alice).get("/api/v1/campaigns", archived="true").json()
    assert [c["code"] for c in archived["items"]] == ["NWND-AR26"]
