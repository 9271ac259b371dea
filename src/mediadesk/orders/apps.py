from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "mediadesk.orders"
    label = "orders"
    verbose_name = "Insertion orders"
