"""Exports of no known layout: a column mapping reads them, saved per client for next time."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mediadesk.delivery import reports, services
from mediadesk.delivery.models import DeliveryImport, DeliveryMapping

# A German broadcaster's post-log whose headers no reader knows.
POST_LOG = (
    "Sendetag;Uhrzeit;Kanal;Format;Dauer;Reichweite GRP;Netto EUR\r\n"
    "05.10.2026;20:14;NBCUniversal;Prime;30;2,5;6.000,00\r\n"
    "06.10.2026;21:02;NBCUniversal;Prime;30;1,5;3.600,00\r\n"
)
MAPPING = {"date": "Sendetag", "campaign": "Kanal", "ad_group": "Format",
           "grps": "Reichweite GRP", "spend": "Netto EUR", "currency": ""}  # fmt: skip


def _campaign(demo: Any) -> Any:
    campaign = demo.campaign("CTSO-5G26")
    tv = next(p for p in services.placements_for_delivery(campaign) if p.channel == "linear_tv")
    services.add_rule(demo.alice, campaign, kind="name_contains", value="NBCUniversal",
                      line_key=tv.line_key)  # fmt: skip
    return campaign


def test_unknown_layout_asks_for_a_mapping(demo: Any) -> None:
    campaign = _campaign(demo)
    with pytest.raises(services.DeliveryFileError, match=r"unknown layout.*Map its columns"):
        services.import_delivery(demo.alice, campaign, filename="log.csv",
                                 data=POST_LOG.encode("cp1252"))  # fmt: skip
    assert not DeliveryImport.objects.exists()


def test_mapping_reads_it_and_a_saved_mapping_reads_the_next_file(demo: Any) -> None:
    campaign = _campaign(demo)
    data = POST_LOG.encode("cp1252")
    imported = services.import_delivery(
        demo.alice, campaign, filename="log.csv", data=data, mapping=MAPPING
    )
    upload = imported.record
    assert (upload.platform, upload.rows, upload.mapped_rows) == ("generic", 2, 2)
    services.save_delivery_mapping(demo.alice, demo.contoso, "NBC post-log", MAPPING)
    later = POST_LOG.replace("05.10.2026", "07.10.2026").replace("06.10.2026", "08.10.2026")
    again = services.import_delivery(demo.alice, campaign, filename="log2.csv",
                                     data=later.encode("cp1252")).record  # fmt: skip
    assert again.rows == 2
    tv = next(line for line in reports.campaign_pacing(campaign).lines
              if line.placement.channel == "linear_tv")  # fmt: skip
    assert tv.pacing.delivered == Decimal("8.0")  # GRPs: 2.5 + 1.5, twice
    assert tv.spend == Decimal("19200")


def test_a_mapping_must_name_a_day_and_a_metric(demo: Any) -> None:
    with pytest.raises(ValidationError, match="day"):
        services.save_delivery_mapping(demo.alice, demo.contoso, "x", {"spend": "Netto EUR"})
    with pytest.raises(ValidationError, match="metric"):
        services.save_delivery_mapping(demo.alice, demo.contoso, "x", {"date": "Sendetag"})
    with pytest.raises(ValidationError, match="not a field"):
        services.save_delivery_mapping(demo.alice, demo.contoso, "x",
                                       {"date": "Sendetag", "cost": "Netto EUR"})  # fmt: skip
    assert not DeliveryMapping.objects.exists()


def test_api_import_with_mapping_and_save(demo: Any, api_as: Any) -> None:
    campaign = _campaign(demo)
    api = api_as(demo.alice)
    response = api.http.post(
        f"/api/v1/campaigns/{campaign.pk}/delivery/imports",
        {"file": SimpleUploadedFile("log.csv", POST_LOG.encode("cp1252")),
         "mapping": json.dumps(MAPPING), "save_mapping_as": "NBC post-log"},
        headers=api.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert DeliveryMapping.objects.get().mapping["grps"] == "Reichweite GRP"
    assert date.fromisoformat(response.json()["date_to"]) == date(2026, 10, 6)


def test_a_mapping_can_say_which_currency_a_file_is_in(demo: Any) -> None:
    from mediadesk.accounts.models import FxRate

    campaign = _campaign(demo)  # a USD campaign; the post-log is in euros, said only in words
    FxRate.objects.create(client=demo.contoso, currency_from="EUR", currency_to="USD",
                          month=date(2026, 10, 1), rate=Decimal("1.10"))  # fmt: skip
    mapping = {**MAPPING, "currency_code": "eur"}
    upload = services.import_delivery(
        demo.alice, campaign, filename="log.csv", data=POST_LOG.encode("cp1252"), mapping=mapping
    ).record
    assert upload.currency == "EUR"
    tv = next(line for line in reports.campaign_pacing(campaign).lines
              if line.placement.channel == "linear_tv")  # fmt: skip
    assert tv.spend == Decimal("10560")  # 9,600.00 EUR at 1.10
    with pytest.raises(ValidationError, match="not a currency code"):
        services.check_mapping({**MAPPING, "currency_code": "EURO"})


def test_deleting_a_saved_mapping(demo: Any, web_as: Any) -> None:
    from mediadesk.audit.models import AuditEvent

    campaign = demo.campaign("CTSO-5G26")
    saved = services.save_delivery_mapping(demo.alice, demo.contoso, "NBC post-log", MAPPING)
    response = web_as(demo.alice).post(
        f"/campaigns/{campaign.pk}/delivery/mappings/{saved.pk}/delete/"
    )
    assert response.status_code == 302
    assert not DeliveryMapping.objects.exists()
    assert AuditEvent.objects.filter(action="deleted", object_id=str(saved.pk)).exists()
