"""Computing the attention list into its snapshot (``services.compute_attention``) from the
facts of every area: replaced whole and the same twice, one day throughout even when the clock
passes midnight, each client's items about its own objects only, and every link a page that
answers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client as HttpClient

from mediadesk.domain.attention import Kind
from mediadesk.work import services
from mediadesk.work.models import AttentionItem, AttentionRun, AttentionSettings
from work.test_facts import World, build_world, media_root, subject_client

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]  # the autouse fixture: uploads go to the test's own folder

ROW_FIELDS = ("client_id", "campaign_id", "key", "kind", "severity", "severity_rank", "title",
              "due", "subject_type", "subject_id", "url", "owner_id", "situation",
              "shared_with_client", "computed_on")  # fmt: skip


@pytest.fixture
def world(demo: Any) -> World:
    return build_world(demo)


def rows(client_id: int | None = None) -> list[tuple[Any, ...]]:
    found = AttentionItem.objects.all()
    if client_id is not None:
        found = found.filter(client_id=client_id)
    return sorted(found.values_list(*ROW_FIELDS))


def test_computing_twice_leaves_the_same_rows(demo: Any, world: World) -> None:
    first = services.compute_attention(day=world.day)
    before = rows()
    assert first.items == len(before) > 0
    assert {row[3] for row in before} == set(Kind)
    second = services.compute_attention(day=world.day)
    assert rows() == before and second.items == first.items
    assert AttentionRun.objects.get(client=demo.northwind).items == len(rows(demo.northwind.pk))


def test_a_failed_write_keeps_the_old_snapshot_whole(demo: Any, world: World) -> None:
    services.compute_attention([demo.northwind.pk], day=world.day)
    before = rows(demo.northwind.pk)
    world.task.title = "Call Spiegel about the makegood"
    world.task.save()
    with (
        mock.patch.object(
            AttentionItem.objects, "bulk_create", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        services.compute_attention([demo.northwind.pk], day=world.day + timedelta(days=1))
    assert rows(demo.northwind.pk) == before  # neither emptied nor half new
    services.compute_attention([demo.northwind.pk], day=world.day)
    titles = {row[6] for row in rows(demo.northwind.pk)}
    assert "Task “Call Spiegel about the makegood” is due today." in titles


def test_one_day_throughout_when_the_clock_passes_midnight(demo: Any, world: World) -> None:
    """The day is read once; the clock moving on during the computation changes nothing."""
    readings: list[date] = []

    def clock() -> date:
        readings.append(world.day if not readings else world.day + timedelta(days=1))
        return readings[-1]

    with mock.patch("django.utils.timezone.localdate", side_effect=clock):
        computed = services.compute_attention()
    assert computed.day == world.day and len(readings) == 1
    assert set(AttentionItem.objects.values_list("computed_on", flat=True)) == {world.day}
    task = AttentionItem.objects.get(key=f"{Kind.TASK_DUE}:task:{world.task.pk}")
    assert task.title == "Task “Call Spiegel” is due today." and task.severity == "medium"
    overdue = AttentionItem.objects.get(key=f"{Kind.TASK_DUE}:task:{world.dans_task.pk}")
    assert "2 days overdue" in overdue.title


def test_each_clients_rows_are_about_its_own_objects(demo: Any, world: World) -> None:
    services.compute_attention(day=world.day)
    stored = list(AttentionItem.objects.select_related("campaign"))
    assert {item.client_id for item in stored} >= {demo.northwind.pk, demo.contoso.pk}
    for item in stored:
        assert subject_client((item.subject_type, item.subject_id)) == item.client_id, item.key
        assert item.campaign is None or item.campaign.client_id == item.client_id
    # A client reviewer's list: only their own stage and task, both on Northwind.
    dans = services.visible_items(demo.dan)
    assert {(item.kind, item.client_id) for item in dans} == {
        (Kind.REVIEW_WAITING, demo.northwind.pk),
        (Kind.TASK_DUE, demo.northwind.pk),
    }
    assert not services.visible_items(demo.ben).filter(client=demo.fabrikam).exists()


def test_a_bad_saved_threshold_does_not_stop_the_computation(demo: Any, world: World) -> None:
    AttentionSettings.objects.create(
        client=demo.northwind, thresholds={"flight_lead_days": -3, "rights_soon_days": "x"}
    )
    computed = services.compute_attention([demo.northwind.pk], day=world.day)
    assert computed.items > 0
    assert AttentionItem.objects.filter(key=f"{Kind.FLIGHT_WITHOUT_IO}:placement:{world.radio.pk}")


def test_every_link_answers_for_the_people_who_see_the_item(demo: Any, world: World) -> None:
    services.compute_attention(day=world.day)
    checked = 0
    for user in (demo.alice, demo.ben, demo.cara, demo.dan):
        web = HttpClient()
        web.force_login(user)
        items = list(services.visible_items(user))
        if user in (demo.ben, demo.dan):
            assert items, user
        for item in items:
            response = web.get(item.url)
            assert response.status_code == 200, (user.email, item.kind, item.url)
            checked += 1
    assert checked >= AttentionItem.objects.count()  # the admin opened every one
