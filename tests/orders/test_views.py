"""The insertion order pages: the campaign's Orders tab, the IO list, one IO with its actions,
and the vendor's answer page reached through the signed link without an account."""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from mediadesk.orders import services
from mediadesk.orders.choices import AdjustmentKind, OrderStatus
from mediadesk.orders.models import InsertionOrder, LineAdjustment, OrderSettings
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import Campaign, Placement, PlanVersion
from mediadesk.vendors.models import Vendor

CAMPAIGN = "NWND-AR26"
LINK = re.compile(r"http://testserver(/orders/answer/[^/\s]+/)")


def approved(code: str = CAMPAIGN) -> PlanVersion:
    return PlanVersion.objects.filter(
        campaign__code=code, status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED]
    ).order_by("-number")[0]


def generated(demo: Any, code: str = CAMPAIGN) -> list[InsertionOrder]:
    return services.generate_orders(demo.ben, approved(code))


def sent(demo: Any, order: InsertionOrder, to: str = "sales@vendor.test") -> str:
    """Send ``order``; the path of the answer link in the e-mail."""
    services.send_order(demo.ben, order, to=to, link_base="http://testserver/orders/answer")
    found = LINK.search(mail.outbox[-1].body)
    assert found
    return found.group(1)


def body(response: Any) -> str:
    return str(response.content.decode())


def viewer(demo: Any) -> User:
    """Someone with the read-only viewer role on Northwind."""
    user = User.objects.create_user(
        email="vic@demo.test", password="x", organization=demo.northwind.organization
    )
    Membership.objects.create(user=user, client=demo.northwind, role=Role.VIEWER)
    return user


# --- The campaign's Orders tab ----------------------------------------------------------------


