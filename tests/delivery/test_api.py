"""The delivery API: import, idempotence, roll-back, queue, pacing and performance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from mediadesk.delivery.models import DeliveryImport

from .exports import SEARCH, daily, google_ads

OCT = date(2026, 10, 5)


def _post_file(api: Any, campaign_id: int, data: bytes, name: str = "report.csv") -> Any:
    return api.http.post(
        f"/api/v1/campaigns/{campaign_id}/delivery/imports",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        headers=api.headers,
    )


def test_import_twice_rollback_and_reports(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    campaign = demo.campaign("CTSO-5G26")
    data = google_ads(daily(OCT, 14, SEARCH, spend="2000.00") + daily(OCT, 2, "Unknown camp"))
    created = _post_file(api, campaign.pk, data)
    assert created.status_code == 201, created.content
    body = created.json()
    assert {key: body[key] for key in ("platform", "rows", "mapped_rows", "unmapped_rows")} == {
        "platform": "google_ads", "rows": 16, "mapped_rows": 14, "unmapped_rows": 2,
    }  # fmt: skip
    assert body["totals"]["spend"] == "28200" and body["replaced"] == []
    pacing_before = api.get(f"/api/v1/campaigns/{campaign.pk}/pacing").json()
    again = _post_file(api, campaign.pk, data, "again.csv")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == body["id"]
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/pacing").json() == pacing_before
    search = next(p for p in pacing_before["placements"] if p["code"] == SEARCH)
    assert (search["metric"], search["delivered"], search["expected"], search["status"]) == (
        "spend", "28000", "36000.00", "under",
    )  # fmt: skip
    assert search["index"] == "0.78"
    performance = api.get(
        f"/api/v1/campaigns/{campaign.pk}/performance",
        **{"from": "2026-10-05", "to": "2026-10-18", "by": "channel"},
    ).json()
    assert performance["from"] == "2026-10-05"
    search_row = next(row for row in performance["rows"] if row["key"] == "search")
    assert Decimal(search_row["spend"]) == Decimal("28000")
    [waiting] = api.get(f"/api/v1/campaigns/{campaign.pk}/delivery/unmatched").json()
    assert waiting["spend"] == "200"
    listed = api.get(f"/api/v1/campaigns/{campaign.pk}/delivery/imports").json()
    assert [item["id"] for item in listed] == [body["id"]]
    gone = api.request("DELETE", f"/api/v1/delivery/imports/{body['id']}")
    assert gone.status_code == 204
    assert not DeliveryImport.objects.exists()
    after = api.get(f"/api/v1/campaigns/{campaign.pk}/pacing").json()
    assert next(p for p in after["placements"] if p["code"] == SEARCH)["delivered"] == "0"


def test_bad_file_is_400_with_a_sentence(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    campaign = demo.campaign("CTSO-5G26")
    response = _post_file(api, campaign.pk, b"Day,Campaign,Impr.,Clicks,Cost\r\n")
    assert response.status_code == 400
    assert "no data rows" in response.json()["detail"]
    assert not DeliveryImport.objects.exists()


def test_client_reviewer_sees_no_delivery(demo: Any, api_as: Any) -> None:
    api = api_as(demo.dan)
    campaign = demo.campaign("NWND-AR26")
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/pacing").status_code == 404
    assert _post_file(api, campaign.pk, b"x").status_code == 404


def test_bad_mapping_and_reversed_period_are_422(demo: Any, api_as: Any) -> None:
    api = api_as(demo.alice)
    campaign = demo.campaign("CTSO-5G26")
    data = b"Air date,Station,Cost\r\n2026-10-05,NBC,100.00\r\n"
    for mapping in ("{not json", '{"date": "Air date", "cost": "Cost"}'):
        response = api.http.post(
            f"/api/v1/campaigns/{campaign.pk}/delivery/imports",
            {"file": SimpleUploadedFile("log.csv", data), "mapping": mapping},
            headers=api.headers,
        )
        assert response.status_code == 422, response.content
        assert response.json()["detail"][0]["field"] == "mapping"
    assert not DeliveryImport.objects.exists()
    reversed_period = api.get(
        f"/api/v1/campaigns/{campaign.pk}/performance", **{"from": "2026-10-18", "to": "2026-10-05"}
    )
    assert reversed_period.status_code == 422
    assert reversed_period.json()["detail"][0]["field"] == "to"
