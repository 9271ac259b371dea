"""An IO from an approved plan: generated, sent, accepted through its link, revised."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from mediadesk.errors import Conflict
from mediadesk.orders import services
from mediadesk.orders.choices import OrderStatus
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import PlanVersion


def approved(demo: Any, code: str = "NWND-AR26") -> PlanVersion:
    return PlanVersion.objects.filter(
        campaign__code=code, status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED]
    ).order_by("-number")[0]


def test_generate_one_order_per_vendor(demo: Any) -> None:
    version = approved(demo)
    orders = services.generate_orders(demo.ben, version)
    vendors = {p.vendor.casefold() for p in version.placements.all()}
    assert len(orders) == len(vendors)
    for order in orders:
        assert order.status == OrderStatus.DRAFT
        assert order.lines.count() >= 1
        assert order.number.startswith("IO-NWND-")
    total = sum(o.total for o in orders)
    assert total == sum(p.cost for p in version.placements.all())
    assert services.generate_orders(demo.ben, version) == []  # nothing twice


def test_send_and_accept_through_the_link(demo: Any, client: Any) -> None:
    order = services.generate_orders(demo.ben, approved(demo))[0]
    services.send_order(
        demo.ben, order, to="sales@vendor.test", link_base="http://testserver/orders/answer"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.attachments[0][1].startswith(b"%PDF-")
    link = re.search(r"http://testserver(/orders/answer/\S+/)", message.body)
    assert link
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    found = services.order_for_token(link.group(1).split("/")[-2])
    assert found.pk == order.pk
    services.answer_order(found, accept=True, name="Vera Vendor", title="Sales", ip="10.0.0.1")
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.answered_ip == "10.0.0.1"
    from mediadesk.audit.models import AuditEvent

    answered = AuditEvent.objects.for_object(order).get(action="accepted")
    assert answered.actor is None and answered.actor_label.startswith("Vera Vendor, Sales at")
    with pytest.raises(Exception, match="already accepted"):
        services.answer_order(order, accept=True, name="x", title="y", ip=None)


def test_tampered_link(demo: Any) -> None:
    order = services.generate_orders(demo.ben, approved(demo))[0]
    token = services.answer_token(order)
    with pytest.raises(services.LinkError, match="changed or cut short"):
        services.order_for_token(token[:-2] + "xx")


def test_pdf(demo: Any) -> None:
    from mediadesk.orders.documents import order_pdf

    order = services.generate_orders(demo.ben, approved(demo))[0]
    assert order_pdf(order).startswith(b"%PDF-")


def test_io_for_an_unapproved_plan_is_refused(demo: Any) -> None:
    draft = PlanVersion.objects.filter(campaign__code="NWND-AR26", status=PlanStatus.DRAFT).first()
    assert draft is not None
    with pytest.raises(Exception, match="approved plan"):
        services.generate_orders(demo.ben, draft)
    assert not InsertionOrder.objects.exists()


def _accepted(demo: Any, code: str = "NWND-AR26") -> InsertionOrder:
    order = services.generate_orders(demo.ben, approved(demo, code))[0]
    return services.upload_countersigned(demo.ben, order, b"%PDF-1.4 signed", "signed.pdf")


def test_a_refused_mail_changes_nothing(demo: Any, settings: Any) -> None:
    from unittest import mock

    order = services.generate_orders(demo.ben, approved(demo))[0]
    nonce = order.link_nonce
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("relay refused")),
        pytest.raises(OSError),
    ):
        services.send_order(demo.ben, order, to="a@b.test", link_base="http://t/orders/answer")
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.link_nonce == nonce and not order.sent_at


def test_decline_needs_a_reason_and_keeps_it(demo: Any) -> None:
    order = services.generate_orders(demo.ben, approved(demo))[0]
    sent = services.send_order(demo.ben, order, to="a@b.test", link_base="http://t/o")
    with pytest.raises(ValidationError, match="why"):
        services.answer_order(sent, accept=False, name="Vera", title="Sales", ip=None)
    services.answer_order(
        sent, accept=False, name="Vera", title="Sales", ip=None, reason="Sold out"
    )
    sent.refresh_from_db()
    assert sent.status == OrderStatus.DECLINED and sent.decline_reason == "Sold out"


def test_countersigned_upload_must_be_a_pdf(demo: Any) -> None:
    order = services.generate_orders(demo.ben, approved(demo))[0]
    with pytest.raises(ValidationError, match="not a PDF"):
        services.upload_countersigned(demo.ben, order, b"GIF89a", "scan.gif")
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and not order.countersigned


def test_revision_from_the_plan_diff(demo: Any) -> None:
    from mediadesk.orders.documents import changed_fields, order_pdf
    from mediadesk.planning import services as planning

    order = _accepted(demo, "CTSO-5G26")
    line = order.lines.first()
    assert line is not None
    version = approved(demo, "CTSO-5G26")
    with pytest.raises(Conflict, match="changes nothing"):
        services.propose_revision(demo.ben, order, version)
    draft = planning.new_draft(demo.alice, version, "change one line")
    placement = draft.placements.get(line_key=line.line_key)
    planning.update_placement(demo.alice, placement, {"quantity": placement.quantity * 2})
    planning.submit_plan(demo.alice, draft)
    planning.approve_plan(demo.alice, draft)
    assert services.pending_revisions([order]) == {order.pk: 1}
    revision = services.propose_revision(demo.ben, order)
    assert (revision.number, revision.revision, revision.status) == (order.number, 2, "draft")
    changed = revision.lines.get(line_key=line.line_key)
    assert changed.change == "changed"
    assert changed.before["quantity"] == str(line.quantity)
    shown = {name: (old, new) for name, old, new in changed_fields(changed)}
    assert set(shown) >= {"Quantity", "Cost"}
    assert shown["Quantity"] == (f"{line.quantity:,.0f}", f"{line.quantity * 2:,.0f}")
    assert shown["Cost"][0] == f"{line.cost:,.2f}"
    assert revision.lines.exclude(change="unchanged").count() == 1
    assert order_pdf(revision).startswith(b"%PDF-")
    # Booked stays revision 1 until the vendor accepts revision 2.
    sent = services.send_order(demo.ben, revision, to="a@b.test", link_base="http://t/o")
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    services.answer_order(sent, accept=True, name="Vera", title="Sales", ip="10.1.1.1")
    order.refresh_from_db()
    assert order.status == OrderStatus.REVISED
    with pytest.raises(Conflict, match="newer revision"):
        services.propose_revision(demo.ben, order)


def test_makegoods_and_cancellations(demo: Any) -> None:
    from decimal import Decimal

    order = _accepted(demo)
    line = order.lines.first()
    assert line is not None
    with pytest.raises(ValidationError, match="makegood replaces"):
        services.record_adjustment(demo.ben, line, kind="makegood", quantity=Decimal(5),
                                   effective=line.start)  # fmt: skip
    services.record_adjustment(demo.ben, line, kind="makegood", quantity=Decimal(5),
                               effective=line.start, note="Spots missed on 5 Oct")  # fmt: skip
    with pytest.raises(ValidationError, match="more than the line's booked cost"):
        services.record_adjustment(demo.ben, line, kind="cancellation",
                                   cost=line.cost + 1, effective=line.start)  # fmt: skip
    services.record_adjustment(demo.ben, line, kind="cancellation", cost=Decimal("100.00"),
                               effective=line.end, note="Last week dropped")  # fmt: skip
    line.refresh_from_db()
    assert line.booked_cost == line.cost - Decimal("100.00")
    assert line.makegood_quantity == Decimal(5)


def test_only_coordinators_book(demo: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.generate_orders(demo.cara, approved(demo))
    assert not InsertionOrder.objects.exists()


def test_no_orders_for_an_archived_campaign(demo: Any) -> None:
    from mediadesk.planning.services import archive_campaign

    version = approved(demo)
    archive_campaign(demo.alice, version.campaign, "stopped")
    with pytest.raises(Conflict, match="archived"):
        services.generate_orders(demo.ben, PlanVersion.objects.get(pk=version.pk))
