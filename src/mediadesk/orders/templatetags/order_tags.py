"""Status badges of insertion orders: a word plus a colour, never colour alone."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mediadesk.orders.choices import LineChange, OrderStatus

register = template.Library()

ORDER_TONES: dict[str, str] = {
    OrderStatus.DRAFT: "neutral",
    OrderStatus.SENT: "info",
    OrderStatus.ACCEPTED: "good",
    OrderStatus.DECLINED: "bad",
    OrderStatus.REVISED: "muted",
    OrderStatus.CANCELLED: "muted",
}
CHANGE_TONES: dict[str, str] = {
    LineChange.ADDED: "good",
    LineChange.CHANGED: "warn",
    LineChange.REMOVED: "bad",
}


@register.simple_tag
def order_badge(status: str) -> SafeString:
    label = OrderStatus(status).label if status in OrderStatus.values else status
    return format_html(
        '<span class="badge tone-{}">{}</span>', ORDER_TONES.get(status, "neutral"), label
    )


@register.simple_tag
def change_badge(change: str) -> SafeString:
    if change not in CHANGE_TONES:
        return format_html("")
    return format_html(
        '<span class="badge tone-{}">{}</span>', CHANGE_TONES[change], LineChange(change).label
    )
