from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "mediadesk.vendors"
    label = "vendors"
    verbose_name = "Vendors"
