"""Budget: placements in other currencies, FX rates per client and month, roll-ups, warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediadesk.accounts.models import FxRate
from mediadesk.accounts.services import set_fx_rate
from mediadesk.audit.models import AuditEvent
from mediadesk.planning import services
from mediadesk.planning.models import Campaign, Placement, PlanVersion

ONE_MONTH = (
    "Enter the USD→EUR rate for Oct 2026 under Settings › FX rates, or enter the placement in EUR."
)


def fx_campaign(demo: Any, budget: str = "10000.00") -> tuple[Campaign, PlanVersion]:
    """A Northwind (EUR) campaign for Oct–Dec 2026 with an empty draft plan."""
    campaign = services.create_campaign(
        demo.alice,
        client_id=demo.northwind.pk,
        values={"name": "FX test", "code": "NWND-FX26", "start": date(2026, 10, 1),
                "end": date(2026, 12, 31), "budget": Decimal(budget), "currency": "EUR"},
    )  # fmt: skip
    return campaign, services.start_plan(demo.alice, campaign)


def usd_line(**overrides: Any) -> dict[str, Any]:
    """6,100 USD flat over 1 Oct – 30 Nov 2026: 100 a day, so 3,100 in Oct and 3,000 in Nov."""
    body = {
        "channel": "social", "vendor": "Meta", "market": "US", "start": "2026-10-01",
        "end": "2026-11-30", "cost_model": "flat", "cost": "6100.00", "currency": "USD",
    }  # fmt: skip
    body.update(overrides)
    return body


def eur_line() -> dict[str, Any]:
    return {
        "channel": "display", "vendor": "Spiegel Media", "market": "DE", "start": "2026-10-05",
        "end": "2026-10-25", "cost_model": "flat", "cost": "1000.00",
    }  # fmt: skip


def values(body: dict[str, Any]) -> dict[str, Any]:
    """An API body as the service takes it: dates as dates, money as Decimal."""
    out = dict(body)
    for name in ("start", "end"):
        out[name] = date.fromisoformat(out[name])
    out["cost"] = Decimal(out["cost"])
    return out


def enter_rates(demo: Any, rates: dict[str, str], pair: tuple[str, str] = ("USD", "EUR")) -> None:
    for month, rate in rates.items():
        set_fx_rate(demo.cara, demo.northwind, month, pair[0], pair[1], rate)


def fx_events(fx_id: int) -> Any:
    kind = ContentType.objects.get_for_model(FxRate)
    return AuditEvent.objects.filter(content_type=kind, object_id=str(fx_id))


def currency_errors(response: Any) -> list[str]:
    assert response.status_code == 422, response.content
    return [d["message"] for d in response.json()["detail"] if d["field"] == "currency"]


# --- placements in another currency ---------------------------------------------------------


def test_a_placement_in_another_currency_needs_the_rate_of_its_month(
    demo: Any, api_as: Any
) -> None:
    _, plan = fx_campaign(demo)
    api = api_as(demo.ben)
    url = f"/api/v1/plans/{plan.pk}/placements"
    october = usd_line(start="2026-10-05", end="2026-10-25")
    assert currency_errors(api.post(url, october)) == [ONE_MONTH]
    # Every month of the flight is named, in one sentence.
    assert currency_errors(api.post(url, usd_line(end="2026-12-02"))) == [
        "Enter the USD→EUR rates for Oct 2026, Nov 2026 and Dec 2026 under Settings › FX rates, "
        "or enter the placement in EUR."
    ]
    assert not plan.placements.exists()
    # A rate in the other direction does not count: only the direction entered is used.
    enter_rates(demo, {"2026-10": "1.08"}, pair=("EUR", "USD"))
    assert currency_errors(api.post(url, october)) == [ONE_MONTH]
    enter_rates(demo, {"2026-10": "0.92"})
    assert api.post(url, october).status_code == 201
    # November is still missing for a longer flight.
    assert currency_errors(api.post(url, usd_line(code="LONGER"))) == [
        "Enter the USD→EUR rate for Nov 2026 under Settings › FX rates, "
        "or enter the placement in EUR."
    ]


def test_rates_for_every_month_let_the_line_in_and_convert_month_by_month(
    demo: Any, api_as: Any
) -> None:
    campaign, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    api = api_as(demo.ben)
    created = api.post(f"/api/v1/plans/{plan.pk}/placements", usd_line())
    assert created.status_code == 201, created.content
    assert created.json()["currency"] == "USD" and created.json()["cost"] == "6100.00"
    assert api.post(f"/api/v1/plans/{plan.pk}/placements", eur_line()).status_code == 201

    budget = api.get(f"/api/v1/plans/{plan.pk}/budget").json()
    # 3,100 USD × 0.92 + 3,000 USD × 0.95 = 2,852.00 + 2,850.00 EUR; plus 1,000 EUR.
    assert budget["currency"] == "EUR"
    assert budget["total"] == "6702.00"
    assert [(m["key"], m["label"], m["amount"]) for m in budget["by_month"]] == [
        ("2026-10", "Oct 2026", "3852.00"),
        ("2026-11", "Nov 2026", "2850.00"),
    ]
    assert [(c["key"], c["label"], c["amount"]) for c in budget["by_channel"]] == [
        ("social", "Social", "5702.00"),
        ("display", "Display / programmatic", "1000.00"),
    ]
    assert {v["key"]: v["amount"] for v in budget["by_vendor"]} == {
        "Meta": "5702.00", "Spiegel Media": "1000.00",
    }  # fmt: skip
    assert {m["key"]: m["amount"] for m in budget["by_market"]} == {
        "US": "5702.00", "DE": "1000.00",
    }  # fmt: skip
    for dimension in ("by_channel", "by_month", "by_vendor", "by_market"):
        assert sum(Decimal(part["amount"]) for part in budget[dimension]) == Decimal("6702.00")
    assert budget["budget"] == "10000.00" and budget["budget_currency"] == "EUR"
    assert budget["planned_in_budget_currency"] == "6702.00"
    assert budget["remaining"] == "3298.00"
    assert budget["percent_used"] == "67.0"
    assert budget["over_budget"] is False
    assert budget["missing_rates"] == [] and budget["missing_rates_message"] == ""

    # The plan's total is the converted total everywhere the API shows it.
    assert api.get(f"/api/v1/plans/{plan.pk}").json()["total_cost"] == "6702.00"
    listed = api.get(f"/api/v1/campaigns/{campaign.pk}/plans").json()
    assert [v["total_cost"] for v in listed] == ["6702.00"]


def test_changing_a_line_keeps_its_currency(demo: Any, api_as: Any) -> None:
    _, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    api = api_as(demo.ben)
    line_id = api.post(f"/api/v1/plans/{plan.pk}/placements", usd_line()).json()["id"]
    changed = api.patch(f"/api/v1/placements/{line_id}", {"rate": "6200.00"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["currency"] == "USD" and changed.json()["cost"] == "6200.00"
    # Moving the flight into a month without a rate is refused, naming the month.
    moved = api.patch(f"/api/v1/placements/{line_id}", {"end": "2026-12-15"})
    assert currency_errors(moved) == [
        "Enter the USD→EUR rate for Dec 2026 under Settings › FX rates, "
        "or enter the placement in EUR."
    ]


def test_over_budget_is_a_warning_with_a_word(demo: Any, api_as: Any, web_as: Any) -> None:
    _, plan = fx_campaign(demo, budget="5000.00")
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    services.add_placement(demo.ben, plan, values(usd_line()))
    services.add_placement(demo.ben, plan, values(eur_line()))
    budget = api_as(demo.ben).get(f"/api/v1/plans/{plan.pk}/budget").json()
    assert budget["over_budget"] is True
    assert budget["remaining"] == "-1702.00"
    assert budget["percent_used"] == "134.0"

    page = web_as(demo.ben).get(plan.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="budget-h">Budget' in body
    assert "Over budget" in body and "1,702.00" in body
    assert "134.0 %" in body and "<meter" in body
    for caption in ("By channel", "By month", "By vendor", "By market"):
        assert f"<caption>{caption}</caption>" in body
    assert "Oct 2026" in body and "3,852.00" in body
    assert "converted into EUR month by month" in body
    assert page.context["total"] == Decimal("6702.00")


def test_within_budget_in_the_same_currency(demo: Any, web_as: Any) -> None:
    plan = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    body = web_as(demo.ben).get(plan.get_absolute_url()).content.decode()
    assert "Within budget" in body and "Over budget" not in body
    assert "Rate missing" not in body


def test_a_budget_in_another_currency_converts_the_planned_total(demo: Any, api_as: Any) -> None:
    campaign, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    services.add_placement(demo.ben, plan, values(usd_line()))
    services.add_placement(demo.ben, plan, values(eur_line()))
    services.update_campaign(demo.ben, campaign, {"currency": "USD", "budget": Decimal("7000")})
    api = api_as(demo.ben)
    budget = api.get(f"/api/v1/plans/{plan.pk}/budget").json()
    # The plan stays in EUR; comparing with a USD budget needs the EUR→USD rates.
    assert budget["total"] == "6702.00" and budget["currency"] == "EUR"
    assert budget["planned_in_budget_currency"] is None and budget["over_budget"] is None
    assert [
        (m["currency_from"], m["currency_to"], m["month"]) for m in budget["missing_rates"]
    ] == [
        ("EUR", "USD", "2026-10"),
        ("EUR", "USD", "2026-11"),
    ]
    assert budget["missing_rates_message"] == (
        "Enter the EUR→USD rates for Oct 2026 and Nov 2026 under Settings › FX rates."
    )
    enter_rates(demo, {"2026-10": "1.10", "2026-11": "1.05"}, pair=("EUR", "USD"))
    budget = api.get(f"/api/v1/plans/{plan.pk}/budget").json()
    # 3,852.00 × 1.10 + 2,850.00 × 1.05 = 4,237.20 + 2,992.50 USD.
    assert budget["planned_in_budget_currency"] == "7229.70"
    assert budget["budget_currency"] == "USD"
    assert budget["over_budget"] is True and budget["remaining"] == "-229.70"


def test_a_missing_rate_is_named_wherever_the_total_shows(
    demo: Any, api_as: Any, web_as: Any
) -> None:
    campaign, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    services.add_placement(demo.ben, plan, values(usd_line()))
    # A rate gone behind mediadesk's back (the service refuses, see below): nothing is guessed.
    FxRate.objects.filter(month=date(2026, 11, 1)).delete()
    api = api_as(demo.ben)
    budget = api.get(f"/api/v1/plans/{plan.pk}/budget").json()
    assert budget["total"] is None and budget["by_channel"] == [] and budget["remaining"] is None
    assert budget["missing_rates"] == [{
        "currency_from": "USD", "currency_to": "EUR", "month": "2026-11",
        "message": "Enter the USD→EUR rate for Nov 2026 under Settings › FX rates.",
    }]  # fmt: skip
    assert api.get(f"/api/v1/plans/{plan.pk}").json()["total_cost"] is None
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/plans").json()[0]["total_cost"] is None

    # The coordinator reads what to enter; finance gets a link that fills the form in.
    coordinator = web_as(demo.ben).get(plan.get_absolute_url()).content.decode()
    assert "Rate missing" in coordinator
    assert "Enter the USD→EUR rate for Nov 2026 under Settings › FX rates." in coordinator
    assert "fx-month=2026-11" not in coordinator
    finance = web_as(demo.cara).get(plan.get_absolute_url()).content.decode()
    assert "fx-month=2026-11&amp;fx-currency_from=USD&amp;fx-currency_to=EUR#fx-rates" in finance
    form = web_as(demo.cara).get(
        f"/settings/clients/{demo.northwind.pk}/",
        {"fx-month": "2026-11", "fx-currency_from": "USD", "fx-currency_to": "EUR"},
    )
    assert 'value="2026-11"' in form.content.decode()


def test_plan_list_totals_cost_the_same_queries_for_more_versions(demo: Any, api_as: Any) -> None:
    campaign, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    services.add_placement(demo.alice, plan, values(usd_line()))
    api = api_as(demo.alice)
    url = f"/api/v1/campaigns/{campaign.pk}/plans"

    def queries() -> int:
        api.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        latest = campaign.plan_versions.order_by("-number").first()
        services.submit_plan(demo.alice, latest)
        services.new_draft(demo.alice, latest)
    listed = api.get(url).json()
    assert len(listed) == 4 and {v["total_cost"] for v in listed} == {"5702.00"}
    assert queries() == one


# --- FX rates: who may enter them, and where --------------------------------------------------


def test_finance_and_admins_enter_rates_coordinators_do_not(demo: Any, api_as: Any) -> None:
    url = f"/api/v1/clients/{demo.northwind.pk}/fx-rates"
    body = {"month": "2026-10", "currency_from": "usd", "currency_to": "EUR", "rate": "0.92"}
    entered = api_as(demo.cara).request("PUT", url, body)
    assert entered.status_code == 200, entered.content
    assert entered.json() | {"id": 0, "updated_at": ""} == {
        "id": 0, "month": "2026-10", "currency_from": "USD", "currency_to": "EUR",
        "rate": "0.92000000", "updated_at": "",
    }  # fmt: skip
    changed = api_as(demo.alice).request("PUT", url, {**body, "rate": "0.93", "reason": "ECB"})
    assert changed.status_code == 200 and changed.json()["rate"] == "0.93000000"
    assert FxRate.objects.filter(client=demo.northwind).count() == 1

    refused = api_as(demo.ben).request("PUT", url, {**body, "rate": "1"})
    assert refused.status_code == 403
    assert "finance" in refused.json()["detail"]
    assert FxRate.objects.get(client=demo.northwind).rate == Decimal("0.93")

    # Coordinators see the rates (they see budgets); client reviewers do not.
    listed = api_as(demo.ben).get(url)
    assert listed.status_code == 200
    assert [(r["month"], r["rate"]) for r in listed.json()] == [("2026-10", "0.93000000")]
    assert api_as(demo.dan).get(url).status_code == 403

    events = fx_events(entered.json()["id"]).order_by("at", "id")
    assert [(e.action, e.changes.get("rate")) for e in events] == [
        ("created", [None, "0.92000000"]),
        ("updated", ["0.92000000", "0.93000000"]),
    ]
    assert events[1].reason == "ECB" and events[1].via == "api"


def test_another_clients_rates_are_not_found(demo: Any, api_as: Any) -> None:
    set_fx_rate(demo.alice, demo.fabrikam, "2026-10", "EUR", "GBP", "0.86")
    url = f"/api/v1/clients/{demo.fabrikam.pk}/fx-rates"
    body = {"month": "2026-10", "currency_from": "EUR", "currency_to": "GBP", "rate": "1"}
    assert api_as(demo.ben).get(url).status_code == 404
    assert api_as(demo.ben).request("PUT", url, body).status_code == 404
    fx = FxRate.objects.get(client=demo.fabrikam)
    assert api_as(demo.ben).request("DELETE", f"{url}/{fx.pk}").status_code == 404
    # Under one's own client's address, another client's rate is not found either.
    own = f"/api/v1/clients/{demo.northwind.pk}/fx-rates/{fx.pk}"
    assert api_as(demo.cara).request("DELETE", own).status_code == 404
    assert FxRate.objects.get(client=demo.fabrikam).rate == Decimal("0.86")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"month": "2026-13"}, "month", "such as 2026-10"),
        ({"currency_from": "XYZ"}, "currency_from", "not a currency"),
        ({"currency_from": "EUR"}, "currency_to", "two different currencies"),
        ({"rate": "0"}, "rate", "above zero"),
        ({"rate": "-1"}, "rate", "above zero"),
        ({"rate": "0.123456789"}, "rate", "at most 8 decimals"),
        ({"rate": "12345678901"}, "rate", "too large"),
    ],
)
def test_bad_rates_are_refused(
    demo: Any, api_as: Any, change: dict[str, str], field: str, words: str
) -> None:
    body = {"month": "2026-10", "currency_from": "USD", "currency_to": "EUR", "rate": "0.92"}
    response = api_as(demo.cara).request(
        "PUT", f"/api/v1/clients/{demo.northwind.pk}/fx-rates", {**body, **change}
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(d["field"] == field and words in d["message"] for d in detail), detail
    assert not FxRate.objects.exists()


def test_a_rate_in_use_cannot_be_removed(demo: Any, api_as: Any) -> None:
    _, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95", "2026-12": "0.96"})
    services.add_placement(demo.ben, plan, values(usd_line()))
    api = api_as(demo.cara)
    base = f"/api/v1/clients/{demo.northwind.pk}/fx-rates"
    november = FxRate.objects.get(month=date(2026, 11, 1))
    refused = api.request("DELETE", f"{base}/{november.pk}")
    assert refused.status_code == 409
    assert "runs in Nov 2026" in refused.json()["detail"]
    december = FxRate.objects.get(month=date(2026, 12, 1))
    assert api_as(demo.ben).request("DELETE", f"{base}/{december.pk}").status_code == 403
    assert api.request("DELETE", f"{base}/{december.pk}").status_code == 204
    assert not FxRate.objects.filter(pk=december.pk).exists()
    gone = fx_events(december.pk).get(action="deleted")
    assert gone.changes["rate"] == ["0.96000000", None]


def test_settings_page_lists_and_enters_rates(demo: Any, web_as: Any) -> None:
    url = f"/settings/clients/{demo.northwind.pk}/"
    post_url = f"/settings/clients/{demo.northwind.pk}/fx-rates/"
    form = {"fx-month": "2026-10", "fx-currency_from": "USD", "fx-currency_to": "EUR",
            "fx-rate": "0.92"}  # fmt: skip

    # A coordinator reads the rates but has no form, and cannot post one.
    set_fx_rate(demo.cara, demo.northwind, "2026-09", "USD", "EUR", "0.91")
    coordinator = web_as(demo.ben).get(url).content.decode()
    assert 'id="fx-h">FX rates' in coordinator and "1 USD = 0.91 EUR" in coordinator
    assert "Save rate" not in coordinator
    assert web_as(demo.ben).post(post_url, form).status_code == 403
    assert "fx-rates" not in web_as(demo.dan).get(url).content.decode()

    finance = web_as(demo.cara)
    assert "Save rate" in finance.get(url).content.decode()
    saved = finance.post(post_url, form)
    assert saved.status_code == 302 and saved["Location"].endswith("#fx-rates")
    assert FxRate.objects.get(month=date(2026, 10, 1)).rate == Decimal("0.92")

    # A refused rate shows its error beside the field, with the typed values kept.
    refused = finance.post(post_url, {**form, "fx-rate": "0", "fx-currency_to": "USD"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert 'id="id_fx-rate_error"' in body and "Give a rate above zero" in body
    assert 'id="id_fx-currency_to_error"' in body and "two different currencies" in body

    fx = FxRate.objects.get(month=date(2026, 9, 1))
    removed = finance.post(f"/settings/clients/{demo.northwind.pk}/fx-rates/{fx.pk}/remove/")
    assert removed.status_code == 302
    assert not FxRate.objects.filter(pk=fx.pk).exists()
    history = finance.get(url).content.decode()
    assert "USD→EUR Sep 2026" in history  # the removal is in the client's recent changes

    # Another client's settings address answers 404, for the page and for the rate alike.
    fabrikam_rate = set_fx_rate(demo.alice, demo.fabrikam, "2026-10", "EUR", "GBP", "0.86")
    foreign = web_as(demo.ben).post(f"/settings/clients/{demo.fabrikam.pk}/fx-rates/", form)
    assert foreign.status_code == 404
    finance = web_as(demo.cara)
    assert (
        finance.post(
            f"/settings/clients/{demo.northwind.pk}/fx-rates/{fabrikam_rate.pk}/remove/"
        ).status_code
        == 404
    )
    assert FxRate.objects.filter(pk=fabrikam_rate.pk).exists()


def test_placements_stay_in_their_currency_in_copies(demo: Any) -> None:
    _, plan = fx_campaign(demo)
    enter_rates(demo, {"2026-10": "0.92", "2026-11": "0.95"})
    services.add_placement(demo.ben, plan, values(usd_line()))
    services.submit_plan(demo.ben, plan)
    draft = services.new_draft(demo.ben, plan)
    assert [p.currency for p in Placement.objects.filter(version=draft)] == ["USD"]
