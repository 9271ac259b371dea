"""Settings › Insertion orders: the organization's IO number scheme with a preview of the next
number, the terms and the acceptance links; organization admins change them, other internal
users read them, client reviewers do not find them; the same through the API
(GET/PATCH /api/v1/order-settings)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.orders import services
from mediadesk.orders.models import DEFAULT_NUMBER_FORMAT, OrderSettings
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import PlanVersion

URL = "/settings/orders/"
API = "/api/v1/order-settings"


def form(**changes: str) -> dict[str, str]:
    data = {
        "number_format": DEFAULT_NUMBER_FORMAT,
        "next_sequence": "1",
        "link_days": "14",
        "terms": "1. Invoices quote the IO number.",
        "cancellation_terms": "14 days' written notice.",
        "reason": "",
    }
    data.update(changes)
    return data


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def error_beside(response: Any, field: str) -> str:
    found = re.search(
        rf'<div class="error" id="id_{field}_error">(.*?)</div>', response.content.decode(), re.S
    )
    assert found, f"no error beside {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def typed(response: Any, field: str) -> str:
    found = re.search(rf'<input[^>]*name="{field}"[^>]*value="([^"]*)"', response.content.decode())
    assert found, f"no value typed in {field}"
    return found.group(1)


def events() -> Any:
    return AuditEvent.objects.filter(content_type__model="ordersettings").order_by("pk")


# --- the page --------------------------------------------------------------------------------


def test_admin_sees_the_scheme_with_the_next_number(demo: Any, web_as: Any) -> None:
    response = web_as(demo.alice).get(URL)
    assert response.status_code == 200
    page = text(response)
    year = timezone.localdate().year
    # The preview numbers the newest campaign the admin sees, with the next sequence.
    assert re.search(rf"IO-[A-Z]+-{year}-0001</span> <span class=\"muted\">· for .+ campaign", page)
    assert "work for 14 days after an IO is sent" in page
    assert f'value="{DEFAULT_NUMBER_FORMAT}"' in page
    assert 'name="terms"' in page and "Save IO settings" in page
    assert not OrderSettings.objects.exists()  # reading stores nothing


def test_save_stores_the_values_and_writes_the_history(demo: Any, web_as: Any) -> None:
    http = web_as(demo.alice)
    response = http.post(
        URL,
        form(number_format="PO-{campaign}-{seq:03d}", next_sequence="7", link_days="30",
             reason="Finance wants campaign codes in the number"),
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == URL
    found = OrderSettings.objects.get(organization=demo.alice.organization)
    assert found.number_format == "PO-{campaign}-{seq:03d}"
    assert (found.next_sequence, found.link_days) == (7, 30)
    assert found.terms == "1. Invoices quote the IO number."
    event = events().get()
    assert event.actor == demo.alice and event.reason.startswith("Finance wants")
    assert event.changes["number_format"] == [DEFAULT_NUMBER_FORMAT, "PO-{campaign}-{seq:03d}"]
    page = text(http.get(URL))
    assert "The IO settings are saved." in page
    assert re.search(r"PO-[A-Z0-9-]+-007</span>", page)
    assert "Finance wants campaign codes in the number" in page  # the history
    # The next IO is numbered by the new scheme.
    version = PlanVersion.objects.filter(
        campaign__code="NWND-AR26", status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED]
    ).order_by("-number")[0]
    numbers = sorted(order.number for order in services.generate_orders(demo.ben, version))
    assert numbers[0] == "PO-NWND-AR26-007"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("number_format", "IO-{client}-{year}", "Put {seq} in the number"),
        ("number_format", "IO-{{seq}}", "Put {seq} in the number"),
        ("number_format", "IO-{client[x]}-{seq}", "cannot be used"),
        ("number_format", "IO-{seq.real}", "{seq.real} is not one of the fields"),
        ("number_format", "IO-{vendor}-{seq}", "{vendor} is not one of the fields"),
        ("number_format", "IO-{seq", "cannot be used"),
        ("link_days", "120", "Links work for 1 to 90 days."),
        ("next_sequence", "many", "must be an integer"),
        ("terms", "", "This field is required."),
    ],
)
def test_a_refused_value_comes_back_with_the_message(
    demo: Any, web_as: Any, field: str, value: str, words: str
) -> None:
    response = web_as(demo.alice).post(URL, form(**{field: value}))
    assert response.status_code == 400
    assert words in error_beside(response, field)
    if field != "terms":
        assert typed(response, field) == value.replace("'", "&#x27;")
    assert not events().exists()
    assert not OrderSettings.objects.exclude(number_format=DEFAULT_NUMBER_FORMAT).exists()


def test_other_internal_users_read_them(demo: Any, web_as: Any) -> None:
    for person in (demo.ben, demo.cara):
        http = web_as(person)
        response = http.get(URL)
        assert response.status_code == 200
        page = text(response)
        assert "Organization admins can change these settings." in page
        assert "Terms printed on every IO" in page and 'name="number_format"' not in page
        refused = http.post(URL, form(link_days="30"))
        assert refused.status_code == 403
        assert "Only organization admins can" in refused.content.decode()
    assert not OrderSettings.objects.exists()


def test_client_reviewers_do_not_find_them(demo: Any, web_as: Any) -> None:
    dan = web_as(demo.dan)
    assert dan.get(URL).status_code == 404
    assert dan.post(URL, form(link_days="30")).status_code == 404
    assert 'href="/settings/orders/"' not in text(dan.get("/settings/"))


def test_settings_index_links_here(demo: Any, web_as: Any) -> None:
    for person in (demo.alice, demo.ben):
        page = text(web_as(person).get("/settings/"))
        assert '<h2 id="organization-h">Organization</h2>' in page
        assert 'href="/settings/orders/"' in page


# --- the service ------------------------------------------------------------------------------


def test_numbers_that_do_not_change_with_seq_are_refused(demo: Any) -> None:
    """{{seq}} is the text "{seq}": every IO would get the same number (and numbering looped)."""
    with pytest.raises(ValidationError) as refused:
        services.update_order_settings(
            demo.alice, demo.alice.organization, {"number_format": "IO-{{seq}}-{year}"}
        )
    assert "Put {seq} in the number" in refused.value.message_dict["number_format"][0]


# --- the API ----------------------------------------------------------------------------------


def test_api_reads_them(demo: Any, api_as: Any) -> None:
    response = api_as(demo.ben).get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["number_format"] == DEFAULT_NUMBER_FORMAT
    assert body["next_sequence"] == 1 and body["link_days"] == 14


def test_api_patch_changes_them(demo: Any, api_as: Any) -> None:
    response = api_as(demo.alice).patch(
        API, {"number_format": "{client}/{year}/{seq:05d}", "link_days": 7, "reason": "audit"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["number_format"] == "{client}/{year}/{seq:05d}"
    found = OrderSettings.objects.get(organization=demo.alice.organization)
    assert found.link_days == 7
    event = events().get()
    assert event.via == "api" and set(event.changes) == {"number_format", "link_days"}


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"number_format": "IO-{client}"}, "number_format", "Put {seq} in the number"),
        ({"number_format": "IO-{seq}-{foo}"}, "number_format", "is not one of the fields"),
        ({"link_days": 0}, "link_days", "Links work for 1 to 90 days."),
        ({"next_sequence": 0}, "next_sequence", "greater than or equal to 1"),
        ({"terms": None}, "terms", "cannot be empty"),
    ],
)
def test_api_patch_refuses_values_naming_the_field(
    demo: Any, api_as: Any, payload: dict[str, Any], field: str, words: str
) -> None:
    response = api_as(demo.alice).patch(API, payload)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(item["field"] == field and words in item["message"] for item in detail), detail
    assert not events().exists()


def test_api_permissions(demo: Any, api_as: Any) -> None:
    refused = api_as(demo.ben).patch(API, {"link_days": 30})
    assert refused.status_code == 403
    assert "Only organization admins" in refused.json()["detail"]
    assert api_as(demo.cara).patch(API, {"link_days": 30}).status_code == 403
    dan = api_as(demo.dan)
    assert dan.get(API).status_code == 404
    assert dan.patch(API, {"link_days": 30}).status_code == 404
    assert not events().exists()
