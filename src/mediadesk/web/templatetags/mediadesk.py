from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount

register = template.Library()

# Status is a word plus a colour class; the word alone must carry the meaning.
STATUS_TONES = {
    "planning": "neutral",
    "booked": "info",
    "live": "good",
    "completed": "done",
    "cancelled": "muted",
}


@register.simple_tag
def money(amount: Decimal | None, currency: str = "", show_currency: bool = True) -> str:
    if amount is None:
        return "—"
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    text = format_amount(Decimal(amount), places)
    return f"{text} {currency}" if show_currency and currency else text


@register.simple_tag
def status_badge(value: str, label: str) -> SafeString:
    tone = STATUS_TONES.get(value, "neutral")
    return format_html('<span class="badge tone-{}">{}</span>', tone, label)


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], key: str, label: str) -> SafeString:
    """A column header link that sorts by ``key``, toggling the direction."""
    current = context.get("sort", "")
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    descending = current == key
    query["sort"] = f"-{key}" if descending else key
    arrow = ""
    if current == key:
        arrow = " ▲"
    elif current == f"-{key}":
        arrow = " ▼"
    return format_html(
        '<a href="?{}" class="sort">{}<span aria-hidden="true">{}</span></a>',
        query.urlencode(),
        label,
        arrow,
    )


@register.filter
def negate(value: Decimal) -> Decimal:
    return -value


@register.simple_tag(takes_context=True)
def may(context: dict[str, Any], action: str, client_id: int) -> bool:
    """Whether the signed-in user may do ``action`` (an Action value) on the client.

    Reads the roles cached on the user for the request, so a page asking many times costs one
    query at most: ``{% may "view_all_campaigns" campaign.client_id as show %}``.
    """
    from mediadesk.accounts.permissions import Action, can

    return can(context["request"].user, Action(action), client_id)


@register.simple_tag
def upload_limit() -> str:
    """The largest file an upload accepts, as people read it ("256 MB")."""
    from mediadesk.ingest.safety import MAX_UPLOAD_BYTES

    return f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
