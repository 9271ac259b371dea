"""The plan grid: its page, and saving rows as the grid sends them (cell texts, per-row answers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mediadesk.audit.models import AuditEvent
from mediadesk.planning import services
from mediadesk.planning.models import Placement, PlanVersion


def draft_of(code: str) -> PlanVersion:
    return PlanVersion.objects.get(campaign__code=code, status="draft")


def grid_url(plan: PlanVersion, rest: str = "") -> str:
    return f"/campaigns/plans/{plan.pk}/grid/{rest}"


def save(client: Any, plan: PlanVersion, rows: list[dict[str, Any]]) -> Any:
    return client.post(grid_url(plan, "rows/"), {"rows": rows}, content_type="application/json")


def new_row(key: str, **values: str) -> dict[str, Any]:
    cells = {
        "channel": "Display",
        "vendor": "Spiegel Media",
        "market": "DE",
        "start": "5 Apr 2027",
        "end": "2 May 2027",
        "cost_model": "CPM",
        "rate": "12.50",
        "quantity": "2,400,000",
    }
    cells.update(values)
    return {"id": None, "client_key": key, "values": cells}


# --- the page -------------------------------------------------------------------------------


def test_grid_page_shows_the_draft_as_inputs(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    page = web_as(demo.ben).get(grid_url(plan))
    assert page.status_code == 200
    body = page.content.decode()
    radio = plan.placements.get(channel="radio")
    assert f'data-id="{radio.pk}"' in body
    assert 'aria-label="Vendor, line 1"' in body and 'aria-label="Rate, line 5"' in body
    # Numbers and dates as they read on screen: 140 spots × 350.00 = 49,000.00.
    for shown in ("RMS", "350.00", "140", "49,000.00", "41,650.00"):
        assert f'value="{shown}"' in body, shown
    assert f'value="{radio.start.day} {radio.start:%b %Y}"' in body
    assert "mediadesk/grid.js" in body and "<script>" not in body
    assert body.count('data-orig=""') >= 3 * 15  # the empty lines for new placements


def test_plan_page_links_the_grid_only_for_editable_drafts(demo: Any, web_as: Any) -> None:
    draft = draft_of("NWND-AR26")
    approved = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    ben = web_as(demo.ben)
    assert "Edit in grid" in ben.get(f"/campaigns/plans/{draft.pk}/").content.decode()
    assert "Edit in grid" not in ben.get(f"/campaigns/plans/{approved.pk}/").content.decode()
    cara = web_as(demo.cara)  # finance: reads plans, does not change them
    assert "Edit in grid" not in cara.get(f"/campaigns/plans/{draft.pk}/").content.decode()


def test_read_only_grid_for_a_frozen_version_and_for_finance(demo: Any, web_as: Any) -> None:
    approved = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    body = web_as(demo.ben).get(grid_url(approved)).content.decode()
    assert "frozen" in body and "grid-save" not in body and "readonly" in body
    body = web_as(demo.cara).get(grid_url(draft_of("NWND-AR26"))).content.decode()
    assert "lets you read the plan but not change it" in body and "grid-save" not in body


# --- saving rows ------------------------------------------------------------------------------


def test_batch_with_a_new_a_changed_and_a_bad_row_answers_per_row(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    dooh = plan.placements.get(channel="dooh")  # CPM 18.00 × 4,000,000 = 72,000.00
    before = plan.placements.count()
    response = save(
        web_as(demo.ben),
        plan,
        [
            new_row("n1"),
            {"id": dooh.pk, "client_key": f"p{dooh.pk}", "values": {"rate": "20"}},
            new_row("n2", vendor="Google Ads", channel="search", cost_model="cpc", rate="0"),
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["saved"], body["failed"]) == (2, 1)
    added, changed, bad = body["results"]

    assert added["ok"] and added["client_key"] == "n1"
    assert added["values"]["cost"] == "30,000.00"  # derived: 2,400,000 / 1000 × 12.50
    assert added["values"]["net_cost"] == "25,500.00"
    assert added["values"]["code"] == "NWND_NWND-CB27_DISPLAY_SPIEGEL-MEDIA_DE_202704"
    assert added["values"]["start"] == "5 Apr 2027"
    assert Placement.objects.get(pk=added["id"]).quantity == Decimal("2400000")

    # Only the rate was sent: the quantity stays and the cost follows.
    assert changed["ok"] and changed["id"] == dooh.pk
    assert changed["values"]["rate"] == "20.00"
    assert changed["values"]["quantity"] == "4,000,000"
    assert changed["values"]["cost"] == "80,000.00"
    dooh.refresh_from_db()
    assert dooh.cost == Decimal("80000.00")
    event = AuditEvent.objects.for_object(dooh).order_by("id").last()
    assert event.changes["rate"] == ["18.0000", "20.0000"]

    assert bad == {
        "client_key": "n2",
        "id": None,
        "ok": False,
        "errors": {"rate": "The rate must be above zero; 0 was given."},
    }
    assert plan.placements.count() == before + 1
    assert body["totals"]["lines"] == before + 1


def test_a_changed_cost_rederives_the_quantity(demo: Any, web_as: Any) -> None:
    radio = draft_of("NWND-AR26").placements.get(channel="radio")  # 140 spots × 350.00
    response = save(
        web_as(demo.ben),
        radio.version,
        [{"id": radio.pk, "client_key": "x", "values": {"cost": "70.000,00"}}],
    )
    (result,) = response.json()["results"]
    assert result["ok"], result
    assert result["values"]["quantity"] == "200"
    assert result["values"]["rate"] == "350.00"


def test_errors_name_the_cell_and_nothing_is_saved(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    tiktok = plan.placements.get(channel="social")
    response = save(
        web_as(demo.ben),
        plan,
        [
            new_row("a", channel="TV", rate="abc", start="31 Feb 2027"),
            new_row("b", vendor="", cost_model=""),
            new_row("c", end="1 Apr 2027"),
            {"id": tiktok.pk, "client_key": "d", "values": {"vendor": "", "code": ""}},
            {"id": 987654, "client_key": "e", "values": {"vendor": "Gone"}},
            new_row("f", code=tiktok.code),
        ],
    )
    a, b, c, d, e, f = response.json()["results"]
    assert a["errors"]["channel"].startswith("“TV” is not a channel; use one of: ")
    assert a["errors"]["rate"] == "'abc' is not a number."
    assert "31 Feb 2027" in a["errors"]["start"]
    assert b["errors"] == {"vendor": "Give the vendor.", "cost_model": "Choose a cost model."}
    assert "is before the start date" in c["errors"]["end"]
    assert d["errors"]["vendor"] == "Give the vendor."
    assert "code" in d["errors"]
    assert "no longer in this draft" in e["errors"]["__all__"]
    assert "already uses the code" in f["errors"]["code"]
    assert not any(r["ok"] for r in (a, b, c, d, e, f))
    tiktok.refresh_from_db()
    assert tiktok.vendor == "TikTok"


@pytest.mark.parametrize(
    ("rows", "quantities"),
    [
        # One German paste: "60.000" alone is sixty thousand because the paste's other numbers
        # show the decimal comma (the grid judged the paste and says so per row).
        (
            [
                new_row("g1", rate="0,85", quantity="60.000", cost_model="cpc"),
                new_row("g2", rate="18", quantity="60.000", vendor="Ströer"),
            ],
            ["60000.00", "60000.00"],
        ),
        # Without a sign either way, a lone row follows its own numbers: 1.234,56 has both.
        ([new_row("g3", cost_model="cpc", rate="1.234,56", quantity="10")], ["10.00"]),
    ],
)  # fmt: skip
def test_pasted_numbers_with_a_decimal_comma(
    demo: Any, web_as: Any, rows: list[dict[str, Any]], quantities: list[str]
) -> None:
    plan = draft_of("NWND-CB27")
    results = save(web_as(demo.ben), plan, rows).json()["results"]
    assert all(r["ok"] for r in results), results
    saved = [Placement.objects.get(pk=r["id"]) for r in results]
    assert [f"{p.quantity:f}" for p in saved] == quantities


def test_german_paste_reads_as_the_grid_judged_it(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    rows = [
        {**new_row("p1", cost_model="cpc", rate="0,85", quantity="60.000"), "decimal_comma": True},
        # This line alone shows no decimal comma; the paste it came from did.
        {**new_row("p2", cost_model="flat", rate="", quantity="", cost="1.500", market="AT"),
         "decimal_comma": True},
        # Pasted German "60.000" in a line whose rate was typed the English way afterwards.
        {**new_row("p3", cost_model="cpc", rate="1.20", quantity="60.000", market="IT"),
         "decimal_comma": {"quantity": True}},
        new_row("t1", cost_model="cpc", rate="1.234,56", quantity="10", market="CH"),
        new_row("t2", cost_model="cpc", rate="1,234.56", quantity="10", market="FR"),
    ]  # fmt: skip
    results = save(web_as(demo.ben), plan, rows).json()["results"]
    assert all(r["ok"] for r in results), results
    p1, p2, p3, t1, t2 = (Placement.objects.get(pk=r["id"]) for r in results)
    assert (p3.rate, p3.quantity) == (Decimal("1.20"), Decimal("60000"))
    assert (p1.rate, p1.quantity, p1.cost) == (Decimal("0.85"), Decimal("60000"), Decimal("51000"))
    assert p2.cost == Decimal("1500")
    assert t1.rate == t2.rate == Decimal("1234.56")
    assert results[0]["values"]["cost"] == "51,000.00"


def test_slashed_dates_are_day_first(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-CB27")
    (result,) = save(
        web_as(demo.ben), plan, [new_row("d", start="05/04/2027", end="02/05/2027")]
    ).json()["results"]
    assert result["ok"], result
    assert (result["values"]["start"], result["values"]["end"]) == ("5 Apr 2027", "2 May 2027")


def test_delete_rows(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    radio = plan.placements.get(channel="radio")
    response = web_as(demo.ben).post(
        grid_url(plan, "delete/"), {"ids": [radio.pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["deleted"] == [radio.pk]
    assert not Placement.objects.filter(pk=radio.pk).exists()
    assert AuditEvent.objects.filter(action="deleted", object_id=str(radio.pk)).exists()


# --- refusals ---------------------------------------------------------------------------------


def test_frozen_version_answers_409(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    services.submit_plan(demo.ben, plan)
    client = web_as(demo.ben)
    response = save(client, plan, [new_row("n")])
    assert response.status_code == 409
    assert "frozen" in response.json()["detail"]
    delete = client.post(
        grid_url(plan, "delete/"),
        {"ids": [plan.placements.first().pk]},
        content_type="application/json",
    )
    assert delete.status_code == 409
    assert plan.placements.count() == 5


def test_foreign_or_hidden_plans_are_not_found(demo: Any, web_as: Any) -> None:
    fabrikam = PlanVersion.objects.filter(campaign__code="FBRK-TS27").first()
    client = web_as(demo.ben)
    assert client.get(grid_url(fabrikam)).status_code == 404
    assert save(client, fabrikam, [new_row("n")]).status_code == 404
    # A client reviewer does not see drafts at all.
    dan = web_as(demo.dan)
    assert dan.get(grid_url(draft_of("NWND-AR26"))).status_code == 404
    assert save(dan, draft_of("NWND-AR26"), [new_row("n")]).status_code == 404


def test_roles_that_only_read_get_403(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    response = save(web_as(demo.cara), plan, [new_row("n")])
    assert response.status_code == 403
    assert plan.placements.count() == 5


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", b'{"rows": "x"}', b'{"rows": [1]}', b'{"rows": [{"id": null}]}'],
)
def test_malformed_bodies_are_400(demo: Any, web_as: Any, body: bytes) -> None:
    plan = draft_of("NWND-AR26")
    response = web_as(demo.ben).post(grid_url(plan, "rows/"), body, content_type="application/json")
    assert response.status_code == 400
    assert plan.placements.count() == 5


def test_cells_must_be_grid_columns(demo: Any, web_as: Any) -> None:
    plan = draft_of("NWND-AR26")
    radio = plan.placements.get(channel="radio")
    (result,) = save(
        web_as(demo.ben),
        plan,
        [{"id": radio.pk, "client_key": "r", "values": {"net_cost": "1", "version": "2"}}],
    ).json()["results"]
    assert not result["ok"] and "cannot set" in result["errors"]["__all__"]
