"""Template helpers of the finance pages: status badges, signed variances, the nav link and
the campaign page's Money section."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mediadesk.accounts.choices import Role
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount

register = template.Library()

# A word plus a colour; the word carries the meaning on its own.
INVOICE_TONES = {
    "received": "neutral",
    "matched": "info",
    "discrepancy": "warn",
    "disputed": "bad",
    "approved": "good",
    "exported": "info",
    "paid": "done",
    "unmatched": "neutral",
}
FINANCE_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.FINANCE}


@register.simple_tag
def finance_badge(value: str, label: str) -> SafeString:
    tone = INVOICE_TONES.get(value, "neutral")
    return format_html('<span class="badge tone-{}">{}</span>', tone, label)


@register.simple_tag
def variance(amount: Decimal | None, currency: str = "") -> SafeString:
    """A signed variance with its word: "+1,200.00 over", "−300.00 under", "0.00"."""
    if amount is None:
        return format_html("{}", "—")
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    text = format_amount(abs(Decimal(amount)), places)
    if amount > 0:
        return format_html('<span class="variance up">+{} <small>over</small></span>', text)
    if amount < 0:
        return format_html('<span class="variance down">−{} <small>under</small></span>', text)
    return format_html('<span class="variance">{}</span>', text)


@register.filter
def sees_finance(clients: Any, user: Any) -> bool:
    """Whether the Finance link shows: from the switcher's clients and their roles, no query."""
    if getattr(user, "is_org_admin", False):
        return True
    return any(getattr(c, "my_role", None) in FINANCE_ROLES for c in clients or ())


@register.simple_tag(takes_context=True)
def campaign_money(context: dict[str, Any], campaign: Any) -> list[dict[str, Any]] | None:
    """The campaign's five numbers per currency with the accrual to date (delivered, not yet
    invoiced, placement by placement), for people who see its client's finance; else None."""
    from django.utils import timezone

    from mediadesk.accounts.permissions import Action, can
    from mediadesk.domain.close import ZERO, close_to_date, five_numbers_by_currency
    from mediadesk.finance.ledger import ledger

    if not can(context["request"].user, Action.VIEW_FINANCE, campaign.client_id):
        return None
    today = timezone.localdate()
    lines = ledger(campaign.client, campaigns=[campaign], today=today)
    to_date = close_to_date(lines, (today.year, today.month)).totals
    return [
        {"numbers": numbers, "accrual": to_date[code].accrual if code in to_date else ZERO}
        for code, numbers in five_numbers_by_currency(lines).items()
    ]
