"""The Media Plan Open Data Standard v3.0 mapping: tables, round trip, foreign and bad documents.

The standard's schema files and example are read from ../shared/ beside the repository when it
is there (they are MIT licensed but not copied into the project); those tests skip otherwise.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mediadesk.domain.costmodels import CostModel as DomainCostModel
from mediadesk.domain.costmodels import net_from_gross, price
from mediadesk.domain.openplan import (
    CHANNEL_FROM_STANDARD,
    CHANNEL_LABELS,
    CHANNEL_TO_STANDARD,
    COST_MODEL_FROM_STANDARD,
    COST_MODEL_METRIC,
    COST_MODEL_TO_STANDARD,
    FLIGHTINGS,
    KPI_FROM_STANDARD,
    KPI_TO_STANDARD,
    OpenPlan,
    OpenPlanError,
    from_open_plan,
    placement_values,
    to_open_plan,
)
from mediadesk.planning.choices import Channel, CostModel, Flighting, Kpi

D = Decimal
STANDARD = (
    Path(__file__).resolve().parents[2].parent
    / "shared" / "data" / "plan-templates" / "mediaplanschema-3.0"
)  # fmt: skip
needs_standard = pytest.mark.skipif(
    not (STANDARD / "mediaplan.schema.json").is_file(),
    reason=f"the standard's schema files are not in {STANDARD} (the shared folder is absent)",
)


def schema_validator() -> Draft202012Validator:
    """The standard's own schema, its $refs resolved from the sibling files (no network)."""
    schemas = {path.name: json.loads(path.read_text()) for path in STANDARD.glob("*.schema.json")}
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(schema)) for name, schema in schemas.items()
    )
    return Draft202012Validator(
        schemas["mediaplan.schema.json"],
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_errors(document: dict[str, object]) -> list[str]:
    errors = schema_validator().iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


# --- a plan that uses every channel and every cost model ------------------------------------

RATES = {
    "cpm": ("12.50", "8000000"),
    "cpc": ("0.85", "60000"),
    "cpa": ("4.50", "8000"),
    "cpl": ("14.00", "9000"),
    "cpv": ("0.02", "5000000"),
    "cpcv": ("0.0215", "2000000"),
    "cpe": ("0.12", "400000"),
    "cpp": ("450", "120.50"),
    "per_spot": ("350", "100"),
    "per_insertion": ("9500", "4"),
    "flat": ("40000", "1"),
}
META = {
    "id": "NWND/NWND-AR26/v1",
    "name": "Autumn Roast Launch – plan version 1",
    "created_by_id": "7",
    "created_by_name": "Alice Archer",
    "created_at": datetime(2026, 8, 3, 9, 30, tzinfo=UTC),
    "comments": "First plan",
    "custom_properties": {"mediadesk": {"plan_version": 1, "status": "draft"}},
}
CAMPAIGN = {
    "code": "NWND-AR26",
    "name": "Autumn Roast Launch",
    "start": date(2026, 9, 28),
    "end": date(2026, 12, 20),
    "budget": D("480000.00"),
    "currency": "EUR",
    "objective": "Awareness, Sales",
    "objectives": ["awareness", "sales"],
    "kpi_targets": [{"kpi": "cpm", "target": "9.50"}, {"kpi": "reach", "target": "6500000"}],
    "markets": ["DE", "AT"],
    "status": "live",
    "status_label": "Live",
    "client_code": "NWND",
    "client_name": "Northwind",
    "brand": "Northwind Coffee",
    "organization": "Harbour & Pine Media",
}


def sample_lines() -> list[dict[str, object]]:
    """One line per channel, cost models in turn (every one used), with the odd extras."""
    lines: list[dict[str, object]] = []
    models = list(RATES)
    for n, channel in enumerate(CHANNEL_LABELS):
        model = models[n % len(models)]
        rate, quantity = (D(v) for v in RATES[model])
        pricing = price(DomainCostModel(model), rate=rate, quantity=quantity)
        commission = D("10.00") if n % 2 else D("15.00")
        line: dict[str, object] = {
            "code": f"NWND_AR26_{channel.upper()}_{n:02d}",
            "name": "" if n % 3 == 0 else f"Line {n} – {CHANNEL_LABELS[channel]}",
            "channel": channel,
            "vendor": f"Vendor {n}",
            "property_name": "" if n == 4 else f"Property {n}",
            "market": ["DE", "AT", "Bavaria"][n % 3],
            "format": "" if n == 5 else "30s spot",
            "spot_length": 30 if n % 4 == 0 else None,
            "targeting": "Adults 25-54" if n % 2 else "",
            "start": date(2026, 9, 28),
            "end": date(2026, 11, 22),
            "flighting": "continuous",
            "weights": {},
            "cost_model": model,
            "rate": pricing.rate,
            "quantity": pricing.quantity,
            "cost": pricing.cost,
            "commission_percent": commission,
            "net_cost": net_from_gross(pricing.cost, commission),
            "fees": D("250.00") if n == 2 else D("0.00"),
            "currency": "EUR",
            "universe": D("2000000") if model == "cpp" else None,
            "kpi_targets": [{"kpi": "cpm", "target": "9.50"}, {"kpi": "ctr", "target": "0.35"}]
            if n == 1
            else [],
            "material_deadline": date(2026, 9, 18) if n % 2 else None,
            "notes": "Vendor asks for\nlogos by Friday — «urgent»" if n == 3 else "",
        }
        if model == "cpp":
            line["flighting"] = "pulsing"
            line["weights"] = {"2026-09-28": "1", "2026-10-05": "0", "2026-10-12": "1.5"}
        lines.append(line)
    # A cost given with its rate: the quantity was derived (and rounded), so rate × quantity
    # does not give the cost back; the import must keep all three as they are.
    derived = price(DomainCostModel.CPM, rate=D("12.50"), cost=D("30000.01"))
    lines.append(
        {**lines[0], "code": "NWND_AR26_DERIVED", "cost_model": "cpm", "name": "Derived",
         "rate": derived.rate, "quantity": derived.quantity, "cost": derived.cost,
         "net_cost": net_from_gross(derived.cost, D("15.00")), "commission_percent": D("15.00"),
         "universe": None, "flighting": "continuous", "weights": {}}
    )  # fmt: skip
    return lines


def through_json(document: dict[str, object]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(document))
    return loaded


def sample_document() -> dict[str, Any]:
    return through_json(to_open_plan(META, CAMPAIGN, sample_lines()))


# --- the vocabularies -----------------------------------------------------------------------


def test_channel_tables_cover_every_channel_both_ways() -> None:
    assert {value: str(label) for value, label in Channel.choices} == CHANNEL_LABELS
    assert set(CHANNEL_TO_STANDARD) == set(Channel.values)
    assert set(CHANNEL_FROM_STANDARD.values()) <= set(Channel.values)
    for channel, label in CHANNEL_LABELS.items():
        assert CHANNEL_FROM_STANDARD[label.lower()] == channel
        assert CHANNEL_FROM_STANDARD[channel] == channel
        # every word we write reads back as a channel
        assert CHANNEL_TO_STANDARD[channel].lower() in CHANNEL_FROM_STANDARD


def test_cost_model_tables_cover_every_cost_model_both_ways() -> None:
    assert set(COST_MODEL_TO_STANDARD) == set(CostModel.values) == set(COST_MODEL_METRIC)
    assert set(COST_MODEL_FROM_STANDARD.values()) <= set(CostModel.values)
    for model, label in COST_MODEL_TO_STANDARD.items():
        assert COST_MODEL_FROM_STANDARD[label.lower()] == model
    assert COST_MODEL_TO_STANDARD["per_spot"] == "Per spot"
    assert COST_MODEL_METRIC["cpm"] == "metric_impressions"
    assert COST_MODEL_METRIC["flat"] is None


def test_kpi_and_flighting_values_are_the_apps() -> None:
    assert set(KPI_TO_STANDARD) == set(Kpi.values)
    assert set(KPI_FROM_STANDARD.values()) <= set(Kpi.values)
    assert set(FLIGHTINGS) == set(Flighting.values)


# --- mediadesk -> standard -> mediadesk -----------------------------------------------------


def test_round_trip_keeps_every_field() -> None:
    lines = sample_lines()
    plan = from_open_plan(sample_document())
    assert plan.problems == []
    assert len(plan.lines) == len(lines)
    for given, read in zip(lines, plan.lines, strict=True):
        for name, value in given.items():
            if name == "net_cost":
                continue  # derived from the cost and the commission
            assert getattr(read, name) == value, (given["code"], name)
        assert read.extra == {}
    assert (plan.plan_id, plan.campaign_code, plan.currency) == (
        "NWND/NWND-AR26/v1",
        "NWND-AR26",
        "EUR",
    )
    assert (plan.start, plan.end, plan.budget) == (date(2026, 9, 28), date(2026, 12, 20), 480000)


def test_round_trip_gives_placement_values_that_price_the_same() -> None:
    lines = sample_lines()
    values, problems = placement_values(from_open_plan(sample_document()))
    assert problems == []
    for given, got in zip(lines, values, strict=True):
        for name, value in given.items():
            if name in {"rate", "quantity", "cost", "net_cost"}:
                continue
            assert got.get(name) == value, (given["code"], name)
        pair = {k: got[k] for k in ("rate", "quantity", "cost") if k in got}
        assert len(pair) == 2
        priced = price(DomainCostModel(str(got["cost_model"])), **pair)  # type: ignore[arg-type]
        assert (priced.rate, priced.quantity, priced.cost) == (
            given["rate"],
            given["quantity"],
            given["cost"],
        )
        assert net_from_gross(priced.cost, D(str(got["commission_percent"]))) == given["net_cost"]


@needs_standard
def test_a_plan_with_every_channel_and_cost_model_validates_against_the_standard() -> None:
    document = sample_document()
    assert schema_errors(document) == []
    assert document["meta"]["schema_version"] == "3.0"
    datetime.fromisoformat(document["meta"]["created_at"])


def test_document_uses_the_standards_slots() -> None:
    document = sample_document()
    items = {item["id"]: item for item in document["lineitems"]}
    cpm = items["NWND_AR26_LINEAR_TV_00"]
    assert cpm["channel"] == "TV" and cpm["dim_custom2"] == "Linear TV"
    assert cpm["dim_custom1"] == "CPM"
    assert cpm["metric_impressions"] == 8000000 and isinstance(cpm["cost_total"], int)
    assert cpm["cost_total"] == 100000
    assert cpm["metric_formulas"]["metric_impressions"] == {
        "formula_type": "cost_per_unit",
        "base_metric": "cost_total",
        "coefficient": 0.0125,
    }
    assert cpm["cost_media"] == 85000 and cpm["cost_buying"] == 15000
    assert cpm["name"] == "Vendor 0 · Property 0 · 30s spot"  # ours was blank
    assert cpm["location_type"] == "Country" and cpm["location_name"] == "DE"
    cpp = next(item for item in items.values() if item["dim_custom1"] == "CPP")
    assert cpp["metric_custom1"] == 120.5 and cpp["metric_audience_size"] == 2000000
    cinema = items["NWND_AR26_CINEMA_09"]
    assert (cinema["channel"], cinema["channel_custom"]) == ("Other", "Cinema")
    assert "location_type" not in items["NWND_AR26_RADIO_02"]  # "Bavaria"
    dictionary = document["dictionary"]
    assert dictionary["lineitem_custom_dimensions"]["dim_custom1"]["caption"] == "Cost model"
    assert dictionary["custom_metrics"]["metric_custom1"]["caption"] == "GRPs"
    assert document["campaign"]["kpi_name2"] == "metric_reach"
    assert document["campaign"]["target_locations"][0]["location_list"] == ["DE"]


def test_standard_fields_edited_elsewhere_win_over_the_kept_values() -> None:
    document = sample_document()
    item = document["lineitems"][0]  # linear TV, CPM, blank name
    item["cost_total"] = 120000
    item["metric_impressions"] = 9000000
    item["name"] = "Renamed in another tool"
    item["kpi"] = "CPA"
    item["kpi_value"] = 30
    values, problems = placement_values(from_open_plan(document))
    first = values[0]
    assert first["cost"] == 120000 and first["name"] == "Renamed in another tool"
    assert first["kpi_targets"] == [{"kpi": "cpa", "target": "30"}]
    assert first.get("quantity") == 9000000 and "rate" not in first
    assert any("the KPI was changed outside mediadesk" in p for p in problems)
    assert any("the rate 12.5000 does not fit the cost 120,000" in p for p in problems)


# --- documents other tools wrote ------------------------------------------------------------


def foreign_document(**line: object) -> dict[str, Any]:
    item = {
        "id": "li_1",
        "name": "LinkedIn sponsored content",
        "start_date": "2026-10-01",
        "end_date": "2026-10-31",
        "channel": "Digital",
        "vehicle": "LinkedIn",
        "partner": "LinkedIn Marketing Solutions",
        "cost_currency": "EUR",
        "cost_total": 20000,
        "metric_impressions": 1600000,
        **line,
    }
    meta = {"id": "x", "schema_version": "3.0", "created_by_name": "A"}
    campaign = {"id": "c", "name": "C", "start_date": "2026-10-01", "end_date": "2026-12-31"}
    captions = {
        "dim_custom3": {"status": "enabled", "caption": "Buy model"},
        "dim_custom4": {"status": "enabled", "caption": "Business type"},
    }
    return {
        "meta": {**meta, "created_at": "2026-08-01T10:00:00Z"},
        "campaign": {**campaign, "budget_total": 50000, "budget_currency": "EUR"},
        "lineitems": [item],
        "dictionary": {"lineitem_custom_dimensions": captions},
    }


def read_one(**line: object) -> tuple[dict[str, object], list[str]]:
    values, problems = placement_values(from_open_plan(foreign_document(**line)))
    return values[0], problems


def test_a_foreign_line_is_read_with_every_guess_said() -> None:
    values, problems = read_one(dim_custom4="B2B", dayparts="Business Hours", cost_media=18000)
    assert values["channel"] == "social" and values["cost_model"] == "cpm"
    assert (values["vendor"], values["property_name"]) == (
        "LinkedIn Marketing Solutions",
        "LinkedIn",
    )
    assert (values["quantity"], values["cost"], values["currency"]) == (1600000, 20000, "EUR")
    assert values["notes"] == "Dayparts: Business Hours\nBusiness type: B2B"
    assert problems == [
        "line 1 (li_1) has the broad channel 'Digital'; read as Social (from 'LinkedIn').",
        "line 1 (li_1) names no cost model (the standard has no field for one); priced as CPM "
        "from metric_impressions and cost_total.",
        "line 1 (li_1): mediadesk has no field for cost_media; not imported.",
    ]


def test_an_unknown_cost_model_close_to_a_known_one_is_kept_as_that() -> None:
    values, problems = read_one(dim_custom3="dCPM")
    assert values["cost_model"] == "cpm"
    assert "line 1 (li_1): cost model 'dCPM' is not one mediadesk knows; kept as CPM." in problems


def test_a_named_cost_model_and_its_formula_give_the_rate() -> None:
    formula = {"formula_type": "cost_per_unit", "base_metric": "cost_total", "coefficient": 0.0125}
    values, problems = read_one(dim_custom3="CPM", metric_formulas={"metric_impressions": formula})
    assert (values["rate"], values["quantity"]) == (D("12.5"), D("1600000"))
    assert [p for p in problems if "cost model" in p] == []


def test_a_line_without_any_quantity_is_a_flat_fee_said_so() -> None:
    values, problems = read_one(metric_impressions=None, channel="Cinema")
    assert values["channel"] == "cinema"
    assert (values["cost_model"], values["quantity"], values["cost"]) == ("flat", 1, 20000)
    assert problems == [
        "line 1 (li_1) names no cost model (the standard has no field for one) and carries no "
        "quantity metric to price it by; imported as a flat fee."
    ]


def test_a_line_in_another_currency_is_converted_with_its_exchange_rate() -> None:
    values, problems = read_one(cost_currency="USD", cost_currency_exchange_rate=0.92)
    assert (values["cost"], values["currency"]) == (D("18400.00"), "EUR")
    assert "rate" not in values and values["quantity"] == 1600000
    assert str(values["notes"]).startswith("Booked in USD: 20,000 at 0.92 EUR per USD.")
    assert any("converted at 0.92 to 18,400.00 EUR" in p for p in problems)


def test_a_line_in_another_currency_without_a_rate_keeps_its_currency_and_says_so() -> None:
    values, problems = read_one(cost_currency="USD")
    assert (values["cost"], values["currency"]) == (20000, "USD")
    assert any("gives no usable exchange rate to EUR" in p for p in problems)


def test_an_aggregate_line_is_not_a_placement() -> None:
    plan = from_open_plan(foreign_document(is_aggregate=True, aggregation_level="channel"))
    assert plan.lines == []
    assert plan.problems == [
        "line 1 (li_1) holds aggregate values (channel level), not a placement; it is not imported."
    ]


def test_hostile_values_in_mediadesks_own_block_fall_back_to_defaults() -> None:
    own = {"weights": {"not a date": "1"}, "flighting": "sometimes", "fees": 1e400,
           "kpi_targets": [{"kpi": "cpm", "target": "9.5"}, {"kpi": "bogus", "target": "1"}],
           "spot_length": -3}  # fmt: skip
    document = foreign_document(custom_properties={"mediadesk": own}, kpi="CPM", kpi_value=9.5)
    plan = from_open_plan(document)
    line, problems = plan.lines[0], plan.problems
    assert (line.weights, line.flighting, line.fees, line.spot_length) == (
        {},
        "continuous",
        None,
        None,
    )
    assert line.kpi_targets == [{"kpi": "cpm", "target": "9.5"}]
    assert sum("is unreadable; it is left at its default" in p for p in problems) == 4
    assert any("KPI target 'bogus'" in p for p in problems)


@needs_standard
def test_the_standards_example_reads_line_by_line() -> None:
    example = json.loads((STANDARD / "example_mediaplan_v3.0.json").read_text())
    assert schema_errors(example) == []
    plan = from_open_plan(example)
    assert isinstance(plan, OpenPlan) and plan.currency == "USD"
    assert [line.code for line in plan.lines] == [item["id"] for item in example["lineitems"]]
    assert [line.channel for line in plan.lines] == ["social", "search", "online_video", "display"]
    assert [line.cost_model for line in plan.lines] == ["cpm", "cpc", "cpm", "cpm"]
    assert plan.lines[2].currency == "EUR" and plan.lines[2].exchange_rate == D("1.08")
    values, problems = placement_values(plan)
    assert len(values) == 4
    assert all(any(p.startswith(f"line {n} (") for p in problems) for n in range(1, 5))


# --- documents that are not v3.0 plans ------------------------------------------------------


def broken(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(sample_document())
    change(document)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([1, 2], "this file holds a list"),
        (broken(lambda d: d.pop("meta")), "The document has no meta object"),
        (broken(lambda d: d["meta"].pop("schema_version")), "does not say which version"),
        (broken(lambda d: d["meta"].update(schema_version="2.0")), "follows version 2.0"),
        (broken(lambda d: d.pop("campaign")), "The document has no campaign object"),
        (broken(lambda d: d["campaign"].pop("budget_total")), "The campaign lacks budget_total"),
        (broken(lambda d: d.update(lineitems={})), "has no lineitems list"),
        (broken(lambda d: d["lineitems"].append("x")), "Line item 21 is not an object"),
        (
            broken(lambda d: d["lineitems"][1].pop("cost_total")),
            "Line item 2 (NWND_AR26_CTV_OTT_01) lacks cost_total",
        ),
        (
            broken(lambda d: d["lineitems"][0].update(start_date="2026-13-01")),
            "start_date '2026-13-01' is not a date in the form YYYY-MM-DD",
        ),
        (
            broken(lambda d: d["lineitems"][0].update(cost_total="100")),
            "cost_total '100' is not a number",
        ),
        (
            broken(lambda d: d["lineitems"][0].update(cost_total=-5)),
            "cost_total is negative",
        ),
        (
            broken(lambda d: d["lineitems"][1].update(id=d["lineitems"][0]["id"])),
            "Line items 1 and 2 share the id",
        ),
    ],
)
def test_documents_that_cannot_be_read_say_why(document: Any, message: str) -> None:
    with pytest.raises(OpenPlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_open_plan(document)


def test_an_export_needs_known_channels_and_an_aware_time() -> None:
    line = {**sample_lines()[0], "channel": "telepathy"}
    with pytest.raises(OpenPlanError, match="'telepathy' is not a mediadesk channel"):
        to_open_plan(META, CAMPAIGN, [line])
    with pytest.raises(OpenPlanError, match="needs a time zone"):
        to_open_plan({**META, "created_at": datetime(2026, 8, 3)}, CAMPAIGN, [])


def test_a_fractional_count_is_rounded_and_said() -> None:
    values, problems = read_one(metric_impressions=1600000.4)
    assert values["quantity"] == 1600000
    assert "line 1 (li_1): the quantity 1,600,000.4 is rounded to 1,600,000." in problems


def test_a_cpp_line_does_not_take_a_custom_metric_meant_for_something_else() -> None:
    document = foreign_document(dim_custom3="CPP", metric_custom1=12, metric_units=40)
    document["dictionary"]["custom_metrics"] = {
        "metric_custom1": {"status": "enabled", "caption": "Brand Lift Index"}
    }
    line = from_open_plan(document).lines[0]
    assert (line.cost_model, line.quantity) == ("cpp", None)
    assert line.extra["metric_custom1"] == 12


def test_odd_json_values_in_unmodelled_fields_do_not_break_the_import() -> None:
    values, problems = read_one(kpi_value=True, dayparts=["a"], inventory=float("inf"))
    assert values["notes"] == ""
    assert (
        "line 1 (li_1): mediadesk has no field for dayparts, inventory, kpi_value; not imported."
        in problems
    )


def test_an_absurd_exchange_rate_is_refused_not_computed() -> None:
    values, problems = read_one(cost_currency="USD", cost_currency_exchange_rate=1e14)
    assert values["currency"] == "USD"
    assert any("gives no usable exchange rate to EUR" in p for p in problems)
