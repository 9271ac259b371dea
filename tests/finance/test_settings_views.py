"""Settings › a client › Invoices and payments: the matching tolerances in words, the overrides
per cost model, the approval limit and accounts; who may read and change them; the same
settings through the API (GET/PATCH /api/v1/clients/{id}/finance-settings)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from mediadesk.audit.models import AuditEvent
from mediadesk.finance import services
from mediadesk.finance.models import FinanceSettings


def url(client: Any) -> str:
    return f"/settings/clients/{client.pk}/finance/"


def api_url(client: Any) -> str:
    return f"/api/v1/clients/{client.pk}/finance-settings"


def form(**changes: str) -> dict[str, str]:
    """What the page posts when nothing is changed (the defaults), with ``changes``."""
    data = {
        "rounding_units": "5",
        "grp_percent": "5",
        "delivery_percent": "0",
        "second_approval_above": "50000.00",
        "expense_account": "6100",
        "payable_account": "2100",
        "cost_centre": "",
        "reason": "",
    }
    data.update(changes)
    return data


def member(demo: Any, role: Role, email: str) -> User:
    user = User.objects.create_user(email, "x", organization=demo.alice.organization)
    Membership.objects.create(user=user, client=demo.northwind, role=role)
    return user


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def error_beside(response: Any, field: str) -> str:
    """The message shown beside a field (its error block, found by the field's id)."""
    found = re.search(
        rf'<div class="error" id="id_{re.escape(field)}_error">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    assert found, f"no error beside {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def typed(response: Any, field: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(field)}"[^>]*>', response.content.decode())
    assert found, f"no input {field}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def stored(client: Any) -> FinanceSettings:
    return FinanceSettings.objects.get(client=client)


def events(client: Any) -> Any:
    return AuditEvent.objects.filter(
        client_id=client.pk, content_type__model="financesettings"
    ).order_by("pk")


# --- the page --------------------------------------------------------------------------------


def test_page_says_the_tolerances_in_words(demo: Any, web_as: Any) -> None:
    response = web_as(demo.cara).get(url(demo.northwind))
    assert response.status_code == 200
    page = text(response)
    assert "Differences up to 5 cents (0.05 EUR) are rounding, not a discrepancy." in page
    assert "A CPP buy delivering within 5% of its GRPs is paid as ordered." in page
    assert "Over-delivery is not paid: a buy is paid at most its ordered cost." in page
    assert "Invoices above 50,000.00 (in the invoice&#x27;s currency) need a second" in page
    assert "expense account 6100 and accounts payable 2100" in page
    # One row per cost model; the GRP tolerance only for CPP, only rounding for a flat fee.
    for name in ("cpm-rounding_units", "cpm-delivery_percent", "cpp-grp_percent",
                 "flat-rounding_units", "per_spot-delivery_percent"):  # fmt: skip
        assert f'name="{name}"' in page
    for name in ("cpm-grp_percent", "flat-delivery_percent", "flat-grp_percent"):
        assert f'name="{name}"' not in page
    assert 'placeholder="5"' in page  # a blank cell shows the general value
    # Reading the page stores nothing.
    assert not FinanceSettings.objects.filter(client=demo.northwind).exists()


def test_the_sentences_follow_the_values(demo: Any, web_as: Any) -> None:
    services.update_finance_settings(
        demo.cara, demo.northwind,
        {"rounding_units": 1, "delivery_percent": Decimal("2.5"), "second_approval_above": None,
         "cost_centre": "MKT-01", "overrides": {"cpm": {"delivery_percent": "5"}}},
    )  # fmt: skip
    page = text(web_as(demo.ben).get(url(demo.northwind)))
    assert "Differences up to 1 cent (0.01 EUR) are rounding" in page
    assert "Over-delivery is paid up to 2.5% above the ordered cost." in page
    assert "<strong>CPM:</strong> Over-delivery is paid up to 5% above the ordered cost." in page
    assert "No invoice needs a second approver." in page
    assert "cost centre MKT-01" in page


def test_save_stores_the_values_and_writes_the_history(demo: Any, web_as: Any) -> None:
    http = web_as(demo.cara)
    response = http.post(
        url(demo.northwind),
        form(**{"grp_percent": "7.5", "delivery_percent": "2", "second_approval_above": "25,000",
                "cost_centre": "MKT-01", "cpp-grp_percent": "10", "cpm-delivery_percent": "5",
                "cpm-rounding_units": "10", "reason": "Agreed with Northwind's controller"}),
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url(demo.northwind)
    found = stored(demo.northwind)
    assert found.grp_percent == Decimal("7.50")
    assert found.delivery_percent == Decimal("2.00")
    assert found.second_approval_above == Decimal("25000.00")
    assert found.cost_centre == "MKT-01"
    assert found.overrides == {
        "cpp": {"grp_percent": "10"},
        "cpm": {"rounding_units": 10, "delivery_percent": "5"},
    }
    event = events(demo.northwind).get()
    assert event.actor == demo.cara and event.reason == "Agreed with Northwind's controller"
    assert event.changes["grp_percent"] == ["5.00", "7.50"]
    assert event.changes["overrides"][1] == found.overrides
    assert "rounding_units" not in event.changes  # unchanged values are not history
    page = text(http.get(url(demo.northwind)))
    assert "are saved" in page
    assert "A CPP buy delivering within 7.5% of its GRPs is paid as ordered." in page
    assert "<strong>CPP:</strong> A CPP buy delivering within 10% of its GRPs" in page
    # The history says the overrides in words.
    assert "CPM: rounding 10 cents, over-delivery allowance 5%; CPP: GRP tolerance 10%" in page
    assert '<th scope="row">Over-delivery allowance %</th><td>0.00</td><td>2.00</td>' in page
    # Saving the same values again changes nothing and records nothing.
    again = form(**{"grp_percent": "7.50", "delivery_percent": "2", "second_approval_above":
                    "25000", "cost_centre": "MKT-01", "cpp-grp_percent": "10",
                    "cpm-delivery_percent": "5", "cpm-rounding_units": "10"})  # fmt: skip
    assert http.post(url(demo.northwind), again).status_code == 302
    assert events(demo.northwind).count() == 1


def test_a_blank_cell_goes_back_to_the_general_value(demo: Any, web_as: Any) -> None:
    # A value the page has no cell for (set through the API) is kept as it is.
    services.update_finance_settings(
        demo.cara, demo.northwind,
        {"overrides": {"cpp": {"grp_percent": "10"}, "cpm": {"grp_percent": "3"}}},
    )  # fmt: skip
    http = web_as(demo.cara)
    assert typed(http.get(url(demo.northwind)), "cpp-grp_percent") == "10"
    assert http.post(url(demo.northwind), form()).status_code == 302
    assert stored(demo.northwind).overrides == {"cpm": {"grp_percent": "3"}}


def test_a_grp_tolerance_of_150_is_refused_beside_its_cell(demo: Any, web_as: Any) -> None:
    response = web_as(demo.cara).post(
        url(demo.northwind),
        form(**{"cpp-grp_percent": "150", "cpm-rounding_units": "2.5", "cost_centre": "KEEP"}),
    )
    assert response.status_code == 400
    assert error_beside(response, "cpp-grp_percent") == (
        "CPP: the GRP tolerance is a percentage from 0 up to (not including) 100; “150” was given."
    )
    assert "whole number of cents" in error_beside(response, "cpm-rounding_units")
    # What was typed comes back; nothing is stored or recorded.
    assert typed(response, "cpp-grp_percent") == "150"
    assert typed(response, "cpm-rounding_units") == "2.5"
    assert typed(response, "cost_centre") == "KEEP"
    assert not FinanceSettings.objects.filter(client=demo.northwind, cost_centre="KEEP").exists()
    assert not events(demo.northwind).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("grp_percent", "150", "The GRP tolerance is a percentage from 0 up to"),
        ("grp_percent", "five", "must be a decimal number"),
        ("delivery_percent", "-1", "The over-delivery allowance is a percentage of 0 or more"),
        ("rounding_units", "-2", "greater than or equal to 0"),
        ("second_approval_above", "-10", "Give an amount of 0 or more"),
        ("expense_account", "", "This field is required."),
    ],
)
def test_a_refused_general_value_is_named_beside_its_field(
    demo: Any, web_as: Any, field: str, value: str, words: str
) -> None:
    response = web_as(demo.cara).post(url(demo.northwind), form(**{field: value}))
    assert response.status_code == 400
    assert words in error_beside(response, field)
    assert typed(response, field) == value
    assert not events(demo.northwind).exists()


