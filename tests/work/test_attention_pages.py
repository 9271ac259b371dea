"""The attention list as people use it: the Today page, snooze and dismiss (which come back when
the situation changes), making a task of an item, the thresholds page and the API. The
snapshot rows are written here directly; tests/work/test_compute.py covers computing them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.planning.models import Campaign
from mediadesk.work import services
from mediadesk.work.models import (
    AttentionItem,
    AttentionRun,
    AttentionSettings,
    Silence,
    Task,
    Team,
)

pytestmark = pytest.mark.django_db


def item(
    campaign: Campaign,
    kind: str = "budget_overrun",
    *,
    owner: Any = None,
    severity: str = "high",
    situation: str = "booked over 100",
    subject: int | None = None,
    due: date | None = None,
    shared: bool = False,
    title: str = "",
) -> AttentionItem:
    now = timezone.now()
    rank = ["critical", "high", "medium", "low"].index(severity)
    subject_id = subject if subject is not None else campaign.pk
    return AttentionItem.objects.create(
        client=campaign.client, campaign=campaign, key=f"{kind}:thing:{subject_id}", kind=kind,
        severity=severity, severity_rank=rank, title=title or f"{campaign.code} {kind}", due=due,
        subject_type="placement" if subject else "budget", subject_id=subject_id,
        url=f"/campaigns/{campaign.pk}/",
        owner=owner, situation=situation, shared_with_client=shared,
        computed_on=services.today(), computed_at=now,
    )  # fmt: skip


@pytest.fixture
def computed(demo: Any) -> Any:
    """Every client's list counts as computed today (the rows are made by each test)."""
    AttentionItem.objects.all().delete()
    for client in (demo.northwind, demo.contoso, demo.fabrikam):
        AttentionRun.objects.update_or_create(
            client=client,
            defaults={"computed_on": services.today(), "computed_at": timezone.now()},
        )
    return demo


def test_today_lists_the_users_items_most_urgent_first(computed: Any, client: Any) -> None:
    demo = computed
    nw = demo.campaign("NWND-AR26")
    item(nw, "pacing_off", owner=demo.ben, severity="medium", title="Radio pacing at 70%")
    item(nw, "flight_without_io", owner=demo.ben, severity="critical", title="TV starts today")
    item(demo.campaign("CTSO-5G26"), owner=demo.alice, title="Contoso over budget")
    item(demo.campaign("FBRK-TS27"), owner=demo.alice, title="Fabrikam over budget")
    client.force_login(demo.ben)
    body = client.get("/").content.decode()
    # ben owns items, so "Mine" is the default view: only his, the critical one first.
    assert body.index("TV starts today") < body.index("Radio pacing at 70%")
    assert "Contoso over budget" not in body
    everything = client.get("/", {"view": "all"}).content.decode()
    assert "Contoso over budget" in everything
    assert "Fabrikam over budget" not in everything  # not his client
    only_critical = client.get("/", {"view": "all", "severity": "critical"}).content.decode()
    assert "TV starts today" in only_critical and "Radio pacing" not in only_critical


def test_team_view_shows_what_team_members_own(computed: Any, client: Any) -> None:
    demo = computed
    nw = demo.campaign("NWND-AR26")
    item(nw, owner=demo.alice, title="Item of Alice")
    item(nw, "pacing_off", owner=demo.cara, title="Item of Cara")
    team = Team.objects.create(organization=demo.northwind.organization, name="Coffee")
    team.members.set([demo.ben, demo.alice])
    client.force_login(demo.ben)
    body = client.get("/", {"view": "team"}).content.decode()
    assert "Item of Alice" in body and "Item of Cara" not in body


