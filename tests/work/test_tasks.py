"""Tasks: who sees which (a client reviewer only his own, on shared campaigns), the list with
its filters, sorting and CSV, a new task (owners limited to people on the client, "belongs
to"), the board and its status moves (plain form and JSON), one task with its edit form,
comments with @mentions and history, and 404 for another client's task on every URL.

People: Ben (coordinator on Northwind and Contoso), Dan (Northwind's client reviewer), Alice
(organization admin), Cara (finance on every client), Fay (creative on Fabrikam only).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from mediadesk.audit.models import AuditEvent
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.models import Campaign, Placement
from mediadesk.vendors.models import Vendor
from mediadesk.work import services
from mediadesk.work.choices import TaskStatus
from mediadesk.work.meetings import people_on_client, visible_tasks
from mediadesk.work.models import Notification, Task, Team

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def fay(demo: Any) -> User:
    """Creative on Fabrikam only: someone Ben's clients never offer as an owner."""
    user = User.objects.create_user(
        "fay@demo.test", "pw", full_name="Fay Fabrikam", organization=demo.alice.organization
    )
    Membership.objects.create(user=user, client=demo.fabrikam, role=Role.CREATIVE)
    return user


def task(actor: Any, client: Any, title: str, **values: Any) -> Task:
    return services.create_task(actor, client_id=client.pk, title=title, **values)


# --- who sees what --------------------------------------------------------------------------


def test_a_client_reviewer_sees_only_his_own_tasks_on_shared_campaigns(demo: Any) -> None:
    shared = demo.campaign("NWND-AR26")
    unshared = demo.campaign("NWND-RP27")
    assert shared.shared_with_client and not unshared.shared_with_client
    his = task(demo.ben, demo.northwind, "Approve the radio script", owner=demo.dan,
               campaign_id=shared.pk)  # fmt: skip
    his_client_wide = task(demo.ben, demo.northwind, "Send the brand book", owner=demo.dan)
    his_unshared = task(demo.ben, demo.northwind, "Internal only", owner=demo.dan,
                        campaign_id=unshared.pk)  # fmt: skip
    bens = task(demo.ben, demo.northwind, "Chase RMS", owner=demo.ben, campaign_id=shared.pk)
    foreign = task(demo.alice, demo.contoso, "Contoso work", owner=demo.alice)

    dans = set(visible_tasks(demo.dan).values_list("pk", flat=True))
    assert his.pk in dans and his_client_wide.pk in dans
    assert not {his_unshared.pk, bens.pk, foreign.pk} & dans

    ben_sees = set(visible_tasks(demo.ben).values_list("pk", flat=True))
    assert {his.pk, his_client_wide.pk, his_unshared.pk, bens.pk, foreign.pk} <= ben_sees
    fabrikam = task(demo.alice, demo.fabrikam, "Fabrikam work")
    assert not visible_tasks(demo.ben).filter(pk=fabrikam.pk).exists()


def test_owners_are_the_people_on_the_client(demo: Any, fay: User) -> None:
    northwind = set(people_on_client(demo.northwind.pk))
    assert {demo.alice, demo.ben, demo.cara, demo.dan} <= northwind
    assert fay not in northwind
    assert fay in set(people_on_client(demo.fabrikam.pk))
    with pytest.raises(ValidationError) as refused:
        task(demo.ben, demo.northwind, "Not hers", owner=fay)
    assert "owner" in refused.value.message_dict