def test_orders_tab_before_anything_is_ordered(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    page = web_as(demo.ben).get(f"/campaigns/{campaign.pk}/orders/")
    assert page.status_code == 200
    text = body(page)
    assert "No insertion orders yet" in text
    assert f"Generate IOs from plan v{approved().number}" in text
    assert 'aria-current="page">Orders</a>' in text
    # The campaign's other tabs link here.
    assert f"/campaigns/{campaign.pk}/orders/" in body(
        web_as(demo.ben).get(campaign.get_absolute_url())
    )


def test_finance_reads_the_tab_without_the_generate_button(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    text = body(web_as(demo.cara).get(f"/campaigns/{campaign.pk}/orders/"))
    assert "No insertion orders yet" in text
    assert "Generate IOs" not in text
    assert "A coordinator of Northwind" in text
    refused = web_as(demo.cara).post(f"/campaigns/{campaign.pk}/orders/generate/")
    assert refused.status_code == 403
    assert not InsertionOrder.objects.exists()


def test_generate_from_the_tab(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    http = web_as(demo.ben)
    response = http.post(f"/campaigns/{campaign.pk}/orders/generate/", follow=True)
    orders = list(InsertionOrder.objects.filter(campaign=campaign))
    assert orders and all(order.status == OrderStatus.DRAFT for order in orders)
    text = body(response)
    assert f"draft IO{'s' if len(orders) > 1 else ''} generated from plan version" in text
    for order in orders:
        assert order.number in text and order.vendor.name in text
    assert "Draft" in text
    # Everything is ordered now: the button is gone, and generating again creates nothing.
    assert "Generate IOs from plan" not in text
    again = http.post(f"/campaigns/{campaign.pk}/orders/generate/", follow=True)
    assert "nothing new was generated" in body(again)
    assert InsertionOrder.objects.filter(campaign=campaign).count() == len(orders)


def test_generate_names_vendors_missing_from_the_directory(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    first = approved().placements.first()
    approved().placements.filter(pk=first.pk).update(vendor="Unlisted Media")
    response = web_as(demo.ben).post(f"/campaigns/{campaign.pk}/orders/generate/", follow=True)
    text = body(response)
    assert "not in the vendor directory" in text and "Unlisted Media" in text
    assert not InsertionOrder.objects.exists()


def test_generate_names_archived_vendors(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    vendor_name = approved().placements.first().vendor
    Vendor.objects.filter(name=vendor_name).update(archived_at=timezone.now())
    response = web_as(demo.ben).post(f"/campaigns/{campaign.pk}/orders/generate/", follow=True)
    text = body(response)
    assert "archived" in text and vendor_name in text
    assert not InsertionOrder.objects.exists()


def test_generate_without_an_approved_plan_says_so(demo: Any, web_as: Any) -> None:
    campaign = demo.campaign(CAMPAIGN)
    PlanVersion.objects.filter(campaign=campaign).update(status=PlanStatus.DRAFT)
    http = web_as(demo.ben)
    assert "No approved plan to order from" in body(http.get(f"/campaigns/{campaign.pk}/orders/"))
    response = http.post(f"/campaigns/{campaign.pk}/orders/generate/", follow=True)
    assert "IOs are generated from an approved plan" in body(response)
    assert not InsertionOrder.objects.exists()


def test_client_reviewer_never_sees_orders(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    campaign = demo.campaign(CAMPAIGN)  # shared with the client, so dan sees the campaign
    http = web_as(demo.dan)
    assert http.get(campaign.get_absolute_url()).status_code == 200
    assert "/orders/" not in body(http.get(campaign.get_absolute_url()))
    for url in (
        f"/campaigns/{campaign.pk}/orders/",
        "/orders/",
        f"/orders/{order.pk}/",
        f"/orders/{order.pk}/pdf",
        f"/orders/{order.pk}/edit/",
    ):
        assert http.get(url).status_code == 404, url
    for url in (f"/orders/{order.pk}/send/", f"/orders/{order.pk}/cancel/",
                f"/campaigns/{campaign.pk}/orders/generate/"):  # fmt: skip
        assert http.post(url, {"reason": "x"}).status_code == 404, url


def test_pending_revision_notice_and_proposal(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    sent(demo, order)
    services.answer_order(order, accept=True, name="Vera", title="Sales", ip=None)
    # A newer approved plan changes one of the order's lines.
    v1 = approved()
    line = order.lines.first()
    assert line is not None
    v2 = PlanVersion.objects.create(
        campaign=v1.campaign, number=v1.number + 10, status=PlanStatus.APPROVED,
        currency=v1.currency,
    )  # fmt: skip
    for placement in v1.placements.all():
        placement.pk = None
        placement.version = v2
        if placement.line_key == line.line_key:
            placement.quantity = line.quantity * 2
            placement.cost = line.cost * 2
        placement.save()
    assert Placement.objects.filter(version=v2).count() == v1.placements.count()

    http = web_as(demo.ben)
    tab = body(http.get(f"/campaigns/{order.campaign_id}/orders/"))
    assert f"Plan version {v2.number} changes booked orders" in tab
    assert "Propose revision" in tab and "Revision due" in tab
    assert "changes 1 line" in body(http.get(f"/orders/{order.pk}/"))
    # Finance reads the notice but gets no button.
    assert "Propose revision" not in body(web_as(demo.cara).get(f"/orders/{order.pk}/"))
    http = web_as(demo.ben)
    response = http.post(f"/orders/{order.pk}/revise/", {"back": "campaign"}, follow=True)
    revision = InsertionOrder.objects.get(number=order.number, revision=2)
    assert response.redirect_chain[-1][0] == f"/orders/{revision.pk}/"
    text = body(response)
    assert "What revision 2 changes" in text
    assert "quantity" in text.lower() and "Changed" in text
    # Proposing twice is refused with the service's sentence.
    again = http.post(f"/orders/{order.pk}/revise/", follow=True)
    assert "already has a newer revision" in body(again)


# --- The list of all IOs ----------------------------------------------------------------------


def test_list_filters_search_and_exports(demo: Any, web_as: Any) -> None:
    orders = generated(demo)
    first = orders[0]
    sent(demo, first)
    http = web_as(demo.ben)
    text = body(http.get("/orders/"))
    for order in orders:
        assert order.number in text
    assert "Orders</a>" in text  # the main navigation links here

    only_sent = body(http.get("/orders/", {"status": "sent"}))
    assert first.number in only_sent
    assert all(o.number not in only_sent for o in orders[1:])
    by_number = body(http.get("/orders/", {"q": first.number[-4:]}))
    assert first.number in by_number
    by_vendor = body(http.get("/orders/", {"vendor": first.vendor_id}))
    assert first.number in by_vendor and all(o.number not in by_vendor for o in orders[1:])
    assert "No insertion orders match" in body(http.get("/orders/", {"client": demo.contoso.pk}))
    bad = http.get("/orders/", {"status": "lost"})
    assert bad.status_code == 200 and "Filter “Status” ignored" in body(bad)

    csv = http.get("/orders/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("IO number,Revision,Client,Campaign")
    assert len(rows) == len(orders) + 1
    xlsx = http.get("/orders/", {"format": "xlsx", "status": "sent"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in values] == [first.number]
    assert Decimal(str(values[0][10])) == first.total


def test_list_empty_state(demo: Any, web_as: Any) -> None:
    text = body(web_as(demo.ben).get("/orders/"))
    assert "No insertion orders yet" in text and "Go to the campaigns" in text
    ours = generated(demo)
    text = body(web_as(demo.ben).get("/orders/"))
    assert "No insertion orders yet" not in text
    assert all(order.number in text for order in ours)


# --- One IO -----------------------------------------------------------------------------------


def test_detail_shows_header_lines_totals_and_history(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    response = web_as(demo.ben).get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    text = body(response)
    assert order.number in text and order.vendor.name in text
    for line in order.lines.all():
        assert line.code in text
    assert "Draft" in text and "Send to vendor" in text and "Edit header" in text
    assert f"/orders/{order.pk}/pdf" in text
    assert "History" in text and "Created" in text
    assert order.vendor.name in text.split('id="history-h"')[1]  # the vendor by name, not id


def test_pdf_download(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    response = web_as(demo.cara).get(f"/orders/{order.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"{order.number}-v1.pdf" in response["Content-Disposition"]


def test_edit_header_of_a_draft(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    http = web_as(demo.ben)
    assert http.get(f"/orders/{order.pk}/edit/").status_code == 200
    contact = order.vendor.contacts.first()
    values = {
        "vendor_contact": contact.pk if contact else "",
        "billing_source": "third_party",
        "payment_terms": order.payment_terms,
        "notes": "Rotate the creative weekly.",
        "cancellation_terms": order.cancellation_terms,
        "terms": order.terms,
    }
    response = http.post(f"/orders/{order.pk}/edit/", values, follow=True)
    assert "Changes saved." in body(response)
    order.refresh_from_db()
    assert order.billing_source == "third_party" and order.notes == "Rotate the creative weekly."
    history = body(response).split('id="history-h"')[1]
    assert "Third party" in history and "Rotate the creative weekly." in history
    # Clearing the contact records it readably too (the trail keeps ids, the page shows names).
    values["vendor_contact"] = ""
    response = http.post(f"/orders/{order.pk}/edit/", values, follow=True)
    assert response.status_code == 200
    if contact is not None:
        assert contact.name in body(response).split('id="history-h"')[1]
    # A contact of another vendor is refused beside the field.
    other = Vendor.objects.exclude(pk=order.vendor_id).filter(contacts__isnull=False).first()
    if other is not None:
        values["vendor_contact"] = other.contacts.first().pk
        refused = http.post(f"/orders/{order.pk}/edit/", values)
        assert refused.status_code == 400


def test_editing_a_sent_order_is_refused(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    sent(demo, order)
    http = web_as(demo.ben)
    response = http.get(f"/orders/{order.pk}/edit/", follow=True)
    assert "only a draft can change" in body(response)
    assert "Edit header" not in body(http.get(f"/orders/{order.pk}/"))


def test_send_from_the_page(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    http = web_as(demo.ben)
    refused = http.post(f"/orders/{order.pk}/send/", {"to": "not an address", "message": "Hi"})
    assert refused.status_code == 400
    assert "Enter a valid email address." in body(refused)
    assert 'value="not an address"' in body(refused)  # what was typed is kept
    assert not mail.outbox
    response = http.post(
        f"/orders/{order.pk}/send/",
        {"to": "traffic@vendor.test", "message": "Please confirm by Friday."},
        follow=True,
    )
    assert "sent to traffic@vendor.test" in body(response)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["traffic@vendor.test"]
    assert "Please confirm by Friday." in message.body
    assert LINK.search(message.body), message.body
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert "Send again" in body(response)


def test_send_without_any_address(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    InsertionOrder.objects.filter(pk=order.pk).update(vendor_contact=None)
    response = web_as(demo.ben).post(f"/orders/{order.pk}/send/", {"to": "", "message": ""})
    assert response.status_code == 400
    assert "has no contact with one" in body(response)


def test_viewer_and_finance_read_but_do_not_change(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    for user in (viewer(demo), demo.cara):
        http = web_as(user)
        text = body(http.get(f"/orders/{order.pk}/"))
        assert order.number in text
        for button in ("Send to vendor", "Edit header", "Cancel order", "Upload countersigned"):
            assert button not in text, (user.email, button)
        assert http.post(f"/orders/{order.pk}/send/", {"to": "a@b.test"}).status_code == 403
        assert http.post(f"/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 403
        assert http.get(f"/orders/{order.pk}/edit/").status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and not mail.outbox


def test_another_clients_order_is_not_found(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    foreign = InsertionOrder.objects.get(pk=order.pk)
    InsertionOrder.objects.filter(pk=order.pk).update(client=demo.fabrikam)
    http = web_as(demo.ben)  # coordinator on Northwind and Contoso, not Fabrikam
    for url in (f"/orders/{foreign.pk}/", f"/orders/{foreign.pk}/pdf"):
        assert http.get(url).status_code == 404
    assert http.post(f"/orders/{foreign.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert foreign.number not in body(http.get("/orders/"))


def test_countersigned_upload(demo: Any, web_as: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    order = generated(demo)[0]
    http = web_as(demo.ben)
    fake = SimpleUploadedFile("signed.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    refused = http.post(f"/orders/{order.pk}/countersigned/upload/", {"file": fake})
    assert refused.status_code == 400 and "is not a PDF" in body(refused)
    pdf = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = http.post(f"/orders/{order.pk}/countersigned/upload/", {"file": pdf}, follow=True)
    assert "is accepted and now booked" in body(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    download = http.get(f"/orders/{order.pk}/countersigned/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"


def test_cancel_needs_a_reason(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    http = web_as(demo.ben)
    refused = http.post(f"/orders/{order.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 400 and "This field is required." in body(refused)
    response = http.post(f"/orders/{order.pk}/cancel/", {"reason": "Budget cut"}, follow=True)
    text = body(response)
    assert "is cancelled" in text and "Budget cut" in text
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert "Cancel order" not in text and "Send to vendor" not in text


def test_adjustments_on_a_sent_order(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    http = web_as(demo.ben)
    assert 'id="adjust-h"' not in body(http.get(f"/orders/{order.pk}/"))  # drafts: none yet
    sent(demo, order)
    line = order.lines.first()
    assert line is not None
    page = body(http.get(f"/orders/{order.pk}/", {"line": line.pk}))
    assert 'id="adjust-h"' in page and f'<option value="{line.pk}" selected>' in page
    makegood = {"line": line.pk, "kind": "makegood", "quantity": "10", "cost": "",
                "effective": line.start.isoformat(), "note": ""}  # fmt: skip
    refused = http.post(f"/orders/{order.pk}/adjustments/", makegood)
    assert refused.status_code == 400 and "Say what the makegood replaces" in body(refused)
    outside = {**makegood, "effective": "2001-01-01", "note": "Missed spots"}
    assert "is outside the line" in body(http.post(f"/orders/{order.pk}/adjustments/", outside))
    cancellation = {"line": line.pk, "kind": "cancellation", "quantity": "", "cost": "100",
                    "effective": line.start.isoformat(), "note": "Slot dropped"}  # fmt: skip
    response = http.post(f"/orders/{order.pk}/adjustments/", cancellation, follow=True)
    assert "Cancellation recorded on" in body(response)
    adjustment = LineAdjustment.objects.get()
    assert adjustment.kind == AdjustmentKind.CANCELLATION and adjustment.cost == Decimal("100")
    assert "Slot dropped" in body(response)


# --- The vendor's answer page -----------------------------------------------------------------


def test_answer_page_shows_the_order_and_nothing_else(demo: Any, client: Any) -> None:
    orders = generated(demo)
    order = orders[0]
    link = sent(demo, order)
    response = client.get(link)  # nobody logged in
    assert response.status_code == 200
    text = body(response)
    assert order.vendor.name in text and order.campaign.name in text
    for line in order.lines.all():
        assert line.code in text
    assert "Accept the order" in text and "Decline" in text
    assert 'aria-label="Main"' not in text and "client-switcher" not in text
    assert all(other.number not in text for other in orders[1:])
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    pdf = client.get(link + "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_answer_page_hides_navigation_even_for_a_signed_in_user(demo: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    text = body(web_as(demo.ben).get(link))
    assert 'aria-label="Main"' not in text and "Log out" not in text


def test_accept_through_the_link(demo: Any, client: Any) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    response = client.post(link, {"name": "Vera Vendor", "title": "Head of Sales",
                                  "decision": "accept"}, follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0].endswith("?answered=1")
    text = body(response)
    assert "Thank you" in text and "accepted by Vera Vendor, Head of Sales" in text
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert order.answered_ip == "127.0.0.1" and order.answered_title == "Head of Sales"
    # Answering twice says it was answered and changes nothing.
    twice = client.post(link, {"name": "Someone", "title": "Else", "decision": "decline",
                               "reason": "Changed my mind"})  # fmt: skip
    assert twice.status_code == 409
    assert "already accepted" in body(twice) and "Accept the order" not in body(twice)
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.answered_name == "Vera Vendor"
    later = body(client.get(link))
    assert "Already answered" in later and "Thank you" not in later


def test_decline_needs_a_reason(demo: Any, client: Any) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    refused = client.post(link, {"name": "Vera", "title": "Sales", "decision": "decline"})
    assert refused.status_code == 400
    assert "Say why you decline" in body(refused)
    assert 'value="Vera"' in body(refused)
    missing = client.post(link, {"name": "", "title": "", "decision": "accept"})
    assert missing.status_code == 400 and "This field is required." in body(missing)
    response = client.post(link, {"name": "Vera", "title": "Sales", "decision": "decline",
                                  "reason": "The rate is wrong"}, follow=True)  # fmt: skip
    assert "declined by Vera, Sales" in body(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.DECLINED and order.decline_reason == "The rate is wrong"


def test_tampered_link_is_not_found(demo: Any, client: Any) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + "/"
    for url in (tampered, tampered + "pdf", "/orders/answer/nonsense/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "changed or cut short" in body(response)
        assert order.number not in body(response) and order.vendor.name not in body(response)
    assert (
        client.post(tampered, {"name": "x", "title": "y", "decision": "accept"}).status_code == 404
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT


def test_replaced_link_is_gone(demo: Any, client: Any) -> None:
    order = generated(demo)[0]
    old = sent(demo, order)
    new = sent(demo, order)
    response = client.get(old)
    assert response.status_code == 410
    assert "replaced by a newer one" in body(response)
    assert order.number not in body(response)
    assert client.get(new).status_code == 200


def test_expired_link_is_gone(demo: Any, client: Any) -> None:
    order = generated(demo)[0]
    OrderSettings.objects.update_or_create(
        organization=demo.northwind.organization, defaults={"link_days": 3}
    )
    link = sent(demo, order)
    assert client.get(link).status_code == 200
    four_days = time.time() + 4 * 86400
    with mock.patch("time.time", return_value=four_days):
        response = client.get(link)
        answer = client.post(link, {"name": "x", "title": "y", "decision": "accept"})
        pdf = client.get(link + "pdf")
    assert response.status_code == 410 and answer.status_code == 410 and pdf.status_code == 410
    assert "expired (links work for 3 days" in body(response)
    assert order.number not in body(response) and order.vendor.name not in body(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT


def test_answer_form_is_protected_by_csrf(demo: Any) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    browser = HttpClient(enforce_csrf_checks=True)
    values = {"name": "Vera", "title": "Sales", "decision": "accept"}
    assert browser.post(link, values).status_code == 403
    page = browser.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body(page))
    assert token
    response = browser.post(link, {**values, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


def test_the_coordinator_sees_the_answer(demo: Any, client: Any, web_as: Any) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    client.post(link, {"name": "Vera Vendor", "title": "Sales", "decision": "accept"})
    http = web_as(demo.ben)
    detail = body(http.get(f"/orders/{order.pk}/"))
    assert "Accepted" in detail and "Vera Vendor" in detail and "127.0.0.1" in detail
    tab = body(http.get(f"/campaigns/{order.campaign_id}/orders/"))
    assert "Accepted" in tab and "Vera Vendor" in tab


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.DRAFT])
def test_answer_page_of_an_order_that_cannot_be_answered(
    demo: Any, client: Any, status: str
) -> None:
    order = generated(demo)[0]
    link = sent(demo, order)
    InsertionOrder.objects.filter(pk=order.pk).update(status=status)
    text = body(client.get(link))
    assert "Accept the order" not in text
    assert ("was cancelled" if status == OrderStatus.CANCELLED else "not been sent") in text
    assert Campaign.objects.filter(code=CAMPAIGN).exists()
