"""Settings: clients, brands, people and roles — services, pages, API and CLI alike."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from mediadesk.accounts import services
from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Membership, User
from mediadesk.audit.models import AuditEvent
from mediadesk.cli import main
from mediadesk.errors import Conflict


def last_event(obj: Any) -> AuditEvent:
    event = AuditEvent.objects.for_object(obj).order_by("-at", "-id").first()
    assert event is not None
    return event


def reset_link(message: Any) -> str:
    found = re.search(r"http://testserver(/password/reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


# --- Services: clients -------------------------------------------------------------------------


def test_create_client_tidies_values_and_records_them(demo: Any) -> None:
    client = services.create_client(
        demo.alice, {"name": "  Tailspin Toys ", "code": "tspn", "default_currency": "usd"}
    )
    assert (client.name, client.code, client.default_currency) == ("Tailspin Toys", "TSPN", "USD")
    assert client.organization_id == demo.alice.organization_id
    event = AuditEvent.objects.for_object(client).get()
    assert event.action == "created" and event.actor == demo.alice
    assert event.client_id == client.pk  # in the client's own trail
    assert event.changes == {
        "name": [None, "Tailspin Toys"],
        "code": [None, "TSPN"],
        "default_currency": [None, "USD"],
        "naming_template": [None, "{client}_{campaign}_{channel}_{vendor}_{market}_{yyyymm}"],
    }


@pytest.mark.parametrize("person", ["ben", "cara", "dan"])
def test_only_organization_admins_add_clients(demo: Any, person: str) -> None:
    before = Client.objects.count()
    with pytest.raises(PermissionDenied, match="Only organization admins can add clients"):
        services.create_client(getattr(demo, person), {"name": "Mine", "code": "MINE"})
    assert Client.objects.count() == before


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "North", "code": "nwnd"}, "code", "Another client already uses the code NWND."),
        ({"name": "", "code": "NEW"}, "name", "Give the client a name."),
        ({"name": "New", "code": "N W"}, "code", "Use letters, digits, - and _ only"),
        ({"name": "New", "code": "NEW", "default_currency": "XYZ"}, "default_currency",
         "XYZ is not a currency mediadesk knows"),
        ({"name": "New", "code": "X" * 21}, "code", "at most 20 characters"),
        ({"name": "New", "code": "NEW", "archived_at": None}, "archived_at", "cannot be set"),
    ],
)  # fmt: skip
def test_client_values_are_checked_field_by_field(
    demo: Any, values: dict[str, Any], field: str, message: str
) -> None:
    before = Client.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_client(demo.alice, values)
    assert message in " ".join(error.value.message_dict[field])
    assert Client.objects.count() == before


def test_update_client_records_before_after_and_reason(demo: Any) -> None:
    services.update_client(
        demo.alice,
        demo.northwind,
        {"name": "Northwind Group", "default_currency": "chf"},
        reason="Rebranded",
    )
    stored = Client.objects.get(pk=demo.northwind.pk)
    assert (stored.name, stored.default_currency) == ("Northwind Group", "CHF")
    event = last_event(stored)
    assert event.action == "updated" and event.reason == "Rebranded"
    assert event.changes == {
        "name": ["Northwind", "Northwind Group"],
        "default_currency": ["EUR", "CHF"],
    }
    # Saving the same values again records nothing.
    count = AuditEvent.objects.count()
    services.update_client(demo.alice, stored, {"name": "Northwind Group", "code": "nwnd"})
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("person", ["ben", "cara", "dan"])
def test_roles_below_client_admin_cannot_edit_the_client(demo: Any, person: str) -> None:
    with pytest.raises(PermissionDenied, match="client admin"):
        services.update_client(getattr(demo, person), demo.northwind, {"name": "Mine"})
    with pytest.raises(PermissionDenied):
        services.add_brand(getattr(demo, person), demo.northwind, "Northwind Cocoa")
    assert Client.objects.get(pk=demo.northwind.pk).name == "Northwind"
    assert not Brand.objects.filter(name="Northwind Cocoa").exists()


def test_a_client_admin_edits_their_client_but_cannot_archive_it(demo: Any) -> None:
    services.grant_role(demo.alice, user=demo.ben, client=demo.contoso, role=Role.ADMIN)
    services.update_client(demo.ben, demo.contoso, {"code": "CTSO-M"})
    assert Client.objects.get(pk=demo.contoso.pk).code == "CTSO-M"
    with pytest.raises(PermissionDenied, match="Only organization admins can archive clients"):
        services.archive_client(demo.ben, demo.contoso)


def test_archive_and_restore_client(demo: Any) -> None:
    client = demo.fabrikam
    services.archive_client(demo.alice, client, reason="Contract ended")
    assert Client.objects.get(pk=client.pk).is_archived
    assert not Client.objects.visible_to(demo.alice).active().filter(pk=client.pk).exists()
    with pytest.raises(Conflict, match="archived"):
        services.update_client(demo.alice, client, {"name": "Changed"})
    with pytest.raises(Conflict):
        services.add_brand(demo.alice, client, "Fabrikam Sea")
    with pytest.raises(Conflict):
        services.invite_person(demo.alice, client, "new@example.com", "", Role.VIEWER)
    with pytest.raises(Conflict, match="already archived"):
        services.archive_client(demo.alice, client)
    services.restore_client(demo.alice, client)
    with pytest.raises(Conflict, match="not archived"):
        services.restore_client(demo.alice, client)
    events = AuditEvent.objects.for_object(client).order_by("at", "id")
    assert [(e.action, e.reason, e.changes) for e in events] == [
        ("archived", "Contract ended", {"archived": [False, True]}),
        ("restored", "", {"archived": [True, False]}),
    ]


# --- Services: brands --------------------------------------------------------------------------


def test_brands_are_added_renamed_archived_and_restored(demo: Any) -> None:
    brand = services.add_brand(demo.alice, demo.northwind, " Northwind Cocoa ")
    assert brand.name == "Northwind Cocoa" and brand.client_id == demo.northwind.pk
    created = last_event(brand)
    assert created.action == "created" and created.client_id == demo.northwind.pk
    assert created.changes == {"name": [None, "Northwind Cocoa"]}

    services.rename_brand(demo.alice, brand, "Northwind Chocolate", reason="Product renamed")
    renamed = last_event(brand)
    assert renamed.action == "updated" and renamed.reason == "Product renamed"
    assert renamed.changes == {"name": ["Northwind Cocoa", "Northwind Chocolate"]}

    services.archive_brand(demo.alice, brand)
    assert Brand.objects.get(pk=brand.pk).is_archived
    with pytest.raises(Conflict, match="restore it before renaming"):
        services.rename_brand(demo.alice, brand, "Other")
    services.restore_brand(demo.alice, brand)
    actions = list(AuditEvent.objects.for_object(brand).order_by("at", "id").values_list("action"))
    assert [a for (a,) in actions] == ["created", "updated", "archived", "restored"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("northwind coffee", "Northwind already has a brand called northwind coffee."),
        ("   ", "Give the brand a name."),
        ("x" * 201, "under 200 characters"),
    ],
)
def test_brand_names_are_checked(demo: Any, name: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_brand(demo.alice, demo.northwind, name)
    assert message in " ".join(error.value.message_dict["name"])
    assert demo.northwind.brands.count() == 2


def test_a_brand_name_may_repeat_across_clients(demo: Any) -> None:
    brand = services.add_brand(demo.alice, demo.contoso, "Northwind Coffee")
    assert brand.client_id == demo.contoso.pk


# --- Services: people --------------------------------------------------------------------------


def test_inviting_someone_new_creates_the_account_and_sends_a_link(
    demo: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_person(
            demo.alice, demo.northwind, " Eve@Example.com ", "Eve Evans", "coordinator"
        )
    eve = User.objects.get(email="eve@example.com")
    assert invitation.new_account and invitation.emailed
    assert eve.full_name == "Eve Evans" and not eve.has_usable_password()
    assert eve.organization_id == demo.alice.organization_id and not eve.is_org_admin
    membership = Membership.objects.get(user=eve, client=demo.northwind)
    assert membership.role == Role.COORDINATOR
    event = AuditEvent.objects.for_object(membership).get()
    assert event.action == "invited" and event.client_id == demo.northwind.pk
    assert event.changes == {"person": [None, "eve@example.com"], "role": [None, "coordinator"]}

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["eve@example.com"]
    assert message.subject == "Alice Archer invited you to mediadesk"
    assert "as Coordinator on Northwind" in message.body
    assert "Harbour & Pine Media" in message.body  # plain text, not HTML-escaped
    # Without a request the link names the first host we answer to.
    assert re.search(r"http://(127\.0\.0\.1|localhost|testserver)/password/reset/", message.body)

    # The link works: Eve chooses a password and logs in.
    path = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body).group(1)  # type: ignore[union-attr]
    form = client.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"},
    )
    assert done.status_code == 302
    assert client.login(username="eve@example.com", password="a-Long-new-pass-42")


def test_no_email_leaves_before_the_change_is_stored(demo: Any) -> None:
    # Inside the test's transaction nothing commits, so nothing may be sent yet.
    services.invite_person(demo.alice, demo.northwind, "eve@example.com", "", Role.VIEWER)
    assert mail.outbox == []


def test_inviting_someone_who_logs_in_already_just_grants_the_role(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_person(
            demo.alice, demo.fabrikam, "ben@demo.test", "", "viewer"
        )
    assert not invitation.new_account and not invitation.emailed
    assert mail.outbox == []
    assert Membership.objects.get(user=demo.ben, client=demo.fabrikam).role == Role.VIEWER
    assert User.objects.get(pk=demo.ben.pk).full_name == "Ben Brooks"  # kept
    event = last_event(invitation.membership)
    assert event.action == "role_granted"


def test_inviting_a_pending_person_again_resends_the_link(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(demo.alice, demo.northwind, "eve@example.com", "Eve", "viewer")
        again = services.invite_person(
            demo.alice, demo.northwind, "eve@example.com", "", "coordinator"
        )
    assert again.emailed and not again.new_account
    assert len(mail.outbox) == 2
    assert again.membership.role == Role.COORDINATOR
    assert last_event(again.membership).changes["role"] == ["viewer", "coordinator"]


@pytest.mark.parametrize(
    ("email", "role", "field", "message"),
    [
        ("ben@demo.test", "viewer", "email", "Ben Brooks already has a role on Northwind"),
        ("not-an-address", "viewer", "email", "Enter a valid e-mail address"),
        ("eve@example.com", "boss", "role", "Unknown role 'boss'"),
    ],
)
def test_invitation_input_is_checked(
    demo: Any, email: str, role: str, field: str, message: str
) -> None:
    users = User.objects.count()
    with pytest.raises(ValidationError) as error:
        services.invite_person(demo.alice, demo.northwind, email, "", role)
    assert message in " ".join(error.value.message_dict[field])
    assert User.objects.count() == users


def test_someone_of_another_organization_cannot_be_invited(demo: Any) -> None:
    User.objects.create_user("outsider@example.com", "pw-outside-1")
    with pytest.raises(ValidationError, match="has an account outside"):
        services.invite_person(demo.alice, demo.northwind, "outsider@example.com", "", "viewer")


@pytest.mark.parametrize("person", ["ben", "cara", "dan"])
def test_only_client_admins_invite_change_and_remove(demo: Any, person: str) -> None:
    actor = getattr(demo, person)
    cara_nwnd = Membership.objects.get(user=demo.cara, client=demo.northwind)
    with pytest.raises(PermissionDenied, match="give and take roles"):
        services.invite_person(actor, demo.northwind, "eve@example.com", "", "viewer")
    with pytest.raises(PermissionDenied):
        services.grant_role(actor, user=demo.cara, client=demo.northwind, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.revoke_role(actor, cara_nwnd)
    assert not User.objects.filter(email="eve@example.com").exists()
    assert Membership.objects.get(pk=cara_nwnd.pk).role == Role.FINANCE


def test_revoke_role_records_who_and_what(demo: Any) -> None:
    membership = Membership.objects.get(user=demo.cara, client=demo.northwind)
    pk = membership.pk
    services.revoke_role(demo.alice, membership, reason="Left the account")
    assert not Membership.objects.filter(pk=pk).exists()
    assert not Client.objects.visible_to(demo.cara).filter(pk=demo.northwind.pk).exists()
    event = AuditEvent.objects.get(action="role_revoked", object_id=str(pk))
    assert event.client_id == demo.northwind.pk and event.reason == "Left the account"
    assert event.changes == {"person": ["cara@demo.test", None], "role": ["finance", None]}


def test_the_last_client_admin_stays_while_no_organization_admin_exists(demo: Any) -> None:
    services.grant_role(demo.alice, user=demo.ben, client=demo.fabrikam, role=Role.ADMIN)
    ben_fbrk = Membership.objects.get(user=demo.ben, client=demo.fabrikam)
    User.objects.filter(pk=demo.alice.pk).update(is_org_admin=False)
    ben = User.objects.get(pk=demo.ben.pk)  # fresh: no cached roles

    with pytest.raises(Conflict, match="last client admin of Fabrikam Outdoor"):
        services.revoke_role(ben, ben_fbrk)
    with pytest.raises(Conflict, match="last client admin"):
        services.grant_role(ben, user=ben, client=demo.fabrikam, role=Role.VIEWER)
    assert Membership.objects.get(pk=ben_fbrk.pk).role == Role.ADMIN

    # With a second client admin, Ben may step down.
    services.grant_role(ben, user=demo.cara, client=demo.fabrikam, role=Role.ADMIN)
    services.revoke_role(ben, ben_fbrk)
    assert not Membership.objects.filter(pk=ben_fbrk.pk).exists()


def test_with_an_organization_admin_the_last_client_admin_may_go(demo: Any) -> None:
    services.grant_role(demo.alice, user=demo.ben, client=demo.fabrikam, role=Role.ADMIN)
    membership = Membership.objects.get(user=demo.ben, client=demo.fabrikam)
    services.revoke_role(User.objects.get(pk=demo.ben.pk), membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


# --- Pages -------------------------------------------------------------------------------------


def rows_by_code(response: Any) -> dict[str, Any]:
    return {row.client.code: row for row in response.context["rows"]}


def test_settings_index_for_an_organization_admin(demo: Any, web_as: Any) -> None:
    response = web_as(demo.alice).get("/settings/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/settings/" aria-current="page"' in body
    assert 'href="/settings/clients/new/"' in body
    rows = rows_by_code(response)
    assert set(rows) == {"NWND", "CTSO", "FBRK"}
    northwind = rows["NWND"].client
    # People: ben, cara, dan and lea.
    assert (northwind.brand_count, northwind.people_count, northwind.campaign_count) == (2, 4, 4)
    assert rows["CTSO"].client.people_count == 3


def test_settings_index_for_a_client_reviewer(demo: Any, web_as: Any) -> None:
    response = web_as(demo.dan).get("/settings/")
    body = response.content.decode()
    rows = rows_by_code(response)
    assert set(rows) == {"NWND"}
    # Only the campaigns shared with him count; the internal test stays invisible.
    assert rows["NWND"].client.campaign_count == 3
    assert not rows["NWND"].internal
    assert "Contoso" not in body and "Fabrikam" not in body
    assert "/settings/clients/new/" not in body


def test_settings_index_empty_state(demo: Any, web_as: Any) -> None:
    loner = User.objects.create_user(
        "loner@demo.test", "pw-loner-1", organization=demo.alice.organization
    )
    body = web_as(loner).get("/settings/").content.decode()
    assert "No clients to show" in body and "Ask an organization admin" in body


def test_archived_clients_count_archived_campaigns_out(demo: Any, web_as: Any) -> None:
    from mediadesk.planning.services import archive_campaign

    archive_campaign(demo.alice, demo.campaign("FBRK-BF26"))
    services.archive_client(demo.alice, demo.fabrikam)
    rows = rows_by_code(web_as(demo.alice).get("/settings/"))
    assert rows["FBRK"].client.campaign_count == 2
    assert rows["FBRK"].client.is_archived


def test_new_client_page(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    assert client.get("/settings/clients/new/").status_code == 200
    refused = client.post(
        "/settings/clients/new/",
        {"client-name": "Tailspin Toys", "client-code": "nwnd", "client-default_currency": "USD"},
    )
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Another client already uses the code NWND." in body
    assert 'value="Tailspin Toys"' in body  # what was typed is kept
    response = client.post(
        "/settings/clients/new/",
        {"client-name": "Tailspin Toys", "client-code": "tspn", "client-default_currency": "USD"},
        follow=True,
    )
    tailspin = Client.objects.get(code="TSPN")
    assert response.redirect_chain[0] == (f"/settings/clients/{tailspin.pk}/", 302)
    assert "Client Tailspin Toys added." in response.content.decode()
    assert AuditEvent.objects.for_object(tailspin).get().via == "web"


@pytest.mark.parametrize("person", ["ben", "cara", "dan"])
def test_new_client_page_is_for_organization_admins(demo: Any, web_as: Any, person: str) -> None:
    client = web_as(getattr(demo, person))
    assert client.get("/settings/clients/new/").status_code == 403
    response = client.post("/settings/clients/new/", {"client-name": "Mine", "client-code": "MINE"})
    assert response.status_code == 403
    assert "Only organization admins can add clients" in response.content.decode()
    assert not Client.objects.filter(code="MINE").exists()


def test_edit_client_details_on_the_page(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    url = f"/settings/clients/{demo.northwind.pk}/"
    refused = client.post(
        url,
        {
            "client-name": "Northwind Group",
            "client-code": "CT SO",
            "client-default_currency": "EUR",
        },
    )
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Use letters, digits, - and _ only" in body and 'value="Northwind Group"' in body
    assert "<h1>Northwind <span" in body  # the heading shows what is stored
    response = client.post(
        url,
        {
            "client-name": "Northwind Group",
            "client-code": "NWND",
            "client-default_currency": "EUR",
            "client-reason": "Rebranded",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    assert last_event(Client.objects.get(pk=demo.northwind.pk)).reason == "Rebranded"
    page = client.get(url).content.decode()
    assert "Changes to Northwind Group saved." in page
    assert "Rebranded" in page  # in the recent changes


def test_brands_on_the_page(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    base = f"/settings/clients/{demo.northwind.pk}"
    response = client.post(f"{base}/brands/", {"brand-name": "Northwind Cocoa"})
    assert response.status_code == 302 and response["Location"] == f"{base}/#brands"
    cocoa = Brand.objects.get(client=demo.northwind, name="Northwind Cocoa")

    duplicate = client.post(f"{base}/brands/", {"brand-name": "NORTHWIND COCOA"})
    body = duplicate.content.decode()
    assert "Northwind already has a brand called NORTHWIND COCOA." in body
    assert 'value="NORTHWIND COCOA"' in body

    taken = client.post(f"{base}/brands/{cocoa.pk}/", {f"brand-{cocoa.pk}-name": "Northwind Tea"})
    assert "Northwind already has a brand called Northwind Tea." in taken.content.decode()
    client.post(f"{base}/brands/{cocoa.pk}/", {f"brand-{cocoa.pk}-name": "Northwind Chocolate"})
    assert Brand.objects.get(pk=cocoa.pk).name == "Northwind Chocolate"

    page = client.get(f"{base}/").content.decode()
    assert f'action="{base}/brands/{cocoa.pk}/archive/"' in page and "data-confirm=" in page
    client.post(f"{base}/brands/{cocoa.pk}/archive/")
    assert Brand.objects.get(pk=cocoa.pk).is_archived
    again = client.post(f"{base}/brands/{cocoa.pk}/archive/", follow=True)
    assert "already archived" in again.content.decode()
    client.post(f"{base}/brands/{cocoa.pk}/archive/", {"action": "restore"})
    assert not Brand.objects.get(pk=cocoa.pk).is_archived


def test_invite_change_and_remove_people_on_the_page(
    demo: Any, web_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = web_as(demo.alice)
    base = f"/settings/clients/{demo.northwind.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{base}/people/",
            {"invite-email": "eve@example.com", "invite-full_name": "Eve Evans",
             "invite-role": "viewer"},
        )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"{base}/#people"
    assert len(mail.outbox) == 1
    link = reset_link(mail.outbox[0])

    page = client.get(f"{base}/").content.decode()
    assert "Eve Evans is invited as Viewer on Northwind" in page
    assert "Invited</span>" in page

    refused = client.post(
        f"{base}/people/",
        {"invite-email": "ben@demo.test", "invite-full_name": "", "invite-role": "viewer"},
    )
    body = refused.content.decode()
    assert "Ben Brooks already has a role on Northwind" in body
    assert 'value="ben@demo.test"' in body

    eve = Membership.objects.get(user__email="eve@example.com", client=demo.northwind)
    client.post(f"{base}/people/{eve.pk}/", {f"member-{eve.pk}-role": "coordinator"})
    assert Membership.objects.get(pk=eve.pk).role == Role.COORDINATOR
    bad = client.post(f"{base}/people/{eve.pk}/", {f"member-{eve.pk}-role": "boss"})
    assert "Select a valid choice" in bad.content.decode()

    client.post(f"{base}/people/{eve.pk}/remove/")
    assert not Membership.objects.filter(pk=eve.pk).exists()

    # The link in the e-mail still lets Eve choose a password (her account stays).
    assert client.get(link, follow=True).context["validlink"]


def test_a_coordinator_sees_settings_read_only(demo: Any, web_as: Any) -> None:
    client = web_as(demo.ben)
    base = f"/settings/clients/{demo.northwind.pk}"
    page = client.get(f"{base}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Northwind Coffee" in body and "cara@demo.test" in body
    assert "<form" not in body.split('<main id="main"', 1)[1]
    assert "Invite someone" not in body and "Add a brand" not in body

    cara = Membership.objects.get(user=demo.cara, client=demo.northwind)
    brand = demo.northwind.brands.first()
    details = {"client-name": "Mine", "client-code": "NWND", "client-default_currency": "EUR"}
    attempts = [
        (f"{base}/", details),
        (f"{base}/archive/", {}),
        (f"{base}/brands/", {"brand-name": "Mine"}),
        (f"{base}/brands/{brand.pk}/", {f"brand-{brand.pk}-name": "Mine"}),
        (f"{base}/brands/{brand.pk}/archive/", {}),
        (f"{base}/people/", {"invite-email": "x@example.com", "invite-role": "admin"}),
        (f"{base}/people/{cara.pk}/", {f"member-{cara.pk}-role": "admin"}),
        (f"{base}/people/{cara.pk}/remove/", {}),
    ]  # fmt: skip
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    assert Membership.objects.get(pk=cara.pk).role == Role.FINANCE
    assert Client.objects.get(pk=demo.northwind.pk).name == "Northwind"


def test_a_client_reviewer_sees_brands_but_not_the_team(demo: Any, web_as: Any) -> None:
    client = web_as(demo.dan)
    body = client.get(f"/settings/clients/{demo.northwind.pk}/").content.decode()
    assert "Northwind Coffee" in body
    assert "ben@demo.test" not in body and "People and roles" not in body
    assert "Recent changes" not in body  # no history for reviewers
    brand = demo.northwind.brands.first()
    assert (
        client.post(f"/settings/clients/{demo.northwind.pk}/brands/{brand.pk}/archive/").status_code
        == 403
    )


def test_other_clients_do_not_exist_for_dan(demo: Any, web_as: Any) -> None:
    client = web_as(demo.dan)
    for other in (demo.contoso, demo.fabrikam):
        assert client.get(f"/settings/clients/{other.pk}/").status_code == 404
        assert (
            client.post(f"/settings/clients/{other.pk}/brands/", {"brand-name": "x"}).status_code
            == 404
        )
    assert client.get("/settings/clients/999999/").status_code == 404


def test_an_object_of_another_client_is_not_found_under_this_clients_address(
    demo: Any, web_as: Any
) -> None:
    """Ben sees both Northwind and Contoso, but a Contoso brand is no Northwind brand."""
    services.grant_role(demo.alice, user=demo.ben, client=demo.northwind, role=Role.ADMIN)
    services.grant_role(demo.alice, user=demo.ben, client=demo.contoso, role=Role.ADMIN)
    client = web_as(User.objects.get(pk=demo.ben.pk))
    base = f"/settings/clients/{demo.northwind.pk}"
    contoso_brand = demo.contoso.brands.first()
    contoso_member = Membership.objects.get(user=demo.cara, client=demo.contoso)
    posts = [
        (f"{base}/brands/{contoso_brand.pk}/", {f"brand-{contoso_brand.pk}-name": "Moved"}),
        (f"{base}/brands/{contoso_brand.pk}/archive/", {}),
        (f"{base}/people/{contoso_member.pk}/", {f"member-{contoso_member.pk}-role": "viewer"}),
        (f"{base}/people/{contoso_member.pk}/remove/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Brand.objects.get(pk=contoso_brand.pk).name != "Moved"
    assert Membership.objects.get(pk=contoso_member.pk).role == Role.FINANCE


def test_removing_yourself_leads_back_to_settings(demo: Any, web_as: Any) -> None:
    services.grant_role(demo.alice, user=demo.ben, client=demo.fabrikam, role=Role.ADMIN)
    client = web_as(User.objects.get(pk=demo.ben.pk))
    membership = Membership.objects.get(user=demo.ben, client=demo.fabrikam)
    response = client.post(f"/settings/clients/{demo.fabrikam.pk}/people/{membership.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/settings/"
    assert client.get(f"/settings/clients/{demo.fabrikam.pk}/").status_code == 404


def test_archived_client_page_is_read_only_until_restored(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    url = f"/settings/clients/{demo.fabrikam.pk}/"
    page = client.post(f"{url}archive/", {"reason": "Contract ended"}, follow=True)
    body = page.content.decode()
    assert "Fabrikam Outdoor is archived." in body
    assert "Add a brand" not in body and "Invite someone" not in body
    assert "Restore client" in body
    refused = client.post(f"{url}brands/", {"brand-name": "Fabrikam Sea"}, follow=True)
    assert "restore it before changing it" in refused.content.decode()
    client.post(f"{url}archive/", {"action": "restore"})
    assert not Client.objects.get(pk=demo.fabrikam.pk).is_archived


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_clients_with_their_brands(demo: Any, api_as: Any) -> None:
    services.archive_brand(demo.alice, Brand.objects.get(name="Northwind Tea"))
    listing = api_as(demo.alice).get("/api/v1/clients").json()
    assert listing["count"] == 3
    assert [c["code"] for c in listing["items"]] == ["CTSO", "FBRK", "NWND"]
    northwind = listing["items"][2]
    coffee, tea = (
        Brand.objects.get(name="Northwind Coffee"),
        Brand.objects.get(name="Northwind Tea"),
    )
    assert northwind == {
        "id": demo.northwind.pk,
        "name": "Northwind",
        "code": "NWND",
        "default_currency": "EUR",
        "archived": False,
        "brands": [
            {"id": coffee.pk, "name": "Northwind Coffee", "archived": False},
            {"id": tea.pk, "name": "Northwind Tea", "archived": True},
        ],
    }


def test_api_archived_filter(demo: Any, api_as: Any) -> None:
    services.archive_client(demo.alice, demo.fabrikam)
    api = api_as(demo.alice)
    archived = api.get("/api/v1/clients", archived="true").json()
    assert [c["code"] for c in archived["items"]] == ["FBRK"]
    current = api.get("/api/v1/clients", archived="false").json()
    assert {c["code"] for c in current["items"]} == {"NWND", "CTSO"}


def test_api_shows_dan_only_northwind(demo: Any, api_as: Any) -> None:
    api = api_as(demo.dan)
    listing = api.get("/api/v1/clients").json()
    assert [c["code"] for c in listing["items"]] == ["NWND"] and listing["count"] == 1
    assert api.get(f"/api/v1/clients/{demo.northwind.pk}").json()["code"] == "NWND"
    response = api.get(f"/api/v1/clients/{demo.contoso.pk}")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert api.get("/api/v1/clients/999999").status_code == 404


def test_api_clients_need_a_token(demo: Any, client: Any) -> None:
    assert client.get("/api/v1/clients").status_code == 401
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/clients" in schema["paths"] and "/api/v1/clients/{client_id}" in schema["paths"]


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_grant(demo: Any, capsys: Any) -> None:
    assert main(["grant", "BEN@demo.test", "fbrk", "Viewer", "--by", "alice@demo.test"]) == 0
    membership = Membership.objects.get(user=demo.ben, client=demo.fabrikam)
    assert membership.role == Role.VIEWER
    event = last_event(membership)
    assert event.via == "cli" and event.actor == demo.alice and event.action == "role_granted"
    assert "ben@demo.test is Viewer on Fabrikam Outdoor (FBRK)." in capsys.readouterr().out
    # Again with another role changes it.
    assert main(["grant", "ben@demo.test", "FBRK", "finance", "--by", "alice@demo.test"]) == 0
    assert Membership.objects.get(pk=membership.pk).role == Role.FINANCE


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["grant", "ben@demo.test", "FBRK", "viewer", "--by", "nobody@demo.test"],
         "No active person has the e-mail nobody@demo.test (--by)"),
        (["grant", "ben@demo.test", "NOPE", "viewer", "--by", "alice@demo.test"],
         "alice@demo.test works on no client with the code NOPE."),
        # Ben works on Northwind and Contoso only: Fabrikam does not exist for him.
        (["grant", "cara@demo.test", "FBRK", "viewer", "--by", "ben@demo.test"],
         "ben@demo.test works on no client with the code FBRK."),
        (["grant", "ben@demo.test", "FBRK", "boss", "--by", "alice@demo.test"],
         "Unknown role 'boss'; use one of: admin, coordinator"),
        (["grant", "eve@example.com", "FBRK", "viewer", "--by", "alice@demo.test"],
         "No active person has the e-mail eve@example.com"),
        (["grant", "cara@demo.test", "NWND", "admin", "--by", "ben@demo.test"],
         "Nothing changed: Your role does not allow this (give and take roles on the client)"),
    ],
)  # fmt: skip
def test_cli_grant_errors(demo: Any, argv: list[str], message: str) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert message in str(stop.value.code)
    assert AuditEvent.objects.count() == events


def test_cli_client_add(demo: Any, capsys: Any) -> None:
    code = main(
        ["client-add", "Tailspin Toys", "tspn", "--currency", "usd", "--by", "alice@demo.test"]
    )
    assert code == 0
    client = Client.objects.get(code="TSPN")
    assert (client.name, client.default_currency) == ("Tailspin Toys", "USD")
    event = AuditEvent.objects.for_object(client).get()
    assert event.via == "cli" and event.actor == demo.alice
    assert f"Added client Tailspin Toys (TSPN, USD), id {client.pk}." in capsys.readouterr().out
    assert main(["client-add", "Wide World", "WWI", "--by", "alice@demo.test"]) == 0
    assert Client.objects.get(code="WWI").default_currency == "EUR"


def test_cli_client_add_errors_name_each_field(demo: Any) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["client-add", " ", "nwnd", "--currency", "XYZ", "--by", "alice@demo.test"])
    text = str(stop.value.code)
    assert text.startswith("Nothing changed:\n")
    assert "  name: Give the client a name." in text
    assert "  code: Another client already uses the code NWND." in text
    assert "  default_currency: XYZ is not a currency mediadesk knows" in text
    with pytest.raises(SystemExit, match="Only organization admins can add clients"):
        main(["client-add", "Mine", "MINE", "--by", "ben@demo.test"])
    assert not Client.objects.filter(code__in=["MINE", "XYZ"]).exists()


def test_cli_in_process_leaves_django_and_logging_as_they_are(demo: Any) -> None:
    root = logging.getLogger()
    handlers = list(root.handlers)
    main(["grant", "ben@demo.test", "FBRK", "viewer", "--by", "alice@demo.test"])
    assert root.handlers == handlers


def test_roles_given_in_a_request_apply_at_once(demo: Any) -> None:
    """The per-request role cache is refreshed when roles change."""
    from mediadesk.accounts.permissions import Action, can
    from mediadesk.accounts.services import create_client, grant_role, revoke_role

    assert not can(demo.ben, Action.VIEW, demo.fabrikam.pk)
    membership = grant_role(demo.alice, user=demo.ben, client=demo.fabrikam, role=Role.VIEWER)
    assert can(demo.ben, Action.VIEW, demo.fabrikam.pk)
    revoke_role(demo.alice, membership)
    assert not can(demo.ben, Action.VIEW, demo.fabrikam.pk)
    assert can(demo.alice, Action.EDIT_CAMPAIGN, demo.northwind.pk)
    new = create_client(demo.alice, {"name": "Tailspin Toys", "code": "TSPN"})
    assert can(demo.alice, Action.EDIT_CAMPAIGN, new.pk)
