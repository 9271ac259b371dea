from django.urls import path

from mediadesk.vendors import views

app_name = "vendors"

urlpatterns = [
    path("", views.vendor_list, name="vendor_list"),
    path("new/", views.vendor_create, name="vendor_create"),
    path("<int:vendor_id>/", views.vendor_detail, name="vendor_detail"),
    path("<int:vendor_id>/edit/", views.vendor_edit, name="vendor_edit"),
    path("<int:vendor_id>/archive/", views.vendor_archive, name="vendor_archive"),
    path("<int:vendor_id>/contacts/", views.contact_add, name="contact_add"),
    path(
        "<int:vendor_id>/contacts/<int:contact_id>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
    path("<int:vendor_id>/rate-cards/new/", views.rate_card_create, name="rate_card_create"),
    path(
        "<int:vendor_id>/rate-cards/<int:rate_card_id>/",
        views.rate_card_detail,
        name="rate_card_detail",
    ),
    path(
        "<int:vendor_id>/rate-cards/<int:rate_card_id>/edit/",
        views.rate_card_edit,
        name="rate_card_edit",
    ),
    path(
        "<int:vendor_id>/rate-cards/<int:rate_card_id>/archive/",
        views.rate_card_archive,
        name="rate_card_archive",
    ),
    path(
        "<int:vendor_id>/rate-cards/<int:rate_card_id>/lines/",
        views.line_add,
        name="line_add",
    ),
    path(
        "<int:vendor_id>/rate-cards/<int:rate_card_id>/lines/<int:line_id>/edit/",
        views.line_edit,
        name="line_edit",
    ),
    path(
        "<int:vendor_id>/rate-cards/<int:rate_card_id>/lines/<int:line_id>/remove/",
        views.line_remove,
        name="line_remove",
    ),
    path("<int:vendor_id>/negotiated-rates/", views.negotiated_add, name="negotiated_add"),
    path(
        "<int:vendor_id>/negotiated-rates/<int:negotiated_rate_id>/edit/",
        views.negotiated_edit,
        name="negotiated_edit",
    ),
    path(
        "<int:vendor_id>/negotiated-rates/<int:negotiated_rate_id>/remove/",
        views.negotiated_remove,
        name="negotiated_remove",
    ),
    path("<int:vendor_id>/documents/", views.document_upload, name="document_upload"),
    path(
        "<int:vendor_id>/documents/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "<int:vendor_id>/documents/<int:document_id>/remove/",
        views.document_remove,
        name="document_remove",
    ),
]
