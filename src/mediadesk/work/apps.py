from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "mediadesk.work"
    label = "work"
    verbose_name = "Work"
