"""Invoice, payment and close pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mediadesk.finance.models import Invoice, PaymentBatch


@login_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.visible_to(request.user), pk=invoice_id)
    return render(request, "finance/invoice_detail.html", {"invoice": invoice})


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(PaymentBatch.objects.visible_to(request.user), pk=batch_id)
    return render(request, "finance/batch_detail.html", {"batch": batch})
