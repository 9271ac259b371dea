from django.urls import path

from mediadesk.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("client/", views.switch_client, name="switch_client"),
    path("healthz", views.healthz, name="healthz"),
]
