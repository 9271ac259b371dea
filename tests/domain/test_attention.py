"""The attention list as plain functions: builders per kind, ranking, snooze and dismiss."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.attention import (
    BudgetFact,
    ComplianceFact,
    DeadlineFact,
    FlightFact,
    InvoiceFact,
    InvoiceState,
    Item,
    Kind,
    PacingFact,
    ReviewFact,
    RevisionFact,
    RightsFact,
    Severity,
    Silence,
    StaleFact,
    TaskFact,
    Thresholds,
    budget_items,
    compliance_items,
    counts,
    deadline_items,
    flight_items,
    for_owner,
    invoice_items,
    pacing_items,
    rank,
    review_items,
    revision_items,
    rights_items,
    stale_items,
    task_items,
    visible,
)

TODAY = date(2026, 11, 28)
D = Decimal


def defaults(_client: int) -> Thresholds:
    return Thresholds()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


# --- thresholds ---------------------------------------------------------------------------------


def test_thresholds_from_mapping_overrides_and_converts() -> None:
    custom = Thresholds.from_mapping({"flight_lead_days": "10", "pacing_tolerance": 0.15})
    assert custom.flight_lead_days == 10
    assert custom.pacing_tolerance == D("0.15")
    assert custom.stale_delivery_days == 3  # untouched keys keep the defaults
    base = Thresholds(rights_soon_days=60)
    assert Thresholds.from_mapping({}, base) == base


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"nonsense": 1}, "'nonsense'"),
        ({"flight_lead_days": -1}, "-1"),
        ({"flight_lead_days": True}, "True"),
        ({"flight_lead_days": "seven"}, "'seven'"),
        ({"flight_lead_days": 7.5}, "7.5"),
        ({"pacing_tolerance": "1"}, "1"),
        ({"pacing_tolerance": "abc"}, "'abc'"),
        ({"pacing_tolerance": "NaN"}, "NaN"),
        ({"budget_overrun_tolerance": "-0.01"}, "-0.01"),
        ({"budget_overrun_tolerance": None}, "None"),
    ],
)
def test_thresholds_from_mapping_names_key_and_value(data: dict[str, object], named: str) -> None:
    key = next(iter(data))
    with pytest.raises(ValueError, match=key) as raised:
        Thresholds.from_mapping(data)
    assert named in str(raised.value)


# --- pacing -------------------------------------------------------------------------------------


def pacing(index: str | None, client_id: int = 1) -> PacingFact:
    value = None if index is None else D(index)
    return PacingFact(12, client_id, 3, "NWND-AR26", "Radio RMS", "spend", value, 5, "/p/12")


def test_pacing_item_reads_as_a_sentence() -> None:
    [item] = pacing_items([pacing("0.62")], defaults, TODAY)
    assert item.title == "NWND-AR26 · Radio RMS is pacing at 62% of plan (spend)."
    assert item.kind is Kind.PACING_OFF
    assert item.severity is Severity.HIGH
    assert item.key == "pacing_off:placement:12"
    assert item.fingerprint == "pacing_off:placement:12|pacing under plan, high"
    assert (item.url, item.owner_id, item.due) == ("/p/12", 5, None)


@pytest.mark.parametrize(
    ("index", "severity"),
    [
        (None, None),
        ("1.00", None),
        ("0.90", None),  # exactly at the tolerance: on track
        ("1.10", None),
        ("0.89", Severity.MEDIUM),
        ("1.11", Severity.MEDIUM),
        ("0.80", Severity.MEDIUM),  # exactly twice the tolerance
        ("1.20", Severity.MEDIUM),
        ("0.79", Severity.HIGH),
        ("1.21", Severity.HIGH),
        ("0.00", Severity.HIGH),
    ],
)
def test_pacing_severity_by_distance_from_plan(index: str | None, severity: Severity) -> None:
    items = pacing_items([pacing(index)], defaults, TODAY)
    assert [item.severity for item in items] == ([severity] if severity else [])


def test_pacing_tolerance_is_per_client() -> None:
    def per_client(client_id: int) -> Thresholds:
        return Thresholds(pacing_tolerance=D("0.25")) if client_id == 2 else Thresholds()

    facts = [pacing("0.80", client_id=1), pacing("0.80", client_id=2)]
    assert [item.client_id for item in pacing_items(facts, per_client, TODAY)] == [1]


# --- flights ------------------------------------------------------------------------------------


def flight(starts: int, *, io: bool = False, creative: bool = False, ends: int = 30) -> FlightFact:
    return FlightFact(
        12, 1, "NWND-AR26", "Radio RMS", day(starts), day(ends), io, creative, 5, "/io", "/creative"
    )


@pytest.mark.parametrize(
    ("starts", "severity"),
    [
        (8, None),
        (7, Severity.HIGH),
        (1, Severity.HIGH),
        (0, Severity.CRITICAL),
        (-3, Severity.CRITICAL),
    ],
)
def test_flight_lead_days_boundary(starts: int, severity: Severity | None) -> None:
    items = flight_items([flight(starts, creative=True)], defaults, TODAY)
    assert [item.severity for item in items] == ([severity] if severity else [])


def test_flight_without_io_and_creative_gives_two_items_linking_where_to_fix() -> None:
    io, creative = flight_items([flight(3)], defaults, TODAY)
    assert io.kind is Kind.FLIGHT_WITHOUT_IO and io.url == "/io"
    assert io.title == "NWND-AR26 · Radio RMS starts in 3 days (01 Dec) without an accepted IO."
    assert creative.kind is Kind.FLIGHT_WITHOUT_CREATIVE and creative.url == "/creative"
    assert creative.due == day(3)
    assert flight_items([flight(3, io=True, creative=True)], defaults, TODAY) == []


def test_flight_that_started_or_ended() -> None:
    [live] = flight_items([flight(-2, io=True)], defaults, TODAY)
    assert live.title.startswith("NWND-AR26 · Radio RMS started on 26 Nov without")
    assert flight_items([flight(-10, ends=-1)], defaults, TODAY) == []
    assert len(flight_items([flight(-10, ends=0)], defaults, TODAY)) == 2  # last day still runs


# --- material deadlines -------------------------------------------------------------------------


def deadline(offset: int, *, ready: bool = False, ends: date | None = None) -> DeadlineFact:
    return DeadlineFact(12, 1, "NWND-AR26", "Radio RMS", day(offset), ready, ends, 5, "/m")


@pytest.mark.parametrize(
    ("offset", "severity", "title"),
    [
        (8, None, None),
        (7, Severity.MEDIUM, "material is due in 7 days (05 Dec)"),
        (1, Severity.MEDIUM, "material is due in 1 day (29 Nov)"),
        (0, Severity.MEDIUM, "material is due today"),
        (-1, Severity.HIGH, "material is 1 day late (deadline 27 Nov)"),
    ],
)
def test_material_deadline_window(offset: int, severity: Severity | None, title: str) -> None:
    items = deadline_items([deadline(offset)], defaults, TODAY)
    assert [item.severity for item in items] == ([severity] if severity else [])
    if items:
        assert items[0].title == f"NWND-AR26 · Radio RMS: {title}."


def test_material_ready_or_ended_is_left_alone() -> None:
    assert deadline_items([deadline(-2, ready=True)], defaults, TODAY) == []
    assert deadline_items([deadline(-2, ends=day(-1))], defaults, TODAY) == []
    assert len(deadline_items([deadline(-2, ends=TODAY)], defaults, TODAY)) == 1


def test_material_turning_late_changes_the_situation() -> None:
    [due] = deadline_items([deadline(0)], defaults, TODAY)
    [late] = deadline_items([deadline(0)], defaults, day(1))
    assert due.key == late.key and due.fingerprint != late.fingerprint


# --- reviews, compliance, revisions ---------------------------------------------------------------


def test_review_waiting_overdue_is_high_and_owned_by_the_reviewer() -> None:
    facts = [
        ReviewFact(1, 1, "Legal", "Winter 30s v3", 7, day(-2), "/r/1"),
        ReviewFact(2, 1, "Client", "Winter 30s v3", 8, TODAY, "/r/2"),
        ReviewFact(3, 1, "Brand", "Banner v1", 8, None, "/r/3"),
    ]
    overdue, today, undated = review_items(facts, TODAY)
    assert overdue.title == "Legal review of Winter 30s v3 is waiting, 2 days overdue."
    assert (overdue.severity, overdue.owner_id) == (Severity.HIGH, 7)
    assert today.severity is Severity.MEDIUM and today.title.endswith("due 28 Nov.")
    assert undated.title == "Brand review of Banner v1 is waiting."


def test_compliance_counts_blocking_findings() -> None:
    facts = [
        ComplianceFact(("asset", 7), 1, "Winter 30s", 2, 5, "/a/7"),
        ComplianceFact(("asset", 8), 1, "Banner", 0, 5, "/a/8"),
        ComplianceFact(("placement", 9), 1, "NWND-AR26 · TV", 1, 5, "/p/9"),
    ]
    two, one = compliance_items(facts)
    assert two.title == "Winter 30s has 2 blocking compliance findings."
    assert one.title == "NWND-AR26 · TV has 1 blocking compliance finding."
    assert two.key == "compliance_blocking:asset:7" and two.severity is Severity.HIGH


def test_io_revision_unsent() -> None:
    [item] = revision_items([RevisionFact(4, 1, "2026-014", 3, "RMS", day(-4), 5, "/io/4")])
    assert item.title == "IO 2026-014 revision 3 was drafted on 24 Nov and is not yet sent to RMS."
    assert item.situation == "revision 3"


# --- invoices -----------------------------------------------------------------------------------


def invoice(state: InvoiceState, difference: str = "0") -> InvoiceFact:
    return InvoiceFact(
        9, 1, "4711", "RMS", state, D("12400.00"), D(difference), "EUR", day(10), 5, "/inv/9"
    )


def test_invoice_discrepancy_names_the_amount_and_side() -> None:
    [over] = invoice_items([invoice(InvoiceState.DISCREPANCY, "1240.00")])
    assert over.title == "Invoice 4711 from RMS: 1,240.00 EUR over the ordered amount."
    assert (over.kind, over.severity) == (Kind.INVOICE_DISCREPANCY, Severity.HIGH)
    [under] = invoice_items([invoice(InvoiceState.DISCREPANCY, "-0.50")])
    assert under.title == "Invoice 4711 from RMS: 0.50 EUR under the ordered amount."
    [odd] = invoice_items([invoice(InvoiceState.DISCREPANCY)])
    assert odd.title == "Invoice 4711 from RMS does not match the order."


def test_invoice_awaiting_approval_and_others() -> None:
    [matched] = invoice_items([invoice(InvoiceState.MATCHED)])
    assert matched.title == "Invoice 4711 from RMS (12,400.00 EUR) is matched and awaits approval."
    assert matched.kind is Kind.INVOICE_AWAITING_APPROVAL and matched.due == day(10)
    assert invoice_items([invoice(InvoiceState.OTHER)]) == []


# --- stale delivery -----------------------------------------------------------------------------


def stale(last: int | None, starts: int = -20) -> StaleFact:
    last_day = None if last is None else day(last)
    return StaleFact(12, 1, "NWND-AR26", "Radio RMS", day(starts), last_day, 5, "/d/12")


@pytest.mark.parametrize(("last", "shown"), [(-3, False), (-4, True), (0, False)])
def test_stale_delivery_after_the_threshold(last: int, shown: bool) -> None:
    assert bool(stale_items([stale(last)], defaults, TODAY)) is shown


def test_stale_delivery_without_any_import_counts_from_the_start() -> None:
    assert stale_items([stale(None, starts=-3)], defaults, TODAY) == []
    [item] = stale_items([stale(None, starts=-4)], defaults, TODAY)
    assert item.title == "NWND-AR26 · Radio RMS has no delivery data 4 days after its start."
    [since] = stale_items([stale(-5)], defaults, TODAY)
    assert since.title == "NWND-AR26 · Radio RMS has no delivery data since 23 Nov (5 days)."


# --- rights -------------------------------------------------------------------------------------


def right(offset: int, live: bool) -> RightsFact:
    return RightsFact(3, 1, "Winter 30s", "Music rights (Sunny Tunes)", day(offset), live, 5, "/a")


@pytest.mark.parametrize(
    ("offset", "live", "severity"),
    [
        (31, True, None),
        (30, True, Severity.HIGH),
        (30, False, Severity.LOW),
        (0, True, Severity.HIGH),  # valid through its expiry day
        (-1, True, Severity.CRITICAL),
        (-1, False, Severity.LOW),
    ],
)
def test_rights_window_and_severity(offset: int, live: bool, severity: Severity | None) -> None:
    items = rights_items([right(offset, live)], defaults, TODAY)
    assert [item.severity for item in items] == ([severity] if severity else [])


def test_rights_titles_and_situation() -> None:
    [soon] = rights_items([right(30, False)], defaults, TODAY)
    assert soon.title == (
        "Winter 30s: Music rights (Sunny Tunes) expire on 28 Dec 2026 (in 30 days)."
    )
    assert soon.situation == "expires 2026-12-28"
    [gone] = rights_items([right(-1, True)], defaults, TODAY)
    assert gone.title == (
        "Winter 30s: Music rights (Sunny Tunes) expired on 27 Nov 2026; it is still trafficked "
        "to a live placement."
    )
    assert gone.situation == "expired 2026-11-27 live"


# --- budgets ------------------------------------------------------------------------------------


def budget(planned: str, booked: str, actual: str) -> BudgetFact:
    return BudgetFact(
        2, 1, "NWND-AR26", D("100000.00"), D(planned), D(booked), D(actual), "EUR", 5, "/b/2"
    )


@pytest.mark.parametrize(
    ("figures", "severity"),
    [
        (("100000.00", "100000.00", "100000.00"), None),  # exactly at the budget
        (("100000.01", "90000", "0"), Severity.MEDIUM),
        (("120000", "100000.01", "0"), Severity.HIGH),
        (("120000", "120000", "100000.01"), Severity.CRITICAL),
    ],
)
def test_budget_overrun_by_furthest_stage(
    figures: tuple[str, str, str], severity: Severity | None
) -> None:
    items = budget_items([budget(*figures)], defaults)
    assert [item.severity for item in items] == ([severity] if severity else [])


def test_budget_overrun_title_and_tolerance() -> None:
    [item] = budget_items([budget("0", "0", "105000.00")], defaults)
    assert item.title == (
        "NWND-AR26: actual spend 105,000.00 EUR is 5,000.00 EUR over the budget of 100,000.00 EUR."
    )
    tolerant = Thresholds(budget_overrun_tolerance=D("0.05"))
    assert budget_items([budget("0", "0", "105000.00")], lambda _: tolerant) == []
    assert len(budget_items([budget("0", "0", "105000.01")], lambda _: tolerant)) == 1


# --- tasks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "severity", "when"),
    [(1, None, ""), (0, Severity.MEDIUM, "is due today"), (-1, Severity.HIGH, "is 1 day overdue")],
)
def test_task_due_or_overdue(offset: int, severity: Severity | None, when: str) -> None:
    items = task_items([TaskFact(6, 1, "Send flowchart", day(offset), 5, "/t/6")], TODAY)
    assert [item.severity for item in items] == ([severity] if severity else [])
    if items:
        assert items[0].title == f"Task “Send flowchart” {when}."


# --- the list -----------------------------------------------------------------------------------


def item(
    title: str, severity: Severity, due: date | None, *, ident: int = 1, situation: str = "s"
) -> Item:
    return Item(Kind.TASK_DUE, severity, 1, title, due, ("task", ident), "/", 5, situation)


def test_rank_by_severity_then_due_then_title() -> None:
    items = [
        item("b", Severity.MEDIUM, None, ident=1),
        item("z", Severity.MEDIUM, day(1), ident=2),
        item("a", Severity.MEDIUM, day(2), ident=3),
        item("c", Severity.LOW, day(-5), ident=4),
        item("y", Severity.CRITICAL, None, ident=5),
        item("a", Severity.MEDIUM, None, ident=6),
    ]
    assert [(entry.title, entry.subject[1]) for entry in rank(items)] == [
        ("y", 5),
        ("z", 2),
        ("a", 3),
        ("a", 6),
        ("b", 1),
        ("c", 4),
    ]
    assert [severity.rank for severity in Severity] == [0, 1, 2, 3]


def test_dismissed_item_returns_when_the_situation_changes() -> None:
    before = item("t", Severity.HIGH, None, situation="pacing 0.62")
    dismissed = Silence(before.key, before.fingerprint, None, dismissed=True)
    assert visible([before], [dismissed], day(365)) == []
    after = item("t", Severity.HIGH, None, situation="pacing 0.55")
    assert visible([after], [dismissed], TODAY) == [after]


def test_snooze_hides_until_the_day_or_a_change() -> None:
    current = item("t", Severity.HIGH, None)
    snooze = Silence(current.key, current.fingerprint, day(2), dismissed=False)
    assert visible([current], [snooze], TODAY) == []
    assert visible([current], [snooze], day(1)) == []
    assert visible([current], [snooze], day(2)) == [current]  # until is exclusive
    changed = item("t", Severity.HIGH, None, situation="other")
    assert visible([changed], [snooze], TODAY) == [changed]
    other = item("t", Severity.HIGH, None, ident=2)
    assert visible([other], [snooze], TODAY) == [other]  # only the silenced object
    assert visible([current], [Silence(current.key, current.fingerprint, None, False)], TODAY) == [
        current
    ]


def test_counts_and_owner() -> None:
    items = task_items(
        [TaskFact(1, 1, "a", TODAY, 5, "/"), TaskFact(2, 1, "b", TODAY, 6, "/")], TODAY
    ) + invoice_items([invoice(InvoiceState.MATCHED)])
    tally = counts(items)
    assert tally[Kind.TASK_DUE] == 2 and tally[Kind.INVOICE_AWAITING_APPROVAL] == 1
    assert tally[Kind.PACING_OFF] == 0 and set(tally) == set(Kind)
    assert [entry.subject for entry in for_owner(items, 6)] == [("task", 2)]


def everything(today: date) -> list[Item]:
    """One fact per builder, each close to a day boundary."""
    return rank(
        pacing_items([pacing("0.62")], defaults, today)
        + flight_items([flight(7)], defaults, today)
        + deadline_items([deadline(0)], defaults, today)
        + review_items([ReviewFact(1, 1, "Legal", "Spot", 7, TODAY, "/r")], today)
        + stale_items([stale(-3)], defaults, today)
        + rights_items([right(0, True)], defaults, today)
        + task_items([TaskFact(6, 1, "Send flowchart", TODAY, 5, "/t/6")], today)
    )


def test_one_today_gives_one_consistent_answer_across_midnight() -> None:
    """The run is handed ``today`` once; a wall clock passing midnight changes nothing in it."""
    first, second = everything(TODAY), everything(TODAY)
    assert first == second
    assert {entry.severity for entry in first} == {Severity.HIGH, Severity.MEDIUM}
    assert all("late" not in entry.title and "overdue" not in entry.title for entry in first)
    # The next day everything moves together: nothing is half today and half tomorrow.
    tomorrow = everything(day(1))
    kinds = {entry.kind: entry for entry in tomorrow}
    assert "1 day late" in kinds[Kind.MATERIAL_DEADLINE].title
    assert "1 day overdue" in kinds[Kind.TASK_DUE].title
    assert kinds[Kind.RIGHTS_EXPIRING].severity is Severity.CRITICAL
    assert Kind.STALE_DELIVERY in kinds and "in 6 days" in kinds[Kind.FLIGHT_WITHOUT_IO].title


# --- properties ---------------------------------------------------------------------------------

items_strategy = st.lists(
    st.builds(
        item,
        st.text(max_size=5),
        st.sampled_from(Severity),
        st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31)),
        ident=st.integers(0, 20),
        situation=st.sampled_from(["a", "b"]),
    ),
    max_size=20,
)


@given(items_strategy, st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_without_silences_visible_is_the_ranked_list(items: list[Item], today: date) -> None:
    assert visible(items, [], today) == rank(items)
    assert rank(rank(items)) == rank(items)


@given(
    items_strategy,
    st.lists(
        st.builds(
            Silence,
            st.sampled_from([f"task_due:task:{n}" for n in range(21)]),
            st.sampled_from([f"task_due:task:{n}|{s}" for n in range(21) for s in "ab"]),
            st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31)),
            st.booleans(),
        ),
        max_size=10,
    ),
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
)
def test_silences_never_add_items(items: list[Item], silences: list[Silence], today: date) -> None:
    shown = visible(items, silences, today)
    assert all(entry in items for entry in shown)
    assert len(shown) <= len(items)
    assert shown == [entry for entry in rank(items) if entry in shown]


def test_a_dismissed_pacing_item_returns_only_when_its_band_changes() -> None:
    [first] = pacing_items([pacing("0.62")], defaults, TODAY)
    dismissed = [Silence(first.key, first.fingerprint, None, True)]
    [moved] = pacing_items([pacing("0.64")], defaults, TODAY)  # still high, under plan
    assert visible([moved], dismissed, TODAY) == []
    [better] = pacing_items([pacing("0.85")], defaults, TODAY)  # medium now
    assert visible([better], dismissed, TODAY) == [better]
