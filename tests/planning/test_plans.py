"""Media plans: placements under every cost model, versions, approvals, diff and flowchart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediadesk.audit.models import AuditEvent
from mediadesk.planning import services
from mediadesk.planning.choices import CostModel
from mediadesk.planning.models import Placement, PlanVersion


def draft_of(code: str) -> PlanVersion:
    return PlanVersion.objects.get(campaign__code=code, status="draft")


def line(**overrides: Any) -> dict[str, Any]:
    body = {
        "channel": "display",
        "vendor": "Spiegel Media",
        "market": "DE",
        "start": "2027-04-05",
        "end": "2027-05-02",
        "cost_model": "cpm",
        "rate": "12.50",
        "quantity": "2400000",
    }
    body.update(overrides)
    return body


def test_cost_model_choices_match_the_domain() -> None:
    """planning.choices.CostModel mirrors mediadesk.domain.costmodels.CostModel, labels too."""
    from mediadesk.domain.costmodels import COST_MODEL_LABELS
    from mediadesk.domain.costmodels import CostModel as DomainCostModel

    assert CostModel.values == [model.value for model in DomainCostModel]
    for model in DomainCostModel:
        assert str(CostModel(model.value).label).startswith(COST_MODEL_LABELS[model])


# --- the demo ------------------------------------------------------------------------------


def test_demo_plans_cover_channels_and_cost_models(demo: Any) -> None:
    placements = Placement.objects.all()
    assert len({p.channel for p in placements}) >= 10
    assert {p.cost_model for p in placements} == set(CostModel.values)
    campaigns = {v.campaign.code for v in PlanVersion.objects.select_related("campaign")}
    assert len(campaigns) == 11  # every demo campaign has a plan
    statuses = list(
        PlanVersion.objects.filter(campaign__code="NWND-AR26").values_list("number", "status")
    )
    assert sorted(statuses) == [(1, "client_approved"), (2, "draft")]


# --- pricing through the API --------------------------------------------------------------


def test_add_placement_derives_cost_net_and_code(demo: Any, api_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    response = api_as(demo.ben).post(f"/api/v1/plans/{plan.pk}/placements", line())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cost"] == "30000.00"
    assert body["net_cost"] == "25500.00"
    assert body["code"] == "NWND_NWND-CB27_DISPLAY_SPIEGEL-MEDIA_DE_202704"
    assert body["warnings"] == []
    event = AuditEvent.objects.filter(action="created", object_id=str(body["id"])).get()
    assert event.via == "api" and event.changes["cost"] == [None, "30000.00"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"rate": "12.50", "cost": "30000"}, {"quantity": "2400000.00", "cost": "30000.00"}),
        ({"cost_model": "cpc", "rate": "1.85", "quantity": "12000"}, {"cost": "22200.00"}),
        ({"cost_model": "cpcv", "rate": "0.02", "quantity": "500000"}, {"cost": "10000.00"}),
        ({"cost_model": "per_spot", "rate": "350", "quantity": "40"}, {"cost": "14000.00"}),
        ({"cost_model": "flat", "cost": "5000"}, {"quantity": "1.00", "rate": "5000.0000"}),
        ({"cost_model": "cpp", "rate": "450", "quantity": "120", "universe": "2000000"},
         {"cost": "54000.00"}),
    ],
)  # fmt: skip
def test_worked_examples_through_the_api(
    demo: Any, api_as: Any, given: dict[str, str], expected: dict[str, str]
) -> None:
    plan = draft_of("NWND-CB27")
    body = line(**given)
    if "quantity" not in given:
        del body["quantity"]
    if "rate" not in given:
        del body["rate"]
    response = api_as(demo.ben).post(f"/api/v1/plans/{plan.pk}/placements", body)
    assert response.status_code == 201, response.content
    stored = api_as(demo.ben).get(f"/api/v1/plans/{plan.pk}").json()["placements"]
    created = next(p for p in stored if p["id"] == response.json()["id"])
    for field, value in expected.items():
        assert Decimal(created[field]) == Decimal(value), field


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"end": "2027-04-01"}, "end", "before the start date"),
        ({"rate": "0"}, "rate", "above zero"),
        ({"quantity": "-5"}, "quantity", "above zero"),
        ({"currency": "XYZ"}, "currency", ""),
        ({"cost_model": "cpp", "quantity": "120", "rate": "450"}, "universe", "universe"),
        ({"code": "NWND_NWND-CB27_SOCIAL_TIKTOK_DE_202703"}, "code", "already uses the code"),
        ({"rate": None, "cost": None}, "rate", "Give two of rate, quantity and cost"),
    ],
)  # fmt: skip
def test_bad_placements_are_refused_and_nothing_saved(
    demo: Any, api_as: Any, overrides: dict[str, Any], field: str, words: str
) -> None:
    plan = draft_of("NWND-CB27")
    before = plan.placements.count()
    body = {k: v for k, v in line(**overrides).items() if v is not None}
    response = api_as(demo.ben).post(f"/api/v1/plans/{plan.pk}/placements", body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in {d["field"] for d in detail}, detail
    assert any(words in d["message"] for d in detail if d["field"] == field), detail
    assert plan.placements.count() == before


def test_flight_outside_the_campaign_is_a_warning(demo: Any, api_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    response = api_as(demo.ben).post(
        f"/api/v1/plans/{plan.pk}/placements", line(start="2027-03-01", end="2027-03-31")
    )
    assert response.status_code == 201
    assert "outside the campaign's dates" in response.json()["warnings"][0]


def test_patch_reprices_under_the_cost_model(demo: Any, api_as: Any) -> None:
    radio = draft_of("NWND-AR26").placements.get(channel="radio")
    api = api_as(demo.ben)
    response = api.patch(f"/api/v1/placements/{radio.pk}", {"quantity": "150"})
    assert response.status_code == 200, response.content
    assert response.json()["cost"] == "52500.00"  # 150 spots × 350.00
    response = api.patch(f"/api/v1/placements/{radio.pk}", {"cost": "70000"})
    assert response.json()["quantity"] == "200.00"  # the rate stays, the quantity follows
    response = api.patch(f"/api/v1/placements/{radio.pk}", {"rate": "0"})
    assert response.status_code == 422


# --- frozen versions, approvals ----------------------------------------------------------


def test_frozen_versions_answer_409(demo: Any, api_as: Any) -> None:
    approved = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    placement = approved.placements.first()
    api = api_as(demo.alice)
    assert api.patch(f"/api/v1/placements/{placement.pk}", {"vendor": "x"}).status_code == 409
    assert api.request("delete", f"/api/v1/placements/{placement.pk}").status_code == 409
    response = api.post(f"/api/v1/plans/{approved.pk}/placements", line())
    assert response.status_code == 409
    assert "frozen" in response.json()["detail"]


def test_approval_flow(demo: Any, api_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    ben, alice, dan = api_as(demo.ben), api_as(demo.alice), api_as(demo.dan)
    # Dan does not see the draft at all.
    assert dan.get(f"/api/v1/plans/{plan.pk}").status_code == 404
    assert ben.post(f"/api/v1/plans/{plan.pk}/submit", {}).json()["status"] == "submitted"
    # A coordinator cannot approve internally; the client reviewer cannot either (not yet).
    assert ben.post(f"/api/v1/plans/{plan.pk}/approve", {}).status_code == 403
    assert dan.post(f"/api/v1/plans/{plan.pk}/approve", {}).status_code == 404
    assert alice.post(f"/api/v1/plans/{plan.pk}/approve", {"comment": "ok"}).status_code == 200
    # Now it is in front of the client: the reviewer sees it and approves the client stage.
    assert dan.get(f"/api/v1/plans/{plan.pk}").status_code == 200
    response = dan.post(f"/api/v1/plans/{plan.pk}/approve", {"comment": "Go"})
    assert response.json()["status"] == "client_approved"
    statuses = dict(
        PlanVersion.objects.filter(campaign=plan.campaign).values_list("number", "status")
    )
    assert statuses == {1: "superseded", 2: "client_approved"}
    actions = list(
        AuditEvent.objects.for_object(plan).order_by("id").values_list("action", "actor__email")
    )
    assert actions[-3:] == [
        ("submitted", "ben@demo.test"),
        ("approved", "alice@demo.test"),
        ("approved", "dan@demo.test"),
    ]


def test_reject_needs_a_comment(demo: Any, api_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    services.submit_plan(demo.ben, plan)
    alice = api_as(demo.alice)
    response = alice.post(f"/api/v1/plans/{plan.pk}/reject", {"comment": " "})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "comment"
    response = alice.post(f"/api/v1/plans/{plan.pk}/reject", {"comment": "Radio too heavy"})
    assert response.json()["status"] == "rejected"
    # A rejected version is frozen; the planner starts a new draft from it.
    response = api_as(demo.ben).post(
        f"/api/v1/campaigns/{plan.campaign_id}/plans", {"from_plan": plan.pk}
    )
    assert response.status_code == 201 and response.json()["number"] == 3


def test_new_draft_keeps_lines_and_only_one_draft_at_a_time(demo: Any, api_as: Any) -> None:
    campaign = PlanVersion.objects.get(campaign__code="CTSO-5G26").campaign
    source = campaign.plan_versions.get()
    response = api_as(demo.ben).post(
        f"/api/v1/campaigns/{campaign.pk}/plans", {"from_plan": source.pk}
    )
    assert response.status_code == 201
    draft = PlanVersion.objects.get(pk=response.json()["id"])
    assert set(draft.placements.values_list("line_key", flat=True)) == set(
        source.placements.values_list("line_key", flat=True)
    )
    again = api_as(demo.ben).post(
        f"/api/v1/campaigns/{campaign.pk}/plans", {"from_plan": source.pk}
    )
    assert again.status_code == 409


# --- diff and flowchart --------------------------------------------------------------------


def test_diff_between_versions(demo: Any, api_as: Any) -> None:
    v1 = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    v2 = draft_of("NWND-AR26")
    body = api_as(demo.ben).get(f"/api/v1/plans/{v1.pk}/diff/{v2.pk}").json()
    assert body["added"] == []
    assert [line["code"] for line in body["removed"]] == ["NWND_NWND-AR26_OOH_STROER_DE_202610"]
    (radio,) = body["changed"]
    fields = {c["field"]: (c["before"], c["after"]) for c in radio["changes"]}
    assert fields["quantity"] == ("100.00", "140.00")
    assert radio["cost_delta"] == "14000.00"
    assert Decimal(body["total_delta"]) == Decimal("14000.00") - Decimal("40000.00")
    same = api_as(demo.ben).get(f"/api/v1/plans/{v1.pk}/diff/{v1.pk}").json()
    assert same["added"] == same["removed"] == same["changed"] == []


@pytest.mark.parametrize("calendar", ["calendar", "broadcast"])
def test_flowchart_cells_add_up_to_the_plan_total(demo: Any, api_as: Any, calendar: str) -> None:
    api = api_as(demo.alice)
    for version in PlanVersion.objects.all():
        chart = api.get(f"/api/v1/plans/{version.pk}/flowchart", calendar=calendar).json()
        plan_total = Decimal(api.get(f"/api/v1/plans/{version.pk}").json()["total_cost"])
        cells = sum(Decimal(c) for row in chart["rows"] for c in row["cells"])
        assert cells == Decimal(chart["total"]) == plan_total
        assert sum(Decimal(w) for w in chart["week_totals"]) == plan_total
        assert sum(Decimal(m["total"]) for m in chart["months"]) == plan_total


def test_flowchart_query_count_does_not_grow_with_placements(demo: Any, api_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    api = api_as(demo.alice)

    def queries() -> int:
        api.get(f"/api/v1/plans/{plan.pk}/flowchart")
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/v1/plans/{plan.pk}/flowchart").status_code == 200
        return len(captured)

    small = queries()
    for n in range(30):
        values = {**line(vendor=f"Vendor {n}"), "rate": Decimal("10"), "quantity": Decimal("1000")}
        values.update(start=date(2027, 4, 5), end=date(2027, 6, 27))
        services.add_placement(demo.alice, plan, values)
    assert queries() == small


# --- pages ----------------------------------------------------------------------------------


def test_plan_pages(demo: Any, web_as: Any) -> None:
    client = web_as(demo.ben)
    campaign = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1).campaign
    response = client.get(f"/campaigns/{campaign.pk}/plan/", follow=True)
    page = response.content.decode()
    assert "Plan version 2" in page and "Changes since v1" in page
    v1 = PlanVersion.objects.get(campaign=campaign, number=1)
    v2 = draft_of("NWND-AR26")
    diff = client.get(f"/campaigns/plans/{v1.pk}/diff/{v2.pk}/").content.decode()
    assert "Removed" in diff and "NWND_NWND-AR26_OOH_STROER_DE_202610" in diff
    chart = client.get(f"/campaigns/plans/{v2.pk}/flowchart/", {"calendar": "broadcast"})
    assert chart.status_code == 200 and "Week total" in chart.content.decode()


def test_add_placement_page_keeps_input_on_error(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    client = web_as(demo.ben)
    form = {**line(), "end": "2027-04-01", "commission_percent": "15"}
    response = client.post(f"/campaigns/plans/{plan.pk}/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is before the start date" in page and 'value="Spiegel Media"' in page
    form["end"] = "2027-05-02"
    response = client.post(f"/campaigns/plans/{plan.pk}/", form)
    assert response.status_code == 302
    assert plan.placements.filter(vendor="Spiegel Media").exists()


def test_page_actions_submit_approve(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    web_as(demo.ben).post(f"/campaigns/plans/{plan.pk}/submit/")
    plan.refresh_from_db()
    assert plan.status == "submitted"
    web_as(demo.alice).post(f"/campaigns/plans/{plan.pk}/approve/", {"comment": "Fine"})
    plan.refresh_from_db()
    assert plan.status == "approved"
    web_as(demo.dan).post(f"/campaigns/plans/{plan.pk}/reject/", {"comment": "Too much radio"})
    plan.refresh_from_db()
    assert plan.status == "rejected"
    assert plan.approvals.last().comment == "Too much radio"


def test_flowchart_filters_by_channel_vendor_and_market(demo: Any, web_as: Any) -> None:
    plan = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    client = web_as(demo.ben)
    url = f"/campaigns/plans/{plan.pk}/flowchart/"
    codes = {row.line.code for row in client.get(url, {"market": "AT"}).context["chart"].rows}
    assert codes == {"NWND_NWND-AR26_SOCIAL_META_AT_202609"}
    chart = client.get(url, {"vendor": "RMS"}).context["chart"]
    assert [row.line.vendor for row in chart.rows] == ["RMS"]
    assert chart.total == plan.placements.get(vendor="RMS").cost


def test_download_menu_only_for_roles_that_may_download(demo: Any, web_as: Any) -> None:
    plan = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    assert (
        "Excel flowchart" in web_as(demo.ben).get(f"/campaigns/plans/{plan.pk}/").content.decode()
    )
    reviewer_page = web_as(demo.dan).get(f"/campaigns/plans/{plan.pk}/")
    assert reviewer_page.status_code == 200
    assert "Excel flowchart" not in reviewer_page.content.decode()
    assert web_as(demo.dan).get(f"/campaigns/plans/{plan.pk}/export/").status_code == 403
