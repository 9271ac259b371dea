"""The cross-channel delivery report of a campaign, downloaded as XLSX or PDF.

GET ?format=xlsx|pdf&from=YYYY-MM-DD&to=YYYY-MM-DD; the period defaults to the campaign's flight.
The usual two questions, in order (docs/permissions.md): a campaign the user cannot see is 404,
and so is delivery for a client reviewer (delivery work is internal, as ``InternalQuerySet``
says); a role without downloads is 403. A bad query string is 400 with a sentence.
"""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from mediadesk.accounts.permissions import Action, can
from mediadesk.delivery.models import delivery_campaigns
from mediadesk.delivery.report_files import (
    report_data,
    report_file_name,
    report_pdf_of,
    report_xlsx_of,
)
from mediadesk.planning.files import CONTENT_TYPES
from mediadesk.planning.models import Campaign

FORMATS = ("xlsx", "pdf")
# Only the ISO form: date.fromisoformat also takes 20261005 and week dates, which no one means.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadQuery(ValueError):
    """A query string the report cannot be built from; the message says what to send."""


def _day(request: HttpRequest, name: str, default: date) -> date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadQuery(
            f"“{name}” must be a date written YYYY-MM-DD, such as {default.isoformat()}; "
            f"“{raw[:40]}” is not one."
        ) from None


def report_query(request: HttpRequest, campaign: Campaign) -> tuple[str, date, date]:
    """The format and the period asked for (default: the flight), or BadQuery."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise BadQuery(f"“format” must be xlsx or pdf; “{fmt[:40]}” is not one.")
    date_from = _day(request, "from", campaign.start)
    date_to = _day(request, "to", campaign.end)
    if date_to < date_from:
        raise BadQuery(
            f"The period ends on {date_to.isoformat()}, before it starts on "
            f"{date_from.isoformat()}; swap “from” and “to”."
        )
    return fmt, date_from, date_to


def _report_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(
        delivery_campaigns(request.user).select_related("client__organization"), pk=campaign_id
    )
    return campaign


@login_required
def campaign_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _report_campaign(request, campaign_id)
    # Only after the campaign was found: a foreign id is 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not can(request.user, Action.EXPORT, campaign.client_id):
        raise PermissionDenied("Your role does not allow downloads.")
    try:
        fmt, date_from, date_to = report_query(request, campaign)
    except BadQuery as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    data = report_data(campaign, date_from, date_to)
    body = report_xlsx_of(data) if fmt == "xlsx" else report_pdf_of(data)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    # Quoted, or RFC 5987 encoded when the campaign code is not plain ASCII.
    name = report_file_name(campaign, date_from, date_to, fmt)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response
