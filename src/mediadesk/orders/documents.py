"""The IO as a document a vendor signs: one HTML template, rendered to PDF by WeasyPrint."""

from __future__ import annotations

import importlib
from datetime import date
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
        return [(_label(name), _shown(name, old), "—") for name, old in line.before.items()]
    if line.change != LineChange.CHANGED:
        return []
    return [
        (_label(name), _shown(name, old), _shown(name, str(getattr(line, name))))
        for name, old in line.before.items()
    ]


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _shown(name: str, value: str) -> str:
    """Old and new values as people read them: 20,000,000 not 20000000.00; dates as 5 Oct 2026."""
    if name in ("quantity", "cost", "rate"):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        places = 2 if name == "cost" else (4 if name == "rate" else 2)
        text = f"{number:,.{places}f}"
        return text.rstrip("0").rstrip(".") if name != "cost" and "." in text else text
    if name in ("start", "end"):
        try:
            return date.fromisoformat(value).strftime("%-d %b %Y")
        except ValueError:
            return value
    return value


def order_pdf(order: InsertionOrder) -> bytes:
    weasyprint = importlib.import_module("weasyprint")
    html = render_to_string("orders/order_print.html", order_context(order))
    # Only data: URLs: the document fetches nothing from the network or the disk.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
