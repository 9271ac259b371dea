from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "mediadesk.compliance"
    label = "compliance"
    verbose_name = "Compliance"
