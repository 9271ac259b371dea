"""Campaign services and pages: one function per change, each with its audit event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mediadesk.audit.models import AuditEvent
from mediadesk.errors import Conflict
from mediadesk.planning import services
from mediadesk.planning.models import Campaign


def form_data(client_id: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "client": client_id,
        "name": "Tea Time Radio",
        "code": "NWND-TTR27",
        "start": "2027-02-01",
        "end": "2027-03-28",
        "budget": "42000.00",
        "currency": "EUR",
        "status": "planning",
        "objectives": ["awareness", "reach"],
        "kpi": ["grps", "", "", ""],
        "target": ["250", "", "", ""],
        "markets": "DE, AT",
        "notes": "",
        "shared_with_client": "on",
    }
    data.update(overrides)
    return data


def test_create_records_every_field(demo: Any) -> None:
    campaign = services.create_campaign(
        demo.ben,
        client_id=demo.northwind.pk,
        values={"name": "X", "code": "X-1", "start": "2027-01-04", "end": "2027-01-31",
                "budget": Decimal("1000")},
    )  # fmt: skip
    event = AuditEvent.objects.for_object(campaign).get()
    assert event.action == "created" and event.actor == demo.ben
    assert event.client_id == demo.northwind.pk
    assert event.changes["code"] == [None, "X-1"]
    assert event.changes["currency"] == [None, "EUR"]  # the client's currency by default


def test_update_without_changes_records_nothing(demo: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    before = AuditEvent.objects.count()
    services.update_campaign(demo.ben, campaign, {"name": campaign.name})
    assert AuditEvent.objects.count() == before


def test_roles_that_may_not_edit_are_refused(demo: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    with pytest.raises(PermissionDenied, match="coordinator"):
        services.update_campaign(demo.cara, campaign, {"name": "Finance edit"})
    with pytest.raises(PermissionDenied):
        services.archive_campaign(demo.dan, campaign)
    campaign.refresh_from_db()
    assert campaign.name == "Autumn Roast Launch" and campaign.archived_at is None


def test_invalid_update_changes_nothing(demo: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    with pytest.raises(ValidationError) as error:
        services.update_campaign(
            demo.ben, campaign, {"kpi_targets": [{"kpi": "cpx", "target": "1"}]}
        )
    assert "unknown KPI 'cpx'" in str(error.value)
    stored = Campaign.objects.get(pk=campaign.pk)
    assert stored.kpi_targets == [
        {"kpi": "cpm", "target": "9.50"},
        {"kpi": "reach", "target": "6500000"},
    ]
    assert not AuditEvent.objects.for_object(campaign).filter(action="updated").exists()


def test_archive_and_restore(demo: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    services.archive_campaign(demo.ben, campaign, reason="Merged into Winter plan")
    assert not Campaign.objects.visible_to(demo.ben).active().filter(pk=campaign.pk).exists()
    with pytest.raises(Conflict, match="archived"):
        services.update_campaign(demo.ben, campaign, {"name": "Changed"})
    with pytest.raises(Conflict):
        services.archive_campaign(demo.ben, campaign)
    services.restore_campaign(demo.ben, campaign)
    actions = list(
        AuditEvent.objects.for_object(campaign).order_by("at", "id").values_list("action", "reason")
    )
    assert actions[-2:] == [("archived", "Merged into Winter plan"), ("restored", "")]


def test_create_page(demo: Any, web_as: Any) -> None:
    client = web_as(demo.ben)
    response = client.post("/campaigns/new/", form_data(demo.northwind.pk))
    campaign = Campaign.objects.get(code="NWND-TTR27")
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.kpi_targets == [{"kpi": "grps", "target": "250"}]
    assert campaign.markets == ["DE", "AT"]
    assert campaign.objectives == ["awareness", "reach"]
    assert AuditEvent.objects.for_object(campaign).get().via == "web"
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Tea Time Radio" in page and "42,000.00 EUR" in page


def test_form_errors_keep_what_was_typed(demo: Any, web_as: Any) -> None:
    client = web_as(demo.ben)
    response = client.post(
        "/campaigns/new/", form_data(demo.northwind.pk, end="2027-01-01", code="NWND-AR26")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The end date (01 Jan 2027) is before the start date (01 Feb 2027)." in body
    assert 'value="Tea Time Radio"' in body
    assert 'value="250"' in body  # the KPI target row survives
    assert not Campaign.objects.filter(name="Tea Time Radio").exists()


def test_duplicate_code_on_the_page(demo: Any, web_as: Any) -> None:
    response = web_as(demo.ben).post(
        "/campaigns/new/", form_data(demo.northwind.pk, code="NWND-AR26")
    )
    assert "Another campaign of this client already uses the code NWND-AR26." in (
        response.content.decode()
    )


def test_create_page_offers_only_clients_the_user_may_edit(demo: Any, web_as: Any) -> None:
    client = web_as(demo.ben)
    page = client.get("/campaigns/new/").content.decode()
    assert "Northwind" in page and "Contoso Mobile" in page and "Fabrikam" not in page
    response = client.post("/campaigns/new/", form_data(demo.fabrikam.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # Finance has no campaign editing at all.
    assert web_as(demo.cara).get("/campaigns/new/").status_code == 403


def test_edit_page_records_reason_and_changes(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    client = web_as(demo.ben)
    page = client.get(f"/campaigns/{campaign.pk}/edit/")
    assert page.status_code == 200
    # Date inputs take ISO dates; anything else shows an empty field and loses the date.
    assert 'name="start" value="2026-10-05"' in page.content.decode()
    data = form_data(
        demo.contoso.pk,
        name="5G Everywhere",
        code="CTSO-5G26",
        start="2026-10-05",
        end="2027-01-10",
        budget="1300000",
        currency="USD",
        status="live",
        reason="Extended two weeks",
    )
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.for_object(campaign).filter(action="updated").get()
    assert event.reason == "Extended two weeks"
    assert event.changes["end"] == ["2026-12-27", "2027-01-10"]
    assert event.changes["budget"] == ["1250000.00", "1300000.00"]
    history = client.get(f"/campaigns/{campaign.pk}/?tab=history").content.decode()
    assert "Extended two weeks" in history
    assert "<td>27 Dec 2026</td><td>10 Jan 2027</td>" in history
    assert "<td>1,250,000.00</td><td>1,300,000.00</td>" in history
    assert "by Ben Brooks" in history


def test_archive_from_the_page(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    client = web_as(demo.ben)

    def listed(**params: str) -> set[str]:
        return {c.code for c in client.get("/campaigns/", params).context["page"].object_list}

    client.post(f"/campaigns/{campaign.pk}/archive/", {"reason": "Duplicate"})
    assert "CTSO-5G26" not in listed()
    assert listed(archived="true") == {"CTSO-5G26"}
    client.post(f"/campaigns/{campaign.pk}/archive/", {"action": "restore"})
    assert "CTSO-5G26" in listed()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "roast"}, {"NWND-AR26"}),
        ({"q": "IE"}, {"FBRK-TS27"}),
        ({"status": "completed"}, {"CTSO-BTS26", "FBRK-MP26"}),
        ({"active_on": "2026-11-25"}, {"NWND-AR26", "NWND-WT26", "CTSO-5G26", "CTSO-HOL26",
                                       "FBRK-BF26"}),
        ({"starts_from": "2027-03-01", "ends_by": "2027-06-30"}, {"NWND-CB27", "CTSO-SS27"}),
    ],
)  # fmt: skip
def test_list_filters(demo: Any, web_as: Any, params: dict[str, str], expected: set[str]) -> None:
    response = web_as(demo.alice).get("/campaigns/", params)
    codes = {c.code for c in response.context["page"].object_list}
    assert codes == expected


def test_bad_filter_is_explained_not_fatal(demo: Any, web_as: Any) -> None:
    response = web_as(demo.alice).get("/campaigns/", {"active_on": "31/12/2026"})
    assert response.status_code == 200
    assert "Filter “active_on” ignored" in response.content.decode()
    assert len(response.context["page"].object_list) == 11


def test_sorting(demo: Any, web_as: Any) -> None:
    response = web_as(demo.alice).get("/campaigns/", {"sort": "-budget"})
    budgets = [c.budget for c in response.context["page"].object_list]
    assert budgets == sorted(budgets, reverse=True)


def test_client_switcher_narrows_lists(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    client.post("/client/", {"client": demo.fabrikam.pk, "next": "/campaigns/"})
    codes = {c.code for c in client.get("/campaigns/").context["page"].object_list}
    assert codes == {"FBRK-TS27", "FBRK-MP26", "FBRK-BF26"}


def test_history_reads_like_the_form(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    tea = demo.northwind.brands.get(name="Northwind Tea")
    services.update_campaign(
        demo.ben,
        campaign,
        {"brand": tea, "status": "completed", "objectives": ["reach"],
         "kpi_targets": [{"kpi": "cpm", "target": "9.00"}]},
    )  # fmt: skip
    page = web_as(demo.ben).get(f"/campaigns/{campaign.pk}/?tab=history").content.decode()
    assert '<th scope="row">Brand</th><td>Northwind Coffee</td><td>Northwind Tea</td>' in page
    assert "<td>Live</td><td>Completed</td>" in page
    assert (
        '<th scope="row">KPI targets</th><td>CPM 9.50, REACH 6500000</td><td>CPM 9.00</td>'
    ) in page
    assert "<td>Awareness, Sales</td><td>Reach</td>" in page
