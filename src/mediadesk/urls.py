from django.contrib import admin
from django.urls import include, path

from mediadesk.api import api

urlpatterns = [
    path("", include("mediadesk.web.urls")),
    path("", include("mediadesk.accounts.urls")),
    path("campaigns/", include("mediadesk.planning.urls")),
    path("", include("mediadesk.delivery.urls")),
    path("vendors/", include("mediadesk.vendors.urls")),
    path("", include("mediadesk.orders.urls")),
    path("", include("mediadesk.finance.urls")),
    path("", include("mediadesk.creative.urls")),
    path("", include("mediadesk.compliance.urls")),
    path("", include("mediadesk.work.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
