from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mediadesk.web"
    label = "web"
    verbose_name = "Web interface"
