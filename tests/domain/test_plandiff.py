import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.plandiff import (
    FieldChange,
    Line,
    PlanDiffError,
    diff_as_json,
    diff_plans,
)


def line(key: str, code: str, cost: str, **fields: object) -> Line:
    return Line(key=key, code=code, fields=fields, cost=Decimal(cost))


BEFORE = [
    line("k1", "TV-ARD-01", "10000.00", vendor="ARD", rate=Decimal("25.00"), spots=400),
    line("k2", "SOC-META-01", "5000", vendor="Meta", start=date(2026, 10, 1)),
    line("k3", "OOH-JCD-01", "8000.00", vendor="JCDecaux", markets=["DE", "AT"]),
]


def test_added_removed_and_changed_lines_with_cost_deltas() -> None:
    after = [
        line("k1", "TV-ARD-01", "12000.00", vendor="ARD", rate=Decimal("30.00"), spots=400),
        line("k2", "SOC-META-01", "5000.00", vendor="Meta", start=date(2026, 10, 1)),
        line("k4", "AUD-SPOT-01", "1500.00", vendor="Spotify"),
    ]
    diff = diff_plans(BEFORE, after)
    assert [added.code for added in diff.added] == ["AUD-SPOT-01"]
    assert [removed.code for removed in diff.removed] == ["OOH-JCD-01"]
    assert len(diff.changed) == 1
    changed = diff.changed[0]
    assert (changed.key, changed.code) == ("k1", "TV-ARD-01")
    assert changed.changes == (FieldChange("rate", Decimal("25.00"), Decimal("30.00")),)
    assert changed.cost_delta == Decimal("2000.00")
    assert diff.total_before == Decimal("23000.00")
    assert diff.total_after == Decimal("18500.00")
    assert diff.total_delta == Decimal("-4500.00")
    assert not diff.is_empty


def test_lines_are_matched_by_key_before_code() -> None:
    # k1 keeps its key under a new code; the re-imported OOH line has a new key, same code.
    after = [
        line("k1", "TV-ARD-02", "10000.00", vendor="ARD", rate=Decimal("25"), spots=400),
        line("k2", "SOC-META-01", "5000", vendor="Meta", start=date(2026, 10, 1)),
        line("new-9", "ooh-jcd-01", "8000", vendor="JCDecaux", markets=["DE", "AT"]),
    ]
    diff = diff_plans(BEFORE, after)
    assert diff.added == () and diff.removed == ()
    assert [(c.key, c.code, c.changes) for c in diff.changed] == [
        ("k1", "TV-ARD-02", (FieldChange("code", "TV-ARD-01", "TV-ARD-02"),))
    ]


def test_a_re_imported_plan_with_new_keys_diffs_as_empty() -> None:
    after = [
        Line(f"import-{n}", old.code.lower(), dict(old.fields), old.cost + Decimal("0.000"))
        for n, old in enumerate(reversed(BEFORE))
    ]
    diff = diff_plans(BEFORE, after)
    assert diff.is_empty
    assert diff.total_delta == 0


def test_decimals_compare_by_value_and_missing_fields_count_as_none() -> None:
    before = [line("k", "C", "12.5", rate=Decimal("12.5"), note=None, quantity=3)]
    after = [line("k", "C", "12.50", rate=Decimal("12.50"), quantity=Decimal("3.0"))]
    assert diff_plans(before, after).is_empty


def test_booleans_dates_and_lists_are_not_taken_for_other_values() -> None:
    before = [line("k", "C", "1", flag=1, day=date(2026, 10, 1), tags=["a", "b"], size="1")]
    after = [line("k", "C", "1", flag=True, day="2026-10-01", tags=["b", "a"], size=Decimal(1))]
    changes = diff_plans(before, after).changed[0].changes
    assert [change.field for change in changes] == ["flag", "day", "tags", "size"]


def test_changes_follow_the_later_fields_then_the_earlier_extras() -> None:
    before = [line("k", "C", "1", a=1, gone="x", b=2, also_gone="y")]
    after = [line("k", "C", "1", b=3, new="n", a=2)]
    changes = diff_plans(before, after).changed[0].changes
    assert [change.field for change in changes] == ["b", "new", "a", "gone", "also_gone"]
    assert changes[3] == FieldChange("gone", "x", None)


def test_a_cost_change_alone_is_a_change() -> None:
    diff = diff_plans([line("k", "C", "100")], [line("k", "C", "90")])
    assert diff.changed[0].changes == ()
    assert diff.changed[0].cost_delta == Decimal(-10)


def test_output_is_sorted_by_code() -> None:
    after = [line(str(n), code, "1") for n, code in enumerate(["b-2", "A-9", "c-1", "a-1"])]
    diff = diff_plans([], after)
    assert [added.code for added in diff.added] == ["a-1", "A-9", "b-2", "c-1"]


def test_empty_plans_diff_as_empty() -> None:
    diff = diff_plans([], [])
    assert diff.is_empty
    assert (diff.total_before, diff.total_after, diff.total_delta) == (0, 0, 0)


