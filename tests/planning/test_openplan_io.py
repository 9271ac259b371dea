"""Open standard (mediaplanschema v3.0) export and import against the demo agency's plans.

The conformance tests read the standard's schema files and example from ../shared/ beside the
repository when it is there, and skip (saying so) otherwise.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mediadesk.domain.openplan import FIELD_LIMITS, from_open_plan
from mediadesk.domain.plandiff import diff_plans
from mediadesk.planning import services
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.planning.openplan_io import export_open_plan, placement_values_from_open_plan
from mediadesk.planning.plans import diff_line

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


def exported(version: PlanVersion) -> dict[str, Any]:
    """The export as it leaves the server: through JSON text."""
    document = export_open_plan(version, list(version.placements.all()))
    loaded: dict[str, Any] = json.loads(json.dumps(document))
    return loaded


def empty_draft(demo: Any, like: Campaign, code: str) -> PlanVersion:
    campaign = services.create_campaign(
        demo.alice,
        client_id=like.client_id,
        values={"name": f"Import of {like.name}", "code": code, "start": like.start,
                "end": like.end, "budget": like.budget, "currency": like.currency},
    )  # fmt: skip
    return services.start_plan(demo.alice, campaign)


def test_field_limits_are_the_placement_models() -> None:
    for name, limit in FIELD_LIMITS.items():
        assert Placement._meta.get_field(name).max_length == limit, name


@needs_standard
def test_every_demo_plan_exports_a_valid_document(demo: Any) -> None:
    validator = schema_validator()
    versions = PlanVersion.objects.select_related("campaign__client").order_by("pk")
    assert versions.count() == 12
    for version in versions:
        document = exported(version)
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)
        ]
        assert errors == [], (str(version), errors)
        assert len(document["lineitems"]) == version.placements.count()
        assert document["meta"]["schema_version"] == "3.0"
    draft = PlanVersion.objects.get(campaign__code="NWND-AR26", number=2)
    meta = exported(draft)["meta"]
    assert meta["id"] == "NWND/NWND-AR26/v2" and meta["parent_id"] == "NWND/NWND-AR26/v1"
    assert meta["created_by_name"] == "Alice Archer"


@needs_standard
def test_the_standards_example_imports_into_a_fresh_draft(demo: Any) -> None:
    example = json.loads((STANDARD / "example_mediaplan_v3.0.json").read_text())
    values, problems = placement_values_from_open_plan(from_open_plan(example))
    assert len(values) == len(example["lineitems"]) == 4

    campaign = services.create_campaign(
        demo.alice,
        client_id=demo.contoso.pk,
        values={"name": example["campaign"]["name"], "code": "GT-Q3-25",
                "start": date(2025, 10, 1), "end": date(2025, 12, 31),
                "budget": Decimal("950000.00"), "currency": "USD"},
    )  # fmt: skip
    version = services.start_plan(demo.alice, campaign)
    for line in values:
        services.add_placement(demo.alice, version, line)

    placements = list(version.placements.order_by("position"))
    assert [p.code for p in placements] == [item["id"] for item in example["lineitems"]]
    assert [p.channel for p in placements] == ["social", "search", "online_video", "display"]
    # The example's lines are in USD and EUR; the EUR line is converted at its own
    # cost_currency_exchange_rate (1.08) into the plan's USD, as the standard defines that rate.
    # (Adding the raw amounts would give 950,000, the campaign budget; the USD value is 962,800.)
    expected = sum(
        (
            Decimal(str(item["cost_total"]))
            * (
                Decimal(str(item["cost_currency_exchange_rate"]))
                if item.get("cost_currency", "USD") != "USD"
                else Decimal(1)
            )
            for item in example["lineitems"]
        ),
        Decimal(0),
    )
    assert expected == Decimal("962800.00")
    assert sum(p.cost for p in placements) == expected
    assert {p.currency for p in placements} == {"USD"}
    youtube = placements[2]
    assert youtube.cost == Decimal("172800.00") and "Booked in EUR: 160,000" in youtube.notes
    assert any("converted at 1.08 to 172,800.00 USD" in p for p in problems)
    assert all(any(p.startswith(f"line {n} (") for p in problems) for n in range(1, 5))


def test_a_demo_plan_exported_and_imported_again_gives_the_same_lines(demo: Any) -> None:
    versions = PlanVersion.objects.select_related("campaign__client").order_by("pk")
    for n, version in enumerate(versions, start=1):
        document = exported(version)
        values, problems = placement_values_from_open_plan(from_open_plan(document))
        assert problems == [], (str(version), problems)
        draft = empty_draft(demo, version.campaign, f"RT-{n}")
        for line in values:
            services.add_placement(demo.alice, draft, line)
        before = [diff_line(p) for p in version.placements.all()]
        after = [diff_line(p) for p in draft.placements.all()]
        diff = diff_plans(before, after)
        assert diff.is_empty, (str(version), diff)
        assert diff.total_before == diff.total_after
        assert [p.code for p in draft.placements.all()] == [
            p.code for p in version.placements.all()
        ]


def test_nothing_the_export_leaves_out_is_lost(demo: Any) -> None:
    """Fields with no slot in the standard (weights, deadline, commission, …) come back too."""
    version = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    tv = version.placements.get(channel="linear_tv")
    draft = empty_draft(demo, version.campaign, "RT-TV")
    line = {
        **{k: v for k, v in vars(tv).items() if k in services.PLACEMENT_FIELDS},
        "commission_percent": Decimal("12.50"), "fees": Decimal("300.00"), "spot_length": 30,
        "kpi_targets": [{"kpi": "grps", "target": "400"}], "name": "",
        "notes": "Prime time only\nno sports",
    }  # fmt: skip
    del line["net_cost"], line["position"]
    source = services.add_placement(demo.alice, draft, {**line, "code": "TV-SOURCE"})
    document = json.loads(json.dumps(export_open_plan(draft, [source])))
    values, problems = placement_values_from_open_plan(from_open_plan(document))
    assert problems == []
    target = empty_draft(demo, version.campaign, "RT-TV2")
    copy = services.add_placement(demo.alice, target, values[0])
    assert diff_plans([diff_line(source)], [diff_line(copy)]).is_empty
    assert copy.weights == tv.weights and copy.flighting == "pulsing"
    assert (copy.net_cost, copy.fees, copy.spot_length) == (source.net_cost, Decimal("300"), 30)
