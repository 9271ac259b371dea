from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "mediadesk.planning"
    label = "planning"
    verbose_name = "Campaigns and media plans"