def test_duplicate_keys_and_codes_are_named() -> None:
    twice = [line("k1", "A", "1"), line("k1", "B", "1"), line("k2", "b", "1")]
    with pytest.raises(PlanDiffError, match="earlier plan version has duplicate keys 'k1' and "):
        diff_plans(twice, [])
    with pytest.raises(PlanDiffError, match=r"later .* duplicate codes 'B'"):
        diff_plans([], twice)


def test_json_has_decimals_as_text_and_dates_iso() -> None:
    before = [line("k1", "A", "100", start=date(2026, 10, 1), rate=Decimal("1E+1"))]
    after = [
        line("k1", "A", "150.50", start=date(2026, 10, 5), rate=Decimal("10")),
        line("k2", "B", "20", targeting={"age": "25-54"}, days=[date(2026, 10, 6)]),
    ]
    data = diff_as_json(diff_plans(before, after))
    assert data == {
        "added": [
            {
                "key": "k2",
                "code": "B",
                "fields": {"targeting": {"age": "25-54"}, "days": ["2026-10-06"]},
                "cost": "20",
            }
        ],
        "removed": [],
        "changed": [
            {
                "key": "k1",
                "code": "A",
                "changes": [{"field": "start", "before": "2026-10-01", "after": "2026-10-05"}],
                "cost_before": "100",
                "cost_after": "150.50",
                "cost_delta": "50.50",
            }
        ],
        "total_before": "100",
        "total_after": "170.50",
        "total_delta": "70.50",
    }
    json.dumps(data)


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    amounts,
    st.text(max_size=5),
    st.dates(),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
field_maps = st.dictionaries(st.sampled_from(["vendor", "rate", "start", "units", "tags"]), values)


@st.composite
def plans(draw: st.DrawFn, prefix: str = "") -> list[Line]:
    codes = draw(
        st.lists(st.text("ABCXYZ-0123456789", min_size=1, max_size=4), unique=True, max_size=8)
    )
    size = len(codes)
    keys = draw(st.lists(st.sampled_from("abcdefghij"), min_size=size, max_size=size, unique=True))
    return [
        Line(prefix + key, code, draw(field_maps), draw(amounts))
        for key, code in zip(keys, codes, strict=True)
    ]


@given(plans())
def test_a_plan_diffed_with_itself_is_empty(plan: list[Line]) -> None:
    diff = diff_plans(plan, list(reversed(plan)))
    assert diff.is_empty
    assert diff.total_delta == 0


def _check_totals(before: list[Line], after: list[Line]) -> None:
    diff = diff_plans(before, after)
    assert diff.total_before == sum((x.cost for x in before), Decimal(0))
    assert diff.total_after == sum((x.cost for x in after), Decimal(0))
    assert diff.total_delta == diff.total_after - diff.total_before
    assert diff.total_delta == (
        sum((x.cost for x in diff.added), Decimal(0))
        - sum((x.cost for x in diff.removed), Decimal(0))
        + sum((x.cost_delta for x in diff.changed), Decimal(0))
    )


@given(plans(), plans())
def test_counts_and_totals_hold_for_any_two_versions(before: list[Line], after: list[Line]) -> None:
    diff = diff_plans(before, after)
    keys_before, keys_after = {x.key for x in before}, {x.key for x in after}
    left_before = {x.code.casefold() for x in before if x.key not in keys_after}
    left_after = {x.code.casefold() for x in after if x.key not in keys_before}
    matched = len(keys_before & keys_after) + len(left_before & left_after)
    assert len(diff.added) == len(after) - matched
    assert len(diff.removed) == len(before) - matched
    assert len(diff.changed) <= matched
    assert {x.key for x in diff.added}.isdisjoint(keys_before)
    assert {x.key for x in diff.removed}.isdisjoint(keys_after)
    _check_totals(before, after)


@given(plans(), st.data())
def test_an_edited_copy_diffs_as_exactly_its_edits(before: list[Line], data: st.DataObject) -> None:
    after: list[Line] = []
    dropped, edited = set(), set()
    for old in before:
        fate = data.draw(st.sampled_from(["keep", "rekey", "drop", "edit"]))
        if fate == "drop":
            dropped.add(old.code)
        elif fate == "edit":
            edited.add(old.code)
            after.append(Line(old.key, old.code, {**old.fields, "note": "edited"}, old.cost))
        else:  # a re-import gives new keys and may change the letter case of codes
            key = "new-" + old.key if fate == "rekey" else old.key
            after.append(Line(key, old.code.lower(), dict(old.fields), old.cost))
    fresh = [Line("fresh-" + x.key, "NEW-" + x.code, x.fields, x.cost) for x in data.draw(plans())]
    after += fresh
    diff = diff_plans(before, after)
    assert {x.code for x in diff.removed} == dropped
    assert {x.code for x in diff.changed} == edited
    assert [x.changes[-1].field for x in diff.changed] == ["note"] * len(edited)
    assert {x.key for x in diff.added} == {x.key for x in fresh}
    _check_totals(before, after)