def test_a_client_reviewer_sees_only_his_own_shared_items(computed: Any, client: Any) -> None:
    demo = computed
    nw = demo.campaign("NWND-AR26")
    item(nw, "review_waiting", owner=demo.dan, shared=True, title="Client review waiting on Dan")
    item(nw, "invoice_discrepancy", owner=demo.ben, title="Invoice over by 4,000")
    item(nw, "task_due", owner=demo.dan, shared=False, subject=99, title="Internal task of Dan")
    item(demo.campaign("CTSO-5G26"), owner=demo.dan, shared=True, title="Contoso thing")
    titles = [row.title for row in services.attention_for(demo.dan)]
    assert titles == ["Client review waiting on Dan"]
    client.force_login(demo.dan)
    body = client.get("/", {"view": "all"}).content.decode()
    assert "Client review waiting on Dan" in body
    assert "Invoice over" not in body and "Contoso" not in body and "Internal task" not in body
    # He may not snooze or dismiss: no buttons, and the action is refused.
    assert "/snooze/" not in body and "/dismiss/" not in body
    row = AttentionItem.objects.get(title="Client review waiting on Dan")
    client.post(f"/today/items/{row.pk}/dismiss/", {"reason": "no"})
    assert not Silence.objects.exists()


def test_snooze_hides_until_the_day_or_until_the_situation_changes(
    computed: Any, client: Any
) -> None:
    demo = computed
    row = item(demo.campaign("NWND-AR26"), owner=demo.ben, title="Pacing under plan")
    client.force_login(demo.ben)
    response = client.post(
        f"/today/items/{row.pk}/snooze/", {"days": "3", "reason": "Vendor fixes the feed Monday"}
    )
    assert response.status_code == 302
    assert f'data-item="{row.pk}"' not in client.get("/", {"view": "all"}).content.decode()
    silence = Silence.objects.get()
    assert silence.until == services.today() + timedelta(days=3)
    event = AuditEvent.objects.filter(
        object_id=str(silence.pk), content_type__model="silence"
    ).get()
    assert event.reason == "Vendor fixes the feed Monday" and event.actor == demo.ben
    # On its day it is back.
    assert [i.pk for i in services.attention_for(demo.ben, day=silence.until)] == [row.pk]
    # Before that, a new situation (recomputed into a new band) brings it back at once.
    AttentionItem.objects.filter(pk=row.pk).update(situation="actual spend over 100")
    assert [i.pk for i in services.attention_for(demo.ben)] == [row.pk]


def test_dismiss_needs_a_reason_and_lasts_while_the_situation_stays(
    computed: Any, client: Any
) -> None:
    demo = computed
    row = item(demo.campaign("NWND-AR26"), owner=demo.ben, title="Budget overrun")
    client.force_login(demo.ben)
    client.post(f"/today/items/{row.pk}/dismiss/", {"reason": "  "})
    assert not Silence.objects.exists()
    client.post(f"/today/items/{row.pk}/dismiss/", {"reason": "Client approved the extra spend"})
    far = services.today() + timedelta(days=400)
    assert services.attention_for(demo.ben, day=far) == []
    listed = client.get("/today/silenced/").content.decode()
    assert "Client approved the extra spend" in listed and "Hidden" in listed
    AttentionItem.objects.filter(pk=row.pk).update(situation="actual spend over 100")
    assert "Back on the list" in client.get("/today/silenced/").content.decode()
    # Showing it again deletes the silence, audited.
    silence = Silence.objects.get()
    AttentionItem.objects.filter(pk=row.pk).update(situation="booked over 100")
    client.post(f"/today/silenced/{silence.pk}/restore/")
    assert not Silence.objects.exists()
    assert [i.pk for i in services.attention_for(demo.ben)] == [row.pk]


def test_an_item_becomes_a_task_once(computed: Any, client: Any) -> None:
    demo = computed
    nw = demo.campaign("NWND-AR26")
    placement = nw.plan_versions.order_by("-number").first().placements.first()
    due = services.today() + timedelta(days=4)
    row = item(nw, "flight_without_io", owner=demo.ben, subject=placement.pk, due=due,
               title="Radio starts without an IO")  # fmt: skip
    client.force_login(demo.ben)
    response = client.post(f"/today/items/{row.pk}/task/")
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.title == "Radio starts without an IO"
    assert (task.owner, task.due, task.client, task.campaign) == (
        demo.ben, row.due, demo.northwind, nw,
    )  # fmt: skip
    assert task.subject_type == "placement" and task.subject_id == placement.pk
    assert task.attention_key == row.key and task.source == "attention"
    client.post(f"/today/items/{row.pk}/task/")
    assert Task.objects.count() == 1


