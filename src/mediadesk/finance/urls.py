from django.urls import path

from mediadesk.finance import views

app_name = "finance"

urlpatterns = [
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("payments/<int:batch_id>/", views.batch_detail, name="batch_detail"),
]
