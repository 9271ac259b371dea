from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mediadesk.audit"
    label = "audit"
    verbose_name = "Audit trail"