def test_viewers_and_reviewers_may_not_create_tasks(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        task(demo.dan, demo.northwind, "Mine")
    with pytest.raises(PermissionDenied):
        task(demo.ben, demo.fabrikam, "Not my client")


# --- the list -------------------------------------------------------------------------------


def test_the_list_filters_sorts_and_shows_only_visible_tasks(demo: Any, web_as: Any) -> None:
    today = services.today()
    autumn = demo.campaign("NWND-AR26")
    late = task(demo.alice, demo.northwind, "Late radio traffic", owner=demo.ben,
                due=today - timedelta(days=3), campaign_id=autumn.pk)  # fmt: skip
    soon = task(demo.alice, demo.contoso, "Soon landing page", owner=demo.ben,
                due=today + timedelta(days=2))  # fmt: skip
    someone_elses = task(demo.alice, demo.northwind, "Cara's invoice check", owner=demo.cara,
                         due=today + timedelta(days=1))  # fmt: skip
    done = task(demo.alice, demo.northwind, "Already done thing", owner=demo.ben)
    services.set_task_status(demo.alice, done, TaskStatus.DONE)
    task(demo.alice, demo.fabrikam, "Fabrikam secret task", owner=demo.cara)

    http = web_as(demo.ben)
    page = body(http.get("/tasks/", {"view": "mine"}))
    assert "Late radio traffic" in page and "Soon landing page" in page
    assert "Cara&#x27;s invoice check" not in page and "Already done thing" not in page
    assert page.index("Late radio traffic") < page.index("Soon landing page")  # due first
    assert "Overdue" in page
    assert "Fabrikam secret task" not in body(http.get("/tasks/", {"view": "all"}))

    everyone = body(http.get("/tasks/", {"view": "all"}))
    assert "Cara&#x27;s invoice check" in everyone
    latest_first = body(http.get("/tasks/", {"view": "all", "sort": "-due"}))
    assert latest_first.index("Soon landing page") < latest_first.index("Late radio traffic")

    overdue = body(http.get("/tasks/", {"view": "all", "overdue": "on"}))
    assert "Late radio traffic" in overdue and "Soon landing page" not in overdue
    contoso = body(http.get("/tasks/", {"view": "all", "client": demo.contoso.pk}))
    assert "Soon landing page" in contoso and "Late radio traffic" not in contoso
    by_campaign = body(http.get("/tasks/", {"view": "all", "campaign": autumn.pk}))
    assert "Late radio traffic" in by_campaign and "Cara&#x27;s invoice check" not in by_campaign
    finished = body(http.get("/tasks/", {"view": "all", "status": "done"}))
    assert "Already done thing" in finished and "Late radio traffic" not in finished
    # Another client's id in the filter shows nothing of it (and says the filter was ignored).
    foreign = body(http.get("/tasks/", {"view": "all", "client": demo.fabrikam.pk}))
    assert "Fabrikam secret task" not in foreign and "ignored" in foreign
    assert someone_elses.pk and late.pk and soon.pk


def test_the_list_downloads_csv_of_the_users_clients_only(demo: Any, web_as: Any) -> None:
    task(demo.alice, demo.northwind, "=HYPERLINK(evil)", owner=demo.ben)
    task(demo.alice, demo.fabrikam, "Fabrikam secret task", owner=demo.cara)
    response = web_as(demo.ben).get("/tasks/", {"view": "all", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Title", "Client"]
    titles = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(evil)" in titles  # neutralized against formula injection
    assert "Fabrikam secret task" not in titles
    assert web_as(demo.dan).get("/tasks/", {"format": "csv"}).status_code == 403


def test_the_empty_list_says_what_tasks_are(demo: Any, web_as: Any) -> None:
    Task.objects.all().delete()
    page = body(web_as(demo.ben).get("/tasks/"))
    assert "No open tasks" in page and "New task" in page


# --- a new task -----------------------------------------------------------------------------


def test_a_new_task_starts_with_the_client_then_offers_its_people(
    demo: Any, fay: User, web_as: Any
) -> None:
    http = web_as(demo.ben)
    first = body(http.get("/tasks/new/"))
    assert "Choose a client" in first and 'name="title"' not in first
    form = body(http.get("/tasks/new/", {"client": demo.northwind.pk}))
    assert 'name="title"' in form
    assert demo.dan.email in form and fay.email not in form
    assert "Fabrikam" not in form.split("<main", 1)[1].split("pick-client", 1)[0]
    # A client Ben does not work on is not offered at all (the form falls back to the picker).
    assert 'name="title"' not in body(http.get("/tasks/new/", {"client": demo.fabrikam.pk}))


def test_creating_a_task_that_belongs_to_an_io(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    placement = Placement.objects.filter(version__campaign=campaign).first()
    vendor = Vendor.objects.filter(organization=demo.alice.organization).first()
    assert placement is not None and vendor is not None
    order = InsertionOrder.objects.create(
        client=demo.northwind, campaign=campaign, plan_version=placement.version,
        vendor=vendor,
        number="IO-TASK-1", currency="EUR", payment_terms="net_30",
    )  # fmt: skip
    http = web_as(demo.ben)
    due = services.today() + timedelta(days=4)
    response = http.post(
        "/tasks/new/",
        {"client": demo.northwind.pk, "title": "Get the IO countersigned", "owner": demo.cara.pk,
         "due": due.isoformat(), "campaign": campaign.pk, "belongs": f"io:{order.pk}",
         "notes": "Vendor is slow."},
    )  # fmt: skip
    made = Task.objects.get(title="Get the IO countersigned")
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    assert (made.owner, made.due, made.campaign_id) == (demo.cara, due, campaign.pk)
    assert (made.subject_type, made.subject_id, made.subject_label) == ("io", order.pk,
                                                                        "IO IO-TASK-1")  # fmt: skip
    assert Notification.objects.filter(
        user=demo.cara, kind="task_assigned", url=made.get_absolute_url()
    ).exists()
    page = body(http.get(made.get_absolute_url()))
    assert f'href="{order.get_absolute_url()}"' in page


def test_a_refused_task_keeps_what_was_typed(demo: Any, fay: User, web_as: Any) -> None:
    response = web_as(demo.ben).post(
        "/tasks/new/",
        {"client": demo.northwind.pk, "title": "Typed title stays", "owner": fay.pk},
    )
    assert response.status_code == 400
    page = body(response)
    assert "Typed title stays" in page and "has-error" in page
    assert not Task.objects.filter(title="Typed title stays").exists()


def test_a_link_can_ask_for_a_placement(demo: Any, web_as: Any) -> None:
    placement = Placement.objects.filter(version__campaign__code="NWND-AR26").first()
    assert placement is not None
    url = f"/tasks/new/?client={demo.northwind.pk}&subject_type=placement&subject_id={placement.pk}"
    page = body(web_as(demo.ben).get(url))
    assert f'value="placement:{placement.pk}" selected' in page
    foreign = Placement.objects.filter(version__campaign__code="FBRK-TS27").first()
    assert foreign is not None
    other = body(
        web_as(demo.ben).get(
            f"/tasks/new/?client={demo.northwind.pk}&subject_type=placement&subject_id={foreign.pk}"
        )
    )
    assert f"placement:{foreign.pk}" not in other


# --- the board ------------------------------------------------------------------------------


def test_the_board_shows_columns_and_moves_cards_with_a_plain_form(demo: Any, web_as: Any) -> None:
    card = task(demo.alice, demo.northwind, "Board card to move", owner=demo.ben)
    done = task(demo.alice, demo.northwind, "Finished card", owner=demo.ben)
    services.set_task_status(demo.alice, done, TaskStatus.DONE)
    http = web_as(demo.ben)
    page = body(http.get("/tasks/board/", {"view": "mine"}))
    for heading in ("To do", "In progress", "Done"):
        assert f">{heading} <span" in page
    todo = page.split('data-drop="open"', 1)[1].split('data-drop="doing"', 1)[0]
    assert "Board card to move" in todo
    assert "Finished card" in page.split('data-drop="done"', 1)[1]

    response = http.post(
        f"/tasks/{card.pk}/status/", {"status": "doing", "next": "/tasks/board/?view=mine"}
    )
    assert response.status_code == 302 and response["Location"] == "/tasks/board/?view=mine"
    card.refresh_from_db()
    assert card.status == TaskStatus.DOING
    assert AuditEvent.objects.for_object(card).filter(changes__has_key="status").exists()


def test_the_board_moves_answer_json_and_refuse_what_is_not_allowed(demo: Any, web_as: Any) -> None:
    card = task(demo.alice, demo.northwind, "Json card", owner=demo.dan,
                campaign_id=demo.campaign("NWND-AR26").pk)  # fmt: skip
    json_headers = {"Accept": "application/json"}
    http = web_as(demo.ben)
    ok = http.post(f"/tasks/{card.pk}/status/", {"status": "done"}, headers=json_headers)
    assert ok.status_code == 200
    assert ok.json() == {"id": card.pk, "status": "done", "status_label": "Done"}
    bad = http.post(f"/tasks/{card.pk}/status/", {"status": "lost"}, headers=json_headers)
    assert bad.status_code == 422 and "not a status" in bad.json()["detail"]
    # Dan sees his task, but a client reviewer may not change it.
    dan = web_as(demo.dan)
    refused = dan.post(f"/tasks/{card.pk}/status/", {"status": "open"}, headers=json_headers)
    assert refused.status_code == 403
    card.refresh_from_db()
    assert card.status == TaskStatus.DONE
    dans_board = body(dan.get("/tasks/board/"))
    assert "Json card" in dans_board and "data-movable" not in dans_board


# --- one task -------------------------------------------------------------------------------


def test_the_task_page_edits_comments_with_mentions_and_shows_history(
    demo: Any, web_as: Any
) -> None:
    made = task(demo.alice, demo.northwind, "Radio traffic", owner=demo.ben)
    http = web_as(demo.ben)
    page = body(http.get(made.get_absolute_url()))
    assert "Change the task" in page and "History" in page and "Comments" in page

    due = services.today() + timedelta(days=7)
    saved = http.post(
        made.get_absolute_url(),
        {"title": "Radio traffic for December", "owner": demo.cara.pk, "due": due.isoformat(),
         "status": "doing", "notes": "Ask RMS"},
    )  # fmt: skip
    assert saved.status_code == 302
    made.refresh_from_db()
    assert (made.title, made.owner, made.due, made.status) == (
        "Radio traffic for December", demo.cara, due, TaskStatus.DOING,
    )  # fmt: skip
    refused = http.post(made.get_absolute_url(), {"title": "", "status": "doing"})
    assert refused.status_code == 400 and "has-error" in body(refused)

    commented = http.post(
        f"/tasks/{made.pk}/comments/",
        {"body": "@lea@demo.test can you check the claim? @nobody@nowhere.test too"},
    )
    assert commented.status_code == 302
    lea = User.objects.get(email="lea@demo.test")
    assert Notification.objects.filter(
        user=lea, kind="mention", url=made.get_absolute_url()
    ).exists()
    assert Notification.objects.filter(
        user=demo.cara, kind="task_comment", url=made.get_absolute_url()
    ).exists()
    page = body(http.get(made.get_absolute_url()))
    assert "can you check the claim?" in page and "told Lea Lindqvist" in page
    assert "Radio traffic for December" in page.split('id="history-h"', 1)[1]
    assert http.post(f"/tasks/{made.pk}/comments/", {"body": "  "}).status_code == 400


def test_a_client_reviewer_reads_his_task_without_edit_form_or_history(
    demo: Any, web_as: Any
) -> None:
    made = task(demo.ben, demo.northwind, "Approve the script", owner=demo.dan,
                campaign_id=demo.campaign("NWND-AR26").pk)  # fmt: skip
    page = body(web_as(demo.dan).get(made.get_absolute_url()))
    assert "Approve the script" in page
    assert "Change the task" not in page and 'id="history-h"' not in page
    assert web_as(demo.dan).post(made.get_absolute_url(), {"title": "x"}).status_code == 403


def test_my_teams_tasks(demo: Any, web_as: Any) -> None:
    team = Team.objects.create(organization=demo.alice.organization, name="Coffee")
    team.members.set([demo.ben, demo.cara])
    task(demo.alice, demo.northwind, "Cara's team task", owner=demo.cara)
    task(demo.alice, demo.northwind, "Lea's outside task",
         owner=User.objects.get(email="lea@demo.test"))  # fmt: skip
    page = body(web_as(demo.ben).get("/tasks/", {"view": "team"}))
    assert "Cara&#x27;s team task" in page and "Lea&#x27;s outside task" not in page


# --- isolation ------------------------------------------------------------------------------


def test_every_task_url_is_404_for_another_clients_task(demo: Any, web_as: Any) -> None:
    foreign = task(demo.alice, demo.fabrikam, "Fabrikam secret task", owner=demo.cara)
    unshared = task(demo.ben, demo.northwind, "Unshared", owner=demo.dan,
                    campaign_id=Campaign.objects.get(code="NWND-RP27").pk)  # fmt: skip
    someone_elses = task(demo.ben, demo.northwind, "Ben's", owner=demo.ben)
    for user, target in ((demo.ben, foreign), (demo.dan, unshared), (demo.dan, someone_elses)):
        http = web_as(user)
        for url in (f"/tasks/{target.pk}/", f"/tasks/{target.pk}/status/",
                    f"/tasks/{target.pk}/comments/"):  # fmt: skip
            for method in ("get", "post"):
                response = getattr(http, method)(url, {"status": "done", "body": "x"})
                assert response.status_code in (404, 405), f"{user} {method} {url}"
        target.refresh_from_db()
        assert target.status == TaskStatus.OPEN and not target.comments.exists()
