from django.urls import path

from mediadesk.orders import views

app_name = "orders"

urlpatterns = [
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
]
