from django.apps import AppConfig


class CreativeConfig(AppConfig):
    name = "mediadesk.creative"
    label = "creative"
    verbose_name = "Creative"
