from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "mediadesk.delivery"
    label = "delivery"
    verbose_name = "Delivery and pacing"
