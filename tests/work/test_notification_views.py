"""The notification pages: my notifications and the bell, my e-mail preferences, the outbox and
the teams — each showing only what the person may see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mediadesk.work import notify as notifications
from mediadesk.work.choices import OutboxStatus
from mediadesk.work.models import Notification, NotificationPreference, OutboxMessage, Team
from mediadesk.work.outbox import queue_email, queue_webhook
from vendors.agencies import make_other_agency
from work.webhook_server import (
    Channel,
    channel_fixture,  # noqa: F401 - the fixture `channel`
)


def tell(user: Any, key: str, client: Any, title: str = "", url: str = "/campaigns/") -> Any:
    return notifications.notify(
        user, kind="mention", title=title or f"Note {key}", url=url,
        client_id=client.pk if client else None, dedupe_key=key,
    )  # fmt: skip


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- notifications and the bell -------------------------------------------------------------------


def test_an_empty_notifications_page_says_what_will_come(demo: Any, web_as: Any) -> None:
    html = page(web_as(demo.ben).get("/notifications/"))
    assert "No notifications yet" in html and "@your-email" in html
    assert "Mark all" not in html


def test_unread_first_mark_one_and_all_read(demo: Any, web_as: Any) -> None:
    old = tell(demo.ben, "old", demo.northwind, "Older unread")
    read = tell(demo.ben, "read", demo.contoso, "Already read")
    notifications.mark_read(demo.ben, read)
    Notification.objects.filter(pk=read.pk).update(created_at=timezone.now() + timedelta(hours=1))
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    new = tell(demo.ben, "new", demo.northwind, "Newest unread")
    tell(demo.alice, "alice", demo.fabrikam, "Alice's own")
    http = web_as(demo.ben)

    html = page(http.get("/notifications/"))
    assert html.index("Newest unread") < html.index("Older unread") < html.index("Already read")
    assert "Alice's own" not in html
    assert "Mark all 2 as read" in html

    response = http.post(f"/notifications/{new.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    new.refresh_from_db()
    assert new.read_at is not None
    assert "Mark all 1 as read" in page(http.get("/notifications/"))
    assert "Older unread" in page(http.get("/notifications/?show=unread"))

    http.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=demo.ben, read_at__isnull=True).exists()
    assert "All read" in page(http.get("/notifications/?show=unread"))


def test_opening_a_notification_marks_it_read_and_follows_its_link(demo: Any, web_as: Any) -> None:
    mine = tell(demo.ben, "open", demo.northwind, url="/tasks/")
    outside = tell(demo.ben, "evil", demo.northwind, url="https://evil.example/")
    http = web_as(demo.ben)
    response = http.get(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert http.get(f"/notifications/{outside.pk}/open/")["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(demo: Any, web_as: Any) -> None:
    alices = tell(demo.alice, "a", demo.northwind)
    http = web_as(demo.ben)
    assert http.get(f"/notifications/{alices.pk}/open/").status_code == 404
    assert http.post(f"/notifications/{alices.pk}/read/").status_code == 404
    alices.refresh_from_db()
    assert alices.read_at is None


def test_the_bell_counts_unread_on_every_page(demo: Any, web_as: Any) -> None:
    http = web_as(demo.cara)
    html = page(http.get("/campaigns/"))
    assert 'href="/notifications/"' in html and "unread" not in html
    tell(demo.cara, "1", demo.northwind)
    tell(demo.cara, "2", demo.fabrikam)
    tell(demo.ben, "3", demo.northwind)  # someone else's
    html = page(http.get("/campaigns/"))
    assert (
        "Notifications, 2 unread" in html
        and '<span class="badge tone-bad" aria-hidden="true">2</span>' in html
    )
    # A client she no longer works on is not counted.
    from mediadesk.accounts.models import Membership

    Membership.objects.filter(user=demo.cara, client=demo.fabrikam).delete()
    assert "Notifications, 1 unread" in page(http.get("/notifications/"))


# --- preferences ----------------------------------------------------------------------------------


def test_preferences_are_saved_and_refused_values_are_explained(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    html = page(http.get("/settings/notifications/"))
    assert "ben@demo.test" in html and 'value="immediate"' in html
    response = http.post(
        "/settings/notifications/",
        {"email_mode": "digest", "digest_hour": "6", "attention_digest": ""},
    )
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=demo.ben)
    assert (saved.email_mode, saved.digest_hour, saved.attention_digest) == ("digest", 6, False)
    html = page(http.post("/settings/notifications/", {"email_mode": "often", "digest_hour": "30"}))
    assert "Select a valid choice" in html
    assert NotificationPreference.objects.get(user=demo.ben).email_mode == "digest"


# --- the outbox -----------------------------------------------------------------------------------


def messages_of(demo: Any) -> dict[str, OutboxMessage]:
    org = demo.northwind.organization_id
    failed = queue_email(
        "n", to=["ben@demo.test"], subject="Northwind minutes", body="…",
        client_id=demo.northwind.pk, organization_id=org,
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxStatus.FAILED, attempts=8, last_error="The mail server refused: 554 denied."
    )
    return {
        "northwind": failed,
        "fabrikam": queue_email(
            "f",
            to=["cara@demo.test"],
            subject="Fabrikam secret report",
            body="…",
            client_id=demo.fabrikam.pk,
            organization_id=org,
        ),
        "digest": queue_email(
            "d",
            to=["alice@demo.test"],
            subject="Daily digest for Alice",
            body="…",
            organization_id=org,
        ),
        "slack": queue_webhook(
            "s",
            kind="slack",
            url="https://hooks.slack.com/services/T0/B0/SECRET",
            payload={"text": "hi"},
            summary="Northwind crew: new items",
            client_id=demo.northwind.pk,
            organization_id=org,
        ),
    }


def test_admins_see_the_whole_outbox_with_errors_and_send_again(
    demo: Any, web_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    found = messages_of(demo)
    http = web_as(demo.alice)
    html = page(http.get("/outbox/"))
    for subject in ("Northwind minutes", "Fabrikam secret report", "Daily digest for Alice"):
        assert subject in html
    assert "The mail server refused: 554 denied." in html and "Send again" in html
    assert "SECRET" not in html and "hooks.slack.com/…" in html  # webhook paths are secrets
    assert "Fabrikam" not in page(http.get("/outbox/?status=failed")).split("<tbody>")[1]

    detail = page(http.get(f"/outbox/{found['slack'].pk}/"))
    assert "SECRET" not in detail and "&quot;text&quot;: &quot;hi&quot;" in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/outbox/{found['northwind'].pk}/retry/")
    assert response.status_code == 302
    found["northwind"].refresh_from_db()
    assert found["northwind"].status == OutboxStatus.SENT  # the locmem server takes it


def test_others_see_only_their_clients_messages_and_cannot_send_again(
    demo: Any, web_as: Any
) -> None:
    found = messages_of(demo)
    http = web_as(demo.ben)
    html = page(http.get("/outbox/"))
    assert "Northwind minutes" in html
    assert "Fabrikam" not in html and "Daily digest for Alice" not in html
    assert "Send again" not in html
    assert http.get(f"/outbox/{found['fabrikam'].pk}/").status_code == 404
    assert http.get(f"/outbox/{found['digest'].pk}/").status_code == 404
    assert http.post(f"/outbox/{found['fabrikam'].pk}/retry/").status_code == 404
    assert http.post(f"/outbox/{found['northwind'].pk}/retry/").status_code == 403
    found["northwind"].refresh_from_db()
    assert found["northwind"].status == OutboxStatus.FAILED


def test_client_reviewers_and_other_agencies_find_no_outbox(demo: Any, web_as: Any) -> None:
    found = messages_of(demo)
    assert web_as(demo.dan).get("/outbox/").status_code == 404
    other = make_other_agency()
    http = web_as(other.admin)
    html = page(http.get("/outbox/"))
    assert "The outbox is empty" in html
    assert http.get(f"/outbox/{found['northwind'].pk}/").status_code == 404
    assert http.post(f"/outbox/{found['northwind'].pk}/retry/").status_code == 404


# --- teams ----------------------------------------------------------------------------------------


def test_an_admin_makes_a_team_connects_slack_and_sends_a_test(
    demo: Any,
    web_as: Any,
    channel: Channel,
) -> None:
    http = web_as(demo.alice)
    assert "No teams yet" in page(http.get("/teams/"))
    response = http.post("/teams/", {"name": "Northwind crew"})
    team = Team.objects.get(name="Northwind crew")
    assert response["Location"] == f"/teams/{team.pk}/"
    html = page(http.post("/teams/", {"name": "northwind CREW"}))
    assert "There is a team called northwind CREW already." in html

    html = page(http.get(f"/teams/{team.pk}/"))
    assert "Ben Brooks" in html and "Dan" not in html  # a client reviewer is not on teams
    response = http.post(
        f"/teams/{team.pk}/",
        {"name": "Northwind crew", "members": [demo.ben.pk, demo.cara.pk],
         "slack_webhook_url": channel.url("/ok/T1/B1/TOKEN"), "teams_webhook_url": "not a url"},
    )  # fmt: skip
    assert "Paste the whole webhook address" in page(response)
    response = http.post(
        f"/teams/{team.pk}/",
        {"name": "Northwind crew", "members": [demo.ben.pk, demo.cara.pk],
         "slack_webhook_url": channel.url("/ok/T1/B1/TOKEN")},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(team.members.all()) == {demo.ben, demo.cara}

    response = http.post(f"/teams/{team.pk}/test/", follow=True)
    assert "Slack: the test message was delivered." in page(response)
    assert channel.received[0][0] == "/ok/T1/B1/TOKEN"
    assert "test message" in page(http.get(f"/teams/{team.pk}/"))  # under recent posts

    response = http.post(f"/teams/{team.pk}/delete/", follow=True)
    assert "Team Northwind crew deleted" in page(response)
    assert not Team.objects.exists()


def test_people_see_teams_but_only_admins_change_them(demo: Any, web_as: Any) -> None:
    team = Team.objects.create(
        organization=demo.northwind.organization, name="Crew",
        slack_webhook_url="https://hooks.slack.com/services/T/B/SECRET",
    )  # fmt: skip
    team.members.set([demo.ben])
    http = web_as(demo.ben)
    assert "Crew" in page(http.get("/teams/")) and "New team" not in page(http.get("/teams/"))
    html = page(http.get(f"/teams/{team.pk}/"))
    assert "SECRET" not in html and "Connected" in html
    assert http.post("/teams/", {"name": "Mine"}).status_code == 403
    assert http.post(f"/teams/{team.pk}/", {"name": "Renamed"}).status_code == 403
    assert http.post(f"/teams/{team.pk}/test/").status_code == 403
    assert http.post(f"/teams/{team.pk}/delete/").status_code == 403
    assert Team.objects.get().name == "Crew"
    assert web_as(demo.dan).get("/teams/").status_code == 404
    assert web_as(demo.dan).get(f"/teams/{team.pk}/").status_code == 404


def test_another_agencys_team_is_not_found(demo: Any, web_as: Any) -> None:
    other = make_other_agency()
    theirs = Team.objects.create(organization=other.organization, name="Theirs")
    http = web_as(demo.alice)
    assert "Theirs" not in page(http.get("/teams/"))
    for method, path in (
        ("get", f"/teams/{theirs.pk}/"), ("post", f"/teams/{theirs.pk}/"),
        ("post", f"/teams/{theirs.pk}/test/"), ("post", f"/teams/{theirs.pk}/delete/"),
    ):  # fmt: skip
        assert getattr(http, method)(path).status_code == 404
    assert Team.objects.filter(pk=theirs.pk).exists()


# --- the API --------------------------------------------------------------------------------------


def api_urls() -> list[Any]:
    """The notification routes as mounted on /api/v1 — by mediadesk/api.py once the lead wires
    them, and here on a copy of the API until then, with the same token authentication."""
    from django.urls import path
    from ninja import NinjaAPI

    from mediadesk import api as main
    from mediadesk.work.notification_api import router

    local = NinjaAPI(auth=main.BearerToken(), urls_namespace="notifications-test")
    local.add_router("/", router)
    local.exception_handler(main.Http404)(main.on_not_found)
    from mediadesk import urls as site

    return [path("api/v1/", local.urls), *site.urlpatterns]


urlpatterns = api_urls()


@pytest.mark.urls(__name__)
def test_the_api_lists_my_notifications_and_marks_one_read(demo: Any, api_as: Any) -> None:
    first = tell(demo.ben, "1", demo.northwind, "First")
    tell(demo.ben, "2", demo.contoso, "Second")
    alices = tell(demo.alice, "3", demo.northwind, "Alice's")
    hidden = Notification.objects.create(
        user=demo.ben, client=demo.fabrikam, kind="mention", title="Not his client",
        dedupe_key="x",
    )  # fmt: skip
    api = api_as(demo.ben)
    body = api.get("/api/v1/notifications").json()
    assert body["count"] == 2
    assert [n["title"] for n in body["items"]] == ["Second", "First"]
    assert body["items"][1]["client"] == {"id": demo.northwind.pk, "name": "Northwind"}
    assert body["items"][1]["read"] is False and body["items"][1]["url"] == "/campaigns/"

    response = api.post(f"/api/v1/notifications/{first.pk}/read", {})
    assert response.status_code == 200 and response.json()["read"] is True
    unread = api.get("/api/v1/notifications", unread="true").json()
    assert [n["title"] for n in unread["items"]] == ["Second"]
    for foreign in (alices, hidden):
        assert api.post(f"/api/v1/notifications/{foreign.pk}/read", {}).status_code == 404
    alices.refresh_from_db()
    assert alices.read_at is None
    assert api_as(None).get("/api/v1/notifications").status_code == 401
