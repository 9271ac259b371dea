"""The IO as a document a vendor signs: one HTML template, rendered to PDF by WeasyPrint."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from mediadesk.orders.choices import LineChange
from mediadesk.orders.models import InsertionOrder, OrderLine


def order_context(order: InsertionOrder) -> dict[str, Any]:
    lines: list[OrderLine] = list(order.lines.all())
    booked = [line for line in lines if not line.is_removed]
    gross = sum((line.booked_cost for line in booked), Decimal("0"))
    net = sum((line.booked_net for line in booked), Decimal("0"))
    revision = order.revision > 1
    changed = [
        (line, changed_fields(line)) for line in lines if line.change != LineChange.UNCHANGED
    ]
    return {
        "order": order,
        "campaign": order.campaign,
        "client": order.client,
        "organization": order.client.organization,
        "vendor": order.vendor,
        "lines": lines,
        "booked_lines": booked,
        "changed_lines": changed,
        "is_revision": revision,
        "gross": gross,
        "net": net,
        "commission": gross - net,
        "flight_start": min((line.start for line in booked), default=None),
        "flight_end": max((line.end for line in booked), default=None),
    }


def changed_fields(line: OrderLine) -> list[tuple[str, str, str]]:
    """(field, old, new) for each field a revision changed on a line."""
    if line.change == LineChange.REMOVED:
        return [(name.replace("_", " "), str(old), "—") for name, old in line.before.items()]
    if line.change != LineChange.CHANGED:
        return []
    return [
        (name.replace("_", " "), str(old), str(getattr(line, name)))
        for name, old in line.before.items()
    ]


def order_pdf(order: InsertionOrder) -> bytes:
    weasyprint = importlib.import_module("weasyprint")
    html = render_to_string("orders/order_print.html", order_context(order))
    # Only data: URLs: the document fetches nothing from the network or the disk.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