def test_other_clients_items_are_not_found(computed: Any, client: Any) -> None:
    demo = computed
    foreign = item(demo.campaign("FBRK-TS27"), owner=demo.alice)
    client.force_login(demo.ben)
    for action in ("snooze", "dismiss", "task"):
        response = client.post(f"/today/items/{foreign.pk}/{action}/", {"reason": "x", "days": 3})
        assert response.status_code == 404
    assert not Silence.objects.exists() and not Task.objects.exists()


def test_thresholds_page_saves_overrides_and_refuses_bad_values(computed: Any, client: Any) -> None:
    demo = computed
    client.force_login(demo.alice)
    url = f"/clients/{demo.northwind.pk}/attention/"
    values = {
        "flight_lead_days": "10", "material_due_days": "7", "stale_delivery_days": "3",
        "rights_soon_days": "30", "pacing_tolerance": "0.15", "budget_overrun_tolerance": "0",
    }  # fmt: skip
    assert client.post(url, values).status_code == 302
    saved = AttentionSettings.objects.get(client=demo.northwind)
    assert saved.thresholds == {"flight_lead_days": 10, "pacing_tolerance": "0.15"}
    assert services.thresholds_of(demo.northwind.pk).flight_lead_days == 10
    refused = client.post(url, {**values, "pacing_tolerance": "1.5"})
    assert refused.status_code == 200
    assert "pacing_tolerance" in refused.content.decode()
    # A coordinator reads them but may not change them.
    client.force_login(demo.ben)
    assert client.get(url).status_code == 200
    client.post(url, {**values, "flight_lead_days": "2"})
    assert services.thresholds_of(demo.northwind.pk).flight_lead_days == 10


def test_api_lists_filters_and_acts(computed: Any, api_as: Any) -> None:
    demo = computed
    nw = demo.campaign("NWND-AR26")
    mine = item(nw, "pacing_off", owner=demo.ben, severity="medium", title="Pacing")
    item(nw, "budget_overrun", owner=demo.alice, severity="critical", title="Overrun")
    item(demo.campaign("FBRK-TS27"), owner=demo.alice, title="Fabrikam")
    api = api_as(demo.ben)
    listing = api.get("/api/v1/attention").json()
    assert listing["count"] == 2
    first = listing["items"][0]
    assert first["title"] == "Overrun" and first["severity"] == "critical"
    assert set(first) >= {
        "id",
        "kind",
        "severity",
        "client",
        "owner",
        "due",
        "title",
        "object",
        "url",
    }
    assert first["client"] == {"id": demo.northwind.pk, "name": demo.northwind.name}
    assert first["object"] == {"type": "budget", "id": nw.pk}
    assert api.get("/api/v1/attention", owner="me").json()["count"] == 1
    assert api.get("/api/v1/attention", kind="pacing_off").json()["items"][0]["id"] == mine.pk
    assert api.get("/api/v1/attention", client=demo.fabrikam.pk).json()["count"] == 0
    counts = api.get("/api/v1/attention/counts").json()
    assert counts["total"] == 2 and counts["by_kind"]["pacing_off"] == 1
    until = (services.today() + timedelta(days=2)).isoformat()
    snoozed = api.post(f"/api/v1/attention/{mine.pk}/snooze", {"until": until, "reason": "later"})
    assert snoozed.status_code == 201
    assert api.get("/api/v1/attention").json()["count"] == 1
    refused = api.post(f"/api/v1/attention/{mine.pk}/dismiss", {"reason": ""})
    assert refused.status_code == 422
    fab = AttentionItem.objects.get(title="Fabrikam")
    assert api.post(f"/api/v1/attention/{fab.pk}/dismiss", {"reason": "x"}).status_code == 404
    made = api.post(f"/api/v1/attention/{mine.pk}/task", {"title": "Call the vendor"})
    assert made.status_code == 201 and made.json()["title"] == "Call the vendor"
