"""An IO from an approved plan: generated, sent, accepted through its link, revised."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

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
