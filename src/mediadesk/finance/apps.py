from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "mediadesk.finance"
    label = "finance"
    verbose_name = "Invoices, payments and close"