def test_an_organization_admin_may_change_them(demo: Any, web_as: Any) -> None:
    response = web_as(demo.alice).post(url(demo.contoso), form(**{"cpp-grp_percent": "12"}))
    assert response.status_code == 302
    assert stored(demo.contoso).overrides == {"cpp": {"grp_percent": "12"}}


# --- who may see and change them ---------------------------------------------------------------


def test_a_coordinator_reads_them_and_may_not_change_them(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    response = http.get(url(demo.northwind))
    assert response.status_code == 200
    page = text(response)
    assert "A CPP buy delivering within 5% of its GRPs is paid as ordered." in page
    assert "<form" not in page.split("<main", 1)[1].split("History")[0]
    assert 'name="cpp-grp_percent"' not in page
    assert "Finance and the client's admins can change these settings." in page
    refused = http.post(url(demo.northwind), form(**{"grp_percent": "9"}))
    assert refused.status_code == 403
    assert "enter invoices, approve payments" in refused.content.decode()
    assert not FinanceSettings.objects.filter(client=demo.northwind).exists()


def test_roles_without_finance_are_told_why(demo: Any, web_as: Any) -> None:
    for role, email in ((Role.CREATIVE, "cleo@demo.test"), (Role.VIEWER, "vic@demo.test")):
        response = web_as(member(demo, role, email)).get(url(demo.northwind))
        assert response.status_code == 403
        assert "see budgets, invoices and payments" in response.content.decode()


def test_client_reviewers_and_other_clients_do_not_find_them(demo: Any, web_as: Any) -> None:
    dan = web_as(demo.dan)
    assert dan.get(url(demo.northwind)).status_code == 404
    assert dan.post(url(demo.northwind), form(grp_percent="9")).status_code == 404
    ben = web_as(demo.ben)
    assert ben.get(url(demo.fabrikam)).status_code == 404
    assert ben.post(url(demo.fabrikam), form(grp_percent="9")).status_code == 404
    assert not FinanceSettings.objects.exists()


def test_an_archived_client_is_read_only(demo: Any, web_as: Any) -> None:
    demo.northwind.archived_at = demo.northwind.created_at
    demo.northwind.save(update_fields=["archived_at"])
    http = web_as(demo.cara)
    assert 'name="grp_percent"' not in text(http.get(url(demo.northwind)))
    response = http.post(url(demo.northwind), form(grp_percent="9"), follow=True)
    assert "is archived" in text(response)
    assert not FinanceSettings.objects.filter(client=demo.northwind).exists()


# --- the client's settings page links here -----------------------------------------------------


def test_client_page_shows_the_settings_with_one_query(demo: Any, web_as: Any) -> None:
    services.update_finance_settings(
        demo.cara, demo.northwind, {"overrides": {"cpp": {"grp_percent": "10"}}}
    )
    http = web_as(demo.ben)
    client_page = f"/settings/clients/{demo.northwind.pk}/"
    http.get(client_page)  # warm up the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = http.get(client_page)
    page = text(response)
    assert '<h2 id="invoices-h">Invoices and payments</h2>' in page
    assert "A CPP buy delivering within 5% of its GRPs is paid as ordered." in page
    assert "Other values for CPP." in page
    assert f'href="{url(demo.northwind)}"' in page
    reads = [q["sql"] for q in queries.captured_queries if "finance_financesettings" in q["sql"]]
    assert len(reads) == 1
    # Finance is told it can change them; a client reviewer sees no money at all.
    assert "Change the matching tolerances" in text(web_as(demo.cara).get(client_page))
    assert "Invoices and payments" not in text(web_as(demo.dan).get(client_page))


# --- the service ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"cpp": {"grp_percent": "150"}}, "CPP: the GRP tolerance is a percentage from 0"),
        ({"xyz": {"grp_percent": "10"}}, "“xyz” is not a cost model; use one of: cpm,"),
        ({"cpp": 5}, 'CPP: Give an object such as {"cpp": {"grp_percent": "10"}}.'),
        ({"cpp": {"grp": "10"}}, "CPP: “grp” is not a tolerance"),
        ({"cpm": {"delivery_percent": "abc"}}, "“abc” is not a number"),
        ({"cpm": {"delivery_percent": "1.234"}}, "at most 2 decimal places"),
    ],
)
def test_the_service_names_overrides_it_cannot_use(
    demo: Any, overrides: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_finance_settings(demo.cara, demo.northwind, {"overrides": overrides})
    assert list(refused.value.message_dict) == ["overrides"]
    assert words in " ".join(refused.value.message_dict["overrides"])


def test_the_service_names_a_general_value_under_its_own_field(demo: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_finance_settings(
            demo.cara, demo.northwind,
            {"grp_percent": Decimal("150"), "overrides": {"cpp": {"grp_percent": "10"}}},
        )  # fmt: skip
    assert list(refused.value.message_dict) == ["grp_percent"]


# --- the API ----------------------------------------------------------------------------------


def test_api_reads_the_settings_without_storing_them(demo: Any, api_as: Any) -> None:
    response = api_as(demo.ben).get(api_url(demo.northwind))
    assert response.status_code == 200
    body = response.json()
    assert body["client"] == demo.northwind.pk
    assert body["rounding_units"] == 5
    assert Decimal(body["grp_percent"]) == Decimal("5")
    assert body["overrides"] == {} and Decimal(body["second_approval_above"]) == 50000
    assert not FinanceSettings.objects.exists()


def test_api_patch_changes_them_with_the_history(demo: Any, api_as: Any) -> None:
    response = api_as(demo.cara).patch(
        api_url(demo.northwind),
        {"overrides": {"cpp": {"grp_percent": "10"}, "cpm": {"delivery_percent": 5}},
         "second_approval_above": None, "reason": "new contract"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["overrides"] == {"cpp": {"grp_percent": "10"}, "cpm": {"delivery_percent": "5"}}
    assert body["second_approval_above"] is None
    found = stored(demo.northwind)
    assert found.second_approval_above is None and found.grp_percent == Decimal("5.00")
    event = events(demo.northwind).get()
    assert event.via == "api" and event.reason == "new contract"
    assert set(event.changes) == {"overrides", "second_approval_above"}


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"overrides": {"cpp": {"grp_percent": "150"}}}, "overrides", "GRP tolerance"),
        ({"overrides": {"banner": {"grp_percent": "10"}}}, "overrides", "not a cost model"),
        ({"grp_percent": "150"}, "grp_percent", "The GRP tolerance is a percentage"),
        ({"delivery_percent": "-5"}, "delivery_percent", "0 or more"),
        ({"rounding_units": None}, "rounding_units", "cannot be empty"),
        ({"expense_account": "x" * 41}, "expense_account", "at most 40 characters"),
    ],
)
def test_api_patch_refuses_values_naming_the_field(
    demo: Any, api_as: Any, payload: dict[str, Any], field: str, words: str
) -> None:
    response = api_as(demo.cara).patch(api_url(demo.northwind), payload)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(item["field"] == field and words in item["message"] for item in detail), detail
    assert not events(demo.northwind).exists()


def test_api_permissions(demo: Any, api_as: Any) -> None:
    change = {"grp_percent": "9"}
    refused = api_as(demo.ben).patch(api_url(demo.northwind), change)
    assert refused.status_code == 403
    assert "enter invoices, approve payments" in refused.json()["detail"]
    dan = api_as(demo.dan)
    assert dan.get(api_url(demo.northwind)).status_code == 404
    assert dan.patch(api_url(demo.northwind), change).status_code == 404
    ben = api_as(demo.ben)
    assert ben.get(api_url(demo.fabrikam)).status_code == 404
    assert ben.patch(api_url(demo.fabrikam), change).status_code == 404
    assert api_as(demo.alice).patch(api_url(demo.fabrikam), change).status_code == 200
    assert api_as(None).get(api_url(demo.northwind)).status_code == 401
