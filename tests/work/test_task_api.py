"""Tasks and meetings over the API: list with filters, create, one task with its comments,
change it, comment; plan a meeting, read its agenda, start it, save notes, add an action item,
finish it and send the minutes — and 404 for what the token's owner may not see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mediadesk.accounts.models import User
from mediadesk.planning.models import Campaign
from mediadesk.work import meetings, services
from mediadesk.work.models import AttentionItem, Meeting, Notification, Task

pytestmark = pytest.mark.django_db


def task(actor: Any, client: Any, title: str, **values: Any) -> Task:
    return services.create_task(actor, client_id=client.pk, title=title, **values)


def test_tasks_list_filters_and_stays_within_the_users_clients(demo: Any, api_as: Any) -> None:
    today = services.today()
    late = task(demo.alice, demo.northwind, "API late", owner=demo.ben,
                due=today - timedelta(days=1))  # fmt: skip
    task(demo.alice, demo.contoso, "API Contoso", owner=demo.cara, due=today)
    task(demo.alice, demo.fabrikam, "API Fabrikam", owner=demo.cara)
    api = api_as(demo.ben)
    listing = api.get("/api/v1/tasks", limit=200).json()
    titles = {row["title"] for row in listing["items"]}
    assert {"API late", "API Contoso"} <= titles and "API Fabrikam" not in titles
    mine = api.get("/api/v1/tasks", owner="me", limit=200).json()
    assert {row["owner"]["email"] for row in mine["items"]} == {"ben@demo.test"}
    overdue = api.get("/api/v1/tasks", overdue="true", client=demo.northwind.pk).json()
    row = next(r for r in overdue["items"] if r["id"] == late.pk)
    assert row["overdue"] is True and row["client"] == {"id": demo.northwind.pk,
                                                        "name": "Northwind"}  # fmt: skip
    assert all(r["overdue"] for r in overdue["items"])
    assert api.get("/api/v1/tasks", client=demo.fabrikam.pk).json()["count"] == 0
    assert api.get("/api/v1/tasks", owner="someone").status_code == 422


def test_creating_changing_and_commenting_on_a_task(demo: Any, api_as: Any) -> None:
    api = api_as(demo.ben)
    campaign = demo.campaign("NWND-AR26")
    made = api.post(
        "/api/v1/tasks",
        {"client": demo.northwind.pk, "title": "Chase the IO", "owner": demo.cara.pk,
         "due": "2026-12-04", "subject_type": "campaign", "subject_id": campaign.pk},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["status"] == "open" and data["owner"]["email"] == "cara@demo.test"
    assert data["campaign"] == campaign.pk and data["object"]["type"] == "campaign"
    assert data["url"] == f"/tasks/{data['id']}/" and data["comments"] == []

    changed = api.patch(f"/api/v1/tasks/{data['id']}", {"status": "doing", "due": None})
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["due"]) == ("doing", None)
    bad = api.patch(f"/api/v1/tasks/{data['id']}", {"status": "lost"})
    assert bad.status_code == 422

    said = api.post(f"/api/v1/tasks/{data['id']}/comments", {"body": "@lea@demo.test look"})
    assert said.status_code == 201
    assert [p["email"] for p in said.json()["mentions"]] == ["lea@demo.test"]
    lea = User.objects.get(email="lea@demo.test")
    assert Notification.objects.filter(user=lea, kind="mention", url=data["url"]).exists()
    again = api.get(f"/api/v1/tasks/{data['id']}").json()
    assert again["comments"][0]["body"] == "@lea@demo.test look"


def test_owners_from_another_client_are_refused_without_naming_them(demo: Any, api_as: Any) -> None:
    from mediadesk.accounts.choices import Role
    from mediadesk.accounts.models import Membership

    fay = User.objects.create_user("fay@demo.test", "pw", full_name="Fay Secret",
                                   organization=demo.alice.organization)  # fmt: skip
    Membership.objects.create(user=fay, client=demo.fabrikam, role=Role.CREATIVE)
    api = api_as(demo.ben)
    refused = api.post("/api/v1/tasks", {"client": demo.northwind.pk, "title": "x",
                                         "owner": fay.pk})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "owner"
    assert "Fay" not in refused.content.decode()
    assert api.post("/api/v1/tasks", {"client": demo.fabrikam.pk, "title": "x"}).status_code == 404
    # A client reviewer may not create tasks.
    assert (
        api_as(demo.dan).post("/api/v1/tasks", {"client": demo.northwind.pk, "title": "x"})
    ).status_code == 403


def test_a_client_reviewer_reads_only_his_shared_tasks(demo: Any, api_as: Any) -> None:
    shared = task(demo.ben, demo.northwind, "Dan's shared", owner=demo.dan,
                  campaign_id=demo.campaign("NWND-AR26").pk)  # fmt: skip
    unshared = task(demo.ben, demo.northwind, "Dan's unshared", owner=demo.dan,
                    campaign_id=Campaign.objects.get(code="NWND-RP27").pk)  # fmt: skip
    bens = task(demo.ben, demo.northwind, "Ben's", owner=demo.ben)
    api = api_as(demo.dan)
    ids = {row["id"] for row in api.get("/api/v1/tasks", limit=200).json()["items"]}
    assert shared.pk in ids and not {unshared.pk, bens.pk} & ids
    assert api.get(f"/api/v1/tasks/{shared.pk}").status_code == 200
    for other in (unshared, bens):
        assert api.get(f"/api/v1/tasks/{other.pk}").status_code == 404
        assert api.patch(f"/api/v1/tasks/{other.pk}", {"status": "done"}).status_code == 404
        assert api.post(f"/api/v1/tasks/{other.pk}/comments", {"body": "x"}).status_code == 404
    assert api.patch(f"/api/v1/tasks/{shared.pk}", {"status": "done"}).status_code == 403
    assert api.get("/api/v1/meetings").json() == {"items": [], "count": 0}


def test_running_a_meeting_through_the_api(demo: Any, api_as: Any) -> None:
    AttentionItem.objects.filter(client=demo.northwind).delete()
    AttentionItem.objects.create(
        client=demo.northwind, key="pacing_off:placement:9", kind="pacing_off", severity="high",
        severity_rank=1, title="Radio under plan", subject_type="placement", subject_id=9,
        url="/x/", situation="under", computed_on=services.today(), computed_at=timezone.now(),
    )  # fmt: skip
    api = api_as(demo.ben)
    made = api.post(
        "/api/v1/meetings",
        {"client": demo.northwind.pk, "title": "API weekly", "starts_at": "2026-12-07T10:00:00Z",
         "attendees": [demo.ben.pk, demo.cara.pk]},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    meeting = made.json()
    url = f"/api/v1/meetings/{meeting['id']}"
    assert meeting["status"] == "planned" and meeting["agenda_frozen"] is False
    assert [line["title"] for line in meeting["agenda"]][:1] == ["Radio under plan"]
    assert {p["email"] for p in meeting["attendees"]} == {"ben@demo.test", "cara@demo.test"}

    assert api.post(f"{url}/minutes", {}).status_code == 409  # not finished
    started = api.post(f"{url}/start", {}).json()
    assert started["status"] == "running" and started["agenda_frozen"] is True
    assert api.post(f"{url}/start", {}).status_code == 409
    noted = api.request("put", f"{url}/notes", {"notes": "Decision: more radio", "base": ""})
    assert noted.status_code == 200 and noted.json()["decisions"] == ["more radio"]
    stale = api.request("put", f"{url}/notes", {"notes": "old", "base": ""})
    assert stale.status_code == 409

    key = started["agenda"][0]["key"]
    action = api.post(f"{url}/action-items", {"owner": demo.cara.pk, "due": "2026-12-09",
                                              "agenda_key": key})  # fmt: skip
    assert action.status_code == 201
    assert (
        action.json()["title"] == "Radio under plan" and action.json()["meeting"] == meeting["id"]
    )
    assert api.post(f"{url}/finish", {}).json()["status"] == "done"

    sent = api.post(f"{url}/minutes", {})
    assert sent.status_code == 200
    assert sent.json()["to"] == ["ben@demo.test", "cara@demo.test"]
    assert sent.json()["already_sent"] is False
    assert api.post(f"{url}/minutes", {}).json()["already_sent"] is True
    detail = api.get(url).json()
    assert len(detail["minutes"]) == 1 and detail["action_items"][0]["owner"]["id"] == demo.cara.pk
    listing = api.get("/api/v1/meetings", client=demo.northwind.pk, status="done").json()
    assert meeting["id"] in {row["id"] for row in listing["items"]}


def test_meetings_of_other_clients_are_not_found(demo: Any, api_as: Any) -> None:
    fabrikam = meetings.create_meeting(
        demo.alice, client_id=demo.fabrikam.pk, title="Fabrikam weekly",
        starts_at=timezone.now(), attendees=[demo.cara],
    )  # fmt: skip
    northwind = meetings.create_meeting(
        demo.ben, client_id=demo.northwind.pk, title="Northwind weekly",
        starts_at=timezone.now(), attendees=[demo.ben],
    )  # fmt: skip
    for user, meeting in ((demo.ben, fabrikam), (demo.dan, northwind)):
        api = api_as(user)
        url = f"/api/v1/meetings/{meeting.pk}"
        assert api.get(url).status_code == 404
        for suffix in ("/start", "/finish", "/minutes"):
            assert api.post(url + suffix, {}).status_code == 404
        assert api.request("put", url + "/notes", {"notes": "x"}).status_code == 404
        assert api.post(url + "/action-items", {"owner": user.pk}).status_code == 404
    assert Meeting.objects.get(pk=fabrikam.pk).status == "planned"
    ben_list = api_as(demo.ben).get("/api/v1/meetings", limit=200).json()
    assert fabrikam.pk not in {row["id"] for row in ben_list["items"]}
    refused = api_as(demo.ben).post(
        "/api/v1/meetings",
        {"client": demo.northwind.pk, "starts_at": "2026-12-07T10:00:00Z",
         "attendees": [User.objects.get(email="alice@demo.test").pk, 987654]},
    )  # fmt: skip
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "attendees"
