from django.urls import path

from mediadesk.orders import views

app_name = "orders"

urlpatterns = [
    path("campaigns/<int:campaign_id>/orders/", views.campaign_orders, name="campaign_orders"),
    path("campaigns/<int:campaign_id>/orders/generate/", views.generate, name="generate"),
    path("orders/", views.order_list, name="order_list"),
    path("settings/orders/", views.order_settings, name="settings"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:order_id>/pdf", views.order_pdf_view, name="order_pdf"),
    path("orders/<int:order_id>/send/", views.order_send, name="order_send"),
    path(
        "orders/<int:order_id>/countersigned/upload/",
        views.order_countersigned,
        name="order_countersigned",
    ),
    path(
        "orders/<int:order_id>/countersigned/",
        views.countersigned_download,
        name="countersigned_download",
    ),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/revise/", views.order_revise, name="order_revise"),
    path("orders/<int:order_id>/adjustments/", views.order_adjust, name="order_adjust"),
    # The vendor's answer: no account, the signed link is the key (see services.order_for_token).
    path("orders/answer/<str:token>/", views.answer, name="answer"),
    path("orders/answer/<str:token>/pdf", views.answer_pdf, name="answer_pdf"),
]
