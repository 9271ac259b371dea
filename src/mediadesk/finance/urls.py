from django.urls import path

from mediadesk.finance import views

app_name = "finance"

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/new/", views.invoice_create, name="invoice_create"),
    path("invoices/new/line/", views.invoice_line, name="invoice_line"),
    path("invoices/import/", views.invoice_import, name="invoice_import"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/file/", views.invoice_file, name="invoice_file"),
    path("invoices/<int:invoice_id>/match/", views.invoice_match, name="invoice_match"),
    path("invoices/<int:invoice_id>/dispute/", views.invoice_dispute, name="invoice_dispute"),
    path("invoices/<int:invoice_id>/notes/", views.invoice_note, name="invoice_note"),
    path("invoices/<int:invoice_id>/approve/", views.invoice_approve, name="invoice_approve"),
    path("payments/", views.batch_list, name="batch_list"),
    path("payments/new/", views.batch_create, name="batch_create"),
    path("payments/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("payments/<int:batch_id>/file/", views.batch_file, name="batch_file"),
    path("payments/<int:batch_id>/paid/", views.batch_paid, name="batch_paid"),
    path("clients/<int:client_id>/close/", views.close, name="close"),
    path(
        "settings/clients/<int:client_id>/finance/",
        views.finance_settings,
        name="settings",
    ),
]
