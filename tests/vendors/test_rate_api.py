"""The API of rate cards, negotiated rates and the rate check; 403, 404 and 422 as documented."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mediadesk.audit.models import AuditEvent
from mediadesk.planning.models import Placement, PlanVersion
from mediadesk.vendors import services
from mediadesk.vendors.models import RateCard, Vendor


def vendor(demo: Any, name: str) -> Vendor:
    return Vendor.objects.get(organization=demo.alice.organization, name=name)


def placement(code: str, vendor_name: str) -> Placement:
    version = PlanVersion.objects.get(campaign__code=code, number=1)
    return version.placements.get(vendor=vendor_name)


def test_list_and_get_rate_cards_with_their_lines(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    meta = vendor(demo, "Meta")
    cards = api.get(f"/api/v1/vendors/{meta.pk}/rate-cards").json()
    assert [card["name"] for card in cards] == ["Meta Europe 2026", "Meta North America 2026"]
    america = cards[1]
    assert america["currency"] == "USD" and america["valid_to"] == "2026-12-31"
    assert america["vendor"] == meta.pk and america["archived"] is False
    assert {(line["format"], line["cost_model"], line["rate"]) for line in america["lines"]} == {
        ("video", "cpm", "12.0000"), ("lead form", "cpl", "15.0000"),
    }  # fmt: skip
    assert api.get(f"/api/v1/rate-cards/{america['id']}").json() == america
    assert api.get(f"/api/v1/vendors/{meta.pk}/rate-cards", archived=True).json() == []


def test_create_and_patch_a_rate_card(demo: Any, api_as: Any) -> None:
    api = api_as(demo.cara)
    joyn = vendor(demo, "Joyn")
    response = api.post(
        f"/api/v1/vendors/{joyn.pk}/rate-cards",
        {"name": "CTV 2027", "currency": "eur", "valid_from": "2027-01-01",
         "lines": [{"format": "20s spot", "market": "DE", "cost_model": "cpm", "rate": "26.5"},
                   {"format": "20s spot", "daypart": "Prime time", "cost_model": "cpm",
                    "rate": 31}]},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    card = response.json()
    assert card["currency"] == "EUR" and len(card["lines"]) == 2
    event = AuditEvent.objects.for_object(RateCard.objects.get(pk=card["id"])).get()
    assert event.via == "api" and event.actor == demo.cara
    keep = next(line for line in card["lines"] if line["market"] == "DE")
    patched = api.patch(
        f"/api/v1/rate-cards/{card['id']}",
        {"valid_to": "2027-12-31", "reason": "Signed",
         "lines": [{**keep, "rate": "25"},
                   {"format": "30s spot", "cost_model": "cpm", "rate": "34"}]},
    )  # fmt: skip
    assert patched.status_code == 200, patched.content
    lines = patched.json()["lines"]
    assert {(line["format"], line["rate"]) for line in lines} == {
        ("20s spot", "25.0000"), ("30s spot", "34.0000"),
    }  # fmt: skip
    assert next(line["id"] for line in lines if line["format"] == "20s spot") == keep["id"]
    assert patched.json()["valid_to"] == "2027-12-31"
    archived = api.patch(f"/api/v1/rate-cards/{card['id']}", {"archived": True})
    assert archived.json()["archived"] is True
    assert api.patch(f"/api/v1/rate-cards/{card['id']}", {"notes": "x"}).status_code == 409
    restored = api.patch(f"/api/v1/rate-cards/{card['id']}", {"archived": False, "notes": "y"})
    assert restored.json()["archived"] is False and restored.json()["notes"] == "y"


def test_invalid_rate_cards_are_422_naming_the_field(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    joyn = vendor(demo, "Joyn")
    bad = api.post(f"/api/v1/vendors/{joyn.pk}/rate-cards",
                   {"name": "X", "valid_from": "2027-01-01",
                    "lines": [{"format": "a", "cost_model": "barter", "rate": "-1"}]})  # fmt: skip
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"lines.0.cost_model", "lines.0.rate"}
    clash = api.post(f"/api/v1/vendors/{joyn.pk}/rate-cards",
                     {"name": "X", "valid_from": "2027-01-01", "valid_to": "2026-01-01",
                      "currency": "XXX"})  # fmt: skip
    assert clash.status_code == 422
    assert {e["field"] for e in clash.json()["detail"]} == {"currency", "valid_to"}
    card = RateCard.objects.filter(vendor=vendor(demo, "RMS")).get()
    foreign_line = RateCard.objects.exclude(pk=card.pk).first().lines.first()  # type: ignore[union-attr]
    wrong = api.patch(f"/api/v1/rate-cards/{card.pk}",
                      {"lines": [{"id": foreign_line.pk, "format": "x", "cost_model": "cpm",
                                  "rate": "1"}]})  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "lines.0.id"
    assert api.patch(f"/api/v1/rate-cards/{card.pk}", {"name": None}).status_code == 422


def test_rate_cards_for_viewers_reviewers_and_other_agencies(
    demo: Any, api_as: Any, viewer: Any, other_agency: Any
) -> None:
    card = RateCard.objects.filter(vendor=vendor(demo, "RMS")).get()
    read = api_as(viewer)
    assert read.get(f"/api/v1/rate-cards/{card.pk}").status_code == 200
    assert read.patch(f"/api/v1/rate-cards/{card.pk}", {"notes": "x"}).status_code == 403
    created = read.post(f"/api/v1/vendors/{card.vendor_id}/rate-cards",
                        {"name": "X", "valid_from": "2027-01-01"})  # fmt: skip
    assert created.status_code == 403
    dan = api_as(demo.dan)
    assert dan.get(f"/api/v1/rate-cards/{card.pk}").status_code == 404
    assert dan.get(f"/api/v1/vendors/{card.vendor_id}/rate-cards").status_code == 404
    assert dan.get(f"/api/v1/vendors/{card.vendor_id}/negotiated-rates").status_code == 404
    alice = api_as(demo.alice)
    foreign = other_agency.rate_card
    assert alice.get(f"/api/v1/rate-cards/{foreign.pk}").json() == {"detail": "Not found."}
    assert alice.patch(f"/api/v1/rate-cards/{foreign.pk}", {"notes": "x"}).status_code == 404
    assert alice.get(f"/api/v1/vendors/{foreign.vendor_id}/rate-cards").status_code == 404
    other = api_as(other_agency.admin)
    assert other.get(f"/api/v1/rate-cards/{card.pk}").status_code == 404
    assert [c["name"] for c in other.get(f"/api/v1/vendors/{foreign.vendor_id}/rate-cards")
            .json()] == ["Other's secret card"]  # fmt: skip


def test_negotiated_rates_are_scoped_to_visible_clients(
    demo: Any, api_as: Any, cora: Any, viewer: Any
) -> None:
    meta = vendor(demo, "Meta")
    for client, rate in ((demo.northwind, "9"), (demo.fabrikam, "8")):
        services.add_negotiated_rate(
            demo.alice, meta, client,
            {"format": "video", "market": "US", "cost_model": "cpm", "rate": Decimal(rate),
             "currency": "USD", "valid_from": date(2027, 1, 1)},
        )  # fmt: skip
    url = f"/api/v1/vendors/{meta.pk}/negotiated-rates"
    seen = {
        user.email: sorted(item["client_name"] for item in api_as(user).get(url).json())
        for user in (demo.alice, demo.ben, cora, viewer)
    }
    assert seen == {
        "alice@demo.test": ["Contoso Mobile", "Fabrikam Outdoor", "Northwind"],
        "ben@demo.test": ["Contoso Mobile", "Northwind"],
        "cora@demo.test": ["Contoso Mobile"],
        "vic@demo.test": ["Northwind"],
    }
    assert api_as(cora).get(url, client=demo.northwind.pk).json() == []
    contoso = api_as(cora).get(url, client=demo.contoso.pk).json()
    assert contoso[0]["rate"] == "10.0000" and contoso[0]["client"] == demo.contoso.pk


def test_add_a_negotiated_rate(demo: Any, api_as: Any, viewer: Any) -> None:
    spotify = vendor(demo, "Spotify")
    url = f"/api/v1/vendors/{spotify.pk}/negotiated-rates"
    body = {"client": demo.contoso.pk, "format": "30s audio", "market": "US", "cost_model": "cpm",
            "rate": "18.5", "currency": "usd", "valid_from": "2026-01-01"}  # fmt: skip
    created = api_as(demo.ben).post(url, body)
    assert created.status_code == 201, created.content
    assert created.json()["currency"] == "USD" and created.json()["client_name"] == "Contoso Mobile"
    # Another client's: not found; a client seen without the role: forbidden; a clash: 422.
    assert api_as(demo.ben).post(url, {**body, "client": demo.fabrikam.pk}).status_code == 404
    assert api_as(demo.dan).post(url, {**body, "client": demo.northwind.pk}).status_code == 404
    refused = api_as(viewer).post(url, {**body, "client": demo.northwind.pk})
    assert (
        refused.status_code == 403 and "coordinator, finance or admin" in refused.json()["detail"]
    )
    clash = api_as(demo.ben).post(url, body)
    assert clash.status_code == 422 and clash.json()["detail"][0]["field"] == "valid_from"


def test_rate_check(demo: Any, api_as: Any, cora: Any) -> None:
    meta = placement("CTSO-5G26", "Meta")
    answer = api_as(cora).get("/api/v1/rate-check", placement=meta.pk).json()
    assert answer["vendor"] == {"id": vendor(demo, "Meta").pk, "name": "Meta"}
    assert answer["reference"]["kind"] == "negotiated"
    assert answer["reference"]["source"] == "Negotiated rate of Contoso Mobile"
    assert answer["reference"]["rate"] == "10.0000" and answer["rate"] == "11.0000"
    assert answer["amount"] == "1.0000" and answer["percent"] == "10.0"
    assert answer["direction"] == "above"
    assert answer["sentence"] == (
        "Rate 11.00 USD CPM is 1.00 USD (10.0%) above the negotiated rate (10.00 USD)."
    )
    spiegel = (
        api_as(demo.ben)
        .get("/api/v1/rate-check", placement=placement("NWND-AR26", "Spiegel Media").pk)
        .json()
    )
    assert spiegel["reference"]["kind"] == "rate_card"
    assert spiegel["reference"]["source"] == "Digital price list 2026"
    # A plan line whose vendor text names no vendor of the directory.
    Placement.objects.filter(version__campaign__code="CTSO-5G26", vendor="Awin").update(
        vendor="Unlisted Affiliates"
    )
    unlisted = placement("CTSO-5G26", "Unlisted Affiliates").pk
    awin = api_as(cora).get("/api/v1/rate-check", placement=unlisted)
    assert awin.json()["vendor"] is None and awin.json()["reference"] is None
    assert "No vendor named “Unlisted Affiliates”" in awin.json()["sentence"]
    google = (
        api_as(cora)
        .get("/api/v1/rate-check", placement=placement("CTSO-5G26", "Google Ads").pk)
        .json()
    )
    assert google["vendor"]["name"] == "Google Ads" and google["direction"] is None
    assert google["sentence"].startswith("No rate card or negotiated rate of Google Ads applies")


def test_rate_check_of_a_placement_one_may_not_see_is_404(
    demo: Any, api_as: Any, cora: Any
) -> None:
    northwind = placement("NWND-AR26", "Spiegel Media")
    fabrikam = placement("FBRK-TS27", "JCDecaux")
    assert api_as(cora).get("/api/v1/rate-check", placement=northwind.pk).status_code == 404
    assert api_as(demo.ben).get("/api/v1/rate-check", placement=fabrikam.pk).status_code == 404
    # A client reviewer sees the approved plan, yet no rate cards or negotiated rates.
    assert api_as(demo.dan).get("/api/v1/rate-check", placement=northwind.pk).status_code == 404
    assert api_as(demo.ben).get("/api/v1/rate-check", placement=987654321).status_code == 404
    assert api_as(demo.ben).get("/api/v1/rate-check").status_code == 422
