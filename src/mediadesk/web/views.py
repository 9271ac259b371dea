from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mediadesk.accounts.models import Client
from mediadesk.planning.choices import CampaignStatus
from mediadesk.planning.models import Campaign
from mediadesk.web.context import CURRENT_CLIENT, current_client


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Today: until the attention list exists, the campaigns that are running or about to."""
    today = timezone.localdate()
    campaigns = Campaign.objects.visible_to(request.user).active().select_related("client")
    client = current_client(request)
    if client is not None:
        campaigns = campaigns.filter(client=client)
    running = campaigns.filter(start__lte=today, end__gte=today).exclude(
        status=CampaignStatus.CANCELLED
    )
    starting = campaigns.filter(start__gt=today, start__lte=today + timedelta(days=30)).exclude(
        status=CampaignStatus.CANCELLED
    )
    return render(
        request,
        "web/home.html",
        {
            "today": today,
            "running": running.order_by("end", "name"),
            "starting": starting.order_by("start", "name"),
            "has_any": campaigns.exists(),
        },
    )


@login_required
@require_POST
def switch_client(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("client", "")
    if raw.isdigit() and Client.objects.visible_to(request.user).filter(id=int(raw)).exists():
        request.session[CURRENT_CLIENT] = int(raw)
    else:
        request.session.pop(CURRENT_CLIENT, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    # A detail page of another client would answer 404 after switching; go to its list.
    return redirect(target.split("?")[0] if "client=" in target else target)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
