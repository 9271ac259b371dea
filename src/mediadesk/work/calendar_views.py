"""The calendar page (a month grid, and a list for small screens), the private calendar
addresses (ICS feeds) a person makes and revokes, and the feed itself.

The feed answers without a login (calendar apps cannot log in): the address's token is the
credential, looked up by its hash. An unknown or revoked address, or one of a deactivated
person, is 404, the same answer whichever it is.
"""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.models import Client, User, visible_client_ids
from mediadesk.web.context import current_client
from mediadesk.work import calendar as work_calendar
from mediadesk.work.calendar import DEFAULT_KINDS, KINDS, CalendarEvent
from mediadesk.work.models import CalendarFeed

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _signed_in(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _month(text: str, today: date) -> date:
    """'2026-11' → 1 Nov 2026; anything else → this month."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _entries(events: list[CalendarEvent], day: date) -> list[dict[str, Any]]:
    """What a day shows: one-day events, and the first and last day of what spans days."""
    found = []
    for event in events:
        if event.spans:
            if event.start == day:
                found.append({"event": event, "marker": "Starts"})
            elif event.end == day:
                found.append({"event": event, "marker": "Ends"})
        elif event.start == day:
            found.append({"event": event, "marker": ""})
    return found


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    today = work_calendar.today()
    first = _month(request.GET.get("month", ""), today)
    last = _shift(first, 1) - timedelta(days=1)
    clients = list(Client.objects.filter(id__in=visible_client_ids(request.user)).active())
    chosen = current_client(request)
    raw_client = request.GET.get("client", str(chosen.pk) if chosen else "")
    client_id = int(raw_client) if raw_client.isdigit() else None
    if client_id is not None and client_id not in {c.pk for c in clients}:
        client_id = None  # not theirs to see: show everything they do see
    kinds = (
        set(request.GET.getlist("show")) & set(KINDS)
        if "filtered" in request.GET
        else set(DEFAULT_KINDS)
    )
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_first, grid_last = weeks[0][0], weeks[-1][-1]
    events = work_calendar.events_for(
        request.user, grid_first, grid_last, client_id=client_id, kinds=kinds
    )
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for day in (grid_first + timedelta(days=n) for n in range((grid_last - grid_first).days + 1)):
        by_day[day] = _entries(events, day)
    running = [e for e in events if e.spans and e.start <= last and e.end >= first]
    days = [
        {"day": day, "entries": by_day[day]}
        for day in (first + timedelta(days=n) for n in range(last.day))
        if by_day[day]
    ]
    base = "&".join(f"show={kind}" for kind in sorted(kinds)) + "&filtered=1"
    if client_id:
        base += f"&client={client_id}"
    return render(
        request,
        "work/calendar.html",
        {
            "first": first,
            "today": today,
            "weekdays": WEEKDAYS,
            "weeks": [
                [
                    {"day": day, "entries": by_day[day], "in_month": day.month == first.month}
                    for day in week
                ]
                for week in weeks
            ],
            "days": days,
            "running": running,
            "event_count": len({e.uid for e in events if e.start <= last and e.end >= first}),
            "previous": _shift(first, -1),
            "next": _shift(first, 1),
            "this_month": today.replace(day=1),
            "clients": clients,
            "client_id": client_id,
            "kinds": [(key, label, key in kinds) for key, label in KINDS.items()],
            "base": base,
            "list_view": request.GET.get("view") == "list",
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The person's private calendar addresses: make one (shown once), see and revoke them."""
    person = _signed_in(request)
    new_url = ""
    if request.method == "POST":
        issued = work_calendar.create_feed(person)
        new_url = request.build_absolute_uri(reverse("work:calendar_ics", args=[issued.raw]))
    return render(
        request,
        "work/calendar_feed.html",
        {
            "new_url": new_url,
            "feeds": CalendarFeed.objects.filter(user=person).order_by("revoked_at", "-created_at"),
        },
    )


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    person = _signed_in(request)
    feed = get_object_or_404(CalendarFeed, pk=feed_id, user=person)
    work_calendar.revoke_feed(person, feed)
    messages.success(
        request,
        f"The calendar address starting {feed.prefix}… is revoked; calendars using it stop "
        "updating.",
    )
    return redirect(reverse("work:calendar_feed"))


@never_cache
@require_GET
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, for whoever holds the address (no login: the token is the credential)."""
    feed = work_calendar.feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    text = work_calendar.feed_text(
        feed.user, work_calendar.today(), timezone.now(), site=request.build_absolute_uri("/")
    )
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mediadesk.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
