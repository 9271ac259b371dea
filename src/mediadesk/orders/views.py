"""Insertion order pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mediadesk.orders.models import InsertionOrder


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(InsertionOrder.objects.visible_to(request.user), pk=order_id)
    return render(request, "orders/order_detail.html", {"order": order})
