from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mediadesk.accounts"
    label = "accounts"
    verbose_name = "Clients, people and roles"
