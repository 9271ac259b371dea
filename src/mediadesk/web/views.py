from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mediadesk.accounts.models import Client
from mediadesk.web.context import CURRENT_CLIENT
from mediadesk.work.views import today_page


def home(request: HttpRequest) -> HttpResponse:
    """Today: the attention list (``work.views.today_page``)."""
    return today_page(request)


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
