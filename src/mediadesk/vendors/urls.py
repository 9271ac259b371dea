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
]
